package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/notion-check/notion-check/diagnose"
)

// call makes one request of the adapter's own (users, search) through the
// paced, recorded client and reports Notion's answer (send): observations
// only.
func (p *Prober) call(ctx context.Context, method, path string, body []byte, fam diagnose.Endpoint) (diagnose.Answer, []byte) {
	a, b, _ := p.send(ctx, method, path, body, diagnose.Answer{Family: fam, Version: p.cfg.Version})
	return a, b
}

// askUsers asks GET /v1/users for a bot owned by a user: Notion refuses a
// personal access token there ("Personal access tokens cannot list
// users") and lists users for a public integration's OAuth token (the SDKs'
// users/me types), which users/me alone cannot tell apart.
func (p *Prober) askUsers(ctx context.Context) diagnose.Answer {
	a, _ := p.call(ctx, http.MethodGet, "/v1/users?page_size=1", nil, diagnose.EndpointUsers)
	return a
}

// Search asks POST /v1/search what this integration's search sees, counted
// by object (never titles): with opts.SearchQuery, the person's query
// first, and the search with no query only when that finds nothing.
func (p *Prober) Search(ctx context.Context, opts diagnose.ProbeOptions) diagnose.SearchResult {
	rec := &recorder{}
	ctx = withRecorder(ctx, rec)
	var res diagnose.SearchResult
	if q := opts.SearchQuery; q != "" {
		// The person's query first: when it finds something, that is the
		// answer, and the search with no query is not needed.
		body, _ := json.Marshal(map[string]any{"query": q, "page_size": 100})
		a, n := p.searchCount(ctx, body)
		res.Query, res.QueryAnswer, res.QueryFound = q, a, n.all()
		if a.Outcome != diagnose.OutcomeOK || res.QueryFound > 0 {
			res.Evidence = rec.evidence()
			return res
		}
	}
	a, n := p.searchCount(ctx, []byte(`{"page_size":100}`))
	res.Answer, res.Pages, res.DataSources, res.Databases, res.HasMore = a, n.pages, n.dataSources, n.databases, n.hasMore
	res.Evidence = rec.evidence()
	return res
}

// searchCounts counts one search answer's results by object.
type searchCounts struct {
	pages, dataSources, databases, others int
	hasMore                               bool
}

func (n searchCounts) all() int { return n.pages + n.dataSources + n.databases + n.others }

// searchCount asks POST /v1/search with body and counts what it answered.
func (p *Prober) searchCount(ctx context.Context, body []byte) (diagnose.Answer, searchCounts) {
	var n searchCounts
	a, got := p.call(ctx, http.MethodPost, "/v1/search", body, diagnose.EndpointSearch)
	if a.Outcome != diagnose.OutcomeOK {
		return a, n
	}
	var list struct {
		Results []struct {
			Object string `json:"object"`
		} `json:"results"`
		HasMore bool `json:"has_more"`
	}
	if json.Unmarshal(got, &list) != nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, "POST /v1/search answered 200 with JSON of no known shape"
		return a, n
	}
	for _, r := range list.Results {
		switch r.Object {
		case "page":
			n.pages++
		case "data_source":
			n.dataSources++
		case "database":
			n.databases++
		default:
			n.others++
		}
	}
	n.hasMore = list.HasMore
	return a, n
}

var _ diagnose.Searcher = (*Prober)(nil)

// bytesReader is a request body for b, or nil for no body.
func bytesReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}
