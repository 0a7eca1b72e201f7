//! Plain text (including `pdftotext -layout` output) → [`Line`]s.
//!
//! Blank lines start blocks, runs of three or more spaces become cell breaks
//! (the columns of a laid-out line), `===`/`---` under a line make it a
//! heading, a line of only `-`, `*`, `_` or box-drawing characters is a rule,
//! and leading bullets become list items. Section vocabulary and `Title:`
//! headings are judged later, in [`crate::sections`].

use crate::ir::{clean_text, strip_bullet, Extracted, Line, CELL};

pub fn extract(text: &str) -> Extracted {
    let mut lines: Vec<Line> = Vec::new();
    let mut blank_before = true;
    let mut rule_pending = false;
    for raw in text.split(['\n', '\r', '\u{c}']) {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            blank_before = true;
            continue;
        }
        if let Some(level) = underline_level(trimmed) {
            // An underline directly under a text line makes that line a heading.
            match lines.last_mut() {
                Some(prev) if !blank_before && prev.heading == 0 && !prev.bullet => {
                    prev.heading = level;
                }
                _ => rule_pending = true,
            }
            blank_before = true;
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        // Markdown-style "# Title" in a text file.
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        let (trimmed, heading) = match trimmed[hashes..].strip_prefix(' ') {
            Some(rest) if (1..=6).contains(&hashes) => (rest.trim(), hashes as u8),
            _ => (trimmed, 0),
        };
        let (body, bullet) = strip_bullet(trimmed);
        let text = clean_text(&split_cells(body));
        if text.is_empty() {
            continue;
        }
        lines.push(Line {
            text,
            bullet,
            heading,
            block_start: blank_before,
            rule_before: rule_pending,
            x: indent as f32,
            ..Line::default()
        });
        blank_before = false;
        rule_pending = false;
    }
    Extracted {
        lines,
        pages: 1 + text.matches('\u{c}').count(),
        body_size: 0.0,
    }
}

/// `===` → level 1, `---` / `***` / `___` / `───` → level 2 (as a rule if no line above).
fn underline_level(line: &str) -> Option<u8> {
    let first = line.chars().next()?;
    if line.chars().count() < 3 || !line.chars().all(|c| c == first || c == ' ') {
        return None;
    }
    match first {
        '=' | '═' => Some(1),
        '-' | '*' | '_' | '─' | '━' | '~' => Some(2),
        _ => None,
    }
}

/// Replace runs of 3+ spaces (a layout gap) by a cell break.
fn split_cells(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut spaces = 0;
    for c in s.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if spaces >= 3 {
            out.push(CELL);
        } else {
            for _ in 0..spaces {
                out.push(' ');
            }
        }
        spaces = 0;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underlines_and_cells() {
        let doc = extract(
            "Jane Doe\n========\n\nExperience\n----------\nAcme     2019 - 2020\n• Built it\n",
        );
        let l = &doc.lines;
        assert_eq!(l[0].text, "Jane Doe");
        assert_eq!(l[0].heading, 1);
        assert_eq!(l[1].heading, 2);
        assert_eq!(l[2].text, "Acme\t2019 - 2020");
        assert!(l[3].bullet);
        assert_eq!(l[3].text, "Built it");
    }
}
