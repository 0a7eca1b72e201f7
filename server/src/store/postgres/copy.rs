//! The PostgreSQL side of a store copy ([`crate::store::copy`]): rows read
//! as stored, and rows written as they are, for `vitae-server migrate`.
//!
//! Export reads a keyset page per table (after the previous page's last
//! key, text keys compared bytewise with `COLLATE "C"`). Import writes one
//! batch in one transaction, each row an `INSERT … ON CONFLICT DO
//! NOTHING`, so a batch a killed run already wrote is skipped row by row;
//! the columns beside a record (owner, status, times) are read from the
//! record itself, as the backend's own writes derive them. A master is the
//! `is_master` flag set on an imported resume; view history goes into
//! `share_view_days` under one fixed instance id ([`MIGRATED`]), its counts
//! per form as redb kept them (a link's total stays in its record's
//! `access_count`, which this backend adds to its own counted views).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{big, from_json, PgStore};
use crate::store::copy::{ExportRows, ImportRows, Row, Table};
use crate::store::records::{ExportRecord, JobRecord, RawDocument, ResumeRecord, StoredShare};
use crate::store::{StoreError, Usage};

/// The instance id of view history rows copied from another store.
pub const MIGRATED: Uuid = Uuid::nil();

fn invalid(what: &str, key: &str) -> StoreError {
    StoreError::Invalid(format!("{what}: bad key {key:?}"))
}

fn uuid_of(key: &str) -> Result<Uuid, StoreError> {
    key.parse().map_err(|_| invalid("uuid", key))
}

fn text(value: &[u8]) -> Result<&str, StoreError> {
    std::str::from_utf8(value)
        .map_err(|e| StoreError::Invalid(format!("a copied row is not UTF-8: {e}")))
}

/// A two-part row key `a/b`.
fn split_key(key: &str) -> Result<(&str, &str), StoreError> {
    key.split_once('/').ok_or_else(|| invalid("row", key))
}

