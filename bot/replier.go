package bot

import (
	"context"
	"errors"

	"github.com/notion-check/notion-check/diagnose"
)

// job is one acknowledged request, planned: what to diagnose (nothing when
// rd is nil: the answer needs no report) and where its answers go.
type job struct {
	what  string
	rd    *diagnose.Reading
	fresh bool // a "Check again": the cache is skipped
	to    replier
}

// notice is a short answer that is not the report.
type notice int

const (
	noticeBusy    notice = iota // the queue of work that needs Notion is full
	noticeStopped               // the shutdown stopped the check (StoppedText)
	noticeFailed                // the diagnosis failed inside notion-check
)

// errNoNotice is a replier's answer for a notice its request does not get
// (a help-channel message is not told the bot is busy).
var errNoNotice = errors.New("no notice for this request")

// replier delivers the answers of one request through the request's own
// channel (response_url, a thread reply, chat.update, an ephemeral).
type replier interface {
	// report delivers the answer: the report of the job's reading, or
	// the zero Report when the job has none.
	report(ctx context.Context, rep diagnose.Report) error
	// notify delivers a notice, or returns errNoNotice.
	notify(ctx context.Context, n notice) error
}

// fixedReply is a replier whose answer is one fixed delivery (a refusal,
// the usage, the App Home): it needs no report and gets no notice.
type fixedReply func(ctx context.Context) error

func (f fixedReply) report(ctx context.Context, _ diagnose.Report) error { return f(ctx) }

func (fixedReply) notify(context.Context, notice) error { return errNoNotice }

// noticeMessage is the message of a notice.
func noticeMessage(n notice) Message {
	switch n {
	case noticeBusy:
		return textMessage(BusyText)
	case noticeStopped:
		return stoppedMessage()
	}
	return failureMessage()
}
