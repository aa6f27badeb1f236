package diagnose

import (
	"bytes"
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Origin says what kind of text a reference was read from.
type Origin string

// Origins of references.
const (
	OriginLink  Origin = "link"    // a Notion (or other) web link
	OriginAPI   Origin = "api_url" // an api.notion.com URL or /v1/ path, as in a curl line
	OriginError Origin = "error"   // a pasted Notion error message or body
	OriginJSON  Origin = "json"    // a page_id / database_id ... key in pasted JSON or code
	OriginID    Origin = "id"      // a bare ID, or an ID-like string
	OriginText  Origin = "text"    // none of those: the text as a whole
)

// maxSource bounds the Source of a reference, so a huge paste never makes a
// huge report.
const maxSource = 300

// candidate is a reference as first found, before duplicates are merged.
type candidate struct {
	pos      int
	seq      int // order of finding, for candidates at the same position
	source   string
	origin   Origin
	vd       idReading
	endpoint Endpoint
	hint     Kind
	// link is the link the candidate was read from, when hasLink. It is
	// held by value: a candidate that is not kept costs no allocation.
	link    link
	hasLink bool
}

// Read returns every Notion reference in text, in order of appearance,
// duplicates merged. It never returns an empty slice: text with no usable
// reference gives one reference with ID "" and the finding that says why.
func Read(text string) []Reference {
	refs, _ := ReadLimit(text, -1)
	return refs
}

// ReadLimit is Read that builds at most limit references (all when limit < 0)
// and also returns how many distinct references text holds, so a huge paste
// costs memory in proportion to what is reported, not to what was pasted.
func ReadLimit(text string, limit int) ([]Reference, int) {
	refs, total, _ := readReferences(text, limit)
	return refs, total
}

// readReferences is ReadLimit that also reports whether the text holds
// more distinct references than the count says (more than maxCounted).
func readReferences(text string, limit int) ([]Reference, int, bool) {
	return readReferencesIn(text, limit, textNeedles.scan(text))
}

// readReferencesIn is readReferences with the fixed strings of the text
// already found (ix was scanned from text).
func readReferencesIn(text string, limit int, ix *firsts) ([]Reference, int, bool) {
	s := &scanner{text: text, refs: newCollector(limit), ix: ix}
	s.scanLinks()
	s.scanAPIPaths()
	s.scanErrors()
	s.scanKeys()
	s.scanVariables()
	s.scanWords()
	refs, total, more := s.refs.references()
	if total == 0 {
		total = 1
		refs = []Reference{fallback(text, s.otherLinks, s.notContent)}
		if limit == 0 {
			refs = nil
		}
	}
	return refs, total, more
}

// maxCounted bounds how many distinct references of one text are counted
// (a text with more says so): the count costs memory too.
const maxCounted = 10000

// maxMerged bounds the pieces of text merged into one reference (the same
// ID in a link, an error, a curl line…): past a few, another piece adds no
// finding, and keeping them all would cost memory in proportion to the
// paste.
const maxMerged = 16

// refKey is what makes two candidates the same reference: the ID, or the
// text of one that has none.
type refKey struct{ id, source string }

func (c *candidate) key() refKey {
	if c.vd.id != "" {
		return refKey{id: c.vd.id}
	}
	return refKey{source: c.source}
}

// refMap is a map keyed by refKey, held as two maps keyed by string (by
// ID, and by the text of a reference with none), which Go hashes faster
// than a key of two strings: the collector asks it for every candidate.
type refMap[V any] struct{ byID, bySource map[string]V }

func newRefMap[V any]() refMap[V] {
	return refMap[V]{byID: map[string]V{}, bySource: map[string]V{}}
}

func (m refMap[V]) side(k refKey) (map[string]V, string) {
	if k.id != "" {
		return m.byID, k.id
	}
	return m.bySource, k.source
}

func (m refMap[V]) get(k refKey) (V, bool) {
	side, s := m.side(k)
	v, ok := side[s]
	return v, ok
}

func (m refMap[V]) set(k refKey, v V) {
	side, s := m.side(k)
	side[s] = v
}

func (m refMap[V]) delete(k refKey) {
	side, s := m.side(k)
	delete(side, s)
}

func (m refMap[V]) len() int { return len(m.byID) + len(m.bySource) }

// values yields the values, in no order.
func (m refMap[V]) values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, side := range []map[string]V{m.byID, m.bySource} {
			for _, v := range side {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// keyed is one reference being collected: its candidates, the first (by
// position) first.
type keyed struct {
	first candidate // the first piece by position (its pos and seq)
	cands []candidate
}

// before reports whether a comes before b: by position, then in the order
// found.
func before(a, b *candidate) bool {
	return a.pos < b.pos || a.pos == b.pos && a.seq < b.seq
}

func byPlace(a, b candidate) int {
	if before(&a, &b) {
		return -1
	}
	if before(&b, &a) {
		return 1
	}
	return 0
}

// collector keeps, of the candidates the passes find (each pass in order of
// position, the passes one after the other), those that make the limit
// references that come first in the text, and counts the distinct
// references, so that memory is bounded by what is reported, not by the
// size of the paste.
type collector struct {
	limit   int // references kept; all when < 0
	kept    refMap[*keyed]
	counted refMap[struct{}]
	more    bool // more than maxCounted distinct references
	seq     int
	last    *keyed // see lastKept; nil: not known
}

func newCollector(limit int) *collector {
	return &collector{limit: limit, kept: newRefMap[*keyed](), counted: newRefMap[struct{}]()}
}

// add takes one candidate; it sets its seq.
func (co *collector) add(c *candidate) {
	c.seq = co.seq
	co.seq++
	k := c.key()
	fresh := false // a key never seen, so not kept either
	if _, ok := co.counted.get(k); !ok {
		if co.counted.len() >= maxCounted {
			co.more = true
		} else {
			co.counted.set(k, struct{}{})
			fresh = true
		}
	}
	if e, ok := co.kept.get(k); !fresh && ok {
		if e == co.last && before(c, &e.first) {
			co.last = nil // it may no longer be the last
		}
		e.take(c)
		return
	}
	if co.limit == 0 {
		return
	}
	if co.limit > 0 && co.kept.len() >= co.limit {
		// Full: the new reference is kept only if it comes before the
		// last one kept, which then goes. (A reference that goes loses
		// its pieces read so far; it can come back only from a later pass
		// at an earlier place, with the pieces read from then on.)
		last := co.lastKept()
		if !before(c, &last.first) {
			return
		}
		co.kept.delete(last.first.key())
	}
	co.kept.set(k, &keyed{first: *c, cands: []candidate{*c}})
	co.last = nil
}

// lastKept returns the reference kept whose first piece comes last,
// remembered until the references kept change.
func (co *collector) lastKept() *keyed {
	if co.last == nil {
		for e := range co.kept.values() {
			if co.last == nil || before(&co.last.first, &e.first) {
				co.last = e
			}
		}
	}
	return co.last
}

// take adds a candidate of the same reference: a piece of text already
// taken (same origin and source) adds nothing, and at most maxMerged
// pieces are kept, the first in the text.
func (e *keyed) take(c *candidate) {
	if before(c, &e.first) {
		e.first = *c
	}
	for i := range e.cands {
		if e.cands[i].origin == c.origin && e.cands[i].source == c.source {
			if before(c, &e.cands[i]) {
				e.cands[i] = *c
			}
			return
		}
	}
	if len(e.cands) < maxMerged {
		e.cands = append(e.cands, *c)
		return
	}
	j := 0
	for i := range e.cands {
		if before(&e.cands[j], &e.cands[i]) {
			j = i
		}
	}
	if before(c, &e.cands[j]) {
		e.cands[j] = *c
	}
}

// references builds the references kept, in order of appearance, each
// merged from its pieces in order; total is how many distinct references
// the text holds (at least, when more).
func (co *collector) references() (refs []Reference, total int, more bool) {
	es := make([]*keyed, 0, co.kept.len())
	for e := range co.kept.values() {
		slices.SortFunc(e.cands, byPlace)
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b *keyed) int { return byPlace(a.first, b.first) })
	for _, e := range es {
		r := e.cands[0].reference()
		for i := 1; i < len(e.cands); i++ {
			r = merge(r, &e.cands[i])
		}
		refs = append(refs, r)
	}
	return refs, co.counted.len(), co.more
}

// HasReference reports whether text holds something worth answering in a
// help channel: a Notion link, an API URL, a pasted Notion error, or a
// usable ID. A loose hex string or a title alone does not count.
func HasReference(text string) bool {
	refs, _ := ReadLimit(text, 20)
	for _, r := range refs {
		if r.Answerable() {
			return true
		}
	}
	return false
}

// Answerable reports whether the reference alone makes a text worth
// answering (see HasReference).
func (r Reference) Answerable() bool {
	switch r.Origin {
	case OriginLink, OriginAPI, OriginError:
		return true
	case OriginJSON, OriginID:
		return r.ID != ""
	}
	return false
}

// scanner finds candidates in normalised text. Each pass marks the bytes
// it used, so that later passes do not read the same characters again.
// Passes whose pieces of text repeated are read once (see repeated).
const (
	passLink byte = iota
	passQuery
	passAPIPath
	passError
)

// maxRemembered bounds the pieces of text remembered as read.
const maxRemembered = 4096

// repeated reports whether pass read the same piece of text before and
// what it made of it (for passLink and passAPIPath it also remembers this
// one; the other passes remember what they made with remember). A piece
// read again, later in the same pass, would make the same candidate at a
// later place, which adds nothing to the reference the first one made: a
// paste that repeats one link ten thousand times parses it once.
func (s *scanner) repeated(pass byte, raw string) (was, again bool) {
	was, again = s.pieces[pass][raw]
	if !again && (pass == passLink || pass == passAPIPath) {
		s.remember(pass, raw, true)
	}
	return was, again
}

func (s *scanner) remember(pass byte, raw string, was bool) {
	if s.pieces[pass] == nil {
		s.pieces[pass] = map[string]bool{}
	}
	n := 0
	for _, m := range s.pieces {
		n += len(m)
	}
	if n < maxRemembered {
		s.pieces[pass][raw] = was
	}
}

type scanner struct {
	pieces     [passError + 1]map[string]bool // by pass; see repeated
	text       string
	ix         *firsts    // where fixed strings first occur in text; nil: not looked for
	refs       *collector // nil: the candidates are not wanted
	used       []uint64   // a bit per byte of text: already read
	otherLinks []string
	// notContent names the IDs left out as not content (a request ID, a
	// workspace ID…), in order, to say so when nothing else is found.
	notContent []string
}

func (s *scanner) mark(from, to int) {
	if s.used == nil {
		s.used = make([]uint64, len(s.text)/64+1)
	}
	for from < to {
		m, n := bitsAt(from, to)
		s.used[from/64] |= m
		from += n
	}
}

// bitsAt returns the mask of the bits of [from,to) in from's word of a
// bitmap, and how many they are.
func bitsAt(from, to int) (mask uint64, n int) {
	lo := from % 64
	n = min(to-from, 64-lo)
	return ^uint64(0) >> (64 - n) << lo, n
}

func (s *scanner) isUsed(pos int) bool {
	return s.used != nil && pos < len(s.text) && s.used[pos/64]&(1<<(pos%64)) != 0
}

// anyUsed reports whether a byte of [from,to) was already read.
func (s *scanner) anyUsed(from, to int) bool {
	if s.used == nil {
		return false
	}
	for from < to {
		m, n := bitsAt(from, to)
		if s.used[from/64]&m != 0 {
			return true
		}
		from += n
	}
	return false
}

// add takes one candidate (by address: a candidate is large, and most
// are counted, not kept); it may change it.
func (s *scanner) add(c *candidate) {
	if len(c.source) > maxSource {
		c.source = truncateUTF8(c.source, maxSource) + "…"
	}
	if s.refs != nil {
		s.refs.add(c)
	}
}

// urlStop reports whether b ends a URL in running text.
func urlStop(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '<', '>', '"', '\'', '`', '|', '\\', ']', '}', ')', ',', '(', '[', '{':
		return true
	}
	return b < 0x20
}

// urlSpecial marks the bytes urlEnd looks at: those that end a URL and
// those that may start a variable in it. It is never written.
var urlSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = urlStop(byte(c)) || c == '{' || c == '<' || c == '$'
	}
	return t
}()

func isHostByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-'
}

// urlEnd returns where a URL starting at start ends.
func (s *scanner) urlEnd(start int) int {
	end := start
	for end < len(s.text) {
		c := s.text[end]
		if !urlSpecial[c] {
			end++
			continue
		}
		// A variable in a URL template (/v1/pages/${pageId}, {{page_id}},
		// <DATABASE_ID>) is part of it.
		if c == '{' || c == '<' || c == '$' && end+1 < len(s.text) && s.text[end+1] == '{' {
			if e := varExprEnd(s.text, end); e > end {
				end = e
				continue
			}
		}
		if urlStop(c) {
			break
		}
		end++
	}
	for end > start && strings.IndexByte(".:;!?*_~", s.text[end-1]) >= 0 {
		end--
	}
	return end
}

// scanLinks finds links with a scheme (https://, notion://) and Notion links
// without one (notion.so/…, x.notion.site/…).
func (s *scanner) scanLinks() {
	t := s.text
	s.eachUntil("://", func(i int) int {
		start := i
		for start > 0 && isSchemeByte(t[start-1]) && i-start < 16 {
			start--
		}
		// Letters glued before a known scheme ("…31mhttps://" after a
		// terminal colour code) are not part of it.
		scheme := strings.ToLower(t[start:i])
		for _, known := range []string{"https", "http", "notion"} {
			if strings.HasSuffix(scheme, known) {
				start = i - len(known)
				break
			}
		}
		end := s.urlEnd(i + 3)
		if start < i && end > i+3 {
			s.addLink(start, end)
		}
		return end
	})
	// An ID pasted with its query string, <db>?v=<view>: read it as the link
	// it was cut from.
	for _, q := range []string{"?v=", "?p="} {
		s.eachUntil(q, func(i int) int {
			if s.isUsed(i) {
				return i
			}
			start := i
			for start > 0 && (isHostByte(t[start-1]) && t[start-1] != '.') && i-start < 300 {
				start--
			}
			if i-start < 32 || !allHex(strings.ReplaceAll(t[max(start, i-36):i], "-", "")) {
				return i
			}
			end := s.urlEnd(i)
			raw := t[start:end]
			if was, again := s.repeated(passQuery, raw); again {
				if !was {
					return i
				}
				s.mark(start, end)
				return end
			}
			l, ok := parseLink("https://www.notion.so/" + raw)
			s.remember(passQuery, raw, ok && l.class == hostContent)
			if !ok || l.class != hostContent {
				return i
			}
			l.raw = raw
			s.mark(start, end)
			vd := l.idReading()
			vd.from = "an ID with a query string"
			s.add(&candidate{pos: start, source: raw, origin: OriginLink, vd: vd, hint: vd.hint, link: l, hasLink: true})
			return end
		})
	}
	for _, dom := range linkDomains {
		s.eachUntil(dom, func(i int) int {
			if s.isUsed(i) {
				return i
			}
			start := i
			for start > 0 && isHostByte(t[start-1]) && i-start < 253 {
				start--
			}
			if start > 0 && (t[start-1] == '/' || t[start-1] == '@') {
				return i
			}
			end := s.urlEnd(i)
			s.addLink(start, end)
			return end
		})
	}
}

