package bot

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

const (
	adminChan = "CADMIN0001"
	dmChan    = "D0DM000001"
)

// plainJSON undoes the HTML escaping of Go's JSON encoder (\u003c for <),
// so that a test reads blocks as Slack does.
func plainJSON(raw json.RawMessage) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(raw))
}

// actionValue returns the value of the button action_id in blocks ("" and
// false when there is none).
func actionValue(t testing.TB, blocks json.RawMessage, actionID string) (string, bool) {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionID {
				return e.Value, true
			}
		}
	}
	return "", false
}

// shortcut pushes a message shortcut run by human on a message of
// channel and returns its envelope ID.
func (h *harness) shortcut(channel, msgTS, threadTS, text string) string {
	h.t.Helper()
	env := h.id("env-shortcut")
	h.push(slackfake.MessageShortcutEnvelope(slackfake.MessageShortcut{EnvelopeID: env, ChannelID: channel, ResponseURL: h.fake.ResponseURL(h.id("sc")),
		MessageUser: "UOTHER0001", MessageTS: msgTS, MessageThreadTS: threadTS, MessageText: text}))
	return env
}

func TestMessageShortcutAnswersPrivatelyWithThreadAndShareButtons(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	// The message someone else posted, with the failing call in a code block.
	text := "my script fails:\n```\nnotion.pages.retrieve({ page_id: \"" + pageID + "\" })\n```\nany idea?"
	env := h.shortcut(otherChan, "1700000100.000100", "", text)
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		t.Fatal(err)
	}
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0]
	if p.Method != "chat.postEphemeral" || p.Channel != otherChan || p.User != human || p.ThreadTS != "" {
		t.Fatalf("shortcut answer = %+v, want an ephemeral message to the user in the channel", p)
	}
	if !hasRecheck(t, p.Blocks) {
		t.Errorf("no Check again button: %s", p.Blocks)
	}
	if _, ok := actionValue(t, p.Blocks, ShareActionID); !ok {
		t.Errorf("no Share in channel button: %s", p.Blocks)
	}
	tv, ok := actionValue(t, p.Blocks, ThreadActionID)
	if !ok {
		t.Fatalf("no Reply in thread button: %s", p.Blocks)
	}
	if calls, _ := st.snapshot(); len(calls) != 1 || !strings.Contains(calls[0].text, pageID) {
		t.Errorf("diagnoses = %+v, want one of the message's code block", calls)
	}
	// The shortcut is answered once, even when Slack redelivers it.
	h.push(slackfake.MessageShortcutEnvelope(slackfake.MessageShortcut{EnvelopeID: env, ChannelID: otherChan, MessageTS: "1700000100.000100", MessageText: text}))
	h.settle(env)
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts after a redelivered shortcut, want 1", n)
	}

	// "Reply in thread": the report goes to the message's thread for
	// everyone, attributed to who posted it.
	click := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: ThreadActionID, BlockID: RecheckBlockID, Value: tv,
		ResponseURL: h.fake.ResponseURL("thread-click"), ChannelID: otherChan, Ephemeral: true}))
	posts, err = h.fake.WaitPosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	q := posts[1]
	if q.Method != "chat.postMessage" || q.Channel != otherChan || q.ThreadTS != "1700000100.000100" {
		t.Errorf("reply in thread = %+v, want a post in the message's thread", q)
	}
	if !strings.Contains(plainJSON(q.Blocks), "Posted by <@"+human+">") || !hasRecheck(t, q.Blocks) {
		t.Errorf("reply in thread blocks = %s, want the report attributed to the clicker", q.Blocks)
	}
	if _, ok := actionValue(t, q.Blocks, ShareActionID); ok {
		t.Errorf("a public report has a Share button: %s", q.Blocks)
	}
}

func TestMessageShortcutOnAReplyAnswersInItsThread(t *testing.T) {
	h := start(t, nil)
	h.shortcut(otherChan, "1700000200.000200", "1700000199.000100", pageLink)
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	tv, ok := actionValue(t, posts[0].Blocks, ThreadActionID)
	if !ok || !strings.HasPrefix(tv, otherChan+"/1700000199.000100\n") {
		t.Errorf("reply-in-thread value = %q, want the parent's thread", tv)
	}
}

