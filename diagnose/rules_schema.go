package diagnose

import (
	"fmt"
	"net/url"
	"strings"
)

// The body rules against the live schema: what a failed write sent,
// checked against the data source Notion checked it against, as the
// integration the call used saw it (the adapter reports the schema as an
// observation: Object.Properties). Pure functions of the call and the
// probe's answers.

// observedSchema is the schema a probe saw for the call's reference.
type observedSchema struct {
	props []SchemaProperty
	// hidden are relation targets (data source IDs) the integration could
	// not see (404).
	hidden map[string]bool
	// version is the Notion-Version the schema was read with.
	version string
	// name is the data source's (or, under 2022-06-28, the database's) own
	// name, compared with the keys a write sent and never shown unless the
	// call sent it as one.
	name string
}

// schemaOf finds the schema in a probe's answers: the reference's own
// data source or database, or the data source of its parent.
func schemaOf(res ProbeResult) *observedSchema {
	var s *observedSchema
	for _, a := range res.Answers {
		if a.Outcome == OutcomeOK && a.Object != nil && a.Object.PropertiesListed && s == nil {
			s = &observedSchema{props: a.Object.Properties, hidden: map[string]bool{}, version: a.Version, name: a.Object.SchemaName}
		}
	}
	if s == nil {
		return nil
	}
	for _, a := range res.Answers {
		if a.Family == EndpointDataSources && a.Outcome == OutcomeNotFound {
			s.hidden[a.ID] = true
		}
	}
	return s
}

// wantsSchema reports whether the call failed on what it sent, so that the
// schema it was checked against is worth reading.
func wantsSchema(c *Call) bool {
	return c.Failed() && (len(c.Fields) > 0 || c.Request != nil) && (c.Code == "validation_error" || c.Status == 400 || c.Status == 422)
}

// schemaRequest is what to ask the adapter for the call's reference.
func schemaRequest(c *Call, id string) *SchemaRequest {
	req := &SchemaRequest{ID: id}
	for _, f := range c.Fields {
		if f.Property != "" {
			req.Properties = append(req.Properties, f.Property)
		}
	}
	if c.Request != nil {
		for _, p := range c.Request.Properties {
			req.Properties = append(req.Properties, p.Key)
		}
	}
	return req
}

// find resolves a key as sent to a property: by name, by ID (encoded or
// decoded). ok is false when none matches exactly.
func (s *observedSchema) find(key string) (SchemaProperty, bool) {
	for _, p := range s.props {
		if p.Name == key {
			return p, true
		}
	}
	dk := decodePropertyKey(key)
	for _, p := range s.props {
		if p.ID == key || p.ID != "" && (decodePropertyKey(p.ID) == dk || url.PathEscape(dk) == p.ID) {
			return p, true
		}
	}
	return SchemaProperty{}, false
}

