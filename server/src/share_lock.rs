//! Password-protected share links: the password's hash, the cookie a
//! browser gets for the right password, and the limits on guessing.
//!
//! A link made with `"password"` stores only the password's argon2id hash
//! ([`hash_password`], parameters [`ARGON2_M_KIB`], [`ARGON2_T`],
//! [`ARGON2_P`]: OWASP's minimum for argon2id, about 20–40 ms per check on
//! one core of a small server). `/s/{token}` then answers 401 until the
//! request proves the password ([`crate::http::shares`]): scripts send it
//! with every request as HTTP Basic with an empty user name; a browser
//! posts the password form once and gets a cookie ([`ShareLocks::cookie`])
//! that opens that one link (its path) until the link expires. The cookie
//! holds no secret: it is the link's expiry and an HMAC-SHA256 over the
//! link's lookup key, that expiry and the password's hash, under a key
//! derived from the data dir's share key
//! ([`crate::store::sealing::TokenSeal::derive`]), so it cannot be made
//! without that key, does not open any other link, and dies with the link.
//!
//! Wrong passwords are limited twice, as failed API tokens are
//! ([`crate::limits::RateLimiter`]): per client address
//! ([`TRIES_PER_MINUTE_PER_CLIENT`]) and per link
//! ([`TRIES_PER_MINUTE_PER_LINK`], so many addresses together still guess
//! slowly). A limited client is refused before its password is even
//! hashed. A password sent to a link that does not exist, or no longer
//! works, is hashed against a stand-in hash and limited alike, and answers
//! the same 401, so the answer to a password never tells which it was.

use std::net::IpAddr;
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::limits::{RateLimiter, Refusal};

/// Memory per hash, KiB (19 MiB).
pub const ARGON2_M_KIB: u32 = 19 * 1024;
/// Passes over that memory.
pub const ARGON2_T: u32 = 2;
/// Lanes.
pub const ARGON2_P: u32 = 1;

/// The longest password accepted, in characters: a passphrase fits, and
/// the hash of a megabyte is not a job anyone can ask for.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The most bytes of a password ever hashed (256 characters of 4 bytes).
pub const MAX_PASSWORD_BYTES: usize = 4 * MAX_PASSWORD_CHARS;

/// Wrong passwords one client address may send per minute (also its burst).
pub const TRIES_PER_MINUTE_PER_CLIENT: u32 = 10;
/// Wrong passwords one link takes per minute from everyone together (also
/// its burst).
pub const TRIES_PER_MINUTE_PER_LINK: u32 = 30;

/// The cookie's name; its `Path` is the link's own, so one name serves all.
pub const COOKIE_NAME: &str = "vitae_share";

/// The purpose the cookie key is derived for.
pub const COOKIE_KEY_PURPOSE: &str = "vitae share-link cookie v1";

fn argon2() -> Argon2<'static> {
    // These are the crate's defaults too, so the fallback changes nothing.
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// HMAC-SHA256 under a 32-byte `key`. The key is given zero-padded to the
/// hash's 64-byte block, which is what HMAC does with a short key anyway,
/// so the constructor cannot fail.
pub fn hmac_sha256(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <Hmac<Sha256> as hmac::digest::KeyInit>::new(
        hmac::digest::generic_array::GenericArray::from_slice(&block),
    )
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of
/// `password` with a fresh random salt. CPU-heavy: call it off the async
/// workers.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` was made from. The parameters come
/// from the hash itself, so hashes made with other parameters still check.
/// CPU-heavy: call it off the async workers.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches in practice, checked for links that do not
/// exist so that they cost what a real check costs.
static STAND_IN: LazyLock<String> = LazyLock::new(|| {
    hash_password("vitae stand-in: no link has this password").unwrap_or_default()
});

/// [`verify_password`] against the stand-in hash: the same work, always
/// false.
pub fn verify_stand_in(password: &str) -> bool {
    std::hint::black_box(verify_password(&STAND_IN, password));
    false
}

/// The cookie key and the guessing limits of one server.
pub struct ShareLocks {
    cookie_key: [u8; 32],
    per_client: RateLimiter<IpAddr>,
    /// Keyed by the first 64 bits of the link's lookup key.
    per_link: RateLimiter<u64>,
}

impl std::fmt::Debug for ShareLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShareLocks(<key>)")
    }
}

