//! Section bodies → JSON Resume entries (work, education, projects, skills,
//! awards, certificates, publications, languages, interests, references,
//! volunteer).
//!
//! Two steps per dated section. Segmentation: lines are classed as *head*
//! (dates, bold, larger, short title-like lines), *text* (sentences: a
//! summary) or *item* (bullets, indented list lines, with their wrapped
//! continuations); an entry is a run of head lines followed by its text and
//! items, and a head run holding several dates is cut so that each entry
//! keeps one (the offset of the date inside the first entry is the layout's
//! pattern). Field assignment: the head lines' cells are split at the
//! separators resumes use (`|`, `·`, ` at `, dashes, commas that are not part
//! of "A, B and C" company names) and the pieces are scored against
//! vocabularies (job-title words, company suffixes, institution words,
//! degree names) with their position (first cell of a line vs a right-hand
//! cell) as a tie-breaker.

use std::collections::BTreeMap;

use vitae_common::resume::{
    Award, Certificate, Education, Interest, Language, Project, Publication, Reference, Skill,
    Volunteer, Work,
};
use vitae_common::Resume;

use crate::basics::join_paragraph;
use crate::dates::{self, DateRange};
use crate::ir::{Line, CELL};
use crate::lang;
use crate::sections::{Kind, Section, Sectioned};

/// One entry's lines.
#[derive(Debug, Default, Clone)]
pub struct Entry {
    pub head: Vec<Line>,
    pub text: Vec<String>,
    pub items: Vec<String>,
    /// Items listed under a "Courses" label.
    pub courses: Vec<String>,
    pub range: Option<DateRange>,
}

/// A head piece: its text and whether it began its line.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    first_cell: bool,
}

pub fn fill(
    doc: &Sectioned,
    resume: &mut Resume,
    warnings: &mut Vec<String>,
    confidence: &mut BTreeMap<String, f32>,
) {
    let mut unread_dates = 0usize;
    for section in &doc.sections {
        match section.kind {
            Kind::Work => {
                for e in segment(section, doc.body_size) {
                    if let Some(w) = work(&e, &mut unread_dates) {
                        resume.work.push(w);
                    }
                }
            }
            Kind::Volunteer => {
                for e in segment(section, doc.body_size) {
                    if let Some(w) = work(&e, &mut unread_dates) {
                        resume.volunteer.push(Volunteer {
                            organization: w.name,
                            position: w.position,
                            start_date: w.start_date,
                            end_date: w.end_date,
                            summary: w.summary,
                            highlights: w.highlights,
                            ..Volunteer::default()
                        });
                    }
                }
            }
            Kind::Education => {
                for e in segment(section, doc.body_size) {
                    if let Some(ed) = education(&e) {
                        resume.education.push(ed);
                    }
                }
            }
            Kind::Projects => {
                for e in segment(section, doc.body_size) {
                    if let Some(p) = project(&e) {
                        resume.projects.push(p);
                    }
                }
            }
            Kind::Skills => {
                for group in skills(section) {
                    match spoken_languages(&group) {
                        Some(spoken) => resume.languages.extend(spoken),
                        None => resume.skills.push(group),
                    }
                }
            }
            Kind::Awards => {
                for e in segment(section, doc.body_size) {
                    let (title, other) = title_and_other(&e);
                    if let Some(title) = title {
                        resume.awards.push(Award {
                            title: Some(title),
                            awarder: other,
                            date: e.range.as_ref().map(|r| r.start.iso()),
                            summary: summary(&e),
                            ..Award::default()
                        });
                    }
                }
            }
            Kind::Certificates => {
                for e in segment(section, doc.body_size) {
                    let (title, other) = title_and_other(&e);
                    if let Some(title) = title {
                        resume.certificates.push(Certificate {
                            name: Some(title),
                            issuer: other,
                            date: e.range.as_ref().map(|r| r.start.iso()),
                            ..Certificate::default()
                        });
                    }
                }
            }
            Kind::Publications => {
                for e in segment(section, doc.body_size) {
                    let (title, other) = title_and_other(&e);
                    if let Some(title) = title {
                        resume.publications.push(Publication {
                            name: Some(title),
                            publisher: other,
                            release_date: e.range.as_ref().map(|r| r.start.iso()),
                            summary: summary(&e),
                            ..Publication::default()
                        });
                    }
                }
            }
            Kind::Languages => resume.languages.extend(languages(section)),
            Kind::Interests => {
                for line in &section.lines {
                    let t = line.flat();
                    let (name, rest) = split_label(&t);
                    let name = name.unwrap_or_else(|| t.clone());
                    if name.is_empty() {
                        continue;
                    }
                    resume.interests.push(Interest {
                        name: Some(name),
                        keywords: rest.map(|r| split_list(&r)).unwrap_or_default(),
                        ..Interest::default()
                    });
                }
            }
            Kind::References => {
                let text: Vec<&str> = section.lines.iter().map(|l| l.text.as_str()).collect();
                if !text.is_empty() {
                    resume.references.push(Reference {
                        reference: Some(join_paragraph(&text)),
                        ..Reference::default()
                    });
                }
            }
            Kind::Summary | Kind::Contact | Kind::Other => {}
        }
    }
    if unread_dates > 0 {
        warnings.push(format!(
            "{unread_dates} date{} could not be read",
            if unread_dates == 1 { "" } else { "s" }
        ));
    }
    for (i, w) in resume.work.iter().enumerate() {
        let c = if w.start_date.is_some() { 0.8 } else { 0.5 };
        confidence.insert(format!("work[{i}].name"), c);
        confidence.insert(format!("work[{i}].position"), c);
        if w.start_date.is_some() {
            confidence.insert(format!("work[{i}].startDate"), 0.85);
        }
    }
    for (i, e) in resume.education.iter().enumerate() {
        confidence.insert(
            format!("education[{i}].institution"),
            if e.institution.as_deref().is_some_and(has_institution_word) {
                0.9
            } else {
                0.6
            },
        );
    }
    for (i, e) in resume.education.iter().enumerate() {
        // A degree from the language tables is surer than a field guessed
        // from position.
        if e.study_type.is_some() {
            confidence.insert(format!("education[{i}].studyType"), 0.85);
        }
        if e.area.is_some() {
            let c = if e.study_type.is_some() { 0.8 } else { 0.5 };
            confidence.insert(format!("education[{i}].area"), c);
        }
        if e.start_date.is_some() || e.end_date.is_some() {
            confidence.insert(format!("education[{i}].startDate"), 0.85);
        }
    }
    for (i, s) in resume.skills.iter().enumerate() {
        if s.name.is_some() {
            confidence.insert(format!("skills[{i}].name"), 0.75);
        }
        if !s.keywords.is_empty() {
            confidence.insert(format!("skills[{i}].keywords"), 0.8);
        }
    }
    for (i, p) in resume.projects.iter().enumerate() {
        let c = if p.start_date.is_some() || p.description.is_some() {
            0.75
        } else {
            0.55
        };
        confidence.insert(format!("projects[{i}].name"), c);
    }
    if resume.work.is_empty() && doc.section(Kind::Work).next().is_none() {
        warnings.push("no work experience section found".into());
    }
}

// ---------------------------------------------------------------------------
// Segmentation

/// Head lines and classified body lines of one entry, before field reading.
type RawEntry = (Vec<Line>, Vec<(Class, String)>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Head,
    Text,
    Item,
    /// A wrapped continuation of the previous item or text line.
    Cont,
    /// A sub-label such as "Highlights" that carries no data.
    Label,
}

const SUB_LABELS: &[&str] = &[
    "highlights",
    "responsibilities",
    "achievements",
    "key achievements",
    "accomplishments",
    "tasks",
    "duties",
    "key responsibilities",
    "main responsibilities",
    "courses",
    "major courses",
    "relevant courses",
    "coursework",
    "relevant coursework",
];

fn is_sentence(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let t = text.trim_end();
    // Prose without a final period: "A web application for writing essays"
    // (names and titles capitalise their words).
    let lower = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    // "Chef de projet informatique, Bordeaux": French and Spanish titles
    // keep their later words lowercase, but start with a title word.
    let titled = words <= 8
        && text
            .split_whitespace()
            .next()
            .is_some_and(|w| is_role_word(&w.to_lowercase()));
    // "Greco & Esposito S.p.A.", "Acme Co.": the period ends an
    // abbreviation, not a sentence.
    let last = t.rsplit(' ').next().unwrap_or(t);
    let abbreviation = lang::is_company_word(last) || last.trim_end_matches('.').contains('.') || {
        let w = last.trim_end_matches('.');
        w.chars().count() <= 3
            && w.chars().all(char::is_alphabetic)
            && w.chars().next().is_some_and(char::is_uppercase)
    };
    (t.ends_with('.') && words >= 3 && !abbreviation)
        || words > 12
        || (words >= 5 && lower * 10 >= words * 6 && !text.contains(CELL) && !titled)
}

fn starts_lower(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_lowercase())
}

/// Merge a date range wrapped onto the next line ("April 2019 – December" / "2021").
/// The first cell of a line when it is a lone date ("2012", "Sep 2012",
/// "Present"), with the rest of the line.
fn lone_date_cell(text: &str) -> Option<(&str, &str)> {
    let (first, rest) = text.split_once(CELL).unwrap_or((text, ""));
    let first = first.trim();
    let lower = first.to_lowercase();
    let present = matches!(lower.as_str(), "present" | "current" | "now" | "today");
    let single = dates::find_range(first).is_some_and(|r| r.end.is_none() && !r.present)
        && dates::is_date_line(first)
        && first.chars().count() <= 14;
    (present || single).then_some((first, rest.trim()))
}

