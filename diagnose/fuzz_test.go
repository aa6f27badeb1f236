package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRead: reading never panics, is deterministic, always returns at least
// one reference, and every ID it returns is a 36-character dashed lowercase
// UUID. The seed corpus is in testdata/fuzz/FuzzRead, plus the table cases.
func FuzzRead(f *testing.F) {
	for _, tc := range readCases() {
		f.Add(tc.in)
	}
	for _, tc := range collectPeerCases() {
		f.Add(tc.input)
	}
	for _, s := range callSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		refs := Read(text)
		if len(refs) == 0 {
			t.Fatalf("Read(%q) returned no reference", text)
		}
		for _, r := range refs {
			if r.ID != "" && (len(r.ID) != 36 || !IsID(r.ID)) {
				t.Fatalf("Read(%q) gave ID %q, not a dashed lowercase UUID", text, r.ID)
			}
			for _, rel := range r.Related {
				if !IsID(rel.ID) {
					t.Fatalf("Read(%q) gave related ID %q", text, rel.ID)
				}
			}
			if len(r.Source) > maxSource+len("…") {
				t.Fatalf("source of %d bytes", len(r.Source))
			}
			if utf8.ValidString(text) && !utf8.ValidString(r.Source) {
				t.Fatalf("Read(%q) made invalid UTF-8 out of valid input: %q", text, r.Source)
			}
			for _, fd := range r.Findings {
				if fd.Title == "" || len(fd.Fix) == 0 {
					t.Fatalf("finding %s without title or fix", fd.Code)
				}
			}
		}
		if again := Read(text); !reflect.DeepEqual(refs, again) {
			t.Fatalf("Read(%q) is not deterministic", text)
		}
		// Reading the call as well never panics, is deterministic, and
		// every finding it adds is complete.
		rd := ReadText(text, DefaultMaxChecks)
		if again := ReadText(text, DefaultMaxChecks); !reflect.DeepEqual(rd, again) {
			t.Fatalf("ReadText(%q) is not deterministic", text)
		}
		for _, r := range rd.References {
			if r.ID != "" && !IsID(r.ID) {
				t.Fatalf("ReadText(%q) gave ID %q", text, r.ID)
			}
			for _, fd := range r.Findings {
				if fd.Title == "" || fd.Detail == "" || len(fd.Fix) == 0 {
					t.Fatalf("ReadText(%q): finding %s without title, detail or fix", text, fd.Code)
				}
			}
		}
		if rd.Call != nil && rd.Call.RequestID != "" && !IsID(rd.Call.RequestID) {
			t.Fatalf("ReadText(%q): request_id %q", text, rd.Call.RequestID)
		}
		_ = HasReference(text)
		_ = TokenFindings(text)
		if strings.Contains(text, "\x00") {
			return
		}
	})
}
