package notiontest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits of the fake, as Notion describes them (its rate-limit reference
// and its 2026 changes):
//
//   - a per-connection budget of requests per fixed window
//     (WithWindowLimit): beyond it, 429 rate_limited with
//     additional_data.rate_limit_reason "public_api_request_rate_limit" and
//     Retry-After = the whole seconds until the window resets, so every
//     request before then gets 429 too;
//   - an optional workspace-wide budget shared by every token
//     (WithWorkspaceLimit): 429 with "public_api_space_request_rate_limit";
//   - the older model, a token bucket per token (WithRateLimit): an average
//     with a burst, Retry-After the whole seconds until the next token (at
//     least 1).
//
// Windows are fixed and aligned on the server's start. A refused request
// spends no budget. Faults (WithFault) are answered before any limit.

// RateLimitReasonConnection is the rate_limit_reason of the per-connection
// limit.
const RateLimitReasonConnection = "public_api_request_rate_limit"

// RateLimitReasonWorkspace is the rate_limit_reason of the workspace-wide
// limit.
const RateLimitReasonWorkspace = "public_api_space_request_rate_limit"

// WithRateLimit enables a per-token token bucket: an average of perSecond
// requests per second with the given burst. A request beyond it gets 429
// rate_limited (rate_limit_reason public_api_request_rate_limit) with a
// Retry-After header (whole seconds, at least 1).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *Server) {
		s.limits.avg = perSecond
		s.limits.burst = burst
	}
}

// WithWindowLimit enables Notion's per-connection budget: n requests per
// fixed window of the given length for each token; beyond it 429 with
// Retry-After = the time until the window resets (whole seconds, rounded
// up).
func WithWindowLimit(n int, window time.Duration) Option {
	return func(s *Server) {
		s.limits.connN, s.limits.connW = n, window
	}
}

// WithWorkspaceLimit enables a workspace-wide budget shared by every token
// of the fake: n requests per fixed window; beyond it 429 with
// rate_limit_reason public_api_space_request_rate_limit.
func WithWorkspaceLimit(n int, window time.Duration) Option {
	return func(s *Server) {
		s.limits.wsN, s.limits.wsW = n, window
	}
}

// WithWorkspaceRate enables a workspace-wide token bucket shared by every
// token of the fake: an average of perSecond requests per second with the
// given burst, for all integrations together (Notion's workspace limit
// since 2026-06). A request beyond it gets 429 with
// rate_limit_reason public_api_space_request_rate_limit and Retry-After
// the whole seconds until the next token (at least 1).
func WithWorkspaceRate(perSecond float64, burst int) Option {
	return func(s *Server) {
		s.limits.wsAvg, s.limits.wsBurst = perSecond, burst
	}
}

// WithClock sets the clock the rate limits judge arrivals by (time.Now by
// default), for tests of the limits themselves; latency and the call log
// keep the real clock.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.limits.now = now }
}

// RateLimited returns how many requests were refused by each limit, by
// rate_limit_reason.
func (s *Server) RateLimited() map[string]int {
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.refused {
		out[k] = v
	}
	return out
}

// RateLimitedBy returns how many requests of each integration (by name, as
// Call.Integration; "" for an unknown token) the rate limits refused.
func (s *Server) RateLimitedBy() map[string]int {
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.refusedBy {
		out[k] = v
	}
	return out
}

// limits is the state of the fake's rate limits.
type limits struct {
	now         func() time.Time
	avg         float64
	burst       int
	connN, wsN  int
	connW, wsW  time.Duration
	wsAvg       float64
	wsBurst     int
	wsBucket    *rate.Limiter
	refusedBy   map[string]int
	mu          sync.Mutex
	epoch       time.Time
	buckets     map[string]*rate.Limiter
	conn        map[string]*window
	ws          window
	refused     map[string]int
	initialised bool
}

// window is one fixed window's count.
type window struct {
	index int64
	used  int
}

// spent moves w to the window holding now and reports whether n requests
// are already spent in it, and how long until it resets.
func (w *window) spent(epoch, now time.Time, length time.Duration, n int) (bool, time.Duration) {
	idx := int64(now.Sub(epoch) / length)
	if idx != w.index {
		w.index, w.used = idx, 0
	}
	reset := epoch.Add(time.Duration(idx+1) * length)
	return w.used >= n, reset.Sub(now)
}

// limit judges one request of token against every limit; when refused it
// returns the 429 answer.
func (s *Server) limit(token string) (answer, bool) {
	l := &s.limits
	if l.avg <= 0 && l.connN <= 0 && l.wsN <= 0 && l.wsAvg <= 0 {
		return answer{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.now == nil {
		l.now = time.Now
	}
	now := l.now()
	if !l.initialised {
		l.initialised = true
		l.epoch = now
		l.buckets = map[string]*rate.Limiter{}
		l.conn = map[string]*window{}
		l.refused = map[string]int{}
		l.refusedBy = map[string]int{}
		l.ws.index = -1
		if l.wsAvg > 0 {
			l.wsBucket = rate.NewLimiter(rate.Limit(l.wsAvg), max(l.wsBurst, 1))
		}
	}
	name := s.nameOf(token)
	if l.connN > 0 {
		w := l.conn[token]
		if w == nil {
			w = &window{index: -1}
			l.conn[token] = w
		}
		if full, reset := w.spent(l.epoch, now, l.connW, l.connN); full {
			return l.refuse(name, RateLimitReasonConnection, reset), true
		}
	}
	if l.wsN > 0 {
		if full, reset := l.ws.spent(l.epoch, now, l.wsW, l.wsN); full {
			return l.refuse(name, RateLimitReasonWorkspace, reset), true
		}
	}
	var own *rate.Reservation
	if l.avg > 0 {
		lim := l.buckets[token]
		if lim == nil {
			lim = rate.NewLimiter(rate.Limit(l.avg), max(l.burst, 1))
			l.buckets[token] = lim
		}
		own = lim.ReserveN(now, 1)
		if d := own.DelayFrom(now); d > 0 {
			own.CancelAt(now)
			return l.refuse(name, RateLimitReasonConnection, d), true
		}
	}
	if l.wsBucket != nil {
		res := l.wsBucket.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			if own != nil {
				own.CancelAt(now)
			}
			return l.refuse(name, RateLimitReasonWorkspace, d), true
		}
	}
	if l.connN > 0 {
		l.conn[token].used++
	}
	if l.wsN > 0 {
		l.ws.used++
	}
	return answer{}, false
}

// refuse builds the 429 answer (l.mu held): Retry-After is wait in whole
// seconds rounded up, at least 1.
func (l *limits) refuse(name, reason string, wait time.Duration) answer {
	l.refused[reason]++
	l.refusedBy[name]++
	secs := max(1, int(math.Ceil(wait.Seconds())))
	a := errAnswer(http.StatusTooManyRequests, "rate_limited", "You have been rate limited. Please try again in a few minutes.",
		map[string]any{"rate_limit_reason": reason})
	a.header = http.Header{"Retry-After": []string{strconv.Itoa(secs)}}
	return a
}
