//! What each subcommand does: check its arguments, call the API, and print
//! the answer for people or (with `--json`) as one JSON document.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use vitae_common::export::TemplateList;
use vitae_common::{render, JobList, ResumeList, ResumeResource, RevisionList, ShareList, Status};

use crate::{connect, save};

use super::follow::{follow, Outcome, Show};
use super::human;
use super::ids::{self, short, Side};
use super::{
    out, out_bytes, out_json, Command, Ctx, Failure, Format, JobCommand, LayoutArgs, PageArgs,
    ServerCommand,
};

pub(super) async fn run(ctx: &mut Ctx, command: Command) -> Result<(), Failure> {
    match command {
        Command::Upload { file, wait } => upload(ctx, &file, wait).await,
        Command::List { page } => list(ctx, &page).await,
        Command::Show { id } => show(ctx, &id).await,
        Command::Watch { id } => watch(ctx, &id).await,
        Command::Diff { a, b, unified } => diff(ctx, &a, &b, unified).await,
        Command::Share {
            id,
            days,
            label,
            pin,
            revision,
            hide,
            no_download,
            password,
            password_stdin,
            password_env,
        } => {
            let password = if password {
                Some(ask_password()?)
            } else if password_stdin {
                Some(read_password_line()?)
            } else if let Some(name) = password_env {
                Some(password_from_env(&name)?)
            } else {
                None
            };
            let options = vitae_common::CreateShare {
                expires_in_days: days,
                label,
                pin: pin.then_some(true),
                revision,
                hide: (!hide.is_empty()).then_some(hide),
                allow_download: no_download.then_some(false),
                password,
                ..Default::default()
            };
            share(ctx, &id, &options).await
        }
        Command::Shares { id, page } => shares(ctx, &id, &page).await,
        Command::Revoke { share_token } => revoke(ctx, &share_token).await,
        Command::Views { share_token } => views(ctx, &share_token).await,
        Command::Master { id } => master(ctx, &id).await,
        Command::Export {
            id,
            format,
            output,
            layout,
        } => export(ctx, &id, format, output, layout).await,
        Command::Templates => templates(ctx).await,
        Command::Account => account(ctx).await,
        Command::Delete { id, yes } => delete(ctx, &id, yes).await,
        Command::Revisions { id, page } => revisions(ctx, &id, &page).await,
        Command::Restore { id, revision } => restore(ctx, &id, revision).await,
        Command::Job(JobCommand::Add { file, title }) => job_add(ctx, &file, title).await,
        Command::Job(JobCommand::List) => job_list(ctx).await,
        Command::Tailor { id, job, confirm } => tailor(ctx, &id, &job, confirm).await,
        Command::Completions { shell } => completions(shell),
        Command::Server(ServerCommand::Status) => server_status(ctx).await,
        Command::Server(ServerCommand::Stop) => server_stop(ctx).await,
    }
}

/// A file the command is about to send must be readable before anything
/// else happens (in particular before a local server is started for it).
fn readable(file: &Path) -> Result<(), Failure> {
    match std::fs::metadata(file) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(Failure::Request(format!(
            "{} is not a file",
            file.display()
        ))),
        Err(e) => Err(Failure::Request(format!(
            "cannot read {}: {e}",
            file.display()
        ))),
    }
}

async fn resolve(ctx: &mut Ctx, id: &str) -> Result<String, Failure> {
    let client = ctx.client().await?;
    ids::resume(&client, id).await
}

fn warnings(n: usize) -> String {
    match n {
        1 => "1 warning".to_string(),
        n => format!("{n} warnings"),
    }
}

/// The one line a finished parse is reported with.
fn ready_line(r: &ResumeResource) -> String {
    format!(
        "ready {} {} ({})\n",
        r.id,
        human::clean(&r.filename),
        warnings(r.warnings.len())
    )
}

async fn upload(ctx: &mut Ctx, file: &Path, wait: bool) -> Result<(), Failure> {
    readable(file)?;
    let client = ctx.client().await?;
    let resume = client.upload(file).await?;
    if wait {
        return finish(ctx, resume).await;
    }
    if ctx.json {
        return out_json(&resume);
    }
    out(&format!(
        "uploaded {} {} ({})\n",
        resume.id,
        human::clean(&resume.filename),
        resume.status
    ))?;
    if !resume.status.is_terminal() {
        eprintln!("follow its parse with: vitae watch {}", short(&resume.id));
    }
    Ok(())
}

