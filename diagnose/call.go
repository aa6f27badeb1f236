package diagnose

import (
	"strconv"
	"strings"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// This file reads the person's own Notion call out of a pasted text (the report's
// "call"): what was asked (method, endpoint, Notion-Version, the body's
// parent) and what Notion answered (status, code, message, the integration
// the message names, request_id, additional_data, the field a
// validation_error names). It reads the class of texts people paste: JSON
// error bodies (compact, pretty, JS-inspect dumps, JSON inside a string),
// SDK exceptions and warnings, curl lines, HTTP header dumps, log lines, SDK
// calls in code, and bare messages. Every pass is a linear scan for a few
// fixed needles, so a long text costs little.

// knownCodes are Notion's error codes with the HTTP status each comes with
// (Notion's error reference and its 2026 changes) and the SDK's own client
// codes (status 0).
var knownCodes = map[string]int{
	"invalid_json": 400, "invalid_request_url": 400, "invalid_request": 400, "invalid_grant": 400,
	"validation_error": 400, "missing_version": 400, "invalid_beta": 400, "unauthorized": 401,
	"restricted_resource": 403, "object_not_found": 404, "conflict_error": 409, "row_limit_exceeded": 409,
	"rate_limited": 429, "internal_server_error": 500, "bad_gateway": 502, "service_unavailable": 503,
	"database_connection_unavailable": 503, "gateway_timeout": 504, "service_overload": 529,
	"notionhq_client_request_timeout": 0, "notionhq_client_response_error": 0,
	"notionhq_client_invalid_path_parameter": 0,
}

// knownMessages are the beginnings of Notion's error messages (Notion's error reference,
// §9; peers §7), with the code each implies. They let a bare message, an
// SDK exception line or a log line be read as the error it is.
var knownMessages = []struct{ prefix, code string }{
	{"Could not find property", "validation_error"},
	{"Could not find sort property", "validation_error"},
	{"Could not find ", "object_not_found"},
	{"API token is invalid", "unauthorized"},
	{"API token does not have access", "restricted_resource"},
	{"Insufficient permissions for this endpoint", "restricted_resource"},
	{"Personal access tokens cannot", "restricted_resource"},
	{"Notion-Version header failed validation", ""},
	{"body failed validation", "validation_error"},
	{"path failed validation", "validation_error"},
	{"query failed validation", "validation_error"},
	{"Invalid request URL", "invalid_request_url"},
	{"Unsupported request", "invalid_request"},
	{"Error parsing JSON body", "invalid_json"},
	{"Databases with multiple data sources are not supported", "validation_error"},
	{"Database with ID ", "validation_error"},
	{"Provided ID ", "validation_error"},
	{"Provided database_id ", "validation_error"},
	{"Provided page_id ", "validation_error"},
	{"You have been rate limited", "rate_limited"},
	{"Retry request with 429 response failed", "rate_limited"},
	{"Can't edit block that is archived", "validation_error"},
	{"Can't edit page that is archived", "validation_error"},
	{"Can't edit block that is in the trash", "validation_error"},
	{"Can't edit page that is in the trash", "validation_error"},
	{"Conflict occurred while saving", "conflict_error"},
	{"Unexpected error occurred", "internal_server_error"},
	{"Notion is unavailable", "service_unavailable"},
	{"Invalid code: this code has been revoked", "invalid_grant"},
	{"Request to Notion API failed with status: ", ""},
	{"Request to Notion API has timed out", "notionhq_client_request_timeout"},
	// n8n's NodeApiError wording around a Notion answer.
	{"The resource you are requesting could not be found", "object_not_found"},
	{"Authorization failed - please check your credentials", "unauthorized"},
}

// knownVersions are the Notion-Version values Notion has published (Notion's
// versioning reference).
var knownVersions = map[string]bool{
	"2021-05-11": true, "2021-05-13": true, "2021-08-16": true, "2022-02-22": true,
	"2022-06-28": true, "2025-09-03": true, "2026-03-11": true,
}

// readCall reads the person's call out of text (as plain text: a chat's
// markup undone by its caller); nil when the text shows none.
func readCall(t string) *Call {
	return readCallIn(t, nil, readWords(t))
}

// readCallIn is readCall with the fixed strings of t already found (ix
// was scanned from t; nil: not yet) and its words read (wf).
func readCallIn(t string, ix *firsts, wf wordFacts) *Call {
	var c Call
	if j := joinConcatenation(t); ix == nil || j != t {
		t, ix = j, textNeedles.scan(j)
	}
	readAPIPath(t, &c)
	if c.Endpoint == "" {
		readSDKCall(t, &c)
	}
	readCode(t, &c)
	readMessage(t, &c)
	readLooseMessage(t, &c)
	readSchemaMessage(t, &c, ix)
	readStatus(t, &c)
	if c.Code == "" && (c.Status == 403 || c.Status >= 500) && (strings.Contains(t, "cf-ray") || strings.Contains(t, "CF-RAY") || strings.Contains(t, "Cloudflare") || strings.Contains(t, "cloudflare") || strings.Contains(t, "<html") || strings.Contains(t, "<!DOCTYPE")) {
		c.Edge = true
	}
	readWrapper(t, &c, ix)
	readAuth(t, &c, ix)
	readOAuth(t, &c, ix)
	readEmpty(t, &c, wf)
	if !c.Failed() && c.Endpoint == "" && c.Auth == "" && c.Empty == "" {
		return nil
	}
	readVersion(t, &c)
	readIntegration(t, &c, ix)
	readRequestID(t, &c, ix)
	readAdditionalData(t, &c, ix)
	readParent(t, &c, ix)
	readField(&c, t)
	readBodyFields(t, &c)
	if c.Status == 0 {
		c.Status = knownCodes[c.Code]
	}
	if c.Method == "" {
		c.Method = impliedMethod(c.Endpoint)
	}
	// A Reading never holds a secret: a token pasted into a path, a body
	// or a message is masked in every field that repeats the text.
	for _, f := range []*string{&c.Message, &c.Integration, &c.ParentID, &c.Field, &c.Expected, &c.Sent, &c.Path, &c.NotionVersion, &c.ClientMessage} {
		*f = secret.Redact(*f)
	}
	for k, v := range c.AdditionalData {
		c.AdditionalData[k] = secret.Redact(v)
	}
	redactFields(&c)
	return &c
}

// apiParams names the path parameter after each API resource.
var apiParams = map[string]string{
	"pages": "page_id", "databases": "database_id", "data_sources": "data_source_id", "blocks": "block_id",
	"views": "view_id", "users": "user_id", "comments": "comment_id", "file_uploads": "file_upload_id",
}

// readAPIPath reads the first Notion API path of the text (an api.notion.com
// URL, a /v1/ path in a curl line, a log line or code) and the method sent
// with it.
func readAPIPath(t string, c *Call) {
	off := 0
	for {
		i := strings.Index(t[off:], "/v1/")
		if i < 0 {
			return
		}
		i += off
		off = i + 4
		// Only a path at a word's start or after api.notion.com.
		if i > 0 && !strings.HasSuffix(t[:i], "api.notion.com") {
			if p := t[i-1]; isHostByte(p) || p == '_' {
				continue
			}
		}
		s := &scanner{text: t}
		end := s.urlEnd(i)
		off = max(off, end) // a path is read once
		path := t[i:min(end, i+300)]
		if q := strings.IndexAny(path, "?#"); q >= 0 {
			path = path[:q]
		}
		tpl, ok := endpointTemplate(path)
		if !ok {
			if c.Path == "" && strings.HasSuffix(t[:i], "api.notion.com") {
				c.Path = truncateUTF8(path, 300) // no route: kept to say so
				c.Method = methodNear(t, i)
			}
			continue
		}
		c.Endpoint, c.Path = tpl, truncateUTF8(path, 300)
		c.Method = methodNear(t, i)
		// "GET /v1/pages/<id> 404", "… → 404 (Not Found)": the status
		// written after the path.
		rest := strings.TrimLeft(t[end:min(len(t), end+12)], " \t:=-→>(")
		if n := httpStatus(firstNumber(rest)); n >= 400 {
			c.Status = n
		}
		return
	}
}

// endpointTemplate turns a path as sent (/v1/pages/<id>/properties/title)
// into its route with the parameters named (/v1/pages/{page_id}/properties/
// {property_id}); false when the path is no Notion route.
func endpointTemplate(path string) (string, bool) {
	rest := strings.TrimPrefix(path, "/v1/")
	res, after, _ := strings.Cut(rest, "/")
	param, ok := apiParams[res]
	if !ok {
		switch res {
		case "search", "oauth":
			return "/v1/" + strings.TrimRight(rest, "/"), true
		}
		return "", false
	}
	out := "/v1/" + res
	if after == "" {
		return out, true
	}
	// A whole link pasted into the path: one parameter.
	if strings.Contains(after, "://") || strings.Contains(after, "notion.so/") || strings.Contains(after, "notion.site/") || strings.Contains(after, "notion.com/") {
		return out + "/{" + param + "}", true
	}
	segs := strings.Split(after, "/")
	if res == "users" && segs[0] == "me" {
		return out + "/me", true
	}
	out += "/{" + param + "}"
	for k, seg := range segs[1:] {
		switch {
		case seg == "":
		case k > 0 && segs[k] == "properties":
			out += "/{property_id}"
		case isRouteWord(seg):
			out += "/" + seg
		default:
			out += "/{id}"
		}
	}
	return out, true
}

func isRouteWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return s != "" && !allHex(s)
}

