package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
)

// RefusalExternalText answers a user of another Slack organisation (a
// Slack Connect guest) when Config.AllowExternalUsers is false.
const RefusalExternalText = "Sorry, notion-check only answers members of the workspace that installed it. " +
	"Ask someone from that workspace to run the check for you."

// BusyText answers when the queue of pending checks is full.
const BusyText = "notion-check is busy right now: too many checks are waiting. Try again in a minute."

// refusalChannelText answers a slash command or a mention in a channel
// outside Config.AllowedChannels.
func (b *Bot) refusalChannelText() string {
	var chans []string
	for _, c := range b.allowedList {
		chans = append(chans, channelRef(c))
	}
	if len(chans) > 10 {
		chans = append(chans[:10], "…")
	}
	return "Sorry, notion-check is not enabled in this channel. You can use it in " + strings.Join(chans, ", ") + "."
}

// channelRef is the bot's own link to a configured channel, <#C…>, when
// id has the shape of a Slack channel ID; anything else is configuration
// that is not one and is shown escaped, never as markup.
func channelRef(id string) string {
	if channelIDRE.MatchString(id) {
		return "<#" + id + ">"
	}
	return esc(id)
}

// channelIDRE is the shape of a public, private or shared channel's ID.
var channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)

// textMessage is a message of one section holding t.
func textMessage(t string) Message {
	return Message{Text: t, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(t, MaxSectionText)), nil, nil)}}
}

// channelAllowed reports whether the slash command and mentions are
// answered in channel: every channel when Config.AllowedChannels is empty,
// else the allowed channels and the help channels.
func (b *Bot) channelAllowed(channel string) bool {
	return len(b.allowed) == 0 || b.allowed[channel] || b.help[channel]
}

// external reports whether a user of team (and enterprise) is from
// another organisation than the bot's own and must be refused. An unknown
// team (empty) is not external: Slack always sends it for guests of other
// organisations.
func (b *Bot) external(team, enterprise string) bool {
	if b.cfg.AllowExternalUsers || team == "" || b.teamID == "" || team == b.teamID {
		return false
	}
	if enterprise != "" && b.enterpriseID != "" && enterprise == b.enterpriseID {
		return false // another workspace of the same Enterprise Grid org
	}
	return true
}

// responseURLAllowed reports whether the bot may POST to a response_url:
// only https://hooks.slack.com (or Slack's GovSlack hooks host) and the
// host of the configured Slack API URL (which lets the fakes work). A
// forged payload cannot make the bot contact any other host.
func (b *Bot) responseURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "https" && (host == "hooks.slack.com" || host == "hooks.slack-gov.com") && (u.Port() == "" || u.Port() == "443"):
		return true
	case b.apiHost != "" && (u.Scheme == "https" || u.Scheme == "http") && u.Scheme == b.apiScheme && strings.EqualFold(u.Host, b.apiHost):
		return true
	}
	return false
}

// redact is the bot's one redaction layer, which every outgoing text
// passes through (posts, updates, ephemeral posts, response_url bodies, ack
// payloads, button values, logs): it hides every configured token by value
// (the Slack tokens and Config.Secrets, also percent- or entity-encoded,
// split by invisible characters, or in part) and every token-shaped string.
func (b *Bot) redact(s string) string {
	return b.redactor.Redact(s)
}

// redactMessage passes the text and every block of msg through redact,
// then through the markup guard (guardMarkup): every outgoing message,
// update and ephemeral post goes through it.
func (b *Bot) redactMessage(msg Message) Message {
	text, n := b.guardMarkup(b.redact(msg.Text))
	b.guarded("text", n)
	msg.Text = text
	msg.Blocks = b.redactBlocks(msg.Blocks)
	return msg
}

func (b *Bot) redactBlocks(blocks []slack.Block) []slack.Block {
	if len(blocks) == 0 {
		return blocks
	}
	js, err := json.Marshal(blocks)
	if err != nil {
		return nil // never send what could not be checked
	}
	red := b.redact(string(js))
	safe, n, err := b.guardJSON([]byte(red))
	if err != nil {
		return nil
	}
	b.guarded("blocks", n)
	if string(safe) == string(js) {
		return blocks
	}
	var bs slack.Blocks
	if err := bs.UnmarshalJSON(safe); err != nil {
		return nil
	}
	return bs.BlockSet
}

// redactPayload marshals an ack or response payload, redacts it and
// passes it through the markup guard.
func (b *Bot) redactPayload(v any) (json.RawMessage, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	safe, n, err := b.guardJSON([]byte(b.redact(string(js))))
	if err != nil {
		return nil, err
	}
	b.guarded("payload", n)
	return json.RawMessage(safe), nil
}

// redactHandler is the slog.Handler every log line of the bot passes
// through: the message and every attribute are redacted.
type redactHandler struct {
	h      slog.Handler
	redact func(string) string
}

func (r redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	nr := slog.NewRecord(rec.Time, rec.Level, r.redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, nr)
}

func (r redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = r.attr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		return slog.String(a.Key, r.redact(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (r redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = r.attr(a)
	}
	return redactHandler{h: r.h.WithAttrs(out), redact: r.redact}
}

func (r redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h: r.h.WithGroup(name), redact: r.redact}
}
