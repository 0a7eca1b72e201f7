//! Following the server's SSE streams, with bounded reconnects.
//!
//! reqwest-eventsource parses the stream; its own retry policy is switched
//! off ([`Never`]) because it would reconnect forever (it ignores a maximum).
//! Instead each watcher here decides:
//!
//! - a **parse stream** and an **export stream** (the finite ones)
//!   reconnect with exponential backoff and the last `Last-Event-ID` only
//!   while the work is unfinished, stop on the terminal event
//!   (`complete`/`failed`) or a `204 No Content` (then the outcome is
//!   fetched from the resource), and give up after [`MAX_ATTEMPTS`] failed
//!   connections with a message that says so;
//! - the **account stream** (`/v1/events`) reconnects the same way and, after
//!   [`MAX_ATTEMPTS`], reports itself offline until asked to try again.
//!
//! Watchers run as tokio tasks and report over an unbounded channel, so the
//! UI thread never waits on the network.

use std::time::Duration;

use eventsource_stream::Event as MessageEvent;
use futures_util::StreamExt;
use reqwest_eventsource::retry::Never;
use reqwest_eventsource::{Error as SseError, Event, EventSource};
use tokio::sync::mpsc::UnboundedSender;
use vitae_common::export::{ExportComplete, ExportJob, ExportProgress, ExportStatus};
use vitae_common::{names, ChangeEvent, Failed, LogRecord, Progress, ResumeResource, StreamError};

use crate::client::{error_chain, Client};

/// Failed connections in a row before a watcher gives up.
pub const MAX_ATTEMPTS: u32 = 6;

/// Backoff before reconnect `attempt` (1-based): 250 ms doubling, at most 8 s.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 250u64.saturating_mul(1 << attempt.saturating_sub(1).min(5));
    Duration::from_millis(ms.min(8_000))
}

/// Where a stream connection stands, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Waiting `delay` before reconnect `attempt` of [`MAX_ATTEMPTS`].
    Retrying {
        attempt: u32,
        delay: Duration,
        cause: String,
    },
    /// Stopped for good (finished, or gave up: see the cause).
    Closed {
        cause: String,
    },
}

/// What a parse-stream watcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseUpdate {
    Link(Link),
    Progress(Progress),
    Complete(Box<ResumeResource>),
    Failed(String),
    /// The server could not encode an event; the stream goes on.
    StreamError(String),
    /// The watcher stopped without a terminal event (the cause says why).
    GaveUp(String),
}

/// What the account-stream watcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountUpdate {
    Link(Link),
    Change(ChangeEvent),
    /// The server lost track of where we were: fetch everything again.
    Resync,
}

/// How one connection ended.
enum Ended {
    /// The stream is done for good; nothing more to report.
    Done,
    /// The connection failed; reconnect unless attempts are used up.
    Retry(String),
    /// The server is busy or this client is over a limit (429/503): reconnect
    /// like [`Ended::Retry`], but not before the server's `Retry-After`.
    Wait(String, Duration),
    /// A failure no retry can fix (401, 404, ...).
    Fatal(String),
}

fn open(client: &Client, path: &str, last_id: Option<&str>) -> Result<EventSource, String> {
    let mut rb = client
        .http()
        .get(client.url(path))
        .bearer_auth(client.token());
    if let Some(id) = last_id {
        rb = rb.header("Last-Event-ID", id);
    }
    let mut source = EventSource::new(rb).map_err(|e| e.to_string())?;
    source.set_retry_policy(Box::new(Never));
    Ok(source)
}

/// Turn an eventsource error into what the watcher does next.
async fn classify(error: SseError) -> Ended {
    match error {
        SseError::StreamEnded => Ended::Retry("the stream ended".into()),
        SseError::InvalidStatusCode(status, _) if status.as_u16() == 204 => Ended::Done,
        SseError::InvalidStatusCode(status, response)
            if status.as_u16() == 429 || status.as_u16() == 503 =>
        {
            let after = retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| format!("the server answered {status}"));
            Ended::Wait(message, after)
        }
        SseError::InvalidStatusCode(status, response) if status.is_client_error() => {
            let body = response.text().await.unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or(body);
            Ended::Fatal(format!("{status}: {message}"))
        }
        SseError::InvalidStatusCode(status, _) => {
            Ended::Retry(format!("the server answered {status}"))
        }
        SseError::Transport(e) => Ended::Retry(error_chain(&e)),
        other => Ended::Retry(other.to_string()),
    }
}

