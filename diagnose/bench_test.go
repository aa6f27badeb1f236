package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

// pastes builds inputs of about size bytes of several kinds: a realistic
// help-channel mix, prose with no reference, and adversarial runs that
// would make a careless scanner quadratic.
func pastes(size int) map[string]string {
	mix := []string{
		"Hi team, this fails: <https://www.notion.so/acme/Tasks-" + hexA + "?v=" + hexV + "&amp;p=" + hexB + "&amp;pm=s|Tasks> ",
		`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + idB + `.","request_id":"` + idK + `"} `,
		"curl https://api.notion.com/v1/databases/" + idA + "/query -H 'Notion-Version: 2022-06-28' ",
		"the ID was 1212250f3985801cabcdef012345 and also None. ",
		"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ",
	}
	out := map[string]string{}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		s := mix[i%len(mix)]
		if i%len(mix) == 0 {
			// Distinct links, so the merge map grows too.
			s = strings.Replace(s, hexB, fmt.Sprintf("%032x", i), 1)
		}
		b.WriteString(s)
	}
	out["mix"] = b.String()
	out["prose"] = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", size/57+1)[:size]
	out["hex"] = strings.Repeat("0123456789abcdef", size/16+1)[:size]
	out["links"] = strings.Repeat("notion.so/", size/10+1)[:size]
	out["angles"] = strings.Repeat("<&amp;", size/6+1)[:size]
	out["keys"] = strings.Repeat("a_id_Id:", size/8+1)[:size]
	out["dashes"] = strings.Repeat("-", size)
	// Runs that would make the call reader quadratic.
	out["apipaths"] = strings.Repeat("/v1/pages/", size/10+1)[:size]
	out["should"] = strings.Repeat(" should ", size/8+1)[:size]
	out["braces"] = strings.Repeat("{{${", size/4+1)[:size]
	return out
}

// BenchmarkRead1MB reads a 1 MB paste of each kind (docs/performance.md has the
// figures); BenchmarkReadScaling shows the time grows linearly with size.
func BenchmarkRead1MB(b *testing.B) {
	for name, text := range pastes(1 << 20) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				ReadLimit(text, DefaultMaxChecks)
			}
		})
	}
}

func BenchmarkReadScaling(b *testing.B) {
	for _, size := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20} {
		text := pastes(size)["mix"]
		b.Run(fmt.Sprintf("mix-%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				ReadLimit(text, DefaultMaxChecks)
			}
		})
	}
}

// BenchmarkReadText1MB is BenchmarkRead1MB through ReadText: the references
// and the person's call, read once.
func BenchmarkReadText1MB(b *testing.B) {
	for name, text := range pastes(1 << 20) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				ReadText(text, DefaultMaxChecks)
			}
		})
	}
}

// BenchmarkOnePass1MB is the yardstick for BenchmarkReadText1MB (issue
// 23: the reader within 10× of one pass over the text): one pass that
// looks at every byte without a branch per byte (bytes.IndexByte for a
// byte the text lacks), and one that reads and writes every byte
// (lower-casing it).
func BenchmarkOnePass1MB(b *testing.B) {
	text := pastes(1 << 20)["mix"]
	b.Run("indexbyte", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			if strings.IndexByte(text, 0) >= 0 {
				b.Fatal("a NUL in the mix")
			}
		}
	})
	b.Run("lower", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			_ = strings.ToLower(text)
		}
	})
}
