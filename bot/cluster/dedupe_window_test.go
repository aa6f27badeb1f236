package cluster

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// TestMemDedupeWindowIsATime: the in-memory dedupe remembers a key for its
// whole TTL however many other keys came since (a count bound would let a
// flood push out a key whose redelivery is still to come), and forgets it
// once the TTL has passed.
func TestMemDedupeWindowIsATime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, err := New(context.Background(), Options{LocalMax: 100, DedupeTTL: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		d := c.Dedupe()
		ctx := context.Background()
		seen := func(k string) bool { first, _ := d.Seen(ctx, k); return !first }
		if seen("a") || !seen("a") {
			t.Fatal("a first delivery taken as seen, or a second as new")
		}
		for i := range 20000 { // far more than LocalMax, within the window
			time.Sleep(time.Millisecond)
			seen(fmt.Sprintf("ev-%d", i))
		}
		time.Sleep(5 * time.Minute) // Slack's last retry comes about 5 minutes later
		if !seen("a") {
			t.Error("a redelivery after 20,000 other keys within the window was taken as new")
		}
		time.Sleep(16 * time.Minute)
		if seen("a") {
			t.Error("a key remembered past its window")
		}
		if n := len(d.(*memDedupe).set.m); n != 1 {
			t.Errorf("%d keys remembered after the window, want 1", n)
		}
	})
}
