package ops_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
)

func ExampleMetrics() {
	m := ops.NewMetrics()
	m.NotionCall("/v1/pages/1f2e3d4c5b6a47988a9b0c1d2e3f4a5b", 404, 120*time.Millisecond)
	m.Diagnosis(diagnose.Report{Checks: []diagnose.Check{{
		Findings: []diagnose.Finding{{Code: diagnose.CodeAccessNotShared, Severity: diagnose.SeverityError}},
	}}}, 300*time.Millisecond)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "notion_check_notion_calls_total{") ||
			strings.HasPrefix(line, `notion_check_findings_total{code="access.not_shared"}`) {
			fmt.Println(line)
		}
	}
	// Output:
	// notion_check_findings_total{code="access.not_shared"} 1
	// notion_check_notion_calls_total{endpoint="pages",integration="",status="404"} 1
}

func ExampleNewLogger() {
	var buf bytes.Buffer
	// In serve: NewLogger(os.Stderr, os.Getenv("LOG_LEVEL"), "", isTTY, notionToken, botToken, appToken).
	logger, err := ops.NewLogger(&buf, "info", "json", false, "my-configured-secret")
	if err != nil {
		fmt.Println(err)
		return
	}
	logger.Info("calling Notion", "auth", "Bearer my-configured-secret", "note", "uses my-configured-secret")

	var line map[string]any
	_ = json.Unmarshal(buf.Bytes(), &line)
	fmt.Println(line["msg"], "|", line["auth"], "|", line["note"])

	_, err = ops.NewLogger(&buf, "verbose", "", false)
	fmt.Println(err)
	// Output:
	// calling Notion | Bearer [redacted] | uses [redacted]
	// LOG_LEVEL "verbose" is not one of debug, info, warn, error
}
