//! The screen state machine, in plain Rust: which page shows, the policy table that says
//! what each page does with idleness and with scans and card taps, the flow token that keeps
//! a late storage result from reaching the next customer, and the reset that runs on every
//! return to the attract screen (shop's language, every adapter with member data cleared,
//! the staff session ended).
//!
//! No Slint types: time reaches it through the [`Alarm`] trait and the screen through
//! [`NavView`], so it is table-tested with a manual alarm.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

/// Every page the kiosk can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Attract,
    Join,
    /// The neutral answer to a join with a number that is already a member.
    AlreadyMember,
    Welcome,
    /// "My points": how to identify yourself.
    Lookup,
    /// "My points" by phone number and a one-time code.
    PhoneLookup,
    /// The result of a scan or tap: the member's balance, or "unknown code".
    Balance,
    StaffPin,
    /// Staff home: device, sync and today's figures; the way to awards and redemptions.
    Staff,
    /// Staff mode: scan the member's code, or the member taps their card.
    StaffMember,
    /// Staff mode: a purchase amount, the points it earns, and the award.
    StaffAward,
    /// Staff mode: a reward, the member's proof if needed, and the redemption.
    StaffRedeem,
    /// Staff mode: the surveys to hand out, what follows sign-ups and awards, smiley mode.
    StaffSurveys,
    /// Staff mode: survey results for today or this week.
    StaffResults,
    /// A survey's first page: Start, and a member may scan or tap to link their answers.
    SurveyStart,
    /// One survey question (the same page for each).
    Survey,
    /// "Thank you", for a few seconds.
    SurveyThanks,
}

impl Page {
    pub const ALL: [Page; 17] = [
        Page::Attract,
        Page::Join,
        Page::AlreadyMember,
        Page::Welcome,
        Page::Lookup,
        Page::PhoneLookup,
        Page::Balance,
        Page::StaffPin,
        Page::Staff,
        Page::StaffMember,
        Page::StaffAward,
        Page::StaffRedeem,
        Page::StaffSurveys,
        Page::StaffResults,
        Page::SurveyStart,
        Page::Survey,
        Page::SurveyThanks,
    ];

    /// Pages only a signed-in member of staff sees.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Page::Staff
                | Page::StaffMember
                | Page::StaffAward
                | Page::StaffRedeem
                | Page::StaffSurveys
                | Page::StaffResults
        )
    }
}

/// What a scan or a card tap does on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceUse {
    /// Nothing: someone is busy with the screen.
    Ignore,
    /// Look the member up and show their balance.
    Identify,
    /// Link the card to the member just welcomed (only inside their link window).
    LinkCard,
    /// Find the member staff are serving (for an award or a redemption).
    StaffIdentify,
    /// Link the survey about to start to the member.
    SurveyIdentify,
}

/// How long a page waits for a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// Stays until someone acts (the attract screen).
    Never,
    /// The shop's idle timeout.
    Shop,
    /// The shop's idle timeout, of which the last `warning` show "Are you still there?".
    ShopWithWarning { warning: Duration },
    /// The staff session's idle time: then the session ends (back to the attract screen).
    /// A staff page with member data first goes back to staff home after at most
    /// [`MEMBER_DATA_IDLE`], the rest of the session's time counting on.
    StaffSession,
    /// A few seconds, whatever the shop's timeout (a thank-you page).
    Brief,
}

/// What an idle alarm does when it rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterIdle {
    /// Back to the attract screen.
    Home,
    /// Ask "Are you still there?" for this long, then home.
    StillThere(Duration),
    /// Back to staff home (the member's data cleared); home after this much longer.
    StaffHome(Duration),
}

/// One row of the policy table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub idle: Idle,
    pub scan: DeviceUse,
    pub tap: DeviceUse,
    /// Leaving the page ends the customer's flow: late results are dropped and every
    /// controller clears what it holds.
    pub leaving_ends_flow: bool,
    /// The page shows a member's data, so it clears itself within [`MEMBER_DATA_IDLE`].
    pub shows_member_data: bool,
}

