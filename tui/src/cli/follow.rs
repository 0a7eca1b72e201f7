//! Following a parse for `upload --wait` and `watch`: the stream's progress
//! shown on stderr (a bar redrawn in place on a terminal, one line per stage
//! otherwise), and its outcome.
//!
//! The stream itself, with its bounded reconnects, is [`crate::stream`]; this
//! only renders what it reports. Stdout is left alone so that `--json`
//! output stays one document.

use std::io::Write as _;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::unbounded_channel;
use vitae_common::{Progress, ResumeResource};

use crate::client::Client;
use crate::stream::{watch_parse, Link, ParseUpdate, MAX_ATTEMPTS};

use super::Failure;

/// How a parse ended.
pub enum Outcome {
    Ready(Box<ResumeResource>),
    Failed(String),
}

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// A bar redrawn in place (stderr is a terminal).
    Bar,
    /// One line per stage (stderr is a file or pipe, no `--json`).
    Lines,
    /// Nothing (`--json` off a terminal: scripts read stdout alone).
    Quiet,
}

/// Redraws of the elapsed time between events.
const TICK: Duration = Duration::from_millis(100);
const BAR_CELLS: usize = 24;

/// Follow the parse of `id` to its terminal event.
pub async fn follow(client: &Client, id: &str, show: Show) -> Result<Outcome, Failure> {
    let (tx, mut rx) = unbounded_channel();
    let task = tokio::spawn(watch_parse(client.clone(), id.to_string(), tx));
    let mut view = View {
        show,
        started: Instant::now(),
        progress: None,
        note: None,
        drawn: false,
    };
    let mut tick = tokio::time::interval(TICK);
    // Ctrl-C ends the wait, not the parse: clear the bar and say how to
    // pick it up again rather than leave a half-drawn line behind.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let result = loop {
        let update = tokio::select! {
            update = rx.recv() => update,
            _ = tick.tick(), if show == Show::Bar => {
                view.draw();
                continue;
            }
            _ = &mut interrupted => {
                break Err(Failure::Request(format!(
                    "interrupted; the parse goes on on the server: follow it again with `vitae watch {}`",
                    super::ids::short(id)
                )));
            }
        };
        let Some(update) = update else {
            break Err(Failure::Request(
                "the progress stream stopped without saying how the parse ended".into(),
            ));
        };
        match update {
            ParseUpdate::Progress(p) => view.progress(p),
            ParseUpdate::Link(Link::Retrying {
                attempt,
                delay,
                cause,
            }) => view.note(format!(
                "connection lost ({cause}); reconnect {attempt}/{MAX_ATTEMPTS} in {:.1}s",
                delay.as_secs_f32()
            )),
            ParseUpdate::Link(Link::Live) => view.note = None,
            ParseUpdate::Link(_) => {}
            ParseUpdate::StreamError(message) => view.note(format!("server: {message}")),
            ParseUpdate::Complete(resume) => break Ok(Outcome::Ready(resume)),
            ParseUpdate::Failed(reason) => break Ok(Outcome::Failed(reason)),
            ParseUpdate::GaveUp(cause) => {
                break Err(Failure::Request(format!(
                    "lost the progress stream of resume {id}: {cause}"
                )))
            }
        }
    };
    view.clear();
    task.abort();
    result
}

struct View {
    show: Show,
    started: Instant,
    progress: Option<Progress>,
    /// A passing condition (reconnecting), shown until the link is live.
    note: Option<String>,
    drawn: bool,
}

impl View {
    fn progress(&mut self, p: Progress) {
        if self.show == Show::Lines {
            let message = super::human::one_line(&p.message, 100);
            eprintln!(
                "{:<11} {:>3}%  {:>5.1}s  {message}",
                p.stage.as_str(),
                p.percent.min(100),
                self.started.elapsed().as_secs_f32()
            );
        }
        self.progress = Some(p);
        self.draw();
    }

    fn note(&mut self, note: String) {
        if self.show == Show::Lines {
            eprintln!("{note}");
        }
        self.note = Some(note);
        self.draw();
    }

    fn draw(&mut self) {
        if self.show != Show::Bar {
            return;
        }
        let (stage, percent) = match &self.progress {
            Some(p) => (p.stage.as_str(), usize::from(p.percent.min(100))),
            None => ("connecting", 0),
        };
        let filled = percent * BAR_CELLS / 100;
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR_CELLS - filled));
        let tail = match &self.note {
            Some(note) => format!("  {}", super::human::one_line(note, 60)),
            None => String::new(),
        };
        let mut err = std::io::stderr().lock();
        // \r and erase-line: the bar owns one line and is redrawn in place.
        let _ = write!(
            err,
            "\r\x1b[2K{stage:<11} {bar} {percent:>3}%  {:>5.1}s{tail}",
            self.started.elapsed().as_secs_f32()
        );
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}
