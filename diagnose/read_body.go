package diagnose

import (
	"strconv"
	"strings"
)

// This file reads a pasted request body, best effort: JSON (a curl -d or
// --data argument, a code block), or the object literal of a JS or Python
// SDK call (unquoted or single-quoted keys, trailing commas, True/None,
// variables and expressions as values, keyword arguments). It never fails:
// what it cannot read it leaves out. The work is bounded: a few attempts,
// each a linear parse of at most maxBodyBytes.

const (
	maxBodyBytes  = 64 << 10
	maxBodyNodes  = 4000
	maxBodyDepth  = 24
	maxBodyStarts = 6
)

// SentBody is what a pasted request body sent.
type SentBody struct {
	// ParentType and ParentID are the parent as sent ("data_source_id" and
	// its value).
	ParentType string
	ParentID   string
	// Properties are the body's properties, in the order written.
	Properties []SentProperty
	// Children is how many top-level blocks it sends (-1: no children).
	Children int
}

// SentProperty is one property of a pasted body.
type SentProperty struct {
	// Key is the property's key as sent: a name or an ID.
	Key string
	// Keys are the keys of its value object, "type" left out ("select").
	Keys []string
	// Bare is true when the value is not an object (a string, a number, a
	// variable): no type key at all.
	Bare bool
	// Value is the value as sent, compact, at most 300 bytes.
	Value string
	v     *bodyValue
}

// bodyValue is a value of the lenient parse.
type bodyValue struct {
	kind  byte // o object, a array, s string, n number, b bool, z null, x expression
	keys  []string
	vals  []*bodyValue
	items []*bodyValue
	str   string
}

func (v *bodyValue) get(k string) *bodyValue {
	if v == nil || v.kind != 'o' {
		return nil
	}
	for i, key := range v.keys {
		if key == k {
			return v.vals[i]
		}
	}
	return nil
}

// compact writes v as JSON, cut at n bytes.
func (v *bodyValue) compact(n int) string {
	var b strings.Builder
	v.write(&b, n)
	s := b.String()
	if len(s) > n {
		s = truncateUTF8(s, n) + "…"
	}
	return s
}

func (v *bodyValue) write(b *strings.Builder, n int) {
	if v == nil || b.Len() > n {
		return
	}
	switch v.kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			v.vals[i].write(b, n)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.write(b, n)
		}
		b.WriteByte(']')
	case 's':
		b.WriteString(strconv.Quote(v.str))
	case 'z':
		b.WriteString("null")
	default:
		b.WriteString(v.str)
	}
}

// readBody finds a request body in t: the object around the first
// "properties", "parent" or "children" key, or keyword arguments of those
// names. nil when there is none.
func readBody(t string) *SentBody {
	if len(t) > 4*maxBodyBytes {
		t = t[:4*maxBodyBytes]
	}
	for _, key := range []string{"properties", "parent", "children"} {
		if b := bodyAround(t, key); b != nil {
			return b
		}
	}
	return nil
}

// bodyAround parses the objects that open before the first occurrences of
// key, innermost first, and returns the first that holds key at its top.
func bodyAround(t, key string) *SentBody {
	tries := 0
	for off, n, seen := 0, 0, 0; off < len(t) && n < 4 && seen < 1000; n, seen = n+1, seen+1 {
		i := strings.Index(t[off:], key)
		if i < 0 {
			return nil
		}
		i += off
		off = i + len(key)
		if i > 0 && (isSchemeByte(t[i-1]) || t[i-1] == '_' || t[i-1] == '.') || off < len(t) && (isSchemeByte(t[off]) || t[off] == '_' || t[off] == '.') {
			n-- // a path (body.properties.X) or a longer word: not counted
			continue
		}
		// A keyword argument: properties={...}.
		if j := skipQuotes(t, off); j < len(t) && t[j] == '=' && (j+1 >= len(t) || t[j+1] != '=') {
			return kwargsBody(t)
		}
		if b := bodyFromKey(t, key, off, &tries); b != nil {
			return b
		}
	}
	return nil
}

