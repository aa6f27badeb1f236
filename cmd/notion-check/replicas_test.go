package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"
	"github.com/notion-check/notion-check/bot/cluster/redistest"
	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// startRedis starts a redis-server for t with append-only persistence, so
// that a restart keeps the queue (as the README advises for production).
func startRedis(t testing.TB) *redistest.Server {
	return redistest.Start(t, redistest.Options{AppendOnly: true})
}

// replica is one real `notion-check serve` process (the test binary run as
// the program).
type replica struct {
	name string
	base string // http://ADDR of its ops listener
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	err  error
}

// startReplicas starts n serve processes against the fakes and Redis, and
// waits until each has its own Socket Mode connection open. They are
// stopped together when t ends.
func startReplicas(t *testing.T, n int, slack *slackfake.Server, notionURL, redisURL string, extra ...string) []*replica {
	t.Helper()
	var rs []*replica
	t.Cleanup(func() { stopReplicas(t, rs) })
	for i := range n {
		addr := freeAddr(t)
		r := &replica{name: fmt.Sprintf("replica-%d", i+1), base: "http://" + addr, log: &syncBuffer{}, done: make(chan struct{})}
		cmd := exec.Command(os.Args[0], "serve")
		cmd.Env = append(cleanEnviron(), "NOTION_CHECK_BE_MAIN=1",
			"SLACK_BOT_TOKEN="+slackfake.BotToken, "SLACK_APP_TOKEN="+slackfake.AppToken, "SLACK_API_URL="+slack.APIURL(),
			"NOTION_TOKEN="+notiontest.GoodToken, "NOTION_API_URL="+notionURL,
			"ADDR="+addr, "LOG_LEVEL=info", "LOG_FORMAT=json", "REDIS_URL="+redisURL)
		cmd.Env = append(cmd.Env, extra...)
		cmd.Stdout, cmd.Stderr = r.log, r.log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.cmd = cmd
		go func() { r.err = cmd.Wait(); close(r.done) }()
		rs = append(rs, r)
		// One at a time: the fake numbers connections in accept order.
		if err := slack.WaitOpenConnections(len(rs), 30*time.Second); err != nil {
			t.Fatalf("%v\n%s", err, r.log.String())
		}
	}
	return rs
}

// stopReplicas sends SIGTERM to every replica still running at once, and
// waits for each (killing one that does not stop within 20 s: only against
// a hang); with REPLICA_LOGS=1, or when t failed, it logs what each wrote.
func stopReplicas(t *testing.T, rs []*replica) {
	for _, r := range rs {
		_ = r.cmd.Process.Signal(syscall.SIGCONT) // a test that paused one and failed
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	hang := time.Now().Add(20 * time.Second)
	for _, r := range rs {
		select {
		case <-r.done:
		case <-time.After(time.Until(hang)):
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() || os.Getenv("REPLICA_LOGS") != "" {
			t.Logf("%s log:\n%s", r.name, r.log.String())
		}
	}
}

// cleanEnviron is the test's process environment without any variable the
// program reads (every one env declares), for a subprocess.
func cleanEnviron() []string {
	var declared strings.Builder
	if err := envconfig.Usagef("", &env{}, &declared, "{{range .}}{{.Key}}\n{{end}}"); err != nil {
		panic(err)
	}
	read := strings.Fields(declared.String())
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(read, k) && !strings.HasPrefix(k, "NOTION_") && !strings.HasPrefix(k, "SLACK_") && !strings.HasPrefix(k, "REDIS_") {
			out = append(out, kv)
		}
	}
	return out
}

// metric sums every series of name (any labels matching labels, a
// substring such as `kind="event"`) on the replicas still running.
func metric(rs []*replica, name, labels string) float64 {
	var sum float64
	for _, r := range rs {
		select {
		case <-r.done:
			continue
		default:
		}
		code, body := get(r.base + "/metrics")
		if code != 200 {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(body))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, name) || (len(line) > len(name) && line[len(name)] != '{' && line[len(name)] != ' ') {
				continue
			}
			if labels != "" && !strings.Contains(line, labels) {
				continue
			}
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err == nil {
				sum += v
			}
		}
	}
	return sum
}

// links are the ten references of the burst: leaves of the fake world and
// IDs it does not know, so that the probe of one never reads another.
var burstIDs = []string{
	notiontest.RootPageID, notiontest.UnsharedPageID, notiontest.MissingID,
	"0a0a0a0a-0000-4000-8000-000000000001", "0a0a0a0a-0000-4000-8000-000000000002",
	"0a0a0a0a-0000-4000-8000-000000000003", "0a0a0a0a-0000-4000-8000-000000000004",
	"0a0a0a0a-0000-4000-8000-000000000005", "0a0a0a0a-0000-4000-8000-000000000006",
	"0a0a0a0a-0000-4000-8000-000000000007",
}

