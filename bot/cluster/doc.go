// Package cluster is the state that the replicas of `notion-check serve`
// share (issue 14): the dedupe of Slack deliveries, the verdict cache with
// in-flight coalescing, the Notion budget of each integration and the work
// queue between an envelope's ack and its reply. New picks the backend:
// with Options.URL (REDIS_URL) empty, everything lives in this process's
// memory, as a single replica has always done; with it set, in Redis
// (github.com/redis/go-redis/v9), so that every replica sees the same.
//
// It is a substrate: it knows nothing of Slack's or Notion's wire format
// (keys and values are strings and bytes the caller makes), and imports
// neither bot nor diagnose, so both the bot and the Notion adapter can use
// it through small seams (see "Wiring" below).
//
// # What is shared
//
//   - Dedupe: Seen(key) is SET key NX PX ttl, with ttl Options.DedupeTTL
//     (an hour by default, never under 10 minutes: Slack retries an event
//     at about +1 and +5 minutes). Keys: EventKey(event_id) for events,
//     MessageKey(channel, ts) for the message/app_mention pair of one
//     message, EnvelopeKey(envelope_id) for a redelivered envelope, and
//     the derived CommandKey(team, trigger_id) and ClickKey(team,
//     trigger_id | user+action_ts) for slash commands and clicks, which
//     have no event_id.
//   - VerdictCache: values under verdict:<sha256(key)> with the verdict's
//     TTL; a lease lease:<sha> (SET NX PX, released by a compare-and-delete
//     script) makes one replica probe a reference while the others wait,
//     woken through one pub/sub channel per replica (not one connection per
//     waiter) and a 250 ms poll in case a wake-up was lost. A waiter waits
//     at most CoalesceOptions.Wait (the lease by default), and probes
//     itself when the holder died or published nothing (a result not worth
//     caching). Coalesce is that whole flow.
//   - Budget: one GCRA (generic cell rate algorithm) meter per integration
//     in a short Lua script (gcraScript) that reserves a slot with Redis's
//     clock and returns how long to sleep; the pause after a 429 is a key
//     per integration and one per workspace (Notion's workspace-wide limit
//     of 2026: ScopeWorkspace; the caller reads which limit a 429 names,
//     with notion.PauseOf) whose PTTL the same script counts in. Wait fails at once
//     with ErrDeadline when the slot lies past the caller's deadline;
//     TryTake runs the same script accepting no wait (a slot free now or
//     none), for the prober's speculative calls.
//   - WorkQueue: a stream (XADD, approximate MAXLEN as a safety valve)
//     with one consumer group. The bot acks an envelope only after Enqueue
//     returned; a worker Reads new entries (XREADGROUP), Claims entries
//     pending too long at any consumer (XAUTOCLAIM, so a replica killed
//     mid-work loses nothing), takes the turn to answer with Begin and, once
//     the reply is delivered, Acks (answered marker, XACK and XDEL in one
//     script). Begin's script refuses a key that is answered (TurnAnswered)
//     or whose turn another live worker holds (TurnBusy, a lease of
//     QueueOptions.TurnLease), so an entry claimed twice is answered once.
//     The one window left is a worker dying between Slack accepting its
//     reply and its Ack: the reply is then sent again once its turn
//     expires (at-least-once there, exactly-once everywhere else).
//
// # The rate limiter: a script, not redis_rate
//
// github.com/go-redis/redis_rate (v10.0.1) is the library that fits best
// and was considered. It is not used: it is not among the project's
// allowed dependencies, its last release is of April 2023, and its
// Allow/AllowN refuse a request and leave the caller to poll after
// RetryAfter, which serves replicas in no order and costs a round trip per
// poll; it also cannot count the shared "paused until" keys in the same
// atomic step. The reserving GCRA script here is 17 lines of Lua, one
// round trip per request, serves callers in arrival order across replicas,
// uses Redis's TIME (replicas' clocks may disagree) and honours the
// pauses atomically. Redis 8.8's native GCRA command would replace it once
// deployments have that version (Debian 12 ships 7.0).
//
// # Degradation
//
// When a Redis call fails (or its connection is refused), the operation
// answers from local state — the same in-memory structures as in memory
// mode — and Options.OnDegraded(op, err) is called for every operation that
// did so (a metric hook); one warning is logged per outage. While Redis is
// down no operation tries it (no dial timeout per call); a monitor pings
// it every Options.RetryInterval and, when it answers, replays the writes
// made locally meanwhile (dedupe keys, answered markers and acks), logs
// one line and calls Options.OnRecovered. Nothing panics and nothing
// returns a Redis error to the caller: Enqueue keeps the item in memory
// (not durable, answered by this replica), Budget.Wait paces at
// BudgetConfig.FallbackRate, a lease becomes a local one. Err reports the
// state without a round trip (for /readyz). A Redis restarted without
// persistence loses its keys, including the consumer group, which the
// queue recreates on NOGROUP; run Redis with appendonly for durable work.
//
// # Limits
//
// One Redis address (a managed primary with failover behind it is fine;
// Sentinel discovery is not done): the scripts touch several keys without
// hash tags, so Redis Cluster is not supported.
// Values and payloads are stored as given: the queue holds envelopes (user
// text, response_url) until acked, the cache holds verdicts for their TTL;
// keep Redis private (AUTH, TLS with rediss://, no public address).
//
// # Wiring
//
//   - bot (shared.go): one Seen per delivery, keyed as above; the event
//     loop Enqueues and acks after it returns; workers run the loop shown
//     on WorkQueue and Ack after the reply is posted; verdicts go through
//     Coalesce.
//   - cmd (serve_cluster.go): New(ctx, Options{URL: REDIS_URL, ...}), Err
//     in /readyz, Depth in /metrics, Close at shutdown, and Budget.Wait
//     (TryTake for a speculative call) / Budget.Pause around every Notion
//     request through the prober's transport.
//   - Not yet: the Notion adapter's own per-object cache is not shared
//     (identical readings are coalesced across replicas, not identical
//     references in different texts).
package cluster
