package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Defaults of the shared mode (Config.Cluster).
const (
	// DefaultClaimAfter is how long the turn of a queued item outlives
	// the last heartbeat of the replica answering it (it renews it every
	// third of that while it works, however long): a replica that died,
	// was paused or cut off from Redis has its work taken over that long
	// after its last heartbeat.
	DefaultClaimAfter = cluster.DefaultTurnLease
	// admitTimeout bounds the Redis work before an ack (one round trip,
	// Admit), well inside Slack's 3 s; past it the work is kept locally.
	admitTimeout = 1500 * time.Millisecond
	// dedupeTimeout bounds one shared dedupe look-up (seenShared).
	dedupeTimeout = 800 * time.Millisecond
	// maxWorkAttempts bounds the turns taken for one item whose reply keeps
	// failing: after that it is dropped (acked) with a log line.
	maxWorkAttempts = 3
	// readBlock is how long a worker waits for new work before it looks
	// for work left unanswered by a dead replica.
	readBlock = time.Second
)

// shared reports whether the bot shares its state with other replicas.
func (b *Bot) shared() bool { return b.cfg.Cluster != nil && b.cfg.Cluster.Shared() }

// queued is what the work queue holds for one envelope: enough to plan it
// again on any replica.
type queued struct {
	Kind       string          `json:"kind"`
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

// seenShared asks the shared dedupe whether key was recorded already (by
// any replica), and counts a hit. For what queues no work (the admin
// channel's notices); a delivery with work goes through Admit.
func (b *Bot) seenShared(ctx context.Context, key string) bool {
	first, _ := b.cfg.Cluster.Dedupe().Seen(ctx, key)
	if !first {
		b.cfg.Hooks.dedupeHit(dedupeKind(key))
	}
	return !first
}

// dedupeKind names a dedupe key's kind for the hit metric.
func dedupeKind(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	switch kind {
	case "cmd", "env":
		kind = "command"
	case "msg":
		kind = "message"
	}
	return kind
}

// ingest handles a slash command, event or interaction with Config.Cluster:
// one with nothing to do is acknowledged (with its answer, for a refused
// slash command); the rest is admitted — its dedupe keys recorded and its
// work queued durably in one atomic step (cluster.Cluster.Admit) — and
// only then acknowledged, so that a replica dying at any point loses
// nothing: either another one answers the queued work, or nothing was
// recorded and Slack's retry is taken in anew. A delivery seen already (by
// any replica) is acknowledged and dropped.
func (b *Bot) ingest(sm *socketmode.Client, evt socketmode.Event, start time.Time) {
	req := evt.Request
	if req == nil || req.EnvelopeID == "" {
		return
	}
	kind := string(evt.Type)
	envID := req.EnvelopeID
	var key string
	var seen []string
	var ackPayload any
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		key = cluster.CommandKey(cmd.TeamID, cmd.TriggerID, envID)
		seen = []string{key}
		p := b.planSlash(cmd, req.Payload)
		if !p.work {
			if p.why != "" {
				b.log.Warn("slash command refused", "reason", p.why, "channel", cmd.ChannelID, "team", cmd.TeamID)
			}
			b.ack(sm, kind, envID, p.ack, start)
			return
		}
		ackPayload = p.ack
	case socketmode.EventTypeEventsAPI:
		ev, _ := evt.Data.(slackevents.EventsAPIEvent)
		if _, homeEvent, home := homeUser(ev); home {
			// The Home tab is published by the replica that got the
			// event (no diagnosis, nothing to hand over), once across
			// the replicas.
			dup := false
			if homeEvent != "" {
				ctx, cancel := context.WithTimeout(context.Background(), dedupeTimeout)
				dup = b.seenShared(ctx, cluster.EventKey(homeEvent))
				cancel()
			}
			b.ack(sm, kind, envID, nil, start)
			if !dup {
				b.onHome(ev)
			}
			return
		}
		m, eventID, ok := incomingOf(ev)
		if !ok || !b.wanted(m) || !b.mayAnswer(m) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
		// A message and the app_mention of the same message are two
		// events with one answer.
		key = cluster.MessageKey(m.channel, m.ts)
		if eventID != "" {
			seen = append(seen, cluster.EventKey(eventID))
		}
		seen = append(seen, key)
	case socketmode.EventTypeInteractive:
		cb, _ := evt.Data.(slack.InteractionCallback)
		team := cb.User.TeamID
		if team == "" {
			team = cb.Team.ID
		}
		key = cluster.ClickKey(team, cb.TriggerID, cb.User.ID, cb.ActionTs, envID)
		seen = []string{key}
		if _, ok := b.planInteraction(cb); !ok && !b.surfaceWanted(cb) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
	default:
		return
	}
	payload, err := json.Marshal(queued{Kind: kind, EnvelopeID: envID, Payload: req.Payload})
	var dup string
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), admitTimeout)
		_, dup, err = b.cfg.Cluster.Admit(ctx, seen, key, payload)
		cancel()
	}
	switch {
	case dup != "":
		b.cfg.Hooks.dedupeHit(dedupeKind(dup))
		if evt.Type == socketmode.EventTypeSlashCommand {
			b.log.Info("redelivered slash command acknowledged, not run again", "envelope_id", envID)
			ackPayload = ephemeral(CheckingText)
		} else {
			ackPayload = nil
		}
	case errors.Is(err, cluster.ErrOutOfMemory) && evt.Type != socketmode.EventTypeSlashCommand:
		// Redis is full: nothing was recorded. Not acknowledged, so that
		// Slack retries it (about +1 and +5 minutes) when Redis may have
		// room; a slash command is told at once instead (below).
		b.log.Warn("work not queued: redis is full, leaving the delivery to Slack's retry", "kind", kind)
		return
	case err != nil:
		// Redis full, or the local fallback queue full (Redis down for
		// long under a flood): the request is refused as when too many
		// are pending.
		b.log.Warn("work not queued, refusing", "kind", kind, "error", secret.Redact(err.Error()))
		if evt.Type == socketmode.EventTypeSlashCommand {
			ackPayload = ephemeral(BusyText)
		}
	}
	b.ack(sm, kind, envID, ackPayload, start)
}

