//! Runs the [`Store`] on a dedicated thread. Callers hand it closures and get the result
//! back through a oneshot channel they can `.await` from the Slint event loop (or block on
//! from the command line), so disk I/O never happens on the UI thread.
//!
//! The thread itself wakes sync after every job that appended to the outbox, so no write
//! path can forget to. A panic in a job is not survivable: the store's state is unknown, so
//! the thread calls its panic policy, which for the kiosk ends the process with a non-zero
//! status for systemd to restart it (see [`exit_on_panic`]).
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use tokio::sync::{Notify, oneshot};

use super::{Store, StoreError};

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// What the storage thread does after a job panicked.
pub type PanicPolicy = Box<dyn FnOnce() + Send>;

/// Exit status when storage failed and the process must be restarted (EX_SOFTWARE).
pub const STORAGE_PANIC_EXIT: i32 = 70;

/// The kiosk's panic policy: log and end the process, so systemd restarts it instead of
/// telling every customer "could not be saved" while the watchdog keeps pinging.
pub fn exit_on_panic() -> PanicPolicy {
    Box::new(|| {
        tracing::error!("the storage thread panicked; exiting so the service is restarted");
        std::process::exit(STORAGE_PANIC_EXIT);
    })
}

/// How often someone waiting for the database to open hears that it is still opening.
pub const SLOW_OPEN: std::time::Duration = std::time::Duration::from_secs(10);

/// A cheap, cloneable handle to the storage thread. The thread ends when every handle is
/// dropped, after finishing the jobs already queued (so a commit in flight completes).
#[derive(Clone)]
pub struct StoreHandle {
    jobs: mpsc::Sender<Job>,
    outbox_changed: Arc<Notify>,
}

impl StoreHandle {
    /// Opens the database at `path` on a new thread (a damaged one is set aside and a
    /// fresh one started: see `store::quarantine`); fails if it cannot be opened or
    /// migrated, before any UI is shown. A panicking job ends the process.
    pub fn open(path: &Path) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        Self::open_waiting(path, || {})
    }

    /// [`StoreHandle::open`], calling `waiting` every [`SLOW_OPEN`] while the database is
    /// being opened (a full check of a large one takes a while): the kiosk asks systemd for
    /// more start-up time there.
    pub fn open_waiting(
        path: &Path,
        waiting: impl FnMut(),
    ) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        let path = path.to_owned();
        Self::spawn_waiting(
            move || Store::open_or_quarantine(&path).map(|(store, _)| store),
            exit_on_panic(),
            waiting,
        )
    }

    /// Runs `open` on the storage thread and keeps the store there; `on_panic` runs (on
    /// that thread) if a job panics, after which the thread takes no more jobs.
    pub fn spawn(
        open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
        on_panic: PanicPolicy,
    ) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        Self::spawn_waiting(open, on_panic, || {})
    }

    fn spawn_waiting(
        open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
        on_panic: PanicPolicy,
        mut waiting: impl FnMut(),
    ) -> Result<(StoreHandle, thread::JoinHandle<()>), StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (opened_tx, opened_rx) = mpsc::channel();
        let outbox_changed = Arc::new(Notify::new());
        let wake = outbox_changed.clone();
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
                let mut high_water = store.outbox_high_water().unwrap_or(0);
                for job in queue {
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut store))).is_err() {
                        on_panic();
                        return;
                    }
                    match store.outbox_high_water() {
                        Ok(now) if now > high_water => {
                            high_water = now;
                            wake.notify_one();
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!("cannot read the outbox position: {e}"),
                    }
                }
                tracing::debug!("storage thread finished");
            })
            .map_err(|_| StoreError::WorkerGone)?;
        loop {
            match opened_rx.recv_timeout(SLOW_OPEN) {
                Ok(opened) => break opened?,
                Err(mpsc::RecvTimeoutError::Timeout) => waiting(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(StoreError::WorkerGone),
            }
        }
        Ok((
            StoreHandle {
                jobs,
                outbox_changed,
            },
            thread,
        ))
    }

    /// Fires after a job appended to the outbox (for the sync loop).
    pub fn outbox_signal(&self) -> Arc<Notify> {
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

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::domain::phone::{PhoneCheck, check_mobile};
    use crate::domain::region::Region;
    use crate::domain::signup::JoinRequest;

    fn join(handle: &StoreHandle, number: &str) {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
            panic!("valid test number");
        };
        let request = JoinRequest::new(phone, true, false, "v1", 0).unwrap();
        handle.call(move |s| s.join(&request)).unwrap();
    }

    #[test]
    fn a_job_that_appends_to_the_outbox_wakes_sync_and_a_read_does_not() {
        let (handle, _thread) = StoreHandle::spawn(Store::open_in_memory, Box::new(|| {})).unwrap();
        let signal = handle.outbox_signal();
        // Runs `job`, then a no-op job as a fence (jobs run in order, and the outbox check
        // follows each job), then takes the wake-up if one is waiting.
        let woken = |handle: &StoreHandle, job: &dyn Fn(&StoreHandle)| {
            job(handle);
            handle.call(|_| Ok(())).unwrap();
            let notified = std::pin::pin!(signal.notified());
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            notified.poll(&mut cx).is_ready()
        };
        assert!(woken(&handle, &|h| join(h, "91234567")));
        assert!(!woken(&handle, &|h| {
            h.call(|s| s.member_count()).unwrap();
        }));
        // The same number again writes nothing, so nothing wakes.
        assert!(!woken(&handle, &|h| join(h, "91234567")));
    }

    #[test]
    fn a_panicking_job_runs_the_panic_policy_and_the_store_stops() {
        let panicked = Arc::new(AtomicBool::new(false));
        let flag = panicked.clone();
        let (handle, thread) = StoreHandle::spawn(
            Store::open_in_memory,
            Box::new(move || flag.store(true, Ordering::SeqCst)),
        )
        .unwrap();
        let result: Result<(), StoreError> = handle.call(|_| panic!("a bug in a job"));
        assert!(matches!(result, Err(StoreError::WorkerGone)));
        thread.join().unwrap();
        assert!(panicked.load(Ordering::SeqCst));
        assert!(matches!(
            handle.call(|s| s.member_count()),
            Err(StoreError::WorkerGone)
        ));
    }
}