async fn watch(ctx: &mut Ctx, id: &str) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let client = ctx.client().await?;
    // A finished parse needs no stream: answer with the stored state at once.
    let resume = client.resume(&id).await?;
    finish(ctx, resume).await
}

/// Follow `resume` (as last seen) to the end of its parse and report it.
async fn finish(ctx: &mut Ctx, resume: ResumeResource) -> Result<(), Failure> {
    let client = ctx.client().await?;
    let outcome = match resume.status {
        Status::Ready => Outcome::Ready(Box::new(resume.clone())),
        Status::Failed => Outcome::Failed(
            resume
                .reason
                .clone()
                .unwrap_or_else(|| "no reason recorded".into()),
        ),
        Status::Pending | Status::Parsing => {
            let show = if std::io::stderr().is_terminal() {
                Show::Bar
            } else if ctx.json {
                Show::Quiet
            } else {
                Show::Lines
            };
            follow(&client, &resume.id, show).await?
        }
    };
    match outcome {
        Outcome::Ready(ready) => {
            if ctx.json {
                out_json(&ready)
            } else {
                out(&ready_line(&ready))
            }
        }
        Outcome::Failed(reason) => {
            if ctx.json {
                // Scripts get the failed resource (status and reason) too;
                // the exit code already says it failed, so a fetch error here
                // must not replace that message.
                let failed = match client.resume(&resume.id).await {
                    Ok(r) => r,
                    Err(_) => ResumeResource {
                        status: Status::Failed,
                        reason: Some(reason.clone()),
                        ..resume.clone()
                    },
                };
                out_json(&failed)?;
            }
            Err(Failure::Parse(format!(
                "the parse of {} ({}) failed: {}",
                human::clean(&resume.filename),
                short(&resume.id),
                human::one_line(&reason, 300)
            )))
        }
    }
}

async fn list(ctx: &mut Ctx, page: &PageArgs) -> Result<(), Failure> {
    let client = ctx.client().await?;
    let list = if page.one_page() {
        client
            .resumes_page(page.limit(), page.cursor.as_deref())
            .await?
    } else {
        ResumeList {
            resumes: client.list().await?,
            next_cursor: None,
        }
    };
    if ctx.json {
        return out_json(&list);
    }
    if list.resumes.is_empty() && list.next_cursor.is_none() {
        return out("no resumes yet; upload one with: vitae upload FILE\n");
    }
    out(&human::resume_table(ctx.paint, &list.resumes))?;
    page.hint("vitae list", list.next_cursor.as_deref());
    Ok(())
}

async fn show(ctx: &mut Ctx, id: &str) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let resume = ctx.client().await?.resume(&id).await?;
    if ctx.json {
        return out_json(&resume);
    }
    out(&human::show(ctx.paint, &resume))
}

async fn diff(ctx: &mut Ctx, a: &Side, b: &Side, unified: bool) -> Result<(), Failure> {
    let before = resolve(ctx, &a.id).await?;
    let after = resolve(ctx, &b.id).await?;
    let against = match a.revision {
        Some(n) => format!("{before}:rev:{n}"),
        None => before,
    };
    let d = ctx
        .client()
        .await?
        .diff(&after, &against, b.revision)
        .await?;
    if ctx.json {
        return out_json(&d);
    }
    out(&human::diff(ctx.paint, &d, unified))
}

/// The first line of stdin, without its line break: `--password-stdin`.
fn read_password_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(format!("--password-stdin: cannot read stdin: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(Failure::Usage(
            "--password-stdin: the first line of stdin is empty; give the password there".into(),
        ));
    }
    Ok(password)
}

