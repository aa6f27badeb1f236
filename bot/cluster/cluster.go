package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mathrand "math/rand/v2"
	"os"
	"strings"
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
	// reports, answered markers.
	DefaultLocalMax = 10000
)

// ErrUnavailable wraps the last Redis error while a Cluster is degraded:
// operations then skip Redis and use local state until Redis answers a
// ping again.
var ErrUnavailable = errors.New("cluster: redis unavailable")

// ErrOutOfMemory wraps a Redis refusal for lack of memory (maxmemory
// reached under noeviction): Redis answers, so the replica is not
// degraded; new work is refused (Admit) and the work already queued is
// still read, renewed and answered. Err reports it until a write goes
// through again.
var ErrOutOfMemory = errors.New("cluster: redis is full (maxmemory reached)")

// ErrDataLost is reported by Err for DataLossNotice after this replica
// found that Redis lost its data (restarted without persistence, rolled
// back to an older snapshot, or flushed): see Options.OnDataLost.
var ErrDataLost = errors.New("cluster: redis lost its data")

// DataLossNotice is how long Err keeps reporting a data loss.
const DataLossNotice = 5 * time.Minute

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
	// OnFull is called for every operation Redis refused for lack of
	// memory (op as for OnDegraded). May be nil.
	OnFull func(op string)
	// OnDataLost is called when this replica finds that Redis lost its
	// data, with the items it held and put back (requeued) and an upper
	// bound of the queued items no replica had taken, which are lost
	// (lost, as of this replica's last heartbeat before the loss). May be
	// nil.
	OnDataLost func(requeued, lost int)
	// Logger receives one warning when Redis goes away and one line when
	// it is back (slog.Default() if nil). It never receives a value stored.
	Logger *slog.Logger
}

// Cluster is the shared state of all replicas: through Redis when
// Options.URL is set, in this process's memory otherwise. It is safe for
// concurrent use. Close it when done.
type Cluster struct {
	b       *backend // nil in memory mode
	dedupe  Dedupe
	reports ReportCache
	queue   WorkQueue
	opts    Options

	admitMu    sync.Mutex // Admit's memory path: look up and record as one step
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
		c.dedupe = newMemDedupe(opts.DedupeTTL)
		c.reports = newMemReports(opts.LocalMax)
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
	c.reports = newRedisReports(ctx, b, opts)
	rq := newRedisQueue(b, opts)
	c.queue = rq
	b.restore = rq.restore
	b.flushLocal = rq.flushLocal
	// Find out at once whether Redis is there (a failure only degrades),
	// count this replica alive and learn the data's sequence.
	b.beat()
	b.start()
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

// Others reports how many other replicas are alive (heartbeat within
// three RetryIntervals; not those that called Leave). 0 in memory mode.
func (c *Cluster) Others(ctx context.Context) (int, error) {
	if c.b == nil {
		return 0, nil
	}
	return c.b.others(ctx)
}

// Leave tells the other replicas that this one is stopping: Others no
// longer counts it (a shutdown that hands work back asks Others first, so
// two replicas stopping together do not hand work to each other).
func (c *Cluster) Leave(ctx context.Context) {
	if c.b != nil {
		c.b.leave(ctx)
	}
}

// Dedupe returns the shared dedupe of events, commands and clicks.
func (c *Cluster) Dedupe() Dedupe { return c.dedupe }

// Reports returns the shared report cache with its probe leases.
func (c *Cluster) Reports() ReportCache { return c.reports }

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
	onFull      func(string)
	onDataLost  func(requeued, lost int)
	retry       time.Duration
	timeout     time.Duration
	prefix      string
	consumer    string
	stream      string
	group       string
	restore     func(context.Context) (restored, failed int)
	flushLocal  func(context.Context) int

	beatMu  sync.Mutex // one beat at a time: lastSeq and epoch are compared and set
	lastSeq int64
	epoch   int64 // the data's epoch at the last beat (beatScript)
	waiting int64 // queued items no replica had read, at the last beat

	mu       sync.Mutex
	down     bool
	lastErr  error
	full     bool
	fullErr  error
	lostAt   time.Time
	lostNote string
	left     bool
	replay   []func(context.Context) error
	closed   bool
	stop     chan struct{}
	done     chan struct{}
	closers  []func() error
}

func newBackend(rdb *redis.Client, opts Options) *backend {
	return &backend{
		rdb:         rdb,
		log:         opts.Logger,
		onDegraded:  opts.OnDegraded,
		onRecovered: opts.OnRecovered,
		onFull:      opts.OnFull,
		onDataLost:  opts.OnDataLost,
		retry:       opts.RetryInterval,
		timeout:     opts.Timeout,
		prefix:      opts.Prefix,
		consumer:    opts.Consumer,
		stream:      opts.Prefix + opts.Queue.Stream,
		group:       opts.Queue.Group,
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
	if b.full {
		return fmt.Errorf("%w: %w", ErrOutOfMemory, b.fullErr)
	}
	if !b.lostAt.IsZero() && time.Since(b.lostAt) < DataLossNotice {
		return fmt.Errorf("%w at %s: %s", ErrDataLost, b.lostAt.UTC().Format(time.TimeOnly), b.lostNote)
	}
	return nil
}

// isOOM reports Redis's refusal of a write for lack of memory.
func isOOM(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "OOM ") }

// markFull records a refusal for lack of memory: Redis answers, so it is
// not marked down (reads and the allow-oom bookkeeping go on).
func (b *backend) markFull(op string, err error) {
	b.mu.Lock()
	first := !b.full
	b.full, b.fullErr = true, err
	b.mu.Unlock()
	if first {
		b.log.Error("redis is full (maxmemory reached under noeviction): new work is refused until it has room; work already queued is still answered",
			"op", op)
	}
	if b.onFull != nil {
		b.onFull(op)
	}
}

