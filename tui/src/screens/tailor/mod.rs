//! Tailoring a resume to a job, in two steps.
//!
//! 1. Pick one of the stored jobs, or add one: from a file (`a`) or by
//!    pasting its description (`p`, or just paste on the list).
//! 2. Read the preview the server computed: which of the job's keywords the
//!    resume covers, the match score before and after, every warning, any
//!    drafts, and the diff of what tailoring changed (in the diff pane the
//!    diff screen shows too). Nothing is stored until `c` confirms it with
//!    the preview's hash; a confirm the server calls stale (the resume or
//!    the job changed since) says so and offers a new preview instead of
//!    saving.
//!
//! This module is the screen's state, key tables and what keys and messages
//! do; `render` draws it.

mod render;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::Frame;
use vitae_common::{JobResource, TailorPreview};

use super::widgets::diff_pane::{DiffPane, PaneAction, PANE_KEYS};
use super::widgets::wrap::clean;
use super::widgets::{Cursor, Input, InputOutcome};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::navigation::Route;
use crate::app::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    Preview,
    AddFile,
    Paste,
    Reload,
    Confirm,
    Recompute,
    Jobs,
    Notes,
    Leave,
}

#[rustfmt::skip]
const LIST_KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next job", action: Action::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous job", action: Action::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "first", action: Action::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "last", action: Action::Bottom },
    Binding { keys: nav::OPEN, label: "Enter/l", help: "preview the resume tailored to this job", action: Action::Preview },
    Binding { keys: &[Key::ch('a')], label: "a", help: "add a job from a file", action: Action::AddFile },
    Binding { keys: &[Key::ch('p')], label: "p", help: "add a job by pasting its description", action: Action::Paste },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload the jobs", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Leave },
];

#[rustfmt::skip]
const PREVIEW_KEYS: &[Binding<Action>] = &[
    Binding { keys: &[Key::ch('c')], label: "c", help: "confirm: save the tailored resume", action: Action::Confirm },
    Binding { keys: &[Key::ch('r')], label: "r", help: "compute the preview again", action: Action::Recompute },
    Binding { keys: &[Key::ch('d')], label: "d", help: "diff ⇄ all warnings and drafts", action: Action::Notes },
    Binding { keys: &[Key::ch('b'), Key::plain(KeyCode::Backspace)], label: "b/Bksp", help: "back to the jobs", action: Action::Jobs },
    Binding { keys: nav::BACK, label: "q/Esc", help: "leave (nothing is saved)", action: Action::Leave },
];

/// While computing, or after a preview or confirm failed.
#[rustfmt::skip]
const WAIT_KEYS: &[Binding<Action>] = &[
    Binding { keys: &[Key::ch('r')], label: "r", help: "preview again", action: Action::Recompute },
    Binding { keys: &[Key::ch('b'), Key::plain(KeyCode::Backspace)], label: "b/Bksp", help: "back to the jobs", action: Action::Jobs },
    Binding { keys: nav::BACK, label: "q/Esc", help: "leave (nothing is saved)", action: Action::Leave },
];

/// Help rows of the path prompt; keys go to the text field first.
const FILE_HELP: &[(&str, &str)] = &[
    (
        "type",
        "the path of a job description (text, Markdown or JSON); ~ is your home",
    ),
    ("Enter", "add the job"),
    ("Ctrl-u / Ctrl-w", "clear the line / the last part"),
    ("Esc", "cancel"),
];

/// Help rows of the paste box.
const PASTE_HELP: &[(&str, &str)] = &[
    (
        "paste/type",
        "the job description (Enter starts a new line)",
    ),
    ("Ctrl-s", "add the job"),
    ("Backspace", "delete the last character"),
    ("Esc", "cancel"),
];

/// Where the screen is.
#[derive(Debug)]
enum Step {
    Jobs,
    /// A preview for this job was asked for.
    Computing {
        job_id: String,
    },
    Preview(Box<TailorPreview>),
    /// The server could not compute the preview.
    Failed {
        job_id: String,
        status: Option<u16>,
        message: String,
    },
    /// Confirm answered 409: the resume or the job changed since.
    Stale {
        job_id: String,
        message: String,
    },
}

/// A text entry open over the job list.
#[derive(Debug)]
enum Prompt {
    File(Input),
    Paste(String),
}

