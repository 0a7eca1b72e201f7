//! Resumes: upload (with its parse job, [`super::queue`]), parse progress
//! and outcome (ending the job, fenced by the claim), the master rule,
//! pages, the original bytes, deletion and the unfinished resumes.
//!
//! **The master rule** is the `is_master` column, at most one `true` per
//! owner by the partial UNIQUE index `resumes_one_master_per_owner`, and
//! only on a `ready` resume by a CHECK. Every operation that may change it
//! (a `ready` parse outcome, a tailored version, deleting the master,
//! setting one) first takes the owner lock ([`super::usage::lock`]), so it
//! sees the latest state and two first parses finishing together on two
//! instances still leave one master; were the lock ever skipped, the index
//! would refuse the second master (a unique violation, answered as a
//! conflict) rather than store it.
//!
//! The read helpers at the end ([`load`], [`owned`], [`put`]) are shared by
//! every module that reads or writes a resume.

use bytes::Bytes;
use tokio_postgres::{GenericClient, Transaction};
use uuid::Uuid;
use vitae_common::Status;

use super::usage;
use super::{big, from_json, pages, PgStore};
use crate::store::history::document_bytes;
use crate::store::queue::{QueueFull, QueueLimits};
use crate::store::quota::Delta;
use crate::store::records::{ParseOutcome, ResumeRecord, StoredResume, RESUME_SCHEMA};
use crate::store::{now, DeletedResume, NewResume, Page, Paged, Position, StoreError};

/// Store a new upload, `pending`, with its original bytes, and queue its
/// parse ([`super::queue`]) without bounds.
pub(super) async fn create(store: &PgStore, new: NewResume) -> Result<StoredResume, StoreError> {
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    match create_queued(&mut client, &quotas, new, None).await? {
        Ok(stored) => Ok(stored),
        Err(full) => Err(StoreError::Backend(format!(
            "an unbounded queue answered full ({full:?})"
        ))),
    }
}

/// Store a new upload `pending` with its original bytes and its parse job,
/// in one transaction, so an acknowledged upload is always queued; then
/// wake the workers of every instance (the NOTIFY is delivered at commit).
/// With `limits`, the queue's bounds are checked in that transaction first
/// (`Ok(Err(_))`: nothing was stored): the owner's waiting jobs under the
/// owner lock, so exactly; the cluster's total without a lock, so two
/// different owners' uploads committing together may both pass at the
/// last place (READ COMMITTED): the total can overshoot `capacity` by the
/// uploads in flight at that moment, never grow without bound.
pub(super) async fn create_queued(
    client: &mut deadpool_postgres::Object,
    quotas: &crate::store::Quotas,
    new: NewResume,
    limits: Option<QueueLimits>,
) -> Result<Result<StoredResume, QueueFull>, StoreError> {
    let now = now();
    let record = ResumeRecord {
        v: RESUME_SCHEMA,
        id: Uuid::new_v4(),
        owner: new.owner,
        filename: new.filename,
        content_type: new.content_type,
        status: Status::Pending,
        reason: None,
        warnings: Vec::new(),
        parent_id: new.parent_id,
        job_id: None,
        revision: 1,
        revision_origin: None,
        created_at: now,
        updated_at: now,
        document: None,
        confidence: Default::default(),
        size: new.original.len() as u64,
    };
    let txn = client.transaction().await?;
    // The owner lock first: the owner's count below is exact.
    usage::lock(&txn, &record.owner).await?;
    let mine = txn
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE claimed_by IS NULL OR lease_until < now()) \
             FROM parse_jobs WHERE owner = $1",
            &[&record.owner],
        )
        .await?;
    let (mine_all, mine_waiting): (i64, i64) = (mine.get(0), mine.get(1));
    if let Some(limits) = limits {
        let total: i64 = txn
            .query_one(
                "SELECT count(*) FROM parse_jobs WHERE claimed_by IS NULL OR lease_until < now()",
                &[],
            )
            .await?
            .get(0);
        if total as u64 >= limits.capacity as u64 {
            return Ok(Err(QueueFull::Server(limits.capacity)));
        }
        if mine_waiting as u64 >= limits.per_owner as u64 {
            return Ok(Err(QueueFull::Owner(limits.per_owner)));
        }
    }
    let delta = Delta {
        resumes: 1,
        bytes: new.original.len() as i64,
        ..Delta::default()
    };
    usage::charge(&txn, quotas, &record.owner, delta).await?;
    insert(&txn, &record, false).await?;
    txn.execute(
        "INSERT INTO originals (resume_id, bytes) VALUES ($1, $2)",
        &[&record.id, &new.original.as_ref()],
    )
    .await?;
    // The owner's round: its jobs already queued or running, so owners
    // are served in turn ([`super::queue`]).
    let round = i32::try_from(mine_all).unwrap_or(i32::MAX);
    txn.execute(
        "INSERT INTO parse_jobs (resume_id, owner, round) VALUES ($1, $2, $3)",
        &[&record.id, &record.owner, &round],
    )
    .await?;
    super::queue::notify(&txn).await?;
    txn.commit().await?;
    Ok(Ok(StoredResume {
        record,
        is_master: false,
    }))
}

