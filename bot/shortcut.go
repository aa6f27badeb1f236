package bot

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
)

// IDs of the message shortcut and of the buttons of a private report.
const (
	// ShortcutCallbackID is the callback_id of the message shortcut
	// "Diagnose with notion-check" (manifest.yml features.shortcuts).
	ShortcutCallbackID = "diagnose_message"
	// ShortcutName is the shortcut's name as Slack shows it (manifest.yml):
	// "Diagnose with notion-check" abbreviated to Slack's 24 characters.
	ShortcutName = "Diagnose w/ notion-check"
	// ShareActionID is the action_id of the "Share in channel" button of
	// an ephemeral report.
	ShareActionID = "share"
	// ThreadActionID is the action_id of the "Reply in thread" button of
	// a message shortcut's private report.
	ThreadActionID = "reply_in_thread"
)

// NoReferenceText answers a message shortcut run on a message that holds
// nothing about Notion.
const NoReferenceText = "notion-check found nothing to check in that message: no Notion link, ID, API URL or pasted Notion error."

// privateReport is a report only the asker sees, with the buttons that
// make it public: "Share in channel" (when share is true) and, for a
// message shortcut, "Reply in thread" posting it in thread (a
// conversation and a message ts). The buttons join the "Check again"
// button's actions block and carry the same value (what to re-check: only
// references rebuilt from what was parsed, never the text), so the report
// is diagnosed again from it when clicked (Slack sends no message body for
// an ephemeral click). Without anything to re-check there are no buttons.
func privateReport(rep diagnose.Report, share bool, thread threadRef) Message {
	msg := Render(rep, RenderOptions{})
	v := recheckValue(rep)
	if v == "" {
		return msg
	}
	var btns []slack.BlockElement
	if share {
		btns = append(btns, slack.NewButtonBlockElement(ShareActionID, v, plain("Share in channel", MaxButtonText)))
	}
	if thread.ok() {
		tv := thread.String() + "\n" + v
		if len(tv) <= MaxButtonValue {
			btns = append(btns, slack.NewButtonBlockElement(ThreadActionID, tv, plain("Reply in thread", MaxButtonText)))
		}
	}
	if len(btns) == 0 {
		return msg
	}
	for _, b := range msg.Blocks {
		if a, ok := b.(*slack.ActionBlock); ok && a.BlockID == RecheckBlockID {
			a.Elements.ElementSet = append(a.Elements.ElementSet, btns...)
			return msg
		}
	}
	return msg
}

// threadRef names a message's thread: the conversation and the ts of the
// thread's parent.
type threadRef struct{ channel, ts string }

