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
use vitae_common::resume::{Education, Project, Skill, Volunteer, Work};
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
    let values = |items: &[Work]| items.iter().map(to_value).collect::<Vec<_>>();
    check_positions(
        source,
        "work",
        "employer",
        &values(&source.work),
        &values(&candidate.work),
        &source.work.iter().map(Position::work).collect::<Vec<_>>(),
        &candidate
            .work
            .iter()
            .map(Position::work)
            .collect::<Vec<_>>(),
        &mut out,
    );
    let values = |items: &[Volunteer]| items.iter().map(to_value).collect::<Vec<_>>();
    check_positions(
        source,
        "volunteer",
        "organization",
        &values(&source.volunteer),
        &values(&candidate.volunteer),
        &source
            .volunteer
            .iter()
            .map(Position::volunteer)
            .collect::<Vec<_>>(),
        &candidate
            .volunteer
            .iter()
            .map(Position::volunteer)
            .collect::<Vec<_>>(),
        &mut out,
    );
    check_education(&source.education, &candidate.education, &mut out);
    check_skills(&source.skills, &candidate.skills, &mut out);
    check_projects(source, &source.projects, &candidate.projects, &mut out);
    check_unchanged(
        "awards",
        &source.awards,
        &candidate.awards,
        "title",
        &mut out,
    );
    check_unchanged(
        "certificates",
        &source.certificates,
        &candidate.certificates,
        "name",
        &mut out,
    );
    check_unchanged(
        "publications",
        &source.publications,
        &candidate.publications,
        "name",
        &mut out,
    );
    check_unchanged(
        "languages",
        &source.languages,
        &candidate.languages,
        "language",
        &mut out,
    );
    check_unchanged(
        "interests",
        &source.interests,
        &candidate.interests,
        "name",
        &mut out,
    );
    check_unchanged(
        "references",
        &source.references,
        &candidate.references,
        "name",
        &mut out,
    );
    let extra_src = Value::Object(source.extra.clone());
    let extra_cand = Value::Object(candidate.extra.clone());
    diff_values("", &extra_src, &extra_cand, &mut out);
    out
}

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

/// A work or volunteer entry, seen through the fields that identify it.
struct Position<'a> {
    org_field: &'static str,
    org: Option<&'a str>,
    position: Option<&'a str>,
    start: Option<&'a str>,
    end: Option<&'a str>,
    highlights: &'a [String],
    /// Free-text fields: (JSON name, value).
    texts: Vec<(&'static str, Option<&'a str>)>,
    /// Everything else, which must be unchanged.
    rest: Value,
}

