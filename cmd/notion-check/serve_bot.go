package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"golang.org/x/sync/errgroup"
)

// checkServeConfig stops the start on a missing or wrong-shaped token, with
// a line that names the variable and the problem, never the value.
func checkServeConfig(cfg config) error {
	if cfg.SlackBotToken == "" {
		return usageError("SLACK_BOT_TOKEN is not set: the bot needs its xoxb- bot token")
	}
	if cfg.SlackAppToken == "" {
		return usageError("SLACK_APP_TOKEN is not set: Socket Mode needs an xapp- app-level token with connections:write")
	}
	if cfg.NotionToken == "" {
		return usageError("NOTION_TOKEN is not set: the bot needs the integration token to check links")
	}
	if err := slackTokenShape("SLACK_BOT_TOKEN", cfg.SlackBotToken, "xoxb-"); err != nil {
		return err
	}
	if err := slackTokenShape("SLACK_APP_TOKEN", cfg.SlackAppToken, "xapp-"); err != nil {
		return err
	}
	if fs := diagnose.TokenFindings(cfg.NotionToken); len(fs) > 0 {
		return usageError("%s", fs[0].Detail)
	}
	return nil
}

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

// serveBot wires the Slack bot: configuration, logs, metrics, the Notion
// prober, the ops listener; then runs until ctx is cancelled.
func serveBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usageError("serve takes no arguments; configure it with environment variables (see README)")
	}
	cfg, err := loadConfig()
	if err != nil {
		return usageError("%v", err)
	}
	if err := checkServeConfig(cfg); err != nil {
		return err
	}
	logger, err := ops.NewLogger(stderr, cfg.LogLevel, cfg.LogFormat, isTerminal(stderr), configuredSecrets(getenv)...)
	if err != nil {
		return usageError("LOG_LEVEL or LOG_FORMAT: %v", err)
	}

	metrics := ops.NewMetrics()
	ready := &ops.Readiness{}
	prober, err := notion.New(notion.Config{
		Token:   cfg.NotionToken,
		BaseURL: cfg.NotionAPIURL,
		Version: cfg.NotionVersion,
		Rate:    cfg.NotionRate,
		Burst:   cfg.NotionBurst,
		Logger:  logger,
		Hooks: notion.Hooks{
			OnCall:        metrics.NotionCall,
			OnRetry:       metrics.NotionRetry,
			OnRateLimited: metrics.NotionRateLimited,
		},
	})
	if err != nil {
		return fmt.Errorf("setting up the Notion client: %w", err)
	}
	diag := diagnose.New(diagnose.Config{Token: cfg.NotionToken, Prober: prober})

	b, err := bot.New(bot.Config{
		BotToken:           cfg.SlackBotToken,
		AppToken:           cfg.SlackAppToken,
		APIURL:             cfg.SlackAPIURL,
		HelpChannels:       cfg.HelpChannels,
		AllowedChannels:    cfg.AllowedChans,
		AllowExternalUsers: cfg.AllowExternal,
		Diagnoser:          diag,
		Logger:             logger,
		DiagnosisTimeout:   cfg.Timeout,
		Secrets:            configuredSecrets(getenv),
		Hooks: bot.Hooks{
			OnAck:   metrics.Ack,
			OnReply: metrics.Reply,
			OnDiagnosis: func(rep diagnose.Report, d time.Duration) {
				metrics.Diagnosis(rep, d)
				if rep.Integration.Status == diagnose.StatusOK {
					ready.SetNotionTokenOK(true)
				} else if rep.Integration.Status == diagnose.StatusProblem && diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenInvalid) {
					ready.SetNotionTokenOK(false)
				}
			},
			OnConnected: ready.SetSlackConnected,
		},
	})
	if err != nil {
		return usageError("%v", err)
	}

	g, gctx := errgroup.WithContext(ctx)
	srv := ops.NewServer(cfg.Addr, metrics, ready, logger)
	if srv.Enabled() {
		g.Go(func() error { return srv.Serve(gctx) })
	}
	g.Go(func() error {
		// /readyz wants the Notion token accepted: ask once at start.
		info := prober.Integration(gctx, diagnose.ProbeOptions{})
		ready.SetNotionTokenOK(info.Status == diagnose.StatusOK)
		if info.Status != diagnose.StatusOK {
			logger.Warn("Notion did not accept NOTION_TOKEN at start", "status", string(info.Status))
		} else {
			logger.Info("Notion token accepted", "integration", info.Name, "workspace", info.Workspace)
		}
		return nil
	})
	g.Go(func() error {
		err := b.Run(gctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("slack bot: %w", err)
		}
		// The bot finished its replies in flight: stop the ops listener too.
		return errStopped
	})
	logger.Info("notion-check starting", "version", version, "help_channels", len(cfg.HelpChannels), "ops_addr", cfg.Addr)
	err = g.Wait()
	if errors.Is(err, errStopped) || errors.Is(err, context.Canceled) {
		logger.Info("notion-check stopped")
		return nil
	}
	return err
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
func probeHealth(ctx context.Context, args []string, getenv func(string) string) error {
	var url string
	switch len(args) {
	case 0:
		addr := strings.TrimSpace(getenv("ADDR"))
		if addr == "" {
			addr = ":8080"
		}
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
