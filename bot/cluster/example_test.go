package cluster_test

import (
	"context"
	"fmt"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
)

// The bot's side: dedupe a delivery, queue it, ack, and answer it once.
func Example() {
	ctx := context.Background()
	c, err := cluster.New(ctx, cluster.Options{URL: ""}) // REDIS_URL unset: in memory
	if err != nil {
		panic(err)
	}
	defer c.Close()

	// The event loop, for each envelope (here the same event twice, as
	// when Slack retries it).
	for range 2 {
		key := cluster.EventKey("Ev0123ABCD")
		if first, _ := c.Dedupe().Seen(ctx, key); !first {
			fmt.Println("duplicate: ack, nothing else")
			continue
		}
		if _, err := c.Queue().Enqueue(ctx, key, []byte(`{"envelope_id":"e-1"}`)); err != nil {
			fmt.Println("not queued: do not ack", err)
			continue
		}
		fmt.Println("queued: ack")
	}

	// A worker.
	items, _ := c.Queue().Read(ctx, 8, time.Second)
	for _, it := range items {
		switch turn, _ := c.Queue().Begin(ctx, it); turn {
		case cluster.TurnMine:
			fmt.Println("answer", it.Key, "attempt", it.Attempt)
			c.Queue().Ack(ctx, it) // after the reply was delivered
		case cluster.TurnAnswered:
			c.Queue().Ack(ctx, it)
		}
	}
	// Output:
	// queued: ack
	// duplicate: ack, nothing else
	// answer event:Ev0123ABCD attempt 1
}

// The Notion adapter's side: one probe per reference across the replicas.
func ExampleCoalesce() {
	ctx := context.Background()
	c, _ := cluster.New(ctx, cluster.Options{})
	defer c.Close()
	probe := func(context.Context) ([]byte, time.Duration) {
		return []byte(`{"kind":"page","access":"ok"}`), 30 * time.Second
	}
	key := "iris|2025-09-03|3d47810f-380f-80d7-a001-000000000003|page|"
	for range 2 {
		v, outcome := cluster.Coalesce(ctx, c.Reports(), key, cluster.CoalesceOptions{}, probe)
		fmt.Println(outcome, string(v))
	}
	// Output:
	// probed {"kind":"page","access":"ok"}
	// cached {"kind":"page","access":"ok"}
}
