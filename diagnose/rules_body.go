package diagnose

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The body rules: what a failed write sent, field by field, and the JSON
// to send instead. They are pure functions of the Call (and, online, of
// the schema Notion reported; see rules_schema.go).

// maxBodyFindings bounds the body findings of one call.
const maxBodyFindings = 6

// onlineNote says what an online check adds to an offline body finding.
const onlineNote = "With a token, every property sent is checked against the live schema."

// isOnlineNote reports whether a fix step is onlineNote, in any version's
// words.
func isOnlineNote(step string) bool {
	return strings.HasPrefix(step, "With a token, ")
}

// versionWords puts a finding in the words of Notion-Version 2022-06-28,
// where a write's schema is the database's and data sources do not exist.
var versionWords = strings.NewReplacer(
	"the data source's", "the database's", "The data source's", "The database's",
	"the data source", "the database", "The data source", "The database",
	"another data source", "another database", "the data source checked here", "the database checked here",
)

// inVersionWords says "database" where the call's Notion-Version (before
// 2025-09-03) has no data sources. A parent finding is left as it is: its
// data_source_id advice holds in every version.
func inVersionWords(fs []Finding, c *Call) []Finding {
	if c == nil || c.NotionVersion == "" || !versionBefore(c.NotionVersion, firstDataSourceVersion) {
		return fs
	}
	for i := range fs {
		f := &fs[i]
		if f.Code == CodeBodyParent {
			continue
		}
		f.Answer, f.Detail = versionWords.Replace(f.Answer), versionWords.Replace(f.Detail)
		for j := range f.Fix {
			f.Fix[j] = versionWords.Replace(f.Fix[j])
		}
	}
	return fs
}

// bodyFindings returns the body.* findings of a failed call: one per field
// Notion's message names, then what the pasted body shows beside them.
// nil when neither tells anything a body.* code describes.
func bodyFindings(c *Call) []Finding {
	if c == nil || !c.Failed() {
		return nil
	}
	var out []Finding
	done := map[string]bool{}
	for _, f := range c.Fields {
		if len(out) >= maxBodyFindings {
			break
		}
		if fd, ok := fieldFinding(c, f); ok {
			out = append(out, fd)
			if f.Property != "" {
				done[f.Property] = true
			}
		}
	}
	if len(out) > 0 || len(c.Fields) == 0 {
		out = append(out, sentBodyFindings(c, done, maxBodyFindings-len(out))...)
	}
	return inVersionWords(out, c)
}

// bodyFinding builds a body.* finding.
func bodyFinding(code Code, answer, detail, fix, example string) Finding {
	vars := Vars{"body_fix": fix, "example": example, "online": onlineNote}
	f := NewFinding(code, detail, vars)
	f.Answer, f.Example = fitAnswer(answer), example
	return f
}

// maxAnswer is the longest first line a body finding gives (Slack's header
// holds 150 characters).
const maxAnswer = 140

// fitAnswer keeps an answer within maxAnswer characters: what follows the
// JSON to send goes first, then the JSON itself (the report shows it in
// full below).
func fitAnswer(s string) string {
	if utf8.RuneCountInString(s) <= maxAnswer {
		return s
	}
	if i := strings.Index(s, " — send {"); i >= 0 {
		j := jsonEnd(s, i+len(" — send "))
		if j > 0 && utf8.RuneCountInString(s[:j]) <= maxAnswer {
			return s[:j]
		}
		if short := s[:i] + " — send the JSON below"; utf8.RuneCountInString(short) <= maxAnswer {
			return short
		}
	}
	r := []rune(s)
	return string(r[:maxAnswer-1]) + "…"
}

