//! The scriptable subcommands of the `vitae` client, end to end: the real
//! binary run as a subprocess against a real server, with `VITAE_URL` and
//! `VITAE_TOKEN` set and `NO_COLOR=1`, every run bounded by a timeout.
//!
//! Covered: upload (with `--wait`, human and `--json`, and a parse that
//! fails: exit 3), list, show (by id prefix), watch (an already finished
//! parse returns at once), master, share/shares/revoke, export (json, md,
//! html with escaping, `-o`), diff (after a PATCH; human, unified and
//! `--json`), revisions, restore, job add/list, tailor (preview and
//! `--confirm`), delete (refused without `--yes` off a terminal), the exit
//! codes of an unknown id (1, the server's 404 message), bad usage (2) and an
//! unreachable server (1, promptly), completions, `--help` of every
//! subcommand, and the local-server mode (`--data-dir`: started on demand,
//! reused, stopped by `vitae server stop`).
//!
//! One server for the file; each test uses a fresh user.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use vitae_tests::*;

/// Bound on one `vitae` run; uploads with `--wait` are the slowest.
const RUN_TIMEOUT: Duration = Duration::from_secs(90);

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// An empty config dir, so a config file of the machine running the tests
/// cannot redirect the client.
fn config_home() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

/// What one run of `vitae` did.
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    /// Assert exit 0; returns self for chaining.
    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "vitae {:?} exited {}\nstdout: {}\nstderr: {}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Assert this exit code and exactly one `vitae:` line on stderr.
    #[track_caller]
    fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "vitae {:?} should exit {code}\nstdout: {}\nstderr: {}",
            self.args, self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.is_empty()).collect();
        assert!(
            lines.last().is_some_and(|l| l.starts_with("vitae: ")),
            "vitae {:?}: the last stderr line explains the failure: {:?}",
            self.args,
            self.stderr
        );
        self
    }

    /// Stdout as exactly one JSON document.
    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "vitae {:?}: stdout is not one JSON document ({e}):\n{}\nstderr: {}",
                self.args, self.stdout, self.stderr
            )
        })
    }
}

/// Run `vitae ARGS` with exactly the given `VITAE_*` variables (any others
/// of the test environment removed), stdin closed, stdout and stderr captured.
fn run_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(client_bin());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("VITAE_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config_home())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn vitae");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vitae {args:?} did not finish within {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    let stdout = String::from_utf8(t_out.join().unwrap()).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        // A signal is not an exit code; -1 makes any assertion on it fail.
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        took,
    }
}

/// Run `vitae ARGS` against the test server as the owner of `token`.
fn vitae(token: &str, args: &[&str]) -> Run {
    run_with(
        args,
        &[("VITAE_URL", server().url()), ("VITAE_TOKEN", token)],
    )
}

fn token(api: &Api) -> String {
    api.token.clone().expect("user token")
}

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("id in {v}"))
        .to_string()
}

/// Upload a fixture with the CLI (`--wait --json`) and return the resource.
fn upload_ready(token: &str, name: &str) -> Value {
    let run = vitae(token, &["upload", &fixture_path(name), "--wait", "--json"]).ok();
    let v = run.json();
    assert_eq!(v["status"], "ready", "{name}: {v}");
    v
}

