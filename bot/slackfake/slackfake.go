// Package slackfake is an in-process fake of the parts of Slack the
// notion-check bot talks to: the Web API methods it calls (auth.test,
// chat.postMessage, chat.update, chat.postEphemeral, apps.connections.open),
// a Socket Mode WebSocket speaking the envelope protocol (hello on connect,
// WebSocket PINGs, envelopes pushed by the test, acks recorded in order)
// and response_url endpoints recording what is posted to them. It has fault
// knobs (429 with Retry-After, 5xx, a dropped socket, a disconnect
// envelope) and wait helpers so tests assert without sleeping.
package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Credentials and IDs the fake accepts and reports.
const (
	// BotToken is the only bot token the Web API methods accept.
	BotToken = "xoxb-fake-bot-token"
	// AppToken is the only app-level token apps.connections.open accepts.
	AppToken = "xapp-1-fake-app-token"
	// BotUserID is the bot's user ID answered by auth.test.
	BotUserID = "UBOT00001"
	// BotID is the bot's bot ID answered by auth.test.
	BotID = "BBOT00001"
	// TeamID is the workspace ID.
	TeamID = "T0FAKE001"
	// AppID is the app ID put in envelopes.
	AppID = "A0FAKE001"
	// EnterpriseID is the Enterprise Grid org of the workspace when the
	// fake runs WithEnterprise.
	EnterpriseID = "E0FAKEORG1"
	// SiblingTeamID is another workspace of the same Enterprise Grid org.
	SiblingTeamID = "T0SIBLING1"
)

// Call is one Web API call the fake received.
type Call struct {
	// Method is the Web API method ("chat.postMessage").
	Method string
	// Form is the form-encoded body (slack-go sends form values).
	Form url.Values
	// Body is the JSON body of the methods slack-go sends as JSON
	// (views.publish); nil for form-encoded calls.
	Body []byte
	// Auth is the Authorization header.
	Auth string
	// At is when the call arrived.
	At time.Time
}

// Post is a chat.postMessage or chat.update call, decoded.
type Post struct {
	Method   string
	Channel  string
	Text     string
	ThreadTS string
	// User is the user a chat.postEphemeral is for.
	User string
	// TS is the message ts the fake answered (chat.postMessage) or the
	// message updated (chat.update).
	TS     string
	Blocks json.RawMessage
	At     time.Time
}

// Ack is one message the bot sent over the WebSocket.
type Ack struct {
	// Conn is the connection the ack came on (1 for the first accepted).
	Conn       int
	EnvelopeID string
	Payload    json.RawMessage
	Raw        []byte
	At         time.Time
}

// ResponsePost is one POST to a response_url.
type ResponsePost struct {
	// Name is the last path segment of the response_url (see ResponseURL).
	Name            string
	ResponseType    string
	ReplaceOriginal bool
	Text            string
	Blocks          json.RawMessage
	Body            []byte
	At              time.Time
}

// Fault makes the next Times calls of a method fail.
type Fault struct {
	// Status is the HTTP status answered (429, 500, 503...).
	Status int
	// RetryAfter is sent as the Retry-After header, in whole seconds (0:
	// "0"; only for 429).
	RetryAfter int
	// Times is how many calls fail (1 if 0).
	Times int
	// Delay, when set, holds the answer that long first (a slow Slack);
	// with Status 0 and no Error the call then succeeds normally.
	Delay time.Duration
	// Error, when set, answers HTTP 200 {"ok":false,"error":Error} instead
	// (for example "invalid_blocks", "msg_blocks_too_long", "ratelimited").
	Error string
}

// Option configures a Server.
type Option func(*Server)

// WithPingInterval sets how often the fake sends WebSocket PING frames
// (default 100 ms).
func WithPingInterval(d time.Duration) Option { return func(s *Server) { s.pingEvery = d } }

