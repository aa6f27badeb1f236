package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
)

// gate is a Diagnoser that answers the first `quick` diagnoses at once and
// holds every later one until its context ends (a Notion that stopped
// answering), as the real one does at its deadline.
type gate struct {
	quick int32
	n     atomic.Int32
}

func (g *gate) DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report {
	if g.n.Add(1) > g.quick {
		<-ctx.Done()
	}
	return diagnose.New(diagnose.Config{}).DiagnoseReading(ctx, rd, opts)
}

// distinctLink is the i-th of many links to distinct pages.
func distinctLink(i int) string {
	return fmt.Sprintf("https://www.notion.so/acme/Page-%032x", 0xabc00000+i)
}

// TestShutdownAnswersEveryAckedMessage: 120 help-channel messages are
// acknowledged; 20 are answered, then the bot is stopped (SIGTERM cancels
// Run's context) while the other 100 are running or queued and Notion
// does not answer. Every message gets its report or StoppedText in its
// thread, and Run's error says how many were cut.
func TestShutdownAnswersEveryAckedMessage(t *testing.T) {
	const total, quick = 120, 20
	var stats ShutdownStats
	var statsOnce atomic.Int32
	h := start(t, func(c *Config) {
		c.Diagnoser = &gate{quick: quick}
		// The last third, capped at 3 s, is for answering the 100 cut:
		// 3 s, so that a CPU-starved run (load 15 on 2 CPUs, -race) still
		// posts them all; 1.5 s did not always.
		c.ShutdownTimeout = 9 * time.Second
		c.Hooks.OnShutdown = func(s ShutdownStats) { stats = s; statsOnce.Add(1) }
	})
	var envs []string
	for i := range total {
		envs = append(envs, h.event(fmt.Sprintf("EvStop%03d", i), 0, slackfake.Event{
			Channel: helpChan, User: human, Text: distinctLink(i), TS: fmt.Sprintf("1700001000.%06d", i)}))
	}
	for _, env := range envs {
		if _, err := h.fake.WaitAck(env, wait); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.fake.WaitPosts(quick, wait); err != nil {
		t.Fatal(err)
	}
	err := h.stop() // what SIGTERM does
	if !errors.Is(err, ErrShutdownCut) {
		t.Fatalf("Run = %v, want an error wrapping ErrShutdownCut", err)
	}
	// A quick job whose reply is posted may still be finishing when the
	// stop comes (then counted in flight and answered): the 100 cut are
	// what is certain.
	if !strings.Contains(err.Error(), "100 of 1") {
		t.Errorf("Run = %v, want it to say 100 were not checked", err)
	}
	perThread := map[string][]slackfake.Post{}
	for _, p := range h.fake.Posts() {
		perThread[p.ThreadTS] = append(perThread[p.ThreadTS], p)
	}
	reports, stopped := 0, 0
	for i := range total {
		ts := fmt.Sprintf("1700001000.%06d", i)
		ps := perThread[ts]
		if len(ps) != 1 {
			t.Errorf("message %s got %d answers, want exactly 1", ts, len(ps))
			continue
		}
		switch {
		case ps[0].Text == StoppedText:
			stopped++
		case hasRecheck(t, ps[0].Blocks):
			reports++
		default:
			t.Errorf("message %s answered %q", ts, ps[0].Text)
		}
	}
	t.Logf("SIGTERM with %d acknowledged messages: %d answered with their report, %d told %q, Run = %v",
		total, reports, stopped, StoppedText, err)
	if reports != quick || stopped != total-quick {
		t.Errorf("%d reports and %d stopped answers, want %d and %d", reports, stopped, quick, total-quick)
	}
	if statsOnce.Load() != 1 || stats.Stopped != total-quick || stats.Lost != 0 || stats.InFlight-stats.Answered != total-quick {
		t.Errorf("OnShutdown called %d times with %+v", statsOnce.Load(), stats)
	}
}

// TestShutdownStoppedRepliesUseTheRightChannel: a slash command gets
// StoppedText through its response_url, a "Check again" through its
// response_url without replacing the report.
func TestShutdownStoppedRepliesUseTheRightChannel(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *Config) {
		c.Diagnoser = &gate{}
		c.ShutdownTimeout = 3 * time.Second
	})
	env, resp := h.slash(pageLink)
	click := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: RecheckActionID, Value: pageLink,
		ResponseURL: h.fake.ResponseURL("click"), ChannelID: helpChan, MessageTS: "1700001100.000100"}))
	for _, id := range []string{env, click} {
		if _, err := h.fake.WaitAck(id, wait); err != nil {
			t.Fatal(err)
		}
	}
	h.barrier0()
	if err := h.stop(); !errors.Is(err, ErrShutdownCut) {
		t.Errorf("Run = %v, want ErrShutdownCut", err)
	}
	got := map[string]slackfake.ResponsePost{}
	for _, r := range h.fake.ResponsePosts() {
		got[r.Name] = r
	}
	if r := got[resp]; r.Text != StoppedText || r.ReplaceOriginal {
		t.Errorf("slash command answered %+v, want StoppedText", r)
	}
	if r := got["click"]; r.Text != StoppedText || r.ReplaceOriginal {
		t.Errorf("click answered %+v, want StoppedText, not replacing the report", r)
	}
}

