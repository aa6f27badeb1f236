package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/slack-go/slack"
	yaml "go.yaml.in/yaml/v3"
)

const manifestPath = "../manifest.yml"

// schemaDir is Slack's app-manifest JSON Schema, present in CI next to the
// repository (../shared relative to the repo root).
const schemaDir = "../../shared/slack-manifest-schema"

func readManifest(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestManifestStrictAndInStepWithCode(t *testing.T) {
	dec := yaml.NewDecoder(bytes.NewReader(readManifest(t)))
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yml does not decode strictly: %v", err)
	}
	if n := len([]rune(m.Display.Name)); n < 1 || n > 35 {
		t.Errorf("display_information.name has %d characters, want 1-35", n)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("%d slash commands, want exactly 1", len(m.Features.SlashCommands))
	}
	sc := m.Features.SlashCommands[0]
	if sc.Command != Command {
		t.Errorf("manifest command %q, code handles %q", sc.Command, Command)
	}
	if n := len(sc.Command); n < 2 || n > 32 || !strings.HasPrefix(sc.Command, "/") || sc.Description == "" {
		t.Errorf("slash command %+v breaks Slack's rules", sc)
	}
	if !m.Settings.SocketModeEnabled {
		t.Error("socket_mode_enabled is not true")
	}
	if m.Settings.Interactivity == nil || !m.Settings.Interactivity.IsEnabled || m.Settings.Interactivity.RequestUrl != "" {
		t.Error("interactivity must be enabled, without a request_url (Socket Mode)")
	}
	if m.Settings.EventSubscriptions == nil {
		t.Fatal("no event_subscriptions")
	}
	if m.Settings.EventSubscriptions.RequestUrl != "" {
		t.Error("event_subscriptions.request_url set: Socket Mode needs none")
	}
	if got, want := sorted(m.Settings.EventSubscriptions.BotEvents), sorted(BotEvents()); !slices.Equal(got, want) {
		t.Errorf("bot_events %v, code handles %v", got, want)
	}
	if got, want := sorted(m.OAuthConfig.Scopes.Bot), sorted(BotScopes()); !slices.Equal(got, want) {
		t.Errorf("bot scopes %v, want exactly %v", got, want)
	}
	if got, want := sorted(BotScopes()), []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history", "im:history"}; !slices.Equal(got, want) {
		t.Errorf("BotScopes() = %v", got)
	}
	// The message shortcut the bot handles, and the App Home with its
	// Messages tab open for direct messages.
	if len(m.Features.Shortcuts) != 1 {
		t.Fatalf("%d shortcuts, want exactly 1", len(m.Features.Shortcuts))
	}
	if s := m.Features.Shortcuts[0]; s.CallbackID != ShortcutCallbackID || s.Type != slack.MessageShortcut || s.Name != ShortcutName || len([]rune(s.Name)) > 24 || s.Description == "" {
		t.Errorf("shortcut %+v, want a message shortcut %q with a name of at most 24 characters", s, ShortcutCallbackID)
	}
	if h := m.Features.AppHome; !h.HomeTabEnabled || !h.MessagesTabEnabled || h.MessagesTabReadOnlyEnabled {
		t.Errorf("app_home %+v: the Home tab and a writable Messages tab are needed", h)
	}
	if len(m.OAuthConfig.Scopes.User) != 0 {
		t.Errorf("user scopes %v, want none", m.OAuthConfig.Scopes.User)
	}
}

func TestManifestStrictDecodeRejectsUnknownKeys(t *testing.T) {
	bad := strings.Replace(string(readManifest(t)), "socket_mode_enabled: true", "socket_mode_enabled: true\n  socket_mode: true", 1)
	dec := yaml.NewDecoder(strings.NewReader(bad))
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err == nil {
		t.Error("an unknown key was accepted")
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// schemaURLs are the URLs manifest.schema.json $refs the versioned
// schemas by; the local copies are registered under them (no network).
var schemaURLs = map[string]string{
	"manifest.schema.1.0.0.json": "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.1.0.0.json",
	"manifest.schema.2.0.0.json": "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.2.0.0.json",
}

const rootSchemaURL = "https://github.com/slackapi/manifest-schema/blob/main/manifest.schema.json"

func compileManifestSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	if _, err := os.Stat(filepath.Join(schemaDir, "manifest.schema.json")); err != nil {
		t.Skipf("Slack manifest JSON Schema not found at %s (it lives in ../shared next to the repository in CI), schema validation skipped", schemaDir)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(lookaheadRegexp)
	add := func(file, url string) {
		f, err := os.Open(filepath.Join(schemaDir, file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	add("manifest.schema.json", rootSchemaURL)
	for file, url := range schemaURLs {
		add(file, url)
	}
	sch, err := c.Compile(rootSchemaURL)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// lookaheadRegexp compiles patterns with Go's regexp, except a leading
// negative lookahead "^(?!X)REST" (the schema's domain pattern), which Go
// cannot compile: it matches when ^X does not and ^REST does.
func lookaheadRegexp(s string) (jsonschema.Regexp, error) {
	if re, err := regexp.Compile(s); err == nil {
		return re, nil
	}
	if !strings.HasPrefix(s, "^(?!") {
		return nil, errors.New("unsupported pattern " + s)
	}
	depth, end := 0, -1
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				end = i
			}
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 {
		return nil, errors.New("unbalanced pattern " + s)
	}
	not, err := regexp.Compile("^(?:" + s[4:end] + ")")
	if err != nil {
		return nil, err
	}
	rest, err := regexp.Compile("^" + s[end+1:])
	if err != nil {
		return nil, err
	}
	return negLookahead{src: s, not: not, rest: rest}, nil
}

type negLookahead struct {
	src       string
	not, rest *regexp.Regexp
}

func (r negLookahead) MatchString(s string) bool {
	return !r.not.MatchString(s) && r.rest.MatchString(s)
}
func (r negLookahead) String() string { return r.src }

func yamlToJSONValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestManifestValidAgainstSlackSchema(t *testing.T) {
	sch := compileManifestSchema(t)
	if err := sch.Validate(yamlToJSONValue(t, readManifest(t))); err != nil {
		t.Errorf("manifest.yml is not valid against Slack's schema:\n%v", err)
	}
	// The validator really validates: upstream's own fixtures, and breakages.
	for file, valid := range map[string]bool{"test.v1.valid.json": true, "test.v1.invalid.json": false} {
		data, err := os.ReadFile(filepath.Join(schemaDir, file))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlToJSONValue(t, data)); (err == nil) != valid {
			t.Errorf("%s: valid=%v, error %v", file, valid, err)
		}
	}
	for name, edit := range map[string]func(string) string{
		"unknown key": func(s string) string {
			return strings.Replace(s, "  socket_mode_enabled: true", "  socket_mode_enabled: true\n  socket_mode: true", 1)
		},
		"long name": func(s string) string {
			return strings.Replace(s, "  name: notion-check", "  name: "+strings.Repeat("n", 36), 1)
		},
		"command without /": func(s string) string { return strings.Replace(s, "command: /notion-check", "command: notion-check", 1) },
		"no description": func(s string) string {
			return strings.Replace(s, "      description: Diagnose why a Notion API call fails\n", "", 1)
		},
	} {
		edited := edit(string(readManifest(t)))
		if edited == string(readManifest(t)) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if err := sch.Validate(yamlToJSONValue(t, []byte(edited))); err == nil {
			t.Errorf("%s: accepted by the schema", name)
		}
	}
}
