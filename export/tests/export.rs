//! End-to-end checks of the export engine through its public API: every
//! template renders every section in both formats, resume text can never
//! act as Typst code, output is deterministic, the limits hold, and the
//! files read back through Vitae's own parser.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use std::sync::OnceLock;

use serde_json::{json, Value};
use vitae_export::{Engine, ExportError, ExportRequest, Format, Options};
use vitae_parser::{extract, parse, Budget};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("engine"))
}

fn fixture(name: &str) -> Value {
    if name == "full" {
        return serde_json::from_str(vitae_export::SAMPLE_RESUME).expect("sample");
    }
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn render(doc: &Value, format: Format, template: &str) -> vitae_export::Rendered {
    engine()
        .render_value(doc, &ExportRequest::new(format, template))
        .unwrap_or_else(|e| panic!("{template} {format:?}: {e}"))
}

fn parser_format(format: Format) -> vitae_parser::Format {
    match format {
        Format::Pdf => vitae_parser::Format::Pdf,
        Format::Docx => vitae_parser::Format::Docx,
        other => panic!("{other} is not read back"),
    }
}

/// The text of an exported file as Vitae's extractor reads it.
fn text_of(bytes: &[u8], format: Format) -> String {
    extract::extract(bytes, parser_format(format), &Budget::default())
        .expect("extract")
        .text()
}

fn ids() -> Vec<&'static str> {
    vitae_export::templates().iter().map(|t| t.id).collect()
}

#[test]
fn every_template_renders_every_section_in_pdf_and_docx() {
    let doc = fixture("full");
    let expected = [
        "Margaret Okafor",
        "Northwind Payments",
        "Cut settlement latency",
        "Code Club Manchester",
        "University of Leeds",
        "Engineering Excellence Award",
        "AWS Certified Solutions Architect",
        "Idempotent Payment APIs in Practice",
        "Kubernetes",
        "Yoruba",
        "Cycling",
        "Daniel Price",
        "ledgerlite",
        "github.com/mokafor",
        "Manchester, England, GB",
    ];
    assert!(ids().len() >= 6);
    for template in ids() {
        for format in [Format::Pdf, Format::Docx] {
            let out = render(&doc, format, template);
            assert!(out.pages >= 1);
            let text = text_of(&out.bytes, format);
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for want in expected {
                assert!(
                    flat.contains(want),
                    "{template} {format:?}: {want:?} missing in\n{text}"
                );
            }
            let parsed = parse(
                &out.bytes,
                parser_format(format),
                &Budget::default(),
                &mut |_, _| {},
            )
            .expect("parse back");
            let d = parsed.document;
            let sections = [
                ("work", d.work.len()),
                ("volunteer", d.volunteer.len()),
                ("education", d.education.len()),
                ("awards", d.awards.len()),
                ("certificates", d.certificates.len()),
                ("publications", d.publications.len()),
                ("skills", d.skills.len()),
                ("languages", d.languages.len()),
                ("interests", d.interests.len()),
                ("references", d.references.len()),
                ("projects", d.projects.len()),
            ];
            for (name, n) in sections {
                assert!(n > 0, "{template} {format:?}: section {name} not read back");
            }
        }
    }
}

