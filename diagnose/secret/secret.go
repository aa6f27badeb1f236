// Package secret finds and hides credentials in text: Notion integration
// tokens (ntn_…, secret_…), Slack tokens (xoxb-, xapp-, xoxp-, …) and the
// values of Authorization headers. Every text notion-check sends out (Slack
// replies, logs, errors, JSON) passes through Redact.
package secret

import (
	"regexp"
	"strings"
)

// Mask is what Redact puts in place of a secret.
const Mask = "[redacted]"

var (
	// notionTokenRE matches Notion internal-integration tokens: the current
	// ntn_ shape (50 characters) and the legacy secret_ shape. It is loose on
	// the length (a token pasted cut or with a character more is still a
	// leak), but wants at least 20 characters after the prefix so that words
	// like "secret_sauce" are not flagged.
	notionTokenRE = regexp.MustCompile(`\b(?:ntn|secret)_[A-Za-z0-9]{20,}`)
	// slackTokenRE matches Slack tokens of every kind.
	slackTokenRE = regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{6,}|\bxapp-[A-Za-z0-9-]{6,}`)
	// bearerRE matches the credential after "Bearer " or "Authorization:".
	bearerRE = regexp.MustCompile(`(?i)(\bbearer\s+|\bauthorization\s*[:=]\s*(?:bearer\s+)?["']?)([A-Za-z0-9._~+/=-]{8,})`)
)

// NotionTokens returns how many Notion tokens text holds. It returns a count
// rather than the tokens so that no caller is tempted to echo one.
func NotionTokens(text string) int {
	return len(notionTokenRE.FindAllStringIndex(text, -1))
}

// Redact returns text with every token and bearer credential replaced by Mask.
func Redact(text string) string {
	if !mayHoldSecret(text) {
		return text
	}
	text = notionTokenRE.ReplaceAllString(text, Mask)
	text = slackTokenRE.ReplaceAllString(text, Mask)
	return bearerRE.ReplaceAllString(text, "${1}"+Mask)
}

// RedactValue hides one known secret value in text (for example the
// configured token, whatever its shape), then applies Redact.
func RedactValue(text, value string) string {
	if v := strings.TrimSpace(value); len(v) >= 8 {
		text = strings.ReplaceAll(text, v, Mask)
	}
	return Redact(text)
}

// mayHoldSecret is a cheap pre-filter so that the common case (no secret)
// costs no regexp work.
func mayHoldSecret(text string) bool {
	for _, p := range []string{"ntn_", "secret_", "xox", "xapp-"} {
		if strings.Contains(text, p) {
			return true
		}
	}
	return containsFold(text, "bearer") || containsFold(text, "authorization")
}

// containsFold reports whether text holds the lower-case ASCII word w in any
// letter case, without allocating.
func containsFold(text, w string) bool {
	for i := 0; i+len(w) <= len(text); i++ {
		j := 0
		for ; j < len(w); j++ {
			if text[i+j]|0x20 != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}