// bodyFromKey tries the objects that open before the key ending at off,
// then the key's own value as a lone "key: {…}".
func bodyFromKey(t, key string, off int, tries *int) *SentBody {
	i := off - len(key)
	{
		depth := 0
		for k := i - 1; k >= 0 && i-k < maxBodyBytes && *tries < maxBodyStarts; k-- {
			switch t[k] {
			case '}', ']':
				depth++
			case '[':
				depth--
			case '{':
				if depth > 0 {
					depth--
					continue
				}
				*tries++
				p := &bodyParser{s: t[k:min(len(t), k+maxBodyBytes)]}
				v := p.value(0)
				if v != nil && v.kind == 'o' && v.get(key) != nil {
					return sentBodyOf(v)
				}
			}
		}
	}
	// "properties: {…}" alone, outside any object.
	j := skipQuotes(t, off)
	if j < len(t) && t[j] == ':' {
		p := &bodyParser{s: t[j+1 : min(len(t), j+1+maxBodyBytes)]}
		if v := p.value(0); v != nil && (v.kind == 'o' || v.kind == 'a') {
			return sentBodyOf(&bodyValue{kind: 'o', keys: []string{key}, vals: []*bodyValue{v}})
		}
	}
	return nil
}

func skipQuotes(t string, j int) int {
	for j < len(t) && (t[j] == '"' || t[j] == '\'' || t[j] == ' ') {
		j++
	}
	return j
}

// kwargsBody reads parent=…, properties=…, children=… keyword arguments
// (notion.pages.create(parent={...}, properties={...})).
func kwargsBody(t string) *SentBody {
	obj := &bodyValue{kind: 'o'}
	for _, key := range []string{"parent", "properties", "children"} {
		i := strings.Index(t, key+"=")
		if i < 0 {
			i = strings.Index(t, key+" =")
		}
		if i < 0 {
			continue
		}
		j := strings.IndexByte(t[i:], '=') + i + 1
		p := &bodyParser{s: t[j:min(len(t), j+maxBodyBytes)]}
		if v := p.value(0); v != nil {
			obj.keys = append(obj.keys, key)
			obj.vals = append(obj.vals, v)
		}
	}
	if len(obj.keys) == 0 {
		return nil
	}
	return sentBodyOf(obj)
}

func sentBodyOf(v *bodyValue) *SentBody {
	b := &SentBody{Children: -1}
	if p := v.get("parent"); p != nil && p.kind == 'o' {
		for i, k := range p.keys {
			if k == "type" {
				continue
			}
			b.ParentType = snakeKey(k)
			if p.vals[i].kind == 's' || p.vals[i].kind == 'x' {
				b.ParentID = truncateUTF8(p.vals[i].str, 200)
			}
			break
		}
	}
	if ps := v.get("properties"); ps != nil && ps.kind == 'o' {
		for i, k := range ps.keys {
			val := ps.vals[i]
			sp := SentProperty{Key: k, Value: val.compact(300), v: val}
			if val.kind == 'o' {
				for _, vk := range val.keys {
					if vk != "type" && vk != "id" || len(val.keys) == 1 {
						sp.Keys = append(sp.Keys, vk)
					}
				}
			} else {
				sp.Bare = true
			}
			b.Properties = append(b.Properties, sp)
			if len(b.Properties) >= 100 {
				break
			}
		}
	}
	if ch := v.get("children"); ch != nil && ch.kind == 'a' {
		b.Children = len(ch.items)
	}
	return b
}

// property returns the sent property with key k (exactly, else ignoring
// case), or nil.
func (b *SentBody) property(k string) *SentProperty {
	if b == nil {
		return nil
	}
	for i := range b.Properties {
		if b.Properties[i].Key == k {
			return &b.Properties[i]
		}
	}
	for i := range b.Properties {
		if strings.EqualFold(b.Properties[i].Key, k) {
			return &b.Properties[i]
		}
	}
	return nil
}

// bodyParser is a lenient, bounded parser of JSON, JS object literals and
// Python dicts.
type bodyParser struct {
	s     string
	i     int
	nodes int
}

func (p *bodyParser) space() {
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '\\' && p.i+1 < len(p.s) && (p.s[p.i+1] == '\n' || p.s[p.i+1] == '\r'):
			p.i += 2 // a shell line continuation
		case c == '/' && p.i+1 < len(p.s) && p.s[p.i+1] == '/', c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		case c == '/' && p.i+1 < len(p.s) && p.s[p.i+1] == '*':
			e := strings.Index(p.s[p.i+2:], "*/")
			if e < 0 {
				p.i = len(p.s)
				return
			}
			p.i += e + 4
		default:
			return
		}
	}
}

