//! DOCX (Office Open XML) → [`Line`]s with `zip` + `quick-xml`.
//!
//! Reads `word/styles.xml` for heading levels, bold and sizes of paragraph
//! styles, then walks `word/document.xml`: each paragraph becomes one line per
//! `<w:br/>`, with its heading level (style name `Heading N`/`Title` or an
//! outline level), list-ness (`<w:numPr>` or a list style), bold share and
//! size. Table rows whose cells hold one paragraph each become one line with
//! cell breaks; other rows are read cell by cell. Text boxes are read where
//! they are anchored, `mc:Fallback` duplicates are skipped. Header and footer
//! parts are read too and marked `aside` (contact details often live there).
//!
//! Every part is read through a byte budget ([`Budget::max_unpacked_bytes`]),
//! so a zip bomb ends in [`ParseError::OverBudget`], not in an OOM.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::ir::{clean_text, strip_bullet, Extracted, Line, CELL};
use crate::{Budget, Format, ParseError};

const MAX_DEPTH: usize = 256;

pub fn extract(bytes: &[u8], budget: &Budget) -> Result<Extracted, ParseError> {
    let corrupt = |detail: String| ParseError::Corrupt {
        format: Format::Docx,
        detail,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let mut remaining = budget.max_unpacked_bytes;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut read_part = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
                         name: &str|
     -> Result<Option<Vec<u8>>, ParseError> {
        let mut file = match zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(corrupt(format!("{name}: {e}"))),
        };
        if file.size() > remaining {
            return Err(ParseError::OverBudget(format!(
                "{name} unpacks to {} bytes, more than the {} allowed",
                file.size(),
                budget.max_unpacked_bytes
            )));
        }
        let mut buf = Vec::with_capacity(file.size().min(1 << 20) as usize);
        (&mut file)
            .take(remaining + 1)
            .read_to_end(&mut buf)
            .map_err(|e| corrupt(format!("{name}: {e}")))?;
        if buf.len() as u64 > remaining {
            return Err(ParseError::OverBudget(format!(
                "the DOCX unpacks to more than {} bytes",
                budget.max_unpacked_bytes
            )));
        }
        remaining -= buf.len() as u64;
        Ok(Some(buf))
    };

    let styles = match read_part(&mut zip, "word/styles.xml")? {
        Some(xml) => parse_styles(&xml),
        None => Styles::default(),
    };
    let document = read_part(&mut zip, "word/document.xml")?
        .ok_or_else(|| corrupt("no word/document.xml".into()))?;

    let mut lines = Vec::new();
    let part_names = |prefix: &str| {
        let mut v: Vec<&String> = names
            .iter()
            .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
            .collect();
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    let headers = part_names("word/header");
    let footers = part_names("word/footer");
    // Headers and footers repeat per section; keep each distinct line once,
    // marked as aside (contact details live there, entries do not).
    let mut aside_lines = |names: &[String]| -> Result<Vec<Line>, ParseError> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for name in names {
            if let Some(xml) = read_part(&mut zip, name)? {
                for mut line in walk(&xml, &styles, budget)? {
                    if seen.insert(line.text.clone()) {
                        line.aside = true;
                        out.push(line);
                    }
                }
            }
        }
        Ok(out)
    };
    lines.extend(aside_lines(&headers)?);
    let footer_lines = aside_lines(&footers)?;
    lines.extend(walk(&document, &styles, budget)?);
    lines.extend(footer_lines);
    let mut out = Extracted {
        lines,
        pages: 1,
        body_size: 0.0,
    };
    out.compute_body_size();
    Ok(out)
}

#[derive(Debug, Clone, Default)]
struct Style {
    heading: u8,
    list: bool,
    bold: Option<bool>,
    size: Option<f32>,
    based_on: Option<String>,
}

#[derive(Debug, Default)]
struct Styles {
    by_id: HashMap<String, Style>,
    default_size: Option<f32>,
}

impl Styles {
    /// Follow `basedOn` for the first value `get` finds (bounded against cycles).
    fn lookup<T>(&self, id: &str, get: impl Fn(&Style) -> Option<T>) -> Option<T> {
        let mut cur = self.by_id.get(id);
        for _ in 0..16 {
            let s = cur?;
            if let Some(v) = get(s) {
                return Some(v);
            }
            cur = s.based_on.as_deref().and_then(|b| self.by_id.get(b));
        }
        None
    }
}

fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| String::from_utf8_lossy(&a.value).into_owned())
    })
}

/// `<w:b/>`, `<w:b w:val="1"/>` are on; `w:val="0"`/`"false"` off.
fn on_off(e: &BytesStart) -> bool {
    !matches!(
        attr(e, b"val").as_deref(),
        Some("0" | "false" | "off" | "none")
    )
}

fn heading_from_name(name: &str) -> u8 {
    let lower = name.to_ascii_lowercase().replace(' ', "");
    if lower == "title" {
        return 1;
    }
    if let Some(rest) = lower.strip_prefix("heading") {
        return rest.parse::<u8>().map(|n| n.clamp(1, 6)).unwrap_or(0);
    }
    0
}

