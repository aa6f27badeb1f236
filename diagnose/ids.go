package diagnose

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Hex32 returns the 32-character compact form of a dashed ID.
func Hex32(id string) string { return strings.ReplaceAll(id, "-", "") }

// dash turns 32 hex digits into the dashed lowercase 8-4-4-4-12 form.
func dash(hex string) string {
	var h [32]byte
	copy(h[:], hex[:32])
	return dash32(&h)
}

// dashID is dash(Hex32(s)) of a dashed UUID or 32 hex digits, with no
// copy between.
func dashID(s string) string {
	if len(s) == 32 {
		return dash(s)
	}
	var h [32]byte
	copy(h[0:8], s[0:8])
	copy(h[8:12], s[9:13])
	copy(h[12:16], s[14:18])
	copy(h[16:20], s[19:23])
	copy(h[20:32], s[24:36])
	return dash32(&h)
}

// dash32 is dash of the 32 hex digits in h.
func dash32(h *[32]byte) string {
	// Lowered eight bytes at a time, with no branch per digit: an ID
	// mixes digits and letters at random, which a branch would guess
	// wrong half the time.
	var l [32]byte
	for k := 0; k < 32; k += 8 {
		binary.LittleEndian.PutUint64(l[k:], lower8(binary.LittleEndian.Uint64(h[k:])))
	}
	var b [36]byte
	copy(b[0:8], l[0:8])
	copy(b[9:13], l[8:12])
	copy(b[14:18], l[12:16])
	copy(b[19:23], l[16:20])
	copy(b[24:36], l[20:32])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// IsID reports whether s is a dashed lowercase UUID, the only form the
// diagnosis passes to the API.
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// isHex is read from a table: IDs mix digits and letters at random,
// which the three ranges' branches would guess wrong half the time.
func isHex(c byte) bool { return hexDigit[c] }

// hexDigit marks the hex digits, in either case. It is never written.
var hexDigit = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	return t
}()

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return s != ""
}

// isDashedUUID reports whether s is 8-4-4-4-12 hex in any case. Version and
// variant bits are never looked at: real Notion IDs are often not v4.
func isDashedUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// invisibles are characters that do not show when pasted but end up in the
// ID the API receives.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f',
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u00a0':
		return true
	}
	return false
}

// hasInvisible reports whether s holds a character isInvisible takes.
// None is ASCII, so an ASCII s is refused by its bytes alone.
func hasInvisible(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], isInvisible) >= 0
		}
	}
	return false
}

func runeName(r rune) string {
	switch r {
	case '\u200b':
		return "a zero-width space (U+200B)"
	case '\ufeff':
		return "a byte-order mark (U+FEFF)"
	case '\u00ad':
		return "a soft hyphen (U+00AD)"
	case '\u00a0':
		return "a non-breaking space (U+00A0)"
	}
	return fmt.Sprintf("an invisible character (U+%04X)", r)
}

// idReading is what examine makes of one value that is meant to be an ID.
type idReading struct {
	id        string // dashed lowercase ID, "" when none is usable
	missing   string // why there is no ID at all ("" if there is one or it is malformed)
	malformed string // what is wrong with an ID-like value ("" if nothing)
	repaired  bool   // malformed but repaired into id
	extracted bool   // the ID sat inside a longer value (slug, query, URL)
	view      string // a ?v= view ID found in the value
	variable  string // the variable that stands where the ID belongs ("" if none)
	from      string // what the ID was taken out of, for id.extracted
	hint      Kind   // what the value's shape says the object is
}

// missingWords are values that mean "no ID" when code or configuration sent
// them in place of one.
var missingWords = map[string]string{
	"none":      "None is what Python prints for a missing value",
	"null":      "null is an unset value",
	"nil":       "nil is an unset value",
	"undefined": "undefined is what JavaScript gives for an unset variable",
	"nan":       "NaN is not an ID",
	"":          "the value is empty",
}

