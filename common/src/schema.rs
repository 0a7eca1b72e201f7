//! The JSON Resume schema, written down once: every section with its key,
//! its names, the fields of an entry in schema order, what each field is
//! (text, prose, date, URL, list) and what part it plays when an entry is
//! shown (headline, detail, prose, bullets, tags), how entries are told apart
//! and how an entry is headlined.
//!
//! Everything that walks a resume reads this table instead of spelling the
//! schema again: the diff engine (identity and field order), the Markdown
//! and HTML renderers, the tailoring faithfulness checks and the terminal
//! client. [`Entry`] is the one projection of a list entry that they share:
//! a headline (title, organisation, link, dates) and the remaining fields by
//! role, each consumer choosing how to lay them out. Adding a field to a
//! section is one line in [`SECTIONS`].

use serde_json::{Map, Value};

/// What kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A short line of text.
    Text,
    /// Free text a person wrote (a summary, a description, a reference),
    /// which may run to paragraphs.
    Prose,
    /// An ISO date at the precision JSON Resume allows (`2020`, `2020-01`,
    /// `2020-01-31`), though documents also carry free-form ones.
    Date,
    /// A web address.
    Url,
    /// An email address.
    Email,
    /// A list of strings.
    List,
    /// A nested object or list of objects (`basics.location`,
    /// `basics.profiles`), described by its own table.
    Object,
}

/// The part a field plays when an entry is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Part of the entry's [`Headline`].
    Head,
    /// A short fact shown next to the dates (a location, a level).
    Detail,
    /// A secondary fact the full page shows and short summaries leave out.
    Aside,
    /// Paragraphs about the entry.
    Prose,
    /// Someone else's words (a reference), shown as a quotation.
    Quote,
    /// Achievements or courses, one bullet each.
    Bullets,
    /// Keywords, shown as a compact run of tags.
    Tags,
}

/// One member of an entry (or of `basics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The JSON key.
    pub key: &'static str,
    pub kind: Kind,
    pub role: Role,
}

impl Field {
    /// A list of strings rather than one value.
    pub fn is_list(&self) -> bool {
        self.kind == Kind::List
    }
}

/// Which headline part a section's link belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkTo {
    /// The title is the thing linked (a project, a certificate).
    Title,
    /// The organisation is (an employer's site).
    Org,
}

/// When an entry happened, as the schema records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dates {
    /// A span: start and end keys. A start without an end is current.
    Range(&'static str, &'static str),
    /// One date (an award, a publication).
    On(&'static str),
    /// The section is undated (skills, languages, ...).
    Undated,
}

/// How an entry of a section is headlined: "Engineer at Acme, 2019 – 2021"
/// is title `position`, organisation `name`, dates `startDate`–`endDate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headline {
    /// What the entry is, in reading order (a degree is `studyType` then
    /// `area`). Usually one field.
    pub title: &'static [&'static str],
    /// Where, or from whom: employer, school, awarder, issuer.
    pub org: Option<&'static str>,
    /// The web address of the entry, and what it links.
    pub link: Option<(&'static str, LinkTo)>,
    pub dates: Dates,
}

/// One list section of JSON Resume (or `basics.profiles`).
#[derive(Debug, PartialEq, Eq)]
pub struct Section {
    /// The top-level key (`work`).
    pub key: &'static str,
    /// Its short name, as a menu or a terminal says it (`Work`).
    pub title: &'static str,
    /// Its heading on a resume page (`Experience`).
    pub heading: &'static str,
    /// What one entry is called, singular and plural (for counts).
    pub noun: (&'static str, &'static str),
    /// The fields that together name an entry, so two versions of a list can
    /// be aligned. The first one is the "weak" identity used to pair
    /// leftovers (same company, new title).
    pub identity: &'static [&'static str],
    /// Fields an entry should have; an editor flags them when empty.
    pub required: &'static [&'static str],
    /// Every field, in schema order.
    pub fields: &'static [Field],
    pub headline: Headline,
    /// Entries are a line or two each and can sit side by side.
    pub compact: bool,
}

use Kind::{Date, Email, List, Object, Prose, Text, Url};

