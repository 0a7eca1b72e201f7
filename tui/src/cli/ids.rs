//! Naming resumes and jobs on the command line: a full id or, like git, a
//! unique prefix of at least [`MIN_PREFIX`] characters; and the two sides of
//! `vitae diff` (`ID` or `ID:rev:N`).
//!
//! The syntax is checked by clap (so a malformed id is a usage error, exit
//! 2); the lookup of a prefix needs the server and happens in [`resume`] and
//! [`job`].

use crate::client::Client;
use vitae_common::{JobResource, ResumeResource};

use super::Failure;

/// Shorter prefixes match too much to be a safe way to name something you
/// are about to delete.
pub const MIN_PREFIX: usize = 4;

/// clap value parser: an id or an id prefix (hex digits and dashes).
pub fn id_arg(raw: &str) -> Result<String, String> {
    let id = raw.trim().to_ascii_lowercase();
    if id.chars().count() < MIN_PREFIX {
        return Err(format!(
            "an id (or id prefix) needs at least {MIN_PREFIX} characters, got {raw:?}"
        ));
    }
    if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(format!(
            "{raw:?} is not an id: ids are hex digits and dashes (e.g. 3f2a1b2c)"
        ));
    }
    Ok(id)
}

/// One side of a diff: a resume, at a revision or at its current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub id: String,
    pub revision: Option<u64>,
}

/// clap value parser for a diff side: `ID` or `ID:rev:N`.
pub fn side_arg(raw: &str) -> Result<Side, String> {
    let (id, revision) = match raw.trim().split_once(":rev:") {
        Some((id, n)) => {
            let n =
                n.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("{n:?} in {raw:?} is not a revision number (1, 2, …)")
                })?;
            (id, Some(n))
        }
        None => (raw, None),
    };
    Ok(Side {
        id: id_arg(id)?,
        revision,
    })
}

/// Whether `s` is a whole UUID in its canonical text form, which needs no
/// lookup (and whose absence the server reports itself, with a 404).
pub fn is_full_id(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The resume a full id or a prefix names.
pub async fn resume(client: &Client, arg: &str) -> Result<String, Failure> {
    if is_full_id(arg) {
        return Ok(arg.to_string());
    }
    let list = client.list().await?;
    let found: Vec<&ResumeResource> = list.iter().filter(|r| r.id.starts_with(arg)).collect();
    pick(arg, "resume", found, |r| (r.id.clone(), r.filename.clone()))
}

/// The job a full id or a prefix names, with its resource when listed.
pub async fn job(client: &Client, arg: &str) -> Result<(String, Option<JobResource>), Failure> {
    let jobs = client.jobs().await?;
    if is_full_id(arg) {
        let listed = jobs.into_iter().find(|j| j.id == arg);
        return Ok((arg.to_string(), listed));
    }
    let found: Vec<&JobResource> = jobs.iter().filter(|j| j.id.starts_with(arg)).collect();
    let id = pick(arg, "job", found, |j| (j.id.clone(), j.title.clone()))?;
    let listed = jobs.into_iter().find(|j| j.id == id);
    Ok((id, listed))
}

fn pick<T>(
    arg: &str,
    what: &str,
    found: Vec<&T>,
    describe: impl Fn(&T) -> (String, String),
) -> Result<String, Failure> {
    match found.as_slice() {
        [one] => Ok(describe(one).0),
        [] => Err(Failure::Request(format!("no {what} id starts with {arg}"))),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(10)
                .map(|t| {
                    let (id, label) = describe(t);
                    format!("{} ({label})", short(&id))
                })
                .collect();
            let more = if many.len() > names.len() {
                format!(" and {} more", many.len() - names.len())
            } else {
                String::new()
            };
            Err(Failure::Request(format!(
                "{what} id prefix {arg} is ambiguous: it matches {}{more}; type more characters",
                names.join(", ")
            )))
        }
    }
}

/// The first 8 characters of an id, as tables show it.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_sides_parse() {
        assert_eq!(id_arg(" 3F2A ").unwrap(), "3f2a");
        assert!(id_arg("3f2").is_err());
        assert!(id_arg("zzzz").is_err());
        assert_eq!(
            side_arg("abcd:rev:2").unwrap(),
            Side {
                id: "abcd".into(),
                revision: Some(2)
            }
        );
        assert_eq!(side_arg("abcd").unwrap().revision, None);
        assert!(side_arg("abcd:rev:0").is_err());
        assert!(side_arg("abcd:rev:x").is_err());
        assert!(is_full_id("0a1b2c3d-0000-4000-8000-00000000000f"));
        assert!(!is_full_id("0a1b2c3d"));
        assert_eq!(short("0a1b2c3d-0000"), "0a1b2c3d");
        assert_eq!(short("0a1b"), "0a1b");
    }

    #[test]
    fn a_prefix_names_one_or_says_which_it_could_mean() {
        let a = ("0a1b2c3d-aaaa".to_string(), "cv.pdf".to_string());
        let b = ("0a1b9999-bbbb".to_string(), "cv.md".to_string());
        let describe = |t: &(String, String)| t.clone();
        assert_eq!(
            pick("0a1b2", "resume", vec![&a], describe).unwrap(),
            "0a1b2c3d-aaaa"
        );
        let Err(Failure::Request(message)) = pick("0a1b", "resume", vec![&a, &b], describe) else {
            panic!("ambiguous");
        };
        assert!(message.contains("0a1b2c3d (cv.pdf)"), "{message}");
        assert!(message.contains("0a1b9999 (cv.md)"), "{message}");
        let Err(Failure::Request(message)) = pick("ffff", "job", vec![], describe) else {
            panic!("unknown");
        };
        assert_eq!(message, "no job id starts with ffff");
    }
}
