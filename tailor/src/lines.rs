//! Line-level reading of job-description prose: bullets, section headings,
//! sentences.
//!
//! Job postings are loosely structured text whatever format they came in,
//! so the parser (for titles) and the extractor (for requirement phrases)
//! share these heuristics rather than each guessing differently.

/// The text of a bulleted or numbered line without its marker, or `None`
/// when the line is not a list item.
pub(crate) fn bullet_content(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for marker in [
        "- ", "* ", "+ ", "• ", "· ", "▪ ", "◦ ", "– ", "— ", "● ", "○ ", "■ ", "□ ", "➤ ", "✓ ",
        "✔ ", "→ ",
    ] {
        if let Some(rest) = t.strip_prefix(marker) {
            return Some(rest.trim());
        }
    }
    if let Some(rest) = t.strip_prefix('•') {
        return Some(rest.trim());
    }
    // "1. item", "2) item", "a) item".
    let marker_len = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit())
        .count();
    let (rest_start, ok) = if marker_len > 0 && marker_len <= 2 {
        (marker_len, true)
    } else {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), Some(')')) if c.is_ascii_lowercase() => (1, true),
            _ => (0, false),
        }
    };
    if ok {
        let rest = &t[rest_start..];
        for sep in [". ", ") "] {
            if let Some(item) = rest.strip_prefix(sep) {
                return Some(item.trim());
            }
        }
    }
    None
}

/// Headings that introduce what the candidate must or should bring.
const REQUIREMENT_CUES: &[&str] = &[
    "requirement",
    "qualification",
    "what you'll need",
    "what you will need",
    "what you need",
    "what you'll bring",
    "what you bring",
    "you bring",
    "must have",
    "must-have",
    "nice to have",
    "nice-to-have",
    "you have",
    "you'll have",
    "you will have",
    "you should have",
    "who you are",
    "looking for",
    "about you",
    "your profile",
    "your background",
    "your skills",
    "skills",
    "experience",
    "preferred",
    "bonus",
    "what we expect",
    "ideal candidate",
    "desired",
    "competenc",
    "we'd love",
    "we would love",
    "need to have",
    "minimum",
    "you might",
    "you are",
    "you're",
    "expertise",
    "tech stack",
];

/// Other headings of a posting: they end a requirements section.
const OTHER_SECTIONS: &[&str] = &[
    "responsibilit",
    "what you'll do",
    "what you will do",
    "what you'll be doing",
    "the role",
    "your role",
    "about us",
    "about the",
    "who we are",
    "benefit",
    "perks",
    "we offer",
    "compensation",
    "overview",
    "job description",
    "description",
    "summary",
    "how to apply",
    "equal opportunity",
    "location",
    "why join",
];

/// The heading text of a line that reads like a section heading
/// ("Requirements:", "What you'll need", "NICE TO HAVE"), without the colon.
pub(crate) fn heading_text(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.is_empty() || bullet_content(t).is_some() {
        return None;
    }
    let body = t.trim_end_matches(':').trim();
    if body.is_empty() || body.chars().count() > 60 || body.split_whitespace().count() > 8 {
        return None;
    }
    if body.ends_with(['.', ',', ';']) || body.contains(": ") {
        return None;
    }
    let first_upper = body
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| c.is_uppercase());
    let short = body.split_whitespace().count() <= 6 && !body.contains(',');
    (t.ends_with(':') || (first_upper && short)).then_some(body)
}

/// Whether a heading introduces requirements.
pub(crate) fn is_requirement_heading(heading: &str) -> bool {
    let lower = normalise_quotes(&heading.to_lowercase());
    if OTHER_SECTIONS.iter().any(|c| lower.contains(c)) && !lower.contains("requirement") {
        return false;
    }
    REQUIREMENT_CUES.iter().any(|c| lower.contains(c))
}

/// Whether a line is the name of a section rather than, say, a job title.
pub(crate) fn is_section_name(line: &str) -> bool {
    let t = line.trim().trim_end_matches(':').trim();
    let lower = normalise_quotes(&t.to_lowercase());
    REQUIREMENT_CUES
        .iter()
        .chain(OTHER_SECTIONS)
        .any(|c| match lower.strip_prefix(c) {
            // A cue may be a stem ("responsibilit"): allow plural endings,
            // but not "Experienced Engineer".
            Some(rest) => {
                let suffix: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
                ["", "s", "es", "ies", "y", "e"].contains(&suffix.as_str())
            }
            None => false,
        })
}

pub(crate) fn normalise_quotes(s: &str) -> String {
    s.replace(['\u{2019}', '\u{2018}'], "'")
}

/// Split prose into sentences at `.`, `!` or `?` followed by a space and a
/// capital letter or digit, except after common abbreviations ("e.g.").
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    const ABBREVIATIONS: &[&str] = &[
        "e.g", "i.e", "etc", "vs", "incl", "approx", "inc", "ltd", "sr", "jr", "dr", "mr", "ms",
        "st", "no", "eg", "ie", "min", "max",
    ];
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = chars.get(i + 1).map(|x| x.1);
        let after = chars.get(i + 2).map(|x| x.1);
        if next != Some(' ') || !after.is_some_and(|a| a.is_uppercase() || a.is_ascii_digit()) {
            continue;
        }
        if c == '.' {
            let word: String = text[start..pos]
                .chars()
                .rev()
                .take_while(|ch| !ch.is_whitespace() && *ch != '(')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if ABBREVIATIONS.contains(&word.to_lowercase().as_str()) {
                continue;
            }
        }
        let end = pos + c.len_utf8();
        let s = text[start..end].trim();
        if !s.is_empty() {
            out.push(s);
        }
        start = end;
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets() {
        assert_eq!(bullet_content("- Rust"), Some("Rust"));
        assert_eq!(bullet_content("  • Go"), Some("Go"));
        assert_eq!(bullet_content("•Go"), Some("Go"));
        assert_eq!(bullet_content("3. Things"), Some("Things"));
        assert_eq!(bullet_content("b) Other"), Some("Other"));
        assert_eq!(bullet_content("2020. A year"), None);
        assert_eq!(bullet_content("Plain"), None);
        assert_eq!(bullet_content("-"), None);
    }

    #[test]
    fn headings() {
        assert_eq!(heading_text("Requirements:"), Some("Requirements"));
        assert_eq!(heading_text("What you’ll need"), Some("What you’ll need"));
        assert_eq!(heading_text("We ship weekly."), None);
        assert_eq!(heading_text("- Requirements"), None);
        assert!(is_requirement_heading("What you’ll need"));
        assert!(is_requirement_heading("Nice to have"));
        assert!(!is_requirement_heading("Responsibilities"));
        assert!(!is_requirement_heading("About us"));
        assert!(is_section_name("Job Description"));
        assert!(is_section_name("Responsibilities:"));
        assert!(!is_section_name("Senior Rust Engineer"));
        assert!(!is_section_name("Experienced Platform Engineer"));
    }

    #[test]
    fn sentence_split() {
        assert_eq!(
            sentences("We use Node.js, e.g. Express. You have 3+ years of Go! Great."),
            vec![
                "We use Node.js, e.g. Express.",
                "You have 3+ years of Go!",
                "Great."
            ]
        );
        assert!(sentences("").is_empty());
    }
}
