package diagnose

import (
	"context"
	"time"
)

// Reference is one Notion reference the reader found in pasted text, with
// what can be told of it offline.
type Reference struct {
	// Source is the piece of text this reference came from.
	Source string
	// Origin says what kind of text that piece is (a link, an API URL, an
	// error, a bare ID...).
	Origin Origin
	// ID is the object the person most likely means (dashed lowercase
	// UUID), or "" when no usable ID was found.
	ID string
	// Hint is the kind the text itself says the object is (from a pasted
	// error such as "is a database, not a page", or from a link's shape such
	// as a path ID with ?v=, which is a database); KindUnknown otherwise.
	Hint Kind
	// Endpoint is the API endpoint the person used, when the text shows it
	// (an api.notion.com URL, a curl line, an error message).
	Endpoint Endpoint
	// Related are the other objects the reference names.
	Related []Related
	// Findings are the offline findings.
	Findings []Finding
}

// Probeable reports whether the reference may be checked online: it has a
// usable ID and no offline finding rules it out.
func (r Reference) Probeable() bool {
	if r.ID == "" {
		return false
	}
	for _, f := range r.Findings {
		if f.Code == CodeLinkNotContent {
			return false
		}
	}
	return true
}

// Outcome classifies one answer of Notion, as the Notion adapter saw it.
type Outcome string

// Outcomes of one call.
const (
	// OutcomeOK is a 200 with Notion's own JSON.
	OutcomeOK Outcome = "ok"
	// OutcomeNotFound is a 404 object_not_found in Notion's JSON.
	OutcomeNotFound Outcome = "not_found"
	// OutcomeBadRequest is a 400 in Notion's JSON (validation_error,
	// invalid_request_url...).
	OutcomeBadRequest Outcome = "bad_request"
	// OutcomeUnauthorized is a 401 in Notion's JSON.
	OutcomeUnauthorized Outcome = "unauthorized"
	// OutcomeForbidden is a 403 in Notion's JSON (restricted_resource).
	OutcomeForbidden Outcome = "forbidden"
	// OutcomeRateLimited is a 429/529 not retried in time, or pacing that
	// would pass the deadline.
	OutcomeRateLimited Outcome = "rate_limited"
	// OutcomeUnavailable is a 5xx, an edge (HTML) answer, a timeout, a
	// refused connection, or any answer of no known shape.
	OutcomeUnavailable Outcome = "unavailable"
)

// Transient reports whether o says Notion gave no answer to judge (rate
// limited, or unavailable): asking again later may tell more.
func (o Outcome) Transient() bool {
	return o == OutcomeRateLimited || o == OutcomeUnavailable
}

// Parent is an object's parent as Notion gave it.
type Parent struct {
	// Type is page_id, block_id, database_id, data_source_id, workspace...
	Type string `json:"type,omitempty"`
	// ID is the parent's ID ("" for the workspace).
	ID string `json:"id,omitempty"`
	// DatabaseID is the database of a data_source_id parent.
	DatabaseID string `json:"database_id,omitempty"`
}

// Object is what a 200 answer told about an object: only the facts a
// verdict needs.
type Object struct {
	// Object is Notion's "object" field: page, database, data_source,
	// block or view.
	Object string `json:"object"`
	// BlockType is a block's type (child_page, child_database, paragraph...).
	BlockType string `json:"block_type,omitempty"`
	// Title is the object's own title (a view's name), only when the ID
	// asked is the one the person gave: titles of other objects are never
	// kept.
	Title string `json:"title,omitempty"`
	// URL is the object's url as Notion answered it (pages, databases,
	// data sources, views), only when the ID asked is the one the person
	// gave, as Title.
	URL string `json:"url,omitempty"`
	// InTrash is in_trash (or, before 2026-03-11, archived).
	InTrash bool `json:"in_trash,omitempty"`
	// Parent is the object's parent.
	Parent Parent `json:"parent"`
	// DataSources are a database's data source IDs; DataSourcesListed says
	// whether the answer had the list at all (2025-09-03 and later).
	DataSources       []string `json:"data_sources,omitempty"`
	DataSourcesListed bool     `json:"data_sources_listed,omitempty"`
	// DataSourceID is a view's data source.
	DataSourceID string `json:"data_source_id,omitempty"`
	// Properties are the schema of a data source (or, under 2022-06-28, of
	// a database), as Notion reported it; PropertiesListed says whether the
	// answer had a schema at all.
	Properties       []SchemaProperty `json:"properties,omitempty"`
	PropertiesListed bool             `json:"properties_listed,omitempty"`
	// SchemaName is the name of the data source (or database) whose schema
	// Properties are, kept only to be compared with the property keys a
	// write sent (a database's name used as a property), never reported.
	SchemaName string `json:"-"`
}

// SchemaProperty is one property of a data source's schema, as Notion
// reported it: an observation, whatever its type (a type this program
// does not know is kept as Notion named it).
type SchemaProperty struct {
	// ID is the property's ID as Notion gives it (URL-encoded).
	ID string `json:"id"`
	// Name is the property's name.
	Name string `json:"name"`
	// Type is the property's type (status, select, formula, place...).
	Type string `json:"type"`
	// Options are the option names of a select, multi_select or status.
	Options []string `json:"options,omitempty"`
	// RelationDataSource and RelationDatabase are a relation's target.
	RelationDataSource string `json:"relation_data_source,omitempty"`
	RelationDatabase   string `json:"relation_database,omitempty"`
}

// SchemaRequest asks a probe to read, beyond the ID checks, the schema a
// failed write was checked against: the data source of the reference
// (page → its parent data source; database → its one data source; data
// source → itself), and whether the integration sees the target of a
// relation the call wrote. At most two calls.
type SchemaRequest struct {
	// ID is the reference whose schema to read.
	ID string
	// Properties are the property keys the call sent or Notion named (a
	// relation among them has its target checked).
	Properties []string
}