func linkOf(id string) string {
	return "https://www.notion.so/acme/Page-" + strings.ReplaceAll(id, "-", "")
}

// callsPerObject counts the calls of a fake Notion that name each ID.
func callsPerObject(calls []notiontest.Call, ids []string) map[string]int {
	out := map[string]int{}
	for _, c := range calls {
		if c.Status == 429 {
			continue // refused: the probe's retry is the same probe
		}
		for _, id := range ids {
			if strings.Contains(c.Path, id) || strings.Contains(c.Path, strings.ReplaceAll(id, "-", "")) {
				out[id]++
			}
		}
	}
	return out
}

// repeatedCalls returns, for each ID, the calls of a fake Notion (429s
// excepted: the probe's retry is the same probe) that asked the same
// endpoint about it more than once. A second probe of an object repeats
// its first call (blocks or databases: every plan starts with one of
// them), so none repeated means each object was probed once. How many
// calls one probe makes depends on the budget left (speculative calls go
// only from spare budget), so a count per object would not tell.
func repeatedCalls(calls []notiontest.Call, ids []string) map[string][]string {
	seen := map[string]int{}
	for _, c := range calls {
		if c.Status != 429 {
			seen[c.Path]++
		}
	}
	out := map[string][]string{}
	for p, n := range seen {
		for _, id := range ids {
			if n > 1 && (strings.Contains(p, id) || strings.Contains(p, strings.ReplaceAll(id, "-", ""))) {
				out[id] = append(out[id], fmt.Sprintf("%s ×%d", p, n))
			}
		}
	}
	return out
}

