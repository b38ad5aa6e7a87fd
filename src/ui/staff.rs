//! The staff controller: owns `StaffAdapter`. Five quick taps on the attract screen's hidden
//! corner open sign-in (only when staff are configured): a name, then that person's PIN,
//! checked off the UI thread against its argon2id hash, with the lock-out kept in storage.
//! Staff home shows who is signed in, today's figures, the last award or redemption to undo,
//! the brightness, and the sync and device state. Nothing here blocks: storage answers
//! through [`Tasks`], the sync status and device states arrive through
//! [`StaffController::show_sync_status`] and [`StaffController::show_device`].
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::navigator::{Alarm, Navigator, Page};
use super::ports::{Brightness, StaffLedger, day_start};
use super::staff_session::{SignedIn, StaffSession};
use super::tasks::Tasks;
use super::{AppWindow, DeviceStatus, PinProblem, RejectedKind, StaffAdapter, SyncLink, UndoState};
use crate::devices::{DeviceKind, DeviceState};
use crate::domain::staff::pin::{MAX_DIGITS, MIN_DIGITS};
use crate::domain::staff::{StaffMember, undoable};
use crate::store::staff_auth::SignIn;
use crate::store::staff_ledger::{LastAction, UndoOutcome};
use crate::sync::{Link, SyncStatus};

/// Taps on the hidden corner that open sign-in, and the time they must fall within.
const CORNER_TAPS: usize = 5;
const CORNER_WINDOW: Duration = Duration::from_secs(3);
/// One press of − or + on the brightness control.
const BRIGHTNESS_STEP: i32 = 10;

/// What is being typed on the sign-in page.
#[derive(Default)]
struct SignInState {
    picked: Option<usize>,
    entered: String,
    checking: bool,
    corner_taps: Vec<Instant>,
}

pub struct StaffController {
    me: Weak<StaffController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    session: Rc<StaffSession>,
    ledger: Rc<dyn StaffLedger>,
    brightness: Option<Rc<dyn Brightness>>,
    utc_offset: time::UtcOffset,
    staff: Vec<StaffMember>,
    sign_in: RefCell<SignInState>,
    /// Rings when a sign-in lock runs out, so OK works again without leaving the page.
    lock_alarm: Box<dyn Alarm>,
    /// The action Undo on staff home would reverse.
    last: RefCell<Option<LastAction>>,
    undo_state: Cell<UndoState>,
}

/// What the staff controller is built from.
pub struct StaffSetup {
    pub staff: Vec<StaffMember>,
    pub session: Rc<StaffSession>,
    pub ledger: Rc<dyn StaffLedger>,
    pub brightness: Option<Rc<dyn Brightness>>,
    pub utc_offset: time::UtcOffset,
    pub lock_alarm: Box<dyn Alarm>,
}