func (p *bodyParser) value(depth int) *bodyValue {
	p.space()
	if p.i >= len(p.s) || depth > maxBodyDepth || p.nodes > maxBodyNodes {
		return nil
	}
	p.nodes++
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"' || c == '\'' || c == '`':
		s, ok := p.str()
		if !ok {
			return nil
		}
		return &bodyValue{kind: 's', str: s}
	}
	// A word: a number, a literal, or an expression up to , } ] at depth 0.
	start := p.i
	level := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if level == 0 && (c == ',' || c == '}' || c == ']' || c == '\n' && start != p.i && !strings.ContainsAny(p.s[start:p.i], "([")) {
			break
		}
		switch c {
		case '(', '[', '{':
			level++
		case ')', ']', '}':
			level--
			if level < 0 {
				p.i = len(p.s)
				return nil
			}
		case '"', '\'', '`':
			if _, ok := p.str(); !ok {
				return nil
			}
			continue
		}
		p.i++
		if p.i-start > 2000 {
			return nil
		}
	}
	w := strings.TrimSpace(p.s[start:p.i])
	switch w {
	case "":
		return nil
	case "true", "True", "false", "False":
		return &bodyValue{kind: 'b', str: strings.ToLower(w)}
	case "null", "None", "nil", "undefined":
		return &bodyValue{kind: 'z'}
	}
	if _, err := strconv.ParseFloat(w, 64); err == nil {
		return &bodyValue{kind: 'n', str: w}
	}
	return &bodyValue{kind: 'x', str: truncateUTF8(w, 200)}
}

// str reads a quoted string at p.i (', ", `), escapes undone.
func (p *bodyParser) str() (string, bool) {
	q := p.s[p.i]
	k := closingQuote(p.s[p.i+1:], q)
	if k < 0 {
		return "", false
	}
	s := p.s[p.i+1 : p.i+1+k]
	p.i += k + 2
	return unescapeJSON(s), true
}

func (p *bodyParser) object(depth int) *bodyValue {
	p.i++ // {
	v := &bodyValue{kind: 'o'}
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil
		}
		if p.s[p.i] == '}' {
			p.i++
			return v
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		// Key.
		var key string
		switch c := p.s[p.i]; {
		case c == '"' || c == '\'' || c == '`':
			s, ok := p.str()
			if !ok {
				return nil
			}
			key = s
		case c == '.' && strings.HasPrefix(p.s[p.i:], "..."):
			// A spread: skip its expression.
			p.i += 3
			if p.value(depth+1) == nil {
				return nil
			}
			continue
		case c == '[':
			// A computed key: keep its expression as written.
			e := strings.IndexByte(p.s[p.i:], ']')
			if e < 0 {
				return nil
			}
			key = p.s[p.i+1 : p.i+e]
			p.i += e + 1
		default:
			s := p.i
			for p.i < len(p.s) && (isSchemeByte(p.s[p.i]) || p.s[p.i] == '_' || p.s[p.i] == '$' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
				p.i++
			}
			if p.i == s {
				return nil
			}
			key = p.s[s:p.i]
		}
		p.space()
		if p.i >= len(p.s) {
			return nil
		}
		var val *bodyValue
		switch p.s[p.i] {
		case ':', '=':
			p.i++
			val = p.value(depth + 1)
			if val == nil {
				return nil
			}
		case ',', '}':
			// JS shorthand { page_id }.
			val = &bodyValue{kind: 'x', str: key}
		default:
			return nil
		}
		v.keys = append(v.keys, key)
		v.vals = append(v.vals, val)
	}
}

func (p *bodyParser) array(depth int) *bodyValue {
	p.i++ // [
	v := &bodyValue{kind: 'a'}
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil
		}
		switch p.s[p.i] {
		case ']':
			p.i++
			return v
		case ',':
			p.i++
			continue
		}
		it := p.value(depth + 1)
		if it == nil {
			return nil
		}
		v.items = append(v.items, it)
	}
}
