//! Parse files offline, like `vitae-server parse --out-dir DIR FILE...`:
//! writes `DIR/<stem>.json` (the JSON Resume document alone) per file,
//! warnings and failures to stderr, non-zero exit when any file failed.
//! `--text` also writes `DIR/<stem>.txt` (the extracted text) for debugging.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report

use std::path::PathBuf;
use std::time::Instant;

use vitae_parser::{parse, sniff, Budget};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out_dir: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut text = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out-dir" => out_dir = args.next().map(PathBuf::from),
            "--text" => text = true,
            _ => files.push(PathBuf::from(a)),
        }
    }
    let mut failed = 0;
    let started = Instant::now();
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let name = file.file_name().and_then(|n| n.to_str());
        let format = match sniff(&bytes, None, name) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let budget = Budget {
            deadline: Some(Instant::now() + std::time::Duration::from_secs(10)),
            ..Budget::default()
        };
        match parse(&bytes, format, &budget, &mut |_, _| {}) {
            Ok(parsed) => {
                for w in &parsed.warnings {
                    eprintln!("{}: warning: {w}", file.display());
                }
                let json = serde_json::to_string_pretty(&parsed.document).expect("serialisable");
                match &out_dir {
                    Some(dir) => {
                        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
                        std::fs::write(dir.join(format!("{stem}.json")), json).expect("write");
                        if text {
                            std::fs::write(dir.join(format!("{stem}.txt")), &parsed.text)
                                .expect("write");
                        }
                    }
                    None => println!("{json}"),
                }
            }
            Err(e) => {
                eprintln!("{}: failed: {e}", file.display());
                failed += 1;
            }
        }
    }
    eprintln!(
        "{} files in {:.3}s, {failed} failed",
        files.len(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
