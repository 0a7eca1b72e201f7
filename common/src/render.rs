//! Render a JSON Resume document as Markdown or as a standalone HTML page.
//!
//! One renderer for every place that shows a resume outside the API: the
//! public share page ([`share_html`], and [`notice_html`] for links that lead
//! nowhere), `vitae export --format md|html` ([`markdown`], [`html`]). The
//! HTML escapes every value, attributes included, carries no script, and
//! makes a link only of `http:`, `https:`, `mailto:` and `tel:` addresses
//! ([`safe_href`]); everything else is shown as text. Its one inline style is
//! the static [`HTML_STYLE`], which the share page allows by hash in its
//! Content-Security-Policy.
//!
//! Both forms read entries through the schema's projection
//! ([`crate::schema::Entry`]): which sections there are, their headings and
//! reading order, and which field is a headline, a detail, prose, bullets or
//! tags come from [`crate::schema`]; this module only decides the layout.
//! The Markdown form is the compact one (no secondary facts, no links); the
//! HTML page shows everything.

use std::fmt::Write;

use serde_json::Value;

use crate::resume::{Basics, Resume};
use crate::schema::{self, LinkTo, Role, When};

/// The stylesheet inlined in every rendered page (the share page, its
/// notices, exported HTML). It is static text, so the share page's CSP can
/// allow exactly it by hash and nothing else; it loads nothing (no fonts, no
/// images). Screen: a single readable column that reflows on phones, with a
/// dark variant. Print: black on white, smaller type, no footer, entries
/// kept whole, so "Save as PDF" gives one or two tidy pages.
pub const HTML_STYLE: &str = r#"
:root{--ink:#1c2127;--muted:#5a6370;--rule:#d8dde3;--accent:#0a58a8;--paper:#fff;--tag:#eef1f5}
@media screen and (prefers-color-scheme:dark){:root{--ink:#e5e8ec;--muted:#a2abb6;--rule:#39414c;--accent:#83b9ff;--paper:#15191e;--tag:#252c35}}
*,*::before,*::after{box-sizing:border-box}
html{background:var(--paper);color:var(--ink);-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{max-width:48rem;margin:0 auto;padding:2.5rem 1.25rem 3rem;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;font-kerning:normal;overflow-wrap:break-word}
a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
a:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:2px}
h1,h2,h3{line-height:1.2;margin:0}
body>header{padding-bottom:1.1rem;border-bottom:2px solid var(--ink)}
h1{font-size:2.25rem;font-weight:700;letter-spacing:-.02em}
.label{margin:.3rem 0 0;font-size:1.15rem;color:var(--muted)}
address{font-style:normal}
.contact{list-style:none;margin:.75rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1.25rem;font-size:.95rem}
.contact li{overflow-wrap:anywhere}
section{margin-top:1.8rem}
h2{font-size:.85rem;font-weight:700;letter-spacing:.08em;text-transform:uppercase;color:var(--muted);border-bottom:1px solid var(--rule);padding-bottom:.35rem;margin-bottom:.9rem}
section>p{margin:0 0 .6rem}
article{margin:0 0 1.2rem}
article:last-child{margin-bottom:0}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:0 1rem}
h3{font-size:1.05rem;font-weight:650}
.org{font-weight:400}
.when{margin:0;color:var(--muted);font-size:.9rem;white-space:nowrap;font-variant-numeric:tabular-nums}
.meta{margin:.1rem 0 0;color:var(--muted);font-size:.9rem}
article p{margin:.4rem 0 0}
article ul{margin:.4rem 0 0;padding-left:1.2rem}
article li{margin:.15rem 0}
li::marker{color:var(--muted)}
article ul.tags{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.35rem}
.tags li{margin:0;padding:.05rem .6rem;border-radius:1rem;background:var(--tag);font-size:.85rem}
blockquote{margin:.4rem 0 0;padding-left:.9rem;border-left:3px solid var(--rule);font-style:italic}
blockquote p:first-child{margin-top:0}
.compact{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.9rem 1.5rem}
.compact>h2{grid-column:1/-1;margin-bottom:0}
.compact article{margin:0}
body>footer{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--rule);color:var(--muted);font-size:.9rem}
.notice main{margin-top:18vh;text-align:center}
.notice h1{font-size:1.6rem}
.notice p{color:var(--muted);margin:.8rem auto 0;max-width:28rem}
@media (max-width:36rem){body{padding:1.5rem 1rem 2rem}h1{font-size:1.85rem}.when{white-space:normal}}
@page{margin:14mm 15mm}
@media print{
:root{--ink:#000;--muted:#444;--rule:#aaa;--accent:#000;--paper:#fff;--tag:transparent}
body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.35}
a{text-decoration:none}
body>header{padding-bottom:.5em;border-bottom-width:1.5pt}
h1{font-size:20pt}
.label{font-size:11pt;margin-top:.15em}
.contact{font-size:9pt;gap:0 1.2em;margin-top:.4em}
section{margin-top:1em}
h2{font-size:8.5pt;padding-bottom:.2em;margin-bottom:.5em;break-after:avoid;page-break-after:avoid}
h3{font-size:10pt}
article{margin-bottom:.7em;break-inside:avoid;page-break-inside:avoid}
.when,.meta{font-size:8.5pt}
article p,article ul{margin-top:.2em}
article li{margin:0}
p,li{orphans:3;widows:3}
article ul.tags{gap:0 .35em}
.tags li{padding:0;background:none;border-radius:0;font-size:9pt}
.tags li:not(:last-child)::after{content:","}
.compact{grid-template-columns:repeat(3,1fr);gap:.4em 1.2em}
body>footer{display:none}
}
"#;

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

/// An entry as Markdown shows it: a headline, a detail line (already
/// Markdown), text, bullets (raw values, escaped when written).
struct Entry {
    title: String,
    detail: String,
    text: Option<String>,
    bullets: Vec<String>,
}

/// Dates as Markdown writes them: as recorded, a start without an end is
/// current.
fn md_dates(when: When) -> Option<String> {
    match when {
        When::Range { start, end } => dates(start, end),
        When::On(date) => date.map(str::to_string),
        When::Undated => None,
    }
}

/// The compact form of an entry: the headline, then dates, a linked title's
/// address (a Markdown heading carries no link) and the short details; the
/// prose (or quote); and the bullets. Sections without prose show their
/// tags as the text (a skill's keywords); secondary facts are left to the
/// HTML page.
fn md_entry(e: &schema::Entry) -> Entry {
    let when = md_dates(e.when());
    let link = e
        .link()
        .filter(|(_, to)| *to == LinkTo::Title)
        .map(|(url, _)| url);
    let details = e.values(Role::Detail);
    let detail = when
        .as_deref()
        .filter(|w| !w.trim().is_empty())
        .map(md_inline)
        .into_iter()
        .chain(link.filter(|l| !l.trim().is_empty()).map(md_url))
        .chain(
            details
                .into_iter()
                .filter(|d| !d.trim().is_empty())
                .map(md_inline),
        )
        .collect::<Vec<_>>()
        .join(" · ");
    let prose = e
        .values(Role::Prose)
        .into_iter()
        .chain(e.values(Role::Quote))
        .next();
    let tags = e.values(Role::Tags);
    let text = match prose {
        Some(text) => Some(text.to_string()),
        None if !e.section.has(Role::Prose) && !tags.is_empty() => Some(tags.join(", ")),
        None => None,
    };
    Entry {
        title: e.headline(" — "),
        detail,
        text,
        bullets: e
            .values(Role::Bullets)
            .into_iter()
            .map(str::to_string)
            .collect(),
    }
}

/// The sections with entries, in reading order, under their headings.
fn sections(doc: &Value) -> Vec<(&'static str, Vec<Entry>)> {
    schema::reading_order()
        .filter_map(|section| {
            let entries: Vec<Entry> = section.entries(doc).iter().map(md_entry).collect();
            (!entries.is_empty()).then_some((section.heading, entries))
        })
        .collect()
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

// ---- the public view -----------------------------------------------------

/// The members of `basics` the page shows (its heading and contact line).
const PUBLIC_BASICS: &[&str] = &["name", "label", "email", "phone", "url", "summary"];
/// The members of `basics.location` the page shows: the place, never the
/// street address or postal code.
const PUBLIC_LOCATION: &[&str] = &["city", "region", "countryCode"];

/// The public view of a resume: the part of `document` that its page shows
/// ([`share_html`]), and nothing else. Every form of a share (the page, its
/// JSON and Markdown forms, its PDF and DOCX) is made from this one value,
/// so a share never publishes more than the owner sees on the page: from
/// `basics` the name, label, contact details, summary, the city, region and
/// country (not the street address or postal code, not the image) and the
/// profiles' network, user name and address; from each section the fields
/// the schema names ([`schema::SECTIONS`]). Keys the schema does not name
/// (`x-private`, `meta`, an extension's fields) stay private.
pub fn public_view(document: &Value) -> Value {
    public_view_hiding(document, &[])
}

/// What a share link may hide (`"hide": [...]` when it is made), each with
/// what it removes from the public view, and so from every form of the
/// share: the page (its contact line and preview tags too), JSON,
/// Markdown, PDF and DOCX. The rest of the name list are the sections of
/// [`schema::SECTIONS`], each removed whole. The name and label are never
/// hidden (they are the page's heading); the street address, postal code
/// and image are never public at all.
pub const HIDEABLE_BASICS: &[(&str, &str)] = &[
    ("email", "basics.email"),
    ("phone", "basics.phone"),
    (
        "location",
        "basics.location (city, region, country; street address and postal code are never shown)",
    ),
    ("url", "basics.url (the personal web site)"),
    ("profiles", "basics.profiles (every network profile)"),
    ("summary", "basics.summary"),
];

/// Every name `"hide"` accepts: [`HIDEABLE_BASICS`], then the sections.
pub fn hideable() -> Vec<&'static str> {
    HIDEABLE_BASICS
        .iter()
        .map(|(name, _)| *name)
        .chain(schema::SECTIONS.iter().map(|s| s.key))
        .collect()
}

/// Whether `name` is one [`hideable`] accepts.
pub fn is_hideable(name: &str) -> bool {
    HIDEABLE_BASICS.iter().any(|(n, _)| *n == name) || schema::section(name).is_some()
}

/// [`public_view`] without the fields and sections named in `hide`
/// ([`hideable`]; other names remove nothing).
pub fn public_view_hiding(document: &Value, hide: &[String]) -> Value {
    let hidden = |name: &str| hide.iter().any(|h| h == name);
    let mut out = serde_json::Map::new();
    let Some(doc) = document.as_object() else {
        return Value::Object(out);
    };
    let pick = |from: &serde_json::Map<String, Value>, keys: &[&str]| {
        keys.iter()
            .filter_map(|k| from.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect::<serde_json::Map<String, Value>>()
    };
    if let Some(basics) = doc.get("basics").and_then(Value::as_object) {
        let keys: Vec<&str> = PUBLIC_BASICS
            .iter()
            .copied()
            .filter(|key| !hidden(key))
            .collect();
        let mut shown = pick(basics, &keys);
        let location = basics
            .get("location")
            .filter(|_| !hidden("location"))
            .and_then(Value::as_object);
        if let Some(location) = location {
            let place = pick(location, PUBLIC_LOCATION);
            if !place.is_empty() {
                shown.insert("location".into(), Value::Object(place));
            }
        }
        let profiles = basics
            .get("profiles")
            .filter(|_| !hidden("profiles"))
            .and_then(Value::as_array);
        if let Some(profiles) = profiles {
            let keys: Vec<&str> = schema::PROFILES.fields.iter().map(|f| f.key).collect();
            let profiles: Vec<Value> = profiles
                .iter()
                .filter_map(Value::as_object)
                .map(|p| Value::Object(pick(p, &keys)))
                .collect();
            shown.insert("profiles".into(), Value::Array(profiles));
        }
        out.insert("basics".into(), Value::Object(shown));
    }
    for section in schema::SECTIONS {
        if hidden(section.key) {
            continue;
        }
        let Some(entries) = doc.get(section.key).and_then(Value::as_array) else {
            continue;
        };
        let keys: Vec<&str> = section.fields.iter().map(|f| f.key).collect();
        let entries: Vec<Value> = entries
            .iter()
            .filter_map(Value::as_object)
            .map(|e| Value::Object(pick(e, &keys)))
            .collect();
        out.insert(section.key.into(), Value::Array(entries));
    }
    Value::Object(out)
}

/// The document as JSON, which the schema's projections read.
fn document_value(resume: &Resume) -> Value {
    serde_json::to_value(resume).unwrap_or(Value::Null)
}

/// The resume as Markdown. Every value is text, never markup: it is
/// escaped ([`md_inline`], [`md_prose`]) so that a CommonMark renderer shows
/// exactly what was written, and the only links are the autolinks made of
/// addresses that pass the HTML page's rule ([`safe_href`]).
pub fn markdown(resume: &Resume) -> String {
    let mut out = String::new();
    let basics = resume.basics.clone().unwrap_or_default();
    let name = md_inline(basics.name.as_deref().unwrap_or(""));
    let name = if name.is_empty() { "Resume" } else { &name };
    let _ = writeln!(out, "# {name}\n");
    if let Some(label) = filled(&basics.label) {
        let _ = writeln!(out, "**{}**\n", md_inline(label));
    }
    let contact: Vec<String> = contact_line(resume).iter().map(|c| md_inline(c)).collect();
    if !contact.is_empty() {
        let _ = writeln!(out, "{}\n", contact.join(" · "));
    }
    if let Some(summary) = filled(&basics.summary) {
        let _ = writeln!(out, "{}\n", md_prose(summary));
    }
    for (heading, entries) in sections(&document_value(resume)) {
        let _ = writeln!(out, "## {heading}\n");
        for e in entries {
            let title = md_inline(&e.title);
            let _ = writeln!(out, "### {}\n", if title.is_empty() { "—" } else { &title });
            if !e.detail.is_empty() {
                let _ = writeln!(out, "*{}*\n", e.detail);
            }
            if let Some(text) = &e.text {
                let _ = writeln!(out, "{}\n", md_prose(text));
            }
            for b in &e.bullets {
                let _ = writeln!(out, "- {}", md_inline(b));
            }
            if !e.bullets.is_empty() {
                out.push('\n');
            }
        }
    }
    out
}

/// ASCII punctuation that means something to CommonMark (or to GitHub's
/// dialect) anywhere in a line: HTML and autolinks (`<`, `>`), links (`[`,
/// `]`), code (`` ` ``), emphasis (`*`), tables (`|`) and the escape
/// itself. A backslash before any of them shows the character as written.
/// `&`, `!` and `_` are escaped only where they could mean something (see
/// [`md_inline`]), so ordinary text stays as it was written.
const MD_ESCAPED: &[char] = &['\\', '`', '*', '[', ']', '<', '>', '|'];

/// Whether the character at `i` of `chars` needs a backslash: always for
/// [`MD_ESCAPED`]; `&` before a letter, digit or `#` (an entity such as
/// `&lt;`); `!` before `[` (an image); `_` at either edge of a word (where
/// it could open or close emphasis; `snake_case` stays as it is).
fn md_needs_escape(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    let prev = i.checked_sub(1).map(|p| chars[p]);
    match c {
        '&' => next.is_some_and(|n| n.is_alphanumeric() || n == '#'),
        '!' => next == Some('['),
        '_' => {
            !(prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric))
        }
        _ => MD_ESCAPED.contains(&c),
    }
}

/// One line of Markdown text showing `text` literally: line breaks and
/// other control characters folded into spaces, markup characters escaped
/// ([`md_needs_escape`]), and a leading block marker (`#`, `-`, `+`, `=`,
/// `~`, `1.`, `1)`) escaped so the line cannot become a heading, list,
/// fence or setext underline wherever it is placed. Ordinary words come
/// out as they are.
pub fn md_inline(text: &str) -> String {
    let mut line = Vec::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.extend(word.chars());
    }
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in line.iter().enumerate() {
        if md_needs_escape(&line, i) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_line_start(out)
}

/// Paragraphs of Markdown text showing `text` literally: paragraphs (blank
/// lines) and line breaks are kept, each line escaped like [`md_inline`],
/// so no line can open a block of its own; leading spaces are dropped
/// (four would make a code block).
pub fn md_prose(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(md_inline)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                // A hard line break, as the HTML page's `<br>`.
                .join("\\\n")
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `line` with a leading block marker escaped: `#`, `-`, `+`, `=`, `~` (and
/// the `*`, `>` and `` ` `` that [`md_inline`] escapes everywhere), or the
/// `.` / `)` after leading digits (an ordered list item).
fn escape_line_start(line: String) -> String {
    match line.chars().next() {
        Some('#' | '-' | '+' | '=' | '~') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            match line.as_bytes().get(digits) {
                Some(b'.' | b')') => format!("{}\\{}", &line[..digits], &line[digits..]),
                _ => line,
            }
        }
        _ => line,
    }
}

/// An address as Markdown shows it: an autolink when the HTML page would
/// link it ([`safe_href`]) and it can be one, escaped text otherwise.
fn md_url(url: &str) -> String {
    match safe_href(url) {
        Some(href) if !href.contains(['<', '>']) => format!("<{href}>"),
        _ => md_inline(url),
    }
}

// ---- HTML ------------------------------------------------------------------
//
// The page is built for three readers: a recruiter on a phone or a laptop, a
// screen reader (one `<h1>`, an `<h2>` per section, an `<h3>` per entry,
// lists as lists), and a printer ("Save as PDF" from the browser). Element
// ids are a contract with the browser tests and anyone styling the page:
// each section is `<section id="KEY">` with KEY the JSON Resume key
// (`summary` for `basics.summary`), and the share page's alternates are
// `a#format-json` and `a#format-md`.

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

/// The schemes a rendered link may carry; anything else is shown as text.
const LINK_SCHEMES: [&str; 4] = ["https://", "http://", "mailto:", "tel:"];

/// `raw` if it is safe to make clickable: it starts with one of
/// [`LINK_SCHEMES`] (any letter case) and holds no whitespace or control
/// character anywhere.
///
/// Browsers strip leading spaces and C0 controls and delete tabs and
/// newlines inside a URL before they read its scheme, so `" javascript:"` or
/// `"java\tscript:"` would run script. Refusing every such character, rather
/// than cleaning it away, means the scheme checked here is the scheme the
/// browser sees.
pub fn safe_href(raw: &str) -> Option<&str> {
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    LINK_SCHEMES.iter().find_map(|scheme| {
        let head = raw.get(..scheme.len())?;
        let rest = &raw[scheme.len()..];
        (head.eq_ignore_ascii_case(scheme) && !rest.is_empty()).then_some(raw)
    })
}

/// A `mailto:` target for a plain address, when it looks like one.
fn mailto_href(email: &str) -> Option<String> {
    // Characters that have a meaning in a mailto URL (headers, fragments,
    // lists) or no business in a bare address.
    const REFUSED: &[char] = &[
        '"', '<', '>', '(', ')', '[', ']', '\\', ',', ';', ':', '?', '#', '&', '%', '/', '`', '\'',
    ];
    let (local, domain) = email.split_once('@')?;
    let plain = !email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || REFUSED.contains(&c));
    (plain && !local.is_empty() && domain.contains('.') && !domain.contains('@'))
        .then(|| format!("mailto:{email}"))
}

/// A `tel:` target for a phone number written with the usual separators.
fn tel_href(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let allowed = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || " +-./()".contains(c));
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let plus_only_first = !trimmed.chars().skip(1).any(|c| c == '+');
    (allowed && plus_only_first && digits.len() >= 3).then(|| {
        let plus = if trimmed.starts_with('+') { "+" } else { "" };
        format!("tel:{plus}{digits}")
    })
}

