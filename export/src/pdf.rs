//! PDF rendering: compile a template in the [`RenderWorld`], count pages,
//! tighten the layout when one page was asked for, check the page limit
//! and the time budget, and write a tagged PDF (or page 1 as a PNG preview).
//!
//! Typst panics are caught and turned into errors: a render must never take
//! the server's worker down. After each render the memo cache is trimmed
//! (`comemo::evict`), which keeps the warm-render speed-up for recent inputs
//! while bounding memory across thousands of renders.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use typst::foundations::Datetime;
use typst::syntax::FileId;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::options::{ExportDate, Options};
use crate::templates::TemplateInfo;
use crate::world::{RenderWorld, Shared};
use crate::{ExportError, Limits, Progress};

/// Memo-cache generations kept between renders: enough for the previous
/// render of each template to be reused, bounded so memory stays flat.
const EVICT_AGE: usize = 10;

/// How many tighter layouts "fit on one page" tries, and how far it may go.
const FIT_STEPS: usize = 7;
const FIT_SIZE_STEP: f32 = 0.35;
const FIT_MIN_SIZE: f32 = 7.5;
const FIT_SPACING_STEP: f32 = 0.08;
const FIT_MIN_SPACING: f32 = 0.5;
/// A first layout this many pages long is tried at the tightest step next:
/// it almost never fits, and when even that is too long it is the answer,
/// without the five layouts in between (which would end the same way).
const FIT_FAR_PAGES: usize = 3;

/// Font size and line spacing of fit step `step` (0: as asked), computed by
/// the same subtractions whichever order the steps are tried in, so a step
/// always lays out exactly alike.
fn fit_step(base_size: f32, min_size: f32, step: usize) -> (f32, f32) {
    let (mut size, mut spacing) = (base_size, 1.0_f32);
    for _ in 0..step {
        size = (size - FIT_SIZE_STEP).max(min_size);
        spacing = (spacing - FIT_SPACING_STEP).max(FIT_MIN_SPACING);
    }
    (size, spacing)
}

/// A finished layout.
pub(crate) struct Layout {
    pub doc: PagedDocument,
    pub pages: usize,
    pub warnings: Vec<String>,
}

/// What one render needs from the engine.
pub(crate) struct Job<'a> {
    pub shared: &'a Shared,
    pub template: &'static TemplateInfo,
    pub main: FileId,
    pub view: Vec<u8>,
    pub options: &'a Options,
    pub limits: &'a Limits,
    pub started: Instant,
    pub timestamp: Option<ExportDate>,
}

impl Job<'_> {
    fn check_budget(&self) -> Result<(), ExportError> {
        let elapsed = self.started.elapsed();
        if elapsed > self.limits.time_budget {
            return Err(ExportError::OverBudget {
                elapsed_ms: elapsed.as_millis(),
                budget_ms: self.limits.time_budget.as_millis(),
            });
        }
        Ok(())
    }

    fn today(&self) -> Option<Datetime> {
        let d = self.timestamp?;
        Datetime::from_ymd(d.year, d.month, d.day)
    }

    /// Compile once with this font size and spacing factor.
    fn compile(&self, font_size: f32, spacing: f32) -> Result<PagedDocument, ExportError> {
        let options = serde_json::json!({
            "paper": self.options.paper.typst_name(),
            "accent": self.options.accent_hex(),
            "font_size": font_size,
            "spacing": spacing,
        });
        let options = serde_json::to_vec(&options)
            .map_err(|e| ExportError::Internal(format!("options: {e}")))?;
        let world = RenderWorld::new(
            self.shared,
            self.main,
            self.view.clone(),
            options,
            self.today(),
        );
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| typst::compile::<PagedDocument>(&world)));
        let warned = result.map_err(|panic| ExportError::Internal(panic_message(&panic)))?;
        for w in &warned.warnings {
            tracing::debug!(template = self.template.id, warning = %w.message, "typst warning");
        }
        warned.output.map_err(|errors| {
            let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
            ExportError::Template {
                template: self.template.id.to_string(),
                message: messages.join("; "),
            }
        })
    }
}

