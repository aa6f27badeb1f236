package notion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/notion-check/notion-check/diagnose"
)

// maxCalls bounds the API calls of one probe (users/me excluded): the four
// families an ID may need asking about and the two hops a nested block
// walks up to its page.
const maxCalls = 6

// get makes one plain GET /v1/{fam}/{id} through the shared client and
// reports what Notion answered, decoding only the facts a verdict needs.
// self is true when id is the reference's own ID (only then is a title
// kept: titles of objects the person did not link are never kept).
//
// A speculative get (ctx from withSpeculative, see Speculative) is sent only when the
// budget has room for it now; sent is false when it was not.
func (s *probeState) get(ctx context.Context, fam diagnose.Endpoint, id string, self bool) (a diagnose.Answer, sent bool) {
	version := s.version
	if (fam == diagnose.EndpointDataSources || fam == diagnose.EndpointViews) && version < firstDataSourceVersion {
		// The data source and view APIs exist from 2025-09-03 on; asking under
		// that version tells a data source or view ID apart even for a client
		// pinned to an older version.
		version = firstDataSourceVersion
	}
	a, body, sent := s.p.send(ctx, http.MethodGet, "/v1/"+string(fam)+"/"+id, nil, diagnose.Answer{Family: fam, ID: id, Version: version})
	if a.Outcome == diagnose.OutcomeOK {
		if a.Object = decodeObject(body, self); a.Object == nil {
			a.Outcome, a.Why = diagnose.OutcomeUnavailable, fmt.Sprintf("GET /v1/%s/… answered 200 with JSON of no known shape", fam)
		}
	}
	return a, sent
}

// JSON shapes decoded from plain GETs: only the fields a verdict needs.
type parentJSON struct {
	Type         string `json:"type"`
	PageID       string `json:"page_id"`
	BlockID      string `json:"block_id"`
	DatabaseID   string `json:"database_id"`
	DataSourceID string `json:"data_source_id"`
}

func (p parentJSON) parent() diagnose.Parent {
	out := diagnose.Parent{Type: p.Type}
	switch p.Type {
	case "page_id":
		out.ID = p.PageID
	case "block_id":
		out.ID = p.BlockID
	case "database_id":
		out.ID = p.DatabaseID
	case "data_source_id":
		out.ID, out.DatabaseID = p.DataSourceID, p.DatabaseID
	}
	return out
}

type richText []struct {
	PlainText string `json:"plain_text"`
}

func (r richText) String() string {
	var b strings.Builder
	for _, t := range r {
		b.WriteString(t.PlainText)
	}
	return b.String()
}

// objectJSON is the union of the fields read from pages, databases, data
// sources, blocks and views.
type objectJSON struct {
	Object     string     `json:"object"`
	Type       string     `json:"type"`
	InTrash    bool       `json:"in_trash"`
	Archived   bool       `json:"archived"`
	IsArchived bool       `json:"is_archived"`
	Parent     parentJSON `json:"parent"`
	Title      richText   `json:"title"`
	Name       string     `json:"name"`
	URL        string     `json:"url"`
	ChildPage  struct {
		Title string `json:"title"`
	} `json:"child_page"`
	ChildDatabase struct {
		Title string `json:"title"`
	} `json:"child_database"`
	DataSources *[]struct {
		ID string `json:"id"`
	} `json:"data_sources"`
	DataSourceID string                     `json:"data_source_id"`
	Properties   map[string]json.RawMessage `json:"properties"`
}