#[async_trait]
impl ExportRows for PgStore {
    async fn export_rows(
        &self,
        table: Table,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let limit = big(limit.max(1) as u64);
        // Text keys start after "" (every key sorts after it); uuid keys
        // after the nil uuid.
        let after_text = after.clone().unwrap_or_default();
        let after_id = match (&after, table) {
            (
                Some(key),
                Table::Jobs | Table::Resumes | Table::Originals | Table::Texts | Table::Exports,
            ) => uuid_of(key)?,
            _ => Uuid::nil(),
        };
        let rows = match table {
            Table::Tokens => client
                .query(
                    "SELECT hash, record FROM tokens WHERE hash COLLATE \"C\" > $1 \
                     ORDER BY hash COLLATE \"C\" LIMIT $2",
                    &[&after_text, &limit],
                )
                .await?
                .iter()
                .map(|r| Row {
                    key: r.get(0),
                    value: r.get::<_, String>(1).into_bytes(),
                })
                .collect(),
            Table::Usage => {
                let mut rows = Vec::new();
                for r in client
                    .query(
                        "SELECT owner, bytes, resumes, revisions, jobs, shares, exports FROM usage \
                         WHERE owner COLLATE \"C\" > $1 ORDER BY owner COLLATE \"C\" LIMIT $2",
                        &[&after_text, &limit],
                    )
                    .await?
                {
                    let get = |i: usize| r.get::<_, i64>(i).max(0) as u64;
                    let usage = Usage {
                        bytes: get(1),
                        resumes: get(2),
                        revisions: get(3),
                        jobs: get(4),
                        shares: get(5),
                        exports: get(6),
                    };
                    rows.push(Row {
                        key: r.get(0),
                        value: serde_json::to_vec(&usage)?,
                    });
                }
                rows
            }
            Table::Jobs | Table::Resumes | Table::Exports => {
                let sql = match table {
                    Table::Jobs => "SELECT id, record FROM jobs WHERE id > $1 ORDER BY id LIMIT $2",
                    Table::Resumes => {
                        "SELECT id, record FROM resumes WHERE id > $1 ORDER BY id LIMIT $2"
                    }
                    _ => "SELECT id, record FROM exports WHERE id > $1 ORDER BY id LIMIT $2",
                };
                client
                    .query(sql, &[&after_id, &limit])
                    .await?
                    .iter()
                    .map(|r| Row {
                        key: r.get::<_, Uuid>(0).to_string(),
                        value: r.get::<_, String>(1).into_bytes(),
                    })
                    .collect()
            }
            Table::Masters => client
                .query(
                    "SELECT owner, id FROM resumes WHERE is_master AND owner COLLATE \"C\" > $1 \
                     ORDER BY owner COLLATE \"C\" LIMIT $2",
                    &[&after_text, &limit],
                )
                .await?
                .iter()
                .map(|r| Row {
                    key: r.get(0),
                    value: r.get::<_, Uuid>(1).to_string().into_bytes(),
                })
                .collect(),
            Table::Originals => client
                .query(
                    "SELECT resume_id, bytes FROM originals WHERE resume_id > $1 \
                     ORDER BY resume_id LIMIT $2",
                    &[&after_id, &limit],
                )
                .await?
                .iter()
                .map(|r| Row {
                    key: r.get::<_, Uuid>(0).to_string(),
                    value: r.get(1),
                })
                .collect(),
            Table::Texts => client
                .query(
                    "SELECT resume_id, text FROM texts WHERE resume_id > $1 \
                     ORDER BY resume_id LIMIT $2",
                    &[&after_id, &limit],
                )
                .await?
                .iter()
                .map(|r| Row {
                    key: r.get::<_, Uuid>(0).to_string(),
                    value: r.get::<_, String>(1).into_bytes(),
                })
                .collect(),
            Table::Revisions => {
                let (id, revision) = match &after {
                    Some(key) => {
                        let (id, revision) = split_key(key)?;
                        let revision: i64 =
                            revision.parse().map_err(|_| invalid("revision", key))?;
                        (uuid_of(id)?, revision)
                    }
                    None => (Uuid::nil(), -1),
                };
                client
                    .query(
                        "SELECT resume_id, revision, row FROM revisions \
                         WHERE (resume_id, revision) > ($1::uuid, $2::bigint) \
                         ORDER BY resume_id, revision LIMIT $3",
                        &[&id, &revision, &limit],
                    )
                    .await?
                    .iter()
                    .map(|r| Row {
                        key: format!("{}/{}", r.get::<_, Uuid>(0), r.get::<_, i64>(1)),
                        value: r.get::<_, String>(2).into_bytes(),
                    })
                    .collect()
            }
            Table::Shares => client
                .query(
                    "SELECT key, record FROM shares WHERE key COLLATE \"C\" > $1 \
                     ORDER BY key COLLATE \"C\" LIMIT $2",
                    &[&after_text, &limit],
                )
                .await?
                .iter()
                .map(|r| Row {
                    key: r.get(0),
                    value: r.get::<_, String>(1).into_bytes(),
                })
                .collect(),
            Table::ShareViews => {
                let (key, day) = match &after {
                    Some(cursor) => {
                        let (key, day) = split_key(cursor)?;
                        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                            .map_err(|_| invalid("day", cursor))?;
                        (key.to_string(), day)
                    }
                    // Every key sorts after "", whatever the day.
                    None => (String::new(), NaiveDate::default()),
                };
                let found = client
                    .query(
                        "WITH d AS (SELECT DISTINCT key COLLATE \"C\" AS key, day \
                         FROM share_view_days \
                         WHERE (key COLLATE \"C\", day) > ($1::text COLLATE \"C\", $2::date) \
                         ORDER BY 1, 2 LIMIT $3) \
                         SELECT v.key, v.day, v.form, SUM(v.views)::bigint FROM share_view_days v \
                         JOIN d ON d.key = v.key AND d.day = v.day \
                         GROUP BY v.key, v.day, v.form ORDER BY v.key COLLATE \"C\", v.day",
                        &[&key, &day, &limit],
                    )
                    .await?;
                let mut rows: Vec<Row> = Vec::new();
                let mut forms = BTreeMap::<String, u64>::new();
                let mut current: Option<String> = None;
                for r in &found {
                    let key = format!(
                        "{}/{}",
                        r.get::<_, String>(0),
                        r.get::<_, NaiveDate>(1).format("%Y-%m-%d")
                    );
                    if current.as_ref() != Some(&key) {
                        if let Some(done) = current.take() {
                            rows.push(Row {
                                key: done,
                                value: serde_json::to_vec(&forms)?,
                            });
                            forms.clear();
                        }
                        current = Some(key);
                    }
                    forms.insert(r.get(2), r.get::<_, i64>(3).max(0) as u64);
                }
                if let Some(done) = current {
                    rows.push(Row {
                        key: done,
                        value: serde_json::to_vec(&forms)?,
                    });
                }
                rows
            }
        };
        Ok(rows)
    }
}

