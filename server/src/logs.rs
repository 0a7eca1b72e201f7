//! Logging: the stderr formatter, and a tracing layer that copies every
//! record to the `/v1/logs` stream for admin tokens.
//!
//! The layer formats a record once into a [`LogRecord`] event and broadcasts
//! it; with no subscriber that is one failed `send`. It keeps each span's
//! fields (recorded once, when the span opens or records a value) so a
//! record carries the request it was logged for: `id`, `method`, `path`,
//! next to the event's own fields (the request line's `status` and `ms`). It never logs itself
//! (a record about a lagging log subscriber would feed the stream it is
//! about), and request logging elsewhere records paths without query
//! strings, so an `access_token` never reaches either sink. The text format
//! escapes control characters in every field ([`escaped_fields`]), so a
//! record is always exactly one line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::broadcast;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};
use vitae_common::clean::Escaped;
use vitae_common::{names, LogRecord};

use crate::sse::{SharedEvent, SseEvent};

/// Where log records go for `/v1/logs` subscribers.
#[derive(Clone)]
pub struct LogFeed {
    tx: broadcast::Sender<SharedEvent>,
    seq: Arc<AtomicU64>,
}

impl Default for LogFeed {
    fn default() -> Self {
        LogFeed {
            tx: broadcast::channel(1024).0,
            seq: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl LogFeed {
    pub fn subscribe(&self) -> broadcast::Receiver<SharedEvent> {
        self.tx.subscribe()
    }
}

struct FeedLayer(LogFeed);

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: Map<String, Value>,
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields.insert(field.name().into(), Value::from(value));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().into(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().into(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().into(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.insert(field.name().into(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().into(), Value::from(text));
        }
    }
}

/// A span's fields, kept in the span's extensions.
struct SpanFields(Map<String, Value>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for FeedLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut visitor = FieldVisitor::default();
        attrs.record(&mut visitor);
        span.extensions_mut().insert(SpanFields(visitor.fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut visitor = FieldVisitor::default();
        values.record(&mut visitor);
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<SpanFields>() {
            Some(SpanFields(fields)) => fields.extend(visitor.fields),
            None => extensions.insert(SpanFields(visitor.fields)),
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if self.0.tx.receiver_count() == 0 {
            return;
        }
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        let mut span = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for entered in scope.from_root() {
                if let Some(SpanFields(fields)) = entered.extensions().get::<SpanFields>() {
                    span.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let meta = event.metadata();
        let record = LogRecord {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            level: meta.level().to_string(),
            target: meta.target().to_string(),
            message: visitor.message,
            fields: visitor.fields,
            span,
        };
        let seq = self.0.seq.fetch_add(1, Ordering::Relaxed);
        let _ = self.0.tx.send(Arc::new(SseEvent::json(
            seq.to_string(),
            names::LOG,
            &record,
        )));
    }
}

/// The text format's field formatter: every value, the message included,
/// with its control and bidirectional characters escaped
/// ([`vitae_common::clean::Escaped`]). Handlers log user-supplied values as
/// escaped fields already; this makes the rule hold for every field, a
/// `%`-formatted error quoting a request included, so no value can end its
/// record's line and forge another (the JSON format escapes by itself).
fn escaped_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    use tracing_subscriber::field::MakeExt;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        if field.name() == "message" {
            write!(writer, "{}", Escaped(&text))
        } else {
            write!(writer, "{}={}", field.name(), Escaped(&text))
        }
    })
    .delimited(" ")
}

/// The filter of `log_level` (`RUST_LOG`'s syntax; `None`: `info`),
/// checked: a bad directive is an error naming it, not a silent default.
pub fn check_level(level: Option<&str>) -> anyhow::Result<String> {
    let level = level
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("info");
    EnvFilter::try_new(level).map_err(|e| {
        anyhow::anyhow!(
            "log_level {level:?}: {e}; give a level (error, warn, info, debug, trace) or directives like vitae_server=debug,info"
        )
    })?;
    Ok(level.to_string())
}

/// The log filter in force, replaceable while the server runs (SIGHUP,
/// [`crate::reload`]).
pub struct LogLevel(
    Option<tracing_subscriber::reload::Handle<EnvFilter, tracing_subscriber::Registry>>,
);

impl LogLevel {
    /// Filter by `level` from now on.
    pub fn set(&self, level: &str) -> anyhow::Result<()> {
        let Some(handle) = &self.0 else {
            return Ok(()); // another subscriber was installed first (tests)
        };
        let filter =
            EnvFilter::try_new(level).map_err(|e| anyhow::anyhow!("log_level {level:?}: {e}"))?;
        handle
            .reload(filter)
            .map_err(|e| anyhow::anyhow!("replacing the log filter: {e}"))
    }
}

/// Install the global subscriber: stderr (text or JSON) plus the log feed,
/// both behind one filter (`level`, see [`check_level`]) that [`LogLevel`]
/// can replace.
pub fn init(json: bool, level: &str) -> (LogFeed, LogLevel) {
    let feed = LogFeed::default();
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let stderr = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .fmt_fields(escaped_fields())
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .boxed()
    };
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(FeedLayer(feed.clone()))
        .try_init()
        .is_ok();
    (feed, LogLevel(installed.then_some(handle)))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The forged-record attack of issue 18, on the text format: whatever
    /// a value holds and however it is logged, one record is one line.
    #[test]
    fn a_value_cannot_start_a_log_line_of_its_own() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(escaped_fields())
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let forged =
            "Engineer\n\u{1b}[0m2026-12-07T02:00:00Z  INFO token created admin=true\r\u{202e}";
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(title = %forged, "display field");
            tracing::info!(title = ?forged, "debug field");
            tracing::info!(title = forged, "str field");
            tracing::info!("spliced into the message: {forged}");
            let span = tracing::info_span!("request", path = %forged);
            span.in_scope(|| tracing::info!("in a span"));
        });
        let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(out.lines().count(), 5, "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'));
        for line in out.lines() {
            assert!(line.contains("Engineer\\n\\u{1b}[0m2026"), "{line}");
        }
    }
}
