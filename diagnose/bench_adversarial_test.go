package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

// adversarial builds inputs of about size bytes that repeat one short piece
// a careless reader would read again at every occurrence.
func adversarial(size int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, size/len(s)+1)[:size] }
	return map[string]string{
		"dashjoined":   rep(hexA + "-"),
		"couldnotfind": rep("Could not find page with ID: "),
		"hexview":      rep(hexA + "?v="),
		"notionspace":  rep("notion.so/ "),
	}
}

func BenchmarkReadAdversarial(b *testing.B) {
	for _, size := range []int{64 << 10, 256 << 10} {
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