/// Lay the view out, tightening for one page when asked, within the limits.
pub(crate) fn layout(
    job: &Job<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Layout, ExportError> {
    let base_size = job.options.font_size.unwrap_or(job.template.font_size);
    let min_size = FIT_MIN_SIZE.min(base_size);
    let fit = job.options.fit_one_page || job.template.one_page;
    let mut warnings = Vec::new();
    let mut attempt = 0;
    // Trying the tightest step right after a far miss (see FIT_FAR_PAGES).
    let mut probing = false;
    loop {
        let (size, spacing) = fit_step(base_size, min_size, attempt);
        progress(Progress::Layout { attempt });
        let doc = job.compile(size, spacing)?;
        let pages = doc.pages().len();
        job.check_budget()?;
        if pages > job.limits.max_pages {
            return Err(ExportError::TooManyPages {
                pages,
                limit: job.limits.max_pages,
            });
        }
        let can_tighten = size > min_size || spacing > FIT_MIN_SPACING;
        if std::mem::take(&mut probing) && pages <= 1 {
            // It fits at the tightest: find the first step that fits.
            attempt = 1;
            continue;
        }
        if fit && attempt == 0 && pages >= FIT_FAR_PAGES && can_tighten {
            probing = true;
            attempt = FIT_STEPS - 1;
            continue;
        }
        if !fit || pages <= 1 || attempt + 1 >= FIT_STEPS || !can_tighten {
            if fit && pages > 1 {
                warnings.push(format!(
                    "the resume does not fit on one page: it still has {pages} pages at \
                     {size:.1} pt with the tightest spacing; hide a section or shorten it"
                ));
            } else if fit && attempt > 0 {
                tracing::debug!(size, spacing, "fitted on one page");
            }
            return Ok(Layout {
                doc,
                pages,
                warnings,
            });
        }
        attempt += 1;
    }
}

/// Write the PDF: tagged, no creation date unless one was asked for.
pub(crate) fn write(job: &Job<'_>, doc: &PagedDocument) -> Result<Vec<u8>, ExportError> {
    let timestamp = job.today().map(Timestamp::new_utc);
    let options = PdfOptions {
        timestamp,
        tagged: true,
        ..PdfOptions::default()
    };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| typst_pdf::pdf(doc, &options)));
    let bytes = result.map_err(|panic| ExportError::Internal(panic_message(&panic)))?;
    bytes.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        ExportError::Template {
            template: job.template.id.to_string(),
            message: messages.join("; "),
        }
    })
}

/// Pixels per point of the page-1 preview: 1.5 gives 893 × 1263 pixels for
/// A4, sharp on a screen and about 100 KB as PNG.
const PREVIEW_PIXELS_PER_PT: f64 = 1.5;

/// Page 1 as a PNG image, for previews.
pub(crate) fn write_png(job: &Job<'_>, doc: &PagedDocument) -> Result<Vec<u8>, ExportError> {
    let Some(page) = doc.pages().first() else {
        return Err(ExportError::Template {
            template: job.template.id.to_string(),
            message: "the layout has no page".into(),
        });
    };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let options = typst_render::RenderOptions {
            pixel_per_pt: PREVIEW_PIXELS_PER_PT.into(),
            ..typst_render::RenderOptions::default()
        };
        typst_render::render(page, &options)
    }));
    let pixmap = result.map_err(|panic| ExportError::Internal(panic_message(&panic)))?;
    pixmap
        .encode_png()
        .map_err(|e| ExportError::Internal(format!("the preview could not be encoded: {e}")))
}

/// Renders between two returns of the allocator's free memory to the OS.
const TRIM_EVERY: usize = 16;

/// Trim Typst's memo cache after a render (see the module docs), and every
/// [`TRIM_EVERY`] renders hand the heap's free pages back to the OS: a render
/// allocates and frees tens of MiB in many threads' arenas, and glibc keeps
/// what was freed, so without it a long-running server's RSS crept up with
/// every render (49 MiB of engine after 1,000 renders, 77 MiB after 2,400)
/// though the memo cache itself was bounded.
pub(crate) fn evict() {
    comemo::evict(EVICT_AGE);
    static RENDERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if RENDERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % TRIM_EVERY == TRIM_EVERY - 1 {
        release_free_memory();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn release_free_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it
    // takes the arena locks itself and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    tracing::error!(panic = %what, "typst panicked during an export");
    format!("the renderer failed: {what}")
}
