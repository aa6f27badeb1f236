package secret

import (
	"sort"
	"strings"
)

// span is a half-open byte range [a, b).
type span struct{ a, b int }

// Shape rules. A token is found wherever its prefix is, with no word
// boundary asked for: "key_ntn_…", "0xoxb-…" and "%20ntn_…" (once decoded)
// are tokens too.
const (
	// minNotionRun is the fewest characters after ntn_ or secret_ for a
	// Notion token: loose on the length (a token pasted cut or with a
	// character more is still a leak), but enough that words such as
	// "secret_sauce" are not flagged.
	minNotionRun = 20
	// minNotionFragment is the fewest characters after ntn_ (or ntn-, in
	// any case) for a Notion token: no word starts so, and a fragment of
	// a token pasted cut or split is a leak too.
	minNotionFragment = 8
	// maxNotionBody is the length of a whole token's body (ntn_ + 46,
	// secret_ + 43): a token split over lines is read on to it.
	maxNotionBody = 46
	// minBareRun is the shortest run of mixed letters and digits taken for
	// a secret with no known prefix (a token's body pasted without ntn_).
	// A Notion ID (32 hex digits) is never one.
	minBareRun = 30
	// minSlackRun is the fewest characters after a Slack token's prefix.
	minSlackRun = 6
	// minCredential is the shortest value after Bearer, Basic or
	// Authorization: that is taken for a credential.
	minCredential = 8
)

// shapes appends to spans every token-shaped span of s: Notion tokens
// (ntn_…, secret_…), Slack tokens (xoxa-, xoxb-, xoxe-, xoxo-, xoxp-,
// xoxr-, xoxs-, xapp-), the credential of a Bearer, Basic or
// Authorization header, and the password of a URL's user:password@. It is
// one pass over s.
func shapes(s string, spans []span) []span {
	return shapesIn(s, 0, len(s), spans, nil)
}

// shapesIn is shapes over s[from:to], reading s around it: from is 0 or
// just after a wall byte, to is len(s) or just after one (see wall). Where
// colons is not nil, it appends to it the index of every "://" whose
// userinfo it read.
func shapesIn(s string, from, to int, spans []span, colons *[]int) []span {
	// schemeFrom is where the last long run read after a scheme word, and
	// found no credential, ends: a scheme word inside it
	// ("AUTHORIZATION=AUTHORIZATION=…") is not read again, which keeps the
	// pass linear. Such a run has no digit, and neither has any part of it.
	schemeFrom := 0
	for i := from; i < to; {
		if !alnum[s[i]] {
			if s[i] == ':' && hasAt(s, i, "://") {
				if colons != nil {
					*colons = append(*colons, i)
				}
				spans = userinfoAt(s, i, spans)
			}
			i++
			continue
		}
		end := i + 1
		for end < len(s) && alnum[s[end]] {
			end++
		}
		n := end - i
		if (i == 0 || !isAlnum(s[i-1])) && n >= minBareRun && randomRun(s[i:end]) {
			// A token's body written without its prefix (or after a
			// prefix this pass does not know): a long run of random
			// letters and digits.
			spans = append(spans, span{i, end})
			i = readOn(s, spans[len(spans)-1:])
			continue
		}
		// Every shape starts with a word of letters that something other
		// than a letter or a digit follows (ntn_, secret-, xoxb-,
		// "Bearer ", "Authorization:"), so in a run of letters and digits
		// only the places that many bytes before its end can start one:
		// the shapes are tried there alone.
		// What follows the run and the run's last letter tell which
		// words can end there, so most runs try none.
		next := end
		if backs := shapeBacks(s, end); backs != [2]uint8{} {
			for _, back := range backs {
				p := end - int(back)
				if back == 0 || p < i || !startsShape[s[p]] {
					continue
				}
				var jump int
				n := len(spans)
				if spans, schemeFrom, jump = shapeAt(s, p, spans, schemeFrom); jump > 0 {
					next = max(jump, readOn(s, spans[n:]))
					break
				}
			}
		}
		i = next
	}
	return spans
}

