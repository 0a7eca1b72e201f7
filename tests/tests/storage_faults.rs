//! Storage faults: a full disk and a file system that stops taking writes,
//! at write time, on real file systems (a small tmpfs; an ext4 image on a
//! loop device made read-only by the kernel's own error path); and data
//! files that are not ours or are damaged, at start.
//!
//! Expected: a full disk answers `507 insufficient_storage`, a read-only one
//! `503 unavailable` with `Retry-After`, and `/readyz` says 503 meanwhile; nothing is half-written; reads go on
//! working; writes work again once there is room; everything acknowledged
//! before survives a `kill -9`. A foreign or damaged `vitae.redb` makes the
//! server refuse to start with a message naming the file, and the file is
//! left byte for byte as it was.
//!
//! Mounting needs root. Without it the two mount tests say so and return,
//! unless `VITAE_REQUIRE_FAULT_TESTS=1` (which `.ci/run` sets), where they
//! fail instead: CI must never skip them silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use vitae_tests::*;

/// A file system mounted for one test, unmounted (lazily) when dropped.
struct Mount {
    at: PathBuf,
    loop_image: Option<PathBuf>,
    _root: tempfile::TempDir,
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
        if let Some(image) = &self.loop_image {
            let _ = std::fs::remove_file(image);
        }
    }
}

fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Can this run mount file systems? If not: skip (false), or fail when CI
/// requires these tests.
fn may_mount(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        return true;
    }
    assert!(
        std::env::var_os("VITAE_REQUIRE_FAULT_TESTS").is_none(),
        "{test} needs root (to mount a file system) and VITAE_REQUIRE_FAULT_TESTS is set"
    );
    eprintln!("SKIPPED {test}: mounting needs root");
    false
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("vitae-faults-")
        .tempdir()
        .expect("temp dir")
}

fn mount_tmpfs(size_mib: u64) -> Mount {
    let root = scratch();
    let at = root.path().join("fs");
    std::fs::create_dir(&at).unwrap();
    sh(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size_mib}m"),
            "tmpfs",
            at.to_str().unwrap(),
        ],
    )
    .expect("mounting a tmpfs");
    Mount {
        at,
        loop_image: None,
        _root: root,
    }
}

/// An ext4 image on a loop device, mounted with `errors=remount-ro`.
fn mount_ext4(size_mib: u64) -> Mount {
    let root = scratch();
    let image = root.path().join("fs.img");
    let at = root.path().join("fs");
    std::fs::create_dir(&at).unwrap();
    let file = std::fs::File::create(&image).unwrap();
    file.set_len(size_mib * 1024 * 1024).unwrap();
    drop(file);
    sh("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]).expect("mkfs.ext4");
    sh(
        "mount",
        &[
            "-o",
            "loop,errors=remount-ro",
            image.to_str().unwrap(),
            at.to_str().unwrap(),
        ],
    )
    .expect("mounting an ext4 image");
    Mount {
        at,
        loop_image: Some(image),
        _root: root,
    }
}

/// The loop device of the mount at `at` (e.g. `loop3`), from /proc/mounts.
fn loop_device_of(at: &Path) -> Option<String> {
    let canonical = at.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let device = fields.next()?;
        let point = fields.next()?;
        (Path::new(point) == canonical).then(|| device.trim_start_matches("/dev/").to_string())
    })
}

async fn upload_md(api: &Api, marker: &str) -> Resp {
    let mut bytes = fixture("resume.md");
    bytes.extend_from_slice(format!("\n\n{marker}\n").as_bytes());
    send_unchecked(
        api.request(Method::POST, "/v1/resumes")
            .query(&[("filename", format!("{marker}.md"))])
            .header("content-type", CT_MD)
            .body(bytes),
    )
    .await
}

/// A write refused for lack of storage: the status, the JSON body, and a
/// message that says what happened and that nothing was written.
#[track_caller]
fn assert_refused(r: &Resp, status: u16, code: &str) {
    let body = r.assert_error(status, code);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("nothing was written"),
        "the message must say nothing was written: {message}"
    );
}