// decodeObject reads the facts of a 200 answer; nil when it is not a known
// object.
func decodeObject(body []byte, self bool) *diagnose.Object {
	var o objectJSON
	if err := json.Unmarshal(body, &o); err != nil {
		// A title rich text of an odd shape must not hide the rest.
		var loose struct {
			Object string `json:"object"`
		}
		if json.Unmarshal(body, &loose) != nil || loose.Object == "" {
			return nil
		}
		return &diagnose.Object{Object: loose.Object}
	}
	switch o.Object {
	case "page", "database", "data_source", "block", "view":
	default:
		return nil
	}
	out := &diagnose.Object{Object: o.Object, BlockType: o.Type, InTrash: o.InTrash || o.Archived || o.IsArchived, Parent: o.Parent.parent()}
	if o.Object == "view" {
		out.BlockType = ""
		out.DataSourceID = o.DataSourceID
		if out.Parent.Type == "database_id" {
			out.Parent.DatabaseID = out.Parent.ID
		}
	}
	if self {
		out.URL = o.URL
		switch o.Object {
		case "block":
			out.Title = o.ChildPage.Title + o.ChildDatabase.Title
		case "view":
			out.Title = o.Name
		case "page":
			out.Title = pageTitle(o.Properties)
		default:
			out.Title = o.Title.String()
		}
	}
	if (o.Object == "data_source" || o.Object == "database") && o.Properties != nil {
		out.PropertiesListed = true
		out.Properties = decodeSchema(o.Properties)
		out.SchemaName = o.Title.String()
	}
	if o.DataSources != nil {
		out.DataSourcesListed = true
		out.DataSources = []string{}
		for _, d := range *o.DataSources {
			// IDs only: the data sources' names are titles the person did
			// not link.
			out.DataSources = append(out.DataSources, d.ID)
		}
	}
	return out
}

// pageTitle finds a page's title property.
func pageTitle(props map[string]json.RawMessage) string {
	for _, raw := range props {
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil || m["type"] != "title" {
			continue
		}
		parts, _ := m["title"].([]any)
		var b strings.Builder
		for _, p := range parts {
			if pm, ok := p.(map[string]any); ok {
				if s, ok := pm["plain_text"].(string); ok {
					b.WriteString(s)
				}
			}
		}
		return b.String()
	}
	return ""
}

// probeState is one probe in the making.
type probeState struct {
	p       *Prober
	ref     diagnose.Reference
	version string
	// answers holds every call sent, in order: its length is the probe's
	// count of calls (maxCalls).
	answers []diagnose.Answer
	// peers is the integration's place among the others asked in the same
	// diagnosis (nil: none): told every round, asked before a later one.
	peers *diagnose.Peer
	// lastRound is how long the last round took: how long a later round
	// waits for the other integrations' answers at most.
	lastRound time.Duration
	// narrowed is set when what another integration saw left out calls
	// this probe would have made alone: its answers are then complete only
	// beside that integration's, and are not cached.
	narrowed bool
}

// round runs the GETs of one round concurrently, about the reference's
// own ID, and keeps their answers in the order asked.
func (s *probeState) round(ctx context.Context, fams ...diagnose.Endpoint) map[diagnose.Endpoint]diagnose.Answer {
	return s.roundWith(ctx, fams, nil, nil)
}

// roundWith runs one round of needed calls and speculative ones (sent only
// from spare budget); the answers of the calls sent are kept, in the order
// asked.
func (s *probeState) roundWith(ctx context.Context, needed, speculative []diagnose.Endpoint, gate *sentGate) map[diagnose.Endpoint]diagnose.Answer {
	start := time.Now()
	fams := append(append([]diagnose.Endpoint(nil), needed...), speculative...)
	out := make([]diagnose.Answer, len(fams))
	sent := make([]bool, len(fams))
	var wg sync.WaitGroup
	for i, f := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c context.Context
			if i < len(needed) {
				var gone func()
				c, gone = onTheWire(ctx, gate)
				defer gone()
			} else {
				gate.wait(ctx)
				c = withSpeculative(ctx)
			}
			out[i], sent[i] = s.get(c, f, s.ref.ID, true)
		}()
	}
	wg.Wait()
	m := make(map[diagnose.Endpoint]diagnose.Answer, len(fams))
	for i, f := range fams {
		if !sent[i] {
			continue
		}
		m[f] = out[i]
		s.answers = append(s.answers, out[i])
	}
	s.lastRound = time.Since(start)
	s.peers.Told(s.ref, s.answers)
	return m
}

