package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Command is the slash command the bot answers; manifest.yml declares it.
const Command = "/notion-check"

// BotEvents returns the bot events the bot handles, as manifest.yml
// subscribes to them.
func BotEvents() []string {
	return []string{"app_home_opened", "app_mention", "message.channels", "message.groups", "message.im"}
}

// BotScopes returns exactly the OAuth bot scopes the bot needs.
func BotScopes() []string {
	return []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history", "im:history"}
}

// Defaults of Config.
const (
	DefaultDiagnosisTimeout = 20 * time.Second
	DefaultMaxConcurrent    = 8
	DefaultMaxQueued        = 200
	DefaultShutdownTimeout  = 10 * time.Second
	DefaultAPIURL           = "https://slack.com/api/"
	DefaultReplyTimeout     = 30 * time.Second
	DefaultMaxPending       = 2000
	// DefaultCacheTTL is the freshness of an answer: a finished report is
	// reused for the same reading until it is older than that ("Check
	// again" always asks Notion anew). Long enough that a busy channel
	// asking about the same links while Notion is the bottleneck costs one
	// diagnosis per link, short enough that a fix made in Notion shows
	// within minutes without a click.
	DefaultCacheTTL = 5 * time.Minute
)

// Diagnoser diagnoses a text the bot already read with diagnose.ReadText;
// *diagnose.Diagnoser satisfies it.
type Diagnoser interface {
	DiagnoseReading(ctx context.Context, rd diagnose.Reading, opts diagnose.Options) diagnose.Report
}

// ShutdownStats says what became of the acknowledged requests still in
// flight when Run's context was cancelled.
type ShutdownStats struct {
	// InFlight is how many acknowledged requests were not answered yet.
	InFlight int
	// Answered got their report (or their fixed answer).
	Answered int
	// Stopped could not finish within Config.ShutdownTimeout and got
	// StoppedText instead.
	Stopped int
	// Lost got no answer at all (Slack refused or did not take the reply
	// before the deadline).
	Lost int
	// HandedOff were handed back to the other replicas unanswered
	// (with Redis: another replica answers them).
	HandedOff int
}

// ErrShutdownCut is wrapped by Run's error when acknowledged requests were
// not checked because the bot stopped.
var ErrShutdownCut = errors.New("slack bot stopped before checking every acknowledged request")

// ShutdownError is Run's error when acknowledged requests were not checked
// because the bot stopped; it wraps ErrShutdownCut. Stats says what became
// of them: a request told StoppedText got an answer, a lost one none.
type ShutdownError struct {
	Stats ShutdownStats
}

func (e *ShutdownError) Error() string {
	st := e.Stats
	return fmt.Sprintf("%v: %d of %d were not checked (%d told to run it again, %d not answered)",
		ErrShutdownCut, st.Stopped+st.Lost, st.InFlight, st.Stopped, st.Lost)
}

// Unwrap returns ErrShutdownCut.
func (e *ShutdownError) Unwrap() error { return ErrShutdownCut }

// Answered reports whether every acknowledged request got an answer, its
// report or StoppedText: the bot stopped cleanly, as SIGTERM asks, and
// only some users were told to run their check again.
func (e *ShutdownError) Answered() bool { return e.Stats.Lost == 0 }

