//! Tests of the diff engine: worked examples of each rule in the module docs,
//! then property tests that rebuild random after documents with `apply`.

use serde_json::{json, Map, Value};

use super::*;

fn sample() -> Value {
    json!({
        "basics": {
            "name": "Ada Lovelace",
            "label": "Engineer",
            "email": "ada@example.com",
            "summary": "Engineer who builds reliable data pipelines and mentors teams.",
            "location": {"city": "London", "countryCode": "GB"},
            "profiles": [
                {"network": "GitHub", "username": "ada"},
                {"network": "LinkedIn", "username": "ada-l"}
            ]
        },
        "work": [
            {"name": "Acme", "position": "Senior Engineer", "startDate": "2021-01",
             "highlights": ["Led a team of five engineers building the payments API",
                            "Cut p99 latency by 40%"]},
            {"name": "Globex", "position": "Engineer", "startDate": "2018-03",
             "endDate": "2020-12", "highlights": ["Built the billing system in Rust"]},
            {"name": "Initech", "position": "Intern", "startDate": "2017-06",
             "endDate": "2017-09"}
        ],
        "education": [
            {"institution": "University of London", "area": "Mathematics", "studyType": "BSc"},
            {"institution": "Open University", "area": "Computing", "studyType": "MSc"}
        ],
        "skills": [
            {"name": "Rust", "keywords": ["tokio", "serde"]},
            {"name": "Python", "keywords": ["pandas"]},
            {"name": "SQL"}
        ],
        "meta": {"version": "v1.0.0"}
    })
}

/// Drop object members that are `null`, the one difference the diff does not
/// carry.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        other => other.clone(),
    }
}

/// Everything a diff of `before` into `after` must satisfy, whatever the
/// documents: it applies (also after a trip through JSON), its summary counts
/// its changes, moves say where from, and word ops reassemble both strings.
fn check(before: &Value, after: &Value) -> Result<Diff, String> {
    let d = diff_values(before, after);
    let rebuilt = apply(before, &d).map_err(|e| format!("apply failed: {e}\n{d:#?}"))?;
    if normalise(&rebuilt) != normalise(after) {
        return Err(format!(
            "apply gave\n{rebuilt:#}\nexpected\n{after:#}\ndiff {d:#?}"
        ));
    }
    let wire = serde_json::to_string(&d).map_err(|e| e.to_string())?;
    let parsed: Diff = serde_json::from_str(&wire).map_err(|e| e.to_string())?;
    let rebuilt = apply(before, &parsed).map_err(|e| format!("apply after JSON: {e}"))?;
    if normalise(&rebuilt) != normalise(after) {
        return Err("apply after a JSON round trip differs".into());
    }
    let mut total = Counts::default();
    let mut sections: BTreeMap<String, Counts> = BTreeMap::new();
    for change in &d.changes {
        total.count(change.kind);
        sections
            .entry(change.section())
            .or_default()
            .count(change.kind);
        if (change.kind == ChangeKind::Moved) != change.from.is_some() {
            return Err(format!("`from` must come with moves only: {change:?}"));
        }
        if !change.words.is_empty() {
            let side = |keep: WordOpKind| -> String {
                change
                    .words
                    .iter()
                    .filter(|w| w.op == WordOpKind::Equal || w.op == keep)
                    .map(|w| w.text.as_str())
                    .collect()
            };
            if change.before.as_ref().and_then(Value::as_str) != Some(&side(WordOpKind::Delete))
                || change.after.as_ref().and_then(Value::as_str) != Some(&side(WordOpKind::Insert))
            {
                return Err(format!("word ops do not reassemble: {change:?}"));
            }
        }
    }
    if d.summary.total != total || d.summary.sections != sections {
        return Err(format!(
            "summary does not count the changes: {:?}",
            d.summary
        ));
    }
    if total.total() as usize != d.changes.len() {
        return Err("total() is not the number of changes".into());
    }
    Ok(d)
}

fn diff_ok(before: &Value, after: &Value) -> Diff {
    match check(before, after) {
        Ok(d) => d,
        Err(message) => panic!("{message}"),
    }
}

fn kinds(d: &Diff) -> Vec<(ChangeKind, &str)> {
    d.changes
        .iter()
        .map(|c| (c.kind, c.path.as_str()))
        .collect()
}