// linkDomains are Notion's domains, read as links without a scheme.
var linkDomains = []string{"notion.so/", "notion.com/", "notion.site/", "NOTION.SO/"}

// errorInvalidUUID is what Notion's validation error says of a value that
// is no ID.
const errorInvalidUUID = " should be a valid uuid, instead was "

func isSchemeByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func (s *scanner) addLink(start, end int) {
	raw := s.text[start:end]
	s.mark(start, end)
	if _, again := s.repeated(passLink, raw); again {
		return // the same link again adds nothing (see repeated)
	}
	l, ok := parseLink(raw)
	if !ok {
		return
	}
	c := candidate{pos: start, source: raw, origin: OriginLink, link: l, hasLink: true}
	switch {
	case l.class == hostAPI:
		c.origin = OriginAPI
		c.endpoint = l.endpoint
		if !l.hasAPIID && l.notContent == "" {
			return // /v1/search, /v1/users/me, POST /v1/pages: no ID in the path
		}
	case l.class == hostOther && l.notContent == "":
		if len(s.otherLinks) == 0 { // only the first is ever named
			s.otherLinks = append(s.otherLinks, raw)
		}
		return
	}
	if l.notContent == "" {
		c.vd = l.idReading()
		c.hint = c.vd.hint
	}
	s.add(&c)
}

// scanAPIPaths finds API paths without a host, as in "GET /v1/pages/<id>"
// or a log line.
func (s *scanner) scanAPIPaths() {
	t := s.text
	s.eachUntil("/v1/", func(i int) int {
		if s.isUsed(i) {
			return i
		}
		end := s.urlEnd(i)
		if _, again := s.repeated(passAPIPath, t[i:end]); again {
			s.mark(i, end)
			return end
		}
		path := t[i:end]
		query := ""
		if q := strings.IndexByte(path, '?'); q >= 0 {
			path, query = path[:q], path[q+1:]
		}
		var l link
		l.class = hostAPI
		var room pathSegments
		l.parseAPISegments(splitPath(room[:0], path)[1:], func(key string) string { return rawQueryGet(query, key) })
		s.mark(i, end)
		if l.hasAPIID {
			vd := l.idReading()
			s.add(&candidate{pos: i, source: t[i:end], origin: OriginAPI, vd: vd, endpoint: l.endpoint, link: l, hasLink: true})
		}
		return end
	})
}

