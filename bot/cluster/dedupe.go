package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Dedupe remembers keys for a TTL (Options.DedupeTTL, at least 10 minutes)
// across every replica, so that one Slack envelope, event, command or click
// is answered once even when Slack delivers it again to another replica's
// connection. Build keys with EventKey, EnvelopeKey, MessageKey, CommandKey
// and ClickKey.
type Dedupe interface {
	// Seen records key and reports whether this call was the first to see
	// it within the TTL. err is non-nil only when ctx ended first; first
	// is then this replica's local answer. A Redis failure is never an
	// error: the local answer is returned and Options.OnDegraded told.
	Seen(ctx context.Context, key string) (first bool, err error)
}

// EventKey is the dedupe key of an Events API event: Slack's event_id is
// the same on every retry of one event, whichever connection it reaches.
func EventKey(eventID string) string { return "event:" + eventID }

// EnvelopeKey is the dedupe key of a Socket Mode envelope: a slash command
// or click redelivered after a dropped socket keeps its envelope_id.
func EnvelopeKey(envelopeID string) string { return "env:" + envelopeID }

// MessageKey is the dedupe key of a message by channel and ts: Slack sends
// a message event and an app_mention event (two event_ids) for one message
// that mentions the bot; both map to this key.
func MessageKey(channel, ts string) string { return "msg:" + channel + "/" + ts }

// CommandKey is the derived dedupe key of a slash command, which has no
// event_id: its trigger_id is unique per invocation and kept in a
// redelivered envelope. With no trigger_id it falls back to the envelope.
func CommandKey(teamID, triggerID, envelopeID string) string {
	if triggerID == "" {
		return EnvelopeKey(envelopeID)
	}
	return "cmd:" + teamID + "/" + triggerID
}

// ClickKey is the derived dedupe key of a block action (a "Check again"
// click): trigger_id is unique per click; with none, the user and the
// action_ts identify it; with neither, the envelope.
func ClickKey(teamID, triggerID, userID, actionTS, envelopeID string) string {
	switch {
	case triggerID != "":
		return "click:" + teamID + "/" + triggerID
	case actionTS != "":
		return "click:" + teamID + "/" + userID + "/" + actionTS
	default:
		return EnvelopeKey(envelopeID)
	}
}

// maxKeyLen is the longest key stored as is; longer ones are hashed.
const maxKeyLen = 200

// storeKey bounds a caller's key for Redis: short keys stay readable
// (they are Slack IDs), long ones become a SHA-256.
func storeKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ttlSet remembers keys for a while, bounded in size (oldest first out)
// when max > 0. With max 0 it is bounded by time only: a key is forgotten
// once its window has passed, however many others came since (the dedupe
// of deliveries: forgetting one early would answer a redelivery twice).
type ttlSet struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	m     map[string]time.Time
	order []string
}

func newTTLSet(ttl time.Duration, max int) *ttlSet {
	return &ttlSet{ttl: ttl, max: max, m: map[string]time.Time{}}
}

// add records key and reports whether it was new.
func (s *ttlSet) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for len(s.order) > 0 {
		k := s.order[0]
		exp, ok := s.m[k]
		if ok && now.Before(exp) && (s.max <= 0 || len(s.m) < s.max) {
			break
		}
		delete(s.m, k)
		s.order = s.order[1:]
	}
	if exp, ok := s.m[key]; ok && now.Before(exp) {
		return false
	}
	if _, ok := s.m[key]; !ok {
		s.order = append(s.order, key)
	}
	s.m[key] = now.Add(s.ttl)
	if cap(s.order) > 4*max(len(s.order), 1024) {
		s.order = append([]string(nil), s.order...)
	}
	return true
}

// has reports whether key is remembered.
func (s *ttlSet) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.m[key]
	return ok && time.Now().Before(exp)
}

// memDedupe is the in-memory Dedupe of one process: bounded by time only
// (its memory is the delivery rate times the TTL).
type memDedupe struct{ set *ttlSet }

func newMemDedupe(ttl time.Duration) *memDedupe {
	return &memDedupe{set: newTTLSet(ttl, 0)}
}

func (d *memDedupe) Seen(ctx context.Context, key string) (bool, error) {
	return d.set.add(key), nil
}

// redisDedupe shares keys with SET NX PX; it keeps every key it saw in a
// local set too, which answers while Redis is down. Keys first seen during
// an outage are written to Redis once it is back, so that a retry reaching
// another replica later still counts as seen.
type redisDedupe struct {
	b      *backend
	prefix string
	ttl    time.Duration
	local  *ttlSet
}

func newRedisDedupe(b *backend, opts Options) *redisDedupe {
	return &redisDedupe{b: b, prefix: opts.Prefix + "dedupe:", ttl: opts.DedupeTTL, local: newTTLSet(opts.DedupeTTL, opts.LocalMax)}
}

func (d *redisDedupe) Seen(ctx context.Context, key string) (bool, error) {
	rk := d.prefix + storeKey(key)
	if d.b.usable() {
		first, err := d.b.rdb.SetNX(ctx, rk, "1", d.ttl).Result()
		if err == nil {
			d.local.add(key)
			return first, nil
		}
		d.b.fail(ctx, "dedupe.seen", err)
		if ctx.Err() != nil {
			return d.local.add(key), ctx.Err()
		}
	} else {
		d.b.degraded("dedupe.seen")
	}
	first := d.local.add(key)
	if first {
		ttl := d.ttl
		d.b.later(func(ctx context.Context) error {
			return d.b.rdb.SetNX(ctx, rk, "1", ttl).Err()
		})
	}
	return first, nil
}
