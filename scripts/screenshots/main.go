// Command screenshots renders the Slack report of each example case
// (diagnose/notiontest/examples: the common causes, a shared page, ten references) to
// a small HTML page styled like a Slack message, for headless Chromium to
// screenshot (scripts/screenshots.sh), and trims the screenshots.
//
//	go run ./scripts/screenshots -html DIR      write DIR/<case>.html
//	go run ./scripts/screenshots -trim PNG...  cut the blank bottom off
package main

import (
	"context"
	"flag"
	"fmt"
	"html"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notiontest/examples"
)

// shot lists the cases to picture, in README order.
var shot = []string{
	examples.NotShared, examples.DatabaseAsPage, examples.View, examples.DataSource, examples.Trash,
	examples.RevokedToken, examples.UnsetVariable, examples.OtherIntegation, examples.Shared, examples.Ten,
}

func main() {
	dir := flag.String("html", "", "write one HTML page per case into this directory")
	trim := flag.Bool("trim", false, "trim the blank bottom of the PNG files given as arguments")
	flag.Parse()
	var err error
	switch {
	case *dir != "":
		err = writePages(*dir)
	case *trim:
		for _, f := range flag.Args() {
			if err = trimPNG(f); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("give -html DIR or -trim PNG [PNG ...]")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func writePages(dir string) error {
	cases, err := examples.Cases(context.Background())
	if err != nil {
		return err
	}
	byName := map[string]examples.Case{}
	for _, c := range cases {
		byName[c.Name] = c
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range shot {
		c, ok := byName[name]
		if !ok {
			return fmt.Errorf("no example %q", name)
		}
		msg := bot.Render(c.Report, bot.RenderOptions{})
		page := pageHTML(c, msg)
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(page), 0o644); err != nil {
			return err
		}
		fmt.Println(name)
	}
	return writeSurfaces(dir, byName)
}

// writeSurfaces writes the pages of the ways in beyond the slash command:
// a message shortcut's private answer, a shared report, the admin
// channel's incident and the App Home.
func writeSurfaces(dir string, byName map[string]examples.Case) error {
	ns, ok := byName[examples.NotShared]
	rv, ok2 := byName[examples.RevokedToken]
	if !ok || !ok2 {
		return fmt.Errorf("no example %q or %q", examples.NotShared, examples.RevokedToken)
	}
	pages := map[string]string{
		"shortcut": surfacePage(ns.Text, "Only visible to you", bot.ShortcutReport(ns.Report, "C0HELP0001", "1700000000.000100")),
		"share":    surfacePage("", "", bot.SharedReport(ns.Report, "Shared by <@U0ALEX0001> with notion-check")),
		"admin":    surfacePage("", "", bot.AdminMessages(rv.Report, time.Date(2026, 12, 5, 9, 12, 0, 0, time.UTC))[0]),
		"home": homePage(bot.HomeView(bot.HomeInput{
			Integrations: []bot.IntegrationHealth{{Name: "Iris Checker", Health: "ok"}, {Name: "Marketing Sync", Health: "refused"}},
			HelpChannels: []string{"C0HELP0001"},
			AdminChannel: "C0ADMIN001",
			Causes: []bot.CauseCount{{Code: diagnose.CodeAccessNotShared, N: 14}, {Code: diagnose.CodeEndpointMismatch, N: 6},
				{Code: diagnose.CodeErrorValidation, N: 4}, {Code: diagnose.CodeTokenInvalid, N: 2}},
		})),
	}
	for _, name := range []string{"shortcut", "share", "admin", "home"} {
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(pages[name]), 0o644); err != nil {
			return err
		}
		fmt.Println(name)
	}
	return nil
}

// surfacePage is the person's message (when pasted is not empty) and the
// bot's message, with a note above it ("Only visible to you").
func surfacePage(pasted, note string, msg bot.Message) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><style>" + css + "</style></head><body><div class=\"wrap\">\n")
	if pasted != "" {
		fmt.Fprintf(&b, `<div class="msg user"><div class="avatar">A</div><div class="body"><span class="name">Alex</span><span class="time">10:41 AM</span><div class="pasted">%s</div></div></div>`+"\n",
			linkRe.ReplaceAllString(html.EscapeString(pasted), `<span class="link">$0</span>`))
	}
	if note != "" {
		fmt.Fprintf(&b, "<div class=\"context\">👁 %s</div>\n", html.EscapeString(note))
	}
	b.WriteString(`<div class="msg bot"><div class="avatar">N</div><div class="body"><span class="name">Notion Check</span><span class="badge">APP</span><span class="time">10:42 AM</span>` + "\n")
	writeBlocks(&b, msg.Blocks)
	b.WriteString("</div></div></div></body></html>\n")
	return b.String()
}

// homePage is the App Home tab.
func homePage(blocks []slack.Block) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><style>" + css + "</style></head><body><div class=\"wrap\">\n")
	b.WriteString(`<div class="context"><b>Home</b> &nbsp; Messages &nbsp; About</div><div class="body">` + "\n")
	writeBlocks(&b, blocks)
	b.WriteString("</div></div></body></html>\n")
	return b.String()
}