// rawQueryGet reads a query string as written (no escape undone): the
// first value of key, "" when none.
func rawQueryGet(q, key string) string {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// endpointForNoun maps the object noun of a Notion error to its endpoint.
func endpointForNoun(noun string) (Endpoint, Kind) {
	switch noun {
	case "page":
		return EndpointPages, KindPage
	case "database":
		return EndpointDatabases, KindDatabase
	case "block":
		return EndpointBlocks, KindBlock
	case "data_source", "data source":
		return EndpointDataSources, KindDataSource
	case "view":
		return EndpointViews, KindView
	}
	return EndpointNone, KindUnknown
}

// scanErrors finds Notion error messages and takes the ID they name, the
// endpoint they imply, and what they say the object is.
func (s *scanner) scanErrors() {
	t := s.text
	// "Could not find page with ID: <id>."
	s.each("Could not find ", func(i int) {
		rest := t[i+len("Could not find "):]
		noun, after, ok := cutNoun(rest)
		if !ok || !strings.HasPrefix(after, " with ID: ") {
			return
		}
		idStart := i + len("Could not find ") + (len(rest) - len(after)) + len(" with ID: ")
		ep, _ := endpointForNoun(noun)
		s.errorID(i, idStart, ep, KindUnknown)
	})
	// "Provided ID <id> is a database, not a page." and
	// "Provided database_id <id> is a page, not a database."
	s.each("Provided ", func(i int) {
		rest := t[i+len("Provided "):]
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 || sp > 20 {
			return
		}
		idStart := i + len("Provided ") + sp + 1
		idEnd := wordEnd(t, idStart)
		after := t[idEnd:]
		if !strings.HasPrefix(after, " is a ") {
			return
		}
		isNoun, after2, ok := cutNoun(after[len(" is a "):])
		if !ok {
			return
		}
		_, hint := endpointForNoun(isNoun)
		ep := EndpointNone
		if strings.HasPrefix(after2, ", not a ") {
			notNoun, _, ok := cutNoun(after2[len(", not a "):])
			if ok {
				ep, _ = endpointForNoun(notNoun)
			}
		}
		if param := rest[:sp]; ep == EndpointNone && strings.HasSuffix(param, "_id") {
			ep, _ = endpointForNoun(strings.TrimSuffix(param, "_id"))
		}
		s.errorID(i, idStart, ep, hint)
	})
	// "Database with ID <id> does not contain any data sources accessible by
	// this API bot." and "... is a linked database."
	s.each("Database with ID ", func(i int) {
		s.errorID(i, i+len("Database with ID "), EndpointDatabases, KindDatabase)
	})
	// "path failed validation: path.page_id should be a valid uuid, instead
	// was `\"None\"`."
	const valid = errorInvalidUUID
	s.each(valid, func(i int) {
		// The parameter: path.page_id, body.parent.database_id, ...
		pstart := i
		for pstart > 0 && (isHostByte(t[pstart-1]) || t[pstart-1] == '_') && i-pstart < 80 {
			pstart--
		}
		param := t[pstart:i]
		name := param[strings.LastIndexByte(param, '.')+1:]
		ep, hint := endpointForNoun(strings.TrimSuffix(name, "_id"))
		if !strings.HasPrefix(param, "path.") {
			ep = EndpointNone // a body parameter: the ID is a parent, not the endpoint's object
		}
		vstart := i + len(valid)
		value, vend := quotedValue(t, vstart)
		src := t[pstart:vend]
		if strings.HasPrefix(t[max(0, pstart-len("path failed validation: ")):pstart], "path failed validation: ") {
			src = t[pstart-len("path failed validation: ") : vend]
		}
		s.mark(pstart, vend)
		vd := examine(value)
		if vd.hint == "" || vd.hint == KindUnknown {
			vd.hint = hint
		}
		s.add(&candidate{pos: pstart, source: src, origin: OriginError, vd: vd, endpoint: ep, hint: vd.hint})
	})
}

// each calls f at every index where needle occurs in the text.
func (s *scanner) each(needle string, f func(i int)) {
	s.eachUntil(needle, func(i int) int { f(i); return i + len(needle) })
}

// eachUntil calls f at every index where needle occurs in the text, going
// on from the offset f returns (so that f can skip what it has read).
func (s *scanner) eachUntil(needle string, f func(i int) (next int)) {
	if s.ix != nil {
		// The first occurrence is known already (or that there is none).
		i := s.ix.index(needle)
		if i < 0 {
			return
		}
		s.eachFrom(needle, max(f(i), i+len(needle)), f)
		return
	}
	s.eachFrom(needle, 0, f)
}

// eachUntilAny is eachUntil of several needles: f is called at every
// index where one of them occurs, in order.
func (s *scanner) eachUntilAny(needles []string, f func(i int) (next int)) {
	// next[k] is where needles[k] occurs first at or after the last offset
	// (len(text): nowhere), looked for again only once passed, so that the
	// walk costs each needle one search of the text, not one per place.
	next := make([]int, len(needles))
	for k := range next {
		next[k] = -1
	}
	for off := 0; off < len(s.text); {
		i := len(s.text)
		for k, needle := range needles {
			if next[k] < off {
				next[k] = len(s.text)
				if j := s.indexFrom(needle, off); j >= 0 {
					next[k] = j
				}
			}
			i = min(i, next[k])
		}
		if i == len(s.text) {
			return
		}
		off = max(f(i), i+1)
	}
}

// indexFrom is the index of the first needle in the text at or after off,
// -1 when none.
func (s *scanner) indexFrom(needle string, off int) int {
	if s.ix != nil {
		return s.ix.indexFrom(needle, off)
	}
	if i := strings.Index(s.text[off:], needle); i >= 0 {
		return i + off
	}
	return -1
}

// eachFrom is eachUntil from offset off on.
func (s *scanner) eachFrom(needle string, off int, f func(i int) (next int)) {
	k := -1
	if s.ix != nil {
		k = s.ix.exactIndex(needle)
	}
	for off < len(s.text) {
		var i int
		if s.ix != nil {
			i = s.ix.indexFromAt(k, needle, off) // noted already for some needles
		} else if i = strings.Index(s.text[off:], needle); i >= 0 {
			i += off
		}
		if i < 0 {
			return
		}
		off = max(f(i), i+len(needle))
	}
}

// cutNoun reads an object noun at the start of s.
func cutNoun(s string) (noun, rest string, ok bool) {
	for _, n := range []string{"data_source", "data source", "database", "page", "block", "view"} {
		if strings.HasPrefix(s, n) {
			return n, s[len(n):], true
		}
	}
	return "", s, false
}

func wordEnd(t string, i int) int {
	for i < len(t) && (isHex(t[i]) || t[i] == '-' || isHostByte(t[i])) {
		i++
	}
	for i > 0 && t[i-1] == '.' {
		i--
	}
	return i
}

// errorID adds the ID that an error message at msgStart names at idStart.
func (s *scanner) errorID(msgStart, idStart int, ep Endpoint, hint Kind) {
	idEnd := wordEnd(s.text, idStart)
	raw := s.text[idStart:idEnd]
	// The message goes on to the next '.', line or quote, within 160 bytes:
	// look no further, so that many messages cost their own length.
	end := idEnd
	if e := strings.IndexAny(s.text[idEnd:min(len(s.text), idEnd+160)], ".\n\""); e >= 0 {
		end = idEnd + e
	}
	// The same message again (with the 3 bytes that may say the ID is
	// masked) makes the same candidate: read it once.
	piece := s.text[msgStart:max(end, min(len(s.text), idEnd+3))]
	if was, again := s.repeated(passError, piece); again {
		if was {
			s.mark(idStart, idEnd)
		}
		return
	}
	s.remember(passError, piece, false)
	if raw == "" || len(Hex32(raw)) < 32 && masked(s.text[idEnd:]) {
		// "with ID: <redacted>", "with ID: 1212****": the person masked
		// it; there is nothing to check (the call's error.not_found says so).
		return
	}
	vd := examine(raw)
	if vd.id == "" && vd.malformed == "" {
		return
	}
	s.remember(passError, piece, true)
	s.mark(idStart, idEnd)
	vd.extracted = vd.id != ""
	vd.from = "an error message"
	s.add(&candidate{pos: msgStart, source: s.text[msgStart:end], origin: OriginError, vd: vd, endpoint: ep, hint: hint})
}

// quotedValue reads the value after "instead was ": `"x"`, `\"x\"`,
// `undefined`; it returns the value and where the quoted part ends.
func quotedValue(t string, i int) (string, int) {
	if i < len(t) && (t[i] == '"' || t[i] == '\\') {
		// "value" without the backticks, as some SDKs print it.
		q := i
		for q < len(t) && (t[q] == '"' || t[q] == '\\') {
			q++
		}
		e := q
		for e < len(t) && t[e] != '"' && t[e] != '\\' && t[e] != '\n' && e-q < 400 {
			e++
		}
		end := e
		for end < len(t) && (t[end] == '"' || t[end] == '\\') && end-e < 4 {
			end++
		}
		return strings.TrimSuffix(t[q:e], "..."), end
	}
	if i >= len(t) || t[i] != '`' {
		e := wordEnd(t, i)
		return t[i:e], e
	}
	j := strings.IndexByte(t[i+1:], '`')
	if j < 0 || j > 400 {
		j = min(len(t)-i-1, 400)
	}
	inner := t[i+1 : i+1+j]
	inner = strings.ReplaceAll(inner, `\"`, `"`)
	if len(inner) >= 2 && inner[0] == '"' && inner[len(inner)-1] == '"' {
		inner = inner[1 : len(inner)-1]
	} else {
		inner = strings.Trim(inner, `"`)
	}
	// Notion cuts long values with "...".
	inner = strings.TrimSuffix(inner, "...")
	end := i + 1 + j + 1
	if end > len(t) {
		end = len(t)
	}
	return inner, end
}

// idKeys are the keys whose values are content IDs, with the kind they say.
var idKeys = map[string]Kind{
	"page_id": KindPage, "database_id": KindDatabase, "block_id": KindBlock, "data_source_id": KindDataSource,
	"pageId": KindPage, "databaseId": KindDatabase, "blockId": KindBlock, "dataSourceId": KindDataSource,
}

// scanKeys finds page_id / database_id / ... = value pairs in pasted JSON,
// code or configuration: the value is what was sent as the ID, and the key
// says what it should be.
func (s *scanner) scanKeys() {
	t := s.text
	for _, needle := range []string{"_id", "Id"} {
		s.each(needle, func(i int) {
			end := i + len(needle)
			start := i
			for start > 0 && (isSchemeByte(t[start-1]) || t[start-1] == '_') && i-start < 40 {
				start--
			}
			key := t[start:end]
			hint, ok := idKeys[key]
			if !ok || s.isUsed(start) {
				return
			}
			// Separator: optional quote/backslash, spaces, ':' or '=', spaces.
			j := end
			for j < len(t) && (t[j] == '"' || t[j] == '\\' || t[j] == '\'') {
				j++
			}
			for j < len(t) && t[j] == ' ' {
				j++
			}
			if j >= len(t) || (t[j] != ':' && t[j] != '=') {
				return
			}
			j++
			for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
				j++
			}
			vstart := j
			vend := j
			quoted := false
			if vend < len(t) && t[vend] == '\\' {
				vend++ // an escaped quote inside a JSON string: \"value\"
			}
			if vend < len(t) && (t[vend] == '"' || t[vend] == '\'') {
				quoted = true
				qc := t[vend]
				q := vend + 1
				e := q
				for e < len(t) && t[e] != qc && t[e] != '\\' && t[e] != '\n' && e-q < 300 {
					e++
				}
				vstart, vend = q, e
			} else if e := varExprEnd(t, vstart); e >= 0 {
				vend = e
			} else {
				for vend < len(t) && !urlStop(t[vend]) && t[vend] != ';' && vend-vstart < 300 {
					vend++
				}
			}
			value := t[vstart:vend]
			if value == "" && !quoted {
				return
			}
			if strings.HasPrefix(value, "{") || strings.HasPrefix(value, "[") {
				return
			}
			vd := examine(value)
			if _, none := missingWords[strings.ToLower(value)]; vd.id == "" && vd.variable == "" && !quoted && !none {
				// A name in code (database_id: dbId), not a value typed wrong.
				if name := codeIdentifier(value); name != "" {
					vd = idReading{variable: name, missing: fmt.Sprintf("it is the name %s in the code, not an ID: what it held when the call ran is what was sent, so check it was set (print its length, not its value).", name)}
				}
			}
			if vd.id == "" && vd.malformed == "" && vd.missing == "" {
				return
			}
			if vd.id != "" && vd.hint == "" {
				vd.hint = hint
			} else if vd.hint == "" {
				vd.hint = hint
			}
			s.mark(vstart, vend)
			src := t[start:min(vend+1, len(t))]
			s.add(&candidate{pos: start, source: strings.TrimRight(src, ",; )}"), origin: OriginJSON, vd: vd, hint: vd.hint})
		})
	}
}

