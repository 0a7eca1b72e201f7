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

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use vitae_common::ShareResource;

use super::widgets::{centered, confirm_popup, short_time, truncate, Cursor, Input};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::theme::Theme;

/// Expiry offered for a new link.
const DEFAULT_DAYS: u32 = 30;
/// The longest expiry accepted (ten years).
const MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    New,
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
    Binding { keys: &[Key::ch('n'), Key::ch('a')], label: "n", help: "new link (asks for its expiry in days)", action: Action::New },
    Binding { keys: &[Key::ch('y'), Key::ch('c')], label: "y/c", help: "copy the selected link's URL", action: Action::Copy },
    Binding { keys: &[Key::ch('x'), Key::plain(KeyCode::Delete)], label: "x/Del", help: "revoke the selected link (asks first)", action: Action::Revoke },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload the links", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PromptAction {
    Create,
    Cancel,
}

#[rustfmt::skip]
const PROMPT_KEYS: &[Binding<PromptAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "create the link", action: PromptAction::Create },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "cancel", action: PromptAction::Cancel },
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
struct Prompt {
    input: Input,
    error: Option<String>,
}

/// Days typed in the prompt, checked.
fn parse_days(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(format!("a number of days from 1 to {MAX_DAYS}")),
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
    prompt: Option<Prompt>,
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
            Action::New => {
                self.prompt = Some(Prompt {
                    input: Input::with_text(&DEFAULT_DAYS.to_string()),
                    error: None,
                });
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
        let Some(prompt) = self.prompt.as_mut() else {
            return Effect::None;
        };
        match lookup(PROMPT_KEYS, key) {
            Some(PromptAction::Cancel) => self.prompt = None,
            Some(PromptAction::Create) => match parse_days(&prompt.input.text) {
                Ok(days) => {
                    self.prompt = None;
                    self.creating = true;
                    return Effect::Request(Request::CreateShare {
                        id: self.id.clone(),
                        days: Some(days),
                    });
                }
                Err(error) => prompt.error = Some(error),
            },
            None => {
                // Digits only: anything else would only fail on Enter.
                let plain = !key.modifiers.contains(KeyModifiers::CONTROL);
                if let (KeyCode::Char(c), true) = (key.code, plain) {
                    if !c.is_ascii_digit() {
                        return Effect::None;
                    }
                }
                prompt.input.handle_key(key);
                prompt.error = None;
            }
        }
        Effect::None
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
                            // The server cleans labels; a terminal still
                            // never gets a control character from one.
                            Some(label) => Span::raw(
                                label
                                    .chars()
                                    .map(|c| if c.is_control() { ' ' } else { c })
                                    .collect::<String>(),
                            ),
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

/// The selected link's URL, and whether it can be copied.
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
    frame.render_widget(Paragraph::new(vec![Line::from(line)]), area);
}

/// The "expires in days" prompt of a new link.
fn render_prompt(frame: &mut Frame, area: Rect, prompt: &Prompt, theme: &Theme) {
    let popup = centered(area, 44, 5);
    frame.render_widget(Clear, popup);
    let mut lines = vec![Line::from(vec![
        Span::raw("expires in days: "),
        Span::styled(format!("[{}]", prompt.input.display()), theme.key()),
    ])];
    match &prompt.error {
        Some(e) => lines.push(Line::styled(format!("✕ {e}"), theme.error())),
        None => lines.push(Line::raw("")),
    }
    lines.push(Line::styled("Enter: create   Esc: cancel", theme.dim()));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focused_border())
                .title(Span::styled(" New share link ", theme.title())),
        ),
        popup,
    );
}

