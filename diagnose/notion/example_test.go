package notion_test

import (
	"context"
	"fmt"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// Example probes two references against the fake Notion API: a page shared
// with the integration and one that is not.
func Example() {
	srv := notiontest.Start()
	defer srv.Close()

	p, err := notion.New(notion.Config{
		Token:   notiontest.GoodToken, // in production: NOTION_TOKEN
		BaseURL: srv.URL,              // in production: NOTION_API_URL or the default
		OneShot: true,                 // one run of the CLI; a bot leaves it false
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The adapter only observes; the domain's rules make the verdict.
	d := diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p})
	for _, id := range []string{notiontest.SharedPageID, notiontest.UnsharedPageID} {
		rep := d.Diagnose(ctx, id, diagnose.Options{})
		c := rep.Checks[0]
		fmt.Println(rep.Integration.Status, rep.Integration.Name, "/", rep.Integration.Workspace, "|", c.Kind, c.Title, c.Findings[0].Code, len(c.Evidence), "calls")
	}
	// A shared page takes one call (blocks) and no users/me: its verdict
	// does not need the integration's name. "Not shared" needs every
	// endpoint that could serve a bare ID (blocks, data_sources, views) and
	// users/me for its advice (workspace, personal access token).

	// Output:
	// ok  /  | page Roadmap 2026 access.ok 1 calls
	// ok Iris Checker / Acme Corp | unknown  access.not_shared 3 calls
}
