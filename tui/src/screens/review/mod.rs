//! Review: the parsed document of one resume, checked and corrected in
//! place. Sections on the left, the fields of the selected section on the
//! right; what the parser doubted (low confidence) and what a resume needs
//! but lacks (a name, an email) stand out, so a person fixes those first.
//!
//! Edits are sent as JSON Merge Patches (RFC 7396) with the revision this
//! screen has as `If-Match`, so an edit never overwrites a change made
//! elsewhere: a 412 opens a conflict popup instead. A field edit alone is
//! saved at once; structural edits (add, delete, move an entry or a list
//! item, add a section) go into a draft instead, with an undo stack, and
//! every field edited while a draft is pending joins it, so the whole
//! draft is saved as one patch (`w`). The revision history
//! opens in a popup (diff any revision against the current one, restore it).
//!
//! This module holds the screen's state, its key tables and what keys and
//! messages do; the rest is split by concern:
//!
//! | module | what |
//! |---|---|
//! | `document` | JSON paths, and the sections and fields built from a document |
//! | `patch` | an edit applied to the document, and its merge patch |
//! | `editing` | the structural edits, undo, and saving the draft |
//! | `structure` | entries and list items: where a row sits, add, delete, move |
//! | `validate` | what a new value must look like before it is sent |
//! | `render` | the status strip and the two panes |
//! | `popups` | the revisions, conflict, delete-confirm and picker popups |

mod document;
mod editing;
mod patch;
mod popups;
mod render;
mod structure;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_editing;
mod validate;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::Frame;
use serde_json::Value;
use vitae_common::ResumeResource;

use self::document::{sections, text_at, Field, Section, Seg};
use self::patch::{merge_patch, set_path};
use self::popups::{Picker, RevisionsPopup};
use self::structure::Slot;
use self::validate::validate;
use super::widgets::{Cursor, Input};
use super::View;
use crate::app::keys::{help_of, lookup, nav, Binding, Key};
use crate::app::msg::{Effect, Msg, Request};
use crate::app::navigation::Route;
use crate::app::theme::Theme;
use crate::stream::{AccountUpdate, ParseUpdate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    SwitchPane,
    Sections,
    Fields,
    Edit,
    Revisions,
    DiffPrevious,
    Share,
    Tailor,
    Export,
    Reload,
    Back,
    AddAfter,
    AddBefore,
    AddItem,
    AddSection,
    Delete,
    MoveUp,
    MoveDown,
    Undo,
    Write,
}

const BACK_TAB: Key = Key {
    code: KeyCode::BackTab,
    mods: KeyModifiers::SHIFT,
};

#[rustfmt::skip]
const KEYS: &[Binding<Action>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next section or field", action: Action::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous section or field", action: Action::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "first", action: Action::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "last", action: Action::Bottom },
    Binding { keys: nav::PAGE_DOWN, label: "PgDn/Ctrl-D", help: "page down", action: Action::PageDown },
    Binding { keys: nav::PAGE_UP, label: "PgUp/Ctrl-U", help: "page up", action: Action::PageUp },
    Binding { keys: &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::BackTab), BACK_TAB], label: "Tab", help: "switch pane", action: Action::SwitchPane },
    Binding { keys: nav::LEFT, label: "h/←", help: "sections pane", action: Action::Sections },
    Binding { keys: &[Key::ch('l'), Key::plain(KeyCode::Right)], label: "l/→", help: "fields pane", action: Action::Fields },
    Binding { keys: &[Key::plain(KeyCode::Enter), Key::ch('e')], label: "Enter/e", help: "edit the selected field (on a section: go to its fields)", action: Action::Edit },
    Binding { keys: &[Key::ch('v')], label: "v", help: "revisions: diff one against the current, or restore it", action: Action::Revisions },
    Binding { keys: &[Key::ch('d')], label: "d", help: "diff against the previous revision", action: Action::DiffPrevious },
    Binding { keys: &[Key::ch('s')], label: "s", help: "share links of this resume", action: Action::Share },
    Binding { keys: &[Key::ch('t')], label: "t", help: "tailor to a job", action: Action::Tailor },
    Binding { keys: &[Key::ch('x')], label: "x", help: "export to PDF or Word (templates, preview)", action: Action::Export },
    Binding { keys: &[Key::ch('R'), Key::ctrl('r')], label: "R", help: "reload from the server", action: Action::Reload },
    Binding { keys: nav::BACK, label: "q/Esc", help: "back", action: Action::Back },
    Binding { keys: &[Key::ch('a')], label: "a", help: "add an entry (or a list item) after the selected one", action: Action::AddAfter },
    Binding { keys: &[Key::ch('A')], label: "A", help: "add an entry (or a list item) before the selected one", action: Action::AddBefore },
    Binding { keys: &[Key::ch('i')], label: "i", help: "add a list item to this entry (highlights, keywords, courses…)", action: Action::AddItem },
    Binding { keys: &[Key::ch('+')], label: "+", help: "add a section the resume lacks", action: Action::AddSection },
    Binding { keys: &[Key::ch('D'), Key::plain(KeyCode::Delete)], label: "D/Del", help: "delete the selected entry or list item (asks first)", action: Action::Delete },
    Binding { keys: &[Key::ch('K'), ALT_UP], label: "K/Alt-↑", help: "move the entry or list item up", action: Action::MoveUp },
    Binding { keys: &[Key::ch('J'), ALT_DOWN], label: "J/Alt-↓", help: "move the entry or list item down", action: Action::MoveDown },
    Binding { keys: &[Key::ch('u')], label: "u", help: "undo the last unsaved change", action: Action::Undo },
    Binding { keys: &[Key::ch('w'), Key::ctrl('s')], label: "w/Ctrl-S", help: "save the unsaved changes as one revision", action: Action::Write },
];

