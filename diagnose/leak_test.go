package diagnose_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret/leakscan"
)

const pastedToken = "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"

// TestTokenLeakedFinding: whatever form a pasted token takes, the report
// says token.leaked first among the integration findings, and nothing in
// the JSON report repeats any part of it.
func TestTokenLeakedFinding(t *testing.T) {
	d := diagnose.New(diagnose.Config{})
	scan := leakscan.New(pastedToken)
	for _, tc := range []struct {
		name, text string
		leaked     bool
	}{
		{"none", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e", false},
		{"glued after a digit", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0" + pastedToken, true},
		{"url-encoded", "https://example.com/?t=%22" + pastedToken + "%22", true},
		{"zero-width split", strings.Join(strings.SplitAfter(pastedToken, "x"), "\u200b"), true},
		{"entity", "ntn&#95;" + pastedToken[4:], true},
		{"in the link", "https://www.notion.so/x-1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e?token=" + pastedToken, true},
		// Split, cased, prefixed otherwise or not, single-digit
		// entities; with no reference, the text is what is quoted.
		{"split over two lines", "my token\n" + pastedToken[:22] + "\n" + pastedToken[22:], true},
		{"split by a space", pastedToken[:9] + " " + pastedToken[9:], true},
		{"split, with a link", "https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e " + pastedToken[:30] + "\n" + pastedToken[30:], true},
		{"upper case", "NTN_" + pastedToken[4:], true},
		{"dash", "ntn-" + pastedToken[4:], true},
		{"no prefix", "the token is " + pastedToken[4:], true},
		{"single-digit entity", "ntn_&#7&#53" + pastedToken[5:], true},
		{"single-digit entities between", "ntn_" + strings.Join(strings.SplitAfter(pastedToken[4:], "K"), "&#7"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := d.Diagnose(context.Background(), tc.text, diagnose.Options{})
			got := diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenLeaked)
			if got != tc.leaked {
				t.Fatalf("token.leaked = %v, want %v: %+v", got, tc.leaked, rep.Integration.Findings)
			}
			if got && rep.Integration.Findings[0].Code != diagnose.CodeTokenLeaked {
				t.Errorf("token.leaked is not first: %+v", rep.Integration.Findings)
			}
			js, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if leaks := scan.Scan(string(js)); len(leaks) > 0 {
				t.Errorf("the report holds the token: %v", leaks)
			}
		})
	}
}

// FuzzReportHoldsNoToken: a token pasted in any of a few disguises between
// arbitrary texts is reported (token.leaked) and no part of it is in the
// report, as the independent scanner sees it.
func FuzzReportHoldsNoToken(f *testing.F) {
	f.Add("https://www.notion.so/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e 0", "", uint8(0))
	f.Add("Could not find page with ID: ", " 3d47810f-380f-80d7-a001-000000000003", uint8(1))
	f.Add(`{"page_id":"`, `"}`, uint8(2))
	f.Add("curl -H 'Authorization: Bearer ", "' https://api.notion.com/v1/pages/1c2d3e4f5a6b80c79d8e7f6a5b4c3d2e", uint8(3))
	d := diagnose.New(diagnose.Config{})
	scan := leakscan.New(pastedToken)
	f.Fuzz(func(t *testing.T, prefix, suffix string, mode uint8) {
		if len(prefix)+len(suffix) > 2000 || scan.Leaks(prefix+" "+suffix) {
			return
		}
		tok := pastedToken
		switch mode % 9 {
		case 5:
			tok = tok[:4+int(mode)%40] + "\n" + tok[4+int(mode)%40:]
		case 6:
			tok = "NTN-" + tok[4:]
		case 7:
			tok = tok[4:]
		case 8:
			tok = "ntn_&#7" + strings.Join(strings.SplitAfter(tok[4:], "8"), "&#7")
		case 1:
			tok = strings.Join(strings.SplitAfter(tok, "Q"), "\u200b")
		case 2:
			tok = strings.Replace(tok, "_", "%5F", 1)
		case 3:
			tok = strings.Replace(tok, "_", "&#95;", 1)
		case 4:
			tok = strings.Join(strings.SplitAfter(tok, "m"), "\u00ad")
		}
		text := prefix + tok + suffix
		rep := d.Diagnose(context.Background(), text, diagnose.Options{})
		if !diagnose.HasCode(rep.Integration.Findings, diagnose.CodeTokenLeaked) {
			t.Fatalf("%q: no token.leaked", text)
		}
		js, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if leaks := scan.Scan(string(js)); len(leaks) > 0 {
			t.Fatalf("%q: the report holds the token: %v", text, leaks)
		}
	})
}

// TestNoReferenceNotEchoed: a text with no reference is quoted only in
// part (a short line whole, else its first words, cut), with its token-like
// runs masked before the cut, so that no piece of a token is left.
func TestNoReferenceNotEchoed(t *testing.T) {
	long := "Hi all, our integration stopped working this morning and we are not sure why, " +
		"the key we use is " + pastedToken[:20] + "\n" + pastedToken[20:] + " and nothing else changed since Friday."
	for _, tc := range []struct {
		name, text, want string
	}{
		{"short value", "None", `"None"`},
		{"title", "Q3 Roadmap", `"Q3 Roadmap"`},
		{"long prose", long, `"Source":"Hi all, our integration stopped working this morning and`},
		{"token cut by the excerpt", strings.Repeat("word ", 10) + "x" + pastedToken[4:] + " tail and more words after it", `"Source":"word word word word word word word word word word…"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd := diagnose.ReadText(tc.text, 10)
			if len(rd.References) != 1 || rd.References[0].ID != "" {
				t.Fatalf("%+v", rd.References)
			}
			r := rd.References[0]
			js, _ := json.Marshal(r)
			if leaks := leakscan.New(pastedToken).Scan(string(js)); len(leaks) > 0 {
				t.Errorf("the reference holds the token: %v\n%s", leaks, js)
			}
			if len(r.Source) > 64+len("…") {
				t.Errorf("source of %d bytes: %q", len(r.Source), r.Source)
			}
			if !strings.Contains(string(js), tc.want) {
				t.Errorf("want %q in %s", tc.want, js)
			}
			if len(tc.text) > 80 && strings.Contains(string(js), tc.text[40:80]) {
				t.Errorf("the text is echoed: %s", js)
			}
		})
	}
}
