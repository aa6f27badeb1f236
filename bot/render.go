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
	// NoRecheck leaves the "Check again" button out. It is also left out
	// when there is nothing to re-check (empty text, no check sources).
	NoRecheck bool
}

// Render turns a diagnosis report into a Slack message that leads with the
// answer: a header (and the fallback text) stating the main cause and its
// fix in words, the person's call when the text showed one, the
// integration's problem if any, then one section per check with something
// to say (problems first: the cause, the numbered fix, which integrations
// see the object), each followed by a context line with its evidence
// (finding codes, Notion's answers, request IDs); checks without a problem
// are folded into one line, and checks that do not fit in full get one
// line each ("More"). A context line names the integration and the API
// version, and a "Check again" button ends it. Render keeps to Slack's
// limits (only a pathological report ends "…and N more checks"), and
// always sets the fallback text. Every input-derived string is made printable (no control
// or bidi character) and passes through secret.Redact, and user-controlled
// text is escaped for mrkdwn. Render is pure and deterministic.
func Render(rep diagnose.Report, opts RenderOptions) Message {
	orig := rep
	rep, ans, text, blocks := renderHead(diagnose.PrintableReport(rep))

	// Fixed blocks after the checks: the folded line, the "…and N more"
	// line, the context and the button.
	tail := 3
	if !opts.NoRecheck {
		tail++
	}
	used := 0
	for _, b := range blocks {
		used += blockText(b)
	}
	single := len(rep.Checks) == 1
	var overflow []int
	quiet := func(i int) bool { return !single && rep.Quiet(i) }
	fine, num := numberChecks(rep, quiet)
	fineText := ""
	if len(fine) > 0 {
		fineText = truncate(fineLine(rep, fine, num), MaxSectionText)
		used += utf8.RuneCountInString(fineText)
	}
	fixed := map[diagnose.Code]int{}
	more, full := 0, 0
	for _, i := range rep.CheckOrder() {
		c := rep.Checks[i]
		ca := rep.CheckHeadline(i)
		if quiet(i) {
			continue
		}
		text := truncate(checkText(rep, i, ca, ans, single, fixed, num), MaxSectionText)
		ctx := checkContext(rep, c)
		if d := docsLink(ca.Code); d != "" && !single {
			ctx = truncate(ctx+" · "+d, MaxSectionText) // one check has its "Notion docs" button instead
		}
		n := utf8.RuneCountInString(text) + utf8.RuneCountInString(ctx)
		need := 1
		if ctx != "" {
			need++
		}
		if len(overflow) > 0 || len(blocks)+need > MaxBlocks-tail-1 || full > 0 && used+n > MaxTotalText-MaxSectionText {
			overflow = append(overflow, i) // one line each, below
			continue
		}
		used += n
		full++
		blocks = append(blocks, section(text))
		if ctx != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(ctx)))
		}
		if _, seen := fixed[ca.Code]; !seen && ca.Code != "" {
			fixed[ca.Code] = i
		}
	}
	if len(overflow) > 0 {
		var sec slack.Block
		sec, more = moreSection(rep, overflow, num)
		blocks = append(blocks, sec)
	}
	if fineText != "" {
		blocks = append(blocks, section(fineText))
	}
	if more > 0 || rep.Skipped > 0 {
		blocks = append(blocks, notShownContext(rep, more))
	}

	blocks = append(blocks, contextBlock(rep))
	if btns := buttons(orig, rep, ans.Code, opts); len(btns) > 0 && len(blocks) < MaxBlocks {
		blocks = append(blocks, slack.NewActionBlock(RecheckBlockID, btns...))
	}
	return Message{Text: fallback(text), Blocks: blocks}
}

// buttons end the message: "Check again" (its value from orig, the report
// as diagnosed) unless opts.NoRecheck, and for a single check its links.
func buttons(orig, rep diagnose.Report, cause diagnose.Code, opts RenderOptions) []slack.BlockElement {
	var btns []slack.BlockElement
	if !opts.NoRecheck {
		// Without anything to re-check (an empty text) there is no button.
		if v := recheckValue(orig); v != "" {
			btns = append(btns, slack.NewButtonBlockElement(RecheckActionID, v, plain("Check again", MaxButtonText)))
		}
	}
	if len(rep.Checks) == 1 {
		btns = append(btns, linkButtons(rep.Checks[0], cause)...)
	}
	return btns
}

