package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
)

func TestAgeNote(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		checked time.Time
		want    string
	}{
		{time.Time{}, ""},
		{now, ""},
		{now.Add(-59 * time.Second), ""},
		{now.Add(-time.Minute), "Checked 1 minute ago: *Check again* asks Notion now"},
		{now.Add(-4*time.Minute - 59*time.Second), "Checked 4 minutes ago: *Check again* asks Notion now"},
	} {
		if got := ageNote(tt.checked, now); got != tt.want {
			t.Errorf("ageNote(%v) = %q, want %q", now.Sub(tt.checked), got, tt.want)
		}
	}
}

// TestCheckedAtSurvivesTheCache holds that a report kept in the cache (as
// JSON) still knows when it was made, and that a one-shot report's JSON
// does not mention it.
func TestCheckedAtSurvivesTheCache(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	js, err := json.Marshal(diagnose.Report{CheckedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	var back diagnose.Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !back.CheckedAt.Equal(at) {
		t.Errorf("CheckedAt after the cache: %v, want %v", back.CheckedAt, at)
	}
	js, _ = json.Marshal(diagnose.Report{})
	if strings.Contains(string(js), "checked_at") {
		t.Errorf("a one-shot report's JSON mentions checked_at: %s", js)
	}
}
