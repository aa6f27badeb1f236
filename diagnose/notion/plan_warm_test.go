package notion

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// memStore is an IntegrationStore in memory, counting what it is told.
type memStore struct {
	mu                  sync.Mutex
	m                   map[string]KnownToken
	loads, saves, drops int
}

func newMemStore() *memStore { return &memStore{m: map[string]KnownToken{}} }

func (s *memStore) Load(key string) (KnownToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	k, ok := s.m[key]
	return k, ok
}

func (s *memStore) Save(key string, k KnownToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	s.m[key] = k
}

func (s *memStore) Drop(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops++
	delete(s.m, key)
}

func (s *memStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// warmStore fills store as an earlier CLI run with each token would have:
// a Prober of its own asked users/me (and GET /v1/users for a bot owned by
// a user) and saved the answer.
func warmStore(t *testing.T, srv *nt.Server, store IntegrationStore, tokens []string) {
	t.Helper()
	for _, tok := range tokens {
		p, err := New(Config{Token: tok, BaseURL: srv.URL, Transport: srv.Transport(), OneShot: true, Logger: slog.New(slog.DiscardHandler), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if in := p.Integration(context.Background(), diagnose.ProbeOptions{}); in.Me.Outcome != diagnose.OutcomeOK {
			t.Fatalf("warming the store: users/me %+v", in.Me)
		}
	}
}

// TestPlanCallsWarmCLI: a CLI run whose users/me answer an earlier run
// kept (Config.Store warm) makes the calls a running bot makes, kind by
// kind, and never asks users/me; a cold CLI run is TestPlanCalls's.
// Exact on the virtual clock; NOTION_MEASURE=1 prints the table with the
// averages over the nine kinds:
//
//	NOTION_MEASURE=1 go test ./diagnose/notion -run 'TestPlanCallsWarmCLI$' -v
func TestPlanCallsWarmCLI(t *testing.T) {
	t.Parallel()
	var lines []string
	var coldNine, warmNine, botNine []int
	for _, c := range measureCases() {
		var cold, warm, bot planRun
		synctest.Test(t, func(t *testing.T) { cold = runPlan(t, c.text, false) })
		synctest.Test(t, func(t *testing.T) { warm = runPlanWith(t, c.text, false, newMemStore()) })
		synctest.Test(t, func(t *testing.T) { bot = runPlan(t, c.text, true) })
		if warm.me != 0 {
			t.Errorf("%s: a warm CLI run asked users/me %d times", c.name, warm.me)
		}
		if warm.calls != bot.calls || warm.rounds > cold.rounds {
			t.Errorf("%s: warm CLI %d calls %d rounds; want the bot's %d calls, at most the cold CLI's %d rounds", c.name, warm.calls, warm.rounds, bot.calls, cold.rounds)
		}
		if warm.widest > 2 || warm.limited > 0 {
			t.Errorf("%s: warm CLI %d calls about one reference at once, %d 429s", c.name, warm.widest, warm.limited)
		}
		lines = append(lines, fmt.Sprintf("%-32s | %5d %6d | %5d %6d %6.2f | %5d %6d", c.name, cold.calls, cold.rounds, warm.calls, warm.rounds, warm.rtt, bot.calls, bot.rounds))
		if nineKinds(c.name) {
			coldNine, warmNine, botNine = append(coldNine, cold.calls), append(warmNine, warm.calls), append(botNine, bot.calls)
		}
	}
	if os.Getenv("NOTION_MEASURE") != "" {
		fmt.Printf("virtual clock, fake latency %v, shipped defaults; CLI warm: users/me answered by an earlier run (Config.Store)\n", planRTT)
		fmt.Printf("%-32s | %5s %6s | %5s %6s %6s | %5s %6s\n", "case", "CLI", "rounds", "warm", "rounds", "RTT", "bot", "rounds")
		for _, l := range lines {
			fmt.Println(l)
		}
		fmt.Printf("calls per question over the issue's nine kinds: CLI %.2f, CLI warm %.2f, bot %.2f\n", avg(coldNine), avg(warmNine), avg(botNine))
	}
}

// nineKinds reports whether the case named name is one of the issue's
// nine kinds (TestPlanCalls's averages).
func nineKinds(name string) bool {
	return !strings.Contains(name, "references in one text") && name != "database (bare ID)" && name != "unshared or missing (bare ID)"
}
