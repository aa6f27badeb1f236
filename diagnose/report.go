package diagnose

import "time"

import "strings"

// Severity says how bad a finding is.
type Severity string

// Severities of a finding, as the JSON report spells them.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Kind is what a Notion ID turned out (or is believed) to be.
type Kind string

// Kinds of object, as the JSON report spells them.
const (
	KindPage       Kind = "page"
	KindDatabase   Kind = "database"
	KindDataSource Kind = "data_source"
	KindBlock      Kind = "block"
	KindView       Kind = "view"
	KindUnknown    Kind = "unknown"
)

// Status is the outcome of a check or of the integration.
type Status string

// Statuses of a check, as the JSON report spells them. StatusMissing is only
// used for the integration
// (no token given).
const (
	StatusOK      Status = "ok"
	StatusProblem Status = "problem"
	StatusUnknown Status = "unknown"
	StatusMissing Status = "missing"
)

// Endpoint names the family of the Notion API a person used, as learnt from a
// pasted API URL, curl line or error message ("" when unknown).
type Endpoint string

// Endpoints the reader can recognise.
const (
	EndpointNone        Endpoint = ""
	EndpointPages       Endpoint = "pages"
	EndpointDatabases   Endpoint = "databases"
	EndpointDataSources Endpoint = "data_sources"
	EndpointBlocks      Endpoint = "blocks"
	EndpointViews       Endpoint = "views"
	EndpointComments    Endpoint = "comments"
	EndpointUsers       Endpoint = "users"
	EndpointSearch      Endpoint = "search"
	// EndpointFileUploads is a family the adapter may call and count; the
	// reader does not take content IDs from it.
	EndpointFileUploads Endpoint = "file_uploads"
)

// EndpointFamily returns the endpoint family an API path or a family name
// names ("/v1/pages/<id>", "v1/blocks/<id>/children", "search"), or
// EndpointNone for any other. It is the one list of Notion's endpoint
// families: the adapter labels its calls with it and the metrics bound
// their label values by it.
func EndpointFamily(path string) Endpoint {
	s := strings.TrimPrefix(strings.TrimPrefix(path, "/"), "v1/")
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	switch e := Endpoint(strings.ToLower(s)); e {
	case EndpointPages, EndpointDatabases, EndpointDataSources, EndpointBlocks, EndpointViews,
		EndpointComments, EndpointUsers, EndpointSearch, EndpointFileUploads:
		return e
	}
	return EndpointNone
}

// KindFor returns the object kind an endpoint serves (KindUnknown when the
// endpoint does not take a content ID).
func (e Endpoint) KindFor() Kind {
	switch e {
	case EndpointPages:
		return KindPage
	case EndpointDatabases:
		return KindDatabase
	case EndpointDataSources:
		return KindDataSource
	case EndpointBlocks:
		return KindBlock
	case EndpointViews:
		return KindView
	}
	return KindUnknown
}

// Finding is one thing the diagnosis found, with the fix as numbered steps.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
	Fix      []string `json:"fix"`
	// Example is the JSON to send instead, copyable as it stands, when the
	// fix is a value to send (a property, a parent, a block).
	Example string `json:"example,omitempty"`
	// Answer is the one-line answer a rule computed for this finding (the
	// property and its fix), used by the answer table's {answer}.
	Answer string `json:"-"`
}

// Related is another object a reference names besides its main ID (the
// database and view of a peek link, the block of an anchor, and so on).
type Related struct {
	Role Kind   `json:"role"`
	ID   string `json:"id"`
}

// Evidence is one exchange with the Notion API, recorded without any token.
type Evidence struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	// Integration is the name of the integration whose token made the call.
	Integration string `json:"integration,omitempty"`
}

// Check is the diagnosis of one reference.
type Check struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
	Title  string `json:"title,omitempty"`
	// URL is the object's url as Notion returned it, when an integration
	// sees it ("" otherwise).
	URL      string    `json:"url,omitempty"`
	Related  []Related `json:"related"`
	Findings []Finding `json:"findings"`
	// Access lists every configured integration asked about the object and
	// whether it sees it.
	Access   []Access   `json:"access,omitempty"`
	Evidence []Evidence `json:"evidence"`
}

// Integration is what the diagnosis learnt about the token it runs with.
type Integration struct {
	Status    Status    `json:"status"`
	Name      string    `json:"name,omitempty"`
	Workspace string    `json:"workspace,omitempty"`
	Findings  []Finding `json:"findings"`
}

// Report is the whole diagnosis of one TEXT: what --json prints.
type Report struct {
	Integration Integration `json:"integration"`
	Checks      []Check     `json:"checks"`
	// APIVersion is the Notion-Version the online checks used ("" offline).
	APIVersion string `json:"api_version,omitempty"`
	// Skipped counts references found in TEXT but not checked because
	// TEXT held more than the diagnosis checks at once.
	Skipped int `json:"skipped,omitempty"`
	// SkippedMore is true when TEXT held even more references than
	// Skipped counts (counting stops at a bound, so a huge paste costs
	// bounded memory): Skipped is then a lower bound.
	SkippedMore bool `json:"skipped_more,omitempty"`
	// Call is the person's own call, when TEXT shows one.
	Call *Call `json:"call,omitempty"`
	// As names the one integration the checks ran as when a name picked
	// it (the CLI's --as, or the integration a pasted error names among
	// those configured); "" when every configured integration was asked.
	As string `json:"as,omitempty"`
	// Recheck is what "check again" re-checks, one a line: the text's
	// references in canonical form and the pasted call as a curl line,
	// never the text itself (Reading.Recheck).
	Recheck []string `json:"recheck,omitempty"`
	// CheckedAt is when the diagnosis began, set by a face that reuses
	// reports (the bot keeps an answer for a while, and says how old it
	// is); zero, and left out of the JSON, in a one-shot run.
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// HasError reports whether the integration or any check has an error
// finding; the CLI exits 1 when it has.
func (r Report) HasError() bool {
	return r.anyFinding(func(f Finding) bool { return f.Severity == SeverityError })
}

// Codes returns every finding code in the report, integration first, in
// order, for logs and metrics.
func (r Report) Codes() []Code {
	var out []Code
	for _, f := range r.Integration.Findings {
		out = append(out, f.Code)
	}
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			out = append(out, f.Code)
		}
	}
	return out
}

// RequestIDs returns the Notion request IDs of every exchange in the report.
func (r Report) RequestIDs() []string {
	var out []string
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			if e.RequestID != "" {
				out = append(out, e.RequestID)
			}
		}
	}
	return out
}

func hasError(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}
