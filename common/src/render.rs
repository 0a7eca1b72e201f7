//! Render a JSON Resume document as Markdown or as a standalone HTML page.
//!
//! One renderer for every place that shows a resume outside the API: the
//! public share page, `vitae export --format md|html`. The HTML escapes every
//! value and carries no script; its one inline style is [`HTML_STYLE`], which
//! the share page allows by hash in its Content-Security-Policy.

use std::fmt::Write;

use crate::resume::Resume;

/// The stylesheet inlined in rendered HTML pages.
pub const HTML_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;margin-top:1.6rem}.muted{color:#666}ul{padding-left:1.2rem}";

fn dates(start: Option<&str>, end: Option<&str>) -> Option<String> {
    match (start, end) {
        (None, None) => None,
        (Some(s), None) => Some(format!("{s} – present")),
        (None, Some(e)) => Some(e.to_string()),
        (Some(s), Some(e)) => Some(format!("{s} – {e}")),
    }
}

fn join_some<'a>(parts: impl IntoIterator<Item = Option<&'a str>>, sep: &str) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A section of headline + detail lines + bullets, the shape every entry kind shares.
struct Entry {
    title: String,
    detail: String,
    text: Option<String>,
    bullets: Vec<String>,
}

fn sections(resume: &Resume) -> Vec<(&'static str, Vec<Entry>)> {
    let mut out: Vec<(&'static str, Vec<Entry>)> = Vec::new();
    let work = resume
        .work
        .iter()
        .map(|w| Entry {
            title: join_some([w.position.as_deref(), w.name.as_deref()], " — "),
            detail: join_some(
                [
                    dates(w.start_date.as_deref(), w.end_date.as_deref()).as_deref(),
                    w.location.as_deref(),
                ],
                " · ",
            ),
            text: w.summary.clone(),
            bullets: w.highlights.clone(),
        })
        .collect();
    out.push(("Experience", work));
    let education = resume
        .education
        .iter()
        .map(|e| Entry {
            title: join_some(
                [
                    e.study_type.as_deref(),
                    e.area.as_deref(),
                    e.institution.as_deref(),
                ],
                " — ",
            ),
            detail: join_some(
                [
                    dates(e.start_date.as_deref(), e.end_date.as_deref()).as_deref(),
                    e.score.as_deref(),
                ],
                " · ",
            ),
            text: None,
            bullets: e.courses.clone(),
        })
        .collect();
    out.push(("Education", education));
    let projects = resume
        .projects
        .iter()
        .map(|p| Entry {
            title: p.name.clone().unwrap_or_default(),
            detail: join_some(
                [
                    dates(p.start_date.as_deref(), p.end_date.as_deref()).as_deref(),
                    p.url.as_deref(),
                ],
                " · ",
            ),
            text: p.description.clone(),
            bullets: p.highlights.clone(),
        })
        .collect();
    out.push(("Projects", projects));
    let skills = resume
        .skills
        .iter()
        .map(|s| Entry {
            title: s.name.clone().unwrap_or_default(),
            detail: s.level.clone().unwrap_or_default(),
            text: (!s.keywords.is_empty()).then(|| s.keywords.join(", ")),
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Skills", skills));
    let volunteer = resume
        .volunteer
        .iter()
        .map(|v| Entry {
            title: join_some([v.position.as_deref(), v.organization.as_deref()], " — "),
            detail: dates(v.start_date.as_deref(), v.end_date.as_deref()).unwrap_or_default(),
            text: v.summary.clone(),
            bullets: v.highlights.clone(),
        })
        .collect();
    out.push(("Volunteering", volunteer));
    let awards = resume
        .awards
        .iter()
        .map(|a| Entry {
            title: join_some([a.title.as_deref(), a.awarder.as_deref()], " — "),
            detail: a.date.clone().unwrap_or_default(),
            text: a.summary.clone(),
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Awards", awards));
    let certificates = resume
        .certificates
        .iter()
        .map(|c| Entry {
            title: join_some([c.name.as_deref(), c.issuer.as_deref()], " — "),
            detail: c.date.clone().unwrap_or_default(),
            text: None,
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Certificates", certificates));
    let publications = resume
        .publications
        .iter()
        .map(|p| Entry {
            title: join_some([p.name.as_deref(), p.publisher.as_deref()], " — "),
            detail: p.release_date.clone().unwrap_or_default(),
            text: p.summary.clone(),
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Publications", publications));
    let languages = resume
        .languages
        .iter()
        .map(|l| Entry {
            title: l.language.clone().unwrap_or_default(),
            detail: l.fluency.clone().unwrap_or_default(),
            text: None,
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Languages", languages));
    let interests = resume
        .interests
        .iter()
        .map(|i| Entry {
            title: i.name.clone().unwrap_or_default(),
            detail: String::new(),
            text: (!i.keywords.is_empty()).then(|| i.keywords.join(", ")),
            bullets: Vec::new(),
        })
        .collect();
    out.push(("Interests", interests));
    let references = resume
        .references
        .iter()
        .map(|r| Entry {
            title: r.name.clone().unwrap_or_default(),
            detail: String::new(),
            text: r.reference.clone(),
            bullets: Vec::new(),
        })
        .collect();
    out.push(("References", references));
    out.retain(|(_, entries)| !entries.is_empty());
    out
}

fn contact_line(resume: &Resume) -> Vec<String> {
    let Some(b) = &resume.basics else {
        return Vec::new();
    };
    let mut parts: Vec<String> = [b.email.as_deref(), b.phone.as_deref(), b.url.as_deref()]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    if let Some(loc) = &b.location {
        let place = join_some(
            [
                loc.city.as_deref(),
                loc.region.as_deref(),
                loc.country_code.as_deref(),
            ],
            ", ",
        );
        if !place.is_empty() {
            parts.push(place);
        }
    }
    for p in &b.profiles {
        let label = join_some([p.network.as_deref(), p.username.as_deref()], ": ");
        let label = if label.is_empty() {
            p.url.clone().unwrap_or_default()
        } else {
            label
        };
        if !label.is_empty() {
            parts.push(label);
        }
    }
    parts
}

/// The resume as Markdown.
pub fn markdown(resume: &Resume) -> String {
    let mut out = String::new();
    let basics = resume.basics.clone().unwrap_or_default();
    let _ = writeln!(out, "# {}\n", basics.name.as_deref().unwrap_or("Resume"));
    if let Some(label) = &basics.label {
        let _ = writeln!(out, "**{label}**\n");
    }
    let contact = contact_line(resume);
    if !contact.is_empty() {
        let _ = writeln!(out, "{}\n", contact.join(" · "));
    }
    if let Some(summary) = &basics.summary {
        let _ = writeln!(out, "{summary}\n");
    }
    for (heading, entries) in sections(resume) {
        let _ = writeln!(out, "## {heading}\n");
        for e in entries {
            let _ = writeln!(out, "### {}\n", e.title);
            if !e.detail.is_empty() {
                let _ = writeln!(out, "*{}*\n", e.detail);
            }
            if let Some(text) = &e.text {
                let _ = writeln!(out, "{text}\n");
            }
            for b in &e.bullets {
                let _ = writeln!(out, "- {b}");
            }
            if !e.bullets.is_empty() {
                out.push('\n');
            }
        }
    }
    out
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The resume as a standalone HTML page; every value escaped, no script.
pub fn html(resume: &Resume) -> String {
    let e = escape_html;
    let basics = resume.basics.clone().unwrap_or_default();
    let name = basics.name.as_deref().unwrap_or("Resume");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{HTML_STYLE}</style></head><body>\n<header><h1>{}</h1>",
        e(name),
        e(name)
    );
    if let Some(label) = &basics.label {
        let _ = write!(out, "<p><strong>{}</strong></p>", e(label));
    }
    let contact = contact_line(resume);
    if !contact.is_empty() {
        let joined: Vec<String> = contact.iter().map(|c| e(c)).collect();
        let _ = write!(out, "<p class=\"muted\">{}</p>", joined.join(" · "));
    }
    out.push_str("</header>\n");
    if let Some(summary) = &basics.summary {
        let _ = writeln!(out, "<p>{}</p>", e(summary));
    }
    for (heading, entries) in sections(resume) {
        let _ = writeln!(out, "<section><h2>{heading}</h2>");
        for entry in entries {
            let _ = write!(out, "<h3>{}</h3>", e(&entry.title));
            if !entry.detail.is_empty() {
                let _ = write!(out, "<p class=\"muted\">{}</p>", e(&entry.detail));
            }
            if let Some(text) = &entry.text {
                let _ = write!(out, "<p>{}</p>", e(text));
            }
            if !entry.bullets.is_empty() {
                out.push_str("<ul>");
                for b in &entry.bullets {
                    let _ = write!(out, "<li>{}</li>", e(b));
                }
                out.push_str("</ul>");
            }
            out.push('\n');
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Resume {
        Resume::from_value(json!({
            "basics": {"name": "<script>alert(1)</script>", "email": "a@example.com",
                       "location": {"city": "Malmö", "countryCode": "SE"}},
            "work": [{"name": "Acme & Co", "position": "Engineer", "startDate": "2020-01",
                      "highlights": ["Shipped \"things\""]}],
            "skills": [{"name": "Languages", "keywords": ["Rust", "C++"]}]
        }))
        .unwrap()
    }

    #[test]
    fn html_escapes_every_value() {
        let page = html(&sample());
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("Acme &amp; Co"));
        assert!(page.contains("Shipped &quot;things&quot;"));
        assert!(page.contains("2020-01 – present"));
    }

    #[test]
    fn markdown_has_sections_and_bullets() {
        let md = markdown(&sample());
        assert!(md.starts_with("# <script>alert(1)</script>\n"));
        assert!(md.contains("a@example.com · Malmö, SE"));
        assert!(md.contains("## Experience\n\n### Engineer — Acme & Co\n\n*2020-01 – present*"));
        assert!(md.contains("- Shipped \"things\""));
        assert!(md.contains("## Skills\n\n### Languages\n\nRust, C++"));
    }
}