// methods are the HTTP methods a call may show.
var methods = []string{"GET", "POST", "PATCH", "DELETE", "PUT"}

// methodNear finds the method sent with the API path at i: the method word
// before it on its line (GET /v1/…, "POST https://…"), a curl -X/--request,
// a "method" key, or a curl body (-d, --data) implying POST.
func methodNear(t string, i int) string {
	ls := strings.LastIndexByte(t[:i], '\n') + 1
	line := t[ls:i]
	for _, m := range methods {
		if j := strings.LastIndex(line, m); j >= 0 && (j == 0 || !isSchemeByte(line[j-1])) && (j+len(m) == len(line) || !isSchemeByte(line[j+len(m)])) {
			return m
		}
	}
	// A curl command may run over several lines; look at the text around
	// the path.
	win := t[max(0, i-400):min(len(t), i+2000)]
	for _, flag := range []string{"-X ", "-X", "--request ", "--request=", "-X=", "\"method\":", "method: ", "method=", "'method': "} {
		j := strings.Index(win, flag)
		if j < 0 {
			continue
		}
		v := strings.TrimLeft(win[j+len(flag):], " '\"")
		for _, m := range methods {
			if strings.HasPrefix(strings.ToUpper(v), m) && (len(v) == len(m) || !isSchemeByte(v[len(m)])) {
				return m
			}
		}
	}
	if strings.Contains(win, "curl") {
		for _, flag := range []string{" -d ", " -d'", " --data", " --json "} {
			if strings.Contains(win, flag) {
				return "POST"
			}
		}
		return "GET"
	}
	return ""
}

