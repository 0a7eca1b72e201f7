//! Resume export: a JSON Resume rendered to PDF through Typst templates
//! embedded in the binary, or to DOCX, as a library the server calls from
//! its worker pool.
//!
//! One [`Engine`] is built at start (fonts loaded once, template sources
//! parsed once) and shared by every render: it is `Send + Sync`, and each
//! [`Engine::render`] builds a small per-render Typst world around it. The
//! resume reaches a template only as data (the virtual file `resume.json`),
//! never as markup, and the world serves no real files, so no resume text
//! can run Typst code or read the disk. Equal inputs give equal bytes (no
//! timestamp unless asked), which makes [`Engine::fingerprint`] plus the
//! inputs a sound cache key.
//!
//! Modules: [`options`] (what a caller may ask, with validation), [`view`]
//! (the text every format shows), [`templates`] (the catalogue), `fonts`,
//! `world` and `pdf` (the Typst side), `docx` (the Word writer).

// Denied, not forbidden: `pdf::release_free_memory` makes the one call
// (glibc's malloc_trim) that needs an `unsafe` block, allowed where it stands.
#![deny(unsafe_code)]

mod docx;
mod fonts;
pub mod options;
mod pdf;
pub mod templates;
pub mod view;
mod world;

use std::time::{Duration, Instant};

use vitae_common::Resume;

pub use options::{ExportDate, ExportRequest, Format, OptionError, Options, Paper};
pub use templates::{templates, TemplateInfo};

/// The sample resume of the template previews (and the crate's tests):
/// every section filled, as a person would.
pub const SAMPLE_RESUME: &str = include_str!("../samples/sample.json");

/// [`SAMPLE_RESUME`] as a document.
pub fn sample_resume() -> Resume {
    serde_json::from_str(SAMPLE_RESUME).unwrap_or_default()
}

/// The Typst version the templates are written for (pinned in Cargo.toml).
pub const TYPST_VERSION: &str = "0.15.1";

/// Why an export failed. Each message is fit to show to the person who
/// asked for the export.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// An unknown template, format or option value (the server's 400).
    #[error(transparent)]
    Option(#[from] OptionError),
    /// The document is not a JSON Resume.
    #[error("the document cannot be exported: {0}")]
    Document(String),
    /// The resume data is larger than any real resume.
    #[error("the resume is {bytes} bytes; exports are limited to {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    /// The layout has more pages than the limit.
    #[error("the export would have {pages} pages; exports are limited to {limit} pages")]
    TooManyPages { pages: usize, limit: usize },
    /// Rendering took longer than the time budget.
    #[error("the export took {elapsed_ms} ms, over its time budget of {budget_ms} ms")]
    OverBudget { elapsed_ms: u128, budget_ms: u128 },
    /// A template failed to compile: a bug in the template, not the input.
    #[error("the {template} template failed: {message}")]
    Template { template: String, message: String },
    /// The DOCX could not be written.
    #[error("the Word file could not be written: {0}")]
    Docx(String),
    #[error("internal export error: {0}")]
    Internal(String),
}

/// Limits every render stays within.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Most pages an export may have.
    pub max_pages: usize,
    /// Longest a render may take, checked after each layout pass (a Typst
    /// compile cannot be interrupted, so the server's pool should also
    /// abandon a worker that overruns it by far).
    pub time_budget: Duration,
    /// Largest resume view, in bytes of JSON, accepted for rendering.
    pub max_input_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pages: 20,
            time_budget: Duration::from_secs(10),
            max_input_bytes: 2 * 1024 * 1024,
        }
    }
}

/// A finished export.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Pages of the PDF layout (for DOCX: of the same template's PDF, as
    /// Word's own pagination is not known here).
    pub pages: usize,
    /// What the reader should know: a script without a font, a resume that
    /// does not fit on one page.
    pub warnings: Vec<String>,
}

/// Progress of one render, for the export stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A layout pass started (attempt 0, then each tighter one-page try).
    Layout { attempt: usize },
    /// The layout is done; the file is being written.
    Render { pages: usize },
}

/// What fonts the engine has, for docs and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct FontReport {
    pub shipped_bytes: usize,
    pub system_faces: usize,
    pub families: Vec<String>,
}

/// The export engine: build once, share everywhere.
pub struct Engine {
    shared: world::Shared,
    limits: Limits,
    fingerprint: String,
}

