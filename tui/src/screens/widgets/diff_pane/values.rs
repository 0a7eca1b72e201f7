//! Diff values as a reader would write them, not as JSON: an added work
//! entry reads "company — position", its dates, then its highlights as
//! bullets ([`value_lines`]); JSON Pointers read like code
//! (`work[2].highlights[0]`, [`human_path`]).

use serde_json::{Map, Value};

use crate::screens::widgets::wrap::clean;

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

pub(super) fn entry_name(map: &Map<String, Value>) -> Option<String> {
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

pub(super) fn value_lines(value: &Value) -> Vec<ValueLine> {
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
