//! The server's own log, live from `/v1/logs` (admin tokens only): for
//! watching what the server does while using it, without a second terminal.
//!
//! It follows the newest record until the user scrolls up (then the view
//! stays put while records keep arriving), filters by level, and keeps the
//! last [`MAX_RECORDS`] records so a chatty server cannot grow it without
//! bound. The stream goes on in the background after the screen closes (the
//! app cannot cancel a stream yet).

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;
use vitae_common::LogRecord;

use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::theme::Theme;
use crate::stream::Link;

/// Records kept; the oldest go first.
pub const MAX_RECORDS: usize = 2000;
/// How far back a record that arrives twice is recognised (a reopened log
/// screen starts a second stream while the first one still runs).
const DEDUP_WINDOW: usize = 64;
/// Continuation lines of a long record start this far in.
const INDENT: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Follow,
    Level(Filter),
    Clear,
    Back,
}

/// The least severe level shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Error,
    Warn,
    Info,
    Debug,
}

impl Filter {
    fn max_rank(self) -> u8 {
        match self {
            Filter::Error => 1,
            Filter::Warn => 2,
            Filter::Info => 3,
            // Trace has no key of its own; it rides with debug.
            Filter::Debug => 5,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Filter::Error => "error",
            Filter::Warn => "warn+",
            Filter::Info => "info+",
            Filter::Debug => "debug+",
        }
    }
}

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::UP, label: "k/↑", help: "scroll up (stops following)", action: Action::Up },
    Binding { keys: nav::DOWN, label: "j/↓", help: "scroll down (follows again at the end)", action: Action::Down },
    Binding { keys: nav::PAGE_UP, label: "PgUp/Ctrl-U", help: "page up", action: Action::PageUp },
    Binding { keys: nav::PAGE_DOWN, label: "PgDn/Ctrl-D", help: "page down", action: Action::PageDown },
    Binding { keys: nav::TOP, label: "g/Home", help: "oldest record", action: Action::Top },
    Binding { keys: &[Key::ch('f'), Key::ch('G'), Key::plain(KeyCode::End)], label: "f/End", help: "follow the newest records", action: Action::Follow },
    Binding { keys: &[Key::ch('1')], label: "1", help: "errors only", action: Action::Level(Filter::Error) },
    Binding { keys: &[Key::ch('2')], label: "2", help: "warnings and errors", action: Action::Level(Filter::Warn) },
    Binding { keys: &[Key::ch('3')], label: "3", help: "info and up (the default)", action: Action::Level(Filter::Info) },
    Binding { keys: &[Key::ch('4')], label: "4", help: "debug and up (everything)", action: Action::Level(Filter::Debug) },
    Binding { keys: &[Key::ch('c')], label: "c", help: "clear the screen", action: Action::Clear },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back (stops the stream)", action: Action::Back },
];

/// 1 error … 5 trace; an unknown level counts as info so it is seen.
fn rank(level: &str) -> u8 {
    match level.to_ascii_lowercase().as_str() {
        "error" => 1,
        "warn" | "warning" => 2,
        "debug" => 4,
        "trace" => 5,
        _ => 3,
    }
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    rank: u8,
    record: LogRecord,
}

#[derive(Debug)]
pub struct LogsState {
    entries: VecDeque<Entry>,
    next_seq: u64,
    filter: Filter,
    follow: bool,
    /// While paused: the first record shown is the first visible one with
    /// a sequence number at least this (stable while old records drop).
    anchor: u64,
    link: Link,
    /// From the last frame: the first and last records shown, whether the
    /// first was cut, and the height (for scrolling and paging).
    view_top: Option<u64>,
    view_bottom: Option<u64>,
    top_cut: bool,
    height: usize,
}

impl Default for LogsState {
    fn default() -> LogsState {
        LogsState {
            entries: VecDeque::new(),
            next_seq: 0,
            filter: Filter::Info,
            follow: true,
            anchor: 0,
            link: Link::Connecting,
            view_top: None,
            view_bottom: None,
            top_cut: false,
            height: 20,
        }
    }
}

/// `HH:MM:SS.mmm` of an RFC 3339 time (UTC, as sent).
fn clock(time: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(time) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%H:%M:%S%.3f")
            .to_string(),
        Err(_) => time.chars().take(12).collect(),
    }
}

