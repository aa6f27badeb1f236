package bot

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
)

func TestSlashCommandAckedAndAnsweredEphemeral(t *testing.T) {
	var acks atomic.Int32
	h := start(t, func(c *Config) {
		c.Hooks.OnAck = func(kind string, d time.Duration) {
			if kind == "slash_commands" {
				acks.Add(1)
			}
		}
	})
	env, resp := h.slash(pageLink)
	ack, err := h.fake.WaitAck(env, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "Checking") {
		t.Errorf("ack payload = %s, want the Checking… text", ack.Payload)
	}
	posts, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0]
	if p.Name != resp || p.ResponseType != "ephemeral" || p.ReplaceOriginal {
		t.Errorf("response post = %+v, want ephemeral to %s", p, resp)
	}
	if p.Text == "" || !hasRecheck(t, p.Blocks) || !strings.Contains(string(p.Blocks), "token.missing") {
		t.Errorf("report blocks = %s", p.Blocks)
	}
	if n := acks.Load(); n != 1 {
		t.Errorf("OnAck(slash_commands) called %d times", n)
	}
	if got := len(h.fake.Posts()); got != 0 {
		t.Errorf("%d channel posts for a slash command, want 0", got)
	}
}

func TestSlashCommandUsage(t *testing.T) {
	h := start(t, nil)
	for _, text := range []string{"", "  ", "help", "HELP"} {
		env, _ := h.slash(text)
		ack, err := h.fake.WaitAck(env, wait)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			ResponseType string            `json:"response_type"`
			Text         string            `json:"text"`
			Blocks       []json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(ack.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.ResponseType != "ephemeral" || p.Text == "" || len(p.Blocks) == 0 || !strings.Contains(string(ack.Payload), "notion.so/My-Page-") {
			t.Errorf("usage ack for %q = %s", text, ack.Payload)
		}
	}
	h.settle(mustLastAck(h))
	if n := len(h.fake.ResponsePosts()); n != 0 {
		t.Errorf("usage caused %d response_url posts, want 0", n)
	}
}

func mustLastAck(h *harness) string {
	acks := h.fake.Acks()
	return acks[len(acks)-1].EnvelopeID
}

func TestHelpChannelMessageGetsThreadedReply(t *testing.T) {
	h := start(t, nil)
	h.event("Ev001", 0, slackfake.Event{Channel: helpChan, User: human, Text: "why does this fail? <" + pageLink + ">", TS: "1700000001.000100"})
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0]
	if p.Channel != helpChan || p.ThreadTS != "1700000001.000100" || p.Text == "" || !hasRecheck(t, p.Blocks) {
		t.Errorf("reply = %+v", p)
	}
}

func TestMessageInThreadAnsweredInThatThread(t *testing.T) {
	h := start(t, nil)
	h.event("Ev002", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000002.000200", ThreadTS: "1700000000.000001"})
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if posts[0].ThreadTS != "1700000000.000001" {
		t.Errorf("thread_ts = %q, want the parent's", posts[0].ThreadTS)
	}
}

func TestHelpChannelMessageWithoutReferenceIgnored(t *testing.T) {
	h := start(t, nil)
	h.event("Ev003", 0, slackfake.Event{Channel: helpChan, User: human, Text: "good morning everyone", TS: "1700000003.000100"})
	h.event("Ev004", 0, slackfake.Event{Channel: otherChan, User: human, Text: pageLink, TS: "1700000004.000100"})
	h.barrier()
	if n := len(h.fake.Posts()); n != 0 {
		t.Errorf("%d posts, want none (no reference / not a help channel)", n)
	}
}

func TestAppMentionAnywhere(t *testing.T) {
	h := start(t, nil)
	h.event("Ev005", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + "> " + pageLink, TS: "1700000005.000100"})
	h.event("Ev006", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + "> hello?", TS: "1700000006.000100"})
	posts, err := h.fake.WaitPosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	byTS := map[string]slackfake.Post{}
	for _, p := range posts {
		byTS[p.ThreadTS] = p
	}
	if p := byTS["1700000005.000100"]; !hasRecheck(t, p.Blocks) {
		t.Errorf("mention with a link: reply = %+v, want a report", p)
	}
	if p := byTS["1700000006.000100"]; !strings.Contains(string(p.Blocks), "/notion-check https://www.notion.so/My-Page-") {
		t.Errorf("mention without a reference: reply = %+v, want usage", p)
	}
}

