//! Which kind of document an upload is, decided from its bytes.
//!
//! The declared Content-Type and the file name are hints; the magic bytes
//! decide. A PDF must start with `%PDF-`, a DOCX must be a zip holding
//! `word/document.xml`, a JSON Resume must be a JSON object, Markdown and
//! text must be UTF-8 without NUL bytes. A declared type that the bytes
//! contradict is an error, so a client learns at upload time, not after a
//! failed parse, that it sent the wrong thing.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Pdf,
    Docx,
    Markdown,
    Text,
    JsonResume,
}

impl Format {
    /// The canonical media type stored with the resume.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Markdown => "text/markdown",
            Format::Text => "text/plain",
            Format::JsonResume => "application/json",
        }
    }

    /// Map a Content-Type header (parameters ignored) to a format.
    /// `Ok(None)` means "no opinion" (absent or `application/octet-stream`).
    pub fn from_content_type(header: &str) -> Result<Option<Format>, SniffError> {
        let essence = header
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Ok(Some(match essence.as_str() {
            "" | "application/octet-stream" => return Ok(None),
            "application/pdf" | "application/x-pdf" => Format::Pdf,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Format::Docx
            }
            "text/markdown" | "text/x-markdown" => Format::Markdown,
            "text/plain" => Format::Text,
            "application/json" | "application/vnd.jsonresume+json" | "text/json" => {
                Format::JsonResume
            }
            _ => return Err(SniffError::UnsupportedType(essence)),
        }))
    }

    /// Map a file name's extension to a format.
    pub fn from_filename(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            "md" | "markdown" => Format::Markdown,
            "txt" | "text" => Format::Text,
            "json" => Format::JsonResume,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Markdown => "Markdown",
            Format::Text => "plain text",
            Format::JsonResume => "JSON Resume",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the body is empty: send the resume file's bytes")]
    Empty,
    #[error("unsupported content type {0:?}: send PDF, DOCX, Markdown, plain text or JSON Resume")]
    UnsupportedType(String),
    #[error("the body is declared as {declared} but its bytes are {actual}")]
    Mismatch { declared: Format, actual: String },
    #[error("the body is not a PDF, DOCX, Markdown, text or JSON Resume file ({0})")]
    Unrecognised(&'static str),
}

/// What the bytes alone say.
fn from_magic(bytes: &[u8]) -> Result<Format, &'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A DOCX names its main part in the local file headers; the first
        // entries are small, so the name shows up early in the archive.
        let window = &bytes[..bytes.len().min(64 * 1024)];
        if contains(window, b"word/document.xml") || contains(window, b"word/_rels") {
            return Ok(Format::Docx);
        }
        return Err("a zip archive without word/document.xml");
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err("a legacy .doc file; save it as .docx");
    }
    if bytes.contains(&0) {
        return Err("binary data");
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text")?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') && serde_json::from_str::<serde_json::Value>(trimmed).is_ok() {
        return Ok(Format::JsonResume);
    }
    Ok(Format::Text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Decide the format of an upload.
///
/// `declared` is the Content-Type header (if any), `filename` the client's
/// file name. Text is the one format the bytes cannot tell from Markdown, so
/// there the declaration or the `.md` extension picks.
pub fn sniff(
    bytes: &[u8],
    declared: Option<&str>,
    filename: Option<&str>,
) -> Result<Format, SniffError> {
    if bytes.is_empty() {
        return Err(SniffError::Empty);
    }
    let declared = match declared {
        Some(header) => Format::from_content_type(header)?,
        None => None,
    };
    let by_name = filename.and_then(Format::from_filename);
    let actual = from_magic(bytes);
    let wanted = declared.or(by_name);
    match (wanted, actual) {
        (None, Ok(Format::Text)) => Ok(Format::Text),
        (None, Ok(found)) => Ok(found),
        (None, Err(why)) => Err(SniffError::Unrecognised(why)),
        (Some(want), Ok(found)) if want == found => Ok(found),
        // Markdown is text; a JSON Resume declared as text stays text.
        (Some(Format::Markdown), Ok(Format::Text | Format::JsonResume)) => Ok(Format::Markdown),
        (Some(Format::Text), Ok(Format::JsonResume)) => Ok(Format::Text),
        (Some(want), Ok(found)) => Err(SniffError::Mismatch {
            declared: want,
            actual: found.to_string(),
        }),
        (Some(want), Err(why)) => Err(SniffError::Mismatch {
            declared: want,
            actual: why.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(sniff(b"%PDF-1.7\n", None, None), Ok(Format::Pdf));
        assert_eq!(
            sniff(b"%PDF-1.7\n", Some("application/pdf"), Some("cv.pdf")),
            Ok(Format::Pdf)
        );
        assert_eq!(
            sniff(b"# Jane\n", Some("text/markdown"), None),
            Ok(Format::Markdown)
        );
        assert_eq!(
            sniff(b"# Jane\n", None, Some("cv.md")),
            Ok(Format::Markdown)
        );
        assert_eq!(sniff(b"Jane Doe\n", None, None), Ok(Format::Text));
        assert_eq!(
            sniff(b"{\"basics\":{}}", None, None),
            Ok(Format::JsonResume)
        );
        assert_eq!(
            sniff(
                b"{\"basics\":{}}",
                Some("application/json; charset=utf-8"),
                None
            ),
            Ok(Format::JsonResume)
        );
    }

    #[test]
    fn contradictions_are_errors() {
        assert!(matches!(
            sniff(b"hello", Some("application/pdf"), None),
            Err(SniffError::Mismatch { .. })
        ));
        assert!(matches!(
            sniff(b"%PDF-1.4", Some("text/plain"), None),
            Err(SniffError::Mismatch { .. })
        ));
        assert!(matches!(
            sniff(b"not json", Some("application/json"), None),
            Err(SniffError::Mismatch { .. })
        ));
        assert_eq!(sniff(b"", None, None), Err(SniffError::Empty));
        assert!(matches!(
            sniff(b"x", Some("image/png"), None),
            Err(SniffError::UnsupportedType(_))
        ));
        assert!(matches!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0", None, None),
            Err(SniffError::Unrecognised(_))
        ));
        assert!(matches!(
            sniff(b"PK\x03\x04junk", None, None),
            Err(SniffError::Unrecognised(_))
        ));
    }
}
