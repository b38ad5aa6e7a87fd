//! HID keyboard-wedge scanners (the kind that "types" the code): reads the scanner's own
//! input device (`/dev/input/by-id/*-event-kbd`) with `evdev`, grabs it so its keystrokes
//! never reach the UI or a console, and decodes key events (US layout) into lines that go
//! through the same validation as a serial scanner. The kiosk user needs the `input` group.
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::debounce::Debouncer;
use super::lines::{LineSplitter, Rejected, Scan, Suffix};
use crate::devices::{DeviceEvent, DeviceKind, DeviceState, EventSink};

const EV_KEY: u16 = 0x01;
const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;
/// How often the thread checks for a stop request between events.
const TICK: Duration = Duration::from_millis(20);

/// Key code → (plain, shifted) character for a US keyboard layout.
fn us_key(code: u16) -> Option<(u8, u8)> {
    const ROW_DIGITS: &[u8; 10] = b"1234567890";
    const ROW_DIGITS_SHIFT: &[u8; 10] = b"!@#$%^&*()";
    Some(match code {
        2..=11 => (
            ROW_DIGITS[usize::from(code - 2)],
            ROW_DIGITS_SHIFT[usize::from(code - 2)],
        ),
        12 => (b'-', b'_'),
        13 => (b'=', b'+'),
        16..=25 => {
            let c = b"qwertyuiop"[usize::from(code - 16)];
            (c, c.to_ascii_uppercase())
        }
        26 => (b'[', b'{'),
        27 => (b']', b'}'),
        30..=38 => {
            let c = b"asdfghjkl"[usize::from(code - 30)];
            (c, c.to_ascii_uppercase())
        }
        39 => (b';', b':'),
        40 => (b'\'', b'"'),
        41 => (b'`', b'~'),
        43 => (b'\\', b'|'),
        44..=50 => {
            let c = b"zxcvbnm"[usize::from(code - 44)];
            (c, c.to_ascii_uppercase())
        }
        51 => (b',', b'<'),
        52 => (b'.', b'>'),
        53 => (b'/', b'?'),
        57 => (b' ', b' '),
        _ => return None,
    })
}

/// Turns key events into scans. Pure.
#[derive(Debug)]
pub struct WedgeDecoder {
    shift: bool,
    lines: LineSplitter,
}

impl WedgeDecoder {
    pub fn new(max_length: usize) -> WedgeDecoder {
        WedgeDecoder {
            shift: false,
            lines: LineSplitter::new(Suffix::Lf, max_length),
        }
    }

    /// Feeds one input event (`type`, `code`, `value`: 1 press, 0 release, 2 autorepeat).
    pub fn event(&mut self, kind: u16, code: u16, value: i32) -> Vec<Result<Scan, Rejected>> {
        if kind != EV_KEY {
            return Vec::new();
        }
        match code {
            KEY_LEFTSHIFT | KEY_RIGHTSHIFT => {
                self.shift = value != 0;
                Vec::new()
            }
            KEY_ENTER | KEY_KPENTER if value == 1 => self.lines.push(b"\n"),
            _ if value == 1 => match us_key(code) {
                Some((plain, shifted)) => {
                    self.lines.push(&[if self.shift { shifted } else { plain }])
                }
                // A key a scanner never sends: poison the line so it is rejected whole.
                None => self.lines.push(&[0x00]),
            },
            _ => Vec::new(),
        }
    }
}

/// Decodes raw `struct input_event` records as read from `/dev/input/event*` on a 64-bit
/// kernel (16-byte timestamp, u16 type, u16 code, i32 value). For recorded test data.
pub fn parse_raw_events(bytes: &[u8]) -> Vec<(u16, u16, i32)> {
    bytes
        .chunks_exact(24)
        .map(|r| {
            let u16_at = |i: usize| u16::from_ne_bytes([r[i], r[i + 1]]);
            (
                u16_at(16),
                u16_at(18),
                i32::from_ne_bytes([r[20], r[21], r[22], r[23]]),
            )
        })
        .collect()
}

