package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// slashPlan is what the bot does with a slash command: the ack, and
// whether a diagnosis of text is answered through url.
type slashPlan struct {
	ack  slashAck
	work bool
	text string
	url  string
	why  string // for the log when nothing is done
}

// slashTeam returns the team and enterprise of the user who ran a slash
// command: user_team when Slack sends it (Slack Connect), else team_id.
func slashTeam(cmd slack.SlashCommand, raw json.RawMessage) (team, enterprise string) {
	var v struct {
		UserTeam string `json:"user_team"`
	}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &v)
	}
	team = v.UserTeam
	if team == "" {
		team = cmd.TeamID
	}
	return team, cmd.EnterpriseID
}

func ephemeral(t string) slashAck {
	return slashAck{ResponseType: slack.ResponseTypeEphemeral, Text: t}
}

// planSlash decides, without side effects, what to do with a slash command.
func (b *Bot) planSlash(cmd slack.SlashCommand, raw json.RawMessage) slashPlan {
	text := strings.TrimSpace(cmd.Text)
	if cmd.Command != Command {
		return slashPlan{ack: ephemeral("notion-check only answers " + Command + "."), why: "unknown command"}
	}
	if team, ent := slashTeam(cmd, raw); b.external(team, ent) {
		return slashPlan{ack: ephemeral(RefusalExternalText), why: "external user"}
	}
	if !b.channelAllowed(cmd.ChannelID) {
		return slashPlan{ack: ephemeral(b.refusalChannelText()), why: "channel not allowed"}
	}
	if text == "" || strings.EqualFold(text, "help") {
		u := UsageMessage()
		return slashPlan{ack: slashAck{ResponseType: slack.ResponseTypeEphemeral, Text: u.Text, Blocks: u.Blocks}}
	}
	if cmd.ResponseURL == "" {
		return slashPlan{ack: ephemeral(noResponseURLText), why: "no response_url"}
	}
	if !b.responseURLAllowed(cmd.ResponseURL) {
		return slashPlan{ack: ephemeral(noResponseURLText), why: "response_url host not allowed"}
	}
	return slashPlan{ack: ephemeral(CheckingText), work: true, text: capText(text), url: cmd.ResponseURL}
}

// noResponseURLText answers a slash command the report cannot be sent for.
const noResponseURLText = "notion-check cannot answer this command: Slack sent no usable response_url. Try again."

func (b *Bot) onSlash(work context.Context, sm *socketmode.Client, req *socketmode.Request, cmd slack.SlashCommand, start time.Time) {
	envID := ""
	var raw json.RawMessage
	if req != nil {
		envID, raw = req.EnvelopeID, req.Payload
	}
	if envID != "" && !b.seen.add("env:"+envID) {
		// Slack redelivers an envelope whose ack it did not get: ack it
		// again, answer it once.
		b.log.Info("redelivered slash command acknowledged, not run again", "envelope_id", envID)
		b.ack(sm, "slash_commands", envID, ephemeral(CheckingText), start)
		return
	}
	p := b.planSlash(cmd, raw)
	if !p.work {
		if p.why != "" {
			b.log.Warn("slash command refused", "reason", p.why, "channel", cmd.ChannelID, "team", cmd.TeamID)
		}
		b.ack(sm, "slash_commands", envID, p.ack, start)
		return
	}
	if !b.reserve() {
		b.log.Warn("work queue full, slash command answered busy", "channel", cmd.ChannelID)
		b.ack(sm, "slash_commands", envID, ephemeral(BusyText), start)
		return
	}
	b.ack(sm, "slash_commands", envID, p.ack, start)
	text, url := p.text, p.url
	b.startReserved(work, "slash_command", func(ctx context.Context) {
		// The Diagnoser reports a pasted token (token.leaked) itself.
		rep := b.diagnose(ctx, "slash_command", text, false)
		msg := Render(rep, RenderOptions{RecheckText: text})
		b.deliver(b.respond(ctx, url, msg, false))
	}, func(ctx context.Context) {
		b.deliver(b.respond(ctx, url, failureMessage(), false))
	})
}

// MaxTextBytes bounds the text one diagnosis reads: Slack messages hold at
// most 40,000 characters; a longer text (a forged or huge payload) is cut.
const MaxTextBytes = 1 << 20

