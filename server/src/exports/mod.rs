//! Export: a resume rendered to PDF, DOCX or a PNG preview inside the
//! server, cached by content, with export jobs that stream their progress.
//!
//! The [`Exporter`] owns the one `vitae_export::Engine` (fonts loaded once
//! at start), the [`pool::RenderPool`] its renders run on, and the way to
//! the export cache in the store. Every file is addressed by
//! [`Exporter::cache_key`]: the hash of the document text, the format, the
//! template and its version, the options, and the engine's fingerprint
//! (Typst, fonts, templates). Equal inputs give equal bytes, so a key
//! names one file forever: a PATCH changes the document and so the key, and
//! a stale file is never served. Two paths use it:
//!
//! * `GET …/export` ([`Exporter::export`]): a hit answers from the store; a
//!   miss renders on the pool while the request waits, answers, and stores
//!   the file in the background.
//! * `POST …/exports` ([`Exporter::start`]): an export job, stored, whose
//!   progress goes to the hub as the export stream (see `crate::sse::hub`);
//!   a hit completes it at once. Jobs left unfinished by a crash are run
//!   again at start ([`Exporter::resume_unfinished`]).
//!
//! Previews of each template (a sample resume's page 1) are rendered once
//! and kept in memory: six small images.

pub mod pool;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use uuid::Uuid;
use vitae_common::export::{
    ExportComplete, ExportFormat, ExportJob, ExportProgress, ExportRequest, ExportStage,
    ExportStatus, EXPORT_TERMINAL_EVENT_ID,
};
use vitae_common::{names, Failed, Resume};
use vitae_export::{Engine, ExportError, Progress};

use self::pool::{PoolError, ProgressFn, RenderPool};
use crate::sse::hub::Hub;
use crate::sse::SseEvent;
use crate::store::{CachedExport, ExportRecord, Store, StoreError};

/// Recently served cache keys remembered for the LRU before a write
/// carries them to the store; past it the oldest uses are simply dropped
/// (an approximate recency is fine for a cache).
const MAX_PENDING_USES: usize = 4096;

/// Settings of the export service.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    pub workers: usize,
    pub queue_capacity: usize,
    /// Byte budget of the export cache in the store.
    pub cache_bytes: u64,
    pub limits: vitae_export::Limits,
}

/// A file ready to serve.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub key: String,
    pub format: ExportFormat,
    pub bytes: Bytes,
    pub pages: u32,
    pub warnings: Vec<String>,
    /// Served from the cache without a render.
    pub cached: bool,
}

/// Why an export did not produce a file; each maps to one HTTP answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportFailure {
    /// The request is wrong (400).
    #[error(transparent)]
    Request(#[from] vitae_common::export::OptionError),
    /// The document cannot be exported within the limits (422).
    #[error("{0}")]
    Unprocessable(String),
    /// No worker can take it now (503).
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or a broken template (500).
    #[error("{0}")]
    Internal(String),
}

impl From<PoolError> for ExportFailure {
    fn from(error: PoolError) -> ExportFailure {
        match error {
            PoolError::Export(ExportError::Option(e)) => ExportFailure::Request(e),
            PoolError::Export(
                e @ (ExportError::Document(_)
                | ExportError::TooLarge { .. }
                | ExportError::TooManyPages { .. }
                | ExportError::OverBudget { .. }),
            ) => ExportFailure::Unprocessable(e.to_string()),
            PoolError::Export(e) => ExportFailure::Internal(e.to_string()),
            e @ PoolError::Stuck(_) => ExportFailure::Unprocessable(e.to_string()),
            e @ (PoolError::Busy(_) | PoolError::Unavailable) => ExportFailure::Busy(e.to_string()),
        }
    }
}

pub struct Exporter {
    pool: RenderPool,
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    cache_bytes: u64,
    /// Cache keys served since the last cache write, with when.
    uses: Mutex<HashMap<String, i64>>,
    /// Files rendered for a GET and on their way into the cache (written
    /// after the answer, in the background): a repeat that comes before
    /// the write is served from here instead of rendering again. At most
    /// [`MAX_STORING`]; each leaves when its write ends.
    storing: Arc<Mutex<HashMap<String, ExportFile>>>,
    previews: Mutex<HashMap<String, Bytes>>,
}

