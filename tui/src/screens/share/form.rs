//! The new-link form of the share screen: expiry, label, password (shown
//! as dots), pin to the current revision, downloads on/off and the fields
//! to hide, chosen from the names the server accepts
//! ([`vitae_common::render::hideable`]), so nothing typed can be refused
//! for a misspelt field.
//!
//! Keyboard only: Tab/Shift-Tab (or ↓/↑) move between fields, Space
//! toggles, ←/→ move among the hide names, Enter creates from any field,
//! Esc cancels. What the keys do is here; the screen only opens the form,
//! hands it keys and sends the [`NewShare`] it returns.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use vitae_common::render::hideable;

use super::super::widgets::wrap::{cut_to_width, str_width};
use super::super::widgets::{centered, Input, InputOutcome};
use crate::app::keys::{lookup, Binding, Key};
use crate::app::msg::NewShare;
use crate::app::theme::Theme;

/// Expiry offered for a new link.
pub const DEFAULT_DAYS: u32 = 30;
/// The longest expiry accepted (ten years).
pub const MAX_DAYS: u32 = 3650;
/// The server's limit on a label, in characters.
pub const MAX_LABEL: usize = 200;

/// The form's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Days,
    Label,
    Password,
    Pin,
    Downloads,
    Hide,
}

const FIELDS: [Field; 6] = [
    Field::Days,
    Field::Label,
    Field::Password,
    Field::Pin,
    Field::Downloads,
    Field::Hide,
];

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Days => "expires in days",
            Field::Label => "label",
            Field::Password => "password",
            Field::Pin => "pin",
            Field::Downloads => "downloads",
            Field::Hide => "hide",
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Field::Days | Field::Label | Field::Password)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    Create,
    Cancel,
    Next,
    Previous,
}

/// The form's own keys; everything else edits the focused field.
#[rustfmt::skip]
pub const FORM_KEYS: &[Binding<FormAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "create the link", action: FormAction::Create },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "cancel", action: FormAction::Cancel },
    Binding { keys: &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)], label: "Tab/↓", help: "next field", action: FormAction::Next },
    Binding { keys: &[Key { code: KeyCode::BackTab, mods: KeyModifiers::SHIFT }, Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)], label: "S-Tab/↑", help: "previous field", action: FormAction::Previous },
];

/// How the field keys read in help (they are not a table: what they do
/// depends on the focused field).
pub const FIELD_HELP: &[(&str, &str)] = &[
    ("Space", "pin, downloads, hide: switch on ⇄ off"),
    ("←/→", "hide: the previous or next field name"),
    ("text", "days, label, password: type (Ctrl-U clears)"),
];

/// What a key did to the form.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still open.
    Editing,
    Cancel,
    Create(NewShare),
}

#[derive(Debug)]
pub struct Form {
    pub focus: Field,
    pub days: Input,
    pub label: Input,
    pub password: Input,
    pub pin: bool,
    pub downloads: bool,
    /// Every hideable name and whether it is hidden.
    pub hide: Vec<(&'static str, bool)>,
    /// The hide name ←/→ are on.
    pub hide_cursor: usize,
    /// Why Enter did not create (shown until the next edit).
    pub error: Option<String>,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            focus: Field::Days,
            days: Input::with_text(&DEFAULT_DAYS.to_string()),
            label: Input::default(),
            password: Input::default(),
            pin: false,
            downloads: true,
            hide: hideable().into_iter().map(|name| (name, false)).collect(),
            hide_cursor: 0,
            error: None,
        }
    }
}

/// Days typed in the form, checked.
pub fn parse_days(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(format!("expires in days: a number from 1 to {MAX_DAYS}")),
    }
}

impl Form {
    fn input(&mut self) -> Option<&mut Input> {
        match self.focus {
            Field::Days => Some(&mut self.days),
            Field::Label => Some(&mut self.label),
            Field::Password => Some(&mut self.password),
            _ => None,
        }
    }

