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
//!
//! Each counted view also counts in its link's history, per UTC day and
//! form (`html`, `json`, `md`, `pdf`, `docx`: [`Pending::days`]), stored
//! beside the share by the same flush and kept for [`HISTORY_DAYS`] days;
//! no address, time of day or anything else about the viewer is kept.
//!
//! Pending counts are keyed by the share's lookup key (the SHA-256 of its
//! token, [`share_key`]), the key the store files the share under: the plain
//! token is never a key, in memory or on disk.
//!
//! **One view per client per link per hour** ([`Viewers`]): a client that
//! reloads a page, or a script that fetches it a thousand times, counts once
//! per clock hour (UTC). Whether a client was seen is a set of keyed hashes,
//! `SHA-256(process key ‖ hour ‖ share key ‖ client)`, truncated to 128
//! bits: the process key is 32 random bytes drawn at start and never stored,
//! so the set cannot be turned back into addresses (there are only 2³² IPv4
//! addresses to try, which is why the hash is keyed), and it is emptied when
//! the hour turns. The client is the address the per-address limits use
//! (the peer, or the last `X-Forwarded-For` entry a trusted proxy added);
//! an IPv6 client is its /64, since one host commonly holds a whole /64 and
//! could otherwise count a view per address. The set holds at most
//! [`MAX_VIEWERS`] entries (16 bytes each, about 8 MiB with the table's
//! overhead); past that, views are not counted until the hour turns, so a
//! flood of addresses can neither grow memory nor inflate a count. A
//! restart forgets the set: a client may count once more in that hour.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::records::ShareRecord;

/// Most distinct (client, link) pairs remembered in one hour.
pub const MAX_VIEWERS: usize = 1 << 18;

/// The key a share is stored and counted under: the SHA-256 of its token,
/// in hex. Share tokens carry 192 random bits, so a plain hash is enough.
pub fn share_key(token: &str) -> String {
    crate::digest::sha256_hex(&[token.as_bytes()])
}

/// Who has viewed which link this hour, as keyed hashes only.
pub struct Viewers {
    key: [u8; 32],
    state: Mutex<Seen>,
    capacity: usize,
}

#[derive(Default)]
struct Seen {
    hour: i64,
    hashes: HashSet<u128>,
    /// Whether the "full" warning was logged this hour.
    warned: bool,
}

impl std::fmt::Debug for Viewers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Viewers")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for Viewers {
    fn default() -> Viewers {
        Viewers::with_capacity(MAX_VIEWERS)
    }
}

impl Viewers {
    pub fn with_capacity(capacity: usize) -> Viewers {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No randomness: the set still dedups, only its hashes can be
            // tried against addresses by someone who reads this process.
            tracing::warn!("no randomness for the share-view key; view hashes are unkeyed");
        }
        Viewers {
            key,
            state: Mutex::new(Seen::default()),
            capacity: capacity.max(1),
        }
    }

    /// True the first time `client` views the link `share_key` in the hour
    /// of `at` (the view counts); false for a repeat, or when the set is full.
    pub fn first_view(&self, share_key: &str, client: IpAddr, at: DateTime<Utc>) -> bool {
        let hour = at.timestamp().div_euclid(3600);
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(hour.to_le_bytes());
        hasher.update(share_key.as_bytes());
        match client {
            IpAddr::V4(v4) => hasher.update(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => hasher.update(v4.octets()),
                None => hasher.update(&v6.octets()[..8]),
            },
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        let hash = u128::from_le_bytes(first);
        let mut seen = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if seen.hour != hour {
            // A new hour (or the clock went back): last hour's set can never
            // match again.
            *seen = Seen {
                hour,
                ..Seen::default()
            };
        }
        if seen.hashes.contains(&hash) {
            return false;
        }
        if seen.hashes.len() >= self.capacity {
            if !seen.warned {
                seen.warned = true;
                tracing::warn!(
                    capacity = self.capacity,
                    "share-view set full: views are not counted until the hour turns"
                );
            }
            return false;
        }
        seen.hashes.insert(hash);
        true
    }
}

/// Longest a view waits in memory before the writer stores it.
pub const FLUSH_DELAY: Duration = Duration::from_millis(100);

/// Days of per-link view history kept; older days are dropped when a
/// later view of the link is stored.
pub const HISTORY_DAYS: i64 = 400;

/// Views of one share not yet in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub count: u64,
    pub last: DateTime<Utc>,
    /// The same views per (UTC day, form).
    pub days: BTreeMap<(chrono::NaiveDate, &'static str), u64>,
}

