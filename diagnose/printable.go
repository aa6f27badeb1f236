package diagnose

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Printable returns s safe to show on a terminal or in a chat line: no C0
// or C1 control character (so no ESC, BEL or CSI sequence can reach a
// terminal), no DEL, no bidirectional control (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069), no invisible formatting character
// (U+200B, U+2060–U+2064, U+FEFF, U+FFF9–U+FFFB, tags U+E0000–U+E007F) and
// no invalid UTF-8. Tabs, line breaks (also U+2028, U+2029) become spaces:
// the renderers lay out their own lines.
func Printable(s string) string {
	if isPrintable(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		if r == utf8.RuneError && n == 1 {
			continue
		}
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029 || r == 0x85:
			b.WriteByte(' ')
		case hidden(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			// Slow path for anything not plain printable ASCII.
			for _, r := range s {
				if r == utf8.RuneError || r < 0x20 || hidden(r) || r == 0x2028 || r == 0x2029 {
					return false
				}
			}
			return utf8.ValidString(s)
		}
	}
	return true
}

// hidden reports whether r must never be shown: a control, a bidi control
// or an invisible formatting character.
func hidden(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x2069:
		return true
	case r >= 0xfff9 && r <= 0xfffb, r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}

// PrintableReport returns a copy of r with Printable applied to every
// string that came from the input or from Notion (sources, titles,
// details, fix steps, names, messages, evidence). The renderers show only
// what it returns, and the CLI's --json prints it too (then PrintableJSON).
func PrintableReport(r Report) Report {
	p := Printable
	out := r
	out.Integration.Name = p(r.Integration.Name)
	out.Integration.Workspace = p(r.Integration.Workspace)
	out.Integration.Findings = printableFindings(r.Integration.Findings)
	out.APIVersion = p(r.APIVersion)
	if r.Call != nil {
		c := *r.Call
		c.Method, c.Endpoint, c.NotionVersion, c.Code = p(c.Method), p(c.Endpoint), p(c.NotionVersion), p(c.Code)
		c.Message, c.Integration, c.RequestID = p(c.Message), p(c.Integration), p(c.RequestID)
		c.ParentType, c.ParentID, c.Field, c.Sent = p(c.ParentType), p(c.ParentID), p(c.Field), p(c.Sent)
		if c.Fields != nil {
			fs := make([]Field, len(c.Fields))
			for k, f := range c.Fields {
				f.Path, f.Property, f.Sent = p(f.Path), p(f.Property), p(f.Sent)
				if f.Expected != nil {
					ex := make([]string, len(f.Expected))
					for j, e := range f.Expected {
						ex[j] = p(e)
					}
					f.Expected = ex
				}
				if f.Alternatives != nil {
					as := make([]Alternative, len(f.Alternatives))
					for j, a := range f.Alternatives {
						as[j] = Alternative{Path: p(a.Path), Expected: p(a.Expected), Sent: p(a.Sent)}
					}
					f.Alternatives = as
				}
				fs[k] = f
			}
			c.Fields = fs
		}
		if c.AdditionalData != nil {
			ad := make(map[string]string, len(c.AdditionalData))
			for k, v := range c.AdditionalData {
				ad[p(k)] = p(v)
			}
			c.AdditionalData = ad
		}
		out.Call = &c
	}
	if r.Checks != nil {
		out.Checks = make([]Check, len(r.Checks))
	}
	for i, c := range r.Checks {
		c.Source, c.ID, c.Title, c.URL = p(c.Source), p(c.ID), p(c.Title), p(c.URL)
		c.Kind, c.Status = Kind(p(string(c.Kind))), Status(p(string(c.Status)))
		c.Findings = printableFindings(c.Findings)
		if c.Related != nil {
			rel := make([]Related, len(c.Related))
			for j, x := range c.Related {
				rel[j] = Related{Role: Kind(p(string(x.Role))), ID: p(x.ID)}
			}
			c.Related = rel
		}
		if c.Access != nil {
			acc := make([]Access, len(c.Access))
			for j, a := range c.Access {
				acc[j] = Access{Integration: p(a.Integration), Sees: a.Sees}
			}
			c.Access = acc
		}
		if c.Evidence != nil {
			ev := make([]Evidence, len(c.Evidence))
			for j, e := range c.Evidence {
				e.Method, e.Path, e.Code, e.Message, e.RequestID, e.Integration = p(e.Method), p(e.Path), p(e.Code), p(e.Message), p(e.RequestID), p(e.Integration)
				ev[j] = e
			}
			c.Evidence = ev
		}
		out.Checks[i] = c
	}
	return out
}

func printableFindings(fs []Finding) []Finding {
	if fs == nil {
		return nil
	}
	out := make([]Finding, len(fs))
	for i, f := range fs {
		f.Code, f.Severity = Code(Printable(string(f.Code))), Severity(Printable(string(f.Severity)))
		f.Title, f.Detail = Printable(f.Title), Printable(f.Detail)
		f.Example, f.Answer = Printable(f.Example), Printable(f.Answer)
		if f.Fix != nil {
			fix := make([]string, len(f.Fix))
			for j, s := range f.Fix {
				fix[j] = Printable(s)
			}
			f.Fix = fix
		}
		out[i] = f
	}
	return out
}

// PrintableJSON returns encoded JSON with no character that Printable
// removes, in any string of it, whichever field it sits in: raw C1
// controls, DEL, bidi controls and invisible formatting characters (which
// encoding/json writes as they are) are removed, as are the \u escapes of
// C0 and C1 controls and of those characters; the escapes of U+2028 and
// U+2029 become spaces. \n, \t and \r, the escapes JSON has for them, are
// kept. It is the last step before a JSON report leaves the program, so a
// field added later is covered too.
func PrintableJSON(b []byte) []byte {
	if isPrintable(string(b)) && !bytes.Contains(b, []byte(`\u`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			if b[i+1] == 'u' && i+6 <= len(b) {
				if v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32); err == nil {
					r := rune(v)
					switch {
					case r == 0x2028 || r == 0x2029:
						out = append(out, ' ')
						i += 6
						continue
					case hidden(r) && r != '\n' && r != '\t' && r != '\r':
						i += 6
						continue
					}
				}
			}
			out = append(out, b[i], b[i+1]) // an escape: copied whole
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			if c != 0x7f {
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || hidden(r) {
			i += n
			continue
		}
		if r == 0x2028 || r == 0x2029 {
			out = append(out, ' ')
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
