//! Every touch target on every screen fits inside the window and stays finger-sized at
//! 800×480 and 1280×800, landscape and portrait.
mod common;

use common::{Harness, run_on_event_loop};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use member_kiosk::config::Config;
use slint::ComponentHandle;

/// Smallest width or height a control may have, in logical pixels (about 7 mm on a 7" panel).
const MIN_TARGET: f32 = 36.0;

fn check_targets(h: &Harness, screen: &str, (w, h_px): (f32, f32)) {
    // Every button, key, chip and tick box inherits Rectangle.
    let targets: Vec<ElementHandle> =
        ElementHandle::find_by_element_type_name(h.app(), "Rectangle")
            .filter(|e| {
                matches!(
                    e.accessible_role(),
                    Some(AccessibleRole::Button | AccessibleRole::Checkbox)
                )
            })
            .collect();
    assert!(
        targets.len() >= 3,
        "{screen} at {w}×{h_px}: found only {} targets",
        targets.len()
    );
    for e in targets {
        let label = e.accessible_label().unwrap_or_default();
        let pos = e.absolute_position();
        let size = e.size();
        let inside = pos.x >= -0.5
            && pos.y >= -0.5
            && pos.x + size.width <= w + 0.5
            && pos.y + size.height <= h_px + 0.5;
        assert!(
            inside,
            "{screen} at {w}×{h_px}: {label:?} at ({}, {}) size {}×{} leaves the window",
            pos.x, pos.y, size.width, size.height
        );
        assert!(
            size.width >= MIN_TARGET && size.height >= MIN_TARGET,
            "{screen} at {w}×{h_px}: {label:?} is only {}×{}",
            size.width,
            size.height
        );
    }
}

#[test]
fn touch_targets_fit_every_supported_screen() {
    let h = Harness::start(Config {
        staff: Some(member_kiosk::config::StaffConfig {
            pin: "2468".into(),
            ..Default::default()
        }),
        ..Config::default()
    });
    run_on_event_loop(async move {
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
            common::advance(std::time::Duration::from_millis(16));
            check_targets(&h, "attract", size);
            h.tap("AttractPage::join-button");
            check_targets(&h, "join", size);
            h.tap("JoinPage::region-button");
            check_targets(&h, "region picker", size);
            let hk = ElementHandle::find_by_accessible_label(h.app(), "Hong Kong  +852")
                .next()
                .expect("Hong Kong offered");
            hk.mock_single_click(slint::platform::PointerEventButton::Left);
            h.tap("JoinPage::read-notice");
            check_targets(&h, "privacy notice", size);
            h.tap("PrivacyNotice::close-notice");
            h.tap("Keypad::clear-key");
            h.sign_up("91234567").await;
            check_targets(&h, "welcome", size);
            h.tap("WelcomePage::done-button");
            h.tap("AttractPage::points-button");
            check_targets(&h, "my points", size);
            h.tap("LookupPage::back-button");
            for _ in 0..5 {
                h.tap("AttractPage::staff-corner");
            }
            check_targets(&h, "staff PIN", size);
            h.tap_digits("2468");
            check_targets(&h, "staff mode", size);
            // No CRM is configured here: staff are told the events stay on the kiosk.
            h.assert_text("CRM connection: No CRM configured: events are kept on this kiosk");
            h.tap("StaffPage::exit-button");
        }
    });
}
