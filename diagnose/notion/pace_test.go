package notion

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// fakeClock drives a pacer without wall time: sleep advances it at once
// and records the wait.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sleeps returns and forgets the recorded waits.
func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.slept
	c.slept = nil
	return s
}

// fakePacer returns a pacer at rate r and burst b on a fake clock that
// starts at the wall clock's now (so that real context deadlines compare).
func fakePacer(r float64, b int, ws *WorkspacePause) (*pacer, *fakeClock) {
	c := &fakeClock{t: time.Now()}
	p := newPacer(r, b, ws, false)
	p.now, p.sleep = c.now, c.sleep
	return p, c
}

func mustAcquire(t *testing.T, p *pacer) pass {
	t.Helper()
	pa, err := p.acquire(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return pa
}

// openFlight sends and answers the first flight.
func openFlight(t *testing.T, p *pacer) {
	t.Helper()
	var ps []pass
	for range firstFlight {
		ps = append(ps, mustAcquire(t, p))
	}
	for _, pa := range ps {
		p.done(pa, 200, Pause{})
	}
	if !p.state().opened {
		t.Fatal("first flight answered, burst not open")
	}
}

// interval is the time between two requests at r per second.
// shippedPace is the pace of a pacer of the shipped defaults.
func shippedPace() float64 { return PaceRate(DefaultRate, DefaultBurst) }

func interval(r float64) time.Duration { return time.Duration(float64(time.Second) / r) }

func near(a, b time.Duration) bool { return math.Abs(float64(a-b)) < float64(5*time.Millisecond) }

func TestPacerFirstFlightThenBurst(t *testing.T) {
	p, c := fakePacer(DefaultRate, DefaultBurst, nil)
	var first []pass
	for range firstFlight {
		first = append(first, mustAcquire(t, p))
	}
	got := make(chan error, 1)
	go func() { // the firstFlight+1-th
		_, err := p.acquire(context.Background(), false)
		got <- err
	}()
	select {
	case <-got:
		t.Fatal("a request went out beyond the first flight before any answer")
	default:
	}
	// Each answer lets one more go; the firstFlight-th opens the burst.
	p.done(first[0], 404, Pause{})
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if p.state().opened {
		t.Fatal("the burst opened after one answer")
	}
	for _, pa := range first[1:] {
		p.done(pa, 200, Pause{})
	}
	if !p.state().opened {
		t.Fatal("the burst did not open")
	}
	// The burst is open: the rest of the bucket goes at once.
	for range DefaultBurst - firstFlight - 1 {
		mustAcquire(t, p)
	}
	if s := c.sleeps(); len(s) != 0 {
		t.Fatalf("the first %d requests waited %v", DefaultBurst, s)
	}
	mustAcquire(t, p)
	want := interval(shippedPace())
	if s := c.sleeps(); len(s) != 1 || !near(s[0], want) {
		t.Fatalf("request %d waited %v, want %v", DefaultBurst+1, s, want)
	}
}

func TestPacerPausesEveryRequestAndLearns(t *testing.T) {
	tests := []struct {
		name      string
		accepted  int           // answers before the 429
		spread    time.Duration // over which they came
		ra        string
		wantPause time.Duration
		wantRate  rate.Limit
		wantBurst int
	}{
		// 1 request/s at Notion: one accepted, then 429 Retry-After 1:
		// PacingMargin of the rate it accepted.
		{"one accepted, Retry-After 1", 1, 0, "1", time.Second, 0.9, 1},
		// Plenty accepted: lowered by a quarter at least.
		{"busy, Retry-After 2", 30, 10 * time.Second, "2", 2 * time.Second, rate.Limit(shippedPace() * 3 / 4), 2},
		// What was accepted: 6 in 3 s.
		{"6 accepted over 2 s, Retry-After 1", 6, 2 * time.Second, "1", time.Second, 6.0 / 3 * PacingMargin, 1},
		// Nothing accepted: half the rate.
		{"nothing accepted, no Retry-After", 0, 0, "", DefaultPause, rate.Limit(shippedPace() / 2), 1},
		// Barely any accepted over a long span: no less than a quarter.
		{"idle then 429, Retry-After 5", 2, 50 * time.Second, "5", 5 * time.Second, rate.Limit(shippedPace() / 4), 1},
		// Absurd Retry-After: clamped, not 0 (what was accepted before a
		// 10-minute pause is too old to learn from: half the rate).
		{"Retry-After 1e300", 1, 0, "1e300", MaxPause, rate.Limit(shippedPace() / 2), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := fakePacer(DefaultRate, DefaultBurst, nil)
			openFlight(t, p)
			c.advance(time.Hour) // the first flight is long past
			p.accepted = nil
			for range tt.accepted {
				pa := mustAcquire(t, p)
				if tt.accepted > 1 {
					c.advance(tt.spread / time.Duration(tt.accepted-1))
				}
				p.done(pa, 200, Pause{})
			}
			c.sleeps()
			inFlight := mustAcquire(t, p) // sent before the pause: same episode
			limited := mustAcquire(t, p)
			body := []byte(`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"x","additional_data":{"rate_limit_reason":"` + ReasonConnection + `"}}`)
			pz, _ := PauseOf(429, http.Header{"Retry-After": {tt.ra}}, body, c.now())
			p.done(limited, 429, pz)
			at := c.now()
			if s := p.state(); s.until.Sub(at) != tt.wantPause || s.episode != 1 {
				t.Fatalf("pause until %v from now, episode %d; want %v, 1", s.until.Sub(at), s.episode, tt.wantPause)
			}
			// A 429 to a request sent before the pause lowers nothing again.
			p.done(inFlight, 429, pz)
			if s := p.state(); s.episode != 1 {
				t.Fatalf("a stale 429 counted as a new episode: %d", s.episode)
			}
			ctx, cancel := context.WithDeadline(context.Background(), at.Add(2*MaxPause))
			defer cancel()
			if _, err := p.acquire(ctx, false); err != nil {
				t.Fatal(err)
			}
			if s := c.sleeps(); len(s) != 1 || s[0] != tt.wantPause {
				t.Fatalf("the next request waited %v, want the whole pause %v", s, tt.wantPause)
			}
			s := p.state()
			wantRate := tt.wantRate
			if math.Abs(float64(s.limit-wantRate)) > 0.01 || s.burst != tt.wantBurst {
				t.Fatalf("learned %.3f req/s burst %d, want %.3f burst %d", float64(s.limit), s.burst, float64(wantRate), tt.wantBurst)
			}
			// The learned burst, then one request per 1/rate.
			for range tt.wantBurst - 1 {
				mustAcquire(t, p)
			}
			if s := c.sleeps(); len(s) != 0 {
				t.Fatalf("the learned burst of %d waited %v", tt.wantBurst, s)
			}
			mustAcquire(t, p)
			if s := c.sleeps(); len(s) != 1 || !near(s[0], interval(float64(wantRate))) {
				t.Fatalf("paced %v at %.3f req/s", s, float64(wantRate))
			}
		})
	}
}

