package diagnose

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// allocated returns the bytes f allocates (the heap's running total, read
// around it; the package's tests do not run in parallel).
// allocated returns the fewest bytes allocated over three runs of f: the
// counter is the process's, so a goroutine left running by another test
// can add to one run, never to all three alike.
func allocated(f func()) uint64 {
	least := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// TestReadMemoryLinear: reading allocates in proportion to the text on the
// adversarial shapes, and the reading kept is bounded by what is reported.
// It counts bytes allocated, never time: the time is in
// BenchmarkReadAdversarial (docs/performance.md).
func TestReadMemoryLinear(t *testing.T) {
	const small, large = 64 << 10, 256 << 10
	sm, lg := adversarial(small), adversarial(large)
	sm["mix"], lg["mix"] = pastes(small)["mix"], pastes(large)["mix"]
	for name := range lg {
		t.Run(name, func(t *testing.T) {
			ReadText(sm[name], DefaultMaxChecks) // warm
			a := allocated(func() { ReadText(sm[name], DefaultMaxChecks) })
			var rd Reading
			b := allocated(func() { rd = ReadText(lg[name], DefaultMaxChecks) })
			// Four times the text: at most six times the bytes (linear,
			// with room for the maps and slices that grow by doubling).
			if b > 6*a+64<<10 {
				t.Errorf("%s: %d bytes allocated for %d bytes of text, %d for %d: not linear", name, a, small, b, large)
			}
			if perByte := float64(b) / large; perByte > 40 {
				t.Errorf("%s: %.1f bytes allocated per byte of text", name, perByte)
			}
			if len(rd.References) > DefaultMaxChecks {
				t.Errorf("%s: %d references kept, limit %d", name, len(rd.References), DefaultMaxChecks)
			}
			for _, r := range rd.References {
				if len(r.Related) > 4*maxMerged || len(r.Findings) > 4*maxMerged {
					t.Errorf("%s: a reference holds %d related and %d findings", name, len(r.Related), len(r.Findings))
				}
			}
		})
	}
}

// TestReadCountsBeyondLimit: references past the limit are counted, not
// kept, and a text with more than maxCounted says so.
func TestReadCountsBeyondLimit(t *testing.T) {
	var b strings.Builder
	for i := range maxCounted + 5 {
		fmt.Fprintf(&b, "https://www.notion.so/Page-%032x\n", i+1)
	}
	rd := ReadText(b.String(), 3)
	if len(rd.References) != 3 || rd.Total != maxCounted || !rd.More {
		t.Fatalf("kept %d, total %d, more %v; want 3, %d, true", len(rd.References), rd.Total, rd.More, maxCounted)
	}
	if got := rd.References[0].ID; got != dash(fmt.Sprintf("%032x", 1)) {
		t.Errorf("first reference %s, want the first in the text", got)
	}
	rd = ReadText("x "+idB+" https://www.notion.so/a-"+hexA+" "+idB+" "+hexA, 1)
	if len(rd.References) != 1 || rd.Total != 2 || rd.More || rd.References[0].ID != idB {
		t.Fatalf("kept %v, total %d, more %v; want %s first of 2", rd.References, rd.Total, rd.More, idB)
	}
}

// TestReadKeepsFirstAcrossPasses: the references kept under a limit are the
// first in the text, whichever pass finds them (a bare ID before a link is
// found by the last pass).
func TestReadKeepsFirstAcrossPasses(t *testing.T) {
	text := idB + " then https://www.notion.so/a-" + hexA + " then " + idK
	for limit := 1; limit <= 3; limit++ {
		rd := ReadText(text, limit)
		want := []string{idB, idA, idK}[:limit]
		var got []string
		for _, r := range rd.References {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) || rd.Total != 3 {
			t.Errorf("limit %d: %v (total %d), want %v (3)", limit, got, rd.Total, want)
		}
	}
}

// TestMeasureReadGrowth looks for inputs that make reading superlinear: it
// repeats random pieces of real pastes to two sizes and reports any whose
// time grows much faster than the size. It is a measuring command (the
// timing is reported, never asserted):
//
//	NOTION_MEASURE=1 go test ./diagnose -run TestMeasureReadGrowth -v
func TestMeasureReadGrowth(t *testing.T) {
	if os.Getenv("NOTION_MEASURE") == "" {
		t.Skip("a measuring command: set NOTION_MEASURE=1")
	}
	var seeds []string
	for _, tc := range readCases() {
		seeds = append(seeds, tc.in)
	}
	for _, tc := range collectPeerCases() {
		seeds = append(seeds, tc.input)
	}
	seeds = append(seeds, callSeeds...)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	piece := func() string {
		s := seeds[rng.IntN(len(seeds))]
		if len(s) < 2 {
			return s + " "
		}
		a := rng.IntN(len(s) - 1)
		return s[a : a+1+rng.IntN(min(48, len(s)-a-1))]
	}
	// perOp is the mean time of one read over at least 40 ms of reads, the
	// least of three such means: a loaded machine adds noise, not less.
	perOp := func(text string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			n, start := 0, time.Now()
			for n == 0 || time.Since(start) < 40*time.Millisecond {
				ReadText(text, DefaultMaxChecks)
				n++
			}
			best = min(best, time.Since(start)/time.Duration(n))
		}
		return best
	}
	const small, large = 64 << 10, 512 << 10
	tries := 150
	if s := os.Getenv("NOTION_MEASURE_TRIES"); s != "" {
		fmt.Sscan(s, &tries)
	}
	worst := 0.0
	for range tries {
		p := piece()
		if rng.IntN(2) == 0 {
			p += piece()
		}
		rep := func(n int) string { return strings.Repeat(p, n/len(p)+1)[:n] }
		growth := func() (time.Duration, time.Duration, float64) {
			a, b := perOp(rep(small)), perOp(rep(large))
			return a, b, float64(b) / float64(max(a, time.Microsecond))
		}
		a, b, ratio := growth()
		if ratio > 16 {
			a, b, ratio = growth() // once more, to tell noise from growth
		}
		worst = max(worst, ratio)
		if ratio > 16 {
			t.Logf("superlinear? %q repeated: %v for %d B, %v for %d B (×%.0f)", p, a, small, b, large, ratio)
		}
	}
	t.Logf("%d pieces, worst growth ×%.1f for ×%d the size (linear: ×%d)", tries, worst, large/small, large/small)
}

