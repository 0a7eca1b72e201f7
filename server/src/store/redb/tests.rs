//! Tests that cut across the backend's modules: everything acknowledged is
//! still there after reopening the store, and every operation on a missing
//! record answers `NotFound` (never a silent success).

use serde_json::json;
use uuid::Uuid;

use super::testing::{client, day_share, ready_resume};
use super::RedbStore;
use crate::store::{Store, StoreError};

#[tokio::test]
async fn acknowledged_writes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (id, token, share) = {
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let (token, _) = store.create_token("alice", false).await.unwrap();
        let share = day_share(&store, "alice", id).await;
        store
            .access_share(&share.token, client(1), crate::store::now())
            .await
            .unwrap();
        (id, token, share.token)
    };
    let store = RedbStore::open(dir.path()).unwrap();
    let got = store.get_resume("alice", id).await.unwrap();
    assert!(got.is_master);
    assert_eq!(got.record.document.unwrap().name(), Some("Jane"));
    assert_eq!(
        store.authenticate(&token).await.unwrap().unwrap().user,
        "alice"
    );
    let shares = store.list_shares("alice", id).await.unwrap();
    assert_eq!(shares[0].token, share);
    assert_eq!(shares[0].access_count, 1);
}

#[tokio::test]
async fn missing_records_are_not_found_never_silent() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    let ghost = Uuid::new_v4();
    assert!(matches!(
        store.get_resume("a", ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_resume("a", ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.set_master("a", ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.patch_document("a", ghost, None, json!({})).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.revoke_share("a", "nope").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .access_share("nope", client(1), crate::store::now())
            .await,
        Err(StoreError::NotFound(_))
    ));
}
