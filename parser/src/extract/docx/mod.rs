//! DOCX (Office Open XML) → [`Line`]s with `zip` + `quick-xml`.
//!
//! What is read, and how it maps to [`Line`] fields:
//!
//! * **Parts, in reading order**: the page headers referenced by the
//!   sections of `word/document.xml` (`w:headerReference`, resolved through
//!   `word/_rels/document.xml.rels`; first-page before default before even),
//!   then the body, then the footers in the same order. Header and footer
//!   lines are marked `aside` and each distinct line is kept once (they
//!   repeat per section). A document without references falls back to every
//!   `word/header*.xml` / `word/footer*.xml` part, in numeric order.
//! * **Styles** (`word/styles.xml`), followed through `basedOn`: heading
//!   levels from the style name (`Title` → 1, `Heading N` → N, also the
//!   localized names and ids Word writes, e.g. `Überschrift 1`/`berschrift1`,
//!   `Titre 1`, `Título 1`, `Kop 1`) or an outline level; list-ness from a
//!   list style name (`List Bullet`, `List Paragraph`, `Aufzählungszeichen`)
//!   or a `w:numPr` with a numbering id; bold, caps, size and paragraph
//!   borders. `Subtitle` gets no level: it is the label under the name, not
//!   a section. Run formatting is resolved run → character style
//!   (`w:rStyle`) → paragraph style → document defaults, so `bold` and
//!   `size` (the size carrying most letters) are right. A line is `bold`
//!   when at least three quarters of its letters are: a bold lead-in
//!   ("**Company**, Position ⇥ dates", "**Tools**: a, b") does not make
//!   the whole line bold, whatever the lengths of its parts.
//! * **Paragraphs**: one line per `w:br`. `w:numPr` in the paragraph or its
//!   style (numbering id not 0), or a bullet glyph, → `bullet` (never on a
//!   heading: numbered headings stay headings). `w:tab`/`w:ptab` → a
//!   [`CELL`] break ("Company ⇥ Jan 2020 – Present" with a right tab stop),
//!   and so is a run of two or more spaces inside the text used as a
//!   separator ("Musterstraße 12, 10115 Berlin  jane@example.com"; two
//!   spaces after a sentence end are sentence spacing, not a break). Cells
//!   holding only a separator glyph (`|`, `•`, `·`) are dropped. Hidden
//!   text (`w:vanish`) is skipped.
//! * **Heading-like paragraphs**: a paragraph with a top border, or a short
//!   one (≤ 8 words) with a bottom border that is bold, capitals or `w:caps`
//!   ("WORK EXPERIENCE" over a rule), gets `rule_before`, which the section
//!   stage takes as a heading hint.
//! * **Hyperlinks** (`w:hyperlink r:id`, resolved through the part's own
//!   rels, and `HYPERLINK` fields): the shown text is kept as the document
//!   shows it. A `mailto:` link whose text is only a label ("E-Mail") or
//!   an icon is followed by the address; a web link whose text is a label
//!   — one word naming the site ("LinkedIn" → linkedin.com), the user name
//!   of the target ("jdoe" → github.com/jdoe), or generic words ("Website",
//!   "My Portfolio") — is followed by ` <target>` (the convention the
//!   Markdown extractor and `basics::find_profile` share), an icon-only link
//!   becomes the bare target. Other link texts (a company or project name)
//!   are left alone, so entries keep their names.
//! * **Tables**: a row whose cells hold one line each is one line with cell
//!   breaks (a data grid such as "Skill ⇥ Level", or "Company ⇥ Dates"). A
//!   row with a cell holding several paragraphs is layout (a borderless
//!   two-column page): each cell is emitted as its own flow, left to right,
//!   one line per paragraph. Heading levels inside such a row are made
//!   relative per column: when one column's top heading level is deeper
//!   than another's (a side column titled with `Heading 2` next to a main
//!   column with `Heading 1`), its headings are lifted to the same top
//!   level, so both columns' section titles are seen as sections. Nested
//!   tables are finished into their enclosing cell.
//! * **Text boxes** (`w:txbxContent`) are read where they are anchored; of
//!   an `mc:AlternateContent` only the `mc:Choice` is read (the
//!   `mc:Fallback` repeats it). Deleted text and field instructions are not
//!   text.
//!
//! Every part is read through a byte budget ([`Budget::max_unpacked_bytes`]),
//! so a zip bomb ends in [`ParseError::OverBudget`], not in an OOM; the
//! deadline is checked while walking, nesting depth is bounded, and every
//! pass is linear in the XML.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::ir::{clean_text, strip_bullet, Extracted, Line, CELL};
use crate::{Budget, Format, ParseError};

