//! Reading a job description: plain text, Markdown, or a JSON Resume job.
//!
//! Whatever the format, the result is a [`JobPosting`] whose `text` is plain
//! prose with one heading, paragraph line or bullet (`- item`) per line, so
//! keyword extraction works the same on all three, and a person reading the
//! stored job sees text without markup.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Deserializer, Serialize};

use crate::lines::{bullet_content, is_section_name};

/// How the body of a job description is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobFormat {
    /// Plain text, as pasted from a job board.
    Text,
    /// Markdown (CommonMark with tables).
    Markdown,
    /// A JSON Resume job object (<https://jsonresume.org/job-schema>).
    JsonResumeJob,
}

impl JobFormat {
    /// The format a request's `Content-Type` names, if it is one we read:
    /// `text/plain`, `text/markdown` (or `text/x-markdown`), and JSON
    /// (`application/json` or any `+json` type).
    pub fn from_content_type(content_type: &str) -> Option<JobFormat> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "text/plain" => Some(JobFormat::Text),
            "text/markdown" | "text/x-markdown" => Some(JobFormat::Markdown),
            "application/json" => Some(JobFormat::JsonResumeJob),
            other if other.starts_with("application/") && other.ends_with("+json") => {
                Some(JobFormat::JsonResumeJob)
            }
            _ => None,
        }
    }
}

/// A job description, read but not yet analysed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPosting {
    /// The job title, when the description states one.
    pub title: Option<String>,
    /// The hiring company, when the description states it unambiguously.
    pub company: Option<String>,
    /// All the prose, without markup, for display and keyword extraction.
    pub text: String,
    /// Skills the posting lists explicitly (JSON Resume jobs: `skills[].name`
    /// and `skills[].keywords`), as written.
    pub listed_skills: Vec<String>,
}

/// Why a job description could not be read. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("the job description is not UTF-8 text (the first invalid byte is at offset {offset}); save or send it as UTF-8")]
    NotUtf8 { offset: usize },
    #[error("the job description is empty; send the text of the job posting")]
    Empty,
    #[error("the job has no title, description, responsibilities, qualifications or skills; fill in at least the description")]
    NoContent,
    #[error("the job is not valid JSON (line {line}, column {column}: {message}); send a JSON Resume job object, or send the description as text/plain")]
    InvalidJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("a JSON Resume job must be a JSON object, found {found}")]
    NotAnObject { found: &'static str },
    #[error("`{path}` has the wrong type ({problem}); see the JSON Resume job schema at https://jsonresume.org/job-schema")]
    WrongType { path: String, problem: String },
}

/// Read a job description.
pub fn parse_job(body: &[u8], format: JobFormat) -> Result<JobPosting, JobError> {
    let text = std::str::from_utf8(body).map_err(|e| JobError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(JobError::Empty);
    }
    match format {
        JobFormat::Text => from_lines(plain_lines(text)),
        JobFormat::Markdown => from_lines(markdown_lines(text)),
        JobFormat::JsonResumeJob => from_json(text),
    }
}

/// One line of a description, knowing whether it was a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    heading: bool,
    /// A blank line goes before it in the output text.
    gap_before: bool,
}

fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if line.gap_before {
                out.push('\n');
            }
        }
        out.push_str(&line.text);
    }
    out
}

fn from_lines(lines: Vec<Line>) -> Result<JobPosting, JobError> {
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(JobError::Empty);
    }
    let (title, title_company) = find_title(&lines);
    let company = labelled(&lines, COMPANY_LABELS)
        .or(title_company)
        .or_else(|| about_heading_company(&lines));
    Ok(JobPosting {
        title,
        company,
        text: render(&lines),
        listed_skills: Vec::new(),
    })
}

/// Plain text: normalise line ends and spacing, recognise setext-style
/// underlined headings, and drop the underlines.
fn plain_lines(text: &str) -> Vec<Line> {
    let raw: Vec<String> = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(clean_line)
        .collect();
    let mut lines: Vec<Line> = Vec::new();
    let mut gap = false;
    for (i, line) in raw.iter().enumerate() {
        if line.trim().is_empty() {
            gap = !lines.is_empty();
            continue;
        }
        if is_underline(line) {
            if let Some(last) = lines.last_mut() {
                last.heading = true;
            }
            continue;
        }
        let underlined = raw.get(i + 1).is_some_and(|next| is_underline(next));
        let upper = line.chars().any(|c| c.is_alphabetic())
            && !line.chars().any(|c| c.is_lowercase())
            && line.chars().count() <= 60;
        lines.push(Line {
            text: line.trim_end().to_string(),
            heading: underlined || (upper && bullet_content(line).is_none()),
            gap_before: gap,
        });
        gap = false;
    }
    lines
}

