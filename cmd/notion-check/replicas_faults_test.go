package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/notion-check/notion-check/bot/cluster/redistest"
	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// The replica faults, each injected at the exact step it names:
// the replica holding the turn of a request whose diagnosis is held at a
// gate in front of the fake Notion (so it has begun and not posted) is
// killed, paused or terminated; Redis is restarted empty or filled while
// work is held. Every step waits for an observable state (a request held
// at the gate, the turn's holder in Redis, a log line, a metric), never
// for a duration. REDIS_CLAIM_AFTER=2s keeps the take-overs short.

// claimAfter is REDIS_CLAIM_AFTER of the fault tests.
const claimAfter = "REDIS_CLAIM_AFTER=2s"

// shutdownTimeout is SHUTDOWN_TIMEOUT of the tests that wait out a
// shutdown: 4 s, its first 2.7 s spent waiting for the checks in flight and
// the last 1.3 s (a third) for telling their users or handing them back.
const shutdownTimeout = "SHUTDOWN_TIMEOUT=4s"

// notionGate is a proxy in front of a fake Notion that holds requests
// naming chosen IDs until Release: a diagnosis begun and not finished, on
// whichever replica took it.
type notionGate struct {
	srv *httptest.Server

	mu      sync.Mutex
	next    map[string]bool // hold the next request naming the ID
	all     map[string]bool // hold every request naming the ID
	held    map[string]int  // requests held so far, by ID
	release chan struct{}
}

func newNotionGate(t *testing.T, target string) *notionGate {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &notionGate{next: map[string]bool{}, all: map[string]bool{}, held: map[string]int{}, release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ch := g.hold(r.URL.Path); ch != nil {
			select {
			case <-ch:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { g.Release(); g.srv.Close() })
	return g
}

func (g *notionGate) URL() string { return g.srv.URL }

// hold returns the channel a request for path waits on, nil to pass.
func (g *notionGate) hold(path string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	for id := range g.next {
		if names(path, id) {
			delete(g.next, id)
			g.held[id]++
			return g.release
		}
	}
	for id := range g.all {
		if names(path, id) {
			g.held[id]++
			return g.release
		}
	}
	return nil
}

func names(path, id string) bool {
	return strings.Contains(path, id) || strings.Contains(path, strings.ReplaceAll(id, "-", ""))
}

// HoldNext holds the next request naming id (only that one).
func (g *notionGate) HoldNext(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next[id] = true
}

// HoldAll holds every request naming one of ids until Release.
func (g *notionGate) HoldAll(ids ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range ids {
		g.all[id] = true
	}
}

// Held returns how many IDs had a request held.
func (g *notionGate) Held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.held)
}

// Release lets every held request go and holds nothing more.
func (g *notionGate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.release)
	g.release = make(chan struct{})
	g.next, g.all = map[string]bool{}, map[string]bool{}
}

// gatedID is a reference no other test's fake knows: its diagnosis reads
// Notion (and is held at the gate) and answers "not found".
func gatedID(n int) string { return fmt.Sprintf("0b0b0b0b-0000-4000-8000-%012d", n) }

// faultRig is three (or n) replicas on one Redis behind a Notion gate.
type faultRig struct {
	t     *testing.T
	rds   *redistest.Server
	raw   *redis.Client
	slack *slackfake.Server
	gate  *notionGate
	rs    []*replica
}

func newFaultRig(t *testing.T, n int, persist bool, extra ...string) *faultRig {
	if testing.Short() {
		t.Skip("starts redis-server and serve processes")
	}
	rds := redistest.Start(t, redistest.Options{AppendOnly: persist})
	raw := redis.NewClient(&redis.Options{Addr: rds.Addr()})
	t.Cleanup(func() { raw.Close() })
	slack := slackfake.New(slackfake.WithSpread())
	t.Cleanup(slack.Close) // after the replicas stopped
	fake := notiontest.NewServer(t)
	gate := newNotionGate(t, fake.URL)
	rs := startReplicas(t, n, slack, gate.URL(), rds.URL(0), append([]string{"DIAGNOSIS_TIMEOUT=10s", claimAfter}, extra...)...)
	return &faultRig{t: t, rds: rds, raw: raw, slack: slack, gate: gate, rs: rs}
}

