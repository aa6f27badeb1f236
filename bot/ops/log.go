package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// ParseLevel turns a LOG_LEVEL value (debug, info, warn or warning, error;
// any case; "" means info) into a slog.Level. Anything else is an error
// that names the accepted values.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("LOG_LEVEL %q is not one of debug, info, warn, error", s)
}

// NewLogger returns a slog.Logger writing to w at the given LOG_LEVEL.
// format is "json", "text", or "" for automatic: text when isTTY, JSON
// otherwise. Every record goes through a redacting handler first: its
// message, every attribute key and string-like value (in groups too; errors,
// fmt.Stringers, []string and other values by their text) have each of the
// secrets (the configured token values, whatever their shape, also
// encoded, split by invisible characters or in part) and any token-shaped
// text masked by one secret.Redactor.
func NewLogger(w io.Writer, level string, format string, isTTY bool, secrets ...string) (*slog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "", "auto":
		if isTTY {
			h = slog.NewTextHandler(w, opts)
		} else {
			h = slog.NewJSONHandler(w, opts)
		}
	default:
		return nil, fmt.Errorf("log format %q is not one of json, text", format)
	}
	return slog.New(NewRedactingHandler(h, secrets...)), nil
}

// NewRedactingHandler wraps h so that no secret reaches it: see NewLogger.
// Secrets shorter than secret.MinValue (after trimming) are ignored.
func NewRedactingHandler(h slog.Handler, secrets ...string) slog.Handler {
	return &redactingHandler{inner: h, r: secret.NewRedactor(secrets...)}
}

type redactingHandler struct {
	inner slog.Handler
	r     *secret.Redactor
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, h.text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, nr)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.attr(a)
	}
	return &redactingHandler{inner: h.inner.WithAttrs(out), r: h.r}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{inner: h.inner.WithGroup(h.text(name)), r: h.r}
}

// text masks the configured secrets (also encoded, split or in part),
// then any token-shaped text.
func (h *redactingHandler) text(s string) string {
	return h.r.Redact(s)
}

func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	return slog.Attr{Key: h.text(a.Key), Value: h.value(a.Value)}
}

func (h *redactingHandler) value(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(h.text(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, a := range g {
			out[i] = h.attr(a)
		}
		return slog.GroupValue(out...)
	case slog.KindAny:
		return h.anyValue(v.Any())
	}
	// Numbers, bools, times and durations carry no text.
	return v
}

func (h *redactingHandler) anyValue(x any) slog.Value {
	switch t := x.(type) {
	case nil:
		return slog.AnyValue(nil)
	case error:
		return slog.StringValue(h.text(t.Error()))
	case fmt.Stringer:
		return slog.StringValue(h.text(t.String()))
	case []string:
		out := make([]string, len(t))
		for i, s := range t {
			out[i] = h.text(s)
		}
		return slog.AnyValue(out)
	case []byte:
		return slog.StringValue(h.text(string(t)))
	}
	// Anything else (structs, maps, slices) is kept as it is unless its text,
	// as the text or the JSON handler would print it, holds a secret; then
	// it is replaced by its redacted text.
	s := fmt.Sprintf("%+v", x)
	if r := h.text(s); r != s {
		return slog.StringValue(r)
	}
	if b, err := json.Marshal(x); err == nil {
		if r := h.text(string(b)); r != string(b) {
			return slog.StringValue(r)
		}
	}
	return slog.AnyValue(x)
}

// LogDiagnosis writes exactly one info line, message "diagnosis", for a
// finished diagnosis: source (slack_command, slack_message, slack_mention,
// recheck, cli, ...), checks (count), check_ids (the Notion IDs checked),
// codes (every finding code, integration first), integration (its status),
// has_error, skipped, duration_ms, notion_request_ids and api_version. It
// never logs the pasted text, which may hold tokens and is user content.
func LogDiagnosis(logger *slog.Logger, source string, rep diagnose.Report, d time.Duration) {
	if logger == nil {
		return
	}
	codes := make([]string, 0, len(rep.Checks))
	for _, c := range rep.Codes() {
		codes = append(codes, string(c))
	}
	ids := make([]string, 0, len(rep.Checks))
	for _, c := range rep.Checks {
		if c.ID != "" {
			ids = append(ids, c.ID)
		}
	}
	reqIDs := rep.RequestIDs()
	if reqIDs == nil {
		reqIDs = []string{}
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "diagnosis",
		slog.String("source", source),
		slog.Int("checks", len(rep.Checks)),
		slog.Any("check_ids", ids),
		slog.Any("codes", codes),
		slog.String("integration", string(rep.Integration.Status)),
		slog.Bool("has_error", rep.HasError()),
		slog.Int("skipped", rep.Skipped),
		slog.Int64("duration_ms", d.Milliseconds()),
		slog.Any("notion_request_ids", reqIDs),
		slog.String("api_version", rep.APIVersion),
	)
}