/// A URL as people read it: no scheme, no `www.`, no trailing slash.
fn display_url(url: &str) -> &str {
    let mut text = url;
    for scheme in ["https://", "http://"] {
        if text
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        {
            text = &text[scheme.len()..];
        }
    }
    let text = text.strip_prefix("www.").unwrap_or(text);
    let text = text.strip_suffix('/').unwrap_or(text);
    if text.is_empty() {
        url
    } else {
        text
    }
}

/// `<a>` for `href` (already checked) with `text`; web links get the `rel`
/// that keeps the opened page from reaching back or learning where it came
/// from, and tells search engines the link is no endorsement.
fn anchor(href: &str, text: &str) -> String {
    let external = href
        .get(..4)
        .is_some_and(|h| h.eq_ignore_ascii_case("http"));
    let rel = if external {
        " rel=\"noopener noreferrer nofollow\""
    } else {
        ""
    };
    format!(
        "<a href=\"{}\"{rel}>{}</a>",
        escape_html(href),
        escape_html(text)
    )
}

/// `text` as a link to `url` when `url` is safe, else as plain text.
fn linked(text: &str, url: Option<&str>) -> String {
    match url.and_then(safe_href) {
        Some(href) => anchor(href, text),
        None => escape_html(text),
    }
}

/// A field's text, or `None` when it is missing or blank.
fn filled(field: &Option<String>) -> Option<&str> {
    trimmed(field.as_deref())
}

