package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// DefaultAddr is the address the operations listener uses when ADDR is unset.
const DefaultAddr = ":8080"

// shutdownTimeout bounds the graceful shutdown of the listener.
const shutdownTimeout = 5 * time.Second

// Readiness is whether serve can do its job: Socket Mode is connected and
// Notion accepted every configured integration token. It tells a token
// Notion refused (401: rotate it) from a Notion it could not reach
// (refused connection, 5xx, 429, an edge page, a timeout: wait, it
// re-checks by itself). It is safe for concurrent use; the zero value is
// not ready.
type Readiness struct {
	mu     sync.RWMutex
	slack  bool
	notion []notionEntry // in the order first set
	redis  redisState
}

// NotionState is what serve knows about one integration token.
type NotionState int

// The states of an integration token. Only NotionOK is ready.
const (
	// NotionUnchecked: Notion has not been asked yet.
	NotionUnchecked NotionState = iota
	// NotionOK: Notion accepted the token (GET /v1/users/me answered).
	NotionOK
	// NotionRefused: Notion answered 401: the token is invalid, revoked or
	// expired.
	NotionRefused
	// NotionUnreachable: Notion gave no usable answer (refused connection,
	// 5xx, 429, an edge page, a timeout); the token may be fine.
	NotionUnreachable
)

// notionStates are the states' names, as /metrics labels them.
var notionStates = []string{"unchecked", "ok", "refused", "unreachable"}

// String names the state: unchecked, ok, refused or unreachable.
func (s NotionState) String() string {
	if s >= 0 && int(s) < len(notionStates) {
		return notionStates[s]
	}
	return "unknown"
}

type notionEntry struct {
	key   string // the variable: NOTION_TOKEN, "NOTION_TOKENS entry 2"
	name  string // the integration's name, once Notion told it
	state NotionState
	why   string
}

// label is how /readyz and /metrics name the entry: its integration name
// when known, else its variable.
func (e notionEntry) label() string {
	if e.name != "" {
		return e.name
	}
	return e.key
}

// SetSlackConnected records whether the Socket Mode connection is up.
func (r *Readiness) SetSlackConnected(ok bool) {
	r.mu.Lock()
	r.slack = ok
	r.mu.Unlock()
}

// SetNotionTokenOK records whether Notion accepted NOTION_TOKEN: true is
// NotionOK, false NotionRefused. Kept for callers with one integration.
func (r *Readiness) SetNotionTokenOK(ok bool) {
	st := NotionRefused
	if ok {
		st = NotionOK
	}
	r.SetNotion("NOTION_TOKEN", "", st, "")
}

// SetNotion records the state of the integration token known by key (the
// variable it comes from, such as NOTION_TOKEN or "NOTION_TOKENS entry 2").
// name is the integration's name when known ("" keeps the one learnt
// before); why, for NotionUnreachable, says in a few words what Notion
// answered. It never holds a token.
func (r *Readiness) SetNotion(key, name string, st NotionState, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.notion {
		if r.notion[i].key == key {
			e := &r.notion[i]
			if name != "" {
				e.name = name
			}
			e.state, e.why = st, why
			return
		}
	}
	r.notion = append(r.notion, notionEntry{key: key, name: name, state: st, why: why})
}

// Label is how /readyz and /metrics (its integration label) name the
// token known by key: the integration's name once Notion told it, else key.
func (r *Readiness) Label(key string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.notion {
		if e.key == key {
			return e.label()
		}
	}
	return key
}

// IntegrationState is one integration token's state, for /metrics.
type IntegrationState struct {
	// Integration is its name (or its variable while the name is unknown).
	Integration string
	State       NotionState
}

// Integrations returns every integration token's state, in the order
// first set.
func (r *Readiness) Integrations() []IntegrationState {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]IntegrationState, len(r.notion))
	for i, e := range r.notion {
		out[i] = IntegrationState{Integration: e.label(), State: e.state}
	}
	return out
}

