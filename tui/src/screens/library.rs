//! The library: the caller's resumes, tailored versions under their parent,
//! the master marked, kept current by the account stream (the app reloads
//! the list on every change event), with the account's usage against its
//! quotas under the list (reloaded with it). Every other screen opens from
//! here.

use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use vitae_common::{AccountResource, ResumeResource, Status};

use super::widgets::{confirm_popup, short_time, status_badge, truncate, Cursor};
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
    Open,
    Upload,
    Master,
    Share,
    Mark,
    Diff,
    Tailor,
    Export,
    Delete,
    Refresh,
    Logs,
    Quit,
}

const KEYS: &[Binding<Action>] = &[
    Binding {
        keys: nav::DOWN,
        label: "j/↓",
        help: "next resume",
        action: Action::Down,
    },
    Binding {
        keys: nav::UP,
        label: "k/↑",
        help: "previous resume",
        action: Action::Up,
    },
    Binding {
        keys: nav::TOP,
        label: "g/Home",
        help: "first",
        action: Action::Top,
    },
    Binding {
        keys: nav::BOTTOM,
        label: "G/End",
        help: "last",
        action: Action::Bottom,
    },
    Binding {
        keys: nav::OPEN,
        label: "Enter/l",
        help: "open: review (or its parse progress)",
        action: Action::Open,
    },
    Binding {
        keys: &[Key::ch('u'), Key::ch('a')],
        label: "u",
        help: "upload a file",
        action: Action::Upload,
    },
    Binding {
        keys: &[Key::ch('m')],
        label: "m",
        help: "make it the master resume",
        action: Action::Master,
    },
    Binding {
        keys: &[Key::ch('s')],
        label: "s",
        help: "share links",
        action: Action::Share,
    },
    Binding {
        keys: &[Key::ch('v')],
        label: "v",
        help: "mark for comparing (then d on another)",
        action: Action::Mark,
    },
    Binding {
        keys: &[Key::ch('d')],
        label: "d",
        help: "diff against the marked one (or its parent)",
        action: Action::Diff,
    },
    Binding {
        keys: &[Key::ch('t')],
        label: "t",
        help: "tailor to a job",
        action: Action::Tailor,
    },
    Binding {
        keys: &[Key::ch('x')],
        label: "x",
        help: "export to PDF or Word (templates, preview)",
        action: Action::Export,
    },
    Binding {
        keys: &[Key::ch('D'), Key::plain(KeyCode::Delete)],
        label: "D/Del",
        help: "delete (asks first)",
        action: Action::Delete,
    },
    Binding {
        keys: &[Key::ch('R'), Key::ctrl('r')],
        label: "R",
        help: "reload the list",
        action: Action::Refresh,
    },
    Binding {
        keys: &[Key::ch('L')],
        label: "L",
        help: "server logs (admin)",
        action: Action::Logs,
    },
    Binding {
        keys: nav::BACK,
        label: "q/Esc",
        help: "quit",
        action: Action::Quit,
    },
];

/// One row of the tree: a resume and how deep it sits.
#[derive(Debug, Clone, PartialEq)]
struct Row_ {
    resume: ResumeResource,
    depth: usize,
}

#[derive(Debug, Default)]
pub struct LibraryState {
    rows: Vec<Row_>,
    cursor: Cursor,
    loaded: bool,
    error: Option<String>,
    /// The resume marked with `v` for a diff.
    marked: Option<String>,
    /// Asking "delete this?" for the resume with this id.
    confirm_delete: Option<String>,
    /// Where the table was drawn, for mouse clicks.
    table_area: Rect,
    offset: usize,
    /// Usage against quotas, shown under the list; `None` until loaded (or
    /// when the server has no `/v1/account`).
    usage: Option<AccountResource>,
}

