//! Faithfulness checks: does a tailored resume, or a piece of free text,
//! claim anything the source resume does not?
//!
//! [`check_faithful`] compares two documents structurally. Personal details
//! (`basics`) must be identical. Every employer, position, date, institution,
//! skill, skill keyword, project and highlight in the candidate must come
//! from the source — highlights exactly, and from the same entry, because a
//! highlight moved to another employer is a false claim too — and no entry
//! or highlight may appear more often than in the source. Sections tailoring
//! never touches (certificates, awards, ...) must contain only source
//! entries. A summary or description that differs from the source is
//! checked as free text.
//!
//! Which field of an entry is its organisation, title, dates, highlights or
//! free text comes from the schema table ([`vitae_common::schema`]); this
//! module only says how tailoring may edit each section ([`EDITED`]), so a
//! field added to the schema is checked (as one that must stay unchanged)
//! without touching this file.
//!
//! [`check_text_faithful`] checks free text (an LLM-rewritten highlight, a
//! cover letter) against everything the source says anywhere:
//! - a vocabulary skill the source never mentions;
//! - a year (1900–2099) that appears nowhere in the source;
//! - an organisation the source never names. This one is deliberately
//!   conservative, because capitalised words are everywhere: only a run of
//!   capitalised words right after "at" or "for" ("at Globex", "for Initech
//!   Labs") counts, and only when none of its distinctive words (ignoring
//!   "Inc", "Corp", "The", ...) occurs anywhere in the source. Months,
//!   weekdays and skill names are not organisations.
//!
//! Every violation message starts with the field path or quotes the value.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use vitae_common::schema::{self, Dates, Entry, Kind, Role, Section, When, SECTIONS};
use vitae_common::Resume;

use crate::vocabulary;

/// Violations of `candidate` against `source`; empty when faithful.
pub fn check_faithful(source: &Resume, candidate: &Resume) -> Vec<String> {
    let mut out = Vec::new();
    diff_values(
        "basics",
        &to_value(&source.basics),
        &to_value(&candidate.basics),
        &mut out,
    );
    let (src_doc, cand_doc) = (to_value(source), to_value(candidate));
    let entries = |doc: &Value, section: &'static Section| -> Vec<Value> {
        match doc.get(section.key) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    for (key, edit) in EDITED {
        let Some(section) = schema::section(key) else {
            continue;
        };
        let (src, cand) = (entries(&src_doc, section), entries(&cand_doc, section));
        let lists = Lists::new(section, &src, &cand);
        match edit {
            Edit::Positions { org_word } => check_positions(source, org_word, &lists, &mut out),
            Edit::Education => check_education(&lists, &mut out),
            Edit::Skills => check_skills(&lists, &mut out),
            Edit::Projects => check_projects(source, &lists, &mut out),
        }
    }
    for section in SECTIONS {
        if EDITED.iter().any(|(key, _)| *key == section.key) {
            continue;
        }
        let (src, cand) = (entries(&src_doc, section), entries(&cand_doc, section));
        check_unchanged(section.key, &src, &cand, section.identity[0], &mut out);
    }
    let extra_src = Value::Object(source.extra.clone());
    let extra_cand = Value::Object(candidate.extra.clone());
    diff_values("", &extra_src, &extra_cand, &mut out);
    out
}