const fn f(key: &'static str, kind: Kind, role: Role) -> Field {
    Field { key, kind, role }
}

const HEAD: Role = Role::Head;
const DETAIL: Role = Role::Detail;
const ASIDE: Role = Role::Aside;
const PROSE: Role = Role::Prose;
const QUOTE: Role = Role::Quote;
const BULLETS: Role = Role::Bullets;
const TAGS: Role = Role::Tags;

/// `basics`, in schema order. Its `location` and `profiles` have their own
/// tables ([`LOCATION_FIELDS`], [`PROFILES`]).
#[rustfmt::skip]
pub const BASICS_FIELDS: &[Field] = &[
    f("name", Text, HEAD), f("label", Text, HEAD), f("image", Url, DETAIL),
    f("email", Email, DETAIL), f("phone", Text, DETAIL), f("url", Url, DETAIL),
    f("summary", Prose, PROSE), f("location", Object, DETAIL), f("profiles", Object, DETAIL),
];

/// The members of `basics` a resume should have; an editor flags them when
/// empty.
pub const BASICS_REQUIRED: &[&str] = &["name", "email"];

/// `basics.location`, in schema order.
#[rustfmt::skip]
pub const LOCATION_FIELDS: &[Field] = &[
    f("address", Text, DETAIL), f("postalCode", Text, DETAIL), f("city", Text, DETAIL),
    f("countryCode", Text, DETAIL), f("region", Text, DETAIL),
];

/// `basics.profiles`: a list inside `basics`, aligned like a section.
pub const PROFILES: Section = Section {
    key: "profiles",
    title: "Profiles",
    heading: "Profiles",
    noun: ("profile", "profiles"),
    identity: &["network", "username"],
    required: &[],
    fields: &[
        f("network", Text, HEAD),
        f("username", Text, HEAD),
        f("url", Url, HEAD),
    ],
    headline: Headline {
        title: &["network"],
        org: Some("username"),
        link: Some(("url", LinkTo::Title)),
        dates: Dates::Undated,
    },
    compact: true,
};

