//! Staff mode, headless: five quick taps on the attract screen's hidden corner ask for the
//! PIN, wrong PINs are counted and then locked out, the right one shows the sync state that
//! the real sync loop publishes (here against the test CRM), and a sign-up made at the
//! counter is pushed to the CRM straight away.
mod common;

use common::crm::{TestCrm, kiosk_config};
use common::{Harness, advance, run_on_event_loop, wait_until};
use member_kiosk::config::{Config, StaffConfig};
use member_kiosk::ui::navigator::Page;
use member_kiosk::ui::{StaffAdapter, SyncLink};
use slint::ComponentHandle;

#[test]
fn staff_mode_behind_a_pin_shows_the_sync_state() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let config = Config {
        crm: Some(kiosk_config(&crm.url())),
        staff: Some(StaffConfig {
            pin: "2468".into(),
            max_attempts: 3,
            lockout_secs: 60,
        }),
        ..Config::default()
    };
    let h = Harness::start(config);
    run_on_event_loop(async move {
        let screen = || h.kiosk.ui.page();
        let staff = || h.app().global::<StaffAdapter>();

        // Four taps are not enough; nothing on the attract screen gives the corner away.
        for _ in 0..4 {
            h.tap("AttractPage::staff-corner");
        }
        assert_eq!(screen(), Page::Attract);
        h.tap("AttractPage::staff-corner");
        assert_eq!(screen(), Page::StaffPin);

        // A wrong PIN says how many tries are left.
        h.tap_digits("1111");
        assert_eq!(screen(), Page::StaffPin);
        h.assert_text("0 digits entered");
        h.assert_text("Wrong PIN. 2 tries left.");

        // The right one opens staff mode, which shows what the sync loop reports.
        h.tap_digits("2468");
        assert_eq!(screen(), Page::Staff);
        wait_until("the first sync round", || {
            staff().get_link() == SyncLink::Online
        })
        .await;
        h.assert_text("CRM connection: Online");
        h.assert_text("Events waiting to be sent: 0");
        h.assert_text("Events the CRM rejected: 0");
        assert!(!staff().get_last_sync().is_empty());
        h.tap("StaffPage::exit-button");
        assert_eq!(screen(), Page::Attract);

        // A sign-up at the counter reaches the CRM without waiting for the next pull.
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        wait_until("the sign-up at the CRM", || crm.state().events.len() == 1).await;
        wait_until("the queue to empty", || staff().get_queue_depth() == 0).await;

        // Three wrong PINs lock staff mode; even the right PIN waits out the lock.
        h.tap("WelcomePage::done-button");
        for _ in 0..5 {
            h.tap("AttractPage::staff-corner");
        }
        assert_eq!(screen(), Page::StaffPin);
        for _ in 0..3 {
            h.tap_digits("0000");
        }
        h.assert_text("Too many wrong PINs. Try again in 60 s.");
        h.tap_digits("2468");
        assert_eq!(screen(), Page::StaffPin, "locked");

        // Left alone, staff screens return to the attract screen like any other.
        advance(std::time::Duration::from_secs(31));
        assert_eq!(screen(), Page::Attract);
    });
}
