package slackfake

import (
	"encoding/json"
	"fmt"
)

// Slash describes a slash_commands envelope.
type Slash struct {
	EnvelopeID  string
	Command     string // "/notion-check" if empty
	Text        string
	ResponseURL string
	ChannelID   string // "C0GENERAL1" if empty
	UserID      string // "UHUMAN0001" if empty
	// TeamID is the payload's team_id (TeamID if empty); UserTeam, when
	// set, is sent as user_team (a Slack Connect user's own team).
	TeamID, UserTeam string
	// EnterpriseID, when set, is sent as enterprise_id (Enterprise Grid).
	EnterpriseID string
	// TriggerID is the invocation's trigger_id ("trig-" + EnvelopeID if
	// empty): unique per invocation, kept in a redelivered envelope.
	TriggerID string
}

// SlashEnvelope returns the bytes of a slash_commands envelope, as Slack
// sends it.
func SlashEnvelope(s Slash) []byte {
	if s.Command == "" {
		s.Command = "/notion-check"
	}
	if s.ChannelID == "" {
		s.ChannelID = "C0GENERAL1"
	}
	if s.UserID == "" {
		s.UserID = "UHUMAN0001"
	}
	if s.TeamID == "" {
		s.TeamID = TeamID
	}
	if s.TriggerID == "" {
		s.TriggerID = "trig-" + s.EnvelopeID
	}
	payload := map[string]any{
		"token": "fake-verification-token", "team_id": s.TeamID, "team_domain": "fake",
		"channel_id": s.ChannelID, "channel_name": "general", "user_id": s.UserID, "user_name": "human",
		"command": s.Command, "text": s.Text, "api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": s.ResponseURL, "trigger_id": s.TriggerID,
	}
	if s.UserTeam != "" {
		payload["user_team"] = s.UserTeam
	}
	if s.EnterpriseID != "" {
		payload["enterprise_id"], payload["enterprise_name"] = s.EnterpriseID, "Fake Org"
	}
	return mustJSON(map[string]any{
		"type": "slash_commands", "envelope_id": s.EnvelopeID, "accepts_response_payload": true,
		"payload": payload,
	})
}

// Event describes a message or app_mention event.
type Event struct {
	// Type is "message" (default) or "app_mention".
	Type        string
	Channel     string
	User        string
	Text        string
	TS          string
	ThreadTS    string
	SubType     string
	BotID       string
	ChannelType string // "channel" if empty, for messages
	Hidden      bool
	// Team is the author's team ("team"); UserTeam and SourceTeam are sent
	// as user_team and source_team (Slack Connect). Unset fields are left out.
	Team, UserTeam, SourceTeam string
	// Enterprise, when set, is the callback's enterprise_id (Enterprise
	// Grid: the org the event comes from).
	Enterprise string
	// ExtShared marks the channel as shared with other organisations
	// (is_ext_shared_channel).
	ExtShared bool
}

// EventsAPIEnvelope returns the bytes of an events_api envelope carrying
// ev, with event_id eventID and retry_attempt retry (with retry_reason
// "timeout" when > 0).
func EventsAPIEnvelope(envelopeID, eventID string, retry int, ev Event) []byte {
	if ev.Type == "" {
		ev.Type = "message"
	}
	inner := map[string]any{"type": ev.Type, "channel": ev.Channel, "text": ev.Text, "ts": ev.TS, "event_ts": ev.TS}
	if ev.User != "" {
		inner["user"] = ev.User
	}
	if ev.ThreadTS != "" {
		inner["thread_ts"] = ev.ThreadTS
	}
	if ev.SubType != "" {
		inner["subtype"] = ev.SubType
	}
	if ev.BotID != "" {
		inner["bot_id"] = ev.BotID
	}
	if ev.Hidden {
		inner["hidden"] = true
	}
	for k, v := range map[string]string{"team": ev.Team, "user_team": ev.UserTeam, "source_team": ev.SourceTeam} {
		if v != "" {
			inner[k] = v
		}
	}
	if ev.Type == "message" {
		ct := ev.ChannelType
		if ct == "" {
			ct = "channel"
		}
		inner["channel_type"] = ct
	}
	reason := ""
	if retry > 0 {
		reason = "timeout"
	}
	payload := map[string]any{
		"token": "fake-verification-token", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"authorizations": []any{map[string]any{"team_id": TeamID, "user_id": BotUserID, "is_bot": true}},
		"event":          inner,
	}
	if ev.Enterprise != "" {
		payload["enterprise_id"] = ev.Enterprise
	}
	if ev.ExtShared {
		payload["is_ext_shared_channel"] = true
	}
	return mustJSON(map[string]any{
		"type": "events_api", "envelope_id": envelopeID, "accepts_response_payload": false,
		"retry_attempt": retry, "retry_reason": reason,
		"payload": payload,
	})
}

// BlockAction describes a block_actions interaction (a button click).
type BlockAction struct {
	EnvelopeID  string
	ActionID    string
	BlockID     string // always sent: slack-go needs it to see a block action
	Value       string
	ResponseURL string
	ChannelID   string
	MessageTS   string
	UserID      string // "UHUMAN0001" if empty
	Ephemeral   bool
	TeamID      string // the clicking user's team_id (TeamID if empty)
	// TriggerID is the click's trigger_id ("trig-" + EnvelopeID if empty):
	// unique per click, kept in a redelivered envelope.
	TriggerID string
}

// BlockActionsEnvelope returns the bytes of an interactive envelope for a
// button click.
func BlockActionsEnvelope(a BlockAction) []byte {
	if a.UserID == "" {
		a.UserID = "UHUMAN0001"
	}
	if a.BlockID == "" {
		a.BlockID = "recheck"
	}
	if a.TeamID == "" {
		a.TeamID = TeamID
	}
	if a.TriggerID == "" {
		a.TriggerID = "trig-" + a.EnvelopeID
	}
	container := map[string]any{"type": "message", "message_ts": a.MessageTS, "channel_id": a.ChannelID, "is_ephemeral": a.Ephemeral}
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": TeamID, "domain": "fake"},
		"user":       map[string]any{"id": a.UserID, "username": "human", "team_id": a.TeamID},
		"api_app_id": AppID, "token": "fake-verification-token", "trigger_id": a.TriggerID,
		"container": container, "channel": map[string]any{"id": a.ChannelID, "name": "general"},
		"response_url": a.ResponseURL,
		"actions": []any{map[string]any{
			"type": "button", "action_id": a.ActionID, "block_id": a.BlockID, "value": a.Value,
			"text": map[string]any{"type": "plain_text", "text": "Check again", "emoji": true}, "action_ts": "1700000000.000100",
		}},
	}
	if !a.Ephemeral && a.MessageTS != "" {
		payload["message"] = map[string]any{"type": "message", "ts": a.MessageTS, "bot_id": BotID, "text": "report"}
	}
	return mustJSON(map[string]any{"type": "interactive", "envelope_id": a.EnvelopeID, "accepts_response_payload": false, "payload": payload})
}

// DisconnectEnvelope returns the bytes of a disconnect message.
func DisconnectEnvelope(reason string) []byte {
	return []byte(fmt.Sprintf(`{"type":"disconnect","reason":%q,"debug_info":{"host":"applink-fake"}}`, reason))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
