package ops

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// TestLoggerRedactsEveryForm: a configured secret logged encoded, split by
// an invisible character, in part, or inside an error, and a token shape
// glued to a word, never reach the log, as the independent scanner sees it.
func TestLoggerRedactsEveryForm(t *testing.T) {
	const own = "ntn_11111111111GoodTokenAbCdEfGhIjKlMnOpQrStUvWxYz"
	const shapeless = "Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured"
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		l, err := NewLogger(&buf, "debug", format, false, own, shapeless)
		if err != nil {
			t.Fatal(err)
		}
		l.Info("pasted "+strings.Replace(own, "_", "%5F", 1), "value", "x"+shapeless[2:20])
		l.Warn("split", "token", strings.Join(strings.SplitAfter(shapeless, "C"), "\u200b"))
		l.Error("failed", "error", errors.New("auth key_"+own+" refused"), "pasted", "0xoxb-1234567890-abcdefghij")
		l.With("k", "ntn&#95;"+own[4:]).WithGroup("g").Info("grouped", "v", []string{shapeless})
		for _, leak := range leakscan.New(own, shapeless).Scan(buf.String()) {
			t.Errorf("%s log: %s", format, leak)
		}
		if n := strings.Count(buf.String(), "[redacted]"); n < 6 {
			t.Errorf("%s log: %d masks, want ≥ 6:\n%s", format, n, buf.String())
		}
	}
}
