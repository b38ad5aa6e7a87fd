//! The points controller: owns `PointsAdapter` for the "My points" and balance pages, looks
//! up whoever a scan or tap identifies through [`MemberLookup`], and shows the masked
//! number, points, tier, expiring points and rewards, never the number. Refused codes say
//! why; guessing is paused by the [`LookupThrottle`]; an unknown card may join with that
//! card. The balance page clears itself as the navigator's policy says.
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, ModelRc, VecModel};

use super::convert::{code_problem, int, names};
use super::navigator::{Navigator, Page};
use super::ports::{Identified, Identify, MemberLookup, MemberSummary};
use super::tasks::Tasks;
use super::{AppWindow, BalanceState, CodeProblem, PointsAdapter, RewardLine};
use crate::domain::lookup_throttle::LookupThrottle;
use crate::domain::loyalty::tiers::TierBasis;
use crate::domain::member_code::CodeError;
use crate::logging::{LogBudget, SUMMARY_INTERVAL};

static UNKNOWN: LogBudget = LogBudget::new("scan or tap did not match a member", SUMMARY_INTERVAL);

pub struct PointsController {
    me: Weak<PointsController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    members: Rc<dyn MemberLookup>,
    throttle: RefCell<LookupThrottle>,
    /// The unknown card on screen, for "Join with this card"; gone when the flow ends.
    unknown_card: RefCell<Option<String>>,
}

impl PointsController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        members: Rc<dyn MemberLookup>,
        throttle: LookupThrottle,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| PointsController {
            me: me.clone(),
            app,
            nav,
            tasks,
            members,
            throttle: RefCell::new(throttle),
            unknown_card: RefCell::new(None),
        });
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                c.unknown_card.borrow_mut().take();
                c.render(&Identified::UnknownMember);
            }
        });
        controller
    }

    /// Wires `PointsAdapter`; `join` is what its "Join" button starts, `join_with_card`
    /// what "Join with this card" starts, with the card's UID.
    pub fn bind(
        self: &Rc<Self>,
        app: &AppWindow,
        join: impl Fn() + 'static,
        join_with_card: impl Fn(String) + 'static,
    ) {
        let adapter = app.global::<PointsAdapter>();
        adapter.on_join(join);
        let me = self.me.clone();
        adapter.on_join_with_card(move || {
            let Some(c) = me.upgrade() else { return };
            // Taken, not copied: the card goes to this one sign-up.
            let card = c.unknown_card.borrow_mut().take();
            if let Some(uid) = card {
                join_with_card(uid);
            }
        });
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

    /// A scan or tap identified someone (or something): look them up off the UI thread,
    /// unless guessing has paused lookups.
    pub fn identify(&self, by: Identify) {
        if self.paused() {
            return;
        }
        let card = match &by {
            Identify::Card(uid) => Some(uid.clone()),
            Identify::Code(_) | Identify::Verified(_) => None,
        };
        let me = self.me.clone();
        self.tasks
            .then("a member lookup", self.members.identify(by), move |found| {
                let Some(c) = me.upgrade() else { return };
                let found = found.unwrap_or_else(|e| {
                    tracing::error!("member lookup failed: {e}");
                    Identified::UnknownMember
                });
                c.show(found, card);
            });
    }

    /// A scan that was not a usable code (garbage from the scanner).
    pub fn unreadable(&self) {
        if !self.paused() {
            self.show(Identified::Refused(CodeError::Malformed), None);
        }
    }

    /// Shows the pause screen if lookups are paused.
    fn paused(&self) -> bool {
        let Some(left) = self.throttle.borrow().paused(Instant::now()) else {
            return false;
        };
        tracing::info!(
            secs_left = left.as_secs(),
            "lookup ignored: lookups are paused after too many unknown codes"
        );
        self.render_pause(left);
        self.nav.go(Page::Balance);
        true
    }

    fn show(&self, found: Identified, card: Option<String>) {
        match &found {
            Identified::Member(_) => {}
            miss => {
                if UNKNOWN.allow(Instant::now()) {
                    tracing::info!(outcome = ?miss, "scan or tap did not match a member");
                }
                if self.throttle.borrow_mut().miss(Instant::now()) {
                    tracing::warn!(
                        "too many unknown or refused codes and cards within a minute: lookups \
                         pause (someone may be guessing codes)"
                    );
                }
            }
        }
        // The page first: arriving may end the flow before it (leaving the phone lookup
        // does), which clears this page's adapter and the card on offer.
        self.nav.go(Page::Balance);
        *self.unknown_card.borrow_mut() = match found {
            Identified::UnknownCard => card,
            _ => None,
        };
        self.render(&found);
    }

    fn render_pause(&self, left: Duration) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let adapter = app.global::<PointsAdapter>();
        adapter.set_state(BalanceState::Paused);
        // Whole seconds, rounded up: "wait 30 s" the moment the pause starts.
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        adapter.set_pause_seconds(i32::try_from(secs).unwrap_or(i32::MAX));
    }

    fn render(&self, found: &Identified) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let adapter = app.global::<PointsAdapter>();
        let (state, problem) = match found {
            Identified::Member(_) => (BalanceState::Member, CodeProblem::NotACode),
            Identified::Refused(e) => (BalanceState::Refused, code_problem(*e)),
            Identified::UnknownMember => (BalanceState::UnknownMember, CodeProblem::NotACode),
            Identified::UnknownCard => (BalanceState::UnknownCard, CodeProblem::NotACode),
        };
        adapter.set_state(state);
        adapter.set_problem(problem);
        let member = match found {
            Identified::Member(m) => Some(&**m),
            _ => None,
        };
        render_member(&adapter, member);
    }
}