// jobOf plans a queued envelope again (on whichever replica took it) and
// returns its job; false when there is nothing to answer.
func (b *Bot) jobOf(payload []byte) (job, bool) {
	var q queued
	if err := json.Unmarshal(payload, &q); err != nil {
		return job{}, false
	}
	switch socketmode.EventType(q.Kind) {
	case socketmode.EventTypeSlashCommand:
		var cmd slack.SlashCommand
		if json.Unmarshal(q.Payload, &cmd) != nil {
			return job{}, false
		}
		p := b.planSlash(cmd, q.Payload)
		if !p.work {
			return job{}, false
		}
		return b.slashJob(cmd, p), true
	case socketmode.EventTypeEventsAPI:
		ev, err := slackevents.ParseEvent(q.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return job{}, false
		}
		m, _, ok := incomingOf(ev)
		if !ok || !b.wanted(m) {
			return job{}, false
		}
		p := b.planEvent(m)
		if !p.any() {
			return job{}, false
		}
		return b.eventJob(m, p), true
	case socketmode.EventTypeInteractive:
		var cb slack.InteractionCallback
		if json.Unmarshal(q.Payload, &cb) != nil {
			return job{}, false
		}
		return b.interactionJob(cb)
	}
	return job{}, false
}

// workers takes the queued work until ctx (the end of serving) is done:
// Config.MaxConcurrent workers each take one item at a time: one left
// unanswered by a replica that stopped renewing its turn (a claim, at most
// every claimEvery per replica), else a new one.
type workers struct {
	b         *Bot
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	lastClaim atomic.Int64 // unix nanoseconds of the last Claim
}

// claimEvery spaces the Claims of one replica's workers: one XAUTOCLAIM
// each claimEvery at most, not one per worker per item.
const claimEvery = 250 * time.Millisecond

// mayClaim reports whether this worker may look for abandoned work now
// (at most once per claimEvery per replica).
func (w *workers) mayClaim() bool {
	now := time.Now().UnixNano()
	last := w.lastClaim.Load()
	return now-last >= int64(claimEvery) && w.lastClaim.CompareAndSwap(last, now)
}

func (b *Bot) startWorkers() *workers {
	w := &workers{b: b}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	for range b.cfg.MaxConcurrent {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.loop()
		}()
	}
	return w
}

func (w *workers) loop() {
	b := w.b
	q := b.cfg.Cluster.Queue()
	for w.ctx.Err() == nil {
		var items []*cluster.Item
		if w.mayClaim() {
			// Work whose turn ran out (its replica died, was paused or
			// cut off, or handed it back) comes before new work: it is
			// older. Its pending entry is idle for ClaimAfter only when
			// nobody renews it (the holder's heartbeat resets it).
			items, _ = q.Claim(w.ctx, b.cfg.ClaimAfter, 1)
			b.cfg.Hooks.claimed(len(items))
			if len(items) > 0 {
				b.log.Info("took over work another replica left unanswered", "items", len(items))
			}
		}
		if len(items) == 0 {
			var err error
			if items, err = q.Read(w.ctx, 1, readBlock); err != nil {
				return
			}
		}
		for _, it := range items {
			b.work(it)
		}
	}
}

// stop stops taking new work and, in the background (tracked as work in
// flight, so the shutdown waits for it), waits for the workers' current
// items, then answers the items this replica holds in memory only (queued
// while Redis was down): no other replica can. It first stops counting
// this replica alive (so that a shutdown hands work only to replicas that
// stay) and makes any item a read delivered here without a worker
// beginning it claimable by the others at once. Items in Redis that no
// worker began stay in the queue for another replica.
func (w *workers) stop() {
	w.cancel()
	b := w.b
	q := b.cfg.Cluster.Queue()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	b.cfg.Cluster.Leave(ctx)
	// What a read delivered and no worker began goes back now (a worker
	// that begins one of them meanwhile holds its turn: the others leave
	// it), and again once the workers are done.
	_ = q.ReleaseUnbegun(ctx)
	cancel()
	// Tracked so that the shutdown waits for it, but not counted as a
	// request in flight (see shutdown).
	b.draining.Add(1)
	b.wg.Add(1)
	go func() {
		defer b.draining.Add(-1)
		defer b.wg.Done()
		w.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := q.ReleaseUnbegun(ctx); err != nil {
			b.log.Warn("queued work read but not begun could not be handed back; another replica takes it after REDIS_CLAIM_AFTER",
				"error", secret.Redact(err.Error()))
		}
		cancel()
		for {
			// Only the items kept in this replica's memory: reading the
			// shared queue now would take one more item from the others.
			items := q.Local(1)
			if len(items) == 0 {
				return
			}
			b.work(items[0])
		}
	}()
}