mod links;
mod styles;

use links::{field_target, finish_link};
use styles::{parse_styles, Styles};

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
    let doc_rels = read_part(&mut zip, "word/_rels/document.xml.rels")?
        .map(|xml| parse_rels(&xml))
        .unwrap_or_default();
    // Text left before the extracted text is over `max_parsed_bytes`,
    // shared by every part: counted as the text grows, so a small file of
    // repeated paragraphs ends here, before its text takes the memory.
    let mut text_left = budget.max_parsed_bytes;
    let body = walk(&document, &styles, &doc_rels, budget, &mut text_left)?;

    // The header and footer parts the sections reference, first-page before
    // default before even pages, each once.
    let mut refs = body.refs.clone();
    refs.sort_by_key(|r| (r.footer, r.rank));
    let mut headers: Vec<String> = Vec::new();
    let mut footers: Vec<String> = Vec::new();
    for r in &refs {
        let Some(rel) = doc_rels.get(&r.rid) else {
            continue;
        };
        let name = resolve_target("word", &rel.target);
        let list = if r.footer { &mut footers } else { &mut headers };
        if !list.contains(&name) {
            list.push(name);
        }
    }
    if refs.is_empty() {
        let part_names = |prefix: &str| {
            let mut v: Vec<(u32, &String)> = names
                .iter()
                .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
                .map(|n| {
                    let num = n[prefix.len()..n.len() - 4]
                        .parse::<u32>()
                        .unwrap_or(u32::MAX);
                    (num, n)
                })
                .collect();
            v.sort();
            v.into_iter().map(|(_, n)| n.clone()).collect::<Vec<_>>()
        };
        headers = part_names("word/header");
        footers = part_names("word/footer");
    }
    // Headers and footers repeat per section; keep each distinct line once,
    // marked as aside (contact details live there, entries do not).
    let mut aside_lines = |names: &[String]| -> Result<Vec<Line>, ParseError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for name in names {
            let Some(xml) = read_part(&mut zip, name)? else {
                continue;
            };
            let rels = match name.rsplit_once('/') {
                Some((dir, file)) => read_part(&mut zip, &format!("{dir}/_rels/{file}.rels"))?
                    .map(|x| parse_rels(&x))
                    .unwrap_or_default(),
                None => HashMap::new(),
            };
            for mut line in walk(&xml, &styles, &rels, budget, &mut text_left)?.lines {
                if seen.insert(line.text.clone()) {
                    line.aside = true;
                    out.push(line);
                }
            }
        }
        Ok(out)
    };
    let mut lines = aside_lines(&headers)?;
    let footer_lines = aside_lines(&footers)?;
    lines.extend(body.lines);
    lines.extend(footer_lines);
    let mut out = Extracted {
        lines,
        pages: 1,
        body_size: 0.0,
    };
    out.compute_body_size();
    Ok(out)
}

/// One relationship of a part: its type (last path segment of the type URI)
/// and target.
#[derive(Debug, Clone, Default)]
struct Rel {
    kind: String,
    target: String,
}

fn parse_rels(xml: &[u8]) -> HashMap<String, Rel> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    let kind = attr(&e, b"Type")
                        .map(|t| t.rsplit('/').next().unwrap_or("").to_ascii_lowercase())
                        .unwrap_or_default();
                    out.insert(id, Rel { kind, target });
                }
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