// Hooks are optional callbacks for metrics and readiness. Any may be nil.
// They are called from the bot's goroutines and must not block.
type Hooks struct {
	// OnAck is called after an envelope was acknowledged, with the envelope
	// kind ("slash_commands", "events_api", "interactive",
	// "error_bad_message") and the time from receipt to ack.
	OnAck func(kind string, d time.Duration)
	// OnReply is called once per reply the bot tried to deliver.
	OnReply func(ok bool)
	// OnDiagnosis is called after each diagnosis with its duration.
	OnDiagnosis func(rep diagnose.Report, d time.Duration)
	// OnConnected is called when the Socket Mode connection comes up (true)
	// or goes down (false).
	OnConnected func(connected bool)
	// OnSlackRateLimited is called when Slack answered a reply with 429
	// and a Retry-After that does not fit the reply's deadline; method is
	// the Web API method or "response_url".
	OnSlackRateLimited func(method string, retryAfter time.Duration)
	// OnShutdown is called once when Run stops serving, after the requests
	// in flight were answered, stopped or lost.
	OnShutdown func(ShutdownStats)
	// OnDedupeHit is called for every delivery not answered because it was
	// seen already (by this replica or, with Redis, another one),
	// with its key's kind ("event", "message", "command", "click").
	OnDedupeHit func(kind string)
	// OnClaimed is called with the number of queued items this replica
	// took over from another one (or from itself) that had left them
	// unanswered for Config.ClaimAfter (with Redis only).
	OnClaimed func(n int)
	// OnTurn is called with the item's key when this replica took the
	// turn to answer a queued item, before it diagnoses it. For tests:
	// the step where a fault is injected.
	OnTurn func(key string)
	// OnFenced is called when a post was not made because this replica no
	// longer held the request's turn (with Redis only).
	OnFenced func()
}

func (h Hooks) dedupeHit(kind string) {
	if h.OnDedupeHit != nil {
		h.OnDedupeHit(kind)
	}
}

func (h Hooks) claimed(n int) {
	if h.OnClaimed != nil && n > 0 {
		h.OnClaimed(n)
	}
}

func (h Hooks) slackRateLimited(method string, d time.Duration) {
	if h.OnSlackRateLimited != nil {
		h.OnSlackRateLimited(method, d)
	}
}

func (h Hooks) shutdown(s ShutdownStats) {
	if h.OnShutdown != nil {
		h.OnShutdown(s)
	}
}

func (h Hooks) ack(kind string, d time.Duration) {
	if h.OnAck != nil {
		h.OnAck(kind, d)
	}
}

func (h Hooks) reply(ok bool) {
	if h.OnReply != nil {
		h.OnReply(ok)
	}
}

func (h Hooks) diagnosis(rep diagnose.Report, d time.Duration) {
	if h.OnDiagnosis != nil {
		h.OnDiagnosis(rep, d)
	}
}

func (h Hooks) connected(up bool) {
	if h.OnConnected != nil {
		h.OnConnected(up)
	}
}

