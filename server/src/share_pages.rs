//! Rendered share pages, kept per link, document revision and form.
//!
//! A public link can be opened by anyone, any number of times: rendering
//! the HTML (or Markdown) of a multi-megabyte resume on every view would
//! let anonymous traffic buy CPU by the second. So the HTML, Markdown and
//! JSON bodies of `/s/{token}` are rendered once per (link, document
//! revision, form) on the blocking pool ([`crate::offload`]) and kept here:
//! concurrent views of the same page wait for the one render in progress
//! instead of starting their own, and later views answer the kept bytes.
//!
//! The key names the link by its token's hash (the store's key, never the
//! token) and the resume by its revision and last update time, so an edit
//! is a new key and nothing stale is served; old keys age out. A pinned
//! link's key names its pinned revision (kept revisions never change), so
//! edits to the resume never reach it. What a link hides and whether it
//! offers downloads are fixed when it is made, so the link's key covers them. The cache is
//! bounded in bytes ([`SharePages::new`]) and drops the least recently used
//! pages first; a page larger than half the bound is rendered for each view
//! but never kept, so one huge resume cannot flush every other page.
//! Revocation and expiry are checked before the cache is consulted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::OnceCell;

use crate::http::error::HttpError;
use crate::offload::Offload;

/// The default bound of the cache.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Which body of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    Html,
    Json,
    Markdown,
}

/// One rendered page: link (token hash), resume revision and update time
/// (milliseconds), form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub share: String,
    pub revision: u64,
    pub updated_ms: i64,
    pub form: Form,
}

pub struct SharePages {
    kept: Mutex<Lru>,
    /// Renders in progress, so that concurrent misses share one.
    rendering: Mutex<HashMap<PageKey, Arc<OnceCell<Bytes>>>>,
}

impl SharePages {
    /// A cache that keeps at most `max_bytes` of pages.
    pub fn new(max_bytes: usize) -> SharePages {
        SharePages {
            kept: Mutex::new(Lru::new(max_bytes)),
            rendering: Mutex::new(HashMap::new()),
        }
    }

    /// The page for `key` if it is kept (a pinned link loads its revision
    /// only when it is not).
    pub fn cached(&self, key: &PageKey) -> Option<Bytes> {
        self.lock_kept().get(key)
    }

    /// The page for `key`: kept, being rendered (wait for it), or rendered
    /// now by `render` through `offload`.
    pub async fn get_or_render<F>(
        &self,
        offload: &Offload,
        key: PageKey,
        render: F,
    ) -> Result<Bytes, HttpError>
    where
        F: FnOnce() -> Bytes + Send + 'static,
    {
        if let Some(page) = self.lock_kept().get(&key) {
            return Ok(page);
        }
        let cell = self
            .lock_rendering()
            .entry(key.clone())
            .or_default()
            .clone();
        let page = cell
            .get_or_try_init(|| offload.run("rendering a share page", render))
            .await?
            .clone();
        self.lock_kept().put(key.clone(), page.clone());
        let mut rendering = self.lock_rendering();
        if rendering
            .get(&key)
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            rendering.remove(&key);
        }
        Ok(page)
    }

    /// Bytes of pages kept now.
    #[cfg(test)]
    fn kept_bytes(&self) -> usize {
        self.lock_kept().bytes
    }

    fn lock_kept(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_rendering(&self) -> std::sync::MutexGuard<'_, HashMap<PageKey, Arc<OnceCell<Bytes>>>> {
        self.rendering.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Least recently used first out, bounded in bytes.
struct Lru {
    entries: HashMap<PageKey, (Bytes, u64)>,
    /// Last use → key; the first entry is the least recently used.
    order: BTreeMap<u64, PageKey>,
    tick: u64,
    bytes: usize,
    max_bytes: usize,
}

/// What an entry costs beyond its body: key, map slots, order entry.
const ENTRY_OVERHEAD: usize = 160;

impl Lru {
    fn new(max_bytes: usize) -> Lru {
        Lru {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            bytes: 0,
            max_bytes,
        }
    }

    fn cost(page: &Bytes, key: &PageKey) -> usize {
        page.len() + key.share.len() + ENTRY_OVERHEAD
    }

    fn get(&mut self, key: &PageKey) -> Option<Bytes> {
        self.tick += 1;
        let tick = self.tick;
        let (page, used) = self.entries.get_mut(key)?;
        self.order.remove(used);
        *used = tick;
        self.order.insert(tick, key.clone());
        Some(page.clone())
    }

    fn put(&mut self, key: PageKey, page: Bytes) {
        let cost = Lru::cost(&page, &key);
        if cost > self.max_bytes / 2 || self.entries.contains_key(&key) {
            return;
        }
        while self.bytes + cost > self.max_bytes {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((dropped, _)) = self.entries.remove(&oldest) {
                self.bytes -= Lru::cost(&dropped, &oldest);
            }
        }
        self.tick += 1;
        self.order.insert(self.tick, key.clone());
        self.entries.insert(key, (page, self.tick));
        self.bytes += cost;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn key(share: &str, revision: u64) -> PageKey {
        PageKey {
            share: share.into(),
            revision,
            updated_ms: 0,
            form: Form::Html,
        }
    }

    fn page(bytes: usize) -> Bytes {
        Bytes::from(vec![b'x'; bytes])
    }

    #[test]
    fn the_least_recently_used_pages_go_first_and_the_bound_holds() {
        let entry = |n: usize| n + 1 + ENTRY_OVERHEAD;
        let mut lru = Lru::new(3 * entry(1000));
        lru.put(key("a", 1), page(1000));
        lru.put(key("b", 1), page(1000));
        lru.put(key("c", 1), page(1000));
        assert!(lru.get(&key("a", 1)).is_some(), "a is now the most recent");
        lru.put(key("d", 1), page(1000));
        assert!(lru.get(&key("b", 1)).is_none(), "b was the least recent");
        for kept in ["a", "c", "d"] {
            assert!(lru.get(&key(kept, 1)).is_some(), "{kept}");
        }
        assert!(lru.bytes <= lru.max_bytes);
        // Larger than half the bound: never kept, nothing dropped for it.
        lru.put(key("huge", 1), page(2 * entry(1000)));
        assert!(lru.get(&key("huge", 1)).is_none());
        assert_eq!(lru.entries.len(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_views_share_one_render_and_a_new_revision_renders_again() {
        let pages = Arc::new(SharePages::new(1 << 20));
        let offload = Arc::new(Offload::new(1));
        let renders = Arc::new(AtomicUsize::new(0));
        let view = |revision: u64| {
            let (pages, offload, renders) = (pages.clone(), offload.clone(), renders.clone());
            tokio::spawn(async move {
                pages
                    .get_or_render(&offload, key("link", revision), move || {
                        renders.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        Bytes::from(format!("revision {revision}"))
                    })
                    .await
                    .unwrap()
            })
        };
        let views: Vec<_> = (0..20).map(|_| view(1)).collect();
        for v in views {
            assert_eq!(v.await.unwrap(), "revision 1");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1, "one render for 20 views");
        assert_eq!(view(1).await.unwrap(), "revision 1");
        assert_eq!(renders.load(Ordering::SeqCst), 1, "kept");
        assert_eq!(view(2).await.unwrap(), "revision 2");
        assert_eq!(renders.load(Ordering::SeqCst), 2, "an edit renders again");
        assert!(pages.kept_bytes() > 0);
        assert!(pages.lock_rendering().is_empty());
    }
}
