package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// fuzzBot is a Bot as Run leaves it after auth.test, without a network.
func fuzzBot(t testing.TB) *Bot {
	b, err := New(Config{BotToken: slackfake.BotToken, AppToken: slackfake.AppToken, APIURL: "https://slack.example/api/",
		HelpChannels: []string{helpChan}, Diagnoser: diagnose.New(diagnose.Config{}), Secrets: []string{notiontest.GoodToken, marketingToken},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b.userID, b.botID, b.teamID = slackfake.BotUserID, slackfake.BotID, slackfake.TeamID
	return b
}

// outgoing is one payload the bot would send to Slack.
type outgoing struct {
	where string
	msg   *Message
	raw   any
}

// decideEnvelope turns a raw Socket Mode envelope into what the bot would
// send, exactly as the event loop decides (parsing as slack-go does), with
// the offline diagnoser for the reports.
func decideEnvelope(b *Bot, data []byte) []outgoing {
	var req socketmode.Request
	if json.Unmarshal(data, &req) != nil {
		return nil
	}
	ctx := context.Background()
	// Every message goes through the bot's redaction layer, as post,
	// replace and respond send it.
	report := func(text string) *Message {
		rep := b.cfg.Diagnoser.DiagnoseReading(ctx, b.read(text), diagnose.Options{})
		m := b.redactMessage(Render(withRecheck(rep, text), RenderOptions{}))
		return &m
	}
	var out []outgoing
	switch req.Type {
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		if json.Unmarshal(req.Payload, &cmd) != nil {
			return nil
		}
		p := b.planSlash(cmd, req.Payload)
		ack, err := b.redactPayload(p.ack)
		if err != nil {
			panic(err)
		}
		out = append(out, outgoing{where: "ack", raw: ack})
		if p.work {
			if !b.responseURLAllowed(p.url) {
				panic("planned an answer to a response_url that is not allowed")
			}
			out = append(out, outgoing{where: "response_url", msg: report(p.text)})
		}
	case socketmode.RequestTypeEventsAPI:
		ev, err := slackevents.ParseEvent(req.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return nil
		}
		m, _, ok := incomingOf(ev)
		if !ok || !b.wanted(m) {
			return nil
		}
		p := b.planEvent(m)
		if p.leak {
			lw := b.redactMessage(LeakWarningMessage())
			out = append(out, outgoing{where: "leak warning", msg: &lw})
		}
		switch {
		case p.refusal != "":
			tm := b.redactMessage(textMessage(p.refusal))
			out = append(out, outgoing{where: "refusal", msg: &tm})
		case p.report:
			rep := b.cfg.Diagnoser.DiagnoseReading(ctx, p.reading, diagnose.Options{})
			m := Render(withRecheck(rep, p.text), RenderOptions{})
			out = append(out, outgoing{where: "report", msg: &m})
		case p.usage:
			u := b.redactMessage(UsageMessage())
			out = append(out, outgoing{where: "usage", msg: &u})
		}
		if p.any() && (p.channel == "" || p.thread == "") {
			panic("an answer without channel or thread")
		}
	case socketmode.RequestTypeInteractive:
		var cb slack.InteractionCallback
		if json.Unmarshal(req.Payload, &cb) != nil {
			return nil
		}
		p, ok := b.planInteraction(cb)
		if !ok {
			return nil
		}
		if p.url != "" && !b.responseURLAllowed(p.url) {
			panic("planned an answer to a response_url that is not allowed")
		}
		if p.refusal != "" {
			tm := b.redactMessage(textMessage(p.refusal))
			out = append(out, outgoing{where: "refusal", msg: &tm})
		} else {
			out = append(out, outgoing{where: "recheck", msg: report(p.text)})
		}
	}
	return out
}

// strs collects every string of a JSON value.
func strs(v any, into *[]string) {
	switch v := v.(type) {
	case string:
		*into = append(*into, v)
	case []any:
		for _, x := range v {
			strs(x, into)
		}
	case map[string]any:
		for k, x := range v {
			*into = append(*into, k)
			strs(x, into)
		}
	}
}

// checkOutgoing fails when a payload breaks Slack's limits or holds a
// secret as the independent scanner scan sees it (any part of a test
// token or of the bot's configured secrets, in any decoded form, or a
// token-shaped string).
func checkOutgoing(t *testing.T, scan *leakscan.Scanner, o outgoing) {
	t.Helper()
	var js []byte
	var err error
	if o.msg != nil {
		assertLimits(t, *o.msg)
		js, err = json.Marshal(o.msg)
	} else {
		js, err = json.Marshal(o.raw)
	}
	if err != nil {
		t.Fatalf("%s: %v", o.where, err)
	}
	if len(js) > 64<<10 {
		t.Errorf("%s: payload of %d bytes", o.where, len(js))
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatalf("%s: %v", o.where, err)
	}
	var ss []string
	strs(v, &ss)
	for _, s := range ss {
		if leaks := scan.Scan(s); len(leaks) > 0 {
			t.Errorf("%s: a secret is sent: %v", o.where, leaks)
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s: invalid UTF-8 sent", o.where)
		}
	}
}

// FuzzSlackPayload feeds arbitrary Socket Mode envelopes (slash commands,
// Events API messages and mentions, button clicks) through the bot's
// decisions and the renderer: no panic, every payload within Slack's
// limits, no token echoed, never a response_url on a foreign host.
func FuzzSlackPayload(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	b := fuzzBot(f)
	scan := scanner(b.cfg.Secrets...)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range decideEnvelope(b, data) {
			checkOutgoing(t, scan, o)
		}
	})
}