// barrier0 makes sure the event loop decided everything pushed so far,
// without waiting for the work in flight.
func (h *harness) barrier0() {
	h.t.Helper()
	env := h.id("env-barrier")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: "help", ResponseURL: h.fake.ResponseURL("barrier")}))
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		h.t.Fatal(err)
	}
}

func TestShutdownWithNothingCutReturnsNil(t *testing.T) {
	var stats ShutdownStats
	h := start(t, func(c *Config) {
		c.Diagnoser = &stub{delay: 100 * time.Millisecond}
		c.Hooks.OnShutdown = func(s ShutdownStats) { stats = s }
	})
	for i := range 5 {
		h.slash(distinctLink(i))
	}
	h.barrier0()
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if n := len(h.fake.ResponsePosts()); n != 5 { // the barrier's usage is in its ack
		t.Errorf("%d answers, want 5", n)
	}
	if stats.Stopped+stats.Lost != 0 {
		t.Errorf("stats %+v", stats)
	}
}

// TestSlackFaultFallbacks: each Slack fault the bot can work around.
func TestSlackFaultFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(f *slackfake.Server)
		send  func(h *harness)
		check func(t *testing.T, h *harness)
	}{
		{
			name:  "msg_too_long posts a shortened text alone",
			fault: func(f *slackfake.Server) { f.Fail("chat.postMessage", slackfake.Fault{Error: "msg_too_long"}) },
			send: func(h *harness) {
				h.event("EvLong", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700001200.000100"})
			},
			check: func(t *testing.T, h *harness) {
				ps := h.fake.Posts()
				if len(ps) != 1 || len(ps[0].Blocks) != 0 || ps[0].Text == "" || len([]rune(ps[0].Text)) > MaxSectionText {
					t.Errorf("posts %+v, want one shortened text-only post", ps)
				}
			},
		},
		{
			name:  "msg_too_long on chat.update updates with a shortened text",
			fault: func(f *slackfake.Server) { f.Fail("chat.update", slackfake.Fault{Error: "msg_too_long"}) },
			send: func(h *harness) {
				env := h.id("env-click")
				h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env, ActionID: RecheckActionID, Value: pageLink, ChannelID: helpChan, MessageTS: "1700001201.000100"}))
			},
			check: func(t *testing.T, h *harness) {
				ps := h.fake.Posts()
				if len(ps) != 1 || ps[0].Method != "chat.update" || ps[0].Text == "" {
					t.Errorf("posts %+v, want one chat.update", ps)
				}
			},
		},
		{
			name:  "response_url 404 falls back to chat.postEphemeral",
			fault: func(f *slackfake.Server) { f.Fail(slackfake.ResponseTarget, slackfake.Fault{Status: 404}) },
			send:  func(h *harness) { h.slash(pageLink) },
			check: ephemeralFallback,
		},
		{
			name:  "response_url 410 falls back to chat.postEphemeral",
			fault: func(f *slackfake.Server) { f.Fail(slackfake.ResponseTarget, slackfake.Fault{Status: 410}) },
			send:  func(h *harness) { h.slash(pageLink) },
			check: ephemeralFallback,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, nil)
			tc.fault(h.fake)
			tc.send(h)
			h.barrier()
			tc.check(t, h)
		})
	}
}

func ephemeralFallback(t *testing.T, h *harness) {
	t.Helper()
	var eph []slackfake.Post
	for _, p := range h.fake.Posts() {
		if p.Method == "chat.postEphemeral" {
			eph = append(eph, p)
		}
	}
	if len(eph) != 1 || eph[0].Channel != "C0GENERAL1" || eph[0].User != human || !hasRecheck(t, eph[0].Blocks) {
		t.Errorf("ephemeral posts %+v, want the report to %s in C0GENERAL1", eph, human)
	}
	for _, r := range h.fake.ResponsePosts() {
		if r.Name != "barrier" {
			t.Errorf("response_url answer %+v after it was gone", r)
		}
	}
}

