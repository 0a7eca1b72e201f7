//! The open database, which the writer thread replaces after an I/O error.
//!
//! redb treats a failed write to its file (no space, a read-only or failing
//! disk) as fatal for the open `Database`: every later transaction, reads
//! included, fails until it is closed and opened again, which also recovers
//! the last commit. [`super::disk::Room::check`] keeps that from happening in
//! the usual cases; this is for the rest (a race with a filling disk, an I/O
//! error). Every reader and the writer get the database through [`DbCell`],
//! so a reopen is seen by all of them at once.

use std::sync::Arc;
use std::time::Instant;

use redb::Database;

use crate::store::StoreError;

/// The current database handle. Reopening needs the old handle closed first
/// (redb locks the file), so readers see the store as unavailable (`503`)
/// for that moment.
pub(super) struct DbCell {
    path: std::path::PathBuf,
    current: std::sync::RwLock<Option<Arc<Database>>>,
}

impl DbCell {
    pub(super) fn new(path: std::path::PathBuf, db: Database) -> DbCell {
        DbCell {
            path,
            current: std::sync::RwLock::new(Some(Arc::new(db))),
        }
    }

    pub(super) fn get(&self) -> Result<Arc<Database>, StoreError> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                StoreError::Failing(
                    "the store is being reopened after a disk error; try again shortly".into(),
                )
            })
    }

    /// Close the database and open it again (redb recovers the last commit).
    /// Answers whether an open database is in place afterwards.
    pub(super) fn reopen(&self) -> bool {
        let old = self
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(old) = old {
            // Readers hold the handle for one transaction at most.
            let deadline = Instant::now() + std::time::Duration::from_secs(10);
            while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            if Arc::strong_count(&old) > 1 {
                tracing::error!("cannot reopen the store: a reader still holds it");
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(old);
                return false;
            }
            drop(old);
        }
        match super::file::create_database(&self.path) {
            Ok(db) => {
                tracing::warn!(path = %self.path.display(), "reopened the store after an I/O error");
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(db));
                true
            }
            Err(error) => {
                tracing::error!(%error, path = %self.path.display(), "cannot reopen the store yet");
                false
            }
        }
    }

    /// Is the database failing every transaction since an I/O error?
    pub(super) fn is_latched(&self) -> bool {
        match self.get() {
            Ok(db) => matches!(
                db.begin_write().map(|txn| txn.abort()),
                Err(redb::TransactionError::Storage(
                    redb::StorageError::PreviousIo
                ))
            ),
            Err(_) => true,
        }
    }
}
