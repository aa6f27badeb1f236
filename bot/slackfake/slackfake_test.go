package slackfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func postForm(t *testing.T, u, auth string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp, v
}

func TestWebAPIAndFaults(t *testing.T) {
	s := New()
	defer s.Close()
	if _, v := postForm(t, s.APIURL()+"auth.test", "xoxb-wrong", nil); v["ok"] != false || v["error"] != "invalid_auth" {
		t.Errorf("auth.test with a wrong token = %v", v)
	}
	if _, v := postForm(t, s.APIURL()+"auth.test", BotToken, nil); v["ok"] != true || v["user_id"] != BotUserID {
		t.Errorf("auth.test = %v", v)
	}
	if _, v := postForm(t, s.APIURL()+"apps.connections.open", BotToken, nil); v["ok"] != false {
		t.Errorf("apps.connections.open with a bot token = %v", v)
	}
	s.Fail("chat.postMessage", Fault{Status: 429, RetryAfter: 3})
	resp, _ := postForm(t, s.APIURL()+"chat.postMessage", BotToken, url.Values{"channel": {"C1"}, "text": {"hi"}})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("fault: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	_, v := postForm(t, s.APIURL()+"chat.postMessage", BotToken, url.Values{"channel": {"C1"}, "text": {"hi"}, "thread_ts": {"1.2"}, "blocks": {`[{"type":"divider"}]`}})
	if v["ok"] != true || v["ts"] == "" {
		t.Errorf("chat.postMessage = %v", v)
	}
	posts, err := s.WaitPosts(1, time.Second)
	if err != nil || posts[0].ThreadTS != "1.2" || string(posts[0].Blocks) != `[{"type":"divider"}]` {
		t.Errorf("posts = %+v, %v", posts, err)
	}
	if n := len(s.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d calls recorded, want 2", n)
	}
}

func TestWebSocketHelloPingAndAcks(t *testing.T) {
	s := New(WithPingInterval(20 * time.Millisecond))
	defer s.Close()
	_, v := postForm(t, s.APIURL()+"apps.connections.open", AppToken, nil)
	wsURL, _ := v["url"].(string)
	d := websocket.Dialer{}
	c, _, err := d.Dial(wsURL, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pinged := make(chan struct{}, 1)
	c.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	var hello struct{ Type string }
	if err := c.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("first message %+v, %v", hello, err)
	}
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(2 * time.Second):
		t.Error("no PING")
	}
	for i := range 30 { // never blocks, recorded in order
		_ = c.WriteJSON(map[string]any{"envelope_id": "e" + string(rune('A'+i))})
	}
	acks, err := s.WaitAcks(30, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if acks[0].EnvelopeID != "eA" || acks[29].EnvelopeID != "e"+string(rune('A'+29)) {
		t.Errorf("acks out of order: %v %v", acks[0].EnvelopeID, acks[29].EnvelopeID)
	}
	if err := s.Push(SlashEnvelope(Slash{EnvelopeID: "x", Text: "hi"})); err != nil {
		t.Error(err)
	}
}

// TestSpreadKeepsConnectionsAndTakesTurns: with WithSpread three clients
// stay connected, Push gives each envelope to the next one, and each ack
// says which connection it came on.
func TestSpreadKeepsConnectionsAndTakesTurns(t *testing.T) {
	s := New(WithSpread())
	defer s.Close()
	wsURL := "ws" + strings.TrimPrefix(s.URL(), "http") + "/ws"
	var conns []*websocket.Conn
	for i := range 3 {
		c, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil { // hello
			t.Fatal(err)
		}
		conns = append(conns, c)
		if err := s.WaitOpenConnections(i+1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []int{1, 2, 3, 1} {
		got, err := s.PushConn([]byte(`{"type":"events_api","envelope_id":"e` + string(rune('0'+i)) + `"}`))
		if err != nil || got != want {
			t.Fatalf("push %d went to connection %d (%v), want %d", i, got, err, want)
		}
	}
	// The second client acks what it received.
	_, data, err := conns[1].ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	_ = json.Unmarshal(data, &env)
	if err := conns[1].WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"`+env.EnvelopeID+`"}`)); err != nil {
		t.Fatal(err)
	}
	a, err := s.WaitAck("e1", 5*time.Second)
	if err != nil || a.Conn != 2 {
		t.Errorf("ack %+v (%v), want envelope e1 on connection 2", a, err)
	}
	if n := s.OpenConnections(); n != 3 {
		t.Errorf("%d connections open, want 3", n)
	}
}
