package diagnose_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/internal/failedcalls"
)

// TestFailedCallsOffline runs the failed-call table offline: ReadText must
// see the call the case names, check exactly the IDs it names, and give
// exactly its offline codes, none of its Never codes; no finding may leave
// a {placeholder} unfilled.
func TestFailedCallsOffline(t *testing.T) {
	cases, err := failedcalls.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 60 {
		t.Errorf("the table holds %d cases, want at least 60", len(cases))
	}
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.Name] {
			t.Errorf("two cases named %q", tc.Name)
		}
		names[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) {
			if tc.Source == "" {
				t.Error("case without a Source")
			}
			for _, c := range slices.Concat(tc.Offline, tc.Online, tc.Never) {
				if _, ok := diagnose.Spec(c); !ok {
					t.Errorf("unknown code %s", c)
				}
			}
			for _, c := range tc.Never {
				if slices.Contains(tc.Online, c) || slices.Contains(tc.Offline, c) {
					t.Errorf("%s is both expected and never", c)
				}
			}
			for _, id := range tc.IDs {
				if id != "" && !diagnose.IsID(id) {
					t.Errorf("case ID %q is not a dashed lowercase UUID", id)
				}
			}
			rd := diagnose.ReadText(tc.Text, diagnose.DefaultMaxChecks)
			checkCall(t, rd.Call, tc.Call)
			var ids []string
			got := map[diagnose.Code]bool{}
			for _, r := range rd.References {
				ids = append(ids, r.ID)
				for _, f := range r.Findings {
					got[f.Code] = true
					for _, step := range f.Fix {
						if hasPlaceholder(step) {
							t.Errorf("%s: unfilled placeholder in %q", f.Code, step)
						}
					}
					if f.Detail == "" || len(f.Fix) == 0 {
						t.Errorf("%s without detail or fix", f.Code)
					}
				}
			}
			if rd.Total != len(rd.References) {
				t.Errorf("Total %d for %d references", rd.Total, len(rd.References))
			}
			if tc.IDs != nil && !slices.Equal(ids, tc.IDs) {
				t.Errorf("checked IDs %q, want %q", ids, tc.IDs)
			}
			want := map[diagnose.Code]bool{}
			for _, c := range tc.Offline {
				want[c] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("offline codes %v, want %v", sorted(got), sorted(want))
			}
			for _, c := range tc.Never {
				if got[c] {
					t.Errorf("offline gave %s, which this text must never give", c)
				}
			}
			if rd.Call.Failed() && !rd.Answerable() {
				t.Error("a pasted failed call is not answerable")
			}
			if tc.Lead != nil {
				rep := diagnose.New(diagnose.Config{}).DiagnoseReading(t.Context(), rd, diagnose.Options{Offline: true})
				head := rep.Headline()
				for _, w := range tc.Lead {
					if !strings.Contains(head.Text, w) {
						t.Errorf("first line %q does not hold %q", head.Text, w)
					}
				}
				if !head.Problem() {
					t.Errorf("first line %q is not a problem for a failed call", head.Text)
				}
			}
		})
	}
}

// TestFailedCallsLead counts the cases whose offline first line holds
// what it must (the property, what Notion expected, the JSON to send).
func TestFailedCallsLead(t *testing.T) {
	cases, err := failedcalls.Load()
	if err != nil {
		t.Fatal(err)
	}
	right, all := 0, 0
	for _, tc := range cases {
		if tc.Lead == nil {
			continue
		}
		all++
		rd := diagnose.ReadText(tc.Text, diagnose.DefaultMaxChecks)
		head := diagnose.New(diagnose.Config{}).DiagnoseReading(t.Context(), rd, diagnose.Options{Offline: true}).Headline()
		if n := utf8.RuneCountInString(head.Text); n > 148 {
			t.Errorf("%s: first line of %d characters does not fit Slack's header: %q", tc.Name, n, head.Text)
		}
		ok := head.Problem()
		for _, w := range tc.Lead {
			ok = ok && strings.Contains(head.Text, w)
		}
		if ok {
			right++
		}
	}
	t.Logf("body cases with the right first line offline: %d of %d", right, all)
	if all < 25 {
		t.Errorf("%d body cases measured, want at least 25", all)
	}
}

func checkCall(t *testing.T, got, want *diagnose.Call) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("call %+v, want none", *got)
		}
		return
	}
	if got == nil {
		t.Fatalf("no call read, want %+v", *want)
	}
	for _, f := range []struct {
		name      string
		got, want any
		zero      bool
	}{
		{"method", got.Method, want.Method, want.Method == ""},
		{"endpoint", got.Endpoint, want.Endpoint, want.Endpoint == ""},
		{"notion_version", got.NotionVersion, want.NotionVersion, want.NotionVersion == ""},
		{"status", got.Status, want.Status, want.Status == 0},
		{"code", got.Code, want.Code, want.Code == ""},
		{"message", got.Message, want.Message, want.Message == ""},
		{"integration", got.Integration, want.Integration, want.Integration == ""},
		{"request_id", got.RequestID, want.RequestID, want.RequestID == ""},
		{"parent_type", got.ParentType, want.ParentType, want.ParentType == ""},
		{"parent_id", got.ParentID, want.ParentID, want.ParentID == ""},
		{"field", got.Field, want.Field, want.Field == ""},
		{"sent", got.Sent, want.Sent, want.Sent == ""},
		{"edge", got.Edge, want.Edge, !want.Edge},
		{"via", got.Via, want.Via, want.Via == ""},
		{"client_failure", got.ClientFailure, want.ClientFailure, want.ClientFailure == ""},
		{"variable", got.Variable, want.Variable, want.Variable == ""},
		{"auth", got.Auth, want.Auth, want.Auth == ""},
		{"empty", got.Empty, want.Empty, want.Empty == ""},
		{"filter", got.Filter, want.Filter, want.Filter == ""},
	} {
		if !f.zero && f.got != f.want {
			t.Errorf("call %s = %v, want %v (call %+v)", f.name, f.got, f.want, *got)
		}
	}
	for k, v := range want.AdditionalData {
		if got.AdditionalData[k] != v {
			t.Errorf("call additional_data[%s] = %q, want %q", k, got.AdditionalData[k], v)
		}
	}
}

func hasPlaceholder(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] == '_') {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '}' {
			return true
		}
	}
	return false
}

func sorted(m map[diagnose.Code]bool) []diagnose.Code {
	return slices.Sorted(maps.Keys(m))
}