#[derive(Debug)]
pub struct TailorState {
    pub id: String,
    filename: String,
    jobs: Vec<JobResource>,
    /// A `LoadJobs` of ours is unanswered.
    jobs_loading: bool,
    jobs_error: Option<String>,
    cursor: Cursor,
    offset: usize,
    prompt: Option<Prompt>,
    /// An `AddJob`/`AddJobFile` of ours is unanswered.
    adding: bool,
    prompt_error: Option<String>,
    step: Step,
    /// A `ConfirmTailor` of ours is unanswered.
    confirming: bool,
    pane: DiffPane,
    /// The lower half shows every warning and the drafts instead of the diff.
    notes: bool,
    notes_scroll: usize,
    notes_height: usize,
}

/// `~/x` → `$HOME/x`; other paths are taken as typed (relative ones from
/// where vitae started, like a shell would).
fn expand(typed: &str) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (typed.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(typed),
    }
}

/// Pasted text as the box keeps it: `\r\n` and `\r` become `\n`, tabs
/// spaces, and other control characters are dropped (they would move the
/// terminal's cursor when drawn).
fn clean_paste(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', "    ")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// A job described in Markdown starts with a heading.
fn content_type_of(body: &str) -> &'static str {
    if body.trim_start().starts_with('#') {
        "text/markdown"
    } else {
        "text/plain"
    }
}

