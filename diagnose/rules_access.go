package diagnose

import (
	"fmt"
	"strings"
)

// The verdict rules: pure functions from what the person pasted (the
// Reference and the Call) and what Notion answered (IntegrationInfo and
// ProbeResult, observed by the Notion adapter) to findings. Nothing here
// makes a call; nothing outside this package builds a finding.

// firstDataSourceVersion is the first Notion-Version with data sources and
// views.
const firstDataSourceVersion = "2025-09-03"

// publishedVersions are the Notion-Version values Notion has published.
var publishedVersions = []string{"2021-05-13", "2021-08-16", "2022-02-22", "2022-06-28", "2025-09-03", "2026-03-11"}

// KnownVersion reports whether v is a Notion-Version Notion has published.
func KnownVersion(v string) bool {
	for _, k := range publishedVersions {
		if v == k {
			return true
		}
	}
	return false
}

// asker is one integration that was asked about a reference.
type asker struct {
	info IntegrationInfo
	// label names the integration when users/me did not tell
	// ("NOTION_TOKEN", "NOTION_TOKENS #2").
	label string
	// primary is the integration of NOTION_TOKEN, whose findings about
	// itself go to the report's integration section.
	primary bool
}

// name is the integration's name as the person knows it.
func (a asker) name() string {
	if a.info.Name != "" {
		return a.info.Name
	}
	return a.label
}

// judgement is what the rules make of one integration's observations of
// one reference.
type judgement struct {
	Kind  Kind
	Title string
	// URL is the object's url as Notion answered it ("" when no answer
	// gave one).
	URL string
	// Done is false when the online part could not be finished.
	Done bool
	// Sees is true when the integration can see the object (Notion
	// disclosed it exists).
	Sees     bool
	Findings []Finding
	// IntegrationFindings are about the integration itself (token.invalid,
	// access.capability).
	IntegrationFindings []Finding
	Related             []Related
}

func (j *judgement) add(f Finding) { j.Findings = append(j.Findings, f) }

func (j *judgement) related(role Kind, id string) {
	if id == "" {
		return
	}
	for _, r := range j.Related {
		if r.Role == role && r.ID == id {
			return
		}
	}
	j.Related = append(j.Related, Related{Role: role, ID: id})
}

// IntegrationFrom turns what users/me answered into the report's
// integration section, and reports whether the token can be used at all
// (false when Notion refused it with 401).
func IntegrationFrom(info IntegrationInfo) (Integration, bool) {
	in := Integration{Status: StatusUnknown, Name: info.Name, Workspace: info.Workspace, Findings: []Finding{}}
	switch info.Me.Outcome {
	case OutcomeOK:
		in.Status = StatusOK
		if f, ok := tokenKindFinding(info); ok {
			in.Findings = append(in.Findings, f)
		}
	case OutcomeUnauthorized:
		in.Status = StatusProblem
		in.Findings = append(in.Findings, tokenInvalid(info.Me))
		return in, false
	case OutcomeForbidden:
		// users/me refused (user capability); the token itself is accepted.
		in.Status = StatusOK
	case OutcomeBadRequest:
		if versionRefused(info.Me) {
			// Every call would be refused the same way: the version is
			// the answer, and no probe can tell more.
			in.Status = StatusProblem
			in.Findings = append(in.Findings, versionRefusedFinding(info.Me))
			return in, false
		}
	}
	return in, true
}

func personalFinding(info IntegrationInfo) Finding {
	who := "It"
	if info.Name != "" {
		who = fmt.Sprintf("%q", info.Name)
	}
	return NewFinding(CodeTokenPersonal, fmt.Sprintf("GET /v1/users/me answers a bot owned by a user: %s is a personal access token. It sees exactly what the person who created it can see in Notion; pages are not shared with it through ••• → Connections.", who), nil)
}

func tokenInvalid(a Answer) Finding {
	path := "/v1/" + string(a.Family)
	if a.ID != "" {
		path += "/" + a.ID
	}
	msg := a.Message
	if msg == "" {
		msg = "API token is invalid."
	}
	return NewFinding(CodeTokenInvalid, fmt.Sprintf("Notion answered 401 unauthorized (%q) to GET %s: the token is invalid, revoked or expired, so nothing could be checked.", msg, path), nil)
}

