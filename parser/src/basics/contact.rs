//! Contact details by their shape: e-mail addresses, phone numbers in any
//! international notation, profile links of known networks (and
//! `Network: user` labels), personal sites, bare handles, and the cutting
//! of contact lines into pieces at separators and between values.

use vitae_common::resume::Profile;

use crate::ir::{Line, CELL};
use crate::lang;

/// Known profile networks: (host, display name).
pub(super) const NETWORKS: &[(&str, &str)] = &[
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
pub(super) fn network_by_label(label: &str) -> Option<&'static str> {
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

/// A handle shown without its network: one lowercase token of letters,
/// digits, `_ . -` (an `@` in front allowed), not a word with a period at
/// its end and not a site or label.
pub(super) fn is_bare_handle(s: &str) -> bool {
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
pub(super) fn unwrap_contact<'a>(lines: impl Iterator<Item = &'a Line>) -> Vec<Line> {
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
pub(super) fn is_username(s: &str) -> bool {
    let s = s.trim().trim_start_matches('@');
    (2..=39).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.contains("..")
}

/// Separators themes put between the fields of a contact line.
pub(super) const CONTACT_SEPARATORS: &[&str] = &[
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
pub(super) enum Tok {
    /// An e-mail address.
    Email,
    /// A web address or a profile URL.
    Link,
    /// Digits with phone punctuation (`+49`, `(0)`, `555-0176`, `/`).
    Num,
    Other,
}

pub(super) fn token_kind(t: &str) -> Tok {
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
pub(super) fn is_label_token(t: &str, needs_colon: bool) -> bool {
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
pub(super) fn segment_piece(piece: &str) -> Vec<String> {
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

pub(super) fn trim_punct(s: &str) -> &str {
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

pub(super) fn strip_scheme(s: &str) -> &str {
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
