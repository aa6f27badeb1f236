package bot

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// Slack reads "<…>" in a message's text, in mrkdwn and even inside code
// spans and ``` blocks as markup: a link (<https://…|label>), a user,
// channel or group mention (<@U…>, <#C…>, <!subteam^S…>) or a broadcast
// (<!channel>, <!here>, <!everyone>). The renderers escape every outside
// text (esc); the guard below is the second line: on the way out, every
// "<…>" that is not markup the bot writes itself is neutralised
// (&lt;…&gt;), whatever produced it.

// ownMarkup reports whether inner (the text between "<" and ">") is
// markup the bot writes itself:
//   - <#C…> naming a configured channel (AllowedChannels, HelpChannels,
//     AdminChannel);
//   - <@U…> naming a user by ID alone (no label that could hide another
//     name);
//   - a link <https://host/…> or <https://host/…|label> to Notion or Slack
//     (ownLinkHost).
//
// Broadcasts and group mentions (<!…>) are never the bot's.
func (b *Bot) ownMarkup(inner string) bool {
	switch {
	case strings.HasPrefix(inner, "#"):
		id := inner[1:]
		return b.allowed[id] || b.help[id] || (id != "" && id == b.cfg.AdminChannel)
	case strings.HasPrefix(inner, "@"):
		return userIDRE.MatchString(inner[1:])
	case strings.HasPrefix(inner, "!"):
		return false
	}
	target, _, _ := strings.Cut(inner, "|")
	u, err := url.Parse(target)
	return err == nil && u.Scheme == "https" && u.User == nil && u.Port() == "" && ownLinkHost(u.Hostname())
}

// userIDRE is the shape of a Slack user ID (U…, or W… in Enterprise Grid).
var userIDRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// ownLinkHost reports whether the bot links to host: Notion's app, docs,
// status page and public sites, and Slack.
func ownLinkHost(host string) bool {
	switch strings.ToLower(host) {
	case "www.notion.so", "notion.so", "www.notion.com", "notion.com", "app.notion.com",
		"developers.notion.com", "status.notion.so",
		"slack.com", "api.slack.com", "app.slack.com":
		return true
	}
	return strings.HasSuffix(strings.ToLower(host), ".notion.site")
}

// guardMarkup returns s with every "<" that does not open markup the bot
// writes itself (ownMarkup) escaped as &lt; (and the ">" that closed it as
// &gt;), and how many it escaped. Text the renderers escaped holds no "<"
// and passes unchanged.
func (b *Bot) guardMarkup(s string) (string, int) {
	if !strings.Contains(s, "<") {
		return s, 0
	}
	var out strings.Builder
	out.Grow(len(s) + 16)
	n := 0
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			out.WriteString(s)
			return out.String(), n
		}
		out.WriteString(s[:i])
		s = s[i+1:]
		end := strings.IndexAny(s, "<>")
		if end >= 0 && s[end] == '>' {
			inner := s[:end]
			if b.ownMarkup(inner) {
				out.WriteString("<" + inner + ">")
			} else {
				out.WriteString("&lt;" + inner + "&gt;")
				n++
			}
			s = s[end+1:]
			continue
		}
		out.WriteString("&lt;") // a "<" that closes nothing
		n++
	}
}

// guardJSON applies guardMarkup to every string of a JSON document (a
// message's blocks, an ack or a response_url body) and returns it, with how
// many pieces of markup it neutralised. A document without "<" (Go's JSON
// writes it \u003c) is returned as it is.
func (b *Bot) guardJSON(js []byte) ([]byte, int, error) {
	if !strings.Contains(string(js), `\u003c`) && !strings.Contains(string(js), "<") {
		return js, 0, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, 0, err
	}
	n := 0
	v = b.guardValue(v, &n)
	if n == 0 {
		return js, 0, nil
	}
	out, err := json.Marshal(v)
	return out, n, err
}

func (b *Bot) guardValue(v any, n *int) any {
	switch x := v.(type) {
	case string:
		s, k := b.guardMarkup(x)
		*n += k
		return s
	case []any:
		for i := range x {
			x[i] = b.guardValue(x[i], n)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = b.guardValue(e, n)
		}
	}
	return v
}

// guarded logs, once per outgoing body, that the guard neutralised
// markup: a renderer let outside text through unescaped (a bug to fix).
func (b *Bot) guarded(where string, n int) {
	if n > 0 {
		b.log.Warn("outgoing Slack text held markup the bot did not write; neutralised", "where", where, "count", n)
	}
}

// undoMarkup is the one place where Slack's formatting of an incoming text
// is undone, once, before the text reaches diagnose (Bot.readCapped):
// <url|label> and <url> become the URL, <@U…>/<#C…|name>/<!here> become a
// space, and &amp; &lt; &gt; are unescaped. Text without markup passes
// unchanged. Nothing it returns goes back to Slack unescaped: the
// renderers escape every outside text (esc).
func undoMarkup(text string) string {
	if !strings.Contains(text, "<") && !strings.Contains(text, "&") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		// Copy the plain run up to the next '<' or '&' at once.
		if j := strings.IndexAny(text[i:], "<&"); j != 0 {
			if j < 0 {
				b.WriteString(text[i:])
				break
			}
			b.WriteString(text[i : i+j])
			i += j
		}
		c := text[i]
		if c == '<' {
			end := strings.IndexAny(text[i+1:], "<>\n")
			if end >= 0 && text[i+1+end] == '>' {
				inner := text[i+1 : i+1+end]
				target := inner
				if p := strings.IndexByte(inner, '|'); p >= 0 {
					target = inner[:p]
				}
				switch {
				case strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:"):
					b.WriteString(unescapeSlack(target))
					i += end + 2
					continue
				case target != "" && (target[0] == '@' || target[0] == '#' || target[0] == '!'):
					b.WriteByte(' ')
					i += end + 2
					continue
				}
			}
		}
		if c == '&' {
			switch {
			case strings.HasPrefix(text[i:], "&amp;"):
				b.WriteByte('&')
				i += 5
				continue
			case strings.HasPrefix(text[i:], "&lt;"):
				b.WriteByte('<')
				i += 4
				continue
			case strings.HasPrefix(text[i:], "&gt;"):
				b.WriteByte('>')
				i += 4
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// unescapeSlack undoes Slack's three HTML entities.
func unescapeSlack(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return slackEntities.Replace(s)
}

// slackEntities is read-only after initialisation (a Replacer is safe for
// concurrent use).
var slackEntities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
