//! Diff values as a reader would write them, not as JSON: an added work
//! entry reads "company — position", its dates, then its highlights as
//! bullets ([`value_lines`]); JSON Pointers read like code
//! (`work[2].highlights[0]`, [`human_path`]). What an object is (an entry
//! of which section, basics, its location) follows from its path, and the
//! shared schema (`vitae_common::schema`) says how it is headlined and in
//! which order its members come.

use serde_json::{Map, Value};
use vitae_common::schema::{
    self, Dates, Role, Section, When, BASICS_FIELDS, LOCATION_FIELDS, PROFILES, TOP_LEVEL_ORDER,
};

use crate::screens::widgets::wrap::clean;

/// What the schema says an object at some path is, which decides its
/// headline and the order of its members.
#[derive(Clone, Copy)]
enum Shape {
    /// The whole document: sections in JSON Resume order.
    Document,
    Basics,
    Location,
    /// One entry of a list section (or of `basics.profiles`).
    Entry(&'static Section),
    /// Anything the schema does not describe: members alphabetically.
    Other,
}

/// The shape of the value at `path` (pointer segments, unescaped).
fn shape(path: &[String]) -> Shape {
    let index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match path.as_slice() {
        [] => Shape::Document,
        ["basics"] => Shape::Basics,
        ["basics", "location"] => Shape::Location,
        ["basics", "profiles", i] if index(i) => Shape::Entry(&PROFILES),
        [key, i] if index(i) => schema::section(key).map_or(Shape::Other, Shape::Entry),
        _ => Shape::Other,
    }
}

/// The segments of a JSON Pointer, unescaped: `/a~1b/0` → `a/b`, `0`.
fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    let rest = pointer.strip_prefix('/').unwrap_or(pointer);
    rest.split('/')
        .map(|raw| raw.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A member's text, trimmed and made printable; `None` when blank or not
/// text.
fn text_of(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(clean)
}

/// The keys that name an object of this shape, the one it is known by
/// first. An entry is known by the first field of its identity (the
/// employer of a job, the title of an award), since that is what pairs
/// it across versions; the rest of its headline qualifies it.
fn name_keys(shape: Shape) -> Vec<&'static str> {
    match shape {
        Shape::Entry(section) => {
            let headline = &section.headline;
            let org = headline.org.into_iter();
            let title = headline.title.iter().copied();
            if headline.org.is_some() && section.identity.first().copied() == headline.org {
                org.chain(title).collect()
            } else {
                title.chain(org).collect()
            }
        }
        Shape::Basics => BASICS_FIELDS
            .iter()
            .filter(|f| f.role == Role::Head)
            .map(|f| f.key)
            .collect(),
        Shape::Document | Shape::Location | Shape::Other => Vec::new(),
    }
}

/// The order members of an object of this shape are listed in; members
/// it does not name follow alphabetically.
fn member_order(shape: Shape) -> Vec<&'static str> {
    let keys = |fields: &[schema::Field]| fields.iter().map(|f| f.key).collect();
    match shape {
        Shape::Document => TOP_LEVEL_ORDER.to_vec(),
        Shape::Basics => keys(BASICS_FIELDS),
        Shape::Location => keys(LOCATION_FIELDS),
        Shape::Entry(section) => keys(section.fields),
        Shape::Other => Vec::new(),
    }
}

/// The name of the list entry at `pointer` (`/work/0`), as its headline
/// starts: the company of a job, the title of an award.
pub(super) fn entry_name(pointer: &str, value: &Value) -> Option<String> {
    let map = value.as_object()?;
    name_keys(shape(&segments(pointer)))
        .into_iter()
        .find_map(|k| text_of(map, k))
}

/// A JSON Pointer as a reader would say it: `/work/2/highlights/0` →
/// `work[2].highlights[0]`; the whole document is `(whole document)`.
pub fn human_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(whole document)".to_string();
    }
    let mut out = String::new();
    for segment in segments(pointer) {
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

/// One line of a value's readable form.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ValueLine {
    pub(super) level: usize,
    pub(super) text: String,
}

