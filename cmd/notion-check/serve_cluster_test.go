package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestBudgetTransportSpeaksThePacersTerms: under the shared budget of
// several replicas, a speculative call takes only a slot free now or is
// dropped (no call, no evidence), and a needed call that gets no shared
// slot before its deadline ends "rate limited", not "unavailable". The
// shared budget here holds one slot per 1000 s; the prober's own pacing is
// out of the way (one-shot, a large burst).
func TestBudgetTransportSpeaksThePacersTerms(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shared, err := cluster.New(ctx, cluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	budget := shared.Budget(cluster.BudgetConfig{Integration: cluster.IntegrationID(notiontest.GoodToken), Rate: 0.001, Burst: 1})
	fake := notiontest.NewServer(t)
	p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: fake.URL, Rate: 1000, Burst: 100, OneShot: true,
		Transport: newBudgetTransport(budget), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}

	// A bare ID: blocks is needed, data_sources, views and databases are
	// speculative. The one shared slot goes to blocks; the others are
	// dropped, and blocks alone decides a page.
	res := p.Probe(ctx, diagnose.Reference{Source: notiontest.SharedPageID, ID: notiontest.SharedPageID, Hint: diagnose.KindUnknown}, diagnose.ProbeOptions{})
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("%d calls reached Notion, want 1 (blocks): %+v", n, fake.Calls())
	}
	if len(res.Answers) != 1 || res.Answers[0].Family != diagnose.EndpointBlocks || res.Answers[0].Outcome != diagnose.OutcomeOK || len(res.Evidence) != 1 {
		t.Fatalf("answers %+v evidence %+v, want blocks 200 only", res.Answers, res.Evidence)
	}

	// No slot left: a needed call whose deadline comes first is rate
	// limited.
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	defer cancelShort()
	res = p.Probe(short, diagnose.Reference{Source: notiontest.BlockID, ID: notiontest.BlockID, Hint: diagnose.KindBlock}, diagnose.ProbeOptions{})
	if len(res.Answers) == 0 || res.Answers[0].Outcome != diagnose.OutcomeRateLimited {
		t.Fatalf("answers %+v, want blocks rate_limited", res.Answers)
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("%d calls reached Notion, want still 1", n)
	}
}

// pauseRecorder is a cluster.Budget that always has a slot and records the
// pauses asked of it.
type pauseRecorder struct {
	d     []time.Duration
	scope []cluster.Scope
}

func (b *pauseRecorder) Wait(context.Context) error              { return nil }
func (b *pauseRecorder) TryTake(context.Context) bool            { return true }
func (b *pauseRecorder) PausedFor(context.Context) time.Duration { return 0 }
func (b *pauseRecorder) Pause(_ context.Context, d time.Duration, scope cluster.Scope) {
	b.d, b.scope = append(b.d, d), append(b.scope, scope)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBudgetTransportPausesLikeTheAdapter: the replicas' shared budget
// pauses for what one process's pacer would: Retry-After in every HTTP form,
// clamped to ten minutes (86400 must not hold every replica for a day), and
// the workspace-wide reason in any case holds the workspace.
func TestBudgetTransportPausesLikeTheAdapter(t *testing.T) {
	t.Parallel()
	reason := func(r string) string {
		return `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"x","additional_data":{"rate_limit_reason":"` + r + `"}}`
	}
	inAMinute := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		body       string
		min, max   time.Duration
		scope      cluster.Scope
	}{
		{"whole seconds", 429, "2", reason("public_api_request_rate_limit"), 2 * time.Second, 2 * time.Second, cluster.ScopeIntegration},
		{"a day is ten minutes", 429, "86400", reason("public_api_space_request_rate_limit"), 10 * time.Minute, 10 * time.Minute, cluster.ScopeWorkspace},
		{"decimal", 529, "1.5", `{"object":"error","status":529,"code":"service_overload","message":"Notion is temporarily overloaded. Please try again later.","request_id":"x"}`, 1500 * time.Millisecond, 1500 * time.Millisecond, cluster.ScopeIntegration},
		{"HTTP-date", 429, inAMinute, reason("public_api_request_rate_limit"), 55 * time.Second, time.Minute, cluster.ScopeIntegration},
		{"garbage", 429, "soon", reason("public_api_request_rate_limit"), time.Second, time.Second, cluster.ScopeIntegration},
		{"upper-case workspace reason", 429, "30", reason("PUBLIC_API_SPACE_REQUEST_RATE_LIMIT"), 30 * time.Second, 30 * time.Second, cluster.ScopeWorkspace},
	} {
		// Not in parallel: a subtest waiting for a free slot would find
		// inAMinute already less than a minute away.
		t.Run(tt.name, func(t *testing.T) {
			budget := &pauseRecorder{}
			tr := budgetTransport{budget: budget, base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				h := http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Retry-After": {tt.retryAfter}}
				return &http.Response{StatusCode: tt.status, Header: h, Body: io.NopCloser(strings.NewReader(tt.body)), Request: r}, nil
			})}
			req := httptest.NewRequest(http.MethodGet, "https://api.notion.com/v1/blocks/x", nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != tt.body {
				t.Errorf("the body passed on is %q, want Notion's", b)
			}
			if len(budget.d) != 1 || budget.d[0] < tt.min || budget.d[0] > tt.max || budget.scope[0] != tt.scope {
				t.Fatalf("paused %v scope %v, want %v..%v scope %v", budget.d, budget.scope, tt.min, tt.max, tt.scope)
			}
		})
	}
}