// Ready reports whether serve is ready and, when it is not, why, in one
// short line fit for a /readyz body: each reason names its integration and
// says whether the token was refused or Notion could not be reached.
func (r *Readiness) Ready() (bool, string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var why []string
	if !r.slack {
		why = append(why, "slack: socket mode not connected")
	}
	if len(r.notion) == 0 {
		why = append(why, "notion: token not checked yet")
	}
	for _, e := range r.notion {
		who := fmt.Sprintf("notion %q", e.label())
		switch e.state {
		case NotionOK:
			continue
		case NotionUnchecked:
			why = append(why, who+": token not checked yet")
		case NotionRefused:
			why = append(why, who+": token refused by Notion (401): replace "+e.key)
		case NotionUnreachable:
			w := who + ": Notion unreachable, re-checking (the token may be fine)"
			if e.why != "" {
				w += ": " + e.why
			}
			why = append(why, w)
		}
	}
	if w := r.redisWhy(); w != "" {
		why = append(why, w)
	}
	if len(why) > 0 {
		return false, strings.Join(why, "; ")
	}
	return true, ""
}

// NotionCheck asks Notion once about one token (GET /v1/users/me, no
// cache) and says what it learnt: the state, the integration's name when
// Notion accepted the token, and for NotionUnreachable a few words on why.
type NotionCheck func(ctx context.Context) (st NotionState, name, why string)

// NotionWatch keeps one integration token's readiness true to Notion: Run
// asks until Notion gives an answer that tells (accepted or refused),
// backing off between answers that do not (unreachable), so /readyz never
// waits for a user's diagnosis to learn it; Recheck asks again.
type NotionWatch struct {
	ready *Readiness
	key   string
	check NotionCheck
	b     Backoff
	kick  chan struct{}
}

// Backoff paces a NotionWatch's calls, which share the token's rate budget
// with the diagnoses.
type Backoff struct {
	// Min and Max bound the wait between checks while Notion is
	// unreachable: it doubles from Min to Max (1 s and 1 min when 0).
	Min, Max time.Duration
	// Spacing is the least time between two checks asked by Recheck once
	// the answer is known (10 s when 0), so that a burst of diagnoses
	// costs at most one users/me call per Spacing.
	Spacing time.Duration
}

