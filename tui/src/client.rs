//! The typed HTTP client of the Vitae API, shared by the terminal UI and the
//! scriptable subcommands.
//!
//! Every call answers the wire types of `vitae_common` or a [`ClientError`]
//! that carries what the server said (status, error code, message, request
//! id), so both front ends can show the server's own explanation. Streams
//! live in [`crate::stream`]; this module is request/response only.
//!
//! Exported files come back as an [`ExportFile`]: the bytes with what the
//! headers say about them (the file name the server suggests, the strong
//! `ETag`, whether the export cache answered, the page count).

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;
use vitae_common::export::{ExportJob, ExportRequest, TemplateList, TemplateResource};
use vitae_common::{
    AccountResource, ConfirmTailor, CreateShare, DiffResource, Health, JobList, JobResource,
    ResumeList, ResumeResource, RevisionList, RevisionResource, ShareList, ShareResource,
    TailorPreview, TailorRequest,
};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error body.
    #[error("{message} ({status}, {code}; request {request_id})")]
    Api {
        status: u16,
        code: String,
        message: String,
        request_id: String,
    },
    /// No answer: connection refused, reset, timeout.
    #[error("cannot reach the server at {url}: {cause}")]
    Transport { url: String, cause: String },
    /// An answer that is not what the API documents.
    #[error("unexpected answer from {url}: {cause}")]
    Decode { url: String, cause: String },
    /// A local problem before anything was sent (a file that cannot be read).
    #[error("{0}")]
    Local(String),
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's message alone, for a status line.
    pub fn short(&self) -> String {
        match self {
            ClientError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// The largest page the server gives (`limit`): whole lists are fetched in
/// as few requests as it allows.
pub const MAX_PAGE: usize = 1000;

/// A walk over a list's pages: the cursor of each next request, and a
/// guard against a server that hands the same cursor back (which would
/// loop for ever).
#[derive(Default)]
struct Pages {
    /// `None` before the first page; then the cursor to send, if any.
    next: Option<Option<String>>,
    done: bool,
}

impl Pages {
    /// The cursor of the next request (`Some(None)`: the first page), or
    /// `None` when the last page was read.
    fn cursor(&self) -> Option<Option<String>> {
        if self.done {
            return None;
        }
        Some(self.next.clone().flatten())
    }

    /// Note the `next_cursor` of the page just read.
    fn then(&mut self, path: &str, cursor: Option<String>, base: &str) -> ClientResult<()> {
        match cursor {
            None => self.done = true,
            Some(cursor) => {
                if self.next.as_ref().and_then(Option::as_ref) == Some(&cursor) {
                    return Err(ClientError::Decode {
                        url: format!("{base}{path}"),
                        cause: "the server answered the same next_cursor twice".into(),
                    });
                }
                self.next = Some(Some(cursor));
            }
        }
        Ok(())
    }
}

/// The API at `base` (e.g. `http://127.0.0.1:7878`) with a bearer token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A rendered export as `GET /v1/resumes/{id}/export` or
/// `GET /v1/exports/{id}/file` sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    /// The file name the server suggests (`Content-Disposition`), if any.
    /// Untrusted: make it safe before using it as a path
    /// ([`crate::save::safe_file_name`]).
    pub filename: Option<String>,
    /// The strong `ETag` (the content hash, quoted as sent).
    pub etag: Option<String>,
    /// `X-Vitae-Cache: hit`: the file came from the export cache.
    pub cached: bool,
    /// `X-Vitae-Pages`, for the typeset formats.
    pub pages: Option<u32>,
}

/// Content types by file extension, for uploads and job descriptions.
pub fn content_type_for(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("md" | "markdown") => "text/markdown",
        Some("json") => "application/json",
        _ => "text/plain",
    }
}

/// File types the server can parse, by extension.
pub const SUPPORTED_EXTENSIONS: [&str; 6] = ["pdf", "docx", "md", "markdown", "txt", "json"];

