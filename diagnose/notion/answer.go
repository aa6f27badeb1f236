package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/notion-check/notion-check/diagnose"
)

// send makes one request through the paced, recorded client and fills a
// (whose Family, ID and Version the caller set) with what Notion answered:
// the one place where an answer becomes an Outcome, for the probes' GETs,
// users, search and users/me alike. It returns the answer's body (nil when
// there was no answer) and sent, false only when a speculative call was
// dropped for want of spare budget (nothing went out; a is then not an
// answer).
func (p *Prober) send(ctx context.Context, method, path string, body []byte, a diagnose.Answer) (_ diagnose.Answer, _ []byte, sent bool) {
	ctx, slot := withLast(ctx)
	what := requestName(method, a.Family, path)
	req, err := http.NewRequestWithContext(ctx, method, "https://api.notion.com"+path, bytesReader(body))
	if err != nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, "could not build the request"
		return a, nil, true
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	req.Header.Set("Notion-Version", a.Version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrNoSpareBudget) {
			return a, nil, false
		}
		a.Outcome, a.Why = unanswered(err, what)
		return a, nil, true
	}
	_ = resp.Body.Close()
	return classify(a, slot.x, what), bodyOf(slot.x), true
}

// requestName names a request in a Why without the ID it carries
// ("GET /v1/blocks/…"): IDs are in the answer's own fields.
func requestName(method string, fam diagnose.Endpoint, path string) string {
	switch fam {
	case diagnose.EndpointUsers, diagnose.EndpointSearch, "":
		return method + " " + path
	}
	return fmt.Sprintf("%s /v1/%s/…", method, fam)
}

// unanswered is the outcome of a request that got no answer: the pacer
// could not let it out in time (rate-limited), or the transport failed.
func unanswered(err error, what string) (diagnose.Outcome, string) {
	switch {
	case errors.Is(err, ErrPaceDeadline):
		return diagnose.OutcomeRateLimited, "the call could not be paced under Notion's rate limit before the deadline"
	case errors.Is(err, context.DeadlineExceeded):
		return diagnose.OutcomeUnavailable, what + " got no answer in time"
	}
	return diagnose.OutcomeUnavailable, what + " got no answer from Notion"
}

// classify reads the answer the transport recorded (x, nil when none was):
// an edge or non-JSON page is never Notion's own answer, a 404 is Notion's
// "not found" only with code object_not_found, a 400 keeps the
// machine-readable additional_data, and a 429 or 529 reaching here is one
// whose Retry-After did not fit before the deadline. A 200's object is
// decoded by the caller, which knows what it asked for.
func classify(a diagnose.Answer, x *exchange, what string) diagnose.Answer {
	if x == nil {
		a.Outcome, a.Why = diagnose.OutcomeUnavailable, what+" got no answer recorded"
		return a
	}
	a.Status, a.Code, a.Message = x.status, x.code, x.ev.Message
	switch {
	case x.edge || !x.notionJSON:
		a.Outcome = diagnose.OutcomeUnavailable
		a.Why = fmt.Sprintf("%s answered %d with a non-JSON page from Notion's edge (not Notion's own answer)", what, x.status)
	case x.status == http.StatusOK:
		a.Outcome = diagnose.OutcomeOK
	case x.status == http.StatusNotFound && x.code == "object_not_found":
		a.Outcome = diagnose.OutcomeNotFound
	case x.status == http.StatusBadRequest:
		a.Outcome = diagnose.OutcomeBadRequest
		var e struct {
			AdditionalData struct {
				ChildDataSourceIDs []string `json:"child_data_source_ids"`
				ErrorType          string   `json:"error_type"`
			} `json:"additional_data"`
		}
		if json.Unmarshal(x.body, &e) == nil {
			a.ChildDataSourceIDs = e.AdditionalData.ChildDataSourceIDs
			a.ErrorType = e.AdditionalData.ErrorType
		}
	case x.status == http.StatusUnauthorized:
		a.Outcome = diagnose.OutcomeUnauthorized
	case x.status == http.StatusForbidden:
		a.Outcome = diagnose.OutcomeForbidden
	case x.status == http.StatusTooManyRequests || x.status == 529:
		a.Outcome = diagnose.OutcomeRateLimited
		a.Why = fmt.Sprintf("%s answered %d %s and the Retry-After wait did not fit before the deadline", what, x.status, x.code)
	default:
		a.Outcome = diagnose.OutcomeUnavailable
		a.Why = fmt.Sprintf("%s answered %d %s", what, x.status, x.code)
	}
	return a
}

// bodyOf is the body of a recorded answer (nil when none was recorded).
func bodyOf(x *exchange) []byte {
	if x == nil {
		return nil
	}
	return x.body
}
