package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// report decodes the --json report.
func report(t *testing.T, out string) diagnose.Report {
	t.Helper()
	var rep diagnose.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	return rep
}

func codesOf(rep diagnose.Report) map[diagnose.Code]string {
	out := map[diagnose.Code]string{}
	for _, f := range rep.Integration.Findings {
		out[f.Code] += f.Detail + "\n"
	}
	for _, c := range rep.Checks {
		for _, f := range c.Findings {
			out[f.Code] += f.Detail + "\n"
		}
	}
	return out
}

// TestUnpublishedNotionVersion: a NOTION_VERSION Notion does not publish is
// a finding in the CLI (the checks run with 2025-09-03 and say so), a
// configuration error in serve, and never an outage (README, "Configuration").
func TestUnpublishedNotionVersion(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{
		"NOTION_TOKEN":   notiontest.GoodToken,
		"NOTION_API_URL": srv.URL,
		"NOTION_VERSION": "2024-01-01",
	}
	out, errOut, code := cli(t, env, "", "--json", notiontest.SharedPageID)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an error finding); stderr %q", code, errOut)
	}
	rep := report(t, out)
	got := codesOf(rep)
	if !strings.Contains(got[diagnose.CodeErrorVersion], "NOTION_VERSION") || !strings.Contains(got[diagnose.CodeErrorVersion], "2024-01-01") {
		t.Errorf("no error.version naming NOTION_VERSION: %v", got)
	}
	if _, ok := got[diagnose.CodeAccessOK]; !ok || rep.APIVersion != diagnose.DefaultVersion {
		t.Errorf("the checks did not run with %s: api_version %q, codes %v", diagnose.DefaultVersion, rep.APIVersion, got)
	}
	if _, ok := got[diagnose.CodeNotionUnavailable]; ok || strings.Contains(out, "status.notion.so") {
		t.Errorf("a configuration error reported as an outage:\n%s", out)
	}
	for _, c := range srv.Calls() {
		if c.Version == "2024-01-01" {
			t.Errorf("%s %s sent the unpublished version", c.Method, c.Path)
		}
	}

	// serve stops on it (exit 2 with a line naming the variable).
	cfg, err := loadConfig(env.getenv)
	if err != nil || len(cfg.Problems.only("NOTION_VERSION")) != 1 || strings.Contains(cfg.Problems.Error(), "2024-01-01") {
		t.Errorf("loadConfig: %v, %v; want a NOTION_VERSION problem that does not repeat the value", err, cfg.Problems)
	}
}

// TestVersionNotionRefuses: when Notion itself refuses the Notion-Version
// the checks send, the report names the version as the cause, not an
// outage.
func TestVersionNotionRefuses(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/", Status: 400, Code: "validation_error",
		Message: "Notion-Version header failed validation: Notion-Version header should be a valid version, instead was `\"2025-09-03\"`."}))
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
	out, errOut, code := cli(t, env, "", notiontest.SharedPageID)
	if code != 1 || !strings.Contains(out, "Notion-Version") || strings.Contains(out, "status.notion.so") || strings.Contains(out, "did not answer") {
		t.Errorf("exit %d, stderr %q: want the version named as the cause\n%s", code, errOut, out)
	}
}

// TestAsNamedInTheFooter: --as NAME is the integration the footer names.
func TestAsNamedInTheFooter(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{
		"NOTION_TOKEN":   notiontest.GoodToken,
		"NOTION_TOKENS":  notiontest.MarketingToken,
		"NOTION_API_URL": srv.URL,
	}
	for _, text := range []string{notiontest.DatabaseID, "https://example.com/nothing-here"} {
		out, errOut, _ := cli(t, env, "", "--as", "Marketing Sync", text)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		foot := lines[len(lines)-1]
		if !strings.Contains(foot, "As Marketing Sync") || strings.Contains(foot, "Iris Checker") {
			t.Errorf("%s: footer %q, want As Marketing Sync; stderr %q\n%s", text, foot, errOut, out)
		}
	}
}

// TestPastedFailureExitStatus: a pasted 429 or 503 is what Notion told the
// person's call; the checks here were all answered, so the exit status
// follows the findings (docs/usage.md, "The CLI"), never 3.
func TestPastedFailureExitStatus(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
	for _, text := range []string{
		`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes."}`,
		`{"object":"error","status":503,"code":"service_unavailable","message":"Notion is unavailable, please try again later."}`,
		"GET /v1/pages/" + notiontest.SharedPageID + " → 429 rate_limited",
	} {
		out, errOut, code := cli(t, env, "", text)
		if code != 0 {
			t.Errorf("%q: exit %d, want 0; stderr %q\n%s", text, code, errOut, out)
		}
	}
}

// TestTokenKindsInTheCLI: a public integration's OAuth token and a personal
// access token answer users/me alike; GET /v1/users tells them apart, and
// each gets the advice that fits it.
func TestTokenKindsInTheCLI(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	for _, tc := range []struct {
		token     string
		code      diagnose.Code
		want, not string
		notCode   diagnose.Code
	}{
		{notiontest.OAuthToken, diagnose.CodeTokenOAuth, "authoriz", "connections do not apply", diagnose.CodeTokenPersonal},
		{notiontest.PersonalToken, diagnose.CodeTokenPersonal, "connections do not apply", "authoriz", diagnose.CodeTokenOAuth},
		{notiontest.GoodToken, diagnose.CodeAccessNotShared, "Connections", "authoriz", diagnose.CodeTokenOAuth},
	} {
		env := environ{"NOTION_TOKEN": tc.token, "NOTION_API_URL": srv.URL}
		out, _, _ := cli(t, env, "", "--json", notiontest.UnsharedPageID)
		got := codesOf(report(t, out))
		if _, ok := got[tc.code]; !ok {
			t.Errorf("%s: no %s in %v", tc.code, tc.code, got)
		}
		if _, ok := got[tc.notCode]; ok {
			t.Errorf("%s: %s given", tc.code, tc.notCode)
		}
		text, _, _ := cli(t, env, "", notiontest.UnsharedPageID)
		head := strings.Join(strings.Fields(strings.SplitN(text, "\n\n", 2)[0]), " ") // the answer, unwrapped
		if !strings.Contains(head, tc.want) || strings.Contains(head, tc.not) {
			t.Errorf("%s: answer %q, want %q and not %q", tc.code, head, tc.want, tc.not)
		}
	}
}

// TestEmptySearchCheckedOnline: a pasted empty search is checked with the
// integration's own search.
func TestEmptySearchCheckedOnline(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
	out, errOut, code := cli(t, env, "", "--json", "notion.search({query: 'Roadmap'}) gives { object: 'list', results: [], next_cursor: null, has_more: false }")
	got := codesOf(report(t, out))
	if !strings.Contains(got[diagnose.CodeSearchEmpty], "own search") || code != 0 {
		t.Errorf("exit %d (stderr %q), search.empty %q: want it checked with the integration's search", code, errOut, got[diagnose.CodeSearchEmpty])
	}
	if srv.CallsTo("/v1/search") != 1 {
		t.Errorf("%d search calls, want 1", srv.CallsTo("/v1/search"))
	}
}