// NewNotionWatch returns a watch of the token known by key in r.
func NewNotionWatch(r *Readiness, key string, check NotionCheck, b Backoff) *NotionWatch {
	if b.Min <= 0 {
		b.Min = time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	b.Max = max(b.Max, b.Min)
	if b.Spacing <= 0 {
		b.Spacing = 10 * time.Second
	}
	return &NotionWatch{ready: r, key: key, check: check, b: b, kick: make(chan struct{}, 1)}
}

// Key returns the variable the watched token comes from.
func (w *NotionWatch) Key() string { return w.key }

// Recheck asks the watch to check again soon: a diagnosis saw the token
// refused or Notion unreachable. While the watch is backing off it changes
// nothing (no extra calls to a Notion in trouble).
func (w *NotionWatch) Recheck() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run checks the token at once, then again with a backoff doubling from
// Min to Max while Notion is unreachable, and whenever Recheck is called
// once the answer is known (at most once per Spacing). It returns when ctx
// is done.
func (w *NotionWatch) Run(ctx context.Context) {
	delay := w.b.Min
	for {
		st, name, why := w.check(ctx)
		if ctx.Err() != nil {
			return
		}
		w.ready.SetNotion(w.key, name, st, why)
		if st == NotionUnreachable || st == NotionUnchecked {
			if !sleep(ctx, delay) {
				return
			}
			delay = min(2*delay, w.b.Max)
			continue
		}
		delay = w.b.Min
		// Known: wait for a reason to ask again, no sooner than min.
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		if !sleep(ctx, w.b.Spacing) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Enabled reports whether addr (the ADDR setting) turns the operations
// listener on: "" and "off" (any case) turn it off.
func Enabled(addr string) bool {
	a := strings.TrimSpace(addr)
	return a != "" && !strings.EqualFold(a, "off")
}

// Server is the operations HTTP listener: /healthz, /readyz and /metrics.
type Server struct {
	addr    string
	handler http.Handler
	logger  *slog.Logger
}

// NewServer returns the operations listener for addr (host:port; "" or
// "off" disables it). m may be nil (then /metrics is not served); r may be
// nil (then a fresh, never-ready Readiness is used); logger may be nil.
// secrets are the configured token values, as given to NewLogger: every
// answer of every route passes through the same redaction as the logs (a
// secret.Redactor of secrets, which also masks token shapes), so that an
// integration's or workspace's name, or an error text, holding a token is
// never served in full.
func NewServer(addr string, m *Metrics, r *Readiness, logger *slog.Logger, secrets ...string) *Server {
	if r == nil {
		r = &Readiness{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ok, why := r.Ready(); !ok {
			plain(w, http.StatusServiceUnavailable, "not ready: "+why)
			return
		}
		body := "ready"
		for _, in := range r.Integrations() {
			body += fmt.Sprintf("; notion %q: %s", in.Integration, in.State)
		}
		plain(w, http.StatusOK, body)
	})
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
	return &Server{addr: strings.TrimSpace(addr), handler: redactResponses(mux, secret.NewRedactor(secrets...)), logger: logger}
}

// redactResponses serves next with its whole answer buffered and passed
// through red before it is sent. The request is served uncompressed (no
// Accept-Encoding), so that what is redacted is the text itself; the ops
// answers are small.
func redactResponses(next http.Handler, red *secret.Redactor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Header.Del("Accept-Encoding")
		buf := &bufferedResponse{header: http.Header{}}
		next.ServeHTTP(buf, r)
		body := red.Redact(buf.body.String())
		for k, v := range buf.header {
			if k != "Content-Length" && k != "Content-Encoding" {
				w.Header()[k] = v
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		w.WriteHeader(buf.status)
		if r.Method != http.MethodHead {
			_, _ = io.WriteString(w, body)
		}
	})
}

// bufferedResponse is an http.ResponseWriter that keeps the answer.
type bufferedResponse struct {
	header http.Header
	status int
	body   strings.Builder
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body+"\n")
}

// Enabled reports whether the listener is turned on.
func (s *Server) Enabled() bool { return Enabled(s.addr) }

// Handler returns the routes of the listener, for tests (httptest) or for
// mounting under another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve listens on the server's address until ctx is cancelled, then shuts
// down gracefully and returns nil. When the listener is disabled it returns
// nil at once. It returns an error when it cannot listen or serving fails.
func (s *Server) Serve(ctx context.Context) error {
	if !s.Enabled() {
		s.logger.Info("ops listener disabled")
		return nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("ops listener: cannot listen on ADDR %q: %w", s.addr, err)
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener is Serve on a listener the caller opened (for example on
// port 0 in tests). It closes ln.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.Info("ops listener started", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("ops listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	s.logger.Info("ops listener stopped")
	if err != nil {
		return fmt.Errorf("ops listener shutdown: %w", err)
	}
	return nil
}

// HealthzURL returns the URL `notion-check healthcheck` probes for the
// listener address addr (the ADDR setting): a wildcard or empty host
// becomes 127.0.0.1, so ":8080" gives "http://127.0.0.1:8080/healthz". It
// returns an error when addr disables the listener or is not host:port.
func HealthzURL(addr string) (string, error) {
	if !Enabled(addr) {
		return "", errors.New("the ops listener is disabled (ADDR is empty or off), so there is nothing to probe")
	}
	host, port, err := net.SplitHostPort(strings.TrimSpace(addr))
	if err != nil {
		return "", fmt.Errorf("ADDR %q is not host:port: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// HealthcheckTimeout bounds one Healthcheck probe.
const HealthcheckTimeout = 3 * time.Second

// Healthcheck GETs url (normally from HealthzURL) and returns nil when it
// answers 200, an error otherwise: another status, a refused connection or
// no answer within HealthcheckTimeout. client may be nil.
func Healthcheck(ctx context.Context, url string, client *http.Client) error {
	if client == nil {
		client = &http.Client{Timeout: HealthcheckTimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, HealthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d: %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}
