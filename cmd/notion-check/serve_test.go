package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// syncBuffer is a bytes.Buffer safe for the logger's and the test's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond; its limit only guards against a hang (no test here
// asserts how long anything took).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeEndToEnd runs `notion-check serve` in-process, wired as in
// production, against the fake Slack and the fake Notion: readiness, a slash
// command answered, metrics that move, the healthcheck subcommand, a clean
// shutdown, and no token anywhere in what it wrote or sent.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	slack := slackfake.New()
	defer slack.Close()
	notion := notiontest.NewServer(t)
	addr := freeAddr(t)

	env := environ{
		"SLACK_BOT_TOKEN": slackfake.BotToken,
		"SLACK_APP_TOKEN": slackfake.AppToken,
		"SLACK_API_URL":   slack.APIURL(),
		"NOTION_TOKEN":    notiontest.GoodToken,
		"NOTION_TOKENS":   marketingToken,
		"NOTION_API_URL":  notion.URL,
		"ADDR":            addr,
		"LOG_LEVEL":       "debug",
	}

	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env.getenv, nil, io.Discard, logs) }()

	base := "http://" + addr
	waitFor(t, "/healthz", func() bool { c, _ := get(base + "/healthz"); return c == 200 })
	waitFor(t, "/readyz", func() bool { c, _ := get(base + "/readyz"); return c == 200 })
	// users/me once per token at start: the readiness watches read the
	// start's answer rather than asking again (each call spends budget).
	if n := notion.CallsTo("/v1/users/me"); n != 2 {
		t.Errorf("%d users/me calls at start for 2 tokens, want 2", n)
	}

	// The healthcheck subcommand, as the image's HEALTHCHECK runs it.
	if _, errOut, code := cli(t, nil, "", "healthcheck", base+"/healthz"); code != 0 {
		t.Errorf("healthcheck exit %d: %s", code, errOut)
	}

	text := "why? https://www.notion.so/Roadmap-" + strings.ReplaceAll(notiontest.UnsharedPageID, "-", "") +
		" token ntn_99999999999PastedTokenAbCdEfGhIjKlMnOpQrStUvW and %22ntn%5F" + notiontest.GoodToken[4:] + "%22 " + marketingToken[:30]
	if err := slack.Push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "env-1", Text: text, ResponseURL: slack.ResponseURL("r1")})); err != nil {
		t.Fatal(err)
	}
	posts, err := slack.WaitResponsePosts(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(posts[0].Body), "access.not_shared") || posts[0].ResponseType != "ephemeral" {
		t.Errorf("report = %s", posts[0].Body)
	}
	waitFor(t, "metrics", func() bool {
		_, m := get(base + "/metrics")
		return strings.Contains(m, `notion_check_findings_total{code="access.not_shared"} 1`) &&
			strings.Contains(m, `notion_check_notion_calls_total{endpoint="blocks",integration="Iris Checker",status="404"}`) &&
			strings.Contains(m, "notion_check_slack_acks_total")
	})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v, want nil after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if c, _ := get(base + "/healthz"); c == 200 {
		t.Error("the ops listener still answers after shutdown")
	}
	if !strings.Contains(logs.String(), `"msg":"diagnosis"`) {
		t.Errorf("no diagnosis log line in:\n%s", logs.String())
	}

	// No token in anything written or sent.
	var sent strings.Builder
	for _, p := range slack.ResponsePosts() {
		sent.Write(p.Body)
	}
	for _, p := range slack.Posts() {
		sent.WriteString(p.Text)
		sent.Write(p.Blocks)
	}
	for _, a := range slack.Acks() {
		sent.Write(a.Raw)
	}
	_, metrics := get(base + "/metrics")
	all := logs.String() + sent.String() + metrics
	// The independent scanner (it shares no code with the redactor): every
	// configured token and the pasted one, whole or any 12-character run,
	// in any decoded form, and every token shape.
	scan := leakscan.New(notiontest.GoodToken, marketingToken, slackfake.BotToken, slackfake.AppToken, "ntn_99999999999PastedTokenAbCdEfGhIjKlMnOpQrStUvW")
	for _, leak := range scan.Scan(all) {
		t.Errorf("leaked: %s", leak)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, val, says string
	}{
		{"no bot token", "SLACK_BOT_TOKEN", "", "SLACK_BOT_TOKEN"},
		{"app token in bot slot", "SLACK_BOT_TOKEN", "xapp-1-A012-3456-abcdef", "SLACK_BOT_TOKEN"},
		{"bot token in app slot", "SLACK_APP_TOKEN", "xoxb-1234-5678-abcdefgh", "SLACK_APP_TOKEN"},
		{"bearer notion token", "NOTION_TOKEN", "Bearer " + notiontest.GoodToken, "NOTION_TOKEN"},
		{"quoted notion token", "NOTION_TOKEN", `"` + notiontest.GoodToken + `"`, "NOTION_TOKEN"},
		{"no notion token", "NOTION_TOKEN", "", "NOTION_TOKEN"},
		{"bad help channel", "HELP_CHANNELS", "#help", "HELP_CHANNELS"},
		{"bad allowed channel", "ALLOWED_CHANNELS", "general", "ALLOWED_CHANNELS"},
		{"bad admin channel", "ADMIN_CHANNEL", "#admins", "ADMIN_CHANNEL"},
		{"two admin channels", "ADMIN_CHANNEL", "C0ADMIN001,C0ADMIN002", "ADMIN_CHANNEL"},
		{"bad external flag", "ALLOW_EXTERNAL_USERS", "perhaps", "ALLOW_EXTERNAL_USERS"},
		{"shutdown timeout not a duration", "SHUTDOWN_TIMEOUT", "forever", "SHUTDOWN_TIMEOUT"},
		{"shutdown timeout too short", "SHUTDOWN_TIMEOUT", "500ms", "SHUTDOWN_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := environ{
				"SLACK_BOT_TOKEN": slackfake.BotToken,
				"SLACK_APP_TOKEN": slackfake.AppToken,
				"NOTION_TOKEN":    notiontest.GoodToken, tc.key: tc.val,
			}
			_, errOut, code := cli(t, env, "", "serve")
			if code != 2 || !strings.Contains(errOut, tc.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit %d, stderr %q: want 2 and one line naming %s", code, errOut, tc.says)
			}
			if len(tc.val) > 12 && strings.Contains(errOut, tc.val[len(tc.val)-10:]) {
				t.Errorf("stderr shows the value: %q", errOut)
			}
		})
	}
}