/// Text without its surrounding blanks, or `None` when nothing is left.
fn trimmed(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An ISO date at the precision JSON Resume allows (`2020`, `2020-01`,
/// `2020-01-31`) as `<time>`, shown the way a resume writes it (`Jan 2020`);
/// anything else (`Spring 2020`, `present`) as escaped text.
fn date_html(date: &str) -> String {
    let date = date.trim();
    let number = |s: &str, len: usize| -> Option<usize> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut parts = date.split('-');
    let year = parts.next().and_then(|y| number(y, 4));
    let month = parts.next().map(|m| number(m, 2));
    let day = parts.next().map(|d| number(d, 2));
    let shown = match (year, month, day, parts.next()) {
        (Some(y), None, None, None) => Some(y.to_string()),
        (Some(y), Some(Some(m @ 1..=12)), None, None) => Some(format!("{} {y}", MONTHS[m - 1])),
        (Some(y), Some(Some(m @ 1..=12)), Some(Some(d @ 1..=31)), None) => {
            Some(format!("{d} {} {y}", MONTHS[m - 1]))
        }
        _ => None,
    };
    match shown {
        Some(shown) => format!("<time datetime=\"{}\">{shown}</time>", escape_html(date)),
        None => escape_html(date),
    }
}

/// A start–end range; an entry with a start and no end is current.
fn range_html(start: Option<&str>, end: Option<&str>) -> Option<String> {
    match (start, end) {
        (None, None) => None,
        (Some(s), None) => Some(format!("{} – Present", date_html(s))),
        (None, Some(e)) => Some(date_html(e)),
        (Some(s), Some(e)) => Some(format!("{} – {}", date_html(s), date_html(e))),
    }
}

/// Text with blank lines as paragraph breaks and single newlines as `<br>`.
fn paragraphs_html(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| escape_html(l.trim())).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

/// One entry of a section, in the shape every kind shares: a heading made of
/// a title and an organisation (either may be a link), dates, a line of
/// details, prose, bullets and keyword tags.
#[derive(Default)]
struct Card<'a> {
    /// Owned: education composes it from two fields.
    title: Option<String>,
    title_url: Option<&'a str>,
    org: Option<&'a str>,
    org_url: Option<&'a str>,
    /// Already HTML (it holds `<time>` elements).
    when: Option<String>,
    meta: Vec<&'a str>,
    prose: Option<&'a str>,
    quote: Option<&'a str>,
    bullets: Vec<&'a str>,
    tags: Vec<&'a str>,
}

/// A URL field for a card. One that cannot be a link is also kept as text
/// among the details, so the reader still sees what the person wrote.
fn card_url<'a>(url: Option<&'a str>, meta: &mut Vec<&'a str>) -> Option<&'a str> {
    let url = trimmed(url)?;
    if safe_href(url).is_none() {
        meta.push(url);
    }
    Some(url)
}

impl Card<'_> {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.title_url.is_none()
            && self.org.is_none()
            && self.when.is_none()
            && self.meta.is_empty()
            && self.prose.is_none()
            && self.quote.is_none()
            && self.bullets.is_empty()
            && self.tags.is_empty()
    }

    fn render(&self, out: &mut String) {
        out.push_str("<article>");
        let title_href = self.title_url.and_then(safe_href);
        let title = match (&self.title, title_href) {
            (Some(t), href) => Some(linked(t, href)),
            // Only a link to show: its address is the best title there is.
            (None, Some(href)) => Some(anchor(href, display_url(href))),
            (None, None) => None,
        };
        let org = self.org.map(|o| linked(o, self.org_url));
        let heading = match (title, org) {
            (Some(t), Some(o)) => Some(format!("{t}<span class=\"org\">, {o}</span>")),
            (Some(only), None) | (None, Some(only)) => Some(only),
            (None, None) => None,
        };
        if heading.is_some() || self.when.is_some() {
            out.push_str("<div class=\"head\">");
            if let Some(h) = heading {
                let _ = write!(out, "<h3>{h}</h3>");
            }
            if let Some(when) = &self.when {
                let _ = write!(out, "<p class=\"when\">{when}</p>");
            }
            out.push_str("</div>");
        }
        if !self.meta.is_empty() {
            let meta: Vec<String> = self.meta.iter().map(|m| escape_html(m)).collect();
            let _ = write!(out, "<p class=\"meta\">{}</p>", meta.join(" · "));
        }
        if let Some(prose) = self.prose {
            out.push_str(&paragraphs_html(prose));
        }
        if let Some(quote) = self.quote {
            let _ = write!(out, "<blockquote>{}</blockquote>", paragraphs_html(quote));
        }
        for (class, list) in [("", &self.bullets), (" class=\"tags\"", &self.tags)] {
            if !list.is_empty() {
                let _ = write!(out, "<ul{class}>");
                for item in list.iter() {
                    let _ = write!(out, "<li>{}</li>", escape_html(item));
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("</article>\n");
    }
}

/// One `<section>` of entries: its JSON Resume key (the element id), its
/// heading, and whether its entries are short enough to sit side by side.
struct Part<'a> {
    key: &'static str,
    heading: &'static str,
    compact: bool,
    cards: Vec<Card<'a>>,
}

/// An entry as the page shows it: every part of the schema's projection
/// (the short details and the secondary ones alike), trimmed, blank values
/// left out.
fn card<'a>(e: &schema::Entry<'a>) -> Card<'a> {
    let filled_values = |role| -> Vec<&'a str> {
        e.values(role)
            .into_iter()
            .filter_map(|v| trimmed(Some(v)))
            .collect()
    };
    let mut meta = filled_values(Role::Detail);
    meta.extend(filled_values(Role::Aside));
    let (title_url, org_url) = match e.link() {
        Some((url, LinkTo::Title)) => (card_url(Some(url), &mut meta), None),
        Some((url, LinkTo::Org)) => (None, card_url(Some(url), &mut meta)),
        None => (None, None),
    };
    let title = e
        .title()
        .into_iter()
        .filter_map(|t| trimmed(Some(t)))
        .collect::<Vec<_>>();
    let when = match e.when() {
        When::Range { start, end } => range_html(trimmed(start), trimmed(end)),
        When::On(date) => trimmed(date).map(date_html),
        When::Undated => None,
    };
    Card {
        title: (!title.is_empty()).then(|| title.join(", ")),
        title_url,
        org: trimmed(e.org()),
        org_url,
        when,
        meta,
        prose: filled_values(Role::Prose).first().copied(),
        quote: filled_values(Role::Quote).first().copied(),
        bullets: filled_values(Role::Bullets),
        tags: filled_values(Role::Tags),
    }
}