fn link_bucket(share_key: &str) -> u64 {
    share_key
        .get(..16)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or(0)
}

impl ShareLocks {
    pub fn new(cookie_key: [u8; 32]) -> ShareLocks {
        let per_minute = |n: u32| (f64::from(n) / 60.0, n);
        let (client_rate, client_burst) = per_minute(TRIES_PER_MINUTE_PER_CLIENT);
        let (link_rate, link_burst) = per_minute(TRIES_PER_MINUTE_PER_LINK);
        // Made now, not on the first unknown link's request.
        LazyLock::force(&STAND_IN);
        ShareLocks {
            cookie_key,
            per_client: RateLimiter::new(client_rate, client_burst),
            per_link: RateLimiter::new(link_rate, link_burst),
        }
    }

    /// May `client` try a password on the link filed under `share_key`
    /// now? Asked before the password is hashed.
    pub fn may_try(&self, share_key: &str, client: IpAddr) -> Result<(), Refusal> {
        self.per_client.would_admit(client)?;
        self.per_link.would_admit(link_bucket(share_key))
    }

    /// A wrong password from `client` for the link filed under `share_key`.
    pub fn failed(&self, share_key: &str, client: IpAddr) {
        let _ = self.per_client.check(client);
        let _ = self.per_link.check(link_bucket(share_key));
    }

    fn mac(&self, share_key: &str, expires: i64, password_hash: &str) -> Hmac<Sha256> {
        let mut mac = hmac_sha256(&self.cookie_key);
        mac.update(share_key.as_bytes());
        mac.update(b"\0");
        mac.update(expires.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(password_hash.as_bytes());
        mac
    }

    /// The cookie value that opens the link filed under `share_key` (whose
    /// password has `password_hash`) until `expires`: `EXPIRES.MAC`.
    pub fn cookie(&self, share_key: &str, expires: DateTime<Utc>, password_hash: &str) -> String {
        let expires = expires.timestamp();
        let tag = self
            .mac(share_key, expires, password_hash)
            .finalize()
            .into_bytes();
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag);
        format!("{expires}.{tag}")
    }

    /// Whether `value` is a cookie [`Self::cookie`] made for this link and
    /// password, not yet expired at `now`. The tag is compared in constant
    /// time.
    pub fn cookie_opens(
        &self,
        value: &str,
        share_key: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> bool {
        let Some((expires, tag)) = value.split_once('.') else {
            return false;
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return false;
        };
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        expires > now.timestamp()
            && self
                .mac(share_key, expires, password_hash)
                .verify_slice(&tag)
                .is_ok()
    }
}

/// The password of an `Authorization: Basic` header (any user name; the
/// documented one is empty: `curl -u :PASSWORD`). `None` when there is no
/// Basic header (another scheme, such as an API client's `Bearer`, is no
/// password); `Some(Err)` when there is one that cannot be read.
pub fn basic_password(headers: &hyper::HeaderMap) -> Option<Result<String, ()>> {
    let text =
        String::from_utf8_lossy(headers.get(hyper::header::AUTHORIZATION)?.as_bytes()).into_owned();
    let text = text.trim();
    let scheme = text.split(' ').next().unwrap_or("");
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let read = || -> Option<String> {
        let encoded = text.get(scheme.len()..)?.trim();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (_, password) = decoded.split_once(':')?;
        Some(password.to_string())
    };
    Some(read().ok_or(()))
}

/// The value of our cookie in the request's `Cookie` headers, if any.
pub fn cookie_value(headers: &hyper::HeaderMap) -> Option<String> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_checks_its_password_only_and_holds_the_parameters() {
        let hash = hash_password("correct horse").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horse "));
        assert!(!verify_password(&hash, ""));
        assert!(!verify_password("not a hash", "correct horse"));
        assert!(!verify_stand_in("anything"));
        assert_ne!(hash, hash_password("correct horse").unwrap(), "salted");
    }

