//! Export: one resume to a PDF or Word file, in a template of the server's,
//! with page 1 previewed as the options change.
//!
//! The screen lists the templates (name and one-line description), the
//! options every template takes (format, paper, fit to one page, font
//! size, accent colour) and where the file goes (`./<Name> - <template>.
//! <ext>` until you type another path). Enter starts an export job on the
//! server (`POST …/exports`); its stream drives a stage gauge, and the
//! finished file is downloaded and written whole, then the screen says
//! where (the absolute path), how large, how many pages, whether the
//! server's cache answered, and every warning. A file already at the path
//! is replaced only after asking.
//!
//! The preview is the `png` export (page 1 of the PDF layout) of the
//! current choices, fetched by a task a moment after the last change, and
//! drawn by [`crate::graphics`] (terminal graphics, or half blocks).
//!
//! This module is the state, key tables and what keys and messages do;
//! `render` draws it.

mod render;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::Frame;
use vitae_common::export::{
    parse_accent, ExportFormat, ExportProgress, ExportRequest, Options, Paper, TemplateResource,
    FONT_SIZE_RANGE,
};
use vitae_common::Status;

use super::widgets::{Cursor, Input, InputOutcome};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, ExportEvent, Msg, Request, Saved};
use crate::app::theme::Theme;
use crate::graphics::Picture;
use crate::stream::{ExportUpdate, Link};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    Export,
    Format,
    Paper,
    Fit,
    Smaller,
    Larger,
    TemplateSize,
    Accent,
    TypeAccent,
    EditPath,
    Reload,
    Back,
}

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next template", action: Action::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous template", action: Action::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "first template", action: Action::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "last template", action: Action::Bottom },
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "export and save to the path shown", action: Action::Export },
    Binding { keys: &[Key::ch('f')], label: "f", help: "format: PDF ⇄ Word (docx)", action: Action::Format },
    Binding { keys: &[Key::ch('p')], label: "p", help: "paper: A4 ⇄ US Letter", action: Action::Paper },
    Binding { keys: &[Key::ch('o')], label: "o", help: "fit on one page: on ⇄ off", action: Action::Fit },
    Binding { keys: &[Key::ch('-')], label: "-", help: "smaller font (0.5 pt)", action: Action::Smaller },
    Binding { keys: &[Key::ch('+'), Key::ch('=')], label: "+", help: "larger font (0.5 pt)", action: Action::Larger },
    Binding { keys: &[Key::ch('0')], label: "0", help: "the template's own font size", action: Action::TemplateSize },
    Binding { keys: &[Key::ch('a')], label: "a", help: "next accent colour (then the template's own)", action: Action::Accent },
    Binding { keys: &[Key::ch('A'), Key::ch('#')], label: "A/#", help: "type an accent colour (#RRGGBB)", action: Action::TypeAccent },
    Binding { keys: &[Key::ch('e'), Key::plain(KeyCode::Tab)], label: "e/Tab", help: "edit where the file is saved", action: Action::EditPath },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload the templates", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back (a running export is cancelled)", action: Action::Back },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditAction {
    Done,
    Cancel,
}

#[rustfmt::skip]
const PATH_KEYS: &[Binding<EditAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "export to this path", action: EditAction::Done },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "keep the path as it was", action: EditAction::Cancel },
];

#[rustfmt::skip]
const ACCENT_KEYS: &[Binding<EditAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "use this colour (#RRGGBB or #RGB; empty: the template's)", action: EditAction::Done },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "keep the colour as it was", action: EditAction::Cancel },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplaceAction {
    Replace,
}

#[rustfmt::skip]
const REPLACE_KEYS: &[Binding<ReplaceAction>] = &[
    Binding { keys: &[Key::ch('y')], label: "y", help: "replace the file (any other key keeps it)", action: ReplaceAction::Replace },
];

/// Accent colours `a` cycles through after the template's own.
pub const ACCENTS: [(&str, [u8; 3]); 6] = [
    ("blue", [0x1f, 0x6f, 0xeb]),
    ("teal", [0x0f, 0x76, 0x6e]),
    ("green", [0x2d, 0x7d, 0x3a]),
    ("red", [0xb4, 0x23, 0x18]),
    ("purple", [0x6f, 0x42, 0xc1]),
    ("graphite", [0x3b, 0x41, 0x4a]),
];

