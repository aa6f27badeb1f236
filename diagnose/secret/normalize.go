package secret

import (
	"encoding/binary"
	"sort"
	"strings"
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
	pos posMap // empty means the identity: s is the original text
	n   int    // length of the original text
}

// at returns where normalized byte i comes from in the original text.
func (t *normText) at(i int) int {
	if i >= len(t.s) {
		return t.n
	}
	return t.pos.at(i)
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

// anchor says where normalized byte out comes from in the original text:
// in; the bytes after it, up to the next anchor, come from the bytes after
// in one for one, or, when flat (the bytes of one decoded character), all
// from in.
type anchor struct {
	out int32
	in  int32 // -(in+1) when flat: 8 bytes an anchor
}

func (a anchor) flat() bool { return a.in < 0 }

// orig is the original position of the anchor's first byte.
func (a anchor) orig() int {
	if a.in < 0 {
		return int(-a.in - 1)
	}
	return int(a.in)
}

// posMap maps normalized bytes to original ones with an anchor wherever
// the mapping is not one for one, so that it costs memory in proportion to
// the escapes and invisible characters, not to the text. Its anchors are
// in order of out; an empty posMap is the identity.
type posMap []anchor

// at returns where normalized byte i comes from.
func (m posMap) at(i int) int {
	if len(m) == 0 || i < int(m[0].out) {
		return i
	}
	k := sort.Search(len(m), func(k int) bool { return int(m[k].out) > i }) - 1
	a := m[k]
	if a.flat() {
		return a.orig()
	}
	return a.orig() + i - int(a.out)
}

// cursor reads a posMap at increasing indices in constant time each.
type cursor struct {
	m posMap
	k int // the anchor in force, or -1 before the first
}

func (c *cursor) at(i int) int {
	if len(c.m) == 0 {
		return i
	}
	if c.k < 0 && i < int(c.m[0].out) {
		return i
	}
	for c.k+1 < len(c.m) && int(c.m[c.k+1].out) <= i {
		c.k++
	}
	a := c.m[max(c.k, 0)]
	if a.flat() {
		return a.orig()
	}
	return a.orig() + i - int(a.out)
}

// run returns where byte i comes from, and where the stretch of bytes
// from i that map the same way ends (at most to): one for one from there
// on, or, when flat, all from there.
func (c *cursor) run(i, to int) (p, end int, flat bool) {
	p = c.at(i)
	if len(c.m) == 0 {
		return p, to, false
	}
	end = to
	if next := c.k + 1; next < len(c.m) && int(c.m[next].out) < end {
		end = int(c.m[next].out)
	}
	return p, end, c.k >= 0 && c.m[c.k].flat()
}

// builder builds a normalized text and its posMap.
type builder struct {
	out  strings.Builder
	m    posMap
	next int // the original position the next byte has without an anchor
	flat bool
	// wide is set when a decoded byte is a control or not ASCII: only
	// then can decoding have made an invisible character.
	wide bool
}

func newBuilder(n int) *builder {
	b := &builder{}
	b.out.Grow(n)
	return b
}

// copyRun appends in[from:to], whose bytes come from the original text as
// c (at or before from) says: an anchor for each stretch that does not go
// on from the bytes before, so a long plain stretch costs one copy.
func (b *builder) copyRun(in string, from, to int, c *cursor) {
	for from < to {
		p, end, flat := c.run(from, to)
		switch {
		case flat:
			// Bytes of one character decoded by an earlier pass: all
			// from p.
			b.m = append(b.m, anchor{out: int32(b.out.Len()), in: -int32(p) - 1})
			b.flat, b.next = true, -1
		case b.flat || p != b.next:
			b.m = append(b.m, anchor{out: int32(b.out.Len()), in: int32(p)})
			b.flat = false
			fallthrough
		default:
			b.next = p + end - from
		}
		b.out.WriteString(in[from:end])
		from = end
	}
}

// decoded appends the bytes of one decoded character, which comes from
// the unit at original position p.
func (b *builder) decoded(bs []byte, p int) {
	if len(bs) == 0 {
		return
	}
	b.m = append(b.m, anchor{out: int32(b.out.Len()), in: -int32(p) - 1})
	b.flat = true
	for _, c := range bs {
		b.wide = b.wide || c >= utf8.RuneSelf || control(c)
	}
	b.out.Write(bs)
	b.next = -1
}

// Byte classes: what may start an escape, and what may be (part of) an
// invisible character or a fullwidth one.
const (
	classEscape    = 1 << iota // % & \
	classInvisible             // a control, DEL, or a byte of a non-ASCII character
)

// byteClass is the class of each byte. It is never written.
var byteClass = func() (t [256]uint8) {
	t['%'], t['&'], t['\\'] = classEscape, classEscape, classEscape
	for c := range 256 {
		if c >= utf8.RuneSelf || control(byte(c)) {
			t[c] |= classInvisible
		}
	}
	return t
}()

// classes returns the classes of the bytes of s, together.
func classes(s string) uint8 {
	var all uint8
	if strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '&') >= 0 || strings.IndexByte(s, '\\') >= 0 {
		all |= classEscape
	}
	// Eight bytes at a time: a byte with its high bit set, below 0x20 or
	// DEL is looked at alone.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		v := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		del := v ^ (0x7f * ones)
		if v&highs != 0 || (v-0x20*ones)&^v&highs != 0 || (del-ones)&^del&highs != 0 {
			for _, c := range []byte(s[i : i+8]) {
				all |= byteClass[c] & classInvisible
			}
			if all&classInvisible != 0 {
				return all
			}
		}
	}
	for ; i < len(s); i++ {
		all |= byteClass[s[i]] & classInvisible
	}
	return all
}

