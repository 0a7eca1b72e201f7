//! Tailoring a resume to a job, in two steps.
//!
//! 1. Pick one of the stored jobs, or add one: from a file (`a`) or by
//!    pasting its description (`p`, or just paste on the list).
//! 2. Read the preview the server computed: which of the job's keywords the
//!    resume covers, the match score before and after, every warning, any
//!    drafts, and the diff of what tailoring changed (the diff screen's
//!    pane). Nothing is stored until `c` confirms it with the preview's
//!    hash; a confirm the server calls stale (the resume or the job changed
//!    since) says so and offers a new preview instead of saving.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use vitae_common::{JobResource, TailorPreview};

use super::widgets::diff_pane::{summary_spans, DiffPane, PaneAction, PANE_KEYS};
use super::widgets::wrap::wrap;
use super::widgets::{centered, short_time, truncate, Cursor, Input, InputOutcome};
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

fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
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

    fn notes_lines(
        &self,
        preview: &TailorPreview,
        theme: &Theme,
        width: usize,
    ) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let heading = |text: &str| Line::styled(text.to_string(), theme.title());
        lines.push(heading(&format!("Warnings ({})", preview.warnings.len())));
        if preview.warnings.is_empty() {
            lines.push(Line::styled("none", theme.dim()));
        }
        for warning in &preview.warnings {
            lines.extend(wrap(
                vec![Span::styled("⚠ ", theme.warn())],
                2,
                vec![Span::raw(clean(warning))],
                width,
            ));
        }
        if let Some(drafts) = &preview.drafts {
            for (title, text) in [
                ("Cover letter", &drafts.cover_letter),
                ("Outreach message", &drafts.outreach_message),
            ] {
                let Some(text) = text else { continue };
                lines.push(Line::raw(""));
                lines.push(heading(title));
                for paragraph in clean_paste(text).lines() {
                    lines.extend(wrap(
                        Vec::new(),
                        0,
                        vec![Span::raw(paragraph.to_string())],
                        width,
                    ));
                }
            }
            lines.push(Line::raw(""));
            lines.extend(wrap(
                Vec::new(),
                0,
                vec![Span::styled(
                    format!(
                        "Drafted by {}, and checked against the resume: anything naming an employer, date or skill it lacks was dropped.",
                        clean(&drafts.model)
                    ),
                    theme.dim(),
                )],
                width,
            ));
        }
        lines
    }

    fn render_jobs(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(
                    " Tailor {} to a job ({}) ",
                    clean(&self.filename),
                    self.jobs.len()
                ),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list_area, hint_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Enter", theme.key()),
                Span::raw(": preview  "),
                Span::styled("a", theme.key()),
                Span::raw(": add from a file  "),
                Span::styled("p", theme.key()),
                Span::raw(": paste a description  "),
                Span::styled("q", theme.key()),
                Span::raw(": back"),
            ])),
            hint_area,
        );
        if self.jobs.is_empty() {
            let text = match (&self.jobs_error, self.jobs_loading) {
                (Some(e), _) => vec![Line::styled(
                    format!("Cannot load the jobs: {}", clean(e)),
                    theme.error(),
                )],
                (None, true) => vec![Line::styled("Loading jobs…", theme.dim())],
                (None, false) => vec![
                    Line::raw("No jobs stored yet."),
                    Line::raw(""),
                    Line::raw("Add the description of the job you want this resume tailored to:"),
                    Line::from(vec![
                        Span::styled("  a", theme.key()),
                        Span::raw("  from a file (text, Markdown or JSON)"),
                    ]),
                    Line::from(vec![
                        Span::styled("  p", theme.key()),
                        Span::raw("  paste it (or just paste it here)"),
                    ]),
                ],
            };
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), list_area);
            return;
        }
        // Widths are worked out here so that long names end in `…`
        // rather than being cut mid-word by the table.
        let avail = (list_area.width as usize).saturating_sub(2 + 3 + 16);
        let (title_w, company_w) = (avail * 35 / 100, avail * 20 / 100);
        let keywords_w = avail.saturating_sub(title_w + company_w);
        let rows: Vec<Row> = self
            .jobs
            .iter()
            .map(|job| {
                let skills = &job.keywords.skills;
                let mut top = skills
                    .iter()
                    .take(3)
                    .map(|s| clean(s))
                    .collect::<Vec<_>>()
                    .join(", ");
                if skills.len() > 3 {
                    top.push_str(&format!(" +{}", skills.len() - 3));
                }
                Row::new(vec![
                    Cell::from(truncate(&clean(&job.title), title_w)),
                    Cell::from(truncate(
                        &clean(job.company.as_deref().unwrap_or("—")),
                        company_w,
                    )),
                    Cell::from(Span::styled(truncate(&top, keywords_w), theme.dim())),
                    Cell::from(Span::styled(short_time(&job.created_at), theme.dim())),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(title_w as u16),
                Constraint::Length(company_w as u16),
                Constraint::Length(keywords_w as u16),
                Constraint::Length(16),
            ],
        )
        .header(
            Row::new(vec!["title", "company", "top keywords", "created (UTC)"]).style(theme.dim()),
        )
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶ ");
        let mut state = TableState::default()
            .with_selected(Some(self.cursor.index))
            .with_offset(self.offset);
        frame.render_stateful_widget(table, list_area, &mut state);
        self.offset = state.offset();
    }

    fn render_prompt(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Some(prompt) = &self.prompt else { return };
        let status = if self.adding {
            Line::styled("adding the job…", theme.warn())
        } else if let Some(error) = &self.prompt_error {
            Line::styled(clean(error), theme.error())
        } else {
            Line::raw("")
        };
        match prompt {
            Prompt::File(input) => {
                let popup = centered(area, 76, 7);
                frame.render_widget(Clear, popup);
                let lines = vec![
                    Line::styled(
                        "The job description: a text, Markdown or JSON file.",
                        theme.dim(),
                    ),
                    Line::from(vec![
                        Span::styled("path: ", theme.dim()),
                        Span::raw(clean(&input.display())),
                    ]),
                    status,
                    Line::from(vec![
                        Span::styled("Enter", theme.key()),
                        Span::raw(": add   "),
                        Span::styled("Esc", theme.key()),
                        Span::raw(": cancel"),
                    ]),
                ];
                frame.render_widget(
                    Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(theme.focused_border())
                            .title(Span::styled(" Add a job from a file ", theme.title())),
                    ),
                    popup,
                );
            }
            Prompt::Paste(text) => {
                let popup = centered(
                    area,
                    area.width.saturating_sub(8).max(40),
                    area.height.saturating_sub(2).max(8),
                );
                frame.render_widget(Clear, popup);
                let count = format!(
                    " {} lines, {} characters ",
                    text.lines().count() + usize::from(text.ends_with('\n')),
                    text.chars().count()
                );
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.focused_border())
                    .title(Span::styled(" Paste the job description ", theme.title()))
                    .title_bottom(Line::styled(count, theme.dim()));
                let inner = block.inner(popup);
                frame.render_widget(block, popup);
                let [text_area, status_area, hint_area] = Layout::vertical([
                    Constraint::Min(1),
                    Constraint::Length(1),
                    Constraint::Length(1),
                ])
                .areas(inner);
                let width = text_area.width as usize;
                let mut lines: Vec<Line> = Vec::new();
                if text.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw("▏"),
                        Span::styled(
                            "Paste with your terminal (Ctrl-Shift-V, Cmd-V) or type. A description starting with # is read as Markdown.",
                            theme.dim(),
                        ),
                    ]));
                } else {
                    let all: Vec<&str> = text.split('\n').collect();
                    let last = all.len() - 1;
                    for (i, line) in all.iter().enumerate() {
                        let mut body = line.to_string();
                        if i == last {
                            body.push('▏');
                        }
                        lines.extend(wrap(Vec::new(), 0, vec![Span::raw(body)], width));
                    }
                }
                // The end is where the typing happens: keep it in view.
                let skip = lines.len().saturating_sub(text_area.height as usize);
                let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
                frame.render_widget(Paragraph::new(shown), text_area);
                frame.render_widget(Paragraph::new(status), status_area);
                frame.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled("Ctrl-s", theme.key()),
                        Span::raw(": add the job   "),
                        Span::styled("Enter", theme.key()),
                        Span::raw(": new line   "),
                        Span::styled("Esc", theme.key()),
                        Span::raw(": cancel"),
                    ])),
                    hint_area,
                );
            }
        }
    }

    fn render_message(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        lines: Vec<Line<'static>>,
    ) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Tailor {} ", clean(&self.filename)),
                theme.title(),
            ));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block),
            area,
        );
    }

    fn keys_line(theme: &Theme, keys: &[(&str, &str)]) -> Line<'static> {
        let mut spans = Vec::new();
        for (key, what) in keys {
            spans.push(Span::styled(key.to_string(), theme.key()));
            spans.push(Span::raw(format!(": {what}   ")));
        }
        Line::from(spans)
    }

    /// The top of the preview: the job, the match gauges, matched and
    /// missing keywords, and as many warnings as leave the diff room.
    fn preview_info(
        &self,
        preview: &TailorPreview,
        theme: &Theme,
        inner: Rect,
    ) -> Vec<Line<'static>> {
        let title = self.job_title(&preview.job_id);
        let company = self.job(&preview.job_id).and_then(|j| j.company.clone());
        let width = inner.width as usize;
        let mut info: Vec<Line> = Vec::new();
        let mut job_line = vec![
            Span::styled("job      ", theme.dim()),
            Span::styled(title, theme.text().add_modifier(Modifier::BOLD)),
        ];
        if let Some(company) = company {
            job_line.push(Span::raw(format!(" · {}", clean(&company))));
        }
        job_line.push(Span::styled(
            format!(
                "   (resume revision {}, job revision {})",
                preview.source_revision, preview.job_revision
            ),
            theme.dim(),
        ));
        info.push(Line::from(job_line));
        info.push(gauges(preview, theme, width));
        let m = &preview.keyword_match;
        let keyword_line = |label: &str, words: &[String], mark: &str, style| {
            let mut body = Vec::new();
            if words.is_empty() {
                body.push(Span::styled("none", theme.dim()));
            }
            for word in words {
                body.push(Span::styled(format!("{mark} {}  ", clean(word)), style));
            }
            wrap(
                vec![Span::styled(format!("{label:<9}"), theme.dim())],
                9,
                body,
                width,
            )
        };
        info.extend(keyword_line("matched", &m.matched, "✓", theme.ok()));
        info.extend(keyword_line("missing", &m.missing, "✗", theme.error()));
        let mut warnings = Vec::new();
        for warning in &preview.warnings {
            warnings.extend(wrap(
                vec![Span::styled("⚠ ", theme.warn())],
                2,
                vec![Span::raw(clean(warning))],
                width,
            ));
        }
        if let Some(drafts) = &preview.drafts {
            let mut names = Vec::new();
            if drafts.cover_letter.is_some() {
                names.push("a cover letter");
            }
            if drafts.outreach_message.is_some() {
                names.push("an outreach message");
            }
            if !names.is_empty() {
                warnings.push(Line::from(vec![
                    Span::styled("drafts   ", theme.dim()),
                    Span::raw(format!("{} — ", names.join(" and "))),
                    Span::styled("d", theme.key()),
                    Span::raw(": read them"),
                ]));
            }
        }
        // The diff keeps at least this many rows; warnings that do not fit
        // above it are all in the `d` view.
        let room = (inner.height as usize).saturating_sub(info.len() + 10);
        if warnings.len() > room {
            let hidden = warnings.len() - room.saturating_sub(1);
            warnings.truncate(room.saturating_sub(1));
            warnings.push(Line::from(vec![
                Span::styled(
                    format!("… {hidden} more lines of warnings — "),
                    theme.warn(),
                ),
                Span::styled("d", theme.key()),
                Span::raw(": read them all"),
            ]));
        }
        info.extend(warnings);
        info
    }

    fn render_preview(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Step::Preview(preview) = &self.step else {
            return;
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Tailor {} ", clean(&self.filename)),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let info = self.preview_info(preview, theme, inner);
        let confirm_hint = if self.confirming {
            Line::styled("saving the tailored resume…", theme.warn())
        } else {
            Self::keys_line(
                theme,
                &[
                    ("c", "confirm and save"),
                    ("r", "recompute"),
                    ("b", "jobs"),
                    (
                        "d",
                        if self.notes {
                            "diff"
                        } else {
                            "warnings & drafts"
                        },
                    ),
                    ("?", "help"),
                ],
            )
        };
        let [info_area, pane_area, hint_area] = Layout::vertical([
            Constraint::Length(info.len() as u16),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(info), info_area);
        frame.render_widget(Paragraph::new(confirm_hint), hint_area);

        let mut pane_block = Block::default()
            .borders(Borders::TOP | Borders::BOTTOM)
            .border_style(theme.border());
        let body = pane_block.inner(pane_area);
        if self.notes {
            let lines = self.notes_lines(preview, theme, body.width as usize);
            self.notes_height = body.height as usize;
            let max = lines.len().saturating_sub(self.notes_height);
            self.notes_scroll = self.notes_scroll.min(max);
            let shown: Vec<Line> = lines
                .into_iter()
                .skip(self.notes_scroll)
                .take(self.notes_height)
                .collect();
            frame.render_widget(Paragraph::new(shown), body);
            pane_block = pane_block.title(Span::styled(" Warnings and drafts ", theme.title()));
        } else {
            self.pane.render(frame, body, &preview.diff, theme);
            let mut title = vec![Span::styled(" Changes  ", theme.title())];
            title.extend(summary_spans(&preview.diff, theme));
            title.push(Span::raw(" "));
            pane_block = pane_block
                .title(Line::from(title))
                .title_bottom(Line::styled(
                    format!(" {} ", self.pane.position(&preview.diff)),
                    theme.dim(),
                ));
        }
        frame.render_widget(pane_block, pane_area);
    }
}

/// `match before ████░░░░ 42.5   match after ██████░░ 71.0 (+28.5)`. Drawn
/// with block characters rather than a coloured `Gauge`, so the level shows
/// without colour too.
fn gauges(preview: &TailorPreview, theme: &Theme, width: usize) -> Line<'static> {
    let (before, after) = (
        score(preview.keyword_match.score_before),
        score(preview.keyword_match.score_after),
    );
    let half = width / 2;
    let bar = |label: &str, value: f64, extra: String, style| {
        let text = format!(" {value:.1}{extra}");
        let room = half
            .saturating_sub(label.chars().count() + text.chars().count() + 3)
            .max(4);
        let filled = ((value / 100.0) * room as f64).round() as usize;
        let filled = filled.min(room);
        vec![
            Span::styled(label.to_string(), theme.dim()),
            Span::styled("█".repeat(filled), style),
            Span::styled("░".repeat(room - filled), theme.dim()),
            Span::styled(text, theme.text().add_modifier(Modifier::BOLD)),
            Span::raw("   "),
        ]
    };
    let delta = after - before;
    let mut spans = bar("match before ", before, String::new(), theme.warn());
    spans.extend(bar(
        "match after ",
        after,
        if delta.abs() >= 0.05 {
            format!(" ({delta:+.1})")
        } else {
            String::new()
        },
        theme.ok(),
    ));
    Line::from(spans)
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
        match &self.step {
            Step::Jobs => self.render_jobs(frame, area, theme),
            Step::Computing { job_id } => {
                let lines = vec![
                    Line::styled(
                        format!("Computing the preview for {}…", self.job_title(job_id)),
                        theme.warn(),
                    ),
                    Line::raw(""),
                    Line::styled(
                        "Nothing is saved until you confirm the preview.",
                        theme.dim(),
                    ),
                    Line::raw(""),
                    Self::keys_line(theme, &[("b", "jobs"), ("q", "leave")]),
                ];
                self.render_message(frame, area, theme, lines);
            }
            Step::Failed {
                job_id,
                status,
                message,
            } => {
                let mut lines = vec![
                    Line::styled(
                        format!("Cannot tailor to {}:", self.job_title(job_id)),
                        theme.error(),
                    ),
                    Line::raw(clean(message)),
                    Line::raw(""),
                ];
                if *status == Some(409) {
                    lines.push(Line::styled(
                        "Only a ready resume can be tailored: wait for its parse to finish (or fix a failed one), then press r.",
                        theme.dim(),
                    ));
                    lines.push(Line::raw(""));
                }
                lines.push(Self::keys_line(
                    theme,
                    &[("r", "try again"), ("b", "jobs"), ("q", "leave")],
                ));
                self.render_message(frame, area, theme, lines);
            }
            Step::Stale { job_id, message } => {
                let message = clean(message);
                let lines = vec![
                    Line::styled(
                        format!("This preview is stale: {}.", message.trim_end_matches('.')),
                        theme.error(),
                    ),
                    Line::raw(""),
                    Line::raw(format!(
                        "The resume or the job ({}) changed after the preview was computed, so nothing was saved.",
                        self.job_title(job_id)
                    )),
                    Line::raw(""),
                    Self::keys_line(theme, &[("r", "preview again"), ("b", "jobs"), ("q", "leave")]),
                ];
                self.render_message(frame, area, theme, lines);
            }
            Step::Preview(_) => self.render_preview(frame, area, theme),
        }
        self.render_prompt(frame, area, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::screens::library::tests::resume;
    use crate::screens::testing::{ch, draw, key};
    use serde_json::json;
    use vitae_common::diff::diff_values;
    use vitae_common::jobs::{JobKeywords, KeywordMatch};
    use vitae_common::{Resume, Status};

    fn job(id: &str, title: &str, company: Option<&str>, skills: &[&str]) -> JobResource {
        JobResource {
            id: id.into(),
            title: title.into(),
            company: company.map(str::to_string),
            keywords: JobKeywords {
                skills: skills.iter().map(|s| s.to_string()).collect(),
                phrases: vec![],
                seniority: Some("senior".into()),
                years: Some(5),
            },
            revision: 1,
            content_hash: "h".into(),
            format: "markdown".into(),
            created_at: "2026-11-20T09:30:00.000Z".into(),
            updated_at: "2026-11-20T09:30:00.000Z".into(),
            text: None,
        }
    }

    fn with_jobs() -> TailorState {
        let mut state = TailorState::new("r1", "zoe.pdf");
        state.on_msg(&Msg::Jobs(Ok(vec![
            job(
                "j1",
                "Senior Platform Engineer",
                Some("Acme"),
                &[
                    "Rust",
                    "Kubernetes",
                    "Terraform",
                    "PostgreSQL",
                    "Go",
                    "gRPC",
                ],
            ),
            job("j2", "Backend Developer", None, &["Go", "PostgreSQL"]),
            job(
                "j3",
                "Site Reliability Engineer",
                Some("Nordlys Systems AB"),
                &[],
            ),
        ])));
        state
    }

    fn sample_preview(job_id: &str) -> TailorPreview {
        let before = json!({
            "work": [{"name": "Acme Cloud", "position": "Backend Engineer", "highlights": [
                "Ran the on-call rotation for twelve services",
                "Built the billing service in Rust on PostgreSQL",
                "Moved CI to GitHub Actions"
            ]}],
            "skills": [{"name": "Go"}, {"name": "Python"}, {"name": "Rust"}, {"name": "PostgreSQL"}]
        });
        let after = json!({
            "work": [{"name": "Acme Cloud", "position": "Backend Engineer", "highlights": [
                "Built the billing service in Rust on PostgreSQL",
                "Ran the on-call rotation for twelve services",
                "Moved CI to GitHub Actions"
            ]}],
            "skills": [{"name": "Rust"}, {"name": "PostgreSQL"}, {"name": "Go"}, {"name": "Python"}]
        });
        TailorPreview {
            preview_hash: "hash-1".into(),
            source_id: "r1".into(),
            source_revision: 2,
            job_id: job_id.into(),
            job_revision: 1,
            tailored: Resume::default(),
            keyword_match: KeywordMatch {
                matched: vec!["Rust".into(), "PostgreSQL".into(), "Go".into()],
                missing: vec!["Kubernetes".into(), "Terraform".into(), "gRPC".into()],
                score_before: 42.46,
                score_after: 71.0,
            },
            diff: diff_values(&before, &after),
            warnings: vec![
                "the resume does not mention Kubernetes, Terraform, gRPC: add them only if they are true".into(),
                "project \"Old blog\" left out: it mentions none of the job's keywords".into(),
            ],
            drafts: None,
        }
    }

    fn previewing() -> TailorState {
        let mut state = with_jobs();
        state.handle_key(&key(KeyCode::Enter));
        state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
        assert!(matches!(state.step, Step::Preview(_)));
        state
    }

    fn api(status: u16, message: &str) -> ClientError {
        ClientError::Api {
            status,
            code: "conflict".into(),
            message: message.into(),
            request_id: "q1".into(),
        }
    }

    #[test]
    fn tailor_job_list() {
        let mut state = with_jobs();
        state.handle_key(&ch('j'));
        insta::assert_snapshot!(draw(&mut state, 100, 12));
    }

    #[test]
    fn tailor_no_jobs_says_how_to_add_one() {
        let mut state = TailorState::new("r1", "zoe.pdf");
        state.on_msg(&Msg::Jobs(Ok(vec![])));
        insta::assert_snapshot!(draw(&mut state, 80, 12));
    }

    #[test]
    fn tailor_add_from_file_prompt() {
        let mut state = with_jobs();
        state.handle_key(&ch('a'));
        assert!(state.is_typing());
        for c in "~/jobs/acme.md".chars() {
            state.handle_key(&ch(c));
        }
        insta::assert_snapshot!(draw(&mut state, 100, 14));
        let effect = state.handle_key(&key(KeyCode::Enter));
        let Some(Request::AddJobFile(path)) = effect.request() else {
            panic!("expected AddJobFile, got {effect:?}")
        };
        assert!(path.ends_with("jobs/acme.md"));
        if let Some(home) = std::env::var_os("HOME") {
            assert!(path.starts_with(home), "~ is expanded: {path:?}");
        }
        // The new job is selected and the prompt closes.
        let added = job("j4", "Data Engineer", Some("Acme"), &["SQL"]);
        assert!(matches!(
            state.on_msg(&Msg::JobAdded(Ok(added))),
            Effect::Info(_)
        ));
        assert!(state.prompt.is_none());
        assert_eq!(state.jobs[state.cursor.index].id, "j4");
    }

    #[test]
    fn a_refused_file_keeps_the_prompt_with_the_reason() {
        let mut state = with_jobs();
        state.handle_key(&ch('a'));
        assert!(
            state.handle_key(&key(KeyCode::Enter)).request().is_none(),
            "empty path"
        );
        assert!(state.prompt_error.is_some());
        state.handle_paste("/tmp/none.md\n");
        assert!(state.handle_key(&key(KeyCode::Enter)).request().is_some());
        state.on_msg(&Msg::JobAdded(Err(ClientError::Local(
            "cannot read /tmp/none.md: not found".into(),
        ))));
        assert!(matches!(state.prompt, Some(Prompt::File(_))));
        assert_eq!(
            state.prompt_error.as_deref(),
            Some("cannot add the job: cannot read /tmp/none.md: not found")
        );
    }

    #[test]
    fn tailor_paste_box() {
        let mut state = with_jobs();
        state.handle_key(&ch('p'));
        state.handle_paste(
            "# Senior Platform Engineer\r\n\r\nAcme is hiring.\tYou know Rust and Kubernetes.\r\n",
        );
        for c in "5+ years".chars() {
            state.handle_key(&ch(c));
        }
        insta::assert_snapshot!(draw(&mut state, 100, 16));
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(
            state.handle_key(&ctrl_s).request(),
            Some(Request::AddJob {
                body: "# Senior Platform Engineer\n\nAcme is hiring.    You know Rust and Kubernetes.\n5+ years".into(),
                content_type: "text/markdown",
            })
        );
        // While it is being added, typing does nothing.
        state.handle_key(&ch('x'));
        assert!(matches!(&state.prompt, Some(Prompt::Paste(t)) if t.ends_with("years")));
    }

    #[test]
    fn paste_on_the_list_opens_the_box_and_plain_text_is_text() {
        let mut state = with_jobs();
        state.handle_paste("We need a Go developer.");
        assert!(matches!(&state.prompt, Some(Prompt::Paste(t)) if t == "We need a Go developer."));
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(matches!(
            state.handle_key(&ctrl_s).request(),
            Some(Request::AddJob {
                content_type: "text/plain",
                ..
            })
        ));
        let mut empty = with_jobs();
        empty.handle_key(&ch('p'));
        assert!(
            empty.handle_key(&ctrl_s).request().is_none(),
            "nothing to add"
        );
        empty.handle_key(&key(KeyCode::Esc));
        assert!(empty.prompt.is_none());
    }

    #[test]
    fn enter_on_a_job_asks_for_its_preview() {
        let mut state = with_jobs();
        state.handle_key(&ch('j'));
        assert_eq!(
            state.handle_key(&key(KeyCode::Enter)).request(),
            Some(Request::Tailor {
                id: "r1".into(),
                job_id: "j2".into()
            })
        );
        let text = draw(&mut state, 80, 8).to_string();
        assert!(
            text.contains("Computing the preview for Backend Developer…"),
            "{text}"
        );
    }

    #[test]
    fn tailor_preview() {
        let mut state = previewing();
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn tailor_preview_side_by_side_and_notes() {
        let mut state = previewing();
        state.handle_key(&ch('s'));
        state.handle_key(&ch('n'));
        insta::assert_snapshot!("tailor_preview_side_by_side", draw(&mut state, 100, 30));
        let Step::Preview(preview) = &mut state.step else {
            unreachable!()
        };
        preview.drafts = Some(vitae_common::Drafts {
            cover_letter: Some(
                "Dear Acme,\n\nI built the billing service in Rust on PostgreSQL.".into(),
            ),
            outreach_message: None,
            model: "llama3".into(),
        });
        state.handle_key(&ch('d'));
        insta::assert_snapshot!("tailor_preview_notes", draw(&mut state, 100, 30));
    }

    #[test]
    fn c_confirms_with_the_preview_hash_and_opens_the_new_resume() {
        let mut state = previewing();
        assert_eq!(
            state.handle_key(&ch('c')).request(),
            Some(Request::ConfirmTailor {
                id: "r1".into(),
                job_id: "j1".into(),
                preview_hash: "hash-1".into(),
            })
        );
        assert!(
            matches!(state.handle_key(&ch('c')), Effect::Info(_)),
            "once"
        );
        assert!(
            matches!(state.handle_key(&ch('b')), Effect::Info(_)),
            "stays for the answer"
        );
        assert!(matches!(state.step, Step::Preview(_)));
        let saved = resume(
            "r2",
            "zoe (for Senior Platform Engineer).json",
            Status::Ready,
            Some("r1"),
        );
        let Effect::Many(effects) = state.on_msg(&Msg::Confirmed(Ok(saved))) else {
            panic!("expected effects")
        };
        assert!(
            matches!(&effects[0], Effect::Info(t) if t == "saved as zoe (for Senior Platform Engineer).json")
        );
        assert!(matches!(&effects[1], Effect::Request(Request::LoadResumes)));
        assert!(matches!(&effects[2], Effect::Replace(Route::Reviewing(_))));
    }

    #[test]
    fn tailor_stale_confirm() {
        let mut state = previewing();
        state.handle_key(&ch('c'));
        let effect = state.on_msg(&Msg::Confirmed(Err(api(
            409,
            "the resume changed since (revision 2 then, 3 now); preview again",
        ))));
        assert!(matches!(effect, Effect::None));
        assert!(matches!(state.step, Step::Stale { .. }));
        insta::assert_snapshot!(draw(&mut state, 100, 12));
        assert_eq!(
            state.handle_key(&ch('r')).request(),
            Some(Request::Tailor {
                id: "r1".into(),
                job_id: "j1".into()
            })
        );
    }

    #[test]
    fn other_confirm_errors_go_to_the_status_bar() {
        let mut state = previewing();
        state.handle_key(&ch('c'));
        let effect = state.on_msg(&Msg::Confirmed(Err(api(500, "storage failed"))));
        assert!(matches!(effect, Effect::Error(ref t) if t == "storage failed"));
        assert!(matches!(state.step, Step::Preview(_)));
        // A confirm answer nobody here asked for is not ours.
        let other = resume("x", "x.json", Status::Ready, Some("r1"));
        assert!(matches!(
            state.on_msg(&Msg::Confirmed(Ok(other))),
            Effect::None
        ));
    }

    #[test]
    fn previews_not_asked_for_are_ignored() {
        let mut state = with_jobs();
        state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
        assert!(matches!(state.step, Step::Jobs), "none was asked");
        state.handle_key(&key(KeyCode::Enter));
        let mut foreign = sample_preview("j1");
        foreign.source_id = "another-resume".into();
        state.on_msg(&Msg::Preview(Ok(foreign)));
        assert!(
            matches!(state.step, Step::Computing { .. }),
            "another resume's"
        );
        state.on_msg(&Msg::Preview(Ok(sample_preview("j2"))));
        assert!(
            matches!(state.step, Step::Computing { .. }),
            "another job's"
        );
        state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
        assert!(matches!(state.step, Step::Preview(_)));
    }

    #[test]
    fn tailor_preview_failed_shows_the_reason() {
        let mut state = with_jobs();
        state.handle_key(&key(KeyCode::Enter));
        state.on_msg(&Msg::Preview(Err(api(
            409,
            "resume r1 is parsing; tailor it once it is ready",
        ))));
        insta::assert_snapshot!(draw(&mut state, 80, 10));
        assert!(matches!(state.handle_key(&ch('b')), Effect::None));
        assert!(matches!(state.step, Step::Jobs));
    }

    #[test]
    fn odd_scores_and_tiny_sizes_do_not_panic() {
        let mut state = previewing();
        let Step::Preview(preview) = &mut state.step else {
            unreachable!()
        };
        preview.keyword_match.score_before = f64::NAN;
        preview.keyword_match.score_after = 1e9;
        preview.warnings = vec!["w".repeat(500); 20];
        for (w, h) in [(10, 5), (30, 12), (100, 30)] {
            draw(&mut state, w, h);
        }
        state.handle_key(&ch('d'));
        state.handle_key(&ch('G'));
        draw(&mut state, 40, 10);
    }
}
