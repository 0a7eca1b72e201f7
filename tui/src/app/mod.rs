//! The terminal UI: a stack of screens driven by one event loop.
//!
//! The loop owns the terminal and the screens and never blocks: it waits on
//! three things at once — terminal input (crossterm's async `EventStream`),
//! answers from the async tasks ([`tasks`], over an mpsc channel), and a
//! short tick only while something on screen moves (an elapsed-time clock, a
//! fading status message). It redraws after each of them and otherwise
//! sleeps, so an idle UI uses no CPU.
//!
//! Screens ([`crate::screens`]) turn keys and messages into [`Effect`]s; the
//! app applies them (start requests, status messages, clipboard) and queues
//! the moves between screens they name ([`navigation`]), which it makes once
//! the event is handled. The library screen is always at the bottom of the
//! stack.
//!
//! The screens use this module's leaf types (messages, routes, keys,
//! theme); of the screens, the app itself uses only
//! [`Screen`], whose stack it keeps.

pub mod keys;
pub mod msg;
pub mod navigation;
pub mod tasks;
pub mod terminal;
pub mod theme;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent,
};
use futures_util::StreamExt;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use crate::connect::{self, ConnectArgs, Origin};
use crate::screens::widgets::wrap::str_width;
use crate::screens::Screen;
use crate::stream::{AccountUpdate, Link};
pub use msg::{Effect, Msg, Request};
pub use navigation::Route;
use navigation::{Navigate, Navigation};
use tasks::Tasks;
use theme::Theme;

/// How long a status-bar message stays.
const MESSAGE_TTL: Duration = Duration::from_secs(6);
/// Redraw period while something on screen is animated.
const TICK: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, PartialEq)]
pub struct StatusMessage {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

/// Everything the UI shows; separate from the terminal so tests can drive it
/// with a `TestBackend`.
pub struct App {
    pub stack: Vec<Screen>,
    pub account: Link,
    pub message: Option<StatusMessage>,
    pub help: bool,
    pub theme: Theme,
    pub server: String,
    pub quit: bool,
    /// Repaint every cell at the next frame: a screen that showed terminal
    /// graphics (Sixel, Kitty, iTerm2) closed, and the pixels it left are
    /// not cells ratatui knows to redraw.
    pub repaint: bool,
    tasks: Option<Tasks>,
    /// Moves asked for by the event being handled.
    navigation: Navigation,
    /// A change arrived: reload the list once the burst is over.
    reload_wanted: bool,
    reload_running: bool,
}

impl App {
    /// An app without a server (for tests and the first frame).
    pub fn new(theme: Theme, server: &str) -> App {
        App {
            stack: vec![Screen::library()],
            account: Link::Connecting,
            message: None,
            help: false,
            theme,
            server: server.to_string(),
            quit: false,
            repaint: false,
            tasks: None,
            navigation: Navigation::default(),
            reload_wanted: false,
            reload_running: false,
        }
    }

    fn with_tasks(mut self, tasks: Tasks) -> App {
        self.tasks = Some(tasks);
        self
    }

    fn start(&mut self) {
        self.request(Request::LoadResumes);
        if let Some(tasks) = &self.tasks {
            tasks.watch_account();
        }
    }

    pub fn top(&mut self) -> &mut Screen {
        // The library is never popped, so the stack is never empty.
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// Whether the next frames change without input (a clock, a message).
    pub fn animating(&self) -> bool {
        self.message
            .as_ref()
            .is_some_and(|m| m.at.elapsed() < MESSAGE_TTL)
            || self.stack.iter().any(Screen::animating)
    }

    /// Do what a screen asked for, then make the moves it asked for.
    pub fn apply(&mut self, effect: Effect) {
        self.perform(effect);
        self.navigate();
    }

    /// Everything but the moves, which are queued for [`App::navigate`].
    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Quit => self.quit = true,
            Effect::Back => self.navigation.push(Navigate::Back),
            Effect::Open(route) => self.navigation.push(Navigate::Open(route)),
            Effect::Replace(route) => self.navigation.push(Navigate::Replace(route)),
            Effect::Request(request) => self.request(request),
            Effect::Info(text) => self.say(text, false),
            Effect::Error(text) => self.say(text, true),
            Effect::Copy(text) => match terminal::copy_to_clipboard(&text) {
                Ok(()) => self.say(format!("copied {text}"), false),
                Err(e) => self.say(format!("cannot copy: {e}"), true),
            },
            Effect::Many(effects) => {
                for effect in effects {
                    self.perform(effect);
                }
            }
        }
    }

    /// Make the queued moves, in order: the one place the stack changes.
    fn navigate(&mut self) {
        while let Some(step) = self.navigation.pop() {
            let route = match step {
                Navigate::Back => {
                    if self.stack.len() > 1 {
                        self.pop();
                    } else {
                        self.quit = true;
                    }
                    continue;
                }
                Navigate::Open(route) => route,
                Navigate::Replace(route) => {
                    if self.stack.len() > 1 {
                        self.pop();
                    }
                    route
                }
            };
            let (screen, request) = Screen::open(route);
            self.stack.push(screen);
            if let Some(request) = request {
                self.request(request);
            }
        }
    }

