package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/secret"
)

// The way of one acknowledged request, in memory and on Redis alike:
//
//	ingest (event loop): Admit (dedupe + queue, one step), then ack
//	take (item workers): Begin the turn, plan (read the text), then
//	    no report needed   -> ready
//	    a fresh report     -> ready
//	    a diagnosis queued  -> the ticket waits on its flight (no goroutine)
//	    the queue full      -> ready, busy
//	diagnoseLoop (Config.MaxConcurrent): one diagnosis per flight,
//	    coalesced across replicas; every waiter -> ready
//	deliverLoop: fencing check, the reply, Ack of the item
//
// Goroutines are a fixed number per process, however many requests wait.

// reportResult says how a report was (not) reached.
type reportResult int

const (
	reportOK    reportResult = iota // a report, fresh from the cache or a diagnosis
	reportBusy                      // the queue of work that needs Notion is full
	reportCut                       // the shutdown stopped the check
	reportPanic                     // the diagnosis failed inside notion-check
)

// ticket is one queued item whose turn this replica holds, with its job.
type ticket struct {
	it   *cluster.Item
	j    job
	lost atomic.Bool // the turn ran out and another replica took it
}

// outcome is a ticket with the report it is to be answered with.
type outcome struct {
	t   *ticket
	rep diagnose.Report
	res reportResult
}

// workers are the item workers, which take the queued work until their
// context (the end of serving) is done: one item at a time each, one left
// unanswered by a replica that stopped renewing its turn (a claim, at
// most every claimEvery per replica), else a new one.
type workers struct {
	b         *Bot
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	lastClaim atomic.Int64 // unix nanoseconds of the last Claim
}

// claimEvery spaces the Claims of one replica's workers: one XAUTOCLAIM
// each claimEvery at most, not one per worker per item.
const claimEvery = 250 * time.Millisecond

// mayClaim reports whether this worker may look for abandoned work now
// (at most once per claimEvery per replica; never in memory, where no
// other replica leaves work).
func (w *workers) mayClaim() bool {
	if !w.b.shared() {
		return false
	}
	now := time.Now().UnixNano()
	last := w.lastClaim.Load()
	return now-last >= int64(claimEvery) && w.lastClaim.CompareAndSwap(last, now)
}

// startWorkers starts the fixed pools: item workers (until stop), and the
// diagnosis and delivery loops and the turn keeper (until the bot's life
// ends).
func (b *Bot) startWorkers() *workers {
	w := &workers{b: b}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	for range b.cfg.MaxConcurrent {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.loop()
		}()
		go b.diagnoseLoop()
		go b.deliverLoop()
	}
	if b.shared() {
		go b.turns.run(b.life)
	}
	return w
}

func (w *workers) loop() {
	b := w.b
	q := b.cfg.Cluster.Queue()
	for w.ctx.Err() == nil {
		// One ticket slot per item taken, freed once it is answered: the
		// acknowledged requests a replica holds are bounded
		// (Config.MaxPending), the rest waits in the queue.
		select {
		case b.tickets <- struct{}{}:
		case <-w.ctx.Done():
			return
		}
		var items []*cluster.Item
		if w.mayClaim() {
			// Work whose turn ran out (its replica died, was paused or
			// cut off, or handed it back) comes before new work: it is
			// older. Its pending entry is idle for ClaimAfter only when
			// nobody renews it (the holder's keeper resets it).
			items, _ = q.Claim(w.ctx, b.cfg.ClaimAfter, 1)
			b.cfg.Hooks.claimed(len(items))
			if len(items) > 0 {
				b.log.Info("took over work another replica left unanswered", "items", len(items))
			}
		}
		if len(items) == 0 {
			var err error
			if items, err = q.Read(w.ctx, 1, readBlock); err != nil {
				<-b.tickets
				return
			}
		}
		if len(items) == 0 {
			<-b.tickets
		}
		for i, it := range items {
			if i > 0 {
				b.tickets <- struct{}{}
			}
			b.take(it)
		}
	}
}

