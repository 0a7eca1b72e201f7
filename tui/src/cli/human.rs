//! Human output of the subcommands: aligned tables, a readable summary of a
//! resume, a coloured diff, the tailoring match.
//!
//! Everything here returns a `String` and prints nothing, so the commands
//! decide where text goes. Text that came from the server (file names, résumé
//! fields) passes through [`clean`], because a file name with terminal escape
//! sequences must not be able to repaint the user's terminal.

use std::fmt::Write as _;

use chrono::{DateTime, Local, Utc};
use serde_json::Value;
use vitae_common::diff::{Change, ChangeKind, WordOpKind};
use vitae_common::export::TemplateResource;
use vitae_common::schema::{self, Entry, Role, When};
use vitae_common::{
    DiffResource, DiffSide, JobResource, Resume, ResumeResource, RevisionResource, ShareDetail,
    ShareResource, Status, TailorPreview,
};

use super::ids::short;

/// ANSI styling, or none: colour only when stdout is a terminal and
/// `NO_COLOR` is unset (<https://no-color.org>).
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub color: bool,
}

pub const BOLD: &str = "1";
pub const DIM: &str = "2";
pub const RED: &str = "31";
pub const GREEN: &str = "32";
pub const YELLOW: &str = "33";
pub const CYAN: &str = "36";

impl Paint {
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Control characters replaced, so server data cannot drive the terminal.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// One line: newlines and other control characters flattened to spaces,
/// then cut to `max` characters with an ellipsis.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::screens::widgets::wrap::cut_to_width(&flat, max)
}

/// An RFC 3339 time in the local zone, to the minute; the raw text when it
/// does not parse (a newer server's format is still better shown than lost).
pub fn time(rfc3339: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => clean(rfc3339),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A cell: its text and an optional colour.
pub struct Cell {
    text: String,
    code: Option<&'static str>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            code: None,
        }
    }

    pub fn colored(text: impl Into<String>, code: &'static str) -> Cell {
        Cell {
            text: text.into(),
            code: Some(code),
        }
    }
}

/// Columns padded to their widest cell, two spaces apart; the last column is
/// not padded, so long file names and URLs do not drag trailing blanks.
pub fn table(paint: Paint, headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let width = crate::screens::widgets::wrap::str_width;
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(&cell.text));
            }
        }
    }
    let last = headers.len().saturating_sub(1);
    let mut out = String::new();
    let mut line = String::new();
    for (i, h) in headers.iter().enumerate() {
        let pad = if i == last {
            0
        } else {
            widths[i] - width(h) + 2
        };
        line.push_str(&paint.paint(BOLD, h));
        line.push_str(&" ".repeat(pad));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let text = match cell.code {
                Some(code) => paint.paint(code, &cell.text),
                None => cell.text.clone(),
            };
            let w = widths.get(i).copied().unwrap_or(0);
            let pad = if i >= last {
                0
            } else {
                w.saturating_sub(width(&cell.text)) + 2
            };
            line.push_str(&text);
            line.push_str(&" ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn status_cell(status: Status) -> Cell {
    let code = match status {
        Status::Ready => GREEN,
        Status::Failed => RED,
        Status::Pending | Status::Parsing => YELLOW,
    };
    Cell::colored(status.as_str(), code)
}

/// `vitae list`.
pub fn resume_table(paint: Paint, resumes: &[ResumeResource]) -> String {
    let rows: Vec<Vec<Cell>> = resumes
        .iter()
        .map(|r| {
            let mut file = clean(&r.filename);
            if let Some(parent) = &r.parent_id {
                let _ = write!(file, " (tailored from {})", short(parent));
            }
            vec![
                Cell::new(short(&r.id)),
                status_cell(r.status),
                if r.is_master {
                    Cell::colored("★", YELLOW)
                } else {
                    Cell::new("")
                },
                Cell::new(r.revision.to_string()),
                Cell::new(time(&r.updated_at)),
                Cell::new(file),
            ]
        })
        .collect();
    table(
        paint,
        &["ID", "STATUS", "M", "REV", "UPDATED", "FILE"],
        &rows,
    )
}

/// `vitae show`: the record, then the document summarised.
pub fn show(paint: Paint, r: &ResumeResource) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}",
        paint.paint(BOLD, &r.id),
        paint.paint(BOLD, &clean(&r.filename))
    );
    let master = if r.is_master {
        format!("  {}", paint.paint(YELLOW, "★ master"))
    } else {
        String::new()
    };
    let status = status_cell(r.status);
    let _ = writeln!(
        out,
        "status    {}{master}",
        paint.paint(status.code.unwrap_or(BOLD), &status.text)
    );
    if let Some(reason) = &r.reason {
        let _ = writeln!(out, "reason    {}", paint.paint(RED, &clean(reason)));
    }
    let _ = writeln!(
        out,
        "revision  {}, updated {}, created {}",
        r.revision,
        time(&r.updated_at),
        time(&r.created_at)
    );
    let _ = writeln!(
        out,
        "file      {}, {}",
        clean(&r.content_type),
        size(r.size)
    );
    if let Some(parent) = &r.parent_id {
        let job = r
            .job_id
            .as_deref()
            .map(|j| format!(" for job {}", short(j)))
            .unwrap_or_default();
        let _ = writeln!(out, "tailored  from {}{job}", short(parent));
    }
    if let Some(language) = r.document().and_then(|d| d.language()) {
        let _ = writeln!(out, "language  {}", clean(language));
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(
            out,
            "warnings  {}",
            paint.paint(YELLOW, &r.warnings.len().to_string())
        );
        for w in &r.warnings {
            let _ = writeln!(out, "  {} {}", paint.paint(YELLOW, "!"), clean(w));
        }
    }
    match r.document() {
        Some(doc) => {
            out.push('\n');
            out.push_str(&document(paint, doc));
        }
        None if r.status == Status::Ready => {
            let _ = writeln!(out, "\n(no document in this answer)");
        }
        None => {}
    }
    out
}

