// Package notiontest is a fake Notion API on net/http/httptest for tests.
//
// It answers like the real API as its reference and observed answers describe it:
// compact JSON error bodies with the keys object, status, code, message,
// request_id (in that order, plus additional_data where Notion sends it),
// content-type "application/json; charset=utf-8", a fresh request ID in the
// body and in the x-notion-request-id header, 401 for unknown or revoked
// tokens, 400 missing_version, 400 for malformed path IDs, 404
// object_not_found for everything not shared, the wrong-endpoint 400s of a
// shared object, and the differences between Notion-Version 2022-06-28 and
// 2025-09-03. Modes add latency, Notion's rate limits (a per-connection
// window budget, a workspace-wide one, or a token bucket; see ratelimit.go)
// answering 429 with Retry-After and rate_limit_reason, forced 5xx/529
// answers, Cloudflare-style HTML edge errors and slow answers.
//
// The default world (the exported ID constants) holds shared and unshared
// pages, a trashed page, databases with one and two data sources, a linked
// database, a database whose data source is out of reach, blocks, a data
// source and a view readable through GET /v1/views/{id} (2025-09-03 and
// later). Three integrations see it, each with its own sharing: Iris
// Checker (GoodToken), Marketing Sync (MarketingToken) and a personal
// access token (PersonalToken, whose users/me bot is owned by a user);
// MarketingOnlyPageID is shared with Marketing Sync only. Under
// Notion-Version 2026-03-11 answers carry in_trash and no archived.
//
// A test on a virtual clock (testing/synctest) starts the fake with
// InProcess and reaches it through Server.Transport: no socket, the same
// answers.
package notiontest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the fake received.
type Call struct {
	// Method and Path (no query) of the request.
	Method string
	Path   string
	// Version is the Notion-Version header sent ("" when missing).
	Version string
	// Integration is the name of the integration whose token made the
	// request (IntegrationName, MarketingName or PersonalName; "" for a
	// missing, revoked or unknown token), so that a test can count each
	// integration's calls without the log holding a token.
	Integration string
	// Status is the HTTP status answered (0 while the request is in
	// flight).
	Status int
	// Code is the error code answered ("" for 200 and HTML answers).
	Code string
	// RetryAfter is the Retry-After header answered ("" when none).
	RetryAfter string
	// Start and End are when the request arrived and when the answer was
	// written (after any latency; taken just before the answer is written,
	// so no client can have read it earlier); End is zero while in flight.
	Start, End time.Time
}

// Fault makes the fake answer some requests with an error instead of the
// normal answer.
type Fault struct {
	// PathPrefix selects the requests (for example "/v1/blocks/");
	// "" selects every request, /v1/users/me included.
	PathPrefix string
	// Status is the status to answer: 500, 502, 503, 504, 529 or 429 (JSON
	// bodies with Notion's codes), or anything else with Edge. 0 with a
	// Delay only delays the normal answer.
	Status int
	// Code and Message, when Code is set, make a JSON error of any status
	// and code (for example 400 validation_error, 409 conflict_error).
	Code, Message string
	// Edge answers a Cloudflare-style HTML page with a cf-ray header and no
	// x-notion-request-id instead of JSON.
	Edge bool
	// RetryAfter is the Retry-After header value for 429/529 ("" for none).
	RetryAfter string
	// Delay is slept before answering (a slow answer).
	Delay time.Duration
	// Times is how many requests the fault applies to; 0 means every one.
	Times int
}

// Option configures a Server.
type Option func(*Server)

// WithLatency adds d before every answer (one simulated round trip).
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// WithFault adds a fault (see Fault); faults are tried in order.
func WithFault(f Fault) Option {
	return func(s *Server) { s.faults = append(s.faults, &f) }
}

// WithIntegration sets the bot's name and workspace name (defaults
// IntegrationName and WorkspaceName).
func WithIntegration(name, workspace string) Option {
	return func(s *Server) {
		s.name = name
		s.workspace = workspace
	}
}

// InProcess starts no listener: the fake answers only through
// Server.Transport, in the caller's goroutine, and URL is InProcessURL. A
// test on a virtual clock (testing/synctest) needs it: inside a bubble,
// time moves only when every goroutine is durably blocked, which a
// goroutine waiting on a socket never is.
func InProcess() Option {
	return func(s *Server) { s.inProcess = true }
}

