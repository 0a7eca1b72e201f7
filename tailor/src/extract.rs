//! Keyword extraction: from a [`JobPosting`] to [`JobKeywords`].
//!
//! Everything here is deterministic (no hashing order, no randomness), so
//! the same posting always gives the same keywords in the same order, and a
//! stored job's keywords can be recomputed and compared.
//!
//! - `skills`: the posting's listed skills first (canonical names when the
//!   vocabulary knows them, the skills a compound entry like "Cloud (AWS,
//!   GCP)" names, otherwise verbatim), then vocabulary skills found in the
//!   title and text, most mentioned first, ties by first mention.
//! - `phrases`: bullets and sentences under requirement-like headings, and
//!   anywhere else sentences with a requirement cue ("experience with",
//!   "years of", ...); at most 15, at most 120 characters each.
//! - `seniority`: from the title, else from the smallest "N+ years".
//! - `years`: the smallest "N+ years" / "N years of experience" figure.

use std::collections::HashSet;

use vitae_common::jobs::JobKeywords;

use crate::job::JobPosting;
use crate::lines::{
    bullet_content, heading_text, is_requirement_heading, normalise_quotes, sentences,
};
use crate::vocabulary;

/// The most phrases kept, and the longest phrase, in characters.
pub const MAX_PHRASES: usize = 15;
pub const MAX_PHRASE_CHARS: usize = 120;

/// Extract the skills, requirement phrases, seniority and years a job asks for.
pub fn extract_keywords(posting: &JobPosting) -> JobKeywords {
    let title = posting.title.as_deref().unwrap_or("");
    let mut scan_text = posting.text.clone();
    if !title.is_empty() && !posting.text.contains(title) {
        scan_text = format!("{title}\n{scan_text}");
    }
    let years = min_years(&scan_text);
    JobKeywords {
        skills: skills(&posting.listed_skills, &scan_text),
        phrases: phrases(&posting.text),
        seniority: seniority_from_title(title)
            .or_else(|| years.map(seniority_from_years))
            .map(str::to_string),
        years,
    }
}

fn skills(listed: &[String], text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |name: String, out: &mut Vec<String>| {
        if seen.insert(name.to_lowercase()) {
            out.push(name);
        }
    };
    for raw in listed {
        let term = vocabulary::normalize_space(raw);
        let term = term.trim();
        if term.is_empty() || term.chars().count() > 80 {
            continue;
        }
        let known = vocabulary::term_skills(term);
        if known.is_empty() {
            push(term.to_string(), &mut out);
        } else {
            for name in known {
                push(name.to_string(), &mut out);
            }
        }
    }
    // (name, count, first position), in order of first mention.
    let mut counted: Vec<(&'static str, usize, usize)> = Vec::new();
    for hit in vocabulary::scan(text) {
        match counted.iter_mut().find(|c| c.0 == hit.name) {
            Some(c) => c.1 += 1,
            None => counted.push((hit.name, 1, hit.start)),
        }
    }
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    for (name, _, _) in counted {
        push(name.to_string(), &mut out);
    }
    out
}

const PHRASE_CUES: &[&str] = &[
    "experience with",
    "experience in",
    "experience building",
    "experience of",
    "years of",
    "years'",
    "proficiency in",
    "proficiency with",
    "proficient in",
    "proficient with",
    "knowledge of",
    "familiarity with",
    "familiar with",
    "expertise in",
    "expertise with",
    "background in",
    "understanding of",
    "degree in",
    "track record",
    "hands-on",
];

fn has_cue(text: &str) -> bool {
    let lower = normalise_quotes(&text.to_lowercase());
    PHRASE_CUES.iter().any(|c| lower.contains(c))
}

/// A block of the text: a bullet with its continuation lines, or a
/// paragraph of consecutive lines.
struct Block {
    text: String,
    bullet: bool,
    in_requirements: bool,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut in_req = false;
    let mut open = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            open = false;
            continue;
        }
        if let Some(item) = bullet_content(line) {
            out.push(Block {
                text: item.to_string(),
                bullet: true,
                in_requirements: in_req,
            });
            open = true;
            continue;
        }
        let continues = open
            && out
                .last()
                .is_some_and(|b| !b.bullet || raw.starts_with([' ', '\t']))
            && line.chars().next().is_some_and(|c| c.is_lowercase());
        if !continues {
            if let Some(h) = heading_text(line) {
                in_req = is_requirement_heading(h);
                open = false;
                continue;
            }
            // "Requirements: 5+ years of Go" is a heading with its content.
            if let Some((label, rest)) = line.split_once(':') {
                let label = label.trim();
                let rest = rest.trim();
                if !rest.is_empty()
                    && label.split_whitespace().count() <= 4
                    && heading_text(&format!("{label}:")).is_some()
                {
                    let req = is_requirement_heading(label);
                    // "Experience: 1-2 years" means little without its label.
                    let text = if rest.split_whitespace().count() <= 3 {
                        line
                    } else {
                        rest
                    };
                    out.push(Block {
                        text: text.to_string(),
                        bullet: false,
                        in_requirements: req,
                    });
                    open = false;
                    continue;
                }
            }
        }
        match out.last_mut() {
            Some(b) if continues => {
                b.text.push(' ');
                b.text.push_str(line);
            }
            _ => {
                out.push(Block {
                    text: line.to_string(),
                    bullet: false,
                    in_requirements: in_req,
                });
                open = true;
            }
        }
    }
    out
}

