//! The master resume: the first resume of an owner to reach `ready` becomes
//! master, a failed one never does, `POST /v1/resumes/{id}/master` moves it
//! atomically, and 50 concurrent first uploads leave exactly one master
//! (repeated with fresh users).
//!
//! One server for the whole file; each test (and each round) uses a fresh user.

use futures_util::future::join_all;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

fn masters(list: &[serde_json::Value]) -> Vec<String> {
    list.iter()
        .filter(|r| r["is_master"] == true)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn first_ready_resume_becomes_master() {
    let api = server().user("first").await;
    let a = api.upload_ready("resume.md").await;
    assert_eq!(a["is_master"], true, "{a}");
    let b = api.upload_ready("resume.txt").await;
    assert_eq!(b["is_master"], false, "the second one is not master: {b}");
    let list = api.list().await;
    assert_eq!(masters(&list), vec![a["id"].as_str().unwrap().to_string()]);
}

#[tokio::test]
async fn failed_parse_never_becomes_master() {
    let api = server().user("failfirst").await;
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap();
    let bad = api.wait_terminal(bad_id).await;
    assert_eq!(bad["status"], "failed");
    assert_eq!(bad["is_master"], false, "{bad}");
    let good = api.upload_ready("resume.md").await;
    assert_eq!(
        good["is_master"], true,
        "first *ready* resume is master: {good}"
    );
    assert_eq!(api.resume(bad_id).await["is_master"], false);
}

#[tokio::test]
async fn set_master_moves_it() {
    let api = server().user("move").await;
    let a = api.upload_ready("resume.md").await;
    let b = api.upload_ready("resume.json").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());

    let r = api.post_empty(&format!("/v1/resumes/{b_id}/master")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_resume_shape(&v);
    assert_eq!(v["id"], b_id);
    assert_eq!(v["is_master"], true);
    assert_eq!(api.resume(a_id).await["is_master"], false);
    assert_eq!(masters(&api.list().await), vec![b_id.to_string()]);

    // Setting it again is idempotent.
    let r = api.post_empty(&format!("/v1/resumes/{b_id}/master")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(masters(&api.list().await), vec![b_id.to_string()]);

    // And back.
    let r = api.post_empty(&format!("/v1/resumes/{a_id}/master")).await;
    assert_eq!(r.status, 200);
    assert_eq!(masters(&api.list().await), vec![a_id.to_string()]);
}

#[tokio::test]
async fn set_master_unknown_404_failed_409() {
    let api = server().user("m404").await;
    let unknown = uuid::Uuid::new_v4();
    api.post_empty(&format!("/v1/resumes/{unknown}/master"))
        .await
        .assert_error(404, "not_found");
    let good = api.upload_ready("resume.md").await;
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap();
    assert_eq!(api.wait_terminal(bad_id).await["status"], "failed");
    api.post_empty(&format!("/v1/resumes/{bad_id}/master"))
        .await
        .assert_error(409, "conflict");
    // The master did not move.
    assert_eq!(
        masters(&api.list().await),
        vec![good["id"].as_str().unwrap().to_string()]
    );
}

#[tokio::test]
async fn concurrent_master_switches_leave_one_master() {
    let api = server().user("switch").await;
    let mut ids = Vec::new();
    for name in [
        "resume.md",
        "resume.txt",
        "resume.json",
        "resume.md",
        "resume.txt",
    ] {
        ids.push(
            api.upload_ready(name).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    for _ in 0..5 {
        let futs = ids.iter().cycle().take(25).map(|id| {
            let api = api.clone();
            let id = id.clone();
            async move {
                api.post_empty(&format!("/v1/resumes/{id}/master"))
                    .await
                    .status
            }
        });
        for status in join_all(futs).await {
            assert_eq!(status, 200);
        }
        let m = masters(&api.list().await);
        assert_eq!(
            m.len(),
            1,
            "exactly one master after concurrent switches: {m:?}"
        );
    }
}

/// 50 concurrent first uploads by one fresh user leave exactly one master;
/// repeated for 10 rounds with fresh users.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_uploads_leave_exactly_one_master() {
    const ROUNDS: usize = 10;
    const UPLOADS: usize = 50;
    let files = ["resume.md", "resume.txt", "resume.json"];
    let bodies: Vec<(Vec<u8>, &str, &str)> = files
        .iter()
        .map(|f| (fixture(f), content_type_for(f), *f))
        .collect();
    for round in 0..ROUNDS {
        let api = server().user(&format!("race{round}")).await;
        let futs = (0..UPLOADS).map(|i| {
            let api = api.clone();
            let (bytes, ct, name) = bodies[i % bodies.len()].clone();
            tokio::spawn(async move {
                let r = api.upload(bytes, ct, name).await;
                assert_eq!(r.status, 202, "{}", r.text());
                r.json()
            })
        });
        let created = join_all(futs).await;
        for c in &created {
            let c = c.as_ref().expect("upload task");
            assert_ne!(c["status"], "failed", "{c}");
        }
        let list = api.wait_all_terminal(UPLOADS).await;
        assert_eq!(list.len(), UPLOADS, "round {round}");
        let ready = list.iter().filter(|r| r["status"] == "ready").count();
        assert_eq!(ready, UPLOADS, "round {round}: all parse");
        let m = masters(&list);
        assert_eq!(m.len(), 1, "round {round}: exactly one master, got {m:?}");
    }
}

/// `GET /v1/resumes/{id}` answers come from a cache that any write empties:
/// moving the master role is a write to *another* resume's row, and the
/// cached answer of the old master must not survive it.
#[tokio::test]
async fn a_read_after_the_master_moves_shows_the_move() {
    let api = server().user("cachedmaster").await;
    let a = api.upload_ready("resume.md").await;
    let a_id = a["id"].as_str().unwrap().to_string();
    let b = api.upload_ready("resume.txt").await;
    let b_id = b["id"].as_str().unwrap().to_string();
    for _ in 0..3 {
        assert_eq!(api.resume(&a_id).await["is_master"], true);
    }
    let r = api.post_empty(&format!("/v1/resumes/{b_id}/master")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(api.resume(&a_id).await["is_master"], false);
    assert_eq!(api.resume(&b_id).await["is_master"], true);
    // Another owner's read of the same id is still a 404, cached or not.
    let other = server().user("cachedmaster-other").await;
    assert_eq!(other.get(&format!("/v1/resumes/{a_id}")).await.status, 404);
}
