package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest/examples"
)

// Answer budgets.
const (
	// maxSingleText bounds the visible text of a single-reference report of
	// a common cause.
	maxSingleText = 700
	// maxTenText and maxTenBlocks bound a report of ten references, so
	// that a person can scan it in one message.
	maxTenText   = 2500
	maxTenBlocks = 20
)

// visibleText is every text a person reads in the message: the header,
// sections and context lines, one per line (with the button labels when
// buttons is set).
func visibleText(msg Message, buttons ...bool) string {
	var lines []string
	for _, b := range msg.Blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			lines = append(lines, b.Text.Text)
		case *slack.SectionBlock:
			lines = append(lines, b.Text.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					lines = append(lines, t.Text)
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if len(buttons) == 0 {
					break
				}
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					lines = append(lines, btn.Text.Text)
				}
			}
		}
	}
	// A link shows its label alone: the budgets count what a person reads.
	return linkRE.ReplaceAllString(strings.Join(lines, "\n"), "$1")
}

// linkRE is a link the bot writes in mrkdwn: <target|label>.
var linkRE = regexp.MustCompile(`<[^<>|\n]+\|([^<>\n]+)>`)

func exampleCases(t testing.TB) []examples.Case {
	t.Helper()
	cs, err := examples.Cases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestRenderAnswerExamples renders the report of every example to a golden
// file and holds it to the budgets: the header and the fallback text are
// the answer, a common cause fits 700 characters, ten references fit one
// message a person can scan.
func TestRenderAnswerExamples(t *testing.T) {
	for _, c := range exampleCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			msg := Render(withRecheck(c.Report, c.Text), RenderOptions{})
			checkGolden(t, "answer_"+c.Name+".golden.json", msg)
			assertLimits(t, msg)
			text := visibleText(msg)
			n := utf8.RuneCountInString(text)
			t.Logf("%-18s %4d characters, %2d blocks", c.Name, n, len(msg.Blocks))
			head := msg.Blocks[0].(*slack.HeaderBlock).Text.Text
			if msg.Text != head {
				t.Errorf("fallback %q differs from the header %q", msg.Text, head)
			}
			if ans := c.Report.Headline(); !strings.Contains(head, ans.Text) {
				t.Errorf("header %q is not the answer %q", head, ans.Text)
			}
			for _, code := range diagnose.AllCodes() {
				if strings.Contains(head, string(code)) {
					t.Errorf("header names %s", code)
				}
			}
			if strings.Contains(head, " of ") && strings.Contains(head, "check") {
				t.Errorf("header is a tally: %q", head)
			}
			if c.Common && n > maxSingleText {
				t.Errorf("%d characters, budget %d:\n%s", n, maxSingleText, text)
			}
			if c.Name == examples.Ten {
				if n > maxTenText || len(msg.Blocks) > maxTenBlocks {
					t.Errorf("ten references: %d characters and %d blocks, budget %d and %d", n, len(msg.Blocks), maxTenText, maxTenBlocks)
				}
				// Problems come first, the checks without one are folded
				// into one line, and every reference is there.
				for i := range c.Report.Checks {
					if !strings.Contains(text, fmt.Sprintf("%d.", i+1)) {
						t.Errorf("reference %d is not in the message", i+1)
					}
				}
				first := msg.Blocks[1].(*slack.SectionBlock).Text.Text
				if !strings.Contains(first, "❌") {
					t.Errorf("the first check shown is not a problem: %q", first)
				}
				if strings.Count(text, "✅ *No problem*") != 1 {
					t.Error("the checks without a problem are not folded into one line")
				}
			}
		})
	}
}

