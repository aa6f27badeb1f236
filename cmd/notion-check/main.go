// Command notion-check finds why a Notion API call fails: it reads every
// Notion reference in the text it is given (links, IDs, API URLs, curl lines,
// pasted errors), checks each offline and, with NOTION_TOKEN set, against the
// Notion API, and prints the one true cause with the fix. Flags may stand
// before or after TEXT; SIGINT/SIGTERM stop a diagnosis at once with what
// it knew (exit 130/143).
//
//	notion-check [--json|--blocks] [--offline] [--verbose] [--as NAME] [--fail-on warning] TEXT...
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
	"strings"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := notifyContext(len(os.Args) > 1 && os.Args[1] == "serve")
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ee.msg != "" {
			// One line per problem, each saying what to fix.
			for _, line := range strings.Split(ee.msg, "\n") {
				fmt.Fprintln(os.Stderr, "notion-check: "+line)
			}
		}
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "notion-check: "+err.Error())
		os.Exit(1)
	}
}

// notifyContext returns a context cancelled, with a signalCause, on the
// first SIGINT or SIGTERM. A second signal ends a diagnosis at once with
// the same exit status (serve keeps its own graceful shutdown: further
// signals are ignored while it finishes the replies in flight).
func notifyContext(serving bool) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	go func() {
		select {
		case s := <-sigc:
			cancel(signalCause{sig: s})
		case <-quit:
			return
		}
		if serving {
			return
		}
		select {
		case s := <-sigc:
			os.Exit(signalCause{sig: s}.exitCode())
		case <-quit:
		}
	}()
	return ctx, func() {
		signal.Stop(sigc)
		close(quit)
		cancel(nil)
	}
}