#[tokio::test]
async fn upload_wait_list_show_and_watch() {
    let user = server().user("cli-up").await;
    let token = token(&user);

    // --json: one document, the ready resource with its document; no
    // progress lines (stderr is not a terminal and output is for machines).
    let run = vitae(
        &token,
        &["upload", &fixture_path("resume.md"), "--wait", "--json"],
    )
    .ok();
    let md = run.json();
    assert_resume_shape(&md);
    assert_eq!(md["status"], "ready", "{md}");
    assert_eq!(md["document"]["basics"]["name"], FIXTURE_NAME, "{md}");
    assert!(
        !run.stderr.contains("extracting"),
        "no progress lines with --json off a terminal: {}",
        run.stderr
    );

    // Human: progress one line per stage on stderr, one `ready` line on stdout.
    let run = vitae(&token, &["upload", &fixture_path("resume.pdf"), "--wait"]).ok();
    let line = run.stdout.trim();
    assert!(line.starts_with("ready "), "{line:?}");
    assert!(line.contains("resume.pdf"), "{line:?}");
    assert!(line.contains("warning"), "the warning count: {line:?}");
    assert_eq!(run.stdout.lines().count(), 1, "one line: {:?}", run.stdout);
    assert!(
        run.stderr.contains("stored"),
        "stage lines on stderr: {}",
        run.stderr
    );
    let pdf_id = line.split_whitespace().nth(1).unwrap().to_string();
    assert_eq!(user.resume(&pdf_id).await["status"], "ready");

    // Without --wait: the pending resource at once.
    let run = vitae(&token, &["upload", &fixture_path("resume.txt"), "--json"]).ok();
    let txt = run.json();
    assert_resume_shape(&txt);
    let txt_id = id_of(&txt);
    user.wait_terminal(&txt_id).await;

    // list, human: a header and one row per resume with the id prefix,
    // status, the master's star and the file name.
    let md_id = id_of(&md);
    let run = vitae(&token, &["list"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "header + 3 rows: {}", run.stdout);
    for word in ["ID", "STATUS", "REV", "UPDATED", "FILE"] {
        assert!(lines[0].contains(word), "header {:?}", lines[0]);
    }
    let master_row = lines
        .iter()
        .find(|l| l.starts_with(&md_id[..8]))
        .unwrap_or_else(|| panic!("a row for {md_id}: {}", run.stdout));
    assert!(master_row.contains("ready"), "{master_row}");
    assert!(
        master_row.contains('★'),
        "the first upload is the master: {master_row}"
    );
    assert!(master_row.ends_with("resume.md"), "{master_row}");
    assert_eq!(
        run.stdout.matches('★').count(),
        1,
        "one master: {}",
        run.stdout
    );

    // list --json: the API's list, without documents.
    let list = vitae(&token, &["list", "--json"]).ok().json();
    let resumes = list["resumes"].as_array().expect("resumes");
    assert_eq!(resumes.len(), 3, "{list}");
    for r in resumes {
        assert_resume_shape(r);
        assert!(r.get("document").is_none(), "no document in lists: {r}");
    }

    // show, by a prefix.
    let run = vitae(&token, &["show", &md_id[..6]]).ok();
    for part in [
        md_id.as_str(),
        "ready",
        FIXTURE_NAME,
        FIXTURE_EMAIL,
        "Work",
        "master",
    ] {
        assert!(
            run.stdout.contains(part),
            "show lacks {part:?}:\n{}",
            run.stdout
        );
    }
    let shown = vitae(&token, &["show", &md_id[..6], "--json"]).ok().json();
    assert_eq!(shown["id"], md_id);
    assert_eq!(shown["document"]["basics"]["email"], FIXTURE_EMAIL);

    // watch on a finished parse answers at once with its state.
    let run = vitae(&token, &["watch", &pdf_id]).ok();
    assert!(
        run.stdout.starts_with(&format!("ready {pdf_id} ")),
        "{}",
        run.stdout
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    let watched = vitae(&token, &["watch", &pdf_id[..8], "--json"])
        .ok()
        .json();
    assert_eq!(watched["id"], pdf_id);
    assert_eq!(watched["status"], "ready");
}

#[tokio::test]
async fn a_failed_parse_exits_3_with_the_reason() {
    let user = server().user("cli-corrupt").await;
    let token = token(&user);
    let run = vitae(&token, &["upload", &fixture_path("corrupt.pdf"), "--wait"]).fails(3);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("corrupt.pdf") && last.contains("failed"),
        "{last}"
    );

    // --json: the failed resource on stdout, still exit 3.
    let run = vitae(
        &token,
        &["upload", &fixture_path("corrupt.pdf"), "--wait", "--json"],
    )
    .fails(3);
    let v = run.json();
    assert_resume_shape(&v);
    assert_eq!(v["status"], "failed", "{v}");
    let reason = v["reason"].as_str().expect("reason");
    assert!(
        run.stderr.contains(reason),
        "the reason on stderr: {}",
        run.stderr
    );

    // watch on it: exit 3 at once.
    let run = vitae(&token, &["watch", &id_of(&v)]).fails(3);
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

#[tokio::test]
async fn master_share_shares_and_revoke() {
    let user = server().user("cli-share").await;
    let token = token(&user);
    let first = upload_ready(&token, "resume.md");
    let second = upload_ready(&token, "resume.json");
    let (first_id, second_id) = (id_of(&first), id_of(&second));
    assert_eq!(first["is_master"], true);

    let run = vitae(&token, &["master", &second_id[..8]]).ok();
    assert!(run.stdout.contains("master"), "{}", run.stdout);
    assert_eq!(user.resume(&second_id).await["is_master"], true);
    assert_eq!(user.resume(&first_id).await["is_master"], false);
    let m = vitae(&token, &["master", &first_id, "--json"]).ok().json();
    assert_eq!(m["is_master"], true, "{m}");

    // share: the URL alone on stdout; --json: the share resource.
    let run = vitae(&token, &["share", &first_id[..8], "--days", "3"]).ok();
    let url = run.stdout.trim().to_string();
    assert!(url.contains("/s/"), "{url:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stderr.contains("vitae revoke"), "{}", run.stderr);
    let share = vitae(&token, &["share", &first_id, "--json"]).ok().json();
    assert_share_shape(&share);
    assert_eq!(share["resume_id"], first_id);
    let share_token = share["token"].as_str().unwrap().to_string();

    // shares: a table, and the list as JSON.
    let run = vitae(&token, &["shares", &first_id[..8]]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "header + 2 shares: {}", run.stdout);
    for word in ["TOKEN", "EXPIRES", "VIEWS", "STATE", "URL"] {
        assert!(lines[0].contains(word), "{}", lines[0]);
    }
    assert!(run.stdout.contains(&share_token), "{}", run.stdout);
    assert!(run.stdout.contains("active"), "{}", run.stdout);
    let listed = vitae(&token, &["shares", &first_id, "--json"]).ok().json();
    assert_eq!(
        listed["shares"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );

    // revoke, and the link is gone.
    let revoked = vitae(&token, &["revoke", &share_token, "--json"])
        .ok()
        .json();
    assert_eq!(revoked["revoked"], true, "{revoked}");
    let r = server().anon().get(&format!("/s/{share_token}")).await;
    assert_eq!(r.status, 410, "a revoked link: {}", r.text());
    let run = vitae(&token, &["shares", &first_id]).ok();
    assert!(run.stdout.contains("revoked"), "{}", run.stdout);
    // Revoking with the URL works too (people paste what they have).
    let run = vitae(&token, &["revoke", &url]).ok();
    assert!(run.stdout.starts_with("revoked "), "{}", run.stdout);
}

#[tokio::test]
async fn export_json_markdown_and_escaped_html() {
    let user = server().user("cli-export").await;
    let token = token(&user);
    let id = id_of(&upload_ready(&token, "resume.md"));
    let r = user
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "<b>Lead</b> & \"co\""}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let doc = vitae(&token, &["export", &id[..8], "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        doc["basics"]["name"], FIXTURE_NAME,
        "the document alone: {doc}"
    );
    assert!(doc.get("document").is_none(), "no wrapper: {doc}");

    let md = vitae(&token, &["export", &id, "--format", "md"])
        .ok()
        .stdout;
    assert!(md.contains(FIXTURE_NAME), "{md}");
    assert!(md.starts_with("# "), "{md}");

    let html = vitae(&token, &["export", &id, "--format", "html"])
        .ok()
        .stdout;
    assert!(html.contains(FIXTURE_NAME), "{html}");
    assert!(
        html.contains("&lt;b&gt;Lead&lt;/b&gt; &amp;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<b>Lead"), "never raw: {html}");

    // -o: the format from the extension; the file holds the page.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cv.html");
    let run = vitae(&token, &["export", &id, "-o", path.to_str().unwrap()]).ok();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("<!doctype html>"), "{written:.80}");

    // --json with md: one document carrying the text.
    let v = vitae(&token, &["export", &id, "--format", "md", "--json"])
        .ok()
        .json();
    assert_eq!(v["format"], "md");
    assert!(v["content"].as_str().unwrap().contains(FIXTURE_NAME));

    // No format and nothing to infer it from: a usage error.
    vitae(&token, &["export", &id]).fails(2);
}

#[tokio::test]
async fn diff_revisions_and_restore() {
    let user = server().user("cli-diff").await;
    let token = token(&user);
    let original = upload_ready(&token, "resume.md");
    let id = id_of(&original);
    let label_before = original["document"]["basics"]["label"].clone();
    let r = user
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "Chief Parcel Officer"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rev2 = r.json()["revision"].as_u64().unwrap();
    let rev1 = original["revision"].as_u64().unwrap();
    assert!(rev2 > rev1);
    let before = format!("{}:rev:{rev1}", &id[..8]);

    // Human: both sides named, the summary, the change grouped by section.
    let run = vitae(&token, &["diff", &before, &id[..8]]).ok();
    let out = &run.stdout;
    assert!(out.contains(&format!("revision {rev1}")), "{out}");
    assert!(out.contains(&format!("revision {rev2}")), "{out}");
    assert!(out.contains("basics: 1 changed"), "the summary: {out}");
    assert!(out.contains("/basics/label"), "{out}");
    assert!(out.contains("Chief Parcel Officer"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour with NO_COLOR / off a terminal: {out:?}"
    );

    let run = vitae(&token, &["diff", &before, &id, "--unified"]).ok();
    assert!(run.stdout.contains("@@ /basics/label"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\n+Chief Parcel Officer\n"),
        "{}",
        run.stdout
    );

    // --json: the API's diff, A before and B after.
    let d = vitae(&token, &["diff", &before, &id, "--json"]).ok().json();
    assert_eq!(d["before"]["revision"], rev1, "{d}");
    assert_eq!(d["after"]["revision"], rev2, "{d}");
    let change = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "/basics/label")
        .unwrap_or_else(|| panic!("a label change in {d}"));
    assert_eq!(change["kind"], "changed");
    assert_eq!(change["after"], "Chief Parcel Officer");
    // Same resume, no changes.
    let run = vitae(&token, &["diff", &id, &id]).ok();
    assert!(run.stdout.contains("no changes"), "{}", run.stdout);

    // revisions: both, with what changed.
    let run = vitae(&token, &["revisions", &id[..8]]).ok();
    assert!(
        run.stdout.lines().next().unwrap().contains("REV"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    let revs = vitae(&token, &["revisions", &id, "--json"]).ok().json();
    assert_eq!(
        revs["revisions"].as_array().map(Vec::len),
        Some(2),
        "{revs}"
    );

    // restore: back to the first, as a new revision.
    let run = vitae(&token, &["restore", &id[..8], &rev1.to_string()]).ok();
    assert!(
        run.stdout.starts_with("restored revision"),
        "{}",
        run.stdout
    );
    let now = user.resume(&id).await;
    assert_eq!(now["document"]["basics"]["label"], label_before, "{now}");
    assert!(now["revision"].as_u64().unwrap() > rev2);
    let run = vitae(&token, &["restore", &id, "99"]).fails(1);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
}

#[tokio::test]
async fn jobs_and_tailoring() {
    let user = server().user("cli-tailor").await;
    let token = token(&user);
    let id = id_of(&upload_ready(&token, "resume.md"));

    let job = vitae(
        &token,
        &["job", "add", &fixture_path("job_backend.md"), "--json"],
    )
    .ok()
    .json();
    let job_id = id_of(&job);
    assert!(
        job["keywords"]["skills"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{job}"
    );
    let run = vitae(
        &token,
        &[
            "job",
            "add",
            &fixture_path("job_platform.txt"),
            "--title",
            "Platform",
        ],
    )
    .ok();
    assert!(run.stdout.starts_with("job "), "{}", run.stdout);
    assert!(run.stdout.contains("Platform"), "{}", run.stdout);

    let run = vitae(&token, &["job", "list"]).ok();
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(run.stdout.contains(&job_id[..8]), "{}", run.stdout);
    let jobs = vitae(&token, &["job", "list", "--json"]).ok().json();
    assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(2), "{jobs}");

    // The preview: human and JSON; nothing stored.
    let run = vitae(&token, &["tailor", &id[..8], "--job", &job_id[..8]]).ok();
    for part in ["score", "matched", "missing", "→"] {
        assert!(run.stdout.contains(part), "{part}: {}", run.stdout);
    }
    let preview = vitae(&token, &["tailor", &id, "--job", &job_id, "--json"])
        .ok()
        .json();
    assert!(preview["preview_hash"].is_string(), "{preview}");
    assert!(preview["match"]["matched"].is_array(), "{preview}");
    assert_eq!(user.list().await.len(), 1, "a preview stores nothing");

    // --confirm: a new resume whose parent is the source.
    let v = vitae(
        &token,
        &["tailor", &id, "--job", &job_id, "--confirm", "--json"],
    )
    .ok()
    .json();
    assert_eq!(v["created"]["parent_id"], id, "{v}");
    assert!(v["preview"]["preview_hash"].is_string(), "{v}");
    let created = id_of(&v["created"]);
    assert_eq!(user.resume(&created).await["parent_id"], id);
    let run = vitae(&token, &["tailor", &id, "--job", &job_id[..8], "--confirm"]).ok();
    assert!(run.stdout.contains("created "), "{}", run.stdout);
    assert_eq!(user.list().await.len(), 3);
}

#[tokio::test]
async fn delete_needs_yes_off_a_terminal() {
    let user = server().user("cli-delete").await;
    let token = token(&user);
    let id = id_of(&upload_ready(&token, "resume.txt"));

    let run = vitae(&token, &["delete", &id[..8]]).fails(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(user.resume(&id).await["id"], id, "still there");

    let run = vitae(&token, &["delete", &id[..8], "--yes"]).ok();
    assert!(run.stdout.contains(&id), "{}", run.stdout);
    let r = user.get(&format!("/v1/resumes/{id}")).await;
    assert_eq!(r.status, 404);

    // Now unknown: the server's 404 with its code and request id.
    let run = vitae(&token, &["show", &id]).fails(1);
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.contains("(404, not_found; request "),
        "the server's message: {last}"
    );
    let run = vitae(&token, &["delete", &id, "--yes"]).fails(1);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
}

#[tokio::test]
async fn unknown_ids_bad_usage_and_bad_servers() {
    let user = server().user("cli-errors").await;
    let token = token(&user);

    // A prefix nothing matches: exit 1, naming the prefix.
    let run = vitae(&token, &["show", "abcdef12"]).fails(1);
    assert!(run.stderr.contains("abcdef12"), "{}", run.stderr);
    let run = vitae(&token, &["show", "00000000-0000-4000-8000-000000000000"]).fails(1);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    let run = vitae(
        &token,
        &[
            "tailor",
            "00000000-0000-4000-8000-000000000000",
            "--job",
            "abcd",
        ],
    )
    .fails(1);
    assert!(run.stderr.contains("job"), "{}", run.stderr);

    // Usage errors are clap's: exit 2.
    for args in [
        &["frobnicate"][..],
        &["show"],
        &["show", "ab"],
        &["show", "not-an-id"],
        &["restore", "abcd", "0"],
        &["share", "abcd", "--days", "zero"],
        &["diff", "abcd"],
        &["diff", "abcd:rev:x", "abcd"],
        &["tailor", "abcd"],
        // (pdf is a format now: an unknown one and a bad option instead.)
        &["export", "abcd", "--format", "odt"],
        &["export", "abcd", "-o", "cv.pdf", "--paper", "a5"],
        &["completions", "tcsh"],
        &["upload", "--wait"],
    ] {
        let run = vitae(&token, args);
        assert_eq!(run.code, 2, "vitae {args:?}: {}", run.stderr);
        assert!(!run.stderr.trim().is_empty(), "vitae {args:?} says why");
        assert!(run.stdout.is_empty(), "vitae {args:?}: {}", run.stdout);
    }
    // A file that is not there: exit 1 before anything is sent.
    let run = vitae(&token, &["upload", "/nonexistent/cv.pdf"]).fails(1);
    assert!(run.stderr.contains("/nonexistent/cv.pdf"), "{}", run.stderr);

    // A bad token: the server's 401.
    let run = vitae("not-a-token", &["list"]).fails(1);
    assert!(run.stderr.contains("401"), "{}", run.stderr);

    // A URL without a token: said at once.
    let run = run_with(&["list"], &[("VITAE_URL", server().url())]).fails(1);
    assert!(run.stderr.contains("VITAE_TOKEN"), "{}", run.stderr);

    // A server that is not there: exit 1 promptly, saying so.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let closed = format!("http://127.0.0.1:{port}");
    for args in [
        &["list"][..],
        &["show", "abcd1234"],
        &["upload", &fixture_path("resume.md"), "--wait"],
    ] {
        let run = run_with(args, &[("VITAE_URL", &closed), ("VITAE_TOKEN", "t")]).fails(1);
        assert!(
            run.stderr.contains("cannot reach the server"),
            "vitae {args:?}: {}",
            run.stderr
        );
        assert!(
            run.took < Duration::from_secs(15),
            "no hang: {:?}",
            run.took
        );
    }
}

/// Every subcommand, as `vitae SUBCOMMAND --help` takes it.
const SUBCOMMANDS: [&[&str]; 22] = [
    &["upload"],
    &["list"],
    &["show"],
    &["watch"],
    &["diff"],
    &["share"],
    &["shares"],
    &["revoke"],
    &["master"],
    &["export"],
    &["templates"],
    &["delete"],
    &["revisions"],
    &["restore"],
    &["job"],
    &["job", "add"],
    &["job", "list"],
    &["tailor"],
    &["completions"],
    &["server"],
    &["server", "status"],
    &["server", "stop"],
];

#[test]
fn help_and_completions_need_no_server() {
    // Nothing listens here: none of these may try.
    let nowhere = [("VITAE_URL", "http://127.0.0.1:9"), ("VITAE_TOKEN", "t")];
    let run = run_with(&["--help"], &nowhere).ok();
    assert!(run.stdout.contains("Exit codes"), "{}", run.stdout);
    for sub in SUBCOMMANDS {
        let mut args = sub.to_vec();
        args.push("--help");
        let run = run_with(&args, &nowhere).ok();
        assert!(
            run.stdout.contains("Usage: vitae"),
            "vitae {args:?}: {}",
            run.stdout
        );
        if sub.len() == 2 || !["job", "server"].contains(&sub[0]) {
            assert!(
                run.stdout.contains("Examples:"),
                "vitae {args:?} has examples: {}",
                run.stdout
            );
        }
    }
    let run = run_with(&["completions", "bash"], &nowhere).ok();
    assert!(run.stdout.contains("upload"), "{:.400}", run.stdout);
    assert!(run.stdout.contains("vitae"), "{:.400}", run.stdout);
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let run = run_with(&["completions", shell], &nowhere).ok();
        assert!(run.stdout.contains("upload"), "{shell}");
    }
}

/// Stops the local server a test started, even when the test fails: it runs
/// in its own session, so nothing else would.
struct LocalServer {
    data_dir: PathBuf,
}

impl LocalServer {
    /// The URL and pid in `DIR/server.url`.
    fn url_file(&self) -> Option<(String, i32)> {
        let text = std::fs::read_to_string(self.data_dir.join("server.url")).ok()?;
        let mut lines = text.lines();
        let url = lines.next()?.trim().to_string();
        let pid = lines.next()?.trim().strip_prefix("pid ")?.parse().ok()?;
        Some((url, pid))
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some((_, pid)) = self.url_file() {
            if alive(pid) {
                // SAFETY: the pid the server we started wrote about itself.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

#[test]
fn local_server_is_started_reused_and_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let guard = LocalServer {
        data_dir: data_dir.clone(),
    };
    let server_bin = server_bin();
    let env = [("VITAE_SERVER_BIN", server_bin.to_str().unwrap())];
    let dd = data_dir.to_str().unwrap();

    let run = run_with(&["server", "status", "--data-dir", dd, "--json"], &env).ok();
    assert_eq!(run.json()["running"], false, "{}", run.stdout);

    let run = run_with(&["list", "--json", "--data-dir", dd], &env).ok();
    assert_eq!(run.json(), json!({"resumes": []}));
    let (url, pid) = guard
        .url_file()
        .expect("server.url after the first command");
    assert!(alive(pid), "the local server keeps running");

    let run = run_with(&["list", "--data-dir", dd], &env).ok();
    assert!(run.stdout.contains("no resumes"), "{}", run.stdout);
    assert_eq!(
        guard.url_file(),
        Some((url.clone(), pid)),
        "the second command reuses the running server"
    );

    let status = run_with(&["server", "status", "--data-dir", dd, "--json"], &env)
        .ok()
        .json();
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["url"], url, "{status}");

    let run = run_with(&["server", "stop", "--data-dir", dd], &env).ok();
    assert!(run.stdout.contains("stopped"), "{}", run.stdout);
    let deadline = Instant::now() + Duration::from_secs(15);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // A zombie still answers kill(0) until reaped by init; /proc says which.
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        !alive(pid) || state.contains(") Z"),
        "the server exits after `vitae server stop`: {state}"
    );
    let run = run_with(&["server", "stop", "--data-dir", dd], &env).ok();
    assert!(run.stdout.contains("no local server"), "{}", run.stdout);
}
