package diagnose

import "encoding/binary"

// This file reads a person describing, in their own words, one of the
// changes Notion made to its API in 2025 and 2026 ("the database now has
// multiple data sources", "archived is gone", "where do I get the data
// source id", "does the workspace rate limit apply") so that the answer
// can name the change and its fix even when no error was pasted.
//
// The reading is by class of wording, not by quoted phrase: the text is
// cut into words (case folded one word at a time, snake_case, camelCase,
// dots and dashes split), each word is put in the classes it belongs to,
// with one typo (a letter missing, extra, changed or two swapped) tolerated
// in longer words, and a change is a pattern of classes near each other.
// It is one linear pass with a fixed window; nothing is copied but the
// word being classified.

// Change is a 2025–2026 change of Notion's API a text describes in words.
type Change string

// The changes read.
const (
	// ChangeMultipleSources: a database with several data sources
	// (2025-09-03; older versions fail on it).
	ChangeMultipleSources Change = "multiple_data_sources"
	// ChangeInTrash: archived removed in favour of in_trash (2026-03-11).
	ChangeInTrash Change = "in_trash"
	// ChangeDataSourceID: where a data source's ID comes from and where it
	// goes (2025-09-03).
	ChangeDataSourceID Change = "data_source_id"
	// ChangeViews: the Views API, and what a ?v= view ID is (2026-03).
	ChangeViews Change = "views"
	// ChangeDomain: workspace links moved to app.notion.com (2026).
	ChangeDomain Change = "app_domain"
	// ChangePersonalToken: personal access tokens (2026-05).
	ChangePersonalToken Change = "personal_token"
	// ChangeWorkspaceLimit: the workspace-wide rate limit shared by every
	// connection (2026-06).
	ChangeWorkspaceLimit Change = "workspace_rate_limit"
)

// Word classes, as bits: a word can be in several.
const (
	wData uint64 = 1 << iota
	wSource
	wMany
	wID
	wArchived
	wGone
	wTrash
	wView
	wAPI
	wPersonal
	wAccess
	wToken
	wWorkspace
	wShared
	wRate
	wLimit
	wApp
	wNotion
	wCom
	wSo
	wDomain
	wMulti // "multi", which names "several" only right before what it multiplies
	wMore  // "more", which names "several" only in "more than one"
	wThan
	wOne
	// Words of a search that found nothing ("search returns nothing",
	// "the query doesn't return any rows", "zero results").
	wSearch
	wQuery
	wList
	wNone     // nothing, empty, none, zero
	wNeg      // no, not, never, doesn('t)
	wMaybeNeg // can, don, won: a negation before "t" ("can't")
	wAnything // anything, any, results, pages, rows
	wFind     // find, return, get, show, come back
	wIn       // "in", as in in_trash
)