// nextOf returns the index of the first byte of s from i on in class, or
// len(s).
func nextOf(s string, i int, class uint8) int {
	for i < len(s) && byteClass[s[i]]&class == 0 {
		i++
	}
	return i
}

// views returns the texts secrets are looked for in: s as it is, s with
// its invisible characters removed, and s with its encodings undone
// (repeatedly, at most maxPasses times) and invisible characters removed,
// leaving out a view equal to the one before. A text can be read more than
// one way ("%BeArer" is a Bearer, or a byte 0xBE then "Arer"): every
// reading is searched.
func views(s string) []*normText {
	raw := &normText{s: s, n: len(s)}
	cls := classes(s)
	if cls == 0 {
		return []*normText{raw}
	}
	vs := []*normText{raw}
	// invisible is whether the text being normalized can hold a byte
	// stripInvisible removes or folds; without one it has nothing to do.
	invisible := cls&classInvisible != 0
	var stripped *normText // s with its invisible characters removed
	if invisible {
		if b, m, ok := stripInvisible(s, nil); ok {
			stripped = &normText{s: b, pos: m, n: len(s)}
			vs = append(vs, stripped)
		}
	}
	t := &normText{n: len(s)}
	var b string
	have, changed := false, false
	// The first pass reads s itself: no copy of a text with nothing to
	// undo.
	if cls&classEscape != 0 {
		if nb, m, wide, ok := decodeOnce(s, nil); ok {
			b, t.pos, changed, have = nb, m, true, true
			invisible = invisible || wide
		}
	}
	if !have {
		if stripped != nil {
			b, t.pos, changed, have = stripped.s, stripped.pos, true, true
		}
	} else if invisible {
		if nb, m, ok := stripInvisible(b, t.pos); ok {
			b, t.pos = nb, m
		}
	}
	for pass := 1; changed && pass < maxPasses; pass++ {
		changed = false
		if nb, m, wide, ok := decodeOnce(b, t.pos); ok {
			b, t.pos, changed = nb, m, true
			invisible = invisible || wide
		}
		if !invisible {
			continue
		}
		if nb, m, ok := stripInvisible(b, t.pos); ok {
			b, t.pos, changed = nb, m, true
		}
	}
	if have {
		t.s = b
		if t.s != vs[len(vs)-1].s {
			vs = append(vs, t)
		}
	}
	return vs
}

