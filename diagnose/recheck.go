package diagnose

import (
	"strings"
	"unicode/utf8"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// maxRecheckLines bounds the lines of a recheck: a face shows a few of
// them at most, and a huge paste must cost bounded memory.
const maxRecheckLines = 100

// Recheck is what "check again" re-checks: the text's references, each
// rewritten in a canonical form made only of what was parsed (hex IDs,
// Notion's own hosts, the endpoint's name), a reference without a usable
// ID by its source when that cannot hold a credential (plainSource), and
// the pasted call as a curl line (Call.Curl): one a line, duplicates
// dropped, never the pasted text itself, so no secret can ride in it.
// Reading the lines again as a text gives the same references.
func (r Reading) Recheck() []string {
	var lines []string
	seen := map[string]bool{}
	add := func(l string) {
		if l != "" && !seen[l] && len(lines) < maxRecheckLines {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	firstID := ""
	for _, ref := range r.References {
		l := ref.Canonical()
		if l != "" && firstID == "" {
			firstID = ref.ID
		}
		if l == "" && !IsID(ref.ID) {
			l = plainSource(ref.Source)
		}
		add(l)
	}
	if r.Call != nil {
		add(r.Call.Curl(firstID))
	}
	return lines
}

// RecheckLines is what "check again" re-checks for this report: Recheck,
// else (a report not built from a reading) the checks' IDs and the pasted
// call's curl line. Empty when there is nothing to re-check.
func (r Report) RecheckLines() []string {
	if len(r.Recheck) > 0 {
		return r.Recheck
	}
	var lines []string
	seen := map[string]bool{}
	firstID := ""
	for _, c := range r.Checks {
		if id := strings.ToLower(c.ID); IsID(id) && !seen[id] && len(lines) < maxRecheckLines {
			seen[id] = true
			lines = append(lines, id)
			if firstID == "" {
				firstID = c.ID
			}
		}
	}
	if r.Call != nil {
		if l := r.Call.Curl(firstID); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// Canonical writes the reference so that reading it again gives the same
// reference: a www.notion.so link carrying the IDs in their roles (peek,
// view, block), an api.notion.com URL for an API URL or an error that
// names its endpoint, else the dashed ID. "" when it has no usable ID or
// is not Notion content.
func (r Reference) Canonical() string {
	if !IsID(r.ID) || HasCode(r.Findings, CodeLinkNotContent) {
		return ""
	}
	id := Hex32(strings.ToLower(r.ID))
	rel := func(role Kind) string {
		for _, x := range r.Related {
			if x.Role == role && IsID(x.ID) {
				return Hex32(strings.ToLower(x.ID))
			}
		}
		return ""
	}
	const web = "https://www.notion.so/"
	switch r.Origin {
	case OriginLink:
		db, view, block := rel(KindDatabase), rel(KindView), rel(KindBlock)
		switch {
		case db != "" && view != "":
			return web + db + "?v=" + view + "&p=" + id
		case db != "":
			return web + db + "?p=" + id
		case view != "":
			return web + id + "?v=" + view
		case block != "":
			return web + id + "#" + block
		case r.Hint == KindBlock && HasCode(r.Findings, CodeLinkBlock):
			return web + "#" + id
		}
		return web + id
	case OriginAPI, OriginError:
		if r.Endpoint.KindFor() != KindUnknown {
			return "https://api.notion.com/v1/" + string(r.Endpoint) + "/" + strings.ToLower(r.ID)
		}
	}
	return strings.ToLower(r.ID)
}

// Curl writes the call's method, endpoint (its parameters filled with id
// when id is one) and Notion-Version as a curl line; "" when a field is
// not of its known shape.
func (c Call) Curl(id string) string {
	switch c.Method {
	case "GET", "POST", "PATCH", "DELETE":
	default:
		return ""
	}
	ep := c.Endpoint
	if !strings.HasPrefix(ep, "/v1/") || len(ep) > 120 || strings.Trim(ep, "abcdefghijklmnopqrstuvwxyz0123456789_/{}") != "" {
		return ""
	}
	if IsID(id) {
		for {
			i := strings.IndexByte(ep, '{')
			j := strings.IndexByte(ep, '}')
			if i < 0 || j < i {
				break
			}
			ep = ep[:i] + strings.ToLower(id) + ep[j+1:]
		}
	}
	l := "curl -X " + c.Method + " https://api.notion.com" + ep
	if v := c.NotionVersion; len(v) == 10 && strings.Trim(v, "0123456789-") == "" {
		l += " -H 'Notion-Version: " + v + "'"
	}
	return l
}

// maxPlainSource bounds the source of a reference without ID kept in a
// recheck.
const maxPlainSource = 200

// plainSource returns the source of a reference that has no usable ID (a
// page title, a cut ID, an error without ID) when it cannot hold a
// credential: one line of printable ASCII, at most maxPlainSource
// characters, nothing of a token's shape nor a token masked already (the
// reader quotes a text with its tokens masked), and no run of 16 or more
// letters, digits, "_" or base64 symbols unless it is all hex digits (an
// ID's alphabet). Else "".
func plainSource(src string) string {
	src = strings.TrimSpace(src)
	if src == "" || len(src) > maxPlainSource || strings.ContainsAny(src, "\r\n") || strings.Contains(src, secret.Mask) || secret.NotionTokens(src) > 0 || secret.Redact(src) != src {
		return ""
	}
	for _, r := range src {
		if r >= utf8.RuneSelf || r < ' ' {
			return "" // invisible, bidi and look-alike characters
		}
	}
	run, nonHex := 0, false
	for i := 0; i <= len(src); i++ {
		c := byte(' ')
		if i < len(src) {
			c = src[i]
		}
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			run++
		case c >= 'g' && c <= 'z', c >= 'G' && c <= 'Z', c == '_', c == '+', c == '/', c == '=', c == '%':
			run, nonHex = run+1, true
		default:
			if run >= 16 && nonHex {
				return ""
			}
			run, nonHex = 0, false
		}
	}
	return src
}