// push sends one slash command for id; its response_url is named name.
func (f *faultRig) push(name, id string) {
	f.t.Helper()
	env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "env-" + name, Text: linkOf(id), ResponseURL: f.slack.ResponseURL(name)})
	if _, err := f.slack.PushConn(env); err != nil {
		f.t.Fatal(err)
	}
}

// holder waits until the turn of the command named name is held and
// returns the replica holding it (its consumer name carries its PID).
func (f *faultRig) holder(name string) *replica {
	f.t.Helper()
	key := "notion-check:turn:cmd:" + slackfake.TeamID + "/trig-env-" + name
	var who *replica
	waitLong(f.t, "the turn of "+name, func() bool {
		v, err := f.raw.Get(context.Background(), key).Result()
		if err != nil {
			return false
		}
		for _, r := range f.rs {
			if strings.Contains(v, "-"+strconv.Itoa(r.cmd.Process.Pid)+"-") {
				who = r
				return true
			}
		}
		return false
	})
	return who
}

// posts returns the response_url posts named name.
func (f *faultRig) posts(name string) []slackfake.ResponsePost {
	var out []slackfake.ResponsePost
	for _, p := range f.slack.ResponsePosts() {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// others returns the replicas but r.
func (f *faultRig) others(r *replica) []*replica {
	var out []*replica
	for _, o := range f.rs {
		if o != r {
			out = append(out, o)
		}
	}
	return out
}

// TestReplicaKilledMidBurst: SIGKILL of the replica answering a request
// (begun, diagnosis in flight, nothing posted) between two bursts; every
// acknowledged command gets exactly one report, that one included, once
// its turn and the report lease the dead replica held run out
// (REDIS_CLAIM_AFTER after its last heartbeat).
func TestReplicaKilledMidBurst(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 3, true)
	f.gate.HoldNext(gatedID(1))
	f.push("kill-held", gatedID(1))
	const n = 30
	for i := range n {
		f.push(fmt.Sprintf("kill-%d", i), burstIDs[i%len(burstIDs)])
	}
	waitAcked(t, f.slack, "env-kill-", n+1)
	waitLong(t, "the held diagnosis", func() bool { return f.gate.Held() == 1 })
	victim := f.holder("kill-held")
	// The kill lands when the held request is the only work in flight:
	// not between another reply accepted by Slack and its removal from the
	// queue, the one window where a reply may be sent twice (README).
	waitLong(t, "the rest of the burst answered", func() bool { return len(answeredOnce(f.slack, "kill-")) == n })
	waitLong(t, "only the held request pending", func() bool {
		return metric(f.rs, "notion_check_queue_items", `state="pending"`) == float64(len(f.rs))
	})
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	killed := time.Now()
	survivors := f.others(victim)
	for i := n; i < n+10; i++ { // more work after the kill: to the survivors' connections
		env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: fmt.Sprintf("env-kill-%d", i),
			Text: linkOf(burstIDs[i%len(burstIDs)]), ResponseURL: f.slack.ResponseURL(fmt.Sprintf("kill-%d", i))})
		_, _ = f.slack.PushConn(env) // a push to the dead replica's socket fails: not acknowledged
	}
	waitLong(t, "the held request answered", func() bool { return len(f.posts("kill-held")) > 0 })
	t.Logf("the dead replica's request answered %v after the kill (REDIS_CLAIM_AFTER=2s)", time.Since(killed).Round(100*time.Millisecond))
	acked := map[string]bool{}
	for _, a := range f.slack.Acks() {
		if strings.HasPrefix(a.EnvelopeID, "env-kill-") {
			acked[strings.TrimPrefix(a.EnvelopeID, "env-")] = true
		}
	}
	waitLong(t, "a report for every acknowledged command", func() bool {
		got := answeredOnce(f.slack, "kill-")
		for name := range acked {
			if !got[name] {
				return false
			}
		}
		return true
	})
	waitLong(t, "an empty queue", func() bool { return queueEmpty(survivors) })
	if dup := answeredTwice(f.slack, "kill-"); len(dup) > 0 {
		t.Errorf("answered more than once: %v", dup)
	}
	if claims := metric(survivors, "notion_check_queue_claims_total", ""); claims == 0 {
		t.Error("no work claimed from the killed replica")
	}
}