func TestMessageAndMentionOfSameMessageAnsweredOnce(t *testing.T) {
	h := start(t, nil)
	text := "<@" + slackfake.BotUserID + "> please check " + pageLink
	ts := "1700000007.000100"
	h.event("Ev007a", 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: ts})
	h.event("Ev007b", 0, slackfake.Event{Type: "app_mention", Channel: helpChan, User: human, Text: text, TS: ts})
	// and the other order, in a non-help channel
	ts2 := "1700000008.000100"
	h.event("Ev008b", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: text, TS: ts2})
	h.event("Ev008a", 0, slackfake.Event{Channel: otherChan, User: human, Text: text, TS: ts2})
	h.barrier()
	posts := h.fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2 (one per message): %+v", len(posts), posts)
	}
}

func TestRedeliveredEventAnsweredOnce(t *testing.T) {
	h := start(t, nil)
	ev := slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000009.000100"}
	e1 := h.event("Ev009", 0, ev)
	e2 := h.event("Ev009", 1, ev)
	e3 := h.event("Ev009", 2, ev)
	h.barrier()
	for _, e := range []string{e1, e2, e3} {
		if _, err := h.fake.WaitAck(e, wait); err != nil {
			t.Error(err) // every delivery is acked, even duplicates
		}
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestIgnoredMessages(t *testing.T) {
	h := start(t, nil)
	cases := []slackfake.Event{
		{Channel: helpChan, User: slackfake.BotUserID, Text: pageLink, TS: "1700000010.000001"},                                // own
		{Channel: helpChan, User: "UOTHERBOT1", BotID: "BOTHER0001", Text: pageLink, TS: "1700000010.000002"},                  // other bot
		{Channel: helpChan, BotID: "BOTHER0001", SubType: "bot_message", Text: pageLink, TS: "1700000010.000003"},              // bot_message
		{Channel: helpChan, User: human, SubType: "message_changed", Hidden: true, Text: pageLink, TS: "1700000010.000004"},    // edit
		{Channel: helpChan, User: human, SubType: "message_deleted", Hidden: true, TS: "1700000010.000005"},                    // deletion
		{Channel: helpChan, User: human, SubType: "channel_join", Text: "<@UHUMAN0001> has joined", TS: "1700000010.000006"},   // join
		{Channel: helpChan, User: slackfake.BotUserID, Text: "leak " + fakeToken, TS: "1700000010.000007"},                     // own, with a token
		{Type: "app_mention", Channel: otherChan, User: "UOTHERBOT1", BotID: "BOTHER0001", Text: pageLink, TS: "1700000010.8"}, // bot mention
	}
	for i, ev := range cases {
		h.event("EvIgn"+string(rune('A'+i)), 0, ev)
	}
	h.barrier()
	if n := len(h.fake.Posts()); n != 0 {
		t.Errorf("%d posts, want none: %+v", n, h.fake.Posts())
	}
}

func TestLeakedTokenWarning(t *testing.T) {
	const shapeless = "Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured"
	h := start(t, func(c *Config) { c.Secrets = append(c.Secrets, shapeless) })
	// in a non-help channel: a warning only
	h.event("Ev011", 0, slackfake.Event{Channel: otherChan, User: human, Text: "my token is " + fakeToken + " why 401?", TS: "1700000011.000100"})
	// in a help channel with a link: one reply, the warning leading the report
	h.event("Ev012", 0, slackfake.Event{Channel: helpChan, User: human, Text: "NOTION_TOKEN=" + fakeToken + " " + pageLink, TS: "1700000012.000100"})
	// a mention with a token: one reply too
	h.event("Ev013", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: mention + fakeToken + " " + pageLink, TS: "1700000013.000100"})
	// a configured secret of no known shape: the report does not know it,
	// the one reply still leads with the warning
	h.event("Ev014", 0, slackfake.Event{Channel: helpChan, User: human, Text: "SECRET=" + shapeless + " " + pageLink, TS: "1700000014.000100"})
	// a token alone in a help channel
	h.event("Ev015", 0, slackfake.Event{Channel: helpChan, User: human, Text: "is this right? " + fakeToken, TS: "1700000015.000100"})
	h.barrier()
	posts := h.fake.Posts()
	perThread := map[string]int{}
	for _, p := range posts {
		perThread[p.ThreadTS]++
		h.noSecrets(p.Text + string(p.Blocks))
		if !strings.Contains(p.Text, "rotate it") {
			t.Errorf("reply in %s does not say to rotate the token: %q", p.ThreadTS, p.Text)
		}
		if strings.Index(string(p.Blocks), "otate") > strings.Index(string(p.Blocks), `"section"`)+400 {
			t.Errorf("reply in %s does not lead with the rotation: %s", p.ThreadTS, p.Blocks)
		}
	}
	for _, ts := range []string{"1700000011.000100", "1700000012.000100", "1700000013.000100", "1700000014.000100", "1700000015.000100"} {
		if perThread[ts] != 1 {
			t.Errorf("thread %s got %d replies, want exactly 1", ts, perThread[ts])
		}
	}
	if len(posts) != 5 {
		t.Errorf("%d posts, want 5 (one per thread): %+v", len(posts), posts)
	}
	for _, p := range posts {
		if p.ThreadTS == "1700000011.000100" && hasRecheck(t, p.Blocks) {
			t.Error("a message outside the help channels got a report, want the warning alone")
		}
		if (p.ThreadTS == "1700000012.000100" || p.ThreadTS == "1700000014.000100") && !hasRecheck(t, p.Blocks) {
			t.Errorf("help-channel reply in %s is not the report: %s", p.ThreadTS, p.Blocks)
		}
	}
	// slash command with a token: the report carries token.leaked, without the token
	_, _ = h.slash(pageLink + " " + fakeToken)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	h.noSecrets(string(rp[0].Body))
	if !strings.Contains(string(rp[0].Blocks), "token.leaked") {
		t.Errorf("slash report lacks token.leaked: %s", rp[0].Blocks)
	}
	h.noSecrets(h.logs.String())
}

func TestRecheckReRunsFreshAndReplaces(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	_, _ = h.slash(pageLink)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	value := buttonValue(t, rp[0].Blocks)
	if want := "https://www.notion.so/" + pageID; value != want {
		t.Errorf("button value = %q, want %q: the reference found, rewritten", value, want)
	}
	// ephemeral report: the click has a response_url
	env := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env, ActionID: "recheck", BlockID: "recheck", Value: value,
		ResponseURL: h.fake.ResponseURL("click1"), ChannelID: "C0GENERAL1", Ephemeral: true}))
	rp, err = h.fake.WaitResponsePosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		t.Error(err)
	}
	if p := rp[1]; p.Name != "click1" || !p.ReplaceOriginal || !hasRecheck(t, p.Blocks) {
		t.Errorf("recheck answer = %+v, want replace_original on the click's response_url", p)
	}
	calls, _ := st.snapshot()
	if len(calls) != 2 || calls[0].opts.Fresh || !calls[1].opts.Fresh || calls[1].text != value {
		t.Errorf("diagnoser calls = %+v, want a normal one then a Fresh one on the button's value", calls)
	}
	// in-channel report without response_url: chat.update
	env2 := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env2, ActionID: "recheck", Value: value, ChannelID: helpChan, MessageTS: "1700000099.000100"}))
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if p := posts[0]; p.Method != "chat.update" || p.Channel != helpChan || p.TS != "1700000099.000100" {
		t.Errorf("recheck without response_url = %+v, want chat.update", p)
	}
	// other actions are acked and ignored
	env3 := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env3, ActionID: "something_else", Value: "x", ResponseURL: h.fake.ResponseURL("click3")}))
	h.settle(env3)
	if calls, _ := st.snapshot(); len(calls) != 3 {
		t.Errorf("%d diagnoses, want 3", len(calls))
	}
}

