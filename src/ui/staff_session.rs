//! Who is signed in to staff mode, if anyone. Plain Rust, shared by the staff controllers:
//! every award, redemption and undo carries the signed-in staff id, and nothing in staff
//! mode happens without one. The session ends on "Done", or when the navigator returns to
//! the attract screen (the staff session's idle time, or anything else), and the end is
//! recorded in the audit trail.
use std::cell::RefCell;
use std::rc::Rc;

use super::ports::{Pending, StaffAuth, StaffLedger};
use crate::store::staff_ledger::UndoOutcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub id: String,
    pub name: String,
}

pub struct StaffSession {
    current: RefCell<Option<SignedIn>>,
    auth: Rc<dyn StaffAuth>,
}

impl StaffSession {
    pub fn new(auth: Rc<dyn StaffAuth>) -> Rc<StaffSession> {
        Rc::new(StaffSession {
            current: RefCell::new(None),
            auth,
        })
    }

    pub fn auth(&self) -> &Rc<dyn StaffAuth> {
        &self.auth
    }

    pub fn start(&self, who: SignedIn) {
        tracing::info!(staff = who.id, "staff mode opened");
        *self.current.borrow_mut() = Some(who);
    }

    pub fn current(&self) -> Option<SignedIn> {
        self.current.borrow().clone()
    }

    pub fn staff_id(&self) -> Option<String> {
        self.current.borrow().as_ref().map(|s| s.id.clone())
    }

    /// Undoes `target` (a client id) in the signed-in staff member's name, with a client id
    /// of its own; `None` when nobody is signed in.
    pub fn undo(&self, ledger: &dyn StaffLedger, target: String) -> Option<Pending<UndoOutcome>> {
        let staff_id = self.staff_id()?;
        Some(ledger.undo(target, uuid::Uuid::now_v7().to_string(), staff_id))
    }

    /// Ends the session, if there is one, recording why (`done`, `idle`).
    pub fn end(&self, why: &'static str) {
        let ended = self.current.borrow_mut().take();
        if let Some(who) = ended {
            tracing::info!(staff = who.id, why, "staff mode closed");
            self.auth.signed_out(who.id, why);
        }
    }
}