/// One of `owner`'s resumes, its document parsed (`D` = `Resume`) or kept as
/// the stored JSON text (`D` = `RawDocument`).
pub(super) async fn get<D: serde::de::DeserializeOwned>(
    store: &PgStore,
    owner: &str,
    id: Uuid,
) -> Result<StoredResume<D>, StoreError> {
    let client = store.client().await?;
    // The busiest read (GET /v1/resumes/{id}): prepared once per
    // connection, like the token lookup before it, so it is one round trip.
    let statement = client
        .prepare_cached("SELECT record, is_master FROM resumes WHERE id = $1")
        .await?;
    match client.query_opt(&statement, &[&id]).await? {
        Some(row) => {
            let record: ResumeRecord<D> = from_json(row.get(0))?;
            if record.owner != owner {
                return Err(StoreError::NotFound("resume"));
            }
            Ok(StoredResume {
                record,
                is_master: row.get(1),
            })
        }
        None => Err(StoreError::NotFound("resume")),
    }
}

/// One page of `owner`'s resumes, oldest first ([`super::pages`]).
pub(super) async fn page(
    store: &PgStore,
    owner: &str,
    page: Page<Position>,
) -> Result<Paged<StoredResume, Position>, StoreError> {
    let client = store.client().await?;
    pages::page(&**client, &pages::RESUMES, &owner, &page, |row| {
        let id: Uuid = row.get("id");
        let resume = StoredResume {
            record: from_json(row.get("record"))?,
            is_master: row.get("is_master"),
        };
        Ok((resume, pages::position(row, id.to_string())))
    })
    .await
}

/// The uploaded bytes, as received.
pub(super) async fn original(store: &PgStore, id: Uuid) -> Result<Bytes, StoreError> {
    let client = store.client().await?;
    let row = client
        .query_opt("SELECT bytes FROM originals WHERE resume_id = $1", &[&id])
        .await?
        .ok_or(StoreError::NotFound("original upload"))?;
    Ok(Bytes::from(row.get::<_, Vec<u8>>(0)))
}

/// Move a `pending` resume to `parsing`.
pub(super) async fn mark_parsing(store: &PgStore, id: Uuid) -> Result<StoredResume, StoreError> {
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    let (mut record, is_master) = load(&*txn, id, true)
        .await?
        .ok_or(StoreError::NotFound("resume"))?;
    if record.status.is_terminal() {
        return Err(StoreError::Conflict(format!(
            "resume {id} is already {}",
            record.status
        )));
    }
    record.status = Status::Parsing;
    record.updated_at = now();
    put(&txn, &record).await?;
    txn.commit().await?;
    Ok(StoredResume { record, is_master })
}

/// Store the parse outcome; a `ready` resume becomes master when its owner
/// has none. The resume's parse job ends in the same transaction.
pub(super) async fn finish_parse(
    store: &PgStore,
    id: Uuid,
    outcome: ParseOutcome,
) -> Result<StoredResume, StoreError> {
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    finish_fenced(&mut client, &quotas, id, outcome, None)
        .await?
        .ok_or(StoreError::Backend(
            "an unfenced parse outcome was refused".into(),
        ))
}