/// "January 2022 – February ⇥ Role…" / "2023 ⇥ text": a date range set in a
/// narrow left cell wraps (even inside a word: "Novem" / "ber 2021"). The
/// end goes back to the range; the rest of the second line stays.
fn mend_date_cell(prev: &mut Line, line: &mut Line) -> bool {
    let Some((pfirst, prest)) = prev.text.split_once(CELL) else {
        return false;
    };
    let pfirst = pfirst.trim();
    let Some((first, rest)) = line
        .text
        .split_once(CELL)
        .or(Some((line.text.as_str(), "")))
    else {
        return false;
    };
    let first = first.trim();
    let Some(last_word) = pfirst.rsplit(' ').next() else {
        return false;
    };
    let open_dash = pfirst.ends_with(['–', '-', '—']);
    let open_month = dates::month_number(last_word).is_some();
    let year_tail = |t: &str| {
        let y = t.rsplit(' ').next().unwrap_or("");
        y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) && t.split(' ').count() <= 2
    };
    if !year_tail(first) || !pfirst.contains(['–', '-', '—']) {
        return false;
    }
    let frag_first = first
        .split(' ')
        .next()
        .is_some_and(|w| w.chars().all(char::is_alphabetic) && !w.is_empty());
    let joined = if (open_dash || open_month) && !frag_first {
        format!("{pfirst} {first}")
    } else {
        // "Novem" + "ber 2021": a word broken without a hyphen.
        let candidate = format!("{pfirst}{first}");
        let w = candidate.rsplit(' ').nth(1).unwrap_or("");
        if dates::month_number(w).is_none() {
            return false;
        }
        candidate
    };
    if dates::find_range(&joined).is_none_or(|r| r.end.is_none() && !r.present) {
        return false;
    }
    prev.text = format!("{joined}{CELL}{}", prest.trim());
    line.text = rest.trim().to_string();
    true
}

/// "2013 2017" / "Sep 2013 Jun 2017": two dates with only a space between
/// (a converter dropped the dash) are a range.
fn join_bare_range(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 2 || words.len() > 6 {
        return None;
    }
    let single = |t: &str| {
        dates::find_range(t)
            .filter(|r| r.end.is_none() && !r.present && r.span == (0, t.len()))
            .map(|r| r.start)
    };
    for k in 1..words.len() {
        let (left, right) = (words[..k].join(" "), words[k..].join(" "));
        if let (Some(a), Some(b)) = (single(&left), single(&right)) {
            if b.year >= a.year {
                return Some(format!("{left} – {right}"));
            }
        }
    }
    None
}

fn merge_wrapped_dates(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    // Whether the last line pushed began with a lone start date.
    let mut open_start = false;
    for line in lines {
        let joined_range;
        let line = match join_bare_range(line.text.trim()) {
            Some(t) => {
                joined_range = Line {
                    text: t,
                    ..line.clone()
                };
                &joined_range
            }
            None => line,
        };
        // A date column: "2012 ⇥ Institute of" / "2014 ⇥ Technology" — the
        // start on one line, the end on the next. Put the range on the first
        // line; the second line's text continues it (after "of", "and") or
        // stands as its own line.
        if open_start {
            if let (Some(prev), Some((end, rest))) = (out.last_mut(), lone_date_cell(&line.text)) {
                let prev_text = prev.text.clone();
                if let Some((start, prev_rest)) = lone_date_cell(&prev_text) {
                    let connector = prev_rest
                        .rsplit(' ')
                        .next()
                        .is_some_and(|w| ["of", "and", "for", "de", "&", "in", "at"].contains(&w));
                    let mut text = format!("{start} – {end}{CELL}{prev_rest}");
                    if connector && !rest.is_empty() {
                        text.push(' ');
                        text.push_str(rest);
                    }
                    prev.text = text;
                    open_start = false;
                    if !connector && !rest.is_empty() {
                        let mut next = line.clone();
                        next.text = rest.to_string();
                        next.block_start = false;
                        out.push(next);
                    }
                    continue;
                }
            }
        }
        // "… Institute of ⇥ Sept 2020 – May 2024" / "Technology": a name
        // wrapped after a connecting word continues on the next line.
        if let Some(prev) = out.last_mut() {
            let t = line.text.trim();
            // The wrapped cell: the first, or the last after a date cell
            // ("Oct 2017 – Jul 2019 ⇥ …, University of" / "Timothychester.").
            let date_first = prev
                .text
                .split(CELL)
                .next()
                .is_some_and(|c| dates::is_date_line(c.trim()));
            let first = match prev.text.rsplit_once(CELL) {
                Some((_, last)) if date_first => last.trim_end(),
                _ => prev.text.split(CELL).next().unwrap_or("").trim_end(),
            };
            let connector = first.rsplit(' ').next().is_some_and(is_name_connector);
            if connector
                && first.contains(' ')
                && !line.block_start
                && !line.bullet
                && !t.contains(CELL)
                && t.split_whitespace().count() <= 4
                && t.chars().next().is_some_and(char::is_uppercase)
                && dates::find_range(t).is_none()
            {
                let at = prev.text.find(first).unwrap_or(0) + first.len();
                let (head, rest) = prev.text.split_at(at);
                prev.text = format!("{head} {t}{rest}");
                continue;
            }
        }
        if let Some(prev) = out.last_mut() {
            let mut cur = line.clone();
            if prev.text.contains(CELL) && mend_date_cell(prev, &mut cur) {
                if !cur.text.is_empty() {
                    cur.block_start = false;
                    out.push(cur);
                }
                open_start = false;
                continue;
            }
        }
        open_start = lone_date_cell(&line.text).is_some_and(|(d, _)| {
            !matches!(
                d.to_lowercase().as_str(),
                "present" | "current" | "now" | "today"
            )
        });
        if let Some(prev) = out.last_mut() {
            let t = line.text.trim();
            let is_year = t.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
            let prev_last = prev
                .text
                .rsplit(CELL)
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let open_end = prev_last.ends_with(['–', '-', '—'])
                || prev_last
                    .rsplit(' ')
                    .next()
                    .is_some_and(|w| dates::month_number(w).is_some());
            if is_year && open_end && dates::find_range(&prev_last).is_some() {
                prev.text.push(' ');
                prev.text.push_str(t);
                continue;
            }
            // "… – Septem" / "ber 2022": a month broken inside the word.
            if let Some((frag, year)) = t.split_once(' ') {
                let stub = prev_last.rsplit(' ').next().unwrap_or("");
                let year_ok = year.len() == 4 && year.chars().all(|c| c.is_ascii_digit());
                if year_ok
                    && !stub.is_empty()
                    && frag.chars().all(char::is_alphabetic)
                    && dates::month_number(&format!("{stub}{frag}")).is_some()
                    && dates::find_range(&prev_last).is_some()
                {
                    prev.text.push_str(t);
                    continue;
                }
            }
        }
        out.push(line.clone());
    }
    out
}

/// A degree set in a narrow cell beside the institution wraps inside words:
/// "Bach ⇥ Uni, Area" / "elor of" / "Arts". When the first cell (or word)
/// and the short lines under it spell a known degree with the spaces
/// removed, the head line gets the degree back as its own cell.
fn mend_degree_fragments(lines: Vec<Line>) -> Vec<Line> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let is_fragment = |l: &Line| {
        let t = l.text.trim();
        !t.is_empty()
            && t.chars().count() <= 8
            && !t.contains(CELL)
            && !l.bullet
            && !t.chars().any(|c| c.is_ascii_digit())
    };
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        // Degree names are short: a handful of fragments at most.
        let mut j = i + 1;
        while j < lines.len() && j <= i + 8 && is_fragment(&lines[j]) {
            j += 1;
        }
        if j > i + 1 {
            let text = line.text.trim();
            let (first, rest) = match text.split_once(CELL) {
                Some((f, r)) if !f.contains(' ') => (f, r),
                _ => text.split_once(' ').unwrap_or((text, "")),
            };
            let mut spelled = norm(first);
            for l in &lines[i + 1..j] {
                spelled.push_str(&norm(&l.text));
            }
            if let Some(d) = lang::degrees().iter().find(|d| norm(d) == spelled) {
                let mut head = line.clone();
                head.text = format!("{d}{CELL}{}", rest.trim());
                out.push(head);
                i = j;
                continue;
            }
        }
        out.push(line.clone());
        i += 1;
    }
    out
}

