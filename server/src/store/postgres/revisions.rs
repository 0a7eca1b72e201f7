//! Revisions: editing a resume's document, its history, restoring an old
//! revision.
//!
//! The rows are the backend-neutral ones of [`crate::store::history`]
//! (whole, or a reverse delta from the next revision), in `revisions`
//! under (resume id, revision). An edit is a **compare-and-set**: the new
//! record is written with `UPDATE … WHERE id = $1 AND revision = $read`,
//! where `$read` is the revision the edit was computed from (and the
//! client's `If-Match`, when it sent one, was checked against). Zero rows
//! updated means another writer got there first: with `If-Match` that is
//! [`StoreError::StaleRevision`] (412), without it the edit is computed
//! again from the new revision. The owner lock ([`super::usage::charge`])
//! already serialises one owner's writes, so the retry is the backstop, not
//! the rule.

use tokio_postgres::Transaction;
use uuid::Uuid;
use vitae_common::{Resume, Status};

use super::resumes::owned;
use super::usage;
use super::{big, from_json, PgStore};
use crate::store::delta::SNAPSHOT_EVERY;
use crate::store::history::{self, check_revision, merge_document, StoredRevision};
use crate::store::quota::Quotas;
use crate::store::records::{ResumeRecord, RevisionRecord, StoredResume};
use crate::store::{Page, Paged, StoreError};

/// How often an edit without `If-Match` is computed again after losing a
/// compare-and-set before it answers a conflict.
const CAS_TRIES: usize = 5;

/// Apply a JSON Merge Patch to a `ready` resume's document as a new revision.
pub(super) async fn patch(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    if_match: Option<u64>,
    patch: serde_json::Value,
) -> Result<StoredResume, StoreError> {
    edit(store, owner, id, if_match, |record| {
        let Some(current) = record
            .document
            .as_ref()
            .filter(|_| record.status == Status::Ready)
        else {
            return Err(StoreError::Conflict(format!(
                "resume {id} is {}; only a ready resume can be edited",
                record.status
            )));
        };
        Ok((merge_document(current, &patch)?, "edited".to_string()))
    })
    .await
}

/// Copy revision `revision` forward as a new current revision.
pub(super) async fn restore(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    revision: u64,
    if_match: Option<u64>,
) -> Result<StoredResume, StoreError> {
    let owner_name = owner.to_string();
    let client = store.client().await?;
    // The old revision is read before the edit's transaction: history is
    // never rewritten, so it cannot change; only the current revision can,
    // and the compare-and-set catches that.
    let old = {
        let stored = owned::<Resume, _>(&**client, &owner_name, id, false).await?;
        check_revision(&stored.record, if_match)?;
        if stored.record.status != Status::Ready {
            return Err(StoreError::Conflict(format!(
                "resume {id} is {}; only a ready resume has revisions to restore",
                stored.record.status
            )));
        }
        if revision == stored.record.revision {
            return Err(StoreError::Conflict(format!(
                "revision {revision} is already the current revision"
            )));
        }
        read_revision(&**client, &stored.record, revision).await?
    };
    drop(client);
    let Some(document) = old.document else {
        return Err(StoreError::Conflict(format!(
            "revision {revision} has no document to restore"
        )));
    };
    edit(store, owner, id, if_match, move |record| {
        if record.status != Status::Ready {
            return Err(StoreError::Conflict(format!(
                "resume {id} is {}; only a ready resume has revisions to restore",
                record.status
            )));
        }
        if revision >= record.revision {
            return Err(StoreError::Conflict(format!(
                "revision {revision} is already the current revision"
            )));
        }
        Ok((document.clone(), format!("restored revision {revision}")))
    })
    .await
}

/// One page of a resume's revisions, oldest first, the current one last
/// ([`history::rebuild_page`]): the primary key (resume_id, revision) read
/// from the page's first revision, at most the page and
/// [`SNAPSHOT_EVERY`] rows more (enough to reach a revision stored whole
/// and rebuild the page's last one), never the whole history.
pub(super) async fn page(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    page: Page<u64>,
) -> Result<Paged<RevisionRecord, u64>, StoreError> {
    let limit = page.limit.max(1);
    let first = page.after.map_or(0, |after| after.saturating_add(1));
    let mut client = store.client().await?;
    // One snapshot for the record and its rows: an edit committed between
    // two reads would leave a row without the document it is a delta of.
    let txn = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let record = owned::<Resume, _>(&*txn, owner, id, false).await?.record;
    let rows = if first < record.revision {
        let read = big(limit as u64)
            .saturating_add(big(SNAPSHOT_EVERY))
            .saturating_add(1);
        txn.query(
            "SELECT row FROM revisions WHERE resume_id = $1 AND revision >= $2 AND revision < $3 \
             ORDER BY revision LIMIT $4",
            &[&id, &big(first), &big(record.revision), &read],
        )
        .await?
    } else {
        Vec::new()
    };
    txn.commit().await?;
    history::rebuild_page(
        record,
        first,
        limit,
        rows.iter()
            .map(|row| from_json::<StoredRevision>(row.get(0))),
    )
}