// readOn extends each of spans, found by one shape, to the end of a Notion
// token that starts inside it after its first byte, split parts and all,
// and returns where the last one ends: a shape stops where its own bytes
// do, at the token's '_' or '-' ("xoxa-secret_…", "ntn-A0A0secret_…", a
// long run or a credential that ends in ntn_, a URL password), and the
// token after it would be read from its middle. It is applied here, to
// every shape's spans, so no shape has to remember it.
func readOn(s string, spans []span) int {
	end := 0
	for k := range spans {
		spans[k].b = max(spans[k].b, tokenWithin(s, spans[k].a+1, spans[k].b))
		end = max(end, spans[k].b)
	}
	return end
}

// shapeBacks returns how many bytes before end (the end of a run of
// letters and digits) a shape's word may start, longest first, 0 for
// none (see backsAfter): one look-up in a table built from backsAfter,
// since shapes asks it at the end of every run of the text.
func shapeBacks(s string, end int) [2]uint8 {
	if end >= len(s) {
		return [2]uint8{}
	}
	return backTable[followClass[s[end]]][s[end-1]]
}

// backsAfter is the rule shapeBacks reads from its table: with f the byte
// after a run and last the run's last byte, how many bytes before the
// run's end a shape's word may start. ntn_ and ntn- (3), secret_ and
// secret- (6), xapp- and xoxb- (4) need a '_' or '-' after the word,
// Bearer (6), Basic (5) and Authorization (13) a blank, a quote, ':' or
// '=' (see credentialAfter and authorization); and each word has its own
// last letter.
func backsAfter(f, last byte) [2]uint8 {
	last |= 0x20
	switch {
	case f == '_' || f == '-':
		var x uint8
		if f == '-' {
			x = 4 // xapp-, xoxb-: any last letter
		}
		switch last {
		case 't':
			return [2]uint8{6, x}
		case 'n':
			return [2]uint8{x, 3}
		}
		return [2]uint8{x}
	case isSep(f) || f == ':' || f == '=':
		switch last {
		case 'r':
			return [2]uint8{6}
		case 'c':
			return [2]uint8{5}
		case 'n':
			return [2]uint8{13}
		}
	}
	return [2]uint8{}
}

// followClass sorts the bytes that may follow a run by what backsAfter
// does with them: 0 nothing, 1 '_', 2 '-', 3 a separator, ':' or '='.
// backTable is backsAfter by that class and the run's last byte. Neither
// is ever written (TestShapeBacksTable holds them to backsAfter).
var followClass, backTable = func() (fc [256]uint8, bt [4][256][2]uint8) {
	var first [4]byte // a byte of each class
	for c := 255; c >= 0; c-- {
		switch f := byte(c); {
		case f == '_':
			fc[c] = 1
		case f == '-':
			fc[c] = 2
		case isSep(f) || f == ':' || f == '=':
			fc[c] = 3
		}
		first[fc[c]] = byte(c)
	}
	for k, f := range first {
		for last := range 256 {
			bt[k][last] = backsAfter(f, byte(last))
		}
	}
	return fc, bt
}()

// alnum marks the ASCII letters and digits. It is never written.
var alnum = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlnum(byte(c))
	}
	return t
}()

