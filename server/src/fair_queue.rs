//! A queue that serves owners in turn: the one structure behind both the
//! parse queue ([`crate::pipeline`]) and the render pool
//! ([`crate::exports::pool`]).
//!
//! Waiting items are kept per owner, and owners with waiting items take
//! turns: [`FairQueue::pop`] answers the first item of the owner whose turn
//! it is, and that owner goes to the back of the line (if it has more) only
//! at the next pop. So an owner who starts waiting while another's item is
//! being worked on is served next, before that other owner's backlog: one
//! owner's backlog delays another's first item by at most the item in
//! progress (per worker), and later ones by one item per owner in the line,
//! never by the whole backlog. The queue itself
//! has no capacity and no locking: its users bound it (globally and per
//! owner, with [`FairQueue::len`] and [`FairQueue::owner_len`]) and guard it.

use std::collections::{HashMap, VecDeque};

pub struct FairQueue<T> {
    /// Waiting items per owner; an owner is here only while it has some.
    waiting: HashMap<String, VecDeque<T>>,
    /// Owners with waiting items, in the order they are served.
    turn: VecDeque<String>,
    /// The owner served last, while it has more waiting: back in `turn`
    /// at the next pop, behind whoever started waiting meanwhile.
    served: Option<String>,
    len: usize,
}

impl<T> Default for FairQueue<T> {
    fn default() -> Self {
        FairQueue {
            waiting: HashMap::new(),
            turn: VecDeque::new(),
            served: None,
            len: 0,
        }
    }
}

impl<T> FairQueue<T> {
    /// Append `item` to `owner`'s line; an owner new to the queue takes
    /// its turn after every owner already waiting.
    pub fn push(&mut self, owner: &str, item: T) {
        let items = self.waiting.entry(owner.to_string()).or_default();
        let in_line = !items.is_empty();
        if !in_line && self.served.as_deref() != Some(owner) {
            self.turn.push_back(owner.to_string());
        }
        items.push_back(item);
        self.len += 1;
    }

    /// The next item and its owner: the first waiting item of the owner
    /// whose turn it is; that owner goes to the back of the line at the
    /// next pop if it has more.
    pub fn pop(&mut self) -> Option<(String, T)> {
        if let Some(last) = self.served.take() {
            if self.waiting.contains_key(&last) {
                self.turn.push_back(last);
            }
        }
        let owner = self.turn.pop_front()?;
        let items = self.waiting.get_mut(&owner)?;
        let item = items.pop_front();
        if items.is_empty() {
            self.waiting.remove(&owner);
        } else {
            self.served = Some(owner.clone());
        }
        if item.is_some() {
            self.len -= 1;
        }
        item.map(|item| (owner, item))
    }

    /// Items waiting, all owners together.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Items `owner` has waiting.
    pub fn owner_len(&self, owner: &str) -> usize {
        self.waiting.get(owner).map_or(0, VecDeque::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_served_in_turn_not_in_arrival_order() {
        let mut queue = FairQueue::default();
        for i in 0..5 {
            queue.push("busy", format!("busy-{i}"));
        }
        queue.push("quiet", "quiet-0".to_string());
        queue.push("other", "other-0".to_string());
        queue.push("quiet", "quiet-1".to_string());
        assert_eq!((queue.len(), queue.owner_len("busy")), (8, 5));
        let order: Vec<String> = std::iter::from_fn(|| queue.pop())
            .map(|(_, item)| item)
            .collect();
        assert_eq!(
            order,
            ["busy-0", "quiet-0", "other-0", "busy-1", "quiet-1", "busy-2", "busy-3", "busy-4"]
        );
        assert_eq!(queue.len(), 0);
        assert!(queue.waiting.is_empty() && queue.turn.is_empty());
        assert_eq!(queue.owner_len("busy"), 0);
    }

    #[test]
    fn an_owner_arriving_during_a_backlog_is_served_next() {
        let mut queue = FairQueue::default();
        for i in 0..4 {
            queue.push("busy", i);
        }
        // The first of the backlog is taken (a worker runs it) ...
        assert_eq!(queue.pop(), Some(("busy".to_string(), 0)));
        // ... then another owner's item arrives: it is next, not after the
        // backlog, nor after one more of it.
        queue.push("quiet", 100);
        assert_eq!(queue.pop(), Some(("quiet".to_string(), 100)));
        let rest: Vec<i32> = std::iter::from_fn(|| queue.pop()).map(|(_, i)| i).collect();
        assert_eq!(rest, [1, 2, 3]);
        // The owner served last, with nothing left, starts a fresh line.
        queue.push("busy", 9);
        assert_eq!(queue.pop(), Some(("busy".to_string(), 9)));
        assert!(queue.len() == 0 && queue.served.is_none());
    }
}