/// The longest a page with member data stays up without a touch.
pub const MEMBER_DATA_IDLE: Duration = Duration::from_secs(15);
/// How long a page with [`Idle::Brief`] stays.
pub const BRIEF_IDLE: Duration = Duration::from_secs(5);
/// How long "Are you still there?" counts down before a half-filled form clears.
pub const STILL_THERE_WARNING: Duration = Duration::from_secs(10);

/// The policy table: one row per page.
pub fn policy(page: Page) -> Policy {
    use DeviceUse::{Identify, Ignore, LinkCard, StaffIdentify, SurveyIdentify};
    let row = |idle, scan, tap, leaving_ends_flow, shows_member_data| Policy {
        idle,
        scan,
        tap,
        leaving_ends_flow,
        shows_member_data,
    };
    let warn = Idle::ShopWithWarning {
        warning: STILL_THERE_WARNING,
    };
    match page {
        Page::Attract => row(Idle::Never, Identify, Identify, false, false),
        Page::Join => row(warn, Ignore, Ignore, false, false),
        Page::AlreadyMember => row(Idle::Shop, Identify, Identify, false, false),
        Page::Welcome => row(Idle::Shop, Ignore, LinkCard, true, true),
        Page::Lookup => row(Idle::Shop, Identify, Identify, false, false),
        // A typed number is forgotten on leaving; a scan or tap is still the quicker way.
        Page::PhoneLookup => row(warn, Identify, Identify, true, false),
        Page::Balance => row(Idle::Shop, Identify, Identify, true, true),
        Page::StaffPin => row(Idle::Shop, Ignore, Ignore, false, false),
        // A scan on staff home starts an award, the commonest thing at a counter.
        Page::Staff => row(
            Idle::StaffSession,
            StaffIdentify,
            StaffIdentify,
            false,
            false,
        ),
        Page::StaffMember => row(
            Idle::StaffSession,
            StaffIdentify,
            StaffIdentify,
            false,
            false,
        ),
        Page::StaffAward => row(Idle::StaffSession, Ignore, Ignore, true, true),
        Page::StaffRedeem => row(Idle::StaffSession, Ignore, Ignore, true, true),
        Page::StaffSurveys => row(Idle::StaffSession, Ignore, Ignore, false, false),
        Page::StaffResults => row(Idle::StaffSession, Ignore, Ignore, false, false),
        // The member's masked number shows once they scan: member data.
        Page::SurveyStart => row(Idle::Shop, SurveyIdentify, SurveyIdentify, false, true),
        // Leaving the questions ends the survey: unfinished, it is abandoned and its
        // answers go.
        Page::Survey => row(warn, Ignore, Ignore, true, false),
        Page::SurveyThanks => row(Idle::Brief, Ignore, Ignore, false, false),
    }
}

/// When a page's idle alarm first rings and what it does then, given the shop's timeout and
/// the staff session's.
pub fn idle_plan(page: Page, shop: Duration, session: Duration) -> Option<(Duration, AfterIdle)> {
    let p = policy(page);
    let cap = |d: Duration| {
        if p.shows_member_data {
            d.min(MEMBER_DATA_IDLE)
        } else {
            d
        }
    };
    match p.idle {
        Idle::Never => None,
        Idle::Shop => Some((cap(shop), AfterIdle::Home)),
        Idle::Brief => Some((BRIEF_IDLE, AfterIdle::Home)),
        Idle::ShopWithWarning { warning } => {
            let total = cap(shop);
            let warning = warning.min(total / 2);
            Some((total - warning, AfterIdle::StillThere(warning)))
        }
        Idle::StaffSession => {
            let first = cap(session);
            match session.saturating_sub(first) {
                rest if rest.is_zero() => Some((first, AfterIdle::Home)),
                rest => Some((first, AfterIdle::StaffHome(rest))),
            }
        }
    }
}

/// A one-shot timer. The Slint glue backs it with `slint::Timer`; tests ring it by hand.
pub trait Alarm {
    /// (Re)arms the alarm: `ring` runs once after `after`, unless cancelled or re-armed.
    fn set(&self, after: Duration, ring: Box<dyn FnOnce()>);
    fn cancel(&self);
}

