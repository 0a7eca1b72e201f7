//! Comparing two versions of a resume: what changed from `before` to
//! `after`, change by change, unified or side by side.
//!
//! The screen ([`DiffState`]) is a thin shell around [`DiffPane`], a
//! scrollable view of any [`Diff`] that the tailor screen reuses for its
//! preview. The pane lays the whole diff out as pre-wrapped lines
//! ([`diff_lines`]) so that scrolling and "jump to change N" work on exact
//! line numbers, whatever the terminal width.
//!
//! Values are shown as a reader would write them, not as JSON: an added work
//! entry reads "company — position", its dates, then its highlights as
//! bullets. Without colour (`NO_COLOR`, or the plain test theme) word
//! changes are bracketed git-style (`[-old-]{+new+}`), since strike-through
//! and bold alone are not shown by every terminal.

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::{Map, Value};
use vitae_common::diff::{Change, ChangeKind, Counts, Diff, WordOpKind};
use vitae_common::DiffResource;

use super::widgets::truncate;
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::theme::Theme;
use crate::app::{Effect, Msg, Request};

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
    fn name(self) -> &'static str {
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

fn kind_style(kind: ChangeKind, theme: &Theme) -> Style {
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
fn entry_label(change: &Change) -> Option<String> {
    let last = change.path.rsplit('/').next()?;
    if change.path.is_empty() || last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = match change.kind {
        ChangeKind::Removed => change.before.as_ref(),
        _ => change.after.as_ref().or(change.before.as_ref()),
    }?;
    entry_name(value.as_object()?)
}

/// Keys that name a JSON Resume list entry, most telling first.
const NAME_KEYS: &[&str] = &[
    "name",
    "institution",
    "organization",
    "title",
    "language",
    "network",
];
/// Keys that qualify the name: `Acme — Staff Engineer`.
const SUB_KEYS: &[&str] = &[
    "position",
    "label",
    "studyType",
    "area",
    "awarder",
    "issuer",
    "publisher",
    "fluency",
    "level",
    "username",
];
const DATE_KEYS: &[&str] = &["startDate", "endDate", "date", "releaseDate"];
/// Fields shown right after the headline, in this order; the rest follow
/// alphabetically.
const FIELD_ORDER: &[&str] = &[
    "summary",
    "description",
    "location",
    "url",
    "email",
    "phone",
    "highlights",
    "keywords",
    "courses",
    "roles",
    "score",
];

fn entry_name(map: &Map<String, Value>) -> Option<String> {
    NAME_KEYS
        .iter()
        .filter_map(|k| map.get(*k)?.as_str())
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(clean)
}

/// A JSON Pointer as a reader would say it: `/work/2/highlights/0` →
/// `work[2].highlights[0]`; the whole document is `(whole document)`.
pub fn human_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(whole document)".to_string();
    }
    let mut out = String::new();
    let rest = pointer.strip_prefix('/').unwrap_or(pointer);
    for raw in rest.split('/') {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        let index = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
        let plain = !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$');
        if index {
            out.push_str(&format!("[{segment}]"));
        } else if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        } else {
            out.push_str(&format!("[{:?}]", clean(&segment)));
        }
    }
    out
}