// Config is the bot's already-validated configuration.
type Config struct {
	// BotToken is the xoxb- bot token for Web API calls.
	BotToken string
	// AppToken is the xapp- app-level token that opens Socket Mode.
	AppToken string
	// APIURL is the Slack Web API base URL (DefaultAPIURL if empty; a
	// missing trailing "/" is added).
	APIURL string
	// HelpChannels are the channel IDs where a pasted Notion reference gets
	// an automatic reply in thread.
	HelpChannels []string
	// Diagnoser runs the diagnoses. Required.
	Diagnoser Diagnoser
	// Logger receives the bot's logs (slog.Default() if nil). No token or
	// message text is ever logged.
	Logger *slog.Logger
	// DiagnosisTimeout bounds one diagnosis (DefaultDiagnosisTimeout if 0).
	DiagnosisTimeout time.Duration
	// MaxConcurrent bounds the diagnoses run at once (DefaultMaxConcurrent
	// if 0); further work is acknowledged at once and queued.
	MaxConcurrent int
	// MaxQueued bounds the work waiting for a free slot
	// (DefaultMaxQueued if 0). When the queue is full a slash command is
	// answered BusyText in its ack, a mention gets BusyText in thread, a
	// help-channel message is not answered: memory stays bounded under a
	// flood.
	MaxQueued int
	// AllowedChannels, when not empty, are the only channels (plus
	// HelpChannels) where the slash command and mentions are answered;
	// elsewhere they get a polite refusal naming where the bot can be used.
	// Help-channel automatic replies are governed by HelpChannels alone.
	AllowedChannels []string
	// AllowExternalUsers lets users of other Slack organisations (Slack
	// Connect guests) use the bot. By default (false) a user whose team is
	// known and is not the bot's own team (nor in its Enterprise Grid org)
	// gets a polite refusal, never a diagnosis.
	AllowExternalUsers bool
	// ShutdownTimeout bounds the shutdown when Run's context is cancelled
	// (DefaultShutdownTimeout if 0): the requests in flight are finished
	// until the last third (at most 3 s) of it, then the checks still
	// running are stopped and their users told StoppedText.
	ShutdownTimeout time.Duration
	// ReplyTimeout bounds the delivery of one answer, retries included
	// (DefaultReplyTimeout if 0).
	ReplyTimeout time.Duration
	// MaxPending bounds the acknowledged requests not answered yet, queued
	// work and answers from the cache together (DefaultMaxPending if 0;
	// with Config.Cluster nil, the in-memory work queue's size).
	MaxPending int
	// CacheTTL is the freshness of an answer: how long a report is
	// reused for the same reading (DefaultCacheTTL if 0; negative
	// disables the cache). An identical diagnosis in flight is always
	// shared, whatever its age.
	CacheTTL time.Duration
	// MaxReferences bounds the references read in one text
	// (diagnose.DefaultMaxChecks if 0); the others are counted as skipped.
	MaxReferences int
	// HTTPClient is used for the Web API and response_url (a client with a
	// 30 s timeout if nil).
	HTTPClient *http.Client
	// Hooks are optional callbacks for metrics and readiness.
	Hooks Hooks
	// PingInterval is how long the Socket Mode client waits for Slack's
	// WebSocket PING before reconnecting (slack-go's 30 s if 0). For tests.
	PingInterval time.Duration
	// Secrets are the values of every configured token (NOTION_TOKEN, each
	// NOTION_TOKENS entry; BotToken and AppToken are added): none of them,
	// nor any 12-character run of one, in any encoded or split form, ever
	// leaves the bot (posts, updates, response_url bodies, acks, button
	// values, logs, errors).
	Secrets []string
	// Cluster is the state the bot keeps its deliveries, work and
	// reports in: deliveries are deduplicated through it, an envelope is
	// acknowledged only once its work is queued in it, workers take the
	// work from its queue, and reports are cached and coalesced through
	// it. Shared (REDIS_URL), the replicas share all of it and take over
	// what a dead one left; nil, the bot makes an in-memory one (one
	// process). The bot runs the same way on both.
	Cluster *cluster.Cluster
	// ReportScope tells integrations apart in the keys of shared reports
	// (cluster.IntegrationID of the token, for example); never a token.
	ReportScope string
	// AdminChannel is the channel ID (ADMIN_CHANNEL) where problems only
	// whoever runs notion-check can fix (its token refused, a capability
	// missing, Notion unreachable for UnavailableAfter) are posted, once
	// per incident. Empty: the asker is told to tell whoever runs it.
	AdminChannel string
	// UnavailableAfter is how long Notion must fail to answer before it
	// is an incident (DefaultUnavailableAfter if 0).
	UnavailableAfter time.Duration
	// Integrations, when set, tells the App Home the integrations the bot
	// checks as (names and health, never tokens).
	Integrations func() []IntegrationHealth
	// ClaimAfter is how long the turn of a queued item outlives the last
	// heartbeat of the replica answering it before another replica takes
	// it over (DefaultClaimAfter if 0). It must equal the Cluster's
	// QueueOptions.TurnLease.
	ClaimAfter time.Duration
}