func buttonValue(t *testing.T, blocks json.RawMessage) string {
	t.Helper()
	var bs []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == "recheck" {
				return e.Value
			}
		}
	}
	t.Fatal("no recheck button")
	return ""
}

func TestErrorBadMessageAcked(t *testing.T) {
	h := start(t, nil)
	h.push([]byte(`{"type":"something_new","envelope_id":"env-bad-1","payload":{}}`))
	h.push([]byte(`{"type":"events_api","envelope_id":"env-bad-2","payload":{"type":"event_callback","event_id":"EvBad","event":{"type":"message","channel":"C1","user":"U1","ts":"1.2","blocks":[{"type":"section","text":{"type":"mrkdwn","text":5}}]}}}`))
	for _, id := range []string{"env-bad-1", "env-bad-2"} {
		if _, err := h.fake.WaitAck(id, wait); err != nil {
			t.Error(err)
		}
	}
	h.barrier() // still alive
	for _, id := range []string{"env-bad-1", "env-bad-2"} {
		if !strings.Contains(h.logs.String(), "could not parse; acknowledging it\" envelope_id="+id) {
			t.Errorf("error_bad_message %s not logged as such", id)
		}
	}
}

func TestPanickingDiagnoserRecovered(t *testing.T) {
	st := &stub{panicOn: "PANIC"}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	env, _ := h.slash("https://www.notion.so/acme/PANIC-fedcba9876543210fedcba9876543210")
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		t.Fatal(err)
	}
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rp[0].Text, "could not finish") {
		t.Errorf("after a panic the user got %q, want the failure message", rp[0].Text)
	}
	_, _ = h.slash(pageLink)
	rp, err = h.fake.WaitResponsePosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !hasRecheck(t, rp[1].Blocks) {
		t.Errorf("next command not answered with a report: %+v", rp[1])
	}
	if !strings.Contains(h.logs.String(), "panic") {
		t.Error("panic not logged")
	}
}

