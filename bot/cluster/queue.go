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
	// DefaultTurnLease is how long a turn taken by Begin outlives the
	// holder's last Renew (its heartbeat, every third of it): a replica
	// that dies, is paused or is cut off loses its turn, and another takes
	// its work over, that long after its last heartbeat. A live holder
	// keeps renewing it however long the diagnosis takes.
	DefaultTurnLease = 10 * time.Second
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
	// TurnLease is how long a turn outlives its holder's last Renew
	// (DefaultTurnLease if 0); report leases use it too.
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
	// Renew is the heartbeat of a turn Begin gave: it extends the turn by
	// TurnLease and keeps the entry from looking abandoned. held is false
	// when the turn is no longer the caller's (it ran out and another
	// replica took it, or the item was answered): the caller must not
	// post. Call it every TurnLease/3 while working on it, and right
	// before posting (fencing). With Redis unreachable held is false for
	// a shared item (the turn cannot be confirmed) and err says why.
	Renew(ctx context.Context, it *Item) (held bool, err error)
	// Release hands an item the caller began back to the other replicas
	// unanswered (a shutdown): its turn is freed and the entry can be
	// claimed at once. A local item cannot be handed over (ErrLocal).
	Release(ctx context.Context, it *Item) error
	// ReleaseUnbegun makes every entry pending at this consumer that it
	// holds no turn of claimable at once (entries a read delivered just as
	// the worker stopped). For the shutdown.
	ReleaseUnbegun(ctx context.Context) error
	// Local returns up to n items kept in this process's memory only
	// (queued while Redis was down), never an item of the shared queue.
	Local(n int) []*Item
}

// ErrLocal is Release's answer for an item kept in this replica's memory
// only: no other replica can take it.
var ErrLocal = errors.New("cluster: item kept in this replica's memory")

// ErrLostTurn is the error of Renew when the turn is no longer the
// caller's.
var ErrLostTurn = errors.New("cluster: turn lost")

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

func (q *memQueue) Renew(ctx context.Context, it *Item) (bool, error) {
	if q.answered.has(it.Key) {
		return false, ErrLostTurn
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.turns[it.Key] != it.turn {
		return false, ErrLostTurn
	}
	return true, nil
}

func (q *memQueue) Release(ctx context.Context, it *Item) error { return ErrLocal }

func (q *memQueue) ReleaseUnbegun(ctx context.Context) error { return nil }

func (q *memQueue) Local(n int) []*Item { return q.take(n) }

// The bookkeeping scripts of work already queued run with allow-oom: a
// Redis full under noeviction refuses new work (Admit) but still lets the
// replicas take, renew, hand back and answer what they acknowledged, a few
// small keys per item (see "Redis full" in doc.go).

// beginScript takes the turn of an item: KEYS[1] answered marker, KEYS[2]
// turn, KEYS[3] attempts; ARGV[1] this turn's token, ARGV[2] turn lease
// ms, ARGV[3] attempts TTL ms. Answers {0 mine | 1 answered | 2 busy,
// attempt}.
var beginScript = redis.NewScript(`#!lua flags=allow-oom
if redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) == false then return {2, 0} end
local n = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return {0, n}`)

// ackScript records an answer and removes the entry: KEYS[1] answered
// marker, KEYS[2] turn, KEYS[3] stream; ARGV[1] answered TTL ms, ARGV[2]
// group, ARGV[3] entry ID.
var ackScript = redis.NewScript(`#!lua flags=allow-oom
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('XACK', KEYS[3], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[3], ARGV[3])
return 1`)

// markScript records the answer of an item kept in memory: KEYS[1]
// answered marker, KEYS[2] turn; ARGV[1] answered TTL ms.
var markScript = redis.NewScript(`#!lua flags=allow-oom
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
return 1`)

// renewScript is a turn's heartbeat: KEYS[1] answered marker, KEYS[2]
// turn, KEYS[3] stream; ARGV[1] token, ARGV[2] lease ms, ARGV[3] group,
// ARGV[4] consumer, ARGV[5] entry ID ("" for a local item). It answers 1
// when the turn is still the caller's (and extends it, and resets the
// entry's idle time so that no replica claims it), 0 when it is lost:
// the item was answered, or another replica holds its turn. A turn that
// ran out (or was lost with Redis's data) and that nobody took since is
// taken again: no other replica can be answering the item then.
var renewScript = redis.NewScript(`#!lua flags=allow-oom
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local cur = redis.call('GET', KEYS[2])
if cur == false then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
elseif cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
else
  return 0
end
if ARGV[5] ~= '' then redis.call('XCLAIM', KEYS[3], ARGV[3], ARGV[4], 0, ARGV[5], 'JUSTID') end
return 1`)

// releaseTurnScript hands an item back: KEYS[1] turn, KEYS[2] attempts,
// KEYS[3] stream; ARGV[1] token, ARGV[2] group, ARGV[3] consumer, ARGV[4]
// entry ID, ARGV[5] idle ms. The turn is freed if still the caller's (and
// the attempt it cost given back), and the entry made idle for long, so
// that the next Claim of any replica takes it.
var releaseTurnScript = redis.NewScript(`#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
end
redis.call('XCLAIM', KEYS[3], ARGV[2], ARGV[3], 0, ARGV[4], 'IDLE', ARGV[5], 'JUSTID')
return 1`)

// restoreScript puts an item this replica is answering back after Redis
// lost its data: KEYS[1] turn, KEYS[2] stream; ARGV[1] token, ARGV[2]
// lease ms, ARGV[3] maxlen, ARGV[4] key, ARGV[5] payload, ARGV[6]
// enqueued ms. It answers the new entry's ID.
var restoreScript = redis.NewScript(`#!lua flags=allow-oom
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'k', ARGV[4], 'p', ARGV[5], 't', ARGV[6])`)

// releasedIdle is the idle time Release gives an entry: far past any
// Claim's minIdle.
const releasedIdle = 30 * 24 * time.Hour

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
	held     map[*Item]struct{} // shared items this replica has the turn of
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
		held:     map[*Item]struct{}{},
	}
}

