package diagnose

import (
	"fmt"
	"strings"

	"github.com/notion-check/notion-check/diagnose/secret"
)

// This file joins the reading of the call (call.go) with the reading of
// what its body sent (read_fields.go, read_body.go).

// joinConcatenation undoes Node's util.inspect split of a long string
// ('…\n' +\n    '…'), so that a message split over lines reads as one
// (how SDKs and automation tools wrap Notion's errors).
func joinConcatenation(t string) string {
	if !strings.Contains(t, "+\n") && !strings.Contains(t, "+\r\n") {
		return t
	}
	var b strings.Builder
	last := 0
	for off := 0; off < len(t); {
		i := strings.IndexByte(t[off:], '+')
		if i < 0 {
			break
		}
		i += off
		off = i + 1
		// Back over spaces to the closing quote.
		s := i - 1
		for s >= 0 && t[s] == ' ' {
			s--
		}
		if s < 0 || (t[s] != '\'' && t[s] != '"') {
			continue
		}
		q := t[s]
		e := i + 1
		for e < len(t) && (t[e] == ' ' || t[e] == '\t' || t[e] == '\r' || t[e] == '\n') {
			e++
		}
		if e >= len(t) || t[e] != q || !strings.ContainsRune(t[i+1:e], '\n') {
			continue
		}
		b.WriteString(t[last:s])
		last = e + 1
		off = e + 1
	}
	if last == 0 {
		return t
	}
	b.WriteString(t[last:])
	return b.String()
}

// readSchemaMessage reads a content or schema check's sentence ("Priority
// is not a property that exists.", "Invalid status option…") when no known
// message was read: the message is that sentence's line, and the code is
// validation_error.
func readSchemaMessage(t string, c *Call, ix *firsts) {
	if c.Message != "" && len(readFields(c.Message)) > 0 {
		return
	}
	best, infix := -1, false
	for _, s := range schemaSentences {
		// Only sentences within the first MiB are read.
		if i := ix.indexLower(s.needle); i >= 0 && i+len(s.needle) <= 1<<20 && (best < 0 || i < best) {
			best, infix = i, s.infix
		}
	}
	if best < 0 {
		return
	}
	start := best
	if infix {
		name := nameBefore(t, best)
		if name == "" {
			return
		}
		start = best - len(name)
		for start > 0 && t[start-1] == ' ' {
			start--
		}
		start = strings.LastIndex(t[:best], name)
	}
	end := lineEnd(t, best)
	// A "Fix the following:" list: its lines too.
	for end < len(t) && end-start < 2000 {
		next := lineEnd(t, end+1)
		line := lowerASCII(strings.TrimSpace(t[end+1 : next]))
		if !matchesSchemaSentence(line) {
			break
		}
		end = next
	}
	msg := strings.TrimSpace(t[start:end])
	msg = strings.TrimRight(msg, ` ,;'"`+"`)")
	if c.Message == "" || !strings.Contains(c.Message, msg) {
		c.Message = truncateUTF8(unescapeJSON(msg), 1000)
	}
	if c.Code == "" {
		c.Code = "validation_error"
	}
}

func matchesSchemaSentence(low string) bool {
	if low == "" {
		return false
	}
	for _, s := range schemaSentences {
		if strings.Contains(low, s.needle) {
			return true
		}
	}
	return false
}

