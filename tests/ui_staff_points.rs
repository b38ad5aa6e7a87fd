//! Staff award points for a purchase, redeem a reward and undo, headless on the real kiosk.
//! Who must be stopped: a slip of the finger (the award and daily limits refuse and say
//! which; Undo for two minutes, never later; nothing is ever deleted), someone holding a
//! photograph of a member's saved code (it earns points for the member but spends nothing
//! without the member's last four digits, three tries), and a redemption beyond the balance.
//! Who gets through: a member with a card (no proof needed), and staff, whose id is on every
//! ledger entry.
mod common;

use std::time::Duration;

use common::{
    Harness, advance, award_earlier, demo_earning, demo_programme, open_staff_sign_in,
    run_on_event_loop, staff, wait_until,
};
use member_kiosk::config::Config;
use member_kiosk::devices::DeviceEvent;
use member_kiosk::domain::phone::E164;
use member_kiosk::ui::navigator::Page;
use member_kiosk::ui::{AwardStep, RedeemStep, StaffPointsAdapter, UndoState};
use slint::ComponentHandle;

fn ledger(h: &Harness, member: &str) -> Vec<(i64, String, Option<String>, Option<String>)> {
    let store = h.inspect();
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT delta, reason, staff_id, reverses FROM points_ledger
             WHERE member_id = ?1 AND client_id IS NOT NULL ORDER BY id",
        )
        .unwrap();
    stmt.query_map([member], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn events(h: &Harness, kind: &str) -> Vec<serde_json::Value> {
    h.inspect()
        .outbox_peek(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

#[test]
fn staff_award_redeem_and_undo() {
    let mut earning = demo_earning();
    earning.max_points_per_award = 500;
    earning.max_awards_per_member_per_day = 2;
    let h = Harness::start(Config {
        staff: Some(staff(&[("amy", "Amy", "246813")])),
        loyalty: demo_programme(),
        earning,
        ..Config::default()
    });
    run_on_event_loop(async move {
        let page = || h.kiosk.ui.page();
        let a = || h.app().global::<StaffPointsAdapter>();
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

        // A member with 400 points: Silver (×1.2 on purchases).
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        h.tap("WelcomePage::done-button");
        let member = h
            .inspect()
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("member stored")
            .id;
        award_earlier(&h.inspect(), &member, 300, 10);
        let code = h.member_code(&member);

        // A scan on the attract screen is a customer's: no staff action without sign-in.
        open_staff_sign_in(&h);
        h.tap_digits("246813");
        h.tap("PinOk::ok-button");
        wait_until("staff home", || page() == Page::Staff).await;

        // Award: the member's code, the amount, the points with the multiplier.
        h.tap("Actions::award-button");
        assert_eq!(page(), Page::StaffMember);
        scan(&code);
        wait_until("the award page", || page() == Page::StaffAward).await;
        h.assert_text("Member ****4567 · Silver · 400 points");
        h.tap_digits("2499");
        h.assert_text("HKD 24.99");
        h.assert_text("+29 points (Silver ×1.2)");
        h.tap("AmountEntry::confirm-award");
        wait_until("the award", || a().get_award_step() == AwardStep::Done).await;
        h.assert_text("+29 points for member ****4567");
        h.assert_text("New balance: 429 points");
        let award = events(&h, "points_adjusted");
        assert_eq!(award.len(), 1);
        assert_eq!(award[0]["delta"], 29);
        assert_eq!(award[0]["multiplier"], 1.2);
        assert_eq!(award[0]["purchase"]["amount_minor"], 2499);
        assert_eq!(award[0]["purchase"]["currency"], "HKD");
        assert_eq!(award[0]["staff_id"], "amy");

        // Undo: a compensating entry and event; nothing is deleted.
        h.tap("AfterAction::undo-button");
        wait_until("the undo", || a().get_undo_state() == UndoState::Undone).await;
        h.assert_text("Undone. Balance: 400 points");
        let amy = Some("amy".to_owned());
        let client_id: String = h
            .inspect()
            .connection()
            .query_row(
                "SELECT client_id FROM points_ledger WHERE reason = 'purchase'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            ledger(&h, &member),
            [
                (29, "purchase".into(), amy.clone(), None),
                (-29, "undo".into(), amy.clone(), Some(client_id.clone())),
            ]
        );
        let adjusted = events(&h, "points_adjusted");
        assert_eq!(adjusted.len(), 2);
        assert_eq!(adjusted[1]["reverses"], client_id.as_str());
        assert_eq!(adjusted[1]["reason"], "undo");
        assert!(
            !h.is_shown("AfterAction::undo-button"),
            "an undo is not undone"
        );

        // The largest award per purchase: refused, naming the limit.
        h.tap("AfterAction::next-button");
        scan(&code);
        wait_until("the award page", || page() == Page::StaffAward).await;
        h.tap_digits("50000");
        h.assert_text("More than the 500 points one purchase may earn");
        assert!(!h.enabled("AmountEntry::confirm-award"));
        h.tap("Keypad::clear-key");
        h.tap_digits("1000");
        h.assert_text("+12 points (Silver ×1.2)");
        h.tap("AmountEntry::confirm-award");
        wait_until("the award", || a().get_award_step() == AwardStep::Done).await;
        // The undone award does not count towards the day's two.
        h.tap("AfterAction::next-button");
        tap_card_after_linking(&h, &member, "04A1B2C3");
        wait_until("the award page", || page() == Page::StaffAward).await;
        h.tap_digits("1000");
        h.tap("AmountEntry::confirm-award");
        wait_until("the award", || a().get_award_step() == AwardStep::Done).await;
        h.assert_text("New balance: 424 points");
        // The most awards per member per day: the third is refused before it is tried.
        h.tap("AfterAction::next-button");
        scan(&code);
        wait_until("the award page", || page() == Page::StaffAward).await;
        h.tap_digits("1000");
        h.assert_text("This member has had 2 awards today, the most allowed");
        assert!(!h.enabled("AmountEntry::confirm-award"));

        // Left alone, the member's data clears within 15 s, back to staff home.
        advance(Duration::from_secs(16));
        assert_eq!(page(), Page::Staff);
        assert_eq!(a().get_masked(), "");
        wait_until("today's figures", || h.text_shown("Awards: 2")).await;
        h.assert_text("Points issued: 24");

        // A photographed saved code spends nothing without the member's last four digits.
        h.tap("Actions::redeem-button");
        scan(&code);
        wait_until("the rewards", || page() == Page::StaffRedeem).await;
        h.assert_text("A coffee · 150 points");
        h.assert_text("Mug · 600 points (176 more needed)");
        h.tap_text_button("A coffee · 150 points");
        assert_eq!(a().get_redeem_step(), RedeemStep::Proof);
        for tries_left in [2, 1] {
            h.tap_digits("0000");
            wait_until("the check", || {
                h.text_shown(&format!(
                    "Those are not the last four digits. {tries_left} tries left."
                ))
            })
            .await;
        }
        h.tap_digits("1111");
        wait_until("the third wrong try", || {
            a().get_redeem_step() == RedeemStep::Choosing
        })
        .await;
        h.assert_text(
            "Not confirmed. Ask the member to tap their card or show the code from the app.",
        );
        h.tap_text_button("A coffee · 150 points");
        assert_eq!(
            a().get_redeem_step(),
            RedeemStep::Choosing,
            "no fourth try on this visit"
        );
        assert!(events(&h, "reward_redeemed").is_empty());

        // With the right digits it goes through.
        h.tap("PageHeader::back-button");
        h.tap("Actions::redeem-button");
        scan(&code);
        wait_until("the rewards", || page() == Page::StaffRedeem).await;
        h.tap_text_button("A coffee · 150 points");
        h.tap_digits("4567");
        wait_until("the confirmation", || {
            a().get_redeem_step() == RedeemStep::Confirm
        })
        .await;
        h.assert_text("Redeem A coffee for 150 points?");
        h.tap("Confirming::confirm-redeem");
        wait_until("the redemption", || {
            a().get_redeem_step() == RedeemStep::Done
        })
        .await;
        h.assert_text("A coffee redeemed for member ****4567");
        h.assert_text("New balance: 274 points");
        let redeemed = events(&h, "reward_redeemed");
        assert_eq!(redeemed.len(), 1);
        assert_eq!(redeemed[0]["reward_id"], "coffee");
        assert_eq!(redeemed[0]["cost"], 150);
        assert_eq!(redeemed[0]["presence"], "saved_code+last4");
        assert_eq!(redeemed[0]["offline"], false);

        // A card is proof enough; a reward beyond the balance cannot even be chosen.
        h.tap("AfterAction::next-button");
        tap("04A1B2C3");
        wait_until("the rewards", || page() == Page::StaffRedeem).await;
        h.assert_text("Tote bag · 450 points (176 more needed)");
        h.tap_text_button("A slice of cake · 300 points (26 more needed)");
        assert_eq!(a().get_redeem_step(), RedeemStep::Choosing);
        h.tap_text_button("A coffee · 150 points");
        assert_eq!(
            a().get_redeem_step(),
            RedeemStep::Confirm,
            "no digits asked"
        );
        h.tap("Confirming::confirm-redeem");
        wait_until("the redemption", || {
            a().get_redeem_step() == RedeemStep::Done
        })
        .await;
        h.assert_text("New balance: 124 points");
        assert_eq!(events(&h, "reward_redeemed")[1]["presence"], "card");

        // Two minutes later it is too late to undo.
        h.inspect()
            .connection()
            .execute(
                "UPDATE points_ledger SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 minutes')
                 WHERE reason = 'redemption' AND id = (SELECT MAX(id) FROM points_ledger)",
                [],
            )
            .unwrap();
        h.tap("AfterAction::undo-button");
        wait_until("the undo", || a().get_undo_state() == UndoState::TooLate).await;
        h.assert_text("Too late to undo: 2 minutes have passed.");
        assert_eq!(events(&h, "reward_redeemed").len(), 2);
        assert_eq!(
            ledger(&h, &member).len(),
            6,
            "three awards, one undo, two redemptions, none deleted"
        );
        assert!(
            ledger(&h, &member)
                .iter()
                .all(|(_, _, staff, _)| *staff == amy),
            "every entry carries the staff id"
        );

        // Done ends the session; staff pages are gone until the next PIN.
        h.tap("AfterAction::done-button");
        h.tap("DoneButton::exit-button");
        assert_eq!(page(), Page::Attract);
        scan(&code);
        wait_until("the customer's balance", || page() == Page::Balance).await;
    });
}

/// Links `uid` to `member` as "Link my card" would, then taps it.
fn tap_card_after_linking(h: &Harness, member: &str, uid: &str) {
    let mut store = h.inspect();
    store.link_card(uid, member).unwrap();
    h.kiosk
        .ui
        .device_event(DeviceEvent::CardTap { uid: uid.into() });
}
