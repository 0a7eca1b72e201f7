//! Tailoring a resume to a job: reorder and select, never invent.
//!
//! The tailored document contains only what the source contains, in an
//! order that puts what the job asks for first:
//!
//! - skills: those naming a job skill first, in the job's order, the rest in
//!   their original order; each skill's keywords likewise;
//! - work and volunteer entries keep their (chronological) order, and each
//!   entry's highlights are sorted most relevant first;
//! - projects are sorted by relevance (and their highlights too); beyond the
//!   first four, projects that mention none of the job's skills are left
//!   out, each with a warning;
//! - `basics` (personal details), education, awards, certificates,
//!   publications, languages, interests, references and every unknown field
//!   are copied unchanged.
//!
//! Relevance of a text is the summed weight of the job skills it mentions,
//! then the number of the job's requirement-phrase words it uses, then the
//! original position (so ties keep their order and the result is
//! deterministic).
//!
//! A reordering is adopted only when it does not lower the match score (see
//! [`crate::score`]). With the score's weights the relevance order is
//! almost always an improvement; when it is not — an item carrying the only
//! prominent mention of one skill would be pushed down by an item whose
//! skills are prominent elsewhere anyway — items are moved towards their
//! relevance places one at a time, each move kept only if the score holds.
//! That makes `score_after ≥ score_before` a guarantee rather than a hope,
//! and a list left wholly or partly in its original order is reported in
//! the warnings, as is anything left out, the job skills the resume lacks,
//! and a tailoring that changed nothing. Finally the result is checked with
//! [`crate::check_faithful`];
//! should that ever fail, the source is returned unchanged with a warning.

use vitae_common::jobs::{JobKeywords, KeywordMatch};
use vitae_common::resume::Project;
use vitae_common::Resume;

use crate::faithful::check_faithful;
use crate::score::{round1, JobTerms, Matcher};

/// Projects always kept, however irrelevant: a resume with a handful of
/// projects reads oddly with fewer.
pub const PROJECTS_ALWAYS_KEPT: usize = 4;

/// The result of tailoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Tailoring {
    /// The tailored resume: the source's content, reordered and selected.
    pub document: Resume,
    /// Which job skills the resume covers, and the score before and after.
    pub keyword_match: KeywordMatch,
    /// What the person should know: what was left out, what is missing,
    /// what could not be done.
    pub warnings: Vec<String>,
}

/// Tailor `source` to a job's keywords.
pub fn tailor(source: &Resume, job: &JobKeywords) -> Tailoring {
    let terms = JobTerms::new(job);
    let mut m = Matcher::new(&terms);
    let before = m.score(source);
    let mut warnings = Vec::new();

    if terms.is_empty() {
        warnings.push(
            "the job names no skills or tools that Vitae recognises, so nothing was reordered"
                .to_string(),
        );
        return Tailoring {
            document: source.clone(),
            keyword_match: KeywordMatch::default(),
            warnings,
        };
    }

    let mut t = Tailor {
        m,
        doc: source.clone(),
        current: before,
        warnings: Vec::new(),
    };
    t.skills();
    t.highlights();
    t.projects();
    let Tailor {
        mut m,
        doc,
        current,
        warnings: mut step_warnings,
    } = t;
    warnings.append(&mut step_warnings);

    let (document, after) = match check_faithful(source, &doc) {
        problems if problems.is_empty() => (doc, current),
        problems => {
            warnings.push(format!(
                "tailoring was abandoned and the resume is unchanged, because the result did not \
                 match the source ({}); please report this",
                problems.join("; ")
            ));
            (source.clone(), before)
        }
    };

    let prom = m.prominence(&document);
    let (matched, missing) = terms.split(&prom);
    if !missing.is_empty() {
        warnings.push(format!(
            "the job asks for {} that the resume does not mention; add them yourself if you have them",
            missing.join(", ")
        ));
    }
    if document == *source {
        warnings.push(
            "nothing was reordered: the resume's order already suits this job as well as it can"
                .to_string(),
        );
    }
    Tailoring {
        document,
        keyword_match: KeywordMatch {
            matched,
            missing,
            score_before: round1(before),
            score_after: round1(after),
        },
        warnings,
    }
}

struct Tailor<'a> {
    m: Matcher<'a>,
    doc: Resume,
    /// The raw score of `doc`.
    current: f64,
    warnings: Vec<String>,
}

