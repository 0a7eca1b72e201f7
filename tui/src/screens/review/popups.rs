//! The review screen's popups: the revision history (pick one to diff
//! against the current revision, or restore it), the edit conflict a
//! 412 opens, the confirmation a deletion asks for, and the picker of a
//! section to add (or of the list a new item goes to). Their keys are handled by the screen ([`super`]); this is
//! their state and drawing.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::RevisionResource;

use super::document::Seg;
use super::render::one_line;
use crate::app::theme::Theme;
use crate::screens::widgets::wrap::str_width;
use crate::screens::widgets::{centered, short_time, truncate, Cursor};

#[derive(Debug)]
pub(super) struct RevisionsPopup {
    /// Newest first; `None` while loading.
    pub(super) list: Option<Result<Vec<RevisionResource>, String>>,
    pub(super) cursor: Cursor,
    pub(super) offset: usize,
}

impl RevisionsPopup {
    pub(super) fn selected(&self) -> Option<&RevisionResource> {
        match &self.list {
            Some(Ok(list)) => list.get(self.cursor.index),
            _ => None,
        }
    }

    pub(super) fn len(&self) -> usize {
        match &self.list {
            Some(Ok(list)) => list.len(),
            _ => 0,
        }
    }
}

pub(super) fn render_revisions(
    frame: &mut Frame,
    area: Rect,
    popup: &mut RevisionsPopup,
    filename: &str,
    current: u64,
    theme: &Theme,
) {
    let rows = popup.len().max(1) as u16;
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(96),
        (rows + 4).min(area.height.saturating_sub(2)).max(5),
    );
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            format!(" Revisions of {filename} "),
            theme.title(),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [list_area, hint_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let width = list_area.width as usize;
    let lines: Vec<Line> = match &popup.list {
        None => vec![Line::styled("Loading revisions…", theme.dim())],
        Some(Err(e)) => vec![Line::styled(
            format!("Cannot load the revisions: {e}"),
            theme.error(),
        )],
        Some(Ok(list)) if list.is_empty() => vec![Line::styled("No revisions yet.", theme.dim())],
        Some(Ok(list)) => {
            let height = (list_area.height as usize).max(1);
            let index = popup.cursor.index;
            if index < popup.offset {
                popup.offset = index;
            } else if index >= popup.offset + height {
                popup.offset = index + 1 - height;
            }
            list.iter()
                .enumerate()
                .skip(popup.offset)
                .take(height)
                .map(|(i, r)| {
                    let selected = i == index;
                    let mut origin = one_line(&r.origin);
                    if r.revision == current {
                        origin = format!("{origin} (current)");
                    }
                    let head = format!(
                        "{} r{:<4} {:<16}  {:<24}  ",
                        if selected { "▸" } else { " " },
                        r.revision,
                        short_time(&r.created_at),
                        truncate(&origin, 24),
                    );
                    let rest = width.saturating_sub(str_width(&head));
                    let summary = truncate(&one_line(&r.summary), rest);
                    let pad = rest.saturating_sub(str_width(&summary));
                    let mut line = Line::from(vec![
                        Span::raw(head),
                        Span::styled(summary, theme.dim()),
                        Span::raw(" ".repeat(pad)),
                    ]);
                    if selected {
                        line.spans
                            .iter_mut()
                            .for_each(|s| s.style = s.style.patch(theme.selected()));
                    }
                    line
                })
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(lines), list_area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(": diff with the current  "),
            Span::styled("r", theme.key()),
            Span::raw(": restore  "),
            Span::styled("Esc", theme.key()),
            Span::raw(": close"),
        ])),
        hint_area,
    );
}

/// `changes`: how many unsaved changes the draft holds (an edit that was
/// being saved alone counts as one).
pub(super) fn render_conflict(
    frame: &mut Frame,
    area: Rect,
    had: u64,
    changes: usize,
    theme: &Theme,
) {
    let rect = centered(area, 66, 6);
    let yours = match changes {
        0 | 1 => "your change".to_string(),
        n => format!("your {n} changes"),
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(format!(
                "This resume changed elsewhere (you had revision {had})."
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("r", theme.key()),
                Span::raw(format!(": reload the current version ({yours} discarded)")),
            ]),
            Line::from(vec![
                Span::styled("Esc", theme.key()),
                Span::raw(format!(": keep {yours} on screen, unsaved")),
            ]),
        ])
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(Span::styled(" Not saved: conflict ", theme.error())),
        ),
        rect,
    );
}

/// What a picked option is for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Purpose {
    /// A section to add (`certificates`, or `basics.profiles`).
    Section,
    /// A list of the entry at this path to add an item to.
    Item(Vec<Seg>),
}

#[derive(Debug)]
pub(super) struct Picker {
    pub(super) title: String,
    /// (key, what the list shows).
    pub(super) options: Vec<(String, String)>,
    pub(super) cursor: Cursor,
    pub(super) purpose: Purpose,
}

impl Picker {
    pub(super) fn new(title: String, options: Vec<(String, String)>, purpose: Purpose) -> Picker {
        Picker {
            title,
            options,
            cursor: Cursor::default(),
            purpose,
        }
    }
}

pub(super) fn render_picker(frame: &mut Frame, area: Rect, picker: &Picker, theme: &Theme) {
    let rows = picker.options.len() as u16;
    let rect = centered(
        area,
        46,
        (rows + 3).min(area.height.saturating_sub(2)).max(4),
    );
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(format!(" {} ", picker.title), theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [list_area, hint_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let height = (list_area.height as usize).max(1);
    let offset = picker.cursor.index.saturating_sub(height - 1);
    let width = list_area.width as usize;
    let lines: Vec<Line> = picker
        .options
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, (_, label))| {
            let selected = i == picker.cursor.index;
            let text = format!("{} {}", if selected { "▸" } else { " " }, label);
            let text = format!("{:<width$}", truncate(&text, width));
            if selected {
                Line::styled(text, theme.selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list_area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(": add  "),
            Span::styled("Esc", theme.key()),
            Span::raw(": close"),
        ])),
        hint_area,
    );
}

pub(super) fn render_confirm(frame: &mut Frame, area: Rect, what: &str, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(72);
    let rect = centered(area, width, 6);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(truncate(
                &format!("Delete {what}?"),
                width.saturating_sub(2) as usize,
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(": delete (u undoes it until you save)  "),
                Span::styled("n/Esc", theme.key()),
                Span::raw(": keep it"),
            ]),
        ])
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.warn())
                .title(Span::styled(" Delete ", theme.warn())),
        ),
        rect,
    );
}
