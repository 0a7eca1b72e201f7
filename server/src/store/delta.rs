//! Revision deltas: how a backend keeps a resume's history without storing
//! every revision whole.
//!
//! The current document is always stored whole (in the resume record); an
//! earlier revision is stored as a [`Delta`] that turns the revision *after*
//! it into it (a reverse delta), so a new edit only writes the change it
//! made: twenty 30-byte PATCHes of a 10 MiB resume used to add 336 MiB.
//! Reading revision `r` starts from the nearest whole document above it and
//! applies the deltas downwards; [`SNAPSHOT_EVERY`] and [`worth_a_delta`]
//! bound that walk and the bytes of a delta that would not save anything.
//!
//! The delta is exact on [`serde_json::Value`] (`null` members, unknown
//! keys, list order): `apply(base, &delta(base, target)) == target` for
//! every pair of values, which the property test below checks over random
//! edit sequences. It is not the diff a person reads (that is
//! `vitae_common::diff`, with word diffs, moves and `before` values): this
//! one is for storage and says only what to write where.
//!
//! - Objects: members set (recursively for objects and lists present on
//!   both sides) and members removed.
//! - Lists: the common prefix and suffix are kept; if what is left has the
//!   same length on both sides, entries are patched in place, otherwise the
//!   middle is replaced (an inserted or removed entry costs that entry).
//! - Anything else, or a change of JSON type: the target value whole.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A revision whose number is a multiple of this is stored whole, so reading
/// any revision applies at most `SNAPSHOT_EVERY - 1` deltas.
pub const SNAPSHOT_EVERY: u64 = 16;

/// How to turn one JSON value (the base) into another (the target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Delta {
    /// The target, whole.
    #[serde(rename = "v")]
    Replace(Value),
    /// Both are objects.
    #[serde(rename = "o")]
    Object {
        /// Members whose value differs or that the base lacks.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        set: BTreeMap<String, Delta>,
        /// Members the target lacks.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// Both are lists.
    #[serde(rename = "l")]
    List {
        /// Entries of the base's middle (after the common prefix) patched in
        /// place, by index in the base.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        patch: BTreeMap<usize, Delta>,
        /// Or: replace `remove` entries from index `at` with `insert`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        splice: Option<Splice>,
    },
}

/// Replace `remove` entries of a list from `at` with `insert`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Splice {
    pub at: usize,
    pub remove: usize,
    pub insert: Vec<Value>,
}

/// Why a delta does not apply to a value: the stored history does not match
/// the document it was made from (a damaged store).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeltaError {
    #[error("the delta is for {expected} but the value is {found}")]
    Shape {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the delta removes list entries {at}..{end} of a list of {len}")]
    OutOfRange { at: usize, end: usize, len: usize },
}

/// The delta that turns `base` into `target`.
pub fn delta(base: &Value, target: &Value) -> Delta {
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => object_delta(b, t),
        (Value::Array(b), Value::Array(t)) => list_delta(b, t),
        _ => Delta::Replace(target.clone()),
    }
}

/// Is storing `delta` (serialised as `delta_bytes`) better than storing the
/// document whole (`whole_bytes`)? A delta that saves less than half is not
/// worth the walk it adds to every read.
pub fn worth_a_delta(delta_bytes: usize, whole_bytes: usize) -> bool {
    delta_bytes * 2 <= whole_bytes
}

fn object_delta(base: &Map<String, Value>, target: &Map<String, Value>) -> Delta {
    let mut set = BTreeMap::new();
    for (key, t) in target {
        match base.get(key) {
            Some(b) if b == t => {}
            Some(b) => {
                set.insert(key.clone(), delta(b, t));
            }
            None => {
                set.insert(key.clone(), Delta::Replace(t.clone()));
            }
        }
    }
    let remove = base
        .keys()
        .filter(|key| !target.contains_key(*key))
        .cloned()
        .collect();
    Delta::Object { set, remove }
}