const ALT_UP: Key = Key {
    code: KeyCode::Up,
    mods: KeyModifiers::ALT,
};

const ALT_DOWN: Key = Key {
    code: KeyCode::Down,
    mods: KeyModifiers::ALT,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfirmAction {
    Yes,
    No,
}

#[rustfmt::skip]
const CONFIRM_KEYS: &[Binding<ConfirmAction>] = &[
    Binding { keys: &[Key::ch('y'), Key::plain(KeyCode::Enter)], label: "y/Enter", help: "delete it (u undoes until you save)", action: ConfirmAction::Yes },
    Binding { keys: &[Key::ch('n'), Key::plain(KeyCode::Esc), Key::ch('q')], label: "n/Esc", help: "keep it", action: ConfirmAction::No },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PickAction {
    Down,
    Up,
    Pick,
    Close,
}

#[rustfmt::skip]
const PICK_KEYS: &[Binding<PickAction>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "next", action: PickAction::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "previous", action: PickAction::Up },
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "add it", action: PickAction::Pick },
    Binding { keys: &[Key::plain(KeyCode::Esc), Key::ch('q')], label: "Esc", help: "close", action: PickAction::Close },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditAction {
    Save,
    Cancel,
}

#[rustfmt::skip]
const EDIT_KEYS: &[Binding<EditAction>] = &[
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "save (an empty value clears the field)", action: EditAction::Save },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "cancel the edit", action: EditAction::Cancel },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RevisionAction {
    Down,
    Up,
    Top,
    Bottom,
    Diff,
    Restore,
    Close,
}

#[rustfmt::skip]
const REVISION_KEYS: &[Binding<RevisionAction>] = &[
    Binding { keys: nav::DOWN, label: "j/↓", help: "older revision", action: RevisionAction::Down },
    Binding { keys: nav::UP, label: "k/↑", help: "newer revision", action: RevisionAction::Up },
    Binding { keys: nav::TOP, label: "g/Home", help: "newest", action: RevisionAction::Top },
    Binding { keys: nav::BOTTOM, label: "G/End", help: "oldest", action: RevisionAction::Bottom },
    Binding { keys: &[Key::plain(KeyCode::Enter)], label: "Enter", help: "diff this revision against the current one", action: RevisionAction::Diff },
    Binding { keys: &[Key::ch('r')], label: "r", help: "restore this revision (as a new revision)", action: RevisionAction::Restore },
    Binding { keys: &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ch('v')], label: "Esc", help: "close the revisions", action: RevisionAction::Close },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConflictAction {
    Reload,
    Keep,
}

#[rustfmt::skip]
const CONFLICT_KEYS: &[Binding<ConflictAction>] = &[
    Binding { keys: &[Key::ch('r')], label: "r", help: "reload the current version (your edit is discarded)", action: ConflictAction::Reload },
    Binding { keys: &[Key::plain(KeyCode::Esc)], label: "Esc", help: "keep your edit open", action: ConflictAction::Keep },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Sections,
    Fields,
}

