package bot

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
)

const (
	otherTeam = "T0OTHER99"
	mention   = "<@" + slackfake.BotUserID + "> "
)

// ackText returns the text of the ack of envID.
func (h *harness) ackText(envID string) string {
	h.t.Helper()
	a, err := h.fake.WaitAck(envID, wait)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(a.Payload)
}

func TestTokensInPastedTextsNeverEchoed(t *testing.T) {
	h := start(t, nil)
	texts := []string{
		pageLink + " my token is " + fakeToken,
		"curl -H 'Authorization: Bearer " + fakeToken + "' https://api.notion.com/v1/pages/" + pageID,
		"bot " + slackfake.BotToken + " app " + slackfake.AppToken + " user xoxp-" + "1234567890-user-token " + pageLink,
		"secret_" + "0123456789abcdefABCDEFghijKLMN " + pageLink,
	}
	for _, text := range texts {
		_, _ = h.slash(text)
	}
	h.event("EvTok1", 0, slackfake.Event{Channel: helpChan, User: human, Text: texts[1], TS: "1700000300.000100"})
	h.event("EvTok2", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: mention + texts[2], TS: "1700000301.000100"})
	if _, err := h.fake.WaitResponsePosts(len(texts), wait); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitPosts(2, wait); err != nil { // one reply per thread, each leading with the leak
		t.Fatal(err)
	}
	h.barrier()
	// recheck with a token in the button value
	env := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env, ActionID: RecheckActionID, Value: texts[0], ResponseURL: h.fake.ResponseURL("clickTok")}))
	h.settle(env)
	// scanOutputs (t.Cleanup) checks every output.
}

func TestExternalUsersRefused(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	// slash command from a Slack Connect guest
	env := h.id("env-ext")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: pageLink, ResponseURL: h.fake.ResponseURL("ext"), TeamID: otherTeam}))
	if got := h.ackText(env); !strings.Contains(got, "only answers members") {
		t.Errorf("external slash ack = %s, want the refusal", got)
	}
	env2 := h.id("env-ext2")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env2, Text: pageLink, ResponseURL: h.fake.ResponseURL("ext2"), UserTeam: otherTeam}))
	if got := h.ackText(env2); !strings.Contains(got, "only answers members") {
		t.Errorf("external (user_team) slash ack = %s, want the refusal", got)
	}
	// mention from a guest: a short threaded refusal
	h.event("EvExt1", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: "UGUEST0001", Text: mention + pageLink, TS: "1700000400.000100", UserTeam: otherTeam})
	// plain help-channel message from a guest: silence
	h.event("EvExt2", 0, slackfake.Event{Channel: helpChan, User: "UGUEST0001", Text: pageLink, TS: "1700000401.000100", Team: otherTeam})
	// own-team user with explicit team fields: answered
	h.event("EvOwn", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000402.000100", Team: slackfake.TeamID, UserTeam: slackfake.TeamID})
	// a click from a guest
	click := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: RecheckActionID, Value: pageLink, ResponseURL: h.fake.ResponseURL("extclick"), TeamID: otherTeam}))
	h.settle(click)
	h.barrier()
	posts := h.fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %+v, want a refusal and one report", posts)
	}
	for _, p := range posts {
		switch p.ThreadTS {
		case "1700000400.000100":
			if !strings.Contains(p.Text, "only answers members") || hasRecheck(t, p.Blocks) {
				t.Errorf("guest mention answered %q, want the refusal", p.Text)
			}
		case "1700000402.000100":
			if !hasRecheck(t, p.Blocks) {
				t.Errorf("own-team message not answered with a report: %+v", p)
			}
		default:
			t.Errorf("unexpected post %+v", p)
		}
	}
	for _, r := range h.fake.ResponsePosts() {
		if r.Name == "extclick" && !strings.Contains(r.Text, "only answers members") {
			t.Errorf("guest click answered %q, want the refusal", r.Text)
		}
		if r.Name == "ext" || r.Name == "ext2" {
			t.Errorf("guest slash command got a report through response_url: %q", r.Text)
		}
	}
	calls, _ := st.snapshot()
	if len(calls) != 1 {
		t.Errorf("%d diagnoses, want 1 (only the own-team message)", len(calls))
	}
}

