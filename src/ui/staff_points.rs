//! The staff points controller: owns `StaffPointsAdapter`. Finds the member staff are
//! serving (their code scanned, or their card tapped), then awards points for a purchase
//! amount or redeems a reward, and undoes either within two minutes. Every write carries the
//! signed-in staff id and a client id made once per action, so a retry after a failed save
//! never doubles. Who must be stopped: someone with a photographed code (a saved code spends
//! nothing without the member's last four digits), a kiosk that has lost its CRM (it spends
//! only what the CRM last confirmed), and a slip of the finger (the award and daily limits,
//! and Undo). The member's data clears as the navigator's policy says.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::convert::{code_problem, int, names};
use super::navigator::{Navigator, Page};
use super::ports::{Identify, StaffIdentified, StaffLedger, day_start};
use super::staff::undo_state;
use super::staff_session::StaffSession;
use super::tasks::Tasks;
use super::{
    AppWindow, AwardProblem, AwardStep, CodeProblem, RedeemProblem, RedeemStep, RewardState,
    StaffFind, StaffIntent, StaffPointsAdapter, StaffReward, UndoState,
};
use crate::domain::loyalty::earning::{AwardRefusal, format_amount};
use crate::domain::loyalty::redemption::{Link, PROOF_TRIES, RedeemRefusal};
use crate::domain::member_code::CodeError;
use crate::store::staff_ledger::{
    AwardOutcome, AwardRequest, RedeemOutcome, RedeemRequest, StaffMemberInfo, UndoOutcome,
};

/// The longest amount staff can type, in digits.
const MAX_AMOUNT_DIGITS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Award,
    Redeem,
}

/// Everything about the member being served; cleared when the flow ends.
#[derive(Default)]
struct Serving {
    member: Option<StaffMemberInfo>,
    amount: String,
    /// The client id of the award or redemption being saved: kept for a retry after a
    /// failed save, made anew when the amount or the reward changes.
    client_id: Option<String>,
    chosen: Option<usize>,
    proof: String,
    proof_tries_left: u32,
    proven: bool,
    /// The client id of the action just made, for Undo.
    done: Option<String>,
}

pub struct StaffPointsController {
    me: Weak<StaffPointsController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    session: Rc<StaffSession>,
    ledger: Rc<dyn StaffLedger>,
    utc_offset: time::UtcOffset,
    currency: String,
    decimals: u8,
    intent: Cell<Intent>,
    redeem_step: Cell<RedeemStep>,
    link: Cell<Link>,
    serving: RefCell<Serving>,
    /// Staff home (the staff controller's).
    home: RefCell<Option<Box<dyn Fn()>>>,
    /// What "Done" after an award hands the member to (a survey that follows awards);
    /// `false` when nothing follows.
    after_award: RefCell<Option<super::FollowUp>>,
}

/// What the staff points controller is built from.
pub struct StaffPointsSetup {
    pub session: Rc<StaffSession>,
    pub ledger: Rc<dyn StaffLedger>,
    /// The currency's code and decimal places, as amounts are typed and shown.
    pub currency: String,
    pub decimals: u8,
    pub utc_offset: time::UtcOffset,
}