/// Parents first (oldest first), each followed by its tailored versions.
fn tree(mut resumes: Vec<ResumeResource>) -> Vec<Row_> {
    resumes.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let ids: std::collections::HashSet<String> = resumes.iter().map(|r| r.id.clone()).collect();
    let mut rows = Vec::new();
    fn add(rows: &mut Vec<Row_>, all: &[ResumeResource], parent: &ResumeResource, depth: usize) {
        rows.push(Row_ {
            resume: parent.clone(),
            depth,
        });
        if depth > 8 {
            return;
        }
        for child in all
            .iter()
            .filter(|r| r.parent_id.as_deref() == Some(parent.id.as_str()))
        {
            add(rows, all, child, depth + 1);
        }
    }
    for root in resumes
        .iter()
        .filter(|r| r.parent_id.as_ref().is_none_or(|p| !ids.contains(p)))
    {
        add(&mut rows, &resumes, root, 0);
    }
    rows
}

impl LibraryState {
    pub fn selected(&self) -> Option<&ResumeResource> {
        self.rows.get(self.cursor.index).map(|r| &r.resume)
    }

    /// Replace the list, keeping the selection on the same resume.
    pub fn set_resumes(&mut self, resumes: Vec<ResumeResource>) {
        let keep = self.selected().map(|r| r.id.clone());
        self.rows = tree(resumes);
        self.loaded = true;
        self.error = None;
        if let Some(id) = keep {
            if let Some(i) = self.rows.iter().position(|r| r.resume.id == id) {
                self.cursor.index = i;
            }
        }
        self.cursor.clamp(self.rows.len());
        if let Some(marked) = &self.marked {
            if !self.rows.iter().any(|r| &r.resume.id == marked) {
                self.marked = None;
            }
        }
    }

    fn open(&self) -> Effect {
        let Some(resume) = self.selected() else {
            return Effect::Info("no resume selected; press u to upload one".into());
        };
        let (id, filename) = (resume.id.clone(), resume.filename.clone());
        Effect::Open(match resume.status {
            Status::Ready => Route::Review { id, filename },
            _ => Route::Progress {
                id,
                filename,
                path: None,
            },
        })
    }

    fn diff(&self) -> Effect {
        let Some(resume) = self.selected() else {
            return Effect::None;
        };
        let against = match (&self.marked, &resume.parent_id) {
            (Some(marked), _) if marked != &resume.id => marked.clone(),
            (_, Some(parent)) => parent.clone(),
            _ => return Effect::Info(
                "mark another resume with v first (a tailored version diffs against its parent)"
                    .into(),
            ),
        };
        let before = self
            .rows
            .iter()
            .find(|r| r.resume.id == against)
            .map_or("?".to_string(), |r| r.resume.filename.clone());
        Effect::Open(Route::Diff {
            id: resume.id.clone(),
            against,
            revision: None,
            title: format!("{before} → {}", resume.filename),
        })
    }

    fn act(&mut self, action: Action) -> Effect {
        let len = self.rows.len();
        match action {
            Action::Down => self.cursor.down(len),
            Action::Up => self.cursor.up(),
            Action::Top => self.cursor.top(),
            Action::Bottom => self.cursor.bottom(len),
            Action::Open => return self.open(),
            Action::Upload => return Effect::Open(Route::Upload),
            Action::Refresh => return Effect::Request(Request::LoadResumes),
            Action::Logs => return Effect::Open(Route::Logs),
            Action::Quit => return Effect::Quit,
            Action::Master
            | Action::Share
            | Action::Mark
            | Action::Diff
            | Action::Tailor
            | Action::Export
            | Action::Delete => {
                let Some(resume) = self.selected().cloned() else {
                    return Effect::Info("no resume selected; press u to upload one".into());
                };
                return match action {
                    Action::Master if resume.status != Status::Ready => Effect::Error(format!(
                        "{} is {}; only a ready resume can be the master",
                        resume.filename, resume.status
                    )),
                    Action::Master => Effect::Request(Request::SetMaster(resume.id)),
                    Action::Share => Effect::Open(Route::Share {
                        id: resume.id,
                        filename: resume.filename,
                    }),
                    Action::Mark => {
                        if self.marked.as_deref() == Some(&resume.id) {
                            self.marked = None;
                            Effect::Info("unmarked".into())
                        } else {
                            self.marked = Some(resume.id.clone());
                            Effect::Info(format!(
                                "marked {}: press d on another resume to compare",
                                resume.filename
                            ))
                        }
                    }
                    Action::Diff => self.diff(),
                    Action::Tailor => Effect::Open(Route::Tailor {
                        id: resume.id,
                        filename: resume.filename,
                    }),
                    Action::Export if resume.status != Status::Ready => Effect::Error(format!(
                        "{} is {}; only a ready resume can be exported",
                        resume.filename, resume.status
                    )),
                    Action::Export => Effect::Open(Route::Export {
                        id: resume.id,
                        filename: resume.filename,
                    }),
                    _ => {
                        self.confirm_delete = Some(resume.id);
                        Effect::None
                    }
                };
            }
        }
        Effect::None
    }
}

