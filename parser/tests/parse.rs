//! End-to-end tests of `vitae_parser::parse` on inputs built here: every
//! format, the progress stages, and hostile files that must end in an error,
//! never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use std::io::Write;
use std::time::{Duration, Instant};

use vitae_common::Stage;
use vitae_parser::{parse, Budget, Format, ParseError, Parsed};

fn run(bytes: &[u8], format: Format) -> Result<Parsed, ParseError> {
    parse(bytes, format, &Budget::default(), &mut |_, _| {})
}

fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, body) in parts {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn para(style: Option<&str>, bold: bool, text: &str) -> String {
    let ppr = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    let rpr = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    format!(r#"<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn cell(text: &str) -> String {
    format!("<w:tc>{}</w:tc>", para(None, false, text))
}

#[test]
fn docx_with_styles_table_and_header() {
    let styles = format!(
        r#"<w:styles {W}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/></w:style></w:styles>"#
    );
    let header = format!(
        r#"<w:hdr {W}>{}</w:hdr>"#,
        para(
            None,
            false,
            "zoe.amelie@example.fr | +33 6 12 34 56 78 | github.com/zoeamelie"
        )
    );
    let body = [
        para(Some("Heading1"), false, "Zoë Amélie Søren"),
        para(None, false, "Lyon, Auvergne-Rhône-Alpes, FR"),
        para(Some("Heading1"), false, "Experience"),
        format!(
            "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
            cell("Senior Software Engineer, Wong-Franklin"),
            cell("Jan 2020 – Present")
        ),
        para(Some("ListBullet"), false, "Cut build times by 40%"),
        para(Some("ListBullet"), false, "Led the migration to Rust"),
        para(Some("Heading1"), false, "Education"),
        format!(
            "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
            cell("Université de Lyon, MSc in Computer Science"),
            cell("09/2015 - 06/2017")
        ),
        para(Some("Heading1"), false, "Skills"),
        para(None, false, "Languages: Rust, Go, Python"),
    ]
    .concat();
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    let bytes = docx(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", &document),
        ("word/styles.xml", &styles),
        ("word/header1.xml", &header),
    ]);
    let parsed = run(&bytes, Format::Docx).unwrap();
    let doc = parsed.document;
    let basics = doc.basics.unwrap();
    assert_eq!(basics.name.as_deref(), Some("Zoë Amélie Søren"));
    assert_eq!(basics.email.as_deref(), Some("zoe.amelie@example.fr"));
    assert_eq!(basics.phone.as_deref(), Some("+33 6 12 34 56 78"));
    assert_eq!(basics.profiles[0].network.as_deref(), Some("GitHub"));
    assert_eq!(basics.profiles[0].username.as_deref(), Some("zoeamelie"));
    let loc = basics.location.unwrap();
    assert_eq!(loc.city.as_deref(), Some("Lyon"));
    assert_eq!(loc.country_code.as_deref(), Some("FR"));
    assert_eq!(doc.work.len(), 1);
    assert_eq!(doc.work[0].name.as_deref(), Some("Wong-Franklin"));
    assert_eq!(
        doc.work[0].position.as_deref(),
        Some("Senior Software Engineer")
    );
    assert_eq!(doc.work[0].start_date.as_deref(), Some("2020-01"));
    assert_eq!(doc.work[0].end_date, None);
    assert_eq!(doc.work[0].highlights.len(), 2);
    assert_eq!(
        doc.education[0].institution.as_deref(),
        Some("Université de Lyon")
    );
    assert_eq!(doc.education[0].study_type.as_deref(), Some("MSc"));
    assert_eq!(doc.education[0].area.as_deref(), Some("Computer Science"));
    assert_eq!(doc.education[0].end_date.as_deref(), Some("2017-06"));
    assert_eq!(doc.skills[0].keywords, vec!["Rust", "Go", "Python"]);
}

#[test]
fn progress_stages_in_order() {
    let mut seen = Vec::new();
    let md = b"# Jos\xc3\xa9 Garc\xc3\xada\n\njose@example.es\n\n## Experience\n\n### Engineer, Acme Inc\n\n- 2019 - 2021\n- Built things\n";
    parse(
        md,
        Format::Markdown,
        &Budget::default(),
        &mut |stage, msg| {
            assert!(!msg.is_empty());
            seen.push(stage)
        },
    )
    .unwrap();
    assert_eq!(
        seen,
        vec![
            Stage::Extracting,
            Stage::Sectioning,
            Stage::Fields,
            Stage::Validating
        ]
    );
}

#[test]
fn markdown_and_text_heading_styles() {
    let md = "# José García\n\nEmail: jose@example.es\n\nExperience\n==========\n\nSoftware Engineer, Acme Inc\n2019 – Present\n\nEDUCATION\n\nUniversity of Madrid\nBSc in Physics\n2014 - 2018\n\nSkills:\n\nRust, SQL\n";
    for format in [Format::Markdown, Format::Text] {
        let doc = run(md.as_bytes(), format).unwrap().document;
        assert_eq!(doc.name(), Some("José García"), "{format}");
        assert_eq!(doc.email(), Some("jose@example.es"));
        assert_eq!(doc.work.len(), 1, "{format}: {:?}", doc.work);
        assert_eq!(doc.work[0].name.as_deref(), Some("Acme Inc"));
        assert_eq!(doc.work[0].start_date.as_deref(), Some("2019"));
        assert_eq!(
            doc.education[0].institution.as_deref(),
            Some("University of Madrid")
        );
        assert_eq!(doc.education[0].study_type.as_deref(), Some("BSc"));
        assert!(doc
            .skills
            .iter()
            .any(|s| s.keywords.contains(&"Rust".to_string())));
    }
}

#[test]
fn resume_without_headings_still_gives_basics() {
    let text = "Søren Kierkegaard\nCopenhagen, Denmark\nsoren@example.dk\n+45 12 34 56 78\nlinkedin.com/in/soren-k\n";
    let parsed = run(text.as_bytes(), Format::Text).unwrap();
    let b = parsed.document.basics.unwrap();
    assert_eq!(b.name.as_deref(), Some("Søren Kierkegaard"));
    assert_eq!(b.email.as_deref(), Some("soren@example.dk"));
    assert_eq!(b.phone.as_deref(), Some("+45 12 34 56 78"));
    assert_eq!(b.profiles[0].network.as_deref(), Some("LinkedIn"));
    assert_eq!(b.profiles[0].username.as_deref(), Some("soren-k"));
    assert_eq!(b.location.unwrap().city.as_deref(), Some("Copenhagen"));
}

#[test]
fn json_resume_is_lossless_and_validated() {
    let input = r#"{"basics":{"name":"Zoë","x-custom":1},"work":[{"name":"A","highlights":["x"]}],"meta":{"v":1}}"#;
    let parsed = run(input.as_bytes(), Format::JsonResume).unwrap();
    let back = serde_json::to_value(&parsed.document).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(input).unwrap()
    );
    let err = run(br#"{"work":[{"highlights":"no"}]}"#, Format::JsonResume).unwrap_err();
    assert!(matches!(err, ParseError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("work"), "{err}");
    let deep = "[".repeat(10_000);
    assert!(run(deep.as_bytes(), Format::JsonResume).is_err());
    // Deep but readable (serde_json reads 128 levels): refused with a reason
    // that says why, not stored to become unreadable later.
    let nested = |levels: usize| {
        format!(
            r#"{{"basics":{{"name":"Zoë"}},"x-deep":{}1{}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    let err = run(nested(120).as_bytes(), Format::JsonResume).unwrap_err();
    assert!(err.to_string().contains("nests 122 levels deep"), "{err}");
    assert!(run(nested(60).as_bytes(), Format::JsonResume).is_ok());
}

#[test]
fn hostile_inputs_end_in_errors() {
    assert!(matches!(run(b"", Format::Text), Err(ParseError::NoText(_))));
    assert!(matches!(
        run(b"   \n\n", Format::Markdown),
        Err(ParseError::NoText(_))
    ));
    assert!(matches!(
        run(b"abc\0def", Format::Text),
        Err(ParseError::Corrupt { .. })
    ));
    assert!(matches!(
        run(b"abc \xff\xfe", Format::Text),
        Err(ParseError::Corrupt { .. })
    ));
    assert!(run(b"%PDF-1.7\n1 0 obj <<", Format::Pdf).is_err());
    assert!(run(b"%PDF-", Format::Pdf).is_err());
    assert!(run(b"PK\x03\x04garbage", Format::Docx).is_err());
    // Deeply nested XML.
    let nested = format!("<w:document {W}>{}</w:document>", "<w:p>".repeat(100_000));
    assert!(run(&docx(&[("word/document.xml", &nested)]), Format::Docx).is_err());
    // A text layer-less PDF page.
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF";
    assert!(run(pdf, Format::Pdf).is_err());
}

#[test]
fn zip_bomb_is_over_budget() {
    let big = format!(
        "<w:document {W}><w:body>{}</w:body></w:document>",
        para(None, false, &"a".repeat(200_000))
    );
    let bytes = docx(&[("word/document.xml", &big)]);
    let budget = Budget {
        max_unpacked_bytes: 10_000,
        ..Budget::default()
    };
    let err = parse(&bytes, Format::Docx, &budget, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, ParseError::OverBudget(_)), "{err}");
}

#[test]
fn deadline_is_checked() {
    let budget = Budget {
        deadline: Some(Instant::now() - Duration::from_secs(1)),
        ..Budget::default()
    };
    let err = parse(b"Jane Doe\n", Format::Text, &budget, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, ParseError::OverBudget(_)));
}

/// A one-page PDF with standard fonts: (x, y, size, bold, text) per line.
/// Text is Latin-1 (WinAnsi) so "Zoë" and "•" can be written.
fn make_pdf(lines: &[(f32, f32, f32, bool, &str)]) -> Vec<u8> {
    let mut content = Vec::new();
    for (x, y, size, bold, text) in lines {
        let font = if *bold { "F2" } else { "F1" };
        content.extend_from_slice(format!("BT /{font} {size} Tf {x} {y} Td (").as_bytes());
        for c in text.chars() {
            let b = match c {
                '•' => 0x95,
                '–' => 0x96,
                '(' | ')' | '\\' => {
                    content.push(b'\\');
                    c as u8
                }
                c if (c as u32) < 256 => c as u8,
                _ => b'?',
            };
            content.push(b);
        }
        content.extend_from_slice(b") Tj ET\n");
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    offsets.push(out.len());
    out.extend_from_slice(format!("6 0 obj\n<< /Length {} >>\nstream\n", content.len()).as_bytes());
    out.extend_from_slice(&content);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn pdf_two_columns_are_read_in_order() {
    let mut lines = vec![(220.0, 750.0, 22.0, true, "Zoë Amélie")];
    let side = [
        (true, "SKILLS"),
        (false, "Rust"),
        (false, "PostgreSQL"),
        (false, "Kubernetes"),
        (true, "CONTACT"),
        (false, "zoe@example.org"),
        (false, "+33 6 12 34 56 78"),
        (false, "Lyon, France"),
        (true, "LANGUAGES"),
        (false, "French"),
        (false, "English"),
    ];
    for (i, (bold, text)) in side.iter().enumerate() {
        lines.push((40.0, 700.0 - i as f32 * 16.0, 10.0, *bold, *text));
    }
    let main = [
        (12.0, true, "EXPERIENCE"),
        (10.0, true, "Senior Software Engineer"),
        (10.0, false, "Acme Ltd, 2020 – Present"),
        (
            10.0,
            false,
            "• Built the billing platform used by two million customers",
        ),
        (
            10.0,
            false,
            "• Cut cloud costs by a third with better caching",
        ),
        (10.0, true, "Software Engineer"),
        (10.0, false, "Wong-Franklin, Jan 2017 – Dec 2019"),
        (10.0, false, "• Shipped the mobile app to every store"),
        (12.0, true, "EDUCATION"),
        (10.0, true, "University of Lyon"),
        (10.0, false, "MSc in Computer Science, 2015 – 2017"),
    ];
    for (i, (size, bold, text)) in main.iter().enumerate() {
        lines.push((200.0, 705.0 - i as f32 * 19.0, *size, *bold, *text));
    }
    let bytes = make_pdf(&lines);
    let parsed = run(&bytes, Format::Pdf).unwrap();
    let doc = parsed.document;
    assert_eq!(doc.name(), Some("Zoë Amélie"), "{}", parsed.text);
    assert_eq!(doc.email(), Some("zoe@example.org"));
    assert_eq!(doc.work.len(), 2, "{:?}\n{}", doc.work, parsed.text);
    assert_eq!(doc.work[0].name.as_deref(), Some("Acme Ltd"));
    assert_eq!(
        doc.work[0].position.as_deref(),
        Some("Senior Software Engineer")
    );
    assert_eq!(doc.work[0].highlights.len(), 2);
    assert_eq!(doc.work[1].start_date.as_deref(), Some("2017-01"));
    assert_eq!(
        doc.education[0].institution.as_deref(),
        Some("University of Lyon")
    );
    let kws: Vec<&String> = doc.skills.iter().flat_map(|s| s.keywords.iter()).collect();
    assert!(kws.iter().any(|k| *k == "Rust"), "{:?}", doc.skills);
    assert!(!kws.iter().any(|k| k.contains("Built")), "{:?}", doc.skills);
    assert!(!doc.languages.is_empty());
}

#[test]
fn huge_sections_parse_in_linear_time() {
    // Tens of thousands of lines in one section used to cost quadratic time
    // in entry segmentation; with a generous deadline a regression shows as
    // `OverBudget` instead of a slow pass.
    let mut text = String::from("Jane Doe\njane@example.com\n\nExperience\n");
    for i in 0..20_000 {
        text.push_str(&format!("   Did thing number {i}\n"));
    }
    text.push_str("Education\n");
    for _ in 0..20_000 {
        text.push_str("ab\n");
    }
    let budget = Budget {
        deadline: Some(Instant::now() + Duration::from_secs(60)),
        ..Budget::default()
    };
    let parsed = parse(text.as_bytes(), Format::Text, &budget, &mut |_, _| {}).unwrap();
    assert_eq!(parsed.document.email(), Some("jane@example.com"));
}

#[test]
fn two_column_text_from_pdftotext_is_read_column_by_column() {
    // A sidebar right of the main flow, as `pdftotext -layout` prints it.
    let mut text = String::from("                         JANE DOE\n\n");
    let main = [
        "EXPERIENCE",
        "Acme Corp                                  ",
        "Senior Engineer                            ",
        "Jan 2020 – Present                         ",
        "   Built the billing platform for all teams",
        "   Cut the cloud bill by a third in a year ",
    ];
    let side = [
        "SKILLS",
        "Rust",
        "Go",
        "Kubernetes",
        "Terraform",
        "Postgres",
    ];
    for (m, s) in main.iter().zip(side.iter()) {
        text.push_str(&format!("{m:<48}        {s}\n"));
    }
    for _ in 0..4 {
        text.push_str(&format!(
            "{:<48}        {}\n",
            "   Wrote a lot of things people used daily", "Kafka"
        ));
    }
    let parsed = run(text.as_bytes(), Format::Text).unwrap();
    let work = &parsed.document.work;
    assert_eq!(work.len(), 1, "{:?}", parsed.text);
    assert_eq!(work[0].name.as_deref(), Some("Acme Corp"));
    assert_eq!(work[0].start_date.as_deref(), Some("2020-01"));
    let skills: Vec<&str> = parsed
        .document
        .skills
        .iter()
        .flat_map(|s| s.keywords.iter().map(String::as_str))
        .collect();
    assert!(
        skills.contains(&"Rust") && skills.contains(&"Kafka"),
        "{skills:?}"
    );
    assert!(!skills.iter().any(|k| k.contains("Built")), "{skills:?}");
}
