package diagnose

import (
	"fmt"
	"strings"
)

// The rules that combine the person's call with what every integration
// asked here saw of its object.

// view is one integration's judgement of one reference.
type view struct {
	who asker
	j   judgement
	res ProbeResult
}

// sameName compares integration names as a person writes them.
func sameName(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// names lists integration names for a sentence: "A", "A and B", "A, B and C".
func names(vs []view) string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%q", v.who.name()))
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

// ruleOtherIntegration: the pasted error names an integration that is not
// one of those asked here, and the object exists (some integration asked
// here sees it): it is not shared with the named one.
func ruleOtherIntegration(ref Reference, call *Call, views []view) (Finding, bool) {
	if call == nil || call.Integration == "" {
		return Finding{}, false
	}
	var seeing []view
	for _, v := range views {
		if sameName(v.who.name(), call.Integration) {
			return Finding{}, false
		}
		if v.j.Sees {
			seeing = append(seeing, v)
		}
	}
	if len(seeing) == 0 {
		return Finding{}, false
	}
	kind := kindWord(seeing[0].j.Kind)
	detail := fmt.Sprintf("The %s %s exists — %s can read it — so Notion's answer to the call (%s) means it is not shared with the integration %q, which made the call.",
		kind, ref.ID, names(seeing), callSummary(call), call.Integration)
	return NewFinding(CodeAccessOtherIntegration, detail, Vars{"integration": call.Integration}), true
}

// ruleNotSharedWithCaller: the pasted error names an integration that is
// not configured here, and no integration asked here sees the object
// either. The fix is about the call's own integration: the not-shared
// finding is made again naming it.
func ruleNotSharedWithCaller(call *Call, views []view, fs []Finding) []Finding {
	if call == nil || call.Integration == "" {
		return fs
	}
	for _, v := range views {
		if sameName(v.who.name(), call.Integration) || v.j.Sees {
			return fs
		}
	}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		if f.Code != CodeAccessNotShared {
			out = append(out, f)
			continue
		}
		detail := f.Detail + fmt.Sprintf(" The call was made by the integration %q, which is not configured here; Notion answered it the same way (%s), so share the object with %q.", call.Integration, callSummary(call), call.Integration)
		out = append(out, NewFinding(CodeAccessNotShared, detail, Vars{"integration": call.Integration}))
	}
	return out
}

// callSummary is the call in a few words: "404 object_not_found".
func callSummary(call *Call) string {
	var parts []string
	if call.Status != 0 {
		parts = append(parts, fmt.Sprint(call.Status))
	}
	if call.Code != "" {
		parts = append(parts, call.Code)
	}
	if len(parts) == 0 {
		return "an error"
	}
	return strings.Join(parts, " ")
}

// transientCall reports whether the call failed for a reason that is not
// about its object (a rate limit, a conflict, a server error).
func transientCall(call *Call) bool {
	return call.Status == 429 || call.Status == 529 || call.Status == 409 || call.Status >= 500 ||
		call.Code == "rate_limited" || call.Code == "service_overload" || call.Code == "conflict_error"
}

// explained reports whether fs already explain a failed call: an error
// finding, or an error.* finding about the call itself.
func explained(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError || strings.HasPrefix(string(f.Code), "error.") {
			return true
		}
	}
	return false
}

// ruleNotReproduced: the person's call failed, but the checks here find
// nothing wrong with its object: say what differs, never "all good".
func ruleNotReproduced(ref Reference, call *Call, as view, fs []Finding, others ...view) (Finding, bool) {
	if !call.Failed() || transientCall(call) || !as.j.Done || !as.j.Sees || explained(fs) || explainedBy(fs, call) {
		return Finding{}, false
	}
	name := as.who.name()
	version := as.res.Version
	var differs []string
	switch {
	case call.Integration != "" && !sameName(call.Integration, name):
		differs = append(differs, fmt.Sprintf("the call was made by the integration %q, these checks by %q", call.Integration, name))
	case call.Integration == "":
		var blind []view
		for _, o := range others {
			if o.j.Done && !o.j.Sees {
				blind = append(blind, o)
			}
		}
		if len(blind) > 0 {
			differs = append(differs, fmt.Sprintf("the error does not name the call's integration, and %s cannot see the object: if the call used it, that is the cause (share the object with it under ••• → Connections)", names(blind)))
		} else {
			differs = append(differs, fmt.Sprintf("the error does not name the call's integration: if it is not %q, share the object with that one (••• → Connections)", name))
		}
	}
	if call.Status == 401 || call.Code == "unauthorized" {
		differs = append(differs, "the call's token was refused while this one is accepted: the call used another token (revoked, mistyped, or from another workspace)")
	}
	switch cv := call.NotionVersion; {
	case cv != "" && cv != version:
		differs = append(differs, fmt.Sprintf("the call sent Notion-Version %s, these checks %s", cv, version))
	case cv == "":
		differs = append(differs, fmt.Sprintf("the paste does not show the call's Notion-Version; these checks used %s", version))
	}
	if call.Endpoint != "" {
		differs = append(differs, fmt.Sprintf("the call's endpoint %s fits this %s", strings.TrimSpace(call.Method+" "+withID(call.Endpoint, ref.ID)), kindWord(as.j.Kind)))
	}
	differs = append(differs, "or it was fixed since (shared, restored or moved after the call failed)")
	detail := fmt.Sprintf("The call failed (%s), but here %q can read %s (a %s) with Notion-Version %s and finds nothing wrong with it.",
		callSummary(call), name, ref.ID, kindWord(as.j.Kind), version)
	step := "What differs: " + strings.Join(differs, "; ") + "."
	return NewFinding(CodeCallNotReproduced, detail, Vars{"differs": step}), true
}

// withID fills an endpoint template's first {…_id} with id:
// "/v1/pages/{page_id}" → "/v1/pages/<id>".
func withID(endpoint, id string) string {
	i := strings.Index(endpoint, "{")
	j := strings.Index(endpoint, "}")
	if i < 0 || j < i {
		return endpoint
	}
	return endpoint[:i] + id + endpoint[j+1:]
}

// callRef returns the index of the reference the person's call is about:
// the one whose ID the call's message, parent or sent value names, else
// the first that can be checked online; -1 when there is none.
func callRef(call *Call, refs []Reference) int {
	if call == nil {
		return -1
	}
	hay := strings.ToLower(call.Message + " " + call.ParentID + " " + call.Sent + " " + call.Endpoint)
	for i, r := range refs {
		if r.ID != "" && (strings.Contains(hay, r.ID) || strings.Contains(hay, Hex32(r.ID))) {
			return i
		}
	}
	for i, r := range refs {
		if r.Probeable() {
			return i
		}
	}
	return -1
}

// explainedBy reports whether a finding in fs explains what Notion answered
// the call (rank.go's explains): a database with several data sources
// explains a 400 on its query, say, though it is only a warning.
func explainedBy(fs []Finding, call *Call) bool {
	for _, f := range fs {
		if explains(f.Code, call) {
			return true
		}
	}
	return false
}
