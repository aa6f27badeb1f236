package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
)

// Fake credentials of every shape the redaction must catch. They are built
// at run time so that no token-shaped literal sits in the source.
var (
	fakeNotion  = "ntn_" + strings.Repeat("A1b2", 11) + "xy"
	fakeLegacy  = "secret_" + strings.Repeat("Zq9", 10)
	fakeBot     = "xoxb-" + "1234567890-0987654321-" + strings.Repeat("b", 24)
	fakeApp     = "xapp-" + "1-A0123-4567-" + strings.Repeat("c", 30)
	fakeBearer  = "abcdefghij.klmnop-qrst"
	fakeOddball = "hunter2-not-shaped-like-a-token" // a configured secret of no known shape
)

func allFakes() []string {
	return []string{fakeNotion, fakeLegacy, fakeBot, fakeApp, fakeBearer, fakeOddball}
}

type stringer string

func (s stringer) String() string { return string(s) }

type payload struct {
	Header string
	Inner  struct{ Token string }
}

func assertClean(t *testing.T, out string) {
	t.Helper()
	for _, s := range allFakes() {
		if strings.Contains(out, s) {
			t.Errorf("output holds secret %q:\n%s", s[:6]+"…", out)
		}
	}
	// Fragments too: a masked token must not leave its body behind.
	for _, frag := range []string{"A1b2A1b2", "Zq9Zq9", "bbbbbbbbbbbb", "cccccccccccc", "klmnop", "hunter2"} {
		if strings.Contains(out, frag) {
			t.Errorf("output holds secret fragment %q:\n%s", frag, out)
		}
	}
}

func TestLoggerRedacts(t *testing.T) {
	type logFn func(l *slog.Logger)
	tests := []struct {
		name string
		fn   logFn
	}{
		{"message", func(l *slog.Logger) { l.Info("token is " + fakeNotion) }},
		{"legacy in message", func(l *slog.Logger) { l.Warn("token " + fakeLegacy + " rejected") }},
		{"string attr", func(l *slog.Logger) { l.Info("x", "token", fakeBot) }},
		{"attr key", func(l *slog.Logger) { l.Info("x", fakeApp, 1) }},
		{"odd argument (bad key)", func(l *slog.Logger) { args := []any{fakeApp}; l.Info("x", args...) }},
		{"bearer header", func(l *slog.Logger) { l.Info("x", "header", "Authorization: Bearer "+fakeBearer) }},
		{"bearer in message", func(l *slog.Logger) { l.Error("sent Bearer " + fakeBearer) }},
		{"configured secret", func(l *slog.Logger) { l.Info("x", "v", "value="+fakeOddball) }},
		{"configured secret in message", func(l *slog.Logger) { l.Info(fakeOddball) }},
		{"group", func(l *slog.Logger) {
			l.Info("x", slog.Group("req", slog.String("auth", "Bearer "+fakeBearer), slog.Group("deep", "t", fakeNotion)))
		}},
		{"WithGroup name and attrs", func(l *slog.Logger) {
			l.WithGroup("g-"+fakeOddball).Info("x", "t", fakeLegacy)
		}},
		{"With attrs", func(l *slog.Logger) { l.With("token", fakeNotion, slog.Group("s", "b", fakeBot)).Info("x") }},
		{"error", func(l *slog.Logger) {
			l.Error("failed", "err", fmt.Errorf("call with %s: %w", fakeNotion, errors.New("401 from "+fakeOddball)))
		}},
		{"slog.Any error", func(l *slog.Logger) { l.Error("failed", slog.Any("error", errors.New(fakeApp))) }},
		{"stringer", func(l *slog.Logger) { l.Info("x", "s", stringer("tok "+fakeBot)) }},
		{"[]string", func(l *slog.Logger) { l.Info("x", "list", []string{"ok", fakeNotion, fakeOddball}) }},
		{"[]byte", func(l *slog.Logger) { l.Info("x", "raw", []byte("Bearer "+fakeBearer)) }},
		{"struct", func(l *slog.Logger) {
			p := payload{Header: "Bearer " + fakeBearer}
			p.Inner.Token = fakeLegacy
			l.Info("x", "p", p)
		}},
		{"map", func(l *slog.Logger) { l.Info("x", "m", map[string]string{"NOTION_TOKEN": fakeNotion}) }},
		{"LogValuer", func(l *slog.Logger) { l.Info("x", "v", valuer{}) }},
		{"Printf-style", func(l *slog.Logger) { l.Info(fmt.Sprintf("env: SLACK_APP_TOKEN=%s", fakeApp)) }},
		{"debug level", func(l *slog.Logger) { l.Debug("dbg", "t", fakeNotion) }},
	}
	for _, format := range []string{"json", "text"} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				var buf bytes.Buffer
				l, err := NewLogger(&buf, "debug", format, false, fakeOddball, fakeNotion, fakeBot, fakeApp)
				if err != nil {
					t.Fatal(err)
				}
				tt.fn(l)
				if buf.Len() == 0 {
					t.Fatal("nothing logged")
				}
				assertClean(t, buf.String())
				if !strings.Contains(buf.String(), "[redacted]") {
					t.Errorf("no mask in output: %s", buf.String())
				}
			})
		}
	}
}