fn score(value: f64) -> f64 {
    if value.is_finite() {
        value.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

impl TailorState {
    pub fn new(id: &str, filename: &str) -> TailorState {
        TailorState {
            id: id.to_string(),
            filename: filename.to_string(),
            jobs: Vec::new(),
            jobs_loading: true,
            jobs_error: None,
            cursor: Cursor::default(),
            offset: 0,
            prompt: None,
            adding: false,
            prompt_error: None,
            step: Step::Jobs,
            confirming: false,
            pane: DiffPane::default(),
            notes: false,
            notes_scroll: 0,
            notes_height: 10,
        }
    }

    /// The screen for resume `id`, and the load of the stored jobs.
    pub fn open(id: &str, filename: &str) -> (TailorState, Request) {
        (TailorState::new(id, filename), Request::LoadJobs)
    }

    fn job(&self, id: &str) -> Option<&JobResource> {
        self.jobs.iter().find(|j| j.id == id)
    }

    fn job_title(&self, id: &str) -> String {
        self.job(id)
            .map_or_else(|| format!("job {id}"), |j| clean(&j.title))
    }

    fn preview(&mut self, job_id: String) -> Effect {
        self.step = Step::Computing {
            job_id: job_id.clone(),
        };
        self.pane.reset();
        self.notes = false;
        self.notes_scroll = 0;
        Effect::Request(Request::Tailor {
            id: self.id.clone(),
            job_id,
        })
    }

    /// The job the current step is about.
    fn step_job(&self) -> Option<String> {
        match &self.step {
            Step::Jobs => None,
            Step::Computing { job_id }
            | Step::Failed { job_id, .. }
            | Step::Stale { job_id, .. } => Some(job_id.clone()),
            Step::Preview(p) => Some(p.job_id.clone()),
        }
    }

    fn back_to_jobs(&mut self) -> Effect {
        if let Some(job) = self.step_job() {
            if let Some(i) = self.jobs.iter().position(|j| j.id == job) {
                self.cursor.index = i;
            }
        }
        self.step = Step::Jobs;
        self.confirming = false;
        Effect::None
    }

    fn act(&mut self, action: Action) -> Effect {
        let len = self.jobs.len();
        match action {
            Action::Down => self.cursor.down(len),
            Action::Up => self.cursor.up(),
            Action::Top => self.cursor.top(),
            Action::Bottom => self.cursor.bottom(len),
            Action::Preview => match self.jobs.get(self.cursor.index) {
                Some(job) => {
                    let id = job.id.clone();
                    return self.preview(id);
                }
                None => {
                    return Effect::Info(
                        "no job yet: a adds one from a file, p from pasted text".into(),
                    )
                }
            },
            Action::AddFile => {
                self.prompt = Some(Prompt::File(Input::default()));
                self.prompt_error = None;
            }
            Action::Paste => {
                self.prompt = Some(Prompt::Paste(String::new()));
                self.prompt_error = None;
            }
            Action::Reload => {
                self.jobs_loading = true;
                return Effect::Request(Request::LoadJobs);
            }
            Action::Confirm => {
                let Step::Preview(preview) = &self.step else {
                    return Effect::None;
                };
                if self.confirming {
                    return Effect::Info("already saving".into());
                }
                self.confirming = true;
                return Effect::Request(Request::ConfirmTailor {
                    id: self.id.clone(),
                    job_id: preview.job_id.clone(),
                    preview_hash: preview.preview_hash.clone(),
                });
            }
            Action::Recompute | Action::Jobs if self.confirming => {
                // Its answer opens the saved resume; leaving the preview
                // now would lose it.
                return Effect::Info("saving the tailored resume: a moment".into());
            }
            Action::Recompute => {
                if let Some(job) = self.step_job() {
                    self.confirming = false;
                    return self.preview(job);
                }
            }
            Action::Jobs => return self.back_to_jobs(),
            Action::Notes => {
                self.notes = !self.notes;
            }
            Action::Leave => return Effect::Back,
        }
        Effect::None
    }

    fn submit_file(&mut self, typed: &str) -> Effect {
        let typed = typed.trim();
        if typed.is_empty() {
            self.prompt_error = Some("type the path of a job description file".into());
            return Effect::None;
        }
        self.adding = true;
        self.prompt_error = None;
        Effect::Request(Request::AddJobFile(expand(typed)))
    }

    fn submit_paste(&mut self, body: &str) -> Effect {
        if body.trim().is_empty() {
            self.prompt_error = Some("nothing to add yet: paste the job description first".into());
            return Effect::None;
        }
        self.adding = true;
        self.prompt_error = None;
        Effect::Request(Request::AddJob {
            body: body.to_string(),
            content_type: content_type_of(body),
        })
    }

    fn prompt_key(&mut self, key: &KeyEvent) -> Effect {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.adding {
            // The text is on its way; editing it now would not change what
            // is added.
            return match key.code {
                KeyCode::Esc => {
                    self.prompt = None;
                    Effect::Info("the job is still being added; it will show in the list".into())
                }
                _ => Effect::None,
            };
        }
        match &mut self.prompt {
            Some(Prompt::File(input)) => match input.handle_key(key) {
                InputOutcome::Submit => {
                    let typed = input.text.clone();
                    self.submit_file(&typed)
                }
                InputOutcome::Cancel => {
                    self.prompt = None;
                    Effect::None
                }
                InputOutcome::Edited => {
                    self.prompt_error = None;
                    Effect::None
                }
                InputOutcome::Ignored => Effect::None,
            },
            Some(Prompt::Paste(text)) => {
                match key.code {
                    KeyCode::Char('s') if ctrl => {
                        let body = text.clone();
                        return self.submit_paste(&body);
                    }
                    KeyCode::Char('u') if ctrl => text.clear(),
                    KeyCode::Char(c) if !ctrl => text.push(c),
                    KeyCode::Enter => text.push('\n'),
                    KeyCode::Tab => text.push_str("    "),
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Esc => {
                        self.prompt = None;
                        return Effect::None;
                    }
                    _ => return Effect::None,
                }
                self.prompt_error = None;
                Effect::None
            }
            None => Effect::None,
        }
    }

    fn preview_key(&mut self, key: &KeyEvent) -> Effect {
        if let Some(action) = lookup(PREVIEW_KEYS, key) {
            return self.act(action);
        }
        let Some(action) = lookup(PANE_KEYS, key) else {
            return Effect::None;
        };
        if self.notes {
            let page = self.notes_height.saturating_sub(2).max(1);
            match action {
                PaneAction::Down => self.notes_scroll = self.notes_scroll.saturating_add(1),
                PaneAction::Up => self.notes_scroll = self.notes_scroll.saturating_sub(1),
                PaneAction::PageDown => self.notes_scroll = self.notes_scroll.saturating_add(page),
                PaneAction::PageUp => self.notes_scroll = self.notes_scroll.saturating_sub(page),
                PaneAction::Top => self.notes_scroll = 0,
                // Clamped to the last page when drawn.
                PaneAction::Bottom => self.notes_scroll = usize::MAX / 2,
                _ => return Effect::Info("d: back to the diff".into()),
            }
            return Effect::None;
        }
        match &self.step {
            Step::Preview(preview) => self.pane.act(action, &preview.diff),
            _ => Effect::None,
        }
    }
}

impl View for TailorState {
    fn title(&self) -> String {
        format!("Tailor {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        match (&self.prompt, &self.step) {
            (Some(Prompt::File(_)), _) => FILE_HELP.to_vec(),
            (Some(Prompt::Paste(_)), _) => PASTE_HELP.to_vec(),
            (None, Step::Jobs) => help_of(LIST_KEYS),
            (None, Step::Preview(_)) => {
                let mut keys = help_of(PREVIEW_KEYS);
                keys.extend(help_of(PANE_KEYS));
                keys
            }
            (None, _) => help_of(WAIT_KEYS),
        }
    }

    fn is_typing(&self) -> bool {
        self.prompt.is_some()
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if self.prompt.is_some() {
            return self.prompt_key(key);
        }
        match &self.step {
            Step::Jobs => lookup(LIST_KEYS, key).map_or(Effect::None, |a| self.act(a)),
            Step::Preview(_) => self.preview_key(key),
            _ => lookup(WAIT_KEYS, key).map_or(Effect::None, |a| self.act(a)),
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        let down = match mouse.kind {
            MouseEventKind::ScrollDown => true,
            MouseEventKind::ScrollUp => false,
            _ => return Effect::None,
        };
        match (&self.step, self.notes) {
            (Step::Jobs, _) if self.prompt.is_none() => {
                if down {
                    self.cursor.down(self.jobs.len());
                } else {
                    self.cursor.up();
                }
            }
            (Step::Preview(_), false) => self.pane.scroll_by(if down { 3 } else { -3 }),
            (Step::Preview(_), true) => {
                self.notes_scroll = if down {
                    self.notes_scroll.saturating_add(3)
                } else {
                    self.notes_scroll.saturating_sub(3)
                };
            }
            _ => {}
        }
        Effect::None
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        if self.adding {
            return Effect::None;
        }
        match &mut self.prompt {
            Some(Prompt::Paste(body)) => body.push_str(&clean_paste(text)),
            Some(Prompt::File(input)) => input.insert_str(text.trim()),
            // Pasting on the list is the shortest way to add a job.
            None if matches!(self.step, Step::Jobs) => {
                self.prompt = Some(Prompt::Paste(clean_paste(text)));
            }
            None => {}
        }
        self.prompt_error = None;
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Jobs(result) if self.jobs_loading => {
                self.jobs_loading = false;
                match result {
                    Ok(jobs) => {
                        let keep = self.jobs.get(self.cursor.index).map(|j| j.id.clone());
                        self.jobs = jobs.clone();
                        self.jobs_error = None;
                        if let Some(i) =
                            keep.and_then(|id| self.jobs.iter().position(|j| j.id == id))
                        {
                            self.cursor.index = i;
                        }
                        self.cursor.clamp(self.jobs.len());
                    }
                    Err(e) => self.jobs_error = Some(e.short()),
                }
            }
            Msg::JobAdded(result) if self.adding => {
                self.adding = false;
                match result {
                    Ok(job) => {
                        match self.jobs.iter().position(|j| j.id == job.id) {
                            Some(i) => {
                                self.jobs[i] = job.clone();
                                self.cursor.index = i;
                            }
                            None => {
                                self.jobs.push(job.clone());
                                self.cursor.index = self.jobs.len() - 1;
                            }
                        }
                        self.prompt = None;
                        self.prompt_error = None;
                        return Effect::Info(format!(
                            "added the job {}: {} keywords; Enter previews it",
                            clean(&job.title),
                            job.keywords.skills.len()
                        ));
                    }
                    Err(e) => {
                        if self.prompt.is_none() {
                            return Effect::Error(format!("cannot add the job: {}", e.short()));
                        }
                        self.prompt_error = Some(format!("cannot add the job: {}", e.short()));
                    }
                }
            }
            Msg::Preview(result) => {
                let Step::Computing { job_id } = &self.step else {
                    return Effect::None;
                };
                match result {
                    Ok(preview) if preview.source_id == self.id && preview.job_id == *job_id => {
                        self.step = Step::Preview(Box::new(preview.clone()));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.step = Step::Failed {
                            job_id: job_id.clone(),
                            status: e.status(),
                            message: e.short(),
                        };
                    }
                }
            }
            Msg::Confirmed(result) if self.confirming => match result {
                Ok(resume) if resume.parent_id.as_deref().is_none_or(|p| p == self.id) => {
                    self.confirming = false;
                    return Effect::Many(vec![
                        Effect::Info(format!("saved as {}", resume.filename)),
                        Effect::Request(Request::LoadResumes),
                        Effect::Replace(Route::Reviewing(Box::new(resume.clone()))),
                    ]);
                }
                Ok(_) => {}
                Err(e) => {
                    self.confirming = false;
                    if e.status() == Some(409) {
                        let job_id = self.step_job().unwrap_or_default();
                        self.step = Step::Stale {
                            job_id,
                            message: e.short(),
                        };
                    } else {
                        return Effect::Error(e.short());
                    }
                }
            },
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        self.draw(frame, area, theme);
    }
}

#[cfg(test)]
mod tests;
