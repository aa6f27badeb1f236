package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ReportCache shares finished reports (opaque bytes, e.g. a JSON
// ProbeResult) between replicas, and leases so that one reference is
// probed once across all of them. Keys must tell integrations apart (an
// integration's bot ID or a hash of its token, never the token itself);
// Redis sees only a SHA-256 of each key. Values must hold no secret.
//
// Coalesce composes the four methods into the usual flow; use it.
type ReportCache interface {
	// Get returns key's value while its TTL runs.
	Get(ctx context.Context, key string) (val []byte, ok bool)
	// Put stores val for ttl (nothing when ttl <= 0) and wakes the
	// replicas waiting for key.
	Put(ctx context.Context, key string, val []byte, ttl time.Duration)
	// Lease tries to become the one replica that probes key, for at most
	// ttl (a holder that dies frees it then). held is false when another
	// holds it. release frees the lease and wakes the waiters; call it
	// after Put, or without Put when the result is not worth caching.
	Lease(ctx context.Context, key string, ttl time.Duration) (release func(), held bool)
	// Await waits at most max for key's value while some replica holds
	// its lease. ok is false when max or ctx ran out, or the lease was
	// released (or expired) without a value: the caller then probes
	// itself.
	Await(ctx context.Context, key string, max time.Duration) (val []byte, ok bool)
}

// Outcome says where Coalesce's value came from.
type Outcome int

// Outcomes of Coalesce.
const (
	// OutcomeCached: a finished report was in the cache.
	OutcomeCached Outcome = iota
	// OutcomeProbed: this caller held the lease and probed.
	OutcomeProbed
	// OutcomeShared: another caller (maybe on another replica) probed and
	// this one received its result.
	OutcomeShared
	// OutcomeFallback: the holder published nothing in time (it died,
	// its result was not cacheable, or the wait ran out): this caller
	// probed itself.
	OutcomeFallback
)

// String names the outcome (for logs and metric labels).
func (o Outcome) String() string {
	switch o {
	case OutcomeCached:
		return "cached"
	case OutcomeProbed:
		return "probed"
	case OutcomeShared:
		return "shared"
	case OutcomeFallback:
		return "fallback"
	}
	return "unknown"
}

// Defaults of CoalesceOptions.
const (
	// DefaultLease bounds how long a probe lease is held. It should
	// exceed the time of one probe (a few round trips, with Retry-After
	// waits). In Redis the lease is renewed by its holder's heartbeat: a
	// holder that dies frees it within QueueOptions.TurnLease.
	DefaultLease = 30 * time.Second
)

// CoalesceOptions tune Coalesce.
type CoalesceOptions struct {
	// Lease is the lease TTL (DefaultLease if 0).
	Lease time.Duration
	// Wait bounds the wait for another holder's result (Lease if 0); the
	// caller's ctx bounds it too.
	Wait time.Duration
	// Fresh skips the cache read (a "Check again"); the probe is still
	// coalesced with one in flight.
	Fresh bool
}

// Coalesce returns key's cached value, or probes it once across all
// replicas: the caller that gets the lease runs probe, stores its value
// for the TTL probe returns (0: not cached) and releases the lease; the
// others wait for that value, at most o.Wait, and probe themselves when
// none comes.
func Coalesce(ctx context.Context, c ReportCache, key string, o CoalesceOptions, probe func(context.Context) (val []byte, ttl time.Duration)) ([]byte, Outcome) {
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Wait <= 0 {
		o.Wait = o.Lease
	}
	if !o.Fresh {
		if v, ok := c.Get(ctx, key); ok {
			return v, OutcomeCached
		}
	}
	release, held := c.Lease(ctx, key, o.Lease)
	if held {
		defer release()
		// Read again under the lease: another holder may have put the
		// value and released the lease between our Get and our Lease.
		if !o.Fresh {
			if v, ok := c.Get(ctx, key); ok {
				return v, OutcomeCached
			}
		}
		v, ttl := probe(ctx)
		c.Put(ctx, key, v, ttl)
		return v, OutcomeProbed
	}
	if v, ok := c.Await(ctx, key, o.Wait); ok {
		return v, OutcomeShared
	}
	v, ttl := probe(ctx)
	c.Put(ctx, key, v, ttl)
	return v, OutcomeFallback
}

// memReports is the in-memory ReportCache of one process (and the local
// fallback of the Redis one).
type memReports struct {
	mu     sync.Mutex
	max    int
	vals   map[string]memVal
	leases map[string]*memLease
}

type memVal struct {
	val []byte
	exp time.Time
}

type memLease struct {
	exp  time.Time
	done chan struct{}
}

func newMemReports(max int) *memReports {
	return &memReports{max: max, vals: map[string]memVal{}, leases: map[string]*memLease{}}
}

func (m *memReports) Get(ctx context.Context, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	if !ok || !time.Now().Before(v.exp) {
		return nil, false
	}
	return append([]byte(nil), v.val...), true
}

func (m *memReports) Put(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if len(m.vals) >= m.max {
		for k, v := range m.vals {
			if !now.Before(v.exp) {
				delete(m.vals, k)
			}
		}
		for k := range m.vals { // still full: drop any one
			if len(m.vals) < m.max {
				break
			}
			delete(m.vals, k)
		}
	}
	m.vals[key] = memVal{val: append([]byte(nil), val...), exp: now.Add(ttl)}
	if l, ok := m.leases[key]; ok {
		// Wake the waiters now; the holder's release finds it gone.
		delete(m.leases, key)
		close(l.done)
	}
}

func (m *memReports) Lease(ctx context.Context, key string, ttl time.Duration) (func(), bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.leases[key]; ok && time.Now().Before(l.exp) {
		return func() {}, false
	}
	l := &memLease{exp: time.Now().Add(ttl), done: make(chan struct{})}
	m.leases[key] = l
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.leases[key] == l {
				delete(m.leases, key)
				close(l.done)
			}
		})
	}, true
}