// WithEcho makes the fake send every successful chat.postMessage back to
// the bot as a message event (with the bot's user and bot IDs), as Slack
// does; the echo envelopes have IDs "env-echo-1", "env-echo-2"...
func WithEcho() Option { return func(s *Server) { s.echo = true } }

// WithEnterprise makes the workspace part of the Enterprise Grid org
// EnterpriseID: auth.test answers its enterprise_id.
func WithEnterprise() Option { return func(s *Server) { s.enterprise = EnterpriseID } }

// WithSpread makes the fake behave as Slack with several connections of
// one app (several replicas): every WebSocket stays open when another one
// connects (up to 10, as Slack allows), and Push sends each envelope to
// one of the open connections, in turn, so that a redelivery lands on
// another connection than the first delivery. Acks record the connection
// they came on.
func WithSpread() Option { return func(s *Server) { s.spread = true } }

// MaxConnections is how many WebSockets of one app Slack keeps open.
const MaxConnections = 10

// ResponseTarget is the Fault target for response_url POSTs.
const ResponseTarget = "response_url"

// Server is the fake Slack. Create it with New; Close it when done.
type Server struct {
	srv        *httptest.Server
	pingEvery  time.Duration
	upgrader   websocket.Upgrader
	echo       bool
	enterprise string
	dropAfter  int // close the socket when the ack count reaches it (0: never)
	spread     bool

	mu        sync.Mutex
	changed   chan struct{}
	calls     []Call
	posts     []Post
	acks      []Ack
	responses []ResponsePost
	respTries int
	faults    map[string][]Fault
	conn      *wsConn
	open      []*wsConn // WithSpread: every open connection, oldest first
	next      int       // WithSpread: the connection Push uses next
	opens     int
	conns     int
	tsSeq     int
	echoes    int
	closed    bool
	views     []View
	outside   map[string]bool // channels the bot is not in (see NotIn)
}

type wsConn struct {
	n    int // 1 for the first connection accepted, 2 for the next...
	c    *websocket.Conn
	wmu  sync.Mutex
	done chan struct{}
}