// stops reports whether a round's answers end the probe: no further call
// can change a verdict made from a refused token or capability; nor is one
// worth sending when every call of the round was rate-limited (the whole
// integration is paused: every other call would wait too), or when a
// round of several calls all failed (Notion is failing, not one
// endpoint). A lone call that failed leaves the other endpoints to try:
// one of them may still tell what the ID is.
func stops(rs map[diagnose.Endpoint]diagnose.Answer) bool {
	limited, failed := 0, 0
	for _, r := range rs {
		switch r.Outcome {
		case diagnose.OutcomeUnauthorized, diagnose.OutcomeForbidden:
			return true
		case diagnose.OutcomeRateLimited:
			limited++
			failed++
		case diagnose.OutcomeUnavailable:
			failed++
		}
	}
	return limited == len(rs) || failed == len(rs) && len(rs) > 1
}

// onlyMisses reports whether every answer is a 404 or a transient failure:
// another endpoint may still tell what the ID is.
func onlyMisses(rs map[diagnose.Endpoint]diagnose.Answer) bool {
	for _, r := range rs {
		if r.Outcome != diagnose.OutcomeNotFound && !r.Outcome.Transient() {
			return false
		}
	}
	return len(rs) > 0
}

// firstRound is the first round of a probe. needed are the calls that
// decide the likeliest kinds of the ID alone, from what the text says it
// is; they are always sent. speculative are calls that would otherwise be
// asked only after needed's answers (when those leave the verdict open):
// sent in the same round only from budget that would sit idle (pacer.spare
// and tryAcquire), they save a round and never make a needed call wait.
type firstRound struct {
	needed, speculative []diagnose.Endpoint
	// sent, when set, is the gate of the batch (ProbeAll): speculative
	// calls wait until every needed call of the batch is on the wire.
	sent *sentGate
	// peers, when set, is the integration's place among the others asked
	// in the same diagnosis (ProbeOptions.Peers).
	peers *diagnose.Peer
	// schema, when set, asks for the reference's schema after the ID
	// checks (readSchema).
	schema *diagnose.SchemaRequest
}

// sendGrace bounds how long a speculative call waits for the needed calls
// of its batch to go out. A needed call not on the wire by then waits for
// budget, and then none is spare: the speculative call is tried and, most
// likely, dropped.
const sendGrace = 25 * time.Millisecond

// sentGate opens once every needed call of a batch's first round is on the
// wire (its request headers written, or its call over without being sent),
// so that a speculative call never takes the slot a needed call of the
// same batch was about to take: not the pacer's (its spare already counts
// them) nor one of a budget under it (a budget shared by several
// processes, Config.Transport), which sees only the order of arrival.
type sentGate struct {
	mu   sync.Mutex
	left int
	open chan struct{}
}

func newSentGate(n int) *sentGate {
	g := &sentGate{left: n, open: make(chan struct{})}
	if n <= 0 {
		close(g.open)
	}
	return g
}

// sent counts n needed calls as gone.
func (g *sentGate) sent(n int) {
	if g == nil || n <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.left <= 0 {
		return
	}
	if g.left -= n; g.left <= 0 {
		close(g.open)
	}
}

// wait returns when the gate opens, sendGrace has passed, or ctx ends.
func (g *sentGate) wait(ctx context.Context) {
	if g == nil {
		return
	}
	t := time.NewTimer(sendGrace)
	defer t.Stop()
	select {
	case <-g.open:
	case <-t.C:
	case <-ctx.Done():
	}
}

// onTheWire returns ctx with a trace that counts one needed call of g as
// gone when its request headers are written, and a func that counts it
// when the call is over (once in all).
func onTheWire(ctx context.Context, g *sentGate) (context.Context, func()) {
	if g == nil {
		return ctx, func() {}
	}
	var once sync.Once
	gone := func() { once.Do(func() { g.sent(1) }) }
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: gone}), gone
}