func TestPacerNeverSleepsPastTheDeadline(t *testing.T) {
	t.Run("pause", func(t *testing.T) {
		p, c := fakePacer(DefaultRate, DefaultBurst, nil)
		pa := mustAcquire(t, p)
		p.done(pa, 429, pauseFrom(30*time.Second, true, ""))
		ctx, cancel := context.WithDeadline(context.Background(), c.now().Add(5*time.Second))
		defer cancel()
		before := c.now()
		if _, err := p.acquire(ctx, false); !errors.Is(err, ErrPaceDeadline) {
			t.Fatalf("err %v, want ErrPaceDeadline", err)
		}
		if s := c.sleeps(); len(s) != 0 || !c.now().Equal(before) {
			t.Fatalf("slept %v", s)
		}
	})
	t.Run("bucket", func(t *testing.T) {
		p, c := fakePacer(0.2, 1, nil)
		mustAcquire(t, p)
		ctx, cancel := context.WithDeadline(context.Background(), c.now().Add(time.Second))
		defer cancel()
		if _, err := p.acquire(ctx, false); !errors.Is(err, ErrPaceDeadline) {
			t.Fatalf("err %v, want ErrPaceDeadline", err)
		}
		if s := c.sleeps(); len(s) != 0 {
			t.Fatalf("slept %v", s)
		}
		// The refused slot was given back: without a deadline the next
		// request waits one interval, not two.
		mustAcquire(t, p)
		if s := c.sleeps(); len(s) != 1 || !near(s[0], interval(PaceRate(0.2, 1))) {
			t.Fatalf("slept %v", s)
		}
	})
}

