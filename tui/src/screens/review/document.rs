//! The review screen's model of a document: JSON paths ([`Seg`]), and the
//! sections and fields the two panes show, built from the parsed JSON
//! Resume and the parser's confidence map. Pure data, no rendering: the
//! screen ([`super`]) selects and edits these, [`super::render`] draws them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

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

/// What the screen knows about one section of JSON Resume.
struct SectionSpec {
    key: &'static str,
    title: &'static str,
    /// Text members, in the schema's order (JSON objects here are sorted
    /// maps, so the order has to be written down).
    scalars: &'static [&'static str],
    /// Lists of strings (highlights, keywords, …).
    lists: &'static [&'static str],
    /// Members an entry should have; empty ones are flagged.
    expected: &'static [&'static str],
    /// Members that name an entry in its header.
    names: &'static [&'static str],
}

#[rustfmt::skip]
const SECTIONS: &[SectionSpec] = &[
    SectionSpec { key: "basics", title: "Basics", scalars: &["name", "label", "email", "phone", "url", "image", "summary"], lists: &[], expected: &["name", "email"], names: &[] },
    SectionSpec { key: "work", title: "Work", scalars: &["name", "position", "location", "url", "startDate", "endDate", "summary", "description"], lists: &["highlights"], expected: &["name", "position"], names: &["name", "position"] },
    SectionSpec { key: "education", title: "Education", scalars: &["institution", "area", "studyType", "startDate", "endDate", "score", "url"], lists: &["courses"], expected: &["institution"], names: &["institution", "area"] },
    SectionSpec { key: "skills", title: "Skills", scalars: &["name", "level"], lists: &["keywords"], expected: &["name"], names: &["name"] },
    SectionSpec { key: "projects", title: "Projects", scalars: &["name", "description", "entity", "type", "url", "startDate", "endDate"], lists: &["highlights", "keywords", "roles"], expected: &["name"], names: &["name"] },
    SectionSpec { key: "volunteer", title: "Volunteer", scalars: &["organization", "position", "url", "startDate", "endDate", "summary"], lists: &["highlights"], expected: &["organization"], names: &["organization", "position"] },
    SectionSpec { key: "awards", title: "Awards", scalars: &["title", "date", "awarder", "summary"], lists: &[], expected: &["title"], names: &["title", "awarder"] },
    SectionSpec { key: "certificates", title: "Certificates", scalars: &["name", "date", "issuer", "url"], lists: &[], expected: &["name"], names: &["name", "issuer"] },
    SectionSpec { key: "publications", title: "Publications", scalars: &["name", "publisher", "releaseDate", "url", "summary"], lists: &[], expected: &["name"], names: &["name", "publisher"] },
    SectionSpec { key: "languages", title: "Languages", scalars: &["language", "fluency"], lists: &[], expected: &["language"], names: &["language", "fluency"] },
    SectionSpec { key: "interests", title: "Interests", scalars: &["name"], lists: &["keywords"], expected: &["name"], names: &["name"] },
    SectionSpec { key: "references", title: "References", scalars: &["name", "reference"], lists: &[], expected: &["name"], names: &["name"] },
];

const LOCATION: &[&str] = &["address", "postalCode", "city", "region", "countryCode"];
const PROFILE: &[&str] = &["network", "username", "url"];

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

/// Builds the fields of one JSON object (an entry, basics, a location).
struct Collector<'a> {
    confidence: &'a BTreeMap<String, f32>,
    fields: Vec<Field>,
}

