package diagnose

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	hexA = "1212250f3985801cabcdef0123456789" // a page (not UUIDv4: version nibble 8)
	hexB = "249d19fb353080fcabcdef0123456789" // a page in a database
	hexV = "9a3e53af8585464db3e0123456789abc" // a view
	hexK = "6e86d637355440c99b55cded6ba9458a" // a block
)

var (
	idA = dash(hexA)
	idB = dash(hexB)
	idV = dash(hexV)
	idK = dash(hexK)
)

type readCase struct {
	name     string
	in       string
	id       string // first reference's ID
	hint     Kind   // "" = don't care
	endpoint Endpoint
	related  []Related // nil = don't care; exact otherwise
	codes    []Code    // exact list of codes of the first reference; nil = don't care
	n        int       // number of references; 0 = don't care
	says     string    // the first reference's first finding says this ("" = don't care)
}

func readCases() []readCase {
	return []readCase{
		// Link shapes (peers.md §3).
		{name: "www slug", in: "https://www.notion.so/My-Page-" + hexA, id: idA, codes: []Code{CodeIDExtracted}},
		{name: "no www", in: "https://notion.so/My-Page-" + hexA, id: idA},
		{name: "notion.com", in: "https://www.notion.com/My-Page-" + hexA, id: idA},
		{name: "app.notion.com/p slug", in: "https://app.notion.com/p/My-Page-" + hexA + "?source=copy_link", id: idA},
		{name: "app.notion.com/p bare", in: "https://app.notion.com/p/" + hexA, id: idA},
		{name: "app.notion.com/p workspace", in: "https://app.notion.com/p/acme/Roadmap-" + hexA, id: idA},
		{name: "app.notion.com no p", in: "https://app.notion.com/" + hexA, id: idA},
		{name: "notion.site slug", in: "https://acme.notion.site/Public-Page-" + hexA, id: idA},
		{name: "notion.site view", in: "https://acme.notion.site/" + hexA + "?v=" + hexV, id: idA, hint: KindDatabase, related: []Related{{KindView, idV}}, codes: []Code{CodeIDExtracted, CodeLinkView}},
		{name: "notion.site custom slug", in: "https://acme.notion.site/page-name", id: "", codes: []Code{CodeIDMissing}},
		{name: "notion deep link", in: "notion://www.notion.so/My-Page-" + hexA, id: idA},
		{name: "no scheme", in: "notion.so/" + hexA, id: idA},
		{name: "no scheme www", in: "www.notion.so/acme/Page-" + hexA, id: idA},
		{name: "no scheme notion.site", in: "abc.notion.site/" + hexA, id: idA},
		{name: "workspace segment", in: "https://www.notion.so/acme/Tasks-" + hexA, id: idA},
		{name: "trailing slash", in: "https://www.notion.so/Page-" + hexA + "/", id: idA},
		{name: "pvs", in: "https://www.notion.so/Page-" + hexA + "?pvs=4", id: idA, codes: []Code{CodeIDExtracted}},
		{name: "pvs 21", in: "https://www.notion.so/" + hexA + "?pvs=21", id: idA},
		{name: "source", in: "https://www.notion.so/Page-" + hexA + "?source=copy_link", id: idA},
		{name: "upper-case hex", in: "https://www.notion.so/Page-" + strings.ToUpper(hexA), id: idA},
		{name: "dashed in link", in: "https://www.notion.so/" + idA, id: idA},
		{name: "view", in: "https://www.notion.so/acme/" + hexA + "?v=" + hexV, id: idA, hint: KindDatabase, related: []Related{{KindView, idV}}, codes: []Code{CodeIDExtracted, CodeLinkView}},
		{name: "view pvs", in: "https://www.notion.so/" + hexA + "?v=" + hexV + "&pvs=4", id: idA, hint: KindDatabase, related: []Related{{KindView, idV}}},
		{name: "peek side", in: "https://www.notion.so/acme/" + hexA + "?v=" + hexV + "&p=" + hexB + "&pm=s", id: idB, hint: KindPage,
			related: []Related{{KindDatabase, idA}, {KindView, idV}}, codes: []Code{CodeIDExtracted, CodeLinkPeek}},
		{name: "peek centre slug", in: "https://www.notion.so/acme/Tasks-" + hexA + "?v=" + hexV + "&p=" + hexB + "&pm=c", id: idB,
			related: []Related{{KindDatabase, idA}, {KindView, idV}}},
		{name: "peek no view", in: "https://www.notion.so/" + hexA + "?p=" + hexB + "&pm=s", id: idB, related: []Related{{KindDatabase, idA}}},
		{name: "share p", in: "https://www.notion.so/share?p=" + hexB, id: idB},
		{name: "block fragment", in: "https://www.notion.so/Page-" + hexA + "#" + hexK, id: idA, related: []Related{{KindBlock, idK}}, codes: []Code{CodeIDExtracted, CodeLinkBlock}},
		{name: "block- fragment", in: "https://www.notion.so/Page-" + hexA + "#block-" + hexK, id: idA, related: []Related{{KindBlock, idK}}},
		{name: "fragment only", in: "https://www.notion.so/#" + hexK, id: idK, hint: KindBlock, codes: []Code{CodeIDExtracted, CodeLinkBlock}},
		{name: "hex slug word", in: "https://www.notion.so/acme/deadbeef-" + hexA, id: idA},
		{name: "non-ASCII slug", in: "https://www.notion.so/日本語のページ-" + hexA, id: idA},
		{name: "percent-encoded slug", in: "https://www.notion.so/%E6%97%A5%E6%9C%AC-" + hexA, id: idA},
		{name: "link in parentheses", in: "(see https://www.notion.so/Page-" + hexA + ")", id: idA},
		{name: "link then period", in: "It fails on https://www.notion.so/Page-" + hexA + ".", id: idA},
		{name: "link after colour code", in: "\x1b[31mhttps://www.notion.so/Page-" + hexA + "\x1b[0m", id: idA},
		{name: "link glued to a word", in: "see:https://www.notion.so/Page-" + hexA, id: idA},
		{name: "link in markdown", in: "[page](https://www.notion.so/Page-" + hexA + ")", id: idA},

		// Not content.
		{name: "integrations page", in: "https://www.notion.so/profile/integrations/internal/" + idA, id: "", codes: []Code{CodeLinkNotContent}},
		{name: "my-integrations", in: "https://www.notion.so/my-integrations", id: "", codes: []Code{CodeLinkNotContent}},
		{name: "settings", in: "https://www.notion.so/settings", id: "", codes: []Code{CodeLinkNotContent}},
		{name: "developers docs", in: "https://developers.notion.com/reference/retrieve-a-page", id: "", codes: []Code{CodeLinkNotContent}},
		{name: "other host with id", in: "https://google.com/" + hexA, id: "", codes: []Code{CodeLinkNotContent}},
		{name: "other host no id", in: "https://example.com/docs", id: "", codes: []Code{CodeLinkNotContent}},
		{name: "other host ignored next to notion", in: "see https://github.com/x/y and https://www.notion.so/Page-" + hexA, id: idA, n: 1},

		// Slack forms.
		{name: "slack angle", in: "<https://www.notion.so/Page-" + hexA + ">", id: idA},
		{name: "slack label", in: "<https://www.notion.so/Page-" + hexA + "|My Page>", id: idA},
		{name: "slack amp peek", in: "<https://www.notion.so/" + hexA + "?v=" + hexV + "&amp;p=" + hexB + "&amp;pm=s>", id: idB,
			related: []Related{{KindDatabase, idA}, {KindView, idV}}},
		{name: "slack amp peek slug label", in: "<https://www.notion.so/acme/Tasks-" + hexA + "?v=" + hexV + "&amp;p=" + hexB + "&amp;pm=s|Tasks>", id: idB},
		{name: "slack amp bare text", in: "https://www.notion.so/" + hexA + "?v=" + hexV + "&amp;p=" + hexB, id: idB},
		{name: "slack mention and link", in: "<@U012AB3CD> why does <https://www.notion.so/Page-" + hexA + "> fail?", id: idA, n: 1},
		{name: "slack channel ref", in: "<#C0123456789|help> " + hexA, id: idA, n: 1},
		{name: "slack lt gt", in: "&lt;" + hexA + "&gt;", id: idA},

		// Bare IDs.
		{name: "32 hex", in: hexA, id: idA, codes: []Code{}},
		{name: "dashed", in: idA, id: idA, codes: []Code{}},
		{name: "dashed upper", in: strings.ToUpper(idA), id: idA, codes: []Code{}},
		{name: "not v4", in: "249d19fb-3530-80fc-abcd-000b01234567", id: "249d19fb-3530-80fc-abcd-000b01234567"},
		{name: "all zero version", in: "00000000-0000-0000-0000-000000000000", id: "00000000-0000-0000-0000-000000000000"},
		{name: "id in sentence", in: "The page " + hexA + " cannot be found.", id: idA},
		{name: "slug pasted as id", in: "Calendar-" + hexA, id: idA, codes: []Code{CodeIDExtracted}},
		{name: "id with view pasted", in: hexA + "?v=" + hexV, id: idA, hint: KindDatabase, related: []Related{{KindView, idV}}},
		{name: "id with slash", in: hexA + "/", id: idA},
		{name: "two ids", in: hexA + " and " + hexB, id: idA, n: 2},
		{name: "duplicates merged", in: hexA + " " + idA + " https://www.notion.so/Page-" + hexA, id: idA, n: 1},

		// Malformed.
		{name: "31 hex", in: hexA[:31], id: "", codes: []Code{CodeIDMalformed}},
		{name: "20 hex", in: hexA[:20], id: "", codes: []Code{CodeIDMalformed}},
		{name: "33 hex", in: hexA + "0", id: "", codes: []Code{CodeIDMalformed}},
		{name: "35-char dashed", in: idA[:35], id: "", codes: []Code{CodeIDMalformed}},
		{name: "misplaced dashes", in: "1212250f39-85801c-abcd-ef0123456789", id: idA, codes: []Code{CodeIDMalformed}},
		{name: "quoted alone", in: `"` + idA + `"`, id: idA, codes: []Code{CodeIDMalformed}},
		{name: "single quoted alone", in: "'" + hexA + "'", id: idA, codes: []Code{CodeIDMalformed}},
		{name: "zero-width space", in: hexA[:8] + "\u200b" + hexA[8:], id: idA, codes: []Code{CodeIDMalformed}},
		{name: "BOM first", in: "\ufeff" + hexA, id: idA, codes: []Code{CodeIDMalformed}},
		{name: "non-hex letter", in: hexA[:21] + "g" + hexA[22:], id: "", codes: []Code{CodeIDMalformed}},
		{name: "letter o for zero", in: "1212250f3985801cabcdef01234567o9", id: "", codes: []Code{CodeIDMalformed}},
		{name: "ellipsis cut", in: "id: " + hexA[:16] + "…", id: "", codes: []Code{CodeIDMalformed}},
		{name: "slug cut off", in: "https://www.notion.so/Page-" + hexA[:24], id: "", codes: []Code{CodeIDMalformed}},
		{name: "link with 33 hex", in: "https://www.notion.so/Page-" + hexA + "a", id: "", codes: []Code{CodeIDMalformed}},

		// Missing.
		{name: "empty", in: "", id: "", codes: []Code{CodeIDMissing}},
		{name: "blank", in: "   \n", id: "", codes: []Code{CodeIDMissing}},
		{name: "None", in: "None", id: "", codes: []Code{CodeIDMissing}},
		{name: "undefined", in: "undefined", id: "", codes: []Code{CodeIDMissing}},
		{name: "null", in: "null", id: "", codes: []Code{CodeIDMissing}},
		{name: "empty quotes", in: `""`, id: "", codes: []Code{CodeIDMissing}},
		{name: "placeholder env", in: "ARCHIVE_PAGE_URL", id: "", codes: []Code{CodeIDMissing}},
		// <page_id> is an unsubstituted template variable: id.variable
		// (added 2026) names it, where id.missing used to say "placeholder".
		{name: "placeholder angle", in: "<page_id>", id: "", codes: []Code{CodeIDVariable}},
		{name: "placeholder your", in: "YOUR_DATABASE_ID", id: "", codes: []Code{CodeIDMissing}},
		{name: "title", in: "Q3 Roadmap", id: "", codes: []Code{CodeIDMissing}},
		{name: "key None", in: "database_id = None", id: "", hint: KindDatabase, codes: []Code{CodeIDMissing}},
		{name: "json empty", in: `{"parent": {"database_id": ""}}`, id: "", hint: KindDatabase, codes: []Code{CodeIDMissing}},

		// API URLs and curl.
		{name: "api page", in: "https://api.notion.com/v1/pages/" + idA, id: idA, endpoint: EndpointPages, codes: []Code{CodeIDExtracted}},
		{name: "api db query", in: "https://api.notion.com/v1/databases/" + idA + "/query", id: idA, endpoint: EndpointDatabases},
		{name: "api data source", in: "https://api.notion.com/v1/data_sources/" + hexA + "/query", id: idA, endpoint: EndpointDataSources},
		{name: "api block children", in: "https://api.notion.com/v1/blocks/" + idA + "/children?page_size=100", id: idA, endpoint: EndpointBlocks},
		{name: "api comments", in: "https://api.notion.com/v1/comments?block_id=" + idA, id: idA, endpoint: EndpointBlocks},
		{name: "api None", in: "https://api.notion.com/v1/pages/None", id: "", endpoint: EndpointPages, codes: []Code{CodeIDMissing}},
		{name: "api with whole url", in: "https://api.notion.com/v1/pages/" + "https%3A%2F%2Fwww.notion.so%2FPage-" + hexA, id: idA, endpoint: EndpointPages},
		{name: "api quoted", in: "https://api.notion.com/v1/pages/%22" + idA + "%22", id: idA, endpoint: EndpointPages, codes: []Code{CodeIDMalformed, CodeIDExtracted}},
		{name: "api no id", in: "curl https://api.notion.com/v1/search -d '{}'", id: "", n: 1},
		{name: "curl", in: `curl -X PATCH 'https://api.notion.com/v1/pages/` + idA + `' -H 'Notion-Version: 2022-06-28' -H 'Authorization: Bearer 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'`, id: idA, endpoint: EndpointPages, n: 1},
		{name: "curl create in db", in: `curl -X POST https://api.notion.com/v1/pages -d '{"parent":{"database_id":"` + hexA + `"}}'`, id: idA, hint: KindDatabase, n: 1},
		{name: "path only", in: "GET /v1/databases/" + idA + " returned 404", id: idA, endpoint: EndpointDatabases},

		// Pasted errors.
		{name: "error body 404", in: `{"object":"error","status":404,"code":"object_not_found","message":"Could not find database with ID: ` + idA + `. Make sure the relevant pages and databases are shared with your integration \"Iris\".","request_id":"292c30e5-d974-4616-9f41-43fa3fd9879b","additional_data":{"integration_id":"` + idB + `"}}`,
			id: idA, endpoint: EndpointDatabases, n: 1},
		{name: "bare 404 message", in: "Could not find page with ID: " + idA + ". Make sure the relevant pages and databases are shared with your integration.", id: idA, endpoint: EndpointPages},
		{name: "block 404", in: "Could not find block with ID: " + idA, id: idA, endpoint: EndpointBlocks},
		{name: "data_source 404", in: "Could not find data_source with ID: " + idA, id: idA, endpoint: EndpointDataSources},
		{name: "is a database", in: "Provided ID " + idA + " is a database, not a page. Use the retrieve database API instead.", id: idA, hint: KindDatabase, endpoint: EndpointPages},
		{name: "is a page", in: "Provided database_id " + idA + " is a page, not a database. Use the pages API instead, or pass the ID of the database itself.", id: idA, hint: KindPage, endpoint: EndpointDatabases},
		{name: "is a block", in: "Provided ID " + idA + " is a block, not a page. Use the retrieve block API instead", id: idA, hint: KindBlock, endpoint: EndpointPages},
		{name: "no data sources", in: "Database with ID " + idA + " does not contain any data sources accessible by this API bot.", id: idA, hint: KindDatabase},
		{name: "linked", in: "Database with ID " + idA + " is a linked database. Database retrievals do not support linked databases.", id: idA, hint: KindDatabase},
		{name: "validation None", in: "path failed validation: path.database_id should be a valid uuid, instead was `\"None\"`.", id: "", endpoint: EndpointDatabases, hint: KindDatabase, codes: []Code{CodeIDMissing}},
		{name: "validation json-escaped", in: `{"object":"error","status":400,"code":"validation_error","message":"path failed validation: path.page_id should be a valid uuid, instead was ` + "`" + `\"not-a-real-id\"` + "`" + `.","request_id":"` + idB + `"}`, id: "", endpoint: EndpointPages, n: 1},
		{name: "validation view suffix", in: "body failed validation. Fix one: body.parent.database_id should be a valid uuid, instead was `\"f5820afe77ee4c589e91903f956bdda1?v=9a3e53af8585464db3e...`. body.parent.page_id should be defined, instead was `undefined`.",
			id: "f5820afe-77ee-4c58-9e91-903f956bdda1", hint: KindDatabase},
		{name: "validation slug", in: "path failed validation: path.page_id should be a valid uuid, instead was `\"Calendar-" + hexA + "\"`.", id: idA, endpoint: EndpointPages, n: 1},
		{name: "validation short", in: "path failed validation: path.block_id should be a valid uuid, instead was `\"" + hexA[:30] + "\"`.", id: "", endpoint: EndpointBlocks, codes: []Code{CodeIDMalformed}},
		{name: "js sdk line", in: "APIResponseError: Could not find page with ID: " + idA + ". Make sure the relevant pages and databases are shared with your integration.\n    at buildRequestError (node_modules/@notionhq/client/build/src/errors.js:162:16)", id: idA, endpoint: EndpointPages, n: 1},
		{name: "python sdk line", in: "notion_client.errors.APIResponseError: Could not find database with ID: " + idA + ".", id: idA, endpoint: EndpointDatabases},
		{name: "env var names the kind", in: "NOTION_DATABASE_ID=" + hexA, id: idA, hint: KindDatabase},
		{name: "env var names a page", in: "export NOTION_PAGE_ID=" + idA, id: idA, hint: KindPage},

		// IDs that are not objects: never checked.
		{name: "request id phrase", in: "request id: " + idB + " for page " + hexA, id: idA, n: 1},
		{name: "workspace ID sentence", in: "Your workspace ID is " + idB, id: "", codes: []Code{CodeIDMissing}, says: "a workspace ID"},
		{name: "request ID alone", in: `{"request_id":"` + idB + `"}`, id: "", codes: []Code{CodeIDMissing}, says: "a request ID"},
		{name: "spaceId in JS", in: "{ spaceId: '" + idB + "' }", id: "", n: 1},
		{name: "next_cursor", in: `{"results":[],"next_cursor":"` + idB + `"}`, id: "", n: 1},
		{name: "bot_id", in: `{"bot_id":"` + idB + `"}`, id: "", n: 1},
		{name: "raw headers array", in: "[ 'x-notion-request-id', '" + idB + "' ]", id: "", n: 1},
		{name: "headers map", in: "Headers { 'x-notion-request-id' => '" + idB + "' }", id: "", n: 1},
		{name: "JS user object", in: "{ object: 'user', id: '" + idB + "' } " + hexA, id: idA, n: 1},
		{name: "integration ID phrase", in: "integration ID " + idB, id: "", n: 1},

		// Variables (id.variable): named, never a typo.
		{name: "process.env alone", in: "process.env.NOTION_DB_ID", id: "", codes: []Code{CodeIDVariable}},
		{name: "process.env key", in: "database_id: process.env.NOTION_DB_ID", id: "", hint: KindDatabase, codes: []Code{CodeIDVariable}},
		{name: "process.env brackets", in: "page_id: process.env['NOTION_PAGE_ID']", id: "", codes: []Code{CodeIDVariable}},
		{name: "os.environ", in: "database_id=os.environ['NOTION_DATABASE_ID']", id: "", codes: []Code{CodeIDVariable}},
		{name: "os.environ.get", in: `page_id = os.environ.get("NOTION_PAGE_ID")`, id: "", codes: []Code{CodeIDVariable}},
		{name: "os.getenv standalone", in: `notion.pages.retrieve(os.getenv("NOTION_PAGE_ID"))`, id: "", codes: []Code{CodeIDVariable}},
		{name: "import.meta.env", in: "const id = import.meta.env.VITE_NOTION_PAGE_ID", id: "", codes: []Code{CodeIDVariable}},
		{name: "Ruby ENV", in: "ENV['NOTION_DATABASE_ID']", id: "", codes: []Code{CodeIDVariable}},
		{name: "shell braces", in: "${DB_ID}", id: "", codes: []Code{CodeIDVariable}},
		{name: "shell dollar", in: "$NOTION_PAGE_ID", id: "", codes: []Code{CodeIDVariable}},
		{name: "mustache", in: "{{page_id}}", id: "", codes: []Code{CodeIDVariable}},
		{name: "windows percent", in: "%NOTION_ID%", id: "", codes: []Code{CodeIDVariable}},
		{name: "name in code", in: "notion.databases.query({ database_id: databaseId })", id: "", codes: []Code{CodeIDVariable}},
		{name: "variable in an API path", in: "https://api.notion.com/v1/pages/${pageId}", id: "", endpoint: EndpointPages, codes: []Code{CodeIDVariable}},
		{name: "placeholder in an API path", in: "https://api.notion.com/v1/databases/<DATABASE_ID>/query", id: "", endpoint: EndpointDatabases, codes: []Code{CodeIDVariable}},
		{name: "Go os.Getenv of a database", in: `client.Database.Query(ctx, notionapi.DatabaseID(os.Getenv("NOTION_DB")), nil)`, id: "", hint: KindDatabase, codes: []Code{CodeIDVariable}},
		{name: "page size variable is no ID", in: "page_size: process.env.NOTION_PAGE_SIZE", id: "", codes: []Code{CodeIDMissing}},
		{name: "token variable is no ID", in: "const notion = new Client({ auth: process.env.NOTION_TOKEN })", id: "", codes: []Code{CodeIDMissing}},

		// API paths holding what is not an ID.
		{name: "api whole link in path", in: "https://api.notion.com/v1/pages/https://www.notion.so/Page-" + hexA, id: idA, endpoint: EndpointPages},
		{name: "api empty id", in: "https://api.notion.com/v1/blocks//children", id: "", endpoint: EndpointBlocks, codes: []Code{CodeIDMissing}},
		{name: "api unknown route keeps the ID", in: "https://api.notion.com/v1/database/" + hexA + "/query", id: idA},
		{name: "masked error ID", in: "Could not find page with ID: 1212****", id: "", codes: []Code{CodeIDMissing}},
		{name: "request id header ignored", in: "x-notion-request-id: " + idB + "\nCould not find page with ID: " + idA, id: idA, n: 1},
		{name: "user object ignored", in: `{"created_by":{"object":"user","id":"` + idB + `"},"id":"` + idA + `"}`, id: idA, n: 1},
	}
}

