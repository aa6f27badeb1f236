package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Command is the slash command the bot answers; manifest.yml declares it.
const Command = "/notion-check"

// BotEvents returns the bot events the bot handles, as manifest.yml
// subscribes to them.
func BotEvents() []string {
	return []string{"app_mention", "message.channels", "message.groups"}
}

// BotScopes returns exactly the OAuth bot scopes the bot needs.
func BotScopes() []string {
	return []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history"}
}

// Defaults of Config.
const (
	DefaultDiagnosisTimeout = 20 * time.Second
	DefaultMaxConcurrent    = 8
	DefaultMaxQueued        = 200
	DefaultShutdownTimeout  = 10 * time.Second
	DefaultAPIURL           = "https://slack.com/api/"
)

// Diagnoser diagnoses pasted text; *diagnose.Diagnoser satisfies it.
type Diagnoser interface {
	Diagnose(ctx context.Context, text string, opts diagnose.Options) diagnose.Report
}

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
	// ShutdownTimeout bounds the wait for replies in flight when Run's
	// context is cancelled (DefaultShutdownTimeout if 0).
	ShutdownTimeout time.Duration
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
}

// Bot is the Slack bot. Create it with New and start it with Run.
type Bot struct {
	cfg    Config
	log    *slog.Logger
	hc     *http.Client
	api    *slack.Client
	help   map[string]bool
	sem    chan struct{}
	queue  chan struct{} // running + waiting work
	busy   chan struct{} // busy answers in flight
	seen   *ttlSet
	wg     tracker
	userID string
	botID  string

	teamID, enterpriseID string
	allowed              map[string]bool
	allowedList          []string
	apiScheme, apiHost   string
	redactor             *secret.Redactor // Config.Secrets and the Slack tokens
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
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	b := &Bot{
		cfg:     cfg,
		log:     cfg.Logger,
		hc:      hc,
		help:    map[string]bool{},
		sem:     make(chan struct{}, cfg.MaxConcurrent),
		queue:   make(chan struct{}, cfg.MaxConcurrent+cfg.MaxQueued),
		busy:    make(chan struct{}, 4),
		seen:    newTTLSet(time.Hour, 10000),
		allowed: map[string]bool{},
	}
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
// Mode until ctx is cancelled. It then stops reading events, waits for the
// replies in flight (at most Config.ShutdownTimeout) and returns nil. It
// returns an error when auth.test fails or Socket Mode stops for good
// (invalid or revoked token).
func (b *Bot) Run(ctx context.Context) error {
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

	// Work outlives ctx: replies in flight are finished on shutdown.
	work := context.WithoutCancel(ctx)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(runCtx) }()

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
			b.handle(work, sm, evt)
		}
	}
	stop()
	b.cfg.Hooks.connected(false)
	b.log.Info("slack bot stopping, finishing replies in flight")
	if !b.waitIdle(b.cfg.ShutdownTimeout) {
		b.log.Warn("slack bot stopped with replies still in flight", "timeout", b.cfg.ShutdownTimeout)
	}
	return runErr
}

// waitIdle waits until no work is in flight, at most d.
func (b *Bot) waitIdle(d time.Duration) bool {
	return b.wg.wait(d)
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

func (t *tracker) wait(d time.Duration) bool {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return true
	}
	ch := t.zero
	t.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}

// handle processes one Socket Mode event in the event loop: it acks at
// once, decides synchronously (filters, dedupe) and hands the slow work to
// go().
func (b *Bot) handle(work context.Context, sm *socketmode.Client, evt socketmode.Event) {
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
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		b.onSlash(work, sm, evt.Request, cmd, start)
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			b.ack(sm, "events_api", evt.Request.EnvelopeID, nil, start)
		}
		b.onEventsAPI(work, evt)
	case socketmode.EventTypeInteractive:
		envID := ""
		if evt.Request != nil {
			envID = evt.Request.EnvelopeID
			b.ack(sm, "interactive", envID, nil, start)
		}
		if envID != "" && !b.seen.add("env:"+envID) {
			b.log.Debug("redelivered interaction ignored", "envelope_id", envID)
			return
		}
		cb, _ := evt.Data.(slack.InteractionCallback)
		b.onInteraction(work, cb)
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

