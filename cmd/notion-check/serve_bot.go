package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"golang.org/x/sync/errgroup"
)

// checkServeConfig stops the start on a missing or wrong-shaped token,
// with a line per problem that names the variable (for NOTION_TOKENS, the
// entry by position) and the problem, never the value. Every problem is
// reported at once.
func checkServeConfig(cfg config) []string {
	var lines []string
	switch {
	case cfg.SlackBotToken == "":
		lines = append(lines, "SLACK_BOT_TOKEN is not set: the bot needs its xoxb- bot token")
	default:
		if err := slackTokenShape("SLACK_BOT_TOKEN", cfg.SlackBotToken, "xoxb-"); err != nil {
			lines = append(lines, err.Error())
		}
	}
	switch {
	case cfg.SlackAppToken == "":
		lines = append(lines, "SLACK_APP_TOKEN is not set: Socket Mode needs an xapp- app-level token with connections:write")
	default:
		if err := slackTokenShape("SLACK_APP_TOKEN", cfg.SlackAppToken, "xapp-"); err != nil {
			lines = append(lines, err.Error())
		}
	}
	switch {
	case cfg.NotionToken == "":
		lines = append(lines, "NOTION_TOKEN is not set: the bot needs the integration token to check links")
	default:
		if fs := diagnose.TokenFindings(cfg.NotionToken); len(fs) > 0 {
			lines = append(lines, fs[0].Detail)
		}
	}
	for i, tok := range cfg.NotionTokens {
		if fs := otherTokenFindings(i, tok); len(fs) > 0 {
			lines = append(lines, fs[0].Detail)
		}
	}
	return lines
}

// slackTokenShape checks a Slack token's shape; the error names the
// variable and the problem, never the value.
func slackTokenShape(name, tok, prefix string) error {
	switch {
	case strings.TrimSpace(tok) != tok || strings.ContainsAny(tok, " \t\r\n"):
		return usageError("%s holds spaces or line breaks", name)
	case strings.ContainsAny(tok, `"'`):
		return usageError("%s holds quotes", name)
	case strings.HasPrefix(strings.ToLower(tok), "bearer"):
		return usageError("%s starts with 'Bearer'; set the token alone", name)
	case strings.HasPrefix(tok, "xoxb-") && prefix != "xoxb-":
		return usageError("%s holds a bot token (xoxb-); it needs the app-level token (%s…)", name, prefix)
	case strings.HasPrefix(tok, "xapp-") && prefix != "xapp-":
		return usageError("%s holds an app-level token (xapp-); it needs the bot token (%s…)", name, prefix)
	case !strings.HasPrefix(tok, prefix):
		return usageError("%s is not a %s… token", name, prefix)
	case len(tok) < len(prefix)+10:
		return usageError("%s is too short to be a %s… token", name, prefix)
	}
	return nil
}

