//! Test helpers shared by the redb backend's test modules: an upload, a
//! `ready` parse outcome, a resume taken all the way to `ready` (or to
//! `failed`), a share link of a day, a client address, a job. The
//! PostgreSQL backend's tests use them too.

use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;
use vitae_common::Resume;

use crate::store::records::{ParseOutcome, ShareRecord};
use crate::store::{NewJob, NewResume, Store};

pub(in crate::store) fn upload(owner: &str) -> NewResume {
    NewResume {
        owner: owner.into(),
        filename: "cv.md".into(),
        content_type: "text/markdown".into(),
        original: Bytes::from_static(b"# Jane Doe\njane@example.com\n"),
        parent_id: None,
    }
}

pub(in crate::store) fn ready(name: &str) -> ParseOutcome {
    ParseOutcome::Ready {
        document: Box::new(Resume::from_value(json!({"basics": {"name": name}})).unwrap()),
        text: name.into(),
        warnings: vec![],
        confidence: Default::default(),
    }
}

pub(in crate::store) async fn ready_resume<S: Store>(store: &S, owner: &str) -> Uuid {
    let id = store.create_resume(upload(owner)).await.unwrap().record.id;
    store.mark_parsing(id).await.unwrap();
    store.finish_parse(id, ready("Jane")).await.unwrap();
    id
}

/// A resume whose parse ended `failed`, and the record that parse left.
pub(in crate::store) async fn failed_resume<S: Store>(
    store: &S,
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

pub(in crate::store) fn job(owner: &str, text: &str) -> NewJob {
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
pub(in crate::store) async fn day_share<S: Store>(store: &S, owner: &str, id: Uuid) -> ShareRecord {
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
pub(in crate::store) fn client(i: u8) -> std::net::IpAddr {
    std::net::IpAddr::from([192, 0, 2, i])
}

/// Revisions of a resume with 41 revisions (deltas, every 16th whole),
/// walked in pages of several sizes: every walk is the whole history in
/// order with the same documents and origins, and each earlier revision
/// reads the same alone as in a page. Both backends' tests run it.
pub(in crate::store) async fn revision_pages_match_the_whole_history<S: Store>(store: &S) {
    use crate::store::Page;
    let id = ready_resume(store, "erin").await;
    for i in 0..40 {
        // Small edits are stored as deltas, every 16th revision whole.
        let patch = json!({"basics": {"label": format!("Engineer {i}")}});
        store.patch_document("erin", id, None, patch).await.unwrap();
    }
    let whole = store
        .revisions_page(
            "erin",
            id,
            Page {
                limit: 1000,
                after: None,
            },
        )
        .await
        .unwrap();
    assert!(whole.next.is_none());
    assert_eq!(whole.items.len(), 41);
    for limit in [1, 3, 15, 16, 17, 40, 41] {
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .revisions_page("erin", id, Page { limit, after })
                .await
                .unwrap();
            assert!(page.items.len() <= limit);
            walked.extend(page.items);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(walked.len(), 41, "pages of {limit}");
        for (paged, one) in walked.iter().zip(&whole.items) {
            assert_eq!(paged.revision, one.revision, "pages of {limit}");
            assert_eq!(paged.document, one.document, "pages of {limit}");
            assert_eq!(paged.origin, one.origin, "pages of {limit}");
        }
    }
    // Each earlier revision reads the same alone as in a page.
    for one in &whole.items[..40] {
        let alone = store.get_revision("erin", id, one.revision).await.unwrap();
        assert_eq!(alone.document, one.document);
    }
}
