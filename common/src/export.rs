//! Export on the wire: what a client may ask of an export (format, template,
//! layout options), the template catalogue as the API lists it, the export
//! job resource and the payloads of its event stream.
//!
//! The same request arrives three ways and is parsed here once: as query
//! parameters of `GET /v1/resumes/{id}/export` ([`ExportRequest::from_query`]),
//! as the JSON body of `POST /v1/resumes/{id}/exports` (its `Deserialize`),
//! and as the `template` + `options` of a share link ([`Options`]). Every
//! error names the valid values ([`OptionError`]), so the server can answer
//! 400 with a message a person can act on without reading the docs. Whether
//! a template id exists is the export engine's call (it owns the
//! catalogue); everything else is checked here.
//!
//! The export stream (`GET /v1/exports/{id}/events`) follows the parse
//! stream's rules with ids fixed by stage: [`ExportStage::event_id`] for
//! `progress`, [`EXPORT_TERMINAL_EVENT_ID`] for `complete` or `failed`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::skip_serializing_none;

/// The template used when a request names none.
pub const DEFAULT_TEMPLATE: &str = "classic";

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
///
/// `pdf` and `docx` are typeset through a template; `png` is page 1 of the
/// PDF as an image (the preview a client shows); `html`, `md` and `json`
/// are the document's plain renderings (the share page's forms), which
/// take no template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Pdf,
    Docx,
    Png,
    Html,
    Md,
    Json,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Pdf,
        ExportFormat::Docx,
        ExportFormat::Png,
        ExportFormat::Html,
        ExportFormat::Md,
        ExportFormat::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Docx => "docx",
            ExportFormat::Png => "png",
            ExportFormat::Html => "html",
            ExportFormat::Md => "md",
            ExportFormat::Json => "json",
        }
    }

    /// The file name extension (without the dot).
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// Typeset through a template (and so cached, and streamed by `POST
    /// …/exports`), as opposed to the plain renderings.
    pub fn is_typeset(self) -> bool {
        matches!(
            self,
            ExportFormat::Pdf | ExportFormat::Docx | ExportFormat::Png
        )
    }

    /// The media type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ExportFormat::Png => "image/png",
            ExportFormat::Html => "text/html; charset=utf-8",
            ExportFormat::Md => "text/markdown; charset=utf-8",
            ExportFormat::Json => "application/json",
        }
    }

    pub fn parse(value: &str) -> Result<ExportFormat, OptionError> {
        let wanted = value.trim().to_ascii_lowercase();
        let wanted = match wanted.as_str() {
            "markdown" => "md",
            "htm" => "html",
            other => other,
        };
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| OptionError::invalid("format", value, "pdf, docx, png, html, md, json"))
    }

    /// The format a file name's extension names, if any.
    pub fn from_file_name(name: &str) -> Option<ExportFormat> {
        let (_, extension) = name.rsplit_once('.')?;
        ExportFormat::parse(extension).ok()
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    pub const ALL: [Paper; 2] = [Paper::A4, Paper::Letter];

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

/// Layout options every template honours. On the wire (a share's
/// `options`, and flattened into an export request) the fields are named
/// as the query parameters are: `paper`, `accent` (`"#rrggbb"`),
/// `font_size`, `fit` (`"one-page"` or `"none"`), `order` and `hide`.
#[derive(Debug, Clone, PartialEq, Default)]
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

    /// Whether every field has its default (nothing to show or send).
    pub fn is_default(&self) -> bool {
        *self == Options::default()
    }

    /// The options as query parameters, in a fixed order (defaults left
    /// out): what a client appends to an export URL.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.paper != Paper::default() {
            pairs.push(("paper", self.paper.as_str().to_string()));
        }
        if let Some(accent) = self.accent_hex() {
            pairs.push(("accent", accent));
        }
        if let Some(size) = self.font_size {
            pairs.push(("font_size", size.to_string()));
        }
        if self.fit_one_page {
            pairs.push(("fit", "one-page".to_string()));
        }
        if !self.section_order.is_empty() {
            pairs.push(("order", self.section_order.join(",")));
        }
        if !self.hidden_sections.is_empty() {
            pairs.push(("hide", self.hidden_sections.join(",")));
        }
        pairs
    }

    fn wire(&self) -> OptionsWire {
        OptionsWire {
            paper: Some(self.paper),
            accent: self.accent_hex(),
            font_size: self.font_size,
            fit: Some(
                if self.fit_one_page {
                    "one-page"
                } else {
                    "none"
                }
                .to_string(),
            ),
            order: Some(self.section_order.clone()),
            hide: Some(self.hidden_sections.clone()),
        }
    }

    fn from_wire(wire: OptionsWire) -> Result<Options, OptionError> {
        let options = Options {
            paper: wire.paper.unwrap_or_default(),
            accent: wire.accent.as_deref().map(parse_accent).transpose()?,
            font_size: wire
                .font_size
                .map(|size| check_font_size(size).map(|()| size))
                .transpose()?,
            section_order: wire.order.unwrap_or_default(),
            hidden_sections: wire.hide.unwrap_or_default(),
            fit_one_page: parse_fit(wire.fit.as_deref().unwrap_or("none"))?,
        };
        options.validate()?;
        Ok(options)
    }
}