/// `--password-env NAME`: the variable's value, which must be set and
/// not empty.
fn password_from_env(name: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(Failure::Usage(format!(
            "--password-env: the variable {name} is empty; put the password in it"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::Usage(format!(
            "--password-env: the variable {name} is not set; export it, or use --password-stdin"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Usage(format!(
            "--password-env: the variable {name} is not UTF-8 text"
        ))),
    }
}

/// `--password`: asked for twice on the controlling terminal (`/dev/tty`,
/// so it works with stdin redirected), with echo off while typing.
fn ask_password() -> Result<String, Failure> {
    let no_tty = |e: std::io::Error| {
        Failure::Usage(format!(
            "--password asks on a terminal and there is none ({e}); scripts use --password-stdin or --password-env NAME"
        ))
    };
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(no_tty)?;
    let first = read_hidden(&tty, "password for the link: ").map_err(no_tty)?;
    if first.is_empty() {
        return Err(Failure::Usage(
            "--password: no password typed; nothing was created".into(),
        ));
    }
    let again = read_hidden(&tty, "the same password again: ").map_err(no_tty)?;
    if first != again {
        return Err(Failure::Usage(
            "--password: the two passwords differ; nothing was created".into(),
        ));
    }
    Ok(first)
}

/// One line from `tty` with echo off (restored before returning, also on
/// errors), after `prompt`.
fn read_hidden(tty: &std::fs::File, prompt: &str) -> std::io::Result<String> {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    let mut writer = tty;
    writer.write_all(prompt.as_bytes())?;
    writer.flush()?;
    let saved = tcgetattr(tty)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    // Keep ECHONL: the Enter still moves the cursor to the next line.
    quiet.local_modes.insert(LocalModes::ECHONL);
    tcsetattr(tty, OptionalActions::Now, &quiet)?;
    let mut line = String::new();
    let read = std::io::BufReader::new(tty).read_line(&mut line);
    tcsetattr(tty, OptionalActions::Now, &saved)?;
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn share(
    ctx: &mut Ctx,
    id: &str,
    options: &vitae_common::CreateShare,
) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let s = ctx.client().await?.share(&id, options).await?;
    if ctx.json {
        return out_json(&s);
    }
    out(&format!("{}\n", human::clean(&s.url)))?;
    let mut facts = vec![format!("expires {}", human::time(&s.expires_at))];
    if let Some(n) = s.pinned_revision {
        facts.push(format!("shows revision {n}"));
    }
    if s.has_password {
        facts.push("asks for the password".into());
    }
    if !s.hide.is_empty() {
        facts.push(format!("hides {}", human::clean(&s.hide.join(", "))));
    }
    if !s.allow_download {
        facts.push("no downloads".into());
    }
    eprintln!(
        "{}; revoke with: vitae revoke {}",
        facts.join("; "),
        human::clean(&s.token)
    );
    Ok(())
}

async fn shares(ctx: &mut Ctx, id: &str, page: &PageArgs) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let client = ctx.client().await?;
    let list = if page.one_page() {
        client
            .shares_page(&id, page.limit(), page.cursor.as_deref())
            .await?
    } else {
        ShareList {
            shares: client.shares(&id).await?,
            next_cursor: None,
        }
    };
    if ctx.json {
        return out_json(&list);
    }
    if list.shares.is_empty() && list.next_cursor.is_none() {
        return out(&format!(
            "no share links; create one with: vitae share {}\n",
            short(&id)
        ));
    }
    out(&human::shares_table(ctx.paint, &list.shares))?;
    page.hint(
        &format!("vitae shares {}", short(&id)),
        list.next_cursor.as_deref(),
    );
    Ok(())
}

/// A share token as typed or pasted: the token, or a share URL (its last
/// segment). A token with a slash would address another endpoint.
fn share_token(token: &str) -> Result<&str, Failure> {
    let token = token.trim();
    let token = token.rsplit('/').next().unwrap_or(token);
    if token.is_empty()
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Failure::Usage(format!(
            "{token:?} is not a share token (letters, digits, - and _, as `vitae shares ID` lists them)"
        )));
    }
    Ok(token)
}

async fn revoke(ctx: &mut Ctx, token: &str) -> Result<(), Failure> {
    let token = share_token(token)?;
    let s = ctx.client().await?.revoke(token).await?;
    if ctx.json {
        return out_json(&s);
    }
    out(&format!(
        "revoked {} ({})\n",
        human::clean(&s.token),
        human::clean(&s.url)
    ))
}

async fn views(ctx: &mut Ctx, token: &str) -> Result<(), Failure> {
    let token = share_token(token)?;
    let detail = ctx.client().await?.share_detail(token).await?;
    if ctx.json {
        return out_json(&detail);
    }
    out(&human::share_views(ctx.paint, &detail))
}

