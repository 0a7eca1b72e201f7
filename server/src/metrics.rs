//! What an operator's Prometheus scrapes from `GET /metrics`: requests by
//! route and status with their latency, the parse queue's depth and wait,
//! event-stream subscribers and open connections, store operation latency,
//! the render pool's backlog, and (on a pooled database backend) the pool's
//! use. One [`Metrics`] per process, shared through the [`crate::http::App`];
//! every instance of a cluster answers for itself.
//!
//! Counters and histograms are updated where the work happens (the request
//! dispatcher, the parse workers, the metered store of
//! [`crate::store::metered`]); gauges are read from their owners when a
//! scrape comes ([`Live`]), so keeping them costs the hot paths nothing.
//! Label values come from closed sets only (route patterns, never paths;
//! store operation names; methods; status codes), so the number of series is
//! bounded whatever clients send.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The `Content-Type` of a scrape's answer (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Latency buckets from 100 µs to 10 s in 1-2.5-5 steps: a cached read
/// is in the first few, a parse or a cold export in the last.
fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        5.0, 10.0,
    ])
}

/// Queue waits from 1 ms to 15 min: a parse behind a backlog waits
/// minutes, not microseconds.
fn wait_histogram() -> Histogram {
    Histogram::new([
        0.001, 0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
    ])
}

