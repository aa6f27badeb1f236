package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	dashedID  = "01234567-89ab-cdef-0123-456789abcdef"
	dashedID2 = "fedcba98-7654-3210-fedc-ba9876543210"
)

// integrationCodes are the codes that sit in integration.findings.
var integrationCodes = map[diagnose.Code]bool{
	diagnose.CodeTokenMissing: true, diagnose.CodeTokenMalformed: true, diagnose.CodeTokenInvalid: true,
	diagnose.CodeTokenLeaked: true, diagnose.CodeAccessCapability: true,
}

// vars fills every placeholder the finding table may use.
var vars = diagnose.Vars{
	"id": dashedID, "compact": "0123456789abcdef0123456789abcdef", "page": dashedID2, "database": dashedID2,
	"data_source": dashedID2, "block": dashedID, "view": dashedID2, "kind": "database", "endpoint": "GET /v1/data_sources/" + dashedID2,
	"used": "GET /v1/pages/" + dashedID, "hint": "a database", "integration": "Acme bot", "name": "Acme bot", "workspace": "Acme",
	"next": "query it with POST /v1/data_sources/" + dashedID2 + "/query", "placeholder": "{page_id}", "placeholders": "{page_id}",
}

// reportFor builds a report showing one finding code, as the diagnosis
// would put it.
func reportFor(code diagnose.Code) diagnose.Report {
	f := diagnose.NewFinding(code, "Detail for "+string(code)+": <b>not a tag</b> & more.", vars)
	if strings.HasPrefix(string(code), "body.") {
		// A body finding carries the JSON to send; its text must still
		// be escaped inside the code block.
		f.Example = `{"Status <b>":{"status":{"name":"Done & dusted"}}}`
	}
	rep := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Acme bot", Workspace: "Acme", Findings: []diagnose.Finding{}},
		APIVersion:  "2025-09-03",
	}
	c := diagnose.Check{Source: "https://www.notion.so/acme/Roadmap-0123456789abcdef0123456789abcdef?v=fedcba9876543210fedcba9876543210&pvs=4",
		ID: dashedID, Kind: diagnose.KindDatabase, Status: diagnose.StatusOK, Related: []diagnose.Related{},
		Findings: []diagnose.Finding{}, Evidence: []diagnose.Evidence{{Method: "GET", Path: "/v1/databases/" + dashedID, Status: 200, RequestID: "req-0001"}}}
	if integrationCodes[code] {
		rep.Integration.Findings = append(rep.Integration.Findings, f)
		if f.Severity == diagnose.SeverityError {
			rep.Integration.Status = diagnose.StatusProblem
		}
		if code == diagnose.CodeTokenMissing {
			rep.Integration = diagnose.Integration{Status: diagnose.StatusMissing, Findings: []diagnose.Finding{f}}
			rep.APIVersion = ""
			c.Evidence = []diagnose.Evidence{}
			c.Status = diagnose.StatusUnknown
		}
	} else {
		c.Findings = append(c.Findings, f)
	}
	switch code {
	case diagnose.CodeIDMissing:
		c.ID, c.Kind, c.Source, c.Evidence = "", diagnose.KindUnknown, "undefined", []diagnose.Evidence{}
	case diagnose.CodeIDMalformed:
		c.Source = "0123456789abcdef0123456789abcde"
	case diagnose.CodeNotionUnavailable, diagnose.CodeNotionRateLimited:
		c.Status = diagnose.StatusUnknown
	}
	if f.Severity == diagnose.SeverityError && !integrationCodes[code] {
		c.Status = diagnose.StatusProblem
	}
	rep.Checks = []diagnose.Check{c}
	return rep
}

func goldenName(code diagnose.Code) string {
	return "render_" + strings.ReplaceAll(string(code), ".", "_") + ".golden.json"
}

func checkGolden(t *testing.T, name string, msg Message) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(msg); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run TestRender -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./bot -run TestRender -update and review the diff)\ngot:\n%s", name, got)
	}
}

func TestRenderGoldenEveryCode(t *testing.T) {
	for _, code := range diagnose.AllCodes() {
		t.Run(string(code), func(t *testing.T) {
			rep := reportFor(code)
			msg := Render(withRecheck(rep, rep.Checks[0].Source), RenderOptions{})
			checkGolden(t, goldenName(code), msg)
			assertLimits(t, msg)
			shown := integrationCodes[code] || rep.Shown(rep.Checks[0], rep.Checks[0].Findings[0])
			if named := strings.Contains(string(mustJSON(t, msg)), "`"+string(code)+"`"); named != shown {
				t.Errorf("rendered message names %s: %v, want %v (shown by default)", code, named, shown)
			}
			head := msg.Blocks[0].(*slack.HeaderBlock).Text.Text
			// A pasted token's report says to rotate it (the header), then
			// the answer for the rest.
			if strings.Contains(msg.Text, string(code)) || msg.Text != head && !(code == diagnose.CodeTokenLeaked && strings.HasPrefix(msg.Text, head+". Then: ")) {
				t.Errorf("fallback text %q: want the header, without codes", msg.Text)
			}
		})
	}
}