// New starts a fake Slack.
func New(opts ...Option) *Server {
	s := &Server{
		pingEvery: 100 * time.Millisecond,
		changed:   make(chan struct{}),
		faults:    map[string][]Fault{},
		upgrader:  websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/ws", s.serveWS)
	mux.HandleFunc("/response/", s.serveResponse)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API base URL to give the bot (with the trailing "/").
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a response_url served by the fake; POSTs to it are
// recorded as ResponsePosts with that name.
func (s *Server) ResponseURL(name string) string {
	return s.srv.URL + "/response/" + url.PathEscape(name)
}

// Close drops the WebSocket and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	c := s.conn
	s.conn = nil
	open := s.open
	s.open = nil
	s.mu.Unlock()
	if c != nil {
		_ = c.c.Close()
	}
	for _, o := range open {
		_ = o.c.Close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Fail makes the next fault.Times calls of target fail with fault.Status.
// target is a Web API method ("chat.postMessage") or ResponseTarget.
func (s *Server) Fail(target string, fault Fault) {
	if fault.Times <= 0 {
		fault.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[target] = append(s.faults[target], fault)
}

// takeFault consumes one failing call of target; mu must be held.
func (s *Server) takeFault(target string) (Fault, bool) {
	fs := s.faults[target]
	if len(fs) == 0 {
		return Fault{}, false
	}
	f := fs[0]
	fs[0].Times--
	if fs[0].Times <= 0 {
		s.faults[target] = fs[1:]
	}
	return f, true
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.Error != "" {
		writeJSON(w, map[string]any{"ok": false, "error": f.Error})
		return
	}
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(`{"ok":false,"error":"fake_fault"}`))
}

// notify wakes every waiter; mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor waits until cond (called with mu held) is true or timeout passes.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serveAPI answers one Web API call: it records the call, plays a fault
// set by the test, then answers by method.
//
// It is long for a reason: it is the fake Slack's router, one flat switch
// of Web API methods, each answering as Slack does, so that a reader can
// compare it with Slack's reference method by method.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	var body []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
	}
	_ = r.ParseForm()
	auth := r.Header.Get("Authorization")
	call := Call{Method: method, Form: r.PostForm, Body: body, Auth: auth, At: time.Now()}
	if len(call.Form) == 0 {
		call.Form = r.Form
	}

	s.mu.Lock()
	s.calls = append(s.calls, call)
	fault, failing := s.takeFault(method)
	s.notify()
	s.mu.Unlock()
	if failing {
		if fault.Delay > 0 {
			time.Sleep(fault.Delay)
		}
		if fault.Status != 0 || fault.Error != "" {
			writeFault(w, fault)
			return
		}
	}

	token := strings.TrimPrefix(auth, "Bearer ")
	if token == "" {
		token = call.Form.Get("token")
	}
	if method == "apps.connections.open" {
		if !strings.HasPrefix(token, "xapp-") {
			writeJSON(w, map[string]any{"ok": false, "error": "not_allowed_token_type"})
			return
		}
		if token != AppToken {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		s.mu.Lock()
		s.opens++
		s.notify()
		s.mu.Unlock()
		wsURL := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws"
		writeJSON(w, map[string]any{"ok": true, "url": wsURL})
		return
	}
	if token != BotToken {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://fake.slack.com/", "team": "Fake Team", "user": "notion-check",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "enterprise_id": s.enterprise})
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		channel := call.Form.Get("channel")
		if channel == "" {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		if s.isOutside(channel) {
			writeJSON(w, map[string]any{"ok": false, "error": "not_in_channel"})
			return
		}
		p := Post{Method: method, Channel: channel, Text: call.Form.Get("text"), ThreadTS: call.Form.Get("thread_ts"), User: call.Form.Get("user"), At: call.At}
		if bl := call.Form.Get("blocks"); bl != "" {
			p.Blocks = json.RawMessage(bl)
		}
		s.mu.Lock()
		if method == "chat.update" {
			p.TS = call.Form.Get("ts")
		} else {
			s.tsSeq++
			p.TS = fmt.Sprintf("1700000000.%06d", s.tsSeq)
		}
		s.posts = append(s.posts, p)
		echo := 0
		if s.echo && method == "chat.postMessage" {
			s.echoes++
			echo = s.echoes
		}
		s.notify()
		s.mu.Unlock()
		if echo > 0 {
			env := EventsAPIEnvelope(fmt.Sprintf("env-echo-%d", echo), fmt.Sprintf("EvEcho%d", echo), 0,
				Event{Channel: channel, User: BotUserID, BotID: BotID, Text: p.Text, TS: p.TS, ThreadTS: p.ThreadTS})
			go func() { _ = s.Push(env) }()
		}
		switch method {
		case "chat.postEphemeral":
			writeJSON(w, map[string]any{"ok": true, "message_ts": p.TS})
		default:
			writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": p.TS,
				"message": map[string]any{"type": "message", "text": p.Text, "bot_id": BotID, "user": BotUserID, "ts": p.TS}})
		}
	default:
		if !s.serveSurface(w, method, call) {
			writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
		}
	}
}

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/response/"))
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.respTries++
	fault, failing := s.takeFault(ResponseTarget)
	if failing {
		s.mu.Unlock()
		if fault.Delay > 0 {
			t := time.NewTimer(fault.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				// The client went away (a replica killed) before Slack
				// answered: the post was never accepted.
				t.Stop()
				return
			}
		}
		if fault.Status != 0 || fault.Error != "" {
			writeFault(w, fault)
			return
		}
		s.mu.Lock()
	}
	p := ResponsePost{Name: name, Body: body, At: time.Now()}
	var v struct {
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &v); err != nil || r.Method != http.MethodPost {
		s.mu.Unlock()
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	p.ResponseType, p.ReplaceOriginal, p.Text, p.Blocks = v.ResponseType, v.ReplaceOriginal, v.Text, v.Blocks
	s.responses = append(s.responses, p)
	s.notify()
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true})
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	wc := &wsConn{c: c, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	old := s.conn
	s.conn = wc
	s.conns++
	wc.n = s.conns
	if s.spread {
		s.open = append(s.open, wc)
		old = nil
		if len(s.open) > MaxConnections { // Slack refuses an eleventh
			old, s.open = s.open[0], s.open[1:]
		}
	}
	s.mu.Unlock()
	if old != nil {
		_ = old.c.Close()
	}

	hello := fmt.Sprintf(`{"type":"hello","num_connections":1,"debug_info":{"host":"applink-fake","build_number":10,"approximate_connection_time":18060},"connection_info":{"app_id":%q}}`, AppID)
	wc.wmu.Lock()
	err = c.WriteMessage(websocket.TextMessage, []byte(hello))
	wc.wmu.Unlock()
	s.mu.Lock()
	s.notify()
	s.mu.Unlock()
	if err != nil {
		s.drop(wc)
		return
	}

	go func() { // Slack's PINGs
		t := time.NewTicker(s.pingEvery)
		defer t.Stop()
		for {
			select {
			case <-wc.done:
				return
			case <-t.C:
				if c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	}()

	for { // the reader records acks; it never blocks on the test
		_, data, err := c.ReadMessage()
		if err != nil {
			break
		}
		var v struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		_ = json.Unmarshal(data, &v)
		s.mu.Lock()
		s.acks = append(s.acks, Ack{Conn: wc.n, EnvelopeID: v.EnvelopeID, Payload: v.Payload, Raw: data, At: time.Now()})
		drop := s.dropAfter > 0 && len(s.acks) >= s.dropAfter
		if drop {
			s.dropAfter = 0
		}
		s.notify()
		s.mu.Unlock()
		if drop { // abruptly, as a network failure would
			_ = c.UnderlyingConn().Close()
			break
		}
	}
	s.drop(wc)
}

func (s *Server) drop(wc *wsConn) {
	select {
	case <-wc.done:
	default:
		close(wc.done)
	}
	_ = wc.c.Close()
	s.mu.Lock()
	for i, o := range s.open {
		if o == wc {
			s.open = append(s.open[:i:i], s.open[i+1:]...)
			break
		}
	}
	if s.conn == wc {
		s.conn = nil
		if n := len(s.open); n > 0 {
			s.conn = s.open[n-1]
		}
	}
	s.notify()
	s.mu.Unlock()
}

// OpenConnections returns how many WebSockets are open now (at most 1
// without WithSpread).
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.spread {
		if s.conn != nil {
			return 1
		}
		return 0
	}
	return len(s.open)
}

// WaitOpenConnections waits until n WebSockets are open at once.
func (s *Server) WaitOpenConnections(n int, timeout time.Duration) error {
	if !s.waitFor(timeout, func() bool { return len(s.open) >= n || (!s.spread && n <= 1 && s.conn != nil) }) {
		return fmt.Errorf("slackfake: %d WebSocket connections open after %s, want %d", s.OpenConnections(), timeout, n)
	}
	return nil
}

// pick returns the connection the next envelope goes to; mu must be held.
func (s *Server) pick() *wsConn {
	if !s.spread || len(s.open) == 0 {
		return s.conn
	}
	wc := s.open[s.next%len(s.open)]
	s.next++
	return wc
}

// Connected reports whether a bot is connected to the WebSocket.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// Connections returns how many WebSocket connections were accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// WaitConnections waits until at least n WebSocket connections were
// accepted and one is open.
func (s *Server) WaitConnections(n int, timeout time.Duration) error {
	if !s.waitFor(timeout, func() bool { return s.conns >= n && s.conn != nil }) {
		return fmt.Errorf("slackfake: %d WebSocket connections after %s, want %d", s.Connections(), timeout, n)
	}
	return nil
}

// Push sends a raw envelope to the connected bot, waiting up to 5 s for a
// connection.
func (s *Server) Push(envelope []byte) error {
	_, err := s.PushConn(envelope)
	return err
}

// PushConn is Push that also says which connection the envelope went to
// (1 for the first accepted); with WithSpread, the open connections take
// turns.
func (s *Server) PushConn(envelope []byte) (int, error) {
	var wc *wsConn
	s.waitFor(5*time.Second, func() bool { wc = s.pick(); return wc != nil })
	if wc == nil {
		return 0, errors.New("slackfake: no WebSocket connection to push to")
	}
	wc.wmu.Lock()
	defer wc.wmu.Unlock()
	return wc.n, wc.c.WriteMessage(websocket.TextMessage, envelope)
}

// Disconnect sends a disconnect envelope with reason ("warning",
// "refresh_requested", "too_many_websockets"...).
func (s *Server) Disconnect(reason string) error {
	return s.Push(DisconnectEnvelope(reason))
}

// DropSocket closes the current WebSocket abruptly (no close frame).
func (s *Server) DropSocket() {
	s.mu.Lock()
	wc := s.conn
	s.mu.Unlock()
	if wc != nil {
		_ = wc.c.UnderlyingConn().Close()
	}
}

// DropAfterAcks makes the fake close the WebSocket abruptly as soon as it
// has received n acks in total (counting those already received); acks the
// bot sends afterwards on that socket are lost, as in a network failure.
func (s *Server) DropAfterAcks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAfter = n
}

