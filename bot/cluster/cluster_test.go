package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"golang.org/x/time/rate"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"event", cluster.EventKey("Ev123"), "event:Ev123"},
		{"envelope", cluster.EnvelopeKey("env-1"), "env:env-1"},
		{"message", cluster.MessageKey("C1", "1700000000.000100"), "msg:C1/1700000000.000100"},
		{"command by trigger", cluster.CommandKey("T1", "13345224609.738474", "env-1"), "cmd:T1/13345224609.738474"},
		{"command without trigger", cluster.CommandKey("T1", "", "env-1"), "env:env-1"},
		{"click by trigger", cluster.ClickKey("T1", "tr-1", "U1", "1700.1", "env-2"), "click:T1/tr-1"},
		{"click by action_ts", cluster.ClickKey("T1", "", "U1", "1700.1", "env-2"), "click:T1/U1/1700.1"},
		{"click by envelope", cluster.ClickKey("T1", "", "U1", "", "env-2"), "env:env-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("key = %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestIntegrationID(t *testing.T) {
	const token = "ntn_44444444444MarketingTokenAbCdEfGhIjKlMnOpQrStU"
	id := cluster.IntegrationID(token)
	if strings.Contains(id, "Marketing") || strings.Contains(id, token[4:20]) || len(id) != len("tok-")+32 {
		t.Errorf("IntegrationID = %q: must not show the token, 36 characters", id)
	}
	if id != cluster.IntegrationID(token) || id == cluster.IntegrationID(token+"x") {
		t.Error("IntegrationID is not a stable, distinct name")
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    cluster.Options
		wantErr string
	}{
		{"memory", cluster.Options{}, ""},
		{"ttl too short", cluster.Options{DedupeTTL: time.Minute}, "below"},
		{"bad url", cluster.Options{URL: "http://user:hunter2@example.invalid"}, "not a valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cluster.New(context.Background(), tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				defer c.Close()
				if c.Shared() || c.Err() != nil {
					t.Errorf("memory cluster: Shared %v, Err %v", c.Shared(), c.Err())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New err = %v, want it to say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
}

// Two replicas see one event (Slack's retry reaching the other connection)
// at once, many times over: exactly one answers.
func TestDedupeOneEventAcrossReplicas(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			for _, key := range []string{cluster.EventKey("Ev0A1B2C3"), cluster.CommandKey("T1", "trig-1", "env-9"), cluster.MessageKey("C1", strings.Repeat("9", 300))} {
				var firsts atomic.Int32
				var wg sync.WaitGroup
				for i := range 40 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						first, err := r[i%2].Dedupe().Seen(ctx, key)
						if err != nil {
							t.Errorf("Seen: %v", err)
						}
						if first {
							firsts.Add(1)
						}
					}()
				}
				wg.Wait()
				if n := firsts.Load(); n != 1 {
					t.Errorf("%s: %d replicas saw it first, want 1", key[:10], n)
				}
			}
		})
	}
}

// A burst of requests for one reference on two replicas: one probe.
func TestLeaseProbesOnceAcrossReplicas(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			var probes, leases atomic.Int32
			const callers = 30
			probe := func(context.Context) ([]byte, time.Duration) {
				probes.Add(1)
				// Hold the lease until every caller has asked for it.
				waitFor(t, func() bool { return leases.Load() == callers })
				return []byte(`{"kind":"page"}`), time.Minute
			}
			vcs := [2]cluster.ReportCache{countLeases{r[0].Reports(), &leases}, countLeases{r[1].Reports(), &leases}}
			outcomes := make(chan cluster.Outcome, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v, o := cluster.Coalesce(ctx, vcs[i%2], "iris|2025-09-03|3d47810f-380f-80d7-a001-000000000003",
						cluster.CoalesceOptions{Lease: 30 * time.Second}, probe)
					if !bytes.Equal(v, []byte(`{"kind":"page"}`)) {
						t.Errorf("value %q", v)
					}
					outcomes <- o
				}()
			}
			wg.Wait()
			close(outcomes)
			count := map[cluster.Outcome]int{}
			for o := range outcomes {
				count[o]++
			}
			if n := probes.Load(); n != 1 {
				t.Errorf("%d probes, want 1 (outcomes %v)", n, count)
			}
			if count[cluster.OutcomeProbed] != 1 || count[cluster.OutcomeFallback] != 0 {
				t.Errorf("outcomes %v, want one probed, the rest shared or cached", count)
			}
			// Cached now, on both replicas.
			for i := range 2 {
				if _, o := cluster.Coalesce(ctx, r[i].Reports(), "iris|2025-09-03|3d47810f-380f-80d7-a001-000000000003", cluster.CoalesceOptions{}, probe); o != cluster.OutcomeCached {
					t.Errorf("replica %d: %v, want cached", i, o)
				}
			}
		})
	}
}

