package notion

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// team is a fake Notion and one prober per integration token, each with
// its own budget, as serve and the CLI wire NOTION_TOKEN and NOTION_TOKENS.
type team struct {
	srv     *nt.Server
	probers []*Prober
}

func newTeam(t testing.TB, version string, tokens ...string) team {
	t.Helper()
	srv, tr := fakeNotion(t, nt.WithLatency(20*time.Millisecond))
	tm := team{srv: srv}
	for _, tok := range tokens {
		p, err := New(Config{Token: tok, BaseURL: srv.URL, Transport: tr, Version: version, Rate: 1000, Burst: 1000, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		tm.probers = append(tm.probers, p)
	}
	return tm
}

func (tm team) diagnoser() *diagnose.Diagnoser {
	cfg := diagnose.Config{Token: tm.probers[0].cfg.Token, Prober: tm.probers[0]}
	for _, p := range tm.probers[1:] {
		cfg.Others = append(cfg.Others, p)
	}
	return diagnose.New(cfg)
}

func reading(call *diagnose.Call, refs ...diagnose.Reference) diagnose.Reading {
	for i := range refs {
		if refs[i].Hint == "" {
			refs[i].Hint = diagnose.KindUnknown
		}
	}
	return diagnose.Reading{References: refs, Total: len(refs), Call: call}
}

// notFoundCall is a pasted 404 naming the integration that made it.
func notFoundCall(id, integration string) *diagnose.Call {
	msg := fmt.Sprintf("Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration %q.", id, integration)
	if integration == "" {
		msg = fmt.Sprintf("Could not find page with ID: %s. Make sure the relevant pages and databases are shared with your integration.", id)
	}
	return &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Status: 404, Code: "object_not_found", Message: msg, Integration: integration}
}

func accessLine(as []diagnose.Access) string {
	var parts []string
	for _, a := range as {
		mark := "✗"
		if a.Sees {
			mark = "✓"
		}
		parts = append(parts, a.Integration+" "+mark)
	}
	return strings.Join(parts, " · ")
}

func evidenceBy(c diagnose.Check) map[string]int {
	out := map[string]int{}
	for _, e := range c.Evidence {
		out[e.Integration]++
	}
	return out
}

// TestSeveralIntegrations runs whole diagnoses against the fake with the
// team's integrations (NOTION_TOKENS).
func TestSeveralIntegrations(t *testing.T) {
	all3 := []string{nt.GoodToken, nt.MarketingToken, nt.PersonalToken}
	tests := []struct {
		name     string
		tokens   []string
		version  string
		rd       diagnose.Reading
		opts     diagnose.Options
		status   diagnose.Status
		kind     diagnose.Kind
		codes    []diagnose.Code // the check's codes, in order
		integ    []diagnose.Code // the integration's codes
		access   string          // the Slack line of Check.Access
		asked    []string        // integrations whose evidence the check holds
		mention  []string
		absent   []string
		version2 string // the Notion-Version the fake must have seen on /v1/databases ("" no check)
	}{
		{name: "error names a configured integration: checked as it", tokens: all3,
			rd:     reading(notFoundCall(nt.SharedPageID, nt.MarketingName), ref(nt.SharedPageID, diagnose.KindPage, diagnose.EndpointPages)),
			status: diagnose.StatusProblem, codes: []diagnose.Code{diagnose.CodeAccessNotShared},
			// The others are asked too: more integrations never make the
			// answer less precise: Iris Checker sees it.
			access: "Marketing Sync ✗ · Iris Checker ✓ · Notion CLI ✓", asked: []string{nt.IntegrationName, nt.MarketingName, nt.PersonalName}, mention: []string{`add the integration "Marketing Sync"`, `"Iris Checker" can read it`}},
		{name: "error names an integration not configured, ours reads it", tokens: []string{nt.GoodToken},
			rd:     reading(notFoundCall(nt.SharedPageID, nt.MarketingName), ref(nt.SharedPageID, diagnose.KindPage, diagnose.EndpointPages)),
			status: diagnose.StatusProblem, kind: diagnose.KindPage, codes: []diagnose.Code{diagnose.CodeAccessOtherIntegration},
			access: "Iris Checker ✓", asked: []string{nt.IntegrationName}, mention: []string{`"Iris Checker" can read it`, `add "Marketing Sync"`}},
		{name: "error names a configured integration that sees it now: not reproduced", tokens: all3,
			rd:     reading(notFoundCall(nt.MarketingOnlyPageID, nt.MarketingName), ref(nt.MarketingOnlyPageID, diagnose.KindPage, diagnose.EndpointPages)),
			status: diagnose.StatusProblem, kind: diagnose.KindPage, codes: []diagnose.Code{diagnose.CodeCallNotReproduced, diagnose.CodeAccessOK},
			access: "Marketing Sync ✓ · Iris Checker ✗ · Notion CLI ✓", asked: []string{nt.IntegrationName, nt.MarketingName, nt.PersonalName}, mention: []string{"fixed since"}},
		{name: "no name: every integration asked once", tokens: all3,
			rd:     reading(nil, ref(nt.SharedPageID, "", "")),
			status: diagnose.StatusOK, kind: diagnose.KindPage, codes: []diagnose.Code{diagnose.CodeAccessOK},
			access: "Iris Checker ✓ · Marketing Sync ✗ · Notion CLI ✓", asked: []string{nt.IntegrationName, nt.MarketingName, nt.PersonalName}},
		{name: "no name: ours does not see it, another does", tokens: all3,
			rd:     reading(nil, ref(nt.MarketingOnlyPageID, "", "")),
			status: diagnose.StatusProblem, kind: diagnose.KindPage, codes: []diagnose.Code{diagnose.CodeAccessNotShared},
			access: "Iris Checker ✗ · Marketing Sync ✓ · Notion CLI ✓", mention: []string{`"Marketing Sync" can read it`}},
		{name: "--as checks only as that one", tokens: all3, opts: diagnose.Options{As: "marketing sync"},
			rd:     reading(nil, ref(nt.DatabaseID, diagnose.KindDatabase, "")),
			status: diagnose.StatusOK, kind: diagnose.KindDatabase, codes: []diagnose.Code{diagnose.CodeDatabaseDataSources, diagnose.CodeAccessOK},
			access: "Marketing Sync ✓", asked: []string{nt.MarketingName}},
		{name: "--as an unknown name checks nothing", tokens: all3, opts: diagnose.Options{As: "Nobody"},
			rd:     reading(nil, ref(nt.SharedPageID, "", "")),
			status: diagnose.StatusUnknown, codes: []diagnose.Code{}, integ: []diagnose.Code{diagnose.CodeTokenMissing}, mention: []string{}},
		{name: "personal access token: its creator's access, never Connections", tokens: []string{nt.PersonalToken},
			rd:     reading(nil, ref(nt.UnsharedPageID, "", "")),
			status: diagnose.StatusProblem, codes: []diagnose.Code{diagnose.CodeAccessNotShared}, integ: []diagnose.Code{diagnose.CodeTokenPersonal},
			access: "Notion CLI ✗", mention: []string{"personal access token"}, absent: []string{"Connections, and add"}},
		{name: "personal access token as the named integration", tokens: all3,
			rd:     reading(notFoundCall(nt.UnsharedPageID, nt.PersonalName), ref(nt.UnsharedPageID, diagnose.KindPage, diagnose.EndpointPages)),
			status: diagnose.StatusProblem, codes: []diagnose.Code{diagnose.CodeAccessNotShared, diagnose.CodeTokenPersonal},
			access: "Notion CLI ✗ · Iris Checker ✗ · Marketing Sync ✗", absent: []string{"Connections, and add"}},
		{name: "the call's Notion-Version is probed and named", tokens: []string{nt.GoodToken},
			rd: reading(&diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: nt.Version20220628, Status: 400, Code: "validation_error",
				Message: "Databases with multiple data sources are not supported in this API version."}, ref(nt.MultiDatabaseID, diagnose.KindDatabase, diagnose.EndpointDatabases)),
			status: diagnose.StatusProblem, kind: diagnose.KindDatabase,
			codes:  []diagnose.Code{diagnose.CodeErrorVersion, diagnose.CodeDatabaseMultipleSources, diagnose.CodeDatabaseDataSources},
			access: "NOTION_TOKEN ✓", mention: []string{"The call sent Notion-Version 2022-06-28"}, version2: nt.Version20220628},
		{name: "NOTION_VERSION=2022-06-28 and a two-source database: not all good", tokens: []string{nt.GoodToken}, version: nt.Version20220628,
			rd:     reading(nil, ref(nt.MultiDatabaseID, "", "")),
			status: diagnose.StatusProblem, kind: diagnose.KindDatabase,
			codes:  []diagnose.Code{diagnose.CodeErrorVersion, diagnose.CodeDatabaseMultipleSources, diagnose.CodeDatabaseDataSources},
			access: "NOTION_TOKEN ✓", mention: []string{"(NOTION_VERSION)"}},
		{name: "a failed call on a readable page: not reproduced, never all good", tokens: []string{nt.GoodToken},
			rd:     reading(notFoundCall(nt.SharedPageID, nt.IntegrationName), ref(nt.SharedPageID, diagnose.KindPage, diagnose.EndpointPages)),
			status: diagnose.StatusProblem, kind: diagnose.KindPage, codes: []diagnose.Code{diagnose.CodeCallNotReproduced, diagnose.CodeAccessOK},
			access: "Iris Checker ✓", mention: []string{"fixed since"}},
		{name: "a bare view ID is a view, never not shared", tokens: []string{nt.GoodToken},
			rd:     reading(nil, ref(nt.ViewID, "", "")),
			status: diagnose.StatusOK, kind: diagnose.KindView, codes: []diagnose.Code{diagnose.CodeKindView, diagnose.CodeAccessOK},
			access: "Iris Checker ✓", mention: []string{nt.DatabaseID, nt.DataSourceID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			onVirtualClock(t, func(t *testing.T) {
				tm := newTeam(t, tt.version, tt.tokens...)
				rep := tm.diagnoser().DiagnoseReading(ctxT(t, 10*time.Second), tt.rd, tt.opts)
				c := rep.Checks[0]
				kind := tt.kind
				if kind == "" {
					kind = tt.rd.References[0].Hint
				}
				if c.Status != tt.status || c.Kind != kind {
					t.Errorf("status %s kind %s, want %s %s", c.Status, c.Kind, tt.status, kind)
				}
				if got := codes(c.Findings); !slices.Equal(got, orEmptyCodes(tt.codes)) {
					t.Errorf("codes %v, want %v\n%s", got, tt.codes, allText(c.Findings))
				}
				if got := codes(rep.Integration.Findings); !slices.Equal(got, orEmptyCodes(tt.integ)) {
					t.Errorf("integration codes %v, want %v", got, tt.integ)
				}
				if got := accessLine(c.Access); got != tt.access {
					t.Errorf("access %q, want %q", got, tt.access)
				}
				by := evidenceBy(c)
				if tt.asked != nil {
					var got []string
					for name := range by {
						got = append(got, name)
					}
					slices.Sort(got)
					want := slices.Sorted(slices.Values(tt.asked))
					if !slices.Equal(got, want) {
						t.Errorf("asked %v, want %v", got, want)
					}
				}
				text := allText(c.Findings) + allText(rep.Integration.Findings)
				for _, m := range tt.mention {
					if !strings.Contains(text, m) {
						t.Errorf("findings do not mention %q:\n%s", m, text)
					}
				}
				for _, m := range tt.absent {
					if strings.Contains(text, m) {
						t.Errorf("findings mention %q:\n%s", m, text)
					}
				}
				if tt.version2 != "" {
					for _, call := range tm.srv.Calls() {
						if strings.HasPrefix(call.Path, "/v1/databases/") && call.Version != tt.version2 {
							t.Errorf("%s sent Notion-Version %q, want the call's %q", call.Path, call.Version, tt.version2)
						}
					}
				}
				// Each integration asked about the object at most once per
				// endpoint.
				seen := map[string]bool{}
				for _, e := range c.Evidence {
					k := e.Integration + " " + e.Path
					if seen[k] {
						t.Errorf("%s asked twice", k)
					}
					seen[k] = true
				}
			})
		})
	}
}