// answers holds the answers about one ID, by family (the last one asked).
type answers map[Endpoint]Answer

func answersFor(res ProbeResult, id string) answers {
	out := answers{}
	for _, a := range res.Answers {
		if a.ID == id {
			out[a.Family] = a
		}
	}
	return out
}

// famOrder is the order answers are named in.
var famOrder = []Endpoint{EndpointBlocks, EndpointPages, EndpointDatabases, EndpointDataSources, EndpointViews}

func (as answers) ordered() []Answer {
	var out []Answer
	for _, f := range famOrder {
		if a, ok := as[f]; ok {
			out = append(out, a)
		}
	}
	return out
}

func (as answers) all(o Outcome) bool {
	for _, a := range as {
		if a.Outcome != o {
			return false
		}
	}
	return len(as) > 0
}

// resolved is what the answers say the object is.
type resolved struct {
	// from200 is true when a 200 answer about the object decided it.
	from200 bool
	kind    Kind
	title   string
	trash   bool
	parent  Parent
	// database
	sources  []string
	listed   bool   // the data source list is known
	linked   string // why it is a linked database ("" when not)
	multiple *Answer
	// view
	viewDB, viewDS string
}

// resolve tells from the answers about the reference's own ID what the
// object is; ok is false when no answer disclosed it.
func resolve(as answers) (resolved, bool) {
	var r resolved
	if b, ok := as[EndpointBlocks]; ok && b.Outcome == OutcomeOK && b.Object != nil && b.Object.Object == "block" {
		o := b.Object
		r.title, r.trash, r.parent, r.from200 = o.Title, o.InTrash, o.Parent, true
		switch o.BlockType {
		case "child_page":
			r.kind = KindPage
		case "child_database":
			r.kind = KindDatabase
			resolveDatabase(&r, as)
		default:
			r.kind = KindBlock
		}
		return r, true
	}
	if p, ok := as[EndpointPages]; ok && p.Outcome == OutcomeOK && p.Object != nil {
		o := p.Object
		return resolved{from200: true, kind: KindPage, title: o.Title, trash: o.InTrash, parent: o.Parent}, true
	}
	if d, ok := as[EndpointDataSources]; ok && d.Outcome == OutcomeOK && d.Object != nil {
		o := d.Object
		return resolved{from200: true, kind: KindDataSource, title: o.Title, trash: o.InTrash, parent: o.Parent}, true
	}
	if v, ok := as[EndpointViews]; ok && v.Outcome == OutcomeOK && v.Object != nil {
		o := v.Object
		db := o.Parent.DatabaseID
		if db == "" {
			db = o.Parent.ID
		}
		return resolved{from200: true, kind: KindView, title: o.Title, parent: o.Parent, viewDB: db, viewDS: o.DataSourceID}, true
	}
	if d, ok := as[EndpointDatabases]; ok && (d.Outcome == OutcomeOK || d.Outcome == OutcomeBadRequest) {
		r := resolved{kind: KindDatabase}
		switch {
		case d.Outcome == OutcomeOK && d.Object != nil:
			r.title, r.trash, r.parent, r.from200 = d.Object.Title, d.Object.InTrash, d.Object.Parent, true
			resolveDatabase(&r, as)
			return r, true
		case d.ErrorType == "" && isPageMessage(d.Message):
			return resolved{kind: KindPage}, true
		case d.ErrorType == errorTypeMultipleSources || isDatabaseProblem(d.Message):
			// Notion's 400 about the database itself is the whole answer.
			r.from200 = true
			resolveDatabase(&r, as)
			return r, true
		}
	}
	if p, ok := as[EndpointPages]; ok && p.Outcome == OutcomeBadRequest {
		switch {
		case strings.Contains(p.Message, "is a database, not a page"):
			r := resolved{kind: KindDatabase}
			resolveDatabase(&r, as)
			return r, true
		case strings.Contains(p.Message, "is a block, not a page"):
			return resolved{kind: KindBlock}, true
		}
	}
	return resolved{}, false
}