#[tokio::test]
async fn full_disk_refuses_writes_with_507_keeps_reads_and_recovers() {
    if !may_mount("full_disk_refuses_writes_with_507_keeps_reads_and_recovers") {
        return;
    }
    let fs = mount_tmpfs(48);
    let data_dir = fs.at.join("data");
    let mut srv = TestServer::start_in(&data_dir, &["--min-free-mib", "8"]);
    let token_full = srv.create_user("full").await;
    let api = srv.api(&token_full);
    let ready = api.upload_ready("resume.md").await;
    let id = ready["id"].as_str().unwrap().to_string();
    let share = api.share(&id, &json!({})).await;
    let token = share["token"].as_str().unwrap().to_string();

    // Fill the disk until less than the 8 MiB reserve is left.
    let filler = fill(&fs.at, 4 * 1024 * 1024);

    let before = api.list().await;
    // Every kind of write is refused with 507 and the JSON error.
    assert_refused(
        &upload_md(&api, "while-full").await,
        507,
        "insufficient_storage",
    );
    let patch = send_unchecked(
        api.request(Method::PATCH, &format!("/v1/resumes/{id}"))
            .header("content-type", "application/merge-patch+json")
            .body(json!({"basics": {"summary": "written while full"}}).to_string()),
    )
    .await;
    assert_refused(&patch, 507, "insufficient_storage");
    let new_share = send_unchecked(
        api.request(Method::POST, &format!("/v1/resumes/{id}/shares"))
            .json(&json!({})),
    )
    .await;
    assert_refused(&new_share, 507, "insufficient_storage");
    let revoke = send_unchecked(api.request(Method::DELETE, &format!("/v1/shares/{token}"))).await;
    assert_refused(&revoke, 507, "insufficient_storage");

    // Reads go on: the resume, the list (unchanged), the public share.
    let now = api.resume(&id).await;
    assert_eq!(now["revision"], ready["revision"]);
    assert_eq!(now["document"], ready["document"]);
    assert_eq!(
        api.list().await.len(),
        before.len(),
        "a refused upload left a record"
    );
    let public = srv.anon().get(&format!("/s/{token}?format=json")).await;
    assert_eq!(public.status, 200, "{}", public.text());
    // Alive, but not ready: a load balancer sends writes elsewhere.
    assert_eq!(srv.anon().get("/healthz").await.status, 200);
    let readyz = send_unchecked(srv.anon().request(Method::GET, "/readyz")).await;
    readyz.assert_error(503, "unavailable");
    assert!(
        readyz.text().contains("min_free_mib"),
        "the reason names the setting: {}",
        readyz.text()
    );
    assert_eq!(readyz.header("retry-after").as_deref(), Some("5"));

    // Room again: writes work, and the parse pipeline runs.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(srv.anon().get("/readyz").await.status, 200);
    let again = upload_md(&api, "after-room").await;
    assert_eq!(again.status, 202, "{}", again.text());
    let again_id = again.json()["id"].as_str().unwrap().to_string();
    assert_eq!(api.wait_terminal(&again_id).await["status"], "ready");
    let patched = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"summary": "written after"}}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());

    // Everything acknowledged survives a kill -9; nothing refused appears.
    srv.kill9();
    srv.restart();
    let api = srv.api(&token_full);
    let after = api.list().await;
    let names: Vec<&str> = after
        .iter()
        .map(|r| r["filename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(after.len(), before.len() + 1, "{names:?}");
    assert!(!names.contains(&"while-full.md"), "{names:?}");
    assert!(names.contains(&"after-room.md"), "{names:?}");
    let kept = api.resume(&id).await;
    assert_eq!(kept["document"]["basics"]["summary"], "written after");
    assert_eq!(api.shares(&id).await.len(), 1);
    assert_eq!(api.shares(&id).await[0]["revoked"], false);
}

/// Bytes free on the file system at `at`.
fn free_bytes(at: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(at)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().nth(1).unwrap().trim().parse::<u64>().unwrap()
}

/// Fill the file system at `at` until `leave` bytes are free.
fn fill(at: &Path, leave: u64) -> PathBuf {
    let filler = at.join("filler");
    let free = free_bytes(at);
    let file = std::fs::File::create(&filler).unwrap();
    // Writing the bytes (not set_len, which tmpfs leaves sparse) takes them.
    std::io::Write::write_all(
        &mut std::io::BufWriter::new(&file),
        &vec![0u8; free.saturating_sub(leave) as usize],
    )
    .unwrap();
    file.sync_all().unwrap();
    filler
}

/// With no reserve, the disk fills up inside redb's own commit: redb then
/// fails every later transaction until the database is reopened, which the
/// store does at once. The writer answers 507, reads go on, and writes and
/// parses resume when there is room, all without a restart.
#[tokio::test]
async fn disk_full_inside_a_commit_is_507_and_the_store_recovers_in_place() {
    if !may_mount("disk_full_inside_a_commit_is_507_and_the_store_recovers_in_place") {
        return;
    }
    let fs = mount_tmpfs(48);
    let data_dir = fs.at.join("data");
    let mut srv = TestServer::start_in(&data_dir, &["--min-free-mib", "0"]);
    let token = srv.create_user("commitfull").await;
    let api = srv.api(&token);
    let ready = api.upload_ready("resume.md").await;
    let id = ready["id"].as_str().unwrap().to_string();
    let filler = fill(&fs.at, 6 * 1024 * 1024);

    // Uploads of ~1 MiB until the disk is full inside a commit.
    let mut body = fixture("resume.txt");
    while body.len() < 1024 * 1024 {
        body.extend_from_slice(
            b"Padding line to make the upload big enough to fill a small disk.\n",
        );
    }
    let mut accepted = Vec::new();
    let mut refused = None;
    for i in 0..40 {
        let r = send_unchecked(
            api.request(Method::POST, "/v1/resumes")
                .query(&[("filename", format!("big{i}.txt"))])
                .header("content-type", CT_TXT)
                .body(body.clone()),
        )
        .await;
        match r.status {
            202 => accepted.push(r.json()["id"].as_str().unwrap().to_string()),
            _ => {
                refused = Some(r);
                break;
            }
        }
    }
    let refused = refused.expect("40 MiB of uploads fit in a 6 MiB gap");
    assert_refused(&refused, 507, "insufficient_storage");
    assert!(
        refused.text().contains("during the write"),
        "with no reserve the refusal comes from the commit itself: {}",
        refused.text()
    );
    // Reads go on, again and again (the store was reopened, not left failing).
    for _ in 0..3 {
        assert_eq!(api.resume(&id).await["document"], ready["document"]);
        assert!(api.list().await.len() > accepted.len());
    }
    // Room again: writes work, and every accepted upload gets parsed,
    // including those whose parse could not be stored meanwhile.
    std::fs::remove_file(&filler).unwrap();
    let after = upload_md(&api, "after-room").await;
    assert_eq!(after.status, 202, "{}", after.text());
    for id in &accepted {
        let done = api.wait_terminal(id).await;
        assert!(
            done["status"] == "ready" || done["status"] == "failed",
            "{done}"
        );
    }
    // And what was acknowledged survives a kill -9, with nothing unfinished.
    srv.kill9();
    srv.restart();
    let api = srv.api(&token);
    let list = api.list().await;
    assert_eq!(list.len(), accepted.len() + 2, "{list:?}");
    let all: Vec<String> = list
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for id in &all {
        let done = api.wait_terminal(id).await;
        assert!(done["status"] == "ready" || done["status"] == "failed");
    }
}

#[tokio::test]
async fn read_only_file_system_refuses_writes_with_503_and_keeps_reads() {
    if !may_mount("read_only_file_system_refuses_writes_with_503_and_keeps_reads") {
        return;
    }
    let fs = mount_ext4(64);
    let Some(device) = loop_device_of(&fs.at) else {
        panic!("no loop device found for {}", fs.at.display());
    };
    let trigger = PathBuf::from(format!("/sys/fs/ext4/{device}/trigger_fs_error"));
    if !trigger.exists() {
        // Kernels before 5.x have no switch to make ext4 fail on purpose.
        assert!(
            std::env::var_os("VITAE_REQUIRE_FAULT_TESTS").is_none(),
            "{} is missing: this kernel cannot make ext4 go read-only on demand",
            trigger.display()
        );
        eprintln!("SKIPPED: {} is missing", trigger.display());
        return;
    }
    let data_dir = fs.at.join("data");
    let mut srv = TestServer::start_in(&data_dir, &["--min-free-mib", "1"]);
    let token_ro = srv.create_user("ro").await;
    let api = srv.api(&token_ro);
    let ready = api.upload_ready("resume.md").await;
    let id = ready["id"].as_str().unwrap().to_string();
    let share = api.share(&id, &json!({})).await;
    let token = share["token"].as_str().unwrap().to_string();

    // The kernel's own error path: ext4 with errors=remount-ro stops taking
    // writes, as after a failing disk.
    std::fs::write(&trigger, "vitae storage fault test").unwrap();

    let refused = upload_md(&api, "while-read-only").await;
    assert_refused(&refused, 503, "unavailable");
    assert!(
        refused.header("retry-after").is_some(),
        "503 without Retry-After"
    );
    let patch = send_unchecked(
        api.request(Method::PATCH, &format!("/v1/resumes/{id}"))
            .header("content-type", "application/merge-patch+json")
            .body(json!({"basics": {"summary": "written while read-only"}}).to_string()),
    )
    .await;
    assert_refused(&patch, 503, "unavailable");

    // Reads go on, repeatedly (nothing latched the store into failing).
    for _ in 0..3 {
        let now = api.resume(&id).await;
        assert_eq!(now["document"], ready["document"]);
        assert_eq!(api.list().await.len(), 1);
        let public = srv.anon().get(&format!("/s/{token}?format=json")).await;
        assert_eq!(public.status, 200, "{}", public.text());
    }
    let again = upload_md(&api, "still-read-only").await;
    assert_refused(&again, 503, "unavailable");

    // After a restart on the repaired file system, what was acknowledged is
    // there and what was refused is not.
    srv.kill9();
    let image = fs.loop_image.clone().unwrap();
    sh("umount", &[fs.at.to_str().unwrap()]).expect("umount");
    sh("fsck.ext4", &["-p", "-f", image.to_str().unwrap()])
        .or_else(|e| {
            // fsck exits 1 when it fixed something, which is expected here.
            if e.contains("fsck.ext4") {
                Ok(())
            } else {
                Err(e)
            }
        })
        .unwrap();
    sh(
        "mount",
        &[
            "-o",
            "loop",
            image.to_str().unwrap(),
            fs.at.to_str().unwrap(),
        ],
    )
    .expect("mounting again");
    srv.restart();
    let api = srv.api(&token_ro);
    let list = api.list().await;
    assert_eq!(list.len(), 1, "{list:?}");
    let kept = api.resume(&id).await;
    assert_eq!(kept["document"], ready["document"]);
    assert_eq!(kept["revision"], ready["revision"]);
    // And writes work again.
    let after = upload_md(&api, "after-repair").await;
    assert_eq!(after.status, 202, "{}", after.text());
}

/// Start a server on `data_dir` expecting it to refuse; returns its stderr.
fn refused_start(data_dir: &Path) -> String {
    let out = run_cli(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "the server started on {}: {stdout}",
        data_dir.display()
    );
    assert!(!stdout.contains("listening on"), "{stdout}");
    stderr
}

/// A valid store file with a resume in it, made by a real server.
async fn valid_store_file() -> Vec<u8> {
    let mut srv = TestServer::start();
    let api = srv.user("ok").await;
    api.upload_ready("resume.md").await;
    srv.stop().await;
    std::fs::read(srv.data_dir().join("vitae.redb")).unwrap()
}

#[tokio::test]
async fn foreign_or_damaged_data_files_are_refused_and_left_untouched() {
    let valid = valid_store_file().await;
    let flipped = |at: usize| {
        let mut bytes = valid.clone();
        for b in &mut bytes[at..(at + 512).min(valid.len())] {
            *b ^= 0xA5;
        }
        bytes
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a text file",
            b"my thesis, chapter one\n".to_vec(),
            "not a Vitae data file",
        ),
        ("a PDF", fixture("resume.pdf"), "not a Vitae data file"),
        (
            "random bytes",
            {
                let mut rng = seeded_rng(test_seed(), &[]);
                (0..65536).map(|_| rng.u8(..)).collect()
            },
            "not a Vitae data file",
        ),
        ("redb's header damaged", flipped(9), "is damaged"),
        ("redb's header fields damaged", flipped(64), "is damaged"),
        (
            // A page in use: the one holding the resume's parsed document
            // (a page picked by position may be free, and harmlessly so).
            "the page of a resume record damaged",
            {
                let at = valid
                    .windows(8)
                    .position(|w| w == b"\"basics\"")
                    .expect("the parsed document is in the file");
                flipped(at)
            },
            "is damaged",
        ),
        (
            "pages across the file damaged",
            {
                // Unused pages may be damaged unseen; hitting every fourth
                // page hits pages in use.
                let mut bytes = valid.clone();
                for page in (8192..valid.len()).step_by(16384) {
                    for b in &mut bytes[page..(page + 64).min(valid.len())] {
                        *b ^= 0x5A;
                    }
                }
                bytes
            },
            "is damaged",
        ),
    ];
    for (what, bytes, says) in cases {
        eprintln!("case: {what}");
        let dir = scratch();
        let file = dir.path().join("vitae.redb");
        std::fs::write(&file, &bytes).unwrap();
        let stderr = refused_start(dir.path());
        assert!(
            stderr.contains(&file.display().to_string()) && stderr.contains(says),
            "{what}: the refusal must name the file and say {says:?}:\n{stderr}"
        );
        assert!(
            stderr.contains("has not changed it"),
            "{what}: the refusal must say the file is untouched:\n{stderr}"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            bytes,
            "{what}: the file was changed"
        );
        assert!(
            !dir.path().join("admin.token").exists(),
            "{what}: a refused start wrote admin.token"
        );
    }
    // A directory where the file should be.
    let dir = scratch();
    std::fs::create_dir(dir.path().join("vitae.redb")).unwrap();
    let stderr = refused_start(dir.path());
    assert!(stderr.contains("is not a regular file"), "{stderr}");
    // An empty file is a new store, as redb defines it.
    let dir = scratch();
    std::fs::write(dir.path().join("vitae.redb"), b"").unwrap();
    let srv = TestServer::start_in(dir.path(), &[]);
    assert_eq!(srv.anon().get("/healthz").await.status, 200);
}