fn unified_body(change: &Change, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let indent = GUTTER + BODY_INDENT;
    match change.kind {
        ChangeKind::Added => signed(
            &mut lines,
            "+",
            change.after.as_ref(),
            theme.added(),
            indent,
            width,
        ),
        ChangeKind::Removed => signed(
            &mut lines,
            "-",
            change.before.as_ref(),
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
                theme.removed(),
                indent,
                width,
            );
            signed(
                &mut lines,
                "+",
                change.after.as_ref(),
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

/// `value` as readable lines, each prefixed with `sign` (`+`/`-`).
fn signed(
    lines: &mut Vec<Line<'static>>,
    sign: &str,
    value: Option<&Value>,
    style: Style,
    indent: usize,
    width: usize,
) {
    let value = value.unwrap_or(&Value::Null);
    for item in value_lines(value) {
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
            column_lines("+", change.after.as_ref(), theme.added(), column),
        ),
        ChangeKind::Removed => (
            column_lines("-", change.before.as_ref(), theme.removed(), column),
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
            column_lines("-", change.before.as_ref(), theme.removed(), column),
            column_lines("+", change.after.as_ref(), theme.added(), column),
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
    style: Style,
    column: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    signed(&mut lines, sign, value, style, 0, column);
    lines
}

/// One line of a value's readable form.
#[derive(Debug, Clone, PartialEq)]
struct ValueLine {
    level: usize,
    text: String,
}

impl ValueLine {
    /// Extra indent of wrapped continuation lines (under a bullet's text).
    fn hang(&self) -> usize {
        if self.text.starts_with("• ") {
            2
        } else {
            0
        }
    }
}

/// Past this depth values are shown as compact JSON: deep nesting is not
/// resume data, and the layout would run off the screen anyway.
const MAX_DEPTH: usize = 4;

fn value_lines(value: &Value) -> Vec<ValueLine> {
    let mut out = Vec::new();
    push_value(value, 0, &mut out);
    out
}

fn push(out: &mut Vec<ValueLine>, level: usize, text: impl Into<String>) {
    out.push(ValueLine {
        level,
        text: text.into(),
    });
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "(empty)".to_string(),
        Value::String(s) if s.is_empty() => "(empty text)".to_string(),
        Value::String(s) => clean(&s.replace('\n', " ")),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => clean(&other.to_string()),
    }
}

fn push_value(value: &Value, level: usize, out: &mut Vec<ValueLine>) {
    match value {
        Value::String(s) if s.contains('\n') => {
            for line in s.lines() {
                push(out, level, clean(line));
            }
        }
        Value::Array(items) if level <= MAX_DEPTH => push_array(items, level, out),
        Value::Object(map) if level <= MAX_DEPTH => push_object(map, level, out),
        other => push(out, level, scalar(other)),
    }
}

/// Short strings (keywords, courses) read best on one line.
fn short_list(items: &[Value]) -> Option<String> {
    let words: Option<Vec<&str>> = items
        .iter()
        .map(|v| {
            v.as_str()
                .filter(|s| s.split_whitespace().count() <= 3 && !s.contains('\n'))
        })
        .collect();
    let words = words?;
    let joined = words.join(", ");
    (joined.chars().count() <= 120).then(|| clean(&joined))
}

fn push_array(items: &[Value], level: usize, out: &mut Vec<ValueLine>) {
    if items.is_empty() {
        push(out, level, "(empty list)");
        return;
    }
    if let Some(joined) = short_list(items) {
        push(out, level, joined);
        return;
    }
    for item in items {
        let mut inner = Vec::new();
        match item {
            Value::Object(_) | Value::Array(_) => push_value(item, level + 1, &mut inner),
            other => push(&mut inner, level + 1, scalar(other)),
        }
        if let Some(first) = inner.first_mut() {
            // The bullet takes the place of one level of indent.
            first.level = level;
            first.text = format!("• {}", first.text);
        }
        out.extend(inner);
    }
}

fn push_object(map: &Map<String, Value>, level: usize, out: &mut Vec<ValueLine>) {
    let before = out.len();
    let present = |k: &str| map.get(k).filter(|v| !v.is_null());
    let text = |k: &str| {
        present(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(clean)
    };
    let mut used: Vec<&str> = Vec::new();
    let name_key = NAME_KEYS.iter().copied().find(|k| text(k).is_some());
    let subs: Vec<&str> = SUB_KEYS
        .iter()
        .copied()
        .filter(|k| Some(*k) != name_key && text(k).is_some())
        .collect();
    let mut headline = name_key.and_then(text).unwrap_or_default();
    let qualifiers: Vec<String> = subs.iter().filter_map(|k| text(k)).collect();
    if !qualifiers.is_empty() {
        if !headline.is_empty() {
            headline.push_str(" — ");
        }
        headline.push_str(&qualifiers.join(" · "));
    }
    used.extend(name_key);
    used.extend(subs);
    if !headline.is_empty() {
        push(out, level, headline);
    }
    let (start, end) = (text("startDate"), text("endDate"));
    if start.is_some() || end.is_some() {
        let start = start.unwrap_or_default();
        let end = end.unwrap_or_else(|| "present".to_string());
        push(out, level, format!("{start} – {end}").trim().to_string());
    }
    for key in ["date", "releaseDate"] {
        if let Some(date) = text(key) {
            push(out, level, date);
        }
    }
    used.extend(DATE_KEYS.iter().copied());
    let mut rest: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, v)| !v.is_null() && !used.contains(&k.as_str()))
        .collect();
    rest.sort_by_key(|(k, _)| {
        (
            FIELD_ORDER
                .iter()
                .position(|f| f == k)
                .unwrap_or(FIELD_ORDER.len()),
            (*k).clone(),
        )
    });
    for (key, value) in rest {
        let key = clean(key);
        match value {
            Value::String(s) if s.contains('\n') => {
                push(out, level, format!("{key}:"));
                push_value(value, level + 1, out);
            }
            Value::String(_) | Value::Bool(_) | Value::Number(_) => {
                push(out, level, format!("{key}: {}", scalar(value)));
            }
            Value::Array(items) if short_list(items).is_some() || items.is_empty() => {
                let joined = short_list(items).unwrap_or_else(|| "(empty list)".into());
                push(out, level, format!("{key}: {joined}"));
            }
            Value::Object(inner) if key == "location" => {
                let parts: Vec<String> = ["address", "postalCode", "city", "region", "countryCode"]
                    .iter()
                    .filter_map(|k| inner.get(*k).and_then(Value::as_str))
                    .filter(|s| !s.trim().is_empty())
                    .map(clean)
                    .collect();
                if parts.is_empty() {
                    push(out, level, format!("{key}:"));
                    push_value(value, level + 1, out);
                } else {
                    push(out, level, format!("{key}: {}", parts.join(", ")));
                }
            }
            _ => {
                push(out, level, format!("{key}:"));
                push_value(value, level + 1, out);
            }
        }
    }
    if out.len() == before {
        push(out, level, "(empty)");
    }
}

/// Control characters would move the terminal's cursor: show them as spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Terminal columns of `c` (CJK takes two). Asked of ratatui, which knows
/// the Unicode widths, so this crate needs no width table of its own.
fn char_width(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        let mut buf = [0u8; 4];
        Span::raw(&*c.encode_utf8(&mut buf)).width()
    }
}

fn str_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Lay `body` out in lines of at most `width` columns: the first starts with
/// `first`, the rest with `indent` spaces. Words move whole to the next line
/// unless they are longer than a line, which are cut.
pub(crate) fn wrap(
    first: Vec<Span<'static>>,
    indent: usize,
    body: Vec<Span<'static>>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut wrapper = Wrapper {
        lines: Vec::new(),
        cur_w: first.iter().map(Span::width).sum(),
        cur: first,
        fresh: true,
        width: width.max(1),
        indent: indent.min(width.saturating_sub(1)),
    };
    for span in body {
        wrapper.push(&span.content, span.style);
    }
    wrapper.finish()
}

