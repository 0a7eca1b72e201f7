//! Disk checks: refusing a write the data dir's disk cannot take, and saying
//! what a failed commit meant.
//!
//! redb treats a failed write to its file as fatal for the open database
//! (see [`super::reopen`]), so [`Room::check`] runs before every write is
//! queued and before every flush of share views: a full disk (below the
//! configured reserve) answers [`StoreError::Full`] (`507`), a read-only one
//! [`StoreError::ReadOnly`] (`503`), and nothing reaches the file. A failure
//! the checks could not foresee surfaces at commit, where [`commit_failure`]
//! maps it to the same errors.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::StoreError;

/// What a failed commit means for the caller: a full or read-only disk
/// (`507`/`503`, nothing written), or a failing store (`503`).
pub(super) fn commit_failure(error: &redb::CommitError) -> StoreError {
    let io = match error {
        redb::CommitError::Storage(redb::StorageError::Io(io)) => Some(io),
        _ => None,
    };
    match io.and_then(std::io::Error::raw_os_error) {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
            StoreError::Full("the disk of the data dir ran out of space during the write".into())
        }
        Some(libc::EROFS) => {
            StoreError::ReadOnly("the data dir's file system stopped taking writes".into())
        }
        _ => StoreError::Failing(format!("the store could not write: {error}")),
    }
}

/// Where the data lives and how much room its disk must keep.
pub(super) struct Room {
    dir: std::path::PathBuf,
    min_free_bytes: AtomicU64,
    /// `DIR/.write-probe`: one byte rewritten before each write.
    probe: std::fs::File,
}

/// The probe file's name in the data dir.
const WRITE_PROBE: &str = ".write-probe";

impl Room {
    pub(super) fn new(dir: &Path) -> Result<Room, StoreError> {
        let path = dir.join(WRITE_PROBE);
        let probe = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StoreError::Backend(format!("cannot write {}: {e}", path.display())))?;
        Ok(Room {
            dir: dir.to_path_buf(),
            min_free_bytes: AtomicU64::new(0),
            probe,
        })
    }

    /// Keep at least `bytes` free: see [`super::RedbStore::set_min_free_bytes`].
    pub(super) fn set_min_free_bytes(&self, bytes: u64) {
        self.min_free_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Refuse a write when the data dir's file system is read-only or has
    /// less than the reserve free (for the caller: `507`/`503`).
    ///
    /// Read-only is found two ways: the mount flag, and a one-byte write to
    /// the probe file (no fsync, so it costs a page-cache write). The second
    /// catches a file system that stopped taking writes after an error
    /// while still mounted read-write (ext4's `errors=remount-ro` on recent
    /// kernels), which the mount flag does not show.
    pub(super) fn check(&self) -> Result<(), StoreError> {
        use std::os::unix::fs::FileExt;
        let read_only = || {
            StoreError::ReadOnly(format!(
                "the file system of the data dir {} does not take writes (read-only)",
                self.dir.display()
            ))
        };
        if let Err(e) = self.probe.write_at(b"v", 0) {
            return Err(match e.raw_os_error() {
                Some(libc::EROFS) | Some(libc::EPERM) | Some(libc::EACCES) => read_only(),
                Some(libc::ENOSPC) | Some(libc::EDQUOT) => StoreError::Full(format!(
                    "the disk of the data dir {} has no space left",
                    self.dir.display()
                )),
                _ => StoreError::ReadOnly(format!(
                    "writing to the data dir {} fails: {e}",
                    self.dir.display()
                )),
            });
        }
        let Some(disk) = disk_state(&self.dir) else {
            // Unknown (statvfs failed): let the write try.
            return Ok(());
        };
        if disk.read_only {
            return Err(read_only());
        }
        let reserve = self.min_free_bytes.load(Ordering::Relaxed);
        if disk.free_bytes < reserve {
            return Err(StoreError::Full(format!(
                "the disk of the data dir {} has {} MiB free, below the {} MiB the server keeps in reserve (min_free_mib)",
                self.dir.display(),
                disk.free_bytes / (1024 * 1024),
                reserve / (1024 * 1024)
            )));
        }
        Ok(())
    }
}

struct DiskState {
    read_only: bool,
    /// Bytes an unprivileged process may still write.
    free_bytes: u64,
}

fn disk_state(dir: &Path) -> Option<DiskState> {
    use rustix::fs::{statvfs, StatVfsMountFlags};
    let stat = statvfs(dir).ok()?;
    Some(DiskState {
        read_only: stat.f_flag.contains(StatVfsMountFlags::RDONLY),
        free_bytes: stat.f_bavail.saturating_mul(stat.f_frsize),
    })
}
