//! The template view: a JSON Resume turned into what every template and the
//! DOCX writer show, computed once in Rust so that PDF and DOCX say the same
//! thing in the same words.
//!
//! The view decides the visible text (dates as `Jul 2024 – Present`, the
//! location line, section titles a resume parser recognises, "Bachelor of
//! Science in Physics"), the section order (template default, then the
//! caller's order and hidden sections) and which entries are short enough
//! to keep on one page. Templates only lay it out. The view reaches Typst
//! as the virtual file `resume.json`, so resume text is data, never markup.

use serde::Serialize;
use vitae_common::resume::{Basics, Location, Resume};

use crate::options::Options;

/// The whole document as the templates read it.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// PDF title metadata ("Jane Doe — Resume").
    pub title: String,
    /// PDF author metadata (the person's name).
    pub author: String,
    pub basics: HeaderView,
    pub sections: Vec<SectionView>,
}

/// The name block and contact details.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HeaderView {
    pub name: String,
    pub label: String,
    pub email: String,
    pub phone: String,
    pub url: String,
    /// `https://…` target for `url`, empty when it is not a web address.
    pub url_href: String,
    pub location: String,
    /// One piece per profile: `GitHub: jdoe` or the profile's URL.
    pub profiles: Vec<ProfileView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub text: String,
    pub href: String,
}

/// How a section's entries are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    /// A paragraph (the summary).
    Text,
    /// Dated entries with a heading line, text and bullet points.
    Entries,
    /// `Label: a, b, c` lines (skills, languages, interests).
    List,
    /// Quotations with the person quoted (references).
    Quotes,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// One of [`crate::options::SECTION_IDS`].
    pub id: &'static str,
    pub title: &'static str,
    pub kind: SectionKind,
    /// For `Text`: the paragraph.
    pub text: String,
    pub entries: Vec<EntryView>,
}

/// One entry of any section; fields a section does not use stay empty.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EntryView {
    /// The bold part of the heading (position, institution, title, label).
    pub title: String,
    /// The rest of the heading (company, degree, awarder, the list text).
    pub org: String,
    /// The date or date range as shown.
    pub dates: String,
    pub location: String,
    /// Extra one-line facts ("GPA: 3.8", "Courses: …", "Keywords: …").
    pub lines: Vec<String>,
    pub summary: String,
    pub items: Vec<String>,
    pub url: String,
    /// Web target for `url`; empty when it is not an http(s) address.
    pub href: String,
    /// Small enough that splitting it over two pages would look broken.
    pub short: bool,
}

/// The JSON Resume section ids with their titles, in the default order.
/// The titles are the plain ones job-application systems (and Vitae's own
/// parser) know, so an exported file reads back into the same sections.
const TITLES: [(&str, &str); 12] = [
    ("summary", "Summary"),
    ("work", "Work Experience"),
    ("volunteer", "Volunteer Experience"),
    ("education", "Education"),
    ("projects", "Projects"),
    ("awards", "Awards"),
    ("certificates", "Certificates"),
    ("publications", "Publications"),
    ("skills", "Skills"),
    ("languages", "Languages"),
    ("interests", "Interests"),
    ("references", "References"),
];