impl StaffController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        setup: StaffSetup,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| StaffController {
            me: me.clone(),
            app,
            nav,
            tasks,
            session: setup.session,
            ledger: setup.ledger,
            brightness: setup.brightness,
            utc_offset: setup.utc_offset,
            staff: setup.staff,
            sign_in: RefCell::new(SignInState::default()),
            lock_alarm: setup.lock_alarm,
            last: RefCell::new(None),
            undo_state: Cell::new(UndoState::None),
        });
        // Back on the attract screen, whatever the way: the session is over and nothing
        // typed stays.
        let me = controller.me.clone();
        controller.nav.on_home(move || {
            if let Some(c) = me.upgrade() {
                c.session.end("idle");
                let mut s = c.sign_in.borrow_mut();
                s.entered.clear();
                s.picked = None;
                drop(s);
                c.last.borrow_mut().take();
                c.render_sign_in();
            }
        });
        let me = controller.me.clone();
        controller.nav.on_arrive(Page::Staff, move || {
            if let Some(c) = me.upgrade() {
                c.refresh_home();
            }
        });
        controller
    }

    pub fn bind(
        self: &Rc<Self>,
        app: &AppWindow,
        award: impl Fn() + 'static,
        redeem: impl Fn() + 'static,
        start_survey: impl Fn() + 'static,
    ) {
        let staff = app.global::<StaffAdapter>();
        let names: Vec<SharedString> = self.staff.iter().map(|s| s.name.as_str().into()).collect();
        staff.set_names(ModelRc::new(VecModel::from(names)));
        if let Some(b) = &self.brightness {
            staff.set_has_backlight(true);
            staff.set_brightness(i32::from(b.percent()));
        }
        let with = |f: fn(&StaffController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    f(&c);
                }
            }
        };
        staff.on_cancel(with(|c| c.nav.go(Page::Attract)));
        staff.on_exit(with(|c| {
            c.session.end("done");
            c.nav.go(Page::Attract)
        }));
        staff.on_pin_backspace(with(|c| {
            c.edit_pin(|entered| {
                entered.pop();
            })
        }));
        staff.on_pin_clear(with(|c| c.edit_pin(String::clear)));
        staff.on_pin_submit(with(StaffController::submit_pin));
        staff.on_undo_last(with(StaffController::undo_last));
        let me = self.me.clone();
        staff.on_pin_digit(move |digit: SharedString| {
            if let Some(c) = me.upgrade() {
                c.edit_pin(|entered| {
                    if entered.len() < MAX_DIGITS && digit.chars().all(|d| d.is_ascii_digit()) {
                        entered.push_str(&digit);
                    }
                });
            }
        });
        let me = self.me.clone();
        staff.on_pick(move |index| {
            if let Some(c) = me.upgrade() {
                c.pick(usize::try_from(index).ok());
            }
        });
        let me = self.me.clone();
        staff.on_brightness_step(move |step| {
            if let Some(c) = me.upgrade() {
                c.brightness_step(step);
            }
        });
        let signed_in = |f: Box<dyn Fn()>| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade()
                    && c.session.staff_id().is_some()
                {
                    c.nav.touch();
                    f();
                }
            }
        };
        staff.on_award(signed_in(Box::new(award)));
        staff.on_redeem(signed_in(Box::new(redeem)));
        staff.on_start_survey(signed_in(Box::new(start_survey)));
    }

    /// A tap on the attract screen's hidden corner.
    pub fn corner_tapped(&self) {
        if self.staff.is_empty() {
            return; // nobody configured: staff mode cannot be opened
        }
        let open = {
            let mut s = self.sign_in.borrow_mut();
            let now = Instant::now();
            s.corner_taps
                .retain(|t| now.duration_since(*t) <= CORNER_WINDOW);
            s.corner_taps.push(now);
            if s.corner_taps.len() >= CORNER_TAPS {
                s.corner_taps.clear();
                true
            } else {
                false
            }
        };
        if open && self.nav.page() == Page::Attract {
            self.open_sign_in();
        }
    }

    fn open_sign_in(&self) {
        {
            let mut s = self.sign_in.borrow_mut();
            s.entered.clear();
            s.checking = false;
            // With one member of staff there is nobody to pick.
            s.picked = (self.staff.len() == 1).then_some(0);
        }
        self.show_pin_problem(PinProblem::None, 0, 0);
        self.render_sign_in();
        self.nav.go(Page::StaffPin);
        // Say at once when sign-in is locked, rather than after a PIN.
        let me = self.me.clone();
        self.tasks.then(
            "the staff lock-out",
            self.session.auth().locked_for(),
            move |locked| {
                if let (Some(c), Ok(Some(remaining))) = (me.upgrade(), locked) {
                    c.show_locked(remaining);
                }
            },
        );
    }

    fn pick(&self, index: Option<usize>) {
        self.nav.touch();
        let valid = index.filter(|i| *i < self.staff.len());
        {
            let mut s = self.sign_in.borrow_mut();
            s.picked = valid;
            s.entered.clear();
        }
        self.render_sign_in();
    }

    fn edit_pin(&self, f: impl FnOnce(&mut String)) {
        self.nav.touch();
        {
            let mut s = self.sign_in.borrow_mut();
            if s.checking {
                return;
            }
            f(&mut s.entered);
        }
        self.render_sign_in();
    }

    fn submit_pin(&self) {
        self.nav.touch();
        let (who, entered) = {
            let mut s = self.sign_in.borrow_mut();
            let Some(who) = s.picked.and_then(|i| self.staff.get(i)).cloned() else {
                return;
            };
            if s.checking || s.entered.len() < MIN_DIGITS {
                return;
            }
            s.checking = true;
            (who, std::mem::take(&mut s.entered))
        };
        self.render_sign_in();
        let me = self.me.clone();
        let name = who.name.clone();
        let id = who.id.clone();
        self.tasks.then(
            "a staff PIN check",
            self.session.auth().sign_in(who, entered),
            move |outcome| {
                let Some(c) = me.upgrade() else { return };
                c.sign_in.borrow_mut().checking = false;
                c.render_sign_in();
                match outcome {
                    Ok(SignIn::Open) => {
                        c.session.start(SignedIn { id, name });
                        c.show_home();
                    }
                    Ok(SignIn::Wrong { tries_left }) => {
                        tracing::warn!(staff = id, tries_left, "wrong staff PIN");
                        c.show_pin_problem(PinProblem::Wrong, tries_left, 0);
                    }
                    Ok(SignIn::Locked { remaining }) => {
                        tracing::warn!(
                            staff = id,
                            seconds = remaining.as_secs(),
                            "staff sign-in locked after wrong PINs"
                        );
                        c.show_locked(remaining);
                    }
                    Err(e) => {
                        tracing::error!("staff PIN not checked: {e}");
                        c.show_pin_problem(PinProblem::Failed, 0, 0);
                    }
                }
            },
        );
    }

    fn show_locked(&self, remaining: Duration) {
        let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
        self.show_pin_problem(PinProblem::Locked, 0, secs.max(1));
        let me = self.me.clone();
        self.lock_alarm.set(
            remaining,
            Box::new(move || {
                if let Some(c) = me.upgrade() {
                    c.show_pin_problem(PinProblem::None, 0, 0);
                }
            }),
        );
    }

    fn render_sign_in(&self) {
        let s = self.sign_in.borrow();
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            staff.set_picked(s.picked.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
            staff.set_pin_entered(i32::try_from(s.entered.len()).unwrap_or(0));
            staff.set_checking(s.checking);
        }
    }

    fn show_pin_problem(&self, problem: PinProblem, tries_left: u32, locked_secs: u64) {
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            staff.set_pin_problem(problem);
            staff.set_tries_left(i32::try_from(tries_left).unwrap_or(0));
            staff.set_locked_seconds(i32::try_from(locked_secs).unwrap_or(i32::MAX));
        }
    }

    /// Staff home (its figures are read afresh on arrival).
    pub fn show_home(&self) {
        if self.session.staff_id().is_none() {
            self.nav.go(Page::Attract);
            return;
        }
        self.nav.go(Page::Staff);
    }

    /// On every arrival at staff home: who is signed in, today's figures, the last action.
    fn refresh_home(&self) {
        let Some(who) = self.session.current() else {
            // Staff home without a session is never shown.
            self.nav.go(Page::Attract);
            return;
        };
        if let Some(app) = self.app.upgrade() {
            app.global::<StaffAdapter>()
                .set_staff_name(who.name.as_str().into());
        }
        self.undo_state.set(UndoState::None);
        self.render_undo();
        let me = self.me.clone();
        self.tasks.then(
            "today's figures",
            self.ledger.day_figures(day_start(self.utc_offset)),
            move |figures| {
                let (Some(c), Ok(f)) = (me.upgrade(), figures) else {
                    return;
                };
                if let Some(app) = c.app.upgrade() {
                    let staff = app.global::<StaffAdapter>();
                    let n = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
                    staff.set_today_signups(n(f.signups));
                    staff.set_today_awards(n(f.awards));
                    staff.set_today_redemptions(n(f.redemptions));
                    staff.set_today_points(i32::try_from(f.points_issued).unwrap_or(i32::MAX));
                }
            },
        );
        let me = self.me.clone();
        self.tasks.then(
            "the last staff action",
            self.ledger.last_action(),
            move |last| {
                let Some(c) = me.upgrade() else { return };
                *c.last.borrow_mut() = last.unwrap_or_else(|e| {
                    tracing::warn!("the last staff action not read: {e}");
                    None
                });
                c.render_undo();
            },
        );
    }

    fn render_undo(&self) {
        let last = self.last.borrow();
        let now_ms =
            i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                .unwrap_or(i64::MAX);
        let can = last
            .as_ref()
            .is_some_and(|l| undoable(l.made_at_ms, now_ms));
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            staff.set_can_undo(can);
            staff.set_undo_state(self.undo_state.get());
            if let Some(l) = last.as_ref() {
                staff.set_undo_masked(l.masked.as_str().into());
                staff.set_undo_points(i32::try_from(l.delta).unwrap_or(0));
                staff.set_undo_redemption(l.redemption);
            }
        }
    }

    fn undo_last(&self) {
        self.nav.touch();
        let target = self.last.borrow().as_ref().map(|l| l.client_id.clone());
        let Some(undo) = target.and_then(|t| self.session.undo(self.ledger.as_ref(), t)) else {
            return;
        };
        let me = self.me.clone();
        self.tasks.then("an undo", undo, move |outcome| {
            let Some(c) = me.upgrade() else { return };
            c.undo_state.set(undo_state(&outcome));
            c.render_undo();
        });
    }

    fn brightness_step(&self, direction: i32) {
        self.nav.touch();
        let Some(b) = &self.brightness else { return };
        let level = (i32::from(b.percent()) + direction.signum() * BRIGHTNESS_STEP).clamp(0, 100);
        b.set_percent(u8::try_from(level).unwrap_or(100));
        if let Some(app) = self.app.upgrade() {
            app.global::<StaffAdapter>()
                .set_brightness(i32::from(b.percent()));
        }
    }

    /// A device connected or went away: staff see it; customers are not bothered with it.
    pub fn show_device(&self, device: DeviceKind, state: DeviceState) {
        let status = match state {
            DeviceState::NotConfigured => DeviceStatus::NotConfigured,
            DeviceState::Simulated => DeviceStatus::Simulated,
            DeviceState::Connected => DeviceStatus::Connected,
            DeviceState::Disconnected => DeviceStatus::Disconnected,
        };
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            match device {
                DeviceKind::Scanner => staff.set_scanner_status(status),
                DeviceKind::Nfc => staff.set_nfc_status(status),
            }
        }
    }

    /// The sync loop's latest state, for the staff page. The CRM's own error text goes to
    /// the log only: it is English and may name the CRM's address.
    pub fn show_sync_status(&self, status: &SyncStatus) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let staff = app.global::<StaffAdapter>();
        staff.set_link(match status.link {
            Link::NotConfigured => SyncLink::NotConfigured,
            Link::Connecting => SyncLink::Connecting,
            Link::Online => SyncLink::Online,
            Link::Offline => SyncLink::Offline,
            Link::Failing => SyncLink::Failing,
            Link::Unauthorized => SyncLink::Unauthorized,
        });
        staff.set_last_sync(short_time(status.last_sync_at.as_deref()).into());
        staff.set_queue_depth(i32::try_from(status.queue_depth).unwrap_or(i32::MAX));
        staff.set_queue_warning(status.queue_warning());
        staff.set_rejected_count(i32::try_from(status.rejected_count).unwrap_or(i32::MAX));
        // Only the event kind: the reason is the CRM's own (English) text, kept in the log.
        let kind = status
            .latest_rejection
            .as_deref()
            .and_then(|r| r.split(':').next());
        staff.set_latest_rejection(rejected_kind(kind));
        staff.set_quarantined_database(status.quarantined.clone().unwrap_or_default().into());
    }
}

