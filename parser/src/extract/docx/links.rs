//! Hyperlinks: the target of a `HYPERLINK` field, and the text a link is
//! shown with when its own text would hide the target (a label such as
//! "LinkedIn", an icon, the user name alone).

use super::Para;

/// The URL of a `HYPERLINK "url"` field instruction (not a `\l` bookmark).
pub(super) fn field_target(instr: &str) -> Option<String> {
    let rest = instr.trim().strip_prefix("HYPERLINK")?;
    if rest.contains("\\l") && !rest.contains("://") {
        return None;
    }
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    let url = rest[start..start + len].trim();
    (!url.is_empty()).then(|| url.to_string())
}

/// Close the paragraph's open hyperlink: rewrite its shown text when the
/// text alone would hide the target (see the module doc).
pub(super) fn finish_link(p: &mut Para) {
    let Some(link) = p.link.take() else {
        return;
    };
    if link.piece != p.pieces.len() {
        return;
    }
    let (Some(before), Some(shown)) = (p.text.get(..link.start), p.text.get(link.start..)) else {
        return;
    };
    let labelled = !before.trim().is_empty();
    if let Some(new) = link_text(shown, &link.target, link.drawing, labelled) {
        p.text.truncate(link.start);
        p.text.push_str(&new);
    }
}

/// Words that only label a link ("Website", "My Portfolio", "E-Mail").
pub(super) const LINK_WORDS: [&str; 30] = [
    "my",
    "personal",
    "website",
    "web",
    "site",
    "homepage",
    "home",
    "page",
    "portfolio",
    "blog",
    "profile",
    "link",
    "here",
    "online",
    "visit",
    "webseite",
    "internetseite",
    "meine",
    "mein",
    "persönliche",
    "sitio",
    "página",
    "mi",
    "mon",
    "ma",
    "site",
    "email",
    "e-mail",
    "mail",
    "contact",
];

pub(super) fn only_link_words(shown: &str) -> bool {
    let words: Vec<String> = shown
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty() && words.len() <= 3 && words.iter().all(|w| LINK_WORDS.contains(&w.as_str()))
}

/// What a hyperlink's shown text becomes, if anything (`None` = keep it).
///
/// `labelled`: text precedes the link in its line ("GitHub: jdoe"), so a
/// user name shown alone is not mistaken for a bare handle downstream.
pub(super) fn link_text(
    shown: &str,
    target: &str,
    drawing: bool,
    labelled: bool,
) -> Option<String> {
    let target = target.trim();
    let lower = target.to_ascii_lowercase();
    let shown_t = shown.trim().trim_end_matches(':').trim();
    let icon = shown_t.chars().all(|c| !c.is_alphanumeric());
    if let Some(addr) = lower.strip_prefix("mailto:").map(|_| &target[7..]) {
        let addr = addr.split('?').next().unwrap_or("").trim();
        if addr.is_empty() || shown.contains('@') || !addr.contains('@') {
            return None;
        }
        let sep = if shown.ends_with(' ') || shown.is_empty() {
            ""
        } else {
            " "
        };
        let label = (icon && (drawing || shown_t.is_empty())) || only_link_words(shown_t);
        return label.then(|| format!("{shown}{sep}{addr}"));
    }
    if !(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www."))
    {
        return None;
    }
    let bare = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    let shown_l = shown_t.to_lowercase();
    let shown_bare = shown_l
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    // The text is (a form of) the URL itself.
    if shown_bare.contains(bare) || (!shown_bare.contains(' ') && shown_bare.contains('.')) {
        return None;
    }
    let trail = if shown.ends_with(' ') { " " } else { "" };
    let head = shown.trim_end();
    let sep = if head.is_empty() { "" } else { " " };
    if icon {
        return (drawing || shown_t.is_empty()).then(|| format!("{head}{sep}{target}{trail}"));
    }
    let host = bare.split('/').next().unwrap_or("");
    let host_labels: Vec<&str> = host.split('.').collect();
    let main = if host_labels.len() >= 2 {
        host_labels[host_labels.len() - 2]
    } else {
        host
    };
    let letters: String = shown_l.chars().filter(|c| c.is_alphanumeric()).collect();
    let single = !shown_t.contains(char::is_whitespace);
    let last_seg = bare
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_start_matches('@');
    let names_site = single && letters.len() >= 2 && letters == main;
    let names_user =
        single && labelled && bare.contains('/') && shown_l.trim_start_matches('@') == last_seg;
    (names_site || names_user || only_link_words(shown_t))
        .then(|| format!("{head} <{target}>{trail}"))
}