impl StaffPointsController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        setup: StaffPointsSetup,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| StaffPointsController {
            me: me.clone(),
            app,
            nav,
            tasks,
            session: setup.session,
            ledger: setup.ledger,
            utc_offset: setup.utc_offset,
            currency: setup.currency,
            decimals: setup.decimals,
            intent: Cell::new(Intent::Award),
            redeem_step: Cell::new(RedeemStep::Choosing),
            link: Cell::new(Link::Standalone),
            serving: RefCell::new(Serving::default()),
            home: RefCell::new(None),
            after_award: RefCell::new(None),
        });
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                *c.serving.borrow_mut() = Serving::default();
                c.render();
            }
        });
        controller
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow, home: impl Fn() + 'static) {
        *self.home.borrow_mut() = Some(Box::new(home));
        let adapter = app.global::<StaffPointsAdapter>();
        adapter.set_currency(self.currency.as_str().into());
        let with = |f: fn(&StaffPointsController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    c.nav.touch();
                    f(&c);
                }
            }
        };
        adapter.on_amount_backspace(with(|c| {
            c.edit_amount(|a| {
                a.pop();
            })
        }));
        adapter.on_amount_clear(with(|c| c.edit_amount(String::clear)));
        adapter.on_confirm_award(with(StaffPointsController::confirm_award));
        adapter.on_proof_backspace(with(|c| {
            c.edit_proof(|p| {
                p.pop();
            })
        }));
        adapter.on_proof_clear(with(|c| c.edit_proof(String::clear)));
        adapter.on_confirm_redeem(with(StaffPointsController::confirm_redeem));
        adapter.on_undo(with(StaffPointsController::undo));
        adapter.on_back(with(StaffPointsController::back));
        adapter.on_next_member(with(|c| c.start(c.intent.get())));
        adapter.on_done(with(StaffPointsController::done));
        let me = self.me.clone();
        adapter.on_amount_digit(move |d: SharedString| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.edit_amount(|a| {
                    let leading_zero = a.is_empty() && d.as_str() == "0";
                    if a.len() < MAX_AMOUNT_DIGITS
                        && !leading_zero
                        && d.chars().all(|c| c.is_ascii_digit())
                    {
                        a.push_str(&d);
                    }
                });
            }
        });
        let me = self.me.clone();
        adapter.on_proof_digit(move |d: SharedString| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.proof_digit(&d);
            }
        });
        let me = self.me.clone();
        adapter.on_choose_reward(move |index| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.choose(usize::try_from(index).ok());
            }
        });
    }

    /// Whether the CRM is reachable now: offline, redemptions are capped.
    pub fn set_link(&self, link: Link) {
        self.link.set(link);
    }

    /// "Award points" or "Redeem a reward" on staff home: which member?
    pub fn start(&self, intent: Intent) {
        if self.session.staff_id().is_none() {
            self.nav.go(Page::Attract);
            return;
        }
        self.intent.set(intent);
        self.nav.go(Page::StaffMember);
        *self.serving.borrow_mut() = Serving::default();
        self.render();
        self.set_find(StaffFind::Waiting, None);
    }

    /// A scan or tap on staff home or the member page.
    pub fn identify(&self, by: Identify) {
        if self.session.staff_id().is_none() {
            return;
        }
        if self.nav.page() == Page::Staff {
            // A scan on staff home is the first step of an award.
            self.intent.set(Intent::Award);
            self.nav.go(Page::StaffMember);
            self.render();
        }
        self.nav.touch();
        self.set_find(StaffFind::Looking, None);
        let me = self.me.clone();
        self.tasks.then(
            "a staff member lookup",
            self.ledger.identify(by),
            move |found| {
                let Some(c) = me.upgrade() else { return };
                match found {
                    Ok(StaffIdentified::Member(info)) => c.serve(*info),
                    Ok(StaffIdentified::Refused(e)) => c.set_find(StaffFind::Refused, Some(e)),
                    Ok(StaffIdentified::Unknown) => c.set_find(StaffFind::Unknown, None),
                    Err(e) => {
                        tracing::error!("member lookup for staff failed: {e}");
                        c.set_find(StaffFind::Failed, None);
                    }
                }
            },
        );
    }

    /// A scan that was not a usable code.
    pub fn unreadable(&self) {
        if self.session.staff_id().is_some() && self.nav.page() == Page::StaffMember {
            self.set_find(StaffFind::Refused, Some(CodeError::Malformed));
        }
    }

    fn serve(&self, info: StaffMemberInfo) {
        let page = match self.intent.get() {
            Intent::Award => Page::StaffAward,
            Intent::Redeem => Page::StaffRedeem,
        };
        // The page first: arriving clears whatever the last member left.
        self.nav.go(page);
        *self.serving.borrow_mut() = Serving {
            member: Some(info),
            proof_tries_left: PROOF_TRIES,
            ..Serving::default()
        };
        self.set_award_step(AwardStep::Entering);
        self.set_redeem_step(RedeemStep::Choosing, RedeemProblem::None);
        self.set_undo(UndoState::None);
        self.render();
    }

    /// `next(member id, masked number)` runs on "Done" after an award.
    pub fn after_award(&self, next: impl Fn(String, String) -> bool + 'static) {
        *self.after_award.borrow_mut() = Some(Box::new(next));
    }

    fn done(&self) {
        let awarded = {
            let s = self.serving.borrow();
            match (&s.member, &s.done, self.intent.get()) {
                (Some(m), Some(_), Intent::Award) => Some((m.member_id.clone(), m.masked.clone())),
                _ => None,
            }
        };
        let shown = match (awarded, self.after_award.borrow().as_ref()) {
            (Some((member, masked)), Some(next)) => next(member, masked),
            _ => false,
        };
        if !shown {
            self.go_home();
        }
    }

    fn go_home(&self) {
        if let Some(home) = self.home.borrow().as_ref() {
            home();
        }
    }

    fn back(&self) {
        let in_redeem_detail = self.nav.page() == Page::StaffRedeem
            && matches!(
                self.redeem_step.get(),
                RedeemStep::Proof | RedeemStep::Confirm | RedeemStep::Failed
            );
        if in_redeem_detail {
            {
                let mut s = self.serving.borrow_mut();
                s.chosen = None;
                s.proof.clear();
                s.client_id = None;
            }
            self.set_redeem_step(RedeemStep::Choosing, RedeemProblem::None);
            self.render();
        } else {
            self.go_home();
        }
    }

    // Awards.

    fn edit_amount(&self, f: impl FnOnce(&mut String)) {
        {
            let mut s = self.serving.borrow_mut();
            if s.done.is_some() {
                return;
            }
            f(&mut s.amount);
            // Another amount is another award.
            s.client_id = None;
        }
        self.set_award_step(AwardStep::Entering);
        self.render();
    }

    fn amount_minor(amount: &str) -> i64 {
        amount.parse().unwrap_or(0)
    }

    fn confirm_award(&self) {
        let Some(staff_id) = self.session.staff_id() else {
            return;
        };
        let request = {
            let mut s = self.serving.borrow_mut();
            let Some(member) = s.member.as_ref() else {
                return;
            };
            if s.done.is_some() {
                return;
            }
            let amount = Self::amount_minor(&s.amount);
            let member_id = member.member_id.clone();
            let client_id = s
                .client_id
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            AwardRequest {
                client_id,
                member_id,
                amount_minor: amount,
                staff_id,
                day_start: day_start(self.utc_offset),
            }
        };
        self.set_award_step(AwardStep::Saving);
        let client_id = request.client_id.clone();
        let me = self.me.clone();
        self.tasks
            .then("an award", self.ledger.award(request), move |outcome| {
                let Some(c) = me.upgrade() else { return };
                match outcome {
                    Ok(AwardOutcome::Awarded {
                        points, balance, ..
                    }) => {
                        c.serving.borrow_mut().done = Some(client_id);
                        if let Some(app) = c.app.upgrade() {
                            let a = app.global::<StaffPointsAdapter>();
                            a.set_awarded(i32::try_from(points).unwrap_or(i32::MAX));
                            a.set_new_balance(i32::try_from(balance).unwrap_or(i32::MAX));
                        }
                        c.set_undo(UndoState::None);
                        c.set_award_step(AwardStep::Done);
                    }
                    Ok(AwardOutcome::Refused(refusal)) => {
                        c.set_award_step(AwardStep::Entering);
                        c.show_award_problem(Err(refusal));
                    }
                    Err(e) => {
                        tracing::error!("award not saved: {e}");
                        c.set_award_step(AwardStep::Failed);
                    }
                }
            });
    }

    fn show_award_problem(&self, preview: Result<(i64, String), AwardRefusal>) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<StaffPointsAdapter>();
        let (problem, limit) = match &preview {
            Ok(_) => (AwardProblem::None, 0),
            Err(AwardRefusal::NoAmount) => (AwardProblem::NoAmount, 0),
            Err(AwardRefusal::NoPoints) => (AwardProblem::NoPoints, 0),
            Err(AwardRefusal::OverAwardLimit { limit, .. }) => {
                (AwardProblem::OverAwardLimit, *limit)
            }
            Err(AwardRefusal::OverDailyLimit { limit }) => {
                (AwardProblem::OverDailyLimit, i64::from(*limit))
            }
        };
        a.set_award_problem(problem);
        a.set_limit(i32::try_from(limit).unwrap_or(i32::MAX));
        if let Ok((points, multiplier)) = preview {
            a.set_preview_points(i32::try_from(points).unwrap_or(i32::MAX));
            a.set_multiplier(multiplier.into());
        }
    }

    // Redemptions.

    fn reward_state(&self, member: &StaffMemberInfo, cost: i64) -> (RewardState, i64) {
        if cost > member.funds.balance {
            (RewardState::Short, cost - member.funds.balance.max(0))
        } else if cost > member.funds.spendable(self.link.get()) {
            (RewardState::Offline, 0)
        } else {
            (RewardState::Available, 0)
        }
    }

    fn choose(&self, index: Option<usize>) {
        let next = {
            let mut s = self.serving.borrow_mut();
            let Some(member) = s.member.as_ref() else {
                return;
            };
            let Some(reward) = index.and_then(|i| member.rewards.get(i)) else {
                return;
            };
            if self.reward_state(member, reward.cost).0 != RewardState::Available {
                return;
            }
            let needs_proof = member.presence.needs_proof() && !s.proven;
            s.chosen = index;
            s.client_id = None;
            s.proof.clear();
            if needs_proof && s.proof_tries_left == 0 {
                (RedeemStep::Choosing, RedeemProblem::ProofExhausted)
            } else if needs_proof {
                (RedeemStep::Proof, RedeemProblem::None)
            } else {
                (RedeemStep::Confirm, RedeemProblem::None)
            }
        };
        self.set_redeem_step(next.0, next.1);
        self.render();
    }

    fn edit_proof(&self, f: impl FnOnce(&mut String)) {
        f(&mut self.serving.borrow_mut().proof);
        self.render();
    }

    fn proof_digit(&self, digit: &str) {
        let check = {
            let mut s = self.serving.borrow_mut();
            if s.proof.len() < 4 && digit.chars().all(|c| c.is_ascii_digit()) {
                s.proof.push_str(digit);
            }
            match (&s.member, s.proof.len()) {
                (Some(m), 4) => Some((m.member_id.clone(), std::mem::take(&mut s.proof))),
                _ => None,
            }
        };
        self.render();
        let Some((member_id, typed)) = check else {
            return;
        };
        let me = self.me.clone();
        self.tasks.then(
            "the member's last four digits",
            self.ledger.last4_matches(member_id, typed),
            move |matched| {
                let Some(c) = me.upgrade() else { return };
                let next = {
                    let mut s = c.serving.borrow_mut();
                    match matched {
                        Ok(true) => {
                            s.proven = true;
                            (RedeemStep::Confirm, RedeemProblem::None)
                        }
                        Ok(false) => {
                            s.proof_tries_left = s.proof_tries_left.saturating_sub(1);
                            tracing::warn!(
                                tries_left = s.proof_tries_left,
                                "wrong last four digits for a redemption"
                            );
                            if s.proof_tries_left == 0 {
                                s.chosen = None;
                                (RedeemStep::Choosing, RedeemProblem::ProofExhausted)
                            } else {
                                (RedeemStep::Proof, RedeemProblem::WrongProof)
                            }
                        }
                        Err(e) => {
                            tracing::error!("last four digits not checked: {e}");
                            (RedeemStep::Proof, RedeemProblem::None)
                        }
                    }
                };
                c.set_redeem_step(next.0, next.1);
                c.render();
            },
        );
    }

    fn confirm_redeem(&self) {
        let Some(staff_id) = self.session.staff_id() else {
            return;
        };
        let request = {
            let mut s = self.serving.borrow_mut();
            let Some(member) = s.member.as_ref() else {
                return;
            };
            let Some(reward) = s.chosen.and_then(|i| member.rewards.get(i)) else {
                return;
            };
            if s.done.is_some() {
                return;
            }
            let (member_id, reward_id, presence) =
                (member.member_id.clone(), reward.id.clone(), member.presence);
            let proven = s.proven;
            let client_id = s
                .client_id
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            RedeemRequest {
                client_id,
                member_id,
                reward_id,
                staff_id,
                presence,
                proven,
                link: self.link.get(),
            }
        };
        self.set_redeem_step(RedeemStep::Saving, RedeemProblem::None);
        let client_id = request.client_id.clone();
        let me = self.me.clone();
        self.tasks.then(
            "a redemption",
            self.ledger.redeem(request),
            move |outcome| {
                let Some(c) = me.upgrade() else { return };
                let (step, problem) = match outcome {
                    Ok(RedeemOutcome::Redeemed { balance, .. }) => {
                        c.serving.borrow_mut().done = Some(client_id);
                        if let Some(app) = c.app.upgrade() {
                            app.global::<StaffPointsAdapter>()
                                .set_new_balance(i32::try_from(balance).unwrap_or(i32::MAX));
                        }
                        c.set_undo(UndoState::None);
                        (RedeemStep::Done, RedeemProblem::None)
                    }
                    Ok(RedeemOutcome::Refused(RedeemRefusal::NotEnoughPoints { .. })) => {
                        (RedeemStep::Choosing, RedeemProblem::NotEnough)
                    }
                    Ok(RedeemOutcome::Refused(RedeemRefusal::OfflineCap { spendable })) => {
                        if let Some(app) = c.app.upgrade() {
                            app.global::<StaffPointsAdapter>()
                                .set_spendable(i32::try_from(spendable).unwrap_or(0));
                        }
                        (RedeemStep::Choosing, RedeemProblem::OfflineCap)
                    }
                    Ok(RedeemOutcome::NeedsProof) => (RedeemStep::Proof, RedeemProblem::NeedsProof),
                    Ok(RedeemOutcome::UnknownReward) => {
                        (RedeemStep::Choosing, RedeemProblem::UnknownReward)
                    }
                    Err(e) => {
                        tracing::error!("redemption not saved: {e}");
                        (RedeemStep::Failed, RedeemProblem::None)
                    }
                };
                c.set_redeem_step(step, problem);
                c.render();
            },
        );
    }

    // Undo.

    fn undo(&self) {
        let target = self.serving.borrow().done.clone();
        let Some(undo) = target.and_then(|t| self.session.undo(self.ledger.as_ref(), t)) else {
            return;
        };
        let me = self.me.clone();
        self.tasks.then("an undo", undo, move |outcome| {
            let Some(c) = me.upgrade() else { return };
            if let (Ok(UndoOutcome::Undone { balance, .. }), Some(app)) =
                (&outcome, c.app.upgrade())
            {
                app.global::<StaffPointsAdapter>()
                    .set_new_balance(i32::try_from(*balance).unwrap_or(i32::MAX));
            }
            c.set_undo(undo_state(&outcome));
        });
    }

    // Rendering.

    fn set_find(&self, find: StaffFind, problem: Option<CodeError>) {
        if let Some(app) = self.app.upgrade() {
            let a = app.global::<StaffPointsAdapter>();
            a.set_find(find);
            a.set_code_problem(problem.map_or(CodeProblem::NotACode, code_problem));
        }
    }

    fn set_award_step(&self, step: AwardStep) {
        if let Some(app) = self.app.upgrade() {
            app.global::<StaffPointsAdapter>().set_award_step(step);
        }
    }

    fn set_redeem_step(&self, step: RedeemStep, problem: RedeemProblem) {
        self.redeem_step.set(step);
        if let Some(app) = self.app.upgrade() {
            let a = app.global::<StaffPointsAdapter>();
            a.set_redeem_step(step);
            a.set_redeem_problem(problem);
        }
    }

    fn set_undo(&self, state: UndoState) {
        if let Some(app) = self.app.upgrade() {
            app.global::<StaffPointsAdapter>().set_undo_state(state);
        }
    }

    /// Maps what is held to the adapter (or clears it when nobody is served).
    fn render(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<StaffPointsAdapter>();
        a.set_intent(match self.intent.get() {
            Intent::Award => StaffIntent::Award,
            Intent::Redeem => StaffIntent::Redeem,
        });
        let s = self.serving.borrow();
        let member = s.member.as_ref();
        a.set_masked(member.map_or("", |m| m.masked.as_str()).into());
        a.set_balance(member.map_or(0, |m| int(m.view.balance)));
        a.set_tier_names(names(member.and_then(|m| m.view.tier.as_ref())));
        a.set_amount(format_amount(Self::amount_minor(&s.amount), self.decimals).into());
        a.set_proof_entered(int(i64::try_from(s.proof.len()).unwrap_or(0)));
        a.set_proof_tries_left(int(i64::from(s.proof_tries_left)));
        let link = self.link.get();
        a.set_offline(link == Link::Offline);
        a.set_spendable(member.map_or(0, |m| int(m.funds.spendable(link))));
        let rewards: Vec<StaffReward> = member
            .map(|m| {
                m.rewards
                    .iter()
                    .map(|r| {
                        let (state, short_by) = self.reward_state(m, r.cost);
                        StaffReward {
                            names: names(Some(&r.name)),
                            cost: int(r.cost),
                            state,
                            short_by: int(short_by),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        a.set_rewards(ModelRc::new(VecModel::from(rewards)));
        let chosen = member.and_then(|m| s.chosen.and_then(|i| m.rewards.get(i)));
        a.set_chosen(s.chosen.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
        a.set_chosen_names(names(chosen.map(|r| &r.name)));
        a.set_chosen_cost(chosen.map_or(0, |r| int(r.cost)));
        let preview = member.map(|m| {
            m.earning
                .award(
                    Self::amount_minor(&s.amount),
                    self.decimals,
                    m.view.tier_id.as_deref(),
                    m.awards_today,
                )
                .map(|award| {
                    let multiplier = if award.multiplier.0 == crate::domain::loyalty::earning::SCALE
                        || m.view.tier.is_none()
                    {
                        String::new()
                    } else {
                        award.multiplier.display()
                    };
                    (award.points, multiplier)
                })
        });
        drop(s);
        self.show_award_problem(preview.unwrap_or(Err(AwardRefusal::NoAmount)));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::loyalty::Entry;
    use crate::domain::loyalty::earning::EarningRules;
    use crate::domain::loyalty::redemption::{Funds, Presence};
    use crate::domain::loyalty::rewards::Reward;
    use crate::domain::loyalty::standing::{LoyaltyRules, MemberLedger, view};
    use crate::store::StoreError;
    use crate::store::staff_auth::SignIn;
    use crate::store::staff_ledger::{DayFigures, LastAction, RedeemOutcome, RedeemRequest};
    use crate::ui::navigator::testing::navigator;
    use crate::ui::ports::{Pending, StaffAuth};
    use crate::ui::staff_session::SignedIn;
    use crate::ui::tasks::testing::InlineSpawn;

    /// Storage that fails the first award, and remembers every request.
    #[derive(Default)]
    struct Ledger {
        awards: RefCell<Vec<AwardRequest>>,
        presence: Cell<Option<Presence>>,
    }

    fn ready<T: 'static>(v: Result<T, StoreError>) -> Pending<T> {
        Box::pin(std::future::ready(v))
    }

    impl StaffAuth for Ledger {
        fn locked_for(&self) -> Pending<Option<Duration>> {
            ready(Ok(None))
        }
        fn sign_in(&self, _: crate::domain::staff::StaffMember, _: String) -> Pending<SignIn> {
            ready(Ok(SignIn::Open))
        }
        fn signed_out(&self, _: String, _: &'static str) {}
    }

    impl StaffLedger for Ledger {
        fn identify(&self, _: Identify) -> Pending<StaffIdentified> {
            let ledger = MemberLedger {
                entries: vec![Entry::new(0, 500, 0)],
                ..Default::default()
            };
            ready(Ok(StaffIdentified::Member(Box::new(StaffMemberInfo {
                member_id: "m1".into(),
                masked: "****4567".into(),
                view: view(&LoyaltyRules::default(), &ledger, 1),
                funds: Funds {
                    balance: 500,
                    confirmed: Some(500),
                    pending_spend: 0,
                },
                presence: self.presence.get().unwrap_or(Presence::Card),
                earning: EarningRules::default(),
                awards_today: 0,
                rewards: vec![Reward {
                    id: "coffee".into(),
                    name: "Coffee".into(),
                    cost: 150,
                }],
            }))))
        }
        fn award(&self, request: AwardRequest) -> Pending<AwardOutcome> {
            let first = self.awards.borrow().is_empty();
            self.awards.borrow_mut().push(request);
            if first {
                return ready(Err(StoreError::WorkerGone));
            }
            ready(Ok(AwardOutcome::Awarded {
                points: 24,
                multiplier: crate::domain::loyalty::earning::Rate::ONE,
                balance: 524,
            }))
        }
        fn last4_matches(&self, _: String, typed: String) -> Pending<bool> {
            ready(Ok(typed == "4567"))
        }
        fn redeem(&self, _: RedeemRequest) -> Pending<RedeemOutcome> {
            ready(Err(StoreError::WorkerGone))
        }
        fn last_action(&self) -> Pending<Option<LastAction>> {
            ready(Ok(None))
        }
        fn undo(&self, _: String, _: String, _: String) -> Pending<UndoOutcome> {
            ready(Ok(UndoOutcome::NotLast))
        }
        fn day_figures(&self, _: String) -> Pending<DayFigures> {
            ready(Ok(DayFigures::default()))
        }
    }

    fn controller(ledger: Rc<Ledger>) -> (Rc<StaffPointsController>, Rc<Navigator>) {
        let (nav, _alarm, _view) = navigator(Duration::from_secs(30));
        let session = StaffSession::new(ledger.clone());
        session.start(SignedIn {
            id: "amy".into(),
            name: "Amy".into(),
        });
        let c = StaffPointsController::new(
            slint::Weak::default(),
            nav.clone(),
            Tasks::new(nav.clone(), Rc::new(InlineSpawn::default())),
            StaffPointsSetup {
                session,
                ledger,
                currency: "HKD".into(),
                decimals: 2,
                utc_offset: time::UtcOffset::UTC,
            },
        );
        (c, nav)
    }

    #[test]
    fn a_retry_after_a_failed_save_never_awards_twice_but_a_new_amount_is_a_new_award() {
        let ledger = Rc::new(Ledger::default());
        let (c, nav) = controller(ledger.clone());
        c.start(Intent::Award);
        c.identify(Identify::Card("04A1B2C3".into()));
        assert_eq!(nav.page(), Page::StaffAward);
        c.edit_amount(|a| a.push_str("2499"));
        c.confirm_award(); // the save fails
        assert!(c.serving.borrow().done.is_none());
        c.confirm_award(); // staff try again
        let ids: Vec<String> = ledger
            .awards
            .borrow()
            .iter()
            .map(|r| r.client_id.clone())
            .collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], ids[1], "the retry carries the same client id");
        assert_eq!(c.serving.borrow().done.as_deref(), Some(ids[0].as_str()));
        // Awarded: the amount is fixed now.
        c.edit_amount(|a| a.push('9'));
        assert_eq!(c.serving.borrow().amount, "2499");
        // The next member's award is another client id.
        c.start(Intent::Award);
        c.identify(Identify::Card("04A1B2C3".into()));
        c.edit_amount(|a| a.push_str("100"));
        c.confirm_award();
        let last = ledger.awards.borrow().last().map(|r| r.client_id.clone());
        assert_ne!(last.as_deref(), Some(ids[0].as_str()));
        assert!(ledger.awards.borrow().iter().all(|r| r.staff_id == "amy"));
    }

    #[test]
    fn a_saved_code_asks_for_the_last_four_digits_and_a_card_does_not() {
        for (presence, step) in [
            (Presence::SavedCode, RedeemStep::Proof),
            (Presence::LiveCode, RedeemStep::Confirm),
            (Presence::Card, RedeemStep::Confirm),
        ] {
            let ledger = Rc::new(Ledger::default());
            ledger.presence.set(Some(presence));
            let (c, _nav) = controller(ledger);
            c.start(Intent::Redeem);
            c.identify(Identify::Code("code".into()));
            c.choose(Some(0));
            assert_eq!(c.redeem_step.get(), step, "{presence:?}");
        }
        // Without a session nothing happens at all.
        let ledger = Rc::new(Ledger::default());
        let (c, nav) = controller(ledger.clone());
        c.session.end("done");
        c.identify(Identify::Card("04A1B2C3".into()));
        assert_ne!(nav.page(), Page::StaffAward);
    }
}