// jsonEnd is where the JSON object starting at s[i] ends (balanced
// braces, strings skipped), or -1.
func jsonEnd(s string, i int) int {
	depth := 0
	for k := i; k < len(s); k++ {
		switch s[k] {
		case '"':
			e := closingQuote(s[k+1:], '"')
			if e < 0 {
				return -1
			}
			k += e + 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return -1
}

// sentProperty is what the pasted body sent for f's property, or nil.
func sentProperty(c *Call, prop string) *SentProperty {
	if c.Request == nil || prop == "" {
		return nil
	}
	return c.Request.property(prop)
}

// sample is the plain value the call sent for a property: from the body
// when pasted, else what Notion quoted.
func sample(c *Call, f Field) string {
	if sp := sentProperty(c, f.Property); sp != nil {
		if s := sampleOf(sp.v); s != "" {
			return s
		}
	}
	switch s := strings.Trim(f.Sent, `"`); s {
	case "null", "undefined", "None":
		return ""
	default:
		return s
	}
}

// quoteName writes a property name for a sentence.
func quoteName(n string) string {
	if n == "" {
		return "A property"
	}
	if strings.ContainsAny(n, " .") || n != strings.TrimSpace(n) {
		return strconv.Quote(n)
	}
	return n
}

// fieldFinding is the finding of one field Notion's message names.
func fieldFinding(c *Call, f Field) (Finding, bool) {
	name := quoteName(f.Property)
	switch f.Problem {
	case problemType:
		return typeFieldFinding(c, f, name)

	case problemMissing:
		detail := fmt.Sprintf("Notion found no property %s in the data source the call wrote to.", name)
		if f.Property != "" && strings.Contains(f.Path, "%") {
			detail += fmt.Sprintf(" %s is a property ID as sent URL-encoded (decoded: %q): an ID is matched as Notion gives it, so check the property still exists.", strings.TrimPrefix(f.Path, "body.properties."), f.Property)
		}
		detail += " Usually: a name spelt otherwise, renamed or deleted, the database's name used as a property, or another parent than meant."
		return bodyFinding(CodeBodyPropertyMissing, fmt.Sprintf("%s is not a property of the data source — use its exact name or ID, or leave it out", name), detail,
			fmt.Sprintf("Rename %s to the property's exact name, or add the property first.", name), ""), true

	case problemOption:
		return optionFieldFinding(c, f, name)

	case problemValue:
		return valueFieldFinding(f, name)

	case problemBlock:
		if strings.Contains(f.Path, "table_row") {
			return bodyFinding(CodeBodyBlock, "A table row's cell count differs from the table's width — pad or trim the rows to table_width",
				"Notion refused a table: every table_row must have exactly table_width cells.",
				"Give every table_row exactly table_width cells (empty cells are []), or change table_width.", ""), true
		}
		return bodyFinding(CodeBodyBlock, fmt.Sprintf("Blocks nest at most 2 levels in one request (%s) — append the deeper children in a later call", f.Path),
			fmt.Sprintf("Notion refused %s: a request may nest children at most two levels below its top-level children.", f.Path),
			"Send the first two levels, then append each deeper level with PATCH /v1/blocks/<new block id>/children.", ""), true

	case problemTitle:
		return bodyFinding(CodeBodyTitle, `A database needs a title property — add {"Name":{"title":{}}} to its properties`,
			"Notion refused the schema: a database or data source must have exactly one title property.",
			`Add a title property to properties: {"Name":{"title":{}}}.`, `{"Name":{"title":{}}}`), true

	case problemParent:
		return parentFinding(c, f)

	case problemLimit:
		return limitFinding(f), true

	case problemShape:
		return shapeFieldFinding(c, f)

	}
	return Finding{}, false
}

// typeFieldFinding is fieldFinding's rule for a property sent in another
// type's shape (or a computed one sent at all).
func typeFieldFinding(c *Call, f Field, name string) (Finding, bool) {
	typ := f.Expected[0]
	if readOnlyTypes[typ] {
		return bodyFinding(CodeBodyReadOnly, fmt.Sprintf("%s is a %s property, which Notion computes — leave it out of the body", name, typ),
			fmt.Sprintf("Notion says %s is a %s property: it cannot be written.", name, typ),
			fmt.Sprintf("Remove %s from properties.", name), ""), true
	}
	shape := writeShape(typ, sample(c, f))
	sent := ""
	if sp := sentProperty(c, f.Property); sp != nil {
		sent = fmt.Sprintf(" The call sent %s.", truncateUTF8(sp.Value, 160))
	}
	return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s is a %s property — send %s", name, typ, shape),
		fmt.Sprintf("Notion says %s is a %s property; the call sent another type's shape.%s", name, typ, sent),
		fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(f.Property, shape)), true
}

// optionFieldFinding is fieldFinding's rule for an option Notion refused:
// a status option that does not exist, a comma in a select option.
func optionFieldFinding(c *Call, f Field, name string) (Finding, bool) {
	opt := f.Sent
	if f.Expected[0] == "status" {
		shape := writeShape("status", "<an existing option>")
		return bodyFinding(CodeBodyOption, fmt.Sprintf("Status option %q does not exist — use an existing one or add it first; a write never creates status options", opt),
			fmt.Sprintf("%s has no option %q, and unlike select a status never creates one.", upperFirst(statusName(f)), opt),
			fmt.Sprintf("Send an existing option, or first add %q: PATCH /v1/data_sources/<id> {\"properties\":{%q:{\"status\":{\"options\":[{\"name\":%q}]}}}}.", opt, orDefault(f.Property, "Status"), opt),
			propertyEntry(orDefault(f.Property, "Status"), shape)), true
	}
	fixed := strings.Join(strings.Fields(strings.ReplaceAll(opt, ",", " ")), " ")
	shape := writeShape("select", fixed)
	if sp := sentProperty(c, f.Property); sp != nil && hasKey(sp.Keys, "multi_select") {
		shape = writeShape("multi_select", opt)
	}
	return bodyFinding(CodeBodyOption, fmt.Sprintf("Select option names cannot contain commas — send %s", shape),
		fmt.Sprintf("The call sent the option %q%s: Notion refuses a comma in a select or multi-select option name.", opt, ofProperty(f)),
		"Remove the commas from the option name, or send each part as its own multi_select option.", propertyEntry(orDefault(f.Property, "Tags"), shape)), true
}

// valueFieldFinding is fieldFinding's rule for a value refused at the
// content stage: a link URL, a date with time_zone, or any other value.
func valueFieldFinding(f Field, name string) (Finding, bool) {
	switch {
	case strings.Contains(f.Path, "link.url"):
		return bodyFinding(CodeBodyValue, "A rich-text link is not an absolute http(s) URL — fix or drop text.link.url",
			"Notion refused a link in the content: every text.link.url must be an absolute http:// or https:// URL (a relative link, \"url\", zotero: or a bare word fails).",
			"Make each text.link.url absolute (https://…) or leave the link out.", `{"text":{"content":"Notion","link":{"url":"https://www.notion.so"}}}`), true
	case len(f.Expected) > 0 && f.Expected[0] == "date":
		shape := `{"date":{"start":"2026-03-01T09:00:00","time_zone":"Europe/Paris"}}`
		return bodyFinding(CodeBodyValue, fmt.Sprintf("%s has an invalid date — with time_zone, send a date and time without an offset: %s", name, shape),
			fmt.Sprintf("Notion refused the date of %s: with time_zone set, start and end must be a date and a time, with no UTC offset (or drop time_zone and send the offset in start).", name),
			fmt.Sprintf("Send %s as %s, or {\"date\":{\"start\":\"2026-03-01T09:00:00+01:00\"}} without time_zone.", name, shape), propertyEntry(f.Property, shape)), true
	}
	return bodyFinding(CodeBodyValue, fmt.Sprintf("Notion refused the value of %s — send it in the shape its type takes", name),
		fmt.Sprintf("Notion refused the value sent for %s at the content stage.", name),
		fmt.Sprintf("Check %s's type in the data source and send the shape that type takes.", name), ""), true
}

// shapeFieldFinding is fieldFinding's rule for a field of the wrong
// shape: a property's (shapeFinding), a block field's, or a block Notion
// cannot create.
func shapeFieldFinding(c *Call, f Field) (Finding, bool) {
	if strings.HasPrefix(f.Path, "body.properties.") {
		return shapeFinding(c, f)
	}
	if strings.HasPrefix(f.Path, "body.children") && !(anyAlt(&f, func(a Alternative) bool { return strings.Contains(a.Expected, "defined") }) && len(f.Alternatives) > 2) {
		// A block's field of the wrong shape: the path, what Notion
		// takes and what was sent.
		a := f.Alternatives[0]
		want := truncateUTF8(a.Expected, 140)
		sent := truncateUTF8(strings.Trim(a.Sent, "`"), 80)
		answer := fmt.Sprintf("%s should be %s", a.Path, want)
		if sent != "" && sent != "undefined" {
			answer += fmt.Sprintf(", not %s", sent)
		}
		return bodyFinding(CodeBodyBlock, answer+" — fix that block",
			fmt.Sprintf("Notion refused block %s: %s should be %s, and the call sent %s.", blockOf(a.Path), a.Path, want, orDefault(sent, "nothing")),
			fmt.Sprintf("Change %s in the request so that it is %s.", a.Path, want), ""), true
	}
	if strings.HasPrefix(f.Path, "body.children") && anyAlt(&f, func(a Alternative) bool { return strings.Contains(a.Expected, "defined") }) && len(f.Alternatives) > 2 {
		return bodyFinding(CodeBodyBlock, fmt.Sprintf("%s is not a block Notion can create — send one block type key with its content", f.Path),
			fmt.Sprintf("Notion refused %s: it matched none of the %d block types it lists. A block is {\"type\":…, \"<type>\":{…}}, and link_preview, child_page, child_database and unsupported blocks cannot be created by append.", f.Path, len(f.Alternatives)),
			"Send each block as one creatable type, e.g. {\"paragraph\":{\"rich_text\":[{\"text\":{\"content\":\"Hi\"}}]}}.", `{"paragraph":{"rich_text":[{"text":{"content":"Hi"}}]}}`), true
	}
	return Finding{}, false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func statusName(f Field) string {
	if f.Property != "" {
		return quoteName(f.Property)
	}
	return "the status property"
}

func ofProperty(f Field) string {
	if f.Property == "" {
		return ""
	}
	return " for " + quoteName(f.Property)
}

// parentFinding: the parent shape does not fit.
func parentFinding(c *Call, f Field) (Finding, bool) {
	if f.Sent == "workspace" {
		return bodyFinding(CodeBodyParent, "An internal integration cannot create workspace-level pages — send a page or data source as the parent",
			"The call created a page with a workspace parent (or none), which only public (OAuth) integrations may do.",
			"Send a parent page the integration can see, or a data source.", `{"parent":{"page_id":"<page id>"}}`), true
	}
	// A union where every parent key is "should be defined": no parent,
	// or its key misspelt. An ID that is not an ID is read by the ID rules.
	for _, a := range f.Alternatives {
		if !strings.Contains(a.Expected, "defined") {
			return Finding{}, false
		}
	}
	sent := ""
	if c.Request != nil && c.Request.ParentType != "" {
		sent = fmt.Sprintf(" It sent parent.%s, which is not a parent key.", c.Request.ParentType)
	}
	ex := `{"parent":{"data_source_id":"<data source id>"}}`
	if c.NotionVersion != "" && versionBefore(c.NotionVersion, "2025-09-03") {
		ex = `{"parent":{"database_id":"<database id>"}}`
	}
	return bodyFinding(CodeBodyParent, "The call sent no parent Notion knows — send "+ex,
		"Notion found none of the parent keys it takes (page_id, database_id, data_source_id) in the body."+sent,
		"Send the parent as an object with one of those keys: data_source_id works in every version; database_id only for a database with one data source; page_id for a page under a page.", ex), true
}

// limitFinding: a length or count limit, with the path, index and counts.
func limitFinding(f Field) Finding {
	a := f.Alternatives[0]
	limit := strings.Trim(strings.TrimSpace(strings.TrimLeft(a.Expected, "≤<= ")), "`")
	path := strings.TrimSuffix(a.Path, ".length")
	unit := "items"
	if strings.HasSuffix(path, ".content") || strings.HasSuffix(path, ".url") || strings.HasSuffix(path, ".expression") || strings.HasSuffix(path, ".name") {
		unit = "characters"
	}
	sent := strings.Trim(a.Sent, "`\"")
	was := ""
	if sent != "" {
		was = fmt.Sprintf("%s %s", sent, unit)
	}
	fix := fmt.Sprintf("Split %s into pieces of at most %s %s", path, limit, unit)
	switch {
	case strings.HasSuffix(path, ".content"):
		fix += " (one rich_text item per piece; do not split a UTF-16 surrogate pair)."
	case strings.HasSuffix(path, "children"):
		fix += ": send the first 100 blocks, then append the rest with PATCH /v1/blocks/<id>/children in batches of 100."
	default:
		fix += "."
	}
	answer := fmt.Sprintf("%s is over Notion's limit of %s %s", path, limit, unit)
	if was != "" {
		answer = fmt.Sprintf("%s has %s, over Notion's limit of %s", path, was, limit)
	}
	answer += " — split it"
	detail := fmt.Sprintf("Notion refused %s: the limit is %s %s", path, limit, unit)
	if was != "" {
		detail += ", and the call sent " + was
	}
	return bodyFinding(CodeBodyLimit, answer, detail+".", fix, "")
}

// shapeFinding: a property value that failed the shape check, alone or as
// a "Fix one:" union; the one alternative meant is the one whose type key
// was sent.
func shapeFinding(c *Call, f Field) (Finding, bool) {
	name := quoteName(f.Property)
	sp := sentProperty(c, f.Property)
	// The alternative whose type key was sent fails on its value; the
	// others only say "should be defined".
	var meant *Alternative
	for k := range f.Alternatives {
		a := &f.Alternatives[k]
		if !strings.Contains(a.Expected, "defined") || a.Sent != "" && a.Sent != "undefined" {
			meant = a
			break
		}
	}
	if meant == nil {
		// No type key Notion knows: a read-only type, a misspelt key or a
		// bare value (the grammar of Notion's messages).
		if sp != nil {
			for _, k := range sp.Keys {
				if readOnlyTypes[k] {
					return bodyFinding(CodeBodyReadOnly, fmt.Sprintf("%s is a %s property, which Notion computes — leave it out of the body", name, k),
						fmt.Sprintf("The call wrote %s as %s, a read-only type: Notion listed every writable type because none matched.", name, k),
						fmt.Sprintf("Remove %s from properties.", name), ""), true
				}
				if t := closestType(k); t != "" {
					shape := writeShape(t, sampleOf(sp.v))
					return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s was sent under %q, which is no type key — send %s", name, k, shape),
						fmt.Sprintf("The call sent %s as %s: %q is not a property type, so Notion listed every type it knows.", name, truncateUTF8(sp.Value, 160), k),
						fmt.Sprintf("Use the type key %s (if that is the property's type): %s.", t, shape), propertyEntry(f.Property, shape)), true
				}
			}
			if sp.Bare {
				return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s was sent as a bare value — wrap it in its type, e.g. %s", name, writeShape("rich_text", sampleOf(sp.v))),
					fmt.Sprintf("The call sent %s as %s, a bare value: a property value is an object with one type key.", name, truncateUTF8(sp.Value, 160)),
					fmt.Sprintf("Wrap the value in the type key of %s's type (rich_text shown; a select is {\"select\":{\"name\":…}}, a number {\"number\":…}).", name), propertyEntry(f.Property, writeShape("rich_text", sampleOf(sp.v)))), true
			}
		}
		types := f.Expected
		list := strings.Join(types[:min(len(types), 4)], ", ")
		if len(types) > 4 {
			list += fmt.Sprintf(" and %d more", len(types)-4)
		}
		return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s has no type key Notion knows — send the one its type takes, or leave it out if it is read-only", name),
			fmt.Sprintf("Notion listed every type %s could take (%s), which means the value had none it knows: a read-only type (formula, rollup, created_*, last_edited_*, unique_id), a misspelt type key, or a bare value without its type.", name, list),
			fmt.Sprintf("Send %s as one object with the type key of its type in the schema, or drop it if it is read-only.", name), ""), true
	}
	key := alternativeWord(*meant, f.Path)
	sent := strings.Trim(meant.Sent, "`")
	sub := strings.TrimPrefix(meant.Path, f.Path+".")
	switch {
	case key == "relation" && strings.Contains(meant.Expected, "object"):
		id := strings.Trim(sent, `"`)
		shape := writeShape("relation", id)
		return bodyFinding(CodeBodyRelation, fmt.Sprintf("%s is a relation: its items are objects — send %s", name, shape),
			fmt.Sprintf("The call sent %s's related page as %s, a bare string; Notion takes a list of {\"id\": …} objects.", name, sent),
			fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(f.Property, shape)), true
	case strings.Contains(meant.Expected, "ISO 8601"):
		d := isoDate(strings.Trim(sent, `"`))
		shape := writeShape("date", d)
		what := "an ISO 8601 date (YYYY-MM-DD, or a date-time with an offset)"
		return bodyFinding(CodeBodyValue, fmt.Sprintf("%s's date must be ISO 8601, not %s — send %s", name, sent, shape),
			fmt.Sprintf("The call sent %s for %s.%s; Notion takes %s.", sent, name, sub, what),
			fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(f.Property, shape)), true
	case key == "number":
		shape := writeShape("number", strings.Trim(sent, `"`))
		return bodyFinding(CodeBodyValue, fmt.Sprintf("%s is a number property — send %s, a number, not the text %q", name, shape, strings.Trim(sent, `"`)),
			fmt.Sprintf("The call sent %q for %s: a number must be a JSON number (or null), not a string.", strings.Trim(sent, `"`), name),
			fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(f.Property, shape)), true
	case key == "url" && (sent == `""` || strings.Contains(meant.Expected, "≥") || strings.Contains(meant.Expected, "length")):
		return bodyFinding(CodeBodyValue, fmt.Sprintf(`%s is a url property — send {"url":null} to clear it, not ""`, name),
			fmt.Sprintf("The call sent an empty string for %s: a URL is 1 to 2000 characters, and null clears it.", name),
			fmt.Sprintf(`Send %s as {"url":null} when there is no link.`, name), propertyEntry(f.Property, `{"url":null}`)), true
	case strings.HasSuffix(meant.Path, ".link") && strings.Contains(meant.Expected, "not present"):
		shape := `{"rich_text":[{"text":{"content":"Notion","link":{"url":"https://www.notion.so"}}}]}`
		return bodyFinding(CodeBodyValue, fmt.Sprintf("%s: link goes inside text — send %s", name, shape),
			fmt.Sprintf("The call put link beside text in %s; Notion takes it inside text.", meant.Path),
			"Move link into the text object.", propertyEntry(f.Property, shape)), true
	case strings.Contains(meant.Expected, "not present") && (strings.HasSuffix(sub, "statusCode") || strings.HasSuffix(sub, "headers") || strings.HasSuffix(sub, "body")):
		return bodyFinding(CodeBodyValue, fmt.Sprintf("%s holds an earlier error object, not a value — send the value itself", name),
			fmt.Sprintf("The call wrote a previous HTTP response or error (statusCode, headers, body) as %s's value.", name),
			"Send the property's own value; check the step that produced it did not fail.", ""), true
	case propertyTypes[key]:
		if readOnlyTypes[key] {
			return bodyFinding(CodeBodyReadOnly, fmt.Sprintf("%s is a %s property, which Notion computes — leave it out of the body", name, key),
				fmt.Sprintf("The call wrote %s as %s, a read-only type.", name, key),
				fmt.Sprintf("Remove %s from properties.", name), ""), true
		}
		shape := writeShape(key, sample(c, f))
		return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s was sent as %s in the wrong shape — send %s", name, key, shape),
			fmt.Sprintf("Notion refused %s: %s should be %s, and was %s.", name, meant.Path, meant.Expected, orDefault(sent, "not sent")),
			fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(f.Property, shape)), true
	}
	return Finding{}, false
}