/// How tailoring may edit a section, and so how its entries are checked.
enum Edit {
    /// Jobs and volunteer roles: entries chosen and highlights reordered or
    /// dropped; `org_word` names the organisation in messages.
    Positions { org_word: &'static str },
    /// Degrees: chosen, courses reordered.
    Education,
    /// Skill groups: keywords may move between groups.
    Skills,
    /// Projects: chosen, highlights and keywords reordered or dropped.
    Projects,
}

/// The sections tailoring edits, in the order they are checked. Every other
/// section of the schema must come through unchanged.
const EDITED: &[(&str, Edit)] = &[
    (
        "work",
        Edit::Positions {
            org_word: "employer",
        },
    ),
    (
        "volunteer",
        Edit::Positions {
            org_word: "organization",
        },
    ),
    ("education", Edit::Education),
    ("skills", Edit::Skills),
    ("projects", Edit::Projects),
];

/// Violations of free `text` against `source`; empty when faithful.
pub fn check_text_faithful(source: &Resume, text: &str) -> Vec<String> {
    check_text_faithful_allowing(source, text, &[])
}

/// [`check_text_faithful`], also accepting names, years and skills that
/// appear in `allowed` — typically the target company and job title, which a
/// cover letter rightly names although the resume does not.
pub fn check_text_faithful_allowing(source: &Resume, text: &str, allowed: &[&str]) -> Vec<String> {
    let corpus = Corpus::new(source, allowed);
    let mut out = Vec::new();
    for skill in vocabulary::find_all(text) {
        if !corpus.skills.contains(skill) {
            out.push(format!(
                "names the skill \"{skill}\", which the resume does not mention"
            ));
        }
    }
    let mut seen_years = BTreeSet::new();
    for year in years(text) {
        if !corpus.years.contains(&year) && seen_years.insert(year) {
            out.push(format!(
                "mentions the year {year}, which appears nowhere in the resume"
            ));
        }
    }
    let mut seen_orgs = HashSet::new();
    for (cue, org) in organisations(text) {
        if corpus.names_any(&org) || !seen_orgs.insert(org.clone()) {
            continue;
        }
        out.push(format!(
            "mentions \"{org}\" (\"{cue} {org}\"), an organisation the resume does not name"
        ));
    }
    out
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Shorten a value for a message.
fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

fn show_str(s: &str) -> String {
    show(&Value::String(s.to_string()))
}

fn join_path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

/// Report every leaf where `after` differs from `before`.
fn diff_values(path: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    if before == after {
        return;
    }
    let shown = if path.is_empty() { "(document)" } else { path };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = join_path(path, k);
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff_values(&p, x, y, out),
                    (Some(x), None) => out.push(format!("{p}: {} was removed", show(x))),
                    (None, Some(y)) => out.push(format!(
                        "{p}: {} was added; it is not in the source",
                        show(y)
                    )),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{shown}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => diff_values(&p, x, y, out),
                    (Some(x), None) => out.push(format!("{p}: {} was removed", show(x))),
                    (None, Some(y)) => out.push(format!(
                        "{p}: {} was added; it is not in the source",
                        show(y)
                    )),
                    (None, None) => {}
                }
            }
        }
        _ => out.push(format!(
            "{shown}: changed from {} to {}",
            show(before),
            show(after)
        )),
    }
}

/// One section's entries in both documents, with what the schema says about
/// them, and how they pair up.
struct Lists<'a> {
    section: &'static Section,
    src: Vec<Entry<'a>>,
    cand: Vec<Entry<'a>>,
    /// Lists tailoring may reorder (highlights, courses, keywords): an entry
    /// that differs from a source entry only in their order is a copy.
    reorderable: Vec<&'static str>,
}

impl<'a> Lists<'a> {
    fn new(section: &'static Section, src: &'a [Value], cand: &'a [Value]) -> Lists<'a> {
        let reorderable = section
            .fields
            .iter()
            .filter(|f| matches!(f.role, Role::Bullets | Role::Tags))
            .map(|f| f.key)
            .collect();
        Lists {
            section,
            src: src.iter().map(|v| section.entry(v)).collect(),
            cand: cand.iter().map(|v| section.entry(v)).collect(),
            reorderable,
        }
    }

    /// Pairs each candidate entry with the source entry it copies (up to
    /// the order of reorderable lists), reporting duplicates.
    fn pairs(&self, out: &mut Vec<String>) -> Vec<Option<usize>> {
        let sig = |e: &Entry| signature(e, &self.reorderable);
        let sig_src: Vec<Value> = self.src.iter().map(sig).collect();
        let sig_cand: Vec<Value> = self.cand.iter().map(sig).collect();
        pair_entries(
            self.section.key,
            self.cand.len(),
            self.src.len(),
            |i, j| sig_cand[i] == sig_src[j],
            out,
        )
    }

    /// The key of the (first) field playing `role`; empty when none does.
    fn key(&self, role: Role) -> &'static str {
        self.section
            .fields
            .iter()
            .find(|f| f.role == role)
            .map_or("", |f| f.key)
    }

