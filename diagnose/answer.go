package diagnose

import (
	"strings"
	"unicode/utf8"
)

// Headline is the line a report leads with: the main cause and its fix in
// words, so that a person who reads only that line knows what to do. Both
// renderers (the terminal and Slack) lead with it, and Slack's header and
// fallback text say the same.
type Headline struct {
	// Severity is the severity of the finding the answer comes from; ""
	// when nothing is wrong.
	Severity Severity
	// Code is that finding's code; "" for "all good" and "not finished".
	Code Code
	// Check is the index in Report.Checks the answer is about; -1 for the
	// integration or the report as a whole.
	Check int
	// Text is the answer: "Not shared with Iris Checker — open the page →
	// ••• → Connections → add Iris Checker". It never holds a tally or a
	// finding code.
	Text string
}

// Problem reports whether the answer is about an error.
func (a Headline) Problem() bool { return a.Severity == SeverityError }

// answerTable holds, for each code, the one-line answer: the cause and the
// fix, shortest first among what fits. The first variant whose
// {placeholders} can all be filled from the report is used. Placeholders:
// {integration} {workspace} {id} {kind} {title} {source} {endpoint} (the
// endpoint that serves the object), {database} {data_source} {view} {page}
// {block} (related IDs) and {version}.
var answerTable = map[Code][]string{
	CodeIDMissing:      {"No Notion ID in what was given — copy the page's link (••• → Copy link) and check that"},
	CodeIDMalformed:    {"Not a valid Notion ID — it was checked as {id}: use that", "Not a valid Notion ID — copy it again, whole, from the page's link"},
	CodeIDExtracted:    {"Pass only the ID to the API: {id}"},
	CodeLinkView:       {"The ?v= ID is a view, not the database — use the database ID {database}"},
	CodeLinkPeek:       {"A page opened in peek: its ID is {page}, in database {database}", "A page opened in peek: its ID is {page}"},
	CodeLinkBlock:      {"A link to block {block} on this page", "A link to a block: use /v1/blocks/{id}"},
	CodeLinkNotContent: {"Not a link to Notion content — open the page itself and use ••• → Copy link"},
	CodeTokenMissing:   {"Only offline checks ran — set NOTION_TOKEN to check sharing, kind and endpoint"},
	CodeTokenMalformed: {"The token has the wrong shape — copy the secret again; no quotes, spaces or \"Bearer \""},
	CodeTokenInvalid:   {"Notion refused the token (401) — set the integration's current secret again"},
	CodeTokenLeaked:    {"A Notion token is in this message — rotate it now and delete the message"},
	CodeAccessOK:       {"{integration} can read this {kind} — use {endpoint}", "The integration can read this {kind} — use {endpoint}", "The integration can read it"},
	CodeAccessNotShared: {
		"Not shared with {integration} — open it → ••• → Connections → add {integration}",
		"Not shared with the integration — open it → ••• → Connections → add it",
	},
	CodeAccessCapability:        {"The integration lacks a capability (403) — enable Read content in its Capabilities"},
	CodeEndpointMismatch:        {"{variable} holds the {kind} ID — {use}", "This ID is a {kind} — {use}", "This ID is a {kind} — call {endpoint}"},
	CodeKindBlock:               {"A block, not a page — its page is {page}", "A block, not a page — use /v1/blocks/{id}"},
	CodeKindDataSource:          {"A data source — use /v1/data_sources/{id}, not /v1/databases"},
	CodeDatabaseDataSources:     {"Query its data source: POST /v1/data_sources/{data_source}/query", "Query its data source, not the database (Notion-Version 2025-09-03)"},
	CodeDatabaseMultipleSources: {"Several data sources — use Notion-Version 2025-09-03 and one data source ID"},
	CodeDatabaseLinked:          {"A linked database, which the API cannot read — use the source database"},
	CodeObjectInTrash:           {"In the trash — restore “{title}” from Notion's Trash to edit it", "In the trash — restore it from Notion's Trash to edit it"},
	CodeNotionRateLimited:       {"Notion rate-limited the checks, so they could not be finished — check again in a minute"},
	CodeNotionUnavailable:       {"Notion did not answer, so the checks could not be finished — check again in a few minutes"},
	CodeInputSkipped:            {"Not every reference was checked — send the rest separately"},
	CodeIDVariable: {
		"{source} is not set — set it to the ID where the code runs",
		"An unset variable stands where the ID belongs — set it to the real ID",
	},
	CodeKindView: {
		"A view ID — query its data source {data_source}",
		"A view, not a database — use the database ID {database}",
		"A view, not a database — use the database's own ID",
	},
	CodeTokenPersonal: {"A personal access token: it sees what its creator sees, so connections do not apply"},
	CodeAccessOtherIntegration: {
		"Not shared with {call_integration} — open it → ••• → Connections → add {call_integration}",
		"Not shared with the call's integration — open it → ••• → Connections → add it",
	},
	CodeCallNotReproduced:   {"Your call failed, but the object looks fine here — compare token, Notion-Version and endpoint"},
	CodeErrorUnauthorized:   {"{auth_answer}", "The call's token was refused (401) — send Authorization: Bearer <current secret>"},
	CodeErrorRestricted:     {"The call lacks a capability (403) — enable it in the connection's Capabilities"},
	CodeErrorNotFound:       {"Not found or not shared (404) — add the integration in ••• → Connections"},
	CodeErrorVersion:        {"{answer}", "The Notion-Version is the cause — send a current Notion-Version header"},
	CodeErrorRequestURL:     {"Not a valid API route — put only the 32-character ID in the path"},
	CodeErrorValidation:     {"{answer}", "Notion rejected a field of the call — fix it as below"},
	CodeErrorArchived:       {"The call edits a trashed object — restore it from Notion's Trash first"},
	CodeErrorRateLimited:    {"The call was rate-limited (429) — wait Retry-After, then pace the calls"},
	CodeErrorServer:         {"Notion failed on its side (409/5xx) — retry with backoff"},
	CodeBodyPropertyType:    {"{answer}", "A property was sent in the wrong shape — send the one type key its schema has"},
	CodeBodyPropertyMissing: {"{answer}", "The body names a property the data source does not have — use its exact name or ID"},
	CodeBodyOption:          {"{answer}", "Notion refused an option — use one the property has"},
	CodeBodyReadOnly:        {"{answer}", "A read-only property was written — leave it out"},
	CodeBodyTitle:           {"{answer}", "The title must go under the data source's title property"},
	CodeBodyRelation:        {"{answer}", "A relation is a list of page objects — send each page as an object with its id"},
	CodeBodyValue:           {"{answer}", "Notion refused a value — send it in the shape its type takes"},
	CodeBodyLimit:           {"{answer}", "A request limit was passed — split the request"},
	CodeBodyParent:          {"{answer}", "The parent does not fit — send the parent shown below"},
	CodeBodyBlock:           {"{answer}", "A block was sent where Notion does not accept it"},
	CodeCallClient:          {"{client_answer}", "The call never reached Notion's API — the failure is in the client"},
	CodeSearchEmpty:         {"{search_answer}", "Nothing this token can see matched — share the page above what you look for with the connection (••• → Connections)"},
	CodeOAuthGrant:          {"{oauth_answer}", "The OAuth token exchange failed — it is not the access token: fix the token request"},
	CodeTokenOAuth:          {"A public (OAuth) integration: it sees the pages its installer picked — authorize again to add a page"},
}