fn clean_line(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect::<String>()
        .trim_end()
        .to_string()
}

fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
}

/// Markdown: headings keep their flag, list items become `- item` lines,
/// links and emphasis keep only their text, HTML is dropped.
fn markdown_lines(text: &str) -> Vec<Line> {
    let mut b = MdBuilder::default();
    let parser = Parser::new_ext(
        text,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    );
    for event in parser {
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { .. } => {
                    b.flush();
                    b.gap = true;
                    b.heading = true;
                }
                Tag::Paragraph => {
                    b.flush();
                    if b.item_depth == 0 {
                        b.gap = true;
                    }
                }
                Tag::Item => {
                    b.flush();
                    b.item_depth += 1;
                    b.bullet = true;
                }
                Tag::List(_) => {
                    b.flush();
                    if b.item_depth == 0 {
                        b.gap = true;
                    }
                }
                Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::Table(_) => {
                    b.flush();
                    b.gap = true;
                }
                Tag::TableRow | Tag::TableHead => b.flush(),
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::TableRow | TagEnd::TableHead => {
                    b.flush()
                }
                TagEnd::CodeBlock | TagEnd::BlockQuote(_) => b.flush(),
                TagEnd::Item => {
                    b.flush();
                    b.item_depth = b.item_depth.saturating_sub(1);
                }
                TagEnd::TableCell => b.buf.push_str(" | "),
                _ => {}
            },
            Event::Text(t) | Event::Code(t) => b.buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {
                if b.item_depth > 0 {
                    // A wrapped list item is still one item.
                    b.buf.push(' ');
                } else {
                    let heading = b.heading;
                    b.flush();
                    b.heading = heading;
                }
            }
            Event::Rule => {
                b.flush();
                b.gap = true;
            }
            Event::Html(h) | Event::InlineHtml(h) if h.trim_start().starts_with("<br") => b.flush(),
            _ => {}
        }
    }
    b.flush();
    b.lines
}

#[derive(Default)]
struct MdBuilder {
    lines: Vec<Line>,
    buf: String,
    heading: bool,
    bullet: bool,
    gap: bool,
    item_depth: usize,
}

impl MdBuilder {
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        for piece in raw.split('\n') {
            let text = clean_line(piece);
            let text = text.trim().trim_end_matches('|').trim();
            if text.is_empty() {
                continue;
            }
            let text = if self.bullet {
                format!("- {text}")
            } else {
                text.to_string()
            };
            self.lines.push(Line {
                text,
                heading: self.heading,
                gap_before: self.gap && !self.lines.is_empty(),
            });
            self.gap = false;
            self.bullet = false;
        }
        self.heading = false;
    }
}

const TITLE_LABELS: &[&str] = &["job title", "title", "position", "role", "job"];
const COMPANY_LABELS: &[&str] = &[
    "company",
    "company name",
    "employer",
    "organization",
    "organisation",
    "hiring company",
];
const OTHER_LABELS: &[&str] = &[
    "location",
    "salary",
    "compensation",
    "type",
    "employment type",
    "remote",
    "date",
    "posted",
    "department",
    "team",
    "reports to",
    "start date",
];

/// The value of the first `Label: value` line whose label is in `labels`.
fn labelled(lines: &[Line], labels: &[&str]) -> Option<String> {
    lines.iter().find_map(|l| {
        let text = bullet_content(&l.text).unwrap_or(&l.text);
        let (label, value) = split_label(text)?;
        labels
            .contains(&label.as_str())
            .then(|| short_value(value))
            .flatten()
    })
}

/// `("company", "Acme")` for `Company: Acme`.
fn split_label(text: &str) -> Option<(String, &str)> {
    let (label, value) = text.split_once(':')?;
    let label = label.trim().trim_matches('*').trim().to_lowercase();
    if label.is_empty() || label.split_whitespace().count() > 3 {
        return None;
    }
    Some((label, value))
}

