//! The screens of the terminal UI, one module each, each with its own state,
//! key table, message handling and render function (the [`View`] trait).
//!
//! Screens do not build each other: one that wants another returns an
//! [`Effect`] naming a [`Route`], and the app, once the event is handled,
//! asks [`Screen::open`] for that route's screen. That function is the one
//! place that knows which screen answers which route.
//!
//! | screen | module | what |
//! |---|---|---|
//! | Library | [`library`] | the caller's resumes, live from `/v1/events` |
//! | Upload | [`upload`] | pick a file: path entry with completion, or browse |
//! | Progress | [`progress`] | a parse, live: stages, gauge, elapsed time |
//! | Review | [`review`] | sections and fields, warnings, edit in place |
//! | Diff | [`diff`] | two versions side by side or unified |
//! | Share | [`share`] | links of a resume: create, copy, revoke |
//! | Logs | [`logs`] | the server's log stream (admin) |
//! | Tailor | [`tailor`] | a job, its keywords, the preview and confirm |
//! | Export | [`export`] | a template and options, page-1 preview, the file saved |
//!
//! [`widgets`] holds what several screens show: the text input, the list
//! cursor, text wrapping, and the diff pane of the diff and tailor screens.

pub mod diff;
pub mod export;
pub mod library;
pub mod logs;
pub mod progress;
pub mod review;
pub mod share;
pub mod tailor;
pub mod upload;
pub mod widgets;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::msg::{Effect, Msg, Request};
use crate::app::navigation::Route;
use crate::app::theme::Theme;

/// What every screen does.
pub trait View {
    /// Its name in the header's breadcrumbs.
    fn title(&self) -> String;
    /// `(keys, what they do)` for the help overlay, from its key table.
    fn keys(&self) -> Vec<(&'static str, &'static str)>;
    fn handle_key(&mut self, key: &KeyEvent) -> Effect;
    fn handle_mouse(&mut self, _mouse: &MouseEvent) -> Effect {
        Effect::None
    }
    fn handle_paste(&mut self, _text: &str) -> Effect {
        Effect::None
    }
    /// Every message reaches every screen on the stack; each takes what
    /// concerns it.
    fn on_msg(&mut self, msg: &Msg) -> Effect;
    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme);
    /// Whether it changes without input (a running clock).
    fn animating(&self) -> bool {
        false
    }
    /// Whether keys go to a text field (then `?` and `q` are text).
    fn is_typing(&self) -> bool {
        false
    }
}

/// A screen on the app's stack. States are boxed: they differ a lot in size
/// and the stack moves them around.
pub enum Screen {
    Library(Box<library::LibraryState>),
    Upload(Box<upload::UploadState>),
    Progress(Box<progress::ProgressState>),
    Review(Box<review::ReviewState>),
    Diff(Box<diff::DiffState>),
    Share(Box<share::ShareState>),
    Logs(Box<logs::LogsState>),
    Tailor(Box<tailor::TailorState>),
    Export(Box<export::ExportState>),
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Screen({})", self.view().title())
    }
}

macro_rules! screen_from {
    ($($variant:ident($state:ty)),*) => {$(
        impl From<$state> for Screen {
            fn from(state: $state) -> Screen {
                Screen::$variant(Box::new(state))
            }
        }
    )*};
}
screen_from!(
    Library(library::LibraryState),
    Upload(upload::UploadState),
    Progress(progress::ProgressState),
    Review(review::ReviewState),
    Diff(diff::DiffState),
    Share(share::ShareState),
    Logs(logs::LogsState),
    Tailor(tailor::TailorState),
    Export(export::ExportState)
);

impl Screen {
    /// The screen at the bottom of the stack.
    pub fn library() -> Screen {
        Screen::from(library::LibraryState::default())
    }

    /// The screen `route` leads to, and the request that fills it (its
    /// first load, or the stream it follows), if it needs one.
    pub fn open(route: Route) -> (Screen, Option<Request>) {
        fn filled(opened: (impl Into<Screen>, Request)) -> (Screen, Option<Request>) {
            (opened.0.into(), Some(opened.1))
        }
        match route {
            Route::Upload => filled(upload::UploadState::open()),
            Route::Uploading(path) => filled(upload::UploadState::uploading(path)),
            Route::Progress { id, filename, path } => {
                filled(progress::ProgressState::open(&id, &filename, path))
            }
            Route::Review { id, filename } => filled(review::ReviewState::open(&id, &filename)),
            Route::Reviewing(resume) => (review::ReviewState::from_resume(*resume).into(), None),
            Route::Diff {
                id,
                against,
                revision,
                title,
            } => filled(diff::DiffState::open(&id, &against, revision, &title)),
            Route::Share { id, filename } => filled(share::ShareState::open(&id, &filename)),
            Route::Tailor { id, filename } => filled(tailor::TailorState::open(&id, &filename)),
            Route::Export { id, filename } => filled(export::ExportState::open(&id, &filename)),
            Route::Logs => filled(logs::LogsState::open()),
        }
    }

