//! Review: the parsed document of one resume, checked and corrected in
//! place. Sections on the left, the fields of the selected section on the
//! right; what the parser doubted (low confidence) and what a resume needs
//! but lacks (a name, an email) stand out, so a person fixes those first.
//!
//! Edits are sent as JSON Merge Patches (RFC 7396) with the revision this
//! screen has as `If-Match`, so an edit never overwrites a change made
//! elsewhere: a 412 opens a conflict popup instead. The revision history
//! opens in a popup (diff any revision against the current one, restore it).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::{Map, Value};
use vitae_common::{ResumeResource, RevisionResource, Status};

use super::widgets::{centered, short_time, status_badge, truncate, Cursor, Input};
use super::{diff, share, tailor, View};
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::theme::Theme;
use crate::app::{Effect, Msg, Request};
use crate::stream::{AccountUpdate, ParseUpdate};

/// Below this parser confidence a field is flagged for a second look.
const LOW_CONFIDENCE: f32 = 0.6;
/// Warnings shown in the top strip before "… and N more".
const MAX_WARNINGS: usize = 3;
/// Lines a selected (not edited) long value may take.
const MAX_VALUE_LINES: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    SwitchPane,
    Sections,
    Fields,
    Edit,
    Revisions,
    DiffPrevious,
    Share,
    Tailor,
    Reload,
    Back,
}

const BACK_TAB: Key = Key {
    code: KeyCode::BackTab,
    mods: KeyModifiers::SHIFT,
};

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next section or field", action: Action::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous section or field", action: Action::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "first", action: Action::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "last", action: Action::Bottom },
    Binding { keys: nav::PAGE_DOWN, label: "PgDn/Ctrl-D", help: "page down", action: Action::PageDown },
    Binding { keys: nav::PAGE_UP, label: "PgUp/Ctrl-U", help: "page up", action: Action::PageUp },
    Binding { keys: &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::BackTab), BACK_TAB], label: "Tab", help: "switch pane", action: Action::SwitchPane },
    Binding { keys: nav::LEFT, label: "h/←", help: "sections pane", action: Action::Sections },
    Binding { keys: &[Key::ch('l'), Key::plain(KeyCode::Right)], label: "l/→", help: "fields pane", action: Action::Fields },
    Binding { keys: &[Key::plain(KeyCode::Enter), Key::ch('e')], label: "Enter/e", help: "edit the selected field (on a section: go to its fields)", action: Action::Edit },
    Binding { keys: &[Key::ch('v')], label: "v", help: "revisions: diff one against the current, or restore it", action: Action::Revisions },
    Binding { keys: &[Key::ch('d')], label: "d", help: "diff against the previous revision", action: Action::DiffPrevious },
    Binding { keys: &[Key::ch('s')], label: "s", help: "share links of this resume", action: Action::Share },
    Binding { keys: &[Key::ch('t')], label: "t", help: "tailor to a job", action: Action::Tailor },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload from the server", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditAction {
    Save,
    Cancel,
}

#[rustfmt::skip]
const EDIT_KEYS: &[Binding<EditAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "save (an empty value clears the field)", action: EditAction::Save },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "cancel the edit", action: EditAction::Cancel },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RevisionAction {
    Down,
    Up,
    Top,
    Bottom,
    Diff,
    Restore,
    Close,
}

#[rustfmt::skip]
const REVISION_KEYS: &[Binding<RevisionAction>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "older revision", action: RevisionAction::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "newer revision", action: RevisionAction::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "newest", action: RevisionAction::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "oldest", action: RevisionAction::Bottom },
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "diff this revision against the current one", action: RevisionAction::Diff },
    Binding { keys: &[Key::ch('r')], label: "r", help: "restore this revision (as a new revision)", action: RevisionAction::Restore },
    Binding { keys: &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ch('v')], label: "Esc", help: "close the revisions", action: RevisionAction::Close },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConflictAction {
    Reload,
    Keep,
}

#[rustfmt::skip]
const CONFLICT_KEYS: &[Binding<ConflictAction>] = &[
    Binding { keys: &[Key::ch('r')], label: "r", help: "reload the current version (your edit is discarded)", action: ConflictAction::Reload },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "keep your edit open", action: ConflictAction::Keep },
];

/// One step of a JSON path: `work[0].startDate` is `work`, `0`, `startDate`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn member(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// The path as the parser's confidence map spells it: `work[0].startDate`.
fn path_string(path: &[Seg]) -> String {
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
struct Field {
    path: Vec<Seg>,
    label: String,
    /// The text shown; `None` when empty.
    value: Option<String>,
    /// Text members and list items can be edited; other JSON cannot.
    editable: bool,
    confidence: Option<f32>,
    /// Expected by a resume, and empty.
    missing: bool,
    /// The entry header shown above this field (it starts an entry).
    header: Option<String>,
}

impl Field {
    fn doubtful(&self) -> bool {
        self.confidence.is_some_and(|c| c < LOW_CONFIDENCE)
    }

    fn flagged(&self) -> bool {
        self.doubtful() || self.missing
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Section {
    key: &'static str,
    title: &'static str,
    /// Entries of a list section; `None` for basics.
    count: Option<usize>,
    fields: Vec<Field>,
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
fn sections(doc: &Value, confidence: &BTreeMap<String, f32>) -> Vec<Section> {
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
fn text_at<'a>(doc: &'a Value, path: &[Seg]) -> Option<&'a str> {
    let mut node = doc;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get(k)?,
            Seg::Index(i) => node.get(*i)?,
        };
    }
    node.as_str()
}

/// Set (or with `None` remove) the text at `path`, creating the objects on
/// the way (a resume without `basics` gets one). Whether it could.
fn set_path(node: &mut Value, path: &[Seg], new: Option<&str>) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if node.is_null() {
        *node = Value::Object(Map::new());
    }
    match (first, node) {
        (Seg::Key(k), Value::Object(map)) if rest.is_empty() => {
            match new {
                Some(text) => {
                    map.insert(k.clone(), Value::String(text.to_string()));
                }
                None => {
                    map.remove(k);
                }
            }
            true
        }
        (Seg::Index(i), Value::Array(items)) if rest.is_empty() && *i < items.len() => {
            match new {
                Some(text) => items[*i] = Value::String(text.to_string()),
                // An emptied list item goes away rather than stay as "".
                None => {
                    items.remove(*i);
                }
            }
            true
        }
        (Seg::Key(k), Value::Object(map)) => {
            let child = map.entry(k.clone()).or_insert(Value::Null);
            if child.is_null() && matches!(rest.first(), Some(Seg::Key(_))) {
                *child = Value::Object(Map::new());
            }
            set_path(child, rest, new)
        }
        (Seg::Index(i), Value::Array(items)) => items
            .get_mut(*i)
            .is_some_and(|child| set_path(child, rest, new)),
        _ => false,
    }
}

