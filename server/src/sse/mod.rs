//! Server-Sent Events: the event type and wire encoding ([`SseEvent`]), the
//! hub that fans events out to subscribers ([`hub`]), the relay that
//! carries events between server instances on PostgreSQL ([`relay`]), and
//! the body that streams a subscription to its HTTP client ([`stream`]).
//!
//! Every event that carries data also carries `id:` and `retry:`. Payloads are
//! serialised once, when published; a payload that cannot be serialised is a
//! server bug, logged with its type and cause, and the subscribers get an
//! `error` event in its place, never silence.

pub mod hub;
pub mod relay;
pub mod stream;

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde::Serialize;
use vitae_common::{names, StreamError};

/// How long a browser waits before reconnecting, in milliseconds.
pub const RETRY_MS: u64 = 2000;

/// One event, already serialised.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: String,
    pub event: String,
    pub data: String,
    /// The last event of its stream: the subscriber's stream ends after it.
    pub terminal: bool,
    /// The number the database gave an account event on PostgreSQL
    /// ([`relay`]); 0 for every other event. A stream sends a numbered
    /// event at most once, in number order ([`stream`]).
    pub seq: u64,
    /// The wire form, built on first use and then shared: an account event
    /// goes to every subscriber of its owner, and encoding it once instead
    /// of once per subscriber is most of the fan-out's CPU at 10,000 of them.
    wire: OnceLock<Bytes>,
}

impl PartialEq for SseEvent {
    fn eq(&self, other: &SseEvent) -> bool {
        (self.id == other.id)
            & (self.event == other.event)
            & (self.data == other.data)
            & (self.terminal == other.terminal)
    }
}

pub type SharedEvent = Arc<SseEvent>;

impl SseEvent {
    /// Serialise `payload` as the event's data. On failure, the event becomes
    /// an `error` event naming the problem (and the failure is logged).
    pub fn json<T: Serialize>(id: impl Into<String>, event: &str, payload: &T) -> SseEvent {
        let id = id.into();
        match serde_json::to_string(payload) {
            Ok(data) => SseEvent {
                id,
                event: event.to_string(),
                data,
                terminal: false,
                seq: 0,
                wire: OnceLock::new(),
            },
            Err(error) => {
                let type_name = std::any::type_name::<T>();
                tracing::error!(%error, payload_type = type_name, event, "SSE payload could not be serialised");
                let message = format!("server error: the {event} event ({type_name}) could not be serialised: {error}");
                SseEvent {
                    id,
                    event: names::ERROR.to_string(),
                    // A struct of one String always serialises.
                    data: serde_json::to_string(&StreamError { message })
                        .unwrap_or_else(|_| "{}".into()),
                    terminal: false,
                    seq: 0,
                    wire: OnceLock::new(),
                }
            }
        }
    }

    pub fn terminal(mut self) -> SseEvent {
        self.terminal = true;
        self
    }

    /// An event already serialised (one relayed from another instance).
    pub fn raw(id: String, event: String, data: String, terminal: bool, seq: u64) -> SseEvent {
        SseEvent {
            id,
            event,
            data,
            terminal,
            seq,
            wire: OnceLock::new(),
        }
    }

    /// The wire form: `id`, `event`, `retry`, `data`, blank line. Cheap
    /// after the first call (a reference-counted copy).
    pub fn encode(&self) -> Bytes {
        self.wire.get_or_init(|| self.render()).clone()
    }

    fn render(&self) -> Bytes {
        let mut out = String::with_capacity(self.data.len() + self.event.len() + 48);
        out.push_str("id: ");
        out.push_str(&self.id);
        out.push_str("\nevent: ");
        out.push_str(&self.event);
        out.push_str("\nretry: ");
        out.push_str(&RETRY_MS.to_string());
        out.push('\n');
        // serde_json never emits raw newlines, but a data line must not
        // carry one, so split defensively rather than trust that forever.
        for line in self.data.split('\n') {
            out.push_str("data: ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        Bytes::from(out)
    }
}

/// A comment line: keeps proxies and browsers from timing the stream out.
pub fn heartbeat() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn events_carry_id_retry_and_data() {
        let event = SseEvent::json("3", "progress", &serde_json::json!({"stage": "fields"}));
        assert_eq!(
            event.encode(),
            Bytes::from("id: 3\nevent: progress\nretry: 2000\ndata: {\"stage\":\"fields\"}\n\n")
        );
    }

    #[test]
    fn unserialisable_payloads_become_error_events() {
        // JSON object keys must be strings; a map keyed by tuples is not JSON.
        let mut bad = HashMap::new();
        bad.insert((1, 2), "x");
        let event = SseEvent::json("9", "complete", &bad);
        assert_eq!(event.event, "error");
        assert_eq!(event.id, "9");
        let data: serde_json::Value = serde_json::from_str(&event.data).unwrap();
        assert!(data["message"]
            .as_str()
            .unwrap()
            .contains("could not be serialised"));
    }
}
