package bot

import (
	"regexp"
	"strings"
)

// slackTokenRE matches one piece of Slack's markup in a message text:
// <https://…>, <https://…|label>, <@U…>, <@U…|name>, <#C…|name>, <!here>,
// <!subteam^S…|@team>, <mailto:…|…>.
var slackTokenRE = regexp.MustCompile(`<([^<>\n]*)>`)

// entities are the only HTML entities Slack puts in a text.
var entities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// unmarkup undoes Slack's markup at the bot's edge, before the text is
// read: a link becomes its URL (its label, which Slack shows instead, is
// dropped), a user mention disappears, a channel becomes #name, a special
// mention @here/@channel/@team, and &amp; &lt; &gt; become & < >. Text
// without markup is returned as it is.
func unmarkup(text string) string {
	if !strings.ContainsAny(text, "<&") {
		return text
	}
	text = slackTokenRE.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			return " "
		case strings.HasPrefix(target, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			if hasLabel && label != "" {
				return label
			}
			name, _, _ := strings.Cut(target[1:], "^")
			return "@" + name
		case strings.Contains(target, ":"): // a link: https:, mailto:, tel:…
			return target
		}
		return m // not Slack's markup: "<<<" or "a <b> c" as typed was escaped by Slack anyway
	})
	return strings.TrimSpace(entities.Replace(text))
}