/// Runs until `stop` receives a message or is dropped.
pub fn spawn(
    path: PathBuf,
    max_length: usize,
    debounce: Duration,
    sink: EventSink,
    stop: Receiver<()>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("wedge".into()).spawn(move || {
        let state = |s| sink(DeviceEvent::State { device: DeviceKind::Scanner, state: s });
        let mut debounce = Debouncer::new(debounce);
        let mut backoff = Duration::from_millis(200);
        let mut reported_down = false;
        loop {
            let opened = evdev::Device::open(&path).and_then(|mut d| {
                d.grab()?;
                d.set_nonblocking(true)?;
                Ok(d)
            });
            match opened {
                Ok(mut device) => {
                    tracing::info!(device = %path.display(), "keyboard-wedge scanner connected (grabbed)");
                    state(DeviceState::Connected);
                    backoff = Duration::from_millis(200);
                    let mut decoder = WedgeDecoder::new(max_length);
                    loop {
                        match device.fetch_events() {
                            Ok(events) => {
                                for e in events {
                                    for line in decoder.event(e.event_type().0, e.code(), e.value()) {
                                        super::deliver(line, &mut debounce, &sink);
                                    }
                                }
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                            Err(e) => {
                                tracing::warn!("keyboard-wedge scanner lost: {e}");
                                break;
                            }
                        }
                        if !matches!(stop.recv_timeout(TICK), Err(RecvTimeoutError::Timeout)) {
                            return;
                        }
                    }
                    state(DeviceState::Disconnected);
                    reported_down = true;
                }
                Err(e) => {
                    if !reported_down {
                        tracing::warn!(device = %path.display(), "keyboard-wedge scanner not available: {e}");
                        state(DeviceState::Disconnected);
                        reported_down = true;
                    }
                }
            }
            if !matches!(stop.recv_timeout(backoff), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records key presses as a kernel would deliver them (press, release, SYN between).
    fn record(keys: &[(u16, bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut push = |kind: u16, code: u16, value: i32| {
            out.extend_from_slice(&[0u8; 16]);
            out.extend_from_slice(&kind.to_ne_bytes());
            out.extend_from_slice(&code.to_ne_bytes());
            out.extend_from_slice(&value.to_ne_bytes());
        };
        for &(code, shifted) in keys {
            if shifted {
                push(EV_KEY, KEY_LEFTSHIFT, 1);
            }
            push(EV_KEY, code, 1);
            push(0, 0, 0);
            push(EV_KEY, code, 0);
            if shifted {
                push(EV_KEY, KEY_LEFTSHIFT, 0);
            }
            push(0, 0, 0);
        }
        out
    }

    fn decode(bytes: &[u8]) -> Vec<Result<Scan, Rejected>> {
        let mut d = WedgeDecoder::new(64);
        parse_raw_events(bytes)
            .into_iter()
            .flat_map(|(t, c, v)| d.event(t, c, v))
            .collect()
    }

    #[test]
    fn decodes_a_typed_qr_code_with_aim_prefix() {
        // "]Q1Ab-9" then Enter: ] Q(shift) 1 A(shift) b - 9
        let bytes = record(&[
            (27, false),
            (16, true),
            (2, false),
            (30, true),
            (48, false),
            (12, false),
            (10, false),
            (KEY_ENTER, false),
        ]);
        assert_eq!(
            decode(&bytes),
            vec![Ok(Scan {
                text: "Ab-9".into(),
                symbology: Some("Q1".into())
            })]
        );
    }

    #[test]
    fn an_unexpected_key_rejects_the_whole_line() {
        // "12", F1 (code 59), "3", Enter
        let bytes = record(&[
            (2, false),
            (3, false),
            (59, false),
            (4, false),
            (KEY_ENTER, false),
        ]);
        assert!(matches!(decode(&bytes)[..], [Err(Rejected::Binary { .. })]));
    }

    #[test]
    fn autorepeat_and_releases_type_nothing() {
        let mut d = WedgeDecoder::new(64);
        assert!(d.event(EV_KEY, 2, 2).is_empty());
        assert!(d.event(EV_KEY, 2, 0).is_empty());
        assert_eq!(d.event(EV_KEY, KEY_ENTER, 1), vec![Err(Rejected::Empty)]);
    }
}
