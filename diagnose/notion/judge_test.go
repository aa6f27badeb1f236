package notion

import (
	"context"
	"sync"

	"github.com/notion-check/notion-check/diagnose"
)

// judged is the verdict the domain makes of one probe: the observations
// of the adapter under test, judged by diagnose's rules.
type judged struct {
	Kind                diagnose.Kind
	Title               string
	Done                bool
	Status              diagnose.Status
	Findings            []diagnose.Finding
	IntegrationFindings []diagnose.Finding
	Related             []diagnose.Related
	Evidence            []diagnose.Evidence
	Access              []diagnose.Access
	Obs                 diagnose.ProbeResult
}

// recording remembers the last observations of its prober.
type recording struct {
	*Prober
	mu   sync.Mutex
	last diagnose.ProbeResult
}

func (r *recording) Probe(ctx context.Context, ref diagnose.Reference, opts diagnose.ProbeOptions) diagnose.ProbeResult {
	res := r.Prober.Probe(ctx, ref, opts)
	r.mu.Lock()
	r.last = res
	r.mu.Unlock()
	return res
}

func (r *recording) ProbeAll(ctx context.Context, refs []diagnose.Reference, opts diagnose.ProbeOptions) []diagnose.ProbeResult {
	res := r.Prober.ProbeAll(ctx, refs, opts)
	r.mu.Lock()
	if len(res) > 0 {
		r.last = res[len(res)-1]
	}
	r.mu.Unlock()
	return res
}

// judgeRef diagnoses one reference with p, as the CLI and the bot do.
func judgeRef(ctx context.Context, p *Prober, ref diagnose.Reference, opts diagnose.ProbeOptions) judged {
	return judgeCall(ctx, p, ref, nil, opts)
}

// judgeCall diagnoses one reference of a pasted call with p.
func judgeCall(ctx context.Context, p *Prober, ref diagnose.Reference, call *diagnose.Call, opts diagnose.ProbeOptions) judged {
	if ref.Hint == "" {
		ref.Hint = diagnose.KindUnknown
	}
	rp := &recording{Prober: p}
	d := diagnose.New(diagnose.Config{Token: p.cfg.Token, Prober: rp})
	rep := d.DiagnoseReading(ctx, diagnose.Reading{References: []diagnose.Reference{ref}, Total: 1, Call: call}, diagnose.Options{Fresh: opts.Fresh})
	c := rep.Checks[0]
	j := judged{Kind: c.Kind, Title: c.Title, Status: c.Status, Done: c.Status != diagnose.StatusUnknown,
		Findings: c.Findings, Related: c.Related, Evidence: c.Evidence, Access: c.Access, Obs: rp.last}
	for _, f := range rep.Integration.Findings {
		if f.Code != diagnose.CodeTokenPersonal {
			j.IntegrationFindings = append(j.IntegrationFindings, f)
		}
	}
	if !diagnose.IsID(ref.ID) {
		j.Done = false
	}
	return j
}

// integ is the integration verdict of p's users/me answer.
type integV struct {
	diagnose.Integration
	Usable bool
}

func integ(ctx context.Context, p *Prober, opts diagnose.ProbeOptions) integV {
	in, ok := diagnose.IntegrationFrom(p.Integration(ctx, opts))
	return integV{Integration: in, Usable: ok}
}
