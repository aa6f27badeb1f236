package diagnose

import (
	"slices"
	"strings"
	"testing"
)

// Hand-made observations for the rule tables: what Notion would answer.
const (
	vID  = "3d47810f-380f-80d7-a001-0000000000a1"
	vDB  = "3d47810f-380f-80d7-a002-0000000000a1"
	vDS  = "3d47810f-380f-80d7-a003-0000000000a1"
	vDS2 = "3d47810f-380f-80d7-a003-0000000000a2"
	vPg  = "3d47810f-380f-80d7-a001-0000000000b1"
	vBlk = "3d47810f-380f-80d7-a005-0000000000b1"
)

func ok(f Endpoint, id string, o Object) Answer {
	return Answer{Family: f, ID: id, Outcome: OutcomeOK, Status: 200, Object: &o}
}

func nf(f Endpoint, id string) Answer {
	return Answer{Family: f, ID: id, Outcome: OutcomeNotFound, Status: 404, Code: "object_not_found",
		Message: "Could not find " + string(f) + " with ID: " + id + ". Make sure the relevant pages and databases are shared with your integration \"Iris\"."}
}

func bad(f Endpoint, id, msg string) Answer {
	return Answer{Family: f, ID: id, Outcome: OutcomeBadRequest, Status: 400, Code: "validation_error", Message: msg}
}

func fail(f Endpoint, id string, o Outcome, status int) Answer {
	return Answer{Family: f, ID: id, Outcome: o, Status: status, Why: "it failed"}
}

func obs(version string, as ...Answer) ProbeResult {
	return ProbeResult{Version: version, Answers: as}
}

func allNF(id string) []Answer {
	return []Answer{nf(EndpointBlocks, id), nf(EndpointDatabases, id), nf(EndpointDataSources, id), nf(EndpointViews, id)}
}

var iris = asker{info: IntegrationInfo{Name: "Iris", Workspace: "Acme", Me: Answer{Outcome: OutcomeOK}}, label: "NOTION_TOKEN", primary: true}

func refOf(id string, hint Kind, ep Endpoint) Reference {
	if hint == "" {
		hint = KindUnknown
	}
	return Reference{Source: id, ID: id, Hint: hint, Endpoint: ep}
}

func textOf(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Detail + "\n" + strings.Join(f.Fix, "\n") + "\n")
	}
	return b.String()
}

