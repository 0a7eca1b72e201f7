//! PDF → [`Line`]s: positioned spans from `pdfboss-text`, rebuilt into lines,
//! columns and reading order from their geometry.
//!
//! Per page: spans (text, origin, advance end, size, font name, bold flag)
//! → glyph runs in top-down coordinates → column split (a vertical gutter
//! that no run crosses, with text on both sides whose baselines do not line
//! up, i.e. two independent flows such as a sidebar) → lines (runs sharing a
//! baseline, joined with a space for word gaps and a cell break for wide
//! gaps) → style per line (dominant size, bold share from the flag *and* the
//! font name, since the flag misses "Semibold"). Lines from the same column
//! are kept in top-to-bottom order; the full-width band above the columns
//! (the name and contact header) comes first.

use pdfboss_core::Document;
use pdfboss_text::{extract_spans, ReadingOrder, TextSpan};

use crate::ir::{clean_text, strip_bullet, Extracted, Line, CELL};
use crate::{check_deadline, Budget, Format, ParseError};

/// Pages with more runs than this are read without column detection.
const MAX_RUNS_FOR_COLUMNS: usize = 8_000;
/// Most runs kept from one page (a hostile page can hold millions).
const MAX_RUNS_PER_PAGE: usize = 200_000;

/// A piece of text at a place on the page, top-down coordinates.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    /// Baseline, distance from the page top.
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    /// Horizontal extent column detection tests (the run's own for now;
    /// joining glyph runs into phrases here is a known improvement).
    pub px: (f32, f32),
}

pub fn extract(bytes: &[u8], budget: &Budget) -> Result<Extracted, ParseError> {
    let corrupt = |detail: String| ParseError::Corrupt {
        format: Format::Pdf,
        detail,
    };
    let doc = Document::load(bytes.to_vec()).map_err(|e| corrupt(e.to_string()))?;
    if doc.is_locked() {
        return Err(corrupt("the PDF is encrypted with a password".into()));
    }
    let pages = doc.page_count();
    if pages == 0 {
        return Err(corrupt("the PDF has no pages".into()));
    }
    if pages > budget.max_pages {
        return Err(ParseError::OverBudget(format!(
            "the PDF has {pages} pages, more than the {} allowed",
            budget.max_pages
        )));
    }
    let mut lines = Vec::new();
    let mut read = 0;
    for index in 0..pages {
        check_deadline(budget)?;
        let page = match doc.page(index) {
            Ok(p) => p,
            Err(e) if index == 0 => return Err(corrupt(e.to_string())),
            Err(_) => continue,
        };
        let spans = match extract_spans(&doc, &page, ReadingOrder::Content) {
            Ok(s) => s,
            Err(e) if index == 0 => return Err(corrupt(e.to_string())),
            Err(_) => continue,
        };
        read += 1;
        let top = page.media_box.y1.max(page.media_box.y0);
        let width = (page.media_box.x1 - page.media_box.x0).abs();
        let runs = spans_to_runs(&spans, top);
        lines.extend(page_lines(runs, width, index));
    }
    let mut out = Extracted {
        lines,
        pages: read,
        body_size: 0.0,
    };
    out.compute_body_size();
    Ok(out)
}

/// Bold from the flag or the font name (the flag misses Semibold/Medium-Bold).
fn bold_font(span: &TextSpan) -> bool {
    if span.bold || span.font_weight.is_some_and(|w| w >= 550.0) {
        return true;
    }
    let name = span.font_name.to_ascii_lowercase();
    let name = name.rsplit('+').next().unwrap_or(&name);
    [
        "bold",
        "semibold",
        "demi",
        "black",
        "heavy",
        "-sb",
        "extrabold",
    ]
    .iter()
    .any(|k| name.contains(k))
}

fn spans_to_runs(spans: &[TextSpan], top: f32) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::with_capacity(spans.len().min(MAX_RUNS_PER_PAGE));
    for s in spans.iter().take(MAX_RUNS_PER_PAGE) {
        if s.invisible || s.rotate != 0 || s.vertical || s.text.trim().is_empty() {
            continue;
        }
        if !(s.x.is_finite() && s.y.is_finite() && s.end_x.is_finite() && s.size.is_finite()) {
            continue;
        }
        let size = if s.size > 0.5 {
            s.size
        } else {
            (s.bbox.y1 - s.bbox.y0).abs().max(1.0)
        };
        // Keep leading/trailing spaces out of the geometry: the span's own
        // spaces are part of its advance, which is fine for gap rules.
        let run = Run {
            text: s.text.clone(),
            x0: s.x.min(s.end_x),
            x1: s.x.max(s.end_x),
            y: top - s.y,
            size,
            bold: bold_font(s),
            px: (0.0, 0.0),
        };
        // Fake bold and hidden duplicates: the same text drawn again at (almost) the same place.
        if runs
            .iter()
            .rev()
            .take(8)
            .any(|r| r.text == run.text && (r.x0 - run.x0).abs() < 1.5 && (r.y - run.y).abs() < 1.5)
        {
            continue;
        }
        runs.push(run);
    }
    runs
}