fn parse_styles(xml: &[u8]) -> Styles {
    let mut styles = Styles::default();
    let mut reader = Reader::from_reader(xml);
    let mut cur: Option<(String, Style)> = None;
    let mut in_defaults = false;
    let mut buf = Vec::new();
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"style" => {
                    if let Some((id, s)) = cur.take() {
                        styles.by_id.insert(id, s);
                    }
                    if let Some(id) = attr(&e, b"styleId") {
                        cur = Some((id, Style::default()));
                    }
                }
                b"docDefaults" => in_defaults = true,
                b"name" => {
                    if let (Some((_, s)), Some(name)) = (cur.as_mut(), attr(&e, b"val")) {
                        s.heading = s.heading.max(heading_from_name(&name));
                        s.list |= name.to_ascii_lowercase().contains("list");
                    }
                }
                b"basedOn" => {
                    if let Some((_, s)) = cur.as_mut() {
                        s.based_on = attr(&e, b"val");
                    }
                }
                b"outlineLvl" => {
                    if let (Some((_, s)), Some(v)) = (cur.as_mut(), attr(&e, b"val")) {
                        if let Ok(n) = v.parse::<u8>() {
                            if n < 9 && s.heading == 0 {
                                s.heading = n + 1;
                            }
                        }
                    }
                }
                b"b" => {
                    if let Some((_, s)) = cur.as_mut() {
                        s.bold = Some(on_off(&e));
                    }
                }
                b"sz" => {
                    let size = attr(&e, b"val")
                        .and_then(|v| v.parse::<f32>().ok())
                        .map(|v| v / 2.0);
                    if let Some((_, s)) = cur.as_mut() {
                        s.size = size;
                    } else if in_defaults {
                        styles.default_size = size;
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"docDefaults" => in_defaults = false,
            _ => {}
        }
        buf.clear();
    }
    if let Some((id, s)) = cur.take() {
        styles.by_id.insert(id, s);
    }
    styles
}

#[derive(Default)]
struct Para {
    style: Option<String>,
    list: bool,
    outline: Option<u8>,
    /// Finished line pieces (split at `<w:br/>`).
    pieces: Vec<String>,
    text: String,
    bold_chars: usize,
    chars: usize,
    size_chars: Vec<(f32, usize)>,
    // current run
    run_bold: Option<bool>,
    run_size: Option<f32>,
    run_para_mark: bool,
}

#[derive(Default)]
struct Cell {
    lines: Vec<Line>,
}

#[derive(Default)]
struct Row {
    cells: Vec<Cell>,
}