pub fn segment(section: &Section, body_size: f32) -> Vec<Entry> {
    let mut lines = if section.kind == Kind::Education {
        merge_wrapped_dates(&mend_degree_fragments(section.lines.clone()))
    } else {
        merge_wrapped_dates(&section.lines)
    };
    if lines.is_empty() {
        return Vec::new();
    }
    // A section written as one list (every line a list item, as some
    // converters emit): the list marks say nothing about entry heads, so a
    // date line and the line before it are heads, not items.
    let bullets = lines.iter().filter(|l| l.bullet).count();
    if lines.len() >= 3 && bullets * 10 >= lines.len() * 9 {
        let dated: Vec<bool> = lines
            .iter()
            .map(|l| crate::dates::find_range(&l.text).is_some() && l.text.chars().count() <= 60)
            .collect();
        // The title before the date — unless a styled title follows it.
        let styled_next = |i: usize| lines.get(i + 1).is_some_and(|n| n.heading > 0 || n.bold);
        // A bold item over plain ones names its entry as well.
        let bold_head = |i: usize| {
            lines[i].bold
                && lines[i].text.split_whitespace().count() <= 8
                && lines.get(i + 1).is_some_and(|n| !n.bold)
        };
        let heads: Vec<bool> = (0..lines.len())
            .map(|i| {
                dated[i]
                    || (dated.get(i + 1).copied().unwrap_or(false) && !styled_next(i + 1))
                    || bold_head(i)
            })
            .collect();
        for (line, head) in lines.iter_mut().zip(heads) {
            if head {
                line.bullet = false;
            }
        }
    }
    // "Name: description" lines are projects of their own only in a list of
    // undated names; under a dated head ("Pixel Sync ⇥ 2020") such a line
    // ("Privates Projekt: Web-App …") describes that head's project.
    let named_projects = section.kind == Kind::Projects
        && !lines
            .iter()
            .any(|l| !named_line(&l.text) && dates::find_range(&l.text).is_some());
    // A projects list of "Name: description" items: each item is a project.
    if named_projects
        && lines.iter().all(|l| l.bullet)
        && lines.iter().filter(|l| named_line(&l.text)).count() * 2 > lines.len()
    {
        for line in lines.iter_mut().filter(|l| named_line(&l.text)) {
            line.bullet = false;
            line.block_start = true;
        }
    }
    // The left edge of the section's non-list lines (lines split off a
    // gutter heading row have no x of their own and are skipped).
    // The leftmost x shared by two or more lines: one line drawn a little
    // left of the rest (after an icon) does not make everything "indented".
    let mut xs: Vec<f32> = lines
        .iter()
        .filter(|l| !l.bullet && l.x > 0.0)
        .map(|l| l.x)
        .collect();
    xs.sort_by(f32::total_cmp);
    let shared = xs
        .windows(2)
        .find(|w| w[1] - w[0] < 1.0)
        .map_or(f32::MAX, |w| w[0]);
    let base_x = if shared < f32::MAX {
        shared
    } else {
        xs.iter().copied().fold(f32::MAX, f32::min)
    };
    let base_x = if base_x == f32::MAX { 0.0 } else { base_x };
    let has_x = lines.iter().any(|l| l.x > 0.0);
    // Where list glyphs stand: a line without a glyph starting there is
    // body text beside the list (a summary), not an item set by indent.
    let mut bullet_xs: Vec<f32> = lines
        .iter()
        .filter(|l| l.bullet && l.x > 0.0)
        .map(|l| l.x)
        .collect();
    bullet_xs.sort_by(f32::total_cmp);
    bullet_xs.dedup_by(|a, b| (*a - *b).abs() < 0.25);
    let at_bullet_x = |l: &Line| {
        // Sorted: the neighbours of the insertion point are the nearest.
        let i = bullet_xs.partition_point(|x| *x < l.x);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|j| bullet_xs.get(j))
            .any(|x| (x - l.x).abs() < 1.0)
    };
    let sized = lines.iter().any(|l| l.size > 0.0);
    let indent_unit = if sized { 6.0 } else { 1.5 };
    // Fixed-width text drifts sideways from entry to entry (`pdftotext
    // -layout` pads lines per block): there an entry's own date line marks
    // its left edge — the nearest one (before it on ties).
    let dated_x: Vec<Option<f32>> = lines
        .iter()
        .map(|l| (l.x > 0.0 && !l.bullet && dates::is_date_line(&l.flat())).then_some(l.x))
        .collect();
    // Nearest date line before / after each line, in one pass each way.
    let mut before: Vec<Option<(usize, f32)>> = Vec::with_capacity(lines.len());
    let mut last: Option<(usize, f32)> = None;
    for (i, x) in dated_x.iter().enumerate() {
        if let Some(x) = x {
            last = Some((i, *x));
        }
        before.push(last);
    }
    let mut after: Vec<Option<(usize, f32)>> = vec![None; lines.len()];
    let mut next: Option<(usize, f32)> = None;
    for (i, x) in dated_x.iter().enumerate().rev() {
        if let Some(x) = x {
            next = Some((i, *x));
        }
        after[i] = next;
    }
    let line_base: Vec<f32> = (0..lines.len())
        .map(|i| {
            if sized {
                return base_x;
            }
            let back = before[i].map(|(j, x)| (i - j, x));
            let ahead = after[i].map(|(j, x)| (j - i, x));
            match (back, ahead) {
                (Some((db, xb)), Some((da, xa))) => {
                    if da < db {
                        xa
                    } else {
                        xb
                    }
                }
                (Some((_, x)), None) | (None, Some((_, x))) => x,
                (None, None) => base_x,
            }
        })
        .collect();

    // Classify.
    let mut classes: Vec<Class> = Vec::with_capacity(lines.len());
    let mut last_item_x: Option<f32> = None;
    let mut label_x: Option<f32> = None;
    // Runs of indented lines without glyphs: a list whose items are spaced
    // apart (gaps inside the run) has its wrapped lines without a gap.
    let indented: Vec<bool> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| has_x && !l.bullet && l.x > line_base[i] + indent_unit && !at_bullet_x(l))
        .collect();
    let mut spaced_run = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !indented[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && indented[i] {
            i += 1;
        }
        let spaced = lines[start + 1..i].iter().any(|l| l.block_start);
        for flag in &mut spaced_run[start..i] {
            *flag = spaced;
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        let lower = text.trim_end_matches(':').to_lowercase();
        let has_date = line.cells().any(|c| dates::find_range(c).is_some());
        let prev = classes.last().copied();
        let labelled_list = text.split_once(':').is_some_and(|(l, r)| {
            !r.trim().is_empty() && SUB_LABELS.contains(&l.trim().to_lowercase().as_str())
        });
        let class = if SUB_LABELS.contains(&lower.as_str()) {
            Class::Label
        } else if labelled_list && !has_date {
            // "Major courses: A · B": a list with its label, not an entry head.
            Class::Item
        } else if let Some(lx) = label_x.filter(|lx| {
            // The list under a "Highlights:" / "Courses" label, however it is set.
            !has_date
                && !line.bold
                && line.heading == 0
                && (if has_x {
                    line.x >= *lx + indent_unit * 0.75
                } else {
                    line.bullet
                })
                && matches!(prev, Some(Class::Label | Class::Item | Class::Cont))
        }) {
            let _ = lx;
            let wrapped = (!line.block_start
                && (starts_lower(text)
                    || spaced_run[i]
                    || !text.chars().next().is_some_and(char::is_uppercase)))
                || (!sized && starts_lower(text));
            if line.bullet || matches!(prev, Some(Class::Label)) || !wrapped {
                Class::Item
            } else {
                Class::Cont
            }
        } else if line.heading > 0 && line.heading < 6 {
            Class::Head
        } else if line.bullet {
            if dates::is_date_line(text) {
                Class::Head
            } else {
                Class::Item
            }
        } else if matches!(prev, Some(Class::Item | Class::Cont))
            && !has_date
            && !line.bold
            && !line.bullet
            && ((!line.block_start
                && text.split_whitespace().count() <= 2
                && !text.chars().next().is_some_and(char::is_alphabetic))
                || (!sized && starts_lower(text) && last_item_x.is_some_and(|x| line.x >= x - 0.5)))
        {
            // "… by" / "40%": the tail of a wrapped item; in fixed-width text a
            // blank line may split a wrapped item where the other column had text.
            Class::Cont
        } else if !line.block_start
            && !has_date
            && !line.bold
            && ((matches!(prev, Some(Class::Item | Class::Cont))
                && (has_x && last_item_x.is_some_and(|x| line.x > x + 1.0) || starts_lower(text)))
                || (matches!(prev, Some(Class::Text)) && starts_lower(text)))
        {
            Class::Cont
        } else if has_date || line.bold || (body_size > 0.0 && line.size > body_size * 1.08) {
            Class::Head
        } else if has_x && line.x > line_base[i] + indent_unit && !has_date && !at_bullet_x(line) {
            // An indented line without a bullet glyph: a list item.
            if matches!(prev, Some(Class::Item | Class::Cont))
                && !line.block_start
                && (starts_lower(text) || spaced_run[i])
            {
                Class::Cont
            } else {
                Class::Item
            }
        } else if named_projects && line.block_start && !line.bullet && named_line(text) {
            // "Kestrel API: Volunteer project to …": one undated project per line.
            Class::Head
        } else if is_sentence(text) {
            Class::Text
        } else {
            Class::Head
        };
        if class == Class::Item {
            last_item_x = Some(line.x);
        }
        match class {
            Class::Label => label_x = Some(line.x),
            Class::Item | Class::Cont => {}
            _ => label_x = None,
        }
        classes.push(class);
    }

    // Group: a head line after text/items starts a new entry.
    // "Name: description" lines of a projects list: one entry each.
    let own_entry: Vec<bool> = lines
        .iter()
        .map(|l| named_projects && l.block_start && !l.bullet && named_line(&l.text))
        .collect();
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut in_body = true;
    for ((line, class), own) in lines.iter().zip(classes.iter().copied()).zip(own_entry) {
        if own && class == Class::Head {
            entries.push((vec![line.clone()], Vec::new()));
            in_body = true;
            continue;
        }
        match class {
            Class::Label => {
                if let Some(e) = entries.last_mut() {
                    e.1.push((Class::Label, line.text.trim().to_string()));
                }
                in_body = true;
            }
            Class::Head => {
                if in_body || entries.is_empty() {
                    entries.push((Vec::new(), Vec::new()));
                }
                in_body = false;
                if let Some(e) = entries.last_mut() {
                    e.0.push(line.clone());
                }
            }
            Class::Text | Class::Item => {
                if entries.is_empty() {
                    entries.push((Vec::new(), Vec::new()));
                }
                if let Some(e) = entries.last_mut() {
                    if e.0.is_empty() && e.1.is_empty() && class == Class::Text {
                        // An entry cannot start with a sentence: treat as head.
                        e.0.push(line.clone());
                        continue;
                    }
                    e.1.push((class, line.text.replace(CELL, " ")));
                }
                in_body = true;
            }
            Class::Cont => {
                if let Some(e) = entries.last_mut() {
                    match e.1.last_mut() {
                        Some((_, t)) => {
                            let joined = join_paragraph(&[t.as_str(), line.text.as_str()]);
                            *t = joined;
                        }
                        None => e.0.push(line.clone()),
                    }
                }
            }
        }
    }

    // Split head runs that hold several dates.
    let mut out = Vec::new();
    for (head, body) in entries {
        let date_idx: Vec<usize> = head
            .iter()
            .enumerate()
            .filter(|(_, l)| l.cells().any(|c| dates::find_range(c).is_some()))
            .map(|(i, _)| i)
            .collect();
        if date_idx.len() <= 1 {
            out.push(make_entry(head, body));
            continue;
        }
        let offset = date_idx[0];
        let mut starts: Vec<usize> = vec![0];
        for w in date_idx.windows(2) {
            let start = w[1].saturating_sub(offset).max(w[0] + 1);
            starts.push(start);
        }
        let n = starts.len();
        let mut body = Some(body);
        for k in 0..n {
            let from = starts[k];
            let to = if k + 1 < n { starts[k + 1] } else { head.len() };
            let part = head[from..to.max(from)].to_vec();
            let b = if k + 1 == n {
                body.take().unwrap_or_default()
            } else {
                Vec::new()
            };
            out.push(make_entry(part, b));
        }
    }
    out
}