/// All lines of one page, in reading order.
pub(crate) fn page_lines(runs: Vec<Run>, width: f32, page: usize) -> Vec<Line> {
    if runs.is_empty() {
        return Vec::new();
    }
    let groups = split_columns(runs, width);
    let mut out = Vec::new();
    for (gi, group) in groups.into_iter().enumerate() {
        let mut lines = build_lines(group, page);
        if let Some(first) = lines.first_mut() {
            first.block_start = true;
            if gi > 0 {
                first.rule_before = false;
            }
        }
        out.extend(lines);
    }
    out
}

/// Give every run the horizontal extent of its phrase: the runs on its
/// baseline that follow one another with at most a word gap between them
/// (glyph-by-glyph text, a name whose two words are drawn apart). A gutter
/// may fall between phrases, never inside one.
fn phrase_extents(runs: &mut [Run]) {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| {
        runs[a]
            .y
            .total_cmp(&runs[b].y)
            .then(runs[a].x0.total_cmp(&runs[b].x0))
    });
    // Rows of runs sharing a baseline.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match rows.last_mut() {
            Some(row) if (runs[i].y - runs[row[0]].y).abs() < 0.3 * runs[i].size.max(1.0) => {
                row.push(i)
            }
            _ => rows.push(vec![i]),
        }
    }
    for mut row in rows {
        row.sort_by(|&a, &b| runs[a].x0.total_cmp(&runs[b].x0));
        let mut start = 0;
        while start < row.len() {
            let mut end = start + 1;
            let mut x1 = runs[row[start]].x1;
            while end < row.len() {
                let r = &runs[row[end]];
                let size = r.size.max(runs[row[end - 1]].size).max(1.0);
                if r.x0 - x1 > 0.6 * size {
                    break;
                }
                x1 = x1.max(r.x1);
                end += 1;
            }
            let x0 = runs[row[start]].x0;
            for &i in &row[start..end] {
                runs[i].px = (x0, x1);
            }
            start = end;
        }
    }
}

