//! Segmentation: a dated section's lines into entries.
//!
//! Lines are first mended where a narrow cell wrapped them (a date range or
//! a degree name broken over lines, two dates without their dash), then
//! classed as *head*, *text*, *item*, continuation or sub-label, then
//! grouped: a head line after body lines starts a new entry. A head run
//! holding several dates is cut so that each entry keeps one. [`segment`]
//! is the entry point; `make_entry` reads each group's date range and sorts
//! its body into text, items and courses for the builders in the sibling
//! modules.

use crate::basics::join_paragraph;
use crate::dates::{self, DateRange};
use crate::ir::{Line, CELL};
use crate::lang;
use crate::sections::{Kind, Section};

use super::pieces::is_name_connector;
use super::projects::named_line;
use super::{is_sentence, Entry, SUB_LABELS};

/// Head lines and classified body lines of one entry, before field reading.
type RawEntry = (Vec<Line>, Vec<(Class, String)>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Head,
    Text,
    Item,
    /// A wrapped continuation of the previous item or text line.
    Cont,
    /// A sub-label such as "Highlights" that carries no data.
    Label,
}

fn starts_lower(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_lowercase())
}

/// Merge a date range wrapped onto the next line ("April 2019 – December" / "2021").
/// The first cell of a line when it is a lone date ("2012", "Sep 2012",
/// "Present"), with the rest of the line.
fn lone_date_cell(text: &str) -> Option<(&str, &str)> {
    let (first, rest) = text.split_once(CELL).unwrap_or((text, ""));
    let first = first.trim();
    let lower = first.to_lowercase();
    let present = matches!(lower.as_str(), "present" | "current" | "now" | "today");
    let single = dates::find_range(first).is_some_and(|r| r.end.is_none() && !r.present)
        && dates::is_date_line(first)
        && first.chars().count() <= 14;
    (present || single).then_some((first, rest.trim()))
}

/// "January 2022 – February ⇥ Role…" / "2023 ⇥ text": a date range set in a
/// narrow left cell wraps (even inside a word: "Novem" / "ber 2021"). The
/// end goes back to the range; the rest of the second line stays.
fn mend_date_cell(prev: &mut Line, line: &mut Line) -> bool {
    let Some((pfirst, prest)) = prev.text.split_once(CELL) else {
        return false;
    };
    let pfirst = pfirst.trim();
    let Some((first, rest)) = line
        .text
        .split_once(CELL)
        .or(Some((line.text.as_str(), "")))
    else {
        return false;
    };
    let first = first.trim();
    let Some(last_word) = pfirst.rsplit(' ').next() else {
        return false;
    };
    let open_dash = pfirst.ends_with(['–', '-', '—']);
    let open_month = dates::month_number(last_word).is_some();
    let year_tail = |t: &str| {
        let y = t.rsplit(' ').next().unwrap_or("");
        y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) && t.split(' ').count() <= 2
    };
    if !year_tail(first) || !pfirst.contains(['–', '-', '—']) {
        return false;
    }
    let frag_first = first
        .split(' ')
        .next()
        .is_some_and(|w| w.chars().all(char::is_alphabetic) && !w.is_empty());
    let joined = if (open_dash || open_month) && !frag_first {
        format!("{pfirst} {first}")
    } else {
        // "Novem" + "ber 2021": a word broken without a hyphen.
        let candidate = format!("{pfirst}{first}");
        let w = candidate.rsplit(' ').nth(1).unwrap_or("");
        if dates::month_number(w).is_none() {
            return false;
        }
        candidate
    };
    if dates::find_range(&joined).is_none_or(|r| r.end.is_none() && !r.present) {
        return false;
    }
    prev.text = format!("{joined}{CELL}{}", prest.trim());
    line.text = rest.trim().to_string();
    true
}

