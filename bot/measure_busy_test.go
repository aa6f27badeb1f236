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
// the model of one Notion call per distinct link with reports kept, the
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

// TestBusyChannelOneDiagnosisPerLink: 1,200 help-channel messages over
// 30 s pasting 80 distinct links, against the real diagnoser and a fake
// Notion at 3 req/s (virtual clock): every message is answered exactly
// once, each link is diagnosed once (concurrent requests for a link wait
// for its one diagnosis, later ones get the kept report), and the
// requests waiting hold no goroutine each. Not parallel: it counts the
// goroutines the process gains.
func TestBusyChannelOneDiagnosisPerLink(t *testing.T) {
	run := busyRun{messages: 1200, links: 80, span: 30 * time.Second, rate: 3, burst: 10, rtt: 100 * time.Millisecond}
	synctest.Test(t, func(t *testing.T) {
		r := runBusy(t, run)
		t.Logf("%d answers, %d diagnoses, peak %d goroutines, peak %d requests waiting", r.posts, r.diagnoses, r.peakGoroutines, r.peakWaiting)
		if r.posts != run.messages {
			t.Errorf("%d answers posted for %d messages, want one each", r.posts, run.messages)
		}
		if r.diagnoses != run.links {
			t.Errorf("%d diagnoses for %d distinct links, want one each", r.diagnoses, run.links)
		}
		// A goroutine per waiting request would be hundreds: at the
		// peak more than 200 requests wait (asserted below).
		if r.peakGoroutines > 100 { // 68 in the bubble today
			t.Errorf("peak %d goroutines while %d requests waited", r.peakGoroutines, r.peakWaiting)
		}
		if r.peakWaiting < 200 {
			t.Errorf("at most %d requests waited at once: the run did not saturate Notion", r.peakWaiting)
		}
	})
}

// busyResult is what runBusy saw.
type busyResult struct {
	latency                     []time.Duration // per message, arrival to answer
	arrived                     []time.Duration
	linkOf                      []int
	posts, diagnoses, calls     int
	n429                        int
	peakGoroutines, peakWaiting int
}

func measureBusy(t *testing.T, run busyRun) {
	r := runBusy(t, run)
	got, arrived, linkOf := r.latency, r.arrived, r.linkOf
	diagnoses, calls, peak := r.diagnoses, r.calls, r.peakGoroutines
	model := busyModel(run, arrived, linkOf)
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
		diagnoses, float64(diagnoses)/float64(run.links), calls, float64(calls)/float64(run.links), r.n429)
	t.Logf("peak goroutines gained: %d (peak requests waiting: %d)", peak, r.peakWaiting)
}

// runBusy runs a busyRun inside a synctest bubble: the bot without Run
// (deliveries admitted as the event loop does, Slack's Web API answered
// in process), the real diagnoser and prober against the in-process fake
// Notion.
func runBusy(t *testing.T, run busyRun) busyResult {
	srv := notiontest.NewServer(t, notiontest.InProcess(), notiontest.WithLatency(run.rtt),
		notiontest.WithRateLimit(run.rate, run.burst))
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	posts := 0
	base := runtime.NumGoroutine()
	diagnoses := 0
	peak := 0 // goroutines gained since base
	sample := func() {
		if n := runtime.NumGoroutine() - base; n > peak {
			peak = n
		}
	}
	answered := map[string]time.Time{} // thread ts -> when the answer was posted
	slackAPI := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			mu.Lock()
			posts++
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

	peakWaiting := 0
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
		peakWaiting = max(peakWaiting, i+1-len(answered))
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
	return busyResult{latency: got, arrived: arrived, linkOf: linkOf, posts: posts, diagnoses: diagnoses,
		calls: len(srv.Calls()), n429: srv.Count429(), peakGoroutines: peak, peakWaiting: peakWaiting}
}

// busyModel is the answer latency of every message when each distinct
// link costs one Notion call, sent when the link is first seen and paced
// by Notion's bucket alone, and its report is kept: a message is answered
// once its link's report is there.
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
