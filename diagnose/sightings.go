package diagnose

import (
	"context"
	"sync"
	"time"
)

// Sightings is what the integrations asked in one diagnosis have seen of
// its references so far, told by their probes round by round. It holds
// one rule: once an integration's answers have told what an object is, the
// 404s another integration got about it are final, except from the
// endpoints that would disclose an object of that kind (Kind.Endpoints),
// which it has not asked: no data source or view call is needed to say
// that a page is not shared with it. A Prober only asks (Peer.SeenElsewhere)
// and decides its calls from the answer.
//
// A Sightings is made per diagnosis and is safe for concurrent use.
type Sightings struct {
	mu sync.Mutex
	// changed is closed (and replaced) whenever something is told.
	changed chan struct{}
	seats   int
	gone    []bool
	// probes are keyed by probeKey: the rounds each seat's probe of that
	// reference has told, and whether it is over.
	probes map[string]*probeSighting
	// kinds are keyed by ID: what each seat's answers disclosed ("" none).
	kinds map[string][]Kind
}

type probeSighting struct {
	rounds []int
	done   []bool
}

// NewSightings returns the board of a diagnosis that asks seats
// integrations; each takes its Peer.
func NewSightings(seats int) *Sightings {
	return &Sightings{changed: make(chan struct{}), seats: seats, gone: make([]bool, seats),
		probes: map[string]*probeSighting{}, kinds: map[string][]Kind{}}
}

// Peer returns the place of integration seat (0 ≤ seat < seats) at the
// board, to give its probes in ProbeOptions.Peers.
func (s *Sightings) Peer(seat int) *Peer { return &Peer{s: s, seat: seat} }

// Peer is one integration's place at a diagnosis's Sightings: its probes
// tell what they were answered, and ask what the others saw. A nil *Peer
// (one integration asked) tells nothing and never waits.
type Peer struct {
	s    *Sightings
	seat int
}

func probeKey(ref Reference) string {
	return ref.ID + "|" + string(ref.Hint) + "|" + string(ref.Endpoint) + "|" + string(ref.Origin)
}

// probe returns ref's probe entry; s.mu is held.
func (s *Sightings) probe(ref Reference) *probeSighting {
	k := probeKey(ref)
	g := s.probes[k]
	if g == nil {
		g = &probeSighting{rounds: make([]int, s.seats), done: make([]bool, s.seats)}
		s.probes[k] = g
	}
	return g
}

// see records what answers disclose about ref.ID for seat; s.mu is held.
func (s *Sightings) see(seat int, ref Reference, answers []Answer) {
	kind, ok := disclosed(answersFor(ProbeResult{Answers: answers}, ref.ID))
	if !ok {
		return
	}
	ks := s.kinds[ref.ID]
	if ks == nil {
		ks = make([]Kind, s.seats)
		s.kinds[ref.ID] = ks
	}
	ks[seat] = kind
}

// tell runs f under the lock and wakes the waiters.
func (p *Peer) tell(f func(s *Sightings)) {
	if p == nil {
		return
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Told records one more round of the probe of ref: answers are every
// answer it has had so far.
func (p *Peer) Told(ref Reference, answers []Answer) {
	p.tell(func(s *Sightings) {
		s.probe(ref).rounds[p.seat]++
		s.see(p.seat, ref, answers)
	})
}

// Done records that the probe of ref is over, with its result (it may
// have been run for another diagnosis, or cached, and told nothing here).
func (p *Peer) Done(ref Reference, res ProbeResult) {
	p.tell(func(s *Sightings) {
		s.probe(ref).done[p.seat] = true
		s.see(p.seat, ref, res.Answers)
	})
}

// Leave records that the integration probes nothing more in this
// diagnosis.
func (p *Peer) Leave() {
	p.tell(func(s *Sightings) { s.gone[p.seat] = true })
}

// SeenElsewhere returns the kind another integration's answers disclosed
// about ref.ID ("" when none did): the caller's 404s about it are then
// final once it has asked the endpoints of that kind (Kind.Endpoints).
//
// It is asked before a later round of calls. So that two integrations
// whose answers come at the same instant see each other's, it waits until
// every other integration's probe of ref has told as many rounds as this
// one's (they began together and take about as long), is over, or has
// left; and no longer than patience (a probe joined to another
// diagnosis's tells nothing here until it ends) or ctx.
func (p *Peer) SeenElsewhere(ctx context.Context, ref Reference, patience time.Duration) Kind {
	if p == nil {
		return ""
	}
	var timeout <-chan time.Time
	for {
		s := p.s
		s.mu.Lock()
		kind, settled := s.elsewhere(p.seat, ref)
		changed := s.changed
		s.mu.Unlock()
		if kind != "" || settled {
			return kind
		}
		if timeout == nil {
			t := time.NewTimer(patience)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-timeout:
			return ""
		case <-ctx.Done():
			return ""
		}
	}
}

// elsewhere returns the kind another seat saw of ref.ID, and whether every
// other seat has caught up with seat's rounds of ref; s.mu is held.
func (s *Sightings) elsewhere(seat int, ref Reference) (Kind, bool) {
	for q, k := range s.kinds[ref.ID] {
		if q != seat && k != "" {
			return k, true
		}
	}
	g := s.probe(ref)
	for q := range s.seats {
		if q != seat && !s.gone[q] && !g.done[q] && g.rounds[q] < g.rounds[seat] {
			return "", false
		}
	}
	return "", true
}

// Endpoints are the endpoints whose answer discloses an object of kind k:
// a 404 on one of them is final for such an object. They are the families
// a probe asks about an object's own ID that serve k (fitsEndpoint): a
// database, a page and a block are blocks.
func (k Kind) Endpoints() []Endpoint {
	var out []Endpoint
	for _, e := range []Endpoint{EndpointBlocks, EndpointPages, EndpointDatabases, EndpointDataSources, EndpointViews} {
		if fitsEndpoint(k, e) {
			out = append(out, e)
		}
	}
	return out
}

// disclosed returns the kind answers tell the object is (resolve), from
// a 200 or from Notion's 400 about the kind ("is a page, not a
// database"). A failure of a later call does not undo it, so what is told
// after each round (Sightings) and the final answers (judge's elsewhere)
// agree.
func disclosed(as answers) (Kind, bool) {
	if _, refused := ruleUnauthorized(as); refused || len(as) == 0 {
		return "", false
	}
	r, ok := resolve(as)
	if !ok || r.kind == "" {
		return "", false
	}
	return r.kind, true
}
