//! The `basics` block: name, label, email, phone, url, location, profiles.
//!
//! Contact details are found by their shape anywhere in the header (and in a
//! "Contact" section, and as a fallback anywhere in the document): an email
//! address, a phone number of 7–15 digits in any international notation, URLs
//! (profile URLs of known networks become `profiles` with the user name; the
//! first other URL is the personal site), `Network: user` labels, and a
//! "City, Region, Country" location. The name is the most prominent line of
//! the header that reads like a person's name — not blindly the first line.

use std::collections::BTreeMap;

use vitae_common::resume::{Basics, Location, Profile};
use vitae_common::Resume;

use crate::ir::{Line, CELL};
use crate::lang;
use crate::sections::{Kind, Sectioned};

/// Known profile networks: (host, display name).
const NETWORKS: &[(&str, &str)] = &[
    ("linkedin.com", "LinkedIn"),
    ("github.com", "GitHub"),
    ("gitlab.com", "GitLab"),
    ("bitbucket.org", "Bitbucket"),
    ("twitter.com", "Twitter"),
    ("x.com", "X"),
    ("stackoverflow.com", "StackOverflow"),
    ("medium.com", "Medium"),
    ("dribbble.com", "Dribbble"),
    ("behance.net", "Behance"),
    ("instagram.com", "Instagram"),
    ("facebook.com", "Facebook"),
    ("youtube.com", "YouTube"),
    ("soundcloud.com", "SoundCloud"),
    ("orcid.org", "ORCID"),
    ("researchgate.net", "ResearchGate"),
    ("scholar.google.com", "Google Scholar"),
    ("kaggle.com", "Kaggle"),
    ("codepen.io", "CodePen"),
    ("mastodon.social", "Mastodon"),
    ("hackerrank.com", "HackerRank"),
    ("leetcode.com", "LeetCode"),
    ("telegram.me", "Telegram"),
    ("t.me", "Telegram"),
    ("angel.co", "AngelList"),
    ("wellfound.com", "Wellfound"),
    ("npmjs.com", "npm"),
    ("keybase.io", "Keybase"),
    ("reddit.com", "Reddit"),
    ("twitch.tv", "Twitch"),
    ("vimeo.com", "Vimeo"),
    ("flickr.com", "Flickr"),
    ("pinterest.com", "Pinterest"),
    ("skype.com", "Skype"),
    ("xing.com", "XING"),
    ("hashnode.com", "Hashnode"),
    ("dev.to", "DEV"),
    ("huggingface.co", "Hugging Face"),
];

/// Network names as they appear in labels ("GitHub: jdoe").
fn network_by_label(label: &str) -> Option<&'static str> {
    let l = label.trim().to_lowercase();
    let l = l.trim_end_matches(':').trim();
    if l.is_empty() {
        return None;
    }
    NETWORKS
        .iter()
        .map(|(_, n)| *n)
        .find(|n| n.to_lowercase() == l)
        .or(match l {
            "twitter / x" | "x (twitter)" => Some("X"),
            "stack overflow" => Some("StackOverflow"),
            "linked in" => Some("LinkedIn"),
            _ => None,
        })
}

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