var (
	conversationIDRE = regexp.MustCompile(`^[CDG][A-Z0-9]{2,20}$`)
	tsRE             = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{1,8}$`)
)

func (t threadRef) ok() bool {
	return conversationIDRE.MatchString(t.channel) && tsRE.MatchString(t.ts)
}

// String is the first line of a "Reply in thread" button's value.
func (t threadRef) String() string { return t.channel + "/" + t.ts }

// parseThreadValue splits a "Reply in thread" value into its thread and
// what to re-check.
func parseThreadValue(v string) (threadRef, string, bool) {
	first, rest, _ := strings.Cut(v, "\n")
	ch, ts, _ := strings.Cut(first, "/")
	t := threadRef{channel: ch, ts: ts}
	return t, rest, t.ok()
}

// userMention is a mention of a user the bot writes itself, from an ID
// Slack sent: "" when the ID is not of a user ID's shape.
func userMention(id string) string {
	if !userIDRE.MatchString(id) {
		return ""
	}
	return "<@" + id + ">"
}

// channelMention is a channel reference the bot writes itself; "" when
// id is not a channel ID.
func channelMention(id string) string {
	if !conversationIDRE.MatchString(id) || strings.HasPrefix(id, "D") {
		return ""
	}
	return "<#" + id + ">"
}

// withContext adds a line to the message's last context block (the one
// naming the integration), or a context block of its own when there is
// none: no new block, so the report stays within MaxBlocks.
func withContext(msg Message, line string) Message {
	for i := len(msg.Blocks) - 1; i >= 0; i-- {
		if c, ok := msg.Blocks[i].(*slack.ContextBlock); ok && len(c.ContextElements.Elements) < MaxContextElements {
			c.ContextElements.Elements = append([]slack.MixedElement{mrkdwn(truncate(line, MaxSectionText))}, c.ContextElements.Elements...)
			return msg
		}
	}
	if len(msg.Blocks) < MaxBlocks {
		msg.Blocks = append(msg.Blocks, slack.NewContextBlock("", mrkdwn(truncate(line, MaxSectionText))))
	}
	return msg
}

// shortcutPlan is what the bot does with a message shortcut.
type shortcutPlan struct {
	channel, user string
	thread        threadRef
	text          string
	refusal       string
}

// planShortcut decides, without side effects, what to do with a message
// shortcut; ok is false when it is not notion-check's.
func (b *Bot) planShortcut(cb slack.InteractionCallback) (shortcutPlan, bool) {
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != ShortcutCallbackID || cb.User.ID == "" || cb.Channel.ID == "" {
		return shortcutPlan{}, false
	}
	m := cb.Message
	p := shortcutPlan{channel: cb.Channel.ID, user: cb.User.ID, text: messageText(m)}
	p.thread = threadRef{channel: cb.Channel.ID, ts: m.ThreadTimestamp}
	if p.thread.ts == "" {
		p.thread.ts = m.Timestamp
	}
	if p.thread.ts == "" {
		p.thread.ts = cb.MessageTs
	}
	team := cb.User.TeamID
	if team == "" {
		team = cb.Team.ID
	}
	switch {
	case b.external(team, cb.Enterprise.ID):
		p.refusal = RefusalExternalText
	case !strings.HasPrefix(p.channel, "D") && !b.channelAllowed(p.channel):
		p.refusal = b.refusalChannelText()
	}
	return p, true
}

// messageText is the text of a message as Slack stores it (its code
// blocks are in it, between ```), with the text of its attachments (a
// message forwarded or posted by an integration often has only those).
func messageText(m slack.Message) string {
	parts := []string{m.Text}
	for _, a := range m.Attachments {
		for _, s := range []string{a.Pretext, a.Text} {
			if strings.TrimSpace(s) != "" {
				parts = append(parts, s)
			}
		}
		if a.Text == "" && a.Fallback != "" {
			parts = append(parts, a.Fallback)
		}
	}
	return capText(strings.Join(parts, "\n"))
}

// shortcutJob is the work of a message shortcut: the report goes to the
// person who ran it, privately.
func (b *Bot) shortcutJob(p shortcutPlan) job {
	r := shortcutReply{b: b, p: p}
	if p.refusal != "" {
		b.log.Warn("message shortcut refused", "channel", p.channel)
		return job{what: "shortcut", to: fixedReply(func(ctx context.Context) error { return r.private(ctx, textMessage(p.refusal)) })}
	}
	rd := b.read(p.text)
	if !rd.Asked() {
		u := UsageMessage()
		msg := Message{Text: NoReferenceText, Blocks: append([]slack.Block{section(NoReferenceText)}, u.Blocks...)}
		return job{what: "shortcut", to: fixedReply(func(ctx context.Context) error { return r.private(ctx, msg) })}
	}
	return job{what: "shortcut", rd: &rd, to: r}
}

// shortcutReply answers a message shortcut privately.
type shortcutReply struct {
	b *Bot
	p shortcutPlan
}

func (r shortcutReply) private(ctx context.Context, msg Message) error {
	return r.b.private(ctx, r.p.channel, r.p.user, msg)
}

func (r shortcutReply) report(ctx context.Context, rep diagnose.Report) error {
	return r.private(ctx, r.b.finish(ctx, rep, privateReport(rep, true, r.p.thread)))
}

func (r shortcutReply) notify(ctx context.Context, n notice) error {
	return r.private(ctx, noticeMessage(n))
}

// notMember are the errors of chat.postEphemeral and chat.postMessage in
// a conversation the bot cannot post in.
var notMember = map[string]bool{"not_in_channel": true, "channel_not_found": true, "is_archived": true,
	"restricted_action": true, "cannot_dm_bot": true, "user_not_in_channel": true, "access_denied": true}

// private sends msg to user alone: an ephemeral message in channel, or,
// where the bot cannot post there (not a member, another people's DM), a
// direct message from the bot saying where it comes from.
func (b *Bot) private(ctx context.Context, channel, user string, msg Message) error {
	err := b.ephemeral(ctx, channel, user, msg)
	var se slack.SlackErrorResponse
	if err == nil || !errors.As(err, &se) || !notMember[se.Err] {
		return err
	}
	b.log.Info("cannot post in the conversation, answering in a direct message", "channel", channel, "error", se.Err)
	// The conversation is not named: a mention of a channel the bot is
	// not configured for is not markup it writes (guardMarkup).
	return b.post(ctx, user, "", withContext(msg, "notion-check cannot post in the conversation where you asked, so the answer comes here. Add it to that channel to answer there."))
}

// ephemeral posts msg with chat.postEphemeral, redacted, with retries and
// the text-alone fallback.
func (b *Bot) ephemeral(ctx context.Context, channel, user string, msg Message) error {
	msg = b.redactMessage(msg)
	send := func(m Message) error {
		return b.retry(ctx, "chat.postEphemeral", func() error {
			opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
			if len(m.Blocks) > 0 {
				opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
			}
			_, err := b.api.PostEphemeralContext(ctx, channel, user, opts...)
			return err
		})
	}
	return b.withFallback(msg, send)
}

// clickPlan is what the bot does with a "Share in channel" or "Reply in
// thread" click.
type clickPlan struct {
	action        string
	channel, user string
	thread        threadRef // reply_in_thread: where to post
	text          string    // what to re-check
	url           string    // the click's response_url, for a private answer
	refusal       string
}

// planClick decides, without side effects, what to do with a share or
// reply-in-thread click; ok is false for any other interaction.
func (b *Bot) planClick(cb slack.InteractionCallback) (clickPlan, bool) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return clickPlan{}, false
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || (a.ActionID != ShareActionID && a.ActionID != ThreadActionID) {
			continue
		}
		p := clickPlan{action: a.ActionID, channel: cb.Channel.ID, user: cb.User.ID, url: cb.ResponseURL}
		if p.channel == "" {
			p.channel = cb.Container.ChannelID
		}
		if p.url != "" && !b.responseURLAllowed(p.url) {
			p.url = ""
		}
		v := capText(strings.TrimSpace(a.Value))
		if a.ActionID == ThreadActionID {
			t, rest, ok := parseThreadValue(v)
			if !ok {
				return clickPlan{}, false
			}
			p.thread, v = t, rest
		}
		p.text = v
		if p.user == "" || p.channel == "" || strings.TrimSpace(p.text) == "" {
			return clickPlan{}, false
		}
		team := cb.User.TeamID
		if team == "" {
			team = cb.Team.ID
		}
		if b.external(team, cb.Enterprise.ID) {
			p.refusal = RefusalExternalText
		}
		return p, true
	}
	return clickPlan{}, false
}

