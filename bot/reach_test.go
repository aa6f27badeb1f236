package bot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/notion-check/notion-check/diagnose"
)

// clock is a settable time for the trackers' now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func unavailableReport() diagnose.Report {
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusUnknown},
		Checks: []diagnose.Check{{ID: "01234567-89ab-cdef-0123-456789abcdef", Status: diagnose.StatusUnknown,
			Findings: []diagnose.Finding{diagnose.NewFinding(diagnose.CodeNotionUnavailable, "Notion answered 503.", nil)}}},
	}
}

func capabilityReport() diagnose.Report {
	return diagnose.Report{
		Integration: diagnose.Integration{Status: diagnose.StatusProblem, Name: "Iris Checker", Findings: []diagnose.Finding{
			diagnose.NewFinding(diagnose.CodeAccessCapability, "Every read answered 403 restricted_resource.", nil)}},
	}
}

func TestIncidentsOncePerIncident(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	in := newIncidents(2 * time.Minute)
	in.now = c.now
	step := func(rep diagnose.Report, d time.Duration) (int, int) {
		c.t = c.t.Add(d)
		now, post := in.observe(rep)
		return len(now), len(post)
	}
	for i, tc := range []struct {
		name      string
		rep       diagnose.Report
		after     time.Duration
		now, post int
	}{
		{"token refused: told at once", revokedReport(), 0, 1, 1},
		{"asked again: not told again", revokedReport(), time.Minute, 1, 0},
		{"an offline report says nothing of the token", diagnose.Report{Integration: diagnose.Integration{Status: diagnose.StatusMissing}}, time.Minute, 0, 0},
		{"still refused: same incident", revokedReport(), time.Hour, 1, 0},
		{"fixed", okReport(), time.Minute, 0, 0},
		{"refused again: a new incident", revokedReport(), time.Minute, 1, 1},
		{"fixed again", okReport(), 0, 0, 0},
		{"a capability missing: told at once", capabilityReport(), time.Minute, 1, 1},
		{"capability still missing", capabilityReport(), time.Minute, 1, 0},
		{"capability given", okReport(), time.Minute, 0, 0},
		{"Notion fails once: not yet an incident", unavailableReport(), time.Minute, 0, 0},
		{"still failing a minute later: not yet", unavailableReport(), time.Minute, 0, 0},
		{"failing for two minutes: told", unavailableReport(), time.Minute, 1, 1},
		{"still failing: told once", unavailableReport(), 10 * time.Minute, 1, 0},
		{"Notion answers", okReport(), time.Minute, 0, 0},
		{"fails again: a new wait", unavailableReport(), time.Minute, 0, 0},
	} {
		now, post := step(tc.rep, tc.after)
		if now != tc.now || post != tc.post {
			t.Errorf("%d %s: %d shown, %d to post; want %d, %d", i, tc.name, now, post, tc.now, tc.post)
		}
	}
}

func TestCausesCountLastSevenDays(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	cs := newCauses()
	cs.now = c.now
	cs.record(revokedReport())
	cs.record(revokedReport())
	cs.record(unavailableReport())
	cs.record(okReport()) // access.ok is info: not a cause
	top := cs.top(5)
	if len(top) != 2 || top[0] != (CauseCount{diagnose.CodeTokenInvalid, 2}) || top[1] != (CauseCount{diagnose.CodeNotionUnavailable, 1}) {
		t.Errorf("top = %v", top)
	}
	c.t = c.t.Add(6 * 24 * time.Hour)
	cs.record(unavailableReport())
	cs.record(unavailableReport())
	if top := cs.top(1); len(top) != 1 || top[0] != (CauseCount{diagnose.CodeNotionUnavailable, 3}) {
		t.Errorf("six days later top = %v", top)
	}
	c.t = c.t.Add(2 * 24 * time.Hour) // the first day left the window
	if top := cs.top(5); len(top) != 1 || top[0] != (CauseCount{diagnose.CodeNotionUnavailable, 2}) {
		t.Errorf("eight days later top = %v", top)
	}
}

func TestNotionURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://www.notion.so/Bug-bash-be633bf1dfa0436db259571129a590e5", "https://www.notion.so/Bug-bash-be633bf1dfa0436db259571129a590e5"},
		{"https://www.notion.so/3d47810f380f80d7a002000000000001?v=3d47810f380f80d7a004000000000001&p=1", "https://www.notion.so/3d47810f380f80d7a002000000000001?v=3d47810f380f80d7a004000000000001&amp;p=1"},
		{"https://acme.notion.site/Page-0123456789abcdef0123456789abcdef", "https://acme.notion.site/Page-0123456789abcdef0123456789abcdef"},
		{"http://www.notion.so/x", ""},
		{"https://evil.example/notion.so", ""},
		{"https://www.notion.so.evil.example/x", ""},
		{"https://www.notion.so/x|<!channel>", ""},
		{"https://www.notion.so/x>y", ""},
		{"https://user@www.notion.so/x", ""},
		{"https://www.notion.so/x y", ""},
		{"https://www.notion.so/Pagé", ""},
		{"javascript:alert(1)", ""},
		{"", ""},
	} {
		if got := notionURL(tc.in); got != tc.want {
			t.Errorf("notionURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLinkPlacesWritesOnlyFixedTargets(t *testing.T) {
	got := linkPlaces(esc("Open notion.so/profile/integrations, then check status.notion.so. <https://evil.example|notion.so/profile/integrations>"))
	want := "Open <" + IntegrationsURL + "|notion.so/profile/integrations>, then check <" + StatusURL + "|status.notion.so>. &lt;https://evil.example|<" + IntegrationsURL + "|notion.so/profile/integrations>&gt;"
	if got != want {
		t.Errorf("linkPlaces:\n got %s\nwant %s", got, want)
	}
}

// numbersShown returns the check numbers of a message in the order shown
// ("*3.*" in a check's section, "3." in the folded line).
func numbersShown(msg Message) []int {
	re := regexp.MustCompile(`(?:^|\n|: | · )\*?(\d+)\.\*? `)
	var out []int
	for _, b := range msg.Blocks {
		s, ok := b.(*slack.SectionBlock)
		if !ok {
			continue
		}
		for _, l := range strings.Split(s.Text.Text, "\n") {
			if !strings.HasPrefix(l, "*") && !strings.HasPrefix(l, "✅") && !strings.HasPrefix(l, "❔") {
				continue // a fix step's own number
			}
			for _, m := range re.FindAllStringSubmatch("\n"+l, -1) {
				n, _ := strconv.Atoi(m[1])
				out = append(out, n)
			}
		}
	}
	return out
}

func TestRenderNumbersChecksInTheOrderShown(t *testing.T) {
	for _, c := range exampleCases(t) {
		if len(c.Report.Checks) < 2 {
			continue
		}
		msg := Render(withRecheck(c.Report, c.Text), RenderOptions{})
		got := numbersShown(msg)
		if len(got) != len(c.Report.Checks) {
			t.Errorf("%s: numbers shown %v, want one per check (%d)", c.Name, got, len(c.Report.Checks))
		}
		for i, n := range got {
			if n != i+1 {
				t.Errorf("%s: numbers shown %v, want 1..%d in the order shown", c.Name, got, len(c.Report.Checks))
				break
			}
		}
		// "same fix as N" points to a number shown above.
		for _, m := range regexp.MustCompile(`same fix as (\d+)\.`).FindAllStringSubmatch(visibleText(msg), -1) {
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > len(got) {
				t.Errorf("%s: same fix as %d", c.Name, n)
			}
		}
	}
}

func TestPrivateReportButtonsWithinLimits(t *testing.T) {
	for _, c := range exampleCases(t) {
		thread := threadRef{channel: "C0123456789", ts: "1700000000.000100"}
		msg := privateReport(withRecheck(c.Report, c.Text), true, thread)
		assertLimits(t, msg)
		js, _ := json.Marshal(msg.Blocks)
		rv, _ := actionValue(t, js, RecheckActionID)
		sv, share := actionValue(t, js, ShareActionID)
		tv, reply := actionValue(t, js, ThreadActionID)
		if rv == "" {
			if share || reply {
				t.Errorf("%s: share buttons without anything to re-check", c.Name)
			}
			continue
		}
		if !share || sv != rv || !reply || tv != thread.String()+"\n"+rv {
			t.Errorf("%s: share %v %q, reply %v %q; want both carrying %q", c.Name, share, sv, reply, tv, rv)
		}
		if got, rest, ok := parseThreadValue(tv); !ok || got != thread || rest != rv {
			t.Errorf("%s: parseThreadValue = %v %q %v", c.Name, got, rest, ok)
		}
	}
}

func TestOpenInNotionOnlyFromNotionsURL(t *testing.T) {
	rep := okReport()
	rep.Checks[0].URL = "https://www.notion.so/Roadmap-0123456789abcdef0123456789abcdef"
	rep.Checks[0].Title = "<!channel> Roadmap"
	js, _ := json.Marshal(Render(withRecheck(rep, pageLink), RenderOptions{}).Blocks)
	if !strings.Contains(string(js), `"url":"https://www.notion.so/Roadmap-0123456789abcdef0123456789abcdef"`) {
		t.Errorf("no Open in Notion button with the url Notion returned: %s", js)
	}
	two := rep
	two.Checks = append([]diagnose.Check{rep.Checks[0]}, rep.Checks[0])
	two.Checks[1].URL = "https://evil.example/|x>"
	two.Checks[1].ID = "11111111-89ab-cdef-0123-456789abcdef"
	js, _ = json.Marshal(Render(withRecheck(two, pageLink), RenderOptions{}).Blocks)
	raw := plainJSON(js)
	if strings.Count(raw, "<https://www.notion.so/Roadmap-0123456789abcdef0123456789abcdef|") != 1 || strings.Contains(raw, "evil.example") {
		t.Errorf("two checks, one with a foreign url: %s", raw)
	}
}

func TestHomeViewWithinLimits(t *testing.T) {
	var its []IntegrationHealth
	for i := range 40 {
		its = append(its, IntegrationHealth{Name: strings.Repeat("<@U123>&", 30) + fmt.Sprint(i), Health: "ok"})
	}
	var chans []string
	for i := range 50 {
		chans = append(chans, fmt.Sprintf("C%010d", i))
	}
	chans = append(chans, "<!here>", "U0NOTACHAN")
	var causes []CauseCount
	for _, code := range diagnose.AllCodes()[:5] {
		causes = append(causes, CauseCount{code, 1000})
	}
	blocks := HomeView(HomeInput{Integrations: its, HelpChannels: chans, AdminChannel: "<!channel>", Causes: causes})
	msg := Message{Text: "home", Blocks: blocks}
	assertLimits(t, msg)
	js, _ := json.Marshal(blocks)
	s := plainJSON(js)
	if strings.Contains(s, "<@U123>") || strings.Contains(s, "<!here>") || strings.Contains(s, "<!channel>") || strings.Contains(s, "<#U0NOTACHAN>") {
		t.Errorf("live markup from outside in the Home tab: %s", s)
	}
	if len(blocks) > MaxHomeBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
}

func TestAdminMessageAndNote(t *testing.T) {
	p := adminProblem{adminToken, revokedReport().Integration.Findings[0]}
	msg := adminMessage(p, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
	assertLimits(t, msg)
	text := visibleText(msg)
	for _, want := range []string{"refuses notion-check's own integration token", "notion.so/profile/integrations", "Since 2026-12-05 10:00 UTC"} {
		if !strings.Contains(text, want) {
			t.Errorf("admin message lacks %q: %s", want, text)
		}
	}
	full := Message{Text: "x"}
	for range MaxBlocks {
		full.Blocks = append(full.Blocks, section("x"))
	}
	full.Blocks = append(full.Blocks[:MaxBlocks-1], slack.NewContextBlock("", mrkdwn("As Iris")))
	if got := withSection(full, "note"); len(got.Blocks) != MaxBlocks || !strings.Contains(visibleText(got), "note") {
		t.Errorf("withSection on a full message: %d blocks", len(got.Blocks))
	}
}