// entryID returns it's stream entry ID (it changes when restore puts the
// item back after a data loss).
func (q *redisQueue) entryID(it *Item) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return it.ID
}

func (q *redisQueue) hold(it *Item, on bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if on {
		q.held[it] = struct{}{}
	} else {
		delete(q.held, it)
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
		if !it.local {
			// A shared item is answered only under a turn in Redis: a
			// local turn could be a second answer (another replica may
			// hold the shared one). It stays pending; a Claim brings it
			// back once Redis answers.
			return TurnBusy, fmt.Errorf("%w: begin of a shared item", ErrUnavailable)
		}
		return q.local.Begin(ctx, it)
	}
	token := q.consumer + "/" + randomHex(6)
	res, err := beginScript.Run(ctx, q.b.rdb, q.keys(it.Key), token,
		q.opts.TurnLease.Milliseconds(), (q.opts.AnsweredTTL + q.opts.TurnLease).Milliseconds()).Int64Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("cluster: begin script answered %v", res)
	}
	if err != nil {
		q.b.fail(ctx, "queue.begin", err)
		if ctx.Err() != nil || !it.local {
			// Never a local turn for a shared item (see above): a failed
			// bookkeeping must not become a second answer.
			return TurnBusy, fmt.Errorf("cluster: begin: %w", err)
		}
		return q.local.Begin(ctx, it)
	}
	switch res[0] {
	case 0:
		it.turn = token
		it.Attempt = int(res[1])
		if !it.local {
			q.hold(it, true)
		}
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
		q.hold(it, false)
		keys := append(q.keys(it.Key)[:2], q.stream)
		id := q.entryID(it)
		run = func(ctx context.Context) error {
			return ackScript.Run(ctx, q.b.rdb, keys, ttl, q.opts.Group, id).Err()
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

func (q *redisQueue) Renew(ctx context.Context, it *Item) (bool, error) {
	if q.local.answered.has(it.Key) {
		return false, ErrLostTurn
	}
	if it.local && (!q.b.usable() || it.turn == "" || strings.HasPrefix(it.turn, "local-")) {
		// An item kept in this replica's memory: no other replica can
		// answer it (should Redis hold a copy, its turn in Redis is
		// checked below whenever Redis answers).
		return true, nil
	}
	if !q.b.usable() {
		q.b.degraded("queue.renew")
		return false, fmt.Errorf("%w: renew", ErrUnavailable)
	}
	id := ""
	if !it.local {
		id = q.entryID(it)
	}
	keys := append(q.keys(it.Key)[:2], q.stream)
	n, err := renewScript.Run(ctx, q.b.rdb, keys, it.turn, q.opts.TurnLease.Milliseconds(), q.opts.Group, q.consumer, id).Int64()
	if err != nil {
		q.b.fail(ctx, "queue.renew", err)
		if it.local {
			return true, nil // see above
		}
		return false, fmt.Errorf("cluster: renew: %w", err)
	}
	if n != 1 {
		q.hold(it, false)
		return false, ErrLostTurn
	}
	return true, nil
}

func (q *redisQueue) Release(ctx context.Context, it *Item) error {
	if it.local {
		return ErrLocal
	}
	if !q.b.usable() {
		q.b.degraded("queue.release")
		return fmt.Errorf("%w: release", ErrUnavailable)
	}
	q.hold(it, false)
	keys := []string{q.keys(it.Key)[1], q.keys(it.Key)[2], q.stream}
	err := releaseTurnScript.Run(ctx, q.b.rdb, keys, it.turn, q.opts.Group, q.consumer, q.entryID(it), releasedIdle.Milliseconds()).Err()
	if err != nil {
		q.b.fail(ctx, "queue.release", err)
		return fmt.Errorf("cluster: release: %w", err)
	}
	return nil
}

func (q *redisQueue) ReleaseUnbegun(ctx context.Context) error {
	if !q.b.usable() {
		return fmt.Errorf("%w: release", ErrUnavailable)
	}
	pend, err := q.b.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: q.stream, Group: q.opts.Group, Start: "-", End: "+", Count: 1000, Consumer: q.consumer,
	}).Result()
	if err != nil {
		if isNoGroup(err) || err == redis.Nil {
			return nil
		}
		q.b.fail(ctx, "queue.release", err)
		return fmt.Errorf("cluster: release: %w", err)
	}
	q.mu.Lock()
	begun := map[string]bool{}
	for it := range q.held {
		begun[it.ID] = true
	}
	q.mu.Unlock()
	for _, p := range pend {
		if begun[p.ID] {
			continue
		}
		err := q.b.rdb.Do(ctx, "XCLAIM", q.stream, q.opts.Group, q.consumer, 0, p.ID,
			"IDLE", releasedIdle.Milliseconds(), "JUSTID").Err()
		if err != nil {
			q.b.fail(ctx, "queue.release", err)
			return fmt.Errorf("cluster: release: %w", err)
		}
	}
	return nil
}