func TestRenderGoldenEveryCodeHasAFile(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "render_*.golden.json"))
	have := map[string]bool{}
	for _, f := range files {
		have[filepath.Base(f)] = true
	}
	for _, code := range diagnose.AllCodes() {
		if !have[goldenName(code)] {
			t.Errorf("no golden file for %s (%s)", code, goldenName(code))
		}
	}
}

func TestRenderGoldenExamples(t *testing.T) {
	multi := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Acme bot", Workspace: "Acme", Findings: []diagnose.Finding{}},
		APIVersion:  "2025-09-03",
		Checks: []diagnose.Check{
			{Source: "https://www.notion.so/Roadmap-0123456789abcdef0123456789abcdef", ID: dashedID, Kind: diagnose.KindPage, Status: diagnose.StatusOK, Title: "Roadmap",
				Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeAccessOK, "The page is shared with Acme bot.", vars)},
				Evidence: []diagnose.Evidence{{Method: "GET", Path: "/v1/pages/" + dashedID, Status: 200, RequestID: "req-a"}}},
			{Source: dashedID2, ID: dashedID2, Kind: diagnose.KindUnknown, Status: diagnose.StatusProblem,
				Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeAccessNotShared, "Every endpoint answered 404.", vars)},
				Evidence: []diagnose.Evidence{{Method: "GET", Path: "/v1/pages/" + dashedID2, Status: 404, Code: "object_not_found", RequestID: "req-b"}}},
		},
	}
	checkGolden(t, "example_two_checks.golden.json", Render(withRecheck(multi, "two links"), RenderOptions{}))
	offline := diagnose.New(diagnose.Config{}).Diagnose(t.Context(), "", diagnose.Options{})
	msg := Render(offline, RenderOptions{})
	assertLimits(t, msg)
	checkGolden(t, "example_leak_warning.golden.json", LeakWarningMessage())
	checkGolden(t, "example_usage.golden.json", UsageMessage())
}

func TestRenderEscapesAndRedacts(t *testing.T) {
	rep := reportFor(diagnose.CodeIDMissing)
	rep.Checks[0].Source = "<!channel> <https://evil.example|click> & " + fakeToken
	rep.Integration.Name = "<@U123>"
	msg := Render(withRecheck(rep, "see "+fakeToken), RenderOptions{})
	js := string(mustJSON(t, msg))
	for _, bad := range []string{"<!channel>", "<https://evil", "<@U123>", fakeToken} {
		if strings.Contains(js, bad) {
			t.Errorf("rendered message holds %q", bad)
		}
	}
	if sec := msg.Blocks[1].(*slack.SectionBlock).Text.Text; !strings.Contains(sec, "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;") {
		t.Errorf("user text not escaped: %s", js)
	}
}

func TestRenderDeterministic(t *testing.T) {
	rep := bigReport(30, 500)
	a, b := mustJSON(t, Render(rep, RenderOptions{})), mustJSON(t, Render(rep, RenderOptions{}))
	if !bytes.Equal(a, b) {
		t.Error("Render is not deterministic")
	}
}

// bigReport has n checks, each with findings of long details.
func bigReport(n, detail int) diagnose.Report {
	rep := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusProblem, Name: strings.Repeat("N", 300), Workspace: strings.Repeat("W&", 200),
			Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeAccessCapability, strings.Repeat("x<", detail), vars)}},
		APIVersion: "2025-09-03",
	}
	codes := diagnose.AllCodes()
	for i := 0; i < n; i++ {
		var fs []diagnose.Finding
		for j := 0; j < 4; j++ {
			fs = append(fs, diagnose.NewFinding(codes[(i+j)%len(codes)], strings.Repeat("détail & <x> ", detail/10+1), vars))
		}
		var ev []diagnose.Evidence
		for j := 0; j < 20; j++ {
			ev = append(ev, diagnose.Evidence{Method: "GET", Path: "/v1/pages/x", Status: 404, RequestID: fmt.Sprintf("req-%d-%d-%s", i, j, strings.Repeat("r", 30))})
		}
		rep.Checks = append(rep.Checks, diagnose.Check{
			Source: strings.Repeat("https://www.notion.so/Page-0123456789abcdef0123456789abcdef ", 1+detail/50), ID: dashedID,
			Kind: diagnose.KindPage, Status: diagnose.StatusProblem, Title: strings.Repeat("T", detail), Findings: fs, Evidence: ev,
		})
	}
	return rep
}

