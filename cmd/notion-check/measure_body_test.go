package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestMeasureBodyLines measures the terminal length of the failed-write
// reports of the failed-call table (the cases with a first line to hold),
// offline and online against the fake Notion, against the 12-line budget
// of a single common cause. It is a measuring command, not a check:
//
//	BODY_MEASURE=1 go test ./cmd/notion-check -run TestMeasureBodyLines -v
func TestMeasureBodyLines(t *testing.T) {
	if os.Getenv("BODY_MEASURE") == "" {
		t.Skip("a measuring command: set BODY_MEASURE=1")
	}
	type bodyCase struct {
		Name          string   `json:"name"`
		Text          string   `json:"text"`
		NotionVersion string   `json:"notion_version"`
		Lead          []string `json:"lead"`
		OnlineLead    []string `json:"online_lead"`
	}
	var cases []bodyCase
	files, _ := filepath.Glob(filepath.Join("..", "..", "diagnose", "internal", "failedcalls", "testdata", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cs []bodyCase
		if err := json.Unmarshal(b, &cs); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	srv := notiontest.Start()
	defer srv.Close()
	n, offSum, onSum, offFit, onFit := 0, 0, 0, 0, 0
	for _, c := range cases {
		if c.Lead == nil && c.OnlineLead == nil {
			continue
		}
		p, err := notion.New(notion.Config{Token: notiontest.GoodToken, BaseURL: srv.URL, Version: c.NotionVersion, Rate: 1000, Burst: 100, OneShot: true, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		off := diagnose.New(diagnose.Config{}).Diagnose(context.Background(), c.Text, diagnose.Options{})
		on := diagnose.New(diagnose.Config{Token: notiontest.GoodToken, Prober: p}).Diagnose(context.Background(), c.Text, diagnose.Options{})
		a := strings.Count(formatReportOpts(off, textOptions{}), "\n")
		b := strings.Count(formatReportOpts(on, textOptions{}), "\n")
		t.Logf("offline %2d online %2d  %s", a, b, c.Name)
		n, offSum, onSum = n+1, offSum+a, onSum+b
		if a <= maxSingleLines {
			offFit++
		}
		if b <= maxSingleLines {
			onFit++
		}
	}
	t.Logf("%d failed-write reports: offline mean %.1f lines, %d within %d; online mean %.1f lines, %d within %d",
		n, float64(offSum)/float64(n), offFit, maxSingleLines, float64(onSum)/float64(n), onFit, maxSingleLines)
}
