//! The Export screen in a real pseudo-terminal: `vitae` runs inside tmux
//! against a real server (its export endpoints, no stand-in), keys go in
//! with `send-keys`, and the screen is read back with `capture-pane`.
//!
//! Proves the export flow end to end: a resume uploaded by the API shows
//! in the library; `x` opens the Export screen with the server's six
//! templates; the preview of page 1 is drawn (in half blocks: inside tmux
//! the client does not ask for terminal graphics); a template is picked and
//! Enter exports; the screen says "Saved to" with the absolute path, and
//! that file, in the directory vitae was started in, is a PDF. Exporting
//! again to the same path asks before replacing the file.
//!
//! Needs tmux (`.ci/run` installs it). Each test uses its own tmux server
//! socket (`-L`), so tests run in parallel and never touch a user's tmux.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use vitae_tests::*;

/// The first export renders cold (fonts, layout): give it room.
const WAIT: Duration = Duration::from_secs(40);

/// One tmux server (own socket) running `vitae` in a 140×40 pane, started
/// in `cwd`.
struct Tmux {
    socket: String,
    exit_file: PathBuf,
}

impl Tmux {
    fn start(server: &TestServer, token: &str, cwd: &Path, home: &Path) -> Tmux {
        let exit_file = home.join("exit-status");
        let socket = format!("vitae-test-{}", uuid::Uuid::new_v4().simple());
        let env = format!(
            "VITAE_URL={} VITAE_TOKEN={token} NO_COLOR=1 TERM=xterm-256color HOME={}",
            server.url(),
            home.display()
        );
        // The pane runs a shell that records vitae's exit status, then
        // waits, so the final screen can still be read after vitae exits.
        let script = format!(
            "cd '{cwd}' && env {env} {bin}; echo $? > {exit}; printf 'VITAE-EXITED'; sleep 60",
            cwd = cwd.display(),
            bin = client_bin().display(),
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
                "140",
                "-y",
                "40",
            ])
            .arg(script)
            .status()
            .expect("run tmux (is it installed? .ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, exit_file }
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

    /// Wait until the screen shows what `found` looks for; panics with the
    /// screen.
    fn wait_until(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.capture();
            if found(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited {WAIT:?} for {what}; the screen is:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |screen| screen.contains(needle))
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

#[tokio::test(flavor = "multi_thread")]
async fn export_from_the_library_saves_a_pdf() {
    let server = TestServer::start();
    let token = server.create_user("tuiexport").await;
    let api = server.api(&token);
    api.upload_ready("resume.md").await;
    let cwd = tempfile::tempdir().expect("temp dir");
    let home = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::start(&server, &token, cwd.path(), home.path());

    tmux.wait_for("Resumes (1)");
    tmux.wait_for("● live");

    // x on the selected resume: the Export screen with the six templates.
    tmux.keys(&["x"]);
    let screen = tmux.wait_for("Templates (6)");
    assert!(screen.contains("Export resume.md"), "{screen}");
    assert!(
        screen.contains("▸ Classic"),
        "the first is selected: {screen}"
    );
    // The default path is named after the person and the template.
    let default = format!("./{FIXTURE_NAME} - classic.pdf");
    assert!(screen.contains(&default), "{screen}");
    // Page 1 is previewed in half blocks.
    tmux.wait_until("the preview drawn in half blocks", |screen| {
        screen.contains("half blocks") && (screen.contains('▀') || screen.contains('▄'))
    });

    // Pick the second template, and export.
    tmux.keys(&["j"]);
    tmux.wait_for("▸ Modern");
    let expected = cwd.path().join(format!("{FIXTURE_NAME} - modern.pdf"));
    tmux.wait_for(&format!("./{FIXTURE_NAME} - modern.pdf"));
    tmux.keys(&["Enter"]);
    let saved = tmux.wait_for("Saved to");
    let absolute = std::fs::canonicalize(&expected)
        .unwrap_or_else(|e| panic!("{} was not written ({e}):\n{saved}", expected.display()));
    // The path shown is the absolute one (it may wrap in the pane, so its
    // directory part is enough to check).
    let shown_dir = absolute.parent().unwrap().display().to_string();
    assert!(
        saved
            .replace('\n', "")
            .contains(&shown_dir[..shown_dir.len().min(30)]),
        "{shown_dir} in {saved}"
    );
    let bytes = std::fs::read(&absolute).unwrap();
    assert!(
        bytes.starts_with(b"%PDF-"),
        "{:?}",
        &bytes[..bytes.len().min(16)]
    );
    assert!(saved.contains("bytes"), "{saved}");
    assert!(
        flatten(&pdf_text(&bytes)).contains(FIXTURE_NAME),
        "the resume's PDF"
    );

    // The same export again: the file is there, so it asks; n keeps it.
    tmux.keys(&["Enter"]);
    tmux.wait_for("already exists. Replace it?");
    tmux.keys(&["n"]);
    tmux.wait_for("not saved");
    assert_eq!(std::fs::read(&absolute).unwrap(), bytes, "unchanged");

    // Back to the library, and quit cleanly.
    tmux.keys(&["q"]);
    tmux.wait_for("Resumes (1)");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("VITAE-EXITED");
    assert_eq!(tmux.exit_status().as_deref(), Some("0"), "{after}");
}