struct ObjectSpec<'a> {
    scalars: &'a [&'a str],
    lists: &'a [&'a str],
    expected: &'a [&'a str],
    /// Members shown elsewhere (basics' location and profiles).
    skip: &'a [&'a str],
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

    /// The members of `object` at `base`, labelled relative to
    /// `base[..label_from]`, the first one under `header`.
    fn object(
        &mut self,
        object: Option<&Map<String, Value>>,
        base: &[Seg],
        label_from: usize,
        spec: &ObjectSpec,
        header: Option<String>,
    ) {
        let first = self.fields.len();
        let at = |k: &str| {
            let mut path = base.to_vec();
            path.push(member(k));
            path
        };
        for name in spec.scalars {
            let value = object.and_then(|o| o.get(*name));
            self.push(at(name), label_from, value, spec.expected.contains(name));
        }
        for name in spec.lists {
            if let Some(Value::Array(items)) = object.and_then(|o| o.get(*name)) {
                for (i, item) in items.iter().enumerate() {
                    let mut path = at(name);
                    path.push(Seg::Index(i));
                    self.push(path, label_from, Some(item), false);
                }
            } else if let Some(other) = object.and_then(|o| o.get(*name)) {
                // Not a list, against the schema: shown, not editable.
                self.push(at(name), label_from, Some(other), false);
                if let Some(field) = self.fields.last_mut() {
                    field.editable = false;
                }
            }
        }
        // Members the schema does not name (vendor extensions) are kept
        // and shown, after the known ones.
        if let Some(object) = object {
            for (name, value) in object {
                let known = spec.scalars.contains(&name.as_str())
                    || spec.lists.contains(&name.as_str())
                    || spec.skip.contains(&name.as_str());
                if !known {
                    self.push(at(name), label_from, Some(value), false);
                }
            }
        }
        if let Some(field) = self.fields.get_mut(first) {
            field.header = header;
        }
    }
}

/// The sections of `doc` worth showing: basics always (a resume needs a
/// name), the others when they have entries.
pub(super) fn sections(doc: &Value, confidence: &BTreeMap<String, f32>) -> Vec<Section> {
    let mut out = Vec::new();
    for spec in SECTIONS {
        let mut collect = Collector {
            confidence,
            fields: Vec::new(),
        };
        let value = doc.get(spec.key);
        let object_spec = ObjectSpec {
            scalars: spec.scalars,
            lists: spec.lists,
            expected: spec.expected,
            skip: &["location", "profiles"],
        };
        if spec.key == "basics" {
            let basics = value.and_then(Value::as_object);
            let base = [member("basics")];
            collect.object(basics, &base, 1, &object_spec, None);
            let location = basics
                .and_then(|b| b.get("location"))
                .and_then(Value::as_object);
            let location_spec = ObjectSpec {
                scalars: LOCATION,
                lists: &[],
                expected: &[],
                skip: &[],
            };
            collect.object(
                location,
                &[member("basics"), member("location")],
                1,
                &location_spec,
                None,
            );
            if let Some(Value::Array(profiles)) = basics.and_then(|b| b.get("profiles")) {
                let profile_spec = ObjectSpec {
                    scalars: PROFILE,
                    lists: &[],
                    expected: &[],
                    skip: &[],
                };
                for (i, profile) in profiles.iter().enumerate() {
                    let base = [member("basics"), member("profiles"), Seg::Index(i)];
                    collect.object(profile.as_object(), &base, 1, &profile_spec, None);
                }
            }
            out.push(Section {
                key: spec.key,
                title: spec.title,
                count: None,
                fields: collect.fields,
            });
            continue;
        }
        let Some(Value::Array(entries)) = value else {
            continue;
        };
        if entries.is_empty() {
            continue;
        }
        for (i, entry) in entries.iter().enumerate() {
            let base = [member(spec.key), Seg::Index(i)];
            let mut header = format!("{}[{i}]", spec.key);
            let names: Vec<&str> = spec
                .names
                .iter()
                .filter_map(|n| entry.get(*n).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty())
                .collect();
            if !names.is_empty() {
                header.push_str("  ");
                header.push_str(&names.join(" — "));
            }
            match entry.as_object() {
                Some(object) => collect.object(Some(object), &base, 2, &object_spec, Some(header)),
                None => {
                    collect.push(base.to_vec(), 0, Some(entry), false);
                    if let Some(field) = collect.fields.last_mut() {
                        field.editable = false;
                        field.header = Some(header);
                    }
                }
            }
        }
        out.push(Section {
            key: spec.key,
            title: spec.title,
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
