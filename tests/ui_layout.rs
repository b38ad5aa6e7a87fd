//! Every screen, at 800×480, 1280×800 and their portraits, in 繁 / 简 / EN: every touch
//! target is at least 50 px and inside the window, no control or text overlaps another, and
//! no text is wider or taller than the box the layout gave it (widgets say so through their
//! accessible description, measured with the real fonts).
//!
//! With `SCREENSHOTS_DIR` set (see `scripts/screenshots`), it also writes a PNG of each
//! screen it checks, drawn by Slint's software renderer: no display needed.
mod common;

use std::time::Duration;

use common::{Harness, advance, next_turn, run_on_event_loop, wait_until};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use member_kiosk::config::Config;
use member_kiosk::devices::DeviceEvent;
use member_kiosk::domain::phone::E164;
use member_kiosk::ui::StaffAdapter;
use member_kiosk::ui::navigator::Page;
use slint::ComponentHandle;
use slint::platform::PointerEventButton;

/// The smallest a finger target may be: 9 mm on a 7" 800×480 panel.
const MIN_TARGET: f32 = 50.0;

struct Boxed {
    label: String,
    target: bool,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Boxed {
    fn contains(&self, o: &Boxed) -> bool {
        o.x >= self.x - 0.5
            && o.y >= self.y - 0.5
            && o.x + o.w <= self.x + self.w + 0.5
            && o.y + o.h <= self.y + self.h + 0.5
    }
    fn overlaps(&self, o: &Boxed) -> bool {
        let w = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let h = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        w > 1.0 && h > 1.0
    }
}

fn check(h: &Harness, screen: &str, (w, h_px): (f32, f32), language: &str) {
    let at = format!("{screen} at {w}×{h_px} in {language}");
    if let Some(dir) = std::env::var_os("SCREENSHOTS_DIR") {
        let name = format!("{w}x{h_px}-{language}-{screen}")
            .replace([' ', ',', '?'], "-")
            .replace("--", "-");
        common::screenshot(
            h.app(),
            std::path::Path::new(&dir),
            name.trim_end_matches('-'),
        );
    }
    // An overlay (a picker, the notice, "still there?") covers the page: check it alone.
    let overlay = ["Overlay", "StillThere"].iter().find_map(|name| {
        ElementHandle::find_by_element_type_name(h.app(), name)
            .next()
            .or_else(|| {
                ElementQuery::from_root(h.app())
                    .match_descendants()
                    .match_inherits(*name)
                    .find_first()
            })
    });
    let elements = match &overlay {
        Some(o) => o.query_descendants().find_all(),
        None => ElementQuery::from_root(h.app())
            .match_descendants()
            .find_all(),
    };
    let mut boxes = Vec::new();
    for e in elements {
        let role = e.accessible_role();
        let target = matches!(
            role,
            Some(AccessibleRole::Button | AccessibleRole::Checkbox)
        );
        let text = role == Some(AccessibleRole::Text);
        if !target && !text {
            continue;
        }
        let label = e.accessible_label().unwrap_or_default().to_string();
        if e.accessible_description().as_deref() == Some("overflow") {
            panic!("{at}: {label:?} does not fit its box");
        }
        let pos = e.absolute_position();
        let size = e.size();
        if text && (label.is_empty() || size.width < 1.0 || size.height < 1.0) {
            continue;
        }
        let b = Boxed {
            label,
            target,
            x: pos.x,
            y: pos.y,
            w: size.width,
            h: size.height,
        };
        let inside = b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= w + 0.5 && b.y + b.h <= h_px + 0.5;
        assert!(
            inside,
            "{at}: {:?} at ({}, {}) size {}×{} leaves the window",
            b.label, b.x, b.y, b.w, b.h
        );
        if target {
            assert!(
                b.w >= MIN_TARGET - 0.5 && b.h >= MIN_TARGET - 0.5,
                "{at}: {:?} is only {}×{}",
                b.label,
                b.w,
                b.h
            );
        }
        boxes.push(b);
    }
    assert!(boxes.iter().any(|b| b.target), "{at}: found no targets");
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if a.overlaps(b) && !a.contains(b) && !b.contains(a) {
                panic!(
                    "{at}: {:?} ({}, {}, {}×{}) overlaps {:?} ({}, {}, {}×{})",
                    a.label, a.x, a.y, a.w, a.h, b.label, b.x, b.y, b.w, b.h
                );
            }
        }
    }
}

