//! Tailoring a resume to a job: previews, their hashes, and confirmation.
//!
//! `vitae_tailor` does the deterministic work (reorder and select, never
//! invent); this module binds it to stored versions. A preview names exactly
//! what it was computed from — source id and revision, job id and revision —
//! and its `preview_hash` covers those and the tailored document. Confirming
//! stores the previewed document only while both are unchanged: the store
//! re-checks the revisions inside its write transaction, so an edit that
//! lands between the check and the write still turns the confirm into a 409.
//!
//! Previews are kept in a small in-memory cache keyed by hash, bounded in
//! bytes (`preview_cache_mib`) as well as in entries (1,024) and time (one
//! hour); a preview over a quarter of the byte budget is not kept at all. After a restart, or once evicted, a deterministic preview is
//! recomputed from the current versions and its hash compared; only previews
//! that held drafts from a language model cannot be recomputed, and their
//! confirm answers 409 asking to preview again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;
use vitae_common::clean::{clean_name, clean_name_within};
use vitae_common::{Drafts, ErrorCode, Resume, Status, TailorPreview};

use crate::http::error::{HttpError, HttpResult};
use crate::llm::Provider;
use crate::store::{JobRecord, NewTailored, Store, StoredResume};

const CACHE_ENTRIES: usize = 1024;
const CACHE_TTL: Duration = Duration::from_secs(3600);

/// What a confirm needs from an earlier preview.
#[derive(Debug, Clone)]
struct CachedPreview {
    owner: String,
    source_id: Uuid,
    source_revision: u64,
    job_id: Uuid,
    job_revision: u64,
    tailored: Resume,
    made: Instant,
}

/// Previews kept for their confirmation, bounded in entries and in bytes
/// (each counted as its tailored document's JSON length).
pub struct Previews {
    cache: Mutex<PreviewCache>,
    max_bytes: usize,
}

#[derive(Default)]
struct PreviewCache {
    entries: HashMap<String, (CachedPreview, usize)>,
    bytes: usize,
}

impl Default for Previews {
    fn default() -> Self {
        Previews::new(64 * 1024 * 1024)
    }
}

impl Previews {
    /// A cache holding at most `max_bytes` of tailored documents.
    pub fn new(max_bytes: usize) -> Previews {
        Previews {
            cache: Mutex::new(PreviewCache::default()),
            max_bytes,
        }
    }

    fn remember(&self, hash: &str, preview: CachedPreview) {
        let size = vitae_parser::json_size(&preview.tailored) as usize + 256;
        // A preview of a huge document is not kept (its confirm recomputes
        // it, as after a restart): it must not pin its memory for an hour
        // nor push every other preview out.
        if size > self.max_bytes / 4 {
            return;
        }
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if let Some((_, old)) = cache.entries.remove(hash) {
            cache.bytes -= old;
        }
        let full =
            |c: &PreviewCache| c.entries.len() >= CACHE_ENTRIES || c.bytes + size > self.max_bytes;
        if full(&cache) {
            cache
                .entries
                .retain(|_, (p, _)| p.made.elapsed() < CACHE_TTL);
            cache.bytes = cache.entries.values().map(|(_, size)| size).sum();
        }
        while full(&cache) {
            // Still full of fresh previews: drop the oldest ones.
            let Some(oldest) = cache
                .entries
                .iter()
                .min_by_key(|(_, (p, _))| p.made)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, old)) = cache.entries.remove(&oldest) {
                cache.bytes -= old;
            }
        }
        cache.bytes += size;
        cache.entries.insert(hash.to_string(), (preview, size));
    }

    fn recall(&self, hash: &str) -> Option<CachedPreview> {
        let cache = self.cache.lock().ok()?;
        cache
            .entries
            .get(hash)
            .map(|(p, _)| p)
            .filter(|p| p.made.elapsed() < CACHE_TTL)
            .cloned()
    }
}