fn phrases(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for block in blocks(text) {
        let pieces: Vec<&str> = if block.bullet {
            vec![block.text.as_str()]
        } else {
            sentences(&block.text)
        };
        for piece in pieces {
            if !(block.in_requirements || has_cue(piece)) {
                continue;
            }
            let Some(phrase) = clean_phrase(piece) else {
                continue;
            };
            if seen.insert(phrase.to_lowercase()) {
                out.push(phrase);
                if out.len() == MAX_PHRASES {
                    return out;
                }
            }
        }
    }
    out
}

fn clean_phrase(piece: &str) -> Option<String> {
    let text = vocabulary::normalize_space(piece);
    let text = text.trim().trim_end_matches(['.', ';', ',', ':']).trim();
    if text.split_whitespace().count() < 2 || text.chars().count() < 4 {
        return None;
    }
    Some(truncate(text, MAX_PHRASE_CHARS))
}

/// At most `max` characters, cut at a word boundary with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let limit: String = text.chars().take(max - 1).collect();
    let cut = match limit.rfind(' ') {
        Some(i) if i > max / 2 => &limit[..i],
        _ => limit.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ' ']))
}

/// The smallest stated minimum of years of experience.
fn min_years(text: &str) -> Option<u32> {
    let lower = normalise_quotes(&text.to_lowercase());
    let mut best: Option<u32> = None;
    for line in lower.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let found = (0..words.len())
            .filter_map(|i| years_at(&words, i, line))
            .min();
        best = match (best, found) {
            (Some(b), Some(f)) => Some(b.min(f)),
            (b, f) => b.or(f),
        };
    }
    best
}

fn number(word: &str) -> Option<(u32, bool)> {
    const WORDS: &[&str] = &[
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen",
    ];
    let w = word.trim_start_matches(['(', '[']);
    let (w, plus) = match w.strip_suffix('+') {
        Some(w) => (w, true),
        None => (w, false),
    };
    // "3-5" or "3–5": the lower bound is the minimum.
    let w = w.split(['-', '–']).next().unwrap_or(w);
    if let Ok(n) = w.parse::<u32>() {
        return (n <= 40).then_some((n, plus));
    }
    WORDS.iter().position(|x| *x == w).map(|n| (n as u32, plus))
}

