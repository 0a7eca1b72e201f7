//! API tokens: creating them and authenticating requests.
//!
//! Only a token's SHA-256 is stored (`tokens.hash`), made and hashed by the
//! same functions as the redb backend's ([`token_hash`], [`random_token`]),
//! so a stolen database dump holds no usable credentials. Every request
//! authenticates with one indexed lookup; there is no principal cache here,
//! since a token created on another instance must work at once.

use super::{from_json, PgStore};
use crate::store::records::{Principal, TOKEN_SCHEMA};
use crate::store::redb::tokens::{random_token, token_hash};
use crate::store::{now, StoreError};

/// Create an API token for `user`; answers the plain token, once.
pub(super) async fn create(
    store: &PgStore,
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
    let client = store.client().await?;
    client
        .execute(
            "INSERT INTO tokens (hash, record) VALUES ($1, $2)",
            &[&token_hash(&token), &serde_json::to_string(&principal)?],
        )
        .await?;
    Ok((token, principal))
}

/// Who a plain token belongs to, if anyone.
pub(super) async fn authenticate(
    store: &PgStore,
    token: &str,
) -> Result<Option<Principal>, StoreError> {
    let hash = token_hash(token);
    let generation = crate::store::Store::generation(store);
    if let Some(principal) = store.principals.get(&hash, generation) {
        return Ok(Some(principal));
    }
    let client = store.client().await?;
    // Every authenticated request runs this: a statement prepared once per
    // connection saves a round trip (Parse/Describe) per request.
    let statement = client
        .prepare_cached("SELECT record FROM tokens WHERE hash = $1")
        .await?;
    let row = client.query_opt(&statement, &[&hash]).await?;
    let principal: Option<Principal> = row.map(|row| from_json(row.get(0))).transpose()?;
    // Unknown tokens are not kept: guessing must not fill the cache.
    if let Some(principal) = &principal {
        // A principal is a user name and a flag: a few dozen bytes.
        store
            .principals
            .put(hash, generation, principal.clone(), 128);
    }
    Ok(principal)
}
