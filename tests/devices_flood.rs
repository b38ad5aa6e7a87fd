//! Who must be stopped: a scanner stuck in continuous mode. A flood of codes and garbage over
//! a pty, into the kiosk's bounded event queue that nobody drains (the UI is not keeping
//! up), leaves the log at a few lines per second: one line each for the first events, then
//! a count per interval. Before, every rejected line and every dropped event was logged.
mod common;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::pty::plug_in;

/// Counts the lines the log writes (and keeps them, to show on failure).
#[derive(Clone, Default)]
struct CountingLog {
    lines: Arc<AtomicU64>,
    text: Arc<Mutex<String>>,
}

impl Write for CountingLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let newlines = buf.iter().filter(|b| **b == b'\n').count() as u64;
        self.lines.fetch_add(newlines, Ordering::SeqCst);
        if let Ok(mut text) = self.text.lock()
            && text.len() < 20_000
        {
            text.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_flooding_scanner_leaves_a_few_log_lines_per_second() {
    let log = CountingLog::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let mut device = plug_in(&link);
    // The kiosk's own queue, never drained here.
    let (sink, _undrained) = member_kiosk::devices::bounded_sink(64);
    let (stop, thread) = common::pty::spawn_scanner(&link, Duration::from_millis(1500), sink);

    // 100,000 distinct codes and 100,000 binary lines, as fast as the pty takes them (a
    // pty blocks the writer while the driver is behind, so this ends once it has read
    // nearly everything).
    let started = Instant::now();
    let mut chunk = Vec::new();
    for i in 0..100_000u32 {
        chunk.extend_from_slice(format!("CODE{i}\r\n\x00\x01\x02\r\n").as_bytes());
        if chunk.len() > 16 * 1024 {
            device.master.write_all(&chunk).unwrap();
            chunk.clear();
        }
    }
    device.master.write_all(&chunk).unwrap();
    device.master.flush().unwrap();
    drop(stop);
    thread.join().expect("scanner thread ends cleanly");
    let seconds = started.elapsed().as_secs_f64();

    let lines = log.lines.load(Ordering::SeqCst);
    let text = log.text.lock().unwrap().clone();
    eprintln!("{lines} log lines for 200,000 scanner lines in {seconds:.1} s");
    // Per kind (rejected lines, dropped events): 3 lines, then one summary, per 10 s;
    // plus "connected".
    let allowed = 1 + 2 * 4 * (seconds / 10.0).ceil().max(1.0) as u64;
    assert!(
        lines <= allowed,
        "{lines} log lines in {seconds:.1} s (at most {allowed}):\n{text}"
    );
    assert!(text.contains("scan rejected"), "{text}");
    assert!(text.contains("device event dropped"), "{text}");
}
