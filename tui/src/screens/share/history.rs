//! The view history of one share link, over the share screen (`v` on a
//! link): what the
//! link is (what it shows, what it hides, downloads), then its counted
//! views per UTC day, newest first, split by form (page, PDF, DOCX, JSON,
//! Markdown) with a bar against the busiest day.
//!
//! The history comes from `GET /v1/shares/{token}` through the screen's
//! usual request/message round trip; until it arrives the panel says it is
//! loading, and a failed load says why and how to retry.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::{ShareDetail, ShareResource};

use super::super::widgets::short_time;
use super::super::widgets::wrap::{cut_to_width, str_width};
use super::{label_text, shows};
use crate::app::keys::{lookup, nav, Binding, Key};
use crate::app::theme::Theme;

/// The forms a link serves, in the order the columns show them.
const FORMATS: &[(&str, &str)] = &[
    ("html", "page"),
    ("pdf", "pdf"),
    ("docx", "docx"),
    ("json", "json"),
    ("md", "md"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryAction {
    Down,
    Up,
    Top,
    Reload,
    Close,
}

#[rustfmt::skip]
pub const HISTORY_KEYS: &[Binding<HistoryAction>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "older days", action: HistoryAction::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "newer days", action: HistoryAction::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "the newest day", action: HistoryAction::Top },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload the history", action: HistoryAction::Reload },
    Binding { keys: &[Key::ch('q'), Key::ch('v'), Key::plain(KeyCode::Esc)], label: "q/v/Esc", help: "close the history", action: HistoryAction::Close },
];

/// The open history of the link with `token`.
#[derive(Debug)]
pub struct History {
    pub token: String,
    /// The link as the list has it, shown while the history loads.
    pub share: ShareResource,
    pub detail: Option<ShareDetail>,
    pub error: Option<String>,
    /// Days scrolled past (newest first).
    pub scroll: usize,
}

/// What a key did in the history.
#[derive(Debug, PartialEq, Eq)]
pub enum HistoryOutcome {
    Stay,
    Reload,
    Close,
}

impl History {
    pub fn new(share: &ShareResource) -> History {
        History {
            token: share.token.clone(),
            share: share.clone(),
            detail: None,
            error: None,
            scroll: 0,
        }
    }

    fn days(&self) -> usize {
        self.detail.as_ref().map_or(0, |d| d.views.len())
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> HistoryOutcome {
        match lookup(HISTORY_KEYS, key) {
            Some(HistoryAction::Down) => {
                self.scroll = (self.scroll + 1).min(self.days().saturating_sub(1));
            }
            Some(HistoryAction::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(HistoryAction::Top) => self.scroll = 0,
            Some(HistoryAction::Reload) => return HistoryOutcome::Reload,
            Some(HistoryAction::Close) => return HistoryOutcome::Close,
            None => {}
        }
        HistoryOutcome::Stay
    }

    /// The loaded history (or the reason it did not load).
    pub fn loaded(&mut self, result: Result<ShareDetail, String>) {
        match result {
            Ok(detail) => {
                self.share = detail.share.clone();
                self.scroll = self.scroll.min(detail.views.len().saturating_sub(1));
                self.detail = Some(detail);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// What the link is, in one line.
    fn facts(&self) -> String {
        let s = &self.share;
        let mut facts = vec![
            format!(
                "{} view{}",
                s.access_count,
                if s.access_count == 1 { "" } else { "s" }
            ),
            match s.last_accessed_at.as_deref() {
                Some(t) => format!("last {}", short_time(t)),
                None => "never opened".into(),
            },
            format!("shows {}", shows(s)),
        ];
        if !s.hide.is_empty() {
            facts.push(format!("hides {}", s.hide.join(", ")));
        }
        if !s.allow_download {
            facts.push("page only".into());
        }
        facts.join(" · ")
    }

    /// The table of days, `width` columns wide, `rows` rows at most.
    fn day_lines(&self, width: usize, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
        let Some(detail) = &self.detail else {
            return Vec::new();
        };
        if detail.views.is_empty() {
            return vec![Line::styled(
                "No views yet: a day appears here once someone opens the link.",
                theme.dim(),
            )];
        }
        let mut head = format!("{:<10}  {:>5}", "day (UTC)", "views");
        for (_, title) in FORMATS {
            head.push_str(&format!("  {title:>4}"));
        }
        // What is left after the columns is the bar, when it is worth it.
        let bar_room = width.saturating_sub(head.chars().count() + 2);
        let bar_room = if bar_room >= 6 { bar_room } else { 0 };
        let busiest = detail
            .views
            .iter()
            .map(|d| d.total)
            .max()
            .unwrap_or(1)
            .max(1);
        let mut lines = vec![Line::styled(head, theme.dim())];
        for day in detail
            .views
            .iter()
            .rev()
            .skip(self.scroll)
            .take(rows.saturating_sub(1))
        {
            let mut text = format!("{:<10}  {:>5}", day.day, day.total);
            for (form, _) in FORMATS {
                let n = day.formats.get(*form).copied().unwrap_or(0);
                text.push_str(&format!("  {n:>4}"));
            }
            let mut spans = vec![Span::raw(text)];
            if bar_room > 0 {
                let len = ((day.total as f64 / busiest as f64) * bar_room as f64).ceil() as usize;
                spans.push(Span::raw("  "));
                spans.push(Span::styled("█".repeat(len.min(bar_room)), theme.ok()));
            }
            lines.push(Line::from(spans));
        }
        lines
    }

    /// The panel over `area` (the share screen's).
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let popup = area;
        let inner = popup.width.saturating_sub(4) as usize;
        // The facts wrap (a narrow terminal still sees what is hidden);
        // the label is cut to its line.
        let facts = self.facts();
        let fact_rows = str_width(&facts).div_ceil(inner.max(1)).max(1);
        let mut lines = vec![
            Line::raw(facts),
            Line::styled(cut_to_width(&label_text(&self.share), inner), theme.dim()),
            Line::raw(""),
        ];
        match (&self.detail, &self.error) {
            (_, Some(e)) => {
                lines.push(Line::styled(
                    format!("Cannot load the view history: {e}"),
                    theme.error(),
                ));
                lines.push(Line::from(vec![
                    Span::styled("R", theme.key()),
                    Span::raw(": try again"),
                ]));
            }
            (None, None) => lines.push(Line::styled("Loading…", theme.dim())),
            (Some(_), None) => {
                // The borders, and the lines above the table.
                let used = lines.len() + fact_rows - 1 + 2;
                let rows = (popup.height as usize).saturating_sub(used);
                lines.extend(self.day_lines(inner, rows, theme));
            }
        }
        let title = match &self.detail {
            Some(detail) => format!(
                " Views of {} ({} day{} with views) ",
                super::short_token(&self.token),
                detail.views.len(),
                if detail.views.len() == 1 { "" } else { "s" }
            ),
            None => format!(" Views of {} ", super::short_token(&self.token)),
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .padding(Padding::horizontal(1))
                    .border_style(theme.focused_border())
                    .title(Span::styled(title, theme.title()))
                    .title_bottom(Line::styled(
                        " j/k: scroll  R: reload  q/Esc: close ",
                        theme.dim(),
                    )),
            ),
            popup,
        );
    }
}