/// "2013 2017" / "Sep 2013 Jun 2017": two dates with only a space between
/// (a converter dropped the dash) are a range.
fn join_bare_range(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 2 || words.len() > 6 {
        return None;
    }
    let single = |t: &str| {
        dates::find_range(t)
            .filter(|r| r.end.is_none() && !r.present && r.span == (0, t.len()))
            .map(|r| r.start)
    };
    for k in 1..words.len() {
        let (left, right) = (words[..k].join(" "), words[k..].join(" "));
        if let (Some(a), Some(b)) = (single(&left), single(&right)) {
            if b.year >= a.year {
                return Some(format!("{left} – {right}"));
            }
        }
    }
    None
}

fn merge_wrapped_dates(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    // Whether the last line pushed began with a lone start date.
    let mut open_start = false;
    for line in lines {
        let joined_range;
        let line = match join_bare_range(line.text.trim()) {
            Some(t) => {
                joined_range = Line {
                    text: t,
                    ..line.clone()
                };
                &joined_range
            }
            None => line,
        };
        // A date column: "2012 ⇥ Institute of" / "2014 ⇥ Technology" — the
        // start on one line, the end on the next. Put the range on the first
        // line; the second line's text continues it (after "of", "and") or
        // stands as its own line.
        if open_start {
            if let (Some(prev), Some((end, rest))) = (out.last_mut(), lone_date_cell(&line.text)) {
                let prev_text = prev.text.clone();
                if let Some((start, prev_rest)) = lone_date_cell(&prev_text) {
                    let connector = prev_rest
                        .rsplit(' ')
                        .next()
                        .is_some_and(|w| ["of", "and", "for", "de", "&", "in", "at"].contains(&w));
                    let mut text = format!("{start} – {end}{CELL}{prev_rest}");
                    if connector && !rest.is_empty() {
                        text.push(' ');
                        text.push_str(rest);
                    }
                    prev.text = text;
                    open_start = false;
                    if !connector && !rest.is_empty() {
                        let mut next = line.clone();
                        next.text = rest.to_string();
                        next.block_start = false;
                        out.push(next);
                    }
                    continue;
                }
            }
        }
        // "… Institute of ⇥ Sept 2020 – May 2024" / "Technology": a name
        // wrapped after a connecting word continues on the next line.
        if let Some(prev) = out.last_mut() {
            let t = line.text.trim();
            // The wrapped cell: the first, or the last after a date cell
            // ("Oct 2017 – Jul 2019 ⇥ …, University of" / "Timothychester.").
            let date_first = prev
                .text
                .split(CELL)
                .next()
                .is_some_and(|c| dates::is_date_line(c.trim()));
            let first = match prev.text.rsplit_once(CELL) {
                Some((_, last)) if date_first => last.trim_end(),
                _ => prev.text.split(CELL).next().unwrap_or("").trim_end(),
            };
            let connector = first.rsplit(' ').next().is_some_and(is_name_connector);
            if connector
                && first.contains(' ')
                && !line.block_start
                && !line.bullet
                && !t.contains(CELL)
                && t.split_whitespace().count() <= 4
                && t.chars().next().is_some_and(char::is_uppercase)
                && dates::find_range(t).is_none()
            {
                let at = prev.text.find(first).unwrap_or(0) + first.len();
                let (head, rest) = prev.text.split_at(at);
                prev.text = format!("{head} {t}{rest}");
                continue;
            }
        }
        if let Some(prev) = out.last_mut() {
            let mut cur = line.clone();
            if prev.text.contains(CELL) && mend_date_cell(prev, &mut cur) {
                if !cur.text.is_empty() {
                    cur.block_start = false;
                    out.push(cur);
                }
                open_start = false;
                continue;
            }
        }
        open_start = lone_date_cell(&line.text).is_some_and(|(d, _)| {
            !matches!(
                d.to_lowercase().as_str(),
                "present" | "current" | "now" | "today"
            )
        });
        if let Some(prev) = out.last_mut() {
            let t = line.text.trim();
            let is_year = t.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
            let prev_last = prev
                .text
                .rsplit(CELL)
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let open_end = prev_last.ends_with(['–', '-', '—'])
                || prev_last
                    .rsplit(' ')
                    .next()
                    .is_some_and(|w| dates::month_number(w).is_some());
            if is_year && open_end && dates::find_range(&prev_last).is_some() {
                prev.text.push(' ');
                prev.text.push_str(t);
                continue;
            }
            // "… – Septem" / "ber 2022": a month broken inside the word.
            if let Some((frag, year)) = t.split_once(' ') {
                let stub = prev_last.rsplit(' ').next().unwrap_or("");
                let year_ok = year.len() == 4 && year.chars().all(|c| c.is_ascii_digit());
                if year_ok
                    && !stub.is_empty()
                    && frag.chars().all(char::is_alphabetic)
                    && dates::month_number(&format!("{stub}{frag}")).is_some()
                    && dates::find_range(&prev_last).is_some()
                {
                    prev.text.push_str(t);
                    continue;
                }
            }
        }
        out.push(line.clone());
    }
    out
}

