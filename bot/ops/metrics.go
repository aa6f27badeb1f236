package ops

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/notion-check/notion-check/diagnose"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the Prometheus collectors of one notion-check process, in a
// private registry. Every method is safe for concurrent use, and every
// method of a nil *Metrics does nothing, so callers need no nil checks.
type Metrics struct {
	reg *prometheus.Registry

	notionCalls       *prometheus.CounterVec
	notionDuration    *prometheus.HistogramVec
	notionRetries     *prometheus.CounterVec
	notionRateLimited *prometheus.CounterVec

	diagnoses         prometheus.Counter
	findings          *prometheus.CounterVec
	diagnosisDuration prometheus.Histogram

	acks        *prometheus.CounterVec
	ackDuration *prometheus.HistogramVec
	replies     *prometheus.CounterVec

	slackRateLimited *prometheus.CounterVec
	shutdown         *prometheus.CounterVec

	cluster clusterMetrics // registered by RegisterCluster
}

// NewMetrics returns Metrics registered in a fresh private registry, together
// with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		notionCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_notion_calls_total",
			Help: "Notion API calls made, by integration, endpoint family and HTTP status (\"error\" when no answer came).",
		}, []string{"integration", "endpoint", "status"}),
		notionDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notion_check_notion_call_duration_seconds",
			Help:    "Latency of Notion API calls, by integration and endpoint family.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30},
		}, []string{"integration", "endpoint"}),
		notionRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_notion_retries_total",
			Help: "Notion API calls retried, by integration, endpoint family and the status that caused the retry.",
		}, []string{"integration", "endpoint", "status"}),
		notionRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_notion_rate_limited_total",
			Help: "Notion answers that rate-limited the caller (429 or 529), by integration and endpoint family.",
		}, []string{"integration", "endpoint"}),
		diagnoses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "notion_check_diagnoses_total",
			Help: "Diagnoses run.",
		}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_findings_total",
			Help: "Findings reported by diagnoses, by finding code.",
		}, []string{"code"}),
		diagnosisDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "notion_check_diagnosis_duration_seconds",
			Help:    "Wall time of one diagnosis, Notion calls included.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30},
		}),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_slack_acks_total",
			Help: "Socket Mode envelopes acknowledged, by kind (slash_command, events_api, interactive, ...).",
		}, []string{"kind"}),
		ackDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notion_check_slack_ack_duration_seconds",
			Help:    "Time from receiving a Socket Mode envelope to its ack (Slack allows 3 s), by kind.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5},
		}, []string{"kind"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_slack_replies_total",
			Help: "Replies posted to Slack, by result (sent or failed).",
		}, []string{"result"}),
		slackRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_slack_rate_limited_total",
			Help: "Replies Slack rate-limited (429) with a Retry-After that did not fit the reply's deadline, by method.",
		}, []string{"method"}),
		shutdown: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "notion_check_shutdown_requests_total",
			Help: "Acknowledged requests still in flight at shutdown, by outcome (answered, stopped, lost).",
		}, []string{"outcome"}),
		cluster: newClusterMetrics(),
	}
	m.reg.MustRegister(m.slackRateLimited, m.shutdown)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.notionCalls, m.notionDuration, m.notionRetries, m.notionRateLimited,
		m.diagnoses, m.findings, m.diagnosisDuration,
		m.acks, m.ackDuration, m.replies,
	)
	// Series that dashboards and alerts divide by exist from the start.
	for _, c := range diagnose.AllCodes() {
		m.findings.WithLabelValues(string(c))
	}
	m.replies.WithLabelValues("sent")
	m.replies.WithLabelValues("failed")
	return m
}

// Registry returns the private registry, for callers that add collectors of
// their own.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus exposition format (/metrics).
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// NotionCall records one Notion API call of the default integration (an
// empty integration label): see IntegrationMetrics.NotionCall.
func (m *Metrics) NotionCall(endpoint string, status int, d time.Duration) {
	m.Integration("").NotionCall(endpoint, status, d)
}

// NotionRetry records a retry of the default integration: see
// IntegrationMetrics.NotionRetry.
func (m *Metrics) NotionRetry(endpoint string, status int) {
	m.Integration("").NotionRetry(endpoint, status)
}

// NotionRateLimited records a rate-limiting answer to the default
// integration: see IntegrationMetrics.NotionRateLimited.
func (m *Metrics) NotionRateLimited(endpoint string) {
	m.Integration("").NotionRateLimited(endpoint)
}

// IntegrationMetrics records the Notion calls of one integration token
// under its integration label. A nil *IntegrationMetrics does nothing.
type IntegrationMetrics struct {
	m     *Metrics
	label func() string
}

// Integration returns the recorder of the Notion calls made with one
// integration's token, labelled integration=name.
func (m *Metrics) Integration(name string) *IntegrationMetrics {
	return m.IntegrationFunc(func() string { return name })
}

// IntegrationFunc is Integration with a label read at each call, for a
// token whose integration name is learnt after its prober was made (it is
// its variable, such as NOTION_TOKENS entry 2, until Notion tells it).
func (m *Metrics) IntegrationFunc(label func() string) *IntegrationMetrics {
	if m == nil {
		return nil
	}
	return &IntegrationMetrics{m: m, label: label}
}