// excludedKeys name values that look like IDs but are not content:
// request IDs, the integration's own ID, users.
func excludedKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"request", "integration", "workspace", "space", "user", "bot", "owner", "trace", "ray", "correlation", "session", "client", "app", "cursor"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// keyBefore returns the identifier just before position i, skipping the
// separators of "key": "value", key=value, key: value.
func keyBefore(t string, i int) string {
	j := i
	for j > 0 && strings.IndexByte(" \t\"'`:=\\,[>(", t[j-1]) >= 0 && i-j < 8 {
		j--
	}
	k := j
	for k > 0 && (isSchemeByte(t[k-1]) || t[k-1] == '_' || t[k-1] == '-' || t[k-1] >= '0' && t[k-1] <= '9') && j-k < 40 {
		k--
	}
	return t[k:j]
}

// scanWords reads the bare words of the text: IDs, and strings that look
// like IDs but are cut off, too long or hold stray characters.
func (s *scanner) scanWords() {
	t := s.text
	// open is the end of the last 16 bytes found to hold no byte that
	// ends every word: none is looked at again before it, so that a text
	// with no such byte costs one more look at each byte, not sixteen.
	open := 0
	for i := 0; i < len(t); {
		// A word shorter than 16 bytes is never judged: where the last
		// byte that ends every word among the 16 from i on is k, no word
		// worth judging starts before k, so reading goes on after it (in
		// prose, this looks at a few bytes of every 16, not at each).
		if i >= open && i+16 <= len(t) {
			k := i + 15
			for k >= i && wordByte[t[k]] != byteNoWord {
				k--
			}
			if k >= i {
				i = k + 1
				continue
			}
			open = i + 16
		}
		// ASCII bytes by table, the common case: a word byte, or one that
		// is not and starts nothing.
		if c := wordByte[t[i]]; c == byteNoWord || c == byteJoin {
			i++
			continue
		}
		r, size := rune(t[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(t[i:])
		}
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		hasUnderscore := false
		for i < len(t) {
			if wordByte[t[i]] == byteWord {
				i++
				continue
			}
			r, size = rune(t[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(t[i:])
			}
			if !isWordRune(r) && r != '_' {
				break
			}
			if r == '_' {
				hasUnderscore = true
			}
			i += size
		}
		if i-start < 16 || hasUnderscore || s.anyUsed(start, i) {
			// Shorter than any ID-like word (word's first test), or a token
			// (ntn_…, secret_…) or identifier, never an ID, or read already.
			continue
		}
		s.word(start, i)
	}
}

// What a byte is to scanWords.
const (
	byteNoWord = iota // an ASCII byte isWordRune refuses: it ends every word
	byteJoin          // '_': it starts no word, but a word goes on over it
	byteWord          // an ASCII byte isWordRune takes
	byteRune          // a byte of a character outside ASCII: decoded
)

// wordByte is what each byte is to scanWords. It is never written.
var wordByte = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = byteRune
		case isWordRune(rune(c)):
			t[c] = byteWord
		case c == '_':
			t[c] = byteJoin
		}
	}
	return t
}()

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' ||
		r != '\u00a0' && isInvisible(r)
}

