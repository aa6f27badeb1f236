package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

type fixture struct {
	srv  *nt.Server
	p    *Prober
	logs *bytes.Buffer
}

func newFixture(t testing.TB, cfg Config, opts ...nt.Option) fixture {
	t.Helper()
	return fixtureOn(t, cfg, nt.NewServer(t, opts...), nil)
}

// fixtureOn builds the fixture's Prober for srv, reached through tr (nil:
// the adapter's own transport).
func fixtureOn(t testing.TB, cfg Config, srv *nt.Server, tr http.RoundTripper) fixture {
	t.Helper()
	logs := &syncBuffer{}
	cfg.BaseURL = srv.URL
	cfg.Transport = tr
	if cfg.Token == "" {
		cfg.Token = nt.GoodToken
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1000
		cfg.Burst = 1000
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{srv: srv, p: p, logs: &logs.Buffer}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func ref(id string, hint diagnose.Kind, ep diagnose.Endpoint) diagnose.Reference {
	if hint == "" {
		hint = diagnose.KindUnknown
	}
	return diagnose.Reference{Source: id, ID: id, Hint: hint, Endpoint: ep}
}

// linkRef is a web link's reference to id (a page, database or block).
func linkRef(id string) diagnose.Reference {
	return diagnose.Reference{Source: "https://www.notion.so/acme/Page-" + strings.ReplaceAll(id, "-", ""), Origin: diagnose.OriginLink, ID: id, Hint: diagnose.KindUnknown}
}

func codes(fs []diagnose.Finding) []diagnose.Code {
	out := []diagnose.Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// probeCalls counts the fake's calls other than users/me.
func probeCalls(srv *nt.Server) []nt.Call {
	var out []nt.Call
	for _, c := range srv.Calls() {
		if c.Path != "/v1/users/me" {
			out = append(out, c)
		}
	}
	return out
}

func findingText(f diagnose.Finding) string { return f.Detail + "\n" + strings.Join(f.Fix, "\n") }

func TestProbeVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		ref      diagnose.Reference
		kind     diagnose.Kind
		title    string
		done     bool
		codes    []diagnose.Code
		intCodes []diagnose.Code
		calls    int
		rounds   int
		mention  []string // strings the findings must hold
		related  []diagnose.Related
	}{
		{name: "shared page", ref: ref(nt.SharedPageID, "", ""), kind: diagnose.KindPage, title: nt.SharedPageTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessOK}, calls: 1, rounds: 1, mention: []string{"/v1/pages/" + nt.SharedPageID}},
		{name: "unshared page", ref: ref(nt.UnsharedPageID, "", ""), kind: diagnose.KindUnknown, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessNotShared}, calls: 3, rounds: 3,
			mention: []string{`"Iris Checker"`, `"Acme Corp"`, "••• (top right) → Connections", "private teamspace"}},
		{name: "unshared page link: one round", ref: linkRef(nt.UnsharedPageID), kind: diagnose.KindUnknown, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessNotShared}, calls: 1, rounds: 1},
		{name: "shared page link", ref: linkRef(nt.SharedPageID), kind: diagnose.KindPage, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "nonexistent", ref: ref(nt.MissingID, "", ""), kind: diagnose.KindUnknown, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessNotShared}, calls: 3, rounds: 3},
		{name: "trashed page", ref: ref(nt.TrashedPageID, "", ""), kind: diagnose.KindPage, title: nt.TrashedPageTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeObjectInTrash, diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "database bare ID", ref: ref(nt.DatabaseID, "", ""), kind: diagnose.KindDatabase, title: nt.DatabaseTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseDataSources, diagnose.CodeAccessOK}, calls: 2, rounds: 2,
			mention: []string{nt.DataSourceID, "/v1/data_sources/" + nt.DataSourceID + "/query"},
			related: []diagnose.Related{{Role: diagnose.KindDataSource, ID: nt.DataSourceID}}},
		{name: "database ?v= link (hint)", ref: ref(nt.DatabaseID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, title: nt.DatabaseTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseDataSources, diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "database with two data sources", ref: ref(nt.MultiDatabaseID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseMultipleSources, diagnose.CodeDatabaseDataSources, diagnose.CodeAccessOK}, calls: 1, rounds: 1,
			mention: []string{nt.MultiDataSourceID1, nt.MultiDataSourceID2}},
		{name: "linked database", ref: ref(nt.LinkedDatabaseID, "", ""), kind: diagnose.KindDatabase, title: nt.LinkedDatabaseTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseLinked}, calls: 2, rounds: 2, mention: []string{"is a linked database"}},
		{name: "database without reachable data source", ref: ref(nt.OrphanDatabaseID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, title: nt.OrphanDatabaseTitle, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseLinked}, calls: 1, rounds: 1, mention: []string{"lists no data source"}},
		{name: "2022 database without reachable data source", version: nt.Version20220628, ref: ref(nt.OrphanDatabaseID, "", ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseLinked}, calls: 2, rounds: 2, mention: []string{"does not contain any data sources accessible"}},
		{name: "block", ref: ref(nt.BlockID, "", ""), kind: diagnose.KindBlock, done: true,
			codes: []diagnose.Code{diagnose.CodeKindBlock, diagnose.CodeAccessOK}, calls: 1, rounds: 1,
			mention: []string{"To read the page, use its ID: " + nt.SharedPageID},
			related: []diagnose.Related{{Role: diagnose.KindPage, ID: nt.SharedPageID}}},
		{name: "nested block walks up", ref: ref(nt.NestedBlockID, "", ""), kind: diagnose.KindBlock, done: true,
			codes: []diagnose.Code{diagnose.CodeKindBlock, diagnose.CodeAccessOK}, calls: 2, rounds: 2,
			mention: []string{"To read the page, use its ID: " + nt.SharedPageID}},
		{name: "data source", ref: ref(nt.DataSourceID, "", ""), kind: diagnose.KindDataSource, title: nt.DataSourceName, done: true,
			codes: []diagnose.Code{diagnose.CodeKindDataSource, diagnose.CodeAccessOK}, calls: 2, rounds: 2,
			mention: []string{"Its database is " + nt.DatabaseID},
			related: []diagnose.Related{{Role: diagnose.KindDatabase, ID: nt.DatabaseID}}},
		{name: "data source used on databases", ref: ref(nt.DataSourceID, diagnose.KindDatabase, diagnose.EndpointDatabases), kind: diagnose.KindDataSource, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeKindDataSource}, calls: 3, rounds: 2,
			mention: []string{"call /v1/data_sources/" + nt.DataSourceID + " instead of /v1/databases/" + nt.DataSourceID, nt.DatabaseID}},
		{name: "database used on data_sources", ref: ref(nt.DatabaseID, "", diagnose.EndpointDataSources), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeDatabaseDataSources}, calls: 4, rounds: 3,
			mention: []string{"call /v1/data_sources/" + nt.DataSourceID + " instead of /v1/data_sources/" + nt.DatabaseID}},
		{name: "database used on pages", ref: ref(nt.DatabaseID, "", diagnose.EndpointPages), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeDatabaseDataSources}, calls: 2, rounds: 2,
			mention: []string{"This ID is a database: call /v1/databases/" + nt.DatabaseID + " instead of /v1/pages/" + nt.DatabaseID}},
		{name: "page used on databases", ref: ref(nt.SharedPageID, diagnose.KindDatabase, diagnose.EndpointDatabases), kind: diagnose.KindPage, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch}, calls: 2, rounds: 2,
			mention: []string{"This ID is a page: call /v1/pages/" + nt.SharedPageID + " instead of /v1/databases/" + nt.SharedPageID}},
		{name: "block used on pages", ref: ref(nt.BlockID, "", diagnose.EndpointPages), kind: diagnose.KindBlock, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeKindBlock}, calls: 1, rounds: 1,
			mention: []string{"call /v1/blocks/" + nt.BlockID + " instead of /v1/pages/" + nt.BlockID}},
		{name: "page on blocks fits", ref: ref(nt.SharedPageID, "", diagnose.EndpointBlocks), kind: diagnose.KindPage, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "view (hint)", ref: ref(nt.ViewID, diagnose.KindView, ""), kind: diagnose.KindView, done: true,
			codes: []diagnose.Code{diagnose.CodeKindView, diagnose.CodeAccessOK}, calls: 1, rounds: 1, mention: []string{"/v1/views/" + nt.ViewID, nt.DatabaseID}},
		{name: "unshared database hint tries data_sources", ref: ref(nt.UnsharedPageID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessNotShared}, calls: 4, rounds: 3},
		{name: "bare view ID resolves to its database", ref: ref(nt.ViewID, "", ""), kind: diagnose.KindView, done: true,
			codes: []diagnose.Code{diagnose.CodeKindView, diagnose.CodeAccessOK}, calls: 3, rounds: 3, mention: []string{nt.DatabaseID, nt.DataSourceID},
			related: []diagnose.Related{{Role: diagnose.KindDatabase, ID: nt.DatabaseID}, {Role: diagnose.KindDataSource, ID: nt.DataSourceID}}},
		{name: "view used on databases query", ref: ref(nt.ViewID, diagnose.KindDatabase, diagnose.EndpointDatabases), kind: diagnose.KindView, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeKindView}, calls: 4, rounds: 3, mention: []string{"/v1/data_sources/" + nt.DataSourceID + "/query"}},
		{name: "view as NOTION_DATABASE_ID", ref: ref(nt.ViewID, diagnose.KindDatabase, ""), kind: diagnose.KindView, done: true,
			codes: []diagnose.Code{diagnose.CodeEndpointMismatch, diagnose.CodeKindView}, calls: 4, rounds: 3},
		{name: "2026-03-11 trashed page (in_trash only)", version: nt.Version20260311, ref: ref(nt.TrashedPageID, "", ""), kind: diagnose.KindPage, done: true,
			codes: []diagnose.Code{diagnose.CodeObjectInTrash, diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "2026-03-11 database", version: nt.Version20260311, ref: ref(nt.MultiDatabaseID, "", ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseMultipleSources, diagnose.CodeDatabaseDataSources, diagnose.CodeAccessOK}, calls: 2, rounds: 2},

		// Notion-Version 2022-06-28.
		{name: "2022 page", version: nt.Version20220628, ref: ref(nt.SharedPageID, "", ""), kind: diagnose.KindPage, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessOK}, calls: 1, rounds: 1},
		{name: "2022 unshared", version: nt.Version20220628, ref: ref(nt.UnsharedPageID, "", ""), done: true,
			codes: []diagnose.Code{diagnose.CodeAccessNotShared}, calls: 3, rounds: 3},
		{name: "2022 database", version: nt.Version20220628, ref: ref(nt.DatabaseID, "", ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeAccessOK}, calls: 2, rounds: 2, mention: []string{"POST /v1/databases/" + nt.DatabaseID + "/query"}},
		{name: "2022 multi-source database", version: nt.Version20220628, ref: ref(nt.MultiDatabaseID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeErrorVersion, diagnose.CodeDatabaseMultipleSources, diagnose.CodeDatabaseDataSources}, calls: 1, rounds: 1,
			mention: []string{nt.MultiDataSourceID2, "Notion-Version 2022-06-28 (NOTION_VERSION)"}},
		{name: "2022 linked database", version: nt.Version20220628, ref: ref(nt.LinkedDatabaseID, diagnose.KindDatabase, ""), kind: diagnose.KindDatabase, done: true,
			codes: []diagnose.Code{diagnose.CodeDatabaseLinked}, calls: 1, rounds: 1},
		{name: "2022 data source is told, not 404", version: nt.Version20220628, ref: ref(nt.DataSourceID, "", ""), kind: diagnose.KindDataSource, done: true,
			codes: []diagnose.Code{diagnose.CodeKindDataSource, diagnose.CodeAccessOK}, calls: 2, rounds: 2, mention: []string{"2022-06-28"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Latency makes concurrent calls overlap, so rounds can be
			// counted from the fake's call log.
			f := newFixture(t, Config{Version: tt.version}, nt.WithLatency(50*time.Millisecond))
			ctx := ctxT(t, 10*time.Second)
			// users/me warm, as in a running bot.
			if info := integ(ctx, f.p, diagnose.ProbeOptions{}); info.Status != diagnose.StatusOK || info.Name != nt.IntegrationName || info.Workspace != nt.WorkspaceName {
				t.Fatalf("integration %+v", info)
			}
			f.srv.Reset()
			res := judgeRef(ctx, f.p, tt.ref, diagnose.ProbeOptions{})
			want := tt.kind
			if want == "" {
				want = diagnose.KindUnknown
			}
			if res.Kind != want || res.Done != tt.done {
				t.Errorf("kind %s done %v, want %s %v", res.Kind, res.Done, want, tt.done)
			}
			if tt.title != "" && res.Title != tt.title {
				t.Errorf("title %q, want %q", res.Title, tt.title)
			}
			if got := codes(res.Findings); !slices.Equal(got, tt.codes) {
				t.Errorf("codes %v, want %v\n%+v", got, tt.codes, res.Findings)
			}
			if got := codes(res.IntegrationFindings); len(got) != len(tt.intCodes) {
				t.Errorf("integration codes %v, want %v", got, tt.intCodes)
			}
			calls := probeCalls(f.srv)
			// Rounds are read off wall-clock overlaps at the fake: only a
			// measuring run asserts them (a loaded CI may start a call of
			// the same round a little late); calls are exact always.
			if len(calls) != tt.calls || measuring() && nt.Rounds(calls) > tt.rounds {
				t.Errorf("calls %d rounds %d, want %d %d: %+v", len(calls), nt.Rounds(calls), tt.calls, tt.rounds, calls)
			}
			if f.srv.CallsTo("/v1/users/me") != 0 {
				t.Errorf("users/me called again despite the cache")
			}
			if len(res.Evidence) != len(calls) {
				t.Errorf("evidence %d, calls %d", len(res.Evidence), len(calls))
			}
			for _, e := range res.Evidence {
				if e.RequestID == "" || e.Method != "GET" || !strings.HasPrefix(e.Path, "/v1/") || e.Status == 0 {
					t.Errorf("evidence %+v", e)
				}
			}
			var all strings.Builder
			for _, fd := range res.Findings {
				all.WriteString(findingText(fd) + "\n")
				if strings.Contains(findingText(fd), "{") && !strings.Contains(findingText(fd), `{"type"`) {
					t.Errorf("unfilled placeholder: %s", findingText(fd))
				}
			}
			for _, m := range tt.mention {
				if !strings.Contains(all.String(), m) {
					t.Errorf("findings do not mention %q:\n%s", m, all.String())
				}
			}
			for _, r := range tt.related {
				if !slices.Contains(res.Related, r) {
					t.Errorf("related %v lacks %v", res.Related, r)
				}
			}
			// Nothing the person did not link is revealed: titles of
			// other objects never appear.
			for _, other := range []string{nt.RootPageTitle, "Some text", "Hidden text", "Private plans"} {
				if strings.Contains(all.String(), other) || res.Title == other {
					t.Errorf("revealed %q", other)
				}
			}
		})
	}
}

