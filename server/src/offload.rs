//! CPU-heavy parts of a request, off the async workers and bounded.
//!
//! The runtime has one async worker per core, and every connection's
//! request handling, `/healthz` included, runs on them. Work that takes
//! milliseconds per megabyte (parsing a large document, rendering a share
//! page, serialising a multi-megabyte answer) would hold a worker for that
//! long and stall every other request queued behind it: thirty views of a
//! large resume's share page once stalled `/healthz` for 4.9 s. Such work
//! goes through [`Offload::run`]: onto tokio's blocking pool, at most
//! half the cores at a time (at least one), so that
//! however many requests want a render at once, the async workers keep
//! cores to answer everything else; the rest wait their turn without
//! holding a thread.

use tokio::sync::Semaphore;

use crate::http::error::HttpError;

pub struct Offload {
    permits: Semaphore,
}

impl Default for Offload {
    fn default() -> Offload {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Offload::new(cores.div_ceil(2))
    }
}

impl Offload {
    pub fn new(permits: usize) -> Offload {
        Offload {
            permits: Semaphore::new(permits.max(1)),
        }
    }

    /// Run `work` on the blocking pool once a permit is free. `what` names
    /// the work for the error a panic in it becomes.
    pub async fn run<T, F>(&self, what: &'static str, work: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HttpError::internal(what, e))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HttpError::internal(what, e))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn at_most_the_permits_run_at_once() {
        let offload = Arc::new(Offload::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..8)
            .map(|i| {
                let (offload, running, most) = (offload.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    offload
                        .run("testing", move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(5));
                            running.fetch_sub(1, Ordering::SeqCst);
                            i * 2
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut sum = 0;
        for job in jobs {
            sum += job.await.unwrap();
        }
        assert_eq!(sum, 56);
        assert!(most.load(Ordering::SeqCst) <= 2);
        // No permits asked for is one, never a deadlock.
        assert_eq!(Offload::new(0).run("testing", || 1).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_panic_is_an_internal_error_not_a_crash() {
        let offload = Offload::new(1);
        let err = offload
            .run("testing", || -> u8 { panic!("boom") })
            .await
            .unwrap_err();
        assert_eq!(err.code, vitae_common::ErrorCode::Internal);
        // The permit came back.
        assert_eq!(offload.run("testing", || 7).await.unwrap(), 7);
    }
}
