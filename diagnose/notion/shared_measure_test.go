package notion

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestMeasureSharedWorkspace measures what the bot's calls cost another
// client of the same workspace: a fake whose only limit is one
// token bucket for the whole workspace (1 req/s, burst 3, Notion's
// workspace-wide limit of 2026), another integration's client sending
// 0.8 req/s on its own schedule (no retries), and the bot (a long-running
// Prober, users/me asked at start as serve does) answering ten questions
// ten seconds apart, one of every single-reference kind of
// TestMeasureRoundTrips. It prints, per configuration, the 429s the other
// client got, the bot's own 429s and calls, its "rate-limited" answers and
// its answer times (median; the machine may be loaded: times are
// indicative, counts are the figures). It asserts nothing about time. Run:
//
//	NOTION_MEASURE=1 go test -run TestMeasureSharedWorkspace -v ./diagnose/notion/
func TestMeasureSharedWorkspace(t *testing.T) {
	if os.Getenv("NOTION_MEASURE") == "" {
		t.Skip("set NOTION_MEASURE=1 to measure (about 2 min per configuration)")
	}
	var questions []string
	for _, c := range measureCases() {
		if !strings.Contains(c.name, "references in one text") && len(questions) < 10 {
			questions = append(questions, c.text)
		}
	}
	for _, cf := range []struct {
		name  string
		guess float64
	}{
		{"shipped defaults (no rate granted for guesses)", 0},
		{"guesses granted 0.1 req/s (NOT shipped)", 0.1},
	} {
		srv := nt.NewServer(t, nt.WithWorkspaceRate(1, 3), nt.WithLatency(100*time.Millisecond))
		ctx, cancel := context.WithCancel(context.Background())
		// The other client: 0.8 req/s, a GET it may read, whatever the bot does.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(1250 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/blocks/"+nt.RootPageID, nil)
				req.Header.Set("Authorization", "Bearer "+nt.MarketingToken)
				req.Header.Set("Notion-Version", DefaultVersion)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					_ = resp.Body.Close()
				}
			}
		}()
		// Let the other client's pattern settle (the bucket full at its pace).
		time.Sleep(5 * time.Second)
		p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, SpeculativeRate: cf.guess, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
		p.Integration(ctx, diagnose.ProbeOptions{Fresh: true})
		var took []float64
		limited := 0
		for i, q := range questions {
			if i > 0 {
				time.Sleep(10 * time.Second)
			}
			qctx, qcancel := context.WithTimeout(ctx, 20*time.Second)
			start := time.Now()
			rep := d.Diagnose(qctx, q, diagnose.Options{})
			took = append(took, time.Since(start).Seconds())
			qcancel()
			for _, c := range rep.Checks {
				if diagnose.HasCode(c.Findings, diagnose.CodeNotionRateLimited) {
					limited++
				}
			}
		}
		cancel()
		wg.Wait()
		by := srv.RateLimitedBy()
		bot := 0
		for _, c := range srv.Calls() {
			if c.Integration == nt.IntegrationName {
				bot++
			}
		}
		fmt.Printf("%-48s | other client 429s %2d | bot 429s %2d | bot calls %2d (users/me incl.) | rate-limited answers %d of %d | answer median %.2f s, max %.2f s\n",
			cf.name, by[nt.MarketingName], by[nt.IntegrationName], bot, limited, len(questions), median(took), maxOf(took))
	}
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// TestSharedWorkspaceShippedDefaultsHarmNoOne holds what
// TestMeasureSharedWorkspace measures, on the virtual clock (exact, and in
// every run): with the shipped defaults (no rate granted for guesses) the
// bot's ten questions, ten seconds apart, cost the other client of the
// workspace no 429 and all get their verdict, on a fake whose one limit is
// the workspace's bucket (1 req/s, burst 3) beside another client sending
// 0.8 req/s (the measured load) or 0.87 req/s. The same bot granted a rate
// for guesses (not shipped) costs the other client 429s at 0.87 req/s: the
// check can fail.
func TestSharedWorkspaceShippedDefaultsHarmNoOne(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		every time.Duration // the other client's period
		guess float64
		harm  bool
	}{
		{"shipped defaults, other client 0.8 req/s", 1250 * time.Millisecond, 0, false},
		{"shipped defaults, other client 0.87 req/s", 1150 * time.Millisecond, 0, false},
		{"guesses granted 1 req/s (not shipped), other client 0.87 req/s", 1150 * time.Millisecond, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				other, bot, unanswered := sharedWorkspaceRun(t, tc.every, tc.guess)
				if tc.harm && other == 0 {
					t.Errorf("guesses granted: the other client got no 429; the check cannot tell harm")
				}
				if !tc.harm && (other != 0 || unanswered != 0) {
					t.Errorf("the other client got %d × 429 (the bot %d), %d of 10 checks without their verdict; want none", other, bot, unanswered)
				}
			})
		})
	}
}

// sharedWorkspaceRun runs TestMeasureSharedWorkspace's scenario on the
// virtual clock (call it inside synctest.Test): the other client sends
// one GET every period, the bot (the shipped Config, plus guess as its
// SpeculativeRate) answers ten questions ten seconds apart. It returns the
// 429s the other client and the bot got, and the checks that ended
// without a verdict (rate-limited or unavailable).
func sharedWorkspaceRun(t *testing.T, every time.Duration, guess float64) (other, bot, unanswered int) {
	var questions []string
	for _, c := range measureCases() {
		if !strings.Contains(c.name, "references in one text") && len(questions) < 10 {
			questions = append(questions, c.text)
		}
	}
	srv := nt.NewServer(t, nt.WithWorkspaceRate(1, 3), nt.WithLatency(100*time.Millisecond), nt.InProcess())
	client := &http.Client{Transport: srv.Transport()}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/blocks/"+nt.RootPageID, nil)
			req.Header.Set("Authorization", "Bearer "+nt.MarketingToken)
			req.Header.Set("Notion-Version", DefaultVersion)
			if resp, err := client.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		}
	}()
	time.Sleep(5 * time.Second)
	p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Transport: srv.Transport(), SpeculativeRate: guess, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
	p.Integration(ctx, diagnose.ProbeOptions{Fresh: true})
	for i, q := range questions {
		if i > 0 {
			time.Sleep(10 * time.Second)
		}
		qctx, qcancel := context.WithTimeout(ctx, 20*time.Second)
		rep := d.Diagnose(qctx, q, diagnose.Options{})
		qcancel()
		for _, c := range rep.Checks {
			if c.Status == diagnose.StatusUnknown {
				unanswered++
			}
		}
	}
	cancel()
	wg.Wait()
	by := srv.RateLimitedBy()
	return by[nt.MarketingName], by[nt.IntegrationName], unanswered
}
