package secret

import (
	"math/rand/v2"
	"testing"
)

// TestClasses checks the eight-bytes-at-once reading of the byte classes
// against the byte-by-byte one, for every byte value at every place.
func TestClasses(t *testing.T) {
	t.Parallel()
	slow := func(s string) (all uint8) {
		for i := 0; i < len(s); i++ {
			all |= byteClass[s[i]]
		}
		return all
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range 256 {
		for n := 1; n <= 19; n++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = "abcXYZ09 .-_\t\n\r"[rng.IntN(15)]
			}
			b[rng.IntN(n)] = byte(c)
			if got, want := classes(string(b)), slow(string(b)); got != want {
				t.Fatalf("classes(%q) = %b, want %b", b, got, want)
			}
		}
	}
}

// TestShapeBacksTable holds shapeBacks's table to the rule it is built
// from, for every byte after a run and every last byte of one.
func TestShapeBacksTable(t *testing.T) {
	t.Parallel()
	for f := range 256 {
		for last := range 256 {
			s := string([]byte{byte(last), byte(f)})
			if got, want := shapeBacks(s, 1), backsAfter(byte(f), byte(last)); got != want {
				t.Fatalf("shapeBacks after %q then %q = %v, the rule says %v", byte(last), byte(f), got, want)
			}
		}
	}
}
