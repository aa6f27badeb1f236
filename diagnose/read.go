package diagnose

// Read returns every Notion reference in text, in order of appearance,
// duplicates merged. It never returns an empty slice: text with no usable
// reference gives one reference with ID "" and the finding that says why.
func Read(text string) []Reference {
	return []Reference{{Source: text, Hint: KindUnknown, Findings: []Finding{NewFinding(CodeIDMissing, "reader not written yet", nil)}}}
}

// TokenFindings checks the shape of an integration token offline and returns
// token.malformed findings (never quoting the token), or nil when it looks right.
func TokenFindings(token string) []Finding {
	return nil
}