#[derive(Debug)]
struct Edit {
    path: Vec<Seg>,
    input: Input,
    error: Option<String>,
    /// The entry or item was just added for this edit: cancelling it (or
    /// leaving it empty) takes the addition back.
    added: bool,
}

/// A deletion waiting for its confirmation.
#[derive(Debug)]
struct Confirm {
    slot: Slot,
    /// What is deleted, as the popup names it.
    what: String,
}

#[derive(Debug)]
pub struct ReviewState {
    pub id: String,
    filename: String,
    /// Boxed: a whole document is large, and screens share one enum.
    resume: Option<Box<ResumeResource>>,
    /// The document as JSON, the form edits and patches work on: the
    /// draft, with the unsaved changes.
    doc: Value,
    /// The document as the server has it (revision `revision()`), which a
    /// saved draft is diffed against.
    base: Value,
    /// The drafts before each unsaved change, newest last; empty when
    /// nothing is pending.
    undo: Vec<Value>,
    confirm: Option<Confirm>,
    picker: Option<Picker>,
    /// `q` or `R` pressed once with unsaved changes: pressing it again
    /// discards them.
    armed: Option<Action>,
    /// `r` pressed once on this revision with unsaved changes: pressing it
    /// again restores it and discards them.
    armed_restore: Option<u64>,
    sections: Vec<Section>,
    section: Cursor,
    field: Cursor,
    focus: Pane,
    edit: Option<Edit>,
    /// A patch is on its way; its answer is ours.
    saving: bool,
    /// The revision we had when the server answered 412.
    conflict: Option<u64>,
    revisions: Option<RevisionsPopup>,
    /// The revision being restored, whose answer is ours.
    restoring: Option<u64>,
    /// A load is on its way (its error, which carries no id, is ours).
    loading: bool,
    load_error: Option<String>,
    /// First line of the fields pane drawn last time (kept so the view
    /// scrolls only when the selection leaves it).
    field_offset: usize,
    /// Height of the fields pane, for paging.
    page: usize,
}

impl ReviewState {
    pub fn new(id: &str, filename: &str) -> ReviewState {
        ReviewState {
            id: id.to_string(),
            filename: filename.to_string(),
            resume: None,
            doc: Value::Null,
            base: Value::Null,
            undo: Vec::new(),
            confirm: None,
            picker: None,
            armed: None,
            armed_restore: None,
            sections: Vec::new(),
            section: Cursor::default(),
            field: Cursor::default(),
            focus: Pane::Sections,
            edit: None,
            saving: false,
            conflict: None,
            revisions: None,
            restoring: None,
            loading: true,
            load_error: None,
            field_offset: 0,
            page: 10,
        }
    }

    /// The screen, and the load of the resume.
    pub fn open(id: &str, filename: &str) -> (ReviewState, Request) {
        (
            ReviewState::new(id, filename),
            Request::LoadResume(id.to_string()),
        )
    }

    /// A screen for a resume already at hand (a parse that just completed).
    pub fn from_resume(resume: ResumeResource) -> ReviewState {
        let mut state = ReviewState::new(&resume.id, &resume.filename);
        state.loading = false;
        state.set_resume(resume);
        state
    }

    /// Take a new version of the resume, keeping the selection on the same
    /// section and field where they still exist. It replaces the draft:
    /// the unsaved changes are gone (they were just saved, or the user
    /// chose to reload).
    fn set_resume(&mut self, resume: ResumeResource) {
        let keep_section = self.current_section().map(|s| s.key);
        let keep_field = self.current_field().map(|f| f.path.clone());
        self.filename = resume.filename.clone();
        self.doc = resume
            .document()
            .and_then(|d| serde_json::to_value(d).ok())
            .unwrap_or(Value::Null);
        self.base = self.doc.clone();
        self.undo.clear();
        self.resume = Some(Box::new(resume));
        self.load_error = None;
        self.rebuild(keep_section, keep_field);
    }

