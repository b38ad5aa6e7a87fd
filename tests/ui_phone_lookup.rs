//! "My points" by mobile number, against the test CRM's one-time codes. Who must be
//! stopped: a stranger who knows a member's number (nothing without the texted code), a
//! guesser (the tries run out), someone flooding the member's phone (a minute between
//! codes). The member who types the right code sees their balance.
mod common;

use common::crm::{TestCrm, kiosk_config};
use common::{Harness, run_on_event_loop, wait_until};
use member_kiosk::config::{Config, CrmConfig};

#[test]
fn only_the_texted_code_opens_the_balance() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let member = crm.add_online_member("+85291234567", 250);
    let h = Harness::start(Config {
        crm: Some(CrmConfig {
            pull_secs: 1,
            one_time_codes: true,
            ..kiosk_config(&crm.url())
        }),
        ..Config::default()
    });
    run_on_event_loop(async move {
        wait_until("the member pulled from the CRM", || {
            h.inspect().member_by_id(&member).unwrap().is_some()
        })
        .await;
        h.tap("AttractPage::points-button");
        h.tap("LookupPage::by-phone-button");
        assert!(!h.enabled("Entry::send-button"), "no number yet");
        h.tap_digits("91234567");
        h.tap("Entry::send-button");
        wait_until("the code step", || h.is_shown("Entry::check-button")).await;
        h.assert_text("Enter the code we sent to ****4567");
        // A new code only after a minute.
        h.assert_text("New code in 60 s");
        assert!(!h.enabled("Entry::resend-button"));
        // Nothing personal yet.
        assert!(!h.text_shown("Your points: 250"));

        // A wrong guess costs a try; the CRM's lower count wins.
        h.tap_digits("111111");
        h.tap("Entry::check-button");
        wait_until("the wrong code", || {
            h.text_shown("That code is not right: 2 tries left.")
        })
        .await;
        assert!(!h.text_shown("Your points: 250"));

        h.tap_digits(&crm.state().verification_code.clone());
        h.tap("Entry::check-button");
        wait_until("the balance", || h.is_shown("Headline::hello")).await;
        h.assert_text("Hello, member ****4567");
        h.assert_text("Your points: 250");
        h.tap("BalancePage::done-button");

        // Someone else's number that is not a member: told so, shown nothing.
        h.tap("AttractPage::points-button");
        h.tap("LookupPage::by-phone-button");
        h.assert_text("+852 ");
        h.tap_digits("61234567");
        h.tap("Entry::send-button");
        wait_until("the code step", || h.is_shown("Entry::check-button")).await;
        h.tap_digits(&crm.state().verification_code.clone());
        h.tap("Entry::check-button");
        wait_until("the answer", || {
            h.text_shown("This number is not a member yet.")
        })
        .await;
        // Leaving forgets the number typed.
        h.tap("PageHeader::back-button");
        h.tap("LookupPage::by-phone-button");
        h.assert_text("+852 ");
        assert!(!h.text_shown("****4567"));
    });
}
