//! Settings the shop changes in its CRM reach a running kiosk at the next pull, without a
//! restart: the attract screen shows the new store name at once, the next sign-up gets the
//! new bonus, and screens time out after the new idle timeout.
mod common;

use std::time::Duration;

use common::crm::{TestCrm, kiosk_config};
use common::{Harness, advance, run_on_event_loop, wait_until};
use member_kiosk::config::{Config, CrmConfig, KioskConfig};
use member_kiosk::ui::{KioskAdapter, Screen, StaffAdapter, SyncLink, WelcomeAdapter};
use serde_json::json;
use slint::ComponentHandle;

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
        let kiosk = || h.app().global::<KioskAdapter>();
        wait_until("the first sync round", || {
            h.app().global::<StaffAdapter>().get_link() == SyncLink::Online
        })
        .await;
        assert_eq!(kiosk().get_store_name(), "Corner Shop");

        // The shop renames the store, raises the bonus and shortens the timeout.
        crm.publish(json!({"type": "settings", "values": {
            "store_name": "Tea House", "signup_bonus_points": 77, "idle_timeout_secs": 20}}));
        wait_until("the new store name on the attract screen", || {
            kiosk().get_store_name() == "Tea House"
        })
        .await;
        h.assert_text("Tea House");

        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        assert_eq!(h.app().global::<WelcomeAdapter>().get_bonus_points(), 77);
        h.tap("WelcomePage::done-button");

        h.tap("AttractPage::join-button");
        advance(Duration::from_secs(19));
        assert_eq!(h.kiosk.controller.screen(), Screen::Join);
        advance(Duration::from_secs(2));
        assert_eq!(h.kiosk.controller.screen(), Screen::Attract);
    });
}
