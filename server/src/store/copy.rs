//! Copying one store into another, row for row, and proving the copy:
//! what `vitae-server migrate --from DATA_DIR --to postgres://…` runs.
//!
//! A copy must keep everything exactly: ids, timestamps, revision history,
//! share links (filed by token hash, tokens sealed with the share-link
//! key), counted views, API tokens (hashed), jobs, export jobs, original
//! uploads and the master flags. Replaying API calls would make new ids and
//! times, so each backend instead reads its stored records as they are
//! ([`ExportRows`]: a table at a time, in pages after a cursor) and the
//! target writes them back as they are ([`ImportRows`]). A [`Row`] is the
//! form both backends share: a key and the record's stored bytes (the JSON
//! records are the same on both backends, [`crate::store::records`]), so
//! nothing is decoded and encoded again on the way.
//!
//! [`copy`] is backend-neutral and runs in three steps:
//!
//! 1. **Look**: digest every row of both sides per table (key → SHA-256).
//!    A target row whose key the source lacks, or whose content differs,
//!    is data not from this source: the copy refuses unless forced.
//! 2. **Copy** the source rows the target lacks, in batches of
//!    `batch_rows`, each batch one transaction of inserts that skip a row
//!    already there (`ON CONFLICT DO NOTHING`). Killed at any point, the
//!    target holds whole batches; the next run looks again and copies the
//!    rest. Run again after a complete copy, it copies nothing.
//! 3. **Verify**: digest the target again and compare, per table, the row
//!    counts and a content hash (the sum of the rows' SHA-256, so the two
//!    backends' different orders do not matter) over the source's keys.
//!
//! Not copied: the export cache (rendered files, remade on demand) and
//! redb's own indexes and bookkeeping (the target keeps its own).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::StoreError;

/// The tables a copy carries, in the order they are copied (a row's
/// parent first: resumes before their originals, shares before views).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// API token hash → principal record.
    Tokens,
    /// Owner → what the owner keeps ([`crate::store::Usage`], JSON).
    Usage,
    /// Job id → job record.
    Jobs,
    /// Resume id → resume record.
    Resumes,
    /// Owner → the id of the owner's master resume.
    Masters,
    /// Resume id → the uploaded bytes.
    Originals,
    /// Resume id → the extracted text.
    Texts,
    /// `id/revision` → the stored earlier revision (whole or a delta).
    Revisions,
    /// Share key (SHA-256 of the token) → share record, token sealed.
    Shares,
    /// `share key/YYYY-MM-DD` → views of that day per form (JSON).
    ShareViews,
    /// Export job id → export record.
    Exports,
}

impl Table {
    pub const ALL: [Table; 11] = [
        Table::Tokens,
        Table::Usage,
        Table::Jobs,
        Table::Resumes,
        Table::Masters,
        Table::Originals,
        Table::Texts,
        Table::Revisions,
        Table::Shares,
        Table::ShareViews,
        Table::Exports,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Tokens => "tokens",
            Table::Usage => "usage",
            Table::Jobs => "jobs",
            Table::Resumes => "resumes",
            Table::Masters => "masters",
            Table::Originals => "originals",
            Table::Texts => "texts",
            Table::Revisions => "revisions",
            Table::Shares => "shares",
            Table::ShareViews => "share_views",
            Table::Exports => "exports",
        }
    }
}

/// One stored row: its key in its table and its stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub value: Vec<u8>,
}

impl Row {
    fn digest(&self, table: Table) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(table.name().as_bytes());
        hash.update([0]);
        hash.update(self.key.as_bytes());
        hash.update([0]);
        hash.update(&self.value);
        hash.finalize().into()
    }
}

/// A store whose rows can be read as stored.
#[async_trait]
pub trait ExportRows: Send + Sync {
    /// At most `limit` rows of `table` after the row keyed `after` (from
    /// the first when `None`), in the backend's own key order. An empty
    /// answer is the end.
    async fn export_rows(
        &self,
        table: Table,
        after: Option<String>,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError>;
}

/// A store that can take rows as they are.
#[async_trait]
pub trait ImportRows: ExportRows {
    /// Write `rows` into `table` in one transaction, skipping any whose
    /// key is already there; answers how many were written.
    async fn import_rows(&self, table: Table, rows: &[Row]) -> Result<u64, StoreError>;
}

/// Every key of one table with its row's digest.
type Digests = HashMap<String, [u8; 32]>;

async fn digests(store: &dyn ExportRows, table: Table, page: usize) -> Result<Digests, StoreError> {
    let mut all = Digests::new();
    let mut after = None;
    loop {
        let rows = store.export_rows(table, after.take(), page).await?;
        let Some(last) = rows.last() else {
            return Ok(all);
        };
        after = Some(last.key.clone());
        for row in &rows {
            all.insert(row.key.clone(), row.digest(table));
        }
    }
}

/// The content hash of a set of rows: the sum of their digests (as four
/// 64-bit lanes), so the order the rows were read in does not matter.
fn combined<'a>(rows: impl Iterator<Item = &'a [u8; 32]>) -> String {
    let mut lanes = [0u64; 4];
    for digest in rows {
        for (lane, chunk) in lanes.iter_mut().zip(digest.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *lane = lane.wrapping_add(u64::from_be_bytes(word));
        }
    }
    lanes.iter().map(|l| format!("{l:016x}")).collect()
}

