package diagnose

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestLower8 checks the eight-bytes-at-once lowering against lowerASCII
// for every byte value in every place.
func TestLower8(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		for pos := range 8 {
			b := []byte("AzZa@[`{")
			b[pos] = byte(c)
			want := binary.LittleEndian.Uint64([]byte(lowerASCII(string(b))))
			if got := lower8(binary.LittleEndian.Uint64(b)); got != want {
				t.Fatalf("lower8(%q) = %016x, want %016x", b, got, want)
			}
		}
	}
}

// checkFirsts compares every answer of textNeedles.scan(text) with
// strings.Index of the text (of lowerASCII of it for the fold strings).
func checkFirsts(t *testing.T, text string) {
	t.Helper()
	f := textNeedles.scan(text)
	low := lowerASCII(text)
	for k, s := range textNeedles.list {
		if textNeedles.fold[k] {
			if got, want := f.indexLower(s), strings.Index(low, s); got != want {
				t.Fatalf("indexLower(%q) in %q = %d, want %d", s, text, got, want)
			}
			continue
		}
		if got, want := f.index(s), strings.Index(text, s); got != want {
			t.Fatalf("index(%q) in %q = %d, want %d", s, text, got, want)
		}
		offs := []int{0, min(1, len(text)), len(text) / 2, len(text)}
		if textNeedles.every[k] {
			// Every place is noted: ask from every offset (every
			// seventh on a long text).
			step := 1 + len(text)/1000*6
			offs = offs[:0]
			for off := 0; off <= len(text); off += step {
				offs = append(offs, off)
			}
			offs = append(offs, len(text), len(text)+1)
			for j := len(offs) - 1; j >= 0; j-- { // and back again
				offs = append(offs, offs[j])
			}
		}
		for _, off := range offs {
			if off > len(text) {
				if got := f.indexFrom(s, off); got != -1 {
					t.Fatalf("indexFrom(%q, %d) past the end of %q = %d, want -1", s, off, text, got)
				}
				continue
			}
			want := strings.Index(text[off:], s)
			if want >= 0 {
				want += off
			}
			if got := f.indexFrom(s, off); got != want {
				t.Fatalf("indexFrom(%q, %d) in %q = %d, want %d", s, off, text, got, want)
			}
		}
	}
	// A string the set does not hold is looked for as strings.Index does.
	if got, want := f.index("not in the set"), strings.Index(text, "not in the set"); got != want {
		t.Fatalf("index of a string not in the set = %d, want %d", got, want)
	}
	if got, want := f.indexLower("not in the set"), strings.Index(low, "not in the set"); got != want {
		t.Fatalf("indexLower of a string not in the set = %d, want %d", got, want)
	}
}

// TestNeedlesFindFirst: one pass finds, for every string of the call
// reader's set, the index strings.Index finds, in texts made of the
// strings themselves, cut, cased, glued and repeated.
func TestNeedlesFindFirst(t *testing.T) {
	t.Parallel()
	for _, s := range callSeeds {
		checkFirsts(t, s)
	}
	rng := rand.New(rand.NewPCG(7, 23))
	list := textNeedles.list
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			s := list[rng.IntN(len(list))]
			switch rng.IntN(5) {
			case 0:
				s = s[:rng.IntN(len(s)+1)]
			case 1:
				s = strings.ToUpper(s)
			case 2:
				s = s[rng.IntN(len(s)):]
			}
			b.WriteString(s)
			if rng.IntN(2) == 0 {
				b.WriteString(" \n\"İK"[rng.IntN(5):][:1])
			}
		}
		checkFirsts(t, b.String())
	}
	for _, text := range []string{"", "a", "abc", "auth", "Auth=", "BEARER", "bearer"} {
		checkFirsts(t, text)
	}
	// Every string found early: the scan stops there, and the strings
	// whose every place is noted are looked for past it as strings.Index
	// does.
	all := strings.Join(list, " ")
	checkFirsts(t, all+" notion.so/ /v1/error parent notion.so/notion.com/ /v1/")
	checkFirsts(t, "/v1/ "+all+" /v1//v1/ error_description")
	// Offsets that jump far on and back, over many places, and past the
	// last one noted (maxPlaces).
	text := strings.Repeat("notion.so/ /v1/", 200) + strings.Repeat("notion.so/", maxPlaces)
	f := textNeedles.scan(text)
	n := len(text)
	for _, s := range []string{"notion.so/", "/v1/"} {
		for _, off := range []int{0, 1, 1500, 1501, 3, 2990, 2989, 40, 41, 42, 43, 44, 45, 46, 47, 48, 900, 3000, 0,
			n - 2000, n - 1990, n - 1985, n - 20, n - 10, n - 9, n, 5000, n - 10, 0} {
			want := strings.Index(text[off:], s)
			if want >= 0 {
				want += off
			}
			if got := f.indexFrom(s, off); got != want {
				t.Fatalf("indexFrom(%q, %d) = %d, want %d", s, off, got, want)
			}
		}
	}
}

// FuzzNeedles: the one-pass search agrees with strings.Index on any text.
func FuzzNeedles(f *testing.F) {
	for _, s := range callSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkFirsts(t, text)
	})
}
