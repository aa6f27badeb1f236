package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
)

// TestFooterNamesTheIntegrationANamePicked: when a name picked the
// integration the checks were judged as (--as, or the one a pasted error
// names), the footer says "As" that one, even when the others were asked
// whether they see the object.
func TestFooterNamesTheIntegrationANamePicked(t *testing.T) {
	rep := diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Iris Checker", Workspace: "Acme Corp", Findings: []diagnose.Finding{}},
		APIVersion:  "2025-09-03",
		As:          "Marketing Sync",
		Checks: []diagnose.Check{{ID: "3d47810f-380f-80d7-a001-000000000002", Kind: diagnose.KindPage, Status: diagnose.StatusOK,
			Access:   []diagnose.Access{{Integration: "Marketing Sync", Sees: true}, {Integration: "Iris Checker", Sees: true}},
			Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeAccessOK, "readable", diagnose.Vars{"endpoint": "/v1/pages/x", "kind": "page", "next": "-"})}}},
	}
	b, err := json.Marshal(Render(rep, RenderOptions{NoRecheck: true}).Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, "As Marketing Sync") || strings.Contains(s, "As Iris Checker") {
		t.Errorf("footer does not name Marketing Sync:\n%s", s)
	}
}