// Bot is the Slack bot. Create it with New and start it with Run.
type Bot struct {
	cfg     Config
	log     *slog.Logger
	hc      *http.Client
	api     *slack.Client
	help    map[string]bool
	sem     chan struct{}  // diagnoses running
	tickets chan struct{}  // items taken and not answered yet
	wg      tracker        // tickets taken and not finished, and the drain
	flights *flights       // diagnoses queued or running, with their waiters
	turns   *turnKeeper    // the turns of the tickets held (shared mode)
	ready   *fifo[outcome] // reports reached, to be delivered
	stats   outcomes
	// incidents are the admin-only problems open now; causes the codes
	// seen for the App Home.
	incidents *incidents
	causes    *causes

	// life is cancelled at the hard end of the shutdown (deliveries stop);
	// cut when the shutdown deadline stops the checks still running.
	life, cut     context.Context
	kill, stopAll context.CancelFunc
	hardDeadline  atomic.Int64 // unix nanoseconds; 0 before the shutdown
	draining      atomic.Int32 // the drain of local work at shutdown
	userID        string
	botID         string

	teamID, enterpriseID string
	allowed              map[string]bool
	allowedList          []string
	apiScheme, apiHost   string
	redactor             *secret.Redactor // Config.Secrets and the Slack tokens
	readSlots            chan struct{}    // texts being read (planned)
	// beforeRead, when set (tests only), is called with every text just
	// before it is read.
	beforeRead func(text string)
	// counted, when set (tests only), is called when a request's outcome
	// has been counted and its ticket is still being put away.
	counted func()
}

// withDefaults is cfg with every unset limit, timeout and option at its
// default, and APIURL ending in a slash.
func (cfg Config) withDefaults() Config {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DiagnosisTimeout <= 0 {
		cfg.DiagnosisTimeout = DefaultDiagnosisTimeout
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.MaxReferences <= 0 {
		cfg.MaxReferences = diagnose.DefaultMaxChecks
	}
	if cfg.ClaimAfter <= 0 {
		cfg.ClaimAfter = DefaultClaimAfter
	}
	if cfg.UnavailableAfter <= 0 {
		cfg.UnavailableAfter = DefaultUnavailableAfter
	}
	cfg.AdminChannel = strings.TrimSpace(cfg.AdminChannel)
	return cfg
}

// New checks cfg and returns a Bot. It makes no network call.
func New(cfg Config) (*Bot, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("bot: BotToken is empty")
	}
	if cfg.AppToken == "" {
		return nil, errors.New("bot: AppToken is empty")
	}
	if cfg.Diagnoser == nil {
		return nil, errors.New("bot: Diagnoser is nil")
	}
	cfg = cfg.withDefaults()
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Cluster == nil {
		c, err := cluster.New(context.Background(), cluster.Options{LocalMax: cfg.MaxPending, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
		cfg.Cluster = c
	}
	b := &Bot{
		cfg:       cfg,
		log:       cfg.Logger,
		hc:        hc,
		help:      map[string]bool{},
		sem:       make(chan struct{}, cfg.MaxConcurrent),
		tickets:   make(chan struct{}, cfg.MaxPending),
		flights:   newFlights(cfg.MaxConcurrent + cfg.MaxQueued),
		ready:     newFIFO[outcome](),
		allowed:   map[string]bool{},
		incidents: newIncidents(cfg.UnavailableAfter),
		causes:    newCauses(),

		readSlots: make(chan struct{}, readSlots()),
	}
	b.life, b.kill = context.WithCancel(context.Background())
	b.cut, b.stopAll = context.WithCancel(b.life)
	b.turns = newTurnKeeper(b)
	b.redactor = secret.NewRedactor(append([]string{cfg.BotToken, cfg.AppToken}, cfg.Secrets...)...)
	b.log = slog.New(redactHandler{h: cfg.Logger.Handler(), redact: b.redact})
	if u, err := url.Parse(cfg.APIURL); err == nil && u.Host != "" {
		b.apiScheme, b.apiHost = u.Scheme, u.Host
	} else {
		return nil, errors.New("bot: APIURL is not an absolute URL")
	}
	for _, c := range cfg.AllowedChannels {
		if c = strings.TrimSpace(c); c != "" && !b.allowed[c] {
			b.allowed[c] = true
			b.allowedList = append(b.allowedList, c)
		}
	}
	for _, c := range cfg.HelpChannels {
		if c = strings.TrimSpace(c); c != "" {
			b.help[c] = true
		}
	}
	b.api = slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(hc),
		slack.OptionAppLevelToken(cfg.AppToken),
	)
	return b, nil
}

// Run calls auth.test (to learn the bot's own user ID), then serves Socket
// Mode until ctx is cancelled. Then it stops taking new work and finishes
// or answers every acknowledged request (see Config.ShutdownTimeout): what
// cannot be checked in time is answered StoppedText. Run returns nil when
// every acknowledged request got its answer, a *ShutdownError (wrapping
// ErrShutdownCut) when some were stopped or lost, and an error when
// auth.test fails or Socket Mode stops for good (invalid or revoked token).
// A Bot runs once.
func (b *Bot) Run(ctx context.Context) error {
	defer b.kill()
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	auth, err := b.api.AuthTestContext(actx)
	cancel()
	if err != nil {
		return fmt.Errorf("slack auth.test: %s", secret.Redact(err.Error()))
	}
	b.userID, b.botID = auth.UserID, auth.BotID
	b.teamID, b.enterpriseID = auth.TeamID, auth.EnterpriseID
	b.log.Info("slack auth ok", "user_id", auth.UserID, "team", auth.Team, "team_id", auth.TeamID)

	opts := []socketmode.Option{socketmode.OptionLog(slogWriter{b.log})}
	if b.cfg.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(b.cfg.PingInterval))
	}
	sm := socketmode.New(b.api, opts...)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(runCtx) }()
	ws := b.startWorkers()
	ad := b.startAdmitters()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errc:
			if ctx.Err() != nil {
				break loop
			}
			runErr = fmt.Errorf("slack socket mode: %s", secret.Redact(fmt.Sprint(err)))
			break loop
		case evt := <-sm.Events:
			b.handle(sm, evt, ad)
		}
	}
	// The deliveries being admitted are acknowledged (or left to Slack's
	// retry) while the connection is still up.
	ad.stop()
	// No new work: what Slack sent but the bot did not acknowledge, Slack
	// redelivers to the next instance.
	stop()
	b.cfg.Hooks.connected(false)
	// Work queued in Redis and not begun here is left to the other
	// replicas; what this replica began or holds in memory only is
	// finished or answered below.
	ws.stop()
	if err := b.shutdown(); err != nil {
		if runErr == nil {
			return err // the *ShutdownError itself
		}
		return errors.Join(runErr, err)
	}
	return runErr
}

