//! The offline CLI `vitae-server parse [--out-dir DIR] FILE...`: one file
//! prints its JSON Resume document alone; several with `--out-dir` write
//! `DIR/<stem>.json` each; a failed file goes to stderr and makes the exit
//! status non-zero.

use serde_json::Value;
use vitae_tests::*;

#[test]
fn parse_one_file_prints_the_document() {
    for name in GOOD_FIXTURES {
        let out = run_cli(&["parse", &fixture_path(name)]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: stdout is not one JSON document ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert!(
            doc.get("document").is_none(),
            "the document alone, no wrapper"
        );
        assert_eq!(doc["basics"]["name"], FIXTURE_NAME, "{name}: {doc}");
        assert_eq!(doc["basics"]["email"], FIXTURE_EMAIL, "{name}: {doc}");
    }
}

/// Copy fixtures into `dir` under new names; returns their paths.
fn copies(dir: &std::path::Path, pairs: &[(&str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .map(|(from, to)| {
            let p = dir.join(to);
            std::fs::write(&p, fixture(from)).unwrap();
            p.to_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn parse_many_files_into_out_dir_and_fail_on_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let inputs = copies(
        dir.path(),
        &[
            ("resume.md", "alpha.md"),
            ("resume.docx", "beta.docx"),
            ("corrupt.pdf", "broken.pdf"),
        ],
    );
    let mut args = vec!["parse", "--out-dir", out_dir.to_str().unwrap()];
    args.extend(inputs.iter().map(String::as_str));
    let out = run_cli(&args);
    assert!(
        !out.status.success(),
        "a failed file makes the exit non-zero"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.pdf"),
        "the failure names the file: {err}"
    );
    for stem in ["alpha", "beta"] {
        let path = out_dir.join(format!("{stem}.json"));
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
        let doc: Value = serde_json::from_slice(&bytes).expect("JSON");
        assert!(
            doc.get("document").is_none(),
            "the document alone, no wrapper"
        );
        assert_eq!(doc["basics"]["email"], FIXTURE_EMAIL, "{stem}");
    }
    assert!(
        !out_dir.join("broken.json").exists(),
        "no output for a failed file"
    );
}

#[test]
fn parse_good_files_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let inputs = copies(
        dir.path(),
        &[
            ("resume.txt", "one.txt"),
            ("resume.json", "two.json"),
            ("resume.pdf", "three.pdf"),
        ],
    );
    let mut args = vec!["parse", "--out-dir", out_dir.to_str().unwrap()];
    args.extend(inputs.iter().map(String::as_str));
    let out = run_cli(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for stem in ["one", "two", "three"] {
        assert!(
            out_dir.join(format!("{stem}.json")).is_file(),
            "{stem}.json"
        );
    }
}

#[test]
fn parse_a_corrupt_file_alone_fails() {
    let out = run_cli(&["parse", &fixture_path("corrupt.pdf")]);
    assert!(!out.status.success(), "exit status must be non-zero");
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
}