/// The server's `Retry-After` in seconds (1 s when absent or not a number),
/// capped at a minute so a watcher never sleeps for long.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    let secs = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1);
    Duration::from_secs(secs.clamp(1, 60))
}

/// A stream that ends: a parse or an export. Both follow the same rules
/// (replay from `Last-Event-ID`, one terminal event, `204` once it is
/// over), so one watcher serves both; this says what their events mean.
trait Finite: Sized + Send + 'static {
    /// "parse", "export": how the link's closing cause names the work.
    const WHAT: &'static str;
    fn link(link: Link) -> Self;
    fn gave_up(cause: String) -> Self;
    /// An event the server could not encode, or this client cannot read.
    fn stream_error(message: String) -> Self;
    /// The update an event stands for and whether it ends the stream;
    /// `None` for events that are not this stream's (skipped).
    fn decode(message: &MessageEvent) -> Option<Result<(Self, bool), String>>;
    /// The outcome as the resource tells it, fetched after a `204` (we had
    /// the terminal event already, or the work ended while we were away).
    fn outcome(client: &Client, id: &str)
        -> impl std::future::Future<Output = Option<Self>> + Send;
}

/// Read an event's JSON payload as `T`.
fn payload<T: serde::de::DeserializeOwned>(message: &MessageEvent) -> Result<T, String> {
    serde_json::from_str(&message.data).map_err(|e| e.to_string())
}

impl Finite for ParseUpdate {
    const WHAT: &'static str = "parse";

    fn link(link: Link) -> Self {
        ParseUpdate::Link(link)
    }

    fn gave_up(cause: String) -> Self {
        ParseUpdate::GaveUp(cause)
    }

    fn stream_error(message: String) -> Self {
        ParseUpdate::StreamError(message)
    }

    fn decode(message: &MessageEvent) -> Option<Result<(Self, bool), String>> {
        Some(match message.event.as_str() {
            names::PROGRESS => payload(message).map(|p| (ParseUpdate::Progress(p), false)),
            names::COMPLETE => payload(message).map(|r| (ParseUpdate::Complete(Box::new(r)), true)),
            names::FAILED => {
                payload(message).map(|f: Failed| (ParseUpdate::Failed(f.reason), true))
            }
            names::ERROR => {
                payload(message).map(|e: StreamError| (ParseUpdate::StreamError(e.message), false))
            }
            _ => return None,
        })
    }

    async fn outcome(client: &Client, id: &str) -> Option<Self> {
        client.resume(id).await.ok().map(terminal_of)
    }
}

/// Follow `GET /v1/resumes/{id}/events` until the terminal event.
pub async fn watch_parse(client: Client, id: String, tx: UnboundedSender<ParseUpdate>) {
    let path = format!("/v1/resumes/{id}/events");
    watch_finite(client, id, path, tx).await;
}

/// What an export-stream watcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportUpdate {
    Link(Link),
    Progress(ExportProgress),
    Complete(ExportComplete),
    Failed(String),
    /// The server could not encode an event; the stream goes on.
    StreamError(String),
    /// The watcher stopped without a terminal event (the cause says why).
    GaveUp(String),
}

impl Finite for ExportUpdate {
    const WHAT: &'static str = "export";

    fn link(link: Link) -> Self {
        ExportUpdate::Link(link)
    }

    fn gave_up(cause: String) -> Self {
        ExportUpdate::GaveUp(cause)
    }

    fn stream_error(message: String) -> Self {
        ExportUpdate::StreamError(message)
    }

    fn decode(message: &MessageEvent) -> Option<Result<(Self, bool), String>> {
        Some(match message.event.as_str() {
            names::PROGRESS => payload(message).map(|p| (ExportUpdate::Progress(p), false)),
            names::COMPLETE => payload(message).map(|c| (ExportUpdate::Complete(c), true)),
            names::FAILED => {
                payload(message).map(|f: Failed| (ExportUpdate::Failed(f.reason), true))
            }
            names::ERROR => {
                payload(message).map(|e: StreamError| (ExportUpdate::StreamError(e.message), false))
            }
            _ => return None,
        })
    }