#[test]
fn every_screen_fits_every_size_in_every_language() {
    // A CRM that texts one-time codes, so "My points" by number is on the tour.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = common::crm::TestCrm::start();
    // It takes no events, so it never reports members back: the balance screen shows the
    // kiosk's own figures (tier, expiry, rewards) from the ledger rows the tour adds.
    for _ in 0..10_000 {
        crm.inject("/v1/events", common::crm::Fault::Status(503));
    }
    let h = Harness::start(Config {
        crm: Some(member_kiosk::config::CrmConfig {
            one_time_codes: true,
            ..common::crm::kiosk_config(&crm.url())
        }),
        staff: Some(common::staff(&[
            ("amy", "Amy", "246813"),
            ("ben", "Ben", "975310"),
        ])),
        // The tour scans an unknown code in every language at every size: no pause here.
        loyalty: member_kiosk::config::LoyaltyConfig {
            lookup_misses_before_pause: 100,
            ..common::demo_programme()
        },
        signup: member_kiosk::config::SignupConfig {
            url_base: Some("https://crm.example.com/join?shop=central".into()),
        },
        earning: common::demo_earning(),
        ..Config::default()
    });
    run_on_event_loop(async move {
        let languages = [
            ("LanguageBar::zh-hant", "zh-Hant"),
            ("LanguageBar::zh-hans", "zh-Hans"),
            ("LanguageBar::en", "en"),
        ];
        let mut n = 0;
        for size in [
            (800.0, 480.0),
            (480.0, 800.0),
            (1280.0, 800.0),
            (800.0, 1280.0),
        ] {
            h.app()
                .window()
                .set_size(slint::LogicalSize::new(size.0, size.1));
            // Let Slint run its change handlers (the type scale follows the window size).
            advance(Duration::from_millis(16));
            // Where the keypad's "5" and the Join button sit on the join screen, per
            // language: switching language must not move a target.
            let mut placed: Vec<(&str, [f32; 4])> = Vec::new();
            for (chip, language) in languages {
                n += 1;
                let number = format!("9{:07}", 1_234_560 + n);
                let check = |screen: &str| check(&h, screen, size, language);
                h.tap(chip);
                check("attract");

                h.tap("AttractPage::join-button");
                check("join, empty");
                let at = |e: ElementHandle| {
                    let (p, z) = (e.absolute_position(), e.size());
                    [p.x, p.y, z.width, z.height]
                };
                let five = ElementHandle::find_by_accessible_label(h.app(), "5")
                    .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
                    .expect("key 5");
                let mut spots = at(five).to_vec();
                spots.extend(at(h.element("JoinActions::join-button")));
                let spots = [spots[0], spots[1], spots[4], spots[5]];
                if let Some((first, before)) = placed.first() {
                    assert_eq!(
                        &spots, before,
                        "at {size:?}, the keypad or Join moved between {first} and {language}"
                    );
                }
                placed.push((language, spots));
                h.tap_digits(&number[..5]);
                check("join, half typed");
                h.tap("NumberEntry::region-button");
                check("region picker");
                // The first region, Hong Kong, in whatever language.
                ElementQuery::from_root(h.app())
                    .match_descendants()
                    .match_inherits("RegionPicker")
                    .find_first()
                    .expect("the region picker")
                    .query_descendants()
                    .match_accessible_role(AccessibleRole::Button)
                    .find_first()
                    .expect("a region")
                    .mock_single_click(PointerEventButton::Left);
                h.tap("JoinActions::read-notice");
                check("privacy notice");
                h.tap("PrivacyNotice::close-notice");
                advance(Duration::from_secs(21));
                assert!(h.is_shown("StillThere::still-here"));
                check("still there?");
                h.tap("StillThere::still-here");
                h.tap_digits(&number[5..]);
                h.tap("JoinActions::privacy-consent");
                check("join, complete");
                h.tap("JoinActions::join-button");
                wait_until("the welcome screen", || {
                    h.is_shown("WelcomePage::done-button")
                })
                .await;
                check("welcome");
                h.tap("WelcomePage::link-card-button");
                check("welcome, waiting for a card");
                h.tap("WelcomePage::done-button");

                h.tap(chip);
                h.tap("AttractPage::join-button");
                h.tap_digits(&number);
                h.tap("JoinActions::privacy-consent");
                h.tap("JoinActions::join-button");
                wait_until("the neutral answer", || {
                    h.is_shown("AlreadyMemberPage::done-button")
                })
                .await;
                check("already a member");
                h.tap("AlreadyMemberPage::done-button");

                h.tap(chip);
                h.tap("AttractPage::points-button");
                check("my points");
                h.tap("LookupPage::by-phone-button");
                check("my points by number, empty");
                h.tap_digits(&number[..3]);
                check("my points by number, half-typed");
                h.tap_digits(&number[3..]);
                h.tap("Entry::send-button");
                wait_until("the code step", || h.is_shown("Entry::check-button")).await;
                h.tap_digits("1111");
                check("my points by number, the code");
                h.tap("PageHeader::back-button");
                h.tap("PageHeader::back-button");
                h.tap(chip);
                h.kiosk.ui.device_event(DeviceEvent::Scan {
                    text: "NOT-A-MEMBER".into(),
                    symbology: None,
                });
                wait_until("the unknown code", || h.is_shown("BalancePage::message")).await;
                check("unknown code");
                let member = h
                    .inspect()
                    .member_by_phone(&E164::from_stored(format!("+852{number}")))
                    .unwrap()
                    .expect("member stored");
                // Points lapsing soon, and enough for rewards and a tier.
                common::award_earlier(&h.inspect(), &member.id, 80, 350);
                common::award_earlier(&h.inspect(), &member.id, 300, 3);
                h.kiosk.ui.device_event(DeviceEvent::Scan {
                    text: h.member_code(&member.id),
                    symbology: None,
                });
                wait_until("the balance", || h.is_shown("Headline::hello")).await;
                check("balance");
                h.tap("BalancePage::done-button");

                h.tap(chip);
                let page = || h.kiosk.ui.page();
                let checking = || h.app().global::<StaffAdapter>().get_checking();
                // Staff mode again, to the surveys page (the terminal is switched there).
                let open_surveys = || async {
                    common::open_staff_sign_in(&h);
                    h.tap_text_button("Amy");
                    h.tap_digits("246813");
                    h.tap("PinOk::ok-button");
                    wait_until("staff home", || page() == Page::Staff).await;
                    h.tap("Actions::survey-button");
                    wait_until("the surveys", || h.is_shown("SurveyRow::start-survey")).await;
                };
                common::open_staff_sign_in(&h);
                check("staff sign-in, names");
                h.tap_text_button("Amy");
                h.tap_digits("111111");
                h.tap("PinOk::ok-button");
                wait_until("the PIN check", || !checking()).await;
                check("staff PIN, wrong");
                h.tap_digits("246813");
                h.tap("PinOk::ok-button");
                wait_until("staff home", || page() == Page::Staff).await;
                check("staff mode");

                let code = h.member_code(&member.id);
                let scan = |text: &str| {
                    h.kiosk.ui.device_event(DeviceEvent::Scan {
                        text: text.into(),
                        symbology: None,
                    })
                };
                h.tap("Actions::award-button");
                check("staff, which member");
                scan(&code);
                wait_until("the award page", || page() == Page::StaffAward).await;
                h.tap_digits("2499");
                check("staff award, amount");
                h.tap("AmountEntry::confirm-award");
                wait_until("the award", || h.is_shown("AfterAction::undo-button")).await;
                check("staff award, done");
                h.tap("AfterAction::done-button");
                wait_until("the undo offer", || h.is_shown("UndoRow::undo-button")).await;
                check("staff mode, undo");

                // The CRM once confirmed the balance before the award: offline, that much can
                // be spent.
                h.inspect()
                    .connection()
                    .execute(
                        "UPDATE members SET crm_balance = 480, crm_at_ms = 1 WHERE id = ?1",
                        [&member.id],
                    )
                    .unwrap();
                h.tap("Actions::redeem-button");
                scan(&code);
                wait_until("the rewards", || page() == Page::StaffRedeem).await;
                check("staff redeem, rewards");
                ElementHandle::find_by_element_id(h.app(), "Choosing::reward-button")
                    .next()
                    .expect("a reward")
                    .mock_single_click(PointerEventButton::Left);
                let last4 = &number[number.len() - 4..];
                h.tap_digits(&last4[..2]);
                check("staff redeem, proof");
                h.tap_digits(&last4[2..]);
                wait_until("the confirmation", || {
                    h.is_shown("Confirming::confirm-redeem")
                })
                .await;
                check("staff redeem, confirm");
                h.tap("Confirming::confirm-redeem");
                wait_until("the redemption", || h.is_shown("AfterAction::undo-button")).await;
                check("staff redeem, done");
                h.tap("AfterAction::done-button");

                // Surveys: staff's pages, then every kind of question, then the thanks.
                h.tap("Actions::survey-button");
                wait_until("the surveys", || h.is_shown("SurveyRow::start-survey")).await;
                check("staff surveys");
                h.tap("StaffSurveysPage::results-button");
                wait_until("the results", || page() == Page::StaffResults).await;
                next_turn().await;
                check("staff survey results");
                h.tap("PageHeader::back-button");
                wait_until("the surveys", || h.is_shown("SurveyRow::start-survey")).await;
                h.tap("SurveyRow::start-survey");
                check("survey start");
                h.tap("SurveyStartPage::start-button");
                check("survey NPS");
                h.tap_text_button("5");
                h.tap_text_button("o");
                h.tap_text_button("k");
                check("survey comment");
                h.tap("Actions::next-button");
                check("survey stars");
                ElementHandle::find_by_element_id(h.app(), "Stars::star")
                    .nth(3)
                    .expect("four stars")
                    .mock_single_click(PointerEventButton::Left);
                check("survey single choice");
                h.tap("Choices::choice-button");
                check("survey multiple choice");
                h.tap("Choices::choice-tick");
                h.tap("Actions::next-button");
                wait_until("the thanks", || page() == Page::SurveyThanks).await;
                check("survey thanks");
                h.tap("SurveyThanksPage::done-button");

                // The smiley terminal, and its thanks while input is locked.
                open_surveys().await;
                h.tap("StaffSurveysPage::smiley-button");
                h.tap(chip);
                check("smiley terminal");
                h.tap("Faces::happy");
                check("smiley terminal, thanks");
                advance(Duration::from_secs(6));
                open_surveys().await;
                h.tap("StaffSurveysPage::smiley-button");
                h.tap("PageHeader::back-button");
                h.tap("DoneButton::exit-button");
            }
        }
    });
}
