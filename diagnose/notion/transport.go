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
	"strings"
	"sync"
	"time"

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

// ErrPaceDeadline is returned when the pacer cannot let a request out
// before the context's deadline (a pause after a 429/529, or the next slot
// of the token bucket, is too far away). A Config.Transport that meters a
// budget of its own (one shared by several processes) returns an error
// wrapping it for the same reason, and the check ends notion.rate_limited,
// not notion.unavailable.
var ErrPaceDeadline = errors.New("notion: request pacing would pass the deadline")

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
	// rateReason is additional_data.rate_limit_reason of a 429 ("" when
	// none): ReasonConnection, ReasonWorkspace or another value.
	rateReason string
	body       []byte
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

// speculativeKey marks a request as speculative: its answer only saves a
// round (it would otherwise be asked after another call's answer), so it
// is sent only when the budget has room for it now (pacer.tryAcquire).
type speculativeKey struct{}

func withSpeculative(ctx context.Context) context.Context {
	return context.WithValue(ctx, speculativeKey{}, true)
}

// Speculative reports whether the request of ctx is a speculative call: one
// that only saves a round trip. A Config.Transport that meters a budget of
// its own (one shared by several processes) should send it only if the
// budget has room for it at once, and otherwise return an error wrapping
// ErrNoSpareBudget, so that the call is dropped instead of waited for.
func Speculative(ctx context.Context) bool {
	v, _ := ctx.Value(speculativeKey{}).(bool)
	return v
}

// transport is the one http.RoundTripper under every Notion call: it points
// requests at the base URL, paces them through the integration's pacer,
// retries what may be retried, and records every attempt as evidence.
type transport struct {
	base    http.RoundTripper
	baseURL *url.URL
	pacer   *pacer
	token   string
	timeout time.Duration
	hooks   Hooks
	log     *slog.Logger
	sleep   func(ctx context.Context, d time.Duration) error
	// unauthorized, when set, is called on every 401: the token is
	// refused, and what a store kept about it must go.
	unauthorized func()
}

// family returns the low-cardinality endpoint label of an API path: its
// diagnose.EndpointFamily, "users/me" for the token's own user, else
// "other".
func family(path string) string {
	if strings.TrimPrefix(path, "/v1/") == "users/me" {
		return "users/me"
	}
	if f := diagnose.EndpointFamily(path); f != diagnose.EndpointNone {
		return string(f)
	}
	return "other"
}

// RoundTrip sends req to Notion through the pacer, retrying a 429 or 529
// (at most three times, within the deadline) and a GET's 5xx once, and
// records every attempt as evidence.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	apiPath := req.URL.Path
	fam := family(apiPath)
	u, bodyBytes, err := t.prepare(req)
	if err != nil {
		return nil, err
	}

	var (
		resp     *http.Response
		x        exchange
		retried5 bool
		tries429 int
	)
	speculative := Speculative(ctx)
	for {
		guess := speculative && resp == nil
		pa, err := t.acquirePass(ctx, guess, tries429 > 0)
		if guess && errors.Is(err, ErrNoSpareBudget) {
			return nil, fmt.Errorf("notion: %s %s: %w", req.Method, apiPath, err)
		}
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, ErrPaceDeadline) {
				err = fmt.Errorf("%w: %w", ErrPaceDeadline, err)
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
		resp, x, err = t.attempt(ctx, req, &u, bodyBytes, apiPath, fam)
		if speculative && errors.Is(err, ErrNoSpareBudget) {
			// The underlying transport's own budget had no room: dropped,
			// like a speculative call the pacer refused (nothing recorded).
			t.pacer.unsend(pa)
			return nil, err
		}
		var (
			ra   time.Duration
			raOK bool
			pz   Pause
		)
		if resp != nil {
			now := time.Now()
			ra, raOK = retryAfter(resp.Header.Get("Retry-After"), now)
			pz, _ = PauseOf(x.status, resp.Header, x.body, now)
		}
		t.pacer.done(pa, x.status, pz)
		if x.status == http.StatusUnauthorized && t.unauthorized != nil {
			t.unauthorized()
		}
		if err != nil {
			t.record(ctx, x)
			return nil, err
		}
		retry, wait := t.retryAfterAnswer(ctx, req.Method, fam, &x, &retried5, &tries429, ra, raOK)
		t.record(ctx, x)
		if !retry {
			break
		}
		if t.hooks.OnRetry != nil {
			t.hooks.OnRetry(fam, x.status)
		}
		t.log.DebugContext(ctx, "notion retry", "endpoint", fam, "status", x.status, "wait", max(wait, t.pacer.pauseLeft()), "rate_limit_reason", x.rateReason)
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

// acquirePass takes the pacer's pass for one attempt. A speculative
// call's first attempt (guess) is sent only when the evidence says the
// shared budget has room (guess.go); once on the wire it is a call like
// any other (a 429 is waited out). after429 puts a retry first.
func (t *transport) acquirePass(ctx context.Context, guess, after429 bool) (pass, error) {
	if guess {
		return t.pacer.tryGuess(ctx)
	}
	return t.pacer.acquire(ctx, after429)
}

// prepare points req's URL at the base URL, keeping any base path
// prefix, and reads its body once, so that a retry can send it again.
func (t *transport) prepare(req *http.Request) (url.URL, []byte, error) {
	u := *req.URL
	u.Scheme = t.baseURL.Scheme
	u.Host = t.baseURL.Host
	u.Path = strings.TrimRight(t.baseURL.Path, "/") + req.URL.Path
	u.RawPath = ""
	var bodyBytes []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return u, nil, fmt.Errorf("notion: reading request body: %w", err)
		}
		bodyBytes = b
	}
	return u, bodyBytes, nil
}

