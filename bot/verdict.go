package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// verdictResult says how a verdict was (not) reached.
type verdictResult int

const (
	verdictOK    verdictResult = iota // a report, fresh from the cache or a diagnosis
	verdictBusy                       // the queue of work that needs Notion is full
	verdictCut                        // the shutdown stopped the check
	verdictPanic                      // the diagnosis failed inside notion-check
)

// maxCachedVerdicts bounds the verdict cache.
const maxCachedVerdicts = 2000

// verdicts is the bot's verdict cache and its diagnoses in flight, keyed
// by the reading: a repeat whose answer is ready or already being fetched
// never waits for a worker, and only work that needs Notion is queued.
type verdicts struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	cache   map[string]cachedVerdict
	flights map[string]*flight
}

type cachedVerdict struct {
	rep     diagnose.Report
	expires time.Time
}

// flight is one diagnosis in flight, shared by every identical request.
type flight struct {
	done chan struct{}
	rep  diagnose.Report
	res  verdictResult
}

func newVerdicts(ttl time.Duration) *verdicts {
	return &verdicts{ttl: ttl, now: time.Now, cache: map[string]cachedVerdict{}, flights: map[string]*flight{}}
}

// readingKey is the normalised reading: the references found (with their
// sources, since a report quotes them), the pasted call and whether the
// text held a token. A Reading
// never holds a secret; the key is a hash anyway.
func readingKey(rd diagnose.Reading) string {
	js, err := json.Marshal(struct {
		R []diagnose.Reference
		T int
		C *diagnose.Call
		N int // a pasted token makes the report warn of it
	}{rd.References, rd.Total, rd.Call, rd.NotionTokens})
	if err != nil {
		js = []byte(fmt.Sprintf("%#v", rd))
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:])
}

// cacheable reports whether a report may be reused: not when Notion could
// not be asked (diagnose.Report.Incomplete).
func cacheable(rep diagnose.Report) bool { return !rep.Incomplete() }

// verdict returns the report for rd: from the cache, from an identical
// diagnosis in flight, or by a diagnosis run under the concurrency bound.
// Only the last takes a place in the queue (verdictBusy when it is full).
// fresh (a "Check again") skips the cache and shares only a fresh flight.
func (b *Bot) verdict(source string, rd diagnose.Reading, fresh bool) (diagnose.Report, verdictResult) {
	if b.shared() {
		return b.sharedVerdict(source, rd, fresh)
	}
	v := b.verdicts
	key := readingKey(rd)
	fkey := key
	if fresh {
		fkey = "fresh:" + key
	}
	v.mu.Lock()
	if c, ok := v.cache[key]; ok && !fresh && v.now().Before(c.expires) {
		v.mu.Unlock()
		b.log.Debug("answered from the verdict cache", "handler", source)
		return c.rep, verdictOK
	}
	if f, ok := v.flights[fkey]; ok {
		v.mu.Unlock()
		select {
		case <-f.done:
			return f.rep, f.res
		case <-b.cut.Done():
			return diagnose.Report{}, verdictCut
		}
	}
	if !b.reserve() {
		v.mu.Unlock()
		b.log.Warn("work queue full, answering busy", "handler", source, "queued", cap(b.queue))
		return diagnose.Report{}, verdictBusy
	}
	f := &flight{done: make(chan struct{}), res: verdictCut}
	v.flights[fkey] = f
	v.mu.Unlock()

	defer func() {
		<-b.queue
		v.mu.Lock()
		delete(v.flights, fkey)
		if f.res == verdictOK && v.ttl > 0 && cacheable(f.rep) {
			v.put(key, f.rep)
		}
		v.mu.Unlock()
		close(f.done)
	}()
	f.rep, f.res = b.runDiagnosis(source, rd, fresh)
	return f.rep, f.res
}

