//! Pieces and vocabularies: an entry's head lines cut into the pieces the
//! builders assign to fields, and the scores that tell a job title from a
//! company or an institution.
//!
//! [`pieces`] splits each head cell at the separators resumes use (`|`,
//! `·`, ` at `, spaced dashes, commas that are not part of an "A, B and C"
//! name) after removing dates and durations. The scoring functions look
//! words up in the language tables (`crate::lang`), also as the last part
//! of a German or Dutch compound.

use crate::dates;
use crate::ir::CELL;
use crate::lang;

use super::{Entry, Piece};

/// Split head lines into pieces, with date expressions removed.
pub(super) fn pieces(e: &Entry) -> Vec<Piece> {
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
pub(super) fn is_name_connector(w: &str) -> bool {
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
pub(super) fn is_role_word(w: &str) -> bool {
    lang::is_role_word(w) || lang::ends_with_role_word(w)
}

/// An institution word, or a compound ending in one.
fn is_institution_word(w: &str) -> bool {
    lang::is_institution_word(w) || lang::ends_with_institution_word(w)
}

fn is_title(s: &str) -> bool {
    title_score(s) > 0.0
}

pub(super) fn title_score(s: &str) -> f32 {
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

pub(super) fn company_score(s: &str) -> f32 {
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

pub(super) fn has_institution_word(s: &str) -> bool {
    words_lower(s).iter().any(|w| is_institution_word(w))
}

pub(super) fn looks_like_url(s: &str) -> bool {
    let l = s.to_lowercase();
    l.starts_with("http")
        || l.starts_with("www.")
        || (l.contains('.') && !l.contains(' ') && l.contains('/'))
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
    fn german_job_titles() {
        assert!(is_title("Frontend-Entwicklerin"));
        assert!(is_title("Systemadministrator"));
        assert!(is_title("Fachinformatiker für Anwendungsentwicklung"));
        assert!(is_title("Ingénieure logiciel") || is_title("Ingénieur logiciel"));
        assert!(is_title("Desarrolladora backend") || is_title("Jefe de proyecto"));
        assert!(!is_title("Zirme GmbH"));
    }

    #[test]
    fn a_lowercase_phrase_is_not_the_company() {
        assert_eq!(company_score("Awesome compression company"), 0.0);
        assert!(company_score("Supermercados Almazán y asociados S.L.U.") >= 0.0);
        assert!(company_score("Acme Company") > 0.0);
    }
}
