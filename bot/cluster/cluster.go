package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of Options.
const (
	// DefaultPrefix starts every Redis key and channel of notion-check.
	DefaultPrefix = "notion-check:"
	// DefaultDedupeTTL is how long a dedupe key is remembered. Slack
	// retries an event about +1 min and +5 min after the first try, and
	// redelivers an unacked envelope after a reconnect: an hour covers all.
	DefaultDedupeTTL = time.Hour
	// MinDedupeTTL is the shortest dedupe TTL accepted.
	MinDedupeTTL = 10 * time.Minute
	// DefaultTimeout bounds one Redis round trip (dial, read, write): a
	// Redis that does not answer in that time is treated as down. With
	// one retry an operation gives up after about a second, well inside
	// Slack's 3 s ack deadline.
	DefaultTimeout = 500 * time.Millisecond
	// DefaultRetryInterval is how often a degraded Cluster pings Redis to
	// find out whether it is back.
	DefaultRetryInterval = time.Second
	// DefaultLocalMax bounds each local (in-memory) table: dedupe keys,
	// verdicts, answered markers.
	DefaultLocalMax = 10000
)

// ErrUnavailable wraps the last Redis error while a Cluster is degraded:
// operations then skip Redis and use local state until Redis answers a
// ping again.
var ErrUnavailable = errors.New("cluster: redis unavailable")

// Options configure New. Only URL decides the mode; every other field has a
// default.
type Options struct {
	// URL is REDIS_URL: redis://[user:password@]host:port/db or rediss://
	// for TLS (go-redis ParseURL syntax, query options such as
	// dial_timeout allowed). Empty: in-memory, one process, today's
	// behaviour.
	URL string
	// Prefix starts every key and channel (DefaultPrefix if empty); two
	// deployments sharing one Redis need different prefixes.
	Prefix string
	// Consumer names this replica in the work queue's consumer group
	// (host name, process ID and a random suffix if empty). It must be
	// unique among the live replicas.
	Consumer string
	// DedupeTTL is how long Dedupe remembers a key (DefaultDedupeTTL if 0;
	// at least MinDedupeTTL).
	DedupeTTL time.Duration
	// Timeout bounds one Redis round trip (DefaultTimeout if 0) unless the
	// URL sets dial_timeout / read_timeout / write_timeout.
	Timeout time.Duration
	// RetryInterval is how often a degraded Cluster pings Redis
	// (DefaultRetryInterval if 0).
	RetryInterval time.Duration
	// LocalMax bounds each local table (DefaultLocalMax if 0).
	LocalMax int
	// Queue configures the work queue.
	Queue QueueOptions
	// OnDegraded is called for every operation that fell back to local
	// state because Redis failed or is known to be down (op names the
	// operation: "dedupe.seen", "verdict.get", "budget.wait",
	// "queue.enqueue", ...). For a metric; it must not block. May be nil.
	OnDegraded func(op string, err error)
	// OnRecovered is called when Redis answers again after a degradation.
	// May be nil.
	OnRecovered func()
	// Logger receives one warning when Redis goes away and one line when
	// it is back (slog.Default() if nil). It never receives a value stored.
	Logger *slog.Logger
}

// Cluster is the shared state of all replicas: through Redis when
// Options.URL is set, in this process's memory otherwise. It is safe for
// concurrent use. Close it when done.
type Cluster struct {
	b        *backend // nil in memory mode
	dedupe   Dedupe
	verdicts VerdictCache
	queue    WorkQueue
	opts     Options

	mu         sync.Mutex
	budgets    map[string]Budget
	workspaces map[string]*pauseClock
}