// word judges one bare word of the text.
//
// It is long on purpose: the scanner calls it for every word, and its
// steps (trim, invisible characters, the shapes an ID takes) share the
// word's cleaned forms; the common short word returns in its first line,
// and one flat function keeps the rest of the pass free of calls.
func (s *scanner) word(start, end int) {
	if end-start < 16 {
		return // the common case: shorter than any ID-like word, trimmed or not
	}
	w := strings.Trim(s.text[start:end], "-")
	if len(w) < 16 {
		return
	}
	if strings.HasPrefix(w, "xox") || strings.HasPrefix(w, "xapp") {
		return
	}
	clean := w
	invisible := false
	if hasInvisible(w) {
		invisible = true
		clean = strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, w)
	}
	key := keyBefore(s.text, start)
	if key != "" && excludedKey(key) || excludedPhrase(s.text, start) {
		s.noteNotContent(key, s.text[max(0, start-40):start])
		return
	}
	// NOTION_DATABASE_ID=<id>: the variable's name says what the ID is
	// meant to be.
	keyHint := KindUnknown
	if key != "" && idName(key) {
		keyHint = hintOfName(key)
	}
	// Valid IDs within the word: a 32-hex part, or 8-4-4-4-12 parts. What
	// holds for the whole word is worked out once, not once per ID, so a
	// word of many IDs joined by dashes costs its length.
	var room [8]string
	parts := room[:0] // on the stack for a word of a few parts
	if n := strings.Count(clean, "-") + 1; n > len(room) {
		parts = make([]string, 0, n)
	}
	parts = splitDash(parts, clean) // strings.Split(clean, "-")
	found := false
	slug := len(parts) > 1 && len(clean) != 36
	wrapped := false
	for k := 0; k < len(parts); k++ {
		var id string
		if len(parts[k]) == 32 && allHex(parts[k]) {
			id = dash(parts[k])
		} else if k+4 < len(parts) && len(parts[k]) == 8 && len(parts[k+1]) == 4 && len(parts[k+2]) == 4 && len(parts[k+3]) == 4 && len(parts[k+4]) == 12 {
			cand := strings.Join(parts[k:k+5], "-")
			if isDashedUUID(cand) {
				id = dashID(cand)
				k += 4
			}
		}
		if id == "" {
			continue
		}
		if !found {
			if s.userObject(start) {
				s.noteNotContent("user", "")
				return
			}
			wrapped = s.wrappedAlone(start, end)
		}
		found = true
		vd := idReading{id: id}
		if wrapped {
			vd.repaired, vd.malformed = true, "it is wrapped in quotes"
		}
		if invisible {
			vd.repaired, vd.malformed = true, "it holds invisible characters"
		} else if slug {
			vd.extracted, vd.from = true, "a title slug"
		}
		vd.hint = keyHint
		s.add(&candidate{pos: start, source: w, origin: OriginID, vd: vd, hint: keyHint})
	}
	if found {
		return
	}
	// ID-like but not valid: the last run of hex parts.
	hexLen, k := 0, len(parts)
	for k > 0 && allHex(parts[k-1]) {
		hexLen += len(parts[k-1])
		k--
	}
	tail := strings.Join(parts[k:], "-")
	cutOff := strings.HasPrefix(s.text[end:], "…") || strings.HasPrefix(s.text[end:], "...")
	switch {
	case hexLen >= 20 || cutOff && hexLen >= 12:
		if !hasDigitAndLetter(tail) {
			return
		}
		vd := shape(tail)
		if cutOff && vd.id == "" {
			vd.malformed = fmt.Sprintf("it has %d hex digits instead of 32 and ends in an ellipsis: it was cut off when copied", len(strings.ReplaceAll(tail, "-", "")))
		}
		if invisible && vd.id != "" {
			vd.malformed = "it holds invisible characters and " + vd.malformed
		}
		s.add(&candidate{pos: start, source: w, origin: OriginID, vd: vd})
	case len(clean) >= 30 && len(clean) <= 38 && hexRatio(clean) >= 0.85 && hasDigitAndLetter(clean):
		s.add(&candidate{pos: start, source: w, origin: OriginID, vd: shape(clean)})
	}
}

