//! The parse stream `GET /v1/resumes/{id}/events`: headers, the stage
//! sequence with fixed ids and `retry:`, exactly one terminal event and the end
//! of the stream; late subscribers; `Last-Event-ID` replay and the 204 after
//! the terminal event; `?access_token=`; 401/404.
//!
//! One server for the whole file; each test uses its own fresh user.

use std::time::Duration;

use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

const END: Duration = Duration::from_secs(60);

#[tokio::test]
async fn parse_stream_sequence_then_end() {
    let api = server().user("seq").await;
    for name in GOOD_FIXTURES {
        let v = api.upload_fixture(name).await;
        let id = v["id"].as_str().unwrap();
        // Subscribe right away: live or not, the whole log comes from the start.
        let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
        s.assert_sse_headers();
        let events = s.events_to_end(END).await;
        let terminal = assert_parse_sequence(&events, 1);
        assert_eq!(
            events.len(),
            7,
            "{name}: six stages and the terminal event: {events:#?}"
        );
        assert_eq!(terminal.event_name(), "complete", "{name}: {events:#?}");
        let res = terminal.json();
        assert_resume_shape(&res);
        assert_eq!(res["id"], id);
        assert_eq!(res["status"], "ready", "{res}");
        assert_eq!(res["document"]["basics"]["email"], FIXTURE_EMAIL, "{res}");
        assert!(s.transport_error.is_none(), "{:?}", s.transport_error);
        assert!(s.ended());
    }
}

#[tokio::test]
async fn late_subscriber_gets_every_stage_and_terminal_at_once() {
    let api = server().user("late").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    for _ in 0..3 {
        let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
        s.assert_sse_headers();
        // Everything is already there: the stream must end promptly.
        let events = s.events_to_end(Duration::from_secs(5)).await;
        let terminal = assert_parse_sequence(&events, 1);
        assert_eq!(events.len(), 7, "{events:#?}");
        assert_eq!(terminal.event_name(), "complete");
        assert_eq!(terminal.json()["document"]["basics"]["name"], FIXTURE_NAME);
    }
}

#[tokio::test]
async fn last_event_id_replays_only_later_events() {
    let api = server().user("lei").await;
    let v = api.upload_ready("resume.txt").await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/resumes/{id}/events");
    for after in 0..=6u64 {
        let mut s = api.sse(&path, Some(&after.to_string())).await;
        s.assert_sse_headers();
        let events = s.events_to_end(Duration::from_secs(5)).await;
        let ids: Vec<String> = events.iter().filter_map(|e| e.id.clone()).collect();
        let want: Vec<String> = (after + 1..=7).map(|i| i.to_string()).collect();
        assert_eq!(ids, want, "Last-Event-ID {after}: {events:#?}");
        if after < 6 {
            assert_parse_sequence(&events, after + 1);
        }
        assert_eq!(events.last().unwrap().event_name(), "complete");
    }
}

#[tokio::test]
async fn last_event_id_of_terminal_gets_204() {
    let api = server().user("204").await;
    let v = api.upload_ready("resume.json").await;
    let id = v["id"].as_str().unwrap();
    let s = api
        .sse(&format!("/v1/resumes/{id}/events"), Some(TERMINAL_ID))
        .await;
    assert_eq!(s.status.as_u16(), 204, "body {:?}", s.error_body);
    assert!(s.error_body.as_deref().unwrap_or_default().is_empty());

    // Same for a failed parse.
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap();
    api.wait_terminal(bad_id).await;
    let s = api
        .sse(&format!("/v1/resumes/{bad_id}/events"), Some(TERMINAL_ID))
        .await;
    assert_eq!(s.status.as_u16(), 204);
}

#[tokio::test]
async fn failed_parse_stream_ends_with_failed_event() {
    let api = server().user("fail").await;
    let v = api.upload_fixture("corrupt.pdf").await;
    let id = v["id"].as_str().unwrap();
    let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.assert_sse_headers();
    let events = s.events_to_end(END).await;
    let terminal = assert_parse_sequence(&events, 1);
    assert_eq!(terminal.event_name(), "failed", "{events:#?}");
    let d = terminal.json();
    assert!(d["reason"].as_str().is_some_and(|r| !r.is_empty()), "{d}");
    // The resource agrees.
    let res = api.resume(id).await;
    assert_eq!(res["status"], "failed");
    assert!(res["reason"].is_string());
}

