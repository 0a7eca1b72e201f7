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

    // Pieces: cells and " | " / " · " separated parts of contact lines.
    let pieces = |lines: &[&Line]| -> Vec<String> {
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
    };
    let mut head = pieces(&contact_lines);
    // An address wrapped at the column edge: "jane.doe@example.c" / "om".
    let all_pieces = pieces(&all);
    for w in all_pieces.windows(2) {
        if w[0].contains('@') && find_email(&w[0]).is_none() && !w[1].contains(' ') {
            let joined = format!("{}{}", w[0], w[1]);
            if find_email(&joined).is_some() {
                head.push(joined);
            }
        }
    }

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

    let mut consumed = vec![false; head.len()];
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
    // Bare user names next to (dropped) icons: lowercase handles standing
    // alone in the contact area, or as one-word lines of a sidebar "About"
    // block. The network is unknown, so it is left out.
    let sidebar_lines: Vec<String> = doc
        .sections
        .iter()
        .filter(|s| s.kind == Kind::Summary)
        .flat_map(|s| s.lines.iter())
        .filter(|l| l.block_start && !l.text.contains(' ') && !l.text.contains(CELL))
        .map(|l| l.text.clone())
        .collect();
    let bare: Vec<(usize, String)> = head
        .iter()
        .enumerate()
        .filter(|(i, _)| !consumed[*i])
        .map(|(i, p)| (i, p.clone()))
        .chain(sidebar_lines.iter().map(|p| (usize::MAX, p.clone())))
        .filter(|(_, p)| is_bare_handle(p))
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
    if !b.profiles.is_empty() {
        confidence.insert("basics.profiles".into(), 0.8);
    }
    b.location = best_location(head.iter().filter_map(|p| find_location(p))).or_else(|| {
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
        best_location(candidates.filter_map(|t| find_location(&t)))
    });
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
    if let Some(s) = doc.section(Kind::Summary).next() {
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

/// Split a contact line at the separators themes use between fields.
pub fn split_contact(cell: &str) -> Vec<&str> {
    let mut parts = vec![cell];
    for sep in [
        " | ", " · ", " • ", " ⋅ ", " ∙ ", " ◦ ", " — ", " – ", " ‧ ", " / ", "  ", " ♦ ", " ● ",
    ] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
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
            let next = chars.get(j).map(|c| c.1);
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
                if !looks_like_years {
                    return Some(candidate.trim_end_matches(['-', '.', '/', ' ']).to_string());
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

const COUNTRIES: &[(&str, &str)] = &[
    ("united states", "US"),
    ("usa", "US"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("germany", "DE"),
    ("france", "FR"),
    ("spain", "ES"),
    ("italy", "IT"),
    ("canada", "CA"),
    ("australia", "AU"),
    ("india", "IN"),
    ("netherlands", "NL"),
    ("sweden", "SE"),
    ("norway", "NO"),
    ("denmark", "DK"),
    ("finland", "FI"),
    ("poland", "PL"),
    ("brazil", "BR"),
    ("japan", "JP"),
    ("china", "CN"),
    ("mexico", "MX"),
    ("ireland", "IE"),
    ("switzerland", "CH"),
    ("austria", "AT"),
    ("belgium", "BE"),
    ("portugal", "PT"),
    ("new zealand", "NZ"),
    ("singapore", "SG"),
    ("south africa", "ZA"),
    ("argentina", "AR"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("greece", "GR"),
    ("turkey", "TR"),
    ("israel", "IL"),
    ("russia", "RU"),
    ("ukraine", "UA"),
    ("korea", "KR"),
    ("south korea", "KR"),
    ("romania", "RO"),
    ("hungary", "HU"),
    ("chile", "CL"),
    ("colombia", "CO"),
    ("egypt", "EG"),
    ("nigeria", "NG"),
    ("kenya", "KE"),
    ("philippines", "PH"),
    ("indonesia", "ID"),
    ("vietnam", "VN"),
    ("thailand", "TH"),
    ("malaysia", "MY"),
    ("pakistan", "PK"),
    ("taiwan", "TW"),
    ("croatia", "HR"),
    ("estonia", "EE"),
];

const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC",
];

const US_STATE_NAMES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
];

fn is_place_word(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_alphabetic() || " .'-".contains(c) || c.is_ascii_digit())
        && s.chars().filter(|c| c.is_ascii_digit()).count() <= 6
        && s.split_whitespace().count() <= 4
}

/// "Silvolde NL" / "Shellyburgh TN US": a place without commas, ended by a
/// known country code (and a region code before it).
fn spaced_location(piece: &str) -> Option<Location> {
    let mut tokens: Vec<&str> = piece.split_whitespace().collect();
    let cc = *tokens.last()?;
    if tokens.len() < 2 || tokens.len() > 12 || !is_code(cc) {
        return None;
    }
    if !COUNTRIES.iter().any(|(_, c)| *c == cc) {
        return None;
    }
    tokens.pop();
    // A postal code before the country ("… CA 94115 US").
    if tokens.len() >= 2 && is_postal(tokens[tokens.len() - 1]) {
        tokens.pop();
    }
    let mut region = match tokens.last() {
        Some(r) if tokens.len() >= 2 && is_code(r) => {
            let r = r.to_string();
            tokens.pop();
            Some(r)
        }
        _ => None,
    };
    // "East Angela Tennessee US" / "California CA": a state written out.
    if cc == "US" {
        for n in [2, 1] {
            if tokens.len() > n {
                let tail = tokens[tokens.len() - n..].join(" ");
                if US_STATE_NAMES.iter().any(|s| s.eq_ignore_ascii_case(&tail)) {
                    tokens.truncate(tokens.len() - n);
                    region = Some(tail);
                    break;
                }
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
        ..Location::default()
    })
}

/// Street-type words that end the street part of an address.
fn is_street_word(t: &str) -> bool {
    let l = t.trim_end_matches([',', '.']).to_lowercase();
    [
        "st",
        "street",
        "rd",
        "road",
        "roads",
        "ave",
        "avenue",
        "blvd",
        "boulevard",
        "ln",
        "lane",
        "dr",
        "drive",
        "way",
        "ct",
        "court",
        "pl",
        "place",
        "sq",
        "square",
        "ter",
        "terrace",
        "pkwy",
        "parkway",
        "hwy",
        "highway",
        "cres",
        "crescent",
        "close",
        "row",
        "plaza",
        "trail",
        "walk",
        "mews",
        "grove",
        "gardens",
        "hill",
        "heights",
        "park",
        "route",
        "path",
        "alley",
        "circle",
        "cir",
        "loop",
        "ridge",
        "view",
        "vista",
        "crossing",
        "point",
        "ports",
        "port",
        "extension",
        "summit",
        "station",
        "stravenue",
        "spur",
        "villages",
        "village",
        "ville",
        "wells",
        "falls",
        "fields",
        "forks",
        "junction",
        "knolls",
        "lakes",
        "landing",
        "light",
        "manor",
        "meadows",
        "mill",
        "mills",
        "mission",
        "motorway",
        "oval",
        "pass",
        "pike",
        "pines",
        "plains",
        "prairie",
        "radial",
        "ranch",
        "rapids",
        "rest",
        "river",
        "shoals",
        "shores",
        "skyway",
        "springs",
        "stream",
        "throughway",
        "trace",
        "track",
        "tunnel",
        "turnpike",
        "underpass",
        "union",
        "valley",
        "viaduct",
        "vista",
        "wall",
        "well",
    ]
    .contains(&l.as_str())
}

/// The most place-like of the candidates (a known country or state beats
/// two capitalised words that merely sit around a comma); the first on ties.
fn best_location(candidates: impl Iterator<Item = Location>) -> Option<Location> {
    let score = |l: &Location| {
        let mut s = 0;
        if let Some(cc) = &l.country_code {
            if COUNTRIES
                .iter()
                .any(|(n, c)| c == cc || n.eq_ignore_ascii_case(cc))
            {
                s += 2;
            }
        }
        if let Some(r) = &l.region {
            if US_STATES.contains(&r.as_str())
                || US_STATE_NAMES.iter().any(|n| n.eq_ignore_ascii_case(r))
            {
                s += 1;
            }
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
    best.filter(|(s, _)| *s >= 0).map(|(_, l)| l)
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

fn country_name(s: &str) -> bool {
    let l = s.trim().to_lowercase();
    COUNTRIES.iter().any(|(n, _)| *n == l)
}

fn is_code(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())
}

/// "City, Region, CC" / "City, Country" / "City, ST" / "City, Region (CC)" /
/// "City, State ST 94115 CC" / "City, Region CC" — postal codes dropped.
pub fn find_location(piece: &str) -> Option<Location> {
    let piece = piece.trim();
    let piece = ["Location:", "Address:", "Based in "]
        .iter()
        .find_map(|p| piece.strip_prefix(p))
        .unwrap_or(piece)
        .trim();
    // "Region (DE)": the country in parentheses.
    let (piece, mut country) = match piece.strip_suffix(')').and_then(|p| p.rsplit_once(" (")) {
        Some((rest, cc)) if is_code(cc) || country_name(cc) => (rest.trim(), Some(cc.to_string())),
        _ => (piece, None),
    };
    let mut parts: Vec<String> = piece
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() == 1 && country.is_none() {
        return spaced_location(&parts[0]);
    }
    if parts.is_empty() || parts.len() > 5 {
        return None;
    }
    // Postal codes standing alone are not places.
    if parts.len() > 2 {
        parts.retain(|p| !is_postal(p));
    } else if parts.last().is_some_and(|p| is_postal(p)) {
        return None;
    }
    // The last part may carry "State ST 94115 CC": peel country, zip, state code.
    if let Some(last) = parts.last().cloned() {
        let mut tokens: Vec<&str> = last.split_whitespace().collect();
        if tokens.len() >= 2 {
            while tokens.len() > 1 {
                let t = tokens[tokens.len() - 1];
                if t.chars().any(|c| c.is_ascii_digit()) && is_postal(t) {
                    tokens.pop();
                } else if country.is_none() && is_code(t) {
                    country = Some(t.to_string());
                    tokens.pop();
                } else if country.is_some() && is_code(t) && US_STATES.contains(&t) {
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
    let country = COUNTRIES
        .iter()
        .find(|(n, _)| *n == last.to_lowercase())
        .map(|_| last.to_string())
        .or_else(|| is_code(last).then(|| last.to_string()));
    let mut loc = Location::default();
    match parts.len() {
        2 => {
            loc.city = Some(parts[0].to_string());
            if last.len() == 2
                && US_STATES.contains(&last)
                && last != "CA"
                && last != "DE"
                && last != "IN"
            {
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
                loc.address = Some(parts[..n - 3].join(", "));
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

/// How much a line reads like a person's name (0 = not at all).
fn name_score(line: &Line) -> f32 {
    let text = clean_name(&line.flat());
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
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        .count();
    if capitalised * 2 < words.len() + 1 {
        return 0.0;
    }
    if !text
        .chars()
        .all(|c| c.is_alphabetic() || " .'-‐,".contains(c))
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

fn find_name(header: &[Line]) -> (Option<String>, Option<usize>) {
    let mut best: Option<(f32, usize)> = None;
    for (i, line) in header.iter().enumerate().take(12) {
        let s = name_score(line) - i as f32 * 0.15;
        if name_score(line) > 0.0 && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, i));
        }
    }
    match best {
        Some((_, i)) => (Some(clean_name(&header[i].flat())), Some(i)),
        None => (None, None),
    }
}

/// The line right after the name, when it is a short title without contact data.
fn find_label(header: &[Line], name_idx: usize) -> Option<String> {
    let line = header.get(name_idx + 1)?;
    let t = line.flat();
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
        assert_eq!(l.country_code.as_deref(), Some("France"));
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
}