// errorTypeMultipleSources is additional_data.error_type of Notion's 400
// for a database with several data sources under an old Notion-Version.
const errorTypeMultipleSources = "multiple_data_sources_for_database"

func isPageMessage(msg string) bool { return strings.Contains(msg, "is a page, not a database") }

// isDatabaseProblem reports whether a 400's wording is about the database
// itself (linked, no reachable data source, several data sources); a
// caller checks additional_data.error_type before it.
func isDatabaseProblem(msg string) bool {
	return strings.Contains(msg, "is a linked database") || strings.Contains(msg, "does not contain any data sources accessible") ||
		strings.Contains(msg, "multiple data sources")
}

// resolveDatabase adds what GET /v1/databases said of a database.
func resolveDatabase(r *resolved, as answers) {
	d, ok := as[EndpointDatabases]
	if !ok {
		return
	}
	switch d.Outcome {
	case OutcomeOK:
		if d.Object == nil {
			return
		}
		if r.title == "" {
			r.title = d.Object.Title
		}
		r.trash = r.trash || d.Object.InTrash
		if d.Object.DataSourcesListed {
			r.listed = true
			r.sources = d.Object.DataSources
			if len(r.sources) == 0 {
				r.linked = fmt.Sprintf("GET /v1/databases/%s lists no data source the integration can reach: it is a linked database (a view of another database), or its source database is not shared with the integration.", d.ID)
			}
		}
	case OutcomeBadRequest:
		// additional_data.error_type first: Notion's machine-readable word
		// outlives a message's wording.
		switch {
		case d.ErrorType == "" && (strings.Contains(d.Message, "is a linked database") || strings.Contains(d.Message, "does not contain any data sources accessible")):
			r.linked = fmt.Sprintf("Notion answered GET /v1/databases/%s with 400 %s: %q", d.ID, d.Code, d.Message)
		case d.ErrorType == errorTypeMultipleSources || d.ErrorType == "" && strings.Contains(d.Message, "multiple data sources"):
			// additional_data.error_type first: Notion's machine-readable
			// word outlives a message's wording.
			a := d
			r.multiple = &a
			r.sources = d.ChildDataSourceIDs
			r.listed = len(r.sources) > 0
		}
	case OutcomeNotFound:
		if r.kind == KindDatabase {
			r.linked = fmt.Sprintf("The database block %s is visible, but GET /v1/databases/%s answered 404: it is a linked database, or its source database is not shared with the integration.", d.ID, d.ID)
		}
	}
}

// judge is the verdict of one integration on one reference: the rules in
// order, over what Notion answered it. elsewhere is the kind another
// integration's answers disclosed ("" none): a 404 from the endpoints of
// that kind is then enough to say the object is not shared.
func judge(ref Reference, call *Call, who asker, res ProbeResult, elsewhere Kind) judgement {
	j := judgement{Kind: KindUnknown}
	as := answersFor(res, ref.ID)
	if f, ok := ruleUnauthorized(as); ok {
		j.IntegrationFindings = append(j.IntegrationFindings, f)
		return j
	}
	if len(as) == 0 {
		// Nothing was asked (no usable ID): no verdict.
		return j
	}
	r, ok := resolve(as)
	if !ok {
		ruleUnresolved(&j, ref, who, as, elsewhere)
		return j
	}
	if !r.from200 && ruleTransient(&j, ref, as) {
		// Only a 400 told the kind, and a call that would have told the
		// rest (title, trash) failed: no verdict from half the answers.
		return j
	}
	j.Kind, j.Title, j.Done, j.Sees = r.kind, r.title, true, true
	j.URL = objectURL(as)
	// A transient failure of a call the verdict still needed (the
	// databases call of a database) leaves the check unfinished.
	if r.kind == KindDatabase {
		if d, asked := as[EndpointDatabases]; asked && d.Outcome.Transient() {
			ruleTransient(&j, ref, answers{EndpointDatabases: d})
			return j
		}
	}
	mis := false
	switch r.kind {
	case KindPage:
		mis = rulePage(&j, ref, r)
	case KindDatabase:
		mis = ruleDatabase(&j, ref, call, res, r)
	case KindDataSource:
		mis = ruleDataSource(&j, ref, call, res, r)
	case KindBlock:
		mis = ruleBlock(&j, ref, res, r)
	case KindView:
		mis = ruleView(&j, ref, call, r)
	}
	if r.trash {
		j.add(NewFinding(CodeObjectInTrash, fmt.Sprintf("Notion says this %s (%s) is in the trash (in_trash).", kindWord(r.kind), ref.ID), nil))
	}
	if !mis && !hasError(j.Findings) {
		ruleOK(&j, ref, res, r)
	}
	return j
}