impl ValueLine {
    /// Extra indent of wrapped continuation lines (under a bullet's text).
    pub(super) fn hang(&self) -> usize {
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

/// The readable lines of `value`, found at `pointer` in its document (the
/// path tells what the schema says the value is).
pub(super) fn value_lines(value: &Value, pointer: &str) -> Vec<ValueLine> {
    let mut out = Vec::new();
    push_value(value, 0, &mut segments(pointer), &mut out);
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

/// `value`'s lines at `level`; `path` is where it sits (restored on return).
fn push_value(value: &Value, level: usize, path: &mut Vec<String>, out: &mut Vec<ValueLine>) {
    match value {
        Value::String(s) if s.contains('\n') => {
            for line in s.lines() {
                push(out, level, clean(line));
            }
        }
        Value::Array(items) if level <= MAX_DEPTH => push_array(items, level, path, out),
        Value::Object(map) if level <= MAX_DEPTH => push_object(value, map, level, path, out),
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

fn push_array(items: &[Value], level: usize, path: &mut Vec<String>, out: &mut Vec<ValueLine>) {
    if items.is_empty() {
        push(out, level, "(empty list)");
        return;
    }
    if let Some(joined) = short_list(items) {
        push(out, level, joined);
        return;
    }
    for (i, item) in items.iter().enumerate() {
        let mut inner = Vec::new();
        match item {
            Value::Object(_) | Value::Array(_) => {
                path.push(i.to_string());
                push_value(item, level + 1, path, &mut inner);
                path.pop();
            }
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

/// The headline of an object (its name keys' values, `Acme — Staff
/// Engineer`) and its dates, as lines; returns the keys they used.
fn push_headline(
    value: &Value,
    map: &Map<String, Value>,
    shape: Shape,
    level: usize,
    out: &mut Vec<ValueLine>,
) -> Vec<&'static str> {
    let mut used: Vec<&'static str> = name_keys(shape)
        .into_iter()
        .filter(|k| text_of(map, k).is_some())
        .collect();
    let parts: Vec<String> = used.iter().filter_map(|k| text_of(map, k)).collect();
    if let Some((first, rest)) = parts.split_first() {
        let mut headline = first.clone();
        if !rest.is_empty() {
            headline.push_str(" — ");
            headline.push_str(&rest.join(" · "));
        }
        push(out, level, headline);
    }
    let Shape::Entry(section) = shape else {
        return used;
    };
    let tidy = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(clean);
    match section.entry(value).when() {
        When::Range { start, end } => {
            let (start, end) = (tidy(start), tidy(end));
            if start.is_some() || end.is_some() {
                let start = start.unwrap_or_default();
                let end = end.unwrap_or_else(|| "present".to_string());
                push(out, level, format!("{start} – {end}").trim().to_string());
            }
        }
        When::On(date) => {
            if let Some(date) = tidy(date) {
                push(out, level, date);
            }
        }
        When::Undated => {}
    }
    match section.headline.dates {
        Dates::Range(start, end) => used.extend([start, end]),
        Dates::On(key) => used.push(key),
        Dates::Undated => {}
    }
    used
}

/// An object (`value`, whose members are `map`): its headline, then its
/// other members in the schema's order.
fn push_object(
    value: &Value,
    map: &Map<String, Value>,
    level: usize,
    path: &mut Vec<String>,
    out: &mut Vec<ValueLine>,
) {
    let before = out.len();
    let shape = shape(path);
    let used = push_headline(value, map, shape, level, out);
    let order = member_order(shape);
    let mut rest: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, v)| !v.is_null() && !used.contains(&k.as_str()))
        .collect();
    rest.sort_by_key(|(k, _)| (schema::rank(&order, k), (*k).clone()));
    for (key, value) in rest {
        path.push(key.clone());
        push_member(key, value, level, path, out);
        path.pop();
    }
    if out.len() == before {
        push(out, level, "(empty)");
    }
}

/// One member of an object as `key: value`, or `key:` with the value
/// indented under it when it takes lines of its own.
fn push_member(
    key: &str,
    value: &Value,
    level: usize,
    path: &mut Vec<String>,
    out: &mut Vec<ValueLine>,
) {
    let key = clean(key);
    match value {
        Value::String(s) if s.contains('\n') => {
            push(out, level, format!("{key}:"));
            push_value(value, level + 1, path, out);
        }
        Value::String(_) | Value::Bool(_) | Value::Number(_) => {
            push(out, level, format!("{key}: {}", scalar(value)));
        }
        Value::Array(items) if short_list(items).is_some() || items.is_empty() => {
            let joined = short_list(items).unwrap_or_else(|| "(empty list)".into());
            push(out, level, format!("{key}: {joined}"));
        }
        // A place reads as one line, in the schema's order.
        Value::Object(inner) if key == "location" => {
            let parts: Vec<String> = LOCATION_FIELDS
                .iter()
                .filter_map(|f| inner.get(f.key).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty())
                .map(clean)
                .collect();
            if parts.is_empty() {
                push(out, level, format!("{key}:"));
                push_value(value, level + 1, path, out);
            } else {
                push(out, level, format!("{key}: {}", parts.join(", ")));
            }
        }
        _ => {
            push(out, level, format!("{key}:"));
            push_value(value, level + 1, path, out);
        }
    }
}
