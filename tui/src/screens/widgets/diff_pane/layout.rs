//! Laying a diff out as pre-wrapped lines ([`diff_lines`]), unified or side
//! by side, with the index of each change's first line, so that scrolling
//! and "jump to change N" work on exact line numbers whatever the width.
//! Without colour (`NO_COLOR`, or the plain test theme) word changes are
//! bracketed git-style (`[-old-]{+new+}`), since strike-through and bold
//! alone are not shown by every terminal.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;
use vitae_common::diff::{Change, ChangeKind, Diff, WordOpKind};

use super::values::{entry_name, human_path, value_lines};
use super::Mode;
use crate::app::theme::Theme;
use crate::screens::widgets::truncate;
use crate::screens::widgets::wrap::{clean, str_width, wrap};

/// A diff laid out for a given width.
#[derive(Debug, Default)]
pub struct Rendered {
    pub lines: Vec<Line<'static>>,
    /// The index in `lines` of each change's header, in change order.
    pub starts: Vec<usize>,
}

/// Columns the gutter takes (the `▶` of the current change).
const GUTTER: usize = 2;
/// Indent of a change's body under its header.
const BODY_INDENT: usize = 4;
/// Below this the layout would be unreadable anyway; draw at this width and
/// let the terminal cut it.
const MIN_WIDTH: usize = 24;

/// Lay `diff` out as lines of at most `width` columns. `current` is the
/// change whose header is marked (`▶`) and highlighted.
pub fn diff_lines(
    diff: &Diff,
    mode: Mode,
    theme: &Theme,
    width: u16,
    current: Option<usize>,
) -> Rendered {
    let width = (width as usize).max(MIN_WIDTH);
    let mut out = Rendered::default();
    let mut section: Option<String> = None;
    for (i, change) in diff.changes.iter().enumerate() {
        let name = change.section();
        if section.as_deref() != Some(name.as_str()) {
            if !out.lines.is_empty() {
                out.lines.push(Line::default());
            }
            out.lines.push(section_rule(&name, width, theme));
            section = Some(name);
        }
        out.starts.push(out.lines.len());
        out.lines
            .extend(header(change, current == Some(i), theme, width));
        match mode {
            Mode::Unified => out.lines.extend(unified_body(change, theme, width)),
            Mode::SideBySide => out.lines.extend(side_body(change, theme, width)),
        }
    }
    out
}

fn section_rule(section: &str, width: usize, theme: &Theme) -> Line<'static> {
    let name = if section.is_empty() {
        "document"
    } else {
        section
    };
    let label = format!("── {} ", clean(name));
    let fill = width.saturating_sub(str_width(&label));
    Line::styled(format!("{label}{}", "─".repeat(fill)), theme.title())
}

pub(super) fn kind_style(kind: ChangeKind, theme: &Theme) -> Style {
    match kind {
        ChangeKind::Added => theme.added(),
        ChangeKind::Removed => theme.removed(),
        ChangeKind::Changed => theme.changed(),
        ChangeKind::Moved => theme.moved(),
    }
}

fn kind_symbol(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "+",
        ChangeKind::Removed => "-",
        ChangeKind::Changed => "~",
        ChangeKind::Moved => "↕",
    }
}

/// `▶ + added   work[0] "Nordlys Systems AB"`.
fn header(change: &Change, current: bool, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let style = kind_style(change.kind, theme);
    let gutter = if current { "▶ " } else { "  " };
    let prefix = vec![
        Span::styled(gutter, theme.key()),
        Span::styled(format!("{} ", kind_symbol(change.kind)), style),
        Span::styled(format!("{:<8}", change.kind.as_str()), style),
    ];
    let mut label = human_path(&change.path);
    if let Some(name) = entry_label(change) {
        label.push_str(&format!(" \"{}\"", truncate(&name, 48)));
    }
    let mut lines = wrap(
        prefix,
        GUTTER + 10,
        vec![Span::styled(
            label,
            theme.text().add_modifier(Modifier::BOLD),
        )],
        width,
    );
    if current {
        for line in &mut lines {
            line.style = theme.selected();
        }
    }
    lines
}

/// The entry's name when the change is a whole list entry (`work[0]`).
pub(super) fn entry_label(change: &Change) -> Option<String> {
    let last = change.path.rsplit('/').next()?;
    if change.path.is_empty() || last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = match change.kind {
        ChangeKind::Removed => change.before.as_ref(),
        _ => change.after.as_ref().or(change.before.as_ref()),
    }?;
    entry_name(&change.path, value)
}

fn unified_body(change: &Change, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let indent = GUTTER + BODY_INDENT;
    match change.kind {
        ChangeKind::Added => signed(
            &mut lines,
            "+",
            change.after.as_ref(),
            &change.path,
            theme.added(),
            indent,
            width,
        ),
        ChangeKind::Removed => signed(
            &mut lines,
            "-",
            change.before.as_ref(),
            &change.path,
            theme.removed(),
            indent,
            width,
        ),
        ChangeKind::Changed if !change.words.is_empty() => {
            let mut body = Vec::new();
            for op in &change.words {
                body.extend(word_span(op.op, &op.text, theme, true, true));
            }
            let prefix = vec![
                Span::raw(" ".repeat(indent)),
                Span::styled("~ ", theme.changed()),
            ];
            lines.extend(wrap(prefix, indent + 2, body, width));
        }
        ChangeKind::Changed => {
            signed(
                &mut lines,
                "-",
                change.before.as_ref(),
                &change.path,
                theme.removed(),
                indent,
                width,
            );
            signed(
                &mut lines,
                "+",
                change.after.as_ref(),
                &change.path,
                theme.added(),
                indent,
                width,
            );
        }
        ChangeKind::Moved => {
            let text = format!("{} → {}", from_label(change), human_path(&change.path));
            lines.extend(wrap(
                vec![Span::raw(" ".repeat(indent))],
                indent + 2,
                vec![Span::styled(text, theme.moved())],
                width,
            ));
            if let Some(text) = moved_text(change) {
                lines.extend(wrap(
                    vec![Span::raw(" ".repeat(indent))],
                    indent + 1,
                    vec![Span::raw(text)],
                    width,
                ));
            }
        }
    }
    lines
}