// New returns a Cluster for opts. With opts.URL empty it never fails and
// keeps everything in memory. With a URL it fails only when the URL is
// malformed: a Redis that cannot be reached yet is not an error, the
// Cluster starts degraded and switches to Redis once it answers.
func New(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.DedupeTTL == 0 {
		opts.DedupeTTL = DefaultDedupeTTL
	}
	if opts.DedupeTTL < MinDedupeTTL {
		return nil, fmt.Errorf("cluster: dedupe TTL %v is below %v", opts.DedupeTTL, MinDedupeTTL)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = DefaultRetryInterval
	}
	if opts.LocalMax <= 0 {
		opts.LocalMax = DefaultLocalMax
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Consumer == "" {
		opts.Consumer = defaultConsumer()
	}
	opts.Queue = opts.Queue.withDefaults()
	c := &Cluster{opts: opts, budgets: map[string]Budget{}, workspaces: map[string]*pauseClock{}}
	if opts.URL == "" {
		c.dedupe = newMemDedupe(opts.DedupeTTL, opts.LocalMax)
		c.verdicts = newMemVerdicts(opts.LocalMax)
		c.queue = newMemQueue(opts.Queue, opts.LocalMax)
		return c, nil
	}
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		// go-redis errors may quote the URL, and with it a password.
		return nil, errors.New("cluster: REDIS_URL is not a valid redis:// or rediss:// URL")
	}
	if ro.DialTimeout == 0 {
		ro.DialTimeout = opts.Timeout
	}
	if ro.ReadTimeout == 0 {
		ro.ReadTimeout = opts.Timeout
	}
	if ro.WriteTimeout == 0 {
		ro.WriteTimeout = opts.Timeout
	}
	if ro.PoolTimeout == 0 {
		ro.PoolTimeout = opts.Timeout
	}
	ro.MaxRetries = 1
	ro.DialerRetries = 1 // a Redis that refuses is down: no dial retry loop
	ro.ContextTimeoutEnabled = true
	b := newBackend(redis.NewClient(ro), opts)
	c.b = b
	c.dedupe = newRedisDedupe(b, opts)
	c.verdicts = newRedisVerdicts(ctx, b, opts)
	c.queue = newRedisQueue(b, opts)
	b.start()
	b.check() // find out at once whether Redis is there; a failure only degrades
	return c, nil
}

// Shared reports whether the state is shared through Redis (Options.URL
// set), whether or not Redis answers right now.
func (c *Cluster) Shared() bool { return c.b != nil }

// Err is nil while the shared state works (always in memory mode) and
// wraps ErrUnavailable and the last Redis error while degraded. It makes
// no round trip: fit for /readyz.
func (c *Cluster) Err() error {
	if c.b == nil {
		return nil
	}
	return c.b.err()
}

// Dedupe returns the shared dedupe of events, commands and clicks.
func (c *Cluster) Dedupe() Dedupe { return c.dedupe }

// Verdicts returns the shared verdict cache with its probe leases.
func (c *Cluster) Verdicts() VerdictCache { return c.verdicts }

// Queue returns the shared work queue.
func (c *Cluster) Queue() WorkQueue { return c.queue }

// Budget returns the shared Notion budget for cfg.Integration, made on first
// use; later calls with the same integration return the same Budget (their
// other fields are ignored).
func (c *Cluster) Budget(cfg BudgetConfig) Budget {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.budgets[cfg.Integration]; ok {
		return b
	}
	cfg = cfg.withDefaults()
	ws := c.workspaces[cfg.Workspace]
	if ws == nil {
		ws = &pauseClock{}
		c.workspaces[cfg.Workspace] = ws
	}
	var b Budget
	if c.b == nil {
		b = newMemBudget(cfg, cfg.Rate, ws)
	} else {
		b = newRedisBudget(c.b, c.opts.Prefix, cfg, ws)
	}
	c.budgets[cfg.Integration] = b
	return b
}

// Close stops the background work and closes the Redis connections. Local
// state stays readable; Redis is not used any more.
func (c *Cluster) Close() error {
	if c.b == nil {
		return nil
	}
	return c.b.close()
}

func defaultConsumer() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "replica"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomHex(3))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// maxReplay bounds the writes kept for replay while Redis is down.
const maxReplay = 10000

// backend is the Redis connection with its degradation state: while down,
// operations skip Redis (no dial timeout per call) and a monitor pings it
// every RetryInterval; the first good ping replays the writes made locally
// meanwhile (dedupe keys, answered markers, acks) and switches back.
type backend struct {
	rdb         *redis.Client
	log         *slog.Logger
	onDegraded  func(string, error)
	onRecovered func()
	retry       time.Duration
	timeout     time.Duration

	mu      sync.Mutex
	down    bool
	lastErr error
	replay  []func(context.Context) error
	closed  bool
	stop    chan struct{}
	done    chan struct{}
	closers []func() error
}

