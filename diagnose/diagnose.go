package diagnose

import (
	"context"
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

// IntegrationInfo is what a Prober learnt about its token.
type IntegrationInfo struct {
	// Status is ok when Notion accepted the token, problem when it refused
	// it, unknown when Notion could not be asked.
	Status    Status
	Name      string
	Workspace string
	// Findings about the integration itself (token.invalid, access.capability, ...).
	Findings []Finding
	// Usable is false when no online check can succeed with this token
	// (Notion answered 401), so the checks are not probed.
	Usable bool
}

// ProbeResult is what a Prober found online for one reference.
type ProbeResult struct {
	// Kind is what the ID turned out to be (KindUnknown if it could not be told).
	Kind Kind
	// Title of the object itself, when the person linked it and Notion told it.
	Title string
	// Done is false when the online part could not be finished (Notion
	// unavailable, rate-limited past the deadline): the check is "unknown".
	Done bool
	// Findings found online.
	Findings []Finding
	// Related objects learnt online (a block's page, a data source's database...).
	Related []Related
	// Evidence of every exchange made for this reference.
	Evidence []Evidence
	// IntegrationFindings are findings about the integration itself learnt
	// while probing (access.capability when every read is refused).
	IntegrationFindings []Finding
}

// ProbeOptions tune one online check.
type ProbeOptions struct {
	// Fresh bypasses any cache (a "Check again").
	Fresh bool
}

// Prober runs the online part of a diagnosis against the Notion API. It is
// implemented by package diagnose/notion; the domain only sees this.
type Prober interface {
	// Integration checks the token (GET /v1/users/me); it may be cached.
	Integration(ctx context.Context, opts ProbeOptions) IntegrationInfo
	// Probe finds kind, access and endpoint fit for one reference whose
	// Probeable() is true.
	Probe(ctx context.Context, ref Reference, opts ProbeOptions) ProbeResult
	// APIVersion is the Notion-Version header the prober sends.
	APIVersion() string
}