func TestMessageShortcutWhereTheBotCannotPostGoesToADirectMessage(t *testing.T) {
	for _, failure := range []string{"not_in_channel", "channel_not_found"} {
		t.Run(failure, func(t *testing.T) {
			h := start(t, nil)
			h.fake.Fail("chat.postEphemeral", slackfake.Fault{Error: failure})
			h.shortcut("CPRIVATE01", "1700000300.000100", "", pageLink)
			posts, err := h.fake.WaitPosts(1, wait)
			if err != nil {
				t.Fatal(err)
			}
			p := posts[0]
			if p.Method != "chat.postMessage" || p.Channel != human || p.ThreadTS != "" {
				t.Fatalf("answer = %+v, want a direct message to the user", p)
			}
			if !strings.Contains(plainJSON(p.Blocks), "cannot post in the conversation where you asked") {
				t.Errorf("the direct message does not say why it came there: %s", p.Blocks)
			}
			if tv, ok := actionValue(t, p.Blocks, ThreadActionID); !ok || !strings.HasPrefix(tv, "CPRIVATE01/1700000300.000100\n") {
				t.Errorf("reply-in-thread value = %q, want the original message's thread", tv)
			}
		})
	}
	t.Run("not a member", func(t *testing.T) {
		h := start(t, nil)
		h.fake.NotIn(otherChan)
		h.shortcut(otherChan, "1700000301.000100", "", pageLink)
		posts, err := h.fake.WaitPosts(1, wait)
		if err != nil {
			t.Fatal(err)
		}
		if p := posts[0]; p.Channel != human {
			t.Errorf("answer = %+v, want a direct message", p)
		}
		// Reply in thread where the bot is not: the clicker alone is told.
		tv, _ := actionValue(t, posts[0].Blocks, ThreadActionID)
		click := h.id("env-click")
		h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: ThreadActionID, BlockID: RecheckBlockID, Value: tv,
			ResponseURL: h.fake.ResponseURL("dm-click"), ChannelID: dmChan}))
		rp, err := h.fake.WaitResponsePosts(1, wait)
		if err != nil {
			t.Fatal(err)
		}
		if r := rp[0]; r.Name != "dm-click" || !strings.Contains(r.Text, "cannot post in this conversation") {
			t.Errorf("answer to the click = %+v, want the clicker told privately", r)
		}
	})
}

func TestMessageShortcutWithoutReferenceGetsUsage(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	h.shortcut(otherChan, "1700000400.000100", "", "this keeps saying unauthorized, <!channel> help")
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if p := posts[0]; p.Method != "chat.postEphemeral" || !strings.Contains(p.Text, "found nothing to check") {
		t.Errorf("answer = %+v, want the no-reference text privately", p)
	}
	if calls, _ := st.snapshot(); len(calls) != 0 {
		t.Errorf("%d diagnoses of a text without reference", len(calls))
	}
}

func TestDirectMessageAnsweredInTheDM(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st; c.AllowedChannels = []string{helpChan} })
	h.event("EvDM1", 0, slackfake.Event{Channel: dmChan, ChannelType: "im", User: human, Text: "why? " + pageLink, TS: "1700000500.000100"})
	h.event("EvDM2", 0, slackfake.Event{Channel: dmChan, ChannelType: "im", User: human, Text: "hello, it says unauthorized", TS: "1700000501.000100"})
	posts, err := h.fake.WaitPosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	var report, usage bool
	for _, p := range posts {
		if p.Channel != dmChan || p.ThreadTS != "" || p.Method != "chat.postMessage" {
			t.Errorf("DM answer = %+v, want a message in the DM itself", p)
		}
		report = report || hasRecheck(t, p.Blocks)
		usage = usage || strings.Contains(string(p.Blocks), "/notion-check https://www.notion.so/My-Page-")
	}
	if !report || !usage {
		t.Errorf("DM answers %+v: want a report for the link and the usage for a lone word", posts)
	}
	if calls, _ := st.snapshot(); len(calls) != 1 {
		t.Errorf("%d diagnoses, want 1 (the lone word is not a pasted error)", len(calls))
	}
	// The bot's own DM posts come back as message.im: never answered.
	h.event("EvDM3", 0, slackfake.Event{Channel: dmChan, ChannelType: "im", User: slackfake.BotUserID, BotID: slackfake.BotID, Text: pageLink, TS: "1700000502.000100"})
	h.barrier()
	if n := len(h.fake.Posts()); n != 2 {
		t.Errorf("%d posts, want 2: the bot's own DM answered", n)
	}
}

