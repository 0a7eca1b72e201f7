//! The `basics` block: name, label, email, phone, url, location, profiles.
//!
//! Contact details are found by their shape anywhere in the header (and in a
//! "Contact" section, and as a fallback anywhere in the document): an email
//! address, a phone number of 7–15 digits in any international notation, URLs
//! (profile URLs of known networks become `profiles` with the user name; the
//! first other URL is the personal site), `Network: user` labels, and a
//! "City, Region, Country" location. The name is the most prominent line of
//! the header that reads like a person's name — not blindly the first line.

mod contact;
mod location;
mod name;

use std::collections::BTreeMap;

use vitae_common::resume::{Basics, Profile};
use vitae_common::Resume;

use crate::ir::{Line, CELL};
use crate::sections::{Kind, Sectioned};

pub use contact::{find_email, find_phone, find_profile, find_url, split_contact};
pub use location::find_location;

use contact::{is_bare_handle, is_username, network_by_label, segment_piece, unwrap_contact};
use location::{bare_city, best_location};
use name::{find_label, find_name};

pub fn fill(
    doc: &Sectioned,
    resume: &mut Resume,
    warnings: &mut Vec<String>,
    confidence: &mut BTreeMap<String, f32>,
) {
    let mut b = Basics::default();
    let contact_owned = unwrap_contact(
        doc.header
            .iter()
            .chain(doc.section(Kind::Contact).flat_map(|s| s.lines.iter())),
    );
    let contact_lines: Vec<&Line> = contact_owned.iter().collect();
    let all_owned = unwrap_contact(doc.all_lines());
    let all: Vec<&Line> = all_owned.iter().collect();

    // Contact lines are also cut at each value when their fields are
    // joined by single spaces.
    let mut head: Vec<String> = contact_pieces(&contact_lines)
        .iter()
        .flat_map(|p| segment_piece(p))
        .collect();
    // An address wrapped at the column edge: "jane.doe@example.c" / "om".
    let all_pieces = contact_pieces(&all);
    for w in all_pieces.windows(2) {
        if w[0].contains('@') && find_email(&w[0]).is_none() && !w[1].contains(' ') {
            let joined = format!("{}{}", w[0], w[1]);
            if find_email(&joined).is_some() {
                head.push(joined);
            }
        }
    }

    read_email_and_phone(&mut b, &head, &all_pieces, confidence);
    let mut consumed = vec![false; head.len()];
    read_profiles(&mut b, &head, &mut consumed);
    let sidebar_lines = sidebar_words(doc);
    read_bare_handles(&mut b, &head, &mut consumed, &contact_lines, &sidebar_lines);
    read_url(&mut b, &head, &consumed, &sidebar_lines, confidence);
    if !b.profiles.is_empty() {
        confidence.insert("basics.profiles".into(), 0.8);
    }
    let weak_location = read_location(&mut b, &head, doc);
    if b.location.is_some() {
        confidence.insert("basics.location".into(), 0.6);
    }

    let (name, name_idx) = find_name(&doc.header);
    if let Some(name) = &name {
        confidence.insert("basics.name".into(), 0.9);
        b.name = Some(name.clone());
    }
    if let Some(i) = name_idx {
        b.label = find_label(&doc.header, i);
    }
    // Two unknown words around a comma ("MySQL, Elasticsearch") yield to a
    // town standing alone among the contact details.
    if b.location.is_none() || weak_location {
        let contact_section: Vec<&Line> = doc
            .section(Kind::Contact)
            .flat_map(|s| s.lines.iter())
            .collect();
        if let Some(town) = bare_city(
            &doc.header,
            &contact_section,
            b.name.as_deref(),
            b.label.as_deref(),
        ) {
            b.location = Some(town);
            confidence.insert("basics.location".into(), 0.4);
        }
    }
    // The first summary with text: a navigation list ("About", "Work …")
    // above the document repeats the titles with nothing under them.
    if let Some(s) = doc
        .section(Kind::Summary)
        .find(|s| s.lines.iter().any(|l| !l.text.trim().is_empty()))
    {
        let text: Vec<&str> = s.lines.iter().map(|l| l.text.as_str()).collect();
        if !text.is_empty() {
            b.summary = Some(join_paragraph(&text));
        }
    }

    if b.name.is_none() {
        warnings.push("no name found".into());
    }
    if b.email.is_none() {
        warnings.push("no email found".into());
    }
    if b.phone.is_none() {
        warnings.push("no phone number found".into());
    }
    resume.basics = Some(b);
}