// serveBot wires the Slack bot: configuration, logs, metrics, one Notion
// prober per integration token, the ops listener; asks Notion about every
// token once; then runs until ctx is cancelled.
func serveBot(ctx context.Context, args []string, cfg config, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usageError("serve takes no arguments; configure it with environment variables (see README)")
	}
	var lines []string
	for _, e := range cfg.Problems {
		lines = append(lines, e.Msg)
	}
	lines = append(lines, checkServeConfig(cfg)...)
	if len(lines) > 0 {
		return usageError("%s", strings.Join(lines, "\n"))
	}
	secrets := slices.Clone(cfg.Secrets)
	if cfg.RedisURL != "" {
		secrets = append(secrets, cfg.RedisURL) // it may hold Redis's password
	}
	logger, err := ops.NewLogger(stderr, cfg.LogLevel, cfg.LogFormat, isTerminal(stderr), secrets...)
	if err != nil {
		return usageError("LOG_LEVEL or LOG_FORMAT: %v", err)
	}

	metrics := ops.NewMetrics()
	ready := &ops.Readiness{}
	metrics.RegisterReadiness(ready)
	keys := tokenKeys(cfg)
	for _, k := range keys {
		ready.SetNotion(k, "", ops.NotionUnchecked, "")
	}
	shared, err := newCluster(ctx, cfg, metrics, logger)
	if err != nil {
		return err
	}
	if shared != nil {
		defer shared.Close()
		ready.SetRedis(shared.Err)
		// One Notion budget per integration across the replicas.
		cfg.transport = func(i int, tok string) http.RoundTripper {
			return newBudgetTransport(shared.Budget(cluster.BudgetConfig{
				Integration: cluster.IntegrationID(tok),
				Rate:        notion.PaceRate(cfg.NotionRate, cfg.NotionBurst),
				Burst:       cfg.NotionBurst,
			}))
		}
		logger.Info("sharing state with the other replicas through Redis", "claim_after", cfg.ClaimAfter)
	}
	w, err := newDiagnoser(cfg, false, func(i int) (notion.Hooks, *slog.Logger) {
		im := metrics.IntegrationFunc(func() string { return ready.Label(keys[i]) })
		return notion.Hooks{
			OnCall:        im.NotionCall,
			OnRetry:       im.NotionRetry,
			OnRateLimited: im.NotionRateLimited,
		}, logger
	})
	if err != nil {
		return err
	}
	probers := w.probers()

	// Ask Notion about every token once, before Slack: a token Notion
	// refuses stops the start, naming its variable (never its value).
	if refused := startCheck(ctx, cfg.Timeout, keys, probers, ready, logger); len(refused) > 0 {
		return usageError("%s", strings.Join(refused, "\n"))
	}
	watches := make([]*ops.NotionWatch, len(probers))
	for i, p := range probers {
		watches[i] = ops.NewNotionWatch(ready, keys[i], watchCheck(p), ops.Backoff{Min: time.Second, Max: time.Minute, Spacing: 10 * time.Second})
	}

	b, err := bot.New(botConfig(cfg, w, shared, metrics, ready, watches, logger, secrets))
	if err != nil {
		return usageError("%v", err)
	}

	return runServe(ctx, cfg, b, metrics, ready, watches, logger, secrets, len(probers))
}

// botConfig is the bot's configuration: Slack's tokens and channels from
// cfg, the diagnoser w wired, the cluster (shared), and hooks that feed
// the metrics and the Notion watches.
func botConfig(cfg config, w wiring, shared *cluster.Cluster, metrics *ops.Metrics, ready *ops.Readiness, watches []*ops.NotionWatch, logger *slog.Logger, secrets []string) bot.Config {
	return bot.Config{
		BotToken:           cfg.SlackBotToken,
		AppToken:           cfg.SlackAppToken,
		APIURL:             cfg.SlackAPIURL,
		HelpChannels:       cfg.HelpChannels,
		AllowedChannels:    cfg.AllowedChans,
		AdminChannel:       cfg.AdminChannel,
		Integrations:       func() []bot.IntegrationHealth { return integrationHealth(ready) },
		AllowExternalUsers: cfg.AllowExternal,
		Diagnoser:          w.d,
		Logger:             logger,
		DiagnosisTimeout:   cfg.Timeout,
		Secrets:            secrets,
		Cluster:            shared,
		ReportScope:        reportScope(cfg),
		ClaimAfter:         cfg.ClaimAfter,
		ShutdownTimeout:    cfg.ShutdownTimeout,
		Hooks: bot.Hooks{
			OnDedupeHit: metrics.DedupeHit,
			OnClaimed:   metrics.Claimed,
			OnAck:       metrics.Ack,
			OnReply:     metrics.Reply,
			OnDiagnosis: func(rep diagnose.Report, d time.Duration) {
				metrics.Diagnosis(rep, d)
				observeDiagnosis(rep, ready, watches)
			},
			OnConnected:        ready.SetSlackConnected,
			OnSlackRateLimited: metrics.SlackRateLimited,
			OnShutdown: func(s bot.ShutdownStats) {
				metrics.Shutdown(s.Answered, s.Stopped, s.Lost)
			},
		},
	}
}

