//! The review screen's structural edits and its draft: adding an entry, a
//! list item or a section, deleting (after a confirmation) and moving
//! entries and items, undoing, and saving the whole draft as one merge
//! patch. Each change pushes the draft before it on the undo stack; the
//! panes are rebuilt from the draft and the selection follows what was
//! changed. The key tables and their dispatch live in [`super`].

use serde_json::Value;

use super::document::{member, path_string, text_at, Seg};
use super::patch::{diff, set_path};
use super::popups::{Picker, Purpose};
use super::render;
use super::structure::{
    entry_of, first_text_field, insert, item_of, lacks, list_fields, remove, section_of, shift,
    value_at, Slot,
};
use super::{Confirm, Edit, Pane, ReviewState};
use crate::app::msg::{Effect, Request};
use crate::screens::widgets::Input;

impl ReviewState {
    /// The path of the selected row, when the fields pane has the focus
    /// (structural edits act on rows, not on a whole section).
    pub(super) fn selected_path(&self) -> Option<Vec<Seg>> {
        (self.focus == Pane::Fields)
            .then(|| self.current_field().map(|f| f.path.clone()))
            .flatten()
    }

    /// `a`/`A`: a list item next to the selected item, or else an entry
    /// next to the selected entry; from the sections pane, an entry at the
    /// end (or start) of the section.
    pub(super) fn add(&mut self, before: bool) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        if self.focus == Pane::Sections {
            let Some(section) = self.current_section() else {
                return Effect::None;
            };
            let Some(count) = section.count else {
                return Effect::Info(
                    "Basics is a single entry: select a profile to add one next to it, or + to add profiles"
                        .into(),
                );
            };
            let list = vec![member(section.key)];
            let index = if before { 0 } else { count };
            return self.add_entry(Slot { list, index });
        }
        let Some(path) = self.selected_path() else {
            return Effect::None;
        };
        let next = |slot: &Slot| slot.at(if before { slot.index } else { slot.index + 1 });
        if let Some(item) = item_of(&path) {
            let slot = next(&item);
            let path = slot.path();
            return self.add_at(slot, Value::String(String::new()), path);
        }
        if let Some(entry) = entry_of(&path) {
            return self.add_entry(next(&entry));
        }
        Effect::Info(format!(
            "{} is not in a list: a adds entries and list items, + adds a section",
            path_string(&path)
        ))
    }

    /// A new, empty entry at `slot`, its first text field open for editing.
    pub(super) fn add_entry(&mut self, slot: Slot) -> Effect {
        let Some(section) = section_of(&slot.list) else {
            return Effect::None;
        };
        let mut edit_path = slot.path();
        if let Some(key) = first_text_field(section) {
            edit_path.push(member(key));
        }
        self.add_at(slot, Value::Object(serde_json::Map::new()), edit_path)
    }

    /// Insert `value` at `slot` in the draft and open the editor at
    /// `edit_path`; cancelling that edit takes the addition back.
    pub(super) fn add_at(&mut self, slot: Slot, value: Value, edit_path: Vec<Seg>) -> Effect {
        let before = self.doc.clone();
        if !insert(&mut self.doc, &slot, value) {
            self.doc = before;
            return Effect::Info(format!(
                "cannot add to {}: it is not a list",
                path_string(&slot.list)
            ));
        }
        self.undo.push(before);
        self.changed(&edit_path);
        self.edit = Some(Edit {
            path: edit_path,
            input: Input::with_text(""),
            error: None,
            added: true,
        });
        Effect::None
    }

    /// `i`: a new item at the end of one of the entry's lists (a picker
    /// asks which when the entry has several).
    pub(super) fn add_item(&mut self) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        let Some(entry) = self.selected_path().as_deref().and_then(entry_of) else {
            return Effect::Info(
                "i adds a list item (a highlight, a keyword) to the selected entry: select a field of an entry first"
                    .into(),
            );
        };
        let Some(section) = section_of(&entry.list) else {
            return Effect::None;
        };
        match list_fields(section).as_slice() {
            [] => Effect::Info(format!("{} entries have no lists", section.title)),
            [one] => self.append_item(entry.path(), one),
            lists => {
                let options = lists.iter().map(|k| (k.to_string(), k.to_string()));
                self.picker = Some(Picker::new(
                    format!("Add an item to {}", path_string(&entry.path())),
                    options.collect(),
                    Purpose::Item(entry.path()),
                ));
                Effect::None
            }
        }
    }

    pub(super) fn append_item(&mut self, entry: Vec<Seg>, key: &str) -> Effect {
        let mut list = entry;
        list.push(member(key));
        let index = value_at(&self.doc, &list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let slot = Slot { list, index };
        let path = slot.path();
        self.add_at(slot, Value::String(String::new()), path)
    }

    /// `+`: the schema's sections the document lacks (or has empty).
    pub(super) fn open_section_picker(&mut self) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        let mut options: Vec<(String, String)> = vitae_common::schema::reading_order()
            .filter(|s| lacks(&self.doc, &[member(s.key)]))
            .map(|s| (s.key.to_string(), s.title.to_string()))
            .collect();
        if lacks(&self.doc, &[member("basics"), member("profiles")]) {
            options.push(("basics.profiles".into(), "Profiles (in Basics)".into()));
        }
        if options.is_empty() {
            return Effect::Info("this resume has every section already".into());
        }
        self.picker = Some(Picker::new(
            "Add a section".into(),
            options,
            Purpose::Section,
        ));
        Effect::None
    }

    pub(super) fn pick(&mut self) -> Effect {
        let Some(picker) = self.picker.take() else {
            return Effect::None;
        };
        let Some((key, _)) = picker.options.get(picker.cursor.index).cloned() else {
            return Effect::None;
        };
        match picker.purpose {
            Purpose::Section => {
                let list = match key.split_once('.') {
                    Some((a, b)) => vec![member(a), member(b)],
                    None => vec![member(&key)],
                };
                self.add_entry(Slot { list, index: 0 })
            }
            Purpose::Item(entry) => self.append_item(entry, &key),
        }
    }

    /// `D`: ask before deleting the selected list item, or else its entry.
    pub(super) fn ask_delete(&mut self) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        let Some(path) = self.selected_path() else {
            return Effect::Info(
                "select the entry or list item in the fields pane (l/→), then D".into(),
            );
        };
        let (slot, what) = if let Some(item) = item_of(&path) {
            let text = text_at(&self.doc, &path).unwrap_or("");
            let what = format!("{} “{}”", path_string(&path), render::one_line(text));
            (item, what)
        } else if let Some(entry) = entry_of(&path) {
            let prefix = entry.path();
            let header = self
                .current_section()
                .and_then(|s| s.fields.iter().find(|f| f.path.starts_with(&prefix)))
                .and_then(|f| f.header.clone())
                .unwrap_or_else(|| path_string(&prefix));
            (entry, render::one_line(&header))
        } else {
            return Effect::Info(format!(
                "{} is not in a list: edit it with Enter (an empty value clears it)",
                path_string(&path)
            ));
        };
        self.confirm = Some(Confirm { slot, what });
        Effect::None
    }

    pub(super) fn delete(&mut self) -> Effect {
        let Some(confirm) = self.confirm.take() else {
            return Effect::None;
        };
        let before = self.doc.clone();
        if remove(&mut self.doc, &confirm.slot).is_none() {
            return Effect::Info("already gone".into());
        }
        self.undo.push(before);
        let slot = &confirm.slot;
        let left = value_at(&self.doc, &slot.list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if left > 0 {
            // The one after it takes its place (or the new last one).
            self.changed(&slot.at(slot.index.min(left - 1)).path());
        } else if let Some(entry) = entry_of(&slot.list) {
            // An entry's last item: back to the entry.
            self.changed(&entry.path());
        } else {
            // A section's last entry: the section is gone from the list.
            self.rebuild(None, None);
            self.focus = Pane::Sections;
        }
        Effect::Info(format!("deleted {} (u undoes)", confirm.what))
    }

    /// `K`/`J`: swap the selected list item (or else its entry) with the
    /// one above or below; the selection moves with it.
    pub(super) fn shift(&mut self, up: bool) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        let Some(path) = self.selected_path() else {
            return Effect::Info(
                "select the entry or list item in the fields pane (l/→) first".into(),
            );
        };
        let Some(slot) = item_of(&path).or_else(|| entry_of(&path)) else {
            return Effect::Info(format!("{} is not in a list", path_string(&path)));
        };
        let rest = path.get(slot.list.len() + 1..).unwrap_or_default().to_vec();
        let before = self.doc.clone();
        match shift(&mut self.doc, &slot, up) {
            Some(to) => {
                self.undo.push(before);
                let mut target = to.path();
                target.extend(rest);
                self.changed(&target);
                Effect::None
            }
            None => Effect::Info(
                if up {
                    "already the first"
                } else {
                    "already the last"
                }
                .into(),
            ),
        }
    }

    /// `u`: back to the draft before the last unsaved change.
    pub(super) fn undo(&mut self) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        let Some(previous) = self.undo.pop() else {
            return Effect::Info(
                "nothing to undo: saved changes are revisions (v restores one)".into(),
            );
        };
        let keep_section = self.current_section().map(|s| s.key);
        let keep_field = self.current_field().map(|f| f.path.clone());
        self.doc = previous;
        self.rebuild(keep_section, keep_field);
        Effect::Info(match self.undo.len() {
            0 => "undone; nothing unsaved".into(),
            1 => "undone; 1 unsaved change left".into(),
            n => format!("undone; {n} unsaved changes left"),
        })
    }

    /// `w`: the draft, as one merge patch against the server's version.
    pub(super) fn write(&mut self) -> Effect {
        if self.saving {
            return Effect::Info("saving…".into());
        }
        if !self.pending() {
            return Effect::Info("nothing to save: every change is saved".into());
        }
        let Some(patch) = diff(&self.base, &self.doc) else {
            self.undo.clear();
            return Effect::Info("no change to save: the draft is the saved version".into());
        };
        self.saving = true;
        Effect::Request(Request::Patch {
            id: self.id.clone(),
            patch,
            revision: self.revision(),
        })
    }

    /// A field edit while a draft is pending joins the draft.
    pub(super) fn apply_edit(&mut self) -> Effect {
        let Some(text) = self.valid_edit_text() else {
            return Effect::None;
        };
        let Some(edit) = self.edit.as_mut() else {
            return Effect::None;
        };
        let (path, added) = (edit.path.clone(), edit.added);
        if added && text.is_empty() {
            self.edit = None;
            self.undo();
            return Effect::Info("nothing added: it was left empty".into());
        }
        if !added && text_at(&self.doc, &path).unwrap_or("").trim() == text {
            self.edit = None;
            return Effect::Info("no change".into());
        }
        let before = self.doc.clone();
        let new = (!text.is_empty()).then_some(text.as_str());
        if !set_path(&mut self.doc, &path, new) {
            self.doc = before;
            edit.error = Some("this field cannot be changed from here".into());
            return Effect::None;
        }
        // An addition and its first value are one change.
        if !added {
            self.undo.push(before);
        }
        self.edit = None;
        self.changed(&path);
        Effect::Info(match self.undo.len() {
            1 => "1 unsaved change: w saves it, u undoes it".into(),
            n => format!("{n} unsaved changes: w saves them, u undoes the last"),
        })
    }
}
