package notion

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// staleStore is a memStore whose entries come back under the names the
// integrations had before a rename: what the CLI's cache holds for up to
// its 24 h after someone renames the integration in Notion.
type staleStore struct {
	*memStore
	before map[string]string // the name now → the name when saved
}

func (s staleStore) Load(key string) (KnownToken, bool) {
	k, ok := s.memStore.Load(key)
	if old, renamed := s.before[k.Name]; ok && renamed {
		k.Name = old
	}
	return k, ok
}

// TestStoredNameRenewedWhenThePasteNamesAnother: a pasted error names an
// integration by its name now; the cache still holds the name from before
// a rename. The stored users/me is asked again, live, beside the probes
// (one round, as a cold run), and the diagnosis names and picks the
// integration by its name now, never saying the call was made by another
// integration. A paste that names the stored name costs no users/me.
func TestStoredNameRenewedWhenThePasteNamesAnother(t *testing.T) {
	t.Parallel()
	paste := func(id, name string) string {
		return fmt.Sprintf(`GET https://api.notion.com/v1/pages/%s
{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration \"%s\"."}`, id, id, name)
	}
	renamed := map[string]string{nt.IntegrationName: "Iris Checker (old)", nt.MarketingName: "Marketing Sync (old)"}
	cases := []struct {
		name   string
		text   string
		tokens []string
		before map[string]string
		// me is how many users/me calls the run makes, rounds its rounds.
		me, rounds int
		// as is the report's As ("" for a lone integration); integration
		// its integration's name.
		as, integration string
	}{{
		name: "one integration renamed", text: paste(nt.SharedPageID, nt.IntegrationName),
		tokens: []string{nt.GoodToken}, before: renamed,
		me: 1, rounds: 1, integration: nt.IntegrationName,
	}, {
		name: "two integrations renamed, the second named", text: paste(nt.MarketingOnlyPageID, nt.MarketingName),
		tokens: []string{nt.GoodToken, nt.MarketingToken}, before: renamed,
		me: 2, rounds: 1, as: nt.MarketingName, integration: nt.IntegrationName,
	}, {
		name: "not renamed: the stored name is the pasted one", text: paste(nt.SharedPageID, nt.IntegrationName),
		tokens: []string{nt.GoodToken}, before: map[string]string{},
		me: 0, rounds: 1, integration: nt.IntegrationName,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				run := runPlanWith(t, c.text, false, staleStore{newMemStore(), c.before}, c.tokens...)
				if run.me != c.me || run.rounds != c.rounds {
					t.Errorf("%d users/me calls in %d rounds, want %d in %d", run.me, run.rounds, c.me, c.rounds)
				}
				if run.rep.As != c.as || run.rep.Integration.Name != c.integration {
					t.Errorf("report as %q, integration %q; want %q, %q", run.rep.As, run.rep.Integration.Name, c.as, c.integration)
				}
				if out, err := json.Marshal(run.rep); err != nil || strings.Contains(string(out), "(old)") {
					t.Errorf("the report names an integration by its old name (%v): %s", err, out)
				}
				for _, ch := range run.rep.Checks {
					for _, f := range ch.Findings {
						if f.Code == diagnose.CodeCallNotReproduced && strings.Contains(f.Detail, "made by the integration") {
							t.Errorf("says the call was made by another integration: %s", f.Detail)
						}
					}
				}
			})
		})
	}
}

// TestBotRenewsAnOldNameWhenThePasteNamesAnother: a running bot learnt its
// integration's name at start; the integration is renamed in Notion. A
// paste naming it by its name now makes the bot ask users/me again, once,
// when what it knows is older than renewAfter, and the report names the
// integration as it is called now; later pastes cost no users/me. Within
// renewAfter the known name stands (no call). Exact on the virtual clock.
func TestBotRenewsAnOldNameWhenThePasteNamesAnother(t *testing.T) {
	t.Parallel()
	const now = "Iris Checker 2"
	paste := fmt.Sprintf(`{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration \"%s\"."}`, nt.UnsharedPageID, now)
	for _, c := range []struct {
		name string
		age  time.Duration
		// me is how many users/me calls the first and the second paste
		// make; named is the integration the first report names.
		me    [2]int
		named string
		// down makes users/me answer 503 after the start: the renewal
		// fails (the 503 and its one retry), what the bot knew stands, and
		// the next paste does not try again.
		down bool
	}{
		{"learnt 11 minutes ago", 11 * time.Minute, [2]int{1, 0}, now, false},
		{"learnt a minute ago", time.Minute, [2]int{0, 0}, nt.IntegrationName, false},
		{"learnt 11 minutes ago, users/me down now", 11 * time.Minute, [2]int{2, 0}, nt.IntegrationName, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := nt.NewServer(t, nt.WithLatency(planRTT), nt.InProcess())
				p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Transport: srv.Transport(), Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if in := p.Integration(ctx, diagnose.ProbeOptions{}); in.Name != nt.IntegrationName {
					t.Fatalf("users/me at start: %q", in.Name)
				}
				srv.Rename(now)
				if c.down {
					srv.AddFault(nt.Fault{PathPrefix: "/v1/users/me", Status: 503})
				}
				time.Sleep(c.age)
				d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
				for i := range 2 {
					srv.Reset()
					rep := d.Diagnose(ctx, paste, diagnose.Options{})
					if n := srv.CallsTo("/v1/users/me"); n != c.me[i] {
						t.Errorf("paste %d: %d users/me calls, want %d", i+1, n, c.me[i])
					}
					if i == 0 && (rep.Integration.Name != c.named || rep.Integration.Status != diagnose.StatusOK) {
						t.Errorf("the report names %q (%s), want %q (ok)", rep.Integration.Name, rep.Integration.Status, c.named)
					}
				}
			})
		})
	}
}