    /// Close the top screen.
    fn pop(&mut self) {
        if let Some(closed) = self.stack.pop() {
            if crate::graphics::draws_pixels() && matches!(closed, Screen::Export(_)) {
                self.repaint = true;
            }
        }
    }

    fn request(&mut self, request: Request) {
        if request == Request::LoadResumes {
            if self.reload_running {
                self.reload_wanted = true;
                return;
            }
            self.reload_running = true;
        }
        match &self.tasks {
            Some(tasks) => tasks.run(request),
            None => self.reload_running = false,
        }
    }

    fn say(&mut self, text: String, error: bool) {
        self.message = Some(StatusMessage {
            text,
            error,
            at: Instant::now(),
        });
    }

    pub fn on_msg(&mut self, msg: Msg) {
        match &msg {
            Msg::Account(AccountUpdate::Link(link)) => self.account = link.clone(),
            Msg::Account(AccountUpdate::Change(_) | AccountUpdate::Resync) => {
                self.request(Request::LoadResumes);
            }
            Msg::Resumes(_) => {
                self.reload_running = false;
                if std::mem::take(&mut self.reload_wanted) {
                    self.request(Request::LoadResumes);
                }
            }
            _ => {}
        }
        let mut effects = Vec::new();
        for screen in &mut self.stack {
            effects.push(screen.on_msg(&msg));
        }
        // Every screen sees the message before any move is made.
        for effect in effects {
            self.perform(effect);
        }
        self.navigate();
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.help {
            // Any key closes help; it is an overlay, not a screen.
            self.help = false;
            return;
        }
        let typing = self.top().is_typing();
        if key.code == KeyCode::F(1) || (!typing && key.code == KeyCode::Char('?')) {
            self.help = true;
            return;
        }
        if !typing
            && key.code == KeyCode::Char('r')
            && matches!(self.account, Link::Closed { .. })
            && matches!(self.top(), Screen::Library(_))
        {
            self.request(Request::Reconnect);
            return;
        }
        let effect = self.top().handle_key(&key);
        self.apply(effect);
    }

    pub fn on_mouse(&mut self, mouse: MouseEvent) {
        let effect = self.top().handle_mouse(&mouse);
        self.apply(effect);
    }

    pub fn on_paste(&mut self, text: String) {
        let effect = self.top().handle_paste(&text);
        self.apply(effect);
    }

    pub fn render(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let theme = self.theme;
        let titles: Vec<String> = self.stack.iter().map(Screen::title).collect();
        let crumbs = titles.join(" › ");
        let server = format!("{} ", self.server);
        let width = header.width as usize;
        let left = format!(" Vitae │ {crumbs}");
        let pad = width.saturating_sub(str_width(&left) + str_width(&server));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(left, theme.title()),
                Span::raw(" ".repeat(pad)),
                Span::styled(server, theme.dim()),
            ])),
            header,
        );
        self.top().render(frame, body, &theme);
        self.render_status(frame, footer);
        if self.help {
            self.render_help(frame, body);
        }
    }

    fn render_status(&mut self, frame: &mut Frame, area: Rect) {
        let theme = self.theme;
        let (dot, style) = match &self.account {
            Link::Live => ("● live".to_string(), theme.ok()),
            Link::Connecting => ("◌ connecting".to_string(), theme.warn()),
            Link::Retrying { attempt, delay, .. } => (
                format!(
                    "↻ reconnect {attempt}/{} in {:.1}s",
                    crate::stream::MAX_ATTEMPTS,
                    delay.as_secs_f64()
                ),
                theme.warn(),
            ),
            Link::Closed { .. } => ("✕ offline (r: reconnect)".to_string(), theme.error()),
        };
        let mut spans = vec![Span::styled(format!(" {dot} "), style)];
        if let Some(message) = self
            .message
            .as_ref()
            .filter(|m| m.at.elapsed() < MESSAGE_TTL)
        {
            let style = if message.error {
                theme.error()
            } else {
                theme.text()
            };
            spans.push(Span::styled(format!("│ {}", message.text), style));
        }
        let hint = "?: help  q: back ";
        let used: usize = spans.iter().map(|s| str_width(&s.content)).sum();
        let pad = (area.width as usize).saturating_sub(used + str_width(hint));
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(hint, theme.dim()));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_help(&mut self, frame: &mut Frame, area: Rect) {
        let theme = self.theme;
        let title = self.top().title();
        let mut rows = self.top().keys();
        rows.push(("?/F1", "this help (any key closes it)"));
        rows.push(("Ctrl-C", "quit from anywhere"));
        let label_width = rows.iter().map(|(l, _)| str_width(l)).max().unwrap_or(0);
        let lines: Vec<Line> = rows
            .iter()
            .map(|(label, help)| {
                Line::from(vec![
                    Span::styled(format!(" {label:<label_width$}  "), theme.key()),
                    Span::raw(*help),
                ])
            })
            .collect();
        let width = (label_width + 50).min(area.width as usize) as u16;
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + (area.width.saturating_sub(width)) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.focused_border())
                        .title(Span::styled(format!(" Keys: {title} "), theme.title())),
                )
                .style(Style::default()),
            popup,
        );
    }
}

