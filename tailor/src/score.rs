//! Matching a resume against a job's keywords, and the match score.
//!
//! A resume *has* a job skill when the skill appears — through the same
//! vocabulary matching as extraction, so aliases count (`k8s` covers
//! `Kubernetes`) — in one of: skill names and keywords; work and volunteer
//! summaries, descriptions and highlights; project names, descriptions,
//! highlights and keywords; `basics.label` and `basics.summary`; certificate
//! names; education courses. A job skill the vocabulary does not know
//! matches as a whole-word, case-insensitive phrase.
//!
//! The score rewards coverage *and* prominence, since recruiters and
//! screening tools read the top of each list first:
//!
//! ```text
//! score = 100 × Σₖ wₖ·pₖ / Σₖ wₖ               (0 when the job names no skills)
//! wₖ    = 1 / (1 + 0.1·k)                       k = the skill's rank in the job (0 = first)
//! pₖ    = max over every place skill k appears of that place's factor (0 if nowhere)
//! ```
//!
//! Place factors, with `rank(i, free) = 1` for `i < free`, else
//! `max(0.3, 1 − 0.1·(i − free + 1))`:
//!
//! | place                                  | factor                              |
//! |----------------------------------------|-------------------------------------|
//! | `basics.label`, `basics.summary`       | 1.0                                 |
//! | `skills[i].name`                       | rank(i, 5)                          |
//! | `skills[i].keywords[j]`                | rank(i, 5) × rank(j, 5)             |
//! | `work[e]`/`volunteer[e]` `.highlights[j]` | rank(j, 1)                       |
//! | `work[e]`/`volunteer[e]` summary, description | 0.8                          |
//! | `projects[p]` name, description, keywords | rank(p, 2)                       |
//! | `projects[p].highlights[j]`            | rank(p, 2) × rank(j, 1)             |
//! | `certificates[i].name`                 | 0.7                                 |
//! | `education[i].courses[j]`              | 0.6                                 |
//!
//! Scores are reported with one decimal. Reordering never changes whether a
//! skill is covered, only how prominently, so `score_after − score_before`
//! measures how much closer to the top tailoring moved what the job wants.

use std::collections::{BTreeSet, HashMap};

use vitae_common::jobs::{JobKeywords, KeywordMatch};
use vitae_common::Resume;

use crate::vocabulary;

/// How well `resume` covers `job`, as it stands (`score_before` and
/// `score_after` are equal).
pub fn keyword_match(resume: &Resume, job: &JobKeywords) -> KeywordMatch {
    let terms = JobTerms::new(job);
    let mut m = Matcher::new(&terms);
    let prom = m.prominence(resume);
    let score = round1(terms.score(&prom));
    let (matched, missing) = terms.split(&prom);
    KeywordMatch {
        matched,
        missing,
        score_before: score,
        score_after: score,
    }
}

