package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

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
		fmt.Fprintf(&b, "\n%d. %s", i+1, linkPlaces(esc(s)))
	}
	return Message{
		Text:   LeakWarningText,
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(b.String(), MaxSectionText)), nil, nil)},
	}
}

// withLeakWarning returns msg led by the leaked-token warning: one
// message that says to rotate the token first, then msg.
func withLeakWarning(msg Message) Message {
	w := LeakWarningMessage()
	blocks := append(w.Blocks, msg.Blocks...)
	if len(blocks) > MaxBlocks { // keep the last two (the context and the button)
		blocks = append(blocks[:MaxBlocks-2], blocks[len(blocks)-2:]...)
	}
	return Message{Text: truncate(w.Text+" "+msg.Text, MaxFallbackText), Blocks: blocks}
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

// StoppedText answers an acknowledged request the shutdown did not let
// the bot check.
const StoppedText = "notion-check stopped before it could check this — run it again."

// stoppedMessage is StoppedText as a message.
func stoppedMessage() Message { return textMessage(StoppedText) }

// slashJob is the work of a slash command planned to be diagnosed.
func (b *Bot) slashJob(cmd slack.SlashCommand, p slashPlan) job {
	rd := b.read(p.text)
	return job{what: "slash_command", rd: &rd,
		to: slashReply{b: b, to: replyTo{url: p.url, channel: cmd.ChannelID, user: cmd.UserID}}}
}

// slashReply answers a slash command privately, through its response_url.
type slashReply struct {
	b  *Bot
	to replyTo
}

func (r slashReply) report(ctx context.Context, rep diagnose.Report) error {
	// The Diagnoser reports a pasted token (token.leaked) itself.
	return r.b.respondTo(ctx, r.to, r.b.finish(ctx, rep, privateReport(rep, true, threadRef{})))
}

func (r slashReply) notify(ctx context.Context, n notice) error {
	return r.b.respondTo(ctx, r.to, noticeMessage(n))
}

// MaxTextBytes bounds the text the bot reads from one request: Slack
// messages hold at most 40,000 characters (160,000 bytes of UTF-8 at
// most); a longer text (a forged or huge payload) is cut before anything
// reads it, so neither the acks nor the memory depend on its size.
const MaxTextBytes = 160_000

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

// deliver reports the outcome of one delivery (hook and log) and returns
// err.
func (b *Bot) deliver(err error) error {
	b.cfg.Hooks.reply(err == nil)
	if err != nil {
		b.log.Error("slack reply lost", "error", secret.Redact(err.Error()))
	}
	return err
}

// incoming is a message or app_mention event reduced to what matters.
type incoming struct {
	channel, user, botID, subtype, text, ts, threadTS string
	team, enterprise                                  string
	hidden, mention                                   bool
	// dm is a message in the bot's own direct-message conversation
	// (message.im, channel_type "im").
	dm bool
}

// eventPlan is what the bot does with a message or a mention: a leak
// warning, a report, the usage or a refusal, in channel's thread.
type eventPlan struct {
	leak, report, usage bool
	refusal             string
	channel, thread     string
	text                string // the text read, as Slack sent it (capped)
	reading             diagnose.Reading
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
	var team, enterprise string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb != nil {
		eventID = cb.EventID
		team = eventTeam(cb.InnerEvent)
		// The Enterprise Grid org the event comes from, as a slash
		// command's enterprise_id: a user of a sibling workspace of the
		// same org is treated as on a slash command. In a channel shared
		// with other organisations (Slack Connect) the org says nothing
		// of the author, who is then judged by team alone.
		if !cb.IsExtSharedChannel {
			enterprise = cb.EnterpriseID
		}
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if e == nil {
			return m, "", false
		}
		m = incoming{channel: e.Channel, user: e.User, botID: e.BotID, subtype: e.SubType, text: e.Text, ts: e.TimeStamp, threadTS: e.ThreadTimeStamp,
			dm: e.ChannelType == "im"}
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
	m.team, m.enterprise = team, enterprise
	return m, eventID, true
}

// planEvent decides, without side effects, what to do with a message or a
// mention the bot did not filter out.
func (b *Bot) planEvent(m incoming) eventPlan {
	m.text = capText(m.text) // before anything reads it
	if !m.mention && b.userID != "" && mentions(m.text, b.userID) {
		m.mention = true
	}
	p := eventPlan{channel: m.channel, thread: m.threadTS, ts: m.ts}
	if p.thread == "" && !m.dm {
		p.thread = m.ts // a direct message is answered in the conversation itself
	}
	p.leak = b.redactor.Leaks(m.text) > 0 // a token of any shape, or a configured one
	switch {
	case b.external(m.team, m.enterprise):
		if m.mention {
			p.refusal = RefusalExternalText
		}
		return p
	case m.mention && !m.dm && !b.channelAllowed(m.channel):
		p.refusal = b.refusalChannelText()
		return p
	}
	text := m.text // as Slack sent it: readCapped undoes its markup, once
	rd := b.readCapped(text)
	// A mention or a direct message is addressed to the bot: it gets a
	// report when it asks about Notion (not for a lone word such as
	// "unauthorized"), else the usage. A help-channel message is answered
	// unasked when it holds anything to check.
	addressed := m.mention || m.dm
	asked := rd.Asked()
	p.report = addressed && asked || !addressed && b.help[m.channel] && rd.Answerable()
	p.usage = addressed && !asked && !p.leak
	if p.report {
		p.text, p.reading = text, rd
	}
	return p
}

// mayAnswer reports, without reading the text for references (the event
// loop of a replica must not: a big text would hold the acks behind it),
// whether a message may need an answer: a mention or a direct message (a
// refusal, the usage or a report), a message in a help channel, or one
// that holds a token (a
// scan for credentials, linear and far cheaper than reading). It is true
// whenever planEvent(m).any() is; the worker that plans the message again
// drops what needs nothing.
func (b *Bot) mayAnswer(m incoming) bool {
	text := capText(m.text)
	return m.mention || m.dm || b.help[m.channel] || (b.userID != "" && mentions(text, b.userID)) || b.redactor.Leaks(text) > 0
}

// eventJob is the work of a message or mention planned to be answered.
func (b *Bot) eventJob(m incoming, p eventPlan) job {
	if p.refusal != "" {
		b.log.Warn("mention refused", "channel", m.channel, "team", m.team)
	}
	r := threadReply{b: b, channel: p.channel, thread: p.thread, leak: p.leak, addressed: m.mention || m.dm}
	switch {
	case p.refusal != "":
		r.fixed = r.lead(textMessage(p.refusal))
	case p.report:
		r.reports = true
		return job{what: "message", rd: &p.reading, to: r}
	case p.usage:
		r.fixed = UsageMessage()
	default: // a leak warning alone
		r.fixed = LeakWarningMessage()
	}
	return job{what: "message", to: r}
}

// threadReply answers a message or a mention in its thread. A pasted
// token gets one reply in the thread, never two: whatever the answer is
// (the report, a refusal, busy, stopped, a failure), it says to rotate the
// token first.
type threadReply struct {
	b               *Bot
	channel, thread string
	reports         bool // the report is the answer (else fixed)
	leak, addressed bool
	fixed           Message // the answer when there is no report to give
}

// lead puts the leaked-token warning first when the text held a token.
func (r threadReply) lead(msg Message) Message {
	if r.leak {
		return withLeakWarning(msg)
	}
	return msg
}

func (r threadReply) report(ctx context.Context, rep diagnose.Report) error {
	if !r.reports {
		return r.b.post(ctx, r.channel, r.thread, r.fixed)
	}
	msg := r.b.finish(ctx, rep, Render(rep, RenderOptions{}))
	if !diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenLeaked) {
		// A configured secret of no known shape: the report does not
		// know it leaked.
		msg = r.lead(msg)
	}
	return r.b.post(ctx, r.channel, r.thread, msg)
}

func (r threadReply) notify(ctx context.Context, n notice) error {
	if n == noticeBusy && !r.addressed {
		// A help-channel message gets no busy answer, but the warning.
		if !r.leak {
			return errNoNotice
		}
		return r.b.post(ctx, r.channel, r.thread, LeakWarningMessage())
	}
	return r.b.post(ctx, r.channel, r.thread, r.lead(noticeMessage(n)))
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

func mentions(text, userID string) bool {
	return strings.Contains(text, "<@"+userID+">") || strings.Contains(text, "<@"+userID+"|")
}

// recheckPlan is what the bot does with a "Check again" click.
type recheckPlan struct {
	text, url, channel, ts string
	refusal                string
	// ephemeral: the report clicked is an ephemeral one (it keeps its
	// "Share in channel" button).
	ephemeral bool
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
		p = recheckPlan{text: capText(strings.TrimSpace(a.Value)), url: cb.ResponseURL, channel: cb.Channel.ID, ts: cb.Container.MessageTs, ephemeral: cb.Container.IsEphemeral}
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

// interactionJob is the work of a "Check again" click; ok is false when
// there is nothing to do.
func (b *Bot) interactionJob(cb slack.InteractionCallback) (job, bool) {
	if j, ok, mine := b.surfaceJob(cb); mine {
		return j, ok
	}
	if cb.ResponseURL != "" && !b.responseURLAllowed(cb.ResponseURL) {
		b.log.Warn("interaction response_url host not allowed, not used", "channel", cb.Channel.ID)
	}
	p, ok := b.planInteraction(cb)
	if !ok {
		return job{}, false
	}
	to := replyTo{url: p.url, channel: p.channel, user: cb.User.ID}
	if p.refusal != "" {
		b.log.Warn("interaction refused", "channel", p.channel)
		return job{what: "recheck", to: fixedReply(func(ctx context.Context) error {
			return b.respondTo(ctx, to, textMessage(p.refusal))
		})}, true
	}
	rd := b.read(p.text)
	return job{what: "recheck", rd: &rd, fresh: true, to: recheckReply{b: b, p: p, to: to}}, true
}

// recheckReply answers a "Check again" click: the report replaces the
// clicked one; an answer that is not the report goes to the clicker alone
// (or in the report's thread), and the report stays.
type recheckReply struct {
	b  *Bot
	p  recheckPlan
	to replyTo
}

func (r recheckReply) report(ctx context.Context, rep diagnose.Report) error {
	return r.b.replace(ctx, r.p.url, r.p.channel, r.p.ts, r.b.finish(ctx, rep, r.b.recheckMessage(rep, r.p)))
}

func (r recheckReply) notify(ctx context.Context, n notice) error {
	if n == noticeFailed {
		return r.b.replace(ctx, r.p.url, r.p.channel, r.p.ts, failureMessage())
	}
	if r.p.url != "" {
		return r.b.respondTo(ctx, r.to, noticeMessage(n))
	}
	return r.b.post(ctx, r.p.channel, r.p.ts, noticeMessage(n))
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