func TestRead(t *testing.T) {
	for _, tc := range readCases() {
		t.Run(tc.name, func(t *testing.T) {
			refs := Read(tc.in)
			if len(refs) == 0 {
				t.Fatal("Read returned no reference")
			}
			r := refs[0]
			if r.ID != tc.id {
				t.Errorf("Read(%q)[0].ID = %q, want %q (all: %s)", tc.in, r.ID, tc.id, describe(refs))
			}
			if tc.hint != "" && r.Hint != tc.hint {
				t.Errorf("hint = %q, want %q", r.Hint, tc.hint)
			}
			if tc.endpoint != "" && r.Endpoint != tc.endpoint {
				t.Errorf("endpoint = %q, want %q", r.Endpoint, tc.endpoint)
			}
			if tc.related != nil && !slices.Equal(r.Related, tc.related) {
				t.Errorf("related = %v, want %v", r.Related, tc.related)
			}
			if tc.codes != nil {
				got := codesOf(r.Findings)
				if !slices.Equal(got, tc.codes) && !(len(got) == 0 && len(tc.codes) == 0) {
					t.Errorf("codes = %v, want %v", got, tc.codes)
				}
			}
			if tc.says != "" && (len(r.Findings) == 0 || !strings.Contains(r.Findings[0].Detail, tc.says)) {
				t.Errorf("first finding does not say %q: %v", tc.says, r.Findings)
			}
			if tc.n != 0 && len(refs) != tc.n {
				t.Errorf("got %d references, want %d: %s", len(refs), tc.n, describe(refs))
			}
			for _, ref := range refs {
				if ref.ID != "" && !IsID(ref.ID) {
					t.Errorf("ID %q is not a dashed lowercase UUID", ref.ID)
				}
			}
		})
	}
}

