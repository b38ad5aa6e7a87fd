//! The join-by-phone controller: owns the form and `JoinAdapter`, submits a sign-up through
//! [`Signups`] and hands a committed new member to the welcome screen. A number that is
//! already a member gets the neutral "already a member" page: nothing shown, nothing changed.
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::join_form::{JoinForm, Missing, NumberStatus};
use super::navigator::{Navigator, Page};
use super::ports::Signups;
use super::tasks::Tasks;
use super::{AppWindow, JoinAdapter, JoinMissing, JoinProblem, PhoneStatus, RegionOption};
use crate::domain::language::Language;
use crate::domain::privacy_notice::PrivacyNotice;
use crate::domain::region::Region;
use crate::domain::signup::{JoinOutcome, JoinRequest};
use crate::domain::timing::{SignupMoments, SignupTiming};
use crate::store::StoreError;

/// What the shop offers a new member, and the notice they agree to.
#[derive(Debug, Clone)]
pub struct JoinTerms {
    pub default_region: Region,
    pub signup_bonus_points: i64,
    pub notice: PrivacyNotice,
}

pub struct JoinController {
    me: std::rc::Weak<JoinController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    signups: Rc<dyn Signups>,
    language: Rc<dyn Fn() -> Language>,
    terms: RefCell<JoinTerms>,
    form: RefCell<JoinForm>,
    on_joined: Box<dyn Fn(&JoinOutcome)>,
}

