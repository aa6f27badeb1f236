package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// ErrDeadline is returned by Budget.Wait when the next free slot (or the end
// of a pause) lies past ctx's deadline: no slot is taken and the caller can
// say "rate limited" at once instead of waiting in vain.
var ErrDeadline = errors.New("cluster: the Notion budget has no slot before the deadline")

// Scope says who a pause after a 429 holds.
type Scope int

// Scopes of Budget.Pause.
const (
	// ScopeIntegration holds every request of this integration (Notion's
	// per-connection limit, and any limit not the workspace's).
	ScopeIntegration Scope = iota
	// ScopeWorkspace holds every request of every integration of the
	// workspace (Notion's workspace-wide limit of 2026). Which limit a
	// 429 names is Notion's wire format, read by the caller
	// (notion.PauseOf), not here.
	ScopeWorkspace
)

// Budget paces the requests of one integration to Notion across every
// replica, and holds them all after a 429 until its Retry-After. Its Wait
// has the shape of (*rate.Limiter).Wait, so it drops into the adapter's
// transport in the limiter's place.
type Budget interface {
	// Wait blocks until one request may be sent. It fails at once with
	// ErrDeadline (taking nothing) when that is past ctx's deadline, and
	// with ctx's error when ctx ends while waiting.
	Wait(ctx context.Context) error
	// TryTake takes a slot only if one is free now (no pause, no wait),
	// and reports whether it did: for a request that is only worth
	// sending from budget that would otherwise sit idle.
	TryTake(ctx context.Context) bool
	// Pause holds the requests of scope for d from now (a 429's or 529's
	// Retry-After), on every replica; a shorter pause never shortens a
	// longer one.
	Pause(ctx context.Context, d time.Duration, scope Scope)
	// PausedFor returns how long requests are still held (0 if not).
	PausedFor(ctx context.Context) time.Duration
}

// BudgetConfig describes one integration's budget.
type BudgetConfig struct {
	// Integration identifies the integration: IntegrationID(token), or
	// its bot ID; never the token. Required for sharing.
	Integration string
	// Workspace identifies its workspace for ScopeWorkspace pauses
	// (Integration if empty).
	Workspace string
	// Rate is the rate enforced across all replicas, in requests per
	// second (3 if 0: Notion's documented average per connection). The
	// caller applies any pacing margin.
	Rate float64
	// Burst is the burst above Rate (1 if 0).
	Burst int
	// FallbackRate is this replica's rate while Redis is down (Rate if 0).
	// With N replicas, Rate/N keeps the integration within its budget
	// during an outage; Rate keeps each replica fast and lets the 429
	// pauses (local then) catch the excess.
	FallbackRate float64
}

func (c BudgetConfig) withDefaults() BudgetConfig {
	if c.Workspace == "" {
		c.Workspace = c.Integration
	}
	if c.Rate <= 0 {
		c.Rate = 3
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.FallbackRate <= 0 {
		c.FallbackRate = c.Rate
	}
	return c
}

// pauseClock is a pause end time shared by the budgets it holds.
type pauseClock struct {
	mu    sync.Mutex
	until time.Time
}

func (p *pauseClock) get() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until
}

func (p *pauseClock) extend(u time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.After(p.until) {
		p.until = u
	}
}

// memBudget is the in-memory Budget of one process: x/time/rate and pause
// clocks, the workspace one shared by the budgets of one workspace (and
// the local fallback of the Redis one).
type memBudget struct {
	lim       *rate.Limiter
	own       *pauseClock
	workspace *pauseClock
}

func newMemBudget(cfg BudgetConfig, rateV float64, workspace *pauseClock) *memBudget {
	return &memBudget{lim: rate.NewLimiter(rate.Limit(rateV), cfg.Burst), own: &pauseClock{}, workspace: workspace}
}

func (m *memBudget) pausedUntil() time.Time {
	u, w := m.own.get(), m.workspace.get()
	if w.After(u) {
		return w
	}
	return u
}

func (m *memBudget) Wait(ctx context.Context) error {
	for {
		d := time.Until(m.pausedUntil())
		if d <= 0 {
			break
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
			return fmt.Errorf("%w: paused for %v after a 429", ErrDeadline, d.Round(time.Millisecond))
		}
		if err := sleepCtx(ctx, d); err != nil {
			return err
		}
	}
	if err := m.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return nil
}

func (m *memBudget) TryTake(ctx context.Context) bool {
	return time.Until(m.pausedUntil()) <= 0 && m.lim.Allow()
}

func (m *memBudget) Pause(ctx context.Context, d time.Duration, scope Scope) {
	if d <= 0 {
		return
	}
	if scope == ScopeWorkspace {
		m.workspace.extend(time.Now().Add(d))
		return
	}
	m.own.extend(time.Now().Add(d))
}