// isPlaceholder reports whether s reads like a template placeholder:
// <page_id>, {{DATABASE_ID}}, YOUR_PAGE_ID, ARCHIVE_PAGE_URL, xxxx...
func isPlaceholder(s string) bool {
	t := strings.Trim(s, "<>{}[]$%")
	if t != s && t != "" {
		return true
	}
	l := strings.ToLower(t)
	if strings.Trim(l, "x-.") == "" && len(l) >= 3 {
		return true
	}
	for _, p := range []string{"your_", "your-", "my_", "insert", "replace", "placeholder", "example", "<", "{{"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	// SHOUTY_SNAKE_CASE names of variables, such as ARCHIVE_PAGE_URL.
	if strings.Contains(t, "_") && strings.ToUpper(t) == t && strings.IndexFunc(t, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0 {
		return true
	}
	for _, w := range []string{"page_id", "database_id", "block_id", "data_source_id", "id", "pageid", "databaseid"} {
		if l == w {
			return true
		}
	}
	return false
}

// maxValue bounds the values examine reads: a Notion link, with its title
// slug and query, is far shorter.
const maxValue = 1024

// maxQueryValue bounds a link's query or fragment value that examine reads
// (p=, v=, #block): an ID, or at most a link pasted into it.
const maxQueryValue = 256

// examineQuery is examine of a link's query or fragment value: one longer
// than maxQueryValue is no ID, and reading it as a link of its own, level
// after level, would cost the square of its length.
func examineQuery(v string) idReading {
	if len(v) > maxQueryValue {
		return idReading{malformed: fmt.Sprintf("it is %d characters long; an ID has 32", utf8.RuneCountInString(v))}
	}
	return examine(v)
}

// examine decides what an ID-meant value holds: a valid ID, an ID inside a
// longer value, a repairable or unusable malformed ID, or nothing.
//
// It is long on purpose: it runs for every ID-meant value on the reader's
// hot path, returns at once for the common well-formed ID, and its repairs
// are one ordered list (each step sees what the one before left, and adds
// to the same notes), which reads best as one sequence.
func examine(v string) idReading {
	if len(v) > maxValue {
		// No ID-meant value is this long, and reading a link nested in a
		// link nested in a link… of any length would cost its square.
		return idReading{malformed: fmt.Sprintf("it is %d characters long; an ID has 32", utf8.RuneCountInString(v))}
	}
	if isDashedUUID(v) || len(v) == 32 && allHex(v) {
		// The common case, an ID as it should be: what shape says of it
		// (nothing below applies to 32 hex digits, dashed or not).
		return idReading{id: dashID(v)}
	}
	orig := v
	var notes []string

	// Invisible characters and wrapping quotes or whitespace: repairable.
	if hasInvisible(v) {
		var seen []string
		v = strings.Map(func(r rune) rune {
			if isInvisible(r) {
				n := runeName(r)
				if len(seen) == 0 || seen[len(seen)-1] != n {
					seen = append(seen, n)
				}
				return -1
			}
			return r
		}, v)
		notes = append(notes, "it holds "+strings.Join(dedupStrings(seen), " and "))
	}
	if t := strings.TrimSpace(v); t != v {
		v = t
	}
	if t := trimQuotes(v); t != v {
		v = t
		notes = append(notes, "it is wrapped in quotes")
	}
	if elided(strings.TrimRight(v, `"'`+"`,;")) {
		// Shortened by the person who pasted it: no ID, and nothing wrong.
		return idReading{}
	}
	if name := variableName(v); name != "" {
		return idReading{variable: name, missing: fmt.Sprintf("it is the variable %s, not an ID: the text does not show its value, and a call that fails with it most often ran with it unset, empty or never substituted.", name)}
	}
	if w, ok := missingWords[strings.ToLower(v)]; ok {
		return idReading{missing: fmt.Sprintf("%q was sent where an ID belongs: %s.", orig, w)}
	}
	if isPlaceholder(v) {
		return idReading{missing: fmt.Sprintf("%q is a placeholder, not an ID.", v)}
	}

	// A link or a query string: take the ID out.
	if strings.Contains(v, "/") || strings.Contains(v, "?") || strings.Contains(v, "#") {
		if l, ok := parseLink(v); ok {
			vd := l.idReading()
			if len(notes) > 0 && vd.id != "" {
				vd.malformed = strings.Join(notes, " and ")
				vd.repaired = true
			}
			return vd
		}
		cut := v
		if i := strings.IndexAny(cut, "?#"); i >= 0 {
			cut = cut[:i]
		}
		cut = strings.TrimRight(cut, "/")
		if i := strings.LastIndexByte(cut, '/'); i >= 0 {
			cut = cut[i+1:]
		}
		if cut != v && cut != "" {
			vd := examine(cut)
			vd.extracted = vd.extracted || vd.id != ""
			if vd.from == "" {
				vd.from = "a value with a path or query string"
			}
			if i := strings.Index(v, "v="); i >= 0 {
				if w := examine(firstField(v[i+2:])); w.id != "" {
					vd.view = w.id
					vd.hint = KindDatabase
				}
			}
			return vd
		}
	}

	// A slug before the ID: My-Page-<32hex>.
	if id, ok := idAtEnd(v); ok && len(v) > 36 {
		return idReading{id: id, extracted: true, from: "a title slug"}
	}

	vd := shape(v)
	if vd.id != "" && len(notes) > 0 {
		vd.repaired = true
		if vd.malformed != "" {
			notes = append(notes, vd.malformed)
		}
		vd.malformed = strings.Join(notes, " and ")
	}
	return vd
}

// shape judges a bare value by its characters alone.
func shape(v string) idReading {
	if isDashedUUID(v) || (len(v) == 32 && allHex(v)) {
		return idReading{id: dashID(v)}
	}
	digits := strings.ReplaceAll(v, "-", "")
	if len(digits) == 32 && allHex(digits) {
		return idReading{id: dash(digits), repaired: true, malformed: "its dashes are not in the 8-4-4-4-12 places"}
	}
	if allHex(digits) {
		n := len(digits)
		if n < 32 {
			return idReading{malformed: cutOff[n]}
		}
		return idReading{malformed: "it has " + strconv.Itoa(n) + " hex digits instead of 32: it has " + plural(n-32, "character") + " too many, extra characters copied with it"}
	}
	// Non-hex characters in an otherwise ID-like value.
	var bad []string
	n := 0
	for i, r := range digits {
		n++
		if r < utf8.RuneSelf && isHex(byte(r)) {
			continue
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%q at position %d", r, i+1))
		}
	}
	msg := fmt.Sprintf("it holds characters that are not hex digits: %s", strings.Join(bad, ", "))
	if len(bad) == 5 {
		msg += " and more"
	}
	if n != 32 {
		msg += fmt.Sprintf(" (and it is %d characters long instead of 32)", n)
	}
	return idReading{malformed: msg}
}

// cutOff is what shape says of n hex digits, fewer than 32, by n: made
// once, since a paste may cut many IDs. It is never written.
var cutOff = func() (m [32]string) {
	for n := range m {
		m[n] = fmt.Sprintf("it has %d hex digits instead of 32: it looks cut off (%s missing)", n, plural(32-n, "digit"))
	}
	return m
}()

// idAtEnd finds an ID at the end of s: 32 hex or a dashed UUID, after a '-'
// or at the start.
func idAtEnd(s string) (string, bool) {
	if len(s) >= 36 {
		t := s[len(s)-36:]
		if isDashedUUID(t) && (len(s) == 36 || s[len(s)-37] == '-') {
			return dashID(t), true
		}
	}
	if len(s) >= 32 {
		t := s[len(s)-32:]
		if allHex(t) && (len(s) == 32 || s[len(s)-33] == '-' || s[len(s)-33] == '/') {
			return dash(t), true
		}
	}
	return "", false
}

func trimQuotes(s string) string {
	for len(s) >= 1 {
		c := s[0]
		if c == '"' || c == '\'' || c == '`' || c == '\\' {
			s = s[1:]
			continue
		}
		break
	}
	for len(s) >= 1 {
		c := s[len(s)-1]
		if c == '"' || c == '\'' || c == '`' || c == '\\' {
			s = s[:len(s)-1]
			continue
		}
		break
	}
	if strings.HasPrefix(s, "“") || strings.HasPrefix(s, "‘") {
		s = s[3:]
	}
	if strings.HasSuffix(s, "”") || strings.HasSuffix(s, "’") {
		s = s[:len(s)-3]
	}
	return s
}

// firstField is the value of a query parameter: up to the next '&', '#',
// '/', '?' or space (a second '?' starts nothing the value holds, and
// reading past it would read <id>?v=<id>?v=… again at every level).
func firstField(s string) string {
	if i := strings.IndexAny(s, "&#/? "); i >= 0 {
		return s[:i]
	}
	return s
}

func dedupStrings(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// envAccessors are the ways code reads a variable: what comes before the
// variable's name, and what may close it.
var envAccessors = []string{
	"process.env.", "process.env[", "import.meta.env.", "os.environ.get(", "os.environ[", "os.getenv(",
	"os.Getenv(", "ENV.fetch(", "ENV[", "System.getenv(", "Deno.env.get(", "getenv(", "env(", "$env:",
}

// variableName returns the name of the variable that v refers to, when v is
// a variable reference and not a value: process.env.NOTION_DB_ID,
// os.environ["X"], os.getenv("X"), import.meta.env.X, ENV['X'], ${X}, $X,
// {{page_id}}, <DATABASE_ID>, %NOTION_ID%. It returns "" otherwise.
func variableName(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < 2 || len(v) > 120 {
		return ""
	}
	for _, a := range envAccessors {
		if strings.HasPrefix(v, a) {
			return identAt(strings.TrimLeft(v[len(a):], " '\"`"))
		}
	}
	switch {
	case strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}"):
		return identOnly(v[2 : len(v)-1])
	case strings.HasPrefix(v, "{{") && strings.HasSuffix(v, "}}"):
		return identOnly(strings.TrimSpace(v[2 : len(v)-2]))
	case v[0] == '$':
		return identOnly(v[1:])
	case v[0] == '<' && v[len(v)-1] == '>':
		return identOnly(v[1 : len(v)-1])
	case v[0] == '%' && v[len(v)-1] == '%':
		return identOnly(v[1 : len(v)-1])
	}
	return ""
}

// identAt returns the identifier at the start of s.
func identAt(s string) string {
	k := 0
	for k < len(s) && (isSchemeByte(s[k]) || s[k] == '_' || k > 0 && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	return s[:k]
}

// identOnly returns s when it is one identifier (with dots, as in
// {{ steps.page.id }}), "" otherwise.
func identOnly(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || !(isSchemeByte(s[0]) || s[0] == '_') {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isSchemeByte(c) || c == '_' || c == '.' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return s
}

// codeIdentifier returns v when it reads as a name in code (dbId,
// config.databaseId, DATABASE_ID) rather than a value typed wrong: it is an
// identifier and far from hex. "" otherwise.
func codeIdentifier(v string) string {
	name := identOnly(v)
	if name == "" || len(name) > 60 || hexRatio(strings.Map(func(r rune) rune {
		if r == '.' || r == '_' {
			return -1
		}
		return r
	}, name)) >= 0.85 {
		return ""
	}
	return name
}

// varExprEnd returns where a variable expression starting at i in t ends
// (process.env.X, os.environ['X'], os.getenv("X", ""), ${X}, {{ x }},
// <X>, %X%), or -1 when none starts there.
func varExprEnd(t string, i int) int {
	rest := t[i:min(len(t), i+160)]
	closeAt := func(open, close string) int {
		if !strings.HasPrefix(rest, open) {
			return -1
		}
		k := strings.Index(rest[len(open):], close)
		if k < 0 || strings.IndexByte(rest[len(open):len(open)+k], '\n') >= 0 {
			return -1
		}
		return i + len(open) + k + len(close)
	}
	for _, a := range envAccessors {
		if !strings.HasPrefix(rest, a) {
			continue
		}
		switch a[len(a)-1] {
		case '(':
			if e := closeAt(a, ")"); e >= 0 {
				return e
			}
		case '[':
			if e := closeAt(a, "]"); e >= 0 {
				return e
			}
		default:
			return i + len(a) + len(identAt(rest[len(a):]))
		}
		return -1
	}
	for _, p := range [][2]string{{"${", "}"}, {"{{", "}}"}, {"<", ">"}, {"%", "%"}} {
		if e := closeAt(p[0], p[1]); e >= 0 && variableName(t[i:e]) != "" {
			return e
		}
	}
	if rest != "" && rest[0] == '$' {
		if n := identAt(rest[1:]); n != "" {
			return i + 1 + len(n)
		}
	}
	return -1
}
