//! One cleaner for every user string that becomes a name: a resume's
//! filename, a job title, a tailored resume's filename and `origin`, an
//! export's file name.
//!
//! A name is shown on one line: in a terminal, a log, a `Content-Disposition`
//! header, a file manager. Whatever it holds must not be able to start a new
//! line (a forged log record), steer a terminal (ANSI escapes), reorder
//! what is shown around it (bidirectional overrides: `cv\u{202e}fdp.exe`
//! shows as `cvexe.pdf`) or hide inside it (zero-width characters), and it
//! must stay short enough for a header, a file system and a screen. The
//! rule lives here once so the server and the client clean names alike;
//! [`crate::export::clean_file_name`] builds on it for path components.

/// The most characters a name keeps.
pub const MAX_NAME_CHARS: usize = 200;

/// Characters that reorder text around them: the bidirectional embeddings,
/// overrides and isolates, and the marks that only serve them.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Invisible characters with no use in a name. The zero-width joiner and
/// non-joiner are kept between letters (emoji sequences and several scripts
/// need them) but not at either end, where they only hide.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{180e}' | '\u{00ad}'
    )
}

/// Characters that end a line somewhere even though they are not
/// `char::is_control` (Unicode's line and paragraph separators).
fn breaks_line(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` as a one-line name of at most [`MAX_NAME_CHARS`] characters:
/// see [`clean_name_within`].
pub fn clean_name(text: &str) -> String {
    clean_name_within(text, MAX_NAME_CHARS)
}

/// `text` as a one-line name of at most `max_chars` characters: line breaks,
/// tabs and other whitespace runs become one space; other control
/// characters (C0, DEL, C1, so every ANSI escape), bidirectional controls
/// and invisible characters are dropped; the result is trimmed, and cut at
/// a character boundary (never inside a character) when it is too long.
pub fn clean_name_within(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut chars = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || breaks_line(c) {
            pending_space = chars > 0;
            continue;
        }
        if c.is_control() || is_bidi_control(c) || is_invisible(c) {
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if chars + needed > max_chars {
            break;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
    }
    let joiners: &[char] = &['\u{200c}', '\u{200d}'];
    let trimmed = out.trim_matches(joiners).trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }
}

/// `value` for a log field: control characters (newlines, ANSI escapes) and
/// bidirectional controls escaped as `\n`, `\u{1b}`, so a value can never
/// start a log line of its own or restyle the terminal; the text is
/// otherwise unchanged (a log should show what was sent). Use it as
/// `tracing::info!(title = %Escaped(&title), "...")`.
pub struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for c in self.0.chars() {
            if c.is_control() || is_bidi_control(c) || breaks_line(c) {
                for escaped in c.escape_default() {
                    f.write_char(escaped)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_log_line_becomes_one_line_of_text() {
        let title = "Engineer\n\u{1b}[0m2026-01-01T00:00:00Z  INFO vitae: token created admin=true";
        let clean = clean_name(title);
        assert_eq!(
            clean,
            "Engineer [0m2026-01-01T00:00:00Z INFO vitae: token created admin=true"
        );
        assert!(!clean.chars().any(char::is_control));
    }

    #[test]
    fn bidi_and_invisible_characters_are_dropped() {
        assert_eq!(clean_name("cv\u{202e}fdp.exe"), "cvfdp.exe");
        assert_eq!(clean_name("a\u{2066}b\u{2069}c\u{200b}d\u{feff}"), "abcd");
        assert_eq!(clean_name("\u{200d}x\u{200d}"), "x");
        // A joiner inside an emoji sequence stays.
        assert_eq!(clean_name("👩\u{200d}💻 dev"), "👩\u{200d}💻 dev");
        assert_eq!(clean_name("a\u{2028}b\u{85}c\u{7}d"), "a b cd");
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let long = "é".repeat(100_000);
        let clean = clean_name(&long);
        assert_eq!(clean.chars().count(), MAX_NAME_CHARS);
        assert_eq!(clean_name_within("ab cd", 3), "ab");
        assert_eq!(clean_name_within("ab  cd", 4), "ab c");
    }

    #[test]
    fn ordinary_names_pass_unchanged() {
        for name in [
            "Zoë Lindqvist",
            "Senior Engineer (Rust)",
            "履歴書",
            "cv 2024.pdf",
        ] {
            assert_eq!(clean_name(name), name);
        }
        assert_eq!(clean_name("  Staff\t\tEngineer \r\n"), "Staff Engineer");
        assert_eq!(clean_name("\n\u{1b}\u{202e}"), "");
    }

    #[test]
    fn escaped_values_stay_on_one_line() {
        let shown = Escaped("a\nb\u{1b}[31m\u{202e}c").to_string();
        assert_eq!(shown, "a\\nb\\u{1b}[31m\\u{202e}c");
        assert_eq!(format!("{:?}", Escaped("x\r")), "\"x\\r\"");
        assert_eq!(Escaped("Zoë — plain").to_string(), "Zoë — plain");
    }
}
