package bot

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// Evasive forms of a pasted token, spelled out so the table reads.
const (
	zwsp    = "\u200b" // zero-width space
	zwj     = "\u200d" // zero-width joiner
	shy     = "\u00ad" // soft hyphen
	bom     = "\ufeff" // byte-order mark
	wjoiner = "\u2060" // word joiner
	rlo     = "\u202e" // right-to-left override
)

// pastedToken is a made-up Notion token nobody configured.
const pastedToken = "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"

// basicCredential is an OAuth client id:secret pair as Notion's token
// endpoint takes it (made up).
var basicCredential = base64.StdEncoding.EncodeToString([]byte("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:" + "cs_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2"))

// slackUserToken is a made-up Slack user token.
const slackUserToken = "xoxp-" + "12345678901-23456789012-ab12cd34ef56gh78"

// every inserts sep after every n bytes of s.
func every(s, sep string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%n == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// entityEncoded writes every byte of s as a decimal HTML entity.
func entityEncoded(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "&#%d;", s[i])
	}
	return b.String()
}

// evasiveForms is the committed table of the forms a token is pasted in
// that a word-boundary pattern or a plain string search misses. Each goes
// through the slash command, a help-channel message, a mention and a
// "Check again" click: each must be reported as token.leaked, and the
// independent scanner must find no part of any token in anything the bot
// sent or logged.
func evasiveForms() []struct{ name, text string } {
	own := notiontest.GoodToken // the bot's own NOTION_TOKEN
	return []struct{ name, text string }{
		{"own NOTION_TOKEN pasted", "why 401? " + own + " " + pageLink},
		{"other integration's token (NOTION_TOKENS)", marketingToken + " " + pageLink},
		{"glued after a digit", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0" + pastedToken},
		{"glued after a letter", "mytoken" + pastedToken + " " + pageLink},
		{"glued after underscore", "key_" + own + " " + pageLink},
		{"URL-encoded %20", "https://example.com/?q=a%20" + pastedToken + "%20b " + pageLink},
		{"URL-encoded %22 quotes", "%22" + own + "%22 " + pageLink},
		{"URL-encoded %3D", "token%3D" + pastedToken + " " + pageLink},
		{"URL-encoded underscore %5F", "ntn%5F" + own[4:] + " " + pageLink},
		{"double URL-encoded", "token%253D" + strings.Replace(pastedToken, "_", "%255F", 1) + " " + pageLink},
		{"every byte percent-encoded", percentAll(own)},
		{"entity &#95;", "ntn&#95;" + pastedToken[4:] + " " + pageLink},
		{"entity &#x5f;", "ntn&#x5f;" + own[4:] + " " + pageLink},
		{"entity &amp;#95; (double)", "ntn&amp;#95;" + pastedToken[4:]},
		{"every byte an entity", entityEncoded(pastedToken)},
		{"JSON-escaped \\u005f", `{"auth": "ntn\u005f` + own[4:] + `", "page_id": "` + pageID + `"}`},
		{"zero-width space split", every(pastedToken, zwsp, 5) + " " + pageLink},
		{"zero-width joiner split", every(own, zwj, 7)},
		{"soft hyphen split", every(pastedToken, shy, 4) + " " + pageLink},
		{"BOM and word joiner split", bom + every(every(own, wjoiner, 9), bom, 13)},
		{"bidi override split", rlo + every(pastedToken, "\u202c", 11) + " " + pageLink},
		{"zero-width space percent-encoded", strings.ReplaceAll(every(pastedToken, zwsp, 10), zwsp, "%E2%80%8B")},
		{"fullwidth letters", strings.Map(func(r rune) rune { return r + 0xFEE0 }, pastedToken) + " " + pageLink},
		{"Slack bot token (own)", "bot token " + slackfake.BotToken + " " + pageLink},
		{"Slack app token glued", "0" + slackfake.AppToken + " " + pageLink},
		{"Slack user token", "SLACK=" + slackUserToken},
		{"Slack token zero-width split", every(slackUserToken, zwsp, 6)},
		{"Basic auth header", "curl -X POST https://api.notion.com/v1/oauth/token -H 'Authorization: Basic " + basicCredential + "'"},
		{"Bearer in a curl line", "curl https://api.notion.com/v1/pages/" + pageID + " -H 'Authorization: Bearer " + own + "' -H 'Notion-Version: 2022-06-28'"},
		{"Bearer URL-encoded", "Authorization%3A%20Bearer%20" + pastedToken},
		{".env line", "NOTION_TOKEN=" + pastedToken + "\nNOTION_PAGE_ID=" + pageID},
		{"legacy secret_ in code", `const notion = new Client({ auth: "secret_` + "0123456789abcdefABCDEFghijKLMN" + `" }) // ` + pageLink},
		{"in a Slack link label", "<" + pageLink + "?t=" + pastedToken + "|my page>"},
	}
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// TestEvasiveTokensNeverEchoed sends every evasive form through the slash
// command, a help-channel message, a mention and a "Check again" click (a
// button value forged, or from before the value held only references),
// with the real slack-go client against the fake Slack.
func TestEvasiveTokensNeverEchoed(t *testing.T) {
	t.Parallel()
	forms := evasiveForms()
	if len(forms) < 20 {
		t.Fatalf("%d forms, want at least 20", len(forms))
	}
	h := start(t, nil)
	extra := []string{pastedToken, basicCredential, slackUserToken}
	type sent struct{ slash, click, msgTS, mentionTS string }
	ids := make([]sent, len(forms))
	for i, f := range forms {
		_, resp := h.slash(f.text)
		msgTS := fmt.Sprintf("1700100%03d.000100", i)
		h.event(fmt.Sprintf("EvSec%03dm", i), 0, slackfake.Event{Channel: helpChan, User: human, Text: f.text, TS: msgTS})
		menTS := fmt.Sprintf("1700200%03d.000100", i)
		h.event(fmt.Sprintf("EvSec%03da", i), 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human,
			Text: "<@" + slackfake.BotUserID + "> " + f.text, TS: menTS})
		click := fmt.Sprintf("click-sec-%03d", i)
		h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: h.id("env-click"), ActionID: RecheckActionID, BlockID: RecheckBlockID,
			Value: f.text, ResponseURL: h.fake.ResponseURL(click), ChannelID: "C0GENERAL1", Ephemeral: true}))
		ids[i] = sent{resp, click, msgTS, menTS}
	}
	h.barrier()

	byName := map[string]string{}
	for _, r := range h.fake.ResponsePosts() {
		byName[r.Name] += string(r.Body)
	}
	byThread := map[string]string{}
	for _, p := range h.fake.Posts() {
		byThread[p.ThreadTS] += p.Text + string(p.Blocks)
	}
	reported := func(s string) bool {
		return strings.Contains(s, "token.leaked") || strings.Contains(s, LeakWarningText)
	}
	for i, f := range forms {
		for _, path := range []struct{ name, out string }{
			{"slash command", byName[ids[i].slash]},
			{"help-channel message", byThread[ids[i].msgTS]},
			{"mention", byThread[ids[i].mentionTS]},
			{"Check again click", byName[ids[i].click]},
		} {
			if !reported(path.out) {
				t.Errorf("%s via %s: not reported as token.leaked: %.400q", f.name, path.name, path.out)
			}
		}
	}
	n := scanOutputs(t, h.fake, h.logs, extra...)
	t.Logf("%d evasive forms × 4 paths; %d outputs (Slack calls, posts, response_url bodies, acks, log lines) scanned", len(forms), n)
}

