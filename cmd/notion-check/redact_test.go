package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose/notiontest"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

// Other integrations' tokens (NOTION_TOKENS), as the helpers agreed.
const (
	marketingToken = "ntn_44444444444MarketingTokenAbCdEfGhIjKlMnOpQrStU"
	personalToken  = "ntn_55555555555PersonalTokenAbCdEfGhIjKlMnOpQrStUvW"
	// shapelessSecret is a configured secret of no token shape: only
	// redaction by value hides it.
	shapelessSecret = "Zq8Xv7Cw6Be5Nr4Mt3Ly2Ku1-configured"
)

// TestCLINeverRepeatsASecret runs pasted tokens in evasive forms through
// every output of the CLI (terminal report, --json, --blocks, stderr): each
// is reported as token.leaked, and the independent scanner finds no part
// of any configured secret or token shape in what was written.
func TestCLINeverRepeatsASecret(t *testing.T) {
	t.Parallel()
	env := environ{
		"NOTION_TOKEN":  notiontest.GoodToken,
		"NOTION_TOKENS": marketingToken + ", " + personalToken + "," + shapelessSecret,
	}
	scan := leakscan.New(notiontest.GoodToken, marketingToken, personalToken, shapelessSecret)
	link := "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e"
	forms := []struct{ name, text string }{
		{"glued after a digit", link + " 0" + notiontest.GoodToken},
		{"own token glued", "key_" + notiontest.GoodToken},
		{"url-encoded", link + "?t=%22" + marketingToken + "%22"},
		{"double-encoded", link + "%2520" + strings.Replace(personalToken, "_", "%255F", 1)},
		{"entity", "ntn&#x5f;" + notiontest.GoodToken[4:] + " " + link},
		{"zero-width", strings.Join(strings.Split(notiontest.GoodToken, "1"), "1\u200b") + " " + link},
		{"soft hyphen", strings.Join(strings.Split(marketingToken, "g"), "g\u00ad") + " " + link},
		{"json escape", `{"auth":"ntn\u005f` + notiontest.GoodToken[4:] + `"} ` + link},
		{"curl", "curl " + link + " -H 'Authorization: Bearer " + notiontest.GoodToken + "'"},
		{".env", "NOTION_TOKEN=" + notiontest.GoodToken + "\nDB=" + link},
		{"basic", "Authorization: Basic MGIxYzJkM2U6Y3NfWng5WXc4VnU3VHM2UnE1UG80 " + link},
	}
	for _, f := range forms {
		for _, mode := range [][]string{{"--offline"}, {"--offline", "--json"}, {"--offline", "--blocks"}} {
			t.Run(f.name+" "+strings.Join(mode, " "), func(t *testing.T) {
				t.Parallel()
				out, errOut, _ := cli(t, env, "", append(mode, f.text)...)
				// The plain report says it in words, JSON and blocks by code.
				if !strings.Contains(out, "token.leaked") && !strings.Contains(out, "A Notion token is in this message") {
					t.Errorf("no token.leaked in:\n%s", out)
				}
				for _, leak := range append(scan.Scan(out), scan.Scan(errOut)...) {
					t.Errorf("leak: %s", leak)
				}
				if strings.Contains(strings.Join(mode, " "), "json") || strings.Contains(strings.Join(mode, " "), "blocks") {
					var v any
					if err := json.Unmarshal([]byte(out), &v); err != nil {
						t.Errorf("output is not JSON any more: %v", err)
					}
				}
			})
		}
	}
	// The configured secrets by value, whatever their shape, on stdin too.
	for _, in := range []string{"the key is " + shapelessSecret, link + "?key=" + shapelessSecret, "x" + shapelessSecret[3:20]} {
		for _, mode := range []string{"--json", "--blocks", "--offline"} {
			out, errOut, _ := cli(t, env, in, "--offline", mode, "-")
			if leaks := append(scan.Scan(out), scan.Scan(errOut)...); len(leaks) > 0 {
				t.Errorf("%s %q: leaks: %v", mode, in, leaks)
			}
		}
	}
}

// TestCLIErrorsAreRedacted: a usage error that quotes what was typed does
// not repeat a token on stderr.
func TestCLIErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	env := environ{"NOTION_TOKEN": notiontest.GoodToken}
	scan := leakscan.New(notiontest.GoodToken)
	_, errOut, code := cli(t, env, "", "--json="+notiontest.GoodToken, "x")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if leaks := scan.Scan(errOut); len(leaks) > 0 || !strings.Contains(errOut, "[redacted]") {
		t.Errorf("stderr %q: %v", errOut, leaks)
	}
}

func TestConfiguredSecrets(t *testing.T) {
	t.Parallel()
	env := environ{
		"NOTION_TOKEN":    `"Bearer ` + notiontest.GoodToken + `"`,
		"NOTION_TOKENS":   " " + marketingToken + " ,," + personalToken,
		"SLACK_BOT_TOKEN": "xoxb-1-2-3",
		"NOTION_API_URL":  "https://api.notion.com", // not a secret
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Secrets
	want := []string{`"Bearer ` + notiontest.GoodToken + `"`, notiontest.GoodToken, marketingToken, personalToken, "xoxb-1-2-3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("configuredSecrets = %q, want %q", got, want)
	}
}