fn join_some<'a>(parts: impl IntoIterator<Item = Option<&'a str>>, sep: &str) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn dates(start: Option<&str>, end: Option<&str>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("{s} – present"),
        (None, Some(e)) => format!("until {e}"),
        (None, None) => String::new(),
    }
}

/// Two columns: what, and when, aligned within a section.
fn dated_lines(out: &mut String, paint: Paint, entries: &[(String, String)]) {
    let width = entries
        .iter()
        .map(|(what, _)| crate::screens::widgets::wrap::str_width(what))
        .max()
        .unwrap_or(0);
    for (what, when) in entries {
        let pad = width - crate::screens::widgets::wrap::str_width(what);
        let line = format!("  {what}{}  {}", " ".repeat(pad), paint.paint(DIM, when));
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The sections [`document`] lists entry by entry; the others are counted.
const IN_FULL: &[&str] = &["work", "education", "skills"];

/// What and when: `MSc in Computer Science, Uppsala University` and
/// `2015 – 2017`.
fn dated_line(e: &Entry) -> (String, String) {
    let title = join_some(e.title().into_iter().map(Some), " in ");
    let what = join_some([Some(title.as_str()), e.org()], ", ");
    let when = match e.when() {
        When::Range { start, end } => dates(start, end),
        When::On(date) => date.unwrap_or_default().to_string(),
        When::Undated => String::new(),
    };
    (clean(&what), clean(&when))
}

/// A name and its tags: `Languages: Rust, Go`.
fn tagged_line(e: &Entry) -> String {
    let name = e.title().join(" ");
    let tags = e.values(Role::Tags).join(", ");
    match (name.is_empty(), tags.is_empty()) {
        (false, false) => format!("{name}: {tags}"),
        (false, true) => name,
        (true, _) => tags,
    }
}

/// The parsed document, the way a reader skims a resume.
pub fn document(paint: Paint, doc: &Resume) -> String {
    let mut out = String::new();
    let basics = doc.basics.clone().unwrap_or_default();
    let name = basics.name.as_deref().unwrap_or("(no name)");
    match basics.label.as_deref() {
        Some(label) => {
            let _ = writeln!(
                out,
                "{} — {}",
                paint.paint(BOLD, &clean(name)),
                clean(label)
            );
        }
        None => {
            let _ = writeln!(out, "{}", paint.paint(BOLD, &clean(name)));
        }
    }
    let place = basics.location.as_ref().map(|l| {
        join_some(
            [
                l.city.as_deref(),
                l.region.as_deref(),
                l.country_code.as_deref(),
            ],
            ", ",
        )
    });
    let contact = join_some(
        [
            basics.email.as_deref(),
            basics.phone.as_deref(),
            place.as_deref(),
            basics.url.as_deref(),
        ],
        " · ",
    );
    if !contact.is_empty() {
        let _ = writeln!(out, "{}", clean(&contact));
    }
    for p in &basics.profiles {
        let label = join_some([p.network.as_deref(), p.username.as_deref()], ": ");
        let label = join_some([Some(label.as_str()), p.url.as_deref()], "  ");
        if !label.is_empty() {
            let _ = writeln!(out, "{}", clean(&label));
        }
    }
    if let Some(summary) = &basics.summary {
        let _ = writeln!(out, "{}", one_line(summary, 160));
    }

    let value = serde_json::to_value(doc).unwrap_or(Value::Null);
    for section in schema::reading_order() {
        let list = section.entries(&value);
        if list.is_empty() || !IN_FULL.contains(&section.key) {
            continue;
        }
        let _ = writeln!(out, "\n{}", paint.paint(BOLD, section.title));
        if section.has(Role::Tags) {
            for e in &list {
                let _ = writeln!(out, "  {}", one_line(&tagged_line(e), 120));
            }
        } else {
            let lines: Vec<(String, String)> = list.iter().map(dated_line).collect();
            dated_lines(&mut out, paint, &lines);
        }
    }
    let rest: Vec<String> = schema::reading_order()
        .filter(|section| !IN_FULL.contains(&section.key))
        .map(|section| (section.entries(&value).len(), section.noun))
        .filter(|(n, _)| *n > 0)
        .map(|(n, (one, many))| plural(n, one, many))
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(out, "\nalso      {}", rest.join(", "));
    }
    out
}

fn side_label(side: &DiffSide) -> String {
    format!(
        "{} {} (revision {})",
        short(&side.resume_id),
        clean(&side.filename),
        side.revision
    )
}

/// A value on one line: strings bare, everything else as compact JSON
/// (which escapes control characters itself).
fn value_line(value: Option<&Value>, max: usize) -> String {
    match value {
        None | Some(Value::Null) => "∅".to_string(),
        Some(Value::String(s)) if s.trim().is_empty() => format!("{s:?}"),
        Some(Value::String(s)) => one_line(s, max),
        Some(other) => one_line(&other.to_string(), max),
    }
}

/// A value as lines for the unified form: strings as their lines, other
/// values as pretty JSON.
fn value_lines(value: Option<&Value>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.lines().map(clean).collect(),
        Some(other) => serde_json::to_string_pretty(other)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
    }
}