func TestShutdownFinishesRepliesInFlight(t *testing.T) {
	st := &stub{started: make(chan string, 1), release: make(chan struct{})}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	_, _ = h.slash(pageLink)
	select {
	case <-st.started:
	case <-time.After(wait):
		t.Fatal("diagnosis did not start")
	}
	h.cancel()
	time.AfterFunc(200*time.Millisecond, func() { close(st.release) })
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n := len(h.fake.ResponsePosts()); n != 1 {
		t.Errorf("%d replies delivered before Run returned, want 1", n)
	}
}

func TestDisconnectRefreshReconnects(t *testing.T) {
	var ups atomic.Int32
	h := start(t, func(c *Config) {
		c.Hooks.OnConnected = func(up bool) {
			if up {
				ups.Add(1)
			}
		}
	})
	if err := h.fake.Disconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if err := h.fake.WaitConnections(2, wait); err != nil {
		t.Fatal(err)
	}
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(1, wait); err != nil {
		t.Fatal(err)
	}
	h.fake.DropSocket()
	if err := h.fake.WaitConnections(3, wait); err != nil {
		t.Fatal(err)
	}
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(2, wait); err != nil {
		t.Fatal(err)
	}
	if n := ups.Load(); n < 3 {
		t.Errorf("OnConnected(true) called %d times, want ≥ 3", n)
	}
}