func TestEvery404NotFromSharingIsNotNotShared(t *testing.T) {
	// Wrong endpoint on a shared object, version problems: Notion's 404s or
	// 400s here have other causes; access.not_shared must never appear.
	refs := []diagnose.Reference{
		ref(nt.DataSourceID, diagnose.KindDatabase, diagnose.EndpointDatabases),
		ref(nt.DataSourceID, "", diagnose.EndpointPages),
		ref(nt.DataSourceID, "", diagnose.EndpointBlocks),
		ref(nt.DatabaseID, "", diagnose.EndpointDataSources),
		ref(nt.SharedPageID, "", diagnose.EndpointDataSources),
		ref(nt.SharedPageID, diagnose.KindDatabase, diagnose.EndpointDatabases),
		ref(nt.ViewID, diagnose.KindView, ""),
		ref(nt.MultiDatabaseID, diagnose.KindDatabase, diagnose.EndpointDatabases),
		ref(nt.LinkedDatabaseID, diagnose.KindDatabase, diagnose.EndpointDatabases),
	}
	for _, version := range []string{nt.Version20250903, nt.Version20220628} {
		f := newFixture(t, Config{Version: version})
		for _, r := range refs {
			res := judgeRef(ctxT(t, 10*time.Second), f.p, r, diagnose.ProbeOptions{})
			if slices.Contains(codes(res.Findings), diagnose.CodeAccessNotShared) {
				t.Errorf("%s %s on %q: access.not_shared: %+v", version, r.ID, r.Endpoint, res.Findings)
			}
		}
	}
}

