//! Job descriptions and tailoring, as a pure, deterministic library.
//!
//! The flow the server drives:
//!
//! 1. [`parse_job`] reads a posting (plain text, Markdown or a JSON Resume
//!    job) into a [`JobPosting`];
//! 2. [`extract_keywords`] turns it into [`JobKeywords`] — skills from a
//!    curated [`vocabulary`], requirement phrases, seniority, years;
//! 3. [`tailor`] reorders and selects a resume's content for those keywords,
//!    never inventing anything, and reports a [`KeywordMatch`] and warnings;
//! 4. [`check_faithful`] and [`check_text_faithful`] verify that a tailored
//!    document or a piece of free text claims nothing the source does not.
//!
//! No function here does I/O, keeps state, or panics on any input; the same
//! inputs always give the same outputs.

#![forbid(unsafe_code)]

mod extract;
mod faithful;
mod job;
mod lines;
pub mod score;
mod tailoring;
pub mod vocabulary;

pub use extract::{extract_keywords, MAX_PHRASES, MAX_PHRASE_CHARS};
pub use faithful::{check_faithful, check_text_faithful, check_text_faithful_allowing};
pub use job::{parse_job, JobError, JobFormat, JobPosting};
pub use score::keyword_match;
pub use tailoring::{tailor, Tailoring, PROJECTS_ALWAYS_KEPT};
pub use vitae_common::jobs::{JobKeywords, KeywordMatch};