// capText cuts text to MaxTextBytes at a rune boundary, makes it valid
// UTF-8 and turns control characters (but newlines and tabs) into spaces,
// so that "\x1b[31m<link>" still reads as a link.
func capText(text string) string {
	if len(text) > MaxTextBytes {
		cut := text[:MaxTextBytes]
		for len(cut) > 0 && !utf8.RuneStart(text[len(cut)]) {
			cut = cut[:len(cut)-1]
		}
		text = cut
	}
	text = strings.ToValidUTF8(text, " ")
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
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
	team, enterprise                                  string
	hidden, mention                                   bool
}

// eventPlan is what the bot does with a message or a mention: a leak
// warning, a report, the usage or a refusal, in channel's thread.
type eventPlan struct {
	leak, report, usage bool
	refusal             string
	channel, thread     string
	text                string
	ts                  string
}

func (p eventPlan) any() bool { return p.leak || p.report || p.usage || p.refusal != "" }

// eventTeam reads the author's team from the raw inner event: user_team
// (Slack Connect), else team.
func eventTeam(raw *json.RawMessage) (team string) {
	if raw == nil {
		return ""
	}
	var v struct {
		Team     string `json:"team"`
		UserTeam string `json:"user_team"`
	}
	_ = json.Unmarshal(*raw, &v)
	if v.UserTeam != "" {
		return v.UserTeam
	}
	return v.Team
}

// incomingOf reduces an Events API event; ok is false for other events.
func incomingOf(ev slackevents.EventsAPIEvent) (m incoming, eventID string, ok bool) {
	if ev.Type != slackevents.CallbackEvent {
		return m, "", false
	}
	var team string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb != nil {
		eventID = cb.EventID
		team = eventTeam(cb.InnerEvent)
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if e == nil {
			return m, "", false
		}
		m = incoming{channel: e.Channel, user: e.User, botID: e.BotID, subtype: e.SubType, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp}
		if e.Message != nil && e.Message.Hidden {
			m.hidden = true
		}
	case *slackevents.AppMentionEvent:
		if e == nil {
			return m, "", false
		}
		m = incoming{channel: e.Channel, user: e.User, botID: e.BotID, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp, mention: true}
		if e.UserTeam != "" {
			team = e.UserTeam
		}
	default:
		return m, "", false
	}
	m.team = team
	return m, eventID, true
}

// planEvent decides, without side effects, what to do with a message or a
// mention the bot did not filter out.
func (b *Bot) planEvent(m incoming) eventPlan {
	if !m.mention && b.userID != "" && mentions(m.text, b.userID) {
		m.mention = true
	}
	p := eventPlan{channel: m.channel, thread: m.threadTS, ts: m.ts}
	if p.thread == "" {
		p.thread = m.ts
	}
	p.leak = b.redactor.Leaks(m.text) > 0 // a token of any shape, or a configured one
	switch {
	case b.external(m.team, m.enterprise):
		if m.mention {
			p.refusal = RefusalExternalText
		}
		return p
	case m.mention && !b.channelAllowed(m.channel):
		p.refusal = b.refusalChannelText()
		return p
	}
	text := capText(stripMentions(m.text))
	hasRef := holdsReference(text)
	p.report = hasRef && (m.mention || b.help[m.channel])
	p.usage = m.mention && !hasRef && !p.leak
	if p.report {
		p.text = text
	}
	return p
}

func (b *Bot) onEventsAPI(work context.Context, evt socketmode.Event) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return
	}
	m, eventID, ok := incomingOf(ev)
	if !ok {
		return
	}
	if eventID != "" && !b.seen.add("event:"+eventID) {
		b.log.Debug("redelivered event ignored", "event_id", eventID, "retry_attempt", retryAttempt(evt))
		return
	}
	if !b.wanted(m) {
		return
	}
	p := b.planEvent(m)
	if !p.any() {
		return
	}
	if !b.seen.add("msg:" + m.channel + "/" + m.ts) {
		b.log.Debug("message already answered", "channel", m.channel, "ts", m.ts)
		return
	}
	if p.refusal != "" {
		b.log.Warn("mention refused", "channel", m.channel, "team", m.team)
	}
	channel, thread := p.channel, p.thread
	started := b.goWork(work, "message", func(ctx context.Context) {
		if p.leak {
			b.deliver(b.post(ctx, channel, thread, LeakWarningMessage()))
		}
		switch {
		case p.refusal != "":
			b.deliver(b.post(ctx, channel, thread, textMessage(p.refusal)))
		case p.report:
			rep := b.diagnose(ctx, "message", p.text, false)
			b.deliver(b.post(ctx, channel, thread, Render(rep, RenderOptions{RecheckText: p.text})))
		case p.usage:
			b.deliver(b.post(ctx, channel, thread, UsageMessage()))
		}
	}, func(ctx context.Context) {
		if p.report {
			b.deliver(b.post(ctx, channel, thread, failureMessage()))
		}
	})
	if !started && (p.leak || m.mention) {
		b.goBusy(work, func(ctx context.Context) error {
			if p.leak {
				return b.post(ctx, channel, thread, LeakWarningMessage())
			}
			return b.post(ctx, channel, thread, textMessage(BusyText))
		})
	}
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

