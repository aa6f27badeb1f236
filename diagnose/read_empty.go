package diagnose

import (
	"context"
	"fmt"
	"strings"
)

// This file covers the failure that is no error: a search, query or list
// that answers 200 with nothing in it (Notion's search and query reference). Notion
// answers so when nothing this token can see matched, which is most often a
// sharing problem, a filter value of another Notion-Version, or search's
// indexing lag; the answer says which, from what this integration's own
// search sees.

// emptyWords are how people say that a search or list found nothing.
var emptyWords = []string{
	"finds nothing", "find nothing", "found nothing", "returns nothing", "return nothing", "returned nothing",
	"returns no results", "return no results", "returned no results", "no results", "empty results", "empty result",
	"returns an empty", "returned an empty", "returns empty", "returned empty", "results is empty", "results are empty",
	"results: []", "results=[]", "results = []", "doesn't find", "does not find", "can't find any", "cannot find any",
	"returns 0 results", "0 results", "zero results", "comes back empty", "came back empty",
}

// readEmpty notes a pasted empty answer ("results": [] in a list) or a
// sentence saying search or a query finds nothing, with the object filter
// a search sent.
func readEmpty(t string, c *Call) {
	if c.Failed() {
		return
	}
	low := strings.ToLower(t)
	empty := false
	for off := 0; off < len(low); {
		i := strings.Index(low[off:], "results")
		if i < 0 {
			break
		}
		i += off
		off = i + 7
		j := off
		for j < len(low) && strings.IndexByte(" \t\"'\\:=", low[j]) >= 0 {
			j++
		}
		if j > off && j+1 < len(low) && low[j] == '[' {
			k := j + 1
			for k < len(low) && strings.IndexByte(" \t\r\n", low[k]) >= 0 {
				k++
			}
			if k < len(low) && low[k] == ']' {
				empty = true
				break
			}
		}
	}
	said := false
	if !empty {
		for _, w := range emptyWords {
			if strings.Contains(low, w) {
				said = true
				break
			}
		}
	}
	if !empty && !said {
		return
	}
	if empty && (strings.Contains(low, `"has_more":true`) || strings.Contains(low, `"has_more": true`) || strings.Contains(low, "has_more: true")) {
		return // one empty page of more: not an empty answer
	}
	what := ""
	switch {
	case c.Endpoint == "/v1/search" || strings.Contains(low, "search"):
		what = "search"
	case strings.HasSuffix(c.Endpoint, "/query") || strings.Contains(low, "query"):
		what = "query"
	case empty || strings.Contains(low, "list") || strings.Contains(low, "children"):
		what = "list"
	}
	if what == "" || said && what != "search" && what != "query" {
		return
	}
	c.Empty = what
	if what == "search" && c.Endpoint == "" {
		c.Method, c.Endpoint = "POST", "/v1/search"
	}
	// The object filter of a search: {"property":"object","value":"database"}.
	if i := strings.Index(t, "filter"); i >= 0 {
		if v, ok := keyValue(t[i:min(len(t), i+300)], "value"); ok {
			switch v {
			case "page", "database", "data_source":
				c.Filter = v
			}
		}
	}
	if c.NotionVersion == "" {
		readVersion(t, c)
	}
}

// withEmpty puts search.empty on the reference an empty answer concerns:
// the object queried or listed when the text names one, else the text's
// one reference without an ID, whose "no ID" it replaces (the text is
// about an empty answer, not about a missing ID).
func withEmpty(refs []Reference, c *Call) []Reference {
	if c == nil || c.Empty == "" || c.Failed() {
		return refs
	}
	f := emptyFinding(c, nil, "")
	k := -1
	if c.Empty != "search" {
		for i, r := range refs {
			if r.Probeable() {
				k = i
				break
			}
		}
	}
	if k < 0 {
		for i, r := range refs {
			if r.ID == "" && (HasCode(r.Findings, CodeIDMissing) || len(r.Findings) == 0) {
				k = i
				refs[i].Findings = nil
				refs[i].Origin = OriginError
				break
			}
		}
	}
	if k < 0 {
		if len(refs) > 0 && refs[0].ID != "" && c.Empty == "search" {
			// A search beside IDs: the first one is what was looked for.
			k = 0
		} else {
			return refs
		}
	}
	refs[k].Findings = append(refs[k].Findings, f)
	return refs
}

// SearchResult is what one integration's POST /v1/search with an empty
// query answered: counts only, never titles.
type SearchResult struct {
	// Answer is the search's answer (Outcome "" when it was not asked).
	Answer Answer
	// Pages, DataSources and Databases count the results by object.
	Pages, DataSources, Databases int
	// HasMore is true when more results exist than were read.
	HasMore bool
	// Evidence of the exchange.
	Evidence []Evidence
}

