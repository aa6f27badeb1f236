package diagnose

import (
	"sort"
	"strings"
)

// The ranking of causes: which finding a report leads with when a text
// holds several clues. What Notion said about the person's call outranks a
// guess from their code or configuration; among findings, the one that
// explains the pasted status and message wins and the others follow, each
// group in the order found.

// Tiers of a finding, best first.
const (
	tierExplains = iota // explains the pasted call's status and message
	tierError
	tierWarning
	tierNote // an info finding that answers the question by itself
	tierInfo
)

// causeTier is the rank of finding f for a report whose person's call is
// call (nil when the text shows none).
func causeTier(f Finding, call *Call) int {
	if explains(f.Code, call) {
		return tierExplains
	}
	switch f.Severity {
	case SeverityError:
		return tierError
	case SeverityWarning:
		return tierWarning
	}
	if leadInfos[f.Code] {
		return tierNote
	}
	return tierInfo
}

// explains reports whether a finding of code explains what Notion answered
// the person's call (its status, code and message), as opposed to a clue
// beside it.
func explains(code Code, c *Call) bool {
	if c == nil {
		return false
	}
	if code == CodeSearchEmpty {
		return c.Empty != ""
	}
	if !c.Failed() && c.Auth == "" {
		return false
	}
	switch {
	case strings.HasPrefix(string(code), "error."), strings.HasPrefix(string(code), "body."),
		code == CodeCallClient, code == CodeOAuthGrant, code == CodeCallNotReproduced:
		return true
	}
	if c.ClientFailure != "" || isOAuthCall(c) {
		return false // nothing about the object explains a failure before Notion
	}
	notFound := c.Status == 404 || c.Code == "object_not_found"
	bad := c.Status == 400 || c.Code == "validation_error" || c.Code == "invalid_request_url"
	switch code {
	case CodeAccessNotShared, CodeAccessOtherIntegration:
		return notFound
	case CodeEndpointMismatch, CodeDatabaseLinked:
		return notFound || bad
	case CodeDatabaseMultipleSources:
		return bad
	case CodeKindView, CodeKindDataSource, CodeKindBlock:
		// What the ID is explains the answer only when the call used it as
		// something else.
		return (notFound || bad) && misused(code, c)
	case CodeIDMalformed, CodeLinkView:
		return bad
	case CodeObjectInTrash:
		return isArchivedMessage(c.Message) || bad && strings.Contains(c.Message, "archiv")
	case CodeAccessCapability:
		return c.Status == 403 || c.Code == "restricted_resource"
	case CodeIDVariable, CodeIDMissing:
		// An unset variable explains the call only when Notion's answer
		// shows nothing reached it.
		return bad && !valueSent(c)
	}
	return false
}

// rankFindings orders fs by cause, stably: the findings that explain the
// call first, then errors, warnings, notes and the rest; within a tier,
// errors before warnings before notes.
func rankFindings(fs []Finding, call *Call) {
	key := func(f Finding) int { return causeTier(f, call)*3 + severityRank(f.Severity) }
	sort.SliceStable(fs, func(a, b int) bool { return key(fs[a]) < key(fs[b]) })
}

// valueSent reports whether Notion's answer to the call shows that a value
// reached it where the ID belongs: it names an ID, it looked an object up
// (404 object_not_found), it refused an edit of an archived object, or it
// validated another field than the ID. A variable in the code beside such
// an answer was set.
func valueSent(c *Call) bool {
	if c == nil || !c.Failed() || c.ClientFailure != "" {
		return false
	}
	if shape(c.Sent).id != "" || messageNamesID(c.Message) {
		return true
	}
	switch {
	case c.Status == 404 || c.Code == "object_not_found", isArchivedMessage(c.Message):
		return true
	case c.Code == "validation_error" && c.Field != "":
		vd := examine(c.Sent)
		idField := strings.HasSuffix(c.Field, "_id") || strings.HasSuffix(c.Field, "Id")
		return !idField && vd.missing == "" || idField && vd.id != ""
	case c.Code == "validation_error" && c.Message != "" && !strings.Contains(c.Message, "undefined") && !strings.Contains(c.Message, "valid uuid"):
		return true
	}
	return false
}

