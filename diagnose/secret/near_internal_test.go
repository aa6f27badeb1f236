package secret

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// findWhole is find by shape as it was before shapesNear: every view read
// whole.
func findWhole(text string) []span {
	var out []span
	for _, t := range views(text) {
		for _, sp := range merge(shapes(t.s, nil)) {
			a, e := t.span(sp.a, sp.b)
			out = append(out, span{a, e})
		}
	}
	return mergeOverlap(out)
}

// nearPieces are what texts that put shapesNear to the test are made of:
// encodings and invisible characters beside token shapes, walls and the
// bytes that cross them.
var nearPieces = []string{
	"&amp;", "&lt;", "&#95;", "&#x5F;", "&lowbar;", "%5F", "%3A", "%2F", "%40", "%3C", "%25", "\\u005f", "\\\\", "&amp",
	"\u200b", "\u00ad", "&shy;", "&zwsp;", "\ufeff", "ｎｔｎ＿", "é",
	"ntn_", "ntn-", "secret_", "xoxb-", "xapp-", "Bearer ", "Basic ", "Authorization: ", "authorization=",
	"https://", "://", "user:", "pass@", "@", "?", "#", "<", ">", "&", ";", ",", "|", "{", "}", "\"", "'", " ", "\n", "> ",
	":", "=", "+", ".", "_", "-", "/",
	"1234567890", "abcdefABCDEF", "A0b1C2d3E4f5G6h7J8k9L0m1N2p3Q4r5S6", "0123456789abcdef0123456789abcdef", "word",
}

// TestShapesNear holds find, which reads the views after the text only
// around their anchors, to reading every view whole, on texts built to
// put walls, anchors and shapes side by side.
func TestShapesNear(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for range 200000 {
		var b strings.Builder
		for n := 1 + rng.IntN(12); n > 0; n-- {
			b.WriteString(nearPieces[rng.IntN(len(nearPieces))])
		}
		text := b.String()
		if got, want := (*Redactor)(nil).find(text, false), findWhole(text); !slices.Equal(got, want) {
			t.Fatalf("find(%q) = %v, want %v", text, got, want)
		}
	}
}

// FuzzShapesNear is TestShapesNear on the fuzzer's texts.
func FuzzShapesNear(f *testing.F) {
	for _, s := range nearPieces {
		f.Add("x" + s + "ntn_A0b1C2d3E4f5G6h7J8k9L0m1N2p3Q4r5S6&amp;")
	}
	f.Add("https://us&amp;er:pa&lt;ss@host &amp; Bearer&#58; abcdefgh12345678")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := (*Redactor)(nil).find(text, false), findWhole(text); !slices.Equal(got, want) {
			t.Fatalf("find(%q) = %v, want %v", text, got, want)
		}
	})
}