/// A part name from a relationship target relative to `dir` ("header1.xml"
/// → "word/header1.xml", "/word/footer2.xml" → "word/footer2.xml").
fn resolve_target(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
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

/// A paragraph border side that draws a line (`w:val` not `none`/`nil`).
fn draws_border(e: &BytesStart) -> bool {
    !matches!(attr(e, b"val").as_deref(), Some("none" | "nil" | "0"))
}

/// A `w:headerReference` / `w:footerReference` of a section.
#[derive(Debug, Clone)]
struct PartRef {
    footer: bool,
    /// first = 0, default = 1, even = 2.
    rank: u8,
    rid: String,
}

/// A hyperlink being read: where its shown text starts and its target.
#[derive(Debug, Clone)]
struct Link {
    piece: usize,
    start: usize,
    target: String,
    /// An icon (drawing) inside the link: an empty text is still a link.
    drawing: bool,
}

#[derive(Default)]
struct Para {
    style: Option<String>,
    num: Option<bool>,
    outline: Option<u8>,
    border_top: Option<bool>,
    border_bottom: Option<bool>,
    /// Finished line pieces (split at `<w:br/>`).
    pieces: Vec<String>,
    text: String,
    bold_chars: usize,
    caps_chars: usize,
    chars: usize,
    size_chars: Vec<(f32, usize)>,
    in_ppr: bool,
    in_pbdr: bool,
    // current run
    run_bold: Option<bool>,
    run_caps: Option<bool>,
    run_size: Option<f32>,
    run_style: Option<String>,
    run_vanish: bool,
    link: Option<Link>,
    /// A complex field's instruction text (`HYPERLINK "…"`).
    instr: String,
    field_link: bool,
}

#[derive(Default)]
struct Cell {
    lines: Vec<Line>,
}

#[derive(Default)]
struct Row {
    cells: Vec<Cell>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

struct Walked {
    lines: Vec<Line>,
    refs: Vec<PartRef>,
}

/// Where finished lines go: the innermost open table cell, else the output.
fn sink<'a>(tables: &'a mut [Table], out: &'a mut Vec<Line>) -> &'a mut Vec<Line> {
    match tables
        .last_mut()
        .and_then(|t| t.rows.last_mut())
        .and_then(|r| r.cells.last_mut())
    {
        Some(cell) => &mut cell.lines,
        None => out,
    }
}

struct State<'a> {
    styles: &'a Styles,
    rels: &'a HashMap<String, Rel>,
    out: Vec<Line>,
    paras: Vec<Para>,
    tables: Vec<Table>,
    refs: Vec<PartRef>,
    in_text: bool,
    in_instr: bool,
}

fn walk(
    xml: &[u8],
    styles: &Styles,
    rels: &HashMap<String, Rel>,
    budget: &Budget,
    text_left: &mut u64,
) -> Result<Walked, ParseError> {
    let mut take_text = |len: usize| match text_left.checked_sub(len as u64) {
        Some(left) => {
            *text_left = left;
            Ok(())
        }
        None => Err(ParseError::TooLarge {
            what: "extracted text",
            limit: budget.max_parsed_bytes,
        }),
    };
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut st = State {
        styles,
        rels,
        out: Vec::new(),
        paras: Vec::new(),
        tables: Vec::new(),
        refs: Vec::new(),
        in_text: false,
        in_instr: false,
    };
    let mut depth = 0usize;
    let mut skip_depth: Option<usize> = None;
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
                    b"Fallback" | b"delText" | b"delInstrText" => skip_depth = Some(depth),
                    _ => st.start(&e, false),
                }
            }
            Event::Empty(e) if skip_depth.is_none() => {
                st.start(&e, true);
                st.end(e.local_name().as_ref());
            }
            Event::End(e) => {
                if let Some(d) = skip_depth {
                    if d == depth {
                        skip_depth = None;
                    }
                } else {
                    st.end(e.local_name().as_ref());
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if (st.in_text || st.in_instr) && skip_depth.is_none() => {
                let s = t
                    .unescape()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                take_text(s.len())?;
                st.text(&s);
            }
            Event::CData(t) if st.in_text && skip_depth.is_none() => {
                take_text(t.len())?;
                st.text(&String::from_utf8_lossy(&t));
            }
            _ => {}
        }
        buf.clear();
    }
    // Unclosed elements of a truncated part: finish what was read.
    while !st.paras.is_empty() {
        st.end(b"p");
    }
    while !st.tables.is_empty() {
        st.end(b"tbl");
    }
    Ok(Walked {
        lines: st.out,
        refs: st.refs,
    })
}