// ruleUnauthorized: a 401 on any call means the token is refused.
func ruleUnauthorized(as answers) (Finding, bool) {
	for _, a := range as.ordered() {
		if a.Outcome == OutcomeUnauthorized {
			return tokenInvalid(a), true
		}
	}
	return Finding{}, false
}

// ruleUnresolved covers answers that disclose no object: not shared when
// Notion answered 404 on every endpoint that could have served it, a
// capability problem when it refused every read, else no verdict.
func ruleUnresolved(j *judgement, ref Reference, who asker, as answers, elsewhere Kind) {
	if ruleTransient(j, ref, as) {
		return
	}
	for _, a := range as.ordered() {
		if versionRefused(a) {
			j.IntegrationFindings = append(j.IntegrationFindings, versionRefusedFinding(a))
			return
		}
	}
	if as.all(OutcomeForbidden) {
		var paths []string
		for _, a := range as.ordered() {
			paths = append(paths, "GET /v1/"+string(a.Family)+"/"+ref.ID)
		}
		j.IntegrationFindings = append(j.IntegrationFindings, NewFinding(CodeAccessCapability,
			fmt.Sprintf("Notion answered 403 %s to every read (%s): the integration lacks the Read content capability.", as.ordered()[0].Code, strings.Join(paths, ", ")), nil))
		return
	}
	if as.all(OutcomeNotFound) && covers(ref, as, elsewhere) {
		j.Done = true
		j.add(notShared(ref, who, as))
		return
	}
	var parts []string
	for _, a := range as.ordered() {
		parts = append(parts, fmt.Sprintf("GET /v1/%s/… → %d %s %q", a.Family, a.Status, a.Code, a.Message))
	}
	j.add(NewFinding(CodeNotionUnavailable, "Notion's answers do not tell what "+ref.ID+" is: "+strings.Join(parts, "; ")+".", nil))
}

// covers reports whether the calls answered could each have disclosed
// every kind the reference can be: a page, block or database (blocks, or
// pages and databases), and, unless the ID is a web link's path ID (never a
// data source or a view), a data source and a view. When another
// integration saw the object (elsewhere, its kind), the endpoints of that
// kind are enough.
func covers(ref Reference, as answers, elsewhere Kind) bool {
	for _, f := range elsewhere.Endpoints() {
		if _, ok := as[f]; ok {
			return true
		}
	}
	_, b := as[EndpointBlocks]
	_, p := as[EndpointPages]
	_, d := as[EndpointDatabases]
	_, s := as[EndpointDataSources]
	_, v := as[EndpointViews]
	content := b || (p && d)
	if ref.Origin == OriginLink {
		return content
	}
	return content && s && v
}

// ruleTransient: a rate limit or an unavailable Notion is never a verdict.
func ruleTransient(j *judgement, ref Reference, as answers) bool {
	for _, a := range as.ordered() {
		if a.Outcome == OutcomeRateLimited {
			j.Done = false
			j.add(NewFinding(CodeNotionRateLimited, "Notion rate-limited the checks: "+a.Why+". Kind and access of "+ref.ID+" could not be told.", nil))
			return true
		}
	}
	for _, a := range as.ordered() {
		if a.Outcome == OutcomeUnavailable {
			j.Done = false
			j.add(NewFinding(CodeNotionUnavailable, "Notion did not answer properly: "+a.Why+". Kind and access of "+ref.ID+" could not be told.", nil))
			return true
		}
	}
	return false
}

