package diagnose

import (
	"slices"
	"strings"
	"testing"
)

func TestReadFields(t *testing.T) {
	for _, tc := range []struct {
		msg      string
		path     string
		property string
		expected []string
		sent     string
		problem  string
		n        int
	}{
		{"body failed validation: body.properties.Call Attempt Count.number should be a number or null, instead was `\"1\"`.", "body.properties.Call Attempt Count", "Call Attempt Count", []string{"number"}, "1", problemShape, 1},
		{"body failed validation. Fix one:\nbody.properties.Due.date.date.start should be defined, instead was `undefined`.", "body.properties.Due.date", "Due.date", []string{"date"}, "", problemShape, 1},
		{"Priority is not a property that exists.", "body.properties.Priority", "Priority", nil, "", problemMissing, 1},
		{"priority IS NOT A PROPERTY THAT EXISTS", "body.properties.priority", "priority", nil, "", problemMissing, 1},
		{"h%3A%7BD is not a property that exists.", "body.properties.h%3A%7BD", "h:{D", nil, "", problemMissing, 1},
		{"Description is expected to be rich_text.", "body.properties.Description", "Description", []string{"rich_text"}, "", problemType, 1},
		{"Value is expected to be rich_text. Link is expected to be files.", "body.properties.Value", "Value", []string{"rich_text"}, "", problemType, 2},
		{"Invalid status option. Status option \"Blocked\" does not exist\".", "body.properties", "", []string{"status"}, "Blocked", problemOption, 1},
		{"Invalid select option, commas not allowed: a, b", "body.properties", "", []string{"select", "no commas"}, "a, b", problemOption, 1},
		{"body failed validation: body.children.length should be ≤ `100`, instead was `124`.", "body.children.length", "", []string{"≤ `100`"}, "124", problemLimit, 1},
		{"body failed validation. Fix one: body.parent.database_id should be defined, instead was `undefined`. body.parent.page_id should be defined, instead was `undefined`.", "body.parent", "", []string{"defined"}, "", problemParent, 1},
		{"[400] body failed validation: body.properties.Files.files[0].external.url should be defined, instead was ‘undefined’.", "body.properties.Files", "Files", []string{"files"}, "", problemShape, 1},
		{"Number of cells in table row must match the table width of the parent table", "body.children[].table.children[].table_row.cells", "", []string{"as many cells as table_width"}, "", problemBlock, 1},
		{"no validation here at all", "", "", nil, "", "", 0},
	} {
		fs := readFields(tc.msg)
		if len(fs) != tc.n {
			t.Errorf("%q: %d fields %+v, want %d", tc.msg, len(fs), fs, tc.n)
			continue
		}
		if tc.n == 0 {
			continue
		}
		f := fs[0]
		if f.Path != tc.path || f.Property != tc.property || !slices.Equal(f.Expected, tc.expected) || f.Sent != tc.sent || f.Problem != tc.problem {
			t.Errorf("%q:\n got %+v\nwant path %q property %q expected %q sent %q problem %q", tc.msg, f, tc.path, tc.property, tc.expected, tc.sent, tc.problem)
		}
	}
}

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name, text, parentType, parentID string
		keys                             []string
	}{
		{"json", `{"parent":{"data_source_id":"abc"},"properties":{"Name":{"title":[]},"Due Date":{"date":{"start":"2026-01-01"}}}}`, "data_source_id", "abc", []string{"Name", "Due Date"}},
		{"curl", "curl -X POST https://api.notion.com/v1/pages --data '{\"parent\":{\"page_id\":\"p\"},\"properties\":{\"title\":{\"title\":[]}}}'", "page_id", "p", []string{"title"}},
		{"js literal", "notion.pages.create({ parent: { database_id: DB }, properties: { Name: { title: [{ text: { content: `x` } }] }, 'Status': { status: { name: 'Done' } }, ...extra, } })", "database_id", "DB", []string{"Name", "Status"}},
		{"python kwargs", "notion.pages.create(parent={\"database_id\": db_id}, properties={\"Done\": {\"checkbox\": True}, \"N\": {\"number\": None}})", "database_id", "db_id", []string{"Done", "N"}},
		{"python dict", "client.pages.update(**{'page_id': pid, 'properties': {'Tags': {'multi_select': [{'name': 'a'}]}}})", "", "", []string{"Tags"}},
		{"lone key", "properties: {\"A\": {\"url\": \"\"}}", "", "", []string{"A"}},
		{"broken", "properties: {\"A\": {\"url\": ", "", "", nil},
		{"none", "nothing to see", "", "", nil},
	} {
		b := readBody(tc.text)
		var keys []string
		pt, pid := "", ""
		if b != nil {
			for _, p := range b.Properties {
				keys = append(keys, p.Key)
			}
			pt, pid = b.ParentType, b.ParentID
		}
		if !slices.Equal(keys, tc.keys) || pt != tc.parentType || pid != tc.parentID {
			t.Errorf("%s: keys %q parent %q %q, want %q %q %q", tc.name, keys, pt, pid, tc.keys, tc.parentType, tc.parentID)
		}
	}
}

