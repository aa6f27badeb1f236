package diagnose

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// TestSplitURLIsNetURL holds splitURL, the reader's allocation-free split
// of a common link, to what net/url makes of the same text: every text it
// takes must give net/url's Host, Hostname, EscapedPath, RawQuery and
// Fragment, and the common links must be taken (else the fast path is dead).
func TestSplitURLIsNetURL(t *testing.T) {
	t.Parallel()
	check := func(s string) bool {
		t.Helper()
		got, ok := splitURL(s)
		if !ok {
			return false
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("splitURL(%q) took a text net/url refuses: %v", s, err)
		}
		want := urlParts{host: u.Host, hostname: u.Hostname(), path: u.EscapedPath(), rawQuery: u.RawQuery, fragment: u.Fragment}
		if got != want {
			t.Fatalf("splitURL(%q) = %+v, net/url gives %+v", s, got, want)
		}
		return true
	}
	for _, s := range []string{
		"https://www.notion.so/acme/Tasks-" + hexA + "?v=" + hexV + "&p=" + hexB + "&pm=s",
		"https://api.notion.com/v1/databases/" + idA + "/query",
		"http://notion.so/" + hexA,
		"HTTPS://WWW.NOTION.SO/Page-" + hexA + "#block-" + hexK,
		"https://acme.notion.site/Page-" + hexA + "?pvs=4",
		"https://www.notion.so/",
		"https://www.notion.so",
		"https://www.notion.so?v=x",
		"https://www.notion.so/a?",
		"https://www.notion.so/a#",
		"https://www.notion.so/a?b#c?d#e",
		"https://www.notion.so/a$&+,:;=@_~b/c",
	} {
		if !check(s) {
			t.Errorf("splitURL(%q) left a common link to net/url", s)
		}
	}
	// Texts net/url reads differently or refuses: each byte in each part,
	// and random texts of the bytes that matter to a URL.
	for c := range 256 {
		b := string(rune(c))
		if c >= 0x80 {
			b = string([]byte{byte(c)})
		}
		for _, s := range []string{
			"https://" + b + "www.notion.so/x",
			"https://www.notion.so" + b + "/x",
			"https://www.notion.so/x" + b + "y",
			"https://www.notion.so/x?a=" + b,
			"https://www.notion.so/x#" + b,
			"http" + b + "://www.notion.so/x",
		} {
			check(s)
		}
	}
	const alphabet = "aZ09.-_~/?#%&=+:;@[]!$'()*,\\\" \t\x00\x7fé"
	rng := rand.New(rand.NewPCG(23, 5))
	for range 20000 {
		var b strings.Builder
		b.WriteString([]string{"https://", "http://", "HTTPS://", "https:/", "ftp://", ""}[rng.IntN(6)])
		for n := rng.IntN(24); n > 0; n-- {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		check(b.String())
	}
}