// runServe runs the bot b, the ops listener and the Notion watches until ctx
// is cancelled or one of them fails; a stop asked for is no error.
func runServe(ctx context.Context, cfg config, b *bot.Bot, metrics *ops.Metrics, ready *ops.Readiness, watches []*ops.NotionWatch, logger *slog.Logger, secrets []string, integrations int) error {
	g, gctx := errgroup.WithContext(ctx)
	srv := ops.NewServer(cfg.Addr, metrics, ready, logger, secrets...)
	if srv.Enabled() {
		g.Go(func() error { return srv.Serve(gctx) })
	}
	for _, wt := range watches {
		// /readyz learns by itself whether Notion accepts each token: the
		// watch re-checks with backoff while Notion is unreachable.
		g.Go(func() error { wt.Run(gctx); return nil })
	}
	g.Go(func() error {
		if err := stopStatus(b.Run(gctx)); err != nil {
			return fmt.Errorf("slack bot: %w", err)
		}
		// The bot finished its replies in flight: stop the ops listener too.
		return errStopped
	})
	logger.Info("notion-check starting", "version", version, "help_channels", len(cfg.HelpChannels), "integrations", integrations, "ops_addr", cfg.Addr)
	err := g.Wait()
	if errors.Is(err, errStopped) || errors.Is(err, context.Canceled) {
		logger.Info("notion-check stopped")
		return nil
	}
	return err
}

// reportScope names the integrations a report depends on, for the keys
// of the reports the replicas share: a hash of the tokens, never a token.
func reportScope(cfg config) string {
	return cluster.IntegrationID(strings.Join(append([]string{cfg.NotionToken}, cfg.NotionTokens...), ","))
}

// tokenKeys names every configured Notion token by its variable, in the
// order of the probers: NOTION_TOKEN, then "NOTION_TOKENS entry N".
func tokenKeys(cfg config) []string {
	keys := []string{"NOTION_TOKEN"}
	for i := range cfg.NotionTokens {
		keys = append(keys, tokenEntry(i))
	}
	return keys
}

// probers returns the prober of NOTION_TOKEN, then one per NOTION_TOKENS
// entry, in the order of tokenKeys (serve has checked every shape, so each
// has one).
func (w wiring) probers() []*notion.Prober {
	var out []*notion.Prober
	if w.main != nil {
		out = append(out, w.main)
	}
	for _, o := range w.others {
		out = append(out, o.prober)
	}
	return out
}

// startCheck asks GET /v1/users/me of every token at once, records what
// Notion said in ready, and returns one line per token Notion refused
// (401), naming it by its variable (NOTION_TOKEN, or NOTION_TOKENS by
// position), never its value; Notion tells no name for a refused token. A
// Notion that cannot be reached stops nothing: the watches go on
// asking.
func startCheck(ctx context.Context, timeout time.Duration, keys []string, probers []*notion.Prober, ready *ops.Readiness, logger *slog.Logger) []string {
	// Slack waits for this: bound it well below a diagnosis.
	ctx, cancel := context.WithTimeout(ctx, min(timeout, 10*time.Second))
	defer cancel()
	type answer struct {
		st        ops.NotionState
		name, why string
	}
	answers := make([]answer, len(probers))
	var wg sync.WaitGroup
	for i, p := range probers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, name, why := checkToken(ctx, p, true)
			answers[i] = answer{st, name, why}
		}()
	}
	wg.Wait()
	var refused []string
	names := map[string]string{}
	for i, a := range answers {
		ready.SetNotion(keys[i], a.name, a.st, a.why)
		switch a.st {
		case ops.NotionOK:
			logger.Info("Notion accepted the token", "variable", keys[i], "integration", a.name)
			if first, dup := names[a.name]; dup && a.name != "" {
				logger.Warn("two tokens of one integration: checks as it use the first", "variable", keys[i], "same_as", first, "integration", a.name)
			} else {
				names[a.name] = keys[i]
			}
		case ops.NotionRefused:
			refused = append(refused, fmt.Sprintf("%s: Notion refused it (401 unauthorized): the token is invalid, revoked or expired; replace it with the integration's current token", keys[i]))
		default:
			logger.Warn("Notion could not be reached to check a token; re-checking in the background", "variable", keys[i], "why", a.why)
		}
	}
	return refused
}

