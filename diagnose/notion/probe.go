package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/notion-check/notion-check/diagnose"
)

// maxCalls bounds the API calls of one verdict (users/me excluded).
const maxCalls = 4

// outcome classifies one answer.
type outcome int

const (
	oOK           outcome = iota // 200 with Notion's JSON
	oNotFound                    // 404 object_not_found, Notion's JSON
	oBadRequest                  // 400, Notion's JSON
	oUnauthorized                // 401, Notion's JSON
	oForbidden                   // 403, Notion's JSON
	oRateLimited                 // 429/529 not retried in time, or pacing past the deadline
	oUnavailable                 // 5xx, edge/HTML, timeouts, refused connections, anything else
)

// reply is one answer, reduced to what a verdict needs.
type reply struct {
	fam     string
	out     outcome
	status  int
	code    string
	message string
	body    []byte
	why     string // for oUnavailable / oRateLimited
}

// get makes one plain GET /v1/{fam}/{id} through the shared client.
func (s *probeState) get(ctx context.Context, fam, id string) reply {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	p := s.p
	ctx, slot := withLast(ctx)
	r := reply{fam: fam}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.notion.com/v1/"+fam+"/"+id, nil)
	if err != nil {
		r.out, r.why = oUnavailable, "could not build the request"
		return r
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	version := p.cfg.Version
	if (fam == "data_sources" || fam == "views") && !p.modern {
		// The data source and view APIs exist from 2025-09-03 on; asking under
		// that version tells a data source or view ID apart even for a client
		// pinned to an older version.
		version = firstDataSourceVersion
	}
	req.Header.Set("Notion-Version", version)
	resp, err := p.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, errLimiterDeadline):
			r.out, r.why = oRateLimited, "the calls could not be paced under Notion's rate limit before the deadline"
		case errors.Is(err, context.DeadlineExceeded):
			r.out, r.why = oUnavailable, fmt.Sprintf("GET /v1/%s/… got no answer in time", fam)
		default:
			r.out, r.why = oUnavailable, fmt.Sprintf("GET /v1/%s/… failed: no answer from Notion", fam)
		}
		return r
	}
	_ = resp.Body.Close()
	x := slot.x
	if x == nil {
		r.out, r.why = oUnavailable, "no answer recorded"
		return r
	}
	r.status, r.code, r.message, r.body = x.status, x.code, x.ev.Message, x.body
	switch {
	case x.edge || !x.notionJSON:
		r.out = oUnavailable
		r.why = fmt.Sprintf("GET /v1/%s/… answered %d with a non-JSON page from Notion's edge (not Notion's own answer)", fam, x.status)
	case x.status == http.StatusOK:
		r.out = oOK
	case x.status == http.StatusNotFound && x.code == "object_not_found":
		r.out = oNotFound
	case x.status == http.StatusBadRequest:
		r.out = oBadRequest
	case x.status == http.StatusUnauthorized:
		r.out = oUnauthorized
	case x.status == http.StatusForbidden:
		r.out = oForbidden
	case x.status == http.StatusTooManyRequests || x.status == 529:
		r.out = oRateLimited
		r.why = fmt.Sprintf("GET /v1/%s/… answered %d %s and the Retry-After wait did not fit before the deadline", fam, x.status, x.code)
	default:
		r.out = oUnavailable
		r.why = fmt.Sprintf("GET /v1/%s/… answered %d %s", fam, x.status, x.code)
	}
	return r
}

// probeState is one verdict in the making.
type probeState struct {
	p     *Prober
	ref   diagnose.Reference
	id    string
	me    chan *meEntry
	mu    sync.Mutex
	calls int
	res   diagnose.ProbeResult
}