/// A degree set in a narrow cell beside the institution wraps inside words:
/// "Bach ⇥ Uni, Area" / "elor of" / "Arts". When the first cell (or word)
/// and the short lines under it spell a known degree with the spaces
/// removed, the head line gets the degree back as its own cell.
fn mend_degree_fragments(lines: Vec<Line>) -> Vec<Line> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let is_fragment = |l: &Line| {
        let t = l.text.trim();
        !t.is_empty()
            && t.chars().count() <= 8
            && !t.contains(CELL)
            && !l.bullet
            && !t.chars().any(|c| c.is_ascii_digit())
    };
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        // Degree names are short: a handful of fragments at most.
        let mut j = i + 1;
        while j < lines.len() && j <= i + 8 && is_fragment(&lines[j]) {
            j += 1;
        }
        if j > i + 1 {
            let text = line.text.trim();
            let (first, rest) = match text.split_once(CELL) {
                Some((f, r)) if !f.contains(' ') => (f, r),
                _ => text.split_once(' ').unwrap_or((text, "")),
            };
            let mut spelled = norm(first);
            for l in &lines[i + 1..j] {
                spelled.push_str(&norm(&l.text));
            }
            if let Some(d) = lang::degrees().iter().find(|d| norm(d) == spelled) {
                let mut head = line.clone();
                head.text = format!("{d}{CELL}{}", rest.trim());
                out.push(head);
                i = j;
                continue;
            }
        }
        out.push(line.clone());
        i += 1;
    }
    out
}

pub fn segment(section: &Section, body_size: f32) -> Vec<Entry> {
    let mut lines = if section.kind == Kind::Education {
        merge_wrapped_dates(&mend_degree_fragments(section.lines.clone()))
    } else {
        merge_wrapped_dates(&section.lines)
    };
    if lines.is_empty() {
        return Vec::new();
    }
    unmark_list_heads(&mut lines);
    // "Name: description" lines are projects of their own only in a list of
    // undated names; under a dated head ("Pixel Sync ⇥ 2020") such a line
    // ("Privates Projekt: Web-App …") describes that head's project.
    let named_projects = section.kind == Kind::Projects
        && !lines
            .iter()
            .any(|l| !named_line(&l.text) && dates::find_range(&l.text).is_some());
    // A projects list of "Name: description" items: each item is a project.
    if named_projects
        && lines.iter().all(|l| l.bullet)
        && lines.iter().filter(|l| named_line(&l.text)).count() * 2 > lines.len()
    {
        for line in lines.iter_mut().filter(|l| named_line(&l.text)) {
            line.bullet = false;
            line.block_start = true;
        }
    }
    let geometry = Geometry::measure(&lines);
    let classes = classify(&lines, &geometry, named_projects, body_size);
    let entries = group(&lines, &classes, named_projects);
    split_multi_dated(entries)
}