    /// The keys of the headline's title and date fields.
    fn head_keys(&self) -> Vec<&'static str> {
        let mut keys = self.section.headline.title.to_vec();
        match self.section.headline.dates {
            Dates::Range(start, end) => keys.extend([start, end]),
            Dates::On(date) => keys.push(date),
            Dates::Undated => {}
        }
        keys
    }

    /// The free-text fields (summary, description), checked as text.
    fn prose_keys(&self) -> Vec<&'static str> {
        self.section
            .fields
            .iter()
            .filter(|f| f.kind == Kind::Prose)
            .map(|f| f.key)
            .collect()
    }
}

/// The entry's title (its first title field: a position, a skill name).
fn title_of<'a>(e: &Entry<'a>) -> Option<&'a str> {
    e.text(e.section.headline.title.first()?)
}

/// The entry's start and end dates.
fn span<'a>(e: &Entry<'a>) -> (Option<&'a str>, Option<&'a str>) {
    match e.when() {
        When::Range { start, end } => (start, end),
        When::On(date) => (date, None),
        When::Undated => (None, None),
    }
}

/// The entry as JSON without `keys`.
fn without(e: &Entry, keys: &[&str]) -> Value {
    let mut v = e.object().map_or(Value::Null, |o| Value::Object(o.clone()));
    strip(&mut v, keys);
    v
}

/// The free-text fields of an entry: (JSON name, value).
fn texts<'a>(e: &Entry<'a>, keys: &[&'static str]) -> Vec<(&'static str, Option<&'a str>)> {
    keys.iter().map(|k| (*k, e.text(k))).collect()
}

fn strip(v: &mut Value, keys: &[&str]) {
    if let Value::Object(map) = v {
        for k in keys {
            map.remove(*k);
        }
    }
}

/// Pairs each candidate entry with the source entry it copies, when there is
/// one; reports duplicates. `same(i, j)` says candidate `i` is source `j`.
fn pair_entries(
    section: &str,
    cand_len: usize,
    src_len: usize,
    same: impl Fn(usize, usize) -> bool,
    out: &mut Vec<String>,
) -> Vec<Option<usize>> {
    let mut used_by: Vec<Option<usize>> = vec![None; src_len];
    let mut pairs = Vec::with_capacity(cand_len);
    for i in 0..cand_len {
        let matches: Vec<usize> = (0..src_len).filter(|&j| same(i, j)).collect();
        match matches.iter().find(|&&j| used_by[j].is_none()) {
            Some(&j) => {
                used_by[j] = Some(i);
                pairs.push(Some(j));
            }
            None => {
                if let Some(first) = matches.first().and_then(|&j| used_by[j]) {
                    out.push(format!(
                        "{section}[{i}]: duplicates {section}[{first}]; an entry may appear only once"
                    ));
                }
                pairs.push(None);
            }
        }
    }
    pairs
}

/// Check a candidate's strings against a reference list, as a multiset:
/// each must be in the reference, and none more often than there.
fn check_strings(path: &str, what: &str, cand: &[&str], reference: &[&str], out: &mut Vec<String>) {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for r in reference {
        *left.entry(r).or_default() += 1;
    }
    for (k, s) in cand.iter().enumerate() {
        match left.get_mut(s) {
            Some(n) if *n > 0 => *n -= 1,
            Some(_) => out.push(format!(
                "{path}[{k}]: {} is repeated; it appears fewer times in the source",
                show_str(s)
            )),
            None => out.push(format!(
                "{path}[{k}]: {what} {} is not in the source resume",
                show_str(s)
            )),
        }
    }
}

