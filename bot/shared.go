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
	// DefaultClaimAfter is how long a queued item may stay unanswered at
	// one replica before another takes it over: longer than a diagnosis
	// (DefaultDiagnosisTimeout) and its reply (DefaultReplyTimeout).
	DefaultClaimAfter = 60 * time.Second
	// dedupeTimeout and enqueueTimeout bound the Redis work before an
	// ack, together well inside Slack's 3 s. Each has its own: a slow
	// dedupe answers locally and must not leave the enqueue no time.
	dedupeTimeout  = 800 * time.Millisecond
	enqueueTimeout = time.Second
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

// seenShared asks the shared dedupe whether key was delivered already, and
// counts a hit.
func (b *Bot) seenShared(ctx context.Context, key string) bool {
	first, _ := b.cfg.Cluster.Dedupe().Seen(ctx, key)
	if !first {
		kind, _, _ := strings.Cut(key, ":")
		switch kind {
		case "cmd", "env":
			kind = "command"
		case "msg":
			kind = "message"
		}
		b.cfg.Hooks.dedupeHit(kind)
	}
	return !first
}

// ingest handles a slash command, event or interaction with Config.Cluster:
// a delivery seen already (by any replica) is acknowledged and dropped; one
// with nothing to do is acknowledged (with its answer, for a refused slash
// command); the rest is queued durably and only then acknowledged, so that
// a replica dying after the ack loses nothing: another one answers it.
func (b *Bot) ingest(sm *socketmode.Client, evt socketmode.Event, start time.Time) {
	req := evt.Request
	if req == nil || req.EnvelopeID == "" {
		return
	}
	kind := string(evt.Type)
	envID := req.EnvelopeID
	ctx, cancel := context.WithTimeout(context.Background(), dedupeTimeout)
	defer cancel()
	var key string
	var ackPayload any
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		key = cluster.CommandKey(cmd.TeamID, cmd.TriggerID, envID)
		if b.seenShared(ctx, key) {
			b.log.Info("redelivered slash command acknowledged, not run again", "envelope_id", envID)
			b.ack(sm, kind, envID, ephemeral(CheckingText), start)
			return
		}
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
			seen := homeEvent != "" && b.seenShared(ctx, cluster.EventKey(homeEvent))
			b.ack(sm, kind, envID, nil, start)
			if !seen {
				b.onHome(ev)
			}
			return
		}
		m, eventID, ok := incomingOf(ev)
		if !ok || (eventID != "" && b.seenShared(ctx, cluster.EventKey(eventID))) || !b.wanted(m) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
		if !b.planEvent(m).any() {
			b.ack(sm, kind, envID, nil, start)
			return
		}
		// A message and the app_mention of the same message are two
		// events with one answer.
		key = cluster.MessageKey(m.channel, m.ts)
		if b.seenShared(ctx, key) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
	case socketmode.EventTypeInteractive:
		cb, _ := evt.Data.(slack.InteractionCallback)
		team := cb.User.TeamID
		if team == "" {
			team = cb.Team.ID
		}
		key = cluster.ClickKey(team, cb.TriggerID, cb.User.ID, cb.ActionTs, envID)
		if b.seenShared(ctx, key) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
		if _, ok := b.planInteraction(cb); !ok && !b.surfaceWanted(cb) {
			b.ack(sm, kind, envID, nil, start)
			return
		}
	default:
		return
	}
	payload, err := json.Marshal(queued{Kind: kind, EnvelopeID: envID, Payload: req.Payload})
	if err == nil {
		qctx, qcancel := context.WithTimeout(context.Background(), enqueueTimeout)
		_, err = b.cfg.Cluster.Queue().Enqueue(qctx, key, payload)
		qcancel()
	}
	if err != nil {
		// Only when the local fallback queue is full (Redis down for long
		// under a flood): the request is refused as when too many are
		// pending.
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
// Config.MaxConcurrent workers each read one new item at a time and, when
// there is none, take over one left unanswered for Config.ClaimAfter.
type workers struct {
	b         *Bot
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	lastClaim atomic.Int64 // unix nanoseconds of the last Claim
}

// claimEvery spaces the Claims of one replica's idle workers: one
// XAUTOCLAIM each claimEvery at most, not one per idle worker per second.
const claimEvery = 250 * time.Millisecond

// mayClaim reports whether this idle worker may look for abandoned work
// now (at most once per claimEvery per replica).
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
		items, err := q.Read(w.ctx, 1, readBlock)
		if err != nil {
			return
		}
		if len(items) == 0 && w.mayClaim() {
			// A little past the turn a dead holder took (it began the
			// item just after reading it), so that the claimer's Begin
			// finds the turn expired rather than busy.
			items, _ = q.Claim(w.ctx, b.cfg.ClaimAfter+b.cfg.ClaimAfter/8, 1)
			b.cfg.Hooks.claimed(len(items))
			if len(items) > 0 {
				b.log.Info("took over work another replica left unanswered", "items", len(items))
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
// while Redis was down): no other replica can. Items in Redis that no
// worker began stay in the queue for another replica.
func (w *workers) stop() {
	w.cancel()
	b := w.b
	// Tracked so that the shutdown waits for it, but not counted as a
	// request in flight (see shutdown).
	b.draining.Add(1)
	b.wg.Add(1)
	go func() {
		defer b.draining.Add(-1)
		defer b.wg.Done()
		w.wg.Wait()
		q := b.cfg.Cluster.Queue()
		for {
			// Local items come first; the first Redis item ends the
			// drain and stays pending (another replica claims it after
			// Config.ClaimAfter).
			items, err := q.Read(context.Background(), 1, time.Millisecond)
			if err != nil || len(items) == 0 || !strings.HasPrefix(items[0].ID, "local-") {
				return
			}
			b.work(items[0])
		}
	}()
}

// work answers one queued item if it is this replica's turn, and acks it
// once the answer is delivered. An item whose answer could not be
// delivered is left pending: another replica (or this one) retries it
// after Config.ClaimAfter, at most maxWorkAttempts times.
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
	answered, stopped := b.runJob(j)
	if answered+stopped > 0 || it.Attempt >= maxWorkAttempts {
		if answered+stopped == 0 {
			b.log.Error("queued work dropped: its answer could not be delivered", "handler", j.what, "attempts", it.Attempt)
		}
		ack()
	}
}
