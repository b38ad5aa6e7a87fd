//! The attract controller: owns `AttractAdapter`, shows the shop's name in each language,
//! the sign-up QR code (a signed link that lasts 10 minutes, replaced 2 minutes before it
//! expires), and hands its buttons to whatever the composition root wires them to.
use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::codes::{CodeIssuer, qr_image};
use super::{AppWindow, AttractAdapter};
use crate::domain::localized::LocalizedText;
use crate::domain::signup_link::{LIFETIME_SECS, REFRESH_BEFORE_SECS};

pub struct AttractController {
    app: slint::Weak<AppWindow>,
    /// Replaces the sign-up link before it expires.
    _refresh: slint::Timer,
}

/// What the attract screen's buttons do.
pub struct AttractActions {
    pub join: Box<dyn Fn()>,
    pub lookup: Box<dyn Fn()>,
    pub staff_corner: Box<dyn Fn()>,
}

impl AttractController {
    pub fn install(
        app: &AppWindow,
        store_name: &LocalizedText,
        actions: AttractActions,
        codes: Rc<CodeIssuer>,
    ) -> Self {
        let adapter = app.global::<AttractAdapter>();
        let AttractActions {
            join,
            lookup,
            staff_corner,
        } = actions;
        adapter.on_start_join(join);
        adapter.on_show_lookup(lookup);
        adapter.on_staff_corner(staff_corner);
        let refresh = slint::Timer::default();
        show_signup_link(app, &codes);
        if codes.signup_link().is_some() {
            let weak = app.as_weak();
            refresh.start(
                slint::TimerMode::Repeated,
                Duration::from_secs(u64::from(LIFETIME_SECS - REFRESH_BEFORE_SECS)),
                move || {
                    if let Some(app) = weak.upgrade() {
                        show_signup_link(&app, &codes);
                    }
                },
            );
        }
        let controller = AttractController {
            app: app.as_weak(),
            _refresh: refresh,
        };
        controller.set_store_name(store_name);
        controller
    }

    pub fn set_store_name(&self, name: &LocalizedText) {
        if let Some(app) = self.app.upgrade() {
            let names: Vec<SharedString> = name.all().into_iter().map(SharedString::from).collect();
            app.global::<AttractAdapter>()
                .set_store_names(ModelRc::new(VecModel::from(names)));
        }
    }
}

/// A new sign-up link as a QR code, or none when the shop has no sign-up page.
fn show_signup_link(app: &AppWindow, codes: &CodeIssuer) {
    let image = codes.signup_link().and_then(|link| qr_image(&link));
    let adapter = app.global::<AttractAdapter>();
    adapter.set_has_signup_qr(image.is_some());
    adapter.set_signup_qr(image.unwrap_or_default());
}
