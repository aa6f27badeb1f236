// Package cluster is the state that the replicas of `notion-check serve`
// share: the dedupe of Slack deliveries, the report cache with
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
//   - ReportCache: values under verdict:<sha256(key)> (the key keeps its
//     first name, so replicas of either version share it) with the report's
//     TTL; a lease lease:<sha> (SET NX PX of TurnLease, renewed by its
//     holder every third of it up to the caller's ttl, released by a
//     compare-and-delete script) makes one replica probe a reference while the others wait,
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
//     with one consumer group. The bot acks an envelope only after Admit
//     returned: one script that records its dedupe keys and XADDs its work
//     (the XADD first), so no replica can die between a seen mark and its
//     work. A worker Claims entries idle for TurnLease at any consumer
//     (XAUTOCLAIM) before it Reads new ones (XREADGROUP), takes the turn to
//     answer with Begin and, once the reply is delivered, Acks (answered
//     marker, XACK and XDEL in one script). Begin's script refuses a key
//     that is answered (TurnAnswered) or whose turn another worker holds
//     (TurnBusy). A turn lives QueueOptions.TurnLease (10 s) past its
//     holder's last Renew: the holder renews it every third of that while
//     it works (which also resets the entry's idle time, so nobody claims
//     it), and right before posting (fencing: a holder that was paused or
//     cut off past its turn learns it lost it and posts nothing). Release
//     and ReleaseUnbegun hand work back at shutdown (the entry made idle
//     for a month: the next Claim anywhere takes it). The one window left
//     is a worker stopped between that last check and Slack accepting its
//     reply, or dying before its Ack: the reply may then be sent twice
//     (at-least-once there, exactly-once everywhere else).
//   - Liveness: every replica's heartbeat (each RetryInterval) counts it
//     in a sorted set of replicas alive (Others; Leave at shutdown) and
//     reads the data's epoch and a sequence, which tell it when Redis
//     lost its data.
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
// state without a round trip (for /readyz). A shared item is never begun
// under a local turn (another replica may hold the shared one): it waits
// for Redis. Once Redis is back, the items queued locally move to the
// stream.
//
// # Redis full, Redis that lost its data
//
// A write refused for lack of memory (OOM under noeviction) does not mark
// Redis down: Err wraps ErrOutOfMemory, Options.OnFull is called, Admit
// refuses new work with nothing recorded, and the scripts of the work
// already queued (begin, renew, release, ack, the heartbeat) run with the
// allow-oom flag (Redis 7.0+), a few small keys per item, so that it is
// still read and answered once. A plain write at each heartbeat tells when
// Redis has room again.
//
// A heartbeat that reads another epoch than the last one it read (the
// first beat after a loss sets a new random one), or a sequence not above
// the last one it read, means Redis lost (or rolled back) its data: the replica puts the items it
// holds back (turn and a new entry), reports the queued items no replica
// had taken as lost (Options.OnDataLost, Err wraps ErrDataLost for
// DataLossNotice) and logs it. Run Redis with appendonly yes and
// maxmemory-policy noeviction.
//
// # Limits
//
// One Redis address (a managed primary with failover behind it is fine;
// Sentinel discovery is not done): the scripts touch several keys without
// hash tags, so Redis Cluster is not supported.
// Values and payloads are stored as given: the queue holds envelopes (user
// text, response_url) until acked, the cache holds reports for their TTL;
// keep Redis private (AUTH, TLS with rediss://, no public address).
//
// # Wiring
//
//   - bot (shared.go): one Seen per delivery, keyed as above; the event
//     loop Enqueues and acks after it returns; workers run the loop shown
//     on WorkQueue and Ack after the reply is posted; reports go through
//     Coalesce.
//   - cmd (serve_cluster.go): New(ctx, Options{URL: REDIS_URL, ...}), Err
//     in /readyz, Depth in /metrics, Close at shutdown, and Budget.Wait
//     (TryTake for a speculative call) / Budget.Pause around every Notion
//     request through the prober's transport.
//   - Not yet: the Notion adapter's own per-object cache is not shared
//     (identical readings are coalesced across replicas, not identical
//     references in different texts).
package cluster