// renderHead is the top of Render's message: the header with the answer
// line, the leaked-token section (then rep is the report without it, and
// ans its answer), the person's call, and the integration's problem. text
// is the answer line(s) for the fallback text.
func renderHead(rep diagnose.Report) (_ diagnose.Report, ans diagnose.Headline, text string, blocks []slack.Block) {
	ans = rep.Headline()
	head := answerLine(ans)
	text = head
	blocks = []slack.Block{slack.NewHeaderBlock(plain(head, MaxHeaderText))}
	if rest, leak, ok := withoutLeak(rep); ok {
		// A pasted token: one message that says to rotate it first (the
		// header), then the diagnosis of the rest, as if the token had not
		// been there, under its own answer line.
		rep, ans = rest, rest.Headline()
		then := answerLine(ans)
		text = head + ". Then: " + then
		blocks = append(blocks, section(leakSection(leak)+"\n*Then:* "+esc(then)),
			slack.NewContextBlock("", mrkdwn("`"+esc(string(leak.Code))+"`")))
	}
	if c := rep.Call; c != nil {
		if line := callLine(c); line != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(line, MaxSectionText))))
		}
	}
	if sec := integrationSection(rep, ans); sec != "" {
		blocks = append(blocks, section(sec))
		if codes := codeLine(rep.Integration.Findings); codes != "" {
			if d := docsLink(ans.Code); d != "" && len(rep.Checks) != 1 && diagnose.HasCode(rep.Integration.Findings, ans.Code) {
				codes += " · " + d
			}
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(codes)))
		}
	}
	return rep, ans, text, blocks
}

// numberChecks numbers the checks in the order shown: problems first
// (CheckOrder), then fine, the quiet checks folded into the "no problem"
// line. num[i] is check i's number.
func numberChecks(rep diagnose.Report, quiet func(int) bool) (fine, num []int) {
	for i := range rep.Checks {
		if quiet(i) {
			fine = append(fine, i)
		}
	}
	num = make([]int, len(rep.Checks))
	shown := 0
	for _, i := range rep.CheckOrder() {
		if !quiet(i) {
			shown++
			num[i] = shown
		}
	}
	for _, i := range fine {
		shown++
		num[i] = shown
	}
	return fine, num
}

// moreSection gives each check that does not fit in full one line:
// number, object, answer. more counts the checks that do not fit even so.
func moreSection(rep diagnose.Report, overflow, num []int) (_ slack.Block, more int) {
	var b strings.Builder
	b.WriteString("*More*")
	for k, i := range overflow {
		line := fmt.Sprintf("\n*%d.* %s %s — %s", num[i], answerEmoji(rep.CheckHeadline(i).Severity), checkLabel(rep.Checks[i]), esc(truncate(rep.CheckHeadline(i).Text, 160)))
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) > MaxSectionText-100 {
			more = len(overflow) - k
			break
		}
		b.WriteString(line)
	}
	return section(b.String()), more
}

// notShownContext says what the message leaves out: more checks with
// something to say, and references the diagnosis did not check.
func notShownContext(rep diagnose.Report, more int) slack.Block {
	var parts []string
	if more > 0 {
		parts = append(parts, fmt.Sprintf("…and %d more %s with something to say, not shown here: send them in a separate message, a few at a time", more, plural(more, "check", "checks")))
	}
	if rep.Skipped > 0 {
		n := fmt.Sprint(rep.Skipped)
		if rep.SkippedMore {
			n = "more than " + n // counting stopped at a bound
		}
		parts = append(parts, fmt.Sprintf("%s more %s in the text %s not checked", n, plural(rep.Skipped, "reference", "references"), plural(rep.Skipped, "was", "were")))
	}
	return slack.NewContextBlock("", mrkdwn(truncate(strings.Join(parts, "; "), MaxSectionText)))
}

// withoutLeak returns rep without its token.leaked finding, and that
// finding; ok is false when rep has none.
func withoutLeak(rep diagnose.Report) (rest diagnose.Report, leak diagnose.Finding, ok bool) {
	fs := rep.Integration.Findings
	for i, f := range fs {
		if f.Code == diagnose.CodeTokenLeaked {
			rest = rep
			rest.Integration.Findings = append(append([]diagnose.Finding(nil), fs[:i]...), fs[i+1:]...)
			return rest, f, true
		}
	}
	return rep, leak, false
}