fn make_entry(head: Vec<Line>, body: Vec<(Class, String)>) -> Entry {
    let mut e = Entry {
        head,
        ..Entry::default()
    };
    for line in &e.head {
        for cell in line.cells() {
            if let Some(r) = dates::find_range(cell) {
                if e.range.is_none()
                    || e.range.as_ref().is_some_and(|x| {
                        x.end.is_none() && !x.present && (r.end.is_some() || r.present)
                    })
                {
                    e.range = Some(r);
                }
            }
        }
    }
    // A range written over two lines ("2016" / "2019" in a date column).
    if let Some(r) = e.range.as_mut() {
        if r.end.is_none() && !r.present {
            let singles: Vec<DateRange> = e
                .head
                .iter()
                .flat_map(|l| {
                    l.cells()
                        .filter(|c| dates::is_date_line(c))
                        .filter_map(dates::find_range)
                        .collect::<Vec<_>>()
                })
                .collect();
            if let Some(next) = singles
                .iter()
                .find(|d| d.start != r.start && d.end.is_none() && d.start.year >= r.start.year)
            {
                r.end = Some(next.start);
                r.present = next.present;
            }
        }
    }
    let mut in_courses = false;
    let mut after_date = e
        .head
        .last()
        .is_some_and(|l| l.bullet && dates::is_date_line(&l.text));
    for (class, text) in body {
        match class {
            Class::Label => {
                let l = text.trim_end_matches(':').to_lowercase();
                in_courses = l.contains("course");
            }
            Class::Item if in_courses => e.courses.push(text),
            Class::Item => {
                // A bullet that is only a date belongs to the head (Markdown
                // layouts), and so does a short place bullet right after it.
                if dates::is_date_line(&text) && e.range.is_none() {
                    e.range = dates::find_range(&text);
                    after_date = true;
                    continue;
                }
                let place = after_date
                    && e.items.is_empty()
                    && text.split_whitespace().count() <= 4
                    && !text.ends_with('.')
                    && !text.chars().any(|c| c.is_ascii_digit())
                    && text
                        .split_whitespace()
                        .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
                after_date = false;
                if place {
                    e.head.push(Line::new(text));
                } else {
                    e.items.push(text);
                }
            }
            Class::Text => {
                // A date cell on a summary line (right-aligned dates).
                if e.range.is_none() {
                    if let Some(r) = dates::find_range(&text) {
                        if r.span.0 > 0 && dates::is_date_line(&text[r.span.0..]) {
                            let t = text[..r.span.0].trim().to_string();
                            e.range = Some(r);
                            if !t.is_empty() {
                                e.text.push(t);
                            }
                            continue;
                        }
                    }
                }
                e.text.push(text)
            }
            _ => {}
        }
    }
    e
}

fn summary(e: &Entry) -> Option<String> {
    if e.text.is_empty() {
        None
    } else {
        Some(e.text.join(" "))
    }
}

// ---------------------------------------------------------------------------
// Pieces and vocabularies

/// Split head lines into pieces, with date expressions removed.
fn pieces(e: &Entry) -> Vec<Piece> {
    let mut out = Vec::new();
    for line in &e.head {
        for (ci, cell) in line.text.split(CELL).enumerate() {
            let mut cell = cell.trim().to_string();
            // Remove every date expression, and durations like "3 years 10 months".
            while let Some(r) = dates::find_range(&cell) {
                cell = format!("{} {}", &cell[..r.span.0], &cell[r.span.1..]);
            }
            let cell = strip_duration(&cell);
            for part in split_pieces(&cell) {
                let t = trim_piece(&part);
                if t.chars().filter(|c| c.is_alphanumeric()).count() == 0 {
                    continue;
                }
                out.push(Piece {
                    text: t.to_string(),
                    first_cell: ci == 0,
                });
            }
        }
    }
    out
}

/// A piece without the separators around it, without parentheses that do
/// not pair up ("(2019" after a date was cut out) while "Statistics (GPA
/// 3.4)" keeps its own, and without a sentence's final period
/// ("University of Wrightbury." in "Degree, University, City.") unless
/// the last word is an abbreviation (`Inc.`, `Ph.D.`, `B.Sc.`).
fn trim_piece(part: &str) -> &str {
    let seps = |c: char| matches!(c, ',' | '|' | '·' | '–' | '-' | '—');
    let mut t = part.trim().trim_matches(seps).trim();
    loop {
        let before = t;
        let opens = t.matches('(').count();
        let closes = t.matches(')').count();
        if t.starts_with('(') && t.ends_with(')') && opens == 1 && closes == 1 {
            t = &t[1..t.len() - 1];
        } else if t.starts_with('(') && opens > closes {
            t = &t[1..];
        } else if t.ends_with(')') && closes > opens {
            t = &t[..t.len() - 1];
        }
        t = t.trim().trim_matches(seps).trim();
        if t == before {
            break;
        }
    }
    if let Some(body) = t.strip_suffix('.') {
        let last = body.rsplit(' ').next().unwrap_or(body);
        let plain = last.chars().count() >= 4
            && last.chars().all(char::is_alphabetic)
            && !last.chars().all(char::is_uppercase)
            && !lang::is_company_word(&format!("{last}."));
        if plain && body.split_whitespace().count() <= 6 {
            t = body;
        }
    }
    t
}

/// A word that cannot end a name: the name goes on after it ("University
/// of", "Institut für", "Universidad de", "Bates and").
fn is_name_connector(w: &str) -> bool {
    matches!(
        w,
        "of" | "and"
            | "&"
            | "for"
            | "de"
            | "in"
            | "at"
            | "the"
            | "du"
            | "des"
            | "der"
            | "für"
            | "und"
            | "y"
            | "et"
            | "di"
            | "del"
            | "van"
            | "von"
            | "do"
            | "da"
    )
}

fn is_duration_unit(w: &str) -> bool {
    matches!(
        w.to_lowercase().trim_end_matches(['.', ',']),
        "year" | "years" | "yr" | "yrs" | "month" | "months" | "mo" | "mos"
    )
}

fn strip_duration(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // "Jan, 20261 year 6 months": the count was glued to the year that
        // the date scan took, leaving its unit first.
        if i == 0 && is_duration_unit(words[0]) {
            i += 1;
            continue;
        }
        let is_num = words[i].chars().all(|c| c.is_ascii_digit());
        let unit = words.get(i + 1).map(|w| w.to_lowercase());
        if is_num
            && unit.as_deref().is_some_and(|u| {
                u.starts_with("year")
                    || u.starts_with("month")
                    || u.starts_with("yr")
                    || u.starts_with("mo")
            })
        {
            i += 2;
            continue;
        }
        out.push(words[i]);
        i += 1;
    }
    out.join(" ")
}

/// Split at `|`, `·`, `•`, ` at `, ` @ `, spaced dashes, and commas that do
/// not belong to an "A, B and C" name.
fn split_pieces(cell: &str) -> Vec<String> {
    let mut parts: Vec<String> = vec![cell.to_string()];
    for sep in [
        " | ", " · ", " • ", " — ", " – ", " - ", " at ", " @ ", " ⋅ ", " ∙ ",
    ] {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                // "University of Texas at Austin" is one name (a campus).
                if sep == " at "
                    && p.split_once(sep)
                        .is_some_and(|(left, _)| has_institution_word(left))
                {
                    return vec![p];
                }
                p.split(sep).map(str::to_string).collect::<Vec<_>>()
            })
            .collect();
    }
    let mut out = Vec::new();
    for p in parts {
        out.extend(split_commas(&p));
    }
    out
}