/// A town shown alone among the contact details (`Ebern • jane@x.de •
/// 0151 …`, or a line of its own in a "Contact" block): a piece of one to
/// three capitalised words on a header line that also holds an e-mail
/// address, phone number or link, or on a plain line of a contact section,
/// that is not the name, the title, a label, a network or a section word.
fn bare_city(
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

/// A handle shown without its network: one lowercase token of letters,
/// digits, `_ . -` (an `@` in front allowed), not a word with a period at
/// its end and not a site or label.
fn is_bare_handle(s: &str) -> bool {
    let t = s.trim();
    let u = t.trim_start_matches('@');
    is_username(t)
        && u.len() >= 4
        && !u.starts_with(['.', '-'])
        && !u.ends_with(['.', '-'])
        && !u.contains('.')
        && u.chars().all(|c| !c.is_uppercase())
        && network_by_label(u).is_none()
        && !lang::is_level_word(u)
        && lang::section_word(u).is_none()
        && ![
            "email",
            "phone",
            "mobile",
            "website",
            "web",
            "address",
            "location",
            "contact",
            "profiles",
            "links",
            "homepage",
            "portfolio",
            "telephone",
        ]
        .contains(&u)
}

/// Contact lines with their wraps mended: a narrow column breaks
/// "jane@example.c" / "om" or "site.exampl" / "e.com"; a short one-token
/// continuation in the same block is joined back when the result is an
/// address or site.
fn unwrap_contact<'a>(lines: impl Iterator<Item = &'a Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for line in lines {
        let t = line.text.trim();
        if let Some(prev) = out.last_mut() {
            let last = prev
                .text
                .rsplit([' ', CELL])
                .next()
                .unwrap_or("")
                .to_string();
            let short = t.chars().count() <= 5
                && !t.contains([' ', CELL, '@'])
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.');
            if !line.block_start && short && (last.contains('@') || last.contains('.')) {
                let joined = format!("{last}{t}");
                if find_email(&joined).is_some_and(|e| e.len() == joined.len())
                    || (!last.contains('@') && find_url(&joined).is_some())
                {
                    prev.text.push_str(t);
                    continue;
                }
            }
        }
        out.push(line.clone());
    }
    out
}

/// A bare user name: one token of letters, digits, `_ . -`, at least one letter.
fn is_username(s: &str) -> bool {
    let s = s.trim().trim_start_matches('@');
    (2..=39).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.contains("..")
}

/// Separators themes put between the fields of a contact line.
const CONTACT_SEPARATORS: &[&str] = &[
    " | ", " · ", " • ", " ⋅ ", " ∙ ", " ◦ ", " — ", " – ", " ‧ ", " / ", "  ", " ♦ ", " ● ",
];