// TestReplicasShareWork runs three real `notion-check serve` processes with
// REDIS_URL set against one fake Slack that spreads envelopes over their
// three connections, one fake Notion limited to 3 requests per second and
// one real redis-server.
//
// Not in parallel: its burst keeps three replicas busy, and a replica
// starved of CPU beside another test's (above all under -race) can miss
// Redis's 500 ms deadline, judge it down and answer from local state.
func TestReplicasShareWork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and three serve processes")
	}
	rds := startRedis(t)
	slack := slackfake.New(slackfake.WithSpread())
	t.Cleanup(slack.Close) // after the replicas stopped
	// Notion's documented average with a burst above it, as the load goal's
	// fake; the replicas run the shipped NOTION_BURST (10).
	fake := notiontest.NewServer(t, notiontest.WithRateLimit(3, 10))
	notion := newNotionSwitch(t, fake.URL)
	rs := startReplicas(t, 3, slack, notion.URL(), rds.URL(0), "DIAGNOSIS_TIMEOUT=30s")

	t.Run("a redelivered event lands on another replica and is answered once", func(t *testing.T) {
		ev := slackfake.Event{Type: "app_mention", Channel: "C0GENERAL1", User: "UHUMAN0001",
			Text: "<@" + slackfake.BotUserID + "> why? " + linkOf(notiontest.SharedPageID), TS: "1700000100.000001"}
		c1, err := slack.PushConn(slackfake.EventsAPIEnvelope("env-ev-1", "EvRedeliver1", 0, ev))
		if err != nil {
			t.Fatal(err)
		}
		c2, err := slack.PushConn(slackfake.EventsAPIEnvelope("env-ev-2", "EvRedeliver1", 1, ev))
		if err != nil {
			t.Fatal(err)
		}
		if c1 == c2 {
			t.Fatalf("both deliveries went to connection %d", c1)
		}
		for _, env := range []string{"env-ev-1", "env-ev-2"} {
			if _, err := slack.WaitAck(env, 30*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		// The dedupe decision is taken before the ack: one of the two was
		// dropped as seen, the other is answered.
		if hits := metric(rs, "notion_check_dedupe_hits_total", `kind="event"`); hits != 1 {
			t.Errorf("event dedupe hits = %v, want 1", hits)
		}
		waitLong(t, "the reply", func() bool { return len(threadPosts(slack, ev.TS)) >= 1 })
		waitLong(t, "an empty queue", func() bool { return queueEmpty(rs) })
		if n := len(threadPosts(slack, ev.TS)); n != 1 {
			t.Errorf("%d replies to one event delivered twice, want 1", n)
		}
	})

	t.Run("a burst of 300 commands over 10 links probes each object once", func(t *testing.T) {
		fake.Reset()
		degradedBefore := metric(rs, "notion_check_redis_degraded_total", "")
		const n = 300
		for i := range n {
			env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: fmt.Sprintf("env-b-%d", i),
				Text: linkOf(burstIDs[i%len(burstIDs)]), ResponseURL: slack.ResponseURL(fmt.Sprintf("burst-%d", i))})
			if err := slack.Push(env); err != nil {
				t.Fatal(err)
			}
		}
		acked := waitAcked(t, slack, "env-b-", n)
		perConn := map[int]int{}
		for _, a := range slack.Acks() {
			if strings.HasPrefix(a.EnvelopeID, "env-b-") {
				perConn[a.Conn]++
			}
		}
		t.Logf("acks per connection: %v", perConn)
		waitLong(t, "a report for every command", func() bool { return len(answeredOnce(slack, "burst-")) >= len(acked) })
		waitLong(t, "an empty queue", func() bool { return queueEmpty(rs) })
		if dup := answeredTwice(slack, "burst-"); len(dup) > 0 {
			t.Errorf("answered more than once: %v", dup)
		}
		got, again := callsPerObject(fake.Calls(), burstIDs), repeatedCalls(fake.Calls(), burstIDs)
		for _, id := range burstIDs {
			if got[id] == 0 || len(again[id]) > 0 {
				t.Errorf("object %s: %d calls to Notion, repeated %v; want it probed once", id, got[id], again[id])
			}
		}
		degraded := metric(rs, "notion_check_redis_degraded_total", "") - degradedBefore
		switch n := fake.Count429(); {
		case n != 0 && degraded > 0:
			// A replica found Redis too slow (a starved machine) and paced
			// alone for a moment, as documented; not the shared budget.
			t.Logf("the fake Notion answered 429 %d times while Redis was judged down (%v operations degraded)", n, degraded)
		case n > 2 || n != 0 && os.Getenv("NOTION_MEASURE") != "":
			// The fake's bucket judges arrival times: a loaded CI's jitter
			// may cost a request or two the shared budget paced right;
			// NOTION_MEASURE=1 asserts the goal, 0.
			t.Errorf("the fake Notion at 3 req/s answered 429 %d times across the replicas, want 0", n)
		}
		t.Logf("Notion calls for 300 commands: %d; 429s: %d; dedupe hits: %v; operations degraded: %v", len(fake.Calls()), fake.Count429(),
			metric(rs, "notion_check_dedupe_hits_total", ""), degraded)
	})

	t.Run("Redis restarted mid-burst: the replicas keep answering", func(t *testing.T) {
		// Notion's limit was the burst's subject, not this one's: while
		// Redis is down each replica paces alone at NOTION_RATE, and the
		// 429s three of them draw from a 3 req/s Notion (and the waits
		// after them) would only slow the test. Same world, no limit.
		notion.To(notiontest.NewServer(t).URL)
		const n = 60
		push := func(from, to int) {
			for i := from; i < to; i++ {
				env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: fmt.Sprintf("env-r-%d", i),
					Text: linkOf(burstIDs[i%len(burstIDs)]), ResponseURL: slack.ResponseURL(fmt.Sprintf("restart-%d", i))})
				if err := slack.Push(env); err != nil {
					t.Fatal(err)
				}
			}
		}
		push(0, n/3)
		waitAcked(t, slack, "env-r-", n/3)
		rds.Stop()
		push(n/3, 2*n/3)
		waitAcked(t, slack, "env-r-", 2*n/3)
		waitLong(t, "a degradation counted", func() bool { return metric(rs, "notion_check_redis_degraded_total", "") > 0 })
		waitLong(t, "/readyz to name Redis", func() bool {
			code, body := get(rs[0].base + "/readyz")
			return code != 200 && strings.Contains(body, "redis")
		})
		rds.Start()
		push(2*n/3, n)
		acked := waitAcked(t, slack, "env-r-", n)
		waitLong(t, "a report for every acknowledged command", func() bool { return len(answeredOnce(slack, "restart-")) >= len(acked) })
		waitLong(t, "Redis shared again", func() bool { return metric(rs, "notion_check_redis_up", "") == float64(len(rs)) })
		for _, r := range rs {
			select {
			case <-r.done:
				t.Errorf("%s exited: %v", r.name, r.err)
			default:
			}
		}
		if dup := answeredTwice(slack, "restart-"); len(dup) > 0 {
			t.Errorf("answered more than once: %v", dup)
		}
		t.Logf("degraded operations: %v; recoveries: %v", metric(rs, "notion_check_redis_degraded_total", ""),
			metric(rs, "notion_check_redis_recoveries_total", ""))
	})
}

// notionSwitch is a proxy in front of fake Notions: every request goes to
// the one chosen last.
type notionSwitch struct {
	srv *httptest.Server
	to  atomic.Pointer[httputil.ReverseProxy]
}

