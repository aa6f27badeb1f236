package notion

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestMeasureRoundTrips measures, against the fake with 100 ms added
// latency per call and the prober's shipped defaults (rate, burst), how
// many round trips and API calls one whole diagnosis of one reference
// takes, per kind: cold (a CLI run: a new prober, users/me in the same
// round) and warm (the bot: users/me cached). Each run gets a new prober,
// so that pacing between runs does not count. It prints a table and
// checks only call counts (no timing assert). Run it with:
//
//	NOTION_MEASURE=1 go test -run TestMeasureRoundTrips -v ./diagnose/notion/
//
// NOTION_MEASURE_BURST=10 sets the limiter's burst instead of the default.
func TestMeasureRoundTrips(t *testing.T) {
	if os.Getenv("NOTION_MEASURE") == "" {
		t.Skip("set NOTION_MEASURE=1 to measure (about 30 s)")
	}
	const (
		latency = 100 * time.Millisecond
		runs    = 7
	)
	srv := nt.NewServer(t, nt.WithLatency(latency))
	cfg := Config{Token: nt.GoodToken, BaseURL: srv.URL, Logger: slog.New(slog.DiscardHandler)}
	if b, err := strconv.Atoi(os.Getenv("NOTION_MEASURE_BURST")); err == nil && b > 0 {
		// To see the plan alone, without the limiter's pacing.
		cfg.Burst = b
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seed, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seed.Integration(ctx, diagnose.ProbeOptions{})
	warmMe := seed.me

	type kase struct {
		name string
		ref  diagnose.Reference
		mix  bool // one of the single-reference mix the 2.5-call goal is about
	}
	cases := []kase{
		{"shared page (link)", linkRef(nt.SharedPageID), true},
		{"unshared page (link)", linkRef(nt.UnsharedPageID), true},
		{"database link without ?v=", linkRef(nt.DatabaseID), true},
		{"database link with ?v= (hint database)", linkOf(nt.DatabaseID, diagnose.KindDatabase), true},
		{"unshared page (bare ID)", ref(nt.UnsharedPageID, "", ""), false},
		{"two-source database without ?v=", linkRef(nt.MultiDatabaseID), false},
		{"linked database without ?v=", linkRef(nt.LinkedDatabaseID), false},
		{"data source (bare ID)", ref(nt.DataSourceID, "", ""), false},
		{"block (bare ID)", ref(nt.BlockID, "", ""), false},
		{"view (bare ID)", ref(nt.ViewID, "", ""), false},
		{"peek row (p= page)", linkRef(nt.RowPageID), false},
		{"pasted 404 on /v1/pages (unshared)", ref(nt.UnsharedPageID, diagnose.KindPage, diagnose.EndpointPages), false},
	}
	var kindRT []float64
	var coldCalls, warmCalls []int
	burst := cfg.Burst
	if burst == 0 {
		burst = DefaultBurst
	}
	fmt.Printf("latency %v per call, %d runs per case, rate %.0f/s, burst %d (shipped default %d)\n", latency, runs, DefaultRate, burst, DefaultBurst)
	fmt.Printf("%-42s %9s %9s %11s %11s %9s\n", "case", "cold RTT", "warm RTT", "cold calls", "warm calls", "verdict")
	for _, c := range cases {
		var cold, warm []float64
		var cc, wc []int
		verdict := ""
		for range runs {
			for _, isWarm := range []bool{false, true} {
				p, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if isWarm {
					p.me = warmMe
				}
				d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
				srv.Reset()
				start := time.Now()
				rep := d.DiagnoseReading(ctx, reading(nil, c.ref), diagnose.Options{})
				el := float64(time.Since(start)) / float64(latency)
				n := len(srv.Calls())
				ch := rep.Checks[0]
				if ch.Status == diagnose.StatusUnknown {
					t.Fatalf("%s: not done: %+v", c.name, ch.Findings)
				}
				verdict = string(ch.Kind) + "/" + string(ch.Findings[0].Code)
				if isWarm {
					warm, wc = append(warm, el), append(wc, n)
				} else {
					cold, cc = append(cold, el), append(cc, n)
				}
			}
		}
		fmt.Printf("%-42s %9.2f %9.2f %11.2f %11.2f  %s\n", c.name, median(cold), median(warm), avg(cc), avg(wc), verdict)
		kindRT = append(kindRT, median(cold))
		if slices.Max(wc) > maxCalls {
			t.Errorf("%s: %d calls", c.name, slices.Max(wc))
		}
		if c.mix {
			coldCalls = append(coldCalls, cc...)
			warmCalls = append(warmCalls, wc...)
		}
	}
	fmt.Printf("every kind: max %.2f RTT, median %.2f RTT (cold)\n", slices.Max(kindRT), median(kindRT))
	fmt.Printf("single-reference mix (first four cases): %.2f calls per run cold (users/me included), %.2f warm (users/me cached)\n", avg(coldCalls), avg(warmCalls))
	if a := avg(warmCalls); a > 2.5 {
		t.Errorf("average %.2f calls per warm run", a)
	}
}

// linkOf is a web link's reference with the kind the link's shape tells.
func linkOf(id string, hint diagnose.Kind) diagnose.Reference {
	r := linkRef(id)
	r.Hint = hint
	return r
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func avg(xs []int) float64 {
	n := 0
	for _, x := range xs {
		n += x
	}
	return float64(n) / float64(len(xs))
}
