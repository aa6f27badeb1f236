package failedcalls

import "github.com/notion-check/notion-check/diagnose"

// bodyCases are failed writes whose cause is what the body sent (issue
// 19): the validation messages of facts notion-bodies.md §4–§5 and peers.md
// §7, as raw JSON, SDK exceptions, multi-line or concatenated messages,
// Python reprs and automation wrappers, with and without the body pasted.
// Lead holds the words the first line must give offline.
func bodyCases() []Case {
	return append(offlineBodyCases(), onlineBodyCases()...)
}

// onlineBodyCases are failed writes on objects of the fake world, whose
// answer needs the live schema (diagnose/notiontest TasksSchema: a property
// of every type).
func onlineBodyCases() []Case {
	return []Case{
		{
			Name:   "schema: Fix one union resolved to status",
			Source: "issue 19 (a Fix one list for a Status property); facts §5.2 (pick the branch the schema allows)",
			Text:   "notion.pages.update({ page_id: '" + rowPage + "', properties: { Status: { name: 'Done' } } })\nAPIResponseError: body failed validation. Fix one:\nbody.properties.Status.title should be defined, instead was `undefined`.\nbody.properties.Status.rich_text should be defined, instead was `undefined`.\nbody.properties.Status.select should be defined, instead was `undefined`.\nbody.properties.Status.status should be defined, instead was `undefined`.",
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyType},
			Online: codes{bodyType}, Never: codes{notReproduced, eValidation},
			OnlineLead: []string{"Status is a status property", `{"status":{"name":"Done"}}`},
		},
		{
			Name:   "schema: expected to be select, real options",
			Source: "issue 19 ('Priority is expected to be select.' answered All good online)",
			Text:   "PATCH https://api.notion.com/v1/pages/" + rowPage + "\n" + body("400", "validation_error", "Priority is expected to be select."),
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Status: 400, Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyType, idExtracted},
			Online: codes{bodyType}, Never: codes{notReproduced},
			OnlineLead: []string{"Priority is a select property", `{"select":{"name":"High"}}`},
		},
		{
			Name:   "schema: misspelt property, closest match",
			Source: "facts §5.3 'X is not a property that exists' (suggest the nearest); peers §7",
			Text:   "PATCH /v1/pages/" + rowPage + "\n" + body("400", "validation_error", "Priorty is not a property that exists."),
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Status: 400, Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyMissing, idExtracted},
			Online: codes{bodyMissing}, Never: codes{notReproduced, bodyType},
			OnlineLead: []string{"Priorty", `"Priority"`},
		},
		{
			Name:   "schema: status option that does not exist",
			Source: "issue 19 (n8n invalid status option beside the page ID); facts §2 status row",
			Text:   "NodeApiError: Bad request - please check your parameters\nInvalid status option. Status option \"Blocked\" does not exist\".\nPage: https://www.notion.so/acme/Ship-the-checker-" + hex(rowPage),
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyOption, idExtracted},
			Online: codes{bodyOption}, Never: codes{notReproduced},
			OnlineLead: []string{`"Blocked"`, `"Not started"`},
		},
		{
			Name:   "schema: title under the wrong name",
			Source: "issue 19 (a title under the wrong name); facts §2 title row",
			Text:   "curl -X POST https://api.notion.com/v1/pages -H 'Notion-Version: 2025-09-03' --data '{\"parent\":{\"data_source_id\":\"" + dataSource + "\"},\"properties\":{\"Title\":{\"title\":[{\"text\":{\"content\":\"Launch\"}}]}}}'\n" + body("400", "validation_error", "Title is not a property that exists."),
			Call:   &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", ParentType: "data_source_id", ParentID: dataSource, Status: 400, Code: "validation_error"},
			IDs:    []string{dataSource}, Offline: codes{bodyMissing},
			Online: codes{bodyTitle}, Never: codes{notReproduced},
			OnlineLead: []string{`"Name"`, `{"Name":{"title":[{"text":{"content":"Launch"}}]}}`},
		},
		{
			Name:    "schema: every property of a pasted body",
			Source:  "issue 19 (check every property of a pasted body); facts §2 (read-only, relation sharing)",
			Text:    "await notion.pages.create({\n  parent: { data_source_id: '" + dataSource + "' },\n  properties: {\n    Name: { title: [{ text: { content: 'Row' } }] },\n    Status: { select: { name: 'Done' } },\n    Priorty: { select: { name: 'High' } },\n    Total: { formula: { number: 3 } },\n    'Secret Docs': { relation: [{ id: '" + sharedPage + "' }] },\n  },\n})\n// APIResponseError: Status is expected to be status.",
			Call:    &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", ParentType: "data_source_id", Code: "validation_error"},
			Offline: codes{bodyType, bodyReadOnly},
			Online:  codes{bodyType, bodyMissing, bodyReadOnly, bodyRelation}, Never: codes{notReproduced},
			OnlineLead: []string{"Status is a status property", `{"status":{"name":"Done"}}`},
		},
		{
			Name:          "schema under 2022-06-28: the database's properties",
			Source:        "facts §1.1 (2022-06-28: the schema lives on the database)",
			NotionVersion: "2022-06-28",
			Text:          "notion.pages.update(page_id=\"" + rowPage + "\", properties={\"Labels\": {\"select\": {\"name\": \"Bug\"}}})\nnotion_client.errors.APIResponseError: Labels is expected to be multi_select.",
			Call:          &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "validation_error"},
			IDs:           []string{rowPage}, Offline: codes{bodyType},
			Online: codes{bodyType}, Never: codes{notReproduced},
			OnlineLead: []string{"Labels is a multi_select property", `{"multi_select":[{"name":"Bug"}]}`},
		},
		{
			Name:          "database parent with two data sources under 2026-03-11",
			Source:        "issue 19; peers §7 #7 (mvanhorn/printing-press-library#969); facts §3 parents",
			NotionVersion: "2026-03-11",
			Text:          "POST https://api.notion.com/v1/pages\nNotion-Version: 2026-03-11\n{\"parent\":{\"database_id\":\"" + multiDatabase + "\"},\"properties\":{\"Name\":{\"title\":[{\"text\":{\"content\":\"x\"}}]}}}\n→ 404 object_not_found: Could not find database with ID: " + multiDatabase + ". Make sure the relevant pages and databases are shared with your integration.",
			Call:          &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2026-03-11", ParentType: "database_id", Code: "object_not_found"},
			IDs:           []string{multiDatabase}, Offline: codes{idExtracted},
			Online: codes{bodyParent}, Never: codes{notReproduced},
			OnlineLead: []string{"data_source_id", multiSource1},
		},
	}
}