/// What the navigator asks of the screen.
pub trait NavView {
    fn show(&self, page: Page);
    /// `Some(remaining)`: show "Are you still there?" counting down; `None`: hide it.
    fn still_there(&self, remaining: Option<Duration>);
    /// The next customer starts in the shop's language.
    fn reset_language(&self);
}

/// A token for the page visit a storage result belongs to: it changes whenever another page
/// is shown and on every return to the attract screen, so a result that comes back late
/// never lands on a page (or a customer) it was not meant for.
pub type Flow = u64;

pub struct Navigator {
    me: Weak<Navigator>,
    page: Cell<Page>,
    flow: Cell<Flow>,
    shop_idle: Cell<Duration>,
    staff_session: Cell<Duration>,
    warning: Cell<Option<Duration>>,
    alarm: Box<dyn Alarm>,
    view: Box<dyn NavView>,
    flow_end: RefCell<Vec<Hook>>,
    home: RefCell<Vec<Hook>>,
    arrive: RefCell<Vec<(Page, Hook)>>,
}

/// Something a controller asked to run at a moment of the navigation.
type Hook = Rc<dyn Fn()>;

impl Navigator {
    pub fn new(shop_idle: Duration, alarm: Box<dyn Alarm>, view: Box<dyn NavView>) -> Rc<Self> {
        Rc::new_cyclic(|me| Navigator {
            me: me.clone(),
            page: Cell::new(Page::Attract),
            flow: Cell::new(0),
            shop_idle: Cell::new(shop_idle),
            staff_session: Cell::new(Duration::from_secs(60)),
            warning: Cell::new(None),
            alarm,
            view,
            flow_end: RefCell::new(Vec::new()),
            home: RefCell::new(Vec::new()),
            arrive: RefCell::new(Vec::new()),
        })
    }

    pub fn page(&self) -> Page {
        self.page.get()
    }

    pub fn policy(&self) -> Policy {
        policy(self.page.get())
    }

    /// The current flow; compare it later with [`Navigator::is_current`].
    pub fn flow(&self) -> Flow {
        self.flow.get()
    }

    pub fn is_current(&self, flow: Flow) -> bool {
        self.flow.get() == flow
    }

    /// The shop's idle timeout changed (from the CRM); applies from the next page shown.
    pub fn set_shop_idle(&self, idle: Duration) {
        self.shop_idle.set(idle);
    }

    /// How long a staff session lasts without a touch; applies from the next page shown.
    pub fn set_staff_session(&self, idle: Duration) {
        self.staff_session.set(idle);
    }

    /// `clear` runs whenever a flow ends: controllers forget the member they held.
    pub fn on_flow_end(&self, clear: impl Fn() + 'static) {
        self.flow_end.borrow_mut().push(Rc::new(clear));
    }

    /// `f` runs on every arrival at the attract screen, after the flow has ended: the staff
    /// session ends there.
    pub fn on_home(&self, f: impl Fn() + 'static) {
        self.home.borrow_mut().push(Rc::new(f));
    }

    /// `f` runs each time `page` is shown, by whatever path (a button, an idle timeout), once
    /// it is the current page: a result it asks for belongs to this visit.
    pub fn on_arrive(&self, page: Page, f: impl Fn() + 'static) {
        self.arrive.borrow_mut().push((page, Rc::new(f)));
    }

    /// Shows `page`. Arriving at the attract screen, or leaving a page whose policy says so,
    /// ends the customer's flow (every controller clears what it holds); arriving at the
    /// attract screen also restores the shop's language.
    pub fn go(&self, page: Page) {
        let from = self.page.replace(page);
        self.hide_warning();
        if from != page || page == Page::Attract {
            self.flow.set(self.flow.get().wrapping_add(1));
        }
        if page == Page::Attract || (from != page && policy(from).leaving_ends_flow) {
            self.end_flow();
        }
        if page == Page::Attract {
            let hooks: Vec<Hook> = self.home.borrow().clone();
            for hook in hooks {
                hook();
            }
            self.view.reset_language();
        }
        self.view.show(page);
        self.arm();
        if from != page {
            let hooks: Vec<Hook> = self
                .arrive
                .borrow()
                .iter()
                .filter(|(p, _)| *p == page)
                .map(|(_, f)| f.clone())
                .collect();
            for hook in hooks {
                hook();
            }
        }
    }

