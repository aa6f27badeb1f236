package cluster

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// admitScript marks a delivery seen and queues its work in one step:
// KEYS[1..n-1] dedupe keys, KEYS[n] stream; ARGV[1] dedupe TTL ms,
// ARGV[2] max length, ARGV[3] work key, ARGV[4] payload, ARGV[5]
// enqueued ms. It answers {i, ""} when dedupe key i exists already
// (nothing written), else {0, entry ID}. The XADD is its first write: a
// Redis out of memory refuses it before anything is written (no
// allow-oom flag: new work is what a full Redis refuses), and once it
// went through the marks are written in the same script, so no replica
// can die between a seen mark and its work.
var admitScript = redis.NewScript(`
for i = 1, #KEYS - 1 do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {i, ''} end
end
local id = redis.call('XADD', KEYS[#KEYS], 'MAXLEN', '~', ARGV[2], '*', 'k', ARGV[3], 'p', ARGV[4], 't', ARGV[5])
for i = 1, #KEYS - 1 do redis.call('SET', KEYS[i], '1', 'PX', ARGV[1]) end
return {0, id}`)

// Admit takes one Slack delivery in: unless one of its dedupe keys (seen:
// EventKey, MessageKey, CommandKey, ClickKey, ...) was recorded already,
// it records them all and queues the work (key and payload as for
// WorkQueue.Enqueue) in one atomic step, so that a replica dying at any
// point leaves either both the marks and the work, or neither (and Slack's
// retry is then taken in anew). dup is the first key found seen ("" when
// the work was queued, id its entry). The envelope may be acknowledged
// when err is nil.
//
// With Redis down (or too slow for ctx) the marks and the work are kept
// in this replica's memory, as Dedupe.Seen and Enqueue do. err is
// ErrOutOfMemory when Redis refused the work for lack of memory (nothing
// recorded: the caller refuses the delivery, it is not queued locally
// where another replica's retry would be answered a second time), ErrFull
// when the local queue is full, or ctx's error when ctx had ended before.
func (c *Cluster) Admit(ctx context.Context, seen []string, key string, payload []byte) (id, dup string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	if c.b == nil {
		return c.admitLocal(ctx, c.dedupe.(*memDedupe).set, c.queue.(*memQueue), seen, key, payload)
	}
	rd, rq := c.dedupe.(*redisDedupe), c.queue.(*redisQueue)
	if !c.b.usable() {
		c.b.degraded("queue.enqueue")
		return c.admitDegraded(ctx, rd, rq, seen, key, payload)
	}
	keys := make([]string, 0, len(seen)+1)
	for _, k := range seen {
		keys = append(keys, rd.prefix+storeKey(k))
	}
	keys = append(keys, rq.stream)
	err = rq.ensureGroup(ctx)
	var res []any
	if err == nil {
		res, err = admitScript.Run(ctx, c.b.rdb, keys, rd.ttl.Milliseconds(), rq.opts.MaxLen, key, payload,
			strconv.FormatInt(time.Now().UnixMilli(), 10)).Slice()
	}
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("cluster: admit script answered %v", res)
	}
	if err != nil {
		if isOOM(err) {
			c.b.markFull("queue.enqueue", err)
			return "", "", fmt.Errorf("%w: %w", ErrOutOfMemory, err)
		}
		// As Enqueue: kept here even when ctx ran out, since the caller
		// acks. Should the script have gone through after all, the turn
		// in Redis (Begin looks it up for local items too) keeps the two
		// copies from being answered twice.
		c.b.fail(ctx, "queue.enqueue", err)
		return c.admitDegraded(context.WithoutCancel(ctx), rd, rq, seen, key, payload)
	}
	c.b.wrote()
	i, _ := res[0].(int64)
	if i > 0 && int(i) <= len(seen) {
		for _, k := range seen {
			rd.local.add(k)
		}
		return "", seen[i-1], nil
	}
	id, _ = res[1].(string)
	for _, k := range seen {
		rd.local.add(k)
	}
	return id, "", nil
}

// admitLocal is Admit on one process's memory.
func (c *Cluster) admitLocal(ctx context.Context, set *ttlSet, q *memQueue, seen []string, key string, payload []byte) (string, string, error) {
	c.admitMu.Lock()
	defer c.admitMu.Unlock()
	for _, k := range seen {
		if set.has(k) {
			return "", k, nil
		}
	}
	id, err := q.Enqueue(ctx, key, payload)
	if err != nil {
		return "", "", err
	}
	for _, k := range seen {
		set.add(k)
	}
	return id, "", nil
}

// admitDegraded is Admit while Redis is down: local marks and work, the
// marks written to Redis once it is back.
func (c *Cluster) admitDegraded(ctx context.Context, rd *redisDedupe, rq *redisQueue, seen []string, key string, payload []byte) (string, string, error) {
	id, dup, err := c.admitLocal(ctx, rd.local, rq.local, seen, key, payload)
	if err != nil || dup != "" {
		return id, dup, err
	}
	for _, k := range seen {
		rk, ttl := rd.prefix+storeKey(k), rd.ttl
		c.b.later(func(ctx context.Context) error {
			return c.b.rdb.SetNX(ctx, rk, "1", ttl).Err()
		})
	}
	return id, "", nil
}
