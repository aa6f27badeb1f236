package diagnose

import (
	"fmt"
	"strings"
)

// The report-level rules every face (the CLI's text, JSON and exit status,
// the bot's Block Kit, App Home and cache, the server's readiness) applies
// to a finished report: one function each, so that no face decides them on
// its own.

// Exit statuses of a finished diagnosis.
const (
	// ExitOK: neither the integration nor any check has an error finding.
	ExitOK = 0
	// ExitProblem: an error finding (or a warning, when warnings fail).
	ExitProblem = 1
	// ExitIncomplete: no error was found, but Notion could not be asked
	// (Incomplete).
	ExitIncomplete = 3
)

// notionTrouble reports whether f says Notion itself could not be asked:
// it was unavailable or rate-limited past the deadline.
func notionTrouble(f Finding) bool {
	return f.Code == CodeNotionUnavailable || f.Code == CodeNotionRateLimited
}

// Unasked reports whether check c could not be finished because Notion
// could not be asked: Notion was to be asked (the report has an API
// version, the token was accepted or not judged), and c says Notion was
// unavailable or rate-limited, or it has an ID and no status. A check
// without an ID (a pasted 429 or 503 alone) was never to be asked: what
// Notion told the person's call is not a failure of these checks.
func (r Report) Unasked(c Check) bool {
	if c.Status != StatusUnknown || r.APIVersion == "" || r.Integration.Status == StatusMissing {
		return false
	}
	for _, f := range c.Findings {
		if notionTrouble(f) {
			return true
		}
	}
	return c.ID != "" && r.Integration.Status != StatusProblem
}

// Incomplete reports whether Notion was to be asked and could not be: a
// check is Unasked, the integration says Notion was unavailable or
// rate-limited, or the token could not be judged at all. An offline run
// (--offline, no token) is not incomplete: it never meant to ask. An
// incomplete report exits ExitIncomplete, is not cached, and makes the
// server check its tokens again.
func (r Report) Incomplete() bool {
	if r.APIVersion == "" || r.Integration.Status == StatusMissing {
		return false
	}
	if r.Integration.Status == StatusUnknown {
		return true
	}
	for _, f := range r.Integration.Findings {
		if notionTrouble(f) {
			return true
		}
	}
	for _, c := range r.Checks {
		if r.Unasked(c) {
			return true
		}
	}
	return false
}

// HasWarning reports whether the integration or a check has a warning
// finding. Notion's own trouble (notion.unavailable, notion.rate_limited)
// is not one: it says "could not check", which Incomplete tells.
func (r Report) HasWarning() bool {
	return r.anyFinding(func(f Finding) bool { return f.Severity == SeverityWarning && !notionTrouble(f) })
}

// anyFinding reports whether the integration or any check has a finding
// for which is returns true.
func (r Report) anyFinding(is func(Finding) bool) bool {
	for _, f := range r.Integration.Findings {
		if is(f) {
			return true
		}
	}
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			if is(f) {
				return true
			}
		}
	}
	return false
}

// ProblemCodes returns the codes of the report's error and warning
// findings, integration first, each once: the causes the report shows.
func (r Report) ProblemCodes() []Code {
	var out []Code
	seen := map[Code]bool{}
	add := func(fs []Finding) {
		for _, f := range fs {
			if (f.Severity == SeverityError || f.Severity == SeverityWarning) && !seen[f.Code] {
				seen[f.Code] = true
				out = append(out, f.Code)
			}
		}
	}
	add(r.Integration.Findings)
	for _, c := range r.Checks {
		add(c.Findings)
	}
	return out
}

// ExitStatus is the exit status of a finished diagnosis: ExitProblem for
// an error finding (or, when failOnWarning, a warning: HasWarning),
// ExitIncomplete when no error was found but Notion could not be asked
// (Incomplete), else ExitOK.
func (r Report) ExitStatus(failOnWarning bool) int {
	switch {
	case r.HasError(), failOnWarning && r.HasWarning():
		return ExitProblem
	case r.Incomplete():
		return ExitIncomplete
	}
	return ExitOK
}

// ShowsDetail reports whether a face shows f's detail beside its steps:
// when the detail says what the steps do not (which characters are wrong,
// what was found instead of an ID, what the body held). The other details
// restate the steps or are evidence (in the JSON, and the CLI's
// --verbose).
func (f Finding) ShowsDetail() bool {
	if f.Detail == "" {
		return false
	}
	switch f.Code {
	case CodeIDMalformed, CodeIDMissing, CodeLinkNotContent, CodeDatabaseMultipleSources,
		CodeCallNotReproduced, CodeErrorValidation:
		return true
	}
	return strings.HasPrefix(string(f.Code), "body.")
}

// Quiet reports whether check i has nothing to say beyond its name:
// nothing is wrong with it (its CheckHeadline has no severity), or it was
// not checked and no finding of it is shown. A face showing several checks
// folds the quiet ones into one line.
func (r Report) Quiet(i int) bool {
	if r.CheckHeadline(i).Severity == "" {
		return true
	}
	c := r.Checks[i]
	return c.Status == StatusUnknown && len(r.ShownFindings(c)) == 0
}

