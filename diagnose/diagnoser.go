package diagnose

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// DefaultMaxChecks is how many references one diagnosis checks at most;
// the rest are counted in Report.Skipped and named by an input.skipped finding.
const DefaultMaxChecks = 10

// Config sets up a Diagnoser.
type Config struct {
	// Token is the integration token the prober uses. It is only checked
	// for shape here and never appears in a report.
	Token string
	// Prober runs the online checks; nil means offline only.
	Prober Prober
	// Others are the probers of the team's other integrations
	// (NOTION_TOKENS), each with its own token and rate budget. A check runs
	// as the integration a pasted error names when it is one of them, and
	// reports which integrations see the object.
	Others []Prober
	// MaxChecks bounds the checks of one diagnosis (DefaultMaxChecks if 0).
	MaxChecks int
}

// Diagnoser turns pasted text into a Report. It is safe for concurrent use.
type Diagnoser struct {
	token     string
	prober    Prober
	maxChecks int
}

// Options tune one diagnosis.
type Options struct {
	// Offline makes no network call even when a token and prober are set.
	Offline bool
	// Fresh bypasses every cache (a "Check again").
	Fresh bool
	// As, when not empty, checks only as the configured integration of that
	// name (the CLI's --as).
	As string
}

// New returns a Diagnoser.
func New(cfg Config) *Diagnoser {
	d := &Diagnoser{token: cfg.Token, prober: cfg.Prober, maxChecks: cfg.MaxChecks}
	if d.maxChecks <= 0 {
		d.maxChecks = DefaultMaxChecks
	}
	return d
}

// Diagnose reads every Notion reference in text, checks each offline and,
// when a usable token and prober are set and opts.Offline is false, online.
// It always returns a report with at least one check; the context's deadline
// bounds the online part.
func (d *Diagnoser) Diagnose(ctx context.Context, text string, opts Options) Report {
	return d.DiagnoseReading(ctx, ReadText(text, -1), opts)
}

// DiagnoseReading diagnoses a text already read with ReadText, so that a
// caller that read it to decide whether to answer does not read it twice.
func (d *Diagnoser) DiagnoseReading(ctx context.Context, rd Reading, opts Options) Report {
	refs := rd.References
	var rep Report
	rep.Call = rd.Call
	if len(refs) > d.maxChecks {
		rep.Skipped = len(refs) - d.maxChecks
		refs = refs[:d.maxChecks]
	}
	if rd.Total > len(rd.References) {
		rep.Skipped += rd.Total - len(rd.References)
	}

	online := false
	switch {
	case opts.Offline && d.token != "":
		rep.Integration = Integration{Status: StatusUnknown}
	case d.token == "":
		rep.Integration = Integration{Status: StatusMissing, Findings: []Finding{
			NewFinding(CodeTokenMissing, "NOTION_TOKEN is not set, so notion-check could not ask Notion whether the integration can see these objects.", nil),
		}}
	default:
		if fs := TokenFindings(d.token); len(fs) > 0 {
			rep.Integration = Integration{Status: StatusProblem, Findings: fs}
		} else if d.prober == nil || opts.Offline {
			rep.Integration = Integration{Status: StatusUnknown}
		} else {
			online = true
		}
	}

	rep.Checks = make([]Check, len(refs))
	for i, ref := range refs {
		rep.Checks[i] = Check{
			Source:   ref.Source,
			ID:       ref.ID,
			Kind:     ref.Hint,
			Related:  append([]Related{}, ref.Related...),
			Findings: append([]Finding{}, ref.Findings...),
			Evidence: []Evidence{},
		}
		if rep.Checks[i].Kind == "" {
			rep.Checks[i].Kind = KindUnknown
		}
	}

	done := make([]bool, len(refs))
	if online {
		popts := ProbeOptions{Fresh: opts.Fresh}
		rep.APIVersion = d.prober.APIVersion()
		// The token check and the probes run at once, so a cold start costs
		// one round trip, not two; the probes' answers are dropped when the
		// token turns out unusable.
		var info IntegrationInfo
		results := make([]ProbeResult, len(refs))
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			info = d.prober.Integration(ctx, popts)
		}()
		for i, ref := range refs {
			if !ref.Probeable() {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = d.prober.Probe(ctx, ref, popts)
			}()
		}
		wg.Wait()
		rep.Integration = Integration{Status: info.Status, Name: info.Name, Workspace: info.Workspace, Findings: append([]Finding{}, info.Findings...)}
		if info.Usable {
			seen := map[Code]bool{}
			for _, f := range rep.Integration.Findings {
				seen[f.Code] = true
			}
			for i, ref := range refs {
				if !ref.Probeable() {
					continue
				}
				res := results[i]
				c := &rep.Checks[i]
				if res.Kind != "" && res.Kind != KindUnknown {
					c.Kind = res.Kind
				}
				c.Title = res.Title
				c.Findings = append(c.Findings, res.Findings...)
				c.Related = mergeRelated(c.Related, res.Related)
				c.Evidence = append(c.Evidence, res.Evidence...)
				done[i] = res.Done
				for _, f := range res.IntegrationFindings {
					if !seen[f.Code] {
						seen[f.Code] = true
						rep.Integration.Findings = append(rep.Integration.Findings, f)
						if f.Severity == SeverityError {
							rep.Integration.Status = StatusProblem
						}
					}
				}
			}
		}
	}

	for i := range rep.Checks {
		c := &rep.Checks[i]
		// The one true cause first: errors, then warnings, then notes, each
		// in the order found.
		sort.SliceStable(c.Findings, func(a, b int) bool {
			return severityRank(c.Findings[a].Severity) < severityRank(c.Findings[b].Severity)
		})
		switch {
		case hasError(c.Findings):
			c.Status = StatusProblem
		case done[i]:
			c.Status = StatusOK
		default:
			c.Status = StatusUnknown
		}
	}
	if rep.Skipped > 0 && len(rep.Checks) > 0 {
		last := &rep.Checks[len(rep.Checks)-1]
		last.Findings = append(last.Findings, NewFinding(CodeInputSkipped,
			fmt.Sprintf("The text holds %d Notion references; the first %d were checked and %d were skipped.", len(refs)+rep.Skipped, len(refs), rep.Skipped), nil))
	}
	addLeak(&rep, rd)
	return rep
}

func mergeRelated(a, b []Related) []Related {
	for _, r := range b {
		dup := false
		for _, x := range a {
			if x == r {
				dup = true
				break
			}
		}
		if !dup {
			a = append(a, r)
		}
	}
	if a == nil {
		a = []Related{}
	}
	return a
}

func severityRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}
