package diagnose

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// onlineRun is one diagnosis's online part: whom it asks, what they
// answered, and the report it fills. Its steps are methods so that each
// decision (whom to ask, when users/me is needed, how the integrations'
// views make one check) reads on its own.
type onlineRun struct {
	d     *Diagnoser
	call  *Call
	refs  []Reference
	opts  Options
	rep   *Report
	done  []bool
	ps    []Prober
	popts ProbeOptions

	// infos are the integrations' users/me answers; known says which were
	// known before this diagnosis (a running bot asked at start).
	infos []IntegrationInfo
	known []bool
	// renewed holds, for each integration whose users/me is asked again
	// live (a name that may be out of date: renewNames), what was known,
	// for when the new answer cannot be had; nil for the others.
	renewed []*IntegrationInfo
	// named is the integration the pasted error or --as names ("": none).
	named string
	// lazy: a lone integration's users/me is asked only when a verdict
	// turns out to need it.
	lazy bool
	// ask says which integrations are probed; first is the one whose
	// verdict is the check's.
	ask   []bool
	first int
	// results[pi][ri] is integration pi's answer about reference ri.
	results [][]ProbeResult
	meAsked bool
}

// online runs the online part: it picks the integrations to ask (the one
// the pasted error names or --as gives, else all), asks each about every
// reference at most once, with users/me in the same round, and applies the
// verdict rules to what they observed.
func (d *Diagnoser) online(ctx context.Context, call *Call, refs []Reference, opts Options, rep *Report, done []bool) {
	r := &onlineRun{d: d, call: call, refs: refs, opts: opts, rep: rep, done: done, ps: d.probers()}
	r.popts = r.probeOptions()
	allKnown := r.knownIntegrations(ctx)
	picked := false
	if r.named != "" && allKnown {
		picked = true
		if !r.pick() {
			return
		}
	}
	r.probe(ctx)
	if r.named != "" && !picked && !r.pick() {
		return
	}
	if !r.settleIntegration(ctx) {
		// The token is refused: the probes' answers say nothing more.
		return
	}
	d.searchEmpty(ctx, call, r.ps, r.ask, r.infos, r.popts, rep, done)
	seen := map[Code]bool{}
	for _, f := range rep.Integration.Findings {
		seen[f.Code] = true
	}
	ci := callRef(call, refs)
	for ri, ref := range refs {
		if ref.Probeable() {
			r.judgeRef(ri, ci, seen)
		}
	}
}

// probeOptions are the probes' options: the call's own Notion-Version, so
// that its version's answers are the ones judged, and the schema to read
// when the call failed on what it sent. It also sets the report's version.
func (r *onlineRun) probeOptions() ProbeOptions {
	popts := ProbeOptions{Fresh: r.opts.Fresh}
	if v := callVersion(r.call); KnownVersion(v) {
		popts.Version = v
	}
	if ci := callRef(r.call, r.refs); ci >= 0 && wantsSchema(r.call) && r.refs[ci].Probeable() {
		// The call failed on what it sent: read the schema it was checked
		// against too (at most two calls more).
		popts.Schema = schemaRequest(r.call, r.refs[ci].ID)
	}
	r.rep.APIVersion = r.d.prober.APIVersion()
	if popts.Version != "" {
		r.rep.APIVersion = popts.Version
	}
	return popts
}

// knownIntegrations takes what the probers already know of users/me, and
// decides whom the diagnosis names and whether a lone integration's
// users/me waits for a verdict to need it. It reports whether every
// integration is known.
func (r *onlineRun) knownIntegrations(ctx context.Context) bool {
	n := len(r.ps)
	r.infos = make([]IntegrationInfo, n)
	r.known = make([]bool, n)
	allKnown := true
	for i, p := range r.ps {
		if c, ok := p.(IntegrationCache); ok {
			r.infos[i], r.known[i] = c.KnownIntegration()
		}
	}
	r.renewNames()
	for i := range r.known {
		allKnown = allKnown && r.known[i]
	}
	if r.opts.As != "" {
		r.named = r.opts.As
	} else if r.call != nil && r.call.Integration != "" && n > 1 {
		r.named = r.call.Integration
	}
	_, cache := r.d.prober.(IntegrationCache)
	// A pasted error that names an integration needs our own name to
	// compare, and a pasted 404 makes access.not_shared likely, whose
	// advice needs users/me: then it is asked beside the probes (no round
	// of its own).
	c := r.call
	r.lazy = r.named == "" && n == 1 && !r.known[0] && cache && (c == nil || c.Integration == "" && c.Status != 404)
	if r.opts.As != "" && !allKnown {
		// --as probes only the one named: its users/me answers first (the
		// CLI asked them already to check the name, so they are cached).
		r.infos = r.d.Integrations(ctx)
		for i := range r.known {
			r.known[i] = true
		}
		allKnown = true
	}
	// Whom to ask: everyone, unless --as picks one (pick).
	r.ask = make([]bool, n)
	for i := range r.ask {
		r.ask[i] = true
	}
	r.meAsked = !r.lazy
	return allKnown
}

