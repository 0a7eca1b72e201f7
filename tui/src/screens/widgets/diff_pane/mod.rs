//! A scrollable view of any [`Diff`] with a current change: the body of
//! the diff screen, and of the tailor screen's preview. It owns the
//! scrolling, the current change and the mode (unified or side by side),
//! and the keys that move them ([`PANE_KEYS`]); the screen that shows it
//! keeps the diff and passes it in.
//!
//! The pane lays the whole diff out once (`layout`), in readable values
//! (`values`), and caches that layout: a frame that only scrolls slices
//! it instead.

mod layout;
#[cfg(test)]
pub(crate) mod tests;
mod values;

use std::rc::Rc;

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::diff::{Change, ChangeKind, Counts, Diff};

use self::layout::kind_style;
pub use self::layout::{diff_lines, Rendered};
pub use self::values::human_path;
use super::wrap::clean;
use crate::app::keys::{nav, Binding, Key};
use crate::app::msg::Effect;
use crate::app::theme::Theme;

/// How a diff is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// One column: removed lines, then added lines, per change.
    #[default]
    Unified,
    /// Two columns, before | after, aligned per change.
    SideBySide,
}

impl Mode {
    /// How the mode is called in the pane's border.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Unified => "unified",
            Mode::SideBySide => "side by side",
        }
    }
}

/// What the keys of a diff pane do; shared by every screen showing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneAction {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextChange,
    PrevChange,
    NextSection,
    PrevSection,
    ToggleMode,
}

/// The keys of a diff pane, for handling and help alike.
#[rustfmt::skip]
pub const PANE_KEYS: &[Binding<PaneAction>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "scroll down", action: PaneAction::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "scroll up", action: PaneAction::Up },
    Binding { keys: nav::PAGE_DOWN, label: "Ctrl-d/PgDn", help: "page down", action: PaneAction::PageDown },
    Binding { keys: nav::PAGE_UP, label: "Ctrl-u/PgUp", help: "page up", action: PaneAction::PageUp },
    Binding { keys: nav::TOP, label: "g/Home", help: "top", action: PaneAction::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "bottom", action: PaneAction::Bottom },
    Binding { keys: &[Key::ch('n')], label: "n", help: "next change (stops at the last)", action: PaneAction::NextChange },
    Binding { keys: &[Key::ch('N')], label: "N", help: "previous change (stops at the first)", action: PaneAction::PrevChange },
    Binding { keys: &[Key::ch(']')], label: "]", help: "first change of the next section", action: PaneAction::NextSection },
    Binding { keys: &[Key::ch('[')], label: "[", help: "first change of the previous section", action: PaneAction::PrevSection },
    Binding {
        keys: &[Key::ch('s'), Key::plain(KeyCode::Tab)],
        label: "s/Tab",
        help: "unified ⇄ side by side",
        action: PaneAction::ToggleMode,
    },
];

/// `work: +1 −1 ~2 ↕1   skills: −1   total 6`, sections in the order the
/// document has them.
pub fn summary_spans(diff: &Diff, theme: &Theme) -> Vec<Span<'static>> {
    let mut order: Vec<String> = Vec::new();
    for change in &diff.changes {
        let section = change.section();
        if !order.contains(&section) {
            order.push(section);
        }
    }
    for section in diff.summary.sections.keys() {
        if !order.contains(section) {
            order.push(section.clone());
        }
    }
    let mut spans = Vec::new();
    for section in order {
        let Some(counts) = diff.summary.sections.get(&section) else {
            continue;
        };
        if counts.total() == 0 {
            continue;
        }
        let name = if section.is_empty() {
            "document".to_string()
        } else {
            clean(&section)
        };
        spans.push(Span::styled(format!("{name}:"), theme.text()));
        spans.extend(count_spans(counts, theme));
        spans.push(Span::raw("   "));
    }
    spans.push(Span::styled(
        format!("total {}:", diff.summary.total.total()),
        theme.text().add_modifier(Modifier::BOLD),
    ));
    spans.extend(count_spans(&diff.summary.total, theme));
    spans
}

fn count_spans(counts: &Counts, theme: &Theme) -> Vec<Span<'static>> {
    [
        (ChangeKind::Added, "+"),
        (ChangeKind::Removed, "−"),
        (ChangeKind::Changed, "~"),
        (ChangeKind::Moved, "↕"),
    ]
    .into_iter()
    .filter(|(kind, _)| counts.get(*kind) > 0)
    .map(|(kind, sign)| {
        Span::styled(
            format!(" {sign}{}", counts.get(kind)),
            kind_style(kind, theme),
        )
    })
    .collect()
}

/// A scrollable view of a diff with a current change; the screen that owns
/// it keeps the [`Diff`] and passes it in.
#[derive(Debug, Default)]
pub struct DiffPane {
    pub mode: Mode,
    scroll: usize,
    current: Option<usize>,
    /// The size it was last drawn at: keys are handled between draws, and
    /// where change N starts depends on the width.
    width: u16,
    height: u16,
    /// Whether it was drawn in colour: without, word changes take brackets
    /// and so more room.
    color: bool,
    total: usize,
    /// The last layout and what it was made from: laying a long diff out
    /// costs more than a frame may, so a frame that changes none of its
    /// inputs (a scroll, a redraw) only slices it.
    cache: Option<(LayoutKey, Rc<Rendered>)>,
}

