package bot

import (
	"strings"
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestWithFakeNotion wires the real prober against the fake Notion: the
// bot answers a slash command and a help-channel message with online
// findings, and "Check again" bypasses the prober's cache.
func TestWithFakeNotion(t *testing.T) {
	srv := notiontest.NewServer(t)
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p})
	h := start(t, func(c *Config) { c.Diagnoser = d })

	unshared := "https://www.notion.so/acme/Secret-" + strings.ReplaceAll(notiontest.UnsharedPageID, "-", "")
	_, _ = h.slash(unshared)
	rp, err := h.fake.WaitResponsePosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	body := string(rp[0].Body)
	for _, want := range []string{"access.not_shared", notiontest.IntegrationName, notiontest.WorkspaceName, "Request IDs"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q: %s", want, rp[0].Blocks)
		}
	}
	h.noSecrets(body)
	if strings.Contains(body, notiontest.GoodToken) {
		t.Error("the Notion token leaked into the reply")
	}

	shared := "https://www.notion.so/acme/Roadmap-" + strings.ReplaceAll(notiontest.SharedPageID, "-", "")
	h.event("EvN1", 0, slackfake.Event{Channel: helpChan, User: human, Text: "why? " + shared, TS: "1700000100.000100"})
	posts, err := h.fake.WaitPosts(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(posts[0].Blocks), "access.ok") || strings.Contains(string(posts[0].Blocks), notiontest.GoodToken) {
		t.Errorf("help-channel report: %s", posts[0].Blocks)
	}

	before := len(srv.Calls())
	env := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: env, ActionID: RecheckActionID, Value: unshared, ResponseURL: h.fake.ResponseURL("clickN")}))
	rp, err = h.fake.WaitResponsePosts(2, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !rp[1].ReplaceOriginal || !strings.Contains(string(rp[1].Blocks), "access.not_shared") {
		t.Errorf("recheck answer: %+v", rp[1])
	}
	if len(srv.Calls()) == before {
		t.Error("Check again did not ask Notion again (cache not bypassed)")
	}
}
