//! The async side of the UI: each [`Request`] becomes a tokio task whose
//! answer comes back to the UI loop as a [`Msg`] over one channel. Streams
//! (parse progress, account changes, logs) are long-running tasks on the
//! same channel. Nothing here touches the terminal.
//!
//! An export runs as one task from start to file ([`run_export`]): start
//! the job, follow its stream, download, write; the export preview is a
//! task that waits a moment first, so that a burst of option changes costs
//! one render on the server, not one per key.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::AbortHandle;
use vitae_common::export::{ExportComplete, ExportFormat, ExportRequest, ExportStatus};

use super::msg::{DirEntry, ExportEvent, Msg, Request, Saved};
use crate::client::Client;
use crate::graphics::Picture;
use crate::save::{write_atomic, SaveError};
use crate::stream::{self, ExportUpdate, LogUpdate};

/// How long the preview waits for the options to settle before asking.
const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(300);

/// A task that a later request replaces or a screen ends.
type Slot = Arc<Mutex<Option<AbortHandle>>>;

#[derive(Clone)]
pub struct Tasks {
    client: Client,
    tx: UnboundedSender<Msg>,
    /// The log stream's task, so closing the Logs screen can end it.
    logs: Slot,
    /// The pending or running export preview (a newer one replaces it).
    preview: Slot,
    /// The running export, so closing the Export screen can end it.
    export: Slot,
}

/// Put `next` (or nothing) in `slot`, ending the task that was there.
fn replace(slot: &Slot, next: Option<AbortHandle>) {
    if let Ok(mut slot) = slot.lock() {
        if let Some(old) = std::mem::replace(&mut *slot, next) {
            old.abort();
        }
    }
}

impl Tasks {
    pub fn new(client: Client, tx: UnboundedSender<Msg>) -> Tasks {
        Tasks {
            client,
            tx,
            logs: Arc::default(),
            preview: Arc::default(),
            export: Arc::default(),
        }
    }

    /// Swap the running log stream for `next` (or none), ending the old one.
    fn replace_logs(&self, next: Option<AbortHandle>) {
        replace(&self.logs, next);
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Start the account stream (`/v1/events`), forwarding its updates.
    pub fn watch_account(&self) {
        let (updates, mut rx) = unbounded_channel();
        tokio::spawn(stream::watch_account(self.client.clone(), updates));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(update) = rx.recv().await {
                if tx.send(Msg::Account(update)).is_err() {
                    return;
                }
            }
        });
    }

    pub fn run(&self, request: Request) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        match request {
            Request::WatchParse(id) => {
                let (updates, mut rx) = unbounded_channel();
                tokio::spawn(stream::watch_parse(client, id.clone(), updates));
                tokio::spawn(async move {
                    while let Some(update) = rx.recv().await {
                        let msg = Msg::Parse {
                            id: id.clone(),
                            update,
                        };
                        if tx.send(msg).is_err() {
                            return;
                        }
                    }
                });
            }
            Request::StopLogs => self.replace_logs(None),
            Request::WatchLogs => {
                let (updates, mut rx) = unbounded_channel();
                // Aborting the watcher drops its sender, which ends the
                // forwarder below too.
                let watcher = tokio::spawn(stream::watch_logs(client, updates));
                self.replace_logs(Some(watcher.abort_handle()));
                tokio::spawn(async move {
                    while let Some(update) = rx.recv().await {
                        let msg = match update {
                            LogUpdate::Link(link) => Msg::LogLink(link),
                            LogUpdate::Record(record) => Msg::Log(record),
                        };
                        if tx.send(msg).is_err() {
                            return;
                        }
                    }
                });
            }
            Request::Reconnect => self.watch_account(),
            Request::ExportPreview {
                id,
                request,
                cells,
                ticket,
            } => {
                let task = tokio::spawn(async move {
                    tokio::time::sleep(PREVIEW_DEBOUNCE).await;
                    let result = preview(&client, &id, request, cells).await;
                    let _ = tx.send(Msg::ExportPreview { id, ticket, result });
                });
                replace(&self.preview, Some(task.abort_handle()));
            }
            Request::RunExport {
                id,
                request,
                path,
                overwrite,
            } => {
                let task = tokio::spawn(async move {
                    let report = |event| {
                        let _ = tx.send(Msg::ExportRun {
                            id: id.clone(),
                            event,
                        });
                    };
                    run_export(&client, &id, &request, path, overwrite, &report).await;
                });
                replace(&self.export, Some(task.abort_handle()));
            }
            Request::CancelExport => {
                replace(&self.preview, None);
                replace(&self.export, None);
            }
            other => {
                tokio::spawn(async move {
                    if let Some(msg) = call(&client, other).await {
                        let _ = tx.send(msg);
                    }
                });
            }
        }
    }
}