/// Sort key of a text or entry: more weight first, then more phrase words,
/// then the original position.
#[derive(Debug, Clone, Copy)]
struct Relevance {
    weight: f64,
    phrase_words: usize,
}

/// The permutation that sorts by relevance, most relevant first, stably.
fn relevance_order(keys: Vec<Relevance>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        keys[b]
            .weight
            .total_cmp(&keys[a].weight)
            .then(keys[b].phrase_words.cmp(&keys[a].phrase_words))
            .then(a.cmp(&b))
    });
    order
}

/// The permutation that sorts by best job rank (`None` last), stably.
fn rank_order(ranks: &[Option<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by_key(|&i| (ranks[i].is_none(), ranks[i].unwrap_or(0), i));
    order
}

/// A list in the document that tailoring may reorder.
#[derive(Debug, Clone, Copy)]
enum List {
    Skills,
    SkillKeywords(usize),
    WorkHighlights(usize),
    VolunteerHighlights(usize),
    Projects,
    ProjectHighlights(usize),
}

fn permuted<T: Clone>(items: &[T], perm: &[usize]) -> Vec<T> {
    perm.iter().filter_map(|&i| items.get(i).cloned()).collect()
}

/// `doc` with one list rearranged by `perm` (indices into the list).
fn permute(doc: &Resume, list: List, perm: &[usize]) -> Resume {
    let mut out = doc.clone();
    match list {
        List::Skills => out.skills = permuted(&doc.skills, perm),
        List::SkillKeywords(i) => {
            if let (Some(dst), Some(src)) = (out.skills.get_mut(i), doc.skills.get(i)) {
                dst.keywords = permuted(&src.keywords, perm);
            }
        }
        List::WorkHighlights(i) => {
            if let (Some(dst), Some(src)) = (out.work.get_mut(i), doc.work.get(i)) {
                dst.highlights = permuted(&src.highlights, perm);
            }
        }
        List::VolunteerHighlights(i) => {
            if let (Some(dst), Some(src)) = (out.volunteer.get_mut(i), doc.volunteer.get(i)) {
                dst.highlights = permuted(&src.highlights, perm);
            }
        }
        List::Projects => out.projects = permuted(&doc.projects, perm),
        List::ProjectHighlights(i) => {
            if let (Some(dst), Some(src)) = (out.projects.get_mut(i), doc.projects.get(i)) {
                dst.highlights = permuted(&src.highlights, perm);
            }
        }
    }
    out
}

impl Tailor<'_> {
    /// Rearrange one list towards `target` without lowering the score.
    ///
    /// The whole target order is tried first. When it would lower the score
    /// (it can: an item may carry the only prominent mention of a skill that
    /// a more relevant item pushes down), items are moved into their target
    /// places one at a time, each move kept only if the score holds, so the
    /// result is as close to the target as the score allows.
    fn reorder(&mut self, list: List, target: Vec<usize>, what: &str) {
        let identity: Vec<usize> = (0..target.len()).collect();
        if target == identity {
            return;
        }
        let base = self.doc.clone();
        let whole = permute(&base, list, &target);
        let score = self.m.score(&whole);
        if score >= self.current {
            self.doc = whole;
            self.current = score;
            return;
        }
        let mut cur = identity.clone();
        for (pos, want) in target.iter().enumerate() {
            let Some(at) = cur.iter().position(|x| x == want) else {
                continue;
            };
            if at <= pos {
                continue;
            }
            let mut trial = cur.clone();
            let item = trial.remove(at);
            trial.insert(pos, item);
            let candidate = permute(&base, list, &trial);
            let score = self.m.score(&candidate);
            if score >= self.current {
                cur = trial;
                self.doc = candidate;
                self.current = score;
            }
        }
        self.warnings.push(if cur == identity {
            format!(
                "kept the original order of {what}: reordering would have lowered the match score"
            )
        } else {
            format!(
                "reordered {what} only in part: the full reordering would have lowered the match score"
            )
        });
    }

    fn text_relevance(&mut self, text: &str) -> Relevance {
        Relevance {
            weight: self.m.weight(text, false),
            phrase_words: self.m.terms.phrase_word_count(text),
        }
    }

    fn highlight_order(&mut self, highlights: &[String]) -> Vec<usize> {
        let keys = highlights.iter().map(|h| self.text_relevance(h)).collect();
        relevance_order(keys)
    }

    fn skills(&mut self) {
        let mut ranks = Vec::new();
        for s in &self.doc.skills.clone() {
            let name = s.name.as_deref().and_then(|n| self.m.best_rank(n, true));
            let kws = s
                .keywords
                .iter()
                .filter_map(|k| self.m.best_rank(k, true))
                .min();
            ranks.push(match (name, kws) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            });
        }
        self.reorder(List::Skills, rank_order(&ranks), "the skills");

        for i in 0..self.doc.skills.len() {
            let keywords = self.doc.skills[i].keywords.clone();
            let ranks: Vec<Option<usize>> =
                keywords.iter().map(|k| self.m.best_rank(k, true)).collect();
            let label = entry_label("skills", i, self.doc.skills[i].name.as_deref());
            self.reorder(
                List::SkillKeywords(i),
                rank_order(&ranks),
                &format!("the keywords of {label}"),
            );
        }
    }

    fn highlights(&mut self) {
        for i in 0..self.doc.work.len() {
            let order = self.highlight_order(&self.doc.work[i].highlights.clone());
            let label = entry_label("work", i, self.doc.work[i].name.as_deref());
            self.reorder(
                List::WorkHighlights(i),
                order,
                &format!("the highlights of {label}"),
            );
        }
        for i in 0..self.doc.volunteer.len() {
            let order = self.highlight_order(&self.doc.volunteer[i].highlights.clone());
            let label = entry_label(
                "volunteer",
                i,
                self.doc.volunteer[i].organization.as_deref(),
            );
            self.reorder(
                List::VolunteerHighlights(i),
                order,
                &format!("the highlights of {label}"),
            );
        }
    }

    fn project_relevance(&mut self, p: &Project) -> Relevance {
        let mut hits: Vec<usize> = Vec::new();
        let mut phrase_text = String::new();
        for t in [&p.name, &p.description].into_iter().flatten() {
            hits.extend(self.m.hits(t, false));
            phrase_text.push_str(t);
            phrase_text.push('\n');
        }
        for h in &p.highlights {
            hits.extend(self.m.hits(h, false));
            phrase_text.push_str(h);
            phrase_text.push('\n');
        }
        for k in &p.keywords {
            hits.extend(self.m.hits(k, true));
            phrase_text.push_str(k);
            phrase_text.push('\n');
        }
        hits.sort_unstable();
        hits.dedup();
        Relevance {
            weight: hits.iter().map(|&k| self.m.terms.weights[k]).sum(),
            phrase_words: self.m.terms.phrase_word_count(&phrase_text),
        }
    }

    fn projects(&mut self) {
        let keys = self
            .doc
            .projects
            .clone()
            .iter()
            .map(|p| self.project_relevance(p))
            .collect();
        self.reorder(List::Projects, relevance_order(keys), "the projects");

        for i in 0..self.doc.projects.len() {
            let order = self.highlight_order(&self.doc.projects[i].highlights.clone());
            let label = entry_label("projects", i, self.doc.projects[i].name.as_deref());
            self.reorder(
                List::ProjectHighlights(i),
                order,
                &format!("the highlights of {label}"),
            );
        }

        if self.doc.projects.len() <= PROJECTS_ALWAYS_KEPT {
            return;
        }
        let mut candidate = self.doc.clone();
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for (i, p) in candidate.projects.iter().enumerate() {
            if i < PROJECTS_ALWAYS_KEPT || self.project_relevance(p).weight > 0.0 {
                kept.push(p.clone());
            } else {
                dropped.push(match p.name.as_deref().map(str::trim) {
                    Some(name) if !name.is_empty() => format!("project \"{name}\""),
                    _ => format!("the untitled project at position {}", i + 1),
                });
            }
        }
        if dropped.is_empty() {
            return;
        }
        candidate.projects = kept;
        // Dropping projects that mention no job skill cannot lower the score
        // (the rest only move up); checked anyway, like every step.
        let score = self.m.score(&candidate);
        if score >= self.current {
            self.doc = candidate;
            self.current = score;
            for d in dropped {
                self.warnings.push(format!(
                    "left out {d}: it mentions none of the job's keywords"
                ));
            }
        }
    }
}

fn entry_label(section: &str, i: usize, name: Option<&str>) -> String {
    match name.map(str::trim) {
        Some(n) if !n.is_empty() => format!("{section}[{i}] (\"{n}\")"),
        _ => format!("{section}[{i}]"),
    }
}
