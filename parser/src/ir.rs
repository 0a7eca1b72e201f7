//! The intermediate representation every extractor produces and every later
//! stage reads: a flat list of [`Line`]s in reading order, each with the
//! style hints its source format could give (heading level, bold, font size,
//! list item, vertical gap, horizontal cell breaks).
//!
//! Keeping one shape for PDF, DOCX, Markdown and text means the section and
//! field rules are written once; an extractor's only job is to fill in what
//! its format knows and leave the rest at the defaults.

/// Separator between far-apart pieces of one visual line (PDF columns of a
/// row such as "Acme Corp ⟶ 2019 – 2021", DOCX table cells, runs of spaces
/// in `pdftotext -layout` output).
pub const CELL: char = '\t';

/// One visual line of the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The text, NFKC-normalised, single spaces, cells separated by [`CELL`].
    /// A bullet glyph that started the line is removed (see `bullet`).
    pub text: String,
    /// Dominant font size in points; 0.0 when the format has none.
    pub size: f32,
    /// Most of the line's letters are bold (or the paragraph style is).
    pub bold: bool,
    /// An explicit heading level from the source (Markdown `#`, underline
    /// styles, a DOCX `Heading N` / `Title` style); 0 = none.
    pub heading: u8,
    /// A list item: the source marked it as one or it began with a bullet glyph.
    pub bullet: bool,
    /// The line starts a new block: blank line / paragraph break / vertical
    /// gap larger than the usual line spacing before it.
    pub block_start: bool,
    /// A horizontal rule (or a heading underline) came right before this line.
    pub rule_before: bool,
    /// Left edge, in points for PDF or characters for text; 0 when unknown.
    pub x: f32,
    /// 0-based page (PDF) or 0.
    pub page: usize,
    /// The line came from a page header/footer part or a side column
    /// (DOCX headers, PDF sidebar): contact details often live there.
    pub aside: bool,
    /// Pieces of the line split also at medium gaps (wider than a word
    /// space, narrower than a cell break), as between the boxed tags of a
    /// tag cloud; empty when the line has no such gap (or the format cannot
    /// tell).
    pub chunks: Vec<String>,
}

impl Line {
    pub fn new(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            ..Line::default()
        }
    }

    /// The cells of the line ([`CELL`]-separated), trimmed, empty ones dropped.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        self.text
            .split(CELL)
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The text with cells joined by a single space.
    pub fn flat(&self) -> String {
        self.cells().collect::<Vec<_>>().join(" ")
    }
}

/// What an extractor hands on.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub lines: Vec<Line>,
    /// Pages read (1 for formats without pages).
    pub pages: usize,
    /// Font size of the body text (the most common size), 0.0 when unknown.
    pub body_size: f32,
}

impl Extracted {
    /// Every line's text, one per line, cells joined by a tab.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if line.block_start && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    /// Fill in `body_size` from the lines: the size carrying the most characters.
    pub fn compute_body_size(&mut self) {
        let mut counts: Vec<(i32, usize)> = Vec::new();
        for line in &self.lines {
            if line.size <= 0.0 {
                continue;
            }
            let key = (line.size * 2.0).round() as i32;
            let n = line.text.chars().count();
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 += n,
                None => counts.push((key, n)),
            }
        }
        self.body_size = counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(k, _)| *k as f32 / 2.0)
            .unwrap_or(0.0);
    }
}

/// Bullet glyphs that start list items in every format.
pub fn is_bullet_char(c: char) -> bool {
    matches!(
        c,
        '•' | '·'
            | '▪'
            | '▫'
            | '◦'
            | '●'
            | '○'
            | '■'
            | '□'
            | '►'
            | '▸'
            | '‣'
            | '⁃'
            | '∙'
            | '➢'
            | '➤'
            | '✓'
            | '✔'
            | '❖'
            | '◆'
            | '◇'
            | '\u{f0b7}'
            | '\u{f0a7}'
            | '\u{f076}'
            | '\u{f0d8}'
            | '\u{f0fc}'
    )
}

/// Strip a leading bullet (glyph, or `-`/`*`/`+`/`–` followed by a space).
/// Returns the rest and whether a bullet was there.
pub fn strip_bullet(text: &str) -> (&str, bool) {
    let t = text.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if is_bullet_char(c) => (chars.as_str().trim_start(), true),
        Some('-' | '*' | '+' | '–' | '—') if chars.as_str().starts_with(' ') => {
            (chars.as_str().trim_start(), true)
        }
        _ => (text, false),
    }
}

/// Private-use-area characters are icon-font glyphs (Font Awesome and the
/// like); U+FFFD is an unmapped glyph. Neither is text.
pub fn is_icon_char(c: char) -> bool {
    ('\u{e000}'..='\u{f8ff}').contains(&c)
        || ('\u{f0000}'..='\u{10ffff}').contains(&c)
        || c == '\u{fffd}'
        || ('\u{1f300}'..='\u{1faff}').contains(&c)
        || ('\u{2600}'..='\u{27bf}').contains(&c) && !is_bullet_char(c)
}

/// NFKC-normalise (ligatures ﬁ → fi), drop control and icon characters,
/// collapse runs of spaces. Tabs (cell breaks) are kept.
pub fn clean_text(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.nfkc() {
        if c == CELL {
            while out.ends_with(' ') {
                out.pop();
            }
            if !out.is_empty() && !out.ends_with(CELL) {
                out.push(CELL);
            }
            pending_space = false;
            continue;
        }
        if c.is_whitespace() || c == '\u{a0}' {
            pending_space = true;
            continue;
        }
        if c.is_control() || is_icon_char(c) || c == '\u{200b}' || c == '\u{feff}' || c == '\u{ad}'
        {
            // A dropped icon still separates the words around it.
            if is_icon_char(c) {
                pending_space = true;
            }
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with(CELL) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    while out.ends_with(CELL) || out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_normalises() {
        assert_eq!(clean_text("  of\u{fb01}ce   work "), "office work");
        assert_eq!(clean_text("\u{f0e0} jane@x.org"), "jane@x.org");
        assert_eq!(clean_text("Acme\t\tJan 2020"), "Acme\tJan 2020");
        assert_eq!(clean_text("a\u{0}b"), "ab");
    }

    #[test]
    fn bullets() {
        assert_eq!(strip_bullet("• Led team"), ("Led team", true));
        assert_eq!(strip_bullet("- Led team"), ("Led team", true));
        assert_eq!(strip_bullet("-5 degrees"), ("-5 degrees", false));
        assert_eq!(strip_bullet("Led"), ("Led", false));
    }
}
