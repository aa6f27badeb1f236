package bot

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
)

// burst pushes n slash commands at once and returns each one's
// push-to-ack latency; it waits until all n were answered via response_url.
func burst(tb testing.TB, h *harness, n int, round int) []time.Duration {
	tb.Helper()
	before := len(h.fake.ResponsePosts())
	envs := make([]string, n)
	pushed := make([]time.Time, n)
	var wg sync.WaitGroup
	for i := range n {
		envs[i] = fmt.Sprintf("env-burst-%d-%d", round, i)
		env := slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: envs[i], Text: pageLink, ResponseURL: h.fake.ResponseURL(envs[i])})
		wg.Add(1)
		go func() {
			defer wg.Done()
			pushed[i] = time.Now()
			if err := h.fake.Push(env); err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
	lat := make([]time.Duration, n)
	for i, id := range envs {
		a, err := h.fake.WaitAck(id, wait)
		if err != nil {
			tb.Fatal(err)
		}
		lat[i] = a.At.Sub(pushed[i])
	}
	if _, err := h.fake.WaitResponsePosts(before+n, 30*time.Second); err != nil {
		tb.Fatal(err)
	}
	return lat
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

// BenchmarkFiftySlashCommands: 50 slash commands arriving together are
// all acked (p50/p99 push-to-ack reported) and all answered.
//
//	go test ./bot -run '^$' -bench FiftySlash -benchtime 20x
func BenchmarkFiftySlashCommands(b *testing.B) {
	st := &stub{delay: 20 * time.Millisecond} // a diagnosis that takes a little while
	h := start(b, func(c *Config) { c.Diagnoser = st })
	var all []time.Duration
	round := 0
	for b.Loop() {
		all = append(all, burst(b, h, 50, round)...)
		round++
	}
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ack-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ack-ms")
	b.ReportMetric(float64(percentile(all, 1).Microseconds())/1000, "max-ack-ms")
}

func TestFiftySlashCommandsAckedAndAnswered(t *testing.T) {
	st := &stub{delay: 20 * time.Millisecond}
	h := start(t, func(c *Config) { c.Diagnoser = st })
	lat := burst(t, h, 50, 0)
	p50, p99 := percentile(lat, 0.5), percentile(lat, 0.99)
	// Timings are logged, never asserted (BenchmarkFiftySlashCommands
	// measures them): every command is acked (burst waits for each ack)
	// and answered.
	t.Logf("50 slash commands: ack p50 %v, p99 %v, max %v", p50, p99, percentile(lat, 1))
	if n := len(h.fake.ResponsePosts()); n != 50 {
		t.Errorf("%d answered, want 50", n)
	}
}