// shapeAt tries the shapes that start with a letter at i (every shape but
// a URL's user:password@). jump is where reading goes on after a span it
// found, 0 when it found none.
func shapeAt(s string, i int, spans []span, schemeFrom int) (_ []span, _ int, jump int) {
	switch s[i] {
	case 'n', 'N':
		if hasFoldAt(s, i, "ntn") && i+3 < len(s) && (s[i+3] == '_' || s[i+3] == '-') {
			if e := notionBody(s, i+4, minNotionFragment, s[i+3] == '-'); e > 0 {
				return append(spans, span{i, e}), schemeFrom, e
			}
		}
	case 's', 'S':
		if hasFoldAt(s, i, "secret") && i+6 < len(s) && (s[i+6] == '_' || s[i+6] == '-') {
			if e := notionBody(s, i+7, minNotionRun, s[i+6] == '-'); e > 0 {
				return append(spans, span{i, e}), schemeFrom, e
			}
		}
	case 'x':
		p := 0
		switch {
		case hasAt(s, i, "xapp-"):
			p = 5
		case hasAt(s, i, "xox") && i+4 < len(s) && s[i+4] == '-' && isSlackKind(s[i+3]):
			p = 5
		}
		if p > 0 {
			if n := run(s, i+p, isSlackByte); n >= minSlackRun {
				return append(spans, span{i, i + p + n}), schemeFrom, i + p + n
			}
		}
	case 'b', 'B':
		if i < schemeFrom {
			break // inside a run already read after a scheme word
		}
		n := len(spans)
		if hasFoldAt(s, i, "bearer") {
			spans, schemeFrom = credentialAfter(s, i+6, spans)
		} else if hasFoldAt(s, i, "basic") {
			spans, schemeFrom = credentialAfter(s, i+5, spans)
		}
		if len(spans) > n {
			return spans, schemeFrom, spans[n].b // "Bearer=Bearer=…" is one credential, read once
		}
	case 'a', 'A':
		if i < schemeFrom {
			break
		}
		n := len(spans)
		if hasFoldAt(s, i, "authorization") {
			spans, schemeFrom = authorization(s, i+13, spans)
		}
		if len(spans) > n {
			return spans, schemeFrom, spans[n].b
		}
	}

	return spans, schemeFrom, 0
}

// notionTokenAt returns where the Notion token that starts at i ends (ntn_,
// ntn-, secret_ or secret- in any case, and a body the shapes take), or 0.
func notionTokenAt(s string, i int) int {
	switch {
	case hasFoldAt(s, i, "ntn") && i+3 < len(s) && (s[i+3] == '_' || s[i+3] == '-'):
		return notionBody(s, i+4, minNotionFragment, s[i+3] == '-')
	case hasFoldAt(s, i, "secret") && i+6 < len(s) && (s[i+6] == '_' || s[i+6] == '-'):
		return notionBody(s, i+7, minNotionRun, s[i+6] == '-')
	}
	return 0
}

// tokenWithin returns where the first Notion token that starts inside
// s[from:to] ends, reading on over a split in it, or 0. Only the first is
// read, so a run of prefixes costs one pass.
func tokenWithin(s string, from, to int) int {
	for p := from; p < to; p++ {
		if c := s[p]; c == 'n' || c == 'N' || c == 's' || c == 'S' {
			if e := notionTokenAt(s, p); e > 0 {
				return e
			}
		}
	}
	return 0
}

// startsShape marks the bytes a shape can start with. It is never written.
var startsShape = [256]bool{'n': true, 'N': true, 's': true, 'S': true, 'x': true, 'b': true, 'B': true, 'a': true, 'A': true}

// notionBody reads a Notion token's body from j on (after ntn_ or
// secret_): a run of letters and digits, and, while it is shorter than a
// whole body, the runs that continue it after a space or a line break (a
// token pasted split over two lines, or with a space in it) when they
// look random, not like words (also on the next line of a quoted
// reply, after "> "). It returns where the body ends, or 0 when
// it has fewer than min characters, or when it reads as something else:
// a fragment shorter than minNotionRun without a digit (NTN_DATABASE_ID:
// an ntn_ body starts with 11 digits), or, after a dash, anything but a
// long random run (a page's link slug "Secret-<id>", "NTN-Roadmap-…").
func notionBody(s string, j, min int, dash bool) int {
	n := run(s, j, isAlnum)
	end, total := j+n, n
	for chunks := 0; n > 0 && total < maxNotionBody && chunks < 4; chunks++ {
		// The break: blanks, and the "> " of a quoted reply's next line.
		k, blank := end, false
		for k < len(s) && k-end < 4 && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n' || s[k] == '>' && blank) {
			blank = true
			k++
		}
		if !blank {
			break
		}
		m := run(s, k, isAlnum)
		if m == 0 || !randomChunk(s[k:k+m]) {
			break
		}
		end, total = k+m, total+m
	}
	if total < min {
		return 0
	}
	body := s[j:end]
	switch {
	case dash && (total < minNotionRun || !randomRun(strings.Map(dropBlank, body))):
		return 0
	case total < minNotionRun && !strings.ContainsAny(body, "0123456789"):
		return 0
	}
	return end
}