/// A field value as `key=value` shows it: plain words bare, text with
/// spaces quoted, other JSON as JSON.
fn field_value(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '"') => {
            format!("{s:?}")
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Why a closed stream closed, in the user's terms.
fn needs_admin(link: &Link) -> bool {
    matches!(link, Link::Closed { cause } if cause.contains("403") || cause.contains("401"))
}

impl LogsState {
    /// The screen, and the start of the stream.
    pub fn open() -> (LogsState, Request) {
        (LogsState::default(), Request::WatchLogs)
    }

    fn push(&mut self, record: &LogRecord) {
        if self
            .entries
            .iter()
            .rev()
            .take(DEDUP_WINDOW)
            .any(|e| e.record == *record)
        {
            return;
        }
        self.entries.push_back(Entry {
            seq: self.next_seq,
            rank: rank(&record.level),
            record: record.clone(),
        });
        self.next_seq += 1;
        while self.entries.len() > MAX_RECORDS {
            self.entries.pop_front();
        }
    }

    fn visible(&self) -> impl DoubleEndedIterator<Item = &Entry> + Clone {
        let max = self.filter.max_rank();
        self.entries.iter().filter(move |e| e.rank <= max)
    }

    /// Move the paused view `n` records up (negative: down).
    fn scroll_up(&mut self, n: usize) {
        let Some(top) = self.view_top else {
            return;
        };
        let earlier: Vec<u64> = self.visible().map(|e| e.seq).filter(|s| *s < top).collect();
        // A record cut at the top counts as one step: show it whole first.
        let steps = if self.top_cut { n.saturating_sub(1) } else { n };
        let target = match earlier.len().checked_sub(steps) {
            _ if steps == 0 => Some(top),
            Some(i) => earlier.get(i).copied(),
            None => earlier.first().copied(),
        };
        // None: everything is already in view, nothing to scroll.
        if let Some(seq) = target {
            self.anchor = seq;
            self.follow = false;
        }
    }

    fn scroll_down(&mut self, n: usize) {
        if self.follow {
            return;
        }
        let last = self.visible().next_back().map(|e| e.seq);
        if self.view_bottom == last && !self.top_cut {
            self.follow = true;
            return;
        }
        let later: Vec<u64> = self
            .visible()
            .map(|e| e.seq)
            .filter(|s| *s > self.anchor)
            .collect();
        match later.get(n.saturating_sub(1)).or(later.last()) {
            Some(seq) => self.anchor = *seq,
            None => self.follow = true,
        }
    }

    fn act(&mut self, action: Action) -> Effect {
        let page = self.height.saturating_sub(1).max(1);
        match action {
            Action::Up => self.scroll_up(1),
            Action::Down => self.scroll_down(1),
            Action::PageUp => self.scroll_up(page),
            Action::PageDown => self.scroll_down(page),
            Action::Top => {
                let first = self.visible().next().map(|e| e.seq);
                if let Some(first) = first {
                    self.anchor = first;
                    self.follow = false;
                }
            }
            Action::Follow => self.follow = true,
            Action::Level(filter) => {
                self.filter = filter;
                return Effect::Info(format!("showing {}", filter.label()));
            }
            Action::Clear => {
                self.entries.clear();
                self.follow = true;
            }
            Action::Back => {
                return Effect::Many(vec![Effect::Request(Request::StopLogs), Effect::Back])
            }
        }
        Effect::None
    }

    fn spans(&self, entry: &Entry, theme: &Theme) -> Vec<Span<'static>> {
        let record = &entry.record;
        let level_style = match entry.rank {
            1 => theme.error(),
            2 => theme.warn(),
            3 => theme.ok(),
            _ => theme.dim(),
        };
        let mut spans = vec![
            Span::styled(format!("{} ", clock(&record.time)), theme.dim()),
            Span::styled(
                format!("{:<5} ", record.level.to_ascii_uppercase()),
                level_style,
            ),
            Span::styled(format!("{} ", record.target), theme.dim()),
        ];
        // The request a record was logged for, first: `GET /v1/resumes`.
        let request = ["method", "path"]
            .iter()
            .filter_map(|k| record.span.get(*k).map(field_value))
            .collect::<Vec<_>>();
        if !request.is_empty() {
            spans.push(Span::styled(format!("{} ", request.join(" ")), theme.key()));
        }
        spans.push(Span::raw(record.message.clone()));
        for (key, value) in &record.fields {
            spans.push(Span::styled(format!(" {key}="), theme.dim()));
            spans.push(Span::raw(field_value(value)));
        }
        // The rest of the span (the request id) last, dimmed.
        for (key, value) in record
            .span
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "method" | "path"))
        {
            spans.push(Span::styled(
                format!(" {key}={}", field_value(value)),
                theme.dim(),
            ));
        }
        spans
    }

    fn title_spans(&self, theme: &Theme) -> Vec<Span<'static>> {
        let (link, style) = match &self.link {
            Link::Connecting => ("◌ connecting".to_string(), theme.warn()),
            Link::Live => ("● live".to_string(), theme.ok()),
            Link::Retrying { attempt, delay, .. } => (
                format!(
                    "↻ reconnect {attempt}/{} in {:.1} s",
                    crate::stream::MAX_ATTEMPTS,
                    delay.as_secs_f64()
                ),
                theme.warn(),
            ),
            link @ Link::Closed { .. } if needs_admin(link) => (
                "✕ the log stream needs an admin token".to_string(),
                theme.error(),
            ),
            Link::Closed { .. } => ("✕ closed".to_string(), theme.error()),
        };
        vec![
            Span::styled(" Server log · ", theme.title()),
            Span::styled(self.filter.label(), theme.key()),
            Span::styled(" · ", theme.title()),
            Span::styled(link, style),
            Span::styled(" ", theme.title()),
        ]
    }
}

