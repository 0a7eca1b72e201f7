//! Health, the caller's account and administration: `/healthz`,
//! `GET /v1/account` and `POST /v1/admin/tokens`.

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