/// How much `-` and `+` change the font size, in points.
const FONT_STEP: f32 = 0.5;

/// The formats this screen writes (PNG is the preview's).
const FORMATS: [ExportFormat; 2] = [ExportFormat::Pdf, ExportFormat::Docx];

/// What the screen is asked to export: everything but the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Choices {
    pub format: ExportFormat,
    pub paper: Paper,
    pub fit_one_page: bool,
    /// `None`: the template's own.
    pub font_size: Option<f32>,
    /// `None`: the template's own.
    pub accent: Option<[u8; 3]>,
}

impl Default for Choices {
    fn default() -> Choices {
        Choices {
            format: ExportFormat::Pdf,
            paper: Paper::A4,
            fit_one_page: false,
            font_size: None,
            accent: None,
        }
    }
}

/// Which text field keys go to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Editing {
    /// The output path; `before` (and whether it was typed) comes back
    /// on Esc.
    Path {
        before: Input,
        typed: bool,
    },
    Accent {
        input: Input,
        error: Option<String>,
    },
}

/// Where the export stands.
#[derive(Debug, Clone, PartialEq)]
enum Run {
    Idle,
    /// Asking whether to replace the file at `path`.
    Replace {
        path: PathBuf,
    },
    /// Asked for; the server has not taken the job yet.
    Starting,
    /// The server took the job: its progress and stream.
    Running {
        progress: Option<ExportProgress>,
        link: Link,
    },
    Saved(Saved),
    Failed(String),
}

/// The page-1 preview.
#[derive(Debug, Default)]
struct Preview {
    picture: Option<Picture>,
    /// The newest request's ticket; answers to older ones are dropped.
    ticket: u64,
    /// A request is on its way (the picture shown is an older one).
    loading: bool,
    error: Option<String>,
}

/// Preview size before the first frame says how large its pane is.
const DEFAULT_PREVIEW_CELLS: (u16, u16) = (48, 34);

#[derive(Debug)]
pub struct ExportState {
    pub id: String,
    filename: String,
    /// `basics.name` of the resume, once loaded (it names the file).
    name: Option<String>,
    /// The resume cannot be exported: why (it is not `ready`).
    not_ready: Option<String>,
    templates: Option<Vec<TemplateResource>>,
    load_error: Option<String>,
    cursor: Cursor,
    choices: Choices,
    path: Input,
    /// The path was typed: template and format changes keep it.
    path_typed: bool,
    editing: Option<Editing>,
    run: Run,
    /// The export asked for last, for a replace after asking.
    pending: Option<(ExportRequest, PathBuf)>,
    preview: Preview,
    /// Columns × rows of the preview pane at the last frame (`None`: the
    /// terminal is too narrow to show it).
    preview_cells: Option<(u16, u16)>,
}

impl ExportState {
    fn new(id: &str, filename: &str) -> ExportState {
        let mut state = ExportState {
            id: id.to_string(),
            filename: filename.to_string(),
            name: None,
            not_ready: None,
            templates: None,
            load_error: None,
            cursor: Cursor::default(),
            choices: Choices::default(),
            path: Input::default(),
            path_typed: false,
            editing: None,
            run: Run::Idle,
            pending: None,
            preview: Preview::default(),
            preview_cells: Some(DEFAULT_PREVIEW_CELLS),
        };
        state.path = Input::with_text(&state.default_path());
        state
    }

    /// The screen, and the load of the templates and the resume.
    pub fn open(id: &str, filename: &str) -> (ExportState, Request) {
        (
            ExportState::new(id, filename),
            Request::ExportSetup(id.to_string()),
        )
    }

    fn templates(&self) -> &[TemplateResource] {
        self.templates.as_deref().unwrap_or_default()
    }

    fn selected(&self) -> Option<&TemplateResource> {
        self.templates().get(self.cursor.index)
    }