// stop stops taking new work and, in the background (tracked as work in
// flight, so the shutdown waits for it), waits for the workers' current
// items, then takes the items this replica holds in memory only (all of
// them in memory mode; those queued while Redis was down otherwise): no
// other replica can. It first stops counting this replica alive (so that
// a shutdown hands work only to replicas that stay) and makes any item a
// read delivered here without a worker beginning it claimable by the
// others at once. Items in Redis that no worker began stay in the queue
// for another replica.
func (w *workers) stop() {
	w.cancel()
	b := w.b
	q := b.cfg.Cluster.Queue()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	b.cfg.Cluster.Leave(ctx)
	_ = q.ReleaseUnbegun(ctx)
	cancel()
	// Tracked so that the shutdown waits for it, but not counted as a
	// request in flight (see shutdown).
	b.draining.Add(1)
	b.wg.Add(1)
	go func() {
		defer b.draining.Add(-1)
		defer b.wg.Done()
		w.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := q.ReleaseUnbegun(ctx); err != nil {
			b.log.Warn("queued work read but not begun could not be handed back; another replica takes it after REDIS_CLAIM_AFTER",
				"error", secret.Redact(err.Error()))
		}
		cancel()
		for {
			// Only the items kept in this replica's memory: reading the
			// shared queue now would take one more item from the others.
			select {
			case b.tickets <- struct{}{}:
			case <-b.life.Done():
				return
			}
			items := q.Local(1)
			if len(items) == 0 {
				<-b.tickets
				return
			}
			b.take(items[0])
		}
	}()
}

// localDepth is the depth of the queue in this process's memory: the
// acknowledged items no other replica can answer (memory mode); zero with
// Redis, where the others take over what this one leaves.
func (b *Bot) localDepth() cluster.Depth {
	if b.shared() {
		return cluster.Depth{}
	}
	d, _ := b.cfg.Cluster.Queue().Depth(context.Background())
	return d
}

