package ops

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func notSharedReport() diagnose.Report {
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusOK},
		Checks: []diagnose.Check{{
			ID:     "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
			Status: diagnose.StatusProblem,
			Findings: []diagnose.Finding{
				{Code: diagnose.CodeIDExtracted, Severity: diagnose.SeverityInfo},
				{Code: diagnose.CodeAccessNotShared, Severity: diagnose.SeverityError},
			},
			Evidence: []diagnose.Evidence{
				{Method: "GET", Path: "/v1/pages/1f2e", Status: 404, RequestID: "req-aaa"},
				{Method: "GET", Path: "/v1/databases/1f2e", Status: 404, RequestID: "req-bbb"},
			},
		}},
		APIVersion: "2025-09-03",
	}
}

func TestMetricsMove(t *testing.T) {
	tests := []struct {
		name string
		do   func(m *Metrics)
		want []string
	}{
		{
			name: "diagnosis counts findings by code",
			do:   func(m *Metrics) { m.Diagnosis(notSharedReport(), 120*time.Millisecond) },
			want: []string{
				`notion_check_findings_total{code="access.not_shared"} 1`,
				`notion_check_findings_total{code="id.extracted"} 1`,
				`notion_check_findings_total{code="token.invalid"} 0`,
				`notion_check_diagnoses_total 1`,
				`notion_check_diagnosis_duration_seconds_count 1`,
			},
		},
		{
			name: "two diagnoses",
			do: func(m *Metrics) {
				m.Diagnosis(notSharedReport(), time.Second)
				m.Diagnosis(notSharedReport(), time.Second)
			},
			want: []string{
				`notion_check_findings_total{code="access.not_shared"} 2`,
				`notion_check_diagnoses_total 2`,
			},
		},
		{
			name: "notion calls by endpoint family and status",
			do: func(m *Metrics) {
				m.NotionCall("pages", 404, 80*time.Millisecond)
				m.NotionCall("/v1/pages/1f2e3d4c5b6a47988a9b0c1d2e3f4a5b", 404, 90*time.Millisecond)
				m.NotionCall("GET https://api.notion.com/v1/users/me", 200, 50*time.Millisecond)
				m.NotionCall("databases", 0, time.Second)
				m.NotionCall("/v1/nonsense/abc", 400, time.Millisecond)
			},
			want: []string{
				`notion_check_notion_calls_total{endpoint="pages",integration="",status="404"} 2`,
				`notion_check_notion_calls_total{endpoint="users",integration="",status="200"} 1`,
				`notion_check_notion_calls_total{endpoint="databases",integration="",status="error"} 1`,
				`notion_check_notion_calls_total{endpoint="other",integration="",status="400"} 1`,
				`notion_check_notion_call_duration_seconds_count{endpoint="pages",integration=""} 2`,
				`notion_check_notion_call_duration_seconds_bucket{endpoint="pages",integration="",le="0.1"} 2`,
			},
		},
		{
			name: "429s and retries",
			do: func(m *Metrics) {
				m.NotionRateLimited("pages")
				m.NotionRetry("pages", 429)
				m.NotionRetry("blocks", 502)
			},
			want: []string{
				`notion_check_notion_rate_limited_total{endpoint="pages",integration=""} 1`,
				`notion_check_notion_retries_total{endpoint="pages",integration="",status="429"} 1`,
				`notion_check_notion_retries_total{endpoint="blocks",integration="",status="502"} 1`,
			},
		},
		{
			name: "slack acks and replies",
			do: func(m *Metrics) {
				m.Ack("slash_command", 30*time.Millisecond)
				m.Ack("events_api", 5*time.Millisecond)
				m.Ack("", time.Millisecond)
				m.Reply(true)
				m.Reply(true)
				m.Reply(false)
			},
			want: []string{
				`notion_check_slack_acks_total{kind="slash_command"} 1`,
				`notion_check_slack_acks_total{kind="events_api"} 1`,
				`notion_check_slack_acks_total{kind="unknown"} 1`,
				`notion_check_slack_ack_duration_seconds_count{kind="slash_command"} 1`,
				`notion_check_slack_replies_total{result="sent"} 2`,
				`notion_check_slack_replies_total{result="failed"} 1`,
			},
		},
		{
			name: "slack rate limits and shutdown outcomes",
			do: func(m *Metrics) {
				m.SlackRateLimited("chat.postMessage", 30*time.Second)
				m.Shutdown(3, 2, 1)
			},
			want: []string{
				`notion_check_slack_rate_limited_total{method="chat.postMessage"} 1`,
				`notion_check_shutdown_requests_total{outcome="answered"} 3`,
				`notion_check_shutdown_requests_total{outcome="stopped"} 2`,
				`notion_check_shutdown_requests_total{outcome="lost"} 1`,
			},
		},
		{
			name: "fresh metrics start at zero and carry runtime collectors",
			do:   func(*Metrics) {},
			want: []string{
				`notion_check_slack_replies_total{result="sent"} 0`,
				`notion_check_findings_total{code="access.not_shared"} 0`,
				`go_goroutines `,
				`process_`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMetrics() // private registry: no state shared between cases
			tt.do(m)
			body := scrape(t, m)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("/metrics lacks %q", w)
				}
			}
		})
	}
}

func TestNilMetricsIsNoop(t *testing.T) {
	var m *Metrics
	if m.Registry() != nil {
		t.Error("nil Metrics has a registry")
	}
	if a, b := NewMetrics(), NewMetrics(); a.Registry() == b.Registry() {
		t.Error("two Metrics share a registry")
	}
	m.NotionCall("pages", 200, time.Millisecond)
	m.NotionRetry("pages", 429)
	m.NotionRateLimited("pages")
	m.Diagnosis(notSharedReport(), time.Millisecond)
	m.Ack("events_api", time.Millisecond)
	m.Reply(false)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Fatalf("nil Metrics handler: status %d, want 404", rec.Code)
	}
}

func TestEndpointLabel(t *testing.T) {
	tests := map[string]string{
		"pages":                            "pages",
		"Pages":                            "pages",
		"/v1/data_sources/abc/query":       "data_sources",
		"POST /v1/databases/abc/query":     "databases",
		"https://api.notion.com/v1/search": "search",
		"https://api.notion.com":           "other",
		"v1/blocks/abc/children?x=1":       "blocks",
		"":                                 "other",
		"1f2e3d4c5b6a47988a9b0c1d2e3f4a5b": "other",
	}
	for in, want := range tests {
		if got := EndpointLabel(in); got != want {
			t.Errorf("EndpointLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
