//! Aligning the entries of two versions of a list: which before entry became
//! which after entry, which were added or removed, and which moved.
//!
//! Matching runs in passes, each only over what the earlier ones left:
//!
//! 1. an order-preserving alignment that pairs as many entries as it can,
//!    preferring equal values (weight 3) over entries that merely share an
//!    identity key (weight 2): a weighted longest common subsequence, so with
//!    duplicates an insertion or deletion does not reshuffle the rest, and
//!    `[A, B]` → `[A', B]` pairs A with A' even when A' happens to equal B;
//! 2. the remaining equal values, then the remaining identity keys, in order
//!    (duplicates first with first): these pairs cross the alignment, so
//!    they will show as moves;
//! 3. leftovers paired greedily by similarity, where entries sharing the
//!    first identity field (same company, new title) always qualify.
//!
//! Pass 1 is an O(n·m) table, so for lists whose product of lengths exceeds
//! [`ALIGN_CAP`] it becomes Myers' diff over values, then over keys. Pass 3
//! is quadratic with a costlier step, so it is skipped for lists longer than
//! [`PAIRING_CAP`].

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use serde_json::Value;
use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::schema::Section;

/// Longest list for which leftovers are paired by similarity.
pub(super) const PAIRING_CAP: usize = 200;
/// Largest `before.len() * after.len()` aligned by the weighted table.
const ALIGN_CAP: usize = 40_000;
/// Longest id sequence (both sides together) handed to Myers; beyond it only
/// the common prefix and suffix are order-preserving matches.
const LCS_CAP: usize = 4000;
/// Most matched pairs for which the stable run is chosen by the quadratic
/// [`stable_run`] rather than a plain longest increasing subsequence.
const STABLE_DP_CAP: usize = 256;
/// Minimum similarity for pairing two different strings.
const TEXT_THRESHOLD: f64 = 0.5;
/// Minimum similarity for pairing two different objects or lists: higher than
/// for text, so that `{language: French, fluency: B2}` does not pair with
/// `{language: German, fluency: B2}` on the strength of one shared field.
const VALUE_THRESHOLD: f64 = 0.6;
/// How deep object similarity looks before settling for plain equality.
const SIMILARITY_DEPTH: u32 = 3;
/// Longest array compared element by element when scoring similarity.
const ARRAY_SIMILARITY_CAP: usize = 64;

/// Which before entry became which after entry.
pub(super) struct Alignment {
    pub(super) b2a: Vec<Option<usize>>,
    pub(super) a2b: Vec<Option<usize>>,
}

impl Alignment {
    fn new(before: usize, after: usize) -> Alignment {
        Alignment {
            b2a: vec![None; before],
            a2b: vec![None; after],
        }
    }

    fn pair(&mut self, i: usize, j: usize) {
        self.b2a[i] = Some(j);
        self.a2b[j] = Some(i);
    }

    /// For each after index, whether its entry kept its place: it is matched
    /// and belongs to a longest run of matches whose order did not change.
    /// Matched entries outside that run are the ones reported as moved, so an
    /// insertion or removal never makes its neighbours "moved".
    pub(super) fn stayed(&self) -> Vec<bool> {
        let pairs: Vec<(usize, usize)> = self
            .b2a
            .iter()
            .enumerate()
            .filter_map(|(i, j)| j.map(|j| (i, j)))
            .collect();
        let kept = if pairs.len() <= STABLE_DP_CAP {
            stable_run(&pairs)
        } else {
            let seq: Vec<usize> = pairs.iter().map(|(_, j)| *j).collect();
            longest_increasing(&seq)
        };
        let mut stayed = vec![false; self.a2b.len()];
        for k in kept {
            stayed[pairs[k].1] = true;
        }
        stayed
    }
}