impl View for ShareState {
    fn title(&self) -> String {
        format!("Share {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        if self.prompt.is_some() {
            help_of(PROMPT_KEYS)
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
        match mouse.kind {
            MouseEventKind::ScrollDown => self.act(Action::Down),
            MouseEventKind::ScrollUp => self.act(Action::Up),
            _ => Effect::None,
        }
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        if let Some(prompt) = self.prompt.as_mut() {
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            prompt.input.insert_str(&digits);
            prompt.error = None;
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
        if let Some(prompt) = &self.prompt {
            render_prompt(frame, area, prompt, theme);
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
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::screens::testing::{ch, draw, key};

    fn share(
        token: &str,
        created: &str,
        expires: &str,
        revoked: bool,
        count: u64,
    ) -> ShareResource {
        ShareResource {
            token: token.into(),
            url: format!("http://127.0.0.1:7878/s/{token}"),
            resume_id: "r1".into(),
            created_at: created.into(),
            expires_at: expires.into(),
            revoked,
            access_count: count,
            last_accessed_at: (count > 0).then(|| "2026-11-24T08:15:00Z".to_string()),
            template: "classic".into(),
            options: Default::default(),
            label: None,
            shows: "live".into(),
            pinned_revision: None,
            hide: vec![],
            allow_download: true,
            has_password: false,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn state() -> ShareState {
        let mut state = ShareState::new("r1", "zoe.pdf");
        state.now = Some(now());
        state
    }

    fn loaded() -> ShareState {
        let mut state = state();
        state.on_msg(&Msg::Shares {
            id: "r1".into(),
            result: Ok(vec![
                share(
                    "k9QzT1vBfXw2LmNc",
                    "2026-10-01T09:00:00Z",
                    "2026-10-31T09:00:00Z",
                    false,
                    12,
                ),
                ShareResource {
                    label: Some("Acme Corp, backend role".into()),
                    shows: "pinned".into(),
                    pinned_revision: Some(4),
                    has_password: true,
                    ..share(
                        "Hh7Yp0aZrT5uE3dS",
                        "2026-11-20T10:00:00Z",
                        "2026-12-20T10:00:00Z",
                        false,
                        3,
                    )
                },
                share(
                    "Mm2Wq8cVbN4xK6jL",
                    "2026-11-01T10:00:00Z",
                    "2027-01-01T10:00:00Z",
                    true,
                    0,
                ),
            ]),
        });
        state
    }

    #[test]
    fn share_list_with_active_expired_and_revoked_links() {
        let mut state = loaded();
        // Newest first.
        assert_eq!(
            state.selected().map(|s| s.token.as_str()),
            Some("Hh7Yp0aZrT5uE3dS")
        );
        insta::assert_snapshot!(draw(&mut state, 100, 12));
    }

    #[test]
    fn share_list_on_a_narrow_terminal_keeps_the_label() {
        let mut state = loaded();
        insta::assert_snapshot!(draw(&mut state, 80, 8));
    }

    #[test]
    fn empty_share_list_says_how_to_create_one() {
        let mut state = state();
        insta::assert_snapshot!("share_loading", draw(&mut state, 80, 6));
        state.on_msg(&Msg::Shares {
            id: "r1".into(),
            result: Ok(vec![]),
        });
        insta::assert_snapshot!("share_empty", draw(&mut state, 80, 8));
        assert!(matches!(state.handle_key(&ch('y')), Effect::Info(_)));
    }

    #[test]
    fn new_link_prompt_takes_digits_and_creates() {
        let mut state = loaded();
        state.handle_key(&ch('n'));
        assert!(state.is_typing());
        insta::assert_snapshot!("share_new_link_prompt", draw(&mut state, 80, 12));
        state.handle_key(&KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        ));
        state.handle_key(&ch('x'));
        state.handle_key(&ch('7'));
        assert_eq!(
            state.prompt.as_ref().map(|p| p.input.text.as_str()),
            Some("7"),
            "digits only"
        );
        let effect = state.handle_key(&key(KeyCode::Enter));
        assert_eq!(
            effect.request(),
            Some(Request::CreateShare {
                id: "r1".into(),
                days: Some(7)
            })
        );
        assert!(state.prompt.is_none());

        // Out of range: the prompt stays with the reason.
        state.handle_key(&ch('n'));
        state.handle_key(&key(KeyCode::Backspace));
        state.handle_key(&key(KeyCode::Backspace));
        state.handle_key(&ch('0'));
        assert!(state.handle_key(&key(KeyCode::Enter)).request().is_none());
        assert!(state.prompt.as_ref().is_some_and(|p| p.error.is_some()));
        insta::assert_snapshot!("share_new_link_invalid", draw(&mut state, 80, 12));
        state.handle_key(&key(KeyCode::Esc));
        assert!(state.prompt.is_none());
    }

    #[test]
    fn days_are_checked() {
        assert_eq!(parse_days("30"), Ok(30));
        assert_eq!(parse_days("3650"), Ok(3650));
        assert!(parse_days("0").is_err());
        assert!(parse_days("3651").is_err());
        assert!(parse_days("").is_err());
        assert!(parse_days("99999999999999").is_err());
    }

    #[test]
    fn a_created_link_is_selected_and_announced() {
        let mut state = loaded();
        state.handle_key(&ch('n'));
        state.handle_key(&key(KeyCode::Enter));
        let created = share(
            "Nn1Bb2Cc3Dd4Ee5F",
            "2026-11-25T12:00:00Z",
            "2026-12-25T12:00:00Z",
            false,
            0,
        );
        let effect = state.on_msg(&Msg::ShareCreated(Ok(created)));
        let Effect::Many(effects) = &effect else {
            panic!("expected effects");
        };
        assert!(
            matches!(&effects[0], Effect::Info(m) if m == "created http://127.0.0.1:7878/s/Nn1Bb2Cc3Dd4Ee5F — y copies it")
        );
        assert_eq!(effect.request(), Some(Request::LoadShares("r1".into())));
        assert_eq!(
            state.selected().map(|s| s.token.as_str()),
            Some("Nn1Bb2Cc3Dd4Ee5F")
        );
        assert!(
            matches!(state.handle_key(&ch('y')), Effect::Copy(ref url) if url.ends_with("/s/Nn1Bb2Cc3Dd4Ee5F"))
        );
        // Errors of creates this screen did not ask for are not its own.
        assert!(matches!(
            state.on_msg(&Msg::ShareCreated(Err(ClientError::Local("x".into())))),
            Effect::None
        ));
    }

    #[test]
    fn revoke_asks_first_and_needs_y() {
        let mut state = loaded();
        assert!(matches!(state.handle_key(&ch('x')), Effect::None));
        insta::assert_snapshot!("share_revoke_confirmation", draw(&mut state, 100, 12));
        assert!(
            matches!(state.handle_key(&ch('n')), Effect::Info(_)),
            "anything else keeps it"
        );
        assert!(state.confirm.is_none());
        state.handle_key(&key(KeyCode::Delete));
        let effect = state.handle_key(&ch('y'));
        assert_eq!(
            effect.request(),
            Some(Request::Revoke {
                id: "r1".into(),
                token: "Hh7Yp0aZrT5uE3dS".into()
            })
        );
        let mut revoked = share(
            "Hh7Yp0aZrT5uE3dS",
            "2026-11-20T10:00:00Z",
            "2026-12-20T10:00:00Z",
            true,
            3,
        );
        revoked.resume_id = "r1".into();
        assert!(matches!(
            state.on_msg(&Msg::Revoked(Ok(revoked))),
            Effect::Info(_)
        ));
        assert_eq!(state.selected().map(|s| s.revoked), Some(true));
        assert!(
            matches!(state.handle_key(&ch('x')), Effect::Info(_)),
            "already revoked"
        );
        assert!(
            matches!(state.handle_key(&ch('y')), Effect::Info(_)),
            "a revoked link is not copied"
        );
    }

    #[test]
    fn load_errors_are_shown_and_other_resumes_ignored() {
        let mut state = state();
        state.on_msg(&Msg::Shares {
            id: "other".into(),
            result: Ok(vec![share("a", "b", "c", false, 0)]),
        });
        assert!(state.shares.is_none());
        let effect = state.on_msg(&Msg::Shares {
            id: "r1".into(),
            result: Err(ClientError::Local("offline".into())),
        });
        assert!(matches!(effect, Effect::Error(_)));
        assert_eq!(
            state.handle_key(&ch('R')).request(),
            Some(Request::LoadShares("r1".into()))
        );
        assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
    }
}
