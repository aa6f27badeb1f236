package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

// adversarial builds inputs of about size bytes that repeat one short piece
// a careless reader would read again at every occurrence: the three shapes
// were once quadratic (IDs joined by '-', the error message repeated,
// <hex32>?v= repeated), the one that cost 155 bytes of memory per byte
// (notion.so/ repeated), and others found since (a link nested in its own
// p=, spaces before a word of IDs, a huge query value).
func adversarial(size int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, size/len(s)+1)[:size] }
	half := func(a, b string) string { return rep(a)[:size/2] + rep(b)[:size-size/2] }
	return map[string]string{
		"dashjoined":   rep(hexA + "-"),
		"couldnotfind": rep("Could not find page with ID: "),
		"hexview":      rep(hexA + "?v="),
		"notionspace":  rep("notion.so/ "),
		"nestedlink":   rep("notion.so/x?p="),
		"spacedids":    half(" ", hexA+"-"),
		"queryvalue":   "https://www.notion.so/" + hexA + "?v=" + rep("a")[:size-60],
		"tokens":       rep("ntn_" + "50617283940Rv2Km8QpL4xZt7Wb9Nc3Hy6Df1Gs5Ja0UeP "),
		"entities":     rep("&#7&#50&amp;"),
	}
}

// BenchmarkReadAdversarial reads each adversarial input through ReadText
// at 256 KB and 1 MB: linear reading costs four times as much at four
// times the size (docs/performance.md).
func BenchmarkReadAdversarial(b *testing.B) {
	for _, size := range []int{256 << 10, 1 << 20} {
		for name, text := range adversarial(size) {
			b.Run(fmt.Sprintf("%s-%dKB", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					ReadText(text, DefaultMaxChecks)
				}
			})
		}
	}
}
