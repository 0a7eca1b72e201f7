//! Job parsing (all three formats, and their errors) and keyword extraction
//! on realistic postings in `tests/fixtures/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use vitae_tailor::{extract_keywords, parse_job, JobError, JobFormat, JobPosting};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn backend() -> JobPosting {
    parse_job(&fixture("backend_engineer.txt"), JobFormat::Text).unwrap()
}

fn data() -> JobPosting {
    parse_job(&fixture("data_engineer.md"), JobFormat::Markdown).unwrap()
}

fn frontend() -> JobPosting {
    parse_job(
        &fixture("frontend_developer.json"),
        JobFormat::JsonResumeJob,
    )
    .unwrap()
}

// ---------------------------------------------------------------- parsing

#[test]
fn plain_text_title_company_and_text() {
    let p = backend();
    assert_eq!(p.title.as_deref(), Some("Senior Backend Engineer"));
    // An explicit "Company:" line wins over "at Globex" in the title.
    assert_eq!(p.company.as_deref(), Some("Globex Corporation"));
    assert!(p
        .text
        .contains("- 5+ years of backend development experience"));
    assert!(p.listed_skills.is_empty());

    let p = parse_job(
        b"Staff Engineer at Hooli\n\nWe build search.\n",
        JobFormat::Text,
    )
    .unwrap();
    assert_eq!(p.title.as_deref(), Some("Staff Engineer"));
    assert_eq!(p.company.as_deref(), Some("Hooli"));

    let p = parse_job(
        b"Platform Engineer\n\nWe need someone to run our clusters.\n",
        JobFormat::Text,
    )
    .unwrap();
    assert_eq!(p.title.as_deref(), Some("Platform Engineer"));
    assert_eq!(p.company, None, "nothing names the company");
}

#[test]
fn plain_text_labels_crlf_bom_and_underlines() {
    let body = "\u{feff}Job Description\r\n===============\r\nJob title: Site Reliability Engineer\r\nEmployer: Vandelay Industries\r\n\r\nKeep things up.\r\n";
    let p = parse_job(body.as_bytes(), JobFormat::Text).unwrap();
    assert_eq!(p.title.as_deref(), Some("Site Reliability Engineer"));
    assert_eq!(p.company.as_deref(), Some("Vandelay Industries"));
    assert!(!p.text.contains('\r'));
    assert!(!p.text.contains("==="));
    assert!(!p.text.starts_with('\u{feff}'));
}

#[test]
fn markdown_is_stripped_of_markup() {
    let p = data();
    assert_eq!(p.title.as_deref(), Some("Data Engineer (Mid-level)"));
    assert_eq!(
        p.company.as_deref(),
        Some("Initech"),
        "from the About heading"
    );
    for markup in ["# ", "**", "](", "`", "<!--", "* Build"] {
        assert!(!p.text.contains(markup), "{markup:?} left in:\n{}", p.text);
    }
    assert!(p
        .text
        .contains("Initech helps logistics companies plan routes with data."));
    assert!(p
        .text
        .contains("- Model our warehouse in Snowflake using dbt"));
    assert!(p
        .text
        .contains("- 3+ years of experience in data engineering"));
    assert!(
        !p.text.contains("budget approved"),
        "HTML comments are dropped"
    );
}

#[test]
fn markdown_title_skips_section_names_and_about_you() {
    let md = "# Job description\n\n## Staff Rust Engineer\n\n## About you\n\nYou like Rust.\n";
    let p = parse_job(md.as_bytes(), JobFormat::Markdown).unwrap();
    assert_eq!(p.title.as_deref(), Some("Staff Rust Engineer"));
    assert_eq!(p.company, None);
}

#[test]
fn json_resume_job() {
    let p = frontend();
    assert_eq!(p.title.as_deref(), Some("Junior Frontend Developer"));
    assert_eq!(p.company.as_deref(), Some("Umbrella Labs"));
    assert!(p
        .text
        .starts_with("Umbrella Labs makes design tools for hospitals."));
    assert!(p
        .text
        .contains("Responsibilities\n- Build user interfaces in React and TypeScript"));
    assert!(p
        .text
        .contains("Qualifications\n- 1+ years of experience with JavaScript and CSS"));
    assert!(p.text.contains("Experience: 1-2 years"));
    assert_eq!(
        p.listed_skills,
        [
            "Web development",
            "HTML",
            "CSS",
            "JS",
            "React",
            "Redux",
            "Next.js",
            "Storytelling with data"
        ]
    );
}

