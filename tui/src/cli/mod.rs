//! The scriptable subcommands of `vitae`: `upload`, `list`, `show`, `watch`,
//! `diff`, `share`, `shares`, `views`, `revoke`, `master`, `export`, `templates`,
//! `delete`, `revisions`, `restore`, `job add|list`, `tailor`, `account`,
//! `completions` and `server status|stop`.
//!
//! Output is for people by default (aligned tables, a readable summary, a
//! coloured diff when stdout is a terminal and `NO_COLOR` is unset) and for
//! machines with `--json`: then stdout carries exactly one JSON document (the
//! API's resource, or `{"resumes": [...]}` and the like) and nothing else.
//! Errors and progress always go to stderr.
//!
//! Ids may be abbreviated to a unique prefix of at least four characters,
//! like git's (`ids`).
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the request failed: an API error (the server's message, status, code and request id on stderr), an unreachable server, an unknown or ambiguous id, a declined confirmation |
//! | 2 | usage error: clap's, `delete` without `--yes` when stdin is not a terminal, `export` of a binary format to a terminal, and an export option the server refuses (400, its message as is) |
//! | 3 | the parse failed (`upload --wait`, `watch`): the reason on stderr |
//! | 4 | the tailoring preview went stale before `tailor --confirm` (409) |
//!
//! Every non-zero exit prints one line starting with `vitae:` on stderr.

mod follow;
mod human;
mod ids;
mod run;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use vitae_common::export::{
    parse_accent, parse_font_size, ExportFormat, ExportRequest, Options, Paper, DEFAULT_TEMPLATE,
};

use crate::client::{Client, ClientError};
use crate::connect::ConnectArgs;

pub use ids::{Side, MIN_PREFIX};

/// Shown after the top-level `--help` (exit codes, environment).
pub const AFTER_HELP: &str = "\
Server: --url/VITAE_URL with --token/VITAE_TOKEN, else `url` in the config file,
else the local server of the data dir (--data-dir/VITAE_DATA_DIR), which is
started on demand and keeps running (`vitae server stop` stops it).

Ids: a full id or a unique prefix of at least 4 characters (as `vitae list`
shows them). --json prints exactly one JSON document on stdout; messages and
progress go to stderr. Colours only on a terminal, and never with NO_COLOR set.

Exit codes:
  0  success
  1  the request failed: the server's message on stderr (API error, unknown or
     ambiguous id, unreachable server), or a declined confirmation
  2  usage error (bad arguments; delete without --yes off a terminal; an
     export option or template the server does not take)
  3  the parse failed (upload --wait, watch): the reason on stderr
  4  the tailoring preview went stale before tailor --confirm (409)

Examples:
  vitae                                  open the terminal UI
  vitae upload cv.pdf --wait             upload and follow the parse
  vitae list --json | jq -r '.resumes[].id'
  vitae diff 3f2a:rev:1 3f2a             what changed since revision 1
  vitae export 3f2a -o cv.pdf --template modern   a PDF in a template
  vitae share 3f2a --days 14             a link that expires in two weeks
  vitae views kX3v9Qm0aZ7rT1bYc2dE4f     who opened that link, per day and form";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Upload a resume (PDF, DOCX, Markdown, text or a JSON Resume file)
    ///
    /// The server answers at once with the resume in status `pending` and
    /// parses it in the background. With --wait, follow the parse (a
    /// progress bar on a terminal, one line per stage otherwise, both on
    /// stderr) and print the finished resume.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae upload cv.pdf
  vitae upload cv.docx --wait
  vitae upload cv.md --wait --json | jq .document.basics

Exit codes: 0 uploaded (with --wait: parsed), 1 the request failed,
3 the parse failed (--wait; the reason on stderr)."
    )]
    Upload {
        /// The file to upload; its extension sets the content type.
        file: PathBuf,
        /// Follow the parse to its end; exit 3 when it fails.
        #[arg(long)]
        wait: bool,
    },

    /// List your resumes: id prefix, status, master (★), revision, update time, file.
    #[command(after_help = "\