// shutdown finishes or answers the acknowledged requests in flight within
// Config.ShutdownTimeout and says what became of them.
func (b *Bot) shutdown() error {
	budget := b.cfg.ShutdownTimeout
	hard := time.Now().Add(budget)
	b.hardDeadline.Store(hard.UnixNano())
	before := b.stats.snapshot()
	inFlight := b.unanswered()
	if inFlight > 0 {
		b.log.Info("slack bot stopping: finishing the requests in flight", "in_flight", inFlight, "timeout", budget)
	}
	reserve := min(budget/3, 3*time.Second)
	idle := b.wg.wait(budget - reserve)
	if !idle {
		b.log.Warn("shutdown deadline near: stopping the checks still running and telling their users to run them again",
			"unfinished", b.wg.count(), "left", time.Until(hard).Round(time.Millisecond))
		b.stopAll()
		idle = b.wg.wait(time.Until(hard))
	}
	if !idle {
		b.kill() // deliveries still running give up now
		b.wg.wait(200 * time.Millisecond)
	}
	// What became of each request is counted where it ends (release),
	// never inferred from the count at the start: a request answered just
	// before it, whose ticket was still being put away (its item acked in
	// Redis), is in that count but not in flight. Lost are the requests
	// that ended with no answer, and those the deadline left unfinished.
	after := b.stats.snapshot()
	unfinished := b.unanswered()
	st := ShutdownStats{Answered: after.answered - before.answered, Stopped: after.stopped - before.stopped,
		HandedOff: after.handed - before.handed, Lost: after.lost - before.lost + unfinished}
	st.InFlight = st.Answered + st.Stopped + st.HandedOff + st.Lost
	b.cfg.Hooks.shutdown(st)
	if st.Stopped+st.Lost == 0 {
		if inFlight > 0 {
			b.log.Info("slack bot stopped: every acknowledged request was answered", "answered", st.Answered)
		}
		return nil
	}
	lvl := slog.LevelWarn // every user got an answer, some "run it again"
	if st.Lost > 0 {
		lvl = slog.LevelError
	}
	b.log.Log(context.Background(), lvl, "slack bot stopped before it could check every acknowledged request",
		"in_flight", st.InFlight, "answered", st.Answered, "stopped", st.Stopped, "lost", st.Lost)
	return &ShutdownError{Stats: st}
}

