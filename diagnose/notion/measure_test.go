package notion

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestMeasureRoundTrips measures, against the fake with 100 ms added
// latency per call, how many round trips and API calls a verdict takes for
// the common cases. It prints a table and checks only call counts (no
// timing assert). Run it with:
//
//	NOTION_MEASURE=1 go test -run TestMeasureRoundTrips -v ./diagnose/notion/
func TestMeasureRoundTrips(t *testing.T) {
	if os.Getenv("NOTION_MEASURE") == "" {
		t.Skip("set NOTION_MEASURE=1 to measure (about 15 s)")
	}
	const (
		latency = 100 * time.Millisecond
		runs    = 21
	)
	srv := nt.NewServer(t, nt.WithLatency(latency))
	// The limiter is opened wide so that it does not pace the sequential
	// runs (each verdict alone stays within Notion's burst anyway).
	cfg := Config{Token: nt.GoodToken, BaseURL: srv.URL, Rate: 100, Burst: 10, Logger: slog.New(slog.DiscardHandler)}
	warm, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	integ(ctx, warm, diagnose.ProbeOptions{})

	type kase struct {
		name string
		ref  diagnose.Reference
		cold bool // a new Prober each run: users/me not cached yet
		mix  bool // part of the required mix
	}
	cases := []kase{
		{"shared page link", ref(nt.SharedPageID, "", ""), false, true},
		{"unshared page", ref(nt.UnsharedPageID, "", ""), false, true},
		{"database, bare ID", ref(nt.DatabaseID, "", ""), false, true},
		{"database, ?v= link (hint database)", ref(nt.DatabaseID, diagnose.KindDatabase, ""), false, true},
		{"unshared page, cold prober (users/me concurrent)", ref(nt.UnsharedPageID, "", ""), true, false},
	}
	var mixRT []float64
	var mixCalls []int
	fmt.Printf("latency %v per call, %d runs per case\n", latency, runs)
	fmt.Printf("%-50s %10s %10s %10s %10s\n", "case", "median RT", "med rounds", "avg calls", "max calls")
	for _, c := range cases {
		var rts []float64
		var rounds, calls []int
		for range runs {
			p := warm
			if c.cold {
				if p, err = New(cfg); err != nil {
					t.Fatal(err)
				}
			}
			srv.Reset()
			start := time.Now()
			res := judgeRef(ctx, p, c.ref, diagnose.ProbeOptions{Fresh: true})
			d := time.Since(start)
			if !res.Done {
				t.Fatalf("%s: not done: %+v", c.name, res.Findings)
			}
			log := probeCalls(srv)
			rts = append(rts, float64(d)/float64(latency))
			rounds = append(rounds, nt.Rounds(srv.Calls()))
			calls = append(calls, len(log))
			if c.mix {
				mixRT = append(mixRT, float64(d)/float64(latency))
				mixCalls = append(mixCalls, len(log))
			}
		}
		fmt.Printf("%-50s %10.2f %10d %10.2f %10d\n", c.name, median(rts), medianInt(rounds), avg(calls), slices.Max(calls))
		if slices.Max(calls) > maxCalls {
			t.Errorf("%s: %d calls", c.name, slices.Max(calls))
		}
	}
	fmt.Printf("%-50s %10.2f %10s %10.2f %10d\n", "MIX (first four cases)", median(mixRT), "", avg(mixCalls), slices.Max(mixCalls))
	if a := avg(mixCalls); a > 2.5 {
		t.Errorf("average %.2f calls per verdict", a)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianInt(xs []int) int {
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
