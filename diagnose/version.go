package diagnose

import (
	"fmt"
	"strings"
)

// DefaultVersion is the Notion-Version the checks run with when the one
// configured is not one Notion publishes.
const DefaultVersion = firstDataSourceVersion

// VersionFindings checks the configured Notion-Version (NOTION_VERSION)
// against the versions Notion publishes and returns an error.version
// finding naming it when Notion does not publish it, or nil. The checks
// then run with DefaultVersion, which the finding says.
func VersionFindings(v string) []Finding {
	if KnownVersion(v) {
		return nil
	}
	shown := fmt.Sprintf("%q", truncateUTF8(v, 40))
	return []Finding{NewFinding(CodeErrorVersion,
		fmt.Sprintf("NOTION_VERSION is %s, which is not a version Notion publishes (%s): Notion refuses such a header with 400, so every call would fail. The checks here ran with %s instead.", shown, strings.Join(publishedVersions, ", "), DefaultVersion),
		Vars{"version_fix": "Set NOTION_VERSION to a published version: 2025-09-03 (the SDKs' default), 2026-03-11 or, for old clients, 2022-06-28; or unset it.", "version": DefaultVersion})}
}

// versionRefused reports whether Notion's answer refuses the Notion-Version
// header sent (a 400 about the header itself), which is the configuration's
// fault, never an outage.
func versionRefused(a Answer) bool {
	return a.Status == 400 && (a.Code == "missing_version" || strings.Contains(a.Message, "Notion-Version"))
}

// versionRefusedFinding names the refused version as the cause.
func versionRefusedFinding(a Answer) Finding {
	return NewFinding(CodeErrorVersion,
		fmt.Sprintf("Notion refused the Notion-Version header the checks sent (%s) with 400 %s (%q): that version is the cause, not an outage.", orSomething(a.Version, "none"), a.Code, truncateUTF8(a.Message, 200)),
		Vars{"version_fix": "Set NOTION_VERSION to a version Notion publishes: 2025-09-03, 2026-03-11 or 2022-06-28.", "version": DefaultVersion})
}
