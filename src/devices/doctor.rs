//! `member-kiosk doctor`: lets an installer check the wiring. Lists serial ports, opens the
//! configured scanner and NFC reader with the kiosk's own drivers, prints the PN532 firmware,
//! and waits for one scan and one card tap.
use std::io::{self, Write};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use super::nfc::pn532::{Pn532, Pn532Error};
use super::nfc::reader::uid_hex;
use super::nfc::transport::Uart;
use super::scanner::serial::{self, SerialScannerSettings};
use super::{DeviceEvent, channel_sink};
use crate::config::{Config, NfcTransport};

/// Writes the report to `out`; true if every configured device answered.
pub fn run(config: &Config, wait: Duration, out: &mut dyn Write) -> io::Result<bool> {
    writeln!(out, "Serial ports:")?;
    match serialport::available_ports() {
        Ok(ports) if ports.is_empty() => writeln!(out, "  (none found)")?,
        Ok(ports) => {
            for p in ports {
                match p.port_type {
                    serialport::SerialPortType::UsbPort(u) => writeln!(
                        out,
                        "  {}  USB {:04x}:{:04x} {} {}",
                        p.port_name,
                        u.vid,
                        u.pid,
                        u.manufacturer.unwrap_or_default(),
                        u.product.unwrap_or_default()
                    )?,
                    other => writeln!(out, "  {}  {other:?}", p.port_name)?,
                }
            }
        }
        Err(e) => writeln!(out, "  cannot list ports: {e}")?,
    }
    let scanner_ok = check_scanner(config, wait, out)?;
    let nfc_ok = check_nfc(config, wait, out)?;
    Ok(scanner_ok && nfc_ok)
}

fn check_scanner(config: &Config, wait: Duration, out: &mut dyn Write) -> io::Result<bool> {
    let Some(s) = &config.scanner else {
        writeln!(out, "Scanner: not configured")?;
        return Ok(true);
    };
    let port = match s.port() {
        Ok(Some(p)) => serial::resolve(&p).map(|path| (p, path)),
        Ok(None) => {
            writeln!(
                out,
                "Scanner: keyboard-wedge scanners are checked by running the kiosk"
            )?;
            return Ok(true);
        }
        Err(e) => Err(e),
    };
    let port = match port {
        Ok(found) => found,
        Err(e) => {
            writeln!(out, "Scanner: FAILED: {e}")?;
            return Ok(false);
        }
    };
    let (sink, events) = channel_sink();
    let (stop, stop_rx) = channel();
    let settings = SerialScannerSettings {
        port: port.0,
        baud: s.baud,
        suffix: s.suffix,
        max_length: s.max_length,
        debounce: Duration::from_millis(s.debounce_ms),
    };
    let thread = serial::spawn(settings, sink, stop_rx)?;
    let deadline = Instant::now() + wait;
    let mut ok = false;
    while let Ok(event) = events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        match event {
            DeviceEvent::State { state, .. } => {
                writeln!(
                    out,
                    "Scanner: {} is {state:?}; scan a code within {}s…",
                    port.1.display(),
                    wait.as_secs()
                )?;
                out.flush()?;
            }
            DeviceEvent::Scan { text, symbology } => {
                writeln!(
                    out,
                    "Scanner: OK, read {text:?} (symbology {})",
                    symbology.as_deref().unwrap_or("not sent")
                )?;
                ok = true;
                break;
            }
            DeviceEvent::ScanRejected { reason } => {
                writeln!(out, "Scanner: a line was rejected: {reason}")?
            }
            _ => {}
        }
    }
    if !ok {
        writeln!(out, "Scanner: FAILED: no scan within {}s", wait.as_secs())?;
    }
    drop(stop);
    let _ = thread.join();
    Ok(ok)
}

fn check_nfc(config: &Config, wait: Duration, out: &mut dyn Write) -> io::Result<bool> {
    let Some(n) = &config.nfc else {
        writeln!(out, "NFC reader: not configured")?;
        return Ok(true);
    };
    let (NfcTransport::Uart, Some(path)) = (n.transport, &n.path) else {
        writeln!(
            out,
            "NFC reader: doctor checks UART readers only; {:?} is checked by running the kiosk",
            n.transport
        )?;
        return Ok(true);
    };
    let result = Uart::open(path, n.baud)
        .map_err(Pn532Error::from)
        .and_then(Pn532::start);
    let (mut pn, fw) = match result {
        Ok(found) => found,
        Err(e) => {
            writeln!(out, "NFC reader: FAILED at {}: {e}", path.display())?;
            return Ok(false);
        }
    };
    writeln!(
        out,
        "NFC reader: {} answers: {fw}; tap a card within {}s…",
        path.display(),
        wait.as_secs()
    )?;
    out.flush()?;
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match pn.list_passive_target() {
            Ok(Some(uid)) => {
                writeln!(out, "NFC reader: OK, card {}", uid_hex(&uid))?;
                return Ok(true);
            }
            Ok(None) => {}
            Err(e) => writeln!(out, "NFC reader: poll failed: {e}")?,
        }
    }
    writeln!(
        out,
        "NFC reader: FAILED: no card within {}s",
        wait.as_secs()
    )?;
    Ok(false)
}
