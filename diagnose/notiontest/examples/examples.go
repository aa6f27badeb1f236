// Package examples builds the reports of the common causes people ask
// about, as the diagnosis gives them against the fake Notion of
// diagnose/notiontest (or, for what the diagnosis does not tell yet, as
// the JSON report and docs/findings.md describe them). The renderers' golden
// tests and the screenshot
// script use them, so that the budgets are checked on realistic reports.
package examples

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// Case is one example: what was pasted and the report it gets.
type Case struct {
	// Name is a file-name-friendly name ("not_shared").
	Name string
	// About says in words what the case shows.
	About string
	// Text is what the person pasted.
	Text string
	// Report is the diagnosis, with request IDs and durations made
	// deterministic.
	Report diagnose.Report
	// Common marks the common causes, whose reports have length budgets.
	Common bool
}

// Names of the cases, in the order Cases returns them.
const (
	Shared          = "shared"
	NotShared       = "not_shared"
	DatabaseAsPage  = "database_as_page"
	View            = "view"
	DataSource      = "data_source"
	Trash           = "trash"
	RevokedToken    = "revoked_token"
	UnsetVariable   = "unset_variable"
	OtherIntegation = "other_integration"
	Offline         = "offline"
	Ten             = "ten_references"
)

// Cases diagnoses every example against a fake Notion started for the
// purpose and closed before it returns.
func Cases(ctx context.Context) ([]Case, error) {
	srv := notiontest.Start()
	defer srv.Close()
	h := diagnose.Hex32
	online := func(name, about, token, text string, common bool) (Case, error) {
		// The fake does not rate-limit: no need to pace the example calls;
		// no guesses are granted, so the evidence is the needed calls.
		p, err := notion.New(notion.Config{Token: token, BaseURL: srv.URL, Version: notiontest.Version20250903, Rate: 1000, Burst: 100, OneShot: true})
		if err != nil {
			return Case{}, fmt.Errorf("example %s: %w", name, err)
		}
		// The bot asks users/me once at start (serve) and its answers name
		// the integration from that cached answer.
		p.Integration(ctx, diagnose.ProbeOptions{})
		d := diagnose.New(diagnose.Config{Token: token, Prober: p})
		rep := d.Diagnose(ctx, text, diagnose.Options{})
		return Case{Name: name, About: about, Text: text, Report: normalize(name, rep), Common: common}, nil
	}
	var out []Case
	for _, c := range []struct {
		name, about, token, text string
		common                   bool
	}{
		{Shared, "a page shared with the integration", notiontest.GoodToken, "https://www.notion.so/acme/Roadmap-2026-" + h(notiontest.SharedPageID), false},
		{NotShared, "a page not shared with the integration", notiontest.GoodToken, "https://www.notion.so/acme/Private-plans-" + h(notiontest.UnsharedPageID), true},
		{DatabaseAsPage, "a database ID used with /v1/pages", notiontest.GoodToken, "Could not find page with ID: " + notiontest.DatabaseID + ". Make sure the relevant pages and databases are shared with your integration.", true},
		{DataSource, "a data source ID used with /v1/databases", notiontest.GoodToken, "curl -X POST https://api.notion.com/v1/databases/" + notiontest.DataSourceID + "/query -H 'Notion-Version: 2025-09-03'", true},
		{Trash, "a page in the trash", notiontest.GoodToken, "https://www.notion.so/acme/Old-Notes-" + h(notiontest.TrashedPageID), true},
		{RevokedToken, "a revoked integration token", notiontest.RevokedToken, notiontest.SharedPageID, true},
		{View, "a view ID (?v=) used as a database ID", notiontest.GoodToken, "Could not find database with ID: " + notiontest.ViewID + ". Make sure the relevant pages and databases are shared with your integration \"Iris Checker\".", true},
		{UnsetVariable, "an unset variable where the ID belongs", notiontest.GoodToken, "await notion.dataSources.query({ data_source_id: process.env.NOTION_DB_ID })", true},
		// Marketing Sync is not configured here: the page exists, Iris
		// Checker reads it, the integration the call used does not.
		{OtherIntegation, "a 404 from another integration of the team", notiontest.GoodToken, `{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: ` + notiontest.SharedPageID + `. Make sure the relevant pages and databases are shared with your integration \"Marketing Sync\".","request_id":"5e2a7c1d-0b7e-4f7e-9a52-0c3d2f6b9a10"}`, false},
		{Ten, "ten references at once", notiontest.GoodToken, strings.Join([]string{
			"https://www.notion.so/acme/Team-Home-" + h(notiontest.RootPageID),
			"https://www.notion.so/acme/Roadmap-2026-" + h(notiontest.SharedPageID),
			"https://www.notion.so/acme/Private-plans-" + h(notiontest.UnsharedPageID),
			"https://www.notion.so/acme/" + h(notiontest.DatabaseID),
			notiontest.RowPageID,
			notiontest.MissingID,
			"https://www.notion.so/acme/Old-Notes-" + h(notiontest.TrashedPageID),
			notiontest.DataSourceID,
			"https://www.notion.so/acme/Roadmap-2026-" + h(notiontest.SharedPageID) + "#" + h(notiontest.BlockID),
			notiontest.LinkedDatabaseID,
		}, "\n"), false},
	} {
		cs, err := online(c.name, c.about, c.token, c.text, c.common)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	off := diagnose.New(diagnose.Config{}).Diagnose(ctx, "https://www.notion.so/acme/Roadmap-2026-"+h(notiontest.SharedPageID), diagnose.Options{})
	out = append(out, Case{Name: Offline, About: "no NOTION_TOKEN: offline checks only", Text: off.Checks[0].Source, Report: off})
	order := map[string]int{}
	for i, n := range []string{Shared, NotShared, DatabaseAsPage, View, DataSource, Trash, RevokedToken, UnsetVariable, OtherIntegation, Offline, Ten} {
		order[n] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Name] < order[out[j].Name] })
	return out, nil
}