fn short_value(value: &str) -> Option<String> {
    let v = value.trim().trim_matches('*').trim();
    (!v.is_empty() && v.chars().count() <= 120).then(|| v.to_string())
}

/// The title (and the company, when the title line says "... at X"): a
/// `Title:` line, else a heading among the first few lines, else the first
/// line, as long as it reads like a title rather than a section name.
fn find_title(lines: &[Line]) -> (Option<String>, Option<String>) {
    let line = labelled(lines, TITLE_LABELS).or_else(|| {
        let first: Vec<&Line> = lines
            .iter()
            .filter(|l| !l.text.trim().is_empty())
            .take(3)
            .collect();
        let candidate = |l: &Line| is_title_like(&l.text) && !is_section_name(&l.text);
        first
            .iter()
            .find(|l| l.heading && candidate(l))
            .or_else(|| first.first().filter(|l| candidate(l)))
            .map(|l| l.text.trim().trim_end_matches(':').trim().to_string())
    });
    match line {
        Some(title) => {
            let (title, company) = split_at_company(&title);
            (Some(title), company)
        }
        None => (None, None),
    }
}

fn is_title_like(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || bullet_content(t).is_some() || t.chars().count() > 100 {
        return false;
    }
    if t.split_whitespace().count() > 12 || t.ends_with('.') {
        return false;
    }
    if let Some((label, _)) = split_label(t) {
        if COMPANY_LABELS.contains(&label.as_str()) || OTHER_LABELS.contains(&label.as_str()) {
            return false;
        }
    }
    let lower = t.to_lowercase();
    !(lower.starts_with("about ") || lower == "about")
}

/// "Senior Engineer at Acme" → ("Senior Engineer", Some("Acme")).
fn split_at_company(title: &str) -> (String, Option<String>) {
    for sep in [" at ", " @ "] {
        if let Some(i) = title.rfind(sep) {
            let (head, rest) = (&title[..i], &title[i + sep.len()..]);
            let rest = rest.trim().trim_end_matches(['.', ':']).trim();
            let capitalised = rest.chars().next().is_some_and(|c| c.is_uppercase());
            if !head.trim().is_empty() && capitalised && rest.split_whitespace().count() <= 5 {
                return (head.trim().to_string(), Some(rest.to_string()));
            }
        }
    }
    (title.to_string(), None)
}

/// "About Acme" as a heading names the company; "About you" does not.
fn about_heading_company(lines: &[Line]) -> Option<String> {
    const NOT_COMPANIES: &[&str] = &[
        "us",
        "you",
        "the",
        "this",
        "our",
        "your",
        "me",
        "we",
        "role",
        "job",
        "team",
        "position",
        "company",
        "opportunity",
        "candidate",
        "work",
    ];
    lines.iter().find_map(|l| {
        let text = l.text.trim().trim_end_matches([':', '?', '!']).trim();
        let rest = text.strip_prefix("About ")?;
        if !(l.heading || text.split_whitespace().count() <= 5) {
            return None;
        }
        let first = rest.split_whitespace().next()?;
        let capitalised = first.chars().next().is_some_and(|c| c.is_uppercase());
        let generic = NOT_COMPANIES.contains(&first.to_lowercase().as_str());
        (capitalised && !generic && rest.split_whitespace().count() <= 5)
            .then(|| rest.trim().to_string())
    })
}

/// The fields of a JSON Resume job that carry text; the rest are ignored.
#[derive(Deserialize)]
struct JsonJob {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    experience: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    responsibilities: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    qualifications: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    skills: Vec<JsonSkill>,
}

#[derive(Deserialize)]
struct JsonSkill {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    keywords: Vec<String>,
    /// Other keys (`level`, …) are ignored. Collecting them also makes serde
    /// read a skill only from an object: a derived struct would otherwise
    /// accept an array too, by position (`["Rust", ["tokio"]]`).
    #[serde(flatten)]
    _other: std::collections::BTreeMap<String, serde::de::IgnoredAny>,
}