// dropBlank drops the blanks and quote marks of a split token's breaks.
func dropBlank(r rune) rune {
	switch r {
	case ' ', '\t', '\r', '\n', '>':
		return -1
	}
	return r
}

// randomChunk reports whether a run of letters and digits that follows a
// token's start after a break looks like more of it, not a word: it has a
// digit, or a capital after its first letter.
func randomChunk(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= '0' && c <= '9' || i > 0 && c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// randomRun reports whether a long run of letters and digits reads as a
// random secret (a token's body without its prefix, an API key): digits,
// capitals and small letters mixed, and not hex alone (a Notion ID, a
// hash), nor digits alone.
func randomRun(w string) bool {
	digits, upper, lower, hex := 0, 0, 0, true
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
			upper++
			hex = hex && c <= 'F'
		default:
			lower++
			hex = hex && c <= 'f'
		}
	}
	return !hex && digits >= 2 && upper >= 2 && lower >= 2
}

// userinfoAt appends the password of the URL whose "://" is at i, read on
// into a Notion token inside it (readOn): the one way shapes and
// shapesNear read a URL's userinfo.
func userinfoAt(s string, i int, spans []span) []span {
	n := len(spans)
	spans = userinfo(s, i+3, spans)
	readOn(s, spans[n:])
	return spans
}

// userinfo appends the password of a URL's user:password@ (as in
// postgres://app:hunter2@db, https://user:pass@host) whose authority
// starts at j.
func userinfo(s string, j int, spans []span) []span {
	colon := -1
	for k := j; k < len(s) && k < j+256; k++ {
		switch authorityByte[s[k]] {
		case authColon:
			if colon < 0 {
				colon = k
			}
		case authAt:
			if colon > j && k > colon+1 {
				spans = append(spans, span{colon + 1, k})
			}
			return spans
		case authEnd:
			return spans
		}
	}
	return spans
}

// What a byte of a URL's authority is to userinfo.
const (
	authPlain = iota
	authColon // ':', which ends the user name
	authAt    // '@', which ends the userinfo
	authEnd   // a byte that ends the authority with no userinfo in it
)

// authorityByte is what each byte is to userinfo, read by table: it
// reads the host of every link of the text, in every view. It is never
// written.
var authorityByte = func() (t [256]uint8) {
	for c := range 256 {
		switch b := byte(c); {
		case b == ':':
			t[c] = authColon
		case b == '@':
			t[c] = authAt
		case b == '/' || b == '?' || b == '#' || b == '"' || b == '\'' || b == '<' || b == '>' || isBlank(b):
			t[c] = authEnd
		}
	}
	return t
}()

// credentialAfter appends the credential that follows a scheme word
// ending at j ("Bearer abc…", "basic: abc…", "Bearer+abc…" from a query).
func credentialAfter(s string, j int, spans []span) ([]span, int) {
	k := skip(s, j, isSep)
	if k < len(s) && (s[k] == ':' || s[k] == '=') {
		k = skip(s, k+1, isSep)
	} else if k == j {
		return spans, 0 // "bearers", "basically": not a scheme
	}
	return credential(s, k, spans)
}