// cpuTime is the CPU time the process has used (user and system, every
// thread: the garbage collector's work counts too).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMeasureReadCPU prints the CPU time and the bytes allocated per read
// of each adversarial input and of the 1 MB mix, with the one-pass
// yardsticks: CPU time, not wall time, so that a machine busy with other
// work gives nearly the same figures (docs/performance.md). A measuring
// command:
//
//	NOTION_MEASURE=1 go test ./diagnose -run TestMeasureReadCPU -v
//
// The yardsticks are one pass over the mix that reads every byte and
// writes every byte (strings.ToLower: the mix has capitals, so it copies
// all of it), one that visits every byte with a branch each (counting the
// bytes of a class through a table), and bytes.IndexByte for a byte the
// text lacks (vector instructions, no branch per byte).
func TestMeasureReadCPU(t *testing.T) {
	if os.Getenv("NOTION_MEASURE") == "" {
		t.Skip("a measuring command: set NOTION_MEASURE=1")
	}
	// perRead is the CPU time of one call of f: the least, over five
	// rounds, of the mean over at least 60 ms of calls (a loaded machine
	// adds time, never takes it away). The bytes are counted apart, so
	// that reading the allocator's statistics is not timed.
	perRead := func(f func()) time.Duration {
		best := time.Duration(1 << 62)
		for range 5 {
			n, start := 0, cpuTime()
			for n == 0 || cpuTime()-start < 60*time.Millisecond {
				f()
				n++
			}
			best = min(best, (cpuTime()-start)/time.Duration(n))
		}
		return best
	}
	mix := pastes(1 << 20)["mix"]
	var class [256]bool
	for _, c := range []byte("aeiouAEIOU") {
		class[c] = true
	}
	toLower := func() { _ = strings.ToLower(mix) }
	lower := min(perRead(toLower), perRead(toLower), perRead(toLower))
	measure := func(name string, size int, f func()) {
		f() // warm
		runtime.GC()
		per := perRead(f)
		alloc := allocated(f)
		t.Logf("%-22s %5d KB  %8.2f ms CPU  %5.1f× ToLower of the mix  %6.1f B allocated per byte", name, size>>10, float64(per)/1e6, float64(per)/float64(lower), float64(alloc)/float64(size))
	}
	measure("one pass: IndexByte", len(mix), func() { _ = strings.IndexByte(mix, 0) })
	measure("one pass: byte loop", len(mix), func() {
		n := 0
		for i := 0; i < len(mix); i++ {
			if class[mix[i]] {
				n++
			}
		}
		if n == 0 {
			t.Fatal("no vowel in the mix")
		}
	})
	measure("one pass: ToLower", len(mix), func() { _ = strings.ToLower(mix) })
	measure("ReadText mix", len(mix), func() { ReadText(mix, DefaultMaxChecks) })
	sizes := []int{256 << 10, 1 << 20}
	if s := os.Getenv("NOTION_MEASURE_SIZES"); s == "small" {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		inputs := adversarial(size)
		names := make([]string, 0, len(inputs))
		for k := range inputs {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, name := range names {
			text := inputs[name]
			measure(name, size, func() { ReadText(text, DefaultMaxChecks) })
		}
	}
}
