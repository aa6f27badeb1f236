package diagnose

import (
	"github.com/notion-check/notion-check/diagnose/secret"
)

// Reading is everything diagnose reads in one pasted text, read once at the
// domain's door: the references to check, the person's call when the text
// shows one, and what the text holds that must never be repeated. The CLI
// and the bot both decide what to do from a Reading, and the Diagnoser
// diagnoses a Reading; nobody else parses the text. Slack's markup must be
// undone by the caller (the bot's edge) before ReadText.
type Reading struct {
	// References are the Notion references found, in order of appearance,
	// duplicates merged, at most the limit given to ReadText. When the text
	// holds no usable reference there is one, with ID "" and the finding that
	// says why.
	References []Reference
	// Total is how many distinct references the text holds (Total -
	// len(References) were left out by the limit).
	Total int
	// More is true when the text holds even more distinct references than
	// Total (which stops counting at a bound, so that counting a huge
	// paste costs bounded memory).
	More bool
	// Call is the person's failed or attempted Notion call, when the text
	// shows one (an error body or message, an SDK exception, an API URL, a
	// curl line, an SDK call in code); nil otherwise.
	Call *Call
	// NotionTokens counts the credentials the text holds (Notion tokens,
	// and Slack tokens and Authorization credentials too: see
	// secret.NotionTokens), in any form (URL-encoded, entity- or
	// JSON-escaped, split by invisible characters, glued to other words).
	// Only the count is kept, and the references are read with the tokens
	// masked: a Reading never holds a secret.
	NotionTokens int
	// Changes are the 2025–2026 changes of Notion's API the text describes
	// in words ("multiple data sources", "archived is gone"), each with its
	// finding on a reference.
	Changes []Change
}

// ReadText reads text once. limit bounds the references built (all when
// limit < 0). When the text shows a failed call, the error.* findings of
// the errors that carry their own cause (CallFindings) are on the
// reference the error concerns; a text with only an error and no ID has one
// reference, with ID "", holding them.
func ReadText(text string, limit int) Reading {
	// Read the text with its tokens masked, so that no piece of one (a
	// source, a quote cut short) is ever kept.
	text, n := secret.RedactCount(text)
	ix := textNeedles.scan(text) // the fixed strings both readers look for
	refs, total, more := readReferencesIn(text, limit, ix)
	wf := readWords(text)
	rd := Reading{References: refs, Total: total, More: more, Call: readCallIn(text, ix, wf), NotionTokens: n}
	if rd.Call != nil && len(rd.References) > 0 {
		m := len(rd.References)
		rd.References = withCall(rd.References, rd.Call)
		// References folded into others (an error's data sources, the
		// view of query.v) are not references the text holds apart.
		rd.Total -= m - len(rd.References)
		rd.References = withEmpty(rd.References, rd.Call)
	}
	rd.Changes = wf.changes
	rd.References = withChanges(rd.References, rd.Changes, rd.Call)
	return rd
}

// Answerable reports whether the text is worth answering unasked (a
// help-channel message): it holds a Notion reference, a pasted Notion error
// or call, or a Notion token (which must be reported as leaked).
func (r Reading) Answerable() bool {
	if r.NotionTokens > 0 || r.Call != nil || len(r.Changes) > 0 {
		return true
	}
	for _, ref := range r.References {
		if ref.Answerable() || HasCode(ref.Findings, CodeIDMalformed) {
			return true
		}
	}
	return false
}