/// One request/response call and the message it answers with (`None` for
/// the streams, which [`Tasks::run`] starts itself).
async fn call(client: &Client, request: Request) -> Option<Msg> {
    Some(match request {
        Request::LoadResumes => Msg::Resumes(client.list().await),
        Request::LoadUsage => Msg::Usage(client.account().await),
        Request::LoadResume(id) => Msg::Resume(client.resume(&id).await),
        Request::Upload(path) => {
            let result = client.upload(&path).await;
            Msg::Uploaded { path, result }
        }
        Request::Patch {
            id,
            patch,
            revision,
        } => Msg::Patched(client.patch(&id, &patch, Some(revision)).await),
        Request::SetMaster(id) => Msg::MasterSet(client.set_master(&id).await),
        Request::Delete(id) => {
            let result = client.delete(&id).await;
            Msg::Deleted { id, result }
        }
        Request::LoadShares(id) => {
            let result = client.shares(&id).await;
            Msg::Shares { id, result }
        }
        Request::CreateShare { id, options } => {
            Msg::ShareCreated(client.share(&id, &options.wire()).await)
        }
        Request::LoadShareViews(token) => {
            let result = client.share_detail(&token).await;
            Msg::ShareViews { token, result }
        }
        Request::Revoke { token, .. } => Msg::Revoked(client.revoke(&token).await),
        Request::LoadRevisions(id) => {
            let result = client.revisions(&id).await;
            Msg::Revisions { id, result }
        }
        Request::Restore { id, revision } => Msg::Restored(client.restore(&id, revision).await),
        Request::Diff {
            id,
            against,
            revision,
        } => Msg::Diff(client.diff(&id, &against, revision).await),
        Request::LoadJobs => Msg::Jobs(client.jobs().await),
        Request::AddJob { body, content_type } => Msg::JobAdded(
            client
                .add_job_text(body.into_bytes(), content_type, None)
                .await,
        ),
        Request::ListDir(dir) => {
            let listed = dir.clone();
            let result = tokio::task::spawn_blocking(move || list_dir(&listed))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            Msg::DirListing { dir, result }
        }
        Request::AddJobFile(path) => Msg::JobAdded(client.add_job(&path, None).await),
        Request::Tailor { id, job_id } => Msg::Preview(client.tailor(&id, &job_id).await),
        Request::ConfirmTailor {
            id,
            job_id,
            preview_hash,
        } => Msg::Confirmed(client.confirm_tailor(&id, &job_id, &preview_hash).await),
        Request::ExportSetup(id) => {
            let (templates, resume) = tokio::join!(client.templates(), client.resume(&id));
            Msg::ExportSetup {
                id,
                templates,
                resume,
            }
        }
        Request::WatchParse(_)
        | Request::WatchLogs
        | Request::StopLogs
        | Request::Reconnect
        | Request::ExportPreview { .. }
        | Request::RunExport { .. }
        | Request::CancelExport => return None,
    })
}

