// Package failedcalls is the table of realistic failed Notion calls that
// people paste (issue 10): error bodies, SDK exceptions, curl lines, logs
// and code, each written from the facts files (/work/shared/facts) and the
// public issue threads they cite, with the call the reader must see in it,
// the codes the offline reading must give, and the codes the online
// diagnosis against the fake Notion world (diagnose/notiontest) must give.
//
// The offline runner is diagnose's TestFailedCallsOffline; the online
// runner runs the same Cases against notiontest.
package failedcalls

import "github.com/notion-check/notion-check/diagnose"

// Case is one failed call as pasted.
type Case struct {
	// Name names the case in test output.
	Name string
	// Source is where the text comes from: the public thread or the facts
	// section it follows.
	Source string
	// Text is what the person pasted.
	Text string
	// NotionVersion is the Notion-Version the checks run with (the
	// NOTION_VERSION setting); "" is the default.
	NotionVersion string
	// Token is the token the checks run with; "" is notiontest.GoodToken
	// (integration "Iris Checker").
	Token string
	// Others are the tokens of the team's other integrations configured
	// (Config.Others); nil when none.
	Others []string
	// Call holds the fields Reading.Call must have (only the fields set
	// here are compared; AdditionalData keys listed must match); nil when
	// the text shows no call, so Reading.Call must be nil too.
	Call *diagnose.Call
	// IDs are the IDs of the checks, in order ("" for a check without an
	// ID). Request, workspace, integration, user IDs and cursors are never
	// among them.
	IDs []string
	// Offline is every finding code the offline reading gives, over all
	// checks, as a set (order and repeats do not matter).
	Offline []diagnose.Code
	// Online are codes the online diagnosis must give (in any check or in
	// the integration), among others.
	Online []diagnose.Code
	// Never are codes no diagnosis of the text may give, offline or online.
	Never []diagnose.Code
	// Lead are words the first line of the offline report must hold (the
	// property, its type, the JSON to send); nil when not measured.
	Lead []string
	// OnlineLead are words the first line of the online report must hold.
	OnlineLead []string
}

// IDs of the fake world (diagnose/notiontest/world.go) and the names
// agreed in COMMON.md, as literal strings so this table does not depend on
// the fake.
const (
	rootPage       = "3d47810f-380f-80d7-a001-000000000001"
	sharedPage     = "3d47810f-380f-80d7-a001-000000000002"
	unsharedPage   = "3d47810f-380f-80d7-a001-000000000003"
	trashedPage    = "3d47810f-380f-80d7-a001-000000000004"
	rowPage        = "3d47810f-380f-80d7-a001-000000000005"
	marketingPage  = "3d47810f-380f-80d7-a001-000000000006"
	database       = "3d47810f-380f-80d7-a002-000000000001"
	multiDatabase  = "3d47810f-380f-80d7-a002-000000000002"
	linkedDatabase = "3d47810f-380f-80d7-a002-000000000003"
	orphanDatabase = "3d47810f-380f-80d7-a002-000000000004"
	dataSource     = "3d47810f-380f-80d7-a003-000000000001"
	multiSource1   = "3d47810f-380f-80d7-a003-000000000002"
	multiSource2   = "3d47810f-380f-80d7-a003-000000000003"
	view           = "3d47810f-380f-80d7-a004-000000000001"
	hiddenSource   = "3d47810f-380f-80d7-a003-000000000004"
	block          = "3d47810f-380f-80d7-a005-000000000001"
	missing        = "deadbeef-dead-beef-dead-beefdeadbeef"

	integrationID = "1a2b3c4d-0000-4000-8000-0000000171d0"
	workspaceID   = "1a2b3c4d-0000-4000-8000-000000000a0e"
	botUserID     = "1a2b3c4d-0000-4000-8000-00000000b071"
	requestID     = "292c30e5-d974-4616-9f41-43fa3fd9879b"

	marketingToken = "ntn_44444444444MarketingTokenAbCdEfGhIjKlMnOpQrStU"
	personalToken  = "ntn_55555555555PersonalTokenAbCdEfGhIjKlMnOpQrStUvW"
	// pastedToken is a token as a person pastes it in a curl line; it is
	// no token of the fake.
	pastedToken = "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"
)

// hex is an ID's 32-character form.
func hex(id string) string {
	out := make([]byte, 0, 32)
	for i := 0; i < len(id); i++ {
		if id[i] != '-' {
			out = append(out, id[i])
		}
	}
	return string(out)
}

type codes = []diagnose.Code

const (
	idMissing       = diagnose.CodeIDMissing
	idMalformed     = diagnose.CodeIDMalformed
	idExtracted     = diagnose.CodeIDExtracted
	idVariable      = diagnose.CodeIDVariable
	linkView        = diagnose.CodeLinkView
	linkNotContent  = diagnose.CodeLinkNotContent
	accessOK        = diagnose.CodeAccessOK
	accessNotShared = diagnose.CodeAccessNotShared
	accessOther     = diagnose.CodeAccessOtherIntegration
	notReproduced   = diagnose.CodeCallNotReproduced
	endpointMis     = diagnose.CodeEndpointMismatch
	kindView        = diagnose.CodeKindView
	kindBlock       = diagnose.CodeKindBlock
	kindDataSource  = diagnose.CodeKindDataSource
	multiSources    = diagnose.CodeDatabaseMultipleSources
	dbLinked        = diagnose.CodeDatabaseLinked
	inTrash         = diagnose.CodeObjectInTrash
	tokenPersonal   = diagnose.CodeTokenPersonal
	eUnauthorized   = diagnose.CodeErrorUnauthorized
	eRestricted     = diagnose.CodeErrorRestricted
	eNotFound       = diagnose.CodeErrorNotFound
	eVersion        = diagnose.CodeErrorVersion
	eRequestURL     = diagnose.CodeErrorRequestURL
	eValidation     = diagnose.CodeErrorValidation
	eArchived       = diagnose.CodeErrorArchived
	eRateLimited    = diagnose.CodeErrorRateLimited
	eServer         = diagnose.CodeErrorServer
	callClient      = diagnose.CodeCallClient
	searchEmpty     = diagnose.CodeSearchEmpty
	oauthGrant      = diagnose.CodeOAuthGrant
	tokenOAuth      = diagnose.CodeTokenOAuth
	bodyType        = diagnose.CodeBodyPropertyType
	bodyMissing     = diagnose.CodeBodyPropertyMissing
	bodyOption      = diagnose.CodeBodyOption
	bodyReadOnly    = diagnose.CodeBodyReadOnly
	bodyTitle       = diagnose.CodeBodyTitle
	bodyRelation    = diagnose.CodeBodyRelation
	bodyValue       = diagnose.CodeBodyValue
	bodyLimit       = diagnose.CodeBodyLimit
	bodyParent      = diagnose.CodeBodyParent
	bodyBlock       = diagnose.CodeBodyBlock
)

// notFound is Notion's 404 message for an object of a noun, naming the
// integration (facts §1.2, §1.4).
func notFound(noun, id, integration string) string {
	m := "Could not find " + noun + " with ID: " + id + ". Make sure the relevant pages and databases are shared with your integration"
	if integration == "" {
		return m + "."
	}
	return m + ` "` + integration + `".`
}

// body is a compact Notion error body in the live key order (facts §1.1).
func body(status, code, message string) string {
	return `{"object":"error","status":` + status + `,"code":"` + code + `","message":"` + jsonEscape(message) + `","request_id":"` + requestID + `"}`
}

func jsonEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

const multiMessage = "Databases with multiple data sources are not supported in this API version."

// Cases returns the table. Each call returns a fresh slice.
func Cases() []Case {
	return append(append(idCases(), bodyCases()...), causeCases()...)
}

