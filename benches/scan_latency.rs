//! `scan_latency`: from the last byte of a scan written to a pseudo-terminal to the typed
//! `Scan` event delivered by the real serial scanner thread. Prints median and p99.
//!
//! Run with `cargo bench --bench scan_latency`.
mod report;

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use criterion::Criterion;
use member_kiosk::devices::scanner::lines::Suffix;
use member_kiosk::devices::scanner::serial::{self, PortSelector, SerialScannerSettings};
use member_kiosk::devices::{DeviceEvent, channel_sink};
use serialport::{SerialPort, TTYPort};

static SAMPLES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

fn next_scan(events: &Receiver<DeviceEvent>) {
    loop {
        match events.recv_timeout(Duration::from_secs(5)) {
            Ok(DeviceEvent::Scan { .. }) => return,
            Ok(_) => {}
            Err(e) => panic!("no scan event: {e}"),
        }
    }
}

fn main() {
    let (mut master, slave) = TTYPort::pair().expect("pty");
    let path = slave.name().expect("pty name");
    let (sink, events) = channel_sink();
    let (stop, stop_rx) = channel();
    let thread = serial::spawn(
        SerialScannerSettings {
            port: PortSelector::Path(path.into()),
            baud: 115_200,
            suffix: Suffix::CrLf,
            max_length: 512,
            debounce: Duration::from_millis(1),
        },
        sink,
        stop_rx,
    )
    .expect("scanner thread");
    assert!(matches!(
        events.recv_timeout(Duration::from_secs(5)),
        Ok(DeviceEvent::State { .. })
    ));

    let mut c = Criterion::default()
        .sample_size(50)
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let mut n = 0u64;
    c.bench_function("scan_latency/pty_to_event", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                // A typical member QR payload, unique so the debouncer never drops it.
                let line = format!("]Q1MEMBER:0192f3c4-7b1e-7cc2-9a51-{n:012}\r\n");
                master.write_all(line.as_bytes()).expect("write");
                let start = Instant::now();
                next_scan(&events);
                let elapsed = start.elapsed();
                if let Ok(mut s) = SAMPLES.lock() {
                    s.push(elapsed);
                }
                total += elapsed;
            }
            total
        })
    });
    c.final_summary();
    report::print_percentiles("scan_latency/pty_to_event", &SAMPLES);
    drop(stop);
    let _ = thread.join();
    drop(slave);
}