// wrappedAlone reports whether the word at [start,end) is the whole text
// but for quotes around it: an ID sent with its quotes.
func (s *scanner) wrappedAlone(start, end int) bool {
	// Only quotes and spaces may stand before and after the word, and at
	// least one quote on each side; scanning stops at the first other
	// character, so this costs nothing in a long text.
	const wrap = "\"'`“”‘’"
	isWrap := func(r rune) bool { return strings.ContainsRune(wrap, r) }
	before, after := strings.TrimRightFunc(s.text[:start], unicode.IsSpace), strings.TrimLeftFunc(s.text[end:], unicode.IsSpace)
	if len(before) > 16 || len(after) > 16 {
		return false
	}
	b, a := strings.TrimSpace(before), strings.TrimSpace(after)
	return b != "" && a != "" && strings.TrimFunc(b, isWrap) == "" && strings.TrimFunc(a, isWrap) == ""
}

// userObject reports whether the ID at pos is the "id" of a user or bot
// object in pasted JSON (created_by, owner...), which is not content.
func (s *scanner) userObject(pos int) bool {
	if keyBefore(s.text, pos) != "id" {
		return false
	}
	// The object the "id" belongs to starts at the last '{' before it,
	// unless a '}' closed that object first.
	win := s.text[max(0, pos-200):pos]
	open := strings.LastIndexByte(win, '{')
	if open < 0 || strings.IndexByte(win[open:], '}') >= 0 {
		return false
	}
	obj := win[open:]
	for _, o := range []string{"user", "bot", "person"} {
		if strings.Contains(obj, `"`+o+`"`) || strings.Contains(obj, "'"+o+"'") {
			return true
		}
	}
	return false
}

func hasDigitAndLetter(s string) bool {
	d, l := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			l = true
		}
	}
	return d && l
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// masked reports whether rest, what follows an ID-like word, shows that the
// ID was masked or cut by the person who pasted it.
func masked(rest string) bool {
	for _, m := range []string{"*", "•", "…", "...", "xxx", "XXX", "<", "[", "#"} {
		if strings.HasPrefix(rest, m) {
			return true
		}
	}
	return false
}

// excludedPhrase reports whether the ID at i follows words that say it is
// not content: "request id:", "Your workspace ID is", "integration ID",
// "bot id", "user id", "cursor".
func excludedPhrase(t string, i int) bool {
	w := strings.TrimRight(t[max(0, i-40):i], " \t\"'`:=,[]>(#\\")
	if len(w) >= 3 && strings.EqualFold(w[len(w)-3:], " is") {
		w = strings.TrimRight(w[:len(w)-3], " \t\"'`:=\\")
	}
	for _, p := range []string{"request id", "request-id", "request_id", "requestid", "workspace id", "space id", "integration id", "bot id", "user id", "cursor", "trace id"} {
		if len(w) >= len(p) && strings.EqualFold(w[len(w)-len(p):], p) {
			return true
		}
	}
	return false
}

