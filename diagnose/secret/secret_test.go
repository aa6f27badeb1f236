package secret_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/secret"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// Made-up tokens of the real shapes.
const (
	tok      = "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"
	legacy   = "secret_abcdefghijABCDEFGHIJ0123456789abcdefghijABC"
	slackBot = "xoxb-1234567890-0987654321-AbCdEfGhIjKl"
	slackApp = "xapp-1-A07QW2E3R4T-5566778899001-f9e8d7c6b5a4f3e2d1c0b9a8"
)

// zwsp and friends, spelled out so the source shows them.
const (
	zwsp = "\u200b"
	zwj  = "\u200d"
	shy  = "\u00ad"
	bom  = "\ufeff"
	wj   = "\u2060"
	rlo  = "\u202e"
)

func splitEvery(s, sep string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%n == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func entityAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "&#%d;", s[i])
	}
	return b.String()
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// evasions are the forms a token is pasted in that a word-boundary regexp
// misses: each must be redacted with no 12-character run left, and
// counted by NotionTokens.
func evasions() []struct{ name, in string } {
	basic := base64.StdEncoding.EncodeToString([]byte("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:" + "cs_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2"))
	return []struct{ name, in string }{
		{"plain", "token " + tok + " here"},
		{"glued after letter", "key" + tok},
		{"glued after underscore", "key_" + tok},
		{"glued after digit", "0" + tok},
		{"glued both sides", "abc" + tok + "xyz"},
		{"url %20", "https://example.com/?q=hello%20" + tok + "%20bye"},
		{"url %22 quoted", "%22" + tok + "%22"},
		{"url %3D", "token%3D" + tok},
		{"url %5F underscore", "ntn%5F" + tok[4:]},
		{"url all bytes", percentAll(tok)},
		{"url double", "%2520" + strings.Replace(tok, "_", "%255F", 1)},
		{"url triple", strings.Replace(tok, "_", "%25255F", 1)},
		{"entity amp", "a=1&amp;token=" + tok},
		{"entity dec underscore", "ntn&#95;" + tok[4:]},
		{"entity hex underscore", "ntn&#x5f;" + tok[4:]},
		{"entity hex upper", "ntn&#X5F;" + tok[4:]},
		{"entity named lowbar", "ntn&lowbar;" + tok[4:]},
		{"entity no semicolon", strings.Replace(tok, "R", "&#82", 1)},
		{"entity all bytes", entityAll(tok)},
		{"entity double", "ntn&amp;#95;" + tok[4:]},
		{"json \\u005f", `{"token":"ntn\u005f` + tok[4:] + `"}`},
		{"json double escaped", `ntn\\u005f` + tok[4:]},
		{"zero-width space", splitEvery(tok, zwsp, 5)},
		{"zero-width joiner", splitEvery(tok, zwj, 7)},
		{"soft hyphen", splitEvery(tok, shy, 4)},
		{"bom", bom + splitEvery(tok, bom, 11)},
		{"word joiner", splitEvery(tok, wj, 3)},
		{"bidi override", rlo + splitEvery(tok, "\u202c", 9)},
		{"zwsp percent-encoded", strings.Replace(splitEvery(tok, zwsp, 10), zwsp, "%E2%80%8B", -1)},
		{"zwsp entity", strings.Replace(splitEvery(tok, zwsp, 10), zwsp, "&#8203;", -1)},
		{"soft hyphen entity", strings.Replace(splitEvery(tok, shy, 6), shy, "&shy;", -1)},
		{"fullwidth", strings.Map(func(r rune) rune { return r + 0xFEE0 }, tok)},
		{"fullwidth underscore", "ntn＿" + tok[4:]},
		{"legacy secret_", "NOTION_KEY=" + legacy},
		{"legacy glued", "my" + legacy},
		{"slack bot", "SLACK_BOT_TOKEN=" + slackBot},
		{"slack bot glued digit", "0" + slackBot},
		{"slack app glued", "app" + slackApp},
		{"slack user", "xoxp-" + "12345678901-23456789012-ab12cd34ef"},
		{"slack refresh", "xoxe.xoxp-" + "1-Mi0yLTEyMzQ1Njc4OTAx"},
		{"slack zwsp", splitEvery(slackBot, zwsp, 6)},
		{"slack url-encoded", strings.ReplaceAll(slackBot, "-", "%2D")},
		{"bearer", "Authorization: Bearer " + tok},
		{"bearer other", "-H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sIgNaTuRe4567'"},
		{"basic", "Authorization: Basic " + basic},
		{"basic lower", "authorization: basic " + basic},
		{"basic json", `{"Authorization":"Basic ` + basic + `"}`},
		{"basic url-encoded", "Authorization%3A%20Basic%20" + url.QueryEscape(basic)},
		{"curl", "curl https://api.notion.com/v1/users/me -H \"Authorization: Bearer " + tok + "\" -H \"Notion-Version: 2022-06-28\""},
		{".env", "NOTION_TOKEN=" + tok + "\nNOTION_DB=1212250f3985801cabcdef0123456789"},
		{"python", `notion = Client(auth="` + tok + `")`},
		// Split, cased, prefixed otherwise or not at all, and
		// single-digit entities.
		{"split over two lines", "my token is " + tok[:20] + "\n" + tok[20:] + "\nthanks"},
		{"split by a space", tok[:15] + " " + tok[15:] + " is it"},
		{"split early by a space", tok[:8] + " " + tok[8:]},
		{"glued to a Slack prefix and split", "xoxa-" + legacy[:30] + " " + legacy[30:]},
		{"glued to a Slack prefix, split over lines", "xoxb-" + legacy[:20] + "\n" + legacy[20:]},
		{"glued to an ntn- run and split in a quoted reply", "ntn-A0000A00000000" + legacy[:30] + "\r\n> " + legacy[30:]},
		{"glued to a credential and split", "Authorization: Bearer Zq8Rk2Lm" + legacy[:25] + " " + legacy[25:]},
		{"in a URL password and split", "https://me:Zq8Rk2Lm" + tok[:20] + " " + tok[20:] + "@example.com"},
		{"split by CRLF", "NOTION_TOKEN=" + tok[:30] + "\r\n" + tok[30:]},
		{"split in three", tok[:12] + "\n" + tok[12:30] + "\n" + tok[30:]},
		{"split and quoted reply", "> " + tok[:25] + "\n> " + tok[25:]},
		{"upper-case prefix", "NTN_" + tok[4:]},
		{"dash for underscore", "ntn-" + tok[4:]},
		{"upper and dash", "Ntn-" + tok[4:]},
		{"no prefix", "the token: " + tok[4:] + " (from the integration page)"},
		{"no prefix glued", "token=" + tok[4:]},
		{"legacy no prefix", "key " + legacy[7:]},
		{"legacy upper", "SECRET_" + legacy[7:]},
		{"legacy dash", "secret-" + legacy[7:]},
		{"single-digit entity", "ntn_&#7&#" + fmt.Sprint(int(tok[4])) + tok[5:]},
		{"single-digit entities between", "ntn_" + splitEvery(tok[4:], "&#7", 4)},
		{"control bytes between", splitEvery(tok, "\x07", 6)},
		{"C1 between", splitEvery(tok, "\u0085", 9)},
		{"DEL between", splitEvery(tok, "\x7f", 5)},
		{"upper split", "NTN_" + tok[4:20] + "\n" + tok[20:]},
	}
}

