package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/notion-check/notion-check/diagnose/notiontest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest/examples"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Budgets of a single-reference report of a common cause.
const maxSingleLines = 12

func exampleCases(t testing.TB) []examples.Case {
	t.Helper()
	cs, err := examples.Cases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func checkTextGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/notion-check -run TestTerminalGolden -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run go test ./cmd/notion-check -run TestTerminalGolden -update and review the diff)\ngot:\n%s", name, got)
	}
}

// TestTerminalGolden renders every example, plain and --verbose, and holds
// the common causes to their budget.
func TestTerminalGolden(t *testing.T) {
	t.Parallel()
	for _, c := range exampleCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			out := formatReportOpts(c.Report, textOptions{})
			checkTextGolden(t, c.Name+".golden.txt", out)
			checkTextGolden(t, c.Name+".verbose.golden.txt", formatReportOpts(c.Report, textOptions{Verbose: true}))
			lines := strings.Count(out, "\n")
			t.Logf("%-18s %2d lines", c.Name, lines)
			if c.Common && lines > maxSingleLines {
				t.Errorf("%s: %d lines, budget %d:\n%s", c.Name, lines, maxSingleLines, out)
			}
			first, _, _ := strings.Cut(out, "\n")
			lead, _, _ := strings.Cut(out, "\n\n")
			ans := c.Report.Headline()
			if _, text, _ := strings.Cut(strings.Join(strings.Fields(lead), " "), " "); !strings.HasPrefix(text, ans.Text) {
				t.Errorf("the report does not lead with the answer %q:\n%s", ans.Text, out)
			}
			for _, code := range diagnose.AllCodes() {
				if strings.Contains(first, string(code)) {
					t.Errorf("the first line names the code %s", code)
				}
			}
		})
	}
}

// TestTerminalGoldenWidth: every line of every terminal golden file fits
// 80 columns.
func TestTerminalGoldenWidth(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.golden.txt"))
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if n := testColumns(line); n > width {
				t.Errorf("%s:%d: %d columns: %q", f, i+1, n, line)
			}
		}
	}
}

// TestTerminalFirstLineAnswers: the first line is the answer, never a
// tally, and never "All good" above a warning or a refused token.
func TestTerminalFirstLineAnswers(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		examples.NotShared:      "✗ Not shared with Iris Checker — open it → ••• → Connections → add Iris Checker",
		examples.Trash:          "! In the trash",
		examples.RevokedToken:   "✗ Notion refused the token (401)",
		examples.UnsetVariable:  "✗ process.env.NOTION_DB_ID is not set — set it to the ID where the code runs",
		examples.DatabaseAsPage: "✗ This ID is a database — call",
		examples.DataSource:     "✗ This ID is a data source — call",
		examples.View:           "✗ This ID is a view — call",
		examples.Shared:         "✓ All good",
		examples.Offline:        "! Only offline checks ran — set NOTION_TOKEN",
	}
	for _, c := range exampleCases(t) {
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		first, _, _ := strings.Cut(formatReportOpts(c.Report, textOptions{}), "\n")
		if !strings.HasPrefix(first, w) {
			t.Errorf("%s: first line %q, want it to start %q", c.Name, first, w)
		}
		for _, bad := range []string{" of 1 check", "found a problem", "offline" + "."} {
			if strings.Contains(first, bad) {
				t.Errorf("%s: first line %q holds %q", c.Name, first, bad)
			}
		}
	}
}

// TestTerminalNotFinishedIsNotOffline: when Notion was asked and did not
// answer, the report never says "offline".
func TestTerminalNotFinishedIsNotOffline(t *testing.T) {
	t.Parallel()
	rep := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Iris Checker"}, APIVersion: "2025-09-03",
		Checks: []diagnose.Check{{Source: "x", ID: "3d47810f-380f-80d7-a001-000000000002", Kind: diagnose.KindUnknown, Status: diagnose.StatusUnknown}},
	}
	out := formatReportOpts(rep, textOptions{})
	if strings.Contains(strings.ToLower(out), "offline") || !strings.Contains(out, "could not be finished") {
		t.Errorf("report of an unanswered check:\n%s", out)
	}
}

// badRune is what must never reach a terminal: C0/C1 controls (but the
// renderer's own newlines), DEL and bidi controls. It is written here
// again, not taken from the product's sanitizer.
func badRune(r rune) bool {
	return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == utf8.RuneError
}

// testColumns counts terminal columns, written here again (not the
// renderer's columns): two for CJK ideographs, Hangul, kana and fullwidth
// forms, and for emoji, one for every other rune.
func testColumns(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana), r >= 0xff01 && r <= 0xff60,
			r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f900 && r <= 0x1f9ff:
			n += 2
		default:
			n++
		}
	}
	return n
}