func TestReadBodyBounded(t *testing.T) {
	// Deep nesting and a huge text: no crash, bounded work.
	deep := "properties: " + strings.Repeat("{\"a\":", 10000) + "1" + strings.Repeat("}", 10000)
	_ = readBody(deep)
	wide := "{\"properties\":{" + strings.Repeat("\"k\":{\"x\":[1,2,3]},", 50000) + "}}"
	_ = readBody(wide)
	_ = readBody(strings.Repeat("properties ", 100000))
}

func TestWriteShapeEveryWritableType(t *testing.T) {
	for typ := range propertyTypes {
		shape := writeShape(typ, "")
		if readOnlyTypes[typ] {
			if shape != "" {
				t.Errorf("%s is read-only, shape %s", typ, shape)
			}
			continue
		}
		if !strings.HasPrefix(shape, `{"`+typ+`":`) {
			t.Errorf("%s: shape %q", typ, shape)
		}
		p := &bodyParser{s: shape}
		if v := p.value(0); v == nil || v.kind != 'o' || v.get(typ) == nil {
			t.Errorf("%s: shape %q does not parse", typ, shape)
		}
	}
}

// schemaForTest is a schema of every kind of property the rules tell apart.
func schemaForTest() *observedSchema {
	return &observedSchema{props: []SchemaProperty{
		{ID: "title", Name: "Name", Type: "title"},
		{ID: "s%3AT", Name: "Status", Type: "status", Options: []string{"Not started", "In progress", "Done"}},
		{ID: "Pr%5Ei", Name: "Priority", Type: "select", Options: []string{"High", "Low"}},
		{ID: "E%7Ds", Name: "Estimate", Type: "number"},
		{ID: "T%3Dl", Name: "Total", Type: "formula"},
		{ID: "h%3A%7BD", Name: "Secret Docs", Type: "relation", RelationDataSource: "ds-hidden"},
		{ID: "p%3Ay", Name: "Where", Type: "place"},
	}, hidden: map[string]bool{"ds-hidden": true}}
}

func TestSchemaBodyFindings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  string
		codes []Code
		lead  string
	}{
		{"union resolved", "body failed validation. Fix one: body.properties.Status.title should be defined, instead was `undefined`. body.properties.Status.select should be defined, instead was `undefined`.", []Code{CodeBodyPropertyType}, `Status is a status property — send {"status":{"name":"Done"}}`},
		{"expected to be", "Priority is expected to be select.", []Code{CodeBodyPropertyType}, `{"select":{"name":"High"}}`},
		{"misspelt", "Statsu is not a property that exists.", []Code{CodeBodyPropertyMissing}, `did you mean "Status"`},
		{"case", "status is not a property that exists.", []Code{CodeBodyPropertyMissing}, `did you mean "Status"`},
		{"exists here", "Estimate is not a property that exists.", []Code{CodeBodyPropertyMissing}, "another data source"},
		{"encoded ID exists", "E%7Ds is not a property that exists.", []Code{CodeBodyPropertyMissing}, "another data source"},
		{"status option", "Invalid status option. Status option \"Blocked\" does not exist.", []Code{CodeBodyOption}, `"Not started"`},
		{"read-only", "Total is expected to be formula.", []Code{CodeBodyReadOnly}, "leave it out"},
		{"hidden relation", "Secret Docs is expected to be relation.", []Code{CodeBodyRelation}, "cannot see"},
		{"number as text keeps the value finding", "body failed validation: body.properties.Estimate.number should be a number or null, instead was `\"3\"`.", []Code{CodeBodyValue}, `{"number":3}`},
		{"body: title wrong name, every property", "{\"properties\":{\"Title\":{\"title\":[{\"text\":{\"content\":\"A\"}}]},\"Total\":{\"formula\":{}},\"Priority\":{\"select\":{\"name\":\"High\"}},\"Where\":{\"place\":null}}}\nbody failed validation", []Code{CodeBodyTitle, CodeBodyReadOnly}, `The title property is named "Name"`},
	} {
		rd := ReadText(tc.text, -1)
		if rd.Call == nil {
			t.Errorf("%s: no call read", tc.name)
			continue
		}
		fs := schemaBodyFindings(rd.Call, schemaForTest())
		var got []Code
		for _, f := range fs {
			got = append(got, f.Code)
			if strings.Contains(f.Answer, "Fix one") || strings.Contains(f.Detail, "should be defined") {
				t.Errorf("%s: a Fix one union echoed raw: %q / %q", tc.name, f.Answer, f.Detail)
			}
		}
		if !slices.Equal(got, tc.codes) {
			t.Errorf("%s: codes %v, want %v", tc.name, got, tc.codes)
			continue
		}
		if !strings.Contains(fs[0].Answer, tc.lead) {
			t.Errorf("%s: answer %q lacks %q", tc.name, fs[0].Answer, tc.lead)
		}
	}
}