/// A section written as one list (every line a list item, as some
/// converters emit): the list marks say nothing about entry heads, so a
/// date line and the line before it are heads, not items.
fn unmark_list_heads(lines: &mut [Line]) {
    let bullets = lines.iter().filter(|l| l.bullet).count();
    if lines.len() < 3 || bullets * 10 < lines.len() * 9 {
        return;
    }
    let dated: Vec<bool> = lines
        .iter()
        .map(|l| crate::dates::find_range(&l.text).is_some() && l.text.chars().count() <= 60)
        .collect();
    // The title before the date — unless a styled title follows it.
    let styled_next = |i: usize| lines.get(i + 1).is_some_and(|n| n.heading > 0 || n.bold);
    // A bold item over plain ones names its entry as well.
    let bold_head = |i: usize| {
        lines[i].bold
            && lines[i].text.split_whitespace().count() <= 8
            && lines.get(i + 1).is_some_and(|n| !n.bold)
    };
    let heads: Vec<bool> = (0..lines.len())
        .map(|i| {
            dated[i]
                || (dated.get(i + 1).copied().unwrap_or(false) && !styled_next(i + 1))
                || bold_head(i)
        })
        .collect();
    for (line, head) in lines.iter_mut().zip(heads) {
        if head {
            line.bullet = false;
        }
    }
}

/// Where a section's lines stand sideways: the left edge of its body, the
/// columns of its list glyphs, and which lines are indented, all of which
/// the classifier reads as structure.
struct Geometry {
    has_x: bool,
    /// Lines carry font sizes (a PDF), so indents are measured in points.
    sized: bool,
    indent_unit: f32,
    /// Sorted, deduplicated x positions of list glyphs.
    bullet_xs: Vec<f32>,
    /// Each line's own left edge (the body's, or in fixed-width text its
    /// nearest date line's).
    line_base: Vec<f32>,
    /// Each line is inside a run of indented lines spaced apart.
    spaced_run: Vec<bool>,
}

impl Geometry {
    fn measure(lines: &[Line]) -> Geometry {
        let has_x = lines.iter().any(|l| l.x > 0.0);
        let sized = lines.iter().any(|l| l.size > 0.0);
        let mut bullet_xs: Vec<f32> = lines
            .iter()
            .filter(|l| l.bullet && l.x > 0.0)
            .map(|l| l.x)
            .collect();
        bullet_xs.sort_by(f32::total_cmp);
        bullet_xs.dedup_by(|a, b| (*a - *b).abs() < 0.25);
        let mut geometry = Geometry {
            has_x,
            sized,
            indent_unit: if sized { 6.0 } else { 1.5 },
            bullet_xs,
            line_base: Vec::new(),
            spaced_run: Vec::new(),
        };
        geometry.line_base = line_bases(lines, sized);
        geometry.spaced_run = geometry.spaced_runs(lines);
        geometry
    }

    /// Where list glyphs stand: a line without a glyph starting there is
    /// body text beside the list (a summary), not an item set by indent.
    fn at_bullet_x(&self, l: &Line) -> bool {
        // Sorted: the neighbours of the insertion point are the nearest.
        let i = self.bullet_xs.partition_point(|x| *x < l.x);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|j| self.bullet_xs.get(j))
            .any(|x| (x - l.x).abs() < 1.0)
    }

    /// An indented line without a glyph of its own.
    fn indented(&self, i: usize, l: &Line) -> bool {
        self.has_x
            && !l.bullet
            && l.x > self.line_base[i] + self.indent_unit
            && !self.at_bullet_x(l)
    }

    /// Runs of indented lines without glyphs: a list whose items are spaced
    /// apart (gaps inside the run) has its wrapped lines without a gap.
    fn spaced_runs(&self, lines: &[Line]) -> Vec<bool> {
        let indented: Vec<bool> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| self.indented(i, l))
            .collect();
        let mut spaced_run = vec![false; lines.len()];
        let mut i = 0;
        while i < lines.len() {
            if !indented[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i < lines.len() && indented[i] {
                i += 1;
            }
            let spaced = lines[start + 1..i].iter().any(|l| l.block_start);
            for flag in &mut spaced_run[start..i] {
                *flag = spaced;
            }
        }
        spaced_run
    }
}

