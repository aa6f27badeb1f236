package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

func TestReportExitStatus(t *testing.T) {
	t.Parallel()
	finding := func(code Code, sev Severity) Finding { return Finding{Code: code, Severity: sev} }
	online := func(in Status, checks ...Check) Report {
		return Report{APIVersion: "2025-09-03", Integration: Integration{Status: in}, Checks: checks}
	}
	tests := []struct {
		name       string
		rep        Report
		failOnWarn bool
		incomplete bool
		want       int
	}{
		{"all good", online(StatusOK, Check{ID: "a", Status: StatusOK}), false, false, ExitOK},
		{"error finding", online(StatusOK, Check{ID: "a", Status: StatusProblem, Findings: []Finding{finding(CodeAccessNotShared, SeverityError)}}), false, false, ExitProblem},
		{"warning passes", online(StatusOK, Check{ID: "a", Status: StatusOK, Findings: []Finding{finding(CodeIDExtracted, SeverityWarning)}}), false, false, ExitOK},
		{"warning fails when asked", online(StatusOK, Check{ID: "a", Status: StatusOK, Findings: []Finding{finding(CodeIDExtracted, SeverityWarning)}}), true, false, ExitProblem},
		{"unavailable is no warning", online(StatusOK, Check{ID: "a", Status: StatusUnknown, Findings: []Finding{finding(CodeNotionUnavailable, SeverityWarning)}}), true, true, ExitIncomplete},
		{"rate limited", online(StatusOK, Check{ID: "a", Status: StatusUnknown, Findings: []Finding{finding(CodeNotionRateLimited, SeverityWarning)}}), false, true, ExitIncomplete},
		{"no answer in time", online(StatusOK, Check{ID: "a", Status: StatusUnknown}), false, true, ExitIncomplete},
		{"token not judged", online(StatusUnknown, Check{ID: "a", Status: StatusOK}), false, true, ExitIncomplete},
		{"pasted 503 alone was never to be asked", online(StatusOK, Check{Status: StatusUnknown}), false, false, ExitOK},
		{"offline", Report{Integration: Integration{Status: StatusOK}, Checks: []Check{{ID: "a", Status: StatusUnknown}}}, false, false, ExitOK},
		{"no token", online(StatusMissing, Check{ID: "a", Status: StatusUnknown}), false, false, ExitOK},
		{"refused token is answered, not unasked", online(StatusProblem, Check{ID: "a", Status: StatusUnknown}), false, false, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.rep.Incomplete(); got != tt.incomplete {
				t.Errorf("Incomplete() = %v, want %v", got, tt.incomplete)
			}
			if got := tt.rep.ExitStatus(tt.failOnWarn); got != tt.want {
				t.Errorf("ExitStatus(%v) = %d, want %d", tt.failOnWarn, got, tt.want)
			}
		})
	}
}

func TestEntryFindings(t *testing.T) {
	t.Parallel()
	in := []Finding{{Detail: "NOTION_TOKEN: too short"}, {Detail: "Notion answered 401"}}
	got := EntryFindings(1, in)
	want := []string{"NOTION_TOKENS entry 2: too short", "NOTION_TOKENS entry 2: Notion answered 401"}
	for i := range want {
		if got[i].Detail != want[i] {
			t.Errorf("detail %d = %q, want %q", i, got[i].Detail, want[i])
		}
	}
	if in[0].Detail != "NOTION_TOKEN: too short" {
		t.Errorf("EntryFindings changed its input: %q", in[0].Detail)
	}
}

func ExampleReport_ExitStatus() {
	rep := Report{
		APIVersion:  "2025-09-03",
		Integration: Integration{Status: StatusOK},
		Checks:      []Check{{ID: "59833787-2cf9-4fdf-8782-e53db20768a5", Status: StatusUnknown, Findings: []Finding{{Code: CodeNotionUnavailable, Severity: SeverityWarning}}}},
	}
	fmt.Println(rep.Incomplete(), rep.ExitStatus(false))
	// Output: true 3
}

func ExampleReading_Recheck() {
	rd := ReadText("can't read <this row> https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&p=249d19fb353080fcabcdef0123456789&pm=s", -1)
	for _, l := range rd.Recheck() {
		fmt.Println(l)
	}
	// Output: https://www.notion.so/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&p=249d19fb353080fcabcdef0123456789
}

// TestDocsPages: every docs page is Notion's developer docs over https,
// for a code of the one finding table.
func TestDocsPages(t *testing.T) {
	t.Parallel()
	known := map[Code]bool{}
	for _, c := range AllCodes() {
		known[c] = true
	}
	for code, p := range docsPages {
		if !known[code] {
			t.Errorf("docs page for %q, which the finding table does not define", code)
		}
		if u, label := code.Docs(); u != p.url || label == "" || !strings.HasPrefix(u, "https://developers.notion.com/") {
			t.Errorf("%s.Docs() = %q, %q", code, u, label)
		}
	}
	if u, label := Code("no.such").Docs(); u != "" || label != "" {
		t.Errorf("Docs of an unknown code = %q, %q", u, label)
	}
}

// TestAddEntryFindings: a NOTION_TOKENS entry is reported for its shape
// and for a 401 from users/me, named by its position; an entry not asked
// adds nothing, and a finding the report holds already is not repeated.
func TestAddEntryFindings(t *testing.T) {
	t.Parallel()
	badShape := EntryFindings(0, TokenFindings("not-a-token"))
	if len(badShape) == 0 {
		t.Fatal("TokenFindings found nothing wrong with a malformed token")
	}
	refused := IntegrationInfo{Me: Answer{Outcome: OutcomeUnauthorized, Family: "users/me"}}
	accepted := IntegrationInfo{Name: "Iris", Me: Answer{Outcome: OutcomeOK, Family: "users/me"}}
	tests := []struct {
		name    string
		held    []Finding
		shapes  [][]Finding
		answers []IntegrationInfo
		want    []string // detail prefixes, in order
	}{
		{"malformed entry", nil, [][]Finding{badShape}, nil, []string{"NOTION_TOKENS entry 1:"}},
		{"refused entry", nil, [][]Finding{nil, nil}, []IntegrationInfo{accepted, refused}, []string{"NOTION_TOKENS entry 2:"}},
		{"not asked", nil, [][]Finding{nil}, nil, nil},
		{"accepted", nil, [][]Finding{nil}, []IntegrationInfo{accepted}, nil},
		{"held already", badShape, [][]Finding{badShape}, nil, []string{"NOTION_TOKENS entry 1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Report{Integration: Integration{Findings: append([]Finding(nil), tt.held...)}}
			rep.AddEntryFindings(tt.shapes, tt.answers)
			got := rep.Integration.Findings
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, f := range got {
				if !strings.HasPrefix(f.Detail, tt.want[i]) {
					t.Errorf("finding %d detail %q, want it to start with %q", i, f.Detail, tt.want[i])
				}
				if strings.Contains(f.Detail, "not-a-token") {
					t.Errorf("finding %d names the token's value: %q", i, f.Detail)
				}
			}
			if tt.name == "refused entry" && got[0].Code != CodeTokenInvalid {
				t.Errorf("refused entry: code %s, want %s", got[0].Code, CodeTokenInvalid)
			}
		})
	}
}