// countLeases counts the Lease calls of a ReportCache.
type countLeases struct {
	cluster.ReportCache
	n *atomic.Int32
}

func (c countLeases) Lease(ctx context.Context, key string, ttl time.Duration) (func(), bool) {
	defer c.n.Add(1)
	return c.ReportCache.Lease(ctx, key, ttl)
}

// A result not worth caching (Notion unavailable) frees the waiters at once:
// each probes itself rather than waiting out the lease.
func TestLeaseUncacheableResultFreesWaiters(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			vc := r[0].Reports()
			release, held := vc.Lease(ctx, "k", time.Hour)
			if !held {
				t.Fatal("first lease not held")
			}
			if _, held := r[1].Reports().Lease(ctx, "k", time.Hour); held {
				t.Fatal("second lease held while the first runs")
			}
			got := make(chan bool)
			go func() {
				_, ok := r[1].Reports().Await(ctx, "k", time.Hour)
				got <- ok
			}()
			time.Sleep(50 * time.Millisecond)
			release() // no Put: nothing to share
			if <-got {
				t.Error("Await found a value that was never put")
			}
		})
	}
}

// The lease holder dies (its replica is gone without releasing): the others
// wait no longer than the lease, then probe themselves.
func TestLeaseHolderDies(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	dead := newCluster(t, cluster.Options{URL: s.URL(0)})
	alive := newCluster(t, cluster.Options{URL: s.URL(0)})
	if _, held := dead.Reports().Lease(ctx, "ref", time.Second); !held {
		t.Fatal("lease not held")
	}
	dead.Close()
	var probes atomic.Int32
	v, o := cluster.Coalesce(ctx, alive.Reports(), "ref", cluster.CoalesceOptions{Lease: time.Second, Wait: 30 * time.Second},
		func(context.Context) ([]byte, time.Duration) { probes.Add(1); return []byte("v"), time.Minute })
	if o != cluster.OutcomeFallback || string(v) != "v" || probes.Load() != 1 {
		t.Errorf("outcome %v, value %q, %d probes; want fallback, v, 1", o, v, probes.Load())
	}
}

func TestBudgetSharedAcrossReplicas(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			// One request per 1000 s, burst 2: two requests pass at once,
			// on whichever replica; a third has no slot for ages.
			cfg := cluster.BudgetConfig{Integration: "iris", Workspace: "acme", Rate: 0.001, Burst: 2}
			a, b := r[0].Budget(cfg), r[1].Budget(cfg)
			if err := a.Wait(ctx); err != nil {
				t.Fatalf("first Wait: %v", err)
			}
			if err := b.Wait(ctx); err != nil {
				t.Fatalf("second Wait (other replica): %v", err)
			}
			short, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			for i, x := range []cluster.Budget{a, b} {
				if err := x.Wait(short); !errors.Is(err, cluster.ErrDeadline) {
					t.Errorf("replica %d third Wait = %v, want ErrDeadline", i, err)
				}
				if x.TryTake(ctx) {
					t.Errorf("replica %d took a slot from an empty budget", i)
				}
			}
			// TryTake shares the same slots: two free now, on either
			// replica, then none.
			fresh := cluster.BudgetConfig{Integration: "fresh", Workspace: "acme", Rate: 0.001, Burst: 2}
			got := []bool{r[0].Budget(fresh).TryTake(ctx), r[1].Budget(fresh).TryTake(ctx), r[0].Budget(fresh).TryTake(ctx)}
			if !got[0] || !got[1] || got[2] {
				t.Errorf("TryTake on a burst of 2: %v, want [true true false]", got)
			}
		})
	}
}