// TestRenderHeaderNeverAllGoodAboveWarnings: a trashed page, a revoked
// token and an unfinished check never get "All good".
func TestRenderHeaderNeverAllGoodAboveWarnings(t *testing.T) {
	for _, c := range exampleCases(t) {
		if c.Name == examples.Shared || c.Name == examples.Ten {
			continue
		}
		if head := Render(c.Report, RenderOptions{}).Text; strings.Contains(head, "All good") {
			t.Errorf("%s: %q", c.Name, head)
		}
	}
	rep := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Iris Checker"}, APIVersion: "2025-09-03",
		Checks: []diagnose.Check{{Source: "x", ID: dashedID, Kind: diagnose.KindUnknown, Status: diagnose.StatusUnknown}},
	}
	if head := Render(rep, RenderOptions{}).Text; strings.Contains(head, "All good") || strings.Contains(strings.ToLower(head), "offline") {
		t.Errorf("unanswered check: %q", head)
	}
}

// badRune is what must never reach a Slack visible line: C0/C1 controls
// (but the renderer's own newlines), DEL and bidi controls. It is written
// here again, not taken from the product's sanitizer.
func badRune(r rune) bool {
	return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == utf8.RuneError
}

var hostile = []string{
	"\x1b]0;PWNED\x07 hello \x1b[2J",
	"https://www.notion.so/acme/\u202egnp.exe-3d47810f380f80d7a001000000000002",
	"\u2066Roadmap\u2069 \u200f3d47810f-380f-80d7-a001-000000000002\u200e \u061c",
	"\x1b[31mred\x1b[0m \x9b2J \x85 \r\x08\x08 \x00 \x7f",
}

func hostileReport(s string) diagnose.Report {
	f := diagnose.Finding{Code: diagnose.CodeAccessNotShared, Severity: diagnose.SeverityError, Title: s, Detail: s, Fix: []string{s, s}}
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusProblem, Name: s, Workspace: s,
			Findings: []diagnose.Finding{{Code: diagnose.CodeTokenInvalid, Severity: diagnose.SeverityError, Title: s, Detail: s, Fix: []string{s}}}},
		APIVersion: s,
		Call:       &diagnose.Call{Method: s, Endpoint: s, Code: s, Message: s, Integration: s, NotionVersion: s},
		Checks: []diagnose.Check{
			{Source: s, ID: dashedID, Kind: diagnose.KindPage, Status: diagnose.StatusProblem, Title: s,
				Findings: []diagnose.Finding{f, {Code: diagnose.CodeObjectInTrash, Severity: diagnose.SeverityWarning, Title: s, Detail: s, Fix: []string{s}}},
				Access:   []diagnose.Access{{Integration: s, Sees: true}, {Integration: s}},
				Evidence: []diagnose.Evidence{{Method: s, Path: s, Status: 404, Code: s, Message: s, RequestID: s, Integration: s}}},
			{Source: s, ID: "", Kind: diagnose.KindUnknown, Status: diagnose.StatusOK, Title: s},
			{Source: s, ID: dashedID2, Kind: diagnose.KindPage, Status: diagnose.StatusOK, Title: s},
		},
	}
}

func assertPrintable(t *testing.T, msg Message) {
	t.Helper()
	for _, r := range msg.Text + visibleText(msg, true) {
		if badRune(r) {
			t.Fatalf("visible text holds %U:\n%q\n%q", r, msg.Text, visibleText(msg))
		}
	}
}

// TestRenderNoEscapes: no control, escape or bidi character from the
// input, the report or Notion reaches a visible line, through the real
// diagnosis or a report made of hostile strings.
func TestRenderNoEscapes(t *testing.T) {
	d := diagnose.New(diagnose.Config{})
	for _, s := range hostile {
		rep := d.Diagnose(context.Background(), s, diagnose.Options{})
		assertPrintable(t, Render(withRecheck(rep, s), RenderOptions{}))
		assertPrintable(t, Render(withRecheck(hostileReport(s), s), RenderOptions{}))
	}
}

// FuzzRenderPrintable: whatever the strings of a report hold, no visible
// line has a control, escape or bidi character, and the message keeps to
// Slack's limits.
func FuzzRenderPrintable(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		rep := hostileReport(a)
		rep.Checks[1].Source = b
		rep.Checks[0].Findings[1].Fix = []string{b}
		msg := Render(withRecheck(rep, a), RenderOptions{})
		assertPrintable(t, msg)
		assertLimits(t, msg)
	})
}