/// [`finish_parse`], fenced: with `fence` (the claim's instance and
/// number), the outcome is stored only while the job is still that
/// claim's; `Ok(None)` when it was taken over (nothing stored).
pub(super) async fn finish_fenced(
    client: &mut deadpool_postgres::Object,
    quotas: &crate::store::Quotas,
    id: Uuid,
    outcome: ParseOutcome,
    fence: Option<(Uuid, i32)>,
) -> Result<Option<StoredResume>, StoreError> {
    let quotas = *quotas;
    let txn = client.transaction().await?;
    let owner: String = txn
        .query_opt("SELECT owner FROM resumes WHERE id = $1", &[&id])
        .await?
        .ok_or(StoreError::NotFound("resume"))?
        .get(0);
    // The owner lock first, then the record: the master rule below sees
    // every master change committed before it.
    usage::lock(&txn, &owner).await?;
    let (mut record, _) = load::<vitae_common::Resume, _>(&*txn, id, true)
        .await?
        .ok_or(StoreError::NotFound("resume"))?;
    // The job row last (lock order: owner, resume, job, as everywhere).
    let ended = match fence {
        Some((instance, attempts)) => {
            txn.execute(
                "DELETE FROM parse_jobs WHERE resume_id = $1 AND claimed_by = $2 \
                 AND attempts = $3",
                &[&id, &instance, &attempts],
            )
            .await?
        }
        None => {
            txn.execute("DELETE FROM parse_jobs WHERE resume_id = $1", &[&id])
                .await?
        }
    };
    if fence.is_some() && ended == 0 {
        return Ok(None);
    }
    if record.status.is_terminal() {
        return Err(StoreError::Conflict(format!(
            "resume {id} is already {}",
            record.status
        )));
    }
    record.updated_at = now();
    // Over the byte quota, the parse ends `failed` saying so: the upload
    // stays, its derived text and document are not kept.
    let outcome = match outcome {
        ParseOutcome::Ready {
            document,
            text,
            warnings,
            confidence,
        } => {
            let delta = Delta {
                bytes: (text.len() as u64 + document_bytes(Some(&document))) as i64,
                ..Delta::default()
            };
            match usage::charge(&txn, &quotas, &record.owner, delta).await {
                Ok(()) => ParseOutcome::Ready {
                    document,
                    text,
                    warnings,
                    confidence,
                },
                Err(StoreError::Quota(over)) => ParseOutcome::Failed {
                    reason: format!("the parsed document could not be kept: {over}"),
                },
                Err(other) => return Err(other),
            }
        }
        failed => failed,
    };
    let mut is_master = false;
    match outcome {
        ParseOutcome::Ready {
            document,
            text,
            warnings,
            confidence,
        } => {
            record.status = Status::Ready;
            record.document = Some(*document);
            record.warnings = warnings;
            record.confidence = confidence;
            txn.execute(
                "INSERT INTO texts (resume_id, text) VALUES ($1, $2) \
                 ON CONFLICT (resume_id) DO UPDATE SET text = EXCLUDED.text",
                &[&id, &text],
            )
            .await?;
            put(&txn, &record).await?;
            is_master = claim_master_if_none(&txn, &record.owner, id).await?;
        }
        ParseOutcome::Failed { reason } => {
            record.status = Status::Failed;
            record.reason = Some(reason);
            put(&txn, &record).await?;
        }
    }
    txn.commit().await?;
    Ok(Some(StoredResume { record, is_master }))
}

/// Make `id` (a `ready` resume) its owner's master if the owner has none.
/// The caller holds the owner lock; the unique index is the backstop.
pub(super) async fn claim_master_if_none(
    txn: &Transaction<'_>,
    owner: &str,
    id: Uuid,
) -> Result<bool, StoreError> {
    let claimed = txn
        .execute(
            "UPDATE resumes SET is_master = true WHERE id = $1 AND NOT EXISTS \
             (SELECT 1 FROM resumes WHERE owner = $2 AND is_master)",
            &[&id, &owner],
        )
        .await?;
    Ok(claimed == 1)
}

/// Delete a resume with its original, text, revisions, shares (and their
/// views), export jobs and cached exports.
pub(super) async fn delete(
    store: &PgStore,
    owner: &str,
    id: Uuid,
) -> Result<DeletedResume, StoreError> {
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, owner).await?;
    let StoredResume { record, is_master } =
        owned::<vitae_common::Resume, _>(&*txn, owner, id, true).await?;
    let sizes = txn
        .query_one(
            "SELECT \
             (SELECT COALESCE(length(bytes), 0)::bigint FROM originals WHERE resume_id = $1), \
             (SELECT COALESCE(octet_length(text), 0)::bigint FROM texts WHERE resume_id = $1), \
             (SELECT count(*) FROM revisions WHERE resume_id = $1), \
             (SELECT COALESCE(sum(octet_length(row)), 0)::bigint FROM revisions WHERE resume_id = $1)",
            &[&id],
        )
        .await?;
    let original: i64 = sizes.get::<_, Option<i64>>(0).unwrap_or(0);
    let text: i64 = sizes.get::<_, Option<i64>>(1).unwrap_or(0);
    let revisions: i64 = sizes.get(2);
    let revision_bytes: i64 = sizes.get(3);
    // Shares are filed under their tokens' hashes; the owner's clients
    // hear of the revocations by token.
    let share_rows = txn
        .query(
            "SELECT key, record FROM shares WHERE resume_id = $1",
            &[&id],
        )
        .await?;
    let share_tokens = super::shares::open_tokens(&share_rows, &store.seal);
    let exports = txn
        .execute(
            "DELETE FROM exports WHERE owner = $1 AND resume_id = $2",
            &[&owner, &id],
        )
        .await?;
    txn.execute("DELETE FROM export_files WHERE resume_id = $1", &[&id])
        .await?;
    // Originals, texts, revisions, shares and their views go with it
    // (ON DELETE CASCADE).
    txn.execute("DELETE FROM resumes WHERE id = $1", &[&id])
        .await?;
    let freed = Delta {
        resumes: -1,
        revisions: -revisions,
        bytes: -(original
            + text
            + document_bytes(record.document.as_ref()) as i64
            + revision_bytes),
        shares: -(share_rows.len() as i64),
        exports: -(exports as i64),
        ..Delta::default()
    };
    usage::charge(&txn, &quotas, owner, freed).await?;
    // Deleting the master hands the role to the oldest remaining ready
    // resume, so an owner with ready resumes always has one.
    let mut new_master = None;
    if is_master {
        let successor = txn
            .query_opt(
                "UPDATE resumes SET is_master = true WHERE id = (SELECT id FROM resumes \
                 WHERE owner = $1 AND status = 'ready' ORDER BY created_at, id LIMIT 1) \
                 RETURNING id",
                &[&owner],
            )
            .await?;
        new_master = successor.map(|row| row.get::<_, Uuid>(0));
    }
    txn.commit().await?;
    Ok(DeletedResume {
        record,
        share_tokens,
        new_master,
    })
}

