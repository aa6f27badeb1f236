package diagnose

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// reference turns a candidate into a Reference with its offline findings.
func (c *candidate) reference() Reference {
	r := Reference{Source: c.source, Origin: c.origin, ID: c.vd.id, Hint: c.hint, Endpoint: c.endpoint, Related: []Related{}}
	if r.Hint == "" {
		r.Hint = KindUnknown
	}
	if l := &c.link; c.hasLink && l.notContent != "" {
		r.ID = ""
		r.Findings = append(r.Findings, NewFinding(CodeLinkNotContent,
			fmt.Sprintf("%s: %s.", c.source, l.notContent), nil))
		return r
	}
	vd := c.vd
	switch {
	case vd.variable != "":
		r.Findings = append(r.Findings, NewFinding(CodeIDVariable, fmt.Sprintf("%s: %s", quoteSource(c.source), vd.missing), Vars{"variable": vd.variable}))
	case vd.id == "" && vd.malformed != "":
		r.Findings = append(r.Findings, NewFinding(CodeIDMalformed,
			fmt.Sprintf("%s: %s. The API would answer 400 validation_error (\"should be a valid uuid\").", quoteSource(c.source), vd.malformed),
			Vars{"hint": malformedHint(vd.malformed)}))
	case vd.id == "":
		why := vd.missing
		if why == "" {
			why = "it holds no Notion ID"
		}
		r.Findings = append(r.Findings, NewFinding(CodeIDMissing, fmt.Sprintf("%s: %s", quoteSource(c.source), why), nil))
	default:
		if vd.repaired {
			r.Findings = append(r.Findings, NewFinding(CodeIDMalformed,
				fmt.Sprintf("%s: %s. Repaired, it reads %s, and it was checked under that ID.", quoteSource(c.source), vd.malformed, vd.id),
				Vars{"id": vd.id, "hint": malformedHint(vd.malformed)}))
		}
		if vd.extracted {
			from := vd.from
			if from == "" {
				from = "a longer text"
			}
			r.Findings = append(r.Findings, NewFinding(CodeIDExtracted,
				fmt.Sprintf("The ID %s was taken out of %s. Its 32-character form is %s.", vd.id, from, Hex32(vd.id)),
				Vars{"id": vd.id, "compact": Hex32(vd.id)}))
		}
	}
	if c.hasLink {
		r.addLinkFindings(&c.link)
	}
	if vd.view != "" && !hasRelated(r.Related, KindView, vd.view) {
		r.Related = append(r.Related, Related{Role: KindView, ID: vd.view})
	}
	return r
}

// addLinkFindings adds the link.* findings and the related IDs of a link.
func (r *Reference) addLinkFindings(l *link) {
	pathID := ""
	if l.hasPathID {
		pathID = l.pathID.id
	}
	viewID := ""
	if l.hasView {
		viewID = l.view.id
	}
	switch {
	case l.hasPeek && l.peek.id != "":
		if pathID != "" && pathID != r.ID {
			r.Related = append(r.Related, Related{Role: KindDatabase, ID: pathID})
		}
		if viewID != "" {
			r.Related = append(r.Related, Related{Role: KindView, ID: viewID})
		}
		db := pathID
		if db == "" {
			db = "(not in the link)"
		}
		detail := fmt.Sprintf("The link opens page %s in peek over database %s", r.ID, db)
		if viewID != "" {
			detail += fmt.Sprintf(" (view %s)", viewID)
		}
		r.Findings = append(r.Findings, NewFinding(CodeLinkPeek, detail+". The check is about the page; the database is listed as related.",
			Vars{"page": r.ID, "database": pathID}))
	case l.hasView && viewID != "":
		r.Related = append(r.Related, Related{Role: KindView, ID: viewID})
		r.Findings = append(r.Findings, NewFinding(CodeLinkView,
			fmt.Sprintf("The ID after ?v= (%s) names a view of the database. The database ID is the one in the path: %s.", viewID, orNone(pathID)),
			Vars{"database": pathID, "view": viewID}))
	}
	if l.hasBlock && l.block.id != "" {
		if l.block.id != r.ID {
			r.Related = append(r.Related, Related{Role: KindBlock, ID: l.block.id})
			r.Findings = append(r.Findings, NewFinding(CodeLinkBlock,
				fmt.Sprintf("The link points to block %s on page %s. The check is about the page; the block is listed as related.", l.block.id, r.ID),
				Vars{"block": l.block.id, "page": r.ID}))
		} else {
			r.Findings = append(r.Findings, NewFinding(CodeLinkBlock,
				fmt.Sprintf("The link's only ID is the block %s in its #fragment; the page it sits on is not in the link.", l.block.id),
				Vars{"block": l.block.id}))
		}
	}
}

