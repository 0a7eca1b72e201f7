//! What screens ask for ([`Effect`], [`Request`]) and what comes back from
//! the async tasks that do it ([`Msg`]). The UI thread only ever sends a
//! `Request` to [`super::tasks`] and later receives a `Msg`; it never waits.
//! Moves between screens are named by [`Route`], never by a screen, so this
//! module (like every type screens use from `app`) knows nothing of screens.

use std::path::PathBuf;

use serde_json::Value;
use vitae_common::export::{ExportJob, ExportRequest, TemplateResource};
use vitae_common::{
    CreateShare, DiffResource, JobResource, LogRecord, ResumeResource, RevisionResource,
    ShareDetail, ShareResource, TailorPreview,
};

use super::navigation::Route;
use crate::client::ClientError;
use crate::graphics::Picture;
use crate::stream::{AccountUpdate, ExportUpdate, Link, ParseUpdate};

pub type Reply<T> = Result<T, ClientError>;

/// Work for the async side.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    LoadResumes,
    /// `GET /v1/account`: usage against quotas, for the Library's footer.
    LoadUsage,
    LoadResume(String),
    Upload(PathBuf),
    /// Follow a parse stream until its terminal event.
    WatchParse(String),
    Patch {
        id: String,
        patch: Value,
        revision: u64,
    },
    SetMaster(String),
    Delete(String),
    LoadShares(String),
    CreateShare {
        id: String,
        options: NewShare,
    },
    /// `GET /v1/shares/{token}`: one link with its views per day.
    LoadShareViews(String),
    Revoke {
        id: String,
        token: String,
    },
    LoadRevisions(String),
    Restore {
        id: String,
        revision: u64,
    },
    /// `GET /v1/resumes/{id}/diff?against=…[&revision=…]`.
    Diff {
        id: String,
        against: String,
        revision: Option<u64>,
    },
    LoadJobs,
    AddJob {
        body: String,
        content_type: &'static str,
    },
    AddJobFile(PathBuf),
    Tailor {
        id: String,
        job_id: String,
    },
    ConfirmTailor {
        id: String,
        job_id: String,
        preview_hash: String,
    },
    /// Follow `/v1/logs` (admin tokens only); replaces a running log stream.
    WatchLogs,
    /// Stop the log stream (the Logs screen closed).
    StopLogs,
    /// Reconnect the account stream after it went offline.
    Reconnect,
    /// List a local directory (off the UI thread: it may be a slow mount).
    ListDir(PathBuf),
    /// The templates, and the resume (its name makes the file name).
    ExportSetup(String),
    /// Page 1 as a picture for `cells` (columns × rows), after a short
    /// pause in which a newer preview request replaces this one.
    ExportPreview {
        id: String,
        request: ExportRequest,
        cells: (u16, u16),
        ticket: u64,
    },
    /// Start an export job, follow it, download the file and write it to
    /// `path` (an existing file only when `overwrite`).
    RunExport {
        id: String,
        request: ExportRequest,
        path: PathBuf,
        overwrite: bool,
    },
    /// Stop the running export and preview (the Export screen closed).
    CancelExport,
}

/// What the share screen's new-link form asks for. Its `Debug` never
/// shows the password (requests end up in test output and panics).
#[derive(Clone, PartialEq, Eq)]
pub struct NewShare {
    pub days: Option<u32>,
    pub label: Option<String>,
    pub password: Option<String>,
    /// Freeze the link to the resume's current revision.
    pub pin: bool,
    /// Names from [`vitae_common::render::hideable`].
    pub hide: Vec<String>,
    pub allow_download: bool,
}

impl NewShare {
    /// A link with the server's defaults and `days`.
    pub fn days(days: Option<u32>) -> NewShare {
        NewShare {
            days,
            label: None,
            password: None,
            pin: false,
            hide: Vec::new(),
            allow_download: true,
        }
    }

