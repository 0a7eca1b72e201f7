//! Share links of one resume: who can read it, until when, and how often
//! they did. Create a link that expires after some days, copy its URL,
//! revoke it (the public page then answers 410 Gone).
//!
//! Each row also says what the link shows (`live`, or `rev N` when it is
//! pinned to a revision; `+pw` when it asks for a password) and its label,
//! so a person sees which version went where.
//!
//! A link is `active`, `expired` (its time is past) or `revoked`; the state
//! is worked out here from `expires_at`, so a link that expired while the
//! screen was open says so without a reload.
//!
//! `n` opens the new-link form ([`form`]: expiry, label, password, pin,
//! hidden fields, downloads); `v` (or Enter) opens the selected link's view
//! history ([`history`]). Both talk to the server only through requests
//! the app's tasks run, so the screen never waits on the network.

mod form;
mod history;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use vitae_common::ShareResource;

use self::form::{Form, Outcome, FIELD_HELP, FORM_KEYS};
use self::history::{History, HistoryOutcome, HISTORY_KEYS};
use super::widgets::{confirm_popup, short_time, truncate, Cursor};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    New,
    History,
    Copy,
    Revoke,
    Reload,
    Back,
}

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next link", action: Action::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous link", action: Action::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "first", action: Action::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "last", action: Action::Bottom },
    Binding { keys: &[Key::ch('n'), Key::ch('a')], label: "n", help: "new link: expiry, label, password, pin, hidden fields, downloads", action: Action::New },
    Binding { keys: &[Key::ch('v'), Key::plain(KeyCode::Enter)], label: "v/Enter", help: "views of the selected link, per day and form", action: Action::History },
    Binding { keys: &[Key::ch('y'), Key::ch('c')], label: "y/c", help: "copy the selected link's URL", action: Action::Copy },
    Binding { keys: &[Key::ch('x'), Key::plain(KeyCode::Delete)], label: "x/Del", help: "revoke the selected link (asks first)", action: Action::Revoke },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload the links", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmAction {
    Revoke,
}

#[rustfmt::skip]
const CONFIRM_KEYS: &[Binding<ConfirmAction>] = &[
    Binding { keys: &[Key::ch('y')], label: "y", help: "revoke it (any other key keeps it)", action: ConfirmAction::Revoke },
];

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkState {
    Active,
    Expired,
    Revoked,
}

impl LinkState {
    fn of(share: &ShareResource, now: DateTime<Utc>) -> LinkState {
        if share.revoked {
            return LinkState::Revoked;
        }
        match DateTime::parse_from_rfc3339(&share.expires_at) {
            Ok(at) if at <= now => LinkState::Expired,
            _ => LinkState::Active,
        }
    }

    fn word(self) -> &'static str {
        match self {
            LinkState::Active => "active",
            LinkState::Expired => "expired",
            LinkState::Revoked => "revoked",
        }
    }

    fn style(self, theme: &Theme) -> Style {
        match self {
            LinkState::Active => theme.ok(),
            LinkState::Expired => theme.warn(),
            LinkState::Revoked => theme.error(),
        }
    }
}

/// `AbCdEfGh…`: enough to tell links apart.
fn short_token(token: &str) -> String {
    if token.chars().count() <= 8 {
        token.to_string()
    } else {
        let mut short: String = token.chars().take(8).collect();
        short.push('…');
        short
    }
}

#[derive(Debug)]
pub struct ShareState {
    pub id: String,
    filename: String,
    /// Newest first; `None` until loaded.
    shares: Option<Vec<ShareResource>>,
    error: Option<String>,
    cursor: Cursor,
    offset: usize,
    /// The new-link form, while open.
    prompt: Option<Form>,
    /// The view history of one link, while open.
    history: Option<History>,
    /// Asking "revoke this?" for the link with this token.
    confirm: Option<String>,
    /// A create or a revoke is on its way (their errors carry no id).
    creating: bool,
    revoking: Option<String>,
    /// The clock for "expired"; fixed in tests.
    now: Option<DateTime<Utc>>,
}

impl ShareState {
    fn new(id: &str, filename: &str) -> ShareState {
        ShareState {
            id: id.to_string(),
            filename: filename.to_string(),
            shares: None,
            error: None,
            cursor: Cursor::default(),
            offset: 0,
            prompt: None,
            history: None,
            confirm: None,
            creating: false,
            revoking: None,
            now: None,
        }
    }