/// Everything a layout depends on. The diff is known by its change list's
/// address and length; `reset`, which owners call for every new diff, also
/// drops the cache, so a new diff at a reused address is never mistaken.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LayoutKey {
    changes: usize,
    len: usize,
    mode: Mode,
    width: u16,
    color: bool,
    current: Option<usize>,
}

impl DiffPane {
    /// Back to the top with no current change, for a new diff (the mode
    /// stays: it is the reader's preference).
    pub fn reset(&mut self) {
        self.scroll = 0;
        self.current = None;
        self.cache = None;
    }

    /// The change whose header is highlighted.
    pub fn current(&self) -> Option<usize> {
        self.current
    }

    /// The first line shown (of the laid-out diff).
    pub fn top_line(&self) -> usize {
        self.scroll
    }

    fn layout(&mut self, diff: &Diff) -> Rc<Rendered> {
        let width = if self.width == 0 { 80 } else { self.width };
        let key = LayoutKey {
            changes: diff.changes.as_ptr() as usize,
            len: diff.changes.len(),
            mode: self.mode,
            width,
            color: self.color,
            current: self.current,
        };
        if let Some((cached, rendered)) = &self.cache {
            if *cached == key {
                return rendered.clone();
            }
        }
        let rendered = Rc::new(diff_lines(
            diff,
            self.mode,
            &Theme { color: self.color },
            width,
            self.current,
        ));
        self.cache = Some((key, rendered.clone()));
        rendered
    }

    fn page(&self) -> usize {
        (self.height as usize).saturating_sub(2).max(1)
    }

    fn go_to(&mut self, diff: &Diff, index: usize) {
        self.current = Some(index);
        let layout = self.layout(diff);
        // One line of context above: the section rule or the change before.
        self.scroll = layout
            .starts
            .get(index)
            .copied()
            .unwrap_or(0)
            .saturating_sub(1);
    }

    /// Scroll by `delta` lines (negative: up), as the mouse wheel does.
    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = self.scroll.saturating_add_signed(delta);
    }

    pub fn act(&mut self, action: PaneAction, diff: &Diff) -> Effect {
        let count = diff.changes.len();
        match action {
            PaneAction::Down => self.scroll_by(1),
            PaneAction::Up => self.scroll_by(-1),
            PaneAction::PageDown => self.scroll = self.scroll.saturating_add(self.page()),
            PaneAction::PageUp => self.scroll = self.scroll.saturating_sub(self.page()),
            PaneAction::Top => self.scroll = 0,
            // Clamped to the last page when drawn.
            PaneAction::Bottom => self.scroll = usize::MAX,
            PaneAction::ToggleMode => {
                self.mode = match self.mode {
                    Mode::Unified => Mode::SideBySide,
                    Mode::SideBySide => Mode::Unified,
                };
                // Keep the current change in view across the re-layout.
                if let Some(current) = self.current {
                    self.go_to(diff, current);
                }
            }
            _ if count == 0 => return Effect::Info("no changes".into()),
            PaneAction::NextChange => match self.current {
                None => self.go_to(diff, 0),
                Some(i) if i + 1 < count => self.go_to(diff, i + 1),
                Some(_) => {
                    return Effect::Info(format!("that was the last change ({count} of {count})"))
                }
            },
            PaneAction::PrevChange => match self.current {
                Some(i) if i > 0 => self.go_to(diff, i - 1),
                _ => return Effect::Info("that was the first change".into()),
            },
            PaneAction::NextSection => {
                let next = match self.current {
                    None => Some(0),
                    Some(i) => {
                        let here = diff.changes.get(i).map(Change::section);
                        (i + 1..count).find(|&j| Some(diff.changes[j].section()) != here)
                    }
                };
                match next {
                    Some(j) => self.go_to(diff, j),
                    None => return Effect::Info("no section after this one".into()),
                }
            }
            PaneAction::PrevSection => {
                let start_of = |i: usize| {
                    let section = diff.changes[i].section();
                    let mut s = i;
                    while s > 0 && diff.changes[s - 1].section() == section {
                        s -= 1;
                    }
                    s
                };
                match self.current.filter(|&i| i < count).map(start_of) {
                    Some(start) if start > 0 => {
                        let previous = start_of(start - 1);
                        self.go_to(diff, previous);
                    }
                    _ => return Effect::Info("no section before this one".into()),
                }
            }
        }
        Effect::None
    }

    /// `change 2/7 · lines 10–30 of 80`, for a border.
    pub fn position(&self, diff: &Diff) -> String {
        let count = diff.changes.len();
        let change = match self.current {
            Some(i) => format!("change {}/{count}", i + 1),
            None => format!("{count} change{}", if count == 1 { "" } else { "s" }),
        };
        if self.total == 0 {
            return change;
        }
        let last = self
            .scroll
            .saturating_add(self.height as usize)
            .min(self.total);
        format!(
            "{change} · lines {}–{last} of {}",
            self.scroll.saturating_add(1).min(self.total),
            self.total
        )
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, diff: &Diff, theme: &Theme) {
        self.width = area.width;
        self.height = area.height;
        self.color = theme.color;
        if diff.is_empty() {
            self.total = 0;
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "No differences: the two versions are identical.",
                    theme.ok(),
                ))
                .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        let rendered = self.layout(diff);
        self.total = rendered.lines.len();
        let max = self.total.saturating_sub(area.height as usize);
        self.scroll = self.scroll.min(max);
        let visible: Vec<Line> = rendered
            .lines
            .iter()
            .skip(self.scroll)
            .take(area.height as usize)
            .cloned()
            .collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
}
