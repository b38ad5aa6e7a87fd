//! Member codes end to end, on the real kiosk with Slint's testing backend. Who must be
//! stopped: someone with a photographed or forged code, an edited one, an expired one, a
//! bare member id (ids are often sequential), someone cycling through guesses, and a card
//! tapped for someone else's sign-up. Who must get through: a member with the code the
//! welcome screen showed, and a customer who taps an unknown card and joins with it.
mod common;

use std::time::Duration;

use common::{
    Harness, advance, award_earlier, decode_qr_codes, demo_programme, run_on_event_loop, wait_until,
};
use member_kiosk::config::{Config, SignupConfig};
use member_kiosk::devices::DeviceEvent;
use member_kiosk::domain::phone::E164;
use member_kiosk::domain::signing::{Keyring, Signer};
use member_kiosk::domain::{digits, member_code, signup_link};

const SIGNUP_PAGE: &str = "https://crm.example.com/join?shop=central";

fn now() -> u32 {
    u32::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

#[test]
fn member_codes_show_the_balance_and_nothing_else_gets_through() {
    let h = Harness::start(Config {
        loyalty: demo_programme(),
        signup: SignupConfig {
            url_base: Some(SIGNUP_PAGE.into()),
        },
        ..Config::default()
    });
    run_on_event_loop(async move {
        let signer: Signer = h
            .kiosk
            .store
            .call(|s| Ok(s.signer().cloned()))
            .unwrap()
            .expect("the kiosk made its key");
        let ring = Keyring::new([signer.public()]);
        let scan = |text: &str| {
            h.kiosk.ui.device_event(DeviceEvent::Scan {
                text: text.into(),
                symbology: None,
            })
        };
        let tap = |uid: &str| {
            h.kiosk
                .ui
                .device_event(DeviceEvent::CardTap { uid: uid.into() })
        };

        // The attract screen's QR code is a sign-up link that verifies for 10 minutes.
        h.tap("LanguageBar::en");
        let codes = decode_qr_codes(h.app());
        assert_eq!(
            codes.len(),
            1,
            "one QR code on the attract screen: {codes:?}"
        );
        assert!(codes[0].starts_with(SIGNUP_PAGE), "{}", codes[0]);
        let token = signup_link::verify(&ring, &codes[0], now()).expect("a signed link");
        assert_eq!(token.expires_at - token.issued_at, 600);
        assert!(signup_link::verify(&ring, &codes[0], now() + 601).is_err());
        // Two minutes before it expires, a new link (a new nonce) takes its place.
        advance(Duration::from_secs(480));
        let fresh = decode_qr_codes(h.app());
        assert_eq!(fresh.len(), 1);
        assert_ne!(fresh[0], codes[0], "the link was replaced");
        let again = signup_link::verify(&ring, &fresh[0], now()).expect("the new link verifies");
        assert_ne!(again.nonce, token.nonce);

        // Without a CRM that texts one-time codes, "My points" has no way in by number.
        h.tap("AttractPage::points-button");
        assert!(!h.is_shown("LookupPage::by-phone-button"));
        h.tap("PageHeader::back-button");

        // A new member gets their code as a QR to photograph; it is their key to the
        // balance.
        h.tap("AttractPage::join-button");
        h.tap_digits("91234567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::done-button")
        })
        .await;
        let photographed = decode_qr_codes(h.app());
        assert_eq!(photographed.len(), 1, "{photographed:?}");
        let code = photographed[0].clone();
        assert!(
            code.bytes().all(|b| b.is_ascii_digit()),
            "digits only: {code}"
        );
        h.tap("WelcomePage::done-button");

        // Their history: 80 points earned 350 days ago lapse within 30 days.
        let member = h
            .inspect()
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("member stored");
        award_earlier(&h.inspect(), &member.id, 80, 350);
        award_earlier(&h.inspect(), &member.id, 300, 3);
        let lapse = (time::OffsetDateTime::now_utc() - time::Duration::days(350))
            .checked_add(time::Duration::days(365))
            .unwrap();
        let lapse_date = format!(
            "{:04}-{:02}-{:02}",
            lapse.year(),
            u8::from(lapse.month()),
            lapse.day()
        );

        scan(&code);
        wait_until("the balance", || h.is_shown("Headline::hello")).await;
        h.assert_text("Hello, member ****4567");
        h.assert_text("Your points: 480");
        h.assert_text("Tier: Silver");
        h.assert_text("520 points to Gold");
        h.assert_text(&format!("80 points expire on {lapse_date}"));
        h.assert_text("Rewards you can have now");
        for reward in ["Tote bag", "A slice of cake", "A coffee"] {
            h.assert_text(reward);
        }
        assert!(!h.text_shown("Mug"), "600 points is out of reach");
        // Names follow the language.
        h.tap("LanguageBar::zh-hant");
        h.assert_text("會員等級：銀卡");
        h.assert_text("環保袋");
        h.tap("BalancePage::done-button");
        h.tap("LanguageBar::en");

        // An unknown card may join with that card; the sign-up links it.
        tap("04C0FFEE");
        wait_until("the unknown card", || {
            h.is_shown("BalancePage::join-card-button")
        })
        .await;
        h.assert_text("This card is not linked to a member yet");
        h.tap("BalancePage::join-card-button");
        h.assert_text("Join with your card: enter your mobile number");
        h.tap_digits("61234567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::join-button");
        wait_until("the welcome screen", || {
            h.is_shown("WelcomePage::card-linked")
        })
        .await;
        h.tap("WelcomePage::done-button");
        tap("04C0FFEE");
        wait_until("the new member by card", || h.is_shown("Headline::hello")).await;
        h.assert_text("Hello, member ****4567");
        h.assert_text("Your points: 100");
        h.tap("BalancePage::done-button");
        // The card went to that one sign-up: the next customer's Join has no card.
        h.tap("AttractPage::join-button");
        h.assert_text("Join with your mobile number");
        h.tap("PageHeader::back-button");

        // A forged code: the member's code with one signature byte changed.
        let mut bytes = digits::decode(&code).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        scan(&digits::encode(&bytes));
        wait_until("the refusal", || h.is_shown("BalancePage::message")).await;
        h.assert_text("This code is not genuine. Please show the code from your membership.");
        assert!(!h.text_shown("Hello, member ****4567"));
        h.tap("BalancePage::done-button");

        // An expired one.
        let old = member_code::issue(&signer, &member.id, now() - 7200, 3600).unwrap();
        scan(&old);
        wait_until("the refusal", || h.is_shown("BalancePage::message")).await;
        h.assert_text("This member code has expired. Please ask our staff for a new one.");
        h.tap("BalancePage::done-button");

        // A bare member id: not a code at all.
        scan(&member.id);
        wait_until("the refusal", || h.is_shown("BalancePage::message")).await;
        h.assert_text("We don't recognise this code or card");
        h.tap("BalancePage::done-button");

        // Signed by a key nobody published: the fifth miss within the minute (the unknown
        // card was the first) pauses lookups.
        let stranger =
            member_code::issue(&Signer::from_seed([7; 32]), &member.id, now(), 60).unwrap();
        scan(&stranger);
        wait_until("the refusal", || h.is_shown("BalancePage::message")).await;
        h.assert_text("This code is from another programme. Please ask our staff.");
        h.tap("BalancePage::done-button");

        // Now even the genuine code waits.
        scan(&code);
        wait_until("the pause", || {
            h.text_shown("Too many unknown codes. Please wait 30 s or ask our staff.")
        })
        .await;
        assert!(!h.text_shown("Your points: 480"));
    });
}