func TestMentionWithoutReferenceGetsUsageNotADiagnosis(t *testing.T) {
	st := &stub{}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	for i, text := range []string{"why is this unauthorized?", "it says forbidden", "hi"} {
		h.event("EvMU"+string(rune('a'+i)), 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human,
			Text: "<@" + slackfake.BotUserID + "> " + text, TS: "1700000600.00010" + string(rune('0'+i))})
	}
	posts, err := h.fake.WaitPosts(3, wait)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if !strings.Contains(string(p.Blocks), "/notion-check https://www.notion.so/My-Page-") || hasRecheck(t, p.Blocks) {
			t.Errorf("mention without a reference got %s, want the usage", p.Blocks)
		}
	}
	if calls, _ := st.snapshot(); len(calls) != 0 {
		t.Errorf("%d diagnoses, want none", len(calls))
	}
	// A pasted Notion error is still diagnosed.
	h.event("EvMU9", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human,
		Text: "<@" + slackfake.BotUserID + "> APIResponseError: API token is invalid.", TS: "1700000600.000200"})
	posts, err = h.fake.WaitPosts(4, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !hasRecheck(t, posts[3].Blocks) && !strings.Contains(posts[3].Text, "401") {
		t.Errorf("a pasted Notion error got %s, want a diagnosis", posts[3].Blocks)
	}
}

func TestShareInChannelPostsTheReportAttributed(t *testing.T) {
	h := start(t, nil)
	_, _ = h.slash(pageLink)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	sv, ok := actionValue(t, rp[0].Blocks, ShareActionID)
	if !ok || sv == "" {
		t.Fatalf("ephemeral report without a Share in channel button: %s", rp[0].Blocks)
	}
	if _, ok := actionValue(t, rp[0].Blocks, ThreadActionID); ok {
		t.Error("a slash command's report has a Reply in thread button (it has no thread)")
	}
	click := h.id("env-share")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: ShareActionID, BlockID: RecheckBlockID, Value: sv,
		ResponseURL: h.fake.ResponseURL("share1"), ChannelID: "C0GENERAL1", Ephemeral: true}))
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0]
	if p.Method != "chat.postMessage" || p.Channel != "C0GENERAL1" || p.ThreadTS != "" {
		t.Errorf("shared report = %+v, want a post in the conversation", p)
	}
	if !strings.Contains(plainJSON(p.Blocks), "Shared by <@"+human+">") || !hasRecheck(t, p.Blocks) || p.Text != rp[0].Text {
		t.Errorf("shared report = %s / %q, want the same report attributed to the sharer", p.Blocks, p.Text)
	}
	// Redelivered click: shared once.
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: ShareActionID, BlockID: RecheckBlockID, Value: sv,
		ResponseURL: h.fake.ResponseURL("share1"), ChannelID: "C0GENERAL1", Ephemeral: true}))
	h.settle(click)
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts after a redelivered share click, want 1", n)
	}
	// Where the bot is not a member, the sharer alone is told.
	h.fake.NotIn("CNOTMEMBER")
	click2 := h.id("env-share")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click2, ActionID: ShareActionID, BlockID: RecheckBlockID, Value: sv,
		ResponseURL: h.fake.ResponseURL("share2"), ChannelID: "CNOTMEMBER", Ephemeral: true}))
	rps, err := h.fake.WaitResponsePosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	if r := rps[1]; r.Name != "share2" || r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "/invite @notion-check") {
		t.Errorf("share where the bot is not = %+v, want the sharer told privately", r)
	}
}

