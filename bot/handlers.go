package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// CheckingText is the slash command's immediate acknowledgement.
const CheckingText = "Checking… the report follows in a moment."

// UsageText is the short usage message (for an empty /notion-check, for
// `/notion-check help`, and for a mention without a Notion reference).
const UsageText = "*notion-check* tells you why a Notion API call fails. Give it what you have:\n" +
	"• a link: `/notion-check https://www.notion.so/My-Page-0123456789abcdef0123456789abcdef`\n" +
	"• a pasted error: `/notion-check Could not find page with ID: 01234567-89ab-cdef-0123-456789abcdef`\n" +
	"• an API URL: `/notion-check https://api.notion.com/v1/databases/0123456789abcdef0123456789abcdef/query`\n" +
	"In a help channel just paste it; anywhere else, mention me with it."

// LeakWarningText is the warning posted in the thread of a message that
// holds a Notion token. It never quotes the token.
const LeakWarningText = "⚠️ This message contains what looks like a Notion integration token. " +
	"Everyone who can read this channel can use it: rotate it now and delete the message."

// UsageMessage returns the usage message.
func UsageMessage() Message {
	return Message{
		Text:   "notion-check tells you why a Notion API call fails: /notion-check followed by a Notion link, a pasted error or an API URL.",
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(UsageText), nil, nil)},
	}
}

// LeakWarningMessage returns the leaked-token warning, with the fix steps
// of the token.leaked finding.
func LeakWarningMessage() Message {
	f := diagnose.NewFinding(diagnose.CodeTokenLeaked, "", nil)
	var b strings.Builder
	b.WriteString(LeakWarningText)
	for i, s := range f.Fix {
		fmt.Fprintf(&b, "\n%d. %s", i+1, esc(s))
	}
	return Message{
		Text:   LeakWarningText,
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(b.String(), MaxSectionText)), nil, nil)},
	}
}

// slashAck is the payload of a slash command's acknowledgement.
type slashAck struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func (b *Bot) onSlash(work context.Context, sm *socketmode.Client, req *socketmode.Request, cmd slack.SlashCommand, start time.Time) {
	envID := ""
	if req != nil {
		envID = req.EnvelopeID
	}
	text := strings.TrimSpace(cmd.Text)
	if cmd.Command != Command {
		b.ack(sm, "slash_commands", envID, slashAck{ResponseType: slack.ResponseTypeEphemeral, Text: "notion-check only answers " + Command + "."}, start)
		return
	}
	if text == "" || strings.EqualFold(text, "help") {
		u := UsageMessage()
		b.ack(sm, "slash_commands", envID, slashAck{ResponseType: slack.ResponseTypeEphemeral, Text: u.Text, Blocks: u.Blocks}, start)
		return
	}
	b.ack(sm, "slash_commands", envID, slashAck{ResponseType: slack.ResponseTypeEphemeral, Text: CheckingText}, start)
	if cmd.ResponseURL == "" {
		b.log.Warn("slash command without response_url", "channel", cmd.ChannelID)
		return
	}
	url := cmd.ResponseURL
	b.goWork(work, "slash_command", func(ctx context.Context) {
		rep := b.diagnose(ctx, text, false)
		if secret.NotionTokens(text) > 0 {
			rep.Integration.Findings = append([]diagnose.Finding{diagnose.NewFinding(diagnose.CodeTokenLeaked,
				"The text sent to "+Command+" holds what looks like a Notion token.", nil)}, rep.Integration.Findings...)
		}
		msg := Render(rep, RenderOptions{RecheckText: text})
		b.deliver(b.respond(ctx, url, msg, false))
	}, func(ctx context.Context) {
		b.deliver(b.respond(ctx, url, failureMessage(), false))
	})
}

// failureMessage answers when the diagnosis itself failed.
func failureMessage() Message {
	t := "⚠️ notion-check could not finish this diagnosis: it failed inside notion-check, so nothing was checked. Try again in a moment; if it keeps failing, tell the notion-check maintainers."
	return Message{Text: t, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(t), nil, nil)}}
}

func (b *Bot) deliver(err error) {
	b.cfg.Hooks.reply(err == nil)
	if err != nil {
		b.log.Warn("slack reply failed", "error", secret.Redact(err.Error()))
	}
}

// incoming is a message or app_mention event reduced to what matters.
type incoming struct {
	channel, user, botID, subtype, text, ts, threadTS string
	hidden, mention                                   bool
}