    /// The screen, and the load of the links.
    pub fn open(id: &str, filename: &str) -> (ShareState, Request) {
        (
            ShareState::new(id, filename),
            Request::LoadShares(id.to_string()),
        )
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    fn list(&self) -> &[ShareResource] {
        self.shares.as_deref().unwrap_or_default()
    }

    fn selected(&self) -> Option<&ShareResource> {
        self.list().get(self.cursor.index)
    }

    /// Replace the list, keeping the selection on the same link (or on
    /// `select`, a link just created).
    fn set_shares(&mut self, mut shares: Vec<ShareResource>, select: Option<&str>) {
        let keep = select
            .map(str::to_string)
            .or_else(|| self.selected().map(|s| s.token.clone()));
        shares.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        if let Some(i) = keep.and_then(|t| shares.iter().position(|s| s.token == t)) {
            self.cursor.index = i;
        }
        self.cursor.clamp(shares.len());
        self.shares = Some(shares);
        self.error = None;
    }

    fn reload(&self) -> Effect {
        Effect::Request(Request::LoadShares(self.id.clone()))
    }

    fn act(&mut self, action: Action) -> Effect {
        let len = self.list().len();
        match action {
            Action::Down => self.cursor.down(len),
            Action::Up => self.cursor.up(),
            Action::Top => self.cursor.top(),
            Action::Bottom => self.cursor.bottom(len),
            Action::Reload => return self.reload(),
            Action::Back => return Effect::Back,
            Action::New => self.prompt = Some(Form::default()),
            Action::History => {
                let Some(share) = self.selected() else {
                    return Effect::Info("no link yet; press n to create one".into());
                };
                let token = share.token.clone();
                self.history = Some(History::new(share));
                return Effect::Request(Request::LoadShareViews(token));
            }
            Action::Copy | Action::Revoke => {
                let now = self.now();
                let Some(share) = self.selected() else {
                    return Effect::Info("no link yet; press n to create one".into());
                };
                let state = LinkState::of(share, now);
                return match (action, state) {
                    (Action::Copy, LinkState::Active) => Effect::Copy(share.url.clone()),
                    (Action::Copy, _) => Effect::Info(format!(
                        "this link is {}; press n for a new one",
                        state.word()
                    )),
                    (_, LinkState::Revoked) => Effect::Info("this link is already revoked".into()),
                    _ => {
                        self.confirm = Some(share.token.clone());
                        Effect::None
                    }
                };
            }
        }
        Effect::None
    }

    fn handle_prompt_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(form) = self.prompt.as_mut() else {
            return Effect::None;
        };
        match form.handle_key(key) {
            Outcome::Editing => Effect::None,
            Outcome::Cancel => {
                self.prompt = None;
                Effect::None
            }
            Outcome::Create(options) => {
                self.prompt = None;
                self.creating = true;
                Effect::Request(Request::CreateShare {
                    id: self.id.clone(),
                    options,
                })
            }
        }
    }

    fn handle_history_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(history) = self.history.as_mut() else {
            return Effect::None;
        };
        match history.handle_key(key) {
            HistoryOutcome::Stay => Effect::None,
            HistoryOutcome::Reload => {
                history.error = None;
                Effect::Request(Request::LoadShareViews(history.token.clone()))
            }
            HistoryOutcome::Close => {
                self.history = None;
                Effect::None
            }
        }
    }
}