    async fn outcome(client: &Client, id: &str) -> Option<Self> {
        client.export_job(id).await.ok().map(export_terminal_of)
    }
}

/// The update a fetched export job stands for, when it is over.
fn export_terminal_of(job: ExportJob) -> ExportUpdate {
    match job.status {
        ExportStatus::Complete => ExportUpdate::Complete(ExportComplete {
            download_url: job.download_url,
            bytes: job.bytes.unwrap_or_default(),
            pages: job.pages.unwrap_or_default(),
            cached: job.cached.unwrap_or_default(),
            warnings: job.warnings,
        }),
        ExportStatus::Failed => ExportUpdate::Failed(
            job.reason
                .unwrap_or_else(|| "the export failed (no reason recorded)".into()),
        ),
        status => ExportUpdate::GaveUp(format!(
            "the stream ended while the export is still {}",
            status.as_str()
        )),
    }
}

/// Follow `GET /v1/exports/{id}/events` until the terminal event, with the
/// parse stream's rules: reconnect with backoff and `Last-Event-ID` only
/// while the export is unfinished, stop on `complete`/`failed` or a `204`.
pub async fn watch_export(client: Client, export_id: String, tx: UnboundedSender<ExportUpdate>) {
    let path = format!("/v1/exports/{export_id}/events");
    watch_finite(client, export_id, path, tx).await;
}

/// Follow the finite stream at `path` (of the work `id`) to its end.
async fn watch_finite<U: Finite>(client: Client, id: String, path: String, tx: UnboundedSender<U>) {
    let finished = || format!("the {} has finished", U::WHAT);
    let mut last_id: Option<String> = None;
    let mut failures = 0u32;
    loop {
        let _ = tx.send(U::link(Link::Connecting));
        let ended = match open(&client, &path, last_id.as_deref()) {
            Ok(source) => follow_finite(source, &tx, &mut last_id, &mut failures).await,
            Err(e) => Ended::Fatal(e),
        };
        let (cause, at_least) = match ended {
            Ended::Done => {
                let _ = tx.send(U::link(Link::Closed { cause: finished() }));
                // A 204 means we already had the terminal event, or the
                // server finished while we were away: fetch the outcome.
                if let Some(outcome) = U::outcome(&client, &id).await {
                    let _ = tx.send(outcome);
                }
                return;
            }
            Ended::Fatal(cause) => {
                let _ = tx.send(U::link(Link::Closed {
                    cause: cause.clone(),
                }));
                let _ = tx.send(U::gave_up(cause));
                return;
            }
            Ended::Retry(cause) => (cause, Duration::ZERO),
            Ended::Wait(cause, after) => (cause, after),
        };
        failures += 1;
        if failures > MAX_ATTEMPTS {
            let cause = format!("gave up after {MAX_ATTEMPTS} reconnects: {cause}");
            let _ = tx.send(U::link(Link::Closed {
                cause: cause.clone(),
            }));
            let _ = tx.send(U::gave_up(cause));
            return;
        }
        let delay = backoff(failures).max(at_least);
        let _ = tx.send(U::link(Link::Retrying {
            attempt: failures,
            delay,
            cause,
        }));
        tokio::time::sleep(delay).await;
    }
}

/// The update a fetched resume stands for, when its parse is over.
fn terminal_of(resume: ResumeResource) -> ParseUpdate {
    match resume.status {
        vitae_common::Status::Failed => ParseUpdate::Failed(
            resume
                .reason
                .unwrap_or_else(|| "the parse failed (no reason recorded)".into()),
        ),
        vitae_common::Status::Ready => ParseUpdate::Complete(Box::new(resume)),
        status => ParseUpdate::GaveUp(format!(
            "the stream ended while the resume is still {status}"
        )),
    }
}

