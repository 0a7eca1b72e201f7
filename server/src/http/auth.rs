//! Authentication: who sent a request to a private route.
//!
//! The credential is a bearer token, in `Authorization: Bearer <token>` or,
//! on the event streams only (browsers' `EventSource` cannot send headers),
//! in `?access_token=`. Failed attempts are rate-limited per client address
//! ([`crate::limits`]) so guessing tokens stays slow.

use std::net::IpAddr;

use hyper::header::{HeaderMap, AUTHORIZATION};
use vitae_common::ErrorCode;

use super::error::{HttpError, HttpResult};
use super::App;
use crate::store::Principal;

/// The principal whose token the request carries, or the 401 (429 after
/// too many failures from `client`) that says what is missing or wrong.
/// `query_token`: the route also takes `?access_token=` (the streams).
pub async fn authenticate(
    app: &App,
    query_token: bool,
    headers: &HeaderMap,
    query: &[(String, String)],
    client: IpAddr,
) -> HttpResult<Principal> {
    let unauthorized = |message: &str| {
        HttpError::new(ErrorCode::Unauthorized, message)
            .with_header("www-authenticate", "Bearer realm=\"vitae\"")
    };
    let from_header = match headers.get(AUTHORIZATION) {
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| unauthorized("the Authorization header is not readable text"))?;
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| unauthorized("use `Authorization: Bearer <token>`"))?;
            Some(token.trim().to_string())
        }
        None => None,
    };
    let token = match from_header {
        Some(token) => token,
        None if query_token => query
            .iter()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                unauthorized("authentication required: send `Authorization: Bearer <token>` or `?access_token=`")
            })?,
        None => {
            return Err(unauthorized(
                "authentication required: send `Authorization: Bearer <token>`",
            ))
        }
    };
    // An address that keeps presenting bad tokens is refused before its
    // next token is even looked at, good or bad: that is what makes guessing
    // slow. Requests without a token guess nothing and are not counted.
    let too_many = |refusal| {
        HttpError::from(refusal).with_message(
            "too many failed authentications from your address; check the token and wait as long as Retry-After says",
        )
    };
    app.admission
        .failed_auth
        .would_admit(client)
        .map_err(too_many)?;
    match app.store.authenticate(&token).await? {
        Some(principal) => Ok(principal),
        None => {
            // This failure takes its token from the bucket; the answer is
            // still 401, the next attempt is the one refused.
            let _ = app.admission.failed_auth.check(client);
            Err(unauthorized("the token is not valid"))
        }
    }
}