impl State<'_> {
    fn text(&mut self, s: &str) {
        let styles = self.styles;
        let in_instr = self.in_instr;
        let Some(p) = self.paras.last_mut() else {
            return;
        };
        if in_instr {
            if p.instr.len() < 4096 {
                p.instr.push_str(s);
            }
            return;
        }
        if p.run_vanish {
            return;
        }
        let n = s.chars().filter(|c| !c.is_whitespace()).count();
        let pstyle = p.style.as_deref();
        let rstyle = p.run_style.as_deref();
        let bold = p
            .run_bold
            .or_else(|| styles.lookup_opt(rstyle, |s| s.bold))
            .or_else(|| styles.lookup_opt(pstyle, |s| s.bold))
            .or(styles.default_bold);
        if bold == Some(true) {
            p.bold_chars += n;
        }
        let caps = p
            .run_caps
            .or_else(|| styles.lookup_opt(rstyle, |s| s.caps))
            .or_else(|| styles.lookup_opt(pstyle, |s| s.caps));
        if caps == Some(true) {
            p.caps_chars += n;
        }
        p.chars += n;
        let size = p
            .run_size
            .or_else(|| styles.lookup_opt(rstyle, |s| s.size))
            .or_else(|| styles.lookup_opt(pstyle, |s| s.size))
            .or(styles.default_size)
            .unwrap_or(0.0);
        match p.size_chars.iter_mut().find(|(sz, _)| *sz == size) {
            Some(entry) => entry.1 += n,
            None => p.size_chars.push((size, n)),
        }
        p.text.push_str(s);
    }

    fn start(&mut self, e: &BytesStart, empty: bool) {
        let name = e.local_name();
        let name = name.as_ref();
        match name {
            b"p" => {
                self.paras.push(Para::default());
                return;
            }
            b"tbl" => {
                self.tables.push(Table::default());
                return;
            }
            b"tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.rows.push(Row::default());
                }
                return;
            }
            b"tc" => {
                if let Some(r) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    r.cells.push(Cell::default());
                }
                return;
            }
            b"headerReference" | b"footerReference" => {
                if let Some(rid) = attr(e, b"id") {
                    let rank = match attr(e, b"type").as_deref() {
                        Some("first") => 0,
                        Some("even") => 2,
                        _ => 1,
                    };
                    if self.refs.len() < 64 {
                        self.refs.push(PartRef {
                            footer: name == b"footerReference",
                            rank,
                            rid,
                        });
                    }
                }
                return;
            }
            _ => {}
        }
        let styles = self.styles;
        let rels = self.rels;
        let Some(p) = self.paras.last_mut() else {
            return;
        };
        match name {
            b"pPr" if !empty => p.in_ppr = true,
            b"pStyle" => p.style = attr(e, b"val"),
            // Any numbering in the paragraph makes it part of a list; `numId
            // 0` (numbering off) is a continuation paragraph indented under
            // an item, kept with the list as the Markdown extractor does.
            b"numPr" => p.num = Some(true),
            b"outlineLvl" => {
                p.outline = attr(e, b"val").and_then(|v| v.parse::<u8>().ok());
            }
            b"pBdr" if p.in_ppr && !empty => p.in_pbdr = true,
            b"top" if p.in_pbdr => p.border_top = Some(draws_border(e)),
            b"bottom" if p.in_pbdr => p.border_bottom = Some(draws_border(e)),
            b"r" => {
                p.run_bold = None;
                p.run_caps = None;
                p.run_size = None;
                p.run_style = None;
                p.run_vanish = false;
            }
            // An rPr inside <w:pPr> formats the paragraph mark, not the text.
            b"b" if !p.in_ppr => p.run_bold = Some(on_off(e)),
            b"caps" | b"smallCaps" if !p.in_ppr => p.run_caps = Some(on_off(e)),
            b"vanish" if !p.in_ppr => p.run_vanish = on_off(e),
            b"rStyle" if !p.in_ppr => p.run_style = attr(e, b"val"),
            b"sz" if !p.in_ppr => {
                p.run_size = attr(e, b"val")
                    .and_then(|v| v.parse::<f32>().ok())
                    .map(|v| v / 2.0)
                    .filter(|v| v.is_finite() && *v > 0.0);
            }
            b"t" => self.in_text = true,
            b"instrText" => {
                self.in_instr = true;
            }
            b"tab" | b"ptab" if !p.in_ppr => p.text.push(CELL),
            b"noBreakHyphen" => p.text.push('-'),
            b"br" | b"cr" => {
                let piece = std::mem::take(&mut p.text);
                p.pieces.push(piece);
            }
            b"hyperlink" if !empty => {
                p.link = attr(e, b"id")
                    .and_then(|rid| rels.get(&rid))
                    .filter(|r| r.kind == "hyperlink")
                    .map(|r| Link {
                        piece: p.pieces.len(),
                        start: p.text.len(),
                        target: r.target.clone(),
                        drawing: false,
                    });
            }
            b"fldSimple" if !empty => {
                p.link = attr(e, b"instr")
                    .and_then(|i| field_target(&i))
                    .map(|target| Link {
                        piece: p.pieces.len(),
                        start: p.text.len(),
                        target,
                        drawing: false,
                    });
            }
            b"fldChar" => match attr(e, b"fldCharType").as_deref() {
                Some("begin") => p.instr.clear(),
                Some("separate") => {
                    if let Some(target) = field_target(&p.instr) {
                        p.link = Some(Link {
                            piece: p.pieces.len(),
                            start: p.text.len(),
                            target,
                            drawing: false,
                        });
                        p.field_link = true;
                    }
                    p.instr.clear();
                }
                Some("end") if p.field_link => {
                    p.field_link = false;
                    finish_link(p);
                }
                _ => {}
            },
            b"drawing" | b"pict" | b"object" => {
                if let Some(l) = p.link.as_mut() {
                    l.drawing = true;
                }
            }
            _ => {}
        }
        let _ = styles;
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_text = false,
            b"instrText" => self.in_instr = false,
            b"pPr" => {
                if let Some(p) = self.paras.last_mut() {
                    p.in_ppr = false;
                }
            }
            b"pBdr" => {
                if let Some(p) = self.paras.last_mut() {
                    p.in_pbdr = false;
                }
            }
            b"hyperlink" | b"fldSimple" => {
                if let Some(p) = self.paras.last_mut() {
                    if !p.field_link {
                        finish_link(p);
                    }
                }
            }
            b"p" => {
                if let Some(p) = self.paras.pop() {
                    let lines = finish_para(p, self.styles);
                    sink(&mut self.tables, &mut self.out).extend(lines);
                }
            }
            b"tbl" => {
                if let Some(t) = self.tables.pop() {
                    let lines = finish_table(t);
                    sink(&mut self.tables, &mut self.out).extend(lines);
                }
            }
            _ => {}
        }
    }
}

