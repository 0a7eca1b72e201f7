//! Dates and date ranges as resumes write them.
//!
//! Single dates: `Jan 2020`, `January 2020`, `Jan. 2020`, `Sept 2017`,
//! `01/2020`, `1/2020`, `2020-01`, `2020/01`, `03.2020`, `2020-01-15`,
//! `2020`, `Summer 2019`. Ranges join two of them (or one and
//! `Present`/`Current`/`Now`/`Ongoing`) with `-`, `–`, `—`, `to`, `until`,
//! `till` or `→`. An end that is missing or "present" means current work:
//! the JSON Resume `endDate` stays empty. Output dates are ISO at the
//! precision shown: `2020-01` or `2020`.
//!
//! Scanning is hand-written over a token list (no regex), so a line costs
//! microseconds; [`find_range`] also returns where in the line the range is,
//! so callers can take the rest of the line as a title or place.

/// A date at the precision it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: u16,
    pub month: Option<u8>,
}

impl Date {
    /// `2020-01` or `2020`.
    pub fn iso(&self) -> String {
        match self.month {
            Some(m) => format!("{:04}-{:02}", self.year, m),
            None => format!("{:04}", self.year),
        }
    }
}

/// A range found in a line. `end == None` with `present` means "until now";
/// `end == None` without `present` is a single date (an award, a degree's end
/// when shown alone is treated by callers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub start: Date,
    pub end: Option<Date>,
    pub present: bool,
    /// Byte range of the whole expression in the scanned text.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Num(&'a str),
    Punct(char),
}

fn tokens(s: &str) -> Vec<(Tok<'_>, usize, usize)> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if c.is_alphabetic() {
            let mut end = i;
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphabetic() {
                    end = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            out.push((Tok::Word(&s[i..end]), i, end));
        } else if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = it.peek() {
                if d.is_ascii_digit() {
                    end = j + 1;
                    it.next();
                } else {
                    break;
                }
            }
            // "CS2011" is a code, not a year: digits glued to letters.
            let glued = s[..i].chars().next_back().is_some_and(char::is_alphabetic);
            if glued {
                out.push((Tok::Word(&s[i..end]), i, end));
            } else {
                out.push((Tok::Num(&s[i..end]), i, end));
            }
        } else if c.is_whitespace() {
            it.next();
        } else {
            out.push((Tok::Punct(c), i, i + c.len_utf8()));
            it.next();
        }
    }
    out
}

/// Month number for a month name or abbreviation in any language the
/// parser reads ([`crate::lang`]).
pub fn month_number(word: &str) -> Option<u8> {
    crate::lang::month_number(word)
}

fn season_month(word: &str) -> Option<u8> {
    crate::lang::season_month(word)
}