/// The list sections, in JSON Resume order (the order a reader of the
/// document's JSON meets them; diffs are reported in it).
#[rustfmt::skip]
pub const SECTIONS: &[Section] = &[
    Section {
        key: "work", title: "Work", heading: "Experience", noun: ("job", "jobs"),
        identity: &["name", "position"], required: &["name", "position"],
        fields: &[
            f("name", Text, HEAD), f("position", Text, HEAD), f("location", Text, DETAIL),
            f("url", Url, HEAD), f("startDate", Date, HEAD), f("endDate", Date, HEAD),
            f("summary", Prose, PROSE), f("description", Prose, ASIDE),
            f("highlights", List, BULLETS),
        ],
        headline: Headline {
            title: &["position"], org: Some("name"), link: Some(("url", LinkTo::Org)),
            dates: Dates::Range("startDate", "endDate"),
        },
        compact: false,
    },
    Section {
        key: "volunteer", title: "Volunteer", heading: "Volunteering",
        noun: ("volunteer role", "volunteer roles"),
        identity: &["organization", "position"], required: &["organization"],
        fields: &[
            f("organization", Text, HEAD), f("position", Text, HEAD), f("url", Url, HEAD),
            f("startDate", Date, HEAD), f("endDate", Date, HEAD), f("summary", Prose, PROSE),
            f("highlights", List, BULLETS),
        ],
        headline: Headline {
            title: &["position"], org: Some("organization"), link: Some(("url", LinkTo::Org)),
            dates: Dates::Range("startDate", "endDate"),
        },
        compact: false,
    },
    Section {
        key: "education", title: "Education", heading: "Education",
        noun: ("degree", "degrees"),
        identity: &["institution", "area"], required: &["institution"],
        fields: &[
            f("institution", Text, HEAD), f("url", Url, HEAD), f("area", Text, HEAD),
            f("studyType", Text, HEAD), f("startDate", Date, HEAD), f("endDate", Date, HEAD),
            f("score", Text, DETAIL), f("courses", List, BULLETS),
        ],
        headline: Headline {
            title: &["studyType", "area"], org: Some("institution"),
            link: Some(("url", LinkTo::Org)), dates: Dates::Range("startDate", "endDate"),
        },
        compact: false,
    },
    Section {
        key: "awards", title: "Awards", heading: "Awards", noun: ("award", "awards"),
        identity: &["title", "awarder"], required: &["title"],
        fields: &[
            f("title", Text, HEAD), f("date", Date, HEAD), f("awarder", Text, HEAD),
            f("summary", Prose, PROSE),
        ],
        headline: Headline {
            title: &["title"], org: Some("awarder"), link: None, dates: Dates::On("date"),
        },
        compact: false,
    },
    Section {
        key: "certificates", title: "Certificates", heading: "Certificates",
        noun: ("certificate", "certificates"),
        identity: &["name", "issuer"], required: &["name"],
        fields: &[
            f("name", Text, HEAD), f("date", Date, HEAD), f("issuer", Text, HEAD),
            f("url", Url, HEAD),
        ],
        headline: Headline {
            title: &["name"], org: Some("issuer"), link: Some(("url", LinkTo::Title)),
            dates: Dates::On("date"),
        },
        compact: false,
    },
    Section {
        key: "publications", title: "Publications", heading: "Publications",
        noun: ("publication", "publications"),
        identity: &["name"], required: &["name"],
        fields: &[
            f("name", Text, HEAD), f("publisher", Text, HEAD), f("releaseDate", Date, HEAD),
            f("url", Url, HEAD), f("summary", Prose, PROSE),
        ],
        headline: Headline {
            title: &["name"], org: Some("publisher"), link: Some(("url", LinkTo::Title)),
            dates: Dates::On("releaseDate"),
        },
        compact: false,
    },
    Section {
        key: "skills", title: "Skills", heading: "Skills", noun: ("skill", "skills"),
        identity: &["name"], required: &["name"],
        fields: &[f("name", Text, HEAD), f("level", Text, DETAIL), f("keywords", List, TAGS)],
        headline: Headline { title: &["name"], org: None, link: None, dates: Dates::Undated },
        compact: true,
    },
    Section {
        key: "languages", title: "Languages", heading: "Languages",
        noun: ("language", "languages"),
        identity: &["language"], required: &["language"],
        fields: &[f("language", Text, HEAD), f("fluency", Text, DETAIL)],
        headline: Headline {
            title: &["language"], org: None, link: None, dates: Dates::Undated,
        },
        compact: true,
    },
    Section {
        key: "interests", title: "Interests", heading: "Interests",
        noun: ("interest", "interests"),
        identity: &["name"], required: &["name"],
        fields: &[f("name", Text, HEAD), f("keywords", List, TAGS)],
        headline: Headline { title: &["name"], org: None, link: None, dates: Dates::Undated },
        compact: true,
    },
    Section {
        key: "references", title: "References", heading: "References",
        noun: ("reference", "references"),
        identity: &["name"], required: &["name"],
        fields: &[f("name", Text, HEAD), f("reference", Prose, QUOTE)],
        headline: Headline { title: &["name"], org: None, link: None, dates: Dates::Undated },
        compact: false,
    },
    Section {
        key: "projects", title: "Projects", heading: "Projects", noun: ("project", "projects"),
        identity: &["name"], required: &["name"],
        fields: &[
            f("name", Text, HEAD), f("description", Prose, PROSE),
            f("highlights", List, BULLETS), f("keywords", List, TAGS),
            f("startDate", Date, HEAD), f("endDate", Date, HEAD), f("url", Url, HEAD),
            f("roles", List, ASIDE), f("entity", Text, ASIDE), f("type", Text, ASIDE),
        ],
        headline: Headline {
            title: &["name"], org: None, link: Some(("url", LinkTo::Title)),
            dates: Dates::Range("startDate", "endDate"),
        },
        compact: false,
    },
];

/// Top-level keys in JSON Resume order: `basics`, then [`SECTIONS`].
#[rustfmt::skip]
pub const TOP_LEVEL_ORDER: &[&str] = &[
    "basics", "work", "volunteer", "education", "awards", "certificates",
    "publications", "skills", "languages", "interests", "references", "projects",
];

