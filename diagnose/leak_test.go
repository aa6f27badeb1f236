package diagnose_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

const pastedToken = "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"

// TestTokenLeakedFinding: whatever form a pasted token takes, the report
// says token.leaked first among the integration findings, and nothing in
// the JSON report repeats any part of it.
func TestTokenLeakedFinding(t *testing.T) {
	d := diagnose.New(diagnose.Config{})
	scan := leakscan.New(pastedToken)
	for _, tc := range []struct {
		name, text string
		leaked     bool
	}{
		{"none", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e", false},
		{"glued after a digit", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0" + pastedToken, true},
		{"url-encoded", "https://example.com/?t=%22" + pastedToken + "%22", true},
		{"zero-width split", strings.Join(strings.SplitAfter(pastedToken, "x"), "\u200b"), true},
		{"entity", "ntn&#95;" + pastedToken[4:], true},
		{"in the link", "https://www.notion.so/x-1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e?token=" + pastedToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := d.Diagnose(context.Background(), tc.text, diagnose.Options{})
			got := diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenLeaked)
			if got != tc.leaked {
				t.Fatalf("token.leaked = %v, want %v: %+v", got, tc.leaked, rep.Integration.Findings)
			}
			if got && rep.Integration.Findings[0].Code != diagnose.CodeTokenLeaked {
				t.Errorf("token.leaked is not first: %+v", rep.Integration.Findings)
			}
			js, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if leaks := scan.Scan(string(js)); len(leaks) > 0 {
				t.Errorf("the report holds the token: %v", leaks)
			}
		})
	}
}