/// The options as JSON, fields named as the query parameters.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsWire {
    paper: Option<Paper>,
    accent: Option<String>,
    font_size: Option<f32>,
    fit: Option<String>,
    order: Option<Vec<String>>,
    hide: Option<Vec<String>>,
}

impl Serialize for Options {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Options, D::Error> {
        let wire = OptionsWire::deserialize(deserializer)?;
        Options::from_wire(wire).map_err(serde::de::Error::custom)
    }
}

/// One export: what to render and how. On the wire (the body of `POST
/// …/exports`) it is one flat object: `format`, `template` and the
/// [`Options`] fields, all optional (`pdf` in the default template).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    pub format: ExportFormat,
    pub template: String,
    pub options: Options,
    /// Write this creation date into the PDF metadata. Off by default so
    /// that equal inputs give equal bytes (and equal cache keys); not part
    /// of the HTTP API.
    pub timestamp: Option<ExportDate>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestWire {
    format: Option<ExportFormat>,
    template: Option<String>,
    paper: Option<Paper>,
    accent: Option<String>,
    font_size: Option<f32>,
    fit: Option<String>,
    order: Option<Vec<String>>,
    hide: Option<Vec<String>>,
}

impl Serialize for ExportRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let options = self.options.wire();
        RequestWire {
            format: Some(self.format),
            template: Some(self.template.clone()),
            paper: options.paper,
            accent: options.accent,
            font_size: options.font_size,
            fit: options.fit,
            order: options.order,
            hide: options.hide,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ExportRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ExportRequest, D::Error> {
        let wire = RequestWire::deserialize(deserializer)?;
        let options = Options::from_wire(OptionsWire {
            paper: wire.paper,
            accent: wire.accent,
            font_size: wire.font_size,
            fit: wire.fit,
            order: wire.order,
            hide: wire.hide,
        })
        .map_err(serde::de::Error::custom)?;
        Ok(ExportRequest {
            format: wire.format.unwrap_or(ExportFormat::Pdf),
            template: wire
                .template
                .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string()),
            options,
            timestamp: None,
        })
    }
}

/// A PDF in the default template: what an empty export body asks for.
impl Default for ExportRequest {
    fn default() -> ExportRequest {
        ExportRequest::new(ExportFormat::Pdf, DEFAULT_TEMPLATE)
    }
}