// notShared is the verdict of 404 everywhere.
func notShared(ref Reference, who asker, as answers) Finding {
	var paths []string
	for _, a := range as.ordered() {
		paths = append(paths, "/v1/"+string(a.Family)+"/"+ref.ID)
	}
	name := who.info.Name
	if name == "" {
		// users/me could not tell; Notion's 404 message names it too.
		for _, a := range as.ordered() {
			if n := IntegrationInMessage(a.Message); n != "" {
				name = n
				break
			}
		}
	}
	vars := Vars{}
	whoText := "the integration"
	if name != "" {
		whoText = fmt.Sprintf("the integration %q", name)
		if who.info.Workspace != "" {
			whoText += fmt.Sprintf(" (workspace %q)", who.info.Workspace)
		}
	}
	if who.info.Workspace != "" {
		vars["workspace"] = who.info.Workspace
	}
	if KindOf(who.info) == TokenOAuth {
		vars["integration"] = orSomething(name, "the public integration")
		return NewFinding(CodeAccessNotShared,
			fmt.Sprintf("Notion answered 404 object_not_found on every endpoint tried (%s): with this OAuth token %s does not exist. %s is a public integration: it sees only the pages the user who authorized it picked (and pages under them), so this one was not picked, sits in a private teamspace, belongs to another workspace, or was deleted.",
				strings.Join(paths, ", "), ref.ID, upperFirst(whoText)), vars)
	}
	if KindOf(who.info) == TokenPersonal {
		// A personal access token is not shared with: its creator's own
		// access is what counts, so the Connections step is left out.
		return NewFinding(CodeAccessNotShared,
			fmt.Sprintf("Notion answered 404 object_not_found on every endpoint tried (%s): with the personal access token %q, %s does not exist. The person who created the token cannot see it in Notion (it is not shared with them, sits in a private teamspace, belongs to another workspace), or it was deleted. Sharing it with a connection does not apply to a personal access token.",
				strings.Join(paths, ", "), name, ref.ID), vars)
	}
	if name != "" {
		vars["integration"] = name
	} else {
		vars["integration"] = "your integration"
	}
	return NewFinding(CodeAccessNotShared,
		fmt.Sprintf("Notion answered 404 object_not_found on every endpoint tried (%s): with this token %s does not exist. It is not shared with %s, or it sits in a private teamspace, belongs to another workspace, or was deleted.",
			strings.Join(paths, ", "), ref.ID, whoText), vars)
}

// IntegrationInMessage returns the integration name quoted at the end of a
// 404 object_not_found message ("… shared with your integration \"Name\"."),
// or "".
func IntegrationInMessage(msg string) string {
	const marker = "shared with your integration "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(msg[i+len(marker):]), "."))
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return ""
	}
	return rest[1 : len(rest)-1]
}

// fitsEndpoint reports whether an endpoint family serves an object of kind.
func fitsEndpoint(kind Kind, e Endpoint) bool {
	switch e {
	case EndpointPages:
		return kind == KindPage
	case EndpointDatabases:
		return kind == KindDatabase
	case EndpointDataSources:
		return kind == KindDataSource
	case EndpointBlocks:
		return kind == KindPage || kind == KindDatabase || kind == KindBlock
	case EndpointViews:
		return kind == KindView
	case EndpointComments:
		return kind == KindPage || kind == KindBlock
	}
	// users, search: take no content ID in their path.
	return true
}

func kindWord(k Kind) string {
	if k == KindDataSource {
		return "data source"
	}
	return string(k)
}

// ruleMismatch adds endpoint.mismatch when the endpoint the person used
// does not fit kind, and reports whether it did.
func ruleMismatch(j *judgement, ref Reference, kind Kind, right, next string) bool {
	used := ref.Endpoint
	if used == EndpointNone || fitsEndpoint(kind, used) {
		return false
	}
	usedPath := "/v1/" + string(used) + "/" + ref.ID
	j.add(NewFinding(CodeEndpointMismatch,
		fmt.Sprintf("%s is a %s, but it was used with %s; Notion serves it at %s.", ref.ID, kindWord(kind), usedPath, right),
		Vars{"kind": kindWord(kind), "endpoint": right, "used": usedPath, "next": next}))
	return true
}

