//! The fixture files under `tests/fixtures/` and what they describe: one
//! person, Zoë Lindqvist, in every upload format the server takes.

use std::path::Path;

/// The person every fixture describes.
pub const FIXTURE_NAME: &str = "Zoë Lindqvist";
pub const FIXTURE_EMAIL: &str = "zoe.lindqvist@example.com";

pub const CT_PDF: &str = "application/pdf";
pub const CT_DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const CT_MD: &str = "text/markdown";
pub const CT_TXT: &str = "text/plain";
pub const CT_JSON: &str = "application/json";

/// The absolute path of `tests/fixtures/<name>`, as a string: every user
/// passes it on as text (a command line, keys typed into the TUI, a browser's
/// file input).
pub fn fixture_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_str()
        .expect("the fixtures dir is valid UTF-8")
        .to_string()
}

/// The bytes of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading fixture {path}: {e}"))
}

/// The content type the fixture `name` is uploaded with, by its extension.
pub fn content_type_for(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("pdf") => CT_PDF,
        Some("docx") => CT_DOCX,
        Some("md") => CT_MD,
        Some("txt") => CT_TXT,
        Some("json") => CT_JSON,
        _ => panic!("no content type for fixture {name}"),
    }
}

/// The five good fixtures.
pub const GOOD_FIXTURES: [&str; 5] = [
    "resume.pdf",
    "resume.docx",
    "resume.md",
    "resume.txt",
    "resume.json",
];

/// A resume-shaped text of ~7 MB (80,000 dated entries): far more work than
/// a parse budget of a second or two allows, and more memory than 16 MiB.
/// For the budget tests, and as the slow backlog of the fairness tests.
pub fn huge_text_resume() -> Vec<u8> {
    let mut text = String::from("Jane Doe\njane@example.com\n\nEXPERIENCE\n");
    for i in 0..80_000 {
        text.push_str(&format!(
            "Engineer at Company {i}, Jan 2020 - Mar 2021, built system {i} in Rust with many words\n"
        ));
    }
    text.into_bytes()
}
