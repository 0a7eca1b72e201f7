//! Fitting styled text into terminal columns: [`wrap`] lays spans out in
//! lines of a given width (words kept whole where they fit), measuring in
//! display columns, so a CJK character takes two and a control character
//! never reaches the terminal ([`clean`]). The diff pane lays diffs out with
//! it, and the tailor screen its keyword lists and notes.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Control characters would move the terminal's cursor: show them as spaces.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Terminal columns of `c` (CJK takes two, combining marks none). Control
/// characters have no width of their own; they count as the one column of
/// the space [`Wrapper::push`] turns them into.
fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(1)
}

/// Terminal columns of `text`.
pub fn str_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// `text` cut to at most `width` columns, ending in `…` when cut.
pub fn cut_to_width(text: &str, width: usize) -> String {
    if str_width(text) <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += char_width(c);
        if used > room {
            break;
        }
        cut.push(c);
    }
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// `text` cut at the front to at most `width` columns, starting with `…`
/// when cut (for paths, whose end names the file).
pub fn cut_left_to_width(text: &str, width: usize) -> String {
    if str_width(text) <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut kept: Vec<char> = Vec::new();
    for c in text.chars().rev() {
        used += char_width(c);
        if used > room {
            break;
        }
        kept.push(c);
    }
    let mut cut = String::from(if width > 0 { "…" } else { "" });
    cut.extend(kept.into_iter().rev());
    cut
}

/// Lay `body` out in lines of at most `width` columns: the first starts with
/// `first`, the rest with `indent` spaces. Words move whole to the next line
/// unless they are longer than a line, which are cut.
pub fn wrap(
    first: Vec<Span<'static>>,
    indent: usize,
    body: Vec<Span<'static>>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut wrapper = Wrapper {
        lines: Vec::new(),
        cur_w: first.iter().map(Span::width).sum(),
        cur: first,
        fresh: true,
        width: width.max(1),
        indent: indent.min(width.saturating_sub(1)),
    };
    for span in body {
        wrapper.push(&span.content, span.style);
    }
    wrapper.finish()
}

struct Wrapper {
    lines: Vec<Line<'static>>,
    cur: Vec<Span<'static>>,
    cur_w: usize,
    /// Nothing of the body is on the current line yet.
    fresh: bool,
    width: usize,
    indent: usize,
}

impl Wrapper {
    fn newline(&mut self) {
        let spans = std::mem::take(&mut self.cur);
        self.lines.push(Line::from(spans));
        self.cur = vec![Span::raw(" ".repeat(self.indent))];
        self.cur_w = self.indent;
        self.fresh = true;
    }

    fn push(&mut self, text: &str, style: Style) {
        for piece in pieces(text) {
            let word_w = str_width(piece.trim_end_matches(' '));
            let room = self.width.saturating_sub(self.indent);
            if !self.fresh && self.cur_w + word_w > self.width && word_w <= room {
                self.newline();
            }
            let mut buf = String::new();
            for c in piece.chars() {
                let c = if c.is_control() { ' ' } else { c };
                if c == ' ' && self.fresh && buf.is_empty() {
                    continue;
                }
                let w = char_width(c);
                if self.cur_w + w > self.width {
                    if c == ' ' {
                        continue;
                    }
                    if !(self.fresh && buf.is_empty()) {
                        if !buf.is_empty() {
                            self.cur.push(Span::styled(std::mem::take(&mut buf), style));
                        }
                        self.newline();
                    }
                }
                buf.push(c);
                self.cur_w += w;
                self.fresh = false;
            }
            if !buf.is_empty() {
                self.cur.push(Span::styled(buf, style));
            }
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        let spans = std::mem::take(&mut self.cur);
        self.lines.push(Line::from(spans));
        self.lines
    }
}

/// `"Led a  team"` → `["Led ", "a  ", "team"]`: each word with the spaces
/// after it.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        let space = c == ' ';
        if in_space && !space {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_count_columns_not_characters() {
        assert_eq!(cut_to_width("abcdef", 6), "abcdef");
        assert_eq!(cut_to_width("abcdef", 4), "abc…");
        // Each of these takes two columns: three of them and `…` need 7.
        assert_eq!(cut_to_width("履歴書の写し", 7), "履歴書…");
        assert_eq!(cut_to_width("履歴書の写し", 6), "履歴…");
        assert!(str_width(&cut_to_width("履歴書の写し", 6)) <= 6);
        assert_eq!(cut_left_to_width("/home/zoë/履歴書.pdf", 11), "…履歴書.pdf");
        assert_eq!(cut_left_to_width("/home/zoë/履歴書.pdf", 9), "…歴書.pdf");
        assert_eq!(cut_to_width("abc", 0), "");
    }

    #[test]
    fn wrapping_never_loses_text_or_overflows() {
        let text = "Led a team of six engineers building the payments platform in Rust, with zero-downtime migrations";
        for width in [1, 5, 12, 30, 200] {
            let lines = wrap(vec![Span::raw("+ ")], 2, vec![Span::raw(text)], width);
            for line in &lines {
                assert!(line.width() <= width.max(3), "{width}: {line:?}");
            }
            let joined: String = lines
                .iter()
                .flat_map(|l| l.spans.iter())
                .map(|s| s.content.to_string())
                .collect();
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            assert_eq!(squeeze(&joined).trim_start_matches('+'), squeeze(text));
        }
        // Wide characters and control characters are safe.
        let lines = wrap(vec![], 0, vec![Span::raw("日本語のテキスト\u{1b}[31m")], 5);
        assert!(lines.iter().all(|l| l.width() <= 5));
    }
}
