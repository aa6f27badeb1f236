package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

const (
	// wait only guards against a hang: behaviour is asserted, never speed
	// (a loaded 2-CPU CI under -race parses a 10 MB frame slowly).
	wait      = 60 * time.Second
	helpChan  = "CHELP00001"
	otherChan = "COTHER0001"
	human     = "UHUMAN0001"
	// A real Notion link with a valid 32-hex ID.
	pageLink = "https://www.notion.so/acme/My-Page-0123456789abcdef0123456789abcdef"
	pageID   = "0123456789abcdef0123456789abcdef"
	// fakeToken has the shape of a Notion token (made up).
	fakeToken = "ntn_4567890123abcdefABCDEF0123456789abcdefABCDEF01"
)

// syncBuffer is a goroutine-safe log sink.
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

// harness runs the real bot against the fake Slack.
type harness struct {
	t      testing.TB
	fake   *slackfake.Server
	bot    *Bot
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
	seq    int
}

// start runs a bot (real offline diagnoser unless cfg sets one) against a
// fresh fake Slack and waits until it is connected.
func start(t testing.TB, tweak func(*Config)) *harness {
	t.Helper()
	return startFake(t, nil, tweak)
}

// startFake is start with options for the fake Slack.
func startFake(t testing.TB, fakeOpts []slackfake.Option, tweak func(*Config)) *harness {
	t.Helper()
	return startBot(t, fakeOpts, tweak, nil)
}

// startBot is startFake with prepare called on the Bot before it runs
// (to set test hooks such as beforeRead).
func startBot(t testing.TB, fakeOpts []slackfake.Option, tweak func(*Config), prepare func(*Bot)) *harness {
	t.Helper()
	fake := slackfake.New(append([]slackfake.Option{slackfake.WithPingInterval(50 * time.Millisecond)}, fakeOpts...)...)
	logs := &syncBuffer{}
	cfg := Config{
		BotToken:     slackfake.BotToken,
		AppToken:     slackfake.AppToken,
		APIURL:       strings.TrimSuffix(fake.APIURL(), "/"), // New adds the "/"
		HelpChannels: []string{helpChan},
		Diagnoser:    diagnose.New(diagnose.Config{}),
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// slack-go's own 30 s: a shorter wait for Slack's PING takes a
		// reader busy with a big frame on a loaded CI (-race) for a dead
		// socket, reconnects, and loses what the fake had pushed.
		PingInterval: 30 * time.Second,
		Secrets:      []string{notiontest.GoodToken, marketingToken},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, fake: fake, bot: b, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { h.done <- b.Run(ctx) }()
	// Registered first, so it runs last: after the bot stopped.
	t.Cleanup(func() {
		if n := scanOutputs(t, fake, logs, cfg.Secrets...); testing.Verbose() {
			t.Logf("leakscan: %d outputs scanned", n)
		}
		if n := scanMarkup(t, fake, defaultMarkupAllow(append(append(cfg.AllowedChannels, cfg.HelpChannels...), cfg.AdminChannel)...)); testing.Verbose() {
			t.Logf("markup: %d texts checked", n)
		}
	})
	t.Cleanup(func() {
		h.stop()
		fake.Close()
	})
	if err := fake.WaitConnections(1, wait); err != nil {
		t.Fatal(err)
	}
	return h
}

// stop cancels the bot and returns Run's error.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(20 * time.Second):
		h.t.Error("Run did not return after cancel")
		return nil
	}
}

func (h *harness) id(prefix string) string {
	h.seq++
	return prefix + "-" + time.Now().Format("150405.000000") + "-" + string(rune('a'+h.seq%26)) + strings.Repeat("x", h.seq/26)
}

func (h *harness) push(env []byte) {
	h.t.Helper()
	if err := h.fake.Push(env); err != nil {
		h.t.Fatal(err)
	}
}

// slash pushes a /notion-check and returns its envelope ID and response_url name.
func (h *harness) slash(text string) (envID, respName string) {
	h.t.Helper()
	envID = h.id("env-slash")
	respName = h.id("resp")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: envID, Text: text, ResponseURL: h.fake.ResponseURL(respName)}))
	return envID, respName
}

// event pushes an events_api envelope and returns its envelope ID.
func (h *harness) event(eventID string, retry int, ev slackfake.Event) string {
	h.t.Helper()
	envID := h.id("env-ev")
	h.push(slackfake.EventsAPIEnvelope(envID, eventID, retry, ev))
	return envID
}

// settle waits for the ack of envID, then makes sure the event loop has
// made every decision up to it (the ack of an events_api envelope comes
// before its decision: a usage slash command pushed after it is acked only
// once the loop is past it), then waits for all work in flight.
func (h *harness) settle(envID string) {
	h.t.Helper()
	if _, err := h.fake.WaitAck(envID, wait); err != nil {
		h.t.Fatal(err)
	}
	env := h.id("env-barrier")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: "help", ResponseURL: h.fake.ResponseURL("barrier")}))
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		h.t.Fatal(err)
	}
	if !h.bot.waitIdle(wait) {
		h.t.Fatal("work still in flight")
	}
}

// barrier makes sure every envelope pushed so far was decided and its
// work finished.
func (h *harness) barrier() {
	h.t.Helper()
	env, _ := h.slash("help")
	h.settle(env)
}

