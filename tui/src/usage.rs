//! An account's usage against its quotas (`GET /v1/account`), in words:
//! the one formatting of it, shared by `vitae account` and the Library
//! screen's footer.

use vitae_common::AccountResource;

/// One quota: what it counts, how much is used, the limit (`None`: none),
/// each already in words.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub what: &'static str,
    pub used: String,
    pub limit: String,
    /// Share of the limit used, 0–100 (`None` without a limit).
    pub percent: Option<u64>,
}

/// `10 GiB`, `1.5 MiB`, `812 KiB`, `90 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() < 0.05 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn percent(used: u64, limit: Option<u64>) -> Option<u64> {
    limit
        .filter(|l| *l > 0)
        .map(|l| ((used as f64 / l as f64) * 100.0).floor().min(999.0) as u64)
}

/// Every quota of the account, in the order people ask about them.
pub fn rows(account: &AccountResource) -> Vec<UsageRow> {
    let (u, q) = (&account.usage, &account.quotas);
    let count = |what, used: u64, limit: Option<u64>| UsageRow {
        what,
        used: used.to_string(),
        limit: limit.map_or("no limit".into(), |l| l.to_string()),
        percent: percent(used, limit),
    };
    vec![
        UsageRow {
            what: "storage",
            used: bytes(u.bytes),
            limit: q.bytes.map_or("no limit".into(), bytes),
            percent: percent(u.bytes, q.bytes),
        },
        count("resumes", u.resumes, q.resumes),
        UsageRow {
            what: "revisions",
            used: u.revisions.to_string(),
            limit: q
                .revisions_per_resume
                .map_or("no limit".into(), |l| format!("{l} per resume")),
            percent: None,
        },
        count("jobs", u.jobs, q.jobs),
        count("shares", u.shares, q.shares),
        count("export jobs", u.exports, q.exports),
    ]
}

/// The fullest quota, for a one-line summary (`None` when nothing has a
/// limit).
pub fn fullest(account: &AccountResource) -> Option<UsageRow> {
    rows(account)
        .into_iter()
        .filter(|r| r.percent.is_some())
        .max_by_key(|r| r.percent)
}

/// `storage 1.2 MiB of 10 GiB · 3 of 10000 resumes`, with the fullest
/// other quota added when it is over 80 %.
pub fn summary(account: &AccountResource) -> String {
    let all = rows(account);
    let mut parts = vec![
        format!("{} of {} stored", all[0].used, all[0].limit),
        format!("{} of {} resumes", all[1].used, all[1].limit),
    ];
    if let Some(full) = fullest(account)
        .filter(|r| r.percent.unwrap_or(0) >= 80 && !matches!(r.what, "storage" | "resumes"))
    {
        parts.push(format!("{} of {} {}", full.used, full.limit, full.what));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitae_common::{AccountQuotas, AccountUsage};

    #[test]
    fn bytes_read_like_people_write_them() {
        assert_eq!(bytes(90), "90 B");
        assert_eq!(bytes(2048), "2 KiB");
        assert_eq!(bytes(1_572_864), "1.5 MiB");
        assert_eq!(bytes(10 * 1024 * 1024 * 1024), "10 GiB");
    }

    #[test]
    fn the_summary_names_storage_resumes_and_what_is_nearly_full() {
        let account = AccountResource {
            user: "zoe".into(),
            admin: false,
            usage: AccountUsage {
                bytes: 1_572_864,
                resumes: 3,
                shares: 190,
                ..Default::default()
            },
            quotas: AccountQuotas {
                bytes: Some(10 * 1024 * 1024 * 1024),
                resumes: Some(100),
                shares: Some(200),
                ..Default::default()
            },
        };
        assert_eq!(
            summary(&account),
            "1.5 MiB of 10 GiB stored · 3 of 100 resumes · 190 of 200 shares"
        );
        assert_eq!(fullest(&account).unwrap().what, "shares");
        assert_eq!(rows(&account)[3].limit, "no limit");
    }
}