type valuer struct{}

func (valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", fakeNotion))
}

func TestLoggerKeepsHarmlessValues(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "info", "json", false, fakeOddball)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hello", "n", 3, "d", 1500*time.Millisecond, "list", []string{"a", "b"}, "m", map[string]int{"k": 1}, "secret_sauce", "plain")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, buf.String())
	}
	if rec["msg"] != "hello" || rec["n"] != float64(3) || rec["secret_sauce"] != "plain" {
		t.Errorf("values changed: %v", rec)
	}
	if l, ok := rec["list"].([]any); !ok || len(l) != 2 {
		t.Errorf("list changed: %v", rec["list"])
	}
	if m, ok := rec["m"].(map[string]any); !ok || m["k"] != float64(1) {
		t.Errorf("map changed: %v", rec["m"])
	}
}

func TestNewLoggerLevelAndFormat(t *testing.T) {
	tests := []struct {
		level, format string
		tty           bool
		wantErr       bool
		wantJSON      bool
		debugShown    bool
		infoShown     bool
	}{
		{"", "", false, false, true, false, true},
		{"debug", "", false, false, true, true, true},
		{"DEBUG", "", true, false, false, true, true},
		{"info", "", true, false, false, false, true},
		{"warn", "json", true, false, true, false, false},
		{"warning", "text", false, false, false, false, false},
		{"error", "", false, false, true, false, false},
		{"verbose", "", false, true, false, false, false},
		{"trace", "", false, true, false, false, false},
		{"info", "xml", false, true, false, false, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("level=%q format=%q tty=%v", tt.level, tt.format, tt.tty)
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := NewLogger(&buf, tt.level, tt.format, tt.tty)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "debug, info, warn, error") && !strings.Contains(err.Error(), "json, text") {
					t.Errorf("error does not say what is accepted: %v", err)
				}
				return
			}
			l.Debug("d-line")
			l.Info("i-line")
			l.Error("e-line")
			out := buf.String()
			if got := strings.Contains(out, "d-line"); got != tt.debugShown {
				t.Errorf("debug shown = %v, want %v", got, tt.debugShown)
			}
			if got := strings.Contains(out, "i-line"); got != tt.infoShown {
				t.Errorf("info shown = %v, want %v", got, tt.infoShown)
			}
			if !strings.Contains(out, "e-line") {
				t.Errorf("error line missing")
			}
			if got := strings.HasPrefix(out, "{"); got != tt.wantJSON {
				t.Errorf("JSON = %v, want %v: %s", got, tt.wantJSON, out)
			}
		})
	}
}

func TestLogDiagnosisOneLine(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "info", "json", false)
	if err != nil {
		t.Fatal(err)
	}
	LogDiagnosis(l, "slack_command", notSharedReport(), 1234*time.Millisecond)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1:\n%s", len(lines), buf.String())
	}
	var rec struct {
		Msg         string   `json:"msg"`
		Level       string   `json:"level"`
		Source      string   `json:"source"`
		Checks      int      `json:"checks"`
		CheckIDs    []string `json:"check_ids"`
		Codes       []string `json:"codes"`
		Integration string   `json:"integration"`
		HasError    bool     `json:"has_error"`
		DurationMS  int64    `json:"duration_ms"`
		RequestIDs  []string `json:"notion_request_ids"`
		APIVersion  string   `json:"api_version"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, lines[0])
	}
	if rec.Msg != "diagnosis" || rec.Level != "INFO" || rec.Source != "slack_command" || rec.Checks != 1 ||
		strings.Join(rec.Codes, ",") != "id.extracted,access.not_shared" || rec.Integration != "ok" ||
		!rec.HasError || rec.DurationMS != 1234 || strings.Join(rec.RequestIDs, ",") != "req-aaa,req-bbb" ||
		rec.APIVersion != "2025-09-03" || len(rec.CheckIDs) != 1 {
		t.Errorf("unexpected line: %s", lines[0])
	}
	if strings.Contains(lines[0], `"/v1/pages`) {
		t.Errorf("line carries evidence paths: %s", lines[0])
	}
	LogDiagnosis(nil, "cli", notSharedReport(), 0) // no panic
}