/// Tokens used by a "present" word or phrase starting at token `k`
/// (`heute`, `aujourd'hui`, `à ce jour`, `hasta la fecha`), if one does.
fn present_at(toks: &[(Tok<'_>, usize, usize)], k: usize) -> Option<usize> {
    // Phrases first: "la fecha" must not stop at a lone word.
    for phrase in crate::lang::present_phrases() {
        let mut used = 0;
        let mut matched = 0;
        while matched < phrase.len() {
            match toks.get(k + used).map(|t| t.0) {
                Some(Tok::Word(w)) if crate::lang::fold(w) == phrase[matched] => {
                    matched += 1;
                    used += 1;
                }
                // An apostrophe inside a phrase ("aujourd'hui").
                Some(Tok::Punct('\'' | '’')) if matched > 0 => used += 1,
                _ => break,
            }
        }
        if matched == phrase.len() {
            return Some(used);
        }
    }
    match toks.get(k).map(|t| t.0) {
        Some(Tok::Word(w)) if crate::lang::is_present_word(w) => Some(1),
        _ => None,
    }
}

fn year_of(num: &str) -> Option<u16> {
    if num.len() != 4 {
        return None;
    }
    let y: u16 = num.parse().ok()?;
    (1940..=2099).contains(&y).then_some(y)
}

/// A date starting at token `i`: (date, tokens used).
fn date_at(toks: &[(Tok<'_>, usize, usize)], i: usize) -> Option<(Date, usize)> {
    let tok = |k: usize| toks.get(i + k).map(|t| t.0);
    match tok(0)? {
        Tok::Word(w) => {
            let month = month_number(w).or_else(|| season_month(w))?;
            // "Jan 2020", "Jan. 2020", "Jan, 2020", "Jan '20" is not supported.
            let mut k = 1;
            if matches!(tok(k), Some(Tok::Punct('.' | ','))) {
                k += 1;
            }
            // "enero de 2024"
            if matches!(tok(k), Some(Tok::Word(w)) if crate::lang::is_month_year_link(w)) {
                k += 1;
            }
            if let Some(Tok::Num(n)) = tok(k) {
                if let Some(year) = year_of(n) {
                    return Some((
                        Date {
                            year,
                            month: Some(month),
                        },
                        k + 1,
                    ));
                }
                // LibreOffice glues a duration to the year: "Mar, 20234 years".
                if n.len() > 4 && n.is_char_boundary(4) {
                    if let (Some(year), Some(Tok::Word(unit))) = (year_of(&n[..4]), tok(k + 1)) {
                        if unit.to_lowercase().starts_with("yr")
                            || unit.to_lowercase().starts_with("year")
                            || unit.to_lowercase().starts_with("mo")
                        {
                            return Some((
                                Date {
                                    year,
                                    month: Some(month),
                                },
                                k + 1,
                            ));
                        }
                    }
                }
            }
            None
        }
        Tok::Num(n) => {
            if let Some(year) = year_of(n) {
                // 2020-01, 2020/01, 2020.01, 2020-01-15
                if let (Some(Tok::Punct('-' | '/' | '.')), Some(Tok::Num(m))) = (tok(1), tok(2)) {
                    if m.len() <= 2 {
                        if let Ok(month) = m.parse::<u8>() {
                            if (1..=12).contains(&month) {
                                let mut used = 3;
                                if let (Some(Tok::Punct(p)), Some(Tok::Num(d))) = (tok(3), tok(4)) {
                                    if Some(Tok::Punct(p)) == tok(1) && d.len() <= 2 {
                                        used = 5;
                                    }
                                }
                                return Some((
                                    Date {
                                        year,
                                        month: Some(month),
                                    },
                                    used,
                                ));
                            }
                        }
                    }
                }
                return Some((Date { year, month: None }, 1));
            }
            // 01/2020, 1/2020, 03.2020
            if n.len() <= 2 {
                if let (Some(Tok::Punct('/' | '.' | '-')), Some(Tok::Num(y))) = (tok(1), tok(2)) {
                    let month: u8 = n.parse().ok()?;
                    let year = year_of(y)?;
                    if (1..=12).contains(&month) {
                        return Some((
                            Date {
                                year,
                                month: Some(month),
                            },
                            3,
                        ));
                    }
                }
                // 15 Jan 2020
                if let Some(Tok::Word(w)) = tok(1) {
                    if month_number(w).is_some() {
                        return date_at(toks, i + 1).map(|(d, used)| (d, used + 1));
                    }
                }
            }
            None
        }
        Tok::Punct(_) => None,
    }
}

fn is_range_sep(tok: Tok<'_>) -> bool {
    match tok {
        Tok::Punct(c) => matches!(c, '-' | '–' | '—' | '‒' | '−' | '~' | '→' | '/' | '|'),
        Tok::Word(w) => crate::lang::is_range_word(w),
        Tok::Num(_) => false,
    }
}

/// Every date expression in `text`, ranges merged, in order.
pub fn find_all(text: &str) -> Vec<DateRange> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // A year directly glued to letters/digits is part of something else
        // (an id, a phone number); tokens() already splits on non-digits, so
        // guard against phone-like runs: a number right after '+' or '('.
        if let Some((start, used)) = date_at(&toks, i) {
            if preceded_by_phone_punct(&toks, i) {
                i += 1;
                continue;
            }
            let mut s_byte = toks[i].1;
            let mut j = i + used;
            let mut end_byte = toks[j - 1].2;
            let mut range = DateRange {
                start,
                end: None,
                present: false,
                span: (s_byte, end_byte),
            };
            // Optional separator, then an end date or "present".
            let mut k = j;
            let mut saw_sep = false;
            while k < toks.len() && is_range_sep(toks[k].0) && k < j + 2 {
                saw_sep = true;
                k += 1;
            }
            if saw_sep && k < toks.len() {
                if let Some(used2) = present_at(&toks, k) {
                    range.present = true;
                    end_byte = toks[k + used2 - 1].2;
                    j = k + used2;
                }
                if !range.present {
                    if let Some((end, used2)) = date_at(&toks, k) {
                        // An end without a month borrows nothing; keep as written.
                        range.end = Some(end);
                        end_byte = toks[k + used2 - 1].2;
                        j = k + used2;
                    }
                }
            }
            // "seit 03/2020", "depuis 2019", "since May 2021": an open range.
            if range.end.is_none() && !range.present && i > 0 {
                if let Tok::Word(w) = toks[i - 1].0 {
                    if crate::lang::is_since_word(w) {
                        range.present = true;
                        s_byte = toks[i - 1].1;
                    }
                }
            }
            range.span = (s_byte, end_byte);
            out.push(range);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn preceded_by_phone_punct(toks: &[(Tok<'_>, usize, usize)], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    matches!(toks[i - 1].0, Tok::Punct('+' | ')')) || matches!(toks[i - 1].0, Tok::Num(_))
}

/// The first range (or single date) in `text`.
pub fn find_range(text: &str) -> Option<DateRange> {
    find_all(text).into_iter().next()
}

/// True when the line is (almost) only a date range: what is left after
/// removing it is short punctuation or a place separated by a cell break.
pub fn is_date_line(text: &str) -> bool {
    match find_range(text) {
        Some(r) => {
            let rest = format!("{}{}", &text[..r.span.0], &text[r.span.1..]);
            rest.chars().filter(|c| c.is_alphanumeric()).count() <= 2
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<(String, Option<String>, bool)> {
        find_range(text).map(|r| (r.start.iso(), r.end.map(|d| d.iso()), r.present))
    }

    fn s(a: &str, b: Option<&str>, p: bool) -> Option<(String, Option<String>, bool)> {
        Some((a.to_string(), b.map(str::to_string), p))
    }

    #[test]
    fn every_style() {
        assert_eq!(iso("Jan 2020"), s("2020-01", None, false));
        assert_eq!(
            iso("January 2020 – March 2021"),
            s("2020-01", Some("2021-03"), false)
        );
        assert_eq!(
            iso("01/2020 - 12/2021"),
            s("2020-01", Some("2021-12"), false)
        );
        assert_eq!(
            iso("2020-01 – 2021-06"),
            s("2020-01", Some("2021-06"), false)
        );
        assert_eq!(iso("2018 — 2020"), s("2018", Some("2020"), false));
        assert_eq!(iso("Summer 2019"), s("2019-06", None, false));
        assert_eq!(iso("2019 – Present"), s("2019", None, true));
        assert_eq!(iso("Mar 2018 - Current"), s("2018-03", None, true));
        assert_eq!(
            iso("Sept 2017 to June 2019"),
            s("2017-09", Some("2019-06"), false)
        );
        assert_eq!(iso("Jan. 2020 — now"), s("2020-01", None, true));
        assert_eq!(iso("2020-01-15"), s("2020-01", None, false));
        assert_eq!(
            iso("Acme Corp, Mar, 20234 years"),
            s("2023-03", None, false)
        );
        assert_eq!(
            iso("since 3.2015 until 04.2016"),
            s("2015-03", Some("2016-04"), false)
        );
    }

    #[test]
    fn german_french_spanish_ranges() {
        assert_eq!(iso("März 2020 – heute"), s("2020-03", None, true));
        assert_eq!(iso("Okt. 2019 – dato"), s("2019-10", None, true));
        assert_eq!(
            iso("03.2020 – 05.2022"),
            s("2020-03", Some("2022-05"), false)
        );
        assert_eq!(iso("03/2020 – Heute"), s("2020-03", None, true));
        assert_eq!(iso("seit 03/2020"), s("2020-03", None, true));
        assert_eq!(iso("Seit Mai 2021"), s("2021-05", None, true));
        assert_eq!(
            iso("Januar 2018 bis Dezember 2019"),
            s("2018-01", Some("2019-12"), false)
        );
        assert_eq!(
            iso("janv. 2019 – août 2021"),
            s("2019-01", Some("2021-08"), false)
        );
        assert_eq!(iso("sept. 2020 - présent"), s("2020-09", None, true));
        assert_eq!(iso("févr. 2021 – aujourd'hui"), s("2021-02", None, true));
        assert_eq!(iso("depuis juin 2022"), s("2022-06", None, true));
        assert_eq!(iso("2019 à ce jour"), s("2019", None, true));
        assert_eq!(
            iso("ene. 2018 – dic. 2020"),
            s("2018-01", Some("2020-12"), false)
        );
        assert_eq!(iso("abril 2021 - actualidad"), s("2021-04", None, true));
        assert_eq!(iso("Mar 2022 – actual"), s("2022-03", None, true));
        assert_eq!(iso("desde 2020"), s("2020", None, true));
        assert_eq!(
            iso("enero de 2024 — septiembre de 2025"),
            s("2024-01", Some("2025-09"), false)
        );
        assert_eq!(iso("2017 hasta la fecha"), s("2017", None, true));
        assert_eq!(
            iso("2020-03 – 2021-11"),
            s("2020-03", Some("2021-11"), false)
        );
    }

    #[test]
    fn every_present_word() {
        for word in [
            "present",
            "Present",
            "current",
            "now",
            "heute",
            "Heute",
            "dato",
            "aktuell",
            "présent",
            "aujourd'hui",
            "actuel",
            "en cours",
            "actualidad",
            "actual",
            "presente",
            "la fecha",
        ] {
            let text = format!("01/2020 – {word}");
            assert_eq!(iso(&text), s("2020-01", None, true), "{text}");
        }
    }

    #[test]
    fn not_dates() {
        assert_eq!(iso("+1 555 2020 1234"), None);
        assert_eq!(iso("Mayberry Lane"), None);
        assert_eq!(iso("Raised 45% in 300 schools"), None);
    }

    #[test]
    fn date_lines() {
        assert!(is_date_line("Jan 2020 – Present"));
        assert!(is_date_line("(2019 - 2020)"));
        assert!(!is_date_line("Acme Corp 2019 - 2020"));
    }
}
