package diagnose

import (
	"net/url"
	"strconv"
	"strings"
)

// This file reads what a validation_error says about the body of a call
// (the grammar of Notion's validation messages): the shape checks ("body
// failed validation:
// <path> should be <expect>, instead was <value>.", and "Fix one:" unions
// of them) and the content and schema checks ("X is not a property that
// exists.", "X is expected to be Y.", "Invalid status option…", "Content
// creation Failed. Fix the following: …"). Every pass is a bounded linear
// scan of the message.

// Field is one path a validation message names (the report's call.fields). A
// "Fix one:" union is one Field with every alternative in Expected and in
// Alternatives.
type Field struct {
	// Path is the path Notion names, down to the property or the block
	// ("body.properties.Status", "body.children[0].paragraph.rich_text[0]
	// .text.content.length", "body.parent").
	Path string `json:"path"`
	// Property is the property's key as sent (a name, or a property ID,
	// decoded when it was URL-encoded); "" when the path is no property.
	Property string `json:"property,omitempty"`
	// Expected is what Notion expected: property types ("select"), or the
	// expectation in words ("a number or null", "≤ 2000").
	Expected []string `json:"expected,omitempty"`
	// Sent is what Notion says was sent, as it quoted it.
	Sent string `json:"sent,omitempty"`
	// Index is the first array index in the path (children[3] → 3), when
	// there is one.
	Index *int `json:"index,omitempty"`
	// Alternatives are the lines of a "Fix one:" union, each a path with
	// what it expected and what was sent.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// Problem is what the message says is wrong, in one word: one of the
	// problem* constants.
	Problem string `json:"-"`
}

// Alternative is one line of a "Fix one:" union, or the one line of a
// single shape error.
type Alternative struct {
	Path     string `json:"path"`
	Expected string `json:"expected"`
	Sent     string `json:"sent,omitempty"`
}

// What a message says is wrong with a field.
const (
	problemShape    = "shape"    // a shape check (body failed validation)
	problemType     = "type"     // X is expected to be Y
	problemMissing  = "missing"  // X is not a property that exists
	problemOption   = "option"   // a select or status option refused
	problemValue    = "value"    // a value of the right type refused
	problemLimit    = "limit"    // a length or count limit
	problemBlock    = "block"    // a block not accepted where it was sent
	problemTitle    = "title"    // no title property
	problemParent   = "parent"   // the parent does not fit
	problemReadOnly = "readonly" // a read-only property (from a pasted body)
)

// maxFields bounds the fields read from one message.
const maxFields = 40

// propertyTypes are the type keys of a property value a write may send
// (Notion's page-properties reference), with the read-only ones.
var propertyTypes = map[string]bool{
	"title": true, "rich_text": true, "number": true, "select": true, "multi_select": true, "status": true,
	"date": true, "people": true, "files": true, "checkbox": true, "url": true, "email": true,
	"phone_number": true, "relation": true, "verification": true, "place": true,
	"formula": true, "rollup": true, "created_time": true, "created_by": true, "last_edited_time": true,
	"last_edited_by": true, "unique_id": true, "button": true, "location": true, "last_visited_time": true,
}

// readOnlyTypes are the property types a write must leave out.
var readOnlyTypes = map[string]bool{
	"formula": true, "rollup": true, "created_time": true, "created_by": true, "last_edited_time": true,
	"last_edited_by": true, "unique_id": true, "button": true, "last_visited_time": true, "location": true,
}

// normalizeMessage undoes what wrappers do to a validation message: JSON
// escapes left in (a literal \n), Make's ‘…’ quotes.
func normalizeMessage(m string) string {
	if strings.Contains(m, `\n`) {
		m = strings.ReplaceAll(m, `\n`, "\n")
	}
	if strings.Contains(m, `\"`) {
		m = strings.ReplaceAll(m, `\"`, `"`)
	}
	for _, q := range []string{"‘", "’", "“", "”"} {
		if strings.Contains(m, q) {
			r := "`"
			if q == "“" || q == "”" {
				r = `"`
			}
			m = strings.ReplaceAll(m, q, r)
		}
	}
	return m
}

// readFields reads every field a validation message names.
func readFields(msg string) []Field {
	if msg == "" {
		return nil
	}
	m := normalizeMessage(msg)
	fs := readShapeFields(m)
	fs = append(fs, readSchemaFields(m)...)
	// Two needles may find one sentence.
	seen := map[string]bool{}
	kept := fs[:0]
	for _, f := range fs {
		k := f.Problem + "\x00" + f.Path + "\x00" + f.Sent
		if seen[k] {
			continue
		}
		seen[k] = true
		kept = append(kept, f)
	}
	fs = kept
	if len(fs) > maxFields {
		fs = fs[:maxFields]
	}
	return fs
}