// impliedMethod is the method a route only takes one way.
func impliedMethod(endpoint string) string {
	switch {
	case strings.HasSuffix(endpoint, "/query"), endpoint == "/v1/search", endpoint == "/v1/pages", endpoint == "/v1/databases", endpoint == "/v1/data_sources":
		return "POST"
	}
	return ""
}

// sdkMethods are the SDK calls people paste (notion-sdk-js, notion-sdk-py,
// jomei/notionapi) with the route each sends.
var sdkMethods = map[string][2]string{
	"pages.retrieve":             {"GET", "/v1/pages/{page_id}"},
	"pages.create":               {"POST", "/v1/pages"},
	"pages.update":               {"PATCH", "/v1/pages/{page_id}"},
	"pages.properties.retrieve":  {"GET", "/v1/pages/{page_id}/properties/{property_id}"},
	"databases.retrieve":         {"GET", "/v1/databases/{database_id}"},
	"databases.query":            {"POST", "/v1/databases/{database_id}/query"},
	"databases.create":           {"POST", "/v1/databases"},
	"databases.update":           {"PATCH", "/v1/databases/{database_id}"},
	"dataSources.retrieve":       {"GET", "/v1/data_sources/{data_source_id}"},
	"dataSources.query":          {"POST", "/v1/data_sources/{data_source_id}/query"},
	"dataSources.create":         {"POST", "/v1/data_sources"},
	"dataSources.update":         {"PATCH", "/v1/data_sources/{data_source_id}"},
	"data_sources.retrieve":      {"GET", "/v1/data_sources/{data_source_id}"},
	"data_sources.query":         {"POST", "/v1/data_sources/{data_source_id}/query"},
	"data_sources.create":        {"POST", "/v1/data_sources"},
	"data_sources.update":        {"PATCH", "/v1/data_sources/{data_source_id}"},
	"blocks.retrieve":            {"GET", "/v1/blocks/{block_id}"},
	"blocks.update":              {"PATCH", "/v1/blocks/{block_id}"},
	"blocks.delete":              {"DELETE", "/v1/blocks/{block_id}"},
	"blocks.children.list":       {"GET", "/v1/blocks/{block_id}/children"},
	"blocks.children.append":     {"PATCH", "/v1/blocks/{block_id}/children"},
	"views.retrieve":             {"GET", "/v1/views/{view_id}"},
	"views.query":                {"POST", "/v1/views/{view_id}/query"},
	"users.me":                   {"GET", "/v1/users/me"},
	"users.list":                 {"GET", "/v1/users"},
	"users.retrieve":             {"GET", "/v1/users/{user_id}"},
	"comments.create":            {"POST", "/v1/comments"},
	"comments.list":              {"GET", "/v1/comments"},
	"notion.search":              {"POST", "/v1/search"},
	"client.search":              {"POST", "/v1/search"},
	"Page.Get":                   {"GET", "/v1/pages/{page_id}"},
	"Page.Create":                {"POST", "/v1/pages"},
	"Page.Update":                {"PATCH", "/v1/pages/{page_id}"},
	"Database.Get":               {"GET", "/v1/databases/{database_id}"},
	"Database.Query":             {"POST", "/v1/databases/{database_id}/query"},
	"Database.Create":            {"POST", "/v1/databases"},
	"Database.Update":            {"PATCH", "/v1/databases/{database_id}"},
	"Block.Get":                  {"GET", "/v1/blocks/{block_id}"},
	"Block.GetChildren":          {"GET", "/v1/blocks/{block_id}/children"},
	"Block.AppendChildren":       {"PATCH", "/v1/blocks/{block_id}/children"},
	"Block.Update":               {"PATCH", "/v1/blocks/{block_id}"},
	"Block.Delete":               {"DELETE", "/v1/blocks/{block_id}"},
	"Search.Do":                  {"POST", "/v1/search"},
	"User.Me":                    {"GET", "/v1/users/me"},
	"User.List":                  {"GET", "/v1/users"},
	"User.Get":                   {"GET", "/v1/users/{user_id}"},
	"Comment.Get":                {"GET", "/v1/comments"},
	"Comment.Create":             {"POST", "/v1/comments"},
	"pages.retrieve_markdown":    {"GET", "/v1/pages/{page_id}/markdown"},
	"fileUploads.create":         {"POST", "/v1/file_uploads"},
	"file_uploads.create":        {"POST", "/v1/file_uploads"},
	"blocks.children.list_async": {"GET", "/v1/blocks/{block_id}/children"},
}

