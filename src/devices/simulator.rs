//! Simulated scanner and NFC reader for development and demos: a Unix socket in the data
//! directory accepts lines `scan <text>` and `tap <uid hex>` (sent by
//! `member-kiosk simulate ...`) and delivers the same events the real drivers would.
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{DeviceEvent, DeviceKind, DeviceState, EventSink};

/// File name of the control socket inside the data directory.
pub const SOCKET_NAME: &str = "devices.sock";
const MAX_LINE: usize = 4096;

/// What a control line asks for, or why it is refused.
pub fn parse_command(line: &str) -> Result<Vec<DeviceEvent>, String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
    match verb {
        "scan" if !arg.is_empty() => Ok(vec![DeviceEvent::Scan {
            text: arg.to_owned(),
            symbology: Some("Q1".into()),
        }]),
        "tap"
            if !arg.is_empty() && arg.len() <= 20 && arg.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            let uid = arg.to_ascii_uppercase();
            Ok(vec![
                DeviceEvent::CardTap { uid: uid.clone() },
                DeviceEvent::CardRemoved { uid },
            ])
        }
        "scan" | "tap" => Err(format!("{verb} needs an argument (tap takes a hex UID)")),
        _ => Err("unknown command; use `scan <text>` or `tap <uid hex>`".into()),
    }
}

/// Listens on `socket` until `stop` receives a message or is dropped.
pub fn spawn(
    socket: &Path,
    sink: EventSink,
    stop: Receiver<()>,
) -> std::io::Result<JoinHandle<()>> {
    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket)?;
    listener.set_nonblocking(true)?;
    let shown = socket.display().to_string();
    std::thread::Builder::new().name("simulator".into()).spawn(move || {
        tracing::info!(socket = %shown, "simulated scanner and NFC reader: try `member-kiosk simulate scan HELLO`");
        for device in [DeviceKind::Scanner, DeviceKind::Nfc] {
            sink(DeviceEvent::State { device, state: DeviceState::Simulated });
        }
        loop {
            match listener.accept() {
                Ok((stream, _)) => serve(stream, &sink),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => tracing::warn!("simulator socket: {e}"),
            }
            if !matches!(stop.recv_timeout(Duration::from_millis(100)), Err(RecvTimeoutError::Timeout)) {
                return;
            }
        }
    })
}

fn serve(stream: UnixStream, sink: &EventSink) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream).take(MAX_LINE as u64 * 16);
    let mut line = String::new();
    while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
        let reply = match parse_command(&line) {
            Ok(events) => {
                events.into_iter().for_each(|e| sink(e));
                "ok\n".to_owned()
            }
            Err(e) => format!("error: {e}\n"),
        };
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
        line.clear();
    }
}

/// Sends one command to a running kiosk's simulator and returns its answer.
pub fn send(socket: &Path, command: &str) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{}\n", command.replace('\n', " ")).as_bytes())?;
    let mut reply = String::new();
    BufReader::new(stream).read_line(&mut reply)?;
    Ok(reply.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert!(
            matches!(parse_command("scan HELLO WORLD\n").unwrap()[0], DeviceEvent::Scan { ref text, .. } if text == "HELLO WORLD")
        );
        assert_eq!(
            parse_command("tap 04a1b2c3").unwrap()[0],
            DeviceEvent::CardTap {
                uid: "04A1B2C3".into()
            }
        );
        assert!(parse_command("tap zz").is_err());
        assert!(parse_command("scan").is_err());
        assert!(parse_command("reboot").is_err());
    }
}
