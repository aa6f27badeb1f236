package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Slack Block Kit limits the renderer keeps to (docs.slack.dev block
// reference and Slack's SDK validators).
const (
	// MaxBlocks is the most blocks one message may hold.
	MaxBlocks = 50
	// MaxSectionText is the longest section text.
	MaxSectionText = 3000
	// MaxHeaderText is the longest header text.
	MaxHeaderText = 150
	// MaxContextElements is the most elements of a context block.
	MaxContextElements = 10
	// MaxButtonText is the longest button label.
	MaxButtonText = 75
	// MaxButtonValue is the longest button value.
	MaxButtonValue = 2000
	// MaxFallbackText is the longest top-level message text Slack keeps.
	MaxFallbackText = 40000
	// MaxTotalText bounds the text of all sections together: Slack refuses
	// messages whose blocks hold more than about 13,200 characters
	// (msg_blocks_too_long, undocumented), so further checks are summed up
	// in the "…and N more checks" line.
	MaxTotalText = 12000
)

// Block and action IDs of the report message.
const (
	// RecheckActionID is the action_id of the "Check again" button.
	RecheckActionID = "recheck"
	// RecheckBlockID is the block_id of the actions block holding it.
	RecheckBlockID = "recheck"
)

// Message is a Slack message payload: the fallback text and the Block Kit
// blocks. It JSON-marshals to what chat.postMessage and response_url take.
type Message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// RenderOptions tune Render.
type RenderOptions struct {
	// RecheckText is the text the "Check again" button re-checks. The
	// button's value holds only the references found in it, rewritten from
	// what was parsed (never the text itself, which may hold a secret), at
	// most MaxButtonValue characters. Empty means the checks' IDs.
	RecheckText string
	// NoRecheck leaves the "Check again" button out. It is also left out
	// when there is nothing to re-check (empty text, no check sources).
	NoRecheck bool
}

// Render turns a diagnosis report into a Slack message: a header with the
// verdict, a section for the integration when it has findings, one section
// per check (ID, kind, status, what is wrong, the fix as numbered steps), a
// context line (integration, workspace, API version, Notion request IDs)
// and a "Check again" button. It keeps to Slack's limits, truncating
// gracefully ("…and N more checks"), and always sets the fallback text.
// Every text passes through secret.Redact and user-controlled text is
// escaped for mrkdwn. Render is pure and deterministic.
func Render(rep diagnose.Report, opts RenderOptions) Message {
	var blocks []slack.Block
	blocks = append(blocks, slack.NewHeaderBlock(plain(truncate(verdict(rep), MaxHeaderText))))

	if sec := integrationSection(rep.Integration); sec != "" {
		blocks = append(blocks, section(sec))
	}

	// Fixed blocks after the checks: context, and the button.
	tail := 1
	if !opts.NoRecheck {
		tail++
	}
	room := MaxBlocks - len(blocks) - tail
	limit := len(rep.Checks)
	if limit > room {
		limit = room - 1 // one block for the "…and N more checks" line
	}
	used := 0
	for _, b := range blocks {
		if sb, ok := b.(*slack.SectionBlock); ok {
			used += utf8.RuneCountInString(sb.Text.Text)
		}
	}
	shown := 0
	for ; shown < limit; shown++ {
		t := truncate(checkText(shown+1, rep.Checks[shown]), MaxSectionText)
		n := utf8.RuneCountInString(t)
		if shown > 0 && used+n > MaxTotalText {
			break
		}
		used += n
		blocks = append(blocks, section(t))
	}
	more := len(rep.Checks) - shown
	if more > 0 || rep.Skipped > 0 {
		var parts []string
		if more > 0 {
			parts = append(parts, fmt.Sprintf("…and %d more %s", more, plural(more, "check", "checks")))
		}
		if rep.Skipped > 0 {
			parts = append(parts, fmt.Sprintf("%d more %s in the text %s not checked", rep.Skipped, plural(rep.Skipped, "reference", "references"), plural(rep.Skipped, "was", "were")))
		}
		line := mrkdwn(strings.Join(parts, "; "))
		if more > 0 {
			blocks = append(blocks, slack.NewContextBlock("", line))
		} else if len(blocks) < MaxBlocks-tail {
			blocks = append(blocks, slack.NewContextBlock("", line))
		}
	}

	blocks = append(blocks, contextBlock(rep))
	if !opts.NoRecheck {
		// Without anything to re-check (an empty text) there is no button.
		if v := recheckValue(rep, opts.RecheckText); v != "" {
			btn := slack.NewButtonBlockElement(RecheckActionID, v, plain("Check again"))
			blocks = append(blocks, slack.NewActionBlock(RecheckBlockID, btn))
		}
	}
	return Message{Text: fallback(rep), Blocks: blocks}
}

// verdict is the header line.
func verdict(rep diagnose.Report) string {
	n := len(rep.Checks)
	problems, unknown := 0, 0
	for _, c := range rep.Checks {
		switch c.Status {
		case diagnose.StatusProblem:
			problems++
		case diagnose.StatusUnknown:
			unknown++
		}
	}
	switch {
	case rep.HasError() && problems > 0:
		return fmt.Sprintf("❌ Problem found in %d of %d %s", problems, n, plural(n, "check", "checks"))
	case rep.HasError():
		return "❌ Problem found with the integration"
	case unknown > 0:
		return fmt.Sprintf("❔ Could not finish %d of %d %s", unknown, n, plural(n, "check", "checks"))
	default:
		return fmt.Sprintf("✅ No problem found (%d %s)", n, plural(n, "check", "checks"))
	}
}

func integrationSection(in diagnose.Integration) string {
	if len(in.Findings) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*Integration*")
	if in.Name != "" {
		b.WriteString(" " + esc(in.Name))
	}
	if in.Status != "" {
		b.WriteString(" · " + esc(string(in.Status)))
	}
	for _, f := range in.Findings {
		b.WriteString("\n")
		writeFinding(&b, f)
	}
	return b.String()
}

func checkText(n int, c diagnose.Check) string {
	var b strings.Builder
	id := c.ID
	if id == "" {
		id = "no usable ID"
	}
	fmt.Fprintf(&b, "*%d. `%s`* · %s · %s %s", n, esc(id), esc(string(c.Kind)), statusEmoji(c.Status), esc(string(c.Status)))
	if c.Title != "" {
		b.WriteString("\n“" + esc(oneLine(c.Title, 200)) + "”")
	}
	if c.Source != "" && c.Source != c.ID {
		b.WriteString("\n_from_ " + esc(oneLine(c.Source, 300)))
	}
	for _, f := range c.Findings {
		b.WriteString("\n")
		writeFinding(&b, f)
	}
	return b.String()
}

func writeFinding(b *strings.Builder, f diagnose.Finding) {
	fmt.Fprintf(b, "%s *%s* (`%s`)", severityEmoji(f.Severity), esc(truncate(f.Title, 200)), esc(string(f.Code)))
	if f.Detail != "" {
		b.WriteString("\n" + esc(truncate(f.Detail, 1000)))
	}
	for i, step := range f.Fix {
		fmt.Fprintf(b, "\n%d. %s", i+1, esc(truncate(step, 600)))
	}
}

func contextBlock(rep diagnose.Report) *slack.ContextBlock {
	var els []slack.MixedElement
	add := func(s string) {
		if len(els) < MaxContextElements {
			els = append(els, mrkdwn(truncate(s, MaxSectionText)))
		}
	}
	in := "Integration: " + esc(string(rep.Integration.Status))
	if rep.Integration.Name != "" {
		in = "Integration: " + esc(rep.Integration.Name)
	}
	add(in)
	if rep.Integration.Workspace != "" {
		add("Workspace: " + esc(rep.Integration.Workspace))
	}
	if rep.APIVersion != "" {
		add("Notion-Version: " + esc(rep.APIVersion))
	} else {
		add("Offline checks only")
	}
	if ids := rep.RequestIDs(); len(ids) > 0 {
		add("Request IDs: " + esc(strings.Join(ids, ", ")))
	}
	return slack.NewContextBlock("", els...)
}

// recheckValue is what the "Check again" button re-checks: the Notion
// references found in text (at most as many as the report checked or
// skipped), each rewritten in a canonical form made only of what was
// parsed — hex IDs, Notion's own hosts, the endpoint's name — and the
// pasted call's method, endpoint and Notion-Version; never the pasted text
// itself, so no secret can ride in it (the value is not shown, but Slack
// keeps it and sends it back). The click re-reads it as a text
// (planInteraction), which gives the same references. It stays within
// MaxButtonValue; "" (no button) when there is nothing to re-check.
func recheckValue(rep diagnose.Report, text string) string {
	var lines []string
	seen := map[string]bool{}
	add := func(l string) {
		if l != "" && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	firstID := ""
	if strings.TrimSpace(text) != "" {
		limit := min(len(rep.Checks)+rep.Skipped, 2*MaxBlocks)
		if limit <= 0 {
			limit = diagnose.DefaultMaxChecks
		}
		refs, _ := diagnose.ReadLimit(text, limit)
		for _, r := range refs {
			l := canonicalRef(r)
			if l != "" && firstID == "" {
				firstID = r.ID
			}
			if l == "" && !diagnose.IsID(r.ID) {
				l = plainSource(r.Source)
			}
			add(l)
		}
	}
	if len(lines) == 0 {
		for _, c := range rep.Checks {
			if diagnose.IsID(c.ID) {
				add(strings.ToLower(c.ID))
				if firstID == "" {
					firstID = c.ID
				}
			}
		}
	}
	if rep.Call != nil {
		add(callLine(*rep.Call, firstID))
	}
	var b strings.Builder
	for _, l := range lines {
		if b.Len()+len(l)+1 > MaxButtonValue {
			break
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return b.String()
}

// canonicalRef writes a reference so that reading it again gives the same
// reference: a www.notion.so link carrying the IDs in their roles (peek,
// view, block), an api.notion.com URL for an API URL or an error that
// names its endpoint, else the dashed ID. "" when it has no usable ID or is
// not Notion content.
func canonicalRef(r diagnose.Reference) string {
	if !diagnose.IsID(r.ID) || diagnose.HasCode(r.Findings, diagnose.CodeLinkNotContent) {
		return ""
	}
	id := diagnose.Hex32(strings.ToLower(r.ID))
	rel := func(role diagnose.Kind) string {
		for _, x := range r.Related {
			if x.Role == role && diagnose.IsID(x.ID) {
				return diagnose.Hex32(strings.ToLower(x.ID))
			}
		}
		return ""
	}
	const web = "https://www.notion.so/"
	switch r.Origin {
	case diagnose.OriginLink:
		db, view, block := rel(diagnose.KindDatabase), rel(diagnose.KindView), rel(diagnose.KindBlock)
		switch {
		case db != "" && view != "":
			return web + db + "?v=" + view + "&p=" + id
		case db != "":
			return web + db + "?p=" + id
		case view != "":
			return web + id + "?v=" + view
		case block != "":
			return web + id + "#" + block
		case r.Hint == diagnose.KindBlock && diagnose.HasCode(r.Findings, diagnose.CodeLinkBlock):
			return web + "#" + id
		}
		return web + id
	case diagnose.OriginAPI, diagnose.OriginError:
		if ep := apiNoun(r.Endpoint); ep != "" {
			return "https://api.notion.com/v1/" + ep + "/" + strings.ToLower(r.ID)
		}
	}
	return strings.ToLower(r.ID)
}

// maxPlainSource bounds the source of a reference without ID kept in the
// button value.
const maxPlainSource = 200

// plainSource returns the source of a reference that has no usable ID (a
// page title, a cut ID, an error without ID) when it cannot hold a
// credential: one line of printable ASCII, at most maxPlainSource
// characters, nothing of a token's shape, and no run of 16 or more
// letters, digits, "_" or base64 symbols unless it is all hex digits (an
// ID's alphabet). Else "".
func plainSource(src string) string {
	src = strings.TrimSpace(src)
	if src == "" || len(src) > maxPlainSource || strings.ContainsAny(src, "\r\n") || secret.NotionTokens(src) > 0 || secret.Redact(src) != src {
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

// apiNoun is the path segment of an endpoint that takes a content ID.
func apiNoun(e diagnose.Endpoint) string {
	switch e {
	case diagnose.EndpointPages, diagnose.EndpointDatabases, diagnose.EndpointDataSources,
		diagnose.EndpointBlocks, diagnose.EndpointViews:
		return string(e)
	}
	return ""
}

// callLine writes the pasted call's method, endpoint (its parameters
// filled with id when there is one) and Notion-Version as a curl line; ""
// when a field is not of its known shape.
func callLine(c diagnose.Call, id string) string {
	switch c.Method {
	case "GET", "POST", "PATCH", "DELETE":
	default:
		return ""
	}
	ep := c.Endpoint
	if !strings.HasPrefix(ep, "/v1/") || len(ep) > 120 || strings.Trim(ep, "abcdefghijklmnopqrstuvwxyz0123456789_/{}") != "" {
		return ""
	}
	if diagnose.IsID(id) {
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

// fallback is the plain top-level text: the verdict and the finding codes.
func fallback(rep diagnose.Report) string {
	var b strings.Builder
	b.WriteString(verdict(rep))
	if len(rep.Integration.Findings) > 0 {
		fmt.Fprintf(&b, "\nIntegration (%s): %s", rep.Integration.Status, codeList(rep.Integration.Findings))
	}
	for i, c := range rep.Checks {
		if b.Len() > MaxFallbackText-200 {
			fmt.Fprintf(&b, "\n…and %d more checks", len(rep.Checks)-i)
			break
		}
		id := c.ID
		if id == "" {
			id = "no usable ID"
		}
		fmt.Fprintf(&b, "\n%d. %s (%s)", i+1, id, c.Status)
		if len(c.Findings) > 0 {
			b.WriteString(": " + codeList(c.Findings))
		}
	}
	return truncate(secret.Redact(b.String()), MaxFallbackText)
}

func codeList(fs []diagnose.Finding) string {
	codes := make([]string, len(fs))
	for i, f := range fs {
		codes[i] = string(f.Code)
	}
	return strings.Join(codes, ", ")
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(truncate(text, MaxSectionText)), nil, nil)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, secret.Redact(s), true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// esc redacts secrets and escapes &, < and > so that pasted text cannot
// inject links, mentions or broadcasts into mrkdwn.
func esc(s string) string {
	s = secret.Redact(s)
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// oneLine collapses whitespace and cuts s to n runes.
func oneLine(s string, n int) string {
	s = secret.Redact(s)
	if len(s) > 8*n {
		s = s[:8*n] // Fields on a huge text is wasted work; truncate cuts by runes after
	}
	return truncate(strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " "), n)
}

// truncate cuts s to at most n runes, ending with "…" when cut, and never
// inside an HTML entity (&amp; and the like) that esc produced.
func truncate(s string, n int) string {
	s = secret.Redact(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := truncateRunes(s, n-1)
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && i >= len(cut)-6 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + "…"
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func statusEmoji(s diagnose.Status) string {
	switch s {
	case diagnose.StatusOK:
		return "✅"
	case diagnose.StatusProblem:
		return "❌"
	}
	return "❔"
}

func severityEmoji(s diagnose.Severity) string {
	switch s {
	case diagnose.SeverityError:
		return "🔴"
	case diagnose.SeverityWarning:
		return "🟠"
	}
	return "🔵"
}