func TestHealthcheckExitCodes(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	bad := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	srvOK := &http.Server{Handler: ok}
	srvBad := &http.Server{Handler: bad}
	lnOK, _ := net.Listen("tcp", "127.0.0.1:0")
	lnBad, _ := net.Listen("tcp", "127.0.0.1:0")
	go srvOK.Serve(lnOK)
	go srvBad.Serve(lnBad)
	defer srvOK.Close()
	defer srvBad.Close()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"healthcheck", "http://" + lnOK.Addr().String() + "/healthz"}, 0},
		{[]string{"healthcheck", "http://" + lnBad.Addr().String() + "/healthz"}, 1},
		{[]string{"healthcheck", "http://" + freeAddr(t) + "/healthz"}, 1},
		{[]string{"healthcheck", "a", "b"}, 2},
	} {
		if _, errOut, code := cli(t, nil, "", tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errOut)
		}
	}
	if _, errOut, code := cli(t, environ{"ADDR": lnOK.Addr().String()}, "", "healthcheck"); code != 0 {
		t.Errorf("healthcheck from ADDR: exit %d (%s)", code, errOut)
	}
}

// TestServeReportsEveryBadVariableAtOnce: one run names every missing or
// malformed variable, one line each, never a value; ADDR problems name
// ADDR, and the SLACK_API_URL example is a Slack URL.
func TestServeReportsEveryBadVariableAtOnce(t *testing.T) {
	t.Parallel()
	env := environ{
		"SLACK_BOT_TOKEN":   "xapp-1-A012-3456-abcdefsecretvalue",
		"NOTION_TOKEN":      `"` + notiontest.GoodToken + `"`,
		"NOTION_TOKENS":     notiontest.GoodToken + ", Bearer ntn_66666666666MalformedTokenAbCdEfGhIjKlMnOpQr",
		"SLACK_API_URL":     "slack.com/api",
		"ADDR":              "8080",
		"HELP_CHANNELS":     "#help",
		"LOG_LEVEL":         "loud",
		"DIAGNOSIS_TIMEOUT": "forever",
	}
	_, errOut, code := cli(t, env, "", "serve")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
	}
	for _, w := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN is not set", "NOTION_TOKEN", "NOTION_TOKENS entry 2",
		"SLACK_API_URL must be an http(s) URL such as https://slack.com/api/", "ADDR must be host:port", "HELP_CHANNELS", "LOG_LEVEL", "DIAGNOSIS_TIMEOUT"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if n := strings.Count(strings.TrimSpace(errOut), "\n") + 1; n < 9 {
		t.Errorf("%d lines, want one per problem (9):\n%s", n, errOut)
	}
	for _, secret := range []string{"abcdefsecretvalue", notiontest.GoodToken[4:], "MalformedToken", "slack.com/api\n", "8080\n", "loud", "forever"} {
		if strings.Contains(errOut, secret) {
			t.Errorf("stderr shows a value (%q):\n%s", secret, errOut)
		}
	}
	if strings.Contains(errOut, "api.notion.com") {
		t.Errorf("a Slack variable's message gives a Notion example:\n%s", errOut)
	}
}