// Call is the person's Notion API call as the pasted text shows it: what
// was asked and what Notion answered (the report's "call"). It describes the
// person's call, never the checks notion-check made. Every field is "" or 0
// when the text does not tell. ReadText masks any token in its fields, so a
// Call never holds a secret.
type Call struct {
	// Method is GET, POST, PATCH or DELETE.
	Method string `json:"method,omitempty"`
	// Endpoint is the API route with its parameters named, such as
	// "/v1/pages/{page_id}" or "/v1/data_sources/{data_source_id}/query".
	Endpoint string `json:"endpoint,omitempty"`
	// NotionVersion is the Notion-Version header the call sent (for a
	// jomei/notionapi call, the 2022-06-28 that client always sends).
	NotionVersion string `json:"notion_version,omitempty"`
	// Status is the HTTP status Notion answered.
	Status int `json:"status,omitempty"`
	// Code is Notion's error code (object_not_found, validation_error...).
	Code string `json:"code,omitempty"`
	// Message is Notion's error message as pasted.
	Message string `json:"message,omitempty"`
	// Integration is the integration Notion's message names ("…shared with
	// your integration \"Marketing Sync\"").
	Integration string `json:"integration,omitempty"`
	// RequestID is the pasted request_id (or x-notion-request-id).
	RequestID string `json:"request_id,omitempty"`
	// AdditionalData is the error's additional_data, values as strings (a
	// list joined with ",").
	AdditionalData map[string]string `json:"additional_data,omitempty"`
	// ParentType is the body's parent field the call sent, when shown:
	// "database_id", "data_source_id", "page_id"...
	ParentType string `json:"parent_type,omitempty"`
	// ParentID is the value sent in that parent field, as written.
	ParentID string `json:"parent_id,omitempty"`
	// Field is the field a validation_error names ("path.page_id",
	// "body.parent.database_id", "query.v"), Expected what Notion says it
	// should be ("should be a valid uuid"), and Sent what it says was sent
	// instead, as Notion quoted it.
	Field    string `json:"field,omitempty"`
	Expected string `json:"expected,omitempty"`
	Sent     string `json:"sent,omitempty"`
	// Fields are the fields a validation_error names, each with what
	// Notion expected and what was sent (the report's call.fields).
	Fields []Field `json:"fields,omitempty"`
	// Body is true when a request body was pasted and read; Request is
	// what it sent.
	Body    bool      `json:"body,omitempty"`
	Request *SentBody `json:"-"`
	// Path is the API path as the text shows it, IDs as written
	// ("/v1/pages/Team-Handbook-1212…"); Endpoint is its route.
	Path string `json:"path,omitempty"`
	// Edge is true when the answer came from Notion's edge proxy
	// (Cloudflare: an HTML body or a cf-ray header and no Notion error
	// code), which is not an answer of the API itself.
	Edge bool `json:"edge,omitempty"`
	// Via names the wrapper the paste came through, when it shows one
	// ("n8n", "Make", "MCP (local)", "notion-sdk-js", …); "" when the text
	// is Notion's own answer or tells nothing.
	Via string `json:"via,omitempty"`
	// ClientFailure is set when the failure never reached Notion's API, or
	// Notion's answer was not the API's: "schema" (a client-side or MCP
	// tool-schema validation), "transport" (no answer: DNS, TLS, a reset,
	// a client timeout), "edge" (an HTML page from a proxy where JSON was
	// expected), "decode" (the client failed to read Notion's answer),
	// "path" (the client refused the path).
	ClientFailure string `json:"client_failure,omitempty"`
	// ClientMessage is the client's own error text, when ClientFailure is
	// set.
	ClientMessage string `json:"client_message,omitempty"`
	// Variable is the variable the code passes where the ID belongs, when
	// the error shows what it held (so it was set).
	Variable string `json:"variable,omitempty"`
	// Auth names what is wrong with the Authorization header the text
	// shows ("bearer_doubled", "basic_for_api", …); never the credential.
	Auth string `json:"auth,omitempty"`
	// Empty is set when the text shows a search or list answer with no
	// results, or says search finds nothing: "search", "query" or "list".
	Empty string `json:"empty,omitempty"`
	// Filter is the object filter value a pasted search sent ("page",
	// "data_source", "database").
	Filter string `json:"filter,omitempty"`
	// SearchQuery is the query text a pasted search sent ("" when none or
	// not a literal).
	SearchQuery string `json:"search_query,omitempty"`
}

// Failed reports whether the pasted call is shown to have failed (an error
// status or code, an error message, or a failure in the client).
func (c *Call) Failed() bool {
	return c != nil && (c.Status >= 400 || c.Code != "" || c.Message != "" || c.ClientFailure != "")
}

// Access is whether one configured integration can see a check's object
// (the report's "access").
type Access struct {
	Integration string `json:"integration"`
	Sees        bool   `json:"sees"`
}
