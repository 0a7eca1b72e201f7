//! Share-link view counts, kept in memory and written in batches.
//!
//! Opening `/s/{token}` is a read for the person opening it, and a busy link
//! must answer at the speed of a read. So a view only bumps a counter here;
//! the store's writer thread folds every pending count into one write
//! transaction at most [`FLUSH_DELAY`] after the first of them (and at
//! shutdown). A `kill -9` can therefore lose the views of the last
//! [`FLUSH_DELAY`]; every write a client was answered for (shares, revocations,
//! edits) is still durable before its answer.
//!
//! Readers add the pending counts to the stored ones. A flush commits and then
//! forgets what it wrote while holding `flush` for writing, and readers hold it
//! for reading around their read transaction and their look at the pending
//! counts, so no view is counted twice or missed, however the two interleave.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::records::ShareRecord;

/// Longest a view waits in memory before the writer stores it.
pub const FLUSH_DELAY: Duration = Duration::from_millis(100);

/// Views of one share not yet in the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pending {
    pub count: u64,
    pub last: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, Pending>>,
    flush: RwLock<()>,
}

impl ViewCounter {
    /// Count one view. True when nothing was pending before, i.e. the writer
    /// must be told to schedule a flush.
    pub fn record(&self, token: &str, at: DateTime<Utc>) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let was_empty = pending.is_empty();
        match pending.get_mut(token) {
            Some(p) => {
                p.count += 1;
                p.last = p.last.max(at);
            }
            None => {
                pending.insert(token.to_string(), Pending { count: 1, last: at });
            }
        }
        was_empty
    }

    /// Hold this while reading shares from the store and adding
    /// [`Self::add_pending`] to them.
    pub fn read_guard(&self) -> RwLockReadGuard<'_, ()> {
        self.flush.read().unwrap_or_else(|e| e.into_inner())
    }

    /// `share` as it will be once its pending views are stored.
    pub fn add_pending(&self, share: &mut ShareRecord) {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = pending.get(&share.token) {
            share.access_count += p.count;
            share.last_accessed_at = Some(share.last_accessed_at.map_or(p.last, |l| l.max(p.last)));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// Store the pending views with `write` (which commits them durably or
    /// fails), then forget the ones it stored. Views counted meanwhile stay
    /// pending. On failure everything stays pending for the next try.
    pub fn flush<E>(
        &self,
        write: impl FnOnce(&HashMap<String, Pending>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let _exclusive = self.flush.write().unwrap_or_else(|e| e.into_inner());
        let snapshot = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if snapshot.is_empty() {
            return Ok(0);
        }
        write(&snapshot)?;
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (token, written) in &snapshot {
            if let Some(p) = pending.get_mut(token) {
                p.count -= written.count.min(p.count);
                if p.count == 0 {
                    pending.remove(token);
                }
            }
        }
        Ok(snapshot.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn share(token: &str, count: u64) -> ShareRecord {
        ShareRecord {
            v: 1,
            token: token.into(),
            owner: "o".into(),
            resume_id: Uuid::nil(),
            created_at: Utc::now(),
            expires_at: Utc::now(),
            revoked: false,
            access_count: count,
            last_accessed_at: None,
            layout: Default::default(),
        }
    }

    #[test]
    fn pending_views_are_added_until_a_flush_stores_them() {
        let views = ViewCounter::default();
        let now = Utc::now();
        assert!(views.record("a", now));
        assert!(!views.record("a", now));
        assert!(!views.record("b", now));
        let mut a = share("a", 5);
        views.add_pending(&mut a);
        assert_eq!(a.access_count, 7);
        assert_eq!(a.last_accessed_at, Some(now));

        // Views counted while a flush is writing stay pending after it.
        let stored = views
            .flush(|snapshot| {
                assert_eq!(snapshot["a"].count, 2);
                assert_eq!(snapshot["b"].count, 1);
                views.record("a", now);
                Ok::<_, ()>(())
            })
            .unwrap();
        assert_eq!(stored, 2);
        let mut a = share("a", 7);
        views.add_pending(&mut a);
        assert_eq!(a.access_count, 8);
        let mut b = share("b", 1);
        views.add_pending(&mut b);
        assert_eq!(b.access_count, 1);
    }

    #[test]
    fn a_failed_flush_keeps_everything_pending() {
        let views = ViewCounter::default();
        views.record("a", Utc::now());
        assert!(views.flush(|_| Err("disk full")).is_err());
        let mut a = share("a", 0);
        views.add_pending(&mut a);
        assert_eq!(a.access_count, 1);
    }
}
