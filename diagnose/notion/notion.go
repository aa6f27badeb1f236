// Package notion is the online half of the diagnosis: a Notion API client
// and the diagnose.Prober that tells, from as few round trips as possible,
// what kind of object an ID is, whether the integration can read it, and
// whether the endpoint a person used fits it.
//
// Every call goes through one http.Client whose transport points at the
// configured base URL, paces all calls through the integration's one pacer
// (pace.go: a generous burst, a pause of the whole client on 429 and 529
// until Retry-After within the caller's deadline, a learned slower pace that
// recovers slowly), retries a GET once on 500/502/503/504, and records
// every exchange as evidence (never the token). jomei/notionapi is used where
// it serves (GET /v1/users/me); all
// other reads are plain GETs through the same client, decoding only the few
// fields a verdict needs, so that no verdict depends on jomei decoding an
// object.
package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jomei/notionapi"
	"golang.org/x/sync/singleflight"

	"github.com/notion-check/notion-check/diagnose"
)

// Defaults of Config.
const (
	// DefaultBaseURL is the real Notion API.
	DefaultBaseURL = "https://api.notion.com"
	// DefaultVersion is the Notion-Version header sent by default.
	DefaultVersion = "2025-09-03"
	// DefaultRate is the default average of requests per second (Notion's
	// documented limit per connection).
	DefaultRate = 3.0
	// DefaultBurst is the default burst of the pacer: Notion accepts bursts
	// above its average, and ten calls (a text of several references, or a
	// bot's burst of commands) go at once instead of every fourth waiting
	// for the bucket. A budget that turns out smaller is learnt from the
	// first 429 (see pace.go).
	DefaultBurst = 10
	// DefaultOneShotBurst is the burst of a OneShot Prober whose Config
	// sets none: the most references one diagnosis checks
	// (diagnose.DefaultMaxChecks, 10) with up to three calls each go at
	// once instead of pacing below what Notion accepts. Notion counts a
	// connection's budget per 60 s window (Notion's rate-limit reference), of
	// which this is a
	// sixth at 3 req/s; a smaller budget answers 429, and the run pauses
	// and learns like any (pace.go).
	DefaultOneShotBurst = 30
	// PacingMargin is the share of a rate learned from Notion's answers
	// (after a 429, pace.go) that the pacer refills at: what Notion just
	// accepted is no promise, and answers paced exactly at it arrive with
	// network jitter. The configured rate is paced by PaceRate instead.
	PacingMargin = 0.9
	// BudgetWindow is the window Notion counts a connection's budget in
	// (its rate-limit reference: a fixed budget of requests per 60 s).
	BudgetWindow = 60 * time.Second
	// DefaultHTTPTimeout bounds one attempt (headers and body).
	DefaultHTTPTimeout = 10 * time.Second
	// DefaultCacheTTL is how long a finished verdict is reused.
	DefaultCacheTTL = 30 * time.Second
)

// PaceRate is the rate, in requests per second, that a pacer of rate r
// and burst refills at: r less the burst spread over Notion's BudgetWindow
// (2.83 req/s at 3 req/s and a burst of 10). A full burst and a window of
// pacing then send at most r × 60 requests in any 60 s, the budget Notion
// counts per connection at rate r, and each paced interval still leaves
// Notion's bucket a little ahead of the requests (slack for network
// jitter). It is never below half of r: a burst of more than half a
// window's budget is the operator's choice, and a 429 then lowers the
// pace (pace.go).
func PaceRate(r float64, burst int) float64 {
	return max(r/2, r-float64(burst)/BudgetWindow.Seconds())
}

// firstDataSourceVersion is the first Notion-Version with data sources.
const firstDataSourceVersion = "2025-09-03"

// Hooks are called on every exchange, for metrics. Every field may be nil.
// endpoint is a low-cardinality family ("blocks", "pages", "databases",
// "data_sources", "views", "users/me"), never an ID.
type Hooks struct {
	// OnCall is called after every attempt with its status (0 when no
	// answer came) and duration.
	OnCall func(endpoint string, status int, d time.Duration)
	// OnRetry is called before an attempt is retried.
	OnRetry func(endpoint string, status int)
	// OnRateLimited is called for every 429/529 answer, whether it is then
	// retried (OnRetry follows) or not.
	OnRateLimited func(endpoint string)
}