// fakeProber answers like Notion would for an object that is not shared,
// with request IDs, so that the diagnosis is a full online one.
type fakeProber struct{}

func (fakeProber) Integration(context.Context, diagnose.ProbeOptions) diagnose.IntegrationInfo {
	return diagnose.IntegrationInfo{Name: "Docs bot", Workspace: "Acme", Me: diagnose.Answer{Family: diagnose.EndpointUsers, Outcome: diagnose.OutcomeOK, Status: 200}}
}

func (fakeProber) Probe(_ context.Context, ref diagnose.Reference, _ diagnose.ProbeOptions) diagnose.ProbeResult {
	res := diagnose.ProbeResult{
		Version: "2025-09-03",
		Evidence: []diagnose.Evidence{
			{Method: "GET", Path: "/v1/pages/" + ref.ID, Status: 404, Code: "object_not_found", RequestID: "req-" + ref.ID[:8]},
		},
	}
	for _, f := range []diagnose.Endpoint{diagnose.EndpointBlocks, diagnose.EndpointDataSources, diagnose.EndpointViews} {
		res.Answers = append(res.Answers, diagnose.Answer{Family: f, ID: ref.ID, Outcome: diagnose.OutcomeNotFound, Status: 404, Code: "object_not_found"})
	}
	return res
}

func (fakeProber) APIVersion() string { return "2025-09-03" }

// TestFullDiagnosisLogsNoToken runs a diagnosis the way serve does, with
// every token in the environment and a token pasted in the text, logs it,
// counts it, and logs the usual error lines; no token may appear in the log
// or in /metrics.
func TestFullDiagnosisLogsNoToken(t *testing.T) {
	t.Setenv("NOTION_TOKEN", fakeNotion)
	t.Setenv("SLACK_BOT_TOKEN", fakeBot)
	t.Setenv("SLACK_APP_TOKEN", fakeApp)

	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			env := func(k string) string { return strings.TrimSpace(os.Getenv(k)) }
			l, err := NewLogger(&buf, "debug", format, false, env("NOTION_TOKEN"), env("SLACK_BOT_TOKEN"), env("SLACK_APP_TOKEN"), fakeOddball)
			if err != nil {
				t.Fatal(err)
			}
			m := NewMetrics()
			d := diagnose.New(diagnose.Config{Token: env("NOTION_TOKEN"), Prober: fakeProber{}})
			text := "why does https://www.notion.so/acme/Roadmap-1f2e3d4c5b6a47988a9b0c1d2e3f4a5b fail? " +
				"curl -H 'Authorization: Bearer " + fakeNotion + "' https://api.notion.com/v1/pages/2a3b4c5d6e7f40818293a4b5c6d7e8f9 " +
				"my old token was " + fakeLegacy + " and " + fakeOddball

			start := time.Now()
			rep := d.Diagnose(context.Background(), text, diagnose.Options{})
			took := time.Since(start)
			m.Diagnosis(rep, took)
			LogDiagnosis(l, "slack_message", rep, took)

			// What the bot and the client log around a diagnosis.
			l.Debug("slack event", "text", text, "user", "U123")
			l.Warn("notion call failed", "err", fmt.Errorf("GET /v1/users/me with Bearer %s: 401", env("NOTION_TOKEN")))
			l.Error("slack post failed", "err", errors.New("invalid_auth for "+env("SLACK_BOT_TOKEN")), "app_token", env("SLACK_APP_TOKEN"))
			l.With("config", map[string]string{"NOTION_TOKEN": env("NOTION_TOKEN")}).Info("config loaded")
			l.Info("report", "report", rep)

			out := buf.String()
			if !strings.Contains(out, "msg=diagnosis") && !strings.Contains(out, `"msg":"diagnosis"`) {
				t.Fatalf("diagnosis line missing:\n%s", out)
			}
			for _, id := range rep.RequestIDs() {
				if !strings.Contains(out, id) {
					t.Errorf("request ID %s not logged:\n%s", id, out)
				}
			}
			assertClean(t, out)

			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			body, _ := io.ReadAll(rec.Body)
			assertClean(t, string(body))
			if !strings.Contains(string(body), "notion_check_diagnoses_total 1") {
				t.Errorf("metrics did not move")
			}
		})
	}
}