// InProcessURL is the base URL of an InProcess fake. Requests to it must go
// through Server.Transport (the name never resolves).
const InProcessURL = "http://notion.invalid"

// WithTitle sets the title of the object id of the default world (a page,
// database, data source, view or block), for titles a test needs: a
// hostile one, an odd script. An unknown id is ignored.
func WithTitle(id, title string) Option {
	return func(s *Server) {
		if o, ok := s.world[id]; ok {
			o.title = title
		}
	}
}

// Server is a running fake Notion API.
type Server struct {
	// URL is the base URL to give the client (NOTION_API_URL): /v1/... is
	// appended to it.
	URL string

	inProcess bool
	srv       *httptest.Server
	latency   time.Duration
	limits    limits
	name      string
	workspace string
	world     map[string]*object

	mu     sync.Mutex
	faults []*Fault
	calls  []Call

	// renamed is the bot's name after Rename ("": s.name). Its own lock:
	// serve reads it holding mu.
	nameMu  sync.Mutex
	renamed string
}

// NewServer starts a fake Notion API with the default world and closes it
// when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Notion API outside a test (for a measuring program);
// the caller must Close it.
func Start(opts ...Option) *Server {
	s := &Server{
		name:      IntegrationName,
		workspace: WorkspaceName,
		world:     defaultWorld(),
	}
	for _, o := range opts {
		o(s)
	}
	if s.inProcess {
		s.URL = InProcessURL
		return s
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Transport returns a RoundTripper that answers every request in this
// process, whatever its host: the fake's handler runs in the caller's
// goroutine and its whole answer is returned, as if read from a socket. A
// request whose context ends while the fake delays its answer gets the
// context's error, as from a real transport.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	// What a server would see: the body read whole, the request URI set.
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	sr := r.Clone(r.Context())
	sr.Body = io.NopCloser(bytes.NewReader(body))
	sr.RequestURI = r.URL.RequestURI()
	sr.RemoteAddr = "192.0.2.1:1234"
	if sr.Host == "" {
		sr.Host = r.URL.Host
	}
	rec := httptest.NewRecorder()
	t.s.serve(rec, sr)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = r
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = "HTTP/1.1", 1, 1
	return resp, nil
}

// AddFault adds a fault while the server runs.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Share shares an object of the world with the integration (for example
// UnsharedPageID, to test a "Check again" after the person fixed it). It
// reports false for an ID the world does not hold.
func (s *Server) Share(id string) bool { return s.setShared(id, true) }

// Unshare removes an object's connection to the integration: from then on
// it answers 404 object_not_found everywhere.
func (s *Server) Unshare(id string) bool { return s.setShared(id, false) }

func (s *Server) setShared(id string, shared bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.world[id]
	if o == nil {
		return false
	}
	o.shared = shared
	return true
}

// ShareWith shares an object with the integration of token
// (MarketingToken, PersonalToken, or GoodToken as Share does); UnshareWith
// removes it. Both report false for an unknown ID or token.
func (s *Server) ShareWith(token, id string) bool { return s.setSharedWith(token, id, true) }

// UnshareWith removes an object from the integration of token.
func (s *Server) UnshareWith(token, id string) bool { return s.setSharedWith(token, id, false) }

func (s *Server) setSharedWith(token, id string, shared bool) bool {
	switch token {
	case GoodToken, NoReadToken:
		return s.setShared(id, shared)
	}
	w := map[string]who{MarketingToken: wMarketing, PersonalToken: wPersonal, OAuthToken: wOAuth}
	ww, ok := w[token]
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.world[id]
	if !ok || o == nil {
		return false
	}
	o.others[ww] = shared
	return true
}

// Calls returns every request received so far, in order of arrival.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo counts the requests whose path starts with prefix (for example
// "/v1/blocks/"); "" counts every request.
func (s *Server) CallsTo(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

// Count429 counts the 429 answers given so far.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// Reset forgets the recorded calls (faults and rate limits stay).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Rounds returns how many sequential round trips the given calls took:
// calls that overlap in time count as one round.
func Rounds(calls []Call) int {
	rounds := 0
	var end time.Time
	for _, c := range calls {
		if c.End.IsZero() {
			c.End = c.Start
		}
		if rounds == 0 || !c.Start.Before(end) {
			rounds++
			end = c.End
		} else if c.End.After(end) {
			end = c.End
		}
	}
	return rounds
}

// NewRequestID returns a fresh random UUID as Notion uses for request IDs.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// answer is one response being built.
type answer struct {
	status int
	body   []byte
	header http.Header
	code   string
}

type errBody struct {
	Object         string         `json:"object"`
	Status         int            `json:"status"`
	Code           string         `json:"code"`
	Message        string         `json:"message"`
	RequestID      string         `json:"request_id"`
	AdditionalData map[string]any `json:"additional_data,omitempty"`
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func jsonAnswer(status int, body any) answer {
	return answer{status: status, body: marshal(body)}
}

func errAnswer(status int, code, msg string, extra map[string]any) answer {
	a := answer{status: status, code: code}
	a.body = marshal(errBody{Object: "error", Status: status, Code: code, Message: msg, AdditionalData: extra})
	return a
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.mu.Lock()
	// The call is logged on arrival (so that a request whose client gave
	// up is still counted) and completed when answered.
	idx := len(s.calls)
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Version: r.Header.Get("Notion-Version"), Integration: s.caller(r), Start: start})
	var fault *Fault
	for _, f := range s.faults {
		if strings.HasPrefix(r.URL.Path, f.PathPrefix) && f.Times >= 0 {
			fault = f
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					f.Times = -1 // used up
				}
			}
			break
		}
	}
	s.mu.Unlock()

	var a answer
	edge := false
	switch {
	case fault != nil && fault.Edge:
		edge = true
		a = answer{status: fault.Status, header: http.Header{}}
		if a.status == 0 {
			a.status = http.StatusBadGateway
		}
		a.body = []byte(fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>%d | api.notion.com | Cloudflare</title></head><body><h1>Error %d</h1><p>Ray ID: 8c2f1e0a9b7d4e21</p></body></html>\n", a.status, a.status))
	case fault != nil && fault.Status != 0:
		a = faultAnswer(fault)
	default:
		a = s.route(r)
	}
	delay := s.latency
	if fault != nil {
		delay += fault.Delay
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}

	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	if edge {
		h.Set("Content-Type", "text/html; charset=UTF-8")
		h.Set("Cf-Ray", "8c2f1e0a9b7d4e21-SJC")
		h.Set("Server", "cloudflare")
	} else {
		rid := NewRequestID()
		a.body = bytes.Replace(a.body, []byte(`"request_id":""`), []byte(`"request_id":"`+rid+`"`), 1)
		if a.status == http.StatusOK {
			// success bodies carry request_id as their last key
			a.body = append(a.body[:len(a.body)-1], []byte(`,"request_id":"`+rid+`"}`)...)
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Notion-Request-Id", rid)
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	// End is taken before the answer leaves, so that a client's next
	// request can be compared with it (Retry-After honoured) without a race
	// between the client reading the answer and the log being completed.
	end := time.Now()
	s.mu.Lock()
	if idx < len(s.calls) && s.calls[idx].Start.Equal(start) && s.calls[idx].Path == r.URL.Path {
		c := &s.calls[idx]
		c.Status, c.Code, c.RetryAfter, c.End = a.status, a.code, h.Get("Retry-After"), end
	}
	s.mu.Unlock()
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

func faultAnswer(f *Fault) answer {
	var a answer
	switch {
	case f.Code != "":
		a = errAnswer(f.Status, f.Code, f.Message, nil)
	case f.Status == 429:
		a = errAnswer(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.", nil)
	case f.Status == 500:
		a = errAnswer(500, "internal_server_error", "Unexpected error occurred.", nil)
	case f.Status == 502:
		a = errAnswer(502, "bad_gateway", "Bad Gateway", nil)
	case f.Status == 503:
		a = errAnswer(503, "service_unavailable", "Notion is unavailable, please try again later.", nil)
	case f.Status == 504:
		a = errAnswer(504, "gateway_timeout", "Gateway Timeout", nil)
	case f.Status == 529:
		a = errAnswer(529, "service_overload", "Notion is temporarily overloaded. Please try again later.", nil)
	default:
		a = errAnswer(f.Status, "internal_server_error", "Unexpected error occurred.", nil)
	}
	if f.RetryAfter != "" {
		a.header = http.Header{"Retry-After": []string{f.RetryAfter}}
	}
	return a
}

// Rename renames the bot of GoodToken (and NoReadToken) from now on, as
// someone renaming the integration in Notion: users/me and the 404s that
// name it say the new name.
func (s *Server) Rename(name string) {
	s.nameMu.Lock()
	defer s.nameMu.Unlock()
	s.renamed = name
}

// botName is the bot's name now: s.name, or the name Rename gave.
func (s *Server) botName() string {
	s.nameMu.Lock()
	defer s.nameMu.Unlock()
	if s.renamed != "" {
		return s.renamed
	}
	return s.name
}

// caller names the integration whose token made r ("" when none does).
func (s *Server) caller(r *http.Request) string {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return s.nameOf(token)
}

// nameOf is the name of token's integration ("" for an unknown token).
func (s *Server) nameOf(token string) string {
	switch token {
	case GoodToken, NoReadToken:
		return s.botName()
	case MarketingToken:
		return MarketingName
	case PersonalToken:
		return PersonalName
	case OAuthToken:
		return OAuthName
	}
	return ""
}

// route answers a request from the world.
//
// It is long for a reason: it is the fake Notion's router, one flat table
// of tokens, methods and paths in the order Notion checks them
// (authentication, version, rate limit, then route), so that a reader can
// compare it with the API's reference line by line.
func (s *Server) route(r *http.Request) answer {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	var w who
	switch {
	case !ok:
		return errAnswer(401, "unauthorized", "API token is invalid.", nil)
	case token == GoodToken || token == NoReadToken:
		w = wIris
	case token == MarketingToken:
		w = wMarketing
	case token == PersonalToken:
		w = wPersonal
	case token == OAuthToken:
		w = wOAuth
	default:
		return errAnswer(401, "unauthorized", "API token is invalid.", nil)
	}
	version := r.Header.Get("Notion-Version")
	if version == "" {
		return errAnswer(400, "missing_version", "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.", nil)
	}
	if !publishedVersion(version) {
		// Notion refuses a version it has not published. The exact text is
		// UNVERIFIED (Notion's error reference); it follows the grammar of
		// missing_version's message.
		return errAnswer(400, "validation_error", fmt.Sprintf("Notion-Version header failed validation: Notion-Version header should be a valid version, instead was `%s`.", marshal(version)), nil)
	}
	if a, limited := s.limit(token); limited {
		return a
	}
	modern := version >= Version20250903
	// From 2026-03-11 on, "archived" is gone from every answer (in_trash
	// stays).
	noArchived := version >= Version20260311
	path := r.URL.Path
	if r.Method == http.MethodPost && path == "/v1/search" {
		return s.search(r, w, token, modern)
	}
	if r.Method != http.MethodGet {
		return errAnswer(400, "invalid_request_url", "Invalid request URL.", nil)
	}
	if path == "/v1/users/me" {
		return jsonAnswer(200, s.botUser(w))
	}
	if path == "/v1/users" {
		return s.users(w)
	}
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return errAnswer(400, "invalid_request_url", "Invalid request URL.", nil)
	}
	family, rawID, ok := strings.Cut(rest, "/")
	param := map[string]string{"pages": "page_id", "databases": "database_id", "data_sources": "data_source_id",
		"blocks": "block_id", "views": "view_id"}[family]
	if !ok || param == "" || rawID == "" || strings.ContainsAny(rawID, "/:") {
		return errAnswer(400, "invalid_request_url", "Invalid request URL.", nil)
	}
	if (family == "data_sources" || family == "views") && !modern {
		return errAnswer(400, "invalid_request_url", "Invalid request URL.", nil)
	}
	id, ok := normalizeID(rawID)
	if !ok {
		return errAnswer(400, "validation_error", fmt.Sprintf("path failed validation: path.%s should be a valid uuid, instead was `%s`.", param, marshal(rawID)), nil)
	}
	if token == NoReadToken {
		return errAnswer(403, "restricted_resource", "API token does not have access to this resource.", nil)
	}
	s.mu.Lock()
	var o *object
	visible := false
	if obj := s.world[id]; obj != nil {
		oc := *obj
		oc.others = nil
		o = &oc
		visible = (w == wIris && obj.shared) || (w != wIris && obj.others[w])
	}
	s.mu.Unlock()
	notFound := func() answer {
		noun := strings.TrimSuffix(family, "s")
		name, iid := s.botName(), IntegrationID
		switch w {
		case wMarketing:
			name, iid = MarketingName, MarketingIntegrationID
		case wPersonal:
			name, iid = PersonalName, PersonalIntegrationID
		case wOAuth:
			name, iid = OAuthName, OAuthIntegrationID
		}
		return errAnswer(404, "object_not_found",
			fmt.Sprintf("Could not find %s with ID: %s. Make sure the relevant pages and databases are shared with your integration %q.", noun, id, name),
			map[string]any{"integration_id": iid})
	}
	if o == nil || !visible {
		return notFound()
	}
	switch family {
	case "pages":
		switch o.kind {
		case kPage:
			return jsonAnswer(200, dropArchived(s.pageJSON(o, modern), noArchived))
		case kDatabase:
			return errAnswer(400, "validation_error", fmt.Sprintf("Provided ID %s is a database, not a page. Use the retrieve database API instead.", id), nil)
		case kBlock:
			return errAnswer(400, "validation_error", fmt.Sprintf("Provided ID %s is a block, not a page. Use the retrieve block API instead.", id), nil)
		}
	case "databases":
		switch o.kind {
		case kPage:
			return errAnswer(400, "validation_error", fmt.Sprintf("Provided database_id %s is a page, not a database. Use the pages API instead, or pass the ID of the database itself.", id), nil)
		case kDatabase:
			if o.linked {
				return errAnswer(400, "validation_error", fmt.Sprintf("Database with ID %s is a linked database. Database retrievals do not support linked databases.", id), nil)
			}
			if !modern && o.orphan {
				return errAnswer(400, "validation_error", fmt.Sprintf("Database with ID %s does not contain any data sources accessible by this API bot.", id), nil)
			}
			if !modern && len(o.sources) > 1 {
				ids := make([]string, len(o.sources))
				for i, src := range o.sources {
					ids[i] = src.id
				}
				return errAnswer(400, "validation_error", "Databases with multiple data sources are not supported in this API version.",
					map[string]any{"error_type": "multiple_data_sources_for_database", "database_id": id,
						"child_data_source_ids": ids, "minimum_api_version": Version20250903})
			}
			return jsonAnswer(200, dropArchived(s.databaseJSON(o, modern), noArchived))
		}
	case "data_sources":
		if o.kind == kDataSource {
			return jsonAnswer(200, dropArchived(s.dataSourceJSON(o), noArchived))
		}
	case "blocks":
		switch o.kind {
		case kPage, kDatabase, kBlock:
			return jsonAnswer(200, dropArchived(s.blockJSON(o, modern), noArchived))
		}
	case "views":
		if o.kind == kView {
			return jsonAnswer(200, map[string]any{"object": "view", "id": o.id, "parent": map[string]any{"type": "database_id", "database_id": o.parentID},
				"name": o.title, "type": "table", "data_source_id": DataSourceID, "url": "https://www.notion.so/" + compact(o.parentID) + "?v=" + compact(o.id)})
		}
	}
	return notFound()
}

// dropArchived removes "archived" and "is_archived" from an answer of
// Notion-Version 2026-03-11 or later.
func dropArchived(m map[string]any, drop bool) map[string]any {
	if drop {
		delete(m, "archived")
		delete(m, "is_archived")
	}
	return m
}

func (s *Server) botUser(w who) map[string]any {
	id, name := BotUserID, s.botName()
	owner := map[string]any{"type": "workspace", "workspace": true}
	switch w {
	case wMarketing:
		id, name = MarketingBotUserID, MarketingName
	case wPersonal:
		id, name = PersonalBotUserID, PersonalName
		owner = map[string]any{"type": "user", "user": map[string]any{"object": "user", "id": PersonalOwnerID, "type": "person",
			"name": "Dana Developer", "avatar_url": nil, "person": map[string]any{"email": "dana@example.com"}}}
	case wOAuth:
		// A public integration's bot is owned by the user who authorized
		// it: the same shape as a personal access token's (§8.2).
		id, name = OAuthBotUserID, OAuthName
		owner = map[string]any{"type": "user", "user": map[string]any{"object": "user", "id": PersonalOwnerID, "type": "person",
			"name": "Dana Developer", "avatar_url": nil, "person": map[string]any{"email": "dana@example.com"}}}
	}
	return map[string]any{"object": "user", "id": id, "name": name, "avatar_url": nil, "type": "bot",
		"bot": map[string]any{"owner": owner,
			"workspace_id": WorkspaceID, "workspace_limits": map[string]any{"max_file_upload_size_in_bytes": 5368709120},
			"workspace_name": s.workspace}}
}

func (s *Server) parentJSON(o *object, modern bool) map[string]any {
	switch o.parentType {
	case "workspace":
		return map[string]any{"type": "workspace", "workspace": true}
	case "data_source_id":
		if modern {
			return map[string]any{"type": "data_source_id", "data_source_id": o.parentID, "database_id": o.parentDB}
		}
		return map[string]any{"type": "database_id", "database_id": o.parentDB}
	default:
		return map[string]any{"type": o.parentType, o.parentType: o.parentID}
	}
}

func richText(s string) []any {
	return []any{map[string]any{"type": "text", "text": map[string]any{"content": s, "link": nil},
		"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
		"plain_text":  s, "href": nil}}
}

const ts = "2026-08-18T10:00:00.000Z"

func (s *Server) pageJSON(o *object, modern bool) map[string]any {
	return map[string]any{"object": "page", "id": o.id, "created_time": ts, "last_edited_time": ts,
		"created_by": map[string]any{"object": "user", "id": BotUserID}, "last_edited_by": map[string]any{"object": "user", "id": BotUserID},
		"cover": nil, "icon": nil, "parent": s.parentJSON(o, modern), "archived": o.trashed, "in_trash": o.trashed,
		"is_archived": o.trashed, "is_locked": false,
		"properties": map[string]any{
			"title": map[string]any{"id": "title", "type": "title", "title": richText(o.title)},
			// "place" is a property type jomei/notionapi v1.13.3 cannot decode.
			"Office": map[string]any{"id": "p%3Ax", "type": "place", "place": map[string]any{"lat": 48.8566, "lon": 2.3522, "name": "Paris"}},
		},
		"url":        "https://www.notion.so/" + strings.ReplaceAll(o.title, " ", "-") + "-" + compact(o.id),
		"public_url": nil}
}

func (s *Server) databaseJSON(o *object, modern bool) map[string]any {
	m := map[string]any{"object": "database", "id": o.id, "created_time": ts, "last_edited_time": ts,
		"title": richText(o.title), "description": []any{}, "parent": s.parentJSON(o, modern), "is_inline": false,
		"in_trash": o.trashed, "archived": o.trashed, "is_locked": false, "icon": nil, "cover": nil,
		"url": "https://www.notion.so/" + compact(o.id), "public_url": nil}
	if modern {
		ds := make([]any, len(o.sources))
		for i, src := range o.sources {
			ds[i] = map[string]any{"id": src.id, "name": src.name}
		}
		m["data_sources"] = ds
	} else {
		m["properties"] = schemaOf(o.id)
		if len(o.sources) == 1 {
			m["properties"] = schemaOf(o.sources[0].id)
		}
	}
	return m
}

// schemaOf is the schema of a data source: DataSourceID has a property of
// every type (TasksSchema), the others a title and a place.
func schemaOf(dataSource string) map[string]any {
	if dataSource == DataSourceID {
		return TasksSchema()
	}
	return map[string]any{
		"Name":  map[string]any{"id": "title", "name": "Name", "type": "title", "title": map[string]any{}},
		"Where": map[string]any{"id": "p%3Ay", "name": "Where", "type": "place", "place": map[string]any{}},
	}
}

// TasksSchema is the schema of DataSourceID (Notion's property-schema reference):
// a property of every type, IDs URL-encoded as Notion gives them, status,
// select and multi-select options, a relation to a data source the
// integrations see (MultiDataSourceID1) and one to a data source none sees
// (HiddenDataSourceID), and types jomei/notionapi cannot decode (place,
// button, verification).
func TasksSchema() map[string]any {
	opts := func(names ...string) []any {
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = map[string]any{"id": fmt.Sprintf("opt%d", i+1), "name": n, "color": "default", "description": nil}
		}
		return out
	}
	prop := func(id, name, typ string, cfg any) map[string]any {
		if cfg == nil {
			cfg = map[string]any{}
		}
		return map[string]any{"id": id, "name": name, "description": nil, "type": typ, typ: cfg}
	}
	rel := func(ds, db string) map[string]any {
		return map[string]any{"database_id": db, "data_source_id": ds, "type": "single_property", "single_property": map[string]any{}}
	}
	props := []map[string]any{
		prop("title", "Name", "title", nil),
		prop("s%3AT%7B", "Status", "status", map[string]any{"options": opts("Not started", "In progress", "Done"),
			"groups": []any{
				map[string]any{"id": "g1", "name": "To-do", "color": "gray", "option_ids": []any{"opt1"}},
				map[string]any{"id": "g2", "name": "In progress", "color": "blue", "option_ids": []any{"opt2"}},
				map[string]any{"id": "g3", "name": "Complete", "color": "green", "option_ids": []any{"opt3"}},
			}}),
		prop("Pr%5Ei", "Priority", "select", map[string]any{"options": opts("High", "Medium", "Low")}),
		prop("L%3Cb", "Labels", "multi_select", map[string]any{"options": opts("Bug", "Feature", "Docs")}),
		prop("D%3Bue", "Due", "date", nil),
		prop("E%7Ds", "Estimate", "number", map[string]any{"format": "number"}),
		prop("Dn%3F", "Done", "checkbox", nil),
		prop("W%40b", "Website", "url", nil),
		prop("C%3At", "Contact", "email", nil),
		prop("P%3Ah", "Phone", "phone_number", nil),
		prop("O%3Dw", "Owner", "people", nil),
		prop("A%3Ft", "Attachments", "files", nil),
		prop("N%3Bt", "Notes", "rich_text", nil),
		prop("Pj%3A", "Project", "relation", rel(MultiDataSourceID1, MultiDatabaseID)),
		prop("h%3A%7BD", "Secret Docs", "relation", rel(HiddenDataSourceID, HiddenDatabaseID)),
		prop("T%3Dl", "Total", "formula", map[string]any{"expression": "prop(\"Estimate\") * 2"}),
		prop("S%3Dm", "Sum", "rollup", map[string]any{"function": "sum", "relation_property_name": "Project", "relation_property_id": "Pj%3A",
			"rollup_property_name": "Estimate", "rollup_property_id": "E%7Ds"}),
		prop("Cr%3A", "Created", "created_time", nil),
		prop("Cb%3A", "Created by", "created_by", nil),
		prop("Ed%3A", "Edited", "last_edited_time", nil),
		prop("Eb%3A", "Edited by", "last_edited_by", nil),
		prop("ID%3A", "Task ID", "unique_id", map[string]any{"prefix": "TSK"}),
		prop("p%3Ay", "Where", "place", nil),
		prop("B%3At", "Approve", "button", nil),
		prop("V%3Af", "Verified", "verification", nil),
	}
	out := make(map[string]any, len(props))
	for _, p := range props {
		out[p["name"].(string)] = p
	}
	return out
}

func (s *Server) dataSourceJSON(o *object) map[string]any {
	db := s.world[o.parentID]
	return map[string]any{"object": "data_source", "id": o.id, "created_time": ts, "last_edited_time": ts,
		"title": richText(o.title), "description": []any{},
		"parent":          map[string]any{"type": "database_id", "database_id": o.parentID},
		"database_parent": s.parentJSON(db, true), "is_inline": false, "in_trash": o.trashed, "archived": o.trashed,
		"properties": schemaOf(o.id)}
}

func (s *Server) blockJSON(o *object, modern bool) map[string]any {
	m := map[string]any{"object": "block", "id": o.id, "parent": s.parentJSON(o, modern), "created_time": ts, "last_edited_time": ts,
		"created_by": map[string]any{"object": "user", "id": BotUserID}, "last_edited_by": map[string]any{"object": "user", "id": BotUserID},
		"has_children": o.kind != kBlock || o.blockType == "toggle", "archived": o.trashed, "in_trash": o.trashed}
	switch o.kind {
	case kPage:
		m["type"] = "child_page"
		m["child_page"] = map[string]any{"title": o.title}
	case kDatabase:
		m["type"] = "child_database"
		m["child_database"] = map[string]any{"title": o.title}
	default:
		m["type"] = o.blockType
		m[o.blockType] = map[string]any{"rich_text": richText(o.title), "color": "default"}
	}
	return m
}

func compact(id string) string { return strings.ReplaceAll(id, "-", "") }

// normalizeID accepts 32 hex digits with or without the 8-4-4-4-12 dashes,
// in any case, and returns the dashed lowercase form.
func normalizeID(s string) (string, bool) {
	s = strings.ToLower(s)
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = compact(s)
	}
	if len(s) != 32 {
		return "", false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:], true
}
