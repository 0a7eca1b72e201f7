//! Crash test: the real server under concurrent uploads, edits, share
//! creations and revocations, deletes, master changes and token mints is
//! `kill -9`ed at a random moment, restarted on the same data dir, and every
//! write a client saw acknowledged must be there and intact.
//!
//! Rounds: `VITAE_CRASH_ROUNDS` (default 3, the CI size). Seed:
//! `VITAE_CRASH_SEED` (decimal or `0x` hex; default from the clock). The seed
//! and each round's figures are printed (run with `--nocapture`), so a failure
//! can be replayed with the same op mix and kill moments (the interleaving of
//! the concurrent clients still varies). The long run (docs/operations.md,
//! "Crash testing"):
//!
//! ```sh
//! VITAE_CRASH_ROUNDS=20 cargo test -p vitae-tests --test crash -- --nocapture
//! ```
//!
//! How it decides: the ledger ([`Model`]) holds only what the server
//! acknowledged (a 2xx read completely) plus, for requests cut off by the
//! kill, what they attempted ("unknown": either outcome is fine, but never
//! half of one). A request whose connection could not even be made is "not
//! sent". After each restart, once no resume is `pending` or `parsing`, the
//! observed state is checked against the ledger, then becomes the baseline of
//! the next round: what was seen after a restart is durable, so later rounds
//! must keep it too unless a write of theirs changed it.
//!
//! Checked after every restart (docs/operations.md lists the same):
//!
//! - no resume of any user stays `pending` or `parsing` (bounded wait);
//! - every acknowledged upload exists (unless deleted) with its filename,
//!   content type, size and `ready` document, which shows the upload's own
//!   marker; an upload that was cut off exists whole or not at all;
//! - every acknowledged edit (`basics.label` through `If-Match`) is in the
//!   history at its revision, and every revision was written by an edit that
//!   was acknowledged or cut off;
//! - every acknowledged share exists with its resume and expiry, revoked iff
//!   a revocation was acknowledged (or cut off); a share nobody acknowledged
//!   matches a cut-off creation; `/s/{token}` answers 200 or 410 accordingly;
//!   view counts never go down;
//! - deleted resumes stay deleted (404), and their share links answer 404;
//! - at most one master per owner, exactly one (ready) while any resume is
//!   ready, and the one the last acknowledged master change named when no
//!   other change overlapped it;
//! - the list and single GETs agree; a finished parse's stream gives its
//!   terminal event at once (and 204 after it); the account stream carries a
//!   new write; acknowledged tokens still work;
//! - no 5xx anywhere, no ERROR line or panic in the server log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::StreamExt;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use vitae_tests::*;

/// Rounds when `VITAE_CRASH_ROUNDS` is not set: the CI size.
const DEFAULT_ROUNDS: u32 = 3;
/// Concurrent client tasks during the load phase.
const TASKS: usize = 8;
/// Users; master uniqueness is per owner.
const USERS: usize = 3;
/// The load runs this long (uniformly random) before the kill; the shortest
/// kills land while the parses re-queued by the previous restart still run.
const LOAD_MS: (u64, u64) = (20, 1500);
/// Two parse workers and a short queue, so uploads meet 429s and a backlog
/// of parses is under way at most kills.
///
/// The per-address limits are lifted: every client here is on loopback, and
/// this test is about durability, not admission (tests/tests/limits.rs).
const SERVER_ARGS: [&str; 8] = [
    "--workers",
    "2",
    "--queue-capacity",
    "12",
    "--share-rate",
    "0",
    "--auth-failures-per-min",
    "0",
];
/// Bound on every resume leaving `pending`/`parsing` after a restart.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(180);
/// Bound on a finished parse's stream delivering its terminal event, and on
/// an account stream's first frame and event.
const STREAM_TIMEOUT: Duration = Duration::from_secs(10);
/// Checks of one user's resumes running at once.
const CHECK_CONCURRENCY: usize = 6;
/// The fixtures carry this sentence in their summary; uploads append a marker to it.
const SUMMARY_TAIL: &str = "streaming services in Rust.";

// ---------------------------------------------------------------------------
// Settings and randomness

struct Settings {
    rounds: u32,
    seed: u64,
}

fn settings() -> Settings {
    let rounds = match std::env::var("VITAE_CRASH_ROUNDS") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("VITAE_CRASH_ROUNDS={v:?} is not a number")),
        Err(_) => DEFAULT_ROUNDS,
    };
    // Its own variable name, which docs/operations.md gives for replaying a
    // crash run; the generator and the seed handling are the harness's.
    let seed = seed_from_env("VITAE_CRASH_SEED");
    Settings { rounds, seed }
}

// ---------------------------------------------------------------------------
// Uploads: the fixtures, made unique per upload

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pdf,
    Docx,
    Md,
    Txt,
    Json,
}

const KINDS: [Kind; 5] = [Kind::Pdf, Kind::Docx, Kind::Md, Kind::Txt, Kind::Json];

impl Kind {
    fn ext(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Md => "md",
            Kind::Txt => "txt",
            Kind::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => CT_PDF,
            Kind::Docx => CT_DOCX,
            Kind::Md => CT_MD,
            Kind::Txt => CT_TXT,
            Kind::Json => CT_JSON,
        }
    }

    /// Does the parsed document show the upload's marker (in `basics.summary`)?
    fn shows_marker(self) -> bool {
        matches!(self, Kind::Md | Kind::Txt | Kind::Json)
    }

    fn fixture(self) -> &'static [u8] {
        static CACHE: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        let all = CACHE.get_or_init(|| {
            KINDS
                .iter()
                .map(|k| fixture(&format!("resume.{}", k.ext())))
                .collect()
        });
        &all[KINDS.iter().position(|k| *k == self).unwrap()]
    }
}