fn check_texts(
    source: &Resume,
    path: &str,
    cand: &[(&'static str, Option<&str>)],
    reference: Option<&[(&'static str, Option<&str>)]>,
    out: &mut Vec<String>,
) {
    for (k, (field, value)) in cand.iter().enumerate() {
        let Some(text) = value else { continue };
        let same = reference
            .and_then(|r| r.get(k))
            .is_some_and(|(_, v)| v == value);
        if same {
            continue;
        }
        for problem in check_text_faithful(source, text) {
            out.push(format!("{path}.{field}: {problem}"));
        }
    }
}

/// An entry as JSON with the listed string arrays sorted: two entries with
/// the same signature differ at most in the order of those lists.
fn signature(entry: &Entry, lists: &[&str]) -> Value {
    let mut v = without(entry, &[]);
    if let Value::Object(map) = &mut v {
        for key in lists {
            if let Some(Value::Array(items)) = map.get_mut(*key) {
                items.sort_by_key(|x| x.to_string());
            }
        }
    }
    v
}

/// Which source entries the pairing used.
fn used(pairs: &[Option<usize>], src_len: usize) -> Vec<bool> {
    let mut used = vec![false; src_len];
    for j in pairs.iter().flatten() {
        used[*j] = true;
    }
    used
}

/// The source entry an unpaired candidate entry most likely came from:
/// one satisfying `pred`, preferring one no other entry already copies.
fn pick_reference<'a, T>(src: &'a [T], used: &[bool], pred: impl Fn(&T) -> bool) -> Option<&'a T> {
    let matching: Vec<usize> = (0..src.len()).filter(|&j| pred(&src[j])).collect();
    matching
        .iter()
        .find(|&&j| !used[j])
        .or(matching.first())
        .map(|&j| &src[j])
}

fn none_or(value: Option<&str>) -> String {
    value.map_or("(none)".to_string(), show_str)
}

/// The source's value inside parentheses: `("2019-01")` or `(none)`.
fn source_value(value: Option<&str>) -> String {
    value.map_or("none".to_string(), show_str)
}

/// The keys of a section's start and end dates.
/// The field that names an entry (a job's position, a project's name).
fn title_key(section: &Section) -> &'static str {
    section.headline.title.first().copied().unwrap_or_default()
}

fn span_keys(section: &Section) -> (&'static str, &'static str) {
    match section.headline.dates {
        Dates::Range(start, end) => (start, end),
        Dates::On(date) => (date, date),
        Dates::Undated => ("", ""),
    }
}

/// A job or volunteer role must be one the source holds, with its dates;
/// its highlights must be its own, its free text faithful, the rest
/// unchanged.
fn check_positions(source: &Resume, org_word: &str, lists: &Lists, out: &mut Vec<String>) {
    let section = lists.section.key;
    let org_field = lists.section.headline.org.unwrap_or_default();
    let title_field = title_key(lists.section);
    let (start_field, end_field) = span_keys(lists.section);
    let bullets = lists.key(Role::Bullets);
    let pairs = lists.pairs(out);
    let used = used(&pairs, lists.src.len());
    let all_highlights: Vec<&str> = lists.src.iter().flat_map(|e| e.list(bullets)).collect();
    let same_id = |s: &Entry, c: &Entry| {
        s.org() == c.org() && title_of(s) == title_of(c) && span(s) == span(c)
    };
    for (i, (c, pair)) in lists.cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("{section}[{i}]");
        let reference = match pick_reference(&lists.src, &used, |s| same_id(s, c)) {
            Some(r) => Some(r),
            None => {
                let same_org: Vec<&Entry> =
                    lists.src.iter().filter(|s| s.org() == c.org()).collect();
                let same_pos: Vec<&Entry> = same_org
                    .iter()
                    .copied()
                    .filter(|s| title_of(s) == title_of(c))
                    .collect();
                if same_org.is_empty() {
                    out.push(format!(
                        "{path}.{org_field}: {org_word} {} does not appear in the source resume",
                        none_or(c.org())
                    ));
                } else if same_pos.is_empty() {
                    out.push(format!(
                        "{path}.{title_field}: {} is not a position held at {} in the source resume",
                        none_or(title_of(c)),
                        none_or(c.org())
                    ));
                } else {
                    let (first, (start, end)) = (span(same_pos[0]), span(c));
                    if !same_pos.iter().any(|s| span(s).0 == start) {
                        out.push(format!(
                            "{path}.{start_field}: {} differs from the source ({})",
                            none_or(start),
                            source_value(first.0)
                        ));
                    }
                    if !same_pos.iter().any(|s| span(s).1 == end) {
                        out.push(format!(
                            "{path}.{end_field}: {} differs from the source ({})",
                            none_or(end),
                            source_value(first.1)
                        ));
                    }
                }
                same_pos.first().copied()
            }
        };
        check_claims(source, lists, &path, c, reference, &all_highlights, out);
    }
}