Examples:
  vitae list
  vitae list --json | jq -r '.resumes[] | select(.status == \"ready\") | .id'
  vitae list --limit 50 --json | jq -r .next_cursor")]
    List {
        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one resume: status, warnings, and its parsed document summarised.
    #[command(after_help = "\
Examples:
  vitae show 3f2a
  vitae show 3f2a --json | jq .document")]
    Show {
        /// Resume id or unique prefix (at least 4 characters).
        #[arg(value_parser = ids::id_arg)]
        id: String,
    },

    /// Follow the parse of a resume until it is ready or failed
    ///
    /// A resume whose parse has already finished answers at once.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae watch 3f2a
  vitae watch 3f2a --json > resume.json

Exit codes: 0 ready, 1 the request failed, 3 the parse failed."
    )]
    Watch {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
    },

    /// Compare two versions: what changed from BEFORE to AFTER
    ///
    /// Each side is a resume (`ID`, at its current revision) or one of its
    /// revisions (`ID:rev:N`). Changes are grouped by section with a summary;
    /// --unified prints each change as a -/+ hunk of the values.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae diff 3f2a:rev:1 3f2a        what changed since revision 1
  vitae diff 3f2a 9c41              the master against a tailored version
  vitae diff 3f2a:rev:2 3f2a:rev:3 --unified
  vitae diff 3f2a 9c41 --json | jq .summary"
    )]
    Diff {
        /// The before side: ID or ID:rev:N.
        #[arg(value_name = "BEFORE", value_parser = ids::side_arg)]
        a: Side,
        /// The after side: ID or ID:rev:N.
        #[arg(value_name = "AFTER", value_parser = ids::side_arg)]
        b: Side,
        /// Print every change as a unified -/+ hunk instead of one line.
        #[arg(long, short = 'u')]
        unified: bool,
    },

    /// Create a share link to a resume (public, read-only, expiring)
    ///
    /// Prints the URL on stdout (and how to revoke it on stderr).
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae share 3f2a
  vitae share 3f2a --days 7
  vitae share 3f2a --label \"Acme Corp, backend role\" --pin --hide phone,location
  vitae share 3f2a --password                 asks for it on the terminal (not echoed)
  printf '%s\\n' \"$PASSWORD\" | vitae share 3f2a --password-stdin --no-download
  SHARE_PW=… vitae share 3f2a --password-env SHARE_PW
  vitae share 3f2a --json | jq -r .url

Hideable: email, phone, location, url, profiles, summary, and any section
(work, education, skills, projects, references, …).

A password is never taken as a command-line value (other users of the
machine can read a process's arguments): --password asks on the terminal,
--password-stdin reads the first line of stdin, --password-env NAME reads
the environment variable NAME. Recipients type it in the browser; scripts
use `curl -u :PASSWORD`."
    )]
    Share {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        /// Days until the link expires (default: the server's).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        days: Option<u32>,
        /// A note for you, shown by `vitae shares` (at most 200 characters).
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
        /// Freeze the link to the current revision: later edits do not show.
        #[arg(long, conflicts_with = "revision")]
        pin: bool,
        /// Freeze the link to this revision (see `vitae revisions ID`).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        revision: Option<u64>,
        /// Fields to remove from every form of the link (comma-separated).
        #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
        hide: Vec<String>,
        /// Only the page: no PDF, DOCX, JSON or Markdown downloads.
        #[arg(long)]
        no_download: bool,
        /// Protect the link with a password, asked for on the terminal
        /// (twice, not echoed).
        #[arg(long, group = "share_password")]
        password: bool,
        /// Read the link's password from the first line of stdin.
        #[arg(long, group = "share_password")]
        password_stdin: bool,
        /// Read the link's password from the environment variable NAME.
        #[arg(long, value_name = "NAME", group = "share_password")]
        password_env: Option<String>,
    },

    /// The view history of a share link: views per day and per form
    /// (page, PDF, DOCX, JSON, Markdown), with what the link shows.
    #[command(after_help = "\
