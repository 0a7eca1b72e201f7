//! The account stream `GET /v1/events`: every change to the caller's resumes
//! and shares as `resume.*`, `master.changed`, `share.*` events with opaque
//! `<epoch>-<seq>` ids; `Last-Event-ID` replay with no gap or duplicate; a
//! `resync` for an unknown id; comment heartbeats (`--heartbeat-secs 1`).
//!
//! One server for the whole file; each test uses its own fresh user.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&["--heartbeat-secs", "1"])
}

const KINDS: [&str; 6] = [
    "resume.created",
    "resume.updated",
    "resume.deleted",
    "master.changed",
    "share.created",
    "share.revoked",
];

/// Check one change event and return (kind, resume_id).
#[track_caller]
fn check_change(f: &SseFrame) -> (String, String) {
    let name = f.event_name().to_string();
    assert!(KINDS.contains(&name.as_str()), "unexpected event {f:?}");
    let id = f.id.as_deref().unwrap_or_else(|| panic!("no id: {f:?}"));
    let (epoch, seq) = id
        .split_once('-')
        .unwrap_or_else(|| panic!("id {id:?} is not <epoch>-<seq>"));
    assert!(!epoch.is_empty() && seq.parse::<u64>().is_ok(), "id {id:?}");
    assert!(f.retry.is_some(), "retry on every event: {f:?}");
    let d = f.json();
    assert_eq!(d["kind"], name.as_str(), "{d}");
    assert!(is_rfc3339(&d["at"]), "{d}");
    let rid = d["resume_id"]
        .as_str()
        .unwrap_or_else(|| panic!("resume_id in {d}"))
        .to_string();
    if name.starts_with("share.") {
        assert!(d["share_token"].is_string(), "{d}");
    }
    if name.starts_with("resume.") && name != "resume.deleted" {
        assert!(d["status"].is_string(), "{d}");
    }
    (name, rid)
}

#[tokio::test]
async fn account_stream_reports_every_change() {
    let api = server().user("acc").await;
    let mut s = api.sse("/v1/events", None).await;
    s.assert_sse_headers();

    let v = api.upload_fixture("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let ev = s
        .read_until(Duration::from_secs(30), |f| {
            f.event_name() == "resume.updated" && f.json()["status"] == "ready"
        })
        .await;
    let kinds: Vec<(String, String)> = ev.iter().map(check_change).collect();
    assert_eq!(
        kinds[0],
        ("resume.created".to_string(), id.clone()),
        "{ev:#?}"
    );
    assert_eq!(ev[0].json()["status"], "pending");
    assert!(kinds.iter().all(|(_, r)| *r == id), "{ev:#?}");

    // master.changed for the first ready resume (may come just before or after the update).
    let mut all = ev.clone();
    if !kinds.iter().any(|(k, _)| k == "master.changed") {
        all.extend(
            s.read_until(Duration::from_secs(10), |f| {
                f.event_name() == "master.changed"
            })
            .await,
        );
    }

    let share = api.share(&id, &json!({})).await;
    let token = share["token"].as_str().unwrap().to_string();
    let ev = s
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "share.created"
        })
        .await;
    assert_eq!(ev.last().unwrap().json()["share_token"], token.as_str());
    all.extend(ev);

    api.patch(
        &format!("/v1/resumes/{id}"),
        &json!({"basics": {"label": "X"}}),
        None,
    )
    .await;
    let ev = s
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "resume.updated"
        })
        .await;
    all.extend(ev);

    assert_eq!(api.delete(&format!("/v1/shares/{token}")).await.status, 200);
    let ev = s
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "share.revoked"
        })
        .await;
    assert_eq!(ev.last().unwrap().json()["share_token"], token.as_str());
    all.extend(ev);

    assert_eq!(api.delete(&format!("/v1/resumes/{id}")).await.status, 204);
    let ev = s
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "resume.deleted"
        })
        .await;
    assert_eq!(ev.last().unwrap().json()["resume_id"], id.as_str());
    all.extend(ev);

    // Ids are unique and their sequence numbers increase.
    let mut seen = HashSet::new();
    let mut last_seq = None;
    for f in &all {
        check_change(f);
        let id = f.id.clone().unwrap();
        assert!(seen.insert(id.clone()), "duplicate id {id}");
        let seq: u64 = id.split_once('-').unwrap().1.parse().unwrap();
        if let Some(l) = last_seq {
            assert!(seq > l, "sequence went from {l} to {seq}: {all:#?}");
        }
        last_seq = Some(seq);
    }
}

