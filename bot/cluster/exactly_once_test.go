package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/redis/go-redis/v9"
)

// Each replica fault is injected at the exact step it names (a key
// deleted as a lease running out would, a FLUSHALL as an unpersisted
// restart, maxmemory lowered under the replicas), not raced for. The
// monitor's own heartbeat is kept out of the way (RetryInterval of an
// hour) where the test drives the heartbeats itself (Others beats).

// quiet are Options whose background heartbeat never runs during a test.
func quiet(url, consumer string) cluster.Options {
	// Timeout: the steps are driven one by one; a starved run's slow dial
	// must not read as Redis down (see backends).
	return cluster.Options{URL: url, Consumer: consumer, RetryInterval: time.Hour, Timeout: 5 * time.Second,
		Queue: cluster.QueueOptions{TurnLease: time.Hour}}
}

// Marking a delivery seen and queueing its work are one step: a message
// and its app_mention (two event_ids, one message) are admitted once, a
// retry of either is a duplicate, and an admission whose XADD fails
// leaves no seen mark in Redis (so Slack's retry is taken in anew).
func TestAdmitMarksAndQueuesInOneStep(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := be.make(t, cluster.Options{})
			msg := cluster.MessageKey("C1", "1700000000.000100")
			id, dup, err := r[0].Admit(ctx, []string{cluster.EventKey("Ev1"), msg}, msg, []byte("message"))
			if err != nil || dup != "" || id == "" {
				t.Fatalf("first Admit = %q, %q, %v", id, dup, err)
			}
			for _, tc := range []struct {
				seen    []string
				wantDup string
			}{
				{[]string{cluster.EventKey("Ev2"), msg}, msg},                     // the app_mention of the same message
				{[]string{cluster.EventKey("Ev1"), msg}, cluster.EventKey("Ev1")}, // Slack's retry of the first event
			} {
				if id, dup, err := r[1].Admit(ctx, tc.seen, msg, []byte("again")); err != nil || dup != tc.wantDup || id != "" {
					t.Errorf("Admit(%v) = %q, %q, %v; want a duplicate of %s", tc.seen, id, dup, err, tc.wantDup)
				}
			}
			if d, _ := r[0].Queue().Depth(ctx); d.Waiting != 1 {
				t.Errorf("queue after three deliveries of one message: %+v, want one item", d)
			}
		})
	}

	t.Run("the XADD fails: no seen mark", func(t *testing.T) {
		s := startRedis(t)
		ctx := testCtx(t)
		raw := rawClient(t, s)
		c := newCluster(t, quiet(s.URL(0), "a"))
		if _, _, err := c.Admit(ctx, []string{"cmd:T1/first"}, "cmd:T1/first", []byte("p")); err != nil {
			t.Fatal(err) // the group exists from here on
		}
		// The stream's key holds a string: the script's XADD fails with
		// WRONGTYPE, its first write.
		raw.Del(ctx, "notion-check:work")
		raw.Set(ctx, "notion-check:work", "not a stream", 0)
		if _, _, err := c.Admit(ctx, []string{cluster.CommandKey("T1", "trig", "env")}, "cmd:T1/trig", []byte("p")); err != nil {
			t.Logf("Admit: %v", err)
		}
		if n := raw.Exists(ctx, "notion-check:dedupe:cmd:T1/trig").Val(); n != 0 {
			t.Errorf("a seen mark without its work in Redis: %d key(s)", n)
		}
	})
}

