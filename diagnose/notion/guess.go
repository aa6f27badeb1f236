package notion

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Guesses: a speculative call (one that only saves a round trip, see
// Speculative) is a guess about the ID, and Notion's budget is shared: the
// workspace-wide limit covers every integration of the team (since 2026-06),
// whose use this process cannot see. A bucket that looks full here says
// nothing about the others' use, so a guess is sent only when there is
// evidence that the budget has room for it:
//
//   - the team granted this integration a rate for guesses
//     (Config.SpeculativeRate, a share of the workspace's rate; 0, the
//     default, sends none), and the guesses stay within it;
//   - no 429 or 529 came for guessQuiet (Notion's 60 s window), to this
//     integration nor, through Config.Workspace, to another integration of
//     the workspace for the workspace's limit;
//   - since the last pause at least firstFlight answers were accepted (a
//     one-shot run has no such evidence before its first round);
//   - the pacer has spare budget now (pacer.spare, tryAcquire).
//
// Otherwise only the calls a verdict needs are sent, and the probe asks a
// later round what the guess would have asked, if it still matters.

// guessQuiet is how long after a 429 (or the end of its pause) no guess is
// sent.
const guessQuiet = 60 * time.Second

// allowGuesses lets the pacer send guesses at up to r requests per second
// (none when r <= 0).
func (p *pacer) allowGuesses(r float64) {
	if r <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.guess = rate.NewLimiter(rate.Limit(r), max(1, int(math.Ceil(r))))
}

// mayGuess reports whether the evidence says a guess fits now (p.mu held).
func (p *pacer) mayGuess(now time.Time) bool {
	if p.guess == nil {
		return false
	}
	calm := p.until
	if wu, _ := p.ws.Until(); wu.After(calm) {
		calm = wu
	}
	if !calm.IsZero() && now.Before(calm.Add(guessQuiet)) {
		return false
	}
	n := 0
	for i := len(p.accepted) - 1; i >= 0 && n < firstFlight && p.accepted[i].After(p.until); i-- {
		n++
	}
	return n >= firstFlight
}

// guesses returns how many guesses could go now beyond want needed
// requests about to be sent: none without the evidence above, else the
// pacer's spare budget within the guesses' own rate.
func (p *pacer) guesses(want int) int {
	n := p.spare(want)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if n <= 0 || !p.mayGuess(now) {
		return 0
	}
	return min(n, int(math.Floor(p.guess.TokensAt(now))))
}

// tryGuess lets a guess out only if the evidence says it fits and it can
// go at once (tryAcquire); otherwise it returns ErrNoSpareBudget having
// spent nothing.
func (p *pacer) tryGuess(ctx context.Context) (pass, error) {
	p.mu.Lock()
	now := p.now()
	if !p.mayGuess(now) {
		p.mu.Unlock()
		return pass{}, ErrNoSpareBudget
	}
	r := p.guess.ReserveN(now, 1)
	if !r.OK() || r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		p.mu.Unlock()
		return pass{}, ErrNoSpareBudget
	}
	p.mu.Unlock()
	pa, err := p.tryAcquire(ctx)
	if err != nil {
		p.mu.Lock()
		r.CancelAt(now)
		p.mu.Unlock()
	}
	return pa, err
}
