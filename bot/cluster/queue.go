package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrFull is returned by Enqueue when the local queue (memory mode, or
// Redis down) holds Options.LocalMax items: the caller should not ack the
// envelope, so that Slack delivers it again.
var ErrFull = errors.New("cluster: local work queue full")

// Defaults of QueueOptions.
const (
	// DefaultTurnLease is how long Begin holds an item for its caller. It
	// must exceed the longest diagnosis plus reply: a live worker still
	// holding its turn makes a claimer's Begin answer TurnBusy.
	DefaultTurnLease = 2 * time.Minute
	// DefaultAnsweredTTL is how long an answered marker is kept.
	DefaultAnsweredTTL = time.Hour
	// DefaultMaxLen caps the stream (approximately): a safety valve against
	// unbounded growth, far above any real backlog; acked entries are
	// deleted at once anyway.
	DefaultMaxLen = 100000
)

// QueueOptions configure the work queue.
type QueueOptions struct {
	// Stream is the stream's key after the prefix ("work" if empty).
	Stream string
	// Group is the consumer group ("workers" if empty).
	Group string
	// TurnLease is how long Begin holds an item (DefaultTurnLease if 0).
	TurnLease time.Duration
	// AnsweredTTL is how long an answered marker is kept
	// (DefaultAnsweredTTL if 0).
	AnsweredTTL time.Duration
	// MaxLen caps the stream, approximately (DefaultMaxLen if 0).
	MaxLen int64
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.Stream == "" {
		o.Stream = "work"
	}
	if o.Group == "" {
		o.Group = "workers"
	}
	if o.TurnLease <= 0 {
		o.TurnLease = DefaultTurnLease
	}
	if o.AnsweredTTL <= 0 {
		o.AnsweredTTL = DefaultAnsweredTTL
	}
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	return o
}

// Item is one unit of work: an envelope the bot acked after Enqueue.
type Item struct {
	// ID is the stream entry ID ("local-N" for an item kept in memory).
	ID string
	// Key identifies the work for the answered marker: the envelope's
	// dedupe key (EventKey, CommandKey, ...). Two items with one key are
	// answered once.
	Key string
	// Payload is what Enqueue stored (e.g. the envelope's JSON).
	Payload []byte
	// Enqueued is when it was enqueued (this replica's or the enqueuer's
	// clock).
	Enqueued time.Time
	// Claimed is true for an item taken over from another consumer.
	Claimed bool
	// Attempt counts the turns taken for Key (set by Begin: 1 the first
	// time). A worker may give up on an item that keeps failing.
	Attempt int

	local bool
	turn  string
}

// Turn is Begin's answer.
type Turn int

// Turns.
const (
	// TurnMine: answer the item, then Ack it.
	TurnMine Turn = iota
	// TurnAnswered: it was answered already; Ack it, do nothing else.
	TurnAnswered
	// TurnBusy: another live worker holds it; leave it (no Ack). If that
	// worker dies, a later Claim brings it back once its turn expires.
	TurnBusy
)

// String names the turn.
func (t Turn) String() string {
	switch t {
	case TurnMine:
		return "mine"
	case TurnAnswered:
		return "answered"
	case TurnBusy:
		return "busy"
	}
	return "unknown"
}

// Depth is the queue's size, for metrics.
type Depth struct {
	// Waiting counts items not yet read by any consumer.
	Waiting int64
	// Pending counts items read or claimed and not yet acked.
	Pending int64
}

// WorkQueue holds the work between the ack of an envelope and its reply.
// In Redis it is a stream with a consumer group, so work a replica had
// acked survives its death: another replica claims it. The worker loop:
//
//	items, _ := q.Read(ctx, 8, 5*time.Second)   // new items, this consumer
//	more, _ := q.Claim(ctx, time.Minute, 8)     // stuck at dead consumers
//	for _, it := range append(items, more...) {
//		switch turn, _ := q.Begin(ctx, it); turn {
//		case cluster.TurnMine:
//			answer(it) // diagnose, post the reply
//			q.Ack(ctx, it)
//		case cluster.TurnAnswered:
//			q.Ack(ctx, it)
//		}
//	}
type WorkQueue interface {
	// Enqueue stores one item durably (in Redis) and returns its ID; the
	// envelope may be acked once it returns nil. With Redis down, or too
	// slow for ctx, it keeps the item in memory (not durable, answered by
	// this replica) and still returns nil. It fails only with ErrFull
	// when that memory is full, or with ctx's error when ctx had ended
	// before the call. Bound ctx well inside Slack's 3 s ack deadline.
	Enqueue(ctx context.Context, key string, payload []byte) (id string, err error)
	// Read returns up to n new items for this consumer, waiting up to
	// block for the first. Local items come first. It returns no error
	// for a Redis failure (no items then), only ctx's.
	Read(ctx context.Context, n int, block time.Duration) ([]*Item, error)
	// Claim takes over up to n items pending at any consumer (dead ones,
	// or this one) for longer than minIdle (XAUTOCLAIM).
	Claim(ctx context.Context, minIdle time.Duration, n int) ([]*Item, error)
	// Begin takes the turn to answer it, for Turn lease: TurnMine at most
	// once per key across all replicas while the turn runs, never after
	// Ack. It sets it.Attempt.
	Begin(ctx context.Context, it *Item) (Turn, error)
	// Ack records that it was answered (the reply was delivered), frees
	// its turn and removes it from the queue. Call it for TurnAnswered
	// too. With Redis down it is recorded locally and written to Redis
	// once it is back.
	Ack(ctx context.Context, it *Item) error
	// Depth returns the queue's size (local items included).
	Depth(ctx context.Context) (Depth, error)
}

// memQueue is the in-memory WorkQueue of one process (and the local
// fallback of the Redis one).
type memQueue struct {
	opts     QueueOptions
	max      int
	seq      atomic.Int64
	answered *ttlSet

	mu      sync.Mutex
	items   []*Item
	pending map[string]*Item // by ID
	turns   map[string]string
	notify  chan struct{}
}

func newMemQueue(opts QueueOptions, max int) *memQueue {
	return &memQueue{
		opts:     opts,
		max:      max,
		answered: newTTLSet(opts.AnsweredTTL, max),
		pending:  map[string]*Item{},
		turns:    map[string]string{},
		notify:   make(chan struct{}),
	}
}

func (q *memQueue) Enqueue(ctx context.Context, key string, payload []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items)+len(q.pending) >= q.max {
		return "", ErrFull
	}
	it := &Item{ID: "local-" + strconv.FormatInt(q.seq.Add(1), 10), Key: key, Payload: append([]byte(nil), payload...), Enqueued: time.Now(), local: true}
	q.items = append(q.items, it)
	close(q.notify)
	q.notify = make(chan struct{})
	return it.ID, nil
}