// notionErrorRE recognises a pasted Notion API error even when it names no
// usable ID (which diagnose.HasReference needs), such as a 401 body.
var notionErrorRE = regexp.MustCompile(`(?i)object_not_found|restricted_resource|validation_error|invalid_request_url|API token is invalid|Could not find (?:page|database|block|data source)|body failed validation|"object"\s*:\s*"error"`)

// holdsReference decides offline whether text holds a Notion reference:
// diagnose.HasReference (a Notion link, an API URL, a pasted error with an
// ID, a usable ID), a repairable ID, or a pasted Notion error without ID.
func holdsReference(text string) (ok bool) {
	if strings.TrimSpace(text) == "" {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	refs, _ := diagnose.ReadLimit(text, 20)
	for _, r := range refs {
		if r.Answerable() || diagnose.HasCode(r.Findings, diagnose.CodeIDMalformed) {
			return true
		}
	}
	return notionErrorRE.MatchString(text)
}

// recheckPlan is what the bot does with a "Check again" click.
type recheckPlan struct {
	text, url, channel, ts string
	refusal                string
}

// planInteraction decides, without side effects, what to do with an
// interaction; ok is false when it is not a "Check again" click or cannot
// be answered.
func (b *Bot) planInteraction(cb slack.InteractionCallback) (p recheckPlan, ok bool) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return p, false
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || a.ActionID != RecheckActionID {
			continue
		}
		p = recheckPlan{text: capText(strings.TrimSpace(a.Value)), url: cb.ResponseURL, channel: cb.Channel.ID, ts: cb.Container.MessageTs}
		if p.channel == "" {
			p.channel = cb.Container.ChannelID
		}
		if p.ts == "" {
			p.ts = cb.Message.Timestamp
		}
		if p.url != "" && !b.responseURLAllowed(p.url) {
			p.url = ""
		}
		team := cb.User.TeamID
		if team == "" {
			team = cb.Team.ID
		}
		switch {
		case b.external(team, cb.Enterprise.ID):
			p.refusal = RefusalExternalText
		case !b.channelAllowed(p.channel):
			p.refusal = b.refusalChannelText()
		}
		if p.url == "" && (p.refusal != "" || p.channel == "" || p.ts == "") {
			return p, false // a refusal goes only to the clicker; nothing to update
		}
		return p, true
	}
	return p, false
}

func (b *Bot) onInteraction(work context.Context, cb slack.InteractionCallback) {
	if cb.ResponseURL != "" && !b.responseURLAllowed(cb.ResponseURL) {
		b.log.Warn("interaction response_url host not allowed, not used", "channel", cb.Channel.ID)
	}
	p, ok := b.planInteraction(cb)
	if !ok {
		return
	}
	if p.refusal != "" {
		b.log.Warn("interaction refused", "channel", p.channel)
		b.goBusy(work, func(ctx context.Context) error { return b.respond(ctx, p.url, textMessage(p.refusal), false) })
		return
	}
	ok = b.goWork(work, "recheck", func(ctx context.Context) {
		rep := b.diagnose(ctx, "recheck", p.text, true)
		msg := Render(rep, RenderOptions{RecheckText: p.text})
		b.deliver(b.replace(ctx, p.url, p.channel, p.ts, msg))
	}, func(ctx context.Context) {
		b.deliver(b.replace(ctx, p.url, p.channel, p.ts, failureMessage()))
	})
	if !ok && p.url != "" {
		b.goBusy(work, func(ctx context.Context) error { return b.respond(ctx, p.url, textMessage(BusyText), false) })
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