// leadInfos are info findings that answer the person's question by
// themselves (the ID is not what they thought), so they lead a report
// ahead of "all good".
var leadInfos = map[Code]bool{
	CodeKindView: true, CodeKindDataSource: true, CodeTokenPersonal: true, CodeTokenOAuth: true, CodeLinkPeek: true, CodeLinkBlock: true,
}

// AnswerText returns the one-line answer for one finding of a check (c may
// be nil for an integration finding): the cause and the fix in words.
func (r Report) AnswerText(c *Check, f Finding) string {
	vars := r.answerVars(c)
	vars["answer"] = f.Answer
	variants := answerTable[f.Code]
	if f.Code == CodeAccessNotShared && r.personal(c) {
		variants = personalNotShared
	} else if f.Code == CodeAccessNotShared && r.oauthChecked(c) {
		variants = oauthNotShared
	}
	for _, v := range variants {
		if s, ok := fill(v, vars); ok {
			return s
		}
	}
	return f.Title
}

// personalNotShared is access.not_shared's answer when the check ran as
// a personal access token: its creator's own access counts, so no
// Connections step (Notion's 2026 changes).
var personalNotShared = []string{
	"Not visible to whoever created the personal access token {integration} — they need access to it in Notion; connections do not apply",
	"Not visible to whoever created the personal access token — they need access to it in Notion; connections do not apply",
}