func TestPacerWorkspacePause(t *testing.T) {
	for _, tt := range []struct {
		reason string
		shared bool
	}{
		{ReasonWorkspace, true},
		{"PUBLIC_API_SPACE_REQUEST_RATE_LIMIT", true},
		{ReasonConnection, false},
		{"", false},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			ws := &WorkspacePause{}
			a, ca := fakePacer(DefaultRate, DefaultBurst, ws)
			b, cb := fakePacer(DefaultRate, DefaultBurst, ws)
			cb.t = ca.t
			pa := mustAcquire(t, a)
			a.done(pa, 429, pauseFrom(3*time.Second, true, tt.reason))
			mustAcquire(t, b)
			s := cb.sleeps()
			if tt.shared && (len(s) != 1 || s[0] != 3*time.Second) {
				t.Fatalf("the other integration waited %v, want the workspace's 3s", s)
			}
			if !tt.shared && len(s) != 0 {
				t.Fatalf("the other integration waited %v for a connection limit", s)
			}
			if st := b.state(); st.limit != rate.Limit(shippedPace()) || st.episode != 0 {
				t.Fatalf("the other integration's pace changed: %+v", st)
			}
		})
	}
}

func TestPacerRecoversSlowly(t *testing.T) {
	p, c := fakePacer(DefaultRate, DefaultBurst, nil)
	openFlight(t, p)
	pa := mustAcquire(t, p)
	p.done(pa, 429, pauseFrom(time.Second, true, ""))
	mustAcquire(t, p) // waits the pause, learns
	low := p.state()
	if low.limit >= rate.Limit(shippedPace()) || low.burst >= DefaultBurst {
		t.Fatalf("not lowered: %+v", low)
	}
	step := func(d time.Duration) paceState {
		c.advance(d)
		p.mu.Lock()
		p.recover(c.now())
		p.mu.Unlock()
		return p.state()
	}
	if s := step(recoverHold - time.Second); s.limit != low.limit || s.burst != low.burst {
		t.Fatalf("climbed during the hold: %+v", s)
	}
	half := step(time.Second + rateRamp/2)
	if want := (low.limit + rate.Limit(shippedPace())) / 2; math.Abs(float64(half.limit-want)) > 0.01 {
		t.Fatalf("halfway through the ramp: %.3f req/s, want %.3f", float64(half.limit), float64(want))
	}
	if s := step(rateRamp / 2); s.limit != rate.Limit(shippedPace()) || s.burst >= DefaultBurst {
		t.Fatalf("after the rate ramp: %+v (the burst climbs slower)", s)
	}
	if s := step(burstRamp); s.limit != rate.Limit(shippedPace()) || s.burst != DefaultBurst || s.opened {
		t.Fatalf("after the burst ramp: %+v (the first flight must be proven again)", s)
	}
}

