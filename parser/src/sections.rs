//! Section detection: which lines are section headings, and what kind of
//! section each one opens.
//!
//! A heading is recognised from its words (a vocabulary of section titles in
//! many phrasings: "Work Experience", "Employment History", "Technical
//! Skills", "Honors & Awards", …) together with a layout hint — an explicit
//! heading style, bold, larger type, ALL CAPS, a rule next to it, a trailing
//! colon, or standing alone as a block. Lines before the first heading form
//! the header (name, contact details). A document without any heading is
//! still parsed: everything is header, and [`crate::entries`] falls back to
//! finding dated entries anywhere.

use crate::ir::{Extracted, Line};
use crate::lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Summary,
    Work,
    Volunteer,
    Education,
    Skills,
    Projects,
    Awards,
    Certificates,
    Publications,
    Languages,
    Interests,
    References,
    Contact,
    /// A heading that is clearly a heading but not one we know.
    Other,
}

impl Kind {
    /// Kinds in the order that decides a title naming two ("Volunteer
    /// Experience" is volunteer, "Akademischer Werdegang" education).
    pub const PRIORITY: [Kind; 14] = [
        Kind::Volunteer,
        Kind::Education,
        Kind::Certificates,
        Kind::Publications,
        Kind::Awards,
        Kind::Projects,
        Kind::Languages,
        Kind::Skills,
        Kind::Interests,
        Kind::References,
        Kind::Work,
        Kind::Summary,
        Kind::Contact,
        Kind::Other,
    ];

    /// Position in [`Kind::PRIORITY`]: lower wins.
    pub fn rank(self) -> usize {
        Kind::PRIORITY
            .iter()
            .position(|k| *k == self)
            .unwrap_or(usize::MAX)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Summary => "summary",
            Kind::Work => "work",
            Kind::Volunteer => "volunteer",
            Kind::Education => "education",
            Kind::Skills => "skills",
            Kind::Projects => "projects",
            Kind::Awards => "awards",
            Kind::Certificates => "certificates",
            Kind::Publications => "publications",
            Kind::Languages => "languages",
            Kind::Interests => "interests",
            Kind::References => "references",
            Kind::Contact => "contact",
            Kind::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub kind: Kind,
    pub title: String,
    /// Explicit heading level of the title line (0 when styled by layout only).
    pub level: u8,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Default)]
pub struct Sectioned {
    /// Lines before the first heading (name, label, contact details), plus
    /// DOCX header/footer lines.
    pub header: Vec<Line>,
    pub sections: Vec<Section>,
    pub body_size: f32,
}

impl Sectioned {
    pub fn section(&self, kind: Kind) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.kind == kind)
    }

    /// Every line of the document, header first.
    pub fn all_lines(&self) -> impl Iterator<Item = &Line> {
        self.header
            .iter()
            .chain(self.sections.iter().flat_map(|s| s.lines.iter()))
    }
}

/// The section kind named by a heading text, if it reads like a section title.
pub fn heading_kind(text: &str) -> Option<Kind> {
    // "Work Experience(3)" / "Projects (2)": a count after the title.
    let text = text.trim();
    let text = match text.strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
        Some((title, n)) if !n.is_empty() && n.trim().chars().all(|c| c.is_ascii_digit()) => title,
        _ => text,
    };
    let norm: String = text
        .trim()
        .trim_end_matches([':', '.', ' '])
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '&' {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .to_lowercase();
    let words: Vec<&str> = norm.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    if let Some(kind) = lang::section_phrase(&words) {
        return Some(kind);
    }
    let mut kind: Option<Kind> = None;
    for w in &words {
        match lang::section_word(w) {
            // The kind with the highest priority wins.
            Some(k) => {
                kind = Some(match kind {
                    Some(prev) if prev.rank() <= k.rank() => prev,
                    _ => k,
                });
            }
            None if lang::is_heading_filler(w) || matches!(*w, "&" | "/" | "-" | "+") => {}
            None => return None,
        }
    }
    // "Work" alone is a heading; "Skills Summary" is skills; "Professional
    // Summary" summary; "Work History" work.
    if words.len() > 1 && kind == Some(Kind::Summary) {
        if let Some(other) = words
            .iter()
            .filter_map(|w| lang::section_word(w))
            .find(|k| *k != Kind::Summary)
        {
            return Some(other);
        }
    }
    kind
}

