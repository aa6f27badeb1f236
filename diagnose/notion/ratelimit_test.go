package notion_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose/notion"
)

// body429 is Notion's 429 body (Notion's rate-limit reference) with reason as
// additional_data.rate_limit_reason (raw JSON; "" for no additional_data).
func body429(reason string) []byte {
	b := `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"8d0d4c43-4a4e-4bb5-8e6e-6a0c5f7a7f2d"`
	if reason != "" {
		b += `,"additional_data":{"rate_limit_reason":` + reason + `}`
	}
	return []byte(b + "}")
}

func TestPauseOf(t *testing.T) {
	now := time.Date(2026, 6, 16, 9, 30, 0, 0, time.UTC)
	conn, ws := `"public_api_request_rate_limit"`, `"public_api_space_request_rate_limit"`
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string // "" for no header
		body       []byte
		want       notion.Pause
		limited    bool
	}{
		{"200 is no pause", 200, "30", nil, notion.Pause{}, false},
		{"503 is no pause (a retry's own wait)", 503, "30", nil, notion.Pause{}, false},
		{"429 without Retry-After", 429, "", body429(conn), notion.Pause{For: notion.DefaultPause, Reason: "public_api_request_rate_limit"}, true},
		{"delta-seconds", 429, "30", body429(conn), notion.Pause{For: 30 * time.Second, Reason: "public_api_request_rate_limit"}, true},
		{"delta-seconds with spaces", 429, " 2 ", body429(conn), notion.Pause{For: 2 * time.Second, Reason: "public_api_request_rate_limit"}, true},
		{"zero", 429, "0", body429(conn), notion.Pause{For: 0, Reason: "public_api_request_rate_limit"}, true},
		{"decimal", 429, "1.5", body429(conn), notion.Pause{For: 1500 * time.Millisecond, Reason: "public_api_request_rate_limit"}, true},
		{"a day is clamped", 429, "86400", body429(ws), notion.Pause{For: notion.MaxPause, Workspace: true, Reason: "public_api_space_request_rate_limit"}, true},
		{"beyond int64 is clamped", 429, "99999999999999999999999", nil, notion.Pause{For: notion.MaxPause}, true},
		{"1e300 is clamped", 429, "1e300", nil, notion.Pause{For: notion.MaxPause}, true},
		{"HTTP-date (RFC 1123)", 429, "Tue, 16 Jun 2026 09:31:30 GMT", body429(conn), notion.Pause{For: 90 * time.Second, Reason: "public_api_request_rate_limit"}, true},
		{"HTTP-date (RFC 850)", 429, "Tuesday, 16-Jun-26 09:30:45 GMT", nil, notion.Pause{For: 45 * time.Second}, true},
		{"HTTP-date (ANSI C)", 429, "Tue Jun 16 09:30:05 2026", nil, notion.Pause{For: 5 * time.Second}, true},
		{"HTTP-date in the past", 429, "Tue, 16 Jun 2026 09:00:00 GMT", nil, notion.Pause{For: 0}, true},
		{"HTTP-date years ahead is clamped", 429, "Fri, 31 Dec 9999 23:59:59 GMT", nil, notion.Pause{For: notion.MaxPause}, true},
		{"negative is garbage", 429, "-5", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"NaN is garbage", 429, "NaN", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"words are garbage", 429, "soon", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"hex is garbage", 429, "0x10", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"digit separators are garbage", 429, "1_000", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"two values are garbage", 429, "5, 10", nil, notion.Pause{For: notion.DefaultPause}, true},
		{"529 like 429", 529, "3", []byte(`{"object":"error","status":529,"code":"service_overload","message":"Notion is temporarily overloaded. Please try again later.","request_id":"x"}`), notion.Pause{For: 3 * time.Second}, true},
		{"workspace reason", 429, "120", body429(ws), notion.Pause{For: 2 * time.Minute, Workspace: true, Reason: "public_api_space_request_rate_limit"}, true},
		{"workspace reason in upper case", 429, "120", body429(`"PUBLIC_API_SPACE_REQUEST_RATE_LIMIT"`), notion.Pause{For: 2 * time.Minute, Workspace: true, Reason: "PUBLIC_API_SPACE_REQUEST_RATE_LIMIT"}, true},
		{"workspace reason in mixed case", 429, "1", body429(`"Public_Api_Space_Request_Rate_Limit"`), notion.Pause{For: time.Second, Workspace: true, Reason: "Public_Api_Space_Request_Rate_Limit"}, true},
		{"connection reason in upper case", 429, "1", body429(`"PUBLIC_API_REQUEST_RATE_LIMIT"`), notion.Pause{For: time.Second, Reason: "PUBLIC_API_REQUEST_RATE_LIMIT"}, true},
		{"another reason", 429, "1", body429(`"public_api_burst_limit"`), notion.Pause{For: time.Second, Reason: "public_api_burst_limit"}, true},
		{"a reason that is not a string", 429, "1", body429(`42`), notion.Pause{For: time.Second}, true},
		{"an edge page (HTML)", 429, "7", []byte("<html><body>429 Too Many Requests</body></html>"), notion.Pause{For: 7 * time.Second}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			got, limited := notion.PauseOf(tt.status, h, tt.body, now)
			if got != tt.want || limited != tt.limited {
				t.Errorf("PauseOf(%d, Retry-After %q) = %+v, %v; want %+v, %v", tt.status, tt.retryAfter, got, limited, tt.want, tt.limited)
			}
		})
	}
}

// ExamplePauseOf: a workspace-wide 429 whose Retry-After asks for a day is
// a ten-minute pause of every integration of the workspace.
func ExamplePauseOf() {
	h := http.Header{"Retry-After": {"86400"}}
	body := []byte(`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"x","additional_data":{"rate_limit_reason":"public_api_space_request_rate_limit"}}`)
	p, limited := notion.PauseOf(http.StatusTooManyRequests, h, body, time.Now())
	fmt.Println(limited, p.For, p.Workspace)
	// Output: true 10m0s true
}