// normalize makes a report deterministic: evidence in path order, request
// IDs derived from the case name, no durations.
func normalize(name string, rep diagnose.Report) diagnose.Report {
	for i := range rep.Integration.Findings {
		f := &rep.Integration.Findings[i]
		f.Detail = requestIDRe.ReplaceAllString(f.Detail, "Request ID "+fakeRequestID(name+"/users/me", 0))
	}
	n := 0
	for i := range rep.Checks {
		ev := rep.Checks[i].Evidence
		sort.SliceStable(ev, func(a, b int) bool {
			if ev[a].Path != ev[b].Path {
				return ev[a].Path < ev[b].Path
			}
			return ev[a].Integration < ev[b].Integration
		})
		for j := range ev {
			ev[j].DurationMS = 0
			old := ev[j].RequestID
			ev[j].RequestID = fakeRequestID(name, n)
			rep = replaceAll(rep, old, ev[j].RequestID)
			n++
		}
	}
	return rep
}

// replaceAll replaces a request ID in the finding details too (token.invalid
// quotes it).
func replaceAll(rep diagnose.Report, old, repl string) diagnose.Report {
	if old == "" {
		return rep
	}
	fix := func(fs []diagnose.Finding) {
		for i := range fs {
			fs[i].Detail = strings.ReplaceAll(fs[i].Detail, old, repl)
		}
	}
	fix(rep.Integration.Findings)
	for i := range rep.Checks {
		fix(rep.Checks[i].Findings)
	}
	return rep
}

// requestIDRe finds a request ID quoted in a detail (token.invalid quotes
// the one of GET /v1/users/me, which is not in any check's evidence).
var requestIDRe = regexp.MustCompile(`Request ID [0-9a-f-]{36}`)

func fakeRequestID(name string, n int) string {
	s := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", name, n)))
	x := fmt.Sprintf("%x", s[:16])
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-a" + x[17:20] + "-" + x[20:32]
}
