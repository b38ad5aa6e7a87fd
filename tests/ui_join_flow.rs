//! The whole join flow, headless: tap Join, type the number, tick consent, Join; the welcome
//! screen shows the bonus only after the member, consents and outbox event are committed.
//! The same number again is welcomed back and not duplicated.
mod common;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::Config;
use member_kiosk::domain::phone::E164;
use member_kiosk::domain::signup::ConsentKind;

#[test]
fn join_by_phone_then_come_back() {
    let h = Harness::start(Config::default());
    run_on_event_loop(async move {
        // Attract screen.
        assert!(h.is_shown("AttractPage::join-button"));
        h.assert_text("My points");

        // Digits, consent, Join: nothing else is needed.
        h.tap("AttractPage::join-button");
        assert!(h.is_shown("JoinPage::join-button"), "join screen opens");
        assert!(
            !h.checked("JoinPage::privacy-consent"),
            "consent starts unticked"
        );
        assert!(
            !h.checked("JoinPage::marketing-opt-in"),
            "marketing starts unticked"
        );
        assert!(!h.enabled("JoinPage::join-button"));
        h.tap_digits("9123456");
        h.assert_text("Keep typing your mobile number");
        h.tap_digits("7");
        h.assert_text("9123 4567");
        h.assert_text("Number OK");
        assert!(
            !h.enabled("JoinPage::join-button"),
            "no join without consent"
        );
        h.tap("JoinPage::privacy-consent");
        assert!(
            h.enabled("JoinPage::join-button"),
            "active the moment both are valid"
        );
        h.tap("JoinPage::join-button");

        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::done-button")
        })
        .await;
        h.assert_text("Welcome, you are now a member!");
        h.assert_text("+100 points sign-up bonus");
        h.assert_text("Your balance: 100 points");
        h.assert_text("****4567");

        // Committed before the welcome showed: member, both consents, one outbox event.
        let db = h.inspect();
        let phone = E164::from_stored("+85291234567".into());
        let member = db.member_by_phone(&phone).unwrap().expect("member stored");
        let consents = db.consents(&member.id).unwrap();
        assert_eq!(consents.len(), 2);
        assert!(
            consents
                .iter()
                .any(|c| c.consent.kind == ConsentKind::PrivacyNotice
                    && c.consent.granted
                    && c.consent.notice_version == "2026-01")
        );
        assert!(
            consents
                .iter()
                .any(|c| c.consent.kind == ConsentKind::Marketing && !c.consent.granted)
        );
        let events = db.outbox_peek(10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "member_joined");
        assert_eq!(db.balance(&member.id).unwrap(), 100);

        // Timing telemetry: one row, no personal data in the table.
        wait_until("the timing row", || {
            db.signup_timings("2000-01-01T00:00:00Z", "3000-01-01T00:00:00Z")
                .map(|t| t.len() == 1)
                .unwrap_or(false)
        })
        .await;

        // Back to attract; the form is blank for the next customer.
        h.tap("WelcomePage::done-button");
        assert!(h.is_shown("AttractPage::join-button"));
        h.tap("AttractPage::join-button");
        assert!(!h.checked("JoinPage::privacy-consent"));
        assert!(!h.text_shown("9123 4567"));

        // The same number again: welcomed back, never duplicated, no second bonus.
        h.sign_up("91234567").await;
        h.assert_text("Welcome back!");
        h.assert_text("Your balance: 100 points");
        assert!(!h.text_shown("+100 points sign-up bonus"));
        assert_eq!(db.member_count().unwrap(), 1);
        assert_eq!(db.outbox_depth().unwrap(), 1);
    });
}