// TestConfiguredSecretsRedactedByValue: a configured secret of no token
// shape, and the bot's own NOTION_TOKEN pasted without its prefix or cut,
// are masked by value in every output (only Config.Secrets knows them).
func TestConfiguredSecretsRedactedByValue(t *testing.T) {
	const shapeless = "Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured"
	h := start(t, func(c *Config) { c.Secrets = append(c.Secrets, shapeless) })
	own := notiontest.GoodToken
	texts := []string{
		pageLink + "?key=" + shapeless,
		"the key is " + shapeless,
		pageLink + "#" + own[4:],
		"cut " + own[10:30],
		"%22" + percentSome(shapeless) + "%22 " + pageLink,
		every(shapeless, zwsp, 4) + " " + pageLink,
	}
	for i, text := range texts {
		_, _ = h.slash(text)
		h.event(fmt.Sprintf("EvVal%03d", i), 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: fmt.Sprintf("1700300%03d.000100", i)})
		h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: h.id("env-click"), ActionID: RecheckActionID, BlockID: RecheckBlockID,
			Value: text, ResponseURL: h.fake.ResponseURL(fmt.Sprintf("click-val-%d", i)), ChannelID: "C0GENERAL1", Ephemeral: true}))
	}
	h.barrier()
	if n := len(h.fake.ResponsePosts()); n < 2*len(texts) {
		t.Errorf("%d response_url posts, want at least %d", n, 2*len(texts))
	}
	scanOutputs(t, h.fake, h.logs, shapeless)
}

// percentSome percent-encodes every byte of s that is not a letter or digit.
func percentSome(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
