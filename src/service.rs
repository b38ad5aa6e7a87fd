//! Running under systemd (all no-ops otherwise): READY once the first frame is up, WATCHDOG
//! pings from a timer on the UI event loop (so a hung UI stops pinging and systemd restarts
//! the kiosk), STOPPING on shutdown, and SIGTERM/SIGINT ending the event loop so shutdown
//! commits what is in flight.
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use sd_notify::NotifyState;
use slint::{Timer, TimerMode};

fn notify(state: NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// Arms READY and the watchdog for `window`. Keep the returned timer alive while running.
pub fn install(window: &slint::Window) -> Option<Timer> {
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
        pings.start(TimerMode::Repeated, interval / 2, || {
            notify(NotifyState::Watchdog)
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
