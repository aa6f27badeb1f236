package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jomei/notionapi"

	"github.com/notion-check/notion-check/diagnose"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoTokenInAnyOutput runs every kind of exchange and scans everything
// the package puts out (results, evidence, integration info, logs, errors)
// for the tokens.
func TestNoTokenInAnyOutput(t *testing.T) {
	tokens := []string{nt.GoodToken, nt.RevokedToken, nt.NoReadToken, "weird token value 12345678"}
	var outputs []string
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	run := func(p *Prober, ids ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		info := p.Integration(ctx, diagnose.ProbeOptions{Fresh: true})
		b, _ := json.Marshal(info)
		outputs = append(outputs, string(b))
		for _, id := range ids {
			for _, ep := range []diagnose.Endpoint{"", diagnose.EndpointDatabases} {
				res := p.Probe(ctx, diagnose.Reference{ID: id, Endpoint: ep}, diagnose.ProbeOptions{Fresh: true})
				b, _ := json.Marshal(res)
				outputs = append(outputs, string(b))
			}
		}
	}
	ids := []string{nt.SharedPageID, nt.UnsharedPageID, nt.DatabaseID, nt.BlockID, nt.DataSourceID}
	// The fake's answers, faults included, on the virtual clock (a 503 is
	// retried after 200 ms, many times over).
	onVirtualClock(t, func(t *testing.T) {
		for _, tok := range tokens[:3] {
			for _, fault := range []*nt.Fault{nil, {Status: 503}, {Status: 429, RetryAfter: "30"}, {Status: 502, Edge: true}} {
				var opts []nt.Option
				if fault != nil {
					opts = append(opts, nt.WithFault(*fault))
				}
				srv, tr := fakeNotion(t, opts...)
				p, err := New(Config{Token: tok, BaseURL: srv.URL, Transport: tr, Rate: 1000, Burst: 1000, Logger: logger})
				if err != nil {
					t.Fatal(err)
				}
				if fault == nil {
					run(p, ids...)
				} else {
					run(p, ids[:1]...)
				}
			}
		}
	})
	// A server that went away.
	srv := nt.NewServer(t)
	srv.Close()
	p, _ := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Rate: 1000, Burst: 1000, Logger: logger})
	run(p, nt.SharedPageID)
	// A transport whose errors and answers quote the token (a proxy that
	// echoes headers, say).
	for _, tok := range tokens {
		echo := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			auth := r.Header.Get("Authorization")
			if strings.Contains(r.URL.Path, "blocks") {
				return nil, fmt.Errorf("proxy refused %s (Authorization: %s)", r.URL, auth)
			}
			body := fmt.Sprintf(`{"object":"error","status":401,"code":"unauthorized","message":"token %s is invalid; header %s","request_id":"r"}`, tok, auth)
			return &http.Response{StatusCode: 401, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})
		p, err := New(Config{Token: tok, Transport: echo, Rate: 1000, Burst: 1000, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		run(p, nt.SharedPageID)
		// Errors of the shared client, as other packages would see them.
		req, _ := http.NewRequest(http.MethodGet, "https://api.notion.com/v1/blocks/"+nt.SharedPageID, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if _, err := p.HTTPClient().Do(req); err != nil {
			outputs = append(outputs, err.Error())
		} else {
			t.Error("echo transport error was lost")
		}
	}
	outputs = append(outputs, logs.String())
	all := strings.Join(outputs, "\n")
	if !strings.Contains(all, "[redacted]") {
		t.Error("the echoing transport's token was not redacted (or not recorded)")
	}
	for _, tok := range tokens {
		if strings.Contains(all, tok) {
			i := strings.Index(all, tok)
			t.Fatalf("token %q… found in output: …%s…", tok[:8], all[max(0, i-200):i])
		}
	}
	if i := strings.Index(all, "ntn_"); i >= 0 {
		t.Fatalf("something token-shaped leaked: …%s…", all[max(0, i-300):min(len(all), i+40)])
	}
}

// TestVerdictNeverDependsOnJomei shows that jomei/notionapi cannot decode a
// page of today's API (a "place" property), while the prober's verdict on
// the same page is unaffected.
func TestVerdictNeverDependsOnJomei(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := ctxT(t, 5*time.Second)
	_, err := f.p.jomei.Page.Get(ctx, notionapi.PageID(nt.SharedPageID))
	if err == nil || !strings.Contains(err.Error(), "place") {
		t.Fatalf("jomei decoded the page (err %v): the fake no longer tests the rule", err)
	}
	res := judgeRef(ctx, f.p, ref(nt.SharedPageID, "", diagnose.EndpointPages), diagnose.ProbeOptions{})
	if !res.Done || res.Kind != diagnose.KindPage || res.Findings[0].Code != diagnose.CodeAccessOK {
		t.Fatalf("%+v", res)
	}
	// jomei's own 429 loop never runs: a final 429 reaches it as a 429 and
	// it gives up at once (WithRetry(1)).
	g := newFixture(t, Config{}, nt.WithFault(nt.Fault{Status: 429, RetryAfter: "30"}))
	// The behaviour, not the time: one call, and jomei's rate-limited error
	// (a context deadline error would mean something waited).
	_, err = g.p.jomei.User.Me(ctxT(t, 2*time.Second))
	var rl *notionapi.RateLimitedError
	if !errors.As(err, &rl) || g.srv.CallsTo("") != 1 {
		t.Fatalf("err %v, %d calls", err, g.srv.CallsTo(""))
	}
}

func TestUsersMeWithoutJomei(t *testing.T) {
	// A users/me answer jomei cannot decode ("type" is not a string, the
	// owner is a user object): name and workspace still come from the raw JSON.
	body := `{"object":"user","id":"u","name":"Iris","avatar_url":null,"type":7,"bot":{"owner":{"type":"user","user":{"object":"user","id":"x"}},"workspace_id":"w","workspace_name":"Beta Inc"},"request_id":"r"}`
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	p, err := New(Config{Token: nt.GoodToken, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.jomei.User.Me(context.Background()); err == nil {
		t.Fatal("jomei decoded it: the test no longer tests the rule")
	}
	info := integ(context.Background(), p, diagnose.ProbeOptions{})
	if info.Status != diagnose.StatusOK || info.Name != "Iris" || info.Workspace != "Beta Inc" || !info.Usable {
		t.Fatalf("%+v", info)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{"Fri, 02 Jan 2026 15:04:05 GMT", 5 * time.Second, true},
		{"Fri, 02 Jan 2026 15:03:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-3", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{{}, {Token: "x", BaseURL: "api.notion.com"}, {Token: "x", BaseURL: "ftp://x"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg.BaseURL)
		}
	}
	p, err := New(Config{Token: "x"})
	if err != nil || p.APIVersion() != DefaultVersion {
		t.Fatalf("%v %v", p, err)
	}
}

func TestBasePathPrefix(t *testing.T) {
	srv := nt.NewServer(t)
	var seen string
	strip := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.URL.Path
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, "/proxy")
		return http.DefaultTransport.RoundTrip(r2)
	})
	p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL + "/proxy/", Transport: strip})
	if err != nil {
		t.Fatal(err)
	}
	info := integ(context.Background(), p, diagnose.ProbeOptions{})
	if info.Name != nt.IntegrationName || seen != "/proxy/v1/users/me" {
		t.Fatalf("%+v via %q", info, seen)
	}
}

