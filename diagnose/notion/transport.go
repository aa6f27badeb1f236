package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// maxBody bounds how much of an answer is read.
const maxBody = 1 << 20

// deadlineMargin is kept free before the diagnosis deadline when deciding
// whether a Retry-After wait still fits.
const deadlineMargin = 250 * time.Millisecond

// maxRetryAfter caps a Retry-After wait when the context has no deadline.
const maxRetryAfter = 60 * time.Second

// errLimiterDeadline is returned when the shared limiter cannot give a slot
// before the context's deadline.
var errLimiterDeadline = errors.New("notion: request pacing would pass the deadline")

// exchange is what the transport learnt from one attempt, kept for the
// prober (evidence plus the raw parts needed to decide a verdict).
type exchange struct {
	ev     diagnose.Evidence
	status int
	code   string
	// notionJSON is true when the answer is Notion's own JSON (an error
	// envelope with object "error", or a JSON object on 200).
	notionJSON bool
	// edge is true for a non-JSON answer (HTML, Cloudflare).
	edge bool
	// gaveUp is set when a 429/529 could not be retried in time.
	gaveUp bool
	body   []byte
}

// recorder collects the exchanges of one probe; it travels in the request
// context so that concurrent probes keep their evidence apart.
type recorder struct {
	mu  sync.Mutex
	exs []exchange
}

func (r *recorder) add(x exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exs = append(r.exs, x)
}

func (r *recorder) evidence() []diagnose.Evidence {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]diagnose.Evidence, len(r.exs))
	for i, x := range r.exs {
		out[i] = x.ev
	}
	return out
}

type recorderKey struct{}

func withRecorder(ctx context.Context, r *recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

func recorderFrom(ctx context.Context) *recorder {
	r, _ := ctx.Value(recorderKey{}).(*recorder)
	return r
}

// lastKey carries a slot where the transport leaves the final exchange of
// one request, so the caller can read status, code and body even when
// jomei/notionapi swallowed them.
type lastKey struct{}

type lastSlot struct{ x *exchange }

func withLast(ctx context.Context) (context.Context, *lastSlot) {
	s := &lastSlot{}
	return context.WithValue(ctx, lastKey{}, s), s
}

// transport is the one http.RoundTripper under every Notion call: it points
// requests at the base URL, paces them through the shared limiter, retries
// what may be retried, and records every attempt as evidence.
type transport struct {
	base    http.RoundTripper
	baseURL *url.URL
	limiter *rate.Limiter
	token   string
	timeout time.Duration
	hooks   Hooks
	log     *slog.Logger
	sleep   func(ctx context.Context, d time.Duration) error
}

// family returns the low-cardinality endpoint label of an API path.
func family(path string) string {
	rest := strings.TrimPrefix(path, "/v1/")
	if rest == "users/me" {
		return "users/me"
	}
	f, _, _ := strings.Cut(rest, "/")
	switch f {
	case "pages", "databases", "data_sources", "blocks", "views", "users", "search", "comments":
		return f
	}
	return "other"
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	apiPath := req.URL.Path
	fam := family(apiPath)
	// Point the request at the base URL, keeping any base path prefix.
	u := *req.URL
	u.Scheme = t.baseURL.Scheme
	u.Host = t.baseURL.Host
	u.Path = strings.TrimRight(t.baseURL.Path, "/") + apiPath
	u.RawPath = ""

	var bodyBytes []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("notion: reading request body: %w", err)
		}
		bodyBytes = b
	}

	var (
		resp     *http.Response
		x        exchange
		retried5 bool
		tries429 int
	)
	for {
		if err := t.limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil {
				err = errLimiterDeadline
			}
			if resp != nil {
				// A retry that cannot be paced in time: the last answer stands.
				x.gaveUp = true
				break
			}
			x = exchange{ev: diagnose.Evidence{Method: req.Method, Path: apiPath, Message: "not sent: " + err.Error()}, gaveUp: true}
			t.record(ctx, x)
			return nil, fmt.Errorf("notion: %s %s: %w", req.Method, apiPath, err)
		}
		var err error
		resp, x, err = t.attempt(ctx, req, &u, bodyBytes, apiPath, fam)
		if err != nil {
			t.record(ctx, x)
			return nil, err
		}
		retry := false
		var wait time.Duration
		switch {
		case x.status == http.StatusTooManyRequests || x.status == 529:
			tries429++
			if t.hooks.OnRateLimited != nil {
				t.hooks.OnRateLimited(fam)
			}
			ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				ra = time.Second
			}
			if tries429 <= 3 && fits(ctx, ra) {
				retry, wait = true, ra
			} else {
				x.gaveUp = true
			}
		case !retried5 && req.Method == http.MethodGet && (x.status == 500 || x.status == 502 || x.status == 503 || x.status == 504):
			retried5 = true
			wait = 200 * time.Millisecond
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = ra
			}
			retry = fits(ctx, wait)
		}
		t.record(ctx, x)
		if !retry {
			break
		}
		if t.hooks.OnRetry != nil {
			t.hooks.OnRetry(fam, x.status)
		}
		t.log.DebugContext(ctx, "notion retry", "endpoint", fam, "status", x.status, "wait", wait)
		if err := t.sleep(ctx, wait); err != nil {
			x.gaveUp = true
			break
		}
	}
	if s, ok := ctx.Value(lastKey{}).(*lastSlot); ok {
		xc := x
		s.x = &xc
	}
	return resp, nil
}

