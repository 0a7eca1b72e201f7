//! `password`: what a password-protected share link costs, against a server
//! of its own with the default limits.
//!
//! The server keeps only an argon2id hash of a link's password and hashes
//! every password a request brings (HTTP Basic from scripts; the form's
//! cookie then spares a browser the hash). This phase uploads one resume,
//! makes one link without a password and one with, and times, one request
//! at a time:
//!
//! - `GET /s/{token}?format=json` on the open link (the floor: everything
//!   but the hash);
//! - the same on the protected link with the right password (`-u :PW`);
//! - wrong passwords on a second protected link, until the per-address
//!   limit answers 429: how many were let through to the hash, how long a
//!   refused one took, and the `Retry-After` it gave.
//!
//! The right-password requests stay under the per-address view limit
//! (`--share-rate`, burst five seconds' worth), so none is refused.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine as _;
use bytes::Bytes;
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use serde::Serialize;

use crate::client::{Conn, Target};
use crate::phases::{self, Upload};
use crate::server::{LogSummary, Server};
use crate::stats::{Samples, Summary};

/// Requests of each timed row: within the default view burst (100).
const REQUESTS: usize = 40;
/// Wrong passwords sent at most, looking for the limit.
const WRONG_AT_MOST: usize = 100;

#[derive(Debug, Serialize)]
pub struct PasswordRun {
    pub rows: Vec<PasswordRow>,
    /// Wrong passwords answered 401 (hashed) before the first 429.
    pub wrong_before_limit: usize,
    /// `Retry-After` of the first 429, in seconds.
    pub retry_after_s: Option<u64>,
    pub server_log: LogSummary,
    pub server_exit: String,
}

#[derive(Debug, Serialize)]
pub struct PasswordRow {
    pub what: String,
    pub status: u16,
    pub summary: Summary,
}

pub async fn run(binary: &Path, md: &Upload) -> anyhow::Result<PasswordRun> {
    let data_dir = tempfile::Builder::new()
        .prefix("vitae-bench-password-")
        .tempdir()?;
    let server = Server::start(binary, data_dir.path()).await?;
    let target = Target::new(server.addr, &server.token)?;
    let result = measure(&target, md).await;
    let log_path = server.log_path.clone();
    let server_exit = server.stop().await;
    let (rows, wrong_before_limit, retry_after_s) = result?;
    Ok(PasswordRun {
        rows,
        wrong_before_limit,
        retry_after_s,
        server_log: LogSummary::read(&log_path),
        server_exit,
    })
}

async fn create(conn: &mut Conn, id: &str, body: &'static str) -> anyhow::Result<String> {
    let reply = conn
        .send(
            Method::POST,
            &format!("/v1/resumes/{id}/shares"),
            Some("application/json"),
            Bytes::from_static(body.as_bytes()),
        )
        .await?;
    if reply.status != StatusCode::CREATED {
        bail!("creating a link: {}", reply.status);
    }
    let value: serde_json::Value = serde_json::from_slice(&reply.body)?;
    value["token"]
        .as_str()
        .map(str::to_string)
        .context("no token in the new link")
}

fn basic(password: &str) -> anyhow::Result<HeaderValue> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(":{password}"));
    Ok(HeaderValue::from_str(&format!("Basic {encoded}"))?)
}

/// `REQUESTS` views of `token` with `authorization` (none: the admin
/// token, which a share page ignores), each expected to answer `expect`.
async fn time_views(
    conn: &mut Conn,
    what: &str,
    token: &str,
    authorization: Option<HeaderValue>,
    expect: StatusCode,
) -> anyhow::Result<PasswordRow> {
    eprintln!("…   {what}");
    let path = format!("/s/{token}?format=json");
    let mut samples = Samples::default();
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let sent = Instant::now();
        let reply = match &authorization {
            Some(header) => {
                conn.send_authorized(Method::GET, &path, header.clone())
                    .await?
            }
            None => conn.send(Method::GET, &path, None, Bytes::new()).await?,
        };
        let took = sent.elapsed();
        if reply.status != expect {
            bail!("{what}: {} where {expect} was expected", reply.status);
        }
        samples.ok.push(took);
    }
    Ok(PasswordRow {
        what: what.to_string(),
        status: expect.as_u16(),
        summary: samples.summary(started.elapsed()),
    })
}

type Measured = (Vec<PasswordRow>, usize, Option<u64>);

async fn measure(target: &Target, md: &Upload) -> anyhow::Result<Measured> {
    let (_, ids) = phases::uploads(target, md, 1, 1).await?;
    let id = ids.first().context("the resume did not parse")?.clone();
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let open = create(&mut conn, &id, r#"{}"#).await?;
    let locked = create(&mut conn, &id, r#"{"password": "correct horse battery"}"#).await?;
    let probed = create(&mut conn, &id, r#"{"password": "correct horse battery"}"#).await?;

    let right = basic("correct horse battery")?;
    let mut rows = vec![
        time_views(
            &mut conn,
            "link without a password",
            &open,
            None,
            StatusCode::OK,
        )
        .await?,
        time_views(
            &mut conn,
            "right password (HTTP Basic)",
            &locked,
            Some(right),
            StatusCode::OK,
        )
        .await?,
    ];

    // Wrong passwords until the limit answers.
    eprintln!("…   wrong passwords until the limit");
    let path = format!("/s/{probed}?format=json");
    let wrong = basic("wrong horse battery")?;
    let (mut hashed, mut refused) = (Samples::default(), Samples::default());
    let mut retry_after = None;
    let started = Instant::now();
    for _ in 0..WRONG_AT_MOST {
        let sent = Instant::now();
        let reply = conn
            .send_authorized(Method::GET, &path, wrong.clone())
            .await?;
        let took: Duration = sent.elapsed();
        match reply.status {
            StatusCode::UNAUTHORIZED if refused.ok.is_empty() => hashed.ok.push(took),
            StatusCode::TOO_MANY_REQUESTS => {
                if retry_after.is_none() {
                    retry_after = reply.header("retry-after").and_then(|v| v.parse().ok());
                }
                refused.ok.push(took);
                if refused.ok.len() >= 10 {
                    break;
                }
            }
            other => bail!("a wrong password answered {other}"),
        }
    }
    let elapsed = started.elapsed();
    let wrong_before_limit = hashed.ok.len();
    if wrong_before_limit > 0 {
        rows.push(PasswordRow {
            what: "wrong password, before the limit".into(),
            status: 401,
            summary: hashed.summary(elapsed),
        });
    }
    if !refused.ok.is_empty() {
        rows.push(PasswordRow {
            what: "wrong password, over the limit".into(),
            status: 429,
            summary: refused.summary(elapsed),
        });
    }
    Ok((rows, wrong_before_limit, retry_after))
}