func (h *harness) noSecrets(s string) {
	h.t.Helper()
	if leaks := scanner().Scan(s); len(leaks) > 0 {
		h.t.Errorf("a token leaked: %v", leaks)
	}
}

// stub is a controllable Diagnoser.
type stub struct {
	mu      sync.Mutex
	calls   []stubCall
	delay   time.Duration
	started chan string
	release chan struct{}
	active  int
	peak    int
	panicOn string
	inner   Diagnoser
}

type stubCall struct {
	text string
	opts diagnose.Options
}

// readingText is what a stub records of a reading: its sources, in order.
func readingText(rd diagnose.Reading) string {
	var srcs []string
	for _, r := range rd.References {
		if r.Source != "" {
			srcs = append(srcs, r.Source)
		}
	}
	return strings.Join(srcs, " ")
}

func (s *stub) DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report {
	text := readingText(rd)
	s.mu.Lock()
	s.calls = append(s.calls, stubCall{text, opts})
	s.active++
	if s.active > s.peak {
		s.peak = s.active
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	if s.panicOn != "" && strings.Contains(text, s.panicOn) {
		panic("stub diagnoser exploded on purpose")
	}
	if s.started != nil {
		s.started <- text
	}
	if s.release != nil {
		select {
		case <-s.release:
		case <-ctx.Done():
		}
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
		}
	}
	if s.inner != nil {
		return s.inner.DiagnoseReading(ctx, rd, opts)
	}
	return diagnose.New(diagnose.Config{}).DiagnoseReading(ctx, rd, opts)
}

func (s *stub) snapshot() ([]stubCall, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubCall(nil), s.calls...), s.peak
}

// blockIDs lists the action_ids of a blocks JSON.
func hasRecheck(t testing.TB, blocks json.RawMessage) bool {
	t.Helper()
	return bytes.Contains(blocks, []byte(`"action_id":"recheck"`))
}

// marketingToken is another integration's token (NOTION_TOKENS), as the
// helpers agreed for the fake world.
const marketingToken = "ntn_44444444444MarketingTokenAbCdEfGhIjKlMnOpQrStU"

// testTokens are the secrets of the test suite: none may ever leave the bot.
var testTokens = []string{fakeToken, slackfake.BotToken, slackfake.AppToken,
	notiontest.GoodToken, notiontest.RevokedToken, notiontest.NoReadToken, marketingToken,
	"xoxp-" + "1234567890-user-token", "secret_" + "0123456789abcdefABCDEFghijKLMN"}

// scanner is the independent leak scanner (diagnose/secret/leakscan: it
// shares no code with the product's redactor) for testTokens and extra.
func scanner(extra ...string) *leakscan.Scanner {
	return leakscan.New(append(append([]string{}, testTokens...), extra...)...)
}

// outputs lists everything the bot sent to the fake Slack (posts and
// updates with their form values and blocks, response_url bodies,
// WebSocket acks) and every log line, each with where it went.
func outputs(fake *slackfake.Server, logs *syncBuffer) (where, what []string) {
	add := func(w, s string) {
		where, what = append(where, w), append(what, s)
	}
	for _, c := range fake.Calls("") {
		if len(c.Body) > 0 { // a JSON body (views.publish)
			add(c.Method+" body", string(c.Body))
		}
		for k, vs := range c.Form {
			if k == "token" {
				continue // the credential of the call itself, sent to SLACK_API_URL
			}
			for _, v := range vs {
				add(c.Method+" form "+k, v)
			}
		}
	}
	for _, p := range fake.Posts() {
		add(p.Method+" text", p.Text)
		add(p.Method+" blocks", string(p.Blocks))
	}
	for _, a := range fake.Acks() {
		add("an ack", string(a.Raw))
	}
	for _, r := range fake.ResponsePosts() {
		add("a response_url POST", string(r.Body))
	}
	if logs != nil {
		for _, line := range strings.Split(logs.String(), "\n") {
			add("the log", line)
		}
	}
	return where, what
}

// scanOutputs fails the test when anything the bot sent to the fake Slack
// or logged holds any part of a test token or of extra (whole, or any
// 12-character run, as sent, with invisible characters removed, or
// decoded), or a token-shaped string, as the independent scanner sees it.
// It returns how many outputs it scanned.
func scanOutputs(t testing.TB, fake *slackfake.Server, logs *syncBuffer, extra ...string) int {
	t.Helper()
	scan := scanner(extra...)
	where, what := outputs(fake, logs)
	for i, s := range what {
		if leaks := scan.Scan(s); len(leaks) > 0 {
			t.Errorf("a secret leaked into %s: %v", where[i], leaks)
		}
	}
	return len(what)
}

// withRecheck gives a report built by hand the recheck lines the bot's
// reading of text would give it (diagnose.Reading.Recheck); a report that
// has them already is returned as it is.
func withRecheck(rep diagnose.Report, text string) diagnose.Report {
	if rep.Recheck != nil {
		return rep
	}
	limit := min(len(rep.Checks)+rep.Skipped, 2*MaxBlocks)
	if limit <= 0 {
		limit = diagnose.DefaultMaxChecks
	}
	rep.Recheck = diagnose.ReadText(undoMarkup(text), limit).Recheck()
	return rep
}