/// Pieces: cells and " | " / " · " separated parts of contact lines.
fn contact_pieces(lines: &[&Line]) -> Vec<String> {
    let mut v = Vec::new();
    for l in lines {
        for cell in l.text.split(CELL) {
            for part in split_contact(cell) {
                let p = part.trim();
                if !p.is_empty() {
                    v.push(p.to_string());
                }
            }
        }
    }
    v
}

/// The e-mail address and phone number: from the contact area first, then
/// anywhere (with less confidence for an address found outside it).
fn read_email_and_phone(
    b: &mut Basics,
    head: &[String],
    all_pieces: &[String],
    confidence: &mut BTreeMap<String, f32>,
) {
    b.email = head.iter().find_map(|p| find_email(p));
    if b.email.is_none() {
        b.email = all_pieces.iter().find_map(|p| find_email(p));
        if b.email.is_some() {
            confidence.insert("basics.email".into(), 0.7);
        }
    } else {
        confidence.insert("basics.email".into(), 0.99);
    }
    b.phone = head.iter().find_map(|p| find_phone(p)).or_else(|| {
        // A piece elsewhere that is nothing but a phone number (sidebars).
        all_pieces.iter().find_map(|p| {
            let phone = find_phone(p)?;
            (phone.len() * 10 >= p.trim().len() * 8).then_some(phone)
        })
    });
    if b.phone.is_some() {
        confidence.insert("basics.phone".into(), 0.9);
    }
}

/// Profiles named by their network: a label before the user name, a
/// network in brackets after it, or a profile link. Marks the pieces used.
fn read_profiles(b: &mut Basics, head: &[String], consumed: &mut [bool]) {
    for (i, p) in head.iter().enumerate() {
        // "GitHub" on one line, the user name on the next.
        let labelled = network_by_label(p).and_then(|network| {
            let next = head.get(i + 1)?;
            is_username(next).then(|| Profile {
                network: Some(network.to_string()),
                username: Some(next.trim_start_matches('@').to_string()),
                ..Profile::default()
            })
        });
        if let Some(profile) = labelled {
            b.profiles.push(profile);
            consumed[i] = true;
            if let Some(c) = consumed.get_mut(i + 1) {
                *c = true;
            }
            continue;
        }
        if consumed[i] {
            continue;
        }
        // "jdoe (GitHub)"
        if let Some((user, rest)) = p.split_once(" (") {
            if let Some(network) = network_by_label(rest.trim_end_matches(')')) {
                if is_username(user) {
                    b.profiles.push(Profile {
                        network: Some(network.to_string()),
                        username: Some(user.trim().to_string()),
                        ..Profile::default()
                    });
                    consumed[i] = true;
                    continue;
                }
            }
        }
        if let Some(profile) = find_profile(p) {
            if !b
                .profiles
                .iter()
                .any(|q| q.username == profile.username && q.network == profile.network)
            {
                b.profiles.push(profile);
            }
            consumed[i] = true;
        }
    }
}

/// One-word block starts of summary sections: a sidebar "About" block
/// lists handles and sites that way.
fn sidebar_words(doc: &Sectioned) -> Vec<String> {
    doc.sections
        .iter()
        .filter(|s| s.kind == Kind::Summary)
        .flat_map(|s| s.lines.iter())
        .filter(|l| l.block_start && !l.text.contains(' ') && !l.text.contains(CELL))
        .map(|l| l.text.clone())
        .collect()
}

/// Bare user names next to (dropped) icons: lowercase handles standing
/// alone in the contact area, or as one-word lines of a sidebar "About"
/// block. The network is unknown, so it is left out.
fn read_bare_handles(
    b: &mut Basics,
    head: &[String],
    consumed: &mut [bool],
    contact_lines: &[&Line],
    sidebar_lines: &[String],
) {
    // One-word list items of a contact block are skills or levels that
    // ran into it, not handles.
    let bullet_words: Vec<&str> = contact_lines
        .iter()
        .filter(|l| l.bullet)
        .map(|l| l.text.trim())
        .collect();
    let bare: Vec<(usize, String)> = head
        .iter()
        .enumerate()
        .filter(|(i, _)| !consumed[*i])
        .map(|(i, p)| (i, p.clone()))
        .chain(sidebar_lines.iter().map(|p| (usize::MAX, p.clone())))
        .filter(|(_, p)| is_bare_handle(p) && !bullet_words.contains(&p.as_str()))
        // A resume shows a handful of profiles; a page of lowercase words is
        // not a list of handles (and must not cost quadratic time).
        .take(8)
        .collect();
    for (i, p) in bare {
        // "jdoe · github.com/jdoe": the handle beside its own profile link.
        let handle = p.trim_start_matches('@');
        if b.profiles
            .iter()
            .any(|q| q.network.is_some() && q.username.as_deref() == Some(handle))
        {
            continue;
        }
        b.profiles.push(Profile {
            username: Some(p.trim_start_matches('@').to_string()),
            ..Profile::default()
        });
        if let Some(c) = consumed.get_mut(i) {
            *c = true;
        }
    }
}