// leakSection says what to do first about a pasted token: the fix steps of
// token.leaked, under no integration's name (the token is the asker's).
func leakSection(f diagnose.Finding) string {
	var b strings.Builder
	b.WriteString("*First, the token:*")
	if f.Detail != "" {
		b.WriteString(" " + esc(truncate(f.Detail, 600)))
	}
	for i, step := range f.Fix {
		fmt.Fprintf(&b, "\n%d. %s", i+1, linkPlaces(esc(truncate(step, 600))))
	}
	return b.String()
}

// answerLine is the header: a mark and the answer in words.
func answerLine(a diagnose.Headline) string {
	return answerEmoji(a.Severity) + " " + a.Text
}

func answerEmoji(s diagnose.Severity) string {
	switch s {
	case diagnose.SeverityError:
		return "❌"
	case diagnose.SeverityWarning:
		return "⚠️"
	case diagnose.SeverityInfo:
		return "ℹ️"
	}
	return "✅"
}

// blockText counts the visible text of a section or context block.
func blockText(b slack.Block) int {
	n := 0
	switch b := b.(type) {
	case *slack.SectionBlock:
		n += utf8.RuneCountInString(b.Text.Text)
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				n += utf8.RuneCountInString(t.Text)
			}
		}
	}
	return n
}

// callLine is the person's call, briefly.
func callLine(c *diagnose.Call) string {
	what, res := c.Summary()
	if what == "" && res == "" {
		return ""
	}
	line := "Your call"
	if what != "" {
		line += ": `" + esc(oneLine(what, 200)) + "`"
		if res != "" {
			line += " → " + esc(res)
		}
	} else {
		line += " got " + esc(res)
	}
	if c.Integration != "" {
		line += " as " + esc(oneLine(c.Integration, 80))
	}
	if c.NotionVersion != "" {
		line += " · Notion-Version " + esc(oneLine(c.NotionVersion, 40))
	}
	return line
}

// integrationSection is the integration's problem, when it has one.
func integrationSection(rep diagnose.Report, ans diagnose.Headline) string {
	in := rep.Integration
	if len(in.Findings) == 0 {
		return ""
	}
	var b strings.Builder
	if in.Name != "" {
		b.WriteString("*Integration “" + esc(oneLine(in.Name, 80)) + "”*")
	} else {
		b.WriteString("*Integration token*")
	}
	writeFindings(&b, rep.Tell(nil, rep.IntegrationFindings(), ans, -1, ans.Code))
	return b.String()
}

// writeFindings writes findings as diagnose.Report.Tell says: the lead one
// as its cause and numbered fix, every other as one line, its answer.
func writeFindings(b *strings.Builder, told []diagnose.Told) {
	for _, t := range told {
		f := t.Finding
		if !t.Full {
			b.WriteString("\n" + severityEmoji(f.Severity) + " " + esc(truncate(t.Answer, 300)))
			continue
		}
		if t.Title {
			b.WriteString("\n*" + esc(truncate(f.Title, 200)) + "*")
		}
		if t.Detail {
			b.WriteString("\n" + esc(truncate(f.Detail, 600)))
		}
		for i, step := range f.Fix {
			fmt.Fprintf(b, "\n%d. %s", i+1, linkPlaces(esc(truncate(step, 600))))
		}
		if f.Example != "" {
			// The JSON to send, copyable: a code block.
			// A backtick of the paste must not close the block.
			b.WriteString("\nSend instead:\n```" + esc(truncate(strings.ReplaceAll(f.Example, "`", "'"), 300)) + "```")
		}
	}
}

// checkLabel names the object of a check: its kind, title and ID.
func checkLabel(c diagnose.Check) string {
	if c.ID == "" {
		return "*No usable ID* in “" + esc(oneLine(c.Source, 60)) + "”"
	}
	label := "*" + esc(c.Kind.Label()) + "*"
	if c.Title != "" {
		label += " *“" + esc(oneLine(c.Title, 60)) + "”*"
	}
	return label + " `" + esc(c.ID) + "`"
}