impl Client {
    pub fn new(base: &str, token: &str) -> ClientResult<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ClientError::Local(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The underlying client, for streams.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(60))
    }

    async fn send_raw(&self, rb: RequestBuilder, path: &str) -> ClientResult<reqwest::Response> {
        let url = self.url(path);
        let response = rb.send().await.map_err(|e| transport(&url, &e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        // Read the body loosely: a newer server may send codes this client
        // does not know, and their message is still the best explanation.
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let field = |name: &str| body["error"][name].as_str().map(str::to_string);
        Err(match field("message") {
            Some(message) => ClientError::Api {
                status: status.as_u16(),
                code: field("code").unwrap_or_else(|| "unknown".into()),
                message,
                request_id: field("request_id").unwrap_or_default(),
            },
            None => ClientError::Decode {
                url,
                cause: format!("{status} with a body that is not a Vitae error: {text:.200}"),
            },
        })
    }

    async fn send<T: DeserializeOwned>(&self, rb: RequestBuilder, path: &str) -> ClientResult<T> {
        let response = self.send_raw(rb, path).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport(&self.url(path), &e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode {
            url: self.url(path),
            cause: e.to_string(),
        })
    }

    async fn send_empty(&self, rb: RequestBuilder, path: &str) -> ClientResult<()> {
        self.send_raw(rb, path).await.map(|_| ())
    }

    // ---- resumes -------------------------------------------------------

    pub async fn health(&self) -> ClientResult<Health> {
        self.send(self.request(Method::GET, "/healthz"), "/healthz")
            .await
    }

    /// Every resume, following the pages to the last.
    pub async fn list(&self) -> ClientResult<Vec<ResumeResource>> {
        self.all_pages("/v1/resumes", |l: ResumeList| (l.resumes, l.next_cursor))
            .await
    }

    /// One page of the resumes (`?limit=&cursor=`; the server's default
    /// limit when `None`).
    pub async fn resumes_page(
        &self,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> ClientResult<ResumeList> {
        self.page("/v1/resumes", limit, cursor).await
    }

    /// Every item of the paged list at `path`: `split` takes a page apart
    /// into its items and its `next_cursor`.
    async fn all_pages<L: DeserializeOwned, T>(
        &self,
        path: &str,
        split: fn(L) -> (Vec<T>, Option<String>),
    ) -> ClientResult<Vec<T>> {
        let mut all = Vec::new();
        let mut pages = Pages::default();
        while let Some(cursor) = pages.cursor() {
            let page: L = self.page(path, Some(MAX_PAGE), cursor.as_deref()).await?;
            let (items, next) = split(page);
            all.extend(items);
            pages.then(path, next, &self.base)?;
        }
        Ok(all)
    }

    /// `GET path?limit=&cursor=`.
    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> ClientResult<T> {
        let mut rb = self.request(Method::GET, path);
        if let Some(limit) = limit {
            rb = rb.query(&[("limit", limit)]);
        }
        if let Some(cursor) = cursor {
            rb = rb.query(&[("cursor", cursor)]);
        }
        self.send(rb, path).await
    }

    pub async fn resume(&self, id: &str) -> ClientResult<ResumeResource> {
        let path = format!("/v1/resumes/{id}");
        self.send(self.request(Method::GET, &path), &path).await
    }

    /// Upload a file as a raw body with its content type and name.
    pub async fn upload(&self, file: &Path) -> ClientResult<ResumeResource> {
        let bytes = tokio::fs::read(file)
            .await
            .map_err(|e| ClientError::Local(format!("cannot read {}: {e}", file.display())))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into());
        let rb = self
            .request(Method::POST, "/v1/resumes")
            .query(&[("filename", name.as_str())])
            .header("content-type", content_type_for(file))
            .body(bytes);
        self.send(rb, "/v1/resumes").await
    }

    /// JSON Merge Patch of the document, guarded by `If-Match` when given.
    pub async fn patch(
        &self,
        id: &str,
        patch: &Value,
        if_match: Option<u64>,
    ) -> ClientResult<ResumeResource> {
        let path = format!("/v1/resumes/{id}");
        let mut rb = self
            .request(Method::PATCH, &path)
            .header("content-type", "application/merge-patch+json")
            .body(patch.to_string());
        if let Some(revision) = if_match {
            rb = rb.header("if-match", format!("\"{revision}\""));
        }
        self.send(rb, &path).await
    }

    pub async fn delete(&self, id: &str) -> ClientResult<()> {
        let path = format!("/v1/resumes/{id}");
        self.send_empty(self.request(Method::DELETE, &path), &path)
            .await
    }

    pub async fn set_master(&self, id: &str) -> ClientResult<ResumeResource> {
        let path = format!("/v1/resumes/{id}/master");
        self.send(self.request(Method::POST, &path), &path).await
    }

    /// Every revision, oldest first, following the pages to the last.
    pub async fn revisions(&self, id: &str) -> ClientResult<Vec<RevisionResource>> {
        let path = format!("/v1/resumes/{id}/revisions");
        self.all_pages(&path, |l: RevisionList| (l.revisions, l.next_cursor))
            .await
    }

    /// One page of a resume's revisions.
    pub async fn revisions_page(
        &self,
        id: &str,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> ClientResult<RevisionList> {
        self.page(&format!("/v1/resumes/{id}/revisions"), limit, cursor)
            .await
    }

    pub async fn revision(&self, id: &str, n: u64) -> ClientResult<RevisionResource> {
        let path = format!("/v1/resumes/{id}/revisions/{n}");
        self.send(self.request(Method::GET, &path), &path).await
    }

    pub async fn restore(&self, id: &str, n: u64) -> ClientResult<ResumeResource> {
        let path = format!("/v1/resumes/{id}/revisions/{n}/restore");
        self.send(self.request(Method::POST, &path), &path).await
    }

    /// What changed from `against` (`<id>`, `rev:N`, `<id>:rev:N`) to `id`.
    pub async fn diff(
        &self,
        id: &str,
        against: &str,
        revision: Option<u64>,
    ) -> ClientResult<DiffResource> {
        let path = format!("/v1/resumes/{id}/diff");
        let mut rb = self
            .request(Method::GET, &path)
            .query(&[("against", against)]);
        if let Some(n) = revision {
            rb = rb.query(&[("revision", n)]);
        }
        self.send(rb, &path).await
    }

    // ---- shares --------------------------------------------------------

    /// A new share link (`POST /v1/resumes/{id}/shares`) with `options`.
    pub async fn share(&self, id: &str, options: &CreateShare) -> ClientResult<ShareResource> {
        let path = format!("/v1/resumes/{id}/shares");
        self.send(self.request(Method::POST, &path).json(options), &path)
            .await
    }

    /// One share link with its views per day (`GET /v1/shares/{token}`).
    pub async fn share_detail(&self, token: &str) -> ClientResult<vitae_common::ShareDetail> {
        let path = format!("/v1/shares/{token}");
        self.send(self.request(Method::GET, &path), &path).await
    }

    /// Every share link of a resume, following the pages to the last.
    pub async fn shares(&self, id: &str) -> ClientResult<Vec<ShareResource>> {
        let path = format!("/v1/resumes/{id}/shares");
        self.all_pages(&path, |l: ShareList| (l.shares, l.next_cursor))
            .await
    }

    /// One page of a resume's share links.
    pub async fn shares_page(
        &self,
        id: &str,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> ClientResult<ShareList> {
        self.page(&format!("/v1/resumes/{id}/shares"), limit, cursor)
            .await
    }

    pub async fn revoke(&self, token: &str) -> ClientResult<ShareResource> {
        let path = format!("/v1/shares/{token}");
        self.send(self.request(Method::DELETE, &path), &path).await
    }

    // ---- export --------------------------------------------------------

    /// The export templates (`GET /v1/templates`).
    /// The caller's usage against its quotas: `GET /v1/account`.
    pub async fn account(&self) -> ClientResult<AccountResource> {
        self.send(self.request(Method::GET, "/v1/account"), "/v1/account")
            .await
    }

    pub async fn templates(&self) -> ClientResult<Vec<TemplateResource>> {
        let list: TemplateList = self
            .send(self.request(Method::GET, "/v1/templates"), "/v1/templates")
            .await?;
        Ok(list.templates)
    }

    /// Render a resume at once: `GET /v1/resumes/{id}/export?<request>`.
    pub async fn export_file(&self, id: &str, request: &ExportRequest) -> ClientResult<ExportFile> {
        let path = format!("/v1/resumes/{id}/export");
        let rb = self
            .request(Method::GET, &path)
            .query(&request.query_pairs());
        self.file(rb, &path).await
    }

    /// Start an export job (`POST /v1/resumes/{id}/exports`); follow it with
    /// [`crate::stream::watch_export`].
    pub async fn start_export(&self, id: &str, request: &ExportRequest) -> ClientResult<ExportJob> {
        let path = format!("/v1/resumes/{id}/exports");
        self.send(self.request(Method::POST, &path).json(request), &path)
            .await
    }

    /// An export job as it stands (`GET /v1/exports/{id}`).
    pub async fn export_job(&self, id: &str) -> ClientResult<ExportJob> {
        let path = format!("/v1/exports/{id}");
        self.send(self.request(Method::GET, &path), &path).await
    }

    /// The file of a finished export job (`GET /v1/exports/{id}/file`).
    pub async fn download_export(&self, id: &str) -> ClientResult<ExportFile> {
        let path = format!("/v1/exports/{id}/file");
        self.file(self.request(Method::GET, &path), &path).await
    }

    /// A file answer: its bytes and what its headers say about it.
    async fn file(&self, rb: RequestBuilder, path: &str) -> ClientResult<ExportFile> {
        let response = self.send_raw(rb, path).await?;
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let filename = header("content-disposition").and_then(|v| disposition_filename(&v));
        let etag = header("etag");
        let cached = header("x-vitae-cache").is_some_and(|v| v.eq_ignore_ascii_case("hit"));
        let pages = header("x-vitae-pages").and_then(|v| v.trim().parse().ok());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport(&self.url(path), &e))?;
        Ok(ExportFile {
            bytes: bytes.to_vec(),
            filename,
            etag,
            cached,
            pages,
        })
    }

    // ---- jobs and tailoring -------------------------------------------

    /// Store a job description from a file (`.md`, `.json` or text).
    pub async fn add_job(&self, file: &Path, title: Option<&str>) -> ClientResult<JobResource> {
        let bytes = tokio::fs::read(file)
            .await
            .map_err(|e| ClientError::Local(format!("cannot read {}: {e}", file.display())))?;
        let content_type = match content_type_for(file) {
            "application/json" => "application/json",
            "text/markdown" => "text/markdown",
            _ => "text/plain",
        };
        self.add_job_text(bytes, content_type, title).await
    }

    /// Store a job description given as bytes with its content type.
    pub async fn add_job_text(
        &self,
        body: Vec<u8>,
        content_type: &str,
        title: Option<&str>,
    ) -> ClientResult<JobResource> {
        let mut rb = self
            .request(Method::POST, "/v1/jobs")
            .header("content-type", content_type)
            .body(body);
        if let Some(title) = title {
            rb = rb.query(&[("title", title)]);
        }
        self.send(rb, "/v1/jobs").await
    }

    /// Every stored job description, following the pages to the last.
    pub async fn jobs(&self) -> ClientResult<Vec<JobResource>> {
        self.all_pages("/v1/jobs", |l: JobList| (l.jobs, l.next_cursor))
            .await
    }

    pub async fn tailor(&self, id: &str, job_id: &str) -> ClientResult<TailorPreview> {
        let path = format!("/v1/resumes/{id}/tailor");
        let body = TailorRequest {
            job_id: job_id.to_string(),
        };
        self.send(self.request(Method::POST, &path).json(&body), &path)
            .await
    }

    pub async fn confirm_tailor(
        &self,
        id: &str,
        job_id: &str,
        preview_hash: &str,
    ) -> ClientResult<ResumeResource> {
        let path = format!("/v1/resumes/{id}/tailor/confirm");
        let body = ConfirmTailor {
            job_id: job_id.to_string(),
            preview_hash: preview_hash.to_string(),
        };
        self.send(self.request(Method::POST, &path).json(&body), &path)
            .await
    }
}

/// A request that got no answer. reqwest's own message repeats the URL
/// ("error sending request for url (…)"), which the error already names;
/// its causes (connection refused, timed out) are what says what happened.
fn transport(url: &str, error: &reqwest::Error) -> ClientError {
    let cause = match std::error::Error::source(error) {
        Some(source) => error_chain(source),
        None => error.to_string(),
    };
    ClientError::Transport {
        url: url.to_string(),
        cause,
    }
}

/// The file name of a `Content-Disposition` header (RFC 6266): the UTF-8
/// `filename*=UTF-8''…` form when present (it carries names that are not
/// ASCII), else the plain `filename="…"`.
pub fn disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    for param in split_params(header) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let value = value.trim();
                // charset'language'percent-encoded; only UTF-8 is worth reading.
                let mut parts = value.splitn(3, '\'');
                let charset = parts.next().unwrap_or_default();
                let _language = parts.next();
                if let (true, Some(encoded)) = (charset.eq_ignore_ascii_case("utf-8"), parts.next())
                {
                    if let Some(name) = percent_decode(encoded) {
                        return Some(name);
                    }
                }
            }
            "filename" => plain = Some(unquote(value.trim())),
            _ => {}
        }
    }
    plain.filter(|name| !name.is_empty())
}