// messageNamesID reports whether Notion's message quotes a whole ID.
func messageNamesID(msg string) bool {
	for i := 0; i+32 <= len(msg); i++ {
		if isDashedUUIDAt(msg, i) {
			return true
		}
		if i+32 <= len(msg) && allHex(msg[i:i+32]) && (i == 0 || !isHex(msg[i-1])) && (i+32 == len(msg) || !isHex(msg[i+32])) {
			return true
		}
	}
	return false
}

func isDashedUUIDAt(s string, i int) bool {
	return i+36 <= len(s) && isDashedUUID(s[i:i+36])
}

// settleVariables applies "a value the error shows was sent is never
// called unset": when Notion's answer shows the call's ID reached it, a
// variable the code passes there (id.variable) was set. Its finding is
// dropped, the variable is kept on the call (Call.Variable, for the
// answer: "TASKS_DB holds the database ID"), and a reference that was only
// that variable is dropped when another reference carries the ID.
func settleVariables(refs []Reference, c *Call) []Reference {
	if !valueSent(c) {
		return refs
	}
	hasID := false
	for _, r := range refs {
		if r.Probeable() {
			hasID = true
		}
	}
	out := refs[:0:0]
	for _, r := range refs {
		if r.ID != "" || !HasCode(r.Findings, CodeIDVariable) {
			out = append(out, r)
			continue
		}
		if c.Variable == "" {
			c.Variable = variableOf(r.Source)
		}
		r.Findings = dropCode(r.Findings, CodeIDVariable)
		if len(r.Findings) == 0 && hasID {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return refs
	}
	return out
}

// variableOf is the variable a reference's source names ("TASKS_DB" of
// "data_source_id: process.env.TASKS_DB").
func variableOf(src string) string {
	s := strings.TrimSpace(src)
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = strings.TrimSpace(s[i+2:])
	}
	s = strings.TrimRight(s, ",;)}")
	if vd := examine(s); vd.variable != "" {
		return vd.variable
	}
	return codeIdentifier(s)
}

// explainingHeadline is the answer from the first finding that explains
// the person's call (integration first, then the checks in order), when
// one does.
func (r Report) explainingHeadline() (Headline, bool) {
	if r.Call == nil {
		return Headline{}, false
	}
	for _, f := range r.Integration.Findings {
		if explains(f.Code, r.Call) {
			return Headline{Severity: f.Severity, Code: f.Code, Check: -1, Text: r.AnswerText(nil, f)}, true
		}
	}
	for i, c := range r.Checks {
		// Only a check's first shown finding can lead: it is the one
		// the ranking put first.
		if shown := r.ShownFindings(c); len(shown) > 0 && explains(shown[0].Code, r.Call) {
			f := shown[0]
			sev := f.Severity
			if sev == SeverityInfo && r.Call.Failed() {
				// The person's call failed, and this is why: a problem,
				// not a note.
				sev = SeverityError
			}
			return Headline{Severity: sev, Code: f.Code, Check: i, Text: r.AnswerText(&r.Checks[i], f)}, true
		}
	}
	return Headline{}, false
}

