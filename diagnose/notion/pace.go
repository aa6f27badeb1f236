package notion

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacing: how one Prober (one integration token, one budget at Notion)
// spends Notion's rate limit.
//
//   - A token bucket (golang.org/x/time/rate) at PaceRate(Config.Rate,
//     Config.Burst) with a burst of Config.Burst (DefaultBurst 10): Notion
//     accepts bursts above its average, so a diagnosis of up to ten calls
//     goes at once; the refill, Rate less the burst spread over Notion's
//     60 s window (2.83 req/s at the defaults), keeps a burst and a minute
//     of pacing within Rate × 60 requests.
//   - The first flight (not for a Config.OneShot Prober, the CLI's): until
//     firstFlight requests of this budget have been answered without a
//     429/529, at most firstFlight are on the wire at once; each answer lets
//     the next one go, and the burst opens with the firstFlight-th good
//     answer. A budget much smaller than the burst (another process spends
//     the same token, a small plan) then costs at most firstFlight answers
//     of 429, not Burst-1; a slow answer holds only its own slot. A
//     long-running bot pays it once; a one-shot run could not amortise it.
//   - Speculative calls (a call that only saves a round) take spare budget
//     only: spare tells how many could go now beyond the calls about to be
//     sent, and tryAcquire sends one only if it can go at once, else drops
//     it having spent nothing (ErrNoSpareBudget).
//   - On any 429/529 the WHOLE pacer pauses: no request of this integration
//     is sent before Retry-After has passed (Notion's Retry-After for the
//     per-connection limit is the time until its window resets, so every
//     request sent before then would get 429 too). A request whose wait
//     does not fit its context's deadline returns at once (ErrPaceDeadline,
//     reported as notion.rate_limited); nothing sleeps past a deadline.
//   - When the pause ends the pacer lowers its rate, learning from what
//     Notion accepted: the new rate is PacingMargin × the rate Notion
//     accepted before it refused (answers since the last pause, at most 60 s
//     back, over their span up to the pause's end), kept between a quarter
//     and three quarters of the old rate; with nothing accepted to learn
//     from, half the old rate. The burst drops to what that rate allows in
//     one second (at least 1, at most half the old burst). 429s answered to
//     requests sent before the pause began are the same episode and lower
//     nothing again.
//   - Recovery is slow and additive: the learned pace holds for recoverHold
//     (Notion's 60 s window) after the pause, then the rate climbs linearly
//     back to the configured one over rateRamp and the burst over burstRamp;
//     once recovered, the next burst starts with a first flight again.
//   - additional_data.rate_limit_reason tells the connection's limit from
//     the workspace's (public_api_space_request_rate_limit): a workspace
//     limit also pauses every Prober that shares the same WorkspacePause
//     (Config.Workspace), since all integrations of a workspace share that
//     budget; those Probers wait, but do not lower their own rate.
const (
	// firstFlight is how many requests of an unproven budget may be on
	// the wire at once, and how many good answers open the burst.
	firstFlight = 3
	// recoverHold is how long the learned pace holds after a pause.
	recoverHold = BudgetWindow
	// rateRamp is how long the rate then takes to climb back.
	rateRamp = 60 * time.Second
	// burstRamp is how long the burst takes to climb back.
	burstRamp = 5 * time.Minute
	// minRate is the lowest pace the learning goes to (requests/s).
	minRate = 0.05
	// acceptedWindow bounds how far back accepted answers count when
	// learning the rate (Notion's per-connection window).
	acceptedWindow = BudgetWindow
	// maxAccepted bounds the accepted answers kept for learning.
	maxAccepted = 1024
)

// WorkspacePause is the pause shared by the Probers of one workspace: when
// Notion answers one of them 429 with the workspace limit as
// rate_limit_reason, none of them sends before its Retry-After has passed.
// Give the same *WorkspacePause to the Config of every integration of the
// same workspace; the zero value is ready to use and safe for concurrent
// use.
type WorkspacePause struct {
	mu     sync.Mutex
	until  time.Time
	reason string
}

