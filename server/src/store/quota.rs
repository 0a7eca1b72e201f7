//! Per-owner quotas: what one account may keep in the store, and what it
//! uses now.
//!
//! Every backend keeps a [`Usage`] per owner, updated in the same
//! transaction as the write that changes it, and checks the [`Quotas`]
//! there, before writing: a write over quota answers
//! [`StoreError::Quota`] and writes nothing, and two concurrent requests
//! cannot both take the last place (the check and the write are one
//! transaction). Usage is never found by scanning on a request; a store
//! written before the counters existed gets them computed once, when it is
//! opened (the redb backend's `migrate`).
//!
//! What counts: `bytes` are the originals as uploaded, the extracted texts,
//! the current documents and every kept revision, as stored (JSON);
//! `resumes`, `jobs`, `shares` (revoked ones too, until their resume is
//! deleted), `exports` (export jobs kept) and `revisions` (earlier
//! revisions kept, all resumes together; the limit is per resume) are
//! counts. Export files in the shared export cache are not an owner's: that
//! cache has its own byte budget.

use serde::{Deserialize, Serialize};

use super::StoreError;

/// What one owner may keep; `0` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotas {
    pub bytes: u64,
    pub resumes: u64,
    pub revisions_per_resume: u64,
    pub jobs: u64,
    pub shares: u64,
    pub exports: u64,
}

impl Default for Quotas {
    /// The single-user defaults: far above what one person's resumes need,
    /// so they only stop a runaway script.
    fn default() -> Self {
        Quotas {
            bytes: 10 * 1024 * 1024 * 1024,
            resumes: 10_000,
            revisions_per_resume: 10_000,
            jobs: 10_000,
            shares: 10_000,
            exports: super::MAX_EXPORTS_PER_OWNER as u64,
        }
    }
}

/// What one owner keeps now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub resumes: u64,
    #[serde(default)]
    pub revisions: u64,
    #[serde(default)]
    pub jobs: u64,
    #[serde(default)]
    pub shares: u64,
    #[serde(default)]
    pub exports: u64,
}

/// A change to an owner's usage, applied by one write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delta {
    pub bytes: i64,
    pub resumes: i64,
    pub revisions: i64,
    pub jobs: i64,
    pub shares: i64,
    pub exports: i64,
}

/// Which quota a write would exceed, with the figures for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// What is counted, in words ("resumes", "bytes stored").
    pub what: &'static str,
    pub limit: u64,
    /// The use before this write.
    pub used: u64,
    /// What this write would add.
    pub adding: u64,
    /// The setting that raises it (its config-file key).
    pub setting: &'static str,
}

impl QuotaExceeded {
    /// Bytes over quota is storage (507); a count is a rate of requests (429).
    pub fn is_bytes(&self) -> bool {
        self.setting == "quota_bytes_mib"
    }
}

impl std::fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_bytes() {
            write!(
                f,
                "over your storage quota: you store {} of {} and this would add {}; delete resumes \
                 or ask the administrator to raise the limit (setting {})",
                crate::pipeline::human_bytes(self.used),
                crate::pipeline::human_bytes(self.limit),
                crate::pipeline::human_bytes(self.adding),
                self.setting
            )
        } else {
            write!(
                f,
                "over your quota of {} {}: you have {}; delete some or ask the administrator to \
                 raise the limit (setting {})",
                self.limit, self.what, self.used, self.setting
            )
        }
    }
}

fn apply(value: u64, delta: i64) -> u64 {
    if delta >= 0 {
        value.saturating_add(delta as u64)
    } else {
        value.saturating_sub(delta.unsigned_abs())
    }
}

impl Usage {
    /// `self` after `delta`.
    pub fn plus(self, delta: Delta) -> Usage {
        Usage {
            bytes: apply(self.bytes, delta.bytes),
            resumes: apply(self.resumes, delta.resumes),
            revisions: apply(self.revisions, delta.revisions),
            jobs: apply(self.jobs, delta.jobs),
            shares: apply(self.shares, delta.shares),
            exports: apply(self.exports, delta.exports),
        }
    }

    /// The first quota `delta` would take this usage over. Only what grows
    /// is checked: a write that frees room (or keeps an owner already over
    /// a lowered quota where it is) always passes.
    pub fn check(&self, delta: Delta, quotas: &Quotas) -> Result<(), StoreError> {
        let checks: [(&'static str, u64, u64, i64, &'static str); 5] = [
            (
                "bytes stored",
                quotas.bytes,
                self.bytes,
                delta.bytes,
                "quota_bytes_mib",
            ),
            (
                "resumes",
                quotas.resumes,
                self.resumes,
                delta.resumes,
                "quota_resumes",
            ),
            ("jobs", quotas.jobs, self.jobs, delta.jobs, "quota_jobs"),
            (
                "shares",
                quotas.shares,
                self.shares,
                delta.shares,
                "quota_shares",
            ),
            (
                "export jobs",
                quotas.exports,
                self.exports,
                delta.exports,
                "quota_exports",
            ),
        ];
        for (what, limit, used, delta, setting) in checks {
            if limit > 0 && delta > 0 && used.saturating_add(delta as u64) > limit {
                return Err(StoreError::Quota(QuotaExceeded {
                    what,
                    limit,
                    used,
                    adding: delta as u64,
                    setting,
                }));
            }
        }
        Ok(())
    }
}

/// [`StoreError::Quota`] when a resume already keeps `kept` earlier
/// revisions and may keep no more.
pub fn check_revisions(kept: u64, quotas: &Quotas) -> Result<(), StoreError> {
    let limit = quotas.revisions_per_resume;
    if limit > 0 && kept >= limit {
        return Err(StoreError::Quota(QuotaExceeded {
            what: "revisions of this resume",
            limit,
            used: kept,
            adding: 1,
            setting: "quota_revisions_per_resume",
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_growth_past_a_set_quota_is_refused_and_the_message_names_the_setting() {
        let quotas = Quotas {
            bytes: 1000,
            resumes: 2,
            ..Quotas::default()
        };
        let usage = Usage {
            bytes: 900,
            resumes: 2,
            ..Usage::default()
        };
        let more = Delta {
            resumes: 1,
            ..Delta::default()
        };
        let Err(StoreError::Quota(over)) = usage.check(more, &quotas) else {
            panic!("a third resume is over a quota of 2");
        };
        assert!(!over.is_bytes());
        let message = over.to_string();
        assert!(message.contains("quota of 2 resumes") && message.contains("you have 2"));
        assert!(message.contains("quota_resumes"), "{message}");
        let fewer = Delta {
            resumes: -1,
            bytes: -500,
            ..Delta::default()
        };
        assert!(usage.check(fewer, &quotas).is_ok());
        let big = Delta {
            bytes: 200,
            ..Delta::default()
        };
        let Err(StoreError::Quota(over)) = usage.check(big, &quotas) else {
            panic!("900 + 200 bytes is over 1000");
        };
        assert!(over.is_bytes() && over.to_string().contains("quota_bytes_mib"));
        // No limit at 0.
        let open = Quotas {
            resumes: 0,
            ..quotas
        };
        assert!(usage.check(more, &open).is_ok());
        assert_eq!(usage.plus(fewer).resumes, 1);
        assert_eq!(usage.plus(fewer).bytes, 400);
        assert!(check_revisions(
            9,
            &Quotas {
                revisions_per_resume: 10,
                ..open
            }
        )
        .is_ok());
        assert!(check_revisions(
            10,
            &Quotas {
                revisions_per_resume: 10,
                ..open
            }
        )
        .is_err());
    }
}