/// A degree must be one the source lists, unchanged but for course order.
fn check_education(lists: &Lists, out: &mut Vec<String>) {
    let section = lists.section.key;
    let org_field = lists.section.headline.org.unwrap_or_default();
    let pairs = lists.pairs(out);
    let used = used(&pairs, lists.src.len());
    for (i, (c, pair)) in lists.cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("{section}[{i}]");
        match pick_reference(&lists.src, &used, |s| s.org() == c.org()) {
            Some(r) => diff_values(&path, &without(r, &[]), &without(c, &[]), out),
            None => out.push(format!(
                "{path}.{org_field}: {} does not appear in the source resume",
                none_or(c.org())
            )),
        }
    }
}

/// A skill group must be a source group; its keywords may come from any
/// source group (that claims nothing new), each at most as often.
fn check_skills(lists: &Lists, out: &mut Vec<String>) {
    let section = lists.section.key;
    let title_field = title_key(lists.section);
    let tags = lists.key(Role::Tags);
    let pairs = lists.pairs(out);
    let used = used(&pairs, lists.src.len());
    let all_keywords: Vec<&str> = lists.src.iter().flat_map(|s| s.list(tags)).collect();
    for (i, (c, pair)) in lists.cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("{section}[{i}]");
        let reference = pick_reference(&lists.src, &used, |s| title_of(s) == title_of(c));
        if reference.is_none() {
            out.push(format!(
                "{path}.{title_field}: skill {} is not in the source resume",
                none_or(title_of(c))
            ));
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (k, kw) in c.list(tags).into_iter().enumerate() {
            if !all_keywords.contains(&kw) {
                out.push(format!(
                    "{path}.{tags}[{k}]: skill keyword {} is not in the source resume",
                    show_str(kw)
                ));
                continue;
            }
            let n = counts.entry(kw).or_default();
            *n += 1;
            let allowed = reference
                .map(|r| r.list(tags).iter().filter(|x| **x == kw).count())
                .unwrap_or(1)
                .max(1);
            if *n > allowed {
                out.push(format!("{path}.{tags}[{k}]: {} is repeated", show_str(kw)));
            }
        }
        if let Some(r) = reference {
            diff_values(&path, &without(r, &[tags]), &without(c, &[tags]), out);
        }
    }
}

/// A project must be a source project with its dates; its highlights and
/// keywords its own, its description faithful, the rest unchanged.
fn check_projects(source: &Resume, lists: &Lists, out: &mut Vec<String>) {
    let section = lists.section.key;
    let title_field = title_key(lists.section);
    let (start_field, end_field) = span_keys(lists.section);
    let bullets = lists.key(Role::Bullets);
    let pairs = lists.pairs(out);
    let used = used(&pairs, lists.src.len());
    let all_highlights: Vec<&str> = lists.src.iter().flat_map(|p| p.list(bullets)).collect();
    let same_id = |s: &Entry, c: &Entry| title_of(s) == title_of(c) && span(s) == span(c);
    for (i, (c, pair)) in lists.cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("{section}[{i}]");
        let reference = match pick_reference(&lists.src, &used, |s| same_id(s, c)) {
            Some(r) => Some(r),
            None => {
                let same = pick_reference(&lists.src, &used, |s| title_of(s) == title_of(c));
                match same {
                    None => out.push(format!(
                        "{path}.{title_field}: project {} is not in the source resume",
                        none_or(title_of(c))
                    )),
                    Some(first) => {
                        let (got, want) = (span(c), span(first));
                        for (field, got, want) in
                            [(start_field, got.0, want.0), (end_field, got.1, want.1)]
                        {
                            if got != want {
                                out.push(format!(
                                    "{path}.{field}: {} differs from the source ({})",
                                    none_or(got),
                                    source_value(want)
                                ));
                            }
                        }
                    }
                }
                same
            }
        };
        check_claims(source, lists, &path, c, reference, &all_highlights, out);
    }
}

