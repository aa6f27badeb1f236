package bot_test

import (
	"context"
	"fmt"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/diagnose"
)

func ExampleRender() {
	// An offline diagnosis (no token), rendered as the bot would post it:
	// the verdict, a section for the integration (no token), one per check,
	// the context line and the "Check again" button.
	rep := diagnose.New(diagnose.Config{}).Diagnose(context.Background(), "1212250f3985801cabcdef012345678", diagnose.Options{})
	msg := bot.Render(rep, bot.RenderOptions{RecheckText: "1212250f3985801cabcdef012345678"})
	fmt.Println(msg.Text != "", len(msg.Blocks) <= bot.MaxBlocks)
	for _, b := range msg.Blocks {
		fmt.Println(b.BlockType())
	}
	// Output:
	// true true
	// header
	// section
	// section
	// context
	// actions
}
