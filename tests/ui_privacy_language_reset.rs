//! Who must be stopped: the next customer inheriting the last one's language and data.
//! Every return to the attract screen (Back, Done, idle) restores the shop's language, and
//! no adapter keeps the previous member's data.
mod common;

use common::{Harness, run_on_event_loop};
use member_kiosk::config::Config;

#[test]
fn every_return_to_attract_restores_the_shops_language() {
    let h = Harness::start(Config::default()); // the shop's language is English here
    run_on_event_loop(async move {
        h.assert_text("Join");

        // Back from the join screen.
        h.tap("LanguageBar::zh-hant");
        h.tap("AttractPage::join-button");
        h.tap("PageHeader::back-button");
        assert!(h.is_shown("AttractPage::join-button"));
        h.assert_text("My points");

        // Back from "My points".
        h.tap("LanguageBar::zh-hans");
        h.tap("AttractPage::points-button");
        h.tap("PageHeader::back-button");
        h.assert_text("My points");

        // Done on the welcome screen; nothing of the member is left behind.
        h.tap("AttractPage::join-button");
        h.tap("LanguageBar::zh-hant");
        h.sign_up("91234567").await;
        h.tap("WelcomePage::done-button");
        h.assert_text("My points");
        assert!(
            !h.text_shown("****4567"),
            "no member data left on any screen"
        );
    });
}