    /// Prints the cost of one check (run with `--nocapture`); asserts
    /// nothing about time (no timed assertions in tests).
    #[test]
    fn password_check_cost() {
        let hash = hash_password("correct horse battery staple").unwrap();
        let mut ms: Vec<f64> = (0..20)
            .map(|_| {
                let started = std::time::Instant::now();
                assert!(verify_password(&hash, "correct horse battery staple"));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "argon2id m={ARGON2_M_KIB} KiB t={ARGON2_T} p={ARGON2_P}: verify p50 {:.1} ms, max {:.1} ms over {} checks",
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            ms.len()
        );
    }

    #[test]
    fn the_padded_key_is_plain_hmac() {
        let key = [9u8; 32];
        let mut ours = hmac_sha256(&key);
        let mut plain = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        ours.update(b"message");
        plain.update(b"message");
        assert_eq!(ours.finalize().into_bytes(), plain.finalize().into_bytes());
    }

    #[test]
    fn cookies_open_their_link_until_it_expires_and_nothing_else() {
        let locks = ShareLocks::new([3; 32]);
        let now = Utc::now();
        let later = now + chrono::Duration::days(1);
        let cookie = locks.cookie("link-a", later, "$hash-a");
        assert!(locks.cookie_opens(&cookie, "link-a", "$hash-a", now));
        assert!(!locks.cookie_opens(&cookie, "link-b", "$hash-a", now));
        assert!(!locks.cookie_opens(&cookie, "link-a", "$hash-b", now));
        assert!(!locks.cookie_opens(&cookie, "link-a", "$hash-a", later));
        let other_key = ShareLocks::new([4; 32]);
        assert!(!other_key.cookie_opens(&cookie, "link-a", "$hash-a", now));
        // A later expiry with the old tag does not verify.
        let (_, tag) = cookie.split_once('.').unwrap();
        let stretched = format!("{}.{tag}", later.timestamp() + 86_400);
        assert!(!locks.cookie_opens(&stretched, "link-a", "$hash-a", now));
        for junk in ["", ".", "x.y", "1.", "99999999999.!!"] {
            assert!(
                !locks.cookie_opens(junk, "link-a", "$hash-a", now),
                "{junk}"
            );
        }
    }

    #[test]
    fn wrong_passwords_are_limited_per_client_and_per_link() {
        let locks = ShareLocks::new([3; 32]);
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..TRIES_PER_MINUTE_PER_CLIENT {
            assert!(locks.may_try("aaaaaaaaaaaaaaaa", client).is_ok());
            locks.failed("aaaaaaaaaaaaaaaa", client);
        }
        assert!(locks.may_try("aaaaaaaaaaaaaaaa", client).is_err());
        assert!(
            locks.may_try("bbbbbbbbbbbbbbbb", client).is_err(),
            "per client"
        );
        // Many clients on one link run out the link's own budget.
        for i in 0..TRIES_PER_MINUTE_PER_LINK {
            let other = IpAddr::from([198, 51, 100, i as u8]);
            locks.failed("cccccccccccccccc", other);
        }
        let fresh: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(
            locks.may_try("cccccccccccccccc", fresh).is_err(),
            "per link"
        );
        assert!(locks.may_try("dddddddddddddddd", fresh).is_ok());
    }

    #[test]
    fn basic_and_cookie_headers_are_read() {
        let mut headers = hyper::HeaderMap::new();
        assert!(basic_password(&headers).is_none());
        // `curl -u :s3cret` sends base64(":s3cret").
        let encoded = base64::engine::general_purpose::STANDARD.encode(":s3cret:x");
        headers.insert(
            hyper::header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(basic_password(&headers), Some(Ok("s3cret:x".into())));
        headers.insert(hyper::header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_password(&headers), Some(Err(())));
        headers.insert(hyper::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(
            basic_password(&headers),
            None,
            "an API token is no password"
        );
        headers.insert(
            hyper::header::COOKIE,
            "a=b; vitae_share=123.abc; c=d".parse().unwrap(),
        );
        assert_eq!(cookie_value(&headers).as_deref(), Some("123.abc"));
    }
}
