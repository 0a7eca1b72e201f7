//! Turning one field edit into what is sent: the document with the change
//! applied ([`set_path`]) and the JSON Merge Patch (RFC 7396) of it
//! ([`merge_patch`]), which the screen sends with `If-Match`.

use serde_json::{Map, Value};

use super::document::Seg;

/// Set (or with `None` remove) the text at `path`, creating the objects on
/// the way (a resume without `basics` gets one). Whether it could.
pub(super) fn set_path(node: &mut Value, path: &[Seg], new: Option<&str>) -> bool {
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
pub(super) fn merge_patch(after: &Value, path: &[Seg], new: Option<&str>) -> Option<Value> {
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

/// The JSON Merge Patch (RFC 7396) that turns `before` into `after`, for a
/// draft of several changes saved at once: objects nest and carry only the
/// members that changed, a member gone is `null`, and anything else (a
/// list, a text) goes whole, since a merge patch cannot say "insert" or
/// "move" in a list. `None` when nothing changed.
pub(super) fn diff(before: &Value, after: &Value) -> Option<Value> {
    if before == after {
        return None;
    }
    let (Value::Object(old), Value::Object(new)) = (before, after) else {
        return Some(after.clone());
    };
    let mut out = Map::new();
    for (k, value) in new {
        match old.get(k) {
            Some(was) => {
                if let Some(change) = diff(was, value) {
                    out.insert(k.clone(), change);
                }
            }
            None => {
                out.insert(k.clone(), value.clone());
            }
        }
    }
    for k in old.keys().filter(|k| !new.contains_key(*k)) {
        out.insert(k.clone(), Value::Null);
    }
    Some(Value::Object(out))
}