/// Wrap styled spans to `width` chars, at spaces where a line has one
/// (long words are cut); continuation lines are indented.
fn wrap_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = INDENT.min(width / 2);
    let chars: Vec<(char, Style)> = spans
        .iter()
        .flat_map(|span| {
            let style = span.style;
            span.content
                .chars()
                .map(move |c| (if c.is_control() { ' ' } else { c }, style))
        })
        .collect();
    let mut lines = Vec::new();
    let mut start = 0;
    loop {
        let first = lines.is_empty();
        let room = if first { width } else { width - indent };
        let end = if chars.len() - start <= room {
            chars.len()
        } else {
            let hard = start + room;
            (start + 1..hard)
                .rev()
                .find(|&i| chars.get(i).is_some_and(|(c, _)| *c == ' '))
                .map_or(hard, |i| i + 1)
        };
        let mut line: Vec<Span<'static>> = Vec::new();
        if !first {
            line.push(Span::raw(" ".repeat(indent)));
        }
        let mut run = String::new();
        let mut run_style = Style::default();
        for (c, style) in chars.get(start..end).unwrap_or_default() {
            if *style != run_style && !run.is_empty() {
                line.push(Span::styled(std::mem::take(&mut run), run_style));
            }
            run_style = *style;
            run.push(*c);
        }
        if !run.is_empty() {
            line.push(Span::styled(run, run_style));
        }
        lines.push(Line::from(line));
        start = end;
        // The space a line broke at is not carried to the next one.
        while chars.get(start).is_some_and(|(c, _)| *c == ' ') {
            start += 1;
        }
        if start >= chars.len() {
            return lines;
        }
    }
}

impl View for LogsState {
    fn title(&self) -> String {
        "Logs".into()
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        help_of(KEYS)
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        match lookup(KEYS, key) {
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        match mouse.kind {
            MouseEventKind::ScrollUp => self.scroll_up(3),
            MouseEventKind::ScrollDown => self.scroll_down(3),
            _ => {}
        }
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Log(record) => self.push(record),
            Msg::LogLink(link) => self.link = link.clone(),
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let mut title = self.title_spans(theme);
        let block_for = |title: Vec<Span<'static>>| {
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border())
                .title(Line::from(title))
        };
        let inner = block_for(Vec::new()).inner(area);
        let width = inner.width as usize;
        let height = (inner.height as usize).max(1);
        self.height = height;

