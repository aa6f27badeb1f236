package diagnose

import (
	"fmt"
	"strings"
)

// CallFindings returns the offline diagnosis of a pasted failed call: the
// error.* finding of an error that carries its own cause, or nil.
// checkable says whether the text holds an ID the online checks can look
// at: a 404 with one is left to them (access.not_shared,
// access.other_integration, call.not_reproduced), a 404 without one is
// error.not_found. It is a pure function of its arguments.
func CallFindings(c *Call, checkable bool) []Finding {
	if c != nil && c.Auth == "bearer_doubled" && !c.Failed() {
		return wrapperFindings(c, c.answer(), "")
	}
	if c == nil || !c.Failed() {
		return nil
	}
	msg := c.Message
	said := ""
	if msg != "" {
		said = fmt.Sprintf(" (\"%s\")", strings.TrimSpace(truncateUTF8(msg, 240)))
	}
	answer := c.answer()
	if fs := wrapperFindings(c, answer, said); fs != nil {
		return fs
	}
	if fs := callVersionFindings(c, answer, said); fs != nil {
		return fs
	}
	var bf []Finding
	if c.Code == "validation_error" || c.Status == 400 || c.Status == 422 {
		bf = bodyFindings(c)
	}
	switch {
	case c.Code == "unauthorized" || c.Code == "invalid_grant" || c.Status == 401:
		return one(CodeErrorUnauthorized, fmt.Sprintf("The call got %s%s: it did not accept the call's token. That is Notion's answer to a revoked, mistyped or expired token, a token of another workspace, or an Authorization header that is not exactly \"Bearer <token>\".", answer, said), nil)

	case c.Code == "restricted_resource":
		detail := fmt.Sprintf("The call got %s%s: the call's integration lacks the capability this call needs, or its token may not do this. It is not a sharing problem (that is a 404).", answer, said)
		if strings.Contains(msg, "Personal access token") {
			detail = fmt.Sprintf("The call got %s%s: personal access tokens may not make this call.", answer, said)
		}
		return one(CodeErrorRestricted, detail, nil)

	case c.Edge:
		return one(CodeErrorServer, fmt.Sprintf("The call got %d from Notion's edge proxy (Cloudflare: an HTML page or a cf-ray header, no Notion error code), not from the API: a network rule or an outage stopped it before Notion read it. It is not restricted_resource.", c.Status), Vars{
			"server_fix": "Retry from another network (a VPN, proxy or cloud region may be blocked) and check status.notion.so; the integration's capabilities are not the cause.",
		})

	case c.Code == "invalid_request_url" || c.Code == "invalid_request":
		return one(CodeErrorRequestURL, requestURLDetail(c, answer, said), Vars{"path": rightPath(c)})

	case c.Code == "rate_limited" || c.Code == "service_overload" || c.Status == 429 || c.Status == 529:
		return rateLimitFindings(c, answer, said)

	case len(bf) > 0:
		// What the body sent, field by field (rules_body.go).
		return bf

	case c.Code == "validation_error" && c.Field != "",
		c.Code == "validation_error" && (strings.Contains(msg, " is expected to be ") || strings.Contains(msg, "is not a property that exists") || strings.Contains(msg, "Invalid property value")),
		c.Code == "invalid_json", c.Code == "invalid_beta":
		return validationFindings(c, answer, said)

	case c.Code == "conflict_error" || c.Code == "row_limit_exceeded" || c.Status == 409 || c.Status >= 500 ||
		c.Code == "internal_server_error" || c.Code == "bad_gateway" || c.Code == "service_unavailable" ||
		c.Code == "database_connection_unavailable" || c.Code == "gateway_timeout" || c.Code == "notionhq_client_request_timeout":
		return serverFindings(c, answer, said)

	case (c.Code == "object_not_found" || c.Status == 404) && !checkable:
		return notFoundFindings(c, answer, said)

	// An error this table does not know, with nothing to check online:
	// still an answer about the call, never "no ID".
	case checkable:
	case c.Status == 403:
		return one(CodeErrorRestricted, fmt.Sprintf("The call got %s%s. A 403 with a Notion error body is restricted_resource; if the answer was an HTML page, it came from Notion's edge proxy instead (a network rule).", answer, said), nil)
	case c.Status == 400 || c.Status == 413 || c.Status == 422 || c.Code == "validation_error":
		return one(CodeErrorValidation, fmt.Sprintf("The call got %s%s.", answer, said), Vars{
			"field_fix": "Change what the message names and send the call again; paste the whole error body (with its message) to have it read field by field.",
		})
	case c.Status == 405:
		return one(CodeErrorRequestURL, fmt.Sprintf("The call got %s%s: the method is not served on this route.", answer, said), nil)
	}
	return nil
}

