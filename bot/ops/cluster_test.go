package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/cluster"
)

// TestRedisInReadinessAndMetrics: with REDIS_URL set, /readyz fails while
// the replica runs on local state (without quoting the error, which may
// name the address), and /metrics shows the queue, claims, dedupe hits and
// degradations.
func TestRedisInReadinessAndMetrics(t *testing.T) {
	down := errors.New("dial tcp 10.0.0.9:6379: connect: connection refused")
	for _, tc := range []struct {
		name    string
		err     error
		ready   bool
		want    []string
		wantNot []string
	}{
		{name: "redis answers", ready: true, want: []string{"notion_check_redis_up 1"}},
		{name: "redis down", err: down, want: []string{"redis: unavailable", "notion_check_redis_up 0"}, wantNot: []string{"10.0.0.9"}},
		{name: "redis full", err: fmt.Errorf("%w: %w", cluster.ErrOutOfMemory, errors.New("OOM command not allowed")),
			want: []string{"redis: full", "notion_check_redis_up 1"}, wantNot: []string{"redis: unavailable"}},
		{name: "redis lost its data", err: fmt.Errorf("%w at 17:00:00: 1 item(s) put back", cluster.ErrDataLost),
			want: []string{"redis: redis lost its data at 17:00:00: 1 item(s) put back", "notion_check_redis_up 1"}, wantNot: []string{"redis: unavailable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Readiness{}
			r.SetSlackConnected(true)
			r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionOK, "")
			r.SetRedis(func() error { return tc.err })
			m := NewMetrics()
			m.RegisterCluster(func(context.Context) (int64, int64, error) { return 4, 2, nil }, func() error { return tc.err })
			m.DedupeHit("event")
			m.Claimed(3)
			m.RedisDegraded("queue.enqueue")
			m.RedisRecovered()
			ok, why := r.Ready()
			if ok != tc.ready {
				t.Errorf("Ready = %v (%s), want %v", ok, why, tc.ready)
			}
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			body, _ := io.ReadAll(rec.Body)
			out := why + "\n" + string(body)
			for _, w := range append(tc.want,
				`notion_check_queue_items{state="waiting"} 4`, `notion_check_queue_items{state="pending"} 2`,
				"notion_check_queue_claims_total 3", `notion_check_dedupe_hits_total{kind="event"} 1`,
				`notion_check_redis_degraded_total{op="queue.enqueue"} 1`, "notion_check_redis_recoveries_total 1") {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("%q appears: %s", w, why)
				}
			}
		})
	}
}