const css = `
body { margin: 0; background: #fff; font-family: Lato, "Noto Sans", "DejaVu Sans", sans-serif; color: #1d1c1d; }
.wrap { width: 720px; padding: 16px 20px 24px; }
.msg { display: flex; gap: 8px; padding: 8px 0; }
.avatar { width: 36px; height: 36px; border-radius: 6px; flex: none; display: flex; align-items: center; justify-content: center;
  font-weight: 900; color: #fff; font-size: 16px; }
.user .avatar { background: #4a8f7c; }
.bot .avatar { background: #111; }
.body { flex: 1; min-width: 0; font-size: 15px; line-height: 22px; }
.name { font-weight: 900; }
.badge { font-size: 10px; background: #e8e8e8; color: #616061; border-radius: 2px; padding: 1px 3px; margin-left: 4px; font-weight: 700; vertical-align: 1px; }
.time { color: #616061; font-size: 12px; margin-left: 6px; }
.pasted { white-space: pre-wrap; overflow-wrap: anywhere; }
.link { color: #1264a3; }
.header { font-size: 18px; line-height: 26px; font-weight: 900; margin: 4px 0 6px; }
.section { margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.context { color: #616061; font-size: 12px; line-height: 18px; margin: 4px 0; overflow-wrap: anywhere; }
code { font-family: Monaco, Menlo, "DejaVu Sans Mono", monospace; font-size: 12px; color: #e01e5a; background: #f8f8f8;
  border: 1px solid #e8e8e8; border-radius: 3px; padding: 1px 3px; }
.context code { font-size: 11px; }
.button { display: inline-block; margin-top: 8px; border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px;
  font-size: 13px; font-weight: 700; line-height: 22px; }
`

// pageHTML is the person's message and the bot's reply as Slack shows them.
func pageHTML(c examples.Case, msg bot.Message) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><style>" + css + "</style></head><body><div class=\"wrap\">\n")
	pasted := c.Text
	if len(pasted) > 600 {
		pasted = pasted[:600] + "…"
	}
	fmt.Fprintf(&b, `<div class="msg user"><div class="avatar">A</div><div class="body"><span class="name">Alex</span><span class="time">10:41 AM</span><div class="pasted">%s</div></div></div>`+"\n",
		linkRe.ReplaceAllString(html.EscapeString(pasted), `<span class="link">$0</span>`))
	b.WriteString(`<div class="msg bot"><div class="avatar">N</div><div class="body"><span class="name">Notion Check</span><span class="badge">APP</span><span class="time">10:41 AM</span>` + "\n")
	writeBlocks(&b, msg.Blocks)
	b.WriteString("</div></div></div></body></html>\n")
	return b.String()
}

// writeBlocks writes Block Kit blocks as Slack shows them.
func writeBlocks(b *strings.Builder, blocks []slack.Block) {
	for _, blk := range blocks {
		switch blk := blk.(type) {
		case *slack.HeaderBlock:
			fmt.Fprintf(b, "<div class=\"header\">%s</div>\n", html.EscapeString(blk.Text.Text))
		case *slack.SectionBlock:
			fmt.Fprintf(b, "<div class=\"section\">%s</div>\n", mrkdwnHTML(blk.Text.Text))
		case *slack.ContextBlock:
			var parts []string
			for _, e := range blk.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					parts = append(parts, mrkdwnHTML(t.Text))
				}
			}
			fmt.Fprintf(b, "<div class=\"context\">%s</div>\n", strings.Join(parts, " &nbsp; "))
		case *slack.ActionBlock:
			for _, e := range blk.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					fmt.Fprintf(b, "<span class=\"button\">%s</span>\n", html.EscapeString(btn.Text.Text))
				}
			}
		}
	}
}

var (
	codeRe   = regexp.MustCompile("`([^`]+)`")
	boldRe   = regexp.MustCompile(`\*([^*\n]+)\*`)
	italicRe = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_`)
	linkRe   = regexp.MustCompile(`https?://[^\s"']+`)

	slackLinkRe = regexp.MustCompile(`<https://[^<>|]+\|([^<>]+)>`)
	userRe      = regexp.MustCompile(`<@[UW][A-Z0-9]+>`)
	chanRe      = regexp.MustCompile(`<#[CG][A-Z0-9]+>`)
)

// mrkdwnHTML turns Slack mrkdwn into HTML. The renderer already escaped
// &, < and > as entities, which HTML shows as Slack does; quotes are
// escaped here.
func mrkdwnHTML(s string) string {
	s = strings.ReplaceAll(s, `"`, "&quot;")
	var codes []string
	s = codeRe.ReplaceAllStringFunc(s, func(m string) string {
		codes = append(codes, "<code>"+m[1:len(m)-1]+"</code>")
		return fmt.Sprintf("\x00%d\x00", len(codes)-1)
	})
	// The bot's own markup: links show their label, mentions a name.
	s = slackLinkRe.ReplaceAllString(s, `<span class="link">$1</span>`)
	s = userRe.ReplaceAllString(s, `<span class="link">@Alex</span>`)
	s = chanRe.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, "ADMIN") {
			return `<span class="link">#notion-check-admins</span>`
		}
		return `<span class="link">#notion-help</span>`
	})
	s = boldRe.ReplaceAllString(s, "<b>$1</b>")
	s = italicRe.ReplaceAllString(s, "$1<i>$2</i>")
	for i, c := range codes {
		s = strings.Replace(s, fmt.Sprintf("\x00%d\x00", i), c, 1)
	}
	return s
}

// trimPNG cuts the white rows off the bottom of a screenshot, keeping a
// margin.
func trimPNG(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	bnd := img.Bounds()
	last := bnd.Min.Y
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || b < 0xf000 {
				last = y
				break
			}
		}
	}
	h := last + 20
	if h > bnd.Max.Y {
		h = bnd.Max.Y
	}
	out := image.NewRGBA(image.Rect(0, 0, bnd.Dx(), h-bnd.Min.Y))
	draw.Draw(out, out.Bounds(), img, bnd.Min, draw.Src)
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(w, out); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
