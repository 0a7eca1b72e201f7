//! Test helpers shared by the redb backend's test modules: an upload, a
//! `ready` parse outcome, a resume taken all the way to `ready` (or to
//! `failed`), a share
//! link of a day, a client address, a job.

use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;
use vitae_common::Resume;

use super::RedbStore;
use crate::store::records::{ParseOutcome, ShareRecord};
use crate::store::{NewJob, NewResume, Store};

pub(super) fn upload(owner: &str) -> NewResume {
    NewResume {
        owner: owner.into(),
        filename: "cv.md".into(),
        content_type: "text/markdown".into(),
        original: Bytes::from_static(b"# Jane Doe\njane@example.com\n"),
        parent_id: None,
    }
}

pub(super) fn ready(name: &str) -> ParseOutcome {
    ParseOutcome::Ready {
        document: Box::new(Resume::from_value(json!({"basics": {"name": name}})).unwrap()),
        text: name.into(),
        warnings: vec![],
        confidence: Default::default(),
    }
}

pub(super) async fn ready_resume(store: &RedbStore, owner: &str) -> Uuid {
    let id = store.create_resume(upload(owner)).await.unwrap().record.id;
    store.mark_parsing(id).await.unwrap();
    store.finish_parse(id, ready("Jane")).await.unwrap();
    id
}

/// A resume whose parse ended `failed`, and the record that parse left.
pub(super) async fn failed_resume(
    store: &RedbStore,
    owner: &str,
) -> (Uuid, crate::store::StoredResume) {
    let id = store.create_resume(upload(owner)).await.unwrap().record.id;
    store.mark_parsing(id).await.unwrap();
    let reason = "corrupt".to_string();
    let stored = store
        .finish_parse(id, ParseOutcome::Failed { reason })
        .await
        .unwrap();
    (id, stored)
}

pub(super) fn job(owner: &str, text: &str) -> NewJob {
    NewJob {
        owner: owner.into(),
        title: "Engineer".into(),
        company: None,
        format: "text".into(),
        body: text.into(),
        text: text.into(),
        keywords: Default::default(),
        content_hash: format!("hash-of-{text}"),
    }
}

/// A share link of `owner`'s resume `id` that expires in a day.
pub(super) async fn day_share(store: &RedbStore, owner: &str, id: Uuid) -> ShareRecord {
    store
        .create_share(
            owner,
            id,
            crate::store::now() + chrono::Duration::days(1),
            Default::default(),
        )
        .await
        .unwrap()
}

/// A distinct client address per number: views from one client count once
/// an hour.
pub(super) fn client(i: u8) -> std::net::IpAddr {
    std::net::IpAddr::from([192, 0, 2, i])
}
