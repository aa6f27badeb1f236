package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// exitError carries an exit status (and, for usage errors, the one line
// that says what to fix) from run to main.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// maxStdin bounds what is read from standard input: a paste, not a file system.
const maxStdin = 4 << 20

const usageText = `Usage:
  notion-check [--json] [--offline] [--blocks] TEXT...
  notion-check serve         run the Slack bot (Socket Mode)
  notion-check healthcheck   probe the running bot's /healthz
  notion-check version

TEXT is whatever was pasted: Notion links, IDs, api.notion.com URLs, curl
lines or Notion error messages. With no TEXT, or TEXT "-", it is read from
standard input. Flags come before TEXT; "--" ends them.

Flags:
  --json      print the JSON report
  --blocks    print the Slack Block Kit message the bot would post
  --offline   make no network call, even with NOTION_TOKEN set

Environment: NOTION_TOKEN (online checks), NOTION_API_URL, NOTION_VERSION.
Exit status: 0 no error found, 1 an error finding, 2 usage error.
`

// run is the whole program, testable in-process: main only calls it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	stdout, stderr, done := redactOutputs(getenv, stdout, stderr) // no secret leaves (redact.go)
	defer func() { err = done(err) }()
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serve(ctx, args[1:], getenv, stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, "notion-check "+version)
			return nil
		case "healthcheck":
			return healthcheck(ctx, args[1:], getenv)
		case "help":
			fmt.Fprint(stdout, usageText)
			return nil
		}
	}
	return check(ctx, args, getenv, stdin, stdout, stderr)
}

// check is the diagnosis face of the CLI.
func check(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("notion-check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	asBlocks := fs.Bool("blocks", false, "")
	offline := fs.Bool("offline", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			return nil
		}
		return usageError("%v (see notion-check --help)", err)
	}
	if *asJSON && *asBlocks {
		return usageError("--json and --blocks cannot be used together")
	}

	if readsStdin(fs.Args()) && isTerminal(stdin) {
		// Someone typed `notion-check` alone: say what it waits for.
		fmt.Fprintln(stderr, "notion-check: reading the text to check from standard input (end with Ctrl-D; --help for usage)")
	}
	text, err := readText(fs.Args(), stdin)
	if err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return usageError("%v", err)
	}

	d, err := newDiagnoser(cfg, *offline)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	rep := d.Diagnose(dctx, text, diagnose.Options{Offline: *offline})
	cancel()

	var out string
	switch {
	case *asJSON:
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the report: %w", err)
		}
		out = string(b) + "\n"
	case *asBlocks:
		b, err := renderBlocksJSON(rep, text)
		if err != nil {
			return err
		}
		out = string(b) + "\n"
	default:
		out = formatReport(rep, textStyle(stdout, getenv))
	}
	// The one redaction layer: nothing leaves with a token in it, whatever
	// the pasted text held.
	if _, err := io.WriteString(stdout, secret.RedactValue(out, cfg.NotionToken)); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if rep.HasError() {
		return &exitError{code: 1}
	}
	return nil
}

// readText joins the TEXT arguments, or reads standard input when there are
// none or TEXT is "-".
func readText(args []string, stdin io.Reader) (string, error) {
	if !readsStdin(args) {
		return strings.Join(args, " "), nil
	}
	if stdin == nil {
		return "", nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	if len(b) > maxStdin {
		return "", usageError("standard input is larger than %d MiB; paste only the links or the error", maxStdin>>20)
	}
	return string(b), nil
}

// readsStdin reports whether TEXT comes from standard input: no TEXT
// arguments, or the one argument "-".
func readsStdin(args []string) bool {
	return len(args) == 0 || len(args) == 1 && args[0] == "-"
}

// newDiagnoser wires the diagnosis: online when a token is set and not
// --offline.
func newDiagnoser(cfg config, offline bool) (*diagnose.Diagnoser, error) {
	dc := diagnose.Config{Token: cfg.NotionToken}
	if cfg.NotionToken != "" && !offline && diagnose.TokenFindings(cfg.NotionToken) == nil {
		p, err := notion.New(notion.Config{
			Token:   cfg.NotionToken,
			BaseURL: cfg.NotionAPIURL,
			Version: cfg.NotionVersion,
			Rate:    cfg.NotionRate,
			Burst:   cfg.NotionBurst,
		})
		if err != nil {
			return nil, fmt.Errorf("setting up the Notion client: %w", err)
		}
		dc.Prober = p
	}
	return diagnose.New(dc), nil
}