/// The order a reader scans a resume page: experience first, the short
/// lists and references last. Rendered documents follow it.
#[rustfmt::skip]
pub const READING_ORDER: &[&str] = &[
    "work", "education", "projects", "skills", "volunteer", "awards",
    "certificates", "publications", "languages", "interests", "references",
];

/// The list section under a top-level key.
pub fn section(key: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.key == key)
}

/// The sections in [`READING_ORDER`].
pub fn reading_order() -> impl Iterator<Item = &'static Section> {
    READING_ORDER.iter().filter_map(|key| section(key))
}

impl Section {
    /// The field under `key`, if the schema names it.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The fields that play `role`, scalars first, each group in schema
    /// order.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Field> {
        let scalars = self
            .fields
            .iter()
            .filter(move |f| f.role == role && !f.is_list());
        let lists = self
            .fields
            .iter()
            .filter(move |f| f.role == role && f.is_list());
        scalars.chain(lists)
    }

    /// Whether some field of the section plays `role`.
    pub fn has(&self, role: Role) -> bool {
        self.fields.iter().any(|f| f.role == role)
    }

    /// The section's entries in a whole document (none when it has no such
    /// list).
    pub fn entries<'a>(&'static self, doc: &'a Value) -> Vec<Entry<'a>> {
        match doc.get(self.key) {
            Some(Value::Array(items)) => items.iter().map(|v| self.entry(v)).collect(),
            _ => Vec::new(),
        }
    }

    /// View one entry of this section through the schema.
    pub fn entry<'a>(&'static self, value: &'a Value) -> Entry<'a> {
        Entry {
            section: self,
            object: value.as_object(),
        }
    }
}

/// Rank of `key` in `order`; unknown keys come after every known one.
pub fn rank(order: &[&str], key: &str) -> usize {
    order.iter().position(|k| *k == key).unwrap_or(order.len())
}

/// One entry of a section seen through the schema: its headline, its dates
/// and its other fields by role. Values are given as written (not trimmed);
/// a missing field, `null` and a value of the wrong type all read as absent.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub section: &'static Section,
    object: Option<&'a Map<String, Value>>,
}

/// An entry's dates as written, before any formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When<'a> {
    Range {
        start: Option<&'a str>,
        end: Option<&'a str>,
    },
    On(Option<&'a str>),
    Undated,
}

impl<'a> Entry<'a> {
    /// The entry's JSON object (`None` when the entry is not an object).
    pub fn object(&self) -> Option<&'a Map<String, Value>> {
        self.object
    }

    /// The string under `key`.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.object?.get(key)?.as_str()
    }

    /// The strings of the list under `key` (empty when absent).
    pub fn list(&self, key: &str) -> Vec<&'a str> {
        match self.object.and_then(|o| o.get(key)) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The title parts present, in headline order (`MSc`, `Computer Science`).
    pub fn title(&self) -> Vec<&'a str> {
        self.section
            .headline
            .title
            .iter()
            .filter_map(|k| self.text(k))
            .collect()
    }

    /// The organisation: employer, school, awarder, issuer.
    pub fn org(&self) -> Option<&'a str> {
        self.text(self.section.headline.org?)
    }

    /// The entry's web address and what it links.
    pub fn link(&self) -> Option<(&'a str, LinkTo)> {
        let (key, to) = self.section.headline.link?;
        Some((self.text(key)?, to))
    }

    /// The entry's dates as recorded, by the section's [`Dates`] rule.
    pub fn when(&self) -> When<'a> {
        match self.section.headline.dates {
            Dates::Range(start, end) => When::Range {
                start: self.text(start),
                end: self.text(end),
            },
            Dates::On(key) => When::On(self.text(key)),
            Dates::Undated => When::Undated,
        }
    }

    /// Title parts then organisation, non-blank, joined by `sep`: the
    /// entry's name in one line (`Engineer — Acme`).
    pub fn headline(&self, sep: &str) -> String {
        let org = self.org();
        join_filled(self.title().into_iter().chain(org), sep)
    }

    /// The values of the fields playing `role`, scalars then list items,
    /// each group in schema order.
    pub fn values(&self, role: Role) -> Vec<&'a str> {
        let mut out = Vec::new();
        for field in self.section.with_role(role) {
            if field.is_list() {
                out.extend(self.list(field.key));
            } else {
                out.extend(self.text(field.key));
            }
        }
        out
    }

    /// Every field the schema names, in schema order, with its value when
    /// present: what an editor lists for an entry.
    pub fn fields(&self) -> impl Iterator<Item = (&'static Field, Option<&'a Value>)> + '_ {
        self.section
            .fields
            .iter()
            .map(|f| (f, self.object.and_then(|o| o.get(f.key))))
    }

    /// Members the schema does not name (vendor extensions), in the
    /// object's own order.
    pub fn extra(&self) -> impl Iterator<Item = (&'a String, &'a Value)> + '_ {
        self.object
            .into_iter()
            .flatten()
            .filter(|(k, _)| self.section.field(k).is_none())
    }
}