// callVersionFindings is the finding of a failed call whose cause is its
// Notion-Version or what additional_data says of it (several data
// sources, a minimum version), or of an archived target; nil when it is
// none of these. CallFindings asks it first.
func callVersionFindings(c *Call, answer, said string) []Finding {
	msg := c.Message
	// What Notion says in additional_data, machine-readable, decides
	// before any reading of the message's wording.
	errorType := c.AdditionalData["error_type"]
	minVersion := c.AdditionalData["minimum_api_version"]
	switch {
	case errorType == errorTypeMultipleSources,
		errorType == "" && strings.Contains(strings.ToLower(msg), "multiple data sources are not supported"):
		return multipleSourcesFindings(c)

	case minVersion != "" && (c.NotionVersion == "" || versionBefore(c.NotionVersion, minVersion)):
		sent := "an older Notion-Version"
		if c.NotionVersion != "" {
			sent = "Notion-Version " + c.NotionVersion
		}
		kind := ""
		if errorType != "" {
			kind = fmt.Sprintf(" (additional_data.error_type %q)", errorType)
		}
		return one(CodeErrorVersion, fmt.Sprintf("The call got %s%s%s, and Notion says in additional_data.minimum_api_version that it needs Notion-Version %s or later; the call sent %s.", answer, said, kind, minVersion, sent), Vars{
			"version_fix": fmt.Sprintf("Send Notion-Version %s or later with this call (and use what that version names: data sources, in_trash).", minVersion),
			"version":     minVersion,
		})

	case errorType == "" && isArchivedMessage(msg):
		return one(CodeErrorArchived, fmt.Sprintf("Notion refused the edit%s: the block or page, or a page above it, is archived (in the trash). Under Notion-Version 2026-03-11 that state is called in_trash.", said), nil)

	case c.Code == "missing_version" || c.Field == "header.Notion-Version" && (c.Sent == "undefined" || c.Sent == ""):
		return one(CodeErrorVersion, fmt.Sprintf("The call sent no Notion-Version header, so it got %s%s.", answer, said), Vars{
			"version_fix": "Add the header Notion-Version to every request: the SDKs send it, a hand-written fetch, curl or HTTP client must send it itself.",
			"version":     "2025-09-03",
		})

	case c.Field == "header.Notion-Version" || c.NotionVersion != "" && !knownVersions[c.NotionVersion] && (c.Code == "validation_error" || c.Code == "invalid_request_url" || c.Status == 400):
		v := c.NotionVersion
		if v == "" {
			v = c.Sent
		}
		return one(CodeErrorVersion, fmt.Sprintf("The call sent Notion-Version %q, which is not a version Notion publishes, so it got %s%s.", v, answer, said), Vars{
			"version_fix": "Send a published version, not a date of your own: 2022-06-28, 2025-09-03 or 2026-03-11.",
			"version":     "2025-09-03",
		})

	case c.NotionVersion != "" && versionBefore(c.NotionVersion, "2025-09-03") && (strings.HasPrefix(c.Endpoint, "/v1/data_sources") || strings.HasPrefix(c.Endpoint, "/v1/views")):
		return one(CodeErrorVersion, fmt.Sprintf("The call used %s with Notion-Version %s, but data-source and view routes exist only from 2025-09-03 on: the call got %s%s.", c.Endpoint, c.NotionVersion, answer, said), Vars{
			"version_fix": "Send Notion-Version 2025-09-03 or later with /v1/data_sources and /v1/views calls, or keep 2022-06-28 and use /v1/databases/<database_id>/query with the database ID.",
			"version":     "2025-09-03",
		})
	}
	return nil
}

