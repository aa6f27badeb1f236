package leakscan_test

import (
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

const known = "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"

func TestScanFinds(t *testing.T) {
	s := leakscan.New(known, "shapeless-configured-value-123")
	for _, in := range []string{
		known,
		"x" + known[10:22] + "y",
		strings.Join(strings.Split(known, ""), "\u200b"),
		strings.Join(strings.Split(known, ""), "\u00ad"),
		"ntn%5F" + known[4:],
		"ntn%255F" + known[4:],
		"ntn&#95;" + known[4:],
		"ntn&amp;#x5f;" + known[4:],
		`ntn\u005f` + known[4:],
		"part of shapeless-configured-value",
		"secret_abcdefghijABCDEFGHIJ0123456789",
		"0xoxb-1234567890-abcdef",
		"xapp-1-A012-3456-abcdef",
		"Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==",
		"-H 'Authorization: Bearer abc123def456ghi'",
	} {
		if !s.Leaks(in) {
			t.Errorf("Scan(%q) found nothing", in)
		}
		for _, f := range s.Scan(in) {
			if strings.Contains(f, known[4:16]) {
				t.Errorf("a finding repeats the secret: %q", f)
			}
		}
	}
}

func TestScanQuiet(t *testing.T) {
	s := leakscan.New(known, "ntn_11111111111GoodTokenAbCdEfGhIjKlMnOpQrStUvWxYz")
	for _, in := range []string{
		"",
		"Integration: [redacted] Bearer [redacted]",
		"Check 1 https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789 3d47810f-380f-80d7-a001-000000000003",
		"basic authentication, Bearer token, the secret_sauce, ntn_…",
		"Rotate the token now: notion.so/profile/integrations → your integration → Secrets → Refresh.",
		"111111111111111111",
	} {
		if got := s.Scan(in); len(got) > 0 {
			t.Errorf("Scan(%q) = %v, want nothing", in, got)
		}
	}
}
