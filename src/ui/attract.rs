//! The attract controller: owns `AttractAdapter`, shows the shop's name in each language and
//! hands its buttons to whatever the composition root wires them to.
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{AppWindow, AttractAdapter};
use crate::domain::localized::LocalizedText;

pub struct AttractController {
    app: slint::Weak<AppWindow>,
}

/// What the attract screen's buttons do.
pub struct AttractActions {
    pub join: Box<dyn Fn()>,
    pub lookup: Box<dyn Fn()>,
    pub staff_corner: Box<dyn Fn()>,
}

impl AttractController {
    pub fn install(app: &AppWindow, store_name: &LocalizedText, actions: AttractActions) -> Self {
        let adapter = app.global::<AttractAdapter>();
        let AttractActions {
            join,
            lookup,
            staff_corner,
        } = actions;
        adapter.on_start_join(join);
        adapter.on_show_lookup(lookup);
        adapter.on_staff_corner(staff_corner);
        let controller = AttractController { app: app.as_weak() };
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