/// What an entry claims beyond its identity, against the source entry it
/// most likely came from: highlights and keywords of that entry (each at
/// most as often), free text that is new checked as text, everything else
/// unchanged. Without such an entry, each highlight must at least be one
/// the source has somewhere.
fn check_claims(
    source: &Resume,
    lists: &Lists,
    path: &str,
    c: &Entry,
    reference: Option<&Entry>,
    all_highlights: &[&str],
    out: &mut Vec<String>,
) {
    let (bullets, tags) = (lists.key(Role::Bullets), lists.key(Role::Tags));
    let prose = lists.prose_keys();
    let c_texts = texts(c, &prose);
    let Some(r) = reference else {
        for (k, h) in c.list(bullets).iter().enumerate() {
            if !all_highlights.contains(h) {
                out.push(format!(
                    "{path}.{bullets}[{k}]: highlight {} is not in the source resume",
                    show_str(h)
                ));
            }
        }
        check_texts(source, path, &c_texts, None, out);
        return;
    };
    for (key, what) in [(bullets, "highlight"), (tags, "keyword")] {
        if !key.is_empty() {
            let at = format!("{path}.{key}");
            check_strings(&at, what, &c.list(key), &r.list(key), out);
        }
    }
    check_texts(source, path, &c_texts, Some(&texts(r, &prose)), out);
    let mut fixed = lists.head_keys();
    fixed.extend(lists.section.headline.org);
    fixed.extend([bullets, tags].into_iter().filter(|k| !k.is_empty()));
    fixed.extend(&prose);
    diff_values(path, &without(r, &fixed), &without(c, &fixed), out);
}

/// Sections tailoring never edits: every candidate entry must be a source
/// entry, unchanged, at most as often as in the source.
fn check_unchanged(
    section: &str,
    sv: &[Value],
    cv: &[Value],
    label_field: &str,
    out: &mut Vec<String>,
) {
    let pairs = pair_entries(section, cv.len(), sv.len(), |i, j| cv[i] == sv[j], out);
    for (i, pair) in pairs.iter().enumerate() {
        if pair.is_some() {
            continue;
        }
        let repeated = sv.contains(&cv[i]);
        if repeated {
            continue; // already reported as a duplicate
        }
        let label = cv[i]
            .get(label_field)
            .map(show)
            .unwrap_or_else(|| "an entry".to_string());
        out.push(format!(
            "{section}[{i}]: {label} is not in the source resume, or was changed"
        ));
    }
}

/// Everything the source says, prepared for the text checks.
struct Corpus {
    skills: HashSet<&'static str>,
    years: HashSet<u32>,
    words: HashSet<String>,
}

impl Corpus {
    fn new(source: &Resume, allowed: &[&str]) -> Corpus {
        let mut strings = Vec::new();
        collect_strings(&to_value(source), &mut strings);
        strings.extend(allowed.iter().map(|s| s.to_string()));
        let mut skills = HashSet::new();
        let mut years_found = HashSet::new();
        let mut words = HashSet::new();
        for s in &strings {
            skills.extend(vocabulary::term_skills(s));
            skills.extend(vocabulary::find_all(s));
            years_found.extend(years(s));
            words.extend(
                s.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase),
            );
        }
        Corpus {
            skills,
            years: years_found,
            words,
        }
    }

    /// Whether any distinctive word of an organisation name occurs in the
    /// source (or the name has no distinctive word at all).
    fn names_any(&self, org: &str) -> bool {
        const GENERIC: &[&str] = &[
            "inc",
            "corp",
            "corporation",
            "ltd",
            "llc",
            "gmbh",
            "co",
            "company",
            "group",
            "the",
            "and",
            "of",
            "plc",
            "sa",
            "ag",
            "limited",
            "holdings",
            "international",
        ];
        let distinctive: Vec<String> = org
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_lowercase)
            .filter(|w| !GENERIC.contains(&w.as_str()))
            .collect();
        distinctive.is_empty() || distinctive.iter().any(|w| self.words.contains(w))
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        Value::Number(n) => out.push(n.to_string()),
        _ => {}
    }
}

