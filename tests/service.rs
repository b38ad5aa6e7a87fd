//! The kiosk binary as systemd runs it, in a real window under Xvfb: it announces READY once
//! its first frame is up, pings the watchdog from its event loop, and on SIGTERM says
//! STOPPING and exits cleanly with its database intact.
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a free display and returns it with the display name.
fn xvfb() -> (KillOnDrop, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "800x480x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed by scripts/setup.sh");
    let stdout = child.stdout.take().expect("Xvfb stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("Xvfb prints its display");
    (KillOnDrop(child), format!(":{}", line.trim()))
}

fn next_message(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).expect("a notification within 20 s");
    String::from_utf8_lossy(&buf[..n]).trim_end().to_owned()
}

#[test]
fn ready_watchdog_and_graceful_sigterm() {
    let (_xvfb, display) = xvfb();
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let data_dir = dir.path().join("data");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        "[kiosk]\nfullscreen = true\ndisplay = \"window\"\n",
    )
    .unwrap();
    let log = dir.path().join("kiosk.log");

    let kiosk = Command::new(env!("CARGO_BIN_EXE_member-kiosk"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data_dir)
        .env("DISPLAY", &display)
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "300000")
        .env("RUST_LOG", "info")
        .env_remove("STATE_DIRECTORY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut kiosk = KillOnDrop(kiosk);

    assert_eq!(next_message(&socket), "READY=1");
    // Watchdog pings keep coming from the event loop (interval 300 ms, pinged every 150 ms).
    for _ in 0..3 {
        assert_eq!(next_message(&socket), "WATCHDOG=1");
    }

    let status = Command::new("kill")
        .args(["-TERM", &kiosk.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopping = std::iter::repeat_with(|| next_message(&socket))
        .find(|m| m != "WATCHDOG=1")
        .unwrap();
    assert_eq!(stopping, "STOPPING=1");

    let (tx, rx) = channel();
    let mut child = std::mem::replace(&mut kiosk.0, Command::new("true").spawn().unwrap());
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let exit = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("exits within 20 s")
        .unwrap();
    assert!(exit.success(), "clean exit, got {exit:?}");

    // With no window manager, fullscreen alone left an 800×600 window on the 800×480
    // screen; the window is sized to the screen.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("window sized to the screen width=800 height=480"),
        "{log}"
    );

    // A clean stop is marked, so the next start skips the full database check.
    let database = data_dir.join("kiosk.db");
    assert!(member_kiosk::store::quarantine::clean_mark(&database).exists());
    let store = member_kiosk::store::Store::open(&database).expect("database intact");
    assert_eq!(store.member_count().unwrap(), 0);
}