// TestReadNeverEmpty: every reference has a source, every reference without
// an ID says why, and no finding leaves a {placeholder} unfilled.
func TestReadFindingsComplete(t *testing.T) {
	for _, tc := range readCases() {
		for _, r := range Read(tc.in) {
			if r.ID == "" && !HasCode(r.Findings, CodeIDMissing) && !HasCode(r.Findings, CodeIDMalformed) && !HasCode(r.Findings, CodeLinkNotContent) && !HasCode(r.Findings, CodeIDVariable) {
				t.Errorf("%s: reference without ID and without a finding saying why: %+v", tc.name, r)
			}
			for _, f := range r.Findings {
				if f.Title == "" || f.Detail == "" || len(f.Fix) == 0 {
					t.Errorf("%s: finding %s lacks title, detail or fix: %+v", tc.name, f.Code, f)
				}
				for _, step := range f.Fix {
					if strings.Contains(step, "{") && !strings.Contains(step, `{"`) {
						t.Errorf("%s: finding %s has an unfilled placeholder: %q", tc.name, f.Code, step)
					}
				}
			}
		}
	}
}

func TestReadOrder(t *testing.T) {
	in := "first " + hexB + " then https://www.notion.so/Page-" + hexA + " then Could not find block with ID: " + idK
	refs := Read(in)
	var got []string
	for _, r := range refs {
		got = append(got, r.ID)
	}
	want := []string{idB, idA, idK}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestReadMergesHints(t *testing.T) {
	// The same ID in a curl URL (endpoint) and in the error it produced
	// (what the object really is): one reference carrying both.
	in := "curl https://api.notion.com/v1/pages/" + idA + "\n" +
		`{"object":"error","status":400,"code":"validation_error","message":"Provided ID ` + idA + ` is a database, not a page. Use the retrieve database API instead."}`
	refs := Read(in)
	if len(refs) != 1 {
		t.Fatalf("got %d refs, want 1: %s", len(refs), describe(refs))
	}
	if refs[0].Endpoint != EndpointPages || refs[0].Hint != KindDatabase {
		t.Errorf("endpoint %q hint %q, want pages and database", refs[0].Endpoint, refs[0].Hint)
	}
}

func TestReadLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "https://www.notion.so/Page-%032x\n", i+1)
	}
	refs, total := ReadLimit(b.String(), 5)
	if len(refs) != 5 || total != 1000 {
		t.Errorf("ReadLimit = %d refs, total %d; want 5, 1000", len(refs), total)
	}
}

