//! Places: "City, Region, Country" in any order and language, street
//! addresses with postcodes of the countries we know, and a town standing
//! alone among the contact details.

use vitae_common::resume::Location;

use crate::ir::{Line, CELL};
use crate::lang;

use super::contact::{
    find_email, find_phone, find_profile, find_url, network_by_label, segment_piece, split_contact,
};

/// A town shown alone among the contact details (`Ebern • jane@x.de •
/// 0151 …`, or a line of its own in a "Contact" block): a piece of one to
/// three capitalised words on a header line that also holds an e-mail
/// address, phone number or link, or on a plain line of a contact section,
/// that is not the name, the title, a label, a network or a section word.
pub(super) fn bare_city(
    header: &[Line],
    contact_section: &[&Line],
    name: Option<&str>,
    label: Option<&str>,
) -> Option<Location> {
    let is_contact = |p: &str| {
        find_email(p).is_some()
            || find_phone(p).is_some()
            || find_url(p).is_some()
            || find_profile(p).is_some()
    };
    let candidate = |p: &str| {
        let words: Vec<&str> = p.split_whitespace().collect();
        !words.is_empty()
            && words.len() <= 3
            && p.chars().count() <= 40
            && Some(p) != name
            && Some(p) != label
            && words.iter().all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().all(|c| c.is_alphabetic() || "'’-.".contains(c))
                    && !lang::is_role_word(w)
                    && !lang::ends_with_role_word(w)
                    && lang::section_word(w).is_none()
                    && !lang::is_level_word(w)
            })
            && network_by_label(p).is_none()
            && lang::strip_contact_label(&format!("{p}:")).is_none()
            && !name.is_some_and(|n| n.contains(p))
    };
    let pieces_of = |l: &Line| -> Vec<String> {
        l.cells()
            .flat_map(split_contact)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .flat_map(segment_piece)
            .collect()
    };
    let head: Vec<&Line> = header.iter().take(15).collect();
    let contact_line = |l: &Line| pieces_of(l).iter().any(|p| is_contact(p));
    let from_header = head.iter().enumerate().find_map(|(i, l)| {
        let pieces = pieces_of(l);
        if pieces.len() >= 2 && pieces.iter().any(|p| is_contact(p)) {
            return pieces.into_iter().find(|p| candidate(p));
        }
        // A line of its own in a stacked block of contact lines.
        let t = l.text.trim();
        let stacked = (i > 0 && contact_line(head[i - 1]))
            || head.get(i + 1).is_some_and(|n| contact_line(n));
        (pieces.len() == 1 && stacked && !l.bold && l.heading == 0 && candidate(t))
            .then(|| t.to_string())
    });
    let from_section = || {
        contact_section
            .iter()
            .filter(|l| !l.bold && l.heading == 0 && !l.bullet && !l.text.contains(CELL))
            .map(|l| l.text.trim())
            .find(|t| !is_contact(t) && candidate(t))
            .map(str::to_string)
    };
    let city = from_header.or_else(from_section)?;
    Some(Location {
        city: Some(city),
        ..Location::default()
    })
}

/// The ISO code of a country written as a name in any language
/// (`Deutschland`, `United States`, `USA`) or as a known code (`DE`).
pub(super) fn country_of(s: &str) -> Option<String> {
    let s = s.trim();
    if is_code(s) && lang::is_country_code(s) {
        return Some(s.to_string());
    }
    lang::country_code(s).map(str::to_string)
}

/// A region written out in any language (`Bayern`, `Texas`, `Ontario`).
pub(super) fn is_region_name(s: &str) -> bool {
    lang::region_country(s).is_some()
}

/// A postal abbreviation of a region (`TX`, `ON`, `NSW`).
pub(super) fn is_region_code(s: &str) -> bool {
    s.len() <= 3
        && s.chars().all(|c| c.is_ascii_uppercase())
        && lang::region_code_countries(s).next().is_some()
}

pub(super) fn is_place_word(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_alphabetic() || " .'’-".contains(c) || c.is_ascii_digit())
        && s.chars().filter(|c| c.is_ascii_digit()).count() <= 6
        && s.split_whitespace().count() <= 4
}