    /// Rebuild the panes from the draft, keeping the selection on the same
    /// section and field where they still exist.
    fn rebuild(&mut self, keep_section: Option<&'static str>, keep_field: Option<Vec<Seg>>) {
        self.sections = match self.resume.as_deref() {
            // The parser's doubts stay on the fields they were about while
            // the draft moves entries (and leave the fields it corrected).
            Some(r) if r.document().is_some() && self.pending() => {
                let marks = vitae_common::confidence::carry(&r.confidence, &self.base, &self.doc);
                sections(&self.doc, &marks)
            }
            Some(r) if r.document().is_some() => sections(&self.doc, &r.confidence),
            _ => Vec::new(),
        };
        if let Some(i) = keep_section.and_then(|k| self.sections.iter().position(|s| s.key == k)) {
            self.section.index = i;
        }
        self.section.clamp(self.sections.len());
        let fields = self
            .current_section()
            .map(|s| s.fields.as_slice())
            .unwrap_or_default();
        let found = keep_field.and_then(|p| fields.iter().position(|f| f.path == p));
        let len = fields.len();
        if let Some(i) = found {
            self.field.index = i;
        }
        self.field.clamp(len);
    }

    /// Select the row at `path`, or else the first row under it (an
    /// entry's first field), in whichever section has it.
    fn select_path(&mut self, path: &[Seg]) {
        let find = |exact: bool| {
            self.sections.iter().enumerate().find_map(|(s, section)| {
                section
                    .fields
                    .iter()
                    .position(|f| {
                        if exact {
                            f.path == path
                        } else {
                            f.path.starts_with(path)
                        }
                    })
                    .map(|f| (s, f))
            })
        };
        if let Some((s, f)) = find(true).or_else(|| find(false)) {
            if s != self.section.index {
                self.field_offset = 0;
            }
            self.section.index = s;
            self.field.index = f;
        }
    }

