// Package failedcalls loads the table of realistic failed Notion calls that
// people paste: error bodies, SDK exceptions, curl lines, logs and code,
// each written from the facts of Notion's API and the public issue threads
// they cite, with the call the reader must see in it, the codes the offline
// reading must give, and the codes the online diagnosis against the fake
// Notion world (diagnose/notiontest) must give.
//
// The cases are data, under testdata/ (one JSON file per family); the IDs
// in them are those of the fake world. The offline runner is diagnose's
// TestFailedCallsOffline; the online runner runs the same cases against
// notiontest.
package failedcalls

import "github.com/notion-check/notion-check/diagnose"

// Case is one failed call as pasted.
type Case struct {
	// Name names the case in test output.
	Name string `json:"name,omitempty"`
	// Source is where the text comes from: the public thread or the facts
	// section it follows.
	Source string `json:"source,omitempty"`
	// Text is what the person pasted.
	Text string `json:"text,omitempty"`
	// NotionVersion is the Notion-Version the checks run with (the
	// NOTION_VERSION setting); "" is the default.
	NotionVersion string `json:"notion_version,omitempty"`
	// Token is the token the checks run with; "" is notiontest.GoodToken
	// (integration "Iris Checker").
	Token string `json:"token,omitempty"`
	// Others are the tokens of the team's other integrations configured
	// (Config.Others); nil when none.
	Others []string `json:"others,omitempty"`
	// Call holds the fields Reading.Call must have (only the fields set
	// here are compared; AdditionalData keys listed must match); nil when
	// the text shows no call, so Reading.Call must be nil too.
	Call *diagnose.Call `json:"call,omitempty"`
	// IDs are the IDs of the checks, in order ("" for a check without an
	// ID). Request, workspace, integration, user IDs and cursors are never
	// among them.
	IDs []string `json:"ids,omitempty"`
	// Offline is every finding code the offline reading gives, over all
	// checks, as a set (order and repeats do not matter).
	Offline []diagnose.Code `json:"offline,omitempty"`
	// Online are codes the online diagnosis must give (in any check or in
	// the integration), among others.
	Online []diagnose.Code `json:"online,omitempty"`
	// Never are codes no diagnosis of the text may give, offline or online.
	Never []diagnose.Code `json:"never,omitempty"`
	// Lead are words the first line of the offline report must hold (the
	// property, its type, the JSON to send); nil when not measured.
	Lead []string `json:"lead,omitempty"`
	// OnlineLead are words the first line of the online report must hold.
	OnlineLead []string `json:"online_lead,omitempty"`
}
