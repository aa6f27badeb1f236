package diagnose

import (
	"strings"
)

// This file reads what a wrapper around Notion's API shows of a failed
// call (how SDKs and automation tools wrap Notion's errors): which wrapper it is,
// the integration and the status it names in its own words, and whether the
// failure reached Notion's API at all. A wrapper's own validation (an MCP
// tool's schema, an automation's required field), a transport failure or an
// HTML page where JSON was expected never reached the API: no sharing or
// token advice fits those. The validation messages inside a wrapper are read
// by the body readers, not here.

// wrapperSigns name each wrapper by strings only its errors carry, most
// specific first.
var wrapperSigns = []struct {
	via   string
	signs []string
}{
	{"n8n", []string{"n8nDetails", "NodeApiError", "NodeOperationError", "n8n-nodes-base", "n8n.io", "n8n Notion", "n8n node"}},
	{"Make", []string{"make.com", "Integromat", "BundleValidationError", "Make scenario", "in Make "}},
	{"Zapier", []string{"Zapier", "zapier.com"}},
	{"Pipedream", []string{"Pipedream", "pipedream", "@pipedream/"}},
	{"MCP (hosted)", []string{"mcp.notion.com", "notion-create-pages", "notion-update-page", "notion-fetch", "notion-search", "notion-query-data-sources", "notion-create-database", "notion-move-pages"}},
	{"MCP (local)", []string{"notion-mcp-server", "@notionhq/notion-mcp-server", "OPENAPI_MCP_HEADERS", "tool API-", "API-post-", "API-patch-", "API-get-", "API-retrieve-", "API-query-", "API-create-", "API-update-", "API-delete-", "API-move-", "API-list-"}},
	{"MCP", []string{"MCP error", "Invalid arguments for tool", "mcp server", "MCP server", "MCP tool"}},
	{"LangChain", []string{"langchain", "LangChain", "NotionDBLoader", "NotionDirectoryLoader"}},
	{"LlamaIndex", []string{"llama_index", "llama-index", "LlamaIndex", "NotionPageReader"}},
	{"notion-sdk-js", []string{"@notionhq/client", "APIResponseError", "UnknownHTTPResponseError", "RequestTimeoutError", "notionhq_client_"}},
	{"notion-client (Python)", []string{"notion_client", "notion-client"}},
	{"jomei/notionapi (Go)", []string{"jomei/notionapi", "notionapi."}},
	{"notion-ruby-client", []string{"Notion::Api::Errors", "notion-ruby-client", "Notion::Client"}},
	{"PHP SDK", []string{"NotionException", "Notion\\Exceptions", "notion-sdk-php", "FiveamCode"}},
	{"JVM SDK", []string{"NotionAPIError", "notion-sdk-jvm", "notion.api.v1", "Got an error from Notion"}},
}

// clientFailures are the texts of failures that happen in the client,
// by kind (Call.ClientFailure), each with no Notion error code beside it.
var clientFailures = []struct {
	kind  string
	signs []string
}{
	// An HTML page where JSON was expected: a proxy, a captive portal, the
	// Cloudflare edge, or a URL that is Notion's website, not its API.
	{"edge", []string{"Unexpected token <", "Unexpected token '<'", "Unexpected token '<', \"<!DOCTYPE", "is not valid JSON", "invalid character '<' looking for beginning of value", "Expecting value: line 1 column 1 (char 0)", "JSONDecodeError", "unexpected end of JSON input"}},
	// The wrapper's own validation of the arguments: the request was never
	// sent.
	{"schema", []string{"Invalid arguments for tool", "MCP error -32602", "ZodError", "\"invalid_type\"", "'invalid_type'", "Input validation error", "input_schema", "validation error for ", "NodeOperationError", "BundleValidationError", "Validation failed for ", "Missing value of required parameter", "Required field ", "is a required field", "must have required property", "is not of a type(s)"}},
	// The client refused the path itself.
	{"path", []string{"notionhq_client_invalid_path_parameter", "InvalidPathParameterError"}},
	// The request or its answer was lost on the way.
	{"transport", []string{"ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "socket hang up", "fetch failed", "getaddrinfo", "self signed certificate", "self-signed certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "certificate verify failed", "Max retries exceeded with url", "ConnectionError", "ConnectError", "ConnectTimeout", "ReadTimeout", "Temporary failure in name resolution", "Name or service not known", "nodename nor servname", "Connection aborted", "RemoteDisconnected", "SSLError", "ProxyError", "ECONNABORTED", "EPIPE", "i/o timeout", "no such host", "connection refused", "connection reset by peer", "TLS handshake timeout", "Client.Timeout exceeded", "Request to Notion API has timed out", "notionhq_client_request_timeout", "MCP error -32001", "MCP error -32000", "Connection closed", "Request timed out"}},
	// Notion answered, and the client could not read the answer.
	{"decode", []string{"unsupported property type", "unsupported object type", "json: cannot unmarshal", "cannot unmarshal", "unsupported block type"}},
}

