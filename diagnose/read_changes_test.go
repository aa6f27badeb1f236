package diagnose

import (
	"slices"
	"strings"
	"testing"
)

// TestReadChanges holds the classes of wording for each change described
// in words: several phrasings, cases and typos each, and texts that must
// not be read as one (JSON keys, the words apart, other meanings).
func TestReadChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []Change
	}{
		// Several data sources.
		{"our n8n flow broke since the database got multiple data sources", []Change{ChangeMultipleSources}},
		{"Notion now lets a DB have SEVERAL DATA SOURCES, does jomei support that?", []Change{ChangeMultipleSources}},
		{"the tasks db has two datasources now and the query fails", []Change{ChangeMultipleSources}},
		{"is a multi-source database readable with 2022-06-28?", []Change{ChangeMultipleSources}},
		{"after I added a second table the database has more than one data source", []Change{ChangeMultipleSources}},
		{"mutliple data souces in one database", []Change{ChangeMultipleSources}},
		{"multiple data-sources", []Change{ChangeMultipleSources}},
		// archived → in_trash.
		{"archived is gone from the page object after upgrading", []Change{ChangeInTrash}},
		{"Looks like `archived` was renamed to in_trash?", []Change{ChangeInTrash}},
		{"the ARCHIVED flag is missing under 2026-03-11", []Change{ChangeInTrash}},
		{"should I use in_trash instead of archived", []Change{ChangeInTrash}},
		{"archieved property dissapeared, it's removed now", []Change{ChangeInTrash}},
		{"Notion deprecated archived; pages.update({archived: true}) no longer trashes", []Change{ChangeInTrash}},
		{"what does in_trash mean for a page?", []Change{ChangeInTrash}},
		{"if (page.inTrash) skip(page)", []Change{ChangeInTrash}},
		{"the page is in the trash", nil},
		// Data source IDs.
		{"where do I find the data source ID for my database?", []Change{ChangeDataSourceID}},
		{"Which datasource id goes into dataSources.query?", []Change{ChangeDataSourceID}},
		{"I copied the Data Source Id from manage data sources", []Change{ChangeDataSourceID}},
		// Views.
		{"how do I use the views API to read a ?v= link", []Change{ChangeViews}},
		{"is the view ID usable anywhere in the API", []Change{ChangeViews}},
		{"what does the Views endpoint return", []Change{ChangeViews}},
		// Domain.
		{"our links changed from notion.so to app.notion.com and the parser broke", []Change{ChangeDomain}},
		{"Notion moved the domain, URLs are now https://app.notion.com/p/...", []Change{ChangeDomain}},
		// Personal access tokens.
		{"I'm using a personal access token, do I still need to add connections?", []Change{ChangePersonalToken}},
		{"with my Personal Token the page 404s", []Change{ChangePersonalToken}},
		{"Using a PAT from the developer portal", []Change{ChangePersonalToken}},
		{"personnal acess tokens cannot see my page", []Change{ChangePersonalToken}},
		// Workspace rate limit.
		{"we hit the workspace rate limit even though each integration is slow", []Change{ChangeWorkspaceLimit}},
		{"is the rate limit per workspace now?", []Change{ChangeWorkspaceLimit}},
		{"Rate limits are shared across all our connections since June", []Change{ChangeWorkspaceLimit}},
		{"429 from the workspace-wide limit", []Change{ChangeWorkspaceLimit}},
		// Not a change described in words.
		{`{"object":"page","archived":false,"in_trash":false}`, nil},
		{"archived: false\nin_trash: false", nil},
		{`"parent":{"type":"data_source_id","data_source_id":"x"}`, nil},
		{"I have more questions about the data source", nil},
		{"the page is archived and I cannot edit it", nil},
		{"https://app.notion.com/p/Team-Handbook-1212f8a1b2c34d5e8f901234567890ab", nil},
		{"patrick's token", nil},
		{"preview of the data", nil},
		{"the limit of 100 items in a workspace page", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := readChanges(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("readChanges(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestChangeFindings: every change gives a finding with a detail and fix
// steps, no step left with a placeholder, and a described change replaces
// the "no ID" of a text that is only about it.
func TestChangeFindings(t *testing.T) {
	t.Parallel()
	for _, ch := range allChanges {
		f := changeFinding(ch, nil)
		if f.Detail == "" || len(f.Fix) == 0 {
			t.Errorf("%s: %s without detail or fix", ch, f.Code)
		}
		for _, s := range f.Fix {
			if strings.Contains(s, "{") && strings.Contains(s, "}") && !strings.Contains(s, "\"") {
				t.Errorf("%s: fix step %q looks unfilled", ch, s)
			}
		}
	}
	for _, tt := range []struct {
		text string
		want Code
	}{
		{"does anyone know if archived is gone in the new API version?", CodeErrorVersion},
		{"our database has multiple data sources now, how do I query it?", CodeDatabaseMultipleSources},
		{"where is the data source id in Notion's UI", CodeDatabaseDataSources},
		{"with a personal access token the search finds the page but update fails", CodeTokenPersonal},
		{"we keep hitting the workspace rate limit", CodeErrorRateLimited},
	} {
		rd := ReadText(tt.text, DefaultMaxChecks)
		if !rd.Answerable() {
			t.Errorf("%q: not answerable", tt.text)
		}
		if len(rd.References) != 1 || len(rd.References[0].Findings) == 0 || rd.References[0].Findings[0].Code != tt.want {
			t.Errorf("%q: findings %v, want %s first", tt.text, refCodes(rd.References), tt.want)
		}
		if codes := refCodes(rd.References); slices.Contains(codes, CodeIDMissing) && tt.want != CodeIDMissing {
			t.Errorf("%q: still says no ID: %v", tt.text, codes)
		}
	}
	// A change the pasted error itself shows is the error's finding.
	rd := ReadText(`{"object":"error","status":400,"code":"validation_error","message":"Databases with multiple data sources are not supported in this API version."}`, DefaultMaxChecks)
	if codes := refCodes(rd.References); slices.Contains(codes, CodeDatabaseMultipleSources) {
		t.Errorf("the error's own words read as a change described: %v", codes)
	}
}

func refCodes(refs []Reference) []Code {
	var out []Code
	for _, r := range refs {
		for _, f := range r.Findings {
			out = append(out, f.Code)
		}
	}
	return out
}

// TestSaidEmpty holds the class of sentences that say a search, query or
// list finds nothing, in several wordings, cases and orders, and
// sentences that must not be read so.
func TestSaidEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"my integration's search finds nothing", true},
		{"Search returns NOTHING even though the page is there", true},
		{"the query doesn't return any rows", true},
		{"databases.query comes back empty", true},
		{"I get zero results from search", true},
		{"no results when I search for the page title", true},
		{"Nothing found by the API search", true},
		{"search can't find any pages", true},
		{"notion.search() returned 0 results", true},
		{"the list of children is empty", true},
		{"search works fine and finds my page", false},
		{"I have no idea how to query a data source", false},
		{"nothing is shared yet, where do I start", false},
		{`{"results": [{"object":"page"}]}`, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := readWords(tt.text).saidEmpty; got != tt.want {
			t.Errorf("saidEmpty(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestPreferObserved: a described change's finding gives way to the same
// code observed online; other offline findings stay.
func TestPreferObserved(t *testing.T) {
	t.Parallel()
	offline := []Finding{changeFinding(ChangeMultipleSources, nil), NewFinding(CodeIDExtracted, "d", Vars{"compact": "x", "id": "y"})}
	got := preferObserved(offline, []Finding{NewFinding(CodeDatabaseMultipleSources, "observed", nil)})
	if len(got) != 1 || got[0].Code != CodeIDExtracted {
		t.Errorf("got %v", got)
	}
	if got := preferObserved(offline, nil); len(got) != 2 {
		t.Errorf("with nothing observed: %v", got)
	}
}

// TestInTrashChangeAnswer holds that a person who says archived is gone is
// told to use in_trash, not to send the Notion-Version they already send.
func TestInTrashChangeAnswer(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"archived is gone in the new API?",
		"after upgrading to 2026-03-11 the archived property disappeared from pages.retrieve",
		"Archived was renamed to in_trash? my filter on archived stopped working",
	} {
		f := changeFinding(ChangeInTrash, nil)
		rep := Report{Checks: []Check{{Findings: []Finding{f}}}}
		got := rep.AnswerText(&rep.Checks[0], f)
		if !strings.Contains(got, "in_trash") || strings.Contains(got, "send a current Notion-Version") {
			t.Errorf("%q: answer %q", text, got)
		}
		for _, s := range f.Fix {
			if strings.Contains(s, "Send the header Notion-Version") {
				t.Errorf("%q: fix step %q sends the version they already use", text, s)
			}
		}
		rd := ReadText(text, DefaultMaxChecks)
		if codes := refCodes(rd.References); !slices.Contains(codes, CodeErrorVersion) {
			t.Errorf("%q: not read as the in_trash change: %v", text, codes)
		}
	}
}