// NotionCall records one Notion API call: its endpoint family, the HTTP
// status it got (0 or less when no answer came) and its latency. The endpoint
// may be given as a family ("pages"), a path ("/v1/pages/…") or "GET /v1/…";
// it is reduced to its family so that IDs never become label values.
func (im *IntegrationMetrics) NotionCall(endpoint string, status int, d time.Duration) {
	if im == nil {
		return
	}
	in, ep := im.label(), EndpointLabel(endpoint)
	im.m.notionCalls.WithLabelValues(in, ep, statusLabel(status)).Inc()
	im.m.notionDuration.WithLabelValues(in, ep).Observe(d.Seconds())
}

// NotionRetry records that a Notion call is retried after an answer with the
// given status (0 or less for a transport error).
func (im *IntegrationMetrics) NotionRetry(endpoint string, status int) {
	if im == nil {
		return
	}
	im.m.notionRetries.WithLabelValues(im.label(), EndpointLabel(endpoint), statusLabel(status)).Inc()
}

// NotionRateLimited records one rate-limiting answer (429 or 529) from Notion.
func (im *IntegrationMetrics) NotionRateLimited(endpoint string) {
	if im == nil {
		return
	}
	im.m.notionRateLimited.WithLabelValues(im.label(), EndpointLabel(endpoint)).Inc()
}

// RegisterReadiness exports r's integration states as the gauge
// notion_check_notion_integration_state{integration, state}: 1 for the
// state each integration token is in (unchecked, ok, refused, unreachable),
// 0 for the others, read at each scrape.
func (m *Metrics) RegisterReadiness(r *Readiness) {
	if m == nil || r == nil {
		return
	}
	m.reg.MustRegister(readinessCollector{r: r})
}

var integrationStateDesc = prometheus.NewDesc("notion_check_notion_integration_state",
	"State of each configured Notion integration token as /readyz sees it: 1 for its state (unchecked, ok, refused = Notion answered 401, unreachable = no usable answer), 0 for the others.",
	[]string{"integration", "state"}, nil)

type readinessCollector struct{ r *Readiness }

func (c readinessCollector) Describe(ch chan<- *prometheus.Desc) { ch <- integrationStateDesc }

func (c readinessCollector) Collect(ch chan<- prometheus.Metric) {
	seen := map[string]bool{}
	for _, in := range c.r.Integrations() {
		if seen[in.Integration] { // two tokens of one integration: the first
			continue
		}
		seen[in.Integration] = true
		for i, st := range notionStates {
			v := 0.0
			if NotionState(i) == in.State {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(integrationStateDesc, prometheus.GaugeValue, v, in.Integration, st)
		}
	}
}

// Diagnosis records one finished diagnosis: it counts the diagnosis, each
// of its findings by code, and its duration.
func (m *Metrics) Diagnosis(rep diagnose.Report, d time.Duration) {
	if m == nil {
		return
	}
	m.diagnoses.Inc()
	for _, c := range rep.Codes() {
		m.findings.WithLabelValues(string(c)).Inc()
	}
	m.diagnosisDuration.Observe(d.Seconds())
}

// Ack records one Socket Mode acknowledgement of the given kind and the time
// it took from receipt.
func (m *Metrics) Ack(kind string, d time.Duration) {
	if m == nil {
		return
	}
	if kind == "" {
		kind = "unknown"
	}
	m.acks.WithLabelValues(kind).Inc()
	m.ackDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// Reply records one reply to Slack: sent when ok, failed otherwise.
func (m *Metrics) Reply(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.replies.WithLabelValues("sent").Inc()
	} else {
		m.replies.WithLabelValues("failed").Inc()
	}
}

// EndpointLabel reduces an endpoint as callers name it ("pages",
// "/v1/pages/<id>", "GET https://api.notion.com/v1/users/me") to the family
// used as a metric label value: a diagnose.EndpointFamily (pages,
// databases, data_sources, blocks, views, comments, users, search,
// file_uploads), or "other". This keeps the label's cardinality bounded
// and IDs out of the metrics.
func EndpointLabel(endpoint string) string {
	s := strings.TrimSpace(endpoint)
	if i := strings.LastIndexByte(s, ' '); i >= 0 { // "GET /v1/pages"
		s = s[i+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 { // scheme and host
		s = s[i+3:]
		if j := strings.IndexByte(s, '/'); j >= 0 {
			s = s[j:]
		} else {
			s = ""
		}
	}
	if f := diagnose.EndpointFamily(s); f != diagnose.EndpointNone {
		return string(f)
	}
	return "other"
}

func statusLabel(status int) string {
	if status <= 0 {
		return "error"
	}
	return strconv.Itoa(status)
}

// SlackRateLimited records one reply Slack rate-limited with a Retry-After
// that did not fit its deadline (method: the Web API method or
// "response_url").
func (m *Metrics) SlackRateLimited(method string, _ time.Duration) {
	if m == nil {
		return
	}
	m.slackRateLimited.WithLabelValues(method).Inc()
}

// Shutdown records what became of the requests in flight at shutdown.
func (m *Metrics) Shutdown(answered, stopped, lost int) {
	if m == nil {
		return
	}
	m.shutdown.WithLabelValues("answered").Add(float64(answered))
	m.shutdown.WithLabelValues("stopped").Add(float64(stopped))
	m.shutdown.WithLabelValues("lost").Add(float64(lost))
}