// Until returns when the pause ends (zero time when there never was one)
// and the rate_limit_reason that set it.
func (w *WorkspacePause) Until() (time.Time, string) {
	if w == nil {
		return time.Time{}, ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.until, w.reason
}

func (w *WorkspacePause) extend(until time.Time, reason string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if until.After(w.until) {
		w.until, w.reason = until, reason
	}
}

// pacer is the budget of one integration: every request of a Prober
// passes through it (acquire before sending, done with the answer).
type pacer struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	ws    *WorkspacePause

	maxRate  rate.Limit
	maxBurst int

	mu  sync.Mutex
	lim *rate.Limiter
	// epoch counts pauses; a pass carries the epoch it was sent in.
	epoch uint64
	until time.Time // no request before (own pause)
	// learn is set by a new 429/529 episode: the pace is lowered when its
	// pause ends (all answers of that flight are in by then).
	learn     bool
	learnRA   time.Duration
	lowRate   rate.Limit // learned pace; 0 once fully recovered
	lowBurst  int
	learnedAt time.Time // the end of the last pause: hold and ramps from here

	// The first flight (none when oneShot).
	oneShot bool
	opened  bool
	onWire  int           // first-flight requests not answered yet
	good    int           // answers without 429/529 before the burst opened
	wake    chan struct{} // closed (and renewed) when onWire drops or the burst opens

	accepted []time.Time // when answers other than 429/529 came

	// guess meters speculative calls (guess.go); nil: none are sent.
	guess *rate.Limiter

	// Retries of refused requests waiting out a pause take the first
	// slots after it.
	retries   int
	retryWake chan struct{} // closed (and renewed) when retries drops
}

// pass is one request allowed out by the pacer.
type pass struct {
	epoch  uint64
	flight bool // counted in the first flight
}

// newPacer returns the pacer of one budget. oneShot skips the first flight
// (Config.OneShot): the budget is trusted up to the burst from the start.
func newPacer(r float64, burst int, ws *WorkspacePause, oneShot bool) *pacer {
	limit := rate.Limit(PaceRate(r, burst))
	return &pacer{
		opened:    oneShot,
		oneShot:   oneShot,
		now:       time.Now,
		sleep:     sleepCtx,
		ws:        ws,
		maxRate:   limit,
		maxBurst:  burst,
		lim:       rate.NewLimiter(limit, burst),
		wake:      make(chan struct{}),
		retryWake: make(chan struct{}),
	}
}

// acquire waits until the request may be sent: the first flight, any pause
// (own or the workspace's) and the token bucket. It returns at once with
// an error wrapping ErrPaceDeadline when the wait would not fit before
// ctx's deadline, or ctx's error. retry marks the retry of a refused
// request: after a pause, retries take the first slots.
func (p *pacer) acquire(ctx context.Context, retry bool) (pass, error) {
	return p.acquireMode(ctx, retry, false)
}

// tryAcquire lets a speculative request out only if it can go now: no
// pause, no retry queued, room in the first flight and a token in the
// bucket. Otherwise it returns ErrNoSpareBudget at once and spends nothing: a
// speculative call only ever uses budget that would sit idle.
func (p *pacer) tryAcquire(ctx context.Context) (pass, error) {
	return p.acquireMode(ctx, false, true)
}

// ErrNoSpareBudget says a speculative call was not sent: no budget was
// spare for it at once. The pacer's tryAcquire returns it; so may a
// Config.Transport that meters a budget of its own (see Speculative). The
// probe then drops the call, and asks it in a later round if it still
// matters.
var ErrNoSpareBudget = errors.New("notion: speculative call not sent: no spare budget")