#[tokio::test]
async fn account_stream_heartbeat() {
    let api = server().user("hb").await;
    let mut s = api.sse("/v1/events", None).await;
    s.assert_sse_headers();
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut beats = 0;
    while Instant::now() < deadline && beats < 2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match s.try_next_frame(left).await {
            Ok(Some(f)) if f.is_heartbeat() => beats += 1,
            Ok(Some(_)) => {}
            Ok(None) => panic!("stream ended"),
            Err(()) => break,
        }
    }
    let mut logs = server().admin().sse("/v1/logs", None).await;
    logs.assert_sse_headers();
    let mut log_beat = false;
    let deadline = Instant::now() + Duration::from_secs(4);
    while Instant::now() < deadline && !log_beat {
        let left = deadline.saturating_duration_since(Instant::now());
        match logs.try_next_frame(left).await {
            Ok(Some(f)) => log_beat = f.is_heartbeat(),
            Ok(None) => panic!("log stream ended"),
            Err(()) => break,
        }
    }
    assert!(log_beat, "the log stream has heartbeats too");
    assert!(
        beats >= 2,
        "two heartbeats within 4 s at --heartbeat-secs 1, got {beats}"
    );
}

#[tokio::test]
async fn account_stream_replays_after_last_event_id() {
    let api = server().user("replay").await;
    let mut s = api.sse("/v1/events", None).await;
    s.assert_sse_headers();
    // Make a handful of events: three ready uploads, a share, a master switch.
    let mut ids = Vec::new();
    for name in ["resume.md", "resume.txt", "resume.json"] {
        ids.push(
            api.upload_ready(name).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let share = api.share(&ids[0], &json!({})).await;
    let token = share["token"].as_str().unwrap().to_string();
    assert_eq!(
        api.post_empty(&format!("/v1/resumes/{}/master", ids[2]))
            .await
            .status,
        200
    );
    // Wait until the live stream has the last one.
    let live = s
        .read_until(Duration::from_secs(20), |f| {
            f.event_name() == "master.changed" && f.json()["resume_id"] == ids[2].as_str()
        })
        .await;
    assert!(live
        .iter()
        .any(|f| f.event_name() == "share.created" && f.json()["share_token"] == token.as_str()));
    let live: Vec<SseFrame> = live
        .into_iter()
        .filter(|f| f.event_name() != "resync")
        .collect();
    assert!(live.len() >= 8, "{live:#?}");
    drop(s);

    // Reconnect from several points: exactly the later events, in order.
    for cut in [0, 2, live.len() / 2, live.len() - 2, live.len() - 1] {
        let last = live[cut].id.clone().unwrap();
        let mut r = api.sse("/v1/events", Some(&last)).await;
        r.assert_sse_headers();
        let want: Vec<String> = live[cut + 1..]
            .iter()
            .map(|f| f.id.clone().unwrap())
            .collect();
        let got: Vec<SseFrame> = if want.is_empty() {
            r.events_for(Duration::from_millis(1500)).await
        } else {
            let last_want = want.last().unwrap().clone();
            r.read_until(Duration::from_secs(10), |f| {
                f.id.as_deref() == Some(last_want.as_str())
            })
            .await
        };
        let got_ids: Vec<String> = got
            .iter()
            .map(|f| f.id.clone().unwrap_or_default())
            .collect();
        assert_eq!(got_ids, want, "replay after {last}: {got:#?}");
        for (g, l) in got.iter().zip(&live[cut + 1..]) {
            assert_eq!(g.event, l.event);
            assert_eq!(g.json(), l.json(), "replayed data is the same");
        }
    }

    // From the newest id: nothing is replayed, and the next change arrives live, once.
    let last = live.last().unwrap().id.clone().unwrap();
    let mut r = api.sse("/v1/events", Some(&last)).await;
    r.assert_sse_headers();
    api.post_empty(&format!("/v1/resumes/{}/master", ids[1]))
        .await;
    let mut next = r
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "master.changed" && f.json()["resume_id"] == ids[1].as_str()
        })
        .await;
    next.extend(r.events_for(Duration::from_millis(500)).await);
    let old: HashSet<String> = live.iter().filter_map(|f| f.id.clone()).collect();
    let mut seen = HashSet::new();
    for f in &next {
        assert_eq!(
            f.event_name(),
            "master.changed",
            "only the new change: {next:#?}"
        );
        let id = f.id.clone().unwrap();
        assert!(!old.contains(&id), "replayed an old event: {next:#?}");
        assert!(seen.insert(id), "duplicate: {next:#?}");
    }
}