fn is_caps(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase())
}

/// How strongly a line looks like a heading by layout alone.
fn styled(line: &Line, body_size: f32) -> bool {
    line.heading > 0
        || line.bold
        || is_caps(&line.text)
        || (body_size > 0.0 && line.size > body_size * 1.1)
        || line.rule_before
        || line.text.trim_end().ends_with(':')
        || line.block_start
}

/// A running footer or header: "Page 2 of 3", "Jane Doe - Page 1 of 1", "2 / 3".
pub fn is_page_marker(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() > 10 {
        return false;
    }
    let num = |w: &str| !w.is_empty() && w.len() <= 4 && w.chars().all(|c| c.is_ascii_digit());
    let n = words.len();
    (n >= 4
        && words[n - 4] == "page"
        && num(words[n - 3])
        && words[n - 2] == "of"
        && num(words[n - 1]))
        || (n == 2 && words[0] == "page" && num(words[1]))
        || (n == 3 && num(words[0]) && words[1] == "/" && num(words[2]))
        || (n == 1 && lower.split_once('/').is_some_and(|(a, b)| num(a) && num(b)))
}

pub fn split(doc: &Extracted) -> Sectioned {
    let mut splitter = Splitter::new(doc);
    for (idx, line) in doc.lines.iter().enumerate() {
        if !is_page_marker(&line.text) {
            splitter.take(idx, line);
        }
    }
    splitter.out
}

/// The walk over a document's lines that opens sections. Each rule is one
/// method that either takes the line (returns true) or leaves it to the
/// next; the order of the rules in [`Splitter::take`] is their precedence.
struct Splitter<'a> {
    doc: &'a Extracted,
    body: f32,
    /// The heading level used for sections in documents with explicit
    /// levels (Markdown, DOCX): the level of the first vocabulary heading.
    section_level: u8,
    /// The largest type of any vocabulary title (to tell the name set in
    /// display type from a title).
    largest_title: f32,
    /// The smallest type of the section titles so far.
    title_size: f32,
    /// The current section was opened by a "Skills: a, b" line: the next
    /// labelled line may open another.
    opened_by_label: bool,
    /// The next line is the job title set right under a display-type name.
    pending_label: bool,
    out: Sectioned,
}

impl<'a> Splitter<'a> {
    fn new(doc: &'a Extracted) -> Self {
        let section_level = doc
            .lines
            .iter()
            .filter(|l| l.heading > 0 && heading_kind(&l.text).is_some())
            .map(|l| l.heading)
            .min()
            .unwrap_or(0);
        let largest_title = doc
            .lines
            .iter()
            .filter(|l| !l.text.contains(crate::ir::CELL) && heading_kind(&l.text).is_some())
            .map(|l| l.size)
            .fold(0.0f32, f32::max);
        Splitter {
            doc,
            body: doc.body_size,
            section_level,
            largest_title,
            title_size: 0.0,
            opened_by_label: false,
            pending_label: false,
            out: Sectioned {
                body_size: doc.body_size,
                ..Sectioned::default()
            },
        }
    }

    fn current(&self) -> Option<Kind> {
        self.out.sections.last().map(|s| s.kind)
    }

    fn take(&mut self, idx: usize, line: &Line) {
        if self.display_name(idx, line)
            || self.label_under_name(line)
            || self.skill_group(idx, line)
        {
            return;
        }
        // "Skills: a, b, c" under "Additional Information" or "Sonstiges":
        // a labelled line naming a list section opens that section.
        let in_loose = matches!(
            self.current(),
            Some(Kind::Contact | Kind::Other | Kind::Summary)
        ) || (self.current().is_some() && self.opened_by_label);
        self.opened_by_label = false;
        if in_loose && self.labelled_list(line) {
            return;
        }
        if line.aside && self.out.sections.is_empty() {
            self.out.header.push(line.clone());
            return;
        }
        if self.wrapped_title(idx, line) || self.gutter_heading(line) || self.heading(line) {
            return;
        }
        match self.out.sections.last_mut() {
            Some(s) => s.lines.push(line.clone()),
            None => self.out.header.push(line.clone()),
        }
    }