// acquireMode is acquire (try false) and tryAcquire (try true): it waits,
// in order, for the first flight to be answered, for a pause to end, for
// the queued retries to go first, then for a slot of the bucket; a pause
// that began while it slept for its slot sends it round again.
//
// It is long for a reason: it is one loop over the pacer's state under
// p.mu, and each gate unlocks on its own way out (return, wait on a
// channel, sleep); split into functions, every lock and unlock would be
// on the other side of a call.
func (p *pacer) acquireMode(ctx context.Context, retry, try bool) (pass, error) {
	queued := false
	defer func() {
		if queued {
			p.mu.Lock()
			p.dequeue()
			p.mu.Unlock()
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return pass{}, err
		}
		p.mu.Lock()
		now := p.now()
		if !p.opened && p.onWire >= firstFlight {
			if try {
				p.mu.Unlock()
				return pass{}, ErrNoSpareBudget
			}
			ch := p.wake
			p.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return pass{}, ctx.Err()
			}
		}
		until, why := p.pauseEnd()
		if d := until.Sub(now); d > 0 && try {
			p.mu.Unlock()
			return pass{}, ErrNoSpareBudget
		}
		if d := until.Sub(now); d > 0 {
			if retry && !queued {
				p.retries++
				queued = true
			}
			p.mu.Unlock()
			if !fitsAt(ctx, now, d) {
				return pass{}, fmt.Errorf("%w: %s pauses every call for %v", ErrPaceDeadline, why, d.Round(time.Millisecond))
			}
			if err := p.sleep(ctx, d); err != nil {
				return pass{}, err
			}
			continue
		}
		if !retry && p.retries > 0 {
			if try {
				p.mu.Unlock()
				return pass{}, ErrNoSpareBudget
			}
			ch := p.retryWake
			p.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return pass{}, ctx.Err()
			}
		}
		if queued {
			p.dequeue()
			queued = false
		}
		p.settle(now)
		r := p.lim.ReserveN(now, 1)
		d := r.DelayFrom(now)
		if try && (!r.OK() || d > 0) {
			r.CancelAt(now)
			p.mu.Unlock()
			return pass{}, ErrNoSpareBudget
		}
		if !r.OK() || d > 0 && !fitsAt(ctx, now, d) {
			r.CancelAt(now)
			p.mu.Unlock()
			return pass{}, fmt.Errorf("%w: the next free slot is %v away", ErrPaceDeadline, d.Round(time.Millisecond))
		}
		pa := pass{epoch: p.epoch}
		if !p.opened {
			p.onWire++
			pa.flight = true
		}
		p.mu.Unlock()
		if d <= 0 {
			return pa, nil
		}
		if err := p.sleep(ctx, d); err != nil {
			p.unsend(pa)
			return pass{}, err
		}
		p.mu.Lock()
		paused := p.epoch != pa.epoch
		p.mu.Unlock()
		if !paused {
			return pa, nil
		}
		// A 429 came while this request waited for its slot: it goes
		// through the pause like every other.
		p.unsend(pa)
	}
}

// spare returns how many requests could go now, beyond want requests
// about to be sent, without waiting: none during a pause or while retries
// wait for their slots; otherwise the bucket's whole tokens left after
// want, and no more than the first flight has room for.
func (p *pacer) spare(want int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if until, _ := p.pauseEnd(); until.After(now) || p.retries > 0 {
		return 0
	}
	p.settle(now)
	n := int(math.Floor(p.lim.TokensAt(now))) - want
	if !p.opened {
		n = min(n, firstFlight-p.onWire-want)
	}
	return max(0, n)
}

// dequeue takes a retry off the pause's queue (p.mu held).
func (p *pacer) dequeue() {
	p.retries--
	close(p.retryWake)
	p.retryWake = make(chan struct{})
}

// unsend returns a pass that was not used.
func (p *pacer) unsend(pa pass) {
	if !pa.flight {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.land()
}

// land takes a first-flight request off the wire (p.mu held).
func (p *pacer) land() {
	if p.opened {
		return
	}
	p.onWire = max(0, p.onWire-1)
	close(p.wake)
	p.wake = make(chan struct{})
}

// done reports the answer to a pass: status 0 when none came; pz is the
// pause a 429/529 asks for (PauseOf), ignored for any other status.
func (p *pacer) done(pa pass, status int, pz Pause) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	limited := status == http.StatusTooManyRequests || status == 529
	if pa.flight {
		p.land()
		if status > 0 && !limited {
			if p.good++; p.good >= firstFlight {
				p.open()
			}
		}
	}
	if !limited {
		if status > 0 {
			p.accepted = append(p.accepted, now)
			if len(p.accepted) > maxAccepted {
				p.accepted = append(p.accepted[:0], p.accepted[len(p.accepted)-maxAccepted:]...)
			}
		}
		return
	}
	end := now.Add(pz.For)
	if end.After(p.until) {
		p.until = end
	}
	if pz.Workspace {
		p.ws.extend(end, pz.Reason)
	}
	if pa.epoch != p.epoch {
		return // sent before the pause: the same episode
	}
	p.epoch++
	p.learn, p.learnRA = true, pz.For
	// The learned pace takes over from the first flight.
	p.open()
}