// take takes one queued item: the turn to answer it, its plan (the text
// read here, off the event loop), and its report — at once from the
// cache, or later from the diagnosis it waits for, without a goroutine of
// its own.
func (b *Bot) take(it *cluster.Item) {
	defer func() {
		if r := recover(); r != nil { // the item stays pending: claimed later, at most maxWorkAttempts turns
			b.log.Error("panic while taking queued work, recovered", "panic", secret.Redact(fmt.Sprint(r)))
		}
	}()
	b.wg.Add(1) // done by release, or here when there is nothing to answer
	ticketed := false
	defer func() {
		if !ticketed {
			<-b.tickets
			b.wg.Done()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	turn, err := b.cfg.Cluster.Queue().Begin(ctx, it)
	cancel()
	if err != nil || turn == cluster.TurnBusy {
		return
	}
	if turn == cluster.TurnAnswered {
		b.ackItem(it)
		return
	}
	j, ok := b.plan(it.Payload)
	if !ok {
		b.ackItem(it)
		return
	}
	t := &ticket{it: it, j: j}
	ticketed = true
	b.turns.hold(t)
	if b.cfg.Hooks.OnTurn != nil {
		b.cfg.Hooks.OnTurn(it.Key)
	}
	if j.rd == nil {
		b.ready.push(outcome{t: t})
		return
	}
	b.request(t)
}

// plan plans a queued envelope; a payload of more than smallTextBytes is
// read in one of the read slots (at most readSlots big texts are read at
// once, leaving a CPU to the event loop and the diagnoses).
func (b *Bot) plan(payload []byte) (job, bool) {
	if len(payload) > smallTextBytes {
		b.readSlots <- struct{}{}
		defer func() { <-b.readSlots }()
	}
	return b.jobOf(payload)
}

// request finds the report of a ticket's reading: from the cache while it
// is fresh (Config.CacheTTL; never for a "Check again"), else from the
// one diagnosis of that reading queued or running (the ticket waits on
// it), else from a new one when the queue of diagnoses has room, else
// busy.
func (b *Bot) request(t *ticket) {
	rd, fresh := *t.j.rd, t.j.fresh
	key := "report:" + b.cfg.ReportScope + ":" + readingKey(rd)
	if !fresh && b.cfg.CacheTTL > 0 {
		if rep, ok := b.cachedReport(key); ok {
			b.log.Debug("answered from the report cache", "handler", t.j.what)
			b.ready.push(outcome{t: t, rep: rep})
			return
		}
	}
	if !b.flights.join(key, fresh, t) {
		b.log.Warn("work queue full, answering busy", "handler", t.j.what, "queued", b.flights.max)
		b.ready.push(outcome{t: t, res: reportBusy})
	}
}

// cachedReport reads a fresh report from the cache.
func (b *Bot) cachedReport(key string) (diagnose.Report, bool) {
	ctx, cancel := context.WithTimeout(b.cut, dedupeTimeout)
	defer cancel()
	val, ok := b.cfg.Cluster.Reports().Get(ctx, key)
	if !ok {
		return diagnose.Report{}, false
	}
	var rep diagnose.Report
	if err := json.Unmarshal(val, &rep); err != nil {
		return diagnose.Report{}, false
	}
	return rep, true
}

// flights are the diagnoses queued or running, one per reading (and one
// more per reading for "Check again", which shares only a fresh one),
// each with the tickets waiting for it. At most max at once: the bounded
// queue of work that needs Notion.
type flights struct {
	mu   sync.Mutex
	max  int
	m    map[string]*flight
	todo chan *flight // the flights not begun; never more than len(m)
}

// flight is one diagnosis, shared by every identical request.
type flight struct {
	key, fkey string
	fresh     bool
	rd        diagnose.Reading
	source    string
	waiters   []*ticket
}

func newFlights(max int) *flights {
	return &flights{max: max, m: map[string]*flight{}, todo: make(chan *flight, max)}
}

// join makes t wait for the diagnosis of key, queueing one when none is
// queued or running; false when the queue is full.
func (fs *flights) join(key string, fresh bool, t *ticket) bool {
	fkey := key
	if fresh {
		fkey = "fresh:" + key
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[fkey]; ok {
		f.waiters = append(f.waiters, t)
		return true
	}
	if len(fs.m) >= fs.max {
		return false
	}
	f := &flight{key: key, fkey: fkey, fresh: fresh, rd: *t.j.rd, source: t.j.what, waiters: []*ticket{t}}
	fs.m[fkey] = f
	fs.todo <- f // never blocks: todo holds at most len(m) <= max flights
	return true
}

// land ends f and returns its waiters: a request coming later finds the
// report in the cache, or starts a new flight.
func (fs *flights) land(f *flight) []*ticket {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.m, f.fkey)
	ws := f.waiters
	f.waiters = nil
	return ws
}

// diagnoseLoop runs the queued diagnoses one at a time until the bot's
// life ends; Config.MaxConcurrent of them run.
func (b *Bot) diagnoseLoop() {
	for {
		var f *flight
		select {
		case f = <-b.flights.todo:
		case <-b.life.Done():
			return
		}
		rep, res := b.coalesced(f)
		for _, t := range b.flights.land(f) {
			b.ready.push(outcome{t: t, rep: rep, res: res})
		}
	}
}

// coalesced diagnoses a flight's reading once across the replicas
// (cluster.Coalesce): a report another replica just finished is read
// from the cache, one it is diagnosing now is waited for, and what this
// replica diagnoses is kept for Config.CacheTTL when worth keeping.
func (b *Bot) coalesced(f *flight) (diagnose.Report, reportResult) {
	rep, res := diagnose.Report{}, reportCut
	probed := false
	val, outcome := cluster.Coalesce(b.cut, b.cfg.Cluster.Reports(), f.key, cluster.CoalesceOptions{
		Fresh: f.fresh, // read again: another replica may have just finished
		Lease: b.cfg.DiagnosisTimeout + 10*time.Second,
	}, func(ctx context.Context) ([]byte, time.Duration) {
		probed = true
		rep, res = b.runDiagnosis(f.source, f.rd, f.fresh)
		if res != reportOK {
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
		return b.runDiagnosis(f.source, f.rd, f.fresh)
	}
	b.log.Debug("answered with another request's diagnosis", "handler", f.source, "outcome", outcome.String())
	return shared, reportOK
}

// runDiagnosis runs one diagnosis under the concurrency bound. The
// diagnosis runs on its own: the shutdown's cut answers at once even when
// a diagnosis does not end on cancellation (the prober's shared flights
// end at their deadline); its slot is freed when it ends.
func (b *Bot) runDiagnosis(source string, rd diagnose.Reading, fresh bool) (diagnose.Report, reportResult) {
	select {
	case b.sem <- struct{}{}:
	case <-b.cut.Done():
		return diagnose.Report{}, reportCut
	}
	ch := make(chan outcome, 1)
	go func() {
		defer func() { <-b.sem }()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("panic in the diagnosis, recovered", "handler", source, "panic", secret.Redact(fmt.Sprint(r)))
				ch <- outcome{res: reportPanic}
			}
		}()
		rep := b.diagnose(b.cut, source, rd, fresh)
		ch <- outcome{rep: rep, res: reportOK}
	}()
	select {
	case o := <-ch:
		if o.res == reportOK && b.cut.Err() != nil {
			o.res = reportCut // cut short: what it says may be wrong
		}
		return o.rep, o.res
	case <-b.cut.Done():
		return diagnose.Report{}, reportCut
	}
}

// deliverLoop delivers the outcomes reached until the bot's life ends.
func (b *Bot) deliverLoop() {
	for {
		o, ok := b.ready.pop(b.life)
		if !ok {
			return
		}
		answered, stopped, gone := b.reply(o)
		b.release(o.t, answered, stopped, gone)
	}
}

// reply answers one ticket. gone is true when the request was left to
// another replica (handed back, or the turn lost): neither answered nor
// lost here.
func (b *Bot) reply(o outcome) (answered, stopped int, gone bool) {
	t := o.t
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic in a Slack handler, recovered", "handler", t.j.what, "panic", secret.Redact(fmt.Sprint(r)))
			answered, stopped, gone = 0, 0, false
			ctx, cancel := b.replyCtx()
			defer cancel()
			if b.owns(ctx, t) {
				answered = b.notifySafe(ctx, t, noticeFailed)
			} else {
				gone = true
			}
		}
	}()
	if o.res == reportCut && b.handBack(t.it) {
		return 0, 0, true
	}
	ctx, cancel := b.replyCtx()
	defer cancel()
	if !b.owns(ctx, t) {
		return 0, 0, true
	}
	switch o.res {
	case reportOK:
		answered = b.sent(b.deliver(t.j.to.report(ctx, o.rep)))
	case reportBusy:
		err := t.j.to.notify(ctx, noticeBusy)
		answered = 1 // a refusal is an answer; a help-channel message gets none
		if !errors.Is(err, errNoNotice) {
			answered = b.sent(b.deliver(err))
		}
	case reportCut:
		if err := t.j.to.notify(ctx, noticeStopped); !errors.Is(err, errNoNotice) {
			stopped = b.sent(b.deliver(err))
		}
	case reportPanic:
		answered = b.notifySafe(ctx, t, noticeFailed)
	}
	return answered, stopped, false
}