/// The fixture of `kind` with `marker` in it, so every upload's bytes differ:
/// in the summary sentence (Markdown, text, JSON Resume: the parsed document
/// shows it), after `%%EOF` as a PDF comment, or as the DOCX zip's comment.
fn upload_bytes(kind: Kind, marker: &str) -> Vec<u8> {
    let base = kind.fixture();
    match kind {
        Kind::Pdf => {
            let mut b = base.to_vec();
            b.extend_from_slice(format!("%{marker}\n").as_bytes());
            b
        }
        Kind::Docx => {
            // The end-of-central-directory record is the last 22 bytes, with
            // a zero comment length in its last two: give it a comment.
            let n = base.len();
            assert!(
                n > 22 && &base[n - 22..n - 18] == b"PK\x05\x06" && base[n - 2..] == [0, 0],
                "resume.docx must end with a comment-less zip directory record"
            );
            let mut b = base[..n - 2].to_vec();
            b.extend_from_slice(&(marker.len() as u16).to_le_bytes());
            b.extend_from_slice(marker.as_bytes());
            b
        }
        Kind::Md | Kind::Txt => {
            let text = std::str::from_utf8(base).unwrap();
            assert!(text.contains(SUMMARY_TAIL), "fixture summary changed");
            text.replacen(SUMMARY_TAIL, &format!("{SUMMARY_TAIL} Ref {marker}."), 1)
                .into_bytes()
        }
        Kind::Json => {
            let mut v: Value = serde_json::from_slice(base).unwrap();
            let summary = v["basics"]["summary"].as_str().unwrap().to_string();
            v["basics"]["summary"] = Value::from(format!("{summary} Ref {marker}."));
            serde_json::to_vec_pretty(&v).unwrap()
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP without panics

/// What became of a request.
enum Reply {
    /// A complete answer (any status).
    Answer(Resp),
    /// The connection could not be made: the server never saw the request.
    NotSent(String),
    /// Cut off (or timed out) after it may have reached the server: unknown.
    Lost(String),
}

async fn call(rb: RequestBuilder) -> Reply {
    match try_send(rb).await {
        Ok(r) => Reply::Answer(r),
        Err(NoAnswer::Failed(e)) if e.is_connect() => Reply::NotSent(e.to_string()),
        Err(NoAnswer::Failed(e)) => Reply::Lost(format!("{e:?}")),
        Err(NoAnswer::TimedOut) => Reply::Lost(format!("no answer within {HTTP_TIMEOUT:?}")),
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

fn describe(r: &Resp) -> String {
    let mut body = r.text();
    if body.len() > 600 {
        body.truncate(600);
        body.push('…');
    }
    format!(
        "{} (request id {}): {body}",
        r.status,
        r.header("x-request-id").unwrap_or_default()
    )
}

fn json_of(r: &Resp) -> Result<Value, String> {
    serde_json::from_slice(&r.body).map_err(|e| format!("body is not JSON ({e}): {}", describe(r)))
}

fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

fn time_of(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn label_of(document: &Value) -> Option<String> {
    document["basics"]["label"].as_str().map(str::to_string)
}

// ---------------------------------------------------------------------------
// The ledger

#[derive(Clone)]
struct User {
    name: String,
    token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delete {
    None,
    InFlight,
    Unknown,
    Acked,
}

#[derive(Clone, Debug)]
struct ShareModel {
    expires_at: DateTime<Utc>,
    /// Revoked as observed after the last restart (or false when new).
    base_revoked: bool,
    /// The clock when a revoke's 200 arrived.
    revoke_acked: Option<u64>,
    /// A revoke was cut off.
    revoke_unknown: bool,
    /// Revokes attempted this round (answered or not).
    revokes_tried: u32,
    /// `access_count` observed after the last restart: durable, so it may
    /// never go down.
    base_access: u64,
}

impl ShareModel {
    fn new(expires_at: DateTime<Utc>) -> ShareModel {
        ShareModel {
            expires_at,
            base_revoked: false,
            revoke_acked: None,
            revoke_unknown: false,
            revokes_tried: 0,
            base_access: 0,
        }
    }
}

#[derive(Clone, Debug)]
struct ResumeModel {
    id: String,
    user: usize,
    filename: String,
    kind: Kind,
    size: u64,
    marker: String,
    /// The clock when the upload's 202 arrived (0: known since a restart).
    acked_at: u64,
    /// `basics.label` per revision, as acknowledged or observed after a restart.
    labels: BTreeMap<u64, Option<String>>,
    /// The revision observed after the last restart (0: none yet).
    base_revision: u64,
    /// Edits cut off by the kill: (If-Match revision, label).
    unknown_edits: Vec<(u64, String)>,
    delete: Delete,
    shares: BTreeMap<String, ShareModel>,
    /// Expiry times of share creations cut off by the kill.
    unknown_shares: Vec<DateTime<Utc>>,
    /// Seen `ready`.
    ready: bool,
}

/// An upload cut off by the kill: it may or may not exist after the restart.
#[derive(Clone, Debug)]
struct UploadAttempt {
    user: usize,
    filename: String,
    kind: Kind,
    size: u64,
    marker: String,
}

/// A master change that was not refused: acknowledged, or cut off (`done` = MAX).
#[derive(Clone, Debug)]
struct MasterOp {
    user: usize,
    id: String,
    sent: u64,
    done: u64,
    acked: bool,
}

/// A deleted resume: it must stay deleted, and its shares gone.
#[derive(Clone, Debug)]
struct Tombstone {
    user: usize,
    filename: String,
    share_tokens: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Acked,
    Refused,
    Unknown,
    NotSent,
}

#[derive(Default, Clone)]
struct Stats {
    /// (op, class) → count.
    ops: BTreeMap<(&'static str, Class), u64>,
}

impl Stats {
    fn add(&mut self, op: &'static str, class: Class) {
        *self.ops.entry((op, class)).or_default() += 1;
    }

    fn sum(&self, pred: impl Fn(&'static str, Class) -> bool) -> u64 {
        self.ops
            .iter()
            .filter(|((op, class), _)| pred(op, *class))
            .map(|(_, n)| n)
            .sum()
    }

    fn writes(&self, class: Class) -> u64 {
        self.sum(|op, c| c == class && WRITE_OPS.contains(&op))
    }

    fn line(&self) -> String {
        let mut parts = Vec::new();
        for op in WRITE_OPS.iter().chain(READ_OPS.iter()) {
            let get = |c| self.ops.get(&(*op, c)).copied().unwrap_or(0);
            let (a, r, u, n) = (
                get(Class::Acked),
                get(Class::Refused),
                get(Class::Unknown),
                get(Class::NotSent),
            );
            if a + r + u + n > 0 {
                parts.push(format!("{op} {a}/{r}/{u}/{n}"));
            }
        }
        format!("[op ok/refused/unknown/not-sent] {}", parts.join(", "))
    }
}

const WRITE_OPS: [&str; 7] = [
    "upload", "edit", "share", "revoke", "delete", "master", "token",
];
const READ_OPS: [&str; 3] = ["get", "list", "view"];

#[derive(Default)]
struct Model {
    users: Vec<User>,
    /// Tokens minted by acknowledged `POST /v1/admin/tokens`, by user.
    minted: Vec<(usize, String)>,
    resumes: BTreeMap<String, ResumeModel>,
    tombstones: BTreeMap<String, Tombstone>,
    /// The master of each user observed after the last restart.
    masters: Vec<Option<String>>,
    // This round's log:
    unknown_uploads: Vec<UploadAttempt>,
    master_ops: Vec<MasterOp>,
    failures: Vec<String>,
    stats: Stats,
}

impl Model {
    fn resumes_of(&self, user: usize, keep: impl Fn(&ResumeModel) -> bool) -> Vec<String> {
        self.resumes
            .values()
            .filter(|r| r.user == user && keep(r))
            .map(|r| r.id.clone())
            .collect()
    }

    /// A 404 for `id` is explained by a delete that was attempted.
    fn delete_tried(&self, id: &str) -> bool {
        self.tombstones.contains_key(id)
            || self
                .resumes
                .get(id)
                .is_none_or(|r| r.delete != Delete::None)
    }
}

// ---------------------------------------------------------------------------
// The load phase

struct Load {
    model: Arc<Mutex<Model>>,
    users: Vec<User>,
    admin: String,
    base: String,
    http: reqwest::Client,
    clock: AtomicU64,
    in_flight: AtomicUsize,
    stop: AtomicBool,
    round: u32,
    seed: u64,
}

impl Load {
    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn with<T>(&self, f: impl FnOnce(&mut Model) -> T) -> T {
        f(&mut self.model.lock().unwrap())
    }

    fn fail(&self, what: String) {
        let msg = format!("round {} (load): {what}", self.round);
        eprintln!("FAILURE {msg}");
        self.with(|m| m.failures.push(msg));
    }

    fn count(&self, op: &'static str, class: Class) {
        self.with(|m| m.stats.add(op, class));
    }

    fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    async fn send(&self, rb: RequestBuilder) -> Reply {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let r = call(rb).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        r
    }

    /// A 5xx, or a status this op never expects: a failure.
    fn unexpected(&self, op: &str, what: &str, r: &Resp) {
        self.fail(format!("{op} {what}: unexpected answer {}", describe(r)));
    }
}

async fn load_task(load: Arc<Load>, task: usize, mut rng: fastrand::Rng) {
    let mut n = 0u64;
    while !load.stop.load(Ordering::SeqCst) {
        n += 1;
        let user = rng.u64(..load.users.len() as u64) as usize;
        let roll = rng.u64(..100);
        match roll {
            0..=17 => op_upload(&load, &mut rng, task, n, user).await,
            18..=41 => op_edit(&load, &mut rng, task, n, user).await,
            42..=55 => op_share(&load, &mut rng, user).await,
            56..=63 => op_revoke(&load, &mut rng, user).await,
            64..=67 => op_delete(&load, &mut rng, user).await,
            68..=75 => op_master(&load, &mut rng, user).await,
            76..=85 => op_view(&load, &mut rng, user).await,
            86..=87 => op_token(&load, user).await,
            _ => op_list(&load, user).await,
        }
    }
}

async fn op_upload(load: &Load, rng: &mut fastrand::Rng, task: usize, n: u64, user: usize) {
    let kind = KINDS[rng.u64(..KINDS.len() as u64) as usize];
    let stem = format!("r{}-t{task}-n{n}", load.round);
    let attempt = UploadAttempt {
        user,
        filename: format!("{stem}.{}", kind.ext()),
        kind,
        size: 0,
        marker: format!("crash-{:x}-{stem}", load.seed),
    };
    let bytes = upload_bytes(kind, &attempt.marker);
    let attempt = UploadAttempt {
        size: bytes.len() as u64,
        ..attempt
    };
    let token = load.users[user].token.clone();
    let rb = if rng.u64(..4) == 0 {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(attempt.filename.clone())
            .mime_str(kind.content_type())
            .unwrap();
        load.req(Method::POST, "/v1/resumes", Some(&token))
            .multipart(reqwest::multipart::Form::new().part("file", part))
    } else {
        load.req(Method::POST, "/v1/resumes", Some(&token))
            .query(&[("filename", attempt.filename.as_str())])
            .header("content-type", kind.content_type())
            .body(bytes)
    };
    match load.send(rb).await {
        Reply::Answer(r) if r.status == 202 => {
            let done = load.tick();
            let v = match json_of(&r) {
                Ok(v) => v,
                Err(e) => return load.fail(format!("upload {}: {e}", attempt.filename)),
            };
            let Some(id) = v["id"].as_str().map(str::to_string) else {
                return load.fail(format!("upload {}: no id in {v}", attempt.filename));
            };
            let mut wrong = Vec::new();
            if v["status"] != "pending" {
                wrong.push("status is not pending");
            }
            if v["filename"] != attempt.filename.as_str() {
                wrong.push("filename");
            }
            if v["content_type"] != kind.content_type() {
                wrong.push("content_type");
            }
            if v["size"] != attempt.size {
                wrong.push("size");
            }
            if v["revision"] != 1 || !v["document"].is_null() {
                wrong.push("revision/document");
            }
            if v["owner"] != load.users[user].name.as_str() {
                wrong.push("owner");
            }
            if !wrong.is_empty() {
                load.fail(format!(
                    "upload {}: 202 with wrong {wrong:?}: {v}",
                    attempt.filename
                ));
            }
            load.with(|m| {
                m.stats.add("upload", Class::Acked);
                m.resumes.insert(
                    id.clone(),
                    ResumeModel {
                        id,
                        user,
                        filename: attempt.filename,
                        kind,
                        size: attempt.size,
                        marker: attempt.marker,
                        acked_at: done,
                        labels: BTreeMap::new(),
                        base_revision: 0,
                        unknown_edits: Vec::new(),
                        delete: Delete::None,
                        shares: BTreeMap::new(),
                        unknown_shares: Vec::new(),
                        ready: false,
                    },
                );
            });
        }
        // The parse queue is full: a refusal that stored nothing.
        Reply::Answer(r) if r.status == 429 => load.count("upload", Class::Refused),
        Reply::Answer(r) => load.unexpected("upload", &attempt.filename, &r),
        Reply::NotSent(_) => load.count("upload", Class::NotSent),
        Reply::Lost(_) => load.with(|m| {
            m.stats.add("upload", Class::Unknown);
            m.unknown_uploads.push(attempt);
        }),
    }
}

/// GET a resume of `user`; `None` when it cannot be used now.
async fn read_resume(load: &Load, user: usize, id: &str) -> Option<Value> {
    let token = load.users[user].token.clone();
    match load
        .send(load.req(Method::GET, &format!("/v1/resumes/{id}"), Some(&token)))
        .await
    {
        Reply::Answer(r) if r.status == 200 => {
            load.count("get", Class::Acked);
            match json_of(&r) {
                Ok(v) => Some(v),
                Err(e) => {
                    load.fail(format!("GET resume {id}: {e}"));
                    None
                }
            }
        }
        Reply::Answer(r) if r.status == 404 => {
            load.count("get", Class::Refused);
            if !load.with(|m| m.delete_tried(id)) {
                load.fail(format!(
                    "GET resume {id} answered 404 though no delete was attempted"
                ));
            }
            None
        }
        Reply::Answer(r) => {
            load.unexpected("GET resume", id, &r);
            None
        }
        Reply::NotSent(_) => {
            load.count("get", Class::NotSent);
            None
        }
        Reply::Lost(_) => {
            load.count("get", Class::Unknown);
            None
        }
    }
}

async fn op_edit(load: &Load, rng: &mut fastrand::Rng, task: usize, n: u64, user: usize) {
    let Some(id) = load.with(|m| {
        let ready = m.resumes_of(user, |r| r.delete != Delete::Acked && r.ready);
        let any = m.resumes_of(user, |r| r.delete != Delete::Acked);
        // Mostly resumes known to be ready; sometimes any, such as this
        // round's uploads, whose parse may just have finished.
        let from_any = ready.is_empty() || rng.u64(..10) < 3;
        rng.choice(if from_any { &any } else { &ready }).cloned()
    }) else {
        return;
    };
    let Some(current) = read_resume(load, user, &id).await else {
        return;
    };
    if current["status"] != "ready" {
        return;
    }
    load.with(|m| {
        if let Some(r) = m.resumes.get_mut(&id) {
            r.ready = true;
        }
    });
    let Some(rev) = current["revision"].as_u64() else {
        return load.fail(format!("resume {id} without a revision: {current}"));
    };
    let value = format!("label-r{}-t{task}-n{n}", load.round);
    let token = load.users[user].token.clone();
    let rb = load
        .req(Method::PATCH, &format!("/v1/resumes/{id}"), Some(&token))
        .header("content-type", "application/merge-patch+json")
        .header("if-match", format!("\"{rev}\""))
        .body(json!({"basics": {"label": value}}).to_string());
    match load.send(rb).await {
        Reply::Answer(r) if r.status == 200 => {
            let v = match json_of(&r) {
                Ok(v) => v,
                Err(e) => return load.fail(format!("PATCH {id}: {e}")),
            };
            let etag = r.header("etag").unwrap_or_default();
            if v["revision"] != rev + 1
                || label_of(&v["document"]).as_deref() != Some(value.as_str())
                || etag.trim_matches('"') != (rev + 1).to_string()
            {
                load.fail(format!(
                    "PATCH {id} If-Match {rev} → 200 but revision {} (ETag {etag}), label {:?}, want {} and {value:?}",
                    v["revision"],
                    label_of(&v["document"]),
                    rev + 1
                ));
            }
            load.with(|m| {
                m.stats.add("edit", Class::Acked);
                if let Some(r) = m.resumes.get_mut(&id) {
                    r.labels.insert(rev + 1, Some(value));
                }
            });
        }
        // Stale revision (a concurrent edit won) or not ready: refusals.
        Reply::Answer(r) if r.status == 412 || r.status == 409 => {
            load.count("edit", Class::Refused)
        }
        Reply::Answer(r) if r.status == 404 => {
            load.count("edit", Class::Refused);
            if !load.with(|m| m.delete_tried(&id)) {
                load.fail(format!(
                    "PATCH {id} answered 404 though no delete was attempted"
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("PATCH", &id, &r),
        Reply::NotSent(_) => load.count("edit", Class::NotSent),
        Reply::Lost(_) => load.with(|m| {
            m.stats.add("edit", Class::Unknown);
            if let Some(r) = m.resumes.get_mut(&id) {
                r.unknown_edits.push((rev, value));
            }
        }),
    }
}

async fn op_share(load: &Load, rng: &mut fastrand::Rng, user: usize) {
    let Some(id) = load.with(|m| {
        rng.choice(&m.resumes_of(user, |r| r.delete != Delete::Acked))
            .cloned()
    }) else {
        return;
    };
    // An explicit, unique expiry (ms precision): a share cut off by the kill
    // is recognised by it after the restart.
    let expires_at = ms(Utc::now()
        + chrono::Duration::days(rng.u64(1..=300) as i64)
        + chrono::Duration::milliseconds(rng.u64(..86_400_000) as i64));
    let token = load.users[user].token.clone();
    let rb = load
        .req(
            Method::POST,
            &format!("/v1/resumes/{id}/shares"),
            Some(&token),
        )
        .json(&json!({"expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true)}));
    match load.send(rb).await {
        Reply::Answer(r) if r.status == 201 => {
            let v = match json_of(&r) {
                Ok(v) => v,
                Err(e) => return load.fail(format!("share of {id}: {e}")),
            };
            let Some(share) = v["token"].as_str().map(str::to_string) else {
                return load.fail(format!("share of {id}: no token in {v}"));
            };
            if v["resume_id"] != id.as_str()
                || time_of(&v["expires_at"]) != Some(expires_at)
                || v["revoked"] != false
                || v["access_count"] != 0
            {
                load.fail(format!(
                    "share of {id} expiring {expires_at}: 201 with wrong fields: {v}"
                ));
            }
            load.with(|m| {
                m.stats.add("share", Class::Acked);
                if let Some(r) = m.resumes.get_mut(&id) {
                    r.ready = true;
                    r.shares.insert(share, ShareModel::new(expires_at));
                }
            });
        }
        Reply::Answer(r) if r.status == 409 => load.count("share", Class::Refused),
        Reply::Answer(r) if r.status == 404 => {
            load.count("share", Class::Refused);
            if !load.with(|m| m.delete_tried(&id)) {
                load.fail(format!(
                    "POST shares of {id} answered 404 though no delete was attempted"
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("POST shares", &id, &r),
        Reply::NotSent(_) => load.count("share", Class::NotSent),
        Reply::Lost(_) => load.with(|m| {
            m.stats.add("share", Class::Unknown);
            if let Some(r) = m.resumes.get_mut(&id) {
                r.unknown_shares.push(expires_at);
            }
        }),
    }
}

/// A (resume, share token) of `user`, on a resume not known to be deleted.
fn pick_share(m: &Model, rng: &mut fastrand::Rng, user: usize) -> Option<(String, String)> {
    let all: Vec<(String, String)> = m
        .resumes
        .values()
        .filter(|r| r.user == user && r.delete != Delete::Acked)
        .flat_map(|r| r.shares.keys().map(|t| (r.id.clone(), t.clone())))
        .collect();
    rng.choice(&all).cloned()
}

async fn op_revoke(load: &Load, rng: &mut fastrand::Rng, user: usize) {
    let Some((id, share)) = load.with(|m| {
        let picked = pick_share(m, rng, user)?;
        let s = m.resumes.get_mut(&picked.0)?.shares.get_mut(&picked.1)?;
        s.revokes_tried += 1;
        Some(picked)
    }) else {
        return;
    };
    let token = load.users[user].token.clone();
    match load
        .send(load.req(Method::DELETE, &format!("/v1/shares/{share}"), Some(&token)))
        .await
    {
        Reply::Answer(r) if r.status == 200 => {
            let done = load.tick();
            match json_of(&r) {
                Ok(v) if v["revoked"] == true && v["token"] == share.as_str() => {}
                Ok(v) => load.fail(format!("revoke {share}: 200 with {v}")),
                Err(e) => load.fail(format!("revoke {share}: {e}")),
            }
            load.with(|m| {
                m.stats.add("revoke", Class::Acked);
                if let Some(s) = m
                    .resumes
                    .get_mut(&id)
                    .and_then(|r| r.shares.get_mut(&share))
                {
                    s.revoke_acked.get_or_insert(done);
                }
            });
        }
        Reply::Answer(r) if r.status == 404 => {
            load.count("revoke", Class::Refused);
            if !load.with(|m| m.delete_tried(&id)) {
                load.fail(format!(
                    "revoke {share} of {id} answered 404 though no delete of the resume was attempted"
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("revoke", &share, &r),
        Reply::NotSent(_) => load.count("revoke", Class::NotSent),
        Reply::Lost(_) => load.with(|m| {
            m.stats.add("revoke", Class::Unknown);
            if let Some(s) = m
                .resumes
                .get_mut(&id)
                .and_then(|r| r.shares.get_mut(&share))
            {
                s.revoke_unknown = true;
            }
        }),
    }
}

async fn op_delete(load: &Load, rng: &mut fastrand::Rng, user: usize) {
    // One delete per resume, and keep a few per user to work on.
    let Some(id) = load.with(|m| {
        let live = m.resumes_of(user, |r| r.delete == Delete::None);
        if live.len() < 4 {
            return None;
        }
        let id = rng.choice(&live).cloned()?;
        m.resumes.get_mut(&id)?.delete = Delete::InFlight;
        Some(id)
    }) else {
        return;
    };
    let token = load.users[user].token.clone();
    let outcome = match load
        .send(load.req(Method::DELETE, &format!("/v1/resumes/{id}"), Some(&token)))
        .await
    {
        Reply::Answer(r) if r.status == 204 => (Delete::Acked, Class::Acked),
        Reply::Answer(r) => {
            load.unexpected("DELETE", &id, &r);
            // Whatever it did, treat it as unknown.
            (Delete::Unknown, Class::Refused)
        }
        Reply::NotSent(_) => (Delete::None, Class::NotSent),
        Reply::Lost(_) => (Delete::Unknown, Class::Unknown),
    };
    load.with(|m| {
        m.stats.add("delete", outcome.1);
        if let Some(r) = m.resumes.get_mut(&id) {
            r.delete = outcome.0;
        }
    });
}

async fn op_master(load: &Load, rng: &mut fastrand::Rng, user: usize) {
    let Some(id) = load.with(|m| {
        let ready = m.resumes_of(user, |r| r.delete != Delete::Acked && r.ready);
        rng.choice(&ready).cloned()
    }) else {
        return;
    };
    let token = load.users[user].token.clone();
    let sent = load.tick();
    match load
        .send(load.req(
            Method::POST,
            &format!("/v1/resumes/{id}/master"),
            Some(&token),
        ))
        .await
    {
        Reply::Answer(r) if r.status == 200 => {
            let done = load.tick();
            match json_of(&r) {
                Ok(v) if v["is_master"] == true && v["id"] == id.as_str() => {}
                Ok(v) => load.fail(format!("master {id}: 200 with {v}")),
                Err(e) => load.fail(format!("master {id}: {e}")),
            }
            load.with(|m| {
                m.stats.add("master", Class::Acked);
                m.master_ops.push(MasterOp {
                    user,
                    id: id.clone(),
                    sent,
                    done,
                    acked: true,
                });
            });
        }
        Reply::Answer(r) if r.status == 409 => load.count("master", Class::Refused),
        Reply::Answer(r) if r.status == 404 => {
            load.count("master", Class::Refused);
            if !load.with(|m| m.delete_tried(&id)) {
                load.fail(format!(
                    "POST master {id} answered 404 though no delete was attempted"
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("POST master", &id, &r),
        Reply::NotSent(_) => load.count("master", Class::NotSent),
        Reply::Lost(_) => load.with(|m| {
            m.stats.add("master", Class::Unknown);
            m.master_ops.push(MasterOp {
                user,
                id: id.clone(),
                sent,
                done: u64::MAX,
                acked: false,
            });
        }),
    }
}

async fn op_view(load: &Load, rng: &mut fastrand::Rng, user: usize) {
    let Some((id, share)) = load.with(|m| pick_share(m, rng, user)) else {
        return;
    };
    let sent = load.tick();
    let rb = load
        .req(Method::GET, &format!("/s/{share}?format=json"), None)
        .header("accept", "application/json");
    match load.send(rb).await {
        Reply::Answer(r) if r.status == 200 => {
            load.count("view", Class::Acked);
            let revoked_before = load.with(|m| {
                m.resumes
                    .get(&id)
                    .and_then(|r| r.shares.get(&share))
                    .is_some_and(|s| s.base_revoked || s.revoke_acked.is_some_and(|a| a < sent))
            });
            if revoked_before {
                load.fail(format!(
                    "share {share} answered 200 after its revocation was acknowledged"
                ));
            }
            match json_of(&r) {
                Ok(doc) if doc["basics"]["name"] == FIXTURE_NAME => {}
                Ok(doc) => load.fail(format!("share {share} shows {doc}")),
                Err(e) => load.fail(format!("share {share}: {e}")),
            }
        }
        Reply::Answer(r) if r.status == 410 => {
            load.count("view", Class::Refused);
            let explained = load.with(|m| {
                m.resumes
                    .get(&id)
                    .and_then(|r| r.shares.get(&share))
                    .is_some_and(|s| s.base_revoked || s.revokes_tried > 0)
            });
            if !explained {
                load.fail(format!(
                    "share {share} answered 410 though nobody revoked it: {}",
                    describe(&r)
                ));
            }
        }
        Reply::Answer(r) if r.status == 404 => {
            load.count("view", Class::Refused);
            if !load.with(|m| m.delete_tried(&id)) {
                load.fail(format!(
                    "share {share} answered 404 though its resume {id} was not deleted"
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("GET /s/", &share, &r),
        Reply::NotSent(_) => load.count("view", Class::NotSent),
        Reply::Lost(_) => load.count("view", Class::Unknown),
    }
}

async fn op_token(load: &Load, user: usize) {
    let name = load.users[user].name.clone();
    let rb = load
        .req(Method::POST, "/v1/admin/tokens", Some(&load.admin))
        .json(&json!({ "user": name }));
    match load.send(rb).await {
        Reply::Answer(r) if r.status == 201 => match json_of(&r) {
            Ok(v) if v["user"] == name.as_str() && v["token"].is_string() => {
                let token = v["token"].as_str().unwrap().to_string();
                load.with(|m| {
                    m.stats.add("token", Class::Acked);
                    m.minted.push((user, token));
                });
            }
            Ok(v) => load.fail(format!("token for {name}: 201 with {v}")),
            Err(e) => load.fail(format!("token for {name}: {e}")),
        },
        Reply::Answer(r) => load.unexpected("POST /v1/admin/tokens", &name, &r),
        Reply::NotSent(_) => load.count("token", Class::NotSent),
        Reply::Lost(_) => load.count("token", Class::Unknown),
    }
}

async fn op_list(load: &Load, user: usize) {
    let sent = load.tick();
    let token = load.users[user].token.clone();
    match load
        .send(load.req(Method::GET, "/v1/resumes", Some(&token)))
        .await
    {
        Reply::Answer(r) if r.status == 200 => {
            load.count("list", Class::Acked);
            let v = match json_of(&r) {
                Ok(v) => v,
                Err(e) => return load.fail(format!("list: {e}")),
            };
            let Some(list) = v["resumes"].as_array() else {
                return load.fail(format!("list without resumes: {v}"));
            };
            let listed: BTreeSet<&str> = list.iter().filter_map(|r| r["id"].as_str()).collect();
            // Read-your-writes: every upload acknowledged before the list was
            // sent, and not being deleted, is in it.
            let missing: Vec<String> = load.with(|m| {
                m.resumes
                    .values()
                    .filter(|r| r.user == user && r.acked_at < sent && r.delete == Delete::None)
                    .filter(|r| !listed.contains(r.id.as_str()))
                    .map(|r| format!("{} ({})", r.id, r.filename))
                    .collect()
            });
            if !missing.is_empty() {
                load.fail(format!(
                    "list of {} lacks acknowledged resumes {missing:?}",
                    load.users[user].name
                ));
            }
        }
        Reply::Answer(r) => load.unexpected("GET /v1/resumes", &load.users[user].name, &r),
        Reply::NotSent(_) => load.count("list", Class::NotSent),
        Reply::Lost(_) => load.count("list", Class::Unknown),
    }
}

// ---------------------------------------------------------------------------
// The check after a restart

/// One HTTP client for the check phase: every request must be answered.
#[derive(Clone)]
struct Checker {
    base: String,
    http: reqwest::Client,
}

impl Checker {
    async fn get(&self, token: Option<&str>, path: &str) -> Result<Resp, String> {
        let mut rb = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        self.answer(rb, &format!("GET {path}")).await
    }

    async fn answer(&self, rb: RequestBuilder, what: &str) -> Result<Resp, String> {
        match call(rb).await {
            Reply::Answer(r) if r.status >= 500 => Err(format!("{what}: {}", describe(&r))),
            Reply::Answer(r) => Ok(r),
            Reply::NotSent(e) | Reply::Lost(e) => Err(format!("{what}: no answer: {e}")),
        }
    }

    /// GET, expecting 200 and JSON.
    async fn get_json(&self, token: Option<&str>, path: &str) -> Result<Value, String> {
        let r = self.get(token, path).await?;
        if r.status != 200 {
            return Err(format!("GET {path}: {}", describe(&r)));
        }
        json_of(&r)
    }
}

/// What the check of one resume found, applied to the ledger afterwards.
struct Verdict {
    id: String,
    failures: Vec<String>,
    records: u64,
    /// Writes cut off by the kill, resolved: (took effect, did not).
    cut_off: (u64, u64),
    /// `None`: the resume does not exist (deleted).
    observed: Option<Observed>,
}

struct Observed {
    revision: u64,
    label: Option<String>,
    /// Labels of revisions checked for the first time.
    new_labels: BTreeMap<u64, Option<String>>,
    shares: BTreeMap<String, ShareModel>,
    ready: bool,
}

/// The fields a list entry and the single resource must agree on.
const AGREEING_FIELDS: [&str; 14] = [
    "id",
    "owner",
    "filename",
    "content_type",
    "status",
    "reason",
    "warnings",
    "is_master",
    "parent_id",
    "revision",
    "created_at",
    "updated_at",
    "size",
    "events_url",
];

/// The wire shape of a resume, as a list of what is wrong with it.
fn shape_errors(v: &Value) -> Vec<String> {
    let mut e = Vec::new();
    if v["id"]
        .as_str()
        .is_none_or(|s| uuid::Uuid::parse_str(s).is_err())
    {
        e.push("id is not a UUID".to_string());
    }
    match v["status"].as_str() {
        Some("failed") => {
            if v["reason"].as_str().is_none_or(str::is_empty) {
                e.push("failed without a reason".into());
            }
        }
        Some("pending" | "parsing" | "ready") => {
            if !v.get("reason").is_none_or(Value::is_null) {
                e.push("a reason while not failed".into());
            }
        }
        other => e.push(format!("status {other:?}")),
    }
    if v["revision"].as_u64().is_none_or(|r| r < 1) {
        e.push("revision".into());
    }
    if !v["is_master"].is_boolean() {
        e.push("is_master".into());
    }
    if !is_rfc3339(&v["created_at"]) || !is_rfc3339(&v["updated_at"]) {
        e.push("timestamps".into());
    }
    if !v["warnings"].is_array() {
        e.push("warnings".into());
    }
    e
}

/// The parsed document of an upload (or of any of its revisions).
fn document_errors(doc: &Value, kind: Kind, marker: &str) -> Vec<String> {
    let mut e = Vec::new();
    if !doc.is_object() {
        return vec![format!("document is not an object: {doc}")];
    }
    if doc["basics"]["name"] != FIXTURE_NAME {
        e.push(format!("basics.name {}", doc["basics"]["name"]));
    }
    if doc["basics"]["email"] != FIXTURE_EMAIL {
        e.push(format!("basics.email {}", doc["basics"]["email"]));
    }
    if kind.shows_marker()
        && !doc["basics"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains(marker))
    {
        e.push(format!(
            "basics.summary {} lacks the upload's marker {marker}",
            doc["basics"]["summary"]
        ));
    }
    e
}

/// Check one resume of the ledger against the server. `entry` is its entry
/// in the owner's list, if listed.
async fn check_resume(
    c: Checker,
    api: Api,
    owner: String,
    r: ResumeModel,
    entry: Option<Value>,
    round: u32,
) -> Verdict {
    let token = api.token.clone().unwrap_or_default();
    let mut out = Verdict {
        id: r.id.clone(),
        failures: Vec::new(),
        records: 0,
        cut_off: (0, 0),
        observed: None,
    };
    let who = format!("resume {} ({}, {owner})", r.id, r.filename);
    let fail = |msg: String| out_fail(&who, round, msg);
    let path = format!("/v1/resumes/{}", r.id);
    let entry = match (r.delete, entry) {
        (Delete::Acked, Some(_)) => {
            out.failures
                .push(fail("acknowledged delete lost: it is listed again".into()));
            return out;
        }
        (Delete::None, None) => {
            let status = c
                .get(Some(&token), &path)
                .await
                .map(|r| r.status.to_string())
                .unwrap_or_else(|e| e);
            out.failures.push(fail(format!(
                "acknowledged and never deleted, but not listed (GET: {status})"
            )));
            return out;
        }
        (_, None) => {
            // Deleted (acknowledged, or cut off and done): it and its shares are gone.
            out.records += 1;
            if r.delete == Delete::Unknown {
                out.cut_off.0 += 1;
            }
            match c.get(Some(&token), &path).await {
                Ok(resp) if resp.status == 404 => {}
                Ok(resp) => out.failures.push(fail(format!(
                    "not listed, but GET answers {}",
                    describe(&resp)
                ))),
                Err(e) => out.failures.push(fail(e)),
            }
            for share in r.shares.keys() {
                out.records += 1;
                match c.get(None, &format!("/s/{share}?format=json")).await {
                    Ok(resp) if resp.status == 404 => {}
                    Ok(resp) => out.failures.push(fail(format!(
                        "deleted, but its share {share} answers {}",
                        describe(&resp)
                    ))),
                    Err(e) => out.failures.push(fail(e)),
                }
            }
            return out;
        }
        (_, Some(entry)) => {
            if r.delete == Delete::Unknown {
                out.cut_off.1 += 1;
            }
            entry
        }
    };

    // It exists: the whole record must be there.
    out.records += 1;
    let v = match c.get_json(Some(&token), &path).await {
        Ok(v) => v,
        Err(e) => {
            out.failures.push(fail(format!("listed, but {e}")));
            return out;
        }
    };
    for field in AGREEING_FIELDS {
        if entry.get(field) != v.get(field) {
            out.failures.push(fail(format!(
                "list and GET disagree on {field}: {:?} vs {:?}",
                entry.get(field),
                v.get(field)
            )));
        }
    }
    if entry.get("document").is_some_and(|d| !d.is_null()) {
        out.failures
            .push(fail("the list entry carries a document".into()));
    }
    for e in shape_errors(&v) {
        out.failures.push(fail(format!("{e}: {v}")));
    }
    if v["owner"] != owner.as_str()
        || v["filename"] != r.filename.as_str()
        || v["content_type"] != r.kind.content_type()
        || v["size"] != r.size
    {
        out.failures.push(fail(format!(
            "owner/filename/content_type/size differ from the upload ({}, {} bytes): {}",
            r.kind.content_type(),
            r.size,
            entry
        )));
    }
    let status = v["status"].as_str().unwrap_or("");
    if status != "ready" {
        // Every upload here is a good fixture: `failed` means its original
        // bytes or its parse were damaged.
        out.failures.push(fail(format!(
            "status {status:?} (reason {}), want ready",
            v["reason"]
        )));
        return out;
    }
    for e in document_errors(&v["document"], r.kind, &r.marker) {
        out.failures.push(fail(format!("document: {e}")));
    }
    let revision = v["revision"].as_u64().unwrap_or(0);
    let label = label_of(&v["document"]);

    // Edits: every acknowledged revision is there with its value; every
    // revision since the last restart was written by one of this round's
    // edits (acknowledged, or cut off with If-Match of the revision before).
    let mut new_labels = BTreeMap::new();
    let newest_acked = r.labels.keys().max().copied().unwrap_or(0);
    if revision < newest_acked {
        out.failures.push(fail(format!(
            "revision {revision}, but revision {newest_acked} was acknowledged (labels {:?})",
            r.labels
        )));
    }
    let mut edits_applied = 0;
    let mut to_check: BTreeSet<u64> = r.labels.keys().copied().collect();
    to_check.extend((r.base_revision + 1)..=revision);
    for n in to_check {
        if n > revision {
            continue; // reported above
        }
        out.records += 1;
        let got = if n == revision {
            label.clone()
        } else {
            let doc = match c
                .get_json(Some(&token), &format!("{path}/revisions/{n}"))
                .await
            {
                Ok(rv) => rv["document"].clone(),
                Err(e) => {
                    out.failures.push(fail(format!("revision {n}: {e}")));
                    continue;
                }
            };
            for e in document_errors(&doc, r.kind, &r.marker) {
                out.failures.push(fail(format!("revision {n}: {e}")));
            }
            label_of(&doc)
        };
        match r.labels.get(&n) {
            Some(want) if *want != got => out.failures.push(fail(format!(
                "revision {n} has label {got:?}, but {want:?} was acknowledged"
            ))),
            Some(_) => {}
            // The parse's revision 1 of a resume new this round: whatever it parsed.
            None if n == 1 => {}
            None => {
                let tried = r
                    .unknown_edits
                    .iter()
                    .any(|(base, val)| *base + 1 == n && got.as_deref() == Some(val.as_str()));
                if tried {
                    edits_applied += 1;
                } else {
                    out.failures.push(fail(format!(
                        "revision {n} has label {got:?}, which no edit of revision {} wrote (cut-off edits: {:?})",
                        n - 1,
                        r.unknown_edits
                    )));
                }
            }
        }
        if !r.labels.contains_key(&n) {
            new_labels.insert(n, got);
        }
    }

    out.cut_off.0 += edits_applied;
    out.cut_off.1 += r.unknown_edits.len() as u64 - edits_applied;

    // Shares.
    let shares_path = format!("{path}/shares?limit=1000");
    let listed = match c.get_json(Some(&token), &shares_path).await {
        Ok(v) => v["shares"].as_array().cloned().unwrap_or_default(),
        Err(e) => {
            out.failures.push(fail(e));
            Vec::new()
        }
    };
    let mut by_token: BTreeMap<String, Value> = BTreeMap::new();
    for s in listed {
        match s["token"].as_str() {
            Some(t) => {
                by_token.insert(t.to_string(), s);
            }
            None => out
                .failures
                .push(fail(format!("share without a token: {s}"))),
        }
    }
    let mut observed_shares = BTreeMap::new();
    let mut cut_off = r.unknown_shares.clone();
    for (token_s, s) in &by_token {
        out.records += 1;
        let who_s = format!("share {token_s}");
        let revoked = s["revoked"].as_bool();
        let access = s["access_count"].as_u64();
        let expires = time_of(&s["expires_at"]);
        if s["resume_id"] != r.id.as_str() || revoked.is_none() || access.is_none() {
            out.failures
                .push(fail(format!("{who_s}: malformed or misplaced: {s}")));
            continue;
        }
        let (revoked, access) = (revoked.unwrap(), access.unwrap());
        match r.shares.get(token_s) {
            Some(m) => {
                if expires != Some(m.expires_at) {
                    out.failures.push(fail(format!(
                        "{who_s}: expires_at {} but {} was acknowledged",
                        s["expires_at"], m.expires_at
                    )));
                }
                let must = m.base_revoked || m.revoke_acked.is_some();
                if must && !revoked {
                    out.failures
                        .push(fail(format!("{who_s}: acknowledged revocation lost: {s}")));
                }
                if !must && m.revoke_unknown {
                    if revoked {
                        out.cut_off.0 += 1;
                    } else {
                        out.cut_off.1 += 1;
                    }
                }
                if !must && revoked && !m.revoke_unknown {
                    out.failures
                        .push(fail(format!("{who_s}: revoked, but nobody revoked it")));
                }
                if access < m.base_access {
                    out.failures.push(fail(format!(
                        "{who_s}: access_count went down from {} to {access}",
                        m.base_access
                    )));
                }
            }
            None => {
                // Not acknowledged: it must be one of the creations the kill cut off.
                match cut_off.iter().position(|t| Some(*t) == expires) {
                    Some(i) => {
                        cut_off.swap_remove(i);
                        out.cut_off.0 += 1;
                    }
                    None => out.failures.push(fail(format!(
                        "{who_s} exists, but no share with its expiry was attempted: {s}"
                    ))),
                }
                if revoked || access != 0 {
                    out.failures.push(fail(format!(
                        "{who_s}: nobody knew its token, yet it is revoked or viewed: {s}"
                    )));
                }
            }
        }
        // The public link agrees.
        let want = if revoked { 410 } else { 200 };
        match c.get(None, &format!("/s/{token_s}?format=json")).await {
            Ok(resp) if resp.status == want => {
                if want == 200 {
                    match json_of(&resp) {
                        Ok(doc)
                            if label_of(&doc) == label && doc["basics"]["name"] == FIXTURE_NAME => {
                        }
                        Ok(doc) => out.failures.push(fail(format!(
                            "{who_s} shows label {:?}, the resume has {label:?}",
                            label_of(&doc)
                        ))),
                        Err(e) => out.failures.push(fail(format!("{who_s}: {e}"))),
                    }
                }
            }
            Ok(resp) => out.failures.push(fail(format!(
                "{who_s} (revoked {revoked}) answers {}, want {want}",
                describe(&resp)
            ))),
            Err(e) => out.failures.push(fail(e)),
        }
        let mut m = ShareModel::new(expires.unwrap_or_else(Utc::now));
        m.base_revoked = revoked;
        m.base_access = access;
        observed_shares.insert(token_s.clone(), m);
    }
    out.cut_off.1 += cut_off.len() as u64;
    for token_s in r.shares.keys() {
        if !by_token.contains_key(token_s) {
            out.failures
                .push(fail(format!("acknowledged share {token_s} is missing")));
        }
    }

    // The parse stream gives the terminal event at once, then ends; and a
    // reconnect after it is 204.
    out.records += 1;
    let events_url = format!("{path}/events");
    let mut s = api.sse(&events_url, None).await;
    if s.status.as_u16() != 200 {
        out.failures.push(fail(format!(
            "parse stream answers {}: {:?}",
            s.status, s.error_body
        )));
    } else {
        let deadline = Instant::now() + STREAM_TIMEOUT;
        let mut last = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match s.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => last = Some(f),
                Ok(None) => break,
                Err(()) => {
                    out.failures.push(fail(format!(
                        "parse stream of a ready resume did not end within {STREAM_TIMEOUT:?} (last event {last:?})"
                    )));
                    break;
                }
            }
        }
        match last {
            Some(f) if f.event_name() == "complete" && f.id.as_deref() == Some(TERMINAL_ID) => {
                let data: Value = f
                    .data
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or(Value::Null);
                if data["revision"] != revision || data["status"] != "ready" {
                    out.failures.push(fail(format!(
                        "complete event says revision {} status {}, the resume has {revision}",
                        data["revision"], data["status"]
                    )));
                }
            }
            other => out.failures.push(fail(format!(
                "parse stream's last event is {other:?}, want complete with id {TERMINAL_ID}"
            ))),
        }
    }
    let again = api.sse(&events_url, Some(TERMINAL_ID)).await;
    if again.status.as_u16() != 204 {
        out.failures.push(fail(format!(
            "a reconnect with Last-Event-ID {TERMINAL_ID} answers {}, want 204",
            again.status
        )));
    }

    out.observed = Some(Observed {
        revision,
        label,
        new_labels,
        shares: observed_shares,
        ready: true,
    });
    out
}

fn out_fail(who: &str, round: u32, msg: String) -> String {
    let m = format!("round {round}: {who}: {msg}");
    eprintln!("FAILURE {m}");
    m
}

/// One round's check; returns (records checked, failures).
async fn check_after_restart(
    srv: &TestServer,
    model: &mut Model,
    round: u32,
    settle: &mut Duration,
) -> (u64, (u64, u64), Vec<String>) {
    let c = Checker {
        base: srv.url().to_string(),
        http: http_client(),
    };
    let mut failures = Vec::new();
    let mut records = 0u64;
    let mut cut_off = (0u64, 0u64);
    let users = model.users.clone();

    // 1. The parses the kill interrupted are re-queued at start: wait until
    //    no resume of any user is pending or parsing.
    let started = Instant::now();
    let mut lists: Vec<Vec<Value>> = Vec::new();
    loop {
        lists.clear();
        let mut unfinished = Vec::new();
        for u in &users {
            // One page holds every resume a crash run makes (paged lists).
            match c.get_json(Some(&u.token), "/v1/resumes?limit=1000").await {
                Ok(v) => {
                    let list = v["resumes"].as_array().cloned().unwrap_or_default();
                    for r in &list {
                        if r["status"] == "pending" || r["status"] == "parsing" {
                            unfinished.push(format!("{} {} {}", u.name, r["id"], r["status"]));
                        }
                    }
                    lists.push(list);
                }
                Err(e) => {
                    failures.push(format!("round {round}: listing {}: {e}", u.name));
                    lists.push(Vec::new());
                }
            }
        }
        if unfinished.is_empty() {
            break;
        }
        if started.elapsed() > SETTLE_TIMEOUT {
            failures.push(format!(
                "round {round}: still pending or parsing {SETTLE_TIMEOUT:?} after the restart: {unfinished:?}"
            ));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    *settle = started.elapsed();

    // 2. Per user: every ledger resume, then what the list holds beyond it.
    let mut verdicts = Vec::new();
    for (ui, u) in users.iter().enumerate() {
        let api = Api::new(&c.base, Some(&u.token));
        let list = &lists[ui];
        let mut entries: BTreeMap<String, Value> = BTreeMap::new();
        for e in list {
            match e["id"].as_str() {
                Some(id) => {
                    if entries.insert(id.to_string(), e.clone()).is_some() {
                        failures.push(format!("round {round}: {id} listed twice"));
                    }
                }
                None => failures.push(format!("round {round}: list entry without id: {e}")),
            }
            if e["owner"] != u.name.as_str() {
                failures.push(format!(
                    "round {round}: {}'s list holds another owner's resume: {e}",
                    u.name
                ));
            }
        }
        let mine: Vec<ResumeModel> = model
            .resumes
            .values()
            .filter(|r| r.user == ui)
            .cloned()
            .collect();
        let known: BTreeSet<String> = mine.iter().map(|r| r.id.clone()).collect();
        let futs = mine.into_iter().map(|r| {
            let entry = entries.get(&r.id).cloned();
            check_resume(c.clone(), api.clone(), u.name.clone(), r, entry, round)
        });
        let mut done: Vec<Verdict> = futures_util::stream::iter(futs)
            .buffer_unordered(CHECK_CONCURRENCY)
            .collect()
            .await;

        // Listed but not in the ledger: an upload the kill cut off, which
        // either fully exists or not at all. Adopt it into the ledger.
        for (id, e) in &entries {
            if known.contains(id) || model.tombstones.contains_key(id) {
                continue;
            }
            let filename = e["filename"].as_str().unwrap_or("");
            let Some(pos) = model
                .unknown_uploads
                .iter()
                .position(|a| a.user == ui && a.filename == filename)
            else {
                failures.push(format!(
                    "round {round}: {} has resume {id} ({filename}) that no upload of this round attempted: {e}",
                    u.name
                ));
                continue;
            };
            let a = model.unknown_uploads.swap_remove(pos);
            cut_off.0 += 1;
            let adopted = ResumeModel {
                id: id.clone(),
                user: ui,
                filename: a.filename,
                kind: a.kind,
                size: a.size,
                marker: a.marker,
                acked_at: 0,
                labels: BTreeMap::new(),
                base_revision: 0,
                unknown_edits: Vec::new(),
                delete: Delete::None,
                shares: BTreeMap::new(),
                unknown_shares: Vec::new(),
                ready: false,
            };
            let v = check_resume(
                c.clone(),
                api.clone(),
                u.name.clone(),
                adopted.clone(),
                Some(e.clone()),
                round,
            )
            .await;
            if v.observed.as_ref().is_some_and(|o| o.revision != 1) {
                failures.push(format!(
                    "round {round}: {id}: nobody knew its id, yet it has revision {}",
                    v.observed.as_ref().unwrap().revision
                ));
            }
            model.resumes.insert(id.clone(), adopted);
            done.push(v);
        }

        // Master: at most one; exactly one, ready, while any resume is ready.
        records += 1;
        let masters: Vec<&Value> = list.iter().filter(|r| r["is_master"] == true).collect();
        let any_ready = list.iter().any(|r| r["status"] == "ready");
        let master = match masters.as_slice() {
            [] if any_ready => {
                failures.push(format!(
                    "round {round}: {} has ready resumes but no master",
                    u.name
                ));
                None
            }
            [] => None,
            [m] => {
                if m["status"] != "ready" {
                    failures.push(format!(
                        "round {round}: {}'s master is not ready: {m}",
                        u.name
                    ));
                }
                m["id"].as_str().map(str::to_string)
            }
            many => {
                failures.push(format!(
                    "round {round}: {} has {} masters: {many:?}",
                    u.name,
                    many.len()
                ));
                None
            }
        };
        if let Some(want) = expected_master(model, ui) {
            if master.as_deref() != Some(want.as_str()) {
                failures.push(format!(
                    "round {round}: {}'s master is {master:?}, want {want} (master ops {:?})",
                    u.name,
                    model
                        .master_ops
                        .iter()
                        .filter(|o| o.user == ui)
                        .collect::<Vec<_>>()
                ));
            }
        }
        model.masters[ui] = master;
        verdicts.extend(done);
    }

    // 3. Apply the verdicts: what was seen is durable, the next round's baseline.
    for v in verdicts {
        records += v.records;
        cut_off.0 += v.cut_off.0;
        cut_off.1 += v.cut_off.1;
        failures.extend(v.failures);
        match v.observed {
            Some(o) => {
                if let Some(r) = model.resumes.get_mut(&v.id) {
                    r.labels.extend(o.new_labels);
                    r.labels.insert(o.revision, o.label);
                    r.base_revision = o.revision;
                    r.unknown_edits.clear();
                    r.unknown_shares.clear();
                    r.shares = o.shares;
                    r.delete = Delete::None;
                    r.ready = o.ready;
                    r.acked_at = 0;
                }
            }
            None => {
                if let Some(r) = model.resumes.remove(&v.id) {
                    if r.delete == Delete::None {
                        // Lost, not deleted: already reported; keep nothing.
                        continue;
                    }
                    model.tombstones.insert(
                        r.id.clone(),
                        Tombstone {
                            user: r.user,
                            filename: r.filename.clone(),
                            share_tokens: r.shares.keys().cloned().collect(),
                        },
                    );
                }
            }
        }
    }

    // 4. Deleted resumes stay deleted, with their shares.
    for (id, t) in &model.tombstones {
        records += 1;
        let token = &users[t.user].token;
        match c.get(Some(token), &format!("/v1/resumes/{id}")).await {
            Ok(r) if r.status == 404 => {}
            Ok(r) => failures.push(format!(
                "round {round}: deleted resume {id} ({}) is back: {}",
                t.filename,
                describe(&r)
            )),
            Err(e) => failures.push(format!("round {round}: {e}")),
        }
        for share in &t.share_tokens {
            records += 1;
            match c.get(None, &format!("/s/{share}?format=json")).await {
                Ok(r) if r.status == 404 => {}
                Ok(r) => failures.push(format!(
                    "round {round}: share {share} of deleted resume {id} answers {}",
                    describe(&r)
                )),
                Err(e) => failures.push(format!("round {round}: {e}")),
            }
        }
    }

    // 5. Every acknowledged token still authenticates as its user.
    for (ui, token) in &model.minted {
        records += 1;
        match c.get_json(Some(token), "/v1/resumes").await {
            Ok(v) => {
                let foreign = v["resumes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r["owner"] != users[*ui].name.as_str());
                if foreign {
                    failures.push(format!(
                        "round {round}: a minted token of {} lists another owner's resumes",
                        users[*ui].name
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "round {round}: acknowledged token of {}: {e}",
                users[*ui].name
            )),
        }
    }

    // 6. The account stream works at once after the restart: it opens, and
    //    a write (re-setting the current master) arrives on it.
    for (ui, u) in users.iter().enumerate() {
        records += 1;
        let api = Api::new(&c.base, Some(&u.token));
        let mut s = api.sse("/v1/events", None).await;
        if s.status.as_u16() != 200 {
            failures.push(format!(
                "round {round}: {}'s account stream answers {}",
                u.name, s.status
            ));
            continue;
        }
        if s.try_next_frame(STREAM_TIMEOUT).await.is_err() {
            failures.push(format!(
                "round {round}: {}'s account stream sent nothing within {STREAM_TIMEOUT:?}",
                u.name
            ));
            continue;
        }
        let Some(master) = model.masters[ui].clone() else {
            continue;
        };
        let rb = c
            .http
            .post(format!("{}/v1/resumes/{master}/master", c.base))
            .bearer_auth(&u.token);
        match c.answer(rb, "POST master").await {
            Ok(r) if r.status == 200 => {}
            Ok(r) => {
                failures.push(format!(
                    "round {round}: re-setting {}'s master {master}: {}",
                    u.name,
                    describe(&r)
                ));
                continue;
            }
            Err(e) => {
                failures.push(format!("round {round}: {e}"));
                continue;
            }
        }
        let deadline = Instant::now() + STREAM_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match s.try_next_frame(left).await {
                Ok(Some(f)) if f.event_name() == "master.changed" => break,
                Ok(Some(_)) => {}
                Ok(None) | Err(()) => {
                    failures.push(format!(
                        "round {round}: no master.changed on {}'s account stream within {STREAM_TIMEOUT:?}",
                        u.name
                    ));
                    break;
                }
            }
        }
    }

    cut_off.1 += model.unknown_uploads.len() as u64;
    model.unknown_uploads.clear();
    model.master_ops.clear();
    (records, cut_off, failures)
}

/// The master `user` must have, when this round's writes decide it.
fn expected_master(model: &Model, user: usize) -> Option<String> {
    let ops: Vec<&MasterOp> = model.master_ops.iter().filter(|o| o.user == user).collect();
    let deleted = |id: &str| {
        model
            .resumes
            .get(id)
            .is_none_or(|r| r.delete != Delete::None)
    };
    if ops.is_empty() {
        // Unchanged, unless a delete of it was attempted (which hands the
        // role to another resume).
        let m = model.masters[user].clone()?;
        return (!deleted(&m)).then_some(m);
    }
    // The acknowledged master change sent last wins if every other change
    // had finished before it was sent.
    let last = ops.iter().filter(|o| o.acked).max_by_key(|o| o.sent)?;
    let alone = ops.iter().all(|o| o.id == last.id || o.done < last.sent);
    (alone && !deleted(&last.id)).then(|| last.id.clone())
}

/// `requeued=N` of the server's start-up log after `offset`.
fn requeued_since(srv: &TestServer, offset: u64) -> u64 {
    let log = read_from(&srv.stderr_path(), offset);
    log.lines()
        .filter_map(|l| l.split("requeued=").nth(1))
        .filter_map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<u64>()
                .ok()
        })
        .sum()
}

fn log_len(srv: &TestServer) -> u64 {
    std::fs::metadata(srv.stderr_path())
        .map(|m| m.len())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// The test

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill9_at_random_under_load_loses_no_acknowledged_write() {
    let Settings { rounds, seed } = settings();
    let replay = format!(
        "VITAE_CRASH_SEED={seed:#x} VITAE_CRASH_ROUNDS={rounds} cargo test -p vitae-tests --test crash -- --nocapture"
    );
    println!("crash test: {rounds} rounds, seed {seed:#x} (replay: {replay})");
    let started = Instant::now();
    let mut srv = TestServer::start_with(&SERVER_ARGS);
    let model = Arc::new(Mutex::new(Model::default()));

    // Users, and two ready resumes each to work on from the first round.
    let mut users = Vec::new();
    for i in 0..USERS {
        let api = srv.user(&format!("crash{i}")).await;
        users.push(User {
            name: api.user_name().to_string(),
            token: api.token.clone().unwrap(),
        });
    }
    {
        let mut m = model.lock().unwrap();
        m.users = users.clone();
        m.masters = vec![None; USERS];
    }
    for (ui, u) in users.iter().enumerate() {
        let api = srv.api(&u.token);
        for (k, kind) in [Kind::Md, Kind::Json].into_iter().enumerate() {
            let filename = format!("warmup-u{ui}-{k}.{}", kind.ext());
            let marker = format!("crash-{seed:x}-warmup-u{ui}-{k}");
            let bytes = upload_bytes(kind, &marker);
            let size = bytes.len() as u64;
            let r = api.upload(bytes, kind.content_type(), &filename).await;
            assert_eq!(r.status, 202, "warm-up upload: {}", r.text());
            let id = r.json()["id"].as_str().unwrap().to_string();
            // One at a time, so a short parse queue never refuses them.
            assert_eq!(api.wait_terminal(&id).await["status"], "ready");
            model.lock().unwrap().resumes.insert(
                id.clone(),
                ResumeModel {
                    id,
                    user: ui,
                    filename,
                    kind,
                    size,
                    marker,
                    acked_at: 0,
                    labels: BTreeMap::new(),
                    base_revision: 0,
                    unknown_edits: Vec::new(),
                    delete: Delete::None,
                    shares: BTreeMap::new(),
                    unknown_shares: Vec::new(),
                    ready: false,
                },
            );
        }
    }
    {
        // Round 0: the check itself, on a server that was not killed.
        let mut m = std::mem::take(&mut *model.lock().unwrap());
        let mut settle = Duration::ZERO;
        let (records, _, failures) = check_after_restart(&srv, &mut m, 0, &mut settle).await;
        *model.lock().unwrap() = m;
        assert!(
            failures.is_empty(),
            "the baseline check failed (seed {seed:#x}):\n{}",
            failures.join("\n")
        );
        println!("round 0: baseline of {USERS} users checked, {records} records");
    }

    let mut total = Stats::default();
    let mut total_records = 0u64;
    let mut total_cut_off = (0u64, 0u64);
    let mut all_failures: Vec<String> = Vec::new();
    let mut rounds_done = 0;
    // The server log of each round is checked from where the last one ended.
    let mut log_start = 0;
    for round in 1..=rounds {
        let mut rng = seeded_rng(seed, &[u64::from(round), 0]);
        let load_ms = rng.u64(LOAD_MS.0..=LOAD_MS.1);
        let load = Arc::new(Load {
            model: model.clone(),
            users: users.clone(),
            admin: srv.admin_token().to_string(),
            base: srv.url().to_string(),
            http: http_client(),
            clock: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            round,
            seed,
        });
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let rng = seeded_rng(seed, &[u64::from(round), t as u64 + 1]);
                tokio::spawn(load_task(load.clone(), t, rng))
            })
            .collect();
        // The random moment: whatever is in flight (requests, group commits,
        // parse children, view flushes) is cut off by SIGKILL.
        tokio::time::sleep(Duration::from_millis(load_ms)).await;
        // No new ops from here on; the ones in flight are cut off.
        load.stop.store(true, Ordering::SeqCst);
        let in_flight = load.in_flight.load(Ordering::SeqCst);
        srv.kill9();
        for t in tasks {
            tokio::time::timeout(HTTP_TIMEOUT * 2, t)
                .await
                .expect("a load task did not stop after the kill")
                .expect("a load task panicked");
        }
        let offset = log_len(&srv);
        let restart_at = Instant::now();
        srv.restart();
        let restart = restart_at.elapsed();
        let requeued = requeued_since(&srv, offset);

        // The load tasks are done: the ledger is the check's alone.
        let mut m = std::mem::take(&mut *model.lock().unwrap());
        let stats = std::mem::take(&mut m.stats);
        let load_failures = std::mem::take(&mut m.failures);
        let mut settle = Duration::ZERO;
        let (records, cut_off, check_failures) =
            check_after_restart(&srv, &mut m, round, &mut settle).await;
        *model.lock().unwrap() = m;
        let mut failures = load_failures;
        failures.extend(check_failures);
        // The server logs every store failure and 5xx at ERROR: none may occur.
        let log = read_from(&srv.stderr_path(), log_start);
        log_start = log_len(&srv);
        for l in log.lines() {
            if l.contains(" ERROR ") || l.contains("panicked at") {
                failures.push(format!("round {round}: server log: {l}"));
            } else if l.contains(" WARN ") {
                println!("    server log: {l}");
            }
        }
        let (resumes, tombstones) = {
            let m = model.lock().unwrap();
            (m.resumes.len(), m.tombstones.len())
        };
        println!(
            "round {round}/{rounds}: load {load_ms} ms, {TASKS} tasks; acked writes {}, refused {}, unknown {}, not sent {}; in flight at kill {in_flight}; parses re-queued {requeued}; cut-off writes that took effect {}, that did not {}; restart {:.2} s, settle {:.2} s; {resumes} resumes live, {tombstones} deleted; checked {records} records; {} failures\n    {}",
            stats.writes(Class::Acked),
            stats.writes(Class::Refused),
            stats.writes(Class::Unknown),
            stats.writes(Class::NotSent),
            cut_off.0,
            cut_off.1,
            restart.as_secs_f64(),
            settle.as_secs_f64(),
            failures.len(),
            stats.line(),
        );
        for (k, n) in stats.ops {
            *total.ops.entry(k).or_default() += n;
        }
        total_records += records;
        total_cut_off.0 += cut_off.0;
        total_cut_off.1 += cut_off.1;
        rounds_done = round;
        if !failures.is_empty() {
            all_failures.extend(failures);
            break;
        }
    }
    println!(
        "crash test: {rounds_done} of {rounds} rounds, seed {seed:#x}: acknowledged writes {}, records checked {total_records}, unknown outcomes {} (resolved after the restart: {} took effect, {} did not; master changes and token mints cannot be told apart), not sent {}, refused {}, {:.1} s\n    {}",
        total.writes(Class::Acked),
        total.writes(Class::Unknown),
        total_cut_off.0,
        total_cut_off.1,
        total.writes(Class::NotSent),
        total.writes(Class::Refused),
        started.elapsed().as_secs_f64(),
        total.line(),
    );
    assert!(
        all_failures.is_empty(),
        "{} failures (replay: {replay}):\n{}",
        all_failures.len(),
        all_failures.join("\n")
    );
}