async fn master(ctx: &mut Ctx, id: &str) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let r = ctx.client().await?.set_master(&id).await?;
    if ctx.json {
        return out_json(&r);
    }
    out(&format!(
        "★ {} {} is now the master\n",
        short(&r.id),
        human::clean(&r.filename)
    ))
}

/// `vitae export`: the typeset formats through the server's export, the
/// plain ones rendered here from the document, as before the server could
/// export (their output must not change).
async fn export(
    ctx: &mut Ctx,
    id: &str,
    format: Option<Format>,
    output: Option<PathBuf>,
    layout: LayoutArgs,
) -> Result<(), Failure> {
    let output = output.filter(|p| p.as_os_str() != "-");
    let format = match (format, &output) {
        (Some(f), _) => f,
        (None, Some(path)) => Format::of_path(path).ok_or_else(|| {
            Failure::Usage(format!(
                "cannot tell the format from {}: add --format pdf|docx|png|json|md|html",
                path.display()
            ))
        })?,
        (None, None) => {
            return Err(Failure::Usage(
                "say which format: --format pdf|docx|png|json|md|html, or -o FILE with one of those extensions".into(),
            ))
        }
    };
    if format.wire().is_typeset() {
        return export_typeset(ctx, id, format, output, layout).await;
    }
    if layout.given() {
        return Err(Failure::Usage(format!(
            "--template, --paper, --fit-one-page, --accent and --font-size apply to pdf, docx and png; {} is the document as it is",
            format.as_str()
        )));
    }
    export_plain(ctx, id, format, output).await
}