/// A changed string with its word diff inline: colours on a terminal,
/// git's `[-…-]{+…+}` markers otherwise.
fn words_line(paint: Paint, change: &Change) -> String {
    let mut out = String::new();
    for op in &change.words {
        let text = one_line(&op.text, 400);
        let text = if op.text.starts_with(char::is_whitespace) {
            format!(" {text}")
        } else {
            text
        };
        let text = if op.text.ends_with(char::is_whitespace) && !text.is_empty() {
            format!("{text} ")
        } else {
            text
        };
        match op.op {
            WordOpKind::Equal => out.push_str(&text),
            WordOpKind::Delete if paint.color => out.push_str(&paint.paint(RED, &text)),
            WordOpKind::Insert if paint.color => out.push_str(&paint.paint(GREEN, &text)),
            WordOpKind::Delete => {
                let _ = write!(out, "[-{text}-]");
            }
            WordOpKind::Insert => {
                let _ = write!(out, "{{+{text}+}}");
            }
        }
    }
    out
}

/// `vitae diff`: a header naming both sides, the per-section summary, then
/// the changes grouped by section (one line each, or with `unified` as
/// `-`/`+` hunks).
pub fn diff(paint: Paint, d: &DiffResource, unified: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint.paint(BOLD, &format!("--- {}", side_label(&d.before)))
    );
    let _ = writeln!(
        out,
        "{}",
        paint.paint(BOLD, &format!("+++ {}", side_label(&d.after)))
    );
    if d.diff.changes.is_empty() {
        let _ = writeln!(out, "no changes");
        return out;
    }
    let total = d.diff.summary.total.total() as usize;
    let _ = writeln!(
        out,
        "{}: {}",
        plural(total, "change", "changes"),
        d.diff.summary.describe()
    );
    let mut section: Option<String> = None;
    for change in &d.diff.changes {
        let this = change.section();
        if !unified && section.as_deref() != Some(this.as_str()) {
            let name = if this.is_empty() { "document" } else { &this };
            let _ = writeln!(out, "\n{}", paint.paint(CYAN, &format!("@@ {name} @@")));
            section = Some(this);
        }
        if unified {
            unified_hunk(&mut out, paint, change);
        } else {
            out.push_str(&change_line(paint, change));
            out.push('\n');
        }
    }
    out
}