func TestBudgetPauseAfter429(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			iris := cluster.BudgetConfig{Integration: "iris", Workspace: "acme", Rate: 1000, Burst: 10}
			mkt := cluster.BudgetConfig{Integration: "marketing", Workspace: "acme", Rate: 1000, Burst: 10}
			other := cluster.BudgetConfig{Integration: "elsewhere", Workspace: "globex", Rate: 1000, Burst: 10}
			short := func() context.Context {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				t.Cleanup(cancel)
				return c
			}
			// A per-connection 429 on replica 0 holds iris on replica 1 too,
			// and not marketing.
			r[0].Budget(iris).Pause(ctx, time.Hour, cluster.ScopeIntegration)
			if d := r[1].Budget(iris).PausedFor(ctx); d < 30*time.Minute {
				t.Errorf("iris paused for %v on the other replica, want about an hour", d)
			}
			if err := r[1].Budget(iris).Wait(short()); !errors.Is(err, cluster.ErrDeadline) {
				t.Errorf("iris Wait during the pause = %v, want ErrDeadline", err)
			}
			if err := r[1].Budget(mkt).Wait(short()); err != nil {
				t.Errorf("marketing Wait = %v, want nil (not paused)", err)
			}
			if r[1].Budget(iris).TryTake(ctx) {
				t.Error("iris TryTake during the pause took a slot")
			}
			if !r[1].Budget(mkt).TryTake(ctx) {
				t.Error("marketing TryTake (not paused) took no slot")
			}
			// A workspace-wide 429 holds every integration of the workspace.
			r[1].Budget(mkt).Pause(ctx, time.Hour, cluster.ScopeWorkspace)
			if err := r[0].Budget(mkt).Wait(short()); !errors.Is(err, cluster.ErrDeadline) {
				t.Errorf("marketing Wait during the workspace pause = %v, want ErrDeadline", err)
			}
			if err := r[0].Budget(other).Wait(short()); err != nil {
				t.Errorf("other workspace Wait = %v, want nil", err)
			}
			// A shorter pause does not shorten it.
			r[0].Budget(iris).Pause(ctx, time.Millisecond, cluster.ScopeIntegration)
			if d := r[1].Budget(iris).PausedFor(ctx); d < 30*time.Minute {
				t.Errorf("a 1 ms pause shortened the hour to %v", d)
			}
		})
	}
}

func TestQueueBasics(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			q := r[0].Queue()
			if _, err := q.Enqueue(ctx, cluster.CommandKey("T1", "tr-1", "e1"), []byte(`{"envelope_id":"e1"}`)); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			if d, _ := q.Depth(ctx); d.Waiting != 1 || d.Pending != 0 {
				t.Errorf("depth after enqueue %+v, want 1 waiting", d)
			}
			items := readAll(t, ctx, r[1].Queue(), 1)
			it := items[0]
			if it.Key != "cmd:T1/tr-1" || string(it.Payload) != `{"envelope_id":"e1"}` {
				t.Errorf("item %q %q", it.Key, it.Payload)
			}
			if d, _ := q.Depth(ctx); d.Waiting != 0 || d.Pending != 1 {
				t.Errorf("depth after read %+v, want 1 pending", d)
			}
			if turn, err := r[1].Queue().Begin(ctx, it); turn != cluster.TurnMine || err != nil || it.Attempt != 1 {
				t.Fatalf("Begin = %v, %v, attempt %d; want mine, attempt 1", turn, err, it.Attempt)
			}
			if err := r[1].Queue().Ack(ctx, it); err != nil {
				t.Fatalf("Ack: %v", err)
			}
			if d, _ := q.Depth(ctx); d.Waiting != 0 || d.Pending != 0 {
				t.Errorf("depth after ack %+v, want empty", d)
			}
			// The same work enqueued again (a duplicate that passed the
			// dedupe) is not answered again.
			if _, err := q.Enqueue(ctx, cluster.CommandKey("T1", "tr-1", "e1"), nil); err != nil {
				t.Fatal(err)
			}
			again := readAll(t, ctx, q, 1)[0]
			if turn, _ := q.Begin(ctx, again); turn != cluster.TurnAnswered {
				t.Errorf("Begin of answered work = %v, want answered", turn)
			}
			q.Ack(ctx, again)
		})
	}
}