// sentBodyFindings checks every property of a pasted body for what is
// wrong whatever the schema: read-only types, several or misspelt type
// keys, relations as strings, numbers as text, empty URLs, commas in
// options, texts over 2000 characters.
func sentBodyFindings(c *Call, done map[string]bool, room int) []Finding {
	if c.Request == nil || room <= 0 {
		return nil
	}
	var out []Finding
	for _, sp := range c.Request.Properties {
		if len(out) >= room {
			break
		}
		if done[sp.Key] {
			continue
		}
		if f, ok := sentPropertyFinding(sp); ok {
			out = append(out, f)
		}
	}
	return out
}

func sentPropertyFinding(sp SentProperty) (Finding, bool) {
	name := quoteName(sp.Key)
	var types []string
	for _, k := range sp.Keys {
		if propertyTypes[k] {
			types = append(types, k)
		}
	}
	for _, k := range types {
		if readOnlyTypes[k] {
			return bodyFinding(CodeBodyReadOnly, fmt.Sprintf("%s is a %s property, which Notion computes — leave it out of the body", name, k),
				fmt.Sprintf("The body writes %s as %s, a read-only type.", name, k), fmt.Sprintf("Remove %s from properties.", name), ""), true
		}
	}
	if len(types) > 1 {
		shape := writeShape(types[0], sampleOf(sp.v))
		return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s was sent with %d type keys (%s) — send exactly one, e.g. %s", name, len(types), strings.Join(types, ", "), shape),
			fmt.Sprintf("The body sends %s as %s: a property value holds exactly one type key.", name, truncateUTF8(sp.Value, 160)),
			fmt.Sprintf("Keep only the type key of %s's type.", name), propertyEntry(sp.Key, shape)), true
	}
	if len(types) == 0 {
		return Finding{}, false
	}
	typ := types[0]
	v := sp.v.get(typ)
	switch typ {
	case "relation", "people", "files", "title", "rich_text":
		return sentListFinding(sp, name, typ, v)
	}
	return sentScalarFinding(sp, name, typ, v)
}