impl Engine {
    /// Load the fonts and templates with the default [`Limits`].
    pub fn new() -> Result<Engine, ExportError> {
        Engine::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Result<Engine, ExportError> {
        let fonts = fonts::FontSet::load();
        let versions: Vec<String> = templates::templates()
            .iter()
            .map(|t| format!("{}@{}", t.id, t.version))
            .collect();
        let fingerprint = format!(
            "typst-{TYPST_VERSION};fonts-{};export-{};{}",
            fonts.fingerprint(),
            env!("CARGO_PKG_VERSION"),
            versions.join(",")
        );
        Ok(Engine {
            shared: world::Shared::new(fonts)?,
            limits,
            fingerprint,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Typst version, font set hash and template versions: everything
    /// besides the request and the document that decides the output bytes.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn fonts(&self) -> FontReport {
        FontReport {
            shipped_bytes: self.shared.fonts.shipped_bytes(),
            system_faces: self.shared.fonts.system_faces(),
            families: self.shared.fonts.families(),
        }
    }

    /// Render an untrusted JSON value (validated as a JSON Resume first).
    pub fn render_value(
        &self,
        document: &serde_json::Value,
        req: &ExportRequest,
    ) -> Result<Rendered, ExportError> {
        if vitae_common::resume::json_depth(document) > vitae_common::resume::MAX_DOCUMENT_DEPTH {
            return Err(ExportError::Document(
                "the document is nested too deeply".into(),
            ));
        }
        let resume = Resume::from_value(document.clone())
            .map_err(|e| ExportError::Document(e.to_string()))?;
        self.render(&resume, req)
    }

    pub fn render(&self, resume: &Resume, req: &ExportRequest) -> Result<Rendered, ExportError> {
        self.render_with_progress(resume, req, &mut |_| {})
    }

    /// Render, reporting each stage to `progress`.
    pub fn render_with_progress(
        &self,
        resume: &Resume,
        req: &ExportRequest,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Rendered, ExportError> {
        let started = Instant::now();
        options::validate(req)?;
        let template = templates::find(&req.template)
            .ok_or_else(|| ExportError::Internal(format!("template {} vanished", req.template)))?;
        let view = view::build(resume, template.order, &req.options);
        let json =
            serde_json::to_vec(&view).map_err(|e| ExportError::Internal(format!("view: {e}")))?;
        if json.len() > self.limits.max_input_bytes {
            return Err(ExportError::TooLarge {
                bytes: json.len(),
                limit: self.limits.max_input_bytes,
            });
        }
        let main = self.shared.main_of(template.id).ok_or_else(|| {
            ExportError::Internal(format!("no source for template {}", template.id))
        })?;
        let mut warnings = Vec::new();
        if !req.format.is_typeset() {
            return Err(ExportError::Internal(format!(
                "{} is not a typeset format; it takes no template",
                req.format
            )));
        }
        if req.format == Format::Pdf {
            let text = String::from_utf8_lossy(&json);
            for script in self.shared.fonts.missing_scripts([text.as_ref()]) {
                warnings.push(format!(
                    "no font on the server covers the {script} text of this resume: it shows as \
                     empty boxes in the PDF (install a font for it, e.g. from the Noto family)"
                ));
            }
        }
        let job = pdf::Job {
            shared: &self.shared,
            template,
            main,
            view: json,
            options: &req.options,
            limits: &self.limits,
            started,
            timestamp: req.timestamp,
        };
        let result = pdf::layout(&job, progress).and_then(|layout| {
            progress(Progress::Render {
                pages: layout.pages,
            });
            warnings.extend(layout.warnings.iter().cloned());
            let bytes = match req.format {
                Format::Pdf => pdf::write(&job, &layout.doc)?,
                Format::Docx => docx::write(&view, template, &req.options)?,
                Format::Png => pdf::write_png(&job, &layout.doc)?,
                Format::Html | Format::Md | Format::Json => {
                    return Err(ExportError::Internal(format!(
                        "{} is not typeset",
                        req.format
                    )))
                }
            };
            job_budget(&job)?;
            Ok(Rendered {
                format: req.format,
                bytes,
                pages: layout.pages,
                warnings: std::mem::take(&mut warnings),
            })
        });
        pdf::evict();
        result
    }
}

fn job_budget(job: &pdf::Job<'_>) -> Result<(), ExportError> {
    let elapsed = job.started.elapsed();
    if elapsed > job.limits.time_budget {
        return Err(ExportError::OverBudget {
            elapsed_ms: elapsed.as_millis(),
            budget_ms: job.limits.time_budget.as_millis(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }
}
