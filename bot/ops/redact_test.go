package ops

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// TestOpsAnswersRedacted: integration and workspace names holding a
// configured secret (of no known shape), the Slack bot token or a Notion
// token, and an unreachable reason quoting one, never reach /readyz or
// /metrics (compressed or not) in any form the independent scanner finds,
// while the rest of each line is still served.
func TestOpsAnswersRedacted(t *testing.T) {
	const (
		own       = "ntn_11111111111GoodTokenAbCdEfGhIjKlMnOpQrStUvWxYz"
		slackBot  = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
		shapeless = "Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured"
	)
	secrets := []string{own, slackBot, shapeless}
	for _, ready := range []bool{true, false} {
		r := &Readiness{}
		r.SetSlackConnected(true)
		r.SetNotion("NOTION_TOKEN", "Ops "+shapeless+" bot", NotionOK, "")
		r.SetNotion("NOTION_TOKENS entry 1", "Sync "+slackBot, NotionOK, "")
		st := NotionOK
		if !ready {
			st = NotionUnreachable
		}
		r.SetNotion("NOTION_TOKENS entry 2", "Third "+strings.ToUpper(own[:1])+own[1:], st, "edge answered "+shapeless[3:20])
		m := NewMetrics()
		m.RegisterReadiness(r)
		for _, key := range []string{"NOTION_TOKEN", "NOTION_TOKENS entry 1", "NOTION_TOKENS entry 2"} {
			m.IntegrationFunc(func() string { return r.Label(key) }).NotionCall("/v1/blocks/x", 404, time.Millisecond)
		}
		h := NewServer(":0", m, r, nil, secrets...).Handler()
		for _, path := range []string{"/readyz", "/metrics"} {
			for _, enc := range []string{"", "gzip"} {
				req := httptest.NewRequest("GET", path, nil)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				body := rec.Body.String()
				if ce := rec.Header().Get("Content-Encoding"); ce != "" {
					t.Fatalf("%s answered %s: the redaction must see the text", path, ce)
				}
				for _, leak := range leakscan.New(secrets...).Scan(body) {
					t.Errorf("%s (ready %v, %q): %s", path, ready, enc, leak)
				}
				wants := []string{"Ops [redacted]", "Sync "}
				if !ready && path == "/readyz" {
					wants = []string{"Third ", "edge answered [redacted]"} // only what is not ready
				}
				for _, want := range wants {
					if !strings.Contains(body, want) {
						t.Errorf("%s (ready %v) lacks %q: the names must still be served, redacted:\n%.2000s", path, ready, want, body)
					}
				}
			}
		}
	}
}