    /// Someone touched the screen: the idle countdown starts again.
    pub fn touch(&self) {
        self.hide_warning();
        self.arm();
    }

    fn end_flow(&self) {
        let hooks: Vec<Hook> = self.flow_end.borrow().clone();
        for clear in hooks {
            clear();
        }
    }

    fn hide_warning(&self) {
        if self.warning.take().is_some() {
            self.view.still_there(None);
        }
    }

    fn arm(&self) {
        let plan = idle_plan(
            self.page.get(),
            self.shop_idle.get(),
            self.staff_session.get(),
        );
        match plan {
            Some((after, then)) => self.arm_for(after, then),
            None => self.alarm.cancel(),
        }
    }

    fn arm_for(&self, after: Duration, then: AfterIdle) {
        let me = self.me.clone();
        let page = self.page.get();
        self.alarm.set(
            after,
            Box::new(move || {
                if let Some(nav) = me.upgrade() {
                    nav.rang(page, then);
                }
            }),
        );
    }

    fn rang(&self, page: Page, then: AfterIdle) {
        if self.page.get() != page {
            return;
        }
        match then {
            AfterIdle::StillThere(remaining) if self.warning.get().is_none() => {
                tracing::debug!(?page, "idle: asking whether the customer is still there");
                self.warning.set(Some(remaining));
                self.view.still_there(Some(remaining));
                self.arm_for(remaining, AfterIdle::Home);
            }
            AfterIdle::StaffHome(rest) => {
                tracing::debug!(?page, "idle: the member's data cleared, back to staff home");
                self.go(Page::Staff);
                self.arm_for(rest, AfterIdle::Home);
            }
            _ => {
                tracing::debug!(?page, "idle timeout: back to the attract screen");
                self.go(Page::Attract);
            }
        }
    }
}

#[cfg(test)]
pub mod testing {
    //! A hand-rung alarm and a recording view, for tests of anything built on the navigator.
    use super::*;

    /// What an armed alarm will run, and after how long.
    pub type Armed = (Duration, Box<dyn FnOnce()>);

    #[derive(Default)]
    pub struct ManualAlarm {
        pub armed: RefCell<Option<Armed>>,
    }

    impl Alarm for Rc<ManualAlarm> {
        fn set(&self, after: Duration, ring: Box<dyn FnOnce()>) {
            *self.armed.borrow_mut() = Some((after, ring));
        }
        fn cancel(&self) {
            self.armed.borrow_mut().take();
        }
    }

    impl ManualAlarm {
        pub fn armed_for(&self) -> Option<Duration> {
            self.armed.borrow().as_ref().map(|(d, _)| *d)
        }
        /// Rings the alarm as if its time had come.
        pub fn ring(&self) {
            let ring = self.armed.borrow_mut().take().map(|(_, r)| r);
            if let Some(ring) = ring {
                ring();
            }
        }
    }

    #[derive(Default)]
    pub struct RecordingView {
        pub shown: RefCell<Vec<Page>>,
        pub still_there: RefCell<Option<Duration>>,
        pub language_resets: Cell<u32>,
    }

    impl NavView for Rc<RecordingView> {
        fn show(&self, page: Page) {
            self.shown.borrow_mut().push(page);
        }
        fn still_there(&self, remaining: Option<Duration>) {
            *self.still_there.borrow_mut() = remaining;
        }
        fn reset_language(&self) {
            self.language_resets.set(self.language_resets.get() + 1);
        }
    }