// checkedAs names the integration check c ran as when only one was asked
// (the one a pasted error or --as names, or the only one configured), else
// "": the others' answers only tell whether they see the object.
func checkedAs(c *Check) string {
	if c == nil {
		return ""
	}
	if len(c.Access) == 1 {
		return c.Access[0].Integration
	}
	if len(c.Access) > 1 {
		return ""
	}
	as := ""
	for _, e := range c.Evidence {
		if e.Integration == "" || (as != "" && e.Integration != as) {
			return ""
		}
		as = e.Integration
	}
	return as
}

// CheckedAs names the integration the check ran as when only one was
// asked (the one a pasted error or --as names, or the only one
// configured), else "".
func (c Check) CheckedAs() string { return checkedAs(&c) }

// personal reports whether check c ran as a personal access token.
func (r Report) personal(c *Check) bool {
	if c != nil && HasCode(c.Findings, CodeTokenPersonal) {
		return true
	}
	as := checkedAs(c)
	return (as == "" || as == r.Integration.Name) && HasCode(r.Integration.Findings, CodeTokenPersonal)
}

// answerVars are the values the answer templates may use.
func (r Report) answerVars(c *Check) Vars {
	v := Vars{"integration": r.Integration.Name, "workspace": r.Integration.Workspace}
	if as := checkedAs(c); as != "" {
		// Checked as another integration (the one the pasted error
		// names): the answer is about that one, not NOTION_TOKEN's.
		v["integration"] = as
	}
	if r.Call != nil {
		v["call_integration"] = r.Call.Integration
		v["version"] = r.Call.NotionVersion
	}
	defer r.causeVars(c, v)
	if c == nil {
		return v
	}
	v["id"] = c.ID
	if c.Kind != KindUnknown {
		v["kind"] = strings.ReplaceAll(string(c.Kind), "_", " ")
	}
	if t := strings.Join(strings.Fields(c.Title), " "); utf8.RuneCountInString(t) <= 60 {
		v["title"] = t
	}
	s := strings.TrimSpace(c.Source)
	if i := strings.LastIndex(s, ": "); i >= 0 {
		// A key of pasted code or JSON and its value
		// ("data_source_id: process.env.NOTION_DB_ID"): the value is what
		// stands where the ID belongs.
		s = strings.TrimSpace(s[i+2:])
	}
	if utf8.RuneCountInString(s) <= 60 && !strings.ContainsAny(s, " \t\n") {
		v["source"] = s
	}
	if c.ID != "" {
		v["endpoint"] = endpointFor(c.Kind, c.ID, r.Call)
	}
	switch c.Kind {
	case KindPage:
		v["page"] = c.ID
	case KindDatabase:
		v["database"] = c.ID
	case KindDataSource:
		v["data_source"] = c.ID
	case KindView:
		v["view"] = c.ID
	case KindBlock:
		v["block"] = c.ID
	}
	for _, rel := range c.Related {
		if k := string(rel.Role); v[k] == "" {
			v[k] = rel.ID
		}
	}
	if c.Kind == KindView {
		// A view's rows are read through its data source (or, unknown
		// that, its database), as ruleView says: not GET /v1/views.
		switch {
		case v["data_source"] != "":
			v["endpoint"] = "/v1/data_sources/" + v["data_source"] + "/query"
		case v["database"] != "":
			v["endpoint"] = "/v1/databases/" + v["database"]
		}
	}
	return v
}