#[test]
fn json_nulls_and_unknown_fields_are_fine() {
    let body = br#"{"title": "QA Engineer", "responsibilities": null, "skills": [{"name": "Selenium", "keywords": null}], "whatever": {"deep": [1, 2]}}"#;
    let p = parse_job(body, JobFormat::JsonResumeJob).unwrap();
    assert_eq!(p.title.as_deref(), Some("QA Engineer"));
    assert_eq!(p.listed_skills, ["Selenium"]);
    assert_eq!(p.text, "");
}

#[test]
fn errors_say_what_to_fix() {
    let err = parse_job(b"Senior \xff\xfe Engineer", JobFormat::Text).unwrap_err();
    assert_eq!(err, JobError::NotUtf8 { offset: 7 });
    assert!(err.to_string().contains("UTF-8"), "{err}");

    for format in [
        JobFormat::Text,
        JobFormat::Markdown,
        JobFormat::JsonResumeJob,
    ] {
        assert_eq!(parse_job(b"  \n\t\n", format), Err(JobError::Empty));
        assert_eq!(parse_job(b"", format), Err(JobError::Empty));
    }
    assert_eq!(
        parse_job(b"<!-- nothing -->", JobFormat::Markdown),
        Err(JobError::Empty)
    );

    let err = parse_job(
        b"{\"title\": \"x\",\n \"description\": }",
        JobFormat::JsonResumeJob,
    )
    .unwrap_err();
    match &err {
        JobError::InvalidJson { line, .. } => assert_eq!(*line, 2),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("line 2"), "{err}");

    let err = parse_job(b"[1, 2]", JobFormat::JsonResumeJob).unwrap_err();
    assert_eq!(err, JobError::NotAnObject { found: "an array" });
    assert_eq!(
        err.to_string(),
        "a JSON Resume job must be a JSON object, found an array"
    );

    let err = parse_job(b"{}", JobFormat::JsonResumeJob).unwrap_err();
    assert_eq!(err, JobError::NoContent);
}