// readShapeFields reads the "<path> should be <expect>, instead was
// <value>." sentences of a shape check, grouping a "Fix one:" union's
// lines by what they are about.
func readShapeFields(m string) []Field {
	var alts []Alternative
	for off, n := 0, 0; off < len(m) && n < 200; n++ {
		i := strings.Index(m[off:], " should ")
		if i < 0 {
			break
		}
		i += off
		off = i + len(" should ")
		path := pathBefore(m, i)
		if path == "" {
			continue
		}
		rest := m[off:]
		var want, sent string
		end := sentenceEnd(rest)
		if e := strings.Index(rest[:end], ", instead was "); e >= 0 {
			want = rest[:e]
			var vend int
			sent, vend = messageValue(rest, e+len(", instead was "))
			off += vend
		} else {
			want = rest[:end]
			off += end
		}
		alts = append(alts, Alternative{Path: path, Expected: strings.TrimSpace(strings.TrimPrefix(want, "be ")), Sent: sent})
		if len(alts) >= 100 {
			break
		}
	}
	if len(alts) == 0 {
		return nil
	}
	union := strings.Contains(m, "Fix one") || strings.Contains(m, "fix one")
	var out []Field
	owners := map[string]int{}
	for _, a := range alts {
		owner, prop := fieldOwnerOf(a.Path)
		if !union {
			owner = a.Path
		}
		if prop != "" {
			owner = "body.properties." + ownerName(a.Path)
		}
		k, ok := owners[owner]
		if !ok {
			f := Field{Path: owner, Property: prop, Problem: problemShape}
			f.Index = firstIndex(a.Path)
			out = append(out, f)
			k = len(out) - 1
			owners[owner] = k
		}
		f := &out[k]
		f.Alternatives = append(f.Alternatives, a)
		f.Expected = append(f.Expected, alternativeWord(a, f.Path))
		if f.Sent == "" && a.Sent != "" && a.Sent != "undefined" {
			f.Sent = a.Sent
		}
	}
	for k := range out {
		f := &out[k]
		f.Expected = dedupe(f.Expected)
		switch {
		case f.Path == "body.parent" || strings.HasPrefix(f.Path, "body.parent."):
			f.Problem = problemParent
		case anyAlt(f, func(a Alternative) bool {
			return strings.HasPrefix(a.Expected, "≤") || strings.HasPrefix(a.Expected, "<=")
		}):
			f.Problem = problemLimit
		case strings.HasPrefix(f.Path, "body.children") && anyAlt(f, func(a Alternative) bool {
			return strings.HasSuffix(a.Path, ".children") && strings.Contains(a.Expected, "not present")
		}):
			f.Problem = problemBlock
		}
	}
	return out
}

func anyAlt(f *Field, p func(Alternative) bool) bool {
	for _, a := range f.Alternatives {
		if p(a) {
			return true
		}
	}
	return false
}

