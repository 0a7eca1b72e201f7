//! Education entries: institution, degree (`studyType`), field of study
//! (`area`), grade and courses from an entry's head pieces and short list
//! lines. Degree names and grade labels come from the language tables.

use vitae_common::resume::Education;

use crate::ir::{Line, CELL};
use crate::lang;

use super::pieces::{has_institution_word, looks_like_url, pieces};
use super::{dates_into, split_label, split_list, Entry, Piece};

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

pub(super) fn education(e: &Entry) -> Option<Education> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