// closest is the property a key that matches none most likely meant: the
// same name but for case and spaces, or one or two letters off; "" when
// none is close.
func (s *observedSchema) closest(key string) string {
	norm := func(x string) string { return strings.ToLower(strings.Join(strings.Fields(x), " ")) }
	k := norm(key)
	best, bestD := "", 3
	for _, p := range s.props {
		n := norm(p.Name)
		if n == k || strings.ReplaceAll(n, " ", "") == strings.ReplaceAll(k, " ", "") {
			return p.Name
		}
		if d := editDistance(n, k, bestD); d < bestD {
			best, bestD = p.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// limit or more (names are short; the work is bounded by limit).
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit || len(ra) > 100 || len(rb) > 100 {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}

// names lists the schema's property names for a sentence, at most n.
func (s *observedSchema) names(n int) string {
	var out []string
	for _, p := range s.props {
		if len(out) == n {
			out = append(out, fmt.Sprintf("and %d more", len(s.props)-n))
			break
		}
		out = append(out, fmt.Sprintf("%q (%s)", p.Name, p.Type))
	}
	return strings.Join(out, ", ")
}

func (s *observedSchema) title() (SchemaProperty, bool) {
	for _, p := range s.props {
		if p.Type == "title" {
			return p, true
		}
	}
	return SchemaProperty{}, false
}

// schemaBodyFindings are the body findings of a failed write against its
// schema: each field Notion named, then every property of a pasted body.
// They replace the offline body findings.
func schemaBodyFindings(c *Call, s *observedSchema) []Finding {
	var out []Finding
	done := map[string]bool{}
	add := func(f Finding, key string) {
		if len(out) < maxBodyFindings {
			out = append(out, f)
		}
		if key != "" {
			done[key] = true
		}
	}
	for _, f := range c.Fields {
		if fd, ok := schemaFieldFinding(c, f, s); ok {
			add(fd, f.Property)
			continue
		}
		if fd, ok := fieldFinding(c, f); ok {
			fd = withoutOnlineNote(fd)
			add(fd, f.Property)
		}
	}
	if c.Request != nil {
		for _, sp := range c.Request.Properties {
			if done[sp.Key] || done[decodePropertyKey(sp.Key)] {
				continue
			}
			if fd, ok := schemaSentFinding(c, sp, s); ok {
				add(fd, sp.Key)
			}
		}
	}
	return inVersionWords(out, c)
}

// withoutOnlineNote drops the "with a token…" step of an offline finding
// made online.
func withoutOnlineNote(f Finding) Finding {
	fix := f.Fix[:0:0]
	for _, step := range f.Fix {
		if !isOnlineNote(step) {
			fix = append(fix, step)
		}
	}
	f.Fix = fix
	return f
}

// onlineBodyFinding builds a body finding made against the schema.
func onlineBodyFinding(code Code, answer, detail, fix, example string) Finding {
	f := NewFinding(code, detail, Vars{"body_fix": fix, "example": example})
	f.Answer, f.Example = fitAnswer(answer), example
	return f
}

// typeFinding: property p of the schema was sent in another shape (or
// Notion named it so): its real type and the JSON to send.
func typeFinding(c *Call, key string, p SchemaProperty, s *observedSchema, sample, why string) Finding {
	name := quoteName(key)
	if readOnlyTypes[p.Type] {
		return onlineBodyFinding(CodeBodyReadOnly, fmt.Sprintf("%s is a %s property, which Notion computes — leave it out of the body", name, p.Type),
			fmt.Sprintf("In the data source's schema %s is a %s property: it cannot be written.%s", name, p.Type, why),
			fmt.Sprintf("Remove %s from properties.", name), "")
	}
	if p.Type == "status" || p.Type == "select" {
		if sample == "" || !hasOption(p.Options, sample) {
			if len(p.Options) > 0 {
				sample = p.Options[0]
				if hasOption(p.Options, "Done") {
					sample = "Done"
				}
			}
		}
	}
	shape := writeShape(p.Type, sample)
	if shape == "" {
		return onlineBodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s is a %s property, which a page write cannot set — leave it out", name, p.Type),
			fmt.Sprintf("In the data source's schema %s is a %s property, a type the API does not write.%s", name, p.Type, why),
			fmt.Sprintf("Remove %s from properties.", name), "")
	}
	extra := ""
	if len(p.Options) > 0 {
		extra = " Its options: " + quoteList(p.Options, 12) + "."
	}
	if p.Type == "status" {
		extra += " Status options are not created by a write."
	}
	return onlineBodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s is a %s property — send %s", name, p.Type, shape),
		fmt.Sprintf("In the data source's schema %s is a %s property.%s%s", name, p.Type, why, extra),
		fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(key, shape))
}

func hasOption(opts []string, v string) bool {
	for _, o := range opts {
		if o == v {
			return true
		}
	}
	return false
}

func quoteList(items []string, n int) string {
	var out []string
	for i, it := range items {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(items)-n))
			break
		}
		out = append(out, fmt.Sprintf("%q", it))
	}
	return strings.Join(out, ", ")
}

