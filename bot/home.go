package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/notion-check/notion-check/diagnose"
)

// IntegrationHealth is one integration the bot checks as, for the App
// Home: its name (never its token) and what Notion last said of its token.
type IntegrationHealth struct {
	// Name is the integration's name as Notion tells it (or the variable
	// it comes from while Notion has not told it).
	Name string
	// Health is "ok", "refused", "unreachable" or "unchecked".
	Health string
}

// CausesWindow is how far back the App Home counts the causes seen.
const CausesWindow = 7 * 24 * time.Hour

// MaxHomeBlocks is the most blocks a Home tab holds.
const MaxHomeBlocks = 100

// causes counts the causes of the reports the bot gave, by finding code
// and by day, for the last CausesWindow: the codes only (no message
// text, no ID, no user). In memory, per replica.
type causes struct {
	mu   sync.Mutex
	now  func() time.Time
	days map[int64]map[diagnose.Code]int // unix day → code → reports
}

func newCauses() *causes {
	return &causes{now: time.Now, days: map[int64]map[diagnose.Code]int{}}
}

func day(t time.Time) int64 { return t.Unix() / 86400 }

// record counts each cause rep shows (diagnose.Report.ProblemCodes) once.
func (c *causes) record(rep diagnose.Report) {
	seen := rep.ProblemCodes()
	if len(seen) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := day(c.now())
	m := c.days[d]
	if m == nil {
		m = map[diagnose.Code]int{}
		c.days[d] = m
	}
	for _, code := range seen {
		m[code]++
	}
	for k := range c.days { // forget what left the window
		if k <= d-int64(CausesWindow/(24*time.Hour)) {
			delete(c.days, k)
		}
	}
}

// CauseCount is how many reports showed a finding code.
type CauseCount struct {
	Code diagnose.Code
	N    int
}

// top returns the n codes seen most in the window, most first (ties by
// code).
func (c *causes) top(n int) []CauseCount {
	c.mu.Lock()
	d := day(c.now())
	sum := map[diagnose.Code]int{}
	for k, m := range c.days {
		if k > d-int64(CausesWindow/(24*time.Hour)) {
			for code, v := range m {
				sum[code] += v
			}
		}
	}
	c.mu.Unlock()
	out := make([]CauseCount, 0, len(sum))
	for code, v := range sum {
		out = append(out, CauseCount{Code: code, N: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Code < out[j].Code
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// HomeInput is what the App Home shows.
type HomeInput struct {
	// Integrations the bot checks as.
	Integrations []IntegrationHealth
	// HelpChannels are the channel IDs of HELP_CHANNELS.
	HelpChannels []string
	// AdminChannel is ADMIN_CHANNEL ("" when unset).
	AdminChannel string
	// Causes are the most common causes of the window, most first.
	Causes []CauseCount
}

// HomeView renders the App Home: how to use the bot, the integrations it
// checks as (names and health, never tokens), the help channels, and the
// most common causes of the last 7 days (by finding code). Pure, within
// the Home tab's limits; every name from outside is escaped.
func HomeView(in HomeInput) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("notion-check: why does my Notion API call fail?", MaxHeaderText)),
		section("*How to ask*\n" +
			"• Right here, in *Messages*: send me a Notion link, an ID, an API URL or a pasted error.\n" +
			"• On any message: *More actions* (⋮) → *" + ShortcutName + "*. The answer is for you alone, with buttons to share it or reply in the message's thread.\n" +
			"• Anywhere: `" + Command + "` followed by the link, ID or error, or mention me with it.\n" +
			"• In a help channel: just paste it, I answer in the thread."),
	}
	var ib strings.Builder
	ib.WriteString("*Integrations I check as*")
	if len(in.Integrations) == 0 {
		ib.WriteString("\nNone told yet.")
	}
	for i, it := range in.Integrations {
		if i == 20 {
			fmt.Fprintf(&ib, "\n…and %d more", len(in.Integrations)-i)
			break
		}
		fmt.Fprintf(&ib, "\n%s *%s* — %s", healthEmoji(it.Health), esc(oneLine(it.Name, 80)), healthText(it.Health))
	}
	ib.WriteString("\nA page must be shared with one of them (••• → Connections) for me to see it.")
	blocks = append(blocks, section(ib.String()))

	var hb strings.Builder
	hb.WriteString("*Help channels*\n")
	var chans []string
	for _, c := range in.HelpChannels {
		if m := channelMention(c); m != "" && len(chans) < 30 {
			chans = append(chans, m)
		}
	}
	if len(chans) == 0 {
		hb.WriteString("None set: mention me in any channel, or use the shortcut.")
	} else {
		hb.WriteString(strings.Join(chans, ", ") + ": paste a Notion link or error there and I answer in the thread.")
	}
	blocks = append(blocks, section(hb.String()))

	var cb strings.Builder
	cb.WriteString("*Most common causes here, last 7 days*")
	if len(in.Causes) == 0 {
		cb.WriteString("\nNothing diagnosed yet.")
	}
	for i, c := range in.Causes {
		title := string(c.Code)
		if s, ok := diagnose.Spec(c.Code); ok {
			title = s.Title
		}
		fmt.Fprintf(&cb, "\n%d. %s — `%s` — %d %s", i+1, esc(truncate(title, 120)), esc(string(c.Code)), c.N, plural(c.N, "time", "times"))
		if u, _ := c.Code.Docs(); u != "" {
			cb.WriteString(" · <" + u + "|docs>")
		}
	}
	blocks = append(blocks, section(cb.String()))
	note := "Counted in memory by this notion-check process since it started (with several replicas, each counts its own): finding codes only; no message text, ID or name is kept."
	if m := channelMention(in.AdminChannel); m != "" {
		note += " Problems only an admin can fix go to " + m + "."
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	return blocks
}

func healthEmoji(h string) string {
	switch h {
	case "ok":
		return "✅"
	case "refused":
		return "❌"
	case "unreachable":
		return "⚠️"
	}
	return "❔"
}

func healthText(h string) string {
	switch h {
	case "ok":
		return "Notion accepts its token"
	case "refused":
		return "Notion refuses its token: the admin must set the current one"
	case "unreachable":
		return "Notion could not be reached lately"
	}
	return "not checked yet"
}

// homePlan is an app_home_opened event to answer: the user whose Home
// tab to publish.
func homeUser(ev slackevents.EventsAPIEvent) (user, eventID string, ok bool) {
	if ev.Type != slackevents.CallbackEvent {
		return "", "", false
	}
	e, isHome := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !isHome || e == nil || e.Tab != "home" || !userIDRE.MatchString(e.User) {
		return "", "", false
	}
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb != nil {
		eventID = cb.EventID
	}
	return e.User, eventID, true
}

// homeJob publishes the App Home for user.
func (b *Bot) homeJob(user string) job {
	return job{what: "app_home", to: fixedReply(func(ctx context.Context) error { return b.publishHome(ctx, user) })}
}

// publishHome renders the App Home and publishes it (views.publish),
// redacted as every outgoing body.
func (b *Bot) publishHome(ctx context.Context, user string) error {
	in := HomeInput{HelpChannels: b.cfg.HelpChannels, AdminChannel: b.cfg.AdminChannel, Causes: b.causes.top(5)}
	if b.cfg.Integrations != nil {
		in.Integrations = b.cfg.Integrations()
	}
	blocks := b.redactBlocks(HomeView(in))
	if len(blocks) == 0 || len(blocks) > MaxHomeBlocks {
		return fmt.Errorf("app home: %d blocks", len(blocks))
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	return b.retry(ctx, "views.publish", func() error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
}
