package notiontest_test

import (
	"strings"
	"testing"

	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestIntegrationsSeeTheirOwn: each integration of the fake sees what is
// shared with it, answers users/me as itself, and names itself in its 404s.
func TestIntegrationsSeeTheirOwn(t *testing.T) {
	s := nt.NewServer(t)
	tests := []struct {
		token, id string
		status    int
		contains  string
	}{
		{nt.GoodToken, nt.SharedPageID, 200, `"object":"block"`},
		{nt.GoodToken, nt.MarketingOnlyPageID, 404, `shared with your integration \"Iris Checker\"`},
		{nt.MarketingToken, nt.MarketingOnlyPageID, 200, `"child_page"`},
		{nt.MarketingToken, nt.SharedPageID, 404, `shared with your integration \"Marketing Sync\"`},
		{nt.MarketingToken, nt.RootPageID, 200, `"child_page"`},
		{nt.MarketingToken, nt.DatabaseID, 200, `"child_database"`},
		{nt.PersonalToken, nt.SharedPageID, 200, `"child_page"`},
		{nt.PersonalToken, nt.MarketingOnlyPageID, 200, `"child_page"`},
		{nt.PersonalToken, nt.UnsharedPageID, 404, `\"Notion CLI\"`},
	}
	for _, tt := range tests {
		g := do(t, s, "GET", "/v1/blocks/"+tt.id, tt.token, v25)
		if g.status != tt.status || !strings.Contains(g.body, tt.contains) {
			t.Errorf("%s… on %s: %d %s, want %d with %s", tt.token[:14], tt.id, g.status, g.body, tt.status, tt.contains)
		}
	}
	for _, tt := range []struct{ token, name, owner string }{
		{nt.GoodToken, nt.IntegrationName, `"owner":{"type":"workspace"`},
		{nt.MarketingToken, nt.MarketingName, `"owner":{"type":"workspace"`},
		{nt.PersonalToken, nt.PersonalName, `"owner":{"type":"user"`},
	} {
		g := do(t, s, "GET", "/v1/users/me", tt.token, v25)
		if g.status != 200 || !strings.Contains(g.body, `"name":"`+tt.name+`"`) || !strings.Contains(g.body, tt.owner) {
			t.Errorf("users/me of %s: %d %s", tt.name, g.status, g.body)
		}
	}
	if !s.ShareWith(nt.MarketingToken, nt.SharedPageID) {
		t.Fatal("ShareWith refused")
	}
	if g := do(t, s, "GET", "/v1/blocks/"+nt.SharedPageID, nt.MarketingToken, v25); g.status != 200 {
		t.Errorf("after ShareWith: %d", g.status)
	}
	s.UnshareWith(nt.MarketingToken, nt.SharedPageID)
	if g := do(t, s, "GET", "/v1/blocks/"+nt.SharedPageID, nt.MarketingToken, v25); g.status != 404 {
		t.Errorf("after UnshareWith: %d", g.status)
	}
}

// TestViewsAndInTrash: a view reads through /v1/views from 2025-09-03 on;
// under 2026-03-11 answers hold in_trash and no archived.
func TestViewsAndInTrash(t *testing.T) {
	s := nt.NewServer(t)
	g := do(t, s, "GET", "/v1/views/"+nt.ViewID, nt.GoodToken, v25)
	if g.status != 200 || !strings.Contains(g.body, `"data_source_id":"`+nt.DataSourceID+`"`) || !strings.Contains(g.body, `"database_id":"`+nt.DatabaseID+`"`) {
		t.Errorf("view: %d %s", g.status, g.body)
	}
	if g := do(t, s, "GET", "/v1/views/"+nt.ViewID, nt.GoodToken, v22); g.status != 400 || !strings.Contains(g.body, "invalid_request_url") {
		t.Errorf("view under 2022-06-28: %d %s", g.status, g.body)
	}
	for _, path := range []string{"/v1/pages/", "/v1/blocks/"} {
		g := do(t, s, "GET", path+nt.TrashedPageID, nt.GoodToken, nt.Version20260311)
		if g.status != 200 || !strings.Contains(g.body, `"in_trash":true`) || strings.Contains(g.body, `"archived"`) {
			t.Errorf("%s under 2026-03-11: %d %s", path, g.status, g.body)
		}
		if g := do(t, s, "GET", path+nt.TrashedPageID, nt.GoodToken, v25); !strings.Contains(g.body, `"archived":true`) {
			t.Errorf("%s under 2025-09-03 lost archived: %s", path, g.body)
		}
	}
}

// TestCallsNameTheIntegration: the call log names the integration of each
// request's token, never the token itself.
func TestCallsNameTheIntegration(t *testing.T) {
	s := nt.NewServer(t)
	for _, tok := range []string{nt.GoodToken, nt.MarketingToken, nt.PersonalToken, nt.RevokedToken} {
		do(t, s, "GET", "/v1/users/me", tok, v25)
	}
	var got []string
	for _, c := range s.Calls() {
		got = append(got, c.Integration)
	}
	want := []string{nt.IntegrationName, nt.MarketingName, nt.PersonalName, ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("integrations %q, want %q", got, want)
	}
}
