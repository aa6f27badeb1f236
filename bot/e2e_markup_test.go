package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// Hostile texts from every outside source: Notion (a page title, the
// integration's and workspace's names from GET /v1/users/me), the paste
// (markup typed as text, which Slack sends entity-encoded, and real markup)
// and configuration (a channel list entry). The markup checker of every
// harness (scanMarkup, at cleanup) fails the test for any link, mention or
// broadcast the bot did not write; the test also checks that the hostile
// texts are shown, escaped, so that it cannot pass by showing nothing.
const (
	hostileTitle     = "Q3 <!channel> plan"
	hostileName      = "<!channel> Ops <@U999> <https://evil.example|Fix it here>"
	hostileWorkspace = "Acme <!here>"
)

func compactID(id string) string { return strings.ReplaceAll(id, "-", "") }

// hostilePastes are texts as Slack sends them (a typed "<" arrives as
// &lt;, a typed "&lt;" as &amp;lt;; real mentions and links as markup).
func hostilePastes() []string {
	unshared := compactID(notiontest.UnsharedPageID)
	return []string{
		// A typed "&lt;!channel&gt;" (an HTML-escaped error body): decoded
		// once it is the text "&lt;!channel&gt;", never a live <!channel>.
		`Could not find page with ID: ` + notiontest.UnsharedPageID + `. Make sure the relevant pages and databases are shared with your integration "&amp;lt;!channel&amp;gt; Bob".`,
		// Markup typed as text.
		`Could not find page with ID: ` + notiontest.UnsharedPageID + `. Make sure the relevant pages and databases are shared with your integration "&lt;!here&gt; &lt;@U123&gt; &lt;!subteam^S1&gt;".`,
		`&lt;https://evil.example|Fix it here&gt; &lt;!channel&gt; https://www.notion.so/acme/x-` + unshared,
		// Real markup around a reference.
		`<!here> <@U123> <!subteam^S1|@devs> <https://evil.example|Fix it here> ` + "https://www.notion.so/acme/x-" + unshared,
		// No usable reference: the text is quoted in the answer.
		`&lt;!channel&gt; &amp;lt;!here&amp;gt; please check 0123456789abcdef0123`,
	}
}

func hostileNotion(t *testing.T) Diagnoser {
	t.Helper()
	srv := notiontest.NewServer(t,
		notiontest.WithIntegration(hostileName, hostileWorkspace),
		notiontest.WithTitle(notiontest.TrashedPageID, hostileTitle))
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p})
}

func TestNothingFromOutsideBecomesLiveMarkup(t *testing.T) {
	d := hostileNotion(t)
	h := start(t, func(c *Config) {
		c.Diagnoser = d
		c.AllowedChannels = []string{"CALLOWED01", "<!channel>", "<@U999>"}
	})
	trashed := "https://www.notion.so/acme/Q3-" + compactID(notiontest.TrashedPageID)
	texts := append(hostilePastes(), trashed)

	// Slash commands, help-channel messages and mentions.
	for i, text := range texts {
		h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: h.id("env-slash"), Text: text, ChannelID: "CALLOWED01", ResponseURL: h.fake.ResponseURL(h.id("resp"))}))
		ts := "1700000500.0001" + string(rune('0'+i))
		h.event("EvHostile"+ts, 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: ts})
		ts2 := "1700000600.0001" + string(rune('0'+i))
		h.event("EvHostileM"+ts2, 0, slackfake.Event{Type: "app_mention", Channel: "CALLOWED01", User: human, Text: mention + text, TS: ts2})
	}
	// A slash command where the bot is not enabled: the refusal names the
	// configured channels.
	env := h.id("env-refused")
	h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: env, Text: trashed, ChannelID: "CNOTALLOWED", ResponseURL: h.fake.ResponseURL("refused")}))
	h.settle(env)
	h.barrier()

	// Check again: through the click's response_url, and with chat.update
	// (no response_url), with a forged value holding markup.
	for i, v := range []string{trashed, "<!channel> " + trashed + " &lt;!here&gt;", texts[0]} {
		click := h.id("env-click")
		ba := slackfake.BlockAction{EnvelopeID: click, ActionID: RecheckActionID, Value: v, ChannelID: helpChan, MessageTS: "1700000500.000100"}
		if i%2 == 0 {
			ba.ResponseURL = h.fake.ResponseURL(h.id("click"))
		}
		h.push(slackfake.BlockActionsEnvelope(ba))
		h.settle(click)
	}
	h.barrier()

	// The hostile texts were shown, escaped: decoded once, never dropped.
	_, all := slackBodies(t, h.fake)
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		"Q3 &lt;!channel&gt; plan",             // the page title (Notion)
		"&lt;!channel&gt; Ops &lt;@U999&gt;",   // the integration's name (users/me)
		"&amp;lt;!channel&amp;gt; Bob",         // a typed "&lt;!channel&gt;", decoded once
		"&lt;https://evil.example|Fix it here", // a link typed as text
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no reply shows %q (escaped): the hostile text was lost or decoded twice", want)
		}
	}
	// The fallback text of the trashed page's report names the title.
	found := false
	for _, p := range h.fake.Posts() {
		if strings.Contains(p.Text, "Q3 &lt;!channel&gt; plan") {
			found = true
		}
	}
	if !found {
		t.Error("no post's fallback text names the trashed page's title (escaped)")
	}
	if !strings.Contains(joined, "<#CALLOWED01>") {
		t.Error("the refusal does not link the configured channel the bot writes itself")
	}
	// scanMarkup (cleanup) checks every body for foreign markup.
}

// TestGuardNeutralisesForeignMarkup sends, past the renderers, messages
// holding markup the bot does not write: the guard on the way out
// neutralises it in the text, the blocks and response_url bodies, keeps the
// bot's own markup, and logs that it did.
func TestGuardNeutralisesForeignMarkup(t *testing.T) {
	h := start(t, nil)
	hostile := "hi <!channel> <!here|here> <@U123|bob> <#COTHER99> <https://evil.example|Fix it here> <mailto:x@y.z> a < b"
	own := "<#" + helpChan + "> <@" + human + "> <https://www.notion.so/abc|Open in Notion>"
	msg := textMessage(hostile + " " + own)
	ctx := context.Background()
	if err := h.bot.post(ctx, helpChan, "", msg); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.respond(ctx, h.fake.ResponseURL("guard"), msg, false); err != nil {
		t.Fatal(err)
	}
	posts := h.fake.Posts()
	rps := h.fake.ResponsePosts()
	if len(posts) != 1 || len(rps) != 1 {
		t.Fatalf("posts %d, response_url posts %d, want 1 and 1", len(posts), len(rps))
	}
	var blocks []any
	if err := json.Unmarshal(posts[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	var blockText []string
	jsonStrings(blocks, func(s string) { blockText = append(blockText, s) })
	for where, s := range map[string]string{"text": posts[0].Text, "blocks": strings.Join(blockText, " "), "response_url": rps[0].Text} {
		if !strings.Contains(s, own) {
			t.Errorf("%s lost the bot's own markup: %s", where, s)
		}
		if !strings.Contains(s, "&lt;!channel&gt;") {
			t.Errorf("%s does not show the neutralised broadcast: %s", where, s)
		}
	}
	if !strings.Contains(h.logs.String(), "markup the bot did not write") {
		t.Error("the guard did not log what it neutralised")
	}
	// scanMarkup (cleanup) checks that nothing foreign went out.
}
