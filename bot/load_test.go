package bot

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestLoadFiftyCommandsTenLinks is a load target: 50 slash
// commands over 10 distinct links arriving within a second, against a fake
// Notion limited to 3 requests/s (burst 10, 50–100 ms latency): all acked
// (timings logged against their targets: acks under 3 s, answers within
// 30 s), all answered, zero 429s seen by the fake, heap in use after the
// burst under 40 MB. It prints the figures:
//
//	go test ./bot -run TestLoadFiftyCommandsTenLinks -v
func TestLoadFiftyCommandsTenLinks(t *testing.T) {
	const proberBurst = notion.DefaultBurst
	if testing.Short() {
		t.Skip("load test skipped with -short")
	}
	const (
		commands = 50
		within   = time.Second
		ackMax   = 3 * time.Second
		answered = 30 * time.Second
		heapMax  = 40 << 20
	)
	srv := notiontest.NewServer(t, notiontest.WithRateLimit(3, 10), notiontest.WithLatency(75*time.Millisecond))
	// The prober runs with its defaults (3 req/s paced at 90%, burst 10),
	// as in production against Notion's own 3 req/s and its bursts.
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p})
	h := start(t, func(c *Config) { c.Diagnoser = d })

	link := func(slug, id string) string {
		return "https://www.notion.so/acme/" + slug + "-" + strings.ReplaceAll(id, "-", "")
	}
	links := []string{
		link("Roadmap", notiontest.SharedPageID),
		link("Secret", notiontest.UnsharedPageID),
		link("Old-Notes", notiontest.TrashedPageID),
		link("Tasks", notiontest.DatabaseID) + "?v=" + strings.ReplaceAll(notiontest.ViewID, "-", ""),
		notiontest.DataSourceID,
		link("Ship-the-checker", notiontest.RowPageID),
		link("Roadmap", notiontest.SharedPageID) + "#" + strings.ReplaceAll(notiontest.BlockID, "-", ""),
		link("Projects", notiontest.MultiDatabaseID),
		link("Tasks-linked", notiontest.LinkedDatabaseID),
		"Could not find page with ID: " + notiontest.MissingID,
	}

	type cmd struct {
		env, resp string
		sent      time.Time
	}
	cmds := make([]cmd, commands)
	burstStart := time.Now()
	for i := range cmds {
		c := cmd{env: fmt.Sprintf("env-load-%02d", i), resp: fmt.Sprintf("load-%02d", i)}
		c.sent = time.Now()
		h.push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: c.env, Text: links[i%len(links)], ResponseURL: h.fake.ResponseURL(c.resp)}))
		cmds[i] = c
		time.Sleep(within / commands / 2)
	}
	burst := time.Since(burstStart)

	acks, err := h.fake.WaitAcks(commands, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ackAt := map[string]time.Time{}
	for _, a := range acks {
		if _, ok := ackAt[a.EnvelopeID]; !ok {
			ackAt[a.EnvelopeID] = a.At
		}
	}
	if _, err := h.fake.WaitResponsePosts(commands, 60*time.Second); err != nil {
		t.Error(err)
	}
	answerAt := map[string]time.Time{}
	answers := 0
	for _, r := range h.fake.ResponsePosts() {
		if _, ok := answerAt[r.Name]; !ok {
			answerAt[r.Name] = r.At
		}
		answers++
	}
	var ackLat, ansLat []time.Duration
	for _, c := range cmds {
		if at, ok := ackAt[c.env]; ok {
			ackLat = append(ackLat, at.Sub(c.sent))
		} else {
			t.Errorf("%s not acked", c.env)
		}
		if at, ok := answerAt[c.resp]; ok {
			ansLat = append(ansLat, at.Sub(c.sent))
		} else {
			t.Errorf("%s not answered", c.resp)
		}
	}
	slices.Sort(ackLat)
	slices.Sort(ansLat)
	q := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		i := int(float64(len(ds)-1) * p)
		return ds[i]
	}
	n429 := srv.Count429()
	if n := srv.Count429(); n > 0 {
		for _, c := range srv.Calls() {
			t.Logf("notion %s %s %d %s", c.Start.Sub(burstStart).Round(time.Millisecond), c.Path, c.Status, c.Code)
		}
	}
	notionCalls := len(srv.Calls())

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	t.Logf("\n"+
		"load: %d slash commands over %d links, sent within %s; fake Notion 3 req/s burst 10, 75 ms latency; prober 3 req/s burst %d\n"+
		"  acks:     p50 %s  p99 %s  max %s   (target < %s)\n"+
		"  answers:  p50 %s  p99 %s  max %s   (target < %s), %d answers for %d commands\n"+
		"  notion:   %d requests, %d answered 429 (target 0)\n"+
		"  memory after the burst: HeapInuse %.1f MB  HeapAlloc %.1f MB  Sys %.1f MB   (target HeapInuse < 40 MB)",
		commands, len(links), burst.Round(time.Millisecond), proberBurst,
		q(ackLat, .5).Round(time.Microsecond), q(ackLat, .99).Round(time.Microsecond), q(ackLat, 1).Round(time.Microsecond), ackMax,
		q(ansLat, .5).Round(time.Millisecond), q(ansLat, .99).Round(time.Millisecond), q(ansLat, 1).Round(time.Millisecond), answered, answers, commands,
		notionCalls, n429,
		float64(ms.HeapInuse)/(1<<20), float64(ms.HeapAlloc)/(1<<20), float64(ms.Sys)/(1<<20))

	// The timings above are figures for the README, not assertions: a
	// 2-CPU CI must not fail a green change at random.
	if answers != commands {
		t.Errorf("%d answers, want exactly %d", answers, commands)
	}
	// The fake's bucket judges arrival times: on a loaded CI jitter can
	// cost a request or two the prober paced right, so the default run
	// allows 2; NOTION_MEASURE=1 asserts the goal, 0.
	if max := allowed429(); n429 > max {
		t.Errorf("the fake Notion answered %d requests with 429, want at most %d", n429, max)
	}
	if ms.HeapInuse >= heapMax {
		t.Errorf("HeapInuse %d MB after the burst, want < 40 MB", ms.HeapInuse>>20)
	}
	for _, r := range h.fake.ResponsePosts() {
		if strings.Contains(r.Text, "could not finish") || strings.Contains(string(r.Body), "notion.rate_limited") {
			t.Errorf("answer %s: %s", r.Name, r.Text)
			break
		}
	}
}
