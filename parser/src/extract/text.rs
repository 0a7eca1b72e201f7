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
    // Per page (form feed), side-by-side columns are read one after the other.
    let mut ordered: Vec<String> = Vec::new();
    for page in text.split('\u{c}') {
        let raw: Vec<&str> = page.split(['\n', '\r']).collect();
        ordered.extend(reorder_columns(&raw));
        ordered.push(String::new());
    }
    for raw in ordered.iter().map(String::as_str) {
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
        let text = super::pdf::collapse_letter_spacing(&clean_text(&split_cells(body)));
        if text.is_empty() {
            continue;
        }
        lines.push(Line {
            text,
            bullet,
            heading,
            block_start: blank_before,
            rule_before: rule_pending,
            // 1-based so that 0 keeps meaning "unknown" (as for DOCX).
            x: indent as f32 + 1.0,
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

/// Lines longer than this (in characters) are not column-split (and pages
/// with more lines than [`MAX_COLUMN_LINES`]): the search is O(width × lines).
const MAX_COLUMN_WIDTH: usize = 400;
const MAX_COLUMN_LINES: usize = 2_000;

/// Phrases of a fixed-width line: character ranges of text whose words are
/// separated by single spaces (two or more spaces end a phrase).
fn phrases(line: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if line[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while i < line.len() {
            if !line[i].is_whitespace() {
                i += 1;
                end = i;
            } else if i + 1 < line.len() && !line[i + 1].is_whitespace() {
                i += 1;
            } else {
                break;
            }
        }
        out.push((start, end));
    }
    out
}

/// `pdftotext -layout` of a two-column page puts both columns side by side
/// in every line. Find a gutter — a character column that no phrase crosses
/// below an optional full-width header band, with text on both sides — and
/// return the band, then the left column, then the right column (blank
/// lines between). Lines are returned unchanged when there is no gutter, or
/// when the narrow side is mostly dates (a date column beside entries).
fn reorder_columns(raw: &[&str]) -> Vec<String> {
    let unchanged = || raw.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let chars: Vec<Vec<char>> = raw.iter().map(|l| l.chars().collect()).collect();
    let width = chars.iter().map(Vec::len).max().unwrap_or(0);
    if !(20..=MAX_COLUMN_WIDTH).contains(&width) || raw.len() > MAX_COLUMN_LINES {
        return unchanged();
    }
    let ph: Vec<Vec<(usize, usize)>> = chars.iter().map(|l| phrases(l)).collect();
    let total: usize = ph.iter().flatten().map(|(s, e)| e - s).sum();
    if total < 200 {
        return unchanged();
    }
    let mut best: Option<(usize, usize, usize)> = None; // (column, band end, balance)
    for c in (width / 5)..(width * 4 / 5) {
        // The last line whose text crosses column c: lines up to it are the band.
        let band_end = ph
            .iter()
            .rposition(|p| p.iter().any(|&(s, e)| s <= c && e > c))
            .map_or(0, |i| i + 1);
        let (mut left, mut right, mut band) = (0usize, 0usize, 0usize);
        for (i, p) in ph.iter().enumerate() {
            for &(s, e) in p {
                if i < band_end {
                    band += e - s;
                } else if e <= c {
                    left += e - s;
                } else {
                    right += e - s;
                }
            }
        }
        let ok = band * 100 <= total * 30
            && left * 100 >= total * 12
            && right * 100 >= total * 12
            // A gutter: the column right before c is blank too in every line.
            && ph[band_end..]
                .iter()
                .all(|p| p.iter().all(|&(s, e)| e < c || s > c));
        if ok && best.is_none_or(|(_, _, b)| left.min(right) > b) {
            best = Some((c, band_end, left.min(right)));
        }
    }
    let Some((c, band_end, _)) = best else {
        return unchanged();
    };
    let part = |l: &[char], from: usize, to: usize| -> String {
        l.get(from.min(l.len())..to.min(l.len()))
            .map(|s| s.iter().collect::<String>().trim_end().to_string())
            .unwrap_or_default()
    };
    let body = &chars[band_end..];
    let left: Vec<String> = body.iter().map(|l| part(l, 0, c)).collect();
    let right: Vec<String> = body.iter().map(|l| part(l, c, usize::MAX)).collect();
    // A column of dates (or a few words) beside one flow is not a second flow.
    let dated = |col: &[String]| {
        let rows: Vec<&String> = col.iter().filter(|r| !r.trim().is_empty()).collect();
        let dates = rows
            .iter()
            .filter(|r| crate::dates::find_range(r).is_some())
            .count();
        !rows.is_empty() && dates * 100 >= rows.len() * 40
    };
    if dated(&left) || dated(&right) {
        return unchanged();
    }
    let mut out: Vec<String> = raw[..band_end].iter().map(|s| s.to_string()).collect();
    let (mut left, mut right) = (left, right);
    // A few lines on one side above where the other side starts (a name
    // block set off-centre) are the header: read first.
    let first = |col: &[String]| col.iter().position(|r| !r.trim().is_empty());
    if let (Some(fl), Some(fr)) = (first(&left), first(&right)) {
        let (early, start) = if fl < fr {
            (&mut left, fr)
        } else {
            (&mut right, fl)
        };
        let rows = early[..start]
            .iter()
            .filter(|r| !r.trim().is_empty())
            .count();
        if rows > 0 && rows <= 4 {
            for r in early[..start].iter_mut() {
                out.push(std::mem::take(r));
            }
        }
    }
    // The narrow flow (a sidebar) first, the main flow last, so that the
    // main flow runs on into the next page.
    let size = |col: &[String]| col.iter().map(|r| r.trim().len()).sum::<usize>();
    let (first, second) = if size(&right) < size(&left) {
        (right, left)
    } else {
        (left, right)
    };
    out.push(String::new());
    out.extend(first);
    out.push(String::new());
    out.extend(second);
    out
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

    #[test]
    fn side_by_side_columns_are_read_one_after_the_other() {
        let mut text = String::from("                 Jane Doe\n\n");
        for i in 0..12 {
            text.push_str(&format!(
                "Main column sentence number {i:02} here     side {i:02}\n"
            ));
        }
        let doc = extract(&text);
        let t: Vec<&str> = doc.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t[0], "Jane Doe");
        assert_eq!(t[1], "side 00");
        assert_eq!(t[13], "Main column sentence number 00 here");
        assert_eq!(t[24], "Main column sentence number 11 here");
    }

    #[test]
    fn right_aligned_dates_are_not_a_column() {
        let mut text = String::new();
        for i in 0..12 {
            text.push_str(&format!(
                "Engineer at Company number {i:02} with words      Jan 2019 - Mar 2020\n"
            ));
        }
        let doc = extract(&text);
        assert_eq!(
            doc.lines[0].text,
            "Engineer at Company number 00 with words\tJan 2019 - Mar 2020"
        );
    }
}