/// PDF, DOCX or PNG from `GET /v1/resumes/{id}/export`, written to `output`
/// or to stdout when that is not a terminal.
async fn export_typeset(
    ctx: &mut Ctx,
    id: &str,
    format: Format,
    output: Option<PathBuf>,
    layout: LayoutArgs,
) -> Result<(), Failure> {
    // Decided before anything is fetched: bytes of a PDF garble a terminal.
    if output.is_none() {
        if std::io::stdout().is_terminal() {
            return Err(Failure::Usage(format!(
                "refusing to write {} to the terminal: use -o FILE (or redirect stdout)",
                format.as_str()
            )));
        }
        if ctx.json {
            return Err(Failure::Usage(format!(
                "--json with {} needs -o FILE: stdout cannot carry both the file and the JSON",
                format.as_str()
            )));
        }
    }
    let request = layout.request(format.wire());
    let id = resolve(ctx, id).await?;
    let file = match ctx.client().await?.export_file(&id, &request).await {
        Ok(file) => file,
        // The server names what it refused and the values it takes: a
        // usage error in the caller's words, passed on as it is.
        Err(e) if e.status() == Some(400) => return Err(Failure::Usage(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let Some(path) = output else {
        return out_bytes(&file.bytes);
    };
    save::write_atomic(&path, &file.bytes, true).map_err(|e| Failure::Request(e.to_string()))?;
    if ctx.json {
        return out_json(&json!({
            "path": path.display().to_string(),
            "format": format.as_str(),
            "template": request.template,
            "bytes": file.bytes.len(),
            "pages": file.pages,
            "cached": file.cached,
            "etag": file.etag,
            "resume_id": id,
        }));
    }
    let pages = match file.pages {
        Some(1) => ", 1 page".to_string(),
        Some(n) => format!(", {n} pages"),
        None => String::new(),
    };
    eprintln!(
        "wrote {} ({} bytes, {} in {}{pages}{})",
        path.display(),
        file.bytes.len(),
        format.as_str(),
        request.template,
        if file.cached { ", from cache" } else { "" }
    );
    Ok(())
}

/// JSON, Markdown or HTML, rendered from the parsed document.
async fn export_plain(
    ctx: &mut Ctx,
    id: &str,
    format: Format,
    output: Option<PathBuf>,
) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let r = ctx.client().await?.resume(&id).await?;
    let Some(doc) = r.document() else {
        let why = match (&r.status, &r.reason) {
            (Status::Failed, Some(reason)) => format!("its parse failed: {reason}"),
            (status, _) => format!("it is {status}"),
        };
        return Err(Failure::Request(format!(
            "resume {} has no parsed document to export: {}",
            short(&r.id),
            human::one_line(&why, 300)
        )));
    };
    let content = match format {
        Format::Md => render::markdown(doc),
        Format::Html => render::html(doc),
        _ => {
            let text = serde_json::to_string_pretty(doc).map_err(|e| {
                Failure::Request(format!("cannot encode the document as JSON: {e}"))
            })?;
            format!("{text}\n")
        }
    };
    match output {
        Some(path) => {
            std::fs::write(&path, &content)
                .map_err(|e| Failure::Request(format!("cannot write {}: {e}", path.display())))?;
            if ctx.json {
                out_json(&json!({
                    "path": path.display().to_string(),
                    "format": format.as_str(),
                    "bytes": content.len(),
                    "resume_id": r.id,
                    "revision": r.revision,
                }))
            } else {
                eprintln!(
                    "wrote {} ({} bytes, {})",
                    path.display(),
                    content.len(),
                    format.as_str()
                );
                Ok(())
            }
        }
        None if ctx.json && format != Format::Json => out_json(&json!({
            "format": format.as_str(),
            "content": content,
            "resume_id": r.id,
            "revision": r.revision,
        })),
        None => out(&content),
    }
}

async fn account(ctx: &mut Ctx) -> Result<(), Failure> {
    let account = ctx.client().await?.account().await?;
    if ctx.json {
        return out_json(&account);
    }
    out(&human::account(ctx.paint, &account))
}

async fn templates(ctx: &mut Ctx) -> Result<(), Failure> {
    let templates = ctx.client().await?.templates().await?;
    if ctx.json {
        return out_json(&TemplateList { templates });
    }
    if templates.is_empty() {
        return out("the server offers no export templates\n");
    }
    out(&human::templates_table(ctx.paint, &templates))
}

async fn delete(ctx: &mut Ctx, id: &str, yes: bool) -> Result<(), Failure> {
    // Decided before anything is fetched: a script without --yes fails the
    // same way whether or not the id exists.
    let ask = !yes;
    if ask && !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "refusing to delete {id} without --yes: stdin is not a terminal, so there is nobody to ask"
        )));
    }
    let id = resolve(ctx, id).await?;
    let client = ctx.client().await?;
    if ask {
        let r = client.resume(&id).await?;
        let shares = client.shares(&id).await.map(|s| s.len()).unwrap_or(0);
        let extra = match shares {
            0 => String::new(),
            1 => " and its share link".to_string(),
            n => format!(" and its {n} share links"),
        };
        eprint!(
            "delete {} {} (revision {}){extra}? [y/N] ",
            short(&r.id),
            human::clean(&r.filename),
            r.revision
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Err(Failure::Request(format!("not deleted: {}", short(&id))));
        }
    }
    client.delete(&id).await?;
    if ctx.json {
        return out_json(&json!({ "deleted": id }));
    }
    out(&format!("deleted {id}\n"))
}

async fn revisions(ctx: &mut Ctx, id: &str, page: &PageArgs) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let client = ctx.client().await?;
    let list = if page.one_page() {
        client
            .revisions_page(&id, page.limit(), page.cursor.as_deref())
            .await?
    } else {
        RevisionList {
            revisions: client.revisions(&id).await?,
            next_cursor: None,
        }
    };
    if ctx.json {
        return out_json(&list);
    }
    if list.revisions.is_empty() && list.next_cursor.is_none() {
        return out("no revisions yet (the parse has not stored a document)\n");
    }
    out(&human::revisions_table(ctx.paint, &list.revisions))?;
    page.hint(
        &format!("vitae revisions {}", short(&id)),
        list.next_cursor.as_deref(),
    );
    Ok(())
}

async fn restore(ctx: &mut Ctx, id: &str, revision: u64) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let r = ctx.client().await?.restore(&id, revision).await?;
    if ctx.json {
        return out_json(&r);
    }
    out(&format!(
        "restored revision {revision} of {} {} as revision {}\n",
        short(&r.id),
        human::clean(&r.filename),
        r.revision
    ))
}

