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
use super::response::empty;
use super::{App, Body, Ctx};
use crate::limits::Permit;
use crate::pipeline::terminal_event;
use crate::sse::hub::Subscription;
use crate::sse::stream::{respond, StreamOptions};

/// The request's `Last-Event-ID`, if it has a non-empty one.
pub(super) fn last_event_id(req: &Request<Incoming>) -> Option<String> {
    // A value that is not ASCII is still a value: on the parse stream it is
    // not an event id (400), on the account stream one that cannot be
    // replayed (resync). Reading it as absent would replay from the start.
    req.headers()
        .get("last-event-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A `resync` with id 0: on the parse stream, reconnecting with that id
/// replays the whole log; the log stream has no history to replay.
pub(super) fn resync_from_start(reason: String) -> crate::sse::SseEvent {
    crate::sse::SseEvent::json(
        "0",
        vitae_common::names::RESYNC,
        &serde_json::json!({ "reason": reason }),
    )
}

/// A slot for one more stream of `owner`, or the 429/503 that says why not.
fn admit(app: &App, owner: &str) -> HttpResult<Permit> {
    Ok(app.admission.streams.admit_for(owner)?)
}

fn options(
    app: &App,
    permit: Permit,
    on_lag: Box<dyn Fn(u64) -> crate::sse::SseEvent + Send>,
) -> StreamOptions {
    StreamOptions {
        heartbeat: app.live.get().heartbeat,
        shutdown: app.shutdown.clone(),
        on_lag,
        permit: Some(permit),
    }
}

/// `GET /v1/resumes/{id}/events`: one resume's parse, from the start or
/// after `Last-Event-ID`.
pub async fn parse_stream(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let last_event_id = last_event_id(&req);
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
    let permit = admit(app, &user.user)?;
    let subscription = app.hub.subscribe_parse(id, terminal_event(&stored));
    let history = subscription
        .history
        .into_iter()
        .filter(|event| event.id.parse::<u64>().map_or(true, |n| n > last))
        .collect();
    let subscription = Subscription {
        history,
        live: subscription.live,
        floor: 0,
    };
    // A parse log holds at most seven events, far below the fan-out buffer.
    // Should a subscriber still lag, its resync carries id 0: reconnecting
    // with that id replays the whole log.
    Ok(respond(
        subscription,
        options(
            app,
            permit,
            Box::new(|_| resync_from_start("this client fell behind; refetch the resume".into())),
        ),
    ))
}

/// `GET /v1/events`: every change to the caller's resumes and shares.
pub async fn account_stream(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let last_event_id = last_event_id(&req);
    let user = ctx.user()?;
    let permit = admit(app, &user.user)?;
    let subscription = app
        .hub
        .subscribe_account_replay(&user.user, last_event_id.as_deref())
        .await;
    let hub = app.hub.clone();
    let owner = user.user.clone();
    Ok(respond(
        subscription,
        options(
            app,
            permit,
            Box::new(move |missed| {
                hub.resync_event(
                    hub.latest_account_seq(&owner),
                    &format!("{missed} events were skipped because this client fell behind; refetch your resumes"),
                )
            }),
        ),
    ))
}

/// `GET /v1/logs`: the server's own log records, for admin tokens.
pub async fn log_stream(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    if !user.admin {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "the log stream needs an admin token",
        ));
    }
    let permit = admit(app, &user.user)?;
    let subscription = Subscription {
        history: Vec::new(),
        live: Some(app.logs.subscribe()),
        floor: 0,
    };
    Ok(respond(
        subscription,
        options(
            app,
            permit,
            Box::new(|missed| {
                resync_from_start(format!(
                    "{missed} log records were dropped because this client fell behind"
                ))
            }),
        ),
    ))
}