func TestRenderLimits(t *testing.T) {
	cases := map[string]diagnose.Report{
		"empty":         {},
		"one":           reportFor(diagnose.CodeAccessNotShared),
		"48 checks":     bigReport(48, 10),
		"49 checks":     bigReport(49, 10),
		"60 checks":     bigReport(60, 10),
		"60 huge":       bigReport(60, 20000),
		"3 huge":        bigReport(3, 50000),
		"skipped":       func() diagnose.Report { r := bigReport(10, 10); r.Skipped = 7; return r }(),
		"skipped + 60":  func() diagnose.Report { r := bigReport(60, 10); r.Skipped = 7; return r }(),
		"long recheck":  bigReport(5, 10),
		"offline empty": diagnose.New(diagnose.Config{}).Diagnose(t.Context(), "", diagnose.Options{}),
	}
	for name, rep := range cases {
		t.Run(name, func(t *testing.T) {
			msg := Render(withRecheck(rep, strings.Repeat("https://www.notion.so/Page-0123456789abcdef0123456789abcdef ", 100)), RenderOptions{})
			assertLimits(t, msg)
			// Every check is reachable: in a section of its own, in the
			// folded line, or counted in "…and N more".
			shown := 0
			for _, b := range msg.Blocks {
				sb, ok := b.(*slack.SectionBlock)
				if !ok {
					continue
				}
				switch t := sb.Text.Text; {
				case strings.HasPrefix(t, "✅ *No problem*"), strings.HasPrefix(t, "❔"):
					shown += strings.Count(t, " · ") + 1
				case strings.HasPrefix(t, "*More*"):
					shown += strings.Count(t, "\n")
				case strings.HasPrefix(t, "*Integration"):
				default:
					shown++
				}
			}
			if len(rep.Checks) > shown {
				want := fmt.Sprintf("…and %d more check", len(rep.Checks)-shown)
				if js := string(mustJSON(t, msg)); !strings.Contains(js, want) {
					t.Errorf("%d of %d checks shown, but no %q line", shown, len(rep.Checks), want)
				}
			}
		})
	}
}

