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

// readEmpty notes a pasted empty answer ("results": [] in a list) or a
// sentence saying search or a query finds nothing (wf, the one reading of
// the text's words), with the query text and object filter a search sent.
func readEmpty(t string, c *Call, wf wordFacts) {
	if c.Failed() {
		return
	}
	empty := emptyList(t)
	said := !empty && wf.saidEmpty
	if !empty && !said {
		return
	}
	if empty && (strings.Contains(t, `"has_more":true`) || strings.Contains(t, `"has_more": true`) || strings.Contains(t, "has_more: true") || strings.Contains(t, "has_more: True")) {
		return // one empty page of more: not an empty answer
	}
	what := ""
	switch {
	case c.Endpoint == "/v1/search" || wf.mentions&wSearch != 0:
		what = "search"
	case strings.HasSuffix(c.Endpoint, "/query") || wf.mentions&wQuery != 0:
		what = "query"
	case empty || wf.mentions&wList != 0:
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
	if what == "search" {
		c.SearchQuery = literalAfterKey(t, "query")
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
	refs[k].Findings = append(refs[k].Findings, emptyFinding(c, nil, "", refs[k].ID))
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
	// Query is the person's query text, when it was asked as well;
	// QueryAnswer is what that search answered and QueryFound how many
	// results it had (of any object).
	Query       string
	QueryAnswer Answer
	QueryFound  int
	// Evidence of the exchange.
	Evidence []Evidence
}

// Searcher is a Prober that can also tell what its integration's search
// sees.
type Searcher interface {
	Search(ctx context.Context, opts ProbeOptions) SearchResult
}

// emptyFinding says why a search or list may come back empty, from what
// the paste shows of it (the query text, the object filter, the
// Notion-Version, the data source or object id concerns) and, with sr,
// from what this integration's own search sees (who names it).
func emptyFinding(c *Call, sr *SearchResult, who, id string) Finding {
	detail := emptyWhat(c, id) + " answered 200 with no results: Notion says so when nothing this token can see matched; it is not an error."
	fix := filterFix(c)
	switch c.Empty {
	case "query":
		if c.Filter == "" && !strings.Contains(c.Message, "filter") {
			fix = append(fix, "A query answers only the rows its filter matches and the rows this token can see: run it once with no filter; rows appear → the filter is the cause (a people filter with \"me\" never matches for an internal connection).")
		}
		fix = append(fix, "A database with several data sources has rows in each: query the data source that holds them (GET /v1/databases/<database_id> with Notion-Version 2025-09-03 lists them).")
	case "list":
		fix = append(fix, "A relation or child list comes back empty when the related database or the children are not shared with the connection: share them too.")
	}
	if sr != nil {
		detail += searchSeen(c, sr, who)
		if sr.Answer.Outcome == OutcomeOK && sr.Pages+sr.DataSources+sr.Databases == 0 && sr.QueryFound == 0 {
			fix = append([]string{fmt.Sprintf("Nothing is shared with %s: open the page that holds what you look for → ••• → Connections → add %s.", who, who)}, fix...)
		}
	}
	if len(fix) == 0 {
		fix = append(fix, "Run the search with no query and no filter: what it returns is all this token can see.")
	}
	return NewFinding(CodeSearchEmpty, detail, Vars{"search_fix": strings.Join(fix, " "), "integration": orSomething(who, "your integration")})
}

// emptyWhat names the empty call as the paste shows it: "The search for
// \"Tasks\" with the object filter \"database\" under Notion-Version
// 2022-06-28".
func emptyWhat(c *Call, id string) string {
	var b strings.Builder
	switch c.Empty {
	case "search":
		b.WriteString("The search")
		if c.SearchQuery != "" {
			fmt.Fprintf(&b, " for %q", truncateUTF8(c.SearchQuery, 80))
		}
		if c.Filter != "" {
			fmt.Fprintf(&b, " with the object filter %q", c.Filter)
		}
	case "query":
		b.WriteString("The query")
		if id != "" {
			if strings.HasPrefix(c.Endpoint, "/v1/databases/") {
				fmt.Fprintf(&b, " of database %s", id)
			} else {
				fmt.Fprintf(&b, " of data source %s", id)
			}
		}
	default:
		b.WriteString("The list")
		if id != "" {
			fmt.Fprintf(&b, " of %s", id)
		}
	}
	if c.NotionVersion != "" {
		fmt.Fprintf(&b, " under Notion-Version %s", c.NotionVersion)
	}
	return b.String()
}

// filterFix is what the search's object filter value means under the
// call's Notion-Version (facts: "database" until 2022-06-28, "data_source"
// from 2025-09-03 on, and the other refused with 400).
func filterFix(c *Call) []string {
	if c.Empty != "search" {
		return nil
	}
	known := c.NotionVersion != ""
	modern := !known || !versionBefore(c.NotionVersion, firstDataSourceVersion)
	switch {
	case c.Filter == "database" && known && modern:
		return []string{fmt.Sprintf("Under Notion-Version %s Notion refuses the filter value \"database\" with 400, so an empty 200 means the call did not go with that version: the client sent its own (jomei/notionapi and older SDKs send 2022-06-28, which leaves databases with several data sources out of search). Send Notion-Version 2025-09-03 and filter with {\"property\":\"object\",\"value\":\"data_source\"}.", c.NotionVersion)}
	case c.Filter == "database":
		return []string{"The filter value \"database\" is Notion-Version 2022-06-28's, and under that version databases with several data sources are left out of search: send Notion-Version 2025-09-03 and filter with {\"property\":\"object\",\"value\":\"data_source\"} (2025-09-03 refuses \"database\")."}
	case c.Filter == "data_source" && !modern:
		return []string{"The filter value \"data_source\" needs Notion-Version 2025-09-03 or later; under " + c.NotionVersion + " filter with \"database\"."}
	case c.Filter == "data_source":
		return []string{"With the filter value \"data_source\" each result is one data source, and the query matches the database's title, not the data source's name: search for the database's title."}
	case c.Filter == "page":
		return []string{"The filter value \"page\" leaves databases and data sources out: to find a database, filter with \"data_source\" (Notion-Version 2025-09-03 and later) or \"database\" (2022-06-28)."}
	case known && !modern:
		return []string{fmt.Sprintf("Under Notion-Version %s databases with several data sources are left out of search: send Notion-Version 2025-09-03 to see them as data sources.", c.NotionVersion)}
	}
	return nil
}

// searchSeen says what this integration's own search saw: the pasted
// query asked again, and the search with no query.
func searchSeen(c *Call, sr *SearchResult, who string) string {
	var b strings.Builder
	if sr.Query != "" {
		switch {
		case sr.QueryAnswer.Outcome != OutcomeOK:
			fmt.Fprintf(&b, " Asking %s's own search for %q here did not work (%s).", who, truncateUTF8(sr.Query, 80), orSomething(sr.QueryAnswer.Why, fmt.Sprintf("%d %s", sr.QueryAnswer.Status, sr.QueryAnswer.Code)))
		case sr.QueryFound > 0:
			fmt.Fprintf(&b, " %s's own search for %q (no filter) finds %d result(s) here now: the token works and what you look for is shared with it; the pasted call differs — its filter value, its Notion-Version, its token (another integration), or it ran before search had indexed the page.", who, truncateUTF8(sr.Query, 80), sr.QueryFound)
		default:
			fmt.Fprintf(&b, " %s's own search for %q (no filter) finds nothing here either: nothing shared with it has that in its title.", who, truncateUTF8(sr.Query, 80))
		}
	}
	switch {
	case sr.Answer.Outcome == "":
	case sr.Answer.Outcome != OutcomeOK:
		fmt.Fprintf(&b, " Asking %s's own search here did not work (%s).", who, orSomething(sr.Answer.Why, fmt.Sprintf("%d %s", sr.Answer.Status, sr.Answer.Code)))
	case sr.Pages+sr.DataSources+sr.Databases == 0:
		fmt.Fprintf(&b, " %s's own search (POST /v1/search, no query) sees nothing at all: no page or database is shared with it.", who)
	default:
		more := ""
		if sr.HasMore {
			more = " or more"
		}
		fmt.Fprintf(&b, " %s's own search (POST /v1/search, no query) sees %d page(s), %d data source(s) and %d database(s)%s: the token works and some content is shared with it; what you look for is not among it, or the call's query or filter excludes it.", who, sr.Pages, sr.DataSources, sr.Databases, more)
	}
	return b.String()
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
	opts.SearchQuery = call.SearchQuery
	sr := s.Search(ctx, opts)
	who := asker{info: infos[pi], label: label(pi)}.name()
	c := &rep.Checks[k]
	for j, f := range c.Findings {
		if f.Code == CodeSearchEmpty {
			c.Findings[j] = emptyFinding(call, &sr, who, c.ID)
		}
	}
	for _, e := range sr.Evidence {
		e.Integration = who
		c.Evidence = append(c.Evidence, e)
	}
	if (sr.Answer.Outcome == OutcomeOK || sr.QueryAnswer.Outcome == OutcomeOK) && c.ID == "" {
		done[k] = true
	}
}

// literalAfterKey returns the quoted string after key (`"query": "Tasks"`,
// `query: 'Tasks'`, `query="Tasks"`), or "" when key has no literal
// string value. It reads forward once from each occurrence of key.
func literalAfterKey(t, key string) string {
	for off := 0; off < len(t); {
		i := strings.Index(t[off:], key)
		if i < 0 {
			return ""
		}
		i += off
		off = i + len(key)
		if i > 0 && (isWordByte(t[i-1]) || t[i-1] == '_' || t[i-1] == '.' || t[i-1] == '/') {
			continue
		}
		j := off
		for j < len(t) && (t[j] == '"' || t[j] == '\'' || t[j] == '\\') {
			j++
		}
		for j < len(t) && t[j] == ' ' {
			j++
		}
		if j >= len(t) || t[j] != ':' && t[j] != '=' {
			continue
		}
		j++
		for j < len(t) && (t[j] == ' ' || t[j] == '\\') {
			j++
		}
		if j >= len(t) || t[j] != '"' && t[j] != '\'' && t[j] != '`' {
			continue
		}
		q := t[j]
		e := strings.IndexByte(t[j+1:min(len(t), j+1+200)], q)
		if e < 0 {
			continue
		}
		v := strings.TrimSuffix(t[j+1:j+1+e], "\\")
		if strings.ContainsAny(v, "\n{}") {
			continue
		}
		return v
	}
	return ""
}

// emptyList reports whether t shows an empty list of results: "results":
// [], results=[], results is [], results are now [ ] (a few words at most
// between the key and the empty list).
func emptyList(t string) bool {
	for off := 0; off < len(t); {
		i := strings.Index(t[off:], "results")
		if i < 0 {
			return false
		}
		off = i + off + len("results")
		j := off
		for j < len(t) && j < off+16 && t[j] != '[' && t[j] != '\n' && strings.IndexByte(",{}()", t[j]) < 0 {
			j++
		}
		if j > off && j+1 < len(t) && t[j] == '[' {
			k := j + 1
			for k < len(t) && strings.IndexByte(" \t\r\n", t[k]) >= 0 {
				k++
			}
			if k < len(t) && t[k] == ']' {
				return true
			}
		}
	}
	return false
}