/// The values read when a scrape comes, from their owners.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// Parses waiting for a worker.
    pub parse_queue_depth: usize,
    /// Renders waiting for the export pool.
    pub export_queue_depth: usize,
    /// Open event streams (`/v1/events`, parse, export and log streams).
    pub sse_subscribers: usize,
    /// Open client connections.
    pub connections: usize,
    /// A pooled database backend's connections: (in use, idle, max). `None`
    /// for the embedded store, which has no pool.
    pub pool: Option<(usize, usize, usize)>,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    store_seconds: Histograms<OperationLabels>,
    parse_wait_seconds: Histogram,
    parses: Family<OperationLabels, Counter>,
    parse_queue_depth: Gauge,
    export_queue_depth: Gauge,
    sse_subscribers: Gauge,
    connections: Gauge,
    pool_connections: Family<PoolLabels, Gauge>,
    relayed: Family<OperationLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("vitae");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let request_seconds: Histograms<RouteLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its answer's head (streams: to the stream's start)",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let store_seconds: Histograms<OperationLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "store_operation_duration",
            "Time of each store operation, by operation and outcome (ok or error)",
            Unit::Seconds,
            store_seconds.clone(),
        );
        let parse_wait_seconds = wait_histogram();
        registry.register_with_unit(
            "parse_queue_wait",
            "Time an upload waited in the parse queue before a worker took it",
            Unit::Seconds,
            parse_wait_seconds.clone(),
        );
        let parses = Family::<OperationLabels, Counter>::default();
        registry.register(
            "parses",
            "Parses finished, by outcome (ready or failed)",
            parses.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let parse_queue_depth = gauge(
            &mut registry,
            "parse_queue_depth",
            "Uploads waiting for a parse worker",
        );
        let export_queue_depth = gauge(
            &mut registry,
            "export_queue_depth",
            "Renders waiting for the export pool",
        );
        let sse_subscribers = gauge(
            &mut registry,
            "sse_subscribers",
            "Open Server-Sent Event streams",
        );
        let connections = gauge(&mut registry, "connections", "Open client connections");
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections by state (in_use, idle, max); absent on the embedded store",
            pool_connections.clone(),
        );
        let relayed = Family::<OperationLabels, Counter>::default();
        registry.register(
            "events_relayed",
            "Events between instances on PostgreSQL: operation sent or received, outcome ok or dropped (sent: the relay's buffer was full)",
            relayed.clone(),
        );
        Metrics {
            relayed,
            registry,
            requests,
            request_seconds,
            store_seconds,
            parse_wait_seconds,
            parses,
            parse_queue_depth,
            export_queue_depth,
            sse_subscribers,
            connections,
            pool_connections,
        }
    }

    /// One answered request. `route` is the route's pattern (`unmatched`
    /// for a path no route takes).
    pub fn request(
        &self,
        route: &'static str,
        method: &hyper::Method,
        status: u16,
        took: Duration,
    ) {
        let method = method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status,
            })
            .inc();
        self.request_seconds
            .get_or_create(&RouteLabels { route, method })
            .observe(took.as_secs_f64());
    }

    /// One store operation.
    pub fn store_operation(&self, operation: &'static str, ok: bool, took: Duration) {
        let outcome = if ok { "ok" } else { "error" };
        self.store_seconds
            .get_or_create(&OperationLabels { operation, outcome })
            .observe(took.as_secs_f64());
    }

    /// A worker took an upload that waited `waited` in the queue.
    pub fn parse_started(&self, waited: Duration) {
        self.parse_wait_seconds.observe(waited.as_secs_f64());
    }

    /// A parse ended, `ready` or not.
    pub fn parse_finished(&self, ready: bool) {
        let outcome = if ready { "ready" } else { "failed" };
        self.parses
            .get_or_create(&OperationLabels {
                operation: "parse",
                outcome,
            })
            .inc();
    }

    /// Events the relay sent to the database (`ok`) or dropped because its
    /// buffer was full (`dropped`).
    pub fn events_sent(&self, count: u64, dropped: bool) {
        let outcome = if dropped { "dropped" } else { "ok" };
        self.relayed
            .get_or_create(&OperationLabels {
                operation: "sent",
                outcome,
            })
            .inc_by(count);
    }

    /// One event received from the database by the relay.
    pub fn event_received(&self) {
        self.relayed
            .get_or_create(&OperationLabels {
                operation: "received",
                outcome: "ok",
            })
            .inc();
    }

    /// The scrape's body: every metric, the gauges as `live` says.
    pub fn encode(&self, live: &Live) -> String {
        let set = |gauge: &Gauge, value: usize| {
            gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
        };
        set(&self.parse_queue_depth, live.parse_queue_depth);
        set(&self.export_queue_depth, live.export_queue_depth);
        set(&self.sse_subscribers, live.sse_subscribers);
        set(&self.connections, live.connections);
        if let Some((in_use, idle, max)) = live.pool {
            for (state, value) in [("in_use", in_use), ("idle", idle), ("max", max)] {
                set(
                    &self.pool_connections.get_or_create(&PoolLabels { state }),
                    value,
                );
            }
        }
        let mut out = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// Methods from a closed set, so a client cannot grow the label space.
fn method_label(method: &hyper::Method) -> &'static str {
    use hyper::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_lists_every_family_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.request(
            "/v1/resumes/{id}",
            &hyper::Method::GET,
            200,
            Duration::from_micros(300),
        );
        metrics.request("unmatched", &"BREW".parse().unwrap(), 404, Duration::ZERO);
        metrics.store_operation("get_resume", true, Duration::from_micros(40));
        metrics.parse_started(Duration::from_millis(3));
        metrics.parse_finished(true);
        let text = metrics.encode(&Live {
            parse_queue_depth: 2,
            sse_subscribers: 5,
            pool: Some((1, 3, 8)),
            ..Live::default()
        });
        for line in [
            "# TYPE vitae_http_requests_total counter",
            r#"vitae_http_requests_total{route="/v1/resumes/{id}",method="GET",status="200"} 1"#,
            r#"vitae_http_requests_total{route="unmatched",method="other",status="404"} 1"#,
            "# TYPE vitae_http_request_duration_seconds histogram",
            r#"vitae_http_request_duration_seconds_bucket{route="/v1/resumes/{id}",method="GET",le="0.00025"} 0"#,
            r#"vitae_http_request_duration_seconds_bucket{route="/v1/resumes/{id}",method="GET",le="0.0005"} 1"#,
            r#"vitae_store_operation_duration_seconds_count{operation="get_resume",outcome="ok"} 1"#,
            "vitae_parse_queue_wait_seconds_count 1",
            r#"vitae_parses_total{operation="parse",outcome="ready"} 1"#,
            "vitae_parse_queue_depth 2",
            "vitae_sse_subscribers 5",
            r#"vitae_db_pool_connections{state="idle"} 3"#,
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from:\n{text}"
            );
        }
    }
}
