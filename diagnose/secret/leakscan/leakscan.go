// Package leakscan is the tests' own check that no secret left the
// program. It shares no code with the product's redactor (it imports
// nothing from diagnose/secret): it is written separately, with its own
// decoding and its own patterns, so that a gap in the redactor is not
// repeated here.
//
// Given the known secret values, Scan looks for each whole value and every
// Run-character run of it (but runs of one repeated character or of
// lower-case hex digits only, which Notion IDs are made of), in the text as it is, with invisible characters
// removed, and with percent-encoding, HTML entities and JSON escapes
// undone (repeatedly); and, in the same views, for token shapes (ntn_…,
// secret_…, in any case and with - for _, also split by blanks; xox?-…,
// xapp-…, a Bearer/Basic/Authorization credential; a long run of mixed
// letters and digits, a token's body without its prefix).
package leakscan

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Run is the length of the runs of a known secret that must not appear.
const Run = 12

// Scanner looks for known secrets and token shapes. The zero Scanner looks
// for shapes only.
type Scanner struct {
	secrets []string
	runs    map[string]int // run → index of its secret
}

// New returns a Scanner for the known secret values (empty ones ignored).
func New(secrets ...string) *Scanner {
	s := &Scanner{runs: map[string]int{}}
	for _, v := range secrets {
		if v == "" {
			continue
		}
		s.secrets = append(s.secrets, v)
		for i := 0; i+Run <= len(v); i++ {
			r := v[i : i+Run]
			if strings.Count(r, r[:1]) == Run || strings.Trim(r, "0123456789abcdef-") == "" {
				// "111111111111" says nothing, and a run of lower-case hex
				// digits could be part of a Notion ID, which reports show
				// on purpose (a random token has one by chance about once
				// in 250,000 runs).
				continue
			}
			if _, ok := s.runs[r]; !ok {
				s.runs[r] = len(s.secrets) - 1
			}
		}
	}
	return s
}

var (
	// A Notion token in any letter case, with _ or - after its prefix:
	// after ntn, a fragment of 8 is already one (no word starts so).
	// After a dash, only a random run counts: "Secret-<id>" is a page's
	// link slug.
	shapeNotion = regexp.MustCompile(`(?i:ntn)_[A-Za-z0-9]*[0-9][A-Za-z0-9]*|(?i:ntn)_[A-Za-z0-9]{20,}|(?i:secret)_[A-Za-z0-9]{20,}`)
	shapeDashed = regexp.MustCompile(`(?i:ntn|secret)-([A-Za-z0-9]{20,})`)
	// A Notion token split over lines or by spaces: ntn_ and runs of
	// letters and digits with up to three blanks between them, the runs
	// after the first holding a digit or a capital.
	shapeSplit = regexp.MustCompile(`(?i:ntn[_-])[A-Za-z0-9]+(?:[ \t\r\n]{1,3}[a-z]*[A-Z0-9][A-Za-z0-9]*)+`)
	// A run of 30 or more letters and digits: a secret with no prefix when
	// it mixes digits, capitals and small letters and is not hex alone.
	bareRun    = regexp.MustCompile(`[A-Za-z0-9]{30,}`)
	shapeSlack = regexp.MustCompile(`xox[a-z]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}`)
	// A credential after a scheme word or an Authorization header that has
	// a digit in it (prose after "Basic" has none).
	shapeHeader = regexp.MustCompile(`(?i)(?:bearer|basic|authorization["']?\s*[:=])[\s+"']+([A-Za-z0-9+/=._~-]{10,})`)
	percentRE   = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	jsonEscRE   = regexp.MustCompile(`\\[uU][0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\\\|\\/`)
)

// Scan returns one line per leak found in text (what, and in which view),
// or nil when there is none. It never returns a secret's value: only its
// index among the known ones and its first four characters.
func (s *Scanner) Scan(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range views(text) {
		for _, f := range s.scanView(v.text) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f+" ("+v.name+")")
			}
		}
	}
	return out
}

// Leaks reports whether text holds a leak (Scan is not empty).
func (s *Scanner) Leaks(text string) bool { return len(s.Scan(text)) > 0 }

