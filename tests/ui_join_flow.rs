//! The whole join flow, headless: tap Join, type the number, tick consent, Join; the welcome
//! screen shows the bonus only after the member, consents and outbox event are committed.
//! The same number again is not duplicated and shows nothing of the member.
mod common;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::Config;
use member_kiosk::domain::language::Language;
use member_kiosk::domain::phone::E164;
use member_kiosk::domain::privacy_notice::PrivacyNotice;
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
        assert!(h.is_shown("JoinActions::join-button"), "join screen opens");
        assert!(
            !h.checked("JoinActions::privacy-consent"),
            "consent starts unticked"
        );
        assert!(
            !h.checked("JoinActions::marketing-opt-in"),
            "marketing starts unticked"
        );
        assert!(!h.enabled("JoinActions::join-button"));
        h.tap_digits("9123456");
        h.assert_text("Keep typing your mobile number");
        h.tap_digits("7");
        h.assert_text("9123 4567");
        h.assert_text("Number OK");
        assert!(
            !h.enabled("JoinActions::join-button"),
            "no join without consent"
        );
        h.tap("JoinActions::privacy-consent");
        assert!(
            h.enabled("JoinActions::join-button"),
            "active the moment both are valid"
        );
        h.tap("JoinActions::join-button");

        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::done-button")
        })
        .await;
        h.assert_text("Welcome, you are now a member!");

        h.assert_text("+100 points sign-up bonus");
        h.assert_text("Your points: 100");
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
        // With the version, the hash of the exact text shown (the built-in notice, English).
        let shown = PrivacyNotice::new("2026-01", None, &"Member Kiosk".into());
        let hash = shown.sha256(Language::English);
        assert!(
            consents
                .iter()
                .all(|c| c.consent.notice_sha256.as_deref() == Some(hash.as_str())),
            "{consents:?}"
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
        assert!(!h.checked("JoinActions::privacy-consent"));
        assert!(!h.text_shown("9123 4567"));

        // The same number again: never duplicated, no second bonus, and nothing of the
        // member is shown to whoever typed it.
        h.tap_digits("91234567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the neutral answer", || {
            h.is_shown("AlreadyMemberPage::already")
        })
        .await;
        assert!(!h.text_shown("****4567"));
        assert_eq!(db.member_count().unwrap(), 1);
        assert_eq!(db.outbox_depth().unwrap(), 1);
    });
}
