package ops

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestHealthz(t *testing.T) {
	s := NewServer(":0", NewMetrics(), &Readiness{}, nil)
	code, body := get(t, s.Handler(), "/healthz")
	if code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz = %d %q, want 200 ok", code, body)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		slack      *bool
		notion     *bool
		wantCode   int
		wantInBody string
	}{
		{"before anything", nil, nil, 503, "slack: socket mode not connected; notion: token not checked yet"},
		{"slack connected only", ptr(true), nil, 503, "notion: token not checked yet"},
		{"notion ok only", nil, ptr(true), 503, "slack: socket mode not connected"},
		{"token rejected", ptr(true), ptr(false), 503, `notion "NOTION_TOKEN": token refused by Notion (401): replace NOTION_TOKEN`},
		{"connected and token ok", ptr(true), ptr(true), 200, "ready"},
		{"disconnected again", ptr(false), ptr(true), 503, "slack: socket mode not connected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Readiness{}
			if tt.slack != nil {
				if !*tt.slack {
					r.SetSlackConnected(true)
				}
				r.SetSlackConnected(*tt.slack)
			}
			if tt.notion != nil {
				r.SetNotionTokenOK(*tt.notion)
			}
			s := NewServer(":0", nil, r, nil)
			code, body := get(t, s.Handler(), "/readyz")
			if code != tt.wantCode || !strings.Contains(body, tt.wantInBody) {
				t.Fatalf("/readyz = %d %q, want %d containing %q", code, body, tt.wantCode, tt.wantInBody)
			}
		})
	}
}

func TestReadyzFlipsAfterConnect(t *testing.T) {
	r := &Readiness{}
	h := NewServer("", nil, r, nil).Handler()
	if code, _ := get(t, h, "/readyz"); code != 503 {
		t.Fatalf("before connect: %d, want 503", code)
	}
	r.SetNotionTokenOK(true)
	r.SetSlackConnected(true)
	if code, _ := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("after connect: %d, want 200", code)
	}
}

func TestMetricsRouteMovesWithDiagnosis(t *testing.T) {
	m := NewMetrics()
	h := NewServer(":0", m, nil, nil).Handler()
	_, before := get(t, h, "/metrics")
	if !strings.Contains(before, `notion_check_findings_total{code="access.not_shared"} 0`) {
		t.Fatalf("before: findings counter not at 0")
	}
	m.Diagnosis(notSharedReport(), 200*time.Millisecond)
	m.NotionCall("pages", 404, 100*time.Millisecond)
	code, after := get(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics status %d", code)
	}
	for _, w := range []string{
		`notion_check_findings_total{code="access.not_shared"} 1`,
		`notion_check_diagnoses_total 1`,
		`notion_check_notion_calls_total{endpoint="pages",integration="",status="404"} 1`,
	} {
		if !strings.Contains(after, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
}

func TestNoMetricsRouteWithoutMetrics(t *testing.T) {
	if code, _ := get(t, NewServer(":0", nil, nil, nil).Handler(), "/metrics"); code != 404 {
		t.Fatalf("/metrics without Metrics: %d, want 404", code)
	}
}

func TestHealthcheck(t *testing.T) {
	okSrv := httptest.NewServer(NewServer(":0", nil, nil, nil).Handler())
	defer okSrv.Close()
	badSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer badSrv.Close()
	slowSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slowSrv.Close()

	// A port nobody listens on: open a listener, note its address, close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()

	tests := []struct {
		name    string
		url     string
		client  *http.Client
		wantErr bool
	}{
		{"200", okSrv.URL + "/healthz", nil, false},
		{"503", badSrv.URL + "/healthz", nil, true},
		{"404", okSrv.URL + "/nope", nil, true},
		{"connection refused", refused, nil, true},
		{"timeout", slowSrv.URL + "/healthz", &http.Client{Timeout: 100 * time.Millisecond}, true},
		{"bad url", "://", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Healthcheck(context.Background(), tt.url, tt.client)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Healthcheck(%s) = %v, wantErr %v", tt.url, err, tt.wantErr)
			}
		})
	}
}

func TestServeLifecycle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	r := &Readiness{}
	s := NewServer(addr, NewMetrics(), r, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeListener(ctx, ln) }()

	url, err := HealthzURL(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := Healthcheck(context.Background(), url, nil); err != nil {
		t.Fatalf("healthcheck against a live listener: %v", err)
	}
	if err := Healthcheck(context.Background(), strings.Replace(url, "healthz", "readyz", 1), nil); err == nil {
		t.Fatalf("readyz answered 200 before connect")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(7 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if err := Healthcheck(context.Background(), url, nil); err == nil {
		t.Fatal("healthcheck succeeded after shutdown")
	}
}

func TestServeDisabled(t *testing.T) {
	for _, addr := range []string{"", "off", " OFF "} {
		s := NewServer(addr, nil, nil, nil)
		if s.Enabled() {
			t.Errorf("addr %q: enabled", addr)
		}
		if err := s.Serve(context.Background()); err != nil {
			t.Errorf("addr %q: Serve = %v, want nil at once", addr, err)
		}
	}
}

func TestServeListenError(t *testing.T) {
	s := NewServer("256.0.0.1:bad", nil, nil, nil)
	if err := s.Serve(context.Background()); err == nil {
		t.Fatal("Serve on a bad address returned nil")
	}
}

func TestHealthzURL(t *testing.T) {
	tests := []struct {
		addr, want string
		wantErr    bool
	}{
		{":8080", "http://127.0.0.1:8080/healthz", false},
		{"0.0.0.0:9090", "http://127.0.0.1:9090/healthz", false},
		{"[::]:8080", "http://127.0.0.1:8080/healthz", false},
		{"localhost:81", "http://localhost:81/healthz", false},
		{"10.1.2.3:8080", "http://10.1.2.3:8080/healthz", false},
		{"off", "", true},
		{"", "", true},
		{"8080", "", true},
	}
	for _, tt := range tests {
		got, err := HealthzURL(tt.addr)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("HealthzURL(%q) = %q, %v; want %q, err %v", tt.addr, got, err, tt.want, tt.wantErr)
		}
	}
}

func ptr[T any](v T) *T { return &v }