// rateLimitFindings is the error.rate_limited of a 429 or 529: which limit
// was hit, from additional_data.rate_limit_reason or else the message.
func rateLimitFindings(c *Call, answer, said string) []Finding {
	reason := c.AdditionalData["rate_limit_reason"]
	var limit string
	switch {
	case c.Code == "service_overload" || c.Status == 529:
		limit = "529 service_overload means Notion itself is overloaded: handle it exactly like a 429."
	case strings.Contains(strings.ToLower(reason), "space"): // any case: "workspace", "Workspace_Limit"
		limit = fmt.Sprintf("Notion says %s: the workspace-wide limit, shared by every connection of the workspace, was hit; another connection may be using it up, and its Retry-After can exceed a minute.", reason)
	case reason != "":
		limit = fmt.Sprintf("Notion says %s: this connection's own limit was hit; every request sent before Retry-After ends also gets 429, so stop, wait, then resume slower.", reason)
	case strings.Contains(strings.ToLower(c.Message), "workspace"):
		// No machine-readable reason: the message's wording is all
		// there is.
		limit = "The message names the workspace: the workspace-wide limit, shared by every connection of the workspace, was hit; another connection may be using it up, and its Retry-After can exceed a minute."
	default:
		limit = "Notion did not say which limit was hit (additional_data.rate_limit_reason tells the connection's from the workspace's); the connection's page in the Developer portal shows its recent 429s."
	}
	return one(CodeErrorRateLimited, fmt.Sprintf("The call got %s%s.", answer, said), Vars{"limit_fix": limit})
}

// validationFindings is the error.validation of a validation error that
// names a field or the wording of one, read from its message.
func validationFindings(c *Call, answer, said string) []Finding {
	detail, fix := validationFix(c)
	if strings.Contains(c.Message, "Fix one") {
		said = "" // the union is summed up in the detail, never echoed
	}
	f := NewFinding(CodeErrorValidation, fmt.Sprintf("The call got %s%s. %s", answer, said, detail), Vars{"field_fix": fix})
	f.Answer = validationAnswer(c)
	return []Finding{f}
}

// serverFindings is the error.server of a failure on Notion's side (5xx,
// a conflict, a row limit, an SDK timeout), with the fix its kind has.
func serverFindings(c *Call, answer, said string) []Finding {
	var fix string
	switch {
	case c.Code == "row_limit_exceeded":
		fix = "row_limit_exceeded: the database holds more rows than this operation allows; split the work or archive rows, then retry."
	case c.Code == "conflict_error" || c.Status == 409:
		fix = "A 409 conflict means another write to the same object landed at the same time: re-read the object, then retry, and serialise writers per page."
	case c.Code == "gateway_timeout" || c.Status == 504:
		fix = "A 504 on a data-source query is a query that took too long: narrow the filter or the page size, then retry."
	case c.Code == "notionhq_client_request_timeout":
		fix = "The SDK gave up waiting (timeoutMs): raise the timeout or narrow the request."
	}
	return one(CodeErrorServer, fmt.Sprintf("The call got %s%s: a failure on Notion's side, not in the call.", answer, said), Vars{"server_fix": fix})
}