// changeWords are the words of each class. A word of five letters or more
// also matches with one typo.
var changeWords = map[string]uint64{
	"data": wData, "datasource": wData | wSource, "datasources": wData | wSource,
	"source": wSource, "sources": wSource,
	"multiple": wMany, "several": wMany, "many": wMany, "two": wMany, "three": wMany,
	"numerous": wMany, "more": wMore, "than": wThan, "one": wOne, "multisource": wMany | wSource, "multi": wMulti,
	"id": wID, "ids": wID, "identifier": wID, "identifiers": wID, "uuid": wID,
	"archived": wArchived, "archive": wArchived, "isarchived": wArchived,
	"gone": wGone, "removed": wGone, "remove": wGone, "removal": wGone, "renamed": wGone, "rename": wGone,
	"replaced": wGone, "replace": wGone, "deprecated": wGone, "deprecate": wGone, "deprecation": wGone,
	"missing": wGone, "disappeared": wGone, "vanished": wGone, "dropped": wGone, "longer": wGone,
	"anymore": wGone, "undefined": wGone, "changed": wGone, "instead": wGone, "broke": wGone, "broken": wGone,
	"trash": wTrash, "intrash": wTrash | wIn, "trashed": wTrash, "in": wIn,
	"view": wView, "views": wView, "viewid": wView | wID,
	"api": wAPI, "endpoint": wAPI, "endpoints": wAPI, "route": wAPI,
	"personal": wPersonal, "access": wAccess, "token": wToken, "tokens": wToken, "pat": wPersonal | wToken, "pats": wPersonal | wToken,
	"workspace": wWorkspace, "workspaces": wWorkspace, "workspacewide": wWorkspace,
	"shared": wShared, "across": wShared, "global": wShared,
	"rate": wRate, "ratelimit": wRate | wLimit, "ratelimited": wRate | wLimit, "429": wRate,
	"limit": wLimit, "limits": wLimit, "limited": wLimit, "throttled": wLimit | wRate, "throttling": wLimit | wRate,
	"app": wApp, "notion": wNotion, "com": wCom, "so": wSo,
	"domain": wDomain, "domains": wDomain, "host": wDomain, "hostname": wDomain, "moved": wDomain | wGone,
	"migrated": wDomain | wGone, "migration": wDomain,
	"search": wSearch, "searches": wSearch, "searching": wSearch, "searched": wSearch,
	"query": wQuery, "queries": wQuery, "querying": wQuery, "queried": wQuery,
	"list": wList, "lists": wList, "listing": wList, "children": wList,
	"nothing": wNone, "empty": wNone, "none": wNone, "zero": wNone, "0": wNone, "blank": wNone,
	"no": wNeg, "not": wNeg, "never": wNeg, "cannot": wNeg, "doesn": wNeg, "didn": wNeg, "isn": wNeg,
	"aren": wNeg, "wasn": wNeg, "weren": wNeg, "hasn": wNeg, "haven": wNeg, "doesnt": wNeg, "dont": wNeg,
	"cant": wNeg, "didnt": wNeg, "isnt": wNeg, "can": wMaybeNeg, "don": wMaybeNeg, "won": wMaybeNeg,
	"anything": wAnything, "any": wAnything, "results": wAnything, "result": wAnything, "pages": wAnything,
	"rows": wAnything, "entries": wAnything, "items": wAnything, "matches": wAnything, "hits": wAnything,
	"records": wAnything, "databases": wAnything,
	"find": wFind, "finds": wFind, "found": wFind, "finding": wFind, "return": wFind, "returns": wFind,
	"returned": wFind, "returning": wFind, "get": wFind, "gets": wFind, "got": wFind, "getting": wFind,
	"show": wFind, "shows": wFind, "showing": wFind, "shown": wFind, "comes": wFind, "came": wFind, "back": wFind,
	"gives": wFind, "give": wFind, "see": wFind, "sees": wFind, "yields": wFind, "fetch": wFind, "fetches": wFind,
}

// wordFacts is what the one pass over the words of a text finds.
type wordFacts struct {
	// changes are the 2025–2026 changes the text describes, in the order
	// of allChanges.
	changes []Change
	// saidEmpty is true when the text says, in words, that a search, query
	// or list finds nothing.
	saidEmpty bool
	// mentions are the classes wSearch, wQuery and wList of the words the
	// text holds anywhere.
	mentions uint64
}

// classWord is a class word with its classes.
type classWord struct {
	w     string
	class uint64
}

// fuzzyWords are the class words long enough to match with one typo, by
// first letter (a typo in the first letter is rare and not looked for)
// and by the length of the words that can match them (one letter more or
// less, or as many).
var fuzzyWords = func() (t [256][maxPacked + 2][]classWord) {
	for w, c := range changeWords {
		if len(w) >= 5 {
			for l := len(w) - 1; l <= len(w)+1; l++ {
				t[w[0]][l] = append(t[w[0]][l], classWord{w, c})
			}
		}
	}
	return t
}()

// changeLens has, for each first letter, a bit for every length of word
// that can be in a class (a class word's length, and one more or less for
// a typo): most words of a text are refused by it without a lookup.
var changeLens = func() (t [256]uint64) {
	for w := range changeWords {
		for l := len(w) - 1; l <= len(w)+1; l++ {
			t[w[0]] |= 1 << l
		}
	}
	return t
}()

