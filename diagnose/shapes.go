package diagnose

import (
	"strconv"
	"strings"
	"time"
)

// This file knows the write shape of every property type (Notion's
// page-properties reference): the JSON a page write sends for it.

// writeShape is the value object a write sends for a property of type typ,
// filled with sample when one was sent ("Done" → {"status":{"name":"Done"}});
// "" for a read-only or unknown type.
func writeShape(typ, sample string) string {
	q := func(def string) string {
		if sample == "" {
			return strconv.Quote(def)
		}
		return strconv.Quote(sample)
	}
	switch typ {
	case "title", "rich_text":
		return `{"` + typ + `":[{"text":{"content":` + q("Hi") + `}}]}`
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(sample), 64); err == nil {
			return `{"number":` + strings.TrimSpace(sample) + `}`
		}
		return `{"number":42}`
	case "select":
		return `{"select":{"name":` + q("Done") + `}}`
	case "status":
		return `{"status":{"name":` + q("Done") + `}}`
	case "multi_select":
		if sample != "" && strings.Contains(sample, ",") {
			var items []string
			for _, s := range strings.Split(sample, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, `{"name":`+strconv.Quote(s)+`}`)
				}
			}
			return `{"multi_select":[` + strings.Join(items, ",") + `]}`
		}
		return `{"multi_select":[{"name":` + q("A") + `}]}`
	case "date":
		start := isoDate(sample)
		if start == "" {
			start = "2026-03-01"
		}
		return `{"date":{"start":"` + start + `"}}`
	case "people":
		id := "<user id>"
		if IsID(sample) {
			id = sample
		}
		return `{"people":[{"object":"user","id":"` + id + `"}]}`
	case "files":
		u := "https://example.com/spec.pdf"
		if strings.HasPrefix(sample, "http") {
			u = sample
		}
		return `{"files":[{"name":"Spec","external":{"url":` + strconv.Quote(u) + `}}]}`
	case "checkbox":
		switch strings.ToLower(strings.TrimSpace(sample)) {
		case "false", "no", "0", "unchecked", "__no__":
			return `{"checkbox":false}`
		}
		return `{"checkbox":true}`
	case "url":
		if sample == "" {
			return `{"url":"https://example.com"}`
		}
		return `{"url":` + strconv.Quote(sample) + `}`
	case "email":
		return `{"email":` + q("name@example.com") + `}`
	case "phone_number":
		return `{"phone_number":` + q("+1 415 555 0100") + `}`
	case "relation":
		id := "<page id>"
		if vd := examine(sample); vd.id != "" {
			id = vd.id
		}
		return `{"relation":[{"id":"` + id + `"}]}`
	case "verification":
		return `{"verification":{"state":"verified"}}`
	case "place":
		return `{"place":{"lat":48.85,"lon":2.35}}`
	}
	return ""
}

// isoDate turns a date as people write it into ISO 8601 ("2022/01/02" →
// "2022-01-02", "5/20/2023" → "2023-05-20"); "" when it cannot tell.
func isoDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return s
		}
	}
	for _, layout := range []string{"2006/01/02", "2006/1/2", "1/2/2006", "01/02/2006", "2006.01.02", "January 2, 2006", "Jan 2, 2006", "2 January 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	for _, layout := range []string{"2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02T15:04:05")
		}
	}
	return ""
}

// sampleOf is the plain value inside what was sent for a property: the
// option name, the text, the date, the number ("Done" of
// {"select":{"name":"Done"}}), or "".
func sampleOf(v *bodyValue) string {
	for n := 0; v != nil && n < 8; n++ {
		switch v.kind {
		case 's', 'n', 'b':
			return v.str
		case 'a':
			if len(v.items) == 0 {
				return ""
			}
			v = v.items[0]
		case 'o':
			var next *bodyValue
			for _, k := range []string{"name", "content", "plain_text", "start", "id", "url", "text", "title", "rich_text", "select", "status", "multi_select", "number", "date", "email", "phone_number", "checkbox", "relation", "people", "external"} {
				if x := v.get(k); x != nil {
					next = x
					break
				}
			}
			if next == nil && len(v.vals) > 0 {
				next = v.vals[len(v.vals)-1]
			}
			v = next
		default:
			return ""
		}
	}
	return ""
}

// closestType is the type key a misspelt one meant ("multiselect" →
// multi_select, "text" → rich_text), or "".
func closestType(k string) string {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(k))
	switch n {
	case "text", "richtext", "string", "paragraph", "description":
		return "rich_text"
	case "multiselect", "tags", "multi":
		return "multi_select"
	case "phone", "phonenumber", "tel":
		return "phone_number"
	case "bool", "boolean", "check":
		return "checkbox"
	case "person", "user", "users", "assignee":
		return "people"
	case "file", "attachment", "attachments":
		return "files"
	case "link", "href":
		return "url"
	case "mail":
		return "email"
	case "int", "integer", "float", "num":
		return "number"
	case "option":
		return "select"
	case "relations":
		return "relation"
	case "name":
		return "title"
	}
	for t := range propertyTypes {
		if strings.ReplaceAll(t, "_", "") == n && t != k {
			return t
		}
	}
	return ""
}

// propertyEntry is {"<name>":<shape>}, the entry to put in properties.
func propertyEntry(name, shape string) string {
	if shape == "" {
		return ""
	}
	return "{" + strconv.Quote(name) + ":" + shape + "}"
}