// TestServeStopsOnARefusedToken: at start every token is asked users/me
// once; one Notion refuses (401) stops serve (exit 2) naming its entry,
// never its value.
func TestServeStopsOnARefusedToken(t *testing.T) {
	t.Parallel()
	notion := notiontest.NewServer(t)
	env := environ{
		"SLACK_BOT_TOKEN": slackfake.BotToken, "SLACK_APP_TOKEN": slackfake.AppToken,
		"SLACK_API_URL": "http://127.0.0.1:1/api/", // never reached
		"NOTION_TOKEN":  notiontest.GoodToken, "NOTION_TOKENS": notiontest.NoReadToken + "," + notiontest.RevokedToken,
		"NOTION_API_URL": notion.URL, "ADDR": "off",
	}
	_, errOut, code := cli(t, env, "", "serve")
	if code != 2 || !strings.Contains(errOut, "NOTION_TOKENS entry 2") || !strings.Contains(errOut, "401") {
		t.Errorf("exit %d, stderr %q: want 2 and a line naming NOTION_TOKENS entry 2 and the 401", code, errOut)
	}
	var errLines []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "notion-check: ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || strings.Contains(errLines[0], "entry 1") || strings.Contains(errOut, notiontest.RevokedToken[4:]) {
		t.Errorf("stderr names the good entry or shows the value: %q", errOut)
	}
	if n := notion.CallsTo("/v1/users/me"); n != 3 {
		t.Errorf("%d users/me calls at start, want 3 (once per token)", n)
	}
}