    /// Unsaved changes are pending.
    fn pending(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Rebuild the panes after a change to the draft, selecting `path`.
    fn changed(&mut self, path: &[Seg]) {
        self.rebuild(None, None);
        self.select_path(path);
        self.focus = Pane::Fields;
    }

    fn document_ready(&self) -> bool {
        self.resume.as_ref().is_some_and(|r| r.document().is_some())
    }

    fn revision(&self) -> u64 {
        self.resume.as_ref().map_or(0, |r| r.revision)
    }

    fn current_section(&self) -> Option<&Section> {
        self.sections.get(self.section.index)
    }

    fn current_field(&self) -> Option<&Field> {
        self.current_section()?.fields.get(self.field.index)
    }

    fn field_count(&self) -> usize {
        self.current_section().map_or(0, |s| s.fields.len())
    }

    fn reload(&mut self) -> Effect {
        self.loading = true;
        Effect::Request(Request::LoadResume(self.id.clone()))
    }

    fn select_section(&mut self, change: impl FnOnce(&mut Cursor, usize)) {
        let before = self.section.index;
        change(&mut self.section, self.sections.len());
        if self.section.index != before {
            self.field = Cursor::default();
            self.field_offset = 0;
        }
    }

    fn act(&mut self, action: Action) -> Effect {
        match action {
            Action::Reload => return self.reload(),
            Action::Back => return Effect::Back,
            Action::Share => {
                return Effect::Open(Route::Share {
                    id: self.id.clone(),
                    filename: self.filename.clone(),
                })
            }
            _ => {}
        }
        if !self.document_ready() {
            return match action {
                Action::Down
                | Action::Up
                | Action::Top
                | Action::Bottom
                | Action::PageDown
                | Action::PageUp
                | Action::SwitchPane
                | Action::Sections
                | Action::Fields => Effect::None,
                _ => Effect::Info(
                    "nothing to review until the parse is done (R checks again)".into(),
                ),
            };
        }
        let page = self.page;
        let fields = self.field_count();
        match (action, self.focus) {
            (Action::Down, Pane::Sections) => self.select_section(|c, len| c.down(len)),
            (Action::Up, Pane::Sections) => self.select_section(|c, _| c.up()),
            (Action::Top, Pane::Sections) => self.select_section(|c, _| c.top()),
            (Action::Bottom, Pane::Sections) => self.select_section(|c, len| c.bottom(len)),
            (Action::PageDown, Pane::Sections) => {
                self.select_section(|c, len| c.page_down(len, page))
            }
            (Action::PageUp, Pane::Sections) => self.select_section(|c, _| c.page_up(page)),
            (Action::Down, Pane::Fields) => self.field.down(fields),
            (Action::Up, Pane::Fields) => self.field.up(),
            (Action::Top, Pane::Fields) => self.field.top(),
            (Action::Bottom, Pane::Fields) => self.field.bottom(fields),
            (Action::PageDown, Pane::Fields) => self.field.page_down(fields, page),
            (Action::PageUp, Pane::Fields) => self.field.page_up(page),
            (Action::SwitchPane, _) => {
                self.focus = match self.focus {
                    Pane::Sections => Pane::Fields,
                    Pane::Fields => Pane::Sections,
                }
            }
            (Action::Sections, _) => self.focus = Pane::Sections,
            (Action::Fields, _) | (Action::Edit, Pane::Sections) => self.focus = Pane::Fields,
            (Action::Edit, Pane::Fields) => return self.start_edit(),
            (Action::Revisions, _) => {
                self.revisions = Some(RevisionsPopup {
                    list: None,
                    cursor: Cursor::default(),
                    offset: 0,
                });
                return Effect::Request(Request::LoadRevisions(self.id.clone()));
            }
            (Action::DiffPrevious, _) => {
                let revision = self.revision();
                if revision <= 1 {
                    return Effect::Info(
                        "this is the first revision; there is nothing before it".into(),
                    );
                }
                let previous = revision - 1;
                return Effect::Open(Route::Diff {
                    id: self.id.clone(),
                    against: format!("rev:{previous}"),
                    revision: None,
                    title: format!("{} r{previous} → r{revision}", self.filename),
                });
            }
            (Action::Tailor, _) => {
                return Effect::Open(Route::Tailor {
                    id: self.id.clone(),
                    filename: self.filename.clone(),
                })
            }
            (Action::Export, _) => {
                return Effect::Open(Route::Export {
                    id: self.id.clone(),
                    filename: self.filename.clone(),
                })
            }
            (Action::AddAfter, _) => return self.add(false),
            (Action::AddBefore, _) => return self.add(true),
            (Action::AddItem, _) => return self.add_item(),
            (Action::AddSection, _) => return self.open_section_picker(),
            (Action::Delete, _) => return self.ask_delete(),
            (Action::MoveUp, _) => return self.shift(true),
            (Action::MoveDown, _) => return self.shift(false),
            (Action::Undo, _) => return self.undo(),
            (Action::Write, _) => return self.write(),
            (Action::Reload | Action::Back | Action::Share, _) => {}
        }
        Effect::None
    }

    fn start_edit(&mut self) -> Effect {
        let Some(field) = self.current_field() else {
            return Effect::None;
        };
        if !field.editable {
            return Effect::Info(format!(
                "{} is not text; only text fields can be edited here",
                field.label
            ));
        }
        self.edit = Some(Edit {
            path: field.path.clone(),
            input: Input::with_text(field.value.as_deref().unwrap_or("")),
            error: None,
            added: false,
        });
        Effect::None
    }

    /// The edit's text, trimmed, when it is valid; otherwise the editor
    /// shows why and stays open.
    fn valid_edit_text(&mut self) -> Option<String> {
        let edit = self.edit.as_mut()?;
        let text = edit.input.text.trim().to_string();
        match validate(&edit.path, &text) {
            Ok(()) => Some(text),
            Err(error) => {
                edit.error = Some(error);
                None
            }
        }
    }

    fn save(&mut self) -> Effect {
        if self.pending() {
            return self.apply_edit();
        }
        let revision = self.revision();
        let Some(text) = self.valid_edit_text() else {
            return Effect::None;
        };
        let Some(edit) = self.edit.as_mut() else {
            return Effect::None;
        };
        if text_at(&self.doc, &edit.path).unwrap_or("").trim() == text {
            self.edit = None;
            return Effect::Info("no change".into());
        }
        let new = (!text.is_empty()).then_some(text.as_str());
        let mut after = self.doc.clone();
        let patch = set_path(&mut after, &edit.path, new)
            .then(|| merge_patch(&after, &edit.path, new))
            .flatten();
        let Some(patch) = patch else {
            edit.error = Some("this field cannot be changed from here".into());
            return Effect::None;
        };
        self.saving = true;
        Effect::Request(Request::Patch {
            id: self.id.clone(),
            patch,
            revision,
        })
    }

    fn handle_edit_key(&mut self, key: &KeyEvent) -> Effect {
        match lookup(EDIT_KEYS, key) {
            Some(EditAction::Save) if !self.saving => self.save(),
            Some(EditAction::Save) => Effect::Info("saving…".into()),
            Some(EditAction::Cancel) => {
                let added = self.edit.take().is_some_and(|e| e.added);
                if added && !self.saving {
                    self.undo();
                }
                Effect::None
            }
            None => {
                // The text stays as sent while the save is on its way.
                if let (false, Some(edit)) = (self.saving, self.edit.as_mut()) {
                    edit.input.handle_key(key);
                    edit.error = None;
                }
                Effect::None
            }
        }
    }

    fn handle_revision_key(&mut self, key: &KeyEvent) -> Effect {
        let current = self.revision();
        let pending = self.undo.len();
        let armed = self.armed_restore.take();
        let Some(popup) = self.revisions.as_mut() else {
            return Effect::None;
        };
        let len = popup.len();
        match lookup(REVISION_KEYS, key) {
            Some(RevisionAction::Down) => popup.cursor.down(len),
            Some(RevisionAction::Up) => popup.cursor.up(),
            Some(RevisionAction::Top) => popup.cursor.top(),
            Some(RevisionAction::Bottom) => popup.cursor.bottom(len),
            Some(RevisionAction::Close) => self.revisions = None,
            Some(RevisionAction::Diff) => {
                let Some(n) = popup.selected().map(|r| r.revision) else {
                    return Effect::None;
                };
                if n == current {
                    return Effect::Info(format!("revision {n} is the current one"));
                }
                return Effect::Open(Route::Diff {
                    id: self.id.clone(),
                    against: format!("rev:{n}"),
                    revision: None,
                    title: format!("{} r{n} → r{current}", self.filename),
                });
            }
            Some(RevisionAction::Restore) => {
                let Some(n) = popup.selected().map(|r| r.revision) else {
                    return Effect::None;
                };
                if n == current {
                    return Effect::Info(format!("revision {n} is already the current one"));
                }
                // A restore replaces the draft: say so once.
                if pending > 0 && armed != Some(n) {
                    self.armed_restore = Some(n);
                    return Effect::Info(format!(
                        "{pending} unsaved changes: restoring revision {n} discards them; r again restores, Esc and w saves them first"
                    ));
                }
                self.restoring = Some(n);
                return Effect::Request(Request::Restore {
                    id: self.id.clone(),
                    revision: n,
                });
            }
            None => {}
        }
        Effect::None
    }
}

impl View for ReviewState {
    fn title(&self) -> String {
        format!("Review {}", self.filename)
    }

