//! Resource limits, against the real server on real sockets: the header
//! and body read timeouts, the cap on open connections, the caps on event
//! streams per owner and in total, and the per-address rate limits on share
//! links and on failed authentication. Past a cap the answer is `503`
//! (server full) or `429` (this client over its share), always with
//! `Retry-After` and the JSON error body; a slot comes back as soon as what
//! held it closes.
//!
//! Each test starts its own server with small limits, so the numbers stay
//! small and the tests fast.

use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vitae_tests::*;

/// A raw answer: status, lower-cased head, body.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// Read one HTTP answer (head and a `content-length` body) from `stream`.
async fn read_answer(stream: &mut TcpStream, within: Duration) -> Option<Raw> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                let status = head.split_whitespace().nth(1)?.parse().ok()?;
                let body = String::from_utf8_lossy(&bytes[end + 4..end + 4 + length]).into_owned();
                return Some(Raw { status, head, body });
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => bytes.extend_from_slice(&buf[..n]),
        }
    }
}

/// Is the connection closed by the server within `within`?
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[track_caller]
fn assert_retry_after(r: &Resp) {
    let value = r.header("retry-after").unwrap_or_default();
    assert!(
        value.parse::<u64>().is_ok_and(|s| s >= 1),
        "Retry-After must be whole seconds ≥ 1, got {value:?}"
    );
}

