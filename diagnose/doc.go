// Package diagnose is the domain of notion-check: it reads every Notion
// reference in a piece of pasted text, checks each one offline, and, through a
// Prober supplied by the caller, online; then it assembles the Report that the
// CLI prints and the Slack bot renders.
//
// The package knows nothing of Slack and nothing of Notion's wire format: the
// online part lives behind the Prober interface (implemented by package
// diagnose/notion), so the domain sits in the middle and the edges import it.
//
// Every finding code, with its severity, title and fix steps, is spelled in
// one table (see findings.go); nothing else spells them.
package diagnose