#[async_trait]
impl ImportRows for PgStore {
    async fn import_rows(&self, table: Table, rows: &[Row]) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let txn = client.transaction().await?;
        let mut written = 0u64;
        for row in rows {
            let key = row.key.as_str();
            written += match table {
                Table::Tokens => {
                    txn.execute(
                        "INSERT INTO tokens (hash, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&key, &text(&row.value)?],
                    )
                    .await?
                }
                Table::Usage => {
                    let usage: Usage = serde_json::from_slice(&row.value)?;
                    txn.execute(
                        "INSERT INTO usage (owner, bytes, resumes, revisions, jobs, shares, exports) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                        &[
                            &key,
                            &big(usage.bytes),
                            &big(usage.resumes),
                            &big(usage.revisions),
                            &big(usage.jobs),
                            &big(usage.shares),
                            &big(usage.exports),
                        ],
                    )
                    .await?
                }
                Table::Jobs => {
                    let record = text(&row.value)?;
                    let job: JobRecord = from_json(record)?;
                    txn.execute(
                        "INSERT INTO jobs (id, owner, content_hash, created_at, record) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[&job.id, &job.owner, &job.content_hash, &job.created_at, &record],
                    )
                    .await?
                }
                Table::Resumes => {
                    let record = text(&row.value)?;
                    let resume: ResumeRecord<RawDocument> = from_json(record)?;
                    txn.execute(
                        "INSERT INTO resumes (id, owner, status, revision, is_master, created_at, \
                         record) VALUES ($1, $2, $3, $4, false, $5, $6) ON CONFLICT DO NOTHING",
                        &[
                            &resume.id,
                            &resume.owner,
                            &resume.status.as_str(),
                            &big(resume.revision),
                            &resume.created_at,
                            &record,
                        ],
                    )
                    .await?
                }
                Table::Masters => {
                    let id = uuid_of(text(&row.value)?)?;
                    txn.execute(
                        "UPDATE resumes SET is_master = true WHERE id = $1 AND owner = $2 \
                         AND NOT is_master",
                        &[&id, &key],
                    )
                    .await?
                }
                Table::Originals => {
                    txn.execute(
                        "INSERT INTO originals (resume_id, bytes) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                        &[&uuid_of(key)?, &row.value.as_slice()],
                    )
                    .await?
                }
                Table::Texts => {
                    txn.execute(
                        "INSERT INTO texts (resume_id, text) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&uuid_of(key)?, &text(&row.value)?],
                    )
                    .await?
                }
                Table::Revisions => {
                    let (id, revision) = split_key(key)?;
                    let revision: i64 = revision.parse().map_err(|_| invalid("revision", key))?;
                    txn.execute(
                        "INSERT INTO revisions (resume_id, revision, row) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING",
                        &[&uuid_of(id)?, &revision, &text(&row.value)?],
                    )
                    .await?
                }
                Table::Shares => {
                    let record = text(&row.value)?;
                    let share: StoredShare = from_json(record)?;
                    txn.execute(
                        "INSERT INTO shares (key, resume_id, owner, created_at, record) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[
                            &key,
                            &share.resume_id,
                            &share.owner,
                            &share.created_at,
                            &record,
                        ],
                    )
                    .await?
                }
                Table::ShareViews => {
                    let (share, day) = split_key(key)?;
                    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                        .map_err(|_| invalid("day", key))?;
                    let forms: BTreeMap<String, u64> = serde_json::from_slice(&row.value)?;
                    let mut any = 0;
                    for (form, views) in &forms {
                        any = any.max(
                            txn.execute(
                                "INSERT INTO share_view_days (key, day, form, instance, views) \
                                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                                &[&share, &day, form, &MIGRATED, &big(*views)],
                            )
                            .await?,
                        );
                    }
                    any
                }
                Table::Exports => {
                    let record = text(&row.value)?;
                    let export: ExportRecord = from_json(record)?;
                    txn.execute(
                        "INSERT INTO exports (id, owner, resume_id, finished, created_at, record) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        &[
                            &export.id,
                            &export.owner,
                            &export.resume_id,
                            &export.status.is_terminal(),
                            &export.created_at,
                            &record,
                        ],
                    )
                    .await?
                }
            };
        }
        txn.commit().await?;
        Ok(written)
    }
}