    pub fn navigator(shop_idle: Duration) -> (Rc<Navigator>, Rc<ManualAlarm>, Rc<RecordingView>) {
        let alarm = Rc::new(ManualAlarm::default());
        let view = Rc::new(RecordingView::default());
        let nav = Navigator::new(shop_idle, Box::new(alarm.clone()), Box::new(view.clone()));
        (nav, alarm, view)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::navigator;
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_policy_table() {
        use AfterIdle::*;
        use DeviceUse::*;
        // page, scan, tap, leaving ends flow, member data, idle with a 30 s shop timeout and
        // a 60 s staff session (first ring, then).
        #[rustfmt::skip]
        let table = [
            (Page::Attract,       Identify,      Identify,      false, false, None),
            (Page::Join,          Ignore,        Ignore,        false, false, Some((S(20), StillThere(S(10))))),
            (Page::AlreadyMember, Identify,      Identify,      false, false, Some((S(30), Home))),
            (Page::Welcome,       Ignore,        LinkCard,      true,  true,  Some((S(15), Home))),
            (Page::Lookup,        Identify,      Identify,      false, false, Some((S(30), Home))),
            (Page::PhoneLookup,   Identify,      Identify,      true,  false, Some((S(20), StillThere(S(10))))),
            (Page::Balance,       Identify,      Identify,      true,  true,  Some((S(15), Home))),
            (Page::StaffPin,      Ignore,        Ignore,        false, false, Some((S(30), Home))),
            (Page::Staff,         StaffIdentify, StaffIdentify, false, false, Some((S(60), Home))),
            (Page::StaffMember,   StaffIdentify, StaffIdentify, false, false, Some((S(60), Home))),
            (Page::StaffAward,    Ignore,        Ignore,        true,  true,  Some((S(15), StaffHome(S(45))))),
            (Page::StaffRedeem,   Ignore,        Ignore,        true,  true,  Some((S(15), StaffHome(S(45))))),
            (Page::StaffSurveys,  Ignore,        Ignore,        false, false, Some((S(60), Home))),
            (Page::StaffResults,  Ignore,        Ignore,        false, false, Some((S(60), Home))),
            (Page::SurveyStart,   SurveyIdentify, SurveyIdentify, false, true, Some((S(15), Home))),
            (Page::Survey,        Ignore,        Ignore,        true,  false, Some((S(20), StillThere(S(10))))),
            (Page::SurveyThanks,  Ignore,        Ignore,        false, false, Some((S(5), Home))),
        ];
        assert_eq!(table.len(), Page::ALL.len(), "one row per page");
        for (page, scan, tap, ends, data, idle) in table {
            let p = policy(page);
            assert_eq!((p.scan, p.tap), (scan, tap), "{page:?} devices");
            assert_eq!(p.leaving_ends_flow, ends, "{page:?} ends flow");
            assert_eq!(p.shows_member_data, data, "{page:?} member data");
            assert_eq!(idle_plan(page, S(30), S(60)), idle, "{page:?} idle");
        }
    }

    #[test]
    fn member_data_never_stays_longer_than_15_s_whatever_the_shop_says() {
        for page in Page::ALL {
            if policy(page).shows_member_data {
                for idle in [S(5), S(30), S(3600)] {
                    let (first, _) = idle_plan(page, idle, idle).expect("times out");
                    assert!(first <= MEMBER_DATA_IDLE, "{page:?}");
                }
            }
        }
        // A short shop timeout still halves into countdown and wait.
        assert_eq!(
            idle_plan(Page::Join, S(8), S(60)),
            Some((S(4), AfterIdle::StillThere(S(4))))
        );
        // A staff session shorter than 15 s ends straight from a member's page.
        assert_eq!(
            idle_plan(Page::StaffAward, S(30), S(15)),
            Some((S(15), AfterIdle::Home))
        );
    }

    #[test]
    fn a_staff_session_ends_exactly_its_idle_time_after_the_last_touch() {
        let (nav, alarm, _view) = navigator(S(30));
        let home = Rc::new(Cell::new(0));
        let h = home.clone();
        nav.on_home(move || h.set(h.get() + 1));
        let arrived = Rc::new(Cell::new(0));
        let a = arrived.clone();
        nav.on_arrive(Page::Staff, move || a.set(a.get() + 1));
        nav.go(Page::StaffAward);
        // 15 s: the member's data goes, staff home shows, 45 s of the session left.
        assert_eq!(alarm.armed_for(), Some(S(15)));
        alarm.ring();
        assert_eq!(nav.page(), Page::Staff);
        assert_eq!(alarm.armed_for(), Some(S(45)));
        assert_eq!(
            arrived.get(),
            1,
            "staff home refreshes however it is reached"
        );
        assert_eq!(home.get(), 0, "the session goes on");
        alarm.ring();
        assert_eq!(nav.page(), Page::Attract);
        assert_eq!(home.get(), 1, "the session has ended");
    }

    #[test]
    fn idleness_warns_then_returns_to_attract_and_resets() {
        let (nav, alarm, view) = navigator(S(30));
        let cleared = Rc::new(Cell::new(0));
        let c = cleared.clone();
        nav.on_flow_end(move || c.set(c.get() + 1));
        nav.go(Page::Join);
        let flow = nav.flow();
        assert_eq!(alarm.armed_for(), Some(S(20)));
        alarm.ring();
        assert_eq!(*view.still_there.borrow(), Some(S(10)), "countdown shown");
        assert_eq!(nav.page(), Page::Join);
        // A touch during the countdown keeps the form.
        nav.touch();
        assert_eq!(*view.still_there.borrow(), None);
        assert_eq!(alarm.armed_for(), Some(S(20)));
        alarm.ring();
        alarm.ring();
        assert_eq!(nav.page(), Page::Attract);
        assert!(!nav.is_current(flow), "a late result is dropped");
        assert_eq!(cleared.get(), 1);
        assert_eq!(view.language_resets.get(), 1);
        assert_eq!(alarm.armed_for(), None, "the attract screen waits for ever");
    }

    #[test]
    fn every_return_to_attract_resets_but_moving_on_within_a_flow_does_not() {
        let (nav, _alarm, view) = navigator(S(30));
        let cleared = Rc::new(Cell::new(0));
        let c = cleared.clone();
        nav.on_flow_end(move || c.set(c.get() + 1));
        nav.go(Page::Join);
        let flow = nav.flow();
        nav.go(Page::Join);
        assert!(nav.is_current(flow), "staying on a page keeps its results");
        nav.go(Page::Welcome);
        assert!(
            !nav.is_current(flow),
            "a result for the join page is not for the welcome"
        );
        assert_eq!(cleared.get(), 0, "join → welcome is one customer's flow");
        assert_eq!(
            view.language_resets.get(),
            0,
            "the customer's language stays"
        );
        nav.go(Page::Attract); // Done
        assert_eq!(view.language_resets.get(), 1);
        nav.go(Page::Lookup);
        nav.go(Page::Attract); // Back
        assert_eq!(view.language_resets.get(), 2);
        // Leaving the balance screen ends that member's flow even without going home.
        nav.go(Page::Balance);
        let before = cleared.get();
        nav.go(Page::Join);
        assert_eq!(cleared.get(), before + 1, "the member's data is cleared");
        assert_eq!(
            *view.shown.borrow(),
            [
                Page::Join,
                Page::Join,
                Page::Welcome,
                Page::Attract,
                Page::Lookup,
                Page::Attract,
                Page::Balance,
                Page::Join
            ]
        );
    }

    #[test]
    fn a_ring_meant_for_another_page_is_ignored() {
        let (nav, alarm, _view) = navigator(S(30));
        nav.go(Page::Lookup);
        let stale = alarm.armed.borrow_mut().take();
        nav.go(Page::Join);
        if let Some((_, ring)) = stale {
            ring();
        }
        assert_eq!(nav.page(), Page::Join);
    }

    #[test]
    fn the_shops_timeout_applies_from_the_next_page() {
        let (nav, alarm, _view) = navigator(S(30));
        nav.go(Page::Lookup);
        nav.set_shop_idle(S(60));
        assert_eq!(alarm.armed_for(), Some(S(30)));
        nav.go(Page::StaffPin);
        assert_eq!(alarm.armed_for(), Some(S(60)));
        nav.set_staff_session(S(120));
        nav.go(Page::Staff);
        assert_eq!(alarm.armed_for(), Some(S(120)));
    }
}