fn change_line(paint: Paint, change: &Change) -> String {
    let path = clean(&change.path);
    match change.kind {
        ChangeKind::Added => paint.paint(
            GREEN,
            &format!("+ {path}: {}", value_line(change.after.as_ref(), 100)),
        ),
        ChangeKind::Removed => paint.paint(
            RED,
            &format!("- {path}: {}", value_line(change.before.as_ref(), 100)),
        ),
        ChangeKind::Moved => paint.paint(
            YELLOW,
            &format!(
                "↕ {path}: moved from {}",
                clean(change.from.as_deref().unwrap_or("?"))
            ),
        ),
        ChangeKind::Changed if !change.words.is_empty() => {
            format!(
                "{} {path}: {}",
                paint.paint(YELLOW, "~"),
                words_line(paint, change)
            )
        }
        ChangeKind::Changed => format!(
            "{} {path}: {} → {}",
            paint.paint(YELLOW, "~"),
            paint.paint(RED, &value_line(change.before.as_ref(), 60)),
            paint.paint(GREEN, &value_line(change.after.as_ref(), 60))
        ),
    }
}

fn unified_hunk(out: &mut String, paint: Paint, change: &Change) {
    let mut header = format!("@@ {} ({}", clean(&change.path), change.kind);
    if let Some(from) = &change.from {
        let _ = write!(header, " from {}", clean(from));
    }
    header.push_str(") @@");
    let _ = writeln!(out, "{}", paint.paint(CYAN, &header));
    if change.kind == ChangeKind::Moved {
        // The entry itself is unchanged by a move; one context line names it.
        if let Some(first) = value_lines(change.after.as_ref()).first() {
            let _ = writeln!(out, " {}", one_line(first, 100));
        }
        return;
    }
    for line in value_lines(change.before.as_ref()) {
        let _ = writeln!(out, "{}", paint.paint(RED, &format!("-{line}")));
    }
    for line in value_lines(change.after.as_ref()) {
        let _ = writeln!(out, "{}", paint.paint(GREEN, &format!("+{line}")));
    }
}

fn share_state(s: &ShareResource) -> (&'static str, &'static str) {
    if s.revoked {
        return ("revoked", RED);
    }
    match DateTime::parse_from_rfc3339(&s.expires_at) {
        Ok(t) if t.with_timezone(&Utc) <= Utc::now() => ("expired", DIM),
        _ => ("active", GREEN),
    }
}

/// `vitae shares`.
pub fn shares_table(paint: Paint, shares: &[ShareResource]) -> String {
    let rows: Vec<Vec<Cell>> = shares
        .iter()
        .map(|s| {
            let (state, code) = share_state(s);
            vec![
                Cell::new(clean(&s.token)),
                Cell::new(time(&s.expires_at)),
                Cell::new(s.access_count.to_string()),
                Cell::colored(state, code),
                Cell::new(share_shows(s)),
                Cell::new(one_line(s.label.as_deref().unwrap_or("-"), 60)),
                Cell::new(clean(&s.url)),
            ]
        })
        .collect();
    table(
        paint,
        &[
            "TOKEN", "EXPIRES", "VIEWS", "STATE", "SHOWS", "LABEL", "URL",
        ],
        &rows,
    )
}

/// What a link shows: `live` or `rev N`, and `+pw` when it asks for a
/// password.
pub fn share_shows(s: &ShareResource) -> String {
    let mut shows = match s.pinned_revision {
        Some(n) => format!("rev {n}"),
        None => "live".to_string(),
    };
    if s.has_password {
        shows.push_str(" +pw");
    }
    shows
}

/// The forms a share link serves, in the order `vitae views` shows them.
const VIEW_FORMATS: &[&str] = &["html", "pdf", "docx", "json", "md"];