/// The non-blank parts joined by `sep`, each as written.
pub fn join_filled<'a>(parts: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The headline names only fields of the section, and every headline
    /// field is marked as such: the table cannot drift from itself.
    #[test]
    fn headlines_and_roles_agree() {
        for section in SECTIONS.iter().chain([&PROFILES]) {
            let h = &section.headline;
            let mut named: Vec<&str> = h.title.to_vec();
            named.extend(h.org);
            named.extend(h.link.map(|(k, _)| k));
            match h.dates {
                Dates::Range(a, b) => named.extend([a, b]),
                Dates::On(a) => named.push(a),
                Dates::Undated => {}
            }
            for key in &named {
                let field = section.field(key).unwrap_or_else(|| panic!("{key}"));
                assert_eq!(field.role, Role::Head, "{}.{key}", section.key);
            }
            for field in section.with_role(Role::Head) {
                assert!(named.contains(&field.key), "{}.{}", section.key, field.key);
            }
            for key in section.identity.iter().chain(section.required) {
                assert!(section.field(key).is_some(), "{}.{key}", section.key);
            }
        }
        for order in [&TOP_LEVEL_ORDER[1..], READING_ORDER] {
            assert_eq!(order.len(), SECTIONS.len());
            assert!(order.iter().all(|k| section(k).is_some()));
        }
        let keys: Vec<&str> = SECTIONS.iter().map(|s| s.key).collect();
        assert_eq!(keys, TOP_LEVEL_ORDER[1..]);
    }

    #[test]
    fn an_entry_is_projected_by_role() {
        let work = section("work").unwrap();
        let value = json!({"name": "Acme", "position": "Engineer", "startDate": "2019",
                           "location": "Oslo", "description": "Cloud", "highlights": ["a", 1, "b"],
                           "team": "x"});
        let e = work.entry(&value);
        assert_eq!(e.title(), ["Engineer"]);
        assert_eq!(e.org(), Some("Acme"));
        assert_eq!(e.headline(" at "), "Engineer at Acme");
        assert_eq!(
            e.when(),
            When::Range {
                start: Some("2019"),
                end: None
            }
        );
        assert_eq!(e.values(Role::Detail), ["Oslo"]);
        assert_eq!(e.values(Role::Aside), ["Cloud"]);
        assert_eq!(e.values(Role::Bullets), ["a", "b"]);
        let extra: Vec<&String> = e.extra().map(|(k, _)| k).collect();
        assert_eq!(extra, ["team"]);
        assert_eq!(e.fields().count(), work.fields.len());

        let projects = section("projects").unwrap();
        let value = json!({"name": "P", "roles": ["lead"], "entity": "E", "type": "app"});
        assert_eq!(
            projects.entry(&value).values(Role::Aside),
            ["E", "app", "lead"]
        );
        let education = section("education").unwrap();
        let value = json!({"institution": "Uni", "area": "CS", "studyType": "MSc"});
        assert_eq!(education.entry(&value).headline(", "), "MSc, CS, Uni");
        assert_eq!(
            section("awards").unwrap().entry(&json!("x")).title(),
            [""; 0]
        );
    }
}