// endpointFor is the path that serves an object of kind k; a pasted call's
// /query or /children suffix is kept when it fits the kind.
func endpointFor(k Kind, id string, call *Call) string {
	base := ""
	switch k {
	case KindPage:
		base = "/v1/pages/"
	case KindDatabase:
		base = "/v1/databases/"
	case KindDataSource:
		base = "/v1/data_sources/"
	case KindBlock:
		base = "/v1/blocks/"
	case KindView:
		base = "/v1/views/"
	default:
		return ""
	}
	ep := base + id
	if call != nil {
		switch {
		case strings.HasSuffix(call.Endpoint, "/query") && (k == KindDataSource || k == KindDatabase):
			if k == KindDatabase {
				return "POST /v1/data_sources/…/query with its data source ID"
			}
			return "POST " + ep + "/query"
		case strings.HasSuffix(call.Endpoint, "/children") && (k == KindBlock || k == KindPage):
			return "/v1/blocks/" + id + "/children"
		}
	}
	return ep
}

// Shown reports whether a finding is worth showing a person by default.
// What tells nothing new stays in the JSON report only: id.extracted when
// the ID was not sent whole, link.view when the path ID was used
// correctly, access.ok when the check has anything else to say, and
// input.skipped (the renderers say it in their own words).
func (r Report) Shown(c Check, f Finding) bool {
	switch f.Code {
	case CodeIDExtracted:
		return r.sentWhole(c)
	case CodeLinkView:
		return r.callUses(viewOf(c))
	case CodeAccessOK:
		for _, o := range c.Findings {
			if o.Code != CodeAccessOK && r.Shown(c, o) {
				return false
			}
		}
		return true
	case CodeInputSkipped:
		return false
	case CodeKindDataSource, CodeKindView:
		// endpoint.mismatch already says it is a data source or a view,
		// and where to go instead.
		return !HasCode(c.Findings, CodeEndpointMismatch)
	}
	return true
}

// ShownFindings returns the findings of check c worth showing by default,
// the main cause first (what explains the person's call, then errors,
// warnings and the rest, each in order: rank.go).
func (r Report) ShownFindings(c Check) []Finding {
	var out []Finding
	for _, f := range c.Findings {
		if r.Shown(c, f) {
			out = append(out, f)
		}
	}
	rankFindings(out, r.Call)
	return out
}

// sentWhole reports whether the person's call sent a link or slug where
// the check's ID belongs, which is when id.extracted helps.
func (r Report) sentWhole(c Check) bool {
	if r.Call == nil || c.ID == "" {
		return false
	}
	for _, s := range []string{r.Call.Sent, r.Call.ParentID} {
		if s != "" && strings.Contains(strings.ReplaceAll(strings.ToLower(s), "-", ""), Hex32(c.ID)) && strings.ContainsAny(s, "/?=") {
			return true
		}
	}
	return false
}

func viewOf(c Check) string {
	for _, rel := range c.Related {
		if rel.Role == KindView {
			return rel.ID
		}
	}
	return ""
}

// callUses reports whether the person's call names id (in any form).
func (r Report) callUses(id string) bool {
	if r.Call == nil || id == "" {
		return false
	}
	h := Hex32(id)
	for _, s := range []string{r.Call.Sent, r.Call.ParentID, r.Call.Message} {
		if strings.Contains(strings.ReplaceAll(strings.ToLower(s), "-", ""), h) {
			return true
		}
	}
	return false
}

// CheckHeadline is the cause of one check in words, with its fix: the
// answer of its first shown finding (errors first). An ok check without
// anything to say gets "All good"; a check that could not be finished says
// so.
func (r Report) CheckHeadline(i int) Headline {
	c := r.Checks[i]
	if fs := r.ShownFindings(c); len(fs) > 0 && (fs[0].Severity != SeverityInfo || leadInfos[fs[0].Code] || fs[0].Code == CodeAccessOK) {
		sev := fs[0].Severity
		if fs[0].Code == CodeAccessOK {
			sev = "" // nothing is wrong
		}
		return Headline{Severity: sev, Code: fs[0].Code, Check: i, Text: r.AnswerText(&c, fs[0])}
	}
	if c.Status == StatusUnknown {
		return Headline{Check: i, Severity: SeverityWarning, Text: r.notFinishedText(1)}
	}
	return Headline{Check: i, Text: "All good"}
}