// notifySafe sends a failure notice, recovering from a panic in it.
func (b *Bot) notifySafe(ctx context.Context, t *ticket, n notice) (sent int) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic while answering after a panic", "handler", t.j.what)
			sent = 0
		}
	}()
	err := t.j.to.notify(ctx, n)
	if errors.Is(err, errNoNotice) {
		return 0
	}
	return b.sent(b.deliver(err))
}

// release ends a ticket: the outcome counted, the turn no longer kept, the
// item acked once answered. An item whose answer could not be delivered
// is left pending in Redis: another replica (or this one) retries it once
// its turn runs out, at most maxWorkAttempts times.
func (b *Bot) release(t *ticket, answered, stopped int, gone bool) {
	defer b.wg.Done()
	defer func() { <-b.tickets }()
	b.turns.drop(t)
	if gone {
		b.stats.handOff()
		return // another replica answers it
	}
	b.stats.add(answered, stopped, 1-answered-stopped)
	if b.counted != nil {
		b.counted()
	}
	if answered+stopped > 0 || t.it.Attempt >= maxWorkAttempts || !b.shared() {
		if answered+stopped == 0 && b.shared() {
			b.log.Error("queued work dropped: its answer could not be delivered", "handler", t.j.what, "attempts", t.it.Attempt)
		}
		b.ackItem(t.it)
	}
}