Examples:
  vitae views kX3v9Qm0aZ7rT1bYc2dE4f
  vitae views https://cv.example.com/s/kX3v9Qm0aZ7rT1bYc2dE4f
  vitae views kX3v9Qm0aZ7rT1bYc2dE4f --json | jq '[.views[].total] | add'

Days are UTC; only days with views are listed (the last 400 at most).")]
    Views {
        /// The share token (the last part of its URL; the URL itself works too).
        #[arg(value_name = "TOKEN", allow_hyphen_values = true)]
        share_token: String,
    },

    /// List a resume's share links: token, expiry, views, state, what it
    /// shows (live or a pinned revision), label, URL.
    #[command(after_help = "\
Examples:
  vitae shares 3f2a
  vitae shares 3f2a --json | jq '.shares[] | select(.revoked | not) | .url'
  vitae shares 3f2a --limit 100 --cursor CURSOR")]
    Shares {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        #[command(flatten)]
        page: PageArgs,
    },

    /// Revoke a share link: it answers 410 Gone from now on.
    #[command(after_help = "\
Examples:
  vitae revoke kX3v9Qm0aZ7rT1bYc2dE4f")]
    Revoke {
        /// The share token (the last part of its URL; the URL itself works too).
        // Not named `token`: that id is the global --token flag, which clap
        // would fill with this value.
        // Tokens are base64url, so one in 32 starts with `-`.
        #[arg(value_name = "TOKEN", allow_hyphen_values = true)]
        share_token: String,
    },

    /// Make a resume your master resume (the one tailoring starts from).
    #[command(after_help = "\
Examples:
  vitae master 3f2a")]
    Master {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
    },

    /// Export a resume: PDF, Word or PNG in a template; JSON Resume, Markdown, HTML
    ///
    /// PDF, DOCX and PNG (page 1, as a preview) are rendered by the server in
    /// a template (`vitae templates` lists them) with the layout options
    /// below. JSON, Markdown and HTML are the document itself and take no
    /// template.
    ///
    /// Writes to FILE with -o (the format then defaults to the file's
    /// extension), or to stdout: text formats always, binary ones only when
    /// stdout is not a terminal (a pipe or a redirect). With --json, stdout
    /// carries one JSON document: {"path", "format", "template", "bytes",
    /// "pages", "cached", "etag"} for a PDF, DOCX or PNG written with -o;
    /// {"path", "format", "bytes"} for the others with -o; on stdout, the
    /// JSON Resume (--format json) or {"format", "content"}.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae export 3f2a -o cv.pdf
  vitae export 3f2a -o cv.pdf --template modern --paper letter --fit-one-page
  vitae export 3f2a -o cv.docx --template ats --font-size 11
  vitae export 3f2a -o cv.pdf --accent '#1f6feb' --json | jq .pages
  vitae export 3f2a --format pdf > cv.pdf
  vitae export 3f2a --format md
  vitae export 3f2a --format json | jq .work

Exit codes: 0 written, 1 the request failed (the server's message on stderr),
2 bad arguments: an unknown option value, a template the server does not
have (its message lists the valid ones), a binary format for a terminal."
    )]
    Export {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        /// Output format (default: from -o's extension).
        #[arg(long, short = 'f', value_enum)]
        format: Option<Format>,
        /// Write to this file instead of stdout (`-` is stdout).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        layout: LayoutArgs,
    },

    /// List the export templates: id, name, what each looks like.
    #[command(after_help = "\
Examples:
  vitae templates
  vitae templates --json | jq -r '.templates[].id'
  vitae export 3f2a -o cv.pdf --template compact")]
    Templates,

    /// Your usage against your quotas: storage, resumes, revisions, jobs,
    /// shares, export jobs.
    #[command(after_help = "\
