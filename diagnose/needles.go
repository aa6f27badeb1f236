package diagnose

import (
	"encoding/binary"
	"slices"
	"strings"
)

// The call reader looks for a few hundred fixed strings (the wrappers'
// signs, the client failures' texts, the schema checks' sentences…). One
// strings.Index per string is one pass over the text each, which made
// those lists most of the reading time on a long paste; a needles set
// finds where each of its strings first occurs in one pass instead.

// maxPlaces is the most places of one string a firsts notes: enough for
// every link of a long paste, and at most 16 kB a string on a text that
// repeats one.
const maxPlaces = 4096

// minNeedle is the shortest string a needles set holds: the filter reads
// four bytes at each position.
const minNeedle = 4

// filterBits is the size of a needles set's filter (and of its buckets'
// index): 1<<filterBits.
const filterBits = 16

// needles is an immutable set of strings, each matched exactly or, when
// fold, against the text with its ASCII letters lowered (as strings.Index
// of lowerASCII(text) would). It is built once, at package init.
type needles struct {
	list []string
	fold []bool
	// every marks the strings whose every place in a text is noted, not
	// the first alone: those the readers go through one by one (the
	// link domains, "/v1/", a key looked for as a key).
	every []bool
	exact map[string]int // string → its index in list
	folds map[string]int
	// filter has a bit per hash of the four first bytes (ASCII letters
	// folded) of a string of the set: most positions of a text test one
	// bit. The strings of hash h are order[start[h]:start[h+1]].
	filter [1 << filterBits / 64]uint64
	start  []int32
	order  []int32
	// head and mask are each string's first eight bytes (fewer when it is
	// shorter, the rest masked off), lower-cased when fold: most strings
	// a position's hash leads to are refused by one comparison.
	head, mask []uint64
}

// foldKey is the four bytes at the start of b with every ASCII letter's
// 0x20 bit set: the same for a string and any ASCII case of it (other
// bytes that differ only in that bit share it too: a filter may pass a
// position the comparison then refuses, never the reverse).
func foldKey(b uint32) uint32 { return b | 0x20202020 }

func needleHash(k uint32) uint32 { return (k * 2654435761) >> (32 - filterBits) }

// newNeedles builds the set of exact strings and of fold strings (lower
// case), each at least minNeedle bytes; a string listed twice is kept
// once. Every place of the exact strings in every is noted (see
// firsts.indexFrom); each must be in exact too.
func newNeedles(exact, fold, every []string) *needles {
	ns := &needles{exact: map[string]int{}, folds: map[string]int{}}
	add := func(s string, f bool) {
		if len(s) < minNeedle {
			panic("diagnose: needle shorter than 4 bytes: " + s)
		}
		m := ns.exact
		if f {
			if s != lowerASCII(s) {
				panic("diagnose: fold needle not in lower case: " + s)
			}
			m = ns.folds
		}
		if _, ok := m[s]; ok {
			return
		}
		m[s] = len(ns.list)
		ns.list = append(ns.list, s)
		ns.fold = append(ns.fold, f)
	}
	for _, s := range exact {
		add(s, false)
	}
	for _, s := range fold {
		add(s, true)
	}
	ns.every = make([]bool, len(ns.list))
	for _, s := range every {
		k, ok := ns.exact[s]
		if !ok {
			panic("diagnose: every needle not exact: " + s)
		}
		ns.every[k] = true
	}
	for _, s := range ns.list {
		var b [8]byte
		n := copy(b[:], s)
		ns.head = append(ns.head, binary.LittleEndian.Uint64(b[:]))
		ns.mask = append(ns.mask, ^uint64(0)>>(64-8*n))
	}
	counts := make([]int32, 1<<filterBits+1)
	for _, s := range ns.list {
		counts[needleHash(foldKey(binary.LittleEndian.Uint32([]byte(s[:4]))))+1]++
	}
	for h := 1; h < len(counts); h++ {
		counts[h] += counts[h-1]
	}
	ns.start = counts
	ns.order = make([]int32, len(ns.list))
	next := append([]int32(nil), counts...)
	for k, s := range ns.list {
		h := needleHash(foldKey(binary.LittleEndian.Uint32([]byte(s[:4]))))
		ns.filter[h/64] |= 1 << (h % 64)
		ns.order[next[h]] = int32(k)
		next[h]++
	}
	return ns
}