// Acks returns every message received on the WebSocket, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// WaitAcks waits until at least n acks were received and returns them all.
func (s *Server) WaitAcks(n int, timeout time.Duration) ([]Ack, error) {
	s.waitFor(timeout, func() bool { return len(s.acks) >= n })
	acks := s.Acks()
	if len(acks) < n {
		return acks, fmt.Errorf("slackfake: %d acks after %s, want %d", len(acks), timeout, n)
	}
	return acks, nil
}

// WaitAck waits for the ack of one envelope.
func (s *Server) WaitAck(envelopeID string, timeout time.Duration) (Ack, error) {
	var a Ack
	ok := s.waitFor(timeout, func() bool {
		for _, x := range s.acks {
			if x.EnvelopeID == envelopeID {
				a = x
				return true
			}
		}
		return false
	})
	if !ok {
		return a, fmt.Errorf("slackfake: no ack for envelope %q after %s", envelopeID, timeout)
	}
	return a, nil
}

// Calls returns the Web API calls of method ("" for all), in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Posts returns every chat.postMessage, chat.postEphemeral and chat.update
// that succeeded, in order.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// WaitPosts waits until at least n posts succeeded and returns them all.
func (s *Server) WaitPosts(n int, timeout time.Duration) ([]Post, error) {
	s.waitFor(timeout, func() bool { return len(s.posts) >= n })
	p := s.Posts()
	if len(p) < n {
		return p, fmt.Errorf("slackfake: %d posts after %s, want %d", len(p), timeout, n)
	}
	return p, nil
}

// ResponsePosts returns every successful response_url POST, in order.
func (s *Server) ResponsePosts() []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ResponsePost(nil), s.responses...)
}

// WaitResponsePosts waits until at least n response_url POSTs succeeded
// and returns them all.
func (s *Server) WaitResponsePosts(n int, timeout time.Duration) ([]ResponsePost, error) {
	s.waitFor(timeout, func() bool { return len(s.responses) >= n })
	p := s.ResponsePosts()
	if len(p) < n {
		return p, fmt.Errorf("slackfake: %d response_url posts after %s, want %d", len(p), timeout, n)
	}
	return p, nil
}

// ResponseAttempts returns how many POSTs reached the response_url
// endpoints, failed ones (faults) included.
func (s *Server) ResponseAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.respTries
}
