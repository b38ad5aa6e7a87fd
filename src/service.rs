//! Running under systemd (all no-ops otherwise): READY once the first frame is up, WATCHDOG
//! pings from a timer on the UI event loop, only while the storage thread answers too (so a
//! hung UI or a stuck store stops the pings and systemd restarts the kiosk), STOPPING on
//! shutdown, and SIGTERM/SIGINT ending the event loop so shutdown commits what is in flight.
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use sd_notify::NotifyState;
use slint::{Timer, TimerMode};
use tokio::sync::oneshot::{Receiver, error::TryRecvError};

/// Sends a no-op job to storage; its answer says the storage thread is alive.
pub type StorageProbe = Box<dyn Fn() -> Receiver<()>>;

/// Decides, at each watchdog tick, whether the kiosk is healthy enough to ping: the probe
/// sent at the previous tick must have been answered. Then it sends the next probe.
pub struct WatchdogGate {
    probe: StorageProbe,
    outstanding: Option<Receiver<()>>,
    warned: bool,
}

impl WatchdogGate {
    pub fn new(probe: StorageProbe) -> WatchdogGate {
        let outstanding = Some(probe());
        WatchdogGate {
            probe,
            outstanding,
            warned: false,
        }
    }

    /// True when the watchdog may be pinged now.
    pub fn tick(&mut self) -> bool {
        let answered = match self.outstanding.as_mut().map(Receiver::try_recv) {
            Some(Ok(())) => true,
            Some(Err(TryRecvError::Empty)) => {
                // Still waiting: keep that probe, send no other.
                if !self.warned {
                    self.warned = true;
                    tracing::error!(
                        "the storage thread has not answered for a watchdog interval; \
                         not pinging the watchdog"
                    );
                }
                return false;
            }
            Some(Err(TryRecvError::Closed)) | None => false,
        };
        if answered {
            self.warned = false;
            self.outstanding = Some((self.probe)());
        } else {
            tracing::error!("the storage thread is gone; not pinging the watchdog");
            self.outstanding = None;
        }
        answered
    }
}

fn notify(state: NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// Start-up is taking long (a full check of a large database after an unclean stop):
/// asks systemd for another minute rather than being killed and restarted in a loop.
pub fn starting_slowly() {
    tracing::info!("still opening the database (a full check after an unclean stop)");
    notify(NotifyState::ExtendTimeoutUsec(60_000_000));
}

/// Arms READY and the watchdog for `window`; `probe` checks storage at each ping. Keep the
/// returned timer alive while running.
pub fn install(window: &slint::Window, probe: StorageProbe) -> Option<Timer> {
    let ready = Rc::new(Cell::new(false));
    let announce = {
        let ready = ready.clone();
        move || {
            if !ready.replace(true) {
                tracing::info!("first frame shown; ready");
                notify(NotifyState::Ready);
            }
        }
    };
    let after_frame = announce.clone();
    let notifier = window.set_rendering_notifier(move |state, _| {
        if matches!(state, slint::RenderingState::AfterRendering) {
            after_frame();
        }
    });
    if notifier.is_err() {
        // Renderers without notifiers (the software renderer): the first turn of the event
        // loop comes right after the window's first frame was requested.
        Timer::single_shot(Duration::ZERO, announce);
    }
    sd_notify::watchdog_enabled().map(|interval| {
        let pings = Timer::default();
        let gate = RefCell::new(WatchdogGate::new(probe));
        pings.start(TimerMode::Repeated, interval / 2, move || {
            if gate.borrow_mut().tick() {
                notify(NotifyState::Watchdog);
            }
        });
        tracing::info!(?interval, "systemd watchdog armed");
        pings
    })
}

/// Ends the event loop on SIGTERM or SIGINT. Runs on the background runtime.
pub async fn quit_on_signals() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM; stop with the window instead");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down"),
    }
    notify(NotifyState::Stopping);
    if let Err(e) = slint::quit_event_loop() {
        tracing::error!("cannot stop the event loop: {e}");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn the_watchdog_is_pinged_only_while_storage_answers() {
        // A fake storage thread: each probe's answer is sent when the test says so.
        let (answers_tx, answers) = mpsc::channel::<tokio::sync::oneshot::Sender<()>>();
        let mut gate = WatchdogGate::new(Box::new(move || {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let _ = answers_tx.send(tx);
            rx
        }));
        let answer = |answers: &mpsc::Receiver<tokio::sync::oneshot::Sender<()>>| {
            answers
                .try_recv()
                .expect("a probe was sent")
                .send(())
                .unwrap();
        };
        answer(&answers);
        assert!(gate.tick(), "storage answered");
        answer(&answers);
        assert!(gate.tick());
        // Storage is stuck on a job: no ping, and no pile of probes.
        assert!(!gate.tick());
        assert!(!gate.tick());
        answer(&answers);
        assert!(gate.tick(), "it recovered");
        // The storage thread is gone: its probe is dropped unanswered.
        drop(answers.try_recv().expect("a probe was sent"));
        assert!(!gate.tick());
        assert!(!gate.tick());
    }
}