impl<'a> Position<'a> {
    fn work(w: &'a Work) -> Position<'a> {
        let mut rest = to_value(w);
        strip(
            &mut rest,
            &[
                "name",
                "position",
                "startDate",
                "endDate",
                "highlights",
                "summary",
                "description",
            ],
        );
        Position {
            org_field: "name",
            org: w.name.as_deref(),
            position: w.position.as_deref(),
            start: w.start_date.as_deref(),
            end: w.end_date.as_deref(),
            highlights: &w.highlights,
            texts: vec![
                ("summary", w.summary.as_deref()),
                ("description", w.description.as_deref()),
            ],
            rest,
        }
    }

    fn volunteer(v: &'a Volunteer) -> Position<'a> {
        let mut rest = to_value(v);
        strip(
            &mut rest,
            &[
                "organization",
                "position",
                "startDate",
                "endDate",
                "highlights",
                "summary",
            ],
        );
        Position {
            org_field: "organization",
            org: v.organization.as_deref(),
            position: v.position.as_deref(),
            start: v.start_date.as_deref(),
            end: v.end_date.as_deref(),
            highlights: &v.highlights,
            texts: vec![("summary", v.summary.as_deref())],
            rest,
        }
    }

    fn id(&self) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>) {
        (self.org, self.position, self.start, self.end)
    }
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
fn check_strings(
    path: &str,
    what: &str,
    cand: &[String],
    reference: &[&String],
    out: &mut Vec<String>,
) {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for r in reference {
        *left.entry(r.as_str()).or_default() += 1;
    }
    for (k, s) in cand.iter().enumerate() {
        match left.get_mut(s.as_str()) {
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
fn signature<T: Serialize>(entry: &T, lists: &[&str]) -> Value {
    let mut v = to_value(entry);
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

#[allow(clippy::too_many_arguments)]
fn check_positions(
    source: &Resume,
    section: &str,
    org_word: &str,
    src_entries: &[Value],
    cand_entries: &[Value],
    src: &[Position],
    cand: &[Position],
    out: &mut Vec<String>,
) {
    let sig_src: Vec<Value> = src_entries
        .iter()
        .map(|e| signature(e, &["highlights"]))
        .collect();
    let sig_cand: Vec<Value> = cand_entries
        .iter()
        .map(|e| signature(e, &["highlights"]))
        .collect();
    let pairs = pair_entries(
        section,
        cand.len(),
        src.len(),
        |i, j| sig_cand[i] == sig_src[j],
        out,
    );
    let used = used(&pairs, src.len());
    let all_highlights: Vec<&String> = src.iter().flat_map(|p| p.highlights).collect();
    for (i, (c, pair)) in cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("{section}[{i}]");
        let reference = match pick_reference(src, &used, |s| s.id() == c.id()) {
            Some(r) => Some(r),
            None => {
                let same_org: Vec<&Position> = src.iter().filter(|s| s.org == c.org).collect();
                let same_pos: Vec<&Position> = same_org
                    .iter()
                    .copied()
                    .filter(|s| s.position == c.position)
                    .collect();
                if same_org.is_empty() {
                    out.push(format!(
                        "{path}.{}: {org_word} {} does not appear in the source resume",
                        c.org_field,
                        none_or(c.org)
                    ));
                } else if same_pos.is_empty() {
                    out.push(format!(
                        "{path}.position: {} is not a position held at {} in the source resume",
                        none_or(c.position),
                        none_or(c.org)
                    ));
                } else {
                    let first = same_pos[0];
                    if !same_pos.iter().any(|s| s.start == c.start) {
                        out.push(format!(
                            "{path}.startDate: {} differs from the source ({})",
                            none_or(c.start),
                            source_value(first.start)
                        ));
                    }
                    if !same_pos.iter().any(|s| s.end == c.end) {
                        out.push(format!(
                            "{path}.endDate: {} differs from the source ({})",
                            none_or(c.end),
                            source_value(first.end)
                        ));
                    }
                }
                same_pos.first().copied()
            }
        };
        match reference {
            Some(r) => {
                let refs: Vec<&String> = r.highlights.iter().collect();
                check_strings(
                    &format!("{path}.highlights"),
                    "highlight",
                    c.highlights,
                    &refs,
                    out,
                );
                check_texts(source, &path, &c.texts, Some(&r.texts), out);
                diff_values(&path, &r.rest, &c.rest, out);
            }
            None => {
                for (k, h) in c.highlights.iter().enumerate() {
                    if !all_highlights.contains(&h) {
                        out.push(format!(
                            "{path}.highlights[{k}]: highlight {} is not in the source resume",
                            show_str(h)
                        ));
                    }
                }
                check_texts(source, &path, &c.texts, None, out);
            }
        }
    }
}

fn check_education(src: &[Education], cand: &[Education], out: &mut Vec<String>) {
    let sig_src: Vec<Value> = src.iter().map(|e| signature(e, &["courses"])).collect();
    let sig_cand: Vec<Value> = cand.iter().map(|e| signature(e, &["courses"])).collect();
    let pairs = pair_entries(
        "education",
        cand.len(),
        src.len(),
        |i, j| sig_cand[i] == sig_src[j],
        out,
    );
    let used = used(&pairs, src.len());
    for (i, (c, pair)) in cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("education[{i}]");
        match pick_reference(src, &used, |s| s.institution == c.institution) {
            Some(r) => diff_values(&path, &to_value(r), &to_value(c), out),
            None => out.push(format!(
                "{path}.institution: {} does not appear in the source resume",
                none_or(c.institution.as_deref())
            )),
        }
    }
}

fn check_skills(src: &[Skill], cand: &[Skill], out: &mut Vec<String>) {
    let sig_src: Vec<Value> = src.iter().map(|e| signature(e, &["keywords"])).collect();
    let sig_cand: Vec<Value> = cand.iter().map(|e| signature(e, &["keywords"])).collect();
    let pairs = pair_entries(
        "skills",
        cand.len(),
        src.len(),
        |i, j| sig_cand[i] == sig_src[j],
        out,
    );
    let used = used(&pairs, src.len());
    let all_keywords: Vec<&String> = src.iter().flat_map(|s| &s.keywords).collect();
    for (i, (c, pair)) in cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("skills[{i}]");
        let reference = pick_reference(src, &used, |s| s.name == c.name);
        if reference.is_none() {
            out.push(format!(
                "{path}.name: skill {} is not in the source resume",
                none_or(c.name.as_deref())
            ));
        }
        // Keywords may move between skill groups (that claims nothing new)
        // but each must exist in the source, and not be repeated.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (k, kw) in c.keywords.iter().enumerate() {
            if !all_keywords.contains(&kw) {
                out.push(format!(
                    "{path}.keywords[{k}]: skill keyword {} is not in the source resume",
                    show_str(kw)
                ));
                continue;
            }
            let n = counts.entry(kw.as_str()).or_default();
            *n += 1;
            let allowed = reference
                .map(|r| r.keywords.iter().filter(|x| *x == kw).count())
                .unwrap_or(1)
                .max(1);
            if *n > allowed {
                out.push(format!(
                    "{path}.keywords[{k}]: {} is repeated",
                    show_str(kw)
                ));
            }
        }
        if let Some(r) = reference {
            let mut rv = to_value(r);
            let mut cv = to_value(c);
            strip(&mut rv, &["keywords"]);
            strip(&mut cv, &["keywords"]);
            diff_values(&path, &rv, &cv, out);
        }
    }
}

fn check_projects(source: &Resume, src: &[Project], cand: &[Project], out: &mut Vec<String>) {
    let lists = ["highlights", "keywords"];
    let sig_src: Vec<Value> = src.iter().map(|e| signature(e, &lists)).collect();
    let sig_cand: Vec<Value> = cand.iter().map(|e| signature(e, &lists)).collect();
    let pairs = pair_entries(
        "projects",
        cand.len(),
        src.len(),
        |i, j| sig_cand[i] == sig_src[j],
        out,
    );
    let used = used(&pairs, src.len());
    let all_highlights: Vec<&String> = src.iter().flat_map(|p| &p.highlights).collect();
    let id = |p: &Project| (p.name.clone(), p.start_date.clone(), p.end_date.clone());
    for (i, (c, pair)) in cand.iter().zip(&pairs).enumerate() {
        if pair.is_some() {
            continue;
        }
        let path = format!("projects[{i}]");
        let reference = match pick_reference(src, &used, |s| id(s) == id(c)) {
            Some(r) => Some(r),
            None => {
                let same = pick_reference(src, &used, |s| s.name == c.name);
                match same {
                    None => out.push(format!(
                        "{path}.name: project {} is not in the source resume",
                        none_or(c.name.as_deref())
                    )),
                    Some(first) => {
                        for (field, got, want) in [
                            ("startDate", &c.start_date, &first.start_date),
                            ("endDate", &c.end_date, &first.end_date),
                        ] {
                            if got != want {
                                out.push(format!(
                                    "{path}.{field}: {} differs from the source ({})",
                                    none_or(got.as_deref()),
                                    source_value(want.as_deref())
                                ));
                            }
                        }
                    }
                }
                same
            }
        };
        let texts = [("description", c.description.as_deref())];
        match reference {
            Some(r) => {
                let hl: Vec<&String> = r.highlights.iter().collect();
                check_strings(
                    &format!("{path}.highlights"),
                    "highlight",
                    &c.highlights,
                    &hl,
                    out,
                );
                let kw: Vec<&String> = r.keywords.iter().collect();
                check_strings(
                    &format!("{path}.keywords"),
                    "keyword",
                    &c.keywords,
                    &kw,
                    out,
                );
                let rt = [("description", r.description.as_deref())];
                check_texts(source, &path, &texts, Some(&rt), out);
                let mut rv = to_value(r);
                let mut cv = to_value(c);
                let fields = [
                    "name",
                    "startDate",
                    "endDate",
                    "highlights",
                    "keywords",
                    "description",
                ];
                strip(&mut rv, &fields);
                strip(&mut cv, &fields);
                diff_values(&path, &rv, &cv, out);
            }
            None => {
                for (k, h) in c.highlights.iter().enumerate() {
                    if !all_highlights.contains(&h) {
                        out.push(format!(
                            "{path}.highlights[{k}]: highlight {} is not in the source resume",
                            show_str(h)
                        ));
                    }
                }
                check_texts(source, &path, &texts, None, out);
            }
        }
    }
}

/// Sections tailoring never edits: every candidate entry must be a source
/// entry, unchanged, at most as often as in the source.
fn check_unchanged<T: Serialize>(
    section: &str,
    src: &[T],
    cand: &[T],
    label_field: &str,
    out: &mut Vec<String>,
) {
    let sv: Vec<Value> = src.iter().map(to_value).collect();
    let cv: Vec<Value> = cand.iter().map(to_value).collect();
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
