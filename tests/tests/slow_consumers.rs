//! A lagging SSE subscriber never delays the others.
//!
//! 1,000 subscribers of one owner's account stream never read their
//! sockets. Each connects with a `Last-Event-ID` hundreds of events back,
//! so the replay alone (~100 KB) fills its socket and the server's buffers
//! for it: from then on it is a subscriber that lags. One fast subscriber
//! of the same stream then measures, for each of a few hundred changes, the
//! time from the write's acknowledgement to the event's arrival. Every stream of the owner shares one broadcast
//! channel in the hub, so this is the worst case for head-of-line blocking.
//! The fast subscriber's latency must stay within 50 ms (p99), and a slow
//! one, once it reads, must find either every event or a `resync`, never a
//! gap it was not told of.
//!
//! What this shows about the design: a subscriber's stream is polled by its
//! own connection task only when its socket takes bytes, so a reader that
//! stops costs the others nothing once its buffers are full, and until then
//! exactly what a fast reader costs (one write per event). The latency
//! measured is the fan-out of each event to 1,001 sockets.
//!
//! Its own test binary, so no other test competes for the two cores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use vitae_tests::*;

const SLOW: usize = 1000;
const CHANGES: usize = 300;
/// Changes before the slow subscribers come, replayed to each of them.
const WARM_UP: usize = 400;
const BOUND: Duration = Duration::from_millis(50);

async fn slow_subscriber(
    addr: std::net::SocketAddr,
    token: &str,
    last_event_id: &str,
) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    // A small window: the server's writes to this one stall quickly.
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let request = format!(
        "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\nLast-Event-ID: {last_event_id}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_slow_subscribers_do_not_delay_a_fast_one() {
    let srv = TestServer::start_with(&["--max-streams-per-owner", "2000"]);
    let token = srv.create_user("fanout").await;
    let api = srv.api(&token);
    let resume = api.upload_ready("resume.md").await;
    let id = resume["id"].as_str().unwrap().to_string();
    let addr: std::net::SocketAddr = srv.url().trim_start_matches("http://").parse().unwrap();

    let mut fast = api.sse("/v1/events", None).await;
    assert_eq!(fast.status, 200);
    // Arrival times of share.created events, by share token; and the id
    // of the first event.
    let arrivals: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let first_id: Arc<Mutex<Option<String>>> = Arc::default();
    let reader = {
        let arrivals = arrivals.clone();
        let first_id = first_id.clone();
        tokio::spawn(async move {
            loop {
                let Ok(Some(frame)) = fast.try_next_frame(Duration::from_secs(60)).await else {
                    return;
                };
                if frame.event_name() == "share.created" {
                    first_id
                        .lock()
                        .unwrap()
                        .get_or_insert(frame.id.clone().unwrap());
                    let token = frame.json()["share_token"].as_str().unwrap().to_string();
                    arrivals.lock().unwrap().insert(token, Instant::now());
                }
            }
        })
    };
    for _ in 0..WARM_UP {
        api.share(&id, &json!({})).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().unwrap().len() < WARM_UP && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_id = first_id
        .lock()
        .unwrap()
        .clone()
        .expect("no event reached the fast subscriber");

    let mut slow = Vec::with_capacity(SLOW);
    for _ in 0..SLOW {
        slow.push(slow_subscriber(addr, &token, &first_id).await);
    }
    // Let the server take all 1,001 streams in and write what it can of
    // the replays.
    tokio::time::sleep(Duration::from_secs(1)).await;

    arrivals.lock().unwrap().clear();
    let mut acked = Vec::with_capacity(CHANGES);
    for _ in 0..CHANGES {
        let share = api.share(&id, &json!({})).await;
        acked.push((share["token"].as_str().unwrap().to_string(), Instant::now()));
    }
    // Every event reaches the fast subscriber.
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().unwrap().len() < CHANGES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reader.abort();
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), CHANGES, "the fast subscriber missed events");
    let mut latencies: Vec<Duration> = acked
        .iter()
        .map(|(token, at)| arrivals[token].saturating_duration_since(*at))
        .collect();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "fast subscriber, {SLOW} slow ones, {CHANGES} changes: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.5),
        pct(0.99),
        latencies[latencies.len() - 1]
    );

    // The slow ones really lagged: when one reads at last, it finds the
    // replay, then a resync (it missed more than the hub keeps per
    // subscriber), never a silent gap.
    let mut probe = slow.pop().unwrap();
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(500), probe.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&seen);
    let created = text.matches("event: share.created").count();
    assert!(
        created == WARM_UP - 1 + CHANGES || text.contains("event: resync"),
        "a slow subscriber got {created} of {} events and no resync",
        WARM_UP - 1 + CHANGES
    );
    println!(
        "a slow subscriber, read at last: {created} events, resync: {}",
        text.contains("event: resync")
    );

    // The bound holds for the 99th percentile: on a shared 2-core machine a
    // single event now and then waits for the scheduler, whatever the
    // server does (the max is printed above and in the issue note).
    let p99 = pct(0.99);
    assert!(
        p99 <= BOUND,
        "the fast subscriber's p99 was {p99:?} (p50 {:?}, max {:?}) with {SLOW} slow ones",
        pct(0.5),
        latencies[latencies.len() - 1]
    );
    drop(slow);
}
