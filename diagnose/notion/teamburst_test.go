package notion

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// teamLinks are ten web links to ten distinct objects of the fake world,
// with different sharing for the three integrations.
func teamLinks() []string {
	return []string{
		measureLink("Team-Home", nt.RootPageID),
		measureLink("Roadmap-2026", nt.SharedPageID),
		measureLink("Private-plans", nt.UnsharedPageID),
		measureLink("Old-Notes", nt.TrashedPageID),
		measureLink("Ship-the-checker", nt.RowPageID),
		measureLink("Tasks", nt.DatabaseID),
		measureLink("Projects", nt.MultiDatabaseID),
		measureLink("Tasks-linked", nt.LinkedDatabaseID),
		measureLink("Orphan", nt.OrphanDatabaseID),
		measureLink("Campaigns", nt.MarketingOnlyPageID),
	}
}

// teamNames are the fake's three integrations, NOTION_TOKEN's first.
var teamNames = []string{nt.IntegrationName, nt.MarketingName, nt.PersonalName}

// burstResult is what one burst of the team did.
type burstResult struct {
	reports []diagnose.Report
	calls   []nt.Call
	wall    time.Duration // printed, never asserted
}

// teamBurst diagnoses teamLinks with the three integrations wired as serve
// wires NOTION_TOKEN and NOTION_TOKENS (one prober each, shipped defaults,
// its own budget), against a fake that limits each token to Notion's 3
// req/s with a burst of 10, cold (users/me asked in the same run). With
// oneText the ten links are one message; otherwise ten messages arrive at
// once (a bot's burst), each a diagnosis of its own by the same Diagnoser.
func teamBurst(t *testing.T, latency time.Duration, oneText bool) burstResult {
	t.Helper()
	srv, tr := fakeNotion(t, nt.WithRateLimit(3, 10), nt.WithLatency(latency))
	var ps []*Prober
	for _, tok := range []string{nt.GoodToken, nt.MarketingToken, nt.PersonalToken} {
		p, err := New(Config{Token: tok, BaseURL: srv.URL, Transport: tr, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: ps[0], Others: []diagnose.Prober{ps[1], ps[2]}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	links := teamLinks()
	start := time.Now()
	var reps []diagnose.Report
	if oneText {
		reps = []diagnose.Report{d.Diagnose(ctx, strings.Join(links, "\n"), diagnose.Options{})}
	} else {
		reps = make([]diagnose.Report, len(links))
		var wg sync.WaitGroup
		for i, l := range links {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i] = d.Diagnose(ctx, "why does this fail? "+l, diagnose.Options{})
			}()
		}
		wg.Wait()
	}
	return burstResult{reports: reps, calls: srv.Calls(), wall: time.Since(start)}
}

// perIntegration counts calls and 429s by integration.
func (r burstResult) perIntegration() (calls, n429 map[string]int) {
	calls, n429 = map[string]int{}, map[string]int{}
	for _, c := range r.calls {
		calls[c.Integration]++
		if c.Status == 429 {
			n429[c.Integration]++
		}
	}
	return calls, n429
}

// checks lists every check of the burst's reports.
func (r burstResult) checks() []diagnose.Check {
	var out []diagnose.Check
	for _, rep := range r.reports {
		out = append(out, rep.Checks...)
	}
	return out
}

// TestTeamBurstWithinEachBudget is the several-integrations measurement as a behavioural
// test: ten links with three integrations configured stay within each
// integration's budget (0 × 429: on the virtual clock arrivals do not
// jitter) and ask each object at most once per integration and endpoint;
// every check reaches a verdict and shows all three integrations' access.
// No timing is asserted.
func TestTeamBurstWithinEachBudget(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		oneText bool
	}{
		{"one message with ten links", true},
		{"ten messages at once", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			onVirtualClock(t, func(t *testing.T) {
				r := teamBurst(t, 20*time.Millisecond, tt.oneText)
				checks := r.checks()
				if len(checks) != len(teamLinks()) {
					t.Fatalf("%d checks for %d links", len(checks), len(teamLinks()))
				}
				for _, c := range checks {
					if c.Status == diagnose.StatusUnknown {
						t.Errorf("%s not finished: %v", c.ID, codes(c.Findings))
					}
					var who []string
					for _, a := range c.Access {
						who = append(who, a.Integration)
					}
					if strings.Join(who, "|") != strings.Join(teamNames, "|") {
						t.Errorf("%s: access asked of %q, want all of %q", c.ID, who, teamNames)
					}
					if c.ID == nt.MarketingOnlyPageID {
						if got := accessLine(c.Access); got != "Iris Checker ✗ · Marketing Sync ✓ · Notion CLI ✓" {
							t.Errorf("MarketingOnlyPageID access %q", got)
						}
					}
				}
				calls, n429 := r.perIntegration()
				for _, name := range teamNames {
					if calls[name] == 0 {
						t.Errorf("%s was never asked", name)
					}
					if n := n429[name]; n > 0 {
						t.Errorf("%s: %d × 429 (want none)", name, n)
					}
				}
				if calls[""] != 0 {
					t.Errorf("%d calls with no known token", calls[""])
				}
				// At most one answer other than 429 per integration, method and
				// path: a retry after a 429 is the same question asked again,
				// anything else is a repeat.
				answered := map[string]int{}
				for _, c := range r.calls {
					if c.Status != 429 {
						answered[c.Integration+" "+c.Method+" "+c.Path]++
					}
				}
				for k, n := range answered {
					if n > 1 {
						t.Errorf("%s asked %d times", k, n)
					}
				}
				t.Logf("calls %v, 429 %v, %v", calls, n429, r.wall.Round(100*time.Millisecond))
			})
		})
	}
}

// TestMeasureTeamBurst prints, for ten links with three integrations
// (shipped defaults, a fake at 3 req/s burst 10 per token with 100 ms per
// call, cold), each integration's calls and 429s and the wall time, for
// one message with ten links and for ten messages at once. It asserts what
// TestTeamBurstWithinEachBudget does, with no jitter slack. Run it with:
//
//	NOTION_MEASURE=1 go test -run TestMeasureTeamBurst -v ./diagnose/notion/
func TestMeasureTeamBurst(t *testing.T) {
	if !measuring() {
		t.Skip("set NOTION_MEASURE=1 to measure (about 1 min)")
	}
	const runs = 3
	for _, tt := range []struct {
		name    string
		oneText bool
	}{
		{"one message with ten links", true},
		{"ten messages at once", false},
	} {
		for run := range runs {
			r := teamBurst(t, 100*time.Millisecond, tt.oneText)
			calls, n429 := r.perIntegration()
			repeats := 0
			answered := map[string]int{}
			for _, c := range r.calls {
				if c.Status != 429 {
					k := c.Integration + " " + c.Method + " " + c.Path
					answered[k]++
					if answered[k] > 1 {
						repeats++
					}
				}
			}
			unknown := 0
			for _, c := range r.checks() {
				if c.Status == diagnose.StatusUnknown {
					unknown++
				}
			}
			var parts []string
			total := 0
			for _, name := range teamNames {
				parts = append(parts, fmt.Sprintf("%s %d calls %d × 429", name, calls[name], n429[name]))
				total += n429[name]
			}
			t.Logf("%s #%d: %s; repeats %d, unfinished %d, wall %v", tt.name, run+1, strings.Join(parts, ", "), repeats, unknown, r.wall.Round(10*time.Millisecond))
			if total != 0 || repeats != 0 || unknown != 0 {
				t.Errorf("%s #%d: %d × 429, %d repeats, %d unfinished", tt.name, run+1, total, repeats, unknown)
			}
		}
	}
}
