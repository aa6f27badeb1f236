package main

import "github.com/notion-check/notion-check/diagnose"

// formatReportVerbose is the terminal report with or without the evidence
// section (--verbose).
//
// Interim wrapper: the terminal layout (text.go) is the render helper's,
// and its formatReport is to take the verbose option. Until then the
// report is the same either way. When text.go's formatReport takes
// verbose, make this call it with verbose (or delete this file and call
// formatReport directly from run.go).
func formatReportVerbose(rep diagnose.Report, st style, verbose bool) string {
	_ = verbose
	return formatReport(rep, st)
}
