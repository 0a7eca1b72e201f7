//! What a caller may ask of an export: the output format, the template and
//! the layout options, with the parsing and validation the server needs to
//! turn query parameters or a JSON body into an [`ExportRequest`].
//!
//! Every error names the valid values, so the server can answer 400 with a
//! message a person can act on without reading the docs.

use serde::{Deserialize, Serialize};

use crate::templates;

/// Smallest and largest body font size a caller may ask for, in points.
/// Below 7 pt a printed resume is unreadable; above 14 pt it stops looking
/// like a resume.
pub const FONT_SIZE_RANGE: (f32, f32) = (7.0, 14.0);

/// The section ids a caller may order or hide, in the default order.
pub const SECTION_IDS: [&str; 13] = [
    "summary",
    "work",
    "volunteer",
    "education",
    "projects",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "profiles",
];

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Pdf, Format::Docx];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    /// The media type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    pub fn parse(value: &str) -> Result<Format, OptionError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "docx" => Ok(Format::Docx),
            _ => Err(OptionError::invalid("format", value, "pdf, docx")),
        }
    }
}

/// Paper size of the PDF (and the page size of the DOCX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// The name Typst's `page(paper:)` knows it by.
    pub fn typst_name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "us-letter",
        }
    }

    /// Width and height in twentieths of a point (DOCX page size units).
    pub fn twips(self) -> (u32, u32) {
        match self {
            Paper::A4 => (11906, 16838),
            Paper::Letter => (12240, 15840),
        }
    }

    pub fn parse(value: &str) -> Result<Paper, OptionError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" | "us-letter" => Ok(Paper::Letter),
            _ => Err(OptionError::invalid("paper", value, "a4, letter")),
        }
    }
}

/// Layout options every template honours.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    pub paper: Paper,
    /// Accent colour (headings, rules); the template's own when `None`.
    pub accent: Option<[u8; 3]>,
    /// Body font size in points; the template's own when `None`.
    pub font_size: Option<f32>,
    /// Section ids to put first, in this order; the rest follow in the
    /// template's order.
    pub section_order: Vec<String>,
    /// Section ids not to render.
    pub hidden_sections: Vec<String>,
    /// Tighten spacing and font size until the resume fits one page.
    pub fit_one_page: bool,
}

impl Options {
    /// Check every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Some(size) = self.font_size {
            check_font_size(size)?;
        }
        for id in self.section_order.iter().chain(&self.hidden_sections) {
            check_section(id)?;
        }
        Ok(())
    }

    /// The accent as `#rrggbb`, if set.
    pub fn accent_hex(&self) -> Option<String> {
        self.accent
            .map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}"))
    }
}

/// One export: what to render and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub format: Format,
    pub template: String,
    #[serde(default)]
    pub options: Options,
    /// Write this creation date into the PDF metadata. Off by default so
    /// that equal inputs give equal bytes (and equal cache keys).
    #[serde(default)]
    pub timestamp: Option<ExportDate>,
}

impl ExportRequest {
    /// A request with default options.
    pub fn new(format: Format, template: &str) -> ExportRequest {
        ExportRequest {
            format,
            template: template.to_string(),
            options: Options::default(),
            timestamp: None,
        }
    }

    /// Build a request from query parameters (`format`, `template`, `paper`,
    /// `accent`, `font_size`, `fit`, `order`, `hide`). Unknown keys are
    /// refused so that a typo does not silently render the default.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ExportRequest, OptionError> {
        let mut req = ExportRequest::new(Format::Pdf, templates::DEFAULT_TEMPLATE);
        for (key, value) in pairs {
            match key {
                "format" => req.format = Format::parse(value)?,
                "template" => req.template = value.to_string(),
                "paper" => req.options.paper = Paper::parse(value)?,
                "accent" => req.options.accent = Some(parse_accent(value)?),
                "font_size" => req.options.font_size = Some(parse_font_size(value)?),
                "fit" => {
                    req.options.fit_one_page = match value.trim() {
                        "one-page" => true,
                        "none" | "" => false,
                        _ => return Err(OptionError::invalid("fit", value, "one-page, none")),
                    }
                }
                "order" => req.options.section_order = split_list(value),
                "hide" => req.options.hidden_sections = split_list(value),
                _ => {
                    return Err(OptionError::invalid(
                        "parameter",
                        key,
                        "format, template, paper, accent, font_size, fit, order, hide",
                    ))
                }
            }
        }
        req.validate()?;
        Ok(req)
    }

    /// Check the template id against the catalogue and the options.
    pub fn validate(&self) -> Result<(), OptionError> {
        let Some(info) = templates::find(&self.template) else {
            return Err(OptionError::invalid(
                "template",
                &self.template,
                &templates::ids().join(", "),
            ));
        };
        if !info.formats.contains(&self.format) {
            let valid: Vec<&str> = info.formats.iter().map(|f| f.as_str()).collect();
            return Err(OptionError::invalid(
                "format",
                self.format.as_str(),
                &valid.join(", "),
            ));
        }
        if let Some(date) = &self.timestamp {
            date.validate()?;
        }
        self.options.validate()
    }
}

/// A calendar date for the PDF's creation metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExportDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl ExportDate {
    fn validate(&self) -> Result<(), OptionError> {
        let ok = (1..=12).contains(&self.month)
            && (1..=31).contains(&self.day)
            && (1900..=9999).contains(&self.year);
        if ok {
            Ok(())
        } else {
            Err(OptionError::invalid(
                "timestamp",
                &format!("{}-{}-{}", self.year, self.month, self.day),
                "a date YYYY-MM-DD between 1900 and 9999",
            ))
        }
    }
}

