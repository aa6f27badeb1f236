package secret

import (
	"unicode"
	"unicode/utf8"
)

// maxPasses bounds how many times encodings are undone: enough for a
// double-encoded value (%255F, &amp;#95;, \\u005f) and one more.
const maxPasses = 4

// normText is a text with its encodings undone (percent-encoding, HTML
// entities, JSON and C escapes, as often as they nest) and its invisible
// characters removed, with, for every byte of it, where in the original
// text the unit it came from starts. Secrets are looked for in s; what is
// masked is the original span of what was found, so a token written
// "ntn%5F…" or split by a zero-width space is masked whole.
type normText struct {
	s   string
	pos []int32 // nil means the identity: s is the original text
	n   int     // length of the original text
}

// at returns where normalized byte i comes from in the original text.
func (t *normText) at(i int) int {
	if t.pos == nil {
		return i
	}
	if i >= len(t.pos) {
		return t.n
	}
	return int(t.pos[i])
}

// span maps the normalized span [a, b) to the original text: from the
// start of the unit of byte a to the start of the unit after byte b-1 (so
// invisible characters inside and right after it are covered too).
func (t *normText) span(a, b int) (int, int) {
	s, e := t.at(a), t.n
	if b < len(t.s) {
		e = t.at(b)
	}
	if e <= s {
		e = s + 1
		if e > t.n {
			e = t.n
		}
	}
	return s, e
}

// needsNorm reports whether s holds anything normalize would change: an
// escape introducer or a non-ASCII byte. Plain ASCII text is scanned as it
// is, with no copy.
func needsNorm(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%', c == '&', c == '\\', c >= utf8.RuneSelf, control(c):
			return true
		}
	}
	return false
}

// views returns the texts secrets are looked for in: s as it is, s with
// its invisible characters removed, and s with its encodings undone
// (repeatedly, at most maxPasses times) and invisible characters removed,
// leaving out a view equal to the one before. A text can be read more than
// one way ("%BeArer" is a Bearer, or a byte 0xBE then "Arer"): every
// reading is searched.
func views(s string) []*normText {
	raw := &normText{s: s, n: len(s)}
	if !needsNorm(s) {
		return []*normText{raw}
	}
	vs := []*normText{raw}
	if b, pos, ok := stripInvisible([]byte(s), nil); ok {
		vs = append(vs, &normText{s: string(b), pos: pos, n: len(s)})
	}
	t := &normText{n: len(s)}
	b := []byte(s)
	for pass := 0; pass < maxPasses; pass++ {
		changed := false
		if nb, pos, ok := decodeOnce(b, t.pos); ok {
			b, t.pos, changed = nb, pos, true
		}
		if nb, pos, ok := stripInvisible(b, t.pos); ok {
			b, t.pos, changed = nb, pos, true
		}
		if !changed {
			break
		}
	}
	if t.pos != nil {
		t.s = string(b)
		if t.s != vs[len(vs)-1].s {
			vs = append(vs, t)
		}
	}
	return vs
}

func posAt(pos []int32, i int) int32 {
	if pos == nil {
		return int32(i)
	}
	return pos[i]
}

// decodeOnce undoes one level of %XX, HTML entities and \uXXXX, \xXX, \\,
// \/ escapes. ok is false when nothing was decoded.
func decodeOnce(in []byte, inPos []int32) (out []byte, outPos []int32, ok bool) {
	for i := 0; i < len(in); {
		c := in[i]
		var r rune = -1
		var raw = -1 // a decoded byte (not a rune), for %XX and \xXX
		n := 0
		switch c {
		case '%':
			if i+2 < len(in) && isHexByte(in[i+1]) && isHexByte(in[i+2]) {
				raw, n = int(unhex(in[i+1])<<4|unhex(in[i+2])), 3
			}
		case '&':
			r, n = entity(in[i:])
		case '\\':
			r, raw, n = backslash(in[i:])
		}
		if n == 0 {
			if out != nil {
				out = append(out, c)
				outPos = append(outPos, posAt(inPos, i))
			}
			i++
			continue
		}
		if out == nil {
			out = make([]byte, i, len(in))
			copy(out, in[:i])
			outPos = make([]int32, i, len(in))
			for k := 0; k < i; k++ {
				outPos[k] = posAt(inPos, k)
			}
		}
		p := posAt(inPos, i)
		if raw >= 0 {
			out = append(out, byte(raw))
			outPos = append(outPos, p)
		} else {
			var buf [utf8.UTFMax]byte
			k := utf8.EncodeRune(buf[:], r)
			for j := 0; j < k; j++ {
				out = append(out, buf[j])
				outPos = append(outPos, p)
			}
		}
		i += n
	}
	if out == nil {
		return in, inPos, false
	}
	return out, outPos, true
}

