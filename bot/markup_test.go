package bot

import (
	"testing"

	"github.com/notion-check/notion-check/diagnose"
)

// TestUndoMarkup: Slack's formatting of an incoming text is undone once, at
// the bot's edge, before diagnose reads it.
func TestUndoMarkup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain text passes", "see 1212250f3985801cabcdef0123456789", "see 1212250f3985801cabcdef0123456789"},
		{"link with label", "<https://www.notion.so/Page-1212250f3985801cabcdef0123456789|Page>", "https://www.notion.so/Page-1212250f3985801cabcdef0123456789"},
		{"bare link", "<https://www.notion.so/x?v=1&amp;p=2>", "https://www.notion.so/x?v=1&p=2"},
		{"mail link", "<mailto:a@b.c|a@b.c>", "mailto:a@b.c"},
		{"user mention", "<@U0ALEX0001> look", "  look"},
		{"channel", "in <#C0HELP0001|help>", "in  "},
		{"broadcast", "<!here> x", "  x"},
		{"entities once", "&amp;lt;!channel&amp;gt; a &lt; b", "&lt;!channel&gt; a < b"},
		{"unclosed", "a <b c", "a <b c"},
		{"not markup", "<not markup>", "<not markup>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := undoMarkup(tc.in); got != tc.want {
				t.Errorf("undoMarkup(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestReadUndoesMarkupOnce: a peek link as Slack sends it gives the page it
// opens (its "&amp;" undone at the edge), as the same link pasted in a
// terminal does.
func TestReadUndoesMarkupOnce(t *testing.T) {
	t.Parallel()
	b := &Bot{cfg: Config{MaxReferences: 10}}
	const slackText = "<https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc&amp;p=249d19fb353080fcabcdef0123456789|Tasks>"
	rd := b.read(slackText)
	if len(rd.References) != 1 || rd.References[0].ID != "249d19fb-3530-80fc-abcd-ef0123456789" || !diagnose.HasCode(rd.References[0].Findings, diagnose.CodeLinkPeek) {
		t.Errorf("read(%q) = %+v, want the peeked page", slackText, rd.References)
	}
}

// TestReadCountsTokensInDroppedMarkup: a token in a part of the markup
// undoMarkup drops (a link's label, a mention's label) is still a pasted
// token, which the report must warn of.
func TestReadCountsTokensInDroppedMarkup(t *testing.T) {
	t.Parallel()
	const tok = "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"
	b := &Bot{cfg: Config{MaxReferences: 10}}
	for _, text := range []string{
		"<https://www.notion.so/1212250f3985801cabcdef0123456789|" + tok + ">",
		"<#C0HELP0001|" + tok + "> 1212250f3985801cabcdef0123456789",
	} {
		if rd := b.read(text); rd.NotionTokens == 0 {
			t.Errorf("read(%q): no token counted", text)
		}
	}
}
