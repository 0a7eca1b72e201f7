//! Project entries: name, description, technologies, URL and highlights.
//! `named_line` also serves segmentation, which makes each
//! "Name: description" line of an undated list a project of its own.

use vitae_common::resume::Project;

use crate::dates;
use crate::ir::CELL;

use super::pieces::{looks_like_url, pieces};
use super::{dates_into, split_label, summary, Entry, Piece, SUB_LABELS};

pub(super) fn project(e: &Entry) -> Option<Project> {
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

pub(super) fn named_line(text: &str) -> bool {
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