/// The JSON Merge Patch (RFC 7396) that sets `path` to `new` (`None`
/// clears it), given the document after the change. Objects merge, so the
/// patch nests only the objects on the way; arrays are replaced whole, so
/// the first array on the way is sent whole, as it is in `after`.
fn merge_patch(after: &Value, path: &[Seg], new: Option<&str>) -> Option<Value> {
    let (Seg::Key(k), rest) = path.split_first()? else {
        return None;
    };
    let value = match rest.first() {
        None => new.map_or(Value::Null, |text| Value::String(text.to_string())),
        Some(Seg::Index(_)) => after.get(k)?.clone(),
        Some(Seg::Key(_)) => merge_patch(after.get(k)?, rest, new)?,
    };
    let mut object = Map::new();
    object.insert(k.clone(), value);
    Some(Value::Object(object))
}

/// Check a new value for the field at `path` before it is sent.
fn validate(path: &[Seg], text: &str) -> Result<(), String> {
    let name = match path.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    if path == [member("basics"), member("name")] && text.is_empty() {
        return Err("the name cannot be empty".into());
    }
    if text.is_empty() {
        return Ok(());
    }
    if (name.ends_with("Date") || name == "date") && !valid_date(text) {
        return Err("a date is YYYY, YYYY-MM or YYYY-MM-DD (empty clears it)".into());
    }
    if name == "email" && !valid_email(text) {
        return Err("an email needs one @ with text on both sides, like zoe@example.com".into());
    }
    if name == "url" && !valid_url(text) {
        return Err("a URL starts with http:// or https://".into());
    }
    Ok(())
}

/// What a valid value of this field looks like, for the detail line.
fn format_hint(path: &[Seg]) -> Option<&'static str> {
    match path.last() {
        Some(Seg::Key(k)) if k.ends_with("Date") || k == "date" => {
            Some("YYYY, YYYY-MM or YYYY-MM-DD")
        }
        Some(Seg::Key(k)) if k == "email" => Some("name@example.com"),
        Some(Seg::Key(k)) if k == "url" => Some("http(s)://…"),
        _ => None,
    }
}

fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    match parts.as_slice() {
        [year] => digits(year, 4),
        [year, month] => digits(year, 4) && digits(month, 2) && (1..=12).contains(&number(month)),
        [year, month, day] => {
            digits(year, 4)
                && digits(month, 2)
                && digits(day, 2)
                && year
                    .parse::<i32>()
                    .ok()
                    .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, number(month), number(day)))
                    .is_some()
        }
        _ => false,
    }
}

