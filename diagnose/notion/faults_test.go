package notion_test

// Notion faults, end to end: every test here runs the WHOLE diagnosis
// (diagnose.New with a real notion.New prober pointed at the fake Notion of
// notiontest) over a text holding several references at once, under 429
// storms, 529, 5xx, HTML edge errors, slow answers and refused connections,
// and checks these invariants:
//
//   - every check ends with a real verdict (status ok/problem), or status
//     unknown with notion.unavailable or notion.rate_limited;
//   - access.not_shared only for an object that really is unshared, and
//     only when the final answer of every call was Notion's JSON 404
//     object_not_found;
//   - no panic, Diagnose returns (a generous guard against hangs only: no
//     wall-clock bound is asserted), the report's JSON holds no token;
//   - the prober's pace never exceeds its configured share (max requests in
//     any 1 s window at the fake ≤ rate×1 s + burst), and retries honour
//     Retry-After.
//
// The measured figures are printed with t.Log (go test -v -run Fault).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	nt "github.com/notion-check/notion-check/diagnose/notiontest"
)

// hangGuard is how long after its deadline a Diagnose is waited for before
// the test gives up on it as hung. It only guards against hangs: no test
// here asserts how long a diagnosis took; the figures are
// logged instead.
const hangGuard = time.Minute

func compactID(id string) string { return strings.ReplaceAll(id, "-", "") }

// A text holding five references of every kind at once: a shared page (link
// with workspace and slug), an unshared page (bare ID), a database (?v= link,
// so the prober hints a database and asks /v1/databases), a data source and
// a block (bare IDs).
var faultText = fmt.Sprintf("Our sync fails on https://www.notion.so/acme/Roadmap-2026-%s and on %s; "+
	"the tasks db https://www.notion.so/%s?v=%s, data source %s and block %s also fail.",
	compactID(nt.SharedPageID), nt.UnsharedPageID, compactID(nt.DatabaseID), compactID(nt.ViewID), nt.DataSourceID, nt.BlockID)

// verdict is the right answer for one reference when Notion answers well.
type verdict struct {
	id     string
	kind   diagnose.Kind
	status diagnose.Status
	code   diagnose.Code // access.ok or access.not_shared
}

var faultRefs = []verdict{
	{nt.SharedPageID, diagnose.KindPage, diagnose.StatusOK, diagnose.CodeAccessOK},
	{nt.UnsharedPageID, diagnose.KindUnknown, diagnose.StatusProblem, diagnose.CodeAccessNotShared},
	{nt.DatabaseID, diagnose.KindDatabase, diagnose.StatusOK, diagnose.CodeAccessOK},
	{nt.DataSourceID, diagnose.KindDataSource, diagnose.StatusOK, diagnose.CodeAccessOK},
	{nt.BlockID, diagnose.KindBlock, diagnose.StatusOK, diagnose.CodeAccessOK},
}

// want is what one check must end with under a fault.
type want int

const (
	wV want = iota // the right verdict (faultRefs)
	wU             // unknown, notion.unavailable
	wR             // unknown, notion.rate_limited
	// wVR: the right verdict, or unknown with notion.rate_limited: a 429 on
	// another call paused the whole integration (every request waits for
	// Retry-After, see pace.go), so a check not finished before it is
	// rate-limited too; which checks finished first depends on arrival.
	wVR
)

func (w want) String() string {
	return [...]string{"verdict", "unavailable", "rate_limited", "verdict or rate_limited"}[w]
}

func all(w want) []want { return []want{w, w, w, w, w} }

// perCall makes each listed call fail once (Times 1 per path), so that every
// GET meets the fault exactly once whatever the order of arrival.
func perCall(f nt.Fault) []nt.Fault {
	var out []nt.Fault
	paths := []string{"/v1/users/me"}
	for _, r := range faultRefs {
		for _, fam := range []string{"blocks", "data_sources", "databases"} {
			paths = append(paths, "/v1/"+fam+"/"+r.id)
		}
	}
	for _, p := range paths {
		g := f
		g.PathPrefix, g.Times = p, 1
		out = append(out, g)
	}
	return out
}

func faults(fs ...nt.Fault) []nt.Fault { return fs }