// runDiagnosis runs one diagnosis under the concurrency bound. The
// diagnosis runs on its own: the shutdown's cut answers at once even when
// a diagnosis does not end on cancellation (the prober's shared flights
// end at their deadline); its slot is freed when it ends.
func (b *Bot) runDiagnosis(source string, rd diagnose.Reading, fresh bool) (diagnose.Report, verdictResult) {
	select {
	case b.sem <- struct{}{}:
	case <-b.cut.Done():
		return diagnose.Report{}, verdictCut
	}
	type outcome struct {
		rep diagnose.Report
		res verdictResult
	}
	ch := make(chan outcome, 1)
	go func() {
		defer func() { <-b.sem }()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("panic in the diagnosis, recovered", "handler", source, "panic", secret.Redact(fmt.Sprint(r)))
				ch <- outcome{res: verdictPanic}
			}
		}()
		rep := b.diagnose(b.cut, source, rd, fresh)
		ch <- outcome{rep: rep, res: verdictOK}
	}()
	select {
	case o := <-ch:
		if o.res == verdictOK && b.cut.Err() != nil {
			o.res = verdictCut // cut short: what it says may be wrong
		}
		return o.rep, o.res
	case <-b.cut.Done():
		return diagnose.Report{}, verdictCut
	}
}

// put stores a verdict; mu must be held. Expired verdicts go first; when
// the cache is still full the new one is not kept.
func (v *verdicts) put(key string, rep diagnose.Report) {
	now := v.now()
	if len(v.cache) >= maxCachedVerdicts {
		for k, c := range v.cache {
			if !now.Before(c.expires) {
				delete(v.cache, k)
			}
		}
	}
	if len(v.cache) < maxCachedVerdicts {
		v.cache[key] = cachedVerdict{rep: rep, expires: now.Add(v.ttl)}
	}
}

// sharedVerdict is verdict with the replicas' shared cache (Config.Cluster):
// a finished verdict is read from it, and a reading no replica has the
// answer of is diagnosed once across all of them (cluster.Coalesce), the
// others waiting for that replica's report. Only a diagnosis run here takes
// a place in the queue of work that needs Notion.
func (b *Bot) sharedVerdict(source string, rd diagnose.Reading, fresh bool) (diagnose.Report, verdictResult) {
	vc := b.cfg.Cluster.Verdicts()
	key := "report:" + b.cfg.VerdictScope + ":" + readingKey(rd)
	if !fresh && b.cfg.CacheTTL > 0 {
		if val, ok := vc.Get(b.cut, key); ok {
			var rep diagnose.Report
			if err := json.Unmarshal(val, &rep); err == nil {
				b.log.Debug("answered from the shared verdict cache", "handler", source)
				return rep, verdictOK
			}
		}
	}
	if !b.reserve() {
		b.log.Warn("work queue full, answering busy", "handler", source, "queued", cap(b.queue))
		return diagnose.Report{}, verdictBusy
	}
	defer func() { <-b.queue }()
	rep, res := diagnose.Report{}, verdictCut
	probed := false
	val, outcome := cluster.Coalesce(b.cut, vc, key, cluster.CoalesceOptions{
		Fresh: fresh, // read again: another replica may have just finished
		Lease: b.cfg.DiagnosisTimeout + 10*time.Second,
	}, func(ctx context.Context) ([]byte, time.Duration) {
		probed = true
		rep, res = b.runDiagnosis(source, rd, fresh)
		if res != verdictOK {
			return nil, 0
		}
		js, err := json.Marshal(rep)
		if err != nil || b.cfg.CacheTTL <= 0 || !cacheable(rep) {
			// Not kept: the replicas waiting for it diagnose themselves.
			return js, 0
		}
		return js, b.cfg.CacheTTL
	})
	if probed {
		return rep, res
	}
	var shared diagnose.Report
	if err := json.Unmarshal(val, &shared); err != nil {
		return b.runDiagnosis(source, rd, fresh)
	}
	b.log.Debug("answered with another request's diagnosis", "handler", source, "outcome", outcome.String())
	return shared, verdictOK
}
