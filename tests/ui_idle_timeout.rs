//! Every screen returns to the attract screen after the configured idle time, any touch
//! restarts the countdown, a half-filled form asks "Are you still there?" before it clears,
//! screens with member data clear within 15 s whatever the shop's timeout, and the next
//! customer gets a blank form in the shop's language.
mod common;

use std::time::Duration;

use common::{Harness, advance, run_on_event_loop};
use member_kiosk::config::Config;
use member_kiosk::domain::language::Language;

#[test]
fn every_screen_times_out_to_attract() {
    let mut config = Config::default();
    config.kiosk.idle_timeout_secs = 20;
    config.kiosk.language = Language::SimplifiedChinese;
    let h = Harness::start(config);
    run_on_event_loop(async move {
        h.assert_text("加入会员");

        // Join screen: a half-typed number, consent ticked, language changed.
        h.tap("AttractPage::join-button");
        h.tap("LanguageBar::en");
        h.tap_digits("9123");
        h.tap("JoinActions::privacy-consent");
        // 20 s in all: 10 s quiet, then 10 s of "Are you still there?".
        advance(Duration::from_secs(9));
        assert!(!h.is_shown("StillThere::still-here"), "not yet idle");
        h.tap_digits("4"); // a touch restarts the countdown
        advance(Duration::from_secs(9));
        assert!(
            !h.is_shown("StillThere::still-here"),
            "countdown restarted by the touch"
        );
        advance(Duration::from_secs(2));
        assert!(
            h.is_shown("StillThere::still-here"),
            "the customer is asked"
        );
        h.assert_text("Are you still there?");
        h.assert_text("This form clears in 10 s.");
        for _ in 0..3 {
            advance(Duration::from_secs(1));
        }
        h.assert_text("This form clears in 7 s.");
        // "I'm still here" keeps the form as it was.
        h.tap("StillThere::still-here");
        assert!(!h.is_shown("StillThere::still-here"));
        h.assert_text("9123 4");
        advance(Duration::from_secs(11));
        assert!(h.is_shown("StillThere::still-here"));
        advance(Duration::from_secs(11));
        assert!(h.is_shown("AttractPage::join-button"), "back to attract");
        h.assert_text("加入会员"); // the shop's language again

        // Nothing of the previous customer is left.
        h.tap("AttractPage::join-button");
        assert!(!h.checked("JoinActions::privacy-consent"));
        assert!(!h.text_shown("9123 4"));
        h.assert_text("请输入手机号码");

        // The welcome screen shows member data: it clears after 15 s, not the shop's 20.
        h.sign_up("91234567").await;
        advance(Duration::from_secs(14));
        assert!(h.is_shown("WelcomePage::done-button"));
        advance(Duration::from_secs(2));
        assert!(h.is_shown("AttractPage::join-button"));

        // And the "my points" help screen.
        h.tap("AttractPage::points-button");
        assert!(h.is_shown("PageHeader::back-button"));
        advance(Duration::from_secs(21));
        assert!(h.is_shown("AttractPage::join-button"));

        // The attract screen itself stays put.
        advance(Duration::from_secs(600));
        assert!(h.is_shown("AttractPage::join-button"));
    });
}
