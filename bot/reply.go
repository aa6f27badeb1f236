package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// maxAttempts bounds the tries of one reply (429 and 5xx are retried).
const maxAttempts = 3

// post posts msg in channel, in the thread of threadTS, with retries. If
// Slack refuses the blocks, the fallback text is posted alone.
func (b *Bot) post(ctx context.Context, channel, threadTS string, msg Message) error {
	msg = b.redactMessage(msg)
	send := func(blocks []slack.Block) error {
		return retry(ctx, func() error {
			opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
			if len(blocks) > 0 {
				opts = append(opts, slack.MsgOptionBlocks(blocks...))
			}
			if threadTS != "" {
				opts = append(opts, slack.MsgOptionTS(threadTS))
			}
			_, _, err := b.api.PostMessageContext(ctx, channel, opts...)
			return err
		})
	}
	err := send(msg.Blocks)
	var se slack.SlackErrorResponse
	if err != nil && len(msg.Blocks) > 0 && errors.As(err, &se) && blocksRefused[se.Err] {
		b.log.Warn("slack refused the blocks, posting the text alone", "error", se.Err)
		return send(nil)
	}
	return err
}

// blocksRefused are the chat.postMessage errors that a text-only message
// may avoid.
var blocksRefused = map[string]bool{"invalid_blocks": true, "invalid_blocks_format": true, "msg_blocks_too_long": true}

// replace replaces a message: through the click's response_url with
// replace_original (works for ephemeral and in-channel messages), else
// with chat.update.
func (b *Bot) replace(ctx context.Context, responseURL, channel, ts string, msg Message) error {
	if responseURL != "" {
		return b.respondPayload(ctx, responseURL, responsePayload{ReplaceOriginal: true, Text: msg.Text, Blocks: msg.Blocks})
	}
	if channel == "" || ts == "" {
		return errors.New("recheck: no response_url and no message to update")
	}
	msg = b.redactMessage(msg)
	return retry(ctx, func() error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		return err
	})
}

// responsePayload is the JSON posted to a response_url.
type responsePayload struct {
	ResponseType    string        `json:"response_type,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
}

// respond posts msg to a response_url as an ephemeral message.
func (b *Bot) respond(ctx context.Context, url string, msg Message, replace bool) error {
	return b.respondPayload(ctx, url, responsePayload{ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: replace, Text: msg.Text, Blocks: msg.Blocks})
}

// httpStatusError is a failed response_url POST.
type httpStatusError struct {
	code       int
	retryAfter time.Duration
}

func (e *httpStatusError) Error() string { return fmt.Sprintf("response_url: HTTP %d", e.code) }

func (b *Bot) respondPayload(ctx context.Context, target string, p responsePayload) error {
	if !b.responseURLAllowed(target) {
		// A forged payload must not make the bot contact another host.
		b.log.Warn("response_url host not allowed, answer dropped")
		return errors.New("response_url: host not allowed")
	}
	body, err := b.redactPayload(p)
	if err != nil {
		return err
	}
	return retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.hc.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the URL itself is a credential: never in an error
			}
			return fmt.Errorf("response_url: %w", err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode/100 == 2 {
			return nil
		}
		e := &httpStatusError{code: resp.StatusCode}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			e.retryAfter = time.Duration(s) * time.Second
		}
		return e
	})
}

// retry runs f up to maxAttempts times while it fails with a 429 (waiting
// Retry-After) or a 5xx (short backoff), within ctx's deadline.
func retry(ctx context.Context, f func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = f()
		if err == nil || attempt >= maxAttempts {
			return err
		}
		wait, ok := retryable(err, attempt)
		if !ok {
			return err
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func retryable(err error, attempt int) (time.Duration, bool) {
	backoff := time.Duration(attempt) * 300 * time.Millisecond
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, 100*time.Millisecond), true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 500 {
		return backoff, true
	}
	var he *httpStatusError
	if errors.As(err, &he) {
		switch {
		case he.code == http.StatusTooManyRequests:
			return max(he.retryAfter, 100*time.Millisecond), true
		case he.code >= 500:
			return backoff, true
		}
	}
	return 0, false
}

// ttlSet remembers keys for a while, bounded in size: the dedupe of
// redelivered events and of messages Slack sends twice.
type ttlSet struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	m     map[string]time.Time
	order []string
	now   func() time.Time
}

func newTTLSet(ttl time.Duration, max int) *ttlSet {
	return &ttlSet{ttl: ttl, max: max, m: map[string]time.Time{}, now: time.Now}
}

// add records key and reports whether it was new (not seen within ttl).
func (s *ttlSet) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for len(s.order) > 0 {
		k := s.order[0]
		exp, ok := s.m[k]
		if ok && now.Before(exp) && len(s.m) < s.max {
			break
		}
		delete(s.m, k)
		s.order = s.order[1:]
	}
	if exp, ok := s.m[key]; ok && now.Before(exp) {
		return false
	}
	if _, ok := s.m[key]; !ok {
		s.order = append(s.order, key)
	}
	s.m[key] = now.Add(s.ttl)
	if cap(s.order) > 4*s.max {
		s.order = append([]string(nil), s.order...)
	}
	return true
}

// len returns how many keys are remembered.
func (s *ttlSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
