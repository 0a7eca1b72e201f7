//! `vitae export` to PDF, DOCX and PNG, and `vitae templates`, end to end:
//! the real client binary as a subprocess against a real server (its
//! export endpoints, no stand-in), with `VITAE_URL`/`VITAE_TOKEN` set,
//! `NO_COLOR=1`, stdout captured as bytes, every run bounded by a timeout.
//!
//! Covered: the six templates (`--json` and the table); `-o cv.pdf` writes a
//! PDF and `-o cv.docx` a zip; `--json` reports path, format, template,
//! bytes, pages, cache and ETag (a second identical export is a cache hit
//! with the same ETag); every layout option is sent and accepted; a binary
//! format goes to stdout when that is a pipe; PNG is an image; an unknown
//! template exits 2 with the valid ids from the server's message and writes
//! nothing; bad option values, layout options on a plain format, and
//! `--json` with a binary format on stdout are usage errors (exit 2) before
//! anything is sent; the plain formats still come out as before.
//!
//! One server for the file; each test uses a fresh user.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use vitae_tests::*;

/// Bound on one `vitae` run; a cold PDF render is the slowest.
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

/// What one run of `vitae` did; stdout as bytes (it may be a PDF).
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "vitae {:?} exited {}\nstderr: {}",
            self.args, self.code, self.stderr
        );
        self
    }

    /// Assert this exit code, nothing on stdout, and a `vitae:` line last
    /// on stderr.
    #[track_caller]
    fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            code,
            "vitae {:?} should exit {code}\nstdout: {:.200}\nstderr: {}",
            self.args,
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "vitae {:?}: stdout {:?}",
            self.args,
            self.stdout
        );
        let last = self.stderr.lines().rfind(|l| !l.is_empty());
        assert!(
            last.is_some_and(|l| l.starts_with("vitae: ")),
            "vitae {:?}: the last stderr line explains the failure: {:?}",
            self.args,
            self.stderr
        );
        self
    }

    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "vitae {:?}: stdout is not one JSON document ({e}): {}",
                self.args,
                String::from_utf8_lossy(&self.stdout)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Run `vitae ARGS` as the owner of `token`, stdin closed, output captured.
