package diagnose

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestSightings holds the board's rule and its waiting on the virtual
// clock: another integration's sighting makes the caller's 404s final at
// once; otherwise the caller waits for the others' rounds of the same
// reference, never past patience, and not at all once they are over.
func TestSightings(t *testing.T) {
	t.Parallel()
	const patience = 100 * time.Millisecond
	ref := refOf(vID, "", EndpointPages)
	sawPage := []Answer{ok(EndpointBlocks, vID, Object{Object: "block", BlockType: "child_page"})}
	sawDS := []Answer{nf(EndpointBlocks, vID), ok(EndpointDataSources, vID, Object{Object: "data_source"})}
	missed := []Answer{nf(EndpointBlocks, vID)}
	tests := []struct {
		name  string
		seats int
		// before runs before seat 0 asks; later runs 30 ms after it asks.
		before, later func(s *Sightings)
		want          Kind
		waited        time.Duration
	}{{
		name: "another saw a page first", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed); s.Peer(1).Told(ref, sawPage) },
		want:   KindPage,
	}, {
		name: "another's answer comes while waiting", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed) },
		later:  func(s *Sightings) { s.Peer(1).Told(ref, sawPage) },
		want:   KindPage, waited: 30 * time.Millisecond,
	}, {
		name: "another missed too: no more waiting", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed) },
		later:  func(s *Sightings) { s.Peer(1).Told(ref, missed) },
		waited: 30 * time.Millisecond,
	}, {
		name: "another's probe is over (cached, joined)", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed) },
		later:  func(s *Sightings) { s.Peer(1).Done(ref, ProbeResult{Answers: sawDS}) },
		want:   KindDataSource, waited: 30 * time.Millisecond,
	}, {
		name: "another tells nothing: patience", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed) },
		waited: patience,
	}, {
		name: "another left", seats: 2,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed); s.Peer(1).Leave() },
	}, {
		name: "another is a round behind", seats: 2,
		before: func(s *Sightings) {
			s.Peer(0).Told(ref, missed)
			s.Peer(0).Told(ref, missed)
			s.Peer(1).Told(ref, missed)
		},
		later: func(s *Sightings) { s.Peer(1).Told(ref, sawDS) },
		want:  KindDataSource, waited: 30 * time.Millisecond,
	}, {
		name: "a refused token sees nothing", seats: 2,
		before: func(s *Sightings) {
			s.Peer(0).Told(ref, missed)
			s.Peer(1).Told(ref, []Answer{{Family: EndpointBlocks, ID: vID, Outcome: OutcomeUnauthorized, Status: 401}})
		},
	}, {
		name: "Notion's 400 tells a page, though a call failed", seats: 2,
		before: func(s *Sightings) {
			s.Peer(0).Told(ref, missed)
			s.Peer(1).Told(ref, []Answer{bad(EndpointDatabases, vID, "is a page, not a database"), fail(EndpointBlocks, vID, OutcomeUnavailable, 503)})
		},
		want: KindPage,
	}, {
		name: "failures and 404s tell nothing", seats: 2,
		before: func(s *Sightings) {
			s.Peer(0).Told(ref, missed)
			s.Peer(1).Told(ref, []Answer{nf(EndpointBlocks, vID), fail(EndpointDataSources, vID, OutcomeUnavailable, 503)})
		},
	}, {
		name: "another reference's sighting is no news", seats: 2,
		before: func(s *Sightings) {
			s.Peer(0).Told(ref, missed)
			s.Peer(1).Told(refOf(vDS, "", ""), []Answer{ok(EndpointDataSources, vDS, Object{Object: "data_source"})})
			s.Peer(1).Leave()
		},
	}, {
		name: "three integrations: the third saw it", seats: 3,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed); s.Peer(1).Told(ref, missed) },
		later:  func(s *Sightings) { s.Peer(2).Told(ref, sawPage) },
		want:   KindPage, waited: 30 * time.Millisecond,
	}, {
		name: "three integrations: all missed", seats: 3,
		before: func(s *Sightings) { s.Peer(0).Told(ref, missed); s.Peer(2).Told(ref, missed) },
		later:  func(s *Sightings) { s.Peer(1).Told(ref, missed) },
		waited: 30 * time.Millisecond,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := NewSightings(tt.seats)
				if tt.before != nil {
					tt.before(s)
				}
				if tt.later != nil {
					go func() {
						time.Sleep(30 * time.Millisecond)
						tt.later(s)
					}()
				}
				start := time.Now()
				got := s.Peer(0).SeenElsewhere(context.Background(), ref, patience)
				if waited := time.Since(start); got != tt.want || waited != tt.waited {
					t.Errorf("SeenElsewhere = %q after %v, want %q after %v", got, waited, tt.want, tt.waited)
				}
			})
		})
	}
}

// TestSightingsAlone: one integration (no board) and a cancelled context
// never wait.
func TestSightingsAlone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ref := refOf(vID, "", "")
		var p *Peer
		p.Told(ref, nil)
		p.Done(ref, ProbeResult{})
		p.Leave()
		start := time.Now()
		if k := p.SeenElsewhere(context.Background(), ref, time.Hour); k != "" || time.Since(start) != 0 {
			t.Errorf("nil peer: %q after %v", k, time.Since(start))
		}
		s := NewSightings(2)
		s.Peer(0).Told(ref, []Answer{nf(EndpointBlocks, vID)})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if k := s.Peer(0).SeenElsewhere(ctx, ref, time.Hour); k != "" || time.Since(start) != 10*time.Millisecond {
			t.Errorf("cancelled: %q after %v", k, time.Since(start))
		}
	})
}

// TestKindEndpoints: every kind's endpoints disclose it (covers), and no
// endpoint is named for an unknown kind.
func TestKindEndpoints(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{KindPage, KindDatabase, KindDataSource, KindBlock, KindView} {
		if len(k.Endpoints()) == 0 {
			t.Errorf("%s: no endpoint", k)
		}
	}
	if e := KindUnknown.Endpoints(); e != nil {
		t.Errorf("unknown: %v", e)
	}
}