// unanswered is how many acknowledged requests this process has not
// finished: its tickets taken (but the drain of local work, tracked so
// that the shutdown waits for it) and what waits in its memory.
func (b *Bot) unanswered() int {
	return max(0, b.wg.count()-int(b.draining.Load())) + int(b.localDepth().Waiting)
}

// waitIdle waits until no work is in flight nor waiting in this
// process's memory, at most d.
func (b *Bot) waitIdle(d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		if b.wg.wait(time.Until(end)) && b.localDepth() == (cluster.Depth{}) && b.wg.count() == 0 {
			return true
		}
		if !time.Now().Before(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tracker counts the work in flight. Unlike a sync.WaitGroup, work may be
// added while someone waits for idleness (the event loop keeps going).
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{}
}

// Add adds n (1 or -1) to the work in flight.
func (t *tracker) Add(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 && n > 0 {
		t.zero = make(chan struct{})
	}
	t.n += n
	if t.n == 0 && t.zero != nil {
		close(t.zero)
		t.zero = nil
	}
}

// Done marks one piece of work finished.
func (t *tracker) Done() { t.Add(-1) }

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

func (t *tracker) wait(d time.Duration) bool {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return true
	}
	ch := t.zero
	t.mu.Unlock()
	if d <= 0 {
		return false
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}

// outcomes counts what became of the acknowledged requests.
type outcomes struct {
	mu                sync.Mutex
	answered, stopped int
	lost, handed      int
}

func (o *outcomes) add(answered, stopped, lost int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answered += answered
	o.stopped += stopped
	o.lost += lost
}

// handOff counts a request left to another replica.
func (o *outcomes) handOff() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handed++
}

func (o *outcomes) snapshot() outcomes {
	o.mu.Lock()
	defer o.mu.Unlock()
	return outcomes{answered: o.answered, stopped: o.stopped, lost: o.lost, handed: o.handed}
}

// handle processes one Socket Mode event in the event loop: connection
// events are logged, deliveries are admitted (ingest) and acknowledged;
// nothing here reads a text for references.
func (b *Bot) handle(sm *socketmode.Client, evt socketmode.Event, ad *admitters) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic while handling a Slack event", "type", string(evt.Type), "panic", secret.Redact(fmt.Sprint(r)))
		}
	}()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.log.Debug("slack socket mode connecting")
		b.cfg.Hooks.connected(false)
	case socketmode.EventTypeConnected:
		b.log.Info("slack socket mode connected")
		b.cfg.Hooks.connected(true)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.log.Warn("slack socket mode connection failed", "type", string(evt.Type), "error", errText(evt.Data))
		b.cfg.Hooks.connected(false)
	case socketmode.EventTypeHello:
		b.log.Debug("slack socket mode hello")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("slack socket mode error", "type", string(evt.Type), "error", errText(evt.Data))
	case socketmode.EventTypeErrorBadMessage:
		bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
		var id string
		if bad != nil {
			id = envelopeID(bad.Message)
			b.log.Warn("slack sent a message slack-go could not parse; acknowledging it", "envelope_id", id, "error", secret.Redact(fmt.Sprint(bad.Cause)))
		}
		if id != "" {
			b.ack(sm, "error_bad_message", id, nil, start)
		}
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		if !ad.take(sm, evt, start) {
			b.ingest(sm, evt, start)
		}
	default:
		b.log.Debug("slack socket mode event ignored", "type", string(evt.Type))
	}
}