/// The entry sections of the page, in the order a reader scans a resume
/// (the Markdown form uses the same order), without empty entries.
fn parts(doc: &Value) -> Vec<Part<'_>> {
    schema::reading_order()
        .filter_map(|section| {
            let cards: Vec<Card> = section
                .entries(doc)
                .iter()
                .map(card)
                .filter(|c| !c.is_empty())
                .collect();
            (!cards.is_empty()).then_some(Part {
                key: section.key,
                heading: section.heading,
                compact: section.compact,
                cards,
            })
        })
        .collect()
}

/// The contact line under the name: each item already HTML.
fn contact_html(basics: &Basics) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(email) = filled(&basics.email) {
        out.push(match mailto_href(email) {
            Some(href) => anchor(&href, email),
            None => escape_html(email),
        });
    }
    if let Some(phone) = filled(&basics.phone) {
        out.push(match tel_href(phone) {
            Some(href) => anchor(&href, phone),
            None => escape_html(phone),
        });
    }
    if let Some(url) = filled(&basics.url) {
        out.push(match safe_href(url) {
            Some(href) => anchor(href, display_url(href)),
            None => escape_html(url),
        });
    }
    if let Some(loc) = &basics.location {
        let place = [
            filled(&loc.city),
            filled(&loc.region),
            filled(&loc.country_code),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        if !place.is_empty() {
            out.push(escape_html(&place));
        }
    }
    for p in &basics.profiles {
        let label = [filled(&p.network), filled(&p.username)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        // On screen and on paper alike, the address itself says the most.
        let item = match (filled(&p.url).and_then(safe_href), filled(&p.url)) {
            (Some(href), _) => anchor(href, display_url(href)),
            (None, _) if !label.is_empty() => escape_html(&label),
            (None, Some(url)) => escape_html(url),
            (None, None) => continue,
        };
        out.push(item);
    }
    out
}

/// The document head: title, no indexing, and link-preview tags that carry
/// the name and label only, never contact details.
fn head_html(out: &mut String, title: &str, og: Option<(&str, Option<&str>)>) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{}</title>",
        escape_html(title)
    );
    if let Some((name, label)) = og {
        let _ = write!(
            out,
            "<meta property=\"og:type\" content=\"profile\"><meta property=\"og:title\" content=\"{}\">",
            escape_html(name)
        );
        if let Some(label) = label {
            let _ = write!(
                out,
                "<meta property=\"og:description\" content=\"{}\">",
                escape_html(label)
            );
        }
    }
    let _ = writeln!(out, "<style>{HTML_STYLE}</style></head>");
}