// scanVariables finds variable references that stand where an ID belongs
// but are not the value of an ID key (those scanKeys reads): an
// environment variable or template variable whose name says it holds an ID.
// It looks only at what every such reference holds (envDots, '{', '['),
// so prose costs two byte scans (the envDots are among the text's fixed
// strings, found already).
func (s *scanner) scanVariables() {
	t := s.text
	try := func(i int) int {
		if i < 0 || s.isUsed(i) {
			return -1
		}
		e := varExprEnd(t, i)
		if e < 0 {
			return -1
		}
		name := variableName(t[i:e])
		if name == "" || !idName(name) {
			return -1
		}
		s.mark(i, e)
		s.add(&candidate{pos: i, source: t[i:e], origin: OriginJSON, hint: hintOfName(name),
			vd: idReading{variable: name, missing: fmt.Sprintf("it is the variable %s where an ID is used; the text does not show its value, so check it was set.", name)}})
		return e
	}
	// process.env.X, import.meta.env.X, os.environ[…], os.getenv(…): back
	// from the '.' to the expression's start.
	s.eachUntilAny(envDots, func(i int) int {
		for _, pre := range []string{"process", "import.meta", "os"} {
			if st := i - len(pre); st >= 0 && t[st:i] == pre && (st == 0 || !isHostByte(t[st-1]) && t[st-1] != '_') {
				if e := try(st); e > 0 {
					return e
				}
			}
		}
		return i + 1
	})
	// ${X}, {{ x }}.
	s.eachUntil("{", func(i int) int {
		st := i
		if i > 0 && t[i-1] == '$' {
			st = i - 1
		} else if i+1 >= len(t) || t[i+1] != '{' {
			return i + 1
		}
		if e := try(st); e > 0 {
			return e
		}
		if strings.IndexByte(t[i+1:min(len(t), i+160)], '}') < 0 {
			return i + 160 // no variable can start before its closing brace
		}
		return i + 1
	})
	// ENV['X'].
	s.eachUntil("[", func(i int) int {
		if i >= 3 && t[i-3:i] == "ENV" {
			if e := try(i - 3); e > 0 {
				return e
			}
		}
		return i + 1
	})
}

// envDots are the '.' of an environment variable read in code and what
// follows it (process.env.X, os.environ[…], os.getenv(…), os.Getenv(…)):
// scanVariables looks for them whole, not at every '.' of the prose.
var envDots = []string{".env", ".getenv(", ".Getenv("}

// idName reports whether a variable's name says it holds a content ID
// (NOTION_DATABASE_ID, pageId, page_id), not a token or a key.
func idName(name string) bool {
	var buf [32]byte
	var u string
	if b, ok := upperASCII(&buf, name); ok {
		u = string(b) // on the stack: u does not outlive the call
	} else {
		u = strings.ToUpper(name)
	}
	if strings.Contains(u, "TOKEN") || strings.Contains(u, "KEY") || strings.Contains(u, "SECRET") || strings.Contains(u, "AUTH") {
		return false
	}
	if strings.HasSuffix(u, "ID") || strings.Contains(u, "_ID") || strings.Contains(name, "Id") {
		return true
	}
	// NOTION_DB, DATABASE, PAGE…: the object's name alone, but not its
	// size, title or version.
	for _, w := range []string{"SIZE", "LIMIT", "COUNT", "NAME", "TITLE", "VERSION"} {
		if strings.Contains(u, w) {
			return false
		}
	}
	for _, w := range []string{"DATABASE", "PAGE", "BLOCK", "DATA_SOURCE", "DATASOURCE"} {
		if strings.Contains(u, w) {
			return true
		}
	}
	return strings.HasSuffix(u, "_DB") || strings.HasPrefix(u, "DB_") || u == "DB"
}

func hintOfName(name string) Kind {
	var buf [32]byte
	var u string
	if b, ok := upperASCII(&buf, name); ok {
		u = string(b)
	} else {
		u = strings.ToUpper(name)
	}
	switch {
	case strings.Contains(u, "DATA_SOURCE") || strings.Contains(u, "DATASOURCE"):
		return KindDataSource
	case strings.Contains(u, "DATABASE") || strings.Contains(u, "_DB") || strings.HasPrefix(u, "DB"):
		return KindDatabase
	case strings.Contains(u, "PAGE"):
		return KindPage
	case strings.Contains(u, "BLOCK"):
		return KindBlock
	}
	return KindUnknown
}

// splitDash appends to dst the parts of s between dashes, as
// strings.Split(s, "-") returns them.
func splitDash(dst []string, s string) []string {
	for {
		i := strings.IndexByte(s, '-')
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// upperASCII is strings.ToUpper(name) in buf, for an ASCII name that
// fits (a variable's or a key's name, read for every ID-like word); ok is
// false for any other.
func upperASCII(buf *[32]byte, name string) (_ []byte, ok bool) {
	if len(name) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(name)], true
}

// noteNotContent records what an ID left out is, from the words before it.
func (s *scanner) noteNotContent(key, before string) {
	if len(s.notContent) >= 3 {
		return
	}
	var buf [128]byte
	b := buf[:0]
	for _, part := range []string{key, " ", before} {
		for k := 0; k < len(part) && len(b) < len(buf); k++ {
			c := part[k]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	what := "an ID that names no page, database or block"
	has := func(w string) bool { return bytes.Contains(b, []byte(w)) }
	switch {
	case has("request") || has("trace") || has("ray"):
		what = "a request ID"
	case has("space"):
		what = "a workspace ID"
	case has("integration") || has("bot") || has("client") || has("app"):
		what = "an integration or bot ID"
	case has("user") || has("owner") || has("person"):
		what = "a user ID"
	case has("cursor"):
		what = "a pagination cursor"
	}
	if !slices.Contains(s.notContent, what) {
		s.notContent = append(s.notContent, what)
	}
}