async fn job_add(ctx: &mut Ctx, file: &Path, title: Option<String>) -> Result<(), Failure> {
    readable(file)?;
    let job = ctx.client().await?.add_job(file, title.as_deref()).await?;
    if ctx.json {
        return out_json(&job);
    }
    out(&human::job(ctx.paint, &job))
}

async fn job_list(ctx: &mut Ctx) -> Result<(), Failure> {
    let jobs = ctx.client().await?.jobs().await?;
    if ctx.json {
        return out_json(&JobList {
            jobs,
            next_cursor: None,
        });
    }
    if jobs.is_empty() {
        return out("no jobs yet; add one with: vitae job add FILE\n");
    }
    out(&human::jobs_table(ctx.paint, &jobs))
}

async fn tailor(ctx: &mut Ctx, id: &str, job: &str, confirm: bool) -> Result<(), Failure> {
    let id = resolve(ctx, id).await?;
    let client = ctx.client().await?;
    let (job_id, job) = ids::job(&client, job).await?;
    let preview = client.tailor(&id, &job_id).await?;
    if !confirm {
        if ctx.json {
            return out_json(&preview);
        }
        out(&human::tailor(ctx.paint, &preview, job.as_ref()))?;
        eprintln!(
            "nothing stored; keep it with: vitae tailor {} --job {} --confirm",
            short(&id),
            short(&job_id)
        );
        return Ok(());
    }
    let created = match client
        .confirm_tailor(&id, &job_id, &preview.preview_hash)
        .await
    {
        Ok(created) => created,
        Err(e) if e.status() == Some(409) => {
            return Err(Failure::Stale(format!(
            "the tailoring preview went stale before it was confirmed: {e}; run the command again"
        )))
        }
        Err(e) => return Err(e.into()),
    };
    if ctx.json {
        return out_json(&json!({ "preview": preview, "created": created }));
    }
    out(&human::tailor(ctx.paint, &preview, job.as_ref()))?;
    out(&format!(
        "created {} {} (tailored from {})\n",
        created.id,
        human::clean(&created.filename),
        short(&id)
    ))
}

fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut super::whole_command_line(),
        "vitae",
        &mut script,
    );
    out(&String::from_utf8_lossy(&script))
}

async fn server_status(ctx: &mut Ctx) -> Result<(), Failure> {
    let data_dir =
        connect::local_data_dir(&ctx.connect).map_err(|e| Failure::Request(format!("{e:#}")))?;
    let url = connect::running_local(&data_dir).await;
    // The version is a courtesy: a server that answers /healthz but not
    // this is still running.
    let version = match &url {
        Some(url) => match crate::client::Client::new(url, "") {
            Ok(client) => client.health().await.ok().map(|h| h.version),
            Err(_) => None,
        },
        None => None,
    };
    if ctx.connect.url.is_some() && !ctx.json {
        eprintln!("note: --url/VITAE_URL is set, so other commands talk to that server, not to this local one");
    }
    if ctx.json {
        return out_json(&json!({
            "running": url.is_some(),
            "url": url,
            "version": version,
            "data_dir": data_dir.display().to_string(),
        }));
    }
    match url {
        Some(url) => {
            let version = version
                .map(|v| format!(", version {v}"))
                .unwrap_or_default();
            out(&format!(
                "running at {url}{version} (data dir {})\n",
                data_dir.display()
            ))
        }
        None => out(&format!(
            "not running (data dir {}); any command starts it\n",
            data_dir.display()
        )),
    }
}

async fn server_stop(ctx: &mut Ctx) -> Result<(), Failure> {
    let data_dir =
        connect::local_data_dir(&ctx.connect).map_err(|e| Failure::Request(format!("{e:#}")))?;
    let url = connect::running_local(&data_dir).await;
    let stopped = connect::stop_local(&data_dir)
        .await
        .map_err(|e| Failure::Request(format!("{e:#}")))?;
    if ctx.json {
        return out_json(&json!({
            "stopped": stopped,
            "url": url,
            "data_dir": data_dir.display().to_string(),
        }));
    }
    if stopped {
        out(&format!(
            "stopped the local server at {} (data dir {})\n",
            url.as_deref().unwrap_or("?"),
            data_dir.display()
        ))
    } else {
        out(&format!(
            "no local server was running (data dir {})\n",
            data_dir.display()
        ))
    }
}