/// "Silvolde NL" / "Shellyburgh TN US": a place without commas, ended by a
/// known country code (and a region code before it).
pub(super) fn spaced_location(piece: &str) -> Option<Location> {
    let mut tokens: Vec<&str> = piece.split_whitespace().collect();
    let cc = *tokens.last()?;
    if tokens.len() < 2 || tokens.len() > 12 || !is_code(cc) || !lang::is_country_code(cc) {
        return None;
    }
    tokens.pop();
    // A postal code before the country ("… CA 94115 US").
    let mut postal = None;
    if tokens.len() >= 2 && is_postal(tokens[tokens.len() - 1]) {
        postal = tokens.pop().map(str::to_string);
    }
    let mut region = match tokens.last() {
        Some(r) if tokens.len() >= 2 && is_code(r) => {
            let r = r.to_string();
            tokens.pop();
            Some(r)
        }
        _ => None,
    };
    // "East Angela Tennessee US" / "California CA": a region written out.
    for n in [2, 1] {
        if tokens.len() > n {
            let tail = tokens[tokens.len() - n..].join(" ");
            if lang::region_country(&tail) == Some(cc) {
                tokens.truncate(tokens.len() - n);
                region = Some(tail);
                break;
            }
        }
    }
    // "2712 Broadway St San Francisco": the city follows the street.
    let mut address = None;
    if let Some(i) = tokens.iter().rposition(|t| is_street_word(t)) {
        if i + 1 < tokens.len()
            && tokens[..i]
                .iter()
                .any(|t| t.chars().any(|c| c.is_ascii_digit()))
        {
            address = Some(tokens[..=i].join(" "));
            tokens.drain(..=i);
        }
    }
    let city = tokens.join(" ");
    let words_ok = !tokens.is_empty()
        && tokens.len() <= 3
        && tokens.iter().all(|t| {
            t.chars().next().is_some_and(char::is_uppercase)
                && t.chars().all(|c| c.is_alphabetic() || "'.-".contains(c))
        });
    if !words_ok || tokens.iter().any(|t| is_code(t)) {
        return None;
    }
    Some(Location {
        city: Some(city),
        region,
        country_code: Some(cc.to_string()),
        address,
        postal_code: postal,
        ..Location::default()
    })
}

/// A street-type word (`St`, `Straße`, `rue`, `Calle`), any language.
pub(super) fn is_street_word(t: &str) -> bool {
    lang::is_street_word(t.trim_end_matches([',', '.']))
}

/// The most place-like of the candidates (a known country or region beats
/// two capitalised words that merely sit around a comma); the first on ties.
pub(super) fn best_location(candidates: impl Iterator<Item = Location>) -> Option<(i32, Location)> {
    let score = |l: &Location| {
        let mut s = 0;
        if l.country_code
            .as_deref()
            .is_some_and(|cc| country_of(cc).is_some())
        {
            s += 2;
        }
        if l.region
            .as_deref()
            .is_some_and(|r| is_region_code(r) || is_region_name(r))
        {
            s += 1;
        }
        if l.postal_code.is_some() {
            s += 1;
        }
        let shouting = |t: &Option<String>| {
            t.as_deref().is_some_and(|t| {
                t.len() > 12 && !t.contains(' ') && t.chars().all(|c| c.is_uppercase())
            })
        };
        if shouting(&l.city) || shouting(&l.region) {
            s -= 3;
        }
        s
    };
    let mut best: Option<(i32, Location)> = None;
    for l in candidates {
        let sc = score(&l);
        if best.as_ref().is_none_or(|(b, _)| sc > *b) {
            best = Some((sc, l));
        }
    }
    best.filter(|(s, _)| *s >= 0)
}

/// A postal code: a short token group with digits ("94115", "A9E8P9", "SW1A 1AA").
pub(super) fn is_postal(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 10
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && s.split_whitespace().count() <= 2
}

/// "TX 78701" / "ON M5V 2T6": a region's code and its postcode.
pub(super) fn is_region_postal(s: &str) -> bool {
    s.split_once(' ').is_some_and(|(code, postal)| {
        is_region_code(code) && (is_zip(postal) || is_canadian_postal(postal))
    })
}

/// A US ZIP code (`94115`, `94115-1234`).
pub(super) fn is_zip(s: &str) -> bool {
    let (five, plus) = s.split_once('-').unwrap_or((s, "0000"));
    five.len() == 5
        && five.chars().all(|c| c.is_ascii_digit())
        && plus.len() == 4
        && plus.chars().all(|c| c.is_ascii_digit())
}

/// A Canadian postal code, as one token or two (`M5V 2T6`, `M5V2T6`).
pub(super) fn is_canadian_postal(s: &str) -> bool {
    let c: Vec<char> = s.chars().filter(|c| *c != ' ').collect();
    c.len() == 6
        && s.split_whitespace().count() <= 2
        && c.iter().enumerate().all(|(i, ch)| {
            if i % 2 == 0 {
                ch.is_ascii_uppercase()
            } else {
                ch.is_ascii_digit()
            }
        })
}

