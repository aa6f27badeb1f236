package notion

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/notion-check/notion-check/diagnose"
)

// IntegrationStore keeps what GET /v1/users/me (and GET /v1/users, for a
// bot owned by a user) told about a token beyond one process, so that a
// one-shot run (the CLI) need not ask again what an earlier run learnt. A
// Prober with a store loads its entry once, before it would ask users/me,
// saves every complete 200 answer, and drops the entry when Notion answers
// 401 to any call with the token.
//
// Keys are opaque (StoreKey): a store never sees the token. A store's
// failures are its own business: Load reports false, Save and Drop may do
// nothing; none of them may block for long or panic. Implementations must
// be safe for concurrent use.
type IntegrationStore interface {
	// Load returns the entry saved under key, false when there is none
	// usable (absent, expired, unreadable).
	Load(key string) (KnownToken, bool)
	// Save keeps k under key, replacing any entry.
	Save(key string, k KnownToken)
	// Drop forgets the entry under key.
	Drop(key string)
}

// KnownToken is what an IntegrationStore keeps about one token: only what
// users/me disclosed and the verdict needs (the bot's name, its
// workspace's name, its owner type, and for a bot owned by a user the
// outcome and message of GET /v1/users, which tell a personal access
// token from an OAuth token), and when it was asked. Nothing in it is the
// token or derived from it.
type KnownToken struct {
	// Name is the bot user's name; Workspace its workspace's name.
	Name      string `json:"name,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	// OwnerType is users/me's bot.owner.type ("workspace", "user", "").
	OwnerType string `json:"owner_type,omitempty"`
	// Users is what GET /v1/users answered (Outcome "" when not asked):
	// its outcome, status, code and message only.
	Users StoredAnswer `json:"users"`
	// Fetched is when users/me answered.
	Fetched time.Time `json:"fetched"`
}

// StoredAnswer is the part of a diagnose.Answer a store keeps.
type StoredAnswer struct {
	Outcome diagnose.Outcome `json:"outcome,omitempty"`
	Status  int              `json:"status,omitempty"`
	Code    string           `json:"code,omitempty"`
	Message string           `json:"message,omitempty"`
}

// storeKeyLabel separates this use of the token's hash from any other:
// the key is an HMAC-SHA-256 under this label, of the base URL and the
// token, so that it names one token at one API and matches nothing else
// computed from the token.
const storeKeyLabel = "notion-check/users-me-cache/v1"

// StoreKey is the opaque key an IntegrationStore gets for token at the API
// at baseURL: 64 lowercase hex digits. Tokens carry far more entropy than
// can be searched, so the key does not let the token be read back.
func StoreKey(baseURL, token string) string {
	m := hmac.New(sha256.New, []byte(storeKeyLabel))
	fmt.Fprintf(m, "%d:%s\x00%s", len(baseURL), baseURL, token)
	return hex.EncodeToString(m.Sum(nil))
}

// knownFrom is what a store keeps of a complete users/me answer, false
// when the answer is not one to keep: users/me did not answer 200, or GET
// /v1/users, asked, got no answer of Notion's own (the token's kind is
// then untold and the next run must ask again).
func knownFrom(info diagnose.IntegrationInfo, fetched time.Time) (KnownToken, bool) {
	if info.Me.Outcome != diagnose.OutcomeOK {
		return KnownToken{}, false
	}
	if info.Users.Outcome.Transient() {
		return KnownToken{}, false
	}
	u := info.Users
	return KnownToken{
		Name: info.Name, Workspace: info.Workspace, OwnerType: info.OwnerType,
		Users:   StoredAnswer{Outcome: u.Outcome, Status: u.Status, Code: u.Code, Message: u.Message},
		Fetched: fetched.UTC(),
	}, true
}

// storedEntry is the users/me entry made from what a store kept: it says
// that users/me was not asked now (its answer's Why, and evidence of an
// exchange not sent), never a live call.
func (p *Prober) storedEntry(k KnownToken) *meEntry {
	when := k.Fetched.UTC().Format(time.RFC3339)
	info := diagnose.IntegrationInfo{Name: k.Name, Workspace: k.Workspace, OwnerType: k.OwnerType, Stored: true, Checked: k.Fetched}
	info.Me = diagnose.Answer{Family: diagnose.EndpointUsers, Version: p.cfg.Version, Outcome: diagnose.OutcomeOK, Status: http.StatusOK,
		Why: "GET /v1/users/me answered 200 at " + when + "; read from the local cache, not asked now"}
	if k.Users.Outcome != "" {
		info.Users = diagnose.Answer{Family: diagnose.EndpointUsers, Version: p.cfg.Version, Outcome: k.Users.Outcome,
			Status: k.Users.Status, Code: k.Users.Code, Message: k.Users.Message,
			Why: "GET /v1/users answered at " + when + "; read from the local cache, not asked now"}
	}
	e := &meEntry{info: info, ev: []diagnose.Evidence{{Method: http.MethodGet, Path: "/v1/users/me",
		Message: "not sent: the answer of " + when + " was read from the local cache"}}, expires: p.lifeExpiry()}
	return e
}

// loadStored fills the users/me entry from the store, once per Prober,
// when none is in memory.
func (p *Prober) loadStored() {
	if p.cfg.Store == nil {
		return
	}
	p.storeLoad.Do(func() {
		k, ok := p.cfg.Store.Load(p.storeKey)
		if !ok {
			return
		}
		e := p.storedEntry(k)
		p.mu.Lock()
		if p.me == nil {
			p.me = e
		}
		p.mu.Unlock()
	})
}

// saveStored keeps a complete users/me answer in the store, unless
// Notion refused the token in this process.
func (p *Prober) saveStored(info diagnose.IntegrationInfo) {
	if p.cfg.Store == nil || p.storeDropped.Load() {
		return
	}
	if k, ok := knownFrom(info, time.Now()); ok {
		p.cfg.Store.Save(p.storeKey, k)
	}
}

// dropStored forgets the store's entry: Notion refused the token (401).
// Called by the transport on every 401; the entry is dropped once.
func (p *Prober) dropStored() {
	if p.cfg.Store == nil {
		return
	}
	if p.storeDropped.CompareAndSwap(false, true) {
		p.cfg.Store.Drop(p.storeKey)
	}
}