func offlineBodyCases() []Case {
	return []Case{
		// --- X is expected to be Y (facts §5.3; peers §7 #1) ---
		{
			Name:   "expected to be select, page ID beside it",
			Source: "issue 19 (online 'All good'); facts §5.3 'X is expected to be Y'",
			Text:   "PATCH https://api.notion.com/v1/pages/" + rowPage + "\n" + body("400", "validation_error", "Priority is expected to be select."),
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Status: 400, Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyType, idExtracted},
			Online: codes{bodyType}, Never: codes{notReproduced, eValidation},
			Lead: []string{"Priority is a select property", `{"select":{"name":`},
		},
		{
			Name:   "expected to be multi_select, SDK exception",
			Source: "issue 19 ('Labels is expected to be multi_select.'); makenotion/notion-sdk-js#138",
			Text:   "APIResponseError: Labels is expected to be multi_select.\n    at buildRequestError (node_modules/@notionhq/client/build/src/errors.js:162:16)",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Never: codes{idMissing, eValidation},
			Lead:  []string{"Labels is a multi_select property", `{"multi_select":[{"name":`},
		},
		{
			Name:   "two expected-to-be sentences, lower case",
			Source: "peers §7 #1 ('Value is expected to be rich_text. Link is expected to be files.')",
			Text:   "error: value is expected to be rich_text. Link is expected to be files.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Lead: []string{"value is a rich_text property", `{"rich_text":[`},
		},
		{
			Name:   "expected to be status, JS SDK call with the body and a variable page ID",
			Source: "issue 19 (a variable beside an error that shows the value was sent is not unset); facts §2 status row",
			Text:   "await notion.pages.update({\n  page_id: pageId,\n  properties: {\n    Status: { select: { name: 'Done' } },\n  },\n});\n// @notionhq/client warn: request fail { code: 'validation_error', message: 'Status is expected to be status.' }",
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Never: codes{idVariable, idMissing, eValidation},
			Lead:  []string{"Status is a status property", `{"status":{"name":"Done"}}`},
		},

		// --- X is not a property that exists (facts §1.3, §5.3) ---
		{
			Name:   "not a property that exists, page ID in the path",
			Source: "issue 19 (PATCH /v1/pages/<row> 'Priority is not a property that exists.')",
			Text:   "PATCH /v1/pages/" + hex(rowPage) + " → 400\n{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"Priority is not a property that exists.\"}",
			Call:   &diagnose.Call{Method: "PATCH", Endpoint: "/v1/pages/{page_id}", Status: 400, Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyMissing, idExtracted},
			Online: codes{bodyMissing}, Never: codes{notReproduced, eValidation},
			Lead: []string{"Priority is not a property"},
		},
		{
			Name:   "not a property that exists, URL-encoded property ID, JVM wrapper",
			Source: "seratch/notion-sdk-jvm#75 (h%3A%7BD); facts §5.4 JVM",
			Text:   "notion.api.v1.exception.NotionAPIError: Got an error from Notion (status: 400, code: validation_error, message: h%3A%7BD is not a property that exists.)",
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyMissing},
			Lead: []string{"h:{D", "not a property"},
		},
		{
			Name:   "not a property that exists, name with spaces, Python",
			Source: "bil0u/remarkable2-to-notion#2 (database name used as property); facts §5.4 Python",
			Text:   "notion_client.errors.APIResponseError: Reading List Books is not a property that exists.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyMissing},
			Lead: []string{`"Reading List Books" is not a property`},
		},

		// --- options (facts §2 select/status rows, §5.3) ---
		{
			Name:   "status option does not exist, n8n, page ID beside it",
			Source: "issue 19 (n8n 'Invalid status option…' answered All good); facts §5.4 n8n",
			Text:   "NodeApiError: Bad request - please check your parameters\nInvalid status option. Status option \"Blocked\" does not exist\".\nPage ID: " + rowPage,
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{rowPage}, Offline: codes{bodyOption},
			Online: codes{bodyOption}, Never: codes{notReproduced},
			Lead: []string{`"Blocked"`, "never creates status options"},
		},
		{
			Name:   "status option, Make wrapper with curly quotes",
			Source: "facts §5.4 Make ('[400] <message>', ‘ ’); facts §5.3 status (without the stray quote)",
			Text:   "[400] Invalid status option. Status option “In Review” does not exist.",
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyOption},
			Lead: []string{`"In Review"`, "does not exist"},
		},
		{
			Name:   "select option with commas",
			Source: "egordm/notionsci#13 ('Invalid select option, commas not allowed')",
			Text:   body("400", "validation_error", "Invalid select option, commas not allowed: Red, Blue"),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyOption},
			Lead: []string{"commas", `"Red Blue"`},
		},

		// --- Fix one unions (facts §5.2) ---
		{
			Name:   "Fix one for a read-only created_time, fenced multi-line",
			Source: "tosite/notion-page-repeater#12 (×13 should be defined); facts §5.2",
			Text:   "```\nbody failed validation. Fix one:\nbody.properties.Created at.title should be defined, instead was `undefined`.\nbody.properties.Created at.rich_text should be defined, instead was `undefined`.\nbody.properties.Created at.number should be defined, instead was `undefined`.\nbody.properties.Created at.url should be defined, instead was `undefined`.\nbody.properties.Created at.select should be defined, instead was `undefined`.\n```\nproperties: {\"Created at\": {\"created_time\": \"2024-01-01T00:00:00.000Z\"}}",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyReadOnly},
			Lead: []string{`"Created at" is a created_time property`, "leave it out"},
		},
		{
			Name:   "Fix one split by JS util.inspect concatenation",
			Source: "seratch/notion-translator#5; makenotion/notion-sdk-js#387; facts §5.4 JS SDK",
			Text:   "@notionhq/client warn: request fail {\n  code: 'validation_error',\n  message: 'body failed validation. Fix one:\\n' +\n    'body.properties.Score.title should be defined, instead was `undefined`.\\n' +\n    'body.properties.Score.rich_text should be defined, instead was `undefined`.\\n' +\n    'body.properties.Score.number should be a number or null, instead was `\"42\"`.\\n' +\n    'body.properties.Score.url should be defined, instead was `undefined`.'\n}",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Never: codes{eValidation},
			Lead:  []string{"Score is a number property", `{"number":42}`},
		},
		{
			Name:   "Fix one with no parent, concatenated",
			Source: "seratch/notion-translator#5 ('body.parent.database_id should be defined…'); facts §3",
			Text:   "@notionhq/client warn: request fail { code: 'validation_error', message: 'body failed validation. Fix one:\\n' +\n    'body.parent.database_id should be defined, instead was `undefined`.\\n' +\n    'body.parent.page_id should be defined, instead was `undefined`.' }",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyParent},
			Lead: []string{"parent", "data_source_id"},
		},
		{
			Name:    "relation sent as a bare string",
			Source:  "peers §7 #1 ('body.properties.User.relation[0] should be an object, instead was \"a807…\"')",
			Text:    body("400", "validation_error", "body failed validation: body.properties.User.relation[0] should be an object, instead was `\""+sharedPage+"\"`."),
			Call:    &diagnose.Call{Status: 400, Code: "validation_error"},
			Offline: codes{bodyRelation},
			Lead:    []string{"User is a relation", `{"relation":[{"id":"` + sharedPage + `"}]}`},
		},
		{
			Name:   "date not ISO 8601",
			Source: "facts §5.3 (body.properties.Date.date.start should be a valid ISO 8601 date string)",
			Text:   "APIResponseError: body failed validation: body.properties.Due Date.date.start should be a valid ISO 8601 date string, instead was `\"2022/01/02\"`.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Lead: []string{`"Due Date"`, "ISO 8601", `{"date":{"start":"2022-01-02"}}`},
		},
		{
			Name:   "date with time_zone and a date only",
			Source: "raycast/extensions#10687 ('<prop> has an invalid date. If time zone is explicitly provided…')",
			Text:   "Notion: Deadline has an invalid date. If time zone is explicitly provided, start and end must contain date and time",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Lead: []string{"Deadline has an invalid date", "time_zone"},
		},
		{
			Name:   "link beside text in rich_text",
			Source: "markomanninen/md2notion#15 (…rich_text[1].link should be not present)",
			Text:   "body failed validation: body.properties.Notes.rich_text[1].link should be not present, instead was `{\"url\":\"https://x.y\"}`.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Lead: []string{"Notes", "link goes inside text"},
		},

		// --- content checks (facts §4, §5.3) ---
		{
			Name:   "table row width",
			Source: "facts §4 ('Number of cells in table row must match the table width of the parent table', 3p)",
			Text:   body("400", "validation_error", "Content creation Failed. Fix the following:\nNumber of cells in table row must match the table width of the parent table"),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyBlock},
			Lead: []string{"table_width"},
		},
		{
			Name:   "invalid URL for link",
			Source: "tryfabric/martian#41 ('Content creation Failed. Fix the following: \\nInvalid URL for link.')",
			Text:   "APIResponseError: Content creation Failed. Fix the following: \nInvalid URL for link.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyValue},
			Lead: []string{"link", "http(s)"},
		},
		{
			Name:   "children nested too deep",
			Source: "ramnes/notion-sdk-py#111 (…children should be not present); facts §4 nesting",
			Text:   "notion_client.errors.APIResponseError: body failed validation: body.children[0].bulleted_list_item.children[1].paragraph.children[0].bulleted_list_item.children should be not present, instead was `[{\"paragraph\":{}}]`.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyBlock},
			Lead: []string{"2 levels"},
		},
		{
			Name:   "workspace parent from an internal integration",
			Source: "facts §3 (Provide a `parent.page_id` or `parent.database_id` … workspace-level private pages is not supported.)",
			Text:   body("400", "validation_error", "Provide a `parent.page_id` or `parent.database_id` parameter to create a page, or use a public integration with `insert_content` capability. Internal integrations aren't owned by a single user, so creating workspace-level private pages is not supported."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyParent},
			Lead: []string{"workspace", "parent"},
		},
		{
			Name:   "database without a title property",
			Source: "makenotion/notion-sdk-js#239 ('Title is not provided')",
			Text:   `{"object":"error","status":400,"code":"validation_error","message":"Title is not provided"}`,
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyTitle},
			Lead: []string{"title property"},
		},

		{
			Name:   "could not find property in a query's sort",
			Source: "facts §5.3 (X is not a property: the key as sent); query sorts and filters name properties too",
			Text:   body("400", "validation_error", "Could not find sort property with name or id: Stauts"),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyMissing},
			Never: codes{eNotFound},
			Lead:  []string{"Stauts", "not a property"},
		},
		{
			Name:   "code block language not in Notion's list",
			Source: "facts §5.2 (an enum expectation); facts §6 (code: language is required)",
			Text:   "body failed validation: body.children[2].code.language should be `\"abap\"`, `\"agda\"`, `\"javascript\"`, or `\"yaml\"`, instead was `\"js\"`.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyBlock},
			Lead: []string{"body.children[2].code.language", "not js"},
		},
		{
			Name:   "query filter union, summed up not echoed",
			Source: "facts §5.2 (Fix one: a union, exactly one branch meant)",
			Text:   "body failed validation. Fix one: body.filter.or should be defined, instead was `undefined`. body.filter.and should be defined, instead was `undefined`. body.filter.title should be defined, instead was `undefined`.",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{eValidation},
			Lead: []string{"body.filter", "or, and, title"},
		},
		{
			Name:   "search filter value database under 2025-09-03",
			Source: "facts §7 (body.filter.value should be \"page\" or \"data_source\", instead was \"database\")",
			Text:   body("400", "validation_error", "body failed validation: body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `\"database\"`."),
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{eValidation},
			Lead: []string{"body.filter.value", "data_source", "not database"},
		},

		// --- wrappers (facts §5.4) ---
		{
			Name:   "hosted MCP: body nested as a string",
			Source: "makenotion/notion-mcp-server#100; facts §5.4 Hosted MCP",
			Text:   `{"name":"APIResponseError","code":"validation_error","status":400,"headers":{},"body":"{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"Stage is expected to be status.\"}"}`,
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Lead: []string{"Stage is a status property", `{"status":{"name":`},
		},
		{
			Name:   "Laravel wrapper",
			Source: "5am-code/laravel-notion-api#168; facts §5.4 Laravel",
			Text:   "NotionException: Bad Request: (validation_error) (Amount is expected to be number.)",
			Call:   &diagnose.Call{Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Lead: []string{"Amount is a number property", `{"number":`},
		},
		{
			Name:   "Python repr of the error body",
			Source: "facts §5.4 Python notion-client (.body); PY errors.py",
			Text:   "{'object': 'error', 'status': 400, 'code': 'validation_error', 'message': 'Owner is expected to be people.'}",
			Call:   &diagnose.Call{Status: 400, Code: "validation_error"},
			IDs:    []string{""}, Offline: codes{bodyType},
			Lead: []string{"Owner is a people property", `{"people":[`},
		},

		// --- pasted bodies (facts §2) ---
		{
			Name:    "curl body with a number as text and a relation of strings",
			Source:  "facts §2 number and relation rows; peers §7 #1",
			Text:    "curl -X POST https://api.notion.com/v1/pages -H 'Notion-Version: 2025-09-03' -H 'Content-Type: application/json' --data '{\"parent\":{\"data_source_id\":\"" + dataSource + "\"},\"properties\":{\"Name\":{\"title\":[{\"text\":{\"content\":\"Row\"}}]},\"Count\":{\"number\":\"7\"},\"Docs\":{\"relation\":[\"" + sharedPage + "\"]}}}'\n{\"object\":\"error\",\"status\":400,\"code\":\"validation_error\",\"message\":\"body failed validation: body.properties.Count.number should be a number or null, instead was `\\\"7\\\"`.\"}",
			Call:    &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", NotionVersion: "2025-09-03", ParentType: "data_source_id", ParentID: dataSource, Status: 400, Code: "validation_error"},
			Offline: codes{bodyValue, bodyRelation},
			Lead:    []string{"Count is a number property", `{"number":7}`},
		},
		{
			Name:    "Python SDK call with a read-only formula",
			Source:  "facts §2 read-only row; PipedreamHQ/pipedream#5697 (formula written)",
			Text:    "notion.pages.create(\n    parent={\"database_id\": DB_ID},\n    properties={\n        \"Name\": {\"title\": [{\"text\": {\"content\": \"x\"}}]},\n        \"Total\": {\"formula\": {\"number\": 3}},\n    },\n)\nnotion_client.errors.APIResponseError: body failed validation. Fix one: body.properties.Total.title should be defined, instead was `undefined`. body.properties.Total.rich_text should be defined, instead was `undefined`. body.properties.Total.number should be defined, instead was `undefined`.",
			Call:    &diagnose.Call{Method: "POST", Endpoint: "/v1/pages", ParentType: "database_id", Code: "validation_error"},
			Offline: codes{bodyReadOnly},
			Never:   codes{eValidation},
			Lead:    []string{"Total is a formula property", "leave it out"},
		},
	}
}