// checkText is the section of one check: what it is, the cause and the
// numbered fix (or a pointer to the same fix above), the other findings
// worth a line, and which integrations see it.
func checkText(rep diagnose.Report, i int, ca, ans diagnose.Headline, single bool, fixed map[diagnose.Code]int, num []int) string {
	c := rep.Checks[i]
	var b strings.Builder
	if !single {
		fmt.Fprintf(&b, "*%d.* %s ", num[i], answerEmoji(ca.Severity))
	}
	b.WriteString(checkLabel(c))
	if open := openLink(c); open != "" && !single {
		// One check has its "Open in Notion" button instead.
		b.WriteString(" · " + open)
	}
	shown := rep.ShownFindings(c)
	switch prev, seen := fixed[ca.Code]; {
	case len(shown) == 0 && c.Status == diagnose.StatusUnknown:
		b.WriteString("\n" + esc(ca.Text))
	case len(shown) == 0:
	case !single && seen:
		fmt.Fprintf(&b, "\n%s: same fix as %d.", esc(ca.Text), num[prev])
		writeFindings(&b, rep.Tell(&c, shown[1:], ans, i, ""))
	case !single && ca.Severity == diagnose.SeverityInfo:
		b.WriteString("\n" + esc(ca.Text))
		writeFindings(&b, rep.Tell(&c, shown[1:], ans, i, ""))
	default:
		writeFindings(&b, rep.Tell(&c, shown, ans, i, ca.Code))
	}
	if line := accessLine(c.ShownAccess()); line != "" {
		b.WriteString("\n" + line)
	}
	return b.String()
}

// accessLine is which integrations see the object: "Iris Checker ✓ ·
// Marketing Sync ✗".
func accessLine(acc []diagnose.Access) string {
	if len(acc) == 0 {
		return ""
	}
	parts := make([]string, len(acc))
	for i, a := range acc {
		parts[i] = esc(oneLine(a.Integration, 60)) + " " + a.Mark()
	}
	return "Access: " + strings.Join(parts, " · ")
}

// codeLine lists finding codes, for searching and for support.
func codeLine(fs []diagnose.Finding) string {
	if len(fs) == 0 {
		return ""
	}
	codes := make([]string, 0, len(fs))
	for _, f := range fs {
		codes = append(codes, "`"+esc(string(f.Code))+"`")
	}
	return strings.Join(codes, " ")
}

// checkContext is a check's evidence: the codes of what is shown, Notion's
// answers in short ("GET blocks 404") and the request ID of the answer
// that tells most (the last refusal, else the last answer); every request
// ID is in the JSON report and the CLI's --verbose.
func checkContext(rep diagnose.Report, c diagnose.Check) string {
	var parts []string
	if codes := codeLine(rep.ShownFindings(c)); codes != "" {
		parts = append(parts, codes)
	}
	var calls []string
	reqID, method := "", ""
	for k, e := range c.Evidence {
		if k < 6 {
			call := fmt.Sprintf("%s %d", shortPath(e.Path, c.ID), e.Status)
			if e.Method != method {
				call = e.Method + " " + call // "GET blocks 404, data_sources 404"
				method = e.Method
			}
			if e.Integration != "" && len(c.Access) > 1 {
				call += " as " + oneLine(e.Integration, 40)
			}
			calls = append(calls, esc(call))
		}
		if e.RequestID != "" && (reqID == "" || e.Status >= 400) {
			reqID = e.RequestID
		}
	}
	if len(c.Evidence) > 6 {
		calls = append(calls, fmt.Sprintf("%d more", len(c.Evidence)-6))
	}
	if len(calls) > 0 {
		parts = append(parts, strings.Join(calls, ", "))
	}
	if reqID != "" {
		parts = append(parts, "Request IDs: "+esc(reqID))
	}
	return truncate(strings.Join(parts, " · "), MaxSectionText)
}

// shortPath is an API path without /v1/ and without the check's own ID:
// "/v1/blocks/<id>/children" → "blocks/…/children", "/v1/pages/<id>" →
// "pages".
func shortPath(p, id string) string {
	p = strings.TrimPrefix(p, "/v1/")
	if id != "" {
		p = strings.ReplaceAll(p, "/"+id, "/…")
		p = strings.TrimSuffix(p, "/…")
	}
	return p
}