// Config sets up a Prober.
type Config struct {
	// Token is the integration token. It is only ever sent in the
	// Authorization header.
	Token string
	// BaseURL is the API's base URL (DefaultBaseURL if empty); /v1/... is
	// appended, keeping any path prefix.
	BaseURL string
	// Version is the Notion-Version header (DefaultVersion if empty).
	Version string
	// Rate is the average of requests per second of the shared limiter
	// (DefaultRate if 0).
	Rate float64
	// Burst is the pacer's burst (DefaultBurst if 0; DefaultOneShotBurst
	// for a OneShot Prober).
	Burst int
	// OneShot is for a Prober that serves one run of a command (the CLI):
	// its calls are one burst, sent at once up to Burst. A long-running
	// Prober (the bot; false) proves an unknown budget with a first flight
	// of 3 requests before it spends the burst (pace.go), a cost paid once
	// per process but, for a one-shot run, a round trip on every check of
	// more than three calls.
	OneShot bool
	// SpeculativeRate is the rate (requests per second) at which this
	// integration may send calls that only save a round trip (guesses about
	// what an ID is: GET /v1/databases beside blocks for a link, GET
	// /v1/data_sources beside blocks for a bare ID): a share of the
	// workspace's rate that the team grants it, since Notion's
	// workspace-wide limit is shared by every integration of the team and
	// this process cannot see the others' use. Guesses also wait for 60 s
	// without a 429 and a few accepted answers (guess.go). 0 (the default)
	// sends none: every call is one a verdict needs.
	SpeculativeRate float64
	// Workspace, when set, is shared by the Probers of every integration
	// of one workspace: a 429 naming the workspace-wide limit
	// (rate_limit_reason ReasonWorkspace) pauses all of them until its
	// Retry-After. nil: the pause stays with this Prober.
	Workspace *WorkspacePause
	// HTTPTimeout bounds one attempt (DefaultHTTPTimeout if 0); the
	// diagnosis context bounds the whole.
	HTTPTimeout time.Duration
	// CacheTTL is how long a finished verdict is reused (DefaultCacheTTL if
	// 0; negative disables the cache).
	CacheTTL time.Duration
	// Hooks feed metrics.
	Hooks Hooks
	// Store, when set, keeps what users/me told about the token across
	// processes (store.go): the CLI's file cache. nil (the bot): users/me
	// is kept in memory only.
	Store IntegrationStore
	// Logger receives debug lines about calls (slog.Default() if nil). It
	// never receives the token.
	Logger *slog.Logger
	// Transport is the underlying RoundTripper (a transport with sane dial,
	// TLS and header timeouts if nil). Tests may set it.
	Transport http.RoundTripper
}

// Prober implements diagnose.Prober against the Notion API. It is safe for
// concurrent use; all its calls share one pacer (one budget per token: use
// one Prober per integration).
type Prober struct {
	cfg     Config
	client  *http.Client
	jomei   *notionapi.Client
	log     *slog.Logger
	flights singleflight.Group

	mu      sync.Mutex
	cache   map[string]cached
	me      *meEntry
	meGroup singleflight.Group
	// meFlying is true while a users/me call runs: its request is then
	// already counted by the pacer (or about to be), not by ProbeAll.
	meFlying bool

	// storeKey is the token's key in cfg.Store; storeLoad loads its entry
	// once; storeDropped is set once a 401 dropped it.
	storeKey     string
	storeLoad    sync.Once
	storeDropped atomic.Bool
}

type cached struct {
	res     diagnose.ProbeResult
	expires time.Time
}

type meEntry struct {
	info    diagnose.IntegrationInfo
	ev      []diagnose.Evidence
	expires time.Time
}

var (
	_ diagnose.BatchProber      = (*Prober)(nil)
	_ diagnose.IntegrationCache = (*Prober)(nil)
)