impl ShareState {
    /// The links, one row each (or why there are none).
    fn render_table(&mut self, frame: &mut Frame, area: Rect, now: DateTime<Utc>, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Share links of {} ({}) ", self.filename, self.list().len()),
                theme.title(),
            ));
        match (&self.shares, &self.error) {
            (_, Some(e)) if self.list().is_empty() => {
                let text = vec![
                    Line::styled(format!("Cannot load the share links: {e}"), theme.error()),
                    Line::raw(""),
                    Line::from(vec![
                        Span::styled("R", theme.key()),
                        Span::raw(": try again"),
                    ]),
                ];
                frame.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
                    area,
                );
            }
            (None, _) => {
                frame.render_widget(
                    Paragraph::new(Line::styled("Loading…", theme.dim())).block(block),
                    area,
                );
            }
            (Some(shares), _) if shares.is_empty() => {
                let text = vec![
                    Line::raw("No share links yet."),
                    Line::raw(""),
                    Line::from(vec![
                        Span::raw("Press "),
                        Span::styled("n", theme.key()),
                        Span::raw(" to create one: anyone with the link can read this resume until it expires or you revoke it."),
                    ]),
                ];
                frame.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
                    area,
                );
            }
            (Some(shares), _) => {
                // The label takes what is left; a narrow terminal drops
                // "last opened" first, so the label stays in sight.
                let wide = area.width >= 96;
                let rows: Vec<Row> = shares
                    .iter()
                    .map(|share| {
                        let state = LinkState::of(share, now);
                        let mut cells = vec![
                            Cell::from(short_token(&share.token)),
                            Cell::from(Span::styled(state.word(), state.style(theme))),
                            Cell::from(shows(share)),
                            Cell::from(short_time(&share.expires_at)),
                            Cell::from(format!("{:>6}", share.access_count)),
                        ];
                        if wide {
                            cells.push(Cell::from(share.last_accessed_at.as_deref().map_or_else(
                                || Span::styled("never", theme.dim()),
                                |t| Span::raw(short_time(t)),
                            )));
                        }
                        cells.push(Cell::from(match share.label.as_deref() {
                            Some(label) => Span::raw(clean_label(label)),
                            None => Span::styled("-", theme.dim()),
                        }));
                        Row::new(cells)
                    })
                    .collect();
                let mut widths = vec![
                    Constraint::Length(9),
                    Constraint::Length(7),
                    Constraint::Length(10),
                    Constraint::Length(16),
                    Constraint::Length(6),
                ];
                let mut header = vec!["token", "state", "shows", "expires (UTC)", "opened"];
                if wide {
                    widths.push(Constraint::Length(16));
                    header.push("last opened");
                }
                widths.push(Constraint::Min(5));
                header.push("label");
                let table = Table::new(rows, widths)
                    .header(Row::new(header).style(theme.dim()))
                    .column_spacing(2)
                    .highlight_symbol("▸ ")
                    .row_highlight_style(theme.selected())
                    .block(block);
                let mut state = TableState::default()
                    .with_selected(Some(self.cursor.index))
                    .with_offset(self.offset);
                frame.render_stateful_widget(table, area, &mut state);
                self.offset = state.offset();
            }
        }
    }
}

/// What a link shows: `live` (the resume as it is) or `rev N` (pinned),
/// with `+pw` when it asks for a password.
fn shows(share: &ShareResource) -> String {
    let mut shows = match share.pinned_revision {
        Some(n) => format!("rev {n}"),
        None => "live".to_string(),
    };
    if share.has_password {
        shows.push_str(" +pw");
    }
    shows
}