/// One connection of a finite stream: report its events until the
/// terminal one (then [`Ended::Done`]) or until the connection ends.
async fn follow_finite<U: Finite>(
    mut source: EventSource,
    tx: &UnboundedSender<U>,
    last_id: &mut Option<String>,
    failures: &mut u32,
) -> Ended {
    while let Some(item) = source.next().await {
        match item {
            Ok(Event::Open) => {
                let _ = tx.send(U::link(Link::Live));
            }
            Ok(Event::Message(message)) => {
                // Data flowing again: the next failure starts a fresh count.
                *failures = 0;
                if !message.id.is_empty() {
                    *last_id = Some(message.id.clone());
                }
                match U::decode(&message) {
                    None => {}
                    Some(Ok((update, terminal))) => {
                        let _ = tx.send(update);
                        if terminal {
                            source.close();
                            let _ = tx.send(U::link(Link::Closed {
                                cause: format!("the {} has finished", U::WHAT),
                            }));
                            return Ended::Done;
                        }
                    }
                    Some(Err(e)) => {
                        let _ = tx.send(U::stream_error(format!(
                            "an event the client cannot read ({}): {e}",
                            message.event
                        )));
                    }
                }
            }
            Err(error) => {
                source.close();
                return classify(error).await;
            }
        }
    }
    Ended::Retry("the stream ended".into())
}

/// Follow `GET /v1/events` until the receiver is dropped or
/// [`MAX_ATTEMPTS`] reconnects failed in a row.
pub async fn watch_account(client: Client, tx: UnboundedSender<AccountUpdate>) {
    watch_feed(
        client,
        "/v1/events",
        tx,
        AccountUpdate::Link,
        |message| match message.event.as_str() {
            names::RESYNC => Some(AccountUpdate::Resync),
            names::ERROR => None,
            _ => serde_json::from_str::<ChangeEvent>(&message.data)
                .ok()
                .map(AccountUpdate::Change),
        },
    )
    .await;
}

/// What the log watcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LogUpdate {
    Link(Link),
    Record(LogRecord),
}

/// Follow `GET /v1/logs` (admin tokens) like the account stream.
pub async fn watch_logs(client: Client, tx: UnboundedSender<LogUpdate>) {
    watch_feed(client, "/v1/logs", tx, LogUpdate::Link, |message| {
        (message.event == names::LOG)
            .then(|| serde_json::from_str::<LogRecord>(&message.data).ok())
            .flatten()
            .map(LogUpdate::Record)
    })
    .await;
}

/// A long-lived feed: reconnect with backoff and `Last-Event-ID`, report
/// the link state, give up after [`MAX_ATTEMPTS`] failures in a row.
async fn watch_feed<T>(
    client: Client,
    path: &str,
    tx: UnboundedSender<T>,
    link: fn(Link) -> T,
    map: fn(&MessageEvent) -> Option<T>,
) {
    let mut last_id: Option<String> = None;
    let mut failures = 0u32;
    loop {
        if tx.send(link(Link::Connecting)).is_err() {
            return;
        }
        let ended = match open(&client, path, last_id.as_deref()) {
            Ok(source) => follow_feed(source, &tx, link, map, &mut last_id, &mut failures).await,
            Err(e) => Ended::Fatal(e),
        };
        let (cause, at_least) = match ended {
            Ended::Done => return,
            Ended::Fatal(cause) => {
                let _ = tx.send(link(Link::Closed { cause }));
                return;
            }
            Ended::Retry(cause) => (cause, Duration::ZERO),
            Ended::Wait(cause, after) => (cause, after),
        };
        if tx.is_closed() {
            return;
        }
        failures += 1;
        if failures > MAX_ATTEMPTS {
            let _ = tx.send(link(Link::Closed {
                cause: format!("offline after {MAX_ATTEMPTS} reconnects: {cause}"),
            }));
            return;
        }
        let delay = backoff(failures).max(at_least);
        let _ = tx.send(link(Link::Retrying {
            attempt: failures,
            delay,
            cause,
        }));
        tokio::time::sleep(delay).await;
    }
}