// sentListFinding is sentPropertyFinding's rule for a property whose value
// is a list (relation, people, files, title, rich_text): items of the
// wrong shape, or more of them than Notion takes.
func sentListFinding(sp SentProperty, name, typ string, v *bodyValue) (Finding, bool) {
	switch typ {
	case "relation":
		if v != nil && v.kind == 'a' && len(v.items) > 0 && v.items[0].kind == 's' {
			shape := writeShape("relation", v.items[0].str)
			return bodyFinding(CodeBodyRelation, fmt.Sprintf("%s is a relation: its items are objects — send %s", name, shape),
				fmt.Sprintf("The body sends %s's pages as strings; Notion takes {\"id\": …} objects.", name),
				fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
		if v != nil && v.kind == 'a' && len(v.items) > 100 {
			return bodyFinding(CodeBodyLimit, fmt.Sprintf("%s relates %d pages, over Notion's limit of 100 per request — split it", name, len(v.items)),
				fmt.Sprintf("The body sends %d related pages for %s; a request takes at most 100.", len(v.items), name),
				"Send the first 100, then add the rest with further page updates (each write replaces the list: send the whole list in the last one up to 100).", ""), true
		}
	case "people":
		if v != nil && v.kind == 'a' && len(v.items) > 0 {
			it := v.items[0]
			if it.kind == 's' || it.get("email") != nil || it.get("name") != nil && it.get("id") == nil {
				shape := writeShape("people", "")
				return bodyFinding(CodeBodyValue, fmt.Sprintf("%s takes users by their ID — send %s", name, shape),
					fmt.Sprintf("The body sends %s as %s: Notion takes only user objects with the user's ID (an email or a name is not looked up).", name, truncateUTF8(sp.Value, 160)),
					"Look the user's ID up once (GET /v1/users) and send {\"object\":\"user\",\"id\":…}.", propertyEntry(sp.Key, shape)), true
			}
		}
	case "files":
		if v != nil && v.kind == 'a' {
			for _, it := range v.items {
				if ext := it.get("external"); ext != nil && it.get("name") == nil {
					u := sampleOf(ext.get("url"))
					shape := writeShape("files", u)
					return bodyFinding(CodeBodyValue, fmt.Sprintf("An external file of %s needs a name — send %s", name, shape),
						fmt.Sprintf("The body sends an external file for %s without its name, which Notion requires for external files.", name),
						"Give every external file a name.", propertyEntry(sp.Key, shape)), true
				}
				if it.kind == 's' {
					shape := writeShape("files", it.str)
					return bodyFinding(CodeBodyValue, fmt.Sprintf("%s takes file objects, not bare URLs — send %s", name, shape),
						fmt.Sprintf("The body sends %s's file as the string %q.", name, truncateUTF8(it.str, 120)),
						"Send each file as {\"name\":…,\"external\":{\"url\":…}} or {\"file_upload\":{\"id\":…}}.", propertyEntry(sp.Key, shape)), true
				}
			}
		}
	case "title", "rich_text":
		if v != nil && v.kind == 'a' {
			if len(v.items) > 100 {
				return bodyFinding(CodeBodyLimit, fmt.Sprintf("%s has %d rich-text items, over Notion's limit of 100 — merge or split them", name, len(v.items)),
					fmt.Sprintf("The body sends %d rich-text items for %s.", len(v.items), name), "Send at most 100 rich-text items per property.", ""), true
			}
			for k, it := range v.items {
				if t := it.get("text").get("content"); t != nil && t.kind == 's' && len([]rune(t.str)) > 2000 {
					return bodyFinding(CodeBodyLimit, fmt.Sprintf("%s.%s[%d] has %d characters, over Notion's limit of 2000 — split it", name, typ, k, len([]rune(t.str))),
						fmt.Sprintf("The body sends %d characters in one rich-text item of %s.", len([]rune(t.str)), name), "Split the text into rich-text items of at most 2000 characters each.", ""), true
				}
			}
		}
		if v != nil && v.kind == 's' {
			shape := writeShape(typ, v.str)
			return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s is sent as a bare string — send %s", name, shape),
				fmt.Sprintf("The body sends %s as %s; text is a list of rich-text items.", name, truncateUTF8(sp.Value, 160)), fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
	}
	return Finding{}, false
}

// sentScalarFinding is sentPropertyFinding's rule for a property of one
// value (number, url, email, phone_number, checkbox, date, select,
// status): a value of the wrong kind or format.
func sentScalarFinding(sp SentProperty, name, typ string, v *bodyValue) (Finding, bool) {
	switch typ {
	case "number":
		if v != nil && v.kind == 's' {
			shape := writeShape("number", v.str)
			return bodyFinding(CodeBodyValue, fmt.Sprintf("%s is a number property — send %s, a number, not the text %q", name, shape, v.str),
				fmt.Sprintf("The body sends %s as the string %q.", name, v.str), fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
	case "url":
		if v != nil && v.kind == 's' && v.str == "" {
			return bodyFinding(CodeBodyValue, fmt.Sprintf(`%s is a url property — send {"url":null} to clear it, not ""`, name),
				fmt.Sprintf("The body sends an empty string for %s: a URL is 1 to 2000 characters, and null clears it.", name),
				fmt.Sprintf(`Send %s as {"url":null}.`, name), propertyEntry(sp.Key, `{"url":null}`)), true
		}
	case "email", "phone_number":
		if v != nil && v.kind == 's' && len([]rune(v.str)) > 200 {
			return bodyFinding(CodeBodyLimit, fmt.Sprintf("%s has %d characters, over Notion's limit of 200 — shorten it", name, len([]rune(v.str))),
				fmt.Sprintf("The body sends %d characters for %s; an %s is at most 200.", len([]rune(v.str)), name, typ), "Shorten the value to 200 characters.", ""), true
		}
		if v != nil && v.kind == 's' && v.str == "" {
			return bodyFinding(CodeBodyValue, fmt.Sprintf(`%s is an %s property — send {%q:null} to clear it, not ""`, name, typ, typ),
				fmt.Sprintf("The body sends an empty string for %s; null clears it.", name), fmt.Sprintf("Send %s as {%q:null}.", name, typ), propertyEntry(sp.Key, "{"+strconv.Quote(typ)+":null}")), true
		}
	case "checkbox":
		if v != nil && v.kind == 's' {
			shape := writeShape("checkbox", v.str)
			return bodyFinding(CodeBodyValue, fmt.Sprintf("%s is a checkbox — send %s, not the text %q", name, shape, v.str),
				fmt.Sprintf("The body sends %s as a string; a checkbox is true or false.", name), fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
	case "date":
		if tz := v.get("time_zone"); tz != nil && tz.kind == 's' && !strings.Contains(tz.str, "/") && tz.str != "UTC" {
			shape := `{"date":{"start":"2026-03-01T09:00:00","time_zone":"America/New_York"}}`
			return bodyFinding(CodeBodyValue, fmt.Sprintf("%s's time_zone must be an IANA name like \"America/New_York\", not %q", name, tz.str),
				fmt.Sprintf("The body sends time_zone %q for %s: Notion takes IANA time zone names only (EST, PST or +02:00 are refused).", tz.str, name),
				"Send an IANA name (Europe/Paris, America/New_York), with a start that has a time and no offset; or drop time_zone and put the offset in start.", propertyEntry(sp.Key, shape)), true
		}
		if s := v.get("start"); s != nil && s.kind == 's' && isoDate(s.str) != s.str {
			shape := writeShape("date", s.str)
			return bodyFinding(CodeBodyValue, fmt.Sprintf("%s's date must be ISO 8601, not %q — send %s", name, s.str, shape),
				fmt.Sprintf("The body sends %q as %s's start.", s.str, name), fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
	case "select", "status":
		if n := v.get("name"); n != nil && n.kind == 's' && strings.Contains(n.str, ",") && typ == "select" {
			fixed := strings.Join(strings.Fields(strings.ReplaceAll(n.str, ",", " ")), " ")
			shape := writeShape("select", fixed)
			return bodyFinding(CodeBodyOption, fmt.Sprintf("Select option names cannot contain commas — send %s", shape),
				fmt.Sprintf("The body sends the option %q for %s.", n.str, name), "Remove the commas, or use a multi_select with one option per part.", propertyEntry(sp.Key, shape)), true
		}
		if v != nil && v.kind == 's' {
			shape := writeShape(typ, v.str)
			return bodyFinding(CodeBodyPropertyType, fmt.Sprintf("%s is sent as a bare string — send %s", name, shape),
				fmt.Sprintf("The body sends %s as %s; an option is an object with its name.", name, truncateUTF8(sp.Value, 160)), fmt.Sprintf("Send %s as %s.", name, shape), propertyEntry(sp.Key, shape)), true
		}
	}
	return Finding{}, false
}

// blockOf is the block a path into children is about ("body.children[3]"
// of body.children[3].code.language).
func blockOf(path string) string {
	if i := strings.Index(path, "]"); i > 0 {
		return path[:i+1]
	}
	return path
}