// A full Redis (maxmemory reached, noeviction) is reported as full, not
// down; new work is refused with nothing recorded; the work already queued
// is still read, begun, renewed and answered (no local fallback, no
// second answer); once Redis has room again the report clears.
func TestRedisFullStillAnswersQueuedWork(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	raw := rawClient(t, s)
	var fullOps []string
	opts := quiet(s.URL(0), "a")
	opts.OnFull = func(op string) { fullOps = append(fullOps, op) }
	c := newCluster(t, opts)
	q := c.Queue()
	for _, k := range []string{"cmd:T1/a", "cmd:T1/b"} {
		if _, dup, err := c.Admit(ctx, []string{k}, k, []byte(k)); err != nil || dup != "" {
			t.Fatalf("Admit %s: %q %v", k, dup, err)
		}
	}
	raw.ConfigSet(ctx, "maxmemory-policy", "noeviction")
	raw.ConfigSet(ctx, "maxmemory", "1")
	t.Cleanup(func() { raw.ConfigSet(context.Background(), "maxmemory", "0") })

	_, _, err := c.Admit(ctx, []string{"cmd:T1/c"}, "cmd:T1/c", []byte("c"))
	if !errors.Is(err, cluster.ErrOutOfMemory) {
		t.Fatalf("Admit into a full Redis = %v, want ErrOutOfMemory", err)
	}
	if n := raw.Exists(ctx, "notion-check:dedupe:cmd:T1/c").Val(); n != 0 {
		t.Error("a refused admission left a seen mark")
	}
	if d, _ := q.Depth(ctx); d.Waiting != 2 {
		t.Errorf("a refused admission was queued (locally?): %+v", d)
	}
	if !errors.Is(c.Err(), cluster.ErrOutOfMemory) || errors.Is(c.Err(), cluster.ErrUnavailable) {
		t.Errorf("Err = %v, want full, not unavailable", c.Err())
	}
	if len(fullOps) == 0 {
		t.Error("OnFull not called")
	}
	items, err := q.Read(ctx, 2, 10*time.Millisecond)
	if err != nil || len(items) != 2 {
		t.Fatalf("Read from a full Redis = %d items, %v; want the 2 queued", len(items), err)
	}
	for _, it := range items {
		if strings.HasPrefix(it.ID, "local-") {
			t.Errorf("item %s from local state", it.ID)
		}
		if turn, err := q.Begin(ctx, it); turn != cluster.TurnMine || err != nil {
			t.Fatalf("Begin in a full Redis = %v, %v", turn, err)
		}
		if held, err := q.Renew(ctx, it); !held || err != nil {
			t.Errorf("Renew in a full Redis = %v, %v", held, err)
		}
		if err := q.Ack(ctx, it); err != nil {
			t.Fatal(err)
		}
		// A second claim of the answered item (another replica's
		// XAUTOCLAIM) must find it answered, not take a local turn.
		if turn, _ := q.Begin(ctx, it); turn != cluster.TurnAnswered {
			t.Errorf("Begin after the Ack in a full Redis = %v, want answered", turn)
		}
	}
	if n := raw.Exists(ctx, "notion-check:answered:cmd:T1/a").Val(); n != 1 {
		t.Error("the answer was not recorded in the full Redis")
	}

	raw.ConfigSet(ctx, "maxmemory", "0")
	if _, err := c.Others(ctx); err != nil { // a heartbeat: probes for room
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Errorf("Err once Redis has room = %v", c.Err())
	}
	if _, dup, err := c.Admit(ctx, []string{"cmd:T1/c"}, "cmd:T1/c", []byte("c")); err != nil || dup != "" {
		t.Errorf("Admit once Redis has room = %q, %v (the refused one is new)", dup, err)
	}
}

