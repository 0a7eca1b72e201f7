//! What a caller may ask of an export. The request types and their parsing
//! are wire types and live in `vitae_common::export`; this module adds the
//! one check that needs the template catalogue: that the template exists
//! and exports to the format asked for.

pub use vitae_common::export::{
    ExportDate, ExportFormat as Format, ExportRequest, OptionError, Options, Paper,
    FONT_SIZE_RANGE, SECTION_IDS,
};

use crate::templates;

/// Check a request against the catalogue, then its options.
pub fn validate(req: &ExportRequest) -> Result<(), OptionError> {
    let Some(info) = templates::find(&req.template) else {
        return Err(OptionError::invalid(
            "template",
            &req.template,
            &templates::ids().join(", "),
        ));
    };
    if !info.formats.contains(&req.format) {
        let valid: Vec<&str> = info.formats.iter().map(|f| f.as_str()).collect();
        return Err(OptionError::invalid(
            "format",
            req.format.as_str(),
            &valid.join(", "),
        ));
    }
    if let Some(date) = &req.timestamp {
        date.validate()?;
    }
    req.options.validate()
}

/// Parse query parameters into a request and check it against the catalogue.
pub fn from_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<ExportRequest, OptionError> {
    let req = ExportRequest::from_query(pairs)?;
    validate(&req)?;
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_templates_name_the_catalogue() {
        let err = from_query([("template", "fancy")]).unwrap_err();
        assert!(err.to_string().contains("classic") && err.to_string().contains("ats"));
        let err = from_query([("template", "classic"), ("format", "md")]).unwrap_err();
        assert!(err.to_string().contains("pdf, docx"), "{err}");
        assert!(from_query([("template", "modern"), ("format", "png")]).is_ok());
    }
}
