//! Test helpers shared by the redb backend's test modules: an upload, a
//! `ready` parse outcome, a resume taken all the way to `ready`, a job.

use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;
use vitae_common::Resume;

use super::RedbStore;
use crate::store::records::ParseOutcome;
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
