package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notion/mecache"
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
	// A usage error may quote the input (an unknown flag): make it printable.
	lines := strings.Split(fmt.Sprintf(format, args...), "\n")
	for i, l := range lines {
		lines[i] = diagnose.Printable(l)
	}
	return &exitError{code: 2, msg: strings.Join(lines, "\n")}
}

// maxStdin bounds what is read from standard input: a paste, not a file system.
const maxStdin = 4 << 20

const usageText = `Usage:
  notion-check [flags] TEXT...
  notion-check serve         run the Slack bot (Socket Mode)
  notion-check healthcheck   probe the running bot's /healthz
  notion-check version

TEXT is whatever was pasted: Notion links, IDs, api.notion.com URLs, curl
lines or Notion error messages. With no TEXT, or TEXT "-", it is read from
standard input. Flags may come before or after TEXT; "--" ends them.

Flags:
  --json             print the JSON report
  --blocks           print the Slack Block Kit message the bot would post
  --offline          make no network call, even with NOTION_TOKEN set
  --verbose          show the evidence too (every call, request IDs)
  --as NAME          check as the configured integration called NAME
  --fail-on warning  exit 1 on a warning finding too
  --version          print the version

Environment: NOTION_TOKEN (online checks), NOTION_TOKENS (the team's other
integrations, comma-separated), NOTION_API_URL, NOTION_VERSION,
NOTION_CHECK_CACHE (off: keep no users/me answer in the user cache dir).
Exit status: 0 no error found, 1 an error finding, 2 usage error,
3 no error found but Notion could not be asked (unavailable, rate-limited),
130 interrupted (SIGINT), 143 terminated (SIGTERM).
`

// signalCause is the cancellation cause main gives the context on SIGINT
// or SIGTERM, so that run can tell an interrupt from other cancellations
// and exit 128+signal as shells do.
type signalCause struct{ sig os.Signal }

func (c signalCause) Error() string { return "stopped by " + signalName(c.sig) }

// exitCode is 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
func (c signalCause) exitCode() int {
	if n, ok := c.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// interruptedError is what run returns when ctx was cancelled before the
// diagnosis finished: 130/143 for a signal, 130 for any other cancellation.
func interruptedError(ctx context.Context) error {
	code := 130
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		code = sc.exitCode()
	}
	return &exitError{code: code}
}

// run is the whole program, testable in-process: main only calls it. It
// reads the environment through getenv once, here (main gives os.Getenv);
// everything below takes the configuration as values. When ctx is cancelled
// (main cancels it on SIGINT/SIGTERM with a signalCause), a diagnosis stops
// at once, prints what it knew and exits 130/143.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	stdout, stderr, done := redactOutputs(cfg.Secrets, stdout, stderr) // no secret leaves (redact.go)
	defer func() { err = done(err) }()
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			if wantsHelp(args[1:]) {
				fmt.Fprint(stdout, serveUsage)
				return nil
			}
			return serve(ctx, args[1:], cfg, stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, "notion-check "+version)
			return nil
		case "healthcheck":
			if wantsHelp(args[1:]) {
				fmt.Fprint(stdout, healthcheckUsage)
				return nil
			}
			return healthcheck(ctx, args[1:], cfg.Addr)
		case "help":
			fmt.Fprint(stdout, usageText)
			return nil
		}
	}
	return check(ctx, args, cfg, stdin, stdout, stderr)
}

const serveUsage = `Usage: notion-check serve

Runs the Slack bot in Socket Mode until SIGINT/SIGTERM. It takes no
arguments: it is configured with environment variables (SLACK_BOT_TOKEN,
SLACK_APP_TOKEN, NOTION_TOKEN, NOTION_TOKENS, HELP_CHANNELS, ADDR, ...; see
README "Configuration"). Every missing or malformed variable is reported at
once, and the start stops with exit status 2.
`

const healthcheckUsage = `Usage: notion-check healthcheck [URL]

Probes the running bot's /healthz (by default on ADDR, :8080, so
http://127.0.0.1:8080/healthz). Exit status 0 when it answers 200, 1
otherwise. Meant for a container HEALTHCHECK.
`

