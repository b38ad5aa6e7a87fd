//! A PN532 on the far side of a pty, speaking the HSU frame protocol of the NXP user manual:
//! it ACKs every command frame, answers GetFirmwareVersion (with the manual's exact bytes),
//! SAMConfiguration, RFConfiguration and InListPassiveTarget, resends on NACK, and can be told
//! to corrupt a checksum, send garbage, or go silent.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use member_kiosk::devices::nfc::frame::{self, Decoder, Frame, TFI_HOST};
use serialport::{SerialPort, TTYPort};

/// GetFirmwareVersion answer from UM0701-02 §7.2.2: PN532 v1.6.
pub const FIRMWARE_RESPONSE: [u8; 13] = [
    0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00,
];

#[derive(Debug, Default)]
pub struct Behaviour {
    /// The card on the reader, if any.
    pub card: Option<Vec<u8>>,
    /// Corrupt the data checksum of the next response.
    pub corrupt_next: bool,
    /// Send these bytes before the next ACK.
    pub garbage_before_next_ack: Vec<u8>,
    /// Ignore everything, like a reader that hung.
    pub silent: bool,
}

pub struct Pn532Sim {
    pub behaviour: Arc<Mutex<Behaviour>>,
    /// One message per InListPassiveTarget answered.
    pub polls: Receiver<()>,
    /// One message per NACK received.
    pub nacks: Receiver<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Pn532Sim {
    pub fn start(mut master: TTYPort) -> Pn532Sim {
        let behaviour = Arc::new(Mutex::new(Behaviour::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (poll_tx, polls) = channel();
        let (nack_tx, nacks) = channel();
        let thread = {
            let behaviour = behaviour.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                master
                    .set_timeout(Duration::from_millis(20))
                    .expect("timeout");
                serve(&mut master, &behaviour, &stop, &poll_tx, &nack_tx);
            })
        };
        Pn532Sim {
            behaviour,
            polls,
            nacks,
            stop,
            thread: Some(thread),
        }
    }

    pub fn set(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.behaviour.lock().expect("behaviour"));
    }

    /// Waits until the reader has polled `n` more times.
    pub fn wait_polls(&self, n: usize) {
        while self.polls.try_recv().is_ok() {}
        for _ in 0..n {
            self.polls
                .recv_timeout(Duration::from_secs(10))
                .expect("the reader keeps polling");
        }
    }
}

impl Drop for Pn532Sim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    master: &mut TTYPort,
    behaviour: &Mutex<Behaviour>,
    stop: &AtomicBool,
    polls: &Sender<()>,
    nacks: &Sender<()>,
) {
    let mut decoder = Decoder::new();
    let mut last_response: Vec<u8> = Vec::new();
    let mut buf = [0u8; 256];
    while !stop.load(Ordering::SeqCst) {
        match master.read(&mut buf) {
            Ok(n) => decoder.push(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(_) => return,
        }
        while let Some(item) = decoder.next_frame() {
            let mut b = behaviour.lock().expect("behaviour");
            if b.silent {
                continue;
            }
            let reply = match item {
                Ok(Frame::Info {
                    tfi: TFI_HOST,
                    data,
                }) => {
                    let mut out = std::mem::take(&mut b.garbage_before_next_ack);
                    out.extend_from_slice(&frame::ACK);
                    let response = match data.first() {
                        Some(0x02) => FIRMWARE_RESPONSE.to_vec(),
                        Some(0x14) => frame::encode_response(&[0x15]),
                        Some(0x32) => frame::encode_response(&[0x33]),
                        Some(0x4A) => {
                            let _ = polls.send(());
                            match &b.card {
                                Some(uid) => {
                                    let mut r =
                                        vec![0x4B, 0x01, 0x01, 0x00, 0x04, 0x08, uid.len() as u8];
                                    r.extend_from_slice(uid);
                                    frame::encode_response(&r)
                                }
                                None => frame::encode_response(&[0x4B, 0x00]),
                            }
                        }
                        // Unknown command: the error frame.
                        _ => vec![0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00],
                    };
                    last_response = response.clone();
                    let mut response = response;
                    if std::mem::take(&mut b.corrupt_next) {
                        let dcs = response.len() - 2;
                        response[dcs] ^= 0x5A;
                    }
                    out.extend_from_slice(&response);
                    out
                }
                Ok(Frame::Nack) => {
                    let _ = nacks.send(());
                    last_response.clone()
                }
                _ => continue,
            };
            drop(b);
            if master
                .write_all(&reply)
                .and_then(|()| master.flush())
                .is_err()
            {
                return;
            }
        }
    }
}