/// "10115 Berlin", "75008 Paris", "28013 Madrid", "1010 Wien",
/// "D-10115 Berlin": a 4–5 digit postcode (with an optional country prefix)
/// before the town, as most of continental Europe writes it. Gives
/// (postcode, town).
pub(super) fn postal_city(part: &str) -> Option<(String, String)> {
    let part = part.trim();
    let (mut code, mut town) = part.split_once(' ')?;
    let digits = code
        .split_once('-')
        .filter(|(p, _)| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_uppercase()))
        .map_or(code, |(_, d)| d);
    let all_digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    // Portugal "1100-053 Lisboa", Poland "00-950 Warszawa".
    let dashed = digits
        .split_once('-')
        .is_some_and(|(a, b)| (all_digits(a, 4) || all_digits(a, 2)) && all_digits(b, 3));
    if !dashed && (!(4..=5).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    // The Netherlands: "1012 AB Amsterdam".
    if all_digits(digits, 4) {
        if let Some((letters, rest)) = town.split_once(' ') {
            if letters.len() == 2 && letters.chars().all(|c| c.is_ascii_uppercase()) {
                code = &part[..code.len() + 1 + letters.len()];
                town = rest;
            }
        }
    }
    let town = town.trim();
    let words = town.split_whitespace().count();
    if !(1..=4).contains(&words)
        || !is_place_word(town)
        || town.chars().any(|c| c.is_ascii_digit())
        || town.split_whitespace().all(is_code)
        || town.split_whitespace().any(is_street_word)
    {
        return None;
    }
    Some((code.to_string(), town.to_string()))
}

/// A street part of an address: a house number or a street word
/// (`Musterstraße 12`, `12 rue de la Paix`, `Calle Mayor 5`).
pub(super) fn is_street_part(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 8
        && (s.chars().any(|c| c.is_ascii_digit())
            || words.iter().any(|w| {
                is_street_word(w)
                    || w.rsplit(['-', '/'])
                        .next()
                        .is_some_and(|tail| tail != *w && is_street_word(tail))
            }))
}

/// "[street, ]10115 Berlin[, Region][, Country]": the parts from the
/// postcode-and-town part `i` on.
pub(super) fn postal_location(
    parts: &[String],
    i: usize,
    country: Option<String>,
) -> Option<Location> {
    let (postal, city) = postal_city(&parts[i])?;
    let mut loc = Location {
        postal_code: Some(postal.clone()),
        city: Some(city),
        ..Location::default()
    };
    if i > 0 {
        let address = parts[..i].join(", ");
        if !parts[..i]
            .iter()
            .all(|p| is_street_part(p) || is_place_word(p))
            || !is_street_part(&address)
        {
            return None;
        }
        loc.address = Some(address);
    }
    let after = &parts[i + 1..];
    if after.len() > 2 {
        return None;
    }
    for p in after {
        if let Some(cc) = country_of(p) {
            loc.country_code = Some(cc);
        } else if is_region_name(p) || is_region_code(p) {
            loc.region = Some(p.clone());
        } else {
            return None;
        }
    }
    if let Some(cc) = country {
        loc.country_code = country_of(&cc).or(Some(cc));
    }
    // A four-digit year before a word ("2019 Google") is no postcode unless
    // the rest says it is an address.
    let year = postal.len() == 4 && matches!(&postal[..2], "19" | "20");
    if year && loc.address.is_none() && loc.country_code.is_none() && loc.region.is_none() {
        return None;
    }
    Some(loc)
}

pub(super) fn is_code(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())
}

