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
//!
//! The submodules, in the order the work happens:
//!
//! - `segment`: a section's lines into [`Entry`] values (wrapped dates and
//!   degree names mended first, then lines classed as head, text or item,
//!   then grouped, then head runs with several dates cut apart).
//! - `pieces`: an entry's head lines into `Piece`s, and the scoring of
//!   pieces as job titles, companies and institutions.
//! - `work`, `education`, `projects`: one builder per dated section, each
//!   turning an entry's pieces into a JSON Resume entry.
//! - `skills`, `languages`: the list sections, read line by line rather
//!   than segmented.
//!
//! This file holds [`fill`], which runs the right builder for each section
//! and sets the confidence of what was found, the types the submodules
//! share, and the small helpers more than one of them uses (`summary`,
//! `dates_into`, [`split_label`], [`split_list`]). Awards, certificates,
//! publications, interests and references are simple enough to be built in
//! [`fill`] itself.

use std::collections::BTreeMap;

use vitae_common::resume::{Award, Certificate, Interest, Publication, Reference, Volunteer};
use vitae_common::Resume;

use crate::basics::join_paragraph;
use crate::dates::DateRange;
use crate::ir::{Line, CELL};
use crate::lang;
use crate::sections::{Kind, Section, Sectioned};

mod education;
mod languages;
mod pieces;
mod projects;
mod segment;
mod skills;
mod work;

pub use segment::segment;

use education::education;
use languages::{languages, spoken_languages};
use pieces::{has_institution_word, is_role_word, looks_like_url, pieces};
use projects::project;
use skills::skills;
use work::work;

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
        read_section(section, doc.body_size, resume, &mut unread_dates);
    }
    if unread_dates > 0 {
        warnings.push(format!(
            "{unread_dates} date{} could not be read",
            if unread_dates == 1 { "" } else { "s" }
        ));
    }
    record_confidence(resume, confidence);
    if resume.work.is_empty() && doc.section(Kind::Work).next().is_none() {
        warnings.push("no work experience section found".into());
    }
}

/// One section's entries into the resume, by the section's kind.
fn read_section(section: &Section, body_size: f32, resume: &mut Resume, unread_dates: &mut usize) {
    match section.kind {
        Kind::Work => {
            for e in segment(section, body_size) {
                if let Some(w) = work(&e, unread_dates) {
                    resume.work.push(w);
                }
            }
        }
        Kind::Volunteer => {
            for e in segment(section, body_size) {
                if let Some(w) = work(&e, unread_dates) {
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
            for e in segment(section, body_size) {
                if let Some(ed) = education(&e) {
                    resume.education.push(ed);
                }
            }
        }
        Kind::Projects => {
            for e in segment(section, body_size) {
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
            for e in segment(section, body_size) {
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
            for e in segment(section, body_size) {
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
            for e in segment(section, body_size) {
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

/// How sure each field read is: dated entries and degree words from the
/// language tables are surer than fields guessed from position.
fn record_confidence(resume: &Resume, confidence: &mut BTreeMap<String, f32>) {
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
    let titled = words <= 8 && text.split_whitespace().next().is_some_and(is_role_word);
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

fn summary(e: &Entry) -> Option<String> {
    if e.text.is_empty() {
        None
    } else {
        Some(e.text.join(" "))
    }
}

fn dates_into(e: &Entry) -> (Option<String>, Option<String>) {
    match &e.range {
        Some(r) => (Some(r.start.iso()), r.end.map(|d| d.iso())),
        None => (None, None),
    }
}

/// (title, second piece) of a simple dated entry (awards, certificates, publications).
fn title_and_other(e: &Entry) -> (Option<String>, Option<String>) {
    let pcs = pieces(e);
    let mut it = pcs.iter().filter(|p| !looks_like_url(&p.text));
    let title = it.next().map(|p| p.text.clone());
    let other = it.next().map(|p| p.text.clone());
    (title, other)
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

/// A section of the given lines, for the submodules' tests.
#[cfg(test)]
pub(crate) fn test_section(kind: Kind, lines: Vec<Line>) -> crate::sections::Section {
    crate::sections::Section {
        kind,
        title: String::new(),
        level: 0,
        lines,
    }
}