/// Files held while their cache write is pending; past it a file is still
/// cached, only not served before its write ends.
const MAX_STORING: usize = 64;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Exporter {
    /// Load the fonts and templates and start the render workers.
    pub fn new(
        config: &ExportConfig,
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
    ) -> Result<Exporter, ExportError> {
        let engine = Arc::new(Engine::with_limits(config.limits.clone())?);
        let fonts = engine.fonts();
        tracing::info!(
            shipped_font_bytes = fonts.shipped_bytes,
            system_font_faces = fonts.system_faces,
            workers = config.workers,
            cache_bytes = config.cache_bytes,
            "export engine ready"
        );
        Ok(Exporter {
            pool: RenderPool::new(engine, config.workers, config.queue_capacity),
            store,
            hub,
            cache_bytes: config.cache_bytes,
            uses: Mutex::new(HashMap::new()),
            storing: Default::default(),
            previews: Mutex::new(HashMap::new()),
        })
    }

    pub fn engine(&self) -> &Engine {
        self.pool.engine()
    }

    /// Renders waiting for the render pool (`GET /metrics`).
    pub fn waiting_renders(&self) -> usize {
        self.pool.waiting()
    }

    /// Check a request against the template catalogue and the options.
    pub fn validate(&self, req: &ExportRequest) -> Result<(), ExportFailure> {
        if req.format.is_typeset() {
            vitae_export::options::validate(req)?;
        } else {
            // The plain renderings take no template, but a wrong one is
            // still a mistake worth naming.
            let probe = ExportRequest {
                format: ExportFormat::Pdf,
                ..req.clone()
            };
            vitae_export::options::validate(&probe)?;
        }
        Ok(())
    }

    /// The cache key of `req` applied to a document whose stored JSON text
    /// is `document`.
    pub fn cache_key(&self, document: &str, req: &ExportRequest) -> String {
        let options = serde_json::to_string(&req.options).unwrap_or_default();
        // NUL cannot occur in any part but the document, which comes last.
        crate::digest::sha256_hex(&[
            self.engine().fingerprint().as_bytes(),
            b"\0",
            req.format.as_str().as_bytes(),
            b"\0",
            req.template.as_bytes(),
            b"\0",
            options.as_bytes(),
            b"\0",
            document.as_bytes(),
        ])
    }

    /// The file for `req`, from the cache or rendered now.
    pub async fn export(
        &self,
        owner: &str,
        resume_id: Uuid,
        document: &str,
        req: &ExportRequest,
    ) -> Result<ExportFile, ExportFailure> {
        let key = self.cache_key(document, req);
        if let Some(hit) = self.cached(&key).await? {
            return Ok(hit);
        }
        let resume = parse_document(document)?;
        let rendered = self
            .pool
            .render(owner, resume, req.clone(), Box::new(|_| {}))
            .await?;
        let file = ExportFile {
            key,
            format: req.format,
            bytes: Bytes::from(rendered.bytes),
            pages: rendered.pages as u32,
            warnings: rendered.warnings,
            cached: false,
        };
        // The caller has its file; storing it need not delay the answer.
        let cached = self.to_cache(&file, resume_id);
        let budget = self.cache_bytes;
        let uses = self.take_uses();
        let held = {
            let mut storing = lock(&self.storing);
            storing.len() < MAX_STORING
                && storing
                    .insert(
                        file.key.clone(),
                        ExportFile {
                            cached: true,
                            ..file.clone()
                        },
                    )
                    .is_none()
        };
        let storing = self.storing.clone();
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(error) = store.cache_export(cached.clone(), budget, uses).await {
                tracing::warn!(%error, "an export could not be cached");
            }
            if held {
                lock(&storing).remove(&cached.key);
            }
        });
        Ok(file)
    }

    async fn cached(&self, key: &str) -> Result<Option<ExportFile>, StoreError> {
        if let Some(file) = lock(&self.storing).get(key) {
            return Ok(Some(file.clone()));
        }
        let Some(hit) = self.store.cached_export(key).await? else {
            return Ok(None);
        };
        let mut uses = lock(&self.uses);
        if uses.len() < MAX_PENDING_USES {
            uses.insert(key.to_string(), chrono::Utc::now().timestamp_millis());
        }
        Ok(Some(ExportFile {
            key: hit.key,
            format: hit.format,
            bytes: hit.bytes,
            pages: hit.pages,
            warnings: hit.warnings,
            cached: true,
        }))
    }

    fn take_uses(&self) -> Vec<(String, i64)> {
        lock(&self.uses).drain().collect()
    }

    fn to_cache(&self, file: &ExportFile, resume_id: Uuid) -> CachedExport {
        CachedExport {
            key: file.key.clone(),
            resume_id,
            format: file.format,
            bytes: file.bytes.clone(),
            pages: file.pages,
            warnings: file.warnings.clone(),
        }
    }

    /// Start an export job for a document at `revision`; answers the job as
    /// stored (already `complete` when the file was cached).
    pub async fn start(
        self: &Arc<Self>,
        owner: &str,
        resume_id: Uuid,
        revision: u64,
        document: &str,
        filename: String,
        req: ExportRequest,
    ) -> Result<ExportRecord, ExportFailure> {
        let now = crate::store::now();
        let key = self.cache_key(document, &req);
        let mut record = ExportRecord {
            v: crate::store::records::EXPORT_SCHEMA,
            id: Uuid::new_v4(),
            owner: owner.to_string(),
            resume_id,
            revision,
            request: req,
            key: key.clone(),
            status: ExportStatus::Queued,
            reason: None,
            bytes: None,
            pages: None,
            cached: None,
            warnings: Vec::new(),
            filename,
            created_at: now,
            updated_at: now,
        };
        if let Some(hit) = self.cached(&key).await? {
            finish(&mut record, &hit);
            self.store.create_export(record.clone()).await?;
            self.publish_terminal(&record);
            return Ok(record);
        }
        let resume = parse_document(document)?;
        self.store.create_export(record.clone()).await?;
        self.publish_progress(record.id, ExportStage::Queued, 0, 0);
        let exporter = self.clone();
        let job = record.clone();
        tokio::spawn(async move { exporter.run(job, resume).await });
        Ok(record)
    }

    /// Render a stored job, store the file, and end its stream.
    async fn run(self: Arc<Self>, mut record: ExportRecord, resume: Resume) {
        let id = record.id;
        let hub = self.hub.clone();
        let progress: ProgressFn = Box::new(move |step| {
            let (stage, pages) = match step {
                Progress::Layout { attempt: 0 } => (ExportStage::Layout, 0),
                // Later layout passes (fitting one page) keep the stage.
                Progress::Layout { .. } => return,
                Progress::Render { pages } => (ExportStage::Render, pages as u32),
            };
            hub.publish_export(id, progress_event(stage, 0, pages));
        });
        let result = self
            .pool
            .render(&record.owner, resume, record.request.clone(), progress)
            .await;
        match result {
            Ok(rendered) => {
                let file = ExportFile {
                    key: record.key.clone(),
                    format: record.request.format,
                    bytes: Bytes::from(rendered.bytes),
                    pages: rendered.pages as u32,
                    warnings: rendered.warnings,
                    cached: false,
                };
                let cached = self.to_cache(&file, record.resume_id);
                let stored = self
                    .store
                    .cache_export(cached, self.cache_bytes, self.take_uses())
                    .await;
                match stored {
                    Ok(()) => {
                        self.publish_progress(id, ExportStage::Stored, file.pages, file.pages);
                        finish(&mut record, &file);
                    }
                    Err(error) => fail(
                        &mut record,
                        format!("the file could not be stored: {error}"),
                    ),
                }
            }
            Err(error) => fail(&mut record, ExportFailure::from(error).to_string()),
        }
        record.updated_at = crate::store::now();
        match self.store.update_export(record.clone()).await {
            Ok(()) => {}
            // Deleted with its resume meanwhile: nobody to tell.
            Err(StoreError::NotFound(_)) => {
                self.hub.forget_export(id);
                return;
            }
            Err(error) => {
                tracing::warn!(%error, export = %id, "an export's outcome could not be stored");
                fail(
                    &mut record,
                    format!("the outcome could not be stored: {error}"),
                );
            }
        }
        self.publish_terminal(&record);
    }

    /// Run again the jobs a crash or shutdown left unfinished.
    pub async fn resume_unfinished(self: &Arc<Self>) -> Result<usize, StoreError> {
        let unfinished = self.store.unfinished_exports().await?;
        let count = unfinished.len();
        for mut record in unfinished {
            let document = self
                .store
                .get_revision(&record.owner, record.resume_id, record.revision)
                .await
                .ok()
                .and_then(|revision| revision.document);
            match document {
                Some(resume) => {
                    let exporter = self.clone();
                    tokio::spawn(async move { exporter.run(record, resume).await });
                }
                None => {
                    fail(
                        &mut record,
                        "the resume revision it exported is gone".into(),
                    );
                    record.updated_at = crate::store::now();
                    let _ = self.store.update_export(record).await;
                }
            }
        }
        Ok(count)
    }

    /// The file of a finished job: from the cache, or rendered again from
    /// the job's revision when the cache has let it go.
    pub async fn file_of(&self, record: &ExportRecord) -> Result<ExportFile, ExportFailure> {
        if let Some(hit) = self.cached(&record.key).await? {
            return Ok(hit);
        }
        let revision = self
            .store
            .get_revision(&record.owner, record.resume_id, record.revision)
            .await?;
        let resume = revision.document.unwrap_or_default();
        let rendered = self
            .pool
            .render(
                &record.owner,
                resume,
                record.request.clone(),
                Box::new(|_| {}),
            )
            .await?;
        Ok(ExportFile {
            key: record.key.clone(),
            format: record.request.format,
            bytes: Bytes::from(rendered.bytes),
            pages: rendered.pages as u32,
            warnings: rendered.warnings,
            cached: false,
        })
    }

    /// Page 1 of the sample resume in `template`, as PNG.
    pub async fn preview(&self, template: &str) -> Result<Bytes, ExportFailure> {
        if let Some(png) = lock(&self.previews).get(template) {
            return Ok(png.clone());
        }
        let req = ExportRequest::new(ExportFormat::Png, template);
        vitae_export::options::validate(&req)?;
        let sample = vitae_export::sample_resume();
        let rendered = self.pool.render("", sample, req, Box::new(|_| {})).await?;
        let png = Bytes::from(rendered.bytes);
        lock(&self.previews).insert(template.to_string(), png.clone());
        Ok(png)
    }

    fn publish_progress(&self, id: Uuid, stage: ExportStage, page: u32, pages: u32) {
        self.hub
            .publish_export(id, progress_event(stage, page, pages));
    }

    fn publish_terminal(&self, record: &ExportRecord) {
        if let Some(event) = terminal_event(record) {
            self.hub.publish_export(record.id, event);
        }
    }

    /// Stop the render workers (at shutdown).
    pub fn close(&self) {
        self.pool.close();
    }
}