/// An amount in minor units with two decimals (tiers by spend).
fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// Fills (or, for `None`, clears) everything personal on the balance page.
fn render_member(adapter: &PointsAdapter<'_>, member: Option<&MemberSummary>) {
    let view = member.map(|m| &m.view);
    adapter.set_masked_phone(member.map(|m| m.masked_phone.as_str()).unwrap_or("").into());
    adapter.set_balance(int(view.map_or(0, |v| v.balance)));
    adapter.set_tier_names(names(view.and_then(|v| v.tier.as_ref())));
    adapter.set_next_tier_names(names(
        view.and_then(|v| v.next_tier.as_ref().map(|(n, _)| n)),
    ));
    let spend = view.is_some_and(|v| v.tier_basis == TierBasis::Spend);
    adapter.set_spend_basis(spend);
    let needed = view
        .and_then(|v| v.next_tier.as_ref())
        .map(|(_, n)| *n)
        .unwrap_or(0);
    adapter.set_next_needed(
        if spend {
            amount(needed)
        } else {
            needed.to_string()
        }
        .into(),
    );
    adapter.set_progress(view.map_or(0.0, |v| v.progress));
    let expiring = view.and_then(|v| v.expiring.clone());
    adapter.set_expiring_points(int(expiring.as_ref().map_or(0, |(p, _)| *p)));
    adapter.set_expiring_date(expiring.map(|(_, d)| d).unwrap_or_default().into());
    let rewards: Vec<RewardLine> = view
        .map(|v| {
            v.rewards
                .iter()
                .map(|(name, cost)| RewardLine {
                    names: names(Some(name)),
                    cost: int(*cost),
                })
                .collect()
        })
        .unwrap_or_default();
    adapter.set_rewards(ModelRc::new(VecModel::from(rewards)));
    let next = view.and_then(|v| v.next_reward.as_ref());
    adapter.set_next_reward_names(names(next.map(|(n, _)| n)));
    adapter.set_next_reward_short(int(next.map_or(0, |(_, s)| *s)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::navigator::testing::navigator;
    use crate::ui::ports::fakes::Fakes;
    use crate::ui::tasks::testing::InlineSpawn;

    #[allow(clippy::type_complexity)]
    fn controller(
        pause_after: u32,
    ) -> (
        Rc<PointsController>,
        Rc<Navigator>,
        Rc<crate::ui::navigator::testing::ManualAlarm>,
        Rc<Fakes>,
        Rc<InlineSpawn>,
    ) {
        let (nav, alarm, _view) = navigator(Duration::from_secs(60));
        let store = Rc::new(Fakes::default());
        let spawn = Rc::new(InlineSpawn::default());
        let points = PointsController::new(
            slint::Weak::default(),
            nav.clone(),
            Tasks::new(nav.clone(), spawn.clone()),
            store.clone(),
            LookupThrottle::new(pause_after, Duration::from_secs(30)),
        );
        (points, nav, alarm, store, spawn)
    }

    #[test]
    fn a_code_shows_the_balance_and_a_late_answer_never_lands_elsewhere() {
        let (points, nav, alarm, store, spawn) = controller(5);
        store.add_member("+85291234567", "alice", 250);
        points.identify(Identify::Code("code:alice".into()));
        assert_eq!(nav.page(), Page::Balance);
        assert_eq!(
            alarm.armed_for(),
            Some(Duration::from_secs(15)),
            "member data clears within 15 s, whatever the shop says"
        );
        nav.go(Page::Attract);

        // A scan on the attract screen, then the customer taps Join before the answer.
        store.hold.set(true);
        points.identify(Identify::Code("code:alice".into()));
        nav.go(Page::Join);
        store.release();
        assert_eq!(spawn.run_pending(), 0);
        assert_eq!(nav.page(), Page::Join, "the customer is not yanked away");

        // Garbage from the scanner says "not a code" rather than nothing.
        nav.go(Page::Attract);
        points.unreadable();
        assert_eq!(nav.page(), Page::Balance);
    }

    #[test]
    fn an_unknown_card_is_offered_once_and_forgotten_when_the_flow_ends() {
        let (points, nav, _alarm, _store, _spawn) = controller(5);
        points.identify(Identify::Card("04A1B2C3".into()));
        assert_eq!(points.unknown_card.borrow().as_deref(), Some("04A1B2C3"));
        nav.go(Page::Attract);
        assert_eq!(
            *points.unknown_card.borrow(),
            None,
            "the next customer cannot join with it"
        );
    }

    #[test]
    fn guessing_pauses_lookups_and_a_valid_code_does_not_reset_the_count() {
        let (points, nav, _alarm, store, _spawn) = controller(3);
        store.add_member("+85291234567", "alice", 250);
        points.identify(Identify::Code("guess-1".into()));
        points.identify(Identify::Code("code:alice".into()));
        points.identify(Identify::Code("guess-2".into()));
        assert!(points.throttle.borrow().paused(Instant::now()).is_none());
        points.identify(Identify::Code("guess-3".into()));
        assert!(points.throttle.borrow().paused(Instant::now()).is_some());
        // While paused even a valid code is not looked up.
        nav.go(Page::Attract);
        store.hold.set(true);
        points.identify(Identify::Code("code:alice".into()));
        assert_eq!(nav.page(), Page::Balance);
        store.release();
    }
}
