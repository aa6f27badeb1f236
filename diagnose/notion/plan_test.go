package notion

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// planRTT is the fake's latency in the plan tests: one round trip.
const planRTT = 100 * time.Millisecond

// planRun is what one whole diagnosis cost at the fake.
type planRun struct {
	calls, rounds int
	rtt           float64 // wall time on the virtual clock, in round trips
	limited       int     // 429s
	// meLate counts users/me calls sent after the first answer came (not
	// in the first round); me counts them all.
	meLate, me int
	// widest is the most calls about one ID on the wire at one instant.
	widest int
	// rep is the diagnosis's report.
	rep diagnose.Report
}

// runPlan diagnoses text once with the shipped defaults (Config with only
// a token, a base URL and the fake's transport) on the virtual clock, as
// the CLI does (bot false: a new OneShot Prober, users/me asked only where
// a verdict needs it) or as a running bot does (users/me cached, its first
// flight proven, the bucket full again). Times are exact: no scheduling
// noise, so rounds and round trips are the plan's own.
//
// tokens, when given, are the configured integrations (NOTION_TOKEN first,
// then NOTION_TOKENS); else NOTION_TOKEN is nt.GoodToken alone.
func runPlan(t *testing.T, text string, bot bool, tokens ...string) planRun {
	t.Helper()
	return runPlanIn(t, nt.NewServer(t, nt.WithLatency(planRTT), nt.InProcess()), text, bot, tokens...)
}

// runPlanIn is runPlan against srv (a fake whose sharing the test set).
func runPlanIn(t *testing.T, srv *nt.Server, text string, bot bool, tokens ...string) planRun {
	t.Helper()
	return runPlanStore(t, srv, text, bot, nil, tokens...)
}

// runPlanWith is runPlan with store as every Prober's Config.Store: a CLI
// run with a users/me cache (plan_warm_test.go).
func runPlanWith(t *testing.T, text string, bot bool, store IntegrationStore, tokens ...string) planRun {
	t.Helper()
	return runPlanStore(t, nt.NewServer(t, nt.WithLatency(planRTT), nt.InProcess()), text, bot, store, tokens...)
}

