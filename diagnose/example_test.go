package diagnose_test

import (
	"context"
	"fmt"

	"github.com/notion-check/notion-check/diagnose"
)

func ExampleRead() {
	text := "why does <https://www.notion.so/acme/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&amp;p=249d19fb353080fcabcdef0123456789&amp;pm=s|this> fail?"
	for _, ref := range diagnose.Read(text) {
		fmt.Println(ref.ID, ref.Hint)
		for _, r := range ref.Related {
			fmt.Println(" ", r.Role, r.ID)
		}
		for _, f := range ref.Findings {
			fmt.Println(" ", f.Code)
		}
	}
	// Output:
	// 249d19fb-3530-80fc-abcd-ef0123456789 page
	//   database 1212250f-3985-801c-abcd-ef0123456789
	//   view 9a3e53af-8585-464d-b3e0-123456789abc
	//   id.extracted
	//   link.peek
}

func ExampleDiagnoser_Diagnose() {
	// Without a token (and so without a Prober) the diagnosis is offline.
	d := diagnose.New(diagnose.Config{})
	rep := d.Diagnose(context.Background(), "path failed validation: path.page_id should be a valid uuid, instead was `\"None\"`.", diagnose.Options{})
	fmt.Println(rep.Integration.Status, rep.Checks[0].Status, rep.Checks[0].Findings[0].Code, rep.HasError())
	// Output:
	// missing problem id.missing true
}

func ExampleTokenFindings() {
	for _, f := range diagnose.TokenFindings(`"Bearer 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"`) {
		fmt.Println(f.Code)
		fmt.Println(f.Detail)
	}
	// Output:
	// token.malformed
	// NOTION_TOKEN: it is wrapped in quotes; it starts with 'Bearer ' (the client adds that itself). (The token itself is not shown.)
}