func (m *memBudget) PausedFor(ctx context.Context) time.Duration {
	return max(0, time.Until(m.pausedUntil()))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gcraScript reserves one request slot by the generic cell rate algorithm
// (the leaky bucket as a meter), with the clock of Redis (never the
// replicas'), and counts the pause keys in.
//
// KEYS[1] holds the theoretical arrival time (TAT) in microseconds;
// KEYS[2] and KEYS[3] are the integration and workspace pause keys (their
// PTTL is the pause left). ARGV[1] is the emission interval 1/rate in µs,
// ARGV[2] the burst, ARGV[3] the longest wait the caller accepts in µs (-1:
// any). A request may start at max(now, pause end, TAT - (burst-1) ×
// interval); if that is too late nothing is reserved ({0, wait}), else the
// TAT moves to max(TAT, start) + interval ({1, wait}) and the caller sleeps
// wait. Reserving (rather than refusing and letting callers poll) serves
// the replicas in arrival order with one round trip per request.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local start = now
for i = 2, 3 do
  local p = redis.call('PTTL', KEYS[i])
  if p > 0 then start = math.max(start, now + p * 1000) end
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
start = math.max(start, tat - (tonumber(ARGV[2]) - 1) * interval)
local wait = start - now
local maxw = tonumber(ARGV[3])
if maxw >= 0 and wait > maxw then return {0, wait} end
local newtat = math.max(tat, start) + interval
redis.call('SET', KEYS[1], string.format('%.0f', newtat), 'PX', math.ceil((newtat - now) / 1000) + 1)
return {1, wait}`)

// pauseScript sets a pause key for ARGV[1] ms unless a longer one runs.
var pauseScript = redis.NewScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1`)

// redisBudget is the shared Budget: budget:<integration> holds the GCRA
// state, pause:<integration> and pause-ws:<workspace> the pauses. A local
// memBudget at FallbackRate serves while Redis is down; pauses are
// recorded there too.
type redisBudget struct {
	b        *backend
	keys     []string
	interval int64 // µs
	burst    int
	local    *memBudget
}

func newRedisBudget(b *backend, prefix string, cfg BudgetConfig, workspace *pauseClock) *redisBudget {
	return &redisBudget{
		b: b,
		keys: []string{
			prefix + "budget:" + storeKey(cfg.Integration),
			prefix + "pause:" + storeKey(cfg.Integration),
			prefix + "pause-ws:" + storeKey(cfg.Workspace),
		},
		interval: int64(float64(time.Second/time.Microsecond) / cfg.Rate),
		burst:    cfg.Burst,
		local:    newMemBudget(cfg, cfg.FallbackRate, workspace),
	}
}

func (r *redisBudget) Wait(ctx context.Context) error {
	if !r.b.usable() {
		r.b.degraded("budget.wait")
		return r.local.Wait(ctx)
	}
	maxWait := int64(-1)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(0, time.Until(dl).Microseconds())
	}
	res, err := gcraScript.Run(ctx, r.b.rdb, r.keys, r.interval, r.burst, maxWait).Int64Slice()
	if err != nil || len(res) != 2 {
		if err == nil {
			err = fmt.Errorf("cluster: budget script answered %v", res)
		}
		r.b.fail(ctx, "budget.wait", err)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return r.local.Wait(ctx)
	}
	wait := time.Duration(res[1]) * time.Microsecond
	if res[0] == 0 {
		return fmt.Errorf("%w: next slot in %v", ErrDeadline, wait.Round(time.Millisecond))
	}
	if wait <= 0 {
		return nil
	}
	return sleepCtx(ctx, wait)
}

func (r *redisBudget) TryTake(ctx context.Context) bool {
	if !r.b.usable() {
		r.b.degraded("budget.try")
		return r.local.TryTake(ctx)
	}
	// The same script with no wait accepted: it reserves only a slot that
	// is free now.
	res, err := gcraScript.Run(ctx, r.b.rdb, r.keys, r.interval, r.burst, 0).Int64Slice()
	if err != nil || len(res) != 2 {
		if err == nil {
			err = fmt.Errorf("cluster: budget script answered %v", res)
		}
		r.b.fail(ctx, "budget.try", err)
		return r.local.TryTake(ctx)
	}
	return res[0] == 1
}

func (r *redisBudget) Pause(ctx context.Context, d time.Duration, scope Scope) {
	if d <= 0 {
		return
	}
	r.local.Pause(ctx, d, scope)
	key := r.keys[1]
	if scope == ScopeWorkspace {
		key = r.keys[2]
	}
	if !r.b.usable() {
		r.b.degraded("budget.pause")
		return
	}
	if err := pauseScript.Run(ctx, r.b.rdb, []string{key}, d.Milliseconds()).Err(); err != nil {
		r.b.fail(ctx, "budget.pause", err)
	}
}

func (r *redisBudget) PausedFor(ctx context.Context) time.Duration {
	if !r.b.usable() {
		r.b.degraded("budget.paused")
		return r.local.PausedFor(ctx)
	}
	var a, w *redis.DurationCmd
	_, err := r.b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		a = p.PTTL(ctx, r.keys[1])
		w = p.PTTL(ctx, r.keys[2])
		return nil
	})
	if err != nil {
		r.b.fail(ctx, "budget.paused", err)
		return r.local.PausedFor(ctx)
	}
	return max(0, a.Val(), w.Val())
}

// IntegrationID names an integration by its token for BudgetConfig and
// report keys without revealing it: the first 16 bytes of its SHA-256, in
// hex. The token itself must never reach Redis.
func IntegrationID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "tok-" + hex.EncodeToString(sum[:16])
}