// plan is the first round of a probe of ref: the one call that decides
// the likeliest kinds of the ID alone (needed), and at most one
// speculative call beside it, so that no reference ever has more than two
// calls on the wire at once. The plan is a value: a probe that needs one
// more read of its own (a schema read, say) adds it to needed.
func plan(ref diagnose.Reference) firstRound {
	one := func(f diagnose.Endpoint) firstRound { return firstRound{needed: []diagnose.Endpoint{f}} }
	switch {
	case ref.Hint == diagnose.KindView || ref.Endpoint == diagnose.EndpointViews:
		return one(diagnose.EndpointViews)
	case ref.Endpoint == diagnose.EndpointDataSources || ref.Hint == diagnose.KindDataSource && ref.Endpoint == diagnose.EndpointNone:
		return one(diagnose.EndpointDataSources)
	case ref.Hint == diagnose.KindDatabase || ref.Endpoint == diagnose.EndpointDatabases:
		// A database link (?v=), a database endpoint: GET /v1/databases
		// alone tells its data sources, a linked database, several sources.
		return one(diagnose.EndpointDatabases)
	case ref.Endpoint == diagnose.EndpointPages || ref.Endpoint == diagnose.EndpointBlocks || ref.Endpoint == diagnose.EndpointComments ||
		ref.Hint == diagnose.KindPage || ref.Hint == diagnose.KindBlock:
		return one(diagnose.EndpointBlocks)
	case ref.Origin == diagnose.OriginLink:
		// A web link's path ID is a page or a database (never a data source
		// or a view). blocks tells which, with title and trash, and a 404
		// there is final (a database is a block); a database's data sources
		// take GET /v1/databases, a guess worth sending alongside only when
		// the budget has room for guesses.
		return firstRound{needed: []diagnose.Endpoint{diagnose.EndpointBlocks}, speculative: []diagnose.Endpoint{diagnose.EndpointDatabases}}
	}
	// Nothing known: blocks tells a page, a database or a block; a 404
	// there leaves a data source (asked next, or alongside as a guess) and
	// then a view.
	return firstRound{needed: []diagnose.Endpoint{diagnose.EndpointBlocks}, speculative: []diagnose.Endpoint{diagnose.EndpointDataSources}}
}

// laterOrder is the order the families not asked yet are tried in, once
// the first round's answers were all 404: a data source ID used where a
// database or page was meant is the likeliest confusion since 2025-09-03,
// then a page or database (blocks), then a view.
var laterOrder = []diagnose.Endpoint{diagnose.EndpointDataSources, diagnose.EndpointBlocks, diagnose.EndpointViews}

// probe runs the probe of ref from its first round on; narrowed reports
// whether what another integration saw left calls out (next).
func (p *Prober) probe(ctx context.Context, ref diagnose.Reference, version string, first firstRound) (res diagnose.ProbeResult, narrowed bool) {
	rec := &recorder{}
	ctx = withRecorder(ctx, rec)
	s := &probeState{p: p, ref: ref, version: version, peers: first.peers}
	asked := map[diagnose.Endpoint]diagnose.Answer{}
	for k, v := range s.roundWith(ctx, first.needed, first.speculative, first.sent) {
		asked[k] = v
	}
	s.next(ctx, asked)
	if first.schema != nil {
		s.readSchema(ctx, first.schema)
	}
	return diagnose.ProbeResult{Version: version, Answers: s.answers, Evidence: rec.evidence()}, s.narrowed
}

