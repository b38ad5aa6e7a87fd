//! Scans and card taps on the screens: device state shown on the attract screen, members
//! identified by member code or card (looked up off the UI thread), and a card tapped on
//! the welcome screen linked to the new member.
use slint::ComponentHandle;

use super::kiosk_controller::KioskController;
use super::{DeviceStatus, KioskAdapter, RecognisedAdapter, Screen, WelcomeAdapter};
use crate::devices::{DeviceEvent, DeviceKind, DeviceState};
use crate::domain::phone::E164;
use crate::store::StoreError;

impl KioskController {
    /// An event from a scanner or card reader (delivered on the UI thread).
    pub fn device_event(&self, event: DeviceEvent) {
        self.device_events.set(self.device_events.get() + 1);
        match event {
            DeviceEvent::State { device, state } => self.show_device_state(device, state),
            DeviceEvent::Scan { text, symbology } => {
                tracing::info!(
                    len = text.len(),
                    symbology = symbology.as_deref().unwrap_or("-"),
                    "code scanned"
                );
                self.identify(Identify::Code(text));
            }
            DeviceEvent::ScanRejected { .. } => self.identify(Identify::Unreadable),
            DeviceEvent::CardTap { uid } if self.screen.get() == Screen::Welcome => {
                self.link_card(uid)
            }
            DeviceEvent::CardTap { uid } => self.identify(Identify::Card(uid)),
            DeviceEvent::CardRemoved { .. } => {}
        }
    }

    pub fn device_events_handled(&self) -> u64 {
        self.device_events.get()
    }

    fn show_device_state(&self, device: DeviceKind, state: DeviceState) {
        let status = match state {
            DeviceState::NotConfigured => DeviceStatus::NotConfigured,
            DeviceState::Simulated => DeviceStatus::Simulated,
            DeviceState::Connected => DeviceStatus::Connected,
            DeviceState::Disconnected => DeviceStatus::Disconnected,
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let kiosk = app.global::<KioskAdapter>();
        match device {
            DeviceKind::Scanner => kiosk.set_scanner_status(status),
            DeviceKind::Nfc => {
                self.nfc_available.set(matches!(
                    state,
                    DeviceState::Connected | DeviceState::Simulated
                ));
                kiosk.set_nfc_status(status);
            }
        }
    }

    /// Screens on which a scan or tap looks the member up (not while someone is joining).
    fn accepts_identification(&self) -> bool {
        matches!(
            self.screen.get(),
            Screen::Attract | Screen::Lookup | Screen::Recognised
        )
    }

    fn identify(&self, what: Identify) {
        if !self.accepts_identification() {
            tracing::debug!("scan or tap ignored on this screen");
            return;
        }
        let flow = self.flow.get();
        let result = self
            .store
            .submit(move |store| -> Result<Option<(E164, i64)>, StoreError> {
                let member = match &what {
                    Identify::Code(code) => store.member_by_code(code)?,
                    Identify::Card(uid) => store.member_by_card(uid)?,
                    Identify::Unreadable => None,
                };
                member
                    .map(|m| Ok((m.phone, store.balance(&m.id)?)))
                    .transpose()
            });
        let me = self.me.clone();
        let spawned = slint::spawn_local(async move {
            let found = result.await.unwrap_or(Err(StoreError::WorkerGone));
            if let Some(c) = me.upgrade() {
                c.show_recognised(flow, found);
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot schedule the member lookup: {e}");
        }
    }

    fn show_recognised(&self, flow: u64, found: Result<Option<(E164, i64)>, StoreError>) {
        // The customer moved on (e.g. tapped Join) while the lookup ran.
        if flow != self.flow.get() || !self.accepts_identification() {
            return;
        }
        let found = found.unwrap_or_else(|e| {
            tracing::error!("member lookup failed: {e}");
            None
        });
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let adapter = app.global::<RecognisedAdapter>();
        adapter.set_known(found.is_some());
        if let Some((phone, balance)) = found {
            adapter.set_masked_phone(phone.masked().into());
            adapter.set_balance(i32::try_from(balance).unwrap_or(i32::MAX));
        } else {
            tracing::info!("scan or tap did not match a member");
        }
        self.go(Screen::Recognised);
    }

    /// A card tapped on the welcome screen is linked to the member just welcomed.
    fn link_card(&self, uid: String) {
        let Some(member_id) = self.welcomed_member.borrow().clone() else {
            return;
        };
        self.activity();
        let result = self
            .store
            .submit(move |store| store.link_card(&uid, &member_id));
        let app = self.app.clone();
        let store = self.store.clone();
        let spawned = slint::spawn_local(async move {
            match result.await.unwrap_or(Err(StoreError::WorkerGone)) {
                Ok(_) => {
                    store.notify_outbox();
                    if let Some(app) = app.upgrade() {
                        app.global::<WelcomeAdapter>().set_card_linked(true);
                    }
                    tracing::info!("card linked to the new member");
                }
                Err(e) => tracing::error!("card not linked: {e}"),
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot schedule the card link: {e}");
        }
    }
}

/// What a scan or tap identified the customer by.
enum Identify {
    Code(String),
    Card(String),
    Unreadable,
}