/// A moved string (a highlight, a keyword) has no name for the header:
/// show the string itself.
fn moved_text(change: &Change) -> Option<String> {
    match change.after.as_ref().or(change.before.as_ref())? {
        Value::String(s) => Some(format!("\"{}\"", clean(s))),
        _ => None,
    }
}

fn from_label(change: &Change) -> String {
    change
        .from
        .as_deref()
        .map_or_else(|| "(somewhere else)".to_string(), human_path)
}

/// One word-diff op as spans; `show_delete`/`show_insert` pick the side.
fn word_span(
    op: WordOpKind,
    text: &str,
    theme: &Theme,
    show_delete: bool,
    show_insert: bool,
) -> Vec<Span<'static>> {
    let text = clean(text);
    match op {
        WordOpKind::Equal => vec![Span::styled(text, theme.text())],
        WordOpKind::Delete if show_delete => {
            let style = theme.removed().add_modifier(Modifier::CROSSED_OUT);
            if theme.color {
                vec![Span::styled(text, style)]
            } else {
                vec![Span::styled(format!("[-{text}-]"), style)]
            }
        }
        WordOpKind::Insert if show_insert => {
            let style = theme.added().add_modifier(Modifier::BOLD);
            if theme.color {
                vec![Span::styled(text, style)]
            } else {
                vec![Span::styled(format!("{{+{text}+}}"), style)]
            }
        }
        WordOpKind::Delete | WordOpKind::Insert => Vec::new(),
    }
}

/// `value` (found at `path`) as readable lines, each prefixed with `sign`
/// (`+`/`-`).
fn signed(
    lines: &mut Vec<Line<'static>>,
    sign: &str,
    value: Option<&Value>,
    path: &str,
    style: Style,
    indent: usize,
    width: usize,
) {
    let value = value.unwrap_or(&Value::Null);
    for item in value_lines(value, path) {
        let pad = indent + 2 + 2 * item.level;
        let prefix = vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(format!("{sign} "), style),
            Span::raw("  ".repeat(item.level)),
        ];
        lines.extend(wrap(
            prefix,
            pad + item.hang(),
            vec![Span::styled(item.text, style)],
            width,
        ));
    }
}

fn side_body(change: &Change, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let sep = " │ ";
    let column = (width.saturating_sub(GUTTER + sep.len())) / 2;
    let (left, right) = match change.kind {
        ChangeKind::Added => (
            Vec::new(),
            column_lines(
                "+",
                change.after.as_ref(),
                &change.path,
                theme.added(),
                column,
            ),
        ),
        ChangeKind::Removed => (
            column_lines(
                "-",
                change.before.as_ref(),
                &change.path,
                theme.removed(),
                column,
            ),
            Vec::new(),
        ),
        ChangeKind::Changed if !change.words.is_empty() => {
            let side = |delete: bool, sign: &str, style: Style| {
                let mut body = Vec::new();
                for op in &change.words {
                    body.extend(word_span(op.op, &op.text, theme, delete, !delete));
                }
                wrap(
                    vec![Span::styled(format!("{sign} "), style)],
                    2,
                    body,
                    column,
                )
            };
            (
                side(true, "-", theme.removed()),
                side(false, "+", theme.added()),
            )
        }
        ChangeKind::Changed => (
            column_lines(
                "-",
                change.before.as_ref(),
                &change.path,
                theme.removed(),
                column,
            ),
            column_lines(
                "+",
                change.after.as_ref(),
                &change.path,
                theme.added(),
                column,
            ),
        ),
        ChangeKind::Moved => {
            let one =
                |text: String| wrap(vec![], 2, vec![Span::styled(text, theme.moved())], column);
            let mut now = one(format!("now {}", human_path(&change.path)));
            if let Some(text) = moved_text(change) {
                now.extend(wrap(vec![], 1, vec![Span::raw(text)], column));
            }
            (one(format!("was {}", from_label(change))), now)
        }
    };
    let rows = left.len().max(right.len());
    let divider = Span::styled(sep, theme.border());
    (0..rows)
        .map(|i| {
            let mut spans = vec![Span::raw(" ".repeat(GUTTER))];
            let used = match left.get(i) {
                Some(line) => {
                    spans.extend(line.spans.iter().cloned());
                    line.width()
                }
                None => 0,
            };
            spans.push(Span::raw(" ".repeat(column.saturating_sub(used))));
            spans.push(divider.clone());
            if let Some(line) = right.get(i) {
                spans.extend(line.spans.iter().cloned());
            }
            Line::from(spans)
        })
        .collect()
}

fn column_lines(
    sign: &str,
    value: Option<&Value>,
    path: &str,
    style: Style,
    column: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    signed(&mut lines, sign, value, path, style, 0, column);
    lines
}