// next makes the further calls the answers so far call for, fewest first:
// after a round of 404s the families not asked yet, two at a time (for a
// bare ID data_sources alone first, the likeliest to tell), so that a
// reference never has more than two calls on the wire and a verdict of
// "not shared" takes at most three rounds. When another integration of
// the diagnosis has seen the object, only the families of its kind are
// left to ask (often none: its 404s are final).
func (s *probeState) next(ctx context.Context, asked map[diagnose.Endpoint]diagnose.Answer) {
	for later := 0; ; later++ {
		if stops(asked) || s.decided(ctx, asked) || !onlyMisses(asked) {
			// Decided, or an answer of another shape: no call can turn it
			// into a verdict.
			return
		}
		rest := s.rest(asked)
		if len(rest) > 0 {
			if kind := s.peers.SeenElsewhere(ctx, s.ref, s.lastRound); kind != "" {
				rest = s.narrow(rest, kind)
			}
		}
		if len(rest) == 0 {
			return
		}
		n := 2
		if later == 0 && (s.ref.Hint == "" || s.ref.Hint == diagnose.KindUnknown) && s.ref.Endpoint == diagnose.EndpointNone {
			// A bare ID that blocks does not know is most likely a data
			// source: asked alone, it saves the view call.
			n = 1
		}
		for k, v := range s.round(ctx, rest[:min(n, len(rest))]...) {
			asked[k] = v
		}
	}
}

// decided makes the last calls an answer that disclosed the object calls
// for (a database's own GET /v1/databases, a block's page, a page's block
// answer) and reports whether the object is known.
func (s *probeState) decided(ctx context.Context, asked map[diagnose.Endpoint]diagnose.Answer) bool {
	if b, ok := asked[diagnose.EndpointBlocks]; ok && b.Outcome == diagnose.OutcomeOK && b.Object != nil {
		switch b.Object.BlockType {
		case "child_page":
		case "child_database":
			if _, ok := asked[diagnose.EndpointDatabases]; !ok {
				s.round(ctx, diagnose.EndpointDatabases)
			}
		default:
			s.walkUp(ctx, b.Object.Parent)
		}
		return true
	}
	for _, a := range asked {
		if a.Outcome == diagnose.OutcomeOK {
			return true
		}
	}
	if d, ok := asked[diagnose.EndpointDatabases]; ok && d.Outcome == diagnose.OutcomeBadRequest {
		if strings.Contains(d.Message, "is a page, not a database") {
			// A page: its block answer tells its title and whether it is in
			// the trash.
			if _, ok := asked[diagnose.EndpointBlocks]; !ok {
				s.round(ctx, diagnose.EndpointBlocks)
			}
		}
		// A linked database, several data sources: the answer decides.
		return true
	}
	return false
}

// rest returns the families still to ask before "not shared" may be said,
// in laterOrder.
func (s *probeState) rest(asked map[diagnose.Endpoint]diagnose.Answer) []diagnose.Endpoint {
	var out []diagnose.Endpoint
	for _, f := range laterOrder {
		if _, ok := asked[f]; ok {
			continue
		}
		// The path ID of a web link is a page or a database: Notion's links
		// never carry a data source or a view there (a view is the ?v=
		// part, read apart), so no data-source or view call can change
		// the verdict.
		if s.ref.Origin == diagnose.OriginLink && (f == diagnose.EndpointDataSources || f == diagnose.EndpointViews) {
			continue
		}
		out = append(out, f)
	}
	// GET /v1/databases is never needed to say "not shared": blocks covers
	// a database (a database is a block), and is asked instead.
	return out
}

// narrow keeps of rest the families that could disclose an object of
// kind, which another integration saw: a 404 from any other is no news.
func (s *probeState) narrow(rest []diagnose.Endpoint, kind diagnose.Kind) []diagnose.Endpoint {
	var out []diagnose.Endpoint
	for _, f := range rest {
		if slices.Contains(kind.Endpoints(), f) {
			out = append(out, f)
		} else {
			s.narrowed = true
		}
	}
	return out
}

// walkUp follows a block's block parents (at most two hops, within
// maxCalls) until the page it sits on is known.
func (s *probeState) walkUp(ctx context.Context, parent diagnose.Parent) {
	for hops := 0; parent.Type == "block_id" && hops < 2 && len(s.answers) < maxCalls && diagnose.IsID(parent.ID); hops++ {
		a, _ := s.get(ctx, diagnose.EndpointBlocks, parent.ID, false)
		s.answers = append(s.answers, a)
		if a.Outcome != diagnose.OutcomeOK || a.Object == nil || a.Object.BlockType == "child_page" {
			return
		}
		parent = a.Object.Parent
	}
}