// runPlanStore is runPlanIn with store as every Prober's Config.Store.
func runPlanStore(t *testing.T, srv *nt.Server, text string, bot bool, store IntegrationStore, tokens ...string) planRun {
	t.Helper()
	if len(tokens) == 0 {
		tokens = []string{nt.GoodToken}
	}
	var probers []*Prober
	for _, tok := range tokens {
		p, err := New(Config{Token: tok, BaseURL: srv.URL, Transport: srv.Transport(), OneShot: !bot, Logger: slog.New(slog.DiscardHandler), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if bot {
			p.Integration(context.Background(), diagnose.ProbeOptions{})
			pc := p.pacer()
			pc.mu.Lock()
			pc.open()
			pc.mu.Unlock()
		}
		probers = append(probers, p)
	}
	if bot {
		time.Sleep(time.Minute)
	}
	if store != nil && !bot {
		warmStore(t, srv, store, tokens)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv.Reset()
	cfg := diagnose.Config{Token: tokens[0], Prober: probers[0]}
	for _, p := range probers[1:] {
		cfg.Others = append(cfg.Others, p)
	}
	d := diagnose.New(cfg)
	start := time.Now()
	rep := d.Diagnose(ctx, text, diagnose.Options{})
	el := time.Since(start)
	for _, c := range rep.Checks {
		if c.Status == diagnose.StatusUnknown {
			t.Errorf("%s: check of %s not finished: %+v", text, c.ID, c.Findings)
		}
	}
	calls := srv.Calls()
	if os.Getenv("PLAN_DEBUG") != "" {
		for _, c := range calls {
			fmt.Printf("  %v %s %s %s %d\n", c.Start.Sub(start), c.Integration, c.Method, c.Path, c.Status)
		}
	}
	run := planRun{calls: len(calls), rounds: nt.Rounds(calls), rtt: float64(el) / float64(planRTT), limited: srv.Count429(), rep: rep}
	for _, c := range calls {
		if c.Path == "/v1/users/me" {
			run.me++
			if !c.Start.Before(calls[0].End) {
				run.meLate++
			}
		}
		// Calls about the same ID (the path's last part) on the wire when
		// this one starts, itself included.
		on := 0
		for _, o := range calls {
			if path.Base(o.Path) == path.Base(c.Path) && !o.Start.After(c.Start) && o.End.After(c.Start) {
				on++
			}
		}
		run.widest = max(run.widest, on)
	}
	return run
}

// TestPlanCalls holds the calls and rounds of every kind of reference with
// the shipped defaults, for the CLI and the bot, on the virtual clock
// (exact, so asserted): the fewest calls a correct verdict needs with a
// plan that asks blocks first (a block answer tells page, database and
// block apart; a 404 there is final for a link), users/me only for a
// verdict of access.not_shared. NOTION_MEASURE=1 prints the table.
func TestPlanCalls(t *testing.T) {
	t.Parallel()
	type want struct{ cliCalls, cliRounds, botCalls, botRounds int }
	wants := map[string]want{
		"shared page (link)":            {1, 1, 1, 1},
		"unshared page (link)":          {2, 2, 1, 1},
		"data source (bare ID)":         {2, 2, 2, 2},
		"block (bare ID)":               {1, 1, 1, 1},
		"peek row (?v=&p=)":             {1, 1, 1, 1},
		"database link without ?v=":     {2, 2, 2, 2},
		"database ?v= link":             {1, 1, 1, 1},
		"two-source database (link)":    {2, 2, 2, 2},
		"linked database (link)":        {2, 2, 2, 2},
		"database (bare ID)":            {2, 2, 2, 2},
		"unshared or missing (bare ID)": {4, 4, 3, 3},
		"three references in one text":  {7, 4, 6, 3},
		"ten references in one text":    {16, 3, 15, 6},
	}
	var lines []string
	var cliNine, botNine []int
	for _, c := range measureCases() {
		w, ok := wants[c.name]
		if !ok {
			t.Fatalf("no expectation for %q", c.name)
		}
		var cli, bot planRun
		synctest.Test(t, func(t *testing.T) { cli = runPlan(t, c.text, false) })
		synctest.Test(t, func(t *testing.T) { bot = runPlan(t, c.text, true) })
		if cli.calls != w.cliCalls || cli.rounds != w.cliRounds || bot.calls != w.botCalls || bot.rounds != w.botRounds {
			t.Errorf("%s: CLI %d calls %d rounds, bot %d calls %d rounds; want %d %d, %d %d",
				c.name, cli.calls, cli.rounds, bot.calls, bot.rounds, w.cliCalls, w.cliRounds, w.botCalls, w.botRounds)
		}
		if cli.widest > 2 || bot.widest > 2 {
			t.Errorf("%s: %d calls about one reference at one instant (CLI), %d (bot); want at most 2", c.name, cli.widest, bot.widest)
		}
		if cli.limited+bot.limited > 0 {
			t.Errorf("%s: %d 429s", c.name, cli.limited+bot.limited)
		}
		lines = append(lines, fmt.Sprintf("%-32s | %5d %6d %6.2f | %5d %6d %6.2f", c.name, cli.calls, cli.rounds, cli.rtt, bot.calls, bot.rounds, bot.rtt))
		if !strings.Contains(c.name, "references in one text") && c.name != "database (bare ID)" && c.name != "unshared or missing (bare ID)" {
			cliNine, botNine = append(cliNine, cli.calls), append(botNine, bot.calls)
		}
	}
	if os.Getenv("NOTION_MEASURE") != "" {
		fmt.Printf("virtual clock, fake latency %v, shipped defaults\n%-32s | %5s %6s %6s | %5s %6s %6s\n", planRTT, "case", "CLI calls", "rounds", "RTT", "bot calls", "rounds", "RTT")
		for _, l := range lines {
			fmt.Println(l)
		}
		fmt.Printf("calls per question over the issue's nine kinds: CLI %.2f, bot %.2f\n", avg(cliNine), avg(botNine))
	}
}

// TestPlanNamedIntegration: a pasted 404 naming a configured integration
// is checked with each integration's users/me beside its probe (never a
// round of users/me first), and once another integration's answer has told
// what the object is, the named one's 404s are final: no data source or
// view call follows a blocks 404 about a page another integration reads.
// When no other integration sees the object, the later calls still go.
// Exact on the virtual clock; NOTION_MEASURE=1 prints the figures.
func TestPlanNamedIntegration(t *testing.T) {
	t.Parallel()
	paste := func(id, name string) string {
		return fmt.Sprintf(`GET https://api.notion.com/v1/pages/%s
{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration \"%s\"."}`, id, id, name)
	}
	type want struct{ cliCalls, cliRounds, botCalls, botRounds int }
	cases := []struct {
		name   string
		text   string
		tokens []string
		// unshare is shared with no integration of tokens but the last
		// it is shared with (set up in the fake before the run).
		unshare map[string]string
		want    want
		// kind and code are the check's kind and the finding that must
		// lead; names are the integrations the finding must name.
		kind  diagnose.Kind
		code  diagnose.Code
		names []string
		// access is the check's access line.
		access string
	}{{
		// Iris Checker reads the page in the first round: Marketing Sync's
		// blocks 404 is final. CLI: two users/me and two blocks calls; bot:
		// the two blocks calls (users/me cached). One round.
		name: "page another integration reads", text: paste(nt.SharedPageID, nt.MarketingName),
		tokens: []string{nt.GoodToken, nt.MarketingToken},
		want:   want{4, 1, 2, 1},
		kind:   diagnose.KindPage, code: diagnose.CodeAccessNotShared, names: []string{nt.MarketingName, nt.IntegrationName},
		access: nt.MarketingName + " ✗ · " + nt.IntegrationName + " ✓",
	}, {
		// Nobody's first round tells what it is: a data source ID used as
		// a page ID answers 404 on blocks for everyone (Iris Checker does
		// not see it at all), and the data source and view calls of the
		// second round must still go.
		name: "data source no other integration sees", text: paste(nt.DataSourceID, nt.MarketingName),
		tokens:  []string{nt.GoodToken, nt.MarketingToken},
		unshare: map[string]string{nt.GoodToken: nt.DataSourceID},
		want:    want{8, 2, 6, 2},
		kind:    diagnose.KindDataSource,
		access:  nt.MarketingName + " ✓ · " + nt.IntegrationName + " ✗",
	}, {
		// A bare data source ID, not shared with Marketing Sync: blocks,
		// then data_sources, which Iris Checker answers 200. Marketing
		// Sync's 404s are then final: no third round for its view call.
		name: "bare data source one integration sees", text: nt.DataSourceID,
		tokens:  []string{nt.GoodToken, nt.MarketingToken},
		unshare: map[string]string{nt.MarketingToken: nt.DataSourceID},
		want:    want{6, 2, 4, 2},
		kind:    diagnose.KindDataSource,
		access:  nt.IntegrationName + " ✓ · " + nt.MarketingName + " ✗",
	}, {
		// Three integrations: Marketing Sync alone reads the page, in the
		// first round; Iris Checker's and Acme Public's 404s are final.
		// The CLI's second round is Acme Public's GET /v1/users, which
		// users/me of a user-owned bot calls for (OAuth or personal token).
		name: "three integrations", text: paste(nt.MarketingOnlyPageID, nt.IntegrationName),
		tokens: []string{nt.GoodToken, nt.MarketingToken, nt.OAuthToken},
		want:   want{7, 2, 3, 1},
		kind:   diagnose.KindPage, code: diagnose.CodeAccessNotShared, names: []string{nt.IntegrationName, nt.MarketingName},
		access: nt.IntegrationName + " ✗ · " + nt.MarketingName + " ✓ · " + nt.OAuthName + " ✗",
	}}
	for _, c := range cases {
		var cli, bot, warm planRun
		run := func(t *testing.T, isBot bool, store IntegrationStore) planRun {
			srv := nt.NewServer(t, nt.WithLatency(planRTT), nt.InProcess())
			for tok, id := range c.unshare {
				if !srv.UnshareWith(tok, id) {
					t.Fatalf("%s: cannot unshare %s", c.name, id)
				}
			}
			return runPlanStore(t, srv, c.text, isBot, store, c.tokens...)
		}
		synctest.Test(t, func(t *testing.T) { cli = run(t, false, nil) })
		synctest.Test(t, func(t *testing.T) { bot = run(t, true, nil) })
		// A CLI run whose users/me answers an earlier run kept makes the
		// bot's calls.
		synctest.Test(t, func(t *testing.T) { warm = run(t, false, newMemStore()) })
		if warm.me != 0 || warm.calls != bot.calls || warm.rounds > cli.rounds {
			t.Errorf("%s: warm CLI %d calls %d rounds (%d users/me); want the bot's %d calls, none, at most %d rounds",
				c.name, warm.calls, warm.rounds, warm.me, bot.calls, cli.rounds)
		}
		w := c.want
		if cli.meLate != 0 || cli.calls != w.cliCalls || cli.rounds != w.cliRounds || bot.calls != w.botCalls || bot.rounds != w.botRounds {
			t.Errorf("%s: CLI %d calls %d rounds (%d users/me after the first round), bot %d calls %d rounds; want %d %d (0), %d %d",
				c.name, cli.calls, cli.rounds, cli.meLate, bot.calls, bot.rounds, w.cliCalls, w.cliRounds, w.botCalls, w.botRounds)
		}
		for _, r := range []planRun{cli, bot, warm} {
			if len(r.rep.Checks) != 1 {
				t.Fatalf("%s: %d checks", c.name, len(r.rep.Checks))
			}
			ch := r.rep.Checks[0]
			if ch.Kind != c.kind {
				t.Errorf("%s: kind %s, want %s", c.name, ch.Kind, c.kind)
			}
			if got := accessLine(ch.Access); got != c.access {
				t.Errorf("%s: access %q, want %q", c.name, got, c.access)
			}
			if c.code == "" {
				continue
			}
			if len(ch.Findings) == 0 || ch.Findings[0].Code != c.code {
				t.Errorf("%s: findings %+v, want %s first", c.name, ch.Findings, c.code)
				continue
			}
			for _, n := range c.names {
				if !strings.Contains(ch.Findings[0].Detail, strconv.Quote(n)) {
					t.Errorf("%s: %s does not name %q: %s", c.name, c.code, n, ch.Findings[0].Detail)
				}
			}
		}
		if os.Getenv("NOTION_MEASURE") != "" {
			fmt.Printf("%s (%d integrations configured), virtual clock, latency %v: CLI %d calls %d rounds %.2f RTT; CLI warm %d calls %d rounds; bot %d calls %d rounds %.2f RTT\n",
				c.name, len(c.tokens), planRTT, cli.calls, cli.rounds, cli.rtt, warm.calls, warm.rounds, bot.calls, bot.rounds, bot.rtt)
		}
	}
}