// TestUsersMeOncePerIntegration: a run asks users/me once per integration,
// in the same round as the probes; a second run (the bot) asks it no more.
func TestUsersMeOncePerIntegration(t *testing.T) { onVirtualClock(t, testUsersMeOncePerIntegration) }

func testUsersMeOncePerIntegration(t *testing.T) {
	tm := newTeam(t, "", nt.GoodToken, nt.MarketingToken, nt.PersonalToken)
	d := tm.diagnoser()
	ctx := ctxT(t, 10*time.Second)
	rd := reading(nil, ref(nt.SharedPageID, "", ""), ref(nt.DatabaseID, diagnose.KindDatabase, ""))
	d.DiagnoseReading(ctx, rd, diagnose.Options{})
	if n := tm.srv.CallsTo("/v1/users/me"); n != 3 {
		t.Fatalf("users/me asked %d times for 3 integrations", n)
	}
	// Times are exact on the virtual clock: every users/me went before the
	// first answer came (any later round is a probe's own).
	calls := tm.srv.Calls()
	first := calls[0].End
	for _, c := range calls {
		if c.End.Before(first) {
			first = c.End
		}
	}
	for _, c := range calls {
		if c.Path == "/v1/users/me" && !c.Start.Before(first) {
			t.Errorf("users/me of %s sent at %v, after the first answer (%v): not in the first round", c.Integration, c.Start, first)
		}
	}
	tm.srv.Reset()
	d.DiagnoseReading(ctx, reading(nil, ref(nt.RootPageID, "", "")), diagnose.Options{})
	if n := tm.srv.CallsTo("/v1/users/me"); n != 0 {
		t.Fatalf("users/me asked again (%d)", n)
	}
}

