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
	"time"

	"github.com/slack-go/slack"
)

// maxAttempts bounds the tries of one reply (429 and 5xx are retried).
const maxAttempts = 3

// post posts msg in channel, in the thread of threadTS, with retries. If
// Slack refuses the blocks, the fallback text is posted alone; if it finds
// the message too long, a shortened text alone.
func (b *Bot) post(ctx context.Context, channel, threadTS string, msg Message) error {
	msg = b.redactMessage(msg)
	send := func(m Message) error {
		return b.retry(ctx, "chat.postMessage", func() error {
			opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
			if len(m.Blocks) > 0 {
				opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
			}
			if threadTS != "" {
				opts = append(opts, slack.MsgOptionTS(threadTS))
			}
			_, _, err := b.api.PostMessageContext(ctx, channel, opts...)
			return err
		})
	}
	return b.withFallback(msg, send)
}

// withFallback sends msg, and once more in the shorter form fallback
// gives when Slack refused it for its length or its blocks.
func (b *Bot) withFallback(msg Message, send func(Message) error) error {
	err := send(msg)
	if short, ok := b.fallback(err, msg); ok {
		return send(short)
	}
	return err
}

// fallback returns the message to try once more after Slack refused msg:
// the text alone when it refused the blocks, a shortened text alone when
// it found the message too long.
func (b *Bot) fallback(err error, msg Message) (Message, bool) {
	var se slack.SlackErrorResponse
	if err == nil || !errors.As(err, &se) {
		return msg, false
	}
	switch {
	case se.Err == "msg_too_long":
		b.log.Warn("slack found the message too long, posting a shortened text alone", "error", se.Err)
		return Message{Text: truncate(msg.Text, MaxSectionText)}, true
	case blocksRefused[se.Err] && len(msg.Blocks) > 0:
		b.log.Warn("slack refused the blocks, posting the text alone", "error", se.Err)
		return Message{Text: msg.Text}, true
	}
	return msg, false
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
	update := func(m Message) error {
		return b.retry(ctx, "chat.update", func() error {
			_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...))
			return err
		})
	}
	return b.withFallback(msg, update)
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

// replyTo is where an answer only the asker sees goes: the response_url,
// else (expired or gone) an ephemeral message to user in channel.
type replyTo struct {
	url, channel, user string
}

// respondTo posts msg through to.url; when Slack says the response_url is
// gone (404, 410: expired after 30 minutes or 5 uses) it falls back to
// chat.postEphemeral to the user in the channel.
func (b *Bot) respondTo(ctx context.Context, to replyTo, msg Message) error {
	err := b.respond(ctx, to.url, msg, false)
	var he *httpStatusError
	if err == nil || !errors.As(err, &he) || (he.code != http.StatusNotFound && he.code != http.StatusGone) {
		return err
	}
	if to.channel == "" || to.user == "" {
		return err
	}
	b.log.Warn("response_url gone, answering with chat.postEphemeral", "status", he.code, "channel", to.channel)
	msg = b.redactMessage(msg)
	send := func(m Message) error {
		return b.retry(ctx, "chat.postEphemeral", func() error {
			opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
			if len(m.Blocks) > 0 {
				opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
			}
			_, err := b.api.PostEphemeralContext(ctx, to.channel, to.user, opts...)
			return err
		})
	}
	return b.withFallback(msg, send)
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
	return b.retry(ctx, ResponseURLMethod, func() error {
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
			e.retryAfter = time.Duration(min(s, 3600)) * time.Second
		}
		return e
	})
}

// ResponseURLMethod names response_url POSTs in logs and in
// Hooks.OnSlackRateLimited.
const ResponseURLMethod = "response_url"

// retry runs f up to maxAttempts times while it fails with a 429 (waiting
// Retry-After) or a 5xx (short backoff), within the deadline of ctx (and
// of the shutdown). A 429 whose Retry-After does not fit the deadline is
// logged and reported (Hooks.OnSlackRateLimited), then tried once more
// shortly before the deadline; if that fails too the reply is lost, and
// the caller logs it.
func (b *Bot) retry(ctx context.Context, method string, f func() error) error {
	var err error
	late := false
	for attempt := 1; ; attempt++ {
		err = f()
		if err == nil || attempt >= maxAttempts {
			return err
		}
		wait, ok := retryable(err, attempt)
		if !ok {
			return err
		}
		if left, has := b.left(ctx); has && left < wait {
			if !rateLimited(err) || late {
				return err
			}
			late = true
			b.log.Warn("slack rate-limited a reply and its Retry-After does not fit the deadline: one more try just before it",
				"method", method, "retry_after", wait, "left", left.Round(time.Millisecond))
			b.cfg.Hooks.slackRateLimited(method, wait)
			wait = left - min(left/4, time.Second)
			if wait <= 0 {
				return err
			}
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

// left is the time until the earlier of ctx's deadline and the end of the
// shutdown.
func (b *Bot) left(ctx context.Context) (time.Duration, bool) {
	dl, has := ctx.Deadline()
	if h := b.hardDeadline.Load(); h != 0 && (!has || time.Unix(0, h).Before(dl)) {
		dl, has = time.Unix(0, h), true
	}
	if !has {
		return 0, false
	}
	return time.Until(dl), true
}

// rateLimited reports whether err is Slack's 429.
func rateLimited(err error) bool {
	var rl *slack.RateLimitedError
	var he *httpStatusError
	return errors.As(err, &rl) || (errors.As(err, &he) && he.code == http.StatusTooManyRequests)
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
