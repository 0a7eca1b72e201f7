//! Pieces the screens share: a one-line text input, a list cursor, status
//! badges, time formatting and popup placement here; text wrapping in
//! display columns ([`wrap`]); and the diff pane ([`diff_pane`]) that the
//! diff and tailor screens both show.

pub mod diff_pane;
pub mod wrap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Span;
use vitae_common::Status;

use crate::app::theme::Theme;

/// A one-line text field with a cursor (in chars).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub cursor: usize,
}

/// What a key did to an [`Input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOutcome {
    /// The text or cursor changed (or the key was a no-op edit key).
    Edited,
    Submit,
    Cancel,
    /// Not an editing key (Tab, Up, …): the screen decides.
    Ignored,
}

impl Input {
    pub fn with_text(text: &str) -> Input {
        Input {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    pub fn insert_str(&mut self, s: &str) {
        let clean: String = s.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> InputOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Enter => return InputOutcome::Submit,
            KeyCode::Esc => return InputOutcome::Cancel,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' && chars[start - 1] != '/' {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return InputOutcome::Ignored,
        }
        InputOutcome::Edited
    }

    /// The text with a visible cursor, for rendering.
    pub fn display(&self) -> String {
        let mut shown: String = self.text.chars().take(self.cursor).collect();
        shown.push('▏');
        shown.extend(self.text.chars().skip(self.cursor));
        shown
    }
}

/// A selection in a list of `len` rows that keeps itself in range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub index: usize,
}

impl Cursor {
    pub fn down(&mut self, len: usize) {
        if len > 0 {
            self.index = (self.index + 1).min(len - 1);
        }
    }

    pub fn up(&mut self) {
        self.index = self.index.saturating_sub(1);
    }

    pub fn top(&mut self) {
        self.index = 0;
    }

    pub fn bottom(&mut self, len: usize) {
        self.index = len.saturating_sub(1);
    }

    pub fn page_down(&mut self, len: usize, page: usize) {
        if len > 0 {
            self.index = (self.index + page.max(1)).min(len - 1);
        }
    }

    pub fn page_up(&mut self, page: usize) {
        self.index = self.index.saturating_sub(page.max(1));
    }

    pub fn clamp(&mut self, len: usize) {
        self.index = self.index.min(len.saturating_sub(1));
    }
}

/// A coloured status badge: `● ready`, `◐ parsing`, `✕ failed`.
pub fn status_badge(status: Status, theme: &Theme) -> Span<'static> {
    let text = match status {
        Status::Ready => "● ready",
        Status::Parsing => "◐ parsing",
        Status::Pending => "○ pending",
        Status::Failed => "✕ failed",
    };
    Span::styled(text, theme.status(status))
}

/// `2026-11-23T18:02:10.006Z` → `2026-11-23 18:02` (UTC, as sent).
pub fn short_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// A `width`×`height` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A "do this? y/n" popup centred in `area`: `question`, then `y: <verb>`
/// (any other key keeps things as they are). The screens' confirmations
/// (delete, revoke) all look and read the same.
pub fn confirm_popup(
    frame: &mut ratatui::Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    question: String,
    verb: &str,
) {
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
    let popup = centered(area, 60, 6);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(question),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(format!(": {verb}   any other key: keep it")),
            ]),
        ])
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(format!(" {title} ")),
        ),
        popup,
    );
}

/// Cut `text` to `width` terminal columns, with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    wrap::cut_to_width(text, width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::testing::{ch, key};

    #[test]
    fn input_edits_like_a_shell_line() {
        let mut input = Input::with_text("cv.pdf");
        assert_eq!(input.handle_key(&key(KeyCode::Left)), InputOutcome::Edited);
        input.handle_key(&ch('X'));
        assert_eq!(input.text, "cv.pdXf");
        input.handle_key(&key(KeyCode::Backspace));
        assert_eq!(input.text, "cv.pdf");
        input.handle_key(&key(KeyCode::End));
        input.insert_str("\n/x");
        assert_eq!(input.text, "cv.pdf/x");
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        input.handle_key(&ctrl_w);
        assert_eq!(input.text, "cv.pdf/");
        assert_eq!(input.handle_key(&key(KeyCode::Tab)), InputOutcome::Ignored);
        assert_eq!(input.handle_key(&key(KeyCode::Enter)), InputOutcome::Submit);
        let mut unicode = Input::with_text("Zoë");
        unicode.handle_key(&key(KeyCode::Backspace));
        assert_eq!(unicode.text, "Zo");
    }

    #[test]
    fn cursor_stays_in_range() {
        let mut cursor = Cursor::default();
        cursor.up();
        assert_eq!(cursor.index, 0);
        cursor.down(3);
        cursor.down(3);
        cursor.down(3);
        assert_eq!(cursor.index, 2);
        cursor.clamp(1);
        assert_eq!(cursor.index, 0);
        cursor.down(0);
        assert_eq!(cursor.index, 0);
    }

    #[test]
    fn times_are_shortened_and_text_truncated() {
        assert_eq!(short_time("2026-11-23T18:02:10.006Z"), "2026-11-23 18:02");
        assert_eq!(short_time("nonsense"), "nonsense");
        assert_eq!(truncate("resume.pdf", 6), "resum…");
        assert_eq!(truncate("cv", 6), "cv");
    }
}
