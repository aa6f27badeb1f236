package diagnose

import (
	"context"
	"fmt"
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
	others    []Prober
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
	for _, p := range cfg.Others {
		if p != nil {
			d.others = append(d.others, p)
		}
	}
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
	return d.DiagnoseReading(ctx, ReadText(text, d.maxChecks), opts)
}

// Integrations asks every configured integration who it is (GET
// /v1/users/me, cached by the probers), NOTION_TOKEN's first, so that a
// caller can check a --as name before diagnosing. It is empty offline.
func (d *Diagnoser) Integrations(ctx context.Context) []IntegrationInfo {
	ps := d.probers()
	out := make([]IntegrationInfo, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.Integration(ctx, ProbeOptions{})
		}()
	}
	wg.Wait()
	return out
}

// probers returns NOTION_TOKEN's prober and then the others' (none when
// there is no primary prober).
func (d *Diagnoser) probers() []Prober {
	if d.prober == nil {
		return nil
	}
	return append([]Prober{d.prober}, d.others...)
}

// label names integration i when users/me cannot.
func label(i int) string {
	if i == 0 {
		return "NOTION_TOKEN"
	}
	return fmt.Sprintf("NOTION_TOKENS #%d", i)
}

// DiagnoseReading diagnoses a text already read with ReadText, so that a
// caller that read it to decide whether to answer does not read it twice.
func (d *Diagnoser) DiagnoseReading(ctx context.Context, rd Reading, opts Options) Report {
	refs := rd.References
	var rep Report
	rep.Call = rd.Call
	rep.Recheck = rd.Recheck()
	if len(refs) > d.maxChecks {
		rep.Skipped = len(refs) - d.maxChecks
		refs = refs[:d.maxChecks]
	}
	if rd.Total > len(rd.References) {
		rep.Skipped += rd.Total - len(rd.References)
	}
	rep.SkippedMore = rd.More && rep.Skipped > 0

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
		d.online(ctx, rd.Call, refs, opts, &rep, done)
		settleOnlineNote(&rep, rd.Call)
	}

	for i := range rep.Checks {
		c := &rep.Checks[i]
		// The one true cause first: what explains the person's call, then
		// errors, warnings and notes, each in the order found (rank.go).
		rankFindings(c.Findings, rd.Call)
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
		detail := fmt.Sprintf("The text holds %d Notion references; the first %d were checked and %d were skipped.", len(refs)+rep.Skipped, len(refs), rep.Skipped)
		if rep.SkippedMore {
			detail = fmt.Sprintf("The text holds more than %d Notion references; the first %d were checked and the others (more than %d) were skipped.", len(refs)+rep.Skipped, len(refs), rep.Skipped)
		}
		last.Findings = append(last.Findings, NewFinding(CodeInputSkipped, detail, nil))
	}
	addLeak(&rep, rd)
	return rep
}

// needsMe reports whether a verdict needs what users/me tells (a
// personal access token, the workspace's name): when some reference is
// answered 404 on every call (access.not_shared and its advice), or when no
// reference could be probed (users/me is then the only online check).
func needsMe(refs []Reference, res []ProbeResult) bool {
	probed := false
	for i, ref := range refs {
		if !ref.Probeable() {
			continue
		}
		probed = true
		if meNeeded(ref, res[i]) {
			return true
		}
	}
	return !probed
}

// meNeeded reports whether the verdict on one probed reference needs what
// users/me tells: Notion answered 404 on every call about it.
func meNeeded(ref Reference, res ProbeResult) bool {
	return answersFor(res, ref.ID).all(OutcomeNotFound)
}

// accepted reports whether Notion answered some probe as Notion does for a
// token it accepts (200, 400, 403 or 404 JSON).
func accepted(res []ProbeResult) bool {
	for _, r := range res {
		for _, a := range r.Answers {
			switch a.Outcome {
			case OutcomeOK, OutcomeNotFound, OutcomeBadRequest, OutcomeForbidden:
				return true
			}
		}
	}
	return false
}

// nameIn returns the integration name a 404 of res quotes, or "".
func nameIn(res []ProbeResult) string {
	for _, r := range res {
		for _, a := range r.Answers {
			if n := IntegrationInMessage(a.Message); n != "" {
				return n
			}
		}
	}
	return ""
}

func dropCode(fs []Finding, code Code) []Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Code != code {
			out = append(out, f)
		}
	}
	return out
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

// probeAll fills out[i] with p's probe of every probeable refs[i]: in one
// ProbeAll when p plans several references at once, else one Probe each,
// concurrently.
func probeAll(ctx context.Context, p Prober, refs []Reference, opts ProbeOptions, out []ProbeResult) {
	var idx []int
	var asked []Reference
	for i, ref := range refs {
		if ref.Probeable() {
			idx, asked = append(idx, i), append(asked, ref)
		}
	}
	// The other integrations' probes wait for this one's to tell (Peer):
	// it tells each result, and leaves when all are over.
	defer opts.Peers.Leave()
	if len(asked) == 0 {
		return
	}
	if probed, peers := opts.Probed, opts.Peers; probed != nil || peers != nil {
		opts.Probed = func(k int, res ProbeResult) {
			peers.Done(asked[k], res)
			if probed != nil {
				probed(idx[k], res)
			}
		}
	}
	if bp, ok := p.(BatchProber); ok {
		for k, res := range bp.ProbeAll(ctx, asked, opts) {
			out[idx[k]] = res
		}
		return
	}
	var wg sync.WaitGroup
	for k, ref := range asked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one := opts
			one.Probed = nil // told here, once
			res := p.Probe(ctx, ref, one)
			out[idx[k]] = res
			if opts.Probed != nil {
				opts.Probed(k, res)
			}
		}()
	}
	wg.Wait()
}
