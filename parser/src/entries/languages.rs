//! Spoken languages with their fluency: the languages section, read line by
//! line, and a skills group that turns out to list spoken languages.

use vitae_common::resume::{Language, Skill};

use crate::lang;
use crate::sections::{Kind, Section};

use super::skills::is_level;
use super::{split_label, split_list};

pub(super) fn languages(section: &Section) -> Vec<Language> {
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
pub(super) fn spoken_languages(group: &Skill) -> Option<Vec<Language>> {
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