// TestNamedIntegrationInOneRound: a pasted error naming a configured
// integration, users/me not known yet (a CLI run): every integration's
// users/me goes beside the probes, in one round (not before them), and the
// check is judged as the one named, its 404 final since the others read
// the page. Times are exact on the virtual clock.
func TestNamedIntegrationInOneRound(t *testing.T) { onVirtualClock(t, testNamedIntegrationInOneRound) }

func testNamedIntegrationInOneRound(t *testing.T) {
	tm := newTeam(t, "", nt.GoodToken, nt.MarketingToken, nt.PersonalToken)
	rd := reading(notFoundCall(nt.SharedPageID, nt.MarketingName), ref(nt.SharedPageID, diagnose.KindPage, diagnose.EndpointPages))
	rep := tm.diagnoser().DiagnoseReading(ctxT(t, 10*time.Second), rd, diagnose.Options{})
	c := rep.Checks[0]
	if !diagnose.HasCode(c.Findings, diagnose.CodeAccessNotShared) || !strings.HasPrefix(accessLine(c.Access), "Marketing Sync ✗") {
		t.Errorf("codes %v access %q, want access.not_shared as Marketing Sync first", codes(c.Findings), accessLine(c.Access))
	}
	calls := tm.srv.Calls()
	if me := tm.srv.CallsTo("/v1/users/me"); me != 3 {
		t.Errorf("%d users/me calls, want 3", me)
	}
	// Every users/me and every integration's first probe went before the
	// first answer came: no round of users/me before the probes.
	first := calls[0].End
	for _, k := range calls {
		if k.End.Before(first) {
			first = k.End
		}
	}
	firsts := 0
	for _, k := range calls {
		if k.Path == "/v1/users/me" && !k.Start.Before(first) {
			t.Errorf("users/me of %s sent after the first answer", k.Integration)
		}
		if strings.HasPrefix(k.Path, "/v1/blocks/") && k.Start.Before(first) {
			firsts++
		}
	}
	if firsts != 3 {
		t.Errorf("%d integrations' blocks calls in the first round, want 3: %+v", firsts, calls)
	}
	// The others' blocks answers told a page: Marketing Sync's blocks 404
	// is final, with no data source or view call after it.
	if n := tm.srv.CallsTo("/v1/data_sources") + tm.srv.CallsTo("/v1/views"); n != 0 {
		t.Errorf("%d data source or view calls after the others told a page: %+v", n, calls)
	}
}

