package notion

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// onVirtualClock runs f in a testing/synctest bubble: time stands still
// while any goroutine of the test works, and jumps to the next timer when
// all of them wait (a pause after a 429, a slot of the bucket, a slow
// answer, a deadline). Pacing, Retry-After and deadlines are then exact,
// with no scheduling jitter, and cost no wall time; a test can fail for
// the same bugs as on the real clock (a retry sent before its Retry-After
// is still seen by the fake's call log, now to the nanosecond). Under
// NOTION_MEASURE=1, f runs on the real clock against a fake on a socket,
// so that the logged figures are wall times.
func onVirtualClock(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if measuring() {
		f(t)
		return
	}
	synctest.Test(t, f)
}

// virtualRTT is the round trip of the in-process fake on the virtual clock.
const virtualRTT = 20 * time.Millisecond

// fakeNotion starts the fake Notion of a test run by onVirtualClock and
// returns the transport that reaches it (set it as Config.Transport with
// BaseURL srv.URL): in process on the virtual clock (a goroutine waiting
// on a socket would hold the bubble's clock forever), nil (the adapter's
// own transport) on a socket when measuring.
func fakeNotion(t testing.TB, opts ...nt.Option) (*nt.Server, http.RoundTripper) {
	t.Helper()
	if measuring() {
		return nt.NewServer(t, opts...), nil
	}
	// A round trip on the virtual clock takes virtualRTT (unless opts set
	// another latency): calls sent together are on the wire together, as
	// over a network, instead of each being answered before the next is
	// sent.
	srv := nt.NewServer(t, append(append([]nt.Option{nt.WithLatency(virtualRTT)}, opts...), nt.InProcess())...)
	return srv, srv.Transport()
}

// virtualFixture is newFixture on the fake of fakeNotion: for a test run
// by onVirtualClock.
func virtualFixture(t *testing.T, cfg Config, opts ...nt.Option) fixture {
	t.Helper()
	srv, tr := fakeNotion(t, opts...)
	return fixtureOn(t, cfg, srv, tr)
}