/// The section ids in render order: `first` (the caller's order), then the
/// template's, then the rest in the default order; unknown ids dropped.
fn ordered<'a>(first: &'a [String], template_order: &[&'a str]) -> Vec<&'a str> {
    let mut order: Vec<&str> = Vec::new();
    for id in first
        .iter()
        .map(String::as_str)
        .chain(template_order.iter().copied())
        .chain(TITLES.iter().map(|(id, _)| *id))
    {
        if !order.contains(&id) && TITLES.iter().any(|(t, _)| *t == id) {
            order.push(id);
        }
    }
    order
}

/// A template's section order, for the catalogue (`order` and `hide`
/// take these ids, and `profiles`).
pub fn section_order(template_order: &[&str]) -> Vec<String> {
    ordered(&[], template_order)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Build the view of `resume` with the section order of the template
/// (`template_order`, ids first in that order) adjusted by the options.
pub fn build(resume: &Resume, template_order: &[&str], options: &Options) -> View {
    let basics = resume.basics.clone().unwrap_or_default();
    let name = clean(basics.name.as_deref());
    let mut header = header(&basics);
    if options.hidden_sections.iter().any(|h| h == "profiles") {
        header.profiles.clear();
    }
    let sections = ordered(&options.section_order, template_order)
        .into_iter()
        .filter(|id| !options.hidden_sections.iter().any(|h| h == id))
        .filter_map(|id| section(resume, &basics, id))
        .collect();
    View {
        title: if name.is_empty() {
            "Resume".to_string()
        } else {
            format!("{name} — Resume")
        },
        author: name,
        basics: header,
        sections,
    }
}

fn header(b: &Basics) -> HeaderView {
    let url = clean(b.url.as_deref());
    HeaderView {
        name: clean(b.name.as_deref()),
        label: clean(b.label.as_deref()),
        email: clean(b.email.as_deref()),
        phone: clean(b.phone.as_deref()),
        url_href: href(&url),
        url,
        location: b.location.as_ref().map(location).unwrap_or_default(),
        profiles: b
            .profiles
            .iter()
            .filter_map(|p| {
                let network = clean(p.network.as_deref());
                let user = clean(p.username.as_deref());
                let url = clean(p.url.as_deref());
                // The address itself when there is one: it names the
                // network and the user at once, for readers and parsers.
                let text = match (network.is_empty(), user.is_empty(), url.is_empty()) {
                    (_, _, false) => strip_scheme(&url).to_string(),
                    (false, false, true) => format!("{network}: {user}"),
                    (true, false, true) => user.clone(),
                    _ => return None,
                };
                Some(ProfileView {
                    href: href(&url),
                    text,
                })
            })
            .collect(),
    }
}

/// "Street 1, 12345 Berlin, BE, DE": the parts a reader (and a parser)
/// expects, in the usual order, empty parts left out.
fn location(l: &Location) -> String {
    let city = match (clean(l.postal_code.as_deref()), clean(l.city.as_deref())) {
        (p, c) if p.is_empty() => c,
        (p, c) if c.is_empty() => p,
        (p, c) => format!("{p} {c}"),
    };
    [
        clean(l.address.as_deref()),
        city,
        clean(l.region.as_deref()),
        clean(l.country_code.as_deref()),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

fn section(resume: &Resume, basics: &Basics, id: &str) -> Option<SectionView> {
    let &(id, title) = TITLES.iter().find(|(t, _)| *t == id)?;
    let mut view = SectionView {
        id,
        title,
        kind: SectionKind::Entries,
        text: String::new(),
        entries: Vec::new(),
    };
    match id {
        "summary" => {
            view.kind = SectionKind::Text;
            view.text = clean(basics.summary.as_deref());
            return (!view.text.is_empty()).then_some(view);
        }
        "work" => work_entries(resume, &mut view),
        "volunteer" => volunteer_entries(resume, &mut view),
        "education" => education_entries(resume, &mut view),
        "projects" => projects_entries(resume, &mut view),
        "awards" => awards_entries(resume, &mut view),
        "certificates" => certificates_entries(resume, &mut view),
        "publications" => publications_entries(resume, &mut view),
        "skills" => skills_entries(resume, &mut view),
        "languages" => languages_entries(resume, &mut view),
        "interests" => interests_entries(resume, &mut view),
        "references" => references_entries(resume, &mut view),
        _ => return None,
    }
    view.entries.retain(|e| !is_empty(e));
    for e in &mut view.entries {
        let words = e.summary.split_whitespace().count()
            + e.items
                .iter()
                .map(|i| i.split_whitespace().count())
                .sum::<usize>();
        e.short = e.items.len() <= 4 && words <= 90;
    }
    (!view.entries.is_empty()).then_some(view)
}

fn work_entries(resume: &Resume, view: &mut SectionView) {
    for w in &resume.work {
        let mut e = entry(&w.position, &w.name, range(&w.start_date, &w.end_date));
        e.location = clean(w.location.as_deref());
        e.summary = join_text(&[&w.summary, &w.description]);
        e.items = items(&w.highlights);
        set_url(&mut e, &w.url);
        view.entries.push(e);
    }
}

fn volunteer_entries(resume: &Resume, view: &mut SectionView) {
    for v in &resume.volunteer {
        let mut e = entry(
            &v.position,
            &v.organization,
            range(&v.start_date, &v.end_date),
        );
        e.summary = clean(v.summary.as_deref());
        e.items = items(&v.highlights);
        set_url(&mut e, &v.url);
        view.entries.push(e);
    }
}

fn education_entries(resume: &Resume, view: &mut SectionView) {
    for ed in &resume.education {
        let degree = match (clean(ed.study_type.as_deref()), clean(ed.area.as_deref())) {
            (s, a) if s.is_empty() => a,
            (s, a) if a.is_empty() => s,
            (s, a) => format!("{s} in {a}"),
        };
        let mut e = EntryView {
            title: clean(ed.institution.as_deref()),
            org: degree,
            dates: range(&ed.start_date, &ed.end_date),
            ..EntryView::default()
        };
        let score = clean(ed.score.as_deref());
        if !score.is_empty() {
            e.lines.push(format!("GPA: {score}"));
        }
        let courses = items(&ed.courses);
        if !courses.is_empty() {
            e.lines.push(format!("Courses: {}", courses.join(", ")));
        }
        set_url(&mut e, &ed.url);
        view.entries.push(e);
    }
}

fn projects_entries(resume: &Resume, view: &mut SectionView) {
    for p in &resume.projects {
        let roles = items(&p.roles).join(", ");
        let org = [roles, clean(p.entity.as_deref())]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let mut e = EntryView {
            title: clean(p.name.as_deref()),
            org,
            dates: range_opt(&p.start_date, &p.end_date),
            summary: clean(p.description.as_deref()),
            items: items(&p.highlights),
            ..EntryView::default()
        };
        let keywords = items(&p.keywords);
        if !keywords.is_empty() {
            e.lines
                .push(format!("Technologies: {}", keywords.join(", ")));
        }
        set_url(&mut e, &p.url);
        view.entries.push(e);
    }
}

fn awards_entries(resume: &Resume, view: &mut SectionView) {
    for a in &resume.awards {
        let mut e = entry(&a.title, &a.awarder, single(&a.date));
        e.summary = clean(a.summary.as_deref());
        view.entries.push(e);
    }
}

fn certificates_entries(resume: &Resume, view: &mut SectionView) {
    for c in &resume.certificates {
        let mut e = entry(&c.name, &c.issuer, single(&c.date));
        set_url(&mut e, &c.url);
        view.entries.push(e);
    }
}

fn publications_entries(resume: &Resume, view: &mut SectionView) {
    for p in &resume.publications {
        let mut e = entry(&p.name, &p.publisher, single(&p.release_date));
        e.summary = clean(p.summary.as_deref());
        set_url(&mut e, &p.url);
        view.entries.push(e);
    }
}

fn skills_entries(resume: &Resume, view: &mut SectionView) {
    view.kind = SectionKind::List;
    for s in &resume.skills {
        let mut label = clean(s.name.as_deref());
        let level = clean(s.level.as_deref());
        if !level.is_empty() {
            label = if label.is_empty() {
                level
            } else {
                format!("{label} ({level})")
            };
        }
        list_entry(view, label, items(&s.keywords).join(", "));
    }
}

fn languages_entries(resume: &Resume, view: &mut SectionView) {
    view.kind = SectionKind::List;
    for l in &resume.languages {
        list_entry(
            view,
            clean(l.language.as_deref()),
            clean(l.fluency.as_deref()),
        );
    }
}

fn interests_entries(resume: &Resume, view: &mut SectionView) {
    view.kind = SectionKind::List;
    for i in &resume.interests {
        list_entry(
            view,
            clean(i.name.as_deref()),
            items(&i.keywords).join(", "),
        );
    }
}

fn references_entries(resume: &Resume, view: &mut SectionView) {
    view.kind = SectionKind::Quotes;
    for r in &resume.references {
        let e = EntryView {
            title: clean(r.name.as_deref()),
            summary: clean(r.reference.as_deref()),
            ..EntryView::default()
        };
        if !(e.title.is_empty() && e.summary.is_empty()) {
            view.entries.push(e);
        }
    }
}

fn entry(title: &Option<String>, org: &Option<String>, dates: String) -> EntryView {
    let mut e = EntryView {
        title: clean(title.as_deref()),
        org: clean(org.as_deref()),
        dates,
        ..EntryView::default()
    };
    // An entry with only an organisation shows it as the bold title.
    if e.title.is_empty() {
        std::mem::swap(&mut e.title, &mut e.org);
    }
    e
}

fn list_entry(view: &mut SectionView, label: String, text: String) {
    let (title, org) = if label.is_empty() {
        (text, String::new())
    } else {
        (label, text)
    };
    if !title.is_empty() {
        view.entries.push(EntryView {
            title,
            org,
            ..EntryView::default()
        });
    }
}

fn is_empty(e: &EntryView) -> bool {
    e.title.is_empty()
        && e.org.is_empty()
        && e.summary.is_empty()
        && e.items.is_empty()
        && e.lines.is_empty()
}

fn set_url(e: &mut EntryView, url: &Option<String>) {
    e.url = clean(url.as_deref());
    e.href = href(&e.url);
}

/// A link target for a shown address, only for web and mail schemes: the
/// PDF must not carry `javascript:` or `file:` links from resume data.
fn href(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        url.to_string()
    } else if lower.starts_with("www.") || looks_like_domain(&lower) {
        format!("https://{url}")
    } else {
        String::new()
    }
}

fn strip_scheme(url: &str) -> &str {
    let lower = url.to_ascii_lowercase();
    let cut = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        0
    };
    let rest = url.get(cut..).unwrap_or(url);
    rest.strip_prefix("www.")
        .unwrap_or(rest)
        .trim_end_matches('/')
}

fn looks_like_domain(s: &str) -> bool {
    let host = s.split('/').next().unwrap_or("");
    !s.contains(' ')
        && !s.contains('@')
        && !s.contains(':')
        && host.contains('.')
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Trimmed text with inner runs of whitespace (and control characters,
/// which no template can show) collapsed to single spaces.
pub fn clean(s: Option<&str>) -> String {
    let s = s.unwrap_or("");
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn items(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| clean(Some(s)))
        .filter(|s| !s.is_empty())
        .collect()
}

fn join_text(parts: &[&Option<String>]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for p in parts {
        let text = clean(p.as_deref());
        if !text.is_empty() && !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen.join(" ")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2024-07-15` / `2024-07` → `Jul 2024`, `2024` → `2024`; anything else
/// is shown as written.
pub fn date(s: &str) -> String {
    let s = s.trim();
    let mut parts = s.split('-');
    let year = parts.next().unwrap_or("");
    let month = parts.next();
    let valid_year = year.len() == 4 && year.chars().all(|c| c.is_ascii_digit());
    if !valid_year {
        return clean(Some(s));
    }
    match month.map(str::parse::<usize>) {
        None => year.to_string(),
        Some(Ok(m @ 1..=12)) => format!("{} {year}", MONTHS[m - 1]),
        Some(_) => clean(Some(s)),
    }
}

fn single(d: &Option<String>) -> String {
    d.as_deref().map(date).unwrap_or_default()
}

/// A date range for an entry that is ongoing when it has no end.
fn range(start: &Option<String>, end: &Option<String>) -> String {
    let start = single(start);
    let end = single(end);
    match (start.is_empty(), end.is_empty()) {
        (false, false) if start == end => start,
        (false, false) => format!("{start} – {end}"),
        (false, true) => format!("{start} – Present"),
        (true, _) => end,
    }
}

/// A date range where a missing end means "not said" (projects).
fn range_opt(start: &Option<String>, end: &Option<String>) -> String {
    let start = single(start);
    let end = single(end);
    match (start.is_empty(), end.is_empty()) {
        (false, false) if start != end => format!("{start} – {end}"),
        (false, _) => start,
        (true, _) => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resume(v: serde_json::Value) -> Resume {
        Resume::from_value(v).unwrap()
    }

    #[test]
    fn dates_are_shown_as_month_and_year() {
        assert_eq!(date("2024-07"), "Jul 2024");
        assert_eq!(date("2024-07-31"), "Jul 2024");
        assert_eq!(date("2024"), "2024");
        assert_eq!(date("Summer 2020"), "Summer 2020");
        assert_eq!(date("2024-13"), "2024-13");
        assert_eq!(range(&Some("2020-01".into()), &None), "Jan 2020 – Present");
        assert_eq!(range_opt(&Some("2020".into()), &None), "2020");
    }

    #[test]
    fn order_and_hidden_sections_apply() {
        let r = resume(json!({
            "basics": {"name": "Ada", "summary": "Hi",
                       "profiles": [{"network": "GitHub", "username": "ada"}]},
            "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020-01"}],
            "skills": [{"name": "Lang", "keywords": ["Rust", " Go "]}],
            "education": [{"institution": "MIT", "studyType": "BSc", "area": "CS"}]
        }));
        let opts = Options {
            section_order: vec!["skills".into()],
            hidden_sections: vec!["summary".into(), "profiles".into()],
            ..Options::default()
        };
        let v = build(&r, &["education", "work"], &opts);
        let ids: Vec<&str> = v.sections.iter().map(|s| s.id).collect();
        assert_eq!(ids, ["skills", "education", "work"]);
        assert!(v.basics.profiles.is_empty());
        assert_eq!(v.sections[0].entries[0].org, "Rust, Go");
        assert_eq!(v.sections[1].entries[0].org, "BSc in CS");
        assert_eq!(v.title, "Ada — Resume");
    }

    #[test]
    fn links_only_for_web_addresses() {
        assert_eq!(href("example.com/me"), "https://example.com/me");
        assert_eq!(href("javascript:alert(1)"), "");
        assert_eq!(href("file:///etc/passwd"), "");
        assert_eq!(href("me@example.com"), "");
    }
}