/// An option the caller got wrong, with the values that would be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid {name} {value:?}: expected {expected}")]
pub struct OptionError {
    pub name: String,
    pub value: String,
    pub expected: String,
}

impl OptionError {
    pub(crate) fn invalid(name: &str, value: &str, expected: &str) -> OptionError {
        OptionError {
            name: name.to_string(),
            value: value.chars().take(80).collect(),
            expected: expected.to_string(),
        }
    }
}

/// `#1f6feb`, `1f6feb` or `#18e` (short form) → RGB.
pub fn parse_accent(value: &str) -> Result<[u8; 3], OptionError> {
    let err = || OptionError::invalid("accent", value, "a colour #RRGGBB (e.g. #1f6feb)");
    let hex = value.trim().trim_start_matches('#');
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(err());
    }
    let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n).unwrap_or("x"), 16);
    let rgb = match hex.len() {
        6 => [digit(0, 2), digit(2, 2), digit(4, 2)],
        3 => [digit(0, 1), digit(1, 1), digit(2, 1)].map(|d| d.map(|v| v * 17)),
        _ => return Err(err()),
    };
    match rgb {
        [Ok(r), Ok(g), Ok(b)] => Ok([r, g, b]),
        _ => Err(err()),
    }
}

/// A font size in points (`10`, `10.5`, `10pt`), within [`FONT_SIZE_RANGE`].
pub fn parse_font_size(value: &str) -> Result<f32, OptionError> {
    let number = value.trim().trim_end_matches("pt").trim();
    let size: f32 = number.parse().map_err(|_| range_error(value))?;
    check_font_size(size)?;
    Ok(size)
}

fn range_error(value: &str) -> OptionError {
    let (lo, hi) = FONT_SIZE_RANGE;
    OptionError::invalid(
        "font_size",
        value,
        &format!("a size in points from {lo} to {hi}"),
    )
}

fn check_font_size(size: f32) -> Result<(), OptionError> {
    let (lo, hi) = FONT_SIZE_RANGE;
    if size.is_finite() && (lo..=hi).contains(&size) {
        Ok(())
    } else {
        Err(range_error(&size.to_string()))
    }
}

fn check_section(id: &str) -> Result<(), OptionError> {
    if SECTION_IDS.contains(&id) {
        Ok(())
    } else {
        Err(OptionError::invalid("section", id, &SECTION_IDS.join(", ")))
    }
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_in_long_and_short_form() {
        assert_eq!(parse_accent("#1f6feb"), Ok([0x1f, 0x6f, 0xeb]));
        assert_eq!(parse_accent("1F6FEB"), Ok([0x1f, 0x6f, 0xeb]));
        assert_eq!(parse_accent("#18e"), Ok([0x11, 0x88, 0xee]));
        for bad in ["", "#12", "#gggggg", "red", "#1234567", "#ééé"] {
            let err = parse_accent(bad).unwrap_err();
            assert!(err.to_string().contains("#RRGGBB"), "{err}");
        }
    }

    #[test]
    fn font_size_range_is_named() {
        assert_eq!(parse_font_size("10.5pt"), Ok(10.5));
        for bad in ["3", "40", "NaN", "inf", "big", "-10"] {
            let err = parse_font_size(bad).unwrap_err();
            assert!(err.to_string().contains("from 7 to 14"), "{bad}: {err}");
        }
    }

    #[test]
    fn query_parsing_names_valid_values() {
        let req = ExportRequest::from_query([
            ("format", "docx"),
            ("template", "modern"),
            ("paper", "letter"),
            ("accent", "#102030"),
            ("font_size", "9"),
            ("fit", "one-page"),
            ("order", "skills, work"),
            ("hide", "references"),
        ])
        .unwrap();
        assert_eq!(req.format, Format::Docx);
        assert_eq!(req.options.paper, Paper::Letter);
        assert_eq!(req.options.accent_hex().as_deref(), Some("#102030"));
        assert_eq!(req.options.section_order, ["skills", "work"]);
        assert!(req.options.fit_one_page);

        let err = ExportRequest::from_query([("template", "fancy")]).unwrap_err();
        assert!(err.to_string().contains("classic") && err.to_string().contains("ats"));
        let err = ExportRequest::from_query([("paper", "a5")]).unwrap_err();
        assert!(err.to_string().contains("a4, letter"), "{err}");
        let err = ExportRequest::from_query([("format", "odt")]).unwrap_err();
        assert!(err.to_string().contains("pdf, docx"), "{err}");
        let err = ExportRequest::from_query([("hide", "hobbies")]).unwrap_err();
        assert!(err.to_string().contains("interests"), "{err}");
        let err = ExportRequest::from_query([("colour", "red")]).unwrap_err();
        assert!(err.to_string().contains("accent"), "{err}");
    }

    #[test]
    fn options_deserialise_from_a_post_body() {
        let body = r#"{"format": "pdf", "template": "ats",
            "options": {"paper": "letter", "accent": [1, 2, 3], "fit_one_page": true}}"#;
        let req: ExportRequest = serde_json::from_str(body).unwrap();
        req.validate().unwrap();
        assert_eq!(req.options.accent, Some([1, 2, 3]));
        assert!(req.timestamp.is_none());
    }
}