/// Make a `ready` resume its owner's master.
pub(super) async fn set_master(
    store: &PgStore,
    owner: &str,
    id: Uuid,
) -> Result<StoredResume, StoreError> {
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, owner).await?;
    let StoredResume { record, is_master } =
        owned::<vitae_common::Resume, _>(&*txn, owner, id, true).await?;
    if record.status != Status::Ready {
        return Err(StoreError::Conflict(format!(
            "resume {id} is {}; only a ready resume can be the master",
            record.status
        )));
    }
    if !is_master {
        // Two statements: a unique index is checked row by row, so the old
        // master must be cleared before the new one is set.
        txn.execute(
            "UPDATE resumes SET is_master = false WHERE owner = $1 AND is_master",
            &[&owner],
        )
        .await?;
        txn.execute("UPDATE resumes SET is_master = true WHERE id = $1", &[&id])
            .await?;
    }
    txn.commit().await?;
    Ok(StoredResume {
        record,
        is_master: true,
    })
}

/// Resumes left `pending` or `parsing`, oldest first, with their owners.
pub(super) async fn unfinished(store: &PgStore) -> Result<Vec<(Uuid, String)>, StoreError> {
    let client = store.client().await?;
    let rows = client
        .query(
            "SELECT id, owner FROM resumes WHERE status IN ('pending', 'parsing') \
             ORDER BY created_at, id",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

// ---- helpers shared by reads and writes -----------------------------------

/// A resume and whether it is master; `lock` takes its row lock for the
/// rest of the transaction.
pub(super) async fn load<D: serde::de::DeserializeOwned, C: GenericClient + Sync>(
    client: &C,
    id: Uuid,
    lock: bool,
) -> Result<Option<(ResumeRecord<D>, bool)>, StoreError> {
    let sql = if lock {
        "SELECT record, is_master FROM resumes WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT record, is_master FROM resumes WHERE id = $1"
    };
    match client.query_opt(sql, &[&id]).await? {
        Some(row) => Ok(Some((from_json(row.get(0))?, row.get(1)))),
        None => Ok(None),
    }
}

/// One of `owner`'s resumes; another owner's is `NotFound`, like a missing one.
pub(super) async fn owned<D: serde::de::DeserializeOwned, C: GenericClient + Sync>(
    client: &C,
    owner: &str,
    id: Uuid,
    lock: bool,
) -> Result<StoredResume<D>, StoreError> {
    match load(client, id, lock).await? {
        Some((record, is_master)) if record.owner == owner => {
            Ok(StoredResume { record, is_master })
        }
        _ => Err(StoreError::NotFound("resume")),
    }
}

/// Insert a new resume row.
pub(super) async fn insert(
    txn: &Transaction<'_>,
    record: &ResumeRecord,
    is_master: bool,
) -> Result<(), StoreError> {
    txn.execute(
        "INSERT INTO resumes (id, owner, status, revision, is_master, created_at, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &record.id,
            &record.owner,
            &record.status.as_str(),
            &big(record.revision),
            &is_master,
            &record.created_at,
            &serde_json::to_string(record)?,
        ],
    )
    .await?;
    Ok(())
}

/// Write a resume's record (and the columns derived from it) back.
pub(super) async fn put(txn: &Transaction<'_>, record: &ResumeRecord) -> Result<(), StoreError> {
    txn.execute(
        "UPDATE resumes SET status = $2, revision = $3, record = $4 WHERE id = $1",
        &[
            &record.id,
            &record.status.as_str(),
            &big(record.revision),
            &serde_json::to_string(record)?,
        ],
    )
    .await?;
    Ok(())
}