// notFoundFindings is the error.not_found of a 404 whose text holds no ID
// to check, naming the call's integration where the text does.
func notFoundFindings(c *Call, answer, said string) []Finding {
	detail := fmt.Sprintf("The call got %s%s, and the text holds no ID that can be checked here (it is masked or absent).", answer, said)
	switch id := c.AdditionalData["integration_id"]; {
	case c.Integration != "":
		detail += fmt.Sprintf(" The call ran as the integration %q: the object is not shared with it, or it does not exist for its token.", c.Integration)
	case id != "":
		detail += fmt.Sprintf(" Notion names the call's integration by its ID in additional_data.integration_id, %s: the object is not shared with that integration, or it does not exist for its token.", id)
	}
	return one(CodeErrorNotFound, detail, nil)
}

// multipleSourcesFindings is the error.version of a call refused because
// its database has several data sources, from additional_data where Notion
// gave it (the database, its data sources, the minimum version).
func multipleSourcesFindings(c *Call) []Finding {
	v := "Notion-Version " + c.NotionVersion
	if c.NotionVersion == "" {
		v = "an older Notion-Version (2022-06-28 or before)"
	}
	min := c.AdditionalData["minimum_api_version"]
	if min == "" {
		min = "2025-09-03"
	}
	db := c.AdditionalData["database_id"]
	detail := fmt.Sprintf("The call used %s, and the database", v)
	if db != "" {
		detail += " " + db
	}
	detail += " has several data sources, which that version cannot address"
	if ds := c.AdditionalData["child_data_source_ids"]; ds != "" {
		detail += fmt.Sprintf(" (data sources %s)", strings.ReplaceAll(ds, ",", ", "))
	}
	detail += "."
	vars := Vars{"version": min}
	first, _, _ := strings.Cut(c.AdditionalData["child_data_source_ids"], ",")
	if first != "" {
		vars["version_fix"] = fmt.Sprintf("Upgrade the call to Notion-Version %s or later and address one data source: POST /v1/data_sources/%s/query to query it, parent {\"type\":\"data_source_id\",\"data_source_id\":\"%s\"} to create pages in it (jomei/notionapi only speaks 2022-06-28: call the API directly for this).", min, first, first)
	} else {
		vars["version_fix"] = fmt.Sprintf("Upgrade the call to Notion-Version %s or later and address one of the database's data sources (GET /v1/databases/<id> lists them; jomei/notionapi only speaks 2022-06-28).", min)
	}
	return one(CodeErrorVersion, detail, vars)
}

func one(code Code, detail string, vars Vars) []Finding {
	return []Finding{NewFinding(code, detail, vars)}
}

// answer says what Notion answered, as "404 object_not_found".
func (c *Call) answer() string {
	switch {
	case c.Status != 0 && c.Code != "":
		return fmt.Sprintf("%d %s", c.Status, c.Code)
	case c.Code != "":
		return c.Code
	case c.Status != 0:
		return fmt.Sprintf("%d", c.Status)
	}
	return "an error"
}

func isArchivedMessage(msg string) bool {
	return strings.HasPrefix(msg, "Can't edit ") && (strings.Contains(msg, "archived") || strings.Contains(msg, "trash")) ||
		strings.Contains(msg, "that is archived") || strings.Contains(msg, "is in the trash") ||
		archivedPhrase(strings.ToLower(msg)) >= 0
}

// versionBefore reports whether the date-shaped version v is before w.
func versionBefore(v, w string) bool {
	return len(v) == 10 && v < w
}

// pathParam returns the parameter of the call's path as sent (what stands
// after /v1/<resource>/), or "".
func pathParam(c *Call) (res, param, suffix string) {
	rest := strings.TrimPrefix(c.Path, "/v1/")
	res, after, _ := strings.Cut(rest, "/")
	if strings.Contains(after, "://") || strings.Contains(after, "notion.so/") || strings.Contains(after, "notion.site/") || strings.Contains(after, "notion.com/") {
		return res, after, ""
	}
	param, suffix, _ = strings.Cut(after, "/")
	if suffix != "" {
		suffix = "/" + suffix
	}
	return res, param, suffix
}

