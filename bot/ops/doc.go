// Package ops is the operations side of notion-check serve: the HTTP
// listener for health (/healthz), readiness (/readyz) and Prometheus metrics
// (/metrics), the Metrics the other packages report into, the Healthcheck
// probe behind `notion-check healthcheck`, and the redacting log/slog setup.
//
// The package holds no mutable package-level state: every Metrics has its
// own prometheus.Registry, so tests and several servers in one process do not
// share counters. Nothing written by this package (log lines, HTTP bodies,
// errors) ever carries a token: log records and every answer of the
// listener (/readyz, /metrics and any route added) pass through a
// secret.Redactor of the same configured secrets (NewLogger, NewServer)
// before they are written; an integration's name that holds a token is
// served masked.
package ops