// missingFinding: a key the schema does not have.
func missingFinding(c *Call, key string, s *observedSchema, sentType string) Finding {
	name := quoteName(key)
	if t, ok := s.title(); ok && (sentType == "title" || strings.EqualFold(key, "title") || strings.EqualFold(key, "name")) && t.Name != key {
		shape := writeShape("title", "")
		if sp := sentProperty(c, key); sp != nil {
			shape = writeShape("title", sampleOf(sp.v))
		}
		return onlineBodyFinding(CodeBodyTitle, fmt.Sprintf("The title property is named %q, not %s — send %s", t.Name, name, propertyEntry(t.Name, shape)),
			fmt.Sprintf("The data source's title property is %q; the call sent the title as %s, which is no property.", t.Name, name),
			fmt.Sprintf("Send the title under %q (or its ID \"title\").", t.Name), propertyEntry(t.Name, shape))
	}
	if s.name != "" && strings.EqualFold(strings.TrimSpace(decodePropertyKey(key)), strings.TrimSpace(s.name)) {
		t, _ := s.title()
		example := ""
		if t.Name != "" {
			example = propertyEntry(t.Name, writeShape("title", ""))
		}
		return onlineBodyFinding(CodeBodyPropertyMissing, fmt.Sprintf("%s is the data source's own name, not a property — use its property names", name),
			fmt.Sprintf("%s, sent as a property key, is the data source's own name. Its properties: %s.", name, s.names(5)),
			fmt.Sprintf("Send each value under its property's name; the title goes under %q.", orDefault(t.Name, "the title property")), example)
	}
	detail := fmt.Sprintf("The data source has no property %s. Its properties: %s.", name, s.names(6))
	answer := fmt.Sprintf("%s is not a property of the data source", name)
	fix := fmt.Sprintf("Use one of its property names (or IDs) instead of %s, or add the property to the data source first.", name)
	example := ""
	if m := s.closest(decodePropertyKey(key)); m != "" {
		answer += fmt.Sprintf(" — did you mean %q?", m)
		fix = fmt.Sprintf("Send %q instead of %s: names are matched exactly.", m, name)
		if p, ok := s.find(m); ok {
			smp := ""
			if sp := sentProperty(c, key); sp != nil {
				smp = sampleOf(sp.v)
			}
			example = propertyEntry(m, writeShape(p.Type, smp))
		}
	} else {
		answer += " — use one of its names, listed below"
	}
	return onlineBodyFinding(CodeBodyPropertyMissing, answer, detail, fix, example)
}

// schemaFieldFinding is the finding of a field Notion named, against the
// schema; false when the schema adds nothing to the offline finding.
func schemaFieldFinding(c *Call, f Field, s *observedSchema) (Finding, bool) {
	switch f.Problem {
	case problemOption:
		return schemaOptionFinding(f, s)
	case problemMissing:
		if f.Property == "" {
			return Finding{}, false
		}
		key := strings.TrimPrefix(f.Path, "body.properties.")
		if p, ok := s.find(key); ok {
			// Notion said no, the schema read here says yes: the write
			// went to another data source than the one checked here.
			return onlineBodyFinding(CodeBodyPropertyMissing, fmt.Sprintf("%s exists here (a %s), so the write went to another data source — check its parent", quoteName(key), p.Type),
				fmt.Sprintf("The data source checked here has %s, a %s property, yet Notion said it does not exist: the call's parent (or page) is another data source, or the property was added since.", quoteName(key), p.Type),
				"Check the parent ID (or the page) of the call is the data source checked here; then send the write again.", ""), true
		}
		sentType := ""
		if sp := sentProperty(c, key); sp != nil && len(sp.Keys) > 0 {
			sentType = sp.Keys[0]
		}
		return missingFinding(c, key, s, sentType), true
	case problemType, problemShape, problemValue:
		return schemaTypeFinding(c, f, s)
	}
	return Finding{}, false
}