#[test]
fn resume_text_is_never_code_and_no_file_is_read() {
    let nasty = [
        r#"#read("/etc/passwd")"#,
        r#"#import "/etc/hosts": *"#,
        "$x^2$",
        "a ] b",
        r"back\slash",
        "@ref",
        "<label>",
        "// not a comment",
        "/* not a comment */",
        "#eval(\"1+1\")",
        "*not bold* _not emph_",
    ];
    let doc = json!({
        "basics": {"name": nasty[0], "label": nasty[1], "summary": nasty.join(" ")},
        "work": [{"name": nasty[2], "position": nasty[3], "startDate": "2020-01",
                  "highlights": nasty.iter().map(|s| format!("item {s}")).collect::<Vec<_>>()}],
        "skills": [{"name": nasty[4], "keywords": [nasty[5], nasty[6]]}],
        "references": [{"name": nasty[7], "reference": nasty[8]}]
    });
    for template in ids() {
        let out = render(&doc, Format::Pdf, template);
        let text = text_of(&out.bytes, Format::Pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in nasty {
            assert!(
                flat.contains(s),
                "{template}: {s:?} not shown literally in\n{text}"
            );
        }
        assert!(
            !flat.contains("root:"),
            "{template}: a system file leaked into the PDF"
        );
        assert!(!flat.contains(" 2 "), "{template}: #eval ran");
    }
}

#[test]
fn equal_inputs_give_equal_bytes() {
    let doc = fixture("full");
    for template in ["classic", "modern"] {
        for format in [Format::Pdf, Format::Docx] {
            let a = render(&doc, format, template);
            let b = render(&fixture("second"), format, template);
            let c = render(&doc, format, template);
            assert!(
                a.bytes == c.bytes,
                "{template} {format:?} differs between renders"
            );
            assert!(a.bytes != b.bytes);
        }
    }
    // A PDF carries no creation date unless one is asked for.
    let out = render(&doc, Format::Pdf, "classic");
    let raw = String::from_utf8_lossy(&out.bytes);
    assert!(!raw.contains("/CreationDate"), "unexpected timestamp");
    let mut req = ExportRequest::new(Format::Pdf, "classic");
    req.timestamp = Some(vitae_export::ExportDate {
        year: 2026,
        month: 1,
        day: 2,
    });
    let dated = engine().render_value(&doc, &req).unwrap();
    assert!(String::from_utf8_lossy(&dated.bytes).contains("2026"));
}

#[test]
fn pdf_has_title_and_author_metadata() {
    let out = render(&fixture("full"), Format::Pdf, "ats");
    let raw = String::from_utf8_lossy(&out.bytes);
    assert!(
        raw.contains("Margaret Okafor"),
        "author missing from metadata"
    );
    assert!(raw.contains("/StructTreeRoot"), "the PDF is not tagged");
}

#[test]
fn options_are_validated_with_the_valid_values_named() {
    let doc = fixture("second");
    let err = engine()
        .render_value(&doc, &ExportRequest::new(Format::Pdf, "fancy"))
        .unwrap_err();
    assert!(matches!(err, ExportError::Option(_)));
    assert!(err.to_string().contains("classic, modern"), "{err}");
    let mut req = ExportRequest::new(Format::Pdf, "classic");
    req.options.font_size = Some(30.0);
    let err = engine().render_value(&doc, &req).unwrap_err();
    assert!(err.to_string().contains("from 7 to 14"), "{err}");
    req.options = Options {
        hidden_sections: vec!["hobbies".into()],
        ..Options::default()
    };
    let err = engine().render_value(&doc, &req).unwrap_err();
    assert!(err.to_string().contains("interests"), "{err}");
    let err = engine()
        .render_value(&json!([1, 2]), &ExportRequest::new(Format::Pdf, "classic"))
        .unwrap_err();
    assert!(matches!(err, ExportError::Document(_)), "{err}");
}

#[test]
fn options_change_the_output() {
    let doc = fixture("full");
    let plain = render(&doc, Format::Pdf, "classic");
    for query in [
        vec![("paper", "letter")],
        vec![("accent", "#aa0000")],
        vec![("font_size", "9")],
        vec![("order", "skills,education")],
        vec![("hide", "references,profiles")],
    ] {
        let mut pairs = vec![("template", "classic")];
        pairs.extend(query.iter().copied());
        let req = ExportRequest::from_query(pairs).unwrap();
        let out = engine().render_value(&doc, &req).unwrap();
        assert!(out.bytes != plain.bytes, "{query:?} changed nothing");
    }
    let req = ExportRequest::from_query([("template", "classic"), ("hide", "references")]).unwrap();
    let out = engine().render_value(&doc, &req).unwrap();
    assert!(!text_of(&out.bytes, Format::Pdf).contains("Daniel Price"));
    let req = ExportRequest::from_query([("template", "ats"), ("order", "skills")]).unwrap();
    let text = text_of(
        &engine().render_value(&doc, &req).unwrap().bytes,
        Format::Pdf,
    );
    assert!(text.find("SKILLS") < text.find("WORK EXPERIENCE"), "{text}");
}

/// A resume of `jobs` jobs with `bullets` highlights each.
fn long_resume(jobs: usize, bullets: usize) -> Value {
    let work: Vec<Value> = (0..jobs)
        .map(|i| {
            json!({
                "name": format!("Company {i}"),
                "position": "Engineer",
                "startDate": format!("{}-01", 1990 + i % 30),
                "endDate": format!("{}-12", 1990 + i % 30),
                "highlights": (0..bullets).map(|j| format!(
                    "Delivered result number {j} of job {i}, with enough words to fill a line of the page"
                )).collect::<Vec<_>>()
            })
        })
        .collect();
    json!({"basics": {"name": "Long Resume"}, "work": work})
}

#[test]
fn a_sixty_page_resume_is_refused_naming_the_limit() {
    let doc = long_resume(240, 9);
    let err = engine()
        .render_value(&doc, &ExportRequest::new(Format::Pdf, "classic"))
        .unwrap_err();
    match &err {
        ExportError::TooManyPages { pages, limit } => {
            assert!(*pages > *limit && *limit == 20, "{err}");
        }
        other => panic!("expected the page limit, got {other}"),
    }
    assert!(err.to_string().contains("limited to 20 pages"), "{err}");
    // DOCX goes through the same limit.
    let err = engine()
        .render_value(&doc, &ExportRequest::new(Format::Docx, "ats"))
        .unwrap_err();
    assert!(matches!(err, ExportError::TooManyPages { .. }), "{err}");
}

#[test]
fn fit_one_page_tightens_or_warns() {
    let doc = long_resume(12, 5);
    let loose = render(&doc, Format::Pdf, "classic");
    assert!(
        loose.pages >= 2,
        "fixture should overflow one page: {} pages, {}",
        loose.pages,
        text_of(&loose.bytes, Format::Pdf).len()
    );
    let mut req = ExportRequest::new(Format::Pdf, "classic");
    req.options.fit_one_page = true;
    let fitted = engine().render_value(&doc, &req).unwrap();
    assert_eq!(fitted.pages, 1, "{:?}", fitted.warnings);
    assert!(fitted.warnings.is_empty());
    let huge = long_resume(20, 6);
    let out = engine().render_value(&huge, &req).unwrap();
    assert!(out.pages > 1);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("does not fit on one page")),
        "{:?}",
        out.warnings
    );
    // The compact template always fits.
    let compact = render(&doc, Format::Pdf, "compact");
    assert_eq!(compact.pages, 1);
}