Examples:
  vitae account
  vitae account --json | jq .usage.bytes")]
    Account,

    /// Delete a resume with its revisions and share links
    ///
    /// Asks first on a terminal; off a terminal (scripts) it refuses unless
    /// --yes is given.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae delete 3f2a
  vitae delete 3f2a --yes

Exit codes: 0 deleted, 1 the request failed or the answer was no,
2 no --yes and stdin is not a terminal."
    )]
    Delete {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        /// Do not ask.
        #[arg(long, short = 'y')]
        yes: bool,
    },

    /// List the revisions of a resume, each with what changed.
    #[command(after_help = "\
Examples:
  vitae revisions 3f2a
  vitae revisions 3f2a --limit 20
  vitae diff 3f2a:rev:1 3f2a:rev:2")]
    Revisions {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        #[command(flatten)]
        page: PageArgs,
    },

    /// Restore revision N of a resume (as a new revision; history is kept).
    #[command(after_help = "\
Examples:
  vitae restore 3f2a 2")]
    Restore {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        /// The revision to bring back.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        revision: u64,
    },

    /// Job descriptions to tailor resumes for.
    #[command(subcommand)]
    Job(JobCommand),

    /// Tailor a resume for a job: the keyword match and what would change
    ///
    /// Without --confirm nothing is stored. With --confirm the previewed
    /// version is stored as a new resume whose parent is ID.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  vitae tailor 3f2a --job 7be0
  vitae tailor 3f2a --job 7be0 --confirm
  vitae tailor 3f2a --job 7be0 --json | jq .match

Exit codes: 0 ok, 1 the request failed, 4 the preview went stale before it
was confirmed (the resume or the job changed meanwhile; run it again)."
    )]
    Tailor {
        /// Resume id or unique prefix.
        #[arg(value_parser = ids::id_arg)]
        id: String,
        /// Job id or unique prefix (see `vitae job list`).
        #[arg(long, value_name = "JOB_ID", value_parser = ids::id_arg)]
        job: String,
        /// Store the tailored version as a new resume.
        #[arg(long)]
        confirm: bool,
    },

    /// Print a shell completion script (needs no server).
    #[command(after_help = "\
Examples:
  vitae completions bash > ~/.local/share/bash-completion/completions/vitae
  vitae completions zsh > \"${fpath[1]}/_vitae\"
  vitae completions fish > ~/.config/fish/completions/vitae.fish")]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// The local server of the data dir (the one `vitae` starts on demand).
    #[command(subcommand)]
    Server(ServerCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum JobCommand {
    /// Store a job description (Markdown, text, or a JSON Resume job) and
    /// show the keywords extracted from it.
    #[command(after_help = "\
Examples:
  vitae job add backend.md
  vitae job add posting.txt --title \"Senior Backend Engineer\"
  vitae job add backend.md --json | jq -r .id")]
    Add {
        /// The job description file.
        file: PathBuf,
        /// A title (default: taken from the description).
        #[arg(long, short = 't')]
        title: Option<String>,
    },
    /// List your stored job descriptions.
    #[command(after_help = "\
Examples:
  vitae job list
  vitae job list --json | jq -r '.jobs[].id'")]
    List,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Whether the local server of the data dir is running, and where.
    #[command(after_help = "\
Examples:
  vitae server status
  vitae server status --data-dir /srv/vitae --json")]
    Status,
    /// Stop the local server of the data dir (it finishes open requests first).
    #[command(after_help = "\
Examples:
  vitae server stop")]
    Stop,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// PDF in a template.
    Pdf,
    /// A Word document in a template.
    Docx,
    /// Page 1 of the PDF as an image.
    Png,
    /// The JSON Resume document.
    Json,
    /// Markdown.
    #[value(alias = "markdown")]
    Md,
    /// A standalone HTML page.
    #[value(alias = "htm")]
    Html,
}

impl Format {
    fn as_str(self) -> &'static str {
        self.wire().as_str()
    }

    /// The API's name for it.
    pub fn wire(self) -> ExportFormat {
        match self {
            Format::Pdf => ExportFormat::Pdf,
            Format::Docx => ExportFormat::Docx,
            Format::Png => ExportFormat::Png,
            Format::Json => ExportFormat::Json,
            Format::Md => ExportFormat::Md,
            Format::Html => ExportFormat::Html,
        }
    }

    /// The format a file name's extension names (`cv.PDF`, `cv.markdown`).
    fn of_path(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let wire = ExportFormat::from_file_name(name)?;
        <Format as clap::ValueEnum>::value_variants()
            .iter()
            .copied()
            .find(|f| f.wire() == wire)
    }
}

