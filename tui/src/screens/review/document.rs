//! The review screen's model of a document: JSON paths ([`Seg`]), and the
//! sections and fields the two panes show, built from the parsed JSON
//! Resume and the parser's confidence map. Which sections and fields there
//! are, their order, which ones a resume needs and how an entry is named
//! all come from the shared schema (`vitae_common::schema`). Pure data, no rendering: the
//! screen ([`super`]) selects and edits these, [`super::render`] draws them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};
use vitae_common::schema::{
    self, Entry, Kind, BASICS_FIELDS, BASICS_REQUIRED, LOCATION_FIELDS, PROFILES,
};

/// Below this parser confidence a field is flagged for a second look.
const LOW_CONFIDENCE: f32 = 0.6;

/// One step of a JSON path: `work[0].startDate` is `work`, `0`, `startDate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

pub(super) fn member(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// The path as the parser's confidence map spells it: `work[0].startDate`.
pub(super) fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// One row of the fields pane.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Field {
    pub(super) path: Vec<Seg>,
    pub(super) label: String,
    /// The text shown; `None` when empty.
    pub(super) value: Option<String>,
    /// Text members and list items can be edited; other JSON cannot.
    pub(super) editable: bool,
    pub(super) confidence: Option<f32>,
    /// Expected by a resume, and empty.
    pub(super) missing: bool,
    /// The entry header shown above this field (it starts an entry).
    pub(super) header: Option<String>,
}

impl Field {
    pub(super) fn doubtful(&self) -> bool {
        self.confidence.is_some_and(|c| c < LOW_CONFIDENCE)
    }

    pub(super) fn flagged(&self) -> bool {
        self.doubtful() || self.missing
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Section {
    pub(super) key: &'static str,
    pub(super) title: &'static str,
    /// Entries of a list section; `None` for basics.
    pub(super) count: Option<usize>,
    pub(super) fields: Vec<Field>,
}

/// Builds the rows of the fields pane, one JSON object (basics, its
/// location, a profile, an entry) after another.
struct Collector<'a> {
    confidence: &'a BTreeMap<String, f32>,
    fields: Vec<Field>,
}

/// `base` with the member `key` appended.
fn at(base: &[Seg], key: &str) -> Vec<Seg> {
    let mut path = base.to_vec();
    path.push(member(key));
    path
}

impl Collector<'_> {
    fn push(
        &mut self,
        path: Vec<Seg>,
        label_from: usize,
        value: Option<&Value>,
        missing_if_empty: bool,
    ) {
        let (value, editable) = match value {
            None | Some(Value::Null) => (None, true),
            Some(Value::String(s)) if s.trim().is_empty() => (None, true),
            Some(Value::String(s)) => (Some(s.clone()), true),
            Some(other) => (Some(other.to_string()), false),
        };
        let text = path_string(&path);
        let label = path_string(path.get(label_from..).unwrap_or_default());
        self.fields.push(Field {
            confidence: self.confidence.get(&text).copied(),
            missing: missing_if_empty && value.is_none(),
            path,
            label,
            value,
            editable,
            header: None,
        });
    }

    /// A member the schema names, at `base`, labelled relative to
    /// `base[..label_from]`. A text member always gets a row (an empty one
    /// is there to be filled in); a list gets one row per item, and none
    /// when absent.
    fn known(
        &mut self,
        base: &[Seg],
        label_from: usize,
        field: &schema::Field,
        value: Option<&Value>,
        required: bool,
    ) {
        let path = at(base, field.key);
        if !field.is_list() {
            self.push(path, label_from, value, required);
            return;
        }
        match value {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let mut path = path.clone();
                    path.push(Seg::Index(i));
                    self.push(path, label_from, Some(item), false);
                }
            }
            Some(other) => {
                // Not a list, against the schema: shown, not editable.
                self.push(path, label_from, Some(other), false);
                if let Some(row) = self.fields.last_mut() {
                    row.editable = false;
                }
            }
            None => {}
        }
    }

    /// Members the schema does not name (vendor extensions): kept and
    /// shown after the known ones, so nothing in the document is hidden.
    fn extras<'v>(
        &mut self,
        base: &[Seg],
        label_from: usize,
        members: impl Iterator<Item = (&'v String, &'v Value)>,
    ) {
        for (name, value) in members {
            self.push(at(base, name), label_from, Some(value), false);
        }
    }

    /// An object described by a flat field table (`basics.location`).
    fn table(
        &mut self,
        object: Option<&Map<String, Value>>,
        base: &[Seg],
        fields: &[schema::Field],
    ) {
        for field in fields {
            let value = object.and_then(|o| o.get(field.key));
            self.known(base, 1, field, value, false);
        }
        let unknown = object
            .into_iter()
            .flatten()
            .filter(|(k, _)| !fields.iter().any(|f| f.key == k.as_str()));
        self.extras(base, 1, unknown);
    }

    /// One entry of a list section (or a profile) at `base`.
    fn entry(&mut self, entry: &Entry, base: &[Seg], label_from: usize) {
        let required = entry.section.required;
        for (field, value) in entry.fields() {
            self.known(
                base,
                label_from,
                field,
                value,
                required.contains(&field.key),
            );
        }
        self.extras(base, label_from, entry.extra());
    }
}