fn walk(xml: &[u8], styles: &Styles, budget: &Budget) -> Result<Vec<Line>, ParseError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out: Vec<Line> = Vec::new();
    let mut paras: Vec<Para> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut depth = 0usize;
    let mut skip_depth: Option<usize> = None;
    let mut in_text = false;
    let mut events = 0u64;
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(ev) => ev,
            Err(e) => {
                return Err(ParseError::Corrupt {
                    format: Format::Docx,
                    detail: format!("bad XML: {e}"),
                })
            }
        };
        events += 1;
        if events.is_multiple_of(4096) {
            crate::check_deadline(budget)?;
        }
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError::Corrupt {
                        format: Format::Docx,
                        detail: "XML nested too deeply".into(),
                    });
                }
                if skip_depth.is_some() {
                    buf.clear();
                    continue;
                }
                match e.local_name().as_ref() {
                    b"Fallback" | b"instrText" | b"delText" => skip_depth = Some(depth),
                    _ => start(&e, &mut paras, &mut rows, styles, &mut in_text),
                }
            }
            Event::Empty(e) if skip_depth.is_none() => {
                start(&e, &mut paras, &mut rows, styles, &mut in_text);
                end(
                    e.local_name().as_ref(),
                    &mut paras,
                    &mut rows,
                    &mut out,
                    styles,
                    &mut in_text,
                );
            }
            Event::End(e) => {
                if let Some(d) = skip_depth {
                    if d == depth {
                        skip_depth = None;
                    }
                } else {
                    end(
                        e.local_name().as_ref(),
                        &mut paras,
                        &mut rows,
                        &mut out,
                        styles,
                        &mut in_text,
                    );
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if in_text && skip_depth.is_none() => {
                if let Some(p) = paras.last_mut() {
                    let s = t
                        .unescape()
                        .map(|c| c.into_owned())
                        .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                    let n = s.chars().filter(|c| !c.is_whitespace()).count();
                    let bold = p.run_bold.or_else(|| {
                        p.style
                            .as_deref()
                            .and_then(|id| styles.lookup(id, |s| s.bold))
                    });
                    if bold == Some(true) {
                        p.bold_chars += n;
                    }
                    p.chars += n;
                    let size = p
                        .run_size
                        .or_else(|| {
                            p.style
                                .as_deref()
                                .and_then(|id| styles.lookup(id, |s| s.size))
                        })
                        .or(styles.default_size)
                        .unwrap_or(0.0);
                    match p.size_chars.iter_mut().find(|(sz, _)| *sz == size) {
                        Some(entry) => entry.1 += n,
                        None => p.size_chars.push((size, n)),
                    }
                    p.text.push_str(&s);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn start(
    e: &BytesStart,
    paras: &mut Vec<Para>,
    rows: &mut Vec<Row>,
    styles: &Styles,
    in_text: &mut bool,
) {
    match e.local_name().as_ref() {
        b"p" => paras.push(Para::default()),
        b"pStyle" => {
            if let Some(p) = paras.last_mut() {
                p.style = attr(e, b"val");
                if let Some(id) = &p.style {
                    p.list |= styles
                        .lookup(id, |s| s.list.then_some(true))
                        .unwrap_or(false);
                }
            }
        }
        b"numPr" => {
            if let Some(p) = paras.last_mut() {
                p.list = true;
            }
        }
        b"outlineLvl" => {
            if let Some(p) = paras.last_mut() {
                p.outline = attr(e, b"val").and_then(|v| v.parse::<u8>().ok());
            }
        }
        b"r" => {
            if let Some(p) = paras.last_mut() {
                p.run_bold = None;
                p.run_size = None;
                p.run_para_mark = false;
            }
        }
        b"pPr" => {
            // An rPr inside <w:pPr> formats the paragraph mark, not the text.
            if let Some(p) = paras.last_mut() {
                p.run_para_mark = true;
            }
        }
        b"b" => {
            if let Some(p) = paras.last_mut() {
                if !p.run_para_mark {
                    p.run_bold = Some(on_off(e));
                }
            }
        }
        b"sz" => {
            if let Some(p) = paras.last_mut().filter(|p| !p.run_para_mark) {
                p.run_size = attr(e, b"val")
                    .and_then(|v| v.parse::<f32>().ok())
                    .map(|v| v / 2.0);
            }
        }
        b"t" => *in_text = true,
        b"tab" | b"ptab" => {
            if let Some(p) = paras.last_mut() {
                p.text.push(CELL);
            }
        }
        b"br" | b"cr" => {
            if let Some(p) = paras.last_mut() {
                let piece = std::mem::take(&mut p.text);
                p.pieces.push(piece);
            }
        }
        b"tr" => rows.push(Row::default()),
        b"tc" => {
            if let Some(r) = rows.last_mut() {
                r.cells.push(Cell::default());
            }
        }
        _ => {}
    }
}

fn end(
    name: &[u8],
    paras: &mut Vec<Para>,
    rows: &mut Vec<Row>,
    out: &mut Vec<Line>,
    styles: &Styles,
    in_text: &mut bool,
) {
    match name {
        b"t" => *in_text = false,
        b"pPr" => {
            if let Some(p) = paras.last_mut() {
                p.run_para_mark = false;
            }
        }
        b"p" => {
            if let Some(p) = paras.pop() {
                let lines = finish_para(p, styles);
                match rows.last_mut().and_then(|r| r.cells.last_mut()) {
                    Some(cell) => cell.lines.extend(lines),
                    None => out.extend(lines),
                }
            }
        }
        b"tr" => {
            if let Some(row) = rows.pop() {
                let lines = finish_row(row);
                match rows.last_mut().and_then(|r| r.cells.last_mut()) {
                    Some(cell) => cell.lines.extend(lines),
                    None => out.extend(lines),
                }
            }
        }
        _ => {}
    }
}

fn finish_para(mut p: Para, styles: &Styles) -> Vec<Line> {
    let style_heading = p
        .style
        .as_deref()
        .and_then(|id| styles.lookup(id, |s| (s.heading > 0).then_some(s.heading)))
        .unwrap_or(0);
    let heading = match p.outline {
        Some(n) if n < 9 => n + 1,
        _ => style_heading,
    };
    let bold = p.chars > 0 && p.bold_chars * 2 > p.chars;
    let size = p
        .size_chars
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| *s)
        .unwrap_or(0.0);
    p.pieces.push(std::mem::take(&mut p.text));
    let mut lines = Vec::new();
    for (i, piece) in p.pieces.iter().enumerate() {
        let (body, glyph_bullet) = strip_bullet(piece);
        let text = clean_text(body);
        if text.is_empty() {
            continue;
        }
        lines.push(Line {
            text,
            size,
            bold,
            heading,
            bullet: p.list || glyph_bullet,
            block_start: i == 0,
            ..Line::default()
        });
    }
    lines
}

fn finish_row(row: Row) -> Vec<Line> {
    let simple = row.cells.iter().all(|c| c.lines.len() <= 1);
    if simple {
        let cells: Vec<&Line> = row.cells.iter().filter_map(|c| c.lines.first()).collect();
        let Some(first) = cells.first() else {
            return Vec::new();
        };
        let mut line = (*first).clone();
        line.text = cells
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\t");
        line.bold = cells.iter().all(|l| l.bold);
        line.block_start = true;
        return vec![line];
    }
    let mut lines = Vec::new();
    for cell in row.cells {
        for (i, mut l) in cell.lines.into_iter().enumerate() {
            if i == 0 {
                l.block_start = true;
            }
            lines.push(l);
        }
    }
    lines
}
