//! Word-level diff of two strings, for showing what changed inside a
//! highlight or a summary rather than the whole old and new text.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::{WordOp, WordOpKind};

/// Beyond this many tokens (words plus whitespace runs) on both sides
/// together, Myers' O(N·D) search could take long on a pasted essay, so the
/// diff falls back to common prefix and suffix around one replacement.
const TOKEN_CAP: usize = 4000;

/// Word-level diff of `before` into `after`.
///
/// Whitespace is preserved exactly: concatenating the `equal` and `delete`
/// texts gives `before`, concatenating `equal` and `insert` gives `after`.
/// Consecutive changes are merged into one `delete` followed by one `insert`
/// (whitespace between changed words goes with them), so no two neighbouring
/// ops have the same kind and a reworded phrase reads as one replacement.
pub fn word_diff(before: &str, after: &str) -> Vec<WordOp> {
    if before == after {
        return if before.is_empty() {
            Vec::new()
        } else {
            vec![WordOp::new(WordOpKind::Equal, before)]
        };
    }
    let old = tokenize(before);
    let new = tokenize(after);
    let mut tokens: Vec<(WordOpKind, &str)> = Vec::with_capacity(old.len() + new.len());
    if old.len() + new.len() > TOKEN_CAP {
        coarse(&old, &new, &mut tokens);
    } else {
        for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    push_all(
                        &mut tokens,
                        WordOpKind::Equal,
                        &old[old_index..old_index + len],
                    );
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => push_all(
                    &mut tokens,
                    WordOpKind::Delete,
                    &old[old_index..old_index + old_len],
                ),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => push_all(
                    &mut tokens,
                    WordOpKind::Insert,
                    &new[new_index..new_index + new_len],
                ),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    push_all(
                        &mut tokens,
                        WordOpKind::Delete,
                        &old[old_index..old_index + old_len],
                    );
                    push_all(
                        &mut tokens,
                        WordOpKind::Insert,
                        &new[new_index..new_index + new_len],
                    );
                }
            }
        }
    }
    merge(&tokens)
}

/// Does the string have more than three words (the threshold for attaching
/// word ops to a `changed` string: below it the before/after pair says it all)?
pub(super) fn is_wordy(text: &str) -> bool {
    text.split_whitespace().nth(3).is_some()
}

/// Maximal runs of whitespace and of non-whitespace (the same rule as
/// `similar`'s word tokenizer), so the tokens concatenate back to the input.
fn tokenize(text: &str) -> Vec<&str> {
    let mut tokens = Vec::with_capacity(text.len() / 3 + 1);
    let mut start = 0;
    let mut in_space: Option<bool> = None;
    for (index, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_space.is_some_and(|s| s != space) {
            tokens.push(&text[start..index]);
            start = index;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

fn push_all<'a>(out: &mut Vec<(WordOpKind, &'a str)>, kind: WordOpKind, tokens: &[&'a str]) {
    out.extend(tokens.iter().map(|t| (kind, *t)));
}

/// Lengths of the common prefix and (after it) common suffix of two
/// sequences: the linear fallback of both the list and the word diff.
pub(crate) fn common_affixes<T: PartialEq>(old: &[T], new: &[T]) -> (usize, usize) {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (prefix, suffix)
}

/// Common prefix, one replacement, common suffix: linear, for huge inputs.
fn coarse<'a>(old: &[&'a str], new: &[&'a str], out: &mut Vec<(WordOpKind, &'a str)>) {
    let (prefix, suffix) = common_affixes(old, new);
    push_all(out, WordOpKind::Equal, &old[..prefix]);
    push_all(out, WordOpKind::Delete, &old[prefix..old.len() - suffix]);
    push_all(out, WordOpKind::Insert, &new[prefix..new.len() - suffix]);
    push_all(out, WordOpKind::Equal, &old[old.len() - suffix..]);
}

/// Turn token ops into merged word ops: whitespace-only equal tokens between
/// two changes join the change, each run of changes becomes one delete and
/// one insert, neighbouring equal tokens join.
fn merge(tokens: &[(WordOpKind, &str)]) -> Vec<WordOp> {
    let mut ops: Vec<WordOp> = Vec::new();
    let mut deleted = String::new();
    let mut inserted = String::new();
    let flush = |ops: &mut Vec<WordOp>, deleted: &mut String, inserted: &mut String| {
        if !deleted.is_empty() {
            ops.push(WordOp::new(WordOpKind::Delete, std::mem::take(deleted)));
        }
        if !inserted.is_empty() {
            ops.push(WordOp::new(WordOpKind::Insert, std::mem::take(inserted)));
        }
    };
    for (index, &(kind, text)) in tokens.iter().enumerate() {
        let glue = kind == WordOpKind::Equal
            && text.chars().all(char::is_whitespace)
            && index > 0
            && tokens[index - 1].0 != WordOpKind::Equal
            && tokens
                .get(index + 1)
                .is_some_and(|(next, _)| *next != WordOpKind::Equal);
        match kind {
            _ if glue => {
                deleted.push_str(text);
                inserted.push_str(text);
            }
            WordOpKind::Delete => deleted.push_str(text),
            WordOpKind::Insert => inserted.push_str(text),
            WordOpKind::Equal => {
                flush(&mut ops, &mut deleted, &mut inserted);
                match ops.last_mut() {
                    Some(last) if last.op == WordOpKind::Equal => last.text.push_str(text),
                    _ => ops.push(WordOp::new(WordOpKind::Equal, text)),
                }
            }
        }
    }
    flush(&mut ops, &mut deleted, &mut inserted);
    ops
}