/// The hash that ties a preview to its inputs and output.
pub fn preview_hash(
    source_id: Uuid,
    source_revision: u64,
    job_id: Uuid,
    job_revision: u64,
    tailored: &Resume,
) -> String {
    let versions = format!("{source_id}@{source_revision}\0{job_id}@{job_revision}\0");
    // A struct serialises its fields in declaration order and `extra` maps
    // are sorted, so equal documents give equal bytes.
    let document = serde_json::to_vec(tailored).unwrap_or_default();
    crate::digest::sha256_hex(&[versions.as_bytes(), &document])
}

/// The source's parsed document, or a 409 that says why there is none.
fn source_document(stored: &StoredResume) -> HttpResult<&Resume> {
    let record = &stored.record;
    match (&record.status, &record.document) {
        (Status::Ready, Some(document)) => Ok(document),
        (Status::Failed, _) => Err(HttpError::new(
            ErrorCode::Conflict,
            format!(
                "resume {} failed to parse ({}); there is nothing to tailor",
                record.id,
                record.reason.as_deref().unwrap_or("no reason recorded")
            ),
        )),
        (status, _) => Err(HttpError::new(
            ErrorCode::Conflict,
            format!(
                "resume {} is {status}; tailor it once its parse is complete",
                record.id
            ),
        )),
    }
}

/// The deterministic part of a preview, shared by preview and confirm.
struct Computed {
    tailored: Resume,
    keyword_match: vitae_common::jobs::KeywordMatch,
    warnings: Vec<String>,
}

/// Run CPU-bound work (tailoring takes milliseconds on a long resume, a
/// diff hundreds of microseconds) on the blocking pool, not on a runtime
/// worker that is serving other connections.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> HttpResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HttpError::internal("tailoring", e))
}

/// [`compute`] on the blocking pool.
async fn compute_off_runtime(source: &Resume, job: &JobRecord) -> HttpResult<Computed> {
    let (source, job) = (source.clone(), job.clone());
    off_runtime(move || compute(&source, &job)).await
}

fn compute(source: &Resume, job: &JobRecord) -> Computed {
    let tailoring = vitae_tailor::tailor(source, &job.keywords);
    let violations = vitae_tailor::check_faithful(source, &tailoring.document);
    if violations.is_empty() {
        return Computed {
            tailored: tailoring.document,
            keyword_match: tailoring.keyword_match,
            warnings: tailoring.warnings,
        };
    }
    // The tailorer only reorders and selects, so this is a bug; the person
    // gets their source unchanged and a warning instead of an invented fact.
    tracing::error!(?violations, "tailoring broke the never-invent check");
    let mut warnings = tailoring.warnings;
    warnings.push(format!(
        "tailoring was withdrawn because it changed facts ({}); the resume is shown unchanged",
        violations.join("; ")
    ));
    Computed {
        tailored: source.clone(),
        keyword_match: tailoring.keyword_match,
        warnings,
    }
}

/// `POST /v1/resumes/{id}/tailor`.
pub async fn preview(
    store: &dyn Store,
    previews: &Previews,
    llm: Option<&Provider>,
    owner: &str,
    source_id: Uuid,
    job_id: Uuid,
) -> HttpResult<TailorPreview> {
    let stored = store.get_resume(owner, source_id).await?;
    let job = store.get_job(owner, job_id).await?;
    let source = source_document(&stored)?;
    let mut computed = compute_off_runtime(source, &job).await?;
    let drafts = match llm {
        Some(provider) => draft(provider, source, &job, &mut computed).await,
        None => None,
    };
    let diff = {
        let (source, tailored) = (source.clone(), computed.tailored.clone());
        off_runtime(move || vitae_common::diff::diff(&source, &tailored)).await?
    };
    let source_revision = stored.record.revision;
    let hash = preview_hash(
        source_id,
        source_revision,
        job_id,
        job.revision,
        &computed.tailored,
    );
    previews.remember(
        &hash,
        CachedPreview {
            owner: owner.to_string(),
            source_id,
            source_revision,
            job_id,
            job_revision: job.revision,
            tailored: computed.tailored.clone(),
            made: Instant::now(),
        },
    );
    Ok(TailorPreview {
        preview_hash: hash,
        source_id: source_id.to_string(),
        source_revision,
        job_id: job_id.to_string(),
        job_revision: job.revision,
        tailored: computed.tailored,
        keyword_match: computed.keyword_match,
        diff,
        warnings: computed.warnings,
        drafts,
    })
}