// jomeiVersion is the Notion-Version jomei/notionapi v1.13.3 always sends
// (jomei/notionapi speaks 2022-06-28): its Page.Get/Database.Query calls are
// 2022-06-28 calls.
const jomeiVersion = "2022-06-28"

// readSDKCall reads the first SDK call of the text: the dotted name before
// a '(' (notion.pages.retrieve({ page_id }), client.databases.query(...),
// client.Page.Get(ctx, id)).
func readSDKCall(t string, c *Call) {
	if readSDKCallParen(t, c) {
		return
	}
	// A call named without its arguments: "notion.pages.update →",
	// "client.Page.Get: …".
	for off := 0; off < len(t); {
		d := strings.IndexByte(t[off:], '.')
		if d < 0 {
			break
		}
		i := off + d + 1
		off = i
		for _, anchor := range sdkAnchors {
			if !strings.HasPrefix(t[i:], anchor) {
				continue
			}
			e := i
			for e < len(t) && e-i < 40 && (isSchemeByte(t[e]) || t[e] == '.' || t[e] == '_') {
				e++
			}
			if m, ok := sdkMethods[strings.TrimRight(t[i:e], ".")]; ok {
				c.Method, c.Endpoint = m[0], m[1]
				if t[i] >= 'A' && t[i] <= 'Z' {
					c.NotionVersion = jomeiVersion
				}
				return
			}
		}
	}
}

// sdkAnchors begin the SDK method names of sdkMethods (after the client's
// name and a dot).
var sdkAnchors = []string{"pages.", "databases.", "dataSources.", "data_sources.", "blocks.", "Page.", "Database.", "Block.", "users.", "comments.", "views."}

func readSDKCallParen(t string, c *Call) bool {
	off := 0
	for {
		i := strings.IndexByte(t[off:], '(')
		if i < 0 {
			return false
		}
		i += off
		off = i + 1
		j := i
		for j > 0 && i-j < 60 && (isSchemeByte(t[j-1]) || t[j-1] == '.' || t[j-1] == '_' || t[j-1] >= '0' && t[j-1] <= '9') {
			j--
		}
		chain := strings.Split(t[j:i], ".")
		if len(chain) < 2 {
			continue
		}
		for n := min(3, len(chain)); n >= 2; n-- {
			name := strings.Join(chain[len(chain)-n:], ".")
			m, ok := sdkMethods[name]
			if !ok {
				continue
			}
			// The single verbs (search) only on a client.
			if n == 2 && strings.HasSuffix(name, ".search") && len(chain) > 2 {
				continue
			}
			c.Method, c.Endpoint = m[0], m[1]
			if isSchemeByte(name[0]) && name[0] >= 'A' && name[0] <= 'Z' {
				c.NotionVersion = jomeiVersion
			}
			return true
		}
	}
}