// work answers one queued item if it is this replica's turn, and acks it
// once the answer is delivered. While it works the turn is renewed every
// third of Config.ClaimAfter (a heartbeat: another replica takes the item
// over only once this one stops renewing), and checked right before
// every post (fencing: a replica that lost its turn — paused past it, or
// cut off from Redis — posts nothing). At shutdown, an item it cannot
// finish goes back to the other replicas when any is alive, and is
// answered StoppedText only when none is. An item whose answer could not
// be delivered is left pending: another replica (or this one) retries it
// once its turn runs out, at most maxWorkAttempts times.
func (b *Bot) work(it *cluster.Item) {
	defer func() {
		if r := recover(); r != nil { // the item stays pending: claimed later, at most maxWorkAttempts turns
			b.log.Error("panic while taking queued work, recovered", "panic", secret.Redact(fmt.Sprint(r)))
		}
	}()
	q := b.cfg.Cluster.Queue()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	turn, err := q.Begin(ctx, it)
	cancel()
	if err != nil || turn == cluster.TurnBusy {
		return
	}
	ack := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := q.Ack(ctx, it); err != nil && !errors.Is(err, context.Canceled) {
			b.log.Warn("queued work answered but not acknowledged", "error", secret.Redact(err.Error()))
		}
	}
	if turn == cluster.TurnAnswered {
		ack()
		return
	}
	j, ok := b.jobOf(it.Payload)
	if !ok {
		ack()
		return
	}
	b.wg.Add(1)
	defer b.wg.Done()
	hb := b.heartbeat(it)
	defer hb.stop()
	j.owns = func(ctx context.Context) bool { return hb.owns(ctx) }
	j.handOff = func() bool { return b.handBack(it) }
	if b.cfg.Hooks.OnTurn != nil {
		b.cfg.Hooks.OnTurn(it.Key)
	}
	answered, stopped, gone := b.runJob(j)
	if gone {
		return // another replica answers it
	}
	if answered+stopped > 0 || it.Attempt >= maxWorkAttempts {
		if answered+stopped == 0 {
			b.log.Error("queued work dropped: its answer could not be delivered", "handler", j.what, "attempts", it.Attempt)
		}
		ack()
	}
}

// handBack gives an item this replica cannot finish (shutdown) back to the
// other replicas, when any is alive; false when none is (the caller
// answers StoppedText) or it could not be handed back.
func (b *Bot) handBack(it *cluster.Item) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	others, err := b.cfg.Cluster.Others(ctx)
	if err != nil || others == 0 {
		return false
	}
	if err := b.cfg.Cluster.Queue().Release(ctx, it); err != nil {
		return false
	}
	b.log.Info("unfinished work handed back to the other replicas", "replicas_alive", others)
	return true
}

// turnBeat renews one item's turn while this replica works on it.
type turnBeat struct {
	b    *Bot
	it   *cluster.Item
	stop func()
	lost atomic.Bool
}

// heartbeat starts renewing it's turn every third of Config.ClaimAfter
// until stop.
func (b *Bot) heartbeat(it *cluster.Item) *turnBeat {
	hb := &turnBeat{b: b, it: it}
	done := make(chan struct{})
	var once sync.Once
	hb.stop = func() { once.Do(func() { close(done) }) }
	go func() {
		t := time.NewTicker(max(b.cfg.ClaimAfter/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), max(b.cfg.ClaimAfter/3, 100*time.Millisecond))
			held, err := b.cfg.Cluster.Queue().Renew(ctx, it)
			cancel()
			if !held && errors.Is(err, cluster.ErrLostTurn) {
				hb.lost.Store(true)
				b.log.Warn("lost the turn of queued work (this replica was paused or cut off too long): another replica answers it")
				return
			}
		}
	}()
	return hb
}

// owns is the fencing check right before a post: the turn is renewed in
// Redis now (not just remembered from the last heartbeat).
func (hb *turnBeat) owns(ctx context.Context) bool {
	var err error
	held := !hb.lost.Load()
	if held {
		held, err = hb.b.cfg.Cluster.Queue().Renew(ctx, hb.it)
	}
	if held {
		return true
	}
	hb.lost.Store(true)
	hb.b.log.Warn("not posting: this replica no longer holds the turn of the request (another replica answers it)",
		"reason", errString(err))
	if hb.b.cfg.Hooks.OnFenced != nil {
		hb.b.cfg.Hooks.OnFenced()
	}
	return false
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return secret.Redact(err.Error())
}
