//! The points controller: owns `PointsAdapter` for the "My points" and balance pages, looks
//! up whoever a scan or tap identifies through [`MemberLookup`], and shows only the masked
//! number and the balance. The balance page clears itself as the navigator's policy says.
use std::rc::{Rc, Weak};

use slint::ComponentHandle;

use super::navigator::{Navigator, Page};
use super::ports::{Identify, MemberLookup, MemberSummary};
use super::tasks::Tasks;
use super::{AppWindow, PointsAdapter};
use crate::logging::{LogBudget, SUMMARY_INTERVAL};

static UNKNOWN: LogBudget = LogBudget::new("scan or tap did not match a member", SUMMARY_INTERVAL);

pub struct PointsController {
    me: Weak<PointsController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    members: Rc<dyn MemberLookup>,
}

impl PointsController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        members: Rc<dyn MemberLookup>,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| PointsController {
            me: me.clone(),
            app,
            nav,
            tasks,
            members,
        });
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                c.render(None);
            }
        });
        controller
    }

    /// Wires `PointsAdapter`; `join` is what its "Join" button starts.
    pub fn bind(self: &Rc<Self>, app: &AppWindow, join: impl Fn() + 'static) {
        let adapter = app.global::<PointsAdapter>();
        adapter.on_join(join);
        let me = self.me.clone();
        adapter.on_done(move || {
            if let Some(c) = me.upgrade() {
                c.nav.go(Page::Attract);
            }
        });
    }

    /// "My points" on the attract screen.
    pub fn show_help(&self) {
        self.nav.go(Page::Lookup);
    }

    /// A scan or tap identified someone (or something): look them up off the UI thread.
    pub fn identify(&self, by: Identify) {
        let me = self.me.clone();
        self.tasks
            .then("a member lookup", self.members.identify(by), move |found| {
                let Some(c) = me.upgrade() else { return };
                let found = found.unwrap_or_else(|e| {
                    tracing::error!("member lookup failed: {e}");
                    None
                });
                if found.is_none() && UNKNOWN.allow(std::time::Instant::now()) {
                    tracing::info!("scan or tap did not match a member");
                }
                c.show(found);
            });
    }

    /// A scan that was not a usable code.
    pub fn unreadable(&self) {
        self.show(None);
    }

    fn show(&self, found: Option<MemberSummary>) {
        self.render(found.as_ref());
        self.nav.go(Page::Balance);
    }

    fn render(&self, member: Option<&MemberSummary>) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let adapter = app.global::<PointsAdapter>();
        adapter.set_known(member.is_some());
        adapter.set_masked_phone(member.map(|m| m.masked_phone.as_str()).unwrap_or("").into());
        adapter.set_balance(member.map_or(0, |m| i32::try_from(m.balance).unwrap_or(i32::MAX)));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ui::navigator::testing::navigator;
    use crate::ui::ports::fakes::Fakes;
    use crate::ui::tasks::testing::InlineSpawn;

    #[test]
    fn a_code_shows_the_balance_and_a_late_answer_never_lands_elsewhere() {
        let (nav, alarm, _view) = navigator(Duration::from_secs(60));
        let store = Rc::new(Fakes::default());
        let spawn = Rc::new(InlineSpawn::default());
        let points = PointsController::new(
            slint::Weak::default(),
            nav.clone(),
            Tasks::new(nav.clone(), spawn.clone()),
            store.clone(),
        );
        store.add_member("+85291234567", "alice", 250);
        points.identify(Identify::Code("alice".into()));
        assert_eq!(nav.page(), Page::Balance);
        assert_eq!(
            alarm.armed_for(),
            Some(Duration::from_secs(15)),
            "member data clears within 15 s, whatever the shop says"
        );
        nav.go(Page::Attract);

        // A scan on the attract screen, then the customer taps Join before the answer.
        store.hold.set(true);
        points.identify(Identify::Code("alice".into()));
        nav.go(Page::Join);
        store.release();
        assert_eq!(spawn.run_pending(), 0);
        assert_eq!(nav.page(), Page::Join, "the customer is not yanked away");

        // Garbage from the scanner says "unknown" rather than nothing.
        nav.go(Page::Attract);
        points.unreadable();
        assert_eq!(nav.page(), Page::Balance);
    }
}
