package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// configuredSecrets returns every token in the values of the variables
// that hold secrets (loadConfig gives NOTION_TOKEN, NOTION_TOKENS,
// SLACK_BOT_TOKEN and SLACK_APP_TOKEN), each split at commas; for a value
// pasted with quotes or a "Bearer " prefix (token.malformed), the bare
// token too. None of them ever reaches stdout, stderr or an error, in any
// form.
func configuredSecrets(values ...string) []string {
	var out []string
	for _, val := range values {
		for _, v := range strings.Split(val, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			out = append(out, v)
			bare := strings.Trim(v, "\"'` ")
			if len(bare) > 7 && strings.EqualFold(bare[:7], "bearer ") {
				bare = strings.TrimSpace(bare[7:])
			}
			if bare != v {
				out = append(out, bare)
			}
		}
	}
	return out
}

// redactOutputs is the CLI's one redaction layer: it wraps stdout and
// stderr so that everything written to them (the terminal report, --json,
// --blocks, the bot's logs, messages) has every token-shaped string and
// every configured secret (config.Secrets) masked, in any encoded or
// split form; done flushes them and returns err with its message redacted
// the same way (main prints it on stderr), keeping its exit status.
func redactOutputs(secrets []string, stdout, stderr io.Writer) (out, errw io.Writer, done func(error) error) {
	r := secret.NewRedactor(secrets...)
	o := &redactingWriter{w: stdout, r: r}
	e := &redactingWriter{w: stderr, r: r}
	return o, e, func(err error) error {
		ferr := errors.Join(o.Flush(), e.Flush())
		if err == nil {
			return ferr
		}
		var ee *exitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.code, msg: r.Redact(ee.msg)}
		}
		return &redactedError{msg: r.Redact(err.Error()), err: err}
	}
}

// redactedError is an error whose message was redacted; Unwrap keeps
// errors.Is working (context.Canceled…), never its text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// maxHeld bounds what a redactingWriter holds back waiting for a newline.
const maxHeld = 16 << 20

// redactingWriter redacts what is written to it line by line: it holds
// back what follows the last newline (so a token is never cut in two)
// until the next newline, Flush, or maxHeld bytes. It is safe for
// concurrent use (the bot's logger writes from several goroutines).
type redactingWriter struct {
	mu   sync.Mutex
	w    io.Writer
	r    *secret.Redactor
	held []byte
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.held = append(rw.held, p...)
	i := bytes.LastIndexByte(rw.held, '\n')
	if i < 0 && len(rw.held) < maxHeld {
		return len(p), nil
	}
	if i < 0 {
		i = len(rw.held) - 1
	}
	err := rw.emit(rw.held[:i+1])
	rw.held = append(rw.held[:0], rw.held[i+1:]...)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (rw *redactingWriter) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.held) == 0 {
		return nil
	}
	err := rw.emit(rw.held)
	rw.held = rw.held[:0]
	return err
}

func (rw *redactingWriter) emit(b []byte) error {
	_, err := io.WriteString(rw.w, rw.r.Redact(string(b)))
	return err
}

// underlying returns the writer a redactingWriter wraps (so that terminal
// detection still sees the *os.File), or w itself.
func underlying(w any) any {
	if rw, ok := w.(*redactingWriter); ok {
		return rw.w
	}
	return w
}