/// `vitae views`: what the link is, then its views per UTC day (oldest
/// first) and per form. A form a newer server counts gets its own column
/// after the known ones rather than being lost.
pub fn share_views(paint: Paint, detail: &ShareDetail) -> String {
    let s = &detail.share;
    let (state, code) = share_state(s);
    let mut out = format!(
        "{}  {}  {}  {}\n",
        clean(&s.token),
        paint.paint(code, state),
        share_shows(s),
        one_line(s.label.as_deref().unwrap_or("(no label)"), 80)
    );
    let mut facts = Vec::new();
    if !s.hide.is_empty() {
        facts.push(format!("hides {}", clean(&s.hide.join(", "))));
    }
    if !s.allow_download {
        facts.push("page only, no downloads".to_string());
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}", facts.join("; "));
    }
    let _ = writeln!(
        out,
        "{}{}",
        plural(s.access_count as usize, "view", "views"),
        s.last_accessed_at
            .as_deref()
            .map(|t| format!(", last {}", time(t)))
            .unwrap_or_default()
    );
    if detail.views.is_empty() {
        out.push_str("no views recorded yet\n");
        return out;
    }
    let mut formats: Vec<String> = VIEW_FORMATS.iter().map(|f| f.to_string()).collect();
    for day in &detail.views {
        for name in day.formats.keys() {
            if !formats.contains(name) {
                formats.push(name.clone());
            }
        }
    }
    let mut headers = vec!["DAY (UTC)".to_string(), "VIEWS".to_string()];
    headers.extend(formats.iter().map(|f| clean(&f.to_uppercase())));
    let rows: Vec<Vec<Cell>> =
        detail
            .views
            .iter()
            .map(|day| {
                let mut row = vec![Cell::new(clean(&day.day)), Cell::new(day.total.to_string())];
                row.extend(formats.iter().map(
                    |f| match day.formats.get(f).copied().unwrap_or(0) {
                        0 => Cell::colored("0", DIM),
                        n => Cell::new(n.to_string()),
                    },
                ));
                row
            })
            .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    out.push('\n');
    out.push_str(&table(paint, &headers, &rows));
    out
}

/// `vitae revisions`.
pub fn revisions_table(paint: Paint, revisions: &[RevisionResource]) -> String {
    let rows: Vec<Vec<Cell>> = revisions
        .iter()
        .map(|r| {
            vec![
                Cell::new(r.revision.to_string()),
                Cell::new(time(&r.created_at)),
                Cell::new(one_line(&r.origin, 40)),
                Cell::new(one_line(&r.summary, 100)),
            ]
        })
        .collect();
    table(paint, &["REV", "CREATED", "ORIGIN", "CHANGES"], &rows)
}

/// `vitae job list`.
pub fn jobs_table(paint: Paint, jobs: &[JobResource]) -> String {
    let rows: Vec<Vec<Cell>> = jobs
        .iter()
        .map(|j| {
            vec![
                Cell::new(short(&j.id)),
                Cell::new(time(&j.created_at)),
                Cell::new(j.keywords.skills.len().to_string()),
                Cell::new(one_line(
                    &join_some([Some(j.title.as_str()), j.company.as_deref()], " · "),
                    100,
                )),
            ]
        })
        .collect();
    table(paint, &["ID", "CREATED", "SKILLS", "TITLE"], &rows)
}

/// `vitae account`: who, then each quota with its use.
pub fn account(paint: Paint, a: &vitae_common::AccountResource) -> String {
    let rows: Vec<Vec<Cell>> = crate::usage::rows(a)
        .into_iter()
        .map(|r| {
            vec![
                Cell::new(r.what),
                Cell::new(r.used),
                Cell::new(r.limit),
                Cell::new(r.percent.map_or(String::new(), |p| format!("{p}%"))),
            ]
        })
        .collect();
    let who = format!(
        "account {}{}\n",
        paint.paint(BOLD, &clean(&a.user)),
        if a.admin { " (admin)" } else { "" }
    );
    who + &table(paint, &["WHAT", "USED", "LIMIT", "USE"], &rows)
}

/// `vitae templates`: id, name, formats, description.
pub fn templates_table(paint: Paint, templates: &[TemplateResource]) -> String {
    let rows: Vec<Vec<Cell>> = templates
        .iter()
        .map(|t| {
            let formats: Vec<&str> = t.formats.iter().map(|f| f.as_str()).collect();
            vec![
                Cell::new(clean(&t.id)),
                Cell::new(one_line(&t.name, 40)),
                Cell::new(formats.join(",")),
                Cell::new(one_line(&t.description, 100)),
            ]
        })
        .collect();
    table(paint, &["ID", "NAME", "FORMATS", "DESCRIPTION"], &rows)
}

