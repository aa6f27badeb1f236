package slackfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// View is one views.publish call that succeeded: the Home tab published
// for a user.
type View struct {
	// User is the user_id the Home tab was published for.
	User string
	// Type is the view's type ("home").
	Type string
	// Blocks are the view's blocks, as sent.
	Blocks json.RawMessage
	// Body is the whole JSON body the bot sent.
	Body []byte
	At   time.Time
}

// NotIn makes the fake answer not_in_channel to chat.postMessage and
// chat.postEphemeral in channel, as Slack does for a conversation the bot
// is not a member of (a channel it was never added to, another person's
// DM, a private channel).
func (s *Server) NotIn(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outside == nil {
		s.outside = map[string]bool{}
	}
	s.outside[channel] = true
}

// isOutside reports whether the bot is not in channel.
func (s *Server) isOutside(channel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outside[channel]
}

// serveSurface answers the Web API methods of the App Home: views.publish
// (JSON body: user_id, view, hash), as Slack does. It reports whether it
// answered.
func (s *Server) serveSurface(w http.ResponseWriter, method string, call Call) bool {
	switch method {
	case "views.publish":
		var req struct {
			UserID string          `json:"user_id"`
			View   json.RawMessage `json:"view"`
		}
		if json.Unmarshal(call.Body, &req) != nil {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_json"})
			return true
		}
		var v struct {
			Type   string          `json:"type"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if req.UserID == "" {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return true
		}
		if json.Unmarshal(req.View, &v) != nil || v.Type != "home" {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return true
		}
		var blocks []json.RawMessage
		if json.Unmarshal(v.Blocks, &blocks) != nil || len(blocks) > 100 {
			// Home tabs hold at most 100 blocks.
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks"})
			return true
		}
		s.mu.Lock()
		s.views = append(s.views, View{User: req.UserID, Type: v.Type, Blocks: v.Blocks, Body: call.Body, At: call.At})
		s.tsSeq++
		id := fmt.Sprintf("V%08d", s.tsSeq)
		s.notify()
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": id, "type": "home", "team_id": TeamID, "app_id": AppID, "bot_id": BotID}})
		return true
	}
	return false
}

// Views returns every views.publish that succeeded, in order.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.views...)
}

// WaitViews waits until at least n views were published and returns them
// all.
func (s *Server) WaitViews(n int, timeout time.Duration) ([]View, error) {
	s.waitFor(timeout, func() bool { return len(s.views) >= n })
	v := s.Views()
	if len(v) < n {
		return v, fmt.Errorf("slackfake: %d views published after %s, want %d", len(v), timeout, n)
	}
	return v, nil
}

// MessageShortcut describes a message_action interaction: a person ran a
// message shortcut on a message.
type MessageShortcut struct {
	EnvelopeID string
	// CallbackID is the shortcut's callback_id ("diagnose_message" if
	// empty).
	CallbackID  string
	ChannelID   string // "C0GENERAL1" if empty
	UserID      string // "UHUMAN0001" if empty
	TeamID      string // the user's team (TeamID if empty)
	ResponseURL string
	// Message is the message the shortcut ran on: its author, ts, thread
	// and text as Slack stores it (markup escaped).
	MessageUser, MessageTS, MessageThreadTS, MessageText string
	// MessageBotID marks a message posted by a bot.
	MessageBotID string
	// TriggerID is the invocation's trigger_id ("trig-" + EnvelopeID if
	// empty).
	TriggerID string
}

// MessageShortcutEnvelope returns the bytes of an interactive envelope for
// a message shortcut, as Slack sends it (payload type message_action).
func MessageShortcutEnvelope(m MessageShortcut) []byte {
	if m.CallbackID == "" {
		m.CallbackID = "diagnose_message"
	}
	if m.ChannelID == "" {
		m.ChannelID = "C0GENERAL1"
	}
	if m.UserID == "" {
		m.UserID = "UHUMAN0001"
	}
	if m.TeamID == "" {
		m.TeamID = TeamID
	}
	if m.TriggerID == "" {
		m.TriggerID = "trig-" + m.EnvelopeID
	}
	msg := map[string]any{"type": "message", "ts": m.MessageTS, "text": m.MessageText}
	if m.MessageUser != "" {
		msg["user"] = m.MessageUser
	}
	if m.MessageBotID != "" {
		msg["bot_id"] = m.MessageBotID
	}
	if m.MessageThreadTS != "" {
		msg["thread_ts"] = m.MessageThreadTS
	}
	name := "general"
	if strings.HasPrefix(m.ChannelID, "D") {
		name = "directmessage"
	}
	payload := map[string]any{
		"type": "message_action", "token": "fake-verification-token", "action_ts": "1700000000.000200",
		"team":        map[string]any{"id": TeamID, "domain": "fake"},
		"user":        map[string]any{"id": m.UserID, "username": "human", "name": "human", "team_id": m.TeamID},
		"channel":     map[string]any{"id": m.ChannelID, "name": name},
		"callback_id": m.CallbackID, "trigger_id": m.TriggerID, "message_ts": m.MessageTS,
		"message": msg, "response_url": m.ResponseURL, "is_enterprise_install": false,
	}
	return mustJSON(map[string]any{"type": "interactive", "envelope_id": m.EnvelopeID, "accepts_response_payload": false, "payload": payload})
}

// AppHomeOpenedEnvelope returns the bytes of an events_api envelope for
// app_home_opened: user opened the app's tab ("home" or "messages").
func AppHomeOpenedEnvelope(envelopeID, eventID, user, tab string) []byte {
	inner := map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + strings.TrimPrefix(user, "U"), "tab": tab, "event_ts": "1700000000.000300"}
	payload := map[string]any{
		"token": "fake-verification-token", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"authorizations": []any{map[string]any{"team_id": TeamID, "user_id": BotUserID, "is_bot": true}},
		"event":          inner,
	}
	return mustJSON(map[string]any{"type": "events_api", "envelope_id": envelopeID, "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "", "payload": payload})
}