func TestAppHomePublished(t *testing.T) {
	h := start(t, func(c *Config) {
		c.AdminChannel = adminChan
		c.Integrations = func() []IntegrationHealth {
			return []IntegrationHealth{{Name: "Iris Checker", Health: "ok"}, {Name: "<!channel> Evil & <https://evil.example|Co>", Health: "refused"}}
		}
	})
	// A diagnosis first, whose cause the Home counts (offline: token.missing).
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(1, wait); err != nil {
		t.Fatal(err)
	}
	h.push(slackfake.AppHomeOpenedEnvelope(h.id("env-home"), "EvHome1", human, "messages")) // the Messages tab: nothing to publish
	env := h.id("env-home")
	h.push(slackfake.AppHomeOpenedEnvelope(env, "EvHome2", human, "home"))
	h.push(slackfake.AppHomeOpenedEnvelope(h.id("env-home"), "EvHome2", human, "home")) // redelivered
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		t.Fatal(err)
	}
	views, err := h.fake.WaitViews(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	h.barrier()
	if n := len(h.fake.Views()); n != 1 {
		t.Errorf("%d views published, want 1 (the Messages tab and a redelivery publish none)", n)
	}
	v := views[0]
	body := plainJSON(v.Blocks)
	if v.User != human || v.Type != "home" {
		t.Errorf("view = %+v, want the Home tab of the user", v)
	}
	for _, want := range []string{"Iris Checker", "Notion accepts its token", "Notion refuses its token", "<#" + helpChan + ">", "token.missing", "<#" + adminChan + ">", ShortcutName} {
		if !strings.Contains(body, want) {
			t.Errorf("Home tab lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "<!channel>") || strings.Contains(body, "<https://evil.example") {
		t.Errorf("an integration's name became live markup: %s", body)
	}
	if !strings.Contains(body, "&lt;!channel&gt; Evil &amp;") {
		t.Errorf("the integration's name is not escaped: %s", body)
	}
}

// fixedDiagnoser answers every reading with a report the test sets.
type fixedDiagnoser struct {
	mu  sync.Mutex
	rep diagnose.Report
	n   int
}

func (f *fixedDiagnoser) set(rep diagnose.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rep = rep
}

func (f *fixedDiagnoser) DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return f.rep
}

func revokedReport() diagnose.Report {
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusProblem, Findings: []diagnose.Finding{
			diagnose.NewFinding(diagnose.CodeTokenInvalid, "GET /v1/users/me answered 401 unauthorized.", nil)}},
		Checks: []diagnose.Check{{Source: pageLink, ID: "01234567-89ab-cdef-0123-456789abcdef", Kind: diagnose.KindUnknown, Status: diagnose.StatusUnknown}},
	}
}

func okReport() diagnose.Report {
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK, Name: "Iris Checker"},
		APIVersion:  "2025-09-03",
		Checks: []diagnose.Check{{Source: pageLink, ID: "01234567-89ab-cdef-0123-456789abcdef", Kind: diagnose.KindPage, Status: diagnose.StatusOK,
			Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeAccessOK, "", nil)}}},
	}
}

func TestAdminChannelToldOncePerIncident(t *testing.T) {
	fd := &fixedDiagnoser{rep: revokedReport()}
	h := start(t, func(c *Config) { c.Diagnoser = fd; c.AdminChannel = adminChan; c.CacheTTL = -1 })
	adminPosts := func() (n int) {
		for _, p := range h.fake.Posts() {
			if p.Channel == adminChan {
				n++
			}
		}
		return n
	}
	for i := range 3 {
		_, _ = h.slash(pageLink)
		rp, err := h.fake.WaitResponsePosts(i+1, wait)
		if err != nil {
			t.Fatal(err)
		}
		if r := rp[i]; !strings.Contains(plainJSON(r.Blocks), "admins were told in <#"+adminChan+">") {
			t.Errorf("asker %d was not told the admins know: %s", i+1, r.Blocks)
		}
	}
	if n := adminPosts(); n != 1 {
		t.Errorf("%d posts in the admin channel for one incident asked 3 times, want 1", n)
	}
	posts := h.fake.Posts()
	if p := posts[0]; p.Channel != adminChan || !strings.Contains(p.Text, "refuses notion-check's own integration token") || !strings.Contains(plainJSON(p.Blocks), "notion.so/profile/integrations") {
		t.Errorf("admin post = %+v", p)
	}
	// Fixed, then refused again: a new incident, told again.
	fd.set(okReport())
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(4, wait); err != nil {
		t.Fatal(err)
	}
	fd.set(revokedReport())
	_, _ = h.slash(pageLink)
	if _, err := h.fake.WaitResponsePosts(5, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	if n := adminPosts(); n != 2 {
		t.Errorf("%d posts in the admin channel after a second incident, want 2", n)
	}
}

func TestWithoutAdminChannelTheAskerIsToldWhoCanFixIt(t *testing.T) {
	fd := &fixedDiagnoser{rep: revokedReport()}
	h := start(t, func(c *Config) { c.Diagnoser = fd })
	h.event("EvAdm1", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + "> " + pageLink, TS: "1700000700.000100"})
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if p := posts[0]; !strings.Contains(string(p.Blocks), "Only whoever runs notion-check can fix it") || !strings.Contains(p.Text, "Only whoever runs notion-check") {
		t.Errorf("answer = %s / %q, want to tell whoever runs the bot", p.Blocks, p.Text)
	}
	h.barrier()
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts, want only the answer", n)
	}
}