/// A label as a terminal may show it: the server cleans labels, and a
/// terminal still never gets a control character from one.
fn clean_label(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `label: …`, or that there is none.
fn label_text(share: &ShareResource) -> String {
    match share.label.as_deref() {
        Some(label) => format!("label: {}", clean_label(label)),
        None => "no label".to_string(),
    }
}

/// What the selected link leaves out: hidden fields and downloads.
fn restrictions(share: &ShareResource) -> String {
    let mut facts = Vec::new();
    if !share.hide.is_empty() {
        facts.push(format!("hides {}", share.hide.join(", ")));
    }
    facts.push(if share.allow_download {
        "downloads on".to_string()
    } else {
        "page only, no downloads".to_string()
    });
    if share.has_password {
        facts.push("asks for a password".into());
    }
    facts.join(" · ")
}

/// The selected link's URL, and whether it can be copied; then what it
/// hides and whether it serves downloads.
fn render_url(
    frame: &mut Frame,
    area: Rect,
    share: &ShareResource,
    now: DateTime<Utc>,
    theme: &Theme,
) {
    let width = area.width as usize;
    let state = LinkState::of(share, now);
    let mut line = vec![
        Span::styled(" URL ", theme.dim()),
        Span::raw(truncate(&share.url, width.saturating_sub(24))),
    ];
    match state {
        LinkState::Active => {
            line.push(Span::styled("  y", theme.key()));
            line.push(Span::styled(": copy", theme.dim()));
        }
        _ => line.push(Span::styled(
            format!("  ({}: answers 410 Gone)", state.word()),
            state.style(theme),
        )),
    }
    let facts = vec![
        Span::styled(" ", theme.dim()),
        Span::raw(truncate(&restrictions(share), width.saturating_sub(20))),
        Span::styled("  v", theme.key()),
        Span::styled(": views", theme.dim()),
    ];
    frame.render_widget(
        Paragraph::new(vec![Line::from(line), Line::from(facts)]),
        area,
    );
}

impl View for ShareState {
    fn title(&self) -> String {
        format!("Share {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        if self.prompt.is_some() {
            let mut keys = help_of(FORM_KEYS);
            keys.extend_from_slice(FIELD_HELP);
            keys
        } else if self.history.is_some() {
            help_of(HISTORY_KEYS)
        } else if self.confirm.is_some() {
            help_of(CONFIRM_KEYS)
        } else {
            help_of(KEYS)
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if self.prompt.is_some() {
            return self.handle_prompt_key(key);
        }
        if self.history.is_some() {
            return self.handle_history_key(key);
        }
        if let Some(token) = self.confirm.take() {
            return match lookup(CONFIRM_KEYS, key) {
                Some(ConfirmAction::Revoke) => {
                    self.revoking = Some(token.clone());
                    Effect::Request(Request::Revoke {
                        id: self.id.clone(),
                        token,
                    })
                }
                None => Effect::Info("not revoked".into()),
            };
        }
        match lookup(KEYS, key) {
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        if self.prompt.is_some() || self.confirm.is_some() {
            return Effect::None;
        }
        if let Some(history) = self.history.as_mut() {
            let key = match mouse.kind {
                MouseEventKind::ScrollDown => KeyCode::Down,
                MouseEventKind::ScrollUp => KeyCode::Up,
                _ => return Effect::None,
            };
            history.handle_key(&KeyEvent::from(key));
            return Effect::None;
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => self.act(Action::Down),
            MouseEventKind::ScrollUp => self.act(Action::Up),
            _ => Effect::None,
        }
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        if let Some(form) = self.prompt.as_mut() {
            form.paste(text);
        }
        Effect::None
    }

    fn is_typing(&self) -> bool {
        self.prompt.is_some()
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Shares { id, result } if *id == self.id => match result {
                Ok(shares) => self.set_shares(shares.clone(), None),
                Err(e) => {
                    self.error = Some(e.short());
                    return Effect::Error(format!("cannot load the share links: {}", e.short()));
                }
            },
            Msg::ShareCreated(Ok(share)) if share.resume_id == self.id => {
                self.creating = false;
                let mut shares = self.list().to_vec();
                shares.retain(|s| s.token != share.token);
                shares.push(share.clone());
                self.set_shares(shares, Some(&share.token));
                return Effect::Many(vec![
                    Effect::Info(format!("created {} — y copies it", share.url)),
                    // The list as the server has it (access counts, others' links).
                    self.reload(),
                ]);
            }
            Msg::ShareViews { token, result } => {
                if let Some(history) = self.history.as_mut().filter(|h| h.token == *token) {
                    history.loaded(result.as_ref().cloned().map_err(|e| e.short()));
                }
            }
            Msg::ShareCreated(Err(e)) if self.creating => {
                self.creating = false;
                return Effect::Error(format!("no link created: {}", e.short()));
            }
            Msg::Revoked(Ok(share)) if share.resume_id == self.id => {
                if self.revoking.as_deref() == Some(share.token.as_str()) {
                    self.revoking = None;
                }
                let mut shares = self.list().to_vec();
                match shares.iter_mut().find(|s| s.token == share.token) {
                    Some(known) => *known = share.clone(),
                    None => shares.push(share.clone()),
                }
                self.set_shares(shares, None);
                return Effect::Info(format!(
                    "revoked {}: it now answers 410 Gone",
                    short_token(&share.token)
                ));
            }
            Msg::Revoked(Err(e)) if self.revoking.is_some() => {
                self.revoking = None;
                return Effect::Error(format!("not revoked: {}", e.short()));
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let now = self.now();
        let [table_area, url_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
        self.render_table(frame, table_area, now, theme);
        if let Some(share) = self.selected() {
            render_url(frame, url_area, share, now, theme);
        }
        if let Some(history) = &self.history {
            history.render(frame, area, theme);
        }
        if let Some(form) = &self.prompt {
            form.render(frame, area, theme);
        }
        if let Some(token) = &self.confirm {
            confirm_popup(
                frame,
                area,
                theme,
                "Revoke?",
                format!(
                    "Revoke {}? Its page then answers 410 Gone.",
                    short_token(token)
                ),
                "revoke",
            );
        }
    }
}

#[cfg(test)]
mod tests;
