//! The Word writer: the same [`View`] as the PDF templates, written as a
//! real word-processing document with `docx-rs` — `Title`, `Subtitle` and
//! `Heading 1` styles, a `List Bullet` style tied to a bullet numbering for
//! highlights, dates right-aligned on a tab stop at the text margin, and no
//! tables, so it stays editable and reads well in applicant tracking
//! systems.
//!
//! There is one Word design for every template: what a template changes in
//! the DOCX is the accent colour, the base font size, and the section order
//! and hidden sections (through the view). Word documents are edited after
//! download, so a plain, well-structured file serves better than a copy of
//! each PDF layout.

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, IndentLevel, Level, LevelJc, LevelText, LineSpacing,
    NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
    Start, Style, StyleType, Tab, TabValueType,
};

use crate::options::Options;
use crate::templates::TemplateInfo;
use crate::view::{EntryView, SectionKind, SectionView, View};
use crate::ExportError;

/// Page margin in twentieths of a point (1.8 cm).
const MARGIN: i32 = 1020;
const BULLETS: usize = 1;
const DEFAULT_ACCENT: &str = "1F3A5F";
const FONT: &str = "Calibri";

/// Write the view as a DOCX file.
pub fn write(
    view: &View,
    template: &TemplateInfo,
    options: &Options,
) -> Result<Vec<u8>, ExportError> {
    // docx-rs numbers paragraphs from a per-thread counter that only its
    // `json()` resets; without the reset, a worker thread's second export of
    // the same resume would carry other paragraph ids (different bytes).
    let _ = Docx::new().json();
    let accent = options
        .accent_hex()
        .map(|h| h.trim_start_matches('#').to_ascii_uppercase())
        .unwrap_or_else(|| DEFAULT_ACCENT.to_string());
    let size = options.font_size.unwrap_or(template.font_size);
    // docx-rs sizes are half-points.
    let half = |pt: f32| (pt * 2.0).round().max(2.0) as usize;
    let (width, height) = options.paper.twips();
    let text_width = width as usize - 2 * MARGIN as usize;

    let mut doc = Docx::new()
        .page_size(width, height)
        .page_margin(PageMargin {
            top: MARGIN,
            left: MARGIN,
            bottom: MARGIN,
            right: MARGIN,
            header: 600,
            footer: 600,
            gutter: 0,
        })
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_size(half(size))
        .default_line_spacing(LineSpacing::new().after(60))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .next("Normal")
                .size(half(size * 2.2))
                .bold()
                .color(&accent),
        )
        .add_style(
            Style::new("Subtitle", StyleType::Paragraph)
                .name("Subtitle")
                .based_on("Normal")
                .next("Normal")
                .size(half(size * 1.2))
                .color("555555"),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .based_on("Normal")
                .next("Normal")
                .size(half(size * 1.3))
                .bold()
                .color(&accent)
                .outline_lvl(0),
        )
        .add_style(
            Style::new("ListBullet", StyleType::Paragraph)
                .name("List Bullet")
                .based_on("Normal"),
        )
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("•"),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(360),
                    Some(SpecialIndentType::Hanging(240)),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS));

    for p in header(view) {
        doc = doc.add_paragraph(p);
    }
    for section in &view.sections {
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .keep_next(true)
                .line_spacing(LineSpacing::new().before(240).after(80))
                .add_run(Run::new().add_text(section.title)),
        );
        for p in section_body(section, text_width) {
            doc = doc.add_paragraph(p);
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.pack(&mut out)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

fn header(view: &View) -> Vec<Paragraph> {
    let b = &view.basics;
    let mut out = Vec::new();
    if !b.name.is_empty() {
        out.push(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(&b.name)),
        );
    }
    if !b.label.is_empty() {
        out.push(
            Paragraph::new()
                .style("Subtitle")
                .add_run(Run::new().add_text(&b.label)),
        );
    }
    let mut contact = Paragraph::new();
    let mut first = true;
    let mut sep = |p: Paragraph| {
        if std::mem::take(&mut first) {
            p
        } else {
            p.add_run(Run::new().add_text(" | "))
        }
    };
    for text in [&b.location, &b.email, &b.phone] {
        if !text.is_empty() {
            contact = sep(contact).add_run(Run::new().add_text(text));
        }
    }
    if !b.url.is_empty() {
        contact = sep(contact);
        contact = link(contact, &b.url, &b.url_href);
    }
    if !first {
        out.push(contact);
    }
    if !b.profiles.is_empty() {
        let mut p = Paragraph::new();
        for (i, profile) in b.profiles.iter().enumerate() {
            if i > 0 {
                p = p.add_run(Run::new().add_text(" | "));
            }
            p = link(p, &profile.text, &profile.href);
        }
        out.push(p);
    }
    out
}