// maxPacked is the longest word a packedWord holds: every class word is
// shorter.
const maxPacked = 16

// packedWord is a word of at most maxPacked bytes as two integers, so
// that looking it up costs a multiplication and a comparison.
type packedWord struct{ lo, hi uint64 }

func pack(w string) packedWord {
	var b [maxPacked]byte
	copy(b[:], w)
	return packedWord{binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])}
}

// classTableBits sizes classTable: four times as many slots as class
// words, so that a lookup almost always reads one slot.
const classTableBits = 10

// classTable is changeWords as an open-addressing table of packed words
// (a Go map hashes the whole string and costs several times more on the
// reader's hot path). It is never written.
var classTable = func() (t [1 << classTableBits]struct {
	w     packedWord
	class uint64
}) {
	if len(changeWords)*4 > len(t) {
		panic("diagnose: classTable too small")
	}
	for w, c := range changeWords {
		if len(w) > maxPacked {
			panic("diagnose: class word longer than maxPacked: " + w)
		}
		p := pack(w)
		h := p.slot()
		for t[h].class != 0 {
			h = (h + 1) % len(t)
		}
		t[h].w, t[h].class = p, c
	}
	return t
}()

func (p packedWord) slot() int {
	return int((p.lo*0x9E3779B97F4A7C15 ^ p.hi*0xC2B2AE3D27D4EB4F) >> (64 - classTableBits))
}

// exactLens has, for each first letter and for each last letter, a bit
// for the length of every class word that starts or ends so: a word
// whose first letter, last letter and length do not fit is no class
// word, with no look-up.
var exactLens = func() (t [2][256]uint64) {
	for w := range changeWords {
		t[0][w[0]] |= 1 << len(w)
		t[1][w[len(w)-1]] |= 1 << len(w)
	}
	return t
}()

// exactClass returns the classes of the class word w, 0 when w is none.
// Every class word has a class, so an empty slot ends the search.
func exactClass(w []byte) uint64 {
	if len(w) == 0 || len(w) > maxPacked || exactLens[0][w[0]]&exactLens[1][w[len(w)-1]]&(1<<len(w)) == 0 {
		return 0
	}
	var p packedWord
	for i, c := range w {
		if i < 8 {
			p.lo |= uint64(c) << (8 * i)
		} else {
			p.hi |= uint64(c) << (8 * (i - 8))
		}
	}
	for h := p.slot(); ; h = (h + 1) % len(classTable) {
		e := &classTable[h]
		if e.class == 0 || e.w == p {
			return e.class
		}
	}
}

// classCache remembers the classes of the words of one text, so that a
// word the text repeats is classified once (a typo is looked for among
// the class words only the first time).
type classCache [256]struct {
	w     packedWord
	class uint64
	set   bool
}

// classOf is the classes of piece (letters and digits), which it folds
// into buf when it has to classify it.
func (c *classCache) classOf(piece string, buf *[32]byte) uint64 {
	fill := func() []byte {
		for x := 0; x < len(piece); x++ {
			buf[x] = foldASCII(piece[x])
		}
		return buf[:len(piece)]
	}
	if len(piece) > maxPacked {
		return classOf(fill())
	}
	// The word packed and folded eight bytes at a time where it has them.
	var p packedWord
	switch n := len(piece); {
	case n >= 8:
		p.lo = lower8(binary.LittleEndian.Uint64([]byte(piece[:8])))
		for x := 8; x < n; x++ {
			p.hi |= uint64(foldASCII(piece[x])) << (8 * (x - 8))
		}
	default:
		// Copied whole and folded at once (lower8 leaves the zero bytes
		// after it as they are): a loop of as many steps as the word has
		// letters, each folding one, is two branches that guess wrong.
		var b [8]byte
		copy(b[:], piece)
		p.lo = lower8(binary.LittleEndian.Uint64(b[:]))
	}
	e := &c[p.slot()%len(c)]
	if !e.set || e.w != p {
		e.w, e.class, e.set = p, classOf(fill()), true
	}
	return e.class
}