fn vitae(token: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(client_bin());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("VITAE_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config_home())
        .env("VITAE_URL", server().url())
        .env("VITAE_TOKEN", token)
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
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().unwrap(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

/// A fresh user with one parsed resume: (token, resume id).
async fn user_with_resume(prefix: &str) -> (String, String) {
    let user = server().user(prefix).await;
    let resume = user.upload_ready("resume.md").await;
    let id = resume["id"].as_str().expect("id").to_string();
    (user.token.clone().expect("token"), id)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

#[tokio::test]
async fn templates_lists_the_six() {
    let (token, _) = user_with_resume("cli-templates").await;
    let v = vitae(&token, &["templates", "--json"]).ok().json();
    let list = v["templates"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(list.len(), 6, "{v}");
    let ids: Vec<&str> = list.iter().map(|t| t["id"].as_str().unwrap()).collect();
    for id in TEMPLATE_IDS {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    for t in list {
        assert!(t["name"].as_str().is_some_and(|n| !n.is_empty()), "{t}");
        assert!(
            t["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{t}"
        );
    }

    let table = vitae(&token, &["templates"]).ok().text();
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.contains("ID") && header.contains("DESCRIPTION"),
        "{table}"
    );
    assert_eq!(lines.count(), 6, "one row each: {table}");
    for id in TEMPLATE_IDS {
        assert!(table.contains(id), "{id}: {table}");
    }
}

#[tokio::test]
async fn pdf_and_docx_are_written_with_o() {
    let (token, id) = user_with_resume("cli-exp-files").await;
    let dir = tempfile::tempdir().unwrap();

    // The format comes from the extension; the report goes to stderr.
    let pdf = dir.path().join("cv.pdf");
    let run = vitae(&token, &["export", &id[..8], "-o", path_str(&pdf)]).ok();
    assert!(run.stdout.is_empty(), "{:?}", run.text());
    assert!(run.stderr.contains("wrote"), "{}", run.stderr);
    assert!(
        run.stderr.contains("classic"),
        "the default template: {}",
        run.stderr
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert_magic(&bytes, "pdf");
    // The resume itself, not just any PDF.
    assert!(
        flatten(&pdf_text(&bytes)).contains(FIXTURE_NAME),
        "{FIXTURE_NAME} in the PDF's text"
    );

    let docx = dir.path().join("cv.docx");
    vitae(
        &token,
        &["export", &id, "-o", path_str(&docx), "--template", "ats"],
    )
    .ok();
    assert_magic(&std::fs::read(&docx).unwrap(), "docx");

    let png = dir.path().join("page1.png");
    vitae(
        &token,
        &["export", &id, "-o", path_str(&png), "--template", "modern"],
    )
    .ok();
    assert_magic(&std::fs::read(&png).unwrap(), "png");

    // An explicit --format wins over the extension.
    let odd = dir.path().join("cv.bin");
    vitae(
        &token,
        &["export", &id, "-o", path_str(&odd), "--format", "pdf"],
    )
    .ok();
    assert_magic(&std::fs::read(&odd).unwrap(), "pdf");
}

#[tokio::test]
async fn json_reports_the_file_and_the_cache() {
    let (token, id) = user_with_resume("cli-exp-json").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cv.pdf");
    let args = [
        "export",
        &id,
        "-o",
        path_str(&path),
        "--template",
        "modern",
        "--paper",
        "letter",
        "--fit-one-page",
        "--accent",
        "#1f6feb",
        "--font-size",
        "10",
        "--json",
    ];
    let first = vitae(&token, &args).ok().json();
    let written = std::fs::read(&path).unwrap();
    assert_magic(&written, "pdf");
    assert_eq!(first["path"], path_str(&path), "{first}");
    assert_eq!(first["format"], "pdf", "{first}");
    assert_eq!(first["template"], "modern", "{first}");
    assert_eq!(first["bytes"], written.len(), "{first}");
    assert!(first["pages"].as_u64().is_some_and(|p| p >= 1), "{first}");
    assert!(first["cached"].is_boolean(), "{first}");
    let etag = first["etag"].as_str().unwrap_or_else(|| panic!("{first}"));
    assert!(
        etag.starts_with('"') && etag.len() > 2,
        "a strong ETag: {etag}"
    );
    // Fit to one page: one page.
    assert_eq!(first["pages"], 1, "{first}");

    // The same export again is the same file, from the cache.
    let second = vitae(&token, &args).ok().json();
    assert_eq!(second["cached"], true, "{second}");
    assert_eq!(second["etag"], first["etag"], "{second}");
    assert_eq!(std::fs::read(&path).unwrap(), written, "byte for byte");

    // Another option is another file.
    let mut other = args.to_vec();
    other[7] = "a4";
    assert_eq!(args[6], "--paper");
    let third = vitae(&token, &other).ok().json();
    assert_ne!(third["etag"], first["etag"], "{third}");
}

#[tokio::test]
async fn a_binary_format_goes_to_a_pipe() {
    let (token, id) = user_with_resume("cli-exp-pipe").await;
    // stdout is a pipe here: the PDF itself comes out.
    let run = vitae(&token, &["export", &id, "--format", "pdf"]).ok();
    assert_magic(&run.stdout, "pdf");
    let run = vitae(&token, &["export", &id, "--format", "docx", "-o", "-"]).ok();
    assert_magic(&run.stdout, "docx");
}

#[tokio::test]
async fn an_unknown_template_names_the_valid_ones() {
    let (token, id) = user_with_resume("cli-exp-bad").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cv.pdf");
    let run = vitae(
        &token,
        &["export", &id, "-o", path_str(&path), "--template", "fancy"],
    )
    .fails(2);
    for valid in TEMPLATE_IDS {
        assert!(run.stderr.contains(valid), "{valid}: {}", run.stderr);
    }
    assert!(run.stderr.contains("fancy"), "{}", run.stderr);
    assert!(!path.exists(), "nothing written");
}

#[tokio::test]
async fn bad_options_are_usage_errors() {
    let (token, id) = user_with_resume("cli-exp-usage").await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("cv.pdf");
    let pdf = path_str(&pdf);
    for (args, says) in [
        (vec!["export", &id, "-o", pdf, "--paper", "a5"], "a4"),
        (vec!["export", &id, "-o", pdf, "--accent", "red"], "#RRGGBB"),
        (
            vec!["export", &id, "-o", pdf, "--font-size", "40"],
            "7 to 14",
        ),
        (vec!["export", &id, "-o", pdf, "--format", "odt"], "odt"),
        (
            vec!["export", &id, "--format", "md", "--template", "modern"],
            "pdf, docx and png",
        ),
        (vec!["export", &id, "--format", "pdf", "--json"], "-o"),
        (vec!["export", &id, "-o", "cv.odt"], "--format"),
    ] {
        let run = vitae(&token, &args);
        assert_eq!(run.code, 2, "vitae {args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "vitae {args:?} says {says:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "vitae {args:?}");
    }
    assert!(!Path::new(pdf).exists(), "nothing written");
}

#[tokio::test]
async fn plain_formats_come_out_as_before() {
    let (token, id) = user_with_resume("cli-exp-plain").await;
    let dir = tempfile::tempdir().unwrap();
    let md = vitae(&token, &["export", &id, "--format", "md"])
        .ok()
        .text();
    assert!(md.contains(FIXTURE_NAME), "{md}");
    let path = dir.path().join("cv.md");
    let run = vitae(&token, &["export", &id, "-o", path_str(&path), "--json"]).ok();
    let v = run.json();
    assert_eq!(v["format"], "md", "{v}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), md, "the same text");
    let doc = vitae(&token, &["export", &id, "--format", "json"])
        .ok()
        .json();
    assert_eq!(doc["basics"]["name"], FIXTURE_NAME, "{doc}");
}

#[tokio::test]
async fn an_unknown_resume_is_the_servers_404() {
    let (token, _) = user_with_resume("cli-exp-404").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cv.pdf");
    let run = vitae(
        &token,
        &[
            "export",
            "00000000-0000-4000-8000-000000000000",
            "-o",
            path_str(&path),
        ],
    )
    .fails(1);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    assert!(!path.exists());
}