/// A legal form standing alone after a comma: `Acme, Inc.`, `Nuvemtec, Lda.`.
fn is_legal_form(part: &str) -> bool {
    let t = part.trim();
    !t.contains(' ')
        && lang::is_company_word(t)
        && (t.contains('.') || t.chars().count() <= 4)
        && t.chars().next().is_some_and(char::is_uppercase)
}

fn split_commas(p: &str) -> Vec<String> {
    let mut out = split_commas_names(p);
    // "Nuvemtec, Lda.": the legal form stays with its name.
    let mut i = 1;
    while i < out.len() {
        if is_legal_form(&out[i]) {
            let form = out.remove(i);
            out[i - 1] = format!("{}, {form}", out[i - 1]);
        } else {
            i += 1;
        }
    }
    out
}

fn split_commas_names(p: &str) -> Vec<String> {
    let parts: Vec<&str> = p.split(", ").map(str::trim).collect();
    if parts.len() == 1 {
        return vec![p.to_string()];
    }
    // Re-join "Shaffer, Carpenter and Moore": a run of capitalised single
    // names ending in "X and Y" / "X & Y".
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let mut j = i;
        // Extend while parts are single capitalised words and a later part is "X and Y".
        while j + 1 < parts.len()
            && is_single_name(parts[j])
            && (is_single_name(parts[j + 1]) || is_and_pair(parts[j + 1]))
            && parts[i..=j + 1].iter().any(|q| is_and_pair(q))
        {
            j += 1;
            if is_and_pair(parts[j]) {
                break;
            }
        }
        if j > i && is_and_pair(parts[j]) {
            out.push(parts[i..=j].join(", "));
            i = j + 1;
        } else {
            out.push(parts[i].to_string());
            i += 1;
        }
    }
    out
}

fn is_single_name(s: &str) -> bool {
    let s = s.trim();
    !s.contains(' ') && s.chars().next().is_some_and(|c| c.is_uppercase()) && !is_title(s)
}

fn is_and_pair(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() == 3
        && matches!(words[1], "and" | "&" | "y" | "und" | "et")
        && words[0].chars().next().is_some_and(|c| c.is_uppercase())
        && words[2].chars().next().is_some_and(|c| c.is_uppercase())
}

fn words_lower(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '/' || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// A job-title word: listed in a language table, or a compound ending in
/// one (`Backend-Entwickler`, `Systemadministratorin`: German joins words).
fn is_role_word(w: &str) -> bool {
    if lang::is_role_word(w) {
        return true;
    }
    if let Some((_, last)) = w.rsplit_once('-') {
        if !last.is_empty() && lang::is_role_word(last) {
            return true;
        }
    }
    ends_with_word(w, lang::is_role_word)
}

/// An institution word, or a compound ending in one
/// (`Lachmann-Universität`, `Fachhochschule`).
fn is_institution_word(w: &str) -> bool {
    lang::is_institution_word(w)
        || w.rsplit_once('-')
            .is_some_and(|(_, last)| !last.is_empty() && lang::is_institution_word(last))
        || ends_with_word(w, lang::is_institution_word)
}

/// A long word ending in a listed word of six or more letters, with three
/// or more letters before it: German and Dutch join words.
fn ends_with_word(w: &str, listed: fn(&str) -> bool) -> bool {
    let chars: Vec<(usize, char)> = w.char_indices().collect();
    chars.len() >= 9
        && (3..=chars.len() - 6).any(|i| {
            let tail = &w[chars[i].0..];
            tail.chars().count() >= 6 && listed(tail)
        })
}

fn is_title(s: &str) -> bool {
    title_score(s) > 0.0
}

fn title_score(s: &str) -> f32 {
    let words = words_lower(s);
    if words.is_empty() || words.len() > 8 {
        return 0.0;
    }
    let mut score: f32 = 0.0;
    if let Some(last) = words.last() {
        if is_role_word(last.trim_end_matches('s')) || is_role_word(last) {
            score += 2.0;
        }
    }
    if words.iter().any(|w| is_role_word(w)) {
        score += 1.0;
    }
    // "Ingeniera de Software", "Software Engineer": a title word first or
    // last outweighs a generic company word ("software", "systems"); only a
    // legal form ("GmbH", "S.L.", "Inc.") makes such a piece a company.
    let role_at_edge = words.first().is_some_and(|w| is_role_word(w))
        || words.last().is_some_and(|w| is_role_word(w));
    let legal_form = words
        .iter()
        .any(|w| lang::is_company_word(w) && (w.contains('.') || w.chars().count() <= 4));
    if company_score(s) > 0.0 && (!role_at_edge || legal_form) {
        score -= 2.0;
    }
    score.max(0.0)
}

fn company_score(s: &str) -> f32 {
    // "Awesome compression company" is a description: names are capitalised
    // but for connectors ("and", "of", "y", "van").
    let lower_words = s
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .filter(|w| {
            ![
                "and", "of", "the", "for", "de", "del", "la", "le", "van", "von", "der", "den",
                "y", "e", "et", "und", "da", "do", "di", "du", "des", "&",
            ]
            .contains(w)
        })
        .count();
    if lower_words >= 2 {
        return 0.0;
    }
    let words = words_lower(s);
    let mut score = 0.0;
    if words.iter().any(|w| lang::is_company_word(w)) {
        score += 2.0;
    }
    if is_and_pair(s) || s.contains(", ") && s.contains(" and ") {
        score += 2.0;
    }
    // Hyphenated surnames: "Wong-Franklin".
    let t = s.trim();
    if !t.contains(' ') {
        if let Some((a, b)) = t.split_once('-') {
            if a.chars().next().is_some_and(|c| c.is_uppercase())
                && b.chars().next().is_some_and(|c| c.is_uppercase())
            {
                score += 1.5;
            }
        }
    }
    score
}

fn has_institution_word(s: &str) -> bool {
    words_lower(s).iter().any(|w| is_institution_word(w))
}

fn looks_like_url(s: &str) -> bool {
    let l = s.to_lowercase();
    l.starts_with("http")
        || l.starts_with("www.")
        || (l.contains('.') && !l.contains(' ') && l.contains('/'))
}

// ---------------------------------------------------------------------------
// Field assignment

fn dates_into(e: &Entry) -> (Option<String>, Option<String>) {
    match &e.range {
        Some(r) => (Some(r.start.iso()), r.end.map(|d| d.iso())),
        None => (None, None),
    }
}

fn work(e: &Entry, unread: &mut usize) -> Option<Work> {
    let pcs: Vec<Piece> = pieces(e)
        .into_iter()
        .filter(|p| !looks_like_url(&p.text))
        .collect();
    if pcs.is_empty() && e.items.is_empty() {
        return None;
    }
    let mut used = vec![false; pcs.len()];
    // Position: best title score.
    let pos_idx = pcs
        .iter()
        .enumerate()
        .map(|(i, p)| (i, title_score(&p.text)))
        .filter(|(_, s)| *s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i);
    if let Some(i) = pos_idx {
        used[i] = true;
    }
    // Company: company-looking piece, else the first unused first-cell piece.
    let comp_idx = pcs
        .iter()
        .enumerate()
        .filter(|(i, p)| !used[*i] && company_score(&p.text) > 0.0)
        .map(|(i, _)| i)
        .next()
        .or_else(|| {
            pcs.iter()
                .enumerate()
                .filter(|(i, p)| !used[*i] && p.first_cell)
                .map(|(i, _)| i)
                .next()
        })
        .or_else(|| (0..pcs.len()).find(|i| !used[*i]));
    if let Some(i) = comp_idx {
        used[i] = true;
    }
    // Without a title word, the other first piece is the position.
    let pos_idx = pos_idx.or_else(|| {
        let i = pcs
            .iter()
            .enumerate()
            .filter(|(i, p)| !used[*i] && p.first_cell)
            .map(|(i, _)| i)
            .next()?;
        used[i] = true;
        Some(i)
    });
    let location = pcs
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            !used[*i] && p.text.split_whitespace().count() <= 4 && !p.text.ends_with('.')
        })
        .map(|(_, p)| p.text.clone())
        .next();
    let (start, end) = dates_into(e);
    if e.range.is_none()
        && e.head
            .iter()
            .any(|l| l.text.chars().filter(|c| c.is_ascii_digit()).count() >= 4)
    {
        *unread += 1;
    }
    Some(Work {
        name: comp_idx.map(|i| pcs[i].text.clone()),
        position: pos_idx.map(|i| pcs[i].text.clone()),
        location,
        start_date: start,
        end_date: end,
        summary: summary(e),
        highlights: e.items.clone(),
        ..Work::default()
    })
}