type faultCase struct {
	name     string
	faults   []nt.Fault
	refused  bool          // point the prober at a closed server
	deadline time.Duration // of Diagnose (5 s if 0)
	want     []want        // per reference of faultText
	integ    diagnose.Status
	// integOr is another acceptable integration status (users/me paused
	// behind another call's 429 ends unknown).
	integOr diagnose.Status
	// minTime, when set, says a Retry-After must have been waited: some
	// call was retried after a 429/529, no sooner than its Retry-After (from
	// the fake's own call log). prompt, when set, says the diagnosis must
	// give up by itself, not be cut by its deadline (a Retry-After that must
	// NOT have been waited). Neither is a wall-clock bound.
	minTime, prompt time.Duration
}

// figure is one measured line of the final table.
type figure struct {
	name    string
	elapsed time.Duration
	dl      time.Duration
	calls   int
	n429    int
	result  string
}

func TestFaultsWholeDiagnosis(t *testing.T) {
	// /v1/blocks/ answers for pages, databases and blocks (asked first for
	// an ID of unknown kind), /v1/databases/ for databases (after a
	// child_database block, alone for a ?v= link); /v1/data_sources/ and
	// /v1/views/ only for data sources and views (see README "Probe
	// strategy").
	cases := []faultCase{
		{name: "no fault", want: all(wV), integ: diagnose.StatusOK},

		// 429 / 529: waited when Retry-After fits, else given up at once.
		// Every path answers 429 once: each round of first calls pauses the
		// whole integration for 1 s (round 1, the retries' new calls,
		// round 2), hence the longer deadline.
		{name: "429 once per call, Retry-After 1", faults: perCall(nt.Fault{Status: 429, RetryAfter: "1"}), deadline: 10 * time.Second, want: all(wV), integ: diagnose.StatusOK, minTime: time.Second},
		{name: "429 storm, Retry-After 30 > deadline", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 429, RetryAfter: "30"}), want: all(wR), integ: diagnose.StatusUnknown, prompt: 3 * time.Second},
		{name: "429 storm, Retry-After 1, never clears", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 429, RetryAfter: "1"}), deadline: 8 * time.Second, want: all(wR), integ: diagnose.StatusUnknown, minTime: 2 * time.Second},
		{name: "429 storm, no Retry-After", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 429}), deadline: 2 * time.Second, want: all(wR), integ: diagnose.StatusUnknown},
		{name: "529 once per call, Retry-After 1", faults: perCall(nt.Fault{Status: 529, RetryAfter: "1"}), deadline: 10 * time.Second, want: all(wV), integ: diagnose.StatusOK, minTime: time.Second},
		{name: "529 storm, Retry-After 30 > deadline", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 529, RetryAfter: "30"}), want: all(wR), integ: diagnose.StatusUnknown, prompt: 3 * time.Second},

		// 5xx: a GET is retried once.
		{name: "500 once per call", faults: perCall(nt.Fault{Status: 500}), want: all(wV), integ: diagnose.StatusOK},
		{name: "502 once per call", faults: perCall(nt.Fault{Status: 502}), want: all(wV), integ: diagnose.StatusOK},
		{name: "503 once per call", faults: perCall(nt.Fault{Status: 503}), want: all(wV), integ: diagnose.StatusOK},
		{name: "504 once per call", faults: perCall(nt.Fault{Status: 504}), want: all(wV), integ: diagnose.StatusOK},
		{name: "500 persistent", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 500}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "502 persistent", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 502}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "503 persistent", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 503}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "504 persistent", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 504}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "503 persistent, Retry-After 30", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 503, RetryAfter: "30"}), want: all(wU), integ: diagnose.StatusUnknown, prompt: 3 * time.Second},

		// HTML edge answers (cf-ray, no request ID), whatever their status.
		{name: "HTML edge 502 (cf-ray)", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 502, Edge: true}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "HTML edge 403 (cf-ray)", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 403, Edge: true}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "HTML edge 404 (cf-ray)", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 404, Edge: true}), want: all(wU), integ: diagnose.StatusUnknown},
		{name: "HTML edge 200 (cf-ray)", faults: faults(nt.Fault{PathPrefix: "/v1/", Status: 200, Edge: true}), want: all(wU), integ: diagnose.StatusUnknown},

		// Answers slower than the deadline, refused connections.
		{name: "every answer slower than the deadline", faults: faults(nt.Fault{PathPrefix: "/v1/", Delay: time.Minute}), deadline: 1500 * time.Millisecond, want: all(wU), integ: diagnose.StatusUnknown},
		{name: "refused connections", refused: true, want: all(wU), integ: diagnose.StatusUnknown, prompt: 3 * time.Second},

		// A fault only on users/me: the checks still reach their verdicts.
		{name: "users/me 503 persistent", faults: faults(nt.Fault{PathPrefix: "/v1/users/me", Status: 503}), want: all(wV), integ: diagnose.StatusUnknown},
		{name: "users/me 429 storm, Retry-After 30", faults: faults(nt.Fault{PathPrefix: "/v1/users/me", Status: 429, RetryAfter: "30"}), want: all(wVR), integ: diagnose.StatusUnknown, prompt: 3 * time.Second},
		{name: "users/me HTML edge", faults: faults(nt.Fault{PathPrefix: "/v1/users/me", Status: 502, Edge: true}), want: all(wV), integ: diagnose.StatusUnknown},
		{name: "users/me slower than the deadline", faults: faults(nt.Fault{PathPrefix: "/v1/users/me", Delay: time.Minute}), deadline: 2 * time.Second, want: all(wV), integ: diagnose.StatusUnknown},

		// A fault on one endpoint only, the others answering (404s included):
		// never access.not_shared from a half-answered probe.
		// refs:                                                                                                               shared unshared db  ds  block
		{name: "data_sources 503, blocks answer", faults: faults(nt.Fault{PathPrefix: "/v1/data_sources/", Status: 503}), want: []want{wV, wU, wV, wU, wV}, integ: diagnose.StatusOK},
		{name: "data_sources HTML edge 404, blocks answer", faults: faults(nt.Fault{PathPrefix: "/v1/data_sources/", Status: 404, Edge: true}), want: []want{wV, wU, wV, wU, wV}, integ: diagnose.StatusOK},
		{name: "data_sources slower than the deadline", faults: faults(nt.Fault{PathPrefix: "/v1/data_sources/", Delay: time.Minute}), deadline: 2 * time.Second, want: []want{wV, wU, wV, wU, wV}, integ: diagnose.StatusOK},
		{name: "data_sources 429 storm, Retry-After 30", faults: faults(nt.Fault{PathPrefix: "/v1/data_sources/", Status: 429, RetryAfter: "30"}), want: []want{wVR, wR, wVR, wR, wVR}, integ: diagnose.StatusOK, integOr: diagnose.StatusUnknown, prompt: 3 * time.Second},
		{name: "blocks 503, data_sources answer", faults: faults(nt.Fault{PathPrefix: "/v1/blocks/", Status: 503}), want: []want{wU, wU, wV, wV, wU}, integ: diagnose.StatusOK},
		{name: "blocks 529 storm, data_sources answer", faults: faults(nt.Fault{PathPrefix: "/v1/blocks/", Status: 529, RetryAfter: "30"}), want: []want{wR, wR, wVR, wVR, wR}, integ: diagnose.StatusOK, integOr: diagnose.StatusUnknown, prompt: 3 * time.Second},
		// The unshared ID never asks databases: its blocks 404 already says a
		// database of that ID would not answer either (a database is a block).
		{name: "databases 503, others answer", faults: faults(nt.Fault{PathPrefix: "/v1/databases/", Status: 503}), want: []want{wV, wV, wU, wV, wV}, integ: diagnose.StatusOK},
		{name: "databases 429 storm, others answer", faults: faults(nt.Fault{PathPrefix: "/v1/databases/", Status: 429, RetryAfter: "30"}), want: []want{wVR, wVR, wR, wVR, wVR}, integ: diagnose.StatusOK, integOr: diagnose.StatusUnknown, prompt: 3 * time.Second},
		{name: "unshared page: blocks 404, data_sources 502", faults: faults(nt.Fault{PathPrefix: "/v1/data_sources/" + nt.UnsharedPageID, Status: 502}), want: []want{wV, wU, wV, wV, wV}, integ: diagnose.StatusOK},
	}

	var mu sync.Mutex
	var figs []figure
	t.Cleanup(func() {
		// Runs after every parallel subtest: the measured figures.
		sort.SliceStable(figs, func(i, j int) bool { return figs[i].name < figs[j].name })
		var b strings.Builder
		fmt.Fprintf(&b, "\n%-48s %9s %9s %6s %5s  %s\n", "fault mode (5 references)", "deadline", "Diagnose", "calls", "429", "checks")
		for _, f := range figs {
			fmt.Fprintf(&b, "%-48s %9s %9s %6d %5d  %s\n", f.name, f.dl, f.elapsed.Round(time.Millisecond), f.calls, f.n429, f.result)
		}
		t.Log(b.String())
	})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			notion.OnVirtualClock(t, func(t *testing.T) {
				if len(tc.want) != len(faultRefs) {
					t.Fatalf("want has %d entries", len(tc.want))
				}
				var opts []nt.Option
				for _, f := range tc.faults {
					opts = append(opts, nt.WithFault(f))
				}
				srv, tr := notion.FakeNotion(t, opts...)
				if tc.refused {
					if tr != nil {
						tr = refused{}
					} else {
						srv.Close() // its port now refuses connections
					}
				}
				// The limiter is opened wide here: pacing is tested on its own
				// (TestFaultsPacing); this table is about the faults.
				p := newProber(t, srv.URL, tr, 1000, 1000)
				dl := tc.deadline
				if dl == 0 {
					dl = 5 * time.Second
				}
				rep, elapsed, cut := diagnoseCut(t, p, faultText, dl, diagnose.Options{})
				checkReport(t, rep, elapsed, dl)
				if tc.refused {
					srv = nil
				}

				if len(rep.Checks) != len(faultRefs) {
					t.Fatalf("%d checks, want %d: %+v", len(rep.Checks), len(faultRefs), rep.Checks)
				}
				var got []string
				for i, c := range rep.Checks {
					r, w := faultRefs[i], tc.want[i]
					cs := findingCodes(c.Findings)
					got = append(got, fmt.Sprintf("%s=%s", r.kind, outcomeOf(c)))
					if c.ID != r.id {
						t.Errorf("check %d: id %s, want %s", i, c.ID, r.id)
						continue
					}
					if w == wVR {
						w = wV
						if c.Status == diagnose.StatusUnknown {
							w = wR
						}
					}
					switch w {
					case wV:
						if c.Status != r.status || !slices.Contains(cs, r.code) || (r.kind != diagnose.KindUnknown && c.Kind != r.kind) {
							t.Errorf("%s: status %s kind %s codes %v, want the verdict %s %s %s; evidence %+v", r.id, c.Status, c.Kind, cs, r.status, r.kind, r.code, c.Evidence)
						}
					case wU, wR:
						code := diagnose.CodeNotionUnavailable
						if w == wR {
							code = diagnose.CodeNotionRateLimited
						}
						if c.Status != diagnose.StatusUnknown || !slices.Contains(cs, code) {
							t.Errorf("%s: status %s codes %v, want unknown with %s; evidence %+v", r.id, c.Status, cs, code, c.Evidence)
						}
					}
				}
				if rep.Integration.Status != tc.integ && (tc.integOr == "" || rep.Integration.Status != tc.integOr) {
					t.Errorf("integration status %s, want %s (%+v)", rep.Integration.Status, tc.integ, rep.Integration)
				}
				if tc.prompt > 0 && cut {
					t.Errorf("Diagnose ran out its deadline of %v: it should give up by itself, not wait for Retry-After or the deadline", dl)
				}
				f := figure{name: tc.name, elapsed: elapsed, dl: dl, result: strings.Join(got, " ")}
				if srv != nil {
					calls := srv.Calls()
					f.calls, f.n429 = len(calls), srv.Count429()
					if retried := checkRetryAfterHonoured(t, calls); tc.minTime > 0 && retried == 0 {
						t.Errorf("no call was retried after its Retry-After of %v", tc.minTime)
					}
				}
				mu.Lock()
				figs = append(figs, f)
				mu.Unlock()
			})
		})
	}
}