/// The resume as a standalone HTML page: every value escaped, no script,
/// only safe links. This is the file `vitae export --format html` writes.
pub fn html(resume: &Resume) -> String {
    page(resume, Footer::None)
}

/// The resume as the public share page: [`html`] plus a footer linking to
/// the JSON and Markdown forms of the same share (`?format=json|md`, relative
/// to the page's own address).
pub fn share_html(resume: &Resume) -> String {
    page(resume, Footer::Downloads)
}

/// [`share_html`] for a link whose downloads are off: the footer links to
/// no other form (those answer 403).
pub fn share_html_without_downloads(resume: &Resume) -> String {
    page(resume, Footer::None)
}

/// What the page's footer offers.
#[derive(Clone, Copy, PartialEq)]
enum Footer {
    None,
    Downloads,
}

fn page(resume: &Resume, footer: Footer) -> String {
    let basics = resume.basics.clone().unwrap_or_default();
    let name = filled(&basics.name).unwrap_or("Resume");
    let label = filled(&basics.label);
    let title = match label {
        Some(label) => format!("{name} — {label}"),
        None => name.to_string(),
    };
    let mut out = String::with_capacity(16 * 1024);
    head_html(&mut out, &title, Some((name, label)));
    let _ = write!(out, "<body>\n<header><h1>{}</h1>", escape_html(name));
    if let Some(label) = label {
        let _ = write!(out, "<p class=\"label\">{}</p>", escape_html(label));
    }
    let contact = contact_html(&basics);
    if !contact.is_empty() {
        out.push_str("<address><ul class=\"contact\">");
        for item in contact {
            let _ = write!(out, "<li>{item}</li>");
        }
        out.push_str("</ul></address>");
    }
    out.push_str("</header>\n<main>\n");
    if let Some(summary) = filled(&basics.summary) {
        let _ = writeln!(
            out,
            "<section id=\"summary\" aria-labelledby=\"summary-title\"><h2 id=\"summary-title\">Summary</h2>{}</section>",
            paragraphs_html(summary)
        );
    }
    let doc = document_value(resume);
    for part in parts(&doc) {
        let class = if part.compact {
            " class=\"compact\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<section id=\"{key}\"{class} aria-labelledby=\"{key}-title\"><h2 id=\"{key}-title\">{}</h2>",
            part.heading,
            key = part.key
        );
        for card in &part.cards {
            card.render(&mut out);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    if footer == Footer::Downloads {
        out.push_str(
            "<footer><p><a id=\"download-pdf\" href=\"?format=pdf\" type=\"application/pdf\">Download PDF</a> \
             · <a id=\"download-docx\" href=\"?format=docx\">Word</a></p>\
             <p>This resume is also available as \
             <a id=\"format-json\" href=\"?format=json\" type=\"application/json\">JSON Resume</a> and \
             <a id=\"format-md\" href=\"?format=md\" type=\"text/markdown\">Markdown</a>.</p></footer>\n",
        );
    }
    out.push_str("</body></html>\n");
    out
}

/// A small page that explains why there is no resume to show (an unknown,
/// expired or revoked share link). It uses [`HTML_STYLE`], so the share
/// page's Content-Security-Policy covers it too.
pub fn notice_html(heading: &str, message: &str) -> String {
    let mut out = String::with_capacity(HTML_STYLE.len() + 1024);
    head_html(&mut out, heading, None);
    let _ = write!(
        out,
        "<body class=\"notice\">\n<main><h1>{}</h1><p>{}</p></main>\n</body></html>\n",
        escape_html(heading),
        escape_html(message)
    );
    out
}

/// The page a password-protected share link shows a browser without the
/// password: one field, posted back to the link's own address (no
/// `action`: the form posts to the page's URL), no script. `wrong`: the
/// last try was refused.
pub fn password_html(wrong: bool) -> String {
    let mut out = String::with_capacity(HTML_STYLE.len() + 1024);
    head_html(&mut out, "Password required", None);
    out.push_str(
        "<body class=\"notice\">\n<main><h1>This resume is protected by a password</h1>\
         <p>Ask the person who shared it for the password.</p>",
    );
    if wrong {
        out.push_str("<p role=\"alert\"><strong>That password is not right.</strong></p>");
    }
    out.push_str(
        "<form method=\"post\"><p><label for=\"password\">Password</label> \
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required autofocus> \
         <button type=\"submit\">Open</button></p></form></main>\n</body></html>\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hidden_fields_and_sections_leave_the_public_view() {
        let document = json!({
            "basics": {"name": "Jane", "email": "j@example.com", "phone": "+1 555",
                       "url": "https://jane.example", "summary": "Hi",
                       "location": {"city": "Oslo"},
                       "profiles": [{"network": "GitHub", "username": "jane"}]},
            "references": [{"name": "Ann", "reference": "Good"}],
            "work": [{"name": "Acme"}]
        });
        let all = public_view(&document);
        for name in hideable() {
            let view = public_view_hiding(&document, &[name.to_string()]);
            let gone = match name {
                "email" | "phone" | "url" | "summary" | "location" | "profiles" => {
                    view["basics"].get(name).is_none() && all["basics"].get(name).is_some()
                }
                section => view.get(section).is_none(),
            };
            assert!(gone, "{name} still in {view}");
            assert_eq!(view["basics"]["name"], "Jane", "{name}");
        }
        assert!(is_hideable("phone") && is_hideable("interests"));
        assert!(!is_hideable("name") && !is_hideable("image") && !is_hideable(""));
        let page = password_html(true);
        assert!(page.contains("<form method=\"post\">") && !page.contains("<script"));
    }

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
        assert!(page.contains("<time datetime=\"2020-01\">Jan 2020</time> – Present"));
    }

    const HOSTILE_URLS: [&str; 16] = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "\u{0}javascript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\u{1}https://example.com",
        " https://example.com",
        "https://example.com\u{0}",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/protocol-relative",
        "example.com",
        "https://",
        "\u{feff}javascript:alert(1)",
    ];

    #[test]
    fn only_web_mail_and_phone_links_pass_the_scheme_filter() {
        for good in [
            "https://example.com",
            "HTTPS://Example.com/a?b=c#d",
            "http://example.com",
            "mailto:a@example.com",
            "tel:+46701234567",
        ] {
            assert_eq!(safe_href(good), Some(good), "{good:?} should be a link");
        }
        for bad in HOSTILE_URLS {
            assert_eq!(safe_href(bad), None, "{bad:?} must not be a link");
        }
    }

    /// Every field kind that holds a URL, plus text fields, filled with
    /// hostile values: nothing comes out as markup or as a dangerous link.
    #[test]
    fn hostile_values_come_out_inert() {
        let xss = "<script>alert(1)</script>";
        let attr = "\" onerror=\"alert(2)";
        let mut doc = json!({
            "basics": {"name": xss, "label": attr, "email": format!("x@example.com{attr}"),
                       "phone": xss, "url": "javascript:alert(3)", "summary": xss,
                       "location": {"city": attr},
                       "profiles": [{"network": xss, "url": "JaVaScRiPt:alert(4)"},
                                    {"network": "N", "url": format!("https://example.com/{attr}")}]},
            "work": [{"name": xss, "position": attr, "url": "\u{0}javascript:alert(5)",
                      "highlights": [xss], "summary": attr}],
            "skills": [{"name": xss, "keywords": [attr]}],
            "references": [{"name": attr, "reference": xss}]
        });
        let urls: Vec<_> = HOSTILE_URLS
            .iter()
            .map(|u| json!({"name": "P", "url": u}))
            .collect();
        doc["projects"] = json!(urls);
        let page = share_html(&Resume::from_value(doc).unwrap());
        let lower = page.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{page}");
        assert!(
            !page.contains("\" onerror"),
            "an attribute broke out: {page}"
        );
        assert!(page.contains("&quot; onerror=&quot;alert(2)"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        for href in lower.split("href=\"").skip(1) {
            let href = &href[..href.find('"').unwrap()];
            assert!(
                ["https://", "http://", "mailto:", "tel:", "?format="]
                    .iter()
                    .any(|s| href.starts_with(s)),
                "a link with another scheme: {href:?}"
            );
            assert!(!href.contains('"') && !href.contains('<'), "{href:?}");
        }
        // The hostile addresses are still shown, as text.
        assert!(page.contains("javascript:alert(3)"), "{page}");
        assert!(page.contains("data:text/html,&lt;script&gt;"), "{page}");
        // A broken email and a phone of markup are not links.
        assert!(!lower.contains("href=\"mailto:"), "{page}");
        assert!(!lower.contains("href=\"tel:"), "{page}");
    }

    #[test]
    fn escape_html_covers_text_and_both_quotes() {
        assert_eq!(
            escape_html("<a href='x' title=\"y\">&</a>"),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;"
        );
    }

    fn full() -> Resume {
        Resume::from_value(json!({
            "basics": {"name": "Zoë Lindqvist", "label": "Staff Engineer",
                       "email": "zoe@example.com", "phone": "+46 70-123 45 67",
                       "url": "https://zoe.example.com/", "summary": "One.\n\nTwo.",
                       "location": {"city": "Uppsala", "countryCode": "SE"},
                       "profiles": [{"network": "GitHub", "username": "zoe", "url": "https://github.com/zoe"}]},
            "work": [{"name": "Acme", "url": "https://acme.example", "position": "Engineer",
                      "startDate": "2019-03", "endDate": "2021-12-31", "highlights": ["Did"]}],
            "volunteer": [{"organization": "Club", "position": "Coach", "startDate": "2018"}],
            "education": [{"institution": "Uni", "area": "CS", "studyType": "MSc", "courses": ["Algo"]}],
            "awards": [{"title": "Prize", "date": "2020-05", "awarder": "Guild"}],
            "certificates": [{"name": "Cert", "issuer": "Org", "date": "2021"}],
            "publications": [{"name": "Paper", "publisher": "Journal", "releaseDate": "Spring 2022"}],
            "skills": [{"name": "Rust", "level": "Expert", "keywords": ["tokio", "hyper"]}],
            "languages": [{"language": "Swedish", "fluency": "Native"}],
            "interests": [{"name": "Sailing", "keywords": ["Baltic"]}],
            "references": [{"name": "Ann", "reference": "Great."}],
            "projects": [{"name": "Vitae", "url": "https://vitae.example", "keywords": ["Rust"]}]
        }))
        .unwrap()
    }

    #[test]
    fn the_page_has_the_element_contract() {
        let page = share_html(&full());
        assert_eq!(page.matches("<h1>").count(), 1);
        assert!(page.contains("<h1>Zoë Lindqvist</h1>"));
        for key in [
            "summary",
            "work",
            "volunteer",
            "education",
            "awards",
            "certificates",
            "publications",
            "skills",
            "languages",
            "interests",
            "references",
            "projects",
        ] {
            let open = format!("<section id=\"{key}\"");
            assert_eq!(page.matches(&open).count(), 1, "{key}: {page}");
            assert!(page.contains(&format!(
                "aria-labelledby=\"{key}-title\"><h2 id=\"{key}-title\">"
            )));
        }
        assert!(page.contains("<a id=\"format-json\" href=\"?format=json\""));
        assert!(page.contains("<a id=\"format-md\" href=\"?format=md\""));
        assert!(page.contains("<a id=\"download-pdf\" href=\"?format=pdf\""));
        assert!(page.contains("<a href=\"mailto:zoe@example.com\">zoe@example.com</a>"));
        assert!(page.contains("<a href=\"tel:+46701234567\">+46 70-123 45 67</a>"));
        assert!(page.contains(
            "<a href=\"https://github.com/zoe\" rel=\"noopener noreferrer nofollow\">github.com/zoe</a>"
        ));
        assert!(page.contains("<time datetime=\"2021-12-31\">31 Dec 2021</time>"));
        assert!(
            page.contains("Spring 2022"),
            "free-form dates stay as written"
        );
        assert!(page.contains("<p>One.</p><p>Two.</p>"));
        // The export has no links back to a share.
        assert!(!html(&full()).contains("format-json"));
    }

    #[test]
    fn the_head_carries_name_and_label_only() {
        let page = share_html(&full());
        let head = &page[..page.find("</head>").unwrap()];
        assert!(head.contains("<title>Zoë Lindqvist — Staff Engineer</title>"));
        assert!(head.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
        assert!(head.contains("<meta property=\"og:title\" content=\"Zoë Lindqvist\">"));
        assert!(head.contains("<meta property=\"og:description\" content=\"Staff Engineer\">"));
        assert!(head.contains("<meta property=\"og:type\" content=\"profile\">"));
        for private in [
            "zoe@example.com",
            "+46",
            "Uppsala",
            "github.com",
            "zoe.example.com",
        ] {
            assert!(!head.contains(private), "{private} in the head: {head}");
        }
        assert_eq!(page.matches("<style>").count(), 1);
        assert!(page.contains(&format!("<style>{HTML_STYLE}</style>")));
    }

    #[test]
    fn empty_entries_and_sections_are_left_out() {
        let resume = Resume::from_value(json!({
            "basics": {"name": "A", "summary": "  "},
            "work": [{"name": " ", "highlights": [""]}],
            "skills": [{}]
        }))
        .unwrap();
        let page = share_html(&resume);
        assert!(!page.contains("<section"), "{page}");
        assert!(page.contains("<main>\n</main>"), "{page}");
    }

    #[test]
    fn the_stylesheet_prints_tidily_and_loads_nothing() {
        assert!(HTML_STYLE.contains("@media print{"));
        assert!(HTML_STYLE.contains("@page{"));
        assert!(HTML_STYLE.contains("body>footer{display:none}"));
        assert!(HTML_STYLE.contains("break-inside:avoid"));
        assert!(!HTML_STYLE.contains("url("), "no external resources");
        assert!(!HTML_STYLE.contains("@import"));
        assert!(!HTML_STYLE.contains("</"), "cannot close its own element");
    }

    #[test]
    fn the_notice_page_is_small_and_escaped() {
        let page = notice_html("No resume at this link", "Ask <them>.");
        assert!(page.contains("<title>No resume at this link</title>"));
        assert!(page.contains("<h1>No resume at this link</h1><p>Ask &lt;them&gt;.</p>"));
        assert!(page.contains("noindex"));
        assert!(!page.contains("og:"));
    }

    #[test]
    fn dates_outside_iso_are_text() {
        assert_eq!(date_html("2020"), "<time datetime=\"2020\">2020</time>");
        assert_eq!(date_html("2020-13"), "2020-13");
        assert_eq!(date_html("2020-02-30x"), "2020-02-30x");
        assert_eq!(date_html("<b>"), "&lt;b&gt;");
    }

    #[test]
    fn markdown_has_sections_and_bullets() {
        let md = markdown(&sample());
        assert!(
            md.starts_with("# \\<script\\>alert(1)\\</script\\>\n"),
            "{md}"
        );
        assert!(md.contains("a@example.com · Malmö, SE"));
        assert!(md.contains("## Experience\n\n### Engineer — Acme & Co\n\n*2020-01 – present*"));
        assert!(md.contains("- Shipped \"things\""));
        assert!(md.contains("## Skills\n\n### Languages\n\nRust, C++"));
    }

    /// Every linked title shows its address, since a Markdown heading
    /// carries no link; organisation links and secondary facts do not.
    #[test]
    fn markdown_shows_title_links_and_leaves_out_asides() {
        let md = markdown(&full());
        assert!(
            md.contains("### Vitae\n\n*<https://vitae.example>*"),
            "{md}"
        );
        assert!(md.contains("### Cert — Org\n\n*2021*"), "{md}");
        assert!(!md.contains("acme.example"), "{md}");
        assert!(md.contains("### MSc — CS — Uni\n\n- Algo\n"), "{md}");
        assert!(md.contains("### Ann\n\nGreat.\n"), "{md}");
        let resume = Resume::from_value(json!({
            "certificates": [{"name": "Cert", "url": "https://cert.example"}],
            "projects": [{"name": "P", "entity": "E", "keywords": ["k"]}]
        }))
        .unwrap();
        let md = markdown(&resume);
        assert!(md.contains("### Cert\n\n*<https://cert.example>*"), "{md}");
        assert!(!md.contains("E") && !md.contains("k\n"), "{md}");
    }

    /// Markdown read back by a real CommonMark parser (with GitHub's
    /// extensions on): the events it sees for a rendered resume.
    fn commonmark(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
        use pulldown_cmark::{Options, Parser};
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_GFM
            | Options::ENABLE_WIKILINKS;
        Parser::new_ext(md, options).collect()
    }

    /// The text a reader sees, paragraphs and headings joined by newlines.
    fn shown_text(events: &[pulldown_cmark::Event<'_>]) -> String {
        use pulldown_cmark::{Event, TagEnd};
        let mut out = String::new();
        for event in events {
            match event {
                Event::Text(t) => out.push_str(t),
                Event::SoftBreak | Event::HardBreak => out.push('\n'),
                Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push('\n'),
                _ => {}
            }
        }
        out
    }

    /// Values an attacker would put in a resume to get markup, script,
    /// a tracking image, a dangerous link or a forged heading into the
    /// Markdown form.
    const HOSTILE_MD: [&str; 16] = [
        "<script>alert(1)</script>",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<img src=x onerror=alert(1)>",
        "[click me](javascript:alert(1))",
        "![x](http://evil/)",
        "# Injected heading",
        "Line one\n# Injected heading\n<script>alert(2)</script>",
        "`code` and ```fence```",
        "```\nfenced\n```",
        "&lt;script&gt;alert(3)&lt;/script&gt; &#60;b&#62;",
        "<https://evil.example/autolink>",
        "Title\n===",
        "- injected item\n1. injected item\n+ another",
        "| a | b |\n|---|---|\n| c | d |",
        "    indented code\n> quoted\n~~~\nfence",
        "[ref]: https://evil.example/\n[ref] ![img][ref] [[wiki]] [^1]\n\n[^1]: note",
    ];

    fn hostile_resume() -> Resume {
        let h = |i: usize| HOSTILE_MD[i % HOSTILE_MD.len()];
        Resume::from_value(json!({
            "basics": {"name": h(0), "label": h(1), "email": h(3), "phone": h(2),
                       "url": "javascript:alert(4)", "summary": HOSTILE_MD.join("\n\n"),
                       "location": {"city": h(5), "countryCode": h(4)},
                       "profiles": [{"network": h(9), "username": h(10), "url": "javascript:x"}]},
            "work": HOSTILE_MD.iter().map(|v| json!({
                "name": v, "position": v, "location": v, "startDate": v,
                "summary": v, "highlights": [v, "ok"]})).collect::<Vec<_>>(),
            "projects": [
                {"name": h(6), "url": "javascript:alert(5)", "keywords": [h(7)]},
                {"name": "Safe", "url": "https://vitae.example/a_b"},
                {"name": "Angle", "url": "https://x.example/<script>"}
            ],
            "skills": [{"name": h(11), "keywords": [h(12), h(13)]}],
            "references": [{"name": h(14), "reference": h(15)}]
        }))
        .unwrap()
    }

    #[test]
    fn hostile_markdown_renders_as_text_only() {
        use pulldown_cmark::{Event, HeadingLevel, Tag};
        let resume = hostile_resume();
        let md = markdown(&resume);
        let events = commonmark(&md);
        let (mut h1, mut h2, mut h3, mut items) = (0, 0, 0, 0);
        for event in &events {
            match event {
                Event::Html(html) | Event::InlineHtml(html) => {
                    panic!("raw HTML survived: {html:?}\n{md}")
                }
                Event::Start(Tag::HtmlBlock) => panic!("an HTML block survived:\n{md}"),
                Event::Start(Tag::Image { dest_url, .. }) => {
                    panic!("an image survived: {dest_url:?}\n{md}")
                }
                Event::Start(Tag::Link { dest_url, .. }) => assert!(
                    safe_href(dest_url).is_some(),
                    "an unsafe link survived: {dest_url:?}\n{md}"
                ),
                Event::Start(Tag::Heading { level, .. }) => match level {
                    HeadingLevel::H1 => h1 += 1,
                    HeadingLevel::H2 => h2 += 1,
                    HeadingLevel::H3 => h3 += 1,
                    other => panic!("an injected {other:?} heading:\n{md}"),
                },
                Event::Start(Tag::Item) => items += 1,
                Event::Code(_)
                | Event::Start(
                    Tag::CodeBlock(_)
                    | Tag::Table(_)
                    | Tag::BlockQuote(_)
                    | Tag::FootnoteDefinition(_)
                    | Tag::Strikethrough,
                )
                | Event::FootnoteReference(_)
                | Event::TaskListMarker(_) => panic!("injected markup {event:?}:\n{md}"),
                _ => {}
            }
        }
        // Exactly the structure the renderer made: one name, a heading per
        // section, one per entry, and the highlights as the only items.
        let doc = document_value(&resume);
        let sections: Vec<_> = schema::reading_order()
            .map(|s| s.entries(&doc).len())
            .filter(|n| *n > 0)
            .collect();
        assert_eq!(h1, 1, "{md}");
        assert_eq!(h2, sections.len(), "{md}");
        assert_eq!(h3, sections.iter().sum::<usize>(), "{md}");
        assert_eq!(items, HOSTILE_MD.len() * 2, "{md}");
        // The only link is the safe project address; the hostile values are
        // still there for the reader, as the text that was written.
        let links: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(links, ["https://vitae.example/a_b"], "{md}");
        let text = shown_text(&events);
        for shown in [
            "<script>alert(1)</script>",
            "[click me](javascript:alert(1))",
            "![x](http://evil/)",
            "# Injected heading",
            "&lt;script&gt;alert(3)&lt;/script&gt; &#60;b&#62;",
            "| a | b |",
            "javascript:alert(5)",
            "https://x.example/<script>",
        ] {
            assert!(text.contains(shown), "{shown:?} not shown as text:\n{text}");
        }
    }

    #[test]
    fn ordinary_markdown_text_reads_as_written() {
        let sentence = "Led a team of 5 engineers, shipping 3 releases a year (C++, Rust); snake_case & AT-T 100% on-call - no pager!";
        let resume = Resume::from_value(json!({
            "basics": {"name": "Zoë Lindqvist", "label": "Staff Engineer", "summary": sentence},
            "work": [{"name": "Acme", "position": "Engineer", "highlights": [sentence]}]
        }))
        .unwrap();
        let md = markdown(&resume);
        assert!(
            md.starts_with("# Zoë Lindqvist\n\n**Staff Engineer**\n\n"),
            "{md}"
        );
        // Not over-escaped: the sentence is in the source as written, and it
        // renders to the same text.
        assert!(md.contains(&format!("\n{sentence}\n")), "{md}");
        assert!(md.contains(&format!("- {sentence}\n")), "{md}");
        let text = shown_text(&commonmark(&md));
        assert_eq!(text.matches(sentence).count(), 2, "{text}");
    }

    #[test]
    fn markdown_escapes_exactly_what_could_be_markup() {
        assert_eq!(md_inline("plain words, 100%."), "plain words, 100%.");
        assert_eq!(md_inline("# x"), "\\# x");
        assert_eq!(md_inline("2020. A year"), "2020\\. A year");
        assert_eq!(md_inline("2020-01"), "2020-01");
        assert_eq!(md_inline("a\nb\r\n- c"), "a b - c");
        assert_eq!(md_inline("![i](u)"), "\\!\\[i\\](u)");
        assert_eq!(md_inline("&amp; & x"), "\\&amp; & x");
        assert_eq!(md_inline("snake_case _em_"), "snake_case \\_em\\_");
        assert_eq!(md_prose("a\n# b\n\n  c"), "a\\\n\\# b\n\nc");
    }

    /// A resume with private details the page does not show.
    fn with_private_details() -> Value {
        json!({
            "basics": {"name": "Zoë", "label": "Engineer", "email": "z@example.com",
                       "image": "https://example.com/me.jpg",
                       "location": {"address": "Storgatan 1", "postalCode": "752 20",
                                    "city": "Uppsala", "countryCode": "SE"},
                       "profiles": [{"network": "GitHub", "username": "zoe",
                                     "url": "https://github.com/zoe", "x-note": "alt account"}],
                       "x-private": {"salary": 123456}},
            "work": [{"name": "Acme", "position": "Engineer", "highlights": ["Did"],
                      "x-private": {"salary": 98765}, "reason_for_leaving": "boss"}],
            "x-private": {"salary": 111111},
            "meta": {"canonical": "https://example.com/private.json"}
        })
    }

    #[test]
    fn the_public_view_is_what_the_page_shows() {
        let doc = with_private_details();
        let public = public_view(&doc);
        let text = public.to_string();
        for private in [
            "Storgatan",
            "752 20",
            "salary",
            "123456",
            "98765",
            "111111",
            "boss",
            "alt account",
            "me.jpg",
            "canonical",
            "x-private",
        ] {
            assert!(!text.contains(private), "{private} is public: {text}");
        }
        assert_eq!(
            public["basics"]["location"],
            json!({"city": "Uppsala", "countryCode": "SE"})
        );
        assert_eq!(
            public["basics"]["profiles"][0]["url"],
            "https://github.com/zoe"
        );
        assert_eq!(public["work"][0]["highlights"], json!(["Did"]));
        // Filtering loses nothing the page shows: the page of the public
        // view is the page of the whole document.
        let whole = Resume::from_value(doc).unwrap();
        let shown = Resume::from_value(public.clone()).unwrap();
        assert_eq!(share_html(&shown), share_html(&whole));
        // It is idempotent, and a full document's page is unchanged too.
        assert_eq!(public_view(&public), public);
        let whole = serde_json::to_value(full()).unwrap();
        let full_public = Resume::from_value(public_view(&whole)).unwrap();
        assert_eq!(share_html(&full_public), share_html(&full()));
        assert_eq!(public_view(&json!("not an object")), json!({}));
    }
}