// TestNoTitleNotLinked: a report shows the title of the object the person
// linked, never the title of another object (the page a block sits on, the
// database a row or a data source belongs to, the names of a database's
// data sources).
func TestNoTitleNotLinked(t *testing.T) {
	srv := nt.NewServer(t)
	p, err := New(Config{Token: nt.GoodToken, BaseURL: srv.URL, Rate: 100, Burst: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
	for _, tc := range []struct {
		text      string
		forbidden []string
	}{
		{nt.BlockID, []string{nt.SharedPageTitle, nt.RootPageTitle}},
		{nt.NestedBlockID, []string{nt.SharedPageTitle, nt.RootPageTitle}},
		{nt.RowPageID, []string{nt.DatabaseTitle}},
		{nt.SharedPageID, []string{nt.RootPageTitle}},
		{nt.MultiDatabaseID, []string{nt.MultiDataSourceName2}},
	} {
		rep := d.Diagnose(ctxT(t, 10*time.Second), tc.text, diagnose.Options{Fresh: true})
		b, _ := json.Marshal(rep)
		for _, title := range tc.forbidden {
			if strings.Contains(string(b), `"`+title) || strings.Contains(string(b), title+`"`) || strings.Contains(string(b), `\"`+title) {
				t.Errorf("report for %s reveals %q: %s", tc.text, title, b)
			}
		}
	}
}
