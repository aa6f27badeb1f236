package secret

import "strings"

// Gram is the length of the runs of a configured secret that are masked
// wherever they appear: a value pasted cut, or with a character changed,
// still has none of its 12-character runs left in the output.
const Gram = 12

// MinValue is the shortest configured secret masked by value (after
// trimming): shorter values would mask ordinary words.
const MinValue = 8

const (
	hashBase  = 1099511628211 // FNV-1 64-bit prime
	filterLog = 16            // the filter has 1<<filterLog bits
)

// grams is the set of the Gram-byte runs of the configured secrets, with a
// bit filter in front so that the common miss costs a shift and a load.
type grams struct {
	set    map[string]struct{}
	filter []uint64
	pow    uint64   // hashBase^(Gram-1)
	short  []string // values shorter than Gram, matched whole
}

func newGrams(values []string) *grams {
	g := &grams{set: map[string]struct{}{}, filter: make([]uint64, (1<<filterLog)/64), pow: 1}
	for i := 0; i < Gram-1; i++ {
		g.pow *= hashBase
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		switch {
		case len(v) < MinValue:
		case len(v) < Gram:
			g.short = append(g.short, v)
		default:
			for i := 0; i+Gram <= len(v); i++ {
				w := v[i : i+Gram]
				g.set[w] = struct{}{}
				h := hashOf(w)
				g.filter[(h>>(64-filterLog))/64] |= 1 << ((h >> (64 - filterLog)) % 64)
			}
		}
	}
	if len(g.set) == 0 && len(g.short) == 0 {
		return nil
	}
	return g
}

func hashOf(w string) uint64 {
	var h uint64
	for i := 0; i < len(w); i++ {
		h = h*hashBase + uint64(w[i])
	}
	return h
}

// find appends to spans every run of s that is a Gram-byte run of a
// configured secret (so a whole value is one span), and every short
// value. It is one rolling-hash pass over s.
func (g *grams) find(s string, spans []span) []span {
	if g == nil {
		return spans
	}
	for _, v := range g.short {
		for i := 0; ; {
			j := strings.Index(s[i:], v)
			if j < 0 {
				break
			}
			spans = append(spans, span{i + j, i + j + len(v)})
			i += j + 1
		}
	}
	if len(g.set) == 0 || len(s) < Gram {
		return spans
	}
	h := hashOf(s[:Gram])
	open := -1 // start of the span being built, or -1
	end := 0
	for i := 0; ; i++ {
		top := h >> (64 - filterLog)
		if g.filter[top/64]&(1<<(top%64)) != 0 {
			if _, ok := g.set[s[i:i+Gram]]; ok {
				if open >= 0 && i <= end {
					end = i + Gram
				} else {
					if open >= 0 {
						spans = append(spans, span{open, end})
					}
					open, end = i, i+Gram
				}
			}
		}
		if i+Gram >= len(s) {
			break
		}
		h = (h-uint64(s[i])*g.pow)*hashBase + uint64(s[i+Gram])
	}
	if open >= 0 {
		spans = append(spans, span{open, end})
	}
	return spans
}
