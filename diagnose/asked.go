package diagnose

import "strings"

// Asked reports whether a text someone addressed to notion-check (a
// mention, a direct message, a message shortcut) asks about Notion: it
// holds a Notion reference, a Notion token, or a pasted call in a Notion
// error's shape. A lone English word that happens to be an error code
// ("unauthorized", "conflict") with nothing else of a call around it is
// not a pasted error: such a text gets the usage, not a diagnosis of a
// call nobody showed.
func (r Reading) Asked() bool {
	if r.NotionTokens > 0 {
		return true
	}
	for _, ref := range r.References {
		if (ref.Answerable() && ref.Origin != OriginError) || HasCode(ref.Findings, CodeIDMalformed) {
			return true
		}
		if ref.Origin == OriginError && ref.ID != "" {
			return true
		}
	}
	return r.Call.shown()
}

// shown reports whether the call is shown by more than a bare word: a
// message, a method, a path or endpoint, a request ID, a field, a parent,
// an edge page, or an error code written as Notion writes its codes
// (snake_case: object_not_found, restricted_resource).
func (c *Call) shown() bool {
	if c == nil {
		return false
	}
	return c.Message != "" || c.Method != "" || c.Endpoint != "" || c.Path != "" || c.RequestID != "" ||
		c.Field != "" || c.ParentType != "" || c.Edge || strings.Contains(c.Code, "_")
}