    /// The formats the selected template writes, of those this screen offers.
    fn formats(&self) -> Vec<ExportFormat> {
        match self.selected() {
            Some(t) => FORMATS
                .into_iter()
                .filter(|f| t.formats.contains(f))
                .collect(),
            None => FORMATS.to_vec(),
        }
    }

    /// The name the file is called after: the person's, else the file's stem.
    fn file_stem_name(&self) -> String {
        match &self.name {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => Path::new(&self.filename)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }

    /// `./<Name> - <template>.<ext>` for the current choices.
    pub fn default_path(&self) -> String {
        let template = self
            .selected()
            .map_or(vitae_common::export::DEFAULT_TEMPLATE, |t| t.id.as_str());
        format!(
            "./{}",
            vitae_common::export::file_name(&self.file_stem_name(), template, self.choices.format)
        )
    }

    /// After a template or format change: the default path follows, and a
    /// typed path keeps its name but takes the new format's extension.
    fn retarget_path(&mut self, old_format: ExportFormat) {
        if !self.path_typed {
            self.path = Input::with_text(&self.default_path());
            return;
        }
        let new = self.choices.format;
        if old_format == new {
            return;
        }
        let text = &self.path.text;
        let old_ext = format!(".{}", old_format.extension());
        if text.to_ascii_lowercase().ends_with(&old_ext) {
            let stem = &text[..text.len() - old_ext.len()];
            self.path = Input::with_text(&format!("{stem}.{}", new.extension()));
        }
    }

    /// The request for the current template and choices.
    pub fn request(&self) -> Option<ExportRequest> {
        let template = self.selected()?;
        Some(ExportRequest {
            format: self.choices.format,
            template: template.id.clone(),
            options: Options {
                paper: self.choices.paper,
                accent: self.choices.accent,
                font_size: self.choices.font_size,
                section_order: Vec::new(),
                hidden_sections: Vec::new(),
                fit_one_page: self.choices.fit_one_page,
            },
            timestamp: None,
        })
    }

    /// Ask for the preview of the current choices (the task waits a moment,
    /// and a newer request replaces a waiting one).
    fn refresh_preview(&mut self) -> Effect {
        if self.not_ready.is_some() {
            return Effect::None;
        }
        let (Some(request), Some(cells)) = (self.request(), self.preview_cells) else {
            return Effect::None;
        };
        self.preview.ticket += 1;
        self.preview.loading = true;
        self.preview.error = None;
        Effect::Request(Request::ExportPreview {
            id: self.id.clone(),
            request,
            cells,
            ticket: self.preview.ticket,
        })
    }

    /// The font size range of the selected template.
    fn size_range(&self) -> (f32, f32) {
        let (lo, hi) = FONT_SIZE_RANGE;
        match self.selected() {
            Some(t) => (
                t.options.font_size_min.max(lo),
                t.options.font_size_max.min(hi),
            ),
            None => (lo, hi),
        }
    }

    /// The font size in effect (the template's when none is chosen).
    pub fn font_size(&self) -> Option<f32> {
        self.choices
            .font_size
            .or_else(|| self.selected().map(|t| t.options.font_size))
    }

    fn step_font(&mut self, delta: f32) -> Effect {
        let Some(current) = self.font_size() else {
            return Effect::None;
        };
        let (lo, hi) = self.size_range();
        let next = ((current + delta) / FONT_STEP).round() * FONT_STEP;
        let next = next.clamp(lo, hi);
        if next == current {
            let edge = if delta < 0.0 { "smallest" } else { "largest" };
            return Effect::Info(format!("{next} pt is the {edge} size this template takes"));
        }
        let own = self.selected().map(|t| t.options.font_size);
        // The template's own size is sent as none: the same file, one cache entry.
        self.choices.font_size = (Some(next) != own).then_some(next);
        self.refresh_preview()
    }

    /// After another template is selected: keep the choices it can take.
    fn template_changed(&mut self) -> Effect {
        let old_format = self.choices.format;
        let formats = self.formats();
        if !formats.contains(&self.choices.format) {
            if let Some(first) = formats.first() {
                self.choices.format = *first;
            }
        }
        if let Some(size) = self.choices.font_size {
            let (lo, hi) = self.size_range();
            self.choices.font_size = Some(size.clamp(lo, hi));
        }
        self.retarget_path(old_format);
        self.refresh_preview()
    }

    fn next_accent(&mut self) -> Effect {
        let at = self
            .choices
            .accent
            .and_then(|rgb| ACCENTS.iter().position(|(_, c)| *c == rgb));
        self.choices.accent = match at {
            None if self.choices.accent.is_none() => Some(ACCENTS[0].1),
            // A typed colour: start the presets over.
            None => Some(ACCENTS[0].1),
            Some(i) if i + 1 < ACCENTS.len() => Some(ACCENTS[i + 1].1),
            Some(_) => None,
        };
        self.refresh_preview()
    }

    fn running(&self) -> bool {
        matches!(self.run, Run::Starting | Run::Running { .. })
    }

    /// The path typed, `~` expanded; a path ending in `/` gets the default
    /// file name.
    fn target_path(&self) -> Result<PathBuf, String> {
        let typed = self.path.text.trim();
        if typed.is_empty() {
            return Err("type where to save the file (e to edit the path)".into());
        }
        let mut path = match typed.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => match dirs::home_dir() {
                Some(home) => home.join(rest.trim_start_matches('/')),
                None => PathBuf::from(typed),
            },
            _ => PathBuf::from(typed),
        };
        if typed.ends_with('/') {
            let default = self.default_path();
            path.push(default.trim_start_matches("./"));
        }
        if let Some(named) = path
            .file_name()
            .and_then(|n| ExportFormat::from_file_name(&n.to_string_lossy()))
        {
            if named != self.choices.format {
                return Err(format!(
                    "the file name ends in .{} but the format is {}: press f, or change the name",
                    named.extension(),
                    self.choices.format
                ));
            }
        }
        Ok(path)
    }

