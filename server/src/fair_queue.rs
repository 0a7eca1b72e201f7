//! A queue that serves owners in turn: the one structure behind both the
//! parse queue ([`crate::pipeline`]) and the render pool
//! ([`crate::exports::pool`]).
//!
//! Waiting items are kept per owner. [`FairQueue::pop`] serves the owner
//! with the fewest items in progress (popped, not yet [`FairQueue::done`]),
//! and among those the one served longest ago (an owner with nothing in
//! progress and never served, or not since its line emptied, first; then in
//! arrival order). So an owner who starts waiting while another's backlog
//! is being worked through is served as soon as a worker is free: one
//! owner's backlog delays another owner's work by at most the items in
//! progress, one per worker, never by the backlog itself; and owners with
//! backlogs alternate. The queue itself has no capacity and no locking: its
//! users bound it (globally and per owner, with [`FairQueue::len`] and
//! [`FairQueue::owner_len`]) and guard it.

use std::collections::{HashMap, VecDeque};

/// One owner's line.
struct Lane<T> {
    items: VecDeque<T>,
    /// Popped and not yet done.
    running: usize,
    /// When it was last served (the pop count then); 0 = not yet.
    last_served: u64,
    /// When the lane was opened, to keep arrival order among equals.
    opened: u64,
}

pub struct FairQueue<T> {
    /// Lanes of owners with items waiting or in progress.
    lanes: HashMap<String, Lane<T>>,
    /// Counts pops and lane openings: the clock of `last_served`/`opened`.
    clock: u64,
    len: usize,
}

impl<T> Default for FairQueue<T> {
    fn default() -> Self {
        FairQueue {
            lanes: HashMap::new(),
            clock: 0,
            len: 0,
        }
    }
}

impl<T> FairQueue<T> {
    /// Append `item` to `owner`'s line.
    pub fn push(&mut self, owner: &str, item: T) {
        self.clock += 1;
        let opened = self.clock;
        let lane = self.lanes.entry(owner.to_string()).or_insert(Lane {
            items: VecDeque::new(),
            running: 0,
            last_served: 0,
            opened,
        });
        lane.items.push_back(item);
        self.len += 1;
    }

    /// The next item and its owner (see the module docs for who is next);
    /// the item counts as in progress until [`Self::done`].
    pub fn pop(&mut self) -> Option<(String, T)> {
        let owner = self
            .lanes
            .iter()
            .filter(|(_, lane)| !lane.items.is_empty())
            .min_by_key(|(_, lane)| (lane.running, lane.last_served, lane.opened))
            .map(|(owner, _)| owner.clone())?;
        self.clock += 1;
        let lane = self.lanes.get_mut(&owner)?;
        let item = lane.items.pop_front()?;
        lane.running += 1;
        lane.last_served = self.clock;
        self.len -= 1;
        Some((owner, item))
    }

    /// One of `owner`'s popped items is finished.
    pub fn done(&mut self, owner: &str) {
        if let Some(lane) = self.lanes.get_mut(owner) {
            lane.running = lane.running.saturating_sub(1);
            if lane.running == 0 && lane.items.is_empty() {
                // Nothing waiting or running: the owner starts afresh.
                self.lanes.remove(owner);
            }
        }
    }

    /// Items waiting, all owners together.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Items `owner` has waiting.
    pub fn owner_len(&self, owner: &str) -> usize {
        self.lanes.get(owner).map_or(0, |lane| lane.items.len())
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
        assert_eq!(queue.owner_len("busy"), 0);
        for owner in [
            "busy", "busy", "busy", "busy", "busy", "quiet", "quiet", "other",
        ] {
            queue.done(owner);
        }
        assert!(queue.lanes.is_empty(), "lanes are dropped once done");
    }

    #[test]
    fn an_owner_arriving_during_a_backlog_is_served_as_soon_as_a_worker_is_free() {
        let mut queue = FairQueue::default();
        // One worker: the first of the backlog runs, the rest wait.
        queue.push("busy", 0);
        assert_eq!(queue.pop(), Some(("busy".to_string(), 0)));
        for i in 1..4 {
            queue.push("busy", i);
        }
        // Another owner arrives while it runs; it finishes, and the other
        // owner is next, not one more of the backlog.
        queue.push("quiet", 100);
        queue.done("busy");
        assert_eq!(queue.pop(), Some(("quiet".to_string(), 100)));
        queue.done("quiet");
        let rest: Vec<i32> = std::iter::from_fn(|| {
            let next = queue.pop();
            queue.done("busy");
            next
        })
        .map(|(_, i)| i)
        .collect();
        assert_eq!(rest, [1, 2, 3]);
        // Two workers: an owner with nothing running goes before one with
        // an item running, whoever waited longer.
        queue.push("a", 1);
        queue.push("a", 2);
        queue.push("b", 1);
        assert_eq!(queue.pop(), Some(("a".to_string(), 1)));
        assert_eq!(queue.pop(), Some(("b".to_string(), 1)));
        queue.push("c", 1);
        queue.done("b");
        assert_eq!(queue.pop(), Some(("c".to_string(), 1)));
        assert_eq!(queue.pop(), Some(("a".to_string(), 2)));
    }
}