fn progress_event(stage: ExportStage, page: u32, pages: u32) -> SseEvent {
    SseEvent::json(
        stage.event_id().to_string(),
        names::PROGRESS,
        &ExportProgress { stage, page, pages },
    )
}

/// The event that ends a finished job's stream; `None` while it runs.
pub fn terminal_event(record: &ExportRecord) -> Option<SseEvent> {
    let id = EXPORT_TERMINAL_EVENT_ID.to_string();
    match record.status {
        ExportStatus::Complete => Some(
            SseEvent::json(
                id,
                names::COMPLETE,
                &ExportComplete {
                    download_url: download_url(record.id),
                    bytes: record.bytes.unwrap_or(0),
                    pages: record.pages.unwrap_or(0),
                    cached: record.cached.unwrap_or(false),
                    warnings: record.warnings.clone(),
                },
            )
            .terminal(),
        ),
        ExportStatus::Failed => Some(
            SseEvent::json(
                id,
                names::FAILED,
                &Failed {
                    reason: record.reason.clone().unwrap_or_default(),
                },
            )
            .terminal(),
        ),
        ExportStatus::Queued | ExportStatus::Rendering => None,
    }
}

fn finish(record: &mut ExportRecord, file: &ExportFile) {
    record.status = ExportStatus::Complete;
    record.bytes = Some(file.bytes.len() as u64);
    record.pages = Some(file.pages);
    record.cached = Some(file.cached);
    record.warnings = file.warnings.clone();
}