// wrapperStatusWords are the ways wrappers and HTTP libraries put the
// status in their own words: "404 Client Error: Not Found for url" (Python
// requests, LangChain and LlamaIndex loaders), "[400] …" (Make), "404 - "
// (n8n's raw error).
var wrapperStatusWords = []string{" Client Error", " Server Error", "] ", " - \""}

// rubyErrors are notion-ruby-client's error classes with the code each
// stands for.
var rubyErrors = map[string]string{
	"ObjectNotFound": "object_not_found", "Unauthorized": "unauthorized", "Forbidden": "restricted_resource",
	"TooManyRequests": "rate_limited", "Unavailable": "service_unavailable", "InternalError": "internal_server_error",
}

// readWrapper reads the wrapper facts of t into c: the wrapper, the status
// it names in its own words, an integration named outside Notion's message,
// and whether the failure happened in the client.
func readWrapper(t string, c *Call, ix *firsts) {
	for _, w := range wrapperSigns {
		if ix.containsAny(w.signs) {
			c.Via = w.via
			break
		}
	}
	if c.Status == 0 {
		c.Status = wrapperStatus(t)
	}
	if c.Code == "" && c.Via == "notion-ruby-client" {
		for class, code := range rubyErrors {
			if strings.Contains(t, "Errors::"+class) {
				c.Code = code
			}
		}
	}
	readMCPTool(t, c)
	readClientFailure(t, c, ix)
}

// wrapperStatus reads a status a wrapper writes before its own words; 0
// when there is none.
func wrapperStatus(t string) int {
	for _, w := range wrapperStatusWords {
		for off := 0; off < len(t); {
			i := strings.Index(t[off:], w)
			if i < 0 {
				break
			}
			i += off
			off = i + len(w)
			s := i
			if w == "] " {
				s-- // "[400] "
			}
			if s < 3 {
				continue
			}
			if w == "] " && (s < 4 || t[s-3] != '[' && t[s-4] != '[') {
				continue
			}
			if n := httpStatus(t[s-3 : s]); n >= 400 && (s == 3 || !isSchemeByte(t[s-4]) && (t[s-4] < '0' || t[s-4] > '9')) {
				return n
			}
		}
	}
	return 0
}

// readMCPTool reads the endpoint of a Notion MCP tool the text names
// (API-query-data-source, API-retrieve-a-database…): the data-source tools
// call /v1/data_sources, which needs Notion-Version 2025-09-03.
func readMCPTool(t string, c *Call) {
	if c.Endpoint != "" || !strings.HasPrefix(c.Via, "MCP") {
		return
	}
	i := strings.Index(t, "API-")
	if i < 0 {
		return
	}
	e := i + 4
	for e < len(t) && (t[e] >= 'a' && t[e] <= 'z' || t[e] == '-') {
		e++
	}
	tool := t[i+4 : e]
	switch {
	case strings.Contains(tool, "data-source") && strings.Contains(tool, "query"):
		c.Method, c.Endpoint = "POST", "/v1/data_sources/{data_source_id}/query"
	case strings.Contains(tool, "data-source"):
		c.Endpoint = "/v1/data_sources/{data_source_id}"
	case strings.Contains(tool, "database") && strings.Contains(tool, "query"):
		c.Method, c.Endpoint = "POST", "/v1/databases/{database_id}/query"
	case strings.Contains(tool, "database"):
		c.Endpoint = "/v1/databases/{database_id}"
	case tool == "post-search":
		c.Method, c.Endpoint = "POST", "/v1/search"
	case tool == "post-page":
		c.Method, c.Endpoint = "POST", "/v1/pages"
	case strings.Contains(tool, "block-children"):
		c.Endpoint = "/v1/blocks/{block_id}/children"
	case strings.Contains(tool, "page"):
		c.Endpoint = "/v1/pages/{page_id}"
	}
}

// readClientFailure sets c.ClientFailure when the text shows a failure
// that happened in the client and no answer of Notion's API beside it.
func readClientFailure(t string, c *Call, ix *firsts) {
	if c.Edge {
		c.ClientFailure = "edge"
		return
	}
	notion := c.Code != "" && knownCodes[c.Code] != 0
	for _, f := range clientFailures {
		for _, s := range f.signs {
			i := ix.index(s)
			if i < 0 {
				continue
			}
			switch f.kind {
			case "decode":
				// A decode failure follows Notion's answer: it stands even
				// beside one.
			case "transport":
				if notion && c.Code != "gateway_timeout" {
					continue
				}
			default:
				if notion {
					continue
				}
			}
			c.ClientFailure = f.kind
			c.ClientMessage = truncateUTF8(strings.TrimSpace(lineAt(t, i)), 300)
			return
		}
	}
}

// lineAt returns the line of t that holds offset i.
func lineAt(t string, i int) string {
	s := strings.LastIndexByte(t[:i], '\n') + 1
	e := strings.IndexByte(t[i:], '\n')
	if e < 0 {
		return t[s:]
	}
	return t[s : i+e]
}