/// (studyType, area) when the piece starts with a degree name.
fn degree(piece: &str) -> Option<(String, Option<String>)> {
    let t = piece.trim();
    // "Informatik (M.Sc.)": the field first, the degree in parentheses.
    if let Some((field, rest)) = t.strip_suffix(')').and_then(|x| x.rsplit_once('(')) {
        if let Some((d, None)) = degree(rest) {
            let field = field.trim().trim_end_matches([',', '-', '–']).trim();
            if !field.is_empty() && !field.contains('(') {
                return Some((d, Some(field.to_string())));
            }
        }
    }
    for d in lang::degrees() {
        let Some(head) = t.get(..d.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(d) && lang::fold(head) != lang::fold(d) {
            continue;
        }
        let rest = &t[d.len()..];
        // Must end at a word boundary.
        if rest.chars().next().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        // A lowercase "ba"/"ms" inside text is not a degree.
        if d.len() <= 3 && head != *d {
            continue;
        }
        let (rest, _) = take_grade(rest);
        let mut rest = rest
            .trim()
            .trim_start_matches([',', '-', '–', '—', ':', '|']);
        rest = rest.trim_start();
        // "of Science in Physics", "en Informatique", "d'Ingénieur".
        for c in lang::degree_connectors() {
            if let Some(r) = rest.get(..c.len()).filter(|h| h.eq_ignore_ascii_case(c)) {
                let after = &rest[r.len()..];
                if c.ends_with('\'') || after.starts_with(' ') {
                    rest = after.trim_start();
                    break;
                }
            }
        }
        let rest = rest.trim().trim_end_matches([',', ';']);
        let area = (!rest.is_empty()).then(|| rest.to_string());
        return Some((head.to_string(), area));
    }
    None
}

/// A grade set in or after a degree: `(GPA 3.4/4.0)`, `, GPA 3.4`,
/// `Note 1,7`, `Nota: 8,5`. Returns the text without it and the grade as
/// written (a label followed by a colon loses the label).
fn take_grade(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    // A parenthesised grade at the end.
    if let Some((before, inside)) = t.strip_suffix(')').and_then(|x| x.rsplit_once('(')) {
        if let Some(g) = grade(inside) {
            return (before.trim().to_string(), Some(g));
        }
    }
    // A grade after the last comma, dash or cell: "Statistics, GPA 3.4".
    if let Some((before, after)) = t.rsplit_once([',', '|', '–', CELL]) {
        if let Some(g) = grade(after) {
            return (before.trim().to_string(), Some(g));
        }
    }
    match grade(t) {
        Some(g) => (String::new(), Some(g)),
        None => (t.to_string(), None),
    }
}

/// The text as a grade when it is a grade label and a number: `GPA 3.6/4.0`
/// and `3.8 GPA` are kept as written, `GPA: 3.6` gives `3.6`.
fn grade(text: &str) -> Option<String> {
    let t = text.trim();
    let numeric = |r: &str| {
        let r = r.trim();
        !r.is_empty() && r.len() <= 16 && r.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    if let Some((label, value)) = t.split_once(':') {
        if lang::is_grade_label(label.trim()) && numeric(value) {
            return Some(value.trim().to_string());
        }
        return None;
    }
    if let Some((first, rest)) = t.split_once(' ') {
        if lang::is_grade_label(first) && numeric(rest) {
            return Some(t.to_string());
        }
    }
    if let Some((num, last)) = t.rsplit_once(' ') {
        if lang::is_grade_label(last) && numeric(num) {
            return Some(t.to_string());
        }
    }
    None
}

fn education(e: &Entry) -> Option<Education> {
    // Short list lines under a school (degree, field) are fields, not highlights.
    let mut with_items = e.clone();
    for item in &e.items {
        if item.split_whitespace().count() <= 7 && !item.ends_with('.') {
            with_items.head.push(Line::new(item.clone()));
        }
    }
    let e = &with_items;
    let mut pcs: Vec<Piece> = pieces(e)
        .into_iter()
        .filter(|p| !looks_like_url(&p.text))
        .collect();
    // Scores and courses are labelled lines: take them out of the pieces.
    let mut score = None;
    let mut courses = Vec::new();
    pcs.retain(|p| {
        let (label, rest) = split_label(&p.text);
        match (label.as_deref().map(str::to_lowercase).as_deref(), rest) {
            (Some(l), Some(r)) if lang::is_grade_label(l) => {
                score = Some(r);
                false
            }
            (Some("courses" | "coursework" | "relevant coursework" | "major courses"), Some(r)) => {
                courses = split_list(&r);
                false
            }
            _ => true,
        }
    });
    // "Note 2,0" in a cell, "Statistics (GPA 3.4/4.0)": the grade leaves the piece.
    pcs.retain_mut(|p| {
        let (rest, g) = take_grade(&p.text);
        match g {
            Some(g) => {
                score.get_or_insert(g);
                p.text = rest;
                !p.text.is_empty()
            }
            None => true,
        }
    });
    for item in &e.items {
        let (label, rest) = split_label(item);
        match (label.as_deref().map(str::to_lowercase).as_deref(), rest) {
            (Some(l), Some(r)) if lang::is_grade_label(l) => score = Some(r),
            (Some("courses" | "coursework" | "relevant coursework" | "major courses"), Some(r)) => {
                courses = split_list(&r)
            }
            _ => {}
        }
    }
    if courses.is_empty() {
        courses = e.courses.clone();
    }
    // "Ph.D. University of Texas": a degree cell set right against the school.
    let mut split: Vec<Piece> = Vec::with_capacity(pcs.len() + 1);
    for p in pcs {
        match degree(&p.text) {
            Some((d, Some(rest))) if has_institution_word(&rest) => {
                split.push(Piece {
                    text: d,
                    first_cell: p.first_cell,
                });
                split.push(Piece {
                    text: rest,
                    first_cell: false,
                });
            }
            _ => split.push(p),
        }
    }
    let pcs = split;
    if pcs.is_empty() {
        return None;
    }
    let mut used = vec![false; pcs.len()];
    let inst = pcs
        .iter()
        .position(|p| has_institution_word(&p.text) && degree(&p.text).is_none())
        .or_else(|| {
            pcs.iter()
                .position(|p| degree(&p.text).is_none() && p.first_cell)
        });
    if let Some(i) = inst {
        used[i] = true;
    }
    let mut study_type = None;
    let mut area = None;
    for (i, p) in pcs.iter().enumerate() {
        if used[i] {
            continue;
        }
        if let Some((d, a)) = degree(&p.text) {
            study_type = Some(d);
            area = a;
            used[i] = true;
            break;
        }
    }
    if area.is_none() {
        if let Some(i) = (0..pcs.len()).find(|&i| {
            !used[i]
                && pcs[i].text.split_whitespace().count() <= 6
                && !pcs[i].text.ends_with('.')
                && !pcs[i].text.chars().any(|c| c.is_ascii_digit())
        }) {
            // A place after the institution on the same line is a location, not an area:
            // accept areas on their own line or after a degree.
            area = Some(pcs[i].text.clone());
            used[i] = true;
        }
    }
    let (start, end) = dates_into(e);
    Some(Education {
        institution: inst.map(|i| pcs[i].text.clone()),
        area,
        study_type,
        start_date: start,
        end_date: end,
        score,
        courses,
        ..Education::default()
    })
}

fn project(e: &Entry) -> Option<Project> {
    let pcs = pieces(e);
    let first = pcs.iter().find(|p| !looks_like_url(&p.text))?;
    let (mut label, mut rest) = split_label(&first.text);
    // "Kestrel API – Application web …" as one undated line.
    if label.is_none() && e.head.len() == 1 && e.range.is_none() {
        let (l, r) = split_named(&e.head[0].flat());
        if l.as_deref() == Some(first.text.as_str()) {
            (label, rest) = (l, r);
        }
    }
    let (name, mut description) = match label.clone() {
        Some(l) => (l, rest),
        None => (first.text.clone(), None),
    };
    if description.is_none() {
        description = summary(e);
    }
    // One line under a project says what it is: its description.
    let mut highlights = e.items.clone();
    if description.is_none() && highlights.len() == 1 {
        description = highlights.pop();
    }
    let url = pcs
        .iter()
        .find(|p| looks_like_url(&p.text))
        .map(|p| p.text.clone());
    // "Tandem Tracker | Node.js, Symfony, Python": the rest of the name's
    // line is a list of short items, the project's technologies.
    let others: Vec<&Piece> = pcs
        .iter()
        .filter(|p| p.text != first.text && !looks_like_url(&p.text))
        .collect();
    let keywords = if label.is_none()
        && others.len() >= 2
        && e.head.len() == 1
        && others
            .iter()
            .all(|p| p.text.split_whitespace().count() <= 3 && !p.text.ends_with('.'))
    {
        others.iter().map(|p| p.text.clone()).collect()
    } else {
        Vec::new()
    };
    let (start, end) = dates_into(e);
    Some(Project {
        name: Some(name),
        description,
        keywords,
        highlights,
        start_date: start,
        end_date: end,
        url,
        ..Project::default()
    })
}

/// (title, second piece) of a simple dated entry (awards, certificates, publications).
fn title_and_other(e: &Entry) -> (Option<String>, Option<String>) {
    let pcs = pieces(e);
    let mut it = pcs.iter().filter(|p| !looks_like_url(&p.text));
    let title = it.next().map(|p| p.text.clone());
    let other = it.next().map(|p| p.text.clone());
    (title, other)
}

/// "Label: rest" with a short label.
/// "Name: what it is" — a capitalised name (not a field label such as
/// "Technologies") before a colon and a description after it.
/// `Name: description` or `Name – description`: a short capitalised name,
/// then a separator, then a description of two or more words.
fn split_named(text: &str) -> (Option<String>, Option<String>) {
    if let (Some(l), Some(r)) = split_label(text) {
        return (Some(l), Some(r));
    }
    for sep in [" – ", " — ", " - "] {
        if let Some((l, r)) = text.split_once(sep) {
            let (l, r) = (l.trim(), r.trim());
            if !l.is_empty()
                && l.split_whitespace().count() <= 5
                && !l.contains(CELL)
                && dates::find_range(l).is_none()
                && dates::find_range(r).is_none_or(|d| d.span.0 > 0)
            {
                return (Some(l.to_string()), Some(r.to_string()));
            }
        }
    }
    (None, None)
}

fn named_line(text: &str) -> bool {
    let (Some(label), Some(rest)) = split_named(text) else {
        return false;
    };
    let lower = label.to_lowercase();
    let field = [
        "technologies",
        "tech stack",
        "stack",
        "tools",
        "keywords",
        "built with",
        "skills",
        "role",
        "roles",
        "url",
        "link",
        "website",
        "github",
        "demo",
        "languages",
        "summary",
        "description",
        "highlights",
        "date",
        "dates",
        "status",
        "type",
        "team",
        "client",
    ];
    !field.contains(&lower.as_str())
        && !SUB_LABELS.contains(&lower.as_str())
        && label.chars().next().is_some_and(char::is_uppercase)
        && rest.split_whitespace().count() >= 2
        && dates::find_range(&label).is_none()
}

pub fn split_label(text: &str) -> (Option<String>, Option<String>) {
    if let Some((l, r)) = text.split_once(':') {
        let l = l.trim();
        if !l.is_empty()
            && l.split_whitespace().count() <= 4
            && !l.contains("://")
            && !r.starts_with("//")
        {
            let r = r.trim();
            return (Some(l.to_string()), (!r.is_empty()).then(|| r.to_string()));
        }
    }
    (None, None)
}

/// Split a keyword list at commas, semicolons, middle dots, bullets, pipes and cell breaks.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| {
        matches!(
            c,
            ',' | ';' | '·' | '•' | '|' | CELL | '▪' | '◦' | '⋅' | '∙'
        )
    })
    .map(|s| s.trim().trim_end_matches('.').trim())
    .filter(|s| !s.is_empty())
    .map(str::to_string)
    .collect()
}