/// The left edge of the section's non-list lines (lines split off a
/// gutter heading row have no x of their own and are skipped): the
/// leftmost x shared by two or more lines, so one line drawn a little left
/// of the rest (after an icon) does not make everything "indented".
fn body_left_edge(lines: &[Line]) -> f32 {
    let mut xs: Vec<f32> = lines
        .iter()
        .filter(|l| !l.bullet && l.x > 0.0)
        .map(|l| l.x)
        .collect();
    xs.sort_by(f32::total_cmp);
    let shared = xs
        .windows(2)
        .find(|w| w[1] - w[0] < 1.0)
        .map_or(f32::MAX, |w| w[0]);
    let base_x = if shared < f32::MAX {
        shared
    } else {
        xs.iter().copied().fold(f32::MAX, f32::min)
    };
    if base_x == f32::MAX {
        0.0
    } else {
        base_x
    }
}

/// Each line's left edge. Fixed-width text drifts sideways from entry to
/// entry (`pdftotext -layout` pads lines per block): there an entry's own
/// date line marks its left edge — the nearest one (before it on ties).
fn line_bases(lines: &[Line], sized: bool) -> Vec<f32> {
    let base_x = body_left_edge(lines);
    if sized {
        return vec![base_x; lines.len()];
    }
    let dated_x: Vec<Option<f32>> = lines
        .iter()
        .map(|l| (l.x > 0.0 && !l.bullet && dates::is_date_line(&l.flat())).then_some(l.x))
        .collect();
    // Nearest date line before / after each line, in one pass each way.
    let mut before: Vec<Option<(usize, f32)>> = Vec::with_capacity(lines.len());
    let mut last: Option<(usize, f32)> = None;
    for (i, x) in dated_x.iter().enumerate() {
        if let Some(x) = x {
            last = Some((i, *x));
        }
        before.push(last);
    }
    let mut after: Vec<Option<(usize, f32)>> = vec![None; lines.len()];
    let mut next: Option<(usize, f32)> = None;
    for (i, x) in dated_x.iter().enumerate().rev() {
        if let Some(x) = x {
            next = Some((i, *x));
        }
        after[i] = next;
    }
    (0..lines.len())
        .map(|i| {
            let back = before[i].map(|(j, x)| (i - j, x));
            let ahead = after[i].map(|(j, x)| (j - i, x));
            match (back, ahead) {
                (Some((db, xb)), Some((da, xa))) => {
                    if da < db {
                        xa
                    } else {
                        xb
                    }
                }
                (Some((_, x)), None) | (None, Some((_, x))) => x,
                (None, None) => base_x,
            }
        })
        .collect()
}

