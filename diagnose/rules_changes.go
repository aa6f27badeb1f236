package diagnose

import (
	"fmt"
	"slices"
)

// changeFinding is the finding for a 2025–2026 change a text describes in
// words (read_changes.go): what changed, since which Notion-Version, and
// what to do now. c is the person's call, nil when the text shows none.
func changeFinding(ch Change, c *Call) Finding {
	version := ""
	if c != nil {
		version = c.NotionVersion
	}
	switch ch {
	case ChangeMultipleSources:
		detail := "A database can hold several data sources since Notion-Version 2025-09-03: the database is a container, each data source has its own ID and schema. Clients on 2022-06-28 (jomei/notionapi, older SDKs, many automation tools) fail on such a database with \"Databases with multiple data sources are not supported in this API version.\", and it vanishes from their search."
		if version != "" && versionBefore(version, firstDataSourceVersion) {
			detail += fmt.Sprintf(" The call sends Notion-Version %s, one of those.", version)
		}
		return NewFinding(CodeDatabaseMultipleSources, detail+" GET /v1/databases/<database_id> with Notion-Version 2025-09-03 lists its data sources.", nil)
	case ChangeInTrash:
		// No {version}: the person already sends 2026-03-11, so "send a
		// current Notion-Version" would be the wrong step.
		f := NewFinding(CodeErrorVersion, "Under Notion-Version 2026-03-11 archived is removed from every request and response (pages, blocks, databases, data sources) in favour of in_trash; 2025-09-03 and older still have archived. A trashed object is known there by in_trash only.", Vars{
			"version_fix": "Read in_trash instead of archived to know whether an object is trashed, and send {\"in_trash\": true} or {\"in_trash\": false} to trash or restore it; or keep Notion-Version 2025-09-03, where archived still works.",
		})
		f.Answer = "archived is in_trash since Notion-Version 2026-03-11 — read and send in_trash instead"
		return f
	case ChangeDataSourceID:
		return NewFinding(CodeDatabaseDataSources, "Since Notion-Version 2025-09-03 a database holds one or more data sources, each with an ID of its own that is not the database's: GET /v1/databases/<database_id> with Notion-Version 2025-09-03 lists them in data_sources (id and name); in Notion, the database's ••• → Manage data sources → Copy data source ID. A database ID does not work on /v1/data_sources, nor a data source ID on /v1/databases (both answer 404).", Vars{"data_source": "<data_source_id>"})
	case ChangeViews:
		return NewFinding(CodeKindView, "The ID after ?v= in a database link is a view, neither a database nor a page: /v1/pages and /v1/databases answer 404 for it. The Views API (GET /v1/views/<view_id>, Notion-Version 2025-09-03 or later) answers the view with its data_source_id and its parent database_id.", Vars{
			"data_source": "<the view's data_source_id>", "database": "<database_id>", "id": "<view_id>",
		})
	case ChangeDomain:
		return NewFinding(CodeIDMissing, "Notion's links moved to app.notion.com (app.notion.com/p/<Title>-<32 hex characters>): the ID is the same 32 characters at the end of the path as on notion.so, and the API is still api.notion.com. A parser that accepts only notion.so links misses them; paste the link here to have its ID taken out.", nil)
	case ChangePersonalToken:
		return NewFinding(CodeTokenPersonal, "A personal access token acts as the person who created it, with that person's own page permissions in one workspace: sharing a page with a connection (••• → Connections) does not apply to it, and GET /v1/users refuses it (403 \"Personal access tokens cannot list users\"). When it cannot see a page, its creator cannot either.", nil)
	case ChangeWorkspaceLimit:
		return NewFinding(CodeErrorRateLimited, "On top of each connection's own budget Notion has a workspace-wide limit, shared by every connection of the workspace and scaled to its plan: another connection's traffic can make this one's calls get 429.", Vars{
			"limit_fix": "A 429 whose additional_data.rate_limit_reason names the workspace (space) limit comes from the workspace's traffic as a whole, and its Retry-After can exceed a minute: honour it as sent, and spread the workspace's connections' calls out.",
		})
	}
	panic("diagnose: unknown change " + string(ch))
}

// withChanges puts the finding of each change the text describes on the
// reference it concerns: the text's one reference without an ID, whose "no
// ID" it replaces (the text is about the change, not a missing ID), else
// the first reference. A change the pasted error's own message shows is
// left to the error's finding, and a code already there is not repeated.
func withChanges(refs []Reference, chs []Change, c *Call) []Reference {
	if len(chs) == 0 || len(refs) == 0 {
		return refs
	}
	if c.Failed() && c.Message != "" {
		own := readChanges(c.Message)
		chs = slices.DeleteFunc(slices.Clone(chs), func(ch Change) bool { return slices.Contains(own, ch) })
	}
	k := 0
	for i, r := range refs {
		if r.ID == "" && onlyCodes(r.Findings, CodeIDMissing) {
			k = i
			break
		}
	}
	r := &refs[k]
	for _, ch := range chs {
		f := changeFinding(ch, c)
		if HasCode(r.Findings, f.Code) && f.Code != CodeIDMissing {
			continue
		}
		if r.ID == "" && onlyCodes(r.Findings, CodeIDMissing) {
			r.Findings = nil
			r.Origin = OriginText
		}
		r.Findings = append(r.Findings, f)
	}
	return refs
}

// onlyCodes reports whether every finding of fs has code.
func onlyCodes(fs []Finding, code Code) bool {
	for _, f := range fs {
		if f.Code != code {
			return false
		}
	}
	return true
}

// changeCodes are the codes a change described in words gives offline
// that the online verdict gives too, from what Notion answered.
var changeCodes = map[Code]bool{CodeDatabaseMultipleSources: true, CodeDatabaseDataSources: true, CodeKindView: true, CodeTokenPersonal: true}

// preferObserved drops from the offline findings of a check the ones a
// described change gave whose code the online verdict gives too: what
// Notion answered about the object says it better.
func preferObserved(offline, online []Finding) []Finding {
	out := offline[:0:0]
	for _, f := range offline {
		if changeCodes[f.Code] && HasCode(online, f.Code) {
			continue
		}
		out = append(out, f)
	}
	return out
}
