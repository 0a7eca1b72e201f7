//! The redb tables of `vitae.redb`, and the index scan every entity uses.
//!
//! One place names every table, so opening the store ([`super::migrate`])
//! can create them all and the entity modules cannot disagree about a
//! table's key and value types (redb checks them when a table is opened).
//! Keys are UUID strings or token hashes; record values are JSON with a schema
//! version (see [`crate::store::records`]).
//!
//! | table | key → value |
//! |---|---|
//! | `resumes` | id → resume record |
//! | `owner_resumes` | (owner, id) → () |
//! | `originals` | id → uploaded bytes |
//! | `texts` | id → extracted text |
//! | `revisions` | (id, revision) → earlier revision, whole or as a delta from the next one |
//! | `masters` | owner → id |
//! | `shares` | sha256(token) → share record (its token sealed) |
//! | `resume_shares` | (id, sha256(token)) → () |
//! | `share_views` | (sha256(token), UTC day `YYYY-MM-DD`) → views per form (JSON) |
//! | `tokens` | sha256(token) → principal |
//! | `jobs` | id → job record |
//! | `owner_jobs` | (owner, id) → () |
//! | `job_hashes` | (owner, content hash) → id |
//! | `exports` | id → export job record |
//! | `owner_exports` | (owner, id) → () |
//! | `export_files` | cache key → rendered file |
//! | `export_meta` | cache key → file facts and last use |
//! | `resume_export_files` | (resume id, cache key) → () |
//! | `meta` | key → u64 |
//! | `usage` | owner → what the owner keeps ([`crate::store::Usage`]) |
//! | `resume_order` | (owner, created µs, id) → (): an owner's resumes in list order |
//! | `share_order` | (resume id, created µs, sha256(token)) → (): a resume's shares in list order |
//! | `job_order` | (owner, created µs, id) → (): an owner's jobs in list order |
//!
//! The `*_order` tables are the lists' pages ([`crate::store::Page`]):
//! a page is a range scan from the cursor's key, so listing costs the page,
//! not the list. Every write that adds or removes a resume, a share or a job keeps
//! them in step, in the same transaction; a file written before them gets
//! them filled at open ([`super::migrate`]).

use redb::{ReadableTable, TableDefinition};

use crate::store::{Page, Position, StoreError};

pub(super) const RESUMES: TableDefinition<&str, &[u8]> = TableDefinition::new("resumes");
pub(super) const OWNER_RESUMES: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("owner_resumes");
pub(super) const ORIGINALS: TableDefinition<&str, &[u8]> = TableDefinition::new("originals");
pub(super) const TEXTS: TableDefinition<&str, &str> = TableDefinition::new("texts");
pub(super) const REVISIONS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("revisions");
pub(super) const MASTERS: TableDefinition<&str, &str> = TableDefinition::new("masters");
pub(super) const SHARES: TableDefinition<&str, &[u8]> = TableDefinition::new("shares");
pub(super) const RESUME_SHARES: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("resume_shares");
pub(super) const SHARE_VIEWS: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("share_views");
pub(super) const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
pub(super) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
pub(super) const JOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("jobs");
pub(super) const OWNER_JOBS: TableDefinition<(&str, &str), ()> = TableDefinition::new("owner_jobs");
pub(super) const JOB_HASHES: TableDefinition<(&str, &str), &str> =
    TableDefinition::new("job_hashes");
pub(super) const EXPORTS: TableDefinition<&str, &[u8]> = TableDefinition::new("exports");
pub(super) const OWNER_EXPORTS: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("owner_exports");
pub(super) const EXPORT_FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("export_files");
pub(super) const EXPORT_META: TableDefinition<&str, &[u8]> = TableDefinition::new("export_meta");
pub(super) const USAGE: TableDefinition<&str, &[u8]> = TableDefinition::new("usage");
pub(super) const RESUME_ORDER: TableDefinition<(&str, i64, &str), ()> =
    TableDefinition::new("resume_order");
pub(super) const SHARE_ORDER: TableDefinition<(&str, i64, &str), ()> =
    TableDefinition::new("share_order");
pub(super) const JOB_ORDER: TableDefinition<(&str, i64, &str), ()> =
    TableDefinition::new("job_order");
pub(super) const RESUME_EXPORT_FILES: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("resume_export_files");

/// The ids an `(owner, id)` index table lists for `owner`, in key order.
pub(super) fn ids_of_owner<T: ReadableTable<(&'static str, &'static str), ()>>(
    index: &T,
    owner: &str,
) -> Result<Vec<String>, StoreError> {
    let mut ids = Vec::new();
    for entry in index.range((owner, "")..)? {
        let (key, _) = entry?;
        let (entry_owner, id) = key.value();
        if entry_owner != owner {
            break;
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// One page of an `(scope, created µs, key)` order table: the keys of
/// `scope`'s entries after `after` (or from the first), at most `limit`,
/// and the position of the last one when more follow. Reads at most
/// `limit + 1` entries.
pub(super) fn page_of_scope<T: ReadableTable<(&'static str, i64, &'static str), ()>>(
    index: &T,
    scope: &str,
    page: &Page<Position>,
) -> Result<(Vec<Position>, bool), StoreError> {
    use std::ops::Bound;
    let start = match &page.after {
        Some(after) => Bound::Excluded((scope, after.at, after.key.as_str())),
        None => Bound::Included((scope, i64::MIN, "")),
    };
    // A page of none would never move on.
    let limit = page.limit.max(1);
    let mut keys = Vec::with_capacity(limit.min(1024));
    for entry in index.range((start, Bound::Unbounded))? {
        let (key, _) = entry?;
        let (entry_scope, at, item) = key.value();
        if entry_scope != scope {
            break;
        }
        if keys.len() == limit {
            return Ok((keys, true));
        }
        keys.push(Position {
            at,
            key: item.to_string(),
        });
    }
    Ok((keys, false))
}