func TestOtherErrorsAreNotNotShared(t *testing.T) {
	// One endpoint says 404, the other something else: no verdict of
	// not shared, and the check stays unfinished.
	faults := []nt.Fault{
		{PathPrefix: "/v1/blocks/", Status: 400, Code: "validation_error", Message: "path failed validation: path.block_id should be a valid uuid, instead was `\"x\"`."},
		{PathPrefix: "/v1/blocks/", Status: 400, Code: "invalid_request_url", Message: "Invalid request URL."},
		{PathPrefix: "/v1/data_sources/", Status: 400, Code: "invalid_request_url", Message: "Invalid request URL."},
		{PathPrefix: "/v1/blocks/", Status: 404, Code: "not_found_elsewhere", Message: "Not here."},
		{PathPrefix: "/v1/blocks/", Status: 409, Code: "conflict_error", Message: "Conflict occurred while saving. Please try again."},
		{PathPrefix: "/v1/data_sources/", Status: 400, Code: "missing_version", Message: "Notion-Version header failed validation."},
	}
	for _, fault := range faults {
		f := newFixture(t, Config{}, nt.WithFault(fault))
		res := judgeRef(ctxT(t, 5*time.Second), f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{})
		if res.Done || slices.Contains(codes(res.Findings), diagnose.CodeAccessNotShared) {
			t.Errorf("%s %d %s: %+v", fault.PathPrefix, fault.Status, fault.Code, res)
		}
	}
}

