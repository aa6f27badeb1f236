package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
)

// DefaultUnavailableAfter is how long Notion must fail to answer the
// bot's checks before it is an admin's problem (a few failed answers are
// Notion's hiccups, not an incident).
const DefaultUnavailableAfter = 2 * time.Minute

// adminKind is a kind of problem only whoever runs notion-check can fix.
type adminKind string

const (
	adminToken       adminKind = "token"
	adminCapability  adminKind = "capability"
	adminUnavailable adminKind = "unavailable"
)

// reason is the problem in words, for the asker and the admins.
func (k adminKind) reason() string {
	switch k {
	case adminToken:
		return "Notion refuses notion-check's own integration token (401)"
	case adminCapability:
		return "notion-check's integration lacks a capability Notion requires (403)"
	}
	return "Notion has not answered notion-check's checks for a while"
}

// adminProblem is one admin-only problem a report shows.
type adminProblem struct {
	kind    adminKind
	finding diagnose.Finding
}

// adminProblems returns the admin-only problems rep shows, and whether rep
// shows each kind resolved (Notion answered and accepted the token).
func adminProblems(rep diagnose.Report) (found []adminProblem, resolved map[adminKind]bool) {
	in := rep.Integration
	for _, f := range in.Findings {
		switch f.Code {
		case diagnose.CodeTokenInvalid:
			found = append(found, adminProblem{adminToken, f})
		case diagnose.CodeAccessCapability:
			found = append(found, adminProblem{adminCapability, f})
		}
	}
	unavailable := false
	for _, c := range rep.Checks {
		for _, f := range c.Findings {
			if f.Code == diagnose.CodeNotionUnavailable && !unavailable {
				unavailable = true
				found = append(found, adminProblem{adminUnavailable, f})
			}
		}
	}
	resolved = map[adminKind]bool{}
	if in.Status == diagnose.StatusOK {
		resolved[adminToken] = !diagnose.HasCode(in.Findings, diagnose.CodeTokenInvalid)
		resolved[adminCapability] = !diagnose.HasCode(in.Findings, diagnose.CodeAccessCapability)
		resolved[adminUnavailable] = !unavailable && rep.APIVersion != ""
	}
	return found, resolved
}

// incident is one open admin-only problem.
type incident struct {
	since time.Time
	// told is set once the admins were told (or the bot decided it could
	// not tell them): later askers are told the same.
	told, inChannel bool
}

// incidents tracks the admin-only problems open now, so that each is
// posted to the admin channel once per incident, not once per question:
// an incident opens when a report first shows the problem and closes
// when a report shows it resolved (Notion answered and accepted the
// token); the next time it is a new incident.
type incidents struct {
	mu    sync.Mutex
	now   func() time.Time
	after time.Duration // adminUnavailable waits this long
	open  map[adminKind]*incident
}

func newIncidents(after time.Duration) *incidents {
	return &incidents{now: time.Now, after: after, open: map[adminKind]*incident{}}
}

// observe records what rep shows and returns the problems that are
// incidents now (for the note to the asker) and those to post to the
// admin channel now (each once per incident).
func (in *incidents) observe(rep diagnose.Report) (now, post []adminProblem) {
	found, resolved := adminProblems(rep)
	in.mu.Lock()
	defer in.mu.Unlock()
	t := in.now()
	for k, ok := range resolved {
		if ok {
			delete(in.open, k)
		}
	}
	for _, p := range found {
		inc := in.open[p.kind]
		if inc == nil {
			inc = &incident{since: t}
			in.open[p.kind] = inc
		}
		if p.kind == adminUnavailable && t.Sub(inc.since) < in.after {
			continue // not for a while yet
		}
		now = append(now, p)
		if !inc.told {
			inc.told = true
			post = append(post, p)
		}
	}
	return now, post
}

// since is when the incident of kind opened (zero when none is open).
func (in *incidents) since(k adminKind) time.Time {
	in.mu.Lock()
	defer in.mu.Unlock()
	if inc := in.open[k]; inc != nil {
		return inc.since
	}
	return time.Time{}
}

// setTold records whether the admin channel got the incident of kind.
func (in *incidents) setTold(k adminKind, inChannel bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if inc := in.open[k]; inc != nil {
		inc.inChannel = inChannel
	}
}

// toldInChannel reports whether the admin channel has the incident of k.
func (in *incidents) toldInChannel(k adminKind) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	inc := in.open[k]
	return inc != nil && inc.inChannel
}

