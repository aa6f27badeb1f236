package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultAddr is the address the operations listener uses when ADDR is unset.
const DefaultAddr = ":8080"

// shutdownTimeout bounds the graceful shutdown of the listener.
const shutdownTimeout = 5 * time.Second

// Readiness is whether serve can do its job: Socket Mode is connected and
// Notion accepted the token. It is safe for concurrent use; the zero value
// is not ready.
type Readiness struct {
	mu        sync.RWMutex
	slack     bool
	notion    bool
	notionSet bool
}

// SetSlackConnected records whether the Socket Mode connection is up.
func (r *Readiness) SetSlackConnected(ok bool) {
	r.mu.Lock()
	r.slack = ok
	r.mu.Unlock()
}

// SetNotionTokenOK records whether Notion accepted the integration token.
func (r *Readiness) SetNotionTokenOK(ok bool) {
	r.mu.Lock()
	r.notion = ok
	r.notionSet = true
	r.mu.Unlock()
}

// Ready reports whether serve is ready and, when it is not, why, in one
// short line fit for a /readyz body.
func (r *Readiness) Ready() (bool, string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var why []string
	if !r.slack {
		why = append(why, "slack: socket mode not connected")
	}
	switch {
	case !r.notionSet:
		why = append(why, "notion: token not checked yet")
	case !r.notion:
		why = append(why, "notion: token not accepted")
	}
	if len(why) > 0 {
		return false, strings.Join(why, "; ")
	}
	return true, ""
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
func NewServer(addr string, m *Metrics, r *Readiness, logger *slog.Logger) *Server {
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
		plain(w, http.StatusOK, "ready")
	})
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
	return &Server{addr: strings.TrimSpace(addr), handler: mux, logger: logger}
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
		return fmt.Errorf("ops listener: %w", err)
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
