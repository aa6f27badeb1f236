package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// busyRun is the saturated help channel of the measurement: messages
// arriving evenly over a span, each pasting one of links distinct links
// (drawn with a fixed seed), against a fake Notion at rate req/s.
type busyRun struct {
	messages, links int
	span            time.Duration
	rate            float64
	burst           int
	rtt             time.Duration
}

// TestMeasureBusyChannel is the committed measuring command of a busy help
// channel: 6,000 messages over 2 minutes pasting 200 distinct links, the
// real diagnoser and prober (shipped defaults) against the fake Notion at
// 3 req/s (burst 10, 100 ms a call), the bot with its shipped defaults,
// Slack answering at once. It runs on the virtual clock (testing/synctest,
// every part in process), so it takes seconds and gives the same figures
// every time. It prints the answer latency (p50, p99, max), the same for
// the model of one Notion call per distinct link with verdicts kept, the
// diagnoses and Notion calls per distinct link, and the peak goroutines:
//
//	BOT_MEASURE=1 go test ./bot -run TestMeasureBusyChannel -v
//
// A figure, not an assertion (docs/performance.md).
func TestMeasureBusyChannel(t *testing.T) {
	if os.Getenv("BOT_MEASURE") == "" {
		t.Skip("a measurement: BOT_MEASURE=1 to run it")
	}
	run := busyRun{messages: 6000, links: 200, span: 2 * time.Minute, rate: 3, burst: 10, rtt: 100 * time.Millisecond}
	synctest.Test(t, func(t *testing.T) { measureBusy(t, run) })
}

func measureBusy(t *testing.T, run busyRun) {
	srv := notiontest.NewServer(t, notiontest.InProcess(), notiontest.WithLatency(run.rtt),
		notiontest.WithRateLimit(run.rate, run.burst))
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	diagnoses := 0
	peak := runtime.NumGoroutine()
	sample := func() {
		if n := runtime.NumGoroutine(); n > peak {
			peak = n
		}
	}
	answered := map[string]time.Time{} // thread ts -> when the answer was posted
	slackAPI := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			mu.Lock()
			answered[form.Get("thread_ts")] = time.Now()
			sample()
			mu.Unlock()
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"ok":true,"channel":"` + helpChan + `","ts":"1.000001"}`)), Request: r}, nil
	})
	b, err := New(Config{
		BotToken: "xoxb-measure", AppToken: "xapp-measure",
		Diagnoser:    diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p}),
		HelpChannels: []string{helpChan},
		HTTPClient:   &http.Client{Transport: slackAPI},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hooks: Hooks{OnDiagnosis: func(diagnose.Report, time.Duration) {
			mu.Lock()
			diagnoses++
			mu.Unlock()
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ws := b.startWorkers()

	rng := rand.New(rand.NewPCG(23, 3))
	start := time.Now()
	every := run.span / time.Duration(run.messages)
	arrived := make([]time.Duration, run.messages)
	linkOf := make([]int, run.messages)
	for i := range run.messages {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		linkOf[i] = rng.IntN(run.links)
		arrived[i] = time.Since(start)
		ts := fmt.Sprintf("1700100000.%06d", i)
		evt := busyEvent(t, fmt.Sprintf("env-busy-%d", i), fmt.Sprintf("EvBusy%d", i),
			slackfake.Event{Channel: helpChan, User: human, Text: "why does this fail? " + distinctLink(linkOf[i]), TS: ts})
		if _, ok := b.admit(evt); !ok {
			t.Fatalf("message %d not admitted", i)
		}
		mu.Lock()
		sample()
		mu.Unlock()
	}
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n == run.messages || time.Now().After(deadline) {
			break
		}
	}
	ws.stop()
	b.kill()
	synctest.Wait()

	var got []time.Duration
	for i := range run.messages {
		at, ok := answered[fmt.Sprintf("1700100000.%06d", i)]
		if !ok {
			t.Errorf("message %d not answered", i)
			continue
		}
		got = append(got, at.Sub(start)-arrived[i])
	}
	model := busyModel(run, arrived, linkOf)
	calls := len(srv.Calls())
	t.Logf("%d messages over %v, %d distinct links, Notion %.0f req/s (burst %d, %v a call); shipped defaults",
		run.messages, run.span, run.links, run.rate, run.burst, run.rtt)
	t.Logf("answer latency: p50 %v, p99 %v, max %v", pct(got, 50), pct(got, 99), pct(got, 100))
	t.Logf("model (one call per distinct link, verdicts kept): p50 %v, p99 %v, max %v", pct(model, 50), pct(model, 99), pct(model, 100))
	paced := run
	paced.rate *= notion.PacingMargin
	pm := busyModel(paced, arrived, linkOf)
	t.Logf("the same model at the prober's own pace (%.0f%% of the rate): p50 %v, p99 %v, max %v",
		notion.PacingMargin*100, pct(pm, 50), pct(pm, 99), pct(pm, 100))
	t.Logf("diagnoses: %d (%.2f per distinct link); Notion calls: %d (%.2f per distinct link), %d answered 429",
		diagnoses, float64(diagnoses)/float64(run.links), calls, float64(calls)/float64(run.links), srv.Count429())
	t.Logf("peak goroutines: %d", peak)
}

// busyModel is the answer latency of every message when each distinct
// link costs one Notion call, sent when the link is first seen and paced
// by Notion's bucket alone, and its verdict is kept: a message is answered
// once its link's verdict is there.
func busyModel(run busyRun, arrived []time.Duration, linkOf []int) []time.Duration {
	done := map[int]time.Duration{}
	tokens, last := float64(run.burst), time.Duration(0)
	for i, at := range arrived {
		if _, ok := done[linkOf[i]]; ok {
			continue
		}
		send := max(at, last)
		tokens = min(float64(run.burst), tokens+(send-last).Seconds()*run.rate)
		if tokens < 1 {
			send += time.Duration((1 - tokens) / run.rate * float64(time.Second))
			tokens = 1
		}
		tokens--
		last = send
		done[linkOf[i]] = send + run.rtt
	}
	out := make([]time.Duration, len(arrived))
	for i, at := range arrived {
		out[i] = max(0, done[linkOf[i]]-at)
	}
	return out
}

// pct is the p-th percentile of ds (p 100: the maximum).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)].Round(time.Millisecond)
}

// busyEvent is the socketmode.Event of a help-channel message, as the
// socket mode client hands it to the event loop.
func busyEvent(t *testing.T, envID, eventID string, ev slackfake.Event) socketmode.Event {
	t.Helper()
	var env struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(slackfake.EventsAPIEnvelope(envID, eventID, 0, ev), &env); err != nil {
		t.Fatal(err)
	}
	data, err := slackevents.ParseEvent(env.Payload, slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: data,
		Request: &socketmode.Request{Type: "events_api", EnvelopeID: env.EnvelopeID, Payload: env.Payload}}
}

// roundTripFunc is an http.RoundTripper in a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