func TestRedactEvasions(t *testing.T) {
	scan := leakscan.New(tok, legacy, slackBot, slackApp)
	for _, tc := range evasions() {
		t.Run(tc.name, func(t *testing.T) {
			out := secret.Redact(tc.in)
			if leaks := scan.Scan(out); len(leaks) > 0 {
				t.Errorf("Redact(%q) = %q: %v", tc.in, out, leaks)
			}
			if !strings.Contains(out, secret.Mask) {
				t.Errorf("Redact(%q) = %q: no mask", tc.in, out)
			}
			if n := secret.NotionTokens(tc.in); n == 0 {
				t.Errorf("NotionTokens(%q) = 0", tc.in)
			}
		})
	}
}

func TestRedactKeepsText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"token " + tok + " here", "token [redacted] here"},
		{"key_" + tok, "key_[redacted]"},
		{"0" + slackBot + " done", "0[redacted] done"},
		{"%22" + tok + "%22", "%22[redacted]%22"},
		{"a=1&amp;b=" + tok + "&amp;c=2", "a=1&amp;b=[redacted]&amp;c=2"},
		{"x " + splitEvery(tok, zwsp, 10) + " y", "x [redacted] y"},
		{"-H 'Authorization: Bearer " + tok + "' -X GET", "-H 'Authorization: Bearer [redacted]' -X GET"},
		{"Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==", "Authorization: Basic [redacted]"},
		{"DATABASE_URL=postgres://app:hunter2@db.internal:5432/x", "DATABASE_URL=postgres://app:[redacted]@db.internal:5432/x"},
		{"curl https://user:s3cr3t%40pw@api.example.com/v1", "curl https://user:[redacted]@api.example.com/v1"},
	} {
		if got := secret.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	for _, keep := range []string{
		"", "the secret_sauce is here", "1212250f-3985-801c-abcd-ef0123456789",
		"bearer of news", "basic authentication fails", "Basic Authorization", "The bearer token is invalid",
		"https://www.notion.so/acme/My-Page-0123456789abcdef0123456789abcdef?v=9a3e53af8585464db3e0123456789abc&amp;pvs=4",
		"Could not find page with ID: 3d47810f-380f-80d7-a001-000000000003.", "ntn_short", "https://www.notion.so/a:b@c", "mailto:x@y.z", "https://host:8080/p@q", "ssh://git@github.com/x", "xoxb-", "notion%20check &#95; \\u005f",
		"héllo wörld, emoji 👍 and\u00a0nbsp",
		"curl -H 'Authorization: Bearer YOUR_NOTION_TOKEN'", "Authorization: Bearer $NOTION_TOKEN", "Bearer ${NOTION_API_KEY}",
		"Authorization: Bearer <token>", "Bearer xxxxxxxxxxxxxxxx", "Bearer your-integration-secret",
		// Over-redaction: Notion IDs in every form, words, identifiers.
		"1212250f3985801cabcdef0123456789", "1212250F3985801CABCDEF0123456789", "1212250f3985801CABCDEF0123456789",
		"Team-Handbook-1212250f3985801cabcdef0123456789", "https://www.notion.so/acme/Tasks-1212250f3985801cabcdef0123456789?v=9a3e53af8585464db3e0123456789abc",
		"request_id 3d47810f-380f-80d7-a001-000000000003 and 5f6e7d8c9b0a1f2e3d4c5b6a79881726354433221100ffeeddccbbaa99887766",
		"Antidisestablishmentarianism is a long word", "supercalifragilisticexpialidocious2", "pneumonoultramicroscopicsilicovolcanoconiosis",
		"getNotionDatabaseByIdFromConfig", "NOTION_DATABASE_ID_FOR_THE_TEAM_2024", "ntn_xxx", "ntn_…", "ntn_ and secret_ tokens",
		"secret-santa-gift-exchange-2024", "the secret ingredient is love", "Secret_Sauce recipe",
		"ntn_ABC is a placeholder, see docs", "a 1234567890123456789012345678901234567890 digits run",
		"MyVeryLongClassNameWithoutAnyDigitsInItAtAll",
		"ntn_abc def ghi jkl mno pqr", "Sent 2 messages\nthen 3 more",
		"https://www.notion.so/acme/Secret-3d47810f380f80d7a001000000000003", "NTN-Roadmap2025Q3-1212250f3985801cabcdef0123456789",
		"NTN_DATABASE_ID=1212250f3985801cabcdef0123456789", "ntn_integration_token", "SECRET_ACCESS_KEY", "secret-1212250f3985801cabcdef0123456789",
	} {
		if out := secret.Redact(keep); out != keep {
			t.Errorf("Redact(%q) = %q, want it unchanged", keep, out)
		}
	}
}