fn edit(mut doc: Value, pointer: &str, f: impl FnOnce(&mut Value)) -> Value {
    match doc.pointer_mut(pointer) {
        Some(target) => f(target),
        None => panic!("no {pointer} in the test document"),
    }
    doc
}

fn list(doc: &mut Value) -> &mut Vec<Value> {
    match doc {
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

#[test]
fn identical_documents_have_no_changes() {
    let d = diff_ok(&sample(), &sample());
    assert!(d.is_empty());
    assert_eq!(d.summary, Summary::default());
    assert_eq!(d.summary.describe(), "no changes");
    let resume = Resume::from_value(sample()).expect("sample is a resume");
    assert!(diff(&resume, &resume).is_empty());
}

#[test]
fn reordered_work_shows_only_moves() {
    let after = edit(sample(), "/work", |w| list(w).reverse());
    let d = diff_ok(&sample(), &after);
    assert!(
        d.changes.iter().all(|c| c.kind == ChangeKind::Moved),
        "{d:#?}"
    );
    assert_eq!(d.changes.len(), 2, "three entries reversed: two moved");
    let moved = &d.changes[0];
    assert_eq!(moved.path, "/work/0");
    assert_eq!(moved.from.as_deref(), Some("/work/2"));
    assert_eq!(moved.before, moved.after);
    assert_eq!(moved.after.as_ref(), sample().pointer("/work/2"));
    assert_eq!(d.summary.describe(), "work: 2 moved");
}

#[test]
fn an_entry_inserted_at_the_top_moves_nothing() {
    let job = json!({"name": "Hooli", "position": "Staff Engineer", "startDate": "2024-01"});
    let after = edit(sample(), "/work", |w| list(w).insert(0, job.clone()));
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Added, "/work/0")]);
    assert_eq!(d.changes[0].before, None);
    assert_eq!(d.changes[0].after, Some(job));
}

#[test]
fn a_changed_job_title_is_a_change_of_the_position() {
    let after = edit(sample(), "/work/1/position", |p| {
        *p = json!("Staff Engineer")
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "/work/1/position")]);
    assert_eq!(d.changes[0].before, Some(json!("Engineer")));
    assert_eq!(d.changes[0].after, Some(json!("Staff Engineer")));
    assert!(d.changes[0].words.is_empty(), "two words need no word ops");
}

#[test]
fn a_changed_company_with_the_same_details_is_a_change_of_the_name() {
    let after = edit(sample(), "/work/1/name", |p| {
        *p = json!("Globex Corporation")
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "/work/1/name")]);
}

#[test]
fn an_edited_highlight_carries_word_ops() {
    let after = edit(sample(), "/work/0/highlights/0", |h| {
        *h = json!("Led a team of eight engineers building the payments and billing APIs")
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "/work/0/highlights/0")]);
    let words = &d.changes[0].words;
    assert_eq!(words[0], WordOp::new(WordOpKind::Equal, "Led a team of "));
    assert_eq!(words[1], WordOp::new(WordOpKind::Delete, "five"));
    assert_eq!(words[2], WordOp::new(WordOpKind::Insert, "eight"));
    assert!(words.windows(2).all(|w| w[0].op != w[1].op), "{words:?}");
}

#[test]
fn unrelated_highlights_are_added_and_removed() {
    let after = edit(sample(), "/work/0/highlights/1", |h| {
        *h = json!("Mentored four new hires")
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Removed, "/work/0/highlights/1"),
            (ChangeKind::Added, "/work/0/highlights/1"),
        ]
    );
}

#[test]
fn reordered_skills_show_one_move() {
    let after = edit(sample(), "/skills", |s| list(s).rotate_right(1));
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Moved, "/skills/0")]);
    assert_eq!(d.changes[0].from.as_deref(), Some("/skills/2"));
}

#[test]
fn a_similar_keyword_is_changed_not_replaced() {
    let before = json!({"skills": [{"name": "Databases", "keywords": ["Postgres", "Redis"]}]});
    let after = json!({"skills": [{"name": "Databases", "keywords": ["PostgreSQL", "Redis"]}]});
    let d = diff_ok(&before, &after);
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "/skills/0/keywords/0")]);
}