/// Split a page's runs into reading-order groups: a full-width band on top,
/// then each column. One group when no gutter is found.
fn split_columns(mut runs: Vec<Run>, width: f32) -> Vec<Vec<Run>> {
    phrase_extents(&mut runs);
    let counts: Vec<usize> = runs.iter().map(|r| r.text.chars().count()).collect();
    let total_chars: usize = counts.iter().sum();
    // Column search is O(candidates × runs): skip it on absurd pages.
    if total_chars < 200 || width <= 0.0 || runs.len() > MAX_RUNS_FOR_COLUMNS {
        return vec![runs];
    }
    let min_x = runs.iter().map(|r| r.x0).fold(f32::MAX, f32::min).max(0.0);
    let max_x = runs
        .iter()
        .map(|r| r.x1)
        .fold(f32::MIN, f32::max)
        .min(width);
    let span = max_x - min_x;
    if span.is_nan() || span <= 0.0 {
        return vec![runs];
    }
    // Candidate gutters: x positions no run body crosses (runs are allowed to
    // cross in a top band, the header). A fixed number of candidates.
    let step = (span / 300.0).max(1.0);
    let mut candidates: Vec<(f32, f32)> = Vec::new(); // (x, balance)
    let mut x = min_x + span * 0.15;
    while x < min_x + span * 0.85 {
        let mut left = 0usize;
        let mut right = 0usize;
        let mut crossing_y_max = f32::MIN;
        for (r, &n) in runs.iter().zip(&counts) {
            if r.px.1 <= x {
                left += n;
            } else if r.px.0 >= x {
                right += n;
            } else {
                crossing_y_max = crossing_y_max.max(r.y);
            }
        }
        let side_ok = left * 100 >= total_chars * 12 && right * 100 >= total_chars * 12;
        if side_ok {
            // Runs crossing x are only acceptable in a header band above the columns.
            let band_ok = crossing_y_max == f32::MIN || {
                let below_band = runs
                    .iter()
                    .zip(&counts)
                    .filter(|(r, _)| r.y > crossing_y_max + 0.1)
                    .map(|(_, n)| n)
                    .sum::<usize>();
                below_band * 100 >= total_chars * 60
            };
            if band_ok {
                candidates.push((x, left.min(right) as f32));
            }
        }
        x += step;
    }
    let Some(gx) = pick_gutter(&runs, &candidates, step) else {
        return vec![runs];
    };
    // The header band: everything down to the last run crossing the gutter.
    let band_bottom = runs
        .iter()
        .filter(|r| r.px.0 < gx && r.px.1 > gx)
        .map(|r| r.y)
        .fold(f32::MIN, f32::max);
    let (mut band, body): (Vec<Run>, Vec<Run>) =
        runs.into_iter().partition(|r| r.y <= band_bottom + 0.1);
    let (mut left, mut right): (Vec<Run>, Vec<Run>) = body.into_iter().partition(|r| r.px.1 <= gx);
    // A few lines on one side above where the other column starts are a
    // header (a name block that sits off-centre), read first.
    let top = |v: &[Run]| v.iter().map(|r| r.y).fold(f32::MAX, f32::min);
    let (top_l, top_r) = (top(&left), top(&right));
    let (early, start_other) = if top_l < top_r {
        (&mut left, top_r)
    } else {
        (&mut right, top_l)
    };
    let above: Vec<f32> = early
        .iter()
        .filter(|r| r.y < start_other - r.size)
        .map(|r| r.y)
        .collect();
    let mut rows_above: Vec<f32> = Vec::new();
    for y in above {
        if !rows_above.iter().any(|r| (r - y).abs() < 2.0) {
            rows_above.push(y);
        }
    }
    if !rows_above.is_empty() && rows_above.len() <= 4 {
        let (moved, kept): (Vec<Run>, Vec<Run>) = std::mem::take(early)
            .into_iter()
            .partition(|r| r.y < start_other - r.size);
        *early = kept;
        band.extend(moved);
    }
    // Two flows, or one flow with a column of dates/places beside it? A
    // date column is mostly dates, and its rows line up with the other side.
    if right.is_empty() || left.is_empty() {
        let mut all = band;
        all.extend(left);
        all.extend(right);
        return vec![all];
    }
    let chars = |v: &[Run]| v.iter().map(|r| r.text.chars().count()).sum::<usize>();
    let small = if chars(&left) < chars(&right) {
        &left
    } else {
        &right
    };
    let other = if chars(&left) < chars(&right) {
        &right
    } else {
        &left
    };
    let rows: Vec<(f32, String)> = build_lines(small.clone(), 0)
        .into_iter()
        .map(|l| (0.0, l.text))
        .collect();
    let mut ys: Vec<f32> = small.iter().map(|r| r.y).collect();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    let dated = rows
        .iter()
        .filter(|(_, t)| crate::dates::find_range(t).is_some())
        .count();
    // Section headings of its own make the narrow side a flow (a sidebar),
    // however its rows happen to line up with the other side.
    let headed = rows
        .iter()
        .filter(|(_, t)| !t.contains(CELL) && crate::sections::heading_kind(t).is_some())
        .count();
    let aligned = ys
        .iter()
        .filter(|y| other.iter().any(|o| (o.y - **y).abs() < 0.3 * o.size))
        .count();
    let aligned_mostly = headed == 0 && aligned * 100 >= ys.len() * 85;
    if dated * 100 >= rows.len() * 40 || aligned_mostly {
        let mut all = band;
        all.extend(left);
        all.extend(right);
        return vec![all];
    }
    let mut groups = Vec::new();
    if !band.is_empty() {
        groups.push(band);
    }
    // The narrow flow (a sidebar) first, the main flow last: the main
    // column's last section then runs on into the next page, as it does.
    if chars(&right) < chars(&left) {
        groups.push(right);
        groups.push(left);
    } else {
        groups.push(left);
        groups.push(right);
    }
    groups
}