impl View for LibraryState {
    fn title(&self) -> String {
        "Library".into()
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let mut keys = help_of(KEYS);
        keys.push(("r", "reconnect the live updates when offline"));
        keys
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if let Some(id) = self.confirm_delete.clone() {
            self.confirm_delete = None;
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Effect::Request(Request::Delete(id)),
                _ => Effect::Info("not deleted".into()),
            };
        }
        match lookup(KEYS, key) {
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.cursor.down(self.rows.len()),
            MouseEventKind::ScrollUp => self.cursor.up(),
            MouseEventKind::Down(MouseButton::Left) => {
                let area = self.table_area;
                // Row 0 of the area is the border, row 1 the header.
                let first_row = area.y + 2;
                if mouse.column >= area.x
                    && mouse.column < area.x + area.width
                    && mouse.row >= first_row
                    && mouse.row < area.y + area.height.saturating_sub(1)
                {
                    let index = self.offset + (mouse.row - first_row) as usize;
                    if index < self.rows.len() {
                        if self.cursor.index == index {
                            return self.open();
                        }
                        self.cursor.index = index;
                    }
                }
            }
            _ => {}
        }
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Resumes(Ok(list)) => {
                self.set_resumes(list.clone());
                return Effect::Request(Request::LoadUsage);
            }
            Msg::Usage(Ok(account)) => self.usage = Some(account.clone()),
            // A footer is not worth an error message: it just stays off.
            Msg::Usage(Err(_)) => self.usage = None,
            Msg::Resumes(Err(e)) => {
                self.error = Some(e.to_string());
                return Effect::Error(format!("cannot load the resumes: {}", e.short()));
            }
            Msg::MasterSet(Ok(resume)) => {
                return Effect::Many(vec![
                    Effect::Info(format!("{} is now the master resume", resume.filename)),
                    Effect::Request(Request::LoadResumes),
                ])
            }
            Msg::MasterSet(Err(e)) => return Effect::Error(e.short()),
            Msg::Deleted { result: Ok(()), .. } => {
                return Effect::Many(vec![
                    Effect::Info("deleted".into()),
                    Effect::Request(Request::LoadResumes),
                ])
            }
            Msg::Deleted { result: Err(e), .. } => return Effect::Error(e.short()),
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        self.table_area = area;
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Resumes ({}) ", self.rows.len()),
                theme.title(),
            ));
        if let Some(account) = &self.usage {
            // Nearly full (90 % of any quota) shows in the warning colour.
            let style = match crate::usage::fullest(account).and_then(|r| r.percent) {
                Some(p) if p >= 90 => theme.warn(),
                _ => theme.dim(),
            };
            block = block.title_bottom(
                Line::styled(format!(" {} ", crate::usage::summary(account)), style)
                    .right_aligned(),
            );
        }
        if self.rows.is_empty() {
            let text = match (&self.error, self.loaded) {
                (Some(e), _) => vec![Line::styled(
                    format!("Cannot load resumes: {e}"),
                    theme.error(),
                )],
                (None, false) => vec![Line::styled("Loading…", theme.dim())],
                (None, true) => vec![
                    Line::raw("No resumes yet."),
                    Line::raw(""),
                    Line::from(vec![
                        Span::raw("Press "),
                        Span::styled("u", theme.key()),
                        Span::raw(" to upload a PDF, DOCX, Markdown, text or JSON Resume file."),
                    ]),
                ],
            };
            frame.render_widget(
                Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        let name_width = (area.width as usize)
            .saturating_sub(2 + 2 + 12 + 5 + 17 + 8)
            .max(12);
        // Only the rows that fit are built: a frame costs the same with
        // ten resumes or ten thousand. Borders and header take 3 lines.
        let visible = (area.height as usize).saturating_sub(3).max(1);
        if self.cursor.index < self.offset {
            self.offset = self.cursor.index;
        } else if self.cursor.index >= self.offset + visible {
            self.offset = self.cursor.index + 1 - visible;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
        let rows: Vec<Row> = self
            .rows
            .iter()
            .skip(self.offset)
            .take(visible)
            .map(|row| {
                let r = &row.resume;
                let marker = if r.is_master { "★" } else { " " };
                let mut name = String::new();
                if row.depth > 0 {
                    name.push_str(&"  ".repeat(row.depth - 1));
                    name.push_str("└ ");
                }
                name.push_str(&r.filename);
                if self.marked.as_deref() == Some(r.id.as_str()) {
                    name.push_str("  ◆ marked");
                }
                Row::new(vec![
                    Cell::from(Span::styled(marker, theme.warn())),
                    Cell::from(truncate(&name, name_width)),
                    Cell::from(status_badge(r.status, theme)),
                    Cell::from(format!("r{}", r.revision)),
                    Cell::from(Span::styled(short_time(&r.updated_at), theme.dim())),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(1),
                Constraint::Min(12),
                Constraint::Length(11),
                Constraint::Length(5),
                Constraint::Length(16),
            ],
        )
        .header(Row::new(vec!["", "file", "status", "rev", "updated (UTC)"]).style(theme.dim()))
        .row_highlight_style(theme.selected())
        .block(block);
        let mut state = TableState::default()
            .with_selected(Some(self.cursor.index.saturating_sub(self.offset)));
        frame.render_stateful_widget(table, area, &mut state);

        if let Some(id) = &self.confirm_delete {
            let name = self
                .rows
                .iter()
                .find(|r| &r.resume.id == id)
                .map_or("this resume", |r| r.resume.filename.as_str());
            confirm_popup(
                frame,
                area,
                theme,
                "Delete?",
                format!("Delete {name}, its revisions and share links?"),
                "delete",
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::screens::testing::{ch, draw, key};

    pub fn resume(id: &str, name: &str, status: Status, parent: Option<&str>) -> ResumeResource {
        ResumeResource {
            id: id.into(),
            owner: "admin".into(),
            filename: name.into(),
            content_type: "application/pdf".into(),
            status,
            reason: None,
            warnings: vec![],
            is_master: id == "a",
            parent_id: parent.map(str::to_string),
            job_id: None,
            revision: 1,
            created_at: format!("2026-11-23T10:00:0{}.000Z", id.len()),
            updated_at: "2026-11-23T10:05:00.000Z".into(),
            confidence: Default::default(),
            size: 100,
            events_url: format!("/v1/resumes/{id}/events"),
            document: None,
        }
    }

    fn sample() -> LibraryState {
        let mut state = LibraryState::default();
        state.set_resumes(vec![
            resume("a", "zoe.pdf", Status::Ready, None),
            resume(
                "bb",
                "zoe (for Platform Engineer).json",
                Status::Ready,
                Some("a"),
            ),
            resume("ccc", "draft.md", Status::Parsing, None),
            resume("dddd", "scan.pdf", Status::Failed, None),
        ]);
        state
    }

    #[test]
    fn library_snapshot() {
        let mut state = sample();
        insta::assert_snapshot!(draw(&mut state, 90, 10));
    }

    #[test]
    fn library_shows_usage_against_quotas_under_the_list() {
        let mut state = sample();
        let account = AccountResource {
            user: "admin".into(),
            admin: true,
            usage: vitae_common::AccountUsage {
                bytes: 1_572_864,
                resumes: 4,
                ..Default::default()
            },
            quotas: vitae_common::AccountQuotas {
                bytes: Some(10 * 1024 * 1024 * 1024),
                resumes: Some(10_000),
                ..Default::default()
            },
        };
        // A reload of the list asks for the usage too.
        assert!(matches!(
            state.on_msg(&Msg::Resumes(Ok(vec![]))),
            Effect::Request(Request::LoadUsage)
        ));
        let mut state_with = sample();
        state_with.on_msg(&Msg::Usage(Ok(account)));
        insta::assert_snapshot!(draw(&mut state_with, 90, 10));
        state.on_msg(&Msg::Usage(Err(crate::client::ClientError::Api {
            status: 404,
            code: "not_found".into(),
            message: "no such route".into(),
            request_id: String::new(),
        })));
        assert!(state.usage.is_none());
    }

    #[test]
    fn empty_library_says_how_to_start() {
        let mut state = LibraryState::default();
        state.set_resumes(vec![]);
        insta::assert_snapshot!(draw(&mut state, 90, 6));
    }

    #[test]
    fn tailored_versions_sit_under_their_parent_and_selection_follows_the_id() {
        let mut state = sample();
        let order: Vec<&str> = state.rows.iter().map(|r| r.resume.id.as_str()).collect();
        assert_eq!(order, ["a", "bb", "ccc", "dddd"]);
        assert_eq!(state.rows[1].depth, 1);
        state.handle_key(&ch('j'));
        state.handle_key(&ch('j'));
        assert_eq!(state.selected().unwrap().id, "ccc");
        // A reload that inserts a resume before it keeps "ccc" selected.
        let mut list: Vec<ResumeResource> = state.rows.iter().map(|r| r.resume.clone()).collect();
        list.insert(0, resume("e", "new.pdf", Status::Pending, None));
        state.set_resumes(list);
        assert_eq!(state.selected().unwrap().id, "ccc");
    }

    #[test]
    fn keys_open_the_right_screens() {
        let mut state = sample();
        assert!(matches!(
            state.handle_key(&key(KeyCode::Enter)),
            Effect::Open(Route::Review { .. })
        ));
        assert!(matches!(
            state.handle_key(&ch('u')).route(),
            Some(Route::Upload)
        ));
        assert!(matches!(
            state.handle_key(&ch('m')),
            Effect::Request(Request::SetMaster(ref id)) if id == "a"
        ));
        state.handle_key(&ch('G'));
        assert!(
            matches!(state.handle_key(&ch('m')), Effect::Error(_)),
            "failed cannot be master"
        );
        assert!(matches!(state.handle_key(&ch('q')), Effect::Quit));
        // x exports, but only a ready resume (this one failed).
        assert!(matches!(state.handle_key(&ch('x')), Effect::Error(_)));
        // Delete asks first; only y deletes.
        assert!(matches!(state.handle_key(&ch('D')), Effect::None));
        assert!(matches!(
            state.handle_key(&ch('y')),
            Effect::Request(Request::Delete(ref id)) if id == "dddd"
        ));
        state.handle_key(&key(KeyCode::Delete));
        assert!(matches!(state.handle_key(&ch('n')), Effect::Info(_)));
        state.handle_key(&ch('g'));
        assert_eq!(
            state.handle_key(&ch('x')).route(),
            Some(&Route::Export {
                id: "a".into(),
                filename: "zoe.pdf".into()
            })
        );
    }

    #[test]
    fn diff_needs_a_mark_or_a_parent() {
        let mut state = sample();
        assert!(
            matches!(state.handle_key(&ch('d')), Effect::Info(_)),
            "nothing to compare"
        );
        state.handle_key(&ch('j'));
        assert!(
            matches!(state.handle_key(&ch('d')), Effect::Open(Route::Diff { .. })),
            "tailored vs parent"
        );
        state.handle_key(&ch('v'));
        state.handle_key(&ch('j'));
        assert!(matches!(
            state.handle_key(&ch('d')),
            Effect::Open(Route::Diff { .. })
        ));
    }
}