// readMessage reads Notion's message: a "message" key (JSON, JS inspect,
// Python repr) or a known message in running text (an SDK exception, a log
// line, the bare message).
func readMessage(t string, c *Call) {
	if v, ok := keyValue(t, "message"); ok && (c.Code != "" || knownMessage(v)) && v != "" && len(v) < 4000 {
		c.Message = v
		return
	}
	best, code := -1, ""
	for _, m := range knownMessages {
		if i := strings.Index(t, m.prefix); i >= 0 && (best < 0 || i < best) {
			best, code = i, m.code
		}
	}
	if best < 0 {
		// A validation message without its "body failed validation:"
		// lead: "query.v should not be present".
		best = fieldSentence(t)
		code = "validation_error"
	}
	if best < 0 {
		return
	}
	end := strings.IndexByte(t[best:], '\n')
	if end < 0 {
		end = len(t) - best
	}
	msg := strings.TrimSpace(t[best : best+end])
	// The message of a JSON body or JS dump pasted as such, or of a
	// quoted log line: up to its closing quote.
	if best > 0 {
		if q := t[best-1]; q == '"' || q == '\'' || q == '`' {
			if k := closingQuote(msg, q); k >= 0 {
				msg = msg[:k]
			}
		}
	}
	msg = strings.TrimRight(msg, ` ,;'"`+"`")
	c.Message = truncateUTF8(unescapeJSON(msg), 1000)
	if c.Code == "" {
		c.Code = code
	}
}

// knownMessage reports whether v holds one of Notion's known messages.
func knownMessage(v string) bool {
	for _, m := range knownMessages {
		if strings.Contains(v, m.prefix) {
			return true
		}
	}
	return false
}

// closingQuote finds the quote q that ends s, skipping backslash escapes.
func closingQuote(s string, q byte) int {
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case q:
			return k
		}
	}
	return -1
}

// unescapeJSON undoes the escapes of a JSON or JS string.
func unescapeJSON(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for k := 0; k < len(s); k++ {
		if s[k] == '\\' && k+1 < len(s) {
			k++
			switch s[k] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[k])
			}
			continue
		}
		b.WriteByte(s[k])
	}
	return b.String()
}

// keyValue finds the first key in t (as "key": v, 'key': v, key: v, key=v)
// and returns its value: a quoted string unquoted, or a bare word or number.
func keyValue(t, key string) (string, bool) {
	v, _, ok := keyValueFrom(t, key, 0)
	return v, ok
}

// keyValueFrom is keyValue from offset off; it also returns where the
// value ends, to go on from there.
func keyValueFrom(t, key string, off int) (string, int, bool) {
	return keyValueNext(t, key, off, func(off int) int {
		if i := strings.Index(t[off:], key); i >= 0 {
			return i + off
		}
		return -1
	})
}

// keyValueIn is keyValue of the call text ix was scanned from.
func keyValueIn(ix *firsts, key string) (string, bool) {
	k := ix.exactIndex(key)
	v, _, ok := keyValueNext(ix.t, key, 0, func(off int) int { return ix.indexFromAt(k, key, off) })
	return v, ok
}

// keyValueNext is keyValueFrom with next finding the key at or after an
// offset (-1 when none).
func keyValueNext(t, key string, off int, next func(off int) int) (string, int, bool) {
	for {
		i := next(off)
		if i < 0 {
			return "", 0, false
		}
		off = i + len(key)
		if i > 0 && (isSchemeByte(t[i-1]) || t[i-1] == '_' || t[i-1] == '-') {
			continue
		}
		j := i + len(key)
		if j < len(t) && (isSchemeByte(t[j]) || t[j] == '_') {
			continue
		}
		for j < len(t) && (t[j] == '"' || t[j] == '\'' || t[j] == '\\') {
			j++
		}
		for j < len(t) && t[j] == ' ' {
			j++
		}
		if j >= len(t) || (t[j] != ':' && t[j] != '=') {
			continue
		}
		j++
		for j < len(t) && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r') {
			j++
		}
		if j >= len(t) {
			return "", 0, false
		}
		if e := varExprEnd(t, j); e > j {
			return t[j:e], e, true
		}
		if t[j] == '\\' && j+1 < len(t) && t[j+1] == '"' {
			// JSON inside a JSON string: \"key\":\"value\".
			k := strings.Index(t[j+2:min(len(t), j+2+5000)], `\"`)
			if k < 0 {
				return "", 0, false
			}
			return unescapeJSON(t[j+2 : j+2+k]), j + 2 + k, true
		}
		if q := t[j]; q == '"' || q == '\'' || q == '`' {
			k := closingQuote(t[j+1:min(len(t), j+1+5000)], q)
			if k < 0 {
				return "", 0, false // unterminated: nothing further is a value
			}
			return unescapeJSON(t[j+1 : j+1+k]), j + 2 + k, true
		}
		k := j
		for k < len(t) && (isHostByte(t[k]) || t[k] == '_') && k-j < 100 {
			k++
		}
		if k == j {
			continue
		}
		return t[j:k], k, true
	}
}