func TestRedactorByValue(t *testing.T) {
	// Values of any shape: a custom token, the Slack tokens of the test fake.
	custom := "hunter2hunter2-Very-Secret-Value"
	shortish := "pw9Xy3Kq!"
	r := secret.NewRedactor(custom, shortish, "", "short")
	scan := leakscan.New(custom, shortish)
	for _, in := range []string{
		"the key is " + custom + "!",
		"glued" + custom + "glued",
		url.QueryEscape("v=" + custom),
		entityAll(custom),
		splitEvery(custom, zwsp, 3),
		splitEvery(custom, shy, 5),
		"part: " + custom[3:20],
		"tail: " + custom[len(custom)-13:],
		"pw " + shortish + " end",
	} {
		out := r.Redact(in)
		if leaks := scan.Scan(out); len(leaks) > 0 {
			t.Errorf("Redact(%q) = %q: %v", in, out, leaks)
		}
		if r.Leaks(in) == 0 {
			t.Errorf("Leaks(%q) = 0", in)
		}
	}
	if out := r.Redact("short abc"); out != "short abc" {
		t.Errorf("a value under %d characters is not masked (too many false hits): %q", secret.MinValue, out)
	}
	if out := secret.RedactValue("x"+custom, custom); out != "x"+secret.Mask {
		t.Errorf("RedactValue = %q", out)
	}
	var nilR *secret.Redactor
	if out := nilR.Redact("a " + tok); strings.Contains(out, tok[4:16]) {
		t.Errorf("nil Redactor: %q", out)
	}
}

func TestNotionTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"a " + tok + " and " + legacy, 2},
		{"ntn_short secret_sauce", 0},
		{"NTN_" + tok[4:20] + "\n" + tok[20:], 1},
		{tok[4:], 1},
		{"1212250f3985801cabcdef0123456789 " + legacy[7:], 1},
		{"1212250f3985801cabcdef0123456789 and words", 0},
		{"Authorization: Bearer " + tok, 1},
		{tok + tok[:4] + "x", 1},
		{"", 0},
		{"https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0" + tok, 1},
	} {
		if n := secret.NotionTokens(tc.in); n != tc.want {
			t.Errorf("NotionTokens(%q) = %d, want %d", tc.in, n, tc.want)
		}
	}
}

// TestRedactJSONStaysJSON: redacting a JSON document (what the bot does to
// its Block Kit payloads) masks whole escape sequences, so it stays valid.
func TestRedactJSONStaysJSON(t *testing.T) {
	in := `{"a":"x\u200b` + tok[:10] + `\u00ad` + tok[10:] + `\"","b":"Basic dXNlcjpwYXNzd29yZDEyMw==\n"}`
	out := secret.Redact(in)
	want := `{"a":"x\u200b[redacted]\"","b":"Basic [redacted]\n"}`
	if out != want {
		t.Errorf("Redact(%s)\n got %s\nwant %s", in, out, want)
	}
}

func TestSchemeInsideARun(t *testing.T) {
	for _, in := range []string{"abBearer 1234567890abc", "AUTHORIZATION=AUTHORIZATION=Bearer x9y8z7w6v5u4"} {
		if out := secret.Redact(in); !strings.Contains(out, secret.Mask) {
			t.Errorf("Redact(%q) = %q", in, out)
		}
	}
}
