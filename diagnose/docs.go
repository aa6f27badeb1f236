package diagnose

// docsPage is a Notion developer docs page about a cause.
type docsPage struct{ url, label string }

// docsPages are the Notion developer docs pages that explain a cause, by
// finding code (read-only after initialisation).
var docsPages = map[Code]docsPage{
	CodeAccessNotShared:         {"https://developers.notion.com/docs/create-a-notion-integration#give-your-integration-page-permissions", "giving an integration access to pages"},
	CodeErrorNotFound:           {"https://developers.notion.com/docs/create-a-notion-integration#give-your-integration-page-permissions", "giving an integration access to pages"},
	CodeAccessOtherIntegration:  {"https://developers.notion.com/docs/create-a-notion-integration#give-your-integration-page-permissions", "giving an integration access to pages"},
	CodeAccessCapability:        {"https://developers.notion.com/reference/capabilities", "integration capabilities"},
	CodeErrorRestricted:         {"https://developers.notion.com/reference/capabilities", "integration capabilities"},
	CodeTokenInvalid:            {"https://developers.notion.com/reference/authentication", "authentication"},
	CodeTokenMalformed:          {"https://developers.notion.com/reference/authentication", "authentication"},
	CodeErrorUnauthorized:       {"https://developers.notion.com/reference/authentication", "authentication"},
	CodeErrorRateLimited:        {"https://developers.notion.com/reference/request-limits", "request limits"},
	CodeNotionRateLimited:       {"https://developers.notion.com/reference/request-limits", "request limits"},
	CodeErrorVersion:            {"https://developers.notion.com/reference/versioning", "versioning"},
	CodeKindDataSource:          {"https://developers.notion.com/docs/upgrade-guide-2025-09-03", "the 2025-09-03 upgrade guide (data sources)"},
	CodeDatabaseMultipleSources: {"https://developers.notion.com/docs/upgrade-guide-2025-09-03", "the 2025-09-03 upgrade guide (data sources)"},
	CodeErrorValidation:         {"https://developers.notion.com/reference/status-codes", "status codes and errors"},
	CodeErrorRequestURL:         {"https://developers.notion.com/reference/status-codes", "status codes and errors"},
	CodeErrorServer:             {"https://developers.notion.com/reference/status-codes", "status codes and errors"},
}

// Docs returns the Notion developer docs page that explains the cause a
// finding code names, and a label for a link to it; "" when no page does.
func (c Code) Docs() (url, label string) {
	p := docsPages[c]
	return p.url, p.label
}