func newNotionSwitch(t *testing.T, target string) *notionSwitch {
	s := &notionSwitch{}
	s.To(target)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.to.Load().ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the switch's base URL, for NOTION_API_URL.
func (s *notionSwitch) URL() string { return s.srv.URL }

// To sends every request from now on to the fake Notion at target.
func (s *notionSwitch) To(target string) {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	s.to.Store(httputil.NewSingleHostReverseProxy(u))
}

// waitAcked waits until n envelopes whose ID starts with prefix are acked
// and returns their IDs.
func waitAcked(t *testing.T, slack *slackfake.Server, prefix string, n int) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	waitLong(t, fmt.Sprintf("%d acks of %s*", n, prefix), func() bool {
		for _, a := range slack.Acks() {
			if strings.HasPrefix(a.EnvelopeID, prefix) {
				got[a.EnvelopeID] = true
			}
		}
		return len(got) >= n
	})
	return got
}

// answeredOnce returns the response_url names with prefix that got a
// report (not the ack).
func answeredOnce(slack *slackfake.Server, prefix string) map[string]bool {
	out := map[string]bool{}
	for _, p := range slack.ResponsePosts() {
		if strings.HasPrefix(p.Name, prefix) {
			out[p.Name] = true
		}
	}
	return out
}

// answeredTwice returns the response_url names with prefix posted to more
// than once.
func answeredTwice(slack *slackfake.Server, prefix string) []string {
	n := map[string]int{}
	var dup []string
	for _, p := range slack.ResponsePosts() {
		if strings.HasPrefix(p.Name, prefix) {
			n[p.Name]++
			if n[p.Name] == 2 {
				dup = append(dup, p.Name)
			}
		}
	}
	return dup
}

// threadPosts returns the posts in the thread of ts.
func threadPosts(slack *slackfake.Server, ts string) []slackfake.Post {
	var out []slackfake.Post
	for _, p := range slack.Posts() {
		if p.ThreadTS == ts {
			out = append(out, p)
		}
	}
	return out
}

// queueEmpty reports whether the shared queue holds nothing, as the
// first live replica's /metrics shows it.
func queueEmpty(rs []*replica) bool {
	for _, r := range rs {
		select {
		case <-r.done:
			continue
		default:
		}
		code, body := get(r.base + "/metrics")
		if code != 200 || !strings.Contains(body, "notion_check_queue_items{") {
			return false
		}
		return metric([]*replica{r}, "notion_check_queue_items", "") == 0
	}
	return false
}

// TestRedisConfig: REDIS_URL and REDIS_CLAIM_AFTER are checked like every
// other variable, named and never quoted (a URL may hold a password).
func TestRedisConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, claim string
		bad              string // the variable named, "" when fine
		claimAfter       time.Duration
	}{
		{name: "unset: one process", claimAfter: 10 * time.Second},
		{name: "redis URL", url: "redis://:s3cret@redis:6379/0", claimAfter: 10 * time.Second},
		{name: "TLS URL and a claim delay", url: "rediss://redis.internal:6380", claim: "2m", claimAfter: 2 * time.Minute},
		{name: "not a redis URL", url: "http://:s3cret@redis:6379", bad: "REDIS_URL"},
		{name: "no host", url: "redis://", bad: "REDIS_URL"},
		{name: "claim delay too short", url: "redis://redis:6379", claim: "1s", bad: "REDIS_CLAIM_AFTER"},
		{name: "claim delay not a duration", url: "redis://redis:6379", claim: "soon", bad: "REDIS_CLAIM_AFTER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(environ{"REDIS_URL": tc.url, "REDIS_CLAIM_AFTER": tc.claim}.getenv)
			if err != nil {
				t.Fatal(err)
			}
			if tc.bad == "" {
				if len(cfg.Problems) > 0 {
					t.Fatalf("loadConfig: %v", cfg.Problems)
				}
				if cfg.RedisURL != tc.url || cfg.ClaimAfter != tc.claimAfter {
					t.Errorf("RedisURL %q, ClaimAfter %v; want %q, %v", cfg.RedisURL, cfg.ClaimAfter, tc.url, tc.claimAfter)
				}
				return
			}
			msg := cfg.Problems.Error()
			if len(cfg.Problems.only(tc.bad)) != 1 {
				t.Fatalf("loadConfig: %q, want a problem naming %s", msg, tc.bad)
			}
			if strings.Contains(msg, "s3cret") || (tc.claim != "" && strings.Contains(msg, tc.claim)) {
				t.Errorf("the problem quotes the value: %q", msg)
			}
		})
	}
}

// waitLong polls cond; its limit (two minutes) only guards against a hang:
// a replica killed mid-work is replaced after the leases it held ran out
// (DIAGNOSIS_TIMEOUT + 10 s) and REDIS_CLAIM_AFTER, slower on a loaded
// machine. No test asserts how long anything took.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