// check is the diagnosis face of the CLI.
func check(ctx context.Context, args []string, cfg config, stdin io.Reader, stdout, stderr io.Writer) error {
	fl, textArgs, err := parseCheckArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return nil
	}
	if err != nil {
		return err
	}
	if fl.version {
		fmt.Fprintln(stdout, "notion-check "+version)
		return nil
	}

	if readsStdin(textArgs) && isTerminal(stdin) {
		// Someone typed `notion-check` alone: say what it waits for.
		fmt.Fprintln(stderr, "notion-check: reading the text to check from standard input (end with Ctrl-D; --help for usage)")
	}
	text, err := readTextCtx(ctx, textArgs, stdin)
	if err != nil {
		return err
	}
	// Only what the diagnosis reads stops it; a wrong Slack setting is
	// serve's business.
	if mine := cfg.Problems.only(cliVars...); len(mine) > 0 {
		return usageError("%v", mine)
	}

	versionFindings := diagnose.VersionFindings(cfg.NotionVersion)
	if versionFindings != nil {
		cfg.NotionVersion = diagnose.DefaultVersion
	}
	w, err := newDiagnoser(cfg, fl.offline, nil)
	if err != nil {
		return err
	}
	if fl.as != "" && w.online {
		if known, ok := w.names(ctx, fl.as); !ok {
			return usageError("--as %q names no configured integration; configured: %s", fl.as, strings.Join(known, ", "))
		}
	}
	opts := diagnose.Options{Offline: fl.offline, As: fl.as}
	rep, others, interrupted := diagnoseInterruptible(ctx, w, cfg.Timeout, text, opts)
	rep.AddEntryFindings(w.shapeFindings(), others)
	if versionFindings != nil {
		rep.Integration.Findings = append(versionFindings, rep.Integration.Findings...)
		rep.Integration.Status = diagnose.StatusProblem
	}
	if interrupted {
		fmt.Fprintln(stderr, "notion-check: "+stopLine(ctx, w.online))
	}

	out, err := formatOutput(rep, fl, textStyle(stdout, cfg.Plain))
	if err != nil {
		return err
	}
	// stdout is run's redacting writer (redact.go): nothing leaves with a
	// token in it, whatever the pasted text held.
	if _, err := io.WriteString(stdout, out); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if interrupted {
		return interruptedError(ctx)
	}
	if code := rep.ExitStatus(fl.failOn == "warning"); code != diagnose.ExitOK {
		return &exitError{code: code}
	}
	return nil
}

// formatOutput is the report as --json, --blocks or the terminal text
// (in style st) asks.
func formatOutput(rep diagnose.Report, fl checkFlags, st style) (out string, err error) {
	switch {
	case fl.json:
		// No control, bidi or invisible character from the paste or from
		// Notion leaves in the JSON, whichever field holds it.
		b, err := json.MarshalIndent(diagnose.PrintableReport(rep), "", "  ")
		if err != nil {
			return "", fmt.Errorf("encoding the report: %w", err)
		}
		out = string(diagnose.PrintableJSON(b)) + "\n"
	case fl.blocks:
		b, err := renderBlocksJSON(rep)
		if err != nil {
			return "", err
		}
		out = string(diagnose.PrintableJSON(b)) + "\n"
	default:
		out = formatReportOpts(rep, textOptions{Style: st, Verbose: fl.verbose})
	}
	return out, nil
}

// stopLine says on stderr what an interrupted run printed.
func stopLine(ctx context.Context, online bool) string {
	why := "interrupted"
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		why = signalName(sc.sig) + " received"
	}
	if !online {
		return why + ": stopped."
	}
	return why + " before Notion answered: the report holds the offline checks only; the online checks did not finish."
}