// renewAfter is how old a users/me answer a running bot learnt may be
// before a pasted name that matches no integration asks it again: a rename
// shows within it, and a channel that pastes another team's integration
// costs at most one users/me per integration in that time.
const renewAfter = 10 * time.Minute

// renewNames: a name learnt earlier may be out of date (the integration
// renamed since). When the pasted call names an integration that no known
// name matches, the answers read from what an earlier run saved, and those
// a running bot learnt over renewAfter ago, are taken as not known, and
// their users/me is asked again, live, beside the probes: a renamed
// integration is then matched by its name now, never compared under its
// old one. A cold run asks the same calls.
func (r *onlineRun) renewNames() {
	r.renewed = make([]*IntegrationInfo, len(r.ps))
	if r.call == nil || r.call.Integration == "" {
		return
	}
	for i, in := range r.infos {
		if r.known[i] && sameName(in.Name, r.call.Integration) {
			return
		}
	}
	for i, in := range r.infos {
		old := !in.Checked.IsZero() && time.Since(in.Checked) >= renewAfter
		if r.known[i] && (in.Stored || old) {
			r.known[i], r.renewed[i] = false, &in
		}
	}
}

// keepRenewed puts back what was known of an integration whose users/me,
// asked again, was rate-limited or not answered: an old name is better
// than none. A refused token is reported as refused.
func (r *onlineRun) keepRenewed() {
	for i, was := range r.renewed {
		if was != nil && r.infos[i].Me.Outcome.Transient() {
			r.infos[i] = *was
		}
	}
}

// pick finds the named integration among the answers of users/me: with
// --as only it is probed; named by the pasted error, its verdict is the
// check's and the others still say whether they see the object, so that
// more integrations never make the answer less precise. It reports false
// when --as names no configured integration: nothing is checked then.
func (r *onlineRun) pick() bool {
	at := -1
	for i, in := range r.infos {
		if sameName(in.Name, r.named) {
			at = i
			break
		}
	}
	switch {
	case at >= 0 && r.opts.As != "":
		for i := range r.ask {
			r.ask[i] = i == at
		}
		r.rep.As = asker{info: r.infos[at], label: label(at)}.name()
	case at >= 0:
		r.first = at
		r.rep.As = asker{info: r.infos[at], label: label(at)}.name()
	case r.opts.As != "":
		in, _ := IntegrationFrom(r.infos[0])
		r.rep.Integration = in
		var names []string
		for i, info := range r.infos {
			names = append(names, fmt.Sprintf("%q", asker{info: info, label: label(i)}.name()))
		}
		r.rep.Integration.Findings = append(r.rep.Integration.Findings, NewFinding(CodeTokenMissing,
			fmt.Sprintf("No configured integration is named %q (configured: %s), so nothing was checked online.", r.opts.As, strings.Join(names, ", ")), nil))
		return false
	}
	return true
}

// probe asks every chosen integration about every reference, and the
// users/me not known yet, all in one round. A lone integration's lazy
// users/me is asked as soon as one reference's answer shows a verdict
// needs it (meNeeded), beside the other references' later rounds.
func (r *onlineRun) probe(ctx context.Context) {
	r.results = make([][]ProbeResult, len(r.ps))
	var wg sync.WaitGroup
	var meOnce sync.Once
	first := r.popts
	if r.lazy {
		first.Probed = func(i int, res ProbeResult) {
			if !meNeeded(r.refs[i], res) {
				return
			}
			meOnce.Do(func() {
				r.meAsked = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.infos[0] = r.d.prober.Integration(ctx, ProbeOptions{})
				}()
			})
		}
	}
	// Integrations asked together tell each other what they saw, so that
	// one's 404s are final once another knows the object.
	var board *Sightings
	if asked := countTrue(r.ask); asked > 1 {
		board = NewSightings(len(r.ps))
		for pi, ask := range r.ask {
			if !ask {
				board.Peer(pi).Leave()
			}
		}
	}
	for pi, p := range r.ps {
		r.results[pi] = make([]ProbeResult, len(r.refs))
		if !r.known[pi] && !r.lazy {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.infos[pi] = p.Integration(ctx, ProbeOptions{Fresh: r.opts.Fresh || r.renewed[pi] != nil})
			}()
		}
		if !r.ask[pi] {
			continue
		}
		o := r.popts
		if pi == 0 {
			o = first
		}
		if board != nil {
			o.Peers = board.Peer(pi)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			probeAll(ctx, p, r.refs, o, r.results[pi])
		}()
	}
	wg.Wait()
	r.keepRenewed()
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// settleIntegration fills the report's integration from users/me, asking
// it now when the answers need it and it was not asked, or from the
// probes' answers when it was never needed. It reports false when the
// token is refused.
func (r *onlineRun) settleIntegration(ctx context.Context) bool {
	if r.lazy && !r.meAsked && needsMe(r.refs, r.results[0]) {
		r.infos[0] = r.d.prober.Integration(ctx, ProbeOptions{})
		r.meAsked = true
	}
	if !r.meAsked {
		r.infos[0].Name = nameIn(r.results[0])
	}
	in, usable := IntegrationFrom(r.infos[0])
	if !r.meAsked && accepted(r.results[0]) {
		// users/me was not needed: the probes' answers show Notion took
		// the token.
		in.Status = StatusOK
	}
	r.rep.Integration = in
	return usable
}