// attempt sends one request and reads its whole answer.
func (t *transport) attempt(ctx context.Context, req *http.Request, u *url.URL, body []byte, apiPath, fam string) (*http.Response, exchange, error) {
	actx := ctx
	if t.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	r2 := req.Clone(actx)
	r2.URL = u
	r2.Host = u.Host
	if body != nil {
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.ContentLength = int64(len(body))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(r2)
	x := exchange{ev: diagnose.Evidence{Method: req.Method, Path: apiPath}}
	if err != nil {
		d := time.Since(start)
		x.ev.DurationMS = d.Milliseconds()
		msg := secret.RedactValue(err.Error(), t.token)
		x.ev.Message = msg
		x.edge = true
		if t.hooks.OnCall != nil {
			t.hooks.OnCall(fam, 0, d)
		}
		t.log.DebugContext(ctx, "notion call failed", "method", req.Method, "path", apiPath, "error", msg)
		return nil, x, fmt.Errorf("notion: %s %s: %s: %w", req.Method, apiPath, msg, unwrapSafe(err))
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	d := time.Since(start)
	x.ev.DurationMS = d.Milliseconds()
	x.status = resp.StatusCode
	x.ev.Status = resp.StatusCode
	x.body = data
	if rerr != nil {
		msg := secret.RedactValue(rerr.Error(), t.token)
		x.ev.Message = "reading answer: " + msg
		x.edge = true
		if t.hooks.OnCall != nil {
			t.hooks.OnCall(fam, resp.StatusCode, d)
		}
		return nil, x, fmt.Errorf("notion: %s %s: reading answer: %s: %w", req.Method, apiPath, msg, unwrapSafe(rerr))
	}
	x.ev.RequestID = resp.Header.Get("X-Notion-Request-Id")
	var env struct {
		Object    string `json:"object"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if json.Unmarshal(data, &env) == nil && (env.Object != "" || strings.Contains(ct, "json")) {
		x.notionJSON = env.Object != "" && (resp.StatusCode == http.StatusOK || env.Object == "error")
		if resp.StatusCode != http.StatusOK {
			x.code = env.Code
			x.ev.Code = env.Code
			x.ev.Message = secret.RedactValue(env.Message, t.token)
		}
		if env.RequestID != "" {
			x.ev.RequestID = env.RequestID
		}
	} else {
		x.edge = true
		x.ev.Message = "non-JSON answer (edge or proxy error)"
		if ray := resp.Header.Get("Cf-Ray"); ray != "" {
			x.ev.Message += ", cf-ray " + secret.Redact(ray)
		}
	}
	if t.hooks.OnCall != nil {
		t.hooks.OnCall(fam, resp.StatusCode, d)
	}
	t.log.DebugContext(ctx, "notion call", "method", req.Method, "path", apiPath, "status", resp.StatusCode,
		"code", x.code, "request_id", x.ev.RequestID, "duration_ms", x.ev.DurationMS)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, x, nil
}

func (t *transport) record(ctx context.Context, x exchange) {
	if r := recorderFrom(ctx); r != nil {
		r.add(x)
	}
}

// unwrapSafe keeps the error chain for errors.Is (deadline, cancel) without
// keeping a url.Error, whose text holds the full URL.
func unwrapSafe(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return errCallFailed
}

var errCallFailed = errors.New("call failed")

// retryAfter parses a Retry-After value: delta-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// fits reports whether waiting d still leaves the margin before ctx's
// deadline (or d is within maxRetryAfter when there is no deadline).
func fits(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok {
		return time.Now().Add(d + deadlineMargin).Before(dl)
	}
	return d <= maxRetryAfter
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
