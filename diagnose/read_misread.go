package diagnose

import (
	"net/url"
	"strings"
)

// This file keeps the reader from taking text for what it is not: Notion's
// messages retyped in lower case or reworded (they are an error, not a page
// title), IDs a person elided before pasting ("68e0e…", "page_id": ...:
// not malformed IDs), and links that only illustrate (an example URL in
// code, the MCP server's address: not links to complain about).

// looseMessages are Notion's messages as people retype them: lower case,
// reworded, misspelt. Each is matched on the lower-cased text.
var looseMessages = []struct{ phrase, code string }{
	{"invalid request url", "invalid_request_url"},
	{"api token is invalid", "unauthorized"},
	{"could not find page with id", "object_not_found"},
	{"could not find database with id", "object_not_found"},
	{"could not find block with id", "object_not_found"},
	{"could not find data_source with id", "object_not_found"},
	{"could not find data source with id", "object_not_found"},
	{"make sure the relevant pages and databases are shared", "object_not_found"},
	{"body failed validation", "validation_error"},
	{"path failed validation", "validation_error"},
	{"you have been rate limited", "rate_limited"},
	{"does not have access to this resource", "restricted_resource"},
	{"insufficient permissions for this endpoint", "restricted_resource"},
	{"multiple data sources are not supported", "validation_error"},
	{"is a database, not a page", "validation_error"},
	{"is a page, not a database", "validation_error"},
	{"conflict occurred while saving", "conflict_error"},
}

// readLooseMessage reads a Notion message retyped in the person's words
// when no message of Notion's own wording was found.
func readLooseMessage(t string, c *Call) {
	if c.Message != "" {
		return
	}
	low := strings.ToLower(t)
	best, code := -1, ""
	for _, m := range looseMessages {
		if i := strings.Index(low, m.phrase); i >= 0 && (best < 0 || i < best) {
			best, code = i, m.code
		}
	}
	if i := archivedPhrase(low); i >= 0 && (best < 0 || i < best) {
		best, code = i, "validation_error"
	}
	if best < 0 {
		return
	}
	line := strings.TrimSpace(lineAt(t, best))
	c.Message = truncateUTF8(strings.Trim(line, "\"'` "), 1000)
	if c.Code == "" {
		c.Code = code
	}
}

// archivedPhrase finds "can't edit/update … archived/trash" in a
// lower-cased text (misspelt "archieved" too), or -1.
func archivedPhrase(low string) int {
	for _, neg := range []string{"can't ", "cannot ", "can not ", "can’t ", "unable to "} {
		for off := 0; off < len(low); {
			i := strings.Index(low[off:], neg)
			if i < 0 {
				break
			}
			i += off
			off = i + len(neg)
			rest := low[off:min(len(low), off+80)]
			if e := strings.IndexByte(rest, '\n'); e >= 0 {
				rest = rest[:e]
			}
			verb := false
			for _, v := range []string{"edit", "update", "modify", "change", "append", "write", "archive", "restore"} {
				if strings.HasPrefix(rest, v) {
					verb = true
				}
			}
			if verb && (strings.Contains(rest, "archiv") || strings.Contains(rest, "archiev") || strings.Contains(rest, "trash")) {
				return i
			}
		}
	}
	return -1
}

// elided reports whether an ID-meant value was shortened by the person
// who pasted it ("68e0e…", "1a2b…9f0e", "..."), as opposed to an ID cut
// off where the call sent it: an ellipsis after only a few hex digits, in
// the middle of the value, or alone.
func elided(v string) bool {
	i := strings.Index(v, "…")
	n := len("…")
	if j := strings.Index(v, "..."); j >= 0 && (i < 0 || j < i) {
		i, n = j, 3
	}
	if i < 0 {
		return false
	}
	head := strings.ReplaceAll(v[:i], "-", "")
	tail := strings.ReplaceAll(strings.Trim(v[i+n:], ".…"), "-", "")
	if head != "" && !allHex(head) || tail != "" && !allHex(tail) {
		return false
	}
	// "8c2f1e0a9b7d4e21f0a1…" with most of the ID before the cut is an ID
	// cut off where it was copied: a malformed ID, not an elision.
	return len(head) < 16 || tail != ""
}

// incidentalHosts are hosts whose links illustrate or configure rather than
// point at content: an example domain, a local server, Notion's MCP server,
// its developer docs and status page.
var incidentalHosts = []string{"example.com", "example.org", "example.net", "localhost", "127.0.0.1", "0.0.0.0",
	"mcp.notion.com", "developers.notion.com", "status.notion.so", "github.com", "npmjs.com", "pypi.org", "stackoverflow.com"}

// incidentalLink reports whether a non-Notion link in text is one that is
// no reference to complain about: its host illustrates (incidentalHosts,
// *.example, *.test, *.local), or it stands inside code, as a quoted
// string, an argument or a value.
func incidentalLink(text, link string) bool {
	if t := strings.Trim(strings.TrimSpace(text), "<>|"); t == link || len(t) <= len(link)+2 {
		return false // the link alone: it is what the person asks about
	}
	raw := link
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	if u, err := url.Parse(raw); err == nil {
		h := strings.ToLower(u.Hostname())
		for _, ih := range incidentalHosts {
			if h == ih || strings.HasSuffix(h, "."+ih) {
				return true
			}
		}
		for _, tld := range []string{".example", ".test", ".local", ".internal", ".invalid"} {
			if strings.HasSuffix(h, tld) {
				return true
			}
		}
	}
	i := strings.Index(text, link)
	if i <= 0 {
		return false
	}
	switch text[i-1] {
	case '"', '\'', '`', '(', '=':
		return true
	}
	return false
}

// dropIncidental removes incidental links (incidentalLink) from links.
func dropIncidental(text string, links []string) []string {
	var out []string
	for _, l := range links {
		if !incidentalLink(text, l) {
			out = append(out, l)
		}
	}
	return out
}