/// Choose among the gutter positions: contiguous positions form a strip;
/// prefer the strip whose right side starts at a shared left edge (a
/// column's margin: many phrases begin at the same x just past it), since a
/// strip before right-aligned cells (locations, dates) has ragged starts.
/// Ties go to the strip with the most balanced sides. Strips much narrower
/// than the widest are indents, not gutters.
fn pick_gutter(runs: &[Run], candidates: &[(f32, f32)], step: f32) -> Option<f32> {
    let mut strips: Vec<Vec<(f32, f32)>> = Vec::new();
    for &c in candidates {
        match strips.last_mut() {
            Some(strip) if strip.last().is_some_and(|l| c.0 - l.0 <= step * 1.5) => strip.push(c),
            _ => strips.push(vec![c]),
        }
    }
    let mut sizes: Vec<f32> = runs.iter().map(|r| r.size).collect();
    sizes.sort_by(f32::total_cmp);
    let body = sizes.get(sizes.len() / 2).copied().unwrap_or(10.0).max(1.0);
    // Only the wide gaps: a narrow one inside a column (an indent) is no gutter.
    let widths: Vec<f32> = strips
        .iter()
        .map(|s| s.last().map_or(0.0, |l| l.0) - s.first().map_or(0.0, |f| f.0) + step)
        .collect();
    let widest = widths.iter().copied().fold(0.0, f32::max);
    let mut best: Option<(usize, f32, f32)> = None; // (edge rows, balance, x)
    for (strip, width) in strips.iter().zip(&widths) {
        if *width < 0.6 * widest {
            continue;
        }
        let end = strip.last().map_or(0.0, |c| c.0);
        // Phrase starts just right of the strip, one per phrase.
        let mut starts: Vec<(f32, f32)> = runs
            .iter()
            .filter(|r| r.px.0 >= end && r.px.0 <= end + 3.0 * body)
            .map(|r| (r.px.0, r.y))
            .collect();
        starts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        starts.dedup_by(|a, b| (a.0 - b.0).abs() < 0.5 && (a.1 - b.1).abs() < 1.0);
        starts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Most starts within a 4 pt window (two pointers over sorted x).
        let mut edge = 0;
        let mut lo = 0;
        for hi in 0..starts.len() {
            while starts[hi].0 - starts[lo].0 > 4.0 {
                lo += 1;
            }
            edge = edge.max(hi + 1 - lo);
        }
        let edge = if edge >= 3 { edge } else { 0 };
        let (x, balance) = strip
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((end, 0.0));
        if best.is_none_or(|(e, b, _)| (edge, balance) > (e, b)) {
            best = Some((edge, balance, x));
        }
    }
    best.map(|(_, _, x)| x)
}

/// Group runs into lines by baseline, order them, join the text.
fn build_lines(mut runs: Vec<Run>, page: usize) -> Vec<Line> {
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match rows.last_mut() {
            Some(row)
                if {
                    let base = row[0].y;
                    let size = row.iter().map(|r| r.size).fold(run.size, f32::max);
                    (run.y - base).abs() < 0.4 * size
                } =>
            {
                row.push(run)
            }
            _ => rows.push(vec![run]),
        }
    }
    let mut lines = Vec::with_capacity(rows.len());
    let mut prev: Option<(f32, f32)> = None; // (baseline, size)
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut raw = String::new();
        let mut last_x1: Option<f32> = None;
        let mut bold_chars = 0usize;
        let mut chars = 0usize;
        let mut size_chars: Vec<(f32, usize)> = Vec::new();
        let mut chunks: Vec<String> = vec![String::new()];
        let mut medium_gap = false;
        for r in &row {
            if let Some(x1) = last_x1 {
                let gap = r.x0 - x1;
                if gap > 0.8 * r.size {
                    raw.push(CELL);
                    chunks.push(String::new());
                } else if gap > 0.15 * r.size && !raw.ends_with(' ') && !r.text.starts_with(' ') {
                    raw.push(' ');
                    if gap > 0.5 * r.size {
                        medium_gap = true;
                        chunks.push(String::new());
                    } else if let Some(c) = chunks.last_mut() {
                        c.push(' ');
                    }
                }
            }
            raw.push_str(&r.text);
            if let Some(c) = chunks.last_mut() {
                c.push_str(&r.text);
            }
            let n = r.text.chars().filter(|c| !c.is_whitespace()).count();
            chars += n;
            if r.bold {
                bold_chars += n;
            }
            let key = (r.size * 2.0).round() / 2.0;
            match size_chars.iter_mut().find(|(s, _)| *s == key) {
                Some(e) => e.1 += n,
                None => size_chars.push((key, n)),
            }
            last_x1 = Some(last_x1.map_or(r.x1, |x| x.max(r.x1)));
        }
        let size = size_chars
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(s, _)| *s)
            .unwrap_or(0.0);
        let (body, bullet) = strip_bullet(&raw);
        let text = clean_text(body);
        if text.is_empty() {
            continue;
        }
        let text = collapse_letter_spacing(&text);
        let y = row[0].y;
        let block_start = match prev {
            None => true,
            Some((py, ps)) => y - py > 1.75 * ps.max(size).max(1.0),
        };
        prev = Some((y, size));
        lines.push(Line {
            text,
            size,
            bold: chars > 0 && bold_chars * 2 > chars,
            bullet,
            block_start,
            x: row[0].x0,
            page,
            chunks: if medium_gap {
                chunks
                    .iter()
                    .map(|c| clean_text(strip_bullet(c).0))
                    .filter(|c| !c.is_empty())
                    .collect()
            } else {
                Vec::new()
            },
            ..Line::default()
        });
    }
    lines
}