// Searcher is a Prober that can also tell what its integration's search
// sees.
type Searcher interface {
	Search(ctx context.Context, opts ProbeOptions) SearchResult
}

// emptyFinding says why a search or list may come back empty: with sr,
// from what this integration's own search sees (who names it).
func emptyFinding(c *Call, sr *SearchResult, who string) Finding {
	what := map[string]string{"search": "The search", "query": "The query", "list": "The list"}[c.Empty]
	detail := what + " answered 200 with no results: Notion says so when nothing this token can see matched; it is not an error."
	var fix []string
	modern := c.NotionVersion == "" || c.NotionVersion >= firstDataSourceVersion
	_ = modern
	switch {
	case c.Filter == "database" || c.Filter == "" && c.NotionVersion != "" && !modern && c.Empty == "search":
		// Only 2022-06-28 accepts "database": a search that answered with
		// it ran under that version.
		fix = append(fix, "The filter value \"database\" is Notion-Version 2022-06-28's, and under that version databases with several data sources are left out of search: send Notion-Version 2025-09-03 and filter with {\"property\":\"object\",\"value\":\"data_source\"} (2025-09-03 refuses \"database\").")
	case c.Filter == "data_source" && c.NotionVersion != "" && !modern:
		fix = append(fix, "The filter value \"data_source\" needs Notion-Version 2025-09-03 or later; under "+c.NotionVersion+" filter with \"database\".")
	}
	switch c.Empty {
	case "query":
		fix = append(fix, "A query answers only rows its filter matches: run it once without a filter; rows appear → the filter is the cause (a people filter with \"me\" never matches for an internal connection).")
	case "list":
		fix = append(fix, "A relation or child list comes back empty when the related database or the children are not shared with the connection: share them too.")
	}
	if sr != nil {
		switch {
		case sr.Answer.Outcome != OutcomeOK:
			detail += fmt.Sprintf(" Asking %s's own search here did not work (%s).", who, orSomething(sr.Answer.Why, fmt.Sprintf("%d %s", sr.Answer.Status, sr.Answer.Code)))
		case sr.Pages+sr.DataSources+sr.Databases == 0:
			detail += fmt.Sprintf(" %s's own search (POST /v1/search, no query) sees nothing at all: no page or database is shared with it.", who)
			fix = append([]string{fmt.Sprintf("Nothing is shared with %s: open the page that holds what you look for → ••• → Connections → add %s.", who, who)}, fix...)
		default:
			more := ""
			if sr.HasMore {
				more = " or more"
			}
			detail += fmt.Sprintf(" %s's own search (POST /v1/search, no query) sees %d page(s), %d data source(s) and %d database(s)%s: the token works and some content is shared with it; what you look for is not among it, or the call's query or filter excludes it.", who, sr.Pages, sr.DataSources, sr.Databases, more)
		}
	}
	if len(fix) == 0 {
		fix = append(fix, "Run the search with no query and no filter: what it returns is all this token can see.")
	}
	return NewFinding(CodeSearchEmpty, detail, Vars{"search_fix": strings.Join(fix, " "), "integration": orSomething(who, "your integration")})
}

// searchEmpty checks a pasted empty answer online: it asks the search of
// the integration the check runs as what it sees, and says so in the
// search.empty finding, with that integration's evidence.
func (d *Diagnoser) searchEmpty(ctx context.Context, call *Call, ps []Prober, ask []bool, infos []IntegrationInfo, opts ProbeOptions, rep *Report, done []bool) {
	if call == nil || call.Empty == "" || call.Failed() {
		return
	}
	k := -1
	for i, c := range rep.Checks {
		if HasCode(c.Findings, CodeSearchEmpty) {
			k = i
			break
		}
	}
	pi := -1
	for i := range ps {
		if ask[i] {
			pi = i
			break
		}
	}
	if k < 0 || pi < 0 {
		return
	}
	s, ok := ps[pi].(Searcher)
	if !ok {
		return
	}
	if _, usable := IntegrationFrom(infos[pi]); !usable {
		return
	}
	sr := s.Search(ctx, opts)
	who := asker{info: infos[pi], label: label(pi)}.name()
	c := &rep.Checks[k]
	for j, f := range c.Findings {
		if f.Code == CodeSearchEmpty {
			c.Findings[j] = emptyFinding(call, &sr, who)
		}
	}
	for _, e := range sr.Evidence {
		e.Integration = who
		c.Evidence = append(c.Evidence, e)
	}
	if sr.Answer.Outcome == OutcomeOK && c.ID == "" {
		done[k] = true
	}
}