func TestNotSharedWithoutUsersMe(t *testing.T) {
	// users/me is down: the integration's name still comes from the 404
	// message, so the main fix step (Connections) is not dropped.
	f := newFixture(t, Config{}, nt.WithFault(nt.Fault{PathPrefix: "/v1/users/me", Status: 503}))
	res := judgeRef(ctxT(t, 5*time.Second), f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{})
	if !slices.Equal(codes(res.Findings), []diagnose.Code{diagnose.CodeAccessNotShared}) || !res.Done {
		t.Fatalf("%+v", res)
	}
	fix := strings.Join(res.Findings[0].Fix, "\n")
	if !strings.Contains(fix, `add the integration "Iris Checker"`) || strings.Contains(fix, "workspace that holds") {
		t.Fatalf("fix: %s", fix)
	}
	if got := diagnose.IntegrationInMessage(`Could not find page with ID: x. Make sure the relevant pages and databases are shared with your integration.`); got != "" {
		t.Fatalf("old message gave %q", got)
	}
}

func TestMalformedIDMakesNoCall(t *testing.T) {
	f := newFixture(t, Config{})
	for _, id := range []string{"", "None", "undefined", strings.ToUpper(nt.SharedPageID), strings.ReplaceAll(nt.SharedPageID, "-", ""),
		nt.SharedPageID[:35], nt.SharedPageID + "0", "3d47810f380f-80d7-a001-000000000002-", "\"" + nt.SharedPageID[1:35] + "\"",
		"https://www.notion.so/" + nt.SharedPageID, nt.SharedPageID[:35] + "g"} {
		res := f.p.Probe(context.Background(), diagnose.Reference{ID: id}, diagnose.ProbeOptions{})
		if len(res.Answers) != 0 || len(res.Evidence) != 0 {
			t.Errorf("%q: %+v", id, res)
		}
	}
	if n := len(f.srv.Calls()); n != 0 {
		t.Fatalf("%d calls for malformed IDs", n)
	}
}

