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
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	info := p.Integration(ctx, diagnose.ProbeOptions{})
	fmt.Println(info.Status, info.Name, "/", info.Workspace)

	for _, id := range []string{notiontest.SharedPageID, notiontest.UnsharedPageID} {
		ref := diagnose.Reference{Source: id, ID: id, Hint: diagnose.KindUnknown}
		res := p.Probe(ctx, ref, diagnose.ProbeOptions{})
		fmt.Println(res.Kind, res.Title, res.Findings[0].Code, len(res.Evidence), "calls")
	}
	// Output:
	// ok Iris Checker / Acme Corp
	// page Roadmap 2026 access.ok 2 calls
	// unknown  access.not_shared 2 calls
}