// ackItem records that an item was answered.
func (b *Bot) ackItem(it *cluster.Item) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := b.cfg.Cluster.Queue().Ack(ctx, it); err != nil && !errors.Is(err, context.Canceled) {
		b.log.Warn("queued work answered but not acknowledged", "error", secret.Redact(err.Error()))
	}
}

// handBack gives an item this replica cannot finish (shutdown) back to the
// other replicas, when any is alive; false when none is (the caller
// answers StoppedText) or it could not be handed back.
func (b *Bot) handBack(it *cluster.Item) bool {
	if !b.shared() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	others, err := b.cfg.Cluster.Others(ctx)
	if err != nil || others == 0 {
		return false
	}
	if err := b.cfg.Cluster.Queue().Release(ctx, it); err != nil {
		return false
	}
	b.log.Info("unfinished work handed back to the other replicas", "replicas_alive", others)
	return true
}

// owns is the fencing check right before a post: the turn is renewed in
// Redis now (not just remembered from the keeper's last renewal).
func (b *Bot) owns(ctx context.Context, t *ticket) bool {
	var err error
	held := !t.lost.Load()
	if held {
		held, err = b.cfg.Cluster.Queue().Renew(ctx, t.it)
	}
	if held {
		return true
	}
	t.lost.Store(true)
	b.log.Warn("not posting: this replica no longer holds the turn of the request (another replica answers it)",
		"reason", errString(err))
	if b.cfg.Hooks.OnFenced != nil {
		b.cfg.Hooks.OnFenced()
	}
	return false
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return secret.Redact(err.Error())
}

// turnKeeper renews the turns of every ticket this replica holds, every
// third of Config.ClaimAfter, from one goroutine: another replica takes
// an item over only once this one stops renewing (it died, was paused or
// cut off from Redis).
type turnKeeper struct {
	b    *Bot
	mu   sync.Mutex
	held map[*ticket]struct{}
}

func newTurnKeeper(b *Bot) *turnKeeper {
	return &turnKeeper{b: b, held: map[*ticket]struct{}{}}
}

func (k *turnKeeper) hold(t *ticket) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.held[t] = struct{}{}
}

func (k *turnKeeper) drop(t *ticket) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.held, t)
}

// run renews the turns held until ctx ends.
func (k *turnKeeper) run(ctx context.Context) {
	b := k.b
	every := max(b.cfg.ClaimAfter/3, time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		k.mu.Lock()
		ts := make([]*ticket, 0, len(k.held))
		for t := range k.held {
			if !t.lost.Load() {
				ts = append(ts, t)
			}
		}
		k.mu.Unlock()
		for _, t := range ts {
			rctx, cancel := context.WithTimeout(ctx, max(every, 100*time.Millisecond))
			held, err := b.cfg.Cluster.Queue().Renew(rctx, t.it)
			cancel()
			if !held && errors.Is(err, cluster.ErrLostTurn) {
				t.lost.Store(true)
				b.log.Warn("lost the turn of queued work (this replica was paused or cut off too long): another replica answers it")
			}
		}
	}
}

// fifo is an unbounded first-in first-out queue for several consumers.
type fifo[T any] struct {
	mu    sync.Mutex
	items []T
	wake  chan struct{}
}

func newFIFO[T any]() *fifo[T] { return &fifo[T]{wake: make(chan struct{}, 1)} }

func (q *fifo[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for the first item; false when ctx ended first.
func (q *fifo[T]) pop(ctx context.Context) (T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v := q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			more := len(q.items) > 0
			q.mu.Unlock()
			if more { // pass the wake-up on to another consumer
				select {
				case q.wake <- struct{}{}:
				default:
				}
			}
			return v, true
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			var zero T
			return zero, false
		}
	}
}

// readingKey is the normalised reading: the references found (with their
// sources, since a report quotes them), the pasted call and whether the
// text held a token. A Reading never holds a secret; the key is a hash
// anyway.
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