// diagnoseInterruptible runs the diagnosis under the DIAGNOSIS_TIMEOUT
// deadline, and beside it asks users/me of every NOTION_TOKENS prober (the
// answer is cached, so the diagnosis does not ask twice). It stops waiting
// the moment ctx is cancelled (Ctrl-C): then it returns what is known
// without Notion (the offline checks, the online ones unknown) and true. A
// diagnosis that finished first wins.
func diagnoseInterruptible(ctx context.Context, w wiring, timeout time.Duration, text string, opts diagnose.Options) (diagnose.Report, []diagnose.IntegrationInfo, bool) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		rep    diagnose.Report
		others []diagnose.IntegrationInfo
	}
	done := make(chan result, 1)
	go func() {
		others := make([]diagnose.IntegrationInfo, len(w.others))
		var wg sync.WaitGroup
		for i, o := range w.others {
			if o.prober == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				others[i] = o.prober.Integration(dctx, diagnose.ProbeOptions{})
			}()
		}
		rep := w.d.Diagnose(dctx, text, opts)
		wg.Wait()
		done <- result{rep, others}
	}()
	select {
	case r := <-done:
		return r.rep, r.others, false
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		return r.rep, r.others, false
	default:
	}
	off := opts
	off.Offline = true
	rep := w.d.Diagnose(context.WithoutCancel(ctx), text, off)
	if w.online {
		// Notion was asked and had not answered: say so, not "offline".
		rep.APIVersion = w.apiVersion
	}
	return rep, nil, true
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

// readTextCtx is readText that gives up when ctx is cancelled (Ctrl-C
// while standard input is a terminal waiting for text).
func readTextCtx(ctx context.Context, args []string, stdin io.Reader) (string, error) {
	if !readsStdin(args) || stdin == nil {
		return readText(args, stdin)
	}
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		t, err := readText(args, stdin)
		done <- result{t, err}
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		return "", interruptedError(ctx)
	}
}

// readsStdin reports whether TEXT comes from standard input: no TEXT
// arguments, or the one argument "-".
func readsStdin(args []string) bool {
	return len(args) == 0 || len(args) == 1 && args[0] == "-"
}

// wiring is a diagnoser with what the CLI needs to know about how it was
// wired.
type wiring struct {
	d *diagnose.Diagnoser
	// main is NOTION_TOKEN's prober, nil when offline.
	main *notion.Prober
	// online is true when a usable token and a prober are set and not
	// --offline: Notion will be asked.
	online     bool
	apiVersion string
	// others are the NOTION_TOKENS entries, in order.
	others []otherToken
	// cached is true when the probers keep users/me in the CLI's cache.
	cached bool
}

// names reports whether a configured integration is called name, with the
// names users/me gave. It is true when any integration's name could not be
// learnt (Notion unreachable): then the diagnosis says what it could do.
// users/me is cached by the probers, so the diagnosis asks it no more. A
// name the users/me cache kept may be up to a day old: when none matches,
// users/me is asked again before --as is refused (a bot renamed since).
func (w wiring) names(ctx context.Context, name string) (known []string, ok bool) {
	known, ok = matchName(w.d.Integrations(ctx), name)
	if !ok && w.cached {
		var wg sync.WaitGroup
		var silent atomic.Bool
		for _, p := range w.probers() {
			if p != nil {
				wg.Go(func() {
					// Asked again and not answered, the kept name stays
					// (the prober keeps a good answer): the name cannot
					// be told, as when Notion is unreachable.
					if p.Integration(ctx, diagnose.ProbeOptions{Fresh: true}).Me.Outcome.Transient() {
						silent.Store(true)
					}
				})
			}
		}
		wg.Wait()
		known, ok = matchName(w.d.Integrations(ctx), name)
		ok = ok || silent.Load()
	}
	return known, ok
}

// matchName is names's answer for the integrations' users/me answers.
func matchName(infos []diagnose.IntegrationInfo, name string) (known []string, ok bool) {
	for _, in := range infos {
		if in.Name == "" {
			return known, true
		}
		known = append(known, fmt.Sprintf("%q", in.Name))
		if strings.EqualFold(strings.TrimSpace(in.Name), strings.TrimSpace(name)) {
			ok = true
		}
	}
	return known, ok
}

