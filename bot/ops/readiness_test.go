package ops

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReadyzTellsRefusedFromUnreachable: a token Notion refused (401) and a
// Notion that could not be reached read differently, each naming its
// integration, and only "ok" for every integration is ready.
func TestReadyzTellsRefusedFromUnreachable(t *testing.T) {
	tests := []struct {
		name     string
		set      func(r *Readiness)
		wantCode int
		want     []string
		wantNot  []string
	}{
		{
			name: "unreachable is not refused",
			set: func(r *Readiness) {
				r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionUnreachable, "no usable answer from GET /v1/users/me")
			},
			wantCode: 503,
			want:     []string{`notion "Iris Checker": Notion unreachable, re-checking (the token may be fine)`, "users/me"},
			wantNot:  []string{"refused", "replace"},
		},
		{
			name:     "refused names the variable to replace",
			set:      func(r *Readiness) { r.SetNotion("NOTION_TOKENS entry 2", "", NotionRefused, "") },
			wantCode: 503,
			want:     []string{`notion "NOTION_TOKENS entry 2": token refused by Notion (401): replace NOTION_TOKENS entry 2`},
			wantNot:  []string{"unreachable"},
		},
		{
			name: "one of two integrations unreachable",
			set: func(r *Readiness) {
				r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionOK, "")
				r.SetNotion("NOTION_TOKENS entry 1", "Marketing Sync", NotionUnreachable, "")
			},
			wantCode: 503,
			want:     []string{`notion "Marketing Sync": Notion unreachable`},
			wantNot:  []string{"Iris Checker"},
		},
		{
			name: "every integration ok",
			set: func(r *Readiness) {
				r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionOK, "")
				r.SetNotion("NOTION_TOKENS entry 1", "Marketing Sync", NotionOK, "")
			},
			wantCode: 200,
			want:     []string{"ready", `notion "Iris Checker": ok`, `notion "Marketing Sync": ok`},
		},
		{
			name: "the name learnt later is kept",
			set: func(r *Readiness) {
				r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionOK, "")
				r.SetNotion("NOTION_TOKEN", "", NotionUnreachable, "")
			},
			wantCode: 503,
			want:     []string{`notion "Iris Checker": Notion unreachable`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Readiness{}
			r.SetSlackConnected(true)
			tt.set(r)
			code, body := get(t, NewServer(":0", nil, r, nil).Handler(), "/readyz")
			if code != tt.wantCode {
				t.Errorf("/readyz = %d %q, want %d", code, body, tt.wantCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("/readyz body %q lacks %q", body, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("/readyz body %q holds %q", body, w)
				}
			}
		})
	}
}

// TestMetricsPerIntegration: Notion calls and the readiness state carry an
// integration label.
func TestMetricsPerIntegration(t *testing.T) {
	m := NewMetrics()
	r := &Readiness{}
	m.RegisterReadiness(r)
	r.SetNotion("NOTION_TOKEN", "Iris Checker", NotionOK, "")
	r.SetNotion("NOTION_TOKENS entry 1", "", NotionRefused, "")
	m.Integration("Iris Checker").NotionCall("pages", 200, time.Millisecond)
	m.IntegrationFunc(func() string { return r.Label("NOTION_TOKENS entry 1") }).NotionRateLimited("blocks")
	out := scrape(t, m)
	for _, w := range []string{
		`notion_check_notion_calls_total{endpoint="pages",integration="Iris Checker",status="200"} 1`,
		`notion_check_notion_rate_limited_total{endpoint="blocks",integration="NOTION_TOKENS entry 1"} 1`,
		`notion_check_notion_integration_state{integration="Iris Checker",state="ok"} 1`,
		`notion_check_notion_integration_state{integration="Iris Checker",state="unreachable"} 0`,
		`notion_check_notion_integration_state{integration="NOTION_TOKENS entry 1",state="refused"} 1`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	var nilM *Metrics
	nilM.Integration("x").NotionCall("pages", 200, 0) // no panic
}

// scriptedCheck answers a NotionWatch from a script, one answer per call,
// and tells the test of each call.
type scriptedCheck struct {
	mu     sync.Mutex
	answer []NotionState
	calls  chan NotionState
}

func (s *scriptedCheck) check(ctx context.Context) (NotionState, string, string) {
	s.mu.Lock()
	st := NotionOK
	if len(s.answer) > 0 {
		st, s.answer = s.answer[0], s.answer[1:]
	}
	s.mu.Unlock()
	select {
	case s.calls <- st:
	case <-ctx.Done():
	}
	name := ""
	if st == NotionOK {
		name = "Iris Checker"
	}
	return st, name, "scripted"
}

// TestNotionWatchRechecksUntilItKnows: while Notion is unreachable the
// watch asks again by itself (no diagnosis needed) until Notion tells, then
// stops asking until Recheck.
func TestNotionWatchRechecksUntilItKnows(t *testing.T) {
	r := &Readiness{}
	r.SetSlackConnected(true)
	sc := &scriptedCheck{answer: []NotionState{NotionUnreachable, NotionUnreachable, NotionOK, NotionRefused}, calls: make(chan NotionState)}
	w := NewNotionWatch(r, "NOTION_TOKEN", sc.check, Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond, Spacing: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() {
		cancel()
		<-done
	}()

	next := func() NotionState {
		t.Helper()
		select {
		case st := <-sc.calls:
			return st
		case <-time.After(30 * time.Second): // a hang guard only
			t.Fatal("the watch did not ask Notion")
			return 0
		}
	}
	for i, want := range []NotionState{NotionUnreachable, NotionUnreachable, NotionOK} {
		if got := next(); got != want {
			t.Fatalf("check %d answered %v, want %v", i+1, got, want)
		}
	}
	// Known: no further call until Recheck. The OK is recorded once the
	// call returns; wait for it.
	waitReady(t, r, true)
	select {
	case st := <-sc.calls:
		t.Fatalf("the watch asked again (%v) with nothing to re-check", st)
	default:
	}
	w.Recheck()
	if got := next(); got != NotionRefused {
		t.Fatalf("after Recheck: %v, want refused", got)
	}
	waitReady(t, r, false)
	if _, why := r.Ready(); !strings.Contains(why, "token refused") || !strings.Contains(why, "Iris Checker") {
		t.Errorf("/readyz reason %q, want the refused token of Iris Checker", why)
	}
}

func waitReady(t *testing.T, r *Readiness, want bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if ok, _ := r.Ready(); ok == want {
			return
		}
		if time.Now().After(deadline) { // a hang guard only
			t.Fatalf("readiness never became %v", want)
		}
	}
}