// round runs the GETs of one round concurrently.
func (s *probeState) round(ctx context.Context, fams ...string) map[string]reply {
	out := make(map[string]reply, len(fams))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, f := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.get(ctx, f, s.id)
			mu.Lock()
			out[f] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (p *Prober) probe(ctx context.Context, ref diagnose.Reference) diagnose.ProbeResult {
	rec := &recorder{}
	ctx = withRecorder(ctx, rec)
	s := &probeState{p: p, ref: ref, id: ref.ID, me: make(chan *meEntry, 1)}
	s.res.Kind = diagnose.KindUnknown
	// users/me runs with the first round (it is cached); only a
	// not-shared verdict waits for it.
	go func() { s.me <- p.integration(ctx, false) }()

	hintDB := ref.Hint == diagnose.KindDatabase || ref.Endpoint == diagnose.EndpointDatabases
	hintView := ref.Hint == diagnose.KindView || ref.Endpoint == diagnose.EndpointViews
	var fams []string
	switch {
	case hintView:
		fams = []string{"blocks", "views"}
	case hintDB:
		fams = []string{"blocks", "databases"}
	default:
		fams = []string{"blocks", "data_sources"}
	}
	s.decide(ctx, s.round(ctx, fams...), hintDB)
	// The one true cause first: errors, then warnings, then information.
	slices.SortStableFunc(s.res.Findings, func(a, b diagnose.Finding) int {
		return severityRank(a.Severity) - severityRank(b.Severity)
	})
	s.res.Evidence = rec.evidence()
	return s.res
}

func severityRank(s diagnose.Severity) int {
	switch s {
	case diagnose.SeverityError:
		return 0
	case diagnose.SeverityWarning:
		return 1
	}
	return 2
}

// decide turns the first round's answers into the verdict, making the
// further calls it needs.
func (s *probeState) decide(ctx context.Context, r1 map[string]reply, hintDB bool) {
	if s.failAuth(r1) {
		return
	}
	if b, ok := r1["blocks"]; ok && b.out == oOK {
		var blk blockJSON
		if err := json.Unmarshal(b.body, &blk); err == nil && blk.Object == "block" {
			switch blk.Type {
			case "child_page":
				s.page(blk)
			case "child_database":
				db, ok := r1["databases"]
				if !ok {
					db = s.get(ctx, "databases", s.id)
				}
				s.database(ctx, &blk, db)
			default:
				s.block(ctx, blk)
			}
			return
		}
	}
	if ds, ok := r1["data_sources"]; ok && ds.out == oOK {
		s.dataSource(ds)
		return
	}
	if v, ok := r1["views"]; ok && v.out == oOK {
		s.view(v)
		return
	}
	if db, ok := r1["databases"]; ok && db.out == oOK {
		s.database(ctx, nil, db)
		return
	}
	if s.failTransient(r1) {
		return
	}
	if allOut(r1, oForbidden) {
		s.capability(r1)
		return
	}
	if allOut(r1, oNotFound) {
		if _, asked := r1["data_sources"]; hintDB && !asked {
			// A data source ID on the database endpoints is a top cause.
			ds := s.get(ctx, "data_sources", s.id)
			r1["data_sources"] = ds
			switch {
			case s.failAuth(r1):
			case ds.out == oOK:
				s.dataSource(ds)
			case ds.out == oNotFound:
				s.notShared(ctx, r1)
			case !s.failTransient(r1):
				s.unexpected(r1)
			}
			return
		}
		s.notShared(ctx, r1)
		return
	}
	s.unexpected(r1)
}

func allOut(rs map[string]reply, o outcome) bool {
	for _, r := range rs {
		if r.out != o {
			return false
		}
	}
	return len(rs) > 0
}

// failAuth handles a 401 anywhere: token.invalid about the integration.
func (s *probeState) failAuth(rs map[string]reply) bool {
	for _, f := range famOrder(rs) {
		if r := rs[f]; r.out == oUnauthorized {
			s.res.Done = false
			s.res.IntegrationFindings = append(s.res.IntegrationFindings, diagnose.NewFinding(diagnose.CodeTokenInvalid,
				fmt.Sprintf("Notion answered 401 unauthorized to GET /v1/%s/%s: the token is invalid, revoked or expired, so nothing could be checked.", f, s.id), nil))
			return true
		}
	}
	return false
}

// failTransient handles rate limits and unavailability (never a verdict).
func (s *probeState) failTransient(rs map[string]reply) bool {
	for _, f := range famOrder(rs) {
		if r := rs[f]; r.out == oRateLimited {
			s.res.Done = false
			s.res.Findings = append(s.res.Findings, diagnose.NewFinding(diagnose.CodeNotionRateLimited,
				"Notion rate-limited the checks: "+r.why+". Kind and access of "+s.id+" could not be told.", nil))
			return true
		}
	}
	for _, f := range famOrder(rs) {
		if r := rs[f]; r.out == oUnavailable {
			s.res.Done = false
			s.res.Findings = append(s.res.Findings, diagnose.NewFinding(diagnose.CodeNotionUnavailable,
				"Notion did not answer properly: "+r.why+". Kind and access of "+s.id+" could not be told.", nil))
			return true
		}
	}
	return false
}

// unexpected covers answers that fit no known pattern: no verdict is made
// from them.
func (s *probeState) unexpected(rs map[string]reply) {
	if s.failTransient(rs) {
		return
	}
	var parts []string
	for _, f := range famOrder(rs) {
		r := rs[f]
		parts = append(parts, fmt.Sprintf("GET /v1/%s/… → %d %s %q", f, r.status, r.code, r.message))
	}
	s.res.Done = false
	s.res.Findings = append(s.res.Findings, diagnose.NewFinding(diagnose.CodeNotionUnavailable,
		"Notion's answers do not tell what "+s.id+" is: "+strings.Join(parts, "; ")+".", nil))
}

func famOrder(rs map[string]reply) []string {
	var out []string
	for _, f := range []string{"blocks", "pages", "databases", "data_sources", "views"} {
		if _, ok := rs[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

func (s *probeState) capability(rs map[string]reply) {
	s.res.Done = false
	var paths []string
	for _, f := range famOrder(rs) {
		paths = append(paths, "GET /v1/"+f+"/"+s.id)
	}
	s.res.IntegrationFindings = append(s.res.IntegrationFindings, diagnose.NewFinding(diagnose.CodeAccessCapability,
		fmt.Sprintf("Notion answered 403 %s to every read (%s): the integration lacks the Read content capability.", rs[famOrder(rs)[0]].code, strings.Join(paths, ", ")), nil))
}

func (s *probeState) notShared(ctx context.Context, rs map[string]reply) {
	var paths []string
	for _, f := range famOrder(rs) {
		paths = append(paths, "/v1/"+f+"/"+s.id)
	}
	var me *meEntry
	select {
	case me = <-s.me:
	case <-ctx.Done():
	}
	vars := diagnose.Vars{}
	who := "the integration"
	name, workspace := "", ""
	if me != nil {
		name, workspace = me.info.Name, me.info.Workspace
	}
	if name == "" {
		// users/me could not tell; Notion's 404 message names it too.
		for _, f := range famOrder(rs) {
			if n := integrationIn(rs[f].message); n != "" {
				name = n
				break
			}
		}
	}
	if name != "" {
		vars["integration"] = name
		who = fmt.Sprintf("the integration %q", name)
		if workspace != "" {
			vars["workspace"] = workspace
			who += fmt.Sprintf(" (workspace %q)", workspace)
		}
	} else {
		vars["integration"] = "your integration"
	}
	s.res.Done = true
	s.res.Findings = append(s.res.Findings, diagnose.NewFinding(diagnose.CodeAccessNotShared,
		fmt.Sprintf("Notion answered 404 object_not_found on every endpoint tried (%s): with this token %s does not exist. It is not shared with %s, or it sits in a private teamspace, belongs to another workspace, or was deleted.",
			strings.Join(paths, ", "), s.id, who), vars))
}

// integrationIn returns the integration name quoted at the end of a 404
// object_not_found message ("… shared with your integration \"Name\"."), or "".
func integrationIn(msg string) string {
	const marker = "shared with your integration "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	rest := strings.TrimSuffix(msg[i+len(marker):], ".")
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return ""
	}
	return rest[1 : len(rest)-1]
}

// JSON shapes decoded from plain GETs: only the fields a verdict needs.
type parentJSON struct {
	Type         string `json:"type"`
	PageID       string `json:"page_id"`
	BlockID      string `json:"block_id"`
	DatabaseID   string `json:"database_id"`
	DataSourceID string `json:"data_source_id"`
}

type richText []struct {
	PlainText string `json:"plain_text"`
}

func (r richText) String() string {
	var b strings.Builder
	for _, t := range r {
		b.WriteString(t.PlainText)
	}
	return b.String()
}

type blockJSON struct {
	Object    string     `json:"object"`
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	InTrash   bool       `json:"in_trash"`
	Archived  bool       `json:"archived"`
	Parent    parentJSON `json:"parent"`
	ChildPage struct {
		Title string `json:"title"`
	} `json:"child_page"`
	ChildDatabase struct {
		Title string `json:"title"`
	} `json:"child_database"`
}

type databaseJSON struct {
	Object      string   `json:"object"`
	Title       richText `json:"title"`
	InTrash     bool     `json:"in_trash"`
	Archived    bool     `json:"archived"`
	DataSources *[]struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"data_sources"`
}

type dataSourceJSON struct {
	Object   string     `json:"object"`
	Title    richText   `json:"title"`
	InTrash  bool       `json:"in_trash"`
	Archived bool       `json:"archived"`
	Parent   parentJSON `json:"parent"`
}

type viewJSON struct {
	Object       string     `json:"object"`
	Name         string     `json:"name"`
	Parent       parentJSON `json:"parent"`
	DataSourceID string     `json:"data_source_id"`
}

type errorJSON struct {
	Message        string `json:"message"`
	AdditionalData struct {
		ChildDataSourceIDs []string `json:"child_data_source_ids"`
	} `json:"additional_data"`
}

func (s *probeState) add(f diagnose.Finding) { s.res.Findings = append(s.res.Findings, f) }

func (s *probeState) related(role diagnose.Kind, id string) {
	if id == "" {
		return
	}
	for _, r := range s.res.Related {
		if r.Role == role && r.ID == id {
			return
		}
	}
	s.res.Related = append(s.res.Related, diagnose.Related{Role: role, ID: id})
}

func (s *probeState) trash(kind string) {
	s.add(diagnose.NewFinding(diagnose.CodeObjectInTrash,
		fmt.Sprintf("Notion says this %s (%s) is in the trash (in_trash/archived).", kind, s.id), nil))
}

// mismatch adds endpoint.mismatch when the endpoint the person used does
// not fit kind, and reports whether it did.
func (s *probeState) mismatch(kind diagnose.Kind, right, next string) bool {
	used := s.ref.Endpoint
	if used == diagnose.EndpointNone || fitsEndpoint(kind, used) {
		return false
	}
	usedPath := "/v1/" + string(used) + "/" + s.id
	s.add(diagnose.NewFinding(diagnose.CodeEndpointMismatch,
		fmt.Sprintf("%s is a %s, but it was used with %s; Notion serves it at %s.", s.id, kindWord(kind), usedPath, right),
		diagnose.Vars{"kind": kindWord(kind), "endpoint": right, "used": usedPath, "next": next}))
	return true
}

// fitsEndpoint reports whether an endpoint family serves an object of kind.
func fitsEndpoint(kind diagnose.Kind, e diagnose.Endpoint) bool {
	switch e {
	case diagnose.EndpointPages:
		return kind == diagnose.KindPage
	case diagnose.EndpointDatabases:
		return kind == diagnose.KindDatabase
	case diagnose.EndpointDataSources:
		return kind == diagnose.KindDataSource
	case diagnose.EndpointBlocks:
		return kind == diagnose.KindPage || kind == diagnose.KindDatabase || kind == diagnose.KindBlock
	case diagnose.EndpointViews:
		return kind == diagnose.KindView
	case diagnose.EndpointComments:
		return kind == diagnose.KindPage || kind == diagnose.KindBlock
	}
	// users, search: take no content ID in their path.
	return true
}

func kindWord(k diagnose.Kind) string {
	if k == diagnose.KindDataSource {
		return "data source"
	}
	return string(k)
}

func (s *probeState) ok(kind diagnose.Kind, endpoint, next string) {
	s.add(diagnose.NewFinding(diagnose.CodeAccessOK,
		fmt.Sprintf("The integration can read %s: it is a %s; use %s. %s", s.id, kindWord(kind), endpoint, next),
		diagnose.Vars{"endpoint": endpoint, "kind": kindWord(kind), "next": next}))
}

func (s *probeState) page(b blockJSON) {
	s.res.Kind, s.res.Title, s.res.Done = diagnose.KindPage, b.ChildPage.Title, true
	right := "/v1/pages/" + s.id
	next := "Read its content with GET /v1/blocks/" + s.id + "/children."
	mis := s.mismatch(diagnose.KindPage, right, "If you meant a database on this page, open that database in Notion and copy its own link.")
	if b.InTrash || b.Archived {
		s.trash("page")
	}
	if !mis {
		s.ok(diagnose.KindPage, right, next)
	}
}

func (s *probeState) database(ctx context.Context, b *blockJSON, db reply) {
	s.res.Kind, s.res.Done = diagnose.KindDatabase, true
	trashed := false
	if b != nil {
		s.res.Title = b.ChildDatabase.Title
		trashed = b.InTrash || b.Archived
	}
	var dsIDs []string
	var dsDesc []string
	linked := false
	switch db.out {
	case oOK:
		var d databaseJSON
		if err := json.Unmarshal(db.body, &d); err == nil {
			if t := d.Title.String(); t != "" && s.res.Title == "" {
				s.res.Title = t
			}
			trashed = trashed || d.InTrash || d.Archived
			if d.DataSources != nil {
				for _, src := range *d.DataSources {
					// IDs only: the data sources' names are titles the
					// person did not link.
					dsIDs = append(dsIDs, src.ID)
					dsDesc = append(dsDesc, src.ID)
				}
				if len(dsIDs) == 0 {
					linked = true
					s.add(diagnose.NewFinding(diagnose.CodeDatabaseLinked,
						fmt.Sprintf("GET /v1/databases/%s lists no data source the integration can reach: it is a linked database (a view of another database), or its source database is not shared with the integration.", s.id), nil))
				}
			}
		}
	case oBadRequest:
		var e errorJSON
		_ = json.Unmarshal(db.body, &e)
		msg := e.Message
		switch {
		case strings.Contains(msg, "is a linked database"), strings.Contains(msg, "does not contain any data sources accessible"):
			linked = true
			s.add(diagnose.NewFinding(diagnose.CodeDatabaseLinked,
				fmt.Sprintf("Notion answered GET /v1/databases/%s with 400 %s: %q", s.id, db.code, db.message), nil))
		case strings.Contains(msg, "multiple data sources"):
			dsIDs = e.AdditionalData.ChildDataSourceIDs
			dsDesc = append(dsDesc, dsIDs...)
			if len(dsIDs) < 2 {
				// Notion says several even when it lists none.
				s.add(diagnose.NewFinding(diagnose.CodeDatabaseMultipleSources,
					fmt.Sprintf("Notion answered GET /v1/databases/%s with 400 %s: %q (Notion-Version %s).", s.id, db.code, db.message, s.p.cfg.Version), nil))
			}
		default:
			s.unexpected(map[string]reply{"databases": db})
			return
		}
	case oNotFound:
		linked = true
		s.add(diagnose.NewFinding(diagnose.CodeDatabaseLinked,
			fmt.Sprintf("The database block %s is visible, but GET /v1/databases/%s answered 404: it is a linked database, or its source database is not shared with the integration.", s.id, s.id), nil))
	default:
		if !s.failAuth(map[string]reply{"databases": db}) && !s.failTransient(map[string]reply{"databases": db}) {
			s.unexpected(map[string]reply{"databases": db})
		}
		s.res.Done = false
		return
	}
	for _, id := range dsIDs {
		s.related(diagnose.KindDataSource, id)
	}
	if len(dsIDs) > 0 {
		s.add(diagnose.NewFinding(diagnose.CodeDatabaseDataSources,
			fmt.Sprintf("Database %s has %d data source(s): %s.", s.id, len(dsIDs), strings.Join(dsDesc, ", ")),
			diagnose.Vars{"data_source": dsIDs[0]}))
	}
	if len(dsIDs) > 1 {
		s.add(diagnose.NewFinding(diagnose.CodeDatabaseMultipleSources,
			fmt.Sprintf("Database %s has %d data sources (%s): clients on Notion-Version 2022-06-28 fail on it.", s.id, len(dsIDs), strings.Join(dsIDs, ", ")), nil))
	}
	right := "/v1/databases/" + s.id
	next := "Query it with POST /v1/databases/" + s.id + "/query."
	if s.p.modern && len(dsIDs) > 0 {
		next = "Query its data source with POST /v1/data_sources/" + dsIDs[0] + "/query."
	}
	var mis bool
	if s.ref.Endpoint == diagnose.EndpointDataSources && len(dsIDs) > 0 {
		mis = s.mismatch(diagnose.KindDatabase, "/v1/data_sources/"+dsIDs[0],
			"This database's data source IDs are: "+strings.Join(dsIDs, ", ")+"; the database ID itself goes with /v1/databases/"+s.id+".")
	} else {
		mis = s.mismatch(diagnose.KindDatabase, right, "If you meant a page in this database, open the page itself and copy its link.")
	}
	if trashed {
		s.trash("database")
	}
	// Under 2022-06-28 a database with several data sources cannot be read
	// at all: the multiple_sources warning is the verdict, not access.ok.
	unreadable := !s.p.modern && len(dsIDs) > 1
	if !mis && !linked && !unreadable {
		s.ok(diagnose.KindDatabase, right, next)
	}
}

func (s *probeState) block(ctx context.Context, b blockJSON) {
	s.res.Kind, s.res.Done = diagnose.KindBlock, true
	page := ""
	cur := b
	for hops := 0; ; hops++ {
		if cur.Parent.Type == "page_id" {
			page = cur.Parent.PageID
			break
		}
		if cur.Parent.Type != "block_id" || cur.Parent.BlockID == "" || hops >= 2 || s.calls >= maxCalls || !diagnose.IsID(cur.Parent.BlockID) {
			break
		}
		r := s.get(ctx, "blocks", cur.Parent.BlockID)
		if r.out != oOK {
			break
		}
		var up blockJSON
		if json.Unmarshal(r.body, &up) != nil {
			break
		}
		if up.Type == "child_page" {
			page = cur.Parent.BlockID
			break
		}
		cur = up
	}
	detail := fmt.Sprintf("%s is a %q block, not a page.", s.id, b.Type)
	vars := diagnose.Vars{"id": s.id}
	if page != "" {
		detail += " It sits on page " + page + "."
		vars["page"] = page
		s.related(diagnose.KindPage, page)
	} else if b.Parent.Type == "block_id" {
		detail += " It sits inside block " + b.Parent.BlockID + "; its page could not be told without more calls."
		s.related(diagnose.KindBlock, b.Parent.BlockID)
	}
	s.add(diagnose.NewFinding(diagnose.CodeKindBlock, detail, vars))
	right := "/v1/blocks/" + s.id
	next := "Its page is " + page + ": use /v1/pages/" + page + " for the page."
	if page == "" {
		next = "Read its children with GET /v1/blocks/" + s.id + "/children."
	}
	mis := s.mismatch(diagnose.KindBlock, right, next)
	if b.InTrash || b.Archived {
		s.trash("block")
	}
	if !mis {
		s.ok(diagnose.KindBlock, right, next)
	}
}

func (s *probeState) dataSource(r reply) {
	s.res.Kind, s.res.Done = diagnose.KindDataSource, true
	var d dataSourceJSON
	_ = json.Unmarshal(r.body, &d)
	s.res.Title = d.Title.String()
	db := d.Parent.DatabaseID
	if db == "" && d.Parent.Type == "data_source_id" {
		db = d.Parent.DataSourceID
	}
	detail := s.id + " is a data source (Notion-Version 2025-09-03 and later)."
	vars := diagnose.Vars{"id": s.id}
	if db != "" {
		detail += " Its database is " + db + "."
		vars["database"] = db
		s.related(diagnose.KindDatabase, db)
	}
	if !s.p.modern {
		detail += fmt.Sprintf(" Data sources exist from Notion-Version %s on; this check runs with %s, under which no call can read it.", firstDataSourceVersion, s.p.cfg.Version)
	}
	s.add(diagnose.NewFinding(diagnose.CodeKindDataSource, detail, vars))
	right := "/v1/data_sources/" + s.id
	next := "Query it with POST /v1/data_sources/" + s.id + "/query."
	mnext := next
	if db != "" {
		mnext = "Its database is " + db + ": use that ID with /v1/databases/" + db + "."
	}
	mis := s.mismatch(diagnose.KindDataSource, right, mnext)
	if d.InTrash || d.Archived {
		s.trash("data source")
	}
	if !mis {
		s.ok(diagnose.KindDataSource, right, next)
	}
}

func (s *probeState) view(r reply) {
	s.res.Kind, s.res.Done = diagnose.KindView, true
	var v viewJSON
	_ = json.Unmarshal(r.body, &v)
	s.res.Title = v.Name
	db := v.Parent.DatabaseID
	s.related(diagnose.KindDatabase, db)
	s.related(diagnose.KindDataSource, v.DataSourceID)
	right := "/v1/views/" + s.id
	next := "A view is not a database: to read or query the data use the database " + db
	if v.DataSourceID != "" {
		next += " (data source " + v.DataSourceID + ")"
	}
	next += "."
	if !s.mismatch(diagnose.KindView, right, next) {
		s.ok(diagnose.KindView, right, next)
	}
}
