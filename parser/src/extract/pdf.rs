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
//! (the name and contact header) comes first. A narrow side column whose
//! every line stands level with a main line (or wraps a cell above) is a
//! margin of cells joined to the main lines beside them, whatever its
//! words; lines wrapped inside a column are joined back when the text says
//! they go on (lowercase, a connector, a number, a cut address).

use pdfboss_core::Document;
use pdfboss_text::{extract_spans, ReadingOrder, TextSpan};

use crate::ir::{clean_text, strip_bullet, Extracted, Line, CELL};
use crate::{check_deadline, Budget, Format, ParseError};

/// Pages with more runs than this are read without column detection.
const MAX_RUNS_FOR_COLUMNS: usize = 8_000;
/// Least share (percent) of a page's characters on each side of a gutter:
/// low enough for a narrow margin column of dates or labels.
const MIN_SIDE_PCT: usize = 4;
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
    extract_with_warnings(bytes, budget).map(|(doc, _)| doc)
}

/// [`extract`], plus what the extractor was unsure of (pages it could not
/// read, text drawn over text, pages read without column detection), one
/// sentence each, for the caller to pass on as parse warnings.
pub fn extract_with_warnings(
    bytes: &[u8],
    budget: &Budget,
) -> Result<(Extracted, Vec<String>), ParseError> {
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
    let mut warnings = Vec::new();
    let mut read = 0;
    for index in 0..pages {
        check_deadline(budget)?;
        let page = match doc.page(index) {
            Ok(p) => p,
            Err(e) if index == 0 => return Err(corrupt(e.to_string())),
            Err(e) => {
                warnings.push(format!("page {} could not be read: {e}", index + 1));
                continue;
            }
        };
        let spans = match extract_spans(&doc, &page, ReadingOrder::Content) {
            Ok(s) => s,
            Err(e) if index == 0 => return Err(corrupt(e.to_string())),
            Err(e) => {
                warnings.push(format!("page {} could not be read: {e}", index + 1));
                continue;
            }
        };
        read += 1;
        let top = page.media_box.y1.max(page.media_box.y0);
        let width = (page.media_box.x1 - page.media_box.x0).abs();
        let runs = spans_to_runs(&spans, top);
        if runs.is_empty() && pages > 1 {
            warnings.push(format!("page {} has no text (a scanned image?)", index + 1));
        }
        lines.extend(page_lines_warn(runs, width, index, &mut warnings));
    }
    dehyphenate(&mut lines);
    let mut out = Extracted {
        lines,
        pages: read,
        body_size: 0.0,
    };
    out.compute_body_size();
    Ok((out, warnings))
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
#[cfg(test)]
pub(crate) fn page_lines(runs: Vec<Run>, width: f32, page: usize) -> Vec<Line> {
    let mut lines = page_lines_warn(runs, width, page, &mut Vec::new());
    dehyphenate(&mut lines);
    lines
}

/// A reading-order unit of a page.
enum Group {
    /// Lines read top to bottom (a header band, a column, a whole page).
    Flow(Vec<Run>),
    /// A main flow with a narrow column of cells beside it (dates, places,
    /// skill-group labels in a margin): each cell joins the main line it
    /// stands beside.
    Cells { main: Vec<Run>, side: Vec<Run> },
}

/// [`page_lines`] collecting warnings.
fn page_lines_warn(
    runs: Vec<Run>,
    width: f32,
    page: usize,
    warnings: &mut Vec<String>,
) -> Vec<Line> {
    if runs.is_empty() {
        return Vec::new();
    }
    if runs.len() > MAX_RUNS_FOR_COLUMNS {
        warnings.push(format!(
            "page {}: too many text pieces to look for columns; read as one column",
            page + 1
        ));
    }
    let body = body_size_of(&runs);
    let groups = split_columns(runs, width);
    let mut out = Vec::new();
    let mut overlaps = 0;
    for (gi, group) in groups.into_iter().enumerate() {
        let mut lines = match group {
            Group::Flow(runs) => {
                let rows = build_rows(runs, page);
                overlaps += rows.iter().filter(|r| r.overlap).count();
                flow_lines(rows, body)
            }
            Group::Cells { main, side } => {
                let side_left = mean_x(&side) < mean_x(&main);
                let main = build_rows(main, page);
                let side = build_rows(side, page);
                overlaps += main.iter().chain(&side).filter(|r| r.overlap).count();
                merge_side_cells(flow_rows(main, body), side, side_left)
            }
        };
        if let Some(first) = lines.first_mut() {
            first.block_start = true;
            if gi > 0 {
                first.rule_before = false;
            }
        }
        out.extend(lines);
    }
    if overlaps > 0 {
        warnings.push(format!(
            "page {}: text drawn over other text on {overlaps} line(s); their words may be mixed up",
            page + 1
        ));
    }
    out
}

/// The font size carrying the most characters on a page.
fn body_size_of(runs: &[Run]) -> f32 {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for r in runs {
        let key = (r.size * 2.0).round() as i32;
        let n = r.text.len();
        if let Some(e) = counts.iter_mut().find(|(k, _)| *k == key) {
            e.1 += n;
        } else if counts.len() < 64 {
            counts.push((key, n));
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(10.0, |(k, _)| *k as f32 / 2.0)
        .max(1.0)
}

fn mean_x(runs: &[Run]) -> f32 {
    if runs.is_empty() {
        return 0.0;
    }
    runs.iter().map(|r| (r.x0 + r.x1) / 2.0).sum::<f32>() / runs.len() as f32
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
fn split_columns(mut runs: Vec<Run>, width: f32) -> Vec<Group> {
    phrase_extents(&mut runs);
    let counts: Vec<usize> = runs.iter().map(|r| r.text.chars().count()).collect();
    let total_chars: usize = counts.iter().sum();
    // Column search is O(candidates × runs): skip it on absurd pages.
    if total_chars < 200 || width <= 0.0 || runs.len() > MAX_RUNS_FOR_COLUMNS {
        return vec![Group::Flow(runs)];
    }
    let min_x = runs.iter().map(|r| r.x0).fold(f32::MAX, f32::min).max(0.0);
    let max_x = runs
        .iter()
        .map(|r| r.x1)
        .fold(f32::MIN, f32::max)
        .min(width);
    let span = max_x - min_x;
    if span.is_nan() || span <= 0.0 {
        return vec![Group::Flow(runs)];
    }
    // Candidate gutters: x positions no run body crosses (runs are allowed to
    // cross in a top band, the header). A fixed number of candidates.
    let step = (span / 300.0).max(1.0);
    let mut candidates: Vec<(f32, f32)> = Vec::new(); // (x, balance)
                                                      // Each side of a gutter must run down a good part of the text's height:
                                                      // a contact block beside the name is no column.
    let y_top = runs.iter().map(|r| r.y).fold(f32::MAX, f32::min);
    let y_bottom = runs.iter().map(|r| r.y).fold(f32::MIN, f32::max);
    let min_extent = 0.3 * (y_bottom - y_top);
    let mut x = min_x + span * 0.08;
    while x < min_x + span * 0.92 {
        let mut left = 0usize;
        let mut right = 0usize;
        let mut crossing_y_max = f32::MIN;
        let (mut l_y, mut r_y) = ((f32::MAX, f32::MIN), (f32::MAX, f32::MIN));
        for (r, &n) in runs.iter().zip(&counts) {
            if r.px.1 <= x {
                left += n;
                l_y = (l_y.0.min(r.y), l_y.1.max(r.y));
            } else if r.px.0 >= x {
                right += n;
                r_y = (r_y.0.min(r.y), r_y.1.max(r.y));
            } else {
                crossing_y_max = crossing_y_max.max(r.y);
            }
        }
        let side_ok = left * 100 >= total_chars * MIN_SIDE_PCT
            && right * 100 >= total_chars * MIN_SIDE_PCT
            && l_y.1 - l_y.0 >= min_extent
            && r_y.1 - r_y.0 >= min_extent;
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
        return vec![Group::Flow(runs)];
    };
    // The header band: everything down to the last run crossing the gutter.
    let band_bottom = runs
        .iter()
        .filter(|r| r.px.0 < gx && r.px.1 > gx)
        .map(|r| r.y)
        .fold(f32::MIN, f32::max);
    // The band goes on down through lines set close under it (a contact
    // block beside a name that ends above the name's last line), within
    // twice its largest type.
    let band_bottom = if band_bottom > f32::MIN {
        let limit = band_bottom
            + 2.0
                * runs
                    .iter()
                    .filter(|r| r.y <= band_bottom + 0.1)
                    .map(|r| r.size)
                    .fold(0.0, f32::max);
        let mut order: Vec<(f32, f32)> = runs
            .iter()
            .filter(|r| r.y > band_bottom + 0.1)
            .map(|r| (r.y, r.size))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let body = body_size_of(&runs);
        let mut bottom = band_bottom;
        let mut reach = runs
            .iter()
            .filter(|r| r.y <= band_bottom + 0.1)
            .map(|r| r.y + 0.25 * r.size)
            .fold(band_bottom, f32::max);
        for (y, size) in order {
            if y > limit || y - 0.8 * size > reach + 0.5 * body {
                break;
            }
            bottom = y;
            reach = reach.max(y + 0.25 * size);
        }
        bottom
    } else {
        band_bottom
    };
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
        return vec![Group::Flow(all)];
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
    let side_rows = build_rows(small.clone(), 0);
    let rows: Vec<&str> = side_rows.iter().map(|r| r.line.text.as_str()).collect();
    // The other side's baselines, sorted, for level tests by binary search.
    let mut other_ys: Vec<(f32, f32)> = other.iter().map(|o| (o.y, o.size)).collect();
    other_ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    let reach = 0.3 * other_ys.iter().map(|o| o.1).fold(0.0, f32::max);
    let level = |y: f32| {
        let from = other_ys.partition_point(|o| o.0 < y - reach);
        other_ys[from..]
            .iter()
            .take_while(|o| o.0 <= y + reach)
            .any(|o| (o.0 - y).abs() < 0.3 * o.1)
    };
    let mut ys: Vec<f32> = small.iter().map(|r| r.y).collect();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    let dated = rows
        .iter()
        .filter(|t| crate::dates::find_range(t).is_some())
        .count();
    // Section headings of its own make the narrow side a flow (a sidebar),
    // however its rows happen to line up with the other side.
    let headed = rows
        .iter()
        .filter(|t| !t.contains(CELL) && crate::sections::heading_kind(t).is_some())
        .count();
    let aligned = ys.iter().filter(|y| level(**y)).count();
    let aligned_mostly = headed == 0 && aligned * 100 >= ys.len() * 85;
    // A margin of section titles (and dates) beside the entries is no
    // sidebar: a sidebar has content under its titles.
    let titles_only = headed > 0 && headed + dated >= rows.len();
    let margin = margin_cells(&side_rows, level);
    let mut groups = split_band(band);
    if dated * 100 >= rows.len() * 40 || aligned_mostly || titles_only || margin {
        let (main, side) = if chars(&left) < chars(&right) {
            (right, left)
        } else {
            (left, right)
        };
        groups.push(Group::Cells { main, side });
        return groups;
    }
    // The narrow flow (a sidebar) first, the main flow last: the main
    // column's last section then runs on into the next page, as it does.
    if chars(&right) < chars(&left) {
        groups.push(Group::Flow(right));
        groups.push(Group::Flow(left));
    } else {
        groups.push(Group::Flow(left));
        groups.push(Group::Flow(right));
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

/// A built line with the geometry and counts that merging needs.
struct Row {
    line: Line,
    /// Baseline, from the page top.
    y: f32,
    /// Right end of the last run.
    x1: f32,
    chars: usize,
    bold_chars: usize,
    /// (size rounded to 0.5 pt, characters in it).
    size_chars: Vec<(f32, usize)>,
    /// Two runs of the line were drawn over each other.
    overlap: bool,
}

/// Whether a run at `y` of `size` sits on the baseline of `row`: within
/// 0.4 × the largest size (a margin heading in large type shares the line
/// of the entry it stands beside), but within 0.4 × the smaller size beside
/// display type (≥ 2.2 × larger, a name): a 10 pt contact line 4 pt below a
/// 30 pt name is a line of its own.
fn on_row(row: &[Run], y: f32, size: f32) -> bool {
    let base = row[0].y;
    let hi = row.iter().map(|r| r.size).fold(size, f32::max);
    let lo = row.iter().map(|r| r.size).fold(size, f32::min);
    let tol = if hi >= 2.2 * lo { 0.4 * lo } else { 0.4 * hi };
    (y - base).abs() < tol
}

fn build_rows(mut runs: Vec<Run>, page: usize) -> Vec<Row> {
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match rows.last_mut() {
            Some(row) if on_row(row, run.y, run.size) => row.push(run),
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
        let mut overlap = false;
        for r in &row {
            if let Some(x1) = last_x1 {
                let gap = r.x0 - x1;
                if gap < -0.5 * r.size && r.text.trim().chars().count() > 1 {
                    overlap = true;
                }
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
        let size = dominant_size(&size_chars);
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
        lines.push(Row {
            line: Line {
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
            },
            y,
            x1: last_x1.unwrap_or(row[0].x1),
            chars,
            bold_chars,
            size_chars,
            overlap,
        });
    }
    lines
}

fn dominant_size(size_chars: &[(f32, usize)]) -> f32 {
    size_chars
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| *s)
        .unwrap_or(0.0)
}

/// The lines of one flow, after the within-flow joins.
fn flow_lines(rows: Vec<Row>, body: f32) -> Vec<Line> {
    flow_rows(rows, body).into_iter().map(|r| r.line).collect()
}

/// Within-flow joins on built rows: a display line (a name in large type)
/// wrapped onto a second line is one line; a lone tag in a tag cloud is
/// marked as one.
fn flow_rows(rows: Vec<Row>, body: f32) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(prev) = out.last_mut() {
            if is_display_wrap(prev, &row, body) {
                prev.line.text.push(' ');
                prev.line.text.push_str(&row.line.text);
                prev.y = row.y;
                prev.x1 = prev.x1.max(row.x1);
                prev.chars += row.chars;
                prev.bold_chars += row.bold_chars;
                continue;
            }
        }
        out.push(row);
    }
    let mut out = join_wrapped_rows(out);
    mark_lone_tags(&mut out);
    out
}

/// Lines wrapped inside a column, joined back into one line. The column's
/// right edge must be set by at least three lines ending near it (within
/// a longish word), the
/// next line must sit one line spacing below at the same left edge (or
/// under a bullet's text, or centred under a centred line), the same size,
/// with no cells and no bullet, and its first word must not have fitted
/// on the line before. Then it continues that line when it starts in
/// lowercase ("Madrid, Comunidad" / "de Madrid"), after a connector, comma
/// or dash ("Universidad Autónoma de" / "Madrid"), or after a number
/// ("para 1,2" / "M usuarios"); an e-mail address or link filled to the
/// edge goes on without a space ("sofia.munoz@exa" / "mple.org").
fn join_wrapped_rows(rows: Vec<Row>) -> Vec<Row> {
    let edge = rows.iter().map(|r| r.x1).fold(f32::MIN, f32::max);
    let left = rows.iter().map(|r| r.line.x).fold(f32::MAX, f32::min);
    let near_edge = rows
        .iter()
        .filter(|r| r.x1 >= edge - 3.5 * r.line.size.max(1.0))
        .count();
    if rows.len() < 2 || near_edge < 3 || !(edge - left).is_finite() {
        return rows;
    }
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    // The last line of the row being built: left end, right end, baseline.
    let mut last = (0.0f32, 0.0f32, 0.0f32);
    for row in rows {
        if let Some(prev) = out.last_mut() {
            if let Some(glue) = wrap_glue(prev, last, &row, left, edge) {
                last = (row.line.x, row.x1, row.y);
                prev.line.text.push_str(glue);
                prev.line.text.push_str(&row.line.text);
                prev.x1 = prev.x1.max(row.x1);
                prev.chars += row.chars;
                prev.bold_chars += row.bold_chars;
                for &(k, n) in &row.size_chars {
                    match prev.size_chars.iter_mut().find(|(s, _)| *s == k) {
                        Some(e) => e.1 += n,
                        None => prev.size_chars.push((k, n)),
                    }
                }
                prev.overlap |= row.overlap;
                continue;
            }
        }
        last = (row.line.x, row.x1, row.y);
        out.push(row);
    }
    out
}

/// How `b` goes on after row `a` whose last line is `last` (left end,
/// right end, baseline), inside a column from `left` to `edge`: `Some("")`
/// or `Some(" ")` when it continues it (see [`join_wrapped_rows`]).
fn wrap_glue(
    a: &Row,
    last: (f32, f32, f32),
    b: &Row,
    left: f32,
    edge: f32,
) -> Option<&'static str> {
    let (la, lb) = (&a.line, &b.line);
    let size = lb.size.max(1.0);
    if lb.bullet
        || lb.block_start
        || la.text.contains(CELL)
        || lb.text.contains(CELL)
        || !la.chunks.is_empty()
        || !lb.chunks.is_empty()
        || (la.size - lb.size).abs() > 0.3
    {
        return None;
    }
    let spacing = b.y - last.2;
    if spacing <= 0.0 || spacing > 1.5 * size {
        return None;
    }
    let (x0, x1) = (last.0, last.1);
    let same_left = (lb.x - x0).abs() <= 1.0
        || (la.bullet && last.2 == a.y && lb.x > x0 && lb.x <= x0 + 2.5 * size);
    let centred = ((x0 + x1) - (lb.x + b.x1)).abs() <= 2.0 * size && x0 - left <= 3.0 * size;
    if !same_left && !centred {
        return None;
    }
    let first = lb.text.split_whitespace().next().unwrap_or("");
    let n = lb.text.chars().count().max(1) as f32;
    let word_w = (b.x1 - lb.x) * first.chars().count() as f32 / n;
    let room = if same_left { edge - x0 } else { edge - left };
    if (x1 - x0) + 0.3 * size + word_w <= room + 0.5 {
        return None;
    }
    let text = la.text.trim_end();
    let last_word = text.rsplit(' ').next().unwrap_or("");
    // An address or link cut at the edge (CSS break-all).
    let domain = !text.contains(' ')
        && text
            .split('.')
            .filter(|p| p.chars().any(char::is_alphanumeric))
            .count()
            >= 2;
    let linkish = last_word.contains('@')
        || last_word.contains('/')
        || last_word.starts_with("www.")
        || domain;
    // The tail is one piece and no link of its own ("mple.org", "om",
    // not "gitlab.com/jane").
    if linkish && !lb.text.contains([' ', '/', '@']) && lb.text.starts_with(char::is_alphanumeric) {
        return Some("");
    }
    // A sentence's end; a word broken at a hyphen (left to the
    // hyphenation pass, which knows the document's words); a contact item
    // of its own (an e-mail address or link starting the next line).
    // (after a separator, "… · Napoli ·" / "github.com/x · …", the
    // line goes on).
    let next_item = (first.contains(['@', '/']) || first.starts_with("www."))
        && !text.ends_with(['·', '|', '•', ',']);
    if text.ends_with(['.', '!', '?', ';', ':'])
        || (text.ends_with('-') && !text.ends_with(" -"))
        || next_item
    {
        return None;
    }
    let bold_same = la.bold == lb.bold;
    let lower = lb.text.starts_with(char::is_lowercase);
    let numeric_end = last_word.chars().any(|c| c.is_ascii_digit())
        && last_word
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.');
    if lower {
        return Some(" ");
    }
    // A line of its own: "Label: …".
    if lb.text.split_whitespace().take(3).any(|w| w.ends_with(':')) {
        return None;
    }
    if open_end(text) || (numeric_end && bold_same && same_left) {
        Some(" ")
    } else {
        None
    }
}

/// A line end that a phrase cannot stop at: a comma, an ampersand or a
/// spaced dash, or a connector word ("Universidad Autónoma de").
fn open_end(text: &str) -> bool {
    let t = text.trim_end();
    if t.ends_with([',', '&']) || t.ends_with(" –") || t.ends_with(" —") || t.ends_with(" -") {
        return true;
    }
    let last = t.rsplit([' ', CELL]).next().unwrap_or("");
    matches!(
        last.to_lowercase().as_str(),
        "and"
            | "und"
            | "et"
            | "y"
            | "e"
            | "of"
            | "for"
            | "für"
            | "de"
            | "di"
            | "da"
            | "do"
            | "del"
            | "della"
            | "des"
            | "du"
            | "der"
            | "in"
            | "en"
    )
}

/// Two lines of large type (≥ 1.6 × the page's body size), the same size,
/// weight and left edge (or centre), set closer than one line of their
/// size, with few words between them: a name or title set over two lines
/// ("James Robert" / "Oneill").
fn is_display_wrap(a: &Row, b: &Row, body: f32) -> bool {
    let (la, lb) = (&a.line, &b.line);
    let size = la.size;
    if size < 1.6 * body || (lb.size - size).abs() > 0.3 || la.bold != lb.bold {
        return false;
    }
    if la.text.contains(CELL) || lb.text.contains(CELL) || la.bullet || lb.bullet {
        return false;
    }
    let gap = b.y - a.y;
    if gap <= 0.0 || gap > 1.15 * size {
        return false;
    }
    let same_left = (la.x - lb.x).abs() <= 2.0;
    let same_centre = ((la.x + a.x1) - (lb.x + b.x1)).abs() <= 4.0;
    let words = la.text.split_whitespace().count() + lb.text.split_whitespace().count();
    (same_left || same_centre) && words <= 5
}

/// A line holding one boxed tag (a tag too wide to share its line) next to
/// lines of several tags (medium gaps, `chunks`) at the same left edge and
/// size is a tag too: its `chunks` are its text. A group label above the
/// cloud differs in size or indent and stays unmarked.
fn mark_lone_tags(rows: &mut [Row]) {
    let is_cloud = |l: &Line| {
        l.chunks.len() >= 2 && !l.text.contains(CELL) && !l.text.contains(['|', '@', ':'])
    };
    let lone = |l: &Line| {
        l.chunks.is_empty()
            && !l.bullet
            && !l.text.contains(CELL)
            && !l.text.contains(['.', ',', ';', ':', '|', '@'])
            && l.text.split_whitespace().count() <= 4
    };
    let near = |a: &Row, b: &Row| {
        (a.line.x - b.line.x).abs() <= 1.5
            && (a.line.size - b.line.size).abs() <= 0.3
            && (a.y - b.y).abs() <= 2.5 * a.line.size.max(1.0)
    };
    for i in 0..rows.len() {
        if !lone(&rows[i].line) {
            continue;
        }
        let by_cloud = (i > 0 && is_cloud(&rows[i - 1].line) && near(&rows[i], &rows[i - 1]))
            || (i + 1 < rows.len() && is_cloud(&rows[i + 1].line) && near(&rows[i], &rows[i + 1]));
        if by_cloud {
            let t = rows[i].line.text.clone();
            rows[i].line.chunks = vec![t];
        }
    }
}

/// A side cell being assembled from one or more side lines.
struct SideCell {
    text: String,
    /// Baseline, left and right end of its last line.
    y: f32,
    x0: f32,
    x1: f32,
    /// The main row it stands beside; none for a cell alone on its row.
    target: Option<usize>,
    row: Row,
}

/// Join each line of a narrow side column (dates, places, labels in a
/// margin) to the main line it stands beside. In order of preference:
/// a main line on the same baseline (within 0.15 × size); else the line
/// continues the side cell above, when that cell wrapped (its last line plus
/// this line's first word would not fit the column's width) and sits one
/// line spacing above ("AUG 2022 - APR" / "2023", "Libraries &" /
/// "Frameworks"); else a main line roughly level with it (within 0.45 ×
/// size); else it is a line of its own, in place by height.
fn merge_side_cells(main: Vec<Row>, side: Vec<Row>, side_left: bool) -> Vec<Line> {
    let col_w = side.iter().map(|r| r.x1 - r.line.x).fold(0.0f32, f32::max);
    // Main rows are in baseline order: a binary search finds the nearest.
    let nearest = |y: f32| -> Option<(usize, f32)> {
        let i = main.partition_point(|m| m.y < y);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter(|&j| j < main.len())
            .map(|j| (j, (main[j].y - y).abs()))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    };
    let mut cells: Vec<SideCell> = Vec::with_capacity(side.len());
    for s in side {
        let size = s.line.size.max(1.0);
        let near = nearest(s.y);
        // A cell that cannot end where it does (a range's dash, a
        // connector) goes on in this line, whatever main line is level.
        let open_cell = cells.last().is_some_and(|p| {
            wraps_onto(p.x0, p.x1, p.y, &s, col_w)
                && (unfinished(&p.text) || digit_hyphen(&p.text))
                && !s.line.text.starts_with(char::is_uppercase)
        });
        if let Some((m, dy)) = near.filter(|_| !open_cell) {
            if dy <= 0.15 * size {
                cells.push(side_cell(s, Some(m)));
                continue;
            }
        }
        if let Some(prev) = cells.last_mut() {
            if wraps_onto(prev.x0, prev.x1, prev.y, &s, col_w)
                && (unfinished(&prev.text) || wrap_case(&prev.text, &s.line.text))
            {
                // A line filled to the column's edge and going on in
                // lowercase was broken inside a word ("Interna" / "tional").
                let full = prev.x1 - prev.x0 >= col_w - 0.3 * size;
                if full
                    && prev.text.ends_with(char::is_alphabetic)
                    && s.line.text.starts_with(char::is_lowercase)
                {
                    prev.text.push_str(&s.line.text);
                } else {
                    join_wrapped(&mut prev.text, &s.line.text);
                }
                prev.y = s.y;
                prev.x0 = s.line.x;
                prev.x1 = s.x1;
                prev.row.chars += s.chars;
                prev.row.bold_chars += s.bold_chars;
                continue;
            }
        }
        let target = near
            .filter(|&(m, dy)| dy < 0.45 * size.max(main[m].line.size))
            .map(|(m, _)| m);
        cells.push(side_cell(s, target));
    }
    // Attach the cells, then put everything in baseline order.
    let mut attached: Vec<Vec<SideCell>> = (0..main.len()).map(|_| Vec::new()).collect();
    let mut alone: Vec<SideCell> = Vec::new();
    for c in cells {
        match c.target {
            Some(m) => attached[m].push(c),
            None => alone.push(c),
        }
    }
    let mut out: Vec<(f32, Line)> = Vec::with_capacity(main.len() + alone.len());
    for (m, cs) in main.into_iter().zip(attached) {
        let y = m.y;
        if cs.is_empty() {
            out.push((y, m.line));
            continue;
        }
        let side_text = cs
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(&CELL.to_string());
        let mut chars = m.chars;
        let mut bold_chars = m.bold_chars;
        let mut size_chars = m.size_chars.clone();
        let mut x = m.line.x;
        for c in &cs {
            chars += c.row.chars;
            bold_chars += c.row.bold_chars;
            for &(k, n) in &c.row.size_chars {
                match size_chars.iter_mut().find(|(s, _)| *s == k) {
                    Some(e) => e.1 += n,
                    None => size_chars.push((k, n)),
                }
            }
            x = x.min(c.row.line.x);
        }
        let mut line = m.line;
        let mut chunks = std::mem::take(&mut line.chunks);
        if side_left {
            line.text = format!("{side_text}{CELL}{}", line.text);
            line.x = x;
            if !chunks.is_empty() {
                chunks.insert(0, side_text);
            }
        } else {
            line.text = format!("{}{CELL}{side_text}", line.text);
            if !chunks.is_empty() {
                chunks.push(side_text);
            }
        }
        line.chunks = chunks;
        line.size = dominant_size(&size_chars);
        line.bold = chars > 0 && bold_chars * 2 > chars;
        out.push((y, line));
    }
    // Lone cells go in at their own height (both lists are in baseline order).
    let mut merged = Vec::with_capacity(out.len() + alone.len());
    let mut main_iter = out.into_iter().peekable();
    for c in alone {
        while let Some((_, l)) = main_iter.next_if(|(y, _)| *y <= c.y) {
            merged.push(l);
        }
        let mut line = c.row.line;
        line.text = c.text;
        line.block_start = false;
        merged.push(line);
    }
    merged.extend(main_iter.map(|(_, l)| l));
    merged
}

/// Whether a narrow side column reads as cells beside the main lines (a
/// margin of dates, places, skill-group labels, whatever the template): each
/// of its lines stands level with a main line or carries on a cell wrapped
/// in the column's width just above it, no cell runs over three lines, and
/// there are at least three cells. A sidebar is a flow of its own: its
/// lists and paragraphs fall between the main lines, one line after another.
fn margin_cells(side: &[Row], level: impl Fn(f32) -> bool) -> bool {
    let col_w = side.iter().map(|r| r.x1 - r.line.x).fold(0.0f32, f32::max);
    let (mut cells, mut loose, mut cell_len) = (0usize, 0usize, 0usize);
    let mut prev: Option<&Row> = None;
    for s in side {
        if level(s.y) {
            cells += 1;
            cell_len = 1;
        } else if cell_len > 0
            && prev.is_some_and(|p| {
                wraps_onto(p.line.x, p.x1, p.y, s, col_w)
                    && (unfinished(&p.line.text) || wrap_case(&p.line.text, &s.line.text))
            })
        {
            cell_len += 1;
            if cell_len > 3 {
                return false;
            }
        } else {
            loose += 1;
            cell_len = 0;
        }
        prev = Some(s);
    }
    cells >= 3 && loose * 8 <= cells
}

/// The geometry of a wrap inside a narrow column: `s` is the next line (one
/// line spacing below, no cells, no bullet) and its first word would not
/// have fitted after the line ending at `x1` within the column width.
fn wraps_onto(x0: f32, x1: f32, y: f32, s: &Row, col_w: f32) -> bool {
    let size = s.line.size.max(1.0);
    let first_word = s.line.text.split_whitespace().next().unwrap_or("");
    let n = s.line.text.chars().count().max(1) as f32;
    let word_w = (s.x1 - s.line.x) * first_word.chars().count() as f32 / n;
    let spacing = s.y - y;
    (x1 - x0) + 0.3 * size + word_w > col_w + 0.5
        && spacing > 0.0
        && spacing <= 1.5 * size
        && !s.line.text.contains(CELL)
        && !s.line.bullet
}

/// The next line goes on in lowercase, or a digit after a line ending in
/// a digit and a hyphen ("2023-07 - 2025-" / "05").
fn wrap_case(text: &str, next: &str) -> bool {
    next.starts_with(char::is_lowercase)
        || (next.starts_with(|c: char| c.is_ascii_digit()) && digit_hyphen(text))
}

/// "… 2025-": a digit right before a final hyphen.
fn digit_hyphen(text: &str) -> bool {
    text.strip_suffix('-')
        .is_some_and(|t| t.ends_with(|c: char| c.is_ascii_digit()))
}

/// A cell text that cannot end there: a connector or range dash at its
/// end ("Libraries &", "2019 –"), or a month without its year ("AUG 2022 -
/// APR").
fn unfinished(text: &str) -> bool {
    let t = text.trim_end();
    if t.ends_with(['-', '–', '—', '&', '/', ',', '+']) {
        return true;
    }
    let last = t.rsplit([' ', CELL]).next().unwrap_or("");
    let bare = last.trim_end_matches('.');
    matches!(
        bare.to_lowercase().as_str(),
        "and" | "und" | "et" | "y" | "of" | "for" | "für" | "de" | "in"
    ) || (bare.chars().all(char::is_alphabetic) && crate::dates::month_number(bare).is_some())
}

fn side_cell(s: Row, target: Option<usize>) -> SideCell {
    SideCell {
        text: s.line.text.clone(),
        y: s.y,
        x0: s.line.x,
        x1: s.x1,
        target,
        row: s,
    }
}

/// The header band above two columns: cut into slabs at blank horizontal
/// strips, and each slab split in two flows when it is two blocks side by
/// side whose lines do not line up (a name block at the left, a contact
/// block at the right, each with its own line spacing); a slab whose
/// blocks' lines line up stays whole, as cells of shared lines.
fn split_band(mut band: Vec<Run>) -> Vec<Group> {
    if band.is_empty() {
        return Vec::new();
    }
    let body = body_size_of(&band);
    band.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut slabs: Vec<Vec<Run>> = Vec::new();
    let mut bottom = f32::MIN;
    for r in band {
        let top = r.y - 0.8 * r.size;
        match slabs.last_mut() {
            Some(slab) if top <= bottom + 0.5 * body => slab.push(r.clone()),
            _ => slabs.push(vec![r.clone()]),
        }
        bottom = bottom.max(r.y + 0.25 * r.size);
    }
    slabs.into_iter().flat_map(split_slab).collect()
}

fn split_slab(band: Vec<Run>) -> Vec<Group> {
    if band.len() < 2 {
        return vec![Group::Flow(band)];
    }
    let mut spans: Vec<(f32, f32)> = band.iter().map(|r| r.px).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    // The widest gap in the union of the phrases' extents.
    let mut reach = spans[0].1;
    let mut gap: Option<(f32, f32)> = None;
    for &(x0, x1) in &spans[1..] {
        if x0 > reach && gap.is_none_or(|(a, b)| x0 - reach > b - a) {
            gap = Some((reach, x0));
        }
        reach = reach.max(x1);
    }
    let body = body_size_of(&band);
    let Some((g0, g1)) = gap.filter(|(a, b)| b - a >= 2.0 * body) else {
        return vec![Group::Flow(band)];
    };
    let mid = (g0 + g1) / 2.0;
    let (left, right): (Vec<Run>, Vec<Run>) = band.into_iter().partition(|r| r.px.1 <= mid);
    let baselines = |v: &[Run]| {
        let mut ys: Vec<(f32, f32)> = v.iter().map(|r| (r.y, r.size)).collect();
        ys.sort_by(|a, b| a.0.total_cmp(&b.0));
        ys.dedup_by(|a, b| (a.0 - b.0).abs() < 0.3 * a.1.min(b.1));
        ys
    };
    let (yl, yr) = (baselines(&left), baselines(&right));
    let (few, many) = if yl.len() <= yr.len() {
        (&yl, &yr)
    } else {
        (&yr, &yl)
    };
    let aligned = few
        .iter()
        .filter(|(y, s)| many.iter().any(|(o, t)| (o - y).abs() < 0.15 * s.min(*t)))
        .count();
    if aligned * 2 >= few.len() {
        let mut all = left;
        all.extend(right);
        return vec![Group::Flow(all)];
    }
    vec![Group::Flow(left), Group::Flow(right)]
}

/// Words that stand before a hyphen in compounds ("cross-functional",
/// "self-hosted"): a line ending in one of them and "-" keeps its hyphen.
const COMPOUND_HEADS: &[&str] = &[
    "cross", "self", "non", "co", "multi", "well", "high", "full", "part", "end", "real", "long",
    "short", "low", "open", "on", "off", "top", "fast", "user", "data", "client", "server",
    "front", "back", "cloud", "web", "team", "test", "event", "hands", "world", "best", "state",
    "cost", "mid", "semi", "anti", "pre", "post", "e", "x", "in", "out", "up", "down", "two",
    "three", "one", "first", "second", "third", "large", "small", "day", "year", "time", "award",
    "customer", "mission", "business", "industry", "fault", "risk", "feature", "detail", "results",
    "goal", "data", "machine", "peer", "zero", "near", "ever", "go", "hard", "soft",
];

/// What a line-end hyphen means, given the word part before it (`head`,
/// hyphen excluded) and the next line's first word (`tail`).
#[derive(Debug, PartialEq)]
enum Hyphen {
    /// A word broken across lines: join without the hyphen.
    Drop,
    /// A hyphenated compound broken at its hyphen: join, keep the hyphen.
    Keep,
    /// Not a word break (a range "2019-", a dash): leave the lines alone.
    None,
}

fn hyphen_kind(head: &str, tail: &str, seen: &std::collections::HashSet<String>) -> Hyphen {
    let (Some(h), Some(t)) = (head.chars().last(), tail.chars().next()) else {
        return Hyphen::None;
    };
    if !h.is_alphabetic() || !t.is_alphabetic() || head.chars().count() < 2 {
        return Hyphen::None;
    }
    // A capital after the break: a compound ("Microservice-Architektur",
    // "Baden-Württemberg"); word breaks never capitalise the rest.
    if t.is_uppercase() {
        return Hyphen::Keep;
    }
    let word = |s: &str| {
        s.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let (hw, tw) = (word(head), word(tail));
    // The document itself spells the word elsewhere, one way or the other.
    if seen.contains(&format!("{hw}-{tw}")) {
        return Hyphen::Keep;
    }
    if seen.contains(&format!("{hw}{tw}")) {
        return Hyphen::Drop;
    }
    // Acronyms and inner capitals ("SAP-", "JavaScript-") head compounds.
    let last_part = head.rsplit('-').next().unwrap_or(head);
    if last_part.chars().skip(1).any(|c| c.is_uppercase())
        || head.contains('-')
        || COMPOUND_HEADS.contains(&last_part.to_lowercase().as_str())
    {
        return Hyphen::Keep;
    }
    Hyphen::Drop
}

/// Join `next` onto `text`, the end of a wrapped line: across a line-end
/// hyphen per [`hyphen_kind`], else with a space.
fn join_wrapped(text: &mut String, next: &str) {
    let next = next.trim();
    // A date broken after its hyphen ("2025-" / "05", "2019-" / "2021").
    if digit_hyphen(text) && next.starts_with(|c: char| c.is_ascii_digit()) {
        text.push_str(next);
        return;
    }
    if let Some(stem) = text.strip_suffix('-') {
        let head = stem.rsplit([' ', CELL]).next().unwrap_or("");
        let tail = next.split_whitespace().next().unwrap_or("");
        match hyphen_kind(head, tail, &std::collections::HashSet::new()) {
            Hyphen::Drop => {
                text.pop();
                text.push_str(next);
                return;
            }
            Hyphen::Keep => {
                text.push_str(next);
                return;
            }
            Hyphen::None => {}
        }
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(next);
}

/// Line-end hyphenation: a line ending in "word-" whose next line goes on
/// with the same paragraph (same page, size and column, no bullet, no
/// block break, no cells) gets the next line's first word, joined per
/// [`hyphen_kind`]: "Infor-" / "mation" → "Information", "Microservice-" /
/// "Architektur" → "Microservice-Architektur", "cross-" / "functional" →
/// "cross-functional". The next line keeps the rest (or goes, if nothing
/// is left). Hyphenated words elsewhere in the document decide unclear
/// cases.
fn dehyphenate(lines: &mut Vec<Line>) {
    let candidate = |a: &Line, b: &Line| {
        a.text.ends_with('-')
            && !a.text.ends_with(" -")
            && a.page == b.page
            && !b.bullet
            && !b.block_start
            && !b.text.contains(CELL)
            && (a.size - b.size).abs() <= 0.5
            && b.x >= a.x - 2.0
    };
    if !lines.windows(2).any(|w| candidate(&w[0], &w[1])) {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for l in lines.iter() {
        for w in l.text.split([' ', CELL]) {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.len() > 3 && w.len() < 60 {
                seen.insert(w.to_lowercase());
            }
        }
    }
    let mut i = 0;
    while i + 1 < lines.len() {
        if !candidate(&lines[i], &lines[i + 1]) {
            i += 1;
            continue;
        }
        let stem = &lines[i].text[..lines[i].text.len() - 1];
        let head = stem.rsplit([' ', CELL]).next().unwrap_or("").to_string();
        let next = lines[i + 1].text.clone();
        let (tail, rest) = match next.split_once(' ') {
            Some((t, r)) => (t.to_string(), r.trim().to_string()),
            None => (next.clone(), String::new()),
        };
        let kind = hyphen_kind(&head, &tail, &seen);
        if kind == Hyphen::None {
            i += 1;
            continue;
        }
        if kind == Hyphen::Drop {
            lines[i].text.pop();
        }
        lines[i].text.push_str(&tail);
        if let Some(c) = lines[i].chunks.last_mut() {
            if kind == Hyphen::Drop {
                c.pop();
            }
            c.push_str(&tail);
        }
        // An emptied line is dropped below (no removal inside the loop).
        lines[i + 1].text = rest;
        lines[i + 1].chunks.clear();
        i += 1;
    }
    lines.retain(|l| !l.text.is_empty());
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
                "Sidebar skill entry",
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
        assert!(lines[1..31].iter().all(|l| l.text == "Sidebar skill entry"));
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

    /// A moderncv-like page: dates right-aligned in a narrow left margin
    /// column, entry heads and bullets in the main column, a date wrapped
    /// onto a second margin line a little above the first bullet's baseline.
    fn margin_page() -> Vec<Run> {
        let mut runs = vec![run("Experience", 154.0, 60.0, 14.0)];
        let mut y = 80.0;
        for (i, (date, wrap)) in [
            ("AUG 2023 - Now", None),
            ("AUG 2022 - APR", Some("2023")),
            ("MAR 2019 - JUN", Some("2022")),
        ]
        .into_iter()
        .enumerate()
        {
            // Right-aligned at x = 141.
            let w = date.chars().count() as f32 * 5.0;
            runs.push(run(date, 141.0 - w, y, 10.0));
            runs.push(run(
                &format!("Position {i}, Company {i}, City"),
                154.0,
                y,
                10.0,
            ));
            if let Some(w2) = wrap {
                runs.push(run(w2, 141.0 - 20.0, y + 11.9, 10.0));
            }
            for b in 0..3 {
                let by = y + 14.0 + b as f32 * 16.4;
                runs.push(run(
                    &format!("Built a service for the team number {b} with care"),
                    165.0,
                    by,
                    10.0,
                ));
            }
            y += 14.0 + 3.0 * 16.4 + 10.0;
        }
        // Skills as label-column rows, one label wrapped after "&".
        for (label, kws, wrap) in [
            ("Databases", "MySQL, Redis, Kafka, MongoDB", None),
            (
                "Libraries &",
                "Django, React, Spring Boot",
                Some("Frameworks"),
            ),
            ("Cloud", "GCP, Azure", None),
        ] {
            let w = label.chars().count() as f32 * 5.0;
            runs.push(run(label, 141.0 - w, y, 10.0));
            runs.push(run(kws, 154.0, y, 10.0));
            if let Some(w2) = wrap {
                runs.push(run(w2, 141.0 - 50.0, y + 11.9, 10.0));
                y += 11.9;
            }
            y += 16.5;
        }
        runs
    }

    #[test]
    fn margin_dates_join_the_entry_beside_them() {
        let lines = page_lines(margin_page(), 612.0, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert!(texts.contains(&"AUG 2023 - Now\tPosition 0, Company 0, City"));
        // The wrapped year joins its date cell, not the bullet beside it.
        assert!(texts.contains(&"AUG 2022 - APR 2023\tPosition 1, Company 1, City"));
        assert!(texts.contains(&"MAR 2019 - JUN 2022\tPosition 2, Company 2, City"));
        assert!(!texts
            .iter()
            .any(|t| *t == "2023" || t.starts_with("2023\t")));
        // The label wrapped after "&" is one cell.
        assert!(texts.contains(&"Libraries & Frameworks\tDjango, React, Spring Boot"));
        assert!(!texts.contains(&"Frameworks"));
        // Bullets stay lines of their own, in order after their head.
        let head = texts
            .iter()
            .position(|t| t.starts_with("AUG 2022"))
            .unwrap();
        assert!(texts[head + 1].starts_with("Built a service for the team number 0"));
    }

    #[test]
    fn header_blocks_side_by_side_are_read_one_after_the_other() {
        // Name in large type over two lines at the left, contact lines at
        // the right with their own spacing, then a margin-dated body.
        let mut runs = vec![
            run("James Robert", 45.0, 60.0, 30.0),
            run("Oneill", 45.0, 85.6, 30.0),
            run("Engineer", 45.0, 105.1, 12.0),
            run("Austin, TX", 450.0, 69.3, 10.0),
            run("Phone: +1 512 555 0100", 430.0, 81.2, 10.0),
            run("james@example.com", 440.0, 93.2, 10.0),
            run("github.com/james", 445.0, 105.1, 10.0),
        ];
        runs.extend(margin_page().into_iter().map(|mut r| {
            r.y += 100.0;
            r
        }));
        let lines = page_lines(runs, 612.0, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            &texts[..6],
            &[
                "James Robert Oneill",
                "Engineer",
                "Austin, TX",
                "Phone: +1 512 555 0100",
                "james@example.com",
                "github.com/james"
            ]
        );
    }

    #[test]
    fn margin_section_titles_stay_beside_their_entries() {
        // Section titles in a left margin, entries at the right: no sidebar.
        let mut runs = Vec::new();
        let mut y = 60.0;
        for title in ["Experience", "Education", "Projects"] {
            runs.push(run(title, 40.0, y, 16.0));
            for i in 0..6 {
                runs.push(run(
                    "Entry text with a good number of words in it",
                    200.0,
                    y + i as f32 * 14.0,
                    10.0,
                ));
            }
            y += 110.0;
        }
        let lines = page_lines(runs, 612.0, 0);
        assert!(lines[0].text.starts_with("Experience\tEntry text"));
        assert!(lines[6].text.starts_with("Education\tEntry text"));
    }

    /// A CSS-grid page: a narrow left column holding only dates and
    /// skill-group labels (one a section word, some wrapped), the name,
    /// titles and entries in the main column.
    fn grid_page() -> Vec<Run> {
        let mut runs = vec![run("Ana Ruiz", 128.0, 50.0, 26.0)];
        let mut y = 80.0;
        for contact in ["ana@example.org", "600 11 22 33", "08001 Barcelona"] {
            runs.push(run(contact, 128.0, y, 10.0));
            y += 13.5;
        }
        runs.push(run("Experiencia profesional", 128.0, y + 8.0, 12.0));
        y += 28.0;
        for (date, wrap) in [
            ("desde 2025-05", None),
            ("2023-07 - 2025-", Some("05")),
            ("2021-10 - 2023-", Some("06")),
        ] {
            runs.push(run(date, 40.0, y, 9.0));
            if let Some(w) = wrap {
                runs.push(run(w, 40.0, y + 12.2, 9.0));
            }
            runs.push(run(
                "Ingeniera de Software, Datalia, Sevilla",
                128.0,
                y,
                10.0,
            ));
            for b in 0..2 {
                runs.push(run(
                    &format!("Entrega de la plataforma número {b} a tiempo"),
                    140.0,
                    y + 13.5 * (b + 1) as f32,
                    10.0,
                ));
            }
            y += 13.5 * 3.0 + 8.0;
        }
        runs.push(run("Conocimientos", 128.0, y, 12.0));
        y += 18.0;
        for (label, wrap, kws) in [
            ("Gestión de", Some("proyectos"), "Scrum, Kanban"),
            ("Herramientas", None, "Git, Jira"),
            ("Frameworks", None, "Angular, Flask"),
        ] {
            runs.push(run(label, 40.0, y, 9.0));
            if let Some(w) = wrap {
                runs.push(run(w, 40.0, y + 12.2, 9.0));
            }
            runs.push(run(kws, 128.0, y, 10.0));
            y += 13.5 + if wrap.is_some() { 12.2 } else { 0.0 };
        }
        runs
    }

    #[test]
    fn a_grid_date_column_joins_the_entries_beside_it() {
        let lines = page_lines(grid_page(), 595.0, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "Ana Ruiz");
        assert!(texts.contains(&"desde 2025-05\tIngeniera de Software, Datalia, Sevilla"));
        // The date wrapped after its hyphen is one cell, without a space.
        assert!(texts.contains(&"2023-07 - 2025-05\tIngeniera de Software, Datalia, Sevilla"));
        assert!(texts.contains(&"2021-10 - 2023-06\tIngeniera de Software, Datalia, Sevilla"));
        assert!(texts.contains(&"Gestión de proyectos\tScrum, Kanban"));
        assert!(texts.contains(&"Herramientas\tGit, Jira"));
        assert!(!texts
            .iter()
            .any(|t| t.starts_with("05") || t.starts_with("proyectos")));
    }

    /// A column of body text whose right edge several lines reach.
    fn column(lines: &[&str], x: f32) -> Vec<Run> {
        lines
            .iter()
            .enumerate()
            .map(|(i, t)| run(t, x, 100.0 + i as f32 * 13.0, 10.0))
            .collect()
    }

    #[test]
    fn wrapped_lines_in_a_column_are_joined() {
        // Each line is 5 pt per character: the edge is at 60 + 5 × 44.
        let runs = column(
            &[
                "Diseño de la plataforma de datos con Kub 1,2",
                "M usuarios",
                "Migración de la plataforma de análisis de ab",
                "tiempo de inactividad",
                "Reducción del 33 % del tiempo de respuesta y",
                "Implantación de Flask para la monitorización",
                "Automatización de despliegues con Azure",
                "Mentoría de juniors",
            ],
            60.0,
        );
        let lines = page_lines(runs, 612.0, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Diseño de la plataforma de datos con Kub 1,2 M usuarios",
                "Migración de la plataforma de análisis de ab tiempo de inactividad",
                "Reducción del 33 % del tiempo de respuesta y Implantación de Flask para la monitorización",
                "Automatización de despliegues con Azure",
                "Mentoría de juniors",
            ]
        );
    }

    #[test]
    fn an_address_broken_at_the_edge_is_joined_without_a_space() {
        let runs = column(
            &[
                "CONTACTO",
                "sofia.munoz-ortega@exa",
                "mple.org",
                "Calle de Alcalá 31, 28",
                "Madrid",
                "gitlab.com/sofiamunoz",
                "ega",
                "github.com/sofiamunoz",
                "gitlab.com/sofia",
            ],
            450.0,
        );
        let lines = page_lines(runs, 612.0, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "CONTACTO",
                "sofia.munoz-ortega@example.org",
                "Calle de Alcalá 31, 28 Madrid",
                "gitlab.com/sofiamunozega",
                "github.com/sofiamunoz",
                "gitlab.com/sofia",
            ]
        );
    }

    #[test]
    fn line_end_hyphens() {
        let para = |a: &str, b: &str| {
            let mut lines = vec![Line::new(a), Line::new(b)];
            dehyphenate(&mut lines);
            lines.into_iter().map(|l| l.text).collect::<Vec<_>>()
        };
        assert_eq!(
            para("Built an Infor-", "mation system for sales"),
            ["Built an Information", "system for sales"]
        );
        assert_eq!(
            para("einer Microservice-", "Architektur mit Java"),
            ["einer Microservice-Architektur", "mit Java"]
        );
        assert_eq!(
            para("led cross-", "functional teams"),
            ["led cross-functional", "teams"]
        );
        assert_eq!(
            para("Visited in 2019-", "2021 twice"),
            ["Visited in 2019-", "2021 twice"]
        );
        assert_eq!(para("a dash -", "then more"), ["a dash -", "then more"]);
        // The last word moves up; an emptied line goes.
        assert_eq!(para("Kommuni-", "kation"), ["Kommunikation"]);
        // A bullet or a new block is no continuation.
        let mut lines = vec![Line::new("Infor-"), Line::new("mation")];
        lines[1].bullet = true;
        dehyphenate(&mut lines);
        assert_eq!(lines.len(), 2);
        // The document's own spelling decides.
        let mut lines = vec![
            Line::new("a fraud-"),
            Line::new("detection model"),
            Line::new("the fraud-detection team"),
        ];
        dehyphenate(&mut lines);
        assert_eq!(lines[0].text, "a fraud-detection");
    }

    #[test]
    fn wrapped_side_cells() {
        let mut t = "Infor-".to_string();
        join_wrapped(&mut t, "mation");
        assert_eq!(t, "Information");
        let mut t = "AUG 2022 - APR".to_string();
        join_wrapped(&mut t, "2023");
        assert_eq!(t, "AUG 2022 - APR 2023");
        assert!(unfinished("AUG 2022 - APR"));
        assert!(unfinished("Libraries &"));
        assert!(unfinished("2019 –"));
        assert!(!unfinished("Jan 2019"));
        assert!(!unfinished("Databases"));
    }

    #[test]
    fn a_lone_tag_in_a_cloud_is_marked() {
        let mut runs = vec![run("Tools", 53.0, 100.0, 10.5)];
        runs.push(run("Google Analytics", 56.0, 117.0, 9.5));
        let mut x = 56.0;
        for t in ["Hootsuite", "Canva", "Figma"] {
            let r = run(t, x, 134.0, 9.5);
            x = r.x1 + 6.0; // a medium gap: wider than a space, narrower than a cell
            runs.push(r);
        }
        let lines = page_lines(runs, 612.0, 0);
        assert_eq!(lines[0].text, "Tools");
        assert!(lines[0].chunks.is_empty());
        assert_eq!(lines[1].chunks, ["Google Analytics"]);
        assert_eq!(lines[2].chunks, ["Hootsuite", "Canva", "Figma"]);
    }

    #[test]
    fn overlapping_text_is_reported() {
        let runs = vec![
            run("jamesoneill@example.com", 411.0, 93.0, 10.0),
            run("Phone: +1 312 555 0174", 430.0, 93.5, 10.0),
        ];
        let mut warnings = Vec::new();
        page_lines_warn(runs, 612.0, 0, &mut warnings);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("over other text"));
    }

    #[test]
    fn hostile_geometry_does_not_panic() {
        let mut runs = Vec::new();
        for i in 0..3000 {
            let f = i as f32;
            runs.push(run(
                "x-",
                (f * 7.3) % 600.0,
                (f * 3.1) % 800.0,
                1.0 + f % 30.0,
            ));
            runs.push(run("y", f32::MAX / 2.0, f, 0.0001));
        }
        let _ = page_lines(runs, 612.0, 0);
        let _ = page_lines(Vec::new(), 0.0, 0);
    }

    #[test]
    fn letter_spacing() {
        assert_eq!(collapse_letter_spacing("S U M M A R Y"), "SUMMARY");
        assert_eq!(collapse_letter_spacing("E D U C AT I O N"), "EDUCATION");
        assert_eq!(collapse_letter_spacing("I am a b c"), "I am a b c");
    }
}