#[test]
fn removed_education_is_reported_with_its_value() {
    let after = edit(sample(), "/education", |e| {
        list(e).remove(0);
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Removed, "/education/0")]);
    assert_eq!(
        d.changes[0].before.as_ref(),
        sample().pointer("/education/0")
    );
    assert_eq!(d.changes[0].after, None);
}

#[test]
fn removals_use_before_indices_under_after_prefixes() {
    let before = json!({"work": [
        {"name": "A", "highlights": ["one"]},
        {"name": "B", "highlights": ["alpha", "beta", "gamma"]}
    ]});
    let after = json!({"work": [
        {"name": "New"},
        {"name": "A", "highlights": ["one"]},
        {"name": "B", "highlights": ["alpha", "gamma"]}
    ]});
    let d = diff_ok(&before, &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Added, "/work/0"),
            (ChangeKind::Removed, "/work/2/highlights/1"),
        ]
    );
}

#[test]
fn a_moved_entry_that_changed_gets_both() {
    let after = edit(sample(), "/work", |w| {
        let items = list(w);
        items.rotate_left(1);
        items[2]["position"] = json!("Lead Engineer");
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Moved, "/work/2"),
            (ChangeKind::Changed, "/work/2/position"),
        ]
    );
    assert_eq!(d.changes[0].from.as_deref(), Some("/work/0"));
}

#[test]
fn duplicates_are_matched_in_order() {
    let before = json!({"x": ["same", "other", "same"]});
    let after = json!({"x": ["other", "same"]});
    let d = diff_ok(&before, &after);
    assert_eq!(kinds(&d), [(ChangeKind::Removed, "/x/0")]);
}

#[test]
fn profiles_align_by_network() {
    let after = edit(sample(), "/basics/profiles", |p| {
        let items = list(p);
        items.swap(0, 1);
        items[1]["username"] = json!("ada-lovelace");
    });
    let d = diff_ok(&sample(), &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Moved, "/basics/profiles/0"),
            (ChangeKind::Changed, "/basics/profiles/1/username"),
        ]
    );
}

#[test]
fn unknown_keys_are_compared_too() {
    let mut after = sample();
    after["basics"]["x-pronouns"] = json!("she/her");
    after["meta"]["version"] = json!("v1.1.0");
    after["work"][0]["tags"] = json!(["remote"]);
    after["x/odd~key"] = json!(1);
    let d = diff_ok(&sample(), &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Added, "/basics/x-pronouns"),
            (ChangeKind::Added, "/work/0/tags"),
            (ChangeKind::Changed, "/meta/version"),
            (ChangeKind::Added, "/x~1odd~0key"),
        ]
    );
    assert_eq!(d.changes[3].section(), "x/odd~key");
}

#[test]
fn a_type_change_is_one_change() {
    let after = edit(sample(), "/basics/location", |l| *l = json!("London, UK"));
    let d = diff_ok(&sample(), &after);
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "/basics/location")]);
    assert_eq!(d.changes[0].after, Some(json!("London, UK")));

    let d = diff_ok(&json!({"a": 1}), &json!([1]));
    assert_eq!(kinds(&d), [(ChangeKind::Changed, "")]);
    assert_eq!(d.summary.describe(), "document: 1 changed");
}

#[test]
fn null_and_missing_are_the_same() {
    let before = json!({"basics": {"name": "Ada", "url": null}});
    let after = json!({"basics": {"name": "Ada"}, "work": null});
    assert!(diff_ok(&before, &after).is_empty());
    let d = diff_ok(
        &before,
        &json!({"basics": {"name": "Ada", "url": "https://ada.dev"}}),
    );
    assert_eq!(kinds(&d), [(ChangeKind::Added, "/basics/url")]);
}

#[test]
fn changes_follow_document_order() {
    let mut after = sample();
    after["meta"]["version"] = json!("2");
    after["skills"][0]["name"] = json!("Rust (expert)");
    after["work"][0]["startDate"] = json!("2020-12");
    after["work"][0]["name"] = json!("Acme Inc");
    after["basics"]["email"] = json!("ada@lovelace.dev");
    let d = diff_ok(&sample(), &after);
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/basics/email",
            "/work/0/name",
            "/work/0/startDate",
            "/skills/0/name",
            "/meta/version",
        ]
    );
}

