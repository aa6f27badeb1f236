package bot

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestReadingNeverHoldsAcks: while every read slot is held by texts whose
// reading is blocked (a reader stuck on a channel, standing for a slow
// 160 kB paste), every other envelope — slash commands, help-channel
// messages, mentions, a click — is still acknowledged; once the readers are
// released, every one is answered. On the event loop, the first blocked
// reading would have held every ack behind it.
func TestReadingNeverHoldsAcks(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan string, 16)
	h := startBot(t, nil, nil, func(b *Bot) {
		b.beforeRead = func(text string) {
			if strings.Contains(text, "BIGPASTE") {
				entered <- text
				<-release
			}
		}
	})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	big := "BIGPASTE " + pageLink + " " + strings.Repeat("lorem ipsum ", MaxTextBytes/12)
	var bigEnvs []string
	for i := range 3 {
		ts := "1700002000.00010" + string(rune('0'+i))
		bigEnvs = append(bigEnvs, h.event("EvBig"+ts, 0, slackfake.Event{Channel: helpChan, User: human, Text: big, TS: ts}))
	}
	<-entered // a reader holds a slot, blocked
	var small []string
	s1, r1 := h.slash(pageLink)
	s2, _ := h.slash("help")
	small = append(small, s1, s2,
		h.event("EvSmall1", 0, slackfake.Event{Channel: helpChan, User: human, Text: "why? " + pageLink, TS: "1700002100.000100"}),
		h.event("EvSmall2", 0, slackfake.Event{Type: "app_mention", Channel: otherChan, User: human, Text: mention + pageLink, TS: "1700002101.000100"}))
	click := h.id("env-click")
	h.push(slackfake.BlockActionsEnvelope(slackfake.BlockAction{EnvelopeID: click, ActionID: RecheckActionID, Value: pageLink, ResponseURL: h.fake.ResponseURL("offloop")}))
	small = append(small, click)
	for _, env := range append(bigEnvs, small...) {
		if _, err := h.fake.WaitAck(env, wait); err != nil {
			t.Fatalf("envelope %s not acked while a reading is blocked: %v", env, err)
		}
	}
	released = true
	close(release)
	h.barrier()
	threads := map[string]bool{}
	for _, p := range h.fake.Posts() {
		threads[p.ThreadTS] = true
	}
	for _, ts := range []string{"1700002000.000100", "1700002000.000101", "1700002000.000102", "1700002100.000100", "1700002101.000100"} {
		if !threads[ts] {
			t.Errorf("message %s not answered", ts)
		}
	}
	names := map[string]bool{}
	for _, r := range h.fake.ResponsePosts() {
		names[r.Name] = true
	}
	for _, n := range []string{r1, "offloop"} { // help (r2) is answered in its ack
		if !names[n] {
			t.Errorf("response_url %s not answered", n)
		}
	}
}

// TestMeasureAcksBehindBigMessages (NOTION_MEASURE=1) measures how long
// five small slash commands wait for their acks behind three 160 kB
// help-channel messages of the reader's costliest shapes, with the real
// reader; NOTION_MEASURE_SLOW_READ=1s makes each big reading take that
// much longer (as the reader's quadratic paths once did). Its figures go
// into the README; nothing is asserted on time.
//
//	NOTION_MEASURE=1 go test ./bot -run TestMeasureAcksBehindBigMessages -v -count=1
func TestMeasureAcksBehindBigMessages(t *testing.T) {
	measuring(t)
	slow, _ := time.ParseDuration(os.Getenv("NOTION_MEASURE_SLOW_READ"))
	h := startBot(t, nil, nil, func(b *Bot) {
		b.beforeRead = func(text string) {
			if len(text) > 100_000 {
				time.Sleep(slow)
			}
		}
	})
	h.barrier()
	shapes := []string{
		strings.Repeat("0123456789abcdef0123456789abcdef-", MaxTextBytes/33),
		strings.Repeat("Could not find page with ID: ", MaxTextBytes/29),
		strings.Repeat("0123456789abcdef0123456789abcdef?v=", MaxTextBytes/35),
	}
	t0 := time.Now()
	for i, text := range shapes {
		ts := "1700003000.00010" + string(rune('0'+i))
		h.event("EvMeasure"+ts, 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: ts})
	}
	var envs []string
	pushed := map[string]time.Time{}
	for range 5 {
		env, resp := h.slash(pageLink)
		envs = append(envs, env)
		pushed[env], pushed[resp] = time.Now(), time.Now()
	}
	var worst time.Duration
	for _, env := range envs {
		a, err := h.fake.WaitAck(env, wait)
		if err != nil {
			t.Fatal(err)
		}
		worst = max(worst, a.At.Sub(pushed[env]))
	}
	rps, err := h.fake.WaitResponsePosts(5, wait)
	if err != nil {
		t.Fatal(err)
	}
	var answered time.Duration
	for _, r := range rps {
		answered = max(answered, r.At.Sub(pushed[r.Name]))
	}
	h.barrier()
	t.Logf("5 small slash commands behind 3 × %d kB messages (each read %s slower): slowest ack %s, slowest answer %s after its push; all answered %s after the first push",
		MaxTextBytes/1000, slow, worst.Round(100*time.Microsecond), answered.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
}

// TestMayAnswerCoversPlanEvent: the check a replica's event loop makes
// before queueing a message (mayAnswer, which never reads the text for
// references) says yes whenever planning the message (planEvent) finds
// something to answer, and it does not read.
func TestMayAnswerCoversPlanEvent(t *testing.T) {
	b := fuzzBot(t)
	b.cfg.AllowedChannels = []string{otherChan}
	b.allowed = map[string]bool{otherChan: true}
	read := 0
	texts := []string{"", "hello", pageLink, "why? " + pageLink, fakeToken, "x " + fakeToken + " y",
		"<@" + slackfake.BotUserID + "> " + pageLink, "<@" + slackfake.BotUserID + "> hi",
		"Could not find page with ID: " + pageID, "ntn&#95;" + fakeToken[4:], notiontest.GoodToken[4:]}
	for _, ch := range []string{helpChan, otherChan, "CELSEWHERE"} {
		for _, team := range []string{"", slackfake.TeamID, "T0OTHER99"} {
			for k := range 3 {
				mention, dm := k == 1, k == 2
				for _, text := range texts {
					m := incoming{channel: ch, user: human, text: text, ts: "1.1", team: team, mention: mention, dm: dm}
					b.beforeRead = func(string) { read++ }
					may := b.mayAnswer(m)
					if read != 0 {
						t.Fatalf("mayAnswer(%+v) read the text", m)
					}
					b.beforeRead = nil
					if b.planEvent(m).any() && !may {
						t.Errorf("planEvent(%+v) answers, mayAnswer says no", m)
					}
				}
			}
		}
	}
}