/// The years figure starting at `words[i]`, if that is where one is stated.
fn years_at(words: &[&str], i: usize, line: &str) -> Option<u32> {
    let (n, mut plus) = number(words[i])?;
    let mut j = i + 1;
    // "5 + years", "5 or more years", "3 to 5 years".
    while let Some(w) = words.get(j) {
        match *w {
            "+" | "plus" => {
                plus = true;
                j += 1;
            }
            "or" if words.get(j + 1) == Some(&"more") => {
                plus = true;
                j += 2;
            }
            "to" | "-" | "–" if words.get(j + 1).and_then(|w| number(w)).is_some() => {
                plus = true;
                j += 2;
            }
            _ => break,
        }
    }
    let unit = words.get(j)?.trim_end_matches([',', '.', ';', ')', ':']);
    let unit = unit.trim_end_matches('\'');
    if !matches!(unit, "years" | "year" | "yrs" | "yr" | "years'" | "year's") {
        return None;
    }
    let before = if i > 0 { words[i - 1] } else { "" };
    let after = words.get(j + 1).copied().unwrap_or("");
    let stated_minimum = plus
        || matches!(before, "least" | "minimum" | "min" | "min." | "over")
        || matches!(
            after,
            "of" | "experience"
                | "in"
                | "working"
                | "building"
                | "professional"
                | "hands-on"
                | "industry"
                | "relevant"
                | "commercial"
                | "developing"
        )
        || words[j].ends_with('\'')
        || line.contains("experience");
    stated_minimum.then_some(n)
}

fn seniority_from_title(title: &str) -> Option<&'static str> {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if has("principal") || has("distinguished") || has("fellow") {
        return Some("principal");
    }
    if has("staff") {
        return Some("staff");
    }
    if has("lead") || has("head") || has("director") || has("vp") {
        return Some("lead");
    }
    if has("senior") || has("sr") {
        return Some("senior");
    }
    if has("mid") || has("intermediate") {
        return Some("mid");
    }
    if has("junior") || has("jr") || has("entry") || has("graduate") {
        return Some("junior");
    }
    if has("intern") || has("internship") || has("trainee") || has("apprentice") {
        return Some("intern");
    }
    // "Software Engineer II".
    match words.last().copied() {
        Some("i") if words.len() > 1 => Some("junior"),
        Some("ii") => Some("mid"),
        Some("iii") => Some("senior"),
        Some("iv") => Some("staff"),
        _ => None,
    }
}

fn seniority_from_years(years: u32) -> &'static str {
    match years {
        0..=2 => "junior",
        3..=4 => "mid",
        5..=7 => "senior",
        _ => "staff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_figures() {
        assert_eq!(min_years("5+ years of backend work"), Some(5));
        assert_eq!(min_years("3-5 years of experience"), Some(3));
        assert_eq!(min_years("at least 4 years in Rust"), Some(4));
        assert_eq!(
            min_years("Five years of Go; 2+ years with Kubernetes"),
            Some(2)
        );
        assert_eq!(min_years("The company is 10 years old"), None);
        assert_eq!(min_years("7 or more years building systems"), Some(7));
        assert_eq!(min_years("no numbers"), None);
    }

    #[test]
    fn seniority() {
        assert_eq!(seniority_from_title("Sr. Backend Engineer"), Some("senior"));
        assert_eq!(seniority_from_title("Senior Staff Engineer"), Some("staff"));
        assert_eq!(seniority_from_title("Head of Data"), Some("lead"));
        assert_eq!(seniority_from_title("Software Engineer II"), Some("mid"));
        assert_eq!(seniority_from_title("Summer Intern, ML"), Some("intern"));
        assert_eq!(seniority_from_title("Backend Engineer"), None);
        assert_eq!(seniority_from_years(2), "junior");
        assert_eq!(seniority_from_years(8), "staff");
    }

    #[test]
    fn truncation() {
        let long = "word ".repeat(60);
        let t = truncate(long.trim(), 120);
        assert!(t.chars().count() <= 120);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short", 120), "short");
    }
}