#[test]
fn summary_counts_and_describes() {
    let mut after = sample();
    after["basics"]["label"] = json!("Principal Engineer");
    list(&mut after["work"]).push(json!({"name": "Hooli"}));
    after["work"][1]["endDate"] = json!("2021-01");
    after["work"][0]["highlights"][1] = json!("Cut p99 latency by 45%");
    let d = diff_ok(&sample(), &after);
    assert_eq!(d.summary.total.changed, 3);
    assert_eq!(d.summary.total.added, 1);
    assert_eq!(d.summary.total.total(), 4);
    let work = &d.summary.sections["work"];
    assert_eq!((work.added, work.changed), (1, 2));
    assert_eq!(
        d.summary.describe(),
        "basics: 1 changed; work: 1 added, 2 changed"
    );
}

#[test]
fn unknown_lists_of_objects_align_by_value_then_similarity() {
    let before = json!({"x-talks": [
        {"title": "Rust at scale", "year": 2020, "venue": "RustConf"},
        {"title": "Typed JSON", "year": 2021, "venue": "JSConf"}
    ]});
    let after = json!({"x-talks": [
        {"title": "New talk", "year": 2024},
        {"title": "Rust at scale", "year": 2020, "venue": "RustConf"},
        {"title": "Typed JSON", "year": 2022, "venue": "JSConf"}
    ]});
    let d = diff_ok(&before, &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Added, "/x-talks/0"),
            (ChangeKind::Changed, "/x-talks/2/year"),
        ]
    );
}

#[test]
fn the_typed_wrapper_diffs_resumes() {
    let before = Resume::from_value(sample()).expect("sample is a resume");
    let mut after = before.clone();
    after.work[2].position = Some("Summer Intern".into());
    after.extra.insert("x-note".into(), json!("hi"));
    let d = diff(&before, &after);
    assert_eq!(
        kinds(&d),
        [
            (ChangeKind::Changed, "/work/2/position"),
            (ChangeKind::Added, "/x-note"),
        ]
    );
}

#[test]
fn changes_serialise_to_the_documented_shape() {
    let mut after = edit(sample(), "/work", |w| list(w).rotate_left(1));
    after["basics"]["phone"] = json!("555");
    let d = diff_ok(&sample(), &after);
    let wire = serde_json::to_value(&d).expect("a diff serialises");
    assert_eq!(
        wire["changes"][0],
        json!({"path": "/basics/phone", "kind": "added", "before": null, "after": "555"})
    );
    assert_eq!(wire["changes"][1]["kind"], "moved");
    assert_eq!(wire["changes"][1]["from"], "/work/0");
    assert_eq!(
        wire["summary"]["sections"]["work"],
        json!({"added": 0, "removed": 0, "changed": 0, "moved": 1})
    );
    let back: Diff = serde_json::from_value(wire).expect("a diff deserialises");
    assert_eq!(back, d);
}

#[test]
fn word_diff_merges_and_preserves_whitespace() {
    assert_eq!(
        word_diff("led a team of 5", "led a team of 7 engineers"),
        [
            WordOp::new(WordOpKind::Equal, "led a team of "),
            WordOp::new(WordOpKind::Delete, "5"),
            WordOp::new(WordOpKind::Insert, "7 engineers"),
        ]
    );
    assert_eq!(
        word_diff("one two three", "uno dos three"),
        [
            WordOp::new(WordOpKind::Delete, "one two"),
            WordOp::new(WordOpKind::Insert, "uno dos"),
            WordOp::new(WordOpKind::Equal, " three"),
        ]
    );
    let ops = word_diff(" a  b\n", "a b");
    let side = |keep: WordOpKind| -> String {
        ops.iter()
            .filter(|w| w.op == WordOpKind::Equal || w.op == keep)
            .map(|w| w.text.as_str())
            .collect()
    };
    assert_eq!(side(WordOpKind::Delete), " a  b\n");
    assert_eq!(side(WordOpKind::Insert), "a b");
    assert_eq!(word_diff("", ""), []);
    assert_eq!(
        word_diff("same", "same"),
        [WordOp::new(WordOpKind::Equal, "same")]
    );
}

