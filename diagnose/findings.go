package diagnose

import (
	"sort"
	"strings"
)

// Code is a stable finding code (docs/findings.md lists them).
type Code string

// Every finding code. The codes are the contract; their titles and fix
// steps live in the table below and nowhere else.
const (
	CodeIDMissing               Code = "id.missing"
	CodeIDMalformed             Code = "id.malformed"
	CodeIDExtracted             Code = "id.extracted"
	CodeLinkView                Code = "link.view"
	CodeLinkPeek                Code = "link.peek"
	CodeLinkBlock               Code = "link.block"
	CodeLinkNotContent          Code = "link.not_content"
	CodeTokenMissing            Code = "token.missing"
	CodeTokenMalformed          Code = "token.malformed"
	CodeTokenInvalid            Code = "token.invalid"
	CodeTokenLeaked             Code = "token.leaked"
	CodeAccessOK                Code = "access.ok"
	CodeAccessNotShared         Code = "access.not_shared"
	CodeAccessCapability        Code = "access.capability"
	CodeEndpointMismatch        Code = "endpoint.mismatch"
	CodeKindBlock               Code = "kind.block"
	CodeKindDataSource          Code = "kind.data_source"
	CodeDatabaseDataSources     Code = "database.data_sources"
	CodeDatabaseMultipleSources Code = "database.multiple_sources"
	CodeDatabaseLinked          Code = "database.linked"
	CodeObjectInTrash           Code = "object.in_trash"
	CodeNotionRateLimited       Code = "notion.rate_limited"
	CodeNotionUnavailable       Code = "notion.unavailable"
	CodeInputSkipped            Code = "input.skipped"
	CodeIDVariable              Code = "id.variable"
	CodeKindView                Code = "kind.view"
	CodeTokenPersonal           Code = "token.personal"
	CodeAccessOtherIntegration  Code = "access.other_integration"
	CodeCallNotReproduced       Code = "call.not_reproduced"
	CodeErrorUnauthorized       Code = "error.unauthorized"
	CodeErrorRestricted         Code = "error.restricted"
	CodeErrorNotFound           Code = "error.not_found"
	CodeErrorVersion            Code = "error.version"
	CodeErrorRequestURL         Code = "error.request_url"
	CodeErrorValidation         Code = "error.validation"
	CodeErrorArchived           Code = "error.archived"
	CodeErrorRateLimited        Code = "error.rate_limited"
	CodeErrorServer             Code = "error.server"
	CodeBodyPropertyType        Code = "body.property_type"
	CodeBodyPropertyMissing     Code = "body.property_missing"
	CodeBodyOption              Code = "body.option"
	CodeBodyReadOnly            Code = "body.read_only"
	CodeBodyTitle               Code = "body.title"
	CodeBodyRelation            Code = "body.relation"
	CodeBodyValue               Code = "body.value"
	CodeBodyLimit               Code = "body.limit"
	CodeBodyParent              Code = "body.parent"
	CodeBodyBlock               Code = "body.block"
	CodeCallClient              Code = "call.client"
	CodeSearchEmpty             Code = "search.empty"
	CodeOAuthGrant              Code = "oauth.grant"
	CodeTokenOAuth              Code = "token.oauth"
)

// FindingSpec is one row of the finding table: everything about a code that
// does not depend on the values at hand. Fix steps may hold {placeholders}
// filled from the Vars given to NewFinding.
type FindingSpec struct {
	Severity Severity
	Title    string
	Fix      []string
}

// Vars fills the {placeholders} of a finding's fix steps.
type Vars map[string]string