// minFuzzy is the shortest word read as a class word with a typo (one
// letter inserted, dropped or changed); a shorter one must be exact.
const minFuzzy = 5

// classOf returns the classes of the lower-case word w.
func classOf(w []byte) uint64 {
	if len(w) == 0 || len(w) >= 64 || changeLens[w[0]]&(1<<len(w)) == 0 {
		return 0
	}
	if c := exactClass(w); c != 0 {
		return c
	}
	if len(w) < minFuzzy || len(w) > maxPacked+1 {
		return 0
	}
	var c uint64
	for _, d := range fuzzyWords[w[0]][len(w)] {
		if oneEdit(w, d.w) {
			c |= d.class
		}
	}
	return c
}

// oneEdit reports whether w and d differ by at most one letter inserted,
// deleted or changed, or two neighbours swapped.
func oneEdit(w []byte, d string) bool {
	switch len(w) - len(d) {
	case 0:
		i := 0
		for i < len(w) && w[i] == d[i] {
			i++
		}
		if i == len(w) || string(w[i+1:]) == d[i+1:] {
			return true // equal, or one changed
		}
		return i+1 < len(w) && w[i] == d[i+1] && w[i+1] == d[i] && string(w[i+2:]) == d[i+2:]
	case 1: // one letter too many in w
		i := 0
		for i < len(d) && w[i] == d[i] {
			i++
		}
		return string(w[i+1:]) == d[i:]
	case -1: // one letter missing from w
		i := 0
		for i < len(w) && w[i] == d[i] {
			i++
		}
		return string(w[i:]) == d[i+1:]
	}
	return false
}

// wordAt is one word of the window: its classes and how it was written.
type wordAt struct {
	class uint64
	prose bool // written as a word of prose, not a code name (snake_case, camelCase, a key)
	dot   bool // joined to the next word by a dot (a host name)
}

// changeWindow is how many words back a pattern may reach.
const changeWindow = 8

// changeRing is the size of the ring of the last words read: more than
// changeWindow (the conversion below fails to compile otherwise), and a
// power of 2, so that a word's place in it is a mask.
const changeRing = 16

const _ = uint(changeRing - changeWindow - 1)

// readChanges returns the 2025–2026 changes the text describes in words,
// in the order of the Change constants.
func readChanges(t string) []Change { return readWords(t).changes }