// RanAs names the one integration the checks ran as: the one a name
// picked (As), else the one every check ran as (Check.CheckedAs), else ""
// (several were asked). A face names it when it is not NOTION_TOKEN's.
func (r Report) RanAs() string {
	if r.As != "" {
		return r.As
	}
	as := ""
	for i, c := range r.Checks {
		a := c.CheckedAs()
		if i > 0 && a != as {
			return ""
		}
		as = a
	}
	return as
}

// Label names a kind for a person: "Page", "Data source", and "ID" when
// the kind is not known.
func (k Kind) Label() string {
	if k == KindUnknown || k == "" {
		return "ID"
	}
	s := strings.ReplaceAll(string(k), "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Summary is the person's call in short: what was asked ("POST
// /v1/pages") and what Notion answered ("400 validation_error"); either
// is "" when the text did not tell.
func (c Call) Summary() (asked, answered string) {
	asked = strings.TrimSpace(c.Method + " " + c.Endpoint)
	if c.Status != 0 {
		answered = fmt.Sprint(c.Status)
	}
	if c.Code != "" {
		answered = strings.TrimSpace(answered + " " + c.Code)
	}
	return asked, answered
}

// ShownAccess returns which integrations see c's object, when a face
// shows it: only with two integrations or more (with one, the cause
// already says whether it sees it).
func (c Check) ShownAccess() []Access {
	if len(c.Access) < 2 {
		return nil
	}
	return c.Access
}

// Mark is "✓" when the integration sees the object, else "✗".
func (a Access) Mark() string {
	if a.Sees {
		return "✓"
	}
	return "✗"
}

// IntegrationFindings returns the integration's findings in the order the
// faces show them: errors, then warnings, then the rest, each in the
// report's order.
func (r Report) IntegrationFindings() []Finding {
	out := make([]Finding, 0, len(r.Integration.Findings))
	for k := range 3 {
		for _, f := range r.Integration.Findings {
			if severityRank(f.Severity) == k {
				out = append(out, f)
			}
		}
	}
	return out
}

// Told is how a face tells one finding of a list: the lead finding in
// full (its cause, unless the report's headline already says it; its
// detail when ShowsDetail; its numbered fix and the JSON to send), every
// other by its one-line answer.
type Told struct {
	Finding Finding
	// Full is true for the lead finding, told in full; false for one told
	// by Answer alone.
	Full bool
	// Title is true when the cause (the finding's title) is said: the lead
	// finding is not the one the headline already states.
	Title bool
	// Detail is true when the finding's detail is said (ShowsDetail).
	Detail bool
	// Answer is the one-line answer of a finding not told in full.
	Answer string
}

// Tell says how to tell findings fs of check c (nil for the integration's):
// lead is the code told in full when it comes first ("" for none: every
// finding one line), ans is the report's headline and at the index of c in
// Checks (-1 for the integration), so that the headline's cause is not
// said twice.
func (r Report) Tell(c *Check, fs []Finding, ans Headline, at int, lead Code) []Told {
	out := make([]Told, 0, len(fs))
	for k, f := range fs {
		if k > 0 || f.Code != lead {
			out = append(out, Told{Finding: f, Answer: r.AnswerText(c, f)})
			continue
		}
		out = append(out, Told{Finding: f, Full: true, Title: !(ans.Code == f.Code && ans.Check == at), Detail: f.ShowsDetail()})
	}
	return out
}

// TokenEntry names the i-th (0-based) entry of NOTION_TOKENS for a person:
// by position, never by value.
func TokenEntry(i int) string { return fmt.Sprintf("NOTION_TOKENS entry %d", i+1) }

// EntryFindings rewrites findings about a token so that they name the i-th
// NOTION_TOKENS entry (TokenEntry) instead of NOTION_TOKEN: "NOTION_TOKEN:"
// in a detail becomes the entry's name, and a detail that names no entry
// is prefixed with it. fs is not changed.
func EntryFindings(i int, fs []Finding) []Finding {
	if fs == nil {
		return nil
	}
	name := TokenEntry(i)
	out := make([]Finding, len(fs))
	for j, f := range fs {
		f.Detail = strings.Replace(f.Detail, "NOTION_TOKEN:", name+":", 1)
		if !strings.HasPrefix(f.Detail, name) {
			f.Detail = name + ": " + f.Detail
		}
		out[j] = f
	}
	return out
}

// AddEntryFindings reports on r the NOTION_TOKENS entries that cannot be
// used, as NOTION_TOKEN's are: entry i's shape findings (shapes[i], named
// by EntryFindings) and, when users/me was asked of it (answers[i]), the
// refusal of a token Notion does not accept (401) — each named by
// position, never by value. A finding whose detail the report already
// holds is not added again.
func (r *Report) AddEntryFindings(shapes [][]Finding, answers []IntegrationInfo) {
	for i, shape := range shapes {
		fs := shape
		if i < len(answers) {
			if in, _ := IntegrationFrom(answers[i]); in.Status == StatusProblem {
				for _, f := range in.Findings {
					if f.Code == CodeTokenInvalid {
						fs = append(fs, EntryFindings(i, []Finding{f})...)
					}
				}
			}
		}
		for _, f := range fs {
			if !hasDetail(r.Integration.Findings, f.Detail) {
				r.Integration.Findings = append(r.Integration.Findings, f)
			}
		}
	}
}

func hasDetail(fs []Finding, detail string) bool {
	for _, f := range fs {
		if f.Detail == detail {
			return true
		}
	}
	return false
}