// findingTable is the one table of every finding code. It is never written
// after initialisation.
var findingTable = map[Code]FindingSpec{
	CodeIDMissing: {SeverityError, "No Notion ID in what was given", []string{
		"Open the page or database in Notion and use ••• → Copy link (or Share → Copy link).",
		"Take the 32-character ID at the end of the link path (after the last '-', before any '?'), or pass the whole link to notion-check.",
		"If the value came from configuration or code (None, undefined, empty, a placeholder), set the variable to the real ID before calling the API.",
	}},
	CodeIDMalformed: {SeverityError, "The ID is not a valid Notion ID", []string{
		"A Notion ID is exactly 32 hexadecimal characters (0-9, a-f), with or without dashes in the 8-4-4-4-12 places.",
		"Copy the ID again from the link in Notion, whole: {hint}",
		"Use this ID: {id}",
	}},
	CodeIDExtracted: {SeverityInfo, "The ID was taken out of a longer text", []string{
		"Pass only the ID to the API: {compact} (or dashed: {id}).",
		"Do not send the slug, the domain, '?v=…' or other query parameters as part of the ID.",
	}},
	CodeLinkView: {SeverityWarning, "The link carries a view ID (?v=), which is not a database ID", []string{
		"Use the database ID from the link path: {database}.",
		"Do not use the ID after 'v=' ({view}): it names a view of the database and the API rejects it as a database or page ID.",
	}},
	CodeLinkPeek: {SeverityInfo, "The link shows a page opened in peek inside a database", []string{
		"To read or update that page, use its ID: {page} with /v1/pages/{page}.",
		"To query the database it sits in, use {database} (not the view ID after 'v=').",
	}},
	CodeLinkBlock: {SeverityInfo, "The link points to a block on a page", []string{
		"For the block itself use /v1/blocks/{block}.",
		"For the page it sits on use {page}.",
	}},
	CodeLinkNotContent: {SeverityError, "This is not a link to Notion content", []string{
		"Open the page or database itself in Notion and use ••• → Copy link.",
		"Integration settings, Notion settings and other sites do not carry the ID of a page or database.",
	}},
	CodeTokenMissing: {SeverityWarning, "No integration token, so only offline checks ran", []string{
		"Set NOTION_TOKEN to the integration's secret (notion.so/profile/integrations → your integration → Internal Integration Secret).",
		"Run the check again: sharing, kind and endpoint are checked online.",
	}},
	CodeTokenMalformed: {SeverityError, "The integration token has the wrong shape", []string{
		"Copy the secret again from notion.so/profile/integrations → your integration → Internal Integration Secret.",
		"Set it as-is: no quotes, no spaces or line breaks, no 'Bearer ' prefix (the client adds that).",
		"It starts with ntn_ (or secret_ for older integrations) and is 50 characters long.",
	}},
	CodeTokenInvalid: {SeverityError, "Notion rejected the token (401): invalid, revoked or expired", []string{
		"Open notion.so/profile/integrations and check that the integration still exists and is in the right workspace.",
		"Copy its current secret (refresh it if it may have been leaked) and set it again.",
		"Restart whatever reads the token so it uses the new value.",
	}},
	CodeTokenLeaked: {SeverityError, "This message contains what looks like a Notion token", []string{
		"Rotate the token now: notion.so/profile/integrations → your integration → Secrets → Refresh.",
		"A Slack token (xoxb-, xapp-, xoxp-…) or another credential: revoke or regenerate it where it was issued (api.slack.com/apps → your app).",
		"Delete or edit the message that holds it.",
		"Update every place that uses the old token.",
	}},
	CodeAccessOK: {SeverityInfo, "The integration can read this object", []string{
		"Use {endpoint} for this {kind}.",
		"{next}",
	}},
	CodeAccessNotShared: {SeverityError, "Notion says not found: the object is not shared with the integration", []string{
		"Open the page or database → ••• (top right) → Connections → add the integration \"{integration}\"; a parent page shares all under it.",
		"Check the page is in the integration's workspace, \"{workspace}\".",
		"A page in a private teamspace or someone's private pages must be shared from there; a deleted one cannot be.",
		"Check the ID is the object's own: not the view ID after 'v=', not a copy from another workspace.",
	}},
	CodeAccessCapability: {SeverityError, "The integration lacks a capability (403 restricted_resource)", []string{
		"Open notion.so/profile/integrations → your integration → Capabilities.",
		"Enable Read content (and Update/Insert content if the call writes), then save.",
		"Run the call again; no re-sharing is needed.",
	}},
	CodeEndpointMismatch: {SeverityError, "The endpoint used does not fit this object", []string{
		"This ID is a {kind}: call {endpoint} instead of {used}.",
		"{next}",
	}},
	CodeKindBlock: {SeverityWarning, "The ID is a block inside a page, not a page", []string{
		"To read the page, use its ID: {page}.",
		"To read this block, use /v1/blocks/{id}.",
	}},
	CodeKindDataSource: {SeverityInfo, "The ID is a data source (API 2025-09-03 and later)", []string{
		"Use /v1/data_sources/{id} to retrieve it and POST /v1/data_sources/{id}/query to query it (Notion-Version 2025-09-03 or later).",
		"Its database is {database}: use that ID with /v1/databases/…, not this one.",
	}},
	CodeDatabaseDataSources: {SeverityInfo, "The database's data sources", []string{
		"Under Notion-Version 2025-09-03 query a data source, not the database: POST /v1/data_sources/{data_source}/query.",
		"Create pages in it with parent {\"type\":\"data_source_id\",\"data_source_id\":\"{data_source}\"}.",
	}},
	CodeDatabaseMultipleSources: {SeverityWarning, "The database has several data sources", []string{
		"Clients on Notion-Version 2022-06-28 fail on this database (\"multiple data sources are not supported\").",
		"Upgrade to Notion-Version 2025-09-03 and address one data source by its ID.",
	}},
	CodeDatabaseLinked: {SeverityError, "This is a linked database, which the API cannot read", []string{
		"Open the original (source) database: click the linked database's title → open the source.",
		"Copy the source database's link and use its ID, and share the source database with the integration.",
	}},
	CodeObjectInTrash: {SeverityWarning, "The object is in the trash", []string{
		"Restore it from Notion's Trash (sidebar → Trash) if it is still needed.",
		"Calls that update a trashed object fail; reads still work.",
	}},
	CodeNotionRateLimited: {SeverityWarning, "Notion rate-limited the checks and they could not be finished in time", []string{
		"Wait a minute and check again.",
		"If it keeps happening, something else is using the same integration heavily: spread its calls out (Notion allows about 3 requests per second).",
	}},
	CodeNotionUnavailable: {SeverityWarning, "Notion did not answer properly, so this could not be checked", []string{
		"Check status.notion.so.",
		"Check again in a few minutes.",
	}},
	CodeInputSkipped: {SeverityInfo, "Not every reference was checked", []string{
		"Send the remaining links in a separate request, a few at a time.",
	}},
	CodeIDVariable: {SeverityError, "A variable stands where the ID belongs, and it was not filled in", []string{
		"Set {variable} to the real ID (the 32 characters at the end of the page's or database's link) where the code runs: .env file, CI secret or shell.",
		"Check the code reads it under that exact name and that the value reached the call (print its length, not the value).",
	}},
	CodeKindView: {SeverityInfo, "The ID is a database view, not a database or page", []string{
		"Query the view's data source instead: POST /v1/data_sources/{data_source}/query (Notion-Version 2025-09-03 or later).",
		"For the database itself use {database} with /v1/databases/{database}.",
		"To read the view, use GET /v1/views/{id}.",
	}},
	CodeTokenPersonal: {SeverityInfo, "The token is a personal access token: it sees what its creator sees", []string{
		"Sharing with a connection does not apply: the person who made the token needs access to the page in Notion.",
		"Ask the page's owner to share it with that person, or use an integration (connection) token shared with the page.",
	}},
	CodeAccessOtherIntegration: {SeverityError, "The object exists, but it is not shared with the integration the call used", []string{
		"Open the page or database in Notion, click ••• (top right) → Connections, and add \"{integration}\" (sharing a parent page shares everything under it).",
		"Run the call again with the same token; no code change is needed.",
	}},
	CodeCallNotReproduced: {SeverityError, "The pasted call failed, but the checks here find nothing wrong with the object", []string{
		"{differs}",
		"Make the call again exactly as before; if it still fails, compare its token, Notion-Version and endpoint with the ones named here.",
	}},
	CodeErrorUnauthorized: {SeverityError, "The call's token was refused (401 unauthorized)", []string{
		"Check the call sends the header exactly as Authorization: Bearer <token>, with no quotes, spaces or a second 'Bearer'.",
		"Open notion.so/profile/integrations: check the connection still exists and belongs to the workspace of the page; copy its current secret.",
		"Set the secret where the code reads it and restart whatever reads it.",
	}},
	CodeErrorRestricted: {SeverityError, "The call was refused for a missing capability (403 restricted_resource)", []string{
		"Open notion.so/profile/integrations → your connection → Capabilities, and enable what the call needs (Read, Update or Insert content, comments, user information).",
		"A personal access token is limited to what its creator may do: ask for the access in Notion instead.",
	}},
	CodeErrorNotFound: {SeverityError, "Notion answered 404: not found, or not shared with the call's integration", []string{
		"Open the page or database in Notion → ••• → Connections, and add the integration the call uses (sharing a parent page shares everything under it).",
		"Check the ID is the object's own ID: the 32 characters at the end of the link path, not the view ID after 'v='.",
		"Paste the ID or link here to check it against Notion.",
	}},
	CodeErrorVersion: {SeverityError, "The call's Notion-Version is the cause", []string{
		"{version_fix}",
		"Send the header Notion-Version: {version} (the current versions are 2025-09-03 and 2026-03-11).",
	}},
	CodeErrorRequestURL: {SeverityError, "The request URL is not a valid Notion API route (invalid_request_url)", []string{
		"Put only the 32-character ID in the path, not the whole link, the slug or '?v=…': {path}",
		"A route is /v1/<resource>/<ID>, optionally followed by /children, /query or /properties/<id>; the resources are pages, databases, data_sources, blocks, views, users, comments and search.",
		"Check the route exists for the Notion-Version sent (data sources and views need 2025-09-03 or later).",
	}},
	CodeErrorValidation: {SeverityError, "Notion rejected a field of the call (validation_error)", []string{
		"{field_fix}",
	}},
	CodeErrorArchived: {SeverityError, "The call edits an archived (trashed) object", []string{
		"Restore the page or its parent from Notion's Trash (sidebar → Trash), or restore it through the API with in_trash: false.",
		"Then make the edit again.",
	}},
	CodeErrorRateLimited: {SeverityWarning, "The call was rate-limited (429/529)", []string{
		"Wait the Retry-After seconds Notion sent, then retry; retry 429 and 529 for every method.",
		"{limit_fix}",
		"Pace the calls (about 3 requests per second per connection) and queue the rest.",
	}},
	CodeErrorServer: {SeverityWarning, "Notion failed on its side (409 or 5xx): retry", []string{
		"{server_fix}",
		"Retry the call after a short wait, with backoff; retry 5xx only for reads and deletes, 409 conflicts after re-reading the object.",
		"If it keeps failing, check status.notion.so; a data-source query that times out (504) may need a narrower filter.",
	}},
	CodeCallClient: {SeverityError, "The failure never reached Notion's API: it happened in the client", []string{
		"{client_fix}",
		"Notion has no record of this call (no request_id): look in the client's own settings, log or tool definition, not at sharing or the token.",
	}},
	CodeSearchEmpty: {SeverityWarning, "The search or list returned nothing this integration can see", []string{
		"{search_fix}",
		"Share the page that holds what you look for with the connection: ••• → Connections → add \"{integration}\" (pages under it are shared too), or use the connection's Content access tab in the Developer portal.",
		"Filter search by object with value \"page\" or \"data_source\" under Notion-Version 2025-09-03 and later (\"database\" is refused there); under 2022-06-28 databases with several data sources are left out of search.",
		"Search is indexed with a delay and only directly shared pages are sure to appear: GET the object by its ID to know whether it is shared.",
	}},
	CodeOAuthGrant: {SeverityError, "The OAuth token exchange or refresh failed", []string{
		"{oauth_fix}",
		"Send the token request as POST https://api.notion.com/v1/oauth/token with Authorization: Basic base64(client_id:client_secret) and a JSON body ({\"grant_type\":\"authorization_code\",\"code\":…,\"redirect_uri\":…} or {\"grant_type\":\"refresh_token\",\"refresh_token\":…}).",
		"The access token is not the problem: this failure comes before any token exists (or when renewing it).",
	}},
	CodeTokenOAuth: {SeverityInfo, "The token belongs to a public (OAuth) integration: it sees the pages its authorizing user shared", []string{
		"Pages reach a public integration through its OAuth flow: the user who authorized it picked them; run the authorization again and pick the page (or a page above it) to add one.",
		"Only that user can share more with it; sharing with another connection or the internal-integration settings page does not apply.",
	}},
	CodeBodyPropertyType: {SeverityError, "A property was sent in a shape its type does not take", []string{
		"{body_fix}",
		"A property value holds exactly one type key: the one of its type.",
		"{online}",
	}},
	CodeBodyPropertyMissing: {SeverityError, "The body names a property the data source does not have", []string{
		"{body_fix}",
		"Names match exactly (case and spaces count); a property's ID works too.",
		"{online}",
	}},
	CodeBodyOption: {SeverityError, "Notion refused a select, multi-select or status option", []string{
		"{body_fix}",
		"{online}",
	}},
	CodeBodyReadOnly: {SeverityError, "A read-only property was written", []string{
		"{body_fix}",
		"Notion computes formula, rollup, created_*, last_edited_*, unique_id and button: leave them out.",
	}},
	CodeBodyTitle: {SeverityError, "The title property is missing or named otherwise", []string{
		"{body_fix}",
		"The title property's ID is always \"title\": it works as the key under any name.",
		"{online}",
	}},
	CodeBodyRelation: {SeverityError, "A relation value is in the wrong shape or points where the integration cannot see", []string{
		"{body_fix}",
		"A relation is a list of page objects, each {\"id\": \"<page id>\"}; a write replaces the whole list.",
		"Share the related database with the integration too, or its pages cannot be linked.",
	}},
	CodeBodyValue: {SeverityError, "Notion refused a value of the property's type", []string{
		"{body_fix}",
		"{online}",
	}},
	CodeBodyLimit: {SeverityError, "A request limit was passed", []string{
		"{body_fix}",
		"Limits: 2000 characters per rich-text item, 100 items per array, 2 levels of nested children.",
	}},
	CodeBodyParent: {SeverityError, "The parent does not fit the call or the Notion-Version", []string{
		"{body_fix}",
		"{online}",
	}},
	CodeBodyBlock: {SeverityError, "A block Notion does not accept where it was sent", []string{
		"{body_fix}",
		"{online}",
	}},
}