func TestPostMessageRetriedOn429And5xx(t *testing.T) {
	t.Parallel()
	var okReplies, failedReplies atomic.Int32
	h := start(t, func(c *Config) {
		c.Hooks.OnReply = func(ok bool) {
			if ok {
				okReplies.Add(1)
			} else {
				failedReplies.Add(1)
			}
		}
	})
	h.fake.Fail("chat.postMessage", slackfake.Fault{Status: 429, RetryAfter: 0})
	h.event("Ev013", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000013.000100"})
	h.barrier()
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
	if n := len(h.fake.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d chat.postMessage calls, want 2 (429 then ok)", n)
	}
	h.fake.Fail(slackfake.ResponseTarget, slackfake.Fault{Status: 503})
	h.fake.Fail(slackfake.ResponseTarget, slackfake.Fault{Status: 429, RetryAfter: 0})
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(1, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	if okReplies.Load() != 2 || failedReplies.Load() != 0 {
		t.Errorf("replies ok=%d failed=%d, want 2 and 0", okReplies.Load(), failedReplies.Load())
	}
	// a persistent failure gives up after 3 attempts
	h.fake.Fail("chat.postMessage", slackfake.Fault{Status: 500, Times: 5})
	h.event("Ev014", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000014.000100"})
	h.barrier()
	if n := len(h.fake.Calls("chat.postMessage")); n != 5 {
		t.Errorf("%d chat.postMessage calls, want 5 (2 before + 3 attempts)", n)
	}
	if failedReplies.Load() != 1 {
		t.Errorf("failed replies = %d, want 1", failedReplies.Load())
	}
}

func TestBoundedConcurrencyStillAcksAtOnce(t *testing.T) {
	st := &stub{delay: 100 * time.Millisecond}
	h := start(t, func(c *Config) { c.Diagnoser = st; c.MaxConcurrent = 2 })
	var envs []string
	for i := 0; i < 8; i++ {
		env, _ := h.slash(pageLink)
		envs = append(envs, env)
	}
	acks, err := h.fake.WaitAcks(8, wait)
	if err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	for _, a := range acks {
		acked[a.EnvelopeID] = true
	}
	for _, env := range envs {
		if !acked[env] {
			t.Errorf("envelope %s not acked", env)
		}
	}
	if _, err := h.fake.WaitResponsePosts(8, wait); err != nil {
		t.Fatal(err)
	}
	if _, peak := st.snapshot(); peak > 2 {
		t.Errorf("peak concurrent diagnoses = %d, want ≤ 2", peak)
	}
}

func TestDiagnosisHookAndTimeout(t *testing.T) {
	var mu sync.Mutex
	var reps []diagnose.Report
	dl := &deadlineDiagnoser{}
	h := start(t, func(c *Config) {
		c.Diagnoser = dl
		c.DiagnosisTimeout = 150 * time.Millisecond
		c.Hooks.OnDiagnosis = func(rep diagnose.Report, d time.Duration) {
			mu.Lock()
			reps = append(reps, rep)
			mu.Unlock()
		}
	})
	_, _ = h.slash(pageLink)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rp[0].Blocks), "notion.unavailable") {
		t.Errorf("timed-out diagnosis answer lacks what could not be checked: %s", rp[0].Blocks)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reps) != 1 {
		t.Errorf("OnDiagnosis called %d times", len(reps))
	}
}

// deadlineDiagnoser waits for the deadline and reports Notion as
// unavailable, like the real one does when Notion does not answer.
type deadlineDiagnoser struct{}

func (deadlineDiagnoser) DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report {
	<-ctx.Done()
	text := readingText(rd)
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusUnknown},
		Checks: []diagnose.Check{{Source: text, ID: "01234567-89ab-cdef-0123-456789abcdef", Kind: diagnose.KindUnknown, Status: diagnose.StatusUnknown,
			Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeNotionUnavailable, "Notion did not answer within the deadline ("+ctx.Err().Error()+").", nil)}}},
	}
}

func TestNewValidates(t *testing.T) {
	d := diagnose.New(diagnose.Config{})
	for _, c := range []Config{
		{AppToken: "xapp-1", Diagnoser: d},
		{BotToken: "xoxb-1", Diagnoser: d},
		{BotToken: "xoxb-1", AppToken: "xapp-1"},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) = nil error", c)
		}
	}
}

