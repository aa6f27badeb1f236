package notiontest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestInProcessAnswersLikeTheSocket: through Server.Transport the fake
// answers what it answers on its socket, header and body (request IDs
// aside), for answers and faults alike.
func TestInProcessAnswersLikeTheSocket(t *testing.T) {
	rid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	fault := notiontest.WithFault(notiontest.Fault{PathPrefix: "/v1/databases/", Status: 429, RetryAfter: "2"})
	sock := notiontest.NewServer(t, fault)
	inproc := notiontest.NewServer(t, fault, notiontest.InProcess())
	if inproc.URL != notiontest.InProcessURL {
		t.Fatalf("in-process URL %q", inproc.URL)
	}
	get := func(c *http.Client, base, path string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+notiontest.GoodToken)
		req.Header.Set("Notion-Version", notiontest.Version20250903)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		h := resp.Header.Clone()
		h.Del("Date")
		h.Del("X-Notion-Request-Id")
		return resp.StatusCode, h, rid.ReplaceAllString(string(b), "RID")
	}
	for _, path := range []string{"/v1/pages/" + notiontest.SharedPageID, "/v1/blocks/" + notiontest.UnsharedPageID, "/v1/databases/" + notiontest.DatabaseID, "/v1/users/me"} {
		s1, h1, b1 := get(http.DefaultClient, sock.URL, path)
		s2, h2, b2 := get(&http.Client{Transport: inproc.Transport()}, inproc.URL, path)
		if s1 != s2 || b1 != b2 || len(h1) != len(h2) {
			t.Errorf("%s: socket %d %v %s\nin process %d %v %s", path, s1, h1, b1, s2, h2, b2)
		}
		for k := range h1 {
			if h1.Get(k) != h2.Get(k) {
				t.Errorf("%s: header %s: socket %q, in process %q", path, k, h1.Get(k), h2.Get(k))
			}
		}
	}
	if n := len(inproc.Calls()); n != 4 {
		t.Errorf("the in-process fake logged %d calls, want 4", n)
	}
}

// TestInProcessOnVirtualClock: in a synctest bubble the fake's latency is
// virtual time, and a request whose context ends first gets its error.
func TestInProcessOnVirtualClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := notiontest.NewServer(t, notiontest.InProcess(), notiontest.WithLatency(time.Hour))
		c := &http.Client{Transport: srv.Transport()}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/users/me", nil)
		req.Header.Set("Authorization", "Bearer "+notiontest.GoodToken)
		req.Header.Set("Notion-Version", notiontest.Version20250903)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if el := time.Since(start); resp.StatusCode != 200 || el != time.Hour {
			t.Fatalf("status %d after %v of virtual time, want 200 after 1h", resp.StatusCode, el)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := c.Do(req.WithContext(ctx)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a request past its deadline: %v, want context.DeadlineExceeded", err)
		}
	})
}