    fn keys(&self) -> Vec<(&'static str, &'static str)> {
        if self.conflict.is_some() {
            help_of(CONFLICT_KEYS)
        } else if self.edit.is_some() {
            let mut keys = help_of(EDIT_KEYS);
            keys.push(("←/→ Home/End", "move in the text"));
            keys.push(("Ctrl-U/Ctrl-W", "delete to the start / the word before"));
            keys
        } else if self.confirm.is_some() {
            help_of(CONFIRM_KEYS)
        } else if self.picker.is_some() {
            help_of(PICK_KEYS)
        } else if self.revisions.is_some() {
            help_of(REVISION_KEYS)
        } else {
            help_of(KEYS)
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) -> Effect {
        if self.conflict.is_some() {
            return match lookup(CONFLICT_KEYS, key) {
                Some(ConflictAction::Reload) => {
                    self.conflict = None;
                    self.edit = None;
                    self.reload()
                }
                Some(ConflictAction::Keep) => {
                    self.conflict = None;
                    Effect::None
                }
                None => Effect::None,
            };
        }
        if self.edit.is_some() {
            return self.handle_edit_key(key);
        }
        if self.confirm.is_some() {
            return match lookup(CONFIRM_KEYS, key) {
                Some(ConfirmAction::Yes) => self.delete(),
                Some(ConfirmAction::No) => {
                    self.confirm = None;
                    Effect::None
                }
                None => Effect::None,
            };
        }
        if let Some(picker) = self.picker.as_mut() {
            let len = picker.options.len();
            match lookup(PICK_KEYS, key) {
                Some(PickAction::Down) => picker.cursor.down(len),
                Some(PickAction::Up) => picker.cursor.up(),
                Some(PickAction::Pick) => return self.pick(),
                Some(PickAction::Close) => self.picker = None,
                None => {}
            }
            return Effect::None;
        }
        if self.revisions.is_some() {
            return self.handle_revision_key(key);
        }
        let armed = self.armed.take();
        match lookup(KEYS, key) {
            // Leaving or reloading would lose the draft: say so once.
            Some(action @ (Action::Back | Action::Reload))
                if self.pending() && armed != Some(action) =>
            {
                self.armed = Some(action);
                let again = if action == Action::Back { "q" } else { "R" };
                Effect::Info(format!(
                    "{} unsaved changes: w saves them, u undoes; {again} again discards them",
                    self.undo.len()
                ))
            }
            Some(action) => self.act(action),
            None => Effect::None,
        }
    }

    fn handle_mouse(&mut self, mouse: &MouseEvent) -> Effect {
        if self.edit.is_some()
            || self.conflict.is_some()
            || self.confirm.is_some()
            || self.picker.is_some()
        {
            return Effect::None;
        }
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Action::Down,
            MouseEventKind::ScrollUp => Action::Up,
            _ => return Effect::None,
        };
        if let Some(popup) = self.revisions.as_mut() {
            match action {
                Action::Down => popup.cursor.down(popup.len()),
                _ => popup.cursor.up(),
            }
            return Effect::None;
        }
        self.act(action)
    }

