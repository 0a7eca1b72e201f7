//! The person's name (the most prominent header line that reads like a
//! name, not blindly the first) and the job title set under it.

use crate::ir::Line;
use crate::lang;

use super::contact::{find_phone, find_url, network_by_label};
use super::location::{country_of, is_region_code, is_region_name};

pub(super) const NAME_STOP: &[&str] = &[
    "resume",
    "résumé",
    "curriculum",
    "vitae",
    "cv",
    "profile",
    "contact",
    "email",
    "phone",
    "summary",
    "experience",
    "page",
];

/// How much `text` (a line or its first cell) reads like a person's name,
/// with the style of its line.
pub(super) fn name_text_score(text: &str, line: &Line) -> f32 {
    let text = clean_name(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || text.chars().count() > 50 {
        return 0.0;
    }
    if text.contains('@') || text.chars().any(|c| c.is_ascii_digit()) || text.contains("://") {
        return 0.0;
    }
    let lower = text.to_lowercase();
    if NAME_STOP
        .iter()
        .any(|s| lower.split_whitespace().any(|w| w == *s))
    {
        return 0.0;
    }
    // "Ravensburg, Baden-Württemberg" / "Austin, TX": a place, not a name.
    if let Some((_, last)) = text.rsplit_once(',') {
        let last = last.trim();
        if country_of(last).is_some() || is_region_name(last) || is_region_code(last) {
            return 0.0;
        }
    }
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        .count();
    if capitalised * 2 < words.len() + 1 {
        return 0.0;
    }
    // "jane.dev" is a site; a period only ends an initial or title ("J.", "Dr.").
    if words.iter().any(|w| {
        w.trim_end_matches('.').contains('.') && w.chars().filter(|c| c.is_alphabetic()).count() > 3
    }) {
        return 0.0;
    }
    // A job title, not a name: two title words ("Product Manager",
    // "Senior Software Engineer") or a compound title ("Softwareentwicklerin").
    let roles = words.iter().filter(|w| lang::is_role_word(w)).count();
    if roles >= 2 || words.iter().any(|w| lang::ends_with_role_word(w)) {
        return 0.0;
    }
    if !text
        .chars()
        .all(|c| c.is_alphabetic() || " .'’-‐,".contains(c))
    {
        return 0.0;
    }
    let mut score = 1.0;
    if words.len() >= 2 && words.len() <= 4 {
        score += 1.0;
    }
    if line.heading > 0 {
        score += 1.5;
    }
    if line.bold {
        score += 0.5;
    }
    score + line.size / 10.0
}

/// Drop "'s CV", "Resume of", "CV" around a name.
pub(super) fn clean_name(text: &str) -> String {
    let mut t = text.trim().to_string();
    for suffix in [
        "'s CV",
        "’s CV",
        "'s Resume",
        "’s Resume",
        "'s Résumé",
        " - CV",
        " – CV",
        " CV",
        " Resume",
        " Résumé",
    ] {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = stripped.trim().to_string();
        }
    }
    for prefix in ["Resume of ", "CV of ", "Curriculum Vitae of "] {
        if let Some(stripped) = t.strip_prefix(prefix) {
            t = stripped.trim().to_string();
        }
    }
    t
}

/// The name: the most prominent person-like line of the first header
/// lines (or the first cell of a line whose other cells hold contact
/// details, as in a two-column header), joined with its second line when
/// the name is set on two (first name above last name).
/// Gives the name and the index of its last line.
pub(super) fn find_name(header: &[Line]) -> (Option<String>, Option<usize>) {
    let text_of = |line: &Line| -> Option<(String, f32)> {
        let flat = line.flat();
        let s = name_text_score(&flat, line);
        if s > 0.0 {
            return Some((flat, s));
        }
        let mut cells = line.cells();
        let first = cells.next()?;
        cells.next()?;
        // The size of a line with cells is the cells' together: a left
        // cell is a name only without any job-title word.
        if first.split_whitespace().any(lang::is_role_word) {
            return None;
        }
        let s = name_text_score(first, line);
        (s > 0.0).then(|| (first.to_string(), s))
    };
    let mut best: Option<(f32, usize, String)> = None;
    for (i, line) in header.iter().enumerate().take(12) {
        let Some((text, s)) = text_of(line) else {
            continue;
        };
        let s = s - i as f32 * 0.15;
        if best.as_ref().is_none_or(|(b, _, _)| s > *b) {
            best = Some((s, i, text));
        }
    }
    let Some((_, i, text)) = best else {
        return (None, None);
    };
    let name = clean_name(&text);
    match second_name_line(header, i, &name) {
        Some((j, rest)) => (Some(format!("{name} {rest}")), Some(j)),
        None => (Some(name), Some(i)),
    }
}

/// The rest of a name set on two lines (moderncv and similar headers put
/// the first name above the last name): the next header line that starts
/// at the same left edge (right-column lines between are skipped) and
/// whose text — or first cell, when the other cells hold contact details —
/// is one or two capitalised name words that are not a job title, place or
/// section word. The two lines must look alike: same size and weight, or
/// the second line has cells (its size is then the other cells').
pub(super) fn second_name_line(header: &[Line], i: usize, name: &str) -> Option<(usize, String)> {
    let first = &header[i];
    if name.split_whitespace().count() > 3 {
        return None;
    }
    let j = (i + 1..header.len().min(i + 4)).find(|&j| (header[j].x - first.x).abs() < 2.0)?;
    let line = &header[j];
    // A one-word name is not complete; a longer one continues only in a
    // two-column header whose rows are a left piece and a right piece.
    let two_cells = line.cells().count() == 2;
    let first_cells = first.cells().count();
    let single = name.split_whitespace().count() == 1;
    if !(single || (two_cells && first_cells <= 2)) || line.heading != first.heading || line.bullet
    {
        return None;
    }
    let text = line.cells().next()?.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    let name_word = |w: &&str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().all(|c| c.is_alphabetic() || "'’-".contains(c))
            && !lang::is_role_word(w)
            && !lang::ends_with_role_word(w)
            && lang::section_word(w).is_none()
            && network_by_label(w).is_none()
            && country_of(w).is_none()
            && !is_region_name(w)
    };
    if words.is_empty() || words.len() > 2 || !words.iter().all(name_word) {
        return None;
    }
    if words.len() == 2 && lang::is_role_word(&words.join(" ")) {
        return None;
    }
    Some((j, text.to_string()))
}

/// The line right after the name, when it is a short title without contact data.
pub(super) fn find_label(header: &[Line], name_idx: usize) -> Option<String> {
    let line = header.get(name_idx + 1)?;
    // A two-column header (the name is a left cell): the title is the left
    // cell of the next row.
    let two_column = header[name_idx].cells().nth(1).is_some();
    let t = match line.cells().nth(1) {
        Some(_) if two_column => line.cells().next()?.to_string(),
        _ => line.flat(),
    };
    if t.len() > 60
        || t.contains('@')
        || find_phone(&t).is_some()
        || find_url(&t).is_some()
        || t.contains(',')
    {
        return None;
    }
    if t.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return None;
    }
    Some(t)
}
