//! A parse, live: the six stages, a gauge, the elapsed time and the state of
//! the stream connection, fed by the parse stream (`stream::watch_parse`,
//! which reconnects only while the parse is unfinished). On `complete` it
//! turns into the review screen; on `failed` it shows the reason and offers
//! a retry (a new upload of the same file, when this screen knows it).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::Stage;

use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::navigation::Route;
use crate::app::theme::Theme;
use crate::stream::{Link, ParseUpdate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Retry,
    Back,
}

const KEYS: &[Binding<Action>] = &[
    Binding {
        keys: &[Key::ch('r')],
        label: "r",
        help: "retry: upload the file again (or re-check a lost stream)",
        action: Action::Retry,
    },
    Binding {
        keys: nav::BACK,
        label: "q/Esc",
        help: "back to the library (the parse goes on)",
        action: Action::Back,
    },
];

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Failed(String),
    /// The stream was lost without a terminal event.
    Lost(String),
}

#[derive(Debug)]
pub struct ProgressState {
    pub id: String,
    filename: String,
    /// The local file, when this screen came from an upload (for retry).
    path: Option<PathBuf>,
    /// The last stage reported and its percent.
    stage: Option<Stage>,
    percent: u8,
    message: String,
    started: Instant,
    finished: Option<Duration>,
    link: Link,
    outcome: Option<Outcome>,
    /// Events the server could not encode (shown, never fatal).
    stream_errors: Vec<String>,
}

impl ProgressState {
    pub fn new(id: &str, filename: &str, path: Option<PathBuf>) -> ProgressState {
        ProgressState {
            id: id.to_string(),
            filename: filename.to_string(),
            path,
            stage: None,
            percent: 0,
            message: "waiting for the server…".into(),
            started: Instant::now(),
            finished: None,
            link: Link::Connecting,
            outcome: None,
            stream_errors: Vec::new(),
        }
    }

    /// The screen, and the parse stream it follows.
    pub fn open(id: &str, filename: &str, path: Option<PathBuf>) -> (ProgressState, Request) {
        (
            ProgressState::new(id, filename, path),
            Request::WatchParse(id.to_string()),
        )
    }

    fn elapsed(&self) -> Duration {
        self.finished.unwrap_or_else(|| self.started.elapsed())
    }

    fn apply(&mut self, update: &ParseUpdate) -> Effect {
        match update {
            ParseUpdate::Link(link) => self.link = link.clone(),
            ParseUpdate::Progress(progress) => {
                self.stage = Some(progress.stage);
                self.percent = progress.percent;
                self.message = progress.message.clone();
            }
            ParseUpdate::Complete(resume) => {
                self.finished = Some(self.started.elapsed());
                self.percent = 100;
                return Effect::Many(vec![
                    Effect::Info(format!(
                        "{} parsed in {:.1} s",
                        resume.filename,
                        self.elapsed().as_secs_f64()
                    )),
                    Effect::Replace(Route::Reviewing(resume.clone())),
                ]);
            }
            ParseUpdate::Failed(reason) => {
                self.finished = Some(self.started.elapsed());
                self.outcome = Some(Outcome::Failed(reason.clone()));
            }
            ParseUpdate::StreamError(message) => self.stream_errors.push(message.clone()),
            ParseUpdate::GaveUp(cause) => {
                self.finished = Some(self.started.elapsed());
                self.outcome = Some(Outcome::Lost(cause.clone()));
            }
        }
        Effect::None
    }

    fn retry(&mut self) -> Effect {
        match (&self.outcome, &self.path) {
            (Some(Outcome::Failed(_)), Some(path)) => {
                Effect::Replace(Route::Uploading(path.clone()))
            }
            (Some(Outcome::Failed(_)), None) => Effect::Info(
                "this file was uploaded elsewhere; press q, then u to upload it again".into(),
            ),
            (Some(Outcome::Lost(_)), _) => {
                self.outcome = None;
                self.finished = None;
                self.link = Link::Connecting;
                Effect::Request(Request::WatchParse(self.id.clone()))
            }
            (None, _) => Effect::Info("the parse is still running".into()),
        }
    }
}

fn link_text(link: &Link) -> String {
    match link {
        Link::Connecting => "connecting…".into(),
        Link::Live => "live".into(),
        Link::Retrying {
            attempt,
            delay,
            cause,
        } => format!(
            "reconnecting ({attempt}/{}) in {:.1} s: {cause}",
            crate::stream::MAX_ATTEMPTS,
            delay.as_secs_f64()
        ),
        Link::Closed { cause } => format!("closed: {cause}"),
    }
}

impl View for ProgressState {
    fn title(&self) -> String {
        format!("Parsing {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        help_of(KEYS)
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        match lookup(KEYS, key) {
            Some(Action::Retry) => self.retry(),
            Some(Action::Back) => Effect::Back,
            None => Effect::None,
        }
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Parse { id, update } if *id == self.id => self.apply(update),
            _ => Effect::None,
        }
    }