// take pops up to n items without waiting.
func (q *memQueue) take(n int) []*Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := min(n, len(q.items))
	out := q.items[:k:k]
	q.items = q.items[k:]
	for _, it := range out {
		q.pending[it.ID] = it
	}
	return out
}

func (q *memQueue) Read(ctx context.Context, n int, block time.Duration) ([]*Item, error) {
	if n <= 0 {
		n = 1
	}
	t := time.NewTimer(block)
	defer t.Stop()
	for {
		if out := q.take(n); len(out) > 0 {
			return out, nil
		}
		q.mu.Lock()
		ch := q.notify
		q.mu.Unlock()
		select {
		case <-ch:
		case <-t.C:
			return q.take(n), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Claim finds nothing in one process: no other consumer can die.
func (q *memQueue) Claim(ctx context.Context, minIdle time.Duration, n int) ([]*Item, error) {
	return nil, ctx.Err()
}

func (q *memQueue) Begin(ctx context.Context, it *Item) (Turn, error) {
	if q.answered.has(it.Key) {
		return TurnAnswered, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if owner, ok := q.turns[it.Key]; ok && owner != it.ID {
		return TurnBusy, nil
	}
	q.turns[it.Key] = it.ID
	it.Attempt++
	it.turn = it.ID
	return TurnMine, nil
}

func (q *memQueue) Ack(ctx context.Context, it *Item) error {
	q.answered.add(it.Key)
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.pending, it.ID)
	if q.turns[it.Key] == it.turn || it.turn == "" {
		delete(q.turns, it.Key)
	}
	return nil
}

func (q *memQueue) Depth(ctx context.Context) (Depth, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return Depth{Waiting: int64(len(q.items)), Pending: int64(len(q.pending))}, nil
}

// beginScript takes the turn of an item: KEYS[1] answered marker, KEYS[2]
// turn, KEYS[3] attempts; ARGV[1] this turn's token, ARGV[2] turn lease
// ms, ARGV[3] attempts TTL ms. Answers {0 mine | 1 answered | 2 busy,
// attempt}.
var beginScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) == false then return {2, 0} end
local n = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return {0, n}`)

// ackScript records an answer and removes the entry: KEYS[1] answered
// marker, KEYS[2] turn, KEYS[3] stream; ARGV[1] answered TTL ms, ARGV[2]
// group, ARGV[3] entry ID.
var ackScript = redis.NewScript(`
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('XACK', KEYS[3], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[3], ARGV[3])
return 1`)

// markScript records the answer of an item kept in memory: KEYS[1]
// answered marker, KEYS[2] turn; ARGV[1] answered TTL ms.
var markScript = redis.NewScript(`
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
return 1`)

// redisQueue is the Redis WorkQueue: one stream, one consumer group, and
// per key an answered marker, a turn and an attempt counter. Acked entries
// are deleted, so the stream's length is the backlog. A memQueue holds the
// items enqueued while Redis is down.
type redisQueue struct {
	b        *backend
	opts     QueueOptions
	prefix   string
	stream   string
	consumer string
	local    *memQueue

	groupOK  atomic.Bool
	mu       sync.Mutex
	cursor   string
	lastReap time.Time
}

func newRedisQueue(b *backend, opts Options) *redisQueue {
	return &redisQueue{
		b:        b,
		opts:     opts.Queue,
		prefix:   opts.Prefix,
		stream:   opts.Prefix + opts.Queue.Stream,
		consumer: opts.Consumer,
		local:    newMemQueue(opts.Queue, opts.LocalMax),
		cursor:   "0-0",
	}
}

func (q *redisQueue) keys(key string) []string {
	k := storeKey(key)
	return []string{q.prefix + "answered:" + k, q.prefix + "turn:" + k, q.prefix + "attempts:" + k}
}

// ensureGroup creates the consumer group (and the stream) once; after a
// Redis restart without persistence NOGROUP makes it run again.
func (q *redisQueue) ensureGroup(ctx context.Context) error {
	if q.groupOK.Load() {
		return nil
	}
	err := q.b.rdb.XGroupCreateMkStream(ctx, q.stream, q.opts.Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	q.groupOK.Store(true)
	return nil
}

func isNoGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOGROUP") }

func (q *redisQueue) Enqueue(ctx context.Context, key string, payload []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !q.b.usable() {
		q.b.degraded("queue.enqueue")
		return q.local.Enqueue(ctx, key, payload)
	}
	err := q.ensureGroup(ctx)
	var id string
	if err == nil {
		id, err = q.b.rdb.XAdd(ctx, &redis.XAddArgs{
			Stream: q.stream,
			MaxLen: q.opts.MaxLen,
			Approx: true,
			Values: []any{"k", key, "p", payload, "t", strconv.FormatInt(time.Now().UnixMilli(), 10)},
		}).Result()
	}
	if err != nil {
		// Even when ctx ran out (Redis too slow for the ack's deadline) the
		// item is kept here: the caller acks, and must not lose it. Should
		// the XADD have gone through after all, the answered marker (Begin
		// looks it up for local items too) keeps it from being answered
		// twice.
		q.b.fail(ctx, "queue.enqueue", err)
		return q.local.Enqueue(context.WithoutCancel(ctx), key, payload)
	}
	return id, nil
}

func (q *redisQueue) Read(ctx context.Context, n int, block time.Duration) ([]*Item, error) {
	if n <= 0 {
		n = 1
	}
	if out := q.local.take(n); len(out) > 0 {
		return out, nil
	}
	if !q.b.usable() {
		q.b.degraded("queue.read")
		return q.local.Read(ctx, n, block)
	}
	var res []redis.XStream
	err := q.ensureGroup(ctx)
	for try := 0; err == nil && try < 2; try++ {
		res, err = q.b.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group:    q.opts.Group,
			Consumer: q.consumer,
			Streams:  []string{q.stream, ">"},
			Count:    int64(n),
			Block:    max(block, time.Millisecond),
		}).Result()
		if !isNoGroup(err) {
			break
		}
		q.groupOK.Store(false)
		err = q.ensureGroup(ctx)
	}
	switch {
	case err == nil:
	case err == redis.Nil:
		return nil, nil
	default:
		q.b.fail(ctx, "queue.read", err)
		return nil, ctx.Err()
	}
	var out []*Item
	for _, s := range res {
		for _, m := range s.Messages {
			out = append(out, q.item(m, false))
		}
	}
	return out, nil
}

func (q *redisQueue) item(m redis.XMessage, claimed bool) *Item {
	it := &Item{ID: m.ID, Claimed: claimed}
	if s, ok := m.Values["k"].(string); ok {
		it.Key = s
	}
	if s, ok := m.Values["p"].(string); ok {
		it.Payload = []byte(s)
	}
	if s, ok := m.Values["t"].(string); ok {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			it.Enqueued = time.UnixMilli(ms)
		}
	}
	if it.Key == "" {
		it.Key = "entry:" + m.ID
	}
	return it
}

// reapEvery is how often Claim removes consumers that left nothing pending
// and have been idle for reapIdle (replicas gone for good).
const (
	reapEvery = time.Minute
	reapIdle  = time.Hour
)

func (q *redisQueue) Claim(ctx context.Context, minIdle time.Duration, n int) ([]*Item, error) {
	if n <= 0 {
		n = 1
	}
	if !q.b.usable() {
		q.b.degraded("queue.claim")
		return nil, ctx.Err()
	}
	if err := q.ensureGroup(ctx); err != nil {
		q.b.fail(ctx, "queue.claim", err)
		return nil, ctx.Err()
	}
	q.mu.Lock()
	start := q.cursor
	q.mu.Unlock()
	var out []*Item
	// One pass over the pending list at most, as Redis advises: the cursor
	// goes on from where the last call stopped.
	for pass := 0; pass < 10 && len(out) < n; pass++ {
		msgs, next, err := q.b.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   q.stream,
			Group:    q.opts.Group,
			Consumer: q.consumer,
			MinIdle:  minIdle,
			Start:    start,
			Count:    int64(n - len(out)),
		}).Result()
		if isNoGroup(err) {
			q.groupOK.Store(false)
			return out, nil
		}
		if err != nil {
			q.b.fail(ctx, "queue.claim", err)
			return out, ctx.Err()
		}
		for _, m := range msgs {
			out = append(out, q.item(m, true))
		}
		start = next
		if next == "0-0" {
			break
		}
	}
	q.mu.Lock()
	q.cursor = start
	reap := time.Since(q.lastReap) > reapEvery
	if reap {
		q.lastReap = time.Now()
	}
	q.mu.Unlock()
	if reap {
		q.reap(ctx)
	}
	return out, nil
}

// reap deletes consumers gone for good (nothing pending, idle long).
func (q *redisQueue) reap(ctx context.Context) {
	cs, err := q.b.rdb.XInfoConsumers(ctx, q.stream, q.opts.Group).Result()
	if err != nil {
		return
	}
	for _, c := range cs {
		if c.Name != q.consumer && c.Pending == 0 && c.Idle > reapIdle {
			q.b.rdb.XGroupDelConsumer(ctx, q.stream, q.opts.Group, c.Name)
		}
	}
}

func (q *redisQueue) Begin(ctx context.Context, it *Item) (Turn, error) {
	if q.local.answered.has(it.Key) {
		return TurnAnswered, nil // acked here while Redis was down
	}
	if !q.b.usable() {
		q.b.degraded("queue.begin")
		return q.local.Begin(ctx, it)
	}
	token := q.consumer + "/" + randomHex(6)
	res, err := beginScript.Run(ctx, q.b.rdb, q.keys(it.Key), token,
		q.opts.TurnLease.Milliseconds(), (q.opts.AnsweredTTL + q.opts.TurnLease).Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		if err == nil {
			err = fmt.Errorf("cluster: begin script answered %v", res)
		}
		q.b.fail(ctx, "queue.begin", err)
		if ctx.Err() != nil {
			return TurnBusy, ctx.Err()
		}
		return q.local.Begin(ctx, it)
	}
	switch res[0] {
	case 0:
		it.turn = token
		it.Attempt = int(res[1])
		return TurnMine, nil
	case 1:
		return TurnAnswered, nil
	}
	return TurnBusy, nil
}

func (q *redisQueue) Ack(ctx context.Context, it *Item) error {
	ttl := q.opts.AnsweredTTL.Milliseconds()
	var run func(ctx context.Context) error
	if it.local {
		q.local.Ack(ctx, it)
		keys := q.keys(it.Key)[:2]
		run = func(ctx context.Context) error {
			return markScript.Run(ctx, q.b.rdb, keys, ttl).Err()
		}
	} else {
		keys := append(q.keys(it.Key)[:2], q.stream)
		run = func(ctx context.Context) error {
			return ackScript.Run(ctx, q.b.rdb, keys, ttl, q.opts.Group, it.ID).Err()
		}
	}
	if q.b.usable() {
		err := run(ctx)
		if err == nil {
			return nil
		}
		q.b.fail(ctx, "queue.ack", err)
	} else {
		q.b.degraded("queue.ack")
	}
	// Remember it here (a Begin of the same key on this replica answers
	// TurnAnswered) and write it once Redis is back.
	q.local.answered.add(it.Key)
	q.b.later(run)
	return nil
}

func (q *redisQueue) Depth(ctx context.Context) (Depth, error) {
	d, _ := q.local.Depth(ctx)
	if !q.b.usable() {
		return d, nil
	}
	var xlen *redis.IntCmd
	var pend *redis.XPendingCmd
	_, err := q.b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		xlen = p.XLen(ctx, q.stream)
		pend = p.XPending(ctx, q.stream, q.opts.Group)
		return nil
	})
	if err != nil && !isNoGroup(err) {
		q.b.fail(ctx, "queue.depth", err)
		return d, nil
	}
	var pending int64
	if pend.Err() == nil {
		pending = pend.Val().Count
	}
	d.Waiting += max(0, xlen.Val()-pending)
	d.Pending += pending
	return d, nil
}