// TestServeReadyzPerIntegration: with NOTION_TOKENS, /readyz and /metrics
// name each integration; when Notion is unreachable /readyz says so (not
// "token refused") and turns ready by itself once Notion answers again,
// without any diagnosis.
func TestServeReadyzPerIntegration(t *testing.T) {
	t.Parallel()
	slack := slackfake.New()
	defer slack.Close()
	notion := notiontest.NewServer(t)
	addr := freeAddr(t)
	env := environ{
		"SLACK_BOT_TOKEN":   slackfake.BotToken,
		"SLACK_APP_TOKEN":   slackfake.AppToken,
		"SLACK_API_URL":     slack.APIURL(),
		"NOTION_TOKEN":      notiontest.GoodToken,
		"NOTION_TOKENS":     notiontest.NoReadToken,
		"NOTION_API_URL":    notion.URL,
		"ADDR":              addr,
		"DIAGNOSIS_TIMEOUT": "2s",
	}
	// Notion's edge answers users/me with an HTML 502 for now.
	notion.AddFault(notiontest.Fault{PathPrefix: "/v1/users/me", Status: 502, Edge: true})

	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env.getenv, nil, io.Discard, logs) }()
	base := "http://" + addr
	waitFor(t, "/readyz saying Notion is unreachable", func() bool {
		c, body := get(base + "/readyz")
		return c == 503 && strings.Contains(body, "Notion unreachable")
	})
	if _, body := get(base + "/readyz"); strings.Contains(body, "token refused") {
		t.Errorf("/readyz says refused while Notion is only unreachable: %q", body)
	}
	before := notion.CallsTo("/v1/users/me")
	notion.ClearFaults()
	waitFor(t, "/readyz ready by itself", func() bool { c, _ := get(base + "/readyz"); return c == 200 })
	if notion.CallsTo("/v1/users/me") <= before {
		t.Error("ready without asking users/me again")
	}
	_, body := get(base + "/readyz")
	_, metrics := get(base + "/metrics")
	for _, w := range []string{`notion "Iris Checker": ok`} {
		if !strings.Contains(body, w) {
			t.Errorf("/readyz %q lacks %q", body, w)
		}
	}
	for _, w := range []string{`notion_check_notion_integration_state{integration="Iris Checker",state="ok"} 1`,
		// Before Notion told its name, an integration is labelled by its variable.
		`notion_check_notion_calls_total{endpoint="users",integration="NOTION_TOKEN",status="502"}`} {
		if !strings.Contains(metrics, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	if strings.Count(body, "notion ") != 2 {
		t.Errorf("/readyz should list both integrations: %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(logs.String()+metrics+body, notiontest.NoReadToken[4:]) {
		t.Error("a token leaked")
	}
}

// TestServeOpsRedactsNames: an integration whose name (GET /v1/users/me)
// holds the configured Notion token and the Slack bot token, without
// their prefixes (so that only their values tell them), is named on
// /readyz and /metrics with both masked, as the logs mask them (serve
// wires the same secrets into the ops listener as into the logger).
func TestServeOpsRedactsNames(t *testing.T) {
	t.Parallel()
	slack := slackfake.New()
	defer slack.Close()
	name := "Iris " + notiontest.GoodToken[4:] + " " + slackfake.BotToken[5:]
	notion := notiontest.NewServer(t, notiontest.WithIntegration(name, "Acme "+slackfake.AppToken[5:]))
	addr := freeAddr(t)
	env := environ{
		"SLACK_BOT_TOKEN": slackfake.BotToken,
		"SLACK_APP_TOKEN": slackfake.AppToken,
		"SLACK_API_URL":   slack.APIURL(),
		"NOTION_TOKEN":    notiontest.GoodToken,
		"NOTION_API_URL":  notion.URL,
		"ADDR":            addr,
	}

	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env.getenv, nil, io.Discard, logs) }()
	base := "http://" + addr
	waitFor(t, "/readyz", func() bool { c, _ := get(base + "/readyz"); return c == 200 })
	waitFor(t, "/metrics naming the integration", func() bool {
		_, m := get(base + "/metrics")
		return strings.Contains(m, `integration="Iris `)
	})
	_, ready := get(base + "/readyz")
	_, metrics := get(base + "/metrics")
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(ready, `notion "Iris `) {
		t.Errorf("/readyz does not name the integration: %q", ready)
	}
	scan := leakscan.New(notiontest.GoodToken, slackfake.BotToken, slackfake.AppToken)
	for where, s := range map[string]string{"/readyz": ready, "/metrics": metrics, "the log": logs.String()} {
		for _, leak := range scan.Scan(s) {
			t.Errorf("%s: %s", where, leak)
		}
	}
}