    fn animating(&self) -> bool {
        self.finished.is_none()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(format!(" {} ", self.filename), theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [stages_area, gauge_area, info_area] = Layout::vertical([
            Constraint::Length(Stage::ALL.len() as u16 + 1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);

        let current = self.stage.map(Stage::event_id).unwrap_or(0);
        let failed = matches!(self.outcome, Some(Outcome::Failed(_)));
        let lines: Vec<Line> = Stage::ALL
            .iter()
            .map(|stage| {
                let n = stage.event_id();
                let (mark, style) = if n < current || (n == current && self.percent == 100) {
                    ("✓", theme.ok())
                } else if n == current && failed {
                    ("✕", theme.error())
                } else if n == current {
                    ("▶", theme.warn())
                } else {
                    ("·", theme.dim())
                };
                Line::from(vec![
                    Span::styled(format!(" {mark} "), style),
                    Span::styled(stage.as_str(), style),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), stages_area);

        let gauge_style = if failed { theme.error() } else { theme.ok() };
        frame.render_widget(
            Gauge::default()
                .gauge_style(gauge_style)
                .percent(u16::from(self.percent.min(100)))
                .label(format!(
                    "{}%  {:.1} s",
                    self.percent,
                    self.elapsed().as_secs_f64()
                )),
            gauge_area,
        );

        let mut info = vec![
            Line::raw(""),
            Line::from(vec![
                Span::styled("stream: ", theme.dim()),
                Span::raw(link_text(&self.link)),
            ]),
            Line::from(vec![
                Span::styled("server: ", theme.dim()),
                Span::raw(self.message.clone()),
            ]),
        ];
        for error in &self.stream_errors {
            info.push(Line::styled(format!("stream error: {error}"), theme.warn()));
        }
        match &self.outcome {
            Some(Outcome::Failed(reason)) => {
                info.push(Line::raw(""));
                info.push(Line::styled("The parse failed:", theme.error()));
                info.push(Line::raw(reason.clone()));
                info.push(Line::raw(""));
                let hint = if self.path.is_some() {
                    "r: upload it again   q: back"
                } else {
                    "q: back (then u to upload a fixed file)"
                };
                info.push(Line::styled(hint, theme.key()));
            }
            Some(Outcome::Lost(cause)) => {
                info.push(Line::raw(""));
                info.push(Line::styled(
                    format!("Lost the progress stream: {cause}"),
                    theme.error(),
                ));
                info.push(Line::styled("r: check again   q: back", theme.key()));
            }
            None => {}
        }
        frame.render_widget(Paragraph::new(info).wrap(Wrap { trim: false }), info_area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::testing::{ch, draw};
    use vitae_common::Progress;

    fn progressed(stage: Stage, percent: u8) -> ParseUpdate {
        ParseUpdate::Progress(Progress {
            stage,
            percent,
            message: format!("{} done", stage.as_str()),
        })
    }

    #[test]
    fn stages_advance_and_the_clock_stops_at_the_end() {
        let mut state = ProgressState::new("id1", "cv.pdf", Some("cv.pdf".into()));
        let msg = |update| Msg::Parse {
            id: "id1".into(),
            update,
        };
        state.on_msg(&msg(ParseUpdate::Link(Link::Live)));
        state.on_msg(&msg(progressed(Stage::Sectioning, 50)));
        assert!(state.animating());
        // Another resume's events are not ours.
        state.on_msg(&Msg::Parse {
            id: "other".into(),
            update: progressed(Stage::Stored, 100),
        });
        assert_eq!(state.stage, Some(Stage::Sectioning));
        state.on_msg(&msg(ParseUpdate::Failed("no text in the PDF".into())));
        assert!(!state.animating());
        assert!(
            matches!(state.handle_key(&ch('r')), Effect::Replace(Route::Uploading(ref path)) if path.as_os_str() == "cv.pdf"),
            "retry re-uploads"
        );
    }

    #[test]
    fn progress_snapshot_mid_parse_and_failed() {
        let mut state = ProgressState::new("id1", "cv.pdf", None);
        state.apply(&ParseUpdate::Link(Link::Live));
        state.apply(&progressed(Stage::Fields, 65));
        state.finished = Some(Duration::from_millis(1234));
        insta::assert_snapshot!("progress_mid", draw(&mut state, 60, 16));
        state.apply(&ParseUpdate::Failed(
            "no text found in the PDF file (is it a scanned image? Vitae does not OCR)".into(),
        ));
        state.finished = Some(Duration::from_millis(1500));
        insta::assert_snapshot!("progress_failed", draw(&mut state, 60, 16));
    }

    #[test]
    fn complete_goes_straight_to_review() {
        let mut state = ProgressState::new("id1", "cv.pdf", None);
        let resume = crate::screens::library::tests::resume(
            "id1",
            "cv.pdf",
            vitae_common::Status::Ready,
            None,
        );
        let effect = state.apply(&ParseUpdate::Complete(Box::new(resume)));
        let Effect::Many(effects) = effect else {
            panic!("expected effects")
        };
        assert!(effects
            .iter()
            .any(|e| matches!(e, Effect::Replace(Route::Reviewing(r)) if r.id == "id1")));
    }
}