func TestBodyFindingsNeverAllGood(t *testing.T) {
	// Every body finding is an error with an answer within the header
	// budget.
	for _, text := range []string{
		"Priority is expected to be select.",
		"X is not a property that exists.",
		"Invalid status option. Status option \"x\" does not exist.",
		"body failed validation: body.properties.A.rich_text[0].text.content.length should be ≤ `2000`, instead was `" + strings.Repeat("9", 300) + "`.",
	} {
		rd := ReadText(text, -1)
		for _, r := range rd.References {
			for _, f := range r.Findings {
				if f.Severity != SeverityError || f.Answer == "" || len([]rune(f.Answer)) > maxAnswer {
					t.Errorf("%q: %s severity %s answer %q", text, f.Code, f.Severity, f.Answer)
				}
			}
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"priority", "priorty", 1}, {"status", "statsu", 2}, {"abc", "abc", 0}, {"abc", "xyzabc", 3}} {
		if got := editDistance(tc.a, tc.b, 3); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSentPropertyFindings(t *testing.T) {
	for _, tc := range []struct {
		body string
		code Code
		lead string
	}{
		{`{"properties":{"Owner":{"people":[{"email":"a@b.co"}]}}}`, CodeBodyValue, "by their ID"},
		{`{"properties":{"Spec":{"files":[{"external":{"url":"https://x.y/a.pdf"}}]}}}`, CodeBodyValue, "needs a name"},
		{`{"properties":{"Spec":{"files":["https://x.y/a.pdf"]}}}`, CodeBodyValue, "not bare URLs"},
		{`{"properties":{"When":{"date":{"start":"2026-03-01T09:00:00","time_zone":"EST"}}}}`, CodeBodyValue, "IANA"},
		{`{"properties":{"When":{"date":{"start":"5/20/2023"}}}}`, CodeBodyValue, `"2023-05-20"`},
		{`{"properties":{"Site":{"url":""}}}`, CodeBodyValue, `{"url":null}`},
		{`{"properties":{"Mail":{"email":""}}}`, CodeBodyValue, `{"email":null}`},
		{`{"properties":{"N":{"number":"12"}}}`, CodeBodyValue, `{"number":12}`},
		{`{"properties":{"Ok":{"checkbox":"false"}}}`, CodeBodyValue, `{"checkbox":false}`},
		{`{"properties":{"Tag":{"select":{"name":"a, b"}}}}`, CodeBodyOption, `"a b"`},
		{`{"properties":{"Tag":{"select":"a"}}}`, CodeBodyPropertyType, `{"select":{"name":"a"}}`},
		{`{"properties":{"Docs":{"relation":["abc"]}}}`, CodeBodyRelation, `{"relation":[{"id":`},
		{`{"properties":{"F":{"formula":{"string":"x"}}}}`, CodeBodyReadOnly, "leave it out"},
		{`{"properties":{"T":{"title":[{"text":{"content":"a"}}],"rich_text":[]}}}`, CodeBodyPropertyType, "2 type keys"},
		{`{"properties":{"T":{"rich_text":"plain"}}}`, CodeBodyPropertyType, `{"rich_text":[{"text":{"content":"plain"}}]}`},
	} {
		b := readBody(tc.body)
		if b == nil || len(b.Properties) != 1 {
			t.Errorf("%s: not read", tc.body)
			continue
		}
		f, ok := sentPropertyFinding(b.Properties[0])
		if !ok || f.Code != tc.code || !strings.Contains(f.Answer, tc.lead) {
			t.Errorf("%s: %v %s %q, want %s holding %q", tc.body, ok, f.Code, f.Answer, tc.code, tc.lead)
		}
	}
}
