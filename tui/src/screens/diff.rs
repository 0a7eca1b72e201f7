//! The diff screen: what changed from one version of a resume to another
//! (or between two revisions of one), change by change, unified or side by
//! side. A thin shell around [`DiffPane`] (shared with the tailor screen's
//! preview): this screen asks for the diff, says which two versions it
//! compares and what changed per section, and shows errors.

use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::DiffResource;

use super::widgets::diff_pane::{summary_spans, DiffPane, Mode, PANE_KEYS};
use super::widgets::wrap::{clean, wrap};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Reload,
    Back,
}

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: &[Key::ch('r')], label: "r", help: "compare again (after a parse finished, say)", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
];

/// The diff screen: two versions of a resume (or two revisions of one).
#[derive(Debug)]
pub struct DiffState {
    id: String,
    against: String,
    revision: Option<u64>,
    title: String,
    /// A `Request::Diff` of ours is unanswered.
    loading: bool,
    /// Boxed: a screen is one variant of `Screen`, and this is large.
    resource: Option<Box<DiffResource>>,
    error: Option<(Option<u16>, String)>,
    pane: DiffPane,
}

impl DiffState {
    pub fn new(id: &str, against: &str, revision: Option<u64>, title: &str) -> DiffState {
        DiffState {
            id: id.to_string(),
            against: against.to_string(),
            revision,
            title: title.to_string(),
            loading: true,
            resource: None,
            error: None,
            pane: DiffPane::default(),
        }
    }

    /// The screen, and the request for the diff of `id` (at `revision`, or
    /// its current one) against `against` (an id, `rev:N` or `<id>:rev:N`).
    pub fn open(
        id: &str,
        against: &str,
        revision: Option<u64>,
        title: &str,
    ) -> (DiffState, Request) {
        let request = Request::Diff {
            id: id.into(),
            against: against.into(),
            revision,
        };
        (DiffState::new(id, against, revision, title), request)
    }

    fn reload(&mut self) -> Effect {
        self.loading = true;
        self.error = None;
        Effect::Request(Request::Diff {
            id: self.id.clone(),
            against: self.against.clone(),
            revision: self.revision,
        })
    }

    /// Whether an answer is the diff this screen asked for.
    fn is_ours(&self, resource: &DiffResource) -> bool {
        resource.after.resume_id == self.id
            && self.revision.is_none_or(|r| r == resource.after.revision)
    }

    fn render_error(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        status: Option<u16>,
        message: &str,
    ) {
        let mut lines = vec![
            Line::styled("Cannot compare these versions.", theme.error()),
            Line::raw(""),
            Line::raw(clean(message)),
            Line::raw(""),
        ];
        let hint = match status {
            Some(409) => Some("A version that is still parsing (or whose parse failed) has no document to compare yet: wait for the parse to finish, then press r."),
            Some(404) => Some("One of the versions no longer exists."),
            None => Some("The server could not be asked; press r to try again."),
            _ => None,
        };
        if let Some(hint) = hint {
            lines.push(Line::styled(hint, theme.dim()));
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled("r", theme.key()),
            Span::raw(": try again   "),
            Span::styled("q", theme.key()),
            Span::raw(": back"),
        ]));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

