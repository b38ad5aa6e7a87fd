//! Staff sign-in and staff home, headless. Who must be stopped: a customer who finds the
//! hidden corner (four taps show nothing; the PIN is per person, at least six digits, and
//! wrong PINs lock sign-in for a minute, whoever's name is picked), and a staff member who
//! walks away (the session ends after its idle time and the next opening asks again). Who
//! must get through: staff with their own PIN, to the sync and device state that the real
//! sync loop publishes (here against the test CRM) and today's figures.
mod common;

use std::time::Duration;

use common::crm::{TestCrm, kiosk_config};
use common::{Harness, advance, open_staff_sign_in, run_on_event_loop, staff, wait_until};
use member_kiosk::config::Config;
use member_kiosk::ui::navigator::Page;
use member_kiosk::ui::{StaffAdapter, SyncLink};
use slint::ComponentHandle;

#[test]
fn staff_sign_in_per_person_and_staff_home() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let config = Config {
        crm: Some(kiosk_config(&crm.url())),
        staff: Some(staff(&[("amy", "Amy", "246813"), ("ben", "Ben", "975310")])),
        ..Config::default()
    };
    let h = Harness::start(config);
    run_on_event_loop(async move {
        let screen = || h.kiosk.ui.page();
        let staff = || h.app().global::<StaffAdapter>();
        let sign_in = |pin: &str| {
            h.tap_digits(pin);
            h.tap("PinOk::ok-button");
        };

        // Four taps are not enough; nothing on the attract screen gives the corner away.
        for _ in 0..4 {
            h.tap("AttractPage::staff-corner");
        }
        assert_eq!(screen(), Page::Attract);
        h.tap("AttractPage::staff-corner");
        assert_eq!(screen(), Page::StaffPin);
        h.assert_text("Who are you?");

        // Ben picks his name; OK stays off until six digits are typed.
        h.tap_text_button("Ben");
        h.assert_text("Ben, enter your PIN");
        h.tap_digits("97531");
        assert!(!h.enabled("PinOk::ok-button"), "five digits are not a PIN");
        // Amy's PIN is not Ben's.
        h.tap("Keypad::clear-key");
        sign_in("246813");
        wait_until("the PIN check", || !staff().get_checking()).await;
        h.assert_text("Wrong PIN. 2 tries left.");
        h.assert_text("0 digits entered");
        assert_eq!(screen(), Page::StaffPin);

        // His own opens staff home, which shows what the sync loop reports.
        sign_in("975310");
        wait_until("staff home", || screen() == Page::Staff).await;
        h.assert_text("Staff mode: Ben");
        wait_until("the first sync round", || {
            staff().get_link() == SyncLink::Online
        })
        .await;
        h.assert_text("CRM connection: Online");
        h.assert_text("Events waiting to be sent: 0");
        h.assert_text("Events the CRM rejected: 0");
        h.assert_text("Sign-ups today: 0");
        assert!(!staff().get_last_sync().is_empty());
        assert!(
            !staff().get_has_backlight(),
            "no backlight here: no brightness control"
        );
        assert!(!h.is_shown("Brightness::brighter"));
        h.tap("DoneButton::exit-button");
        assert_eq!(screen(), Page::Attract);

        // A sign-up at the counter reaches the CRM without waiting, and today's figures
        // count it.
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        wait_until("the sign-up at the CRM", || crm.state().events.len() == 1).await;
        h.tap("WelcomePage::done-button");
        open_staff_sign_in(&h);
        h.tap_text_button("Amy");
        sign_in("246813");
        wait_until("staff home", || screen() == Page::Staff).await;
        wait_until("today's figures", || staff().get_today_signups() == 1).await;
        wait_until("the queue to empty", || staff().get_queue_depth() == 0).await;

        // Left alone for the session's minute, staff mode closes; the next opening asks for
        // a PIN again.
        advance(Duration::from_secs(59));
        assert_eq!(screen(), Page::Staff);
        advance(Duration::from_secs(2));
        assert_eq!(screen(), Page::Attract);
        open_staff_sign_in(&h);
        assert_eq!(screen(), Page::StaffPin);
        assert_eq!(staff().get_picked(), -1, "nobody is still signed in");

        // Three wrong PINs lock sign-in for a minute, whoever's name is picked next; not even
        // the right PIN can be tried until it runs out.
        h.tap_text_button("Amy");
        for _ in 0..3 {
            sign_in("000000");
            wait_until("the PIN check", || !staff().get_checking()).await;
        }
        h.assert_text("Too many wrong PINs. Try again in 60 s.");
        h.tap("PageHeader::back-button");
        open_staff_sign_in(&h);
        h.tap_text_button("Ben");
        wait_until("the lock shown", || {
            h.text_shown("Too many wrong PINs. Try again in 60 s.")
        })
        .await;
        h.tap_digits("975310");
        assert!(!h.enabled("PinOk::ok-button"), "locked");
        // When the lock runs out, OK works again (here on the mock clock: the page's own
        // idle timeout is longer than what is left of the lock).
        open_staff_sign_in_locked_for(&h, Duration::from_secs(20));
        wait_until("the lock shown", || {
            h.text_shown("Too many wrong PINs. Try again in 20 s.")
        })
        .await;
        h.tap_digits("975310");
        assert!(!h.enabled("PinOk::ok-button"));
        advance(Duration::from_secs(21));
        assert!(h.enabled("PinOk::ok-button"), "the lock is over");
        assert!(!h.text_shown("Too many wrong PINs. Try again in 20 s."));

        // The audit trail has every sign-in, wrong PIN, lock and end.
        let actions: Vec<(Option<String>, String)> = h
            .inspect()
            .staff_audit_trail()
            .unwrap()
            .into_iter()
            .map(|(_, who, action)| (who, action))
            .collect();
        let who = |s: &str| Some(s.to_owned());
        assert_eq!(
            actions,
            [
                (who("ben"), "wrong_pin".to_owned()),
                (who("ben"), "signed_in".into()),
                (who("ben"), "signed_out".into()),
                (who("amy"), "signed_in".into()),
                (who("amy"), "signed_out".into()),
                (who("amy"), "wrong_pin".into()),
                (who("amy"), "wrong_pin".into()),
                (who("amy"), "locked".into()),
            ]
        );
    });
}

/// Reopens sign-in with the stored lock moved so that `left` of it remains.
fn open_staff_sign_in_locked_for(h: &Harness, left: Duration) {
    let until = time::OffsetDateTime::now_utc().unix_timestamp() * 1000
        + i64::try_from(left.as_millis()).unwrap();
    h.inspect()
        .connection()
        .execute("UPDATE staff_lockout SET locked_until_ms = ?1", [until])
        .unwrap();
    h.tap("PageHeader::back-button");
    open_staff_sign_in(h);
    h.tap_text_button("Ben");
}