// A turn lives while its holder renews it. A holder paused past its lease
// (its turn deleted here, as the lease running out does) loses it: another
// replica claims the entry and takes the turn, and the paused one's Renew
// — its heartbeat and its fencing check before a post — says it lost it.
// A live holder's heartbeat takes its entry back from a replica that
// claimed it meanwhile.
func TestTurnHeartbeatAndFencing(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	raw := rawClient(t, s)
	a, b := newCluster(t, quiet(s.URL(0), "a")), newCluster(t, quiet(s.URL(0), "b"))
	for _, k := range []string{"cmd:T1/live", "cmd:T1/paused"} {
		if _, _, err := a.Admit(ctx, []string{k}, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	items := readAll(t, ctx, a.Queue(), 2)
	for _, it := range items {
		if turn, _ := a.Queue().Begin(ctx, it); turn != cluster.TurnMine {
			t.Fatalf("a Begin: %v", turn)
		}
	}
	live, paused := items[0], items[1]
	if live.Key != "cmd:T1/live" {
		live, paused = paused, live
	}

	// b claims both entries (as after a long stall of a's heartbeats).
	claimed, err := b.Queue().Claim(ctx, 0, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("b Claim = %d, %v", len(claimed), err)
	}
	for _, it := range claimed {
		if turn, _ := b.Queue().Begin(ctx, it); turn != cluster.TurnBusy {
			t.Errorf("b Begin of %s while a holds its turn = %v, want busy", it.Key, turn)
		}
	}
	// a's heartbeat: the live turn is renewed and its entry comes back to a.
	if held, err := a.Queue().Renew(ctx, live); !held || err != nil {
		t.Fatalf("a Renew = %v, %v", held, err)
	}
	pend, _ := raw.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "notion-check:work", Group: "workers", Start: "-", End: "+", Count: 10}).Result()
	for _, p := range pend {
		if p.ID == live.ID && p.Consumer != "a" {
			t.Errorf("entry of a renewed turn pending at %s, want a", p.Consumer)
		}
	}

	// a is paused past its lease: the turn runs out (deleted here). Had
	// no replica taken it since, a's heartbeat takes it again.
	raw.Del(ctx, "notion-check:turn:cmd:T1/paused")
	if held, err := a.Queue().Renew(ctx, paused); !held || err != nil {
		t.Errorf("a Renew of a turn that ran out and nobody took = %v, %v; want held", held, err)
	}
	raw.Del(ctx, "notion-check:turn:cmd:T1/paused")
	var bTurn *cluster.Item
	for _, it := range claimed {
		if it.Key == paused.Key {
			bTurn = it
		}
	}
	if turn, _ := b.Queue().Begin(ctx, bTurn); turn != cluster.TurnMine {
		t.Fatalf("b Begin after a's lease ran out = %v, want mine", turn)
	}
	// a resumes: its heartbeat and its check before posting say lost.
	if held, err := a.Queue().Renew(ctx, paused); held || !errors.Is(err, cluster.ErrLostTurn) {
		t.Errorf("a Renew after losing its turn = %v, %v; want lost", held, err)
	}
	if err := b.Queue().Ack(ctx, bTurn); err != nil {
		t.Fatal(err)
	}
	if held, _ := a.Queue().Renew(ctx, paused); held {
		t.Error("a holds the turn of an item b answered")
	}
	if held, _ := b.Queue().Renew(ctx, bTurn); held {
		t.Error("a turn is held after its Ack")
	}
}