// New returns a Prober for cfg. It fails when the token is empty or the
// base URL is not an absolute http(s) URL.
func New(cfg Config) (*Prober, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("notion: no token")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	bu, err := url.Parse(cfg.BaseURL)
	if err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		return nil, fmt.Errorf("notion: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
		if cfg.OneShot {
			cfg.Burst = DefaultOneShotBurst
		}
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = DefaultHTTPTimeout
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	base := cfg.Transport
	if base == nil {
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: cfg.HTTPTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   8,
			ForceAttemptHTTP2:     true,
		}
	}
	pc := newPacer(cfg.Rate, cfg.Burst, cfg.Workspace, cfg.OneShot)
	pc.allowGuesses(cfg.SpeculativeRate)
	tr := &transport{
		base:    base,
		baseURL: bu,
		pacer:   pc,
		token:   cfg.Token,
		timeout: cfg.HTTPTimeout,
		hooks:   cfg.Hooks,
		log:     log,
		sleep:   sleepCtx,
	}
	client := &http.Client{
		Transport: tr,
		// Notion does not redirect API calls; never follow one with the token.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	p := &Prober{
		cfg:    cfg,
		client: client,
		// WithRetry(1): jomei gives up on the first 429 it sees (the
		// transport already waited); WithRetry(0) would loop forever.
		jomei: notionapi.NewClient(notionapi.Token(cfg.Token), notionapi.WithHTTPClient(client), notionapi.WithVersion(cfg.Version), notionapi.WithRetry(1)),
		log:   log,
		cache: map[string]cached{},
	}
	if cfg.Store != nil {
		p.storeKey = StoreKey(bu.String(), cfg.Token)
		tr.unauthorized = p.dropStored
	}
	return p, nil
}

// APIVersion returns the Notion-Version header the prober sends.
func (p *Prober) APIVersion() string { return p.cfg.Version }

// HTTPClient returns the http.Client every call goes through (paced,
// retried, recorded). Requests must use https://api.notion.com/v1/... URLs;
// the transport points them at the configured base URL.
func (p *Prober) HTTPClient() *http.Client { return p.client }

// Integration asks GET /v1/users/me who the token is. A 200 is cached for
// the life of the Prober (once per process: a token revoked later shows in
// the probes' own 401s), a 401 or 403 for CacheTTL, a failure not at all;
// opts.Fresh bypasses the cache. With Config.Store, a complete 200 is
// also saved there, and an entry saved by an earlier process stands for
// the call (its answer says so). It reports what Notion answered, no
// verdict.
func (p *Prober) Integration(ctx context.Context, opts diagnose.ProbeOptions) diagnose.IntegrationInfo {
	e := p.integration(ctx, opts.Fresh)
	info := e.info
	info.Evidence = append([]diagnose.Evidence(nil), e.ev...)
	return info
}

// lifeExpiry is when a users/me 200, kept for the life of the Prober,
// expires: not within any process's life; the zero time (not kept) when
// the Prober keeps nothing (CacheTTL < 0).
func (p *Prober) lifeExpiry() time.Time {
	if p.ttl() <= 0 {
		return time.Time{}
	}
	return time.Now().Add(100 * 365 * 24 * time.Hour)
}

// KnownIntegration returns what users/me answered, from the cache, making
// no call; false when nothing usable is cached (diagnose.IntegrationCache).
func (p *Prober) KnownIntegration() (diagnose.IntegrationInfo, bool) {
	p.loadStored()
	p.mu.Lock()
	e := p.me
	p.mu.Unlock()
	if e == nil || !time.Now().Before(e.expires) {
		return diagnose.IntegrationInfo{}, false
	}
	info := e.info
	info.Evidence = append([]diagnose.Evidence(nil), e.ev...)
	return info, true
}