func rulePage(j *judgement, ref Reference, r resolved) bool {
	return ruleMismatch(j, ref, KindPage, "/v1/pages/"+ref.ID, "If you meant a database on this page, open that database in Notion and copy its own link.")
}

// callVersion is the Notion-Version the person's call sent, when known.
func callVersion(call *Call) string {
	if call == nil {
		return ""
	}
	return call.NotionVersion
}

func modern(v string) bool { return v == "" || v >= firstDataSourceVersion }

func ruleDatabase(j *judgement, ref Reference, call *Call, res ProbeResult, r resolved) bool {
	id := ref.ID
	if r.linked != "" {
		j.add(NewFinding(CodeDatabaseLinked, r.linked, nil))
	}
	for _, ds := range r.sources {
		j.related(KindDataSource, ds)
	}
	if len(r.sources) > 0 {
		j.add(NewFinding(CodeDatabaseDataSources,
			fmt.Sprintf("Database %s has %d data source(s): %s.", id, len(r.sources), strings.Join(r.sources, ", ")),
			Vars{"data_source": r.sources[0]}))
	}
	multi := len(r.sources) > 1 || r.multiple != nil
	if multi {
		detail := fmt.Sprintf("Database %s has %d data sources (%s): clients on Notion-Version 2022-06-28 fail on it.", id, len(r.sources), strings.Join(r.sources, ", "))
		if len(r.sources) < 2 {
			detail = fmt.Sprintf("Notion answered GET /v1/databases/%s with 400 %s: %q (Notion-Version %s).", id, r.multiple.Code, r.multiple.Message, r.multiple.Version)
		}
		j.add(NewFinding(CodeDatabaseMultipleSources, detail, nil))
	}
	if r.multiple != nil {
		ruleVersionMultiple(j, ref, call, res, r)
	} else if multi {
		ruleVersionMultipleCall(j, ref, call, r)
	}
	right := "/v1/databases/" + id
	var mis bool
	if ref.Endpoint == EndpointDataSources && len(r.sources) > 0 {
		mis = ruleMismatch(j, ref, KindDatabase, "/v1/data_sources/"+r.sources[0],
			"This database's data source IDs are: "+strings.Join(r.sources, ", ")+"; the database ID itself goes with /v1/databases/"+id+".")
	} else {
		mis = ruleMismatch(j, ref, KindDatabase, right, "For a page in it, copy that page's own link.")
	}
	return mis
}

// ruleVersionMultiple: Notion refused a database with several data
// sources under the Notion-Version the probe sent; that version is the
// cause, whether it is the person's call's or the one configured here.
func ruleVersionMultiple(j *judgement, ref Reference, call *Call, res ProbeResult, r resolved) {
	v := r.multiple.Version
	if v == "" {
		v = res.Version
	}
	whose := "The checks here ran with Notion-Version " + v + " (NOTION_VERSION)"
	if cv := callVersion(call); cv != "" && cv == v {
		whose = "The call sent Notion-Version " + v
	}
	fix := "Upgrade the client to Notion-Version 2025-09-03 or later and address one data source"
	if len(r.sources) > 0 {
		fix += ": query it with POST /v1/data_sources/" + r.sources[0] + "/query and create pages with parent data_source_id " + r.sources[0]
	}
	fix += "."
	j.add(NewFinding(CodeErrorVersion,
		fmt.Sprintf("%s: under it Notion answers 400 %s for database %s (%q), because the database has several data sources; they exist from Notion-Version %s on.",
			whose, r.multiple.Code, ref.ID, r.multiple.Message, firstDataSourceVersion),
		Vars{"version_fix": fix, "version": firstDataSourceVersion}))
}

// ruleVersionTooOld: the person's call sent a Notion-Version under which
// the object's kind (a data source, a view) does not exist.
func ruleVersionTooOld(j *judgement, ref Reference, call *Call, kind Kind, fix string) bool {
	cv := callVersion(call)
	if cv == "" || modern(cv) {
		return false
	}
	j.add(NewFinding(CodeErrorVersion,
		fmt.Sprintf("The call sent Notion-Version %s, but %s is a %s, which exists only from Notion-Version %s on: under %s Notion answers its routes with 400 invalid_request_url or 404.", cv, ref.ID, kindWord(kind), firstDataSourceVersion, cv),
		Vars{"version_fix": fix, "version": firstDataSourceVersion}))
	return true
}

