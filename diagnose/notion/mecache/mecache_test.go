package mecache_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notion/mecache"
)

var (
	t0  = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	key = notion.StoreKey("https://api.notion.com", "ntn_000000000000TestTokenForTheCacheAbCdEfGhIjKlMnOp")
	// entry is a personal access token's: users/me's owner "user", and GET
	// /v1/users refused.
	entry = notion.KnownToken{Name: "Iris", Workspace: "Acme", OwnerType: "user",
		Users:   notion.StoredAnswer{Outcome: diagnose.OutcomeForbidden, Status: 403, Code: "restricted_resource", Message: "Personal access tokens cannot list users"},
		Fetched: t0}
)

// at is a Dir in dir whose clock reads now.
func at(dir string, now time.Time) *mecache.Dir {
	return &mecache.Dir{Path: dir, Now: func() time.Time { return now }}
}

// TestDir: an entry saved is loaded within the TTL and not after it, and
// a file that is not a whole entry of this cache under this key is no
// entry, never a crash.
func TestDir(t *testing.T) {
	t.Parallel()
	file := func(dir string) string { return filepath.Join(dir, key+".json") }
	for _, tc := range []struct {
		name string
		// spoil changes the saved entry's file (nil: leave it).
		spoil func(t *testing.T, dir string)
		now   time.Time
		want  bool
	}{
		{"fresh", nil, t0.Add(time.Hour), true},
		{"just within the TTL", nil, t0.Add(mecache.DefaultTTL - time.Second), true},
		{"expired", nil, t0.Add(mecache.DefaultTTL), false},
		{"from a clock far ahead", nil, t0.Add(-time.Hour), false},
		{"truncated", func(t *testing.T, dir string) { rewrite(t, file(dir), func(b []byte) []byte { return b[:len(b)/2] }) }, t0, false},
		{"not JSON", func(t *testing.T, dir string) {
			rewrite(t, file(dir), func([]byte) []byte { return []byte("\x00\xff garbage") })
		}, t0, false},
		{"empty", func(t *testing.T, dir string) { rewrite(t, file(dir), func([]byte) []byte { return nil }) }, t0, false},
		{"oversized", func(t *testing.T, dir string) {
			rewrite(t, file(dir), func(b []byte) []byte { return append(b, strings.Repeat(" ", 70<<10)...) })
		}, t0, false},
		{"another program's JSON", func(t *testing.T, dir string) {
			rewrite(t, file(dir), func([]byte) []byte { return []byte(`{"name":"x"}`) })
		}, t0, false},
		{"a later version", func(t *testing.T, dir string) { setField(t, file(dir), "version", 2) }, t0, false},
		{"copied under another key", func(t *testing.T, dir string) {
			setField(t, file(dir), "key", notion.StoreKey("https://api.notion.com", "another"))
		}, t0, false},
		{"no time", func(t *testing.T, dir string) { setField(t, file(dir), "fetched", "0001-01-01T00:00:00Z") }, t0, false},
		{"a directory", func(t *testing.T, dir string) {
			os.Remove(file(dir))
			if err := os.Mkdir(file(dir), 0o700); err != nil {
				t.Fatal(err)
			}
		}, t0, false},
		{"a symbolic link", func(t *testing.T, dir string) {
			other := filepath.Join(t.TempDir(), "elsewhere.json")
			if err := os.Rename(file(dir), other); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, file(dir)); err != nil {
				t.Fatal(err)
			}
		}, t0, false},
		{"removed", func(t *testing.T, dir string) { os.Remove(file(dir)) }, t0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "cache", "notion-check")
			at(dir, t0).Save(key, entry)
			if tc.spoil != nil {
				tc.spoil(t, dir)
			}
			got, ok := at(dir, tc.now).Load(key)
			if ok != tc.want {
				t.Fatalf("Load: %v, want %v (%+v)", ok, tc.want, got)
			}
			if ok && !got.Fetched.Equal(entry.Fetched) {
				t.Errorf("fetched %v, want %v", got.Fetched, entry.Fetched)
			}
			if ok {
				got.Fetched = entry.Fetched
				if got != entry {
					t.Errorf("loaded %+v, want %+v", got, entry)
				}
			}
		})
	}
}

// TestDirFiles: the directory is 0700 and an entry 0600, written whole
// (no temporary file left), dropped on Drop and when expired; a key that
// is not a StoreKey is never a path.
func TestDirFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "xdg", "notion-check")
	d := at(dir, t0)
	d.Save(key, entry)
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	names := list(t, dir)
	if len(names) != 1 || names[0] != key+".json" {
		t.Fatalf("files %v, want the one entry", names)
	}
	if fi, err := os.Stat(filepath.Join(dir, names[0])); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("entry: %v, %v; want mode 0600", fi.Mode(), err)
	}
	d.Drop(key)
	if names := list(t, dir); len(names) != 0 {
		t.Errorf("after Drop: %v", names)
	}
	d.Save(key, entry)
	if _, ok := at(dir, t0.Add(48*time.Hour)).Load(key); ok {
		t.Error("an entry two days old was used")
	}
	if names := list(t, dir); len(names) != 0 {
		t.Errorf("an expired entry was kept: %v", names)
	}
	for _, bad := range []string{"", "../x", strings.Repeat("A", 64), "../" + key[3:], key + "/"} {
		d.Save(bad, entry)
		if _, ok := d.Load(bad); ok {
			t.Errorf("key %q loaded", bad)
		}
	}
	if names := list(t, dir); len(names) != 0 {
		t.Errorf("a bad key made files: %v", names)
	}
}

// TestDirUnusable: a directory that cannot be made (its parent is a
// file) or a Dir with no path is no cache: no entry, no panic.
func TestDirUnusable(t *testing.T) {
	t.Parallel()
	parent := filepath.Join(t.TempDir(), "home-is-a-file")
	if err := os.WriteFile(parent, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*mecache.Dir{{Path: filepath.Join(parent, "notion-check")}, {}} {
		d.Save(key, entry)
		if _, ok := d.Load(key); ok {
			t.Errorf("%q: an entry was loaded", d.Path)
		}
		d.Drop(key)
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func rewrite(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setField sets one top-level field of an entry's JSON.
func setField(t *testing.T, path, field string, v any) {
	t.Helper()
	rewrite(t, path, func(b []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = v
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
}
