package diagnose

import (
	"strings"
	"testing"
)

// TestEmptyFindingFollowsThePaste: the search.empty finding names what
// the paste shows (the query text, the object filter and what it means
// under the version sent, the data source queried), offline.
func TestEmptyFindingFollowsThePaste(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		has  []string
		not  []string
	}{
		{
			name: "JS search, 2022-06-28's filter value, no version shown",
			text: "const r = await notion.search({ query: 'Tasks', filter: { property: 'object', value: 'database' } })\nconsole.log(r) // { object: 'list', results: [], next_cursor: null, has_more: false }",
			has:  []string{`The search for "Tasks" with the object filter "database"`, "2022-06-28's", `"data_source"`},
		},
		{
			name: "curl: \"database\" with 2025-09-03 cannot answer empty",
			text: `curl -X POST 'https://api.notion.com/v1/search' -H 'Notion-Version: 2025-09-03' --data '{"query":"Roadmap","filter":{"value":"database","property":"object"}}'` + "\n=> {\"object\":\"list\",\"results\":[],\"has_more\":false}",
			has:  []string{`"Roadmap"`, "under Notion-Version 2025-09-03", "refuses the filter value \"database\" with 400", "did not go with that version"},
		},
		{
			name: "Python: data_source under 2022-06-28",
			text: "notion = Client(auth=tok, notion_version=\"2022-06-28\")\nnotion.search(query=\"Inventory\", filter={\"property\": \"object\", \"value\": \"data_source\"})\nresults is []",
			has:  []string{`"Inventory"`, "needs Notion-Version 2025-09-03", "under 2022-06-28 filter with \"database\""},
		},
		{
			name: "data_source filter under a current version: database title",
			text: `search({"query": "Sprint board", "filter": {"property": "object", "value": "data_source"}}) -> results: []`,
			has:  []string{`"Sprint board"`, "matches the database's title"},
		},
		{
			name: "page filter while looking for a database",
			text: "notion.search({query:\"CRM\", filter:{value:'page', property:'object'}}) returns an empty results array, results: []",
			has:  []string{`"CRM"`, "leaves databases and data sources out"},
		},
		{
			name: "an empty data source query names the data source",
			text: "POST https://api.notion.com/v1/data_sources/3d47810f-380f-80d7-a003-000000000001/query\nNotion-Version: 2025-09-03\n{\"object\":\"list\",\"results\":[],\"next_cursor\":null,\"has_more\":false}",
			has:  []string{"The query of data source 3d47810f-380f-80d7-a003-000000000001 under Notion-Version 2025-09-03", "run it once with no filter"},
			not:  []string{"search for"},
		},
		{
			name: "in words, no query",
			text: "Search returns no results even though the page exists",
			has:  []string{"The search answered 200 with no results"},
			not:  []string{" for \""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rd := ReadText(tt.text, DefaultMaxChecks)
			var got string
			for _, r := range rd.References {
				for _, f := range r.Findings {
					if f.Code == CodeSearchEmpty {
						got = f.Detail + " " + strings.Join(f.Fix, " ")
					}
				}
			}
			if got == "" {
				t.Fatalf("no search.empty (call %+v)", rd.Call)
			}
			for _, w := range tt.has {
				if !strings.Contains(got, w) {
					t.Errorf("does not hold %q:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("holds %q:\n%s", w, got)
				}
			}
		})
	}
}