async fn follow_feed<T>(
    mut source: EventSource,
    tx: &UnboundedSender<T>,
    link: fn(Link) -> T,
    map: fn(&MessageEvent) -> Option<T>,
    last_id: &mut Option<String>,
    failures: &mut u32,
) -> Ended {
    while let Some(item) = source.next().await {
        if tx.is_closed() {
            source.close();
            return Ended::Done;
        }
        match item {
            Ok(Event::Open) => {
                *failures = 0;
                let _ = tx.send(link(Link::Live));
            }
            Ok(Event::Message(message)) => {
                if !message.id.is_empty() {
                    *last_id = Some(message.id.clone());
                }
                if let Some(update) = map(&message) {
                    let _ = tx.send(update);
                }
            }
            Err(error) => {
                source.close();
                return classify(error).await;
            }
        }
    }
    Ended::Retry("the stream ended".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_bounded() {
        use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
            retry_after(&h)
        };
        assert_eq!(with("5"), Duration::from_secs(5));
        assert_eq!(with(" 2 "), Duration::from_secs(2));
        assert_eq!(with("0"), Duration::from_secs(1));
        assert_eq!(with("86400"), Duration::from_secs(60));
        // An HTTP date (allowed by RFC 9110) is not worth parsing here: 1 s.
        assert_eq!(
            with("Wed, 21 Oct 2026 07:28:00 GMT"),
            Duration::from_secs(1)
        );
        assert_eq!(retry_after(&HeaderMap::new()), Duration::from_secs(1));
    }

    fn message(event: &str, id: &str, data: &str) -> MessageEvent {
        MessageEvent {
            event: event.into(),
            data: data.into(),
            id: id.into(),
            retry: None,
        }
    }

    #[test]
    fn export_events_are_read_and_only_the_outcome_ends_the_stream() {
        let progress = message(
            "progress",
            "3",
            r#"{"stage": "render", "page": 1, "pages": 2}"#,
        );
        match ExportUpdate::decode(&progress) {
            Some(Ok((ExportUpdate::Progress(p), false))) => {
                assert_eq!(
                    (p.stage, p.page, p.pages),
                    (vitae_common::export::ExportStage::Render, 1, 2)
                )
            }
            other => panic!("{other:?}"),
        }
        let complete = message(
            "complete",
            "5",
            r#"{"download_url": "/v1/exports/e1/file", "bytes": 900, "pages": 2,
                "cached": false, "warnings": ["w"]}"#,
        );
        match ExportUpdate::decode(&complete) {
            Some(Ok((ExportUpdate::Complete(c), true))) => {
                assert_eq!((c.bytes, c.pages, c.warnings.len()), (900, 2, 1))
            }
            other => panic!("{other:?}"),
        }
        let failed = message(
            "failed",
            "5",
            r#"{"reason": "exports are limited to 20 pages"}"#,
        );
        assert!(matches!(
            ExportUpdate::decode(&failed),
            Some(Ok((ExportUpdate::Failed(r), true))) if r.contains("20 pages")
        ));
        // The server's error event does not end it; others are not ours.
        let error = message("error", "", r#"{"message": "cannot encode"}"#);
        assert!(matches!(
            ExportUpdate::decode(&error),
            Some(Ok((ExportUpdate::StreamError(_), false)))
        ));
        assert!(ExportUpdate::decode(&message("resync", "", "{}")).is_none());
        assert!(matches!(
            ExportUpdate::decode(&message("progress", "1", "{}")),
            Some(Err(_))
        ));
    }

    #[test]
    fn a_finished_export_job_is_its_outcome() {
        let job = |status: ExportStatus| ExportJob {
            id: "e1".into(),
            resume_id: "r1".into(),
            revision: 1,
            status,
            format: vitae_common::export::ExportFormat::Pdf,
            template: "classic".into(),
            events_url: "/v1/exports/e1/events".into(),
            download_url: "/v1/exports/e1/file".into(),
            created_at: "2026-11-25T12:00:00Z".into(),
            reason: Some("too long".into()),
            bytes: Some(1234),
            pages: Some(1),
            cached: Some(true),
            warnings: vec![],
        };
        match export_terminal_of(job(ExportStatus::Complete)) {
            ExportUpdate::Complete(c) => {
                assert_eq!((c.bytes, c.pages, c.cached), (1234, 1, true));
                assert_eq!(c.download_url, "/v1/exports/e1/file");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            export_terminal_of(job(ExportStatus::Failed)),
            ExportUpdate::Failed("too long".into())
        );
        assert!(matches!(
            export_terminal_of(job(ExportStatus::Rendering)),
            ExportUpdate::GaveUp(m) if m.contains("rendering")
        ));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(4), Duration::from_millis(2000));
        assert_eq!(backoff(6), Duration::from_millis(8000));
        assert_eq!(backoff(60), Duration::from_millis(8000));
    }
}
