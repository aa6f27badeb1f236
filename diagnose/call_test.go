package diagnose

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// callSeeds seed FuzzRead with the shapes readCall parses.
var callSeeds = []string{
	`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + idA + `. Make sure the relevant pages and databases are shared with your integration \"Marketing Sync\".","request_id":"` + idK + `"}`,
	"{ object: 'error', status: 429, code: 'rate_limited', message: 'You have been rate limited.', additional_data: { rate_limit_reason: 'public_api_space_request_rate_limit' } }",
	"curl -X POST https://api.notion.com/v1/databases/" + hexA + "/query -H 'Notion-Version: 2022-06-28' -d '{}'",
	"notion.pages.create(parent={\"database_id\": os.getenv(\"NOTION_DATABASE_ID\")})",
	"body failed validation: body.parent.database_id should be a valid uuid, instead was `\"" + hexA + "?v=" + hexV + "\"`.",
	"additional_data: {", "instead was ", "Notion-Version", "/v1/", "parent: {", "${", "{{", "process.env.", "ENV[",
}

// TestReadCall: the call is read from every form people paste it in; each
// row names the class of input and checks only the fields it is about.
func TestReadCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Call // zero fields are not compared
		none bool // no call at all
	}{
		// Method and endpoint.
		{name: "api URL", in: "https://api.notion.com/v1/pages/" + idA, want: Call{Endpoint: "/v1/pages/{page_id}"}},
		{name: "method before path", in: "GET /v1/blocks/" + idA + "/children?page_size=100 → 404", want: Call{Method: "GET", Endpoint: "/v1/blocks/{block_id}/children", Status: 404}},
		{name: "quoted method in a log", in: `"PATCH https://api.notion.com/v1/pages/` + idA + `" 400`, want: Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}"}},
		{name: "curl -X", in: "curl -X DELETE https://api.notion.com/v1/blocks/" + idA, want: Call{Method: "DELETE", Endpoint: "/v1/blocks/{block_id}"}},
		{name: "curl --request over lines", in: "curl --request PATCH \\\n  --url https://api.notion.com/v1/pages/" + idA + " \\\n  --header 'Notion-Version: 2026-03-11'", want: Call{Method: "PATCH", NotionVersion: "2026-03-11"}},
		{name: "curl -d implies POST", in: "curl https://api.notion.com/v1/search -d '{\"query\":\"x\"}'", want: Call{Method: "POST", Endpoint: "/v1/search"}},
		{name: "curl without body is GET", in: "curl https://api.notion.com/v1/users/me", want: Call{Method: "GET", Endpoint: "/v1/users/me"}},
		{name: "property route", in: "GET /v1/pages/" + idA + "/properties/title", want: Call{Endpoint: "/v1/pages/{page_id}/properties/{property_id}"}},
		{name: "template path", in: "fetch(`https://api.notion.com/v1/data_sources/${dsId}/query`, { method: 'POST' })", want: Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query"}},
		{name: "query implies POST", in: "https://api.notion.com/v1/databases/" + idA + "/query", want: Call{Method: "POST"}},
		{name: "JS SDK", in: "await notion.blocks.children.list({ block_id: id })", want: Call{Method: "GET", Endpoint: "/v1/blocks/{block_id}/children"}},
		{name: "JS SDK data sources", in: "notion.dataSources.query({ data_source_id })", want: Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query"}},
		{name: "Python SDK", in: "client.databases.query(database_id=db)", want: Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query"}},
		{name: "Python data_sources", in: "notion.data_sources.query(data_source_id=ds)", want: Call{Endpoint: "/v1/data_sources/{data_source_id}/query"}},
		{name: "jomei implies 2022-06-28", in: "page, err := client.Page.Get(ctx, notionapi.PageID(id))", want: Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", NotionVersion: "2022-06-28"}},
		{name: "search needs a client", in: "m = re.search(pattern, s)", none: true},
		{name: "other API path", in: "GET https://api.github.com/v1/repos", none: true},
		{name: "prose", in: "Lorem ipsum dolor sit amet.", none: true},

		// Notion-Version.
		{name: "header dump", in: "GET /v1/users/me\nnotion-version: 2025-09-03", want: Call{NotionVersion: "2025-09-03"}},
		{name: "SDK option", in: "new Client({ auth, notionVersion: '2022-06-28' }); notion.pages.retrieve({ page_id })", want: Call{NotionVersion: "2022-06-28"}},
		{name: "Python headers", in: "requests.post('https://api.notion.com/v1/pages', headers={'Notion-Version': '2022-06-28'})", want: Call{NotionVersion: "2022-06-28", Method: "POST"}},
		{name: "header failed validation is no version", in: "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.", want: Call{Code: "missing_version", Field: "header.Notion-Version", Sent: "undefined"}},

		// The error.
		{name: "compact body", in: `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid.","request_id":"` + idK + `"}`, want: Call{Status: 401, Code: "unauthorized", Message: "API token is invalid.", RequestID: idK}},
		{name: "pretty body", in: "{\n  \"object\": \"error\",\n  \"status\": 403,\n  \"code\": \"restricted_resource\",\n  \"message\": \"API token does not have access to this resource.\"\n}", want: Call{Status: 403, Code: "restricted_resource"}},
		{name: "JSON in a JSON string", in: `{"error":"{\"object\":\"error\",\"status\":404,\"code\":\"object_not_found\",\"message\":\"Could not find page with ID: ` + idA + `.\"}"}`, want: Call{Code: "object_not_found", Status: 404}},
		{name: "JS inspect", in: "{ object: 'error', status: 409, code: 'conflict_error', message: 'Conflict occurred while saving. Please try again.' }", want: Call{Status: 409, Code: "conflict_error"}},
		{name: "bare message implies code", in: "You have been rate limited. Please try again in a few minutes.", want: Call{Code: "rate_limited", Status: 429}},
		{name: "HTTP status line", in: "HTTP/1.1 502 Bad Gateway\n<html>…</html>", want: Call{Status: 502}},
		{name: "reason phrase", in: "api.notion.com/v1/pages/" + idA + " 404 Not Found", want: Call{Status: 404}},
		{name: "integration in JSON", in: `"message":"Could not find database with ID: ` + idA + `. Make sure the relevant pages and databases are shared with your integration \"Acme Sync\"."`, want: Call{Integration: "Acme Sync"}},
		{name: "integration in JS", in: `message: 'Could not find page with ID: ` + idA + `. Make sure the relevant pages and databases are shared with your integration "Zap".'`, want: Call{Integration: "Zap"}},
		{name: "integration with an apostrophe", in: "Could not find page with ID: " + idA + `. Make sure the relevant pages and databases are shared with your integration "Bob's Sync".`, want: Call{Integration: "Bob's Sync"}},
		{name: "x-notion-request-id", in: "'x-notion-request-id': '" + idK + "'\n" + `{"code":"unauthorized","message":"API token is invalid."}`, want: Call{RequestID: idK}},
		{name: "additional_data list", in: `{"code":"validation_error","message":"Databases with multiple data sources are not supported in this API version.","additional_data":{"child_data_source_ids":["` + idA + `","` + idB + `"],"minimum_api_version":"2025-09-03"}}`,
			want: Call{AdditionalData: map[string]string{"child_data_source_ids": idA + "," + idB, "minimum_api_version": "2025-09-03"}}},
		{name: "additional_data JS", in: "{ code: 'rate_limited', additional_data: { rate_limit_reason: 'public_api_request_rate_limit' } }", want: Call{AdditionalData: map[string]string{"rate_limit_reason": "public_api_request_rate_limit"}}},
		{name: "field and sent", in: "path failed validation: path.page_id should be a valid uuid, instead was `\"Team-Handbook-" + hexA + "\"`.", want: Call{Field: "path.page_id", Sent: "Team-Handbook-" + hexA, Expected: "should be a valid uuid"}},
		{name: "field with spaces", in: "body failed validation: body.properties.Due Date.date should be an object or `null`, instead was `\"tomorrow\"`.", want: Call{Field: "body.properties.Due Date.date"}},
		{name: "field without lead", in: "query.v should not be present", want: Call{Field: "query.v", Code: "validation_error"}},
		{name: "status after the path", in: "DELETE https://api.notion.com/v1/blocks/" + idA + " 404 (Not Found)", want: Call{Method: "DELETE", Status: 404}},
		{name: "status code words", in: "Failed to create a page in Notion (HTTP Status Code: 400) body.properties.Name.title should be defined, instead was undefined.", want: Call{Status: 400, Field: "body.properties.Name.title"}},
		{name: "n8n wording", in: "NodeApiError: The resource you are requesting could not be found", want: Call{Code: "object_not_found", Status: 404}},
		{name: "axios", in: "Error: Request failed with status code 429", want: Call{Status: 429}},
		{name: "view on an API URL", in: "GET https://api.notion.com/v1/databases/" + hexA + "?v=" + hexV, want: Call{Endpoint: "/v1/databases/{database_id}"}},
		{name: "edge", in: "HTTP/2 403\ncf-ray: 8f1c2a3b4c5d6e7f-FRA\n<html>blocked</html>", want: Call{Status: 403, Edge: true}},

		// The parent.
		{name: "JSON parent", in: `POST /v1/pages {"parent":{"database_id":"` + hexA + `"}}`, want: Call{ParentType: "database_id", ParentID: hexA}},
		{name: "typed parent", in: "notion.pages.create({ parent: { type: 'data_source_id', data_source_id: '" + idA + "' } })", want: Call{ParentType: "data_source_id", ParentID: idA}},
		{name: "Python parent", in: "notion.pages.create(parent={\"page_id\": PAGE}, properties={})", want: Call{ParentType: "page_id", ParentID: "PAGE"}},
		{name: "workspace parent", in: "notion.pages.create({ parent: { workspace: true } })", want: Call{ParentType: "workspace"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readCall(tc.in)
			if tc.none {
				if got != nil {
					t.Fatalf("readCall = %+v, want none", *got)
				}
				return
			}
			if got == nil {
				t.Fatalf("readCall = nil, want %+v", tc.want)
			}
			gv, wv := reflect.ValueOf(*got), reflect.ValueOf(tc.want)
			for i := 0; i < wv.NumField(); i++ {
				w := wv.Field(i)
				if w.IsZero() {
					continue
				}
				if !reflect.DeepEqual(gv.Field(i).Interface(), w.Interface()) {
					t.Errorf("%s = %#v, want %#v", wv.Type().Field(i).Name, gv.Field(i).Interface(), w.Interface())
				}
			}
		})
	}
}

// TestCallFindings: one row per rule of CallFindings.
func TestCallFindings(t *testing.T) {
	for _, tc := range []struct {
		name      string
		call      Call
		checkable bool
		want      Code // "" = none
		says      string
	}{
		{name: "not failed", call: Call{Endpoint: "/v1/pages/{page_id}"}, want: ""},
		{name: "401", call: Call{Status: 401, Code: "unauthorized"}, want: CodeErrorUnauthorized, says: "token"},
		{name: "401 with an ID", call: Call{Status: 401}, checkable: true, want: CodeErrorUnauthorized},
		{name: "invalid_grant", call: Call{Code: "invalid_grant"}, want: CodeOAuthGrant, says: "code"},
		{name: "403 restricted", call: Call{Status: 403, Code: "restricted_resource"}, want: CodeErrorRestricted, says: "capability"},
		{name: "403 edge", call: Call{Status: 403, Edge: true}, want: CodeCallClient, says: "not restricted_resource"},
		{name: "403 without code", call: Call{Status: 403}, want: CodeErrorRestricted, says: "edge proxy"},
		{name: "unknown 400, nothing to check", call: Call{Status: 400, Code: "validation_error", Message: "Something new."}, want: CodeErrorValidation, says: "Something new."},
		{name: "unknown 400 with an ID", call: Call{Status: 400, Code: "validation_error", Message: "Something new."}, checkable: true, want: ""},
		{name: "405", call: Call{Status: 405}, want: CodeErrorRequestURL, says: "method"},
		{name: "missing_version", call: Call{Code: "missing_version"}, want: CodeErrorVersion, says: "no Notion-Version"},
		{name: "unknown version", call: Call{Code: "validation_error", Field: "header.Notion-Version", Sent: "2024-01-01", NotionVersion: "2024-01-01"}, want: CodeErrorVersion, says: "2024-01-01"},
		{name: "multiple sources", call: Call{Code: "validation_error", Message: "Databases with multiple data sources are not supported in this API version."}, checkable: true, want: CodeErrorVersion, says: "several data sources"},
		{name: "multiple sources by error_type", call: Call{Code: "validation_error", AdditionalData: map[string]string{"error_type": "multiple_data_sources_for_database", "child_data_source_ids": idA + "," + idB}}, want: CodeErrorVersion, says: idA},
		{name: "data source route, old version", call: Call{Code: "invalid_request_url", Endpoint: "/v1/data_sources/{data_source_id}/query", NotionVersion: "2022-06-28"}, want: CodeErrorVersion, says: "2025-09-03"},
		{name: "view route, old version", call: Call{Status: 404, Endpoint: "/v1/views/{view_id}", NotionVersion: "2022-06-28"}, checkable: true, want: CodeErrorVersion},
		{name: "data source route, new version", call: Call{Code: "object_not_found", Endpoint: "/v1/data_sources/{data_source_id}", NotionVersion: "2025-09-03"}, checkable: true, want: ""},
		{name: "invalid_request_url with a link in the path", call: Call{Code: "invalid_request_url", Path: "/v1/pages/https://www.notion.so/Page-" + hexA}, want: CodeErrorRequestURL, says: idA},
		{name: "invalid_request_url mistyped route", call: Call{Code: "invalid_request_url", Path: "/v1/database/" + hexA + "/query"}, want: CodeErrorRequestURL, says: "/v1/databases"},
		{name: "invalid_request", call: Call{Code: "invalid_request", Message: "Unsupported request: x."}, want: CodeErrorRequestURL},
		{name: "validation ID with view", call: Call{Code: "validation_error", Field: "body.parent.database_id", Sent: hexA + "?v=" + hexV}, checkable: true, want: CodeErrorValidation, says: idA},
		{name: "validation slug", call: Call{Code: "validation_error", Field: "path.page_id", Sent: "Team-Handbook-" + hexA}, checkable: true, want: CodeErrorValidation, says: idA},
		{name: "validation variable", call: Call{Code: "validation_error", Field: "path.page_id", Sent: "${PAGE_ID}"}, want: CodeErrorValidation, says: "PAGE_ID"},
		{name: "validation undefined", call: Call{Code: "validation_error", Field: "path.page_id", Sent: "undefined"}, want: CodeErrorValidation, says: "no ID reached"},
		{name: "validation length", call: Call{Code: "validation_error", Field: "body.children.length", Expected: "should be ≤ `100`", Sent: "124"}, want: CodeErrorValidation, says: "Split"},
		{name: "validation query.v", call: Call{Code: "validation_error", Field: "query.v", Expected: "should not be present"}, want: CodeErrorValidation, says: "view"},
		{name: "validation archived field", call: Call{Code: "validation_error", Field: "body.archived", Expected: "should be not present", NotionVersion: "2026-03-11"}, want: CodeErrorValidation, says: "in_trash"},
		{name: "validation property type", call: Call{Code: "validation_error", Message: "Product categories is expected to be relation."}, want: CodeErrorValidation},
		{name: "validation without field", call: Call{Code: "validation_error", Message: "Provided ID " + idA + " is a database, not a page."}, checkable: true, want: ""},
		{name: "invalid_json", call: Call{Code: "invalid_json"}, want: CodeErrorValidation, says: "JSON"},
		{name: "invalid_beta", call: Call{Code: "invalid_beta"}, want: CodeErrorValidation, says: "Notion-Beta"},
		{name: "archived", call: Call{Code: "validation_error", Message: "Can't edit block that is archived. You must unarchive the block before editing."}, checkable: true, want: CodeErrorArchived},
		{name: "429 connection", call: Call{Status: 429, AdditionalData: map[string]string{"rate_limit_reason": "public_api_request_rate_limit"}}, want: CodeErrorRateLimited, says: "connection's own"},
		{name: "429 workspace", call: Call{Code: "rate_limited", AdditionalData: map[string]string{"rate_limit_reason": "public_api_space_request_rate_limit"}}, want: CodeErrorRateLimited, says: "workspace-wide"},
		{name: "429 workspace upper case", call: Call{Code: "rate_limited", AdditionalData: map[string]string{"rate_limit_reason": "PUBLIC_API_SPACE_REQUEST_RATE_LIMIT"}}, want: CodeErrorRateLimited, says: "workspace-wide"},
		{name: "529", call: Call{Status: 529, Code: "service_overload"}, want: CodeErrorRateLimited, says: "like a 429"},
		{name: "409", call: Call{Status: 409, Code: "conflict_error"}, want: CodeErrorServer, says: "conflict"},
		{name: "row_limit_exceeded", call: Call{Code: "row_limit_exceeded"}, want: CodeErrorServer, says: "row_limit_exceeded"},
		{name: "500", call: Call{Status: 500}, want: CodeErrorServer},
		{name: "504", call: Call{Code: "gateway_timeout"}, checkable: true, want: CodeErrorServer, says: "narrow"},
		{name: "404 without ID", call: Call{Code: "object_not_found", Integration: "Zap"}, want: CodeErrorNotFound, says: "Zap"},
		{name: "404 with an ID is left online", call: Call{Code: "object_not_found"}, checkable: true, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.call
			fs := CallFindings(&c, tc.checkable)
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("findings %v, want none", codesOf(fs))
				}
				return
			}
			if len(fs) != 1 || fs[0].Code != tc.want {
				t.Fatalf("findings %v, want [%s]", codesOf(fs), tc.want)
			}
			text := fs[0].Detail + " " + strings.Join(fs[0].Fix, " ")
			if !strings.Contains(text, tc.says) {
				t.Errorf("finding does not say %q: %s", tc.says, text)
			}
			for _, step := range fs[0].Fix {
				if strings.Contains(step, "{") && !strings.Contains(step, `{"`) {
					t.Errorf("unfilled placeholder: %q", step)
				}
			}
		})
	}
	if CallFindings(nil, false) != nil {
		t.Error("CallFindings(nil) is not nil")
	}
}