/// The personal site: an unused link of the contact area, or a sidebar
/// line that is nothing but a (non-profile) link.
fn read_url(
    b: &mut Basics,
    head: &[String],
    consumed: &[bool],
    sidebar_lines: &[String],
    confidence: &mut BTreeMap<String, f32>,
) {
    if b.url.is_none() {
        b.url = head
            .iter()
            .enumerate()
            .filter(|(i, _)| !consumed[*i])
            .find_map(|(_, p)| find_url(p));
    }
    if b.url.is_none() {
        b.url = sidebar_lines.iter().find_map(|p| {
            let url = find_url(p)?;
            (find_profile(p).is_none() && url.len() * 10 >= p.len() * 9).then_some(url)
        });
    }
    // A site shown bare ("jane.dev", "www.jane.dev") is stored as the URL
    // it stands for, as profile URLs are.
    if let Some(url) = b.url.as_mut() {
        if !url.contains("://") && !url.starts_with("mailto:") {
            *url = format!("https://{url}");
        }
        confidence.insert("basics.url".into(), 0.8);
    }
}

/// The location: the best place among the contact pieces, else a block of
/// a summary or unnamed section that is nothing but a place. Returns
/// whether the place found is a weak guess (two unknown words around a
/// comma) that a bare town may replace.
fn read_location(b: &mut Basics, head: &[String], doc: &Sectioned) -> bool {
    let mut weak_location = false;
    b.location = best_location(head.iter().filter_map(|p| find_location(p)))
        .map(|(score, l)| {
            weak_location = score == 0;
            l
        })
        .or_else(|| {
            // A sidebar "About" block holds the contact details under a summary
            // heading: a block there that is nothing but a place, possibly
            // wrapped over a few lines of a narrow column.
            let lines: Vec<&Line> = doc
                .sections
                .iter()
                .filter(|s| matches!(s.kind, Kind::Summary | Kind::Other))
                .flat_map(|s| s.lines.iter())
                .filter(|l| !l.text.contains(CELL) && l.text.split_whitespace().count() <= 8)
                .collect();
            let mut blocks: Vec<Vec<&Line>> = Vec::new();
            for l in lines {
                match blocks.last_mut() {
                    Some(b) if !l.block_start && b.len() < 4 => b.push(l),
                    _ => blocks.push(vec![l]),
                }
            }
            let candidates = blocks.iter().flat_map(|b| {
                let joined = b
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                std::iter::once(joined).chain(b.iter().map(|l| l.text.clone()))
            });
            best_location(candidates.filter_map(|t| find_location(&t))).map(|(_, l)| l)
        });
    weak_location
}