/// `vitae job add`: the job and what was extracted.
pub fn job(paint: Paint, j: &JobResource) -> String {
    let mut out = String::new();
    let title = join_some([Some(j.title.as_str()), j.company.as_deref()], " · ");
    let _ = writeln!(
        out,
        "job {}  {}",
        paint.paint(BOLD, short(&j.id)),
        one_line(&title, 100)
    );
    let skills = if j.keywords.skills.is_empty() {
        "none found".to_string()
    } else {
        one_line(&j.keywords.skills.join(", "), 200)
    };
    let _ = writeln!(out, "skills    {skills}");
    let mut pitch = Vec::new();
    if let Some(s) = &j.keywords.seniority {
        pitch.push(clean(s));
    }
    if let Some(y) = j.keywords.years {
        pitch.push(format!("{y}+ years"));
    }
    if !pitch.is_empty() {
        let _ = writeln!(out, "level     {}", pitch.join(", "));
    }
    out
}

fn score(n: f64) -> String {
    format!("{n:.1}")
}

/// `vitae tailor`: the keyword match, warnings and what tailoring changes.
pub fn tailor(paint: Paint, p: &TailorPreview, job: Option<&JobResource>) -> String {
    let mut out = String::new();
    let job_name = match job {
        Some(j) => format!("{} ({})", one_line(&j.title, 80), short(&j.id)),
        None => short(&p.job_id).to_string(),
    };
    let _ = writeln!(
        out,
        "tailoring {} (revision {}) for job {job_name}",
        short(&p.source_id),
        p.source_revision
    );
    let m = &p.keyword_match;
    let _ = writeln!(
        out,
        "score     {} → {}",
        score(m.score_before),
        paint.paint(BOLD, &score(m.score_after))
    );
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            one_line(&items.join(", "), 300)
        }
    };
    let _ = writeln!(out, "matched   {}", paint.paint(GREEN, &list(&m.matched)));
    let _ = writeln!(out, "missing   {}", paint.paint(RED, &list(&m.missing)));
    let _ = writeln!(out, "changes   {}", p.diff.summary.describe());
    if let Some(drafts) = &p.drafts {
        let mut have = Vec::new();
        if drafts.cover_letter.is_some() {
            have.push("cover letter");
        }
        if drafts.outreach_message.is_some() {
            have.push("outreach message");
        }
        if !have.is_empty() {
            let _ = writeln!(
                out,
                "drafts    {} (by {}; see --json)",
                have.join(", "),
                clean(&drafts.model)
            );
        }
    }
    if !p.warnings.is_empty() {
        let _ = writeln!(out, "warnings  {}", p.warnings.len());
        for w in &p.warnings {
            let _ = writeln!(out, "  {} {}", paint.paint(YELLOW, "!"), clean(w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_do_not_pad_the_last_column() {
        let plain = Paint { color: false };
        let text = table(
            plain,
            &["ID", "NAME"],
            &[
                vec![Cell::new("a"), Cell::new("x")],
                vec![Cell::new("abcdef"), Cell::new("y")],
            ],
        );
        assert_eq!(text, "ID      NAME\na       x\nabcdef  y\n");
        // Wide characters take two columns: the next column still lines up.
        let text = table(
            plain,
            &["NAME", "STATUS"],
            &[
                vec![Cell::new("履歴書.pdf"), Cell::new("ready")],
                vec![Cell::new("cv.pdf"), Cell::new("ready")],
            ],
        );
        assert_eq!(
            text,
            "NAME        STATUS\n履歴書.pdf  ready\ncv.pdf      ready\n"
        );
        assert_eq!(one_line("履歴書の写し", 7), "履歴書…");
    }

    #[test]
    fn the_shares_table_shows_what_each_link_shows_and_its_label() {
        let share =
            |token: &str, label: Option<&str>, pinned: Option<u64>, pw: bool| ShareResource {
                token: token.into(),
                url: format!("http://h/s/{token}"),
                resume_id: "r".into(),
                created_at: "2026-11-01T10:00:00Z".into(),
                expires_at: "2999-01-01T00:00:00Z".into(),
                revoked: false,
                access_count: 2,
                last_accessed_at: None,
                template: "classic".into(),
                options: Default::default(),
                label: label.map(str::to_string),
                shows: if pinned.is_some() { "pinned" } else { "live" }.into(),
                pinned_revision: pinned,
                hide: vec![],
                allow_download: true,
                has_password: pw,
            };
        let text = shares_table(
            Paint { color: false },
            &[
                share("tokA", Some("Acme Corp,\nbackend\x1b[2J"), Some(3), true),
                share("tokB", None, None, false),
            ],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].contains("SHOWS") && lines[0].contains("LABEL"),
            "{text}"
        );
        assert!(lines[1].contains("rev 3 +pw"), "{text}");
        assert!(lines[1].contains("Acme Corp, backend"), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
        assert!(
            lines[2].contains("live") && lines[2].contains(" - "),
            "{text}"
        );
    }

    #[test]
    fn views_are_listed_per_day_and_form_with_what_the_link_is() {
        let day = |day: &str, forms: &[(&str, u64)]| vitae_common::ShareDayViews {
            day: day.into(),
            total: forms.iter().map(|(_, n)| n).sum(),
            formats: forms.iter().map(|(f, n)| (f.to_string(), *n)).collect(),
        };
        let detail = ShareDetail {
            share: ShareResource {
                token: "tokA".into(),
                url: "http://h/s/tokA".into(),
                resume_id: "r".into(),
                created_at: "2026-11-01T10:00:00Z".into(),
                expires_at: "2999-01-01T00:00:00Z".into(),
                revoked: false,
                access_count: 6,
                last_accessed_at: None,
                template: "classic".into(),
                options: Default::default(),
                label: Some("Acme Corp".into()),
                shows: "pinned".into(),
                pinned_revision: Some(2),
                hide: vec!["phone".into(), "email".into()],
                allow_download: false,
                has_password: true,
            },
            views: vec![
                day("2026-11-23", &[("html", 3), ("pdf", 1)]),
                day("2026-11-24", &[("html", 1), ("epub\x1b", 1)]),
            ],
        };
        let text = share_views(Paint { color: false }, &detail);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "tokA  active  rev 2 +pw  Acme Corp", "{text}");
        assert_eq!(
            lines[1], "hides phone, email; page only, no downloads",
            "{text}"
        );
        assert_eq!(lines[2], "6 views", "{text}");
        assert_eq!(
            &lines[4..],
            [
                "DAY (UTC)   VIEWS  HTML  PDF  DOCX  JSON  MD  EPUB\u{fffd}",
                "2026-11-23  4      3     1    0     0     0   0",
                "2026-11-24  2      1     0    0     0     0   1",
            ],
            "{text}"
        );
        let empty = share_views(
            Paint { color: false },
            &ShareDetail {
                views: vec![],
                ..detail
            },
        );
        assert!(empty.ends_with("no views recorded yet\n"), "{empty}");
    }

    #[test]
    fn server_text_cannot_reach_the_terminal_raw() {
        assert_eq!(clean("a\x1b[2Jb"), "a\u{fffd}[2Jb");
        assert_eq!(one_line("a\nb   c", 10), "a b c");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
    }

    #[test]
    fn a_document_lists_work_education_and_skills_and_counts_the_rest() {
        let doc = Resume::from_value(serde_json::json!({
            "basics": {"name": "Zoë", "label": "Engineer", "email": "z@example.com",
                       "location": {"city": "Oslo", "countryCode": "NO"}},
            "work": [{"name": "Acme", "position": "Staff Engineer", "startDate": "2019"},
                     {"name": "Globex", "startDate": "2015", "endDate": "2018"}],
            "education": [{"institution": "Uni", "area": "CS", "studyType": "MSc", "endDate": "2014"}],
            "skills": [{"name": "Rust", "keywords": ["tokio", "serde"]}, {"keywords": ["Go"]}],
            "projects": [{"name": "P"}, {"name": "Q"}],
            "volunteer": [{"organization": "Club"}],
            "languages": [{"language": "Norwegian"}]
        }))
        .unwrap();
        assert_eq!(
            document(Paint { color: false }, &doc),
            "Zoë — Engineer\n\
             z@example.com · Oslo, NO\n\
             \nWork\n\
             \x20 Staff Engineer, Acme  2019 – present\n\
             \x20 Globex                2015 – 2018\n\
             \nEducation\n\
             \x20 MSc in CS, Uni  until 2014\n\
             \nSkills\n\
             \x20 Rust: tokio, serde\n\
             \x20 Go\n\
             \nalso      2 projects, 1 volunteer role, 1 language\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(Paint { color: false }.paint(RED, "x"), "x");
        assert_eq!(Paint { color: true }.paint(RED, "x"), "\x1b[31mx\x1b[0m");
    }
}