// TestPostMessage429BeyondTheDeadline: a 429 whose Retry-After does not
// fit the reply's deadline is logged and reported to the metric hook, then
// tried once more before the deadline; delivered if Slack takes it, else
// reported lost.
func TestPostMessage429BeyondTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		name      string
		times     int
		delivered bool
	}{
		{"second try taken", 1, true},
		{"second try refused too", 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var limited []string
			var ok, failed atomic.Int32
			h := start(t, func(c *Config) {
				// 3 s: the one more try goes 0.75 s before the deadline;
				// with 1 s it was 0.25 s, which a starved run (load 10,
				// -race) once spent before the try was sent.
				c.ReplyTimeout = 3 * time.Second
				c.Hooks.OnSlackRateLimited = func(method string, d time.Duration) {
					mu.Lock()
					limited = append(limited, fmt.Sprintf("%s %s", method, d))
					mu.Unlock()
				}
				c.Hooks.OnReply = func(delivered bool) {
					if delivered {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
			})
			h.fake.Fail("chat.postMessage", slackfake.Fault{Status: 429, RetryAfter: 30, Times: tc.times})
			h.event("Ev429", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700001300.000100"})
			h.barrier()
			mu.Lock()
			defer mu.Unlock()
			if len(limited) != 1 || limited[0] != "chat.postMessage 30s" {
				t.Errorf("OnSlackRateLimited calls %q, want one for chat.postMessage 30s", limited)
			}
			if n := len(h.fake.Calls("chat.postMessage")); n != 2 {
				t.Errorf("%d chat.postMessage calls, want 2 (the 429, one more try)", n)
			}
			if got := len(h.fake.Posts()) == 1; got != tc.delivered {
				t.Errorf("delivered = %v, want %v", got, tc.delivered)
			}
			if tc.delivered && (ok.Load() != 1 || failed.Load() != 0) || !tc.delivered && failed.Load() != 1 {
				t.Errorf("OnReply ok=%d failed=%d", ok.Load(), failed.Load())
			}
			if !strings.Contains(h.logs.String(), "Retry-After does not fit") {
				t.Error("no clear log line about the Retry-After")
			}
			if !tc.delivered && !strings.Contains(h.logs.String(), "slack reply lost") {
				t.Error("the lost reply is not logged")
			}
		})
	}
}

// TestEnterpriseGridSiblingWorkspace: a user of another workspace of the
// bot's Enterprise Grid org is answered alike on mentions and slash
// commands; a user of another organisation is refused alike.
func TestEnterpriseGridSiblingWorkspace(t *testing.T) {
	st := &stub{}
	h := startFake(t, []slackfake.Option{slackfake.WithEnterprise()}, func(c *Config) { c.Diagnoser = st })
	// sibling workspace, same org
	env := h.id("env-sib")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: pageLink, ResponseURL: h.fake.ResponseURL("sib"),
		TeamID: slackfake.SiblingTeamID, EnterpriseID: slackfake.EnterpriseID}))
	h.event("EvSib1", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: "USIBLING01", Text: mention + pageLink,
		TS: "1700001400.000100", Team: slackfake.SiblingTeamID, UserTeam: slackfake.SiblingTeamID, Enterprise: slackfake.EnterpriseID})
	h.event("EvSib2", 0, slackfake.Event{Channel: helpChan, User: "USIBLING01", Text: distinctLink(1),
		TS: "1700001401.000100", Team: slackfake.SiblingTeamID, Enterprise: slackfake.EnterpriseID})
	// another organisation in a channel shared with it (Slack Connect)
	env2 := h.id("env-ext")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env2, Text: pageLink, ResponseURL: h.fake.ResponseURL("ext"), UserTeam: otherTeam}))
	h.event("EvExt", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: "UGUEST0001", Text: mention + pageLink,
		TS: "1700001402.000100", UserTeam: otherTeam, Enterprise: slackfake.EnterpriseID, ExtShared: true})
	h.barrier()
	if got := h.ackText(env2); !strings.Contains(got, "only answers members") {
		t.Errorf("external slash ack = %s, want the refusal", got)
	}
	answered := map[string]bool{}
	for _, r := range h.fake.ResponsePosts() {
		answered[r.Name] = hasRecheck(t, r.Blocks)
	}
	for _, p := range h.fake.Posts() {
		answered[p.ThreadTS] = hasRecheck(t, p.Blocks)
		if p.ThreadTS == "1700001402.000100" && !strings.Contains(p.Text, "only answers members") {
			t.Errorf("guest mention answered %q, want the refusal", p.Text)
		}
	}
	for _, k := range []string{"sib", "1700001400.000100", "1700001401.000100"} {
		if !answered[k] {
			t.Errorf("sibling-workspace request %s not answered with a report (%v)", k, answered)
		}
	}
	if answered["ext"] || answered["1700001402.000100"] {
		t.Errorf("a user of another organisation got a report: %v", answered)
	}
}

