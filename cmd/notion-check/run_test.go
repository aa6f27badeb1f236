package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// environ is a test's environment: the variables it sets and nothing of
// the process's, so that the developer's own NOTION_TOKEN never leaks into a
// test and tests run in parallel.
type environ map[string]string

// getenv is the environment's os.Getenv, for run.
func (e environ) getenv(k string) string { return e[k] }

// cli runs the program in-process with the environment env, as a user
// would from a shell.
func cli(t *testing.T, env environ, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, env.getenv, strings.NewReader(stdin), &out, &errb)
	defer func() {
		// Nothing the CLI writes holds a configured secret or a token
		// shape, as the independent scanner sees it.
		var known []string
		for _, k := range []string{"NOTION_TOKEN", "NOTION_TOKENS", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"} {
			for _, v := range strings.Split(env[k], ",") {
				known = append(known, strings.TrimSpace(v))
			}
		}
		scan := leakscan.New(append(known, notiontest.GoodToken, notiontest.RevokedToken, notiontest.NoReadToken)...)
		for _, leak := range append(scan.Scan(stdout), scan.Scan(stderr)...) {
			t.Errorf("notion-check %q wrote a secret: %s", args, leak)
		}
	}()
	code = 0
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if ee.msg != "" {
				errb.WriteString("notion-check: " + ee.msg + "\n")
			}
		} else {
			code = 1
			errb.WriteString("notion-check: " + err.Error() + "\n")
		}
	}
	return out.String(), errb.String(), code
}

const pageLink = "https://www.notion.so/acme/Roadmap-1212250f3985801cabcdef0123456789?pvs=4"

func TestOfflineNoToken(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli(t, nil, "", pageLink)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (no error finding offline); stderr %q", code, errOut)
	}
	// Finding codes and the id.extracted info stay in --json and --verbose;
	// the plain report says it in words.
	for _, want := range []string{"1212250f-3985-801c-abcd-ef0123456789", "Only offline checks ran", "NOTION_TOKEN"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes written to a non-terminal")
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"good link", []string{pageLink}, 0},
		{"malformed", []string{"1212250f3985801cabcdef012345678"}, 1},
		{"empty argument", []string{""}, 1},
		{"not content", []string{"https://www.notion.so/my-integrations"}, 1},
		{"unknown flag", []string{"--nope", pageLink}, 2},
		{"json and blocks", []string{"--json", "--blocks", pageLink}, 2},
		{"flags end", []string{"--", "--json"}, 1},
		{"version", []string{"version"}, 0},
		{"help", []string{"--help"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, errOut, code := cli(t, nil, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("usage error should be one line, got %q", errOut)
			}
		})
	}
}

