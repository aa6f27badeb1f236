package bot_test

import (
	"context"
	"fmt"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/diagnose"
)

func ExampleRender() {
	// An offline diagnosis (no token) of an ID one character short,
	// rendered as the bot would post it. The header and the fallback text
	// are the answer: the main cause and its fix in words. Then the
	// integration's section (no token) with its codes, the check's section
	// (the cause and the numbered fix) with its evidence, the context line
	// and the "Check again" button.
	rep := diagnose.New(diagnose.Config{}).Diagnose(context.Background(), "1212250f3985801cabcdef012345678", diagnose.Options{})
	msg := bot.Render(rep, bot.RenderOptions{})
	fmt.Println(msg.Text)
	fmt.Println(len(msg.Blocks) <= bot.MaxBlocks)
	for _, b := range msg.Blocks {
		fmt.Println(b.BlockType())
	}
	// Output:
	// ❌ Not a valid Notion ID — copy it again, whole, from the page's link
	// true
	// header
	// section
	// context
	// section
	// context
	// context
	// actions
}
