//! The commands that work without a running server: `parse` (files to JSON
//! Resume documents), `token create`, and the internal `parse-worker` that
//! the server runs as a budgeted child process for each upload.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vitae_common::Stage;
use vitae_parser::{Budget, Format};

use crate::pipeline::{WorkerMessage, WorkerResult};
use crate::store::StoreError;

/// `vitae-server parse [--out-dir DIR] FILE...`
pub fn parse_files(out_dir: Option<&Path>, files: &[PathBuf]) -> ExitCode {
    if let Some(dir) = out_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("vitae-server: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let single = files.len() == 1 && out_dir.is_none();
    let mut failures = 0usize;
    for file in files {
        match parse_one(file) {
            Ok((json, warnings)) => {
                for warning in warnings {
                    eprintln!("{}: warning: {warning}", file.display());
                }
                let written = match out_dir {
                    Some(dir) => {
                        let stem = file
                            .file_stem()
                            .map_or_else(|| "resume".into(), |s| s.to_string_lossy().into_owned());
                        let path = dir.join(format!("{stem}.json"));
                        std::fs::write(&path, json)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))
                    }
                    None if single => {
                        let mut out = std::io::stdout().lock();
                        out.write_all(json.as_bytes())
                            .and_then(|()| out.write_all(b"\n"))
                            .map_err(|e| format!("cannot write stdout: {e}"))
                    }
                    None => {
                        // Several files without --out-dir: one document per line.
                        let compact = serde_json::from_str::<serde_json::Value>(&json)
                            .map(|v| v.to_string())
                            .unwrap_or(json);
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "{compact}").map_err(|e| format!("cannot write stdout: {e}"))
                    }
                };
                if let Err(e) = written {
                    eprintln!("{}: error: {e}", file.display());
                    failures += 1;
                }
            }
            Err(reason) => {
                eprintln!("{}: error: {reason}", file.display());
                failures += 1;
            }
        }
    }
    if failures > 0 {
        eprintln!("vitae-server: {failures} of {} files failed", files.len());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse_one(file: &Path) -> Result<(String, Vec<String>), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read: {e}"))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let format = vitae_parser::sniff(&bytes, None, name.as_deref()).map_err(|e| e.to_string())?;
    let budget = Budget {
        deadline: Some(Instant::now() + Duration::from_secs(30)),
        ..Budget::default()
    };
    let parsed =
        vitae_parser::parse(&bytes, format, &budget, &mut |_, _| {}).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&parsed.document).map_err(|e| e.to_string())?;
    Ok((json, parsed.warnings))
}