impl ExportRequest {
    /// A request with default options.
    pub fn new(format: ExportFormat, template: &str) -> ExportRequest {
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
        let mut req = ExportRequest::new(ExportFormat::Pdf, DEFAULT_TEMPLATE);
        for (key, value) in pairs {
            match key {
                "format" => req.format = ExportFormat::parse(value)?,
                "template" => req.template = value.to_string(),
                "paper" => req.options.paper = Paper::parse(value)?,
                "accent" => req.options.accent = Some(parse_accent(value)?),
                "font_size" => req.options.font_size = Some(parse_font_size(value)?),
                "fit" => req.options.fit_one_page = parse_fit(value)?,
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
        req.options.validate()?;
        Ok(req)
    }

    /// The request as query parameters (`format`, `template`, then the
    /// options that differ from the defaults).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("format", self.format.as_str().to_string()),
            ("template", self.template.clone()),
        ];
        pairs.extend(self.options.query_pairs());
        pairs
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
    pub fn validate(&self) -> Result<(), OptionError> {
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
    pub fn invalid(name: &str, value: &str, expected: &str) -> OptionError {
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

/// `one-page` (tighten until it fits) or `none`.
pub fn parse_fit(value: &str) -> Result<bool, OptionError> {
    match value.trim() {
        "one-page" => Ok(true),
        "none" | "" => Ok(false),
        _ => Err(OptionError::invalid("fit", value, "one-page, none")),
    }
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

/// The name an export is saved under: `<Name> - <template>.<ext>` for the
/// typeset formats, `<Name>.<ext>` for the plain ones (they take no
/// template), the name cleaned by [`clean_file_name`] and `resume` when
/// nothing of it is left. The server suggests it in `Content-Disposition`;
/// clients default to it.
pub fn file_name(name: &str, template: &str, format: ExportFormat) -> String {
    let name = clean_file_name(name);
    let name = if name.is_empty() {
        "resume"
    } else {
        name.as_str()
    };
    let template = clean_file_name(template);
    if template.is_empty() || !format.is_typeset() {
        format!("{name}.{}", format.extension())
    } else {
        format!("{name} - {template}.{}", format.extension())
    }
}

/// One path component safe on every common file system and in a header: a
/// name as [`crate::clean::clean_name`] cleans it (one line, no control,
/// bidirectional or invisible characters), without `/ \\ " : * ? < > |`, at
/// most 100 characters, trimmed; `.` and `..` come out empty.
pub fn clean_file_name(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|'))
        .collect();
    let clean = crate::clean::clean_name_within(&allowed, 100);
    if clean.chars().all(|c| c == '.') {
        return String::new();
    }
    clean
}

// ---- the catalogue -------------------------------------------------------

/// `GET /v1/templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateList {
    pub templates: Vec<TemplateResource>,
}

/// One template as the API lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateResource {
    /// Stable id, the `template=` of an export.
    pub id: String,
    pub name: String,
    /// One line a picker shows.
    pub description: String,
    /// What it exports to (`pdf`, `docx`, `png`).
    pub formats: Vec<ExportFormat>,
    /// Bumped whenever its output changes (part of the cache key).
    pub version: u32,
    pub options: TemplateOptions,
    /// Page 1 of a sample resume in this template, as PNG.
    pub preview_url: String,
}

/// The options a template takes, with their defaults and ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateOptions {
    pub paper: Vec<Paper>,
    /// Body font size in points when the request sets none.
    pub font_size: f32,
    pub font_size_min: f32,
    pub font_size_max: f32,
    /// Its accent colour, `#rrggbb`.
    pub accent: String,
    /// Sections in the template's default order (`order` and `hide` take
    /// these ids).
    pub sections: Vec<String>,
    /// Always fits one page (as if `fit=one-page` were given).
    pub one_page: bool,
}

// ---- export jobs and their stream -------------------------------------

/// Where an export job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportStatus {
    Queued,
    Rendering,
    Complete,
    Failed,
}

impl ExportStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, ExportStatus::Complete | ExportStatus::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Queued => "queued",
            ExportStatus::Rendering => "rendering",
            ExportStatus::Complete => "complete",
            ExportStatus::Failed => "failed",
        }
    }
}