func TestHasReference(t *testing.T) {
	for in, want := range map[string]bool{
		"https://www.notion.so/Page-" + hexA:   true,
		"Could not find page with ID: " + idA:  true,
		hexA:                                   true,
		"https://api.notion.com/v1/pages/None": true,
		"good morning":                         false,
		"see commit 0123456789abcdef0123456789abcdef01234567": false,
		"":                     false,
		"https://github.com/x": false,
		hexA[:24] + " was it?": false,
	} {
		if got := HasReference(in); got != want {
			t.Errorf("HasReference(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTokenFindings(t *testing.T) {
	const good = "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"
	const legacy = "secret_" + "abcdefghijABCDEFGHIJ0123456789abcdefghijABC"
	for _, tc := range []struct {
		name, tok string
		bad       bool
		says      string
	}{
		{"ntn", good, false, ""},
		{"legacy", legacy, false, ""},
		{"empty", "", false, ""},
		{"bearer", "Bearer " + good, true, "Bearer"},
		{"quotes", `"` + good + `"`, true, "quotes"},
		{"trailing newline", good + "\n", true, "spaces or a line break"},
		{"inner space", good[:10] + " " + good[10:], true, "spaces"},
		{"slack token", "xoxb-1234-5678-abcdefghijkl", true, "Slack token"},
		{"garbage", "hunter2hunter2", true, "not of the ntn_"},
		{"cut", "ntn_4564761517", true, "not of the ntn_"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := TokenFindings(tc.tok)
			if (len(fs) > 0) != tc.bad {
				t.Fatalf("TokenFindings bad = %v, want %v (%v)", len(fs) > 0, tc.bad, fs)
			}
			if !tc.bad {
				return
			}
			if fs[0].Code != CodeTokenMalformed || !strings.Contains(fs[0].Detail, tc.says) {
				t.Errorf("finding %s %q, want token.malformed saying %q", fs[0].Code, fs[0].Detail, tc.says)
			}
			clean := strings.TrimSpace(strings.Trim(strings.TrimPrefix(tc.tok, "Bearer "), `"`))
			for _, s := range append([]string{fs[0].Detail, fs[0].Title}, fs[0].Fix...) {
				if len(clean) >= 8 && strings.Contains(s, clean[4:]) {
					t.Errorf("finding quotes the token: %q", s)
				}
			}
		})
	}
}

func describe(refs []Reference) string {
	var parts []string
	for _, r := range refs {
		parts = append(parts, fmt.Sprintf("{id=%q origin=%s hint=%s ep=%s codes=%v src=%q}", r.ID, r.Origin, r.Hint, r.Endpoint, codesOf(r.Findings), r.Source))
	}
	return strings.Join(parts, " ")
}

func codesOf(fs []Finding) []Code {
	out := []Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestSplitDashIsSplit holds splitDash to strings.Split(s, "-").
func TestSplitDashIsSplit(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "-", "--", "a", "a-", "-a", "a-b", "1212250f-3985-801c-abcd-ef0123456789", "a-b-c-d-e-f-g-h-i-j-k", "é-ü"} {
		if got, want := splitDash(nil, s), strings.Split(s, "-"); !slices.Equal(got, want) {
			t.Errorf("splitDash(%q) = %q, want %q", s, got, want)
		}
	}
}