// hostile are inputs that try to reach the terminal with escapes or bidi
// controls.
var hostile = []string{
	"\x1b]0;PWNED\x07 hello \x1b[2J",
	"https://www.notion.so/acme/\u202egnp.exe-3d47810f380f80d7a001000000000002",
	"\u2066Roadmap\u2069 \u200f3d47810f-380f-80d7-a001-000000000002\u200e \u061c",
	"\x1b[31mred\x1b[0m \x9b2J \x85 \r\x08\x08\x08 \x00 \x7f",
	"\x1bP+q\x1b\\ \x1b]52;c;cHduZWQ=\x07",
}

// TestTerminalNoEscapes runs the CLI on hostile text, and renders reports
// whose titles, details and names hold it: nothing reaches the output.
func TestTerminalNoEscapes(t *testing.T) {
	t.Parallel()
	for _, text := range hostile {
		for _, args := range [][]string{{"--offline", text}, {text}} {
			out, errOut, _ := cli(t, nil, "", args...)
			for _, r := range out + errOut {
				if badRune(r) {
					t.Errorf("args %q: output holds %U:\n%q", args, r, out)
					break
				}
			}
		}
		// A flag made of it: the usage error quotes it, printably.
		_, errOut, code := cli(t, nil, "", "--"+text, "x")
		for _, r := range errOut {
			if badRune(r) || code != 2 {
				t.Errorf("flag %q: exit %d, stderr %q", text, code, errOut)
				break
			}
		}
		// The Slack message --blocks prints: no visible string holds one
		// either (the button value, not shown, is what to re-check).
		out, _, _ := cli(t, nil, "", "--offline", "--blocks", text)
		var msg any
		if err := json.Unmarshal([]byte(out), &msg); err != nil {
			t.Fatalf("--blocks: %v", err)
		}
		walkStrings(msg, "", func(key, s string) {
			if key == "value" {
				return
			}
			for _, r := range s {
				if badRune(r) {
					t.Errorf("--blocks %q: %s holds %U: %q", text, key, r, s)
					break
				}
			}
		})
		rep := hostileReport(text)
		for _, verbose := range []bool{false, true} {
			out := formatReportOpts(rep, textOptions{Verbose: verbose, Style: style{color: true}})
			// Colour codes are the renderer's own; take them out first.
			plain := stripColour(out)
			for _, r := range plain {
				if badRune(r) {
					t.Errorf("report holds %U:\n%q", r, plain)
					break
				}
			}
			for _, line := range strings.Split(plain, "\n") {
				if n := testColumns(line); n > width {
					t.Errorf("line of %d columns: %q", n, line)
				}
			}
		}
	}
}

// walkStrings calls f with every string in a decoded JSON value and the
// key it sits under.
func walkStrings(v any, key string, f func(key, s string)) {
	switch v := v.(type) {
	case string:
		f(key, v)
	case []any:
		for _, x := range v {
			walkStrings(x, key, f)
		}
	case map[string]any:
		for k, x := range v {
			walkStrings(x, k, f)
		}
	}
}

func hostileReport(s string) diagnose.Report {
	f := diagnose.Finding{Code: diagnose.CodeAccessNotShared, Severity: diagnose.SeverityError, Title: s, Detail: s, Fix: []string{s, s}}
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: s, Workspace: s, Findings: []diagnose.Finding{}},
		APIVersion:  "2025-09-03",
		Call:        &diagnose.Call{Method: s, Endpoint: s, Code: s, Message: s, Integration: s, NotionVersion: s},
		Checks: []diagnose.Check{
			{Source: s, ID: "3d47810f-380f-80d7-a001-000000000002", Kind: diagnose.KindPage, Status: diagnose.StatusProblem, Title: s,
				Findings: []diagnose.Finding{f, {Code: diagnose.CodeObjectInTrash, Severity: diagnose.SeverityWarning, Title: s, Detail: s, Fix: []string{s}}},
				Access:   []diagnose.Access{{Integration: s, Sees: true}},
				Evidence: []diagnose.Evidence{{Method: s, Path: s, Status: 404, Code: s, Message: s, RequestID: s, Integration: s}}},
			{Source: s, ID: "", Kind: diagnose.KindUnknown, Status: diagnose.StatusOK, Title: s},
		},
	}
}