// TestReadTextPutsCallFindings: the error's finding sits on the reference
// it concerns, replaces "no ID" in a text that is only an error, and the
// data sources an error lists are related to their database.
func TestReadTextPutsCallFindings(t *testing.T) {
	rd := ReadText(`{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`, -1)
	if len(rd.References) != 1 || rd.References[0].ID != "" || !slicesEqualCodes(rd.References[0].Findings, CodeErrorUnauthorized) {
		t.Errorf("401 body: %s", describe(rd.References))
	}
	if !rd.Answerable() {
		t.Error("a pasted 401 is not answerable")
	}
	rd = ReadText("first "+idB+"\npath failed validation: path.page_id should be a valid uuid, instead was `\"Page-"+hexA+"\"`.", -1)
	if len(rd.References) != 2 || HasCode(rd.References[0].Findings, CodeErrorValidation) || !HasCode(rd.References[1].Findings, CodeErrorValidation) {
		t.Errorf("validation finding not on the ID it names: %s", describe(rd.References))
	}
	rd = ReadText(`{"code":"validation_error","message":"Databases with multiple data sources are not supported in this API version.","additional_data":{"database_id":"`+idA+`","child_data_source_ids":["`+idB+`","`+idK+`"]}}`, -1)
	if len(rd.References) != 1 || rd.References[0].ID != idA || !hasRelated(rd.References[0].Related, KindDataSource, idB) || !hasRelated(rd.References[0].Related, KindDataSource, idK) {
		t.Errorf("data sources not folded into their database: %s %v", describe(rd.References), rd.References[0].Related)
	}
	if rd.Total != len(rd.References) {
		t.Errorf("Total = %d with %d references: folded ones would count as skipped", rd.Total, len(rd.References))
	}
}