/// One day of a link's view history: counts per form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayViews {
    pub day: chrono::NaiveDate,
    pub forms: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, Pending>>,
    flush: RwLock<()>,
    viewers: Viewers,
}

impl ViewCounter {
    /// A view of `form` of the share filed under `key` by `client`: counted
    /// unless that client viewed the link this hour ([`Viewers`]). `None`
    /// when it did not count; `Some(true)` when it counted and the writer
    /// must be told to schedule a flush (nothing was pending before).
    pub fn view(
        &self,
        key: &str,
        client: IpAddr,
        at: DateTime<Utc>,
        form: &'static str,
    ) -> Option<bool> {
        self.viewers
            .first_view(key, client, at)
            .then(|| self.record_form(key, at, form))
    }

    /// [`Self::view`], and a view that counted added to `share` (which
    /// holds what was pending when it was opened). True when the view
    /// counted and nothing was pending before: the writer must be told.
    pub fn count_into(
        &self,
        key: &str,
        client: IpAddr,
        at: DateTime<Utc>,
        form: &'static str,
        share: &mut ShareRecord,
    ) -> bool {
        let Some(first_pending) = self.view(key, client, at, form) else {
            return false;
        };
        share.access_count += 1;
        share.last_accessed_at = Some(share.last_accessed_at.map_or(at, |l| l.max(at)));
        first_pending
    }

    /// Count one view of the share filed under `key` (as a page view).
    /// True when nothing was pending before, i.e. the writer must be told
    /// to schedule a flush.
    #[cfg(test)]
    pub fn record(&self, key: &str, at: DateTime<Utc>) -> bool {
        self.record_form(key, at, "html")
    }

    /// [`Self::record`] of a view of `form`.
    pub fn record_form(&self, key: &str, at: DateTime<Utc>, form: &'static str) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let was_empty = pending.is_empty();
        let p = pending.entry(key.to_string()).or_insert_with(|| Pending {
            count: 0,
            last: at,
            days: BTreeMap::new(),
        });
        p.count += 1;
        p.last = p.last.max(at);
        *p.days.entry((at.date_naive(), form)).or_insert(0) += 1;
        was_empty
    }

    /// `days` (a link's stored history, filed under `key`) with its pending
    /// views added.
    pub fn add_pending_days(&self, key: &str, days: &mut Vec<DayViews>) {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let Some(p) = pending.get(key) else {
            return;
        };
        for ((day, form), count) in &p.days {
            let index = match days.binary_search_by_key(day, |d| d.day) {
                Ok(index) => index,
                Err(index) => {
                    days.insert(
                        index,
                        DayViews {
                            day: *day,
                            forms: BTreeMap::new(),
                        },
                    );
                    index
                }
            };
            *days[index].forms.entry(form.to_string()).or_insert(0) += count;
        }
    }