// watchCheck is the check of a watch started right after startCheck: its
// first check reads what startCheck learnt (the prober keeps users/me's
// answer; one that told nothing is not kept and is asked again), so that
// the start asks users/me once per token, not twice; every later check
// asks Notion afresh.
func watchCheck(p *notion.Prober) ops.NotionCheck {
	var started atomic.Bool
	return func(ctx context.Context) (ops.NotionState, string, string) {
		return checkToken(ctx, p, started.Swap(true))
	}
}

// checkToken asks Notion about one prober's token (bypassing the cache
// when fresh), within a bound of its own, and tells a refused token (401)
// from a Notion that gave no usable answer.
func checkToken(ctx context.Context, p *notion.Prober, fresh bool) (ops.NotionState, string, string) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, _ := diagnose.IntegrationFrom(p.Integration(ctx, diagnose.ProbeOptions{Fresh: fresh}))
	switch {
	case info.Status == diagnose.StatusOK:
		return ops.NotionOK, info.Name, ""
	case info.Status == diagnose.StatusProblem && diagnose.HasCode(info.Findings, diagnose.CodeTokenInvalid):
		return ops.NotionRefused, "", ""
	case info.Status == diagnose.StatusProblem:
		return ops.NotionRefused, "", "Notion refused GET /v1/users/me"
	}
	return ops.NotionUnreachable, "", "no usable answer from GET /v1/users/me (refused connection, 5xx, 429, an edge page or a timeout)"
}

// observeDiagnosis feeds readiness from a user's diagnosis: an accepted
// token confirms its integration at no cost; a refused token or a Notion
// that did not answer makes every watch check again (each with its backoff).
func observeDiagnosis(rep diagnose.Report, ready *ops.Readiness, watches []*ops.NotionWatch) {
	in := rep.Integration
	switch {
	case in.Status == diagnose.StatusOK && in.Name != "":
		for _, w := range watches {
			if ready.Label(w.Key()) == in.Name {
				ready.SetNotion(w.Key(), "", ops.NotionOK, "")
				return
			}
		}
	case rep.Incomplete(), diagnose.HasCode(in.Findings, diagnose.CodeTokenInvalid):
		for _, w := range watches {
			w.Recheck()
		}
	}
}

// stopStatus is the part of the bot's Run error that makes serve fail:
// nil after a clean stop, where every acknowledged request got its answer
// (its report, or "stopped — run it again" when the shutdown could not wait
// for it: serve finishes the replies in flight and exits 0); the
// error when a request got no answer at all, or Socket Mode failed.
func stopStatus(err error) error {
	var cut *bot.ShutdownError
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return nil
	case errors.As(err, &cut) && error(cut) == err && cut.Answered():
		return nil // the bot logged how many were told to run it again
	}
	return err
}

// integrationHealth is what the App Home shows of the integrations the
// bot checks as: their names (the variable while Notion has not told it)
// and what Notion last said of their tokens, never a token.
func integrationHealth(ready *ops.Readiness) []bot.IntegrationHealth {
	var out []bot.IntegrationHealth
	for _, s := range ready.Integrations() {
		out = append(out, bot.IntegrationHealth{Name: s.Integration, Health: s.State.String()})
	}
	return out
}

// errStopped ends the errgroup when the bot returns after a clean shutdown.
var errStopped = errors.New("stopped")

func isTerminal(v any) bool {
	f, ok := underlying(v).(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// probeHealth is `notion-check healthcheck [URL]`: exit 0 when /healthz
// answers 200, 1 otherwise.
func probeHealth(ctx context.Context, args []string, addr string) error {
	var url string
	switch len(args) {
	case 0:
		u, err := ops.HealthzURL(addr)
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		url = u
	case 1:
		url = args[0]
	default:
		return usageError("healthcheck takes at most one argument: the /healthz URL")
	}
	if err := ops.Healthcheck(ctx, url, nil); err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	return nil
}
