package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/notion-check/notion-check/diagnose"
)

// call makes one request of the adapter's own (users, search) through the
// paced, recorded client and reports Notion's answer: observations only.
func (p *Prober) call(ctx context.Context, method, path string, body []byte, fam diagnose.Endpoint) (diagnose.Answer, []byte) {
	ctx, slot := withLast(ctx)
	a := diagnose.Answer{Family: fam, Version: p.cfg.Version}
	req, err := http.NewRequestWithContext(ctx, method, "https://api.notion.com"+path, bytesReader(body))
	if err != nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, "could not build the request"
		return a, nil
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	req.Header.Set("Notion-Version", p.cfg.Version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, fmt.Sprintf("%s %s got no answer", method, path)
		if errIsPace(err) {
			a.Outcome, a.Why = diagnose.OutcomeRateLimited, "the call could not be paced under Notion's rate limit before the deadline"
		}
		return a, nil
	}
	_ = resp.Body.Close()
	x := slot.x
	if x == nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, "no answer recorded"
		return a, nil
	}
	a.Status, a.Code, a.Message = x.status, x.code, x.ev.Message
	switch {
	case x.edge || !x.notionJSON:
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, fmt.Sprintf("%s %s answered %d with a non-JSON page", method, path, x.status)
	case x.status == http.StatusOK:
		a.Outcome = diagnose.OutcomeOK
	case x.status == http.StatusBadRequest:
		a.Outcome = diagnose.OutcomeBadRequest
	case x.status == http.StatusUnauthorized:
		a.Outcome = diagnose.OutcomeUnauthorized
	case x.status == http.StatusForbidden:
		a.Outcome = diagnose.OutcomeForbidden
	case x.status == http.StatusNotFound:
		a.Outcome = diagnose.OutcomeNotFound
	case x.status == http.StatusTooManyRequests || x.status == 529:
		a.Outcome, a.Why = diagnose.OutcomeRateLimited, fmt.Sprintf("%s %s answered %d %s", method, path, x.status, x.code)
	default:
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, fmt.Sprintf("%s %s answered %d %s", method, path, x.status, x.code)
	}
	return a, x.body
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

// errIsPace reports whether err says the pacer could not let the call out
// in time.
func errIsPace(err error) bool { return errors.Is(err, ErrPaceDeadline) }