#[tokio::test]
async fn access_token_query_parameter_works() {
    let api = server().user("qtok").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let token = api.token.clone().unwrap();
    let anon = api.without_token();
    let mut s = anon
        .sse_query_token(&format!("/v1/resumes/{id}/events"), &token)
        .await;
    s.assert_sse_headers();
    let events = s.events_to_end(Duration::from_secs(5)).await;
    assert_parse_sequence(&events, 1);

    let s = anon
        .sse_query_token(&format!("/v1/resumes/{id}/events"), "not-a-valid-token")
        .await;
    s.as_resp().assert_error(401, "unauthorized");
    let s = anon.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.as_resp().assert_error(401, "unauthorized");
}

#[tokio::test]
async fn parse_stream_unknown_and_other_owner_404() {
    let alice = server().user("alice").await;
    let bob = server().user("bob").await;
    let v = alice.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let s = bob.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.as_resp().assert_error(404, "not_found");
    let s = bob
        .sse_query_token(
            &format!("/v1/resumes/{id}/events"),
            bob.token.as_deref().unwrap(),
        )
        .await;
    s.as_resp().assert_error(404, "not_found");
    let unknown = uuid::Uuid::new_v4();
    let s = alice
        .sse(&format!("/v1/resumes/{unknown}/events"), None)
        .await;
    s.as_resp().assert_error(404, "not_found");
}

#[tokio::test]
async fn concurrent_subscribers_all_see_the_same_log() {
    let api = server().user("many").await;
    let v = api.upload_fixture("resume.docx").await;
    let id = v["id"].as_str().unwrap().to_string();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let api = api.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
            s.assert_sse_headers();
            s.events_to_end(END).await
        }));
    }
    for t in tasks {
        let events = t.await.expect("subscriber task");
        assert_eq!(events.len(), 7, "{events:#?}");
        assert_parse_sequence(&events, 1);
    }
}

/// With one worker and a queue in front of it, subscribers connect while the
/// parse is still pending: they get the log so far, then the rest live, with
/// no gap and no duplicate, and a reconnect with `Last-Event-ID` mid-parse
/// resumes exactly after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_subscribers_during_a_queued_parse() {
    let srv = TestServer::start_with(&["--workers", "1"]);
    let api = srv.user("live").await;
    // Fill the queue with slower documents.
    let mut ahead = Vec::new();
    for i in 0..12 {
        let name = ["resume.pdf", "resume.docx"][i % 2];
        ahead.push(
            api.upload_fixture(name).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let v = api.upload_fixture("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let path = format!("/v1/resumes/{id}/events");

    // Not ready yet: editing or making it master is a conflict.
    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "x"}}),
            None,
        )
        .await;
    r.assert_error(409, "conflict");
    api.post_empty(&format!("/v1/resumes/{id}/master"))
        .await
        .assert_error(409, "conflict");
    // A queued resume can be deleted; the worker must not bring it back.
    let doomed = api.upload_fixture("resume.txt").await;
    let doomed_id = doomed["id"].as_str().unwrap().to_string();
    let mut doomed_stream = api
        .sse(&format!("/v1/resumes/{doomed_id}/events"), None)
        .await;
    doomed_stream.assert_sse_headers();
    assert_eq!(
        api.delete(&format!("/v1/resumes/{doomed_id}")).await.status,
        204
    );

    let mut from_start = api.sse(&path, None).await;
    from_start.assert_sse_headers();
    // A second subscriber that only wants what follows the first event.
    let mut after_one = api.sse(&path, Some("1")).await;
    after_one.assert_sse_headers();

    let status_now = api.resume(&id).await["status"].clone();
    let all = from_start.events_to_end(END).await;
    assert_parse_sequence(&all, 1);
    assert_eq!(all.len(), 7, "{all:#?}");
    assert_eq!(all.last().unwrap().event_name(), "complete");
    let rest = after_one.events_to_end(END).await;
    let ids: Vec<&str> = rest.iter().filter_map(|f| f.id.as_deref()).collect();
    assert_eq!(ids, ["2", "3", "4", "5", "6", "7"], "{rest:#?}");
    eprintln!("status when subscribed: {status_now}");
    for other in &ahead {
        assert_eq!(api.wait_terminal(other).await["status"], "ready");
    }
    // The deleted one stays deleted, and its open stream was ended.
    let ended = doomed_stream.events_to_end(Duration::from_secs(10)).await;
    assert!(
        ended.iter().all(|f| f.event_name() != "complete"),
        "a deleted resume never completes: {ended:#?}"
    );
    api.get(&format!("/v1/resumes/{doomed_id}"))
        .await
        .assert_error(404, "not_found");
    let list = api.list().await;
    assert!(
        list.iter().all(|r| r["id"] != doomed_id.as_str()),
        "{list:#?}"
    );
    assert_eq!(list.len(), ahead.len() + 1);
    assert_eq!(
        list.iter().filter(|r| r["is_master"] == true).count(),
        1,
        "{list:#?}"
    );
}