/// Page 1 of `request`'s layout as a picture for `cells`: the PNG export,
/// decoded and scaled off the async workers (it is CPU work).
async fn preview(
    client: &Client,
    id: &str,
    mut request: ExportRequest,
    cells: (u16, u16),
) -> Result<Picture, String> {
    request.format = ExportFormat::Png;
    let file = client
        .export_file(id, &request)
        .await
        .map_err(|e| e.short())?;
    tokio::task::spawn_blocking(move || Picture::from_png(&file.bytes, cells))
        .await
        .unwrap_or_else(|e| Err(format!("the preview could not be drawn: {e}")))
}

/// One export from start to file, reported step by step: a file in the way
/// is reported before anything is rendered; then the job is started, its
/// stream followed (a cached file is complete at once), the file
/// downloaded and written whole.
async fn run_export(
    client: &Client,
    id: &str,
    request: &ExportRequest,
    path: PathBuf,
    overwrite: bool,
    report: &impl Fn(ExportEvent),
) {
    if !overwrite && tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return report(ExportEvent::Exists(path));
    }
    let job = match client.start_export(id, request).await {
        Ok(job) => job,
        Err(e) => return report(ExportEvent::Failed(e.short())),
    };
    report(ExportEvent::Started(job.clone()));
    let complete = match job.status {
        ExportStatus::Complete => ExportComplete {
            download_url: job.download_url.clone(),
            bytes: job.bytes.unwrap_or_default(),
            pages: job.pages.unwrap_or_default(),
            cached: job.cached.unwrap_or_default(),
            warnings: job.warnings.clone(),
        },
        ExportStatus::Failed => {
            let reason = job.reason.clone();
            return report(ExportEvent::Failed(
                reason.unwrap_or_else(|| "the export failed (no reason recorded)".into()),
            ));
        }
        ExportStatus::Queued | ExportStatus::Rendering => {
            match follow_export(client, &job.id, report).await {
                Ok(complete) => complete,
                Err(reason) => return report(ExportEvent::Failed(reason)),
            }
        }
    };
    let file = match client.download_export(&job.id).await {
        Ok(file) => file,
        Err(e) => return report(ExportEvent::Failed(e.short())),
    };
    let bytes = file.bytes.len() as u64;
    let written = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&path, &file.bytes, overwrite)).await
    };
    report(match written {
        Ok(Ok(absolute)) => ExportEvent::Saved(Saved {
            path: absolute,
            bytes,
            pages: complete.pages,
            cached: complete.cached,
            warnings: complete.warnings,
        }),
        Ok(Err(SaveError::Exists(path))) => ExportEvent::Exists(path),
        Ok(Err(e)) => ExportEvent::Failed(e.to_string()),
        Err(e) => ExportEvent::Failed(format!("the file could not be written: {e}")),
    });
}

/// Follow an export's stream to its end, passing progress on.
async fn follow_export(
    client: &Client,
    export_id: &str,
    report: &impl Fn(ExportEvent),
) -> Result<ExportComplete, String> {
    let (updates, mut rx) = unbounded_channel();
    let watcher = tokio::spawn(stream::watch_export(
        client.clone(),
        export_id.to_string(),
        updates,
    ));
    // Ending this task (the screen closed) must end the watcher too.
    let _stop = AbortOnDrop(watcher.abort_handle());
    while let Some(update) = rx.recv().await {
        match update {
            ExportUpdate::Complete(complete) => return Ok(complete),
            ExportUpdate::Failed(reason) | ExportUpdate::GaveUp(reason) => return Err(reason),
            other => report(ExportEvent::Update(other)),
        }
    }
    Err("the export stream stopped without saying how the export ended".into())
}

/// Ends a task when dropped.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Directories and files of `dir`, hidden ones left out, sorted by name.
fn list_dir(dir: &std::path::Path) -> Result<Vec<DirEntry>, String> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follow symlinks: a link to a directory browses like one.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        entries.push(DirEntry { name, is_dir });
    }
    // Folders first, then files, each by name ignoring case.
    entries.sort_by_key(|e| (!e.is_dir, e.name.to_lowercase()));
    Ok(entries)
}
