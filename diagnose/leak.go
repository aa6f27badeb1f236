package diagnose

import (
	"fmt"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// addLeak puts the token.leaked finding first in the report's integration
// findings when the text held a credential (Reading.NotionTokens > 0: a
// Notion or Slack token, or an Authorization header's value, in any form).
// Every face of the program reports it the same way; the finding never
// repeats the token, not even in part, and the pieces of text the report
// quotes (check sources, the pasted call's fields) are redacted, so that
// the report itself holds no credential of a known shape.
// Configured secrets are masked by value at each face's output.
func addLeak(rep *Report, rd Reading) {
	if rd.NotionTokens <= 0 {
		return
	}
	for i := range rep.Checks {
		c := &rep.Checks[i]
		c.Source = secret.Redact(c.Source)
		c.Title = secret.Redact(c.Title)
		c.URL = secret.Redact(c.URL)
		c.Findings = redactFindings(c.Findings)
	}
	rep.Integration.Findings = redactFindings(rep.Integration.Findings)
	if c := rep.Call; c != nil {
		cc := *c
		cc.Message, cc.Sent, cc.Integration, cc.ParentID = secret.Redact(cc.Message), secret.Redact(cc.Sent), secret.Redact(cc.Integration), secret.Redact(cc.ParentID)
		if len(cc.AdditionalData) > 0 {
			ad := make(map[string]string, len(cc.AdditionalData))
			for k, v := range cc.AdditionalData {
				ad[k] = secret.Redact(v)
			}
			cc.AdditionalData = ad
		}
		rep.Call = &cc
	}
	if HasCode(rep.Integration.Findings, CodeTokenLeaked) {
		return
	}
	what := "what looks like a token"
	if rd.NotionTokens > 1 {
		what = fmt.Sprintf("%d things that look like tokens", rd.NotionTokens)
	}
	f := NewFinding(CodeTokenLeaked, "The text holds "+what+
		" (a Notion integration token, a Slack token, or the credential of an Authorization header). "+
		"Anyone who can read it can use it; it is not repeated here.", nil)
	rep.Integration.Findings = append([]Finding{f}, rep.Integration.Findings...)
}

// redactFindings returns fs with every text redacted by shape (a finding's
// detail may quote the pasted text).
func redactFindings(fs []Finding) []Finding {
	out := make([]Finding, len(fs))
	for i, f := range fs {
		f.Title, f.Detail = secret.Redact(f.Title), secret.Redact(f.Detail)
		if len(f.Fix) > 0 {
			fix := make([]string, len(f.Fix))
			for j, s := range f.Fix {
				fix[j] = secret.Redact(s)
			}
			f.Fix = fix
		}
		out[i] = f
	}
	return out
}