/// Align two versions of a list; `section` names the identity rule, if any.
pub(super) fn align(before: &[Value], after: &[Value], section: Option<&Section>) -> Alignment {
    let mut m = Alignment::new(before.len(), after.len());
    let values = value_ids(before, after);
    let keys = section.map(|s| key_ids(before, after, s.identity));
    if before.len().saturating_mul(after.len()) <= ALIGN_CAP {
        align_in_order(&mut m, &values, keys.as_ref());
        match_in_order(&mut m, &values);
        if let Some(keys) = &keys {
            match_in_order(&mut m, keys);
        }
    } else {
        match_ids(&mut m, &values);
        if let Some(keys) = &keys {
            match_ids(&mut m, keys);
        }
    }
    pair_similar(&mut m, before, after, section);
    m
}

/// Per-entry ids of both lists; equal ids mean "the same" (value or key),
/// `None` never matches.
type Ids = (Vec<Option<u32>>, Vec<Option<u32>>);

/// Pass 1: the order-preserving pairing of greatest weight (equal value 3,
/// same identity key 2), by the classic longest-common-subsequence table.
fn align_in_order(m: &mut Alignment, values: &Ids, keys: Option<&Ids>) {
    let (n, k) = (values.0.len(), values.1.len());
    let same = |ids: &Ids, i: usize, j: usize| ids.0[i].is_some() && ids.0[i] == ids.1[j];
    let weight = |i: usize, j: usize| -> u32 {
        if same(values, i, j) {
            3
        } else if keys.is_some_and(|keys| same(keys, i, j)) {
            2
        } else {
            0
        }
    };
    let width = k + 1;
    let mut table = vec![0u32; (n + 1) * width];
    for i in 1..=n {
        for j in 1..=k {
            let mut best = table[(i - 1) * width + j].max(table[i * width + j - 1]);
            let w = weight(i - 1, j - 1);
            if w > 0 {
                best = best.max(table[(i - 1) * width + j - 1] + w);
            }
            table[i * width + j] = best;
        }
    }
    let (mut i, mut j) = (n, k);
    while i > 0 && j > 0 {
        let here = table[i * width + j];
        let w = weight(i - 1, j - 1);
        if w > 0 && here == table[(i - 1) * width + j - 1] + w {
            m.pair(i - 1, j - 1);
            i -= 1;
            j -= 1;
        } else if here == table[(i - 1) * width + j] {
            i -= 1;
        } else {
            j -= 1;
        }
    }
}

/// Give equal values equal ids (hash buckets, confirmed with `==`).
fn value_ids(before: &[Value], after: &[Value]) -> Ids {
    let mut buckets: HashMap<u64, Vec<(u32, &Value)>> = HashMap::new();
    let mut next = 0u32;
    let ids_b = before
        .iter()
        .map(|v| Some(intern(v, &mut buckets, &mut next)))
        .collect();
    let ids_a = after
        .iter()
        .map(|v| Some(intern(v, &mut buckets, &mut next)))
        .collect();
    (ids_b, ids_a)
}

fn intern<'v>(
    value: &'v Value,
    buckets: &mut HashMap<u64, Vec<(u32, &'v Value)>>,
    next: &mut u32,
) -> u32 {
    let bucket = buckets.entry(value_hash(value)).or_default();
    if let Some((id, _)) = bucket.iter().find(|(_, seen)| *seen == value) {
        return *id;
    }
    let id = *next;
    *next += 1;
    bucket.push((id, value));
    id
}

/// A hash consistent with `Value`'s `==`: object members are combined
/// order-independently, since maps compare equal whatever their order.
fn value_hash(value: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    match value {
        Value::Null => 0u8.hash(&mut h),
        Value::Bool(b) => (1u8, b).hash(&mut h),
        Value::Number(n) => (2u8, n.to_string()).hash(&mut h),
        Value::String(s) => (3u8, s).hash(&mut h),
        Value::Array(items) => {
            (4u8, items.len()).hash(&mut h);
            for item in items {
                value_hash(item).hash(&mut h);
            }
        }
        Value::Object(map) => {
            let members = map.iter().fold(0u64, |acc, (k, v)| {
                let mut m = DefaultHasher::new();
                (k, value_hash(v)).hash(&mut m);
                acc.wrapping_add(m.finish())
            });
            (5u8, map.len(), members).hash(&mut h);
        }
    }
    h.finish()
}