func newBackend(rdb *redis.Client, opts Options) *backend {
	return &backend{
		rdb:         rdb,
		log:         opts.Logger,
		onDegraded:  opts.OnDegraded,
		onRecovered: opts.OnRecovered,
		retry:       opts.RetryInterval,
		timeout:     opts.Timeout,
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
	}
}

// usable reports whether Redis should be tried now. When it is not, the
// caller falls back and reports it with degraded.
func (b *backend) usable() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.down && !b.closed
}

func (b *backend) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("%w: closed", ErrUnavailable)
	}
	if b.down {
		return fmt.Errorf("%w: %w", ErrUnavailable, b.lastErr)
	}
	return nil
}

// degraded reports an operation that used local state without trying
// Redis (known down).
func (b *backend) degraded(op string) {
	if b.onDegraded != nil {
		b.onDegraded(op, b.err())
	}
}

// fail records a failed Redis call of op. A call whose ctx has ended does
// not mark Redis down (the caller's deadline, not Redis, is the likely
// cause: a net timeout then) and is not reported.
func (b *backend) fail(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	b.mu.Lock()
	first := !b.down && !b.closed
	if !b.closed {
		b.down = true
		b.lastErr = err
	}
	b.mu.Unlock()
	if first {
		b.log.Warn("redis unavailable: using local state until it answers; replicas do not share dedupe, verdicts, budget and new work meanwhile",
			"op", op, "error", err.Error())
	}
	if b.onDegraded != nil {
		b.onDegraded(op, fmt.Errorf("%w: %w", ErrUnavailable, err))
	}
}

// later keeps a write to replay on Redis once it is back (bounded: the
// oldest are dropped).
func (b *backend) later(f func(context.Context) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if len(b.replay) >= maxReplay {
		b.replay = b.replay[1:]
	}
	b.replay = append(b.replay, f)
}

// onClose registers a closer run by close.
func (b *backend) onClose(f func() error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, f)
}

func (b *backend) start() { go b.monitor() }

// healthEvery is how many RetryIntervals pass between pings while Redis
// is up, so that Err notices an outage of an idle bot too.
const healthEvery = 10

func (b *backend) monitor() {
	defer close(b.done)
	t := time.NewTicker(b.retry)
	defer t.Stop()
	for tick := 1; ; tick++ {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		b.mu.Lock()
		down := b.down
		b.mu.Unlock()
		switch {
		case down:
			b.tryRecover()
		case tick%healthEvery == 0:
			b.check()
		}
	}
}

// check pings Redis and marks it down when it does not answer. The ping is
// bounded by the client's own dial and read timeouts (Options.Timeout), not
// by a context, so that a timeout counts as Redis's failure.
func (b *backend) check() {
	if err := b.rdb.Ping(context.Background()).Err(); err != nil {
		b.fail(context.Background(), "ping", err)
	}
}

// tryRecover pings Redis and, when it answers, replays the local writes
// and switches back to Redis.
func (b *backend) tryRecover() {
	if err := b.rdb.Ping(context.Background()).Err(); err != nil {
		b.mu.Lock()
		b.lastErr = err
		b.mu.Unlock()
		return
	}
	b.mu.Lock()
	replay := b.replay
	b.replay = nil
	b.mu.Unlock()
	for i, f := range replay {
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		err := f(ctx)
		cancel()
		if err != nil {
			b.mu.Lock()
			b.replay = append(replay[i:len(replay):len(replay)], b.replay...)
			b.lastErr = err
			b.mu.Unlock()
			return
		}
	}
	b.mu.Lock()
	was := b.down
	b.down = false
	b.lastErr = nil
	b.mu.Unlock()
	if was {
		b.log.Info("redis answers again: replicas share state again", "replayed", len(replay))
		if b.onRecovered != nil {
			b.onRecovered()
		}
	}
}

func (b *backend) close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	closers := b.closers
	b.mu.Unlock()
	close(b.stop)
	<-b.done
	var errs []error
	for _, f := range closers {
		errs = append(errs, f())
	}
	errs = append(errs, b.rdb.Close())
	return errors.Join(errs...)
}
