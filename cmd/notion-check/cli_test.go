package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestMain lets the test binary be the program itself, for the subprocess
// tests (a real process, a real signal): with NOTION_CHECK_BE_MAIN=1 it
// runs main and never the tests.
func TestMain(m *testing.M) {
	if os.Getenv("NOTION_CHECK_BE_MAIN") == "1" {
		os.Args = append([]string{"notion-check"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const viewLink = "https://www.notion.so/acme/1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc"

// TestCLIConventions: the flags of docs/usage.md ("The CLI"), wherever they
// stand.
func TestCLIConventions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		json     bool     // stdout must be JSON
		want     []string // in stdout
		wantErr  string   // in stderr
		oneLine  bool     // stderr is one line
		notInOut string
	}{
		{name: "flag after TEXT", args: []string{pageLink, "--json"}, json: true},
		{name: "flags on both sides", args: []string{"--offline", pageLink, "--json"}, json: true},
		{name: "flag=value after TEXT", args: []string{pageLink, "--json=true"}, json: true},
		{name: "-- ends flags", args: []string{pageLink, "--", "--json"}, code: 0, notInOut: `"checks"`},
		{name: "--version", args: []string{"--version"}, want: []string{"notion-check " + version}},
		{name: "--version after TEXT", args: []string{pageLink, "--version"}, want: []string{"notion-check " + version}},
		{name: "--help after TEXT", args: []string{pageLink, "--help"}, want: []string{"Usage:", "--fail-on", "--as NAME", "--verbose"}},
		{name: "--verbose", args: []string{pageLink, "--verbose"}, want: []string{"1212250f-3985-801c-abcd-ef0123456789", "[id.extracted]"}},
		{name: "without --verbose the nothing-new findings stay hidden", args: []string{pageLink}, notInOut: "[id.extracted]"},
		{name: "warning passes by default", args: []string{viewLink}, code: 0},
		{name: "--fail-on warning", args: []string{viewLink, "--fail-on", "warning"}, code: 1},
		{name: "--fail-on=warning before TEXT", args: []string{"--fail-on=warning", viewLink}, code: 1},
		{name: "--fail-on error", args: []string{"--fail-on", "error", viewLink}, code: 0},
		{name: "--fail-on bogus", args: []string{"--fail-on", "info", viewLink}, code: 2, wantErr: "--fail-on", oneLine: true},
		{name: "--as takes a name", args: []string{"--as", "Marketing Sync", pageLink, "--json"}, json: true},
		{name: "--as without its name", args: []string{pageLink, "--as"}, code: 2, wantErr: "--as", oneLine: true},
		{name: "unknown flag after TEXT", args: []string{pageLink, "--jsno"}, code: 2, wantErr: `put it after "--"`, oneLine: true},
		{name: "unquoted curl line keeps its flags as TEXT", args: []string{"curl", "-X", "GET", "https://api.notion.com/v1/pages/1212250f3985801cabcdef0123456789", "-H", "Notion-Version: 2022-06-28", "--json"}, json: true, want: []string{"1212250f-3985-801c-abcd-ef0123456789"}},
		{name: "--json --blocks after TEXT", args: []string{pageLink, "--json", "--blocks"}, code: 2, oneLine: true},
		{name: "healthcheck --help", args: []string{"healthcheck", "--help"}, want: []string{"Usage: notion-check healthcheck"}},
		{name: "healthcheck -h", args: []string{"healthcheck", "-h"}, want: []string{"Usage: notion-check healthcheck"}},
		{name: "serve --help", args: []string{"serve", "--help"}, want: []string{"Usage: notion-check serve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := cli(t, nil, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.json && !json.Valid([]byte(out)) {
				t.Errorf("stdout is not JSON:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tc.wantErr != "" && !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.wantErr)
			}
			if tc.oneLine && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("stderr should be one line: %q", errOut)
			}
			if tc.notInOut != "" && strings.Contains(out, tc.notInOut) {
				t.Errorf("stdout holds %q:\n%s", tc.notInOut, out)
			}
		})
	}
}

// TestAsNamesAConfiguredIntegration: --as checks as the integration of
// that name; a name no configured integration has is a usage error.
func TestAsNamesAConfiguredIntegration(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	env := environ{
		"NOTION_TOKEN":   notiontest.GoodToken,
		"NOTION_TOKENS":  notiontest.MarketingToken,
		"NOTION_API_URL": srv.URL,
	}
	// Marketing Sync does not see the shared page; Iris Checker does.
	out, errOut, code := cli(t, env, "", "--as", "marketing sync", "--json", notiontest.SharedPageID)
	if code != 1 || !strings.Contains(out, "access.not_shared") {
		t.Errorf("--as Marketing Sync: exit %d, stderr %q\n%s", code, errOut, out)
	}
	out, errOut, code = cli(t, env, "", "--as", "Nobody", notiontest.SharedPageID)
	if code != 2 || !strings.Contains(errOut, `"Marketing Sync"`) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("--as Nobody: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

// TestExitThreeWhenNotionCannotBeAsked: no error found but a check could
// not finish because Notion did not answer → 3; never for --offline or a
// missing token; an error finding still wins (1).
func TestExitThreeWhenNotionCannotBeAsked(t *testing.T) {
	t.Parallel()
	down := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/", Status: 503}))
	for _, tc := range []struct {
		name, token, url string
		args             []string
		code             int
		notInOut         string
	}{
		{name: "Notion 503", token: notiontest.GoodToken, url: down.URL, args: []string{notiontest.SharedPageID}, code: 3, notInOut: "offline"},
		{name: "Notion 503, JSON", token: notiontest.GoodToken, url: down.URL, args: []string{"--json", notiontest.SharedPageID}, code: 3},
		{name: "Notion 503 and an offline error", token: notiontest.GoodToken, url: down.URL, args: []string{notiontest.SharedPageID, "1212250f3985801cabcdef012345678"}, code: 1},
		{name: "--offline", token: notiontest.GoodToken, url: down.URL, args: []string{"--offline", notiontest.SharedPageID}, code: 0},
		{name: "no token", url: down.URL, args: []string{notiontest.SharedPageID}, code: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := environ{"NOTION_TOKEN": tc.token, "NOTION_API_URL": tc.url, "DIAGNOSIS_TIMEOUT": "5s"}
			out, errOut, code := cli(t, env, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q\n%s", code, tc.code, errOut, out)
			}
			if tc.notInOut != "" && strings.Contains(strings.SplitN(out, "\n", 2)[0], tc.notInOut) {
				t.Errorf("the verdict line claims %q though Notion was asked:\n%s", tc.notInOut, out)
			}
		})
	}
}

// TestNotionTokensInTheCLI: a NOTION_TOKENS entry Notion refuses, or of a
// wrong shape, is reported like NOTION_TOKEN (an integration finding), by
// position and never by value.
func TestNotionTokensInTheCLI(t *testing.T) {
	t.Parallel()
	srv := notiontest.NewServer(t)
	const malformed = "Bearer ntn_66666666666MalformedTokenAbCdEfGhIjKlMnOpQr"
	for _, tc := range []struct {
		name, tokens string
		code         int
		want         []string
	}{
		{name: "good entries", tokens: notiontest.GoodToken + " , " + notiontest.NoReadToken, code: 0},
		{name: "a revoked entry", tokens: notiontest.GoodToken + "," + notiontest.RevokedToken, code: 1, want: []string{"token.invalid", "NOTION_TOKENS entry 2"}},
		{name: "a malformed entry", tokens: malformed, code: 1, want: []string{"token.malformed", "NOTION_TOKENS entry 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := environ{
				"NOTION_TOKEN":   notiontest.GoodToken,
				"NOTION_TOKENS":  tc.tokens,
				"NOTION_API_URL": srv.URL,
			}
			out, errOut, code := cli(t, env, "", "--json", notiontest.SharedPageID)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q\n%s", code, tc.code, errOut, out)
			}
			var rep struct {
				Integration struct {
					Findings []struct{ Code, Detail string } `json:"findings"`
				} `json:"integration"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not JSON (%v):\n%s", err, out)
			}
			got, _ := json.Marshal(rep.Integration.Findings)
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("integration findings lack %q: %s", w, got)
				}
			}
			// README's promise for the team's tokens: read-only calls only.
			for _, c := range srv.Calls() {
				if c.Method != "GET" {
					t.Errorf("%s %s: only GET requests may be sent", c.Method, c.Path)
				}
			}
			for _, tok := range []string{notiontest.RevokedToken[4:], notiontest.NoReadToken[4:], malformed[11:]} {
				if strings.Contains(out+errOut, tok) {
					t.Errorf("a token's value appears in the output")
				}
			}
		})
	}
}

// runInterrupted runs the CLI in-process against a Notion that never
// answers usably, sends it sig (as main does, a cancellation with a
// signalCause) once Notion has been asked, and returns what it printed and
// its exit status. The limit only guards against a hang.
func runInterrupted(t *testing.T, sig syscall.Signal, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	storm := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/", Status: 429, RetryAfter: "1"}))
	env := environ{
		"NOTION_TOKEN":      notiontest.GoodToken,
		"NOTION_API_URL":    storm.URL,
		"DIAGNOSIS_TIMEOUT": "5m",
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var out, errb bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, env.getenv, strings.NewReader(""), &out, &errb) }()
	waitFor(t, "the first call to Notion", func() bool { return storm.CallsTo("/v1/") > 0 })
	cancel(signalCause{sig: sig})
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after the signal")
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		t.Fatalf("run returned %v, want an exit status", err)
	}
	return out.String(), errb.String(), ee.code
}

// TestInterruptPrintsWhatItKnew: SIGINT/SIGTERM during a 429 storm stop
// the diagnosis (with a deadline of minutes) at once: the offline report
// (its ID, the online check unknown), a line on stderr, exit 130/143.
func TestInterruptPrintsWhatItKnew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		args []string
	}{
		{syscall.SIGINT, 130, []string{notiontest.SharedPageID, "--json"}},
		{syscall.SIGTERM, 143, []string{"--json", notiontest.SharedPageID}},
		{syscall.SIGINT, 130, []string{notiontest.SharedPageID}},
	} {
		t.Run(signalName(tc.sig)+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runInterrupted(t, tc.sig, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if !strings.Contains(errOut, signalName(tc.sig)) || !strings.Contains(errOut, "did not finish") {
				t.Errorf("stderr %q: want what stopped it and that the online checks did not finish", errOut)
			}
			if !strings.Contains(out, notiontest.SharedPageID) {
				t.Errorf("the partial report lacks the check:\n%s", out)
			}
			if tc.args[0] == "--json" || tc.args[len(tc.args)-1] == "--json" {
				var rep struct {
					Checks []struct{ Status string } `json:"checks"`
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Checks) != 1 || rep.Checks[0].Status != "unknown" {
					t.Errorf("want one unknown check in JSON (%v):\n%s", err, out)
				}
			}
		})
	}
}

// TestSignalExitCodes: the exit status of an interrupted run is 128 + the
// signal, and any other cancellation is an interrupt too.
func TestSignalExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cause error
		code  int
	}{
		{signalCause{sig: syscall.SIGINT}, 130},
		{signalCause{sig: syscall.SIGTERM}, 143},
		{errors.New("some other reason"), 130},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(tc.cause)
		var ee *exitError
		if err := interruptedError(ctx); !errors.As(err, &ee) || ee.code != tc.code {
			t.Errorf("cause %v: %v, want exit %d", tc.cause, err, tc.code)
		}
	}
}

// TestSubprocessStopsOnSignal runs the real program as a process against a
// fake Notion's 429 storm and sends it a real SIGINT, then a SIGTERM to
// another: each exits 130/143 with the partial report. The limit only
// guards against a hang.
func TestSubprocessStopsOnSignal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(signalName(tc.sig), func(t *testing.T) {
			t.Parallel()
			storm := notiontest.NewServer(t, notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/", Status: 429, RetryAfter: "1"}))
			cmd := exec.Command(self, "--json", notiontest.SharedPageID)
			cmd.Env = append(cleanEnviron(), "NOTION_CHECK_BE_MAIN=1", "NOTION_TOKEN="+notiontest.GoodToken,
				"NOTION_API_URL="+storm.URL, "DIAGNOSIS_TIMEOUT=5m")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitFor(t, "the first call to Notion", func() bool { return storm.CallsTo("/v1/") > 0 })
			sent := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
				// A figure for the README, not an assertion.
				t.Logf("%s: the process exited %v after the signal", signalName(tc.sig), time.Since(sent).Round(time.Millisecond))
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the process did not stop after the signal")
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", got, tc.code, errb.String())
			}
			if !json.Valid(out.Bytes()) || !strings.Contains(out.String(), notiontest.SharedPageID) {
				t.Errorf("want the partial JSON report, got:\n%s", out.String())
			}
			t.Logf("%s: %d calls reached Notion before the stop", signalName(tc.sig), storm.CallsTo("/v1/"))
		})
	}
}

// TestWiringOneProberPerToken: NOTION_TOKENS gives one prober per usable
// entry (each its own limiter, so its own rate budget), none for a
// malformed entry or --offline, and serve's variables name them in order.
func TestWiringOneProberPerToken(t *testing.T) {
	t.Parallel()
	cfg := config{NotionToken: notiontest.GoodToken, NotionTokens: []string{notiontest.NoReadToken, "Bearer x", notiontest.RevokedToken},
		NotionAPIURL: "http://127.0.0.1:1", NotionVersion: "2025-09-03", NotionRate: 3, NotionBurst: 3}
	w, err := newDiagnoser(cfg, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !w.online || w.main == nil || len(w.others) != 3 {
		t.Fatalf("online %v, main %v, %d others", w.online, w.main != nil, len(w.others))
	}
	if w.others[0].prober == nil || w.others[1].prober != nil || w.others[2].prober == nil || w.others[0].prober == w.others[2].prober || w.others[0].prober == w.main {
		t.Errorf("want a prober of its own for entries 1 and 3, none for the malformed entry 2: %+v", w.others)
	}
	if len(w.others[1].findings) != 1 || !strings.Contains(w.others[1].findings[0].Detail, "NOTION_TOKENS entry 2") {
		t.Errorf("entry 2's finding: %+v", w.others[1].findings)
	}
	off, err := newDiagnoser(cfg, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if off.online || off.main != nil || off.others[0].prober != nil {
		t.Error("--offline made a prober")
	}
	if got := strings.Join(tokenKeys(cfg), "|"); got != "NOTION_TOKEN|NOTION_TOKENS entry 1|NOTION_TOKENS entry 2|NOTION_TOKENS entry 3" {
		t.Errorf("tokenKeys = %s", got)
	}
}
