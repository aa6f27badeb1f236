package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestCLICache: the CLI keeps what users/me told about a token under
// XDG_CACHE_HOME/notion-check, so that a second run asks Notion no
// users/me; an entry that is too old, spoilt or refused (401) is not used,
// NOTION_CHECK_CACHE=off and --offline leave the cache alone, and an
// unusable cache directory is no cache, never an error. The second run's
// integration section says what the first run's did. The cache directory
// is the test's own (the environment map, never the real home).
func TestCLICache(t *testing.T) {
	t.Parallel()
	unshared := "https://www.notion.so/acme/Secret-" + strings.ReplaceAll(notiontest.UnsharedPageID, "-", "")
	type step struct {
		// before changes the cache or the fake before the run (nil: nothing).
		before func(t *testing.T, dir string, srv *notiontest.Server)
		args   []string
		// me is how many users/me calls the run makes; entries how many
		// entry files the cache holds after it (-1: no cache directory).
		me, entries int
		code        int
		// want is a finding code the report holds ("": any).
		want string
	}
	run1 := step{args: []string{"--json", unshared}, me: 1, entries: 1, code: 1}
	warm := step{args: []string{"--json", unshared}, me: 0, entries: 1, code: 1}
	for _, tc := range []struct {
		name  string
		token string
		env   environ
		steps []step
	}{
		{"warm run asks no users/me", notiontest.GoodToken, nil, []step{run1, warm, warm}},
		{"personal access token: users and users/me kept", notiontest.PersonalToken, nil, []step{
			{args: []string{"--json", notiontest.MissingID}, me: 1, entries: 1, code: 1},
			{args: []string{"--json", notiontest.MissingID}, me: 0, entries: 1, code: 1}}},
		{"OAuth token: users and users/me kept", notiontest.OAuthToken, nil, []step{
			{args: []string{"--json", notiontest.MissingID}, me: 1, entries: 1, code: 1},
			{args: []string{"--json", notiontest.MissingID}, me: 0, entries: 1, code: 1}}},
		{"expired entry asked again", notiontest.GoodToken, nil, []step{run1,
			{before: func(t *testing.T, dir string, _ *notiontest.Server) {
				setEntries(t, dir, "fetched", time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339))
			}, args: run1.args, me: 1, entries: 1, code: 1}, warm}},
		{"corrupt entry asked again", notiontest.GoodToken, nil, []step{run1,
			{before: func(t *testing.T, dir string, _ *notiontest.Server) { spoilEntries(t, dir, []byte("{\"format\":\x00")) },
				args: run1.args, me: 1, entries: 1, code: 1}, warm}},
		{"foreign entry asked again", notiontest.GoodToken, nil, []step{run1,
			{before: func(t *testing.T, dir string, _ *notiontest.Server) { setEntries(t, dir, "format", "something else") },
				args: run1.args, me: 1, entries: 1, code: 1}, warm}},
		{"401 drops the entry", notiontest.GoodToken, nil, []step{run1,
			{before: func(t *testing.T, dir string, srv *notiontest.Server) {
				srv.AddFault(notiontest.Fault{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "API token is invalid."})
			}, args: run1.args, me: 0, entries: 0, code: 1, want: "token.invalid"},
			{before: func(t *testing.T, dir string, srv *notiontest.Server) { srv.ClearFaults() }, args: run1.args, me: 1, entries: 1, code: 1}}},
		{"off", notiontest.GoodToken, environ{"NOTION_CHECK_CACHE": "off"}, []step{
			{args: run1.args, me: 1, entries: -1, code: 1}, {args: run1.args, me: 1, entries: -1, code: 1}}},
		{"offline never touches it", notiontest.GoodToken, nil, []step{{args: []string{"--offline", "--json", unshared}, me: 0, entries: -1, code: 0}}},
		{"--as reads it", notiontest.GoodToken, nil, []step{run1,
			{args: []string{"--as", notiontest.IntegrationName, "--json", unshared}, me: 0, entries: 1, code: 1}}},
		{"--as a bot renamed since asks again", notiontest.GoodToken, nil, []step{run1,
			{before: func(t *testing.T, dir string, _ *notiontest.Server) { setEntries(t, dir, "name", "Its Old Name") },
				args: []string{"--as", notiontest.IntegrationName, "--json", unshared}, me: 1, entries: 1, code: 1}, warm}},
		{"a cache directory that cannot be made", notiontest.GoodToken, environ{"XDG_CACHE_HOME": "file"}, []step{
			{args: run1.args, me: 1, entries: -1, code: 1}, {args: run1.args, me: 1, entries: -1, code: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := notiontest.NewServer(t)
			home := t.TempDir()
			env := environ{"NOTION_TOKEN": tc.token, "NOTION_API_URL": srv.URL, "XDG_CACHE_HOME": filepath.Join(home, "xdg")}
			for k, v := range tc.env {
				env[k] = v
			}
			if env["XDG_CACHE_HOME"] == "file" {
				env["XDG_CACHE_HOME"] = filepath.Join(home, "file")
				if err := os.WriteFile(env["XDG_CACHE_HOME"], []byte("not a directory"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(env["XDG_CACHE_HOME"], "notion-check")
			var first map[string]any
			for i, s := range tc.steps {
				if s.before != nil {
					s.before(t, dir, srv)
				}
				srv.Reset()
				out, errOut, code := cli(t, env, "", s.args...)
				if code != s.code || errOut != "" {
					t.Errorf("run %d: exit %d, want %d; stderr %q", i+1, code, s.code, errOut)
				}
				if n := srv.CallsTo("/v1/users/me"); n != s.me {
					t.Errorf("run %d: %d users/me calls, want %d", i+1, n, s.me)
				}
				if n := srv.CallsTo("/v1/users") - srv.CallsTo("/v1/users/me"); s.me == 0 && n != 0 {
					t.Errorf("run %d: %d GET /v1/users calls with users/me's answer cached", i+1, n)
				}
				if n := countEntries(t, dir); n != s.entries {
					t.Errorf("run %d: %d cache entries, want %d", i+1, n, s.entries)
				}
				if s.want != "" && !strings.Contains(out, `"`+s.want+`"`) {
					t.Errorf("run %d: no %s in the report:\n%s", i+1, s.want, out)
				}
				var rep map[string]any
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("run %d: %v\n%s", i+1, err, out)
				}
				// A cached answer says what a fresh one did: the
				// integration section and the checks' findings are the
				// same (but after a 401).
				if first == nil {
					first = rep
				} else if s.me == 0 && s.entries > 0 {
					for _, part := range []string{"integration", "findings"} {
						if now, was := reportPart(rep, part), reportPart(first, part); now != was {
							t.Errorf("run %d: %s %s, the first run's %s", i+1, part, now, was)
						}
					}
				}
			}
			assertNoToken(t, home, tc.token)
		})
	}
}

// reportPart is a JSON report's integration section, or its checks'
// findings ("findings"), as JSON.
func reportPart(rep map[string]any, part string) string {
	v := rep[part]
	if part == "findings" {
		var fs []any
		checks, _ := rep["checks"].([]any)
		for _, c := range checks {
			m, _ := c.(map[string]any)
			fs = append(fs, m["findings"])
		}
		v = fs
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// notionsOwnWords is Notion's answer to GET /v1/users for a personal
// access token, which an entry keeps: the fake's PersonalToken happens to
// hold "Personal", and a window of the token that is Notion's own wording
// is no leak.
const notionsOwnWords = "Personal access tokens cannot list users."

// assertNoToken fails when any file under root holds token or any 8
// characters of it in a row (but Notion's own wording), read as bytes,
// with no help from the product's redactor.
func assertNoToken(t *testing.T, root, token string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token", p)
		}
		for i := 0; i+8 <= len(token); i++ {
			if w := token[i : i+8]; bytes.Contains(b, []byte(w)) && !strings.Contains(notionsOwnWords, w) {
				t.Errorf("%s holds %q, 8 characters of the token", p, token[i:i+8])
				return nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// entryFiles are the entry files of the cache in dir, false when dir
// cannot be read (-1 entries).
func entryFiles(t *testing.T, dir string) ([]string, bool) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		// Not there, or not a directory (its parent is a file).
		return nil, false
	}
	var out []string
	for _, e := range es {
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, true
}

func countEntries(t *testing.T, dir string) int {
	t.Helper()
	fs, ok := entryFiles(t, dir)
	if !ok {
		return -1
	}
	for _, f := range fs {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 || !strings.HasSuffix(f, ".json") {
			t.Errorf("%s: %v, %v; want a .json entry of mode 0600", f, fi.Mode(), err)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("%s: %v, %v; want mode 0700", dir, fi.Mode(), err)
	}
	return len(fs)
}

// setEntries sets one top-level field of every entry's JSON.
func setEntries(t *testing.T, dir, field string, v any) {
	t.Helper()
	fs, _ := entryFiles(t, dir)
	for _, f := range fs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = v
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// spoilEntries overwrites every entry with b.
func spoilEntries(t *testing.T, dir string, b []byte) {
	t.Helper()
	fs, _ := entryFiles(t, dir)
	for _, f := range fs {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCLICacheVariable: NOTION_CHECK_CACHE takes on or off (or a
// boolean's words, any case); another value is a usage error naming the
// variable, with no call made.
func TestCLICacheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		code  int
		cache bool
	}{
		{"on", 1, true}, {"ON", 1, true}, {"true", 1, true}, {"1", 1, true}, {" ", 1, true},
		{"off", 1, false}, {"Off", 1, false}, {"false", 1, false}, {"0", 1, false}, {"no", 1, false},
		{"sometimes", 2, false}, {"/tmp/cache", 2, false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			srv := notiontest.NewServer(t)
			xdg := t.TempDir()
			env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL, "XDG_CACHE_HOME": xdg, "NOTION_CHECK_CACHE": tc.value}
			_, errOut, code := cli(t, env, "", notiontest.UnsharedPageID)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.code == 2 && (!strings.Contains(errOut, "NOTION_CHECK_CACHE must be on or off") || len(srv.Calls()) != 0) {
				t.Errorf("stderr %q, %d calls; want the variable named and no call", errOut, len(srv.Calls()))
			}
			if _, err := os.Stat(filepath.Join(xdg, "notion-check")); (err == nil) != tc.cache {
				t.Errorf("cache directory made: %v, want %v", err == nil, tc.cache)
			}
		})
	}
}