/// Paper sizes, as `--paper` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    /// US Letter.
    #[value(alias = "us-letter")]
    Letter,
}

/// One page of a list instead of all of it. Without either option the
/// list commands follow the server's pages and print everything.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PageArgs {
    /// Print one page of at most N items (1 to 1000); the cursor of the
    /// next page goes to stderr, and to `next_cursor` with --json.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub limit: Option<u64>,
    /// Print the page that starts at CURSOR (a `next_cursor` printed before).
    #[arg(long, value_name = "CURSOR")]
    pub cursor: Option<String>,
}

impl PageArgs {
    /// Whether one page was asked for.
    fn one_page(&self) -> bool {
        self.limit.is_some() || self.cursor.is_some()
    }

    fn limit(&self) -> Option<usize> {
        self.limit.map(|n| n as usize)
    }

    /// Tell a person at the terminal how to get the next page.
    fn hint(&self, command: &str, next: Option<&str>) {
        if let Some(cursor) = next {
            let limit = self
                .limit
                .map(|n| format!(" --limit {n}"))
                .unwrap_or_default();
            eprintln!("more: {command}{limit} --cursor {cursor}");
        }
    }
}

/// The layout of a typeset export (pdf, docx, png). Each is checked here,
/// so a bad value is a usage error before anything is sent.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LayoutArgs {
    /// Template id (see `vitae templates`; default: classic).
    #[arg(long, value_name = "ID")]
    pub template: Option<String>,
    /// Paper size (default: a4).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,
    /// Tighten spacing and font size until it fits one page.
    #[arg(long)]
    pub fit_one_page: bool,
    /// Accent colour of headings and rules, #RRGGBB (default: the template's).
    #[arg(long, value_name = "#RRGGBB", value_parser = accent_arg)]
    pub accent: Option<[u8; 3]>,
    /// Body font size in points, 7 to 14 (default: the template's).
    #[arg(long, value_name = "PT", value_parser = font_size_arg)]
    pub font_size: Option<f32>,
}

impl LayoutArgs {
    /// Whether any layout option was given (they apply to typeset formats only).
    fn given(&self) -> bool {
        self.template.is_some()
            || self.paper.is_some()
            || self.fit_one_page
            || self.accent.is_some()
            || self.font_size.is_some()
    }

    /// The export request for `format` with these options.
    fn request(&self, format: ExportFormat) -> ExportRequest {
        let mut request =
            ExportRequest::new(format, self.template.as_deref().unwrap_or(DEFAULT_TEMPLATE));
        request.options = Options {
            paper: match self.paper {
                Some(PaperArg::Letter) => Paper::Letter,
                Some(PaperArg::A4) | None => Paper::A4,
            },
            accent: self.accent,
            font_size: self.font_size,
            fit_one_page: self.fit_one_page,
            ..Options::default()
        };
        request
    }
}

fn accent_arg(value: &str) -> Result<[u8; 3], String> {
    parse_accent(value).map_err(|e| e.to_string())
}

fn font_size_arg(value: &str) -> Result<f32, String> {
    parse_font_size(value).map_err(|e| e.to_string())
}