// readWords reads the words of the text once: the changes it describes,
// and whether it says a search finds nothing.
//
// It is long on purpose: it is the reader's single pass over every word
// of the text (the hot path of a paste), with its window of recent words
// and the closures that look back in it kept in one frame; split into
// functions, the window would be passed or allocated per word.
func readWords(t string) wordFacts {
	var (
		win   [changeRing]wordAt
		n     int
		found = map[Change]bool{}
		buf   [32]byte
		seen  classCache
		facts wordFacts
		// lastSearch and lastEmpty are the word indexes of the last word
		// naming a search (query, list) and of the last emptiness phrase.
		lastSearch, lastEmpty = -1 << 30, -1 << 30
	)
	upperPAT := false
	at := func(k int) *wordAt { return &win[uint(k)%uint(len(win))] } // k >= 0
	// near returns whether a word of class cl lies within the last back
	// words before the current one (exclusive of it).
	near := func(cl uint64, back int) bool {
		for k := 1; k <= back && k <= n-1 && k <= changeWindow; k++ {
			if at(n-1-k).class&cl != 0 {
				return true
			}
		}
		return false
	}
	emit := func(w wordAt) {
		cl := w.class
		prev := func(k int) wordAt {
			if k > n-1 || k > changeWindow {
				return wordAt{}
			}
			return *at(n - 1 - k)
		}
		p1 := prev(1)
		// A search, query or list that finds nothing, the two near each
		// other in either order: "search returns nothing", "no results
		// from the query", "the list comes back empty", "zero results",
		// "doesn't find any pages", "nothing found".
		if cl&(wSearch|wQuery|wList) != 0 {
			facts.mentions |= cl & (wSearch | wQuery | wList)
			lastSearch = n - 1
		}
		if cl&wNone != 0 && (p1.class|prev(2).class)&(wFind|wAnything|wSearch|wQuery|wList) != 0 ||
			cl&(wAnything|wFind) != 0 && p1.class&wNone != 0 ||
			cl&wAnything != 0 && (p1.class&wNeg != 0 || near(wNeg, 3) && near(wFind, 2)) {
			lastEmpty = n - 1
		}
		if lastEmpty >= 0 && lastSearch >= 0 && lastEmpty-lastSearch <= changeWindow && lastSearch-lastEmpty <= changeWindow {
			facts.saidEmpty = true
		}
		// "multiple data sources", "several datasources", "a multi-source
		// database", "more than one data source".
		if cl&wSource != 0 && (cl&wMany != 0 ||
			(cl&wData != 0 || p1.class&wData != 0) && near(wMany, 4) ||
			p1.class&wMulti != 0) {
			found[ChangeMultipleSources] = true
		}
		// "archived is gone", "archived was renamed in_trash", "in_trash
		// instead of archived", "the archived field is missing".
		if cl&(wArchived|wGone|wTrash) != 0 && w.prose {
			other := wGone | wTrash
			if cl&(wGone|wTrash) != 0 {
				other = wArchived
			}
			if near(other, changeWindow) && (cl|other)&wArchived != 0 {
				found[ChangeInTrash] = true
			}
		}
		// in_trash (inTrash) named as a field, not a key with its value:
		// "what does in_trash mean", "page.in_trash is true".
		if cl&wTrash != 0 && !w.prose && (cl&wIn != 0 || p1.class&wIn != 0 && !p1.prose) {
			found[ChangeInTrash] = true
		}
		// "data source id", "datasource ID", "the data source's id".
		if cl&wID != 0 && w.prose && (p1.class&wSource != 0 && (p1.class&wData != 0 || prev(2).class&wData != 0)) {
			found[ChangeDataSourceID] = true
		}
		// "view id", "views api", "the views endpoint".
		if cl&(wID|wAPI) != 0 && cl&wView == 0 && p1.class&wView != 0 || cl&wView != 0 && cl&wID != 0 {
			found[ChangeViews] = true
		}
		// "app.notion.com"; "notion.so links moved to notion.com".
		if cl&wCom != 0 && p1.class&wNotion != 0 && p1.dot && near(wDomain|wSo|wGone, changeWindow) {
			found[ChangeDomain] = true
		}
		// "personal access token", "personal token", "PAT".
		if cl&wToken != 0 && (cl&wPersonal != 0 && upperPAT || p1.class&wPersonal != 0 || p1.class&wAccess != 0 && prev(2).class&wPersonal != 0) {
			found[ChangePersonalToken] = true
		}
		// "workspace rate limit", "rate limits shared across connections",
		// "the workspace-wide limit".
		if cl&(wLimit|wWorkspace|wShared) != 0 {
			if cl&wLimit != 0 && near(wWorkspace, changeWindow) ||
				cl&wLimit != 0 && cl&wRate == 0 && p1.class&wRate != 0 && near(wShared, changeWindow) ||
				cl&(wWorkspace|wShared) != 0 && near(wLimit, changeWindow) && near(wRate, changeWindow) {
				found[ChangeWorkspaceLimit] = true
			}
		}
	}
	for i := 0; i < len(t); {
		if wordKind[t[i]] == 0 {
			i++
			continue
		}
		// One run of letters and digits, cut further at camelCase humps
		// (a small letter then a capital), noted while the run is read.
		// rest is the kinds of the bytes after the first, as bits: a hump
		// needs a capital among them and a small letter before it, so
		// most runs (small words, Capitalized, hex) are not read again.
		j, rest := i+1, uint8(0)
		for ; j < len(t) && wordBit[t[j]] != 0; j++ {
			rest |= wordBit[t[j]]
		}
		run := t[i:j]
		humps := rest&(1<<kindUpper) != 0 && (wordKind[t[i]] == kindLower || rest&(1<<kindLower) != 0) && nextHump(run, 0) < len(run)
		// Whether the run is a key (`archived: false`, `"archived":
		// false`: code, not prose, and not read) is looked at once, for
		// the first word of it the filter lets through.
		keyKnown, key := false, false
		for start := 0; start < len(run); {
			s := len(run)
			if humps {
				s = nextHump(run, start)
			}
			piece := run[start:s]
			hump := start > 0 || s < len(run)
			start = s
			if len(piece) > len(buf) {
				continue
			}
			var w wordAt
			// Most words are refused by their first letter and length:
			// only the others are folded and looked up.
			first := foldASCII(piece[0])
			maybe := changeLens[first]&(1<<len(piece)) != 0
			if maybe && len(piece) < minFuzzy {
				// A short word is a class word as written or none (no
				// typo is looked for): its last letter tells too.
				maybe = exactLens[0][first]&exactLens[1][foldASCII(piece[len(piece)-1])]&(1<<len(piece)) != 0
			}
			if maybe {
				if !keyKnown {
					k := j
					if k < len(t) && (t[k] == '"' || t[k] == '\'') {
						k++
					}
					key, keyKnown = k < len(t) && (t[k] == ':' || t[k] == '='), true
				}
				if !key {
					w.class = seen.classOf(piece, &buf)
				}
			}
			// "more than one" counts as several; "can't" is a negation.
			if w.class&wOne != 0 && n >= 2 && at(n-1).class&wThan != 0 && at(n-2).class&wMore != 0 {
				w.class |= wMany
			}
			if len(piece) == 1 && foldASCII(piece[0]) == 't' && n >= 1 && at(n-1).class&wMaybeNeg != 0 {
				w.class |= wNeg
			}
			// How the word is written matters only to a word of a class
			// (and is looked at only there: a test on every word's length
			// is one the processor guesses wrong often).
			if w.class != 0 {
				upperPAT = piece == "PAT" || piece == "PATs"
				code := j < len(t) && t[j] == '_' || i > 0 && t[i-1] == '_'
				w.prose = !code && !hump
				w.dot = s == len(run) && j+1 < len(t) && t[j] == '.' && isWordByte(t[j+1])
			}
			n++
			*at(n - 1) = w
			if w.class != 0 {
				emit(w)
			}
		}
		i = j
	}
	for _, ch := range allChanges {
		if found[ch] {
			facts.changes = append(facts.changes, ch)
		}
	}
	return facts
}