    /// Display type (the name) set below a sidebar that is read first: a
    /// line on the first page clearly larger than every section title and
    /// than the body belongs to the header, wherever the reading order put it.
    fn display_name(&mut self, idx: usize, line: &Line) -> bool {
        let body = self.body;
        let is_display = body > 0.0
            && line.page == 0
            && line.size >= body * 1.6
            && line.size > self.largest_title * 1.15
            && !line.bullet
            && !line.text.contains(crate::ir::CELL)
            && line.text.split_whitespace().count() <= 5
            && heading_kind(&line.text).is_none();
        if self.out.sections.is_empty() || !is_display {
            return false;
        }
        self.out.header.push(line.clone());
        // The job title set right under the name goes with it.
        if let Some(next) = self.doc.lines.get(idx + 1) {
            if next.size > body * 1.1 && !next.bullet && heading_kind(&next.text).is_none() {
                self.pending_label = true;
            }
        }
        true
    }

    fn label_under_name(&mut self, line: &Line) -> bool {
        if !self.pending_label {
            return false;
        }
        self.pending_label = false;
        self.out.header.push(line.clone());
        true
    }

    /// A skill group's title is followed by its level alone on a line or by
    /// a cloud of tags (see `Line::chunks`).
    fn group_next(&self, idx: usize) -> bool {
        self.doc.lines.get(idx + 1).is_some_and(|n| {
            (n.chunks.len() >= 2 && !n.text.contains(['@', '|', ':']))
                || matches!(
                    n.text.trim().to_lowercase().as_str(),
                    "beginner" | "novice" | "intermediate" | "advanced" | "expert" | "master"
                )
        })
    }

    /// Skill groups without a "Skills" title (a sidebar under "About"): a
    /// short title over a level or a tag cloud opens a skills section, and
    /// under skills such a title ("Languages") names a group, not a section.
    fn skill_group(&mut self, idx: usize, line: &Line) -> bool {
        let current = self.current();
        let short_title = {
            let t = line.text.trim();
            !t.is_empty()
                && t.split_whitespace().count() <= 4
                && !t.contains(['@', crate::ir::CELL])
                && !t.chars().any(|c| c.is_ascii_digit())
                && !line.bullet
        };
        if !short_title || !self.group_next(idx) {
            return false;
        }
        if matches!(current, Some(Kind::Summary | Kind::Contact))
            && heading_kind(&line.text).is_none_or(|k| k != Kind::Skills)
        {
            self.out.sections.push(Section {
                kind: Kind::Skills,
                title: String::new(),
                level: 0,
                lines: vec![line.clone()],
            });
            return true;
        }
        if current == Some(Kind::Skills) {
            if let Some(s) = self.out.sections.last_mut() {
                s.lines.push(line.clone());
            }
            return true;
        }
        false
    }

    /// "Skills: a, b, c" in a loose section opens a list section of that
    /// name holding the rest of the line.
    fn labelled_list(&mut self, line: &Line) -> bool {
        if line.bullet {
            return false;
        }
        let Some((label, rest)) = line.text.split_once(':') else {
            return false;
        };
        let kind = heading_kind(label);
        if rest.trim().is_empty()
            || rest.starts_with("//")
            || !matches!(
                kind,
                Some(Kind::Skills | Kind::Languages | Kind::Interests | Kind::Certificates)
            )
        {
            return false;
        }
        let mut rest_line = line.clone();
        rest_line.text = rest.trim().to_string();
        self.out.sections.push(Section {
            kind: kind.unwrap_or(Kind::Other),
            title: label.trim().to_string(),
            level: 0,
            lines: vec![rest_line],
        });
        self.opened_by_label = true;
        true
    }

    /// A title wrapped in a narrow column ("CONOCIMIENTOS" / "TÉCNICOS"):
    /// a line set like the title just opened, right under it, that still
    /// reads as a title when joined to it.
    fn wrapped_title(&mut self, idx: usize, line: &Line) -> bool {
        let text = line.text.trim();
        let Some(s) = self.out.sections.last_mut() else {
            return false;
        };
        let styled_like = self.doc.lines.get(idx.wrapping_sub(1)).is_some_and(|prev| {
            idx > 0
                && prev.text.trim() == s.title
                && (prev.size - line.size).abs() < 0.3
                && prev.bold == line.bold
                && is_caps(&prev.text) == is_caps(text)
        });
        if s.lines.is_empty()
            && styled_like
            && !line.block_start
            && !line.bullet
            && !text.contains(crate::ir::CELL)
            && text.split_whitespace().count() <= 3
        {
            let joined = format!("{} {}", s.title, text.trim_end_matches(':'));
            if let Some(kind) = heading_kind(&joined) {
                s.title = joined;
                s.kind = kind;
                return true;
            }
        }
        false
    }