#[tokio::test]
async fn account_stream_unknown_last_event_id_gets_resync() {
    for bogus in ["0-0", "123-456", "garbage"] {
        // A fresh user each time, so no earlier upload's events arrive live here.
        let api = server().user("resync").await;
        let mut s = api.sse("/v1/events", Some(bogus)).await;
        s.assert_sse_headers();
        let f = s
            .next_event(Duration::from_secs(5))
            .await
            .expect("stream open");
        assert_eq!(f.event_name(), "resync", "Last-Event-ID {bogus}: {f:?}");
        assert!(
            f.id.is_some() && f.retry.is_some() && f.data.is_some(),
            "{f:?}"
        );
        // Then live events follow.
        api.upload_fixture("resume.txt").await;
        let f = s.next_event(Duration::from_secs(10)).await.expect("open");
        assert_eq!(f.event_name(), "resume.created", "{f:?}");
    }
}

#[tokio::test]
async fn account_stream_accepts_access_token_query() {
    let api = server().user("accq").await;
    let token = api.token.clone().unwrap();
    let mut s = api
        .without_token()
        .sse_query_token("/v1/events", &token)
        .await;
    s.assert_sse_headers();
    api.upload_fixture("resume.md").await;
    let f = s.next_event(Duration::from_secs(10)).await.expect("open");
    assert_eq!(f.event_name(), "resume.created");
}

/// A client that keeps disconnecting and reconnecting with `Last-Event-ID`
/// while changes are being made sees exactly the sequence a client that never
/// disconnected sees: no gap, no duplicate, same order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_under_load_has_no_gap_or_duplicate() {
    const CHANGES: usize = 120;
    let api = server().user("churn").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    // Let the upload's own events pass before the reference subscribes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut reference = api.sse("/v1/events", None).await;
    reference.assert_sse_headers();

    let writer = {
        let api = api.clone();
        let id = id.clone();
        tokio::spawn(async move {
            for i in 0..CHANGES {
                let r = api
                    .patch(
                        &format!("/v1/resumes/{id}"),
                        &json!({"basics": {"label": format!("v{i}")}}),
                        None,
                    )
                    .await;
                assert_eq!(r.status, 200);
            }
        })
    };

    // The churning client: starts from the reference's first event, then
    // reads a few events per connection.
    let first = reference
        .next_event(Duration::from_secs(10))
        .await
        .expect("first event");
    let mut reference_ids = vec![first.id.clone().unwrap()];
    let mut churn_ids: Vec<String> = vec![first.id.clone().unwrap()];
    let mut rounds = 0;
    while churn_ids.len() < CHANGES {
        rounds += 1;
        let last = churn_ids.last().unwrap().clone();
        let mut s = api.sse("/v1/events", Some(&last)).await;
        s.assert_sse_headers();
        for _ in 0..(1 + rounds % 7) {
            let f = s.next_event(Duration::from_secs(10)).await.expect("open");
            assert_ne!(
                f.event_name(),
                "resync",
                "a recent id must replay, not resync: {f:?}"
            );
            churn_ids.push(f.id.clone().unwrap());
            if churn_ids.len() >= CHANGES {
                break;
            }
        }
    }
    writer.await.unwrap();
    while reference_ids.len() < CHANGES {
        let f = reference
            .next_event(Duration::from_secs(10))
            .await
            .expect("open");
        reference_ids.push(f.id.clone().unwrap());
    }
    assert!(rounds > 10, "the client reconnected often ({rounds})");
    assert_eq!(
        churn_ids, reference_ids,
        "reconnecting client saw a different sequence"
    );
}