// TestReplicaPausedDoesNotPost: the replica answering a request is
// stopped (SIGSTOP) past its turn; another replica answers; the paused one,
// continued, finishes its diagnosis and posts nothing (it checks its turn
// right before posting).
func TestReplicaPausedDoesNotPost(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 2, true)
	f.gate.HoldNext(gatedID(2))
	f.push("pause-held", gatedID(2))
	waitLong(t, "the held diagnosis", func() bool { return f.gate.Held() == 1 })
	paused := f.holder("pause-held")
	if err := paused.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	continued := false
	defer func() {
		if !continued {
			_ = paused.cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	waitLong(t, "the other replica's answer", func() bool { return len(f.posts("pause-held")) == 1 })
	f.gate.Release() // the paused replica's diagnosis can finish
	if err := paused.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	continued = true
	const refusal = "not posting: this replica no longer holds the turn"
	waitLong(t, "the paused replica to refuse to post (or to post)", func() bool {
		return strings.Contains(paused.log.String(), refusal) || len(f.posts("pause-held")) > 1
	})
	waitLong(t, "an empty queue", func() bool { return queueEmpty(f.rs) })
	if n := len(f.posts("pause-held")); n != 1 {
		t.Errorf("%d answers to one request, want 1", n)
	}
	if !strings.Contains(paused.log.String(), refusal) {
		t.Error("the paused replica did not say it refused to post")
	}
}

// TestReplicaTerminatedHandsWorkBack: SIGTERM of the replica answering a
// request it cannot finish in its shutdown: with another replica alive it
// hands the request back (that one answers the report, not "stopped") and
// exits 0; the last replica, terminated the same way, answers "stopped —
// run it again".
func TestReplicaTerminatedHandsWorkBack(t *testing.T) {
	t.Parallel()
	// A short shutdown: its first part (two thirds) is what each SIGTERM
	// waits before it gives up on the held diagnosis.
	f := newFaultRig(t, 2, true, shutdownTimeout)
	f.gate.HoldNext(gatedID(3))
	f.push("term-held", gatedID(3))
	waitLong(t, "the held diagnosis", func() bool { return f.gate.Held() == 1 })
	first := f.holder("term-held")
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the answer", func() bool { return len(f.posts("term-held")) > 0 })
	<-first.done
	if p := f.posts("term-held"); len(p) != 1 || strings.Contains(p[0].Text, "run it again") {
		t.Errorf("with a replica alive, %d answer(s), the first %q; want one report, not \"stopped\"", len(p), p[0].Text)
	}
	if first.err != nil {
		t.Errorf("the replica that handed its work back exited with %v, want 0", first.err)
	}
	if !strings.Contains(first.log.String(), "handed back to the other replicas") {
		t.Error("no hand-back in the terminated replica's log")
	}

	last := f.others(first)[0]
	f.gate.HoldNext(gatedID(4))
	f.push("term-last", gatedID(4))
	waitLong(t, "the held diagnosis", func() bool { return f.gate.Held() == 2 })
	if err := last.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the answer", func() bool { return len(f.posts("term-last")) > 0 })
	<-last.done
	if p := f.posts("term-last"); len(p) != 1 || !strings.Contains(p[0].Text, "run it again") {
		t.Errorf("the last replica: %d answer(s), the first %q; want one \"stopped — run it again\"", len(p), p[0].Text)
	}
}

// TestRedisLostDataIsReported: Redis restarted without persistence while
// a replica answers a request (held at the gate). The replicas say so in
// the log, /readyz and a metric; the held request is put back and
// answered once; new work is answered.
func TestRedisLostDataIsReported(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 2, false)
	f.gate.HoldNext(gatedID(5))
	f.push("lost-held", gatedID(5))
	waitLong(t, "the held diagnosis", func() bool { return f.gate.Held() == 1 })
	h := f.holder("lost-held")
	f.rds.Kill()
	f.rds.Start() // empty: no persistence
	waitLong(t, "the data loss counted", func() bool {
		return metric([]*replica{h}, "notion_check_redis_data_lost_total", "") >= 1
	})
	code, body := get(h.base + "/readyz")
	if !strings.Contains(body, "lost its data") {
		t.Errorf("/readyz = %d %q, want it to say Redis lost its data", code, body)
	}
	if !strings.Contains(h.log.String(), "redis lost its data") {
		t.Error("no data loss in the log")
	}
	if n := metric([]*replica{h}, "notion_check_redis_data_lost_items_total", `outcome="requeued"`); n != 1 {
		t.Errorf("requeued items = %v, want 1 (the held request)", n)
	}
	f.gate.Release()
	f.push("lost-after", burstIDs[0])
	waitLong(t, "both answered", func() bool { return len(f.posts("lost-held")) > 0 && len(f.posts("lost-after")) > 0 })
	waitLong(t, "an empty queue", func() bool { return queueEmpty(f.rs) })
	if dup := answeredTwice(f.slack, "lost-"); len(dup) > 0 {
		t.Errorf("answered more than once: %v", dup)
	}
}