// newProber returns a prober of the fake at baseURL, reached through tr
// (nil: the adapter's own transport), pacing at r per second with burst.
func newProber(t testing.TB, baseURL string, tr http.RoundTripper, r float64, burst int) *notion.Prober {
	t.Helper()
	p, err := notion.New(notion.Config{Token: nt.GoodToken, BaseURL: baseURL, Transport: tr, Rate: r, Burst: burst,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// refused is a transport whose every dial is refused, as by a closed port
// (the in-process fake has no port to close).
type refused struct{}

func (refused) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// diagnoseWithin runs one whole diagnosis with a deadline, turning a panic
// into a test failure, and returns the report and its wall time (a figure,
// for the logs).
func diagnoseWithin(t testing.TB, p *notion.Prober, text string, dl time.Duration, opts diagnose.Options) (rep diagnose.Report, elapsed time.Duration) {
	t.Helper()
	rep, elapsed, _ = diagnoseCut(t, p, text, dl, opts)
	return rep, elapsed
}

// diagnoseCut is diagnoseWithin that also says whether the diagnosis was
// cut by its deadline (its context had expired when it returned) rather
// than ending by itself. A diagnosis that has not returned hangGuard after
// its deadline is a test failure (a hang), not a slow run.
func diagnoseCut(t testing.TB, p *notion.Prober, text string, dl time.Duration, opts diagnose.Options) (rep diagnose.Report, elapsed time.Duration, cut bool) {
	t.Helper()
	d := diagnose.New(diagnose.Config{Token: nt.GoodToken, Prober: p})
	ctx, cancel := context.WithTimeout(context.Background(), dl)
	defer cancel()
	start := time.Now()
	done := make(chan diagnose.Report, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("Diagnose panicked: %v", v)
				done <- diagnose.Report{}
			}
		}()
		done <- d.Diagnose(ctx, text, opts)
	}()
	select {
	case rep = <-done:
	case <-time.After(dl + hangGuard):
		t.Errorf("Diagnose has not returned %v after its deadline of %v: hung", hangGuard, dl)
		return diagnose.Report{Checks: []diagnose.Check{{}}}, time.Since(start), true
	}
	return rep, time.Since(start), ctx.Err() != nil
}

// unsharedIDs are the IDs that really are out of the integration's reach
// (the fault table's unshared page and the pacing test's unknown IDs).
func reallyUnshared(id string) bool {
	return id == nt.UnsharedPageID || id == nt.MissingID || strings.HasPrefix(id, "feedf00d-")
}

// verdictCodes are the findings that make a real verdict for a check.
var verdictCodes = []diagnose.Code{diagnose.CodeAccessOK, diagnose.CodeAccessNotShared, diagnose.CodeEndpointMismatch,
	diagnose.CodeDatabaseLinked, diagnose.CodeDatabaseMultipleSources}

// checkReport asserts the invariants every report must meet under any
// fault.
func checkReport(t testing.TB, rep diagnose.Report, elapsed, dl time.Duration) {
	t.Helper()
	// elapsed and dl are figures only: the hang guard is diagnoseCut's.
	_, _ = elapsed, dl
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{nt.GoodToken, nt.GoodToken[4:], "GoodTokenAbCd"} {
		if strings.Contains(string(js), secret) {
			t.Errorf("token in the report's JSON: %s", js)
		}
	}
	if len(rep.Checks) == 0 {
		t.Fatal("no check")
	}
	for _, c := range rep.Checks {
		cs := findingCodes(c.Findings)
		hasVerdict := slices.ContainsFunc(cs, func(x diagnose.Code) bool { return slices.Contains(verdictCodes, x) })
		transient := slices.Contains(cs, diagnose.CodeNotionUnavailable) || slices.Contains(cs, diagnose.CodeNotionRateLimited)
		switch c.Status {
		case diagnose.StatusOK, diagnose.StatusProblem:
			if !hasVerdict || transient {
				t.Errorf("%s: status %s without a clean verdict: %v", c.ID, c.Status, cs)
			}
		case diagnose.StatusUnknown:
			if !transient || hasVerdict {
				t.Errorf("%s: status unknown, want notion.unavailable or notion.rate_limited alone: %v", c.ID, cs)
			}
		default:
			t.Errorf("%s: status %q", c.ID, c.Status)
		}
		if slices.Contains(cs, diagnose.CodeAccessNotShared) {
			if !reallyUnshared(c.ID) {
				t.Errorf("%s: access.not_shared for a shared object: %+v", c.ID, c.Evidence)
			}
			// The final answer of every call must be Notion's JSON 404.
			last := map[string]diagnose.Evidence{}
			for _, e := range c.Evidence {
				last[e.Path] = e
			}
			if len(last) == 0 {
				t.Errorf("%s: access.not_shared without evidence", c.ID)
			}
			for _, e := range last {
				if e.Status != 404 || e.Code != "object_not_found" || e.RequestID == "" {
					t.Errorf("%s: access.not_shared though %s answered %d %q", c.ID, e.Path, e.Status, e.Code)
				}
			}
		}
	}
}

// checkRetryAfterHonoured asserts that after a 429/529 carrying
// Retry-After, the next request to the same path did not come before
// Retry-After had elapsed. Calls must hold no other request to the same
// path from another probe (users/me is skipped: several flights may ask it).
func checkRetryAfterHonoured(t testing.TB, calls []nt.Call) (checked int) {
	t.Helper()
	for i, c := range calls {
		if (c.Status != 429 && c.Status != 529) || c.RetryAfter == "" || c.Path == "/v1/users/me" {
			continue
		}
		var secs float64
		if _, err := fmt.Sscanf(c.RetryAfter, "%g", &secs); err != nil {
			continue
		}
		ra := time.Duration(secs * float64(time.Second))
		for _, n := range calls[i+1:] {
			if n.Path != c.Path {
				continue
			}
			checked++
			if gap := n.Start.Sub(c.End); gap < ra {
				t.Errorf("%s retried %v after a %d with Retry-After %s", c.Path, gap, c.Status, c.RetryAfter)
			}
			break
		}
	}
	return checked
}

func findingCodes(fs []diagnose.Finding) []diagnose.Code {
	out := []diagnose.Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// outcomeOf names how a check ended, for the figures.
func outcomeOf(c diagnose.Check) string {
	cs := findingCodes(c.Findings)
	switch {
	case slices.Contains(cs, diagnose.CodeNotionRateLimited):
		return "RL"
	case slices.Contains(cs, diagnose.CodeNotionUnavailable):
		return "UN"
	case slices.Contains(cs, diagnose.CodeAccessNotShared):
		return "NS"
	case c.Status == diagnose.StatusOK:
		return "ok"
	}
	return string(c.Status)
}

// TestFaultsJoinedFlightKeepsOwnDeadline: a diagnosis that joins a probe
// (or users/me) already in flight for another diagnosis with a later
// deadline must still return by its own deadline.
func TestFaultsJoinedFlightKeepsOwnDeadline(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"/v1/blocks/", "/v1/users/me"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			notion.OnVirtualClock(t, func(t *testing.T) {
				srv, tr := notion.FakeNotion(t, nt.WithFault(nt.Fault{PathPrefix: prefix, Delay: time.Minute}))
				p := newProber(t, srv.URL, tr, 1000, 1000)
				// users/me is asked only where a verdict needs it: for the
				// advice about an object not shared.
				id := nt.SharedPageID
				if prefix == "/v1/users/me" {
					id = nt.UnsharedPageID
				}
				long := make(chan time.Duration, 1)
				go func() {
					// The first diagnosis has a long deadline (a CLI run, say).
					_, el := diagnoseWithin(t, p, id, 5*time.Second, diagnose.Options{})
					long <- el
				}()
				// Wait until its calls are in flight.
				for deadline := time.Now().Add(5 * time.Second); srv.CallsTo(prefix) == 0 && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
				}
				const dl = time.Second
				rep, el := diagnoseWithin(t, p, id, dl, diagnose.Options{})
				checkReport(t, rep, el, dl)
				// The behaviour: the joined diagnosis left at its own deadline,
				// while the flight's owner (deadline 4 s later) is still waiting.
				select {
				case <-long:
					t.Errorf("the diagnosis with a %v deadline returned only after the flight's owner (5 s deadline)", dl)
				default:
				}
				t.Logf("joined flight (%s slow): returned after %v with deadline %v: %s", prefix, el.Round(time.Millisecond), dl, outcomeOf(rep.Checks[0]))
				<-long
			})
		})
	}
}

