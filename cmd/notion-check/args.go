package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// checkFlags are the flags of the diagnosis face (see docs/usage.md, "The CLI").
type checkFlags struct {
	json, blocks, offline, verbose, version bool
	// failOn is the lowest severity that makes the exit status 1: "error"
	// (the default) or "warning".
	failOn string
	// as checks as one configured integration, by name (--as).
	as string
}

// parseCheckArgs reads the flags wherever they stand, before or after TEXT
// (`notion-check <link> --json`); "--" ends them, and "-" alone is TEXT
// (standard input). It returns the TEXT arguments in order, or
// flag.ErrHelp for -h/--help, or a usage error naming the bad flag.
func parseCheckArgs(args []string) (checkFlags, []string, error) {
	f := checkFlags{failOn: "error"}
	fs := flag.NewFlagSet("notion-check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&f.json, "json", false, "")
	fs.BoolVar(&f.blocks, "blocks", false, "")
	fs.BoolVar(&f.offline, "offline", false, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.BoolVar(&f.version, "version", false, "")
	fs.StringVar(&f.failOn, "fail-on", "error", "")
	fs.StringVar(&f.as, "as", "", "")

	var text []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			text = append(text, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			text = append(text, a)
			continue
		}
		// One flag, with its value when it takes one and has no "=".
		one := []string{a}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if fs.Lookup(name) == nil && pastedCurl(text) {
			// A curl line pasted unquoted: its -X, -H, --data... are
			// part of TEXT, not flags of ours.
			text = append(text, a)
			continue
		}
		if fl := fs.Lookup(name); fl != nil && !hasValue && !isBoolFlag(fl) {
			if i+1 >= len(args) {
				return f, nil, usageError("flag needs an argument: %s (see notion-check --help)", a)
			}
			i++
			one = append(one, args[i])
		}
		if err := fs.Parse(one); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return f, nil, flag.ErrHelp
			}
			msg := err.Error()
			if strings.HasPrefix(msg, "flag provided but not defined") {
				msg += `; to check text that starts with "-", put it after "--"`
			}
			return f, nil, usageError("%s (see notion-check --help)", msg)
		}
		if fs.NArg() > 0 { // cannot happen: one flag at a time
			return f, nil, fmt.Errorf("parsing %s: %d arguments left", a, fs.NArg())
		}
	}
	switch f.failOn {
	case "error", "warning":
	default:
		return f, nil, usageError("--fail-on takes error or warning, not %q", f.failOn)
	}
	if f.json && f.blocks {
		return f, nil, usageError("--json and --blocks cannot be used together")
	}
	f.as = strings.TrimSpace(f.as)
	return f, text, nil
}

// pastedCurl reports whether the TEXT read so far is a curl command line.
func pastedCurl(text []string) bool {
	for _, t := range text {
		if strings.EqualFold(strings.TrimSpace(t), "curl") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "curl ") {
			return true
		}
	}
	return false
}

func isBoolFlag(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// wantsHelp reports whether args ask for usage (-h, -help, --help) before
// any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}