func (s *Scanner) scanView(t string) []string {
	var out []string
	for i, v := range s.secrets {
		if strings.Contains(t, v) {
			out = append(out, fmt.Sprintf("known secret #%d (%.4s…) whole", i, v))
		}
	}
	if s != nil && len(s.runs) > 0 {
		for i := 0; i+Run <= len(t); i++ {
			if k, ok := s.runs[t[i:i+Run]]; ok {
				out = append(out, fmt.Sprintf("a %d-character run of known secret #%d (%.4s…)", Run, k, s.secrets[k]))
				break
			}
		}
	}
	for _, m := range shapeNotion.FindAllString(t, -1) {
		if len(m) >= 4+8 {
			out = append(out, fmt.Sprintf("a Notion token shape (%.4s…)", m))
			break
		}
	}
	for _, m := range shapeDashed.FindAllStringSubmatch(t, -1) {
		if mixedSecret(m[1]) {
			out = append(out, fmt.Sprintf("a Notion token shape with a dash (%.4s…)", m[0]))
			break
		}
	}
	for _, m := range shapeSplit.FindAllString(t, -1) {
		if body := strings.Join(strings.Fields(m[4:]), ""); len(body) >= 20 {
			out = append(out, fmt.Sprintf("a Notion token split by blanks (%.4s…)", m))
			break
		}
	}
	for _, m := range bareRun.FindAllString(t, -1) {
		if mixedSecret(m) {
			out = append(out, fmt.Sprintf("a run of mixed letters and digits, a secret without its prefix (%.4s…)", m))
			break
		}
	}
	if m := shapeSlack.FindString(t); m != "" {
		out = append(out, fmt.Sprintf("a Slack token shape (%.4s…)", m))
	}
	for _, m := range shapeHeader.FindAllStringSubmatch(t, -1) {
		if strings.ContainsAny(m[1], "0123456789") {
			out = append(out, fmt.Sprintf("a header credential (%.4s…)", m[1]))
			break
		}
	}
	return out
}

type view struct{ name, text string }

// views are the texts a reader (or a program) could make of text.
func views(text string) []view {
	vs := []view{{"as sent", text}}
	add := func(name, t string) {
		for _, v := range vs {
			if v.text == t {
				return
			}
		}
		vs = append(vs, view{name, t})
	}
	add("invisible characters removed", stripInvisible(text))
	add("decoded", decodeAll(text, false))
	add("decoded, invisible characters removed", decodeAll(text, true))
	return vs
}

// decodeAll undoes percent-encoding, JSON escapes and HTML entities until
// nothing changes (at most 5 rounds), removing invisible characters
// between rounds when strip is set.
func decodeAll(t string, strip bool) string {
	for round := 0; round < 5; round++ {
		prev := t
		if strip {
			t = stripInvisible(t)
		}
		t = percentRE.ReplaceAllStringFunc(t, func(m string) string {
			b, _ := strconv.ParseUint(m[1:], 16, 8)
			return string([]byte{byte(b)})
		})
		t = jsonEscRE.ReplaceAllStringFunc(t, func(m string) string {
			switch m {
			case `\\`:
				return `\`
			case `\/`:
				return "/"
			}
			if m[1] == 'x' {
				b, _ := strconv.ParseUint(m[2:], 16, 8)
				return string([]byte{byte(b)})
			}
			r, _ := strconv.ParseUint(m[2:], 16, 32)
			return string(rune(r))
		})
		t = html.UnescapeString(t)
		if strip {
			t = stripInvisible(t)
		}
		if t == prev {
			break
		}
	}
	return t
}

// stripInvisible removes format characters (Unicode category Cf: zero-width
// space and joiners, soft hyphen, byte-order mark, bidi controls, word
// joiner, tags), variation selectors, the combining grapheme joiner and
// the Hangul fillers, and reads fullwidth forms (ｎｔｎ＿) as ASCII.
func stripInvisible(t string) string {
	if isASCII(t) && strings.IndexFunc(t, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }) < 0 {
		return t
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Cc, r) && r != '\t' && r != '\n' && r != '\r':
			return -1 // a control hidden between characters (&#7;)
		case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r),
			r == '\u034f', r == '\u115f', r == '\u1160', r == '\u3164', r == '\uffa0', r == '\u180e':
			return -1
		case r >= '！' && r <= '～':
			return r - '！' + '!' // fullwidth forms read as ASCII
		}
		return r
	}, t)
}

func isASCII(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mixedSecret reports whether a long run of letters and digits holds at
// least two digits, two capitals and two small letters, and is not made of
// hex digits alone (a Notion ID, a hash).
func mixedSecret(m string) bool {
	var d, u, l int
	hex := true
	for _, r := range m {
		switch {
		case unicode.IsDigit(r):
			d++
		case unicode.IsUpper(r):
			u++
			hex = hex && strings.ContainsRune("ABCDEF", r)
		default:
			l++
			hex = hex && strings.ContainsRune("abcdef", r)
		}
	}
	return d >= 2 && u >= 2 && l >= 2 && !hex
}
