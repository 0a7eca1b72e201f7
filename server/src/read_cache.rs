//! Results of hot reads, reused until the store's next committed write.
//!
//! The store's generation ([`crate::store::Store::generation`]) grows after
//! every commit. A value computed from reads that began after the generation
//! was `g` is stored with `g`, and served again only while the generation is
//! still `g`: any write in between, to anything, makes it a miss. That is
//! coarse, but it cannot serve a stale answer, needs no knowledge of which
//! write touches which record, and suits the traffic it is for: the same
//! resume, token or share read many times between rare writes.
//!
//! The cache is bounded: when it is full, it starts again empty (cheaper than
//! tracking recency, and a full cache of entries from one generation is rare:
//! a write empties it in effect anyway).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

pub struct ReadCache<K, V> {
    entries: RwLock<HashMap<K, (u64, V)>>,
    capacity: usize,
}

impl<K: Hash + Eq, V: Clone> ReadCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        ReadCache {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The value stored for `key` at `generation`, if there is one.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((at, value)) if *at == generation => Some(value.clone()),
            _ => None,
        }
    }

    /// Keep `value`, computed from reads begun at `generation`.
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            // Entries of older generations can never be served again.
            entries.retain(|_, (at, _)| *at == generation);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_only_in_its_generation() {
        let cache = ReadCache::new(4);
        cache.put("a", 7, 1);
        assert_eq!(cache.get(&"a", 7), Some(1));
        assert_eq!(cache.get(&"a", 8), None, "a write happened since");
        assert_eq!(cache.get(&"b", 7), None);
        cache.put("a", 8, 2);
        assert_eq!(cache.get(&"a", 8), Some(2));
    }

    #[test]
    fn a_full_cache_drops_old_generations_first_and_stays_bounded() {
        let cache = ReadCache::new(2);
        cache.put(1, 1, "old");
        cache.put(2, 2, "new");
        cache.put(3, 2, "newer");
        assert_eq!(cache.get(&1, 1), None);
        assert_eq!(cache.get(&2, 2), Some("new"));
        assert_eq!(cache.get(&3, 2), Some("newer"));
        cache.put(4, 2, "overflow");
        assert_eq!(cache.get(&4, 2), Some("overflow"));
        assert!(cache.entries.read().unwrap().len() <= 2);
    }
}
