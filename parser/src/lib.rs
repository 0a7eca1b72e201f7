//! Resume parsing: bytes of a PDF, DOCX, Markdown, text or JSON Resume file in,
//! a JSON Resume document with warnings and per-field confidence out.
//!
//! The crate has no I/O and no async: the server runs [`parse`] on a worker
//! (in a budgeted child process), `vitae-server parse` runs it directly.
//! [`format`](mod@format) decides what an upload is from its magic bytes.
//!
//! # A tour of the modules, in the order a parse runs through them
//!
//! - [`format`](mod@format): what the bytes are (magic bytes, then content sniffing).
//! - [`extract`]: one extractor per format (`pdf`, `docx`, `markdown`,
//!   `text`) turns the file into [`ir::Extracted`], positioned and styled
//!   lines; layout problems become warnings.
//! - [`ir`]: that intermediate representation, the one thing every later
//!   step reads, so no rule needs to know the source format.
//! - [`sections`]: lines into the header and titled sections (vocabulary
//!   titles, styled headings, titles in gutters and sidebars).
//! - [`basics`]: the header and contact lines into `basics` (name, label,
//!   e-mail, phone, links, location, summary).
//! - [`entries`]: section bodies into entries: `segment` cuts dated
//!   sections into entries, one builder per section kind reads the fields.
//! - [`dates`]: dates and ranges in every supported language.
//! - [`lang`]: the word tables per language (section titles, months,
//!   degrees, levels, …) and language detection; a new language is a file.

#![forbid(unsafe_code)]

pub mod basics;
pub mod dates;
pub mod entries;
pub mod extract;
pub mod format;
pub mod ir;
pub mod lang;
pub mod sections;

use std::collections::BTreeMap;
use std::time::Instant;

pub use format::{sniff, Format, SniffError};
use vitae_common::{Resume, Stage};

/// Limits one parse must stay within. Extractors check them as they go, so a
/// hostile file ends with [`ParseError::OverBudget`] instead of running away.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Stop with `OverBudget` once this instant has passed.
    pub deadline: Option<Instant>,
    /// Most pages a PDF may have.
    pub max_pages: usize,
    /// Most bytes a DOCX may unpack to (all parts read, summed).
    pub max_unpacked_bytes: u64,
    /// Most bytes of extracted text, and of the parsed document as JSON:
    /// a small file that unpacks or repeats into a huge text must end here,
    /// not in a huge document stored for its owner. Checked while the text
    /// grows (DOCX) or as soon as it is extracted (other formats), and on
    /// the finished document.
    pub max_parsed_bytes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            deadline: None,
            max_pages: 50,
            max_unpacked_bytes: 64 * 1024 * 1024,
            max_parsed_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The result of a successful parse.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub document: Resume,
    /// The plain text extracted from the file, in reading order.
    pub text: String,
    /// Human-readable notes on what could not be read, e.g. "no email found".
    pub warnings: Vec<String>,
    /// Confidence 0.0..=1.0 per field, keyed by JSON path (`basics.email`, `work[0].startDate`).
    pub confidence: BTreeMap<String, f32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The file is damaged or not what its format says.
    #[error("the {format} file could not be read: {detail}")]
    Corrupt { format: Format, detail: String },
    /// The file was read but holds no text (e.g. a scanned PDF without a text layer).
    #[error("no text found in the {0} file (is it a scanned image? Vitae does not OCR)")]
    NoText(Format),
    /// A limit of the [`Budget`] was hit.
    #[error("the document exceeds the parse budget: {0}")]
    OverBudget(String),
    /// The extracted text or the parsed document grew past
    /// [`Budget::max_parsed_bytes`] (`what` says which).
    #[error("the {what} is larger than the {limit} bytes a parse may produce")]
    TooLarge { what: &'static str, limit: u64 },
}

impl ParseError {
    fn corrupt(format: Format, detail: impl Into<String>) -> ParseError {
        ParseError::Corrupt {
            format,
            detail: detail.into(),
        }
    }
}

/// `OverBudget` once the budget's deadline has passed.
pub(crate) fn check_deadline(budget: &Budget) -> Result<(), ParseError> {
    match budget.deadline {
        Some(deadline) if Instant::now() >= deadline => Err(ParseError::OverBudget(
            "the parse took longer than its time limit".into(),
        )),
        _ => Ok(()),
    }
}

/// Parse one document.
///
/// `progress` is called with each stage as its work starts: `Extracting`,
/// `Sectioning`, `Fields`, `Validating`, in that order, with a short human
/// message. Never panics on any input: damaged or hostile files end in a
/// [`ParseError`].
pub fn parse(
    bytes: &[u8],
    format: Format,
    budget: &Budget,
    progress: &mut dyn FnMut(Stage, &str),
) -> Result<Parsed, ParseError> {
    let run = std::panic::AssertUnwindSafe(|| parse_inner(bytes, format, budget, progress));
    match std::panic::catch_unwind(run) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            tracing::error!(%format, panic = %what, "parser panicked");
            Err(ParseError::corrupt(
                format,
                format!("the file could not be read (internal error: {what})"),
            ))
        }
    }
}

