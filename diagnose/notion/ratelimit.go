package notion

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits of the pause a 429 or 529 asks for. They hold for every holder of
// Notion's budget alike: one Prober's pacer and the budget the replicas
// share (cmd's budgetTransport) both take their pause from PauseOf.
const (
	// DefaultPause is the pause after a 429/529 without a usable
	// Retry-After (none, negative, or not a number or HTTP-date).
	DefaultPause = time.Second
	// MaxPause clamps a Retry-After: a workspace limit may ask for more
	// than a minute, but an absurd value (86400, 1e300, a date years
	// ahead) must not hold every request, or every replica, for a day.
	MaxPause = 10 * time.Minute
)

// Pause is what a 429 or 529 answer asks of every request of the
// integration (and, for the workspace-wide limit, of every integration of
// the workspace): send nothing for For.
type Pause struct {
	// For is how long no request may be sent: Retry-After as
	// delta-seconds (decimals accepted) or an HTTP-date, clamped to
	// [0, MaxPause]; DefaultPause when the answer has no usable one.
	For time.Duration
	// Workspace is true when additional_data.rate_limit_reason names the
	// workspace-wide limit (ReasonWorkspace, in any case): every
	// integration of the workspace shares that budget.
	Workspace bool
	// Reason is additional_data.rate_limit_reason as Notion sent it, for
	// logs ("" when none).
	Reason string
}

// PauseOf is the one place a Notion answer becomes a pause. It returns the
// pause a 429 or 529 answer asks for, and false for any other status. header
// is the answer's header (Retry-After), body its body (read only for
// additional_data.rate_limit_reason; anything else, or nothing, is a pause
// without a reason) and now when the answer came, against which an
// HTTP-date Retry-After is measured.
func PauseOf(status int, header http.Header, body []byte, now time.Time) (Pause, bool) {
	if status != http.StatusTooManyRequests && status != 529 {
		return Pause{}, false
	}
	var env struct {
		AdditionalData struct {
			Reason any `json:"rate_limit_reason"`
		} `json:"additional_data"`
	}
	_ = json.Unmarshal(body, &env) // a body that is not Notion's JSON has no reason
	reason, _ := env.AdditionalData.Reason.(string)
	ra, ok := retryAfter(header.Get("Retry-After"), now)
	return pauseFrom(ra, ok, reason), true
}

// pauseFrom turns a parsed Retry-After (ok false when there was none
// usable) and a rate_limit_reason into a Pause.
func pauseFrom(ra time.Duration, ok bool, reason string) Pause {
	if !ok {
		ra = DefaultPause
	}
	return Pause{For: min(max(ra, 0), MaxPause), Workspace: isWorkspaceReason(reason), Reason: reason}
}

// ReasonWorkspace is Notion's rate_limit_reason for the limit shared by
// every connection of a workspace.
const ReasonWorkspace = "public_api_space_request_rate_limit"

// ReasonConnection is Notion's rate_limit_reason for one connection's own
// limit.
const ReasonConnection = "public_api_request_rate_limit"

// isWorkspaceReason reports whether a rate_limit_reason names the
// workspace-wide limit, in any case ("space" is Notion's internal word for
// a workspace; "Other rate_limit_reason values can appear", and one
// naming the workspace is taken for it).
func isWorkspaceReason(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "space")
}

// retryAfter parses a Retry-After value: delta-seconds (decimals accepted)
// or an HTTP-date (every form net/http reads: RFC 1123, RFC 850, ANSI C).
// Values beyond MaxPause (86400, 1e300, +Inf, a date years ahead) are
// clamped to MaxPause; negative, NaN, hexadecimal and other unparsable
// values are not a Retry-After (false); a date in the past is 0.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, "xX_") {
		// strconv reads hex floats and digit separators; HTTP does not.
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case math.IsNaN(n) || n < 0:
			return 0, false
		case n >= MaxPause.Seconds():
			return MaxPause, true
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now) // saturates instead of overflowing
		return min(max(d, 0), MaxPause), true
	}
	return 0, false
}