/// Runs of two or more spaces inside a line separate parts ("Berlin  jane@x.org")
/// and become cell breaks; two spaces after a sentence end do not.
fn spaces_to_cells(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0usize;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c == ' ' || c == '\u{a0}' {
            run += 1;
            continue;
        }
        if run > 0 {
            let sentence_gap = run == 2 && matches!(prev, Some('.' | '!' | '?'));
            if run >= 2 && !sentence_gap && !out.is_empty() {
                out.push(CELL);
            } else {
                out.push(' ');
            }
            run = 0;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Drop cells that hold only a separator glyph ("a ⇥ | ⇥ b").
fn drop_separator_cells(text: String) -> String {
    if !text.contains(CELL) {
        return text;
    }
    let is_sep = |c: &str| {
        let c = c.trim();
        !c.is_empty()
            && c.chars()
                .all(|ch| matches!(ch, '|' | '•' | '·' | '∙' | '⋅' | '◦' | '▪' | '/'))
    };
    let cells: Vec<&str> = text.split(CELL).filter(|c| !is_sep(c)).collect();
    cells.join("\t")
}

fn finish_para(mut p: Para, styles: &Styles) -> Vec<Line> {
    let style = p.style.as_deref();
    let style_heading = styles
        .lookup_opt(style, |s| (s.heading > 0).then_some(s.heading))
        .unwrap_or(0);
    let heading = match p.outline {
        Some(n) if n < 9 => n + 1,
        _ => style_heading,
    };
    let style_list = styles
        .lookup_opt(style, |s| s.num.or(s.list.then_some(true)))
        .unwrap_or(false);
    let list = p.num.unwrap_or(style_list) && heading == 0;
    let bold = p.chars > 0 && p.bold_chars * 4 >= p.chars * 3;
    let caps = p.chars > 0 && p.caps_chars * 2 > p.chars;
    let border_top = p.border_top.unwrap_or_else(|| {
        styles
            .lookup_opt(style, |s| s.border_top.then_some(true))
            .unwrap_or(false)
    });
    let border_bottom = p.border_bottom.unwrap_or_else(|| {
        styles
            .lookup_opt(style, |s| s.border_bottom.then_some(true))
            .unwrap_or(false)
    });
    let size = p
        .size_chars
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| *s)
        .unwrap_or(0.0);
    p.pieces.push(std::mem::take(&mut p.text));
    let mut lines = Vec::new();
    for piece in &p.pieces {
        let (body, glyph_bullet) = strip_bullet(piece);
        let text = drop_separator_cells(clean_text(&spaces_to_cells(body)));
        if text.is_empty() {
            continue;
        }
        lines.push(Line {
            text,
            size,
            bold,
            heading,
            bullet: list || (glyph_bullet && heading == 0),
            block_start: lines.is_empty(),
            ..Line::default()
        });
    }
    // A bordered paragraph: a rule above it, or a short bold/capitals title
    // underlined by its bottom border.
    if let [only] = lines.as_mut_slice() {
        let words = only.text.split_whitespace().count();
        let letters: Vec<char> = only.text.chars().filter(|c| c.is_alphabetic()).collect();
        let all_caps = letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase());
        let title_like = words <= 8 && !only.bullet && (bold || caps || all_caps || heading > 0);
        only.rule_before = border_top || (border_bottom && title_like);
    } else if let Some(first) = lines.first_mut() {
        first.rule_before = border_top;
    }
    lines
}

