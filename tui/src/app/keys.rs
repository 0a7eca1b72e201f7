//! Key tables: every screen declares its keys once, as a table of
//! [`Binding`]s, and both its key handling ([`lookup`]) and the `?` help
//! overlay read that same table, so help can never drift from behaviour.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key (with modifiers) as matched against events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// Whether `event` is this key. Shift is ignored for characters (the
    /// character already says it: `G`, `?`), and only for them.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        if self.code != event.code {
            return false;
        }
        let mods = if matches!(event.code, KeyCode::Char(_)) {
            event.modifiers - KeyModifiers::SHIFT
        } else {
            event.modifiers
        };
        mods == self.mods
    }
}

/// A screen's action for some keys, with the label and help text shown in
/// the help overlay and the hint line.
#[derive(Debug, Clone, Copy)]
pub struct Binding<A: Copy> {
    pub keys: &'static [Key],
    /// How the keys are written in help, e.g. `j/↓`.
    pub label: &'static str,
    pub help: &'static str,
    pub action: A,
}

/// The action bound to `event` in `table`, if any.
pub fn lookup<A: Copy>(table: &[Binding<A>], event: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(event)))
        .map(|b| b.action)
}

/// `(label, help)` pairs of a table, for the help overlay.
pub fn help_of<A: Copy>(table: &[Binding<A>]) -> Vec<(&'static str, &'static str)> {
    table.iter().map(|b| (b.label, b.help)).collect()
}

/// Common navigation keys, shared by list screens.
pub mod nav {
    use super::Key;
    use crossterm::event::KeyCode;

    pub const DOWN: &[Key] = &[Key::ch('j'), Key::plain(KeyCode::Down)];
    pub const UP: &[Key] = &[Key::ch('k'), Key::plain(KeyCode::Up)];
    pub const TOP: &[Key] = &[Key::ch('g'), Key::plain(KeyCode::Home)];
    pub const BOTTOM: &[Key] = &[Key::ch('G'), Key::plain(KeyCode::End)];
    pub const PAGE_DOWN: &[Key] = &[Key::ctrl('d'), Key::plain(KeyCode::PageDown)];
    pub const PAGE_UP: &[Key] = &[Key::ctrl('u'), Key::plain(KeyCode::PageUp)];
    pub const BACK: &[Key] = &[Key::ch('q'), Key::plain(KeyCode::Esc)];
    pub const OPEN: &[Key] = &[
        Key::plain(KeyCode::Enter),
        Key::ch('l'),
        Key::plain(KeyCode::Right),
    ];
    pub const LEFT: &[Key] = &[Key::ch('h'), Key::plain(KeyCode::Left)];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn event(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn vim_keys_and_arrows_both_match_and_shift_is_ignored_for_chars() {
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum A {
            Down,
            Bottom,
        }
        let table = [
            Binding {
                keys: nav::DOWN,
                label: "j/↓",
                help: "down",
                action: A::Down,
            },
            Binding {
                keys: nav::BOTTOM,
                label: "G",
                help: "bottom",
                action: A::Bottom,
            },
        ];
        assert_eq!(
            lookup(&table, &event(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(A::Down)
        );
        assert_eq!(
            lookup(&table, &event(KeyCode::Down, KeyModifiers::NONE)),
            Some(A::Down)
        );
        assert_eq!(
            lookup(&table, &event(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(A::Bottom)
        );
        assert_eq!(
            lookup(&table, &event(KeyCode::Char('j'), KeyModifiers::CONTROL)),
            None
        );
        assert_eq!(help_of(&table), vec![("j/↓", "down"), ("G", "bottom")]);
    }
}
