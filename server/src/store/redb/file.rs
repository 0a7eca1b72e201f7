//! Opening the data file: a private data dir, and a refusal to start on a
//! file that is not ours or is damaged.
//!
//! The server must never "repair" a file it does not understand: a foreign
//! file (someone's document, another program's database) and a damaged redb
//! file both stop the start with [`StoreError::Unusable`], naming the file
//! and what to do, and leave it unchanged. A file another process holds open
//! is [`StoreError::Locked`]. Everything created here is private to the
//! server's user: the store holds every resume and original upload.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use redb::Database;

use super::migrate::init_and_migrate;
use super::tables;
use crate::store::sealing::TokenSeal;
use crate::store::StoreError;

/// The store's file name in the data dir.
const FILE_NAME: &str = "vitae.redb";

/// Memory redb may use to cache the file's pages. redb's default (1 GiB)
/// lets the cache grow with everything ever read or written, and the export
/// cache's files are large: after 1,000 renders the server held 203 MiB,
/// most of it cached PDF pages that are read once per download. The hot
/// data (principals, resume heads, job and share records) is small, and
/// what misses comes from the OS page cache in microseconds.
const PAGE_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// Create the data dir if needed, then open (or create) `DIR/vitae.redb`,
/// create its tables and migrate old records. Answers the file's path and
/// the open database.
pub(super) fn open_database(data_dir: &Path) -> Result<(PathBuf, Database, TokenSeal), StoreError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", data_dir.display())))?;
    let path = data_dir.join(FILE_NAME);
    refuse_foreign_file(&path)?;
    make_private(&path)?;
    let unusable = |detail: &dyn std::fmt::Display| {
        StoreError::Unusable(format!(
            "{} is damaged ({detail}); the server will not start on it and has not changed it. \
             Restore it from a backup (docs/operations.md, \"Backups and restore\"), or move it \
             away to start with an empty store",
            path.display()
        ))
    };
    // redb checks its pages as it reads them, and some damage makes it
    // panic rather than answer an error: either way, the file is damaged.
    let opened = std::panic::catch_unwind(|| {
        if let Some(detail) = damaged_record(&path) {
            return Err(unusable(&detail));
        }
        let db = create_database(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => {
                StoreError::Locked(path.display().to_string())
            }
            redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => {
                unusable(&detail)
            }
            other => StoreError::Backend(format!("cannot open {}: {other}", path.display())),
        })?;
        let seal = init_and_migrate(&db, data_dir).map_err(|e| match e {
            StoreError::Backend(detail) if detail.contains("corrupt") => unusable(&detail),
            other => other,
        })?;
        Ok::<_, StoreError>((db, seal))
    });
    match opened {
        Ok(opened) => {
            let (db, seal) = opened?;
            Ok((path.clone(), db, seal))
        }
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the storage engine stopped on it".into());
            Err(unusable(&detail))
        }
    }
}

/// A record of the file that does not decode, found without writing: the
/// migration reads every resume in a write transaction, and a write
/// transaction that fails still leaves redb's header rewritten when the
/// database closes, so damage it would meet is looked for first through a
/// read-only handle. A file redb cannot open read-only (new, or left by a
/// crash and needing redb's repair) is left to the normal open.
fn damaged_record(path: &Path) -> Option<String> {
    use redb::{ReadableDatabase, ReadableTable};
    let db = redb::Builder::new()
        .set_cache_size(PAGE_CACHE_BYTES)
        .open_read_only(path)
        .ok()?;
    let txn = match db.begin_read() {
        Ok(txn) => txn,
        Err(e) => return Some(e.to_string()),
    };
    for table in [tables::RESUMES, tables::SHARES, tables::JOBS] {
        let table = match txn.open_table(table) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => continue,
            Err(e) => return Some(e.to_string()),
        };
        let entries = match table.iter() {
            Ok(entries) => entries,
            Err(e) => return Some(e.to_string()),
        };
        for entry in entries {
            let value = match entry {
                Ok((_, value)) => value,
                Err(e) => return Some(e.to_string()),
            };
            let text = match std::str::from_utf8(value.value()) {
                Ok(text) => text,
                Err(e) => return Some(format!("a stored record is not text: {e}")),
            };
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                return Some(format!("a stored record does not decode: {e}"));
            }
        }
    }
    None
}

/// Open (or create) the redb file at `path` with the store's page cache size;
/// the first open and the reopen after an I/O error both come here.
pub(super) fn create_database(path: &Path) -> Result<Database, redb::DatabaseError> {
    Database::builder()
        .set_cache_size(PAGE_CACHE_BYTES)
        .create(path)
}

/// Create `path` (empty, which redb takes as a new store) with mode 0600, or
/// take an existing file's group and other permissions away (stores made by
/// earlier versions were 0644).
fn make_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let failed = |e: std::io::Error| {
        StoreError::Backend(format!("cannot make {} private: {e}", path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    let mode = file.metadata().map_err(failed)?.permissions().mode();
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))
            .map_err(failed)?;
    }
    Ok(())
}

/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

/// Refuse a file at the store's path that is not a redb file (someone's
/// document, another program's database): redb would refuse it too, but
/// this says which file it is and what to do. Empty files are fine: redb
/// initialises them.
fn refuse_foreign_file(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::Backend(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    let refuse = |what: &str| {
        StoreError::Unusable(format!(
            "{} {what}, so it is not a Vitae data file; the server will not start on it and has not \
             changed it. Move it away, or start with another --data-dir",
            path.display()
        ))
    };
    if !metadata.is_file() {
        return Err(refuse("is not a regular file"));
    }
    if metadata.len() == 0 {
        return Ok(());
    }
    let mut head = [0u8; REDB_MAGIC.len()];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Ok(()) if head == REDB_MAGIC => Ok(()),
        Ok(()) | Err(_) => Err(refuse("does not start with redb's header")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::RedbStore;
    use crate::store::StoreError;

    #[tokio::test]
    async fn a_second_open_of_the_same_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = RedbStore::open(dir.path()).unwrap();
        assert!(matches!(
            RedbStore::open(dir.path()),
            Err(StoreError::Locked(_))
        ));
    }
}