#[test]
fn wrong_json_types_name_the_field_path() {
    for (body, path) in [
        (r#"{"title": 5}"#, "title"),
        (r#"{"responsibilities": "Write code"}"#, "responsibilities"),
        (r#"{"qualifications": ["ok", 3]}"#, "qualifications[1]"),
        (
            r#"{"skills": [{"name": "Go", "keywords": [1]}]}"#,
            "skills[0].keywords[0]",
        ),
        (r#"{"skills": {"name": "Go"}}"#, "skills"),
    ] {
        let err = parse_job(body.as_bytes(), JobFormat::JsonResumeJob).unwrap_err();
        match &err {
            JobError::WrongType { path: p, .. } => assert_eq!(p, path, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("`{path}` has the wrong type")),
            "{msg}"
        );
        assert!(msg.contains("job-schema"), "{msg}");
    }
}

#[test]
fn parsing_never_panics_on_odd_input() {
    let odd: &[&[u8]] = &[
        b"\x00\x01\x02",
        b"-\n*\n#\n",
        b"# \n## \n",
        b"at at at",
        b"1. 2. 3.",
        "\u{2028}\u{2029}x".as_bytes(),
        b"{\"title\": \"\"}",
        b"null",
        b"\"string\"",
        "Ünïcödé — ☃ at Ωmega".as_bytes(),
        b"| a | b |\n|---|---|\n| c | d |",
        b"```\ncode\n```",
    ];
    for body in odd {
        for format in [
            JobFormat::Text,
            JobFormat::Markdown,
            JobFormat::JsonResumeJob,
        ] {
            if let Ok(p) = parse_job(body, format) {
                let _ = extract_keywords(&p);
            }
        }
    }
}

// ------------------------------------------------------------- extraction

#[test]
fn backend_keywords() {
    let k = extract_keywords(&backend());
    assert_eq!(&k.skills[..4], ["Go", "Kubernetes", "PostgreSQL", "AWS"]);
    for s in [
        "CI/CD",
        "Terraform",
        "Helm",
        "Redis",
        "Docker",
        "C++",
        "Apache Kafka",
        "gRPC",
    ] {
        assert!(
            k.skills.contains(&s.to_string()),
            "{s} missing from {:?}",
            k.skills
        );
    }
    // "go-to-market" and "R&D" are prose, not skills.
    assert!(!k.skills.contains(&"R".to_string()));
    assert_eq!(
        k.skills.iter().filter(|s| *s == "Go").count(),
        1,
        "deduplicated"
    );
    assert_eq!(k.phrases[0], "5+ years of backend development experience");
    assert!(k
        .phrases
        .contains(&"Hands-on knowledge of Docker and k8s".to_string()));
    assert!(k
        .phrases
        .contains(&"Experience with gRPC and Protocol Buffers".to_string()));
    assert!(
        !k.phrases.iter().any(|p| p.contains("learning budget")),
        "benefits are not requirements: {:?}",
        k.phrases
    );
    assert_eq!(k.seniority.as_deref(), Some("senior"));
    assert_eq!(k.years, Some(5));
}

#[test]
fn data_keywords() {
    let k = extract_keywords(&data());
    for s in [
        "Apache Spark",
        "Apache Airflow",
        "Snowflake",
        "dbt",
        "SQL",
        "Python",
        "Apache Kafka",
        "Amazon Kinesis",
        "Machine Learning",
        "pandas",
        "PySpark",
        "Databricks",
    ] {
        assert!(
            k.skills.contains(&s.to_string()),
            "{s} missing from {:?}",
            k.skills
        );
    }
    assert_eq!(
        k.phrases[..2],
        [
            "3+ years of experience in data engineering",
            "Excellent SQL and Python skills"
        ]
    );
    assert!(k
        .phrases
        .contains(&"Experience with pandas, PySpark or Databricks".to_string()));
    assert!(!k.phrases.iter().any(|p| p.contains("Vacation")));
    assert_eq!(k.seniority.as_deref(), Some("mid"), "from the title");
    assert_eq!(k.years, Some(3));
}

#[test]
fn frontend_keywords_put_listed_skills_first() {
    let k = extract_keywords(&frontend());
    assert_eq!(
        k.skills[..8],
        [
            "Web development",
            "HTML",
            "CSS",
            "JavaScript",
            "React",
            "Redux",
            "Next.js",
            "Storytelling with data"
        ]
    );
    for s in [
        "TypeScript",
        "Jest",
        "Cypress",
        "Figma",
        "WCAG",
        "REST",
        "GraphQL",
    ] {
        assert!(
            k.skills.contains(&s.to_string()),
            "{s} missing from {:?}",
            k.skills
        );
    }
    assert!(k
        .phrases
        .contains(&"Knowledge of web accessibility (WCAG)".to_string()));
    assert_eq!(k.seniority.as_deref(), Some("junior"));
    assert_eq!(k.years, Some(1));
}

#[test]
fn extraction_is_deterministic() {
    for p in [backend(), data(), frontend()] {
        let a = extract_keywords(&p);
        let b = extract_keywords(&p.clone());
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }
}

#[test]
fn counts_order_vocabulary_hits() {
    let p = JobPosting {
        text: "We use Rust. Also Python. Rust again, and Python, and Rust.".into(),
        ..JobPosting::default()
    };
    assert_eq!(extract_keywords(&p).skills, ["Rust", "Python"]);
    let p = JobPosting {
        text: "Python first, then Rust.".into(),
        ..JobPosting::default()
    };
    assert_eq!(
        extract_keywords(&p).skills,
        ["Python", "Rust"],
        "ties by first mention"
    );
}

#[test]
fn phrases_are_capped() {
    let mut text = String::from("Requirements\n");
    for i in 0..30 {
        text.push_str(&format!(
            "- Requirement number {i} about distributed systems\n"
        ));
    }
    text.push_str(&format!("- {}\n", "very long requirement ".repeat(20)));
    let p = JobPosting {
        text,
        ..JobPosting::default()
    };
    let k = extract_keywords(&p);
    assert_eq!(k.phrases.len(), 15);
    assert!(k.phrases.iter().all(|p| p.chars().count() <= 120));

    let p = JobPosting {
        text: format!(
            "You have {} and Rust.",
            "experience with many many things ".repeat(10)
        ),
        ..JobPosting::default()
    };
    let k = extract_keywords(&p);
    assert_eq!(k.phrases.len(), 1);
    assert!(k.phrases[0].chars().count() <= 120);
    assert!(k.phrases[0].ends_with('…'));
}

#[test]
fn seniority_from_years_when_the_title_is_silent() {
    let p = JobPosting {
        title: Some("Backend Engineer".into()),
        text: "You have 8+ years of experience with Java.".into(),
        ..JobPosting::default()
    };
    let k = extract_keywords(&p);
    assert_eq!(k.seniority.as_deref(), Some("staff"));
    assert_eq!(k.years, Some(8));
    let p = JobPosting {
        title: Some("Backend Engineer".into()),
        text: "We ship Java.".into(),
        ..JobPosting::default()
    };
    let k = extract_keywords(&p);
    assert_eq!(k.seniority, None);
    assert_eq!(k.years, None);
    assert_eq!(k.skills, ["Java"]);
}