/// The layout passes a render made, in order.
fn layout_passes(doc: &Value, req: &ExportRequest) -> (Vec<usize>, usize) {
    let resume = vitae_common::Resume::from_value(doc.clone()).unwrap();
    let mut passes = Vec::new();
    let out = engine()
        .render_with_progress(&resume, req, &mut |p| {
            if let vitae_export::Progress::Layout { attempt } = p {
                passes.push(attempt);
            }
        })
        .unwrap();
    (passes, out.pages)
}

#[test]
fn a_resume_far_over_one_page_is_tried_at_the_tightest_step_first() {
    let mut req = ExportRequest::new(Format::Pdf, "classic");
    req.options.fit_one_page = true;
    // Hopeless: the tightest step is tried second and is the answer.
    let (passes, _) = layout_passes(&long_resume(20, 6), &req);
    assert_eq!(passes, [0, 6]);
    // Two pages: the steps in order, the first that fits wins.
    let (passes, fitted) = layout_passes(&long_resume(12, 5), &req);
    assert_eq!(passes.first(), Some(&0));
    assert!(passes.windows(2).all(|w| w[1] == w[0] + 1), "{passes:?}");
    assert_eq!(fitted, 1);
}

#[test]
fn greek_cyrillic_and_right_to_left_text_come_back_out() {
    let doc = json!({
        "basics": {"name": "Ελένη Παπαδοπούλου", "label": "Инженер-программист"},
        "work": [{"name": "Ηλεκτρονική Α.Ε.", "position": "Разработчик", "startDate": "2020-01",
                  "highlights": ["שלום עולם", "مرحبا بالعالم", "Tiếng Việt có dấu"]}]
    });
    for template in ids() {
        let out = render(&doc, Format::Pdf, template);
        assert!(out.warnings.is_empty(), "{template}: {:?}", out.warnings);
        let text = text_of(&out.bytes, Format::Pdf);
        for want in [
            "Ελένη Παπαδοπούλου",
            "Инженер-программист",
            "Ηλεκτρονική",
            "Tiếng Việt có dấu",
        ] {
            assert!(text.contains(want), "{template}: {want} missing in\n{text}");
        }
        // Right-to-left words come out whole (in logical or visual order).
        for word in ["שלום", "עולם", "مرحبا"] {
            let reversed: String = word.chars().rev().collect();
            assert!(
                text.contains(word) || text.contains(&reversed),
                "{template}: {word} missing in\n{text}"
            );
        }
    }
}

