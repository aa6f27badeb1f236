// Package bot is the Slack face of notion-check: a Socket Mode bot that
// answers /notion-check, help-channel messages and mentions with the
// diagnosis rendered as Block Kit. It knows the diagnose package's Report,
// never Notion's wire format.
//
// # Behaviour
//
//   - Run calls auth.test (the bot's own user ID), then serves Socket Mode
//     (slack-go socketmode) with its own event loop.
//   - Every slash_commands, events_api and interactive envelope is acked once,
//     at once, from the event loop (AckCtx with a timeout, never the blocking
//     Ack); error_bad_message envelopes are acked by the envelope_id taken
//     from the raw JSON, so Slack does not redeliver them.
//   - /notion-check TEXT: the ack carries "Checking…"; the report is posted
//     to the command's response_url, ephemeral (when Slack says the
//     response_url is gone, 404 or 410, as chat.postEphemeral to the user in
//     that channel). Empty or "help": the usage message is the ack payload.
//   - One way for every request, with or without Redis (work.go): the
//     event loop never reads a text; it applies the filters that need no
//     reading (own messages, subtypes), admits the delivery into
//     Config.Cluster (its dedupe keys recorded and its work queued in one
//     step, cluster.Cluster.Admit) and acks. Item workers take the queued
//     work and read the text (a text of more than 8 kB holds one of
//     GOMAXPROCS-1 read slots, at least one), so a big message never
//     delays another envelope's ack (TestReadingNeverHoldsAcks).
//   - Every text is cut at MaxTextBytes before anything reads it and read
//     once, after the ack: its Slack markup (&amp; &lt; &gt;, <url|label>,
//     <@U…>, <#C…|name>) undone exactly once, by undoMarkup, then read by
//     diagnose.ReadText; the bot
//     answers a help-channel message when that Reading is Answerable and
//     diagnoses the same Reading (Diagnoser.DiagnoseReading).
//   - A message in a help channel holding a Notion reference, or any app
//     mention, gets the report in the message's thread (its thread_ts when it
//     is a reply); a mention without a reference gets the usage. A message
//     holding a Notion token (or a configured secret) gets one reply in its
//     thread, never two: it says to rotate the token first (Render leads
//     with token.leaked, withLeakWarning leads any other answer), then the
//     diagnosis of the rest; it never quotes the token.
//   - Ignored: the bot's own messages, other bots, hidden messages and every
//     subtype except thread_broadcast and file_share. A redelivered event
//     (same event_id) and the message/app_mention pair Slack sends for one
//     message (same channel and ts) are answered once: the cluster's dedupe
//     remembers every key for its TTL (an hour; Slack retries up to about 5
//     minutes later), however many other events came since, and forgets it
//     after (memory bounded by time).
//   - The message shortcut (callback_id diagnose_message) diagnoses the
//     chosen message's text and answers the person privately
//     (chat.postEphemeral; a direct message where the bot cannot post
//     there), with "Share in channel" (share) and "Reply in thread"
//     (reply_in_thread) buttons whose values carry what to re-check (and
//     the thread); a click re-diagnoses from the value and posts the report
//     for everyone, attributed to the clicker. Ephemeral slash answers have
//     "Share in channel" too. A direct message (message.im) is answered in
//     the DM; a mention or DM that does not ask about Notion
//     (diagnose.Reading.Asked) gets the usage. app_home_opened (Home tab)
//     publishes the App Home (views.publish, through the same redaction and
//     markup guard as every message). Problems only an admin can fix go to
//     Config.AdminChannel once per incident (admin.go).
//   - The "Check again" button (action_id recheck) re-runs the diagnosis
//     with Fresh set and replaces the message through the click's
//     response_url (replace_original), or chat.update when there is none.
//   - Cache and coalescing come before any concurrency slot: a reading whose
//     report is fresh (Config.CacheTTL, the freshness: 5 minutes by
//     default; never for "Check again") is answered at once, and one already
//     being diagnosed is waited for as data on that diagnosis (no goroutine
//     per waiting request): one diagnosis per distinct reading. Only a new
//     diagnosis takes one of Config.MaxConcurrent diagnosis workers, each
//     with panic recovery (a panic is logged and the user gets a short
//     failure message), and at most Config.MaxQueued more wait: beyond that
//     a slash command gets BusyText through its response_url, a mention in
//     thread, a help-channel message no answer. At most Config.MaxPending
//     requests are held in all (beyond: the queue refuses, and a slash
//     command is acked with BusyText).
//   - Replies are retried on 429 (Retry-After) and 5xx, at most 3 attempts;
//     a slow success is never re-posted. A 429 whose Retry-After does not
//     fit the reply's deadline is logged and reported
//     (Hooks.OnSlackRateLimited), then tried once more just before the
//     deadline; a reply lost for good is logged as an error and counted
//     (Hooks.OnReply). Blocks Slack refuses are retried as the text alone;
//     msg_too_long as a shortened text alone.
//   - A slash command redelivered after a dropped socket (same envelope_id)
//     is acked again and answered once; so is a redelivered click.
//   - Who may ask: a user whose team (slash team_id/user_team, event
//     user_team/team, click user.team_id) is known and is not the bot's own
//     (auth.test team_id) nor in its Enterprise Grid org (the slash
//     command's enterprise_id, the event's enterprise_id outside channels
//     shared with other organisations) gets a polite
//     refusal (slash: the ack; mention: a threaded refusal; plain message:
//     silence, but for the leaked-token warning, which reveals nothing),
//     never a diagnosis, unless Config.AllowExternalUsers. With
//     Config.AllowedChannels set, the slash command and mentions elsewhere
//     (help channels excepted) get a refusal naming the allowed channels.
//   - The bot POSTs to a response_url only on https://hooks.slack.com (or
//     the Slack API URL's host, for the fakes), never following redirects;
//     any other is dropped with a warning.
//   - Texts are cut at MaxTextBytes, made valid UTF-8, control characters
//     become spaces; the diagnoser checks at most 10 references and the
//     report says how many more were not checked.
//   - Cancelling Run's context (SIGTERM) stops taking new work (what was
//     not acked, Slack redelivers) and finishes every acknowledged request
//     within Config.ShutdownTimeout: in its last third the checks still
//     running or queued are stopped and answered StoppedText through the
//     request's own channel. Run then returns nil when every acknowledged
//     request got its answer, else a *ShutdownError (wrapping
//     ErrShutdownCut) that counts them; Hooks.OnShutdown gets the figures.
//     `serve` exits 0 when every request got an answer, StoppedText
//     included (ShutdownError.Answered), non-zero when one got none.
//   - No token ever appears in a reply or a log line: every outgoing payload
//     (chat.postMessage and chat.update text and blocks, response_url JSON,
//     ack payloads, the "Check again" button value) and every log line (a
//     redacting slog.Handler) passes through one secret.Redactor: token
//     shapes with no word boundary assumed, and every configured token by
//     value (the Slack tokens and Config.Secrets), also URL- or
//     entity-encoded, split by invisible characters, or in part. The button
//     value holds only the references found, rewritten, never the pasted
//     text. The e2e tests scan everything the fake Slack received and
//     everything logged, after every scenario, with their own scanner
//     (diagnose/secret/leakscan), which shares no code with the redactor.
//   - Nothing from outside becomes live markup: every text from the paste,
//     from Notion (titles, names, messages) or from configuration is
//     escaped (&amp; &lt; &gt;) by one function, esc, wherever it reaches
//     Slack (fallback text, mrkdwn, code spans and blocks, plain_text), after
//     the text was decoded exactly once (undoMarkup). On the way out
//     a guard (guardMarkup, in the same path as the redaction) neutralises
//     any "<…>" that is not markup the bot writes itself (<#C…> of a
//     configured channel, <@U…> by ID, links to Notion and Slack), and logs
//     it. After every scenario the e2e tests read every body the fake Slack
//     received with their own markup checker (markupscan_test.go) and fail
//     on any link, mention or broadcast not on its allow-list.
//
// # Several replicas
//
// With Config.Cluster shared (REDIS_URL) the way is the same, on Redis:
// the dedupe keys (cluster.EventKey, MessageKey, CommandKey, ClickKey) and
// the queue are shared, so a delivery is admitted once across the
// replicas; item workers also take over work left unanswered for
// Config.ClaimAfter at any replica (Claim); the turn of every item held is
// renewed by one keeper per replica and checked right before each post
// (fencing); reports go through the shared cache with cluster.Coalesce,
// keyed by Config.ReportScope and the reading: one replica diagnoses, the
// others wait for its report. An answer that could not be delivered is
// left for a retry, at most three turns.
//
// Shutdown with Redis: workers stop taking work at once; work begun here
// is finished, handed back to a live replica, or answered StoppedText as
// above; queued work not begun here stays in Redis for the other
// replicas; work queued in this process's memory (all of it without
// Redis; while Redis was down otherwise) is answered (or told
// StoppedText) before Run returns.
//
// Render is the pure Block Kit renderer, shared with the CLI's --blocks;
// manifest.yml at the repository root declares exactly the command (Command),
// events (BotEvents) and scopes (BotScopes) the code handles.
//
// # Performance
//
// The bot's figures (acks under bursts, load, shutdown) and the commands that
// reproduce them are in docs/performance.md.
package bot
