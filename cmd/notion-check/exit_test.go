package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot"
	"github.com/notion-check/notion-check/bot/slackfake"
	"github.com/notion-check/notion-check/diagnose/notiontest"
)

// TestStopStatus: serve's exit status after the bot stopped. A clean stop
// (every acknowledged request answered, some with "stopped — run it
// again") is a success; a request left without any answer, or Socket
// Mode failing, is not.
func TestStopStatus(t *testing.T) {
	t.Parallel()
	stopped := &bot.ShutdownError{Stats: bot.ShutdownStats{InFlight: 3, Answered: 1, Stopped: 2}}
	lost := &bot.ShutdownError{Stats: bot.ShutdownStats{InFlight: 3, Answered: 1, Stopped: 1, Lost: 1}}
	socket := errors.New("slack socket mode: invalid_auth")
	for _, tc := range []struct {
		name string
		err  error
		fail bool
	}{
		{"every request answered", nil, false},
		{"cancelled", context.Canceled, false},
		{"some told to run it again", stopped, false},
		{"one got no answer", lost, true},
		{"socket mode failed, then some stopped", errors.Join(socket, stopped), true},
		{"socket mode failed", socket, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := stopStatus(tc.err)
			if (err != nil) != tc.fail {
				t.Errorf("stopStatus(%v) = %v, want failure %v", tc.err, err, tc.fail)
			}
			if tc.fail && !errors.Is(err, tc.err) {
				t.Errorf("stopStatus(%v) = %v, want the error itself", tc.err, err)
			}
		})
	}
}

// TestServeExitsZeroAfterSIGTERMWithAStoppedAnswer runs `notion-check serve`
// as a real process with a check in flight that Notion does not answer
// before the shutdown deadline: after SIGTERM the user is told "stopped —
// run it again" and serve exits 0 (as documented). The wait is the first part of
// the shutdown budget (SHUTDOWN_TIMEOUT=4s: 2.7 s); nothing is asserted on
// time.
func TestServeExitsZeroAfterSIGTERMWithAStoppedAnswer(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for the shutdown deadline (-short)")
	}
	slack := slackfake.New()
	defer slack.Close()
	notion := notiontest.NewServer(t)
	for _, p := range []string{"/v1/blocks/", "/v1/pages/", "/v1/databases/", "/v1/data_sources/"} {
		notion.AddFault(notiontest.Fault{PathPrefix: p, Delay: 5 * time.Minute}) // ends when the bot gives up
	}
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(cleanEnviron(), "NOTION_CHECK_BE_MAIN=1",
		"SLACK_BOT_TOKEN="+slackfake.BotToken, "SLACK_APP_TOKEN="+slackfake.AppToken, "SLACK_API_URL="+slack.APIURL(),
		"NOTION_TOKEN="+notiontest.GoodToken, "NOTION_API_URL="+notion.URL, "DIAGNOSIS_TIMEOUT=5m", shutdownTimeout,
		"ADDR=off", "LOG_LEVEL=info", "LOG_FORMAT=json")
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exit error
	done := make(chan struct{})
	go func() { exit = cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	if err := slack.WaitOpenConnections(1, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	link := "https://www.notion.so/acme/Roadmap-" + strings.ReplaceAll(notiontest.SharedPageID, "-", "")
	if err := slack.Push(slackfake.SlashEnvelope(slackfake.Slash{EnvelopeID: "env-term", Text: link, ResponseURL: slack.ResponseURL("term")})); err != nil {
		t.Fatal(err)
	}
	if _, err := slack.WaitAck("env-term", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the check to ask Notion", func() bool { return notion.CallsTo("/v1/pages/")+notion.CallsTo("/v1/blocks/") > 0 })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM\n%s", logs.String())
	}
	if exit != nil {
		t.Errorf("serve exited %v after SIGTERM, want 0\n%s", exit, logs.String())
	}
	rps := slack.ResponsePosts()
	if len(rps) != 1 || !strings.Contains(rps[0].Text, "run it again") {
		t.Errorf("the check in flight was answered %+v, want one StoppedText", rps)
	}
}
