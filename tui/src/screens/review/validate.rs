//! What a field's new value must look like before it is sent (dates,
//! emails, URLs, a non-empty name), and the format hint the fields pane
//! shows for it. The server validates too; checking here keeps a typo in
//! the edit box, with its reason, instead of a round trip.

use super::document::{member, Seg};

/// Check a new value for the field at `path` before it is sent.
pub(super) fn validate(path: &[Seg], text: &str) -> Result<(), String> {
    let name = match path.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    if path == [member("basics"), member("name")] && text.is_empty() {
        return Err("the name cannot be empty".into());
    }
    if text.is_empty() {
        return Ok(());
    }
    if name == "endDate" && !valid_date(text) {
        return Err(format!(
            "“{text}” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (2021, 2021-03, 2021-03-15), or leave it empty for “present”"
        ));
    }
    if (name.ends_with("Date") || name == "date") && !valid_date(text) {
        return Err(format!(
            "“{text}” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (2021, 2021-03, 2021-03-15); empty clears it"
        ));
    }
    if name == "email" && !valid_email(text) {
        return Err("an email needs one @ with text on both sides, like zoe@example.com".into());
    }
    if name == "url" && !valid_url(text) {
        return Err("a URL starts with http:// or https://".into());
    }
    Ok(())
}

/// What a valid value of this field looks like, for the detail line.
pub(super) fn format_hint(path: &[Seg]) -> Option<&'static str> {
    match path.last() {
        Some(Seg::Key(k)) if k == "endDate" => Some("YYYY, YYYY-MM or YYYY-MM-DD; empty = present"),
        Some(Seg::Key(k)) if k.ends_with("Date") || k == "date" => {
            Some("YYYY, YYYY-MM or YYYY-MM-DD")
        }
        Some(Seg::Key(k)) if k == "email" => Some("name@example.com"),
        Some(Seg::Key(k)) if k == "url" => Some("http(s)://…"),
        _ => None,
    }
}

fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    match parts.as_slice() {
        [year] => digits(year, 4),
        [year, month] => digits(year, 4) && digits(month, 2) && (1..=12).contains(&number(month)),
        [year, month, day] => {
            digits(year, 4)
                && digits(month, 2)
                && digits(day, 2)
                && year
                    .parse::<i32>()
                    .ok()
                    .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, number(month), number(day)))
                    .is_some()
        }
        _ => false,
    }
}

fn valid_email(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && !domain.is_empty() && !text.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

fn valid_url(text: &str) -> bool {
    ["http://", "https://"]
        .iter()
        .any(|scheme| text.len() > scheme.len() && text.starts_with(scheme))
}
