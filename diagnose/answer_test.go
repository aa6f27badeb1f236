package diagnose

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEveryCodeHasAnAnswer(t *testing.T) {
	for _, code := range AllCodes() {
		vs, ok := answerTable[code]
		if !ok || len(vs) == 0 {
			t.Errorf("%s has no answer", code)
			continue
		}
		// The last variant must work with what any report has.
		last := vs[len(vs)-1]
		if strings.Contains(last, "{") && code != CodeAccessOK && code != CodeEndpointMismatch && code != CodeIDExtracted &&
			code != CodeLinkView && code != CodeLinkPeek && code != CodeLinkBlock && code != CodeKindBlock && code != CodeKindDataSource &&
			code != CodeDatabaseDataSources {
			t.Errorf("%s: the last answer %q needs values", code, last)
		}
		for _, v := range vs {
			if utf8.RuneCountInString(v) > 120 {
				t.Errorf("%s: answer of %d characters: %q", code, utf8.RuneCountInString(v), v)
			}
			for _, c := range AllCodes() {
				if strings.Contains(v, string(c)) {
					t.Errorf("%s: answer names the code %s", code, c)
				}
			}
		}
	}
	for code := range answerTable {
		if _, ok := Spec(code); !ok {
			t.Errorf("answer for unknown code %s", code)
		}
	}
}

func finding(code Code) Finding {
	return NewFinding(code, "detail", Vars{"integration": "Iris Checker", "workspace": "Acme Corp", "id": pid, "variable": "X"})
}

const pid = "3d47810f-380f-80d7-a001-000000000002"

func TestAnswerPicksTheMainCause(t *testing.T) {
	okIn := Integration{Status: StatusOK, Name: "Iris Checker", Workspace: "Acme Corp"}
	check := func(st Status, fs ...Finding) Check {
		return Check{Source: pid, ID: pid, Kind: KindPage, Status: st, Findings: fs}
	}
	for _, tc := range []struct {
		name string
		rep  Report
		code Code
		sev  Severity
		want string
	}{
		{"integration error first", Report{APIVersion: "v", Integration: Integration{Status: StatusProblem, Findings: []Finding{finding(CodeTokenInvalid)}},
			Checks: []Check{check(StatusUnknown)}}, CodeTokenInvalid, SeverityError, "Notion refused the token"},
		{"first error of the first problem check", Report{APIVersion: "v", Integration: okIn, Checks: []Check{
			check(StatusOK, finding(CodeObjectInTrash)), check(StatusProblem, finding(CodeLinkView), finding(CodeAccessNotShared)), check(StatusProblem, finding(CodeDatabaseLinked))}},
			CodeAccessNotShared, SeverityError, "Not shared with Iris Checker — open it → ••• → Connections → add Iris Checker"},
		{"warning over all good", Report{APIVersion: "v", Integration: okIn, Checks: []Check{check(StatusOK, finding(CodeObjectInTrash), finding(CodeAccessOK))}},
			CodeObjectInTrash, SeverityWarning, "In the trash"},
		{"hidden warning never leads", Report{APIVersion: "v", Integration: okIn, Checks: []Check{check(StatusOK, finding(CodeLinkView), finding(CodeAccessOK))}},
			CodeAccessOK, "", "All good: Iris Checker can read this page — use /v1/pages/" + pid},
		{"unfinished online is not offline", Report{APIVersion: "v", Integration: okIn, Checks: []Check{check(StatusUnknown)}},
			"", SeverityWarning, "Notion did not answer"},
		{"offline", Report{Integration: Integration{Status: StatusUnknown}, Checks: []Check{check(StatusUnknown)}},
			"", SeverityWarning, "Checked offline only (Notion was not asked)"},
		{"no token", Report{Integration: Integration{Status: StatusMissing, Findings: []Finding{finding(CodeTokenMissing)}}, Checks: []Check{check(StatusUnknown)}},
			CodeTokenMissing, SeverityWarning, "Only offline checks ran"},
		{"a view behind a failed call is a problem", Report{APIVersion: "v", Integration: okIn, Call: &Call{Status: 404},
			Checks: []Check{{ID: pid, Kind: KindView, Status: StatusOK, Findings: []Finding{finding(CodeKindView)},
				Related: []Related{{Role: KindDataSource, ID: "ds"}}}}}, CodeKindView, SeverityError, "A view ID — query its data source ds"},
		{"a view used as a database: the mismatch leads, with the view's data source", Report{APIVersion: "v", Integration: okIn, Call: &Call{Status: 404},
			Checks: []Check{{ID: pid, Kind: KindView, Status: StatusProblem, Findings: []Finding{finding(CodeKindView), finding(CodeEndpointMismatch)},
				Related: []Related{{Role: KindDatabase, ID: "db"}, {Role: KindDataSource, ID: "ds"}}}}}, CodeEndpointMismatch, SeverityError, "This ID is a view — call /v1/data_sources/ds/query"},
		{"an unset variable read from a key of the code", Report{APIVersion: "v", Integration: okIn,
			Checks: []Check{{Source: "data_source_id: process.env.NOTION_DB_ID", Status: StatusProblem, Findings: []Finding{finding(CodeIDVariable)}}}},
			CodeIDVariable, SeverityError, "process.env.NOTION_DB_ID is not set — set it to the ID where the code runs"},
		{"several all good", Report{APIVersion: "v", Integration: okIn, Checks: []Check{check(StatusOK, finding(CodeAccessOK)), check(StatusOK, finding(CodeAccessOK))}},
			"", "", "All good: Iris Checker can read all of them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.rep.Headline()
			if a.Code != tc.code || a.Severity != tc.sev || !strings.HasPrefix(a.Text, tc.want) {
				t.Errorf("answer = %+v, want %s %q %q…", a, tc.code, tc.sev, tc.want)
			}
		})
	}
}