// TestJudge is the table of the per-integration rules: each row an
// observation and the verdict the rules must make of it.
func TestJudge(t *testing.T) {
	page := Object{Object: "block", BlockType: "child_page", Title: "Roadmap", Parent: Parent{Type: "workspace"}}
	dbBlock := Object{Object: "block", BlockType: "child_database", Title: "Tasks", Parent: Parent{Type: "page_id", ID: vPg}}
	db1 := Object{Object: "database", Title: "Tasks", DataSources: []string{vDS}, DataSourcesListed: true}
	db2 := Object{Object: "database", Title: "Projects", DataSources: []string{vDS, vDS2}, DataSourcesListed: true}
	multi := bad(EndpointDatabases, vID, "Databases with multiple data sources are not supported in this API version.")
	multi.ChildDataSourceIDs, multi.Version = []string{vDS, vDS2}, "2022-06-28"
	tests := []struct {
		name string
		rule string
		ref  Reference
		call *Call
		who  asker
		res  ProbeResult
		// elsewhere is the kind another integration saw.
		elsewhere Kind
		kind      Kind
		done      bool
		sees      bool
		codes     []Code
		intCodes  []Code
		mention   []string
		absent    []string
	}{
		{name: "page", rule: "rulePage/ruleOK", ref: refOf(vID, "", ""), res: obs("2025-09-03", ok(EndpointBlocks, vID, page), bad(EndpointDatabases, vID, "Provided database_id x is a page, not a database.")),
			kind: KindPage, done: true, sees: true, codes: []Code{CodeAccessOK}, mention: []string{"/v1/pages/" + vID}},
		{name: "page on the databases endpoint", rule: "ruleMismatch", ref: refOf(vID, KindDatabase, EndpointDatabases), res: obs("2025-09-03", bad(EndpointDatabases, vID, "Provided database_id x is a page, not a database."), ok(EndpointBlocks, vID, page)),
			kind: KindPage, done: true, sees: true, codes: []Code{CodeEndpointMismatch}, mention: []string{"call /v1/pages/" + vID + " instead of /v1/databases/" + vID}},
		{name: "page told by a 400 only, block call failed", rule: "ruleTransient", ref: refOf(vID, "", ""), res: obs("2025-09-03", fail(EndpointBlocks, vID, OutcomeUnavailable, 503), bad(EndpointDatabases, vID, "Provided database_id x is a page, not a database.")),
			kind: KindUnknown, codes: []Code{CodeNotionUnavailable}},
		{name: "trashed page (in_trash, no archived)", rule: "trash", ref: refOf(vID, "", ""), res: obs("2026-03-11", ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "child_page", InTrash: true})),
			kind: KindPage, done: true, sees: true, codes: []Code{CodeObjectInTrash, CodeAccessOK}},
		{name: "database, one data source", rule: "ruleDatabase", ref: refOf(vID, "", ""), res: obs("2025-09-03", ok(EndpointBlocks, vID, dbBlock), ok(EndpointDatabases, vID, db1)),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeAccessOK}, mention: []string{"POST /v1/data_sources/" + vDS + "/query"}},
		{name: "database link alone (one call)", rule: "ruleDatabase", ref: refOf(vID, KindDatabase, ""), res: obs("2025-09-03", ok(EndpointDatabases, vID, db1)),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeAccessOK}},
		{name: "database, two data sources, 2025", rule: "ruleDatabase", ref: refOf(vID, KindDatabase, ""), res: obs("2025-09-03", ok(EndpointDatabases, vID, db2)),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeDatabaseMultipleSources, CodeAccessOK}, mention: []string{vDS2}},
		{name: "two data sources under configured 2022: never all good", rule: "ruleVersionMultiple", ref: refOf(vID, KindDatabase, ""), res: obs("2022-06-28", multi),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeDatabaseMultipleSources, CodeErrorVersion}, mention: []string{"(NOTION_VERSION)", "POST /v1/data_sources/" + vDS + "/query"}},
		{name: "two data sources under the call's 2022", rule: "ruleVersionMultiple", ref: refOf(vID, KindDatabase, EndpointDatabases), call: &Call{NotionVersion: "2022-06-28", Status: 400, Code: "validation_error"}, res: obs("2022-06-28", multi),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeDatabaseMultipleSources, CodeErrorVersion}, mention: []string{"The call sent Notion-Version 2022-06-28"}},
		{name: "linked database", rule: "ruleDatabase", ref: refOf(vID, KindDatabase, ""), res: obs("2025-09-03", bad(EndpointDatabases, vID, "Database with ID x is a linked database. Database retrievals do not support linked databases.")),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseLinked}},
		{name: "database without reachable data source", rule: "ruleDatabase", ref: refOf(vID, KindDatabase, ""), res: obs("2025-09-03", ok(EndpointDatabases, vID, Object{Object: "database", DataSources: []string{}, DataSourcesListed: true})),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseLinked}, mention: []string{"lists no data source"}},
		{name: "database block, databases 404: linked", rule: "ruleDatabase", ref: refOf(vID, "", ""), res: obs("2025-09-03", ok(EndpointBlocks, vID, dbBlock), nf(EndpointDatabases, vID)),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseLinked}},
		{name: "database block, databases 503: unfinished", rule: "ruleTransient", ref: refOf(vID, "", EndpointPages), res: obs("2025-09-03", ok(EndpointBlocks, vID, dbBlock), fail(EndpointDatabases, vID, OutcomeUnavailable, 503)),
			kind: KindDatabase, sees: true, codes: []Code{CodeNotionUnavailable}},
		{name: "database on data_sources", rule: "ruleMismatch", ref: refOf(vID, "", EndpointDataSources), res: obs("2025-09-03", nf(EndpointDataSources, vID), ok(EndpointBlocks, vID, dbBlock), ok(EndpointDatabases, vID, db1), nf(EndpointViews, vID)),
			kind: KindDatabase, done: true, sees: true, codes: []Code{CodeDatabaseDataSources, CodeEndpointMismatch}, mention: []string{"call /v1/data_sources/" + vDS + " instead of /v1/data_sources/" + vID}},
		{name: "data source", rule: "ruleDataSource", ref: refOf(vID, "", ""), res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDatabases, vID), ok(EndpointDataSources, vID, Object{Object: "data_source", Title: "Tasks", Parent: Parent{Type: "database_id", ID: vDB}}), nf(EndpointViews, vID)),
			kind: KindDataSource, done: true, sees: true, codes: []Code{CodeKindDataSource, CodeAccessOK}, mention: []string{"Its database is " + vDB}},
		{name: "data source on databases", rule: "ruleMismatch", ref: refOf(vID, KindDatabase, EndpointDatabases), res: obs("2025-09-03", nf(EndpointDatabases, vID), nf(EndpointBlocks, vID), ok(EndpointDataSources, vID, Object{Object: "data_source", Parent: Parent{Type: "database_id", ID: vDB}}), nf(EndpointViews, vID)),
			kind: KindDataSource, done: true, sees: true, codes: []Code{CodeKindDataSource, CodeEndpointMismatch}},
		{name: "data source under the call's 2022", rule: "ruleVersionTooOld", ref: refOf(vID, "", EndpointDataSources), call: &Call{NotionVersion: "2022-06-28", Status: 400, Code: "invalid_request_url"},
			res:  obs("2022-06-28", Answer{Family: EndpointDataSources, ID: vID, Version: "2025-09-03", Outcome: OutcomeOK, Status: 200, Object: &Object{Object: "data_source", Parent: Parent{Type: "database_id", ID: vDB}}}),
			kind: KindDataSource, done: true, sees: true, codes: []Code{CodeKindDataSource, CodeErrorVersion}},
		{name: "block on a page", rule: "ruleBlock", ref: refOf(vID, "", ""), res: obs("2025-09-03", ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "paragraph", Parent: Parent{Type: "page_id", ID: vPg}}), nf(EndpointDatabases, vID)),
			kind: KindBlock, done: true, sees: true, codes: []Code{CodeKindBlock, CodeAccessOK}, mention: []string{"To read the page, use its ID: " + vPg}},
		{name: "nested block walks up through the answers", rule: "ruleBlock", ref: refOf(vID, "", ""), res: obs("2025-09-03",
			ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "paragraph", Parent: Parent{Type: "block_id", ID: vBlk}}), nf(EndpointDatabases, vID),
			ok(EndpointBlocks, vBlk, Object{Object: "block", BlockType: "toggle", Parent: Parent{Type: "page_id", ID: vPg}})),
			kind: KindBlock, done: true, sees: true, codes: []Code{CodeKindBlock, CodeAccessOK}, mention: []string{"sits on page " + vPg}},
		{name: "view", rule: "ruleView", ref: refOf(vID, KindView, ""), res: obs("2025-09-03", ok(EndpointViews, vID, Object{Object: "view", Title: "All", Parent: Parent{Type: "database_id", ID: vDB, DatabaseID: vDB}, DataSourceID: vDS})),
			kind: KindView, done: true, sees: true, codes: []Code{CodeKindView, CodeAccessOK}, mention: []string{vDB, vDS}, absent: []string{"Connections"}},
		{name: "view on databases/…/query", rule: "ruleView", ref: refOf(vID, KindDatabase, EndpointDatabases), res: obs("2025-09-03", nf(EndpointDatabases, vID), nf(EndpointBlocks, vID), nf(EndpointDataSources, vID), ok(EndpointViews, vID, Object{Object: "view", Parent: Parent{Type: "database_id", ID: vDB, DatabaseID: vDB}, DataSourceID: vDS})),
			kind: KindView, done: true, sees: true, codes: []Code{CodeKindView, CodeEndpointMismatch}, mention: []string{"/v1/data_sources/" + vDS + "/query"}, absent: []string{"Connections"}},
		{name: "view as NOTION_DATABASE_ID", rule: "ruleView", ref: refOf(vID, KindDatabase, ""), res: obs("2025-09-03", nf(EndpointDatabases, vID), nf(EndpointBlocks, vID), nf(EndpointDataSources, vID), ok(EndpointViews, vID, Object{Object: "view", Parent: Parent{Type: "database_id", ID: vDB}, DataSourceID: vDS})),
			kind: KindView, done: true, sees: true, codes: []Code{CodeKindView, CodeEndpointMismatch}},
		{name: "404 everywhere: not shared", rule: "notShared", ref: refOf(vID, "", ""), res: obs("2025-09-03", allNF(vID)...),
			done: true, codes: []Code{CodeAccessNotShared}, mention: []string{`add the integration "Iris"`, `"Acme"`}},
		{name: "web link, 404 on blocks and databases: not shared", rule: "covers", ref: Reference{Source: "https://www.notion.so/x-" + Hex32(vID), ID: vID, Hint: KindUnknown, Origin: OriginLink},
			res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDatabases, vID)), done: true, codes: []Code{CodeAccessNotShared}},
		{name: "bare ID, 404 on blocks and databases only: no verdict", rule: "covers", ref: Reference{Source: vID, ID: vID, Hint: KindUnknown, Origin: OriginID},
			res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDatabases, vID)), codes: []Code{CodeNotionUnavailable}},
		{name: "404 everywhere but views not asked: no verdict", rule: "covers", ref: refOf(vID, "", ""), res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDataSources, vID)),
			codes: []Code{CodeNotionUnavailable}},
		{name: "bare ID, 404 on blocks, another integration reads a page: not shared", rule: "covers", ref: refOf(vID, "", EndpointPages),
			res: obs("2025-09-03", nf(EndpointBlocks, vID)), elsewhere: KindPage, done: true, codes: []Code{CodeAccessNotShared}},
		{name: "bare ID, 404 on blocks, another integration reads a database: not shared", rule: "covers", ref: refOf(vID, "", ""),
			res: obs("2025-09-03", nf(EndpointBlocks, vID)), elsewhere: KindDatabase, done: true, codes: []Code{CodeAccessNotShared}},
		{name: "bare ID, 404 on blocks, another integration reads a data source: no verdict", rule: "covers", ref: refOf(vID, "", EndpointPages),
			res: obs("2025-09-03", nf(EndpointBlocks, vID)), elsewhere: KindDataSource, codes: []Code{CodeNotionUnavailable}},
		{name: "bare ID, 404 on blocks and data_sources, another integration reads a data source: not shared", rule: "covers", ref: refOf(vID, "", ""),
			res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDataSources, vID)), elsewhere: KindDataSource, done: true, codes: []Code{CodeAccessNotShared}},
		{name: "bare ID, 404 on blocks and data_sources, another integration reads a view: no verdict", rule: "covers", ref: refOf(vID, "", ""),
			res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDataSources, vID)), elsewhere: KindView, codes: []Code{CodeNotionUnavailable}},
		{name: "another integration reads it, 404 and 503: never not shared", rule: "ruleTransient", ref: refOf(vID, "", ""),
			res: obs("2025-09-03", nf(EndpointBlocks, vID), fail(EndpointDataSources, vID, OutcomeUnavailable, 503)), elsewhere: KindPage, codes: []Code{CodeNotionUnavailable}},
		{name: "404 with a personal token: no Connections advice", rule: "notShared", ref: refOf(vID, "", ""), who: asker{info: IntegrationInfo{Name: "Notion CLI", Workspace: "Acme", Personal: true, Me: Answer{Outcome: OutcomeOK}}, primary: true},
			res: obs("2025-09-03", allNF(vID)...), done: true, codes: []Code{CodeAccessNotShared}, mention: []string{"personal access token"}, absent: []string{"Connections, and add"}},
		{name: "users/me unknown: the 404 message names the integration", rule: "notShared", ref: refOf(vID, "", ""), who: asker{label: "NOTION_TOKEN", primary: true},
			res: obs("2025-09-03", allNF(vID)...), done: true, codes: []Code{CodeAccessNotShared}, mention: []string{`add the integration "Iris"`}},
		{name: "404 and 503: never not shared", rule: "ruleTransient", ref: refOf(vID, "", ""), res: obs("2025-09-03", nf(EndpointBlocks, vID), nf(EndpointDatabases, vID), fail(EndpointDataSources, vID, OutcomeUnavailable, 503), nf(EndpointViews, vID)),
			codes: []Code{CodeNotionUnavailable}},
		{name: "429 past the deadline", rule: "ruleTransient", ref: refOf(vID, "", ""), res: obs("2025-09-03", fail(EndpointBlocks, vID, OutcomeRateLimited, 429), nf(EndpointDatabases, vID)),
			codes: []Code{CodeNotionRateLimited}},
		{name: "401", rule: "ruleUnauthorized", ref: refOf(vID, "", ""), res: obs("2025-09-03", Answer{Family: EndpointBlocks, ID: vID, Outcome: OutcomeUnauthorized, Status: 401, Code: "unauthorized"}),
			intCodes: []Code{CodeTokenInvalid}},
		{name: "403 on every read", rule: "capability", ref: refOf(vID, "", ""), res: obs("2025-09-03", Answer{Family: EndpointBlocks, ID: vID, Outcome: OutcomeForbidden, Status: 403, Code: "restricted_resource"}, Answer{Family: EndpointDatabases, ID: vID, Outcome: OutcomeForbidden, Status: 403, Code: "restricted_resource"}),
			intCodes: []Code{CodeAccessCapability}},
		{name: "an answer of no known shape", rule: "unresolved", ref: refOf(vID, "", ""), res: obs("2025-09-03", nf(EndpointBlocks, vID), bad(EndpointDatabases, vID, "something new")),
			codes: []Code{CodeNotionUnavailable}},
		{name: "nothing asked", rule: "judge", ref: refOf("None", "", ""), res: obs("2025-09-03")},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			who := tt.who
			if who.label == "" && who.info.Name == "" {
				who = iris
			}
			j := judge(tt.ref, tt.call, who, tt.res, tt.elsewhere)
			kind := tt.kind
			if kind == "" {
				kind = KindUnknown
			}
			if j.Kind != kind || j.Done != tt.done || j.Sees != tt.sees {
				t.Errorf("kind %s done %v sees %v, want %s %v %v", j.Kind, j.Done, j.Sees, kind, tt.done, tt.sees)
			}
			got := codesOf(j.Findings)
			want := orEmpty(tt.codes)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("codes %v, want %v\n%s", codesOf(j.Findings), tt.codes, textOf(j.Findings))
			}
			if got := codesOf(j.IntegrationFindings); !slices.Equal(got, orEmpty(tt.intCodes)) {
				t.Errorf("integration codes %v, want %v", got, tt.intCodes)
			}
			all := textOf(j.Findings)
			for _, m := range tt.mention {
				if !strings.Contains(all, m) {
					t.Errorf("findings do not mention %q:\n%s", m, all)
				}
			}
			for _, m := range tt.absent {
				if strings.Contains(all, m) {
					t.Errorf("findings mention %q:\n%s", m, all)
				}
			}
			if strings.Contains(all, "{") && !strings.Contains(all, `{"type"`) {
				t.Errorf("unfilled placeholder:\n%s", all)
			}
			if !hasError(j.Findings) && j.Done && !slices.Contains(codesOf(j.Findings), CodeAccessOK) {
				t.Errorf("a finished verdict with no error must say access.ok: %v", codesOf(j.Findings))
			}
		})
	}
}