// TestFailedCallNeverAllGood: for every object of the fake world, a pasted
// failed call ends with an error finding, never "all good".
func TestFailedCallNeverAllGood(t *testing.T) { onVirtualClock(t, testFailedCallNeverAllGood) }

func testFailedCallNeverAllGood(t *testing.T) {
	tm := newTeam(t, "", nt.GoodToken)
	d := tm.diagnoser()
	ids := []string{nt.RootPageID, nt.SharedPageID, nt.UnsharedPageID, nt.TrashedPageID, nt.DatabaseID, nt.DataSourceID, nt.ViewID,
		nt.RowPageID, nt.MultiDatabaseID, nt.LinkedDatabaseID, nt.OrphanDatabaseID, nt.BlockID, nt.NestedBlockID, nt.MissingID, nt.MarketingOnlyPageID}
	for _, id := range ids {
		for _, call := range []*diagnose.Call{notFoundCall(id, ""), notFoundCall(id, nt.IntegrationName), notFoundCall(id, nt.MarketingName),
			{Status: 400, Code: "validation_error", Message: "body failed validation", NotionVersion: nt.Version20220628}} {
			rep := d.DiagnoseReading(ctxT(t, 10*time.Second), reading(call, ref(id, diagnose.KindPage, diagnose.EndpointPages)), diagnose.Options{})
			if c := rep.Checks[0]; c.Status == diagnose.StatusOK || !rep.HasError() {
				t.Errorf("%s with %+v: status %s codes %v", id, call, c.Status, codes(c.Findings))
			}
		}
	}
}

func orEmptyCodes(c []diagnose.Code) []diagnose.Code {
	if c == nil {
		return []diagnose.Code{}
	}
	return c
}

func allText(fs []diagnose.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(findingText(f) + "\n")
	}
	return b.String()
}
