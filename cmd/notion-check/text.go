package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/notion-check/notion-check/diagnose"
)

// width is the terminal width the human report is laid out for.
const width = 80

// style says how the human report is printed.
type style struct{ color bool }

// textStyle turns colour on only for a terminal, and never when plain
// (NO_COLOR or TERM=dumb: config.Plain).
func textStyle(w io.Writer, plain bool) style {
	f, ok := underlying(w).(*os.File)
	if !ok || plain {
		return style{}
	}
	fi, err := f.Stat()
	if err != nil {
		return style{}
	}
	return style{color: fi.Mode()&os.ModeCharDevice != 0}
}

func (s style) paint(code, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// textOptions tune the human report.
type textOptions struct {
	// Style says whether to colour.
	Style style
	// Verbose adds every finding in full (also those hidden by default,
	// with their codes) and what Notion answered: the calls, their status
	// and request IDs.
	Verbose bool
}

// formatReportOpts renders the report for a person at a terminal, answer
// first: the main cause and its fix on the first line, then one block per
// check with a problem (its cause and numbered fix), one line per check
// without one, and a footer. Every line fits 80 columns, and every string
// that came from the input or from Notion is made printable first, so no
// control, escape or bidi character reaches the terminal.
func formatReportOpts(rep diagnose.Report, o textOptions) string {
	rep = diagnose.PrintableReport(rep)
	st := o.Style
	var b strings.Builder
	ans := rep.Headline()
	b.WriteString(paintLines(st, markColor(ans), wrap(mark(ans)+" "+ans.Text, "", "  ")))
	if c := rep.Call; c != nil {
		if line := callLine(c); line != "" {
			b.WriteString(wrap(line, "  ", "    "))
		}
	}

	single := len(rep.Checks) == 1
	// The integration's own findings come first.
	if fs := rep.IntegrationFindings(); len(fs) > 0 {
		b.WriteString("\n")
		b.WriteString(st.paint("1", integrationLabel(rep.Integration)) + "\n")
		if o.Verbose {
			writeVerboseFindings(&b, rep.Integration.Findings, "  ", st)
		} else {
			writeFindings(&b, rep.Tell(nil, fs, ans, -1, ans.Code), "  ")
		}
	}

	order := rep.CheckOrder()
	var fine []int
	// fixed remembers, in a report of several checks, the check whose block
	// gave the fix of each code, so the next one refers to it.
	fixed := map[diagnose.Code]int{}
	for _, i := range order {
		if !single && !o.Verbose && rep.Quiet(i) {
			fine = append(fine, i)
			continue
		}
		writeCheck(&b, rep, i, ans, o, fixed)
	}
	if len(fine) > 0 {
		b.WriteString("\n")
		for _, i := range fine {
			c := rep.Checks[i]
			ca := rep.CheckHeadline(i)
			line := fmt.Sprintf("%d. %s %s", i+1, mark(ca), checkLabel(c))
			if c.Status == diagnose.StatusUnknown {
				line += " — not checked online"
			}
			b.WriteString(cut(line, width) + "\n")
		}
	}
	if rep.Skipped > 0 {
		n := fmt.Sprint(rep.Skipped)
		if rep.SkippedMore {
			n = "more than " + n // counting stopped at a bound
		}
		b.WriteString("\n" + wrap(fmt.Sprintf("%s more %s not checked: send them separately.", n, plural(rep.Skipped, "reference was", "references were")), "", ""))
	}
	if f := footer(rep, o.Verbose); f != "" {
		if !single || o.Verbose {
			b.WriteString("\n")
		}
		b.WriteString(st.paint("2", strings.TrimSuffix(wrap(f, "", ""), "\n")) + "\n")
	}
	return b.String()
}

// writeCheck writes check i's block of formatReportOpts: its label, then
// its cause and numbered fix (or, in a report of several checks, a pointer
// to the check whose block gave the same fix, remembered in fixed), who
// sees it, and with o.Verbose every finding and the evidence.
func writeCheck(b *strings.Builder, rep diagnose.Report, i int, ans diagnose.Headline, o textOptions, fixed map[diagnose.Code]int) {
	st := o.Style
	single := len(rep.Checks) == 1
	c := rep.Checks[i]
	ca := rep.CheckHeadline(i)
	shown := rep.ShownFindings(c)
	b.WriteString("\n")
	indent := "  "
	head := checkLabel(c)
	if !single {
		head = fmt.Sprintf("%d. %s %s", i+1, mark(ca), head)
		indent = "   "
	}
	if len(shown) == 0 && c.Status == diagnose.StatusUnknown && !o.Verbose {
		// Nothing to say but that it was not checked: one line.
		b.WriteString(st.paint("1", cut(head+" — not checked online", width)) + "\n")
		return
	}
	b.WriteString(st.paint("1", cut(head, width)) + "\n")
	if o.Verbose {
		if c.Source != "" && c.Source != c.ID {
			b.WriteString(wrap("From: "+oneLine(c.Source), indent, indent+"  "))
		}
		for _, r := range c.Related {
			fmt.Fprintf(b, "%sRelated %s %s\n", indent, strings.ReplaceAll(string(r.Role), "_", " "), r.ID)
		}
		writeVerboseFindings(b, c.Findings, indent, st)
	} else {
		switch prev, seen := fixed[ca.Code]; {
		case !single && seen:
			b.WriteString(wrap(fmt.Sprintf("%s: same fix as %d.", ca.Text, prev+1), indent, indent))
			writeFindings(b, rep.Tell(&rep.Checks[i], shown[1:], ans, i, ""), indent)
		case !single && ca.Severity == diagnose.SeverityInfo:
			b.WriteString(wrap(ca.Text, indent, indent))
			writeFindings(b, rep.Tell(&rep.Checks[i], shown[1:], ans, i, ""), indent)
		default:
			writeFindings(b, rep.Tell(&rep.Checks[i], shown, ans, i, ca.Code), indent)
		}
		if ca.Code != "" {
			if _, seen := fixed[ca.Code]; !seen {
				fixed[ca.Code] = i
			}
		}
	}
	if line := accessLine(c.ShownAccess()); line != "" {
		b.WriteString(wrap(line, indent, indent+"  "))
	}
	if o.Verbose {
		writeEvidence(b, c.Evidence, indent)
	}
}

// paintLines colours each line of text (so colour never spans a newline).
func paintLines(st style, code, text string) string {
	if !st.color {
		return text
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if l == "" {
			continue
		}
		b.WriteString(st.paint(code, strings.TrimSuffix(l, "\n")) + "\n")
	}
	return b.String()
}

func mark(a diagnose.Headline) string {
	switch a.Severity {
	case diagnose.SeverityError:
		return "✗"
	case diagnose.SeverityWarning:
		return "!"
	case diagnose.SeverityInfo:
		return "i"
	}
	return "✓"
}

func markColor(a diagnose.Headline) string {
	switch a.Severity {
	case diagnose.SeverityError:
		return "1;31"
	case diagnose.SeverityWarning:
		return "1;33"
	case diagnose.SeverityInfo:
		return "1;36"
	}
	return "1;32"
}

// writeFindings writes findings as diagnose.Report.Tell says: the lead one
// as its cause and numbered fix, every other shown finding as one line,
// its answer.
func writeFindings(b *strings.Builder, told []diagnose.Told, indent string) {
	for _, t := range told {
		f := t.Finding
		if !t.Full {
			b.WriteString(wrap(mark(diagnose.Headline{Severity: f.Severity})+" "+t.Answer, indent, indent+"  "))
			continue
		}
		if t.Title {
			b.WriteString(wrap(f.Title, indent, indent))
		}
		if t.Detail {
			b.WriteString(wrap(f.Detail, indent, indent))
		}
		for i, step := range f.Fix {
			lead := fmt.Sprintf("%s%d. ", indent, i+1)
			b.WriteString(wrap(step, lead, strings.Repeat(" ", columns(lead))))
		}
		if f.Example != "" {
			// The JSON to send, on a line of its own so that it copies whole.
			b.WriteString(indent + "Send instead:\n" + indent + "  " + diagnose.Printable(f.Example) + "\n")
		}
	}
}

func writeVerboseFindings(b *strings.Builder, fs []diagnose.Finding, indent string, st style) {
	for _, f := range fs {
		label := strings.ToUpper(string(f.Severity))
		if f.Severity == diagnose.SeverityWarning {
			label = "WARN"
		}
		b.WriteString(wrap(label+" "+f.Title+" ["+string(f.Code)+"]", indent, indent+"  "))
		if f.Detail != "" {
			b.WriteString(wrap(f.Detail, indent+"  ", indent+"  "))
		}
		for i, step := range f.Fix {
			lead := fmt.Sprintf("%s  %d. ", indent, i+1)
			b.WriteString(wrap(step, lead, strings.Repeat(" ", columns(lead))))
		}
	}
}

func writeEvidence(b *strings.Builder, ev []diagnose.Evidence, indent string) {
	if len(ev) == 0 {
		return
	}
	b.WriteString(indent + "Notion said:\n")
	for _, e := range ev {
		line := fmt.Sprintf("%s %s → %d", e.Method, e.Path, e.Status)
		if e.Code != "" {
			line += " " + e.Code
		}
		if e.Integration != "" {
			line += " as " + e.Integration
		}
		if e.RequestID != "" {
			line += " (request " + e.RequestID + ")"
		}
		b.WriteString(wrap(line, indent+"  ", indent+"    "))
	}
}

// checkLabel names the object of a check: its kind, title and ID.
func checkLabel(c diagnose.Check) string {
	if c.ID == "" {
		return "No usable ID in “" + cut(oneLine(c.Source), 40) + "”"
	}
	kind := c.Kind.Label()
	if c.Title != "" {
		return kind + " “" + cut(oneLine(c.Title), 30) + "” " + c.ID
	}
	return kind + " " + c.ID
}

func integrationLabel(in diagnose.Integration) string {
	if in.Name != "" {
		return "Integration “" + cut(oneLine(in.Name), 40) + "”"
	}
	return "Integration token (NOTION_TOKEN)"
}

// callLine is the person's call, briefly.
func callLine(c *diagnose.Call) string {
	what, res := c.Summary()
	var line string
	switch {
	case what != "" && res != "":
		line = "Your call: " + what + " → " + res
	case what != "":
		line = "Your call: " + what
	case res != "":
		line = "Your call got " + res
	default:
		return ""
	}
	if c.Integration != "" {
		line += " as “" + cut(oneLine(c.Integration), 40) + "”"
	}
	if c.NotionVersion != "" {
		line += " (Notion-Version " + c.NotionVersion + ")"
	}
	return line
}

// accessLine is which integrations see the object: "Iris Checker ✓ ·
// Marketing Sync ✗".
func accessLine(acc []diagnose.Access) string {
	if len(acc) == 0 {
		return ""
	}
	parts := make([]string, len(acc))
	for i, a := range acc {
		parts[i] = cut(oneLine(a.Integration), 40) + " " + a.Mark()
	}
	return "Access: " + strings.Join(parts, " · ")
}

// footer names the integration the checks ran as, and where more is.
func footer(rep diagnose.Report, verbose bool) string {
	var parts []string
	in := rep.Integration
	who := ""
	switch {
	case rep.RanAs() != "" && rep.RanAs() != in.Name:
		// --as (or the integration a pasted error names) picked another
		// integration than NOTION_TOKEN's: the checks ran as that one.
		who = "As " + cut(oneLine(rep.RanAs()), 40)
	case in.Name != "":
		who = "As " + cut(oneLine(in.Name), 40)
		if in.Workspace != "" {
			who += " (" + cut(oneLine(in.Workspace), 40) + ")"
		}
	}
	if rep.APIVersion != "" {
		if who != "" {
			who += ", "
		}
		who += "Notion-Version " + rep.APIVersion
	}
	if who != "" {
		parts = append(parts, who)
	}
	if len(parts) == 0 {
		return ""
	}
	if !verbose {
		parts = append(parts, "more: --verbose")
	}
	return strings.Join(parts, " · ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine folds text onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cut shortens s to n columns, ending with "…" when cut.
func cut(s string, n int) string {
	if columns(s) <= n {
		return s
	}
	head, _ := splitCols(s, n-1)
	return head + "…"
}

// columns is how many terminal columns s takes: two for the wide (East
// Asian, most emoji) characters, one for every other rune (a combining
// mark counts one too, which errs on the narrow side of the line).
func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeCols(r)
	}
	return n
}

func runeCols(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0x303e, r >= 0x3041 && r <= 0x33ff,
		r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xa000 && r <= 0xa4cf,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x1f900 && r <= 0x1f9ff, r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// splitCols splits s after at most n columns.
func splitCols(s string, n int) (head, tail string) {
	c := 0
	for i, r := range s {
		if c+runeCols(r) > n {
			return s[:i], s[i:]
		}
		c += runeCols(r)
	}
	return s, ""
}

// wrap lays text out in lines of at most width columns, the first starting
// with lead and the rest with indent. A word longer than a line (a URL, an
// ID) is cut into pieces that fit, so no line is ever wider than width.
func wrap(text, lead, indent string) string {
	var b strings.Builder
	cur := lead
	curLen := columns(lead)
	fresh := true
	indentLen := columns(indent)
	for _, w := range strings.Fields(text) {
		wl := columns(w)
		if !fresh && curLen+1+wl > width {
			b.WriteString(cur + "\n")
			cur, curLen, fresh = indent, indentLen, true
		}
		for curLen+wl > width {
			// A word wider than a whole line: cut it.
			room := width - curLen
			if !fresh {
				room--
			}
			head, tail := splitCols(w, room)
			if head == "" {
				if fresh {
					// Not even one character fits after the indent.
					_, size := utf8.DecodeRuneInString(w)
					head, tail = w[:size], w[size:]
				} else {
					b.WriteString(cur + "\n")
					cur, curLen, fresh = indent, indentLen, true
					continue
				}
			}
			if !fresh {
				cur += " "
			}
			b.WriteString(cur + head + "\n")
			w, wl = tail, columns(tail)
			cur, curLen, fresh = indent, indentLen, true
		}
		if w == "" {
			continue
		}
		if !fresh {
			cur += " "
			curLen++
		}
		cur += w
		curLen += wl
		fresh = false
	}
	b.WriteString(cur + "\n")
	return b.String()
}
