//! What a customer sees when the number or consent is wrong, when the disk is full, and when
//! switching language: clear messages, no sign-up, and the kiosk carries on.
mod common;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::Config;

#[test]
fn invalid_input_missing_consent_full_disk_and_languages() {
    let h = Harness::start(Config::default());
    run_on_event_loop(async move {
        h.tap("AttractPage::join-button");
        h.assert_text("Enter your mobile number");

        // A Hong Kong landline is refused even with consent.
        h.tap("JoinActions::privacy-consent");
        h.tap_digits("21234567");
        h.assert_text("Please enter a mobile number, not a landline or service number");
        assert!(!h.enabled("JoinActions::join-button"));

        // One digit too many.
        h.tap("Keypad::clear-key");
        h.tap_digits("912345678");
        h.assert_text("Too many digits for a number in this region");
        assert!(!h.enabled("JoinActions::join-button"));

        // A full-length number no carrier issues.
        h.tap("Keypad::clear-key");
        h.tap_digits("40000000");
        h.assert_text("This is not a valid mobile number for this region");

        // Letters from a keyboard (or a keyboard-wedge scanner) are refused, digits kept.
        h.tap("Keypad::clear-key");
        h.type_on_keyboard("9123");
        h.type_on_keyboard("x");
        h.assert_text("Only digits can be entered");
        h.assert_text("9123");
        h.tap("Keypad::backspace-key");
        h.assert_text("912");

        // Another region: Taiwan's numbers are typed with their trunk 0.
        h.tap("Keypad::clear-key");
        h.tap("NumberEntry::region-button");
        h.assert_text("Where is your mobile number from?");
        let taiwan = i_slint_backend_testing::ElementHandle::find_by_accessible_label(
            h.app(),
            "Taiwan  +886",
        )
        .next()
        .expect("Taiwan offered");
        taiwan.mock_single_click(slint::platform::PointerEventButton::Left);
        assert!(!h.text_shown("Where is your mobile number from?"));
        h.tap_digits("0912345678");
        h.assert_text("Number OK");

        // Valid number but no consent: the Join button does nothing.
        h.tap("JoinActions::privacy-consent");
        assert!(!h.checked("JoinActions::privacy-consent"));
        assert!(!h.enabled("JoinActions::join-button"));
        h.assert_text("Tick the privacy notice box to join.");
        h.tap("JoinActions::join-button");
        assert!(
            h.is_shown("JoinActions::join-button"),
            "still on the join screen"
        );
        let db = h.inspect();
        assert_eq!(db.member_count().unwrap(), 0);

        // The disk fills up: a clear message, nothing half-written, the number kept.
        let filled = h
            .kiosk
            .store
            .call(|s| Ok(common::fill_to_the_brim(s)))
            .unwrap();
        assert!(filled > 0);
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the save error", || {
            h.text_shown(
                "Sorry, your sign-up could not be saved. Please try again or ask our staff for help.",
            )
        })
        .await;
        h.assert_text(
            "Sorry, your sign-up could not be saved. Please try again or ask our staff for help.",
        );
        assert_eq!(db.member_count().unwrap(), filled);
        assert_eq!(db.outbox_depth().unwrap(), filled);
        assert!(
            h.is_shown("JoinActions::join-button"),
            "still on the join screen"
        );
        assert!(
            h.enabled("JoinActions::join-button"),
            "the customer can try again"
        );

        // Space is freed: the retry succeeds.
        h.kiosk
            .store
            .call(|s| {
                common::free_space(s);
                Ok(())
            })
            .unwrap();
        h.tap("JoinActions::join-button");
        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::done-button")
        })
        .await;
        assert_eq!(db.member_count().unwrap(), filled + 1);
        assert_eq!(db.outbox_depth().unwrap(), filled + 1);

        // Languages switch on every screen.
        h.tap("WelcomePage::done-button");
        h.tap("LanguageBar::zh-hant");
        h.assert_text("加入會員");
        h.assert_text("我的積分");
        h.tap("LanguageBar::zh-hans");
        h.assert_text("加入会员");
        h.tap("AttractPage::join-button");
        h.assert_text("请输入手机号码");
        h.tap("LanguageBar::en");
        h.assert_text("Enter your mobile number");
    });
}
