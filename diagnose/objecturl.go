package diagnose

// objectURL is the url Notion gave for the object in a 200 answer about
// the reference's own ID: the page's, else the database's, data source's
// or view's ("" when none of them answered one). A block has no url.
func objectURL(as answers) string {
	for _, e := range []Endpoint{EndpointPages, EndpointDatabases, EndpointDataSources, EndpointViews} {
		if a, ok := as[e]; ok && a.Outcome == OutcomeOK && a.Object != nil && a.Object.URL != "" {
			return a.Object.URL
		}
	}
	return ""
}