fn list_delta(base: &[Value], target: &[Value]) -> Delta {
    let prefix = base.iter().zip(target).take_while(|(b, t)| b == t).count();
    let room = base.len().min(target.len()) - prefix;
    let suffix = base
        .iter()
        .rev()
        .zip(target.iter().rev())
        .take(room)
        .take_while(|(b, t)| b == t)
        .count();
    let base_mid = &base[prefix..base.len() - suffix];
    let target_mid = &target[prefix..target.len() - suffix];
    if base_mid.len() == target_mid.len() {
        let patch = base_mid
            .iter()
            .zip(target_mid)
            .enumerate()
            .filter(|(_, (b, t))| b != t)
            .map(|(i, (b, t))| (prefix + i, delta(b, t)))
            .collect();
        Delta::List {
            patch,
            splice: None,
        }
    } else {
        Delta::List {
            patch: BTreeMap::new(),
            splice: Some(Splice {
                at: prefix,
                remove: base_mid.len(),
                insert: target_mid.to_vec(),
            }),
        }
    }
}

/// Apply `delta` to `base`, giving the target it was made for.
pub fn apply(base: Value, delta: &Delta) -> Result<Value, DeltaError> {
    match (base, delta) {
        (_, Delta::Replace(target)) => Ok(target.clone()),
        (Value::Object(mut members), Delta::Object { set, remove }) => {
            for key in remove {
                members.remove(key);
            }
            for (key, change) in set {
                let next = match (members.remove(key), change) {
                    (_, Delta::Replace(v)) => v.clone(),
                    (Some(old), change) => apply(old, change)?,
                    (None, change) => {
                        return Err(DeltaError::Shape {
                            expected: kind_of(change),
                            found: "a missing member",
                        })
                    }
                };
                members.insert(key.clone(), next);
            }
            Ok(Value::Object(members))
        }
        (Value::Array(mut entries), Delta::List { patch, splice }) => {
            for (&index, change) in patch {
                let len = entries.len();
                let slot = entries.get_mut(index).ok_or(DeltaError::OutOfRange {
                    at: index,
                    end: index + 1,
                    len,
                })?;
                *slot = apply(std::mem::take(slot), change)?;
            }
            if let Some(Splice { at, remove, insert }) = splice {
                let end = at + remove;
                if end > entries.len() {
                    return Err(DeltaError::OutOfRange {
                        at: *at,
                        end,
                        len: entries.len(),
                    });
                }
                entries.splice(*at..end, insert.iter().cloned());
            }
            Ok(Value::Array(entries))
        }
        (other, delta) => Err(DeltaError::Shape {
            expected: kind_of(delta),
            found: vitae_common::resume::json_type_name(&other),
        }),
    }
}

fn kind_of(delta: &Delta) -> &'static str {
    match delta {
        Delta::Replace(_) => "any value",
        Delta::Object { .. } => "an object",
        Delta::List { .. } => "a list",
    }
}

#[cfg(test)]
mod tests {
    //! Exactness on chosen cases, then random edit sequences replayed
    //! backwards the way a store reads its history.
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn round_trip(base: Value, target: Value) {
        let d = delta(&base, &target);
        assert_eq!(apply(base, &d).unwrap(), target, "{d:?}");
    }

    #[test]
    fn exact_on_nulls_types_and_lists() {
        round_trip(json!({"a": 1, "b": null}), json!({"a": 1}));
        round_trip(json!({"a": 1}), json!({"a": 1, "b": null}));
        round_trip(json!({"a": [1, 2]}), json!({"a": "two"}));
        round_trip(json!([1, 2, 3, 4]), json!([1, 9, 3, 4]));
        round_trip(json!([1, 2, 3, 4]), json!([1, 4]));
        round_trip(json!([1, 2, 3]), json!([0, 1, 2, 3, 5]));
        round_trip(json!([]), json!([[]]));
        round_trip(json!([1, 1, 1]), json!([1, 1]));
        round_trip(json!("x"), json!(null));
    }