    /// A heading in a left gutter shares its row with the first line of the
    /// section ("Work ⇥ Senior Developer"): split it off.
    fn gutter_heading(&mut self, line: &Line) -> bool {
        let text = line.text.trim();
        let Some((first, rest)) = text.split_once(crate::ir::CELL) else {
            return false;
        };
        // Skill groups are often named like sections ("Languages"); a cell
        // left of the skills' own left edge is a heading in the gutter.
        let in_skills = self.out.sections.last().is_some_and(|s| {
            let left = s
                .lines
                .iter()
                .filter(|l| l.x > 0.0)
                .map(|l| l.x)
                .fold(f32::MAX, f32::min);
            s.kind == Kind::Skills && !(line.x > 0.0 && left < f32::MAX && line.x + 10.0 < left)
        });
        let Some(kind) = heading_kind(first) else {
            return false;
        };
        let styled_cell = line.bold
            || is_caps(first)
            || (self.body > 0.0 && line.size > self.body * 1.1)
            || !self.out.sections.iter().any(|s| s.kind == kind);
        if line.bullet || !styled_cell || in_skills || kind == Kind::Contact {
            return false;
        }
        let mut rest_line = line.clone();
        rest_line.text = rest.trim().to_string();
        rest_line.x = 0.0;
        self.out.sections.push(Section {
            kind,
            title: first.trim().trim_end_matches(':').to_string(),
            level: line.heading,
            lines: vec![rest_line],
        });
        true
    }