func TestShownHidesWhatTellsNothingNew(t *testing.T) {
	c := Check{ID: pid, Kind: KindDatabase, Related: []Related{{Role: KindView, ID: "3d47810f-380f-80d7-a004-000000000001"}},
		Findings: []Finding{finding(CodeIDExtracted), finding(CodeLinkView), finding(CodeDatabaseDataSources), finding(CodeAccessOK)}}
	rep := Report{Checks: []Check{c}}
	got := rep.ShownFindings(c)
	if len(got) != 1 || got[0].Code != CodeDatabaseDataSources {
		t.Errorf("shown %v, want only database.data_sources", answerCodes(got))
	}
	// endpoint.mismatch already says an ID is a view or a data source.
	for _, k := range []Code{CodeKindView, CodeKindDataSource} {
		m := Check{ID: pid, Kind: KindView, Findings: []Finding{finding(k), finding(CodeEndpointMismatch)}}
		if got := answerCodes(rep.ShownFindings(m)); len(got) != 1 || got[0] != CodeEndpointMismatch {
			t.Errorf("%s beside endpoint.mismatch: shown %v", k, got)
		}
	}
	// The person's call sent the whole link, or the view ID: then they help.
	rep.Call = &Call{Sent: "https://www.notion.so/x/" + Hex32(pid) + "?v=3d47810f380f80d7a004000000000001"}
	if got := answerCodes(rep.ShownFindings(c)); len(got) != 3 {
		t.Errorf("with the call: shown %v", got)
	}
}

func answerCodes(fs []Finding) []Code {
	var out []Code
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// unprintable is written here again, not taken from Printable.
func unprintable(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == utf8.RuneError
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b]0;PWNED\x07 hello \x1b[2J":              "]0;PWNED hello [2J",
		"a\u202eb\u2066c\u2069d\u200ee\u200ff\u061cg": "abcdefg",
		"line\nbreak\r\ttab":                          "line break  tab",
		"\u009b2J\u0085x\u007f \x9b\x85":              "2J x ",
		"ok “Roadmap” ✓ 🎉 \u200d":                     "ok “Roadmap” ✓ 🎉 \u200d",
		"bad \xff utf8":                               "bad  utf8",
		"plain":                                       "plain",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add("\x1b]0;PWNED\x07 hello \x1b[2J")
	f.Add("\u202e\u2066x")
	f.Fuzz(func(t *testing.T, s string) {
		p := Printable(s)
		for _, r := range p {
			if unprintable(r) {
				t.Fatalf("Printable(%q) = %q holds %U", s, p, r)
			}
		}
		if Printable(p) != p {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}

// TestCheckOrder: problems first, then warnings and notes, then the rest,
// each group in the order found.
func TestCheckOrder(t *testing.T) {
	ok := Check{ID: "a", Status: StatusOK, Kind: KindPage}
	bad := Check{ID: "b", Status: StatusProblem, Findings: []Finding{NewFinding(CodeAccessNotShared, "404 everywhere", Vars{"integration": "X"})}}
	trash := Check{ID: "c", Status: StatusOK, Findings: []Finding{NewFinding(CodeObjectInTrash, "in the trash", nil)}}
	bad2 := Check{ID: "d", Status: StatusProblem, Findings: []Finding{NewFinding(CodeIDMalformed, "31 digits", nil)}}
	rep := Report{Checks: []Check{ok, bad, trash, bad2}}
	if got, want := rep.CheckOrder(), []int{1, 3, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("CheckOrder() = %v, want %v", got, want)
	}
}
