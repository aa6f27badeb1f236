package bot

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// startTeam runs the real bot with the real Diagnoser of three
// integrations, wired as serve wires NOTION_TOKEN (Iris Checker) and
// NOTION_TOKENS (Marketing Sync, the personal access token Notion CLI):
// one notion prober each, against the fake Notion, and the real slack-go
// client against the fake Slack. Every token is a secret of the run: the
// leak scan at cleanup looks for each in everything the bot sent or
// logged.
func startTeam(t *testing.T) (*harness, *notiontest.Server) {
	t.Helper()
	srv := notiontest.NewServer(t)
	var ps []diagnose.Prober
	for _, tok := range []string{notiontest.GoodToken, notiontest.MarketingToken, notiontest.PersonalToken} {
		p, err := notion.New(notion.Config{Token: tok, BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	d := diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: ps[0], Others: ps[1:]})
	h := start(t, func(c *Config) {
		c.Diagnoser = d
		c.Secrets = []string{notiontest.GoodToken, notiontest.MarketingToken, notiontest.PersonalToken}
	})
	return h, srv
}

// shownText is every "text" string of a Slack message body (blocks or a
// response_url payload), with Slack's escaping undone: what a person
// reads, so that assertions do not depend on JSON or mrkdwn escaping.
func shownText(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, raw)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					b.WriteString(html.UnescapeString(s) + "\n")
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// notFoundPaste is the message a person pastes after a 404 of the
// integration named.
func notFoundPaste(id, integration string) string {
	return fmt.Sprintf("our sync fails with: Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration %q.", id, integration)
}

// TestTeamHelpChannelAnswers: in the help channel, a pasted 404 is checked
// as the integration it names when that one is configured, answered from
// the other integrations' view when it is not, and a personal access
// token's advice is about its creator's access, never Connections.
func TestTeamHelpChannelAnswers(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		head   string   // in the answer (the header and fallback text)
		want   []string // in what the person reads
		absent []string // nowhere in it, the answer included
	}{
		{name: "names a configured integration: checked as it",
			text: notFoundPaste(notiontest.SharedPageID, notiontest.MarketingName),
			head: "Not shared with Marketing Sync — open it → ••• → Connections → add Marketing Sync",
			// Judged as Marketing Sync; the others still say whether they
			// see the page (more integrations never make the answer less
			// precise), but their share advice is not given.
			want:   []string{string(diagnose.CodeAccessNotShared), `add the integration "Marketing Sync"`, "As Marketing Sync · Notion-Version", "Iris Checker ✓"},
			absent: []string{"As Iris Checker", "add Iris Checker", `add the integration "Iris Checker"`, string(diagnose.CodeAccessOK), string(diagnose.CodeAccessOtherIntegration)}},
		{name: "names an integration not configured: the others tell",
			text:   notFoundPaste(notiontest.SharedPageID, "Sales Bot"),
			head:   "Not shared with Sales Bot — open it → ••• → Connections → add Sales Bot",
			want:   []string{string(diagnose.CodeAccessOtherIntegration), `add "Sales Bot"`, "Access: Iris Checker ✓ · Marketing Sync ✗ · Notion CLI ✓"},
			absent: []string{string(diagnose.CodeAccessOK) + " ", "All good"}},
		{name: "the personal access token: its creator's access",
			text:   notFoundPaste(notiontest.UnsharedPageID, notiontest.PersonalName),
			head:   "personal access token Notion CLI",
			want:   []string{string(diagnose.CodeAccessNotShared), string(diagnose.CodeTokenPersonal), "personal access token"},
			absent: []string{"→ Connections → add", "Connections, and add", "add the integration", "add Iris Checker", "add Notion CLI", "As Iris Checker"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, srv := startTeam(t)
			h.event(fmt.Sprintf("EvTeam%d", i), 0, slackfake.Event{Channel: helpChan, User: human, Text: tt.text, TS: fmt.Sprintf("1700000200.00010%d", i)})
			posts, err := h.fake.WaitPosts(1, wait)
			if err != nil {
				t.Fatal(err)
			}
			h.barrier()
			if n := len(h.fake.Posts()); n != 1 {
				t.Errorf("%d posts, want the one reply", n)
			}
			p := posts[0]
			head := html.UnescapeString(p.Text)
			if !strings.Contains(head, tt.head) {
				t.Errorf("the answer is %q, want it to say %q", head, tt.head)
			}
			shown := shownText(t, p.Blocks) + head
			for _, w := range tt.want {
				if !strings.Contains(shown, w) {
					t.Errorf("the reply does not say %q:\n%s", w, shown)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(shown, a) {
					t.Errorf("the reply says %q:\n%s", a, shown)
				}
			}
			h.noSecrets(string(p.Blocks) + p.Text)
			if testing.Verbose() {
				t.Logf("reply:\n%s\nNotion calls: %d", shown, len(srv.Calls()))
			}
		})
	}
}

// TestTeamSlashShowsEachIntegrationsAccess: a bare ID with no error pasted
// is asked of every configured integration once, and the report's access
// line tells which of them see it.
func TestTeamSlashShowsEachIntegrationsAccess(t *testing.T) {
	h, srv := startTeam(t)
	_, _ = h.slash(notiontest.MarketingOnlyPageID)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	shown := shownText(t, rp[0].Body)
	if want := "Access: Iris Checker ✗ · Marketing Sync ✓ · Notion CLI ✓"; !strings.Contains(shown, want) {
		t.Errorf("the report lacks %q:\n%s", want, shown)
	}
	// Not named, so the answer is NOTION_TOKEN's own (Iris Checker).
	for _, w := range []string{string(diagnose.CodeAccessNotShared), "Not shared with Iris Checker", `add the integration "Iris Checker"`, "As Iris Checker (Acme Corp)"} {
		if !strings.Contains(shown, w) {
			t.Errorf("the report lacks %q:\n%s", w, shown)
		}
	}
	h.noSecrets(string(rp[0].Body))
	// Each integration asked each path at most once, users/me once each.
	asked := map[string]int{}
	for _, c := range srv.Calls() {
		asked[c.Integration+" "+c.Method+" "+c.Path]++
	}
	for k, n := range asked {
		if n > 1 {
			t.Errorf("%s asked %d times", k, n)
		}
	}
	for _, name := range []string{notiontest.IntegrationName, notiontest.MarketingName, notiontest.PersonalName} {
		if asked[name+" GET /v1/users/me"] != 1 {
			t.Errorf("%s: users/me asked %d times", name, asked[name+" GET /v1/users/me"])
		}
	}
	if testing.Verbose() {
		t.Logf("report:\n%s", shown)
	}
}
