package notion

import (
	"context"
	"fmt"
	"io"
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

// TestProberStore: a Prober with a store asks users/me only when the
// store has nothing, saves a complete answer (not one whose GET /v1/users
// was rate-limited), bypasses the store on Fresh, and drops the entry on
// any 401; the cached answer says it is not a live call.
func TestProberStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		token string
		// faults are the fake's before the second Prober's run.
		faults []nt.Fault
		fresh  bool
		// me is the second Prober's users/me calls; kept whether the store
		// still holds the entry after it.
		me   int
		kept bool
	}{
		{name: "warm", token: nt.GoodToken, me: 0, kept: true},
		{name: "warm personal", token: nt.PersonalToken, me: 0, kept: true},
		{name: "fresh asks again", token: nt.GoodToken, fresh: true, me: 1, kept: true},
		{name: "401 on a probe drops it", token: nt.GoodToken, faults: []nt.Fault{{PathPrefix: "/v1/blocks/", Status: 401, Code: "unauthorized", Message: "API token is invalid."}}, me: 0, kept: false},
		{name: "401 on users/me drops it", token: nt.GoodToken, fresh: true, faults: []nt.Fault{{Status: 401, Code: "unauthorized", Message: "API token is invalid."}}, me: 1, kept: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := nt.NewServer(t, nt.InProcess())
			store := newMemStore()
			mk := func() *Prober {
				p, err := New(Config{Token: tc.token, BaseURL: srv.URL, Transport: srv.Transport(), OneShot: true, Logger: slog.New(slog.DiscardHandler), Store: store})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			cold := mk().Integration(ctx, diagnose.ProbeOptions{})
			if store.saves != 1 || store.len() != 1 {
				t.Fatalf("after a cold users/me: %d saves, %d entries", store.saves, store.len())
			}
			for _, f := range tc.faults {
				srv.AddFault(f)
			}
			srv.Reset()
			p := mk()
			in, known := p.KnownIntegration()
			if tc.fresh {
				in = p.Integration(ctx, diagnose.ProbeOptions{Fresh: true})
			} else if !known {
				t.Fatal("KnownIntegration: nothing known from a warm store")
			}
			p.Probe(ctx, diagnose.Reference{ID: nt.SharedPageID}, diagnose.ProbeOptions{})
			if n := srv.CallsTo("/v1/users/me"); n != tc.me {
				t.Errorf("%d users/me calls, want %d", n, tc.me)
			}
			if (store.len() == 1) != tc.kept {
				t.Errorf("entry kept %v, want %v (%d drops)", store.len() == 1, tc.kept, store.drops)
			}
			if tc.fresh || tc.faults != nil {
				return
			}
			if diagnose.KindOf(in) != diagnose.KindOf(cold) || in.Name != cold.Name || in.Workspace != cold.Workspace || in.Me.Outcome != diagnose.OutcomeOK {
				t.Errorf("cached %+v, asked %+v", in, cold)
			}
			if len(in.Evidence) != 1 || in.Evidence[0].Status != 0 || !strings.Contains(in.Evidence[0].Message, "not sent") || !strings.Contains(in.Me.Why, "cache") {
				t.Errorf("a cached answer's evidence %+v, why %q: must say it came from the cache", in.Evidence, in.Me.Why)
			}
		})
	}
}

// TestProberStoreKeepsNoIncompleteAnswer: a bot owned by a user whose GET
// /v1/users got no answer of Notion's own (rate-limited past the deadline,
// unavailable) is not saved (its kind is untold), nor is a refused
// users/me.
func TestProberStoreKeepsNoIncompleteAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		token  string
		status int // answered to GET /v1/users (0: the fake's answer)
	}{
		{"users rate-limited", nt.PersonalToken, http.StatusTooManyRequests},
		{"users unavailable", nt.PersonalToken, http.StatusServiceUnavailable},
		{"users/me refused", nt.RevokedToken, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := nt.NewServer(t, nt.InProcess())
			fake := srv.Transport()
			tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.Path != "/v1/users" || tc.status == 0 {
					return fake.RoundTrip(r)
				}
				body := `{"object":"error","status":503,"code":"service_unavailable","message":"Notion is unavailable, please try again later."}`
				h := http.Header{"Content-Type": {"application/json"}}
				if tc.status == http.StatusTooManyRequests {
					body = `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes."}`
					h.Set("Retry-After", "600")
				}
				return &http.Response{StatusCode: tc.status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
			})
			store := newMemStore()
			var in diagnose.IntegrationInfo
			synctest.Test(t, func(t *testing.T) {
				p, err := New(Config{Token: tc.token, BaseURL: srv.URL, Transport: tr, OneShot: true, Logger: slog.New(slog.DiscardHandler), Store: store})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				in = p.Integration(ctx, diagnose.ProbeOptions{})
			})
			if tc.status != 0 && (in.Me.Outcome != diagnose.OutcomeOK || in.Users.Outcome == diagnose.OutcomeOK || in.Users.Outcome == diagnose.OutcomeForbidden) {
				t.Fatalf("users/me %s, users %s: not the case under test", in.Me.Outcome, in.Users.Outcome)
			}
			if store.saves != 0 || store.len() != 0 {
				t.Errorf("saved %d (users %s, users/me %s)", store.saves, in.Users.Outcome, in.Me.Outcome)
			}
		})
	}
}
