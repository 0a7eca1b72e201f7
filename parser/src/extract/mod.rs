//! Text extraction: one module per input format, each turning bytes into the
//! shared [`crate::ir::Extracted`] lines with whatever style hints the format
//! carries. Everything after this stage is format-independent.

pub mod docx;
pub mod markdown;
pub mod pdf;
pub mod text;

use crate::ir::Extracted;
use crate::{Budget, Format, ParseError};

/// Decode UTF-8 text (BOM stripped); NUL bytes or invalid UTF-8 are corrupt input.
pub fn decode_text(bytes: &[u8], format: Format) -> Result<&str, ParseError> {
    if bytes.contains(&0) {
        return Err(ParseError::Corrupt {
            format,
            detail: "the text contains NUL bytes (is it a binary file?)".into(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError::Corrupt {
        format,
        detail: format!("the text is not valid UTF-8 ({e})"),
    })?;
    Ok(text.trim_start_matches('\u{feff}'))
}

/// Run the extractor for `format`, with what it was unsure of (pages it
/// could not read, text drawn over text, layouts too crowded to look for
/// columns) as human-readable warnings.
pub fn extract_with_warnings(
    bytes: &[u8],
    format: Format,
    budget: &Budget,
) -> Result<(Extracted, Vec<String>), ParseError> {
    match format {
        Format::Pdf => pdf::extract_with_warnings(bytes, budget),
        _ => extract(bytes, format, budget).map(|x| (x, Vec::new())),
    }
}

/// Run the extractor for `format`. JSON Resume is not extracted (see [`crate::parse`]).
pub fn extract(bytes: &[u8], format: Format, budget: &Budget) -> Result<Extracted, ParseError> {
    match format {
        Format::Pdf => pdf::extract(bytes, budget),
        Format::Docx => docx::extract(bytes, budget),
        Format::Markdown => Ok(markdown::extract(decode_text(bytes, format)?)),
        Format::Text | Format::JsonResume => Ok(text::extract(decode_text(bytes, format)?)),
    }
}