func (m *memReports) Await(ctx context.Context, key string, max time.Duration) ([]byte, bool) {
	if v, ok := m.Get(ctx, key); ok {
		return v, true
	}
	m.mu.Lock()
	l, ok := m.leases[key]
	m.mu.Unlock()
	if !ok {
		return m.Get(ctx, key)
	}
	wait := min(max, time.Until(l.exp))
	if wait <= 0 {
		return nil, false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
	case <-ctx.Done():
	}
	return m.Get(ctx, key)
}

// releaseScript frees a lease only if this caller still holds it, then
// tells the waiters: KEYS[1] lease, ARGV[1] holder token, ARGV[2] channel,
// ARGV[3] message.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`)

// renewLeaseScript extends a lease its holder still holds: KEYS[1] lease,
// ARGV[1] token, ARGV[2] ms. Answers 1 if extended.
var renewLeaseScript = redis.NewScript(`#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

// awaitPoll is how often a waiter looks at Redis besides the pub/sub
// wake-ups (which are at most once: one lost during a reconnect must not
// leave a waiter waiting to its bound).
const awaitPoll = 250 * time.Millisecond

// redisReports is the Redis ReportCache: values under verdict:<sha>,
// leases under lease:<sha> (SET NX PX), wake-ups on one pub/sub channel
// per deployment (one connection per replica, not one per waiter). A local
// memReports serves while Redis is down.
type redisReports struct {
	b       *backend
	beat    time.Duration // a lease outlives its holder's last renewal by that
	prefix  string
	channel string
	local   *memReports

	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
}

func newRedisReports(ctx context.Context, b *backend, opts Options) *redisReports {
	v := &redisReports{
		b:       b,
		beat:    opts.Queue.TurnLease,
		prefix:  opts.Prefix,
		channel: opts.Prefix + "verdicts",
		local:   newMemReports(opts.LocalMax),
		waiters: map[string]map[chan struct{}]struct{}{},
	}
	ps := b.rdb.Subscribe(context.WithoutCancel(ctx), v.channel)
	ch := ps.Channel()
	go func() {
		for msg := range ch {
			v.wake(msg.Payload)
		}
	}()
	b.onClose(ps.Close)
	return v
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

func (v *redisReports) wake(h string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for ch := range v.waiters[h] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (v *redisReports) Get(ctx context.Context, key string) ([]byte, bool) {
	if !v.b.usable() {
		v.b.degraded("verdict.get")
		return v.local.Get(ctx, key)
	}
	val, err := v.b.rdb.Get(ctx, v.prefix+"verdict:"+hashKey(key)).Bytes()
	switch {
	case err == nil:
		return val, true
	case err == redis.Nil:
		return nil, false
	}
	v.b.fail(ctx, "verdict.get", err)
	return v.local.Get(ctx, key)
}

func (v *redisReports) Put(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	v.local.Put(ctx, key, val, ttl)
	if !v.b.usable() {
		v.b.degraded("verdict.put")
		return
	}
	h := hashKey(key)
	_, err := v.b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, v.prefix+"verdict:"+h, val, ttl)
		p.Publish(ctx, v.channel, h)
		return nil
	})
	if err != nil {
		v.b.fail(ctx, "verdict.put", err)
	}
}

func (v *redisReports) Lease(ctx context.Context, key string, ttl time.Duration) (func(), bool) {
	if !v.b.usable() {
		v.b.degraded("verdict.lease")
		return v.local.Lease(ctx, key, ttl)
	}
	h := hashKey(key)
	lk := v.prefix + "lease:" + h
	token := randomHex(8)
	// The key lives one heartbeat (TurnLease), renewed every third of it
	// while the holder lives, up to ttl in all: a holder that dies frees
	// it within a heartbeat, not after the whole ttl.
	beat := min(ttl, v.beat)
	ok, err := v.b.rdb.SetNX(ctx, lk, token, beat).Result()
	if err != nil {
		v.b.fail(ctx, "verdict.lease", err)
		return v.local.Lease(ctx, key, ttl)
	}
	if !ok {
		return func() {}, false
	}
	stop := make(chan struct{})
	go v.renew(lk, token, beat, time.Now().Add(ttl), stop)
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.b.timeout)
			defer cancel()
			if err := releaseScript.Run(rctx, v.b.rdb, []string{lk}, token, v.channel, h).Err(); err != nil {
				// The lease expires by its TTL; the waiters poll.
				v.b.fail(rctx, "verdict.release", err)
			}
		})
	}, true
}

// renew is a lease's heartbeat until stop or the end of its ttl (until).
func (v *redisReports) renew(lk, token string, beat time.Duration, until time.Time, stop chan struct{}) {
	t := time.NewTicker(max(beat/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			left := until.Sub(now)
			if left <= 0 {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), v.b.timeout)
			n, err := renewLeaseScript.Run(ctx, v.b.rdb, []string{lk}, token, min(beat, left).Milliseconds()).Int64()
			cancel()
			if err != nil || n != 1 {
				return // lost (or Redis gone): the waiters probe themselves
			}
		}
	}
}

func (v *redisReports) Await(ctx context.Context, key string, max time.Duration) ([]byte, bool) {
	if !v.b.usable() {
		v.b.degraded("verdict.await")
		return v.local.Await(ctx, key, max)
	}
	h := hashKey(key)
	ch := make(chan struct{}, 1)
	v.mu.Lock()
	if v.waiters[h] == nil {
		v.waiters[h] = map[chan struct{}]struct{}{}
	}
	v.waiters[h][ch] = struct{}{}
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		delete(v.waiters[h], ch)
		if len(v.waiters[h]) == 0 {
			delete(v.waiters, h)
		}
		v.mu.Unlock()
	}()
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	poll := time.NewTicker(awaitPoll)
	defer poll.Stop()
	for {
		// Registered before looking, so a wake-up between the look and the
		// wait is not lost.
		var get *redis.StringCmd
		var held *redis.IntCmd
		_, err := v.b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			get = p.Get(ctx, v.prefix+"verdict:"+h)
			held = p.Exists(ctx, v.prefix+"lease:"+h)
			return nil
		})
		if err != nil && err != redis.Nil {
			v.b.fail(ctx, "verdict.await", err)
			return v.local.Get(ctx, key)
		}
		if val, err := get.Bytes(); err == nil {
			return val, true
		}
		if held.Val() == 0 {
			return nil, false
		}
		select {
		case <-ch:
		case <-poll.C:
		case <-deadline.C:
			return nil, false
		case <-ctx.Done():
			return nil, false
		}
	}
}
