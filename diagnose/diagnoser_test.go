package diagnose

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// stubProber answers every probe with fixed observations and counts calls.
type stubProber struct {
	mu     sync.Mutex
	probes []string
	info   IntegrationInfo
	// answer builds the observations of one reference.
	answer func(ref Reference) ProbeResult
}

func (p *stubProber) Integration(context.Context, ProbeOptions) IntegrationInfo { return p.info }
func (p *stubProber) APIVersion() string                                        { return "2025-09-03" }
func (p *stubProber) Probe(_ context.Context, ref Reference, _ ProbeOptions) ProbeResult {
	p.mu.Lock()
	p.probes = append(p.probes, ref.ID)
	p.mu.Unlock()
	if p.answer == nil {
		return ProbeResult{}
	}
	return p.answer(ref)
}

// pageAnswer observes a shared page.
func pageAnswer(ref Reference) ProbeResult {
	return ProbeResult{Version: "2025-09-03", Answers: []Answer{
		{Family: EndpointBlocks, ID: ref.ID, Outcome: OutcomeOK, Status: 200, Object: &Object{Object: "block", BlockType: "child_page", Parent: Parent{Type: "workspace"}}},
	}}
}

// notFoundAnswer observes 404 everywhere.
func notFoundAnswer(ref Reference) ProbeResult {
	res := ProbeResult{Version: "2025-09-03"}
	for _, f := range []Endpoint{EndpointBlocks, EndpointDatabases, EndpointDataSources, EndpointViews} {
		res.Answers = append(res.Answers, Answer{Family: f, ID: ref.ID, Outcome: OutcomeNotFound, Status: 404, Code: "object_not_found"})
	}
	return res
}

var okMe = Answer{Family: EndpointUsers, Outcome: OutcomeOK, Status: 200}

const goodToken = "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"

func TestDiagnoseStatuses(t *testing.T) {
	ok := &stubProber{
		info:   IntegrationInfo{Name: "Iris", Workspace: "Acme", Me: okMe},
		answer: pageAnswer,
	}
	unavailable := &stubProber{
		info: IntegrationInfo{Me: okMe},
		answer: func(ref Reference) ProbeResult {
			return ProbeResult{Answers: []Answer{{Family: EndpointBlocks, ID: ref.ID, Outcome: OutcomeUnavailable, Status: 503, Why: "503"}}}
		},
	}
	// With a revoked token every probe fails with 401 too; whatever it
	// says is dropped in favour of the one integration finding.
	revoked := &stubProber{
		info:   IntegrationInfo{Me: Answer{Family: EndpointUsers, Outcome: OutcomeUnauthorized, Status: 401, Code: "unauthorized"}},
		answer: notFoundAnswer,
	}
	for _, tc := range []struct {
		name       string
		cfg        Config
		opts       Options
		text       string
		integ      Status
		status     Status
		kind       Kind
		probes     int
		hasError   bool
		integCodes []Code
	}{
		{"no token", Config{}, Options{}, hexA, StatusMissing, StatusUnknown, KindUnknown, 0, false, []Code{CodeTokenMissing}},
		{"offline with token", Config{Token: goodToken, Prober: ok}, Options{Offline: true}, hexA, StatusUnknown, StatusUnknown, KindUnknown, 0, false, nil},
		{"malformed token", Config{Token: "Bearer " + goodToken, Prober: ok}, Options{}, hexA, StatusProblem, StatusUnknown, KindUnknown, 0, true, []Code{CodeTokenMalformed}},
		{"online ok", Config{Token: goodToken, Prober: ok}, Options{}, hexA, StatusOK, StatusOK, KindPage, 1, false, nil},
		{"malformed id makes no call", Config{Token: goodToken, Prober: ok}, Options{}, hexA[:30], StatusOK, StatusProblem, KindUnknown, 0, true, nil},
		{"missing id makes no call", Config{Token: goodToken, Prober: ok}, Options{}, "None", StatusOK, StatusProblem, KindUnknown, 0, true, nil},
		{"not content makes no call", Config{Token: goodToken, Prober: ok}, Options{}, "https://google.com/" + hexA, StatusOK, StatusProblem, KindUnknown, 0, true, nil},
		{"notion unavailable", Config{Token: goodToken, Prober: unavailable}, Options{}, hexA, StatusOK, StatusUnknown, KindUnknown, 1, false, nil},
		{"revoked token drops probe answers", Config{Token: goodToken, Prober: revoked}, Options{}, hexA, StatusProblem, StatusUnknown, KindUnknown, 1, true, []Code{CodeTokenInvalid}},
		{"view link offline kind", Config{}, Options{}, "https://www.notion.so/" + hexA + "?v=" + hexV, StatusMissing, StatusUnknown, KindDatabase, 0, false, []Code{CodeTokenMissing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, ok := tc.cfg.Prober.(*stubProber); ok {
				p.probes = nil
			}
			rep := New(tc.cfg).Diagnose(context.Background(), tc.text, tc.opts)
			if rep.Integration.Status != tc.integ {
				t.Errorf("integration status %q, want %q", rep.Integration.Status, tc.integ)
			}
			if got := codesOf(rep.Integration.Findings); fmt.Sprint(got) != fmt.Sprint(orEmpty(tc.integCodes)) {
				t.Errorf("integration codes %v, want %v", got, tc.integCodes)
			}
			if len(rep.Checks) != 1 {
				t.Fatalf("%d checks", len(rep.Checks))
			}
			c := rep.Checks[0]
			if c.Status != tc.status || c.Kind != tc.kind {
				t.Errorf("check status %q kind %q, want %q %q", c.Status, c.Kind, tc.status, tc.kind)
			}
			if p, ok := tc.cfg.Prober.(*stubProber); ok && len(p.probes) != tc.probes {
				t.Errorf("%d probes, want %d", len(p.probes), tc.probes)
			}
			if rep.HasError() != tc.hasError {
				t.Errorf("HasError = %v, want %v", rep.HasError(), tc.hasError)
			}
			if HasCode(c.Findings, CodeAccessNotShared) {
				t.Error("a probe answer was kept although the token is unusable")
			}
			if c.Related == nil || c.Evidence == nil || c.Findings == nil {
				t.Error("related, evidence and findings must be empty lists, not null")
			}
		})
	}
}