// notFinishedText says why n checks could not be finished, never
// "offline" when Notion was asked.
func (r Report) notFinishedText(n int) string {
	what := "the check"
	if n > 1 {
		what = "the checks"
	}
	switch {
	case r.Integration.Status == StatusMissing:
		return "Checked offline only — set NOTION_TOKEN to check sharing, kind and endpoint"
	case r.Integration.Status == StatusProblem:
		return "Not checked online: fix the token first"
	case r.APIVersion == "":
		return "Checked offline only (Notion was not asked) — run it without --offline to check sharing and kind"
	}
	return "Notion did not answer, so " + what + " could not be finished — check again in a few minutes"
}

// Headline picks the main cause of the whole report: a finding that
// explains the person's pasted call first (rank.go), then the integration's
// errors, then the first error of the first check with a problem,
// then warnings (integration, then checks), then what the ID turned out to
// be, then "could not be finished", and "All good" only when nothing is
// wrong. Findings that Shown hides never lead.
func (r Report) Headline() Headline {
	if h, ok := r.explainingHeadline(); ok {
		return h
	}
	in := r.Integration.Findings
	for _, sev := range []Severity{SeverityError, SeverityWarning} {
		for _, f := range in {
			if f.Severity == sev {
				return Headline{Severity: sev, Code: f.Code, Check: -1, Text: r.AnswerText(nil, f)}
			}
		}
		if sev == SeverityWarning {
			break
		}
		for i, c := range r.Checks {
			for _, f := range r.ShownFindings(c) {
				if f.Severity == sev {
					return Headline{Severity: sev, Code: f.Code, Check: i, Text: r.AnswerText(&r.Checks[i], f)}
				}
			}
		}
	}
	for i, c := range r.Checks {
		for _, f := range r.ShownFindings(c) {
			if f.Severity == SeverityWarning {
				return Headline{Severity: SeverityWarning, Code: f.Code, Check: i, Text: r.AnswerText(&r.Checks[i], f)}
			}
		}
	}
	for i, c := range r.Checks {
		for _, f := range r.ShownFindings(c) {
			if leadInfos[f.Code] {
				sev := SeverityInfo
				if r.Call.Failed() {
					// The person's call failed, and this is why: say it
					// as a problem, not as a note.
					sev = SeverityError
				}
				return Headline{Severity: sev, Code: f.Code, Check: i, Text: r.AnswerText(&r.Checks[i], f)}
			}
		}
	}
	unknown := 0
	for _, c := range r.Checks {
		if c.Status == StatusUnknown {
			unknown++
		}
	}
	if unknown > 0 {
		return Headline{Severity: SeverityWarning, Check: -1, Text: r.notFinishedText(unknown)}
	}
	if len(r.Checks) == 1 {
		// All good, and the one thing worth knowing next: the data source
		// to query, else where to read it.
		c := r.Checks[0]
		for _, f := range r.ShownFindings(c) {
			if f.Code != CodeAccessOK {
				return Headline{Check: 0, Code: f.Code, Text: "All good — " + lowerFirst(r.AnswerText(&c, f))}
			}
		}
		for _, f := range c.Findings {
			if f.Code == CodeAccessOK {
				return Headline{Check: 0, Code: CodeAccessOK, Text: "All good: " + lowerFirst(r.AnswerText(&c, f))}
			}
		}
		return Headline{Check: 0, Text: "All good"}
	}
	who := "the integration"
	if r.Integration.Name != "" {
		who = r.Integration.Name
	}
	if len(r.Checks) == 0 {
		return Headline{Check: -1, Text: "All good"}
	}
	return Headline{Check: -1, Text: "All good: " + who + " can read all of them"}
}

// lowerFirst lowers the first word after a dash, keeping names.
func lowerFirst(s string) string {
	for _, w := range []string{"The ", "Query "} {
		if strings.HasPrefix(s, w) {
			return strings.ToLower(w[:1]) + s[1:]
		}
	}
	return s
}

// CheckOrder is the order a report shows its checks in, answer first: the
// checks with an error, then those with a warning or a note worth saying,
// then the rest, each group in the order found (indices into r.Checks).
func (r Report) CheckOrder() []int {
	var errs, warns, rest []int
	for i := range r.Checks {
		switch r.CheckHeadline(i).Severity {
		case SeverityError:
			errs = append(errs, i)
		case SeverityWarning, SeverityInfo:
			warns = append(warns, i)
		default:
			rest = append(rest, i)
		}
	}
	return append(append(errs, warns...), rest...)
}
