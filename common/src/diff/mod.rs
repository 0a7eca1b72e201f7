//! Structured diff of two JSON Resume documents: what a person changed
//! between two revisions, or what tailoring changed, as a list of changes a
//! reader (or a client) can show entry by entry, and that [`apply`] can
//! replay on the before document.
//!
//! The diff works on [`serde_json::Value`], so keys the schema does not know
//! (vendor extensions, `meta`, a resume's `extra`) are compared like any
//! other; [`diff`] is the typed convenience wrapper over [`Resume`].
//!
//! # Semantics
//!
//! - **Objects** are compared key by key. A key present on one side only is
//!   `added` or `removed`; a key whose value is `null` counts as missing, so
//!   `{"url": null}` and `{}` are equal. Differing scalars are `changed`. A
//!   value whose JSON type changes (string → object, list → string, ...) is
//!   one `changed` at that path, with nothing reported inside it.
//! - **Lists** are aligned, not compared index by index. Lists of the
//!   schema pair entries by identity, compared case-insensitively with
//!   whitespace normalised, duplicates in order: `work` by name + position,
//!   `volunteer` by organization + position, `education` by institution +
//!   area, `awards` by title + awarder, `certificates` by name + issuer,
//!   `languages` by language, `basics.profiles` by network + username, and
//!   `skills`, `projects`, `publications`, `interests`, `references` by
//!   name. Equal entries pair too, and take precedence when duplicates make
//!   the choice ambiguous; the pairing keeps as much of the original order as
//!   it can, so an insertion or removal never reshuffles the rest. Leftover
//!   entries then pair when they share the first identity field (same
//!   company, changed title: a `changed` at `/work/i/position`, not a removal
//!   and an addition) or are similar enough (strings: at least half their
//!   words in common, or for one- and two-word strings half their
//!   characters, so `Postgres` → `PostgreSQL` is a change; objects: mean
//!   member similarity ≥ 0.6). Other lists (highlights, keywords, courses,
//!   unknown lists) use the same rules without identity: equality, then
//!   similarity. Paired entries are diffed recursively; unpaired ones are
//!   `added` or `removed` whole. Similarity pairing is skipped for lists
//!   longer than 200 entries, which then match on equality and identity only.
//! - **Moves**: among paired entries, a longest set whose relative order is
//!   unchanged stays put (among equally long ones, the one whose entries
//!   shifted least, then the one keeping earlier entries: reversing three
//!   entries moves the outer two, swapping two moves the second one up).
//!   Every other paired entry gets one `moved` change with `path` = its
//!   pointer in the after document, `from` = its pointer in the before
//!   document, and `before`/`after` = the entry as it was and as it is (so a
//!   client can label the move without fetching either document). Inserting
//!   or removing an entry never makes its neighbours moved. A moved entry
//!   that also changed inside gets both the `moved` change and the nested
//!   changes, which follow it.
//! - **Paths** are JSON Pointers (RFC 6901, `~0` for `~`, `~1` for `/`);
//!   the document itself is `""`. List indices in a path are indices in the
//!   *after* document, for `added`, `changed` and `moved` changes and for
//!   every prefix of any path; only the last segment of a `removed` list
//!   element is its index in the *before* document (its parent prefix is
//!   still in after coordinates). `from` is wholly in before coordinates.
//!   This is what lets [`apply`] rebuild every list in one pass: entries
//!   that neither moved nor were added or removed keep their relative order.
//! - **`before` / `after`**: `added` has no `before`, `removed` no `after`
//!   (both serialise as `null`); `changed` has both.
//! - **`words`**: a `changed` between two strings of which either has more
//!   than three words carries a word diff ([`word_diff`]): consecutive ops of
//!   one kind merged, `equal` + `delete` texts concatenate to `before` and
//!   `equal` + `insert` texts to `after`, whitespace included.
//! - **Order**: deterministic, in the order of the after document — the
//!   document's sections in JSON Resume order (`basics` first), the known
//!   fields of an entry in schema order, other keys in map order — with
//!   removed entries and keys at the place they had in the before document.
//! - **Round trip**: `apply(a, &diff_values(a, b))` equals `b` exactly, except
//!   that a `null` member may stand where `b` has none or the reverse, since
//!   the diff does not distinguish them. [`apply`] checks every `before`
//!   value against the document it is given and refuses contradictory
//!   changes, so a diff applied to the wrong base fails with the path that
//!   disagrees.
//! - **Summary**: counts per kind, overall and per section (the first path
//!   segment: `basics`, `work`, ...; `""` for a change of the whole document),
//!   and [`Summary::describe`] for a one-line "what changed".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::skip_serializing_none;