// Spec returns the table row of a code, and whether the code is known.
func Spec(code Code) (FindingSpec, bool) {
	s, ok := findingTable[code]
	return s, ok
}

// AllCodes returns every finding code, sorted.
func AllCodes() []Code {
	out := make([]Code, 0, len(findingTable))
	for c := range findingTable {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// NewFinding builds a finding from the table: severity, title and fix steps
// come from the code's row, with {placeholders} in the fix steps filled from
// vars; detail carries the actual values. A fix step whose placeholders are
// not all given is left out, so no step ever shows a raw {placeholder}.
// An unknown code panics: codes are constants, so that is a programming error.
func NewFinding(code Code, detail string, vars Vars) Finding {
	spec, ok := findingTable[code]
	if !ok {
		panic("diagnose: unknown finding code " + string(code))
	}
	fix := make([]string, 0, len(spec.Fix))
	for _, step := range spec.Fix {
		if s, ok := fill(step, vars); ok && strings.TrimSpace(s) != "" {
			fix = append(fix, s)
		}
	}
	return Finding{Code: code, Severity: spec.Severity, Title: spec.Title, Detail: detail, Fix: fix}
}

// fill replaces {name} placeholders by vars[name]. It reports false when a
// placeholder has no value. Braces that do not enclose a simple name (as in
// a JSON example) are kept as they are.
func fill(step string, vars Vars) (string, bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(step, '{')
		if i < 0 {
			b.WriteString(step)
			return b.String(), true
		}
		j := strings.IndexByte(step[i:], '}')
		if j < 0 {
			b.WriteString(step)
			return b.String(), true
		}
		name := step[i+1 : i+j]
		if !isPlaceholderName(name) {
			b.WriteString(step[:i+1])
			step = step[i+1:]
			continue
		}
		v, ok := vars[name]
		if !ok || v == "" {
			return "", false
		}
		b.WriteString(step[:i])
		b.WriteString(v)
		step = step[i+j+1:]
	}
}

func isPlaceholderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
