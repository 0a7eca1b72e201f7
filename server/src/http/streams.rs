//! The three SSE endpoints: a resume's parse stream, the account stream
//! `/v1/events`, and the server log stream `/v1/logs` (admin tokens only).
//!
//! See docs/sse.md for the protocol. The parse stream's ids are fixed per
//! stage, so a `Last-Event-ID` survives a server restart; one at or past the
//! terminal event (id 7) of a finished parse answers 204, which tells a
//! browser's `EventSource` to stop reconnecting.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use vitae_common::{ErrorCode, TERMINAL_EVENT_ID};

use super::error::{HttpError, HttpResult};
use super::router::Route;
use super::{empty, App, Body, Ctx};
use crate::pipeline::terminal_event;
use crate::sse::hub::Subscription;
use crate::sse::stream::{respond, StreamOptions};

pub async fn handle(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    // A value that is not visible ASCII is still a value (a parse stream
    // refuses it with 400, the account stream answers `resync`), never
    // taken for "no Last-Event-ID".
    let last_event_id = req
        .headers()
        .get("last-event-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty());
    match ctx.route {
        Route::ResumeEvents => parse_stream(app, ctx, last_event_id).await,
        Route::Events => account_stream(app, ctx, last_event_id),
        _ => log_stream(app, ctx),
    }
}

/// A `resync` with id 0: on the parse stream, reconnecting with that id
/// replays the whole log; the log stream has no history to replay.
fn resync_from_start(reason: String) -> crate::sse::SseEvent {
    crate::sse::SseEvent::json(
        "0",
        vitae_common::names::RESYNC,
        &serde_json::json!({ "reason": reason }),
    )
}

fn options(app: &App, on_lag: Box<dyn Fn(u64) -> crate::sse::SseEvent + Send>) -> StreamOptions {
    StreamOptions {
        heartbeat: app.config.heartbeat,
        shutdown: app.shutdown.clone(),
        on_lag,
    }
}

async fn parse_stream(
    app: &Arc<App>,
    ctx: &Ctx,
    last_event_id: Option<String>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let stored = app.store.get_resume(&user.user, id).await?;
    let last = match last_event_id.as_deref() {
        None => 0,
        Some(raw) => raw.parse::<u64>().map_err(|_| {
            HttpError::bad_request(format!(
                "Last-Event-ID {raw:?} is not an event id of this stream (1-{TERMINAL_EVENT_ID})"
            ))
        })?,
    };
    if last >= TERMINAL_EVENT_ID && stored.record.status.is_terminal() {
        return Ok(empty(StatusCode::NO_CONTENT));
    }
    let subscription = app.hub.subscribe_parse(id, terminal_event(&stored));
    let history = subscription
        .history
        .into_iter()
        .filter(|event| event.id.parse::<u64>().map_or(true, |n| n > last))
        .collect();
    let subscription = Subscription {
        history,
        live: subscription.live,
    };
    // A parse log holds at most seven events, far below the fan-out buffer.
    // Should a subscriber still lag, its resync carries id 0: reconnecting
    // with that id replays the whole log.
    Ok(respond(
        subscription,
        options(
            app,
            Box::new(|_| resync_from_start("this client fell behind; refetch the resume".into())),
        ),
    ))
}

fn account_stream(
    app: &Arc<App>,
    ctx: &Ctx,
    last_event_id: Option<String>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let subscription = app
        .hub
        .subscribe_account(&user.user, last_event_id.as_deref());
    let hub = app.hub.clone();
    let owner = user.user.clone();
    Ok(respond(
        subscription,
        options(
            app,
            Box::new(move |missed| {
                hub.resync_event(
                    hub.latest_account_seq(&owner),
                    &format!("{missed} events were skipped because this client fell behind; refetch your resumes"),
                )
            }),
        ),
    ))
}

fn log_stream(app: &Arc<App>, ctx: &Ctx) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    if !user.admin {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "the log stream needs an admin token",
        ));
    }
    let subscription = Subscription {
        history: Vec::new(),
        live: Some(app.logs.subscribe()),
    };
    Ok(respond(
        subscription,
        options(
            app,
            Box::new(|missed| {
                resync_from_start(format!(
                    "{missed} log records were dropped because this client fell behind"
                ))
            }),
        ),
    ))
}