pub fn undo_state(outcome: &Result<UndoOutcome, crate::store::StoreError>) -> UndoState {
    match outcome {
        Ok(UndoOutcome::Undone { .. }) => UndoState::Undone,
        Ok(UndoOutcome::TooLate) => UndoState::TooLate,
        Ok(UndoOutcome::NotLast) => UndoState::NotLast,
        Err(e) => {
            tracing::error!("undo not saved: {e}");
            UndoState::Failed
        }
    }
}

fn rejected_kind(kind: Option<&str>) -> RejectedKind {
    match kind {
        None => RejectedKind::None,
        Some("member_joined") => RejectedKind::SignUp,
        Some("card_linked") => RejectedKind::CardLink,
        Some("consent_recorded") => RejectedKind::Consent,
        Some("points_adjusted") => RejectedKind::Points,
        Some("reward_redeemed") => RejectedKind::Redemption,
        Some("survey_answered") => RejectedKind::Survey,
        Some(_) => RejectedKind::Other,
    }
}

/// "2026-11-23T03:04:05.123Z" → "2026-11-23 03:04 UTC".
fn short_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) if t.len() >= 16 => format!("{} {} UTC", &t[..10], &t[11..16]),
        Some(t) => t.to_owned(),
        None => String::new(),
    }
}
