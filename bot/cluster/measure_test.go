package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/redis/go-redis/v9"
)

// TestMeasureRedisMemory prints how much Redis memory each kind of shared
// state takes, for sizing (docs/operations.md). Opt-in:
//
//	CLUSTER_MEASURE=1 go test ./cluster -run TestMeasureRedisMemory -v
func TestMeasureRedisMemory(t *testing.T) {
	if os.Getenv("CLUSTER_MEASURE") == "" {
		t.Skip("set CLUSTER_MEASURE=1 to measure Redis memory per entry")
	}
	s := startRedis(t)
	ctx := testCtx(t)
	c := newCluster(t, cluster.Options{URL: s.URL(0)})
	rdb := rawClient(t, s)
	const n = 10000
	verdict := bytes.Repeat([]byte("v"), 2048)  // a ProbeResult's JSON with evidence
	envelope := bytes.Repeat([]byte("e"), 3072) // an events_api envelope
	steps := []struct {
		name string
		add  func(i int)
	}{
		{"dedupe key", func(i int) { c.Dedupe().Seen(ctx, cluster.EventKey(fmt.Sprintf("Ev%010d", i))) }},
		{"verdict (2 KiB value)", func(i int) {
			c.Reports().Put(ctx, fmt.Sprintf("iris|2025-09-03|%032x", i), verdict, time.Hour)
		}},
		{"queued envelope (3 KiB)", func(i int) { c.Queue().Enqueue(ctx, cluster.EventKey(fmt.Sprintf("Eq%010d", i)), envelope) }},
	}
	before := usedMemory(t, ctx, rdb)
	for _, st := range steps {
		for i := range n {
			st.add(i)
		}
		after := usedMemory(t, ctx, rdb)
		t.Logf("%-24s %6.0f bytes each (%d entries: %.1f MiB)", st.name, float64(after-before)/n, n, float64(after-before)/(1<<20))
		before = after
	}
}

func usedMemory(t *testing.T, ctx context.Context, rdb *redis.Client) int64 {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatal("no used_memory in INFO")
	return 0
}

// BenchmarkRedis measures one operation's cost against a local
// redis-server (loopback, one client):
//
//	go test ./cluster -run '^$' -bench Redis
func BenchmarkRedis(b *testing.B) {
	for _, bc := range []struct {
		name string
		op   func(ctx context.Context, c *cluster.Cluster, i int)
	}{
		{"DedupeSeen", func(ctx context.Context, c *cluster.Cluster, i int) {
			c.Dedupe().Seen(ctx, cluster.EventKey(strconv.Itoa(i)))
		}},
		{"BudgetWait", func(ctx context.Context, c *cluster.Cluster, i int) {
			c.Budget(cluster.BudgetConfig{Integration: "bench", Rate: 1e6, Burst: 1000}).Wait(ctx)
		}},
		{"CoalesceMiss", func(ctx context.Context, c *cluster.Cluster, i int) {
			cluster.Coalesce(ctx, c.Reports(), strconv.Itoa(i), cluster.CoalesceOptions{},
				func(context.Context) ([]byte, time.Duration) { return []byte("v"), time.Minute })
		}},
		{"QueueRoundTrip", func(ctx context.Context, c *cluster.Cluster, i int) {
			q := c.Queue()
			q.Enqueue(ctx, strconv.Itoa(i), []byte("payload"))
			items, _ := q.Read(ctx, 1, time.Second)
			for _, it := range items {
				q.Begin(ctx, it)
				q.Ack(ctx, it)
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := startRedis(b)
			ctx := context.Background()
			c, err := cluster.New(ctx, cluster.Options{URL: s.URL(0)})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				bc.op(ctx, c, i)
			}
		})
	}
}
