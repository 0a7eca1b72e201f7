//! The terminal UI in a real pseudo-terminal: `vitae` runs inside tmux
//! against a real server, keys go in with `send-keys`, and what the user
//! would see is read back with `capture-pane`.
//!
//! Proves the main flows end to end: the library appears (live over SSE),
//! a file is picked in the upload screen, its parse is followed to the
//! review screen, a share link is created and listed (and one with a
//! label, a password, a pin, hidden fields and no downloads through the
//! new-link form, its view history then opened; `vitae share --password`
//! asks twice without echo), help opens and closes, and quitting leaves
//! with status 0 and the terminal restored (the pane is back at the
//! shell's plain screen, not the alternate one).
//!
//! Needs tmux (`.ci/run` installs it). Each test uses its own tmux server
//! socket (`-L`), so tests run in parallel and never touch a user's tmux.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use vitae_tests::*;

const WAIT: Duration = Duration::from_secs(20);

/// One tmux server (own socket) running `vitae` in a 120×40 pane.
struct Tmux {
    socket: String,
    exit_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn start(server: &TestServer, token: &str, extra_env: &[(&str, &str)]) -> Tmux {
        Tmux::run(server, token, extra_env, &[])
    }

    /// `vitae ARGS` (plain words: no quoting is done) in the pane.
    fn run(server: &TestServer, token: &str, extra_env: &[(&str, &str)], args: &[&str]) -> Tmux {
        let dir = tempfile::tempdir().expect("temp dir");
        let exit_file = dir.path().join("exit-status");
        let socket = format!("vitae-test-{}", uuid::Uuid::new_v4().simple());
        let mut env = format!(
            "VITAE_URL={} VITAE_TOKEN={token} NO_COLOR=1 TERM=xterm-256color HOME={}",
            server.url(),
            dir.path().display()
        );
        for (k, v) in extra_env {
            env.push_str(&format!(" {k}={v}"));
        }
        // The pane runs a shell that records vitae's exit status, then
        // waits, so the final screen can still be read after vitae exits.
        let script = format!(
            "cd {root} && env {env} {bin} {args}; echo $? > {exit}; printf 'VITAE-EXITED'; sleep 60",
            root = workspace_root().display(),
            bin = client_bin().display(),
            args = args.join(" "),
            exit = exit_file.display(),
        );
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
            ])
            .arg(script)
            .status()
            .expect("run tmux (is it installed? .ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux {
            socket,
            exit_file,
            _dir: dir,
        }
    }

    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Send keys by tmux name (`Enter`, `Escape`, `q`, …).
    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Type text literally.
    fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .expect("tmux send-keys -l");
        assert!(status.success());
    }

    /// Wait until the screen contains `needle`; panics with the screen.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.capture();
            if screen.contains(needle) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited {WAIT:?} for {needle:?}; the screen is:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn exit_status(&self) -> Option<String> {
        std::fs::read_to_string(&self.exit_file)
            .ok()
            .map(|s| s.trim().to_string())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_watch_review_share_and_quit() {
    let server = TestServer::start();
    let token = server.create_user("tui").await;
    let api = server.api(&token);
    let tmux = Tmux::start(&server, &token, &[]);

    // The library, empty, with the live indicator from /v1/events.
    // "Resumes (0)" shows while the list is still loading; wait for the loaded list.
    let screen = tmux.wait_for("No resumes yet");
    assert!(screen.contains("Resumes (0)"), "{screen}");
    tmux.wait_for("● live");

    // Help lists this screen's keys, and any key closes it.
    tmux.keys(&["?"]);
    let help = tmux.wait_for("Keys: Library");
    assert!(help.contains("upload a file"), "{help}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("No resumes yet");

    // Upload: type the fixture's path in the picker and press Enter.
    tmux.keys(&["u"]);
    tmux.wait_for("Upload a resume");
    tmux.type_text(&fixture_path("resume.pdf"));
    tmux.keys(&["Enter"]);

    // The parse is followed to the end, and the review screen opens on its own.
    let review = tmux.wait_for("Review resume.pdf");
    assert!(review.contains("Zoë Lindqvist"), "{review}");
    let resumes = api.list().await;
    assert_eq!(resumes.len(), 1);
    assert_eq!(resumes[0]["status"], "ready");
    let id = resumes[0]["id"].as_str().unwrap().to_string();

    // Share: a new link with the default expiry, then listed with 0 views.
    tmux.keys(&["s"]);
    tmux.wait_for("Share resume.pdf");
    tmux.keys(&["n"]);
    tmux.wait_for("expires in days");
    tmux.keys(&["Enter"]);
    let shares = wait_until(|| async { api.shares(&id).await }, |s| s.len() == 1).await;
    let token_prefix: String = shares[0]["token"]
        .as_str()
        .unwrap()
        .chars()
        .take(8)
        .collect();
    let listed = tmux.wait_for(&token_prefix);
    assert!(
        listed.contains(&shares[0]["url"].as_str().unwrap()[..20]),
        "{listed}"
    );

    // Back out to the library (the resume is listed, master), and quit.
    tmux.keys(&["q"]);
    tmux.wait_for("Review resume.pdf");
    tmux.keys(&["q"]);
    let library = tmux.wait_for("Resumes (1)");
    assert!(
        library.contains("★"),
        "the first ready resume is master: {library}"
    );
    tmux.keys(&["q"]);
    let after = tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"), "{after}");
    // The alternate screen is gone: the UI's frame is no longer on screen.
    assert!(
        !after.contains("Resumes (1)"),
        "terminal not restored:\n{after}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_parse_shows_the_reason_and_the_library_updates_live() {
    let server = TestServer::start();
    let token = server.create_user("tuifail").await;
    let api = server.api(&token);
    let tmux = Tmux::start(&server, &token, &[]);
    tmux.wait_for("● live");

    // A resume uploaded by someone else (a script) appears without a key press.
    api.upload_ready("resume.md").await;
    tmux.wait_for("resume.md");

    tmux.keys(&["u"]);
    tmux.wait_for("Upload a resume");
    tmux.type_text(&fixture_path("corrupt.pdf"));
    tmux.keys(&["Enter"]);
    let failed = tmux.wait_for("The parse failed");
    assert!(failed.contains("r: upload it again"), "{failed}");
    tmux.keys(&["q"]);
    let library = tmux.wait_for("✕ failed");
    assert!(library.contains("Resumes (2)"), "{library}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_a_clear_error_not_a_broken_terminal() {
    let server = TestServer::start();
    let token = server.create_user("tuidown").await;
    let tmux = Tmux::start(&server, &token, &[("VITAE_URL", "http://127.0.0.1:9")]);
    let screen = tmux.wait_for("VITAE-EXITED");
    assert!(screen.contains("vitae:"), "an error line: {screen}");
    assert_ne!(tmux.exit_status().as_deref(), Some("0"));
}

/// Poll `fetch` until `done` holds (bounded), returning the last value.
async fn wait_until<T, F, Fut>(fetch: F, done: impl Fn(&T) -> bool) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        let value = fetch().await;
        if done(&value) || Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Full editing in the terminal, end to end: a job with two bullets is
/// added in the review screen, its bullets and the job itself reordered,
/// and the whole draft saved as one revision, whose diff the client then
/// shows; the stored document has the job, in its place, with both
/// bullets in the new order.
#[tokio::test(flavor = "multi_thread")]
async fn review_adds_a_job_with_two_bullets_reorders_and_saves_one_revision() {
    let server = TestServer::start();
    let token = server.create_user("tuiedit").await;
    let api = server.api(&token);
    let uploaded = api.upload_ready("resume.md").await;
    let id = uploaded["id"].as_str().unwrap().to_string();
    let before = api.resume(&id).await;
    assert_eq!(before["revision"], 1);
    let jobs_before = before["document"]["work"].as_array().unwrap().clone();
    assert!(jobs_before.len() >= 2, "{before}");

    let tmux = Tmux::start(&server, &token, &[]);
    tmux.wait_for("resume.md");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Review resume.md");
    // The title shows before the document has loaded, and keys sent while
    // it loads are not for its sections: wait for a loaded field.
    tmux.wait_for("Zoë Lindqvist");
    // Basics, then Work: its fields, the first job's name selected.
    tmux.keys(&["j"]);
    tmux.wait_for("Work ·");
    tmux.keys(&["l"]);

    // a: a new job after the first one, its name being edited.
    tmux.keys(&["a"]);
    tmux.wait_for("Esc: take it back");
    tmux.type_text("Initech");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 unsaved change");
    // i: two bullets.
    tmux.keys(&["i"]);
    tmux.wait_for("Esc: take it back");
    tmux.type_text("Shipped the TPS report service");
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 unsaved changes");
    tmux.keys(&["i"]);
    tmux.wait_for("Esc: take it back");
    tmux.type_text("Cut costs by half");
    tmux.keys(&["Enter"]);
    tmux.wait_for("3 unsaved changes");
    // K on the second bullet moves it first; then, on a field of the job
    // (k: up to its description), K moves the job itself to the top.
    tmux.keys(&["K"]);
    tmux.wait_for("4 unsaved changes");
    tmux.keys(&["k", "K"]);
    let moved = tmux.wait_for("5 unsaved changes");
    assert!(moved.contains("work[0]  Initech"), "{moved}");
    // Nothing is stored until w.
    assert_eq!(api.resume(&id).await["revision"], 1);

    tmux.keys(&["w"]);
    tmux.wait_for("saved: revision 2");

    // d: the diff against the previous revision shows the new job.
    tmux.keys(&["d"]);
    tmux.wait_for("r1 → r2");
    let diff = tmux.wait_for("Cut costs by half");
    assert!(diff.contains("Initech"), "{diff}");

    let after = api.resume(&id).await;
    assert_eq!(after["revision"], 2, "one PATCH, one revision");
    let work = after["document"]["work"].as_array().unwrap();
    assert_eq!(work.len(), jobs_before.len() + 1);
    assert_eq!(work[0]["name"], "Initech");
    assert_eq!(
        work[0]["highlights"],
        serde_json::json!(["Cut costs by half", "Shipped the TPS report service"])
    );
    assert_eq!(
        &work[1..],
        &jobs_before[..],
        "the other jobs untouched, in order"
    );

    tmux.keys(&["C-c"]);
    tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"));
}

/// The share screen's new-link form, end to end: a labelled, pinned,
/// password-protected, page-only link hiding the email and phone, made
/// with the keyboard alone; the password never appears on screen; the API
/// then asks for it (401 without, 200 with HTTP Basic `:PASSWORD`, as
/// `curl -u :PASSWORD` sends it), and the view it counted shows in the
/// link's history.
#[tokio::test(flavor = "multi_thread")]
async fn share_form_makes_a_labelled_password_link_and_shows_its_views() {
    const PASSWORD: &str = "tmux pw 9";
    let server = TestServer::start();
    let token = server.create_user("tuishare").await;
    let api = server.api(&token);
    let uploaded = api.upload_ready("resume.md").await;
    let id = uploaded["id"].as_str().unwrap().to_string();
    let email = uploaded["document"]["basics"]["email"]
        .as_str()
        .expect("the fixture has an email")
        .to_string();

    let tmux = Tmux::start(&server, &token, &[]);
    tmux.wait_for("resume.md");
    tmux.keys(&["s"]);
    tmux.wait_for("No share links yet");
    tmux.keys(&["n"]);
    tmux.wait_for("New share link");
    // Days stay 30; then label, password, pin, downloads, hide.
    tmux.keys(&["Tab"]);
    tmux.type_text("Acme Corp, backend role");
    tmux.keys(&["Tab"]);
    tmux.type_text(PASSWORD);
    let form = tmux.wait_for("•••••••••");
    assert!(!form.contains(PASSWORD), "the password is masked:\n{form}");
    tmux.keys(&["Tab", "Space"]);
    tmux.wait_for("[x] this revision");
    tmux.keys(&["Tab", "Space"]);
    tmux.wait_for("[ ] the page only");
    tmux.keys(&["Tab", "Space", "Right", "Space"]);
    tmux.wait_for("[x] phone");
    let form = tmux.capture();
    assert!(form.contains("[x] email"), "{form}");
    tmux.keys(&["Enter"]);

    let shares = wait_until(|| async { api.shares(&id).await }, |s| s.len() == 1).await;
    assert_eq!(shares.len(), 1, "one link made: {shares:?}");
    let share = &shares[0];
    assert_eq!(share["label"], "Acme Corp, backend role");
    assert_eq!(share["has_password"], true);
    assert_eq!(share["shows"], "pinned");
    assert_eq!(share["pinned_revision"], uploaded["revision"]);
    assert_eq!(share["hide"], json!(["email", "phone"]));
    assert_eq!(share["allow_download"], false);
    let share_token = share["token"].as_str().unwrap().to_string();
    let listed = tmux.wait_for("Acme Corp, backend role");
    assert!(listed.contains("+pw"), "{listed}");
    assert!(listed.contains("hides email, phone"), "{listed}");
    assert!(listed.contains("page only"), "{listed}");

    // The password is required, and it is the one typed.
    let anon = api.without_token();
    let page = format!("/s/{share_token}?format=html");
    let r = anon.get(&page).await;
    assert_eq!(r.status, 401, "no password: {}", r.text());
    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &page)
                .basic_auth("", Some(PASSWORD)),
        )
        .await;
    assert_eq!(r.status, 200, "with -u :PASSWORD: {}", r.text());
    assert!(!r.text().contains(&email), "the email is hidden");
    let r = anon
        .send(
            anon.request(
                reqwest::Method::GET,
                &format!("/s/{share_token}?format=json"),
            )
            .basic_auth("", Some(PASSWORD)),
        )
        .await;
    assert_eq!(r.status, 403, "page only: {}", r.text());

    // v: the history has today's view.
    tmux.keys(&["v"]);
    tmux.wait_for("Views of");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let history = tmux.wait_for(&today);
    assert!(history.contains("1 view"), "{history}");
    tmux.keys(&["q"]);
    tmux.wait_for("Share links of resume.md");
    tmux.keys(&["C-c"]);
    tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"));
}

/// `vitae share --password` asks on the terminal, twice, and what is typed
/// never shows; the link then wants exactly that password.
#[tokio::test(flavor = "multi_thread")]
async fn share_password_is_asked_on_the_terminal_without_echo() {
    const PASSWORD: &str = "echo-free 5";
    let server = TestServer::start();
    let token = server.create_user("tuipw").await;
    let api = server.api(&token);
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tmux = Tmux::run(&server, &token, &[], &["share", &id, "--password"]);
    tmux.wait_for("password for the link:");
    tmux.type_text(PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the same password again:");
    tmux.type_text(PASSWORD);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"), "{screen}");
    assert!(!screen.contains("echo-free"), "echoed:\n{screen}");
    assert!(screen.contains("asks for the password"), "{screen}");
    let shares = api.shares(&id).await;
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0]["has_password"], true);
    let page = format!("/s/{}?format=html", shares[0]["token"].as_str().unwrap());
    let anon = api.without_token();
    assert_eq!(anon.get(&page).await.status, 401);
    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &page)
                .basic_auth("", Some(PASSWORD)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
