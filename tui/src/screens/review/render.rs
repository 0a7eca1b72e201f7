//! Drawing the review screen: the status strip (status, revision, flagged
//! fields, parse warnings), the sections pane and the fields pane with its
//! in-place editor and detail line. Reads the screen's state; the only
//! thing it changes is where the fields pane is scrolled to and its page
//! height, which only a render can know.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::{ResumeResource, Status};

use super::document::{path_string, Field, Section};
use super::popups::{render_confirm, render_conflict, render_picker, render_revisions};
use super::validate::format_hint;
use super::{Edit, Pane, ReviewState};
use crate::app::theme::Theme;
use crate::screens::widgets::wrap::str_width;
use crate::screens::widgets::{short_time, status_badge, truncate};

/// Warnings shown in the top strip before "… and N more".
const MAX_WARNINGS: usize = 3;
/// Lines a selected (not edited) long value may take.
const MAX_VALUE_LINES: usize = 6;

pub(super) fn pane_block<'a>(title: &str, focused: bool, theme: &Theme) -> Block<'a> {
    // The focused pane has a heavy border, visible without colour.
    let (kind, style) = if focused {
        (BorderType::Thick, theme.focused_border())
    } else {
        (BorderType::Plain, theme.border())
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(kind)
        .border_style(style)
        .title(Span::styled(format!(" {title} "), theme.title()))
}

fn section_label(section: &Section) -> String {
    match section.count {
        Some(n) => format!("{} ({n})", section.title),
        None => section.title.to_string(),
    }
}

/// One line of text: a value's newlines and tabs would break the row.
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `text` cut into lines of at most `width` chars (newlines kept).
fn wrap_chars(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let chars: Vec<char> = paragraph
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if chars.is_empty() {
            lines.push(String::new());
        }
        for chunk in chars.chunks(width) {
            lines.push(chunk.iter().collect());
        }
    }
    lines
}