// TestHugeFrameDoesNotHoldAcks: a forged 10 MB events_api frame is acked,
// the next envelope too, and the text past MaxTextBytes is never read.
// How long the acks took and the memory it cost are logged (figures for
// the README), not asserted.
//
// slack-go reads and parses the whole frame before the bot sees it: under
// -race on a loaded 2-CPU machine that alone takes tens of seconds, during
// which its reader handles no PING. The Socket Mode client here waits as
// long as the hang guard for Slack's PING (else it takes the busy socket
// for a dead one, reconnects, and the fake, unlike Slack, never
// redelivers the envelope), and the acks are awaited up to that guard.
func TestHugeFrameDoesNotHoldAcks(t *testing.T) {
	const hugeWait = 3 * time.Minute // a hang guard only
	h := start(t, func(c *Config) { c.PingInterval = hugeWait })
	h.barrier()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	huge := pageLink + " " + strings.Repeat("x", 10<<20) + " " + distinctLink(7)
	env := "env-huge"
	frame := slackfake.EventsAPIEnvelope(env, "EvHuge", 0, slackfake.Event{Channel: helpChan, User: human, Text: huge, TS: "1700001500.000100"})
	t0 := time.Now()
	h.push(frame)
	next, _ := h.slash(pageLink)
	a1, err := h.fake.WaitAck(env, hugeWait)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := h.fake.WaitAck(next, hugeWait)
	if err != nil {
		t.Fatal(err)
	}
	h.barrier()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("%.1f MB frame: acked %s after the push began, next envelope after %s; %.0f MB allocated while handling it, heap from the OS %.0f MB",
		float64(len(frame))/(1<<20),
		a1.At.Sub(t0).Round(time.Millisecond), a2.At.Sub(t0).Round(time.Millisecond),
		float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), float64(after.HeapSys)/(1<<20))
	var got *slackfake.Post
	for _, p := range h.fake.Posts() {
		if p.ThreadTS == "1700001500.000100" {
			got = &p
		}
	}
	if got == nil {
		t.Fatal("the huge message was not answered")
	}
	if strings.Contains(string(got.Blocks), "abc00007") {
		t.Error("the link past MaxTextBytes was read")
	}
}

// TestRepeatsNeverWaitForAWorker: with one worker busy on a diagnosis
// Notion has not answered yet, identical requests join it instead of
// queueing, and once it is done a repeat is answered from the cache; a
// burst over a few links never fills the queue.
func TestRepeatsNeverWaitForAWorker(t *testing.T) {
	t.Parallel()
	st := &stub{release: make(chan struct{})}
	// room for exactly one diagnosis per link: 1 running, 9 waiting
	h := start(t, func(c *Config) { c.Diagnoser = st; c.MaxConcurrent = 1; c.MaxQueued = 9 })
	const n, links = 200, 10
	for i := range n {
		h.slash(distinctLink(i % links))
	}
	h.barrier0()
	close(st.release)
	if _, err := h.fake.WaitResponsePosts(n, wait); err != nil {
		t.Fatal(err)
	}
	h.slash(distinctLink(0)) // answered from the cache
	if _, err := h.fake.WaitResponsePosts(n+1, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	for _, r := range h.fake.ResponsePosts() {
		if r.Text == BusyText || !hasRecheck(t, r.Blocks) {
			t.Errorf("%s answered %q, want a report", r.Name, r.Text)
		}
	}
	if calls, _ := st.snapshot(); len(calls) != links {
		t.Errorf("%d diagnoses for %d commands over %d links, want %d", len(calls), n+1, links, links)
	}
}

// TestShutdownCountsAnAnsweredRequestOnce: a request is answered and its
// outcome counted, but its ticket is still being put away (with Redis, its
// item acked) when the bot is stopped. The shutdown must not count it as
// in flight and then lost: Run returns nil, as every request got its
// answer.
func TestShutdownCountsAnAnsweredRequestOnce(t *testing.T) {
	var stats ShutdownStats
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := startBot(t, nil, func(c *Config) {
		c.Hooks.OnShutdown = func(s ShutdownStats) { stats = s }
	}, func(b *Bot) {
		b.counted = func() {
			once.Do(func() {
				close(reached)
				<-release
			})
		}
	})
	_, resp := h.slash(pageLink)
	select {
	case <-reached:
	case <-time.After(wait):
		t.Fatal("the request's outcome was never counted")
	}
	// The answer is posted and counted; its ticket waits in release. Stop
	// the bot, and let the ticket finish once the shutdown has counted
	// what is in flight.
	done := make(chan error, 1)
	go func() { done <- h.stop() }()
	waitFor(t, "the shutdown to begin", func() bool {
		return strings.Contains(h.logs.String(), "finishing the requests in flight")
	})
	close(release)
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil: the one request was answered", err)
	}
	if stats.Lost != 0 || stats.Stopped != 0 {
		t.Errorf("OnShutdown with %+v, want nothing lost or stopped", stats)
	}
	if n := len(h.fake.ResponsePosts()); n != 1 {
		t.Errorf("%d answers to %s, want 1", n, resp)
	}
}