/// Join wrapped lines of a paragraph, mending hyphenation at line ends.
pub fn join_paragraph(lines: &[&str]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.replace(CELL, " ");
        let l = l.trim();
        if out.ends_with('-') && l.chars().next().is_some_and(|c| c.is_lowercase()) {
            let before = out[..out.len() - 1].chars().last();
            if before.is_some_and(|c| c.is_alphabetic()) {
                out.pop();
                out.push_str(l);
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::name::clean_name;
    use super::*;
    use crate::lang;
    use vitae_common::resume::Location;

    #[test]
    fn portuguese_dutch_and_polish_postcodes() {
        let loc = find_location("1100-053 Lisboa").expect("a place");
        assert_eq!(loc.postal_code.as_deref(), Some("1100-053"));
        assert_eq!(loc.city.as_deref(), Some("Lisboa"));
        let loc = find_location("Keizersgracht 12, 1015 CJ Amsterdam").expect("a place");
        assert_eq!(loc.postal_code.as_deref(), Some("1015 CJ"));
        assert_eq!(loc.city.as_deref(), Some("Amsterdam"));
        assert_eq!(loc.address.as_deref(), Some("Keizersgracht 12"));
        let loc = find_location("00-950 Warszawa").expect("a place");
        assert_eq!(loc.postal_code.as_deref(), Some("00-950"));
        let loc = find_location("Calle de Alcalá 31, 28013 Madrid").expect("a place");
        assert_eq!(loc.address.as_deref(), Some("Calle de Alcalá 31"));
        assert_eq!(loc.postal_code.as_deref(), Some("28013"));
    }

    #[test]
    fn emails_phones_urls() {
        assert_eq!(
            find_email("Email: jane.doe@example.com |"),
            Some("jane.doe@example.com".into())
        );
        assert_eq!(find_email("mailto:zoe@ex.fr"), Some("zoe@ex.fr".into()));
        assert_eq!(
            find_phone("+1 (512) 555-0165"),
            Some("+1 (512) 555-0165".into())
        );
        assert_eq!(
            find_phone("Phone: +44 20 7946 0958"),
            Some("+44 20 7946 0958".into())
        );
        assert_eq!(find_phone("0176 12345678"), Some("0176 12345678".into()));
        assert_eq!(
            find_phone("+33 6 12 34 56 78"),
            Some("+33 6 12 34 56 78".into())
        );
        assert_eq!(find_phone("512.555.0165"), Some("512.555.0165".into()));
        assert_eq!(find_phone("2019 - 2021"), None);
        assert_eq!(find_phone("01/2019 – 12/2021"), None);
        assert_eq!(
            find_url("https://jane.dev/"),
            Some("https://jane.dev/".into())
        );
        assert_eq!(find_url("Built with Node.js"), None);
    }

    #[test]
    fn profiles() {
        let p = find_profile("linkedin.com/in/jane-doe").unwrap();
        assert_eq!(p.network.as_deref(), Some("LinkedIn"));
        assert_eq!(p.username.as_deref(), Some("jane-doe"));
        let p = find_profile("GitHub: zoe-a").unwrap();
        assert_eq!(p.network.as_deref(), Some("GitHub"));
        assert_eq!(p.username.as_deref(), Some("zoe-a"));
        let p = find_profile("https://github.com/JaneD").unwrap();
        assert_eq!(p.username.as_deref(), Some("JaneD"));
        assert_eq!(p.url.as_deref(), Some("https://github.com/JaneD"));
    }

    #[test]
    fn locations() {
        let l = find_location("Maryberg, SD, US").unwrap();
        assert_eq!(l.city.as_deref(), Some("Maryberg"));
        assert_eq!(l.region.as_deref(), Some("SD"));
        assert_eq!(l.country_code.as_deref(), Some("US"));
        let l = find_location("Shellyburgh TN US").unwrap();
        assert_eq!(l.region.as_deref(), Some("TN"));
        let l = find_location("Schwäbisch Hall, (DE)").unwrap();
        assert_eq!(l.city.as_deref(), Some("Schwäbisch Hall"));
        assert_eq!(l.country_code.as_deref(), Some("DE"));
        assert!(find_location("Senior Engineer AI").is_none());
        let l =
            find_location("19, boulevard de Breton, LebrunVille, Haute-Normandie (FR)").unwrap();
        assert_eq!(l.city.as_deref(), Some("LebrunVille"));
        assert_eq!(l.country_code.as_deref(), Some("FR"));
        let l = find_location("2712 Broadway St San Francisco California CA 94115 US").unwrap();
        assert_eq!(l.city.as_deref(), Some("San Francisco"));
        assert_eq!(l.region.as_deref(), Some("California"));
        let l = find_location("24741 Kerry Roads East Angela Tennessee US").unwrap();
        assert_eq!(l.city.as_deref(), Some("East Angela"));
        let l = find_location("East Angela Tennessee US").unwrap();
        assert_eq!(l.city.as_deref(), Some("East Angela"));
        assert_eq!(l.region.as_deref(), Some("Tennessee"));
        let l = find_location("Lyon, France").unwrap();
        assert_eq!(l.country_code.as_deref(), Some("FR"));
        assert!(find_location("Python, Rust, Go and more things here, ok").is_none());
        let l = find_location("San Francisco, California CA 94115 US").unwrap();
        assert_eq!(l.city.as_deref(), Some("San Francisco"));
        assert_eq!(l.region.as_deref(), Some("California"));
        assert_eq!(l.country_code.as_deref(), Some("US"));
        let l = find_location("Wolmirstedt, Baden-Württemberg (DE)").unwrap();
        assert_eq!(l.region.as_deref(), Some("Baden-Württemberg"));
        assert_eq!(l.country_code.as_deref(), Some("DE"));
        let l = find_location("Lake Ricky, CA, A9E8P9").unwrap();
        assert_eq!(l.city.as_deref(), Some("Lake Ricky"));
        assert_eq!(l.country_code.as_deref(), Some("CA"));
        assert_eq!(l.region, None);
        let l = find_location("Danielleshire, Washington US").unwrap();
        assert_eq!(l.region.as_deref(), Some("Washington"));
        assert_eq!(l.country_code.as_deref(), Some("US"));
    }

    #[test]
    fn wrapped_contacts_and_bare_handles() {
        let lines = [
            Line {
                block_start: true,
                ..Line::new("sean.jackson@example.c")
            },
            Line::new("om"),
            Line {
                block_start: true,
                ..Line::new("seanjackson")
            },
        ];
        let out = unwrap_contact(lines.iter());
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].text, "sean.jackson@example.com");
        assert!(is_bare_handle("seanjackson"));
        assert!(is_bare_handle("zbuckley52"));
        assert!(!is_bare_handle("Pharmacist"));
        assert!(!is_bare_handle("collaboration."));
        assert!(!is_bare_handle("email"));
        assert_eq!(
            find_url("http:richardhendricks.example.com").as_deref(),
            Some("http://richardhendricks.example.com")
        );
    }

    #[test]
    fn names() {
        let lines = vec![
            Line::new("Résumé"),
            Line {
                size: 20.0,
                ..Line::new("Zoë Amélie Søren")
            },
            Line::new("zoe@x.org"),
        ];
        assert_eq!(find_name(&lines).0.as_deref(), Some("Zoë Amélie Søren"));
        assert_eq!(clean_name("José García's CV"), "José García");
    }

    fn loc(city: &str, region: Option<&str>, cc: Option<&str>) -> Location {
        Location {
            city: Some(city.into()),
            region: region.map(str::to_string),
            country_code: cc.map(str::to_string),
            ..Location::default()
        }
    }

    #[test]
    fn postcodes_in_every_layout() {
        // US: "City, ST 12345" → region + postalCode, no country.
        let mut want = loc("Pleasantville", Some("CA"), None);
        want.postal_code = Some("94588".into());
        assert_eq!(find_location("Pleasantville, CA 94588"), Some(want));
        let mut want = loc("West Timothy", Some("NY"), None);
        want.postal_code = Some("16959-1234".into());
        assert_eq!(find_location("West Timothy, NY 16959-1234"), Some(want));
        // Canada: "City, ON M5V 2T6".
        let mut want = loc("Toronto", Some("ON"), None);
        want.postal_code = Some("M5V 2T6".into());
        assert_eq!(find_location("Toronto, ON M5V 2T6"), Some(want));
        // German, French, Spanish: postcode before the town.
        let want = Location {
            postal_code: Some("10115".into()),
            city: Some("Berlin".into()),
            ..Location::default()
        };
        assert_eq!(find_location("10115 Berlin"), Some(want));
        let want = Location {
            address: Some("Musterstraße 12".into()),
            postal_code: Some("10115".into()),
            city: Some("Berlin".into()),
            ..Location::default()
        };
        assert_eq!(find_location("Musterstraße 12, 10115 Berlin"), Some(want));
        let want = Location {
            address: Some("Gabriella-Wende-Ring 9".into()),
            postal_code: Some("03975".into()),
            city: Some("Seelow".into()),
            country_code: Some("DE".into()),
            ..Location::default()
        };
        assert_eq!(
            find_location("Gabriella-Wende-Ring 9, 03975 Seelow, Deutschland"),
            Some(want)
        );
        let want = Location {
            address: Some("12 rue de la Paix".into()),
            postal_code: Some("75002".into()),
            city: Some("Paris".into()),
            ..Location::default()
        };
        assert_eq!(find_location("12 rue de la Paix, 75002 Paris"), Some(want));
        let l = find_location("75008 Paris").unwrap();
        assert_eq!(
            (l.postal_code.as_deref(), l.city.as_deref()),
            (Some("75008"), Some("Paris"))
        );
        let want = Location {
            address: Some("Calle de Alcalá 45".into()),
            postal_code: Some("28013".into()),
            city: Some("Madrid".into()),
            country_code: Some("ES".into()),
            ..Location::default()
        };
        assert_eq!(
            find_location("Calle de Alcalá 45, 28013 Madrid, España"),
            Some(want)
        );
        let l = find_location("Dirección: 28013 Madrid").unwrap();
        assert_eq!(l.city.as_deref(), Some("Madrid"));
        let l = find_location("Adresse : 69002 Lyon").unwrap();
        assert_eq!(l.city.as_deref(), Some("Lyon"));
        let l = find_location("Wohnort: 80331 München").unwrap();
        assert_eq!(l.city.as_deref(), Some("München"));
        // A year before a word is no postcode.
        assert!(find_location("2019 Google").is_none());
        assert!(find_location("Node.js, .NET, Django, PyTorch").is_none());
    }

    #[test]
    fn regions_and_countries() {
        assert_eq!(
            find_location("Berlin, Deutschland"),
            Some(loc("Berlin", None, Some("DE")))
        );
        assert_eq!(
            find_location("Berlin, Bayern"),
            Some(loc("Berlin", Some("Bayern"), None))
        );
        assert_eq!(
            find_location("Lyon, France"),
            Some(loc("Lyon", None, Some("FR")))
        );
        assert_eq!(
            find_location("Sevilla, Andalucía, España"),
            Some(loc("Sevilla", Some("Andalucía"), Some("ES")))
        );
        assert_eq!(
            find_location("Genève, Suisse"),
            Some(loc("Genève", None, Some("CH")))
        );
        // A two-letter US state is a region.
        assert_eq!(
            find_location("Austin, TX"),
            Some(loc("Austin", Some("TX"), None))
        );
        assert_eq!(
            find_location("Austin, TX, USA"),
            Some(loc("Austin", Some("TX"), Some("US")))
        );
        assert_eq!(
            find_location("Austin, Texas, United States"),
            Some(loc("Austin", Some("Texas"), Some("US")))
        );
        assert_eq!(
            find_location("Location: Austin, TX"),
            Some(loc("Austin", Some("TX"), None))
        );
        let l = find_location("24741 Kerry Roads East Angela Tennessee US").unwrap();
        assert_eq!(l.city.as_deref(), Some("East Angela"));
        let l =
            find_location("2712 Broadway St, CA 94115, San Francisco, California (US)").unwrap();
        assert_eq!(l.city.as_deref(), Some("San Francisco"));
    }

    #[test]
    fn labelled_values_in_every_language() {
        for (line, want) in [
            ("Phone: (415) 555-0176", "(415) 555-0176"),
            ("Tel.: +49 (0) 30 123456", "+49 (0) 30 123456"),
            ("Telefon: 0151 12345678", "0151 12345678"),
            ("Mobil: 0176 / 1234 567", "0176 / 1234 567"),
            ("Téléphone : 06 12 34 56 78", "06 12 34 56 78"),
            ("Tél. +33 6 12 34 56 78", "+33 6 12 34 56 78"),
            ("Teléfono: +34 612 345 678", "+34 612 345 678"),
            ("Móvil: 612 34 56 78", "612 34 56 78"),
            ("+1 415 555 0176", "+1 415 555 0176"),
        ] {
            let pieces: Vec<&str> = split_contact(line);
            assert_eq!(pieces.len(), 1, "{line}");
            assert_eq!(find_phone(pieces[0]).as_deref(), Some(want), "{line}");
        }
        assert_eq!(
            find_email("E-Mail: jane@example.de").as_deref(),
            Some("jane@example.de")
        );
        assert_eq!(
            find_email("Courriel : marie@exemple.fr").as_deref(),
            Some("marie@exemple.fr")
        );
        assert_eq!(
            find_email("Correo electrónico: ana@ejemplo.es").as_deref(),
            Some("ana@ejemplo.es")
        );
        assert_eq!(
            find_url("Web: www.jane.dev").as_deref(),
            Some("www.jane.dev")
        );
        assert_eq!(
            find_url("Website: https://jane.dev").as_deref(),
            Some("https://jane.dev")
        );
        assert_eq!(find_url("Node.js, .NET"), None);
        assert_eq!(
            lang::strip_contact_label("Adresse: Musterstraße 12"),
            Some((lang::LabelKind::Location, "Musterstraße 12"))
        );
        assert_eq!(
            lang::strip_contact_label("Dirección: Calle Mayor 5"),
            Some((lang::LabelKind::Location, "Calle Mayor 5"))
        );
        assert_eq!(lang::strip_contact_label("GitHub: jdoe"), None);
    }

    #[test]
    fn phones_glued_to_other_fields() {
        // A phone followed by a space and a word is still a phone.
        assert_eq!(
            find_phone("0151 97563509 linkedin.com/in/x").as_deref(),
            Some("0151 97563509")
        );
        assert_eq!(find_phone("(415) 555-0176abc"), None);
        assert_eq!(
            split_contact("0176 / 1234 567 | jane@x.de"),
            vec!["0176 / 1234 567", "jane@x.de"]
        );
        assert_eq!(
            find_phone("06 12 34 56 78").as_deref(),
            Some("06 12 34 56 78")
        );
    }

    #[test]
    fn contact_line_joined_by_spaces() {
        let got = segment_piece(
            "Gabriella-Wende-Ring 9, 03975 Seelow krystyna@example.com 0151 97563509 \
             linkedin.com/in/krystyna gitlab.com/krystyna",
        );
        assert_eq!(
            got,
            vec![
                "Gabriella-Wende-Ring 9, 03975 Seelow",
                "krystyna@example.com",
                "0151 97563509",
                "linkedin.com/in/krystyna",
                "gitlab.com/krystyna"
            ]
        );
        let got = segment_piece("Austin, TX 78701 (512) 555-0100 Tel.: +1 415 555 0176");
        assert_eq!(
            got,
            vec![
                "Austin, TX 78701",
                "(512) 555-0100",
                "Tel.: +1 415 555 0176"
            ]
        );
        let got = segment_piece("LinkedIn: jdoe GitHub: jdoe-dev E-Mail: j@x.io");
        assert_eq!(
            got,
            vec!["LinkedIn: jdoe", "GitHub: jdoe-dev", "E-Mail: j@x.io"]
        );
        // One field, or a link shown after its text, stays whole.
        assert_eq!(segment_piece("Email: j@x.io"), vec!["Email: j@x.io"]);
        assert_eq!(
            segment_piece("GitLab: jdoe <https://gitlab.com/jdoe>"),
            vec!["GitLab: jdoe <https://gitlab.com/jdoe>"]
        );
    }

    fn contact_doc(lines: Vec<Line>) -> Resume {
        let doc = crate::sections::split(&crate::ir::Extracted {
            lines,
            pages: 1,
            body_size: 10.0,
        });
        let mut resume = Resume::default();
        fill(&doc, &mut resume, &mut Vec::new(), &mut BTreeMap::new());
        resume
    }

    #[test]
    fn several_profiles_on_one_line() {
        let r = contact_doc(vec![
            Line {
                size: 20.0,
                ..Line::new("Jane Doe")
            },
            Line::new("Musterstraße 12, 10115 Berlin\tjane@example.com\t0151 1234567\tlinkedin.com/in/jdoe | github.com/jdoe-dev"),
            Line::new("GitHub: octo | GitLab: octo2"),
        ]);
        let b = r.basics.unwrap();
        assert_eq!(b.name.as_deref(), Some("Jane Doe"));
        assert_eq!(b.email.as_deref(), Some("jane@example.com"));
        assert_eq!(b.phone.as_deref(), Some("0151 1234567"));
        let l = b.location.unwrap();
        assert_eq!(l.city.as_deref(), Some("Berlin"));
        assert_eq!(l.postal_code.as_deref(), Some("10115"));
        assert_eq!(l.address.as_deref(), Some("Musterstraße 12"));
        let users: Vec<(&str, &str, bool)> = b
            .profiles
            .iter()
            .map(|p| {
                (
                    p.network.as_deref().unwrap_or(""),
                    p.username.as_deref().unwrap_or(""),
                    p.url.is_some(),
                )
            })
            .collect();
        assert_eq!(
            users,
            vec![
                ("LinkedIn", "jdoe", true),
                ("GitHub", "jdoe-dev", true),
                ("GitHub", "octo", false),
                ("GitLab", "octo2", false)
            ]
        );
    }

    #[test]
    fn same_line_joined_by_single_spaces() {
        let r = contact_doc(vec![
            Line {
                size: 22.0,
                bold: true,
                aside: true,
                ..Line::new("Krystyna Trubin")
            },
            Line::new("Gabriella-Wende-Ring 9, 03975 Seelow krystyna@example.com 0151 97563509 linkedin.com/in/kt gitlab.com/kt2"),
        ]);
        let b = r.basics.unwrap();
        assert_eq!(b.name.as_deref(), Some("Krystyna Trubin"));
        assert_eq!(b.phone.as_deref(), Some("0151 97563509"));
        assert_eq!(b.location.unwrap().city.as_deref(), Some("Seelow"));
        assert_eq!(b.profiles.len(), 2);
    }

    #[test]
    fn french_and_spanish_headers() {
        let r = contact_doc(vec![
            Line {
                size: 20.0,
                ..Line::new("Éloïse Dubois-Martin")
            },
            Line::new("Adresse : 12 rue de la Paix, 75002 Paris • Téléphone : 06 12 34 56 78 • Courriel : eloise@exemple.fr"),
        ]);
        let b = r.basics.unwrap();
        assert_eq!(b.name.as_deref(), Some("Éloïse Dubois-Martin"));
        assert_eq!(b.phone.as_deref(), Some("06 12 34 56 78"));
        assert_eq!(b.email.as_deref(), Some("eloise@exemple.fr"));
        let l = b.location.unwrap();
        assert_eq!(
            (l.city.as_deref(), l.postal_code.as_deref()),
            (Some("Paris"), Some("75002"))
        );
        let r = contact_doc(vec![
            Line {
                size: 20.0,
                ..Line::new("José Ángel Núñez")
            },
            Line::new("Teléfono: +34 612 345 678 | Correo: jose@ejemplo.es | Dirección: Calle Mayor 5, 28013 Madrid"),
        ]);
        let b = r.basics.unwrap();
        assert_eq!(b.name.as_deref(), Some("José Ángel Núñez"));
        assert_eq!(b.phone.as_deref(), Some("+34 612 345 678"));
        let l = b.location.unwrap();
        assert_eq!(
            (l.city.as_deref(), l.address.as_deref()),
            (Some("Madrid"), Some("Calle Mayor 5"))
        );
    }

    #[test]
    fn name_on_two_lines_and_town_alone() {
        let row = |x: f32, t: &str| Line {
            x,
            size: 10.0,
            ..Line::new(t)
        };
        let header = vec![
            row(
                45.0,
                "James Robert\tWest Waynefurt, New York, United States",
            ),
            row(45.0, "O'Connor-Whitfield\tjames@example.com"),
            row(45.0, "Machine Learning Engineer\tLinkedIn: jro"),
        ];
        let (name, idx) = find_name(&header);
        assert_eq!(name.as_deref(), Some("James Robert O'Connor-Whitfield"));
        assert_eq!(
            find_label(&header, idx.unwrap()).as_deref(),
            Some("Machine Learning Engineer")
        );
        // A name on one line is not continued by a contact row's first cell.
        let header = vec![
            Line {
                x: 56.0,
                size: 25.0,
                ..Line::new("Tirza van Straaten")
            },
            row(56.0, "Limmen\thello@tirza.example.com\ttirzav\ttirzav"),
        ];
        assert_eq!(find_name(&header).0.as_deref(), Some("Tirza van Straaten"));
        assert_eq!(find_label(&header, 0), None);
        // A town standing alone among contact details.
        let loc = bare_city(&header, &[], Some("Tirza van Straaten"), None).unwrap();
        assert_eq!(loc.city.as_deref(), Some("Limmen"));
        // A town on a line of its own in a stacked contact block.
        let header = vec![
            Line::new("Mark Bachmann"),
            Line::new("Datenanalyst"),
            Line::new("mark@example.com"),
            Line::new("0176 / 7342 373"),
            Line::new("Wernigerode"),
            Line::new("linkedin.com/in/markb"),
        ];
        let loc = bare_city(&header, &[], Some("Mark Bachmann"), Some("Datenanalyst")).unwrap();
        assert_eq!(loc.city.as_deref(), Some("Wernigerode"));
        // A place is not a name.
        let header = vec![
            row(400.0, "Ravensburg, Baden-Württemberg"),
            row(45.0, "Zoë Ólafur\tzoe@example.com"),
            row(45.0, "Smith\tTel.: 0176 / 3526 654"),
        ];
        assert_eq!(find_name(&header).0.as_deref(), Some("Zoë Ólafur Smith"));
    }
}