/// Ids of identity keys; `None` for entries with no identity (not an object,
/// or every identity field empty), which only similarity can pair.
fn key_ids(before: &[Value], after: &[Value], fields: &[&str]) -> Ids {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut id_of = |v: &Value| {
        let key = identity_key(v, fields)?;
        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        Some(*ids.entry(key).or_insert(next))
    };
    let keys_b = before.iter().map(&mut id_of).collect();
    let keys_a = after.iter().map(&mut id_of).collect();
    (keys_b, keys_a)
}

fn identity_key(value: &Value, fields: &[&str]) -> Option<String> {
    let object = value.as_object()?;
    let parts: Vec<String> = fields.iter().map(|f| field_key(object.get(*f))).collect();
    if parts.iter().all(String::is_empty) {
        return None;
    }
    // A separator that cannot survive normalisation, so ("a b", "") and
    // ("a", "b") stay different keys.
    Some(parts.join("\u{1f}"))
}

/// An identity field compared case-insensitively with whitespace normalised.
pub(super) fn field_key(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => normalise(s),
        Some(other) => other.to_string(),
    }
}

fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Passes 1 and 2 for long lists: pair unmatched entries with equal ids,
/// first the longest order-preserving set (Myers), then the rest in order.
fn match_ids(m: &mut Alignment, ids: &Ids) {
    let left_b: Vec<(usize, u32)> = (0..ids.0.len())
        .filter(|&i| m.b2a[i].is_none())
        .filter_map(|i| ids.0[i].map(|id| (i, id)))
        .collect();
    let left_a: Vec<(usize, u32)> = (0..ids.1.len())
        .filter(|&j| m.a2b[j].is_none())
        .filter_map(|j| ids.1[j].map(|id| (j, id)))
        .collect();
    if left_b.is_empty() || left_a.is_empty() {
        return;
    }
    let seq_b: Vec<u32> = left_b.iter().map(|(_, id)| *id).collect();
    let seq_a: Vec<u32> = left_a.iter().map(|(_, id)| *id).collect();
    for (x, y) in common_subsequence(&seq_b, &seq_a) {
        m.pair(left_b[x].0, left_a[y].0);
    }
    match_in_order(m, ids);
}

/// Pass 2: pair unmatched entries with equal ids in order (the first
/// unmatched before entry with an id goes to the first such after entry).
fn match_in_order(m: &mut Alignment, ids: &Ids) {
    let mut queues: HashMap<u32, VecDeque<usize>> = HashMap::new();
    for (i, id) in ids.0.iter().enumerate() {
        if let (None, Some(id)) = (m.b2a[i], id) {
            queues.entry(*id).or_default().push_back(i);
        }
    }
    if queues.is_empty() {
        return;
    }
    for (j, id) in ids.1.iter().enumerate() {
        if let (None, Some(id)) = (m.a2b[j], id) {
            if let Some(i) = queues.get_mut(id).and_then(VecDeque::pop_front) {
                m.pair(i, j);
            }
        }
    }
}

/// Index pairs of a longest common subsequence (Myers), or for very long
/// sequences just of the common prefix and suffix.
fn common_subsequence(old: &[u32], new: &[u32]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    if old.len() + new.len() > LCS_CAP {
        let (prefix, suffix) = super::words::common_affixes(old, new);
        pairs.extend((0..prefix).map(|k| (k, k)));
        pairs.extend((1..=suffix).map(|k| (old.len() - k, new.len() - k)));
        return pairs;
    }
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            pairs.extend((0..len).map(|k| (old_index + k, new_index + k)));
        }
    }
    pairs
}

