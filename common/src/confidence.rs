//! The parser's confidence marks across edits. The parser scores fields by
//! JSON path (`work[0].startDate`); once a person moves, adds or deletes
//! entries, those paths point at other entries. [`carry`] moves each mark
//! to where its field now is, and drops the marks of fields that changed
//! (a person who corrected a field has looked at it). The server applies it
//! to every new revision and the terminal client to its unsaved draft, so
//! both show a doubt next to the field it was about.

use std::collections::BTreeMap;

use serde_json::Value;

/// One step of a mark's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `work[0].startDate` as steps; `None` for a path this module does not
/// write (a mark it cannot read is dropped rather than misplaced).
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        if key.is_empty() && out.is_empty() {
            return None;
        }
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            out.push(Step::Index(inner[..close].parse().ok()?));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn spell(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Where the field at `path` in `before` is in `after`: each list index
/// follows its entry (the element of `after` equal to the one it was, the
/// same index first), or stays put when the entry itself was edited; the
/// field's own value must be unchanged.
fn follow(path: &str, before: &Value, after: &Value) -> Option<String> {
    let mut old = before;
    let mut new = after;
    let mut moved = Vec::new();
    for step in steps(path)? {
        match step {
            Step::Key(key) => {
                old = old.get(key)?;
                new = new.get(key)?;
                moved.push(Step::Key(key));
            }
            Step::Index(i) => {
                let was = old.get(i)?;
                let items = new.as_array()?;
                let to = if items.get(i) == Some(was) {
                    i
                } else {
                    items.iter().position(|item| item == was).unwrap_or(i)
                };
                old = was;
                new = items.get(to)?;
                moved.push(Step::Index(to));
            }
        }
    }
    (old == new).then(|| spell(&moved))
}

/// The marks of `before` carried over to `after`: moved with their
/// entries, dropped where the field changed or is gone. Two marks landing
/// on one path keep the lower confidence.
pub fn carry(
    marks: &BTreeMap<String, f32>,
    before: &Value,
    after: &Value,
) -> BTreeMap<String, f32> {
    let mut out: BTreeMap<String, f32> = BTreeMap::new();
    for (path, &score) in marks {
        if let Some(to) = follow(path, before, after) {
            out.entry(to)
                .and_modify(|kept| *kept = kept.min(score))
                .or_insert(score);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn marks(pairs: &[(&str, f32)]) -> BTreeMap<String, f32> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn resume() -> Value {
        json!({
            "basics": {"name": "Ada", "phone": "555"},
            "work": [
                {"name": "Acme", "startDate": "2019", "highlights": ["a", "b"]},
                {"name": "Initech", "startDate": "2021-03"}
            ]
        })
    }

    #[test]
    fn paths_are_read_and_spelled_back() {
        for path in [
            "basics.phone",
            "work[1].startDate",
            "work[0].highlights[1]",
            "skills",
        ] {
            assert_eq!(spell(&steps(path).unwrap()), path);
        }
        for bad in ["", "[0]", "work[x]", "work[1", "work[1]x", ".a"] {
            assert_eq!(steps(bad), None, "{bad}");
        }
    }

    #[test]
    fn unchanged_documents_keep_every_mark() {
        let m = marks(&[("work[1].startDate", 0.4), ("basics.phone", 0.5)]);
        assert_eq!(carry(&m, &resume(), &resume()), m);
    }

    #[test]
    fn marks_follow_moved_and_shifted_entries() {
        let before = resume();
        let mut swapped = before.clone();
        swapped["work"].as_array_mut().unwrap().swap(0, 1);
        let m = marks(&[("work[1].startDate", 0.4), ("work[0].highlights[1]", 0.3)]);
        assert_eq!(
            carry(&m, &before, &swapped),
            marks(&[("work[0].startDate", 0.4), ("work[1].highlights[1]", 0.3)])
        );
        // An entry added in front shifts the others down.
        let mut added = before.clone();
        added["work"]
            .as_array_mut()
            .unwrap()
            .insert(0, json!({"name": "New"}));
        assert_eq!(
            carry(&m, &before, &added),
            marks(&[("work[2].startDate", 0.4), ("work[1].highlights[1]", 0.3)])
        );
        // A bullet moved up inside its entry (the entry changed, so it
        // stays at its index, and the bullet follows inside it).
        let mut bullets = before.clone();
        bullets["work"][0]["highlights"] = json!(["b", "a"]);
        assert_eq!(
            carry(&marks(&[("work[0].highlights[1]", 0.3)]), &before, &bullets),
            marks(&[("work[0].highlights[0]", 0.3)])
        );
    }

    #[test]
    fn corrected_and_deleted_fields_lose_their_marks() {
        let before = resume();
        let m = marks(&[("work[1].startDate", 0.4), ("basics.phone", 0.5)]);
        let mut corrected = before.clone();
        corrected["work"][1]["startDate"] = json!("2021-04");
        corrected["basics"]["phone"] = json!("555 0100");
        assert!(carry(&m, &before, &corrected).is_empty());
        let mut deleted = before.clone();
        deleted["work"].as_array_mut().unwrap().remove(1);
        deleted["basics"].as_object_mut().unwrap().remove("phone");
        assert!(carry(&m, &before, &deleted).is_empty());
        // An edit elsewhere in the entry keeps the mark where it was.
        let mut elsewhere = before.clone();
        elsewhere["work"][1]["name"] = json!("Initech LLC");
        assert_eq!(
            carry(&m, &before, &elsewhere),
            marks(&[("work[1].startDate", 0.4), ("basics.phone", 0.5)])
        );
    }

    #[test]
    fn unreadable_paths_are_dropped_not_misplaced() {
        let m = marks(&[("work[one].name", 0.2), ("nowhere.at.all", 0.2)]);
        assert!(carry(&m, &resume(), &resume()).is_empty());
    }
}