/// Run the UI until the user quits. Exit code 0, or 1 with a message when
/// the server cannot be reached or the terminal cannot be set up.
pub fn main(args: &ConnectArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("vitae: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vitae: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &ConnectArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let connection = connect::connect(args).await?;
    // Fail before taking over the terminal: a plain error line is clearer
    // than a UI that can do nothing.
    connection
        .client
        .health()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let server = match &connection.origin {
        Origin::Remote => connection.client.base().to_string(),
        Origin::Local { .. } => format!("local {}", connection.client.base()),
    };
    let (tx, rx) = unbounded_channel();
    let tasks = Tasks::new(connection.client.clone(), tx);
    let mut app = App::new(Theme::from_env(), &server).with_tasks(tasks);
    let mut guard = terminal::TerminalGuard::enter()?;
    // Before anything reads terminal events: the query reads its answers
    // from stdin.
    crate::graphics::detect();
    app.start();
    let result = event_loop(&mut guard.terminal, &mut app, rx, started).await;
    drop(guard);
    result
}

async fn event_loop(
    terminal: &mut terminal::Term,
    app: &mut App,
    mut rx: UnboundedReceiver<Msg>,
    started: Instant,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    let mut first_frame = true;
    loop {
        if std::mem::take(&mut app.repaint) {
            terminal.clear()?;
        }
        terminal.draw(|frame| app.render(frame))?;
        if std::mem::take(&mut first_frame) {
            tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, "first frame");
            if let Some(path) = std::env::var_os("VITAE_FIRST_FRAME_FILE") {
                // For the time-to-first-frame figure (see tui/README.md).
                let _ = std::fs::write(path, format!("{}\n", started.elapsed().as_micros()));
            }
        }
        if app.quit {
            return Ok(());
        }
        let tick = async {
            if app.animating() {
                tokio::time::sleep(TICK).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => app.on_key(key),
                Some(Ok(Event::Mouse(mouse))) => app.on_mouse(mouse),
                Some(Ok(Event::Paste(text))) => app.on_paste(text),
                Some(Ok(_)) => {} // resize, focus: just redraw
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            msg = rx.recv() => {
                if let Some(msg) = msg {
                    app.on_msg(msg);
                }
            }
            _ = tick => {}
        }
        // Take every answer already waiting before drawing: a burst of
        // changes costs one frame, not one per message.
        while let Ok(msg) = rx.try_recv() {
            app.on_msg(msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::ParseUpdate;

    fn titles(app: &App) -> Vec<String> {
        app.stack.iter().map(Screen::title).collect()
    }

    #[test]
    fn moves_go_through_the_queue_in_order() {
        let mut app = App::new(Theme::plain(), "test");
        let review = Route::Review {
            id: "r1".into(),
            filename: "cv.pdf".into(),
        };
        app.apply(Effect::Open(review));
        assert_eq!(titles(&app), ["Library", "Review cv.pdf"]);
        app.apply(Effect::Many(vec![
            Effect::Back,
            Effect::Open(Route::Share {
                id: "r1".into(),
                filename: "cv.pdf".into(),
            }),
        ]));
        assert_eq!(titles(&app), ["Library", "Share cv.pdf"]);
        app.apply(Effect::Replace(Route::Logs));
        assert_eq!(titles(&app), ["Library", "Logs"]);
        app.apply(Effect::Back);
        // Replacing never takes the library away: the screen goes on top.
        app.apply(Effect::Replace(Route::Logs));
        assert_eq!(titles(&app), ["Library", "Logs"]);
        app.apply(Effect::Many(vec![Effect::Back, Effect::Back]));
        assert!(app.quit, "back on the library quits");
    }

    #[test]
    fn a_completed_parse_replaces_progress_with_review() {
        let mut app = App::new(Theme::plain(), "test");
        app.apply(Effect::Open(Route::Progress {
            id: "id1".into(),
            filename: "cv.pdf".into(),
            path: None,
        }));
        let resume = crate::screens::library::tests::resume(
            "id1",
            "cv.pdf",
            vitae_common::Status::Ready,
            None,
        );
        app.on_msg(Msg::Parse {
            id: "id1".into(),
            update: ParseUpdate::Complete(Box::new(resume)),
        });
        assert_eq!(titles(&app), ["Library", "Review cv.pdf"]);
    }
}
