package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/diagnose"
)

// renderBlocksJSON is --blocks: the Slack message the bot would post.
func renderBlocksJSON(rep diagnose.Report) ([]byte, error) {
	msg := bot.Render(rep, bot.RenderOptions{})
	b, err := json.MarshalIndent(msg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the Block Kit message: %w", err)
	}
	return b, nil
}

// serve runs the Slack bot. Wired in serve_bot.go.
func serve(ctx context.Context, args []string, cfg config, stdout, stderr io.Writer) error {
	return serveBot(ctx, args, cfg, stdout, stderr)
}

// healthcheck probes the running bot's /healthz (on addr, ADDR, by default).
func healthcheck(ctx context.Context, args []string, addr string) error {
	return probeHealth(ctx, args, addr)
}
