package mecache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/notion-check/notion-check/diagnose/notion"
	"github.com/notion-check/notion-check/diagnose/notion/mecache"
)

// A Dir keeps what users/me said about a token under its StoreKey; the
// file holds no part of the token.
func ExampleDir() {
	home, err := os.MkdirTemp("", "cache-home")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(home)
	d := &mecache.Dir{Path: filepath.Join(home, "notion-check")}
	key := notion.StoreKey("https://api.notion.com", "ntn_example_token_never_written")
	d.Save(key, notion.KnownToken{Name: "Acme Sync", Workspace: "Acme", OwnerType: "workspace", Fetched: time.Now()})

	k, ok := d.Load(key)
	fmt.Println(ok, k.Name, k.Workspace, k.OwnerType)
	d.Drop(key)
	_, ok = d.Load(key)
	fmt.Println(ok)
	// Output:
	// true Acme Sync Acme workspace
	// false
}