impl View for DiffState {
    fn title(&self) -> String {
        format!("Diff {}", self.title)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let mut keys = help_of(PANE_KEYS);
        keys.extend(help_of(KEYS));
        keys
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if let Some(action) = lookup(KEYS, key) {
            return match action {
                Action::Reload => self.reload(),
                Action::Back => Effect::Back,
            };
        }
        match (lookup(PANE_KEYS, key), &self.resource) {
            (Some(action), Some(resource)) => self.pane.act(action, &resource.diff),
            _ => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.pane.scroll_by(3),
            MouseEventKind::ScrollUp => self.pane.scroll_by(-3),
            _ => {}
        }
        Effect::None
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            Msg::Diff(Ok(resource)) if self.loading && self.is_ours(resource) => {
                self.loading = false;
                self.error = None;
                self.resource = Some(Box::new(resource.clone()));
                self.pane.reset();
            }
            Msg::Diff(Err(e)) if self.loading => {
                self.loading = false;
                self.error = Some((e.status(), e.short()));
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" {} ", clean(&self.title)),
                theme.title(),
            ));
        let inner = block.inner(area);
        if let Some((status, message)) = &self.error {
            frame.render_widget(block, area);
            self.render_error(frame, inner, theme, *status, message);
            return;
        }
        let Some(resource) = &self.resource else {
            frame.render_widget(block, area);
            let text = if self.loading {
                "Comparing…"
            } else {
                "Nothing to show."
            };
            frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), inner);
            return;
        };
        let side = |label: &str, side: &vitae_common::DiffSide| {
            Line::from(vec![
                Span::styled(format!("{label:<8}"), theme.dim()),
                Span::styled(
                    clean(&side.filename),
                    theme.text().add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!("  revision {}", side.revision), theme.dim()),
            ])
        };
        let mut head = vec![
            side("before", &resource.before),
            side("after", &resource.after),
        ];
        if !resource.diff.is_empty() {
            head.extend(wrap(
                Vec::new(),
                0,
                summary_spans(&resource.diff, theme),
                inner.width as usize,
            ));
        }
        let head_height = head.len() as u16 + 1;
        let [head_area, body_area] =
            Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(inner);
        frame.render_widget(Paragraph::new(head), head_area);
        self.pane.render(frame, body_area, &resource.diff, theme);
        // The position is known once the pane has laid the diff out.
        let other = match self.pane.mode {
            Mode::Unified => Mode::SideBySide,
            Mode::SideBySide => Mode::Unified,
        };
        block = block.title_bottom(Line::styled(
            format!(
                " {} · {} · s: {} ",
                self.pane.mode.name(),
                self.pane.position(&resource.diff),
                other.name()
            ),
            theme.dim(),
        ));
        frame.render_widget(block, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::screens::testing::{ch, draw, key};
    use crate::screens::widgets::diff_pane::tests::sample_diff;
    use crossterm::event::KeyCode;
    use vitae_common::diff::Diff;
    use vitae_common::DiffSide;

    fn resource(diff: Diff) -> DiffResource {
        DiffResource {
            before: DiffSide {
                resume_id: "a".into(),
                revision: 3,
                filename: "zoe.pdf".into(),
            },
            after: DiffSide {
                resume_id: "b".into(),
                revision: 1,
                filename: "zoe (for Platform Engineer).json".into(),
            },
            diff,
        }
    }

    fn loaded(diff: Diff) -> DiffState {
        let mut state =
            DiffState::new("b", "a", None, "zoe.pdf → zoe (for Platform Engineer).json");
        state.on_msg(&Msg::Diff(Ok(resource(diff))));
        state
    }

    #[test]
    fn diff_unified_every_kind() {
        let mut state = loaded(sample_diff());
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn diff_side_by_side_every_kind() {
        let mut state = loaded(sample_diff());
        state.handle_key(&ch('s'));
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn diff_current_change_after_n() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 100, 30);
        state.handle_key(&ch('n'));
        state.handle_key(&ch('n'));
        state.handle_key(&ch('n'));
        assert_eq!(state.pane.current(), Some(2));
        insta::assert_snapshot!(draw(&mut state, 100, 30));
    }

    #[test]
    fn n_and_shift_n_stop_at_the_ends_and_brackets_jump_sections() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 100, 20);
        assert!(
            matches!(state.handle_key(&ch('N')), Effect::Info(_)),
            "nothing before the start"
        );
        assert_eq!(state.pane.current(), None);
        for expected in 0..5 {
            state.handle_key(&ch('n'));
            assert_eq!(state.pane.current(), Some(expected));
        }
        // At the last change n stops (no wrap-around) and says so.
        assert!(matches!(state.handle_key(&ch('n')), Effect::Info(_)));
        assert_eq!(state.pane.current(), Some(4));
        state.handle_key(&ch('N'));
        assert_eq!(state.pane.current(), Some(3));
        assert!(
            matches!(state.handle_key(&ch('[')), Effect::Info(_)),
            "work is the first section"
        );
        assert_eq!(state.pane.current(), Some(3));
        state.handle_key(&ch(']'));
        assert_eq!(state.pane.current(), Some(4), "skills");
        state.handle_key(&ch('['));
        assert_eq!(
            state.pane.current(),
            Some(0),
            "back to the first work change"
        );
        state.handle_key(&key(KeyCode::End));
        draw(&mut state, 100, 20);
        assert!(state.pane.top_line() > 0);
        state.handle_key(&ch('g'));
        assert_eq!(state.pane.top_line(), 0);
    }

    #[test]
    fn the_current_change_is_scrolled_into_view() {
        let mut state = loaded(sample_diff());
        draw(&mut state, 60, 14);
        state.handle_key(&ch('G'));
        state.handle_key(&ch('g'));
        state.handle_key(&ch(']'));
        state.handle_key(&ch(']'));
        let text = draw(&mut state, 60, 14).to_string();
        assert!(text.contains("▶ - removed skills[3] \"Perl\""), "{text}");
    }

    #[test]
    fn diff_error_shows_the_server_message() {
        let mut state = DiffState::new("b", "a", None, "zoe.pdf → draft.md");
        state.on_msg(&Msg::Diff(Err(ClientError::Api {
            status: 409,
            code: "conflict".into(),
            message: "resume b has no parsed document: it is still parsing".into(),
            request_id: "r1".into(),
        })));
        insta::assert_snapshot!(draw(&mut state, 80, 14));
        assert!(matches!(
            state.handle_key(&ch('r')).request(),
            Some(Request::Diff { .. })
        ));
    }

    #[test]
    fn diff_empty_says_identical() {
        let mut state = loaded(Diff::default());
        insta::assert_snapshot!(draw(&mut state, 80, 10));
    }

    #[test]
    fn only_our_answer_is_taken() {
        let mut state = DiffState::new("b", "a", Some(2), "x");
        let mut other = resource(sample_diff());
        other.after.resume_id = "zzz".into();
        state.on_msg(&Msg::Diff(Ok(other)));
        assert!(state.resource.is_none() && state.loading);
        let mut wrong_revision = resource(sample_diff());
        wrong_revision.after.revision = 1;
        state.on_msg(&Msg::Diff(Ok(wrong_revision)));
        assert!(state.resource.is_none());
        let mut ours = resource(sample_diff());
        ours.after.revision = 2;
        state.on_msg(&Msg::Diff(Ok(ours)));
        assert!(state.resource.is_some() && !state.loading);
        // Once answered, later errors (someone else's request) are not ours.
        state.on_msg(&Msg::Diff(Err(ClientError::Local("x".into()))));
        assert!(state.error.is_none());
    }
}
