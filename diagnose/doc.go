// Package diagnose is the domain of notion-check: it reads every Notion
// reference in a piece of pasted text, checks each one offline, and, through a
// Prober supplied by the caller, online; then it assembles the Report that the
// CLI prints and the Slack bot renders.
//
// The package knows nothing of Slack and nothing of Notion's wire format: the
// online part lives behind the Prober interface (implemented by package
// diagnose/notion), so the domain sits in the middle and the edges import it.
// The Prober only observes: it reports what each endpoint answered (Answer,
// Object, ProbeResult, IntegrationInfo) and decides which calls to make. The
// verdict rules are pure functions of this package over the reading (the
// Reference and the person's Call) and those observations (verdict.go: one
// integration's view of one reference; verdict_call.go: the call against
// every integration asked), so only this package builds findings.
//
// Every finding code, with its severity, title and fix steps, is spelled in
// one table (see findings.go); nothing else spells them.
package diagnose
