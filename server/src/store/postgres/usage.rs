//! Per-owner usage counters ([`crate::store::quota`]) in the `usage` table,
//! and the owner lock every write takes.
//!
//! [`lock`] makes sure the owner has a row and locks it (`FOR UPDATE`) for
//! the rest of the transaction: every write that changes what an owner
//! keeps (or who is its master) takes it first, so one owner's writes run
//! one after another, a quota check and the write it allows are atomic, and
//! the master rule sees the latest state. Different owners never wait for
//! each other. [`charge`] checks a [`Delta`] against the quotas and applies
//! it; over quota it answers [`StoreError::Quota`] and the caller's
//! transaction is dropped (rolled back), so nothing was written.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::big;
use crate::store::quota::{Delta, Quotas, Usage};
use crate::store::StoreError;

const SELECT: &str =
    "SELECT bytes, resumes, revisions, jobs, shares, exports FROM usage WHERE owner = $1";
const SELECT_FOR_UPDATE: &str = "SELECT bytes, resumes, revisions, jobs, shares, exports \
     FROM usage WHERE owner = $1 FOR UPDATE";

fn from_row(row: &Row) -> Usage {
    let get = |i: usize| row.get::<_, i64>(i).max(0) as u64;
    Usage {
        bytes: get(0),
        resumes: get(1),
        revisions: get(2),
        jobs: get(3),
        shares: get(4),
        exports: get(5),
    }
}

/// `owner`'s usage.
pub(super) async fn read<C: GenericClient + Sync>(
    client: &C,
    owner: &str,
) -> Result<Usage, StoreError> {
    let row = client.query_opt(SELECT, &[&owner]).await?;
    Ok(row.as_ref().map(from_row).unwrap_or_default())
}

/// Lock `owner`'s row for the rest of `txn` (making it if missing), and
/// answer the usage it holds.
pub(super) async fn lock(txn: &Transaction<'_>, owner: &str) -> Result<Usage, StoreError> {
    txn.execute(
        "INSERT INTO usage (owner) VALUES ($1) ON CONFLICT (owner) DO NOTHING",
        &[&owner],
    )
    .await?;
    let row = txn.query_one(SELECT_FOR_UPDATE, &[&owner]).await?;
    Ok(from_row(&row))
}

/// Check `delta` against `quotas` and apply it to `owner`'s usage (taking
/// the owner lock if the transaction does not hold it yet).
pub(super) async fn charge(
    txn: &Transaction<'_>,
    quotas: &Quotas,
    owner: &str,
    delta: Delta,
) -> Result<(), StoreError> {
    if delta == Delta::default() {
        return Ok(());
    }
    let usage = lock(txn, owner).await?;
    usage.check(delta, quotas)?;
    let after = usage.plus(delta);
    txn.execute(
        "UPDATE usage SET bytes = $2, resumes = $3, revisions = $4, jobs = $5, shares = $6, \
         exports = $7 WHERE owner = $1",
        &[
            &owner,
            &big(after.bytes),
            &big(after.resumes),
            &big(after.revisions),
            &big(after.jobs),
            &big(after.shares),
            &big(after.exports),
        ],
    )
    .await?;
    Ok(())
}

/// Every owner's usage counted from the tables themselves, the way the
/// counters count it (for the tests, which compare the two).
#[cfg(test)]
pub(super) async fn recount<C: GenericClient + Sync>(
    client: &C,
    owner: &str,
) -> Result<Usage, StoreError> {
    let mut usage = Usage::default();
    for row in client
        .query(
            "SELECT r.id, r.record, COALESCE(length(o.bytes), 0)::bigint, \
             COALESCE(octet_length(t.text), 0)::bigint \
             FROM resumes r LEFT JOIN originals o ON o.resume_id = r.id \
             LEFT JOIN texts t ON t.resume_id = r.id WHERE r.owner = $1",
            &[&owner],
        )
        .await?
    {
        let id: uuid::Uuid = row.get(0);
        let record: crate::store::records::ResumeRecord = super::from_json(row.get(1))?;
        usage.resumes += 1;
        usage.bytes += crate::store::history::document_bytes(record.document.as_ref())
            + row.get::<_, i64>(2) as u64
            + row.get::<_, i64>(3) as u64;
        let kept = client
            .query_one(
                "SELECT count(*), COALESCE(sum(octet_length(row)), 0)::bigint FROM revisions \
                 WHERE resume_id = $1",
                &[&id],
            )
            .await?;
        usage.revisions += kept.get::<_, i64>(0) as u64;
        usage.bytes += kept.get::<_, i64>(1) as u64;
    }
    for (table, field) in [("shares", 0), ("jobs", 1), ("exports", 2)] {
        let sql = format!("SELECT count(*) FROM {table} WHERE owner = $1");
        let n: i64 = client.query_one(sql.as_str(), &[&owner]).await?.get(0);
        match field {
            0 => usage.shares = n as u64,
            1 => usage.jobs = n as u64,
            _ => usage.exports = n as u64,
        }
    }
    Ok(usage)
}