func TestRunFailsOnBadToken(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	b, err := New(Config{BotToken: "xoxb-wrong-token-123456", AppToken: slackfake.AppToken, APIURL: fake.APIURL(), Diagnoser: diagnose.New(diagnose.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb-wrong") {
		t.Errorf("Run = %v, want invalid_auth without the token", err)
	}
}

// TestAnswerable: the bot answers a help-channel text when the reading of
// it, Slack's markup undone, is Answerable.
func TestAnswerable(t *testing.T) {
	// Pasted Notion errors without a usable ID are answerable once
	// diagnose.ReadText sees the pasted call (Reading.Call).
	callRead := diagnose.ReadText("API token is invalid.", 10).Call != nil
	for _, c := range []struct {
		text      string
		want      bool
		needsCall bool
	}{
		{"good morning everyone", false, false},
		{"see <https://google.com/x>", false, false},
		{"", false, false},
		{"<@U0HUMAN> &lt;b&gt; <#C123|general> <!here>", false, false},
		{pageLink, true, false},
		{"<" + pageLink + "|the page>", true, false},
		{"<" + pageLink + "?a=1&amp;v=2>", true, false},
		{"<https://acme.notion.site/my-page>", true, false},
		{"app.notion.com/p/" + pageID, true, false},
		{pageID, true, false},
		{"01234567-89ab-cdef-0123-456789abcdef", true, false},
		{"my token " + fakeToken, true, false},
		{"API token is invalid.", true, true},
		{`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: x"}`, true, true},
		{"body failed validation: body.parent.page_id should be a valid uuid, instead was `\"undefined\"`.", true, true},
	} {
		if c.needsCall && !callRead {
			t.Logf("%.40q: skipped until diagnose.ReadText fills Reading.Call", c.text)
			continue
		}
		b := fuzzBot(t)
		if got := b.read(c.text).Answerable(); got != c.want {
			t.Errorf("read(%q).Answerable() = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestOwnRepliesDoNotLoop(t *testing.T) {
	fake := slackfake.New(slackfake.WithEcho(), slackfake.WithPingInterval(50*time.Millisecond))
	defer fake.Close()
	b, err := New(Config{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: fake.APIURL(),
		HelpChannels: []string{helpChan}, Diagnoser: diagnose.New(diagnose.Config{}), PingInterval: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := fake.WaitConnections(1, wait); err != nil {
		t.Fatal(err)
	}
	// a mention in a help channel: the reply (which holds the link) and the
	// usage reply come back as message events from the bot itself
	text := "<@" + slackfake.BotUserID + "> " + pageLink
	if err := fake.Push(slackfake.EventsAPIEnvelope("env-1", "EvLoop1", 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: "1700000200.000100"})); err != nil {
		t.Fatal(err)
	}
	if err := fake.Push(slackfake.EventsAPIEnvelope("env-2", "EvLoop2", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + ">", TS: "1700000201.000100"})); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"env-echo-1", "env-echo-2"} {
		if _, err := fake.WaitAck(id, wait); err != nil {
			t.Fatal(err)
		}
	}
	if !b.waitIdle(wait) {
		t.Fatal("work in flight")
	}
	if n := len(fake.Posts()); n != 2 {
		t.Errorf("%d posts, want 2 (no reply to its own replies)", n)
	}
}

func TestRefusedBlocksFallBackToText(t *testing.T) {
	h := start(t, nil)
	h.fake.Fail("chat.postMessage", slackfake.Fault{Error: "msg_blocks_too_long"})
	h.event("Ev015", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000015.000100"})
	h.barrier()
	posts := h.fake.Posts()
	if len(posts) != 1 || len(posts[0].Blocks) != 0 || posts[0].Text == "" {
		t.Errorf("posts = %+v, want one text-only post", posts)
	}
}