func requestURLDetail(c *Call, answer, said string) string {
	if c.Code == "invalid_request" {
		return fmt.Sprintf("The call got %s%s: this method and route are not a request the API serves.", answer, said)
	}
	if c.Path == "" {
		return fmt.Sprintf("The call got %s%s: the path of the call is not a route it serves. That happens when the path holds a whole link, a title slug or '?v=…' instead of the ID, an empty ID, or a route the Notion-Version sent does not have.", answer, said)
	}
	res, param, _ := pathParam(c)
	if _, ok := apiParams[res]; !ok && res != "search" {
		if r := routeFix(res); r != "" {
			return fmt.Sprintf("The call got %s%s: %s is not an API route; the resource is /v1/%s, not /v1/%s.", answer, said, c.Path, r, res)
		}
		return fmt.Sprintf("The call got %s%s: %s is not an API route (the routes start /v1/pages, /v1/databases, /v1/data_sources, /v1/blocks, /v1/views, /v1/search, /v1/users, /v1/comments).", answer, said, c.Path)
	}
	switch vd := examine(param); {
	case param == "":
		return fmt.Sprintf("The call got %s%s: the path %s has no ID where one belongs.", answer, said, c.Path)
	case vd.id != "" && vd.id != param && Hex32(vd.id) != param:
		return fmt.Sprintf("The call got %s%s: the path %s holds %q, not the bare ID. The ID in it is %s.", answer, said, c.Path, truncateUTF8(param, 120), vd.id)
	}
	return fmt.Sprintf("The call got %s%s for the path %s.", answer, said, c.Path)
}

// rightPath is the call's path with the ID taken out of what was sent.
func rightPath(c *Call) string {
	res, param, suffix := pathParam(c)
	if _, ok := apiParams[res]; !ok {
		res = routeFix(res)
	}
	if _, ok := apiParams[res]; !ok || param == "" {
		return ""
	}
	vd := examine(param)
	if vd.id == "" {
		return ""
	}
	if strings.Contains(param, "://") {
		suffix = ""
	}
	return "/v1/" + res + "/" + vd.id + suffix
}

