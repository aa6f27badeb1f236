package notiontest_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// clock is a fake clock for the fake's rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRateLimits(t *testing.T) {
	type step struct {
		advance time.Duration // before the request
		token   string
		status  int
		ra      string // Retry-After of a 429
		reason  string // rate_limit_reason of a 429
	}
	good, other := notiontest.GoodToken, notiontest.NoReadToken
	conn, ws := notiontest.RateLimitReasonConnection, notiontest.RateLimitReasonWorkspace
	tests := []struct {
		name  string
		opts  []notiontest.Option
		steps []step
	}{
		{
			name: "window: budget per connection, Retry-After until the reset, then a full budget",
			opts: []notiontest.Option{notiontest.WithWindowLimit(3, 60*time.Second)},
			steps: []step{
				{0, good, 200, "", ""}, {0, good, 200, "", ""}, {time.Second, good, 200, "", ""},
				{0, good, 429, "59", conn},
				// every request before the reset is refused, the wait shrinking
				{20 * time.Second, good, 429, "39", conn},
				{38500 * time.Millisecond, good, 429, "1", conn},
				// another connection has its own budget
				{0, other, 200, "", ""},
				{500 * time.Millisecond, good, 200, "", ""}, {0, good, 200, "", ""}, {0, good, 200, "", ""},
				{0, good, 429, "60", conn},
			},
		},
		{
			name: "workspace: one budget for every connection",
			opts: []notiontest.Option{notiontest.WithWindowLimit(10, time.Minute), notiontest.WithWorkspaceLimit(3, 2*time.Minute)},
			steps: []step{
				{0, good, 200, "", ""}, {0, other, 200, "", ""}, {0, good, 200, "", ""},
				{0, other, 429, "120", ws},
				{90 * time.Second, good, 429, "30", ws},
				{30 * time.Second, other, 200, "", ""},
			},
		},
		{
			name: "token bucket: average and burst, Retry-After until the next token",
			opts: []notiontest.Option{notiontest.WithRateLimit(1, 2)},
			steps: []step{
				{0, good, 200, "", ""}, {0, good, 200, "", ""},
				{0, good, 429, "1", conn},
				{0, other, 200, "", ""},
				{400 * time.Millisecond, good, 429, "1", conn},
				{600 * time.Millisecond, good, 200, "", ""},
				{0, good, 429, "1", conn},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
			s := notiontest.NewServer(t, append(tt.opts, notiontest.WithClock(c.now))...)
			want429 := map[string]int{}
			for i, st := range tt.steps {
				c.advance(st.advance)
				g := do(t, s, "GET", "/v1/users/me", st.token, v25)
				if g.status != st.status {
					t.Fatalf("step %d: status %d, want %d (%s)", i, g.status, st.status, g.body)
				}
				if st.status != 429 {
					continue
				}
				want429[st.reason]++
				if ra := g.header.Get("Retry-After"); ra != st.ra {
					t.Errorf("step %d: Retry-After %q, want %q", i, ra, st.ra)
				}
				if !strings.Contains(g.body, `"code":"rate_limited"`) || !strings.Contains(g.body, `"additional_data":{"rate_limit_reason":"`+st.reason+`"}`) {
					t.Errorf("step %d: body %s", i, g.body)
				}
			}
			got := s.RateLimited()
			for k, v := range want429 {
				if got[k] != v {
					t.Errorf("RateLimited %v, want %v", got, want429)
				}
			}
			if s.Count429() != want429[conn]+want429[ws] {
				t.Errorf("Count429 %d, want %v", s.Count429(), want429)
			}
		})
	}
}
