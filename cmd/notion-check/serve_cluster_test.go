package main

import (
	"context"
	"log/slog"
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