func TestExternalUsersAllowedWhenConfigured(t *testing.T) {
	h := start(t, func(c *Config) { c.AllowExternalUsers = true })
	env := h.id("env-ext")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: pageLink, ResponseURL: h.fake.ResponseURL("ext"), UserTeam: otherTeam}))
	if _, err := h.fake.WaitResponsePosts(1, wait); err != nil {
		t.Fatal(err)
	}
}

func TestAllowedChannels(t *testing.T) {
	const allowed = "CALLOWED01"
	h := start(t, func(c *Config) { c.AllowedChannels = []string{allowed} })
	env := h.id("env-chan")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: pageLink, ResponseURL: h.fake.ResponseURL("no"), ChannelID: otherChan}))
	if got := h.ackText(env); !strings.Contains(got, "not enabled in this channel") || !strings.Contains(got, `\u003c#`+allowed+`\u003e`) {
		t.Errorf("slash ack in another channel = %s, want a refusal naming <#%s>", got, allowed)
	}
	env2 := h.id("env-chan")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env2, Text: pageLink, ResponseURL: h.fake.ResponseURL("yes"), ChannelID: allowed}))
	h.event("EvCh1", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: mention + pageLink, TS: "1700000500.000100"})
	h.event("EvCh2", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000501.000100"})
	h.barrier()
	rp := h.fake.ResponsePosts()
	if len(rp) != 1 || rp[0].Name != "yes" {
		t.Errorf("response posts = %+v, want one report, in the allowed channel", rp)
	}
	posts := h.fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %+v, want a refusal and the help-channel report", posts)
	}
	for _, p := range posts {
		if p.Channel == otherChan && !strings.Contains(p.Text, "not enabled in this channel") {
			t.Errorf("mention in another channel answered %q", p.Text)
		}
		if p.Channel == helpChan && !hasRecheck(t, p.Blocks) {
			t.Errorf("help channel not answered with a report: %+v", p)
		}
	}
}

func TestForeignResponseURLNeverContacted(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	env := h.id("env-evil")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: pageLink, ResponseURL: evil.URL + "/commands/T/1/x"}))
	h.settle(env)
	click := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: RecheckActionID, Value: pageLink, ResponseURL: evil.URL + "/actions/x", Ephemeral: true}))
	h.settle(click)
	for _, u := range []string{"https://hooks.slack.com/commands/T/1/x", h.fake.ResponseURL("x")} {
		if !h.bot.responseURLAllowed(u) {
			t.Errorf("%s refused", u)
		}
	}
	for _, u := range []string{evil.URL, "http://hooks.slack.com/x", "https://hooks.slack.com.evil.example/x", "https://user@hooks.slack.com/x", "file:///etc/passwd", "https://169.254.169.254/"} {
		if h.bot.responseURLAllowed(u) {
			t.Errorf("%s allowed", u)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign host got %d requests", n)
	}
	if calls, _ := st.snapshot(); len(calls) != 0 {
		t.Errorf("%d diagnoses for answers that could not be delivered", len(calls))
	}
	if !strings.Contains(h.logs.String(), "response_url") {
		t.Error("no warning logged")
	}
}

