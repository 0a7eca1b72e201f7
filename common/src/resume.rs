//! The canonical resume model: the JSON Resume schema (<https://jsonresume.org/schema>).
//!
//! Every struct keeps the fields it does not know in `extra`, so importing a
//! JSON Resume file and exporting it again is lossless, including vendor
//! extensions and `meta`. Dates stay strings (`2020`, `2020-01`, `2020-01-31`)
//! because resumes show them at the precision they have.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::skip_serializing_none;

/// Unknown keys of an object, kept verbatim.
pub type Extra = Map<String, Value>;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resume {
    pub basics: Option<Basics>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work: Vec<Work>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volunteer: Vec<Volunteer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub education: Vec<Education>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<Award>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publications: Vec<Publication>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Skill>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Language>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<Interest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<Project>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Basics {
    pub name: Option<String>,
    pub label: Option<String>,
    pub image: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Profile>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub region: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub network: Option<String>,
    pub username: Option<String>,
    pub url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Work {
    /// The employer (JSON Resume calls the company `name`).
    pub name: Option<String>,
    pub position: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volunteer {
    pub organization: Option<String>,
    pub position: Option<String>,
    pub url: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Education {
    pub institution: Option<String>,
    pub url: Option<String>,
    pub area: Option<String>,
    pub study_type: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub score: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub courses: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Award {
    pub title: Option<String>,
    pub date: Option<String>,
    pub awarder: Option<String>,
    pub summary: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub name: Option<String>,
    pub date: Option<String>,
    pub issuer: Option<String>,
    pub url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Publication {
    pub name: Option<String>,
    pub publisher: Option<String>,
    pub release_date: Option<String>,
    pub url: Option<String>,
    pub summary: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    pub name: Option<String>,
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Language {
    pub language: Option<String>,
    pub fluency: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Interest {
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub name: Option<String>,
    pub reference: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub entity: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Why a JSON value is not an acceptable resume document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the document must be a JSON object, found {0}")]
    NotAnObject(&'static str),
    #[error("invalid JSON Resume document: {0}")]
    Shape(String),
}

impl Resume {
    /// Validate an untrusted JSON value as a JSON Resume document.
    ///
    /// The check is structural (every known key has the schema's type), the
    /// same rule for uploads of `.json` files and for `PATCH` bodies, so the
    /// message names the offending path, e.g. `work[0].highlights: invalid type`.
    pub fn from_value(value: Value) -> Result<Resume, DocumentError> {
        if !value.is_object() {
            return Err(DocumentError::NotAnObject(json_type_name(&value)));
        }
        serde_path_to_error::deserialize(value).map_err(|e| DocumentError::Shape(e.to_string()))
    }

    /// The person's name, if the document has one.
    pub fn name(&self) -> Option<&str> {
        self.basics.as_ref()?.name.as_deref()
    }

    /// The person's email, if the document has one.
    pub fn email(&self) -> Option<&str> {
        self.basics.as_ref()?.email.as_deref()
    }

    /// The language the document is written in (`meta.language`, ISO 639-1),
    /// as the parser detected it or the file declared it.
    pub fn language(&self) -> Option<&str> {
        self.extra.get("meta")?.get("language")?.as_str()
    }
}

/// How deep a resume document may nest: far beyond any real one (JSON
/// Resume needs about 5 levels), far below the recursion limit (128) with
/// which serde_json reads documents back, here and in the server's store.
/// Both ways in, an upload and a PATCH, refuse deeper ones.
pub const MAX_DOCUMENT_DEPTH: usize = 64;

/// The nesting depth of a JSON value (a scalar is 1, `{"a": []}` is 2).
pub fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// The JSON type of a value, as a word for error messages.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod depth_tests {
    use super::json_depth;

    #[test]
    fn json_depth_counts_containers() {
        let depth = |s: &str| json_depth(&serde_json::from_str(s).unwrap());
        assert_eq!(depth("1"), 1);
        assert_eq!(depth("{}"), 1);
        assert_eq!(depth(r#"{"a": []}"#), 2);
        assert_eq!(depth(r#"{"a": [1, {"b": [[]]}], "c": 2}"#), 5);
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(depth(&deep), 100);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_unknown_fields() {
        let input = json!({
            "basics": {"name": "Zoë Amélie", "x-pronouns": "she/her",
                       "location": {"city": "Lyon", "countryCode": "FR", "custom": 1},
                       "profiles": [{"network": "GitHub", "username": "zoe"}]},
            "work": [{"name": "Acme", "startDate": "2020-01", "highlights": ["a"], "tags": ["x"]}],
            "projects": [{"name": "P", "type": "application"}],
            "meta": {"version": "v1.0.0"}
        });
        let resume = Resume::from_value(input.clone()).unwrap();
        assert_eq!(resume.name(), Some("Zoë Amélie"));
        assert_eq!(resume.projects[0].kind.as_deref(), Some("application"));
        assert_eq!(serde_json::to_value(&resume).unwrap(), input);
    }

    #[test]
    fn wrong_types_are_rejected_with_a_path_hint() {
        let err = Resume::from_value(json!({"work": [{"highlights": "not a list"}]})).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
        let err = Resume::from_value(json!([1, 2])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the document must be a JSON object, found an array"
        );
    }
}
