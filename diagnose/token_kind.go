package diagnose

import (
	"fmt"
	"strings"
)

// TokenKind is the kind of integration token a check runs with, as told
// from what Notion answered (the SDKs' users/me types): users/me's bot
// owner, and for a bot owned by a user, whether GET /v1/users refuses it.
type TokenKind string

// Token kinds.
const (
	// TokenInternal is an internal integration's token (owner workspace):
	// pages are shared with it under ••• → Connections.
	TokenInternal TokenKind = "internal"
	// TokenOAuth is a public integration's OAuth access token (owner
	// user): it sees the pages its authorizing user picked.
	TokenOAuth TokenKind = "oauth"
	// TokenPersonal is a personal access token (owner user, and GET
	// /v1/users refused "Personal access tokens cannot list users"): it sees
	// what its creator sees.
	TokenPersonal TokenKind = "personal"
	// TokenUserOwned is a token owned by a user whose kind (OAuth or
	// personal) Notion's answers did not tell.
	TokenUserOwned TokenKind = "user"
	// TokenUnknown is a token users/me did not describe.
	TokenUnknown TokenKind = ""
)

// KindOf tells the token kind of an integration from what its Prober
// observed.
func KindOf(info IntegrationInfo) TokenKind {
	switch {
	case info.Personal:
		return TokenPersonal
	case info.OwnerType == "workspace":
		return TokenInternal
	case info.OwnerType != "user":
		return TokenUnknown
	}
	u := info.Users
	switch {
	case u.Outcome == OutcomeForbidden && (strings.Contains(u.Message, "Personal access token") || strings.Contains(u.Message, "personal access token")):
		return TokenPersonal
	case u.Outcome == OutcomeOK, u.Outcome == OutcomeForbidden:
		// A public integration lists users, or lacks the user capability
		// (403 with another message): not a personal access token.
		return TokenOAuth
	}
	return TokenUserOwned
}

// tokenKindFinding is the integration's token.* note for its kind, or
// false for an internal or unknown token.
func tokenKindFinding(info IntegrationInfo) (Finding, bool) {
	who := "It"
	if info.Name != "" {
		who = fmt.Sprintf("%q", info.Name)
	}
	switch KindOf(info) {
	case TokenPersonal:
		return personalFinding(info), true
	case TokenOAuth:
		return NewFinding(CodeTokenOAuth, fmt.Sprintf("GET /v1/users/me answers a bot owned by a user, and GET /v1/users does not refuse it as a personal access token: %s is a public integration's OAuth token. It sees the pages the user who authorized it picked during the OAuth flow; only that user can add more, by authorizing again.", who), nil), true
	}
	return Finding{}, false
}

// oauthNotShared is access.not_shared's answer when the check ran as a
// public integration's OAuth token.
var oauthNotShared = []string{
	"Not shared with {integration} — its OAuth user must pick this page (or a parent) when authorizing: run the authorization again",
	"Not shared with the public integration — its OAuth user must pick this page when authorizing: run the authorization again",
}

// oauthChecked reports whether check c ran as a public integration's OAuth
// token.
func (r Report) oauthChecked(c *Check) bool {
	as := checkedAs(c)
	return (as == "" || as == r.Integration.Name) && HasCode(r.Integration.Findings, CodeTokenOAuth)
}