// causeVars adds the answer values that come from the person's call: the
// variable that held the ID ({variable}, on the check the call is about),
// what to use instead ({use}), and the one-line answers of a doubled
// Bearer, a failure in the client, an empty search and an OAuth step.
func (r Report) causeVars(c *Check, v Vars) {
	if r.As != "" {
		// A name picked the integration the checks were judged as (--as,
		// or the one the pasted error names): the answer is about it,
		// even when the others were asked whether they see the object.
		v["integration"] = r.As
	}
	call := r.Call
	if call == nil {
		return
	}
	if c != nil && call.Integration != "" && HasCode(c.Findings, CodeAccessNotShared) && (c.ID == "" || r.callNames(c.ID) || r.onlyCheckWithID(c.ID)) {
		// The error names the integration that made the call, and none
		// configured here is it: the fix is about that one (a wrapper's
		// own connection, such as n8n's).
		named := false
		for _, a := range c.Access {
			named = named || sameName(a.Integration, call.Integration)
		}
		if !named {
			v["integration"] = call.Integration
		}
	}
	if c != nil && c.ID != "" {
		if call.Variable != "" && r.callNames(c.ID) {
			v["variable"] = call.Variable
		}
		switch {
		case c.Kind == KindDatabase && strings.HasPrefix(call.Endpoint, "/v1/data_sources") && v["data_source"] != "":
			v["use"] = "use its data source " + v["data_source"] + " (/v1/data_sources/…/query)"
			if !strings.HasSuffix(call.Endpoint, "/query") {
				v["use"] = "use its data source " + v["data_source"] + " with /v1/data_sources, or the database ID with /v1/databases"
			}
		case v["endpoint"] != "":
			v["use"] = "call " + v["endpoint"]
		}
	}
	if call.Auth == "bearer_doubled" {
		v["auth_answer"] = "Bearer is doubled — send Authorization: Bearer <token> once (give the SDK the bare token)"
	}
	via := call.Via
	switch call.ClientFailure {
	case "edge":
		v["client_answer"] = "An HTML page came back, not Notion's API — check the URL (api.notion.com/v1/…) and the network, then retry"
	case "schema":
		if via == "" {
			via = "The client"
		}
		v["client_answer"] = via + " refused the input before calling Notion — fix the field or argument it names"
		if strings.HasPrefix(via, "MCP") {
			v["client_answer"] = "The MCP tool's arguments failed its schema before reaching Notion — send objects as objects, not strings"
		}
	case "path":
		v["client_answer"] = "The SDK refused the path before sending it — pass only the 32-character ID"
	case "transport":
		v["client_answer"] = "No answer from Notion (network or timeout) — check the connection to api.notion.com and retry"
	case "decode":
		v["client_answer"] = "Notion answered, but the client could not read it — update the client library"
	}
	if call.Empty != "" {
		who := v["integration"]
		if who == "" {
			who = "the connection"
		}
		v["search_answer"] = "Nothing " + who + " can see matched — share the page above what you look for with " + who + " (••• → Connections)"
	}
	if isOAuthCall(call) {
		switch call.Code {
		case "invalid_client":
			v["oauth_answer"] = "The OAuth token request's client credentials were refused — send client_id:client_secret as Basic auth, JSON body"
		case "redirect_uri":
			v["oauth_answer"] = "The OAuth redirect_uri does not match — send exactly a registered URI, the same in both steps"
		case "access_denied":
			v["oauth_answer"] = "The user cancelled the OAuth authorization — ask them to authorize again"
		default:
			v["oauth_answer"] = "The OAuth code or refresh token was refused (" + orSomething(call.Code, "invalid_grant") + ") — exchange each code once; store the newest token pair"
		}
	}
}

// callNames reports whether the person's call names id (its message, path,
// sent value or parent).
func (r Report) callNames(id string) bool {
	h := Hex32(id)
	for _, s := range []string{r.Call.Message, r.Call.Path, r.Call.Sent, r.Call.ParentID} {
		l := strings.ToLower(s)
		if strings.Contains(l, id) || strings.Contains(strings.ReplaceAll(l, "-", ""), h) {
			return true
		}
	}
	return false
}

// onlyCheckWithID reports whether id's check is the report's only check
// with an ID (so the pasted call is about it).
func (r Report) onlyCheckWithID(id string) bool {
	n := 0
	for _, c := range r.Checks {
		if c.ID != "" {
			n++
		}
	}
	return n == 1 && id != ""
}

// misused reports whether the call used an ID of the kind a kind.* code
// names with a route or parent of another kind.
func misused(code Code, c *Call) bool {
	ep := c.Endpoint
	switch code {
	case CodeKindView:
		return !strings.HasPrefix(ep, "/v1/views")
	case CodeKindDataSource:
		return ep != "" && !strings.HasPrefix(ep, "/v1/data_sources") && c.ParentType != "data_source_id"
	case CodeKindBlock:
		return ep != "" && !strings.HasPrefix(ep, "/v1/blocks")
	}
	return false
}