fn has_sep_text(t: &str) -> bool {
    t.contains(['·', ',', '•', '|', ';'])
}

fn is_level(s: &str) -> bool {
    let l = s.trim().to_lowercase();
    lang::is_level_word(&l)
        || l.split_whitespace()
            .all(|w| lang::is_level_word(w) || w == "proficiency")
        || (l.len() <= 5 && l.ends_with("/5"))
}

fn skills(section: &Section) -> Vec<Skill> {
    let mut out: Vec<Skill> = Vec::new();
    let lines = &section.lines;
    let body_x = lines.iter().map(|l| l.x).fold(f32::MAX, f32::min);
    // The x of the last "Label ⇥ keywords" row, while its label may go on.
    let mut label_row: Option<f32> = None;
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let (label, rest) = split_label(&line.flat());
        if let (Some(label), Some(rest)) = (label.clone(), rest) {
            out.push(Skill {
                name: Some(label),
                keywords: split_list(&rest)
                    .into_iter()
                    .filter(|k| !is_level(k))
                    .collect(),
                ..Skill::default()
            });
            continue;
        }
        if let (Some(label), None) = (label, split_label(&line.flat()).1) {
            out.push(Skill {
                name: Some(label),
                ..Skill::default()
            });
            continue;
        }
        // "Databases ⇥ MySQL, Redis": a label column beside the keywords.
        {
            let cells: Vec<&str> = line.cells().collect();
            if cells.len() == 2
                && !has_sep_text(cells[0])
                && cells[0].split_whitespace().count() <= 4
                && !cells[0].chars().any(|c| c.is_ascii_digit())
                && has_sep_text(cells[1])
            {
                out.push(Skill {
                    name: Some(cells[0].to_string()),
                    keywords: split_list(cells[1])
                        .into_iter()
                        .filter(|k| !is_level(k))
                        .collect(),
                    ..Skill::default()
                });
                label_row = Some(line.x);
                continue;
            }
        }
        // "Libraries &" / "Frameworks": a label wrapped inside its column.
        if let (Some(label_x), Some(last)) = (label_row.take(), out.last_mut()) {
            if !text.contains(CELL)
                && !has_sep_text(text)
                && text.split_whitespace().count() <= 3
                && line.x > 0.0
                && line.x < label_x + 40.0
            {
                if let Some(name) = last.name.as_mut() {
                    name.push(' ');
                    name.push_str(text);
                }
                continue;
            }
        }
        // "Master" alone under a group name: that group's level.
        if is_level(text) {
            if let Some(last) = out.last_mut() {
                if last.keywords.is_empty() && last.level.is_none() {
                    last.level = Some(text.to_string());
                }
            }
            continue;
        }
        // "Web Development ⇥ Master": a group with its level.
        {
            let cells: Vec<&str> = line.cells().collect();
            if cells.len() == 2
                && is_level(cells[1])
                && !is_level(cells[0])
                && !has_sep_text(cells[0])
            {
                out.push(Skill {
                    name: Some(cells[0].to_string()),
                    level: Some(cells[1].to_string()),
                    ..Skill::default()
                });
                continue;
            }
        }
        // A row of group names side by side ("Finance ⇥ Tools") over rows of
        // separated keywords: names, not keywords.
        let next = lines.get(i + 1);
        let has_sep = |t: &str| t.contains(['·', ',', '•', '|', ';']);
        let cells: Vec<&str> = line.cells().collect();
        if cells.len() >= 2
            && !has_sep(text)
            && cells.iter().all(|c| c.split_whitespace().count() <= 3)
            && next.is_some_and(|n| {
                let n_cells = n.cells().count();
                !n.text.contains(':')
                    && (has_sep(&n.text)
                        || ((line.bold && !n.bold)
                            || (n.size > 0.0 && line.size > n.size + 0.4)
                            || n_cells >= cells.len() * 2)
                            && n_cells >= cells.len())
            })
        {
            for c in cells {
                out.push(Skill {
                    name: Some(c.to_string()),
                    ..Skill::default()
                });
            }
            continue;
        }
        // A group name: a bold/heading line, or a less indented line, followed
        // by more indented or non-bold keyword lines.
        // A bold item over plain items is a group name in a list too.
        let is_group = (!line.bullet || (line.bold && next.is_some_and(|n| n.bullet && !n.bold)))
            && !text.contains(CELL)
            && !text.contains(',')
            && next.is_some_and(|n| {
                (line.bold && !n.bold)
                    || (line.heading > 0 && n.heading == 0)
                    || (n.x > line.x + 4.0 && line.x <= body_x + 1.0)
                    || (line.size > n.size + 0.4 && n.size > 0.0)
                    || (n.bullet && !line.bullet)
            });
        if is_group {
            out.push(Skill {
                name: Some(text.to_string()),
                ..Skill::default()
            });
            continue;
        }
        // Boxed tags drawn apart without separators: the medium gaps split them.
        let listed = if !line.chunks.is_empty() && !has_sep(text) && !is_sentence(text) {
            line.chunks.clone()
        } else {
            split_list(text)
        };
        let kws: Vec<String> = listed.into_iter().filter(|k| !is_level(k)).collect();
        if kws.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(s) => s.keywords.extend(kws),
            None => out.push(Skill {
                keywords: kws,
                ..Skill::default()
            }),
        }
    }
    out.retain(|s| !s.keywords.is_empty() || s.name.is_some());
    out
}

fn languages(section: &Section) -> Vec<Language> {
    let mut out: Vec<Language> = Vec::new();
    for line in &section.lines {
        let t = line.flat();
        let (label, rest) = split_label(&t);
        if let Some(l) = label {
            out.push(Language {
                language: Some(l),
                fluency: rest,
                ..Language::default()
            });
            continue;
        }
        let cells: Vec<&str> = line.cells().collect();
        if cells.len() >= 2 {
            out.push(Language {
                language: Some(cells[0].to_string()),
                fluency: Some(cells[1..].join(" ")),
                ..Language::default()
            });
            continue;
        }
        if is_level(&t) || t.to_lowercase().contains("proficien") {
            if let Some(last) = out.last_mut() {
                if last.fluency.is_none() {
                    last.fluency = Some(t);
                    continue;
                }
            }
        }
        // "Deutsch (Muttersprache), Englisch (fließend)": several on a line.
        let items = split_list(&t);
        if items.len() >= 2 && items.iter().all(|i| leveled_language(i).is_some()) {
            out.extend(items.iter().filter_map(|i| leveled_language(i)));
            continue;
        }
        match leveled_language(&t) {
            Some(l) => out.push(l),
            None => out.push(Language {
                language: Some(t),
                ..Language::default()
            }),
        }
    }
    out
}

/// `English (Native)`, `Deutsch – Muttersprache`, `Français - courant`: a
/// language with its fluency after it.
fn leveled_language(item: &str) -> Option<Language> {
    let t = item.trim();
    let (l, f) = match t.split_once(" (") {
        Some((l, f)) => (l, f.strip_suffix(')').unwrap_or(f)),
        None => t.split_once(" - ").or_else(|| t.split_once(" – "))?,
    };
    let (l, f) = (l.trim(), f.trim());
    (!l.is_empty() && !f.is_empty() && l.split_whitespace().count() <= 3).then(|| Language {
        language: Some(l.to_string()),
        fluency: Some(f.to_string()),
        ..Language::default()
    })
}

