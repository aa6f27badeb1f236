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
// rules are pure functions of this package over the reading (the Reference
// and the person's Call) and those observations (rules_access.go: one
// integration's view of one reference; rules_call.go: the call against
// every integration asked; rules_body.go, rules_schema.go: what the call
// sent), so only this package builds findings.
//
// The report-level rules every face applies are here too (outcome.go):
// whether Notion could not be asked (Report.Incomplete), the exit status,
// what counts as a warning, which details and findings a face shows and
// in what order (Report.Tell), and what "check again" re-checks
// (Report.Recheck, built from the reading). A face (the CLI's text, the
// bot's Block Kit and App Home) takes a Report and nothing else.
//
// Every finding code, with its severity, title and fix steps, is spelled in
// one table (see findings.go); nothing else spells them.
package diagnose