// views are the integrations' judgements of reference ri, the check's
// integration first; an integration other than NOTION_TOKEN's whose token
// is refused sees nothing and is left out (the caller reports the refused
// entry by position).
func (r *onlineRun) views(ri int) []view {
	order := make([]int, 0, len(r.ps))
	order = append(order, r.first)
	for pi := range r.ps {
		if pi != r.first {
			order = append(order, pi)
		}
	}
	var views []view
	for _, pi := range order {
		if !r.ask[pi] {
			continue
		}
		who := asker{info: r.infos[pi], label: label(pi), primary: pi == 0}
		if pi > 0 {
			if _, ok := IntegrationFrom(r.infos[pi]); !ok {
				continue
			}
		}
		views = append(views, view{who: who, res: r.results[pi][ri]})
	}
	ref := r.refs[ri]
	for k := range views {
		// What another integration saw makes this one's 404s final (its
		// probe stopped asking once it knew: Sightings).
		var elsewhere Kind
		for o, v := range views {
			if kind, ok := disclosed(answersFor(v.res, ref.ID)); ok && o != k {
				elsewhere = kind
				break
			}
		}
		views[k].j = judge(ref, r.call, views[k].who, views[k].res, elsewhere)
	}
	return views
}

// judgeRef makes reference ri's check from the integrations' views: the
// check's integration decides; another that sees the object tells what it
// is; the call's own rules (another integration, not reproduced, the
// body) apply to the call's reference. seen holds the codes already in
// the integration's section.
func (r *onlineRun) judgeRef(ri, ci int, seen map[Code]bool) {
	views := r.views(ri)
	if len(views) == 0 {
		return
	}
	ref, c := r.refs[ri], &r.rep.Checks[ri]
	as := views[0]
	final := seenByAnother(as.j, views[1:])
	if final.Kind != "" && final.Kind != KindUnknown {
		c.Kind = final.Kind
	}
	c.Title = final.Title
	c.URL = final.URL
	c.Related = mergeRelated(c.Related, final.Related)
	r.done[ri] = final.Done
	fs := final.Findings
	if ri == ci || ci < 0 {
		if f, ok := ruleOtherIntegration(ref, r.call, views); ok {
			fs = dropCode(fs, CodeAccessOK)
			fs = dropCode(fs, CodeAccessNotShared)
			fs = append(fs, f)
		}
		fs = ruleNotSharedWithCaller(r.call, views, fs)
	}
	if KindOf(as.who.info) == TokenPersonal && !as.who.primary && HasCode(fs, CodeAccessNotShared) {
		fs = append(fs, personalFinding(as.who.info))
	}
	c.Findings = append(preferObserved(c.Findings, fs), fs...)
	if ri == ci {
		onlineBody(r.call, as.res, r.rep, ri)
		if f, ok := ruleNotReproduced(ref, r.call, as, c.Findings, views[1:]...); ok {
			c.Findings = append(c.Findings, f)
		}
	}
	r.addViews(c, views, seen)
}

// seenByAnother is the check's judgement j, completed, when its own
// integration does not see the object, by the first other integration
// that does: what the object is, and a note on the not-shared finding.
func seenByAnother(j judgement, others []view) judgement {
	if j.Sees {
		return j
	}
	for _, v := range others {
		if !v.j.Sees {
			continue
		}
		j.Kind, j.Title, j.Related, j.URL = v.j.Kind, v.j.Title, v.j.Related, v.j.URL
		for k, f := range j.Findings {
			if f.Code == CodeAccessNotShared {
				j.Findings[k].Detail += fmt.Sprintf(" %q can read it: it is a %s. If the failing call used %q's token, the cause is elsewhere.", v.who.name(), kindWord(v.j.Kind), v.who.name())
			}
		}
		break
	}
	return j
}

// addViews adds each integration's evidence and access to check c; the
// check's integration's findings about itself go to the report's
// integration section (NOTION_TOKEN's) or the check (another's). The other
// integrations only tell whether they see the object: their own troubles
// are not this check's.
func (r *onlineRun) addViews(c *Check, views []view, seen map[Code]bool) {
	for k, v := range views {
		for _, e := range v.res.Evidence {
			e.Integration = v.who.name()
			c.Evidence = append(c.Evidence, e)
		}
		if v.j.Done {
			c.Access = append(c.Access, Access{Integration: v.who.name(), Sees: v.j.Sees})
		}
		if k > 0 {
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
				r.rep.Integration.Findings = append(r.rep.Integration.Findings, f)
				if f.Severity == SeverityError {
					r.rep.Integration.Status = StatusProblem
				}
			}
		}
	}
}
