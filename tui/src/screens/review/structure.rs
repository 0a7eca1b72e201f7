//! Structural edits of the review screen's draft document: which entry and
//! which list item a row belongs to ([`entry_of`], [`item_of`]), and
//! adding, deleting and moving entries and list items. These change the
//! draft only; the screen keeps an undo stack of drafts and sends the
//! difference from the server's version as one merge patch
//! ([`super::patch::diff`]) when the user saves.

use serde_json::{Map, Value};
use vitae_common::schema::{self, Section, PROFILES};

use super::document::{member, Seg};

/// A place in a list: the list's path and an index in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Slot {
    pub(super) list: Vec<Seg>,
    pub(super) index: usize,
}

impl Slot {
    pub(super) fn path(&self) -> Vec<Seg> {
        let mut path = self.list.clone();
        path.push(Seg::Index(self.index));
        path
    }

    pub(super) fn at(&self, index: usize) -> Slot {
        Slot {
            list: self.list.clone(),
            index,
        }
    }
}

/// The entry a row belongs to: `work[2].highlights[0]` is in `work[2]`,
/// `basics.profiles[1].url` in `basics.profiles[1]`.
pub(super) fn entry_of(path: &[Seg]) -> Option<Slot> {
    match path {
        [Seg::Key(b), Seg::Key(p), Seg::Index(i), ..] if b == "basics" && p == "profiles" => {
            Some(Slot {
                list: vec![member("basics"), member("profiles")],
                index: *i,
            })
        }
        [Seg::Key(s), Seg::Index(i), ..] if schema::section(s).is_some() => Some(Slot {
            list: vec![member(s)],
            index: *i,
        }),
        _ => None,
    }
}

/// The list item a row is: `work[2].highlights[0]` is item 0 of
/// `work[2].highlights`. An entry itself is not an item.
pub(super) fn item_of(path: &[Seg]) -> Option<Slot> {
    let (Seg::Index(i), list) = path.split_last()? else {
        return None;
    };
    let entry_len = entry_of(path).map_or(0, |e| e.list.len() + 1);
    (list.len() > entry_len && matches!(list.last(), Some(Seg::Key(_)))).then(|| Slot {
        list: list.to_vec(),
        index: *i,
    })
}

/// The schema of the list an entry lives in (`work`, `basics.profiles`).
pub(super) fn section_of(list: &[Seg]) -> Option<&'static Section> {
    match list {
        [Seg::Key(b), Seg::Key(p)] if b == "basics" && p == "profiles" => Some(&PROFILES),
        [Seg::Key(s)] => schema::section(s),
        _ => None,
    }
}

/// The first text member of a new entry, the one its editor opens on.
pub(super) fn first_text_field(section: &Section) -> Option<&'static str> {
    section.fields.iter().find(|f| !f.is_list()).map(|f| f.key)
}

/// The list members an entry of `section` can have (`highlights`,
/// `keywords`, `courses`, `roles`).
pub(super) fn list_fields(section: &Section) -> Vec<&'static str> {
    section
        .fields
        .iter()
        .filter(|f| f.is_list())
        .map(|f| f.key)
        .collect()
}

/// The array at `path`; with `create`, the objects on the way and the
/// array itself are made when absent (a new job's first highlight).
fn list_mut<'a>(node: &'a mut Value, path: &[Seg], create: bool) -> Option<&'a mut Vec<Value>> {
    let Some((first, rest)) = path.split_first() else {
        if create && node.is_null() {
            *node = Value::Array(Vec::new());
        }
        return node.as_array_mut();
    };
    if create && node.is_null() {
        *node = Value::Object(Map::new());
    }
    let child = match (first, node) {
        (Seg::Key(k), Value::Object(map)) => {
            if create && !map.contains_key(k) {
                map.insert(k.clone(), Value::Null);
            }
            map.get_mut(k)?
        }
        (Seg::Index(i), Value::Array(items)) => items.get_mut(*i)?,
        _ => return None,
    };
    list_mut(child, rest, create)
}

/// Insert `value` at `slot` (the list is made when absent). Whether it could.
pub(super) fn insert(doc: &mut Value, slot: &Slot, value: Value) -> bool {
    match list_mut(doc, &slot.list, true) {
        Some(items) if slot.index <= items.len() => {
            items.insert(slot.index, value);
            true
        }
        _ => false,
    }
}

/// Remove what is at `slot`, returning it.
pub(super) fn remove(doc: &mut Value, slot: &Slot) -> Option<Value> {
    let items = list_mut(doc, &slot.list, false)?;
    (slot.index < items.len()).then(|| items.remove(slot.index))
}

/// Swap what is at `slot` with its neighbour above (`up`) or below; the
/// slot it moved to, `None` at either end.
pub(super) fn shift(doc: &mut Value, slot: &Slot, up: bool) -> Option<Slot> {
    let items = list_mut(doc, &slot.list, false)?;
    let to = if up {
        slot.index.checked_sub(1)?
    } else {
        slot.index + 1
    };
    if to >= items.len() || slot.index >= items.len() {
        return None;
    }
    items.swap(slot.index, to);
    Some(slot.at(to))
}

/// The value at `path`, if any.
pub(super) fn value_at<'a>(doc: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |node, seg| match seg {
        Seg::Key(k) => node.get(k),
        Seg::Index(i) => node.get(*i),
    })
}

/// Whether the list at `path` is absent or empty (a section to offer).
pub(super) fn lacks(doc: &Value, path: &[Seg]) -> bool {
    value_at(doc, path)
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
}
