package diagnose

import (
	"strings"
	"testing"
)

// TestAnswerNamesTheIntegrationCheckedAs: when a check ran as one named
// integration (the one a pasted error names), its answer names that one,
// not NOTION_TOKEN's; a personal access token's answer never says to add
// a connection.
func TestAnswerNamesTheIntegrationCheckedAs(t *testing.T) {
	notShared := NewFinding(CodeAccessNotShared, "not found", Vars{"integration": "Marketing Sync"})
	personal := NewFinding(CodeTokenPersonal, "personal", nil)
	tests := []struct {
		name         string
		rep          Report
		want, absent string
	}{
		{"checked as another integration",
			Report{Integration: Integration{Name: "Iris Checker"}, Checks: []Check{{ID: "x", Kind: KindUnknown,
				Findings: []Finding{notShared}, Access: []Access{{Integration: "Marketing Sync"}}}}},
			"Not shared with Marketing Sync — open it → ••• → Connections → add Marketing Sync", "Iris Checker"},
		{"checked as another integration, not finished: its evidence tells",
			Report{Integration: Integration{Name: "Iris Checker"}, Checks: []Check{{ID: "x", Kind: KindUnknown,
				Findings: []Finding{notShared}, Evidence: []Evidence{{Integration: "Marketing Sync"}, {Integration: "Marketing Sync"}}}}},
			"add Marketing Sync", "Iris Checker"},
		{"every integration asked: NOTION_TOKEN's answer",
			Report{Integration: Integration{Name: "Iris Checker"}, Checks: []Check{{ID: "x", Kind: KindUnknown,
				Findings: []Finding{notShared}, Access: []Access{{Integration: "Iris Checker"}, {Integration: "Marketing Sync", Sees: true}}}}},
			"Not shared with Iris Checker", "Marketing Sync"},
		{"checked as a personal access token",
			Report{Integration: Integration{Name: "Iris Checker"}, Checks: []Check{{ID: "x", Kind: KindUnknown,
				Findings: []Finding{notShared, personal}, Access: []Access{{Integration: "Notion CLI"}}}}},
			"personal access token Notion CLI", "Connections"},
		{"NOTION_TOKEN is a personal access token",
			Report{Integration: Integration{Name: "Notion CLI", Findings: []Finding{personal}}, Checks: []Check{{ID: "x", Kind: KindUnknown,
				Findings: []Finding{notShared}, Access: []Access{{Integration: "Notion CLI"}}}}},
			"personal access token Notion CLI", "Connections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rep.AnswerText(&tt.rep.Checks[0], tt.rep.Checks[0].Findings[0])
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.absent) {
				t.Errorf("answer %q, want %q and no %q", got, tt.want, tt.absent)
			}
		})
	}
}
