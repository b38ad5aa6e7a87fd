//! Who must be stopped: a stranger at the counter who knows someone's phone number. Joining
//! with a number that is already a member shows a neutral answer (no masked number, no
//! balance) and changes none of that member's consents, even with marketing ticked.
mod common;

use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::Config;
use member_kiosk::domain::phone::E164;

#[test]
fn joining_with_a_members_number_reveals_and_changes_nothing() {
    let h = Harness::start(Config::default());
    run_on_event_loop(async move {
        // The real member joins.
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        h.tap("WelcomePage::done-button");
        let db = h.inspect();
        let member = db
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .expect("member stored");
        let consents_before = db.consents(&member.id).unwrap().len();
        let events_before = db.outbox_depth().unwrap();

        // A stranger types the same number and ticks marketing on the member's behalf.
        h.tap("AttractPage::join-button");
        h.tap_digits("91234567");
        h.tap("JoinActions::privacy-consent");
        h.tap("JoinActions::marketing-opt-in");
        h.tap("JoinActions::join-button");
        wait_until("the answer to the join", || {
            !h.is_shown("JoinActions::join-button")
        })
        .await;

        h.assert_text(
            "This number is already a member. Scan your member code or tap your card to see your points.",
        );
        assert!(!h.text_shown("****4567"), "the masked number is not shown");
        assert!(
            !h.text_shown("Your points: 100") && !h.text_shown("100 points"),
            "the balance is not shown"
        );
        assert!(!h.text_shown("Welcome back!"));
        assert_eq!(
            db.consents(&member.id).unwrap().len(),
            consents_before,
            "no consent recorded for the number's owner"
        );
        assert_eq!(
            db.outbox_depth().unwrap(),
            events_before,
            "no consent_recorded event queued"
        );
        assert_eq!(db.member_count().unwrap(), 1);
    });
}