/// The score of `resume` for `job`, 0–100 with one decimal.
pub fn score(resume: &Resume, job: &JobKeywords) -> f64 {
    let terms = JobTerms::new(job);
    let mut m = Matcher::new(&terms);
    let prom = m.prominence(resume);
    round1(terms.score(&prom))
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `rank(i, free)` from the module documentation.
pub(crate) fn rank_factor(i: usize, free: usize) -> f64 {
    if i < free {
        1.0
    } else {
        (1.0 - 0.1 * (i - free + 1) as f64).max(0.3)
    }
}

const SUMMARY: f64 = 1.0;
const ENTRY_TEXT: f64 = 0.8;
const CERTIFICATE: f64 = 0.7;
const COURSE: f64 = 0.6;
const SKILLS_FREE: usize = 5;
const KEYWORDS_FREE: usize = 5;
const HIGHLIGHTS_FREE: usize = 1;
const PROJECTS_FREE: usize = 2;

/// How one job skill is recognised in resume text.
#[derive(Debug, Clone)]
enum Key {
    Vocab(&'static str),
    Literal(String),
}

/// A job's skills, deduplicated, with their weights; and the content words
/// of its requirement phrases.
#[derive(Debug, Clone)]
pub(crate) struct JobTerms {
    /// The job's skill strings as given, one per distinct key, job order.
    pub labels: Vec<String>,
    keys: Vec<Key>,
    pub weights: Vec<f64>,
    phrase_words: BTreeSet<String>,
}

const STOPWORDS: &[&str] = &[
    "with",
    "that",
    "this",
    "have",
    "from",
    "your",
    "will",
    "years",
    "year",
    "experience",
    "ability",
    "strong",
    "work",
    "working",
    "team",
    "teams",
    "about",
    "and",
    "the",
    "for",
    "you",
    "are",
    "our",
    "who",
    "what",
    "when",
    "into",
    "more",
    "plus",
    "least",
    "other",
    "such",
    "well",
    "good",
    "great",
    "excellent",
    "knowledge",
    "understanding",
    "using",
    "skills",
    "able",
    "including",
    "like",
    "must",
    "nice",
    "bonus",
    "preferred",
    "related",
    "similar",
    "equivalent",
    "degree",
    "field",
    "both",
    "also",
    "they",
    "their",
    "them",
    "some",
    "very",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

impl JobTerms {
    pub fn new(job: &JobKeywords) -> JobTerms {
        let mut labels = Vec::new();
        let mut keys: Vec<Key> = Vec::new();
        for skill in &job.skills {
            let trimmed = skill.trim();
            if trimmed.is_empty() {
                continue;
            }
            let key = match vocabulary::canonical(trimmed) {
                Some(name) => Key::Vocab(name),
                None => Key::Literal(trimmed.to_string()),
            };
            let duplicate = keys.iter().any(|k| match (k, &key) {
                (Key::Vocab(a), Key::Vocab(b)) => a == b,
                (Key::Literal(a), Key::Literal(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            });
            if !duplicate {
                labels.push(trimmed.to_string());
                keys.push(key);
            }
        }
        let weights = (0..keys.len())
            .map(|k| 1.0 / (1.0 + 0.1 * k as f64))
            .collect();
        let phrase_words = job
            .phrases
            .iter()
            .flat_map(|p| words(p).collect::<Vec<_>>())
            .filter(|w| {
                w.chars().count() >= 4
                    && !w.chars().all(|c| c.is_ascii_digit())
                    && !STOPWORDS.contains(&w.as_str())
            })
            .collect();
        JobTerms {
            labels,
            keys,
            weights,
            phrase_words,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The raw score for a prominence vector, quantised so that equal
    /// configurations compare equal whatever order the sums ran in.
    pub fn score(&self, prominence: &[f64]) -> f64 {
        let total: f64 = self.weights.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        let got: f64 = self
            .weights
            .iter()
            .zip(prominence)
            .map(|(w, p)| w * p)
            .sum();
        ((100.0 * got / total) * 1e6).round() / 1e6
    }

    /// (matched, missing) labels for a prominence vector.
    pub fn split(&self, prominence: &[f64]) -> (Vec<String>, Vec<String>) {
        let mut matched = Vec::new();
        let mut missing = Vec::new();
        for (label, p) in self.labels.iter().zip(prominence) {
            if *p > 0.0 {
                matched.push(label.clone());
            } else {
                missing.push(label.clone());
            }
        }
        (matched, missing)
    }

    /// How many distinct content words of the job's phrases `text` uses.
    pub fn phrase_word_count(&self, text: &str) -> usize {
        let found: BTreeSet<String> = words(text)
            .filter(|w| self.phrase_words.contains(w))
            .collect();
        found.len()
    }
}

/// Finds job skills in resume strings, caching per string because
/// tailoring scores many orderings of the same strings.
pub(crate) struct Matcher<'a> {
    pub terms: &'a JobTerms,
    cache: HashMap<(bool, String), Vec<usize>>,
}

impl<'a> Matcher<'a> {
    pub fn new(terms: &'a JobTerms) -> Matcher<'a> {
        Matcher {
            terms,
            cache: HashMap::new(),
        }
    }

    /// Indices of the job skills found in `text`, ascending. `term` says the
    /// text is a whole skill name or keyword rather than prose.
    pub fn hits(&mut self, text: &str, term: bool) -> Vec<usize> {
        let cache_key = (term, text.to_string());
        if let Some(found) = self.cache.get(&cache_key) {
            return found.clone();
        }
        let names = if term {
            vocabulary::term_skills(text)
        } else {
            vocabulary::find_all(text)
        };
        let found: Vec<usize> = self
            .terms
            .keys
            .iter()
            .enumerate()
            .filter(|(_, key)| match key {
                Key::Vocab(name) => names.contains(name),
                Key::Literal(lit) => vocabulary::contains_term(text, lit),
            })
            .map(|(i, _)| i)
            .collect();
        self.cache.insert(cache_key, found.clone());
        found
    }

    /// Sum of the weights of the job skills found in `text`.
    pub fn weight(&mut self, text: &str, term: bool) -> f64 {
        let hits = self.hits(text, term);
        hits.iter().map(|&k| self.terms.weights[k]).sum()
    }

    /// The best rank (lowest job index) of a job skill found in `text`.
    pub fn best_rank(&mut self, text: &str, term: bool) -> Option<usize> {
        self.hits(text, term).first().copied()
    }

    /// pₖ for every job skill.
    pub fn prominence(&mut self, r: &Resume) -> Vec<f64> {
        let mut prom = vec![0.0_f64; self.terms.keys.len()];
        if prom.is_empty() {
            return prom;
        }
        let mut mark = |m: &mut Self, text: &str, term: bool, factor: f64| {
            for k in m.hits(text, term) {
                if factor > prom[k] {
                    prom[k] = factor;
                }
            }
        };
        if let Some(b) = &r.basics {
            for t in [&b.label, &b.summary].into_iter().flatten() {
                mark(self, t, false, SUMMARY);
            }
        }
        for (i, s) in r.skills.iter().enumerate() {
            let sf = rank_factor(i, SKILLS_FREE);
            if let Some(name) = &s.name {
                mark(self, name, true, sf);
            }
            for (j, kw) in s.keywords.iter().enumerate() {
                mark(self, kw, true, sf * rank_factor(j, KEYWORDS_FREE));
            }
        }
        for w in &r.work {
            for t in [&w.summary, &w.description].into_iter().flatten() {
                mark(self, t, false, ENTRY_TEXT);
            }
            for (j, h) in w.highlights.iter().enumerate() {
                mark(self, h, false, rank_factor(j, HIGHLIGHTS_FREE));
            }
        }
        for v in &r.volunteer {
            if let Some(t) = &v.summary {
                mark(self, t, false, ENTRY_TEXT);
            }
            for (j, h) in v.highlights.iter().enumerate() {
                mark(self, h, false, rank_factor(j, HIGHLIGHTS_FREE));
            }
        }
        for (p, proj) in r.projects.iter().enumerate() {
            let pf = rank_factor(p, PROJECTS_FREE);
            for t in [&proj.name, &proj.description].into_iter().flatten() {
                mark(self, t, false, pf);
            }
            for kw in &proj.keywords {
                mark(self, kw, true, pf);
            }
            for (j, h) in proj.highlights.iter().enumerate() {
                mark(self, h, false, pf * rank_factor(j, HIGHLIGHTS_FREE));
            }
        }
        for c in &r.certificates {
            if let Some(name) = &c.name {
                mark(self, name, false, CERTIFICATE);
            }
        }
        for e in &r.education {
            for course in &e.courses {
                mark(self, course, false, COURSE);
            }
        }
        prom
    }

    /// The raw (quantised) score of a resume.
    pub fn score(&mut self, r: &Resume) -> f64 {
        let prom = self.prominence(r);
        self.terms.score(&prom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitae_common::resume::{Skill, Work};

    fn job(skills: &[&str]) -> JobKeywords {
        JobKeywords {
            skills: skills.iter().map(|s| s.to_string()).collect(),
            ..JobKeywords::default()
        }
    }

    #[test]
    fn aliases_and_literals_count() {
        let r = Resume {
            skills: vec![Skill {
                name: Some("Infra".into()),
                keywords: vec!["k8s".into(), "postgres".into()],
                ..Skill::default()
            }],
            work: vec![Work {
                highlights: vec!["Ran the quarterly Widgetry review".into()],
                ..Work::default()
            }],
            ..Resume::default()
        };
        let m = keyword_match(&r, &job(&["Kubernetes", "PostgreSQL", "widgetry", "Rust"]));
        assert_eq!(m.matched, ["Kubernetes", "PostgreSQL", "widgetry"]);
        assert_eq!(m.missing, ["Rust"]);
        assert!(m.score_before > 0.0 && m.score_before < 100.0);
    }

    #[test]
    fn formula() {
        assert_eq!(rank_factor(0, 5), 1.0);
        assert_eq!(rank_factor(4, 5), 1.0);
        assert!((rank_factor(5, 5) - 0.9).abs() < 1e-12);
        assert_eq!(rank_factor(100, 5), 0.3);
        let r = Resume {
            skills: vec![Skill {
                name: Some("Rust".into()),
                ..Skill::default()
            }],
            ..Resume::default()
        };
        assert_eq!(score(&r, &job(&["Rust"])), 100.0);
        // Two skills, weights 1 and 1/1.1; only the first covered.
        let expected = round1(100.0 * 1.0 / (1.0 + 1.0 / 1.1));
        assert_eq!(score(&r, &job(&["Rust", "Go"])), expected);
        assert_eq!(score(&r, &job(&[])), 0.0);
    }
}