/// One table row: data cells side by side on one line, or layout cells as
/// flows one after the other (see the module doc).
fn finish_table(table: Table) -> Vec<Line> {
    let mut lines = Vec::new();
    for row in table.rows {
        let simple = row.cells.iter().all(|c| c.lines.len() <= 1);
        if simple {
            let cells: Vec<&Line> = row.cells.iter().filter_map(|c| c.lines.first()).collect();
            let Some(first) = cells.first() else {
                continue;
            };
            let mut line = (*first).clone();
            line.text = cells
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\t");
            line.bold = cells.iter().all(|l| l.bold);
            line.bullet = cells.len() == 1 && first.bullet;
            line.rule_before = cells.iter().any(|l| l.rule_before);
            line.block_start = true;
            lines.push(line);
            continue;
        }
        let mut cells = row.cells;
        rebase_headings(&mut cells);
        for cell in cells {
            for (i, mut l) in cell.lines.into_iter().enumerate() {
                if i == 0 {
                    l.block_start = true;
                }
                lines.push(l);
            }
        }
    }
    lines
}

/// Make heading levels relative per column of a layout row: a column whose
/// top heading level is deeper than the shallowest column's top level is
/// lifted by the difference.
fn rebase_headings(cells: &mut [Cell]) {
    let tops: Vec<Option<u8>> = cells
        .iter()
        .map(|c| c.lines.iter().map(|l| l.heading).filter(|h| *h > 0).min())
        .collect();
    if tops.iter().filter(|t| t.is_some()).count() < 2 {
        return;
    }
    let Some(target) = tops.iter().flatten().min().copied() else {
        return;
    };
    for (cell, top) in cells.iter_mut().zip(tops) {
        let Some(top) = top else {
            continue;
        };
        let shift = top - target;
        if shift == 0 {
            continue;
        }
        for l in cell.lines.iter_mut().filter(|l| l.heading > 0) {
            l.heading -= shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml""#;

    fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for (name, body) in parts {
                zip.start_file(*name, opts).unwrap();
                zip.write_all(body.as_bytes()).unwrap();
            }
            zip.finish().unwrap();
        }
        buf.into_inner()
    }

    fn document(body: &str) -> String {
        format!(r#"<w:document {NS}><w:body>{body}</w:body></w:document>"#)
    }

    fn p(text: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    fn styled(style: &str, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#
        )
    }

    fn lines(parts: &[(&str, &str)]) -> Vec<Line> {
        extract(&docx(parts), &Budget::default()).unwrap().lines
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
        <w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>
        <w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
        <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="48"/></w:rPr></w:style>
        <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="Überschrift 1"/><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style>
        <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:rPr><w:b/></w:rPr></w:style>
        <w:style w:type="paragraph" w:styleId="Section"><w:name w:val="My Section"/><w:basedOn w:val="berschrift1"/></w:style>
        <w:style w:type="paragraph" w:styleId="Aufzhlungszeichen"><w:name w:val="List Bullet"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
        <w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>
    </w:styles>"#;

    #[test]
    fn layout_table_is_two_flows_with_column_relative_headings() {
        let cell = |paras: &[String]| format!("<w:tc>{}</w:tc>", paras.concat());
        let left = cell(&[
            styled("Heading2", "Kontakt"),
            p("jane@example.com"),
            styled("Heading2", "Kenntnisse"),
            p("Rust, Go"),
        ]);
        // A nested data table inside the right column.
        let nested = format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            p("Rust"),
            p("Expert")
        );
        let right = cell(&[
            styled("berschrift1", "Berufserfahrung"),
            p("Acme GmbH"),
            p("Entwicklerin"),
            nested,
        ]);
        let body = format!(
            "{}<w:tbl><w:tblPr><w:tblBorders><w:top w:val=\"nil\"/></w:tblBorders></w:tblPr><w:tr>{left}{right}</w:tr></w:tbl>",
            styled("Title", "Jane Doe")
        );
        let l = lines(&[
            ("word/document.xml", &document(&body)),
            ("word/styles.xml", STYLES),
        ]);
        assert_eq!(
            texts(&l),
            vec![
                "Jane Doe",
                "Kontakt",
                "jane@example.com",
                "Kenntnisse",
                "Rust, Go",
                "Berufserfahrung",
                "Acme GmbH",
                "Entwicklerin",
                "Rust\tExpert"
            ]
        );
        assert_eq!(l[0].heading, 1);
        assert_eq!(l[0].size, 24.0);
        // The side column's Heading 2 titles are lifted to the main column's level.
        assert_eq!(l[1].heading, 1);
        assert_eq!(l[3].heading, 1);
        assert_eq!(l[5].heading, 1);
        assert!(l[5].bold);
        assert_eq!(l[6].heading, 0);
        assert_eq!(l[6].size, 11.0);
    }

    #[test]
    fn data_table_rows_stay_lines() {
        let row =
            |a: &str, b: &str| format!("<w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>", p(a), p(b));
        let body = format!(
            "<w:tbl>{}{}{}</w:tbl>",
            row("Skill", "Level"),
            row("Rust", "Expert"),
            row("Go", "Intermediate")
        );
        let l = lines(&[("word/document.xml", &document(&body))]);
        assert_eq!(
            texts(&l),
            vec!["Skill\tLevel", "Rust\tExpert", "Go\tIntermediate"]
        );
    }

    #[test]
    fn header_parts_in_reference_order_and_footer_last() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>
            <Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header10.xml"/>
            <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="/word/footer1.xml"/>
        </Relationships>"#;
        let body = format!(
            r#"{}<w:sectPr><w:headerReference w:type="default" r:id="rId7"/><w:headerReference w:type="first" r:id="rId8"/><w:footerReference w:type="default" r:id="rId9"/><w:titlePg/></w:sectPr>"#,
            p("Experience")
        );
        let hdr = |t: &str| format!(r#"<w:hdr {NS}>{}</w:hdr>"#, p(t));
        let first = format!(
            r#"<w:hdr {NS}>{}{}</w:hdr>"#,
            p("Jane Doe"),
            p("Musterstraße 12, 10115 Berlin  jane@example.com  0151 1234567")
        );
        let l = lines(&[
            ("word/document.xml", &document(&body)),
            ("word/_rels/document.xml.rels", rels),
            ("word/header2.xml", &hdr("Jane Doe")),
            ("word/header10.xml", &first),
            ("word/header3.xml", &hdr("unreferenced")),
            (
                "word/footer1.xml",
                &format!(r#"<w:ftr {NS}>{}</w:ftr>"#, p("Page 1")),
            ),
        ]);
        assert_eq!(
            texts(&l),
            vec![
                "Jane Doe",
                "Musterstraße 12, 10115 Berlin\tjane@example.com\t0151 1234567",
                "Experience",
                "Page 1"
            ]
        );
        assert!(l[0].aside && l[1].aside && !l[2].aside && l[3].aside);
    }

    #[test]
    fn text_box_read_once() {
        let txbx = format!("<w:txbxContent>{}</w:txbxContent>", p("jane@example.com"));
        let body = format!(
            r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>{txbx}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{txbx}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>Jane Doe</w:t></w:r></w:p>"#
        );
        let l = lines(&[("word/document.xml", &document(&body))]);
        assert_eq!(texts(&l), vec!["jane@example.com", "Jane Doe"]);
    }

    #[test]
    fn numbered_and_styled_lists() {
        let body = [
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Cut costs by 20%</w:t></w:r></w:p>"#.to_string(),
            styled("Aufzhlungszeichen", "Led the migration"),
            p("Plain text"),
            // A numbered heading stays a heading, not a list item.
            r#"<w:p><w:pPr><w:pStyle w:val="berschrift1"/><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>Ausbildung</w:t></w:r></w:p>"#.to_string(),
        ]
        .concat();
        let l = lines(&[
            ("word/document.xml", &document(&body)),
            ("word/styles.xml", STYLES),
        ]);
        assert_eq!(
            l.iter().map(|l| l.bullet).collect::<Vec<_>>(),
            vec![true, true, false, false]
        );
        assert_eq!(l[3].heading, 1);
    }

    #[test]
    fn tabs_and_run_styles() {
        let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="9000"/></w:tabs></w:pPr><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>Acme Corporation International</w:t></w:r><w:r><w:tab/><w:t>Jan 2020 – Present</w:t></w:r></w:p><w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden</w:t></w:r><w:r><w:t>Shown.  Two sentences.</w:t></w:r></w:p><w:p><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>Skills</w:t></w:r></w:p>"#;
        let l = lines(&[
            ("word/document.xml", &document(body)),
            ("word/styles.xml", STYLES),
        ]);
        assert_eq!(
            texts(&l),
            vec![
                "Acme Corporation International\tJan 2020 – Present",
                "Shown. Two sentences.",
                "Skills"
            ]
        );
        // Bold through the character style; a line is bold when (nearly) all of it is.
        assert!(!l[0].bold);
        assert!(!l[1].bold);
        assert!(l[2].bold);
    }

    #[test]
    fn hyperlink_targets() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://linkedin.com/in/jdoe" TargetMode="External"/>
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="mailto:jane@example.com" TargetMode="External"/>
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://acme.example.com/" TargetMode="External"/>
            <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://github.com/jdoe" TargetMode="External"/>
            <Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://jane.example.com/" TargetMode="External"/>
        </Relationships>"#;
        let link = |id: &str, text: &str| {
            format!(
                r#"<w:hyperlink r:id="{id}"><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>"#
            )
        };
        let body = [
            format!("<w:p>{}</w:p>", link("rId1", "LinkedIn")),
            format!("<w:p>{}</w:p>", link("rId2", "E-Mail")),
            format!("<w:p>{}<w:r><w:tab/><w:t>2019 – 2021</w:t></w:r></w:p>", link("rId3", "Acme Corp")),
            format!(r#"<w:p><w:r><w:t xml:space="preserve">GitHub: </w:t></w:r>{}</w:p>"#, link("rId4", "jdoe")),
            format!("<w:p>{}</w:p>", link("rId5", "jane.example.com")),
            r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.xing.com/profile/J_Doe" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Xing</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        ]
        .concat();
        let l = lines(&[
            ("word/document.xml", &document(&body)),
            ("word/_rels/document.xml.rels", rels),
        ]);
        assert_eq!(
            texts(&l),
            vec![
                "LinkedIn <https://linkedin.com/in/jdoe>",
                "E-Mail jane@example.com",
                "Acme Corp\t2019 – 2021",
                "GitHub: jdoe <https://github.com/jdoe>",
                "jane.example.com",
                "Xing <https://www.xing.com/profile/J_Doe>",
            ]
        );
    }

    #[test]
    fn bold_caps_bordered_heading() {
        let body = [
            r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6"/></w:pBdr></w:pPr><w:r><w:rPr><w:b/><w:caps/></w:rPr><w:t>Work experience</w:t></w:r></w:p>"#.to_string(),
            r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6"/></w:pBdr></w:pPr><w:r><w:t>Berlin | jane@example.com | a long contact line under the name</w:t></w:r></w:p>"#.to_string(),
            p("Acme"),
        ]
        .concat();
        let l = lines(&[("word/document.xml", &document(&body))]);
        assert!(l[0].rule_before && l[0].bold);
        assert!(!l[1].rule_before);
        assert!(!l[2].rule_before);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let budget = Budget::default();
        assert!(extract(b"PK\x03\x04garbage", &budget).is_err());
        let deep = document(&"<w:tbl><w:tr><w:tc>".repeat(200));
        assert!(extract(&docx(&[("word/document.xml", &deep)]), &budget).is_err());
        // Truncated and unbalanced XML still yields what was read.
        let cut = format!(r#"<w:document {NS}><w:body><w:p><w:r><w:t>Jane</w:t>"#);
        let l = extract(&docx(&[("word/document.xml", &cut)]), &budget)
            .unwrap()
            .lines;
        assert_eq!(texts(&l), vec!["Jane"]);
    }

    #[test]
    fn repeated_paragraphs_stop_at_the_parsed_text_limit() {
        // 2 MiB of markup whose text is over a 64 KiB limit: the extractor
        // stops as the text grows, naming the limit.
        let body = p("Led the migration of the billing platform to a new stack.").repeat(20_000);
        let budget = Budget {
            max_parsed_bytes: 64 * 1024,
            ..Budget::default()
        };
        let err = extract(&docx(&[("word/document.xml", &document(&body))]), &budget)
            .expect_err("over the limit");
        assert_eq!(
            err,
            ParseError::TooLarge {
                what: "extracted text",
                limit: 64 * 1024
            }
        );
        // Under a large enough limit the same file extracts.
        assert!(extract(
            &docx(&[("word/document.xml", &document(&body))]),
            &Budget::default()
        )
        .is_ok());
    }
}
