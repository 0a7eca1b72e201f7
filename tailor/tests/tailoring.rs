//! Tailoring and the faithfulness checks: fixtures, targeted cases, and
//! property-style checks over generated resumes and jobs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use vitae_common::resume::{Basics, Certificate, Project, Skill, Work};
use vitae_common::Resume;
use vitae_tailor::{
    check_faithful, check_text_faithful, check_text_faithful_allowing, extract_keywords,
    keyword_match, parse_job, tailor, vocabulary, JobFormat, JobKeywords,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn resume(name: &str) -> Resume {
    let value: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
    Resume::from_value(value).unwrap()
}

fn resumes() -> Vec<(&'static str, Resume)> {
    [
        "resume_backend.json",
        "resume_data.json",
        "resume_minimal.json",
        "resume_designer.json",
    ]
    .into_iter()
    .map(|n| (n, resume(n)))
    .chain([("empty", Resume::default())])
    .collect()
}

fn jobs() -> Vec<(&'static str, JobKeywords)> {
    let mut out: Vec<(&'static str, JobKeywords)> = [
        ("backend", "backend_engineer.txt", JobFormat::Text),
        ("data", "data_engineer.md", JobFormat::Markdown),
        (
            "frontend",
            "frontend_developer.json",
            JobFormat::JsonResumeJob,
        ),
    ]
    .into_iter()
    .map(|(label, file, format)| {
        (
            label,
            extract_keywords(&parse_job(&fixture(file), format).unwrap()),
        )
    })
    .collect();
    out.push(("none", JobKeywords::default()));
    out.push(("literal", job(&["Carpentry", "Widgetry", "Go"])));
    out
}

fn job(skills: &[&str]) -> JobKeywords {
    JobKeywords {
        skills: skills.iter().map(|s| s.to_string()).collect(),
        ..JobKeywords::default()
    }
}

fn json(r: &Resume) -> String {
    serde_json::to_string(r).unwrap()
}

// ------------------------------------------------------ fixture invariants

#[test]
fn invariants_hold_for_every_fixture_pair() {
    for (rname, source) in resumes() {
        for (jname, keywords) in jobs() {
            let ctx = format!("{rname} × {jname}");
            let t = tailor(&source, &keywords);
            assert_eq!(
                serde_json::to_string(&source.basics).unwrap(),
                serde_json::to_string(&t.document.basics).unwrap(),
                "{ctx}: basics must be byte-for-byte unchanged"
            );
            for section in [
                "education",
                "awards",
                "certificates",
                "publications",
                "languages",
                "interests",
                "references",
                "meta",
                "volunteer",
            ] {
                let a = serde_json::to_value(&source).unwrap();
                let b = serde_json::to_value(&t.document).unwrap();
                if section == "volunteer" {
                    // Only highlight order may change.
                    assert_eq!(
                        a.get(section).map(|v| v.as_array().map(|x| x.len())),
                        b.get(section).map(|v| v.as_array().map(|x| x.len())),
                        "{ctx}"
                    );
                } else {
                    assert_eq!(a.get(section), b.get(section), "{ctx}: {section}");
                }
            }
            assert_eq!(
                check_faithful(&source, &t.document),
                Vec::<String>::new(),
                "{ctx}"
            );
            let m = &t.keyword_match;
            assert!(m.score_after >= m.score_before, "{ctx}: {m:?}");
            assert!((0.0..=100.0).contains(&m.score_before), "{ctx}");
            assert!((0.0..=100.0).contains(&m.score_after), "{ctx}");
            let again = tailor(&source, &keywords);
            assert_eq!(
                json(&again.document),
                json(&t.document),
                "{ctx}: deterministic"
            );
            assert_eq!(again.keyword_match, t.keyword_match, "{ctx}");
            assert_eq!(again.warnings, t.warnings, "{ctx}");
            // Work entries keep their chronological order.
            let names = |r: &Resume| r.work.iter().map(|w| w.name.clone()).collect::<Vec<_>>();
            assert_eq!(names(&source), names(&t.document), "{ctx}");
            // Coverage never changes with order.
            let before = keyword_match(&source, &keywords);
            assert_eq!(before.matched, m.matched, "{ctx}");
            assert_eq!(before.missing, m.missing, "{ctx}");
            assert_eq!(before.score_before, m.score_before, "{ctx}");
        }
    }
}

// --------------------------------------------------------- reordering

#[test]
fn matching_skills_and_highlights_come_first() {
    let source = resume("resume_backend.json");
    let keywords =
        extract_keywords(&parse_job(&fixture("backend_engineer.txt"), JobFormat::Text).unwrap());
    let t = tailor(&source, &keywords);
    let d = &t.document;
    let skill_names: Vec<_> = d
        .skills
        .iter()
        .map(|s| s.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        skill_names,
        [
            "Languages",
            "Infrastructure",
            "Databases",
            "Messaging",
            "Frontend"
        ]
    );
    assert_eq!(d.skills[0].keywords, ["Go", "PHP", "Python", "SQL"]);
    assert_eq!(d.skills[1].keywords, ["k8s", "AWS", "Terraform", "Docker"]);
    assert_eq!(d.skills[2].keywords, ["Postgres", "Redis", "MySQL"]);
    assert_eq!(
        d.work[0].highlights[0],
        "Rewrote the settlement service in Go, running on Kubernetes"
    );
    assert_eq!(
        d.work[0].highlights[1],
        "Introduced Terraform for all AWS infrastructure"
    );
    // Ties keep their original order.
    assert_eq!(
        d.work[0].highlights[2..],
        [
            "Mentored four engineers through their first on-call rotations",
            "Cut invoice generation time from 40 minutes to 3 by batching SQL writes"
        ]
    );
    assert_eq!(d.projects[0].name.as_deref(), Some("ledgerlite"));
    assert_eq!(d.projects[1].name.as_deref(), Some("kube-janitor-lite"));
    assert!(t.keyword_match.score_after > t.keyword_match.score_before);
    assert_eq!(
        t.keyword_match.matched,
        [
            "Go",
            "Kubernetes",
            "PostgreSQL",
            "AWS",
            "Terraform",
            "Helm",
            "Redis",
            "Docker",
            "RabbitMQ"
        ]
    );
}

#[test]
fn simple_reorder_and_stable_ties() {
    let source = Resume {
        skills: ["Cooking", "Rust", "Baking", "Python", "Knitting"]
            .iter()
            .map(|n| Skill {
                name: Some(n.to_string()),
                ..Skill::default()
            })
            .collect(),
        work: vec![Work {
            name: Some("Acme".into()),
            highlights: vec![
                "Baked bread".into(),
                "Wrote Python scripts".into(),
                "Cleaned up".into(),
                "Shipped a Rust service and a Python client".into(),
            ],
            ..Work::default()
        }],
        ..Resume::default()
    };
    let t = tailor(&source, &job(&["Python", "Rust"]));
    let names: Vec<_> = t
        .document
        .skills
        .iter()
        .map(|s| s.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["Python", "Rust", "Cooking", "Baking", "Knitting"]);
    assert_eq!(
        t.document.work[0].highlights,
        [
            "Shipped a Rust service and a Python client",
            "Wrote Python scripts",
            "Baked bread",
            "Cleaned up"
        ]
    );
    // Both skills were already in the top five and a highlight already led
    // with Python, so prominence (and the score) could not improve.
    assert_eq!(t.keyword_match.score_after, t.keyword_match.score_before);
}

#[test]
fn skills_far_down_the_list_move_up_and_raise_the_score() {
    let mut skills: Vec<Skill> = (0..9)
        .map(|i| Skill {
            name: Some(format!("Hobby {i}")),
            ..Skill::default()
        })
        .collect();
    skills.push(Skill {
        name: Some("Kubernetes".into()),
        ..Skill::default()
    });
    let source = Resume {
        skills,
        ..Resume::default()
    };
    let t = tailor(&source, &job(&["k8s"]));
    assert_eq!(t.document.skills[0].name.as_deref(), Some("Kubernetes"));
    assert_eq!(t.keyword_match.score_before, 50.0);
    assert_eq!(t.keyword_match.score_after, 100.0);
    assert_eq!(t.keyword_match.matched, ["k8s"]);
}

#[test]
fn an_order_that_would_lower_the_score_is_not_applied_and_is_reported() {
    // Relevance puts "Rust and Python" first, but both are already at the
    // top of the skills, while the first highlight holds the only mention
    // of Go: moving it down would lower the score.
    let source = Resume {
        skills: vec![Skill {
            name: Some("Languages".into()),
            keywords: vec!["Rust".into(), "Python".into()],
            ..Skill::default()
        }],
        work: vec![Work {
            name: Some("Acme".into()),
            highlights: vec![
                "Ported the CLI to Go".into(),
                "Glued Rust and Python".into(),
            ],
            ..Work::default()
        }],
        ..Resume::default()
    };
    let t = tailor(&source, &job(&["Rust", "Python", "Go"]));
    assert_eq!(t.document.work[0].highlights, source.work[0].highlights);
    assert!(
        t.warnings.contains(
            &"kept the original order of the highlights of work[0] (\"Acme\"): reordering would have lowered the match score"
                .to_string()
        ),
        "{:?}",
        t.warnings
    );
    assert_eq!(t.keyword_match.score_after, t.keyword_match.score_before);
}

// ------------------------------------------------------------- warnings

#[test]
fn project_selection_is_reported() {
    let source = resume("resume_backend.json");
    let keywords =
        extract_keywords(&parse_job(&fixture("backend_engineer.txt"), JobFormat::Text).unwrap());
    let t = tailor(&source, &keywords);
    assert_eq!(t.document.projects.len(), 4);
    let left_out: Vec<_> = t
        .warnings
        .iter()
        .filter(|w| w.starts_with("left out"))
        .collect();
    assert_eq!(
        left_out,
        [
            "left out project \"Garden sensors\": it mentions none of the job's keywords",
            "left out project \"Board game night\": it mentions none of the job's keywords"
        ]
    );
    // Irrelevant projects within the first four are kept.
    let kept: Vec<_> = t
        .document
        .projects
        .iter()
        .map(|p| p.name.clone().unwrap())
        .collect();
    assert_eq!(
        kept,
        [
            "ledgerlite",
            "kube-janitor-lite",
            "Recipe box",
            "Photo backup"
        ]
    );

    // Four or fewer projects: nothing is left out.
    let mut small = source.clone();
    small.projects.truncate(4);
    let t = tailor(&small, &keywords);
    assert_eq!(t.document.projects.len(), 4);
    assert!(!t.warnings.iter().any(|w| w.starts_with("left out")));
}

#[test]
fn untitled_projects_are_named_by_position() {
    let projects = (0..6)
        .map(|i| Project {
            description: Some(if i == 0 {
                "Rust CLI".into()
            } else {
                format!("Thing {i}")
            }),
            ..Project::default()
        })
        .collect();
    let source = Resume {
        projects,
        ..Resume::default()
    };
    let t = tailor(&source, &job(&["Rust"]));
    assert_eq!(t.document.projects.len(), 4);
    assert_eq!(
        t.warnings[..2],
        [
            "left out the untitled project at position 5: it mentions none of the job's keywords",
            "left out the untitled project at position 6: it mentions none of the job's keywords"
        ]
    );
}

#[test]
fn missing_keywords_and_no_op_are_reported() {
    let source = Resume {
        skills: vec![Skill {
            name: Some("Rust".into()),
            ..Skill::default()
        }],
        ..Resume::default()
    };
    let t = tailor(&source, &job(&["Rust", "Kubernetes", "Terraform"]));
    assert_eq!(t.document, source);
    assert_eq!(
        t.warnings,
        [
            "the job asks for Kubernetes, Terraform that the resume does not mention; add them yourself if you have them",
            "nothing was reordered: the resume's order already suits this job as well as it can"
        ]
    );
    assert_eq!(t.keyword_match.missing, ["Kubernetes", "Terraform"]);

    let t = tailor(&source, &JobKeywords::default());
    assert_eq!(t.document, source);
    assert_eq!(t.warnings.len(), 1);
    assert!(t.warnings[0].contains("no skills"), "{:?}", t.warnings);
}

// ------------------------------------------------------- check_faithful

fn base() -> Resume {
    resume("resume_backend.json")
}

fn assert_caught(candidate: &Resume, needle: &str) {
    let v = check_faithful(&base(), candidate);
    assert!(
        v.iter().any(|m| m.contains(needle)),
        "expected a violation containing {needle:?}, got {v:?}"
    );
}

#[test]
fn faithful_when_only_reordered() {
    let mut c = base();
    c.skills.reverse();
    c.work[0].highlights.reverse();
    c.projects.swap(0, 5);
    c.projects.pop();
    assert_eq!(check_faithful(&base(), &c), Vec::<String>::new());
    assert_eq!(check_faithful(&base(), &base()), Vec::<String>::new());
}

#[test]
fn catches_a_new_skill() {
    let mut c = base();
    c.skills.push(Skill {
        name: Some("Kubernetes Wizardry".into()),
        ..Skill::default()
    });
    assert_caught(
        &c,
        "skills[5].name: skill \"Kubernetes Wizardry\" is not in the source resume",
    );
    let mut c = base();
    c.skills[0].keywords.push("Rust".into());
    assert_caught(
        &c,
        "skills[0].keywords[4]: skill keyword \"Rust\" is not in the source resume",
    );
    let mut c = base();
    c.skills[1].level = Some("Expert".into());
    assert_caught(&c, "skills[1].level");
}

#[test]
fn catches_a_new_employer() {
    let mut c = base();
    c.work.insert(
        0,
        Work {
            name: Some("Globex".into()),
            position: Some("Staff Engineer".into()),
            start_date: Some("2023-01".into()),
            ..Work::default()
        },
    );
    assert_caught(
        &c,
        "work[0].name: employer \"Globex\" does not appear in the source resume",
    );
    let mut c = base();
    c.work[1].position = Some("CTO".into());
    assert_caught(
        &c,
        "work[1].position: \"CTO\" is not a position held at \"Widget Co\"",
    );
}

#[test]
fn catches_a_changed_date() {
    let mut c = base();
    c.work[1].start_date = Some("2014-09".into());
    assert_caught(
        &c,
        "work[1].startDate: \"2014-09\" differs from the source (\"2016-09\")",
    );
    let mut c = base();
    c.work[0].end_date = Some("2024-01".into());
    assert_caught(
        &c,
        "work[0].endDate: \"2024-01\" differs from the source (none)",
    );
    let mut c = base();
    c.education[0].end_date = Some("2017".into());
    assert_caught(
        &c,
        "education[0].endDate: changed from \"2016\" to \"2017\"",
    );
}

#[test]
fn catches_changed_personal_details() {
    let mut c = base();
    c.basics.as_mut().unwrap().email = Some("someone@else.example".into());
    assert_caught(
        &c,
        "basics.email: changed from \"zoe@example.org\" to \"someone@else.example\"",
    );
    let mut c = base();
    c.basics.as_mut().unwrap().extra.remove("x-pronouns");
    assert_caught(&c, "basics.x-pronouns: \"she/her\" was removed");
    let mut c = base();
    c.basics = Some(Basics::default());
    assert!(check_faithful(&base(), &c).len() > 5);
}

#[test]
fn catches_invented_moved_and_duplicated_content() {
    let mut c = base();
    c.work[0].highlights.push("Led a team of 40".into());
    assert_caught(
        &c,
        "work[0].highlights[4]: highlight \"Led a team of 40\" is not in the source resume",
    );

    // A true highlight claimed at the wrong employer.
    let mut c = base();
    let moved = c.work[1].highlights.remove(0);
    c.work[0].highlights.push(moved);
    assert_caught(
        &c,
        "work[0].highlights[4]: highlight \"Maintained a PHP monolith",
    );

    let mut c = base();
    c.work.push(c.work[0].clone());
    assert_caught(&c, "work[2]: duplicates work[0]");

    let mut c = base();
    let first = c.work[0].highlights[0].clone();
    c.work[0].highlights.push(first);
    assert_caught(&c, "work[0].highlights[4]: \"Mentored four engineers");

    let mut c = base();
    c.projects.push(c.projects[2].clone());
    assert_caught(&c, "projects[6]: duplicates projects[2]");

    let mut c = base();
    c.projects.push(Project {
        name: Some("Mars lander".into()),
        ..Project::default()
    });
    assert_caught(
        &c,
        "projects[6].name: project \"Mars lander\" is not in the source resume",
    );

    let mut c = base();
    c.certificates.push(Certificate {
        name: Some("AWS Solutions Architect".into()),
        ..Certificate::default()
    });
    assert_caught(
        &c,
        "certificates[1]: \"AWS Solutions Architect\" is not in the source resume",
    );

    let mut c = base();
    c.education[0].institution = Some("MIT".into());
    assert_caught(
        &c,
        "education[0].institution: \"MIT\" does not appear in the source resume",
    );

    let mut c = base();
    c.work[1].summary = Some("Built the order pipeline in Kubernetes since 2012.".into());
    assert_caught(&c, "work[1].summary: mentions the year 2012");
}

// --------------------------------------------------- check_text_faithful

#[test]
fn text_check_catches_invented_skill_year_and_employer() {
    let source = resume("resume_data.json");
    let v = check_text_faithful(
        &source,
        "Since 2015 I have run Kubernetes clusters at Globex and written Python daily.",
    );
    assert!(
        v.contains(
            &"names the skill \"Kubernetes\", which the resume does not mention".to_string()
        ),
        "{v:?}"
    );
    assert!(
        v.contains(&"mentions the year 2015, which appears nowhere in the resume".to_string()),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.starts_with("mentions \"Globex\" (\"at Globex\")")),
        "{v:?}"
    );
    assert_eq!(v.len(), 3, "{v:?}");
}