// A terminating replica hands back what it began and what it read without
// beginning: another replica claims both at once (no idle time to wait
// out), and the attempt the hand-back cost is given back. Others counts
// the replicas alive, without one that left.
func TestReleaseHandsWorkBack(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	a, b := newCluster(t, quiet(s.URL(0), "a")), newCluster(t, quiet(s.URL(0), "b"))
	if n, err := a.Others(ctx); n != 1 || err != nil {
		t.Fatalf("a.Others = %d, %v; want 1 (b)", n, err)
	}
	for _, k := range []string{"cmd:T1/begun", "cmd:T1/read"} {
		if _, _, err := a.Admit(ctx, []string{k}, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	items := readAll(t, ctx, a.Queue(), 2)
	begun := items[0]
	if turn, _ := a.Queue().Begin(ctx, begun); turn != cluster.TurnMine {
		t.Fatal("a Begin")
	}
	// a terminates: it leaves, then hands both back.
	a.Leave(ctx)
	if n, _ := b.Others(ctx); n != 0 {
		t.Errorf("b.Others after a left = %d, want 0", n)
	}
	if err := a.Queue().Release(ctx, begun); err != nil {
		t.Fatal(err)
	}
	if err := a.Queue().ReleaseUnbegun(ctx); err != nil {
		t.Fatal(err)
	}
	// An hour of minIdle: only entries handed back are that idle.
	claimed, err := b.Queue().Claim(ctx, time.Hour, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("b Claim after the hand-back = %d items, %v; want 2 at once", len(claimed), err)
	}
	for _, it := range claimed {
		if turn, _ := b.Queue().Begin(ctx, it); turn != cluster.TurnMine {
			t.Errorf("b Begin of %s = %v", it.Key, turn)
		}
		if it.Attempt != 1 {
			t.Errorf("%s: attempt %d after a hand-back, want 1", it.Key, it.Attempt)
		}
	}
	if held, _ := a.Queue().Renew(ctx, begun); held {
		t.Error("a still holds the turn it handed back")
	}
}

// Redis loses its data while one replica is slow to beat: the others beat
// past the sequence it read last before it beats again. Each replica
// still finds the loss on its next heartbeat (the data's epoch changed),
// not only the one that beat first after it.
func TestDataLossSeenByEveryReplica(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	raw := rawClient(t, s)
	slow := newCluster(t, quiet(s.URL(0), "slow"))
	busy := newCluster(t, quiet(s.URL(0), "busy"))
	for _, c := range []*cluster.Cluster{slow, busy} {
		if _, err := c.Others(ctx); err != nil { // a heartbeat before the loss
			t.Fatal(err)
		}
	}
	if err := raw.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	// busy beats five times before slow beats again: the sequence passes
	// the one slow read last (a few beats in a young cluster).
	for range 5 {
		if _, err := busy.Others(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := slow.Others(ctx); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*cluster.Cluster{"slow": slow, "busy": busy} {
		if !errors.Is(c.Err(), cluster.ErrDataLost) {
			t.Errorf("%s: Err = %v, want ErrDataLost", name, c.Err())
		}
	}
}

// Redis loses its data (an unpersisted restart: FLUSHALL at this step):
// the next heartbeat finds out, says how much was lost, puts back the item
// this replica was answering (its turn and a new entry) and counts the
// queued item nobody had taken as lost.
func TestDataLossDetectedAndHeldWorkRequeued(t *testing.T) {
	s := startRedis(t)
	ctx := testCtx(t)
	raw := rawClient(t, s)
	var requeued, lost = -1, -1
	opts := quiet(s.URL(0), "a")
	opts.OnDataLost = func(r, l int) { requeued, lost = r, l }
	a := newCluster(t, opts)
	b := newCluster(t, quiet(s.URL(0), "b"))
	for _, k := range []string{"cmd:T1/held", "cmd:T1/waiting"} {
		if _, _, err := a.Admit(ctx, []string{k}, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	held := readAll(t, ctx, a.Queue(), 1)[0]
	if turn, _ := a.Queue().Begin(ctx, held); turn != cluster.TurnMine {
		t.Fatal("a Begin")
	}
	if _, err := a.Others(ctx); err != nil { // a heartbeat before the loss
		t.Fatal(err)
	}
	if err := raw.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if a.Err() != nil {
		t.Fatalf("Err before the heartbeat that finds the loss: %v", a.Err())
	}
	if _, err := a.Others(ctx); err != nil { // the heartbeat after it
		t.Fatal(err)
	}
	if !errors.Is(a.Err(), cluster.ErrDataLost) {
		t.Fatalf("Err = %v, want ErrDataLost", a.Err())
	}
	if requeued != 1 || lost != 1 {
		t.Errorf("OnDataLost(requeued %d, lost %d), want 1 and 1", requeued, lost)
	}
	// The held item is queued again under a's turn: b reads it and must
	// leave it; a answers it once.
	again := readAll(t, ctx, b.Queue(), 1)[0]
	if again.Key != held.Key {
		t.Fatalf("b read %q, want the requeued %q", again.Key, held.Key)
	}
	if turn, _ := b.Queue().Begin(ctx, again); turn != cluster.TurnBusy {
		t.Errorf("b Begin of the requeued item = %v, want busy (a answers it)", turn)
	}
	if ok, err := a.Queue().Renew(ctx, held); !ok {
		t.Errorf("a lost the turn it put back: %v", err)
	}
	if err := a.Queue().Ack(ctx, held); err != nil {
		t.Fatal(err)
	}
	if d, _ := b.Queue().Depth(ctx); d.Waiting+d.Pending != 0 {
		t.Errorf("queue after a answered the requeued item: %+v", d)
	}
}