func (q *redisQueue) Local(n int) []*Item { return q.local.take(n) }

// flushLocal moves the items queued in memory while Redis was down (and
// not read yet) to the shared queue once it is back: durable again, and
// any replica may answer them. It returns how many moved.
func (q *redisQueue) flushLocal(ctx context.Context) int {
	if err := q.ensureGroup(ctx); err != nil {
		return 0
	}
	moved := 0
	for _, it := range q.local.take(q.local.max) {
		err := q.b.rdb.XAdd(ctx, &redis.XAddArgs{
			Stream: q.stream, MaxLen: q.opts.MaxLen, Approx: true,
			Values: []any{"k", it.Key, "p", it.Payload, "t", strconv.FormatInt(it.Enqueued.UnixMilli(), 10)},
		}).Err()
		q.local.mu.Lock()
		delete(q.local.pending, it.ID)
		if err != nil {
			q.local.items = append(q.local.items, it) // answered here, as before
		}
		q.local.mu.Unlock()
		if err == nil {
			moved++
		}
	}
	return moved
}

// restore puts back the shared items this replica holds a turn of after
// Redis lost its data (their entries and turns are gone): each gets its
// turn again and a new entry, so that it survives this replica too. It
// returns how many were put back and how many could not be.
func (q *redisQueue) restore(ctx context.Context) (restored, failed int) {
	q.mu.Lock()
	var its []*Item
	for it := range q.held {
		its = append(its, it)
	}
	q.mu.Unlock()
	q.groupOK.Store(false)
	if err := q.ensureGroup(ctx); err != nil {
		return 0, len(its)
	}
	for _, it := range its {
		id, err := restoreScript.Run(ctx, q.b.rdb, []string{q.keys(it.Key)[1], q.stream}, it.turn,
			q.opts.TurnLease.Milliseconds(), q.opts.MaxLen, it.Key, it.Payload, strconv.FormatInt(it.Enqueued.UnixMilli(), 10)).Text()
		if err != nil {
			failed++
			continue
		}
		q.mu.Lock()
		it.ID = id
		q.mu.Unlock()
		restored++
	}
	return restored, failed
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
