//! The shipped systemd unit: systemd itself rates its sandboxing (exposure 2.0 or lower is
//! the product's bar), and it keeps the settings the kiosk relies on.
use std::process::Command;

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/member-kiosk.service");

#[test]
fn systemd_rates_the_sandbox_at_2_or_better() {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager", UNIT])
        .output()
        .expect("systemd-analyze is installed by scripts/setup.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    let overall = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no overall rating in:\n{text}"));
    let score: f64 = overall
        .split(':')
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the score in {overall:?}"));
    assert!(score <= 2.0, "exposure {score} is above 2.0: {overall}");
}

#[test]
fn the_unit_keeps_what_the_kiosk_relies_on() {
    let unit = std::fs::read_to_string(UNIT).unwrap();
    for line in [
        "Type=notify",
        "WatchdogSec=30",
        "Restart=always",
        "StateDirectory=member-kiosk",
        "ConfigurationDirectory=member-kiosk",
        "ConfigurationDirectoryMode=0750",
        "MemoryMax=256M",
        "TasksMax=64",
        "User=member-kiosk",
        "DeviceAllow=char-ttyACM rw",
        "DeviceAllow=char-input rw",
        "DeviceAllow=char-drm rw",
        // The console lock (src/display/console.rs) needs tty1 as the controlling terminal.
        "TTYPath=/dev/tty1",
        "StandardInput=tty-force",
        "DeviceAllow=/dev/tty1 rw",
        "Conflicts=getty@tty1.service",
        // Staff mode's brightness control writes the backlight in sysfs.
        "ReadWritePaths=-/sys/devices",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line}");
    }
}