#[test]
fn a_script_without_a_font_is_named_in_the_warnings() {
    let families = engine().fonts().families;
    let has_cjk = families
        .iter()
        .any(|f| f.contains("CJK") || f.contains("Han"));
    let doc = json!({"basics": {"name": "王小明"}, "work": [{"name": "株式会社テスト"}]});
    let out = render(&doc, Format::Pdf, "classic");
    if !has_cjk {
        assert!(
            out.warnings.iter().any(|w| w.contains("Chinese")),
            "{:?}",
            out.warnings
        );
        assert!(
            out.warnings.iter().any(|w| w.contains("Japanese")),
            "{:?}",
            out.warnings
        );
    }
}

#[test]
fn the_fingerprint_names_typst_and_every_template_version() {
    let fp = engine().fingerprint();
    assert!(fp.contains("typst-0.15.1"), "{fp}");
    for id in ids() {
        assert!(fp.contains(&format!("{id}@")), "{fp}");
    }
    assert!(engine().fonts().shipped_bytes > 10_000_000);
}

#[test]
fn docx_uses_heading_styles_lists_and_tab_stops_without_tables() {
    let out = render(&fixture("full"), Format::Docx, "ats");
    let text = String::from_utf8_lossy(&out.bytes);
    // The document part is stored uncompressed, so its XML is visible.
    assert!(text.contains("w:styleId=\"Heading1\""));
    assert!(text.contains("<w:pStyle w:val=\"Heading1\""));
    assert!(
        text.contains("<w:numPr>"),
        "highlights are not list paragraphs"
    );
    assert!(
        text.contains("w:val=\"right\""),
        "no right tab stop for dates"
    );
    assert!(!text.contains("<w:tbl>"), "tables used for layout");
}

#[test]
fn png_previews_are_page_one_as_an_image() {
    let doc = fixture("full");
    for template in ids() {
        let out = render(&doc, Format::Png, template);
        assert!(out.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{template}");
        // Width and height sit in the IHDR chunk: A4 at 1.5 px/pt.
        let width =
            u32::from_be_bytes([out.bytes[16], out.bytes[17], out.bytes[18], out.bytes[19]]);
        let height =
            u32::from_be_bytes([out.bytes[20], out.bytes[21], out.bytes[22], out.bytes[23]]);
        assert_eq!((width, height), (893, 1263), "{template}");
    }
    let err = engine()
        .render_value(&doc, &ExportRequest::new(Format::Md, "classic"))
        .unwrap_err();
    assert!(err.to_string().contains("pdf, docx, png"), "{err}");
}