use crate::resume::Resume;

mod align;
mod apply;
mod schema;
mod words;

#[cfg(test)]
mod tests;

pub use apply::{apply, ApplyError};
pub use words::word_diff;

use schema::{rank, Ctx, SECTION_ORDER};

/// The structured difference between two documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub summary: Summary,
}

impl Diff {
    /// A diff of these changes, with its summary computed.
    pub fn from_changes(changes: Vec<Change>) -> Diff {
        Diff {
            summary: Summary::from_changes(&changes),
            changes,
        }
    }

    /// Whether the two documents were the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// One change at one place in the document.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// JSON Pointer of the changed value (see the module docs for which
    /// document's indices it uses).
    pub path: String,
    pub kind: ChangeKind,
    /// The value in the before document; `null` for `added`.
    #[serialize_always]
    pub before: Option<Value>,
    /// The value in the after document; `null` for `removed`.
    #[serialize_always]
    pub after: Option<Value>,
    /// For `moved`: the entry's pointer in the before document.
    pub from: Option<String>,
    /// For `changed` strings of more than three words: what changed inside.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<WordOp>,
}

impl Change {
    fn added(path: String, after: &Value) -> Change {
        Change {
            path,
            kind: ChangeKind::Added,
            before: None,
            after: Some(after.clone()),
            from: None,
            words: Vec::new(),
        }
    }

    fn removed(path: String, before: &Value) -> Change {
        Change {
            path,
            kind: ChangeKind::Removed,
            before: Some(before.clone()),
            after: None,
            from: None,
            words: Vec::new(),
        }
    }

    fn changed(path: String, before: &Value, after: &Value) -> Change {
        let words = match (before, after) {
            (Value::String(b), Value::String(a)) if words::is_wordy(b) || words::is_wordy(a) => {
                word_diff(b, a)
            }
            _ => Vec::new(),
        };
        Change {
            path,
            kind: ChangeKind::Changed,
            before: Some(before.clone()),
            after: Some(after.clone()),
            from: None,
            words,
        }
    }

    fn moved(path: String, from: String, before: &Value, after: &Value) -> Change {
        Change {
            path,
            kind: ChangeKind::Moved,
            before: Some(before.clone()),
            after: Some(after.clone()),
            from: Some(from),
            words: Vec::new(),
        }
    }