struct Wrapper {
    lines: Vec<Line<'static>>,
    cur: Vec<Span<'static>>,
    cur_w: usize,
    /// Nothing of the body is on the current line yet.
    fresh: bool,
    width: usize,
    indent: usize,
}

impl Wrapper {
    fn newline(&mut self) {
        let spans = std::mem::take(&mut self.cur);
        self.lines.push(Line::from(spans));
        self.cur = vec![Span::raw(" ".repeat(self.indent))];
        self.cur_w = self.indent;
        self.fresh = true;
    }

    fn push(&mut self, text: &str, style: Style) {
        for piece in pieces(text) {
            let word_w = str_width(piece.trim_end_matches(' '));
            let room = self.width.saturating_sub(self.indent);
            if !self.fresh && self.cur_w + word_w > self.width && word_w <= room {
                self.newline();
            }
            let mut buf = String::new();
            for c in piece.chars() {
                let c = if c.is_control() { ' ' } else { c };
                if c == ' ' && self.fresh && buf.is_empty() {
                    continue;
                }
                let w = char_width(c);
                if self.cur_w + w > self.width {
                    if c == ' ' {
                        continue;
                    }
                    if !(self.fresh && buf.is_empty()) {
                        if !buf.is_empty() {
                            self.cur.push(Span::styled(std::mem::take(&mut buf), style));
                        }
                        self.newline();
                    }
                }
                buf.push(c);
                self.cur_w += w;
                self.fresh = false;
            }
            if !buf.is_empty() {
                self.cur.push(Span::styled(buf, style));
            }
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        let spans = std::mem::take(&mut self.cur);
        self.lines.push(Line::from(spans));
        self.lines
    }
}

/// `"Led a  team"` → `["Led ", "a  ", "team"]`: each word with the spaces
/// after it.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        let space = c == ' ';
        if in_space && !space {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

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
    cache: Option<(LayoutKey, std::rc::Rc<Rendered>)>,
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

    fn layout(&mut self, diff: &Diff) -> std::rc::Rc<Rendered> {
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
        let rendered = std::rc::Rc::new(diff_lines(
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Reload,
    Back,
}

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: &[Key::ch('r')], label: "r", help: "compare again (after a parse finished, say)", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
];

/// The diff screen: two versions of a resume (or two revisions of one).
#[derive(Debug)]
pub struct DiffState {
    id: String,
    against: String,
    revision: Option<u64>,
    title: String,
    /// A `Request::Diff` of ours is unanswered.
    loading: bool,
    /// Boxed: a screen is one variant of `Screen`, and this is large.
    resource: Option<Box<DiffResource>>,
    error: Option<(Option<u16>, String)>,
    pane: DiffPane,
}

impl DiffState {
    pub fn new(id: &str, against: &str, revision: Option<u64>, title: &str) -> DiffState {
        DiffState {
            id: id.to_string(),
            against: against.to_string(),
            revision,
            title: title.to_string(),
            loading: true,
            resource: None,
            error: None,
            pane: DiffPane::default(),
        }
    }

    /// Open the screen and ask for the diff of `id` (at `revision`, or its
    /// current one) against `against` (an id, `rev:N` or `<id>:rev:N`).
    pub fn open(id: &str, against: &str, revision: Option<u64>, title: &str) -> Effect {
        Effect::Many(vec![
            Effect::open(DiffState::new(id, against, revision, title)),
            Effect::Request(Request::Diff {
                id: id.into(),
                against: against.into(),
                revision,
            }),
        ])
    }

    fn reload(&mut self) -> Effect {
        self.loading = true;
        self.error = None;
        Effect::Request(Request::Diff {
            id: self.id.clone(),
            against: self.against.clone(),
            revision: self.revision,
        })
    }

    /// Whether an answer is the diff this screen asked for.
    fn is_ours(&self, resource: &DiffResource) -> bool {
        resource.after.resume_id == self.id
            && self.revision.is_none_or(|r| r == resource.after.revision)
    }

    fn render_error(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        status: Option<u16>,
        message: &str,
    ) {
        let mut lines = vec![
            Line::styled("Cannot compare these versions.", theme.error()),
            Line::raw(""),
            Line::raw(clean(message)),
            Line::raw(""),
        ];
        let hint = match status {
            Some(409) => Some("A version that is still parsing (or whose parse failed) has no document to compare yet: wait for the parse to finish, then press r."),
            Some(404) => Some("One of the versions no longer exists."),
            None => Some("The server could not be asked; press r to try again."),
            _ => None,
        };
        if let Some(hint) = hint {
            lines.push(Line::styled(hint, theme.dim()));
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled("r", theme.key()),
            Span::raw(": try again   "),
            Span::styled("q", theme.key()),
            Span::raw(": back"),
        ]));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

impl View for DiffState {
    fn title(&self) -> String {
        format!("Diff {}", self.title)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let mut keys = help_of(PANE_KEYS);
        keys.extend(help_of(KEYS));
        keys
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if let Some(action) = lookup(KEYS, key) {
            return match action {
                Action::Reload => self.reload(),
                Action::Back => Effect::Back,
            };
        }
        match (lookup(PANE_KEYS, key), &self.resource) {
            (Some(action), Some(resource)) => self.pane.act(action, &resource.diff),
            _ => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.pane.scroll_by(3),
            MouseEventKind::ScrollUp => self.pane.scroll_by(-3),
            _ => {}
        }
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Diff(Ok(resource)) if self.loading && self.is_ours(resource) => {
                self.loading = false;
                self.error = None;
                self.resource = Some(Box::new(resource.clone()));
                self.pane.reset();
            }
            Msg::Diff(Err(e)) if self.loading => {
                self.loading = false;
                self.error = Some((e.status(), e.short()));
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" {} ", clean(&self.title)),
                theme.title(),
            ));
        let inner = block.inner(area);
        if let Some((status, message)) = &self.error {
            frame.render_widget(block, area);
            self.render_error(frame, inner, theme, *status, message);
            return;
        }
        let Some(resource) = &self.resource else {
            frame.render_widget(block, area);
            let text = if self.loading {
                "Comparing…"
            } else {
                "Nothing to show."
            };
            frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), inner);
            return;
        };
        let side = |label: &str, side: &vitae_common::DiffSide| {
            Line::from(vec![
                Span::styled(format!("{label:<8}"), theme.dim()),
                Span::styled(
                    clean(&side.filename),
                    theme.text().add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!("  revision {}", side.revision), theme.dim()),
            ])
        };
        let mut head = vec![
            side("before", &resource.before),
            side("after", &resource.after),
        ];
        if !resource.diff.is_empty() {
            head.extend(wrap(
                Vec::new(),
                0,
                summary_spans(&resource.diff, theme),
                inner.width as usize,
            ));
        }
        let head_height = head.len() as u16 + 1;
        let [head_area, body_area] =
            Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(inner);
        frame.render_widget(Paragraph::new(head), head_area);
        self.pane.render(frame, body_area, &resource.diff, theme);
        // The position is known once the pane has laid the diff out.
        let other = match self.pane.mode {
            Mode::Unified => Mode::SideBySide,
            Mode::SideBySide => Mode::Unified,
        };
        block = block.title_bottom(Line::styled(
            format!(
                " {} · {} · s: {} ",
                self.pane.mode.name(),
                self.pane.position(&resource.diff),
                other.name()
            ),
            theme.dim(),
        ));
        frame.render_widget(block, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::screens::testing::{ch, draw, key};
    use serde_json::json;
    use vitae_common::diff::word_diff;
    use vitae_common::DiffSide;

    fn change(path: &str, kind: ChangeKind, before: Option<Value>, after: Option<Value>) -> Change {
        let words = match (&kind, &before, &after) {
            (ChangeKind::Changed, Some(Value::String(b)), Some(Value::String(a)))
                if b.split_whitespace().count() > 3 =>
            {
                word_diff(b, a)
            }
            _ => Vec::new(),
        };
        Change {
            path: path.into(),
            kind,
            before,
            after,
            from: None,
            words,
        }
    }

    /// A diff with every kind of change, in document order.
    fn sample_diff() -> Diff {
        let acme = json!({"name": "Acme Cloud", "position": "Backend Engineer", "startDate": "2019-02", "endDate": "2021-12"});
        let mut moved = change("/work/2", ChangeKind::Moved, Some(acme.clone()), Some(acme));
        moved.from = Some("/work/1".into());
        Diff::from_changes(vec![
            change(
                "/work/0",
                ChangeKind::Added,
                None,
                Some(json!({
                    "name": "Nordlys Systems AB",
                    "position": "Staff Engineer",
                    "startDate": "2024-01",
                    "location": "Stockholm",
                    "highlights": [
                        "Designed the event pipeline that replaced nightly batch jobs",
                        "Mentored four engineers"
                    ]
                })),
            ),
            change(
                "/work/1/position",
                ChangeKind::Changed,
                Some(json!("Software Engineer")),
                Some(json!("Senior Software Engineer")),
            ),
            change(
                "/work/1/highlights/0",
                ChangeKind::Changed,
                Some(json!(
                    "Led a team of 4 engineers building the billing platform"
                )),
                Some(json!(
                    "Led a team of 6 engineers building the payments platform in Rust"
                )),
            ),
            moved,
            change(
                "/skills/3",
                ChangeKind::Removed,
                Some(json!({"name": "Perl", "level": "Intermediate", "keywords": ["CGI", "DBI"]})),
                None,
            ),
        ])
    }

    fn resource(diff: Diff) -> DiffResource {
        DiffResource {
            before: DiffSide {
                resume_id: "a".into(),
                revision: 3,
                filename: "zoe.pdf".into(),
            },
            after: DiffSide {
                resume_id: "b".into(),
                revision: 1,
                filename: "zoe (for Platform Engineer).json".into(),
            },
            diff,
        }
    }

    fn loaded(diff: Diff) -> DiffState {
        let mut state =
            DiffState::new("b", "a", None, "zoe.pdf → zoe (for Platform Engineer).json");
        state.on_msg(&Msg::Diff(Ok(resource(diff))));
        state
    }

    #[test]
    fn paths_read_like_code() {
        assert_eq!(human_path("/work/2/highlights/0"), "work[2].highlights[0]");
        assert_eq!(human_path("/basics/label"), "basics.label");
        assert_eq!(human_path(""), "(whole document)");
        assert_eq!(
            human_path("/x-custom/a~1b/c~0d"),
            "x-custom[\"a/b\"][\"c~d\"]"
        );
        assert_eq!(human_path("/meta/my key"), "meta[\"my key\"]");
        assert_eq!(human_path("/"), "[\"\"]");
        let named = change(
            "/work/0",
            ChangeKind::Added,
            None,
            Some(json!({"name": "Nordlys Systems AB"})),
        );
        assert_eq!(entry_label(&named).as_deref(), Some("Nordlys Systems AB"));
        let field = change(
            "/work/0/name",
            ChangeKind::Changed,
            Some(json!("A")),
            Some(json!("B")),
        );
        assert_eq!(entry_label(&field), None);
    }

    #[test]
    fn an_added_entry_reads_as_text_not_json() {
        let diff = sample_diff();
        let lines = value_lines(diff.changes[0].after.as_ref().unwrap());
        let texts: Vec<String> = lines
            .iter()
            .map(|l| format!("{}{}", "  ".repeat(l.level), l.text))
            .collect();
        assert_eq!(
            texts,
            [
                "Nordlys Systems AB — Staff Engineer",
                "2024-01 – present",
                "location: Stockholm",
                "highlights:",
                "  • Designed the event pipeline that replaced nightly batch jobs",
                "  • Mentored four engineers",
            ]
        );
    }

    #[test]
    fn diff_unified_every_kind() {
        let mut state = loaded(sample_diff());
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn diff_side_by_side_every_kind() {
        let mut state = loaded(sample_diff());
        state.handle_key(&ch('s'));
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn diff_current_change_after_n() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 100, 30);
        state.handle_key(&ch('n'));
        state.handle_key(&ch('n'));
        state.handle_key(&ch('n'));
        assert_eq!(state.pane.current(), Some(2));
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn n_and_shift_n_stop_at_the_ends_and_brackets_jump_sections() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 100, 20);
        assert!(
            matches!(state.handle_key(&ch('N')), Effect::Info(_)),
            "nothing before the start"
        );
        assert_eq!(state.pane.current(), None);
        for expected in 0..5 {
            state.handle_key(&ch('n'));
            assert_eq!(state.pane.current(), Some(expected));
        }
        // At the last change n stops (no wrap-around) and says so.
        assert!(matches!(state.handle_key(&ch('n')), Effect::Info(_)));
        assert_eq!(state.pane.current(), Some(4));
        state.handle_key(&ch('N'));
        assert_eq!(state.pane.current(), Some(3));
        assert!(
            matches!(state.handle_key(&ch('[')), Effect::Info(_)),
            "work is the first section"
        );
        assert_eq!(state.pane.current(), Some(3));
        state.handle_key(&ch(']'));
        assert_eq!(state.pane.current(), Some(4), "skills");
        state.handle_key(&ch('['));
        assert_eq!(
            state.pane.current(),
            Some(0),
            "back to the first work change"
        );
        state.handle_key(&key(KeyCode::End));
        draw(&mut state, 100, 20);
        assert!(state.pane.scroll > 0);
        state.handle_key(&ch('g'));
        assert_eq!(state.pane.scroll, 0);
    }