    pub fn view(&self) -> &dyn View {
        match self {
            Screen::Library(s) => s.as_ref(),
            Screen::Upload(s) => s.as_ref(),
            Screen::Progress(s) => s.as_ref(),
            Screen::Review(s) => s.as_ref(),
            Screen::Diff(s) => s.as_ref(),
            Screen::Share(s) => s.as_ref(),
            Screen::Logs(s) => s.as_ref(),
            Screen::Tailor(s) => s.as_ref(),
            Screen::Export(s) => s.as_ref(),
        }
    }

    pub fn view_mut(&mut self) -> &mut dyn View {
        match self {
            Screen::Library(s) => s.as_mut(),
            Screen::Upload(s) => s.as_mut(),
            Screen::Progress(s) => s.as_mut(),
            Screen::Review(s) => s.as_mut(),
            Screen::Diff(s) => s.as_mut(),
            Screen::Share(s) => s.as_mut(),
            Screen::Logs(s) => s.as_mut(),
            Screen::Tailor(s) => s.as_mut(),
            Screen::Export(s) => s.as_mut(),
        }
    }

    pub fn title(&self) -> String {
        self.view().title()
    }

    pub fn keys(&self) -> Vec<(&'static str, &'static str)> {
        self.view().keys()
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        self.view_mut().handle_key(key)
    }

    pub fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        self.view_mut().handle_mouse(mouse)
    }

    pub fn handle_paste(&mut self, text: &str) -> Effect {
        self.view_mut().handle_paste(text)
    }

    pub fn on_msg(&mut self, msg: &Msg) -> Effect {
        self.view_mut().on_msg(msg)
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        self.view_mut().render(frame, area, theme);
    }

    pub fn animating(&self) -> bool {
        self.view().animating()
    }

    pub fn is_typing(&self) -> bool {
        self.view().is_typing()
    }
}

#[cfg(test)]
pub mod testing {
    //! Helpers for the screens' snapshot and key tests.
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    use super::View;
    use crate::app::theme::Theme;

    pub fn key(code: KeyCode) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    pub fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c))
    }

    /// Render a view alone on a `width`×`height` TestBackend, without colour,
    /// and return the backend for `insta::assert_snapshot!`.
    pub fn draw(view: &mut dyn View, width: u16, height: u16) -> TestBackend {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| {
                let area = frame.area();
                view.render(frame, area, &Theme::plain());
            })
            .expect("draw");
        terminal.backend().clone()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn each_route_opens_its_screen_with_the_request_that_fills_it() {
        let (id, filename) = (String::from("r1"), String::from("cv.pdf"));
        let path = PathBuf::from("/tmp/cv.pdf");
        let resume = library::tests::resume("r1", "cv.pdf", vitae_common::Status::Ready, None);
        let cases = [
            (
                Route::Review {
                    id: id.clone(),
                    filename: filename.clone(),
                },
                "Review cv.pdf",
                Some(Request::LoadResume(id.clone())),
            ),
            (Route::Reviewing(Box::new(resume)), "Review cv.pdf", None),
            (
                Route::Progress {
                    id: id.clone(),
                    filename: filename.clone(),
                    path: None,
                },
                "Parsing cv.pdf",
                Some(Request::WatchParse(id.clone())),
            ),
            (
                Route::Uploading(path.clone()),
                "Upload",
                Some(Request::Upload(path)),
            ),
            (
                Route::Diff {
                    id: id.clone(),
                    against: "rev:1".into(),
                    revision: None,
                    title: "cv.pdf r1 → r2".into(),
                },
                "Diff cv.pdf r1 → r2",
                Some(Request::Diff {
                    id: id.clone(),
                    against: "rev:1".into(),
                    revision: None,
                }),
            ),
            (
                Route::Share {
                    id: id.clone(),
                    filename: filename.clone(),
                },
                "Share cv.pdf",
                Some(Request::LoadShares(id.clone())),
            ),
            (
                Route::Tailor {
                    id: id.clone(),
                    filename: filename.clone(),
                },
                "Tailor cv.pdf",
                Some(Request::LoadJobs),
            ),
            (
                Route::Export {
                    id: id.clone(),
                    filename: filename.clone(),
                },
                "Export cv.pdf",
                Some(Request::ExportSetup(id.clone())),
            ),
            (Route::Logs, "Logs", Some(Request::WatchLogs)),
        ];
        for (route, title, request) in cases {
            let (screen, first) = Screen::open(route);
            assert_eq!((screen.title().as_str(), first), (title, request));
        }
        let (upload, first) = Screen::open(Route::Upload);
        assert!(matches!(upload, Screen::Upload(_)));
        assert!(matches!(first, Some(Request::ListDir(_))));
    }
}
