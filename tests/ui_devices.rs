//! Scans and card taps reach the screens: through the simulated devices' socket (the same
//! path as real drivers: event sink → UI thread → storage), a member is recognised by card
//! or member code, an unknown code says so, a card taps-to-link on the welcome screen, and a
//! scan while someone is typing their number is ignored.
mod common;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::Config;
use member_kiosk::devices::simulator;
use member_kiosk::domain::phone::E164;
use member_kiosk::ui::{DeviceStatus, StaffAdapter};
use slint::ComponentHandle;

#[test]
fn scans_and_taps_identify_members() {
    let h = Harness::start(Config::default());
    let socket = h.data_dir.path().join(simulator::SOCKET_NAME);
    run_on_event_loop(async move {
        // Device states reach staff mode; customers see only invitations that work.
        let staff = || h.app().global::<StaffAdapter>();
        wait_until("the simulated devices", || {
            staff().get_scanner_status() == DeviceStatus::Simulated
                && staff().get_nfc_status() == DeviceStatus::Simulated
        })
        .await;
        assert!(!h.text_shown("Scanner: simulated"));
        let send = |command: &str| {
            assert_eq!(
                simulator::send(&socket, command).expect("simulator answers"),
                "ok"
            );
        };

        // An unknown code: said plainly, with a way to join.
        send("scan SOMEONE-ELSE");
        wait_until("the unknown-code screen", || {
            h.is_shown("BalancePage::message")
        })
        .await;
        h.assert_text("We don't recognise this code or card");
        h.tap("BalancePage::join-button");
        assert!(h.is_shown("JoinActions::join-button"));

        // While a number is being typed, scans do not yank the customer away.
        h.tap_digits("9123");
        let seen = h.kiosk.ui.device_events_handled();
        send("scan SOMEONE-ELSE");
        send("tap 0A0B0C0D"); // a tap and a removal
        wait_until("the events handled", || {
            h.kiosk.ui.device_events_handled() == seen + 3
        })
        .await;
        // Any lookup they started has finished once the store has drained its queue.
        h.kiosk.store.call(|_| Ok(())).unwrap();
        common::next_turn().await;
        assert!(h.is_shown("JoinActions::join-button"), "still joining");
        h.assert_text("9123");
        h.tap_digits("4567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::done-button")
        })
        .await;

        // On the welcome screen, "Link my card" then a tap links the card to the new member.
        h.tap("WelcomePage::link-card-button");
        h.assert_text("Tap your card on the reader now (15 s).");
        send("tap 04a1b2c3");
        wait_until("the card link", || h.is_shown("WelcomePage::card-linked")).await;
        h.tap("WelcomePage::done-button");

        // Next visit: the card is recognised, showing only the masked number and points.
        send("tap 04A1B2C3");
        wait_until("the member by card", || h.is_shown("Headline::hello")).await;
        h.assert_text("Hello, member ****4567");
        h.assert_text("Your points: 100");
        h.tap("BalancePage::done-button");

        // And by the member code their QR code carries.
        let member = h
            .inspect()
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("member stored");
        send(&format!("scan {}", h.member_code(&member.id)));
        wait_until("the member by code", || h.is_shown("Headline::hello")).await;
        h.assert_text("Hello, member ****4567");
        h.tap("BalancePage::done-button");

        // A bare member id is not a member code.
        send(&format!("scan {}", member.id));
        wait_until("the refusal", || h.is_shown("BalancePage::message")).await;
        assert!(!h.text_shown("Hello, member ****4567"));
    });
}