// worldIDs are the default world's objects, any kind.
var worldIDs = []string{nt.RootPageID, nt.SharedPageID, nt.UnsharedPageID, nt.TrashedPageID, nt.RowPageID,
	nt.DatabaseID, nt.MultiDatabaseID, nt.LinkedDatabaseID, nt.OrphanDatabaseID, nt.DataSourceID,
	nt.MultiDataSourceID1, nt.MultiDataSourceID2, nt.BlockID, nt.ToggleBlockID, nt.NestedBlockID, nt.MissingID}

// distinctTexts returns n texts of k distinct references each, no
// reference in two texts: the world's objects first, then IDs no object
// has (feedf00d-…, 404 everywhere).
func distinctTexts(n, k int) []string {
	var ids []string
	ids = append(ids, worldIDs...)
	for i := 0; len(ids) < n*k; i++ {
		ids = append(ids, fmt.Sprintf("feedf00d-0000-4000-8000-%012d", i))
	}
	texts := make([]string, n)
	for i := range texts {
		texts[i] = strings.Join(ids[i*k:(i+1)*k], " and ")
	}
	return texts
}

// maxInWindow returns the most calls that arrived at the fake within any
// window of length w (calls sorted by arrival).
func maxInWindow(calls []nt.Call, w time.Duration) int {
	starts := make([]time.Time, len(calls))
	for i, c := range calls {
		starts[i] = c.Start
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range starts {
		for starts[i].Sub(starts[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// TestFaultsPacing runs several diagnoses at once (Fresh: no cache) through
// ONE prober and checks, from the fake's arrival timestamps, that the pace
// never exceeds the prober's configured share: in every sliding 1 s window
// at most rate×1 s + burst requests (on the virtual clock: exactly; +1
// for the skew of arrivals when measured on the real clock).
func TestFaultsPacing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                 string
		rate                 float64 // prober
		burst                int
		fakeRate             float64 // 0: no limit at the fake
		fakeBurst            int
		goroutines, refsEach int
		deadline             time.Duration
		allVerdicts          bool // every check must reach its verdict
		max429               int  // most 429s the fake may answer (-1: any)
	}{
		// Notion's documented average (3 req/s) at the prober's defaults.
		// The fake enforces the same average with one request of slack: a
		// token bucket judges ARRIVAL times, and arrivals jitter against the
		// prober's send times (the first requests of a burst pay a TCP dial,
		// about 1-5 ms here), so at identical (rate, burst) the first paced
		// request after the burst arrives a few ms "early" and gets a 429
		// although the prober kept its pace. One request of slack tolerates
		// up to 1/rate s of jitter.
		{name: "prober defaults 3/s burst 10, fake 3/s burst 10", rate: notion.DefaultRate, burst: notion.DefaultBurst, fakeRate: 3, fakeBurst: 10, goroutines: 5, refsEach: 2, deadline: 20 * time.Second, allVerdicts: true, max429: 0},
		// The older limits, burst 3 on both sides.
		{name: "prober 3/s burst 3, fake 3/s burst 3", rate: 3, burst: 3, fakeRate: 3, fakeBurst: 3, goroutines: 5, refsEach: 2, deadline: 20 * time.Second, allVerdicts: true, max429: 0},
		// A bot's smaller share of a token: 5 diagnoses x 10 distinct
		// references (about 110 calls) at once.
		{name: "prober 15/s burst 5, 5x10 refs", rate: 15, burst: 5, goroutines: 5, refsEach: 10, deadline: 25 * time.Second, allVerdicts: true, max429: 0},
		// The token is shared with integrations that already use part of
		// Notion's budget: the fake allows less than the prober's pace.
		// 429s happen; every check still ends with a verdict or
		// notion.rate_limited within its deadline, and no retry comes before
		// Retry-After.
		{name: "prober 3/s burst 3, fake 2/s burst 2", rate: 3, burst: 3, fakeRate: 2, fakeBurst: 2, goroutines: 2, refsEach: 4, deadline: 9 * time.Second, max429: -1},
		// Much more work than fits before the deadline at the fake's pace:
		// most checks end notion.rate_limited, none late.
		{name: "prober 3/s burst 3, fake 2/s burst 2, overloaded", rate: 3, burst: 3, fakeRate: 2, fakeBurst: 2, goroutines: 3, refsEach: 5, deadline: 4 * time.Second, max429: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			notion.OnVirtualClock(t, func(t *testing.T) {
				var opts []nt.Option
				if tc.fakeRate > 0 {
					opts = append(opts, nt.WithRateLimit(tc.fakeRate, tc.fakeBurst))
				}
				srv, tr := notion.FakeNotion(t, opts...)
				p := newProber(t, srv.URL, tr, tc.rate, tc.burst)
				texts := distinctTexts(tc.goroutines, tc.refsEach)
				reps := make([]diagnose.Report, len(texts))
				els := make([]time.Duration, len(texts))
				var wg sync.WaitGroup
				start := time.Now()
				for i, text := range texts {
					wg.Add(1)
					go func() {
						defer wg.Done()
						reps[i], els[i] = diagnoseWithin(t, p, text, tc.deadline, diagnose.Options{Fresh: true})
					}()
				}
				wg.Wait()
				wall := time.Since(start)

				verdicts, rl, un := 0, 0, 0
				for i, rep := range reps {
					checkReport(t, rep, els[i], tc.deadline)
					if len(rep.Checks) != tc.refsEach {
						t.Errorf("text %d: %d checks, want %d", i, len(rep.Checks), tc.refsEach)
					}
					for _, c := range rep.Checks {
						switch outcomeOf(c) {
						case "RL":
							rl++
						case "UN":
							un++
						default:
							verdicts++
						}
					}
				}
				calls := srv.Calls()
				limit := int(tc.rate) + tc.burst
				got := maxInWindow(calls, time.Second)
				// On the virtual clock a call arrives when it is sent: no
				// skew. Measured on the real clock (NOTION_MEASURE=1), +1 for
				// the skew between the client's clock at send and the fake's
				// at arrival.
				skew := 0
				if os.Getenv("NOTION_MEASURE") != "" {
					skew = 1
				}
				if got > limit+skew {
					t.Errorf("%d requests in one 1 s window at the fake; the prober's share is %g/s burst %d (≤ %d, +%d for skew)", got, tc.rate, tc.burst, limit, skew)
				}
				n429 := srv.Count429()
				if tc.max429 >= 0 && n429 > tc.max429 {
					t.Errorf("the fake, limited at %g/s burst %d, answered %d 429s (want at most %d)", tc.fakeRate, tc.fakeBurst, n429, tc.max429)
				}
				if tc.allVerdicts && verdicts != tc.goroutines*tc.refsEach {
					t.Errorf("%d of %d checks reached a verdict (%d rate-limited, %d unavailable)", verdicts, tc.goroutines*tc.refsEach, rl, un)
				}
				// A check may end notion.unavailable here (a call paced into the
				// last moments before the deadline and cut by it): still a
				// legal ending, counted in the figures.
				retried := checkRetryAfterHonoured(t, calls)
				// (A 429 to users/me is not counted as retried: several flights
				// may ask it. The first flight is where the fake refuses, and
				// users/me is often in it, sometimes as the only one refused.)
				probe429 := 0
				for _, c := range calls {
					if c.Status == 429 && c.Path != "/v1/users/me" {
						probe429++
					}
				}
				if probe429 > 0 && retried == 0 && rl == 0 {
					t.Errorf("%d 429s to probes, none retried and no check rate-limited", probe429)
				}
				if tc.name == "prober 3/s burst 3, fake 2/s burst 2" && (n429 == 0 || probe429 > 0 && retried == 0) {
					t.Errorf("%d 429s (%d to probes), %d retries: the case does not exercise Retry-After", n429, probe429, retried)
				}
				t.Logf("%s: %d diagnoses x %d refs, %d calls in %v; max %d requests in any 1 s window (configured %g/s + burst %d = %d); "+
					"fake 429s %d (retries checked against Retry-After: %d); checks: %d verdicts, %d rate_limited, %d unavailable; slowest Diagnose %v (deadline %v)",
					tc.name, tc.goroutines, tc.refsEach, len(calls), wall.Round(time.Millisecond), got, tc.rate, tc.burst, limit,
					n429, retried, verdicts, rl, un, slices.Max(els).Round(time.Millisecond), tc.deadline)
			})
		})
	}
}