// validationFix says what was wrong with the field a validation_error names
// and what to send instead.
func validationFix(c *Call) (detail, fix string) {
	f, sent, want := c.Field, c.Sent, c.Expected
	switch {
	case c.Code == "invalid_json":
		return "The body is not valid JSON.", "Send a valid JSON body: check the quoting, trailing commas and that the Content-Type is application/json."
	case c.Code == "invalid_beta":
		return "The Notion-Beta header names a beta that does not exist or is over.", "Remove the Notion-Beta header, or set it to a beta Notion has given the integration."
	case f == "":
		// A property value of the wrong type ("X is expected to be rich_text").
		return "A property value does not have the type the database's schema gives it.", "Send each property as the one type its schema has (GET /v1/data_sources/<id> lists them): numbers as numbers, relations as [{\"id\": …}], and no formula, rollup or created_* values."
	case f == "query.v" || strings.HasSuffix(f, ".v") && strings.Contains(want, "not be present"):
		return "The API URL carries ?v=… copied from a link: that is a view of the database, not an API parameter.", "Remove ?v=… (and any other query copied from the link) from the API URL, and put only the database or data source ID in the path."
	case f == "body.archived" || strings.HasSuffix(f, ".archived"):
		return "Under Notion-Version 2026-03-11 archived no longer exists.", "Send in_trash instead of archived (or send Notion-Version 2025-09-03)."
	}
	isID := strings.HasSuffix(f, "_id")
	if !isID && strings.Contains(c.Message, "Fix one:") {
		// Notion lists the shapes it would accept; one of them is meant.
		o, _ := fieldOwnerOf(f)
		return fmt.Sprintf("%s matched none of the shapes Notion takes there (%s); exactly one of them is meant.", o, unionKeys(c, o)),
			fmt.Sprintf("Send %s as exactly one of those shapes: the one its type in the schema has (GET /v1/data_sources/<id> lists the property types).", fieldOwner(f))
	}
	if isID {
		vd := examine(sent)
		switch {
		case vd.variable != "":
			return fmt.Sprintf("%s was sent as %q: the variable %s was not filled in.", f, sent, vd.variable),
				fmt.Sprintf("Set %s to the real ID where the code runs, and send its value in %s.", vd.variable, f)
		case vd.missing != "" || sent == "undefined":
			return fmt.Sprintf("%s was sent as %q: no ID reached the call.", f, sent),
				fmt.Sprintf("Set the variable that fills %s to the real ID (the 32 characters at the end of the link) before the call.", f)
		case vd.id != "" && vd.view != "":
			return fmt.Sprintf("%s was sent as %q: the database ID with the link's ?v=… still on it (the part after v= is a view).", f, truncateUTF8(sent, 120)),
				fmt.Sprintf("Send only the database ID in %s: %s. It was checked here under that ID.", f, vd.id)
		case vd.id != "":
			return fmt.Sprintf("%s was sent as %q: a link or title slug around the ID.", f, truncateUTF8(sent, 120)),
				fmt.Sprintf("Send only the ID in %s: %s (or %s). It was checked here under that ID.", f, vd.id, Hex32(vd.id))
		case sent != "":
			return fmt.Sprintf("%s was sent as %q, which is not a Notion ID.", f, truncateUTF8(sent, 120)),
				fmt.Sprintf("Send a Notion ID in %s: 32 hex characters, copied whole from the link.", f)
		}
	}
	switch {
	case strings.Contains(want, "should be defined"):
		return fmt.Sprintf("%s is required and was not sent.", f), fmt.Sprintf("Add %s to the request.", f)
	case strings.Contains(want, "not be present"):
		return fmt.Sprintf("%s may not be sent here.", f), fmt.Sprintf("Remove %s from the request.", f)
	case strings.Contains(want, "≤") || strings.Contains(want, "<="):
		return fmt.Sprintf("%s is too long: it %s, and was %s.", f, want, sent), fmt.Sprintf("Split %s so it stays within the limit (rich text: 2000 characters per item; children: 100 blocks per request).", f)
	case sent != "":
		return fmt.Sprintf("%s %s, and was sent as %s.", f, want, truncateUTF8(sent, 120)), fmt.Sprintf("Change %s so that it %s.", f, strings.TrimPrefix(want, "should "))
	}
	return fmt.Sprintf("%s %s.", f, want), fmt.Sprintf("Change %s so that it %s.", f, strings.TrimPrefix(want, "should "))
}