// stripInvisible removes the characters that do not show (zero-width
// space, joiners, word joiner, soft hyphen, byte-order mark, bidi
// controls, variation selectors, tag characters, C0 controls but tab and
// line breaks, DEL and C1 controls) and folds fullwidth
// ASCII (ｎｔｎ＿…) to ASCII. ok is false when there was nothing to do.
func stripInvisible(in []byte, inPos []int32) (out []byte, outPos []int32, ok bool) {
	for i := 0; i < len(in); {
		c := in[i]
		if c < utf8.RuneSelf && !control(c) {
			if out != nil {
				out = append(out, c)
				outPos = append(outPos, posAt(inPos, i))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		if c < utf8.RuneSelf {
			r, n = rune(c), 1 // a control byte
		}
		invisible, wide := Invisible(r) || r < utf8.RuneSelf || r >= 0x80 && r <= 0x9f, r >= 0xFF01 && r <= 0xFF5E
		if !invisible && !wide {
			if out != nil {
				for j := 0; j < n; j++ {
					out = append(out, in[i+j])
					outPos = append(outPos, posAt(inPos, i+j))
				}
			}
			i += n
			continue
		}
		if out == nil {
			out = make([]byte, i, len(in))
			copy(out, in[:i])
			outPos = make([]int32, i, len(in))
			for k := 0; k < i; k++ {
				outPos[k] = posAt(inPos, k)
			}
		}
		if wide {
			out = append(out, byte(r-0xFEE0))
			outPos = append(outPos, posAt(inPos, i))
		}
		i += n
	}
	if out == nil {
		return in, inPos, false
	}
	return out, outPos, true
}

// control reports whether c is a C0 control other than a tab or a line
// break, or DEL: nothing a token is written with, but something a paste
// can hide between its characters (&#7; and the like decode to one).
func control(c byte) bool {
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f
}

// Invisible reports whether r is a character that does not show when
// pasted and can hide inside a token: zero-width space, non-joiner and
// joiner, word joiner and the invisible operators, soft hyphen, byte-order
// mark, bidi marks, embeddings, overrides and isolates, the combining
// grapheme joiner, the Mongolian vowel separator, variation selectors and
// tag characters (every format character, Unicode category Cf).
func Invisible(r rune) bool {
	if r < 0x80 {
		return false
	}
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5,
		r == 0x180E, r == 0x3164, r == 0xFEFF, r == 0xFFA0:
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F,
		r >= 0xFE00 && r <= 0xFE0F, r >= 0xFFF9 && r <= 0xFFFB, r >= 0xE0000 && r <= 0xE0FFF,
		r >= 0x1BCA0 && r <= 0x1BCA3:
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

// entities are the named HTML entities a token could be written with.
var entities = map[string]rune{
	"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "nbsp": ' ',
	"lowbar": '_', "UnderBar": '_', "underbar": '_', "hyphen": '-', "dash": '-', "minus": '-',
	"colon": ':', "equals": '=', "plus": '+', "sol": '/', "bsol": '\\', "period": '.',
	"comma": ',', "semi": ';', "excl": '!', "percnt": '%', "num": '#', "quest": '?',
	"lpar": '(', "rpar": ')', "commat": '@', "Tab": '\t', "NewLine": '\n',
	"shy": 0x00AD, "zwsp": 0x200B, "ZeroWidthSpace": 0x200B, "zwj": 0x200D, "zwnj": 0x200C,
	"NoBreak": 0x2060, "lrm": 0x200E, "rlm": 0x200F,
}

// legacyEntities are read without their ";", as browsers do.
var legacyEntities = []struct {
	name string
	r    rune
}{{"amp", '&'}, {"AMP", '&'}, {"shy", 0x00AD}, {"lt", '<'}, {"LT", '<'}, {"gt", '>'}, {"GT", '>'}, {"quot", '"'}, {"QUOT", '"'}, {"nbsp", ' '}}

// entity decodes an HTML entity at the start of b (&name;, &#NN, &#xHH,
// the ";" optional for numeric ones); n is 0 when there is none.
func entity(b []byte) (r rune, n int) {
	if len(b) < 3 || b[0] != '&' {
		return 0, 0
	}
	if b[1] == '#' {
		i, v, digits := 2, 0, 0
		hexa := i < len(b) && (b[i] == 'x' || b[i] == 'X')
		if hexa {
			i++
		}
		for ; i < len(b) && digits < 8; i++ {
			c := b[i]
			switch {
			case c >= '0' && c <= '9':
				v = v*pickBase(hexa) + int(c-'0')
			case hexa && isHexByte(c):
				v = v*16 + int(unhex(c))
			default:
				goto done
			}
			digits++
		}
	done:
		if digits == 0 || v > utf8.MaxRune {
			return 0, 0
		}
		if i < len(b) && b[i] == ';' {
			i++
		}
		return rune(v), i
	}
	for i := 1; i < len(b) && i <= 16; i++ {
		c := b[i]
		if c == ';' {
			if r, ok := entities[string(b[1:i])]; ok {
				return r, i + 1
			}
			return 0, 0
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			break
		}
	}
	// The legacy entities HTML reads without ";" (&amp, &quot…).
	for _, w := range legacyEntities {
		if len(b) > len(w.name) && string(b[1:1+len(w.name)]) == w.name {
			return w.r, 1 + len(w.name)
		}
	}
	return 0, 0
}

func pickBase(hexa bool) int {
	if hexa {
		return 16
	}
	return 10
}

// backslash decodes a JSON or C escape at the start of b: \uXXXX (a rune),
// \xXX (a byte), \\ and \/. n is 0 when there is none.
func backslash(b []byte) (r rune, raw int, n int) {
	if len(b) < 2 {
		return 0, -1, 0
	}
	switch b[1] {
	case 'u', 'U':
		if len(b) >= 6 && isHexByte(b[2]) && isHexByte(b[3]) && isHexByte(b[4]) && isHexByte(b[5]) {
			v := rune(unhex(b[2]))<<12 | rune(unhex(b[3]))<<8 | rune(unhex(b[4]))<<4 | rune(unhex(b[5]))
			return v, -1, 6
		}
	case 'x':
		if len(b) >= 4 && isHexByte(b[2]) && isHexByte(b[3]) {
			return 0, int(unhex(b[2])<<4 | unhex(b[3])), 4
		}
	case '\\', '/':
		return rune(b[1]), -1, 2
	}
	return 0, -1, 0
}

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