func (p *pacer) open() {
	if !p.opened {
		p.opened = true
		close(p.wake)
	}
}

// lower sets the learned pace when a pause has ended (p.mu held).
func (p *pacer) lower(now time.Time) {
	p.learn = false
	cur, curBurst := p.lim.Limit(), p.lim.Burst()
	since := now.Add(-acceptedWindow)
	if p.learnedAt.After(since) {
		since = p.learnedAt
	}
	n, first := 0, time.Time{}
	for _, t := range p.accepted {
		if t.After(since) {
			if n == 0 {
				first = t
			}
			n++
		}
	}
	r := cur / 2
	if n > 0 {
		span := now.Sub(first).Seconds()
		if span <= 0 {
			span = p.learnRA.Seconds()
		}
		est := rate.Limit(float64(n) / math.Max(span, 0.001))
		r = min(cur*3/4, max(cur/4, est*PacingMargin))
	}
	r = max(r, minRate)
	b := max(1, min(curBurst/2, int(r)))
	p.lowRate, p.lowBurst, p.learnedAt = r, b, now
	// A new, full bucket: Notion's window has reset when Retry-After has
	// passed, and the learned burst is what may go at once.
	p.lim = rate.NewLimiter(r, b)
}

// recover climbs from the learned pace back to the configured one
// (p.mu held).
func (p *pacer) recover(now time.Time) {
	if p.lowRate == 0 {
		return
	}
	t := now.Sub(p.learnedAt) - recoverHold
	if t <= 0 {
		return
	}
	fr := min(1, t.Seconds()/rateRamp.Seconds())
	fb := min(1, t.Seconds()/burstRamp.Seconds())
	r := p.lowRate + rate.Limit(fr)*(p.maxRate-p.lowRate)
	b := p.lowBurst + int(fb*float64(p.maxBurst-p.lowBurst))
	if r != p.lim.Limit() {
		p.lim.SetLimitAt(now, r)
	}
	if b != p.lim.Burst() {
		p.lim.SetBurstAt(now, b)
	}
	if fr == 1 && fb == 1 {
		// Recovered: the full burst must be proven again, so that the
		// next burst into a budget still as small costs at most a first
		// flight of 429s.
		p.lowRate = 0
		p.opened, p.good, p.onWire = p.oneShot, 0, 0
		p.wake = make(chan struct{})
	}
}

// paceState is a snapshot of the pacer, for tests and debug logs.
type paceState struct {
	limit   rate.Limit
	burst   int
	until   time.Time
	opened  bool
	episode uint64
}

func (p *pacer) state() paceState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return paceState{limit: p.lim.Limit(), burst: p.lim.Burst(), until: p.until, opened: p.opened, episode: p.epoch}
}

// pauseLeft returns how long the pacer (or the workspace) still pauses.
func (p *pacer) pauseLeft() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	until, _ := p.pauseEnd()
	return max(0, until.Sub(p.now()))
}

// pauseEnd returns when the later of this integration's own pause and the
// workspace's ends, and which limit set it, in words (p.mu held).
func (p *pacer) pauseEnd() (time.Time, string) {
	until, why := p.until, "Notion's rate limit"
	if wu, reason := p.ws.Until(); wu.After(until) {
		until, why = wu, "the workspace's rate limit ("+reason+")"
	}
	return until, why
}

// settle brings the pace up to now: the learned rate once a pause has
// ended, then the slow recovery (p.mu held).
func (p *pacer) settle(now time.Time) {
	if p.learn {
		p.lower(now)
	}
	p.recover(now)
}

// fitsAt reports whether waiting d from now still leaves deadlineMargin
// before ctx's deadline (or d is within maxRetryAfter when there is no
// deadline).
func fitsAt(ctx context.Context, now time.Time, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok {
		return d+deadlineMargin < dl.Sub(now)
	}
	return d <= maxRetryAfter
}
