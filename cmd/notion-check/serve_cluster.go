package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose/notion"
)

// newCluster connects serve to the state shared with the other replicas
// when REDIS_URL is set; nil when it is not (one process, in memory). A
// Redis that cannot be reached yet is no error: the replica starts
// degraded, on local state, and shares again once Redis answers.
func newCluster(ctx context.Context, cfg config, metrics *ops.Metrics, logger *slog.Logger) (*cluster.Cluster, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	// go-redis logs each failed dial to stderr on its own; the cluster
	// already warns once per outage, so its lines go to debug.
	redis.SetLogger(redisLogger{logger})
	c, err := cluster.New(ctx, cluster.Options{
		URL: cfg.RedisURL,
		// A second per round trip: a Redis slow for an instant (a busy
		// node) is not taken for one that is down; ingest stays bounded
		// well inside Slack's 3 s by the bot's own deadline.
		Timeout:     redisTimeout,
		Queue:       cluster.QueueOptions{TurnLease: cfg.ClaimAfter},
		OnDegraded:  func(op string, _ error) { metrics.RedisDegraded(op) },
		OnRecovered: metrics.RedisRecovered,
		OnFull:      metrics.RedisFull,
		OnDataLost:  metrics.RedisDataLost,
		Logger:      logger,
	})
	if err != nil {
		return nil, usageError("REDIS_URL: %v", err)
	}
	metrics.RegisterCluster(func(ctx context.Context) (int64, int64, error) {
		d, err := c.Queue().Depth(ctx)
		return d.Waiting, d.Pending, err
	}, c.Err)
	return c, nil
}

// redisTimeout bounds one Redis round trip of serve.
const redisTimeout = time.Second

// budgetTransport paces every attempt of one integration's Notion calls
// through the budget all replicas share, and holds them all after a 429 or
// 529 for its Retry-After. It sits under the prober's own limiter (the
// per-process pacing stays), as notion.Config.Transport.
//
// The Notion adapter will take the
// Budget through an interface of its own (its transport calls Wait where
// it calls its rate.Limiter's Wait); until then cmd wraps its transport.
// It already speaks the adapter's terms: a speculative call
// (notion.Speculative) only takes a slot free now (TryTake) or is dropped
// (notion.ErrNoSpareBudget), and no slot before the deadline is
// notion.ErrPaceDeadline (the check ends "rate limited").
type budgetTransport struct {
	base   http.RoundTripper
	budget cluster.Budget
}

// newBudgetTransport returns the transport of one integration's prober:
// the adapter's usual dial, TLS and header timeouts, paced by budget.
func newBudgetTransport(budget cluster.Budget) http.RoundTripper {
	return budgetTransport{budget: budget, base: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: notion.DefaultHTTPTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}}
}

func (t budgetTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if notion.Speculative(r.Context()) {
		// A call that only saves a round trip goes from budget no replica
		// needs now, or not at all.
		if !t.budget.TryTake(r.Context()) {
			return nil, fmt.Errorf("shared Notion budget: %w", notion.ErrNoSpareBudget)
		}
	} else if err := t.budget.Wait(r.Context()); err != nil {
		if errors.Is(err, cluster.ErrDeadline) {
			// No shared slot in time: the check says "rate limited", as
			// for the prober's own pacing.
			return nil, fmt.Errorf("shared Notion budget: %w: %w", notion.ErrPaceDeadline, err)
		}
		return nil, fmt.Errorf("shared Notion budget: %w", err)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != 529) {
		return resp, err
	}
	// The adapter's one reading of a 429/529 (Retry-After in every HTTP
	// form, clamped to notion.MaxPause; the workspace-wide reason in any
	// case) is the pause every replica takes.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	pz, _ := notion.PauseOf(resp.StatusCode, resp.Header, body, time.Now())
	scope := cluster.ScopeIntegration
	if pz.Workspace {
		scope = cluster.ScopeWorkspace
	}
	t.budget.Pause(r.Context(), pz.For, scope)
	return resp, nil
}

// redisLogger hands go-redis's own log lines to slog at debug level.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.Debug(fmt.Sprintf(format, v...), "component", "go-redis")
}
