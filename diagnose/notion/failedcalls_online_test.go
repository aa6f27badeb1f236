package notion

import (
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/internal/failedcalls"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestFailedCallsOnline runs the failed-call table against the
// fake Notion: each case's text diagnosed with its configuration (token,
// NOTION_VERSION, the team's other integrations) must give every one of
// its Online codes, none of its Never codes, and a failed call never ends
// "all good".
func TestFailedCallsOnline(t *testing.T) {
	cases, err := failedcalls.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := nt.NewServer(t)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			token := tc.Token
			if token == "" {
				token = nt.GoodToken
			}
			mk := func(tok string) *Prober {
				p, err := New(Config{Token: tok, BaseURL: srv.URL, Version: tc.NotionVersion, Rate: 1000, Burst: 1000, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			cfg := diagnose.Config{Token: token, Prober: mk(token)}
			for _, o := range tc.Others {
				cfg.Others = append(cfg.Others, mk(o))
			}
			rd := diagnose.ReadText(tc.Text, diagnose.DefaultMaxChecks)
			rep := diagnose.New(cfg).DiagnoseReading(ctxT(t, 10*time.Second), rd, diagnose.Options{})
			got := map[diagnose.Code]bool{}
			var text strings.Builder
			for _, f := range rep.Integration.Findings {
				got[f.Code] = true
				text.WriteString(string(f.Code) + ": " + f.Detail + "\n")
			}
			for _, c := range rep.Checks {
				for _, f := range c.Findings {
					got[f.Code] = true
					text.WriteString(string(f.Code) + ": " + f.Detail + "\n")
					for _, step := range f.Fix {
						if placeholder.MatchString(step) {
							t.Errorf("%s: unfilled placeholder in %q", f.Code, step)
						}
					}
				}
			}
			for _, c := range tc.Online {
				if !got[c] {
					t.Errorf("online codes lack %s\n%s", c, text.String())
				}
			}
			for _, c := range tc.Never {
				if got[c] {
					t.Errorf("online gave %s, which this text must never give\n%s", c, text.String())
				}
			}
			if tc.OnlineLead != nil {
				head := rep.Headline()
				for _, w := range tc.OnlineLead {
					if !strings.Contains(head.Text, w) {
						t.Errorf("online first line %q does not hold %q\n%s", head.Text, w, text.String())
					}
				}
			}
			if rd.Call.Failed() && !rep.HasError() {
				unknown := slices.ContainsFunc(rep.Checks, func(c diagnose.Check) bool { return c.Status == diagnose.StatusUnknown })
				if !unknown && !hasWarningCode(rep) {
					t.Errorf("a failed call ended all good:\n%s", text.String())
				}
			}
		})
	}
}

// placeholder is a {name} left unfilled in a fix step.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// hasWarningCode reports whether the report explains the call with a
// warning about the call itself (a rate limit, a server error).
func hasWarningCode(rep diagnose.Report) bool {
	for _, c := range rep.Checks {
		for _, f := range c.Findings {
			if strings.HasPrefix(string(f.Code), "error.") {
				return true
			}
		}
	}
	return false
}