    #[test]
    fn the_current_change_is_scrolled_into_view() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 60, 14);
        state.handle_key(&ch('G'));
        state.handle_key(&ch('g'));
        state.handle_key(&ch(']'));
        state.handle_key(&ch(']'));
        let text = draw(&mut state, 60, 14).to_string();
        assert!(text.contains("▶ - removed skills[3] \"Perl\""), "{text}");
    }

    #[test]
    fn diff_error_shows_the_server_message() {
        let mut state = DiffState::new("b", "a", None, "zoe.pdf → draft.md");
        state.on_msg(&Msg::Diff(Err(ClientError::Api {
            status: 409,
            code: "conflict".into(),
            message: "resume b has no parsed document: it is still parsing".into(),
            request_id: "r1".into(),
        })));
        insta::assert_snapshot!(draw(&mut state, 80, 14));
        assert!(matches!(
            state.handle_key(&ch('r')).request(),
            Some(Request::Diff { .. })
        ));
    }

    #[test]
    fn diff_empty_says_identical() {
        let mut state = loaded(Diff::default());
        insta::assert_snapshot!(draw(&mut state, 80, 10));
    }

    #[test]
    fn only_our_answer_is_taken() {
        let mut state = DiffState::new("b", "a", Some(2), "x");
        let mut other = resource(sample_diff());
        other.after.resume_id = "zzz".into();
        state.on_msg(&Msg::Diff(Ok(other)));
        assert!(state.resource.is_none() && state.loading);
        let mut wrong_revision = resource(sample_diff());
        wrong_revision.after.revision = 1;
        state.on_msg(&Msg::Diff(Ok(wrong_revision)));
        assert!(state.resource.is_none());
        let mut ours = resource(sample_diff());
        ours.after.revision = 2;
        state.on_msg(&Msg::Diff(Ok(ours)));
        assert!(state.resource.is_some() && !state.loading);
        // Once answered, later errors (someone else's request) are not ours.
        state.on_msg(&Msg::Diff(Err(ClientError::Local("x".into()))));
        assert!(state.error.is_none());
    }

    #[test]
    fn wrapping_never_loses_text_or_overflows() {
        let text = "Led a team of six engineers building the payments platform in Rust, with zero-downtime migrations";
        for width in [1, 5, 12, 30, 200] {
            let lines = wrap(vec![Span::raw("+ ")], 2, vec![Span::raw(text)], width);
            for line in &lines {
                assert!(line.width() <= width.max(3), "{width}: {line:?}");
            }
            let joined: String = lines
                .iter()
                .flat_map(|l| l.spans.iter())
                .map(|s| s.content.to_string())
                .collect();
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            assert_eq!(squeeze(&joined).trim_start_matches('+'), squeeze(text));
        }
        // Wide characters and control characters are safe.
        let lines = wrap(vec![], 0, vec![Span::raw("日本語のテキスト\u{1b}[31m")], 5);
        assert!(lines.iter().all(|l| l.width() <= 5));
    }

    #[test]
    fn odd_values_render_without_panicking() {
        let odd = Diff::from_changes(vec![
            change(
                "",
                ChangeKind::Changed,
                Some(json!([1, [2, [3, [4, [5, [6]]]]]])),
                Some(json!({"a": {"b": {"c": {"d": {"e": {}}}}}})),
            ),
            change("/work/0", ChangeKind::Moved, None, None),
            change("/x/0", ChangeKind::Added, None, Some(json!([]))),
            change("/x/1", ChangeKind::Removed, Some(json!({})), None),
        ]);
        for mode in [Mode::Unified, Mode::SideBySide] {
            for width in [0, 10, 40] {
                let rendered = diff_lines(&odd, mode, &Theme::plain(), width, Some(1));
                assert_eq!(rendered.starts.len(), 4);
            }
        }
    }
}
