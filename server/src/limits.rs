//! Admission control: how much one server, one owner and one client address
//! may hold or ask for at a time.
//!
//! - [`Gate`] counts held things (open connections, open event streams)
//!   against a total cap and, for streams, a cap per owner. A [`Permit`] is
//!   the right to hold one; dropping it (the connection closing, the stream's
//!   body being dropped) gives it back, so nothing can leak a slot.
//! - [`RateLimiter`] is a token bucket per client address, for the public
//!   share links and for failed authentication.
//!
//! Refusals carry the seconds a client should wait (`Retry-After`). A full
//! server is `503` (nobody is at fault); one owner or one address over its
//! own share is `429` (that client should slow down). The HTTP layer turns
//! [`Refusal`] into the JSON error; see docs/operations.md ("Limits").

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why something was not admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The server-wide cap is reached (`503`).
    ServerFull { what: &'static str, cap: usize },
    /// This owner's cap is reached (`429`).
    OwnerFull { what: &'static str, cap: usize },
    /// This address is over its rate (`429`), and may try again after this.
    RateLimited { retry_after: Duration },
}

impl Refusal {
    /// Whole seconds for `Retry-After`, at least one.
    pub fn retry_after_secs(&self) -> u64 {
        match self {
            Refusal::ServerFull { .. } | Refusal::OwnerFull { .. } => 1,
            Refusal::RateLimited { retry_after } => {
                retry_after.as_secs_f64().ceil().max(1.0) as u64
            }
        }
    }
}

/// The gates and limiters of one server, built from its settings.
pub struct Admission {
    /// Open connections (total only: the owner is not known at accept).
    pub connections: Arc<Gate>,
    /// Open event streams, in total and per owner.
    pub streams: Arc<Gate>,
    /// Views of `/s/{token}` per client address.
    pub share_views: RateLimiter,
    /// Failed authentications per client address.
    pub failed_auth: RateLimiter,
}

impl Admission {
    pub fn new(limits: &crate::config::Limits) -> Admission {
        Admission {
            connections: Gate::new("connections", limits.max_connections, usize::MAX),
            streams: Gate::new(
                "event streams",
                limits.max_streams,
                limits.max_streams_per_owner,
            ),
            share_views: RateLimiter::new(
                f64::from(limits.share_rate),
                limits.share_rate.saturating_mul(5),
            ),
            failed_auth: RateLimiter::new(
                f64::from(limits.auth_failures_per_min) / 60.0,
                limits.auth_failures_per_min,
            ),
        }
    }
}

/// Counts held things against a total cap and a cap per owner.
pub struct Gate {
    what: &'static str,
    total_cap: usize,
    owner_cap: usize,
    total: AtomicUsize,
    per_owner: Mutex<HashMap<String, usize>>,
}

/// The right to hold one thing a [`Gate`] counts; released on drop.
pub struct Permit {
    gate: Arc<Gate>,
    owner: Option<String>,
}

impl Gate {
    /// A gate admitting at most `total_cap` at once, and at most `owner_cap`
    /// for any one owner (when admitted with one).
    pub fn new(what: &'static str, total_cap: usize, owner_cap: usize) -> Arc<Gate> {
        Arc::new(Gate {
            what,
            total_cap,
            owner_cap,
            total: AtomicUsize::new(0),
            per_owner: Mutex::new(HashMap::new()),
        })
    }

    /// How many are held now (`GET /metrics`).
    pub fn held(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    /// Admit one more, counted against the total only.
    pub fn admit(self: &Arc<Gate>) -> Result<Permit, Refusal> {
        self.take_total()?;
        Ok(Permit {
            gate: self.clone(),
            owner: None,
        })
    }

    /// Admit one more for `owner`, counted against the total and the owner's cap.
    pub fn admit_for(self: &Arc<Gate>, owner: &str) -> Result<Permit, Refusal> {
        {
            let mut per_owner = self.per_owner.lock().unwrap_or_else(|p| p.into_inner());
            let held = per_owner.get(owner).copied().unwrap_or(0);
            if held >= self.owner_cap {
                return Err(Refusal::OwnerFull {
                    what: self.what,
                    cap: self.owner_cap,
                });
            }
            self.take_total()?;
            *per_owner.entry(owner.to_string()).or_insert(0) += 1;
        }
        Ok(Permit {
            gate: self.clone(),
            owner: Some(owner.to_string()),
        })
    }

    fn take_total(&self) -> Result<(), Refusal> {
        self.total
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                (held < self.total_cap).then_some(held + 1)
            })
            .map(|_| ())
            .map_err(|_| Refusal::ServerFull {
                what: self.what,
                cap: self.total_cap,
            })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(owner) = &self.owner {
            let mut per_owner = self
                .gate
                .per_owner
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(held) = per_owner.get_mut(owner) {
                *held -= 1;
                if *held == 0 {
                    per_owner.remove(owner);
                }
            }
        }
        self.gate.total.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A token bucket per client address (or per other key `K`, such as a
/// share link): `burst` requests at once, refilled at `per_second`. A rate
/// of zero turns the limiter off.
pub struct RateLimiter<K = IpAddr> {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
    /// How many buckets exist, so [`RateLimiter::would_admit`] (asked on
    /// every authenticated request) takes no lock while nobody has failed.
    tracked: AtomicUsize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets kept before idle (full) ones are forgotten; bounds the memory a
/// crowd of addresses can make the limiter hold.
const PRUNE_AT: usize = 16_384;

/// Most buckets kept even when none is idle: past it the fullest bucket
/// (the key that asked least lately) is forgotten for the new one.
const MAX_BUCKETS: usize = 4 * PRUNE_AT;

impl<K: std::hash::Hash + Eq + Copy> RateLimiter<K> {
    pub fn new(per_second: f64, burst: u32) -> RateLimiter<K> {
        RateLimiter {
            per_second,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
            tracked: AtomicUsize::new(0),
        }
    }

    pub fn is_off(&self) -> bool {
        self.per_second <= 0.0
    }

    /// Take one token for `addr`, or say how long until one is there.
    pub fn check(&self, addr: K) -> Result<(), Refusal> {
        self.check_at(addr, Instant::now())
    }

    /// Is a token there for `addr`, without taking it?
    pub fn would_admit(&self, addr: K) -> Result<(), Refusal> {
        if self.is_off() || self.tracked.load(Ordering::Relaxed) == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        match buckets.get(&addr) {
            Some(bucket) => {
                let tokens = self.refilled(*bucket, now);
                if tokens >= 1.0 {
                    Ok(())
                } else {
                    Err(self.wait_for(tokens))
                }
            }
            None => Ok(()),
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.burst)
    }

    fn wait_for(&self, tokens: f64) -> Refusal {
        Refusal::RateLimited {
            retry_after: Duration::from_secs_f64((1.0 - tokens) / self.per_second),
        }
    }

    fn check_at(&self, addr: K, now: Instant) -> Result<(), Refusal> {
        if self.is_off() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= PRUNE_AT && !buckets.contains_key(&addr) {
            buckets.retain(|_, bucket| self.refilled(*bucket, now) < self.burst);
            if buckets.len() >= MAX_BUCKETS {
                let fullest = buckets
                    .iter()
                    .max_by(|a, b| {
                        self.refilled(*a.1, now)
                            .total_cmp(&self.refilled(*b.1, now))
                    })
                    .map(|(key, _)| *key);
                if let Some(key) = fullest {
                    buckets.remove(&key);
                }
            }
        }
        // Stored under the lock, before a new address's bucket goes in.
        let after = buckets.len() + usize::from(!buckets.contains_key(&addr));
        self.tracked.store(after, Ordering::Relaxed);
        let bucket = buckets.entry(addr).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let tokens = self.refilled(*bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                updated: now,
            };
            Ok(())
        } else {
            Err(self.wait_for(tokens))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_caps_the_total_and_gives_back_on_drop() {
        let gate = Gate::new("connections", 2, usize::MAX);
        let a = gate.admit().unwrap();
        let _b = gate.admit().unwrap();
        assert_eq!(
            gate.admit().err(),
            Some(Refusal::ServerFull {
                what: "connections",
                cap: 2
            })
        );
        drop(a);
        assert_eq!(gate.held(), 1);
        let _c = gate.admit().unwrap();
        assert_eq!(gate.held(), 2);
    }

    #[test]
    fn gate_caps_each_owner_separately() {
        let gate = Gate::new("event streams", 3, 2);
        let a1 = gate.admit_for("ann").unwrap();
        let _a2 = gate.admit_for("ann").unwrap();
        assert!(matches!(
            gate.admit_for("ann"),
            Err(Refusal::OwnerFull { cap: 2, .. })
        ));
        let _b1 = gate.admit_for("bob").unwrap();
        // The total (3) is reached before bob's own cap.
        assert!(matches!(
            gate.admit_for("bob"),
            Err(Refusal::ServerFull { cap: 3, .. })
        ));
        drop(a1);
        let _b2 = gate.admit_for("bob").unwrap();
        assert!(matches!(
            gate.admit_for("ann"),
            Err(Refusal::ServerFull { .. })
        ));
        // A refused owner-cap check takes nothing from the total.
        assert_eq!(gate.held(), 3);
    }

    #[test]
    fn permits_released_from_many_threads_leave_nothing_held() {
        let gate = Gate::new("event streams", 1000, 1000);
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    for _ in 0..500 {
                        let owner = format!("owner{}", i % 3);
                        if let Ok(permit) = gate.admit_for(&owner) {
                            drop(permit);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(gate.held(), 0);
        assert!(gate.per_owner.lock().unwrap().is_empty());
    }

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let limiter = RateLimiter::new(2.0, 3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.check_at(ip, t0).unwrap();
        }
        let Err(Refusal::RateLimited { retry_after }) = limiter.check_at(ip, t0) else {
            panic!("the fourth request at once must be refused");
        };
        assert!(
            retry_after > Duration::from_millis(400) && retry_after <= Duration::from_millis(500)
        );
        // Half a second later one token is back, and only one.
        let t1 = t0 + Duration::from_millis(500);
        limiter.check_at(ip, t1).unwrap();
        assert!(limiter.check_at(ip, t1).is_err());
        // Another address has its own bucket.
        limiter.check_at("192.0.2.2".parse().unwrap(), t1).unwrap();
    }

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        let r = Refusal::RateLimited {
            retry_after: Duration::from_millis(1),
        };
        assert_eq!(r.retry_after_secs(), 1);
        let r = Refusal::RateLimited {
            retry_after: Duration::from_millis(2500),
        };
        assert_eq!(r.retry_after_secs(), 3);
    }

    #[test]
    fn zero_rate_is_off() {
        let limiter = RateLimiter::new(0.0, 1);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..1000 {
            limiter.check(ip).unwrap();
        }
    }

    #[test]
    fn many_addresses_are_pruned_when_idle() {
        let limiter = RateLimiter::new(1000.0, 1);
        let t0 = Instant::now();
        for i in 0..PRUNE_AT as u32 {
            limiter.check_at(IpAddr::from(i.to_be_bytes()), t0).unwrap();
        }
        // A second later every bucket is full again, so a newcomer prunes them.
        limiter
            .check_at("198.51.100.1".parse().unwrap(), t0 + Duration::from_secs(1))
            .unwrap();
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
        assert_eq!(limiter.tracked.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn would_admit_asks_nothing_of_addresses_never_seen() {
        let limiter = RateLimiter::new(1.0, 1);
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        assert_eq!(limiter.tracked.load(Ordering::Relaxed), 0);
        limiter.would_admit(ip).unwrap();
        limiter.check(ip).unwrap();
        assert_eq!(limiter.tracked.load(Ordering::Relaxed), 1);
        assert!(limiter.would_admit(ip).is_err(), "the one token is spent");
        limiter.would_admit("192.0.2.10".parse().unwrap()).unwrap();
    }
}