// withCall puts the findings of the call on the reference it concerns and
// folds the data sources an error lists into their database.
func withCall(refs []Reference, c *Call) []Reference {
	refs = settleVariables(refs, c)
	// A multiple-data-sources error lists the database's data sources:
	// they are related to the database, not checks of their own.
	if ds := c.AdditionalData["child_data_source_ids"]; ds != "" {
		children := map[string]bool{}
		for _, id := range strings.Split(ds, ",") {
			if vd := shape(strings.TrimSpace(id)); vd.id != "" {
				children[vd.id] = true
			}
		}
		var kept []Reference
		var moved []string
		for _, r := range refs {
			if children[r.ID] && len(refs) > 1 {
				moved = append(moved, r.ID)
				continue
			}
			kept = append(kept, r)
		}
		if len(kept) > 0 && len(moved) > 0 {
			k := 0
			if db := shape(c.AdditionalData["database_id"]).id; db != "" {
				for i, r := range kept {
					if r.ID == db {
						k = i
					}
				}
			}
			for _, id := range moved {
				if !hasRelated(kept[k].Related, KindDataSource, id) {
					kept[k].Related = append(kept[k].Related, Related{Role: KindDataSource, ID: id})
				}
			}
			refs = kept
		}
	}
	// query.v's value is the view of the database in the path: related,
	// not a check of its own.
	if c.Field == "query.v" && len(refs) > 1 {
		if v := examine(c.Sent).id; v != "" {
			var kept []Reference
			for _, r := range refs {
				if r.ID == v {
					continue
				}
				kept = append(kept, r)
			}
			if len(kept) > 0 && len(kept) < len(refs) {
				if !hasRelated(kept[0].Related, KindView, v) {
					kept[0].Related = append(kept[0].Related, Related{Role: KindView, ID: v})
				}
				refs = kept
			}
		}
	}
	checkable := false
	for _, r := range refs {
		if r.Probeable() {
			checkable = true
		}
	}
	fs := CallFindings(c, checkable)
	if len(fs) == 0 {
		return refs
	}
	// "page_id: process.env.X" and "path.page_id … instead was undefined"
	// are one thing: the variable's check carries the error.
	if v := variableRef(refs); v >= 0 {
		if vd := examine(c.Sent); c.Sent != "" && vd.id == "" && (vd.missing != "" || c.Sent == "undefined") {
			kept := refs[:0:0]
			for i, r := range refs {
				if i != v && r.ID == "" && r.Origin == OriginError && HasCode(r.Findings, CodeIDMissing) {
					continue
				}
				kept = append(kept, r)
			}
			refs = kept
		}
	}
	refs = dropSentVariables(refs, fs)
	k := callTarget(refs, c)
	r := &refs[k]
	if r.Origin == OriginText && r.ID == "" {
		// The text held no reference, but it is a Notion error: the error
		// is the answer, not "no ID".
		r.Origin = OriginError
		r.Findings = nil
	}
	for _, f := range fs {
		if !HasCode(r.Findings, f.Code) {
			r.Findings = append(r.Findings, f)
		}
	}
	return refs
}

// callTarget picks the reference the call is about: the one whose ID the
// error names, sends or is the path's, else the first with an ID, else the
// first.
func callTarget(refs []Reference, c *Call) int {
	sent := ""
	if vd := examine(c.Sent); vd.id != "" {
		sent = vd.id
	}
	first := -1
	for i, r := range refs {
		if r.ID == "" {
			continue
		}
		if first < 0 {
			first = i
		}
		if r.ID == sent || strings.Contains(c.Message, r.ID) || strings.Contains(c.Message, Hex32(r.ID)) || strings.Contains(c.Path, r.ID) || strings.Contains(c.Path, Hex32(r.ID)) {
			return i
		}
	}
	if first >= 0 {
		return first
	}
	if v := variableRef(refs); v >= 0 {
		return v
	}
	return 0
}

// variableRef is the index of the first reference that is a variable
// (id.variable), or -1.
func variableRef(refs []Reference) int {
	for i, r := range refs {
		if r.ID == "" && HasCode(r.Findings, CodeIDVariable) {
			return i
		}
	}
	return -1
}

// fieldOwner is the field a "Fix one:" list is about: body.properties.Name
// of body.properties.Name.title.
func fieldOwner(f string) string {
	if i := strings.LastIndexByte(f, '.'); i > 0 && strings.HasPrefix(f, "body.properties.") && i > len("body.properties.") {
		return f[:i]
	}
	return f
}

// routeFix names the resource a mistyped route meant (database → databases).
func routeFix(res string) string {
	switch strings.ToLower(strings.ReplaceAll(res, "-", "_")) {
	case "database", "db":
		return "databases"
	case "page":
		return "pages"
	case "block":
		return "blocks"
	case "data_source", "datasource", "datasources", "data_sources":
		return "data_sources"
	case "view":
		return "views"
	case "user":
		return "users"
	case "comment":
		return "comments"
	}
	return ""
}
