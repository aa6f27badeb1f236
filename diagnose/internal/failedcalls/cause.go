package failedcalls

import "github.com/notion-check/notion-check/diagnose"

// causeCases are the pastes of issue 20: several clues where one is the
// cause, wrappers around Notion's answer (n8n, Make, MCP, loaders, SDK
// exceptions), failures that never reached Notion, OAuth flow failures,
// token kinds, misreads and empty answers. Each follows a facts section or
// a public thread.
func causeCases() []Case {
	return []Case{
		{
			Name:   "dataSources.query with a variable holding the database ID",
			Source: "issue 20 (TASKS_DB); peers §4 cause 5 (makenotion/notion-sdk-js#612: dataSources.query with a database ID gives object_not_found)",
			Text:   "const res = await notion.dataSources.query({ data_source_id: process.env.TASKS_DB });\nAPIResponseError: " + notFound("data_source", database, "Iris Checker") + "\n  code: 'object_not_found',\n  status: 404,",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/data_sources/{data_source_id}/query", Status: 404, Code: "object_not_found", Integration: "Iris Checker", Variable: "TASKS_DB", Via: "notion-sdk-js"},
			IDs:    []string{database}, Offline: codes{idExtracted},
			Online: codes{endpointMis}, Never: codes{idVariable, accessNotShared},
		},
		{
			Name:   "archived page beside the variable that filled page_id",
			Source: "issue 20 (params.pageId beside archived→in_trash); peers §7 (notero#525 'Can't edit block that is archived')",
			Text:   "await notion.pages.update({ page_id: params.pageId, properties: { Done: { checkbox: true } } })\n@notionhq/client warn: request fail { code: 'validation_error', message: \"Can't edit page that is archived. You must unarchive the page before editing.\" }",
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "validation_error", Variable: "params.pageId"},
			IDs:    []string{""}, Offline: codes{eArchived},
			Never: codes{idVariable},
		},
		{
			Name:   "archived, retyped and misspelt",
			Source: "issue 20 ('Can't update a page that is archieved' read as a page title)",
			Text:   "Error: Can't update a page that is archieved. page " + trashedPage,
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{trashedPage}, Offline: codes{eArchived},
			Online: codes{eArchived, inTrash}, Never: codes{idMissing, notReproduced},
		},
		{
			Name:   "invalid request URL in the person's words",
			Source: "issue 20 ('invalid request URL' read as a page title, an example link complained about)",
			Text:   "getting invalid request URL from the notion api, I followed https://example.com/docs and the mcp.notion.com setup",
			Call:   &diagnose.Call{Code: "invalid_request_url"},
			IDs:    []string{""}, Offline: codes{eRequestURL},
			Never: codes{idMissing, linkNotContent},
		},
		{
			Name:   "n8n 404 naming its own credential's integration",
			Source: "facts notion-bodies.md §5.4 (n8n: Notion's text in the description; n8n-io/n8n#18056); issue 20 ('n8n Notion' answered as Acme Sync)",
			Text:   "{\n  \"errorMessage\": \"The resource you are requesting could not be found\",\n  \"errorDescription\": \"" + jsonEscape(notFound("database", unsharedPage, "n8n Notion")) + "\",\n  \"errorDetails\": { \"rawErrorMessage\": [\"404 - \\\"{\\\\\\\"object\\\\\\\":\\\\\\\"error\\\\\\\",\\\\\\\"status\\\\\\\":404,\\\\\\\"request_id\\\\\\\":\\\\\\\"" + requestID + "\\\\\\\"}\\\"\"], \"httpCode\": \"404\" },\n  \"n8nDetails\": { \"nodeType\": \"n8n-nodes-base.notion\" }\n}",
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "n8n Notion", Via: "n8n"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "Make [404] wrapper",
			Source: "facts notion-bodies.md §5.4 (Make: '[400] <message>', community.make.com/t/97563)",
			Text:   "The operation failed with an error. [404] " + notFound("page", unsharedPage, "Make Notion") + " (in the Make scenario 'Sync tasks')",
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Make Notion", Via: "Make"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "local MCP data-source tool under Notion-Version 2022-06-28",
			Source: "peers §1.4 (makenotion/notion-mcp-server#178, #179, #185, #218); facts notion-api.md §9",
			Text:   "OPENAPI_MCP_HEADERS={\"Authorization\":\"Bearer ntn_****\",\"Notion-Version\":\"2022-06-28\"}\nAPI-query-data-source returned {\"status\":\"error\",\"object\":\"error\",\"code\":\"invalid_request_url\",\"message\":\"Invalid request URL.\",\"request_id\":\"" + requestID + "\"}",
			Call:   &diagnose.Call{Endpoint: "/v1/data_sources/{data_source_id}/query", NotionVersion: "2022-06-28", Code: "invalid_request_url", Via: "MCP (local)"},
			IDs:    []string{""}, Offline: codes{eVersion},
			Never: codes{eRequestURL},
		},
		{
			Name:   "MCP tool arguments refused by the tool's schema",
			Source: "peers §1.4 (stringified object params, notion-mcp-server#159, #192, #194)",
			Text:   "MCP error -32602: Invalid arguments for tool API-post-page: [\n  {\n    \"code\": \"invalid_type\",\n    \"expected\": \"object\",\n    \"received\": \"string\",\n    \"path\": [\"parent\"],\n    \"message\": \"Expected object, received string\"\n  }\n]",
			Call:   &diagnose.Call{ClientFailure: "schema"},
			IDs:    []string{""}, Offline: codes{callClient},
			Never: codes{idMissing, eValidation},
		},
		{
			Name:   "HTML page parsed as JSON",
			Source: "facts notion-api.md §1.1 and §9 (edge answers: HTML, cf-ray, no request id; SDK #751)",
			Text:   "SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON\n    at JSON.parse (<anonymous>)\n    at fetch('https://api.notion.com/v1/pages/" + hex(sharedPage) + "')",
			Call:   &diagnose.Call{ClientFailure: "edge"},
			IDs:    []string{sharedPage}, Offline: codes{callClient, idExtracted},
			Online: codes{callClient}, Never: codes{notReproduced},
		},
		{
			Name:   "fetch failed: no answer",
			Source: "facts notion-api.md §1.2 (client codes) and §6 (transport failures); issue 20 (errors that never reached Notion)",
			Text:   "TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13 {\n  [cause]: Error: getaddrinfo ENOTFOUND api.notion.com\n}",
			Call:   &diagnose.Call{ClientFailure: "transport"},
			IDs:    []string{""}, Offline: codes{callClient},
		},
		{
			Name:   "jomei/notionapi cannot decode a place property",
			Source: "facts notion-api.md §6 (jomei fails on unknown property types: 'unsupported property type: place')",
			Text:   "client.Page.Get(ctx, notionapi.PageID(\"" + hex(sharedPage) + "\")) failed: unsupported property type: place",
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", ClientFailure: "decode"},
			IDs:    []string{sharedPage}, Offline: codes{callClient},
			Online: codes{callClient}, Never: codes{notReproduced},
		},
		{
			Name:   "LlamaIndex reader 404 through requests",
			Source: "issue 20 (LangChain/LlamaIndex loaders); peers §7 row 6",
			Text:   "llama_index NotionPageReader: requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api.notion.com/v1/blocks/" + hex(unsharedPage) + "/children",
			Call:   &diagnose.Call{Endpoint: "/v1/blocks/{block_id}/children", Status: 404, Via: "LlamaIndex"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "JVM SDK error line",
			Source: "facts notion-bodies.md §5.4 (seratch/notion-sdk-jvm#75)",
			Text:   "notion.api.v1.exception.NotionAPIError: Got an error from Notion (status: 404, code: object_not_found, message: " + notFound("database", unsharedPage, "Iris Checker") + ")",
			Call:   &diagnose.Call{Status: 404, Code: "object_not_found", Integration: "Iris Checker", Via: "JVM SDK"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "Ruby client ObjectNotFound",
			Source: "issue 20 (SDK exceptions in Ruby); peers §7 row 7 (phacks/notion-ruby-client#43)",
			Text:   "Notion::Api::Errors::ObjectNotFound: " + notFound("page", unsharedPage, "Iris Checker"),
			Call:   &diagnose.Call{Code: "object_not_found", Integration: "Iris Checker", Via: "notion-ruby-client"},
			IDs:    []string{unsharedPage}, Offline: codes{idExtracted},
			Online: codes{accessNotShared},
		},
		{
			Name:   "OAuth code exchange: invalid_grant in the RFC shape",
			Source: "facts notion-bodies.md §8.1 (invalid_grant on code exchange; 'Invalid code: this code has been revoked.')",
			Text:   "POST https://api.notion.com/v1/oauth/token\n{\"error\":\"invalid_grant\",\"error_description\":\"Invalid code: this code has been revoked.\"}",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/oauth/token", Code: "invalid_grant", Message: "Invalid code: this code has been revoked."},
			IDs:    []string{""}, Offline: codes{oauthGrant},
			Never: codes{eUnauthorized, tokenInvalidCode},
		},
		{
			Name:   "OAuth refresh: expired or revoked",
			Source: "facts notion-bodies.md §8.1 (nango.dev/blog/notion-oauth-refresh-token-invalid-grant)",
			Text:   "refresh failed: 400 {\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}",
			Call:   &diagnose.Call{Endpoint: "/v1/oauth/token", Code: "invalid_grant"},
			IDs:    []string{""}, Offline: codes{oauthGrant},
		},
		{
			Name:   "OAuth invalid_client: secret in the body",
			Source: "facts notion-bodies.md §8.1 (n24q02m/better-notion-mcp#558; kentcdodds/kody#711)",
			Text:   "curl -X POST https://api.notion.com/v1/oauth/token -d 'grant_type=authorization_code&code=abc&client_id=x&client_secret=y'\nHTTP/1.1 401 Unauthorized\n{\"error\":\"invalid_client\"}",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/oauth/token", Status: 401, Code: "invalid_client"},
			IDs:    []string{""}, Offline: codes{oauthGrant},
			Never: codes{eUnauthorized},
		},
		{
			Name:   "OAuth redirect_uri refused at authorize",
			Source: "facts notion-bodies.md §8.1 (JamesNZL/notion-assignment-import#421, onecli/onecli#369)",
			Text:   "Clicking Connect shows Notion's page: Something went wrong — Missing or invalid redirect_uri",
			Call:   &diagnose.Call{Endpoint: "/v1/oauth/authorize", Code: "redirect_uri"},
			IDs:    []string{""}, Offline: codes{oauthGrant},
			Never: codes{idMissing},
		},
		{
			Name:   "Bearer twice in the header",
			Source: "facts notion-api.md §1.7 (the SDK sends 'Bearer ' + auth verbatim); issue 20",
			Text:   "curl https://api.notion.com/v1/pages/" + hex(sharedPage) + " -H 'Authorization: Bearer Bearer ntn_…redacted' -H 'Notion-Version: 2025-09-03'\n" + body("401", "unauthorized", "API token is invalid."),
			Call:   &diagnose.Call{Method: "GET", Endpoint: "/v1/pages/{page_id}", Status: 401, Code: "unauthorized", Auth: "bearer_doubled"},
			IDs:    []string{sharedPage}, Offline: codes{eUnauthorized, idExtracted},
		},
		{
			Name:   "elided IDs and a Cursor request ID",
			Source: "issue 20 (\"68e0e….\", \"page_id\": ... read as malformed; a Cursor request_id line checked)",
			Text:   "{\"parent\": {\"database_id\": \"68e0e….\"}, \"properties\": {...}}\n\"page_id\": ...\nCursor request_id: " + requestID,
			IDs:    []string{""}, Offline: codes{idMissing},
			Never: codes{idMalformed},
		},
		{
			Name:   "empty search with the 2022-06-28 filter value",
			Source: "facts notion-bodies.md §7 (search returns nothing; filter values by version); peers §7 row 6 (makenotion/notion-sdk-js#56)",
			Text:   "const r = await notion.search({ query: 'Tasks', filter: { property: 'object', value: 'database' } })\nconsole.log(r) // { object: 'list', results: [], next_cursor: null, has_more: false }",
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/search", Empty: "search", Filter: "database"},
			IDs:    []string{""}, Offline: codes{searchEmpty},
			Online: codes{searchEmpty}, Never: codes{idMissing},
		},
		{
			Name:   "search finds nothing, in words",
			Source: "issue 20 (4 of 4 real pastes silent); peers §7 row 6 (getsentry/junior#84)",
			Text:   "my integration's search finds nothing, even though I can see the pages in Notion",
			Call:   &diagnose.Call{Empty: "search"},
			IDs:    []string{""}, Offline: codes{searchEmpty},
			Online: codes{searchEmpty}, Never: codes{idMissing},
		},
		{
			Name:   "OAuth token sees only what its user picked",
			Source: "facts notion-bodies.md §8.2 (users/me owner user for OAuth and PAT; GET /v1/users refuses a PAT)",
			Text:   unsharedPage,
			Token:  oauthToken,
			IDs:    []string{unsharedPage},
			Online: codes{accessNotShared, tokenOAuth}, Never: codes{tokenPersonal},
		},
		{
			Name:   "personal access token told apart from OAuth",
			Source: "facts notion-api.md §9 ('Personal access tokens cannot list users')",
			Text:   unsharedPage,
			Token:  personalToken,
			IDs:    []string{unsharedPage},
			Online: codes{accessNotShared, tokenPersonal}, Never: codes{tokenOAuth},
		},
	}
}

// oauthToken is notiontest.OAuthToken (a public integration's token).
const oauthToken = "ntn_66666666666OAuthTokenAbCdEfGhIjKlMnOpQrStUvWxYz"

const tokenInvalidCode = diagnose.CodeTokenInvalid