// ack sends the envelope's acknowledgement without ever blocking long.
func (b *Bot) ack(sm *socketmode.Client, kind, envelopeID string, payload any, start time.Time) {
	if envelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if payload != nil {
		js, err := b.redactPayload(payload)
		if err != nil {
			b.log.Warn("slack ack payload could not be encoded", "kind", kind, "error", err.Error())
			payload = nil
		} else {
			payload = js
		}
	}
	if err := sm.AckCtx(ctx, envelopeID, payload); err != nil {
		b.log.Warn("slack ack failed", "kind", kind, "envelope_id", envelopeID, "error", secret.Redact(err.Error()))
		return
	}
	b.cfg.Hooks.ack(kind, time.Since(start))
}

// replyCtx bounds one delivery: Config.ReplyTimeout, and the end of the
// shutdown once it began.
func (b *Bot) replyCtx() (context.Context, context.CancelFunc) {
	dl := time.Now().Add(b.cfg.ReplyTimeout)
	if h := b.hardDeadline.Load(); h != 0 && time.Unix(0, h).Before(dl) {
		dl = time.Unix(0, h)
	}
	return context.WithDeadline(b.life, dl)
}

func (b *Bot) sent(err error) int {
	if err != nil {
		return 0
	}
	return 1
}

// diagnose runs one diagnosis under the bot's deadline and writes the one
// log line of it (source says what asked: slash_command, message, recheck).
func (b *Bot) diagnose(ctx context.Context, source string, rd diagnose.Reading, fresh bool) diagnose.Report {
	dctx, cancel := context.WithTimeout(ctx, b.cfg.DiagnosisTimeout)
	defer cancel()
	start := time.Now()
	rep := b.cfg.Diagnoser.DiagnoseReading(dctx, rd, diagnose.Options{Fresh: fresh})
	rep.CheckedAt = start
	d := time.Since(start)
	b.cfg.Hooks.diagnosis(rep, d)
	ops.LogDiagnosis(b.log, source, rep, d)
	return rep
}

// smallTextBytes is the most a text may hold to be read without a read
// slot: reading it takes well under a millisecond.
const smallTextBytes = 8 << 10

// readSlots is how many texts are read at once: one CPU is left to the
// event loop, which acks.
func readSlots() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// read reads a text that came from Slack once: capped, its markup (links,
// mentions, &amp; &lt; &gt;) undone exactly once (undoMarkup), then read by
// diagnose.ReadText, at most Config.MaxReferences references built.
// Decoding it twice would turn a pasted "&amp;lt;!channel&amp;gt;" into a
// "<!channel>".
func (b *Bot) read(text string) diagnose.Reading {
	return b.readCapped(capText(text))
}

// readCapped is read of a text capText already cut.
func (b *Bot) readCapped(text string) diagnose.Reading {
	if b.beforeRead != nil {
		b.beforeRead(text)
	}
	plain := undoMarkup(text)
	rd := diagnose.ReadText(plain, b.cfg.MaxReferences)
	if plain != text {
		// A token in a part of the markup undoMarkup drops (a link's or a
		// channel's label) is a pasted token all the same: count them as
		// sent.
		if n := secret.NotionTokens(text); n > rd.NotionTokens {
			rd.NotionTokens = n
		}
	}
	return rd
}

func errText(v any) string {
	switch e := v.(type) {
	case nil:
		return ""
	case *slack.ConnectionErrorEvent:
		return secret.Redact(fmt.Sprint(e.ErrorObj))
	case *slack.IncomingEventError:
		return secret.Redact(fmt.Sprint(e.ErrorObj))
	case *socketmode.ErrorWriteFailed:
		return secret.Redact(fmt.Sprint(e.Cause))
	case error: // after the event types above, which are errors too
		return secret.Redact(e.Error())
	}
	return secret.Redact(fmt.Sprintf("%T", v))
}

// slogWriter adapts slog to slack-go's logger, at debug level, redacted.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Output(_ int, s string) error {
	w.l.Debug(secret.Redact(strings.TrimSpace(s)), "component", "slack-go")
	return nil
}