#[test]
fn text_check_accepts_what_the_resume_says() {
    let source = resume("resume_data.json");
    for text in [
        "At Northwind Logistics since 2021 I automated reporting with Python and pandas.",
        "I loaded shipment data into BigQuery with an Airflow DAG for the Northwind team.",
        "Statistics graduate (University of Ghana, 2019) who writes SQL every day.",
        "I work at scale, for example on weekly dashboards in Tableau, every Monday.",
        "",
    ] {
        assert_eq!(
            check_text_faithful(&source, text),
            Vec::<String>::new(),
            "{text}"
        );
    }
    // Aliases count as the same skill.
    let mut with_alias = source.clone();
    with_alias.skills[0].keywords.push("k8s".into());
    assert!(check_text_faithful(&with_alias, "Ran Kubernetes.").is_empty());
    // A cover letter may name the company it is written to.
    let letter =
        "I would love to bring my SQL skills to Initech in 2025, working for Initech Labs.";
    assert_eq!(check_text_faithful(&source, letter).len(), 2);
    assert!(check_text_faithful_allowing(&source, letter, &["Initech", "2025"]).is_empty());
}

// ---------------------------------------------- property-style checks

/// A small deterministic generator, so failures reproduce exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TERMS: &[&str] = &[
    "Rust",
    "Go",
    "Python",
    "k8s",
    "Kubernetes",
    "Postgres",
    "AWS",
    "Terraform",
    "React",
    "TypeScript",
    "JS",
    "Docker",
    "CI/CD",
    "GraphQL",
    "Kafka",
    "C++",
    "Figma",
    "SQL",
    "Redis",
    "Widgetry",
    "Basket weaving",
    "Leadership",
    "C#",
    ".NET",
    "Node.js",
    "pandas",
];
const FILLER: &[&str] = &[
    "Shipped",
    "a service",
    "for",
    "customers",
    "with",
    "and",
    "the team",
    "in production",
    "reducing cost",
    "by 30%",
    "using",
    "on-call",
    "migrations",
    "dashboards",
];