func hasRelated(rs []Related, role Kind, id string) bool {
	for _, r := range rs {
		if r.Role == role && r.ID == id {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// quoteSource quotes a source for a detail line, shortened.
func quoteSource(s string) string {
	if len(s) > 120 {
		s = truncateUTF8(s, 117) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// malformedHint turns what is wrong into what to do.
func malformedHint(what string) string {
	switch {
	case strings.Contains(what, "cut off"):
		return "it was cut off; copy the whole ID (or the whole link)."
	case strings.Contains(what, "extra"):
		return "it has characters that are not part of the ID; copy only the 32 characters."
	case strings.Contains(what, "dashes"):
		return "remove the dashes or put them in the 8-4-4-4-12 places."
	case strings.Contains(what, "quotes"):
		return "remove the quotes around it (check how the value is set in your code or configuration)."
	case strings.Contains(what, "invisible"):
		return "retype it or paste it as plain text: it holds characters you cannot see."
	case strings.Contains(what, "not hex"):
		return "only 0-9 and a-f belong in an ID; a letter such as o, l or g was typed in place of a digit."
	}
	return "copy it again from Notion."
}

// merge folds a later duplicate of the same ID into r.
func merge(r Reference, c *candidate) Reference {
	if r.Endpoint == EndpointNone {
		r.Endpoint = c.endpoint
	}
	if r.Hint == KindUnknown && c.hint != "" && c.hint != KindUnknown {
		r.Hint = c.hint
	}
	if r.Origin == OriginID && c.origin != OriginID {
		// A duplicate from an error message or API URL says more than a bare ID.
		r.Origin = c.origin
	}
	other := c.reference()
	for _, rel := range other.Related {
		if rel.ID != r.ID && !hasRelated(r.Related, rel.Role, rel.ID) {
			r.Related = append(r.Related, rel)
		}
	}
	for _, f := range other.Findings {
		if !HasCode(r.Findings, f.Code) {
			r.Findings = append(r.Findings, f)
		}
	}
	return r
}

// HasCode reports whether fs holds a finding with the code.
func HasCode(fs []Finding, code Code) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// fallback is the one reference of a text that holds none: it says why.
func fallback(text string, otherLinks, notContent []string) Reference {
	otherLinks = dropIncidental(text, otherLinks)
	t := strings.TrimSpace(text)
	src, whole := excerpt(t)
	r := Reference{Source: src, Origin: OriginText, Hint: KindUnknown, Related: []Related{}}
	var why string
	var vd idReading
	if whole {
		// Only a short text can be one value meant as an ID (None, a
		// placeholder...); a long one is prose.
		vd = examine(t)
	}
	switch {
	case len(otherLinks) > 0:
		r.Findings = []Finding{NewFinding(CodeLinkNotContent, fmt.Sprintf("%s is not a Notion link and holds no Notion ID. If it is a custom domain or a public site of a Notion page, open the page in Notion itself and copy its link.", quoteSource(otherLinks[0])), nil)}
		return r
	case vd.variable != "":
		r.Findings = []Finding{NewFinding(CodeIDVariable, fmt.Sprintf("%s: %s", quoteSource(src), vd.missing), Vars{"variable": vd.variable})}
		return r
	case len(notContent) > 0:
		why = fmt.Sprintf("The text holds %s, which the API never takes as a page, database or block ID, and no content ID. Give the link or ID of the page or database the call was about.", strings.Join(notContent, " and "))
	case vd.missing != "":
		why = vd.missing
	case t == "":
		why = "Nothing was given."
	case looksLikeTitle(t) && whole:
		why = fmt.Sprintf("%s looks like a page title or a sentence; the API needs the page's 32-character ID, not its title.", quoteSource(src))
	case looksLikeTitle(t):
		why = "The text looks like a page title or a sentence; the API needs the page's 32-character ID, not its title."
	case whole:
		why = fmt.Sprintf("No Notion link, ID, API URL or Notion error was found in %s.", quoteSource(src))
	default:
		why = "No Notion link, ID, API URL or Notion error was found in the text."
	}
	r.Findings = []Finding{NewFinding(CodeIDMissing, why, nil)}
	return r
}

// maxExcerpt bounds what a reference of a text with no reference quotes
// of it.
const maxExcerpt = 60

// excerpt is what the reference of a text with no reference quotes of it:
// the text itself when it is one short line (a value meant as an ID, a
// title: whole is true), else its first words, cut. Token-like runs are
// masked before the cut, so that a cut never leaves a piece of one that
// is too short to be recognised; a text is never echoed whole.
func excerpt(t string) (src string, whole bool) {
	// Only the start is ever quoted: mask the first 512 bytes, on to the
	// next blank so that no token is cut before it is masked (at most 1 KB).
	if len(t) > 512 {
		end := 512
		for end < len(t) && end < 1024 && t[end] != ' ' && t[end] != '\n' && t[end] != '\t' && t[end] != '\r' {
			end++
		}
		t = t[:end]
	}
	t = secret.Redact(t)
	if len(t) <= maxExcerpt && !strings.ContainsAny(t, "\r\n") {
		return t, true
	}
	line := t
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	if len(line) > maxExcerpt {
		line = truncateUTF8(line, maxExcerpt)
		if sp := strings.LastIndexByte(line, ' '); sp > maxExcerpt/2 {
			line = line[:sp] // a whole word last
		}
	}
	return strings.TrimSpace(line) + "…", false
}

func looksLikeTitle(t string) bool {
	if len(t) > 200 || strings.ContainsAny(t, "{}<>\n") {
		return false
	}
	letters := 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 0
}

// TokenFindings checks the shape of an integration token offline and returns
// a token.malformed finding (never quoting the token), or nil when it looks
// right. An empty token gives nil: a missing token is token.missing.
func TokenFindings(token string) []Finding {
	if token == "" {
		return nil
	}
	var problems []string
	t := token
	if strings.TrimSpace(t) != t {
		problems = append(problems, "it starts or ends with spaces or a line break")
		t = strings.TrimSpace(t)
	}
	if u := trimQuotes(t); u != t {
		problems = append(problems, "it is wrapped in quotes")
		t = u
	}
	if len(t) >= 7 && strings.EqualFold(t[:7], "bearer ") {
		problems = append(problems, "it starts with 'Bearer ' (the client adds that itself)")
		t = strings.TrimSpace(t[7:])
	}
	if strings.ContainsAny(t, " \t\r\n") {
		problems = append(problems, "it holds spaces or line breaks")
		t = strings.Join(strings.Fields(t), "")
	}
	if hasInvisible(t) {
		problems = append(problems, "it holds invisible characters")
	}
	switch {
	case strings.HasPrefix(t, "xoxb-") || strings.HasPrefix(t, "xoxp-") || strings.HasPrefix(t, "xapp-"):
		problems = append(problems, "it is a Slack token, not a Notion one")
	case !tokenShape(t):
		problems = append(problems, fmt.Sprintf("it is not of the ntn_… or secret_… shape (%d characters)", len(t)))
	}
	if len(problems) == 0 {
		return nil
	}
	return []Finding{NewFinding(CodeTokenMalformed, "NOTION_TOKEN: "+strings.Join(problems, "; ")+". (The token itself is not shown.)", nil)}
}

// tokenShape reports whether t has the shape of a Notion token: ntn_ or
// secret_ followed by letters and digits. The length is not held exactly:
// OAuth and personal tokens are not documented to the character.
func tokenShape(t string) bool {
	var rest string
	switch {
	case strings.HasPrefix(t, "ntn_"):
		rest = t[4:]
	case strings.HasPrefix(t, "secret_"):
		rest = t[7:]
	default:
		return false
	}
	if len(rest) < 30 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
