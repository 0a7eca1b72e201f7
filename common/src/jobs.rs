//! Job descriptions and tailoring: the wire types.
//!
//! A stored job carries the [`JobKeywords`] extracted from its description,
//! and a tailor preview carries a [`KeywordMatch`] saying how well the
//! resume covers them before and after tailoring. Both are produced by the
//! deterministic `vitae-tailor` crate, so the same job and resume always give
//! the same keywords, order and scores.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// What was extracted from a job description.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobKeywords {
    /// Skills and tools the job asks for, most important first. Names from
    /// the curated vocabulary are canonical (`"Kubernetes"` for `k8s`);
    /// skills the job lists explicitly but the vocabulary does not know are
    /// kept as written.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Requirement phrases quoted from the description, in the order they
    /// appear (`"5+ years of backend development"`); at most 15, each at
    /// most 120 characters.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// The seniority the job is pitched at: `"intern"`, `"junior"`, `"mid"`,
    /// `"senior"`, `"staff"`, `"principal"` or `"lead"` (which also stands
    /// for "Head of", "Director" and "VP" titles). Taken from the title, else
    /// from the years asked (0–2 junior, 3–4 mid, 5–7 senior, 8+ staff);
    /// `null` when neither says.
    #[serialize_always]
    pub seniority: Option<String>,
    /// The smallest number of years of experience the description asks for
    /// (`"3+ years"`, `"5 years of"`), absent when it states none.
    pub years: Option<u32>,
}

/// How well a resume covers a job's keywords.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeywordMatch {
    /// The job's skills that the resume mentions, in the job's order.
    #[serde(default)]
    pub matched: Vec<String>,
    /// The job's skills that the resume does not mention, in the job's order.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Coverage-and-prominence score of the resume as it was, 0–100 (one
    /// decimal). The formula is documented in `vitae_tailor::score`.
    #[serde(default)]
    pub score_before: f64,
    /// The same score for the tailored resume, 0–100; never below
    /// `score_before`.
    #[serde(default)]
    pub score_after: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_is_omitted_when_unknown_and_old_records_still_load() {
        let k = JobKeywords {
            skills: vec!["Rust".into()],
            ..JobKeywords::default()
        };
        let v = serde_json::to_value(&k).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"skills": ["Rust"], "phrases": [], "seniority": null})
        );
        let back: JobKeywords = serde_json::from_str("{\"skills\": [\"Go\"]}").unwrap();
        assert_eq!(back.skills, ["Go"]);
        assert_eq!(back.years, None);
        let m: KeywordMatch = serde_json::from_str("{}").unwrap();
        assert_eq!(m, KeywordMatch::default());
    }
}