// TestIntegrationFrom is the table of the users/me rule.
func TestIntegrationFrom(t *testing.T) {
	tests := []struct {
		name   string
		info   IntegrationInfo
		status Status
		usable bool
		codes  []Code
	}{
		{"ok", IntegrationInfo{Name: "Iris", Workspace: "Acme", Me: Answer{Outcome: OutcomeOK, Status: 200}}, StatusOK, true, nil},
		{"personal access token", IntegrationInfo{Name: "Notion CLI", Personal: true, Me: Answer{Outcome: OutcomeOK, Status: 200}}, StatusOK, true, []Code{CodeTokenPersonal}},
		{"401", IntegrationInfo{Me: Answer{Family: EndpointUsers, Outcome: OutcomeUnauthorized, Status: 401, Code: "unauthorized", Message: "API token is invalid."}}, StatusProblem, false, []Code{CodeTokenInvalid}},
		{"403 users capability", IntegrationInfo{Me: Answer{Outcome: OutcomeForbidden, Status: 403}}, StatusOK, true, nil},
		{"unavailable", IntegrationInfo{Me: Answer{Outcome: OutcomeUnavailable}}, StatusUnknown, true, nil},
		{"not asked", IntegrationInfo{}, StatusUnknown, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, usable := IntegrationFrom(tt.info)
			if in.Status != tt.status || usable != tt.usable || !slices.Equal(codesOf(in.Findings), orEmpty(tt.codes)) {
				t.Errorf("got %s %v %v, want %s %v %v", in.Status, usable, codesOf(in.Findings), tt.status, tt.usable, tt.codes)
			}
			if tt.info.Personal && strings.Contains(textOf(in.Findings), "→ Connections, and add") {
				t.Errorf("personal token told to share with a connection: %s", textOf(in.Findings))
			}
		})
	}
}

