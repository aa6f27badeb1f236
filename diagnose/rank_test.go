package diagnose

import (
	"context"
	"strings"
	"testing"
)

// TestRankCauseFirst holds the ranking rules in one table: the
// first line is the decisive cause of the person's failure. What Notion
// said about their call outranks a guess from their code; a value the error
// shows was sent is never called unset; when findings compete, the one
// that explains the pasted status and message leads and the others follow.
func TestRankCauseFirst(t *testing.T) {
	const db, ds = "3d47810f-380f-80d7-a002-000000000001", "3d47810f-380f-80d7-a003-000000000001"
	tokenLike := "ntn_" + "456476151729vWBETTAc421EJdkefwPvw8dfNt2oszUa7v"
	for _, tt := range []struct {
		name string
		text string
		// online findings added to the check whose ID is id (nil: offline
		// only), with its kind and related IDs.
		id      string
		kind    Kind
		related []Related
		online  []Finding
		code    Code     // the headline's code
		says    []string // in the headline
		never   []string // not in the headline
		follows []Code   // still in the report, after the cause
	}{
		{name: "a 404 naming a database ID beats the unset-variable guess",
			text: "const r = await notion.dataSources.query({ data_source_id: process.env.TASKS_DB });\n" +
				`APIResponseError: Could not find data_source with ID: ` + db + `. Make sure the relevant pages and databases are shared with your integration "Iris Checker".`,
			id: db, kind: KindDatabase, related: []Related{{KindDataSource, ds}},
			online: []Finding{NewFinding(CodeEndpointMismatch, "a database used as a data source", Vars{"kind": "database", "endpoint": "/v1/data_sources/" + ds, "used": "/v1/data_sources/" + db, "next": "-"})},
			code:   CodeEndpointMismatch, says: []string{"TASKS_DB holds the database ID", "use its data source " + ds}, never: []string{"not set"}},
		{name: "an archived page beats the variable that filled page_id",
			text: "await notion.pages.update({ page_id: params.pageId, archived: false })\n@notionhq/client warn: request fail { code: 'validation_error', message: \"Can't edit page that is archived. You must unarchive the page before editing.\" }",
			code: CodeErrorArchived, never: []string{"not set"}},
		{name: "a misspelt, reworded archived message is still the cause",
			text: "Error: Can't update a page that is archieved.", code: CodeErrorArchived},
		{name: "an unset variable Notion saw as undefined is the cause",
			text: "notion.pages.retrieve({ page_id: process.env.PAGE_ID })\n" + `{"object":"error","status":400,"code":"validation_error","message":"path failed validation: path.page_id should be a valid uuid, instead was ` + "`\"undefined\"`" + `."}`,
			code: CodeIDVariable, says: []string{"not set"}},
		{name: "a doubled Bearer explains the 401 before the leaked token",
			text: `curl https://api.notion.com/v1/users/me -H "Authorization: Bearer Bearer ` + tokenLike + `" -H "Notion-Version: 2025-09-03"` + "\n" + `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`,
			code: CodeErrorUnauthorized, says: []string{"Bearer is doubled"}, never: []string{tokenLike[4:]}, follows: []Code{CodeTokenLeaked}},
		{name: "a 429 the person got beats a leaked token beside it",
			text: `NOTION_TOKEN=` + tokenLike + "\n" + `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes."}`,
			code: CodeErrorRateLimited, follows: []Code{CodeTokenLeaked}},
		{name: "an MCP tool's schema error never reached Notion",
			text: "MCP error -32602: Invalid arguments for tool API-post-page: [{\"code\":\"invalid_type\",\"expected\":\"object\",\"received\":\"string\",\"path\":[\"parent\"]}]",
			code: CodeCallClient, says: []string{"schema"}, never: []string{"No Notion ID"}},
		{name: "an HTML page where JSON was expected never reached the API",
			text: "SyntaxError: Unexpected token < in JSON at position 0\n    at JSON.parse (<anonymous>)",
			code: CodeCallClient, says: []string{"HTML"}},
		{name: "a data-source MCP tool on 2022-06-28 is a version problem, not a path",
			text: `MCP server config: {"Notion-Version": "2022-06-28"}` + "\nAPI-query-data-source → {\"status\":\"error\",\"object\":\"error\",\"status\":400,\"code\":\"invalid_request_url\",\"message\":\"Invalid request URL.\"}",
			code: CodeErrorVersion, never: []string{"32-character ID"}},
		{name: "an OAuth code exchange is not a 401 on the token",
			text: "POST /v1/oauth/token\n{\"error\":\"invalid_grant\",\"error_description\":\"Invalid code: this code has been revoked.\"}",
			code: CodeOAuthGrant, never: []string{"401"}},
		{name: "an empty search answer is the question, not a missing ID",
			text: "const r = await notion.search({ query: 'Tasks' })\n// { object: 'list', results: [], next_cursor: null, has_more: false }",
			code: CodeSearchEmpty},
		{name: "a 404 with the object not shared beats an example link in the code",
			text: "fetch('https://example.com/webhook')\n" + `{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + db + `. Make sure the relevant pages and databases are shared with your integration \"Iris Checker\"."}`,
			id:   db, kind: KindPage,
			online: []Finding{NewFinding(CodeAccessNotShared, "404 everywhere", Vars{"integration": "Iris Checker"})},
			code:   CodeAccessNotShared, never: []string{"Not a link"}},
		{name: "no call: an error still leads a warning",
			text: "https://www.notion.so/acme/Roadmap-1212250f3985801cabcdef01234567?v=1", code: CodeIDMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := New(Config{}).Diagnose(context.Background(), tt.text, Options{Offline: true})
			if tt.online != nil {
				found := false
				for i := range rep.Checks {
					c := &rep.Checks[i]
					if c.ID == tt.id {
						found = true
						c.Kind, c.Related = tt.kind, append(c.Related, tt.related...)
						c.Findings = append(c.Findings, tt.online...)
						c.Access = []Access{{Integration: "Iris Checker", Sees: true}}
						rankFindings(c.Findings, rep.Call)
					}
				}
				if !found {
					t.Fatalf("no check of %s in %+v", tt.id, rep.Checks)
				}
			}
			h := rep.Headline()
			if h.Code != tt.code {
				t.Errorf("headline %s %q, want %s\ncodes %v", h.Code, h.Text, tt.code, rep.Codes())
			}
			for _, s := range tt.says {
				if !strings.Contains(h.Text, s) {
					t.Errorf("headline %q does not say %q", h.Text, s)
				}
			}
			for _, s := range tt.never {
				if strings.Contains(h.Text, s) {
					t.Errorf("headline %q says %q", h.Text, s)
				}
			}
			for _, c := range tt.follows {
				if !HasCode(append(rep.Integration.Findings, allFindings(rep)...), c) {
					t.Errorf("%s is gone; it should follow the cause", c)
				}
			}
			if rep.Call != nil && rep.Call.Failed() {
				for _, c := range rep.Checks {
					// Within a check, what explains the call comes first.
					fs := rep.ShownFindings(c)
					for i := 1; i < len(fs); i++ {
						if explains(fs[i].Code, rep.Call) && !explains(fs[i-1].Code, rep.Call) {
							t.Errorf("%s explains the call but follows %s", fs[i].Code, fs[i-1].Code)
						}
					}
				}
			}
		})
	}
}

func allFindings(r Report) []Finding {
	var out []Finding
	for _, c := range r.Checks {
		out = append(out, c.Findings...)
	}
	return out
}

// TestValueSent: which answers of Notion show that a value reached it
// where the ID belongs (so a variable beside it was set).
func TestValueSent(t *testing.T) {
	for _, tt := range []struct {
		name string
		call Call
		want bool
	}{
		{"404 naming an ID", Call{Status: 404, Code: "object_not_found", Message: "Could not find page with ID: 3d47810f-380f-80d7-a001-000000000002."}, true},
		{"404 without an ID", Call{Status: 404, Code: "object_not_found"}, true},
		{"archived", Call{Status: 400, Code: "validation_error", Message: "Can't edit block that is archived."}, true},
		{"another field refused", Call{Status: 400, Code: "validation_error", Field: "body.properties.Status.select", Sent: "{}"}, true},
		{"the ID sent as undefined", Call{Status: 400, Code: "validation_error", Field: "path.page_id", Sent: "undefined"}, false},
		{"invalid_request_url", Call{Status: 400, Code: "invalid_request_url"}, false},
		{"401", Call{Status: 401, Code: "unauthorized"}, false},
		{"a client failure", Call{ClientFailure: "transport"}, false},
	} {
		if got := valueSent(&tt.call); got != tt.want {
			t.Errorf("%s: valueSent = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestErrorTypeBeforeWording: additional_data.error_type decides where
// Notion gives it, whatever the message says.
func TestErrorTypeBeforeWording(t *testing.T) {
	const db = "3d47810f-380f-80d7-a002-000000000002"
	as := answers{EndpointDatabases: {Family: EndpointDatabases, ID: db, Outcome: OutcomeBadRequest, Status: 400, Code: "validation_error",
		Message: "This database is not available in the version you asked for.", ErrorType: "multiple_data_sources_for_database",
		ChildDataSourceIDs: []string{"3d47810f-380f-80d7-a003-000000000002", "3d47810f-380f-80d7-a003-000000000003"}}}
	r, ok := resolve(as)
	if !ok || r.kind != KindDatabase || r.multiple == nil || len(r.sources) != 2 {
		t.Errorf("resolve = %+v, %v: want a database with several data sources", r, ok)
	}
	c := &Call{Status: 400, Code: "validation_error", Message: "reworded", AdditionalData: map[string]string{"error_type": "multiple_data_sources_for_database"}}
	if fs := CallFindings(c, false); len(fs) != 1 || fs[0].Code != CodeErrorVersion {
		t.Errorf("CallFindings = %v, want error.version", fs)
	}
}