func TestTokenAndCapability(t *testing.T) {
	t.Run("revoked", func(t *testing.T) {
		f := newFixture(t, Config{Token: nt.RevokedToken})
		info := integ(context.Background(), f.p, diagnose.ProbeOptions{})
		if info.Usable || info.Status != diagnose.StatusProblem || !slices.Equal(codes(info.Findings), []diagnose.Code{diagnose.CodeTokenInvalid}) {
			t.Fatalf("%+v", info)
		}
		res := judgeRef(context.Background(), f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
		if res.Done || !slices.Equal(codes(res.IntegrationFindings), []diagnose.Code{diagnose.CodeTokenInvalid}) || len(res.Findings) != 0 {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("no read capability", func(t *testing.T) {
		f := newFixture(t, Config{Token: nt.NoReadToken})
		info := integ(context.Background(), f.p, diagnose.ProbeOptions{})
		if !info.Usable || info.Status != diagnose.StatusOK {
			t.Fatalf("%+v", info)
		}
		for _, id := range []string{nt.SharedPageID, nt.UnsharedPageID} {
			res := judgeRef(context.Background(), f.p, ref(id, "", ""), diagnose.ProbeOptions{})
			if res.Done || !slices.Equal(codes(res.IntegrationFindings), []diagnose.Code{diagnose.CodeAccessCapability}) || len(res.Findings) != 0 {
				t.Fatalf("%+v", res)
			}
		}
	})
}

// inTwoSeconds in a Fault's RetryAfter stands for an HTTP-date two
// seconds after the test's start.
const inTwoSeconds = "(an HTTP-date 2 s ahead)"

func TestFailuresAreNeverVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		fault    nt.Fault
		deadline time.Duration
		code     diagnose.Code
		done     bool
		blocks   int // calls to /v1/blocks/ expected (-1: don't check)
	}{
		{"503 always: one retry then unavailable", nt.Fault{PathPrefix: "/v1/blocks/", Status: 503}, 5 * time.Second, diagnose.CodeNotionUnavailable, false, 2},
		{"500 once: retried, verdict", nt.Fault{PathPrefix: "/v1/blocks/", Status: 500, Times: 1}, 5 * time.Second, diagnose.CodeAccessOK, true, 2},
		{"502 always", nt.Fault{PathPrefix: "/v1/", Status: 502}, 5 * time.Second, diagnose.CodeNotionUnavailable, false, 2},
		{"504 always", nt.Fault{PathPrefix: "/v1/blocks/", Status: 504}, 5 * time.Second, diagnose.CodeNotionUnavailable, false, 2},
		{"429 once, Retry-After 1: waited, verdict", nt.Fault{PathPrefix: "/v1/blocks/", Status: 429, RetryAfter: "1", Times: 1}, 5 * time.Second, diagnose.CodeAccessOK, true, 2},
		{"529 once, HTTP-date 2 s ahead: waited, verdict", nt.Fault{PathPrefix: "/v1/blocks/", Status: 529, RetryAfter: inTwoSeconds, Times: 1}, 5 * time.Second, diagnose.CodeAccessOK, true, 2},
		{"529 once, HTTP-date in the past: verdict", nt.Fault{PathPrefix: "/v1/blocks/", Status: 529, RetryAfter: "Sat, 01 Jan 1994 00:00:00 GMT", Times: 1}, 5 * time.Second, diagnose.CodeAccessOK, true, 2},
		// users/me's own 429 may pause the integration before blocks goes
		// (then blocks is never sent): the count is not checked.
		{"429 past the deadline", nt.Fault{PathPrefix: "/v1/", Status: 429, RetryAfter: "30"}, 2 * time.Second, diagnose.CodeNotionRateLimited, false, -1},
		{"529 past the deadline", nt.Fault{PathPrefix: "/v1/", Status: 529, RetryAfter: "30"}, 2 * time.Second, diagnose.CodeNotionRateLimited, false, -1},
		{"HTML edge error", nt.Fault{PathPrefix: "/v1/", Status: 403, Edge: true}, 5 * time.Second, diagnose.CodeNotionUnavailable, false, -1},
		{"HTML edge 404", nt.Fault{PathPrefix: "/v1/", Status: 404, Edge: true}, 5 * time.Second, diagnose.CodeNotionUnavailable, false, 1},
		{"slow answer past the deadline", nt.Fault{PathPrefix: "/v1/blocks/", Delay: 3 * time.Second}, 500 * time.Millisecond, diagnose.CodeNotionUnavailable, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			onVirtualClock(t, func(t *testing.T) {
				for _, id := range []string{nt.SharedPageID, nt.UnsharedPageID} {
					fault := tt.fault
					start := time.Now()
					if fault.RetryAfter == inTwoSeconds {
						fault.RetryAfter = start.Add(2 * time.Second).UTC().Format(http.TimeFormat)
					}
					f := virtualFixture(t, Config{}, nt.WithFault(fault))
					res := judgeRef(ctxT(t, tt.deadline), f.p, ref(id, "", ""), diagnose.ProbeOptions{})
					if tt.fault.RetryAfter == inTwoSeconds && time.Since(start) < time.Second {
						t.Errorf("%s: the HTTP-date Retry-After was not waited: verdict after %v", id, time.Since(start))
					}
					if slices.Contains(codes(res.Findings), diagnose.CodeAccessNotShared) && !tt.done {
						t.Fatalf("%s: access.not_shared from a failure: %+v", id, res)
					}
					if !tt.done || id == nt.SharedPageID {
						if res.Done != tt.done || !slices.Contains(codes(res.Findings), tt.code) {
							t.Errorf("%s: done %v codes %v, want %v %s", id, res.Done, codes(res.Findings), tt.done, tt.code)
						}
					}
					if tt.blocks >= 0 && f.srv.CallsTo("/v1/blocks/") != tt.blocks {
						t.Errorf("%s: %d calls to blocks, want %d", id, f.srv.CallsTo("/v1/blocks/"), tt.blocks)
					}
				}
			})
		})
	}
	t.Run("own pacing past the deadline", func(t *testing.T) {
		onVirtualClock(t, func(t *testing.T) {
			f := virtualFixture(t, Config{Rate: 0.2, Burst: 1})
			res := judgeRef(ctxT(t, time.Second), f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{})
			if res.Done || !slices.Equal(codes(res.Findings), []diagnose.Code{diagnose.CodeNotionRateLimited}) {
				t.Fatalf("%+v", res)
			}
			if n := len(f.srv.Calls()); n > 1 {
				t.Fatalf("%d calls went out with a budget of 1", n)
			}
		})
	})
	t.Run("connection refused", func(t *testing.T) {
		f := newFixture(t, Config{})
		f.srv.Close()
		res := judgeRef(ctxT(t, 5*time.Second), f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
		if res.Done || !slices.Equal(codes(res.Findings), []diagnose.Code{diagnose.CodeNotionUnavailable}) {
			t.Fatalf("%+v", res)
		}
		info := integ(ctxT(t, 5*time.Second), f.p, diagnose.ProbeOptions{})
		if info.Status != diagnose.StatusUnknown || !info.Usable {
			t.Fatalf("%+v", info)
		}
	})
}

func TestSharedFlightsAndCache(t *testing.T) { onVirtualClock(t, testSharedFlightsAndCache) }

func testSharedFlightsAndCache(t *testing.T) {
	f := virtualFixture(t, Config{}, nt.WithLatency(50*time.Millisecond))
	ctx := ctxT(t, 10*time.Second)
	integ(ctx, f.p, diagnose.ProbeOptions{})
	integ(ctx, f.p, diagnose.ProbeOptions{})
	if n := f.srv.CallsTo("/v1/users/me"); n != 1 {
		t.Fatalf("users/me called %d times", n)
	}
	f.srv.Reset()
	var wg sync.WaitGroup
	results := make([]judged, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = judgeRef(ctx, f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
		}()
	}
	wg.Wait()
	// One probe: blocks, which tells a page (no guess: the fixture grants
	// none).
	if n := len(probeCalls(f.srv)); n != 1 {
		t.Fatalf("8 identical probes in flight made %d calls, want 1", n)
	}
	for _, r := range results {
		if !r.Done || r.Kind != diagnose.KindPage || len(r.Evidence) != 1 {
			t.Fatalf("%+v", r)
		}
	}
	// Cached, with its evidence.
	r := judgeRef(ctx, f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
	if n := len(probeCalls(f.srv)); n != 1 || len(r.Evidence) != 1 {
		t.Fatalf("cache missed: %d calls, evidence %d", n, len(r.Evidence))
	}
	// Mutating a result must not touch the cache.
	r.Findings[0].Detail = "changed"
	if r2 := judgeRef(ctx, f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{}); r2.Findings[0].Detail == "changed" {
		t.Fatal("cache shares memory with results")
	}
	// A re-check bypasses it.
	judgeRef(ctx, f.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{Fresh: true})
	if n := len(probeCalls(f.srv)); n != 2 {
		t.Fatalf("fresh probe: %d calls, want 2", n)
	}
	// A different endpoint is a different verdict (databases: "is a page",
	// then blocks).
	judgeRef(ctx, f.p, ref(nt.SharedPageID, "", diagnose.EndpointDatabases), diagnose.ProbeOptions{})
	if n := len(probeCalls(f.srv)); n != 4 {
		t.Fatalf("other endpoint: %d calls, want 4", n)
	}
	// Sharing the page and checking again (Fresh) turns the verdict.
	if r := judgeRef(ctx, f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{}); r.Findings[0].Code != diagnose.CodeAccessNotShared {
		t.Fatalf("%+v", r)
	}
	f.srv.Share(nt.UnsharedPageID)
	if r := judgeRef(ctx, f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{}); r.Findings[0].Code != diagnose.CodeAccessNotShared {
		t.Fatalf("cached verdict expected: %+v", r)
	}
	if r := judgeRef(ctx, f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{Fresh: true}); r.Kind != diagnose.KindPage || r.Findings[0].Code != diagnose.CodeAccessOK {
		t.Fatalf("after sharing: %+v", r)
	}
	// Unfinished verdicts are not cached.
	f.srv.AddFault(nt.Fault{PathPrefix: "/v1/blocks/", Status: 503})
	judgeRef(ctx, f.p, ref(nt.BlockID, "", ""), diagnose.ProbeOptions{})
	f.srv.ClearFaults()
	if r := judgeRef(ctx, f.p, ref(nt.BlockID, "", ""), diagnose.ProbeOptions{}); !r.Done {
		t.Fatalf("failure was cached: %+v", r)
	}
}

func TestTenReferencesUnderRateLimit(t *testing.T) {
	onVirtualClock(t, testTenReferencesUnderRateLimit)
}

func testTenReferencesUnderRateLimit(t *testing.T) {
	// The fake allows 3 req/s on average with a burst of 10 (Notion allows
	// bursts above its average); the prober runs with its defaults (3 req/s
	// paced at 90%, burst 10).
	srv, tr := fakeNotion(t, nt.WithRateLimit(3, 10))
	p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Transport: tr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{nt.RootPageID, nt.SharedPageID, nt.UnsharedPageID, nt.TrashedPageID, nt.DatabaseID,
		nt.MultiDatabaseID, nt.LinkedDatabaseID, nt.BlockID, nt.DataSourceID, nt.MissingID}
	ctx := ctxT(t, 30*time.Second)
	if info := integ(ctx, p, diagnose.ProbeOptions{}); !info.Usable {
		t.Fatalf("%+v", info)
	}
	var wg sync.WaitGroup
	results := make([]judged, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = judgeRef(ctx, p, ref(id, "", ""), diagnose.ProbeOptions{})
		}()
	}
	wg.Wait()
	for i, r := range results {
		if !r.Done {
			t.Errorf("%s not done: %+v", ids[i], r.Findings)
		}
		// Evidence is attributed to the probe that made it.
		for _, e := range r.Evidence {
			if !strings.HasSuffix(e.Path, "/"+ids[i]) {
				t.Errorf("%s: evidence of another probe: %+v", ids[i], e)
			}
		}
	}
	if n := srv.Count429(); n > 0 {
		t.Fatalf("the fake answered %d 429s (want none)", n)
	}
	t.Logf("%d calls", len(srv.Calls()))
}

// measuring reports whether NOTION_MEASURE=1 asks for the measuring tests
// and for wall-time figures (onVirtualClock then runs on the real clock).
func measuring() bool { return os.Getenv("NOTION_MEASURE") != "" }

func TestHooksUseFamilies(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	retries := 0
	hooks := Hooks{
		OnCall: func(ep string, status int, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			seen[ep]++
		},
		OnRetry: func(ep string, status int) {
			mu.Lock()
			defer mu.Unlock()
			retries++
		},
	}
	f := newFixture(t, Config{Hooks: hooks}, nt.WithFault(nt.Fault{PathPrefix: "/v1/databases/", Status: 503, Times: 1}))
	ctx := ctxT(t, 10*time.Second)
	integ(ctx, f.p, diagnose.ProbeOptions{})
	judgeRef(ctx, f.p, ref(nt.DatabaseID, "", ""), diagnose.ProbeOptions{})
	mu.Lock()
	defer mu.Unlock()
	// A bare ID: blocks says child_database, then databases (503 once,
	// retried).
	want := map[string]int{"users/me": 1, "blocks": 1, "databases": 2}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("%s: %d calls, want %d (%v)", k, seen[k], v, seen)
		}
	}
	if len(seen) != len(want) || retries != 1 {
		t.Errorf("labels %v retries %d", seen, retries)
	}
	// OnRateLimited when a 429 does not fit before the deadline.
	limited := map[string]int{}
	h := newFixture(t, Config{Hooks: Hooks{OnRateLimited: func(ep string) {
		mu.Lock()
		defer mu.Unlock()
		limited[ep]++
	}}}, nt.WithFault(nt.Fault{PathPrefix: "/v1/blocks/", Status: 429, RetryAfter: "60"}))
	mu.Unlock()
	judgeRef(ctxT(t, 2*time.Second), h.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
	mu.Lock()
	if limited["blocks"] != 1 || len(limited) != 1 {
		t.Errorf("OnRateLimited: %v", limited)
	}
	// And when a 429 is retried: every rate-limiting answer counts.
	clear(limited)
	r := newFixture(t, Config{Hooks: Hooks{OnRateLimited: func(ep string) {
		mu.Lock()
		defer mu.Unlock()
		limited[ep]++
	}}}, nt.WithFault(nt.Fault{PathPrefix: "/v1/blocks/", Status: 429, RetryAfter: "0", Times: 1}))
	mu.Unlock()
	if res := judgeRef(ctxT(t, 5*time.Second), r.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{}); !res.Done {
		t.Errorf("a retried 429 should still give a verdict: %+v", res.Findings)
	}
	mu.Lock()
	if limited["blocks"] != 1 || len(limited) != 1 {
		t.Errorf("OnRateLimited after a retried 429: %v", limited)
	}
	// No nil-hook panic.
	g := newFixture(t, Config{})
	judgeRef(ctx, g.p, ref(nt.SharedPageID, "", ""), diagnose.ProbeOptions{})
}

func TestEvidenceJSON(t *testing.T) {
	f := newFixture(t, Config{})
	res := judgeRef(ctxT(t, 5*time.Second), f.p, ref(nt.UnsharedPageID, "", ""), diagnose.ProbeOptions{})
	b, _ := json.Marshal(res.Evidence)
	for _, want := range []string{`"method":"GET"`, `"path":"/v1/blocks/` + nt.UnsharedPageID + `"`, `"status":404`, `"code":"object_not_found"`, `"request_id":"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("evidence %s lacks %s", b, want)
		}
	}
	if bytes.Contains(b, []byte("127.0.0.1")) || bytes.Contains(b, []byte("http")) {
		t.Errorf("evidence holds a host: %s", b)
	}
}

// TestProbeAllSpendsOnlySpareBudget: ProbeAll sends every needed call of
// a text's references and sends a guess (a speculative call) only with
// evidence that the budget has room: a rate granted for guesses
// (Config.SpeculativeRate), answers accepted and no 429 for a while, and
// budget left after the needed calls. Counts only: four bare IDs of
// objects that blocks alone decides (no later round), users/me cached.
func TestProbeAllSpendsOnlySpareBudget(t *testing.T) {
	ids := []string{nt.SharedPageID, nt.TrashedPageID, nt.RowPageID, nt.BlockID}
	refs := func(n int) []diagnose.Reference {
		var out []diagnose.Reference
		for _, id := range ids[:n] {
			out = append(out, ref(id, "", ""))
		}
		return out
	}
	for _, tt := range []struct {
		name       string
		burst      int
		guessRate  float64
		limited    bool // a 429 came just before
		refs       int
		calls, spc int // all probe calls; data_sources among them
	}{
		{"no rate granted for guesses: needed calls only", 12, 0, false, 4, 4, 0},
		{"bucket just holds the needed calls", 4, 100, false, 4, 4, 0},
		{"room for one more", 5, 100, false, 4, 5, 1},
		{"room for all", 12, 100, false, 4, 8, 4},
		{"the guesses' own rate bounds them", 12, 2, false, 4, 6, 2},
		{"a 429 a moment ago: needed calls only", 12, 100, true, 4, 4, 0},
		{"one reference", 4, 100, false, 1, 2, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			onVirtualClock(t, func(t *testing.T) {
				f := virtualFixture(t, Config{Rate: DefaultRate, Burst: tt.burst, OneShot: true, SpeculativeRate: tt.guessRate})
				ctx := ctxT(t, 30*time.Second)
				// Evidence of room: answers accepted (users/me, fresh each time).
				for range firstFlight {
					integ(ctx, f.p, diagnose.ProbeOptions{Fresh: true})
				}
				// users/me took tokens: wait until the bucket is full again
				// (a count, not a timing assertion: spare is read from it).
				for f.p.pacer().spare(0) < tt.burst {
					if ctx.Err() != nil {
						t.Fatalf("the bucket never refilled: spare %d of %d", f.p.pacer().spare(0), tt.burst)
					}
					time.Sleep(20 * time.Millisecond)
				}
				if tt.limited {
					// A pause that ended just now: within guessQuiet.
					pc := f.p.pacer()
					pc.mu.Lock()
					pc.until = pc.now()
					pc.mu.Unlock()
				}
				f.srv.Reset()
				res := f.p.ProbeAll(ctx, refs(tt.refs), diagnose.ProbeOptions{})
				for i, r := range res {
					if !complete(r) {
						t.Errorf("ref %d incomplete: %+v", i, r.Answers)
					}
				}
				calls := probeCalls(f.srv)
				spec := f.srv.CallsTo("/v1/data_sources/") + f.srv.CallsTo("/v1/views/")
				if len(calls) != tt.calls || spec != tt.spc || f.srv.CallsTo("/v1/blocks/") != tt.refs {
					t.Errorf("%d calls (%d speculative, %d blocks), want %d (%d, %d)", len(calls), spec, f.srv.CallsTo("/v1/blocks/"), tt.calls, tt.spc, tt.refs)
				}
			})
		})
	}
}