    /// Start the export of the current choices to the path shown.
    fn export(&mut self, overwrite: bool) -> Effect {
        if self.running() {
            return Effect::Info("an export is running; wait for it, or q to cancel it".into());
        }
        if let Some(why) = &self.not_ready {
            return Effect::Error(why.clone());
        }
        let Some(request) = self.request() else {
            return Effect::Info("no template to export with yet".into());
        };
        let path = match self.target_path() {
            Ok(path) => path,
            Err(why) => return Effect::Error(why),
        };
        self.pending = Some((request.clone(), path.clone()));
        self.run = Run::Starting;
        Effect::Request(Request::RunExport {
            id: self.id.clone(),
            request,
            path,
            overwrite,
        })
    }

    fn act(&mut self, action: Action) -> Effect {
        let len = self.templates().len();
        let before = self.cursor.index;
        match action {
            Action::Down => self.cursor.down(len),
            Action::Up => self.cursor.up(),
            Action::Top => self.cursor.top(),
            Action::Bottom => self.cursor.bottom(len),
            Action::Export => return self.export(false),
            Action::Format => {
                let formats = self.formats();
                let old = self.choices.format;
                let at = formats.iter().position(|f| *f == old).unwrap_or(0);
                let Some(next) = formats.get((at + 1) % formats.len().max(1)).copied() else {
                    return Effect::None;
                };
                if next == old {
                    return Effect::Info(format!("this template exports to {old} only"));
                }
                self.choices.format = next;
                self.retarget_path(old);
                // The preview is the PDF layout either way: nothing to fetch.
            }
            Action::Paper => {
                self.choices.paper = match self.choices.paper {
                    Paper::A4 => Paper::Letter,
                    Paper::Letter => Paper::A4,
                };
                return self.refresh_preview();
            }
            Action::Fit => {
                if self.selected().is_some_and(|t| t.options.one_page) {
                    return Effect::Info("this template always fits one page".into());
                }
                self.choices.fit_one_page = !self.choices.fit_one_page;
                return self.refresh_preview();
            }
            Action::Smaller => return self.step_font(-FONT_STEP),
            Action::Larger => return self.step_font(FONT_STEP),
            Action::TemplateSize => {
                if self.choices.font_size.take().is_some() {
                    return self.refresh_preview();
                }
            }
            Action::Accent => return self.next_accent(),
            Action::TypeAccent => {
                let hex = Options {
                    accent: self.choices.accent,
                    ..Options::default()
                }
                .accent_hex()
                .unwrap_or_default();
                self.editing = Some(Editing::Accent {
                    input: Input::with_text(&hex),
                    error: None,
                });
            }
            Action::EditPath => {
                self.editing = Some(Editing::Path {
                    before: self.path.clone(),
                    typed: self.path_typed,
                });
            }
            Action::Reload => return Effect::Request(Request::ExportSetup(self.id.clone())),
            Action::Back => {
                let cancelled = self.running();
                let mut effects = vec![Effect::Request(Request::CancelExport), Effect::Back];
                if cancelled {
                    effects.push(Effect::Info("export cancelled; nothing was saved".into()));
                }
                return Effect::Many(effects);
            }
        }
        if self.cursor.index != before {
            return self.template_changed();
        }
        Effect::None
    }

