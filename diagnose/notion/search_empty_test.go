package notion

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestEmptySearchAsksThePastedQuery: the integration's own search is asked
// with the query the paste shows; the search with no query follows only
// when that finds nothing, and the finding says what each saw.
func TestEmptySearchAsksThePastedQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		searches int
		has      []string
	}{
		{
			name:     "the query finds what the paste did not",
			text:     "const r = await notion.search({ query: 'Roadmap', filter: { property: 'object', value: 'page' } })\n// r.results is []",
			searches: 1,
			has:      []string{`search for "Roadmap" (no filter) finds 1 result`, `object filter "page"`},
		},
		{
			name:     "the query finds nothing here either",
			text:     `curl -X POST https://api.notion.com/v1/search -H "Notion-Version: 2022-06-28" -d '{"query":"Quarterly OKRs","filter":{"property":"object","value":"database"}}'` + "\n" + `{"object":"list","results":[],"next_cursor":null,"has_more":false}`,
			searches: 2,
			has:      []string{`search for "Quarterly OKRs" (no filter) finds nothing here either`, "no query) sees", "2022-06-28", `"database"`},
		},
		{
			name:     "no query pasted: only the search with no query",
			text:     "search returns no results for my integration",
			searches: 1,
			has:      []string{"no query) sees"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := nt.NewServer(t)
			p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Rate: 1000, Burst: 1000, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			rd := diagnose.ReadText(tt.text, diagnose.DefaultMaxChecks)
			rep := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p}).DiagnoseReading(ctxT(t, 10*time.Second), rd, diagnose.Options{})
			var detail string
			for _, c := range rep.Checks {
				for _, f := range c.Findings {
					if f.Code == diagnose.CodeSearchEmpty {
						detail = f.Detail + " " + strings.Join(f.Fix, " ")
					}
				}
			}
			if detail == "" {
				t.Fatalf("no search.empty finding (call %+v)", rd.Call)
			}
			for _, w := range tt.has {
				if !strings.Contains(detail, w) {
					t.Errorf("search.empty does not hold %q:\n%s", w, detail)
				}
			}
			if n := srv.CallsTo("/v1/search"); n != tt.searches {
				t.Errorf("%d searches, want %d", n, tt.searches)
			}
		})
	}
}