// otherToken is one NOTION_TOKENS entry (its position is its index in
// wiring.others): its shape findings
// and, when usable, its prober.
type otherToken struct {
	findings []diagnose.Finding
	prober   *notion.Prober
}

// newDiagnoser wires the diagnosis: online when a token is set and not
// --offline, with one prober per NOTION_TOKENS entry of a usable shape,
// each with its own rate budget. hooks, when not nil, gives the i-th
// prober (0 is NOTION_TOKEN's, i the i-th entry's) its metrics hooks and
// logger (serve); without hooks the probers serve one CLI run
// (notion.Config.OneShot: the run's calls are one burst, with no first
// flight, since a one-shot process cannot amortise one).
func newDiagnoser(cfg config, offline bool, hooks func(i int) (notion.Hooks, *slog.Logger)) (wiring, error) {
	w := wiring{apiVersion: cfg.NotionVersion}
	dc := diagnose.Config{Token: cfg.NotionToken}
	// The team's integrations share one workspace: a 429 for Notion's
	// workspace-wide limit pauses all of them (rate_limit_reason).
	workspace := &notion.WorkspacePause{}
	mk := func(i int, tok string) (*notion.Prober, error) {
		nc := notion.Config{
			Workspace: workspace,
			Token:     tok,
			BaseURL:   cfg.NotionAPIURL,
			Version:   cfg.NotionVersion,
			Rate:      cfg.NotionRate,
			Burst:     cfg.NotionBurst,
			// Guesses only where the team granted them a rate (a share
			// of the workspace's budget it leaves this bot).
			SpeculativeRate: cfg.NotionGuessRate,
			OneShot:         hooks == nil,
			Logger:          slog.New(slog.DiscardHandler),
		}
		if hooks != nil {
			nc.Hooks, nc.Logger = hooks(i)
		} else if !cfg.NotionBurstSet {
			// A one-shot run sends its calls at once, up to
			// notion.DefaultOneShotBurst, unless NOTION_BURST says less.
			nc.Burst = 0
		}
		if hooks == nil && cfg.CacheDir != "" {
			// A one-shot run cannot keep users/me's answer in memory
			// for the next: a file does (the bot asks once at start).
			nc.Store = &mecache.Dir{Path: cfg.CacheDir, TTL: mecache.DefaultTTL}
			w.cached = true
		}
		if cfg.transport != nil {
			nc.Transport = cfg.transport(i, tok)
		}
		p, err := notion.New(nc)
		if err != nil {
			return nil, fmt.Errorf("setting up the Notion client: %w", err)
		}
		return p, nil
	}
	if cfg.NotionToken != "" && !offline && diagnose.TokenFindings(cfg.NotionToken) == nil {
		p, err := mk(0, cfg.NotionToken)
		if err != nil {
			return w, err
		}
		dc.Prober = p
		w.main = p
		w.online = true
	}
	for i, tok := range cfg.NotionTokens {
		o := otherToken{findings: otherTokenFindings(i, tok)}
		if o.findings == nil && !offline {
			p, err := mk(i+1, tok)
			if err != nil {
				return w, err
			}
			o.prober = p
			dc.Others = append(dc.Others, p)
		}
		w.others = append(w.others, o)
	}
	w.d = diagnose.New(dc)
	return w, nil
}

// otherTokenFindings are the shape findings of the i-th NOTION_TOKENS
// entry, naming it by position, never by value.
func otherTokenFindings(i int, tok string) []diagnose.Finding {
	return diagnose.EntryFindings(i, diagnose.TokenFindings(tok))
}

// shapeFindings are the shape findings of each NOTION_TOKENS entry, in
// order, for Report.AddEntryFindings.
func (w wiring) shapeFindings() [][]diagnose.Finding {
	out := make([][]diagnose.Finding, len(w.others))
	for i, o := range w.others {
		out[i] = o.findings
	}
	return out
}