    #[test]
    fn a_small_edit_of_a_big_document_is_a_small_delta() {
        let big: Vec<Value> = (0..2000)
            .map(|i| json!({"name": format!("Company {i}"), "highlights": vec!["did a thing"; 5]}))
            .collect();
        let base = json!({"basics": {"name": "Jane"}, "work": big});
        let mut target = base.clone();
        target["work"][1234]["highlights"][2] = json!("did another thing");
        target["basics"]["label"] = json!("Engineer");
        let d = delta(&base, &target);
        let bytes = serde_json::to_vec(&d).unwrap().len();
        assert!(
            bytes < 200,
            "{bytes} bytes: {}",
            serde_json::to_string(&d).unwrap()
        );
        assert!(worth_a_delta(
            bytes,
            serde_json::to_vec(&target).unwrap().len()
        ));
        assert_eq!(apply(base.clone(), &d).unwrap(), target);
        assert_eq!(
            delta(&base, &base),
            Delta::Object {
                set: BTreeMap::new(),
                remove: vec![]
            }
        );
    }

    #[test]
    fn a_delta_for_another_base_is_an_error_not_a_panic() {
        let d = delta(&json!({"a": [1, 2, 3]}), &json!({"a": [1]}));
        assert!(apply(json!({"a": []}), &d).is_err());
        assert!(apply(json!({"a": "text"}), &d).is_err());
        let d = delta(&json!({"a": {"b": 1}}), &json!({"a": {"b": 2}}));
        assert!(apply(json!({}), &d).is_err());
        let d = delta(&json!([{"x": 1}]), &json!([{"x": 2}]));
        assert!(apply(json!([]), &d).is_err());
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-5i64..5).prop_map(Value::from),
            "[a-c]{0,3}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-d]", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// One random edit: replace the value at a random place with a random
    /// value, remove a member or list entry, or insert a list entry.
    fn edit(doc: &mut Value, path: &[usize], replacement: Value, action: u8) {
        if let Some((&step, rest)) = path.split_first() {
            match doc {
                Value::Object(m) if !m.is_empty() => {
                    let key = m.keys().nth(step % m.len()).unwrap().clone();
                    return edit(m.get_mut(&key).unwrap(), rest, replacement, action);
                }
                Value::Array(v) if !v.is_empty() => {
                    let len = v.len();
                    return edit(&mut v[step % len], rest, replacement, action);
                }
                _ => {}
            }
        }
        match (doc, action % 3) {
            (Value::Object(m), 1) if !m.is_empty() => {
                let key = m.keys().next().unwrap().clone();
                m.remove(&key);
            }
            (Value::Object(m), 2) => {
                m.insert(format!("k{}", m.len()), replacement);
            }
            (Value::Array(v), 1) if !v.is_empty() => {
                v.remove(v.len() / 2);
            }
            (Value::Array(v), 2) => v.insert(v.len() / 2, replacement),
            (slot, _) => *slot = replacement,
        }
    }

    proptest! {
        /// A history of random edits stored as reverse deltas from the
        /// newest document reads back every revision exactly.
        #[test]
        fn every_revision_of_a_random_history_reads_back(
            start in value(),
            edits in prop::collection::vec(
                (prop::collection::vec(0usize..8, 0..4), value(), any::<u8>()),
                1..12,
            ),
        ) {
            let mut revisions = vec![json!({"doc": start})];
            for (path, replacement, action) in edits {
                let mut next = revisions.last().unwrap().clone();
                edit(&mut next, &path, replacement, action);
                revisions.push(next);
            }
            let deltas: Vec<Delta> = revisions
                .windows(2)
                .map(|pair| delta(&pair[1], &pair[0]))
                .collect();
            let mut doc = revisions.last().unwrap().clone();
            for (i, d) in deltas.iter().enumerate().rev() {
                doc = apply(doc, d).unwrap();
                prop_assert_eq!(&doc, &revisions[i]);
            }
            let stored = serde_json::to_vec(&deltas).unwrap();
            let back: Vec<Delta> = serde_json::from_slice(&stored).unwrap();
            prop_assert_eq!(back, deltas);
        }
    }
}