// retryAfterAnswer decides whether the answer x is retried and after what
// wait: a 429 or 529 up to three times while the pacer's pause fits the
// deadline (else x gave up), a GET's 500, 502, 503 or 504 once, after
// Retry-After (ra, when raOK) or 200 ms. It counts in retried5 and
// tries429.
func (t *transport) retryAfterAnswer(ctx context.Context, method, fam string, x *exchange, retried5 *bool, tries429 *int, ra time.Duration, raOK bool) (retry bool, wait time.Duration) {
	switch {
	case x.status == http.StatusTooManyRequests || x.status == 529:
		// The pacer now pauses every request of this integration until
		// Retry-After; the retry waits in acquire like the others.
		*tries429++
		if t.hooks.OnRateLimited != nil {
			t.hooks.OnRateLimited(fam)
		}
		if *tries429 <= 3 && fits(ctx, t.pacer.pauseLeft()) {
			retry = true
		} else {
			x.gaveUp = true
		}
	case !*retried5 && method == http.MethodGet && (x.status == 500 || x.status == 502 || x.status == 503 || x.status == 504):
		*retried5 = true
		wait = 200 * time.Millisecond
		if raOK {
			wait = ra
		}
		retry = fits(ctx, wait)
	}
	return retry, wait
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
	if errors.Is(err, ErrNoSpareBudget) {
		// Not sent (a budget of the underlying transport): not a call.
		return nil, x, fmt.Errorf("notion: %s %s: %w", req.Method, apiPath, ErrNoSpareBudget)
	}
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
	t.readEnvelope(&x, resp, data)
	if t.hooks.OnCall != nil {
		t.hooks.OnCall(fam, resp.StatusCode, d)
	}
	t.log.DebugContext(ctx, "notion call", "method", req.Method, "path", apiPath, "status", resp.StatusCode,
		"code", x.code, "request_id", x.ev.RequestID, "duration_ms", x.ev.DurationMS)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, x, nil
}

// readEnvelope records in x what Notion's answer says: its error code,
// message and rate-limit reason when it is Notion's JSON, else that an
// edge or proxy answered.
func (t *transport) readEnvelope(x *exchange, resp *http.Response, data []byte) {
	var env struct {
		Object         string         `json:"object"`
		Code           string         `json:"code"`
		Message        string         `json:"message"`
		RequestID      string         `json:"request_id"`
		AdditionalData map[string]any `json:"additional_data"`
	}
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if json.Unmarshal(data, &env) == nil && (env.Object != "" || strings.Contains(ct, "json")) {
		x.notionJSON = env.Object != "" && (resp.StatusCode == http.StatusOK || env.Object == "error")
		if resp.StatusCode != http.StatusOK {
			x.rateReason, _ = env.AdditionalData["rate_limit_reason"].(string)
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
	case errors.Is(err, ErrPaceDeadline):
		// A budget of the underlying transport could not give a slot in time.
		return ErrPaceDeadline
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return errCallFailed
}

var errCallFailed = errors.New("call failed")

// fits reports whether waiting d still leaves the margin before ctx's
// deadline (or d is within maxRetryAfter when there is no deadline).
func fits(ctx context.Context, d time.Duration) bool {
	return fitsAt(ctx, time.Now(), d)
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
