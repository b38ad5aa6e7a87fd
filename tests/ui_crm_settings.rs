//! Settings the shop changes in its CRM reach a running kiosk at the next pull, without a
//! restart: the attract screen shows the new store name at once, the next sign-up gets the
//! new bonus, and screens time out after the new idle timeout.
mod common;

use std::time::Duration;

use common::crm::{TestCrm, kiosk_config};
use common::{Harness, advance, run_on_event_loop, wait_until};
use member_kiosk::config::{Config, CrmConfig, KioskConfig};
use member_kiosk::ui::navigator::Page;
use member_kiosk::ui::{AttractAdapter, StaffAdapter, SyncLink, WelcomeAdapter};
use serde_json::json;
use slint::{ComponentHandle, Model};

#[test]
fn settings_from_the_crm_apply_while_the_kiosk_runs() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let config = Config {
        kiosk: KioskConfig {
            store_name: "Corner Shop".into(),
            signup_bonus_points: 100,
            idle_timeout_secs: 30,
            ..KioskConfig::default()
        },
        crm: Some(CrmConfig {
            pull_secs: 1,
            ..kiosk_config(&crm.url())
        }),
        ..Config::default()
    };
    let h = Harness::start(config);
    run_on_event_loop(async move {
        // The name in English, the harness's language.
        let store_name = || {
            h.app()
                .global::<AttractAdapter>()
                .get_store_names()
                .row_data(2)
                .unwrap_or_default()
        };
        wait_until("the first sync round", || {
            h.app().global::<StaffAdapter>().get_link() == SyncLink::Online
        })
        .await;
        assert_eq!(store_name(), "Corner Shop");

        // The shop renames the store, raises the bonus and shortens the timeout.
        crm.publish(json!({"type": "settings", "values": {
            "store_name": "Tea House", "signup_bonus_points": 77, "idle_timeout_secs": 20}}));
        wait_until("the new store name on the attract screen", || {
            store_name() == "Tea House"
        })
        .await;
        h.assert_text("Tea House");

        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        assert_eq!(h.app().global::<WelcomeAdapter>().get_bonus_points(), 77);
        h.tap("WelcomePage::done-button");

        // 20 s on the join screen: 10 s, then 10 s of "Are you still there?".
        h.tap("AttractPage::join-button");
        advance(Duration::from_secs(9));
        assert!(!h.is_shown("StillThere::still-here"));
        advance(Duration::from_secs(2));
        assert!(h.is_shown("StillThere::still-here"));
        advance(Duration::from_secs(9));
        assert_eq!(h.kiosk.ui.page(), Page::Join);
        advance(Duration::from_secs(2));
        assert_eq!(h.kiosk.ui.page(), Page::Attract);
    });
}