/// Every standalone four-digit year from 1900 to 2099 in `text`.
fn years(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let letter_before = start > 0 && chars[start - 1].is_alphabetic();
        let letter_after = i < chars.len() && chars[i].is_alphabetic();
        if run.len() == 4 && !letter_before && !letter_after {
            if let Ok(y) = run.parse::<u32>() {
                if (1900..=2099).contains(&y) {
                    out.push(y);
                }
            }
        }
    }
    out
}

/// `(cue, name)` for every "at X" / "for X" with X a run of capitalised
/// words that is not a month, weekday, pronoun or skill.
fn organisations(text: &str) -> Vec<(String, String)> {
    const NOT_ORGS: &[&str] = &[
        "i",
        "i'm",
        "i've",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "christmas",
        "easter",
        "present",
        "mr",
        "ms",
        "mrs",
        "dr",
        "q1",
        "q2",
        "q3",
        "q4",
        "you",
        "your",
        "me",
        "my",
        "our",
        "us",
        "we",
        "least",
        "first",
        "last",
        "once",
        "now",
        "example",
        "instance",
        "scale",
    ];
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let cue = *tok;
        let sentence_start = i == 0 || tokens[i - 1].ends_with(['.', '!', '?']);
        if !(cue == "at" || cue == "for" || (cue == "At" && sentence_start)) {
            continue;
        }
        let mut name: Vec<String> = Vec::new();
        let mut j = i + 1;
        while let Some(t) = tokens.get(j) {
            let stops = t.ends_with([',', '.', ';', ':', '!', '?', ')']);
            let word = t
                .trim_end_matches([',', '.', ';', ':', '!', '?', ')', '"', '\''])
                .trim_start_matches(['(', '"', '\''])
                .trim_end_matches("'s")
                .trim_end_matches("\u{2019}s");
            let capitalised = word.chars().next().is_some_and(|c| c.is_uppercase());
            let connector = (word == "&" || word == "of" || word == "and")
                && !name.is_empty()
                && tokens
                    .get(j + 1)
                    .and_then(|n| n.chars().next())
                    .is_some_and(|c| c.is_uppercase());
            let pronoun_or_date = NOT_ORGS.contains(&word.to_lowercase().as_str());
            if word.is_empty()
                || !(capitalised || connector)
                || name.len() >= 5
                || (pronoun_or_date && !name.is_empty())
            {
                break;
            }
            name.push(word.to_string());
            j += 1;
            if stops {
                break;
            }
        }
        if name.first().is_some_and(|w| w == "The") {
            name.remove(0);
        }
        let Some(first) = name.first() else { continue };
        if NOT_ORGS.contains(&first.to_lowercase().as_str()) {
            continue;
        }
        let joined = name.join(" ");
        if vocabulary::canonical(&joined).is_some() || !vocabulary::find_all(&joined).is_empty() {
            continue;
        }
        out.push((cue.to_string(), joined));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_tokens() {
        assert_eq!(
            years("2019-03 to 2021, in 1999; not 12345 or 2100 or A2019"),
            vec![2019, 2021, 1999]
        );
    }

    #[test]
    fn organisation_runs() {
        let found = organisations(
            "I was an engineer at Globex Corporation, and before that at Initech. \
             I worked for Bank of America for three years, at scale, in March. \
             At Acme I learned a lot. Applying for Kubernetes work.",
        );
        let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Globex Corporation", "Initech", "Bank of America", "Acme"]
        );
    }
}
