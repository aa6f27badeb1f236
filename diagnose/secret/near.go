package secret

// A view of a text (its encodings undone, its invisible characters
// removed) is the text itself but near its anchors, where bytes were
// decoded or removed. Reading the whole view again for shapes doubled
// the redactor's cost on a long paste with a few entities (an &amp; in
// every link); shapesNear reads a view only around its anchors, and
// finds there exactly what shapes over the whole view finds that shapes
// over the text does not.
//
// It rests on wall bytes: no step of shapes' main loop reads past one
// (a wall is no letter or digit, no blank, quote, '>', ':', '=' nor
// byte of a credential, and every rule of a shape stops at such a byte),
// and none jumps over one, so at the byte after a wall the loop starts
// afresh, whatever came before. Between walls, a stretch of the view
// that is a copy of the text (no anchor in it, and the wall before it
// copied too) gives the spans the text gives there. Only a URL's
// userinfo reads past walls, and it does not move the loop: it is read
// again in the view at every "://" the loop over the text read it at.

// wall marks the bytes no step of shapes' main loop reads past. It is
// never written (TestWallBytes holds it to the rules).
var wall = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = !isAlnum(b) && !isSep(b) && !isCredByte(b) && b != '>' && b != ':' && b != '='
	}
	return t
}()

// shapesNear appends to spans what shapes(t.s) appends, but for the spans
// that lie in stretches of t.s copied from the text, which shapes over the
// text finds (in the text's coordinates, the same ones). colons are the
// "://" of the text whose userinfo shapes read, in order (see shapesIn).
func shapesNear(t *normText, colons []int, spans []span) []span {
	s, m := t.s, t.pos
	if len(m) == 0 {
		return shapes(s, spans)
	}
	// clean is where the stretch copied from the text starts that the
	// next dirty range ends; c is the next of colons to read again.
	clean, c := 0, 0
	// userinfoIn reads again the userinfo of the colons of the text that
	// fall in s[from:to], a copy of text[from+off:to+off].
	userinfoIn := func(from, to, off int) {
		for c < len(colons) && colons[c] < from+off {
			c++
		}
		for ; c < len(colons) && colons[c] < to+off; c++ {
			if i := colons[c] - off; hasAt(s, i, "://") {
				spans = userinfoAt(s, i, spans)
			}
		}
	}
	for k := 0; k < len(m); {
		lo := int(m[k].out)
		if lo >= len(s) {
			break
		}
		// The dirty range starts after the last wall before the anchor
		// (at most back to where the clean stretch starts).
		a := lo
		for a > clean && !wall[s[a-1]] {
			a--
		}
		// It takes in every anchor up to the first wall after the last
		// one's bytes (a flat anchor's bytes go on to the next anchor).
		b := lo
		for ; k < len(m) && int(m[k].out) <= b; k++ {
			hi := int(m[k].out)
			if m[k].flat() {
				hi = len(s) - 1
				if k+1 < len(m) {
					hi = int(m[k+1].out)
				}
			}
			b = max(b, min(hi, len(s)-1))
			for b < len(s) && !wall[s[b]] {
				b++
			}
		}
		b = min(b+1, len(s)) // past the wall
		if a > clean {
			off := 0
			if clean > 0 {
				off = m.at(clean) - clean
			}
			userinfoIn(clean, a, off)
		}
		spans = shapesIn(s, a, b, spans, nil)
		clean = b
	}
	if clean < len(s) {
		off := 0
		if clean > 0 {
			off = m.at(clean) - clean
		}
		end := len(s)
		if len(s)+off < t.n {
			// Bytes removed at the end: a span that ends with the view
			// covers them (see normText.span), so the last stretch
			// between walls is read in the view.
			end--
			for end > clean && !wall[s[end-1]] {
				end--
			}
			spans = shapesIn(s, end, len(s), spans, nil)
		}
		userinfoIn(clean, end, off)
	}
	return spans
}