func TestDiagnoseSkipsBeyondMax(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 25; i++ {
		fmt.Fprintf(&b, "https://www.notion.so/P-%032x ", i+1)
	}
	p := &stubProber{info: IntegrationInfo{Me: okMe}, answer: pageAnswer}
	rep := New(Config{Token: goodToken, Prober: p, MaxChecks: 4}).Diagnose(context.Background(), b.String(), Options{})
	if len(rep.Checks) != 4 || rep.Skipped != 21 || len(p.probes) != 4 {
		t.Fatalf("checks %d skipped %d probes %d; want 4, 21, 4", len(rep.Checks), rep.Skipped, len(p.probes))
	}
	last := rep.Checks[3]
	if !HasCode(last.Findings, CodeInputSkipped) || !strings.Contains(last.Findings[len(last.Findings)-1].Detail, "21 were skipped") {
		t.Errorf("want an input.skipped finding saying 21 were skipped: %+v", last.Findings)
	}
}

func orEmpty(c []Code) []Code {
	if c == nil {
		return []Code{}
	}
	return c
}

// TestFindingTable: every documented finding code is in the one table, with a
// severity as documented, a title and at least one fix step; and every
// placeholder a step uses is a simple name.
func TestFindingTable(t *testing.T) {
	spec := map[Code]Severity{
		"id.missing": "error", "id.malformed": "error", "id.extracted": "info", "link.view": "warning",
		"link.peek": "info", "link.block": "info", "link.not_content": "error", "token.missing": "warning",
		"token.malformed": "error", "token.invalid": "error", "token.leaked": "error", "access.ok": "info",
		"access.not_shared": "error", "access.capability": "error", "endpoint.mismatch": "error",
		"kind.block": "warning", "kind.data_source": "info", "database.data_sources": "info",
		"database.multiple_sources": "warning", "database.linked": "error", "object.in_trash": "warning",
		"notion.rate_limited": "warning", "notion.unavailable": "warning",
	}
	for code, sev := range spec {
		row, ok := Spec(code)
		if !ok {
			t.Errorf("%s missing from the table", code)
			continue
		}
		if row.Severity != sev {
			t.Errorf("%s severity %q, the contract says %q", code, row.Severity, sev)
		}
	}
	placeholder := regexp.MustCompile(`\{([a-z_]+)\}`)
	for _, code := range AllCodes() {
		row, _ := Spec(code)
		if row.Title == "" || len(row.Fix) == 0 {
			t.Errorf("%s has no title or fix", code)
		}
		for _, step := range row.Fix {
			for _, m := range placeholder.FindAllStringSubmatch(step, -1) {
				if strings.ToLower(m[1]) != m[1] {
					t.Errorf("%s: odd placeholder %q", code, m[0])
				}
			}
		}
	}
}

func TestNewFindingDropsStepsWithoutValues(t *testing.T) {
	f := NewFinding(CodeLinkView, "d", Vars{"database": idA})
	for _, s := range f.Fix {
		if strings.Contains(s, "{view}") || strings.Contains(s, "{database}") {
			t.Errorf("unfilled step %q", s)
		}
	}
	if len(f.Fix) != 1 || !strings.Contains(f.Fix[0], idA) {
		t.Errorf("fix = %q, want the one step naming the database", f.Fix)
	}
	// JSON braces in a step are text, not placeholders.
	g := NewFinding(CodeDatabaseDataSources, "d", Vars{"data_source": idB})
	if !strings.Contains(strings.Join(g.Fix, " "), `{"type":"data_source_id","data_source_id":"`+idB+`"}`) {
		t.Errorf("JSON step mangled: %q", g.Fix)
	}
}