// FuzzRender renders arbitrary reports (decoded from JSON) with an
// arbitrary re-check text: no panic, within Slack's limits, no token.
func FuzzRender(f *testing.F) {
	f.Add([]byte(`{"integration":{"status":"missing","findings":[{"code":"token.missing","severity":"warning","title":"t","detail":"d","fix":["a"]}]},"checks":[{"source":"x","id":"","kind":"unknown","status":"problem","findings":[{"code":"id.missing","severity":"error","title":"No ID"}]}]}`), pageLink)
	f.Add([]byte(`{"checks":[{"source":"<!channel> `+fakeToken+`","id":"<@U1>","title":"&lt;b&gt;","findings":[{"title":"Bearer abcdefghijkl","detail":"xoxb-123456789-abcdef"}]}],"skipped":990}`), "Bearer abcdefghijklmnop")
	f.Add([]byte(`{"checks":[{"source":"key_`+notiontest.GoodToken+` %22ntn%5F`+marketingToken[4:]+`%22","id":"","title":"n\u200btn_`+fakeToken[4:]+`"}]}`), "0"+notiontest.GoodToken)
	b := fuzzBot(f)
	scan := scanner(b.cfg.Secrets...)
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		var rep diagnose.Report
		if json.Unmarshal(data, &rep) != nil {
			return
		}
		// What the bot sends: the rendered message through its redaction
		// layer (by shape and by the configured values).
		m := b.redactMessage(Render(withRecheck(rep, text), RenderOptions{}))
		checkOutgoing(t, scan, outgoing{where: "render", msg: &m})
	})
}

