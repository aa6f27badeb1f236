package secret_test

import (
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// benchTexts are the sizes the program reads: a Slack message (at most
// 40,000 characters) and the CLI's largest input (4 MiB), plain and with
// encodings, and pathological repetitions of what the scanner stops at.
func benchTexts() []struct {
	name string
	text string
} {
	msg := "Could not find page https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc, is it shared? "
	enc := "q=hello%20world&amp;x=1 \\u0041 caf\u00e9 "
	fill := func(unit string, n int) string { return strings.Repeat(unit, n/len(unit)+1)[:n] }
	return []struct {
		name string
		text string
	}{
		{"slack_40k_plain", fill(msg, 40000)},
		{"slack_40k_encoded", fill(enc+msg, 40000)},
		{"slack_40k_token", fill(msg, 20000) + " Bearer " + tok + " " + fill(msg, 20000)},
		{"cli_4MiB_plain", fill(msg, 4<<20)},
		{"cli_4MiB_encoded", fill(enc+msg, 4<<20)},
		{"cli_4MiB_tokens", fill(msg+"key_"+tok+" ", 4<<20)},
		{"cli_4MiB_bearer_eq", fill("Bearer=", 4<<20)},
		{"cli_4MiB_shouty_auth", fill("AUTHORIZATION=", 4<<20)},
		{"cli_4MiB_shouty_bearer", fill("BEARER=", 4<<20)},
		{"cli_4MiB_userinfo", fill("://"+strings.Repeat(":", 250), 4<<20)},
		{"cli_4MiB_entities", fill("&#x5f&amp;&lowbar;\\u005f", 4<<20)},
		{"cli_4MiB_percent", fill("%25", 4<<20)},
		{"cli_4MiB_zwsp", fill("n\u200b", 4<<20)},
		{"cli_4MiB_ntn", fill("ntn_", 4<<20)},
	}
}

func BenchmarkRedact(b *testing.B) {
	r := secret.NewRedactor(tok, slackBot, slackApp, "another-configured-secret-value")
	for _, tc := range benchTexts() {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				_ = r.Redact(tc.text)
			}
		})
	}
}

func BenchmarkNotionTokens(b *testing.B) {
	for _, tc := range benchTexts() {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				_ = secret.NotionTokens(tc.text)
			}
		})
	}
}