// TestRedisFullIsReported: Redis reaches maxmemory (noeviction) while
// every queued command was taken (a turn held by a replica: its diagnosis
// held at the gate, or waiting for one of those). A new command is refused
// (busy), /readyz and a metric say Redis is full, not down; the queued
// work is still answered, each once. (Reading work still in the stream
// from a full Redis is proved in bot/cluster,
// TestRedisFullStillAnswersQueuedWork.)
func TestRedisFullIsReported(t *testing.T) {
	t.Parallel()
	f := newFaultRig(t, 2, true)
	const workers = 2 * 8 // two replicas, MaxConcurrent 8
	const n = workers + 4
	var ids []string
	for i := range n {
		ids = append(ids, gatedID(100+i))
	}
	f.gate.HoldAll(ids...)
	for i, id := range ids {
		f.push(fmt.Sprintf("full-%d", i), id)
	}
	waitAcked(t, f.slack, "env-full-", n)
	ctx := context.Background()
	// Every command was taken: the replicas hold its turn, whether its
	// diagnosis runs (held at the gate) or waits for Notion's pace or a
	// slot behind those.
	waitLong(t, "every command taken", func() bool {
		turns, _ := f.raw.Keys(ctx, "notion-check:turn:*").Result()
		return len(turns) == n && f.gate.Held() > 0
	})
	f.raw.ConfigSet(ctx, "maxmemory-policy", "noeviction")
	f.raw.ConfigSet(ctx, "maxmemory", "1")
	f.push("full-refused", burstIDs[0])
	ack := waitAck(t, f.slack, "env-full-refused")
	if !strings.Contains(string(ack.Payload), "busy") {
		t.Errorf("a command while Redis is full acknowledged with %s, want the busy answer", ack.Payload)
	}
	refuser := f.rs[ack.Conn-1] // connections are numbered in start order
	code, body := get(refuser.base + "/readyz")
	if !strings.Contains(body, "redis: full") {
		t.Errorf("/readyz = %d %q, want it to say Redis is full", code, body)
	}
	if metric(f.rs, "notion_check_redis_full_total", "") == 0 {
		t.Error("notion_check_redis_full_total not counted")
	}
	if up := metric(f.rs, "notion_check_redis_up", ""); up != float64(len(f.rs)) {
		t.Errorf("notion_check_redis_up = %v: a full Redis answers, it is up", up)
	}
	f.gate.Release()
	waitLong(t, "every queued command answered", func() bool { return len(answeredOnce(f.slack, "full-")) >= n })
	waitLong(t, "an empty queue", func() bool { return queueEmpty(f.rs) })
	if dup := answeredTwice(f.slack, "full-"); len(dup) > 0 {
		t.Errorf("answered more than once: %v", dup)
	}
	if len(f.posts("full-refused")) != 0 {
		t.Error("the refused command was answered later")
	}
	f.raw.ConfigSet(ctx, "maxmemory", "0")
	waitLong(t, "/readyz without Redis full", func() bool {
		_, body := get(refuser.base + "/readyz")
		return !strings.Contains(body, "redis: full")
	})
}