    /// The section this change belongs to: the first path segment, unescaped
    /// (`""` for the whole document).
    pub fn section(&self) -> String {
        let first = self
            .path
            .strip_prefix('/')
            .map_or("", |rest| rest.split('/').next().unwrap_or(""));
        unescape(first).unwrap_or_else(|| first.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
}

impl ChangeKind {
    /// The wire name (`added`, `removed`, `changed`, `moved`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::Moved => "moved",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordOp {
    pub op: WordOpKind,
    pub text: String,
}

impl WordOp {
    pub fn new(op: WordOpKind, text: impl Into<String>) -> WordOp {
        WordOp {
            op,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WordOpKind {
    Equal,
    Insert,
    Delete,
}

/// How many changes of each kind, overall and per section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: Counts,
    /// Keyed by section (first path segment).
    pub sections: BTreeMap<String, Counts>,
}

impl Summary {
    /// Count these changes.
    pub fn from_changes(changes: &[Change]) -> Summary {
        let mut summary = Summary::default();
        for change in changes {
            summary.total.count(change.kind);
            summary
                .sections
                .entry(change.section())
                .or_default()
                .count(change.kind);
        }
        summary
    }

    /// A one-line account for a revision list, sections in document order:
    /// `"basics: 1 changed; work: 1 added, 2 changed"`, or `"no changes"`.
    pub fn describe(&self) -> String {
        let mut sections: Vec<(&String, &Counts)> = self
            .sections
            .iter()
            .filter(|(_, c)| c.total() > 0)
            .collect();
        if sections.is_empty() {
            return "no changes".to_string();
        }
        sections.sort_by_key(|(name, _)| rank(SECTION_ORDER, name));
        let mut out = String::new();
        for (name, counts) in sections {
            if !out.is_empty() {
                out.push_str("; ");
            }
            let name = if name.is_empty() { "document" } else { name };
            let _ = write!(out, "{name}: {}", counts.describe());
        }
        out
    }
}

/// Changes of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub added: u32,
    pub removed: u32,
    pub changed: u32,
    pub moved: u32,
}

impl Counts {
    /// All changes, whatever their kind.
    pub fn total(&self) -> u32 {
        self.added
            .saturating_add(self.removed)
            .saturating_add(self.changed)
            .saturating_add(self.moved)
    }

    /// The count of one kind.
    pub fn get(&self, kind: ChangeKind) -> u32 {
        match kind {
            ChangeKind::Added => self.added,
            ChangeKind::Removed => self.removed,
            ChangeKind::Changed => self.changed,
            ChangeKind::Moved => self.moved,
        }
    }

    fn count(&mut self, kind: ChangeKind) {
        let slot = match kind {
            ChangeKind::Added => &mut self.added,
            ChangeKind::Removed => &mut self.removed,
            ChangeKind::Changed => &mut self.changed,
            ChangeKind::Moved => &mut self.moved,
        };
        *slot = slot.saturating_add(1);
    }

    /// `"1 added, 2 changed"` (kinds with no changes left out).
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            ChangeKind::Added,
            ChangeKind::Removed,
            ChangeKind::Changed,
            ChangeKind::Moved,
        ]
        .into_iter()
        .filter(|kind| self.get(*kind) > 0)
        .map(|kind| format!("{} {kind}", self.get(kind)))
        .collect();
        if parts.is_empty() {
            "no changes".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Diff two resumes (see the module docs for the semantics).
pub fn diff(before: &Resume, after: &Resume) -> Diff {
    // Serialising a `Resume` cannot fail: every key is a string and every
    // leaf plain JSON; the fallback only keeps this function total.
    let before = serde_json::to_value(before).unwrap_or_default();
    let after = serde_json::to_value(after).unwrap_or_default();
    diff_values(&before, &after)
}

/// Diff two JSON documents, normally JSON Resume ones (see the module docs).
pub fn diff_values(before: &Value, after: &Value) -> Diff {
    let mut walker = Walker {
        changes: Vec::new(),
    };
    walker.node(before, after, "", "", Ctx::Root);
    Diff::from_changes(walker.changes)
}

/// Collects changes in output order while walking both documents together.
struct Walker {
    changes: Vec<Change>,
}

impl Walker {
    /// `path` is the value's pointer in the after document, `from` in the
    /// before document (they differ below a moved or shifted list entry).
    fn node(&mut self, before: &Value, after: &Value, path: &str, from: &str, ctx: Ctx) {
        if before == after {
            return;
        }
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => self.object(b, a, path, from, ctx),
            (Value::Array(b), Value::Array(a)) => self.list(b, a, path, from, ctx),
            _ => self
                .changes
                .push(Change::changed(path.to_string(), before, after)),
        }
    }

    fn object(
        &mut self,
        before: &Map<String, Value>,
        after: &Map<String, Value>,
        path: &str,
        from: &str,
        ctx: Ctx,
    ) {
        for key in key_order(before, after, ctx) {
            let b = before.get(key).filter(|v| !v.is_null());
            let a = after.get(key).filter(|v| !v.is_null());
            match (b, a) {
                (None, None) => {}
                (None, Some(a)) => self.changes.push(Change::added(child(path, key), a)),
                (Some(b), None) => self.changes.push(Change::removed(child(path, key), b)),
                (Some(b), Some(a)) => {
                    self.node(b, a, &child(path, key), &child(from, key), ctx.key(key))
                }
            }
        }
    }

    fn list(&mut self, before: &[Value], after: &[Value], path: &str, from: &str, ctx: Ctx) {
        let alignment = align::align(before, after, ctx.section());
        let stayed = alignment.stayed();
        // Removed entries are reported after the last before-entry preceding
        // them that kept its place: slot 0 is the top, slot j + 1 follows
        // after entry j.
        let mut removals: Vec<(usize, usize)> = Vec::new();
        let mut slot = 0;
        for (i, j) in alignment.b2a.iter().enumerate() {
            match *j {
                Some(j) if stayed[j] => slot = j + 1,
                Some(_) => {}
                None => removals.push((slot, i)),
            }
        }
        let mut removals = removals.into_iter().peekable();
        let mut flush = |changes: &mut Vec<Change>, upto: usize| {
            while let Some((_, i)) = removals.next_if(|(s, _)| *s <= upto) {
                changes.push(Change::removed(child(path, &i.to_string()), &before[i]));
            }
        };
        flush(&mut self.changes, 0);
        for (j, entry) in after.iter().enumerate() {
            let here = child(path, &j.to_string());
            match alignment.a2b[j] {
                None => self.changes.push(Change::added(here, entry)),
                Some(i) => {
                    let there = child(from, &i.to_string());
                    if !stayed[j] {
                        self.changes.push(Change::moved(
                            here.clone(),
                            there.clone(),
                            &before[i],
                            entry,
                        ));
                    }
                    self.node(&before[i], entry, &here, &there, ctx.element());
                }
            }
            flush(&mut self.changes, j + 1);
        }
    }
}

/// Keys of both objects in report order: the after document's order, with
/// keys only the before document has placed after the key that preceded them
/// there; then, where the schema has an opinion, known fields in schema order.
fn key_order<'a>(
    before: &'a Map<String, Value>,
    after: &'a Map<String, Value>,
    ctx: Ctx,
) -> Vec<&'a str> {
    let mut leading: Vec<&str> = Vec::new();
    let mut following: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut anchor: Option<&str> = None;
    for key in before.keys() {
        if after.contains_key(key) {
            anchor = Some(key);
        } else {
            match anchor {
                None => leading.push(key),
                Some(anchor) => following.entry(anchor).or_default().push(key),
            }
        }
    }
    let mut keys = leading;
    for key in after.keys() {
        keys.push(key);
        if let Some(rest) = following.get(key.as_str()) {
            keys.extend(rest);
        }
    }
    // Stable, and a no-op where the schema has no opinion (all `None`).
    keys.sort_by_key(|key| ctx.rank(key));
    keys
}

/// The pointer of `segment` under `path`.
fn child(path: &str, segment: &str) -> String {
    let mut out = String::with_capacity(path.len() + segment.len() + 1);
    out.push_str(path);
    out.push('/');
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Undo [`child`]'s escaping of one segment; `None` for a stray `~`.
fn unescape(segment: &str) -> Option<String> {
    if !segment.contains('~') {
        return Some(segment.to_string());
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// A pointer's segments, unescaped; `Err` says what is wrong with it.
fn parse_pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| "a JSON Pointer starts with `/` (or is empty)".to_string())?;
    rest.split('/')
        .map(|segment| {
            unescape(segment)
                .ok_or_else(|| format!("`~` must be followed by `0` or `1` in segment {segment:?}"))
        })
        .collect()
}

/// The pointer made of these segments.
fn pointer(segments: &[String]) -> String {
    segments
        .iter()
        .fold(String::new(), |path, segment| child(&path, segment))
}