/// `text` as plain text. docx-rs writes hyperlink relationships in hash
/// order, which would make equal inputs give different bytes (and break the
/// content-hash cache), so web addresses are shown, not linked; Word and
/// LibreOffice link them when the reader edits the line.
fn link(p: Paragraph, text: &str, _href: &str) -> Paragraph {
    p.add_run(Run::new().add_text(text))
}

fn section_body(section: &SectionView, text_width: usize) -> Vec<Paragraph> {
    let mut out = Vec::new();
    match section.kind {
        SectionKind::Text => out.push(Paragraph::new().add_run(Run::new().add_text(&section.text))),
        SectionKind::List => {
            for e in &section.entries {
                let mut p = Paragraph::new();
                if e.org.is_empty() {
                    p = p.add_run(Run::new().add_text(&e.title));
                } else {
                    p = p
                        .add_run(Run::new().add_text(format!("{}: ", e.title)).bold())
                        .add_run(Run::new().add_text(&e.org));
                }
                out.push(p);
            }
        }
        SectionKind::Quotes => {
            for e in &section.entries {
                if !e.summary.is_empty() {
                    out.push(
                        Paragraph::new()
                            .keep_next(true)
                            .add_run(Run::new().add_text(format!("“{}”", e.summary)).italic()),
                    );
                }
                if !e.title.is_empty() {
                    out.push(
                        Paragraph::new()
                            .line_spacing(LineSpacing::new().after(160))
                            .add_run(Run::new().add_text(format!("— {}", e.title))),
                    );
                }
            }
        }
        SectionKind::Entries => {
            for e in &section.entries {
                entry(e, text_width, &mut out);
            }
        }
    }
    out
}

fn entry(e: &EntryView, text_width: usize, out: &mut Vec<Paragraph>) {
    // Heading line: "Title, Org ⇥ Dates", kept with what follows.
    let mut head = Paragraph::new()
        .keep_next(true)
        .keep_lines(true)
        .line_spacing(LineSpacing::new().before(120).after(20))
        .add_tab(Tab::new().val(TabValueType::Right).pos(text_width))
        .add_run(Run::new().add_text(&e.title).bold());
    if !e.org.is_empty() {
        head = head.add_run(Run::new().add_text(format!(", {}", e.org)));
    }
    if !e.dates.is_empty() {
        head = head.add_run(Run::new().add_tab().add_text(&e.dates));
    }
    out.push(head);
    let mut facts: Vec<&str> = Vec::new();
    if !e.location.is_empty() {
        facts.push(&e.location);
    }
    facts.extend(e.lines.iter().map(String::as_str));
    for fact in facts {
        out.push(
            Paragraph::new()
                .keep_next(!e.items.is_empty() || !e.summary.is_empty())
                .line_spacing(LineSpacing::new().after(20))
                .add_run(Run::new().add_text(fact).italic()),
        );
    }
    if !e.url.is_empty() {
        out.push(link(Paragraph::new(), &e.url, &e.href));
    }
    if !e.summary.is_empty() {
        out.push(
            Paragraph::new()
                .keep_lines(true)
                .add_run(Run::new().add_text(&e.summary)),
        );
    }
    for item in &e.items {
        out.push(
            Paragraph::new()
                .style("ListBullet")
                .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                .line_spacing(LineSpacing::new().after(20))
                .align(AlignmentType::Left)
                .add_run(Run::new().add_text(item)),
        );
    }
}