// schemaOptionFinding is schemaFieldFinding's rule for a refused option:
// the property's options as the schema has them.
func schemaOptionFinding(f Field, s *observedSchema) (Finding, bool) {
	var p SchemaProperty
	ok := false
	if f.Property != "" {
		p, ok = s.find(f.Property)
	}
	if !ok {
		for _, q := range s.props {
			if q.Type == f.Expected[0] || f.Expected[0] == "select" && q.Type == "multi_select" {
				if !ok || hasOption(q.Options, f.Sent) {
					p, ok = q, true
				}
			}
		}
	}
	if !ok || len(p.Options) == 0 {
		return Finding{}, false
	}
	name := quoteName(p.Name)
	if p.Type == "status" {
		use := p.Options[0]
		for _, o := range p.Options {
			if strings.EqualFold(o, f.Sent) {
				use = o
			}
		}
		shape := writeShape("status", use)
		return onlineBodyFinding(CodeBodyOption, fmt.Sprintf("%s has no option %q — use one of %s; a write does not create status options", name, f.Sent, quoteList(p.Options, 6)),
			fmt.Sprintf("%s's options: %s.", name, quoteList(p.Options, 20)),
			fmt.Sprintf("Send one of them, or first add %q to %s (PATCH /v1/data_sources/<id>).", f.Sent, name),
			propertyEntry(p.Name, shape)), true
	}
	fixed := strings.Join(strings.Fields(strings.ReplaceAll(f.Sent, ",", " ")), " ")
	shape := writeShape(p.Type, fixed)
	if p.Type == "multi_select" {
		shape = writeShape("multi_select", f.Sent)
	}
	return onlineBodyFinding(CodeBodyOption, fmt.Sprintf("Option names cannot contain commas — send %s", shape),
		fmt.Sprintf("The call sent the option %q to %s; its options are %s.", f.Sent, name, quoteList(p.Options, 20)),
		"Remove the commas, or send each part as its own multi_select option.", propertyEntry(p.Name, shape)), true
}

// schemaTypeFinding is schemaFieldFinding's rule for a property sent in
// the wrong type, shape or value: the type the schema has, unless the
// offline finding already says it.
func schemaTypeFinding(c *Call, f Field, s *observedSchema) (Finding, bool) {
	if f.Property == "" {
		return Finding{}, false
	}
	key := strings.TrimPrefix(f.Path, "body.properties.")
	p, ok := s.find(key)
	if !ok {
		return missingFinding(c, key, s, ""), true
	}
	if p.Type == "relation" && s.hidden[p.RelationDataSource] {
		return hiddenRelation(key, p), true
	}
	// A value Notion refused in the type the schema has (a number
	// sent as text, a date not ISO): the offline finding says it.
	if f.Problem != problemType && !readOnlyTypes[p.Type] {
		for _, a := range f.Alternatives {
			if alternativeWord(a, f.Path) == p.Type && !strings.Contains(a.Expected, "defined") {
				return Finding{}, false
			}
		}
		if f.Problem == problemValue {
			return Finding{}, false
		}
	}
	why := ""
	if f.Problem == problemShape && len(f.Alternatives) > 1 {
		why = fmt.Sprintf(" Of the %d shapes Notion listed, this is the one it takes.", len(f.Alternatives))
	}
	if sp := sentProperty(c, key); sp != nil {
		why += fmt.Sprintf(" The call sent %s.", truncateUTF8(sp.Value, 160))
	}
	return typeFinding(c, key, p, s, sample(c, f), why), true
}

// hiddenRelation: a relation whose target data source the integration
// cannot see.
func hiddenRelation(key string, p SchemaProperty) Finding {
	name := quoteName(key)
	return onlineBodyFinding(CodeBodyRelation, fmt.Sprintf("%s relates to a database this integration cannot see — share that database with it", name),
		fmt.Sprintf("%s is a relation into the data source %s (database %s), which answers 404 to this integration: its pages cannot be linked, and the relation reads back empty.", name, p.RelationDataSource, p.RelationDatabase),
		fmt.Sprintf("Open the related database (%s) in Notion → ••• → Connections, and add the integration.", p.RelationDatabase), "")
}

// schemaSentFinding checks one property of a pasted body against the
// schema.
func schemaSentFinding(c *Call, sp SentProperty, s *observedSchema) (Finding, bool) {
	p, ok := s.find(sp.Key)
	if !ok {
		sentType := ""
		if len(sp.Keys) > 0 {
			sentType = sp.Keys[0]
		}
		return missingFinding(c, sp.Key, s, sentType), true
	}
	if readOnlyTypes[p.Type] {
		return typeFinding(c, sp.Key, p, s, "", ""), true
	}
	if p.Type == "relation" && s.hidden[p.RelationDataSource] {
		return hiddenRelation(sp.Key, p), true
	}
	if sp.Bare || len(sp.Keys) != 1 || sp.Keys[0] != p.Type {
		if len(sp.Keys) == 1 && sp.Keys[0] == "type" {
			return Finding{}, false
		}
		return typeFinding(c, sp.Key, p, s, sampleOf(sp.v), fmt.Sprintf(" The call sent %s.", truncateUTF8(sp.Value, 160))), true
	}
	if p.Type == "status" {
		if n := sp.v.get("status").get("name"); n != nil && n.kind == 's' && len(p.Options) > 0 && !hasOption(p.Options, n.str) {
			f := Field{Path: "body.properties." + sp.Key, Property: sp.Key, Expected: []string{"status"}, Sent: n.str, Problem: problemOption}
			return schemaFieldFinding(c, f, s)
		}
	}
	return sentPropertyFinding(sp)
}