// fuzzSeeds are the seed envelopes (also committed under
// testdata/fuzz/FuzzSlackPayload).
func fuzzSeeds() map[string][]byte {
	rurl := "https://slack.example/response/seed"
	seeds := map[string][]byte{
		"slash_link":     slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e1", Text: pageLink, ResponseURL: rurl}),
		"slash_help":     slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e2", Text: "help", ResponseURL: rurl}),
		"slash_token":    slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e3", Text: "Bearer " + fakeToken + " " + pageLink, ResponseURL: rurl}),
		"slash_external": slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e4", Text: pageLink, ResponseURL: rurl, UserTeam: "T0OTHER99"}),
		"slash_evil_url": slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e5", Text: pageLink, ResponseURL: "http://169.254.169.254/latest"}),
		"help_message":   slackfake.EventsAPIEnvelope("e6", "Ev1", 0, slackfake.Event{Channel: helpChan, User: human, Text: "<" + pageLink + "|link> &amp; <!channel>", TS: "1.1"}),
		"mention_usage":  slackfake.EventsAPIEnvelope("e7", "Ev2", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + "> hi", TS: "1.2"}),
		"mention_ext":    slackfake.EventsAPIEnvelope("e8", "Ev3", 1, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: "<@" + slackfake.BotUserID + "> " + pageLink, TS: "1.3", UserTeam: "T0OTHER99"}),
		"leak":           slackfake.EventsAPIEnvelope("e9", "Ev4", 0, slackfake.Event{Channel: helpChan, User: human, Text: "token " + fakeToken + " xoxb-1234-5678-abcdefgh", TS: "1.4", ThreadTS: "1.0"}),
		"click":          slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: "e10", ActionID: RecheckActionID, Value: pageLink, ResponseURL: rurl, ChannelID: otherChan, MessageTS: "1.5"}),
		"click_evil":     slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: "e11", ActionID: RecheckActionID, Value: pageLink, ResponseURL: "https://evil.example/x", Ephemeral: true}),
		"disconnect":     slackfake.DisconnectEnvelope("warning"),
		"nested_json":    slackfake.EventsAPIEnvelope("e12", "Ev5", 0, slackfake.Event{Channel: helpChan, User: human, Text: strings.Repeat("[", 300) + `{"object":"error","code":"object_not_found"}`, TS: "1.6"}),
		"many_links":     slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e13", Text: strings.Repeat(pageLink+"?p="+strings.Repeat("1", 32)+" ", 30), ResponseURL: rurl}),
		"bidi":           slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "e14", Text: "\u202e\u200b" + pageID + "\x00\x1b", ResponseURL: rurl}),
	}
	return seeds
}

// TestWriteFuzzSeeds rewrites the committed seed corpus of
// FuzzSlackPayload (NOTION_CHECK_WRITE_SEEDS=1 go test ./bot -run TestWriteFuzzSeeds).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("NOTION_CHECK_WRITE_SEEDS") == "" {
		t.Skip("set NOTION_CHECK_WRITE_SEEDS=1 to rewrite testdata/fuzz/FuzzSlackPayload")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzSlackPayload")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range fuzzSeeds() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		if err := os.WriteFile(filepath.Join(dir, "seed_"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join("testdata", "fuzz", "FuzzRender")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one", "two", "three"} {
		rep := diagnose.New(diagnose.Config{}).Diagnose(context.Background(), "Bearer "+fakeToken+" "+strings.Repeat(pageLink+" ", 3)+name, diagnose.Options{})
		js, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\nstring(%s)\n", strconv.Quote(string(js)), strconv.Quote("<!here> "+name+" xoxp-"+"1234567890-abcdef"))
		if err := os.WriteFile(filepath.Join(dir, "seed_"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDecideEnvelopeSeeds(t *testing.T) {
	b := fuzzBot(t)
	scan := scanner(b.cfg.Secrets...)
	got := map[string]int{}
	for name, s := range fuzzSeeds() {
		out := decideEnvelope(b, s)
		for _, o := range out {
			checkOutgoing(t, scan, o)
		}
		got[name] = len(out)
	}
	want := map[string]int{"slash_link": 2, "slash_help": 1, "slash_token": 2, "slash_external": 1, "slash_evil_url": 1,
		"help_message": 1, "mention_usage": 1, "mention_ext": 1, "leak": 2, "click": 1, "click_evil": 0, "disconnect": 0}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: %d payloads, want %d", name, got[name], n)
		}
	}
}