// fineLine folds the checks without a problem into one line.
func fineLine(rep diagnose.Report, idx []int, num []int) string {
	parts := make([]string, 0, len(idx))
	for _, i := range idx {
		c := rep.Checks[i]
		name := "`" + esc(c.ID) + "`"
		if c.ID == "" {
			name = "“" + esc(oneLine(c.Source, 40)) + "”"
		}
		if c.Title != "" {
			name = "“" + esc(oneLine(c.Title, 40)) + "”"
		}
		if c.Status == diagnose.StatusUnknown {
			name += " (not checked online)"
		}
		if u := notionURL(c.URL); u != "" {
			name += " <" + u + "|open>"
		}
		parts = append(parts, fmt.Sprintf("%d. %s", num[i], name))
	}
	head := "✅ *No problem*: "
	if rep.CheckHeadline(idx[0]).Severity != "" {
		head = "❔ *Nothing found, not every check finished*: "
	}
	return head + strings.Join(parts, " · ")
}

func contextBlock(rep diagnose.Report) *slack.ContextBlock {
	var els []slack.MixedElement
	add := func(s string) {
		if len(els) < MaxContextElements {
			els = append(els, mrkdwn(truncate(s, MaxSectionText)))
		}
	}
	in := rep.Integration
	var parts []string
	as := rep.RanAs()
	switch {
	case as != "" && in.Name != "" && as != in.Name:
		// Checked as the integration the pasted error names, not as
		// NOTION_TOKEN's.
		parts = append(parts, "As "+esc(oneLine(as, 80)))
	case in.Name != "" && in.Workspace != "":
		parts = append(parts, "As "+esc(oneLine(in.Name, 80))+" ("+esc(oneLine(in.Workspace, 80))+")")
	case in.Name != "":
		parts = append(parts, "As "+esc(oneLine(in.Name, 80)))
	case in.Status == diagnose.StatusMissing:
		parts = append(parts, "No NOTION_TOKEN: offline checks only")
	case in.Status == diagnose.StatusProblem:
		parts = append(parts, "Integration: token refused")
	}
	if rep.APIVersion != "" {
		parts = append(parts, "Notion-Version "+esc(rep.APIVersion))
	} else if in.Status != diagnose.StatusMissing {
		parts = append(parts, "Offline checks only")
	}
	add(strings.Join(parts, " · "))
	return slack.NewContextBlock("", els...)
}

// recheckValue is what the "Check again" button re-checks: the report's
// recheck lines (diagnose.Report.RecheckLines: canonical references and
// the pasted call, never the pasted text, so no secret can ride in it; the
// value is not shown, but Slack keeps it and sends it back), as many whole
// lines as fit in MaxButtonValue; "" (no button) when there is nothing to
// re-check. The click reads it as a text again (planInteraction).
func recheckValue(rep diagnose.Report) string {
	var b strings.Builder
	for _, l := range rep.RecheckLines() {
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

// fallback is the top-level text: the answer, as the header says it (no
// tally, no codes), escaped: Slack reads a message's text as mrkdwn, so a
// name or title in it could otherwise mention @channel or hide a link.
func fallback(head string) string {
	return truncate(esc(head), MaxFallbackText)
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(truncate(text, MaxSectionText)), nil, nil)
}

// plain is a plain_text object of s, escaped (esc) and cut to n runes.
// Slack decodes &amp; &lt; &gt; in plain text too, so the escaping shows
// s as it is.
func plain(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(esc(s), n), true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// esc is the one place where text from outside the bot (the paste, Notion's
// titles, names and messages, configuration) enters a Slack text: every
// renderer passes such text through it, and only through it, exactly once,
// whether it lands in mrkdwn, in a `code` span or ``` block (Slack parses
// <!channel> there too), in plain_text or in a message's fallback text. It
// makes s printable (no control, escape or bidi character), redacts secrets
// and escapes &, < and > as &amp; &lt; &gt;, so that no outside text can
// become a link, a user, channel or group mention, or a broadcast
// (@channel, @here). Markup the bot writes itself (a <#C…> of a configured
// channel) is added around escaped text, never through esc; the guard on
// the way out (Bot.guardMarkup) neutralises any other markup.
func esc(s string) string {
	s = secret.Redact(diagnose.Printable(s))
	return mrkdwnEscaper.Replace(s)
}

// mrkdwnEscaper escapes Slack's three control characters (read-only after
// initialisation; a Replacer is safe for concurrent use).
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

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

func severityEmoji(s diagnose.Severity) string {
	switch s {
	case diagnose.SeverityError:
		return "🔴"
	case diagnose.SeverityWarning:
		return "🟠"
	}
	return "🔵"
}