func (p *Prober) integration(ctx context.Context, fresh bool) *meEntry {
	if !fresh {
		p.loadStored()
		p.mu.Lock()
		e := p.me
		p.mu.Unlock()
		if e != nil && time.Now().Before(e.expires) {
			return e
		}
	}
	var mine atomic.Bool
	ch := p.meGroup.DoChan("me", func() (any, error) {
		mine.Store(true)
		fctx, cancel := detach(ctx)
		defer cancel()
		p.mu.Lock()
		p.meFlying = true
		p.mu.Unlock()
		e := p.fetchMe(fctx)
		p.mu.Lock()
		// A users/me asked again (Fresh) that meets a 429 or no answer
		// does not replace a good answer still held: Notion said nothing
		// new about the token. The answer kept says it was checked now,
		// so that a renewal (renewAfter) is not tried again at once.
		if !p.goodMe() || !e.info.Me.Outcome.Transient() {
			p.me = e
		} else {
			kept := *p.me
			kept.info.Checked = time.Now()
			p.me = &kept
		}
		p.meFlying = false
		p.mu.Unlock()
		return e, nil
	})
	// A caller that joined a flight started under a later deadline leaves
	// at its own deadline; the flight goes on and fills the cache.
	if r, ok := waitFlight(ctx, ch, &mine); ok {
		return r.Val.(*meEntry)
	}
	return &meEntry{info: diagnose.IntegrationInfo{Me: diagnose.Answer{Family: diagnose.EndpointUsers, Outcome: diagnose.OutcomeUnavailable,
		Why: "GET /v1/users/me (already running for another request) was not finished before the deadline"}}}
}

// waitFlight waits for a singleflight result. A caller whose own call runs
// the flight (mine) waits for it: the flight is bounded by the caller's own
// deadline and turns what it got by then into a result. A caller that
// joined another caller's flight leaves at its own ctx's end (false).
func waitFlight(ctx context.Context, ch <-chan singleflight.Result, mine *atomic.Bool) (singleflight.Result, bool) {
	select {
	case r := <-ch:
		return r, true
	case <-ctx.Done():
		if mine.Load() {
			return <-ch, true
		}
		select {
		case r := <-ch:
			return r, true
		default:
			return singleflight.Result{}, false
		}
	}
}

// goodMe reports whether users/me's answer held is a 200 still in date.
// The caller holds p.mu.
func (p *Prober) goodMe() bool {
	return p.me != nil && p.me.info.Me.Outcome == diagnose.OutcomeOK && time.Now().Before(p.me.expires)
}

func (p *Prober) fetchMe(ctx context.Context) *meEntry {
	rec := &recorder{}
	ctx = withRecorder(ctx, rec)
	ctx, slot := withLast(ctx)
	user, err := p.jomei.User.Me(ctx)
	e := &meEntry{}
	x := slot.x
	if err != nil && x == nil {
		p.log.DebugContext(ctx, "users/me failed", "error", err.Error())
	}
	me := diagnose.Answer{Family: diagnose.EndpointUsers, Version: p.cfg.Version}
	if x == nil && err != nil {
		me.Outcome, me.Why = unanswered(err, "GET /v1/users/me")
	} else {
		me = classify(me, x, "GET /v1/users/me")
	}
	switch me.Outcome {
	case diagnose.OutcomeOK:
		if err == nil && user != nil {
			e.info.Name = user.Name
			if user.Bot != nil {
				e.info.Workspace = user.Bot.WorkspaceName
			}
		}
		// The raw body decides, field by field; jomei's decoding only helps.
		var raw struct {
			Name string `json:"name"`
			Bot  struct {
				WorkspaceName string `json:"workspace_name"`
				Owner         struct {
					Type string `json:"type"`
				} `json:"owner"`
			} `json:"bot"`
		}
		var loose map[string]json.RawMessage
		if json.Unmarshal(x.body, &loose) == nil {
			var name string
			if json.Unmarshal(loose["name"], &name) == nil && name != "" {
				e.info.Name = name
			}
			if json.Unmarshal(loose["bot"], &raw.Bot) == nil {
				if raw.Bot.WorkspaceName != "" {
					e.info.Workspace = raw.Bot.WorkspaceName
				}
				e.info.OwnerType = raw.Bot.Owner.Type
			}
		}
		if e.info.OwnerType == "user" {
			// users/me cannot tell a public integration's OAuth token
			// from a personal access token: GET /v1/users can.
			e.info.Users = p.askUsers(ctx)
		}
		e.info.Me = me
		e.info.Checked = time.Now()
		p.saveStored(e.info)
		e.expires = p.lifeExpiry()
	case diagnose.OutcomeUnauthorized, diagnose.OutcomeForbidden, diagnose.OutcomeBadRequest:
		// Notion refused the token or the capability, or (a 400 on
		// users/me) the request itself, its Notion-Version header:
		// reported as Notion said it, and kept for CacheTTL.
		e.expires = time.Now().Add(p.ttl())
	}
	e.info.Me = me
	e.ev = rec.evidence()
	return e
}