// assertLimits checks a message against Slack's Block Kit limits.
func assertLimits(t *testing.T, msg Message) {
	t.Helper()
	if msg.Text == "" || utf8.RuneCountInString(msg.Text) > MaxFallbackText {
		t.Errorf("fallback text has %d characters", utf8.RuneCountInString(msg.Text))
	}
	if len(msg.Blocks) > MaxBlocks || len(msg.Blocks) == 0 {
		t.Errorf("%d blocks", len(msg.Blocks))
	}
	runes := utf8.RuneCountInString
	total := 0
	for _, b := range msg.Blocks {
		if sb, ok := b.(*slack.SectionBlock); ok {
			total += runes(sb.Text.Text)
		}
	}
	if total > 13000 {
		t.Errorf("sections hold %d characters together, Slack refuses more than ~13200", total)
	}
	for i, b := range msg.Blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if n := runes(b.Text.Text); n > MaxHeaderText || n == 0 || b.Text.Type != slack.PlainTextType {
				t.Errorf("block %d: header of %d characters", i, n)
			}
		case *slack.SectionBlock:
			if n := runes(b.Text.Text); n > MaxSectionText || n == 0 {
				t.Errorf("block %d: section text of %d characters", i, n)
			}
		case *slack.ContextBlock:
			if n := len(b.ContextElements.Elements); n > MaxContextElements || n == 0 {
				t.Errorf("block %d: context with %d elements", i, n)
			}
			for _, e := range b.ContextElements.Elements {
				if to, ok := e.(*slack.TextBlockObject); ok && (runes(to.Text) > MaxSectionText || to.Text == "") {
					t.Errorf("block %d: context text of %d characters", i, runes(to.Text))
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				btn, ok := e.(*slack.ButtonBlockElement)
				if !ok {
					continue
				}
				if n := runes(btn.Text.Text); n > MaxButtonText || n == 0 {
					t.Errorf("button text of %d characters", n)
				}
				if n := runes(btn.Value); n > MaxButtonValue || n == 0 {
					t.Errorf("button value of %d characters", n)
				}
			}
		default:
			t.Errorf("block %d: unexpected %T", i, b)
		}
	}
	// slack-go can read it back.
	var back struct {
		Blocks slack.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(mustJSON(t, msg), &back); err != nil || len(back.Blocks.BlockSet) != len(msg.Blocks) {
		t.Errorf("slack-go cannot read the blocks back: %v", err)
	}
	if last, ok := msg.Blocks[len(msg.Blocks)-1].(*slack.ActionBlock); ok && last.BlockID != RecheckBlockID {
		t.Errorf("actions block id = %q", last.BlockID)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRecheckValueFallsBackToSources(t *testing.T) {
	rep := bigReport(3, 10)
	long := strings.Repeat("x", 5000)
	v := recheckValue(withRecheck(rep, long))
	if utf8.RuneCountInString(v) > MaxButtonValue || v != dashedID {
		t.Errorf("recheck value = %q, want the checks' IDs", v)
	}
	if got := recheckValue(withRecheck(rep, "  short  ")); got != "short" {
		t.Errorf("recheck value = %q, want the text", got)
	}
}

// TestRecheckValueHoldsNoSecret: the button value is rebuilt from the
// references found, so nothing of the pasted text that is not a reference
// rides in it, and reading it again gives the same value.
func TestRecheckValueHoldsNoSecret(t *testing.T) {
	const tok = "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"
	const shapeless = "pw-Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1"
	d := diagnose.New(diagnose.Config{})
	scan := leakscan.New(tok, shapeless)
	for _, tc := range []struct{ text, want string }{
		{"https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0" + tok, "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e"},
		{"https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&pvs=4&token=" + shapeless,
			"https://www.notion.so/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc"},
		{"https://www.notion.so/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&p=3d47810f380f80d7a001000000000003",
			"https://www.notion.so/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&p=3d47810f380f80d7a001000000000003"},
		{"https://www.notion.so/acme/Page-1212250f3985801cabcdef0123456789#3d47810f380f80d7a001000000000003 " + shapeless,
			"https://www.notion.so/1212250f3985801cabcdef0123456789#3d47810f380f80d7a001000000000003"},
		{"curl -H 'Authorization: Bearer " + tok + "' https://api.notion.com/v1/pages/1212250f-3985-801c-abcd-ef0123456789",
			"https://api.notion.com/v1/pages/1212250f-3985-801c-abcd-ef0123456789\ncurl -X GET https://api.notion.com/v1/pages/1212250f-3985-801c-abcd-ef0123456789"},
		{"Could not find database with ID: 1212250f-3985-801c-abcd-ef0123456789. key=" + shapeless,
			"https://api.notion.com/v1/databases/1212250f-3985-801c-abcd-ef0123456789"},
		{"my page title " + shapeless, ""},
		{"1212250f3985801cabcdef012345678", "1212250f3985801cabcdef012345678"},
		{tok, ""},
	} {
		rep := d.Diagnose(context.Background(), tc.text, diagnose.Options{})
		v := recheckValue(rep)
		if v != tc.want {
			t.Errorf("recheckValue(%q)\n got %q\nwant %q", tc.text, v, tc.want)
		}
		if leaks := scan.Scan(v); len(leaks) > 0 {
			t.Errorf("recheckValue(%q) = %q: %v", tc.text, v, leaks)
		}
		if v != "" {
			if again := recheckValue(d.Diagnose(context.Background(), v, diagnose.Options{})); again != v {
				t.Errorf("re-reading %q gives %q", v, again)
			}
		}
	}
	// Many references: the value stays within Slack's limit.
	var many []string
	for i := 0; i < 60; i++ {
		many = append(many, fmt.Sprintf("https://www.notion.so/%032x?v=%032x&p=%032x", i+1, i+100, i+1000))
	}
	rep := d.Diagnose(context.Background(), strings.Join(many, " "), diagnose.Options{})
	if v := recheckValue(rep); utf8.RuneCountInString(v) > MaxButtonValue || v == "" {
		t.Errorf("recheck value of %d runes", utf8.RuneCountInString(v))
	}
	// The pasted call: method, endpoint and version only.
	call := &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: "2022-06-28", Message: "token " + tok}
	v := recheckValue(diagnose.Report{Call: call, Checks: []diagnose.Check{{ID: "1212250f-3985-801c-abcd-ef0123456789"}}})
	if want := "1212250f-3985-801c-abcd-ef0123456789\ncurl -X POST https://api.notion.com/v1/databases/1212250f-3985-801c-abcd-ef0123456789/query -H 'Notion-Version: 2022-06-28'"; v != want {
		t.Errorf("with a call: %q, want %q", v, want)
	}
}