/// How one table fared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableReport {
    pub table: &'static str,
    /// Rows in the source.
    pub source_rows: usize,
    /// The source's rows found in the target with the same content.
    pub target_rows: usize,
    /// Rows written by this run.
    pub copied: u64,
    /// Target rows the source does not have (only with `force`).
    pub extra: usize,
    /// Content hash of the source's rows, and of the target's rows under
    /// the same keys.
    pub source_hash: String,
    pub target_hash: String,
    pub ok: bool,
}

/// What a copy did and found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyReport {
    pub tables: Vec<TableReport>,
    pub ok: bool,
}

/// The copy's settings.
#[derive(Debug, Clone, Copy)]
pub struct CopyOptions {
    /// Rows per transaction.
    pub batch_rows: usize,
    /// Copy into a target that holds data not from this source.
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The target holds rows that are not the source's.
    #[error(
        "the target database is not empty: it holds data that is not from this source ({0}). \
         Give an empty database, or pass --force to copy into this one anyway (rows already \
         there are kept as they are)"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Copy every row of `source` into `target` and verify it (see the module
/// doc). `progress` hears each batch: table, rows done, rows to copy.
pub async fn copy(
    source: &dyn ExportRows,
    target: &dyn ImportRows,
    options: CopyOptions,
    progress: &mut dyn FnMut(Table, usize, usize),
) -> Result<CopyReport, CopyError> {
    let batch = options.batch_rows.max(1);
    let page = batch.max(500);
    // 1. Look.
    let mut looked = Vec::with_capacity(Table::ALL.len());
    let mut foreign = Vec::new();
    for table in Table::ALL {
        let from = digests(source, table, page).await?;
        let into = digests(target, table, page).await?;
        let strange = into
            .iter()
            .filter(|(key, digest)| from.get(*key) != Some(digest))
            .count();
        if strange > 0 {
            foreign.push(format!("{} rows in {}", strange, table.name()));
        }
        looked.push((table, from, into));
    }
    if !foreign.is_empty() && !options.force {
        return Err(CopyError::NotEmpty(foreign.join(", ")));
    }
    // 2. Copy what the target lacks.
    let mut copied = HashMap::new();
    for (table, from, into) in &looked {
        let missing: HashSet<&String> = from.keys().filter(|k| !into.contains_key(*k)).collect();
        let mut written = 0u64;
        if !missing.is_empty() {
            let (mut done, mut after) = (0usize, None);
            let mut pending = Vec::with_capacity(batch);
            loop {
                let rows = source.export_rows(*table, after.take(), page).await?;
                let end = rows.is_empty();
                if let Some(last) = rows.last() {
                    after = Some(last.key.clone());
                }
                pending.extend(rows.into_iter().filter(|r| missing.contains(&r.key)));
                while pending.len() >= batch || (end && !pending.is_empty()) {
                    let take = pending.len().min(batch);
                    let chunk: Vec<Row> = pending.drain(..take).collect();
                    written += target.import_rows(*table, &chunk).await?;
                    done += chunk.len();
                    progress(*table, done, missing.len());
                }
                if end {
                    break;
                }
            }
        }
        copied.insert(*table, written);
    }
    // 3. Verify.
    let mut tables = Vec::with_capacity(looked.len());
    for (table, from, _) in &looked {
        let into = digests(target, *table, page).await?;
        let same: Vec<&[u8; 32]> = from
            .iter()
            .filter_map(|(key, digest)| into.get(key).filter(|d| *d == digest))
            .collect();
        let extra = into.keys().filter(|k| !from.contains_key(*k)).count();
        let source_hash = combined(from.values());
        let target_hash = combined(from.keys().filter_map(|k| into.get(k)));
        let ok = same.len() == from.len() && (extra == 0 || options.force);
        tables.push(TableReport {
            table: table.name(),
            source_rows: from.len(),
            target_rows: same.len(),
            copied: copied.get(table).copied().unwrap_or(0),
            extra,
            source_hash,
            target_hash,
            ok,
        });
    }
    let ok = tables.iter().all(|t| t.ok);
    Ok(CopyReport { tables, ok })
}

impl CopyReport {
    /// The report as a table for people.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<12} {:>9} {:>9} {:>9} {:>6}  {:<16} {:<16} {}\n",
            "table", "source", "target", "copied", "extra", "source hash", "target hash", "check"
        );
        for t in &self.tables {
            out.push_str(&format!(
                "{:<12} {:>9} {:>9} {:>9} {:>6}  {:<16} {:<16} {}\n",
                t.table,
                t.source_rows,
                t.target_rows,
                t.copied,
                t.extra,
                &t.source_hash[..16],
                &t.target_hash[..16],
                if t.ok { "ok" } else { "MISMATCH" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    //! The driver against two in-memory row sets: copy, idempotence,
    //! refusal of a foreign target, and a copy cut short then completed.
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Memory {
        tables: Mutex<HashMap<&'static str, BTreeMap<String, Vec<u8>>>>,
        /// Fail the import after this many more batches (a kill).
        fail_after: Mutex<Option<usize>>,
    }

    #[async_trait]
    impl ExportRows for Memory {
        async fn export_rows(
            &self,
            table: Table,
            after: Option<String>,
            limit: usize,
        ) -> Result<Vec<Row>, StoreError> {
            let tables = self.tables.lock().unwrap();
            let Some(rows) = tables.get(table.name()) else {
                return Ok(Vec::new());
            };
            Ok(rows
                .iter()
                .filter(|(k, _)| after.as_ref().is_none_or(|a| k.as_str() > a.as_str()))
                .take(limit)
                .map(|(k, v)| Row {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect())
        }
    }

    #[async_trait]
    impl ImportRows for Memory {
        async fn import_rows(&self, table: Table, rows: &[Row]) -> Result<u64, StoreError> {
            if let Some(left) = self.fail_after.lock().unwrap().as_mut() {
                if *left == 0 {
                    return Err(StoreError::Failing("killed".into()));
                }
                *left -= 1;
            }
            let mut tables = self.tables.lock().unwrap();
            let t = tables.entry(table.name()).or_default();
            let mut n = 0;
            for row in rows {
                if !t.contains_key(&row.key) {
                    t.insert(row.key.clone(), row.value.clone());
                    n += 1;
                }
            }
            Ok(n)
        }
    }

    fn source() -> Memory {
        let memory = Memory::default();
        {
            let mut tables = memory.tables.lock().unwrap();
            for table in Table::ALL {
                let rows = tables.entry(table.name()).or_default();
                for i in 0..7 {
                    rows.insert(format!("{i:03}"), format!("{}-{i}", table.name()).into());
                }
            }
        }
        memory
    }

    fn options(batch_rows: usize, force: bool) -> CopyOptions {
        CopyOptions { batch_rows, force }
    }

    #[tokio::test]
    async fn copies_verifies_and_copies_nothing_the_second_time() {
        let (from, into) = (source(), Memory::default());
        let report = copy(&from, &into, options(3, false), &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(report.ok, "{}", report.render());
        assert!(report
            .tables
            .iter()
            .all(|t| t.copied == 7 && t.target_rows == 7 && t.source_hash == t.target_hash));
        let again = copy(&from, &into, options(3, false), &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(again.ok);
        assert!(again.tables.iter().all(|t| t.copied == 0));
    }

    #[tokio::test]
    async fn a_foreign_target_is_refused_unless_forced() {
        let (from, into) = (source(), Memory::default());
        into.tables
            .lock()
            .unwrap()
            .entry("tokens")
            .or_default()
            .insert("zzz".into(), b"elsewhere".to_vec());
        let error = copy(&from, &into, options(3, false), &mut |_, _, _| {})
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("--force") && message.contains("1 rows in tokens"));
        let report = copy(&from, &into, options(3, true), &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(report.ok, "{}", report.render());
        assert_eq!(report.tables[0].extra, 1);
    }

    #[tokio::test]
    async fn a_copy_cut_short_completes_on_the_next_run() {
        let (from, into) = (source(), Memory::default());
        *into.fail_after.lock().unwrap() = Some(5);
        assert!(copy(&from, &into, options(2, false), &mut |_, _, _| {})
            .await
            .is_err());
        *into.fail_after.lock().unwrap() = None;
        let report = copy(&from, &into, options(2, false), &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(report.ok, "{}", report.render());
        let copied: u64 = report.tables.iter().map(|t| t.copied).sum();
        // The first run wrote five whole batches: tokens (7 rows in 4
        // batches of 2) and the first 2 rows of usage.
        assert_eq!(copied, 7 * 11 - 9, "the first run's batches stay");
    }

    #[tokio::test]
    async fn a_changed_row_is_a_mismatch() {
        let (from, into) = (source(), Memory::default());
        copy(&from, &into, options(3, false), &mut |_, _, _| {})
            .await
            .unwrap();
        into.tables
            .lock()
            .unwrap()
            .get_mut("jobs")
            .unwrap()
            .insert("003".into(), b"changed".to_vec());
        let report = copy(&from, &into, options(3, true), &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(!report.ok);
        let jobs = report.tables.iter().find(|t| t.table == "jobs").unwrap();
        assert_eq!((jobs.source_rows, jobs.target_rows), (7, 6));
        assert!(report.render().contains("MISMATCH"));
    }
}