/// Split a contact line at the separators themes use between fields. A
/// slash or dash between two digits belongs to a phone number
/// (`0176 / 1234 567`), not between two fields.
pub fn split_contact(cell: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < cell.len() {
        let rest = &cell[i..];
        if let Some(sep) = CONTACT_SEPARATORS.iter().find(|s| rest.starts_with(*s)) {
            let before = cell[..i].chars().next_back();
            let after = cell[i + sep.len()..].chars().next();
            let numeric = matches!(*sep, " / " | " – ")
                && before.is_some_and(|c| c.is_ascii_digit())
                && after.is_some_and(|c| c.is_ascii_digit());
            if !numeric {
                parts.push(&cell[start..i]);
                start = i + sep.len();
            }
            i += sep.len();
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    parts.push(&cell[start..]);
    parts
}

/// What one whitespace token of a contact line is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// An e-mail address.
    Email,
    /// A web address or a profile URL.
    Link,
    /// Digits with phone punctuation (`+49`, `(0)`, `555-0176`, `/`).
    Num,
    Other,
}

fn token_kind(t: &str) -> Tok {
    let w = t.trim_matches(|c: char| matches!(c, ',' | ';' | '<' | '>'));
    if w.contains('@') {
        return if find_email(w).is_some_and(|e| e.len() + 8 >= w.len()) {
            Tok::Email
        } else {
            Tok::Other
        };
    }
    if w.contains('.') && (find_profile(w).is_some() || find_url(w).is_some()) {
        return Tok::Link;
    }
    if w.chars().any(|c| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || "+()-./".contains(c))
    {
        return Tok::Num;
    }
    Tok::Other
}

/// A label token before a value: `E-Mail:`, `Tel.`, `GitHub:`, `Téléphone`.
fn is_label_token(t: &str, needs_colon: bool) -> bool {
    let colon = t.ends_with(':');
    if needs_colon && !colon {
        return false;
    }
    let l = t.trim_end_matches(':').trim_end_matches('.');
    if l.is_empty() {
        return false;
    }
    (colon && (network_by_label(l).is_some() || lang::is_location_label(l)))
        || lang::is_phone_label(l)
        || lang::is_email_label(l)
        || lang::is_url_label(l)
}

/// One piece of a contact line cut at each e-mail address, web address and
/// phone number it holds, and before each `Label:`, for lines whose fields
/// are joined by single spaces (`10115 Berlin jane@x.de 0151 1234567
/// linkedin.com/in/x`). A label before a value stays with it. A piece that
/// is a single field comes back whole.
fn segment_piece(piece: &str) -> Vec<String> {
    let toks: Vec<&str> = piece.split_whitespace().collect();
    if toks.len() < 2 || toks.len() > 60 {
        return vec![piece.to_string()];
    }
    let kinds: Vec<Tok> = toks.iter().map(|t| token_kind(t)).collect();
    let digits = |t: &str| t.chars().filter(|c| c.is_ascii_digit()).count();
    let mut cut = vec![false; toks.len() + 1];
    let anchor_start = |s: usize, cut: &mut Vec<bool>| {
        // A label right before the value starts the field instead.
        let mut start = s;
        if start >= 1 && toks[start - 1] == ":" && start >= 2 {
            start -= 1;
        }
        if start >= 1 && is_label_token(toks[start - 1], false) {
            start -= 1;
        }
        cut[start] = true;
    };
    let mut i = 0;
    while i < toks.len() {
        match kinds[i] {
            Tok::Email | Tok::Link => {
                // "GitLab: user <https://gitlab.com/user>": a target in
                // brackets belongs to the text before it.
                if !(i > 0 && toks[i].starts_with(['<', '('])) {
                    anchor_start(i, &mut cut);
                }
                cut[i + 1] = true;
                i += 1;
            }
            Tok::Num => {
                let mut j = i;
                let mut n = 0;
                while j < toks.len() && (kinds[j] == Tok::Num || matches!(toks[j], "/" | "-" | "–"))
                {
                    // "+1" always, "(512)" after a ZIP code, starts a new number.
                    if j > i && (toks[j].starts_with('+') || (toks[j].starts_with('(') && n >= 4)) {
                        break;
                    }
                    n += digits(toks[j]);
                    j += 1;
                }
                while j > i + 1 && digits(toks[j - 1]) == 0 {
                    j -= 1;
                }
                let run = toks[i..j].join(" ");
                // Give find_phone the word after the run: "1100-053 Lisboa"
                // is a postcode before its town, not a phone.
                let with_next = match toks.get(j) {
                    Some(next) => format!("{run} {next}"),
                    None => run.clone(),
                };
                if (7..=15).contains(&n)
                    && find_phone(&with_next).is_some_and(|p| p.len() == run.len())
                {
                    anchor_start(i, &mut cut);
                    cut[j] = true;
                }
                i = j.max(i + 1);
            }
            Tok::Other => {
                if is_label_token(toks[i], true) {
                    cut[i] = true;
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if cut[k] && !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
        }
        cur.push(t);
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    if out.len() < 2 {
        return vec![piece.to_string()];
    }
    out
}

fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| {
        !(c.is_alphanumeric() || c == '+' || c == '/' || c == '_' || c == '~' || c == '-')
    })
}

pub fn find_email(text: &str) -> Option<String> {
    for word in text.split(|c: char| {
        c.is_whitespace() || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';'
    }) {
        let w = word.trim_start_matches("mailto:");
        let w = w.trim_matches(|c: char| !(c.is_alphanumeric()));
        let Some((local, domain)) = w.split_once('@') else {
            continue;
        };
        if local.is_empty() || !domain.contains('.') || domain.contains('@') {
            continue;
        }
        let ok_local = local
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-'".contains(c));
        let ok_domain = domain
            .chars()
            .all(|c| c.is_alphanumeric() || ".-".contains(c))
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
        if ok_local && ok_domain {
            return Some(w.to_string());
        }
    }
    None
}

/// A phone number: 7–15 digits with `+ ( ) - . /` and spaces between, as shown.
pub fn find_phone(text: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c == '+' || c == '(' || c.is_ascii_digit() {
            // Not part of a word or a longer token.
            if i > 0 && (chars[i - 1].1.is_alphanumeric() || chars[i - 1].1 == '@') {
                i += 1;
                continue;
            }
            let mut j = i;
            let mut digits = 0;
            let mut end = start;
            while j < chars.len() {
                let (pos, d) = chars[j];
                if d.is_ascii_digit() {
                    digits += 1;
                    end = pos + 1;
                } else if !matches!(
                    d,
                    '+' | '(' | ')' | '-' | '.' | ' ' | '/' | '\u{2011}' | '–'
                ) || (d == '+' && j != i)
                {
                    break;
                }
                if d == ')' {
                    end = pos + 1;
                }
                j += 1;
            }
            let candidate = text[start..end].trim();
            // Not glued to a word ("555-0176abc"); a space then a word is fine.
            let next = text[end..].chars().next();
            if (7..=15).contains(&digits) && !next.is_some_and(|c| c.is_alphabetic() || c == '@') {
                // Dates like "2019 - 2021" or "01/2020 – 12/2021" are not phones.
                let groups: Vec<&str> = candidate
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|g| !g.is_empty())
                    .collect();
                let looks_like_years = groups.iter().all(|g| g.len() == 4 || g.len() <= 2)
                    && groups
                        .iter()
                        .any(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")))
                    && !candidate.starts_with('+')
                    && !candidate.starts_with('(');
                // "1100-053 Lisboa", "00-950 Warszawa": a postcode before its town.
                let postcode_before_town = !candidate.starts_with('+')
                    && matches!(groups.as_slice(), [a, b] if (a.len() == 4 || a.len() == 2) && b.len() == 3)
                    && candidate.contains('-')
                    && text[end..]
                        .trim_start()
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase);
                if !looks_like_years && !postcode_before_town {
                    return Some(
                        candidate
                            .trim_end_matches(['-', '.', '/', ' ', '–'])
                            .to_string(),
                    );
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

fn strip_scheme(s: &str) -> &str {
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    s.strip_prefix("www.").unwrap_or(s)
}

/// A profile: a URL on a known network, or `Network: user`.
pub fn find_profile(piece: &str) -> Option<Profile> {
    // "GitHub: jdoe" / "GitHub jdoe <https://github.com/jdoe>"
    if let Some((label, rest)) = piece.split_once(':') {
        if let Some(network) = network_by_label(label) {
            let rest = rest.trim();
            let (shown, target) = match rest.split_once(" <") {
                Some((s, t)) => (s.trim(), Some(t.trim_end_matches('>'))),
                None => (rest, None),
            };
            if let Some(mut p) = find_profile(shown) {
                p.network = Some(network.to_string());
                return Some(p);
            }
            let username = shown.trim_start_matches('@').trim();
            if !username.is_empty() && !username.contains(' ') {
                let url = target.map(str::to_string);
                return Some(Profile {
                    network: Some(network.to_string()),
                    username: Some(username.to_string()),
                    url,
                    ..Profile::default()
                });
            }
        }
    }
    for word in piece.split_whitespace() {
        let word =
            word.trim_matches(|c: char| c == '<' || c == '>' || c == '(' || c == ')' || c == ',');
        let lower = word.to_lowercase();
        let bare = strip_scheme(&lower);
        for (host, network) in NETWORKS {
            let Some(path) = bare.strip_prefix(host) else {
                continue;
            };
            let Some(path) = path.strip_prefix('/') else {
                continue;
            };
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            let skip = [
                "in", "pub", "u", "user", "users", "company", "@", "channel", "c",
            ];
            let username = parts
                .iter()
                .rev()
                .find(|p| {
                    !skip.contains(p) && !p.chars().all(|c| c.is_ascii_digit()) || parts.len() == 1
                })
                .copied()
                .or_else(|| parts.last().copied())?;
            // Keep the user name's case from the original text.
            let orig_start = word.to_lowercase().find(username).unwrap_or(0);
            let user = word
                .get(orig_start..orig_start + username.len())
                .unwrap_or(username)
                .trim_start_matches('@')
                .to_string();
            let url = if word.starts_with("http") {
                word.to_string()
            } else {
                format!("https://{word}")
            };
            return Some(Profile {
                network: Some((*network).to_string()),
                username: Some(user),
                url: Some(url),
                ..Profile::default()
            });
        }
    }
    None
}

/// A personal site: `https://…`, `www.…` or `name.tld/path` (not an email).
pub fn find_url(piece: &str) -> Option<String> {
    for word in piece.split_whitespace() {
        let w = word.trim_matches(|c: char| {
            c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';'
        });
        if w.contains('@') {
            continue;
        }
        let lower = w.to_lowercase();
        let bare = strip_scheme(&lower);
        let host = bare.split('/').next().unwrap_or("");
        // ".NET" or "node..js" is no host: every label has letters.
        if host.split('.').any(str::is_empty) {
            continue;
        }
        let has_scheme = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.");
        let tld_ok = host.rsplit('.').next().is_some_and(|t| {
            t.len() >= 2 && t.len() <= 12 && t.chars().all(|c| c.is_ascii_alphabetic())
        });
        if host.contains('.') && tld_ok && (has_scheme || host.split('.').count() >= 2) {
            // "e.g." or "Node.js" are not sites: need a known-looking TLD or a scheme.
            let tld = host.rsplit('.').next().unwrap_or("");
            let common = [
                "com", "org", "net", "io", "dev", "me", "co", "info", "app", "site", "tech", "xyz",
                "ai", "page", "blog", "online", "design", "codes", "website", "name", "pro", "biz",
                "edu", "us", "uk", "de", "fr", "ca", "au", "in", "nl", "es", "it", "ch", "se",
                "no", "dk", "fi", "pl", "br", "jp",
            ];
            if has_scheme || common.contains(&tld) {
                let url = trim_punct(w).trim_end_matches('.');
                // "http:site.com" (a renderer dropped the slashes).
                if let Some(rest) = url.strip_prefix("http:").or(url.strip_prefix("https:")) {
                    if !rest.starts_with("//") {
                        let scheme = &url[..url.len() - rest.len()];
                        return Some(format!("{scheme}//{rest}"));
                    }
                }
                return Some(url.to_string());
            }
        }
    }
    None
}

/// The ISO code of a country written as a name in any language
/// (`Deutschland`, `United States`, `USA`) or as a known code (`DE`).
fn country_of(s: &str) -> Option<String> {
    let s = s.trim();
    if is_code(s) && lang::is_country_code(s) {
        return Some(s.to_string());
    }
    lang::country_code(s).map(str::to_string)
}

/// A region written out in any language (`Bayern`, `Texas`, `Ontario`).
fn is_region_name(s: &str) -> bool {
    lang::region_country(s).is_some()
}

/// A postal abbreviation of a region (`TX`, `ON`, `NSW`).
fn is_region_code(s: &str) -> bool {
    s.len() <= 3
        && s.chars().all(|c| c.is_ascii_uppercase())
        && lang::region_code_countries(s).next().is_some()
}

fn is_place_word(s: &str) -> bool {
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
fn spaced_location(piece: &str) -> Option<Location> {
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
fn is_street_word(t: &str) -> bool {
    lang::is_street_word(t.trim_end_matches([',', '.']))
}

/// The most place-like of the candidates (a known country or region beats
/// two capitalised words that merely sit around a comma); the first on ties.
fn best_location(candidates: impl Iterator<Item = Location>) -> Option<(i32, Location)> {
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
fn is_postal(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 10
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && s.split_whitespace().count() <= 2
}

/// "TX 78701" / "ON M5V 2T6": a region's code and its postcode.
fn is_region_postal(s: &str) -> bool {
    s.split_once(' ').is_some_and(|(code, postal)| {
        is_region_code(code) && (is_zip(postal) || is_canadian_postal(postal))
    })
}

/// A US ZIP code (`94115`, `94115-1234`).
fn is_zip(s: &str) -> bool {
    let (five, plus) = s.split_once('-').unwrap_or((s, "0000"));
    five.len() == 5
        && five.chars().all(|c| c.is_ascii_digit())
        && plus.len() == 4
        && plus.chars().all(|c| c.is_ascii_digit())
}

/// A Canadian postal code, as one token or two (`M5V 2T6`, `M5V2T6`).
fn is_canadian_postal(s: &str) -> bool {
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
fn postal_city(part: &str) -> Option<(String, String)> {
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
fn is_street_part(s: &str) -> bool {
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
fn postal_location(parts: &[String], i: usize, country: Option<String>) -> Option<Location> {
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

fn is_code(s: &str) -> bool {
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

const NAME_STOP: &[&str] = &[
    "resume",
    "résumé",
    "curriculum",
    "vitae",
    "cv",
    "profile",
    "contact",
    "email",
    "phone",
    "summary",
    "experience",
    "page",
];

/// How much `text` (a line or its first cell) reads like a person's name,
/// with the style of its line.
fn name_text_score(text: &str, line: &Line) -> f32 {
    let text = clean_name(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || text.chars().count() > 50 {
        return 0.0;
    }
    if text.contains('@') || text.chars().any(|c| c.is_ascii_digit()) || text.contains("://") {
        return 0.0;
    }
    let lower = text.to_lowercase();
    if NAME_STOP
        .iter()
        .any(|s| lower.split_whitespace().any(|w| w == *s))
    {
        return 0.0;
    }
    // "Ravensburg, Baden-Württemberg" / "Austin, TX": a place, not a name.
    if let Some((_, last)) = text.rsplit_once(',') {
        let last = last.trim();
        if country_of(last).is_some() || is_region_name(last) || is_region_code(last) {
            return 0.0;
        }
    }
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        .count();
    if capitalised * 2 < words.len() + 1 {
        return 0.0;
    }
    // "jane.dev" is a site; a period only ends an initial or title ("J.", "Dr.").
    if words.iter().any(|w| {
        w.trim_end_matches('.').contains('.') && w.chars().filter(|c| c.is_alphabetic()).count() > 3
    }) {
        return 0.0;
    }
    // A job title, not a name: two title words ("Product Manager",
    // "Senior Software Engineer") or a compound title ("Softwareentwicklerin").
    let roles = words.iter().filter(|w| lang::is_role_word(w)).count();
    if roles >= 2 || words.iter().any(|w| lang::ends_with_role_word(w)) {
        return 0.0;
    }
    if !text
        .chars()
        .all(|c| c.is_alphabetic() || " .'’-‐,".contains(c))
    {
        return 0.0;
    }
    let mut score = 1.0;
    if words.len() >= 2 && words.len() <= 4 {
        score += 1.0;
    }
    if line.heading > 0 {
        score += 1.5;
    }
    if line.bold {
        score += 0.5;
    }
    score + line.size / 10.0
}

/// Drop "'s CV", "Resume of", "CV" around a name.
fn clean_name(text: &str) -> String {
    let mut t = text.trim().to_string();
    for suffix in [
        "'s CV",
        "’s CV",
        "'s Resume",
        "’s Resume",
        "'s Résumé",
        " - CV",
        " – CV",
        " CV",
        " Resume",
        " Résumé",
    ] {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = stripped.trim().to_string();
        }
    }
    for prefix in ["Resume of ", "CV of ", "Curriculum Vitae of "] {
        if let Some(stripped) = t.strip_prefix(prefix) {
            t = stripped.trim().to_string();
        }
    }
    t
}

/// The name: the most prominent person-like line of the first header
/// lines (or the first cell of a line whose other cells hold contact
/// details, as in a two-column header), joined with its second line when
/// the name is set on two (first name above last name).
/// Gives the name and the index of its last line.
fn find_name(header: &[Line]) -> (Option<String>, Option<usize>) {
    let text_of = |line: &Line| -> Option<(String, f32)> {
        let flat = line.flat();
        let s = name_text_score(&flat, line);
        if s > 0.0 {
            return Some((flat, s));
        }
        let mut cells = line.cells();
        let first = cells.next()?;
        cells.next()?;
        // The size of a line with cells is the cells' together: a left
        // cell is a name only without any job-title word.
        if first.split_whitespace().any(lang::is_role_word) {
            return None;
        }
        let s = name_text_score(first, line);
        (s > 0.0).then(|| (first.to_string(), s))
    };
    let mut best: Option<(f32, usize, String)> = None;
    for (i, line) in header.iter().enumerate().take(12) {
        let Some((text, s)) = text_of(line) else {
            continue;
        };
        let s = s - i as f32 * 0.15;
        if best.as_ref().is_none_or(|(b, _, _)| s > *b) {
            best = Some((s, i, text));
        }
    }
    let Some((_, i, text)) = best else {
        return (None, None);
    };
    let name = clean_name(&text);
    match second_name_line(header, i, &name) {
        Some((j, rest)) => (Some(format!("{name} {rest}")), Some(j)),
        None => (Some(name), Some(i)),
    }
}

/// The rest of a name set on two lines (moderncv and similar headers put
/// the first name above the last name): the next header line that starts
/// at the same left edge (right-column lines between are skipped) and
/// whose text — or first cell, when the other cells hold contact details —
/// is one or two capitalised name words that are not a job title, place or
/// section word. The two lines must look alike: same size and weight, or
/// the second line has cells (its size is then the other cells').
fn second_name_line(header: &[Line], i: usize, name: &str) -> Option<(usize, String)> {
    let first = &header[i];
    if name.split_whitespace().count() > 3 {
        return None;
    }
    let j = (i + 1..header.len().min(i + 4)).find(|&j| (header[j].x - first.x).abs() < 2.0)?;
    let line = &header[j];
    // A one-word name is not complete; a longer one continues only in a
    // two-column header whose rows are a left piece and a right piece.
    let two_cells = line.cells().count() == 2;
    let first_cells = first.cells().count();
    let single = name.split_whitespace().count() == 1;
    if !(single || (two_cells && first_cells <= 2)) || line.heading != first.heading || line.bullet
    {
        return None;
    }
    let text = line.cells().next()?.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    let name_word = |w: &&str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().all(|c| c.is_alphabetic() || "'’-".contains(c))
            && !lang::is_role_word(w)
            && !lang::ends_with_role_word(w)
            && lang::section_word(w).is_none()
            && network_by_label(w).is_none()
            && country_of(w).is_none()
            && !is_region_name(w)
    };
    if words.is_empty() || words.len() > 2 || !words.iter().all(name_word) {
        return None;
    }
    if words.len() == 2 && lang::is_role_word(&words.join(" ")) {
        return None;
    }
    Some((j, text.to_string()))
}

/// The line right after the name, when it is a short title without contact data.
fn find_label(header: &[Line], name_idx: usize) -> Option<String> {
    let line = header.get(name_idx + 1)?;
    // A two-column header (the name is a left cell): the title is the left
    // cell of the next row.
    let two_column = header[name_idx].cells().nth(1).is_some();
    let t = match line.cells().nth(1) {
        Some(_) if two_column => line.cells().next()?.to_string(),
        _ => line.flat(),
    };
    if t.len() > 60
        || t.contains('@')
        || find_phone(&t).is_some()
        || find_url(&t).is_some()
        || t.contains(',')
    {
        return None;
    }
    if t.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return None;
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

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