impl JoinController {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        signups: Rc<dyn Signups>,
        language: Rc<dyn Fn() -> Language>,
        regions: Vec<Region>,
        terms: JoinTerms,
        on_joined: Box<dyn Fn(&JoinOutcome)>,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| JoinController {
            me: me.clone(),
            app,
            form: RefCell::new(JoinForm::new(regions, terms.default_region)),
            terms: RefCell::new(terms),
            nav,
            tasks,
            signups,
            language,
            on_joined,
        });
        let weak = Rc::downgrade(&controller);
        controller.nav.on_flow_end(move || {
            if let Some(c) = weak.upgrade() {
                c.reset();
            }
        });
        controller
    }

    /// Wires `JoinAdapter`'s callbacks to this controller.
    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let adapter = app.global::<JoinAdapter>();
        let me = Rc::downgrade(self);
        let edit = move |f: fn(&mut JoinForm, &str)| {
            let me = me.clone();
            move |text: SharedString| {
                if let Some(c) = me.upgrade() {
                    c.edit(|form| f(form, text.as_str()));
                }
            }
        };
        adapter.on_digit(edit(JoinForm::push_digit));
        adapter.on_typed(edit(JoinForm::typed));
        let me = Rc::downgrade(self);
        let edit0 = move |f: fn(&mut JoinForm)| {
            let me = me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    c.edit(f);
                }
            }
        };
        adapter.on_backspace(edit0(JoinForm::backspace));
        adapter.on_clear(edit0(JoinForm::clear));
        adapter.on_toggle_privacy(edit0(|f| f.privacy_consent = !f.privacy_consent));
        adapter.on_toggle_marketing(edit0(|f| f.marketing_opt_in = !f.marketing_opt_in));
        let me = Rc::downgrade(self);
        adapter.on_choose_region(move |index| {
            if let (Some(c), Ok(index)) = (me.upgrade(), usize::try_from(index)) {
                c.edit(|f| f.choose_region(index));
            }
        });
        let me = Rc::downgrade(self);
        adapter.on_show_privacy_notice(move |open| {
            if let Some(c) = me.upgrade() {
                c.edit(|f| f.privacy_notice_open = open);
            }
        });
        let me = Rc::downgrade(self);
        adapter.on_show_region_picker(move |open| {
            if let Some(c) = me.upgrade() {
                c.edit(|f| f.region_picker_open = open);
            }
        });
        let me = Rc::downgrade(self);
        adapter.on_cancel(move || {
            if let Some(c) = me.upgrade() {
                c.nav.go(Page::Attract);
            }
        });
        let me = Rc::downgrade(self);
        adapter.on_join(move || {
            if let Some(c) = me.upgrade() {
                c.submit();
            }
        });
        let options: Vec<RegionOption> = self
            .form
            .borrow()
            .regions()
            .iter()
            .map(|r| RegionOption {
                code: r.code().into(),
                dial: r.dial_prefix().into(),
            })
            .collect();
        adapter.set_regions(ModelRc::new(VecModel::from(options)));
        self.render_notice();
        self.render();
    }

    /// "Join" on the attract or balance screen: a blank form, and the clock starts.
    pub fn start(&self) {
        self.reset();
        self.form.borrow_mut().first_touch = Some(Instant::now());
        self.nav.go(Page::Join);
    }

    /// "Join with this card": the sign-up links `uid` in its own transaction. The card is
    /// forgotten when the flow ends, so it never reaches the next customer's sign-up.
    pub fn start_with_card(&self, uid: String) {
        self.start();
        self.edit(|f| f.card_uid = Some(uid));
    }

    /// New terms from the CRM: they apply to the next sign-up.
    pub fn set_terms(&self, terms: JoinTerms) {
        *self.terms.borrow_mut() = terms;
        self.render_notice();
    }

    pub fn form(&self) -> std::cell::Ref<'_, JoinForm> {
        self.form.borrow()
    }

    fn reset(&self) {
        let region = self.terms.borrow().default_region;
        self.form.borrow_mut().reset(region);
        self.render();
    }

    fn edit(&self, f: impl FnOnce(&mut JoinForm)) {
        f(&mut self.form.borrow_mut());
        self.nav.touch();
        self.render();
    }

    /// Join tapped: hand the commit to storage; the welcome screen shows only after it.
    pub fn submit(&self) {
        let join_tapped = Instant::now();
        let request = {
            let form = self.form.borrow();
            if !form.can_join() {
                return;
            }
            let Some(phone) = form.valid_number().cloned() else {
                return;
            };
            let terms = self.terms.borrow();
            JoinRequest::new(
                phone,
                form.privacy_consent,
                form.marketing_opt_in,
                &terms.notice.version,
                terms.signup_bonus_points,
            )
            .map(|r| {
                let mut r = r.with_notice_sha256(terms.notice.sha256((self.language)()));
                r.card_uid = form.card_uid.clone();
                r
            })
        };
        let Some(request) = request else { return };
        self.edit(|f| {
            f.submitting = true;
            f.save_failed = false;
        });
        let me = self.me.clone();
        self.tasks
            .then("a sign-up", self.signups.join(request), move |result| {
                if let Some(c) = me.upgrade() {
                    c.finish(join_tapped, result);
                }
            });
    }

    fn finish(&self, join_tapped: Instant, result: Result<JoinOutcome, StoreError>) {
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(e) => {
                if e.is_disk_full() {
                    tracing::error!("sign-up not saved: the disk is full");
                } else {
                    tracing::error!("sign-up not saved: {e}");
                }
                self.edit(|f| {
                    f.submitting = false;
                    f.save_failed = true;
                });
                return;
            }
        };
        if outcome.returning {
            tracing::info!("join with a number that is already a member: nothing shown or changed");
            self.reset();
            self.nav.go(Page::AlreadyMember);
            return;
        }
        let moments = {
            let form = self.form.borrow();
            form.first_touch.zip(form.number_valid_at)
        };
        (self.on_joined)(&outcome);
        let welcome_shown = Instant::now();
        tracing::info!("member joined and welcomed");
        if let Some((first_touch, number_valid)) = moments {
            let timing = SignupTiming::from_moments(&SignupMoments {
                first_touch,
                number_valid,
                join_tapped,
                welcome_shown,
            });
            self.signups.record_timing(timing, false);
        }
        self.reset();
    }

    fn render(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let form = self.form.borrow();
        let adapter = app.global::<JoinAdapter>();
        let number = form.display_number();
        adapter.set_region_index(i32::try_from(form.region_index()).unwrap_or(0));
        adapter.set_display_length(i32::try_from(number.chars().count()).unwrap_or(0));
        adapter.set_display_number(SharedString::from(number));
        adapter.set_status(phone_status(form.status()));
        adapter.set_privacy_consent(form.privacy_consent);
        adapter.set_with_card(form.card_uid.is_some());
        adapter.set_marketing_opt_in(form.marketing_opt_in);
        adapter.set_submitting(form.submitting);
        adapter.set_can_join(form.can_join());
        adapter.set_missing(match form.missing() {
            Missing::Nothing => JoinMissing::Nothing,
            Missing::Number => JoinMissing::Number,
            Missing::Consent => JoinMissing::Consent,
        });
        adapter.set_problem(if form.save_failed {
            JoinProblem::SaveFailed
        } else {
            JoinProblem::None
        });
        adapter.set_privacy_notice_open(form.privacy_notice_open);
        adapter.set_region_picker_open(form.region_picker_open);
    }

    fn render_notice(&self) {
        if let Some(app) = self.app.upgrade() {
            let texts: Vec<SharedString> = self
                .terms
                .borrow()
                .notice
                .text
                .all()
                .into_iter()
                .map(SharedString::from)
                .collect();
            app.global::<JoinAdapter>()
                .set_notice_texts(ModelRc::new(VecModel::from(texts)));
        }
    }
}

