package bot

import (
	"testing"

	"github.com/notion-check/notion-check/bot/slackfake"
)

// TestSharedModeNewSurfacesAnsweredOnce: with two replicas on one Redis,
// a message shortcut, a share click, a direct message and an App Home
// opening, each delivered to both replicas (as Slack redelivers an
// envelope whose ack it missed), are answered once.
func TestSharedModeNewSurfacesAnsweredOnce(t *testing.T) {
	t.Parallel()
	rs := startReplicaSet(t, 2)
	fake := rs.fake
	push2 := func(env []byte) {
		t.Helper()
		c1, _ := fake.PushConn(env)
		c2, _ := fake.PushConn(env)
		if c1 == c2 {
			t.Fatalf("both deliveries on connection %d", c1)
		}
	}
	count := func(method, channel string) (n int) {
		for _, p := range fake.Posts() {
			if p.Method == method && p.Channel == channel {
				n++
			}
		}
		return n
	}

	push2(slackfake.MessageShortcutEnvelope(slackfake.MessageShortcut{EnvelopeID: "env-sc1", ChannelID: otherChan, MessageUser: "UOTHER0001",
		MessageTS: "1700003000.000100", MessageText: pageLink}))
	waitFor(t, "the shortcut's answer", func() bool { return count("chat.postEphemeral", otherChan) >= 1 })

	push2(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: "env-sh1", ActionID: ShareActionID, BlockID: RecheckBlockID,
		Value: "https://www.notion.so/" + pageID, ResponseURL: fake.ResponseURL("sh1"), ChannelID: otherChan, Ephemeral: true}))
	waitFor(t, "the shared report", func() bool { return count("chat.postMessage", otherChan) >= 1 })

	push2(slackfake.EventsAPIEnvelope("env-dm1", "EvSharedDM1", 0, slackfake.Event{Channel: dmChan, ChannelType: "im", User: human, Text: pageLink, TS: "1700003100.000100"}))
	waitFor(t, "the DM's answer", func() bool { return count("chat.postMessage", dmChan) >= 1 })

	push2(slackfake.AppHomeOpenedEnvelope("env-home1", "EvSharedHome1", human, "home"))
	if _, err := fake.WaitViews(1, wait); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAcks(8, wait); err != nil { // every delivery acknowledged
		t.Fatal(err)
	}
	waitQueueEmpty(t, rs)
	for _, b := range rs.bots {
		if !b.waitIdle(wait) {
			t.Fatal("work still in flight")
		}
	}
	if n := count("chat.postEphemeral", otherChan); n != 1 {
		t.Errorf("shortcut answered %d times, want 1", n)
	}
	if n := count("chat.postMessage", otherChan); n != 1 {
		t.Errorf("share click posted %d times, want 1", n)
	}
	if n := count("chat.postMessage", dmChan); n != 1 {
		t.Errorf("DM answered %d times, want 1", n)
	}
	if n := len(fake.Views()); n != 1 {
		t.Errorf("App Home published %d times, want 1", n)
	}
}