/// Ask the provider for reworded highlights and drafts, and keep only what
/// names nothing the source lacks. Every drop and every failure becomes a
/// warning; the deterministic result stands when the provider fails.
async fn draft(
    provider: &Provider,
    source: &Resume,
    job: &JobRecord,
    computed: &mut Computed,
) -> Option<Drafts> {
    let asked = provider.suggest(&computed.tailored, &job.title, &job.keywords.skills);
    let suggestions = match asked.await {
        Ok(suggestions) => suggestions,
        Err(e) => {
            tracing::warn!(error = %e, model = provider.model(), "language-model drafts failed");
            computed.warnings.push(e.user_warning());
            return None;
        }
    };
    for rewrite in suggestions.highlights {
        let Some(slot) = highlight_at(&mut computed.tailored, &rewrite.path) else {
            computed.warnings.push(format!(
                "dropped a reworded highlight: {:?} is not a highlight of this resume",
                rewrite.path
            ));
            continue;
        };
        let violations = vitae_tailor::check_text_faithful(source, &rewrite.text);
        if violations.is_empty() && !rewrite.text.trim().is_empty() {
            *slot = rewrite.text.trim().to_string();
        } else {
            computed.warnings.push(format!(
                "dropped the reworded highlight {}: {}",
                rewrite.path,
                violations.join("; ")
            ));
        }
    }
    // A letter may name the company it is written to, which the resume
    // cannot contain; nothing else new.
    let addressee: Vec<&str> = job.company.as_deref().into_iter().collect();
    let mut keep = |what: &str, text: Option<String>| {
        let text = text.filter(|t| !t.trim().is_empty())?;
        let violations = vitae_tailor::check_text_faithful_allowing(source, &text, &addressee);
        if violations.is_empty() {
            Some(text)
        } else {
            computed
                .warnings
                .push(format!("dropped the {what}: {}", violations.join("; ")));
            None
        }
    };
    let cover_letter = keep("cover letter", suggestions.cover_letter);
    let outreach_message = keep("outreach message", suggestions.outreach_message);
    Some(Drafts {
        cover_letter,
        outreach_message,
        model: provider.model().to_string(),
    })
}

/// The highlight string at `/work/{i}/highlights/{j}`, if there is one.
fn highlight_at<'a>(document: &'a mut Resume, path: &str) -> Option<&'a mut String> {
    let mut parts = path.strip_prefix("/work/")?.split('/');
    let i: usize = parts.next()?.parse().ok()?;
    if parts.next()? != "highlights" {
        return None;
    }
    let j: usize = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    document.work.get_mut(i)?.highlights.get_mut(j)
}

/// `POST /v1/resumes/{id}/tailor/confirm`: store the previewed document as a
/// new resume whose parent is the source.
///
/// Its filename and origin name the job, cleaned as every name is
/// ([`tailored_names`]).
pub async fn confirm(
    store: &dyn Store,
    previews: &Previews,
    owner: &str,
    source_id: Uuid,
    job_id: Uuid,
    hash: &str,
) -> HttpResult<StoredResume> {
    let stored = store.get_resume(owner, source_id).await?;
    let job = store.get_job(owner, job_id).await?;
    let source = source_document(&stored)?;
    let stale = |why: String| {
        HttpError::new(
            ErrorCode::Conflict,
            format!("the preview {hash:?} cannot be confirmed: {why}; preview again"),
        )
    };
    let cached = previews
        .recall(hash)
        .filter(|p| p.owner == owner && p.source_id == source_id && p.job_id == job_id);
    let tailored = match cached {
        Some(p) if p.source_revision != stored.record.revision => {
            return Err(stale(format!(
                "the resume changed since (revision {} then, {} now)",
                p.source_revision, stored.record.revision
            )))
        }
        Some(p) if p.job_revision != job.revision => {
            return Err(stale(format!(
                "the job description changed since (revision {} then, {} now)",
                p.job_revision, job.revision
            )))
        }
        Some(p) => p.tailored,
        None => {
            let computed = compute_off_runtime(source, &job).await?;
            let current = preview_hash(
                source_id,
                stored.record.revision,
                job_id,
                job.revision,
                &computed.tailored,
            );
            if current != hash {
                return Err(stale(format!(
                    "it does not match a preview of the current versions (resume revision {}, job revision {})",
                    stored.record.revision, job.revision
                )));
            }
            computed.tailored
        }
    };
    let (filename, origin) = tailored_names(&stored.record.filename, &job.title);
    let created = store
        .create_tailored(NewTailored {
            owner: owner.to_string(),
            source_id,
            source_revision: stored.record.revision,
            job_id,
            job_revision: job.revision,
            filename,
            document: tailored,
            origin,
        })
        .await?;
    Ok(created)
}