// wrote records a write that Redis accepted: it is not full.
func (b *backend) wrote() {
	b.mu.Lock()
	was := b.full
	b.full, b.fullErr = false, nil
	b.mu.Unlock()
	if was {
		b.log.Info("redis has room again: new work is queued again")
	}
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
	if isOOM(err) {
		b.markFull(op, err)
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
		b.log.Warn("redis unavailable: using local state until it answers; replicas do not share dedupe, cached reports, budget and new work meanwhile",
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

func (b *backend) monitor() {
	defer close(b.done)
	t := time.NewTicker(b.retry)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		b.mu.Lock()
		down := b.down
		b.mu.Unlock()
		if down {
			b.tryRecover()
			continue
		}
		b.beat()
	}
}

// beatScript is a replica's heartbeat: KEYS[1] sequence, KEYS[2]
// replicas (a sorted set by expiry, Redis's clock), KEYS[3] stream,
// KEYS[4] epoch; ARGV[1] consumer, ARGV[2] liveness ms, ARGV[3] "1" to
// count this replica alive, ARGV[4] group, ARGV[5] a new random epoch. It
// answers {sequence, other replicas alive, entries waiting unread, epoch}.
//
// The epoch is set once, by the first beat that finds it missing, to that
// beat's random value, and stays while Redis keeps its data: a replica
// that reads another epoch than the one it read before knows that Redis
// lost its data, however many beats the other replicas made since (a
// shared sequence alone misses it when they beat past this replica's last
// reading before it beats again). The sequence only grows while Redis
// keeps its data: one not above the last read tells a roll-back, which
// keeps the epoch.
var beatScript = redis.NewScript(`#!lua flags=allow-oom
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seq = redis.call('INCR', KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
local others = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then others = others - 1 end
local len = redis.call('XLEN', KEYS[3])
local p = redis.pcall('XPENDING', KEYS[3], ARGV[4])
local pending = 0
if type(p) == 'table' and type(p[1]) == 'number' then pending = p[1] end
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[4], epoch)
end
return {seq, others, len - pending, tonumber(epoch)}`)

// beat runs beatScript: it keeps this replica counted alive, finds a data
// loss (and puts back what it can), and notices when a full Redis has
// room again. It returns the other replicas alive.
func (b *backend) beat() (others int, err error) {
	// Bounded by the client's own dial and read timeouts
	// (Options.Timeout), not by a context, so that a timeout counts as
	// Redis's failure.
	return b.beatCtx(context.Background())
}

func (b *backend) beatCtx(ctx context.Context) (int, error) {
	b.beatMu.Lock()
	defer b.beatMu.Unlock()
	b.mu.Lock()
	alive, full := "1", b.full
	if b.left {
		alive = "0"
	}
	b.mu.Unlock()
	keys := []string{b.prefix + "seq", b.prefix + "replicas", b.stream, b.prefix + "epoch"}
	// An epoch below 2^52 is exact as a Lua number.
	res, err := beatScript.Run(ctx, b.rdb, keys, b.consumer, (3 * b.retry).Milliseconds(), alive, b.group, mathrand.Int64N(1<<52)+1).Int64Slice()
	if err == nil && len(res) != 4 {
		err = fmt.Errorf("cluster: beat script answered %v", res)
	}
	if err != nil {
		b.fail(ctx, "beat", err)
		return 0, err
	}
	seq, others, waiting, epoch := res[0], int(res[1]), res[2], res[3]
	if full {
		// A plain write (the beat runs under allow-oom) tells whether
		// Redis has room again.
		if err := b.rdb.Set(ctx, b.prefix+"room:"+b.consumer, "1", time.Second).Err(); err == nil {
			b.wrote()
		}
	}
	last, lastEpoch, lastWaiting := b.lastSeq, b.epoch, b.waiting
	b.lastSeq, b.epoch, b.waiting = seq, epoch, waiting
	if last != 0 && (epoch != lastEpoch || seq <= last) {
		b.dataLost(ctx, lastWaiting)
	}
	return others, nil
}

// dataLost puts back the items this replica holds and says what was lost.
func (b *backend) dataLost(ctx context.Context, waiting int64) {
	requeued, failed := 0, 0
	if b.restore != nil {
		requeued, failed = b.restore(context.WithoutCancel(ctx))
	}
	lost := int(waiting) + failed
	note := fmt.Sprintf("%d item(s) this replica was answering put back in the queue; up to %d queued item(s) no replica had taken could not be recovered (their users get no answer); dedupe keys and answered markers are gone (a Slack retry may be answered again)", requeued, lost)
	b.mu.Lock()
	b.lostAt, b.lostNote = time.Now(), note
	b.mu.Unlock()
	b.log.Error("redis lost its data (restarted without persistence, rolled back or flushed): run it with appendonly yes and maxmemory-policy noeviction",
		"requeued", requeued, "not_recovered_at_most", lost)
	if b.onDataLost != nil {
		b.onDataLost(requeued, lost)
	}
}

// others beats (so the answer is fresh) and returns the other replicas
// alive.
func (b *backend) others(ctx context.Context) (int, error) {
	if !b.usable() {
		return 0, b.err()
	}
	return b.beatCtx(ctx)
}

// leave stops counting this replica alive.
func (b *backend) leave(ctx context.Context) {
	b.mu.Lock()
	b.left = true
	b.mu.Unlock()
	if b.usable() {
		_, _ = b.beatCtx(ctx)
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
		moved := 0
		if b.flushLocal != nil {
			moved = b.flushLocal(context.Background())
		}
		b.beat() // finds out whether Redis kept its data meanwhile
		b.log.Info("redis answers again: replicas share state again", "replayed", len(replay), "local_items_queued", moved)
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
