package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
)

// badInputs are pasted texts a help channel may receive.
func badInputs() map[string]string {
	var links strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&links, "<https://www.notion.so/acme/Page-%032x> ", i+1)
	}
	nested := strings.Repeat(`{"a":[`, 5000) + `"` + pageID + `"` + strings.Repeat(`]}`, 5000)
	var huge strings.Builder
	huge.WriteString(`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + pageID + `","items":[`)
	for huge.Len() < 1<<20 {
		huge.WriteString(`{"id":"x","text":"lorem ipsum dolor sit amet"},`)
	}
	huge.WriteString(`{}]}`)
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i*7 + i/13)
	}
	return map[string]string{
		"1MB":        pageLink + " " + strings.Repeat("a", 1<<20),
		"1000links":  links.String(),
		"control":    "\x00\x01\x07\x1b[31m" + pageLink + "\x7f\u0085",
		"zero-width": "https://www.notion.so/acme/Page-0123\u200b4567\u200c89ab\u200dcdef\ufeff0123456789abcdef",
		"bidi":       "\u202e" + pageLink + "\u202c \u2066" + pageID + "\u2069",
		"markup":     "<https://www.notion.so/acme/Page-" + pageID + "|label <<< *_~`` &amp;&lt; <@U123 <#C12|",
		"nested":     nested,
		"hugeJSON":   huge.String(),
		"binary":     string(bin) + " " + pageLink,
		"mention":    "<!channel> <!here> <@U0HUMAN> " + pageLink,
	}
}

// TestBadInputAnswered: every bad input gets one well-formed answer
// (how long each took is logged, not asserted).
func TestBadInputAnswered(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	inputs := badInputs()
	i := 0
	for name, text := range inputs {
		i++
		ts := fmt.Sprintf("1700000800.%06d", i)
		t0 := time.Now()
		env := h.event("EvBad"+name, 0, slackfake.Event{Channel: helpChan, User: human, Text: text, TS: ts})
		h.settle(env)
		d := time.Since(t0)
		var got *slackfake.Post
		for _, p := range h.fake.Posts() {
			if p.ThreadTS == ts {
				got = &p
			}
		}
		if got == nil {
			for _, p := range h.fake.Posts() {
				t.Logf("post thread=%s text=%.80q", p.ThreadTS, p.Text)
			}
			t.Errorf("%s: no answer", name)
			continue
		}
		var blocks []json.RawMessage
		if err := json.Unmarshal(got.Blocks, &blocks); err != nil || len(blocks) == 0 || len(blocks) > MaxBlocks {
			t.Errorf("%s: %d blocks (%v)", name, len(blocks), err)
		}
		if len(got.Text) > MaxFallbackText || len(got.Blocks) > 40000 {
			t.Errorf("%s: text %d bytes, blocks %d bytes", name, len(got.Text), len(got.Blocks))
		}
		if strings.Contains(string(got.Blocks), "<!channel>") || strings.Contains(string(got.Blocks), "<!here>") {
			t.Errorf("%s: the answer echoes a broadcast", name)
		}
		t.Logf("%-10s answered in %s: %.120s", name, d.Round(time.Millisecond), got.Text)
		if name == "1000links" {
			if !strings.Contains(string(got.Blocks), "were not checked") {
				t.Errorf("1000 links: the answer does not say how many were skipped: %s", got.Blocks)
			}
		}
	}
	if n := len(h.fake.Posts()); n != len(inputs) {
		t.Errorf("%d posts for %d inputs", n, len(inputs))
	}
}