// clickJob is the work of a share or reply-in-thread click: the report is
// diagnosed again from the button's value and posted for everyone in the
// conversation (or the message's thread), attributed to the clicker. What
// goes wrong is said to the clicker alone.
func (b *Bot) clickJob(p clickPlan) job {
	r := clickReply{b: b, p: p, channel: p.channel}
	if p.refusal != "" {
		return job{what: p.action, to: fixedReply(func(ctx context.Context) error { return r.aside(ctx, textMessage(p.refusal)) })}
	}
	rd := b.read(p.text)
	verb := "Shared by "
	if p.action == ThreadActionID {
		r.channel, r.thread, verb = p.thread.channel, p.thread.ts, "Posted by "
	}
	r.by = verb + "someone"
	if u := userMention(p.user); u != "" {
		r.by = verb + u
	}
	r.by += " with notion-check"
	return job{what: p.action, rd: &rd, to: r}
}

// clickReply posts a shared report; anything else goes to the clicker.
type clickReply struct {
	b                   *Bot
	p                   clickPlan
	channel, thread, by string
}

// aside sends msg to the clicker alone.
func (r clickReply) aside(ctx context.Context, msg Message) error {
	if r.p.url != "" {
		return r.b.respond(ctx, r.p.url, msg, false)
	}
	return r.b.private(ctx, r.p.channel, r.p.user, msg)
}

func (r clickReply) report(ctx context.Context, rep diagnose.Report) error {
	msg := r.b.finish(ctx, rep, SharedReport(rep, r.by))
	err := r.b.post(ctx, r.channel, r.thread, msg)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && notMember[se.Err] {
		r.b.log.Info("cannot share the report: the bot is not in the conversation", "channel", r.channel, "error", se.Err)
		return r.aside(ctx, textMessage("notion-check cannot post in this conversation: add it to the channel first (`/invite @notion-check`), then click again."))
	}
	return err
}

func (r clickReply) notify(ctx context.Context, n notice) error {
	return r.aside(ctx, noticeMessage(n))
}

// surfaceJob is the job of an interaction of the surfaces beyond the
// slash command (a message shortcut, a share or reply-in-thread click);
// mine is false for any other interaction.
func (b *Bot) surfaceJob(cb slack.InteractionCallback) (j job, ok, mine bool) {
	if p, ok := b.planShortcut(cb); ok {
		return b.shortcutJob(p), true, true
	}
	if p, ok := b.planClick(cb); ok {
		return b.clickJob(p), true, true
	}
	return job{}, false, false
}

// surfaceWanted reports whether an interaction is one surfaceJob answers.
func (b *Bot) surfaceWanted(cb slack.InteractionCallback) bool {
	if _, ok := b.planShortcut(cb); ok {
		return true
	}
	_, ok := b.planClick(cb)
	return ok
}

// recheckMessage is the report a "Check again" click replaces the clicked
// one with: an ephemeral report keeps its "Share in channel" button.
func (b *Bot) recheckMessage(rep diagnose.Report, p recheckPlan) Message {
	if p.ephemeral {
		return privateReport(rep, true, threadRef{})
	}
	return Render(rep, RenderOptions{})
}

// ShortcutReport is the report a message shortcut answers privately: the
// report with its "Check again", "Share in channel" and "Reply in thread"
// buttons (the thread of the message ts in channel). Pure, as Render.
func ShortcutReport(rep diagnose.Report, channel, ts string) Message {
	return privateReport(rep, true, threadRef{channel: channel, ts: ts})
}

// SharedReport is a report made public by a click ("Share in channel",
// "Reply in thread"): the report, for everyone, with by ("Shared by <@U…>
// with notion-check") in its context line. Pure, as Render.
func SharedReport(rep diagnose.Report, by string) Message {
	return withContext(Render(rep, RenderOptions{}), by)
}
