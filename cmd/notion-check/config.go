package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/kelseyhightower/envconfig"
	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/ops"
	"github.com/notion-check/notion-check/diagnose"
)

// env is every variable the program reads (the README's configuration
// table, and the terminal's conventions), declared once for envconfig: its
// tags name the variables and give their defaults. Every field is a
// string: a variable that is set but empty counts as unset, and envconfig
// would otherwise keep an empty value (skipping the default) or fail to
// parse it as a number, so the values are defaulted and parsed here.
type env struct {
	NotionToken     string `envconfig:"NOTION_TOKEN"`
	NotionTokens    string `envconfig:"NOTION_TOKENS"`
	NotionAPIURL    string `envconfig:"NOTION_API_URL" default:"https://api.notion.com"`
	NotionVersion   string `envconfig:"NOTION_VERSION" default:"2025-09-03"`
	NotionRate      string `envconfig:"NOTION_RATE" default:"3"`
	NotionBurst     string `envconfig:"NOTION_BURST" default:"10"`
	NotionGuessRate string `envconfig:"NOTION_GUESS_RATE" default:"0"`
	SlackBotToken   string `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken   string `envconfig:"SLACK_APP_TOKEN"`
	SlackAPIURL     string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	HelpChannels    string `envconfig:"HELP_CHANNELS"`
	AllowedChans    string `envconfig:"ALLOWED_CHANNELS"`
	AdminChannel    string `envconfig:"ADMIN_CHANNEL"`
	AllowExternal   string `envconfig:"ALLOW_EXTERNAL_USERS" default:"false"`
	Addr            string `envconfig:"ADDR" default:":8080"`
	LogLevel        string `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat       string `envconfig:"LOG_FORMAT"`
	Timeout         string `envconfig:"DIAGNOSIS_TIMEOUT" default:"20s"`
	RedisURL        string `envconfig:"REDIS_URL"`
	ClaimAfter      string `envconfig:"REDIS_CLAIM_AFTER"`
	ShutdownTimeout string `envconfig:"SHUTDOWN_TIMEOUT"`
	// NotionCheckCache turns the CLI's users/me cache on or off.
	NotionCheckCache string `envconfig:"NOTION_CHECK_CACHE" default:"on"`
	// NoColor and Term are the terminal's conventions (no-color.org,
	// TERM=dumb), read for the human report.
	NoColor string `envconfig:"NO_COLOR"`
	Term    string `envconfig:"TERM"`
	// XDGCacheHome, Home and LocalAppData are where the platform keeps a
	// user's caches (os.UserCacheDir's rules, read through getenv).
	XDGCacheHome string `envconfig:"XDG_CACHE_HOME"`
	Home         string `envconfig:"HOME"`
	LocalAppData string `envconfig:"LOCALAPPDATA"`
}

// config is the checked configuration.
type config struct {
	NotionToken string
	// NotionTokens are the team's other integration tokens (NOTION_TOKENS),
	// in the order given, blanks dropped.
	NotionTokens  []string
	NotionAPIURL  string
	NotionVersion string
	NotionRate    float64
	NotionBurst   int
	// NotionBurstSet is true when NOTION_BURST was given: a one-shot run
	// then keeps to it; otherwise it sends up to
	// notion.DefaultOneShotBurst at once.
	NotionBurstSet bool
	// NotionGuessRate is NOTION_GUESS_RATE: requests per second each
	// integration may spend on calls that only save a round trip
	// (notion.Config.SpeculativeRate; 0: none).
	NotionGuessRate float64
	SlackBotToken   string
	SlackAppToken   string
	SlackAPIURL     string
	HelpChannels    []string
	AllowedChans    []string
	// AdminChannel is ADMIN_CHANNEL: where problems only an admin can fix
	// are posted ("": the asker is told to tell whoever runs the bot).
	AdminChannel  string
	AllowExternal bool
	Addr          string
	LogLevel      string
	LogFormat     string
	Timeout       time.Duration
	// RedisURL is REDIS_URL: the state shared by the replicas ("" : one
	// process, in memory).
	RedisURL string
	// ClaimAfter is REDIS_CLAIM_AFTER: how long the turn of a queued
	// request (and a report lease) outlives the last heartbeat of the
	// replica answering it before another replica takes it over (default
	// 10 s; the holder renews it every third of that while it works).
	ClaimAfter time.Duration
	// ShutdownTimeout is SHUTDOWN_TIMEOUT: how long serve may take to
	// finish the requests in flight after SIGTERM (bot.Config.ShutdownTimeout;
	// default bot.DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// CacheDir is the directory of the CLI's users/me cache
	// (userCacheDir/notion-check; "" when NOTION_CHECK_CACHE is off or the
	// platform names no cache directory: no cache).
	CacheDir string
	// Plain is true when NO_COLOR is set or TERM is dumb: the human report
	// is never coloured then.
	Plain bool
	// Secrets are the values of every configured token (configuredSecrets):
	// nothing the program writes ever holds one.
	Secrets []string
	// Problems are the variables loadConfig found wrong, each named (never
	// its value), in the order of the configuration table; their fields hold
	// the defaults.
	Problems configErrors
	// transport, when set, gives the prober of the i-th token its
	// transport (the shared Notion budget); not from the environment.
	transport func(i int, token string) http.RoundTripper
}

