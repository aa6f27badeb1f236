package diagnose

import "testing"

func TestReadingAsked(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"hey why is this unauthorized", false},
		{"it says unauthorized again, any idea?", false},
		{"hello?", false},
		{"my call returns 404", false},
		{"https://www.notion.so/acme/My-Page-0123456789abcdef0123456789abcdef", true},
		{"0123456789abcdef0123456789abcdef", true},
		{"APIResponseError: API token is invalid.", true},
		{`{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`, true},
		{"restricted_resource", true},
		{"Could not find page with ID: 01234567-89ab-cdef-0123-456789abcdef", true},
		{"curl https://api.notion.com/v1/pages/0123456789abcdef0123456789abcdef", true},
		{"token ntn_4567890123abcdefABCDEF0123456789abcdefABCDEF01", true},
	} {
		if got := ReadText(tc.text, 10).Asked(); got != tc.want {
			t.Errorf("ReadText(%q).Asked() = %v, want %v", tc.text, got, tc.want)
		}
	}
}