// readCode reads Notion's error code: a "code" key with a known value, or a
// known code written anywhere (a log line, "APIResponseError [object_not_found]").
func readCode(t string, c *Call) {
	for off := 0; off < len(t); {
		v, end, ok := keyValueFrom(t, "code", off)
		if !ok {
			break
		}
		if _, known := knownCodes[v]; known {
			c.Code = v
			return
		}
		off = end
	}
	if c.Code != "" {
		return
	}
	// A bare code: the words around each '_'.
	for off := 0; off < len(t); {
		i := strings.IndexByte(t[off:], '_')
		if i < 0 {
			break
		}
		i += off
		s, e := i, i
		for s > 0 && (t[s-1] >= 'a' && t[s-1] <= 'z' || t[s-1] == '_') {
			s--
		}
		for e < len(t) && (t[e] >= 'a' && t[e] <= 'z' || t[e] == '_') {
			e++
		}
		if _, known := knownCodes[t[s:e]]; known && (s == 0 || !isHostByte(t[s-1])) {
			c.Code = t[s:e]
			return
		}
		off = e + 1
	}
	if i := strings.Index(t, "unauthorized"); i >= 0 && (i == 0 || !isSchemeByte(t[i-1])) {
		c.Code = "unauthorized"
	}
}

// statusTexts are HTTP reason phrases after a status number.
var statusTexts = []string{" Not Found", " Unauthorized", " Forbidden", " Too Many Requests", " Bad Request",
	" Conflict", " Internal Server Error", " Bad Gateway", " Service Unavailable", " Gateway Timeout"}

// readStatus reads the HTTP status: a "status" key, "HTTP/1.1 404", "status
// code 404", "failed with status: 502", or a number before a reason phrase.
func readStatus(t string, c *Call) {
	// Every status read here is a 4xx or 5xx written out: no '4' and no
	// '5' in the text, no status (prose costs two byte scans).
	if c.Status != 0 || strings.IndexByte(t, '4') < 0 && strings.IndexByte(t, '5') < 0 {
		return
	}
	for _, key := range []string{"status", "statusCode", "status_code", "http_status"} {
		if v, ok := keyValue(t, key); ok {
			if n := httpStatus(v); n > 0 {
				c.Status = n
				return
			}
		}
	}
	for _, p := range []string{"HTTP/1.1 ", "HTTP/2 ", "HTTP/2.0 ", "HTTP ", "status code ", "Status Code: ", "status code: ", "Status code ", "failed with status: ", "status: ", "Status: ", "status=", "→ ", "-> ", "returned ", "responded "} {
		if i := strings.Index(t, p); i >= 0 {
			if n := httpStatus(firstNumber(t[i+len(p):])); n > 0 {
				c.Status = n
				return
			}
		}
	}
	if c.Code != "" || c.Message != "" || c.Endpoint != "" {
		for _, p := range statusTexts {
			if i := strings.Index(t, p); i >= 3 {
				if n := httpStatus(t[i-3 : i]); n > 0 {
					c.Status = n
					return
				}
			}
		}
	}
}

func firstNumber(s string) string {
	k := 0
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	return s[:k]
}

