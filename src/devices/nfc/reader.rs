//! The NFC reader thread: opens the PN532, polls for ISO14443A cards and turns a card held
//! on the reader into one `CardTap` (and one `CardRemoved` when it leaves). Any link failure
//! (unplugged, silent, garbage) reports the reader disconnected and reopens it with backoff.
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::pn532::{Pn532, Pn532Error};
use super::transport::Transport;
use crate::devices::{DeviceEvent, DeviceKind, DeviceState, EventSink};

/// Consecutive empty polls before a card counts as removed (one missed poll is noise).
const ABSENT_POLLS_FOR_REMOVAL: u32 = 2;
/// Consecutive timeouts before the reader counts as gone.
const TIMEOUTS_FOR_DISCONNECT: u32 = 3;
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Uppercase hex, as card UIDs are stored and printed.
pub fn uid_hex(uid: &[u8]) -> String {
    uid.iter().map(|b| format!("{b:02X}")).collect()
}

/// Runs until `stop` receives a message or is dropped.
pub fn spawn<T, F>(
    open: F,
    poll_interval: Duration,
    sink: EventSink,
    stop: Receiver<()>,
) -> std::io::Result<JoinHandle<()>>
where
    T: Transport + 'static,
    F: FnMut() -> std::io::Result<T> + Send + 'static,
{
    std::thread::Builder::new()
        .name("nfc".into())
        .spawn(move || run(open, poll_interval, &sink, &stop))
}

/// Waits `d`, returning true if asked to stop meanwhile.
fn stopped(stop: &Receiver<()>, d: Duration) -> bool {
    !matches!(stop.recv_timeout(d), Err(RecvTimeoutError::Timeout))
}

fn run<T: Transport, F: FnMut() -> std::io::Result<T>>(
    mut open: F,
    poll: Duration,
    sink: &EventSink,
    stop: &Receiver<()>,
) {
    let state = |s| {
        sink(DeviceEvent::State {
            device: DeviceKind::Nfc,
            state: s,
        })
    };
    let mut backoff = Duration::from_millis(100);
    let mut reported_down = false;
    loop {
        let session = open().map_err(Pn532Error::from).and_then(|link| {
            let (pn, fw) = Pn532::start(link)?;
            tracing::info!(link = %pn.link().describe(), "NFC reader ready: {fw}");
            Ok(pn)
        });
        match session {
            Ok(mut pn) => {
                backoff = Duration::from_millis(100);
                state(DeviceState::Connected);
                if let Err(e) = poll_cards(&mut pn, poll, sink, stop) {
                    tracing::warn!("NFC reader lost: {e}");
                    state(DeviceState::Disconnected);
                    reported_down = true;
                } else {
                    return; // asked to stop
                }
            }
            Err(e) => {
                if !reported_down {
                    tracing::warn!("NFC reader not available: {e}");
                    state(DeviceState::Disconnected);
                    reported_down = true;
                }
            }
        }
        if stopped(stop, backoff) {
            return;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Polls until the link fails (`Err`) or a stop is requested (`Ok`).
fn poll_cards<T: Transport>(
    pn: &mut Pn532<T>,
    poll: Duration,
    sink: &EventSink,
    stop: &Receiver<()>,
) -> Result<(), Pn532Error> {
    let mut present: Option<String> = None;
    let mut absent_polls = 0;
    let mut timeouts = 0;
    loop {
        match pn.list_passive_target() {
            Ok(Some(uid)) => {
                timeouts = 0;
                absent_polls = 0;
                let uid = uid_hex(&uid);
                if present.as_deref() != Some(uid.as_str()) {
                    if let Some(old) = present.replace(uid.clone()) {
                        sink(DeviceEvent::CardRemoved { uid: old });
                    }
                    sink(DeviceEvent::CardTap { uid });
                }
            }
            Ok(None) => {
                timeouts = 0;
                absent_polls += 1;
                if absent_polls >= ABSENT_POLLS_FOR_REMOVAL
                    && let Some(old) = present.take()
                {
                    sink(DeviceEvent::CardRemoved { uid: old });
                }
            }
            Err(e) if e.is_disconnect() => return Err(e),
            Err(e @ Pn532Error::Timeout(_)) => {
                timeouts += 1;
                tracing::debug!("NFC poll: {e}");
                if timeouts >= TIMEOUTS_FOR_DISCONNECT {
                    return Err(e);
                }
            }
            Err(e) => {
                // Corrupt or unexpected frames: logged, the next poll starts clean.
                tracing::warn!("NFC poll: {e}");
            }
        }
        if stopped(stop, poll) {
            return Ok(());
        }
    }
}
