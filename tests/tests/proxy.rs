//! Behind a real reverse proxy: Debian's nginx runs the config shipped in
//! `docs/deploy/nginx.conf` (its upstream, listen address and log path
//! replaced, nothing else) in front of a real server, and everything a
//! client does goes through it:
//! - account events arrive live, while the stream stays open (a buffering
//!   proxy would hold a small event until its buffer filled or the stream
//!   ended, and the wait below would run out);
//! - a parse stream opened through the proxy ends with `complete`;
//! - a reconnect with `Last-Event-ID` is replayed exactly from there;
//! - neither `?access_token=` nor a share token reaches the proxy's access
//!   log.
//!
//! nginx must be installed (`.ci/run` installs it). Without it the test says
//! so and returns, unless `VITAE_REQUIRE_PROXY_TESTS=1` (which `.ci/run`
//! sets), where it fails instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vitae_tests::*;

const SHIPPED: &str = include_str!("../../docs/deploy/nginx.conf");

/// nginx, running the shipped config for one test; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

/// The shipped site config with this test's upstreams, port and log path.
/// Each replaced line must be found: if the shipped file changes shape,
/// this test must change with it, not quietly run something else.
fn site_config(upstreams: &[String], port: u16, access_log: &Path) -> String {
    let mut site = SHIPPED.to_string();
    let servers_start = site
        .find("    server 127.0.0.1:7878")
        .expect("the shipped upstream lists 127.0.0.1:7878");
    let servers_end = site[servers_start..]
        .find("    keepalive")
        .map(|i| servers_start + i)
        .expect("the upstream's keepalive line");
    let servers: String = upstreams
        .iter()
        .map(|u| format!("    server {u} max_fails=1 fail_timeout=5s;\n"))
        .collect();
    site.replace_range(servers_start..servers_end, &servers);
    for (from, to) in [
        ("    listen 80;", format!("    listen 127.0.0.1:{port};")),
        (
            "/var/log/nginx/vitae.access.log",
            access_log.display().to_string(),
        ),
    ] {
        assert!(site.contains(from), "the shipped config has {from:?}");
        site = site.replace(from, &to);
    }
    site
}

