//! How the diff engine reads the JSON Resume schema ([`crate::schema`]):
//! where in a document a value sits, which lists are aligned by which
//! identity fields, and the order fields are reported in.
//!
//! Everything else in the engine is schema-agnostic; the schema itself is
//! written down once, in [`crate::schema`].

use crate::schema::{self, Field, Section, BASICS_FIELDS, LOCATION_FIELDS, PROFILES};

pub(super) use crate::schema::{rank, TOP_LEVEL_ORDER as SECTION_ORDER};

/// Where in a JSON Resume document a value sits, as far as the schema cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    Root,
    Basics,
    Location,
    List(&'static Section),
    Entry(&'static Section),
    Other,
}

impl Ctx {
    /// The context of the value under `key` of an object in this context.
    pub(super) fn key(self, key: &str) -> Ctx {
        match (self, key) {
            (Ctx::Root, "basics") => Ctx::Basics,
            (Ctx::Root, _) => schema::section(key).map_or(Ctx::Other, Ctx::List),
            (Ctx::Basics, "location") => Ctx::Location,
            (Ctx::Basics, "profiles") => Ctx::List(&PROFILES),
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
    pub(super) fn section(self) -> Option<&'static Section> {
        match self {
            Ctx::List(section) => Some(section),
            _ => None,
        }
    }

    /// Schema rank of `key` in an object in this context (unknown keys after
    /// every known one); `None` when the schema has no opinion on the order.
    pub(super) fn rank(self, key: &str) -> Option<usize> {
        let fields: &[Field] = match self {
            Ctx::Root => return Some(rank(SECTION_ORDER, key)),
            Ctx::Basics => BASICS_FIELDS,
            Ctx::Location => LOCATION_FIELDS,
            Ctx::Entry(section) => section.fields,
            Ctx::List(_) | Ctx::Other => return None,
        };
        Some(
            fields
                .iter()
                .position(|f| f.key == key)
                .unwrap_or(fields.len()),
        )
    }
}
