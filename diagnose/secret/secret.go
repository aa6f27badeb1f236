// Package secret finds and hides credentials in text: Notion integration
// tokens (ntn_…, secret_…), Slack tokens (xoxb-, xapp-, xoxp-, …), the
// credentials of Bearer, Basic and Authorization headers, and, through a
// Redactor, every configured secret by its value. Every text notion-check
// sends out (Slack replies, logs, errors, JSON) passes through a Redactor.
//
// Secrets are found by shape with no word boundary assumed ("key_ntn_…",
// "0xoxb-…"), after undoing URL-encoding (as often as it nests), HTML
// entities, JSON and C escapes, and removing invisible characters
// (zero-width space and joiners, soft hyphen, byte-order mark, word
// joiner, bidi controls). What is masked is the whole span of the original
// text the secret was written with, so no part of it is left.
package secret

import (
	"strings"
)

// Mask is what Redact puts in place of a secret.
const Mask = "[redacted]"

// Redactor hides token-shaped text and a set of configured secret values
// (the Slack bot and app tokens, NOTION_TOKEN, every NOTION_TOKENS entry),
// also when a value is percent- or entity-encoded, split by invisible
// characters, or pasted in part (any run of Gram characters of it). The
// zero Redactor and a nil *Redactor redact by shape only. A Redactor is
// immutable and safe for concurrent use.
type Redactor struct {
	g *grams
}

// NewRedactor returns a Redactor for the given secret values. Empty values
// and values shorter than MinValue (after trimming) are ignored.
func NewRedactor(values ...string) *Redactor {
	return &Redactor{g: newGrams(values)}
}

// Redact returns text with every secret replaced by Mask.
func (r *Redactor) Redact(text string) string {
	return mask(text, r.find(text, true))
}

// mask replaces the spans of text by Mask.
func mask(text string, spans []span) string {
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.a])
		b.WriteString(Mask)
		last = s.b
	}
	b.WriteString(text[last:])
	return b.String()
}

// Leaks returns how many secrets text holds: token-shaped spans and
// configured values, in any of the forms Redact sees through. It returns a
// count rather than the secrets so that no caller is tempted to echo one.
func (r *Redactor) Leaks(text string) int {
	return len(r.find(text, true))
}

// find returns the merged spans of text's secrets, in text's coordinates,
// found in every view of it (see views); values adds the configured values.
func (r *Redactor) find(text string, values bool) []span {
	var out []span
	vs := views(text)
	// near is whether the views after the text are read for shapes only
	// around what was decoded or removed in them (see shapesNear): the
	// configured values are looked for in the whole of each.
	near := len(vs) > 1 && !(values && r != nil)
	var colons []int // the text's "://" whose userinfo shapes read
	for k, t := range vs {
		var spans []span
		switch {
		case !near:
			spans = shapes(t.s, nil)
		case k == 0:
			spans = shapesIn(t.s, 0, len(t.s), nil, &colons)
		default:
			spans = shapesNear(t, colons, nil)
		}
		if values && r != nil {
			spans = r.g.find(t.s, spans)
		}
		for _, sp := range merge(spans) {
			a, e := t.span(sp.a, sp.b)
			out = append(out, span{a, e})
		}
	}
	return mergeOverlap(out)
}

// Redact returns text with every token-shaped string and header credential
// replaced by Mask (by shape only: see Redactor for configured values).
func Redact(text string) string {
	return (*Redactor)(nil).Redact(text)
}

// NotionTokens returns how many credentials text holds that must be
// rotated once posted: Notion tokens (ntn_…, secret_…), and also Slack
// tokens and the credentials of Bearer, Basic or Authorization headers, in
// any of the forms Redact sees through (URL-encoded, entity- or
// JSON-escaped, split by invisible characters, glued to other words). It
// returns a count rather than the tokens so that no caller is tempted to
// echo one.
func NotionTokens(text string) int {
	spans := (*Redactor)(nil).find(text, false)
	return len(spans)
}

// RedactCount is Redact and NotionTokens at once, reading text once: the
// text with every token-shaped string and header credential masked, and
// how many there were.
func RedactCount(text string) (string, int) {
	spans := (*Redactor)(nil).find(text, false)
	return mask(text, spans), len(spans)
}

// RedactValue hides one known secret value in text (for example the
// configured token, whatever its shape, in any of its encoded or split
// forms), then applies Redact. Build a Redactor once when there are
// several values or many texts.
func RedactValue(text, value string) string {
	return NewRedactor(value).Redact(text)
}