func slicesEqualCodes(fs []Finding, codes ...Code) bool {
	got := codesOf(fs)
	if len(got) != len(codes) {
		return false
	}
	for i := range got {
		if got[i] != codes[i] {
			return false
		}
	}
	return true
}

// TestReadCallHoldsNoToken: a token pasted into the path, the body or the
// message never reaches the Call (checked with the literal token, not with
// the redactor the reader uses).
func TestReadCallHoldsNoToken(t *testing.T) {
	const tok = "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"
	for _, in := range []string{
		"curl https://api.notion.com/v1/pages/" + tok + " -H 'Authorization: Bearer " + tok + "'\n{\"code\":\"validation_error\",\"message\":\"path failed validation: path.page_id should be a valid uuid, instead was `\\\"" + tok + "\\\"`.\"}",
		`{"code":"validation_error","message":"body.parent.database_id should be a valid uuid, instead was \"` + tok + `\"."}` + " POST /v1/pages {\"parent\":{\"database_id\":\"" + tok + "\"}}",
		`{ code: 'unauthorized', message: 'API token is invalid: ` + tok + `', additional_data: { token: '` + tok + `' } }`,
	} {
		c := readCall(in)
		if c == nil {
			t.Fatalf("no call in %q", in)
		}
		if s := fmt.Sprintf("%+v", *c); strings.Contains(s, tok[4:]) {
			t.Errorf("the call holds the token: %s", s)
		}
	}
}
