//! `member-kiosk doctor` against a pty scanner and a simulated PN532: it prints the PN532
//! firmware, reports the scan and the card, and fails clearly for a device that is absent.
mod common;

use std::io::Write;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use common::pn532_sim::Pn532Sim;
use common::pty::plug_in;
use member_kiosk::config::{Config, NfcConfig, ScannerConfig};
use member_kiosk::devices::doctor;

/// Collects the report and tells the test about each line as it is written.
struct Report(Vec<u8>, Sender<String>);

impl Write for Report {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        let _ = self.1.send(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn doctor_checks_the_wiring() {
    let dir = tempfile::tempdir().unwrap();
    let scanner_link = dir.path().join("scanner");
    let nfc_link = dir.path().join("pn532");
    let mut scanner = plug_in(&scanner_link);
    let nfc = plug_in(&nfc_link);
    let sim = Pn532Sim::start(nfc.master.try_clone_native().unwrap());
    sim.set(|b| b.card = Some(vec![0x04, 0xA1, 0xB2, 0xC3]));

    let config = Config {
        scanner: Some(ScannerConfig {
            path: Some(scanner_link),
            ..ScannerConfig::default()
        }),
        nfc: Some(NfcConfig {
            path: Some(nfc_link),
            ..NfcConfig::default()
        }),
        ..Config::default()
    };
    let (lines_tx, lines) = channel();
    let doctor = std::thread::spawn(move || {
        let mut report = Report(Vec::new(), lines_tx);
        let ok = doctor::run(&config, Duration::from_secs(10), &mut report).unwrap();
        (ok, String::from_utf8(report.0).unwrap())
    });
    // Scan once the doctor asks for it.
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .expect("doctor reports");
        if line.contains("scan a code") {
            break;
        }
    }
    scanner.master.write_all(b"]Q1HELLO\r\n").unwrap();
    let (ok, report) = doctor.join().unwrap();
    assert!(ok, "{report}");
    assert!(report.contains("Serial ports:"), "{report}");
    assert!(
        report.contains("Scanner: OK, read \"HELLO\" (symbology Q1)"),
        "{report}"
    );
    assert!(report.contains("PN532 firmware 1.6"), "{report}");
    assert!(report.contains("NFC reader: OK, card 04A1B2C3"), "{report}");

    // A reader that is not there fails with its path named.
    let absent = Config {
        nfc: Some(NfcConfig {
            path: Some(dir.path().join("nothing")),
            ..NfcConfig::default()
        }),
        ..Config::default()
    };
    let mut out = Vec::new();
    assert!(!doctor::run(&absent, Duration::from_secs(1), &mut out).unwrap());
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("NFC reader: FAILED at") && out.contains("nothing"),
        "{out}"
    );
}
