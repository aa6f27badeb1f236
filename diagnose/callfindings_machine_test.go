package diagnose

import (
	"strings"
	"testing"
)

// TestMachineReadableFirst: where Notion's answer carries additional_data,
// that decides the finding before the message's wording does.
func TestMachineReadableFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		code Code
		has  []string // words the detail or fix must hold
		not  []string // words they must not hold
	}{
		{
			name: "error_type names several data sources; the message is reworded",
			text: `{"object":"error","status":400,"code":"validation_error","message":"This database cannot be used with this version.","additional_data":{"error_type":"multiple_data_sources_for_database","database_id":"3d47810f-380f-80d7-a002-000000000002","child_data_source_ids":["3d47810f-380f-80d7-a003-000000000002","3d47810f-380f-80d7-a003-000000000003"],"minimum_api_version":"2025-09-03"}}`,
			code: CodeErrorVersion,
			has:  []string{"several data sources", "3d47810f-380f-80d7-a003-000000000002/query"},
		},
		{
			name: "error_type beats a message that reads like another cause",
			text: `{"object":"error","status":400,"code":"validation_error","message":"Can't edit block that is archived.","additional_data":{"error_type":"multiple_data_sources_for_database","minimum_api_version":"2025-09-03"}}`,
			code: CodeErrorVersion,
			has:  []string{"several data sources"},
			not:  []string{"trash"},
		},
		{
			name: "minimum_api_version of an error_type not known here",
			text: `{"object":"error","status":400,"code":"validation_error","message":"Not supported.","additional_data":{"error_type":"some_future_type","minimum_api_version":"2026-03-11"}}` + "\nNotion-Version: 2025-09-03",
			code: CodeErrorVersion,
			has:  []string{"2026-03-11", "some_future_type", "2025-09-03"},
		},
		{
			name: "minimum_api_version already met: not the cause",
			text: `{"object":"error","status":400,"code":"validation_error","message":"body failed validation: body.properties.Done.checkbox should be a boolean, instead was ` + "`\"yes\"`" + `.","additional_data":{"minimum_api_version":"2022-06-28"}}` + "\nNotion-Version: 2025-09-03",
			code: CodeBodyPropertyType,
		},
		{
			name: "rate_limit_reason says the connection although the message names the workspace",
			text: `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited (workspace).","additional_data":{"rate_limit_reason":"public_api_request_rate_limit"}}`,
			code: CodeErrorRateLimited,
			has:  []string{"this connection's own limit"},
			not:  []string{"workspace-wide"},
		},
		{
			name: "no reason: the wording names the workspace",
			text: `{"object":"error","status":429,"code":"rate_limited","message":"Workspace request rate limit reached."}`,
			code: CodeErrorRateLimited,
			has:  []string{"workspace-wide"},
		},
		{
			name: "404 naming its integration only by additional_data.integration_id",
			text: `{"object":"error","status":404,"code":"object_not_found","message":"Could not find page. Make sure the relevant pages and databases are shared with your integration.","additional_data":{"integration_id":"1a2b3c4d-0000-4000-8000-0000000171d0"}}`,
			code: CodeErrorNotFound,
			has:  []string{"additional_data.integration_id", "1a2b3c4d-0000-4000-8000-0000000171d0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := readCall(tt.text)
			fs := CallFindings(c, false)
			if len(fs) == 0 || fs[0].Code != tt.code {
				t.Fatalf("findings %v, want %s first (call %+v)", fs, tt.code, c)
			}
			all := fs[0].Detail + " " + strings.Join(fs[0].Fix, " ")
			for _, w := range tt.has {
				if !strings.Contains(all, w) {
					t.Errorf("finding does not hold %q: %s", w, all)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(all, w) {
					t.Errorf("finding holds %q: %s", w, all)
				}
			}
		})
	}
}