/// One revision, current or earlier.
pub(super) async fn get(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    revision: u64,
) -> Result<RevisionRecord, StoreError> {
    let mut client = store.client().await?;
    let txn = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let record = owned::<Resume, _>(&*txn, owner, id, false).await?.record;
    let found = if revision == record.revision {
        Ok(history::current_revision(record))
    } else {
        read_revision(&*txn, &record, revision).await
    };
    txn.commit().await?;
    found
}

/// An earlier revision of `record`, from the rows of `revision` up to the
/// next whole one (at most [`SNAPSHOT_EVERY`] rows).
async fn read_revision<C: tokio_postgres::GenericClient + Sync>(
    client: &C,
    record: &ResumeRecord,
    revision: u64,
) -> Result<RevisionRecord, StoreError> {
    if revision >= record.revision {
        return Err(StoreError::NotFound("revision"));
    }
    let rows = client
        .query(
            "SELECT row FROM revisions WHERE resume_id = $1 AND revision >= $2 AND revision < $3 \
             ORDER BY revision LIMIT $4",
            &[
                &record.id,
                &big(revision),
                &big(record.revision),
                &big(SNAPSHOT_EVERY),
            ],
        )
        .await?;
    history::rebuild(
        record,
        revision,
        rows.iter()
            .map(|row| from_json::<StoredRevision>(row.get(0))),
    )
}

/// Make what `change` computes from the current record its new revision,
/// as a compare-and-set on the revision it was computed from.
async fn edit(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    if_match: Option<u64>,
    change: impl Fn(&ResumeRecord) -> Result<(Resume, String), StoreError>,
) -> Result<StoredResume, StoreError> {
    let quotas = store.current_quotas();
    for _ in 0..CAS_TRIES {
        let mut client = store.client().await?;
        let txn = client.transaction().await?;
        // The owner lock first: the read below then sees every edit
        // committed before, and the compare-and-set only fails if a writer
        // skipped the lock.
        usage::lock(&txn, owner).await?;
        let stored = owned::<Resume, _>(&*txn, owner, id, false).await?;
        let mut record = stored.record;
        check_revision(&record, if_match)?;
        let read = record.revision;
        let (document, origin) = change(&record)?;
        if push_revision(&txn, &quotas, &mut record, document, origin, read).await? {
            txn.commit().await?;
            return Ok(StoredResume {
                record,
                is_master: stored.is_master,
            });
        }
        // Lost the compare-and-set: someone else made revision `read + 1`.
        drop(txn);
        if let Some(expected) = if_match {
            let current = owned::<Resume, _>(&**client, owner, id, false)
                .await?
                .record
                .revision;
            return Err(StoreError::StaleRevision { expected, current });
        }
    }
    Err(StoreError::Conflict(format!(
        "resume {id} kept changing while this edit was applied; retry"
    )))
}

/// Write the record's new revision if it is still at `read`, keeping the
/// old one as a row. False when the compare-and-set lost.
async fn push_revision(
    txn: &Transaction<'_>,
    quotas: &Quotas,
    record: &mut ResumeRecord,
    document: Resume,
    origin: String,
    read: u64,
) -> Result<bool, StoreError> {
    let (kept, cost) = history::prepare_push(quotas, record, document, origin)?;
    usage::charge(txn, quotas, &record.owner, cost).await?;
    let updated = txn
        .execute(
            "UPDATE resumes SET status = $2, revision = $3, record = $4 \
             WHERE id = $1 AND revision = $5",
            &[
                &record.id,
                &record.status.as_str(),
                &big(record.revision),
                &serde_json::to_string(record)?,
                &big(read),
            ],
        )
        .await?;
    if updated == 0 {
        return Ok(false);
    }
    let kept = String::from_utf8(kept)
        .map_err(|e| StoreError::Backend(format!("a revision row is not UTF-8: {e}")))?;
    txn.execute(
        "INSERT INTO revisions (resume_id, revision, row) VALUES ($1, $2, $3)",
        &[&record.id, &big(read), &kept],
    )
    .await?;
    Ok(true)
}
