//! `vitae-server migrate --from DATA_DIR --to postgres://…`: move a redb
//! store into PostgreSQL, then prove the copy.
//!
//! This is the command around [`crate::store::copy`]: it opens the redb
//! store in DATA_DIR (refused while a server holds it: the data dir lock)
//! and the database (its schema migrations applied), runs the copy with a
//! progress line per batch on stderr, and prints the verification table
//! (or, with `--json`, the report as JSON on stdout). Exit status: 0 when
//! every table verified, 1 on a mismatch or an error, 2 for bad arguments.
//!
//! Share links keep working only with the same share-link key
//! (`share.key`, [`crate::store::sealing`]): the command says so, and with
//! `--data-dir` copies the key (and `admin.token`) into the new setup's
//! data dir itself.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use crate::store::copy::{CopyError, CopyOptions};
use crate::store::postgres::{DatabaseUrl, PgStore};
use crate::store::redb::RedbStore;
use crate::store::sealing::KEY_FILE;

/// The settings of `vitae-server migrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct MigrateArgs {
    /// Data dir of the redb store to copy (its server must be stopped).
    #[arg(long, value_name = "DATA_DIR")]
    pub from: PathBuf,
    /// The PostgreSQL database to copy into (postgres://USER:PASSWORD@HOST:PORT/DATABASE).
    #[arg(long, value_name = "URL")]
    pub to: DatabaseUrl,
    /// Copy into a database that already holds data not from DATA_DIR
    /// (rows already there are kept as they are).
    #[arg(long)]
    pub force: bool,
    /// Data dir of the new setup: the share-link key and admin.token are
    /// copied there (never over a different key).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Rows per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch_rows: usize,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn main(args: MigrateArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vitae-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("vitae-server migrate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Answers whether the copy verified.
async fn run(args: &MigrateArgs) -> anyhow::Result<bool> {
    let from = &args.from;
    if !from.join("vitae.redb").is_file() {
        anyhow::bail!(
            "{} holds no vitae.redb: give the data dir of the redb store to copy",
            from.display()
        );
    }
    let dir = from.clone();
    let source = tokio::task::spawn_blocking(move || RedbStore::open(&dir))
        .await?
        .map_err(|e| match e {
            crate::store::StoreError::Locked(_) => anyhow::anyhow!(
                "{} is in use by a running vitae-server (or another process): stop the server \
                 first, then run migrate again",
                from.display()
            ),
            other => anyhow::Error::new(other),
        })
        .with_context(|| format!("opening the redb store in {}", from.display()))?;
    // The key file in the source dir is the one the records were sealed with.
    let target = PgStore::open(&args.to, from)
        .await
        .with_context(|| format!("opening the database at {}", args.to.redacted()))?;
    let started = Instant::now();
    let mut last = None;
    let mut progress = |table: crate::store::copy::Table, done: usize, total: usize| {
        // One line per table per tenth, and the last batch.
        let step = (total / 10).max(1);
        let tenth = done / step;
        if done == total || last != Some((table, tenth)) {
            last = Some((table, tenth));
            eprintln!("copying {}: {done}/{total} rows", table.name());
        }
    };
    let options = CopyOptions {
        batch_rows: args.batch_rows,
        force: args.force,
    };
    let report = match crate::store::copy::copy(&source, &target, options, &mut progress).await {
        Ok(report) => report,
        Err(CopyError::NotEmpty(what)) => {
            anyhow::bail!("{}", CopyError::NotEmpty(what))
        }
        Err(CopyError::Store(error)) => return Err(error).context("copying"),
    };
    let seconds = started.elapsed().as_secs_f64();
    drop(target);
    drop(source);
    let key_note = match &args.data_dir {
        Some(dir) => copy_secrets(from, dir)?,
        None => format!(
            "Copy {} to the data dir of every server instance that uses this database \
             (--data-dir): share links were sealed with it, and a server without it refuses \
             to start on a database that holds them.",
            from.join(KEY_FILE).display()
        ),
    };
    if args.json {
        let json = serde_json::json!({
            "ok": report.ok,
            "seconds": seconds,
            "tables": report.tables,
            "share_key": from.join(KEY_FILE),
            "note": key_note,
        });
        println!("{json}");
    } else {
        print!("{}", report.render());
        println!(
            "{} in {seconds:.1} s: {}",
            if report.ok {
                "verified"
            } else {
                "VERIFICATION FAILED"
            },
            if report.ok {
                "every row of every table is in the database, with the same content"
            } else {
                "the rows marked MISMATCH differ or are missing; nothing was deleted, run again \
                 to copy what is missing"
            }
        );
        println!("{key_note}");
    }
    Ok(report.ok)
}

/// Copy `share.key` and `admin.token` from `from` into `to` (mode 0600),
/// never over a different key; answers what was done, in words.
fn copy_secrets(from: &Path, to: &Path) -> anyhow::Result<String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(to)
        .with_context(|| format!("creating {}", to.display()))?;
    let mut done = Vec::new();
    for name in [KEY_FILE, "admin.token"] {
        let source = from.join(name);
        let Ok(bytes) = std::fs::read(&source) else {
            continue;
        };
        let dest = to.join(name);
        match std::fs::read(&dest) {
            Ok(there) if there == bytes => {
                done.push(format!("{} is already in place", dest.display()));
                continue;
            }
            Ok(_) if name == KEY_FILE => anyhow::bail!(
                "{} holds a different share-link key: move it away (the copied share links \
                 need the key from {}), then run migrate again",
                dest.display(),
                source.display()
            ),
            Ok(_) => {
                done.push(format!("{} kept as it was", dest.display()));
                continue;
            }
            Err(_) => {}
        }
        let temporary = to.join(format!("{name}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true).mode(0o600);
        let mut file = options
            .open(&temporary)
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, &dest)
            .with_context(|| format!("writing {}", dest.display()))?;
        done.push(format!("copied {} to {}", source.display(), dest.display()));
    }
    Ok(format!(
        "{}. Every other server instance on this database needs the same {KEY_FILE} in its \
         data dir.",
        done.join("; ")
    ))
}