fn sentence(rng: &mut Rng) -> String {
    let n = 2 + rng.below(6);
    (0..n)
        .map(|_| {
            if rng.below(3) == 0 {
                rng.pick(TERMS)
            } else {
                rng.pick(FILLER)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn random_resume(rng: &mut Rng) -> Resume {
    let mut r = base();
    r.skills = (0..rng.below(10))
        .map(|i| Skill {
            name: Some(if rng.below(2) == 0 {
                rng.pick(TERMS).to_string()
            } else {
                format!("Group {i}")
            }),
            keywords: (0..rng.below(8))
                .map(|_| rng.pick(TERMS).to_string())
                .collect(),
            ..Skill::default()
        })
        .collect();
    r.work = (0..rng.below(4))
        .map(|i| Work {
            name: Some(format!("Employer {i}")),
            start_date: Some(format!("{}", 2010 + i)),
            summary: (rng.below(2) == 0).then(|| sentence(rng)),
            highlights: (0..rng.below(7)).map(|_| sentence(rng)).collect(),
            ..Work::default()
        })
        .collect();
    r.projects = (0..rng.below(9))
        .map(|i| Project {
            name: Some(format!("Project {i}")),
            description: (rng.below(2) == 0).then(|| sentence(rng)),
            highlights: (0..rng.below(4)).map(|_| sentence(rng)).collect(),
            keywords: (0..rng.below(3))
                .map(|_| rng.pick(TERMS).to_string())
                .collect(),
            ..Project::default()
        })
        .collect();
    if let Some(v) = r.volunteer.first_mut() {
        v.highlights = (0..rng.below(5)).map(|_| sentence(rng)).collect();
    }
    r
}

fn random_job(rng: &mut Rng) -> JobKeywords {
    let n = rng.below(12);
    JobKeywords {
        skills: (0..n)
            .map(|_| {
                let t = rng.pick(TERMS);
                vocabulary::canonical(t).unwrap_or(t).to_string()
            })
            .collect(),
        phrases: (0..rng.below(4)).map(|_| sentence(rng)).collect(),
        ..JobKeywords::default()
    }
}

#[test]
fn generated_resumes_keep_every_invariant() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..300 {
        let source = random_resume(&mut rng);
        let keywords = random_job(&mut rng);
        let t = tailor(&source, &keywords);
        let ctx = format!("case {case}: job {:?}", keywords.skills);
        assert_eq!(
            check_faithful(&source, &t.document),
            Vec::<String>::new(),
            "{ctx}"
        );
        assert_eq!(
            serde_json::to_string(&source.basics).unwrap(),
            serde_json::to_string(&t.document.basics).unwrap(),
            "{ctx}"
        );
        let m = &t.keyword_match;
        assert!(m.score_after >= m.score_before, "{ctx}: {m:?}");
        assert_eq!(tailor(&source, &keywords), t, "{ctx}: deterministic");
        let kept = t.document.projects.len();
        let dropped = t
            .warnings
            .iter()
            .filter(|w| w.starts_with("left out"))
            .count();
        assert_eq!(
            kept + dropped,
            source.projects.len(),
            "{ctx}: every drop is reported"
        );
        assert!(kept >= source.projects.len().min(4), "{ctx}");
        assert!(
            !t.warnings.iter().any(|w| w.contains("abandoned")),
            "{ctx}: {:?}",
            t.warnings
        );
        // A faithful tailoring of a faithful tailoring is still faithful.
        let twice = tailor(&t.document, &keywords);
        assert_eq!(
            check_faithful(&source, &twice.document),
            Vec::<String>::new(),
            "{ctx}"
        );
    }
}
