package notion

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/notion-check/notion-check/diagnose"
)

// This file reads the schema a failed write was checked against, as an
// observation (Notion's data-source reference): the data source's properties
// with their types, options and relation targets. It decodes the
// properties generically: a property type this program does not know is
// kept as Notion named it, never an error (jomei/notionapi fails on those).

// maxSchemaCalls bounds the calls a schema read adds to a probe: the data
// source (or database) and one relation target.
const maxSchemaCalls = 2

// decodeSchema reads the "properties" of a data source or database answer.
func decodeSchema(raw map[string]json.RawMessage) []diagnose.SchemaProperty {
	out := make([]diagnose.SchemaProperty, 0, len(raw))
	for key, v := range raw {
		var p struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
		}
		if json.Unmarshal(v, &p) != nil || p.Type == "" {
			continue
		}
		if p.Name == "" {
			p.Name = key
		}
		sp := diagnose.SchemaProperty{ID: p.ID, Name: p.Name, Type: p.Type}
		var cfg map[string]json.RawMessage
		_ = json.Unmarshal(v, &cfg)
		switch p.Type {
		case "select", "multi_select", "status":
			var o struct {
				Options []struct {
					Name string `json:"name"`
				} `json:"options"`
			}
			if json.Unmarshal(cfg[p.Type], &o) == nil {
				for _, opt := range o.Options {
					sp.Options = append(sp.Options, opt.Name)
				}
			}
		case "relation":
			var r struct {
				DatabaseID   string `json:"database_id"`
				DataSourceID string `json:"data_source_id"`
			}
			if json.Unmarshal(cfg["relation"], &r) == nil {
				sp.RelationDatabase, sp.RelationDataSource = r.DatabaseID, r.DataSourceID
			}
		}
		out = append(out, sp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// readSchema makes the calls a SchemaRequest asks for, after the ID checks:
// the schema of the reference's data source when its own answers do not
// hold it, then whether the integration sees one relation's target.
func (s *probeState) readSchema(ctx context.Context, req *diagnose.SchemaRequest) {
	var have *diagnose.Object
	dsID, dbID := "", ""
	for _, a := range s.answers {
		if a.Outcome != diagnose.OutcomeOK || a.Object == nil || a.ID != s.ref.ID {
			continue
		}
		o := a.Object
		switch {
		case o.PropertiesListed:
			have = o
		case o.Object == "page" || o.Object == "block" && o.BlockType == "child_page":
			switch o.Parent.Type {
			case "data_source_id":
				dsID = o.Parent.ID
			case "database_id":
				dbID = o.Parent.ID
			}
		case o.Object == "database" && o.DataSourcesListed && len(o.DataSources) == 1:
			dsID = o.DataSources[0]
		}
	}
	calls := 0
	if have == nil {
		var a diagnose.Answer
		switch {
		case diagnose.IsID(dsID):
			a, _ = s.get(ctx, diagnose.EndpointDataSources, dsID, false)
		case diagnose.IsID(dbID):
			a, _ = s.get(ctx, diagnose.EndpointDatabases, dbID, false)
		default:
			return
		}
		calls++
		s.answers = append(s.answers, a)
		if a.Outcome != diagnose.OutcomeOK || a.Object == nil || !a.Object.PropertiesListed {
			return
		}
		have = a.Object
	}
	for _, p := range have.Properties {
		if calls >= maxSchemaCalls {
			return
		}
		if p.Type != "relation" || !diagnose.IsID(p.RelationDataSource) || !wanted(p, req.Properties) {
			continue
		}
		a, _ := s.get(ctx, diagnose.EndpointDataSources, p.RelationDataSource, false)
		s.answers = append(s.answers, a)
		return
	}
}

// wanted reports whether property p is among the keys a call sent (by
// name or ID, either case).
func wanted(p diagnose.SchemaProperty, keys []string) bool {
	for _, k := range keys {
		if strings.EqualFold(k, p.Name) || k == p.ID || unescape(k) == unescape(p.ID) {
			return true
		}
	}
	return false
}

func unescape(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
