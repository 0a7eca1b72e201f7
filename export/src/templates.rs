//! The template catalogue: ids, names, descriptions, versions and the Typst
//! sources compiled into the binary.
//!
//! Each template is one Typst file in `export/templates/` that imports the
//! shared `lib.typ` (data loading, options, page-break rules). A template's
//! `version` is part of the export cache key: bump it whenever its output
//! changes, so that no stale file is served after an upgrade.

use serde::Serialize;

use crate::options::Format;

/// The template used when a request names none.
pub const DEFAULT_TEMPLATE: &str = "classic";

/// A template as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub formats: &'static [Format],
    pub version: u32,
    /// Body font size in points when the caller sets none.
    pub font_size: f32,
    /// Sections first in this order (the rest follow in the default order).
    #[serde(skip)]
    pub order: &'static [&'static str],
    /// Always tighten until the resume fits one page.
    pub one_page: bool,
    /// The accent colour when the caller sets none (`#rrggbb`); the
    /// template's source names the same colour.
    pub accent: &'static str,
    #[serde(skip)]
    pub(crate) source: &'static str,
}

impl TemplateInfo {
    /// Virtual path of the template's main file inside the Typst world.
    pub fn main_path(&self) -> String {
        format!("/{}.typ", self.id)
    }
}

const ALL_FORMATS: &[Format] = &[Format::Pdf, Format::Docx, Format::Png];

/// The shared Typst library every template imports as `lib.typ`.
pub(crate) const LIB_SOURCE: &str = include_str!("../templates/lib.typ");

static TEMPLATES: [TemplateInfo; 6] = [
    TemplateInfo {
        id: "classic",
        name: "Classic",
        description: "One column, serif type, rules under the section titles; the safe choice for any application.",
        formats: ALL_FORMATS,
        version: 1,
        font_size: 10.5,
        order: &["summary", "work", "education", "projects", "skills"],
        one_page: false,
        accent: "#1f3a5f",
        source: include_str!("../templates/classic.typ"),
    },
    TemplateInfo {
        id: "modern",
        name: "Modern",
        description: "Two columns: a tinted sidebar with contact details, skills and languages beside the experience.",
        formats: ALL_FORMATS,
        // 2: the sidebar's spread is decided from estimated heights instead
        // of measured ones (a short sidebar may sit a few points apart).
        version: 2,
        font_size: 9.5,
        order: &["summary", "work", "projects", "education", "skills", "languages"],
        one_page: false,
        accent: "#0f766e",
        source: include_str!("../templates/modern.typ"),
    },
    TemplateInfo {
        id: "compact",
        name: "Compact",
        description: "Dense sans-serif layout that tightens spacing and type until everything fits on one page.",
        formats: ALL_FORMATS,
        version: 1,
        font_size: 9.0,
        order: &["summary", "work", "education", "skills", "projects"],
        one_page: true,
        accent: "#7c2d12",
        source: include_str!("../templates/compact.typ"),
    },
    TemplateInfo {
        id: "academic",
        name: "Academic CV",
        description: "A curriculum vitae for research and teaching: education, publications, awards and references first.",
        formats: ALL_FORMATS,
        version: 1,
        font_size: 10.5,
        order: &[
            "summary",
            "education",
            "publications",
            "awards",
            "work",
            "projects",
            "certificates",
            "volunteer",
            "skills",
            "languages",
            "interests",
            "references",
        ],
        one_page: false,
        accent: "#5b1a1a",
        source: include_str!("../templates/academic.typ"),
    },
    TemplateInfo {
        id: "ats",
        name: "ATS Plain",
        description: "Plain single column with standard headings and no graphics, for applicant tracking systems.",
        formats: ALL_FORMATS,
        version: 1,
        font_size: 10.5,
        order: &["summary", "work", "education", "skills", "projects"],
        one_page: false,
        accent: "#000000",
        source: include_str!("../templates/ats.typ"),
    },
    TemplateInfo {
        id: "timeline",
        name: "Timeline",
        description: "Dates in a margin column beside each entry, like a European CV; easy to scan for career history.",
        formats: ALL_FORMATS,
        version: 1,
        font_size: 10.0,
        order: &["summary", "work", "education", "projects", "skills"],
        one_page: false,
        accent: "#1d4ed8",
        source: include_str!("../templates/timeline.typ"),
    },
];

/// Every template, in the order a picker shows them.
pub fn templates() -> &'static [TemplateInfo] {
    &TEMPLATES
}

/// The template with this id.
pub fn find(id: &str) -> Option<&'static TemplateInfo> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// Every template id, for error messages.
pub fn ids() -> Vec<&'static str> {
    TEMPLATES.iter().map(|t| t.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_accent_is_the_one_its_source_uses() {
        for t in templates() {
            let named = format!("pick-accent(rgb(\"{}\"))", t.accent);
            let black = t.accent == "#000000" && t.source.contains("pick-accent(black)");
            assert!(t.source.contains(&named) || black, "{}: {}", t.id, t.accent);
        }
    }
}