    /// A line of its own that opens a section: a vocabulary title set as a
    /// title, or an unknown heading at the section level of a document that
    /// marks its headings explicitly.
    fn heading(&mut self, line: &Line) -> bool {
        let text = line.text.trim();
        let current = self.current();
        let section_level = self.section_level;
        let single_cell = !text.contains(crate::ir::CELL);
        let kind = if single_cell && !line.bullet {
            heading_kind(text)
        } else {
            None
        };
        // Section titles of one document share their type size: a vocabulary
        // word set clearly smaller than the titles so far ("Research" as a
        // skill group under "Skills") is a sub-heading.
        let smaller_than_titles = line.heading == 0
            && !is_caps(text)
            && !line.rule_before
            && line.size > 0.0
            && self.title_size > 0.0
            && line.size < self.title_size * 0.85;
        // In a document whose section titles carry heading styles, a plain
        // line naming a section ("Werkzeuge" over a tool list) is a group.
        let unstyled_in_styled = line.heading == 0
            && section_level > 0
            && !is_caps(text)
            && !text.ends_with(':')
            && !line.rule_before
            && matches!(current, Some(Kind::Skills | Kind::Interests))
            && self.out.sections.iter().all(|s| s.level > 0);
        let is_heading = match kind {
            Some(_) => {
                styled(line, self.body)
                    && !smaller_than_titles
                    && !unstyled_in_styled
                    && (line.heading == 0
                        || section_level == 0
                        || line.heading <= section_level
                        || self
                            .out
                            .sections
                            .last()
                            .is_none_or(|s| s.level == 0 || line.heading <= s.level))
            }
            None => {
                section_level > 0 && line.heading == section_level && !self.out.sections.is_empty()
            }
        };
        if !is_heading {
            return false;
        }
        if line.size > 0.0 && kind.is_some() {
            self.title_size = if self.title_size > 0.0 {
                self.title_size.min(line.size)
            } else {
                line.size
            };
        }
        self.out.sections.push(Section {
            kind: kind.unwrap_or(Kind::Other),
            title: text.trim_end_matches(':').to_string(),
            level: line.heading,
            lines: Vec::new(),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(text: &str, size: f32) -> Line {
        Line {
            size,
            block_start: true,
            ..Line::new(text)
        }
    }

    #[test]
    fn sub_headings_and_untitled_skill_groups() {
        let doc = Extracted {
            lines: vec![
                sized("Jane Doe", 27.0),
                sized("About", 19.5),
                sized("jane@example.com", 10.5),
                sized("Infrastructure", 10.5),
                Line {
                    chunks: vec!["Azure".into(), "Ansible".into()],
                    ..sized("Azure Ansible", 9.5)
                },
                sized("Languages", 10.5),
                sized("Expert", 9.0),
                sized("Rust C#", 9.5),
                sized("Skills", 19.5),
                sized("Research", 13.5),
                sized("Surveys", 10.5),
                sized("Education", 19.5),
            ],
            pages: 1,
            body_size: 10.5,
        };
        let s = split(&doc);
        let kinds: Vec<Kind> = s.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            vec![Kind::Summary, Kind::Skills, Kind::Skills, Kind::Education]
        );
        // "Languages" over a level is a skill group, "Research" a sub-heading.
        assert!(s.sections[1].lines.iter().any(|l| l.text == "Languages"));
        assert!(s.sections[2].lines.iter().any(|l| l.text == "Research"));
    }

    #[test]
    fn a_title_wrapped_in_a_narrow_column_is_one_title() {
        let title = |t: &str, block: bool| Line {
            size: 10.5,
            bold: true,
            block_start: block,
            ..Line::new(t)
        };
        let doc = Extracted {
            lines: vec![
                title("CONOCIMIENTOS", true),
                title("TÉCNICOS", false),
                Line {
                    size: 9.5,
                    ..Line::new("Bases de datos: Redis, MySQL")
                },
                title("IDIOMAS", true),
                Line {
                    size: 9.5,
                    ..Line::new("Español – lengua materna")
                },
            ],
            pages: 1,
            body_size: 9.5,
        };
        let s = split(&doc);
        let kinds: Vec<Kind> = s.sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![Kind::Skills, Kind::Languages]);
        assert_eq!(s.sections[0].title, "CONOCIMIENTOS TÉCNICOS");
        assert_eq!(s.sections[0].lines.len(), 1);
    }

    #[test]
    fn titles_in_every_language() {
        for (title, kind) in [
            ("Beruflicher Werdegang", Kind::Work),
            ("IT-Kenntnisse", Kind::Skills),
            ("Sprachkenntnisse", Kind::Languages),
            ("Akademischer Werdegang", Kind::Education),
            ("Expérience professionnelle", Kind::Work),
            ("Parcours professionnel", Kind::Work),
            ("Centres d'intérêt", Kind::Interests),
            ("Formación académica", Kind::Education),
            ("Experiencia laboral", Kind::Work),
            ("Idiomas", Kind::Languages),
            ("Sonstiges", Kind::Other),
        ] {
            assert_eq!(heading_kind(title), Some(kind), "{title}");
        }
    }

    #[test]
    fn vocabulary() {
        assert_eq!(heading_kind("Work Experience"), Some(Kind::Work));
        assert_eq!(heading_kind("EMPLOYMENT HISTORY"), Some(Kind::Work));
        assert_eq!(heading_kind("Technical Skills:"), Some(Kind::Skills));
        assert_eq!(heading_kind("Honors & Awards"), Some(Kind::Awards));
        assert_eq!(
            heading_kind("Licenses & Certifications"),
            Some(Kind::Certificates)
        );
        assert_eq!(heading_kind("Volunteer Experience"), Some(Kind::Volunteer));
        assert_eq!(heading_kind("Professional Summary"), Some(Kind::Summary));
        assert_eq!(heading_kind("Education"), Some(Kind::Education));
        assert_eq!(heading_kind("Acme Corp"), None);
        assert_eq!(heading_kind("Work Experience(3)"), Some(Kind::Work));
        assert_eq!(heading_kind("Profiles"), Some(Kind::Contact));
        assert_eq!(heading_kind("Projects (2)"), Some(Kind::Projects));
        assert!(is_page_marker("Jane Doe - Page 1 of 2"));
        assert!(is_page_marker("Page 3"));
        assert!(!is_page_marker("Paged 3 of 4 teams through an outage"));
        assert_eq!(heading_kind("Experienced engineer who builds things"), None);
    }
}