/// `null` where a list belongs means "none", as for every other field.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn from_json(text: &str) -> Result<JobPosting, JobError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| JobError::InvalidJson {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
    if !value.is_object() {
        return Err(JobError::NotAnObject {
            found: vitae_common::resume::json_type_name(&value),
        });
    }
    let job: JsonJob =
        serde_path_to_error::deserialize(value).map_err(|e| JobError::WrongType {
            path: e.path().to_string(),
            problem: e.inner().to_string(),
        })?;

    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let title = nonempty(job.title);
    let company = nonempty(job.company);
    let mut lines: Vec<Line> = Vec::new();
    let push_block = |lines: &mut Vec<Line>, heading: Option<&str>, body: Vec<String>| {
        if body.is_empty() {
            return;
        }
        let mut gap = !lines.is_empty();
        if let Some(h) = heading {
            lines.push(Line {
                text: h.to_string(),
                heading: true,
                gap_before: gap,
            });
            gap = false;
        }
        for (i, text) in body.into_iter().enumerate() {
            lines.push(Line {
                text,
                heading: false,
                gap_before: gap && i == 0,
            });
        }
    };
    if let Some(d) = nonempty(job.description) {
        let body = d
            .replace("\r\n", "\n")
            .split('\n')
            .map(clean_line)
            .filter(|l| !l.trim().is_empty())
            .collect();
        push_block(&mut lines, None, body);
    }
    let bullets = |items: Vec<String>| -> Vec<String> {
        items
            .iter()
            .map(|s| clean_line(&s.replace(['\n', '\r'], " ")))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(|s| format!("- {s}"))
            .collect()
    };
    push_block(
        &mut lines,
        Some("Responsibilities"),
        bullets(job.responsibilities),
    );
    push_block(
        &mut lines,
        Some("Qualifications"),
        bullets(job.qualifications),
    );
    if let Some(x) = nonempty(job.experience) {
        push_block(
            &mut lines,
            None,
            vec![format!("Experience: {}", clean_line(&x))],
        );
    }
    let mut listed_skills = Vec::new();
    for skill in job.skills {
        for s in skill.name.into_iter().chain(skill.keywords) {
            let s = s.trim();
            if !s.is_empty() {
                listed_skills.push(s.to_string());
            }
        }
    }
    if title.is_none() && lines.is_empty() && listed_skills.is_empty() {
        return Err(JobError::NoContent);
    }
    Ok(JobPosting {
        title,
        company,
        text: render(&lines),
        listed_skills,
    })
}

/// serde_json appends " at line L column C", which the error already says.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(
            JobFormat::from_content_type("text/plain; charset=utf-8"),
            Some(JobFormat::Text)
        );
        assert_eq!(
            JobFormat::from_content_type("Text/Markdown"),
            Some(JobFormat::Markdown)
        );
        assert_eq!(
            JobFormat::from_content_type("application/ld+json"),
            Some(JobFormat::JsonResumeJob)
        );
        assert_eq!(JobFormat::from_content_type("application/pdf"), None);
    }

    #[test]
    fn title_splits_company() {
        assert_eq!(
            split_at_company("Senior Backend Engineer at Globex Corporation"),
            (
                "Senior Backend Engineer".to_string(),
                Some("Globex Corporation".to_string())
            )
        );
        assert_eq!(
            split_at_company("Engineer at scale"),
            ("Engineer at scale".to_string(), None)
        );
    }

    #[test]
    fn a_skill_is_an_object_never_an_array() {
        // Found by schemathesis: `[[null, null]]` was read as a skill.
        for skills in [
            r#"[[null, null]]"#,
            r#"[["Rust", ["tokio"]]]"#,
            r#"["Rust"]"#,
        ] {
            let body = format!(r#"{{"title": "Engineer", "skills": {skills}}}"#);
            match parse_job(body.as_bytes(), JobFormat::JsonResumeJob) {
                Err(JobError::WrongType { path, .. }) => assert_eq!(path, "skills[0]", "{skills}"),
                other => panic!("{skills}: {other:?}"),
            }
        }
        let job = parse_job(
            br#"{"skills": [{"name": "Rust", "level": {"any": "thing"}, "keywords": ["tokio"]}, null]}"#,
            JobFormat::JsonResumeJob,
        );
        assert!(job.is_err(), "a null entry is not a skill either");
        let job = parse_job(
            br#"{"skills": [{"name": "Rust", "level": {"any": "thing"}, "keywords": ["tokio"]}]}"#,
            JobFormat::JsonResumeJob,
        )
        .unwrap();
        assert_eq!(job.listed_skills, ["Rust", "tokio"]);
    }
}
