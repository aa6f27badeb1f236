package bot

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
)

// The markup checker of the tests. It shares no code with the bot's
// escaping (esc) or its guard (guardMarkup): it reads every body the fake
// Slack received, as Slack would read it, and lists every piece of markup
// in it — links, user, channel and group mentions, broadcasts — that is not
// on its own allow-list of what the bot writes.

// markupTokenRE is Slack's markup as Slack's clients parse it: "<", then
// anything but "<" and ">", then ">". HTML entities (&lt;) are text.
var markupTokenRE = regexp.MustCompile(`<([^<>]*)>`)

// markupAllow is what the bot may write itself: links to these URL
// prefixes, mentions of these channel and user IDs. Nothing else, and never
// a broadcast (<!channel>, <!here>, <!everyone>) or a group (<!subteam^…>).
type markupAllow struct {
	channels, users map[string]bool
	linkPrefixes    []string
}

// defaultMarkupAllow allows the channels the harness configured (the
// refusal names them), the test's own human user (a "shared by" line) and
// links to Notion's own pages.
func defaultMarkupAllow(channels ...string) markupAllow {
	a := markupAllow{channels: map[string]bool{}, users: map[string]bool{human: true},
		linkPrefixes: []string{"https://www.notion.so/", "https://notion.so/", "https://www.notion.com/",
			"https://developers.notion.com/", "https://status.notion.so"}}
	for _, c := range channels {
		a.channels[c] = true
	}
	return a
}

func (a markupAllow) allows(inner string) bool {
	switch {
	case inner == "":
		return false
	case inner[0] == '!':
		return false
	case inner[0] == '#':
		return a.channels[inner[1:]] // no label: the bot writes <#C…> alone
	case inner[0] == '@':
		return a.users[inner[1:]]
	}
	target, _, _ := strings.Cut(inner, "|")
	for _, p := range a.linkPrefixes {
		if strings.HasPrefix(target, p) && !strings.ContainsAny(target, " \"'") {
			return true
		}
	}
	return false
}

// slackBodies lists every text the bot sent to the fake Slack, each with
// where it went: Web API form values (blocks and attachments decoded into
// their strings), ack payloads and response_url bodies (every string of
// the JSON).
func slackBodies(t testing.TB, fake *slackfake.Server) (where, what []string) {
	t.Helper()
	add := func(w, s string) { where, what = append(where, w), append(what, s) }
	addJSON := func(w string, js []byte) {
		if len(js) == 0 {
			return
		}
		var v any
		if err := json.Unmarshal(js, &v); err != nil {
			t.Errorf("%s is not JSON: %v: %.200s", w, err, js)
			return
		}
		jsonStrings(v, func(s string) { add(w, s) })
	}
	for _, c := range fake.Calls("") {
		addJSON(c.Method+" body", c.Body) // a JSON body (views.publish)
		for k, vs := range c.Form {
			switch k {
			case "token", "channel", "ts", "thread_ts", "user":
				continue
			}
			for _, v := range vs {
				if k == "blocks" || k == "attachments" || k == "view" {
					addJSON(c.Method+" "+k, []byte(v))
					continue
				}
				add(c.Method+" "+k, v)
			}
		}
	}
	for _, a := range fake.Acks() {
		addJSON("the ack of "+a.EnvelopeID, a.Payload)
	}
	for _, r := range fake.ResponsePosts() {
		addJSON("response_url "+r.Name, r.Body)
	}
	return where, what
}

func jsonStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			jsonStrings(e, f)
		}
	case map[string]any:
		for _, e := range x {
			jsonStrings(e, f)
		}
	}
}

// foreignMarkup returns every piece of markup in s the allow-list does not
// allow.
func foreignMarkup(s string, allow markupAllow) []string {
	var bad []string
	for _, m := range markupTokenRE.FindAllStringSubmatch(s, -1) {
		if !allow.allows(m[1]) {
			bad = append(bad, m[0])
		}
	}
	return bad
}

// scanMarkup fails the test for every piece of markup the bot sent that is
// not on allow, and returns how many texts it read.
func scanMarkup(t testing.TB, fake *slackfake.Server, allow markupAllow) int {
	t.Helper()
	where, what := slackBodies(t, fake)
	for i, s := range what {
		if bad := foreignMarkup(s, allow); len(bad) > 0 {
			t.Errorf("markup the bot did not write went to Slack in %s: %q in %.300q", where[i], bad, s)
		}
	}
	return len(what)
}

func TestMarkupCheckerFindsForeignMarkup(t *testing.T) {
	allow := defaultMarkupAllow(helpChan)
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"plain &lt;!channel&gt; text", 0},
		{"hey <!channel> and <!here|here>", 2},
		{"<@U123> <@" + human + ">", 1},
		{"<#" + helpChan + "> <#COTHER99> <#" + helpChan + "|x>", 2},
		{"<!subteam^S1|@devs> <!everyone>", 2},
		{"<https://evil.example|Fix it here> <https://www.notion.so/abc|Open in Notion>", 1},
		{"<mailto:a@b.c|mail> <https://www.notion.so/ x|y>", 2},
		{"```\n<!channel>\n```", 1},
	} {
		if got := foreignMarkup(tc.in, allow); len(got) != tc.want {
			t.Errorf("foreignMarkup(%q) = %q, want %d", tc.in, got, tc.want)
		}
	}
}