fn fail(record: &mut ExportRecord, reason: String) {
    record.status = ExportStatus::Failed;
    record.reason = Some(reason);
}

pub fn events_url(id: Uuid) -> String {
    format!("/v1/exports/{id}/events")
}

pub fn download_url(id: Uuid) -> String {
    format!("/v1/exports/{id}/file")
}

/// The API resource of a job.
pub fn resource(record: &ExportRecord) -> ExportJob {
    ExportJob {
        id: record.id.to_string(),
        resume_id: record.resume_id.to_string(),
        revision: record.revision,
        status: record.status,
        format: record.request.format,
        template: record.request.template.clone(),
        events_url: events_url(record.id),
        download_url: download_url(record.id),
        created_at: crate::resource::time(record.created_at),
        reason: record.reason.clone(),
        bytes: record.bytes,
        pages: record.pages,
        cached: record.cached,
        warnings: record.warnings.clone(),
    }
}

fn parse_document(document: &str) -> Result<Resume, ExportFailure> {
    serde_json::from_str(document).map_err(|e| {
        ExportFailure::Unprocessable(format!("the stored document cannot be exported: {e}"))
    })
}

/// The file name an export is served under ([`vitae_common::export::file_name`]),
/// named after the person, else after the uploaded file.
pub fn file_name(person: &str, upload_name: &str, req: &ExportRequest) -> String {
    let stem = upload_name
        .rsplit_once('.')
        .map_or(upload_name, |(stem, _)| stem);
    let name = if person.trim().is_empty() {
        stem
    } else {
        person
    };
    vitae_common::export::file_name(name, &req.template, req.format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_after_the_person_else_the_upload() {
        let req = ExportRequest::new(ExportFormat::Pdf, "modern");
        assert_eq!(
            file_name("Ada Lovelace", "x.pdf", &req),
            "Ada Lovelace - modern.pdf"
        );
        assert_eq!(file_name(" ", "cv-2024.docx", &req), "cv-2024 - modern.pdf");
        let md = ExportRequest::new(ExportFormat::Md, "classic");
        assert_eq!(file_name("", "", &md), "resume.md");
    }
}