    fn handle_paste(&mut self, text: &str) -> Effect {
        if let (false, None, Some(edit)) = (self.saving, self.conflict, self.edit.as_mut()) {
            edit.input.insert_str(text);
            edit.error = None;
        }
        Effect::None
    }

    fn is_typing(&self) -> bool {
        self.edit.is_some() && self.conflict.is_none()
    }

    fn on_msg(&mut self, msg: &Msg) -> Effect {
        match msg {
            // Another screen's copy of this resume does not replace a draft
            // (only the load we asked for does).
            Msg::Resume(Ok(resume))
                if resume.id == self.id && (self.loading || !self.pending()) =>
            {
                self.loading = false;
                self.set_resume(resume.clone());
            }
            Msg::Resume(Err(e)) if self.loading => {
                self.loading = false;
                if self.resume.is_none() {
                    self.load_error = Some(e.short());
                }
                return Effect::Error(format!("cannot load {}: {}", self.filename, e.short()));
            }
            Msg::Patched(Ok(resume))
                if resume.id == self.id && (self.saving || !self.pending()) =>
            {
                self.set_resume(resume.clone());
                if std::mem::take(&mut self.saving) {
                    self.edit = None;
                    return Effect::Info(format!("saved: revision {}", resume.revision));
                }
            }
            Msg::Patched(Err(e)) if self.saving => {
                self.saving = false;
                if e.status() == Some(412) {
                    self.conflict = Some(self.revision());
                    return Effect::None;
                }
                return Effect::Error(format!("not saved: {}", e.short()));
            }
            Msg::Revisions { id, result } if *id == self.id => {
                if let Some(popup) = self.revisions.as_mut() {
                    popup.list = Some(match result {
                        Ok(list) => {
                            let mut list = list.clone();
                            list.sort_by_key(|r| std::cmp::Reverse(r.revision));
                            Ok(list)
                        }
                        Err(e) => Err(e.short()),
                    });
                    popup.cursor.clamp(popup.len());
                }
            }
            Msg::Restored(Ok(resume)) if resume.id == self.id => {
                self.set_resume(resume.clone());
                if let Some(n) = self.restoring.take() {
                    self.revisions = None;
                    return Effect::Info(format!(
                        "restored revision {n} as revision {}",
                        resume.revision
                    ));
                }
            }
            Msg::Restored(Err(e)) if self.restoring.is_some() => {
                self.restoring = None;
                return Effect::Error(format!("not restored: {}", e.short()));
            }
            Msg::Parse {
                id,
                update: ParseUpdate::Complete(resume),
            } if *id == self.id && !self.pending() => self.set_resume((**resume).clone()),
            // A change made elsewhere: fetch it, unless an edit is open (its
            // save then meets the 412 and the user chooses).
            Msg::Account(AccountUpdate::Change(change))
                if change.resume_id == self.id
                    && change.kind == "resume.updated"
                    && self.edit.is_none()
                    && !self.pending()
                    && !self.saving
                    && !self.loading =>
            {
                return self.reload();
            }
            _ => {}
        }
        Effect::None
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        self.draw(frame, area, theme);
    }
}
