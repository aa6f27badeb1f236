package secret_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/notion-check/notion-check/diagnose/secret"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// configured is a secret of no known shape, masked only by value.
const configured = "Cfg9-Shapeless-Value-7Hq2Lm4Np6"

// disguise writes token in one of the forms people and programs paste it
// in, chosen by mode; sep is what splits it when the form splits it.
func disguise(token string, mode uint8, sep rune) string {
	inv := string(sep)
	if !secret.Invisible(sep) {
		inv = "\u200b"
	}
	notion := strings.HasPrefix(token, "ntn_") || strings.HasPrefix(token, "secret_")
	if mode%18 >= 10 && !notion {
		return token // the forms below are a Notion token's
	}
	cut := strings.IndexByte(token, '_') + 1 + int(uint32(sep)%40)
	if cut >= len(token) {
		cut = len(token) - 1
	}
	switch mode % 18 {
	case 10:
		return token[:cut] + "\n" + token[cut:] // split over two lines
	case 11:
		return token[:cut] + " " + token[cut:] // split by a space
	case 12:
		return token[:cut] + "\r\n> " + token[cut:] // a quoted reply's next line
	case 13:
		return strings.ToUpper(token[:3]) + token[3:] // NTN_…, SECret_…
	case 14:
		return strings.Replace(token, "_", "-", 1) // ntn-…
	case 15:
		return token[strings.IndexByte(token, '_')+1:] // no prefix
	case 16:
		// Single-digit entities between its characters (&#7 is BEL).
		body := token[strings.IndexByte(token, '_')+1:]
		return token[:len(token)-len(body)] + splitEvery(body, "&#7", 1+int(uint32(sep)%6))
	case 17:
		return splitEvery(token, "\x07", 1+int(uint32(sep)%9)) // control bytes
	}
	switch mode % 10 {
	case 1:
		return splitEvery(token, inv, 1+int(uint32(sep)%7))
	case 2:
		return url.QueryEscape(token)
	case 3:
		return percentAll(token)
	case 4:
		return entityAll(token)
	case 5:
		return strings.ReplaceAll(url.QueryEscape(splitEvery(token, inv, 5)), "%", "%25")
	case 6:
		return strings.Replace(token, "_", `\u005f`, 1)
	case 7:
		return strings.Replace(token, "_", "&amp;#95;", 1)
	case 8:
		return "Authorization: Basic " + token
	case 9:
		return fmt.Sprintf("%q", token)
	}
	return token
}

// FuzzRedact: whatever surrounds a token and whatever form it is written
// in, the Redactor's output holds no part of it, as the independent
// scanner (leakscan, which shares no code with the redactor) sees it; and
// NotionTokens counts it. Redacting is idempotent.
func FuzzRedact(f *testing.F) {
	f.Add("key_", " end", uint8(0), '\u200b', uint8(0))
	f.Add("%20", "%20", uint8(2), '\u00ad', uint8(1))
	f.Add("0", "", uint8(1), '\ufeff', uint8(2))
	f.Add(`{"a":"`, `"}`, uint8(6), '\u2060', uint8(0))
	f.Add("Bearer ", "'", uint8(4), 'x', uint8(3))
	f.Add("curl -H 'Authorization: Bearer ", "' https://api.notion.com/v1/users/me", uint8(5), '\u202e', uint8(0))
	for mode := uint8(10); mode < 18; mode++ {
		f.Add("my token: ", " thanks", mode, rune('a'+mode), uint8(4))
		f.Add("", "", mode, rune(mode*7), uint8(3))
	}
	r := secret.NewRedactor(tok, slackBot, configured)
	scan := leakscan.New(tok, slackBot, configured)
	f.Fuzz(func(t *testing.T, prefix, suffix string, mode uint8, sep rune, which uint8) {
		if !utf8.ValidString(prefix) || !utf8.ValidString(suffix) || len(prefix)+len(suffix) > 4096 {
			return
		}
		// tok and legacy at 3 and 4 are no configured value: only their
		// shape hides them.
		token := []string{tok, slackBot, configured, legacy, tok}[which%5]
		disguised := disguise(token, mode, sep)
		in := prefix + disguised + suffix
		if d := disguised; d != token && strings.Contains(d, token) {
			// The words a form adds around the token ("Authorization:
			// Basic ") may make a token shape with the fuzzer's context
			// on their own ("ntn-0000000 Authorization"): no secret is in
			// such a shape, so it says nothing of the redactor.
			around := prefix + strings.Replace(d, token, " ", 1) + suffix
			if len(scan.Scan(r.Redact(around))) > 0 {
				return
			}
		}
		if which%5 >= 3 {
			if scan := leakscan.New(token); len(scan.Scan(secret.Redact(prefix+" "+suffix))) > 0 {
				return
			}
			out := secret.Redact(in)
			if leaks := leakscan.New(token).Scan(out); len(leaks) > 0 {
				t.Fatalf("Redact(%q) = %q: %v", in, out, leaks)
			}
			if secret.NotionTokens(in) == 0 {
				t.Fatalf("NotionTokens(%q) = 0", in)
			}
			return
		}
		// The context alone must not leak by itself, or the test would be
		// about the context: the fuzzer may type a token shape of its own.
		if len(scan.Scan(r.Redact(prefix+" "+suffix))) > 0 {
			return
		}
		out := r.Redact(in)
		if leaks := scan.Scan(out); len(leaks) > 0 {
			t.Fatalf("Redact(%q) = %q: %v", in, out, leaks)
		}
		if again := r.Redact(out); again != out {
			t.Fatalf("Redact is not idempotent: %q then %q", out, again)
		}
		if token != configured && secret.NotionTokens(in) == 0 {
			t.Fatalf("NotionTokens(%q) = 0", in)
		}
	})
}

// FuzzRedactAny: on any text, the output is valid UTF-8 when the input
// is, and token shapes the independent scanner sees are gone.
func FuzzRedactAny(f *testing.F) {
	for _, tc := range evasions() {
		f.Add(tc.in)
	}
	f.Add("plain text with a https://www.notion.so/x-0123456789abcdef0123456789abcdef link")
	f.Add("AuthoriZAtion%BeArer 0000000000000000") // read both ways: %Be and Bearer
	scan := leakscan.New()
	f.Fuzz(func(t *testing.T, in string) {
		out := secret.Redact(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Redact(%q) = %q: invalid UTF-8", in, out)
		}
		if leaks := scan.Scan(out); len(leaks) > 0 && utf8.ValidString(in) {
			t.Fatalf("Redact(%q) = %q: %v", in, out, leaks)
		}
	})
}
