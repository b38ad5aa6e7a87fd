//! The one way a controller runs a storage job and shows its result: await it on the UI
//! thread, then hand it over only if the page that asked is still the one showing (the
//! navigator's flow token). A sign-up that commits after the customer walked away is kept
//! in storage but never shown to whoever stands there now.
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::navigator::Navigator;
use super::ports::Pending;
use crate::store::StoreError;

/// Runs futures on the UI thread: `slint::spawn_local` in the kiosk, inline in tests.
pub trait Spawn {
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>);
}

/// Spawns on Slint's event loop.
pub struct SlintSpawn;

impl Spawn for SlintSpawn {
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        if let Err(e) = slint::spawn_local(task) {
            tracing::error!("cannot schedule work on the UI thread: {e}");
        }
    }
}

#[derive(Clone)]
pub struct Tasks {
    nav: Rc<Navigator>,
    spawner: Rc<dyn Spawn>,
}

impl Tasks {
    pub fn new(nav: Rc<Navigator>, spawner: Rc<dyn Spawn>) -> Tasks {
        Tasks { nav, spawner }
    }

    /// Awaits `pending`, then calls `then` with its result if the flow that asked is still
    /// current; otherwise logs `what` finished unseen.
    pub fn then<T: 'static>(
        &self,
        what: &'static str,
        pending: Pending<T>,
        then: impl FnOnce(Result<T, StoreError>) + 'static,
    ) {
        let nav = self.nav.clone();
        let flow = nav.flow();
        self.spawner.spawn(Box::pin(async move {
            let result = pending.await;
            if nav.is_current(flow) {
                then(result);
            } else {
                tracing::info!(
                    ok = result.is_ok(),
                    "{what} finished after the customer moved on; not shown"
                );
            }
        }));
    }
}

#[cfg(test)]
pub mod testing {
    //! Runs a task at once when its future is already complete (as the fakes' are), and
    //! keeps it otherwise, for the test to finish with [`InlineSpawn::run_pending`].
    use std::cell::RefCell;
    use std::task::{Context, Poll, Waker};

    use super::*;

    #[derive(Default)]
    pub struct InlineSpawn {
        waiting: RefCell<Vec<Pin<Box<dyn Future<Output = ()>>>>>,
    }

    impl Spawn for InlineSpawn {
        fn spawn(&self, mut task: Pin<Box<dyn Future<Output = ()>>>) {
            let mut cx = Context::from_waker(Waker::noop());
            if task.as_mut().poll(&mut cx) == Poll::Pending {
                self.waiting.borrow_mut().push(task);
            }
        }
    }

    impl InlineSpawn {
        /// Polls every task that was waiting; returns how many are still waiting.
        pub fn run_pending(&self) -> usize {
            let tasks: Vec<_> = self.waiting.borrow_mut().drain(..).collect();
            for task in tasks {
                self.spawn(task);
            }
            self.waiting.borrow().len()
        }
    }
}