func idCases() []Case {
	return []Case{
		// --- 404: the online verdict explains it (facts §1.4; issue 10) ---
		{
			Name:   "404 naming another integration, page readable here",
			Source: "issue 10 (first quoted failure); facts §1.2 object_not_found message with the integration name",
			Text:   body("404", "object_not_found", notFound("page", sharedPage, "Marketing Sync")),
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Marketing Sync", RequestID: requestID},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{accessOther}, Never: codes{accessNotShared, idMissing},
		},
		{
			Name:   "JS SDK exception naming another integration",
			Source: "issue 10; makenotion/notion-sdk-js src/errors.ts APIResponseError",
			Text:   "APIResponseError: " + notFound("page", sharedPage, "Marketing Sync") + "\n    at buildRequestError (/app/node_modules/@notionhq/client/build/src/errors.js:162:16)\n    at Client.request (/app/node_modules/@notionhq/client/build/src/Client.js:378:54)",
			Call:   &diagnose.Call{Code: "object_not_found", Status: 404, Integration: "Marketing Sync"},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{accessOther}, Never: codes{accessNotShared},
		},
		{
			Name:   "404 naming another integration that is configured here",
			Source: "issue 10 (NOTION_TOKENS: the team's other integrations); COMMON.md Marketing Sync world",
			Text:   body("404", "object_not_found", notFound("page", sharedPage, "Marketing Sync")),
			Others: []string{marketingToken},
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Marketing Sync"},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared}, Never: codes{idMissing},
		},
		{
			Name:   "Python 404 for a page not shared",
			Source: "ramnes/notion-sdk-py errors.py APIResponseError; luciovilla/notion-nextjs-blog#3",
			Text:   "Traceback (most recent call last):\n  File \"sync.py\", line 12, in <module>\n    page = notion.pages.retrieve(page_id=\"" + hex(unsharedPage) + "\")\nnotion_client.errors.APIResponseError: " + notFound("page", unsharedPage, "Iris Checker"),
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Code: "object_not_found", Status: 404, Integration: "Iris Checker"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "JS inspect dump of a 404 body",
			Source: "facts §1.1 error body schema, as Node's console.log prints it",
			Text:   "{\n  object: 'error',\n  status: 404,\n  code: 'object_not_found',\n  message: 'Could not find database with ID: " + missing + ". Make sure the relevant pages and databases are shared with your integration \"Iris Checker\".',\n  request_id: '" + requestID + "'\n}",
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Iris Checker", RequestID: requestID},
			IDs:    []string{missing}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "SDK warn line",
			Source: "makenotion/notion-sdk-js Client.ts logging ('request fail'); notion-sdk-js#99",
			Text:   "@notionhq/client warn: request fail {\n  code: 'object_not_found',\n  message: 'Could not find page with ID: " + unsharedPage + ". Make sure the relevant pages and databases are shared with your integration \"Iris Checker\".',\n  attempt: 0,\n  requestId: '" + requestID + "'\n}",
			Call:   &diagnose.Call{Code: "object_not_found", Status: 404, Integration: "Iris Checker", RequestID: requestID},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "404 for a page this integration reads",
			Source: "issue 10 ('All good' for a failed call → call.not_reproduced)",
			Text:   body("404", "object_not_found", notFound("page", sharedPage, "Iris Checker")),
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{notReproduced}, Never: codes{accessNotShared},
		},
		{
			Name:   "old 404 wording without a name, database readable",
			Source: "facts §1.4 ('…shared with your integration.' older form); stevedsun/notion-graph-view#8",
			Text:   notFound("database", database, ""),
			Call:   &diagnose.Call{Code: "object_not_found", Status: 404},
			IDs:    []string{database}, Offline: codes{idExtracted},
			Online: codes{notReproduced}, Never: codes{accessNotShared},
		},
		{
			Name:   "dataSources.query with a database ID",
			Source: "makenotion/notion-sdk-js#612 (dataSources.query with a database ID gives object_not_found)",
			Text:   "const res = await notion.dataSources.query({ data_source_id: '" + database + "' })\n// APIResponseError: " + notFound("data_source", database, "Iris Checker"),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query", Code: "object_not_found"},
			IDs:    []string{database}, Offline: codes{idExtracted},
			Online: codes{endpointMis}, Never: codes{accessNotShared},
		},
		{
			Name:   "database_id parent given a data source ID",
			Source: "Grey-Iris/easy-notion-mcp#15 (data-source ID used as a database ID); facts §1.4",
			Text:   "POST /v1/pages\n{\"parent\": {\"database_id\": \"" + dataSource + "\"}, \"properties\": {}}\n→ 404 " + notFound("database", dataSource, "Iris Checker"),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", ParentType: "database_id", ParentID: dataSource, Status: 404},
			IDs:    []string{dataSource}, Offline: codes{idExtracted},
			Online: codes{kindDataSource}, Never: codes{accessNotShared},
		},
		{
			Name:   "masked ID in a 404",
			Source: "issue 10 (error texts without a checkable ID); facts §1.2",
			Text:   "Could not find page with ID: 3d47810f-****-****. Make sure the relevant pages and databases are shared with your integration \"Zapier Sync\".",
			Call:   &diagnose.Call{Code: "object_not_found", Status: 404, Integration: "Zapier Sync"},
			IDs:    []string{""}, Offline: codes{eNotFound},
			Online: codes{eNotFound}, Never: codes{idMissing, idMalformed},
		},
		{
			Name:   "redacted ID in a 404 body",
			Source: "facts §1.1 body; support threads paste bodies with the ID cut out",
			Text:   body("404", "object_not_found", "Could not find block with ID: <redacted>. Make sure the relevant pages and databases are shared with your integration \"Iris Checker\"."),
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{""}, Offline: codes{eNotFound},
			Online: codes{eNotFound}, Never: codes{idMissing},
		},
		{
			Name:   "peek link and a 404 for the row",
			Source: "peers §3 shape 4 (row opened in peek); n8n-io/n8n PR #11643",
			Text:   "https://www.notion.so/acme/" + hex(database) + "?v=" + hex(view) + "&p=" + hex(rowPage) + "&pm=s\nnotion.pages.update → " + notFound("page", rowPage, "Iris Checker"),
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "object_not_found"},
			IDs:    []string{rowPage}, Offline: codes{idExtracted, diagnose.CodeLinkPeek},
			Online: codes{notReproduced}, Never: codes{accessNotShared},
		},
		{
			Name:   "database ID on the pages endpoint",
			Source: "facts §1.5 ('Provided ID … is a database, not a page.')",
			Text:   body("400", "validation_error", "Provided ID "+database+" is a database, not a page. Use the retrieve database API instead."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{database}, Offline: codes{idExtracted},
			Online: codes{endpointMis},
		},
		{
			Name:   "page ID on the databases endpoint",
			Source: "facts §1.5 (2026 wording); NotionNext#425",
			Text:   "GET https://api.notion.com/v1/databases/" + hex(sharedPage) + "\n" + body("400", "validation_error", "Provided database_id "+sharedPage+" is a page, not a database. Use the pages API instead, or pass the ID of the database itself."),
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/databases/{database_id}", Status: 400, Code: "validation_error"},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{endpointMis},
		},
		{
			Name:   "block ID on the pages endpoint",
			Source: "facts §1.5 ('is a block, not a page', third-party fixtures)",
			Text:   "notion.pages.retrieve({ page_id: '" + block + "' })\nAPIResponseError: Provided ID " + block + " is a block, not a page. Use the retrieve block API instead.",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Code: "validation_error"},
			IDs:    []string{block}, Offline: codes{idExtracted},
			Online: codes{kindBlock},
		},
		{
			Name:   "linked database",
			Source: "facts §1.6; outline/outline NotionAPIImportTask skippableErrorMessages; peers §4 #9",
			Text:   "Database with ID " + linkedDatabase + " is a linked database. Database retrievals do not support linked databases.",
			Call:   &diagnose.Call{Code: "validation_error", Status: 400},
			IDs:    []string{linkedDatabase}, Offline: codes{idExtracted},
			Online: codes{dbLinked},
		},
		{
			Name:   "database without reachable data sources",
			Source: "facts §1.6; ultimate-notion PR #113",
			Text:   body("400", "validation_error", "Database with ID "+orphanDatabase+" does not contain any data sources accessible by this API bot."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{orphanDatabase}, Offline: codes{idExtracted},
			Never: codes{idMissing, accessOK},
		},

		// --- Versions (facts §1.6, §2, §9) ---
		{
			Name:   "Python multiple data sources",
			Source: "issue 10 (quoted Python error); facts §1.6",
			Text:   "notion_client.errors.APIResponseError: " + multiMessage + " (database_id=" + multiDatabase + ")",
			Call:   &diagnose.Call{Code: "validation_error", Status: 400},
			IDs:    []string{multiDatabase}, Offline: codes{eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:   "official body with child_data_source_ids",
			Source: "facts §1.6; makenotion/notion-sdk-js test/Client.test.ts 'parses additional_data from API validation error response'",
			Text:   `{"object":"error","status":400,"code":"validation_error","message":"` + multiMessage + `","request_id":"` + requestID + `","additional_data":{"error_type":"multiple_data_sources_for_database","database_id":"` + multiDatabase + `","child_data_source_ids":["` + multiSource1 + `","` + multiSource2 + `"],"minimum_api_version":"2025-09-03"}}`,
			Call: &diagnose.Call{Status: 400, Code: "validation_error", RequestID: requestID, AdditionalData: map[string]string{
				"error_type": "multiple_data_sources_for_database", "database_id": multiDatabase,
				"child_data_source_ids": multiSource1 + "," + multiSource2, "minimum_api_version": "2025-09-03"}},
			IDs: []string{multiDatabase}, Offline: codes{eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:   "curl query with 2022-06-28 on a two-source database",
			Source: "issue 10 (curl with -H 'Notion-Version: 2022-06-28'); facts §9 several data sources",
			Text:   "curl -X POST 'https://api.notion.com/v1/databases/" + multiDatabase + "/query' \\\n  -H 'Authorization: Bearer '\"$NOTION_API_KEY\"'' \\\n  -H 'Notion-Version: 2022-06-28' \\\n  -H 'Content-Type: application/json'\n" + body("400", "validation_error", multiMessage),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: "2022-06-28", Status: 400, Code: "validation_error"},
			IDs:    []string{multiDatabase}, Offline: codes{idExtracted, eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:   "curl query with 2022-06-28, no answer pasted",
			Source: "issue 10; facts §2 (multi-source database with the old version → 400)",
			Text:   "curl -X POST https://api.notion.com/v1/databases/" + hex(multiDatabase) + "/query -H \"Notion-Version: 2022-06-28\" -H \"Authorization: Bearer $NOTION_TOKEN\" -d '{}'",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: "2022-06-28"},
			IDs:    []string{multiDatabase}, Offline: codes{idExtracted},
			Online: codes{multiSources},
		},
		{
			Name:   "create page with database_id parent on a two-source database",
			Source: "issue 10 (POST /v1/pages with a database_id parent); peers §7 #7 (raycast/extensions#25550)",
			Text:   "POST https://api.notion.com/v1/pages\nNotion-Version: 2022-06-28\n{\"parent\":{\"database_id\":\"" + hex(multiDatabase) + "\"},\"properties\":{\"Name\":{\"title\":[{\"text\":{\"content\":\"x\"}}]}}}\n→ 400 validation_error: " + multiMessage,
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2022-06-28", ParentType: "database_id", ParentID: hex(multiDatabase), Code: "validation_error", Status: 400},
			IDs:    []string{multiDatabase}, Offline: codes{eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:          "checks run under 2022-06-28 on a two-source database",
			Source:        "issue 10 ('NOTION_VERSION=2022-06-28 notion-check <two-source database>' said all good)",
			Text:          "https://www.notion.so/acme/Projects-" + hex(multiDatabase),
			NotionVersion: "2022-06-28",
			IDs:           []string{multiDatabase}, Offline: codes{idExtracted},
			Online: codes{multiSources},
		},
		{
			Name:   "jomei Database.Query on a two-source database",
			Source: "facts §6 (jomei/notionapi is pinned to 2022-06-28), §9; jomei/notionapi#195",
			Text:   "resp, err := client.Database.Query(ctx, notionapi.DatabaseID(\"" + hex(multiDatabase) + "\"), &notionapi.DatabaseQueryRequest{})\n// err: " + multiMessage,
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: "2022-06-28", Code: "validation_error"},
			IDs:    []string{multiDatabase}, Offline: codes{eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:   "missing_version body",
			Source: "issue 10; facts §1.2 missing_version (live wording with backticks)",
			Text:   body("400", "missing_version", "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."),
			Call:   &diagnose.Call{Status: 400, Code: "missing_version", RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eVersion},
			Online: codes{eVersion}, Never: codes{idMissing},
		},
		{
			Name:    "missing_version from a fetch call",
			Source:  "facts §1.2, §1.7 (a hand-written fetch without the header)",
			Text:    "const r = await fetch(`https://api.notion.com/v1/pages/${pageId}`, { headers: { Authorization: `Bearer ${token}` } })\n// {\"object\":\"error\",\"status\":400,\"code\":\"missing_version\",\"message\":\"Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.\"}",
			Call:    &diagnose.Call{Endpoint: "/v1/pages/{page_id}", Status: 400, Code: "missing_version"},
			Offline: codes{eVersion, idVariable},
			Never:   codes{idMissing},
		},
		{
			Name:   "unknown Notion-Version value",
			Source: "facts §1.7 (invalid version value: response UNVERIFIED; the header is read as sent)",
			Text:   "curl https://api.notion.com/v1/users/me -H 'Notion-Version: 2024-01-01' -H 'Authorization: Bearer $NOTION_TOKEN'\n{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"Notion-Version header failed validation: Notion-Version header should be one of [\\\"2022-06-28\\\",\\\"2025-09-03\\\",\\\"2026-03-11\\\"], instead was `\\\"2024-01-01\\\"`.\"}",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/users/me", NotionVersion: "2024-01-01", Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{eVersion},
			Online: codes{eVersion}, Never: codes{idMissing},
		},
		{
			Name:   "data-source route with 2022-06-28",
			Source: "facts §2, §9; makenotion/notion-mcp-server#178, #179",
			Text:   "curl https://api.notion.com/v1/data_sources/" + dataSource + " -H \"Notion-Version: 2022-06-28\" -H \"Authorization: Bearer $NOTION_TOKEN\"\n" + body("400", "invalid_request_url", "Invalid request URL."),
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/data_sources/{data_source_id}", NotionVersion: "2022-06-28", Status: 400, Code: "invalid_request_url"},
			IDs:    []string{dataSource}, Offline: codes{idExtracted, eVersion},
			Online: codes{eVersion}, Never: codes{eRequestURL, accessNotShared},
		},
		{
			Name:   "SDK client pinned to 2022-06-28 queries a data source",
			Source: "makenotion/notion-mcp-server#185, #218; facts §9",
			Text:   "const notion = new Client({ auth: process.env.NOTION_TOKEN, notionVersion: '2022-06-28' })\nawait notion.dataSources.query({ data_source_id: '" + dataSource + "' })\n// @notionhq/client warn: request fail { code: 'invalid_request_url', message: 'Invalid request URL.' }",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query", NotionVersion: "2022-06-28", Code: "invalid_request_url"},
			IDs:    []string{dataSource}, Offline: codes{eVersion},
			Online: codes{eVersion}, Never: codes{accessNotShared},
		},
		{
			Name:   "views route with 2022-06-28",
			Source: "facts §9 (Views API needs 2025-09-03 or later)",
			Text:   "GET /v1/views/" + view + "\nNotion-Version: 2022-06-28\n→ 400 invalid_request_url \"Invalid request URL.\"",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/views/{view_id}", NotionVersion: "2022-06-28", Code: "invalid_request_url", Status: 400},
			IDs:    []string{view}, Offline: codes{idExtracted, eVersion},
			Online: codes{eVersion, kindView}, Never: codes{accessNotShared},
		},

		// --- Views (facts §9; peers §3 shapes 2, 15, 16) ---
		{
			Name:   "bare view ID",
			Source: "issue 10; peers §3 shape 15 (dvanoni/notero#116)",
			Text:   view,
			IDs:    []string{view}, Offline: codes{},
			Online: codes{kindView}, Never: codes{accessNotShared},
		},
		{
			Name:   "view ID in a database query URL with its 404",
			Source: "issue 10; peers §3 shape 16 (makenotion/notion-mcp-server#185)",
			Text:   "POST https://api.notion.com/v1/databases/" + view + "/query\n" + body("404", "object_not_found", notFound("database", view, "Iris Checker")),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", Status: 404, Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{view}, Offline: codes{idExtracted},
			Online: codes{kindView}, Never: codes{accessNotShared, notReproduced},
		},
		{
			Name:   "view ID in NOTION_DATABASE_ID",
			Source: "issue 10 (NOTION_DATABASE_ID=<view>); dvanoni/notero#116",
			Text:   "NOTION_DATABASE_ID=" + hex(view),
			IDs:    []string{view}, Offline: codes{},
			Online: codes{kindView}, Never: codes{accessNotShared},
		},
		{
			Name:   "database link with a view",
			Source: "peers §3 shape 3 (makenotion/notion-sdk-js#347)",
			Text:   "https://www.notion.so/acme/" + hex(database) + "?v=" + hex(view),
			IDs:    []string{database}, Offline: codes{idExtracted, linkView},
			Never: codes{accessNotShared},
		},
		{
			Name:   "database ID with ?v= sent as the parent",
			Source: "issue 10; facts §1.3 (doutv/Auto-GPT-Notion#9 body.parent.database_id … ?v=)",
			Text:   body("400", "validation_error", "body failed validation. Fix one: body.parent.database_id should be a valid uuid, instead was `\""+hex(database)+"?v="+hex(view)+"\"`. body.parent.page_id should be defined, instead was `undefined`."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error", Field: "body.parent.database_id", Sent: hex(database) + "?v=" + hex(view)},
			IDs:    []string{database}, Offline: codes{idExtracted, linkView, eValidation},
			Online: codes{eValidation}, Never: codes{accessNotShared, idMissing},
		},
		{
			Name:   "query.v on an API URL",
			Source: "issue 10 ('query.v should not be present'); peers §3 shape 14",
			Text:   "query.v should not be present",
			Call:   &diagnose.Call{Code: "validation_error", Field: "query.v"},
			IDs:    []string{""}, Offline: codes{eValidation},
			Online: codes{eValidation}, Never: codes{idMissing},
		},

		// --- Tokens: 401, 403 (facts §1.7, §1.8, §9) ---
		{
			Name:   "401 body",
			Source: "facts §1.1 (lizheming/doumark-action#13, the 139-byte body)",
			Text:   `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid.","request_id":"` + requestID + `"}`,
			Call:   &diagnose.Call{Status: 401, Code: "unauthorized", Message: "API token is invalid.", RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
			Online: codes{eUnauthorized}, Never: codes{idMissing},
		},
		{
			Name:   "401 with a Node headers dump",
			Source: "issue 10 (x-notion-request-id checked as an object); facts §1.1",
			Text:   "headers: {\n  'content-type': 'application/json; charset=utf-8',\n  'content-length': '139',\n  'x-notion-request-id': '" + requestID + "'\n}\nbody: {\"object\":\"error\",\"status\":401,\"code\":\"unauthorized\",\"message\":\"API token is invalid.\"}",
			Call:   &diagnose.Call{Status: 401, Code: "unauthorized", RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
			Online: codes{eUnauthorized}, Never: codes{idMissing, accessNotShared},
		},
		{
			Name:   "Python 401",
			Source: "peers §4 #3 (paperboi/kindle2notion#81)",
			Text:   "notion_client.errors.APIResponseError: API token is invalid.",
			Call:   &diagnose.Call{Code: "unauthorized", Status: 401},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
			Online: codes{eUnauthorized}, Never: codes{idMissing},
		},
		{
			Name:   "axios 401 on a page this integration reads",
			Source: "peers §4 #3 (jmuchovej/paperpile-notion#17: a revoked token mid-run)",
			Text:   "AxiosError: Request failed with status code 401\n    config: { method: 'get', url: 'https://api.notion.com/v1/pages/" + hex(sharedPage) + "' }",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Status: 401},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted, eUnauthorized},
			Online: codes{eUnauthorized},
		},
		{
			Name:   "curl with a doubled Bearer",
			Source: "facts §1.7 (the SDK sends Bearer <auth> verbatim)",
			Text:   "curl https://api.notion.com/v1/users/me -H 'Authorization: Bearer Bearer " + pastedToken + "' -H 'Notion-Version: 2025-09-03'\n{\"object\":\"error\",\"status\":401,\"code\":\"unauthorized\",\"message\":\"API token is invalid.\"}",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/users/me", NotionVersion: "2025-09-03", Status: 401, Code: "unauthorized"},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
			Online: codes{eUnauthorized},
		},
		{
			Name:   "OAuth invalid_grant",
			Source: "facts §1.2 invalid_grant; peers §7 #8",
			Text:   body("400", "invalid_grant", "Invalid code: this code has been revoked."),
			Call:   &diagnose.Call{Status: 400, Code: "invalid_grant"},
			IDs:    []string{""}, Offline: codes{oauthGrant},
			Never: codes{idMissing},
		},
		{
			Name:   "403 restricted_resource",
			Source: "issue 10; facts §1.8",
			Text:   body("403", "restricted_resource", "API token does not have access to this resource."),
			Call:   &diagnose.Call{Status: 403, Code: "restricted_resource"},
			IDs:    []string{""}, Offline: codes{eRestricted},
			Online: codes{eRestricted}, Never: codes{idMissing},
		},
		{
			Name:   "403 on comments.list",
			Source: "facts §1.8 (makenotion/notion-sdk-js test fixture, comments.list)",
			Text:   "await notion.comments.list({ block_id: '" + sharedPage + "' })\n" + `{"object":"error","status":403,"code":"restricted_resource","message":"Insufficient permissions for this endpoint."}`,
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/comments", Status: 403, Code: "restricted_resource"},
			IDs:    []string{sharedPage}, Offline: codes{eRestricted},
			Online: codes{eRestricted},
		},
		{
			Name:   "personal access token lists users",
			Source: "facts §9 (personal access tokens: 403 'Personal access tokens cannot list users')",
			Text:   "GET /v1/users\n" + body("403", "restricted_resource", "Personal access tokens cannot list users."),
			Token:  personalToken,
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/users", Status: 403, Code: "restricted_resource"},
			IDs:    []string{""}, Offline: codes{eRestricted},
			Online: codes{eRestricted, tokenPersonal},
		},
		{
			Name:   "edge 403 from Cloudflare",
			Source: "facts §1.1, §9 (SDK #751: a 403 from the edge is a network rule, not restricted_resource)",
			Text:   "HTTP/2 403\ncontent-type: text/html\ncf-ray: 8f1c2a3b4c5d6e7f-FRA\nserver: cloudflare\n\n<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>",
			Call:   &diagnose.Call{Status: 403, Edge: true},
			IDs:    []string{""}, Offline: codes{callClient},
			Never: codes{eRestricted, idMissing},
		},
		{
			Name:   "personal access token and a page its creator cannot see",
			Source: "facts §9 (personal access tokens act with their creator's access; COMMON.md PersonalToken)",
			Text:   notFound("page", unsharedPage, "Notion CLI"),
			Token:  personalToken,
			Call:   &diagnose.Call{Code: "object_not_found", Integration: "Notion CLI"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{tokenPersonal},
		},

		// --- Request URL (facts §1.3) ---
		{
			Name:   "Invalid request URL, no ID",
			Source: "issue 10; facts §1.3 (live 'Invalid request URL.')",
			Text:   body("400", "invalid_request_url", "Invalid request URL."),
			Call:   &diagnose.Call{Status: 400, Code: "invalid_request_url"},
			IDs:    []string{""}, Offline: codes{eRequestURL},
			Online: codes{eRequestURL}, Never: codes{idMissing},
		},
		{
			Name:   "whole link in the path",
			Source: "facts §1.3 (a whole URL in the path → invalid_request_url); notero#193",
			Text:   "curl https://api.notion.com/v1/pages/https://www.notion.so/acme/Team-Handbook-" + hex(sharedPage) + " -H 'Notion-Version: 2025-09-03'\n{\"object\":\"error\",\"status\":400,\"code\":\"invalid_request_url\",\"message\":\"Invalid request URL.\"}",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", NotionVersion: "2025-09-03", Status: 400, Code: "invalid_request_url"},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted, eRequestURL},
			Online: codes{eRequestURL}, Never: codes{accessNotShared},
		},
		{
			Name:   "empty ID in the path",
			Source: "facts §1.3 (empty ID /v1/pages/ → invalid_request_url)",
			Text:   "GET https://api.notion.com/v1/blocks//children 400 invalid_request_url Invalid request URL.",
			Call:   &diagnose.Call{Method: "GET", Status: 400, Code: "invalid_request_url"},
			IDs:    []string{""}, Offline: codes{idMissing, eRequestURL},
		},
		{
			Name:   "route that does not exist",
			Source: "facts §1.2 invalid_request_url; a singular /v1/database/ typed by hand",
			Text:   "fetch('https://api.notion.com/v1/database/" + hex(database) + "/query', { method: 'POST' }) → 400 {\"code\":\"invalid_request_url\",\"message\":\"Invalid request URL.\"}",
			Call:   &diagnose.Call{Code: "invalid_request_url", Status: 400},
			IDs:    []string{database}, Offline: codes{idExtracted, eRequestURL},
			Online: codes{eRequestURL},
		},

		// --- Validation (facts §1.3; peers §7) ---
		{
			Name:   "slug in path.page_id",
			Source: "issue 10 ('path.page_id … instead was \"Team-Handbook-<id>\"'); peers §3 shape 13",
			Text:   body("400", "validation_error", "path failed validation: path.page_id should be a valid uuid, instead was `\"Team-Handbook-"+hex(sharedPage)+"\"`."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error", Field: "path.page_id", Sent: "Team-Handbook-" + hex(sharedPage)},
			IDs:    []string{sharedPage}, Offline: codes{idExtracted, eValidation},
			Online: codes{eValidation}, Never: codes{accessNotShared, idMissing},
		},
		{
			Name:   "None in path.database_id",
			Source: "facts §1.3 (malinkang/weread2notion#70)",
			Text:   "notion_client.errors.APIResponseError: path failed validation: path.database_id should be a valid uuid, instead was `\"None\"`.",
			Call:   &diagnose.Call{Code: "validation_error", Field: "path.database_id", Sent: "None"},
			IDs:    []string{""}, Offline: codes{idMissing, eValidation},
		},
		{
			Name:   "not an ID in path.page_id",
			Source: "facts §1.3 (probe log: 'not-a-real-id'; 2anki/2anki.net PR #2001)",
			Text:   body("400", "validation_error", "path failed validation: path.page_id should be a valid uuid, instead was `\"not-a-real-id\"`."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error", Field: "path.page_id", Sent: "not-a-real-id"},
			IDs:    []string{""}, Offline: codes{idMalformed, eValidation},
		},
		{
			Name:   "property of the wrong type",
			Source: "peers §7 #1 (ramnes/notion-sdk-py#136)",
			Text:   "APIResponseError: body failed validation. Fix one: body.properties.Call Attempt Count.title should be defined, instead was undefined. body.properties.Call Attempt Count.number should be a number or null, instead was \"1\".",
			Call:   &diagnose.Call{Code: "validation_error", Field: "body.properties.Call Attempt Count.title"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Never: codes{idMissing, eValidation},
		},
		{
			Name:   "rich text over 2000 characters",
			Source: "peers §7 #2 (lizheming/drone-doumark#5)",
			Text:   body("400", "validation_error", "body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `3375`."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error", Field: "body.children[0].paragraph.rich_text[0].text.content.length", Sent: "3375"},
			IDs:    []string{""}, Offline: codes{bodyLimit},
			Lead:  []string{"rich_text[0]", "3375", "2000"},
			Never: codes{idMissing},
		},
		{
			Name:   "more than 100 children",
			Source: "peers §7 #5 (trustmaster/gkeep2notion#17)",
			Text:   "body failed validation: body.children.length should be ≤ `100`, instead was `124`.",
			Call:   &diagnose.Call{Code: "validation_error", Field: "body.children.length", Sent: "124"},
			IDs:    []string{""}, Offline: codes{bodyLimit},
			Lead: []string{"body.children", "124", "100"},
		},
		{
			Name:   "property expected to be a relation",
			Source: "peers §7 #1 ('Product categories is expected to be relation.')",
			Text:   `{"object":"error","status":400,"code":"validation_error","message":"Product categories is expected to be relation."}`,
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Lead:  []string{`"Product categories" is a relation property`, `{"relation":[{"id":`},
			Never: codes{idMissing},
		},
		{
			Name:   "invalid JSON body",
			Source: "facts §1.2 invalid_json",
			Text:   body("400", "invalid_json", "Error parsing JSON body."),
			Call:   &diagnose.Call{Status: 400, Code: "invalid_json"},
			IDs:    []string{""}, Offline: codes{eValidation},
		},
		{
			Name:   "invalid_beta",
			Source: "facts §9 (invalid_beta 400 for a bad Notion-Beta header, SDK #754)",
			Text:   `{"object":"error","status":400,"code":"invalid_beta","message":"Notion-Beta header failed validation."}`,
			Call:   &diagnose.Call{Status: 400, Code: "invalid_beta"},
			IDs:    []string{""}, Offline: codes{eValidation},
		},

		// --- Archived (peers §7; facts §9 in_trash) ---
		{
			Name:   "archived block, no ID",
			Source: "issue 10; dvanoni/notero#525",
			Text:   "APIResponseError: Can't edit block that is archived. You must unarchive the block before editing.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{eArchived},
			Online: codes{eArchived}, Never: codes{idMissing},
		},
		{
			Name:   "archived page patched with curl",
			Source: "dvanoni/notero PR #522; facts §9 (2026-03-11 in_trash)",
			Text:   "curl -X PATCH https://api.notion.com/v1/pages/" + trashedPage + " -H 'Notion-Version: 2026-03-11' -d '{\"properties\":{}}'\n" + body("400", "validation_error", "Can't edit block that is archived. You must unarchive the block before editing."),
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", NotionVersion: "2026-03-11", Status: 400, Code: "validation_error"},
			IDs:    []string{trashedPage}, Offline: codes{idExtracted, eArchived},
			Online: codes{eArchived, inTrash},
		},

		// --- Rate limits and Notion's side (facts §1.9, §9; peers §7 #4) ---
		{
			Name:   "429 of the connection",
			Source: "facts §1.9 (rate_limit_reason public_api_request_rate_limit)",
			Text:   `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"` + requestID + `","additional_data":{"rate_limit_reason":"public_api_request_rate_limit"}}`,
			Call:   &diagnose.Call{Status: 429, Code: "rate_limited", AdditionalData: map[string]string{"rate_limit_reason": "public_api_request_rate_limit"}},
			IDs:    []string{""}, Offline: codes{eRateLimited},
			Online: codes{eRateLimited}, Never: codes{idMissing},
		},
		{
			Name:   "429 of the workspace",
			Source: "facts §1.9, §9 (workspace-wide limit, public_api_space_request_rate_limit)",
			Text:   "{\n  \"object\": \"error\",\n  \"status\": 429,\n  \"code\": \"rate_limited\",\n  \"message\": \"You have been rate limited. Please try again in a few minutes.\",\n  \"additional_data\": {\n    \"rate_limit_reason\": \"public_api_space_request_rate_limit\"\n  }\n}",
			Call:   &diagnose.Call{Status: 429, Code: "rate_limited", AdditionalData: map[string]string{"rate_limit_reason": "public_api_space_request_rate_limit"}},
			IDs:    []string{""}, Offline: codes{eRateLimited},
		},
		{
			Name:   "429 body without a reason",
			Source: "peers §7 #4 (2anki/2anki.net#1522)",
			Text:   `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes."}`,
			Call:   &diagnose.Call{Status: 429, Code: "rate_limited"},
			IDs:    []string{""}, Offline: codes{eRateLimited},
		},
		{
			Name:   "529 service_overload",
			Source: "facts §1.2, §9 (529 handled like 429, SDK #727)",
			Text:   "Request to Notion API failed with status: 529\n{\"object\":\"error\",\"status\":529,\"code\":\"service_overload\",\"message\":\"Notion is temporarily overloaded.\"}",
			Call:   &diagnose.Call{Status: 529, Code: "service_overload"},
			IDs:    []string{""}, Offline: codes{eRateLimited},
		},
		{
			Name:   "jomei gives up on 429",
			Source: "facts §6 (jomei RateLimitedError text)",
			Text:   "client.Page.Get: Retry request with 429 response failed after 3 retries",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Code: "rate_limited", Status: 429},
			IDs:    []string{""}, Offline: codes{eRateLimited},
		},
		{
			Name:   "409 conflict",
			Source: "peers §7 (rowthan/pagenote#162, conflict_error)",
			Text:   body("409", "conflict_error", "Conflict occurred while saving. Please try again."),
			Call:   &diagnose.Call{Status: 409, Code: "conflict_error"},
			IDs:    []string{""}, Offline: codes{eServer},
		},
		{
			Name:   "500",
			Source: "facts §1.2 internal_server_error",
			Text:   body("500", "internal_server_error", "Unexpected error occurred."),
			Call:   &diagnose.Call{Status: 500, Code: "internal_server_error"},
			IDs:    []string{""}, Offline: codes{eServer},
		},
		{
			Name:   "502 during a sync",
			Source: "peers §7 #4 (sillsdev/docu-notion#80: 502s at 3 rps)",
			Text:   "Error: Request to Notion API failed with status: 502\n    at Client.request (node_modules/@notionhq/client/build/src/Client.js:354:23)",
			Call:   &diagnose.Call{Status: 502},
			IDs:    []string{""}, Offline: codes{eServer},
		},
		{
			Name:   "503 service_unavailable",
			Source: "facts §1.2",
			Text:   body("503", "service_unavailable", "Notion is unavailable, please try again later."),
			Call:   &diagnose.Call{Status: 503, Code: "service_unavailable"},
			IDs:    []string{""}, Offline: codes{eServer},
		},
		{
			Name:   "504 on a data-source query",
			Source: "facts §9 (gateway_timeout on data-source queries, SDK #698)",
			Text:   "POST /v1/data_sources/" + dataSource + "/query → 504\n" + body("504", "gateway_timeout", "Gateway Timeout"),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query", Status: 504, Code: "gateway_timeout"},
			IDs:    []string{dataSource}, Offline: codes{idExtracted, eServer},
			Online: codes{eServer},
		},
		{
			Name:   "row_limit_exceeded",
			Source: "facts §1.2, §9 (row_limit_exceeded 409, async tasks)",
			Text:   `{"object":"error","status":409,"code":"row_limit_exceeded","message":"Row limit exceeded."}`,
			Call:   &diagnose.Call{Status: 409, Code: "row_limit_exceeded"},
			IDs:    []string{""}, Offline: codes{eServer},
		},
		{
			Name:   "SDK timeout",
			Source: "facts §1.2 (ClientErrorCode notionhq_client_request_timeout)",
			Text:   "RequestTimeoutError: Request to Notion API has timed out\n  code: 'notionhq_client_request_timeout'",
			Call:   &diagnose.Call{Code: "notionhq_client_request_timeout"},
			IDs:    []string{""}, Offline: codes{callClient},
		},

		// --- IDs that are not objects (SPEC §3) ---
		{
			Name:   "space ID beside a 404",
			Source: "issue 10 (spaceId checked as an object)",
			Text:   "{ spaceId: '" + workspaceID + "', pageId: '" + unsharedPage + "' }\n" + notFound("page", unsharedPage, "Iris Checker"),
			Call:   &diagnose.Call{Code: "object_not_found"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "workspace ID sentence",
			Source: "issue 10 ('Your workspace ID is …')",
			Text:   "Your workspace ID is " + workspaceID + " and the page is " + hex(sharedPage),
			IDs:    []string{sharedPage}, Offline: codes{},
			Online: codes{accessOK},
		},
		{
			Name:   "integration ID from the settings URL",
			Source: "issue 10; peers §3 shape 21 (denkiwakame/arxiv2notion#18)",
			Text:   "https://www.notion.so/profile/integrations/internal/" + integrationID,
			IDs:    []string{""}, Offline: codes{linkNotContent},
			Never: codes{accessNotShared},
		},
		{
			Name:   "integration_id in additional_data",
			Source: "facts §1.3 (404 with additional_data.integration_id)",
			Text:   `{"object":"error","status":404,"code":"object_not_found","message":"` + jsonEscape(notFound("page", missing, "Iris Checker")) + `","request_id":"` + requestID + `","additional_data":{"integration_id":"` + integrationID + `"}}`,
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", AdditionalData: map[string]string{"integration_id": integrationID}},
			IDs:    []string{missing}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "user objects in a page",
			Source: "facts §5 (created_by / last_edited_by are user objects)",
			Text:   `{"object":"page","id":"` + sharedPage + `","created_by":{"object":"user","id":"` + botUserID + `"},"last_edited_by":{ object: 'user', id: '` + botUserID + `' }}`,
			IDs:    []string{sharedPage}, Offline: codes{},
		},
		{
			Name:   "cursor in a query body",
			Source: "facts §9 (cursors are opaque, not IDs)",
			Text:   "curl -X POST https://api.notion.com/v1/data_sources/" + dataSource + "/query -H 'Notion-Version: 2025-09-03' -d '{\"start_cursor\":\"" + requestID + "\"}'",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query", NotionVersion: "2025-09-03"},
			IDs:    []string{dataSource}, Offline: codes{idExtracted},
		},
		{
			Name:   "request id in a log line",
			Source: "facts §1.1 (request_id); a log line of a sync job",
			Text:   "2026-05-02T10:01:22Z ERROR notion: unauthorized (401) API token is invalid. request id: " + requestID,
			Call:   &diagnose.Call{Status: 401, Code: "unauthorized", RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
		},
		{
			Name:   "bot user from users/me",
			Source: "facts §9 (GET /v1/users/me answers a bot user)",
			Text:   `GET /v1/users/me → {"object":"user","id":"` + botUserID + `","type":"bot","bot":{"owner":{"type":"workspace","workspace":true},"workspace_name":"Acme Corp"}}`,
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/users/me"},
			IDs:    []string{""}, Offline: codes{idMissing},
		},

		// --- Variables (SPEC §4 id.variable) ---
		{
			Name:   "process.env in a query",
			Source: "issue 10 (database_id: process.env.NOTION_DB_ID called a typo)",
			Text:   "const res = await notion.databases.query({ database_id: process.env.NOTION_DB_ID })",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query"},
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "os.environ in Python",
			Source: "issue 10 (os.environ['NOTION_DATABASE_ID'])",
			Text:   "results = notion.databases.query(database_id=os.environ['NOTION_DATABASE_ID'])",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query"},
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "os.getenv and pages.create",
			Source: "ramnes/notion-sdk-py README (parent as a dict)",
			Text:   "notion.pages.create(parent={\"database_id\": os.getenv(\"NOTION_DATABASE_ID\")}, properties=props)",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", ParentType: "database_id", ParentID: "os.getenv(\"NOTION_DATABASE_ID\")"},
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "os.environ.get",
			Source: "peers §4 #6 (placeholder or unset values from config)",
			Text:   "page_id = os.environ.get(\"NOTION_PAGE_ID\")",
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "process.env with brackets and a 400",
			Source: "facts §1.3 (path.page_id … instead was undefined)",
			Text:   "notion.pages.retrieve({ page_id: process.env['NOTION_PAGE_ID'] })\nAPIResponseError: path failed validation: path.page_id should be a valid uuid, instead was `\"undefined\"`.",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Code: "validation_error", Field: "path.page_id", Sent: "undefined"},
			IDs:    []string{""}, Offline: codes{idVariable, eValidation},
			Never: codes{idMalformed, idMissing},
		},
		{
			Name:   "import.meta.env",
			Source: "peers §4 #6 (Vite apps read VITE_ variables)",
			Text:   "const pageId = import.meta.env.VITE_NOTION_PAGE_ID",
			IDs:    []string{""}, Offline: codes{idVariable},
		},
		{
			Name:   "Ruby ENV",
			Source: "phacks/notion-ruby-client#43 (database_id from ENV)",
			Text:   "client.database_query(database_id: ENV['NOTION_DATABASE_ID'])",
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "shell ${} in a curl URL",
			Source: "makenotion/notion-mcp-server#185 (curl with the database in the path)",
			Text:   "curl -X POST \"https://api.notion.com/v1/databases/${DB_ID}/query\" -H \"Notion-Version: 2022-06-28\"",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", NotionVersion: "2022-06-28"},
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},
		{
			Name:   "shell $VAR in a curl URL",
			Source: "facts §1.3 (a variable that was not set sends an empty or literal path)",
			Text:   "curl https://api.notion.com/v1/pages/$NOTION_PAGE_ID -H \"Authorization: Bearer $NOTION_TOKEN\" -H \"Notion-Version: 2025-09-03\"",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", NotionVersion: "2025-09-03"},
			IDs:    []string{""}, Offline: codes{idVariable},
		},
		{
			Name:   "n8n expression",
			Source: "n8n-io/n8n Notion node (expressions in the ID field)",
			Text:   "https://api.notion.com/v1/pages/{{page_id}}",
			Call:   &diagnose.Call{Endpoint: "/v1/pages/{page_id}"},
			IDs:    []string{""}, Offline: codes{idVariable},
		},
		{
			Name:   "docs placeholder in a curl",
			Source: "developers.notion.com examples (<DATABASE_ID> placeholders)",
			Text:   "curl -X POST 'https://api.notion.com/v1/databases/<DATABASE_ID>/query' -H 'Notion-Version: 2022-06-28'",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query"},
			IDs:    []string{""}, Offline: codes{idVariable},
		},
		{
			Name:   "Windows %VAR%",
			Source: "peers §4 #6 (unsubstituted variables)",
			Text:   "curl https://api.notion.com/v1/blocks/%NOTION_ID%/children",
			Call:   &diagnose.Call{Endpoint: "/v1/blocks/{block_id}/children"},
			IDs:    []string{""}, Offline: codes{idVariable},
		},
		{
			Name:   "a name in code",
			Source: "notion-sdk-js README (database_id from a variable)",
			Text:   "const response = await notion.databases.query({ database_id: databaseId });",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query"},
			IDs:    []string{""}, Offline: codes{idVariable},
			Never: codes{idMalformed},
		},

		// --- More shapes of the same failures ---
		{
			Name:   "JS SDK v5 error object printed whole",
			Source: "makenotion/notion-sdk-js src/errors.ts (APIResponseError carries code, status, headers, body, additional_data, request_id)",
			Text:   "APIResponseError: " + notFound("database", unsharedPage, "Iris Checker") + "\n    at buildRequestError (errors.js:162:16) {\n  code: 'object_not_found',\n  status: 404,\n  headers: Headers { 'x-notion-request-id': '" + requestID + "', 'content-type': 'application/json' },\n  body: '{\"object\":\"error\",\"status\":404,\"code\":\"object_not_found\"}',\n  additional_data: { integration_id: '" + integrationID + "' },\n  request_id: '" + requestID + "'\n}",
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Iris Checker", RequestID: requestID, AdditionalData: map[string]string{"integration_id": integrationID}},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "Node rawHeaders array",
			Source: "issue 10 (x-notion-request-id in a Node headers dump); Node http rawHeaders form",
			Text:   "rawHeaders: [ 'Content-Type', 'application/json; charset=utf-8', 'x-notion-request-id', '" + requestID + "' ]\nstatusCode: 401, statusMessage: 'Unauthorized'",
			Call:   &diagnose.Call{Status: 401, RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eUnauthorized},
			Never: codes{idMissing, accessNotShared},
		},
		{
			Name:   "fetch Headers map",
			Source: "issue 10; undici's Headers printed by console.log",
			Text:   "Response { status: 429, statusText: 'Too Many Requests', headers: Headers { 'retry-after' => '27', 'x-notion-request-id' => '" + requestID + "' } }",
			Call:   &diagnose.Call{Status: 429, RequestID: requestID},
			IDs:    []string{""}, Offline: codes{eRateLimited},
			Never: codes{idMissing},
		},
		{
			Name:   "Python requests with a Notion-Version header and a body parent",
			Source: "facts §2 (create page in a database under 2022-06-28); peers §7 #7",
			Text:   "r = requests.post(\"https://api.notion.com/v1/pages\", headers={\"Authorization\": f\"Bearer {token}\", \"Notion-Version\": \"2022-06-28\"}, json={\"parent\": {\"database_id\": \"" + multiDatabase + "\"}, \"properties\": {}})\nprint(r.json())\n{'object': 'error', 'status': 400, 'code': 'validation_error', 'message': '" + multiMessage + "'}",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2022-06-28", ParentType: "database_id", ParentID: multiDatabase, Status: 400, Code: "validation_error"},
			IDs:    []string{multiDatabase}, Offline: codes{eVersion},
			Online: codes{eVersion, multiSources},
		},
		{
			Name:   "view suffix without backticks",
			Source: "peers §7 #7 (body.parent.database_id should be a valid uuid, instead was \"f582…?v=9a3e…\")",
			Text:   "body.parent.database_id should be a valid uuid, instead was \"" + hex(database) + "?v=" + hex(view) + "\".",
			Call:   &diagnose.Call{Code: "validation_error", Field: "body.parent.database_id", Sent: hex(database) + "?v=" + hex(view)},
			IDs:    []string{database}, Offline: codes{idExtracted, linkView, eValidation},
			Never: codes{accessNotShared},
		},
		{
			Name:   "curl --data-raw creating a page under a data source",
			Source: "facts §2 (parent data_source_id accepted in any version)",
			Text:   "curl 'https://api.notion.com/v1/pages' -H 'Notion-Version: 2025-09-03' --data-raw '{\"parent\":{\"type\":\"data_source_id\",\"data_source_id\":\"" + dataSource + "\"}}'\n{\"object\":\"error\",\"status\":404,\"code\":\"object_not_found\",\"message\":\"" + jsonEscape(notFound("data_source", dataSource, "Iris Checker")) + "\"}",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2025-09-03", ParentType: "data_source_id", ParentID: dataSource, Status: 404, Code: "object_not_found"},
			IDs:    []string{dataSource}, Offline: codes{idExtracted},
			Online: codes{notReproduced}, Never: codes{accessNotShared},
		},
		{
			Name:   "workspace_id and bot_id in users/me",
			Source: "facts §9 (users/me answers the bot with its workspace)",
			Text:   `{"object":"user","id":"` + botUserID + `","type":"bot","bot":{"owner":{"type":"workspace"},"workspace_name":"Acme Corp","workspace_id":"` + workspaceID + `"}}` + "\nthen GET /v1/pages/" + unsharedPage + " → 404",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Status: 404},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "next_cursor in a list answer",
			Source: "facts §9 (pagination cursors are opaque; older ones look like UUIDs)",
			Text:   `{"object":"list","results":[],"next_cursor":"` + requestID + `","has_more":true,"type":"page_or_data_source"}`,
			IDs:    []string{""}, Offline: codes{idMissing},
		},

		{
			Name:   "?v= left on an API URL",
			Source: "issue 10 ('query.v should not be present'); peers §3 shape 14 (notionnext-org/NotionNext#465)",
			Text:   "curl -X GET \"https://api.notion.com/v1/databases/" + hex(database) + "?v=" + hex(view) + "\" -H \"Notion-Version: 2025-09-03\"\n" + body("400", "validation_error", "query.v should be not present, instead was `\""+hex(view)+"\"`."),
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/databases/{database_id}", NotionVersion: "2025-09-03", Status: 400, Code: "validation_error", Field: "query.v"},
			IDs:    []string{database}, Offline: codes{idExtracted, linkView, eValidation},
			Online: codes{eValidation}, Never: codes{accessNotShared},
		},
		{
			Name:   "n8n wrapper around a 404",
			Source: "n8n-io/n8n NodeApiError wording for a Notion 404 (peers §4 #1 threads)",
			Text:   "NodeApiError: The resource you are requesting could not be found\n    at Object.notionApiRequest (GenericFunctions.ts:64:9)",
			Call:   &diagnose.Call{Code: "object_not_found", Status: 404},
			IDs:    []string{""}, Offline: codes{eNotFound},
			Never: codes{idMissing},
		},
		{
			Name:   "browser console line",
			Source: "facts §1.4 (404 object_not_found on every endpoint for an unshared object)",
			Text:   "DELETE https://api.notion.com/v1/blocks/" + unsharedPage + " 404 (Not Found)",
			Call:   &diagnose.Call{Method: "DELETE", Endpoint: "/v1/blocks/{block_id}", Status: 404},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},

		{
			Name:   "database_id parent under 2026-03-11",
			Source: "peers §7 #7 (mvanhorn/printing-press-library#969: database_id parent 404 'Could not find database' under 2026-03-11)",
			Text:   "POST /v1/pages (Notion-Version: 2026-03-11)\n{\"parent\": {\"database_id\": \"" + database + "\"}}\n" + body("404", "object_not_found", notFound("database", database, "Iris Checker")),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2026-03-11", ParentType: "database_id", ParentID: database, Status: 404, Code: "object_not_found"},
			IDs:    []string{database}, Offline: codes{idExtracted},
			Never: codes{accessNotShared},
		},
		{
			Name:   "databases.query with a data source ID",
			Source: "peers §3 shape 20 (easy-notion-mcp#15: a data-source ID used as a database ID)",
			Text:   "await notion.databases.query({ database_id: '" + multiSource1 + "' })\nAPIResponseError: " + notFound("database", multiSource1, "Iris Checker"),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{multiSource1}, Offline: codes{idExtracted},
			Online: codes{kindDataSource}, Never: codes{accessNotShared},
		},

		{
			Name:   "httpx log line of notion-sdk-py",
			Source: "ramnes/notion-sdk-py (httpx client: 'HTTP Request: METHOD URL \"HTTP/1.1 status\"' log lines); facts §1.6",
			Text:   "INFO:httpx:HTTP Request: POST https://api.notion.com/v1/databases/" + multiDatabase + "/query \"HTTP/1.1 400 Bad Request\"\nnotion_client.errors.APIResponseError: " + multiMessage,
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/databases/{database_id}/query", Status: 400, Code: "validation_error"},
			IDs:    []string{multiDatabase}, Offline: codes{idExtracted, eVersion},
			Online: codes{eVersion, multiSources},
		},

		// --- 2026 (facts §9) ---
		{
			Name:   "app.notion.com link and a 404 in connections wording",
			Source: "facts §9 (app.notion.com/p/Title-<id>; 'connections' wording, message form UNVERIFIED)",
			Text:   "https://app.notion.com/p/Private-plans-" + hex(unsharedPage) + "?source=copy_link\nCould not find page with ID: " + unsharedPage + ". Make sure the relevant pages and databases are shared with your connection \"Iris Checker\".",
			Call:   &diagnose.Call{Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "app.notion.com/p bare ID",
			Source: "facts §9; peers §3 shape 5 (4ier/notion-cli#57)",
			Text:   "https://app.notion.com/p/" + hex(sharedPage),
			IDs:    []string{sharedPage}, Offline: codes{idExtracted},
			Online: codes{accessOK},
		},
		{
			Name:   "in_trash page answer and an update that failed",
			Source: "facts §9 (2026-03-11: in_trash, no archived)",
			Text:   `{"object":"page","id":"` + trashedPage + `","in_trash":true}` + "\nnotion.pages.update → Can't edit block that is archived. You must unarchive the block before editing.",
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "validation_error"},
			IDs:    []string{trashedPage}, Offline: codes{eArchived},
			Online: codes{eArchived, inTrash},
		},
		{
			Name:   "Marketing Sync only page, 404 naming Iris Checker",
			Source: "COMMON.md (MarketingOnlyPageID shared with Marketing Sync only); issue 10 (access per integration)",
			Text:   notFound("page", marketingPage, "Iris Checker"),
			Others: []string{marketingToken},
			Call:   &diagnose.Call{Code: "object_not_found", Integration: "Iris Checker"},
			IDs:    []string{marketingPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "root page 404 as Marketing Sync, checked as Iris Checker",
			Source: "issue 10 (the error names an integration other than the bot's)",
			Text:   "Error: " + notFound("page", rootPage, "Marketing Sync"),
			Call:   &diagnose.Call{Code: "object_not_found", Integration: "Marketing Sync"},
			IDs:    []string{rootPage}, Offline: codes{idExtracted},
			Online: codes{accessOther},
		},
	}
}
