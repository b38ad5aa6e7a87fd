//! `scan_latency`: from the last byte of a scan written to a pseudo-terminal to the typed
//! `Scan` event delivered by the real serial scanner thread. Prints median and p99.
//!
//! Run with `cargo bench --bench scan_latency`.
use std::io::Write;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use member_kiosk::devices::scanner::lines::Suffix;
use member_kiosk::devices::scanner::serial::{self, PortSelector, SerialScannerSettings};
use member_kiosk::devices::{DeviceEvent, EventSink};
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
    let (tx, events) = channel();
    let tx = Mutex::new(tx);
    let sink: EventSink = Arc::new(move |e| {
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(e);
        }
    });
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
    let mut v = SAMPLES.lock().map(|v| v.clone()).unwrap_or_default();
    v.sort_unstable();
    if !v.is_empty() {
        let at = |p: usize| v[((p * v.len()).div_ceil(100)).max(1) - 1];
        eprintln!(
            "scan_latency/pty_to_event: {} scans, median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            v.len(),
            at(50).as_secs_f64() * 1e3,
            at(99).as_secs_f64() * 1e3,
            v[v.len() - 1].as_secs_f64() * 1e3
        );
    }
    drop(stop);
    let _ = thread.join();
    drop(slave);
}