// lower8 is x, eight bytes, with its ASCII capitals lowered (as
// lowerASCII does), all at once.
func lower8(x uint64) uint64 {
	const ones = 0x0101010101010101
	b := x & (0x7f * ones)
	ge := b + (0x80-'A')*ones   // high bit set where the byte is >= 'A'
	gt := b + (0x80-'Z'-1)*ones // high bit set where the byte is > 'Z'
	m := ge &^ gt &^ x & (0x80 * ones)
	return x | m>>2
}

// firsts is where each string of a needles set first occurs in one text,
// and where every string of its every list occurs up to upto.
type firsts struct {
	ns *needles
	t  string
	at []int32 // by index in ns.list; -1: nowhere
	// places are the places of the strings of ns.every, by index in
	// ns.list, in order: all of them that start before upto (the scan
	// stops once every string is found).
	places [][]int32
	upto   int
	// stop is, by index in ns.list, where noting places stopped when a
	// string had maxPlaces of them (-1: it did not): past it, as past
	// upto, strings.Index looks for the string.
	stop []int32
	// next is, by index in ns.list, where in its places the last
	// indexFromAt stopped: a loop that asks at increasing offsets reads
	// each place once.
	next []int32
}

// scan finds where each string of the set first occurs in t, in one pass.
func (ns *needles) scan(t string) *firsts {
	f := &firsts{ns: ns, t: t, at: make([]int32, len(ns.list)), places: make([][]int32, len(ns.list)), upto: len(t), next: make([]int32, len(ns.list)), stop: make([]int32, len(ns.list))}
	for k := range f.at {
		f.at[k], f.stop[k] = -1, -1
	}
	left := len(ns.list)
	if len(t) < minNeedle {
		return f
	}
	// key is the four bytes at i, little-endian, read on one byte a step.
	// The last place a string can start is worked out once, and whether
	// every string is found is asked only where the filter lets a place
	// through (no string starts at the places it refuses, so stopping
	// there is stopping where the last was found): most places cost the
	// filter's few instructions alone.
	key := uint32(t[0])<<8 | uint32(t[1])<<16 | uint32(t[2])<<24
	i, last := 0, len(t)-minNeedle
	for ; i <= last; i++ {
		key = key>>8 | uint32(t[i+3])<<24
		h := needleHash(foldKey(key))
		if ns.filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		if left == 0 {
			break // every string found
		}
		var x, low uint64
		long := i+8 <= len(t)
		if long {
			x = binary.LittleEndian.Uint64([]byte(t[i : i+8]))
			low = lower8(x)
		}
		for _, k := range ns.order[ns.start[h]:ns.start[h+1]] {
			if f.at[k] >= 0 && (!ns.every[k] || f.stop[k] >= 0) {
				continue
			}
			if long {
				v := x
				if ns.fold[k] {
					v = low
				}
				if v&ns.mask[k] != ns.head[k] {
					continue
				}
			}
			s := ns.list[k]
			if ns.fold[k] && hasLowerAt(t, i, s) || !ns.fold[k] && strings.HasPrefix(t[i:], s) {
				if ns.every[k] && f.stop[k] < 0 {
					if len(f.places[k]) == maxPlaces {
						f.stop[k] = int32(i) // memory bounded: the rest as before
					} else {
						f.places[k] = append(f.places[k], int32(i))
					}
				}
				if f.at[k] < 0 {
					f.at[k] = int32(i)
					left--
				}
			}
		}
	}
	f.upto = i
	return f
}

// index is strings.Index(t, s) of the text scanned.
func (f *firsts) index(s string) int {
	if k, ok := f.ns.exact[s]; ok {
		return int(f.at[k])
	}
	return strings.Index(f.t, s)
}

