package main

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// env is the whole environment of SPEC §2 as envconfig reads it. Every
// field is a string: a variable that is set but empty counts as unset, and
// envconfig would otherwise keep an empty value (skipping the default) or
// fail to parse it as a number, so the values are defaulted and parsed here.
type env struct {
	NotionToken   string `envconfig:"NOTION_TOKEN"`
	NotionAPIURL  string `envconfig:"NOTION_API_URL" default:"https://api.notion.com"`
	NotionVersion string `envconfig:"NOTION_VERSION" default:"2025-09-03"`
	NotionRate    string `envconfig:"NOTION_RATE" default:"3"`
	NotionBurst   string `envconfig:"NOTION_BURST" default:"10"`
	SlackBotToken string `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken string `envconfig:"SLACK_APP_TOKEN"`
	SlackAPIURL   string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	HelpChannels  string `envconfig:"HELP_CHANNELS"`
	AllowedChans  string `envconfig:"ALLOWED_CHANNELS"`
	AllowExternal string `envconfig:"ALLOW_EXTERNAL_USERS" default:"false"`
	Addr          string `envconfig:"ADDR" default:":8080"`
	LogLevel      string `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat     string `envconfig:"LOG_FORMAT"`
	Timeout       string `envconfig:"DIAGNOSIS_TIMEOUT" default:"20s"`
}

// config is the checked configuration.
type config struct {
	NotionToken   string
	NotionAPIURL  string
	NotionVersion string
	NotionRate    float64
	NotionBurst   int
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string
	HelpChannels  []string
	AllowedChans  []string
	AllowExternal bool
	Addr          string
	LogLevel      string
	LogFormat     string
	Timeout       time.Duration
}

// loadConfig reads the environment through envconfig and checks every value
// that has a shape; an error names the variable, never its value.
func loadConfig() (config, error) {
	var e env
	if err := envconfig.Process("", &e); err != nil {
		return config{}, fmt.Errorf("reading the environment: %w", err)
	}
	applyEmptyDefaults(&e)
	c := config{
		NotionToken: e.NotionToken, NotionAPIURL: strings.TrimRight(e.NotionAPIURL, "/"), NotionVersion: e.NotionVersion,
		SlackBotToken: e.SlackBotToken, SlackAppToken: e.SlackAppToken, SlackAPIURL: e.SlackAPIURL,
		Addr: e.Addr, LogLevel: e.LogLevel, LogFormat: e.LogFormat,
	}
	if err := checkURL("NOTION_API_URL", c.NotionAPIURL); err != nil {
		return c, err
	}
	if err := checkURL("SLACK_API_URL", c.SlackAPIURL); err != nil {
		return c, err
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if !validVersion(c.NotionVersion) {
		return c, fmt.Errorf("NOTION_VERSION must be a date such as 2025-09-03")
	}
	var err error
	if c.NotionRate, err = strconv.ParseFloat(e.NotionRate, 64); err != nil || c.NotionRate <= 0 || c.NotionRate > 100 {
		return c, fmt.Errorf("NOTION_RATE must be a number of requests per second above 0 and at most 100")
	}
	if c.NotionBurst, err = strconv.Atoi(e.NotionBurst); err != nil || c.NotionBurst < 1 || c.NotionBurst > 100 {
		return c, fmt.Errorf("NOTION_BURST must be a whole number from 1 to 100")
	}
	if c.Timeout, err = time.ParseDuration(e.Timeout); err != nil || c.Timeout < time.Second || c.Timeout > 5*time.Minute {
		return c, fmt.Errorf("DIAGNOSIS_TIMEOUT must be a duration from 1s to 5m, such as 20s")
	}
	if c.HelpChannels, err = channelList("HELP_CHANNELS", e.HelpChannels); err != nil {
		return c, err
	}
	if c.AllowedChans, err = channelList("ALLOWED_CHANNELS", e.AllowedChans); err != nil {
		return c, err
	}
	if c.AllowExternal, err = strconv.ParseBool(e.AllowExternal); err != nil {
		return c, fmt.Errorf("ALLOW_EXTERNAL_USERS must be true or false")
	}
	return c, nil
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

// applyEmptyDefaults gives every set-but-empty (or blank) variable its
// default, as SPEC §2 says an empty variable counts as unset.
func applyEmptyDefaults(e *env) {
	v := reflect.ValueOf(e).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		fv := v.Field(i)
		if strings.TrimSpace(fv.String()) == "" {
			fv.SetString(t.Field(i).Tag.Get("default"))
		}
	}
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http(s) URL such as https://api.notion.com", name)
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