impl Nginx {
    fn start(binary: &Path, upstreams: &[String]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let site = dir.path().join("vitae.conf");
        std::fs::write(
            &site,
            site_config(upstreams, port, &dir.path().join("access.log")),
        )
        .unwrap();
        let d = dir.path().display();
        // One process (no master and workers), so killing it at drop
        // leaves nothing behind.
        // As root, nginx's workers would switch to `nobody`, who cannot
        // write the temporary dirs of this root-owned temp dir.
        let user = if running_as_root() { "user root;" } else { "" };
        let main = format!(
            "{user}\ndaemon off;\nmaster_process off;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\nevents {{ worker_connections 256; }}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n\
             scgi_temp_path {d}/scgi;\n  include {d}/vitae.conf;\n}}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, main).unwrap();
        let check = Command::new(binary)
            .args(["-t", "-q", "-e"])
            .arg(dir.path().join("error.log"))
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .output()
            .expect("nginx -t");
        assert!(
            check.status.success(),
            "nginx rejects the shipped config: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new(binary)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let nginx = Nginx { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

fn nginx_or_skip(test: &str) -> Option<PathBuf> {
    let binary = nginx_binary();
    if binary.is_none() {
        assert!(
            std::env::var_os("VITAE_REQUIRE_PROXY_TESTS").is_none(),
            "{test} needs nginx (apt-get install nginx) and VITAE_REQUIRE_PROXY_TESTS is set"
        );
        eprintln!("{test}: skipped, nginx is not installed");
    }
    binary
}

#[tokio::test]
async fn events_pass_the_shipped_nginx_config_live_and_replay_on_reconnect() {
    let Some(binary) = nginx_or_skip("events_pass_the_shipped_nginx_config_live") else {
        return;
    };
    // Two upstream entries, as a deployment lists its instances; both are
    // this one server, since one embedded store cannot be shared.
    let server = TestServer::start_with(&["--trusted-proxy", "127.0.0.1"]);
    let nginx = Nginx::start(&binary, &[server.addr(), server.addr()]);
    let token = server.create_user("proxied").await;
    let api = Api::new(&nginx.url(), Some(&token));

    let health = api.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.text());
    assert!(health.header("x-request-id").is_some());

    // Live: the upload's events reach a stream that stays open.
    let mut events = api.sse("/v1/events", None).await;
    events.assert_sse_headers_through_proxy();
    let created = api.upload_fixture("resume.md").await;
    let id = created["id"].as_str().unwrap().to_string();
    let live = events
        .read_until(Duration::from_secs(30), |f| {
            f.event_name() == "resume.updated" && f.json()["status"] == "ready"
        })
        .await;
    assert_eq!(live[0].event_name(), "resume.created", "{live:#?}");
    // And one more, made after the stream is known to be flowing.
    let share = api.share(&id, &json!({})).await;
    let share_token = share["token"].as_str().unwrap().to_string();
    let more = events
        .read_until(Duration::from_secs(10), |f| {
            f.event_name() == "share.created"
        })
        .await;
    assert_eq!(
        more.last().unwrap().json()["share_token"],
        share_token.as_str()
    );
    drop(events);

    // The parse stream through the proxy ends with `complete`.
    let mut parse = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
    parse.assert_sse_headers_through_proxy();
    parse
        .wait_for_event("complete", Duration::from_secs(10))
        .await;

    // A reconnect with Last-Event-ID gets exactly what came after it.
    let all: Vec<SseFrame> = live.iter().chain(&more).cloned().collect();
    let last = all[0].id.clone().expect("events carry ids");
    let want: Vec<String> = all[1..].iter().filter_map(|f| f.id.clone()).collect();
    let mut again = api.sse("/v1/events", Some(&last)).await;
    again.assert_sse_headers_through_proxy();
    let final_id = want.last().unwrap().clone();
    let replayed = again
        .read_until(Duration::from_secs(10), |f| {
            f.id.as_deref() == Some(final_id.as_str())
        })
        .await;
    let got: Vec<String> = replayed.iter().filter_map(|f| f.id.clone()).collect();
    assert_eq!(got, want, "replay through the proxy after {last}");
    drop(again);

    // A browser's EventSource sends its token in the query: nginx must not
    // log it (the shipped log format leaves queries out).
    let by_query = api.sse_query_token("/v1/events", &token).await;
    by_query.assert_sse_headers_through_proxy();
    drop(by_query);
    let public = Api::new(&nginx.url(), None)
        .get(&format!("/s/{share_token}?format=json"))
        .await;
    assert_eq!(public.status, 200, "{}", public.text());
    // nginx writes a request's line once it has sent the answer: wait for
    // the last one.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = nginx.access_log();
    while !log.contains("/s/<token>") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        log = nginx.access_log();
    }
    assert!(log.contains("/v1/events"), "{log}");
    assert!(
        !log.contains(&token),
        "the access token reached nginx's log:\n{log}"
    );
    assert!(!log.contains("access_token"), "{log}");
    assert!(log.contains("/s/<token>"), "{log}");
    assert!(
        !log.contains(&share_token),
        "a share token reached nginx's log:\n{log}"
    );
}

/// On PostgreSQL, the shipped config in front of two different instances
/// on one database: a stream opened through nginx (on either instance) gets
/// changes made on both live, and reconnects with `Last-Event-ID`, which
/// nginx spreads over both instances in turn, each replay exactly what came
/// after it. Skipped without nginx or PostgreSQL (unless the
/// `VITAE_REQUIRE_*` variables say they must run).
#[tokio::test]
async fn two_instances_behind_the_shipped_nginx_config_share_events_and_replay() {
    let Some(binary) = nginx_or_skip("two_instances_behind_the_shipped_nginx_config") else {
        return;
    };
    let Some(cluster) = vitae_tests::postgres::cluster_or_skip("two instances behind nginx") else {
        return;
    };
    let instances =
        vitae_tests::instances::Instances::start(cluster, 2, &["--trusted-proxy", "127.0.0.1"]);
    let (a, b) = (instances.get(0), instances.get(1));
    let nginx = Nginx::start(&binary, &[a.addr(), b.addr()]);
    let token = a.create_user("proxied2").await;
    let api = Api::new(&nginx.url(), Some(&token));
    let direct = [a.api(&token), b.api(&token)];

    let mut events = api.sse("/v1/events", None).await;
    events.assert_sse_headers_through_proxy();
    let mut ids = Vec::new();
    for instance in &direct {
        let created = instance.upload_fixture("resume.md").await;
        let id = created["id"].as_str().unwrap().to_string();
        let live = events
            .read_until(Duration::from_secs(30), |f| {
                f.event_name() == "resume.updated"
                    && f.json()["resume_id"] == id.as_str()
                    && f.json()["status"] == "ready"
            })
            .await;
        ids.extend(live.iter().filter_map(|f| f.id.clone()));
    }
    drop(events);
    assert!(ids.len() >= 4, "{ids:?}");
    // Every reconnect replays exactly what came after its id; round robin
    // lands them on both instances.
    for round in 0..4 {
        let from = round % (ids.len() - 1);
        let mut again = api.sse("/v1/events", Some(&ids[from])).await;
        again.assert_sse_headers_through_proxy();
        let last = ids.last().unwrap().clone();
        let replayed = again
            .read_until(Duration::from_secs(10), |f| {
                f.id.as_deref() == Some(last.as_str())
            })
            .await;
        let got: Vec<String> = replayed.iter().filter_map(|f| f.id.clone()).collect();
        assert_eq!(
            got,
            ids[from + 1..].to_vec(),
            "round {round}: replay after {}",
            ids[from]
        );
    }
}
