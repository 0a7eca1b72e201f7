//! What the diff engine knows about the JSON Resume schema: which lists are
//! aligned by which identity fields, and the order fields are reported in.
//!
//! Everything else in the engine is schema-agnostic; this is the one place
//! to touch when the schema grows a section.

/// The lists of objects whose entries have a known identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Work,
    Volunteer,
    Education,
    Awards,
    Certificates,
    Publications,
    Skills,
    Languages,
    Interests,
    References,
    Projects,
    /// `basics.profiles`.
    Profiles,
}

/// Top-level keys in JSON Resume order: changes and summaries are reported in
/// the order a reader of the document meets them.
pub(super) const SECTION_ORDER: &[&str] = &[
    "basics",
    "work",
    "volunteer",
    "education",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "projects",
];

const BASICS_FIELDS: &[&str] = &[
    "name", "label", "image", "email", "phone", "url", "summary", "location", "profiles",
];
const LOCATION_FIELDS: &[&str] = &["address", "postalCode", "city", "countryCode", "region"];

impl Section {
    fn from_root_key(key: &str) -> Option<Section> {
        Some(match key {
            "work" => Section::Work,
            "volunteer" => Section::Volunteer,
            "education" => Section::Education,
            "awards" => Section::Awards,
            "certificates" => Section::Certificates,
            "publications" => Section::Publications,
            "skills" => Section::Skills,
            "languages" => Section::Languages,
            "interests" => Section::Interests,
            "references" => Section::References,
            "projects" => Section::Projects,
            _ => return None,
        })
    }

    /// The fields that together name an entry. The first one is the "weak"
    /// identity used to pair leftovers (same company, new title).
    pub(super) fn identity(self) -> &'static [&'static str] {
        match self {
            Section::Work => &["name", "position"],
            Section::Volunteer => &["organization", "position"],
            Section::Education => &["institution", "area"],
            Section::Awards => &["title", "awarder"],
            Section::Certificates => &["name", "issuer"],
            Section::Languages => &["language"],
            Section::Profiles => &["network", "username"],
            Section::Skills
            | Section::Projects
            | Section::Publications
            | Section::Interests
            | Section::References => &["name"],
        }
    }

    /// Schema order of an entry's fields.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Section::Work => &[
                "name",
                "position",
                "location",
                "url",
                "startDate",
                "endDate",
                "summary",
                "description",
                "highlights",
            ],
            Section::Volunteer => &[
                "organization",
                "position",
                "url",
                "startDate",
                "endDate",
                "summary",
                "highlights",
            ],
            Section::Education => &[
                "institution",
                "url",
                "area",
                "studyType",
                "startDate",
                "endDate",
                "score",
                "courses",
            ],
            Section::Awards => &["title", "date", "awarder", "summary"],
            Section::Certificates => &["name", "date", "issuer", "url"],
            Section::Publications => &["name", "publisher", "releaseDate", "url", "summary"],
            Section::Skills => &["name", "level", "keywords"],
            Section::Languages => &["language", "fluency"],
            Section::Interests => &["name", "keywords"],
            Section::References => &["name", "reference"],
            Section::Projects => &[
                "name",
                "description",
                "highlights",
                "keywords",
                "startDate",
                "endDate",
                "url",
                "roles",
                "entity",
                "type",
            ],
            Section::Profiles => &["network", "username", "url"],
        }
    }
}

/// Where in a JSON Resume document a value sits, as far as the schema cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    Root,
    Basics,
    Location,
    List(Section),
    Entry(Section),
    Other,
}

impl Ctx {
    /// The context of the value under `key` of an object in this context.
    pub(super) fn key(self, key: &str) -> Ctx {
        match (self, key) {
            (Ctx::Root, "basics") => Ctx::Basics,
            (Ctx::Root, _) => Section::from_root_key(key).map_or(Ctx::Other, Ctx::List),
            (Ctx::Basics, "location") => Ctx::Location,
            (Ctx::Basics, "profiles") => Ctx::List(Section::Profiles),
            _ => Ctx::Other,
        }
    }

    /// The context of an element of a list in this context.
    pub(super) fn element(self) -> Ctx {
        match self {
            Ctx::List(section) => Ctx::Entry(section),
            _ => Ctx::Other,
        }
    }

    /// The section whose identity rule aligns a list in this context.
    pub(super) fn section(self) -> Option<Section> {
        match self {
            Ctx::List(section) => Some(section),
            _ => None,
        }
    }

    /// Schema order of an object's keys in this context (empty: no opinion).
    pub(super) fn field_order(self) -> &'static [&'static str] {
        match self {
            Ctx::Root => SECTION_ORDER,
            Ctx::Basics => BASICS_FIELDS,
            Ctx::Location => LOCATION_FIELDS,
            Ctx::Entry(section) => section.fields(),
            Ctx::List(_) | Ctx::Other => &[],
        }
    }
}

/// Rank of `key` in `order`; unknown keys come after every known one.
pub(super) fn rank(order: &[&str], key: &str) -> usize {
    order.iter().position(|k| *k == key).unwrap_or(order.len())
}