// TestQueueBoundedBusyAnswer: only work that needs Notion is queued; when
// the queue is full a slash command is acked and then answered BusyText
// through its response_url.
func TestQueueBoundedBusyAnswer(t *testing.T) {
	st := &stub{release: make(chan struct{})}
	h := start(t, func(c *Config) { c.Diagnoser = st; c.MaxConcurrent = 1; c.MaxQueued = 2 })
	var envs []string
	for i := 0; i < 5; i++ { // five distinct links: nothing to share
		env, _ := h.slash(fmt.Sprintf("https://www.notion.so/acme/Page-%032x", i+1))
		envs = append(envs, env)
	}
	for _, env := range envs {
		if got := h.ackText(env); !strings.Contains(got, "Checking") {
			t.Errorf("ack %s, want Checking", got)
		}
	}
	if _, err := h.fake.WaitResponsePosts(2, wait); err != nil {
		t.Fatal(err)
	}
	close(st.release)
	if _, err := h.fake.WaitResponsePosts(5, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	busy, reports := 0, 0
	for _, r := range h.fake.ResponsePosts() {
		switch {
		case r.Text == BusyText:
			busy++
		case hasRecheck(t, r.Blocks):
			reports++
		}
	}
	if busy != 2 || reports != 3 {
		t.Errorf("%d busy answers and %d reports, want 2 and 3 (1 running + 2 queued)", busy, reports)
	}
}

// TestSocketDroppedMidBurstRedelivered: the socket drops after 4 of 10
// slash commands were acked; Slack redelivers the un-acked envelopes (same
// envelope IDs) on the new connection; every command is answered once.
func TestSocketDroppedMidBurstRedelivered(t *testing.T) {
	h := start(t, func(c *Config) { c.Diagnoser = &stub{delay: 50 * time.Millisecond} })
	h.fake.DropAfterAcks(len(h.fake.Acks()) + 4)
	type cmd struct{ env, resp string }
	var cmds []cmd
	var envs [][]byte
	for i := 0; i < 10; i++ {
		c := cmd{h.id("env-burst"), h.id("resp-burst")}
		cmds = append(cmds, c)
		env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: c.env, Text: pageLink, ResponseURL: h.fake.ResponseURL(c.resp)})
		envs = append(envs, env)
		_ = h.fake.Push(env) // may fail once the socket is gone: Slack redelivers
	}
	if err := h.fake.WaitConnections(2, wait); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	for _, a := range h.fake.Acks() {
		acked[a.EnvelopeID] = true
	}
	redelivered := 0
	for i, c := range cmds {
		if !acked[c.env] {
			redelivered++
			h.push(envs[i])
		}
	}
	if redelivered == 0 {
		t.Fatal("nothing to redeliver: the drop came too late")
	}
	for _, c := range cmds {
		if _, err := h.fake.WaitAck(c.env, wait); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.fake.WaitResponsePosts(10, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	count := map[string]int{}
	for _, r := range h.fake.ResponsePosts() {
		count[r.Name]++
	}
	for _, c := range cmds {
		if count[c.resp] != 1 {
			t.Errorf("command %s answered %d times, want 1", c.resp, count[c.resp])
		}
	}
	t.Logf("%d of 10 envelopes redelivered", redelivered)
}

func TestRedeliveredEventAfterDropAnsweredOnce(t *testing.T) {
	h := start(t, nil)
	ev := slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000600.000100"}
	h.fake.DropAfterAcks(len(h.fake.Acks()) + 1)
	h.push(slackfake.EventsAPIEnvelope("env-redeliver", "EvDrop1", 0, ev))
	if err := h.fake.WaitConnections(2, wait); err != nil {
		t.Fatal(err)
	}
	h.push(slackfake.EventsAPIEnvelope("env-redeliver", "EvDrop1", 1, ev))
	h.push(slackfake.EventsAPIEnvelope("env-redeliver-2", "EvDrop1", 2, ev))
	h.settle("env-redeliver-2")
	h.barrier()
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestDisconnectReasonsReconnect(t *testing.T) {
	h := start(t, nil)
	for i, reason := range []string{"warning", "too_many_websockets", "refresh_requested"} {
		if err := h.fake.Disconnect(reason); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.WaitConnections(i+2, wait); err != nil {
			t.Fatalf("after disconnect %q: %v", reason, err)
		}
		_, resp := h.slash(pageLink)
		rp, err := h.fake.WaitResponsePosts(i+1, wait)
		if err != nil {
			t.Fatalf("after disconnect %q: %v", reason, err)
		}
		if rp[i].Name != resp {
			t.Errorf("after disconnect %q: answer to %s, want %s", reason, rp[i].Name, resp)
		}
	}
}

func TestSlowPostMessageDeliveredOnce(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	h.fake.Fail("chat.postMessage", slackfake.Fault{Delay: 3500 * time.Millisecond})
	h.event("EvSlow", 0, slackfake.Event{Channel: helpChan, User: human, Text: pageLink, TS: "1700000700.000100"})
	if _, err := h.fake.WaitPosts(1, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	if n := len(h.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage calls, want 1 (a slow success is not retried)", n)
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestResponseURL429RetryAfterThenOK(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	h.fake.Fail(slackfake.ResponseTarget, slackfake.Fault{Status: 429, RetryAfter: 1})
	start := time.Now()
	_, resp := h.slash(pageLink)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("answered %s after the command (Retry-After: 1 s)", time.Since(start).Round(time.Millisecond))
	h.barrier()
	if n := h.fake.ResponseAttempts(); n != 2 {
		t.Errorf("%d response_url POSTs, want 2 (the 429, then the answer)", n)
	}
	if len(h.fake.ResponsePosts()) != 1 || rp[0].Name != resp {
		t.Errorf("response posts = %+v, want one answer", h.fake.ResponsePosts())
	}
}
