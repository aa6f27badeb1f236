package ops

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/notion-check/notion-check/bot/cluster"
)

// RedisCheck reports whether the state shared through Redis works: nil
// when it does, an error while the replica answers from local state. It
// must make no round trip (cluster.Cluster.Err fits).
type RedisCheck func() error

// redisState is the Redis part of Readiness, kept apart from its other
// fields.
type redisState struct {
	mu    sync.RWMutex
	check RedisCheck
}

// SetRedis makes /readyz include Redis (REDIS_URL set): while check
// reports an error the replica is not ready ("redis: unavailable") even
// though it keeps answering from local state, so that a rolling deploy
// waits for the shared state to be back. Nil removes the check.
func (r *Readiness) SetRedis(check RedisCheck) {
	r.redis.mu.Lock()
	r.redis.check = check
	r.redis.mu.Unlock()
}

// redisWhy is the /readyz reason of Redis, "" when fine or not configured.
func (r *Readiness) redisWhy() string {
	r.redis.mu.RLock()
	check := r.redis.check
	r.redis.mu.RUnlock()
	if check == nil {
		return ""
	}
	err := check()
	switch {
	case err == nil:
		return ""
	case errors.Is(err, cluster.ErrOutOfMemory):
		return "redis: full (maxmemory reached under noeviction): new work is refused, queued work is still answered; give Redis more memory"
	case errors.Is(err, cluster.ErrDataLost):
		// Written by the cluster package from counts and a time only.
		return "redis: " + strings.TrimPrefix(err.Error(), "cluster: ")
	}
	// The error is not quoted: it could name the Redis address.
	return "redis: unavailable, answering from this replica's local state (dedupe, cached reports and new work are not shared until it is back)"
}

// QueueDepth returns the shared work queue's size: items not yet read by
// any replica, and items read or claimed and not yet answered.
type QueueDepth func(ctx context.Context) (waiting, pending int64, err error)

// clusterMetrics are the collectors of the state shared between replicas.
type clusterMetrics struct {
	dedupeHits *prometheus.CounterVec
	claims     prometheus.Counter
	degraded   *prometheus.CounterVec
	recovered  prometheus.Counter
	full       *prometheus.CounterVec
	dataLost   prometheus.Counter
	lostItems  *prometheus.CounterVec
}

func newClusterMetrics() clusterMetrics {
	return clusterMetrics{
		dedupeHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_dedupe_hits_total",
			Help: "Slack deliveries not answered because they were seen already (a retry or redelivery, possibly first seen by another replica), by kind (event, message, command, click).",
		}, []string{"kind"}),
		claims: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "notion_check_queue_claims_total",
			Help: "Queued work items this replica took over after another replica (or this one) left them unanswered too long (XAUTOCLAIM).",
		}),
		degraded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_redis_degraded_total",
			Help: "Operations on the shared state that fell back to this replica's local state because Redis failed or was down, by operation.",
		}, []string{"op"}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "notion_check_redis_recoveries_total",
			Help: "Times Redis answered again after a degradation.",
		}),
		full: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_redis_full_total",
			Help: "Operations Redis refused for lack of memory (maxmemory reached under noeviction), by operation.",
		}, []string{"op"}),
		dataLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "notion_check_redis_data_lost_total",
			Help: "Times this replica found that Redis had lost its data (restarted without persistence, rolled back or flushed).",
		}),
		lostItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_redis_data_lost_items_total",
			Help: "Queued items affected by a Redis data loss: requeued (this replica was answering them and put them back) and lost (at most, queued items no replica had taken).",
		}, []string{"outcome"}),
	}
}

// RegisterCluster exports the shared state (REDIS_URL set): the counters
// of DedupeHit, Claimed, RedisDegraded and RedisRecovered, the gauge
// notion_check_queue_items{state="waiting"|"pending"} read from depth at
// each scrape, and notion_check_redis_up (1 while check reports nil).
// Call it once.
func (m *Metrics) RegisterCluster(depth QueueDepth, check RedisCheck) {
	if m == nil {
		return
	}
	m.reg.MustRegister(m.cluster.dedupeHits, m.cluster.claims, m.cluster.degraded, m.cluster.recovered,
		m.cluster.full, m.cluster.dataLost, m.cluster.lostItems,
		queueCollector{depth: depth, check: check})
}

var (
	queueItemsDesc = prometheus.NewDesc("notion_check_queue_items",
		"Items in the shared work queue: waiting (not read by any replica yet) and pending (read or claimed, not answered yet), read at each scrape.",
		[]string{"state"}, nil)
	redisUpDesc = prometheus.NewDesc("notion_check_redis_up",
		"1 while the shared state in Redis works, 0 while this replica answers from local state.", nil, nil)
)

type queueCollector struct {
	depth QueueDepth
	check RedisCheck
}

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueItemsDesc
	ch <- redisUpDesc
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	if c.depth != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		waiting, pending, err := c.depth(ctx)
		cancel()
		if err == nil {
			ch <- prometheus.MustNewConstMetric(queueItemsDesc, prometheus.GaugeValue, float64(waiting), "waiting")
			ch <- prometheus.MustNewConstMetric(queueItemsDesc, prometheus.GaugeValue, float64(pending), "pending")
		}
	}
	if c.check != nil {
		up := 1.0
		if err := c.check(); err != nil && !errors.Is(err, cluster.ErrOutOfMemory) && !errors.Is(err, cluster.ErrDataLost) {
			up = 0 // full, or after a data loss, Redis answers: up
		}
		ch <- prometheus.MustNewConstMetric(redisUpDesc, prometheus.GaugeValue, up)
	}
}

// DedupeHit counts one delivery dropped as seen already.
func (m *Metrics) DedupeHit(kind string) {
	if m == nil {
		return
	}
	m.cluster.dedupeHits.WithLabelValues(kind).Inc()
}

// Claimed counts n work items taken over from another replica.
func (m *Metrics) Claimed(n int) {
	if m == nil {
		return
	}
	m.cluster.claims.Add(float64(n))
}

// RedisDegraded counts one operation that used local state instead of
// Redis (op: "dedupe.seen", "queue.enqueue", ...).
func (m *Metrics) RedisDegraded(op string) {
	if m == nil {
		return
	}
	m.cluster.degraded.WithLabelValues(op).Inc()
}

// RedisFull counts one operation Redis refused for lack of memory.
func (m *Metrics) RedisFull(op string) {
	if m == nil {
		return
	}
	m.cluster.full.WithLabelValues(op).Inc()
}

// RedisDataLost counts one data loss of Redis found by this replica, with
// the items it put back and those lost at most.
func (m *Metrics) RedisDataLost(requeued, lost int) {
	if m == nil {
		return
	}
	m.cluster.dataLost.Inc()
	m.cluster.lostItems.WithLabelValues("requeued").Add(float64(requeued))
	m.cluster.lostItems.WithLabelValues("lost").Add(float64(lost))
}

// RedisRecovered counts Redis answering again after a degradation.
func (m *Metrics) RedisRecovered() {
	if m == nil {
		return
	}
	m.cluster.recovered.Inc()
}