// reserve takes a place in the bounded queue of work (running or
// waiting); false means the queue is full and the work must be refused.
func (b *Bot) reserve() bool {
	select {
	case b.queue <- struct{}{}:
		return true
	default:
		return false
	}
}

// goWork reserves a place in the queue and runs f; false when the queue is
// full (nothing started).
func (b *Bot) goWork(ctx context.Context, what string, f func(ctx context.Context), onPanic func(ctx context.Context)) bool {
	if !b.reserve() {
		b.log.Warn("work queue full, refusing", "handler", what, "queued", cap(b.queue))
		return false
	}
	b.startReserved(ctx, what, f, onPanic)
	return true
}

// startReserved runs f in its own goroutine under the concurrency bound,
// with panic recovery, in a place taken with reserve; onPanic (may be nil)
// answers the user anyway.
func (b *Bot) startReserved(ctx context.Context, what string, f func(ctx context.Context), onPanic func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() { <-b.queue }()
		b.sem <- struct{}{}
		defer func() { <-b.sem }()
		tctx, cancel := context.WithTimeout(ctx, b.cfg.DiagnosisTimeout+30*time.Second)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("panic in a Slack handler, recovered", "handler", what, "panic", secret.Redact(fmt.Sprint(r)))
				if onPanic != nil {
					func() {
						defer func() {
							if r := recover(); r != nil {
								b.log.Error("panic while answering after a panic", "handler", what)
							}
						}()
						onPanic(tctx)
					}()
				}
			}
		}()
		f(tctx)
	}()
}

// goBusy sends a busy answer outside the queue, at most a few at once;
// beyond that the answer is dropped (and logged).
func (b *Bot) goBusy(ctx context.Context, send func(ctx context.Context) error) {
	select {
	case b.busy <- struct{}{}:
	default:
		b.log.Warn("busy answer dropped: too many in flight")
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() { <-b.busy }()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("panic while answering busy", "panic", secret.Redact(fmt.Sprint(r)))
			}
		}()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		b.deliver(send(tctx))
	}()
}

// diagnose runs one diagnosis under the deadline.
// diagnose runs one diagnosis under the bot's deadline and writes the one
// log line of it (source says what asked: slash_command, message, recheck).
func (b *Bot) diagnose(ctx context.Context, source, text string, fresh bool) diagnose.Report {
	dctx, cancel := context.WithTimeout(ctx, b.cfg.DiagnosisTimeout)
	defer cancel()
	start := time.Now()
	rep := b.cfg.Diagnoser.Diagnose(dctx, text, diagnose.Options{Fresh: fresh})
	d := time.Since(start)
	b.cfg.Hooks.diagnosis(rep, d)
	ops.LogDiagnosis(b.log, source, rep, d)
	return rep
}

func errText(v any) string {
	switch e := v.(type) {
	case nil:
		return ""
	case error:
		return secret.Redact(e.Error())
	case *slack.ConnectionErrorEvent:
		return secret.Redact(fmt.Sprint(e.ErrorObj))
	case *slack.IncomingEventError:
		return secret.Redact(fmt.Sprint(e.ErrorObj))
	case *socketmode.ErrorWriteFailed:
		return secret.Redact(fmt.Sprint(e.Cause))
	}
	return secret.Redact(fmt.Sprintf("%T", v))
}

// slogWriter adapts slog to slack-go's logger, at debug level, redacted.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Output(_ int, s string) error {
	w.l.Debug(secret.Redact(strings.TrimSpace(s)), "component", "slack-go")
	return nil
}