/// "S U M M A R Y" (CSS letter-spacing drawn glyph by glyph) → "SUMMARY";
/// "W O R K   E X P" with wider word gaps keeps the word break.
pub(crate) fn collapse_letter_spacing(text: &str) -> String {
    let tokens: Vec<&str> = text.split(' ').collect();
    if tokens.len() < 4 || text.contains(CELL) {
        return text.to_string();
    }
    let singles = tokens.iter().filter(|t| t.chars().count() == 1).count();
    // Kerned pairs survive letter-spacing ("E D U C AT I O N"): capitals
    // in ones and twos count too.
    let kerned_caps = singles * 4 >= tokens.len() * 3
        && tokens
            .iter()
            .all(|t| t.chars().count() <= 2 && t.chars().all(|c| c.is_uppercase() || c == '&'));
    if singles * 10 < tokens.len() * 9 && !kerned_caps {
        return text.to_string();
    }
    let mut out = String::new();
    for t in tokens {
        if t.is_empty() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push_str(t);
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x0: f32, y: f32, size: f32) -> Run {
        Run {
            text: text.into(),
            x0,
            x1: x0 + text.chars().count() as f32 * size * 0.5,
            y,
            size,
            bold: false,
            px: (0.0, 0.0),
        }
    }

    #[test]
    fn right_aligned_dates_stay_on_their_line() {
        let mut runs = Vec::new();
        for i in 0..20 {
            let y = 100.0 + i as f32 * 14.0;
            runs.push(run(
                "Senior engineer at a company with a long name",
                50.0,
                y,
                10.0,
            ));
            runs.push(run("2019 – 2021", 480.0, y, 10.0));
        }
        let lines = page_lines(runs, 612.0, 0);
        assert_eq!(lines.len(), 20);
        assert_eq!(
            lines[0].text,
            "Senior engineer at a company with a long name\t2019 – 2021"
        );
    }

    #[test]
    fn two_flows_are_read_column_by_column() {
        let mut runs = vec![run("Jane Doe", 200.0, 40.0, 20.0)];
        for i in 0..30 {
            runs.push(run(
                "sidebar skill entry",
                30.0,
                100.0 + i as f32 * 13.0,
                9.0,
            ));
            runs.push(run(
                "main column text about experience here",
                250.0,
                105.0 + i as f32 * 15.0,
                10.0,
            ));
        }
        let lines = page_lines(runs, 612.0, 0);
        assert_eq!(lines[0].text, "Jane Doe");
        assert!(lines[1..31].iter().all(|l| l.text == "sidebar skill entry"));
        assert!(lines[31..]
            .iter()
            .all(|l| l.text.starts_with("main column")));
    }

    #[test]
    fn a_name_drawn_across_the_gutter_stays_in_the_header() {
        // A sidebar at the left, the main flow at the right, and the name in
        // large type spanning both, its two words drawn as separate runs.
        let mut runs = vec![
            run("Richard", 53.0, 40.0, 30.0),
            run("Hendriks", 170.0, 40.0, 30.0),
        ];
        for i in 0..30 {
            runs.push(run("sidebar entry", 53.0, 100.0 + i as f32 * 13.0, 9.0));
            runs.push(run(
                "main column text about experience",
                190.0,
                104.0 + i as f32 * 15.0,
                9.0,
            ));
        }
        let lines = page_lines(runs, 612.0, 0);
        assert_eq!(lines[0].text, "Richard Hendriks");
    }

    #[test]
    fn letter_spacing() {
        assert_eq!(collapse_letter_spacing("S U M M A R Y"), "SUMMARY");
        assert_eq!(collapse_letter_spacing("E D U C AT I O N"), "EDUCATION");
        assert_eq!(collapse_letter_spacing("I am a b c"), "I am a b c");
    }
}