/// Class every line as head, text, item, continuation or sub-label, in
/// order: a line's class depends on the one before it.
fn classify(lines: &[Line], g: &Geometry, named_projects: bool, body_size: f32) -> Vec<Class> {
    let mut classes: Vec<Class> = Vec::with_capacity(lines.len());
    let mut last_item_x: Option<f32> = None;
    let mut label_x: Option<f32> = None;
    let (has_x, sized, indent_unit) = (g.has_x, g.sized, g.indent_unit);
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        let lower = text.trim_end_matches(':').to_lowercase();
        let has_date = line.cells().any(|c| dates::find_range(c).is_some());
        let prev = classes.last().copied();
        let labelled_list = text.split_once(':').is_some_and(|(l, r)| {
            !r.trim().is_empty() && SUB_LABELS.contains(&l.trim().to_lowercase().as_str())
        });
        let class = if SUB_LABELS.contains(&lower.as_str()) {
            Class::Label
        } else if labelled_list && !has_date {
            // "Major courses: A · B": a list with its label, not an entry head.
            Class::Item
        } else if label_x.is_some_and(|lx| {
            // The list under a "Highlights:" / "Courses" label, however it is set.
            !has_date
                && !line.bold
                && line.heading == 0
                && (if has_x {
                    line.x >= lx + indent_unit * 0.75
                } else {
                    line.bullet
                })
                && matches!(prev, Some(Class::Label | Class::Item | Class::Cont))
        }) {
            let wrapped = (!line.block_start
                && (starts_lower(text)
                    || g.spaced_run[i]
                    || !text.chars().next().is_some_and(char::is_uppercase)))
                || (!sized && starts_lower(text));
            if line.bullet || matches!(prev, Some(Class::Label)) || !wrapped {
                Class::Item
            } else {
                Class::Cont
            }
        } else if line.heading > 0 && line.heading < 6 {
            Class::Head
        } else if line.bullet {
            if dates::is_date_line(text) {
                Class::Head
            } else {
                Class::Item
            }
        } else if matches!(prev, Some(Class::Item | Class::Cont))
            && !has_date
            && !line.bold
            && !line.bullet
            && ((!line.block_start
                && text.split_whitespace().count() <= 2
                && !text.chars().next().is_some_and(char::is_alphabetic))
                || (!sized && starts_lower(text) && last_item_x.is_some_and(|x| line.x >= x - 0.5)))
        {
            // "… by" / "40%": the tail of a wrapped item; in fixed-width text a
            // blank line may split a wrapped item where the other column had text.
            Class::Cont
        } else if !line.block_start
            && !has_date
            && !line.bold
            && ((matches!(prev, Some(Class::Item | Class::Cont))
                && (has_x && last_item_x.is_some_and(|x| line.x > x + 1.0) || starts_lower(text)))
                || (matches!(prev, Some(Class::Text)) && starts_lower(text)))
        {
            Class::Cont
        } else if has_date || line.bold || (body_size > 0.0 && line.size > body_size * 1.08) {
            Class::Head
        } else if g.indented(i, line) && !has_date {
            // An indented line without a bullet glyph: a list item.
            if matches!(prev, Some(Class::Item | Class::Cont))
                && !line.block_start
                && (starts_lower(text) || g.spaced_run[i])
            {
                Class::Cont
            } else {
                Class::Item
            }
        } else if named_projects && line.block_start && !line.bullet && named_line(text) {
            // "Kestrel API: Volunteer project to …": one undated project per line.
            Class::Head
        } else if is_sentence(text) {
            Class::Text
        } else {
            Class::Head
        };
        if class == Class::Item {
            last_item_x = Some(line.x);
        }
        match class {
            Class::Label => label_x = Some(line.x),
            Class::Item | Class::Cont => {}
            _ => label_x = None,
        }
        classes.push(class);
    }
    classes
}

/// Group classed lines into entries: a head line after text or items
/// starts a new entry; each "Name: description" line of a projects list is
/// an entry of its own.
fn group(lines: &[Line], classes: &[Class], named_projects: bool) -> Vec<RawEntry> {
    let own_entry = |l: &Line| named_projects && l.block_start && !l.bullet && named_line(&l.text);
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut in_body = true;
    for (line, class) in lines.iter().zip(classes.iter().copied()) {
        if own_entry(line) && class == Class::Head {
            entries.push((vec![line.clone()], Vec::new()));
            in_body = true;
            continue;
        }
        match class {
            Class::Label => {
                if let Some(e) = entries.last_mut() {
                    e.1.push((Class::Label, line.text.trim().to_string()));
                }
                in_body = true;
            }
            Class::Head => {
                if in_body || entries.is_empty() {
                    entries.push((Vec::new(), Vec::new()));
                }
                in_body = false;
                if let Some(e) = entries.last_mut() {
                    e.0.push(line.clone());
                }
            }
            Class::Text | Class::Item => {
                if entries.is_empty() {
                    entries.push((Vec::new(), Vec::new()));
                }
                if let Some(e) = entries.last_mut() {
                    if e.0.is_empty() && e.1.is_empty() && class == Class::Text {
                        // An entry cannot start with a sentence: treat as head.
                        e.0.push(line.clone());
                        continue;
                    }
                    e.1.push((class, line.text.replace(CELL, " ")));
                }
                in_body = true;
            }
            Class::Cont => {
                if let Some(e) = entries.last_mut() {
                    match e.1.last_mut() {
                        Some((_, t)) => {
                            let joined = join_paragraph(&[t.as_str(), line.text.as_str()]);
                            *t = joined;
                        }
                        None => e.0.push(line.clone()),
                    }
                }
            }
        }
    }
    entries
}