/// Basics, with its location and profiles: shown even when absent, since a
/// resume needs a name.
fn basics(doc: &Value, confidence: &BTreeMap<String, f32>) -> Section {
    let mut collect = Collector {
        confidence,
        fields: Vec::new(),
    };
    let basics = doc.get("basics").and_then(Value::as_object);
    let base = [member("basics")];
    // Location and profiles have tables of their own, shown after.
    let flat = BASICS_FIELDS.iter().filter(|f| f.kind != Kind::Object);
    for field in flat {
        let value = basics.and_then(|b| b.get(field.key));
        let required = BASICS_REQUIRED.contains(&field.key);
        collect.known(&base, 1, field, value, required);
    }
    let unknown = basics
        .into_iter()
        .flatten()
        .filter(|(k, _)| !BASICS_FIELDS.iter().any(|f| f.key == k.as_str()));
    collect.extras(&base, 1, unknown);
    let location = basics
        .and_then(|b| b.get("location"))
        .and_then(Value::as_object);
    collect.table(location, &at(&base, "location"), LOCATION_FIELDS);
    if let Some(Value::Array(profiles)) = basics.and_then(|b| b.get("profiles")) {
        for (i, profile) in profiles.iter().enumerate() {
            let base = [member("basics"), member("profiles"), Seg::Index(i)];
            collect.entry(&PROFILES.entry(profile), &base, 1);
        }
    }
    Section {
        key: "basics",
        title: "Basics",
        count: None,
        fields: collect.fields,
    }
}

/// The sections of `doc` worth showing: basics always, then the list
/// sections that have entries, in the order a reader scans a resume.
pub(super) fn sections(doc: &Value, confidence: &BTreeMap<String, f32>) -> Vec<Section> {
    let mut out = vec![basics(doc, confidence)];
    for section in schema::reading_order() {
        let Some(Value::Array(entries)) = doc.get(section.key) else {
            continue;
        };
        if entries.is_empty() {
            continue;
        }
        let mut collect = Collector {
            confidence,
            fields: Vec::new(),
        };
        for (i, value) in entries.iter().enumerate() {
            let base = [member(section.key), Seg::Index(i)];
            let entry = section.entry(value);
            let mut header = format!("{}[{i}]", section.key);
            let headline = entry.headline(" — ");
            if !headline.is_empty() {
                header.push_str("  ");
                header.push_str(&headline);
            }
            let first = collect.fields.len();
            if entry.object().is_some() {
                collect.entry(&entry, &base, 2);
            } else {
                collect.push(base.to_vec(), 0, Some(value), false);
                if let Some(row) = collect.fields.last_mut() {
                    row.editable = false;
                }
            }
            if let Some(row) = collect.fields.get_mut(first) {
                row.header = Some(header);
            }
        }
        out.push(Section {
            key: section.key,
            title: section.title,
            count: Some(entries.len()),
            fields: collect.fields,
        });
    }
    out
}

/// The text at `path` in `doc` (`None` when absent, empty or not text).
pub(super) fn text_at<'a>(doc: &'a Value, path: &[Seg]) -> Option<&'a str> {
    let mut node = doc;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get(k)?,
            Seg::Index(i) => node.get(*i)?,
        };
    }
    node.as_str()
}