// TestCallRules is the table of the rules over the person's call and all
// integrations' views: access.other_integration and call.not_reproduced.
func TestCallRules(t *testing.T) {
	pageRes := obs("2025-09-03", ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "child_page"}), bad(EndpointDatabases, vID, "is a page, not a database"))
	nfRes := obs("2025-09-03", allNF(vID)...)
	marketing := asker{info: IntegrationInfo{Name: "Marketing Sync", Me: Answer{Outcome: OutcomeOK}}, label: "NOTION_TOKENS #1"}
	ref := refOf(vID, KindPage, EndpointPages)
	v := func(who asker, res ProbeResult, call *Call) view {
		return view{who: who, j: judge(ref, call, who, res, ""), res: res}
	}
	notFound := &Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Status: 404, Code: "object_not_found", Integration: "Marketing Sync",
		Message: "Could not find page with ID: " + vID + ". Make sure the relevant pages and databases are shared with your integration \"Marketing Sync\"."}
	unnamed := &Call{Status: 404, Code: "object_not_found", Message: "Could not find page with ID: " + vID + "."}
	tests := []struct {
		name    string
		call    *Call
		views   func(*Call) []view
		other   bool
		notRepr bool
		mention []string
	}{
		{"other integration named, ours reads it", notFound, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, true, false, []string{`"Iris" can read it`, `"Marketing Sync"`}},
		{"other integration named, configured and asked", notFound, func(c *Call) []view { return []view{v(marketing, nfRes, c)} }, false, false, nil},
		{"other integration named, nobody sees it", notFound, func(c *Call) []view { return []view{v(iris, nfRes, c)} }, false, false, nil},
		{"no integration named, page readable: not reproduced", unnamed, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, false, true, []string{"does not name the call's integration", "Notion-Version"}},
		{"no integration named, another configured one does not see it", unnamed, func(c *Call) []view { return []view{v(iris, pageRes, c), v(marketing, nfRes, c)} }, false, true, []string{`"Marketing Sync" cannot see the object`}},
		{"version differs", &Call{Status: 404, Code: "object_not_found", NotionVersion: "2022-06-28"}, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, false, true, []string{"the call sent Notion-Version 2022-06-28, these checks 2025-09-03"}},
		{"401 pasted, our token accepted", &Call{Status: 401, Code: "unauthorized"}, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, false, true, []string{"the call used another token"}},
		{"429 pasted: the limit is the cause, not the object", &Call{Status: 429, Code: "rate_limited"}, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, false, false, nil},
		{"no call", nil, func(c *Call) []view { return []view{v(iris, pageRes, c)} }, false, false, nil},
		{"object not readable: not shared is the verdict", unnamed, func(c *Call) []view { return []view{v(iris, nfRes, c)} }, false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			views := tt.views(tt.call)
			f, other := ruleOtherIntegration(ref, tt.call, views)
			var all string
			if other {
				all = textOf([]Finding{f})
			}
			if other != tt.other {
				t.Errorf("access.other_integration %v, want %v: %s", other, tt.other, all)
			}
			fs := views[0].j.Findings
			if other {
				fs = append(fs, f)
			}
			g, nr := ruleNotReproduced(ref, tt.call, views[0], fs, views[1:]...)
			if nr {
				all += textOf([]Finding{g})
			}
			if nr != tt.notRepr {
				t.Errorf("call.not_reproduced %v, want %v: %s", nr, tt.notRepr, all)
			}
			for _, m := range tt.mention {
				if !strings.Contains(all, m) {
					t.Errorf("findings do not mention %q:\n%s", m, all)
				}
			}
		})
	}
}

