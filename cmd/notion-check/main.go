// Command notion-check finds why a Notion API call fails: it reads every
// Notion reference in the text it is given (links, IDs, API URLs, curl lines,
// pasted errors), checks each offline and, with NOTION_TOKEN set, against the
// Notion API, and prints the one true cause with the fix.
//
//	notion-check [--json] [--offline] [--blocks] TEXT...
//	notion-check serve        the Slack bot (Socket Mode)
//	notion-check healthcheck  probe the bot's /healthz
//	notion-check version
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "notion-check: "+ee.msg)
		}
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "notion-check: "+err.Error())
		os.Exit(1)
	}
}