/// `vitae-server token create --user NAME [--admin] [--data-dir DIR | --database-url URL]`
pub fn create_token(
    user: &str,
    admin: bool,
    data_dir: Option<PathBuf>,
    database_url: Option<crate::store::postgres::DatabaseUrl>,
) -> ExitCode {
    if !crate::http::admin::valid_user_name(user) {
        eprintln!(
            "vitae-server: user must be 1-64 characters of letters, digits, '.', '_', '-' or '@'"
        );
        return ExitCode::from(2);
    }
    let dir = data_dir.unwrap_or_else(crate::config::default_data_dir);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vitae-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let store = crate::store::open(crate::store::OpenOptions {
            data_dir: &dir,
            database_url: database_url.as_ref(),
            quotas: Default::default(),
            min_free_bytes: 0,
        })
        .await?
        .store();
        store.create_token(user, admin).await
    });
    match result {
        Ok((token, _)) => {
            println!(
                "created a{} token for {user}:",
                if admin { "n admin" } else { "" }
            );
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(StoreError::Locked(path)) => {
            eprintln!(
                "vitae-server: {path} is held by a running server; create the token with POST /v1/admin/tokens instead"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("vitae-server: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    #[arg(long)]
    content_type: String,
    #[arg(long)]
    timeout_ms: u64,
    #[arg(long)]
    memory_mib: u64,
    /// Most bytes of extracted text and of the document as JSON.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    max_parsed_bytes: u64,
    /// Test builds only: after confining itself, report what the worker
    /// can reach (this file, the network, its environment) as a progress
    /// message ([`crate::sandbox::probe`]). It cannot loosen the sandbox.
    #[cfg(debug_assertions)]
    #[arg(long, hide = true)]
    probe: Option<PathBuf>,
}

fn emit(message: &WorkerMessage) {
    // If the server went away there is no one to tell; exit quietly.
    if let Ok(line) = serde_json::to_string(message) {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            std::process::exit(1);
        }
    }
}

/// Cap this process's address space so a hostile document cannot take the
/// machine's memory: an allocation past it fails and the process aborts,
/// which the server reports as "over the memory budget".
fn limit_memory(mib: u64) {
    use rustix::process::{setrlimit, Resource, Rlimit};
    if mib == 0 {
        return;
    }
    let bytes = Some(mib.saturating_mul(1024 * 1024));
    let limit = Rlimit {
        current: bytes,
        maximum: bytes,
    };
    if setrlimit(Resource::As, limit).is_err() {
        eprintln!("warning: could not set the memory budget");
    }
}

/// `vitae-server parse-worker`: bytes on stdin, JSON lines on stdout.
///
/// Before it reads the upload it confines itself ([`crate::sandbox`]): no
/// file system, no network, no exec; a kernel that lacks part of that gets
/// one `sandbox:` line on stderr and the parse goes on under what holds.
pub fn worker(args: WorkerArgs) -> ExitCode {
    let deadline = Instant::now() + Duration::from_millis(args.timeout_ms);
    #[cfg(debug_assertions)]
    let fds_before = args.probe.as_ref().map(|_| crate::sandbox::open_fds());
    let confinement = crate::sandbox::confine();
    if !confinement.is_complete() {
        eprintln!("{}{confinement}", crate::sandbox::PARTIAL_PREFIX);
    }
    #[cfg(debug_assertions)]
    if let (Some(path), Some(fds)) = (&args.probe, &fds_before) {
        emit(&WorkerMessage::Progress {
            stage: Stage::Received,
            message: crate::sandbox::probe(path, fds),
        });
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        emit(&WorkerMessage::Error {
            reason: format!("the upload could not be read: {e}"),
        });
        return ExitCode::FAILURE;
    }
    let format = match Format::from_content_type(&args.content_type) {
        Ok(Some(format)) => format,
        _ => {
            emit(&WorkerMessage::Error {
                reason: format!("unsupported content type {}", args.content_type),
            });
            return ExitCode::FAILURE;
        }
    };
    // Deeply nested documents recurse; give the parser a large stack of its own.
    let handle = std::thread::Builder::new()
        .name("parse".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            // Set here, not before the spawn: the limit must not keep this
            // thread's own stack from being mapped.
            limit_memory(args.memory_mib);
            let budget = Budget {
                deadline: Some(deadline),
                max_parsed_bytes: args.max_parsed_bytes,
                ..Budget::default()
            };
            let mut progress = |stage: Stage, message: &str| {
                emit(&WorkerMessage::Progress {
                    stage,
                    message: message.to_string(),
                })
            };
            vitae_parser::parse(&bytes, format, &budget, &mut progress)
        });
    let outcome = match handle.map(|h| h.join()) {
        Ok(Ok(Ok(parsed))) => WorkerMessage::Done(Box::new(WorkerResult {
            document: parsed.document,
            text: parsed.text,
            warnings: parsed.warnings,
            confidence: parsed.confidence,
        })),
        Ok(Ok(Err(vitae_parser::ParseError::TooLarge { what, limit }))) => WorkerMessage::Error {
            reason: crate::pipeline::too_large_reason(what, limit),
        },
        Ok(Ok(Err(error))) => WorkerMessage::Error {
            reason: error.to_string(),
        },
        Ok(Err(_)) => WorkerMessage::Error {
            reason: "the parser hit a bug on this document (it panicked); please report it".into(),
        },
        Err(e) => WorkerMessage::Error {
            reason: format!("the parser could not start: {e}"),
        },
    };
    emit(&outcome);
    ExitCode::SUCCESS
}
