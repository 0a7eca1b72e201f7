//! Markdown → [`Line`]s with pulldown-cmark.
//!
//! `#` and setext headings keep their level, list items are bullets (a
//! nested list's items too), paragraphs start blocks, soft and hard breaks
//! start new lines, `---` rules are recorded, table cells become cell
//! breaks. Link text is kept; a link whose text is not its target keeps the
//! target in angle brackets after it when the target is a profile or site,
//! so the basics rules can still see it.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::ir::{clean_text, Extracted, Line, CELL};

pub fn extract(text: &str) -> Extracted {
    let mut out = Builder::default();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut link_stack: Vec<(String, usize)> = Vec::new();
    for event in parser {
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    out.flush();
                    out.heading = level as u8;
                    out.block = true;
                }
                Tag::Paragraph => {
                    out.flush();
                    out.block = true;
                }
                Tag::Item => {
                    out.flush();
                    out.bullet = true;
                }
                Tag::List(_) | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::Table(_) => {
                    out.flush();
                    out.block = true;
                }
                Tag::TableRow | Tag::TableHead => out.flush(),
                Tag::Strong => out.bold_chars_start = Some(out.buf.chars().count()),
                Tag::Link { dest_url, .. } => {
                    link_stack.push((dest_url.to_string(), out.buf.len()));
                }
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item | TagEnd::TableRow => {
                    out.flush();
                }
                TagEnd::TableHead => out.flush(),
                TagEnd::TableCell => out.buf.push(CELL),
                TagEnd::Strong => {
                    if let Some(start) = out.bold_chars_start.take() {
                        out.bold_chars += out.buf.chars().count().saturating_sub(start);
                    }
                }
                TagEnd::Link => {
                    if let Some((url, start)) = link_stack.pop() {
                        let shown = out.buf.get(start..).unwrap_or("").to_string();
                        out.links.push((shown, url));
                    }
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) => out.buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {
                let (heading, bullet) = (out.heading, out.bullet);
                out.flush();
                out.heading = heading;
                // Continuation lines of a list item belong to the item.
                out.continuation = bullet;
            }
            Event::Rule => {
                out.flush();
                out.rule = true;
            }
            Event::Html(h) | Event::InlineHtml(h) if h.trim_start().starts_with("<br") => {
                out.flush();
            }
            _ => {}
        }
    }
    out.flush();
    Extracted {
        lines: out.lines,
        pages: 1,
        body_size: 0.0,
    }
}

#[derive(Default)]
struct Builder {
    lines: Vec<Line>,
    buf: String,
    heading: u8,
    bullet: bool,
    continuation: bool,
    block: bool,
    rule: bool,
    bold_chars: usize,
    bold_chars_start: Option<usize>,
    links: Vec<(String, String)>,
}

impl Builder {
    fn flush(&mut self) {
        let mut raw = std::mem::take(&mut self.buf);
        for (shown, url) in self.links.drain(..) {
            if should_show_target(&shown, &url) {
                raw.push_str(&format!(" <{url}>"));
            }
        }
        let text = clean_text(&raw);
        if !text.is_empty() {
            let total = text.chars().count().max(1);
            self.lines.push(Line {
                bold: self.bold_chars * 2 > total,
                heading: self.heading,
                bullet: self.bullet || self.continuation,
                block_start: self.block,
                rule_before: self.rule,
                text,
                ..Line::default()
            });
            self.block = false;
            self.rule = false;
            self.bullet = false;
        }
        self.heading = 0;
        self.continuation = false;
        self.bold_chars = 0;
        self.bold_chars_start = None;
    }
}

/// Keep a hidden link target when it carries information the text lacks
/// (not for `mailto:`/`tel:` whose text already is the address).
fn should_show_target(shown: &str, url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    let bare = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    let shown_l = shown.to_ascii_lowercase();
    !shown_l.contains(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_links() {
        let doc = extract("# Jane Doe\n\n- Email: [j@x.org](mailto:j@x.org)\n- GitHub: [jd](https://github.com/jd)\n\n## Acme, Engineer\n\n- 2019 – 2020\n\n---\n\nText\nmore\n");
        let l = &doc.lines;
        assert_eq!(l[0].heading, 1);
        assert_eq!(l[0].text, "Jane Doe");
        assert_eq!(l[1].text, "Email: j@x.org");
        assert!(l[1].bullet);
        assert_eq!(l[2].text, "GitHub: jd <https://github.com/jd>");
        assert_eq!(l[3].heading, 2);
        assert!(l[5].rule_before);
        assert_eq!(l[6].text, "more");
    }
}