/// "City, Region, CC" / "City, Country" / "City, ST" / "City, ST 12345" /
/// "City, ON M5V 2T6" / "City, Region (CC)" / "City, State ST 94115 CC" /
/// "10115 Berlin" / "Musterstraße 12, 10115 Berlin" / "Berlin, Deutschland",
/// after an optional `Location:` / `Adresse:` / `Dirección:` label.
pub fn find_location(piece: &str) -> Option<Location> {
    let mut piece = piece.trim();
    if let Some((kind, rest)) = lang::strip_contact_label(piece) {
        if kind != lang::LabelKind::Location {
            return None;
        }
        piece = rest;
    }
    let piece = piece.strip_prefix("Based in ").unwrap_or(piece).trim();
    // "Region (DE)": the country in parentheses.
    let (piece, mut country) = match piece.strip_suffix(')').and_then(|p| p.rsplit_once(" (")) {
        Some((rest, cc)) if is_code(cc) || lang::country_code(cc).is_some() => {
            (rest.trim(), Some(cc.to_string()))
        }
        _ => (piece, None),
    };
    let mut parts: Vec<String> = piece
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.len() > 6 {
        return None;
    }
    if let Some(i) = parts.iter().rposition(|p| postal_city(p).is_some()) {
        if let Some(loc) = postal_location(&parts, i, country.clone()) {
            return Some(loc);
        }
    }
    if parts.len() == 1 && country.is_none() {
        return spaced_location(&parts[0]);
    }
    let mut postal: Option<String> = None;
    // Postal codes standing alone are not places.
    if parts.len() > 2 {
        // ("19, boulevard …": a house number, not a postcode.)
        if let Some(p) = parts.iter().find(|p| is_postal(p) && p.len() >= 4) {
            postal = Some(p.clone());
        }
        parts.retain(|p| !is_postal(p));
    } else if parts
        .last()
        .is_some_and(|p| is_postal(p) && !is_region_postal(p))
    {
        return None;
    }
    // The last part may carry "State ST 94115 CC" or "ON M5V 2T6": peel
    // country, postcode, state code.
    if let Some(last) = parts.last().cloned() {
        let mut tokens: Vec<&str> = last.split_whitespace().collect();
        if tokens.len() >= 2 {
            while tokens.len() > 1 {
                let n = tokens.len();
                let t = tokens[n - 1];
                if n >= 3 && is_canadian_postal(&tokens[n - 2..].join(" ")) {
                    postal = Some(tokens[n - 2..].join(" "));
                    tokens.truncate(n - 2);
                } else if t.chars().any(|c| c.is_ascii_digit()) && is_postal(t) {
                    postal = Some(t.to_string());
                    tokens.pop();
                } else if country.is_none() && is_code(t) && !(postal.is_some() && n == 2) {
                    country = Some(t.to_string());
                    tokens.pop();
                } else if country.is_some() && is_region_code(t) {
                    // "California CA": the state's code after its name.
                    tokens.pop();
                } else {
                    break;
                }
            }
            let rest = tokens.join(" ");
            if let Some(l) = parts.last_mut() {
                *l = rest;
            }
        }
    }
    if let Some(cc) = &country {
        // The peeled country stands as its own last part.
        if parts.last().is_none_or(|l| l != cc) {
            parts.push(cc.clone());
        }
    }
    // "street, City, Region, CC": only the last three parts must read as places.
    if parts.len() < 2 || parts.len() > 5 || !parts.iter().rev().take(3).all(|p| is_place_word(p)) {
        return None;
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let last = *parts.last()?;
    let country = country_of(last).or_else(|| is_code(last).then(|| last.to_string()));
    let mut loc = Location {
        postal_code: postal.clone(),
        ..Location::default()
    };
    match parts.len() {
        2 => {
            loc.city = Some(parts[0].to_string());
            // "City, ST": a state's code is a region, except the codes that
            // are also common country codes (CA, DE, IN) when no ZIP code
            // says the place is in the US.
            let us_state = is_code(last)
                && lang::region_code_countries(last).any(|c| c == "US")
                && (postal.as_deref().is_some_and(is_zip) || !matches!(last, "CA" | "DE" | "IN"));
            let ca_province = is_region_code(last)
                && lang::region_code_countries(last).any(|c| c == "CA")
                && postal.as_deref().is_some_and(is_canadian_postal);
            if us_state || ca_province {
                loc.region = Some(last.to_string());
            } else if country.is_some() {
                loc.country_code = country;
            } else {
                loc.region = Some(last.to_string());
            }
        }
        _ => {
            let n = parts.len();
            loc.city = Some(parts[n - 3].to_string());
            loc.region = Some(parts[n - 2].to_string());
            if country.is_some() {
                loc.country_code = country;
            } else {
                loc.region = Some(format!("{}, {}", parts[n - 2], last));
            }
            if n >= 4 {
                let address = parts[..n - 3].join(", ");
                // An address starts with a house number or names a street.
                if !is_street_part(&address) {
                    return None;
                }
                loc.address = Some(address);
            }
        }
    }
    // A street address does not start with a digit in the city part.
    if loc
        .city
        .as_deref()
        .is_some_and(|c| c.chars().next().is_some_and(|ch| ch.is_ascii_digit()))
    {
        return None;
    }
    Some(loc)
}
