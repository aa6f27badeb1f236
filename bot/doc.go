// Package bot is the Slack face of notion-check: a Socket Mode bot that
// answers /notion-check, help-channel messages and mentions with the
// diagnosis rendered as Block Kit. It knows the diagnose package's Report,
// never Notion's wire format.
package bot