// varError is one problem with one variable: the message names the
// variable, never its value.
type varError struct {
	Var string
	Msg string
}

func (e varError) Error() string { return e.Msg }

// configErrors is every problem loadConfig found, in the order of the
// configuration table,
// so that one run reports them all.
type configErrors []varError

func (es configErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Msg
	}
	return strings.Join(msgs, "\n")
}

// only keeps the problems with the named variables.
func (es configErrors) only(vars ...string) configErrors {
	var out configErrors
	for _, e := range es {
		for _, v := range vars {
			if e.Var == v {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// cliVars are the variables the diagnosis face of the CLI reads; a problem
// with another one (a Slack setting, say) does not stop a diagnosis.
// NOTION_VERSION is not among them: the CLI is a diagnostic, and reports a
// version Notion does not publish as a finding.
var cliVars = []string{"NOTION_API_URL", "NOTION_RATE", "NOTION_BURST", "NOTION_GUESS_RATE", "DIAGNOSIS_TIMEOUT", "NOTION_CHECK_CACHE"}

// loadConfig reads every variable of env through getenv, the one reader of
// the environment (main gives os.Getenv), and checks every value that has a
// shape. The configuration's Problems name every wrong variable (never its
// value); the configuration then holds the defaults for those. The error
// is for a declaration envconfig cannot read, never for a value.
func loadConfig(getenv func(string) string) (config, error) {
	e, given, err := readEnv(getenv)
	if err != nil {
		return config{}, err
	}
	c := config{
		NotionToken: e.NotionToken, NotionTokens: tokenList(e.NotionTokens),
		NotionAPIURL: strings.TrimRight(e.NotionAPIURL, "/"), NotionVersion: e.NotionVersion,
		SlackBotToken: e.SlackBotToken, SlackAppToken: e.SlackAppToken, SlackAPIURL: e.SlackAPIURL,
		Addr: strings.TrimSpace(e.Addr), LogLevel: e.LogLevel, LogFormat: e.LogFormat,
		Plain:   e.NoColor != "" || e.Term == "dumb",
		Secrets: configuredSecrets(e.NotionToken, e.NotionTokens, e.SlackBotToken, e.SlackAppToken),
	}
	var errs configErrors
	bad := func(name, format string, args ...any) {
		errs = append(errs, varError{Var: name, Msg: fmt.Sprintf(format, args...)})
	}
	c.readNotionVars(e, given, bad)
	c.readReplicaVars(e, bad)
	c.readCacheVars(e, bad)
	if err := checkURL("SLACK_API_URL", c.SlackAPIURL, "https://slack.com/api/"); err != nil {
		bad("SLACK_API_URL", "%v", err)
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if c.HelpChannels, err = channelList("HELP_CHANNELS", e.HelpChannels); err != nil {
		bad("HELP_CHANNELS", "%v", err)
	}
	if c.AllowedChans, err = channelList("ALLOWED_CHANNELS", e.AllowedChans); err != nil {
		bad("ALLOWED_CHANNELS", "%v", err)
	}
	if admin, err := channelList("ADMIN_CHANNEL", e.AdminChannel); err != nil || len(admin) > 1 {
		bad("ADMIN_CHANNEL", "ADMIN_CHANNEL must be one Slack channel ID such as C0123456789")
	} else if len(admin) == 1 {
		c.AdminChannel = admin[0]
	}
	if c.AllowExternal, err = strconv.ParseBool(e.AllowExternal); err != nil {
		bad("ALLOW_EXTERNAL_USERS", "ALLOW_EXTERNAL_USERS must be true or false")
	}
	if err := checkAddr(c.Addr); err != nil {
		bad("ADDR", "%v", err)
	}
	if _, err := ops.ParseLevel(c.LogLevel); err != nil {
		bad("LOG_LEVEL", "LOG_LEVEL must be one of debug, info, warn, error")
	}
	switch strings.ToLower(strings.TrimSpace(c.LogFormat)) {
	case "", "auto", "json", "text":
	default:
		bad("LOG_FORMAT", "LOG_FORMAT must be json or text (or unset: text on a terminal, JSON otherwise)")
	}
	c.Problems = errs
	return c, nil
}

// readNotionVars checks NOTION_API_URL and NOTION_VERSION and reads the
// pacing and timeout variables, naming each wrong one through bad and
// keeping its default.
func (c *config) readNotionVars(e env, given map[string]bool, bad func(name, format string, args ...any)) {
	var err error
	if err := checkURL("NOTION_API_URL", c.NotionAPIURL, "https://api.notion.com"); err != nil {
		bad("NOTION_API_URL", "%v", err)
	}
	if !validVersion(c.NotionVersion) {
		bad("NOTION_VERSION", "NOTION_VERSION must be a date such as 2025-09-03")
	} else if !diagnose.KnownVersion(c.NotionVersion) {
		bad("NOTION_VERSION", "NOTION_VERSION must be a version Notion publishes: 2025-09-03, 2026-03-11 or 2022-06-28")
	}
	if c.NotionRate, err = strconv.ParseFloat(e.NotionRate, 64); err != nil || c.NotionRate <= 0 || c.NotionRate > 100 {
		bad("NOTION_RATE", "NOTION_RATE must be a number of requests per second above 0 and at most 100")
	}
	if c.NotionBurst, err = strconv.Atoi(e.NotionBurst); err != nil || c.NotionBurst < 1 || c.NotionBurst > 100 {
		bad("NOTION_BURST", "NOTION_BURST must be a whole number from 1 to 100")
	}
	c.NotionBurstSet = given["NOTION_BURST"]
	if c.NotionGuessRate, err = strconv.ParseFloat(e.NotionGuessRate, 64); err != nil || !(c.NotionGuessRate >= 0 && c.NotionGuessRate <= 100) {
		bad("NOTION_GUESS_RATE", "NOTION_GUESS_RATE must be a number of requests per second from 0 to 100")
		c.NotionGuessRate = 0
	}
	if c.Timeout, err = time.ParseDuration(e.Timeout); err != nil || c.Timeout < time.Second || c.Timeout > 5*time.Minute {
		bad("DIAGNOSIS_TIMEOUT", "DIAGNOSIS_TIMEOUT must be a duration from 1s to 5m, such as 20s")
		c.Timeout = 20 * time.Second
	}
}

// readCacheVars reads NOTION_CHECK_CACHE (on or off, or a boolean) and,
// when it is on, where the platform keeps a user's caches.
func (c *config) readCacheVars(e env, bad func(name, format string, args ...any)) {
	switch strings.ToLower(strings.TrimSpace(e.NotionCheckCache)) {
	case "on", "1", "true", "yes":
		if dir := userCacheDir(runtime.GOOS, e); dir != "" {
			c.CacheDir = filepath.Join(dir, "notion-check")
		}
	case "off", "0", "false", "no":
	default:
		bad("NOTION_CHECK_CACHE", "NOTION_CHECK_CACHE must be on or off")
	}
}

// userCacheDir is os.UserCacheDir's answer for goos with the variables
// of e, which run read through its getenv (os.UserCacheDir reads the
// process's environment, which a test in process cannot give each run);
// "" when the platform's variable is unset or not an absolute path.
func userCacheDir(goos string, e env) string {
	var dir string
	switch goos {
	case "windows":
		dir = e.LocalAppData
	case "darwin", "ios":
		if e.Home != "" {
			dir = filepath.Join(e.Home, "Library", "Caches")
		}
	case "plan9":
		if e.Home != "" {
			dir = filepath.Join(e.Home, "lib", "cache")
		}
	default:
		dir = e.XDGCacheHome
		if dir == "" && e.Home != "" {
			dir = filepath.Join(e.Home, ".cache")
		}
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return dir
}

// readReplicaVars reads REDIS_URL, REDIS_CLAIM_AFTER and
// SHUTDOWN_TIMEOUT, naming each wrong one through bad and keeping its
// default.
func (c *config) readReplicaVars(e env, bad func(name, format string, args ...any)) {
	var err error
	c.RedisURL = strings.TrimSpace(e.RedisURL)
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			bad("REDIS_URL", "REDIS_URL must be a redis:// or rediss:// URL such as redis://redis:6379/0")
		}
	}
	c.ClaimAfter = cluster.DefaultTurnLease
	if v := strings.TrimSpace(e.ClaimAfter); v != "" {
		if c.ClaimAfter, err = time.ParseDuration(v); err != nil || c.ClaimAfter < 2*time.Second || c.ClaimAfter > time.Hour {
			bad("REDIS_CLAIM_AFTER", "REDIS_CLAIM_AFTER must be a duration from 2s to 1h, such as 10s")
			c.ClaimAfter = cluster.DefaultTurnLease
		}
	}
	c.ShutdownTimeout = bot.DefaultShutdownTimeout
	if v := strings.TrimSpace(e.ShutdownTimeout); v != "" {
		if c.ShutdownTimeout, err = time.ParseDuration(v); err != nil || c.ShutdownTimeout < time.Second || c.ShutdownTimeout > 5*time.Minute {
			bad("SHUTDOWN_TIMEOUT", "SHUTDOWN_TIMEOUT must be a duration from 1s to 5m, such as 10s")
			c.ShutdownTimeout = bot.DefaultShutdownTimeout
		}
	}
}

// readEnv fills an env with the values getenv gives, asking it once per
// variable, and says which variables were given. envconfig v1.4.0 reads
// only the process environment, so it is asked for what the struct declares:
// its usage walk gives every field with the variable and default its tags
// name, exactly as its Process would read them, and each field is set from
// getenv; an unset, empty or blank one gets its default, as the README
// says an empty variable counts as unset.
func readEnv(getenv func(string) string) (env, map[string]bool, error) {
	var e env
	given := map[string]bool{}
	set := func(field reflect.Value, key, def string) (string, error) {
		if field.Kind() != reflect.String {
			return "", fmt.Errorf("the configuration's %s is not read as a string", key)
		}
		v := getenv(key)
		if strings.TrimSpace(v) == "" {
			v = def
		} else {
			given[key] = true
		}
		field.SetString(v)
		return "", nil
	}
	walk := template.Must(template.New("env").Funcs(template.FuncMap{"set": set}).
		Parse(`{{range .}}{{set .Field .Key (.Tags.Get "default")}}{{end}}`))
	if err := envconfig.Usaget("", &e, io.Discard, walk); err != nil {
		return env{}, nil, fmt.Errorf("reading the environment: %w", err)
	}
	return e, given, nil
}

// tokenList splits NOTION_TOKENS at commas, trims the spaces around each
// entry ("a, b" is two tokens) and drops blank entries. A space inside an
// entry stays, to be reported.
func tokenList(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// tokenEntry names the i-th (0-based) entry of NOTION_TOKENS for a
// message, by position: the value is never shown.
func tokenEntry(i int) string { return diagnose.TokenEntry(i) }

// checkAddr checks ADDR: host:port with a port number, or "off"/"" to
// turn the operations listener off.
func checkAddr(addr string) error {
	if !ops.Enabled(addr) {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("ADDR must be host:port such as :8080 or 127.0.0.1:8080, or off to turn the listener off")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("ADDR must end in a port number from 0 to 65535, such as :8080")
	}
	return nil
}

// channelList reads a comma-separated list of Slack channel IDs.
func channelList(name, v string) ([]string, error) {
	var out []string
	for _, ch := range strings.Split(v, ",") {
		ch = strings.TrimSpace(ch)
		if ch == "" {
			continue
		}
		if !validChannelID(ch) {
			return nil, fmt.Errorf("%s must list Slack channel IDs such as C0123456789, separated by commas", name)
		}
		out = append(out, ch)
	}
	return out, nil
}

// checkURL checks that raw is an absolute http(s) URL; the error names the
// variable and gives example, never raw.
func checkURL(name, raw, example string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http(s) URL such as %s", name, example)
	}
	return nil
}

func validVersion(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

func validChannelID(s string) bool {
	if len(s) < 9 || len(s) > 15 || !strings.ContainsRune("CGD", rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