    fn handle_edit_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(editing) = self.editing.as_mut() else {
            return Effect::None;
        };
        match editing {
            Editing::Path { before, typed } => match lookup(PATH_KEYS, key) {
                Some(EditAction::Cancel) => {
                    self.path = before.clone();
                    self.path_typed = *typed;
                    self.editing = None;
                }
                Some(EditAction::Done) => {
                    self.editing = None;
                    if self.path.text != self.default_path() {
                        self.path_typed = true;
                    }
                    return self.export(false);
                }
                None => {
                    if self.path.handle_key(key) == InputOutcome::Edited {
                        self.path_typed = true;
                    }
                }
            },
            Editing::Accent { input, error } => match lookup(ACCENT_KEYS, key) {
                Some(EditAction::Cancel) => self.editing = None,
                Some(EditAction::Done) => {
                    let text = input.text.trim();
                    if text.is_empty() {
                        self.choices.accent = None;
                        self.editing = None;
                        return self.refresh_preview();
                    }
                    match parse_accent(text) {
                        Ok(rgb) => {
                            self.choices.accent = Some(rgb);
                            self.editing = None;
                            return self.refresh_preview();
                        }
                        Err(e) => *error = Some(e.to_string()),
                    }
                }
                None => {
                    input.handle_key(key);
                    *error = None;
                }
            },
        }
        Effect::None
    }

    fn on_event(&mut self, event: &ExportEvent) -> Effect {
        match event {
            ExportEvent::Exists(path) => {
                self.run = Run::Replace { path: path.clone() };
            }
            ExportEvent::Started(_) => {
                self.run = Run::Running {
                    progress: None,
                    link: Link::Connecting,
                };
            }
            ExportEvent::Update(update) => {
                if let Run::Running { progress, link, .. } = &mut self.run {
                    match update {
                        ExportUpdate::Progress(p) => *progress = Some(p.clone()),
                        ExportUpdate::Link(l) => *link = l.clone(),
                        ExportUpdate::StreamError(e) => {
                            return Effect::Error(format!("export stream: {e}"))
                        }
                        ExportUpdate::Complete(_)
                        | ExportUpdate::Failed(_)
                        | ExportUpdate::GaveUp(_) => {}
                    }
                }
            }
            ExportEvent::Saved(saved) => {
                let line = saved_line(saved);
                self.run = Run::Saved(saved.clone());
                return Effect::Info(line);
            }
            ExportEvent::Failed(reason) => {
                self.run = Run::Failed(reason.clone());
                return Effect::Error(format!("export failed: {reason}"));
            }
        }
        Effect::None
    }

    fn on_setup(
        &mut self,
        templates: &Result<Vec<TemplateResource>, crate::client::ClientError>,
        resume: &Result<vitae_common::ResumeResource, crate::client::ClientError>,
    ) -> Effect {
        if let Ok(resume) = resume {
            self.filename = resume.filename.clone();
            self.name = resume.document().and_then(|d| d.name()).map(str::to_string);
            self.not_ready = (resume.status != Status::Ready).then(|| {
                format!(
                    "{} is {}: only a parsed (ready) resume can be exported",
                    resume.filename, resume.status
                )
            });
        }
        match templates {
            Ok(list) => {
                let keep = self.selected().map(|t| t.id.clone());
                self.templates = Some(list.clone());
                self.load_error = None;
                if let Some(i) = keep.and_then(|id| list.iter().position(|t| t.id == id)) {
                    self.cursor.index = i;
                }
                self.cursor.clamp(list.len());
            }
            Err(e) => {
                self.load_error = Some(e.short());
                // The name may have arrived: the path says it even so.
                let format = self.choices.format;
                self.retarget_path(format);
                return Effect::Error(format!("cannot load the templates: {}", e.short()));
            }
        }
        let preview = self.template_changed();
        match resume {
            // Without the resume the file is named after its upload; the
            // export itself may still work, so say it and go on.
            Err(e) => Effect::Many(vec![
                Effect::Error(format!("cannot load the resume: {}", e.short())),
                preview,
            ]),
            Ok(_) => preview,
        }
    }
}