// waitAck waits for the ack of one envelope.
func waitAck(t *testing.T, slack *slackfake.Server, env string) slackfake.Ack {
	t.Helper()
	var got slackfake.Ack
	waitLong(t, "the ack of "+env, func() bool {
		for _, a := range slack.Acks() {
			if a.EnvelopeID == env {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// TestMeasureTakeover is the committed measuring command of the README's
// replicas section (REPLICA_MEASURE=1 go test ./cmd/notion-check -run
// TestMeasureTakeover -v): three replicas with the shipped defaults
// (REDIS_CLAIM_AFTER, DIAGNOSIS_TIMEOUT unset), Slack taking 200 ms per
// reply, 60 commands over 10 links plus one whose diagnosis is held; the
// replica answering that one is killed. It logs how long after the kill
// its request and all acknowledged ones were answered, and the
// duplicates. A figure, not an assertion: skipped unless asked for.
func TestMeasureTakeover(t *testing.T) {
	if os.Getenv("REPLICA_MEASURE") == "" {
		t.Skip("a measurement: REPLICA_MEASURE=1 to run it")
	}
	rds := redistest.Start(t, redistest.Options{AppendOnly: true})
	raw := redis.NewClient(&redis.Options{Addr: rds.Addr()})
	defer raw.Close()
	slack := slackfake.New(slackfake.WithSpread())
	t.Cleanup(slack.Close)
	fake := notiontest.NewServer(t)
	gate := newNotionGate(t, fake.URL)
	rs := startReplicas(t, 3, slack, gate.URL(), rds.URL(0))
	f := &faultRig{t: t, rds: rds, raw: raw, slack: slack, gate: gate, rs: rs}
	slack.Fail(slackfake.ResponseTarget, slackfake.Fault{Delay: 200 * time.Millisecond, Times: 100000})
	gate.HoldNext(gatedID(9))
	f.push("m-held", gatedID(9))
	const n = 60
	for i := range n {
		f.push(fmt.Sprintf("m-%d", i), burstIDs[i%len(burstIDs)])
	}
	waitLong(t, "the held diagnosis", func() bool { return gate.Held() == 1 })
	victim := f.holder("m-held")
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	killed := time.Now()
	gate.Release()
	var heldAfter time.Duration
	deadline := time.Now().Add(5 * time.Minute)
	for {
		acked := map[string]bool{}
		for _, a := range slack.Acks() {
			if strings.HasPrefix(a.EnvelopeID, "env-m-") {
				acked[strings.TrimPrefix(a.EnvelopeID, "env-")] = true
			}
		}
		got := answeredOnce(slack, "m-")
		if heldAfter == 0 && got["m-held"] {
			heldAfter = time.Since(killed)
		}
		missing := 0
		for name := range acked {
			if !got[name] {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			t.Logf("SIGKILL of the replica answering a request, shipped defaults: that request answered %v after the kill; every acknowledged one (%d) answered %v after it; %d unanswered; %d answered twice",
				heldAfter.Round(100*time.Millisecond), len(acked), time.Since(killed).Round(100*time.Millisecond), missing, len(answeredTwice(slack, "m-")))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