func TestAdminChannelUnreachableStillTellsTheAsker(t *testing.T) {
	fd := &fixedDiagnoser{rep: revokedReport()}
	h := start(t, func(c *Config) { c.Diagnoser = fd; c.AdminChannel = adminChan })
	h.fake.NotIn(adminChan)
	_, _ = h.slash(pageLink)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rp[0].Blocks), "Only whoever runs notion-check can fix it") {
		t.Errorf("the admin channel refused the post, yet the asker was told the admins know: %s", rp[0].Blocks)
	}
}

// TestNewSurfacesShowOutsideTextEscaped runs the hostile texts through the
// message shortcut, a direct message, the share and reply-in-thread
// clicks (with forged values holding markup), the admin channel and the
// App Home; the markup checker (scanMarkup, at cleanup) reads every body.
func TestNewSurfacesShowOutsideTextEscaped(t *testing.T) {
	d := hostileNotion(t)
	h := start(t, func(c *Config) {
		c.Diagnoser = d
		c.AdminChannel = adminChan
		c.Integrations = func() []IntegrationHealth { return []IntegrationHealth{{Name: hostileName, Health: "ok"}} }
	})
	trashed := "https://www.notion.so/acme/Q3-" + compactID(notiontest.TrashedPageID)
	for i, text := range append(hostilePastes(), trashed) {
		h.shortcut(otherChan, "1700000800.00010"+string(rune('0'+i)), "", text)
		h.event("EvHostileDM"+string(rune('a'+i)), 0, slackfake.Event{Channel: dmChan, ChannelType: "im", User: human, Text: text, TS: "1700000900.00010" + string(rune('0'+i))})
	}
	h.barrier()
	for _, action := range []string{ShareActionID, ThreadActionID} {
		for _, v := range []string{"<!channel> " + trashed, otherChan + "/1700000800.000100\n<!here> " + trashed + " &lt;!here&gt;"} {
			click := h.id("env-click")
			h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: action, BlockID: RecheckBlockID, Value: v,
				ResponseURL: h.fake.ResponseURL(h.id("click")), ChannelID: otherChan, Ephemeral: true}))
			h.settle(click)
		}
	}
	h.push(slackfake.AppHomeOpenedEnvelope(h.id("env-home"), "EvHostileHome", human, "home"))
	if _, err := h.fake.WaitViews(1, wait); err != nil {
		t.Fatal(err)
	}
	h.barrier()
	_, all := slackBodies(t, h.fake)
	joined := strings.Join(all, "\n")
	for _, want := range []string{"&lt;!channel&gt; Ops &lt;@U999&gt;", "Q3 &lt;!channel&gt; plan"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no body shows %q (escaped)", want)
		}
	}
	var shared bool
	for _, p := range h.fake.Posts() {
		shared = shared || strings.Contains(string(p.Blocks), "Shared by")
	}
	if !shared {
		t.Error("no share click was answered: the test would pass by showing nothing")
	}
}

// TestMessageShortcutAckedFirstAndGuestsRefused: the shortcut's envelope is
// acknowledged before anything is diagnosed or posted (the diagnosis is
// held until the ack is seen), and a user of another organisation gets a
// private refusal, never a diagnosis.
func TestMessageShortcutAckedFirstAndGuestsRefused(t *testing.T) {
	st := &stub{started: make(chan string, 4), release: make(chan struct{})}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	env := h.shortcut(otherChan, "1700001000.000100", "", pageLink)
	if _, err := h.fake.WaitAck(env, wait); err != nil {
		t.Fatal(err)
	}
	<-st.started // the diagnosis runs only now, after the ack
	if n := len(h.fake.Posts()); n != 0 {
		t.Errorf("%d posts before the diagnosis finished", n)
	}
	close(st.release)
	if _, err := h.fake.WaitPosts(1, wait); err != nil {
		t.Fatal(err)
	}

	guest := h.id("env-guest")
	h.push(slackfake.MessageShortcutEnvelope(slackfake.MessageShortcut{EnvelopeID: guest, ChannelID: otherChan, TeamID: "T0OTHERORG",
		MessageTS: "1700001001.000100", MessageText: pageLink}))
	posts, err := h.fake.WaitPosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	if p := posts[1]; p.Method != "chat.postEphemeral" || !strings.Contains(p.Text, "only answers members") {
		t.Errorf("guest's shortcut answered %+v, want a private refusal", p)
	}
	if calls, _ := st.snapshot(); len(calls) != 1 {
		t.Errorf("%d diagnoses, want 1 (none for the guest)", len(calls))
	}
}