#[tokio::test]
async fn slow_request_body_gets_408_and_others_are_served_meanwhile() {
    let srv = TestServer::start_with(&["--body-timeout-secs", "2"]);
    let token = srv.create_user("slowbody").await;
    let mut stream = TcpStream::connect(srv.addr()).await.unwrap();
    let head = format!(
        "POST /v1/resumes?filename=slow.md HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/markdown\r\nContent-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 300 ms: never idle long, but far too slow for the body.
    let trickle = async {
        for _ in 0..40 {
            if stream.write_all(b"#").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            // Meanwhile, others are served promptly.
        }
    };
    let others = async {
        for _ in 0..5 {
            let t = Instant::now();
            let r = srv.api(&token).get("/v1/resumes").await;
            assert_eq!(r.status, 200);
            assert!(
                t.elapsed() < Duration::from_secs(1),
                "a normal request waited {:?} behind a slow one",
                t.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let ((), ()) = tokio::join!(
        async {
            tokio::time::timeout(Duration::from_secs(2) + Duration::from_millis(300), trickle)
                .await
                .ok();
        },
        others
    );
    let answer = read_answer(&mut stream, Duration::from_secs(5))
        .await
        .expect("the server must answer a slow body, not hang");
    let took = started.elapsed();
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(answer.head.contains("connection: close"), "{}", answer.head);
    assert!(answer.head.contains("content-type: application/json"));
    let body = answer.json();
    assert_eq!(body["error"]["code"], "request_timeout");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("did not arrive in time"));
    assert!(took < Duration::from_secs(6), "408 took {took:?}");
    assert!(closed_within(&mut stream, Duration::from_secs(3)).await);
    // Nothing was stored.
    assert!(srv.api(&token).list().await.is_empty());
}

#[tokio::test]
async fn slow_request_headers_are_cut_off() {
    let srv = TestServer::start_with(&["--header-timeout-secs", "2"]);
    let mut stream = TcpStream::connect(srv.addr()).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    // A header line every 500 ms, never the blank line that ends them.
    let mut cut = false;
    for i in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if stream
            .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
            .await
            .is_err()
        {
            cut = true;
            break;
        }
        if started.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    // Either the server answered 408 and closed, or it closed outright.
    let closed = cut || {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(4), stream.read_to_end(&mut buf)).await;
        match read {
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                assert!(
                    text.is_empty() || text.starts_with("HTTP/1.1 408"),
                    "unexpected answer to slow headers: {text:?}"
                );
                true
            }
            Err(_) => false,
        }
    };
    assert!(closed, "slow headers kept the connection open");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "cut off after {:?}",
        started.elapsed()
    );
    assert_eq!(srv.anon().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn connections_past_the_cap_get_503_and_slots_come_back() {
    let srv = TestServer::start_with(&["--max-connections", "4"]);
    // Four idle connections hold every slot.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(srv.addr()).await.unwrap());
    }
    // Let the server accept them all before the fifth arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fifth = TcpStream::connect(srv.addr()).await.unwrap();
    fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_answer(&mut fifth, Duration::from_secs(5))
        .await
        .expect("a refused connection still gets an answer");
    assert_eq!(answer.status, 503, "{answer:?}");
    assert!(answer.head.contains("retry-after: 1"), "{}", answer.head);
    assert!(answer.head.contains("connection: close"), "{}", answer.head);
    let body = answer.json();
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("4 connections open"));
    assert!(body["error"]["request_id"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    // Closing one gives its slot back.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut again = TcpStream::connect(srv.addr()).await.unwrap();
        again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let answer = read_answer(&mut again, Duration::from_secs(5))
            .await
            .unwrap();
        if answer.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the slot never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn streams_are_capped_per_owner_and_in_total() {
    let srv = TestServer::start_with(&["--max-streams-per-owner", "2", "--max-streams", "3"]);
    let ann = srv.user("ann").await;
    let bob = srv.user("bob").await;
    let a1 = ann.sse("/v1/events", None).await;
    let a2 = ann.sse("/v1/events", None).await;
    assert_eq!(a1.status, 200);
    assert_eq!(a2.status, 200);
    // Ann's third: her own cap → 429.
    let refused = ann.get("/v1/events").await;
    refused.assert_error(429, "too_many_requests");
    assert_retry_after(&refused);
    assert!(
        refused.text().contains("2 event streams open"),
        "{}",
        refused.text()
    );
    // Bob's first fits the total (3); his second does not → 503.
    let b1 = bob.sse("/v1/events", None).await;
    assert_eq!(b1.status, 200);
    let full = send_unchecked(bob.request(Method::GET, "/v1/events")).await;
    full.assert_error(503, "unavailable");
    assert_retry_after(&full);
    // Parse streams count too.
    let resume = bob.upload_ready("resume.md").await;
    let id = resume["id"].as_str().unwrap();
    let parse = send_unchecked(bob.request(Method::GET, &format!("/v1/resumes/{id}/events"))).await;
    parse.assert_error(503, "unavailable");
    // A stream that ends (the client goes away) gives its slot back.
    drop(a1);
    let deadline = Instant::now() + Duration::from_secs(5);
    let a3 = loop {
        let s = ann.sse("/v1/events", None).await;
        if s.status == 200 {
            break s;
        }
        assert!(Instant::now() < deadline, "the stream slot never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    drop((a2, a3, b1));
}

#[tokio::test]
async fn share_links_are_rate_limited_per_address() {
    let srv = TestServer::start_with(&["--share-rate", "2"]);
    let api = srv.user("rate").await;
    let resume = api.upload_ready("resume.md").await;
    let token = api.share(resume["id"].as_str().unwrap(), &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let anon = srv.anon();
    let path = format!("/s/{token}?format=json");
    // A burst of five times the rate goes through…
    for i in 0..10 {
        let r = anon.get(&path).await;
        assert_eq!(r.status, 200, "view {i}: {}", r.text());
    }
    // …then the address is refused, with how long to wait.
    let refused = anon.get(&path).await;
    refused.assert_error(429, "too_many_requests");
    assert_retry_after(&refused);
    assert!(
        refused.text().contains("share-link views"),
        "{}",
        refused.text()
    );
    // Unknown tokens are limited the same way (guessing costs the same).
    let guess = anon.get("/s/not-a-real-token").await;
    assert_eq!(guess.status, 429);
    // A client cannot pick another address by claiming to be forwarded.
    let spoofed = anon
        .send(
            anon.request(Method::GET, &path)
                .header("x-forwarded-for", "203.0.113.9"),
        )
        .await;
    assert_eq!(
        spoofed.status, 429,
        "X-Forwarded-For from an untrusted peer is ignored"
    );
    // The API itself is not limited by it.
    assert_eq!(api.get("/v1/resumes").await.status, 200);
    // At the rate (2/s), one view is allowed again within a second.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(anon.get(&path).await.status, 200);
    // Refused views were not counted.
    let shares = api.shares(resume["id"].as_str().unwrap()).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut count = shares[0]["access_count"].as_u64().unwrap();
    while count != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        count = api.shares(resume["id"].as_str().unwrap()).await[0]["access_count"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(
        count, 1,
        "11 views were answered, all from one client: they count once an hour"
    );
}

#[tokio::test]
async fn failed_authentication_is_rate_limited_per_address() {
    let srv = TestServer::start_with(&["--auth-failures-per-min", "5"]);
    let good = srv.user("good").await;
    let bad = good.with_token("not-a-token-at-all");
    for i in 0..5 {
        bad.get("/v1/resumes")
            .await
            .assert_error(401, "unauthorized");
        // Requests with no token guess nothing and are never counted.
        good.without_token()
            .get("/v1/resumes")
            .await
            .assert_error(401, "unauthorized");
        let _ = i;
    }
    // The sixth bad token is refused before it is looked at…
    let refused = bad.get("/v1/resumes").await;
    refused.assert_error(429, "too_many_requests");
    assert_retry_after(&refused);
    assert!(
        refused.text().contains("failed authentications"),
        "{}",
        refused.text()
    );
    // …and so is any token from this address while it waits, streams too.
    good.get("/v1/resumes")
        .await
        .assert_error(429, "too_many_requests");
    let stream = send_unchecked(good.request(Method::GET, "/v1/events")).await;
    stream.assert_error(429, "too_many_requests");
    // Public routes need no token and stay open.
    assert_eq!(srv.anon().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let srv = TestServer::start_with(&["--share-rate", "1", "--trusted-proxy", "127.0.0.1"]);
    let api = srv.user("proxied").await;
    let resume = api.upload_ready("resume.md").await;
    let token = api.share(resume["id"].as_str().unwrap(), &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let anon = srv.anon();
    let path = format!("/s/{token}?format=json");
    let view = |client: &'static str| {
        let rb = anon
            .request(Method::GET, &path)
            // What the client claimed, then what the proxy appended.
            .header("x-forwarded-for", format!("198.51.100.66, {client}"));
        anon.send(rb)
    };
    for _ in 0..5 {
        assert_eq!(view("203.0.113.1").await.status, 200);
    }
    view("203.0.113.1")
        .await
        .assert_error(429, "too_many_requests");
    // Another client behind the same proxy is not held back by the first…
    assert_eq!(view("203.0.113.2").await.status, 200);
    // …and the address the client claimed before the proxy's is not the one counted.
    assert_eq!(view("203.0.113.3").await.status, 200);
}
