package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Bounds of the work queue's use.
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
	// admitterCount is how many deliveries are admitted into Redis at
	// once (each acked once its own admission returned).
	admitterCount = 4
	// readBlock is how long a worker waits for new work before it looks
	// for work left unanswered by a dead replica.
	readBlock = time.Second
)

// shared reports whether the bot shares its state with other replicas
// (Redis): only then can work be handed over or taken over.
func (b *Bot) shared() bool { return b.cfg.Cluster.Shared() }

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

// ingest handles a slash command, event or interaction: one with nothing
// to do is acknowledged (with its answer, for a refused
// slash command); the rest is admitted — its dedupe keys recorded and its
// work queued durably in one atomic step (cluster.Cluster.Admit) — and
// only then acknowledged, so that a replica dying at any point loses
// nothing: either another one answers the queued work, or nothing was
// recorded and Slack's retry is taken in anew. A delivery seen already (by
// any replica) is acknowledged and dropped.
func (b *Bot) ingest(sm *socketmode.Client, evt socketmode.Event, start time.Time) {
	if payload, ok := b.admit(evt); ok {
		b.ack(sm, string(evt.Type), evt.Request.EnvelopeID, payload, start)
	}
}

// admit is ingest without the ack: it returns the ack's payload, and
// false when the delivery must not be acknowledged (Slack retries it).
func (b *Bot) admit(evt socketmode.Event) (ackPayload any, ack bool) {
	req := evt.Request
	if req == nil || req.EnvelopeID == "" {
		return nil, false
	}
	envID := req.EnvelopeID
	var key string
	var seen []string
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
			return p.ack, true
		}
		ackPayload = p.ack
	case socketmode.EventTypeEventsAPI:
		ev, _ := evt.Data.(slackevents.EventsAPIEvent)
		if _, homeEvent, home := homeUser(ev); home {
			// The Home tab is published once across the replicas.
			key = cluster.EnvelopeKey(envID)
			if homeEvent != "" {
				key = cluster.EventKey(homeEvent)
			}
			seen = []string{key}
			break
		}
		m, eventID, ok := incomingOf(ev)
		if !ok || !b.wanted(m) || !b.mayAnswer(m) {
			return nil, true
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
			return nil, true
		}
	default:
		return nil, false
	}
	return b.enqueue(evt, key, seen, ackPayload)
}

// enqueue records evt's work once across the replicas under key (seen
// are the keys a redelivery of it may carry) and returns admit's answer:
// ackPayload, or what a redelivery or a full queue is acknowledged with.
func (b *Bot) enqueue(evt socketmode.Event, key string, seen []string, ackPayload any) (any, bool) {
	req := evt.Request
	kind := string(evt.Type)
	envID := req.EnvelopeID
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
		return nil, false
	case err != nil:
		// Redis full, or the local fallback queue full (Redis down for
		// long under a flood): the request is refused as when too many
		// are pending.
		b.log.Warn("work not queued, refusing", "kind", kind, "error", secret.Redact(err.Error()))
		if evt.Type == socketmode.EventTypeSlashCommand {
			ackPayload = ephemeral(BusyText)
		}
	}
	return ackPayload, true
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
		if user, _, home := homeUser(ev); home {
			return b.homeJob(user), true
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

// admitters admit deliveries into Redis off the event loop, several at
// once: each delivery is still acknowledged only once its own Admit
// returned (exactly once: a replica dying before that leaves Slack's
// retry), but a slow Redis round trip no longer holds the acks of the
// deliveries behind it. In memory (no Redis) admission is a map update
// and is done on the event loop (take is false).
type admitters struct {
	b  *Bot
	in chan admission
	wg sync.WaitGroup
}

type admission struct {
	sm    *socketmode.Client
	evt   socketmode.Event
	start time.Time
}

// startAdmitters starts the admitters with Redis; nil without.
func (b *Bot) startAdmitters() *admitters {
	if !b.shared() {
		return nil
	}
	ad := &admitters{b: b, in: make(chan admission, 64)}
	for range admitterCount {
		ad.wg.Add(1)
		go func() {
			defer ad.wg.Done()
			for a := range ad.in {
				ad.admit(a)
			}
		}()
	}
	return ad
}

// take hands a delivery to the admitters; false when there are none (the
// caller ingests it itself).
func (ad *admitters) take(sm *socketmode.Client, evt socketmode.Event, start time.Time) bool {
	if ad == nil {
		return false
	}
	ad.in <- admission{sm: sm, evt: evt, start: start}
	return true
}

func (ad *admitters) admit(a admission) {
	defer func() {
		if r := recover(); r != nil {
			ad.b.log.Error("panic while admitting a Slack delivery", "type", string(a.evt.Type), "panic", secret.Redact(fmt.Sprint(r)))
		}
	}()
	ad.b.ingest(a.sm, a.evt, a.start)
}

// stop waits for the deliveries handed over to be admitted.
func (ad *admitters) stop() {
	if ad == nil {
		return
	}
	close(ad.in)
	ad.wg.Wait()
}
