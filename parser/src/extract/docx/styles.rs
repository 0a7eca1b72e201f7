//! `word/styles.xml`: paragraph and character styles followed through
//! `basedOn`, heading levels and list-ness from style names in the
//! languages Word writes, and the document defaults (see the module doc of
//! the DOCX extractor for what each property becomes).

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{attr, draws_border, on_off};

#[derive(Debug, Clone, Default)]
pub(super) struct Style {
    pub(super) heading: u8,
    pub(super) list: bool,
    /// `w:numPr` in the style: Some(true) with a numbering id, Some(false)
    /// with id 0 (numbering switched off).
    pub(super) num: Option<bool>,
    pub(super) bold: Option<bool>,
    pub(super) caps: Option<bool>,
    pub(super) size: Option<f32>,
    pub(super) border_top: bool,
    pub(super) border_bottom: bool,
    pub(super) based_on: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Styles {
    pub(super) by_id: HashMap<String, Style>,
    pub(super) default_size: Option<f32>,
    pub(super) default_bold: Option<bool>,
}

impl Styles {
    /// Follow `basedOn` for the first value `get` finds (bounded against cycles).
    pub(super) fn lookup<T>(&self, id: &str, get: impl Fn(&Style) -> Option<T>) -> Option<T> {
        let mut cur = self.by_id.get(id);
        for _ in 0..16 {
            let s = cur?;
            if let Some(v) = get(s) {
                return Some(v);
            }
            cur = s.based_on.as_deref().and_then(|b| self.by_id.get(b));
        }
        None
    }

    pub(super) fn lookup_opt<T>(
        &self,
        id: Option<&str>,
        get: impl Fn(&Style) -> Option<T>,
    ) -> Option<T> {
        id.and_then(|id| self.lookup(id, get))
    }
}

/// Heading level named by a style name or id: `Title` → 1, `Heading N` →
/// N, and the localized names (and the ids Word derives from them).
pub(super) fn heading_from_name(name: &str) -> u8 {
    let lower: String = name
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect();
    const TITLES: [&str; 8] = [
        "title", "titel", "titre", "título", "titulo", "ttulo", "titolo", "tytuł",
    ];
    if TITLES.contains(&lower.as_str()) {
        return 1;
    }
    const PREFIXES: [&str; 16] = [
        "heading",
        "überschrift",
        "berschrift",
        "titre",
        "título",
        "titulo",
        "ttulo",
        "titolo",
        "kop",
        "rubrik",
        "overskrift",
        "nagłówek",
        "nagwek",
        "otsikko",
        "nadpis",
        "заголовок",
    ];
    for p in PREFIXES {
        if let Some(rest) = lower.strip_prefix(p) {
            if !rest.is_empty() && rest.len() <= 2 && rest.chars().all(|c| c.is_ascii_digit()) {
                return rest.parse::<u8>().map(|n| n.clamp(1, 6)).unwrap_or(0);
            }
        }
    }
    0
}

/// A list paragraph style by its name ("List Bullet", "List Paragraph",
/// "Aufzählungszeichen", "Liste à puces"), not "List Continue".
pub(super) fn list_from_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    (lower.contains("list") || lower.contains("aufzählung") || lower.contains("puce"))
        && !lower.contains("continue")
        && !lower.contains("fortsetzung")
        && !lower.contains("table")
}

pub(super) fn parse_styles(xml: &[u8]) -> Styles {
    let mut styles = Styles::default();
    let mut reader = Reader::from_reader(xml);
    let mut cur: Option<(String, Style)> = None;
    let mut in_defaults = false;
    let mut in_numpr = false;
    let mut in_pbdr = false;
    let mut buf = Vec::new();
    loop {
        let (ev, empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.local_name().as_ref() {
                    b"docDefaults" => in_defaults = false,
                    b"numPr" => in_numpr = false,
                    b"pBdr" => in_pbdr = false,
                    b"style" => {
                        if let Some((id, s)) = cur.take() {
                            styles.by_id.insert(id, s);
                        }
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        let e = ev;
        match e.local_name().as_ref() {
            b"style" => {
                if let Some((id, s)) = cur.take() {
                    styles.by_id.insert(id, s);
                }
                if let Some(id) = attr(&e, b"styleId") {
                    let mut s = Style::default();
                    let paragraph = attr(&e, b"type").is_none_or(|t| t == "paragraph");
                    if paragraph {
                        s.heading = heading_from_name(&id);
                    }
                    cur = Some((id, s));
                }
            }
            b"docDefaults" if !empty => in_defaults = true,
            b"name" => {
                if let (Some((_, s)), Some(name)) = (cur.as_mut(), attr(&e, b"val")) {
                    let h = heading_from_name(&name);
                    if h > 0 {
                        s.heading = h;
                    }
                    s.list |= list_from_name(&name);
                }
            }
            b"basedOn" => {
                if let Some((_, s)) = cur.as_mut() {
                    s.based_on = attr(&e, b"val");
                }
            }
            b"outlineLvl" => {
                if let (Some((_, s)), Some(v)) = (cur.as_mut(), attr(&e, b"val")) {
                    if let Ok(n) = v.parse::<u8>() {
                        if n < 9 && s.heading == 0 {
                            s.heading = n + 1;
                        }
                    }
                }
            }
            b"numPr" if !empty => in_numpr = true,
            b"numId" if in_numpr => {
                if let Some((_, s)) = cur.as_mut() {
                    s.num = Some(attr(&e, b"val").is_some_and(|v| v.trim() != "0"));
                }
            }
            b"pBdr" if !empty => in_pbdr = true,
            b"top" if in_pbdr => {
                if let Some((_, s)) = cur.as_mut() {
                    s.border_top = draws_border(&e);
                }
            }
            b"bottom" if in_pbdr => {
                if let Some((_, s)) = cur.as_mut() {
                    s.border_bottom = draws_border(&e);
                }
            }
            b"b" => {
                if let Some((_, s)) = cur.as_mut() {
                    s.bold = Some(on_off(&e));
                } else if in_defaults {
                    styles.default_bold = Some(on_off(&e));
                }
            }
            b"caps" | b"smallCaps" => {
                if let Some((_, s)) = cur.as_mut() {
                    s.caps = Some(on_off(&e));
                }
            }
            b"sz" => {
                let size = attr(&e, b"val")
                    .and_then(|v| v.parse::<f32>().ok())
                    .map(|v| v / 2.0)
                    .filter(|v| v.is_finite() && *v > 0.0);
                if let Some((_, s)) = cur.as_mut() {
                    s.size = size;
                } else if in_defaults {
                    styles.default_size = size;
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if let Some((id, s)) = cur.take() {
        styles.by_id.insert(id, s);
    }
    styles
}
