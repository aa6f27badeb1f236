package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/cluster/redistest"
	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
)

// sharedRedis starts a redis-server of the test alone on a loopback port,
// or skips the test when the binary is not installed.
func sharedRedis(t *testing.T) string { return redistest.Start(t, redistest.Options{}).URL(0) }

// countingDiagnoser counts the diagnoses run (across every replica using
// it) and runs the offline diagnoser.
type countingDiagnoser struct{ n atomic.Int32 }

func (c *countingDiagnoser) DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report {
	c.n.Add(1)
	return diagnose.New(diagnose.Config{}).DiagnoseReading(ctx, rd, opts)
}

// replicaSet is n Bots in this process, each with its own Cluster on one
// Redis and its own Socket Mode connection to one spreading fake Slack.
type replicaSet struct {
	fake  *slackfake.Server
	bots  []*Bot
	diag  *countingDiagnoser
	stops []func() error
	hits  atomic.Int32
}

func startReplicaSet(t *testing.T, n int) *replicaSet {
	t.Helper()
	url := sharedRedis(t)
	rs := &replicaSet{fake: slackfake.New(slackfake.WithSpread(), slackfake.WithPingInterval(50*time.Millisecond)), diag: &countingDiagnoser{}}
	t.Cleanup(rs.fake.Close)
	for i := range n {
		logs := &syncBuffer{}
		c, err := cluster.New(context.Background(), cluster.Options{URL: url, Consumer: fmt.Sprintf("replica-%d", i),
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(Config{
			BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: rs.fake.APIURL(),
			HelpChannels: []string{helpChan}, Diagnoser: rs.diag, PingInterval: 30 * time.Second,
			Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Cluster: c, ReportScope: "test",
			Hooks: Hooks{OnDedupeHit: func(string) { rs.hits.Add(1) }},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		var stopped atomic.Bool
		stop := func() error {
			if stopped.Swap(true) {
				return nil
			}
			cancel()
			err := <-done
			c.Close()
			return err
		}
		t.Cleanup(func() {
			if err := stop(); err != nil {
				t.Errorf("replica %d: Run = %v", i, err)
			}
			if t.Failed() {
				t.Logf("replica %d log:\n%s", i, logs.String())
			}
		})
		rs.bots, rs.stops = append(rs.bots, b), append(rs.stops, stop)
		if err := rs.fake.WaitOpenConnections(i+1, wait); err != nil {
			t.Fatal(err)
		}
	}
	return rs
}

// TestSharedModeAnswersOnceAcrossReplicas: two Bots sharing one Redis,
// each with its own connection; the fake Slack spreads the envelopes over
// both as Slack does.
func TestSharedModeAnswersOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	rs := startReplicaSet(t, 2)
	fake := rs.fake

	t.Run("a slash command redelivered to the other replica", func(t *testing.T) {
		env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "env-s1", Text: pageLink, ResponseURL: fake.ResponseURL("s1")})
		c1, _ := fake.PushConn(env)
		c2, _ := fake.PushConn(env)
		if c1 == c2 {
			t.Fatalf("both deliveries on connection %d", c1)
		}
		acks, err := fake.WaitAcks(2, wait)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acks {
			if !strings.Contains(string(a.Payload), "Checking") {
				t.Errorf("ack %s on connection %d = %s, want the Checking… ack", a.EnvelopeID, a.Conn, a.Payload)
			}
		}
		if _, err := fake.WaitResponsePosts(1, wait); err != nil {
			t.Fatal(err)
		}
		waitQueueEmpty(t, rs)
		if got := responsesTo(fake, "s1"); got != 1 {
			t.Errorf("%d reports, want 1", got)
		}
	})

	t.Run("a message and its mention, each on another replica", func(t *testing.T) {
		ts := "1700002000.000001"
		ev := slackfake.Event{Channel: helpChan, User: human, Text: "<@" + slackfake.BotUserID + "> " + pageLink, TS: ts}
		mention := ev
		mention.Type = "app_mention"
		_, _ = fake.PushConn(slackfake.EventsAPIEnvelope("env-m1", "EvMsg1", 0, ev))
		_, _ = fake.PushConn(slackfake.EventsAPIEnvelope("env-m2", "EvMention1", 0, mention))
		for _, id := range []string{"env-m1", "env-m2"} {
			if _, err := fake.WaitAck(id, wait); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the reply", func() bool { return len(inThread(fake, ts)) >= 1 })
		waitQueueEmpty(t, rs)
		if n := len(inThread(fake, ts)); n != 1 {
			t.Errorf("%d replies in the thread, want 1", n)
		}
	})

	t.Run("twenty commands for one link are diagnosed once", func(t *testing.T) {
		before := rs.diag.n.Load()
		link := "https://www.notion.so/acme/Other-" + strings.Repeat("ab", 16)
		for i := range 20 {
			_ = fake.Push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: fmt.Sprintf("env-c%d", i), Text: link,
				ResponseURL: fake.ResponseURL(fmt.Sprintf("c%d", i))}))
		}
		waitFor(t, "20 reports", func() bool {
			n := 0
			for i := range 20 {
				n += min(1, responsesTo(fake, fmt.Sprintf("c%d", i)))
			}
			return n == 20
		})
		waitQueueEmpty(t, rs)
		if got := rs.diag.n.Load() - before; got != 1 {
			t.Errorf("%d diagnoses for 20 commands over two replicas, want 1", got)
		}
		for i := range 20 {
			if n := responsesTo(fake, fmt.Sprintf("c%d", i)); n != 1 {
				t.Errorf("command %d answered %d times", i, n)
			}
		}
	})

	t.Run("a Check again click", func(t *testing.T) {
		env := slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: "env-k1", ActionID: RecheckActionID, Value: pageLink,
			ResponseURL: fake.ResponseURL("k1"), ChannelID: helpChan, MessageTS: "1700002100.000100"})
		_, _ = fake.PushConn(env)
		_, _ = fake.PushConn(env) // redelivered to the other replica
		waitFor(t, "the new report", func() bool { return responsesTo(fake, "k1") >= 1 })
		waitQueueEmpty(t, rs)
		if n := responsesTo(fake, "k1"); n != 1 {
			t.Errorf("click answered %d times, want 1", n)
		}
		for _, p := range fake.ResponsePosts() {
			if p.Name == "k1" && !p.ReplaceOriginal {
				t.Errorf("the click's report does not replace the original")
			}
		}
	})

	if rs.hits.Load() < 3 {
		t.Errorf("%d dedupe hits, want at least 3 (slash, click, and the mention or the message)", rs.hits.Load())
	}
	for i, stop := range rs.stops {
		if err := stop(); err != nil {
			t.Errorf("replica %d: Run = %v, want nil (nothing left unanswered)", i, err)
		}
	}
}

func responsesTo(fake *slackfake.Server, name string) int {
	n := 0
	for _, p := range fake.ResponsePosts() {
		if p.Name == name {
			n++
		}
	}
	return n
}

func inThread(fake *slackfake.Server, ts string) []slackfake.Post {
	var out []slackfake.Post
	for _, p := range fake.Posts() {
		if p.ThreadTS == ts {
			out = append(out, p)
		}
	}
	return out
}

// waitQueueEmpty waits until the shared queue holds nothing: every item
// answered and acked (so no second answer can still come).
func waitQueueEmpty(t *testing.T, rs *replicaSet) {
	t.Helper()
	waitFor(t, "an empty queue", func() bool {
		d, err := rs.bots[0].cfg.Cluster.Queue().Depth(context.Background())
		return err == nil && d.Waiting == 0 && d.Pending == 0
	})
}

// waitFor polls cond; the limit only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