// Answer is what Notion answered to one call the adapter made.
type Answer struct {
	// Family is the endpoint family asked (pages, databases, data_sources,
	// blocks, views, users).
	Family Endpoint `json:"family"`
	// ID is the ID in the path ("" for users/me): the reference's ID, or a
	// parent the adapter walked up to.
	ID string `json:"id,omitempty"`
	// Version is the Notion-Version header sent.
	Version string `json:"version,omitempty"`
	// Outcome classifies the answer.
	Outcome Outcome `json:"outcome"`
	// Status, Code and Message are the HTTP status and Notion's error code
	// and message (0 and "" when none came).
	Status  int    `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Why says in words what happened when no answer of Notion's own came
	// or it could not be used (rate-limited, unavailable).
	Why string `json:"why,omitempty"`
	// Object holds the decoded facts of a 200 answer.
	Object *Object `json:"object,omitempty"`
	// ChildDataSourceIDs are additional_data.child_data_source_ids of a
	// 400 "multiple data sources" answer.
	ChildDataSourceIDs []string `json:"child_data_source_ids,omitempty"`
	// ErrorType is additional_data.error_type of an error answer, which
	// the verdict prefers to the message's wording.
	ErrorType string `json:"error_type,omitempty"`
}

// IntegrationInfo is what a Prober learnt about its token from
// GET /v1/users/me: observations only, no verdict.
type IntegrationInfo struct {
	// Name is the bot user's name; Workspace its workspace name.
	Name      string
	Workspace string
	// Personal is true when the token is known to be a personal access
	// token. The Prober does not set it: it reports OwnerType and Users, and
	// the verdict tells the kinds apart (token_kind.go).
	Personal bool
	// OwnerType is users/me's bot.owner.type: "workspace" for an internal
	// integration, "user" for a public (OAuth) one or a personal access
	// token ("" when not told).
	OwnerType string
	// Users is what GET /v1/users answered, asked only for a bot owned by a
	// user (it refuses personal access tokens); Outcome "" when not asked.
	Users Answer
	// Me is what users/me answered (Outcome "" when it was not asked).
	Me Answer
	// Evidence of the users/me exchange.
	Evidence []Evidence
	// Stored is true when the answers were read from what an earlier run
	// saved (the CLI's cache), not asked now: the name may have changed
	// since.
	Stored bool
	// Checked is when users/me was last asked for the token (zero when not
	// told): when this answer came, or a later ask that got no answer while
	// this one was kept. A name checked long ago may have changed since.
	Checked time.Time
}

// ProbeResult is what a Prober observed online for one reference: every
// answer Notion gave, in the order asked. The verdict rules of this
// package turn it into findings; the Prober builds none.
type ProbeResult struct {
	// Version is the Notion-Version the probes sent (data-source and view
	// calls go at 2025-09-03 at least, see Answer.Version).
	Version string
	// Answers are Notion's answers, in the order asked.
	Answers []Answer
	// Evidence of every exchange made for this reference.
	Evidence []Evidence
}

// ProbeOptions tune one online check.
type ProbeOptions struct {
	// Fresh bypasses any cache (a "Check again").
	Fresh bool
	// Version, when set, is the Notion-Version to probe with instead of the
	// prober's own (the version the person's call sent).
	Version string
	// Schema, when set, asks for the schema of one reference too.
	Schema *SchemaRequest
	// Probed, when set, is told each reference's result as soon as its
	// probe is over, before the probes of the others are (from the probe's
	// own goroutine; i indexes the references passed): a call that result
	// calls for (users/me, for the advice of access.not_shared) then goes
	// beside the other probes' later rounds instead of after them all.
	Probed func(i int, res ProbeResult)
	// SearchQuery, when set, is the query text of the person's search:
	// Searcher.Search asks with it too.
	SearchQuery string
	// Peers, when set, is this integration's place among the others asked
	// in the same diagnosis: a probe tells it each round's answers
	// (Peer.Told) and, before a later round, asks what the others saw
	// (Peer.SeenElsewhere): their answers may make its 404s final.
	Peers *Peer
}

// Prober runs the online part of a diagnosis against the Notion API. It is
// implemented by package diagnose/notion; the domain only sees this. It
// reports what Notion answered and decides which calls to make, never a
// verdict.
type Prober interface {
	// Integration asks GET /v1/users/me about the token; it may be cached.
	Integration(ctx context.Context, opts ProbeOptions) IntegrationInfo
	// Probe asks Notion about one reference whose Probeable() is true.
	Probe(ctx context.Context, ref Reference, opts ProbeOptions) ProbeResult
	// APIVersion is the Notion-Version header the prober sends by default.
	APIVersion() string
}

// IntegrationCache is a Prober that keeps what GET /v1/users/me answered:
// KnownIntegration returns it, making no call, when it has it. The
// Diagnoser then asks users/me only where a verdict needs it: the advice of
// access.not_shared (a personal access token's, the workspace's name), or
// a text with nothing else to check; every other verdict comes from the
// probes' own answers, which also tell a refused token (401).
type IntegrationCache interface {
	KnownIntegration() (IntegrationInfo, bool)
}

// BatchProber is a Prober that probes the references of one text together,
// so that it can plan their calls against the integration's one budget
// (Notion's rate limit is per integration, not per reference). ProbeAll
// returns one result per reference, in order, each as Probe would.
type BatchProber interface {
	Prober
	ProbeAll(ctx context.Context, refs []Reference, opts ProbeOptions) []ProbeResult
}
