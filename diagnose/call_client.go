package diagnose

import (
	"fmt"
	"strings"
)

// wrapperFindings is the diagnosis of the failed calls whose cause is not
// in Notion's answer about an object: a failure in the client (call.client),
// a step of the OAuth flow (oauth.grant), an Authorization header with
// "Bearer" twice, and a wrapper's data-source tool sent with an old
// Notion-Version. nil when none fits; CallFindings then reads Notion's
// answer.
func wrapperFindings(c *Call, answer, said string) []Finding {
	switch {
	case c.ClientFailure != "" || c.Edge:
		return []Finding{clientFinding(c)}
	case isOAuthCall(c):
		return []Finding{oauthFinding(c, said)}
	case c.Auth == "bearer_doubled" && (c.Status == 401 || c.Code == "unauthorized" || !c.Failed()):
		got := "Notion answers such a header 401 unauthorized"
		if c.Failed() {
			got = "so the call got " + answer + said
		}
		return one(CodeErrorUnauthorized, "The Authorization header sends \"Bearer\" twice (\"Bearer Bearer <token>\"), "+got+": the token was set with its \"Bearer \" prefix into a client that adds its own. The token itself may be fine.", nil)
	case strings.HasPrefix(c.Via, "MCP") && c.Code == "invalid_request_url" && c.NotionVersion != "" && versionBefore(c.NotionVersion, firstDataSourceVersion):
		return one(CodeErrorVersion, fmt.Sprintf("The MCP server sent Notion-Version %s and got %s%s: its data-source tools (query, retrieve, create and update a data source) call /v1/data_sources, which exists only from Notion-Version %s on.", c.NotionVersion, answer, said, firstDataSourceVersion), Vars{
			"version_fix": "Set the MCP server's Notion-Version header to 2025-09-03 (in OPENAPI_MCP_HEADERS or the client's MCP configuration), or remove it to use the server's default, then restart the MCP client.",
			"version":     firstDataSourceVersion,
		})
	}
	return nil
}

// clientFinding says where a failure that never reached Notion's API
// happened, and where to look.
func clientFinding(c *Call) Finding {
	via := c.Via
	if via == "" {
		via = "the client"
	}
	if c.ClientFailure == "schema" && c.Via == "" {
		via = "The client"
	}
	quoted := ""
	if c.ClientMessage != "" {
		quoted = fmt.Sprintf(" (%q)", truncateUTF8(c.ClientMessage, 200))
	}
	var detail, fix string
	switch failure := c.ClientFailure; {
	case failure == "edge" || c.Edge:
		what := "an HTML page came back where Notion's JSON was expected"
		if c.Status != 0 {
			what = fmt.Sprintf("%d came back as an HTML page (Notion's edge proxy, Cloudflare: no Notion error code, no request_id)", c.Status)
		}
		detail = fmt.Sprintf("The answer was not Notion's API%s: %s. A network rule, a proxy or an outage stopped the call before the API read it, or the URL is Notion's website instead of https://api.notion.com/v1/…. It is not a sharing, capability or token problem (a 403 from the edge is a network rule, not restricted_resource).", quoted, what)
		fix = "Check the URL is https://api.notion.com/v1/… (not www.notion.so), print the raw answer's first line to see whose page it is, retry from another network (a VPN, proxy or cloud region may be blocked), and check status.notion.so."
	case failure == "schema":
		if strings.HasPrefix(via, "MCP") {
			detail = fmt.Sprintf("The MCP client or server refused the tool's arguments%s before any request went to Notion: they do not fit the tool's input schema (an object sent as a JSON string, a missing or misnamed argument).", quoted)
			fix = "Send each argument with the type the tool's schema names: objects as objects, not JSON strings (a known problem of some MCP clients with parent, properties and filter); update the MCP server and client, and retry."
		} else {
			detail = fmt.Sprintf("%s refused the call's input%s before any request went to Notion: a required field is empty or a value has the wrong type in its own form or schema.", via, quoted)
			fix = fmt.Sprintf("Fill in or correct the field %s names (in the node, module or step's settings), then run it again; Notion was not asked, so sharing and the token are not the cause.", via)
		}
	case failure == "path":
		detail = fmt.Sprintf("The SDK refused the path%s before sending it: a path parameter holds characters that are not allowed (a '/', '..' or a whole URL).", quoted)
		fix = "Pass only the object's ID (32 hex characters) as the path parameter, not a link or a path."
	case failure == "transport":
		detail = fmt.Sprintf("The call got no answer from Notion%s: the connection failed (DNS, TLS, a reset, a proxy) or the client gave up waiting. Nothing says Notion refused it.", quoted)
		fix = "Check that the machine reaches https://api.notion.com (DNS, proxy, firewall, TLS inspection), raise the client's timeout for large queries, and retry; check status.notion.so if many calls fail at once."
	case failure == "decode":
		detail = fmt.Sprintf("Notion answered, but %s could not read the answer%s: it does not know a field, property type or object type the API now sends (for example place, or data_source under Notion-Version 2025-09-03).", via, quoted)
		fix = "Update the client library; jomei/notionapi stops at 2022-06-28 and fails on newer property and object types: call the API directly (net/http) for those, or keep Notion-Version 2022-06-28 with it."
	}
	return NewFinding(CodeCallClient, detail, Vars{"client_fix": fix})
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
