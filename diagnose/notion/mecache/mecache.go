// Package mecache is a notion.IntegrationStore in files: what GET
// /v1/users/me (and GET /v1/users) told about a token, kept between runs
// of the CLI so that a second run with the same token need not ask again.
//
// One entry is one small JSON file named by its key (notion.StoreKey, an
// HMAC-SHA-256 of the base URL and the token: never the token), mode 0600
// in a directory of mode 0700, written to a temporary file and renamed over
// the old one, so that a reader sees a whole entry or none. It holds the
// bot's name, its workspace's name, its owner type, the outcome and
// message of GET /v1/users, and when users/me answered. An entry older
// than the TTL is not used (and is removed).
//
// The cache is an optimisation and never an error: a missing, read-only or
// unwritable directory, a corrupt, truncated, oversized, foreign or
// misnamed file, or a file from a clock ahead of this one, all mean "no
// entry", logged at debug level only.
package mecache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/notion-check/notion-check/diagnose/notion"
)

// DefaultTTL is how long an entry is used: a day. A bot or workspace
// renamed, or a token's kind changed, shows in the next day's answers at
// the latest; a refused token (401) drops its entry at once.
const DefaultTTL = 24 * time.Hour

// format and version mark a file as this cache's; any other is foreign.
const (
	format  = "notion-check users/me cache"
	version = 1
)

// maxFile bounds what is read of one entry: a real one is a few hundred
// bytes.
const maxFile = 64 << 10

// futureSlack is how far ahead of this clock an entry's time may be (two
// machines sharing a home, a clock corrected) before it counts as corrupt.
const futureSlack = 5 * time.Minute

// Dir is a notion.IntegrationStore whose entries are files in one
// directory. The zero value of every field but Path is usable.
type Dir struct {
	// Path is the directory, created (mode 0700, with its parents) on the
	// first save.
	Path string
	// TTL is how long an entry is used (DefaultTTL if 0).
	TTL time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Log receives debug lines about entries not read or not written
	// (discarded if nil). It never receives a token: the store never has
	// one.
	Log *slog.Logger
}

var _ notion.IntegrationStore = (*Dir)(nil)

// file is one entry on disk.
type file struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Key repeats the file's name, so that a file copied or renamed under
	// another key is not taken for that token's.
	Key string `json:"key"`
	notion.KnownToken
}

// Load returns the entry saved under key, false when there is none usable.
func (d *Dir) Load(key string) (notion.KnownToken, bool) {
	p, ok := d.file(key)
	if !ok {
		return notion.KnownToken{}, false
	}
	f, err := d.read(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			d.log().Debug("users/me cache entry not used", "file", filepath.Base(p), "error", err.Error())
		}
		return notion.KnownToken{}, false
	}
	now := d.now()
	switch {
	case f.Format != format || f.Version != version || f.Key != key:
		d.log().Debug("users/me cache entry not used: not this cache's", "file", filepath.Base(p))
		return notion.KnownToken{}, false
	case f.Fetched.IsZero() || f.Fetched.After(now.Add(futureSlack)):
		d.log().Debug("users/me cache entry not used: no usable time", "file", filepath.Base(p))
		return notion.KnownToken{}, false
	case now.Sub(f.Fetched) >= d.ttl():
		d.log().Debug("users/me cache entry expired", "file", filepath.Base(p), "fetched", f.Fetched)
		d.remove(p)
		return notion.KnownToken{}, false
	}
	return f.KnownToken, true
}

// read reads and decodes one entry file: a regular file (not a link) of at
// most maxFile bytes holding one JSON object.
func (d *Dir) read(p string) (file, error) {
	var f file
	fi, err := os.Lstat(p)
	if err != nil {
		return f, err
	}
	if !fi.Mode().IsRegular() {
		return f, fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	if fi.Size() > maxFile {
		return f, fmt.Errorf("%d bytes, more than an entry holds", fi.Size())
	}
	fh, err := os.Open(p)
	if err != nil {
		return f, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxFile+1))
	if err != nil {
		return f, err
	}
	if len(b) > maxFile {
		return f, errors.New("more bytes than an entry holds")
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("not an entry: %w", err)
	}
	return f, nil
}

// Save keeps k under key: written whole to a temporary file of mode 0600
// in the directory, then renamed over the entry.
func (d *Dir) Save(key string, k notion.KnownToken) {
	p, ok := d.file(key)
	if !ok {
		return
	}
	if err := d.write(p, file{Format: format, Version: version, Key: key, KnownToken: k}); err != nil {
		d.log().Debug("users/me cache entry not written", "file", filepath.Base(p), "error", err.Error())
	}
}

func (d *Dir) write(p string, f file) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.Path, ".entry-*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Drop forgets the entry under key.
func (d *Dir) Drop(key string) {
	if p, ok := d.file(key); ok {
		d.remove(p)
	}
}

func (d *Dir) remove(p string) {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.log().Debug("users/me cache entry not removed", "file", filepath.Base(p), "error", err.Error())
	}
}

// file is the path of key's entry, false for a key that is not 64
// lowercase hex digits (never a path of its own) or a Dir without a path.
func (d *Dir) file(key string) (string, bool) {
	if d.Path == "" || len(key) != 64 {
		return "", false
	}
	for _, c := range key {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return filepath.Join(d.Path, key+".json"), true
}

func (d *Dir) ttl() time.Duration {
	if d.TTL > 0 {
		return d.TTL
	}
	return DefaultTTL
}

func (d *Dir) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dir) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}
