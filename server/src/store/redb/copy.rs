//! The redb side of a store copy ([`crate::store::copy`]): every table's
//! rows as stored, a page at a time, for `vitae-server migrate`.
//!
//! A page is a range scan of the table after the previous page's last key,
//! in one read transaction on the blocking pool; the row keys are the
//! copy's (`id/revision` for revisions, `share key/day` for view history).
//! Usage and view-history values are decoded and encoded again so that
//! both backends hand over the same canonical JSON (the PostgreSQL backend
//! keeps them in columns, not as stored JSON).

use std::collections::BTreeMap;
use std::ops::Bound;

use async_trait::async_trait;
use redb::{ReadTransaction, TableDefinition};

use super::tables::{
    MASTERS, ORIGINALS, RESUMES, REVISIONS, SHARES, SHARE_VIEWS, TEXTS, TOKENS, USAGE,
};
use super::RedbStore;
use crate::store::copy::{ExportRows, Row, Table};
use crate::store::{StoreError, Usage};

#[async_trait]
impl ExportRows for RedbStore {
    async fn export_rows(
        &self,
        table: Table,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError> {
        self.read(move |txn| page(txn, table, after, limit.max(1)))
            .await
    }
}

fn page(
    txn: &ReadTransaction,
    table: Table,
    after: Option<String>,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let after = after.as_deref();
    match table {
        Table::Tokens => bytes_rows(txn, TOKENS, after, limit, |v| Ok(v.to_vec())),
        Table::Usage => bytes_rows(txn, USAGE, after, limit, |v| {
            let usage: Usage = serde_json::from_slice(v)?;
            Ok(serde_json::to_vec(&usage)?)
        }),
        Table::Jobs => bytes_rows(txn, super::tables::JOBS, after, limit, |v| Ok(v.to_vec())),
        Table::Resumes => bytes_rows(txn, RESUMES, after, limit, |v| Ok(v.to_vec())),
        Table::Originals => bytes_rows(txn, ORIGINALS, after, limit, |v| Ok(v.to_vec())),
        Table::Shares => bytes_rows(txn, SHARES, after, limit, |v| Ok(v.to_vec())),
        Table::Exports => bytes_rows(
            txn,
            super::tables::EXPORTS,
            after,
            limit,
            |v| Ok(v.to_vec()),
        ),
        Table::Masters => text_rows(txn, MASTERS, after, limit),
        Table::Texts => text_rows(txn, TEXTS, after, limit),
        Table::Revisions => {
            let revisions = txn.open_table(REVISIONS)?;
            let start = match after {
                Some(key) => {
                    let (id, revision) = split_key(key)?;
                    let revision: u64 = revision
                        .parse()
                        .map_err(|_| StoreError::Invalid(format!("bad cursor {key:?}")))?;
                    Bound::Excluded((id, revision))
                }
                None => Bound::Unbounded,
            };
            let mut rows = Vec::new();
            for entry in revisions.range::<(&str, u64)>((start, Bound::Unbounded))? {
                let (key, value) = entry?;
                let (id, revision) = key.value();
                rows.push(Row {
                    key: format!("{id}/{revision}"),
                    value: value.value().to_vec(),
                });
                if rows.len() == limit {
                    break;
                }
            }
            Ok(rows)
        }
        Table::ShareViews => {
            let views = txn.open_table(SHARE_VIEWS)?;
            let start = match after {
                Some(key) => Bound::Excluded(split_key(key)?),
                None => Bound::Unbounded,
            };
            let mut rows = Vec::new();
            for entry in views.range::<(&str, &str)>((start, Bound::Unbounded))? {
                let (key, value) = entry?;
                let (share, day) = key.value();
                let forms: BTreeMap<String, u64> = serde_json::from_slice(value.value())?;
                rows.push(Row {
                    key: format!("{share}/{day}"),
                    value: serde_json::to_vec(&forms)?,
                });
                if rows.len() == limit {
                    break;
                }
            }
            Ok(rows)
        }
    }
}

/// A two-part row key `a/b`.
fn split_key(key: &str) -> Result<(&str, &str), StoreError> {
    key.split_once('/')
        .ok_or_else(|| StoreError::Invalid(format!("bad cursor {key:?}")))
}

fn bytes_rows(
    txn: &ReadTransaction,
    definition: TableDefinition<'static, &'static str, &'static [u8]>,
    after: Option<&str>,
    limit: usize,
    value: impl Fn(&[u8]) -> Result<Vec<u8>, StoreError>,
) -> Result<Vec<Row>, StoreError> {
    let table = txn.open_table(definition)?;
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut rows = Vec::new();
    for entry in table.range::<&str>((start, Bound::Unbounded))? {
        let (key, stored) = entry?;
        rows.push(Row {
            key: key.value().to_string(),
            value: value(stored.value())?,
        });
        if rows.len() == limit {
            break;
        }
    }
    Ok(rows)
}

fn text_rows(
    txn: &ReadTransaction,
    definition: TableDefinition<'static, &'static str, &'static str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let table = txn.open_table(definition)?;
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut rows = Vec::new();
    for entry in table.range::<&str>((start, Bound::Unbounded))? {
        let (key, stored) = entry?;
        rows.push(Row {
            key: key.value().to_string(),
            value: stored.value().as_bytes().to_vec(),
        });
        if rows.len() == limit {
            break;
        }
    }
    Ok(rows)
}
