package notiontest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
)

// publishedVersion reports whether v is a Notion-Version Notion has
// published (Notion's versioning reference).
func publishedVersion(v string) bool {
	switch v {
	case "2021-05-13", "2021-08-16", "2022-02-22", Version20220628, Version20250903, Version20260311:
		return true
	}
	return false
}

// users answers GET /v1/users: a personal access token is refused
// (Notion's 2026 changes), every other token gets the workspace's people.
func (s *Server) users(w who) answer {
	if w == wPersonal {
		return errAnswer(403, "restricted_resource", "Personal access tokens cannot list users.", nil)
	}
	person := map[string]any{"object": "user", "id": PersonalOwnerID, "type": "person", "name": "Dana Developer", "avatar_url": nil,
		"person": map[string]any{"email": "dana@example.com"}}
	return jsonAnswer(200, map[string]any{"object": "list", "results": []any{person}, "next_cursor": nil, "has_more": false, "type": "user", "user": map[string]any{}})
}

// search answers POST /v1/search as Notion does (Notion's search and query
// reference): what this token can see whose title holds the query, pages and, by
// version, databases (2022-06-28, multi-source ones left out) or data
// sources (2025-09-03 and later); the object filter's values are the
// version's, "database" is refused from 2025-09-03 on.
func (s *Server) search(r *http.Request, w who, token string, modern bool) answer {
	var body struct {
		Query  string `json:"query"`
		Filter *struct {
			Property string `json:"property"`
			Value    string `json:"value"`
		} `json:"filter"`
		PageSize int `json:"page_size"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(b) > 0 && json.Unmarshal(b, &body) != nil {
		return errAnswer(400, "invalid_json", "Error parsing JSON body.", nil)
	}
	if f := body.Filter; f != nil {
		switch {
		case modern && f.Value != "page" && f.Value != "data_source":
			return errAnswer(400, "validation_error", fmt.Sprintf("body failed validation: body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `%s`.", marshal(f.Value)), nil)
		case !modern && f.Value != "page" && f.Value != "database":
			return errAnswer(400, "validation_error", fmt.Sprintf("body failed validation: body.filter.value should be `\"page\"` or `\"database\"`, instead was `%s`.", marshal(f.Value)), nil)
		}
	}
	if token == NoReadToken {
		return jsonAnswer(200, map[string]any{"object": "list", "results": []any{}, "next_cursor": nil, "has_more": false, "type": "page_or_data_source", "page_or_data_source": map[string]any{}})
	}
	s.mu.Lock()
	var ids []string
	for id, o := range s.world {
		visible := (w == wIris && o.shared) || (w != wIris && o.others[w])
		if visible && !o.trashed && (body.Query == "" || containsFold(o.title, body.Query)) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var results []any
	for _, id := range ids {
		o := s.world[id]
		var obj string
		switch o.kind {
		case kPage:
			obj = "page"
		case kDatabase:
			if modern || len(o.sources) > 1 || o.linked {
				continue
			}
			obj = "database"
		case kDataSource:
			if !modern {
				continue
			}
			obj = "data_source"
		default:
			continue
		}
		if f := body.Filter; f != nil && f.Value != obj {
			continue
		}
		results = append(results, map[string]any{"object": obj, "id": id})
	}
	s.mu.Unlock()
	if results == nil {
		results = []any{}
	}
	typ := "page_or_data_source"
	if !modern {
		typ = "page_or_database"
	}
	return jsonAnswer(200, map[string]any{"object": "list", "results": results, "next_cursor": nil, "has_more": false, "type": typ, typ: map[string]any{}})
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			a, b := s[i+j], sub[j]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if a != b {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
