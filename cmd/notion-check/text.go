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

// textStyle turns colour on only for a terminal, and never with NO_COLOR or
// TERM=dumb.
func textStyle(w io.Writer, getenv func(string) string) style {
	f, ok := underlying(w).(*os.File)
	if !ok || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return style{}
	}
	fi, err := f.Stat()
	if err != nil {
		return style{}
	}
	return style{color: fi.Mode()&os.ModeCharDevice != 0}
}

func (s style) paint(code, text string) string {
	if !s.color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) severity(sev diagnose.Severity) string {
	switch sev {
	case diagnose.SeverityError:
		return s.paint("1;31", "ERROR")
	case diagnose.SeverityWarning:
		return s.paint("1;33", "WARN ")
	}
	return s.paint("36", "INFO ")
}

func (s style) status(st diagnose.Status) string {
	switch st {
	case diagnose.StatusOK:
		return s.paint("32", string(st))
	case diagnose.StatusProblem:
		return s.paint("1;31", string(st))
	}
	return s.paint("33", string(st))
}

// formatReport renders the report for a person at a terminal.
func formatReport(rep diagnose.Report, st style) string {
	var b strings.Builder
	problems := 0
	for _, c := range rep.Checks {
		if c.Status == diagnose.StatusProblem {
			problems++
		}
	}
	b.WriteString(st.paint("1", strings.TrimSuffix(wrap(verdictLine(rep, problems), "", ""), "\n")) + "\n\n")

	in := rep.Integration
	line := "Integration: " + st.status(in.Status)
	switch {
	case in.Name != "" && in.Workspace != "":
		line += fmt.Sprintf(" (%q in workspace %q)", in.Name, in.Workspace)
	case in.Name != "":
		line += fmt.Sprintf(" (%q)", in.Name)
	case in.Status == diagnose.StatusMissing:
		line += " (no NOTION_TOKEN: offline checks only)"
	case in.Status == diagnose.StatusUnknown:
		line += " (not asked: offline)"
	}
	if rep.APIVersion != "" {
		line += ", Notion-Version " + rep.APIVersion
	}
	b.WriteString(line + "\n")
	for _, f := range in.Findings {
		writeFinding(&b, f, st)
	}

	for i, c := range rep.Checks {
		b.WriteString("\n")
		b.WriteString(st.paint("1", fmt.Sprintf("Check %d", i+1)) + "  " + wrapFirst(oneLine(c.Source), width-9) + "\n")
		id := c.ID
		if id == "" {
			id = "(none)"
		}
		fmt.Fprintf(&b, "  ID      %s\n", id)
		fmt.Fprintf(&b, "  Kind    %-12s Status %s\n", c.Kind, st.status(c.Status))
		if c.Title != "" {
			fmt.Fprintf(&b, "  Title   %s\n", wrapFirst(oneLine(c.Title), width-10))
		}
		for _, r := range c.Related {
			fmt.Fprintf(&b, "  Related %-11s %s\n", r.Role, r.ID)
		}
		for _, f := range c.Findings {
			writeFinding(&b, f, st)
		}
		if c.Status == diagnose.StatusUnknown && c.ID != "" && len(c.Evidence) == 0 && rep.Integration.Status != diagnose.StatusOK {
			b.WriteString("  Not checked online: " + notOnlineWhy(rep.Integration.Status) + "\n")
		}
		if len(c.Evidence) > 0 {
			b.WriteString("  Notion said:\n")
			for _, e := range c.Evidence {
				ev := fmt.Sprintf("%s %s → %d", e.Method, e.Path, e.Status)
				if e.Code != "" {
					ev += " " + e.Code
				}
				if e.RequestID != "" {
					ev += " (request " + e.RequestID + ")"
				}
				b.WriteString(wrap(ev, "    ", "      "))
			}
		}
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(&b, "\n%d more references were not checked.\n", rep.Skipped)
	}
	return b.String()
}

// notOnlineWhy says why a check with an ID was not asked of Notion.
func notOnlineWhy(st diagnose.Status) string {
	switch st {
	case diagnose.StatusMissing:
		return "no NOTION_TOKEN."
	case diagnose.StatusProblem:
		return "the token has a problem (above)."
	}
	return "offline."
}

func verdictLine(rep diagnose.Report, problems int) string {
	n := len(rep.Checks)
	checks := plural(n, "check")
	switch {
	case diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenLeaked):
		return "The text holds what looks like a token: rotate it now (token.leaked below); " + fmt.Sprintf("%d of %s found a problem.", problems, checks)
	case rep.Integration.Status == diagnose.StatusProblem:
		return "The integration token has a problem; " + fmt.Sprintf("%d of %s found a problem.", problems, checks)
	case problems > 0:
		return fmt.Sprintf("%d of %s found a problem.", problems, checks)
	}
	for _, c := range rep.Checks {
		if c.Status != diagnose.StatusUnknown {
			continue
		}
		switch rep.Integration.Status {
		case diagnose.StatusMissing:
			return fmt.Sprintf("No problem found offline in %s. The online checks (sharing, kind, endpoint) need NOTION_TOKEN.", checks)
		case diagnose.StatusUnknown:
			if rep.APIVersion == "" {
				return fmt.Sprintf("No problem found offline in %s (--offline: Notion was not asked).", checks)
			}
		}
		return fmt.Sprintf("No problem found in %s, but Notion could not be asked about every one (see below).", checks)
	}
	return fmt.Sprintf("All good: %s passed.", checks)
}

func plural(n int, w string) string {
	if n == 1 {
		return "1 " + w
	}
	return fmt.Sprintf("%d %ss", n, w)
}

func writeFinding(b *strings.Builder, f diagnose.Finding, st style) {
	// The label is five columns wide whatever its colour codes.
	b.WriteString(strings.Replace(wrap(f.Title+" ["+string(f.Code)+"]", "  LABEL ", "        "), "LABEL", st.severity(f.Severity), 1))
	if f.Detail != "" {
		b.WriteString(wrap(f.Detail, "        ", "        "))
	}
	for i, step := range f.Fix {
		lead := fmt.Sprintf("        %d. ", i+1)
		b.WriteString(wrap(step, lead, strings.Repeat(" ", len(lead))))
	}
}

// oneLine folds a source onto one line and shortens it.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 200 {
		r := []rune(s)
		s = string(r[:199]) + "…"
	}
	return s
}

// wrapFirst shortens s to n runes so a heading line stays on one line.
func wrapFirst(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// wrap lays text out in lines of at most width runes, the first starting
// with lead and the rest with indent. A word longer than a line (a URL, an
// ID) is put on its own line rather than cut.
func wrap(text, lead, indent string) string {
	var b strings.Builder
	cur := lead
	curLen := utf8.RuneCountInString(lead)
	fresh := true
	for _, w := range strings.Fields(text) {
		wl := utf8.RuneCountInString(w)
		if !fresh && curLen+1+wl > width {
			b.WriteString(cur + "\n")
			cur, curLen, fresh = indent, utf8.RuneCountInString(indent), true
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