func (p *Prober) ttl() time.Duration {
	if p.cfg.CacheTTL < 0 {
		return 0
	}
	return p.cfg.CacheTTL
}

// detach returns a context that keeps ctx's values and deadline but not its
// cancellation, so that a shared flight is not killed by one waiter leaving.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, dl)
	}
	return context.WithCancel(d)
}

// Probe asks Notion about one reference and reports every answer; it
// decides which calls to make (the next may depend on an answer) but makes
// no verdict. It refuses (making no call) an ID that is not a dashed
// lowercase UUID. opts.Version, when set, is sent as Notion-Version instead
// of the configured one. Identical probes in flight share one; complete
// observations are cached for CacheTTL unless opts.Fresh.
func (p *Prober) Probe(ctx context.Context, ref diagnose.Reference, opts diagnose.ProbeOptions) diagnose.ProbeResult {
	return p.ProbeAll(ctx, []diagnose.Reference{ref}, opts)[0]
}

// ProbeAll probes the references of one text together, each as Probe
// does, and returns their results in order. Their first rounds are planned
// at once against the integration's one budget: the calls each reference
// needs first are all sent, and the speculative calls that would decide
// more of them in the same round get only the budget left after those
// (first the first speculative call of every reference, then the second,
// and so on), so that a text of many references spends its burst on what
// it needs and a text of few ends in one round. opts.Probed, when set, is
// told each result as soon as it is known.
func (p *Prober) ProbeAll(ctx context.Context, refs []diagnose.Reference, opts diagnose.ProbeOptions) []diagnose.ProbeResult {
	version := p.cfg.Version
	if opts.Version != "" {
		version = opts.Version
	}
	out := make([]diagnose.ProbeResult, len(refs))
	jobs, needed := p.probeJobs(refs, opts, version, out)
	if len(jobs) == 0 {
		return out
	}
	// Speculative calls go once every needed call of the batch is on the
	// wire (or after sendGrace).
	gate := newSentGate(needed)
	if p.meToCome() {
		// users/me goes out alongside (the Diagnoser asks it): its slot is
		// not spare either.
		needed++
	}
	grantSpeculative(jobs, p.pacer().guesses(needed))
	var wg sync.WaitGroup
	for _, j := range jobs {
		j.first.speculative = j.first.speculative[:j.spec]
		j.first.sent = gate
		j.first.peers = opts.Peers
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := p.flight(ctx, j.ref, j.key, version, j.first)
			for _, i := range j.idx {
				out[i] = copyResult(res)
				if opts.Probed != nil {
					// Told at once: a call its answers call for goes beside
					// the other references' later rounds.
					opts.Probed(i, copyResult(res))
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// probeJob is one distinct probe of a ProbeAll: the references (idx) that
// share it, its cache key and its planned first round.
type probeJob struct {
	idx   []int
	ref   diagnose.Reference
	key   string
	first firstRound
	spec  int // speculative calls granted
}

// probeJobs sets out[i] for each reference that needs no call (no ID, or
// a fresh cached result, told to opts.Probed) and returns one job per
// distinct probe of the others, with the number of calls their first
// rounds need.
func (p *Prober) probeJobs(refs []diagnose.Reference, opts diagnose.ProbeOptions, version string, out []diagnose.ProbeResult) (jobs []*probeJob, needed int) {
	byKey := map[string]*probeJob{}
	for i, ref := range refs {
		if !diagnose.IsID(ref.ID) {
			out[i] = diagnose.ProbeResult{Version: version}
			continue
		}
		key := version + "|" + ref.ID + "|" + string(ref.Hint) + "|" + string(ref.Endpoint) + "|" + string(ref.Origin)
		var schema *diagnose.SchemaRequest
		if opts.Schema != nil && opts.Schema.ID == ref.ID {
			// The schema read is cached apart: its extra calls are not
			// part of the plain check's answers.
			schema = opts.Schema
			key += "|schema|" + strings.Join(schema.Properties, "\x00")
		}
		if !opts.Fresh {
			if res, ok := p.cached(key); ok {
				out[i] = res
				if opts.Probed != nil {
					opts.Probed(i, copyResult(res))
				}
				continue
			}
		}
		if j := byKey[key]; j != nil {
			j.idx = append(j.idx, i)
			continue
		}
		j := &probeJob{idx: []int{i}, ref: ref, key: key, first: plan(ref)}
		j.first.schema = schema
		jobs, byKey[key] = append(jobs, j), j
		needed += len(j.first.needed)
	}
	return jobs, needed
}

// grantSpeculative shares spare calls among the jobs' speculative calls:
// first the first of every job, then the second, and so on.
func grantSpeculative(jobs []*probeJob, spare int) {
	for rank := 0; spare > 0; rank++ {
		granted := false
		for _, j := range jobs {
			if spare > 0 && rank < len(j.first.speculative) {
				j.spec++
				spare--
				granted = true
			}
		}
		if !granted {
			break
		}
	}
}

// cached returns a fresh cached result for key.
func (p *Prober) cached(key string) (diagnose.ProbeResult, bool) {
	p.mu.Lock()
	c, ok := p.cache[key]
	p.mu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return copyResult(c.res), true
	}
	return diagnose.ProbeResult{}, false
}

// meToCome reports whether a users/me call is still to be sent: none is
// cached and none is running.
func (p *Prober) meToCome() bool {
	p.loadStored()
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.meFlying && (p.me == nil || !time.Now().Before(p.me.expires))
}

func (p *Prober) pacer() *pacer { return p.client.Transport.(*transport).pacer }

// flight runs the probe of ref, or joins an identical one in flight, and
// caches complete observations.
func (p *Prober) flight(ctx context.Context, ref diagnose.Reference, key, version string, first firstRound) diagnose.ProbeResult {
	var mine atomic.Bool
	flightKey := key
	if first.peers != nil {
		// A probe that hears the other integrations may ask less than one
		// alone would need: only such probes share it.
		flightKey += "|peers"
	}
	ch := p.flights.DoChan(flightKey, func() (any, error) {
		mine.Store(true)
		fctx, cancel := detach(ctx)
		defer cancel()
		res, narrowed := p.probe(fctx, ref, version, first)
		if !narrowed && complete(res) && p.ttl() > 0 {
			p.mu.Lock()
			for k, c := range p.cache {
				if time.Now().After(c.expires) {
					delete(p.cache, k)
				}
			}
			p.cache[key] = cached{res: copyResult(res), expires: time.Now().Add(p.ttl())}
			p.mu.Unlock()
		}
		return res, nil
	})
	// The same probe may be in flight for another diagnosis with a later
	// deadline: this one still ends at its own.
	r, ok := waitFlight(ctx, ch, &mine)
	if !mine.Load() {
		// Joined a probe in flight for another diagnosis: this one's
		// needed calls were never sent.
		first.sent.sent(len(first.needed))
	}
	if !ok {
		return diagnose.ProbeResult{Version: version, Answers: []diagnose.Answer{{Family: first.needed[0], ID: ref.ID, Version: version,
			Outcome: diagnose.OutcomeUnavailable, Why: "Notion did not answer in time: the check (already running for another request) was not finished before the deadline"}}}
	}
	return r.Val.(diagnose.ProbeResult)
}

// complete reports whether every answer is Notion's own (nothing
// rate-limited or unavailable), so the observations may be reused.
func complete(res diagnose.ProbeResult) bool {
	for _, a := range res.Answers {
		if a.Outcome.Transient() {
			return false
		}
	}
	return len(res.Answers) > 0
}

func copyResult(r diagnose.ProbeResult) diagnose.ProbeResult {
	r.Answers = append([]diagnose.Answer(nil), r.Answers...)
	for i := range r.Answers {
		if o := r.Answers[i].Object; o != nil {
			oc := *o
			oc.DataSources = append([]string(nil), o.DataSources...)
			oc.Properties = append([]diagnose.SchemaProperty(nil), o.Properties...)
			r.Answers[i].Object = &oc
		}
		r.Answers[i].ChildDataSourceIDs = append([]string(nil), r.Answers[i].ChildDataSourceIDs...)
	}
	r.Evidence = append([]diagnose.Evidence(nil), r.Evidence...)
	return r
}
