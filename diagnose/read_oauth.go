package diagnose

import (
	"fmt"
	"strings"
)

// This file reads what a pasted text shows of the call's credentials: an
// Authorization header with "Bearer" twice, and the failures of the OAuth
// flow of a public integration (Notion's authorization guide), which come
// before any access token exists and so are never a 401 on the token.

// oauthErrors are the RFC 6749 §5.2 error codes of the token endpoint, and
// access_denied of the authorize redirect, with the status each comes with.
var oauthErrors = map[string]int{
	"invalid_grant": 400, "invalid_client": 401, "invalid_request": 400, "unauthorized_client": 400,
	"unsupported_grant_type": 400, "invalid_scope": 400, "access_denied": 0,
}

// readAuth notes an Authorization header that sends "Bearer" twice: a token
// set with its "Bearer " prefix into a client that adds its own (the SDKs
// send "Bearer " + auth as given).
func readAuth(t string, c *Call, ix *firsts) {
	// The text is read as strings.ToLower would show it, without the copy
	// (see lowerIsLetter).
	for off := 0; off < len(t); {
		i := ix.indexLower(authBearer)
		if off > 0 {
			if i = indexLower(t[off:], authBearer); i >= 0 {
				i += off
			}
		}
		if i < 0 {
			break
		}
		off = i + 6
		j := off
		for j < len(t) && strings.IndexByte(" \t:=\"'`+", t[j]) >= 0 {
			j++
		}
		if j > off && hasLowerAt(t, j, authBearer) && (j+6 == len(t) || !lowerIsLetter(t, j+6)) {
			c.Auth = "bearer_doubled"
			return
		}
	}
	// An SDK client given the header's value: new Client({ auth: "Bearer …" }),
	// Client(auth="Bearer …").
	for _, k := range authKeys {
		if i := ix.indexLower(k); i >= 0 && (i == 0 || !lowerIsLetterBefore(t, i)) {
			v := lowerASCII(strings.TrimLeft(t[i+len(k):min(len(t), i+len(k)+20)], " \t\"'`"))
			if strings.HasPrefix(v, "bearer ") || strings.HasPrefix(v, "bearer$") || strings.HasPrefix(v, "bearer${") {
				c.Auth = "bearer_doubled"
				return
			}
		}
	}
}

// authBearer and authKeys are what readAuth looks for, in any case.
const authBearer = "bearer"

var authKeys = []string{"auth:", "auth =", "auth=", "\"auth\":"}

// lowerIsLetter reports whether strings.ToLower(t) has an ASCII letter
// where t's character at i is: an ASCII letter, or one of the two
// characters unicode.ToLower makes one of (İ and the Kelvin sign).
func lowerIsLetter(t string, i int) bool {
	return isSchemeByte(t[i]) || strings.HasPrefix(t[i:], "\u0130") || strings.HasPrefix(t[i:], "\u212a")
}

// lowerIsLetterBefore is lowerIsLetter of the character that ends at i.
func lowerIsLetterBefore(t string, i int) bool {
	return isSchemeByte(t[i-1]) || strings.HasSuffix(t[:i], "\u0130") || strings.HasSuffix(t[:i], "\u212a")
}

// readOAuth reads a failed OAuth step: an RFC 6749 error body
// ({"error":"invalid_grant","error_description":…}), Notion's own
// invalid_grant envelope, a redirect with ?error=, or Notion's page for a
// bad redirect_uri.
func readOAuth(t string, c *Call, ix *firsts) {
	code := ""
	if v, ok := keyValueIn(ix, "error"); ok {
		if _, known := oauthErrors[v]; known {
			code = v
		}
	}
	if code == "" && c.Code == "invalid_grant" {
		code = "invalid_grant"
	}
	redirect := ix.containsAny(oauthRedirectSigns)
	oauthPath := ix.contains("/v1/oauth/") || ix.contains("oauth/token")
	if code == "" && !redirect && !(oauthPath && c.Failed()) {
		return
	}
	if code == "invalid_request" && !oauthPath && !ix.contains("error_description") {
		return // Notion's own invalid_request ("Unsupported request")
	}
	switch {
	case redirect && code == "":
		c.Code = "redirect_uri"
	case code != "":
		c.Code = code
		if d, ok := keyValueIn(ix, "error_description"); ok && d != "" {
			c.Message = truncateUTF8(d, 1000)
		}
	}
	if c.Status == 0 {
		c.Status = oauthErrors[c.Code]
	}
	if !strings.HasPrefix(c.Endpoint, "/v1/oauth") {
		c.Endpoint, c.Path = "/v1/oauth/token", ""
		if code == "access_denied" || redirect && code == "" {
			c.Endpoint = "/v1/oauth/authorize"
		}
	}
	if c.Method == "" && c.Endpoint == "/v1/oauth/token" {
		c.Method = "POST"
	}
}

// oauthRedirectSigns are the texts of a refused redirect_uri.
var oauthRedirectSigns = []string{"invalid redirect_uri", "redirect_uri mismatch", "redirect_uri does not match", "redirect_uri_mismatch", "Missing or invalid redirect_uri"}

// isOAuthCall reports whether the pasted call is a step of the OAuth flow.
func isOAuthCall(c *Call) bool {
	return strings.HasPrefix(c.Endpoint, "/v1/oauth") || c.Code == "redirect_uri" || c.Code == "invalid_client" || c.Code == "invalid_grant"
}

// oauthFinding is the diagnosis of a failed OAuth step.
func oauthFinding(c *Call, said string) Finding {
	refresh := strings.Contains(strings.ToLower(c.Message), "expired or revoked") || strings.Contains(c.Message, "refresh")
	var detail, fix string
	switch {
	case c.Code == "redirect_uri":
		detail = "The OAuth flow stopped at the redirect_uri" + said + ": the redirect_uri sent is not one registered for the integration, or the token request's redirect_uri differs from the authorize URL's."
		fix = "Register the exact redirect_uri in the integration's OAuth settings (scheme, host, path and trailing slash included) and send that same value in the authorize URL and in the token request; leave it out of both only when exactly one URI is registered."
	case c.Code == "invalid_client":
		detail = "The token endpoint refused the client's credentials" + said + " (invalid_client): Notion wants them as HTTP Basic auth, not in the body or as form data, and a wrong client ID or secret is refused the same way."
		fix = "Send Authorization: Basic base64(client_id:client_secret) with the OAuth client ID and secret from the integration's settings (not the access token), and a JSON body with Content-Type application/json."
	case c.Code == "access_denied":
		detail = "The user cancelled the authorization" + said + ": Notion redirected with error=access_denied, and there is no code to exchange."
		fix = "Ask the user to authorize again and pick the pages to share; handle ?error=access_denied in the redirect handler."
	case refresh:
		detail = "The refresh token was refused" + said + ": each refresh returns a new access and refresh token pair and invalidates the old refresh token, so an old one was reused (two refreshes raced, or the newest pair was not stored); since 2026-06-08 each authorization mints a new pair too."
		fix = "Store the newest token pair atomically after every refresh and serialise refreshes per connection; if the refresh token is lost, send the user through the authorization again."
	default:
		detail = fmt.Sprintf("The token exchange was refused%s (%s): the authorization code was already used, has expired, or was issued for another redirect_uri.", said, c.Code)
		fix = "Exchange each code once, right after the redirect (a reload or a retry sends it twice), with the same redirect_uri as the authorize URL; for a new token, send the user through the authorization again."
	}
	return NewFinding(CodeOAuthGrant, detail, Vars{"oauth_fix": fix})
}