func (b *Bot) onEventsAPI(work context.Context, evt socketmode.Event) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || ev.Type != slackevents.CallbackEvent {
		return
	}
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	var m incoming
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		m = incoming{channel: e.Channel, user: e.User, botID: e.BotID, subtype: e.SubType, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp}
		if e.Message != nil && e.Message.Hidden {
			m.hidden = true
		}
	case *slackevents.AppMentionEvent:
		m = incoming{channel: e.Channel, user: e.User, botID: e.BotID, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp, mention: true}
	default:
		return
	}
	if eventID != "" && !b.seen.add("event:"+eventID) {
		b.log.Debug("redelivered event ignored", "event_id", eventID, "retry_attempt", retryAttempt(evt))
		return
	}
	if !b.wanted(m) {
		return
	}
	if !m.mention && b.userID != "" && mentions(m.text, b.userID) {
		m.mention = true
	}
	tokens := secret.NotionTokens(m.text) > 0
	text := stripMentions(m.text)
	hasRef := holdsReference(text)
	report := hasRef && (m.mention || b.help[m.channel])
	usage := m.mention && !hasRef && !tokens
	if !tokens && !report && !usage {
		return
	}
	if !b.seen.add("msg:" + m.channel + "/" + m.ts) {
		b.log.Debug("message already answered", "channel", m.channel, "ts", m.ts)
		return
	}
	thread := m.threadTS
	if thread == "" {
		thread = m.ts
	}
	channel := m.channel
	b.goWork(work, "message", func(ctx context.Context) {
		if tokens {
			b.deliver(b.post(ctx, channel, thread, LeakWarningMessage()))
		}
		switch {
		case report:
			rep := b.diagnose(ctx, text, false)
			b.deliver(b.post(ctx, channel, thread, Render(rep, RenderOptions{RecheckText: text})))
		case usage:
			b.deliver(b.post(ctx, channel, thread, UsageMessage()))
		}
	}, func(ctx context.Context) {
		if report {
			b.deliver(b.post(ctx, channel, thread, failureMessage()))
		}
	})
}

// wanted filters out the bot's own messages, other bots, edits, deletions,
// joins and every other subtype.
func (b *Bot) wanted(m incoming) bool {
	switch m.subtype {
	case "", slack.MsgSubTypeThreadBroadcast, "file_share":
	default:
		return false
	}
	if m.hidden || m.botID != "" || m.user == "" || m.channel == "" || m.ts == "" {
		return false
	}
	if m.user == b.userID || (b.botID != "" && m.botID == b.botID) {
		return false
	}
	return true
}

func retryAttempt(evt socketmode.Event) int {
	if evt.Request == nil {
		return 0
	}
	return evt.Request.RetryAttempt
}

var mentionRE = regexp.MustCompile(`<@[UW][A-Z0-9]+(?:\|[^>]*)?>`)

func mentions(text, userID string) bool {
	return strings.Contains(text, "<@"+userID+">") || strings.Contains(text, "<@"+userID+"|")
}

func stripMentions(text string) string {
	return strings.TrimSpace(mentionRE.ReplaceAllString(text, " "))
}

var notionHostRE = regexp.MustCompile(`(?i)(?:^|[^a-z0-9.-])(?:[a-z0-9-]+\.)*notion\.(?:so|site|com)\b|notion://`)

// notionErrorRE recognises a pasted Notion API error even when it names no
// usable ID.
var notionErrorRE = regexp.MustCompile(`(?i)object_not_found|restricted_resource|validation_error|invalid_request_url|API token is invalid|Could not find (?:page|database|block|data source)|body failed validation|"object"\s*:\s*"error"`)

// holdsReference decides offline whether text holds a Notion reference: a
// Notion link, a pasted Notion error, or a usable or repairable ID found by
// the reader.
func holdsReference(text string) (ok bool) {
	if strings.TrimSpace(text) == "" {
		return false
	}
	if notionHostRE.MatchString(text) || notionErrorRE.MatchString(text) {
		return true
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for _, r := range diagnose.Read(text) {
		if r.ID != "" {
			return true
		}
		for _, f := range r.Findings {
			if f.Code == diagnose.CodeIDMalformed {
				return true
			}
		}
	}
	return false
}

func (b *Bot) onInteraction(work context.Context, cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || a.ActionID != RecheckActionID {
			continue
		}
		text := strings.TrimSpace(a.Value)
		url := cb.ResponseURL
		channel := cb.Channel.ID
		if channel == "" {
			channel = cb.Container.ChannelID
		}
		ts := cb.Container.MessageTs
		if ts == "" {
			ts = cb.Message.Timestamp
		}
		b.goWork(work, "recheck", func(ctx context.Context) {
			rep := b.diagnose(ctx, text, true)
			msg := Render(rep, RenderOptions{RecheckText: text})
			b.deliver(b.replace(ctx, url, channel, ts, msg))
		}, func(ctx context.Context) {
			b.deliver(b.replace(ctx, url, channel, ts, failureMessage()))
		})
		return
	}
}

// envelopeID extracts envelope_id from a raw envelope.
func envelopeID(raw json.RawMessage) string {
	var v struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return v.EnvelopeID
}
