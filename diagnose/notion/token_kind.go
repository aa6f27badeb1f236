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

// Search asks POST /v1/search with no query: what this integration's
// search sees, counted by object (never titles).
func (p *Prober) Search(ctx context.Context, opts diagnose.ProbeOptions) diagnose.SearchResult {
	rec := &recorder{}
	ctx = withRecorder(ctx, rec)
	a, body := p.call(ctx, http.MethodPost, "/v1/search", []byte(`{"page_size":100}`), diagnose.EndpointSearch)
	res := diagnose.SearchResult{Answer: a}
	if a.Outcome == diagnose.OutcomeOK {
		var list struct {
			Results []struct {
				Object string `json:"object"`
			} `json:"results"`
			HasMore bool `json:"has_more"`
		}
		if json.Unmarshal(body, &list) != nil {
			res.Answer.Outcome, res.Answer.Why = diagnose.OutcomeUnavailable, "POST /v1/search answered 200 with JSON of no known shape"
		}
		for _, r := range list.Results {
			switch r.Object {
			case "page":
				res.Pages++
			case "data_source":
				res.DataSources++
			case "database":
				res.Databases++
			}
		}
		res.HasMore = list.HasMore
	}
	res.Evidence = rec.evidence()
	return res
}

var _ diagnose.Searcher = (*Prober)(nil)

// bytesReader is a request body for b, or nil for no body.
func bytesReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}
