//! Events across server instances on one PostgreSQL database (issue 19):
//! a change made on one instance reaches the subscribers of every other,
//! on the account stream and on the parse stream, and a client that
//! reconnects to another instance with `Last-Event-ID` gets exactly what it
//! missed (ids `db-<seq>` are the database's, the same everywhere), whether
//! the instance it lands on holds those events in memory or reads them from
//! the event table. A share link made on one instance opens on another.
//!
//! These tests always run on PostgreSQL (a database of their own on the
//! binary's shared cluster, [`vitae_tests::postgres`]); without it they say
//! they skipped, unless `VITAE_REQUIRE_POSTGRES=1`, where they fail.

use std::time::Duration;

use vitae_tests::instances::Instances;
use vitae_tests::postgres::cluster_or_skip;
use vitae_tests::*;

const WAIT: Duration = Duration::from_secs(30);

/// `n` instances on a fresh database, or `None` (skipped).
fn instances(test: &str, n: usize) -> Option<Instances> {
    let cluster = cluster_or_skip(test)?;
    Some(Instances::start(cluster, n, &[]))
}

/// The number in an account event id `db-<seq>`.
fn seq(frame: &SseFrame) -> u64 {
    let id = frame.id.as_deref().unwrap_or_default();
    id.strip_prefix("db-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("account event id {id:?} is not db-<seq>: {frame:?}"))
}

fn is_end_of(frame: &SseFrame, id: &str) -> bool {
    frame.event_name() == "resume.updated"
        && frame.json()["resume_id"] == id
        && matches!(frame.json()["status"].as_str(), Some("ready" | "failed"))
}

#[tokio::test]
async fn an_upload_on_one_instance_reaches_account_subscribers_on_another() {
    let Some(cluster) = instances("cluster events: account stream", 2) else {
        return;
    };
    let a = cluster.get(0).user("alice").await;
    let b = cluster.get(1).api(a.token.as_deref().unwrap());
    let mut events = b.sse("/v1/events", None).await;
    events.assert_sse_headers();

    let created = a.upload_fixture("resume.md").await;
    let id = created["id"].as_str().unwrap().to_string();
    let seen = events.read_until(WAIT, |f| is_end_of(f, &id)).await;
    let names: Vec<&str> = seen.iter().map(SseFrame::event_name).collect();
    assert_eq!(names.first(), Some(&"resume.created"), "{seen:#?}");
    assert_eq!(seen[0].json()["resume_id"], id.as_str());
    assert_eq!(
        seen.last().unwrap().json()["status"],
        "ready",
        "the parse's end: {seen:#?}"
    );
    // Numbered by the database: consecutive, in order.
    let numbers: Vec<u64> = seen.iter().map(seq).collect();
    for pair in numbers.windows(2) {
        assert_eq!(
            pair[1],
            pair[0] + 1,
            "ids in order without a gap: {seen:#?}"
        );
    }
}

#[tokio::test]
async fn a_parse_stream_on_another_instance_sees_every_stage_and_complete() {
    let Some(cluster) = instances("cluster events: parse stream", 2) else {
        return;
    };
    let a = cluster.get(0).user("bea").await;
    let b = cluster.get(1).api(a.token.as_deref().unwrap());
    for round in 0..3 {
        let created = a.upload_fixture("resume.md").await;
        let id = created["id"].as_str().unwrap();
        let mut stream = b.sse(&format!("/v1/resumes/{id}/events"), None).await;
        stream.assert_sse_headers();
        let events = stream.events_to_end(WAIT).await;
        let stages: Vec<String> = events
            .iter()
            .filter(|e| e.event_name() == "progress")
            .map(|e| e.json()["stage"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            stages, STAGES,
            "round {round}: every stage, in order: {events:#?}"
        );
        let last = events.last().unwrap();
        assert_eq!(last.event_name(), "complete", "round {round}: {events:#?}");
        assert_eq!(last.id.as_deref(), Some(TERMINAL_ID));
        assert_eq!(last.json()["id"], id, "the complete event is the resume");
        assert_eq!(last.json()["status"], "ready");
    }
}

#[tokio::test]
async fn a_reconnect_to_another_instance_replays_exactly_what_was_missed() {
    let Some(mut cluster) = instances("cluster events: replay", 2) else {
        return;
    };
    let a = cluster.get(0).user("cleo").await;
    let token = a.token.clone().unwrap();
    // The reference: one subscriber connected throughout.
    let mut reference = a.sse("/v1/events", None).await;
    let mut first = a.sse("/v1/events", None).await;

    let one = a.upload_ready("resume.md").await;
    let one = one["id"].as_str().unwrap().to_string();
    let read = first.read_until(WAIT, |f| is_end_of(f, &one)).await;
    let last_read = read.last().unwrap().id.clone().unwrap();
    drop(first);

    // Missed while disconnected: a second resume, a share, an edit.
    let two = a.upload_ready("resume.md").await;
    let two = two["id"].as_str().unwrap().to_string();
    let share = a.share(&one, &json!({})).await;
    let token_of_share = share["token"].as_str().unwrap().to_string();
    let everything = reference
        .read_until(WAIT, |f| {
            f.event_name() == "share.created" && f.json()["share_token"] == token_of_share.as_str()
        })
        .await;
    let position = everything
        .iter()
        .position(|f| f.id.as_deref() == Some(last_read.as_str()))
        .expect("the reference saw the last event read");
    let missed: Vec<(Option<String>, String, Option<String>)> = everything[position + 1..]
        .iter()
        .map(|f| (f.id.clone(), f.event_name().to_string(), f.data.clone()))
        .collect();
    assert!(
        missed
            .iter()
            .any(|(_, _, data)| data.as_deref().unwrap_or_default().contains(&two)),
        "the second resume's events are among the missed: {missed:#?}"
    );

    // On an instance that saw them live (its ring), and on one started
    // after them (the event table).
    cluster.add(&[]);
    for (which, instance) in [("running", 1), ("started later", 2)] {
        let api = cluster.get(instance).api(&token);
        let mut again = api.sse("/v1/events", Some(&last_read)).await;
        let replayed = again
            .read_until(WAIT, |f| {
                f.event_name() == "share.created"
                    && f.json()["share_token"] == token_of_share.as_str()
            })
            .await;
        let replayed: Vec<(Option<String>, String, Option<String>)> = replayed
            .iter()
            .map(|f| (f.id.clone(), f.event_name().to_string(), f.data.clone()))
            .collect();
        assert_eq!(
            replayed, missed,
            "instance {which}: exactly the missed events, in order"
        );
    }
}

#[tokio::test]
async fn a_share_made_on_one_instance_opens_on_another() {
    let Some(cluster) = instances("cluster events: shares", 3) else {
        return;
    };
    let c = cluster.get(2).user("dora").await;
    let done = c.upload_ready("resume.md").await;
    let id = done["id"].as_str().unwrap();
    let share = c.share(id, &json!({})).await;
    let token = share["token"].as_str().unwrap();
    let anon = cluster.get(0).anon();
    let r = anon.get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = anon.get(&format!("/s/{token}?format=json")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["basics"]["name"],
        done["document"]["basics"]["name"]
    );
}