    /// The API's request body; defaults are left out, as the CLI sends them.
    pub fn wire(&self) -> CreateShare {
        CreateShare {
            expires_in_days: self.days,
            label: self.label.clone(),
            password: self.password.clone(),
            pin: self.pin.then_some(true),
            hide: (!self.hide.is_empty()).then(|| self.hide.clone()),
            allow_download: (!self.allow_download).then_some(false),
            ..CreateShare::default()
        }
    }
}

impl std::fmt::Debug for NewShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewShare")
            .field("days", &self.days)
            .field("label", &self.label)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("pin", &self.pin)
            .field("hide", &self.hide)
            .field("allow_download", &self.allow_download)
            .finish()
    }
}

/// What a screen's key or message handling wants done.
#[derive(Debug, Default)]
pub enum Effect {
    #[default]
    None,
    /// Leave the app.
    Quit,
    /// Close the top screen (on the library: quit).
    Back,
    /// Open the route's screen on top.
    Open(Route),
    /// Replace the top screen with the route's.
    Replace(Route),
    Request(Request),
    /// A message for the status bar.
    Info(String),
    Error(String),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    Many(Vec<Effect>),
}

impl Effect {
    /// The first request this effect makes, if any (for tests).
    pub fn request(&self) -> Option<Request> {
        match self {
            Effect::Request(request) => Some(request.clone()),
            Effect::Many(effects) => effects.iter().find_map(Effect::request),
            _ => None,
        }
    }

    /// Where this effect opens or switches to, if anywhere (for tests).
    pub fn route(&self) -> Option<&Route> {
        match self {
            Effect::Open(route) | Effect::Replace(route) => Some(route),
            Effect::Many(effects) => effects.iter().find_map(Effect::route),
            _ => None,
        }
    }
}

/// Answers from the async side.
#[derive(Debug)]
pub enum Msg {
    Resumes(Reply<Vec<ResumeResource>>),
    Usage(Reply<vitae_common::AccountResource>),
    Resume(Reply<ResumeResource>),
    Uploaded {
        path: PathBuf,
        result: Reply<ResumeResource>,
    },
    Parse {
        id: String,
        update: ParseUpdate,
    },
    Account(AccountUpdate),
    Patched(Reply<ResumeResource>),
    MasterSet(Reply<ResumeResource>),
    Deleted {
        id: String,
        result: Reply<()>,
    },
    Shares {
        id: String,
        result: Reply<Vec<ShareResource>>,
    },
    ShareCreated(Reply<ShareResource>),
    ShareViews {
        token: String,
        result: Reply<ShareDetail>,
    },
    Revoked(Reply<ShareResource>),
    Revisions {
        id: String,
        result: Reply<Vec<RevisionResource>>,
    },
    Restored(Reply<ResumeResource>),
    Diff(Reply<DiffResource>),
    Jobs(Reply<Vec<JobResource>>),
    JobAdded(Reply<JobResource>),
    Preview(Reply<TailorPreview>),
    Confirmed(Reply<ResumeResource>),
    Log(LogRecord),
    LogLink(Link),
    DirListing {
        dir: PathBuf,
        result: Result<Vec<DirEntry>, String>,
    },
    ExportSetup {
        id: String,
        templates: Reply<Vec<TemplateResource>>,
        resume: Reply<ResumeResource>,
    },
    ExportPreview {
        id: String,
        ticket: u64,
        result: Result<Picture, String>,
    },
    ExportRun {
        id: String,
        event: ExportEvent,
    },
}

/// How a [`Request::RunExport`] goes.
#[derive(Debug)]
pub enum ExportEvent {
    /// The file is there already and replacing it was not asked for
    /// (nothing was rendered).
    Exists(PathBuf),
    /// The server took the job.
    Started(ExportJob),
    /// Progress and the stream's link state.
    Update(ExportUpdate),
    /// Written.
    Saved(Saved),
    /// The export or the write failed: the server's or the system's words.
    Failed(String),
}

/// A written export.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// Absolute.
    pub path: PathBuf,
    pub bytes: u64,
    pub pages: u32,
    pub cached: bool,
    pub warnings: Vec<String>,
}

/// One entry of a listed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
}