fn phone_status(status: NumberStatus) -> PhoneStatus {
    match status {
        NumberStatus::Empty => PhoneStatus::Empty,
        NumberStatus::Incomplete => PhoneStatus::Incomplete,
        NumberStatus::Valid => PhoneStatus::Valid,
        NumberStatus::TooLong => PhoneStatus::TooLong,
        NumberStatus::NotMobile => PhoneStatus::NotMobile,
        NumberStatus::Invalid => PhoneStatus::Invalid,
        NumberStatus::BadCharacters => PhoneStatus::BadCharacters,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::time::Duration;

    use super::*;
    use crate::domain::localized::LocalizedText;
    use crate::ui::navigator::testing::navigator;
    use crate::ui::ports::fakes::Fakes;
    use crate::ui::tasks::testing::InlineSpawn;

    struct Fixture {
        nav: Rc<Navigator>,
        store: Rc<Fakes>,
        spawn: Rc<InlineSpawn>,
        joined: Rc<RefCell<Vec<JoinOutcome>>>,
        join: Rc<JoinController>,
    }

    fn fixture() -> Fixture {
        let (nav, _alarm, _view) = navigator(Duration::from_secs(30));
        let store = Rc::new(Fakes::default());
        let spawn = Rc::new(InlineSpawn::default());
        let joined = Rc::new(RefCell::new(Vec::new()));
        let j = joined.clone();
        let join = JoinController::new(
            slint::Weak::default(),
            nav.clone(),
            Tasks::new(nav.clone(), spawn.clone()),
            store.clone(),
            Rc::new(|| Language::SimplifiedChinese),
            Region::ALL.to_vec(),
            JoinTerms {
                default_region: Region::HK,
                signup_bonus_points: 100,
                notice: PrivacyNotice::new("2026-01", None, &LocalizedText::from("Shop")),
            },
            Box::new(move |o| j.borrow_mut().push(o.clone())),
        );
        Fixture {
            nav,
            store,
            spawn,
            joined,
            join,
        }
    }

    fn fill(f: &Fixture, number: &str) {
        f.join.start();
        f.join.edit(|form| {
            for d in number.chars() {
                form.push_digit(&d.to_string());
            }
            form.privacy_consent = true;
            form.marketing_opt_in = true;
        });
    }

    #[test]
    fn a_new_number_joins_once_with_the_hash_of_the_notice_shown() {
        let f = fixture();
        fill(&f, "91234567");
        f.join.submit();
        f.join.submit(); // a second tap while saving does nothing
        let joins = f.store.joins.borrow();
        assert_eq!(joins.len(), 1);
        let shown = PrivacyNotice::new("2026-01", None, &"Shop".into());
        assert_eq!(
            joins[0].notice_sha256.as_deref(),
            Some(shown.sha256(Language::SimplifiedChinese).as_str()),
            "the customer read the Simplified Chinese text"
        );
        assert_eq!(f.joined.borrow().len(), 1, "handed to the welcome screen");
        assert_eq!(f.store.timings.get(), 1);
        assert!(!f.join.form().privacy_consent, "the form is blank again");
    }

    #[test]
    fn a_members_number_shows_the_neutral_page_and_nothing_of_theirs() {
        let f = fixture();
        f.store.add_member("+85291234567", "alice", 900);
        fill(&f, "91234567");
        f.join.submit();
        assert_eq!(f.nav.page(), Page::AlreadyMember);
        assert!(f.joined.borrow().is_empty(), "no welcome, no balance");
        assert_eq!(f.store.timings.get(), 0);
    }

    #[test]
    fn a_sign_up_that_commits_after_the_customer_left_is_not_shown() {
        let f = fixture();
        f.store.hold.set(true);
        fill(&f, "91234567");
        f.join.submit();
        f.nav.go(Page::Attract); // Back, or the idle timeout
        f.store.release();
        assert_eq!(f.spawn.run_pending(), 0);
        assert!(f.joined.borrow().is_empty());
        assert_eq!(f.nav.page(), Page::Attract);
    }

    #[test]
    fn a_failed_save_keeps_the_number_and_says_so() {
        let f = fixture();
        f.store.fail.set(true);
        fill(&f, "91234567");
        f.join.submit();
        let form = f.join.form();
        assert!(form.save_failed);
        assert!(!form.submitting);
        assert!(form.can_join(), "the customer can try again");
        assert_eq!(form.display_number(), "9123 4567");
    }
}