/// Split head runs that hold several dates: each entry keeps one, the
/// body goes with the last.
fn split_multi_dated(entries: Vec<RawEntry>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (head, body) in entries {
        let date_idx: Vec<usize> = head
            .iter()
            .enumerate()
            .filter(|(_, l)| l.cells().any(|c| dates::find_range(c).is_some()))
            .map(|(i, _)| i)
            .collect();
        if date_idx.len() <= 1 {
            out.push(make_entry(head, body));
            continue;
        }
        let offset = date_idx[0];
        let mut starts: Vec<usize> = vec![0];
        for w in date_idx.windows(2) {
            let start = w[1].saturating_sub(offset).max(w[0] + 1);
            starts.push(start);
        }
        let n = starts.len();
        let mut body = Some(body);
        for k in 0..n {
            let from = starts[k];
            let to = if k + 1 < n { starts[k + 1] } else { head.len() };
            let part = head[from..to.max(from)].to_vec();
            let b = if k + 1 == n {
                body.take().unwrap_or_default()
            } else {
                Vec::new()
            };
            out.push(make_entry(part, b));
        }
    }
    out
}

fn make_entry(head: Vec<Line>, body: Vec<(Class, String)>) -> Entry {
    let mut e = Entry {
        head,
        ..Entry::default()
    };
    for line in &e.head {
        for cell in line.cells() {
            if let Some(r) = dates::find_range(cell) {
                if e.range.is_none()
                    || e.range.as_ref().is_some_and(|x| {
                        x.end.is_none() && !x.present && (r.end.is_some() || r.present)
                    })
                {
                    e.range = Some(r);
                }
            }
        }
    }
    // A range written over two lines ("2016" / "2019" in a date column).
    if let Some(r) = e.range.as_mut() {
        if r.end.is_none() && !r.present {
            let singles: Vec<DateRange> = e
                .head
                .iter()
                .flat_map(|l| {
                    l.cells()
                        .filter(|c| dates::is_date_line(c))
                        .filter_map(dates::find_range)
                        .collect::<Vec<_>>()
                })
                .collect();
            if let Some(next) = singles
                .iter()
                .find(|d| d.start != r.start && d.end.is_none() && d.start.year >= r.start.year)
            {
                r.end = Some(next.start);
                r.present = next.present;
            }
        }
    }
    let mut in_courses = false;
    let mut after_date = e
        .head
        .last()
        .is_some_and(|l| l.bullet && dates::is_date_line(&l.text));
    for (class, text) in body {
        match class {
            Class::Label => {
                let l = text.trim_end_matches(':').to_lowercase();
                in_courses = l.contains("course");
            }
            Class::Item if in_courses => e.courses.push(text),
            Class::Item => {
                // A bullet that is only a date belongs to the head (Markdown
                // layouts), and so does a short place bullet right after it.
                if dates::is_date_line(&text) && e.range.is_none() {
                    e.range = dates::find_range(&text);
                    after_date = true;
                    continue;
                }
                let place = after_date
                    && e.items.is_empty()
                    && text.split_whitespace().count() <= 4
                    && !text.ends_with('.')
                    && !text.chars().any(|c| c.is_ascii_digit())
                    && text
                        .split_whitespace()
                        .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
                after_date = false;
                if place {
                    e.head.push(Line::new(text));
                } else {
                    e.items.push(text);
                }
            }
            Class::Text => {
                // A date cell on a summary line (right-aligned dates).
                if e.range.is_none() {
                    if let Some(r) = dates::find_range(&text) {
                        if r.span.0 > 0 && dates::is_date_line(&text[r.span.0..]) {
                            let t = text[..r.span.0].trim().to_string();
                            e.range = Some(r);
                            if !t.is_empty() {
                                e.text.push(t);
                            }
                            continue;
                        }
                    }
                }
                e.text.push(text)
            }
            _ => {}
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entries::education::education;
    use crate::entries::test_section as sec;
    use crate::entries::work::work;

    fn at(t: &str, x: f32) -> Line {
        Line {
            x,
            size: 10.0,
            ..Line::new(t)
        }
    }

    #[test]
    fn work_entries_split_on_dates() {
        let bold = |t: &str| Line {
            bold: true,
            ..Line::new(t)
        };
        let bullet = |t: &str| Line {
            bullet: true,
            ..Line::new(t)
        };
        let s = sec(
            Kind::Work,
            vec![
                bold("Senior Software Engineer\tJan 2020 – Present"),
                Line::new("Acme Inc"),
                bullet("Built the billing platform"),
                bold("Software Engineer\t2017 – 2019"),
                Line::new("Wong-Franklin"),
                bullet("Shipped things"),
            ],
        );
        let entries = segment(&s, 0.0);
        assert_eq!(entries.len(), 2);
        let mut unread = 0;
        let w = work(&entries[0], &mut unread).unwrap();
        assert_eq!(w.position.as_deref(), Some("Senior Software Engineer"));
        assert_eq!(w.name.as_deref(), Some("Acme Inc"));
        assert_eq!(w.start_date.as_deref(), Some("2020-01"));
        assert_eq!(w.end_date, None);
        assert_eq!(w.highlights, vec!["Built the billing platform"]);
        let w = work(&entries[1], &mut unread).unwrap();
        assert_eq!(w.name.as_deref(), Some("Wong-Franklin"));
        assert_eq!(w.end_date.as_deref(), Some("2019"));
    }

    #[test]
    fn bare_year_pairs_are_ranges() {
        assert_eq!(join_bare_range("2013 2017").as_deref(), Some("2013 – 2017"));
        assert_eq!(
            join_bare_range("Sep 2013 Jun 2017").as_deref(),
            Some("Sep 2013 – Jun 2017")
        );
        assert_eq!(join_bare_range("2017 2013"), None);
        assert_eq!(join_bare_range("Since 2013 about 2017"), None);
    }

    #[test]
    fn degree_wrapped_in_a_narrow_cell() {
        let s = sec(
            Kind::Education,
            vec![
                at(
                    "Bach Lippstadt Institute of Technology, Accounting\t2013 – 2017",
                    62.0,
                ),
                at("elor", 62.0),
                at("of En", 62.0),
                at("gi", 62.0),
                at("neer", 62.0),
                at("ing", 62.0),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 1);
        let e = education(&entries[0]).unwrap();
        assert_eq!(e.study_type.as_deref(), Some("Bachelor of Engineering"));
        assert_eq!(
            e.institution.as_deref(),
            Some("Lippstadt Institute of Technology")
        );
        assert_eq!(e.area.as_deref(), Some("Accounting"));
        assert_eq!(e.end_date.as_deref(), Some("2017"));
    }

    #[test]
    fn date_column_over_two_lines() {
        let s = sec(
            Kind::Education,
            vec![
                at("2012\tSainte Aurore Institute of", 380.0),
                at("2014\tTechnology", 380.0),
                at("Master", 415.0),
                at("2009\tPoirier School of Business", 380.0),
                at("2011", 380.0),
                at("MBA", 415.0),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 2);
        let e = education(&entries[0]).unwrap();
        assert_eq!(
            e.institution.as_deref(),
            Some("Sainte Aurore Institute of Technology")
        );
        assert_eq!(e.start_date.as_deref(), Some("2012"));
        assert_eq!(e.end_date.as_deref(), Some("2014"));
        let e = education(&entries[1]).unwrap();
        assert_eq!(e.end_date.as_deref(), Some("2011"));
        assert_eq!(e.study_type.as_deref(), Some("MBA"));
    }

    #[test]
    fn month_broken_inside_a_date_cell() {
        let s = sec(
            Kind::Work,
            vec![
                at(
                    "November 2019 – Novem\tFull Stack Developer, Finanzas Ibéricos S.C.P",
                    56.0,
                ),
                at(
                    "ber 2021\tVision-oriented human-resource parallelism.",
                    138.0,
                ),
            ],
        );
        let entries = segment(&s, 10.0);
        assert_eq!(entries.len(), 1);
        let w = work(&entries[0], &mut 0).unwrap();
        assert_eq!(w.start_date.as_deref(), Some("2019-11"));
        assert_eq!(w.end_date.as_deref(), Some("2021-11"));
        assert_eq!(w.name.as_deref(), Some("Finanzas Ibéricos S.C.P"));
    }
}