fn render_not_ready(frame: &mut Frame, area: Rect, resume: &ResumeResource, theme: &Theme) {
    let mut lines = vec![Line::from(vec![
        Span::raw("This resume is "),
        status_badge(resume.status, theme),
        Span::raw(match resume.status {
            Status::Failed => ": there is nothing to review.",
            _ => ": it can be reviewed once the parse is done.",
        }),
    ])];
    if let Some(reason) = &resume.reason {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Why the parse failed:", theme.error()));
        lines.push(Line::raw(reason.clone()));
    }
    lines.push(Line::raw(""));
    let hint = match resume.status {
        Status::Failed => ": check again   q: back (then u to upload a fixed file)",
        _ => ": check again   q: back",
    };
    lines.push(Line::from(vec![
        Span::styled("R", theme.key()),
        Span::raw(hint),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(&resume.filename, false, theme)),
        area,
    );
}

impl ReviewState {
    /// The whole screen: the status strip, the two panes, and the popup on
    /// top if one is open (or the loading / not-ready message instead).
    pub(super) fn draw(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Some(resume) = self.resume.as_deref() else {
            let text = match &self.load_error {
                Some(e) => vec![
                    Line::styled(format!("Cannot load {}: {e}", self.filename), theme.error()),
                    Line::raw(""),
                    Line::from(vec![
                        Span::styled("R", theme.key()),
                        Span::raw(": try again"),
                    ]),
                ],
                None => vec![Line::styled(
                    format!("Loading {}…", self.filename),
                    theme.dim(),
                )],
            };
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(pane_block(&self.filename, false, theme)),
                area,
            );
            return;
        };
        let strip = self.strip(resume, theme);
        let [strip_area, panes] =
            Layout::vertical([Constraint::Length(strip.len() as u16), Constraint::Min(3)])
                .areas(area);
        frame.render_widget(Paragraph::new(strip), strip_area);
        if resume.document().is_none() {
            render_not_ready(frame, panes, resume, theme);
            return;
        }
        let revision = resume.revision;
        let widest = self
            .sections
            .iter()
            .map(|s| str_width(&section_label(s)))
            .max()
            .unwrap_or(8) as u16;
        let left_width = (widest + 6).min(panes.width / 3).max(10);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_width), Constraint::Min(10)]).areas(panes);
        self.render_sections(frame, left, theme);
        self.render_fields(frame, right, theme);
        if let Some(popup) = self.revisions.as_mut() {
            render_revisions(frame, area, popup, &self.filename, revision, theme);
        }
        if let Some(picker) = &self.picker {
            render_picker(frame, area, picker, theme);
        }
        if let Some(confirm) = &self.confirm {
            render_confirm(frame, area, &confirm.what, theme);
        }
        if let Some(had) = self.conflict {
            render_conflict(frame, area, had, self.undo.len(), theme);
        }
    }

    /// Status, revision, counts of flagged fields, and the parse warnings.
    fn strip(&self, resume: &ResumeResource, theme: &Theme) -> Vec<Line<'static>> {
        let mut first = vec![
            Span::raw(" "),
            status_badge(resume.status, theme),
            Span::styled("  revision ", theme.dim()),
            Span::raw(resume.revision.to_string()),
            Span::styled("  updated ", theme.dim()),
            Span::raw(short_time(&resume.updated_at)),
        ];
        if resume.is_master {
            first.push(Span::styled("  ★ master", theme.warn()));
        }
        if let Some(language) = resume.document().and_then(|d| d.language()) {
            first.push(Span::styled("  language ", theme.dim()));
            first.push(Span::raw(one_line(language)));
        }
        let fields = self.sections.iter().flat_map(|s| &s.fields);
        let doubtful = fields.clone().filter(|f| f.doubtful()).count();
        let missing = fields.filter(|f| f.missing).count();
        if doubtful > 0 {
            first.push(Span::styled(
                format!("  ? {doubtful} unsure (check them)"),
                theme.warn(),
            ));
        }
        if missing > 0 {
            first.push(Span::styled(format!("  ! {missing} missing"), theme.warn()));
        }
        if self.saving {
            first.push(Span::styled("  saving…", theme.dim()));
        } else if self.pending() {
            let n = self.undo.len();
            let s = if n == 1 { "" } else { "s" };
            first.push(Span::styled(
                format!("  ● {n} unsaved change{s} (w saves, u undoes)"),
                theme.warn(),
            ));
        }
        let mut lines = vec![Line::from(first)];
        for warning in resume.warnings.iter().take(MAX_WARNINGS) {
            lines.push(Line::styled(
                format!(" ⚠ {}", one_line(warning)),
                theme.warn(),
            ));
        }
        if resume.warnings.len() > MAX_WARNINGS {
            lines.push(Line::styled(
                format!(
                    " ⚠ … and {} more warnings",
                    resume.warnings.len() - MAX_WARNINGS
                ),
                theme.warn(),
            ));
        }
        lines
    }

    fn render_sections(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let focused = self.focus == Pane::Sections;
        let block = pane_block("Sections", focused, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let height = (inner.height as usize).max(1);
        let offset = self.section.index.saturating_sub(height - 1);
        let lines: Vec<Line> = self
            .sections
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, section)| {
                let selected = i == self.section.index;
                // "!" (missing) outranks "?" (unsure): it is surely wrong.
                let marker = if section.fields.iter().any(|f| f.missing) {
                    " !"
                } else if section.fields.iter().any(Field::doubtful) {
                    " ?"
                } else {
                    "  "
                };
                let cursor = if selected { "▸" } else { " " };
                let label = truncate(&section_label(section), width.saturating_sub(4));
                let pad = width.saturating_sub(str_width(&label) + 4);
                let mut spans = vec![
                    Span::raw(format!("{cursor} {label}{}", " ".repeat(pad))),
                    Span::styled(marker, theme.warn()),
                ];
                if selected && focused {
                    spans
                        .iter_mut()
                        .for_each(|s| s.style = s.style.patch(theme.selected()));
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn render_fields(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let focused = self.focus == Pane::Fields;
        let Some(section) = self.sections.get(self.section.index) else {
            frame.render_widget(pane_block("Fields", focused, theme), area);
            return;
        };
        let title = match section.count {
            Some(1) => format!("{} · 1 entry", section.title),
            Some(n) => format!("{} · {n} entries", section.title),
            None => section.title.to_string(),
        };
        let block = pane_block(&title, focused, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width < 8 {
            return;
        }
        let [list_area, detail_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let columns = Columns::new(section, list_area.width as usize);
        let (lines, (start, end)) = self.field_lines(section, &columns, focused, theme);

        let height = (list_area.height as usize).max(1);
        self.page = height.saturating_sub(2).max(1);
        // Scroll only as far as it takes to show the selected field whole.
        if start < self.field_offset {
            self.field_offset = start;
        } else if end > self.field_offset + height {
            self.field_offset = end.saturating_sub(height).min(start);
        }
        self.field_offset = self.field_offset.min(lines.len().saturating_sub(1));
        let shown: Vec<Line> = lines
            .into_iter()
            .skip(self.field_offset)
            .take(height)
            .collect();
        frame.render_widget(Paragraph::new(shown), list_area);

        if let Some(field) = section.fields.get(self.field.index) {
            let detail = self.detail_line(field, focused, detail_area.width as usize, theme);
            frame.render_widget(Paragraph::new(detail), detail_area);
        }
    }

    /// Every line of the fields pane (entry headers, fields, the editor),
    /// and the range of lines of the selected field, to keep in view.
    fn field_lines(
        &self,
        section: &Section,
        columns: &Columns,
        focused: bool,
        theme: &Theme,
    ) -> (Vec<Line<'static>>, (usize, usize)) {
        let width = columns.width;
        let mut lines: Vec<Line> = Vec::new();
        let mut selected_range = (0, 0);
        for (i, field) in section.fields.iter().enumerate() {
            let start = lines.len();
            if let Some(header) = &field.header {
                if i > 0 {
                    lines.push(Line::raw(""));
                }
                lines.push(Line::styled(
                    format!("  {}", truncate(&one_line(header), width.saturating_sub(2))),
                    theme.title(),
                ));
            }
            let selected = i == self.field.index;
            let marker = if field.doubtful() {
                "?"
            } else if field.missing {
                "!"
            } else {
                " "
            };
            let label_width = columns.label_width;
            let label = format!("{:<label_width$}", truncate(&field.label, label_width));
            let head = format!("{}{marker} {label}  ", if selected { "▸" } else { " " });
            let label_style = if field.flagged() {
                theme.warn()
            } else {
                theme.text()
            };
            match self.edit.as_ref().filter(|_| selected) {
                Some(edit) => {
                    let lead = Span::styled(head, label_style.patch(theme.key()));
                    lines.extend(self.edit_lines(edit, lead, columns, theme));
                }
                None => {
                    let lead = Span::styled(head, label_style);
                    let highlight = (selected && focused).then(|| theme.selected());
                    lines.extend(value_lines(
                        field, selected, lead, highlight, columns, theme,
                    ));
                }
            }
            if selected {
                selected_range = (start, lines.len());
            }
        }
        (lines, selected_range)
    }

    /// The field being edited: its text with a cursor, wrapped, then the
    /// validation error or what the keys do.
    fn edit_lines(
        &self,
        edit: &Edit,
        lead: Span<'static>,
        columns: &Columns,
        theme: &Theme,
    ) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let chunks = wrap_chars(&edit.input.display(), columns.value_width);
        for (n, chunk) in chunks.into_iter().enumerate() {
            let lead = if n == 0 {
                lead.clone()
            } else {
                Span::styled(columns.indent.clone(), lead.style)
            };
            lines.push(Line::from(vec![lead, Span::styled(chunk, theme.text())]));
        }
        match &edit.error {
            Some(error) => {
                for chunk in wrap_chars(&format!("✕ {error}"), columns.value_width) {
                    lines.push(Line::from(vec![
                        Span::raw(columns.indent.clone()),
                        Span::styled(chunk, theme.error()),
                    ]));
                }
            }
            None => {
                let hint = if self.saving {
                    "saving…"
                } else {
                    if edit.added {
                        "Enter: add it   Esc: take it back"
                    } else if self.pending() {
                        "Enter: add to the unsaved changes   Esc: cancel   (empty clears it)"
                    } else {
                        "Enter: save   Esc: cancel   (empty clears it)"
                    }
                };
                lines.push(Line::from(vec![
                    Span::raw(columns.indent.clone()),
                    Span::styled(hint, theme.dim()),
                ]));
            }
        }
        lines
    }

    /// The line under the fields: the field's path, confidence, whether a
    /// resume needs it, its format, and whether it can be edited.
    fn detail_line(
        &self,
        field: &Field,
        focused: bool,
        width: usize,
        theme: &Theme,
    ) -> Line<'static> {
        let mut detail = vec![Span::styled(path_string(&field.path), theme.dim())];
        if let Some(c) = field.confidence {
            let style = if field.doubtful() {
                theme.warn()
            } else {
                theme.dim()
            };
            detail.push(Span::styled(
                format!(" · confidence {:.0}%", c * 100.0),
                style,
            ));
        }
        if field.missing {
            detail.push(Span::styled(" · a resume needs this", theme.warn()));
        }
        if let Some(hint) = format_hint(&field.path) {
            detail.push(Span::styled(format!(" · {hint}"), theme.dim()));
        }
        if !field.editable {
            detail.push(Span::styled(" · read-only here", theme.dim()));
        } else if self.edit.is_none() && focused {
            let used: usize = detail.iter().map(|s| str_width(&s.content)).sum();
            if used + 14 <= width {
                detail.push(Span::styled(" · Enter: edit", theme.dim()));
            }
        }
        Line::from(detail)
    }
}

/// The columns of the fields pane: "▸? label  value" (cursor, marker,
/// space, label, two spaces), the label as wide as the widest of the
/// section up to a third of the pane.
struct Columns {
    width: usize,
    label_width: usize,
    value_width: usize,
    /// Spaces that put a continuation line under the value.
    indent: String,
}

impl Columns {
    fn new(section: &Section, width: usize) -> Columns {
        let label_width = section
            .fields
            .iter()
            .map(|f| str_width(&f.label))
            .max()
            .unwrap_or(4)
            .min(width / 3)
            .max(4);
        Columns {
            width,
            label_width,
            value_width: width.saturating_sub(label_width + 5).max(1),
            indent: " ".repeat(label_width + 5),
        }
    }
}

/// A field's value, not being edited: one line, or when selected up to
/// [`MAX_VALUE_LINES`] wrapped lines; `highlight` (the selected row of the
/// focused pane) is padded to span the row.
fn value_lines(
    field: &Field,
    selected: bool,
    lead: Span<'static>,
    highlight: Option<Style>,
    columns: &Columns,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let value_width = columns.value_width;
    let value_style = if field.flagged() {
        theme.warn()
    } else if !field.editable {
        theme.dim()
    } else {
        theme.text()
    };
    let values: Vec<Span> = match &field.value {
        None if field.missing => vec![Span::styled("— missing", theme.warn())],
        None => vec![Span::styled("—", theme.dim())],
        Some(value) if selected => {
            let mut chunks = wrap_chars(value, value_width);
            if chunks.len() > MAX_VALUE_LINES {
                chunks.truncate(MAX_VALUE_LINES);
                if let Some(last) = chunks.last_mut() {
                    *last = truncate(&format!("{last}…"), value_width);
                }
            }
            chunks
                .into_iter()
                .map(|c| Span::styled(c, value_style))
                .collect()
        }
        Some(value) => vec![Span::styled(
            truncate(&one_line(value), value_width),
            value_style,
        )],
    };
    values
        .into_iter()
        .enumerate()
        .map(|(n, value)| {
            let lead = if n == 0 {
                lead.clone()
            } else {
                Span::styled(columns.indent.clone(), lead.style)
            };
            let mut line = Line::from(vec![lead, value]);
            if let Some(style) = highlight {
                // Pad so the highlight spans the row.
                let used: usize = line.spans.iter().map(|s| str_width(&s.content)).sum();
                line.spans
                    .push(Span::raw(" ".repeat(columns.width.saturating_sub(used))));
                line.spans
                    .iter_mut()
                    .for_each(|s| s.style = s.style.patch(style));
            }
            line
        })
        .collect()
}
