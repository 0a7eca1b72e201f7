//! Where the UI can go ([`Route`]) and the queue of moves asked for while
//! an event is handled ([`Navigation`]).
//!
//! Screens never build each other. A screen that wants another one returns
//! an [`Effect`](super::Effect) naming a route (`Effect::Open(Route::…)`,
//! `Effect::Replace(…)`, `Effect::Back`); the app queues the move and,
//! once every effect of the event is applied, drains the queue in order:
//! it asks [`crate::screens::Screen::open`] for the screen of each route
//! (with the request that fills it) and changes its stack. So one place
//! turns routes into screens, screens only know route names, and this
//! module knows nothing of screens: the dependency runs screens → app
//! types, and app → screens only where the app drives its stack.

use std::collections::VecDeque;
use std::path::PathBuf;

use vitae_common::ResumeResource;

/// A screen to go to, with what it needs to start.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// Pick a file to upload.
    Upload,
    /// The upload screen while `path` is being sent (a retry starts here).
    Uploading(PathBuf),
    /// A parse, live; `path` is the file it came from, when known here
    /// (so a failed parse can be retried).
    Progress {
        id: String,
        filename: String,
        path: Option<PathBuf>,
    },
    /// Review a resume, loading it first.
    Review { id: String, filename: String },
    /// Review a resume already at hand (a parse that just completed, a
    /// tailored version just saved). Boxed: a whole document is large.
    Reviewing(Box<ResumeResource>),
    /// The diff of `id` (at `revision`, or its current one) against
    /// `against` (an id, `rev:N` or `<id>:rev:N`), titled `title`.
    Diff {
        id: String,
        against: String,
        revision: Option<u64>,
        title: String,
    },
    /// The share links of a resume.
    Share { id: String, filename: String },
    /// Tailor a resume to a job.
    Tailor { id: String, filename: String },
    /// Export a resume to a file: template, options, preview.
    Export { id: String, filename: String },
    /// The server's log stream.
    Logs,
}

/// One move of the screen stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Navigate {
    /// Open the route's screen on top.
    Open(Route),
    /// Replace the top screen with the route's (never the library at the
    /// bottom: the new screen goes on top of it then).
    Replace(Route),
    /// Close the top screen; on the library, quit.
    Back,
}

/// Moves asked for while one event is handled, applied in order after it,
/// so no screen sees the stack change while the event is going round.
#[derive(Debug, Default)]
pub struct Navigation {
    queue: VecDeque<Navigate>,
}

impl Navigation {
    pub fn push(&mut self, step: Navigate) {
        self.queue.push_back(step);
    }

    /// The next move, oldest first.
    pub fn pop(&mut self) -> Option<Navigate> {
        self.queue.pop_front()
    }
}