fn parse_inner(
    bytes: &[u8],
    format: Format,
    budget: &Budget,
    progress: &mut dyn FnMut(Stage, &str),
) -> Result<Parsed, ParseError> {
    check_deadline(budget)?;
    if format == Format::JsonResume {
        return parse_json(bytes, progress);
    }
    progress(
        Stage::Extracting,
        &format!("extracting text from the {format} file"),
    );
    let (extracted, layout_warnings) = extract::extract_with_warnings(bytes, format, budget)?;
    check_deadline(budget)?;
    let text_bytes: usize = extracted.lines.iter().map(|l| l.text.len() + 1).sum();
    if text_bytes as u64 > budget.max_parsed_bytes {
        return Err(ParseError::TooLarge {
            what: "extracted text",
            limit: budget.max_parsed_bytes,
        });
    }
    if extracted.lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(ParseError::NoText(format));
    }
    let pages = extracted.pages;
    let what = if format == Format::Pdf {
        format!(
            "read {pages} page{}, {} lines",
            if pages == 1 { "" } else { "s" },
            extracted.lines.len()
        )
    } else {
        format!("read {} lines", extracted.lines.len())
    };
    progress(Stage::Sectioning, &what);
    let sectioned = sections::split(&extracted);
    check_deadline(budget)?;
    let names: Vec<&str> = sectioned.sections.iter().map(|s| s.kind.as_str()).collect();
    progress(
        Stage::Fields,
        &if names.is_empty() {
            "no section headings found".to_string()
        } else {
            format!("found {} sections: {}", names.len(), names.join(", "))
        },
    );
    let mut out = Parsed {
        text: extracted.text(),
        warnings: layout_warnings,
        ..Parsed::default()
    };
    let mut resume = Resume::default();
    basics::fill(
        &sectioned,
        &mut resume,
        &mut out.warnings,
        &mut out.confidence,
    );
    entries::fill(
        &sectioned,
        &mut resume,
        &mut out.warnings,
        &mut out.confidence,
    );
    record_language(
        &out.text,
        &mut resume,
        &mut out.warnings,
        &mut out.confidence,
    );
    check_deadline(budget)?;
    progress(
        Stage::Validating,
        "checking the document against the JSON Resume schema",
    );
    check_document_size(&resume, budget)?;
    let value =
        serde_json::to_value(&resume).map_err(|e| ParseError::corrupt(format, e.to_string()))?;
    out.document =
        Resume::from_value(value).map_err(|e| ParseError::corrupt(format, e.to_string()))?;
    Ok(out)
}

/// Detect the language of the running text and record it as
/// `meta.language` (ISO 639-1), with its share of the evidence as the
/// confidence. A document whose language cannot be told, or that is not
/// clearly one of the languages in [`lang::ALL`], says so in `warnings`:
/// its section titles and dates may have been missed.
fn record_language(
    text: &str,
    resume: &mut Resume,
    warnings: &mut Vec<String>,
    confidence: &mut BTreeMap<String, f32>,
) {
    let Some(found) = lang::detect(text) else {
        warnings.push(
            "the document's language could not be told (too little running text); \
             section titles and dates were read in every supported language"
                .into(),
        );
        return;
    };
    let mut meta = serde_json::Map::new();
    meta.insert("language".into(), found.code.into());
    if let Some((second, share)) = found.second {
        if share >= 0.3 {
            meta.insert("languages".into(), serde_json::json!([found.code, second]));
        }
    }
    resume
        .extra
        .insert("meta".into(), serde_json::Value::Object(meta));
    confidence.insert("meta.language".into(), found.share);
    // Two languages with a large share each is a mixed resume (German
    // titles, English bullets), read with both: only a spread without any
    // clear leader is uncertain.
    let mixed = found.second.is_some_and(|(_, s)| found.share + s >= 0.75);
    if found.share < 0.5 && !mixed {
        warnings.push(format!(
            "the document's language is uncertain (most like {} with {:.0}% of the evidence); \
             supported languages: {}",
            lang::name(found.code),
            found.share * 100.0,
            lang::ALL
                .iter()
                .map(|l| lang::name(l.code))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// `TooLarge` when `document` as JSON is over [`Budget::max_parsed_bytes`];
/// counted as it is written, without holding the JSON.
pub fn check_document_size(document: &Resume, budget: &Budget) -> Result<(), ParseError> {
    let size = json_size(document);
    if size > budget.max_parsed_bytes {
        return Err(ParseError::TooLarge {
            what: "parsed document",
            limit: budget.max_parsed_bytes,
        });
    }
    Ok(())
}

/// The length of `value` as compact JSON, counted without building it.
pub fn json_size<T: serde::Serialize + ?Sized>(value: &T) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => u64::MAX,
    }
}

fn parse_json(bytes: &[u8], progress: &mut dyn FnMut(Stage, &str)) -> Result<Parsed, ParseError> {
    let format = Format::JsonResume;
    progress(Stage::Extracting, "reading the JSON Resume file");
    let text = extract::decode_text(bytes, format)?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ParseError::corrupt(format, format!("invalid JSON: {e}")))?;
    let depth = vitae_common::resume::json_depth(&value);
    if depth > vitae_common::resume::MAX_DOCUMENT_DEPTH {
        return Err(ParseError::corrupt(
            format,
            format!(
                "the document nests {depth} levels deep; a resume may nest at most {}                  (JSON Resume itself needs about 5)",
                vitae_common::resume::MAX_DOCUMENT_DEPTH
            ),
        ));
    }
    progress(Stage::Sectioning, "the file is structured already");
    progress(Stage::Fields, "taking the fields as they are");
    progress(
        Stage::Validating,
        "checking the document against the JSON Resume schema",
    );
    let document =
        Resume::from_value(value).map_err(|e| ParseError::corrupt(format, e.to_string()))?;
    let mut warnings = Vec::new();
    if document.name().is_none() {
        warnings.push("no name found".to_string());
    }
    if document.email().is_none() {
        warnings.push("no email found".to_string());
    }
    Ok(Parsed {
        document,
        text: text.to_string(),
        warnings,
        confidence: BTreeMap::new(),
    })
}
