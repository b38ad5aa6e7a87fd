//! Who must be stopped: a card tapped on the wrong screen. A welcome screen that is still up
//! must not take the card of the next customer who taps to check their points. A card is
//! linked only after "Link my card", only within 15 s, and never taken from its owner.
mod common;

use std::time::Duration;

use common::{Harness, advance, run_on_event_loop, wait_until};
use member_kiosk::config::Config;
use member_kiosk::devices::simulator;
use member_kiosk::domain::phone::E164;

#[test]
fn cards_link_only_on_request_and_never_change_owner() {
    let h = Harness::start(Config::default());
    let socket = h.data_dir.path().join(simulator::SOCKET_NAME);
    run_on_event_loop(async move {
        let send = |command: &str| {
            assert_eq!(
                simulator::send(&socket, command).expect("simulator answers"),
                "ok"
            );
        };
        let owner = |uid: &str| {
            let db = h.inspect();
            db.member_by_card(uid).unwrap().map(|m| m.id)
        };
        // Alice joins and links her card properly.
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        let alice = h
            .inspect()
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("Alice stored")
            .id;
        h.tap("WelcomePage::link-card-button");
        send("tap 04A1B2C3");
        wait_until("Alice's card linked", || {
            h.is_shown("WelcomePage::card-linked")
        })
        .await;
        assert_eq!(owner("04A1B2C3"), Some(alice.clone()));
        h.tap("WelcomePage::done-button");

        // Bob joins; his welcome screen is still up when Alice taps to check her points.
        h.tap("AttractPage::join-button");
        h.sign_up("61234567").await;
        let seen = h.kiosk.ui.device_events_handled();
        send("tap 04A1B2C3");
        settle(&h, seen, 2).await; // the tap and its removal
        assert_eq!(
            owner("04A1B2C3"),
            Some(alice.clone()),
            "a tap without 'Link my card' links nothing"
        );
        assert!(!h.is_shown("WelcomePage::card-linked"));

        // Even when Bob asks to link, Alice's card is refused.
        h.tap("WelcomePage::link-card-button");
        send("tap 04A1B2C3");
        wait_until("the refusal", || {
            h.text_shown("This card belongs to another member, please ask our staff")
        })
        .await;
        assert_eq!(owner("04A1B2C3"), Some(alice));

        // The link window closes after 15 s: a new card tapped later is not linked.
        advance(Duration::from_secs(16));
        let seen = h.kiosk.ui.device_events_handled();
        send("tap 0A0B0C0D");
        settle(&h, seen, 2).await;
        assert_eq!(owner("0A0B0C0D"), None, "the window had closed");
    });
}

/// Events are handled in order; this waits until the last one sent has been, and until any
/// storage job it started has finished and been handed back.
async fn settle(h: &Harness, before: u64, sent: u64) {
    wait_until("device events handled", || {
        h.kiosk.ui.device_events_handled() >= before + sent
    })
    .await;
    h.kiosk.store.call(|_| Ok(())).unwrap();
    common::next_turn().await;
}