    fn step(&mut self, forward: bool) {
        let at = FIELDS.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = FIELDS.len();
        self.focus = FIELDS[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
    }

    /// The request, or what to fix (and the focus moves there).
    fn submit(&mut self) -> Result<NewShare, String> {
        let days = parse_days(&self.days.text).inspect_err(|_| self.focus = Field::Days)?;
        let label = self.label.text.trim();
        if label.chars().count() > MAX_LABEL {
            self.focus = Field::Label;
            return Err(format!("label: at most {MAX_LABEL} characters"));
        }
        Ok(NewShare {
            days: Some(days),
            label: (!label.is_empty()).then(|| label.to_string()),
            password: (!self.password.text.is_empty()).then(|| self.password.text.clone()),
            pin: self.pin,
            hide: self.hidden().map(str::to_string).collect(),
            allow_download: self.downloads,
        })
    }

    /// The names chosen to hide, in the server's order.
    pub fn hidden(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.hide
            .iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| *name)
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Outcome {
        // ↑/↓ leave a text field; ←/→ stay for its cursor.
        match lookup(FORM_KEYS, key) {
            Some(FormAction::Cancel) => return Outcome::Cancel,
            Some(FormAction::Create) => {
                return match self.submit() {
                    Ok(share) => Outcome::Create(share),
                    Err(e) => {
                        self.error = Some(e);
                        Outcome::Editing
                    }
                }
            }
            Some(FormAction::Next) => self.step(true),
            Some(FormAction::Previous) => self.step(false),
            None => self.edit(key),
        }
        Outcome::Editing
    }

    fn edit(&mut self, key: &KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let focus = self.focus;
        if focus.is_text() {
            if let KeyCode::Char(c) = key.code {
                // Digits only for days; a label stops at the server's limit.
                let refused = !ctrl
                    && ((focus == Field::Days && !c.is_ascii_digit())
                        || (focus == Field::Label && self.label.text.chars().count() >= MAX_LABEL));
                if refused {
                    return;
                }
            }
            if let Some(input) = self.input() {
                if input.handle_key(key) == InputOutcome::Edited {
                    self.error = None;
                }
            }
            return;
        }
        let toggle = matches!(key.code, KeyCode::Char(' ') | KeyCode::Char('x')) && !ctrl;
        match (focus, key.code) {
            (Field::Pin, _) if toggle => self.pin = !self.pin,
            (Field::Downloads, _) if toggle => self.downloads = !self.downloads,
            (Field::Hide, _) if toggle => {
                if let Some((_, on)) = self.hide.get_mut(self.hide_cursor) {
                    *on = !*on;
                }
            }
            (Field::Hide, KeyCode::Left | KeyCode::Char('h')) => {
                self.hide_cursor = self.hide_cursor.saturating_sub(1);
            }
            (Field::Hide, KeyCode::Right | KeyCode::Char('l')) => {
                self.hide_cursor = (self.hide_cursor + 1).min(self.hide.len().saturating_sub(1));
            }
            _ => return,
        }
        self.error = None;
    }

    /// Pasted text goes to the focused text field (digits only for days).
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        let Some(input) = self.input() else {
            return;
        };
        let text: String = match focus {
            Field::Days => text.chars().filter(char::is_ascii_digit).collect(),
            Field::Label => {
                let room = MAX_LABEL.saturating_sub(input.text.chars().count());
                text.chars().take(room).collect()
            }
            _ => text.to_string(),
        };
        input.insert_str(&text);
        self.error = None;
    }
}

/// Name column width, then the value.
const NAME_WIDTH: usize = 17;

