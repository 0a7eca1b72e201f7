//! The async side of the UI: each [`Request`] becomes a tokio task whose
//! answer comes back to the UI loop as a [`Msg`] over one channel. Streams
//! (parse progress, account changes, logs) are long-running tasks on the
//! same channel. Nothing here touches the terminal.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::AbortHandle;

use super::msg::{DirEntry, Msg, Request};
use crate::client::Client;
use crate::stream::{self, LogUpdate};

#[derive(Clone)]
pub struct Tasks {
    client: Client,
    tx: UnboundedSender<Msg>,
    /// The log stream's task, so closing the Logs screen can end it.
    logs: Arc<Mutex<Option<AbortHandle>>>,
}

impl Tasks {
    pub fn new(client: Client, tx: UnboundedSender<Msg>) -> Tasks {
        Tasks {
            client,
            tx,
            logs: Arc::default(),
        }
    }

    /// Swap the running log stream for `next` (or none), ending the old one.
    fn replace_logs(&self, next: Option<AbortHandle>) {
        if let Ok(mut slot) = self.logs.lock() {
            if let Some(old) = std::mem::replace(&mut *slot, next) {
                old.abort();
            }
        }
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
        Request::CreateShare { id, days } => Msg::ShareCreated(client.share(&id, days).await),
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
        Request::WatchParse(_) | Request::WatchLogs | Request::StopLogs | Request::Reconnect => {
            return None
        }
    })
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