// adminMessage is what the admin channel gets for one incident: what only
// an admin can fix, the fix steps of the finding, and since when.
func adminMessage(p adminProblem, since time.Time) Message {
	head := "🔧 notion-check needs its admin: " + p.kind.reason()
	var b strings.Builder
	b.WriteString("*" + esc(truncate(p.finding.Title, 200)) + "*")
	if p.finding.Detail != "" && p.kind == adminUnavailable {
		b.WriteString("\n" + esc(truncate(p.finding.Detail, 600)))
	}
	for i, s := range p.finding.Fix {
		fmt.Fprintf(&b, "\n%d. %s", i+1, linkPlaces(esc(truncate(s, 600))))
	}
	if p.kind == adminUnavailable {
		b.WriteString("\n" + linkPlaces("Check status.notion.so and the network between notion-check and api.notion.com."))
	}
	if line := docsLine(p.finding.Code); line != "" {
		b.WriteString("\n" + line)
	}
	ctx := "Since " + since.UTC().Format("2006-01-02 15:04 UTC") + ". People who ask meanwhile are told you know. Posted once per incident: again only after a check shows it fixed and it comes back."
	return Message{
		Text: fallback(head),
		Blocks: []slack.Block{
			slack.NewHeaderBlock(plain(head, MaxHeaderText)),
			section(b.String()),
			slack.NewContextBlock("", mrkdwn(ctx)),
		},
	}
}

// adminNote is what the asker is told of the admin-only problems of the
// report: that the admins were told (in which channel), or, without an
// admin channel (or when posting there failed), to tell whoever runs
// notion-check.
func (b *Bot) adminNote(ps []adminProblem) string {
	if len(ps) == 0 {
		return ""
	}
	var reasons []string
	told := true
	for _, p := range ps {
		reasons = append(reasons, p.kind.reason())
		told = told && b.incidents.toldInChannel(p.kind)
	}
	note := "🔧 *Not yours to fix:* " + strings.Join(reasons, "; ") + ". "
	if c := channelMention(b.cfg.AdminChannel); told && c != "" {
		return note + "notion-check's admins were told in " + c + "; nothing to do on your side."
	}
	return note + "Only whoever runs notion-check can fix it: please tell them."
}

// tellAdmins posts the incidents to the admin channel (once per incident:
// with Config.Cluster, once across the replicas within the cluster's
// dedupe TTL too).
func (b *Bot) tellAdmins(ctx context.Context, ps []adminProblem) {
	for _, p := range ps {
		if b.cfg.AdminChannel == "" {
			continue
		}
		if b.shared() {
			dctx, cancel := context.WithTimeout(ctx, dedupeTimeout)
			seen := b.seenShared(dctx, "admin:"+string(p.kind))
			cancel()
			if seen { // another replica told them
				b.incidents.setTold(p.kind, true)
				continue
			}
		}
		err := b.post(ctx, b.cfg.AdminChannel, "", adminMessage(p, b.incidents.since(p.kind)))
		if err != nil {
			b.log.Error("the admin channel could not be told of an incident", "incident", string(p.kind), "channel", b.cfg.AdminChannel)
		} else {
			b.log.Warn("admin channel told of an incident", "incident", string(p.kind), "channel", b.cfg.AdminChannel)
		}
		b.incidents.setTold(p.kind, err == nil)
	}
}

// finish completes a report message before it is sent: the report's
// causes are counted for the App Home, an admin-only problem is posted to
// the admin channel (once per incident), and the asker is told who can
// fix it.
func (b *Bot) finish(ctx context.Context, rep diagnose.Report, msg Message) Message {
	b.causes.record(rep)
	now, post := b.incidents.observe(rep)
	b.tellAdmins(ctx, post)
	if note := b.adminNote(now); note != "" {
		msg = withSection(msg, note)
		msg.Text = truncate(msg.Text+" — "+strings.TrimPrefix(note, "🔧 "), MaxFallbackText)
	}
	if note := ageNote(rep.CheckedAt, time.Now()); note != "" {
		msg = withContext(msg, note)
	}
	return msg
}

// ageNote says how old a reused answer is, once it is a minute old: an
// answer is kept for Config.CacheTTL, and a person who has just fixed the
// cause in Notion must see that this answer predates the fix and that
// "Check again" asks Notion now. "" for a new answer or an unknown time.
func ageNote(checked, now time.Time) string {
	if checked.IsZero() {
		return ""
	}
	age := now.Sub(checked)
	if age < time.Minute {
		return ""
	}
	mins := int(age / time.Minute)
	return fmt.Sprintf("Checked %d %s ago: *Check again* asks Notion now", mins, plural(mins, "minute", "minutes"))
}

// withSection adds a section holding text right after the header (a
// context line when the message has MaxBlocks already).
func withSection(msg Message, text string) Message {
	if len(msg.Blocks) >= MaxBlocks {
		return withContext(msg, text)
	}
	at := 0
	if len(msg.Blocks) > 0 {
		if _, ok := msg.Blocks[0].(*slack.HeaderBlock); ok {
			at = 1
		}
	}
	blocks := make([]slack.Block, 0, len(msg.Blocks)+1)
	blocks = append(blocks, msg.Blocks[:at]...)
	blocks = append(blocks, section(text))
	blocks = append(blocks, msg.Blocks[at:]...)
	msg.Blocks = blocks
	return msg
}

// AdminMessages are the messages the admin channel gets for the problems
// only an admin can fix that rep shows (its token refused, a capability
// missing, Notion not answering), one per problem, as opened at since.
// Pure, as Render.
func AdminMessages(rep diagnose.Report, since time.Time) []Message {
	found, _ := adminProblems(rep)
	out := make([]Message, 0, len(found))
	for _, p := range found {
		out = append(out, adminMessage(p, since))
	}
	return out
}