impl Form {
    /// The value of a text field: its text (dots for the password), with
    /// the cursor when focused.
    fn text_value(&self, field: Field, width: usize, theme: &Theme) -> Vec<Span<'static>> {
        let focused = self.focus == field;
        let (input, hint) = match field {
            Field::Days => (&self.days, ""),
            Field::Label => (&self.label, "(a note for you: where it went)"),
            _ => (&self.password, "(none: anyone with the link reads it)"),
        };
        let masked = |input: &Input| Input {
            text: "•".repeat(input.text.chars().count()),
            cursor: input.cursor,
        };
        let shown = if field == Field::Password {
            masked(input)
        } else {
            input.clone()
        };
        let text = if focused {
            shown.display()
        } else {
            shown.text.clone()
        };
        // Keep the cursor's end in sight when the text is wider than the field.
        let room = width.saturating_sub(2);
        let text = if str_width(&text) > room {
            super::super::widgets::wrap::cut_left_to_width(&text, room)
        } else {
            text
        };
        let style = if focused { theme.key() } else { theme.text() };
        let mut spans = vec![Span::styled(format!("[{text}]"), style)];
        if input.text.is_empty() && !hint.is_empty() {
            spans.push(Span::styled(format!(" {hint}"), theme.dim()));
        }
        spans
    }

    fn toggle_value(&self, field: Field, width: usize, theme: &Theme) -> Vec<Span<'static>> {
        let (on, text_on, text_off) = match field {
            Field::Pin => (
                self.pin,
                "this revision: later edits do not show",
                "live: shows the resume as it is",
            ),
            _ => (
                self.downloads,
                "PDF, DOCX, JSON and Markdown too",
                "the page only",
            ),
        };
        let style = if self.focus == field {
            theme.key()
        } else {
            theme.text()
        };
        vec![
            Span::styled(if on { "[x]" } else { "[ ]" }, style),
            Span::raw(cut_to_width(
                &format!(" {}", if on { text_on } else { text_off }),
                width.saturating_sub(3),
            )),
        ]
    }

    /// The hide names packed into lines of `width` columns.
    fn hide_lines(&self, width: usize, theme: &Theme) -> Vec<Vec<Span<'static>>> {
        let mut lines: Vec<Vec<Span<'static>>> = Vec::new();
        let mut line: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for (i, (name, on)) in self.hide.iter().enumerate() {
            let chip = format!("[{}] {name}", if *on { "x" } else { " " });
            let w = str_width(&chip);
            if used > 0 && used + 2 + w > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(Span::raw("  "));
                used += 2;
            }
            let style = if self.focus == Field::Hide && i == self.hide_cursor {
                theme.selected()
            } else if *on {
                theme.warn()
            } else {
                theme.text()
            };
            line.push(Span::styled(chip, style));
            used += w;
        }
        lines.push(line);
        lines
    }

    /// What the focused field's keys are, for the form's last line.
    fn hint(&self) -> &'static str {
        match self.focus {
            Field::Hide => "Space: hide ⇄ show  ←/→: field  Tab: next  Enter: create  Esc: cancel",
            Field::Pin | Field::Downloads => {
                "Space: on ⇄ off  Tab/↓: next  S-Tab/↑: back  Enter: create  Esc: cancel"
            }
            _ => "Tab/↓: next  S-Tab/↑: back  Enter: create  Esc: cancel",
        }
    }

    /// The form as a popup centred in `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let width = area.width.min(84);
        let inner = (width as usize).saturating_sub(4);
        let value_width = inner.saturating_sub(NAME_WIDTH).max(8);
        let mut lines = Vec::new();
        for field in FIELDS {
            let focused = self.focus == field;
            let name = Span::styled(
                format!(
                    "{}{:<w$}",
                    if focused { "▸" } else { " " },
                    field.name(),
                    w = NAME_WIDTH - 1
                ),
                if focused { theme.key() } else { theme.dim() },
            );
            match field {
                Field::Hide => {
                    for (i, chips) in self.hide_lines(value_width, theme).into_iter().enumerate() {
                        let lead = if i == 0 {
                            name.clone()
                        } else {
                            Span::raw(" ".repeat(NAME_WIDTH))
                        };
                        lines.push(Line::from([vec![lead], chips].concat()));
                    }
                }
                Field::Pin | Field::Downloads => {
                    lines.push(Line::from(
                        [vec![name], self.toggle_value(field, value_width, theme)].concat(),
                    ));
                }
                _ => lines.push(Line::from(
                    [vec![name], self.text_value(field, value_width, theme)].concat(),
                )),
            }
        }
        lines.push(match &self.error {
            Some(e) => Line::styled(cut_to_width(&format!(" ✕ {e}"), inner), theme.error()),
            None => Line::raw(""),
        });
        lines.push(Line::styled(
            cut_to_width(&format!(" {}", self.hint()), inner),
            theme.dim(),
        ));
        let height = lines.len() as u16 + 2;
        let popup = centered(area, width, height);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.focused_border())
                    .title(Span::styled(" New share link ", theme.title())),
            ),
            popup,
        );
    }
}