fn valid_email(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && !domain.is_empty() && !text.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

fn valid_url(text: &str) -> bool {
    ["http://", "https://"]
        .iter()
        .any(|scheme| text.len() > scheme.len() && text.starts_with(scheme))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Sections,
    Fields,
}

#[derive(Debug)]
struct Edit {
    path: Vec<Seg>,
    input: Input,
    error: Option<String>,
}

#[derive(Debug)]
struct RevisionsPopup {
    /// Newest first; `None` while loading.
    list: Option<Result<Vec<RevisionResource>, String>>,
    cursor: Cursor,
    offset: usize,
}

impl RevisionsPopup {
    fn selected(&self) -> Option<&RevisionResource> {
        match &self.list {
            Some(Ok(list)) => list.get(self.cursor.index),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match &self.list {
            Some(Ok(list)) => list.len(),
            _ => 0,
        }
    }
}

#[derive(Debug)]
pub struct ReviewState {
    pub id: String,
    filename: String,
    /// Boxed: a whole document is large, and screens share one enum.
    resume: Option<Box<ResumeResource>>,
    /// The document as JSON, the form edits and patches work on.
    doc: Value,
    sections: Vec<Section>,
    section: Cursor,
    field: Cursor,
    focus: Pane,
    edit: Option<Edit>,
    /// A patch is on its way; its answer is ours.
    saving: bool,
    /// The revision we had when the server answered 412.
    conflict: Option<u64>,
    revisions: Option<RevisionsPopup>,
    /// The revision being restored, whose answer is ours.
    restoring: Option<u64>,
    /// A load is on its way (its error, which carries no id, is ours).
    loading: bool,
    load_error: Option<String>,
    /// First line of the fields pane drawn last time (kept so the view
    /// scrolls only when the selection leaves it).
    field_offset: usize,
    /// Height of the fields pane, for paging.
    page: usize,
}

impl ReviewState {
    pub fn new(id: &str, filename: &str) -> ReviewState {
        ReviewState {
            id: id.to_string(),
            filename: filename.to_string(),
            resume: None,
            doc: Value::Null,
            sections: Vec::new(),
            section: Cursor::default(),
            field: Cursor::default(),
            focus: Pane::Sections,
            edit: None,
            saving: false,
            conflict: None,
            revisions: None,
            restoring: None,
            loading: true,
            load_error: None,
            field_offset: 0,
            page: 10,
        }
    }

    /// Open the screen and load the resume.
    pub fn open(id: &str, filename: &str) -> Effect {
        Effect::Many(vec![
            Effect::open(ReviewState::new(id, filename)),
            Effect::Request(Request::LoadResume(id.to_string())),
        ])
    }

    /// A screen for a resume already at hand (a parse that just completed).
    pub fn from_resume(resume: ResumeResource) -> ReviewState {
        let mut state = ReviewState::new(&resume.id, &resume.filename);
        state.loading = false;
        state.set_resume(resume);
        state
    }

    /// Take a new version of the resume, keeping the selection on the same
    /// section and field where they still exist.
    fn set_resume(&mut self, resume: ResumeResource) {
        let keep_section = self.current_section().map(|s| s.key);
        let keep_field = self.current_field().map(|f| f.path.clone());
        self.filename = resume.filename.clone();
        self.doc = resume
            .document()
            .and_then(|d| serde_json::to_value(d).ok())
            .unwrap_or(Value::Null);
        self.sections = if resume.document().is_some() {
            sections(&self.doc, &resume.confidence)
        } else {
            Vec::new()
        };
        self.resume = Some(Box::new(resume));
        self.load_error = None;
        if let Some(i) = keep_section.and_then(|k| self.sections.iter().position(|s| s.key == k)) {
            self.section.index = i;
        }
        self.section.clamp(self.sections.len());
        let fields = self
            .current_section()
            .map(|s| s.fields.as_slice())
            .unwrap_or_default();
        let found = keep_field.and_then(|p| fields.iter().position(|f| f.path == p));
        let len = fields.len();
        if let Some(i) = found {
            self.field.index = i;
        }
        self.field.clamp(len);
    }

    fn document_ready(&self) -> bool {
        self.resume.as_ref().is_some_and(|r| r.document().is_some())
    }

    fn revision(&self) -> u64 {
        self.resume.as_ref().map_or(0, |r| r.revision)
    }

    fn current_section(&self) -> Option<&Section> {
        self.sections.get(self.section.index)
    }

    fn current_field(&self) -> Option<&Field> {
        self.current_section()?.fields.get(self.field.index)
    }

    fn field_count(&self) -> usize {
        self.current_section().map_or(0, |s| s.fields.len())
    }

    fn reload(&mut self) -> Effect {
        self.loading = true;
        Effect::Request(Request::LoadResume(self.id.clone()))
    }

    fn select_section(&mut self, change: impl FnOnce(&mut Cursor, usize)) {
        let before = self.section.index;
        change(&mut self.section, self.sections.len());
        if self.section.index != before {
            self.field = Cursor::default();
            self.field_offset = 0;
        }
    }

    fn act(&mut self, action: Action) -> Effect {
        match action {
            Action::Reload => return self.reload(),
            Action::Back => return Effect::Back,
            Action::Share => return share::ShareState::open(&self.id, &self.filename),
            _ => {}
        }
        if !self.document_ready() {
            return match action {
                Action::Down
                | Action::Up
                | Action::Top
                | Action::Bottom
                | Action::PageDown
                | Action::PageUp
                | Action::SwitchPane
                | Action::Sections
                | Action::Fields => Effect::None,
                _ => Effect::Info(
                    "nothing to review until the parse is done (R checks again)".into(),
                ),
            };
        }
        let page = self.page;
        let fields = self.field_count();
        match (action, self.focus) {
            (Action::Down, Pane::Sections) => self.select_section(|c, len| c.down(len)),
            (Action::Up, Pane::Sections) => self.select_section(|c, _| c.up()),
            (Action::Top, Pane::Sections) => self.select_section(|c, _| c.top()),
            (Action::Bottom, Pane::Sections) => self.select_section(|c, len| c.bottom(len)),
            (Action::PageDown, Pane::Sections) => {
                self.select_section(|c, len| c.page_down(len, page))
            }
            (Action::PageUp, Pane::Sections) => self.select_section(|c, _| c.page_up(page)),
            (Action::Down, Pane::Fields) => self.field.down(fields),
            (Action::Up, Pane::Fields) => self.field.up(),
            (Action::Top, Pane::Fields) => self.field.top(),
            (Action::Bottom, Pane::Fields) => self.field.bottom(fields),
            (Action::PageDown, Pane::Fields) => self.field.page_down(fields, page),
            (Action::PageUp, Pane::Fields) => self.field.page_up(page),
            (Action::SwitchPane, _) => {
                self.focus = match self.focus {
                    Pane::Sections => Pane::Fields,
                    Pane::Fields => Pane::Sections,
                }
            }
            (Action::Sections, _) => self.focus = Pane::Sections,
            (Action::Fields, _) | (Action::Edit, Pane::Sections) => self.focus = Pane::Fields,
            (Action::Edit, Pane::Fields) => return self.start_edit(),
            (Action::Revisions, _) => {
                self.revisions = Some(RevisionsPopup {
                    list: None,
                    cursor: Cursor::default(),
                    offset: 0,
                });
                return Effect::Request(Request::LoadRevisions(self.id.clone()));
            }
            (Action::DiffPrevious, _) => {
                let revision = self.revision();
                if revision <= 1 {
                    return Effect::Info(
                        "this is the first revision; there is nothing before it".into(),
                    );
                }
                let previous = revision - 1;
                return diff::DiffState::open(
                    &self.id,
                    &format!("rev:{previous}"),
                    None,
                    &format!("{} r{previous} → r{revision}", self.filename),
                );
            }
            (Action::Tailor, _) => return tailor::TailorState::open(&self.id, &self.filename),
            (Action::Reload | Action::Back | Action::Share, _) => {}
        }
        Effect::None
    }

    fn start_edit(&mut self) -> Effect {
        let Some(field) = self.current_field() else {
            return Effect::None;
        };
        if !field.editable {
            return Effect::Info(format!(
                "{} is not text; only text fields can be edited here",
                field.label
            ));
        }
        self.edit = Some(Edit {
            path: field.path.clone(),
            input: Input::with_text(field.value.as_deref().unwrap_or("")),
            error: None,
        });
        Effect::None
    }

    fn save(&mut self) -> Effect {
        let revision = self.revision();
        let Some(edit) = self.edit.as_mut() else {
            return Effect::None;
        };
        let text = edit.input.text.trim().to_string();
        if let Err(error) = validate(&edit.path, &text) {
            edit.error = Some(error);
            return Effect::None;
        }
        if text_at(&self.doc, &edit.path).unwrap_or("").trim() == text {
            self.edit = None;
            return Effect::Info("no change".into());
        }
        let new = (!text.is_empty()).then_some(text.as_str());
        let mut after = self.doc.clone();
        let patch = set_path(&mut after, &edit.path, new)
            .then(|| merge_patch(&after, &edit.path, new))
            .flatten();
        let Some(patch) = patch else {
            edit.error = Some("this field cannot be changed from here".into());
            return Effect::None;
        };
        self.saving = true;
        Effect::Request(Request::Patch {
            id: self.id.clone(),
            patch,
            revision,
        })
    }

    fn handle_edit_key(&mut self, key: &KeyEvent) -> Effect {
        match lookup(EDIT_KEYS, key) {
            Some(EditAction::Save) if !self.saving => self.save(),
            Some(EditAction::Save) => Effect::Info("saving…".into()),
            Some(EditAction::Cancel) => {
                self.edit = None;
                Effect::None
            }
            None => {
                // The text stays as sent while the save is on its way.
                if let (false, Some(edit)) = (self.saving, self.edit.as_mut()) {
                    edit.input.handle_key(key);
                    edit.error = None;
                }
                Effect::None
            }
        }
    }

    fn handle_revision_key(&mut self, key: &KeyEvent) -> Effect {
        let current = self.revision();
        let Some(popup) = self.revisions.as_mut() else {
            return Effect::None;
        };
        let len = popup.len();
        match lookup(REVISION_KEYS, key) {
            Some(RevisionAction::Down) => popup.cursor.down(len),
            Some(RevisionAction::Up) => popup.cursor.up(),
            Some(RevisionAction::Top) => popup.cursor.top(),
            Some(RevisionAction::Bottom) => popup.cursor.bottom(len),
            Some(RevisionAction::Close) => self.revisions = None,
            Some(RevisionAction::Diff) => {
                let Some(n) = popup.selected().map(|r| r.revision) else {
                    return Effect::None;
                };
                if n == current {
                    return Effect::Info(format!("revision {n} is the current one"));
                }
                return diff::DiffState::open(
                    &self.id,
                    &format!("rev:{n}"),
                    None,
                    &format!("{} r{n} → r{current}", self.filename),
                );
            }
            Some(RevisionAction::Restore) => {
                let Some(n) = popup.selected().map(|r| r.revision) else {
                    return Effect::None;
                };
                if n == current {
                    return Effect::Info(format!("revision {n} is already the current one"));
                }
                self.restoring = Some(n);
                return Effect::Request(Request::Restore {
                    id: self.id.clone(),
                    revision: n,
                });
            }
            None => {}
        }
        Effect::None
    }
}

impl View for ReviewState {
    fn title(&self) -> String {
        format!("Review {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        if self.conflict.is_some() {
            help_of(CONFLICT_KEYS)
        } else if self.edit.is_some() {
            let mut keys = help_of(EDIT_KEYS);
            keys.push(("←/→ Home/End", "move in the text"));
            keys.push(("Ctrl-U/Ctrl-W", "delete to the start / the word before"));
            keys
        } else if self.revisions.is_some() {
            help_of(REVISION_KEYS)
        } else {
            help_of(KEYS)
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if self.conflict.is_some() {
            return match lookup(CONFLICT_KEYS, key) {
                Some(ConflictAction::Reload) => {
                    self.conflict = None;
                    self.edit = None;
                    self.reload()
                }
                Some(ConflictAction::Keep) => {
                    self.conflict = None;
                    Effect::None
                }
                None => Effect::None,
            };
        }
        if self.edit.is_some() {
            return self.handle_edit_key(key);
        }
        if self.revisions.is_some() {
            return self.handle_revision_key(key);
        }
        match lookup(KEYS, key) {
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        if self.edit.is_some() || self.conflict.is_some() {
            return Effect::None;
        }
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Action::Down,
            MouseEventKind::ScrollUp => Action::Up,
            _ => return Effect::None,
        };
        if let Some(popup) = self.revisions.as_mut() {
            match action {
                Action::Down => popup.cursor.down(popup.len()),
                _ => popup.cursor.up(),
            }
            return Effect::None;
        }
        self.act(action)
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        if let (false, None, Some(edit)) = (self.saving, self.conflict, self.edit.as_mut()) {
            edit.input.insert_str(text);
            edit.error = None;
        }
        Effect::None
    }

    fn is_typing(&self) -> bool {
        self.edit.is_some() && self.conflict.is_none()
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Resume(Ok(resume)) if resume.id == self.id => {
                self.loading = false;
                self.set_resume(resume.clone());
            }
            Msg::Resume(Err(e)) if self.loading => {
                self.loading = false;
                if self.resume.is_none() {
                    self.load_error = Some(e.short());
                }
                return Effect::Error(format!("cannot load {}: {}", self.filename, e.short()));
            }
            Msg::Patched(Ok(resume)) if resume.id == self.id => {
                self.set_resume(resume.clone());
                if std::mem::take(&mut self.saving) {
                    self.edit = None;
                    return Effect::Info(format!("saved: revision {}", resume.revision));
                }
            }
            Msg::Patched(Err(e)) if self.saving => {
                self.saving = false;
                if e.status() == Some(412) {
                    self.conflict = Some(self.revision());
                    return Effect::None;
                }
                return Effect::Error(format!("not saved: {}", e.short()));
            }
            Msg::Revisions { id, result } if *id == self.id => {
                if let Some(popup) = self.revisions.as_mut() {
                    popup.list = Some(match result {
                        Ok(list) => {
                            let mut list = list.clone();
                            list.sort_by_key(|r| std::cmp::Reverse(r.revision));
                            Ok(list)
                        }
                        Err(e) => Err(e.short()),
                    });
                    popup.cursor.clamp(popup.len());
                }
            }
            Msg::Restored(Ok(resume)) if resume.id == self.id => {
                self.set_resume(resume.clone());
                if let Some(n) = self.restoring.take() {
                    self.revisions = None;
                    return Effect::Info(format!(
                        "restored revision {n} as revision {}",
                        resume.revision
                    ));
                }
            }
            Msg::Restored(Err(e)) if self.restoring.is_some() => {
                self.restoring = None;
                return Effect::Error(format!("not restored: {}", e.short()));
            }
            Msg::Parse {
                id,
                update: ParseUpdate::Complete(resume),
            } if *id == self.id => self.set_resume((**resume).clone()),
            // A change made elsewhere: fetch it, unless an edit is open (its
            // save then meets the 412 and the user chooses).
            Msg::Account(AccountUpdate::Change(change))
                if change.resume_id == self.id
                    && change.kind == "resume.updated"
                    && self.edit.is_none()
                    && !self.saving
                    && !self.loading =>
            {
                return self.reload();
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
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
            .map(|s| section_label(s).chars().count())
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
        if let Some(had) = self.conflict {
            render_conflict(frame, area, had, theme);
        }
    }
}

fn pane_block<'a>(title: &str, focused: bool, theme: &Theme) -> Block<'a> {
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
fn one_line(text: &str) -> String {
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
                let pad = width.saturating_sub(label.chars().count() + 4);
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
        let width = list_area.width as usize;
        let label_width = section
            .fields
            .iter()
            .map(|f| f.label.chars().count())
            .max()
            .unwrap_or(4)
            .min(width / 3)
            .max(4);
        // "▸? label  value": cursor, marker, space, label, two spaces.
        let value_width = width.saturating_sub(label_width + 5).max(1);
        let indent = " ".repeat(label_width + 5);

        let mut lines: Vec<Line> = Vec::new();
        // Lines of the selected field (with its header), to keep in view.
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
            let editing = selected && self.edit.is_some();
            let marker = if field.doubtful() {
                "?"
            } else if field.missing {
                "!"
            } else {
                " "
            };
            let label = format!("{:<label_width$}", truncate(&field.label, label_width));
            let head = format!("{}{marker} {label}  ", if selected { "▸" } else { " " });
            let row_style = if selected && focused && !editing {
                theme.selected()
            } else {
                Style::default()
            };
            let value_style = if field.flagged() {
                theme.warn()
            } else if !field.editable {
                theme.dim()
            } else {
                theme.text()
            };
            let label_style = if field.flagged() {
                theme.warn()
            } else {
                theme.text()
            };
            if let (true, Some(edit)) = (editing, self.edit.as_ref()) {
                let chunks = wrap_chars(&edit.input.display(), value_width);
                for (n, chunk) in chunks.into_iter().enumerate() {
                    let lead = if n == 0 { head.clone() } else { indent.clone() };
                    lines.push(Line::from(vec![
                        Span::styled(lead, label_style.patch(theme.key())),
                        Span::styled(chunk, theme.text()),
                    ]));
                }
                match &edit.error {
                    Some(error) => {
                        for chunk in wrap_chars(&format!("✕ {error}"), value_width) {
                            lines.push(Line::from(vec![
                                Span::raw(indent.clone()),
                                Span::styled(chunk, theme.error()),
                            ]));
                        }
                    }
                    None => {
                        let hint = if self.saving {
                            "saving…"
                        } else {
                            "Enter: save   Esc: cancel   (empty clears it)"
                        };
                        lines.push(Line::from(vec![
                            Span::raw(indent.clone()),
                            Span::styled(hint, theme.dim()),
                        ]));
                    }
                }
            } else {
                let value_lines: Vec<Span> = match &field.value {
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
                for (n, value) in value_lines.into_iter().enumerate() {
                    let lead = if n == 0 { head.clone() } else { indent.clone() };
                    let mut line = Line::from(vec![Span::styled(lead, label_style), value]);
                    if selected && focused {
                        // Pad so the highlight spans the row.
                        let used: usize =
                            line.spans.iter().map(|s| s.content.chars().count()).sum();
                        line.spans
                            .push(Span::raw(" ".repeat(width.saturating_sub(used))));
                        line.spans
                            .iter_mut()
                            .for_each(|s| s.style = s.style.patch(row_style));
                    }
                    lines.push(line);
                }
            }
            if selected {
                selected_range = (start, lines.len());
            }
        }

        let height = (list_area.height as usize).max(1);
        self.page = height.saturating_sub(2).max(1);
        let (start, end) = selected_range;
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
                let used: usize = detail.iter().map(|s| s.content.chars().count()).sum();
                if used + 14 <= detail_area.width as usize {
                    detail.push(Span::styled(" · Enter: edit", theme.dim()));
                }
            }
            frame.render_widget(Paragraph::new(Line::from(detail)), detail_area);
        }
    }
}

fn render_revisions(
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
                    let rest = width.saturating_sub(head.chars().count());
                    let summary = truncate(&one_line(&r.summary), rest);
                    let pad = rest.saturating_sub(summary.chars().count());
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

fn render_conflict(frame: &mut Frame, area: Rect, had: u64, theme: &Theme) {
    let rect = centered(area, 66, 6);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(format!(
                "This resume changed elsewhere (you had revision {had})."
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("r", theme.key()),
                Span::raw(": reload the current version (your edit is discarded)"),
            ]),
            Line::from(vec![
                Span::styled("Esc", theme.key()),
                Span::raw(": keep your edit open"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::screens::library::tests::resume;
    use crate::screens::testing::{ch, draw, key};
    use crate::screens::Screen;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "basics": {
                "name": "Zoë Martin",
                "label": "Platform Engineer",
                "email": "zoe@example.com",
                "phone": "+33 6 12 34 56 78",
                "location": {"city": "Lyon", "countryCode": "FR"},
                "profiles": [{"network": "GitHub", "username": "zoem", "url": "https://github.com/zoem"}]
            },
            "work": [
                {
                    "name": "Acme",
                    "position": "Senior Engineer",
                    "startDate": "2021-03",
                    "summary": "Runs the platform team: build, deploy and observability for forty services, on call one week in six.",
                    "highlights": ["Cut deploy time from 40 to 6 minutes", "Led the move to Kubernetes"]
                },
                {"name": "Globex", "position": "Engineer", "startDate": "2018", "endDate": "2021-02"}
            ],
            "education": [{"institution": "Université Lyon 1", "area": "Computer Science", "studyType": "MSc", "endDate": "2018"}],
            "skills": [{"name": "Rust", "keywords": ["tokio", "serde"]}, {"name": "Kubernetes"}],
            "languages": [{"language": "French", "fluency": "Native"}]
        })
    }

    fn ready(doc: Value) -> ResumeResource {
        let mut r = resume("r1", "zoe.pdf", Status::Ready, None);
        r.revision = 3;
        r.document = Some(vitae_common::Resume::from_value(doc).ok());
        r
    }

    fn state() -> ReviewState {
        ReviewState::from_resume(ready(document()))
    }

    /// Select the field at `path` (e.g. `work[1].position`) in the fields pane.
    fn select(state: &mut ReviewState, path: &str) {
        for (s, section) in state.sections.iter().enumerate() {
            if let Some(f) = section
                .fields
                .iter()
                .position(|f| path_string(&f.path) == path)
            {
                state.section.index = s;
                state.field.index = f;
                state.focus = Pane::Fields;
                return;
            }
        }
        panic!("no field {path}");
    }

    fn type_text(state: &mut ReviewState, text: &str) {
        for c in text.chars() {
            state.handle_key(&ch(c));
        }
    }

    fn clear_input(state: &mut ReviewState) {
        state.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    }

    fn api_error(status: u16) -> ClientError {
        ClientError::Api {
            status,
            code: "x".into(),
            message: format!("the server said {status}"),
            request_id: "req-1".into(),
        }
    }

    fn revisions() -> Vec<RevisionResource> {
        let rev = |revision, origin: &str, summary: &str| RevisionResource {
            revision,
            created_at: format!("2026-11-2{revision}T09:00:00Z"),
            origin: origin.into(),
            summary: summary.into(),
            document: None,
        };
        vec![
            rev(1, "parsed", "first revision"),
            rev(2, "edited", "basics: 1 changed"),
            rev(3, "edited", "work: 1 changed, 1 added"),
        ]
    }

    #[test]
    fn review_with_the_sections_pane_focused() {
        let mut state = state();
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn review_with_the_fields_pane_focused() {
        let mut state = state();
        state.handle_key(&ch('j'));
        state.handle_key(&key(KeyCode::Tab));
        state.handle_key(&ch('j'));
        state.handle_key(&ch('j'));
        state.handle_key(&ch('j'));
        assert_eq!(state.focus, Pane::Fields);
        assert_eq!(
            state
                .current_field()
                .map(|f| path_string(&f.path))
                .as_deref(),
            Some("work[0].url")
        );
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn review_shows_the_detected_language() {
        let mut doc = document();
        doc["meta"] = json!({"language": "de"});
        let mut german = ReviewState::from_resume(ready(doc));
        assert!(draw(&mut german, 100, 30)
            .to_string()
            .contains("language de"));
        let mut undetected = state();
        assert!(!draw(&mut undetected, 100, 30)
            .to_string()
            .contains("language "));
    }

    #[test]
    fn review_shows_warnings_low_confidence_and_missing_fields() {
        let mut doc = document();
        doc["basics"].as_object_mut().unwrap().remove("email");
        let mut r = ready(doc);
        r.warnings = vec![
            "no email address found".into(),
            "work[1]: the end date read as 2021-02 from \"02/21\"".into(),
        ];
        r.confidence.insert("work[0].startDate".into(), 0.42);
        r.confidence.insert("work[0].position".into(), 0.93);
        r.confidence.insert("basics.phone".into(), 0.5);
        let mut state = ReviewState::from_resume(r);
        let basics = &state.sections[0];
        assert!(basics
            .fields
            .iter()
            .any(|f| f.missing && f.label == "email"));
        assert!(basics
            .fields
            .iter()
            .any(|f| f.doubtful() && f.label == "phone"));
        select(&mut state, "basics.phone");
        insta::assert_snapshot!(draw(&mut state, 100, 30));
        select(&mut state, "work[0].startDate");
        insta::assert_snapshot!("review_low_confidence_date", draw(&mut state, 100, 30));
    }

    #[test]
    fn editing_a_field_with_a_validation_error() {
        let mut state = state();
        select(&mut state, "work[0].startDate");
        state.handle_key(&ch('e'));
        assert!(state.is_typing());
        clear_input(&mut state);
        type_text(&mut state, "March 2021");
        let effect = state.handle_key(&key(KeyCode::Enter));
        assert!(effect.request().is_none(), "an invalid date is not sent");
        assert!(state.edit.as_ref().is_some_and(|e| e.error.is_some()));
        insta::assert_snapshot!(draw(&mut state, 100, 30));
        // Typing again clears the error; Esc cancels.
        state.handle_key(&key(KeyCode::Backspace));
        assert!(state.edit.as_ref().is_some_and(|e| e.error.is_none()));
        state.handle_key(&key(KeyCode::Esc));
        assert!(state.edit.is_none() && !state.is_typing());
    }

    #[test]
    fn validation_accepts_and_rejects() {
        let path = |p: &[&str]| p.iter().map(|k| member(k)).collect::<Vec<_>>();
        let start = path(&["work", "startDate"]);
        for ok in ["2021", "2021-03", "2021-03-31", "2024-02-29", ""] {
            assert!(validate(&start, ok).is_ok(), "{ok}");
        }
        for bad in [
            "21",
            "2021-3",
            "2021-13",
            "2021-02-30",
            "March 2021",
            "2021/03",
            "2021-03-01T00",
        ] {
            assert!(validate(&start, bad).is_err(), "{bad}");
        }
        assert!(validate(&path(&["awards", "date"]), "2020-1").is_err());
        let email = path(&["basics", "email"]);
        assert!(validate(&email, "zoe@example.com").is_ok());
        for bad in ["zoe", "@example.com", "zoe@", "a@b@c", "zo e@example.com"] {
            assert!(validate(&email, bad).is_err(), "{bad}");
        }
        let url = path(&["basics", "url"]);
        assert!(validate(&url, "https://zoe.dev").is_ok());
        assert!(validate(&url, "http://zoe.dev").is_ok());
        for bad in ["zoe.dev", "ftp://zoe.dev", "https://"] {
            assert!(validate(&url, bad).is_err(), "{bad}");
        }
        assert!(
            validate(&path(&["basics", "name"]), "").is_err(),
            "the name is required"
        );
        assert!(
            validate(&path(&["work", "name"]), "").is_ok(),
            "other fields may be cleared"
        );
    }

    #[test]
    fn the_patch_for_a_work_field_replaces_the_whole_work_array() {
        let mut state = state();
        select(&mut state, "work[1].position");
        state.handle_key(&key(KeyCode::Enter));
        clear_input(&mut state);
        type_text(&mut state, "Staff Engineer");
        let Some(Request::Patch {
            id,
            patch,
            revision,
        }) = state.handle_key(&key(KeyCode::Enter)).request()
        else {
            panic!("expected a patch");
        };
        assert_eq!((id.as_str(), revision), ("r1", 3));
        let mut work = document()["work"].clone();
        work[1]["position"] = json!("Staff Engineer");
        assert_eq!(patch, json!({ "work": work }));
        assert!(
            state.saving && state.edit.is_some(),
            "the edit stays until the answer"
        );
    }

    #[test]
    fn basics_patches_merge_and_clearing_sends_null() {
        let mut state = state();
        select(&mut state, "basics.email");
        state.handle_key(&key(KeyCode::Enter));
        clear_input(&mut state);
        type_text(&mut state, "zoe@martin.dev");
        let patch = state.handle_key(&key(KeyCode::Enter)).request();
        assert!(
            matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"email": "zoe@martin.dev"}}))
        );

        let mut state = self::state();
        select(&mut state, "basics.location.city");
        state.handle_key(&key(KeyCode::Enter));
        clear_input(&mut state);
        let patch = state.handle_key(&key(KeyCode::Enter)).request();
        assert!(
            matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"location": {"city": null}}}))
        );

        // A highlight lives in an array: the work array goes whole, the
        // emptied highlight removed from it.
        let mut state = self::state();
        select(&mut state, "work[0].highlights[0]");
        state.handle_key(&key(KeyCode::Enter));
        clear_input(&mut state);
        let Some(Request::Patch { patch, .. }) = state.handle_key(&key(KeyCode::Enter)).request()
        else {
            panic!("expected a patch");
        };
        assert_eq!(
            patch["work"][0]["highlights"],
            json!(["Led the move to Kubernetes"])
        );
        assert_eq!(patch["work"][1], document()["work"][1]);

        // An unchanged value sends nothing.
        let mut state = self::state();
        select(&mut state, "basics.name");
        state.handle_key(&key(KeyCode::Enter));
        assert!(matches!(
            state.handle_key(&key(KeyCode::Enter)),
            Effect::Info(_)
        ));
        assert!(state.edit.is_none());
    }

    #[test]
    fn a_missing_basics_object_is_created_by_the_patch() {
        let mut state = ReviewState::from_resume(ready(json!({"work": [{"name": "Acme"}]})));
        select(&mut state, "basics.name");
        state.handle_key(&key(KeyCode::Enter));
        type_text(&mut state, "Zoë");
        let patch = state.handle_key(&key(KeyCode::Enter)).request();
        assert!(
            matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"name": "Zoë"}}))
        );
    }

    #[test]
    fn a_saved_edit_closes_and_says_the_new_revision() {
        let mut state = state();
        select(&mut state, "work[1].position");
        state.handle_key(&key(KeyCode::Enter));
        type_text(&mut state, " II");
        state.handle_key(&key(KeyCode::Enter));
        let mut doc = document();
        doc["work"][1]["position"] = json!("Engineer II");
        let mut saved = ready(doc);
        saved.revision = 4;
        let effect = state.on_msg(&Msg::Patched(Ok(saved)));
        assert!(matches!(effect, Effect::Info(ref m) if m == "saved: revision 4"));
        assert!(state.edit.is_none() && !state.saving);
        assert_eq!(
            state.current_field().and_then(|f| f.value.as_deref()),
            Some("Engineer II"),
            "selection kept"
        );
    }

    #[test]
    fn a_412_opens_the_conflict_popup_and_r_reloads() {
        let mut state = state();
        select(&mut state, "work[1].position");
        state.handle_key(&key(KeyCode::Enter));
        type_text(&mut state, " II");
        state.handle_key(&key(KeyCode::Enter));
        assert!(matches!(
            state.on_msg(&Msg::Patched(Err(api_error(412)))),
            Effect::None
        ));
        assert_eq!(state.conflict, Some(3));
        assert!(!state.is_typing(), "keys go to the popup");
        insta::assert_snapshot!(draw(&mut state, 100, 30));
        // Esc keeps the edit open.
        state.handle_key(&key(KeyCode::Esc));
        assert!(state.conflict.is_none() && state.edit.is_some());
        // Again, and this time r reloads and drops the edit.
        state.handle_key(&key(KeyCode::Enter));
        state.on_msg(&Msg::Patched(Err(api_error(412))));
        let effect = state.handle_key(&ch('r'));
        assert_eq!(effect.request(), Some(Request::LoadResume("r1".into())));
        assert!(state.conflict.is_none() && state.edit.is_none());
    }

    #[test]
    fn other_save_errors_keep_the_edit_open() {
        let mut state = state();
        select(&mut state, "work[1].position");
        state.handle_key(&key(KeyCode::Enter));
        state.handle_key(&key(KeyCode::Enter));
        assert!(state.edit.is_none(), "unchanged");
        state.handle_key(&key(KeyCode::Enter));
        type_text(&mut state, "!");
        state.handle_key(&key(KeyCode::Enter));
        let effect = state.on_msg(&Msg::Patched(Err(api_error(422))));
        assert!(matches!(effect, Effect::Error(ref m) if m.contains("the server said 422")));
        assert!(state.edit.is_some() && !state.saving);
        // Another screen's failure is not ours.
        assert!(matches!(
            state.on_msg(&Msg::Patched(Err(api_error(500)))),
            Effect::None
        ));
    }

    #[test]
    fn revisions_popup_diffs_and_restores() {
        let mut state = state();
        assert_eq!(
            state.handle_key(&ch('v')).request(),
            Some(Request::LoadRevisions("r1".into()))
        );
        state.on_msg(&Msg::Revisions {
            id: "other".into(),
            result: Ok(vec![]),
        });
        assert!(
            state.revisions.as_ref().is_some_and(|p| p.list.is_none()),
            "not ours"
        );
        state.on_msg(&Msg::Revisions {
            id: "r1".into(),
            result: Ok(revisions()),
        });
        insta::assert_snapshot!(draw(&mut state, 100, 30));
        // Newest first: the current one cannot be diffed with itself.
        assert!(matches!(
            state.handle_key(&key(KeyCode::Enter)),
            Effect::Info(_)
        ));
        state.handle_key(&ch('j'));
        let effect = state.handle_key(&key(KeyCode::Enter));
        assert!(matches!(effect.screen(), Some(Screen::Diff(_))));
        assert_eq!(
            effect.request(),
            Some(Request::Diff {
                id: "r1".into(),
                against: "rev:2".into(),
                revision: None
            })
        );
        state.handle_key(&ch('j'));
        assert_eq!(
            state.handle_key(&ch('r')).request(),
            Some(Request::Restore {
                id: "r1".into(),
                revision: 1
            })
        );
        let mut restored = ready(document());
        restored.revision = 4;
        assert!(
            matches!(state.on_msg(&Msg::Restored(Ok(restored))), Effect::Info(ref m) if m == "restored revision 1 as revision 4")
        );
        assert!(state.revisions.is_none());
        assert_eq!(state.revision(), 4);
    }

    #[test]
    fn d_diffs_against_the_previous_revision() {
        let mut state = state();
        let effect = state.handle_key(&ch('d'));
        assert_eq!(
            effect.request(),
            Some(Request::Diff {
                id: "r1".into(),
                against: "rev:2".into(),
                revision: None
            })
        );
        let mut first = ready(document());
        first.revision = 1;
        let mut state = ReviewState::from_resume(first);
        assert!(matches!(state.handle_key(&ch('d')), Effect::Info(_)));
    }

    #[test]
    fn keys_open_share_and_tailor_and_reload() {
        let mut state = state();
        assert!(matches!(
            state.handle_key(&ch('s')).screen(),
            Some(Screen::Share(_))
        ));
        assert!(matches!(
            state.handle_key(&ch('t')).screen(),
            Some(Screen::Tailor(_))
        ));
        assert_eq!(
            state.handle_key(&ch('R')).request(),
            Some(Request::LoadResume("r1".into()))
        );
        assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
    }

    #[test]
    fn a_reload_keeps_the_selection_and_other_resumes_are_ignored() {
        let mut state = state();
        select(&mut state, "skills[1].name");
        let mut other = ready(json!({"basics": {"name": "Someone else"}}));
        other.id = "r2".into();
        state.on_msg(&Msg::Resume(Ok(other)));
        assert_eq!(state.current_section().map(|s| s.key), Some("skills"));
        let mut doc = document();
        doc["skills"]
            .as_array_mut()
            .unwrap()
            .insert(0, json!({"name": "Go"}));
        state.on_msg(&Msg::Resume(Ok(ready(doc))));
        assert_eq!(
            state
                .current_field()
                .map(|f| path_string(&f.path))
                .as_deref(),
            Some("skills[1].name")
        );
        assert_eq!(
            state.current_field().and_then(|f| f.value.as_deref()),
            Some("Rust")
        );
    }

    #[test]
    fn a_resume_that_is_not_ready_shows_its_status_and_reason() {
        let mut failed = resume("r1", "scan.pdf", Status::Failed, None);
        failed.reason =
            Some("no text found in the PDF (is it a scanned image? Vitae does not OCR)".into());
        failed.document = Some(None);
        let mut state = ReviewState::new("r1", "scan.pdf");
        insta::assert_snapshot!("review_loading", draw(&mut state, 100, 8));
        state.on_msg(&Msg::Resume(Ok(failed)));
        assert!(matches!(state.handle_key(&ch('e')), Effect::Info(_)));
        insta::assert_snapshot!("review_not_ready", draw(&mut state, 100, 12));
    }

    #[test]
    fn mouse_scroll_moves_the_focused_selection() {
        let mut state = state();
        let scroll = |kind| MouseEvent {
            kind,
            column: 0,
            row: 0,
            modifiers: KeyModifiers::NONE,
        };
        state.handle_mouse(&scroll(MouseEventKind::ScrollDown));
        assert_eq!(state.section.index, 1);
        state.handle_key(&key(KeyCode::Tab));
        state.handle_mouse(&scroll(MouseEventKind::ScrollDown));
        assert_eq!((state.section.index, state.field.index), (1, 1));
    }
}