/// A skill group that is really the spoken languages: named like the
/// languages section ("Languages", "Sprachen", "Idiomas") and most of its
/// items carry a level word (`English (Native)`, `Deutsch – fließend`),
/// unlike a group of programming languages.
fn spoken_languages(group: &Skill) -> Option<Vec<Language>> {
    let name = group.name.as_deref()?;
    let named = name
        .split(|c: char| !c.is_alphabetic())
        .any(|w| lang::section_word(w) == Some(Kind::Languages));
    if !named || group.keywords.is_empty() {
        return None;
    }
    let parsed: Vec<Language> = group
        .keywords
        .iter()
        .filter_map(|k| leveled_language(k))
        .filter(|l| {
            l.fluency.as_deref().is_some_and(|f| {
                f.split(|c: char| !c.is_alphanumeric())
                    .any(|w| lang::is_level_word(w) || w.eq_ignore_ascii_case("proficiency"))
            })
        })
        .collect();
    (parsed.len() * 2 > group.keywords.len()).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_names_survive() {
        assert_eq!(
            split_pieces("Design Lead, Shaffer, Carpenter and Moore"),
            vec!["Design Lead", "Shaffer, Carpenter and Moore"]
        );
        assert_eq!(
            split_pieces("Luna, Tran and Washington, Lecturer"),
            vec!["Luna, Tran and Washington", "Lecturer"]
        );
        assert_eq!(
            split_pieces("UI Designer, Söding – Sondershausen"),
            vec!["UI Designer", "Söding", "Sondershausen"]
        );
    }

    #[test]
    fn degrees() {
        assert_eq!(
            degree("BA in Linguistics"),
            Some(("BA".into(), Some("Linguistics".into())))
        );
        assert_eq!(
            degree("Bachelor of Science in Psychology"),
            Some(("Bachelor of Science".into(), Some("Psychology".into())))
        );
        assert_eq!(degree("PhD"), Some(("PhD".into(), None)));
        assert_eq!(degree("Basic SQL"), None);
        let d = |a: &str, b: &str| Some((a.to_string(), Some(b.to_string())));
        assert_eq!(
            degree("BACHELOR OF SCIENCE IN MATHEMATICS"),
            d("BACHELOR OF SCIENCE", "MATHEMATICS")
        );
        assert_eq!(
            degree("Master of Science Informatik"),
            d("Master of Science", "Informatik")
        );
        assert_eq!(degree("Diplom – Physik"), d("Diplom", "Physik"));
        assert_eq!(degree("Diplom, Mathematik"), d("Diplom", "Mathematik"));
        assert_eq!(
            degree("Bachelor of Engineering – Mechatronik"),
            d("Bachelor of Engineering", "Mechatronik")
        );
        assert_eq!(
            degree("Licence en Informatique"),
            d("Licence", "Informatique")
        );
        assert_eq!(
            degree("Grado en Ingeniería Informática"),
            d("Grado", "Ingeniería Informática")
        );
        assert_eq!(degree("Informatik (M.Sc.)"), d("M.Sc.", "Informatik"));
        assert_eq!(
            degree("Master of Science, Statistics (GPA 3.4/4.0)"),
            d("Master of Science", "Statistics")
        );
    }

    #[test]
    fn grades() {
        assert_eq!(
            take_grade("Statistics (GPA 3.4/4.0)"),
            ("Statistics".to_string(), Some("GPA 3.4/4.0".to_string()))
        );
        assert_eq!(
            take_grade("Note 1,7"),
            (String::new(), Some("Note 1,7".to_string()))
        );
        assert_eq!(
            take_grade("GPA: 3.9/4.0"),
            (String::new(), Some("3.9/4.0".to_string()))
        );
        assert_eq!(
            take_grade("Mathematics, 3.8 GPA").1,
            Some("3.8 GPA".to_string())
        );
        assert_eq!(take_grade("Note taking app").1, None);
        assert_eq!(take_grade("Statistics").1, None);
    }

    #[test]
    fn german_job_titles() {
        assert!(is_title("Frontend-Entwicklerin"));
        assert!(is_title("Systemadministrator"));
        assert!(is_title("Fachinformatiker für Anwendungsentwicklung"));
        assert!(is_title("Ingénieure logiciel") || is_title("Ingénieur logiciel"));
        assert!(is_title("Desarrolladora backend") || is_title("Jefe de proyecto"));
        assert!(!is_title("Zirme GmbH"));
    }

    fn section(kind: Kind, lines: Vec<Line>) -> Section {
        Section {
            kind,
            title: String::new(),
            level: 0,
            lines,
        }
    }

    #[test]
    fn work_entries_split_on_dates() {
        let bold = |t: &str| Line {
            bold: true,
            ..Line::new(t)
        };
        let bullet = |t: &str| Line {
            bullet: true,
            ..Line::new(t)
        };
        let s = section(
            Kind::Work,
            vec![
                bold("Senior Software Engineer\tJan 2020 – Present"),
                Line::new("Acme Inc"),
                bullet("Built the billing platform"),
                bold("Software Engineer\t2017 – 2019"),
                Line::new("Wong-Franklin"),
                bullet("Shipped things"),
            ],
        );
        let entries = segment(&s, 0.0);
        assert_eq!(entries.len(), 2);
        let mut unread = 0;
        let w = work(&entries[0], &mut unread).unwrap();
        assert_eq!(w.position.as_deref(), Some("Senior Software Engineer"));
        assert_eq!(w.name.as_deref(), Some("Acme Inc"));
        assert_eq!(w.start_date.as_deref(), Some("2020-01"));
        assert_eq!(w.end_date, None);
        assert_eq!(w.highlights, vec!["Built the billing platform"]);
        let w = work(&entries[1], &mut unread).unwrap();
        assert_eq!(w.name.as_deref(), Some("Wong-Franklin"));
        assert_eq!(w.end_date.as_deref(), Some("2019"));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn bare_year_pairs_are_ranges() {
        assert_eq!(join_bare_range("2013 2017").as_deref(), Some("2013 – 2017"));
        assert_eq!(
            join_bare_range("Sep 2013 Jun 2017").as_deref(),
            Some("Sep 2013 – Jun 2017")
        );
        assert_eq!(join_bare_range("2017 2013"), None);
        assert_eq!(join_bare_range("Since 2013 about 2017"), None);
    }

    fn sec(kind: Kind, lines: Vec<Line>) -> Section {
        Section {
            kind,
            title: String::new(),
            level: 0,
            lines,
        }
    }

    fn at(t: &str, x: f32) -> Line {
        Line {
            x,
            size: 10.0,
            ..Line::new(t)
        }
    }

    #[test]
    fn degree_wrapped_in_a_narrow_cell() {
        let s = sec(
            Kind::Education,
            vec![
                at(
                    "Bach Lippstadt Institute of Technology, Accounting\t2013 – 2017",
                    62.0,
                ),
                at("elor", 62.0),
                at("of En", 62.0),
                at("gi", 62.0),
                at("neer", 62.0),
                at("ing", 62.0),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 1);
        let e = education(&entries[0]).unwrap();
        assert_eq!(e.study_type.as_deref(), Some("Bachelor of Engineering"));
        assert_eq!(
            e.institution.as_deref(),
            Some("Lippstadt Institute of Technology")
        );
        assert_eq!(e.area.as_deref(), Some("Accounting"));
        assert_eq!(e.end_date.as_deref(), Some("2017"));
    }

    #[test]
    fn date_column_over_two_lines() {
        let s = sec(
            Kind::Education,
            vec![
                at("2012\tSainte Aurore Institute of", 380.0),
                at("2014\tTechnology", 380.0),
                at("Master", 415.0),
                at("2009\tPoirier School of Business", 380.0),
                at("2011", 380.0),
                at("MBA", 415.0),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 2);
        let e = education(&entries[0]).unwrap();
        assert_eq!(
            e.institution.as_deref(),
            Some("Sainte Aurore Institute of Technology")
        );
        assert_eq!(e.start_date.as_deref(), Some("2012"));
        assert_eq!(e.end_date.as_deref(), Some("2014"));
        let e = education(&entries[1]).unwrap();
        assert_eq!(e.end_date.as_deref(), Some("2011"));
        assert_eq!(e.study_type.as_deref(), Some("MBA"));
    }

    #[test]
    fn month_broken_inside_a_date_cell() {
        let s = sec(
            Kind::Work,
            vec![
                at(
                    "November 2019 – Novem\tFull Stack Developer, Finanzas Ibéricos S.C.P",
                    56.0,
                ),
                at(
                    "ber 2021\tVision-oriented human-resource parallelism.",
                    138.0,
                ),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 1);
        let w = work(&entries[0], &mut 0).unwrap();
        assert_eq!(w.start_date.as_deref(), Some("2019-11"));
        assert_eq!(w.end_date.as_deref(), Some("2021-11"));
        assert_eq!(w.name.as_deref(), Some("Finanzas Ibéricos S.C.P"));
    }

    #[test]
    fn a_lowercase_phrase_is_not_the_company() {
        assert_eq!(company_score("Awesome compression company"), 0.0);
        assert!(company_score("Supermercados Almazán y asociados S.L.U.") >= 0.0);
        assert!(company_score("Acme Company") > 0.0);
    }

    #[test]
    fn tag_clouds_and_levels() {
        let tags = Line {
            chunks: vec!["Excel".into(), "SQL".into(), "Looker Studio".into()],
            ..Line::new("Excel SQL Looker Studio")
        };
        let s = sec(
            Kind::Skills,
            vec![
                Line {
                    size: 10.5,
                    ..Line::new("Analytics")
                },
                Line {
                    size: 9.0,
                    ..Line::new("Master")
                },
                Line { size: 9.5, ..tags },
            ],
        );
        let groups = skills(&s);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].name.as_deref(), Some("Analytics"));
        assert_eq!(groups[0].level.as_deref(), Some("Master"));
        assert_eq!(groups[0].keywords, vec!["Excel", "SQL", "Looker Studio"]);
    }
}
