//! Tests of the diff pane's layout: paths and entry names, values as text,
//! odd values; and the sample diff the screens' tests draw.

use serde_json::{json, Value};
use vitae_common::diff::{word_diff, Change, ChangeKind, Diff};

use super::layout::entry_label;
use super::values::value_lines;
use super::*;

pub(crate) fn change(
    path: &str,
    kind: ChangeKind,
    before: Option<Value>,
    after: Option<Value>,
) -> Change {
    let words = match (&kind, &before, &after) {
        (ChangeKind::Changed, Some(Value::String(b)), Some(Value::String(a)))
            if b.split_whitespace().count() > 3 =>
        {
            word_diff(b, a)
        }
        _ => Vec::new(),
    };
    Change {
        path: path.into(),
        kind,
        before,
        after,
        from: None,
        words,
    }
}

/// A diff with every kind of change, in document order.
pub(crate) fn sample_diff() -> Diff {
    let acme = json!({"name": "Acme Cloud", "position": "Backend Engineer", "startDate": "2019-02", "endDate": "2021-12"});
    let mut moved = change("/work/2", ChangeKind::Moved, Some(acme.clone()), Some(acme));
    moved.from = Some("/work/1".into());
    Diff::from_changes(vec![
        change(
            "/work/0",
            ChangeKind::Added,
            None,
            Some(json!({
                "name": "Nordlys Systems AB",
                "position": "Staff Engineer",
                "startDate": "2024-01",
                "location": "Stockholm",
                "highlights": [
                    "Designed the event pipeline that replaced nightly batch jobs",
                    "Mentored four engineers"
                ]
            })),
        ),
        change(
            "/work/1/position",
            ChangeKind::Changed,
            Some(json!("Software Engineer")),
            Some(json!("Senior Software Engineer")),
        ),
        change(
            "/work/1/highlights/0",
            ChangeKind::Changed,
            Some(json!(
                "Led a team of 4 engineers building the billing platform"
            )),
            Some(json!(
                "Led a team of 6 engineers building the payments platform in Rust"
            )),
        ),
        moved,
        change(
            "/skills/3",
            ChangeKind::Removed,
            Some(json!({"name": "Perl", "level": "Intermediate", "keywords": ["CGI", "DBI"]})),
            None,
        ),
    ])
}

#[test]
fn paths_read_like_code() {
    assert_eq!(human_path("/work/2/highlights/0"), "work[2].highlights[0]");
    assert_eq!(human_path("/basics/label"), "basics.label");
    assert_eq!(human_path(""), "(whole document)");
    assert_eq!(
        human_path("/x-custom/a~1b/c~0d"),
        "x-custom[\"a/b\"][\"c~d\"]"
    );
    assert_eq!(human_path("/meta/my key"), "meta[\"my key\"]");
    assert_eq!(human_path("/"), "[\"\"]");
    let named = change(
        "/work/0",
        ChangeKind::Added,
        None,
        Some(json!({"name": "Nordlys Systems AB"})),
    );
    assert_eq!(entry_label(&named).as_deref(), Some("Nordlys Systems AB"));
    let field = change(
        "/work/0/name",
        ChangeKind::Changed,
        Some(json!("A")),
        Some(json!("B")),
    );
    assert_eq!(entry_label(&field), None);
}

#[test]
fn an_added_entry_reads_as_text_not_json() {
    let diff = sample_diff();
    let lines = value_lines(diff.changes[0].after.as_ref().unwrap(), "/work/0");
    let texts: Vec<String> = lines
        .iter()
        .map(|l| format!("{}{}", "  ".repeat(l.level), l.text))
        .collect();
    assert_eq!(
        texts,
        [
            "Nordlys Systems AB — Staff Engineer",
            "2024-01 – present",
            "location: Stockholm",
            "highlights:",
            "  • Designed the event pipeline that replaced nightly batch jobs",
            "  • Mentored four engineers",
        ]
    );
}

#[test]
fn odd_values_render_without_panicking() {
    let odd = Diff::from_changes(vec![
        change(
            "",
            ChangeKind::Changed,
            Some(json!([1, [2, [3, [4, [5, [6]]]]]])),
            Some(json!({"a": {"b": {"c": {"d": {"e": {}}}}}})),
        ),
        change("/work/0", ChangeKind::Moved, None, None),
        change("/x/0", ChangeKind::Added, None, Some(json!([]))),
        change("/x/1", ChangeKind::Removed, Some(json!({})), None),
    ]);
    for mode in [Mode::Unified, Mode::SideBySide] {
        for width in [0, 10, 40] {
            let rendered = diff_lines(&odd, mode, &Theme::plain(), width, Some(1));
            assert_eq!(rendered.starts.len(), 4);
        }
    }
}

/// Lines of `value` at `pointer`, indented by level, for comparing.
fn texts(value: Value, pointer: &str) -> Vec<String> {
    value_lines(&value, pointer)
        .iter()
        .map(|l| format!("{}{}", "  ".repeat(l.level), l.text))
        .collect()
}

#[test]
fn values_follow_the_schema_of_their_path() {
    // An entry is named by its identity first: the school, the award.
    let degree = json!({"institution": "Uni", "area": "CS", "studyType": "MSc",
                        "startDate": "2016", "url": "https://uni.example", "score": "A"});
    assert_eq!(
        texts(degree.clone(), "/education/0"),
        [
            "Uni — MSc · CS",
            "2016 – present",
            "url: https://uni.example",
            "score: A"
        ]
    );
    let award = change(
        "/awards/1",
        ChangeKind::Added,
        None,
        Some(json!({"title": "Best paper", "awarder": "ACM", "date": "2020", "x-id": 7})),
    );
    assert_eq!(entry_label(&award).as_deref(), Some("Best paper"));
    assert_eq!(
        texts(award.after.unwrap(), "/awards/1"),
        ["Best paper — ACM", "2020", "x-id: 7"]
    );
    // Basics: name and label, then members in schema order, the location
    // on one line.
    let basics = json!({"name": "Zoë", "label": "Engineer", "url": "https://zoe.dev",
                        "email": "zoe@example.com",
                        "location": {"city": "Lyon", "region": "ARA", "countryCode": "FR"}});
    assert_eq!(
        texts(basics, "/basics"),
        [
            "Zoë — Engineer",
            "email: zoe@example.com",
            "url: https://zoe.dev",
            "location: Lyon, FR, ARA"
        ]
    );
    // A whole list: each entry read through its section.
    assert_eq!(texts(json!([degree]), "/education")[0], "• Uni — MSc · CS");
    // Outside the schema there is no headline: members alphabetically.
    assert_eq!(
        texts(json!({"name": "x", "b": 1}), "/meta/0"),
        ["b: 1", "name: x"]
    );
}
