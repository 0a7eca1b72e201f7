//! Health, the caller's account and administration: `/healthz` (the
//! process answers), `/readyz` (it can serve: for load balancers),
//! `GET /metrics` (for Prometheus, admin tokens only), `GET /v1/account`
//! and `POST /v1/admin/tokens`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use vitae_common::clean::Escaped;
use vitae_common::{
    AccountQuotas, AccountResource, AccountUsage, CreateToken, ErrorCode, Health, TokenResource,
};

use super::body::{parse_json, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::json;
use super::{App, Body, Ctx};
use crate::resource;

/// `GET /healthz`: the process answers; nothing else is checked.
pub async fn health(_: &Arc<App>, _: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    json(
        StatusCode::OK,
        &Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    )
}

/// `GET /readyz`: whether this instance should get traffic. Not while it
/// drains for a shutdown, and not while its store cannot serve (a
/// database that does not answer, a full or read-only disk, a store
/// reopening after an I/O error): then 503 with the reason and
/// `Retry-After`, so a load balancer sends requests to other instances.
pub async fn ready(app: &Arc<App>, _: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let not_ready = |why: String| {
        HttpError::new(ErrorCode::Unavailable, format!("not ready: {why}"))
            .with_header("retry-after", "5")
    };
    if *app.shutdown.borrow() {
        return Err(not_ready("the server is shutting down".into()));
    }
    app.store
        .ready()
        .await
        .map_err(|error| not_ready(format!("the store cannot serve: {error}")))?;
    json(
        StatusCode::OK,
        &Health {
            status: "ready".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    )
}

/// `GET /metrics`: this instance's metrics in the Prometheus text format
/// ([`crate::metrics`]), for admin tokens only: request counts and store
/// latencies say how an installation is used.
pub async fn metrics(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    if !ctx.user()?.admin {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "metrics need an admin token (Prometheus: `authorization: {credentials_file: …}`)",
        ));
    }
    let live = crate::metrics::Live {
        parse_queue_depth: app.pipeline.waiting().await,
        export_queue_depth: app.exporter.waiting_renders(),
        sse_subscribers: app.admission.streams.held(),
        connections: app.admission.connections.held(),
        pool: app.store.pool_connections(),
    };
    let text = app.metrics.encode(&live);
    let mut response = Response::new(super::response::full(text));
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// User names: 1–64 of letters, digits, `.`, `_`, `-`, `@`.
pub fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// `POST /v1/admin/tokens`: a new token, for admin tokens only.
pub async fn create_token(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let caller = ctx.user()?;
    if !caller.admin {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "creating tokens needs an admin token",
        ));
    }
    require_json(req.headers(), &[])?;
    let (_, body) = read_body(req, 64 * 1024).await?;
    let request: CreateToken = parse_json(&body)?;
    if !valid_user_name(&request.user) {
        return Err(HttpError::unprocessable(
            "user must be 1-64 characters of letters, digits, '.', '_', '-' or '@'",
        ));
    }
    let (token, principal) = app.store.create_token(&request.user, request.admin).await?;
    tracing::info!(user = %Escaped(&principal.user), admin = principal.admin, by = %Escaped(&caller.user), "token created");
    json(
        StatusCode::CREATED,
        &TokenResource {
            token,
            user: principal.user,
            admin: principal.admin,
            created_at: resource::time(principal.created_at),
        },
    )
}

/// `GET /v1/account`: the caller's usage against its quotas, from the
/// store's counters (no scan).
pub async fn account(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let caller = ctx.user()?;
    let usage = app.store.usage(&caller.user).await?;
    let quotas = app.store.quotas();
    let limit = |value: u64| (value > 0).then_some(value);
    json(
        StatusCode::OK,
        &AccountResource {
            user: caller.user.clone(),
            admin: caller.admin,
            usage: AccountUsage {
                bytes: usage.bytes,
                resumes: usage.resumes,
                revisions: usage.revisions,
                jobs: usage.jobs,
                shares: usage.shares,
                exports: usage.exports,
            },
            quotas: AccountQuotas {
                bytes: limit(quotas.bytes),
                resumes: limit(quotas.resumes),
                revisions_per_resume: limit(quotas.revisions_per_resume),
                jobs: limit(quotas.jobs),
                shares: limit(quotas.shares),
                exports: limit(quotas.exports),
            },
        },
    )
}
