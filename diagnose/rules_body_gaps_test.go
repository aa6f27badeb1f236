package diagnose

import (
	"strings"
	"testing"
)

// TestDatabaseNameAsProperty: a key that is the data source's (or
// database's) own name is said to be so, in any case or spacing, and a key
// merely like it is not.
func TestDatabaseNameAsProperty(t *testing.T) {
	t.Parallel()
	s := &observedSchema{name: "Reading List", props: []SchemaProperty{{Name: "Title", Type: "title"}, {Name: "Author", Type: "rich_text"}}}
	for _, tt := range []struct {
		key  string
		self bool
	}{
		{"Reading List", true},
		{"reading list", true},
		{" READING LIST ", true},
		{"Reading%20List", true},
		{"Reading", false},
		{"Author ", false},
	} {
		c := &Call{Status: 400, Code: "validation_error", Message: tt.key + " is not a property that exists."}
		f := missingFinding(c, tt.key, s, "")
		got := strings.Contains(f.Answer, "own name")
		if got != tt.self {
			t.Errorf("%q: answer %q, want own name %v", tt.key, f.Answer, tt.self)
		}
		if tt.self && !strings.Contains(f.Example, `"Title"`) {
			t.Errorf("%q: example %q does not put the title under its property", tt.key, f.Example)
		}
	}
}

// TestBodyWordsFollowTheVersion: under Notion-Version 2022-06-28 a body
// finding speaks of the database, never of a data source (but for the
// parent's data_source_id advice, which holds in every version).
func TestBodyWordsFollowTheVersion(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{
		"Priority is not a property that exists.",
		"Priority is expected to be select.",
		"Invalid status option. Status option \"Blocked\" does not exist.",
	} {
		for _, tt := range []struct {
			version string
			noun    string
		}{{"2022-06-28", "database"}, {"2025-09-03", "data source"}, {"", "data source"}} {
			text := `{"object":"error","status":400,"code":"validation_error","message":"` + strings.ReplaceAll(msg, `"`, `\"`) + `"}`
			if tt.version != "" {
				text += "\nNotion-Version: " + tt.version
			}
			c := readCall(text)
			fs := bodyFindings(c)
			if len(fs) == 0 {
				t.Fatalf("%q: no body finding", text)
			}
			all := fs[0].Answer + " " + fs[0].Detail + " " + strings.Join(fs[0].Fix, " ")
			if tt.noun == "database" && strings.Contains(strings.ReplaceAll(all, "/v1/data_sources", ""), "data source") {
				t.Errorf("%s under %s says data source: %s", msg, tt.version, all)
			}
		}
	}
	// The parent advice keeps data_source_id in every version.
	c := &Call{Status: 400, Code: "validation_error", NotionVersion: "2022-06-28"}
	fs := inVersionWords([]Finding{NewFinding(CodeBodyParent, "send the data source meant", Vars{"body_fix": "the data source"})}, c)
	if !strings.Contains(fs[0].Detail, "data source") {
		t.Errorf("the parent finding was reworded: %q", fs[0].Detail)
	}
}

// TestOnlineNoteSettled: online, the offline "with a token…" step never
// stays; it says why the schema was not read.
func TestOnlineNoteSettled(t *testing.T) {
	t.Parallel()
	body := func() Finding {
		return bodyFinding(CodeBodyPropertyType, "Priority is a select property", "d", "Send Priority as select.", "")
	}
	for _, tt := range []struct {
		name  string
		rep   Report
		words string
	}{
		{"no ID in the paste", Report{Checks: []Check{{Findings: []Finding{body()}}}}, "Paste the page's or data source's ID"},
		{"not shared", Report{Checks: []Check{{ID: "x", Findings: []Finding{body(), NewFinding(CodeAccessNotShared, "d", nil)}}}}, "answers 404"},
		{"token refused", Report{Integration: Integration{Status: StatusProblem}, Checks: []Check{{ID: "x", Findings: []Finding{body()}}}}, "refused the token"},
		{"no schema behind it", Report{Checks: []Check{{ID: "x", Findings: []Finding{body()}}}}, "could not be read"},
	} {
		if !isOnlineNote(tt.rep.Checks[0].Findings[0].Fix[len(tt.rep.Checks[0].Findings[0].Fix)-1]) {
			t.Fatalf("%s: the offline finding has no online note: %q", tt.name, tt.rep.Checks[0].Findings[0].Fix)
		}
		settleOnlineNote(&tt.rep, &Call{Status: 400})
		steps := strings.Join(tt.rep.Checks[0].Findings[0].Fix, " | ")
		if strings.Contains(steps, onlineNote) || !strings.Contains(steps, tt.words) {
			t.Errorf("%s: steps %q, want %q and no online note", tt.name, steps, tt.words)
		}
	}
}
