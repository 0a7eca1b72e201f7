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
//! The cache is bounded twice: in entries and in bytes (each entry's size is
//! given by the caller, usually the length of the JSON it holds, which is at
//! hand). An entry larger than a quarter of the byte budget is not kept at
//! all (one huge document must not push out everything else, nor pin its
//! memory); when a new entry does not fit, the entries of older generations
//! go first, and if that is not enough the cache starts again empty (cheaper
//! than tracking recency, and a full cache of entries from one generation is
//! rare: a write empties it in effect anyway).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

struct Entries<K, V> {
    map: HashMap<K, (u64, usize, V)>,
    /// Sum of the sizes in `map`.
    bytes: usize,
}

pub struct ReadCache<K, V> {
    entries: RwLock<Entries<K, V>>,
    capacity: usize,
    max_bytes: usize,
}

impl<K: Hash + Eq, V: Clone> ReadCache<K, V> {
    /// At most `capacity` entries holding at most `max_bytes` together.
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        ReadCache {
            entries: RwLock::new(Entries {
                map: HashMap::new(),
                bytes: 0,
            }),
            capacity: capacity.max(1),
            max_bytes,
        }
    }

    /// The value stored for `key` at `generation`, if there is one.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        match entries.map.get(key) {
            Some((at, _, value)) if *at == generation => Some(value.clone()),
            _ => None,
        }
    }

    /// Keep `value`, computed from reads begun at `generation`, that holds
    /// about `size` bytes; a value over a quarter of the budget is not kept.
    pub fn put(&self, key: K, generation: u64, value: V, size: usize) {
        if size > self.max_bytes / 4 {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if let Some((_, old, _)) = entries.map.remove(&key) {
            entries.bytes -= old;
        }
        let fits =
            |e: &Entries<K, V>| e.map.len() < self.capacity && e.bytes + size <= self.max_bytes;
        if !fits(&entries) {
            // Entries of older generations can never be served again.
            entries.map.retain(|_, (at, _, _)| *at == generation);
            entries.bytes = entries.map.values().map(|(_, size, _)| size).sum();
            if !fits(&entries) {
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += size;
        entries.map.insert(key, (generation, size, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held<K: Hash + Eq, V>(cache: &ReadCache<K, V>) -> (usize, usize) {
        let entries = cache.entries.read().unwrap();
        (entries.map.len(), entries.bytes)
    }

    #[test]
    fn a_value_is_served_only_in_its_generation() {
        let cache = ReadCache::new(4, 1024);
        cache.put("a", 7, 1, 10);
        assert_eq!(cache.get(&"a", 7), Some(1));
        assert_eq!(cache.get(&"a", 8), None, "a write happened since");
        assert_eq!(cache.get(&"b", 7), None);
        cache.put("a", 8, 2, 10);
        assert_eq!(cache.get(&"a", 8), Some(2));
        assert_eq!(
            held(&cache),
            (1, 10),
            "a replaced entry is not counted twice"
        );
    }

    #[test]
    fn a_full_cache_drops_old_generations_first_and_stays_bounded() {
        let cache = ReadCache::new(2, 1024);
        cache.put(1, 1, "old", 1);
        cache.put(2, 2, "new", 1);
        cache.put(3, 2, "newer", 1);
        assert_eq!(cache.get(&1, 1), None);
        assert_eq!(cache.get(&2, 2), Some("new"));
        assert_eq!(cache.get(&3, 2), Some("newer"));
        cache.put(4, 2, "overflow", 1);
        assert_eq!(cache.get(&4, 2), Some("overflow"));
        assert!(held(&cache).0 <= 2);
    }

    #[test]
    fn the_byte_budget_holds_and_a_huge_entry_is_refused() {
        let cache = ReadCache::new(1000, 1000);
        // Over a quarter of the budget: never kept, and nothing is evicted.
        cache.put("small", 1, "s", 100);
        cache.put("huge", 1, "h", 251);
        assert_eq!(cache.get(&"huge", 1), None);
        assert_eq!(cache.get(&"small", 1), Some("s"));
        // Many entries within the entry cap but past the byte budget: the
        // bytes held never pass the budget.
        for i in 0..50 {
            cache.put("k".repeat(i + 1).leak() as &str, 1, "v", 200);
            assert!(held(&cache).1 <= 1000, "{:?}", held(&cache));
        }
        assert!(held(&cache).0 <= 5);
    }
}
