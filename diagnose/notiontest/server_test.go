package notiontest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

type got struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, s *notiontest.Server, method, path, token, version string) got {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if version != "" {
		req.Header.Set("Notion-Version", version)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return got{resp.StatusCode, resp.Header, string(b)}
}

var ridRE = regexp.MustCompile(`"request_id":"([0-9a-f-]{36})"`)

const (
	v22 = notiontest.Version20220628
	v25 = notiontest.Version20250903
)

func TestErrorBodiesExact(t *testing.T) {
	s := notiontest.NewServer(t)
	pid := notiontest.SharedPageID
	dbid := notiontest.DatabaseID
	tests := []struct {
		name, path, token, version string
		status                     int
		prefix                     string // body up to request_id
		suffix                     string // after the request_id value
	}{
		{"revoked", "/v1/users/me", notiontest.RevokedToken, v25, 401,
			`{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid.","request_id":"`, `"}`},
		{"no token", "/v1/pages/" + pid, "", v25, 401,
			`{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid.","request_id":"`, `"}`},
		{"missing version", "/v1/users/me", notiontest.GoodToken, "", 400,
			"{\"object\":\"error\",\"status\":400,\"code\":\"missing_version\",\"message\":\"Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.\",\"request_id\":\"", `"}`},
		{"not a uuid", "/v1/pages/not-a-real-id", notiontest.GoodToken, v25, 400,
			"{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"path failed validation: path.page_id should be a valid uuid, instead was `\\\"not-a-real-id\\\"`.\",\"request_id\":\"", `"}`},
		{"database None", "/v1/databases/None", notiontest.GoodToken, v25, 400,
			"{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"path failed validation: path.database_id should be a valid uuid, instead was `\\\"None\\\"`.\",\"request_id\":\"", `"}`},
		{"whole url", "/v1/pages/https://www.notion.so/x", notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"invalid_request_url","message":"Invalid request URL.","request_id":"`, `"}`},
		{"empty id", "/v1/pages/", notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"invalid_request_url","message":"Invalid request URL.","request_id":"`, `"}`},
		{"data_sources under 2022", "/v1/data_sources/" + notiontest.DataSourceID, notiontest.GoodToken, v22, 400,
			`{"object":"error","status":400,"code":"invalid_request_url","message":"Invalid request URL.","request_id":"`, `"}`},
		{"views under 2022", "/v1/views/" + notiontest.ViewID, notiontest.GoodToken, v22, 400,
			`{"object":"error","status":400,"code":"invalid_request_url","message":"Invalid request URL.","request_id":"`, `"}`},
		{"database on pages", "/v1/pages/" + dbid, notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"validation_error","message":"Provided ID ` + dbid + ` is a database, not a page. Use the retrieve database API instead.","request_id":"`, `"}`},
		{"page on databases", "/v1/databases/" + pid, notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"validation_error","message":"Provided database_id ` + pid + ` is a page, not a database. Use the pages API instead, or pass the ID of the database itself.","request_id":"`, `"}`},
		{"block on pages", "/v1/pages/" + notiontest.BlockID, notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"validation_error","message":"Provided ID ` + notiontest.BlockID + ` is a block, not a page. Use the retrieve block API instead.","request_id":"`, `"}`},
		{"linked", "/v1/databases/" + notiontest.LinkedDatabaseID, notiontest.GoodToken, v25, 400,
			`{"object":"error","status":400,"code":"validation_error","message":"Database with ID ` + notiontest.LinkedDatabaseID + ` is a linked database. Database retrievals do not support linked databases.","request_id":"`, `"}`},
		{"multi under 2022", "/v1/databases/" + notiontest.MultiDatabaseID, notiontest.GoodToken, v22, 400,
			`{"object":"error","status":400,"code":"validation_error","message":"Databases with multiple data sources are not supported in this API version.","request_id":"`,
			`","additional_data":{"child_data_source_ids":["` + notiontest.MultiDataSourceID1 + `","` + notiontest.MultiDataSourceID2 + `"],"database_id":"` + notiontest.MultiDatabaseID + `","error_type":"multiple_data_sources_for_database","minimum_api_version":"2025-09-03"}}`},
		{"unshared", "/v1/pages/" + notiontest.UnsharedPageID, notiontest.GoodToken, v25, 404,
			`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + notiontest.UnsharedPageID + `. Make sure the relevant pages and databases are shared with your integration \"Iris Checker\".","request_id":"`,
			`","additional_data":{"integration_id":"` + notiontest.IntegrationID + `"}}`},
		{"undashed missing", "/v1/blocks/deadbeefdeadbeefdeadbeefdeadbeef", notiontest.GoodToken, v25, 404,
			`{"object":"error","status":404,"code":"object_not_found","message":"Could not find block with ID: deadbeef-dead-beef-dead-beefdeadbeef. Make sure the relevant pages and databases are shared with your integration \"Iris Checker\".","request_id":"`,
			`","additional_data":{"integration_id":"` + notiontest.IntegrationID + `"}}`},
		{"data source on databases", "/v1/databases/" + notiontest.DataSourceID, notiontest.GoodToken, v25, 404,
			`{"object":"error","status":404,"code":"object_not_found","message":"Could not find database with ID: ` + notiontest.DataSourceID, ``},
		{"database on data_sources", "/v1/data_sources/" + dbid, notiontest.GoodToken, v25, 404,
			`{"object":"error","status":404,"code":"object_not_found","message":"Could not find data_source with ID: ` + dbid, ``},
		{"page on data_sources", "/v1/data_sources/" + pid, notiontest.GoodToken, v25, 404, `{"object":"error","status":404,"code":"object_not_found"`, ``},
		{"data source on blocks", "/v1/blocks/" + notiontest.DataSourceID, notiontest.GoodToken, v25, 404, `{"object":"error","status":404,"code":"object_not_found"`, ``},
		{"data source on pages", "/v1/pages/" + notiontest.DataSourceID, notiontest.GoodToken, v25, 404, `{"object":"error","status":404,"code":"object_not_found"`, ``},
		{"no read capability", "/v1/blocks/" + pid, notiontest.NoReadToken, v25, 403,
			`{"object":"error","status":403,"code":"restricted_resource","message":"API token does not have access to this resource.","request_id":"`, `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := do(t, s, http.MethodGet, tt.path, tt.token, tt.version)
			if g.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", g.status, tt.status, g.body)
			}
			if !strings.HasPrefix(g.body, tt.prefix) {
				t.Errorf("body\n%s\ndoes not start with\n%s", g.body, tt.prefix)
			}
			if tt.suffix != "" && !strings.HasSuffix(g.body, tt.suffix) {
				t.Errorf("body\n%s\ndoes not end with\n%s", g.body, tt.suffix)
			}
			if ct := g.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content-type %q", ct)
			}
			m := ridRE.FindStringSubmatch(g.body)
			if m == nil || g.header.Get("X-Notion-Request-Id") != m[1] {
				t.Errorf("request id header %q vs body %q", g.header.Get("X-Notion-Request-Id"), g.body)
			}
		})
	}
}

func TestUnauthorizedIs139Bytes(t *testing.T) {
	s := notiontest.NewServer(t)
	g := do(t, s, http.MethodGet, "/v1/users/me", "nope", v25)
	if len(g.body) != 139 || g.header.Get("Content-Length") != "139" {
		t.Fatalf("401 body is %d bytes (content-length %s), want 139: %s", len(g.body), g.header.Get("Content-Length"), g.body)
	}
	g2 := do(t, s, http.MethodGet, "/v1/users/me", "nope", v25)
	if g.header.Get("X-Notion-Request-Id") == g2.header.Get("X-Notion-Request-Id") {
		t.Fatal("request IDs are not fresh")
	}
}

func TestSuccessShapes(t *testing.T) {
	s := notiontest.NewServer(t)
	tok := notiontest.GoodToken
	decode := func(g got) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(g.body), &m); err != nil {
			t.Fatalf("%v: %s", err, g.body)
		}
		if g.status != 200 {
			t.Fatalf("status %d: %s", g.status, g.body)
		}
		if m["request_id"] != g.header.Get("X-Notion-Request-Id") {
			t.Errorf("request_id %v vs header %q", m["request_id"], g.header.Get("X-Notion-Request-Id"))
		}
		return m
	}
	me := decode(do(t, s, "GET", "/v1/users/me", tok, v25))
	if me["name"] != notiontest.IntegrationName || me["bot"].(map[string]any)["workspace_name"] != notiontest.WorkspaceName {
		t.Errorf("users/me: %v", me)
	}
	if m := decode(do(t, s, "GET", "/v1/users/me", notiontest.NoReadToken, v25)); m["object"] != "user" {
		t.Errorf("users/me with NoReadToken: %v", m)
	}
	blk := decode(do(t, s, "GET", "/v1/blocks/"+notiontest.SharedPageID, tok, v25))
	if blk["type"] != "child_page" || blk["child_page"].(map[string]any)["title"] != notiontest.SharedPageTitle {
		t.Errorf("page block: %v", blk)
	}
	blk = decode(do(t, s, "GET", "/v1/blocks/"+strings.ReplaceAll(notiontest.DatabaseID, "-", ""), tok, v25))
	if blk["type"] != "child_database" {
		t.Errorf("database block: %v", blk)
	}
	blk = decode(do(t, s, "GET", "/v1/blocks/"+notiontest.BlockID, tok, v25))
	if blk["type"] != "paragraph" || blk["parent"].(map[string]any)["page_id"] != notiontest.SharedPageID {
		t.Errorf("paragraph block: %v", blk)
	}
	pg := decode(do(t, s, "GET", "/v1/pages/"+notiontest.SharedPageID, tok, v25))
	if !strings.Contains(do(t, s, "GET", "/v1/pages/"+notiontest.SharedPageID, tok, v25).body, `"type":"place"`) || pg["object"] != "page" {
		t.Errorf("page lacks a place property: %v", pg)
	}
	tr := decode(do(t, s, "GET", "/v1/pages/"+notiontest.TrashedPageID, tok, v25))
	if tr["in_trash"] != true || tr["archived"] != true {
		t.Errorf("trashed page: %v", tr)
	}
	row := decode(do(t, s, "GET", "/v1/pages/"+notiontest.RowPageID, tok, v25))
	if p := row["parent"].(map[string]any); p["type"] != "data_source_id" || p["database_id"] != notiontest.DatabaseID {
		t.Errorf("row parent under 2025: %v", p)
	}
	row = decode(do(t, s, "GET", "/v1/pages/"+notiontest.RowPageID, tok, v22))
	if p := row["parent"].(map[string]any); p["type"] != "database_id" {
		t.Errorf("row parent under 2022: %v", p)
	}
	db := decode(do(t, s, "GET", "/v1/databases/"+notiontest.MultiDatabaseID, tok, v25))
	if ds, _ := db["data_sources"].([]any); len(ds) != 2 || db["properties"] != nil {
		t.Errorf("2025 database container: %v", db)
	}
	db = decode(do(t, s, "GET", "/v1/databases/"+notiontest.DatabaseID, tok, v22))
	if db["data_sources"] != nil || db["properties"] == nil {
		t.Errorf("2022 database: %v", db)
	}
	ds := decode(do(t, s, "GET", "/v1/data_sources/"+notiontest.DataSourceID, tok, v25))
	if ds["object"] != "data_source" || ds["parent"].(map[string]any)["database_id"] != notiontest.DatabaseID {
		t.Errorf("data source: %v", ds)
	}
	v := decode(do(t, s, "GET", "/v1/views/"+notiontest.ViewID, tok, v25))
	if v["object"] != "view" || v["parent"].(map[string]any)["database_id"] != notiontest.DatabaseID {
		t.Errorf("view: %v", v)
	}
	if s.CallsTo("/v1/blocks/") != 3 || s.CallsTo("") != 14 {
		t.Errorf("counters: blocks %d, all %d", s.CallsTo("/v1/blocks/"), s.CallsTo(""))
	}
}

func TestModes(t *testing.T) {
	t.Run("rate limit", func(t *testing.T) {
		s := notiontest.NewServer(t, notiontest.WithRateLimit(3, 2))
		var statuses []int
		for range 4 {
			g := do(t, s, "GET", "/v1/users/me", notiontest.GoodToken, v25)
			statuses = append(statuses, g.status)
			if g.status == 429 {
				if g.header.Get("Retry-After") != "1" || !strings.Contains(g.body, `"code":"rate_limited"`) {
					t.Errorf("429: %v %s", g.header, g.body)
				}
			}
		}
		if s.Count429() != 2 || statuses[0] != 200 || statuses[1] != 200 {
			t.Errorf("statuses %v, 429s %d", statuses, s.Count429())
		}
		// Another token has its own budget.
		if g := do(t, s, "GET", "/v1/users/me", notiontest.NoReadToken, v25); g.status != 200 {
			t.Errorf("other token: %d", g.status)
		}
	})
	t.Run("forced 503 once then normal", func(t *testing.T) {
		s := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/blocks/", Status: 503, Times: 1}))
		if g := do(t, s, "GET", "/v1/blocks/"+notiontest.SharedPageID, notiontest.GoodToken, v25); g.status != 503 || !strings.Contains(g.body, "service_unavailable") {
			t.Errorf("first: %d %s", g.status, g.body)
		}
		if g := do(t, s, "GET", "/v1/blocks/"+notiontest.SharedPageID, notiontest.GoodToken, v25); g.status != 200 {
			t.Errorf("second: %d", g.status)
		}
	})
	t.Run("529 with Retry-After", func(t *testing.T) {
		s := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{Status: 529, RetryAfter: "2"}))
		g := do(t, s, "GET", "/v1/users/me", notiontest.GoodToken, v25)
		if g.status != 529 || g.header.Get("Retry-After") != "2" || !strings.Contains(g.body, "service_overload") {
			t.Errorf("%d %v %s", g.status, g.header, g.body)
		}
	})
	t.Run("edge", func(t *testing.T) {
		s := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{Status: 502, Edge: true}))
		g := do(t, s, "GET", "/v1/users/me", notiontest.GoodToken, v25)
		if g.status != 502 || g.header.Get("Cf-Ray") == "" || g.header.Get("X-Notion-Request-Id") != "" || !strings.HasPrefix(g.body, "<!DOCTYPE html>") {
			t.Errorf("%d %v %s", g.status, g.header, g.body)
		}
	})
	t.Run("latency and rounds", func(t *testing.T) {
		s := notiontest.NewServer(t, notiontest.WithLatency(20*time.Millisecond))
		do(t, s, "GET", "/v1/users/me", notiontest.GoodToken, v25)
		do(t, s, "GET", "/v1/users/me", notiontest.GoodToken, v25)
		calls := s.Calls()
		if len(calls) != 2 || calls[0].End.Sub(calls[0].Start) < 20*time.Millisecond || notiontest.Rounds(calls) != 2 {
			t.Errorf("calls %+v rounds %d", calls, notiontest.Rounds(calls))
		}
		s.Reset()
		if len(s.Calls()) != 0 {
			t.Error("Reset kept calls")
		}
	})
}