    /// Hold this while reading shares from the store and adding
    /// [`Self::add_pending`] to them.
    pub fn read_guard(&self) -> RwLockReadGuard<'_, ()> {
        self.flush.read().unwrap_or_else(|e| e.into_inner())
    }

    /// `share` (filed under `key`) as it will be once its pending views
    /// are stored.
    pub fn add_pending(&self, key: &str, share: &mut ShareRecord) {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = pending.get(key) {
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
        let snapshot = self.snapshot();
        if snapshot.is_empty() {
            return Ok(0);
        }
        write(&snapshot)?;
        self.forget(&snapshot);
        Ok(snapshot.len())
    }

    /// The views pending now. A backend whose writes are async (PostgreSQL)
    /// flushes with this and [`Self::forget`] instead of [`Self::flush`],
    /// under a lock of its own that its readers share, as `flush` does.
    pub fn snapshot(&self) -> HashMap<String, Pending> {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forget the views of `written` (a [`Self::snapshot`] now stored);
    /// views counted since stay pending.
    pub fn forget(&self, written: &HashMap<String, Pending>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (key, written) in written {
            if let Some(p) = pending.get_mut(key) {
                p.count -= written.count.min(p.count);
                for (day, count) in &written.days {
                    if let Some(left) = p.days.get_mut(day) {
                        *left -= (*count).min(*left);
                        if *left == 0 {
                            p.days.remove(day);
                        }
                    }
                }
                if p.count == 0 {
                    pending.remove(key);
                }
            }
        }
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
            settings: Default::default(),
        }
    }

    #[test]
    fn views_count_per_day_and_form_until_stored() {
        let views = ViewCounter::default();
        let day1 = at(24 * 10, 5);
        let day2 = at(24 * 11, 5);
        views.record_form("a", day1, "pdf");
        views.record_form("a", day1, "html");
        views.record_form("a", day2, "pdf");
        let mut days = Vec::new();
        views.add_pending_days("a", &mut days);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].forms["pdf"], 1);
        assert_eq!(days[0].forms["html"], 1);
        assert_eq!(days[1].forms["pdf"], 1);
        views
            .flush(|snapshot| {
                assert_eq!(snapshot["a"].days.len(), 3);
                views.record_form("a", day2, "pdf");
                Ok::<_, ()>(())
            })
            .unwrap();
        let mut days = Vec::new();
        views.add_pending_days("a", &mut days);
        assert_eq!(days.len(), 1, "only the view counted during the flush");
        assert_eq!(days[0].forms["pdf"], 1);
    }

    #[test]
    fn pending_views_are_added_until_a_flush_stores_them() {
        let views = ViewCounter::default();
        let now = Utc::now();
        assert!(views.record("a", now));
        assert!(!views.record("a", now));
        assert!(!views.record("b", now));
        let mut a = share("a", 5);
        views.add_pending("a", &mut a);
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
        views.add_pending("a", &mut a);
        assert_eq!(a.access_count, 8);
        let mut b = share("b", 1);
        views.add_pending("b", &mut b);
        assert_eq!(b.access_count, 1);
    }

    #[test]
    fn a_failed_flush_keeps_everything_pending() {
        let views = ViewCounter::default();
        views.record("a", Utc::now());
        assert!(views.flush(|_| Err("disk full")).is_err());
        let mut a = share("a", 0);
        views.add_pending("a", &mut a);
        assert_eq!(a.access_count, 1);
    }

    fn at(hour: i64, minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(hour * 3600 + minute * 60, 0).unwrap()
    }

    #[test]
    fn a_client_counts_once_per_link_per_hour() {
        let viewers = Viewers::default();
        let alice: IpAddr = "192.0.2.7".parse().unwrap();
        let bob: IpAddr = "198.51.100.9".parse().unwrap();
        assert!(viewers.first_view("link", alice, at(100, 0)));
        for minute in [0, 1, 30, 59] {
            assert!(!viewers.first_view("link", alice, at(100, minute)));
        }
        assert!(
            viewers.first_view("link", bob, at(100, 5)),
            "another client"
        );
        assert!(
            viewers.first_view("other", alice, at(100, 5)),
            "another link"
        );
        assert!(
            viewers.first_view("link", alice, at(101, 0)),
            "the next hour"
        );
        assert!(!viewers.first_view("link", alice, at(101, 59)));
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let viewers = Viewers::default();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff::99".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(viewers.first_view("link", one, at(5, 0)));
        assert!(!viewers.first_view("link", same_64, at(5, 1)));
        assert!(viewers.first_view("link", other_64, at(5, 2)));
        // An IPv4 client is the same client over an IPv4-mapped socket.
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert!(viewers.first_view("link", v4, at(5, 0)));
        assert!(!viewers.first_view("link", mapped, at(5, 0)));
    }

    #[test]
    fn a_full_set_counts_no_more_until_the_hour_turns() {
        let viewers = Viewers::with_capacity(3);
        let client = |i: u8| IpAddr::from([10, 0, 0, i]);
        for i in 0..3 {
            assert!(viewers.first_view("link", client(i), at(7, 0)));
        }
        assert!(!viewers.first_view("link", client(9), at(7, 1)), "full");
        assert_eq!(viewers.state.lock().unwrap().hashes.len(), 3);
        assert!(viewers.first_view("link", client(9), at(8, 0)), "emptied");
    }

    #[test]
    fn the_set_holds_keyed_hashes_not_addresses() {
        // Two processes (two keys) file the same view under different
        // hashes: the hash alone does not tell the address.
        let (a, b) = (Viewers::default(), Viewers::default());
        let client: IpAddr = "192.0.2.7".parse().unwrap();
        a.first_view("link", client, at(1, 0));
        b.first_view("link", client, at(1, 0));
        let hash_a = *a.state.lock().unwrap().hashes.iter().next().unwrap();
        let hash_b = *b.state.lock().unwrap().hashes.iter().next().unwrap();
        assert_ne!(hash_a, hash_b);
        assert!(format!("{a:?}").contains("capacity"));
    }
}