/// Greedy best-first pairing of the leftovers by similarity.
fn pair_similar(m: &mut Alignment, before: &[Value], after: &[Value], section: Option<&Section>) {
    if before.len() > PAIRING_CAP || after.len() > PAIRING_CAP {
        return;
    }
    let left_b: Vec<usize> = (0..before.len()).filter(|&i| m.b2a[i].is_none()).collect();
    let left_a: Vec<usize> = (0..after.len()).filter(|&j| m.a2b[j].is_none()).collect();
    if left_b.is_empty() || left_a.is_empty() {
        return;
    }
    let first_field = |v: &Value| -> String {
        match (section, v.as_object()) {
            (Some(s), Some(object)) => field_key(object.get(s.identity[0])),
            _ => String::new(),
        }
    };
    let texts_b: Vec<Option<Text>> = left_b.iter().map(|&i| Text::of(&before[i])).collect();
    let texts_a: Vec<Option<Text>> = left_a.iter().map(|&j| Text::of(&after[j])).collect();
    let firsts_a: Vec<String> = left_a.iter().map(|&j| first_field(&after[j])).collect();

    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (x, &i) in left_b.iter().enumerate() {
        let first_b = first_field(&before[i]);
        for (y, &j) in left_a.iter().enumerate() {
            let (score, threshold) = match (&texts_b[x], &texts_a[y]) {
                (Some(tb), Some(ta)) => (tb.similarity(ta), TEXT_THRESHOLD),
                _ => (similarity(&before[i], &after[j], 0), VALUE_THRESHOLD),
            };
            if !first_b.is_empty() && first_b == firsts_a[y] {
                // Same company (or institution, ...): the same entry edited.
                candidates.push((1.0 + score, i, j));
            } else if score >= threshold {
                candidates.push((score, i, j));
            }
        }
    }
    // Best first; among equals prefer entries that sit at the same place.
    candidates.sort_by(|p, q| {
        q.0.total_cmp(&p.0)
            .then_with(|| p.1.abs_diff(p.2).cmp(&q.1.abs_diff(q.2)))
            .then_with(|| (p.1, p.2).cmp(&(q.1, q.2)))
    });
    for (_, i, j) in candidates {
        if m.b2a[i].is_none() && m.a2b[j].is_none() {
            m.pair(i, j);
        }
    }
}

/// A string prepared for similarity scoring.
struct Text {
    /// For strings of one or two words: lowercased, whitespace normalised.
    short: Option<String>,
    /// Hashes of the lowercased words without surrounding punctuation,
    /// sorted (hashes rather than strings: this runs for every leftover
    /// highlight, and a rare collision only nudges a score).
    tokens: Vec<u64>,
}

impl Text {
    fn of(value: &Value) -> Option<Text> {
        let text = value.as_str()?;
        let mut tokens = Vec::with_capacity(text.len() / 4 + 1);
        let mut words = 0usize;
        for word in text.split_whitespace() {
            words += 1;
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            if !core.is_empty() {
                tokens.push(fold_hash(core));
            }
        }
        tokens.sort_unstable();
        Some(Text {
            short: (words <= 2).then(|| normalise(text)),
            tokens,
        })
    }

    /// 0..=1. Short strings (keywords, titles) by characters, so that
    /// "Postgres" and "PostgreSQL" are alike; longer ones by shared words,
    /// which is cheap and forgiving of reordering.
    fn similarity(&self, other: &Text) -> f64 {
        if let (Some(a), Some(b)) = (&self.short, &other.short) {
            if a == b {
                return 1.0;
            }
            if a.len() + b.len() > 400 {
                return 0.0;
            }
            return f64::from(similar::TextDiff::from_chars(a.as_str(), b.as_str()).ratio());
        }
        let total = self.tokens.len() + other.tokens.len();
        if total == 0 {
            return 0.0;
        }
        let (mut x, mut y, mut common) = (0, 0, 0usize);
        while x < self.tokens.len() && y < other.tokens.len() {
            match self.tokens[x].cmp(&other.tokens[y]) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    x += 1;
                    y += 1;
                }
            }
        }
        2.0 * common as f64 / total as f64
    }
}

