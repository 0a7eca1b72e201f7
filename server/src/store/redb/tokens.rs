//! API tokens: creating them, authenticating requests, and the random
//! tokens behind API tokens and share links.
//!
//! [`token_hash`] and [`random_token`] are the one definition of how tokens
//! are made and hashed; the PostgreSQL backend uses them too.
//!
//! Only a token's SHA-256 is stored (`tokens`), so a stolen data file holds
//! no usable credentials. Every request authenticates, so principals are
//! answered from a read cache while no write has been committed since.

use super::tables::TOKENS;
use super::RedbStore;
use crate::store::records::{Principal, TOKEN_SCHEMA};
use crate::store::{now, Store, StoreError};

/// Create an API token for `user`; answers the plain token, once.
pub(super) async fn create(
    store: &RedbStore,
    user: &str,
    admin: bool,
) -> Result<(String, Principal), StoreError> {
    let token = format!("vt_{}", random_token(32)?);
    let principal = Principal {
        v: TOKEN_SCHEMA,
        user: user.to_string(),
        admin,
        created_at: now(),
    };
    let hash = token_hash(&token);
    let stored = principal.clone();
    store
        .write(move |txn| {
            txn.open_table(TOKENS)?
                .insert(hash.as_str(), serde_json::to_vec(&stored)?.as_slice())?;
            Ok(())
        })
        .await?;
    Ok((token, principal))
}

/// Who a plain token belongs to, if anyone.
pub(super) fn authenticate(
    store: &RedbStore,
    token: &str,
) -> Result<Option<Principal>, StoreError> {
    let hash = token_hash(token);
    let generation = store.generation();
    if let Some(principal) = store.principals.get(&hash, generation) {
        return Ok(Some(principal));
    }
    let principal: Option<Principal> = store.lookup(|txn| {
        let table = txn.open_table(TOKENS)?;
        match table.get(hash.as_str())? {
            Some(value) => Ok(Some(serde_json::from_slice(value.value())?)),
            None => Ok(None),
        }
    })?;
    // Unknown tokens are not kept: guessing must not fill the cache.
    if let Some(principal) = &principal {
        // A principal is a user name and a flag: a few dozen bytes.
        store
            .principals
            .put(hash, generation, principal.clone(), 128);
    }
    Ok(principal)
}

/// Tokens are stored as their SHA-256: a stolen database file holds no
/// usable credentials. The tokens are 256 random bits, so a plain hash (no
/// salt, no stretching) is enough.
pub(in crate::store) fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(&[token.as_bytes()])
}

/// A new random token: `bytes` bytes from the OS RNG, base64url without padding.
pub(in crate::store) fn random_token(bytes: usize) -> Result<String, StoreError> {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

#[cfg(test)]
mod tests {
    //! The generator behind share links and API tokens: the sizes in use
    //! carry at least 128 random bits, in the URL-safe alphabet, and the
    //! bytes look random (all distinct, no constant byte, half the bits set).
    use base64::Engine;
    use bytes::Bytes;

    use super::super::RedbStore;
    use super::random_token;
    use crate::store::{NewResume, Store};

    fn decode(token: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .unwrap_or_else(|e| panic!("{token:?} is not base64url: {e}"))
    }

    fn url_safe(token: &str) -> bool {
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn random_tokens_are_base64url_of_the_bytes_asked_for() {
        for bytes in [16, 24, 32] {
            let token = random_token(bytes).unwrap();
            assert!(url_safe(&token), "{token:?}");
            assert_eq!(token.len(), (bytes * 8).div_ceil(6), "{token:?}");
            assert_eq!(decode(&token).len(), bytes);
        }
    }

    #[test]
    fn random_tokens_are_distinct_and_unbiased() {
        const N: usize = 2000;
        const BYTES: usize = 24;
        let raw: Vec<Vec<u8>> = (0..N)
            .map(|_| decode(&random_token(BYTES).unwrap()))
            .collect();
        let distinct: std::collections::HashSet<&Vec<u8>> = raw.iter().collect();
        assert_eq!(distinct.len(), N, "repeated tokens");
        for i in 0..BYTES {
            let values: std::collections::HashSet<u8> = raw.iter().map(|r| r[i]).collect();
            // 2000 draws from 256 values: all but a handful appear.
            assert!(values.len() > 200, "byte {i} takes {} values", values.len());
        }
        let ones: u64 = raw
            .iter()
            .flatten()
            .map(|b| u64::from(b.count_ones()))
            .sum();
        let total = (N * BYTES * 8) as f64;
        let sigma = total.sqrt() / 2.0;
        assert!(
            (ones as f64 - total / 2.0).abs() < 5.0 * sigma,
            "{ones} ones in {total} bits"
        );
    }

    #[tokio::test]
    async fn share_and_api_tokens_carry_at_least_128_bits() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let (token, _) = store.create_token("entropy", false).await.unwrap();
        let random = token.strip_prefix("vt_").expect("the vt_ prefix");
        assert!(url_safe(random), "{token:?}");
        assert!(decode(random).len() * 8 >= 256, "{token:?}");
        let id = store
            .create_resume(NewResume {
                owner: "entropy".into(),
                filename: "cv.md".into(),
                content_type: "text/markdown".into(),
                original: Bytes::from_static(b"# Jane Doe\n"),
                parent_id: None,
            })
            .await
            .unwrap()
            .record
            .id;
        let share = store
            .create_share(
                "entropy",
                id,
                crate::store::now() + chrono::Duration::days(1),
                Default::default(),
            )
            .await
            .unwrap();
        assert!(url_safe(&share.token), "{:?}", share.token);
        assert!(decode(&share.token).len() * 8 >= 128, "{:?}", share.token);
    }
}