// parentFinding: a database parent for a database of several data
// sources (2025-09-03 and later), from the database's own answer.
func multiSourceParent(c *Call, res ProbeResult) (Finding, bool) {
	if c == nil || c.ParentType != "database_id" {
		return Finding{}, false
	}
	for _, a := range res.Answers {
		if a.Outcome != OutcomeOK || a.Object == nil || a.Object.Object != "database" || len(a.Object.DataSources) < 2 {
			continue
		}
		ds := a.Object.DataSources
		ex := `{"parent":{"type":"data_source_id","data_source_id":"` + ds[0] + `"}}`
		return onlineBodyFinding(CodeBodyParent, fmt.Sprintf("The database has %d data sources — send parent.data_source_id, e.g. %s", len(ds), ds[0]),
			fmt.Sprintf("The call sent parent.database_id %s, a database with %d data sources (%s): Notion cannot tell which one the page belongs in.", a.ID, len(ds), strings.Join(ds, ", ")),
			fmt.Sprintf("Send parent {\"data_source_id\": …} with the data source meant: %s (data_source_id works in every Notion-Version).", strings.Join(ds, " or ")), ex), true
	}
	return Finding{}, false
}

// onlineBody puts the body findings made against what the probe saw (the
// schema, a database's data sources) on check at, in place of the offline
// body findings of every check.
func onlineBody(call *Call, res ProbeResult, rep *Report, at int) {
	if !call.Failed() {
		return
	}
	var bf []Finding
	if f, ok := multiSourceParent(call, res); ok {
		bf = append(bf, f)
	}
	if s := schemaOf(res); s != nil && wantsSchema(call) {
		bf = append(bf, schemaBodyFindings(call, s)...)
	}
	if len(bf) == 0 {
		return
	}
	for i := range rep.Checks {
		kept := rep.Checks[i].Findings[:0:0]
		for _, f := range rep.Checks[i].Findings {
			if !strings.HasPrefix(string(f.Code), "body.") && f.Code != CodeErrorValidation {
				kept = append(kept, f)
			}
		}
		rep.Checks[i].Findings = kept
	}
	rep.Checks[at].Findings = append(bf, rep.Checks[at].Findings...)
}

// settleOnlineNote replaces, in a report checked online, the "with a
// token…" step of the body findings made offline, which promises what was
// not done here: it says why the schema could not be read (no ID in the
// paste, the object not shared, the token refused, no schema behind it).
func settleOnlineNote(rep *Report, call *Call) {
	for i := range rep.Checks {
		c := &rep.Checks[i]
		why := ""
		switch {
		case rep.Integration.Status == StatusProblem:
			why = "The schema was not read: Notion refused the token (see above)."
		case c.ID == "":
			why = "Paste the page's or data source's ID too: notion-check then checks every property sent against its schema."
		case HasCode(c.Findings, CodeAccessNotShared) || HasCode(c.Findings, CodeAccessOtherIntegration) || HasCode(c.Findings, CodeErrorNotFound):
			why = "The schema was not read: the object answers 404 to the integration checked (below)."
		default:
			why = "The schema this write was checked against could not be read here."
		}
		if call != nil && call.NotionVersion != "" && versionBefore(call.NotionVersion, firstDataSourceVersion) {
			why = versionWords.Replace(why)
		}
		for j := range c.Findings {
			for k, step := range c.Findings[j].Fix {
				if isOnlineNote(step) {
					c.Findings[j].Fix[k] = why
				}
			}
		}
	}
}