// alternativeWord is what one alternative expected, in one word when it is
// about a property type: "number" for body.properties.X.number; else the
// expectation as Notion wrote it.
func alternativeWord(a Alternative, owner string) string {
	if strings.HasPrefix(a.Path, "body.properties.") && len(a.Path) > len(owner)+1 && strings.HasPrefix(a.Path, owner+".") {
		key := a.Path[len(owner)+1:]
		if j := strings.IndexAny(key, ".["); j >= 0 {
			key = key[:j]
		}
		if propertyTypes[key] {
			return key
		}
	}
	return a.Expected
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// pathBefore returns the body./path./query. path that ends at i (where
// " should " starts), or "".
func pathBefore(m string, i int) string {
	win := m[max(0, i-300):i]
	fs := -1
	for _, p := range fieldPrefixes {
		if k := strings.LastIndex(win, p); k > fs && (k == 0 || !isHostByte(win[k-1])) {
			fs = k
		}
	}
	if fs < 0 || strings.ContainsAny(win[fs:], "\n`") {
		return ""
	}
	return win[fs:]
}

// sentenceEnd is where the sentence that starts s ends: at a newline, or
// at ". " before another path, or at the end.
func sentenceEnd(s string) int {
	e := len(s)
	if k := strings.IndexByte(s, '\n'); k >= 0 {
		e = k
	}
	for _, p := range fieldPrefixes {
		if k := strings.Index(s[:e], ". "+p); k >= 0 {
			e = k
		}
	}
	return e
}

// messageValue reads the value Notion quotes at s[i:]: `"x"`, `{…}`,
// "x", ‘x’ (already turned into backticks), undefined, a number. It
// returns the value without its quotes and where it ends.
func messageValue(s string, i int) (string, int) {
	if i >= len(s) {
		return "", i
	}
	switch s[i] {
	case '`':
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 || j > 2000 {
			j = min(len(s)-i-1, 2000)
			e := i + 1 + j
			if nl := strings.IndexByte(s[i+1:e], '\n'); nl >= 0 {
				e = i + 1 + nl
			}
			return trimQuoted(s[i+1 : e]), e
		}
		return trimQuoted(s[i+1 : i+1+j]), i + j + 2
	case '"', '\'':
		j := strings.IndexByte(s[i+1:], s[i])
		if j < 0 || j > 2000 || strings.IndexByte(s[i+1:i+1+j], '\n') >= 0 {
			break
		}
		return strings.TrimSuffix(s[i+1:i+1+j], "..."), i + j + 2
	}
	e := i
	for e < len(s) && s[e] != '\n' && s[e] != ' ' && e-i < 2000 {
		e++
	}
	v := s[i:e]
	v = strings.TrimSuffix(v, ".")
	return trimQuoted(v), e
}

// trimQuoted takes the JSON quotes off a quoted string value and the
// "..." Notion cuts long values with.
func trimQuoted(v string) string {
	v = strings.TrimSuffix(v, "...")
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return v
}

// fieldOwnerOf returns what a shape path is about and the property key as
// sent: "body.properties.Created at" and "Created at" for
// body.properties.Created at.title; "body.parent" for
// body.parent.database_id; the block for a path into children.
func fieldOwnerOf(path string) (owner, prop string) {
	const pp = "body.properties."
	if strings.HasPrefix(path, pp) {
		rest := path[len(pp):]
		name := propertyOfPath(rest)
		return pp + name, decodePropertyKey(name)
	}
	segs := strings.SplitN(path, ".", 3)
	if len(segs) < 2 {
		return path, ""
	}
	return segs[0] + "." + segs[1], ""
}

// propertyOfPath is the property key at the start of rest (the path after
// body.properties.): up to the last ".<type key>" after which no name can
// stand. Names may hold dots and spaces (property IDs and names, as Notion's
// reference says).
func propertyOfPath(rest string) string {
	best := -1
	for k := len(rest) - 1; k > 0; k-- {
		if rest[k] != '.' {
			continue
		}
		key := rest[k+1:]
		if j := strings.IndexAny(key, ".["); j >= 0 {
			key = key[:j]
		}
		if propertyTypes[key] {
			if !strings.ContainsAny(rest[:k], "[") {
				best = k
				// Keep the rightmost that leaves a name without an index:
				// "Due.date" of "Due.date.date.start".
				break
			}
		}
	}
	if best < 0 {
		if j := strings.IndexAny(rest, ".["); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	return rest[:best]
}

// decodePropertyKey decodes a URL-encoded property ID ("h%3A%7BD" →
// "h:{D"); other keys are returned as sent.
func decodePropertyKey(k string) string {
	if !strings.Contains(k, "%") {
		return k
	}
	if d, err := url.PathUnescape(k); err == nil {
		return d
	}
	return k
}

func firstIndex(path string) *int {
	i := strings.IndexByte(path, '[')
	if i < 0 {
		return nil
	}
	j := strings.IndexByte(path[i:], ']')
	if j < 0 {
		return nil
	}
	n, err := strconv.Atoi(path[i+1 : i+j])
	if err != nil {
		return nil
	}
	return &n
}

// lowerASCII lowers ASCII letters only, so that indices into the result
// are indices into s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// schemaSentences are the content and schema checks' sentences (Notion's
// validation messages), lower-cased, each with the problem it tells. "infix" sentences
// name the property before the needle.
var schemaSentences = []struct {
	needle  string
	problem string
	infix   bool
}{
	{" is not a property that exists", problemMissing, true},
	{" is not a property that exist", problemMissing, true},
	{" property does not exist", problemMissing, true},
	{" is expected to be ", problemType, true},
	{" has an invalid date", problemValue, true},
	{"could not find property with name or id", problemMissing, false},
	{"could not find sort property with name or id", problemMissing, false},
	{"invalid status option", problemOption, false},
	{"status option ", problemOption, false},
	{"invalid select option", problemOption, false},
	{"invalid multi_select option", problemOption, false},
	{"invalid property value for", problemValue, false},
	{"number of cells in table row must match", problemBlock, false},
	{"invalid url for link", problemValue, false},
	{"title is not provided", problemTitle, false},
	{"workspace-level private pages is not supported", problemParent, false},
}

// readSchemaFields reads the sentences of the content and schema checks.
//
// It is long for a reason: it is one loop over the table schemaSentences,
// and its switch is that table's other half, one case per sentence form.
func readSchemaFields(m string) []Field {
	low := lowerASCII(m)
	var out []Field
	statusDone := false
	for _, s := range schemaSentences {
		for off, n := 0, 0; off < len(low) && n < maxFields; n++ {
			i := strings.Index(low[off:], s.needle)
			if i < 0 {
				break
			}
			i += off
			off = i + len(s.needle)
			var f Field
			f.Problem = s.problem
			switch {
			case s.infix:
				name := nameBefore(m, i)
				if name == "" {
					continue
				}
				f.Property = decodePropertyKey(name)
				f.Path = "body.properties." + name
				if s.problem == problemType {
					e := off
					for e < len(m) && (isSchemeByte(m[e]) || m[e] == '_') {
						e++
					}
					if e == off {
						continue
					}
					f.Expected = []string{lowerASCII(m[off:e])}
				}
				if s.problem == problemValue {
					f.Expected = []string{"date"}
				}
			case s.needle == "invalid status option" || s.needle == "status option ":
				f.Path = "body.properties"
				if statusDone {
					continue
				}
				statusDone = true
				f.Expected = []string{"status"}
				f.Sent = optionNamed(m, i)
			case strings.HasPrefix(s.needle, "invalid select") || strings.HasPrefix(s.needle, "invalid multi_select"):
				f.Expected = []string{"select"}
				f.Path = "body.properties"
				if c := strings.Index(low[i:min(len(low), i+80)], "commas not allowed"); c >= 0 {
					f.Expected = append(f.Expected, "no commas")
				}
				if c := strings.IndexByte(m[i:min(len(m), i+80)], ':'); c >= 0 {
					v := strings.TrimSpace(m[i+c+1 : lineEnd(m, i+c+1)])
					f.Sent = strings.Trim(v, "\"`'.")
				}
			case strings.HasPrefix(s.needle, "could not find"):
				v, _ := messageValue(m, skipSpaceColon(m, off))
				v = strings.Trim(strings.TrimSpace(v), "\"'`")
				if v == "" {
					continue
				}
				f.Property = decodePropertyKey(v)
				f.Path = "body.properties." + v
			case s.needle == "invalid property value for":
				v, _ := messageValue(m, skipSpaceColon(m, off))
				f.Property = strings.Trim(v, "\".")
				f.Path = "body.properties." + f.Property
			case s.needle == "invalid url for link":
				f.Path = "body.children[].rich_text[].text.link.url"
				f.Expected = []string{"an absolute http(s) URL"}
			case s.problem == problemBlock:
				f.Path = "body.children[].table.children[].table_row.cells"
				f.Expected = []string{"as many cells as table_width"}
			case s.problem == problemTitle:
				f.Path = "body.properties"
				f.Expected = []string{"title"}
			case s.problem == problemParent:
				f.Path = "body.parent"
				f.Expected = []string{"page_id", "database_id", "data_source_id"}
				f.Sent = "workspace"
			}
			out = append(out, f)
		}
	}
	return out
}

func skipSpaceColon(m string, i int) int {
	for i < len(m) && (m[i] == ' ' || m[i] == ':') {
		i++
	}
	return i
}

func lineEnd(m string, i int) int {
	if k := strings.IndexByte(m[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(m)
}

// optionNamed reads the option a status message names: Status option
// "Blocked" does not exist.
func optionNamed(m string, i int) string {
	win := m[i:min(len(m), i+300)]
	low := lowerASCII(win)
	k := strings.Index(low, "status option ")
	if k >= 0 {
		// The second "status option " (after "Invalid status option.").
		if k2 := strings.Index(low[k+1:], "status option "); k2 >= 0 {
			k = k + 1 + k2
		}
		v := win[k+len("status option "):]
		if e := strings.Index(lowerASCII(v), " does not exist"); e >= 0 {
			v = v[:e]
		}
		return strings.Trim(strings.TrimSpace(v), "\"`'")
	}
	return ""
}

// nameBefore is the property name that ends at i: back to the start of
// its sentence (a line start, a quote, ": ", ". ", "(").
func nameBefore(m string, i int) string {
	s := max(0, i-200)
	start := s
	for k := i - 1; k >= s; k-- {
		c := m[k]
		if c == '\n' || c == '"' || c == '\'' || c == '`' || c == '(' || c == '[' || c == '>' {
			start = k + 1
			break
		}
		if k > s && (c == ' ') && (m[k-1] == ':' || m[k-1] == '.' || m[k-1] == ']' || m[k-1] == '-' || m[k-1] == ',') {
			start = k + 1
			break
		}
	}
	name := strings.TrimSpace(m[start:i])
	if name == "" || len(name) > 150 {
		return ""
	}
	return name
}

// ownerName is the property key of a body.properties path.
func ownerName(path string) string {
	return propertyOfPath(strings.TrimPrefix(path, "body.properties."))
}
