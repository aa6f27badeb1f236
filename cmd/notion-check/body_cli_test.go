package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestCLIFailedWrite: a failed write pasted on stdin is answered by what
// was sent, the property and the JSON to send first, online against the
// fake's schema and offline from the message alone; never "All good" or
// exit 0 (docs/usage.md, "The CLI"); the JSON report carries call.fields and the finding's
// example.
func TestCLIFailedWrite(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	row := notiontest.RowPageID
	for _, tc := range []struct {
		name    string
		offline bool
		text    string
		first   []string // in the first line
		inJSON  []string
	}{
		{
			name:   "n8n status option beside the page",
			text:   "NodeApiError: Bad request - please check your parameters\nInvalid status option. Status option \"Blocked\" does not exist\".\nPage ID: " + row,
			first:  []string{`"Blocked"`, `"Not started"`},
			inJSON: []string{`"code": "body.option"`, `"sent": "Blocked"`, `"example": "{\"Status\":{\"status\":{\"name\":\"Not started\"}}}"`},
		},
		{
			name:   "Fix one union on a readable page",
			text:   "PATCH https://api.notion.com/v1/pages/" + row + "\n" + `{"object":"error","status":400,"code":"validation_error","message":"body failed validation. Fix one:\nbody.properties.Status.title should be defined, instead was ` + "`undefined`" + `.\nbody.properties.Status.status should be defined, instead was ` + "`undefined`" + `."}`,
			first:  []string{`Status is a status property — send {"status":{"name":"Done"}}`},
			inJSON: []string{`"path": "body.properties.Status"`, `"expected": [`, `"status"`},
		},
		{
			name:    "offline: the message alone",
			offline: true,
			text:    "APIResponseError: Labels is expected to be multi_select.",
			first:   []string{`Labels is a multi_select property — send {"multi_select":[{"name":"A"}]}`},
			inJSON:  []string{`"code": "body.property_type"`, `"property": "Labels"`},
		},
		{
			name:   "pasted body: every property against the schema",
			text:   "curl -X POST https://api.notion.com/v1/pages -H 'Notion-Version: 2025-09-03' --data '{\"parent\":{\"data_source_id\":\"" + notiontest.DataSourceID + "\"},\"properties\":{\"Title\":{\"title\":[{\"text\":{\"content\":\"Launch\"}}]},\"Created\":{\"created_time\":\"2026-01-01\"}}}'\n{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"Title is not a property that exists.\"}",
			first:  []string{`The title property is named "Name"`},
			inJSON: []string{`"body": true`, `"code": "body.title"`, `"code": "body.read_only"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := environ{}
			if !tc.offline {
				env = environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
			}
			out, errOut, code := cli(t, env, tc.text)
			if code != 1 {
				t.Errorf("exit %d, want 1 (a failed call); stderr %q\n%s", code, errOut, out)
			}
			first, _, _ := strings.Cut(out, "\n")
			for _, w := range tc.first {
				if !strings.Contains(first, w) {
					t.Errorf("first line %q lacks %q\n%s", first, w, out)
				}
			}
			if strings.Contains(out, "All good") || strings.Contains(out, "Fix one") && strings.Count(out, "should be defined") > 1 {
				t.Errorf("report says all good or echoes the union:\n%s", out)
			}
			js, _, _ := cli(t, env, tc.text, "--json")
			if !json.Valid([]byte(js)) {
				t.Fatalf("not JSON:\n%s", js)
			}
			for _, w := range tc.inJSON {
				if !strings.Contains(js, w) {
					t.Errorf("JSON lacks %s\n%s", w, js)
				}
			}
		})
	}
}
