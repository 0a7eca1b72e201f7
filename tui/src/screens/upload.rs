//! Picking a file to upload: a path entry with Tab completion over a small
//! directory browser that shows folders and the file types Vitae reads.
//!
//! What is typed and what is listed are one thing: the text before the last
//! `/` is the folder being browsed, the text after it filters the entries.
//! Directories are listed by a task (never on the UI thread). Once the
//! server accepts the upload, this screen becomes the live progress view.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::widgets::{Cursor, Input, InputOutcome};
use super::View;
use crate::app::msg::DirEntry;
use crate::app::msg::{Effect, Msg, Request};
use crate::app::navigation::Route;
use crate::app::theme::Theme;
use crate::client::SUPPORTED_EXTENSIONS;

/// Help rows; the keys are handled in `handle_key` because typing comes first.
const KEYS: &[(&str, &str)] = &[
    ("type", "a path; the list shows the matching files"),
    ("Tab", "complete the path"),
    ("↑/↓, Ctrl-p/n", "choose in the list"),
    ("Enter", "upload the file (or open the folder)"),
    ("Ctrl-u / Ctrl-w", "clear the line / the last part"),
    ("F1", "this help (? is typed)"),
    ("Esc", "back"),
];

#[derive(Debug)]
pub struct UploadState {
    input: Input,
    cwd: PathBuf,
    /// The folder the entries are from.
    dir: PathBuf,
    entries: Vec<DirEntry>,
    listing_error: Option<String>,
    cursor: Cursor,
    uploading: Option<PathBuf>,
    error: Option<String>,
}