// decodeOnce undoes one level of %XX, HTML entities and \uXXXX, \xXX, \\,
// \/ escapes. ok is false when nothing was decoded; wide is true when a
// decoded byte is a control or not ASCII.
func decodeOnce(in string, inMap posMap) (out string, outMap posMap, wide, ok bool) {
	var b *builder
	c := cursor{m: inMap, k: -1}
	last := 0 // in[last:i] is still to be copied
	// Where the next '%', '&' and '\\' are, each found again only once
	// passed.
	var next [3]int
	find := func(k int, ch byte, from int) int {
		if next[k] < from {
			next[k] = len(in)
			if j := strings.IndexByte(in[from:], ch); j >= 0 {
				next[k] = from + j
			}
		}
		return next[k]
	}
	next = [3]int{-1, -1, -1}
	for i := 0; i < len(in); {
		i = min(find(0, '%', i), find(1, '&', i), find(2, '\\', i))
		if i >= len(in) {
			break
		}
		var r rune = -1
		var raw = -1 // a decoded byte (not a rune), for %XX and \xXX
		n := 0
		switch in[i] {
		case '%':
			if i+2 < len(in) && isHexByte(in[i+1]) && isHexByte(in[i+2]) {
				raw, n = int(unhex(in[i+1])<<4|unhex(in[i+2])), 3
			}
		case '&':
			r, n = entity(in[i:min(len(in), i+24)])
		case '\\':
			r, raw, n = backslash(in[i:min(len(in), i+6)])
		}
		if n == 0 {
			i++
			continue
		}
		if b == nil {
			b = newBuilder(len(in))
		}
		b.copyRun(in, last, i, &c)
		p := c.at(i)
		if raw >= 0 {
			b.decoded([]byte{byte(raw)}, p)
		} else {
			var buf [utf8.UTFMax]byte
			k := utf8.EncodeRune(buf[:], r)
			b.decoded(buf[:k], p)
		}
		i += n
		last = i
	}
	if b == nil {
		return "", inMap, false, false
	}
	b.copyRun(in, last, len(in), &c)
	return b.out.String(), b.m, b.wide, true
}

// stripInvisible removes the characters that do not show (zero-width
// space, joiners, word joiner, soft hyphen, byte-order mark, bidi
// controls, variation selectors, tag characters, C0 controls but tab and
// line breaks, DEL and C1 controls) and folds fullwidth ASCII (ｎｔｎ＿…) to
// ASCII. ok is false when there was nothing to do.
func stripInvisible(in string, inMap posMap) (out string, outMap posMap, ok bool) {
	var b *builder
	c := cursor{m: inMap, k: -1}
	last := 0 // in[last:i] is still to be copied
	for i := 0; i < len(in); {
		i = nextOf(in, i, classInvisible)
		if i >= len(in) {
			break
		}
		r, n := rune(in[i]), 1 // a control byte
		if in[i] >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(in[i:])
		}
		invisible, wide := Invisible(r) || r < utf8.RuneSelf || r >= 0x80 && r <= 0x9f, r >= 0xFF01 && r <= 0xFF5E
		if !invisible && !wide {
			i += n // kept: copied with the bytes around it
			continue
		}
		if b == nil {
			b = newBuilder(len(in))
		}
		b.copyRun(in, last, i, &c)
		if wide {
			b.decoded([]byte{byte(r - 0xFEE0)}, c.at(i))
		} else {
			b.next = -1 // what follows is not where the removed byte was
		}
		i += n
		last = i
	}
	if b == nil {
		return "", inMap, false
	}
	b.copyRun(in, last, len(in), &c)
	return b.out.String(), b.m, true
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

// legacyStart marks the first letters of legacyEntities. It is never
// written.
var legacyStart = func() (t [256]bool) {
	for _, w := range legacyEntities {
		t[w.name[0]] = true
	}
	return t
}()

// entity decodes an HTML entity at the start of b (&name;, &#NN, &#xHH,
// the ";" optional for numeric ones); n is 0 when there is none.
func entity[T ~string | ~[]byte](b T) (r rune, n int) {
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
	if !legacyStart[b[1]] {
		return 0, 0
	}
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
func backslash[T ~string | ~[]byte](b T) (r rune, raw int, n int) {
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