// stripColour removes the SGR sequences the renderer itself writes
// ("\x1b[" digits and ';' "m"), and nothing else.
func stripColour(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestTerminalColourOnlyOnATerminal: a file, a pipe or NO_COLOR get no
// colour codes.
func TestTerminalColourOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain := func(env environ) bool {
		cfg, err := loadConfig(env.getenv)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Plain
	}
	for name, st := range map[string]style{
		"file":     textStyle(f, plain(nil)),
		"buffer":   textStyle(&bytes.Buffer{}, plain(nil)),
		"NO_COLOR": textStyle(os.Stdout, plain(environ{"NO_COLOR": "1"})),
		"dumb":     textStyle(os.Stdout, plain(environ{"TERM": "dumb"})),
	} {
		if st.color {
			t.Errorf("%s: colour on", name)
		}
	}
	if plain(environ{"TERM": "xterm-256color"}) {
		t.Error("a colour terminal taken for plain")
	}
	rep := exampleCases(t)[1].Report
	if out := formatReportOpts(rep, textOptions{}); strings.Contains(out, "\x1b") {
		t.Error("colour codes without colour")
	}
	if out := formatReportOpts(rep, textOptions{Style: style{color: true}}); !strings.Contains(out, "\x1b[") {
		t.Error("no colour codes with colour on")
	}
}

// FuzzFormatReport: whatever the strings of a report hold, the terminal
// report has no control, escape or bidi character and no line wider than
// 80 columns.
func FuzzFormatReport(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, s)
	}
	f.Add("Roadmap", strings.Repeat("x", 200))
	f.Add("路线图"+strings.Repeat("路", 90), "🎉🎉 "+strings.Repeat("데", 100))
	f.Fuzz(func(t *testing.T, a, b string) {
		rep := hostileReport(a)
		rep.Checks[1].Source = b
		rep.Checks[0].Findings[0].Fix = []string{b}
		for _, verbose := range []bool{false, true} {
			out := stripColour(formatReportOpts(rep, textOptions{Verbose: verbose, Style: style{color: true}}))
			for _, r := range out {
				if badRune(r) {
					t.Fatalf("output holds %U:\n%q", r, out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if n := testColumns(line); n > width {
					t.Fatalf("line of %d columns: %q", n, line)
				}
			}
		}
	})
}

// TestJSONNoControlCharacters: --json carries no control, bidi or C1
// character, neither from the paste (source, call, messages) nor from
// Notion (a page title, the integration's name), in the bytes printed or
// in any string once decoded.
func TestJSONNoControlCharacters(t *testing.T) {
	t.Parallel()
	const evil = "Road\u202emap\u2066 \u0085x\x1b[2J\u200f\x7f\u2028end"
	srv := notiontest.NewServer(t,
		notiontest.WithTitle(notiontest.SharedPageID, evil),
		notiontest.WithIntegration("Iris\u202e Checker\u0085", "Acme\u2067"))
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
	inputs := append([]string{
		"Could not find page with ID: " + notiontest.SharedPageID + "\u202e. \u0085 " + evil,
		`{"object":"error","status":404,"code":"object_not_found","message":"` + "Could not find page with ID: 3d47810f-380f-80d7-a001-000000000003 \\u202e\\u0085\\u001b[31m\\u2066" + `"}`,
		evil + " " + notiontest.SharedPageID,
		evil,
	}, hostile...)
	for _, text := range inputs {
		for _, args := range [][]string{{"--json", text}, {"--json", "--verbose", text}, {"--json", "--offline", text}} {
			out, errOut, _ := cli(t, env, "", args...)
			for _, r := range out {
				if badRune(r) || r == 0x2028 || r == 0x2029 {
					t.Errorf("args %q: the JSON holds %U:\n%s", args, r, out)
					break
				}
			}
			var rep any
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("args %q: %v\n%s\n%s", args, err, out, errOut)
			}
			walkStrings(rep, "", func(key, s string) {
				for _, r := range s {
					if badRune(r) && r != '\n' || r == 0x2028 || r == 0x2029 {
						t.Errorf("args %q: %s holds %U once decoded: %q", args, key, r, s)
						break
					}
				}
			})
		}
	}
	// The fake's title and name did reach the report (so the test is about
	// them), cleaned.
	out, _, _ := cli(t, env, "", "--json", notiontest.SharedPageID)
	if !strings.Contains(out, "Roadmap") {
		t.Errorf("the title is not in the report:\n%s", out)
	}
	// users/me is asked where a verdict needs it: a 404's advice.
	out, _, _ = cli(t, env, "", "--json", notiontest.UnsharedPageID)
	if !strings.Contains(out, "Iris Checker") {
		t.Errorf("the integration's name is not in the report:\n%s", out)
	}
}
