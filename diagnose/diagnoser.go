package diagnose

import (
	"context"
	"fmt"
	"strings"
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

// online runs the online part: it picks the integrations to ask (the one
// the pasted error names or --as gives, else all), asks each about every
// reference at most once, with users/me in the same round, and applies the
// verdict rules to what they observed.
func (d *Diagnoser) online(ctx context.Context, call *Call, refs []Reference, opts Options, rep *Report, done []bool) {
	ps := d.probers()
	popts := ProbeOptions{Fresh: opts.Fresh}
	if v := callVersion(call); KnownVersion(v) {
		// Probe as the person's call did, so that its version's answers
		// are the ones judged.
		popts.Version = v
	}
	if ci := callRef(call, refs); ci >= 0 && wantsSchema(call) && refs[ci].Probeable() {
		// The call failed on what it sent: read the schema it was checked
		// against too (at most two calls more).
		popts.Schema = schemaRequest(call, refs[ci].ID)
	}
	rep.APIVersion = d.prober.APIVersion()
	if popts.Version != "" {
		rep.APIVersion = popts.Version
	}
	// users/me: what the probers already know is used as it is (a running
	// bot asked at start); the rest is asked beside the probes, in the same
	// round, except that a lone integration's is asked only when a verdict
	// needs it (lazy, below).
	infos := make([]IntegrationInfo, len(ps))
	known := make([]bool, len(ps))
	allKnown := true
	for i, p := range ps {
		if c, ok := p.(IntegrationCache); ok {
			infos[i], known[i] = c.KnownIntegration()
		}
		allKnown = allKnown && known[i]
	}
	named := ""
	if opts.As != "" {
		named = opts.As
	} else if call != nil && call.Integration != "" && len(ps) > 1 {
		named = call.Integration
	}
	_, cache := d.prober.(IntegrationCache)
	// A pasted error that names an integration needs our own name to
	// compare, and a pasted 404 makes access.not_shared likely, whose
	// advice needs users/me: then it is asked beside the probes (no round
	// of its own).
	lazy := named == "" && len(ps) == 1 && !known[0] && cache && (call == nil || call.Integration == "" && call.Status != 404)
	if opts.As != "" && !allKnown {
		// --as probes only the one named: its users/me answers first (the
		// CLI asked them already to check the name, so they are cached).
		infos = d.Integrations(ctx)
		for i := range known {
			known[i] = true
		}
		allKnown = true
	}
	// Whom to ask: everyone, unless --as picks one. A pasted error naming
	// one makes its verdict the check's; with users/me not known yet every
	// integration is probed beside its users/me, in one round, and the
	// name picked from those answers.
	ask := make([]bool, len(ps))
	for i := range ask {
		ask[i] = true
	}
	first := 0 // the integration whose verdict is the check's
	pick := func() bool {
		at := -1
		for i, in := range infos {
			if sameName(in.Name, named) {
				at = i
				break
			}
		}
		switch {
		case at >= 0 && opts.As != "":
			for i := range ask {
				ask[i] = i == at
			}
			rep.As = asker{info: infos[at], label: label(at)}.name()
		case at >= 0:
			// The pasted error names one of them: its verdict is the
			// check's, and the others still say whether they see the
			// object, so that more integrations never make the answer
			// less precise.
			first = at
			rep.As = asker{info: infos[at], label: label(at)}.name()
		case opts.As != "":
			// --as names no configured integration: nothing is checked.
			in, _ := IntegrationFrom(infos[0])
			rep.Integration = in
			var names []string
			for i, info := range infos {
				names = append(names, fmt.Sprintf("%q", asker{info: info, label: label(i)}.name()))
			}
			rep.Integration.Findings = append(rep.Integration.Findings, NewFinding(CodeTokenMissing,
				fmt.Sprintf("No configured integration is named %q (configured: %s), so nothing was checked online.", opts.As, strings.Join(names, ", ")), nil))
			return false
		}
		return true
	}
	picked := false
	if named != "" && allKnown {
		picked = true
		if !pick() {
			return
		}
	}

	results := make([][]ProbeResult, len(ps))
	var wg sync.WaitGroup
	// A lone integration's users/me, when a verdict turns out to need it,
	// is asked as soon as one reference's probe says so (meNeeded), beside
	// the other references' later rounds.
	var meOnce sync.Once
	meAsked := !lazy
	ask0 := popts
	if lazy {
		ask0.Probed = func(i int, res ProbeResult) {
			if !meNeeded(refs[i], res) {
				return
			}
			meOnce.Do(func() {
				meAsked = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					infos[0] = d.prober.Integration(ctx, ProbeOptions{})
				}()
			})
		}
	}
	for pi, p := range ps {
		results[pi] = make([]ProbeResult, len(refs))
		if !known[pi] && !lazy {
			wg.Add(1)
			go func() {
				defer wg.Done()
				infos[pi] = p.Integration(ctx, ProbeOptions{Fresh: opts.Fresh})
			}()
		}
		if !ask[pi] {
			continue
		}
		o := popts
		if pi == 0 {
			o = ask0
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			probeAll(ctx, p, refs, o, results[pi])
		}()
	}
	wg.Wait()
	if named != "" && !picked && !pick() {
		return
	}
	if lazy && !meAsked && needsMe(refs, results[0]) {
		infos[0] = d.prober.Integration(ctx, ProbeOptions{})
		meAsked = true
	}
	if !meAsked {
		infos[0].Name = nameIn(results[0])
	}

	in, usable := IntegrationFrom(infos[0])
	if !meAsked && accepted(results[0]) {
		// users/me was not needed: the probes' answers show Notion took
		// the token.
		in.Status = StatusOK
	}
	rep.Integration = in
	if !usable {
		// The token is refused: the probes' answers say nothing more.
		return
	}
	d.searchEmpty(ctx, call, ps, ask, infos, popts, rep, done)
	seen := map[Code]bool{}
	for _, f := range rep.Integration.Findings {
		seen[f.Code] = true
	}
	ci := callRef(call, refs)
	for ri, ref := range refs {
		if !ref.Probeable() {
			continue
		}
		c := &rep.Checks[ri]
		var views []view
		order := make([]int, 0, len(ps))
		order = append(order, first)
		for pi := range ps {
			if pi != first {
				order = append(order, pi)
			}
		}
		for _, pi := range order {
			if !ask[pi] {
				continue
			}
			who := asker{info: infos[pi], label: label(pi), primary: pi == 0}
			if pi > 0 {
				if _, ok := IntegrationFrom(infos[pi]); !ok {
					// Another integration's refused token sees nothing; the
					// caller reports the refused entry (by position).
					continue
				}
			}
			views = append(views, view{who: who, j: judge(ref, call, who, results[pi][ri]), res: results[pi][ri]})
		}
		if len(views) == 0 {
			continue
		}
		as := views[0]
		final := as.j
		if !final.Sees {
			// Another integration that sees the object tells what it is.
			for _, v := range views[1:] {
				if v.j.Sees {
					final.Kind, final.Title, final.Related, final.URL = v.j.Kind, v.j.Title, v.j.Related, v.j.URL
					for k, f := range final.Findings {
						if f.Code == CodeAccessNotShared {
							final.Findings[k].Detail += fmt.Sprintf(" %q can read it: it is a %s. If the failing call used %q's token, the cause is elsewhere.", v.who.name(), kindWord(v.j.Kind), v.who.name())
						}
					}
					break
				}
			}
		}
		if final.Kind != "" && final.Kind != KindUnknown {
			c.Kind = final.Kind
		}
		c.Title = final.Title
		c.URL = final.URL
		c.Related = mergeRelated(c.Related, final.Related)
		done[ri] = final.Done
		fs := final.Findings
		if ri == ci || ci < 0 {
			if f, ok := ruleOtherIntegration(ref, call, views); ok {
				fs = dropCode(fs, CodeAccessOK)
				fs = dropCode(fs, CodeAccessNotShared)
				fs = append(fs, f)
			}
			fs = ruleNotSharedWithCaller(call, views, fs)
		}
		if KindOf(as.who.info) == TokenPersonal && !as.who.primary && HasCode(fs, CodeAccessNotShared) {
			fs = append(fs, personalFinding(as.who.info))
		}
		c.Findings = append(preferObserved(c.Findings, fs), fs...)
		if ri == ci {
			onlineBody(call, as.res, rep, ri)
		}
		if ri == ci {
			if f, ok := ruleNotReproduced(ref, call, as, c.Findings, views[1:]...); ok {
				c.Findings = append(c.Findings, f)
			}
		}
		for k, v := range views {
			for _, e := range v.res.Evidence {
				e.Integration = v.who.name()
				c.Evidence = append(c.Evidence, e)
			}
			if v.j.Done {
				c.Access = append(c.Access, Access{Integration: v.who.name(), Sees: v.j.Sees})
			}
			if k > 0 {
				// The other integrations only tell whether they see the
				// object; their own troubles are not this check's.
				continue
			}
			for _, f := range v.j.IntegrationFindings {
				if !v.who.primary {
					f.Detail = fmt.Sprintf("%q: %s", v.who.name(), f.Detail)
					c.Findings = append(c.Findings, f)
					continue
				}
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
	if len(asked) == 0 {
		return
	}
	if probed := opts.Probed; probed != nil {
		opts.Probed = func(k int, res ProbeResult) { probed(idx[k], res) }
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