/// The filename and `origin` of a resume tailored from `source_filename`
/// for a job titled `job_title`: `cv (for Engineer).json` and `tailored for
/// Engineer`. Both are names shown on one line (lists, headers, logs), so
/// they are built from cleaned parts ([`clean_name_within`]) and bounded:
/// the filename stays within 200 characters with its `.json` intact, even
/// for titles stored before titles were cleaned.
pub fn tailored_names(source_filename: &str, job_title: &str) -> (String, String) {
    let stem = source_filename
        .rsplit_once('.')
        .map_or(source_filename, |(stem, _)| stem);
    let stem = clean_name_within(stem, 80);
    let title = clean_name_within(job_title, 100);
    let title = if title.is_empty() { "a job" } else { &title };
    let stem = if stem.is_empty() { "resume" } else { &stem };
    (
        format!("{stem} (for {title}).json"),
        clean_name(&format!("tailored for {title}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(summary_bytes: usize) -> CachedPreview {
        let document = serde_json::json!({"basics": {"summary": "x".repeat(summary_bytes)}});
        CachedPreview {
            owner: "alice".into(),
            source_id: Uuid::new_v4(),
            source_revision: 1,
            job_id: Uuid::new_v4(),
            job_revision: 1,
            tailored: Resume::from_value(document).unwrap(),
            made: Instant::now(),
        }
    }

    fn bytes_held(previews: &Previews) -> usize {
        previews.cache.lock().unwrap().bytes
    }

    #[test]
    fn the_preview_cache_holds_its_byte_budget_and_refuses_a_huge_preview() {
        let previews = Previews::new(100_000);
        previews.remember("small", preview(1_000));
        // Over a quarter of the budget: not kept, and nothing evicted.
        previews.remember("huge", preview(60_000));
        assert!(previews.recall("huge").is_none());
        assert!(previews.recall("small").is_some());
        // Previews of 20 KB each: the oldest make room, the bytes held never
        // pass the budget, and the newest is always there.
        for i in 0..20 {
            let hash = format!("p{i}");
            previews.remember(&hash, preview(20_000));
            assert!(
                bytes_held(&previews) <= 100_000,
                "{}",
                bytes_held(&previews)
            );
            assert!(previews.recall(&hash).is_some());
        }
        assert!(previews.recall("p0").is_none(), "the oldest went first");
    }

    #[test]
    fn tailored_names_are_one_bounded_line() {
        assert_eq!(
            tailored_names("cv.pdf", "Engineer"),
            (
                "cv (for Engineer).json".to_string(),
                "tailored for Engineer".to_string()
            )
        );
        let forged = "Engineer\n\u{1b}[0m2026-01-01T00:00:00Z  INFO token created admin=true";
        let (filename, origin) = tailored_names("cv\u{202e}.pdf", forged);
        for name in [&filename, &origin] {
            assert!(!name.chars().any(char::is_control), "{name:?}");
            assert!(!name.contains('\u{202e}'), "{name:?}");
        }
        let (filename, origin) = tailored_names(&"c".repeat(500), &"t".repeat(100_000));
        assert!(filename.chars().count() <= 200 && filename.ends_with(").json"));
        assert!(origin.chars().count() <= 200);
    }
}
