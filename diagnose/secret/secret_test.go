package secret

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, leak string }{
		{"token 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 here", "ntn_456476151729"},
		{"secret_abcdefghijABCDEFGHIJ0123456789abcdefghijABC", "abcdefghijABCDEFGHIJ"},
		{"xoxb-1234567890-0987654321-AbCdEfGhIjKl", "AbCdEfGhIjKl"},
		{"xapp-1-A0123-456-abcdef0123", "abcdef0123"},
		{"xoxp-12345-67890-abcdef", "abcdef"},
		{"-H 'Authorization: Bearer sometoken_value.with.dots'", "sometoken"},
		{"authorization=Bearer abcdefgh12345678", "abcdefgh12345678"},
		{"BEARER ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP"},
	} {
		out := Redact(tc.in)
		if strings.Contains(out, tc.leak) || !strings.Contains(out, Mask) {
			t.Errorf("Redact(%q) = %q", tc.in, out)
		}
	}
	for _, keep := range []string{"the secret_sauce is here", "1212250f-3985-801c-abcd-ef0123456789", "bearer of news", ""} {
		if out := Redact(keep); out != keep {
			t.Errorf("Redact(%q) = %q, want it unchanged", keep, out)
		}
	}
}

func TestRedactValue(t *testing.T) {
	if out := RedactValue("the key is hunter2hunter2!", "hunter2hunter2"); strings.Contains(out, "hunter2") {
		t.Errorf("RedactValue left the value: %q", out)
	}
	if out := RedactValue("short abc", "abc"); out != "short abc" {
		t.Errorf("a value under 8 characters is not masked (too many false hits): %q", out)
	}
}

func TestNotionTokens(t *testing.T) {
	if n := NotionTokens("a 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 and secret_abcdefghijABCDEFGHIJ0123456789abcdefghijABC"); n != 2 {
		t.Errorf("NotionTokens = %d, want 2", n)
	}
	if n := NotionTokens("ntn_short secret_sauce"); n != 0 {
		t.Errorf("NotionTokens = %d, want 0", n)
	}
}