func ruleDataSource(j *judgement, ref Reference, call *Call, res ProbeResult, r resolved) bool {
	id := ref.ID
	db := r.parent.ID
	if r.parent.Type == "database_id" && r.parent.DatabaseID != "" {
		db = r.parent.DatabaseID
	}
	if r.parent.Type != "database_id" && r.parent.Type != "data_source_id" {
		db = ""
	}
	detail := id + " is a data source (Notion-Version 2025-09-03 and later)."
	vars := Vars{"id": id}
	if db != "" {
		detail += " Its database is " + db + "."
		vars["database"] = db
		j.related(KindDatabase, db)
	}
	if !modern(res.Version) && callVersion(call) == "" {
		detail += fmt.Sprintf(" Data sources exist from Notion-Version %s on; this check runs with %s, under which no call can read it.", firstDataSourceVersion, res.Version)
	}
	j.add(NewFinding(CodeKindDataSource, detail, vars))
	ruleVersionTooOld(j, ref, call, KindDataSource, "Send Notion-Version 2025-09-03 or later with /v1/data_sources/"+id+"; under an older version use the database ID "+orSomething(db, "of its database")+" with /v1/databases/… instead.")
	next := "Query it with POST /v1/data_sources/" + id + "/query."
	if db != "" {
		next = "Its database is " + db + " (for /v1/databases/…)."
	}
	return ruleMismatch(j, ref, KindDataSource, "/v1/data_sources/"+id, next)
}