fn supported(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SUPPORTED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

impl UploadState {
    pub fn new(start: Option<PathBuf>) -> UploadState {
        let cwd = start
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        UploadState {
            input: Input::default(),
            dir: cwd.clone(),
            cwd,
            entries: Vec::new(),
            listing_error: None,
            cursor: Cursor::default(),
            uploading: None,
            error: None,
        }
    }

    /// The picker in the current directory, and the listing of it.
    pub fn open() -> (UploadState, Request) {
        let state = UploadState::new(None);
        let dir = state.dir.clone();
        (state, Request::ListDir(dir))
    }

    /// The screen while `path` is being sent (a retry starts here), and the
    /// upload of it.
    pub fn uploading(path: PathBuf) -> (UploadState, Request) {
        let mut state = UploadState::new(path.parent().map(Path::to_path_buf));
        state.input = Input::with_text(&path.to_string_lossy());
        state.uploading = Some(path.clone());
        (state, Request::Upload(path))
    }

    /// `~/x` → `$HOME/x`; relative paths are relative to where vitae started.
    fn resolve(&self, typed: &str) -> PathBuf {
        let expanded = match typed.strip_prefix('~') {
            Some(rest) => match home() {
                Some(home) => home.join(rest.trim_start_matches('/')),
                None => PathBuf::from(typed),
            },
            None => PathBuf::from(typed),
        };
        if expanded.is_absolute() {
            expanded
        } else {
            self.cwd.join(expanded)
        }
    }

    /// (folder part as typed, name filter).
    fn split(&self) -> (&str, &str) {
        match self.input.text.rfind('/') {
            Some(at) => (&self.input.text[..=at], &self.input.text[at + 1..]),
            None => ("", self.input.text.as_str()),
        }
    }

    fn visible(&self) -> Vec<&DirEntry> {
        let (_, filter) = self.split();
        let filter = filter.to_lowercase();
        self.entries
            .iter()
            .filter(|e| e.is_dir || supported(&e.name))
            .filter(|e| e.name.to_lowercase().starts_with(&filter))
            .collect()
    }

    /// After an edit: list the typed folder if it changed.
    fn refresh(&mut self) -> Effect {
        self.cursor = Cursor::default();
        self.error = None;
        let (folder, _) = self.split();
        let dir = if folder.is_empty() {
            self.cwd.clone()
        } else {
            self.resolve(folder)
        };
        if dir != self.dir {
            self.dir = dir.clone();
            self.entries.clear();
            self.listing_error = None;
            return Effect::Request(Request::ListDir(dir));
        }
        Effect::None
    }

    fn complete(&mut self) -> Effect {
        let (folder, _) = self.split();
        let folder = folder.to_string();
        let names: Vec<(String, bool)> = self
            .visible()
            .iter()
            .map(|e| (e.name.clone(), e.is_dir))
            .collect();
        let completed = match names.as_slice() {
            [] => return Effect::Info("nothing matches".into()),
            [(name, is_dir)] => format!("{folder}{name}{}", if *is_dir { "/" } else { "" }),
            many => {
                let first = &many[0].0;
                let common = many.iter().skip(1).fold(first.len(), |len, (name, _)| {
                    first
                        .char_indices()
                        .zip(name.chars())
                        .take_while(|((_, a), b)| a.eq_ignore_ascii_case(b))
                        .last()
                        .map_or(0, |((i, c), _)| i + c.len_utf8())
                        .min(len)
                });
                format!("{folder}{}", &first[..common])
            }
        };
        self.input = Input::with_text(&completed);
        self.refresh()
    }

    fn upload(&mut self, path: PathBuf) -> Effect {
        self.uploading = Some(path.clone());
        self.error = None;
        Effect::Request(Request::Upload(path))
    }

    fn submit(&mut self) -> Effect {
        if self.uploading.is_some() {
            return Effect::Info("already uploading".into());
        }
        let (folder, _) = self.split();
        let folder = folder.to_string();
        if let Some(entry) = self.visible().get(self.cursor.index).map(|e| (*e).clone()) {
            if entry.is_dir {
                self.input = Input::with_text(&format!("{folder}{}/", entry.name));
                return self.refresh();
            }
            let path = self.dir.join(&entry.name);
            return self.upload(path);
        }
        let typed = self.input.text.trim().to_string();
        if typed.is_empty() {
            return Effect::Info("type a path, or choose a file in the list".into());
        }
        // No stat here: the UI thread never touches the disk. A path that
        // is not a readable file comes back as the upload's error.
        self.upload(self.resolve(&typed))
    }
}

impl View for UploadState {
    fn title(&self) -> String {
        "Upload".into()
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        KEYS.to_vec()
    }

    fn is_typing(&self) -> bool {
        true
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.visible().len();
        match key.code {
            KeyCode::Down => self.cursor.down(len),
            KeyCode::Char('n') if ctrl => self.cursor.down(len),
            KeyCode::Up => self.cursor.up(),
            KeyCode::Char('p') if ctrl => self.cursor.up(),
            KeyCode::PageDown => self.cursor.page_down(len, 10),
            KeyCode::PageUp => self.cursor.page_up(10),
            KeyCode::Tab => return self.complete(),
            _ => match self.input.handle_key(key) {
                InputOutcome::Submit => return self.submit(),
                InputOutcome::Cancel => return Effect::Back,
                InputOutcome::Edited => return self.refresh(),
                InputOutcome::Ignored => {}
            },
        }
        Effect::None
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        self.input.insert_str(text.trim());
        self.refresh()
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.cursor.down(self.visible().len()),
            MouseEventKind::ScrollUp => self.cursor.up(),
            _ => {}
        }
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::DirListing { dir, result } if *dir == self.dir => {
                match result {
                    Ok(entries) => {
                        self.entries = entries.clone();
                        self.listing_error = None;
                    }
                    Err(e) => {
                        self.entries.clear();
                        self.listing_error = Some(e.clone());
                    }
                }
                self.cursor.clamp(self.visible().len());
            }
            Msg::Uploaded { path, result } if self.uploading.as_ref() == Some(path) => {
                self.uploading = None;
                match result {
                    Ok(resume) => {
                        return Effect::Replace(Route::Progress {
                            id: resume.id.clone(),
                            filename: resume.filename.clone(),
                            path: Some(path.clone()),
                        })
                    }
                    Err(e) => self.error = Some(format!("upload refused: {}", e.short())),
                }
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focused_border())
            .title(Span::styled(" Upload a resume ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [input_area, info_area, list_area, hint_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("path: ", theme.dim()),
                Span::raw(self.input.display()),
            ])),
            input_area,
        );
        let info = if let Some(path) = &self.uploading {
            Line::styled(format!("uploading {} …", path.display()), theme.warn())
        } else if let Some(error) = &self.error {
            Line::styled(error.clone(), theme.error())
        } else if let Some(error) = &self.listing_error {
            Line::styled(error.clone(), theme.error())
        } else {
            Line::styled(
                format!(
                    "in {}  (PDF, DOCX, Markdown, text, JSON Resume)",
                    self.dir.display()
                ),
                theme.dim(),
            )
        };
        frame.render_widget(Paragraph::new(info).wrap(Wrap { trim: true }), info_area);
        let items: Vec<ListItem> = self
            .visible()
            .iter()
            .map(|e| {
                if e.is_dir {
                    ListItem::new(Line::styled(format!("▸ {}/", e.name), theme.title()))
                } else {
                    ListItem::new(format!("  {}", e.name))
                }
            })
            .collect();
        let empty = items.is_empty();
        let mut state = ListState::default().with_selected(Some(self.cursor.index));
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme.selected()),
            list_area,
            &mut state,
        );
        if empty && self.listing_error.is_none() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "  (no folders or resume files match)",
                    theme.dim(),
                )),
                list_area,
            );
        }
        frame.render_widget(
            Paragraph::new(Line::styled(
                "Tab: complete  ↑↓: choose  Enter: upload/open  Esc: back  F1: help",
                theme.dim(),
            )),
            hint_area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::testing::{ch, draw, key};

    fn entry(name: &str, is_dir: bool) -> DirEntry {
        DirEntry {
            name: name.into(),
            is_dir,
        }
    }

    fn sample() -> UploadState {
        let mut state = UploadState::new(Some(PathBuf::from("/home/zoe")));
        state.on_msg(&Msg::DirListing {
            dir: PathBuf::from("/home/zoe"),
            result: Ok(vec![
                entry("Documents", true),
                entry("cv.pdf", false),
                entry("cv-2025.docx", false),
                entry("notes.xlsx", false),
                entry("resume.md", false),
            ]),
        });
        state
    }

    #[test]
    fn only_folders_and_readable_files_are_listed_and_typing_filters() {
        let mut state = sample();
        let names = |s: &UploadState| {
            s.visible()
                .iter()
                .map(|e| e.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&state),
            ["Documents", "cv.pdf", "cv-2025.docx", "resume.md"]
        );
        state.handle_key(&ch('c'));
        assert_eq!(names(&state), ["cv.pdf", "cv-2025.docx"]);
        // Tab completes the common prefix, then the unique match.
        state.handle_key(&key(KeyCode::Tab));
        assert_eq!(state.input.text, "cv");
        state.handle_key(&ch('.'));
        state.handle_key(&key(KeyCode::Tab));
        assert_eq!(state.input.text, "cv.pdf");
        assert_eq!(
            state.handle_key(&key(KeyCode::Enter)).request(),
            Some(Request::Upload(PathBuf::from("/home/zoe/cv.pdf")))
        );
    }

    #[test]
    fn entering_a_folder_lists_it() {
        let mut state = sample();
        let effect = state.handle_key(&key(KeyCode::Enter));
        assert_eq!(state.input.text, "Documents/");
        assert_eq!(
            effect.request(),
            Some(Request::ListDir(PathBuf::from("/home/zoe/Documents/")))
        );
    }

    #[test]
    fn a_refused_upload_stays_on_the_picker_with_the_reason() {
        let mut state = sample();
        state.handle_key(&key(KeyCode::Down));
        let effect = state.handle_key(&key(KeyCode::Enter));
        let Some(Request::Upload(path)) = effect.request() else {
            panic!("expected an upload")
        };
        state.on_msg(&Msg::Uploaded {
            path,
            result: Err(crate::client::ClientError::Api {
                status: 415,
                code: "unsupported_media_type".into(),
                message: "not a PDF".into(),
                request_id: "r1".into(),
            }),
        });
        assert_eq!(state.error.as_deref(), Some("upload refused: not a PDF"));
        insta::assert_snapshot!(draw(&mut state, 70, 12));
    }
}