// An item delivered to two workers at once (claimed from a slow, live
// one): one answers, the other is told busy, then answered.
func TestQueueClaimedTwiceAnsweredOnce(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	a := newCluster(t, cluster.Options{URL: s.URL(0), Consumer: "a"})
	b := newCluster(t, cluster.Options{URL: s.URL(0), Consumer: "b"})
	if _, err := a.Queue().Enqueue(ctx, "event:Ev1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	slow := readAll(t, ctx, a.Queue(), 1)[0]
	if turn, _ := a.Queue().Begin(ctx, slow); turn != cluster.TurnMine {
		t.Fatalf("a: %v", turn)
	}
	var claimed []*cluster.Item
	waitFor(t, func() bool {
		c, err := b.Queue().Claim(ctx, 10*time.Millisecond, 10)
		if err != nil {
			t.Fatal(err)
		}
		claimed = append(claimed, c...)
		return len(claimed) > 0
	})
	if !claimed[0].Claimed || claimed[0].ID != slow.ID {
		t.Fatalf("claimed %+v, want a's item", claimed[0])
	}
	if turn, _ := b.Queue().Begin(ctx, claimed[0]); turn != cluster.TurnBusy {
		t.Errorf("b while a works: %v, want busy", turn)
	}
	if err := a.Queue().Ack(ctx, slow); err != nil {
		t.Fatal(err)
	}
	if turn, _ := b.Queue().Begin(ctx, claimed[0]); turn != cluster.TurnAnswered {
		t.Errorf("b after a answered: %v, want answered", turn)
	}
}

// A replica killed mid-work: the other claims its pending entries and every
// item is answered exactly once.
func TestQueueKilledConsumer(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	qo := cluster.QueueOptions{TurnLease: 300 * time.Millisecond}
	a, err := cluster.New(ctx, cluster.Options{URL: s.URL(0), Consumer: "a", Queue: qo})
	if err != nil {
		t.Fatal(err)
	}
	b := newCluster(t, cluster.Options{URL: s.URL(0), Consumer: "b", Queue: qo})

	const total = 20
	for i := range total {
		if _, err := a.Queue().Enqueue(ctx, cluster.EventKey(fmt.Sprintf("Ev%02d", i)), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	answers := map[string]int{}
	answer := func(it *cluster.Item) {
		mu.Lock()
		answers[it.Key]++
		mu.Unlock()
	}
	// a reads everything, answers 3, has begun 4 more when it dies.
	taken := readAll(t, ctx, a.Queue(), total)
	for i, it := range taken[:7] {
		if turn, _ := a.Queue().Begin(ctx, it); turn != cluster.TurnMine {
			t.Fatalf("a Begin %d: %v", i, turn)
		}
		if i < 3 {
			answer(it)
			if err := a.Queue().Ack(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	a.Close() // SIGKILL-like: no ack, no release

	// b's worker loop.
	waitFor(t, func() bool {
		items, err := b.Queue().Read(ctx, 10, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		claimed, err := b.Queue().Claim(ctx, 50*time.Millisecond, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range append(items, claimed...) {
			switch turn, _ := b.Queue().Begin(ctx, it); turn {
			case cluster.TurnMine:
				answer(it)
				b.Queue().Ack(ctx, it)
			case cluster.TurnAnswered:
				b.Queue().Ack(ctx, it)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return len(answers) == total
	})
	for k, n := range answers {
		if n != 1 {
			t.Errorf("%s answered %d times", k, n)
		}
	}
	if d, _ := b.Queue().Depth(ctx); d.Waiting != 0 || d.Pending != 0 {
		t.Errorf("depth after all answered %+v, want empty", d)
	}
}

// Redis restarted mid-run (a crash: no persistence): every operation keeps
// working on local state, reports it, and Redis is used again once back.
func TestRedisRestartDegradesAndRecovers(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	var degradedOps sync.Map
	recovered := make(chan struct{}, 10)
	opts := cluster.Options{
		URL: s.URL(0), Consumer: "a", RetryInterval: 20 * time.Millisecond,
		OnDegraded:  func(op string, err error) { degradedOps.Store(op, err) },
		OnRecovered: func() { recovered <- struct{}{} },
	}
	c := newCluster(t, opts)
	if c.Err() != nil {
		t.Fatalf("Err before the restart: %v", c.Err())
	}
	if first, _ := c.Dedupe().Seen(ctx, "event:before"); !first {
		t.Fatal("event:before not first")
	}
	// Work read before the outage and answered during it.
	if _, err := c.Queue().Enqueue(ctx, "event:inflight", []byte("p")); err != nil {
		t.Fatal(err)
	}
	inflight := readAll(t, ctx, c.Queue(), 1)[0]
	if turn, _ := c.Queue().Begin(ctx, inflight); turn != cluster.TurnMine {
		t.Fatalf("Begin before the outage: %v", turn)
	}

	s.Kill()
	if err := c.Queue().Ack(ctx, inflight); err != nil {
		t.Errorf("Ack during the outage: %v", err)
	}
	// Every operation answers from local state.
	if first, err := c.Dedupe().Seen(ctx, "event:before"); first || err != nil {
		t.Errorf("Seen(before) during the outage = %v, %v; want false (known locally)", first, err)
	}
	if first, err := c.Dedupe().Seen(ctx, "event:during"); !first || err != nil {
		t.Errorf("Seen(during) = %v, %v; want true", first, err)
	}
	v, o := cluster.Coalesce(ctx, c.Reports(), "ref", cluster.CoalesceOptions{}, func(context.Context) ([]byte, time.Duration) { return []byte("v"), time.Minute })
	if string(v) != "v" || o != cluster.OutcomeProbed {
		t.Errorf("Coalesce during the outage: %q %v", v, o)
	}
	if _, ok := c.Reports().Get(ctx, "ref"); !ok {
		t.Error("verdict put during the outage not found locally")
	}
	budget := c.Budget(cluster.BudgetConfig{Integration: "iris", Rate: 1000, Burst: 5})
	if err := budget.Wait(ctx); err != nil {
		t.Errorf("budget Wait during the outage: %v", err)
	}
	id, err := c.Queue().Enqueue(ctx, "event:during", []byte("p"))
	if err != nil || !strings.HasPrefix(id, "local-") {
		t.Errorf("Enqueue during the outage = %q, %v; want a local item", id, err)
	}
	it := readAll(t, ctx, c.Queue(), 1)[0]
	if turn, _ := c.Queue().Begin(ctx, it); turn != cluster.TurnMine {
		t.Errorf("Begin of the local item: %v", turn)
	}
	c.Queue().Ack(ctx, it)
	if !errors.Is(c.Err(), cluster.ErrUnavailable) {
		t.Errorf("Err during the outage = %v, want ErrUnavailable", c.Err())
	}
	for _, op := range []string{"dedupe.seen", "verdict.get", "budget.wait", "queue.enqueue"} {
		if _, ok := degradedOps.Load(op); !ok {
			t.Errorf("OnDegraded not called for %s", op)
		}
	}

	s.Start()
	select {
	case <-recovered:
	case <-ctx.Done():
		t.Fatal("no recovery after Redis came back")
	}
	// Restarted without persistence: the replica says Redis lost its data
	// (the sequence it reads at its next heartbeat starts again).
	if !errors.Is(c.Err(), cluster.ErrDataLost) || errors.Is(c.Err(), cluster.ErrUnavailable) {
		t.Errorf("Err after recovery = %v, want ErrDataLost only", c.Err())
	}
	// The key first seen during the outage was written to Redis: another
	// replica knows it.
	other := newCluster(t, cluster.Options{URL: s.URL(0), Consumer: "b"})
	if first, _ := other.Dedupe().Seen(ctx, "event:during"); first {
		t.Error("a key seen during the outage is unknown to the other replica after recovery")
	}
	// The ack made during the outage reached Redis (a restart without
	// persistence lost the rest): the work counts as answered everywhere.
	for _, key := range []string{"event:inflight", "event:during"} {
		if n := rawClient(t, s).Exists(ctx, "notion-check:answered:"+key).Val(); n != 1 {
			t.Errorf("answered marker of %s, acked during the outage: %d keys in Redis", key, n)
		}
	}
	// New work goes to Redis again, though the restart lost the group.
	id, err = c.Queue().Enqueue(ctx, "event:after", []byte("p"))
	if err != nil || strings.HasPrefix(id, "local-") {
		t.Errorf("Enqueue after recovery = %q, %v; want a stream entry", id, err)
	}
	got := readAll(t, ctx, other.Queue(), 1)[0]
	if got.Key != "event:after" {
		t.Errorf("other replica read %q", got.Key)
	}
	if n := rawClient(t, s).Exists(ctx, "notion-check:dedupe:event:during").Val(); n != 1 {
		t.Errorf("dedupe key in Redis after recovery: %d", n)
	}
}

// A Redis that is not there at start: New succeeds, degraded, and the bot
// works on local state.
func TestStartWithoutRedis(t *testing.T) {
	ctx := testCtx(t)
	var degraded atomic.Int32
	c := newCluster(t, cluster.Options{URL: fmt.Sprintf("redis://127.0.0.1:%d", freePort(t)),
		OnDegraded: func(string, error) { degraded.Add(1) }})
	if !c.Shared() || !errors.Is(c.Err(), cluster.ErrUnavailable) {
		t.Fatalf("Shared %v, Err %v; want shared and unavailable", c.Shared(), c.Err())
	}
	if first, err := c.Dedupe().Seen(ctx, "event:x"); !first || err != nil {
		t.Errorf("Seen = %v, %v", first, err)
	}
	if first, _ := c.Dedupe().Seen(ctx, "event:x"); first {
		t.Error("second Seen is first")
	}
	if _, err := c.Queue().Enqueue(ctx, "k", nil); err != nil {
		t.Errorf("Enqueue: %v", err)
	}
	if degraded.Load() == 0 {
		t.Error("OnDegraded never called")
	}
}

func readAll(t *testing.T, ctx context.Context, q cluster.WorkQueue, n int) []*cluster.Item {
	t.Helper()
	var out []*cluster.Item
	waitFor(t, func() bool {
		items, err := q.Read(ctx, n-len(out), 50*time.Millisecond)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		out = append(out, items...)
		return len(out) >= n
	})
	return out
}

// waitFor polls cond until it holds; the bound is only against a hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached (hang)")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Two replicas paced by one shared budget against a fake Notion limited to
// 3 requests per second (burst 4, see below): no 429. The control, each replica on
// its own local budget at the same rate, draws 429s: the test can fail.
func TestBudgetTwoReplicasNo429(t *testing.T) {
	if testing.Short() {
		t.Skip("paces real requests for a few seconds")
	}
	tests := []struct {
		name     string
		shared   bool
		want429s bool
	}{
		{"shared budget", true, false},
		{"control: a budget per replica", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t)
			// Notion's burst is one more than the budget's: the budget
			// paces when a request leaves, the fake counts when it
			// arrives, and on a loaded machine two requests paced apart
			// can arrive together. One token of slack absorbs that
			// jitter; the control still overruns it at once (six
			// requests in its first instant).
			notion := rate.NewLimiter(3, 4)
			var ok, limited atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !notion.Allow() {
					limited.Add(1)
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				ok.Add(1)
			}))
			defer srv.Close()
			var r [2]*cluster.Cluster
			if tt.shared {
				s := startRedis(t)
				r = [2]*cluster.Cluster{newCluster(t, cluster.Options{URL: s.URL(0)}), newCluster(t, cluster.Options{URL: s.URL(0)})}
			} else {
				r = [2]*cluster.Cluster{newCluster(t, cluster.Options{}), newCluster(t, cluster.Options{})}
			}
			// The adapter's margin: 90% of Notion's rate.
			cfg := cluster.BudgetConfig{Integration: "iris", Rate: 3 * 0.9, Burst: 3}
			var wg sync.WaitGroup
			for i := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b := r[i%2].Budget(cfg)
					for range 2 {
						if err := b.Wait(ctx); err != nil {
							t.Errorf("Wait: %v", err)
							return
						}
						resp, err := http.Get(srv.URL)
						if err != nil {
							t.Errorf("GET: %v", err)
							return
						}
						resp.Body.Close()
					}
				}()
			}
			wg.Wait()
			t.Logf("%d answered, %d × 429", ok.Load(), limited.Load())
			if got := limited.Load() > 0; got != tt.want429s {
				t.Errorf("%d × 429 (want some: %v)", limited.Load(), tt.want429s)
			}
		})
	}
}

// A Redis that accepts connections and never answers (a hung server, a
// black hole) counts as down after the round-trip bound: the bot goes on
// with local state.
func TestHungRedisDegrades(t *testing.T) {
	ctx := testCtx(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	c := newCluster(t, cluster.Options{URL: "redis://" + l.Addr().String(), Timeout: 100 * time.Millisecond})
	if !errors.Is(c.Err(), cluster.ErrUnavailable) {
		t.Fatalf("Err = %v, want ErrUnavailable", c.Err())
	}
	if first, err := c.Dedupe().Seen(ctx, "event:hung"); !first || err != nil {
		t.Errorf("Seen = %v, %v", first, err)
	}
	if err := c.Budget(cluster.BudgetConfig{Integration: "iris"}).Wait(ctx); err != nil {
		t.Errorf("budget Wait: %v", err)
	}
}

// finishedMeanwhile is a ReportCache where another replica finishes the
// probe between the caller's Get and its Lease: it puts the value and
// releases its lease just before the caller asks for it.
type finishedMeanwhile struct {
	cluster.ReportCache
	val []byte
}

func (f finishedMeanwhile) Lease(ctx context.Context, key string, ttl time.Duration) (func(), bool) {
	f.ReportCache.Put(ctx, key, f.val, time.Minute)
	return f.ReportCache.Lease(ctx, key, ttl)
}

// TestCoalesceReadsAgainUnderTheLease: a lease won just after another
// replica finished gives that replica's value, not a second probe.
func TestCoalesceReadsAgainUnderTheLease(t *testing.T) {
	c, err := cluster.New(context.Background(), cluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	vc := finishedMeanwhile{ReportCache: c.Reports(), val: []byte("theirs")}
	probes := 0
	v, out := cluster.Coalesce(context.Background(), vc, "k", cluster.CoalesceOptions{}, func(context.Context) ([]byte, time.Duration) {
		probes++
		return []byte("mine"), time.Minute
	})
	if probes != 0 || string(v) != "theirs" || out != cluster.OutcomeCached {
		t.Errorf("probes %d, value %q, outcome %v: want the other replica's value, no probe", probes, v, out)
	}
}
