//! Runs the [`Store`] on a dedicated thread. Callers hand it closures and get the result
//! back through a oneshot channel they can `.await` from the Slint event loop (or block on
//! from the command line), so disk I/O never happens on the UI thread.
use std::path::Path;
use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

use super::{Store, StoreError};

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// A cheap, cloneable handle to the storage thread. The thread ends when every handle is
/// dropped, after finishing the jobs already queued (so a commit in flight completes).
#[derive(Clone)]
pub struct StoreHandle {
    jobs: mpsc::Sender<Job>,
    outbox_changed: std::sync::Arc<tokio::sync::Notify>,
}

impl StoreHandle {
    /// Opens the database at `path` on a new thread; fails if it cannot be opened or
    /// migrated, before any UI is shown.
    pub fn open(path: &Path) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        let path = path.to_owned();
        Self::spawn(move || Store::open(&path))
    }

    /// Runs `open` on the storage thread and keeps the store there.
    pub fn spawn(
        open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
    ) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (opened_tx, opened_rx) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                let mut store = match open() {
                    Ok(store) => {
                        let _ = opened_tx.send(Ok(()));
                        store
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                for job in queue {
                    job(&mut store);
                }
                tracing::debug!("storage thread finished");
            })
            .map_err(|_| StoreError::WorkerGone)?;
        opened_rx.recv().map_err(|_| StoreError::WorkerGone)??;
        Ok((
            StoreHandle {
                jobs,
                outbox_changed: Default::default(),
            },
            thread,
        ))
    }

    /// Tells whoever delivers the outbox (the sync loop) that a commit added to it.
    pub fn notify_outbox(&self) {
        self.outbox_changed.notify_one();
    }

    /// Fires after [`StoreHandle::notify_outbox`].
    pub fn outbox_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.outbox_changed.clone()
    }

    /// Queues `job`; the returned receiver yields its result.
    pub fn submit<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> oneshot::Receiver<R> {
        let (tx, rx) = oneshot::channel();
        let sent = self.jobs.send(Box::new(move |store: &mut Store| {
            let _ = tx.send(job(store));
        }));
        if sent.is_err() {
            tracing::error!("storage thread is gone; request dropped");
        }
        rx
    }

    /// Runs `job` and waits for it. For the command line, tests and benchmarks: never call
    /// this from the UI thread.
    pub fn call<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        self.submit(job)
            .blocking_recv()
            .map_err(|_| StoreError::WorkerGone)?
    }
}