// TestNotSharedWithCaller: nobody here sees the object and the call's
// integration is not configured: the fix names the call's integration.
func TestNotSharedWithCaller(t *testing.T) {
	ref := refOf(vID, KindPage, EndpointPages)
	nfRes := obs("2025-09-03", allNF(vID)...)
	pageRes := obs("2025-09-03", ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "child_page"}))
	marketing := asker{info: IntegrationInfo{Name: "Marketing Sync", Me: Answer{Outcome: OutcomeOK}}}
	call := &Call{Status: 404, Code: "object_not_found", Integration: "Zapier"}
	tests := []struct {
		name  string
		call  *Call
		who   asker
		res   ProbeResult
		names string // the integration the fix names ("" when the finding stays as it was)
	}{
		{"unconfigured integration, nobody sees it", call, iris, nfRes, `add the integration "Zapier"`},
		{"the call's integration is the one asked", &Call{Status: 404, Integration: "Marketing Sync"}, marketing, nfRes, `add the integration "Marketing Sync"`},
		{"no integration named", &Call{Status: 404}, iris, nfRes, `add the integration "Iris"`},
		{"someone sees it: other_integration's business", call, iris, pageRes, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := judge(ref, tt.call, tt.who, tt.res, "")
			fs := ruleNotSharedWithCaller(tt.call, []view{{who: tt.who, j: j, res: tt.res}}, j.Findings)
			if got := textOf(fs); tt.names != "" && !strings.Contains(got, tt.names) {
				t.Errorf("fix does not say %s:\n%s", tt.names, got)
			}
			if tt.names == "" && !slices.Equal(codesOf(fs), codesOf(j.Findings)) {
				t.Errorf("findings changed: %v", codesOf(fs))
			}
		})
	}
}

func TestCallRef(t *testing.T) {
	refs := []Reference{refOf(vPg, "", ""), refOf(vID, "", ""), {Source: "x", Hint: KindUnknown}}
	if i := callRef(&Call{Message: "Could not find page with ID: " + vID + "."}, refs); i != 1 {
		t.Errorf("callRef = %d, want the ID the message names (1)", i)
	}
	if i := callRef(&Call{Message: "API token is invalid."}, refs); i != 0 {
		t.Errorf("callRef = %d, want the first checkable (0)", i)
	}
	if i := callRef(nil, refs); i != -1 {
		t.Errorf("callRef(nil) = %d", i)
	}
	if got := IntegrationInMessage(`Could not find page with ID: x. Make sure the relevant pages and databases are shared with your integration "Marketing Sync".`); got != "Marketing Sync" {
		t.Errorf("IntegrationInMessage = %q", got)
	}
	if got := IntegrationInMessage(`Could not find page with ID: x. Make sure the relevant pages and databases are shared with your integration.`); got != "" {
		t.Errorf("old message gave %q", got)
	}
}