// readBodyFields reads the fields Notion's message names and the body the
// text shows.
func readBodyFields(t string, c *Call) {
	if c.Code == "validation_error" || c.Status == 400 || c.Message != "" {
		src := c.Message
		if strings.Contains(src, "Fix one") || strings.Contains(src, "Fix the following") || len(readFields(src)) == 0 {
			// A list split over lines (a fenced block, a log) or a
			// wrapper's message around Notion's: read the text from the
			// message on.
			from := 0
			if k := strings.Index(t, firstLine(src)); src != "" && k >= 0 {
				from = k
			}
			src = t[from:min(len(t), from+16<<10)]
		}
		c.Fields = readFields(src)
	}
	if b := readBody(t); b != nil && (len(b.Properties) > 0 || b.ParentType != "" || b.Children >= 0) {
		c.Request = b
		c.Body = true
		if c.ParentType == "" {
			c.ParentType, c.ParentID = b.ParentType, b.ParentID
		}
	}
	// What the body sent fills what the message leaves out: the status
	// property an option message does not name.
	for k := range c.Fields {
		f := &c.Fields[k]
		if f.Property == "" && f.Problem == problemOption && c.Request != nil {
			for _, p := range c.Request.Properties {
				if hasKey(p.Keys, f.Expected[0]) || f.Expected[0] == "select" && hasKey(p.Keys, "multi_select") {
					if f.Sent == "" || strings.Contains(p.Value, f.Sent) {
						f.Property, f.Path = p.Key, "body.properties."+p.Key
						break
					}
				}
			}
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func hasKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// redactFields masks any token in what the fields and the body repeat.
func redactFields(c *Call) {
	for k := range c.Fields {
		f := &c.Fields[k]
		f.Path, f.Property, f.Sent = secret.Redact(f.Path), secret.Redact(f.Property), secret.Redact(f.Sent)
		for a := range f.Alternatives {
			f.Alternatives[a].Sent = secret.Redact(f.Alternatives[a].Sent)
			f.Alternatives[a].Path = secret.Redact(f.Alternatives[a].Path)
		}
	}
	if b := c.Request; b != nil {
		b.ParentID = secret.Redact(b.ParentID)
		for k := range b.Properties {
			b.Properties[k].Value = secret.Redact(b.Properties[k].Value)
		}
	}
}

// dropSentVariables drops the unset-variable references of a text whose
// call failed on its body: Notion read the body against the object, so the
// variable beside it did hold the ID (a page_id: pageId beside "Status is
// expected to be status" is not unset).
func dropSentVariables(refs []Reference, fs []Finding) []Reference {
	body := false
	for _, f := range fs {
		if strings.HasPrefix(string(f.Code), "body.") {
			body = true
		}
	}
	if !body {
		return refs
	}
	kept := refs[:0:0]
	for _, r := range refs {
		if r.ID == "" && HasCode(r.Findings, CodeIDVariable) {
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return []Reference{{Origin: OriginError, Hint: KindUnknown, Related: []Related{}}}
	}
	return kept
}

// unionKeys names the alternatives of the "Fix one:" union about owner,
// by their last path segment ("or, and, title and 3 more").
func unionKeys(c *Call, owner string) string {
	var keys []string
	for _, f := range c.Fields {
		for _, a := range f.Alternatives {
			if !strings.HasPrefix(a.Path, owner) {
				continue
			}
			k := strings.TrimPrefix(a.Path[len(owner):], ".")
			if k == "" {
				k = a.Path
			}
			keys = append(keys, k)
		}
	}
	keys = dedupe(keys)
	if len(keys) == 0 {
		return "see Notion's message"
	}
	if len(keys) > 6 {
		return strings.Join(keys[:6], ", ") + fmt.Sprintf(" and %d more", len(keys)-6)
	}
	return strings.Join(keys, ", ")
}

// validationAnswer is the first line of an error.validation finding: the
// field, what Notion takes and what was sent; "" when the call names no
// field.
func validationAnswer(c *Call) string {
	if c.Field == "" || strings.HasPrefix(c.Field, "header.") || strings.HasSuffix(c.Field, "_id") || c.Field == "query.v" || strings.HasSuffix(c.Field, ".archived") {
		// The ID rules and the version rules say those better.
		return ""
	}
	if strings.Contains(c.Message, "Fix one") {
		o, _ := fieldOwnerOf(c.Field)
		return fitAnswer(fmt.Sprintf("%s matches none of the shapes Notion takes — send one of: %s", o, unionKeys(c, o)))
	}
	want := strings.TrimPrefix(c.Expected, "should ")
	want = strings.TrimPrefix(want, "be ")
	if c.Sent != "" && c.Sent != "undefined" {
		return fitAnswer(fmt.Sprintf("%s should be %s, not %s", c.Field, want, truncateUTF8(c.Sent, 60)))
	}
	return fitAnswer(fmt.Sprintf("%s should be %s", c.Field, want))
}