func orSomething(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func ruleBlock(j *judgement, ref Reference, res ProbeResult, r resolved) bool {
	id := ref.ID
	page := blockPage(res, r.parent)
	bt := ""
	if b, ok := answersFor(res, id)[EndpointBlocks]; ok && b.Object != nil {
		bt = b.Object.BlockType
	}
	detail := fmt.Sprintf("%s is a %q block, not a page.", id, bt)
	if bt == "" {
		detail = id + " is a block, not a page."
	}
	vars := Vars{"id": id}
	if page != "" {
		detail += " It sits on page " + page + "."
		vars["page"] = page
		j.related(KindPage, page)
	} else if r.parent.Type == "block_id" {
		detail += " It sits inside block " + r.parent.ID + "; its page could not be told without more calls."
		j.related(KindBlock, r.parent.ID)
	}
	j.add(NewFinding(CodeKindBlock, detail, vars))
	next := "Its page is " + page + ": use /v1/pages/" + page + " for the page."
	if page == "" {
		next = "Read its children with GET /v1/blocks/" + id + "/children."
	}
	return ruleMismatch(j, ref, KindBlock, "/v1/blocks/"+id, next)
}

// blockPage walks up a block's parents through the answers the adapter
// got for them, to the page the block sits on ("" when not told).
func blockPage(res ProbeResult, p Parent) string {
	for hops := 0; hops < 8; hops++ {
		switch p.Type {
		case "page_id":
			return p.ID
		case "block_id":
			up, ok := answersFor(res, p.ID)[EndpointBlocks]
			if !ok || up.Outcome != OutcomeOK || up.Object == nil {
				return ""
			}
			if up.Object.BlockType == "child_page" {
				return p.ID
			}
			p = up.Object.Parent
		default:
			return ""
		}
	}
	return ""
}

// ruleView: a view resolves to its database and data source; it is never
// "not shared" when it is readable. A view ID used as a database, page or
// data source ID is an endpoint mismatch.
func ruleView(j *judgement, ref Reference, call *Call, r resolved) bool {
	id := ref.ID
	j.related(KindDatabase, r.viewDB)
	j.related(KindDataSource, r.viewDS)
	detail := id + " is a view of a database (the ID after ?v= in a link), not a database or page."
	vars := Vars{"id": id}
	if r.viewDB != "" {
		detail += " Its database is " + r.viewDB + "."
		vars["database"] = r.viewDB
	}
	if r.viewDS != "" {
		detail += " It shows data source " + r.viewDS + "."
		vars["data_source"] = r.viewDS
	}
	j.add(NewFinding(CodeKindView, detail, vars))
	ruleVersionTooOld(j, ref, call, KindView, "Send Notion-Version 2025-09-03 or later, and query the view's data source"+prefixed(" ", r.viewDS)+" rather than the view.")
	right := "/v1/views/" + id
	if r.viewDS != "" {
		right = "/v1/data_sources/" + r.viewDS + "/query"
	} else if r.viewDB != "" {
		right = "/v1/databases/" + r.viewDB
	}
	next := "A view is not a database: to read or query the data use the database " + orSomething(r.viewDB, "it belongs to")
	if r.viewDS != "" {
		next += " (data source " + r.viewDS + ")"
	}
	next += "."
	if ref.Endpoint == EndpointNone {
		// The text uses the view ID as a database, page or data source ID
		// (NOTION_DATABASE_ID=<view>, database_id: <view>).
		switch ref.Hint {
		case KindDatabase, KindPage, KindDataSource:
			ref.Endpoint = Endpoint(string(ref.Hint) + "s")
		}
	}
	return ruleMismatch(j, ref, KindView, right, next)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// ruleOK: the object is readable with this integration, with nothing
// wrong found; says what to use next.
func ruleOK(j *judgement, ref Reference, res ProbeResult, r resolved) {
	id := ref.ID
	var endpoint, next string
	switch r.kind {
	case KindPage:
		endpoint, next = "/v1/pages/"+id, "Read its content with GET /v1/blocks/"+id+"/children."
	case KindDatabase:
		endpoint, next = "/v1/databases/"+id, "Query it with POST /v1/databases/"+id+"/query."
		if modern(res.Version) && len(r.sources) > 0 {
			next = "Query its data source with POST /v1/data_sources/" + r.sources[0] + "/query."
		}
	case KindDataSource:
		endpoint, next = "/v1/data_sources/"+id, "Query it with POST /v1/data_sources/"+id+"/query."
	case KindBlock:
		endpoint = "/v1/blocks/" + id
		if page := blockPage(res, r.parent); page != "" {
			next = "Its page is " + page + ": use /v1/pages/" + page + " for the page."
		} else {
			next = "Read its children with GET /v1/blocks/" + id + "/children."
		}
	case KindView:
		endpoint = "/v1/views/" + id
		next = "A view is not a database: to read or query the data use the database " + orSomething(r.viewDB, "it belongs to")
		if r.viewDS != "" {
			next += " (data source " + r.viewDS + ")"
		}
		next += "."
	}
	j.add(NewFinding(CodeAccessOK,
		fmt.Sprintf("The integration can read %s: it is a %s; use %s. %s", id, kindWord(r.kind), endpoint, next),
		Vars{"endpoint": endpoint, "kind": kindWord(r.kind), "next": next}))
}

// ruleVersionMultipleCall: the person's call on a database with several
// data sources got a 400 through /v1/databases, with a Notion-Version
// before 2025-09-03 or one the paste does not show: that version is the
// cause (the checks here ran with a newer one, which reads the database).
func ruleVersionMultipleCall(j *judgement, ref Reference, call *Call, r resolved) {
	if call == nil || !(call.Status == 400 || call.Code == "validation_error") || !strings.HasPrefix(call.Endpoint, "/v1/databases") {
		return
	}
	cv := callVersion(call)
	if cv != "" && modern(cv) {
		return
	}
	whose := "The paste does not show the call's Notion-Version; a client on 2022-06-28 (as many libraries and loaders still send)"
	if cv != "" {
		whose = "The call sent Notion-Version " + cv + ", and a client on it"
	}
	fix := "Send Notion-Version 2025-09-03 or later and query one data source: POST /v1/data_sources/" + r.sources[0] + "/query (the database's data sources: " + strings.Join(r.sources, ", ") + ")."
	j.add(NewFinding(CodeErrorVersion,
		fmt.Sprintf("%s is refused with 400 on database %s, which has %d data sources: under versions before %s Notion answers \"Databases with multiple data sources are not supported in this API version.\"", whose, ref.ID, len(r.sources), firstDataSourceVersion),
		Vars{"version_fix": fix, "version": firstDataSourceVersion}))
}