/// FNV-1a of the lowercased word.
fn fold_hash(word: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |c: char| {
        hash ^= u64::from(c);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for c in word.chars() {
        if c.is_ascii() {
            mix(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut mix);
        }
    }
    hash
}

/// Structural similarity in 0..=1: objects by the mean similarity of their
/// (non-null) members, lists by the share of equal elements, strings by
/// [`Text::similarity`], anything else by equality.
fn similarity(b: &Value, a: &Value, depth: u32) -> f64 {
    match (b, a) {
        (Value::String(_), Value::String(_)) => match (Text::of(b), Text::of(a)) {
            (Some(tb), Some(ta)) => tb.similarity(&ta),
            _ => 0.0,
        },
        (Value::Object(bm), Value::Object(am)) if depth < SIMILARITY_DEPTH => {
            let mut total = 0.0;
            let mut members = 0usize;
            for (key, bv) in bm.iter().filter(|(_, v)| !v.is_null()) {
                members += 1;
                if let Some(av) = am.get(key).filter(|v| !v.is_null()) {
                    total += similarity(bv, av, depth + 1);
                }
            }
            members += am
                .iter()
                .filter(|(k, v)| !v.is_null() && bm.get(*k).is_none_or(Value::is_null))
                .count();
            if members == 0 {
                1.0
            } else {
                total / members as f64
            }
        }
        (Value::Array(bl), Value::Array(al))
            if bl.len() <= ARRAY_SIMILARITY_CAP && al.len() <= ARRAY_SIMILARITY_CAP =>
        {
            if bl.is_empty() && al.is_empty() {
                return 1.0;
            }
            let mut used = vec![false; al.len()];
            let mut common = 0usize;
            for item in bl {
                if let Some(k) = (0..al.len()).find(|&k| !used[k] && al[k] == *item) {
                    used[k] = true;
                    common += 1;
                }
            }
            2.0 * common as f64 / (bl.len() + al.len()) as f64
        }
        _ => {
            if b == a {
                1.0
            } else {
                0.0
            }
        }
    }
}

/// Positions (into `pairs`, before-index order) of the entries that stay:
/// a longest run whose after indices increase, and among those the one whose
/// entries moved least (reversing three entries keeps the middle one in
/// place and moves the outer two), then the one keeping earlier entries (in a
/// swap, the second entry is the one that moved up). Quadratic, hence
/// [`STABLE_DP_CAP`].
fn stable_run(pairs: &[(usize, usize)]) -> Vec<usize> {
    // best[k]: (length, total displacement, predecessor) of the best run
    // ending at k.
    let mut best: Vec<(usize, usize, Option<usize>)> = Vec::with_capacity(pairs.len());
    for (k, &(i, j)) in pairs.iter().enumerate() {
        let own = i.abs_diff(j);
        let mut entry = (1, own, None);
        for (p, &(_, pj)) in pairs[..k].iter().enumerate() {
            let (len, displacement, _) = best[p];
            if pj < j && better((len + 1, displacement + own), (entry.0, entry.1)) {
                entry = (len + 1, displacement + own, Some(p));
            }
        }
        best.push(entry);
    }
    let mut end: Option<usize> = None;
    for (k, entry) in best.iter().enumerate() {
        if end.is_none_or(|e| better((entry.0, entry.1), (best[e].0, best[e].1))) {
            end = Some(k);
        }
    }
    let mut out = Vec::new();
    while let Some(k) = end {
        out.push(k);
        end = best[k].2;
    }
    out.reverse();
    out
}

/// Longer first, then less displaced.
fn better(candidate: (usize, usize), current: (usize, usize)) -> bool {
    candidate.0 > current.0 || (candidate.0 == current.0 && candidate.1 < current.1)
}

/// Positions (into `seq`) of one longest strictly increasing subsequence,
/// in O(n log n), for lists too long for [`stable_run`].
fn longest_increasing(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (k, &v) in seq.iter().enumerate() {
        let pos = tails.partition_point(|&t| seq[t] < v);
        if pos > 0 {
            prev[k] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cursor = tails.last().copied();
    while let Some(k) = cursor {
        out.push(k);
        cursor = prev[k];
    }
    out.reverse();
    out
}