/// Why a command did not succeed; each maps to one exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1: an API error, an unreachable server, an unknown id.
    Request(String),
    /// Exit 2: the command cannot run as given.
    Usage(String),
    /// Exit 3: the parse failed.
    Parse(String),
    /// Exit 4: the tailoring preview is stale.
    Stale(String),
    /// Whoever read stdout stopped reading (`vitae list | head -1`): not an
    /// error of ours, so exit 0 without a word.
    Closed,
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Closed => 0,
            Failure::Request(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Parse(_) => 3,
            Failure::Stale(_) => 4,
        }
    }
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        Failure::Request(error.to_string())
    }
}

/// What every command has at hand.
pub(crate) struct Ctx {
    connect: ConnectArgs,
    json: bool,
    paint: human::Paint,
    client: Option<Client>,
}

impl Ctx {
    /// The client, connecting (and starting the local server) on first use,
    /// so commands that fail on their arguments never start a server.
    async fn client(&mut self) -> Result<Client, Failure> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let connection = crate::connect::connect(&self.connect)
            .await
            .map_err(|e| Failure::Request(format!("{e:#}")))?;
        self.client = Some(connection.client.clone());
        Ok(connection.client)
    }
}

/// Text to stdout, as is.
fn out(text: &str) -> Result<(), Failure> {
    out_bytes(text.as_bytes())
}

/// Bytes to stdout, as they are (a PDF piped on).
fn out_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::Request(format!("cannot write to stdout: {e}")),
        })
}

/// One JSON document to stdout.
fn out_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Request(format!("cannot encode the answer as JSON: {e}")))?;
    out(&format!("{text}\n"))
}

/// Whether to colour stdout (<https://no-color.org>: any non-empty value).
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Run one subcommand; the exit code is documented in the module docs.
pub fn main(command: Command, connect: &ConnectArgs, json: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("vitae: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let mut ctx = Ctx {
        connect: connect.clone(),
        json,
        paint: human::Paint { color: use_color() },
        client: None,
    };
    let result = runtime.block_on(run::run(&mut ctx, command));
    // The parse watcher may still be winding down; it holds nothing worth waiting for.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                Failure::Closed => {}
                Failure::Request(m) | Failure::Usage(m) | Failure::Parse(m) | Failure::Stale(m) => {
                    eprintln!("vitae: {}", m.trim_end())
                }
            }
            ExitCode::from(failure.code())
        }
    }
}

// The whole command line: the binary parses it and `completions` generates
// from it, so the two cannot drift.
/// Vitae: upload, review, tailor, compare and share resumes.
#[derive(Debug, clap::Parser)]
#[command(name = "vitae", version, after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Machine-readable output: one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn whole_command_line() -> clap::Command {
    <Args as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        whole_command_line().debug_assert();
    }

    #[test]
    fn a_share_token_may_start_with_a_dash() {
        use clap::Parser;
        let parsed = Args::try_parse_from(["vitae", "revoke", "-abc_d", "--json"]).expect("parses");
        assert!(parsed.json);
        assert!(parsed.connect.token.is_none(), "not the API token");
        match parsed.command {
            Some(Command::Revoke { share_token }) => assert_eq!(share_token, "-abc_d"),
            other => panic!("{other:?}"),
        }
    }

    /// A subcommand argument with the id of a global flag silently sets
    /// that flag (a share token became the API token once).
    #[test]
    fn no_subcommand_argument_shadows_a_global_flag() {
        fn walk(cmd: &clap::Command, globals: &[String]) {
            for sub in cmd.get_subcommands() {
                for arg in sub.get_arguments() {
                    let id = arg.get_id().as_str();
                    assert!(
                        !globals.iter().any(|g| g == id),
                        "`{}` has an argument `{id}` that shadows the global flag",
                        sub.get_name()
                    );
                }
                walk(sub, globals);
            }
        }
        let whole = whole_command_line();
        let globals: Vec<String> = whole
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        assert!(globals.iter().any(|g| g == "token"), "{globals:?}");
        walk(&whole, &globals);
    }
}
