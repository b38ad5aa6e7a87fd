//! A real full disk, not a database quota: the kiosk's data directory is a 4 MiB tmpfs that
//! a filler file fills to the last byte. A sign-up then fails with the on-screen message and
//! nothing half-written, member lookups still work, the retry succeeds once space is freed,
//! and a kiosk started on a full disk comes up (lookups work, sign-ups get the message).
//!
//! Mounting needs root; as another user the test runs itself again under `unshare -rm` (a
//! user and mount namespace of its own).
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::app::Kiosk;
use member_kiosk::config::Config;
use member_kiosk::devices::DeviceEvent;
use member_kiosk::domain::phone::{E164, PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::JoinRequest;

const TEST: &str = "a_full_disk_refuses_sign_ups_clearly_and_recovers";
const SAVE_FAILED: &str =
    "Sorry, your sign-up could not be saved. Please try again or ask our staff for help.";

struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes a filler file until the file system says it is full.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 16 * 1024];
    loop {
        if file
            .write_all(&chunk)
            .and_then(|()| file.sync_all())
            .is_err()
        {
            break;
        }
    }
    // The last bytes, one at a time.
    while file.write_all(&[0]).and_then(|()| file.sync_all()).is_ok() {}
    path
}

#[test]
fn a_full_disk_refuses_sign_ups_clearly_and_recovers() {
    if !nix::unistd::geteuid().is_root() {
        let status = Command::new("unshare")
            .args(["-rm"])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture"])
            .status()
            .expect("unshare (util-linux) runs");
        assert!(status.success(), "the test failed in its own namespace");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&data)
        .status()
        .expect("mount runs");
    assert!(mounted.success(), "cannot mount a tmpfs");
    let _mounted = Mounted(data.clone());

    let mut config = Config::default();
    config.simulator.enabled = Some(false);
    let h = Harness::start_at(config.clone(), dir, &data);
    run_on_event_loop(async move {
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        h.tap("WelcomePage::done-button");
        let db = h.inspect();
        let alice = db
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("stored");
        let events = db.outbox_depth().unwrap();

        // The disk fills up.
        let filler = fill(&data);
        h.tap("AttractPage::join-button");
        h.tap_digits("61234567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the save error", || h.text_shown(SAVE_FAILED)).await;
        assert_eq!(db.member_count().unwrap(), 1, "nothing half-written");
        assert_eq!(db.outbox_depth().unwrap(), events);
        assert!(
            h.enabled("JoinActions::join-button"),
            "the customer can retry"
        );

        // A member can still see their points.
        h.tap("PageHeader::back-button");
        let code = h.member_code(&alice.id);
        h.kiosk.ui.device_event(DeviceEvent::Scan {
            text: code,
            symbology: None,
        });
        wait_until("the balance", || h.is_shown("Headline::hello")).await;
        h.tap("BalancePage::done-button");

        // Space is freed: the same sign-up goes through.
        std::fs::remove_file(&filler).unwrap();
        h.tap("AttractPage::join-button");
        h.sign_up("61234567").await;
        assert_eq!(db.member_count().unwrap(), 2);
        h.tap("WelcomePage::done-button");

        // A kiosk started on a full disk comes up, looks members up, refuses sign-ups.
        let filler = fill(&data);
        let second = Kiosk::build(&config, &data).expect("starts on a full disk");
        let found = second
            .store
            .call(move |s| s.member_by_id(&alice.id))
            .unwrap();
        assert!(found.is_some(), "lookups work");
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, "51234567") else {
            panic!("valid number");
        };
        let request = JoinRequest::new(phone, true, false, "2026-01", 100).unwrap();
        let refused = second.store.call(move |s| s.join(&request)).unwrap_err();
        assert!(refused.is_disk_full(), "{refused}");
        second.shutdown();
        std::fs::remove_file(&filler).unwrap();
    });
}
