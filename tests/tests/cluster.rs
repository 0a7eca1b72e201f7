//! Several server instances on one PostgreSQL database share one parse
//! queue (server/src/store/postgres/queue.rs): an instance killed in the
//! middle of parses loses no upload (the others take its jobs over once
//! their leases run out, and no resume is parsed twice to two results),
//! and the queue's capacity holds for the whole cluster, not per instance.
//!
//! These tests always run on PostgreSQL (a database of their own on the
//! test binary's throw-away cluster); without PostgreSQL installed they say
//! they skipped, unless `VITAE_REQUIRE_POSTGRES=1`, where they fail.

use std::collections::HashMap;

use serde_json::Value;
use vitae_tests::cluster::Instances;
use vitae_tests::*;

/// A user made on the first instance, with a client on every instance.
async fn user_everywhere(instances: &Instances, name: &str) -> Vec<Api> {
    let token = instances.servers[0].create_user(name).await;
    instances
        .servers
        .iter()
        .map(|server| server.api(&token))
        .collect()
}

/// The `resume=<id>` of every "parse finished" line in a server log.
fn finished_parses(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains("parse finished"))
        .filter_map(|line| {
            let at = line.find("resume=")? + "resume=".len();
            Some(line[at..].chars().take(36).collect())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_mid_parse_loses_no_upload_and_none_is_parsed_twice() {
    // One worker each, and slow parses (a huge text runs into the 3 s
    // budget) among real PDF, DOCX and Markdown files: parses are running
    // on every instance when one is killed.
    let Some(mut instances) = Instances::start(
        "cluster kill -9",
        3,
        &["--workers", "1", "--parse-timeout-secs", "3"],
    ) else {
        return;
    };
    let clients = user_everywhere(&instances, "cluster-kill").await;
    let huge = huge_text_resume();
    let mut uploaded: HashMap<String, &str> = HashMap::new();
    for i in 0..20 {
        let api = &clients[i % 3];
        let (bytes, content_type, name) = match i % 5 {
            0 | 3 => (huge.clone(), "text/plain", "huge.txt"),
            1 => (fixture("resume.pdf"), "application/pdf", "resume.pdf"),
            2 => (
                fixture("resume.docx"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "resume.docx",
            ),
            _ => (fixture("resume.md"), "text/markdown", "resume.md"),
        };
        let r = api.upload(bytes, content_type, name).await;
        assert_eq!(r.status, 202, "upload {i}: {}", r.text());
        uploaded.insert(r.json()["id"].as_str().unwrap().to_string(), name);
    }
    // Three resumes `parsing` at once: with one worker per instance, the
    // third instance is in the middle of one.
    loop {
        let parsing = clients[0]
            .list()
            .await
            .iter()
            .filter(|r| r["status"] == "parsing")
            .count();
        if parsing >= 3 {
            break;
        }
        let done = clients[0]
            .list()
            .await
            .iter()
            .filter(|r| r["status"] == "ready" || r["status"] == "failed")
            .count();
        assert!(done < 20, "every parse ended before three ran at once");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    instances.servers[2].kill9();

    // The survivors finish all 20: the killed instance's parse after its
    // lease runs out (PARSE_TIMEOUT bounds the wait: a minute).
    let list = clients[0].wait_all_terminal(20).await;
    assert_eq!(list.len(), 20);
    let mut documents: HashMap<&str, Value> = HashMap::new();
    for summary in &list {
        let id = summary["id"].as_str().unwrap();
        let name = uploaded[id];
        let resume = clients[1].resume(id).await;
        match resume["status"].as_str() {
            Some("ready") => {
                // Stored once: the parse's revision, no second write.
                assert_eq!(resume["revision"], 1, "{resume}");
                if name != "huge.txt" {
                    // The same file parses to the same document on any
                    // instance, after a takeover too.
                    let seen = documents
                        .entry(name)
                        .or_insert_with(|| resume["document"].clone());
                    assert_eq!(*seen, resume["document"], "{name} parsed to two documents");
                }
            }
            Some("failed") => assert!(
                name == "huge.txt" || !resume["reason"].as_str().unwrap_or("").is_empty(),
                "{resume}"
            ),
            other => panic!("{id} ended {other:?}"),
        }
    }
    // No resume's outcome was stored twice, across every instance's log.
    let mut finishes: HashMap<String, usize> = HashMap::new();
    for server in &instances.servers {
        for id in finished_parses(&server.stderr_contents()) {
            *finishes.entry(id).or_default() += 1;
        }
    }
    for (id, count) in &finishes {
        assert_eq!(*count, 1, "resume {id} finished {count} times");
    }
    let survivors: usize = instances.servers[..2]
        .iter()
        .map(|s| finished_parses(&s.stderr_contents()).len())
        .sum();
    assert!(survivors > 0, "the survivors parsed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_parse_queue_is_full_for_the_whole_cluster_not_per_instance() {
    const CAPACITY: usize = 3;
    let capacity = CAPACITY.to_string();
    let Some(instances) = Instances::start(
        "cluster queue capacity",
        2,
        &["--workers", "1", "--queue-capacity", &capacity],
    ) else {
        return;
    };
    let clients = user_everywhere(&instances, "cluster-full").await;
    // Slow parses keep both workers busy: uploads wait, on both instances
    // in turn, until the cluster's queue is full.
    let huge = huge_text_resume();
    let mut accepted = [0usize; 2];
    let mut refused_on = None;
    for i in 0..20 {
        let r = clients[i % 2]
            .upload(huge.clone(), "text/plain", &format!("slow{i}.txt"))
            .await;
        if r.status == 429 {
            let body = r.assert_error(429, "too_many_requests");
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains("parse queue is full"), "{body}");
            assert_eq!(r.header("retry-after").as_deref(), Some("5"));
            refused_on = Some(i % 2);
            break;
        }
        assert_eq!(r.status, 202, "{}", r.text());
        accepted[i % 2] += 1;
    }
    let refused_on = refused_on.expect("the cluster's queue never filled");
    // A queue per instance would have taken `CAPACITY` waiting uploads on
    // the refusing instance, beside its running parse: the cluster's was
    // full before this instance's own uploads filled one.
    assert!(
        accepted[refused_on] <= CAPACITY,
        "refused only after {} uploads on the refusing instance: {accepted:?}",
        accepted[refused_on]
    );
    // And the other instance refuses too: the same queue.
    let other = 1 - refused_on;
    let r = clients[other]
        .upload(huge.clone(), "text/plain", "one-more.txt")
        .await;
    r.assert_error(429, "too_many_requests");
    // Nothing refused was stored.
    let stored = clients[0].list().await.len();
    assert_eq!(stored, accepted[0] + accepted[1]);
}