/// An export job: the 202 body of `POST /v1/resumes/{id}/exports`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    pub id: String,
    pub resume_id: String,
    /// The document revision being exported.
    pub revision: u64,
    pub status: ExportStatus,
    pub format: ExportFormat,
    pub template: String,
    pub events_url: String,
    /// `GET` it once `status` is `complete` (404 before, 409 when failed).
    pub download_url: String,
    pub created_at: String,
    /// Why it failed, when `failed`.
    pub reason: Option<String>,
    /// Size of the file, when `complete`.
    pub bytes: Option<u64>,
    pub pages: Option<u32>,
    /// Whether the file came from the cache without a render.
    pub cached: Option<bool>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The stages of an export, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportStage {
    /// Waiting for a render worker.
    Queued,
    /// Typst is laying the pages out.
    Layout,
    /// The file is being written.
    Render,
    /// The file is in the store.
    Stored,
}

impl ExportStage {
    pub const ALL: [ExportStage; 4] = [
        ExportStage::Queued,
        ExportStage::Layout,
        ExportStage::Render,
        ExportStage::Stored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportStage::Queued => "queued",
            ExportStage::Layout => "layout",
            ExportStage::Render => "render",
            ExportStage::Stored => "stored",
        }
    }

    /// The SSE `id:` of this stage's progress event: 1 (`queued`) to 4
    /// (`stored`); the terminal event is [`EXPORT_TERMINAL_EVENT_ID`].
    pub fn event_id(self) -> u64 {
        self as u64 + 1
    }
}

/// The `id:` of the `complete` or `failed` event that ends an export stream.
pub const EXPORT_TERMINAL_EVENT_ID: u64 = 5;

/// `progress` on an export stream. `pages` is 0 until the layout is known;
/// `page` counts pages written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportProgress {
    pub stage: ExportStage,
    pub page: u32,
    pub pages: u32,
}