func httpStatus(v string) int {
	if len(v) != 3 {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

// readVersion reads the Notion-Version the call sent: a header (curl -H,
// a header dump), an SDK option (notionVersion: '…'), a Python headers
// dict, an environment variable (NOTION_VERSION=…).
func readVersion(t string, c *Call) {
	for off := 0; off < len(t); {
		i := strings.Index(t[off:], "ersion")
		if i < 0 {
			break
		}
		i += off
		off = i + 6
		if i < 7 {
			continue
		}
		pre := strings.ToLower(t[i-7 : i])
		if !strings.HasSuffix(pre, "notion-v") && !strings.HasSuffix(pre, "notion_v") && !strings.HasSuffix(pre, "notionv") {
			// "Notion-Version" is 8 bytes before "ersion"; look again with the v.
			if i < 8 {
				continue
			}
			pre = strings.ToLower(t[i-8 : i])
			if !strings.HasSuffix(pre, "notion-v") && !strings.HasSuffix(pre, "notion_v") && !strings.HasSuffix(pre, "notionv") {
				continue
			}
		}
		j := i + 6
		for j < len(t) && j-i < 14 && strings.IndexByte(" \t\"'`:=>[\\", t[j]) >= 0 {
			j++
		}
		k := j
		for k < len(t) && k-j < 24 && (t[k] >= '0' && t[k] <= '9' || t[k] == '-') {
			k++
		}
		if k-j >= 4 && t[j] >= '0' && t[j] <= '9' {
			c.NotionVersion = t[j:k]
			return
		}
	}
}

// readIntegration reads the integration a 404 message names ("…shared with
// your integration \"Marketing Sync\"."; "connection" in newer wording):
// in the message read, else anywhere in the text (a wrapper such as n8n
// puts its own words in the message and Notion's in a description).
func readIntegration(t string, c *Call, ix *firsts) {
	if c.Message != "" {
		readIntegrationIn(c.Message, c, strings.Index)
		if c.Integration != "" {
			return
		}
	}
	readIntegrationIn(t, c, func(_, p string) int { return ix.index(p) })
}

// integrationPhrases come before the integration Notion's message names.
var integrationPhrases = []string{"with your integration ", "with your connection ", "with the integration ", "with the connection "}

// readIntegrationIn reads the integration src names; index is
// strings.Index, or where the call text's phrases are already found.
func readIntegrationIn(src string, c *Call, index func(src, p string) int) {
	for _, p := range integrationPhrases {
		i := index(src, p)
		if i < 0 {
			continue
		}
		rest := strings.TrimLeft(src[i+len(p):], `\`)
		if rest == "" || (rest[0] != '"' && rest[0] != '\'' && !strings.HasPrefix(rest, "“")) {
			continue
		}
		open, closers := 1, "\"\\\n"
		switch {
		case strings.HasPrefix(rest, "“"):
			open, closers = len("“"), "”\n"
		case rest[0] == '\'':
			closers = "'\n"
		}
		rest = rest[open:]
		end := strings.IndexAny(rest, closers)
		if end <= 0 || end > 100 {
			continue
		}
		c.Integration = rest[:end]
		return
	}
}

// readRequestID reads the request ID Notion gave the call.
func readRequestID(t string, c *Call, ix *firsts) {
	for _, key := range requestIDKeys {
		i := ix.index(key)
		if i < 0 {
			continue
		}
		j := i + len(key)
		for j < len(t) && j-i-len(key) < 8 && strings.IndexByte(" \t\"'`:=>[,\\", t[j]) >= 0 {
			j++
		}
		if j+36 <= len(t) && isDashedUUID(t[j:j+36]) {
			c.RequestID = strings.ToLower(t[j : j+36])
			return
		}
	}
}

// requestIDKeys name the request ID Notion gave a call.
var requestIDKeys = []string{"request_id", "requestId", "x-notion-request-id", "X-Notion-Request-Id", "request id", "Request ID", "request ID", "Request-Id"}

// readAdditionalData reads the error's additional_data object (JSON or a JS
// dump): each value as a string, a list joined with ",".
func readAdditionalData(t string, c *Call, ix *firsts) {
	i := ix.index("additional_data")
	if i < 0 {
		i = ix.index("additionalData")
		if i < 0 {
			return
		}
	}
	j := strings.IndexByte(t[i:min(len(t), i+40)], '{')
	if j < 0 {
		return
	}
	obj := t[i+j+1:]
	if e := strings.IndexByte(obj, '}'); e >= 0 {
		obj = obj[:e]
	}
	obj = truncateUTF8(obj, 4000)
	data := map[string]string{}
	for p := 0; p < len(obj); {
		// Key.
		for p < len(obj) && strings.IndexByte(" \t\r\n,\"'\\", obj[p]) >= 0 {
			p++
		}
		ks := p
		for p < len(obj) && (isSchemeByte(obj[p]) || obj[p] == '_' || obj[p] >= '0' && obj[p] <= '9') {
			p++
		}
		key := obj[ks:p]
		for p < len(obj) && strings.IndexByte(" \"'\\", obj[p]) >= 0 {
			p++
		}
		if key == "" || p >= len(obj) || obj[p] != ':' {
			break
		}
		p++
		for p < len(obj) && strings.IndexByte(" \t\r\n", obj[p]) >= 0 {
			p++
		}
		if p >= len(obj) {
			break
		}
		var vals []string
		end := p
		if obj[p] == '[' {
			e := strings.IndexByte(obj[p:], ']')
			if e < 0 {
				e = len(obj) - p
			}
			for _, v := range strings.Split(obj[p+1:p+e], ",") {
				if v = strings.Trim(v, " \t\r\n\"'\\"); v != "" {
					vals = append(vals, v)
				}
			}
			end = p + e + 1
		} else {
			e := p
			for e < len(obj) && obj[e] != ',' && obj[e] != '\n' {
				e++
			}
			if v := strings.Trim(obj[p:e], " \t\r\"'\\"); v != "" {
				vals = append(vals, v)
			}
			end = e
		}
		data[key] = strings.Join(vals, ",")
		p = end
	}
	if len(data) > 0 {
		c.AdditionalData = data
	}
}

// parentKeys are the keys of a page's or database's parent.
var parentKeys = []string{"data_source_id", "database_id", "page_id", "block_id", "dataSourceId", "databaseId", "pageId", "workspace"}

// readParent reads the body's parent: the first parent key after "parent"
// and its value as written.
func readParent(t string, c *Call, ix *firsts) {
	for off := 0; off < len(t); {
		i := ix.indexFrom("parent", off)
		if i < 0 {
			return
		}
		off = i + 6
		win := t[i+6 : min(len(t), i+300)]
		if i > 0 && (isSchemeByte(t[i-1]) || t[i-1] == '_') {
			continue // database_parent, myparent…
		}
		if len(win) == 0 || (win[0] != '"' && win[0] != '\'' && win[0] != ':' && win[0] != '=' && win[0] != ' ' && win[0] != '\\') {
			continue // parent_id, parentId, parents…
		}
		best, bestKey, bestVal := -1, "", ""
		for _, k := range parentKeys {
			for s := 0; s < len(win); {
				j := strings.Index(win[s:], k)
				if j < 0 {
					break
				}
				j += s
				s = j + len(k)
				if best >= 0 && j > best {
					break
				}
				v, ok := keyValue(win[j:], k)
				if !ok {
					continue
				}
				best, bestKey, bestVal = j, k, v
				break
			}
		}
		if best < 0 {
			continue
		}
		c.ParentType = snakeKey(bestKey)
		if c.ParentType != "workspace" {
			c.ParentID = truncateUTF8(bestVal, 300)
		}
		return
	}
}

func snakeKey(k string) string {
	switch k {
	case "dataSourceId":
		return "data_source_id"
	case "databaseId":
		return "database_id"
	case "pageId":
		return "page_id"
	}
	return k
}

// fieldPrefixes begin the field a validation_error names.
var fieldPrefixes = []string{"body.", "path.", "query.", "header."}

// readField reads the field a validation_error names and what it says was
// sent: "path.page_id should be a valid uuid, instead was `\"x\"`",
// "body.parent.database_id should be …, instead was \"<db>?v=<view>\"",
// "query.v should not be present". The first one of a "Fix one:" list.
func readField(c *Call, t string) {
	src := c.Message
	if src == "" {
		return
	}
	i := strings.Index(src, " should ")
	for i >= 0 {
		// The field: back to the nearest prefix.
		win := src[max(0, i-200):i]
		fs := -1
		for _, p := range fieldPrefixes {
			if k := strings.LastIndex(win, p); k > fs && (k == 0 || !isHostByte(win[k-1])) {
				fs = k
			}
		}
		if fs >= 0 {
			c.Field = win[fs:]
			rest := src[i+len(" should "):]
			want := rest
			if e := strings.Index(rest, ", instead was "); e >= 0 {
				want = rest[:e]
				v, _ := quotedValue(rest, e+len(", instead was "))
				c.Sent = truncateUTF8(strings.TrimSuffix(v, "."), 300)
			} else if e := strings.IndexAny(rest, ".\n"); e >= 0 {
				want = rest[:e]
			}
			c.Expected = truncateUTF8("should "+want, 300)
			return
		}
		j := strings.Index(src[i+1:], " should ")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	// Notion-Version header failed validation: … instead was `"x"`.
	if strings.Contains(src, "Notion-Version header") {
		c.Field = "header.Notion-Version"
		if e := strings.Index(src, "instead was "); e >= 0 {
			v, _ := quotedValue(src, e+len("instead was "))
			c.Sent = strings.TrimSuffix(v, ".")
			if c.Sent == "undefined" && c.Code == "" {
				c.Code = "missing_version"
			}
			if c.Sent != "undefined" && c.NotionVersion == "" {
				c.NotionVersion = c.Sent
			}
		}
	}
}

// fieldSentence finds "<body|path|query|header>.<field> should …" in t and
// returns where the field starts, or -1.
func fieldSentence(t string) int {
	// A text with hundreds of "should"s and no field is prose: stop there.
	for off, n := 0, 0; off < len(t) && n < 200; n++ {
		i := strings.Index(t[off:], " should ")
		if i < 0 {
			return -1
		}
		i += off
		off = i + 8
		win := t[max(0, i-120):i]
		for _, p := range fieldPrefixes {
			if k := strings.LastIndex(win, p); k >= 0 && (k == 0 || !isHostByte(win[k-1])) && !strings.ContainsAny(win[k:], "\n\"'") {
				return i - len(win) + k
			}
		}
	}
	return -1
}
