package diagnose_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/findings.md from the finding table")

// findingsDoc renders the finding table as the reference page docs/findings.md,
// so that the list people read is the table itself, never a copy kept by hand.
func findingsDoc() string {
	var b strings.Builder
	b.WriteString("# Finding codes\n\n")
	b.WriteString("Generated from the one finding table (`diagnose/findings.go`) by\n")
	b.WriteString("`go test ./diagnose -run TestFindingsDoc -update-docs`; a test fails when the two differ.\n")
	b.WriteString("The codes are stable: new ones may be added, none changes meaning.\n\n")
	b.WriteString("| code | severity | title | fix |\n|---|---|---|---|\n")
	for _, code := range diagnose.AllCodes() {
		spec, _ := diagnose.Spec(code)
		fix := make([]string, len(spec.Fix))
		for i, step := range spec.Fix {
			fix[i] = cell(step)
		}
		b.WriteString("| `" + string(code) + "` | " + string(spec.Severity) + " | " + cell(spec.Title) + " | " + strings.Join(fix, "<br>") + " |\n")
	}
	return b.String()
}

// cell makes a text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func TestFindingsDoc(t *testing.T) {
	path := filepath.Join("..", "docs", "findings.md")
	want := findingsDoc()
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./diagnose -run TestFindingsDoc -update-docs)", err)
	}
	if string(got) != want {
		t.Errorf("docs/findings.md differs from the finding table: run go test ./diagnose -run TestFindingsDoc -update-docs and review the diff")
	}
}
