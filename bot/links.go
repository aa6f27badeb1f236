package bot

import (
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
)

// The places the fix steps name, and the links the bot writes for them.
// The targets are fixed here: a name in the text only chooses which of
// them to write, so no outside text ever becomes a link target.
const (
	// IntegrationsURL is where a Notion integration's settings live
	// (secret, capabilities, connections).
	IntegrationsURL = "https://www.notion.so/profile/integrations"
	// StatusURL is Notion's status page.
	StatusURL = "https://status.notion.so"
)

// placeLinks are the place names of the finding table's fix steps (as esc
// leaves them: they hold no & < >) and the links written for them.
var placeLinks = []struct{ name, link string }{
	{"notion.so/profile/integrations", "<" + IntegrationsURL + "|notion.so/profile/integrations>"},
	{"status.notion.so", "<" + StatusURL + "|status.notion.so>"},
}

// linkPlaces turns the places an escaped fix step names into links.
func linkPlaces(escaped string) string {
	for _, p := range placeLinks {
		if strings.Contains(escaped, p.name) {
			escaped = strings.ReplaceAll(escaped, p.name, p.link)
		}
	}
	return escaped
}

// docsLine is the line linking Notion's docs page for code ("" when the
// table has none).
func docsLine(code diagnose.Code) string {
	u, label := code.Docs()
	if u == "" {
		return ""
	}
	return "📖 Notion docs: <" + u + "|" + label + ">"
}

// docsLink is a short link to Notion's docs page for code, for a context
// line ("" when the table has none).
func docsLink(code diagnose.Code) string {
	u, _ := code.Docs()
	if u == "" {
		return ""
	}
	return "<" + u + "|Notion docs>"
}

// Action IDs of the link buttons of a one-check report (their clicks are
// acknowledged and need nothing else).
const (
	OpenActionID = "open_notion"
	DocsActionID = "notion_docs"
)

// linkButtons are the link buttons of a one-check report: "Open in
// Notion" (the object's url as Notion returned it) and "Notion docs" (the
// page about the main cause).
func linkButtons(c diagnose.Check, cause diagnose.Code) []slack.BlockElement {
	var out []slack.BlockElement
	if u := safeNotionURL(c.URL); u != "" {
		b := slack.NewButtonBlockElement(OpenActionID, "open", plain("Open in Notion", MaxButtonText))
		b.URL = u
		out = append(out, b)
	}
	if u, _ := cause.Docs(); u != "" {
		b := slack.NewButtonBlockElement(DocsActionID, "docs", plain("Notion docs", MaxButtonText))
		b.URL = u
		out = append(out, b)
	}
	return out
}

// MaxLinkURL bounds a link target the report writes from Notion's answer.
const MaxLinkURL = 1000

// notionURL returns u as a mrkdwn link target (& escaped) when
// safeNotionURL accepts it; else "".
func notionURL(u string) string {
	return strings.ReplaceAll(safeNotionURL(u), "&", "&amp;")
}

// safeNotionURL returns u when it is a link into Notion as Notion returns
// an object's url (https, on notion.so or notion.site, printable ASCII,
// nothing that could end a link or start markup); else "".
func safeNotionURL(u string) string {
	if u == "" || len(u) > MaxLinkURL || strings.ContainsAny(u, "<>|\"' \t\r\n\\`*~") {
		return ""
	}
	for _, r := range u {
		if r < 0x21 || r > 0x7e {
			return "" // ASCII only: no look-alike or invisible character
		}
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.User != nil || p.Port() != "" || p.Opaque != "" {
		return ""
	}
	host := strings.ToLower(p.Hostname())
	switch {
	case host == "notion.so", host == "www.notion.so", strings.HasSuffix(host, ".notion.site"):
	default:
		return ""
	}
	return u
}

// openLink is the "Open in Notion" link of a check ("" when Notion gave
// no usable url).
func openLink(c diagnose.Check) string {
	if u := notionURL(c.URL); u != "" {
		return "<" + u + "|Open in Notion>"
	}
	return ""
}
