//! Replaying a diff on its before document, which both checks the diff
//! engine (the property tests rebuild every after document this way) and lets
//! a client that holds one revision reconstruct the other.
//!
//! `apply` is strict: every `before` value the diff carries must match the
//! document, and changes that contradict each other are refused, so a diff
//! applied to the wrong base fails with the path that disagrees instead of
//! producing a plausible-looking wrong document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{parse_pointer, pointer, Change, ChangeKind, Diff};
use crate::resume::json_type_name;

/// Why a diff does not apply to a document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplyError {
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("{path}: the document has no value there")]
    NotFound { path: String },
    #[error("{path}: cannot descend into {found}")]
    NotAContainer { path: String, found: &'static str },
    #[error("{path}: index {index} is out of range for a list of {len}")]
    OutOfRange {
        path: String,
        index: usize,
        len: usize,
    },
    #[error("{path}: the diff expects {expected}, the document has {found}")]
    Mismatch {
        path: String,
        expected: String,
        found: String,
    },
    #[error("{path}: cannot add, the document already has {found}")]
    AlreadyExists { path: String, found: String },
    #[error("{path}: {reason}")]
    Conflict { path: String, reason: String },
}

/// Apply `diff` to `before`, giving the after document.
///
/// Paths follow the rule in the module docs: after-document indices
/// everywhere except the last segment of a removed list entry.
pub fn apply(before: &Value, diff: &Diff) -> Result<Value, ApplyError> {
    let parsed = diff
        .changes
        .iter()
        .map(|change| {
            parse_pointer(&change.path)
                .map(|segments| Parsed { segments, change })
                .map_err(|reason| ApplyError::InvalidPath {
                    path: change.path.clone(),
                    reason,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Parsed> = parsed.iter().collect();
    build(before, &refs, 0)
}

struct Parsed<'a> {
    segments: Vec<String>,
    change: &'a Change,
}

impl Parsed<'_> {
    fn path(&self) -> String {
        self.change.path.clone()
    }

    /// A change that adds, removes or moves the value at its path, handled by
    /// the container; `changed` replaces the value and is handled by it.
    fn is_structural(&self) -> bool {
        self.change.kind != ChangeKind::Changed
    }
}

/// The value at depth `depth` after `changes`, all of whose paths pass
/// through it.
fn build(before: &Value, changes: &[&Parsed], depth: usize) -> Result<Value, ApplyError> {
    let (own, inner): (Vec<&Parsed>, Vec<&Parsed>) =
        changes.iter().partition(|p| p.segments.len() == depth);
    if let Some(first) = own.first() {
        let here = first.path();
        if own.len() > 1 {
            return Err(conflict(&here, "more than one change targets this value"));
        }
        if first.is_structural() {
            return Err(conflict(
                &here,
                &format!(
                    "a `{}` change cannot target the document root",
                    first.change.kind
                ),
            ));
        }
        if !inner.is_empty() {
            return Err(conflict(
                &here,
                "the value is replaced and also changed inside",
            ));
        }
        check_before(&here, first.change.before.as_ref(), before)?;
        return Ok(first.change.after.clone().unwrap_or(Value::Null));
    }
    if inner.is_empty() {
        return Ok(before.clone());
    }
    match before {
        Value::Object(map) => build_object(map, &inner, depth),
        Value::Array(items) => build_list(items, &inner, depth),
        other => Err(ApplyError::NotAContainer {
            path: pointer(&inner[0].segments[..depth]),
            found: json_type_name(other),
        }),
    }
}

fn build_object(
    map: &Map<String, Value>,
    changes: &[&Parsed],
    depth: usize,
) -> Result<Value, ApplyError> {
    let mut groups: BTreeMap<&str, Vec<&Parsed>> = BTreeMap::new();
    for p in changes {
        groups
            .entry(p.segments[depth].as_str())
            .or_default()
            .push(*p);
    }
    let mut out = Map::new();
    for (key, value) in map {
        match groups.remove(key.as_str()) {
            None => {
                out.insert(key.clone(), value.clone());
            }
            Some(group) => {
                if let Some(result) = build_member(Some(value), &group, depth)? {
                    out.insert(key.clone(), result);
                }
            }
        }
    }
    for (key, group) in groups {
        if let Some(result) = build_member(None, &group, depth)? {
            out.insert(key.to_string(), result);
        }
    }
    Ok(Value::Object(out))
}

/// The new value of one object member (`None`: the member is gone).
fn build_member(
    existing: Option<&Value>,
    group: &[&Parsed],
    depth: usize,
) -> Result<Option<Value>, ApplyError> {
    let (structural, rest): (Vec<&Parsed>, Vec<&Parsed>) = group
        .iter()
        .partition(|p| p.segments.len() == depth + 1 && p.is_structural());
    let Some(first) = structural.first() else {
        let here = pointer(&group[0].segments[..=depth]);
        let value = existing.ok_or(ApplyError::NotFound { path: here })?;
        return build(value, &rest, depth + 1).map(Some);
    };
    let here = first.path();
    if structural.len() > 1 {
        return Err(conflict(&here, "more than one change targets this value"));
    }
    if !rest.is_empty() {
        return Err(conflict(
            &here,
            &format!("the value is {} and also changed", first.change.kind),
        ));
    }
    let present = existing.filter(|v| !v.is_null());
    match first.change.kind {
        ChangeKind::Removed => {
            let value = present.ok_or(ApplyError::NotFound { path: here.clone() })?;
            check_before(&here, first.change.before.as_ref(), value)?;
            Ok(None)
        }
        ChangeKind::Added => {
            if let Some(value) = present {
                return Err(ApplyError::AlreadyExists {
                    path: here,
                    found: preview(value),
                });
            }
            Ok(Some(first.change.after.clone().unwrap_or(Value::Null)))
        }
        ChangeKind::Moved => Err(conflict(
            &here,
            "`moved` applies to list entries, not object members",
        )),
        ChangeKind::Changed => Err(conflict(&here, "internal: `changed` is not structural")),
    }
}

fn build_list(items: &[Value], changes: &[&Parsed], depth: usize) -> Result<Value, ApplyError> {
    let len = items.len();
    let mut removed: BTreeMap<usize, &Parsed> = BTreeMap::new();
    let mut added: BTreeMap<usize, &Parsed> = BTreeMap::new();
    let mut moved: BTreeMap<usize, (usize, &Parsed)> = BTreeMap::new();
    let mut moved_from: BTreeSet<usize> = BTreeSet::new();
    let mut inner: BTreeMap<usize, Vec<&Parsed>> = BTreeMap::new();
    for p in changes {
        let index = list_index(p, depth)?;
        let here = p.path();
        if p.segments.len() > depth + 1 || !p.is_structural() {
            inner.entry(index).or_default().push(*p);
            continue;
        }
        let duplicate = match p.change.kind {
            ChangeKind::Removed => {
                if index >= len {
                    return Err(ApplyError::OutOfRange {
                        path: here,
                        index,
                        len,
                    });
                }
                removed.insert(index, *p).is_some()
            }
            ChangeKind::Added => added.insert(index, *p).is_some(),
            ChangeKind::Moved => {
                let source = moved_source(p, depth, len)?;
                if !moved_from.insert(source) {
                    return Err(conflict(&here, "two entries are moved from the same place"));
                }
                moved.insert(index, (source, *p)).is_some()
            }
            ChangeKind::Changed => false,
        };
        if duplicate {
            return Err(conflict(&here, "more than one change targets this value"));
        }
    }
    if let Some(source) = moved_from.iter().find(|s| removed.contains_key(s)) {
        let p = removed[source];
        return Err(conflict(&p.path(), "the entry is both removed and moved"));
    }
    if let Some(index) = added.keys().find(|j| moved.contains_key(j)) {
        return Err(conflict(
            &added[index].path(),
            "the entry is both added and moved",
        ));
    }
    if let Some(index) = inner.keys().find(|j| added.contains_key(j)) {
        return Err(conflict(
            &inner[index][0].path(),
            "the entry is added and also changed",
        ));
    }
    let new_len = len - removed.len() + added.len();
    let out_of_range = added
        .iter()
        .chain(moved.iter().map(|(j, (_, p))| (j, p)))
        .chain(inner.iter().map(|(j, group)| (j, &group[0])))
        .find(|(j, _)| **j >= new_len);
    if let Some((index, p)) = out_of_range {
        return Err(ApplyError::OutOfRange {
            path: p.path(),
            index: *index,
            len: new_len,
        });
    }
    for (index, p) in &removed {
        check_before(&p.path(), p.change.before.as_ref(), &items[*index])?;
    }

    // Entries that were neither removed nor moved keep their relative order
    // and fill, in turn, the after positions nothing else claims.
    let mut stayed = (0..len).filter(|i| !removed.contains_key(i) && !moved_from.contains(i));
    let mut out = Vec::with_capacity(new_len);
    for j in 0..new_len {
        if let Some(p) = added.get(&j) {
            out.push(p.change.after.clone().unwrap_or(Value::Null));
            continue;
        }
        let source = match moved.get(&j) {
            Some((source, p)) => {
                check_before(&p.path(), p.change.before.as_ref(), &items[*source])?;
                *source
            }
            None => stayed.next().ok_or_else(|| {
                conflict(
                    &pointer(&changes[0].segments[..depth]),
                    "the list changes do not add up",
                )
            })?,
        };
        out.push(match inner.get(&j) {
            Some(group) => build(&items[source], group, depth + 1)?,
            None => items[source].clone(),
        });
    }
    Ok(Value::Array(out))
}

/// The list index at `depth` of a change's path.
fn list_index(p: &Parsed, depth: usize) -> Result<usize, ApplyError> {
    let segment = &p.segments[depth];
    parse_index(segment).ok_or_else(|| ApplyError::InvalidPath {
        path: p.path(),
        reason: format!("segment {segment:?} is not a list index"),
    })
}

/// A list index as RFC 6901 writes it: digits, no leading zero.
fn parse_index(segment: &str) -> Option<usize> {
    let canonical = segment == "0" || (!segment.starts_with('0') && !segment.is_empty());
    if !canonical || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

/// The before index a `moved` change takes its entry from.
fn moved_source(p: &Parsed, depth: usize, len: usize) -> Result<usize, ApplyError> {
    let here = p.path();
    let from = p
        .change
        .from
        .as_deref()
        .ok_or_else(|| conflict(&here, "a `moved` change needs `from`"))?;
    let segments = parse_pointer(from).map_err(|reason| ApplyError::InvalidPath {
        path: from.to_string(),
        reason,
    })?;
    if segments.len() != depth + 1 {
        return Err(ApplyError::InvalidPath {
            path: from.to_string(),
            reason: format!("`from` must have the same depth as {here}"),
        });
    }
    let index = parse_index(&segments[depth]).ok_or_else(|| ApplyError::InvalidPath {
        path: from.to_string(),
        reason: format!("segment {:?} is not a list index", segments[depth]),
    })?;
    if index >= len {
        return Err(ApplyError::OutOfRange {
            path: from.to_string(),
            index,
            len,
        });
    }
    Ok(index)
}

/// The document must hold what the diff says was there (`None` is `null`,
/// which is how a serialised diff carries an absent value).
fn check_before(path: &str, expected: Option<&Value>, found: &Value) -> Result<(), ApplyError> {
    let matches = match expected {
        Some(expected) => expected == found,
        None => found.is_null(),
    };
    if matches {
        Ok(())
    } else {
        Err(ApplyError::Mismatch {
            path: path.to_string(),
            expected: expected.map_or_else(|| "null".to_string(), preview),
            found: preview(found),
        })
    }
}

fn conflict(path: &str, reason: &str) -> ApplyError {
    ApplyError::Conflict {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

/// Compact JSON for an error message, cut to a readable length.
fn preview(value: &Value) -> String {
    const LIMIT: usize = 80;
    let text = value.to_string();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