// indexFrom is the index of the first s in t at or after off (-1 when
// none): strings.Index(t[off:], s)+off.
func (f *firsts) indexFrom(s string, off int) int {
	return f.indexFromAt(f.exactIndex(s), s, off)
}

// exactIndex is the index of the exact string s in the set, -1 when it
// holds none: looked up once, for a loop of indexFromAt.
func (f *firsts) exactIndex(s string) int {
	if k, ok := f.ns.exact[s]; ok {
		return k
	}
	return -1
}

// indexFromAt is indexFrom of s, whose exactIndex is k.
func (f *firsts) indexFromAt(k int, s string, off int) int {
	if k >= 0 {
		if i := int(f.at[k]); i < 0 || i >= off {
			return i
		}
		if f.ns.every[k] {
			ps, o := f.places[k], int32(min(off, len(f.t)))
			j := int(f.next[k])
			if j > 0 && ps[j-1] >= o || j+8 < len(ps) && ps[j+8] < o {
				j, _ = slices.BinarySearch(ps, o) // back, or far on
			}
			for j < len(ps) && ps[j] < o {
				j++
			}
			f.next[k] = int32(j)
			if j < len(ps) {
				return int(ps[j])
			}
			// Not noted past upto, nor past stop.
			if f.stop[k] >= 0 {
				off = max(off, int(f.stop[k]))
			} else {
				off = max(off, f.upto)
			}
		}
	}
	if off > len(f.t) {
		return -1
	}
	if i := strings.Index(f.t[off:], s); i >= 0 {
		return i + off
	}
	return -1
}

// contains is strings.Contains(t, s) of the text scanned.
func (f *firsts) contains(s string) bool { return f.index(s) >= 0 }

// containsAny reports whether the text scanned holds one of subs.
func (f *firsts) containsAny(subs []string) bool {
	for _, s := range subs {
		if f.contains(s) {
			return true
		}
	}
	return false
}

// indexLower is strings.Index(lowerASCII(t), s) of the text scanned, for s
// in lower case.
func (f *firsts) indexLower(s string) int {
	if k, ok := f.ns.folds[s]; ok {
		return int(f.at[k])
	}
	return indexLower(f.t, s)
}

// indexLower is strings.Index(lowerASCII(t), s) for s in lower case,
// without the copy.
func indexLower(t, s string) int {
	if s == "" {
		return 0
	}
	c0 := s[0]
	up := c0
	if c0 >= 'a' && c0 <= 'z' {
		up = c0 - 'a' + 'A'
	}
	for i := 0; i+len(s) <= len(t); i++ {
		if c := t[i]; (c == c0 || c == up) && hasLowerAt(t, i, s) {
			return i
		}
	}
	return -1
}

// hasLowerAt reports whether lowerASCII(t) holds s (lower case) at i.
func hasLowerAt(t string, i int, s string) bool {
	if len(t)-i < len(s) {
		return false
	}
	for j := 0; j < len(s); j++ {
		c := t[i+j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[j] {
			return false
		}
	}
	return true
}

// textNeedles are the strings the readers look for in the whole text
// (see readCall and scanner.eachUntil), found in one pass.
var textNeedles = func() *needles {
	var exact, fold []string
	for _, w := range wrapperSigns {
		exact = append(exact, w.signs...)
	}
	for _, f := range clientFailures {
		exact = append(exact, f.signs...)
	}
	exact = append(exact, oauthRedirectSigns...)
	exact = append(exact, "/v1/oauth/", "oauth/token", "error_description", "error")
	exact = append(exact, "additional_data", "additionalData", "parent")
	exact = append(exact, integrationPhrases...)
	exact = append(exact, requestIDKeys...)
	exact = append(exact, linkDomains...)
	exact = append(exact, "/v1/", "Could not find ", "Provided ", "Database with ID ", errorInvalidUUID)
	exact = append(exact, envDots...)
	for _, s := range schemaSentences {
		fold = append(fold, s.needle)
	}
	fold = append(fold, authBearer)
	fold = append(fold, authKeys...)
	every := append([]string{"/v1/", "error", "error_description", "parent"}, linkDomains...)
	every = append(every, envDots...)
	return newNeedles(exact, fold, every)
}()