func TestJSONReport(t *testing.T) {
	t.Parallel()
	link := "https://www.notion.so/acme/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&p=249d19fb353080fcabcdef0123456789&pm=s"
	out, _, code := cli(t, nil, "", "--json", link)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Integration struct {
			Status   string            `json:"status"`
			Findings []json.RawMessage `json:"findings"`
		} `json:"integration"`
		Checks []struct {
			Source   string `json:"source"`
			ID       string `json:"id"`
			Kind     string `json:"kind"`
			Status   string `json:"status"`
			Related  []struct{ Role, ID string }
			Findings []struct {
				Code, Severity, Title, Detail string
				Fix                           []string
			} `json:"findings"`
			Evidence []json.RawMessage `json:"evidence"`
		} `json:"checks"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Integration.Status != "missing" || len(rep.Checks) != 1 {
		t.Fatalf("integration %q, %d checks", rep.Integration.Status, len(rep.Checks))
	}
	c := rep.Checks[0]
	if c.ID != "249d19fb-3530-80fc-abcd-ef0123456789" || c.Kind != "page" || c.Status != "unknown" || c.Source != link {
		t.Errorf("check = %+v", c)
	}
	if len(c.Related) != 2 || c.Related[0].Role != "database" || c.Related[1].Role != "view" {
		t.Errorf("related = %+v", c.Related)
	}
	if c.Evidence == nil {
		t.Error("evidence must be [] not null")
	}
	for _, f := range c.Findings {
		if f.Title == "" || f.Detail == "" || len(f.Fix) == 0 || f.Severity == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
}

func TestStdin(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"-"}, {"--json"}, {"--json", "-"}} {
		out, _, code := cli(t, nil, "Could not find page with ID: 1212250f-3985-801c-abcd-ef0123456789.\n", args...)
		if code != 0 || !strings.Contains(out, "1212250f-3985-801c-abcd-ef0123456789") {
			t.Errorf("args %v: exit %d, out %q", args, code, out)
		}
	}
}

func TestBlocks(t *testing.T) {
	t.Parallel()
	out, _, code := cli(t, nil, "", "--blocks", pageLink)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var msg struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(out), &msg); err != nil || msg.Text == "" || len(msg.Blocks) == 0 {
		t.Fatalf("not a Block Kit message (%v): %s", err, out)
	}
}

func TestMalformedTokenIsAFindingNotAFailure(t *testing.T) {
	t.Parallel()
	const tok = "Bearer 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"
	out, errOut, code := cli(t, environ{"NOTION_TOKEN": tok}, "", "--json", pageLink)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "token.malformed") || !strings.Contains(out, "1212250f-3985-801c-abcd-ef0123456789") {
		t.Errorf("want token.malformed and the offline check:\n%s", out)
	}
	if strings.Contains(out+errOut, "456476151729vWBETTAc421EJdkefwPvw8dfNt2oszUa7v") {
		t.Error("the token appears in the output")
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, val string }{
		{"NOTION_API_URL", "ftp://secret-host"},
		{"NOTION_RATE", "fast"},
		{"NOTION_GUESS_RATE", "-0.5"},
		{"DIAGNOSIS_TIMEOUT", "-1s"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			_, errOut, code := cli(t, environ{tc.key: tc.val}, "", pageLink)
			if code != 2 || !strings.Contains(errOut, tc.key) || strings.Contains(errOut, tc.val) {
				t.Errorf("exit %d, stderr %q: want 2, naming %s and not its value", code, errOut, tc.key)
			}
		})
	}
}

func TestEmptyVariableCountsAsUnset(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(environ{"NOTION_VERSION": "", "NOTION_API_URL": " ", "NOTION_RATE": "\t"}.getenv)
	if err != nil || len(cfg.Problems) > 0 {
		t.Fatal(err, cfg.Problems)
	}
	if cfg.NotionVersion != "2025-09-03" || cfg.NotionAPIURL != "https://api.notion.com" || cfg.NotionRate != 3 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

// TestConfigReadsThroughGetenv: the configuration is read through the
// getenv run is given, each variable env declares asked once, and nothing
// else; a value comes back where envconfig's tags put it.
func TestConfigReadsThroughGetenv(t *testing.T) {
	t.Parallel()
	asked := map[string]int{}
	cfg, err := loadConfig(func(k string) string {
		asked[k]++
		return map[string]string{"NOTION_RATE": "7", "SHUTDOWN_TIMEOUT": "3s", "NO_COLOR": "1"}[k]
	})
	if err != nil || len(cfg.Problems) > 0 {
		t.Fatal(err, cfg.Problems)
	}
	if cfg.NotionRate != 7 || cfg.ShutdownTimeout != 3*time.Second || !cfg.Plain {
		t.Errorf("NotionRate %v, ShutdownTimeout %v, Plain %v: the values given were not read", cfg.NotionRate, cfg.ShutdownTimeout, cfg.Plain)
	}
	want := reflect.TypeFor[env]().NumField()
	if len(asked) != want {
		t.Errorf("asked %d variables, want the %d env declares: %v", len(asked), want, asked)
	}
	for k, n := range asked {
		if n != 1 {
			t.Errorf("%s asked %d times", k, n)
		}
	}
	def, _ := loadConfig(environ{"NOTION_BURST": " "}.getenv)
	if def.ShutdownTimeout != bot.DefaultShutdownTimeout || def.ClaimAfter != cluster.DefaultTurnLease || def.NotionBurst != 10 || def.NotionBurstSet {
		t.Errorf("defaults: ShutdownTimeout %v, ClaimAfter %v, NotionBurst %v (set %v)", def.ShutdownTimeout, def.ClaimAfter, def.NotionBurst, def.NotionBurstSet)
	}
	// A one-shot run keeps to NOTION_BURST only when it was given.
	if set, _ := loadConfig(environ{"NOTION_BURST": "5"}.getenv); set.NotionBurst != 5 || !set.NotionBurstSet {
		t.Errorf("NOTION_BURST=5: NotionBurst %v, set %v", set.NotionBurst, set.NotionBurstSet)
	}
}

// TestOnline runs the CLI against the fake Notion, as a user with a token.
func TestOnline(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	for _, tc := range []struct {
		name, token, text string
		code              int
		want              diagnose.Code
	}{
		{"shared page", notiontest.GoodToken, "https://www.notion.so/Roadmap-" + diagnose.Hex32(notiontest.SharedPageID), 0, diagnose.CodeAccessOK},
		{"unshared page", notiontest.GoodToken, notiontest.UnsharedPageID, 1, diagnose.CodeAccessNotShared},
		{"database on pages", notiontest.GoodToken, "Provided ID " + notiontest.DatabaseID + " is a database, not a page.", 1, diagnose.CodeEndpointMismatch},
		{"revoked token", notiontest.RevokedToken, notiontest.SharedPageID, 1, diagnose.CodeTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := environ{"NOTION_TOKEN": tc.token, "NOTION_API_URL": srv.URL}
			out, errOut, code := cli(t, env, "", "--json", tc.text)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if !strings.Contains(out, `"`+string(tc.want)+`"`) {
				t.Errorf("report lacks %s:\n%s", tc.want, out)
			}
			if strings.Contains(out+errOut, tc.token) || strings.Contains(out+errOut, tc.token[4:]) {
				t.Error("the token appears in the output")
			}
		})
	}
}

func TestOfflineFlagMakesNoCall(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": srv.URL}
	out, _, _ := cli(t, env, "", "--offline", "--json", notiontest.SharedPageID)
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("--offline made %d calls", n)
	}
	if !strings.Contains(out, `"status": "unknown"`) {
		t.Errorf("offline check should be unknown:\n%s", out)
	}
}

// TestNeverContactsOtherHosts: whatever the text holds, the diagnosis only
// talks to NOTION_API_URL. A canary server named in the text must see
// nothing.
func TestNeverContactsOtherHosts(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	canary := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer canary.Close()
	notion := notiontest.NewServer(t)
	env := environ{"NOTION_TOKEN": notiontest.GoodToken, "NOTION_API_URL": notion.URL}
	host := strings.TrimPrefix(canary.URL, "http://")
	text := canary.URL + "/v1/pages/" + notiontest.SharedPageID + " " +
		canary.URL + "/" + strings.ReplaceAll(notiontest.SharedPageID, "-", "") + " " +
		"curl " + canary.URL + "/v1/databases/" + notiontest.DatabaseID + " " +
		"https://" + host + ".notion.site/x-" + strings.ReplaceAll(notiontest.UnsharedPageID, "-", "") + " " +
		"notion://" + host + "/Page-" + strings.ReplaceAll(notiontest.RowPageID, "-", "")
	out, _, _ := cli(t, env, "", "--json", text)
	if n := hits.Load(); n != 0 {
		t.Fatalf("the canary host was contacted %d times", n)
	}
	if len(notion.Calls()) == 0 {
		t.Fatalf("no call reached NOTION_API_URL; report:\n%s", out)
	}
}