// authorization appends the credential of "Authorization: …" (or =, as a
// JSON key, with a scheme word or none) whose name ends at j.
func authorization(s string, j int, spans []span) ([]span, int) {
	k := skip(s, j, isSep)
	if k >= len(s) || (s[k] != ':' && s[k] != '=') {
		return spans, 0
	}
	k = skip(s, k+1, isSep)
	// An optional scheme word (Bearer, Basic, Token, Bot…): the bearer and
	// basic rules see those; others are skipped here.
	if w := run(s, k, isLetter); w > 0 && w <= 10 && k+w < len(s) && isBlank(s[k+w]) {
		k = skip(s, k+w, isSep)
	}
	return credential(s, k, spans)
}

// credential appends the credential that starts at k, if the run of
// credential bytes there is one. end is where a long run that is no
// credential ends (it has no digit, nor has any part of it), else 0.
func credential(s string, k int, spans []span) (_ []span, end int) {
	if notionTokenAt(s, k) > 0 {
		// A Notion token after a scheme word is left to the token
		// shapes, which also read on over a split in it (a space or a
		// line break), where a credential run would stop.
		return spans, 0
	}
	n := run(s, k, isCredByte)
	if n < minCredential {
		return spans, 0
	}
	if looksLikeCredential(s[k : k+n]) {
		return append(spans, span{k, k + n}), 0
	}
	return spans, k + n
}

// looksLikeCredential tells a credential from a word after "Bearer" or
// "Basic" ("basic authentication", "Bearer Authorization") or a
// placeholder ("Bearer YOUR_TOKEN", "Bearer xxxxxxxxxx"): it has a digit;
// or, with no digit, it is not a placeholder and has a symbol of the
// base64/JWT alphabets, two capitals, or is long.
func looksLikeCredential(v string) bool {
	upper, lower, symbol := 0, 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			return true
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		default:
			symbol = true // . _ ~ + / = -
		}
	}
	if lower == 0 && upper > 0 || len(v) <= 64 && placeholder(v) {
		return false // SHOUTY_CASE names a variable: NOTION_API_KEY
	}
	return symbol || upper >= 2 || len(v) >= 24
}

// placeholderWords mark a value written in documentation, not a secret.
var placeholderWords = []string{"your", "token", "secret", "example", "xxxx", "placeholder", "redacted", "apikey", "api_key", "insert", "here"}

func placeholder(v string) bool {
	for _, w := range placeholderWords {
		if len(v) >= len(w) {
			for i := 0; i+len(w) <= len(v); i++ {
				if hasFoldAt(v, i, w) {
					return true
				}
			}
		}
	}
	return false
}

// isSlackKind is the letter after "xox": a (app), b (bot), p (user), r
// (refresh), s, e (rotating), o, c and d (session): any lower-case letter.
func isSlackKind(c byte) bool { return c >= 'a' && c <= 'z' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSlackByte(c byte) bool { return isAlnum(c) || c == '-' }

func isCredByte(c byte) bool {
	switch c {
	case '.', '_', '~', '+', '/', '=', '-':
		return true
	}
	return isAlnum(c)
}

func isBlank(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '+':
		return true
	}
	return false
}

// isSep is what may stand between a scheme word and its credential.
func isSep(c byte) bool { return isBlank(c) || isQuote(c) }

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// run counts the bytes of s from i on that satisfy ok.
func run(s string, i int, ok func(byte) bool) int {
	n := 0
	for i+n < len(s) && ok(s[i+n]) {
		n++
	}
	return n
}

// skip returns the first index from i on whose byte does not satisfy ok.
func skip(s string, i int, ok func(byte) bool) int {
	return i + run(s, i, ok)
}

func hasAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

// hasFoldAt reports whether s holds the lower-case ASCII word w at i, in
// any letter case.
func hasFoldAt(s string, i int, w string) bool {
	if len(s)-i < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if s[i+j]|0x20 != w[j] {
			return false
		}
	}
	return true
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.a <= last.b {
			if s.b > last.b {
				last.b = s.b
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// mergeOverlap sorts spans and joins those that overlap (but not those
// that only touch: two tokens side by side are two leaks).
func mergeOverlap(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.a < last.b {
			if s.b > last.b {
				last.b = s.b
			}
			continue
		}
		out = append(out, s)
	}
	return out
}