func TestRetryAfterClamps(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{"0", 0, true},
		{"0.25", 250 * time.Millisecond, true},
		{"59", 59 * time.Second, true},
		{"120", 2 * time.Minute, true},
		{"1e300", MaxPause, true},
		{"1e400", MaxPause, true}, // beyond float64
		{"+Inf", MaxPause, true},
		{"Inf", MaxPause, true},
		{"99999999999999999999999", MaxPause, true},
		{"9223372036", MaxPause, true}, // seconds that overflow a Duration
		{"NaN", 0, false},
		{"-1", 0, false},
		{"-Inf", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"Fri, 02 Jan 2026 15:04:30 GMT", 30 * time.Second, true},
		{"Fri, 02 Jan 2026 15:03:00 GMT", 0, true}, // past
		{"Fri, 31 Dec 9999 23:59:59 GMT", MaxPause, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestAbsurdRetryAfterGivesUpAtOnce: a Retry-After that overflows must not
// turn into an immediate retry loop; it is a wait past the deadline.
func TestAbsurdRetryAfterGivesUpAtOnce(t *testing.T) {
	for _, v := range []string{"1e300", "+Inf", "99999999999999999999"} {
		f := newFixture(t, Config{}, nt.WithFault(nt.Fault{PathPrefix: "/v1/blocks/", Status: 429, RetryAfter: v}))
		res := judgeRef(ctxT(t, 3*time.Second), f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
		if res.Done || !slices.Contains(codes(res.Findings), diagnose.CodeNotionRateLimited) {
			t.Errorf("Retry-After %s: %+v", v, res)
		}
		if n := f.srv.CallsTo("/v1/blocks/"); n != 1 {
			t.Errorf("Retry-After %s: blocks asked %d times", v, n)
		}
	}
}

// tenRefs is the ten-reference text of the measurements.
func tenRefs() string { return measureText("ten references in one text") }

// measureText is the text of the measured case called name.
func measureText(name string) string {
	for _, c := range measureCases() {
		if c.name == name {
			return c.text
		}
	}
	panic("no measured case " + name)
}

// diagnoseText runs one whole diagnosis with the shipped defaults.
func diagnoseText(t *testing.T, p *Prober, text string, dl time.Duration) diagnose.Report {
	t.Helper()
	d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
	return d.Diagnose(ctxT(t, dl), text, diagnose.Options{Fresh: true})
}

func unfinished(rep diagnose.Report) []string {
	var out []string
	for _, c := range rep.Checks {
		if c.Status == diagnose.StatusUnknown {
			out = append(out, c.ID)
		}
	}
	return out
}

// TestTenReferencesAgainstNotionBudgets: the shipped defaults against a
// fake that allows far less than them (1 req/s, burst 1) and one that
// allows Notion's burst (3 req/s, burst 10). Behaviour only: 429 counts and
// verdicts, no timing. On the virtual clock the fake's token bucket judges
// arrivals without scheduling jitter, so the goal itself is asserted.
func TestTenReferencesAgainstNotionBudgets(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		avg     float64
		burst   int
		max429  int
		oneShot bool
	}{
		{"fake 1 req/s burst 1", 1, 1, 3, false},
		{"fake 3 req/s burst 10", 3, 10, 0, false},
		// The CLI has no first flight: its one burst meets a tiny budget
		// whole, at most one 429 per call the ten references need (15)
		// before the pause, then the pace it learnt.
		{"one-shot (the CLI), fake 1 req/s burst 1", 1, 1, 15, true},
		// A one-shot run sends its calls at once up to
		// DefaultOneShotBurst: against a bucket of 10, the calls beyond it
		// (the ten references need 15) draw 429s once, then the pause.
		{"one-shot (the CLI), fake 3 req/s burst 10", 3, 10, 5, true},
		// Notion's per-connection budget per 60 s window (Notion's rate-limit reference): the
		// one-shot run's calls all fit, none refused.
		{"one-shot (the CLI), fake 180 per 60 s window", 0, 180, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			onVirtualClock(t, func(t *testing.T) {
				limit := nt.WithRateLimit(tt.avg, tt.burst)
				if tt.avg == 0 {
					limit = nt.WithWindowLimit(tt.burst, time.Minute)
				}
				srv, tr := fakeNotion(t, limit)
				p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Transport: tr, OneShot: tt.oneShot, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				rep := diagnoseText(t, p, tenRefs(), 2*time.Minute)
				el := time.Since(start) // printed, never asserted
				if u := unfinished(rep); len(u) > 0 {
					t.Errorf("not finished: %v", u)
				}
				if n := srv.Count429(); n > tt.max429 {
					t.Errorf("%d × 429 for ten references (want at most %d)", n, tt.max429)
				}
				t.Logf("%s: %d calls, %d × 429, %v", tt.name, len(srv.Calls()), srv.Count429(), el.Round(100*time.Millisecond))
				if tt.avg < 3 && !tt.oneShot {
					// A second burst (a bot's next ten links): the learnt pace
					// holds, at most a first flight of 429s again.
					first, calls := srv.Count429(), len(srv.Calls())
					start := time.Now()
					rep := diagnoseText(t, p, tenRefs(), 2*time.Minute)
					el := time.Since(start)
					if u := unfinished(rep); len(u) > 0 {
						t.Errorf("second burst, not finished: %v", u)
					}
					if n := srv.Count429() - first; n > tt.max429 {
						t.Errorf("second burst: %d × 429 (want at most %d)", n, tt.max429)
					}
					t.Logf("%s, second burst: %d calls, %d × 429, %v", tt.name, len(srv.Calls())-calls, srv.Count429()-first, el.Round(100*time.Millisecond))
				}
				if os.Getenv("NOTION_MEASURE") != "" {
					calls := srv.Calls()
					for _, c := range calls {
						t.Logf("%8v %d %s %s", c.Start.Sub(calls[0].Start).Round(time.Millisecond), c.Status, c.RetryAfter, c.Path)
					}
				}
			})
		})
	}
}

// TestWindowLimitPausesTheWholeClient: against Notion's per-connection
// window, after a 429 no request of the integration reaches the fake
// before its Retry-After (requests already on their way when it was
// answered excepted), and every check still finishes.
func TestWindowLimitPausesTheWholeClient(t *testing.T) {
	t.Parallel()
	onVirtualClock(t, testWindowLimitPausesTheWholeClient)
}

func testWindowLimitPausesTheWholeClient(t *testing.T) {
	srv, tr := fakeNotion(t, nt.WithWindowLimit(6, time.Second))
	p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Transport: tr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	text := measureText("three references in one text") + " " + nt.BlockID + " " + nt.RowPageID
	rep := diagnoseText(t, p, text, time.Minute)
	if u := unfinished(rep); len(u) > 0 {
		t.Errorf("not finished: %v", u)
	}
	calls := srv.Calls()
	n429 := srv.Count429()
	if n429 == 0 {
		t.Fatal("the window was never exhausted: the test does not test the pause")
	}
	// What was on the wire when the first 429 came is at most a burst.
	if n429 > DefaultBurst {
		t.Errorf("%d × 429", n429)
	}
	const onTheWay = 250 * time.Millisecond
	for _, c := range calls {
		if c.Status != 429 {
			continue
		}
		ra, _ := retryAfter(c.RetryAfter, c.End)
		for _, n := range calls {
			if n.Start.After(c.End.Add(onTheWay)) && n.Start.Before(c.End.Add(ra-50*time.Millisecond)) {
				t.Errorf("%s %s sent %v after a 429 with Retry-After %s", n.Method, n.Path, n.Start.Sub(c.End).Round(time.Millisecond), c.RetryAfter)
			}
		}
	}
	t.Logf("%d calls, %d × 429 (%v)", len(calls), n429, srv.RateLimited())
}

// TestWorkspaceLimitPausesEveryIntegration: a 429 naming the workspace's
// limit pauses the other integrations that share the WorkspacePause; a
// connection's own limit does not.
func TestWorkspaceLimitPausesEveryIntegration(t *testing.T) {
	for _, tt := range []struct {
		name      string
		opt       nt.Option
		otherSent bool
	}{
		{"workspace limit", nt.WithWorkspaceLimit(1, time.Minute), false},
		{"connection limit", nt.WithWindowLimit(1, time.Minute), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := nt.NewServer(t, tt.opt)
			ws := &WorkspacePause{}
			mk := func(tok string) *Prober {
				p, err := New(Config{Token: tok, BaseURL: srv.URL, Workspace: ws, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			a, b := mk(nt.GoodToken), mk(nt.NoReadToken)
			a.Integration(ctxT(t, 5*time.Second), diagnose.ProbeOptions{})
			res := judgeRef(ctxT(t, 2*time.Second), a, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
			if res.Done || srv.Count429() == 0 {
				t.Fatalf("the budget of 1 did not refuse: %+v", res)
			}
			before := len(srv.Calls())
			info := integ(ctxT(t, 2*time.Second), b, diagnose.ProbeOptions{})
			sent := len(srv.Calls()) > before
			if sent != tt.otherSent {
				t.Fatalf("the other integration sent: %v, want %v (%+v)", sent, tt.otherSent, info)
			}
			if !tt.otherSent && info.Status != diagnose.StatusUnknown {
				t.Fatalf("%+v", info)
			}
		})
	}
}

type whoKey struct{}

// TestPacerRetriesGoFirst: after a pause, the retry of the refused request
// takes the first slot; a request that waited out the same pause gets the
// next one.
func TestPacerRetriesGoFirst(t *testing.T) {
	p, c := fakePacer(DefaultRate, 1, nil)
	openFlight(t, p)
	release := make(chan struct{})
	var mu sync.Mutex
	slept := map[string][]time.Duration{}
	p.sleep = func(ctx context.Context, d time.Duration) error {
		who, _ := ctx.Value(whoKey{}).(string)
		if who == "retry" {
			<-release // the retry is slow to wake from the pause
		}
		mu.Lock()
		slept[who] = append(slept[who], d)
		mu.Unlock()
		return c.sleep(ctx, d)
	}
	pa := mustAcquire(t, p)
	p.done(pa, 429, pauseFrom(time.Second, true, ReasonConnection))
	done := make(chan error, 2)
	go func() {
		_, err := p.acquire(context.WithValue(context.Background(), whoKey{}, "retry"), true)
		done <- err
	}()
	for { // until the retry waits out the pause (no timing: a state)
		p.mu.Lock()
		n := p.retries
		p.mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	go func() {
		_, err := p.acquire(context.WithValue(context.Background(), whoKey{}, "other"), false)
		done <- err
	}()
	for { // until the other request has waited out the pause too
		mu.Lock()
		n := len(slept["other"])
		mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	learned := p.state().limit
	if len(slept["retry"]) != 1 {
		t.Fatalf("the retry waited %v, want only the pause", slept["retry"])
	}
	if s := slept["other"]; len(s) != 2 || !near(s[1], interval(float64(learned))) {
		t.Fatalf("the other request waited %v, want the pause then one slot at %.2f req/s", s, float64(learned))
	}
}

// TestPacerSpareAndTryAcquire: a speculative call only ever takes budget
// that would sit idle. spare counts what could go now beyond the calls
// about to be sent; tryAcquire sends at once or not at all (ErrNoSpareBudget,
// nothing slept, nothing spent).
func TestPacerSpareAndTryAcquire(t *testing.T) {
	try := func(p *pacer) error {
		_, err := p.tryAcquire(context.Background())
		return err
	}
	t.Run("first flight bounds the spare", func(t *testing.T) {
		p, c := fakePacer(DefaultRate, DefaultBurst, nil)
		for _, tt := range []struct{ want, spare int }{{0, firstFlight}, {1, firstFlight - 1}, {firstFlight, 0}, {DefaultBurst + 5, 0}} {
			if got := p.spare(tt.want); got != tt.spare {
				t.Errorf("spare(%d) = %d, want %d", tt.want, got, tt.spare)
			}
		}
		var onWire []pass
		for range firstFlight {
			onWire = append(onWire, mustAcquire(t, p))
		}
		if err := try(p); !errors.Is(err, ErrNoSpareBudget) {
			t.Fatalf("first flight full: tryAcquire = %v, want ErrNoSpareBudget", err)
		}
		if s := c.sleeps(); len(s) != 0 {
			t.Fatalf("tryAcquire slept %v", s)
		}
		for _, pa := range onWire {
			p.done(pa, 200, Pause{})
		}
		// Open: the bucket's whole tokens left (10 - 3) bound it now.
		if got := p.spare(2); got != DefaultBurst-firstFlight-2 {
			t.Fatalf("open: spare(2) = %d, want %d", got, DefaultBurst-firstFlight-2)
		}
	})
	t.Run("one-shot: the bucket only", func(t *testing.T) {
		p := newPacer(DefaultRate, DefaultBurst, nil, true)
		c := &fakeClock{t: time.Now()}
		p.now, p.sleep = c.now, c.sleep
		if got := p.spare(4); got != DefaultBurst-4 {
			t.Fatalf("spare(4) = %d, want %d", got, DefaultBurst-4)
		}
		for i := range DefaultBurst {
			if err := try(p); err != nil {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		if err := try(p); !errors.Is(err, ErrNoSpareBudget) {
			t.Fatalf("empty bucket: tryAcquire = %v, want ErrNoSpareBudget", err)
		}
		if got := p.spare(0); got != 0 {
			t.Fatalf("empty bucket: spare = %d", got)
		}
		if s := c.sleeps(); len(s) != 0 {
			t.Fatalf("tryAcquire slept %v", s)
		}
		// The refused try spent nothing: one interval later exactly one
		// token is back, and a needed call gets it without waiting.
		c.advance(interval(shippedPace()))
		mustAcquire(t, p)
		if s := c.sleeps(); len(s) != 0 {
			t.Fatalf("needed call waited %v after a refused try", s)
		}
	})
	t.Run("nothing is spare during a pause", func(t *testing.T) {
		p, c := fakePacer(DefaultRate, DefaultBurst, nil)
		openFlight(t, p)
		p.done(mustAcquire(t, p), 429, pauseFrom(2*time.Second, true, ReasonConnection))
		if got := p.spare(0); got != 0 {
			t.Fatalf("paused: spare = %d", got)
		}
		if err := try(p); !errors.Is(err, ErrNoSpareBudget) {
			t.Fatalf("paused: tryAcquire = %v", err)
		}
		if s := c.sleeps(); len(s) != 0 {
			t.Fatalf("tryAcquire slept %v", s)
		}
		ws := &WorkspacePause{}
		q, _ := fakePacer(DefaultRate, DefaultBurst, ws)
		ws.extend(time.Now().Add(time.Minute), ReasonWorkspace)
		if got := q.spare(0); got != 0 {
			t.Fatalf("workspace paused: spare = %d", got)
		}
	})
	t.Run("one-shot recovers without a first flight", func(t *testing.T) {
		p := newPacer(DefaultRate, DefaultBurst, nil, true)
		c := &fakeClock{t: time.Now()}
		p.now, p.sleep = c.now, c.sleep
		p.done(mustAcquire(t, p), 429, pauseFrom(time.Second, true, ""))
		c.advance(time.Second + recoverHold + burstRamp + time.Second)
		mustAcquire(t, p)
		if !p.state().opened {
			t.Fatal("a one-shot pacer went back to a first flight")
		}
	})
}