/// `Saved to /abs/cv.pdf (48213 bytes, 2 pages, from cache)`.
pub fn saved_line(saved: &Saved) -> String {
    let pages = match saved.pages {
        0 => String::new(),
        1 => ", 1 page".to_string(),
        n => format!(", {n} pages"),
    };
    let cache = if saved.cached { ", from cache" } else { "" };
    format!(
        "Saved to {} ({} bytes{pages}{cache})",
        saved.path.display(),
        saved.bytes
    )
}

impl View for ExportState {
    fn title(&self) -> String {
        format!("Export {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        match (&self.editing, &self.run) {
            (Some(Editing::Path { .. }), _) => help_of(PATH_KEYS),
            (Some(Editing::Accent { .. }), _) => help_of(ACCENT_KEYS),
            (None, Run::Replace { .. }) => help_of(REPLACE_KEYS),
            (None, _) => help_of(KEYS),
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if self.editing.is_some() {
            return self.handle_edit_key(key);
        }
        if let Run::Replace { path } = &self.run {
            let path = path.clone();
            self.run = Run::Idle;
            return match lookup(REPLACE_KEYS, key) {
                Some(ReplaceAction::Replace) => self.export(true),
                None => Effect::Info(format!("not saved: {} is unchanged", path.display())),
            };
        }
        // Shift is part of `+`, `#` and `A` on most layouts; Control is not
        // ours here.
        if key.modifiers.contains(KeyModifiers::ALT) {
            return Effect::None;
        }
        match lookup(KEYS, key) {
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        if self.editing.is_some() || matches!(self.run, Run::Replace { .. }) {
            return Effect::None;
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => self.act(Action::Down),
            MouseEventKind::ScrollUp => self.act(Action::Up),
            _ => Effect::None,
        }
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        match self.editing.as_mut() {
            Some(Editing::Path { .. }) => {
                self.path.insert_str(text);
                self.path_typed = true;
            }
            Some(Editing::Accent { input, error }) => {
                input.insert_str(text.trim());
                *error = None;
            }
            None => {}
        }
        Effect::None
    }

    fn is_typing(&self) -> bool {
        self.editing.is_some()
    }

    fn animating(&self) -> bool {
        // The gauge moves with the stream's events; nothing moves on its own.
        false
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::ExportSetup {
                id,
                templates,
                resume,
            } if *id == self.id => self.on_setup(templates, resume),
            Msg::ExportPreview { id, ticket, result } if *id == self.id => {
                // Answers to requests a newer one replaced are dropped.
                if *ticket != self.preview.ticket {
                    return Effect::None;
                }
                self.preview.loading = false;
                match result {
                    Ok(picture) => {
                        self.preview.picture = Some(picture.clone());
                        self.preview.error = None;
                    }
                    Err(e) => self.preview.error = Some(e.clone()),
                }
                Effect::None
            }
            Msg::ExportRun { id, event } if *id == self.id => self.on_event(event),
            _ => Effect::None,
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        render::render(self, frame, area, theme);
    }
}