/// A header's `;`-separated parameters, a `;` inside quotes kept.
fn split_params(header: &str) -> Vec<&str> {
    let mut params = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                params.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    params.push(&header[start..]);
    params
}

/// A quoted-string without its quotes and backslash escapes (a token as is).
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// `%XX` escapes to bytes, read as UTF-8; `None` when malformed.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An error with its causes, which reqwest keeps in `source()`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_follows_cursors_to_the_end_and_stops_on_a_repeated_one() {
        let mut pages = Pages::default();
        assert_eq!(pages.cursor(), Some(None), "the first page has no cursor");
        pages.then("/l", Some("a".into()), "http://x").unwrap();
        assert_eq!(pages.cursor(), Some(Some("a".into())));
        pages.then("/l", Some("b".into()), "http://x").unwrap();
        assert!(pages.then("/l", Some("b".into()), "http://x").is_err());
        pages.then("/l", None, "http://x").unwrap();
        assert_eq!(pages.cursor(), None, "the last page was read");
    }

    #[test]
    fn file_names_from_content_disposition() {
        let both = "attachment; filename=\"Zo? Lindqvist - classic.pdf\"; \
                    filename*=UTF-8''Zo%C3%AB%20Lindqvist%20-%20classic.pdf";
        assert_eq!(
            disposition_filename(both).as_deref(),
            Some("Zoë Lindqvist - classic.pdf")
        );
        assert_eq!(
            disposition_filename("attachment; filename=\"a \\\"b\\\"; c.pdf\"").as_deref(),
            Some("a \"b\"; c.pdf")
        );
        assert_eq!(
            disposition_filename("attachment; filename=cv.docx").as_deref(),
            Some("cv.docx")
        );
        // A broken UTF-8 form falls back to the plain one.
        assert_eq!(
            disposition_filename("attachment; filename*=UTF-8''%FF%; filename=\"cv.pdf\"")
                .as_deref(),
            Some("cv.pdf")
        );
        assert_eq!(disposition_filename("attachment"), None);
        assert_eq!(disposition_filename("inline; filename=\"\""), None);
    }
}