/// `complete` on an export stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportComplete {
    pub download_url: String,
    pub bytes: u64,
    pub pages: u32,
    pub cached: bool,
    #[serde(default)]
    pub warnings: Vec<String>,
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
        assert_eq!(req.format, ExportFormat::Docx);
        assert_eq!(req.options.paper, Paper::Letter);
        assert_eq!(req.options.accent_hex().as_deref(), Some("#102030"));
        assert_eq!(req.options.section_order, ["skills", "work"]);
        assert!(req.options.fit_one_page);

        let err = ExportRequest::from_query([("paper", "a5")]).unwrap_err();
        assert!(err.to_string().contains("a4, letter"), "{err}");
        let err = ExportRequest::from_query([("format", "odt")]).unwrap_err();
        assert!(err.to_string().contains("pdf, docx"), "{err}");
        let err = ExportRequest::from_query([("hide", "hobbies")]).unwrap_err();
        assert!(err.to_string().contains("interests"), "{err}");
        let err = ExportRequest::from_query([("colour", "red")]).unwrap_err();
        assert!(err.to_string().contains("accent"), "{err}");
        let err = ExportRequest::from_query([("fit", "two-pages")]).unwrap_err();
        assert!(err.to_string().contains("one-page"), "{err}");
    }

    #[test]
    fn a_post_body_is_flat_and_named_like_the_query() {
        let body = r##"{"format": "docx", "template": "ats", "paper": "letter",
            "accent": "#010203", "font_size": 9.5, "fit": "one-page",
            "order": ["skills"], "hide": ["references"]}"##;
        let req: ExportRequest = serde_json::from_str(body).unwrap();
        assert_eq!(req.format, ExportFormat::Docx);
        assert_eq!(req.template, "ats");
        assert_eq!(req.options.accent, Some([1, 2, 3]));
        assert_eq!(req.options.font_size, Some(9.5));
        assert!(req.options.fit_one_page);
        assert!(req.timestamp.is_none());
        // Round trip through the wire form.
        let again: ExportRequest =
            serde_json::from_value(serde_json::to_value(&req).unwrap()).unwrap();
        assert_eq!(again, req);
        // Everything is optional.
        let req: ExportRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(req, ExportRequest::default());
        // Bad values and unknown fields are named.
        for (body, named) in [
            (r#"{"paper": "a5"}"#, "a4"),
            (r#"{"accent": "blue"}"#, "#RRGGBB"),
            (r#"{"font_size": 40}"#, "from 7 to 14"),
            (r#"{"hide": ["hobbies"]}"#, "interests"),
            (r#"{"colour": "red"}"#, "colour"),
            (r#"{"format": "odt"}"#, "pdf"),
        ] {
            let err = serde_json::from_str::<ExportRequest>(body).unwrap_err();
            assert!(err.to_string().contains(named), "{body}: {err}");
        }
    }

    #[test]
    fn options_round_trip_and_make_query_pairs() {
        let options = Options {
            paper: Paper::Letter,
            accent: Some([0x1f, 0x6f, 0xeb]),
            font_size: Some(10.5),
            section_order: vec!["skills".into()],
            hidden_sections: vec!["references".into(), "interests".into()],
            fit_one_page: true,
        };
        let json = serde_json::to_value(&options).unwrap();
        assert_eq!(json["accent"], "#1f6feb");
        assert_eq!(json["fit"], "one-page");
        let back: Options = serde_json::from_value(json).unwrap();
        assert_eq!(back, options);
        let query: Vec<(&str, String)> = options.query_pairs();
        let parsed =
            ExportRequest::from_query(query.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(parsed.options, options);
        assert!(Options::default().query_pairs().is_empty());
        assert!(Options::default().is_default());
    }

    #[test]
    fn formats_from_names_and_file_names() {
        assert_eq!(ExportFormat::parse("Markdown"), Ok(ExportFormat::Md));
        assert_eq!(
            ExportFormat::from_file_name("cv.PDF"),
            Some(ExportFormat::Pdf)
        );
        assert_eq!(
            ExportFormat::from_file_name("a.b.docx"),
            Some(ExportFormat::Docx)
        );
        assert_eq!(ExportFormat::from_file_name("cv"), None);
        assert_eq!(ExportFormat::from_file_name("cv.odt"), None);
        assert!(ExportFormat::Png.is_typeset() && !ExportFormat::Md.is_typeset());
    }

    #[test]
    fn file_names_are_clean_bounded_and_name_the_template() {
        assert_eq!(
            file_name("Zoë Lindqvist", "classic", ExportFormat::Pdf),
            "Zoë Lindqvist - classic.pdf"
        );
        assert_eq!(
            file_name("  A/B\tC: \u{202e}D?\n", "modern", ExportFormat::Docx),
            "AB C D - modern.docx"
        );
        assert_eq!(
            file_name("Evil\"\r\nSet-Cookie: x", "ats", ExportFormat::Pdf),
            "Evil Set-Cookie x - ats.pdf"
        );
        assert_eq!(file_name("", "ats", ExportFormat::Pdf), "resume - ats.pdf");
        assert_eq!(
            file_name("..", "ats", ExportFormat::Pdf),
            "resume - ats.pdf"
        );
        assert_eq!(file_name("///", "classic", ExportFormat::Md), "resume.md");
        assert_eq!(file_name("Zoë", "classic", ExportFormat::Md), "Zoë.md");
        assert!(file_name(&"a".repeat(500), "x", ExportFormat::Pdf).len() < 120);
    }

    #[test]
    fn stream_ids_are_fixed_per_stage() {
        let ids: Vec<u64> = ExportStage::ALL.iter().map(|s| s.event_id()).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        assert_eq!(EXPORT_TERMINAL_EVENT_ID, ExportStage::Stored.event_id() + 1);
    }
}