        let total = self.visible().count();
        if total == 0 {
            let mut text = Vec::new();
            if needs_admin(&self.link) {
                text.push(Line::styled(
                    "The log stream needs an admin token.",
                    theme.error(),
                ));
                text.push(Line::raw(""));
                text.push(Line::raw(
                    "Start vitae with VITAE_TOKEN set to an admin token; an admin can make one with \
                     `vitae-server token create --user NAME --admin`.",
                ));
            } else if let Link::Closed { cause } = &self.link {
                text.push(Line::styled(
                    format!("The log stream closed: {cause}"),
                    theme.error(),
                ));
            } else if self.entries.is_empty() {
                text.push(Line::styled("Waiting for log records…", theme.dim()));
            } else {
                text.push(Line::styled(
                    format!(
                        "No {} records among the last {}; 4 shows every level.",
                        self.filter.label(),
                        self.entries.len()
                    ),
                    theme.dim(),
                ));
            }
            self.view_top = None;
            self.view_bottom = None;
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(block_for(title)),
                area,
            );
            return;
        }

        let mut lines: Vec<Line> = Vec::new();
        if self.follow {
            // From the newest back until the screen is full.
            let mut blocks: Vec<(u64, Vec<Line>)> = Vec::new();
            let mut count = 0;
            for entry in self.visible().rev() {
                let wrapped = wrap_spans(self.spans(entry, theme), width);
                count += wrapped.len();
                blocks.push((entry.seq, wrapped));
                if count >= height {
                    break;
                }
            }
            blocks.reverse();
            self.top_cut = count > height;
            self.view_top = blocks.first().map(|b| b.0);
            self.view_bottom = blocks.last().map(|b| b.0);
            lines = blocks.into_iter().flat_map(|b| b.1).collect();
            let skip = lines.len().saturating_sub(height);
            lines.drain(..skip);
        } else {
            let anchor = self.anchor;
            let mut first = None;
            let mut last = None;
            for entry in self.visible().filter(|e| e.seq >= anchor) {
                first.get_or_insert(entry.seq);
                last = Some(entry.seq);
                lines.extend(wrap_spans(self.spans(entry, theme), width));
                if lines.len() >= height {
                    break;
                }
            }
            self.top_cut = false;
            self.view_top = first;
            self.view_bottom = last;
            lines.truncate(height);
            let newer = self
                .visible()
                .filter(|e| last.is_some_and(|l| e.seq > l))
                .count();
            title.pop();
            title.push(Span::styled(" · ", theme.title()));
            title.push(Span::styled(
                if newer > 0 {
                    format!("⏸ paused, {newer} newer (f: follow) ")
                } else {
                    "⏸ paused (f: follow) ".to_string()
                },
                theme.warn(),
            ));
        }
        if self.follow {
            title.pop();
            title.push(Span::styled(" · following ", theme.title()));
        }
        frame.render_widget(Paragraph::new(lines).block(block_for(title)), area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::testing::{ch, draw, key};
    use serde_json::json;

    fn record(n: u32, level: &str, message: &str) -> LogRecord {
        let fields = match json!({"request_id": format!("req-{n}"), "status": 200}) {
            Value::Object(map) => map,
            _ => Default::default(),
        };
        LogRecord {
            time: format!(
                "2026-11-25T14:{:02}:{:02}.{:03}Z",
                n / 60 % 60,
                n % 60,
                n % 1000
            ),
            level: level.into(),
            target: "vitae_server::http".into(),
            message: message.into(),
            fields,
            span: Default::default(),
        }
    }

    /// A record logged while serving a request shows the request's method
    /// and path before the message and its id after the fields.
    #[test]
    fn a_request_record_shows_its_method_path_and_id() {
        let mut state = LogsState::default();
        state.on_msg(&Msg::LogLink(Link::Live));
        let mut line = record(1, "INFO", "request");
        line.fields = match json!({"status": 201, "ms": 1.5}) {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        line.span = match json!({"id": "c2cb64724e2b10fb", "method": "POST", "path": "/v1/resumes"})
        {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        state.on_msg(&Msg::Log(line));
        let screen = draw(&mut state, 120, 5).to_string();
        assert!(
            screen.contains("POST /v1/resumes request ms=1.5 status=201 id=c2cb64724e2b10fb"),
            "{screen}"
        );
    }

    fn mixed() -> LogsState {
        let mut state = LogsState::default();
        state.on_msg(&Msg::LogLink(Link::Live));
        let levels = ["INFO", "DEBUG", "WARN", "INFO", "ERROR", "TRACE"];
        for n in 0..12 {
            let level = levels[n as usize % levels.len()];
            let message = match level {
                "ERROR" => "cannot write the share record: disk full".to_string(),
                "WARN" => "slow request".to_string(),
                _ => format!("GET /v1/resumes/{n}"),
            };
            state.on_msg(&Msg::Log(record(n, level, &message)));
        }
        state
    }

    #[test]
    fn logs_with_mixed_levels_follow_the_newest() {
        let mut state = mixed();
        let mut long = record(
            99,
            "INFO",
            "parse finished: extracted 14 sections from zoe.pdf",
        );
        long.fields.insert(
            "stages".into(),
            json!(["received", "extracting", "sectioning"]),
        );
        long.fields
            .insert("note".into(), json!("took longer than usual"));
        state.on_msg(&Msg::Log(long));
        insta::assert_snapshot!(draw(&mut state, 100, 12));
    }

    #[test]
    fn logs_filtered_by_level() {
        let mut state = mixed();
        state.handle_key(&ch('2'));
        insta::assert_snapshot!("logs_warn_and_up", draw(&mut state, 100, 8));
        state.handle_key(&ch('4'));
        let all = state.visible().count();
        state.handle_key(&ch('1'));
        assert_eq!(state.visible().count(), 2);
        state.handle_key(&ch('3'));
        assert!(state.visible().count() < all);
        assert_eq!(state.visible().count(), 8, "info, warn, error");
    }

    #[test]
    fn scrolling_up_pauses_and_f_follows_again() {
        let mut state = mixed();
        state.handle_key(&ch('4'));
        draw(&mut state, 100, 8);
        state.handle_key(&ch('k'));
        state.handle_key(&ch('k'));
        assert!(!state.follow);
        // Records that arrive while paused do not move the view.
        state.on_msg(&Msg::Log(record(40, "INFO", "GET /healthz")));
        insta::assert_snapshot!("logs_paused", draw(&mut state, 100, 8));
        state.handle_key(&ch('f'));
        assert!(state.follow);
        insta::assert_snapshot!("logs_following", draw(&mut state, 100, 8));
        // Scrolling down to the end follows again too.
        state.handle_key(&ch('k'));
        draw(&mut state, 100, 8);
        state.handle_key(&ch('j'));
        draw(&mut state, 100, 8);
        state.handle_key(&ch('j'));
        assert!(state.follow);
        state.handle_key(&ch('g'));
        assert!(!state.follow);
        state.handle_key(&key(KeyCode::End));
        assert!(state.follow);
    }

    #[test]
    fn at_most_2000_records_are_kept_and_duplicates_dropped() {
        let mut state = LogsState::default();
        for n in 0..2100 {
            state.on_msg(&Msg::Log(record(n, "INFO", &format!("request {n}"))));
        }
        assert_eq!(state.entries.len(), MAX_RECORDS);
        assert_eq!(
            state.entries.front().map(|e| e.record.message.as_str()),
            Some("request 100")
        );
        let last = record(2099, "INFO", "request 2099");
        state.on_msg(&Msg::Log(last));
        assert_eq!(
            state.entries.len(),
            MAX_RECORDS,
            "the same record from a second stream"
        );
        state.handle_key(&ch('c'));
        assert!(state.entries.is_empty());
    }

    #[test]
    fn a_refused_stream_says_it_needs_an_admin_token() {
        let mut state = LogsState::default();
        state.on_msg(&Msg::LogLink(Link::Closed {
            cause: "403 Forbidden: this needs an admin token".into(),
        }));
        insta::assert_snapshot!("logs_needs_admin", draw(&mut state, 90, 8));
        let mut waiting = LogsState::default();
        insta::assert_snapshot!("logs_waiting", draw(&mut waiting, 90, 5));
        let back = waiting.handle_key(&ch('q'));
        assert_eq!(back.request(), Some(Request::StopLogs));
        assert!(matches!(back, Effect::Many(ref e) if matches!(e.last(), Some(Effect::Back))));
    }

    #[test]
    fn levels_and_values_format() {
        assert_eq!(rank("ERROR"), 1);
        assert_eq!(rank("warn"), 2);
        assert_eq!(rank("whatever"), 3);
        assert_eq!(clock("2026-11-25T14:03:09.5Z"), "14:03:09.500");
        assert_eq!(field_value(&json!("a b")), "\"a b\"");
        assert_eq!(field_value(&json!("ok")), "ok");
        assert_eq!(field_value(&json!(3)), "3");
    }
}