// allChanges are the changes read, in the order they are reported.
var allChanges = []Change{ChangeMultipleSources, ChangeInTrash, ChangeDataSourceID, ChangeViews, ChangeDomain, ChangePersonalToken, ChangeWorkspaceLimit}

// Kinds of word bytes.
const (
	kindLower = 1 + iota
	kindUpper
	kindDigit
)

// wordKind is the kind of each byte, 0 for a byte that is in no word. It
// is never written.
var wordKind = func() (t [256]uint8) {
	for c := range 256 {
		switch b := byte(c); {
		case isLowerASCII(b):
			t[c] = kindLower
		case isUpperASCII(b):
			t[c] = kindUpper
		case b >= '0' && b <= '9':
			t[c] = kindDigit
		}
	}
	return t
}()

// wordBit is 1<<wordKind of each byte, 0 for a byte that is in no word.
// It is never written.
var wordBit = func() (t [256]uint8) {
	for c, k := range wordKind {
		if k != 0 {
			t[c] = 1 << k
		}
	}
	return t
}()

// nextHump returns where the camelCase word of run that starts at start
// ends: at the next capital after a small letter, or at the run's end.
func nextHump(run string, start int) int {
	for s := start + 1; s < len(run); s++ {
		if isLowerASCII(run[s-1]) && isUpperASCII(run[s]) {
			return s
		}
	}
	return len(run)
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func isLowerASCII(b byte) bool { return b >= 'a' && b <= 'z' }
func isUpperASCII(b byte) bool { return b >= 'A' && b <= 'Z' }

func foldASCII(b byte) byte {
	if isUpperASCII(b) {
		return b + 'a' - 'A'
	}
	return b
}