#[test]
fn long_lists_stay_fast_and_exact() {
    let before: Vec<Value> = (0..600).map(|i| json!(format!("item {i}"))).collect();
    let mut after = before.clone();
    after.reverse();
    after.insert(300, json!("item new"));
    let d = diff_ok(&json!({"x": before}), &json!({"x": after}));
    assert_eq!(d.summary.total.added, 1);
    assert_eq!(d.summary.total.moved, 599);

    let long = "word ".repeat(5000);
    let ops = word_diff(&long, &format!("{long}end"));
    assert_eq!(ops.last(), Some(&WordOp::new(WordOpKind::Insert, "end")));
}

#[test]
fn apply_refuses_the_wrong_base() {
    let after = edit(sample(), "/work/1/position", |p| {
        *p = json!("Staff Engineer")
    });
    let d = diff_ok(&sample(), &after);
    let other = edit(sample(), "/work/1/position", |p| *p = json!("Manager"));
    let err = apply(&other, &d).expect_err("the base differs");
    assert_eq!(
        err.to_string(),
        r#"/work/1/position: the diff expects "Engineer", the document has "Manager""#
    );
    let err = apply(&json!({"work": []}), &d).expect_err("no such entry");
    assert!(
        matches!(
            err,
            ApplyError::OutOfRange {
                index: 1,
                len: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn apply_refuses_malformed_diffs() {
    let change = |path: &str, kind: ChangeKind| Change {
        path: path.into(),
        kind,
        before: None,
        after: Some(json!(1)),
        from: None,
        words: Vec::new(),
    };
    let doc = json!({"a": [1, 2], "b": "x"});
    let run = |changes: Vec<Change>| apply(&doc, &Diff::from_changes(changes));

    let err = run(vec![change("a/0", ChangeKind::Added)]).expect_err("no leading slash");
    assert!(matches!(err, ApplyError::InvalidPath { .. }), "{err}");
    let err = run(vec![change("/a/01", ChangeKind::Added)]).expect_err("leading zero");
    assert!(err.to_string().contains("not a list index"), "{err}");
    let err = run(vec![change("/a/0", ChangeKind::Moved)]).expect_err("no from");
    assert_eq!(err.to_string(), "/a/0: a `moved` change needs `from`");
    let err = run(vec![change("/b", ChangeKind::Added)]).expect_err("b exists");
    assert_eq!(
        err.to_string(),
        r#"/b: cannot add, the document already has "x""#
    );
    let err = run(vec![change("/b/c", ChangeKind::Added)]).expect_err("b is a string");
    assert_eq!(err.to_string(), "/b: cannot descend into a string");
    let err = run(vec![
        change("/a/0", ChangeKind::Added),
        change("/a/0/x", ChangeKind::Added),
    ])
    .expect_err("nested under an addition");
    assert!(matches!(err, ApplyError::Conflict { .. }), "{err}");
    let err = run(vec![change("/c/d", ChangeKind::Changed)]).expect_err("missing parent");
    assert_eq!(err.to_string(), "/c: the document has no value there");
}

mod properties {
    //! Random resume-shaped documents from small vocabularies, so identities
    //! collide and repeat, and random edits of them.

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    const COMPANIES: &[&str] = &["Acme", "acme", "Globex", "Initech", " Initech  ", "Hooli"];
    const POSITIONS: &[&str] = &["Engineer", "Senior Engineer", "Manager", "CTO", ""];
    const SCHOOLS: &[&str] = &["MIT", "Open University", "open  university"];
    const SKILLS: &[&str] = &["Rust", "Go", "SQL", "rust", "Python"];
    const KEYWORDS: &[&str] = &["tokio", "Postgres", "PostgreSQL", "Go", "Golang", "serde"];
    const WORDS: &[&str] = &[
        "built", "led", "a", "team", "of", "rust", "services", "the", "api", "shipped", "payments",
        "fast", "5", "x",
    ];
    const DATES: &[&str] = &["2019", "2020-01", "2021-06-30"];
    const EXTRA_KEYS: &[&str] = &["x-note", "tags", "url", "x/y", "~"];

    fn sentence() -> impl Strategy<Value = String> {
        vec(select(WORDS), 0..9).prop_map(|words| words.join(" "))
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => sentence().prop_map(Value::from),
            1 => any::<i8>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::from),
            1 => Just(Value::Null),
        ]
    }

    fn extras() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
        vec(
            (
                select(EXTRA_KEYS),
                prop_oneof![
                    3 => scalar(),
                    1 => vec(scalar(), 0..3).prop_map(Value::from),
                ],
            ),
            0..2,
        )
    }

    fn object(fields: Vec<(&str, Option<Value>)>, extras: Vec<(&str, Value)>) -> Value {
        let mut map = Map::new();
        for (key, value) in fields {
            if let Some(value) = value {
                map.insert(key.to_string(), value);
            }
        }
        for (key, value) in extras {
            map.insert(key.to_string(), value);
        }
        Value::Object(map)
    }

    fn strings(items: Vec<String>) -> Option<Value> {
        Some(Value::from(items))
    }

    fn work() -> impl Strategy<Value = Value> {
        (
            select(COMPANIES),
            select(POSITIONS),
            proptest::option::of(select(DATES)),
            vec(sentence(), 0..4),
            extras(),
        )
            .prop_map(|(name, position, start, highlights, extras)| {
                object(
                    vec![
                        ("name", Some(name.into())),
                        (
                            "position",
                            Some(position).filter(|p| !p.is_empty()).map(Value::from),
                        ),
                        ("startDate", start.map(Value::from)),
                        ("highlights", strings(highlights)),
                    ],
                    extras,
                )
            })
    }

    fn education() -> impl Strategy<Value = Value> {
        (
            select(SCHOOLS),
            select(&["CS", "Maths"][..]),
            vec(sentence(), 0..3),
        )
            .prop_map(|(school, area, courses)| {
                object(
                    vec![
                        ("institution", Some(school.into())),
                        ("area", Some(area.into())),
                        ("courses", strings(courses)),
                    ],
                    Vec::new(),
                )
            })
    }

    fn skill() -> impl Strategy<Value = Value> {
        (select(SKILLS), vec(select(KEYWORDS), 0..4), extras()).prop_map(
            |(name, keywords, extras)| {
                let keywords = keywords.into_iter().map(String::from).collect();
                object(
                    vec![("name", Some(name.into())), ("keywords", strings(keywords))],
                    extras,
                )
            },
        )
    }

    fn project() -> impl Strategy<Value = Value> {
        (select(SKILLS), sentence(), vec(sentence(), 0..3)).prop_map(
            |(name, description, highlights)| {
                object(
                    vec![
                        ("name", Some(format!("{name} tool").into())),
                        ("description", Some(description.into())),
                        ("highlights", strings(highlights)),
                    ],
                    Vec::new(),
                )
            },
        )
    }

    fn basics() -> impl Strategy<Value = Value> {
        (
            select(&["Ada", "Grace", "ada "][..]),
            proptest::option::of(sentence()),
            vec(
                (select(&["GitHub", "X"][..]), select(&["ada", "gh"][..])),
                0..3,
            ),
            extras(),
        )
            .prop_map(|(name, summary, profiles, extras)| {
                let profiles = profiles
                    .into_iter()
                    .map(|(network, username)| json!({"network": network, "username": username}))
                    .collect::<Vec<_>>();
                object(
                    vec![
                        ("name", Some(name.into())),
                        ("summary", summary.map(Value::from)),
                        ("profiles", Some(profiles.into())),
                    ],
                    extras,
                )
            })
    }

    fn resume() -> impl Strategy<Value = Value> {
        (
            proptest::option::of(basics()),
            vec(work(), 0..5),
            vec(education(), 0..3),
            vec(skill(), 0..4),
            vec(project(), 0..3),
            extras(),
        )
            .prop_map(|(basics, work, education, skills, projects, extras)| {
                object(
                    vec![
                        ("basics", basics),
                        ("work", Some(work.into())),
                        ("education", Some(education.into())),
                        ("skills", Some(skills.into())),
                        ("projects", Some(projects.into())),
                    ],
                    extras,
                )
            })
    }

    fn fresh_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            3 => sentence().prop_map(Value::from),
            2 => work(),
            1 => skill(),
            1 => scalar(),
            1 => Just(json!({"x": [1, {"y": null}]})),
        ]
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Swap(usize, usize, usize),
        Remove(usize, usize),
        Insert(usize, usize, Value),
        Duplicate(usize, usize, usize),
        AppendWord(usize, &'static str),
        DropWord(usize),
        Rewrite(usize, String),
        /// Replace any value, usually changing its type.
        Replace(usize, Value),
        SetMember(usize, &'static str, Value),
        RemoveMember(usize, usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let n = || 0..64usize;
        prop_oneof![
            (n(), n(), n()).prop_map(|(s, i, j)| Mutation::Swap(s, i, j)),
            (n(), n()).prop_map(|(s, i)| Mutation::Remove(s, i)),
            (n(), n(), fresh_value()).prop_map(|(s, i, v)| Mutation::Insert(s, i, v)),
            (n(), n(), n()).prop_map(|(s, i, j)| Mutation::Duplicate(s, i, j)),
            (n(), select(WORDS)).prop_map(|(s, w)| Mutation::AppendWord(s, w)),
            n().prop_map(Mutation::DropWord),
            (n(), sentence()).prop_map(|(s, t)| Mutation::Rewrite(s, t)),
            (n(), fresh_value()).prop_map(|(s, v)| Mutation::Replace(s, v)),
            (
                n(),
                select(&["name", "position", "x-new", "highlights"][..]),
                fresh_value()
            )
                .prop_map(|(s, k, v)| Mutation::SetMember(s, k, v)),
            (n(), n()).prop_map(|(s, i)| Mutation::RemoveMember(s, i)),
        ]
    }

    /// Pointers of every value in `doc` that `accept` likes.
    fn pointers(doc: &Value, accept: fn(&Value) -> bool) -> Vec<String> {
        fn walk(value: &Value, path: String, accept: fn(&Value) -> bool, out: &mut Vec<String>) {
            if accept(value) {
                out.push(path.clone());
            }
            match value {
                Value::Object(map) => {
                    for (k, v) in map {
                        walk(v, child(&path, k), accept, out);
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, child(&path, &i.to_string()), accept, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(doc, String::new(), accept, &mut out);
        out
    }

    /// The value `selector` picks among those `accept` likes, if any.
    fn pick(doc: &mut Value, selector: usize, accept: fn(&Value) -> bool) -> Option<&mut Value> {
        let candidates = pointers(doc, accept);
        let path = candidates.get(selector % candidates.len().max(1))?.clone();
        doc.pointer_mut(&path)
    }

    fn mutate(doc: &mut Value, mutation: &Mutation) {
        match mutation {
            Mutation::Swap(s, i, j) => {
                if let Some(Value::Array(items)) = pick(doc, *s, Value::is_array) {
                    if !items.is_empty() {
                        let n = items.len();
                        items.swap(i % n, j % n);
                    }
                }
            }
            Mutation::Remove(s, i) => {
                if let Some(Value::Array(items)) = pick(doc, *s, Value::is_array) {
                    if !items.is_empty() {
                        let n = items.len();
                        items.remove(i % n);
                    }
                }
            }
            Mutation::Insert(s, i, v) => {
                if let Some(Value::Array(items)) = pick(doc, *s, Value::is_array) {
                    let at = i % (items.len() + 1);
                    items.insert(at, v.clone());
                }
            }
            Mutation::Duplicate(s, i, j) => {
                if let Some(Value::Array(items)) = pick(doc, *s, Value::is_array) {
                    if !items.is_empty() {
                        let copy = items[i % items.len()].clone();
                        let at = j % (items.len() + 1);
                        items.insert(at, copy);
                    }
                }
            }
            Mutation::AppendWord(s, word) => {
                if let Some(Value::String(text)) = pick(doc, *s, Value::is_string) {
                    text.push(' ');
                    text.push_str(word);
                }
            }
            Mutation::DropWord(s) => {
                if let Some(Value::String(text)) = pick(doc, *s, Value::is_string) {
                    *text = text.split(' ').skip(1).collect::<Vec<_>>().join(" ");
                }
            }
            Mutation::Rewrite(s, new) => {
                if let Some(Value::String(text)) = pick(doc, *s, Value::is_string) {
                    text.clone_from(new);
                }
            }
            Mutation::Replace(s, v) => {
                if let Some(target) = pick(doc, *s, |_| true) {
                    *target = v.clone();
                }
            }
            Mutation::SetMember(s, key, v) => {
                if let Some(Value::Object(map)) = pick(doc, *s, Value::is_object) {
                    map.insert(key.to_string(), v.clone());
                }
            }
            Mutation::RemoveMember(s, i) => {
                if let Some(Value::Object(map)) = pick(doc, *s, Value::is_object) {
                    if let Some(key) = map.keys().nth(i % map.len().max(1)).cloned() {
                        map.remove(&key);
                    }
                }
            }
        }
    }

    fn mutated_pair() -> impl Strategy<Value = (Value, Value)> {
        (resume(), vec(mutation(), 0..6)).prop_map(|(before, mutations)| {
            let mut after = before.clone();
            for m in &mutations {
                mutate(&mut after, m);
            }
            (before, after)
        })
    }

    /// Lists the identity rules cover all the way down: an insertion or
    /// removal there is exactly one change.
    fn schema_list(path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        matches!(
            segments.as_slice(),
            ["work" | "education" | "skills" | "projects"]
                | ["basics", "profiles"]
                | ["work" | "projects", _, "highlights"]
                | ["skills", _, "keywords"]
                | ["education", _, "courses"]
        )
    }

    /// 256 cases unless `PROPTEST_CASES` asks for a deeper run; failures are
    /// reported, not written next to the sources.
    fn config() -> ProptestConfig {
        let default = ProptestConfig::default();
        ProptestConfig {
            cases: if std::env::var_os("PROPTEST_CASES").is_some() {
                default.cases
            } else {
                256
            },
            failure_persistence: None,
            ..default
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_document_equals_itself(doc in resume()) {
            prop_assert!(diff_values(&doc, &doc).is_empty());
        }

        #[test]
        fn apply_rebuilds_edited_documents((before, after) in mutated_pair()) {
            check(&before, &after).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn apply_rebuilds_unrelated_documents(before in resume(), after in resume()) {
            check(&before, &after).map_err(TestCaseError::fail)?;
            check(&after, &before).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn one_insertion_or_removal_is_one_change(
            doc in resume(),
            selector in 0..64usize,
            index in 0..64usize,
            value in fresh_value(),
            insert in any::<bool>(),
        ) {
            let lists: Vec<String> = pointers(&doc, Value::is_array)
                .into_iter()
                .filter(|p| schema_list(p))
                .collect();
            let path = &lists[selector % lists.len()];
            let mut after = doc.clone();
            let Some(Value::Array(items)) = after.pointer_mut(path) else {
                return Err(TestCaseError::fail("the list vanished"));
            };
            let expected = if insert {
                items.insert(index % (items.len() + 1), value);
                ChangeKind::Added
            } else if items.is_empty() {
                return Ok(());
            } else {
                items.remove(index % items.len());
                ChangeKind::Removed
            };
            let d = check(&doc, &after).map_err(TestCaseError::fail)?;
            prop_assert_eq!(d.changes.len(), 1, "{:#?}", d);
            prop_assert_eq!(d.changes[0].kind, expected);
            let parent = d.changes[0].path.rsplit_once('/').map(|(parent, _)| parent);
            prop_assert_eq!(parent, Some(path.as_str()));
        }

        #[test]
        fn word_ops_reassemble_both_strings(
            before in "[ab \n]{0,24}",
            after in "[ab \n]{0,24}",
        ) {
            let ops = word_diff(&before, &after);
            let side = |keep: WordOpKind| -> String {
                ops.iter()
                    .filter(|w| w.op == WordOpKind::Equal || w.op == keep)
                    .map(|w| w.text.as_str())
                    .collect()
            };
            prop_assert_eq!(side(WordOpKind::Delete), before);
            prop_assert_eq!(side(WordOpKind::Insert), after);
            prop_assert!(ops.iter().all(|w| !w.text.is_empty()));
            prop_assert!(ops.windows(2).all(|w| w[0].op != w[1].op), "{:?}", ops);
        }
    }
}
