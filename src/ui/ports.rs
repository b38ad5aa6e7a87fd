//! The small repository traits the screen controllers reach storage through, and their
//! implementation by the storage handle (jobs run on the storage thread, results come back
//! as futures awaited on the UI thread). Tests implement them with in-memory fakes.
use std::future::Future;
use std::pin::Pin;

use crate::domain::loyalty::redemption::Presence;
use crate::domain::loyalty::standing::{BalanceView, LoyaltyRules};
use crate::domain::member_code::CodeError;
use crate::domain::phone::E164;
use crate::domain::signup::{JoinOutcome, JoinRequest};
use crate::domain::staff::StaffMember;
use crate::domain::survey::definition::SurveyDefinition;
use crate::domain::timing::SignupTiming;
use crate::store::code_keys::CodeLookup;
use crate::store::members::CardLink;
use crate::store::staff_auth::SignIn;
use crate::store::staff_ledger::{
    AwardOutcome, AwardRequest, DayFigures, LastAction, Programme, RedeemOutcome, RedeemRequest,
    StaffMemberInfo, UndoOutcome,
};
use crate::store::surveys::{AbandonedSurvey, CompletedSurvey, SurveyResults};
use crate::store::{StoreError, StoreHandle};

/// A storage result that arrives later, on the UI thread.
pub type Pending<T> = Pin<Box<dyn Future<Output = Result<T, StoreError>>>>;

/// What a scan or tap identifies a customer by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identify {
    Code(String),
    Card(String),
    /// A member id the CRM vouched for after the customer typed its one-time code; never
    /// built from anything a customer typed or scanned.
    Verified(String),
}

/// What the balance screen may show of a member: never the full number. The id stays in
/// the controllers (a survey's answers go with it); no adapter shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberSummary {
    pub member_id: String,
    pub masked_phone: String,
    pub view: BalanceView,
}

/// What a scan or tap came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Identified {
    Member(Box<MemberSummary>),
    /// A code that failed its checks: forged, edited, expired, unknown key, or no code.
    Refused(CodeError),
    /// A genuine code for a member this kiosk does not hold (yet).
    UnknownMember,
    /// A card no member has: it may join with it.
    UnknownCard,
}

pub trait Signups {
    /// Commits a sign-up (or finds the number is already a member, changing nothing).
    fn join(&self, request: JoinRequest) -> Pending<JoinOutcome>;
    /// Records sign-up timing telemetry; fire and forget.
    fn record_timing(&self, timing: SignupTiming, returning: bool);
}

pub trait MemberLookup {
    fn identify(&self, by: Identify) -> Pending<Identified>;
}

/// What asking the CRM to text a one-time code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSent {
    Sent {
        verification_id: String,
        resend_after_secs: Option<u64>,
    },
    /// The CRM has sent that number too many codes lately.
    TooMany,
    /// No CRM, offline, or it failed: scan or tap instead.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChecked {
    /// The member the number belongs to (none: not a member).
    Verified {
        member_id: Option<String>,
    },
    Wrong {
        attempts_left: u32,
    },
    Unavailable,
}

/// One-time codes by SMS, through the CRM (`docs/sync-api.md`).
pub trait Verifications {
    fn send_code(&self, phone: E164, language: &'static str) -> Pending<CodeSent>;
    fn check_code(&self, verification_id: String, code: String) -> Pending<CodeChecked>;
}

pub trait CardLinks {
    /// Links a card to a member who has just joined; never takes a card from its owner.
    fn link_new_card(&self, uid: String, member_id: String) -> Pending<CardLink>;
}

/// Staff sign-in: the lock-out and the PIN check (on the storage thread, which keeps both).
pub trait StaffAuth {
    /// How much longer sign-in stays locked, if it is.
    fn locked_for(&self) -> Pending<Option<std::time::Duration>>;
    fn sign_in(&self, who: StaffMember, entered: String) -> Pending<SignIn>;
    /// Records the end of a session (`done` or `idle`); fire and forget.
    fn signed_out(&self, staff_id: String, why: &'static str);
}

/// What a scan or tap in staff mode came to.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffIdentified {
    Member(Box<StaffMemberInfo>),
    Refused(CodeError),
    /// No member has this card, or this kiosk does not know the code's member yet.
    Unknown,
}

/// The points ledger as staff use it: awards, redemptions, undo and today's figures.
pub trait StaffLedger {
    fn identify(&self, by: Identify) -> Pending<StaffIdentified>;
    fn award(&self, request: AwardRequest) -> Pending<AwardOutcome>;
    fn last4_matches(&self, member_id: String, typed: String) -> Pending<bool>;
    fn redeem(&self, request: RedeemRequest) -> Pending<RedeemOutcome>;
    fn last_action(&self) -> Pending<Option<LastAction>>;
    fn undo(&self, target: String, client_id: String, staff_id: String) -> Pending<UndoOutcome>;
    /// Today's figures since `day_start` (RFC 3339, UTC).
    fn day_figures(&self, day_start: String) -> Pending<DayFigures>;
}

/// Surveys: the definitions to hand out, the answers, what staff set, and the results.
pub trait Surveys {
    fn list(&self) -> Pending<Vec<SurveyDefinition>>;
    fn get(&self, id: String) -> Pending<Option<SurveyDefinition>>;
    /// Stores a finished survey; the points credited to its member.
    fn record(&self, survey: CompletedSurvey) -> Pending<i64>;
    /// Stores a smiley terminal vote; fire and forget (the next vote waits for the lock).
    fn record_vote(&self, vote: CompletedSurvey);
    /// Counts an abandoned survey; fire and forget.
    fn abandoned(&self, survey: AbandonedSurvey);
    fn setting(&self, key: &'static str) -> Pending<Option<String>>;
    fn set_setting(&self, key: &'static str, value: Option<String>) -> Pending<()>;
    /// Results for responses started from `since` to before `until` (RFC 3339, UTC).
    fn results(&self, since: String, until: String) -> Pending<SurveyResults>;
}

/// Surveys through storage; smiley votes by the shop's hour.
pub struct StoreSurveys {
    pub store: StoreHandle,
    pub utc_offset: time::UtcOffset,
}

impl Surveys for StoreSurveys {
    fn list(&self) -> Pending<Vec<SurveyDefinition>> {
        pending(self.store.submit(|s| s.surveys()))
    }

    fn get(&self, id: String) -> Pending<Option<SurveyDefinition>> {
        pending(self.store.submit(move |s| s.survey(&id)))
    }

    fn record(&self, survey: CompletedSurvey) -> Pending<i64> {
        pending(self.store.submit(move |s| s.record_survey(&survey)))
    }

    fn record_vote(&self, vote: CompletedSurvey) {
        drop(self.store.submit(move |s| {
            if let Err(e) = s.record_survey(&vote) {
                tracing::error!("smiley vote not saved: {e}");
            }
        }));
    }

    fn abandoned(&self, survey: AbandonedSurvey) {
        drop(self.store.submit(move |s| {
            if let Err(e) = s.record_abandoned(&survey) {
                tracing::warn!("abandoned survey not counted: {e}");
            }
        }));
    }

    fn setting(&self, key: &'static str) -> Pending<Option<String>> {
        pending(self.store.submit(move |s| s.kiosk_setting(key)))
    }

    fn set_setting(&self, key: &'static str, value: Option<String>) -> Pending<()> {
        pending(
            self.store
                .submit(move |s| s.set_kiosk_setting(key, value.as_deref())),
        )
    }

    fn results(&self, since: String, until: String) -> Pending<SurveyResults> {
        let offset = self.utc_offset;
        pending(
            self.store
                .submit(move |s| s.survey_results(&since, &until, offset)),
        )
    }
}

/// The screen's brightness in percent. Writes happen off the UI thread.
pub trait Brightness {
    fn percent(&self) -> u8;
    fn set_percent(&self, percent: u8);
}

/// The backlight in sysfs, written on the background runtime.
pub struct SysfsBrightness {
    backlight: std::sync::Arc<crate::devices::backlight::Backlight>,
    runtime: tokio::runtime::Handle,
    level: std::cell::Cell<u8>,
}

impl SysfsBrightness {
    /// The backlight under `dir`, if there is one (read once, at start-up).
    pub fn find(dir: &std::path::Path, runtime: tokio::runtime::Handle) -> Option<Self> {
        let backlight = crate::devices::backlight::Backlight::find(dir)?;
        let level = backlight.percent().unwrap_or(100);
        tracing::info!(
            level,
            "screen backlight found; staff mode offers brightness"
        );
        Some(SysfsBrightness {
            backlight: std::sync::Arc::new(backlight),
            runtime,
            level: std::cell::Cell::new(level),
        })
    }
}

impl Brightness for SysfsBrightness {
    fn percent(&self) -> u8 {
        self.level.get()
    }

    fn set_percent(&self, percent: u8) {
        let percent = percent.clamp(crate::devices::backlight::MIN_PERCENT, 100);
        self.level.set(percent);
        let backlight = self.backlight.clone();
        drop(self.runtime.spawn_blocking(move || {
            if let Err(e) = backlight.set_percent(percent) {
                tracing::warn!("screen brightness not set: {e}");
            }
        }));
    }
}

fn pending<T: Send + 'static>(
    rx: tokio::sync::oneshot::Receiver<Result<T, StoreError>>,
) -> Pending<T> {
    Box::pin(async move { rx.await.unwrap_or(Err(StoreError::WorkerGone)) })
}

impl Signups for StoreHandle {
    fn join(&self, request: JoinRequest) -> Pending<JoinOutcome> {
        pending(self.submit(move |s| s.join(&request)))
    }

    fn record_timing(&self, timing: SignupTiming, returning: bool) {
        drop(self.submit(move |store| {
            if let Err(e) = store.record_signup_timing(&timing, returning) {
                tracing::warn!("sign-up timing not recorded: {e}");
            }
        }));
    }
}

/// Lookups through storage, under the configured loyalty rules (the CRM's replace them in
/// the store once published).
pub struct StoreLookup {
    pub store: StoreHandle,
    pub rules: std::sync::Arc<LoyaltyRules>,
}

impl MemberLookup for StoreLookup {
    fn identify(&self, by: Identify) -> Pending<Identified> {
        let rules = self.rules.clone();
        pending(self.store.submit(move |store| {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let member = match &by {
                Identify::Code(code) => {
                    match store.member_by_code(code, u32::try_from(now).unwrap_or(u32::MAX))? {
                        CodeLookup::Member { member, .. } => member,
                        CodeLookup::Refused(e) => return Ok(Identified::Refused(e)),
                        CodeLookup::NoSuchMember => return Ok(Identified::UnknownMember),
                    }
                }
                Identify::Card(uid) => match store.member_by_card(uid)? {
                    Some(m) => m,
                    None => return Ok(Identified::UnknownCard),
                },
                Identify::Verified(id) => match store.member_by_id(id)? {
                    Some(m) => m,
                    None => return Ok(Identified::UnknownMember),
                },
            };
            let rules = store.loyalty_rules(&rules)?;
            Ok(Identified::Member(Box::new(MemberSummary {
                member_id: member.id.clone(),
                masked_phone: member.masked(),
                view: store.balance_view(&member.id, &rules, now)?,
            })))
        }))
    }
}

/// Staff mode through storage, under the configured programme (the CRM's replaces it in
/// the store once published) and the shop's day.
pub struct StoreStaff {
    pub store: StoreHandle,
    pub programme: std::sync::Arc<Programme>,
    pub max_attempts: u32,
    pub utc_offset: time::UtcOffset,
}

/// Unix milliseconds now.
fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

/// The shop's midnight today, in UTC (RFC 3339), for "today" in staff mode.
pub fn day_start(offset: time::UtcOffset) -> String {
    let local = time::OffsetDateTime::now_utc().to_offset(offset);
    local
        .replace_time(time::Time::MIDNIGHT)
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl StaffAuth for StoreStaff {
    fn locked_for(&self) -> Pending<Option<std::time::Duration>> {
        pending(self.store.submit(|s| s.staff_locked_for(now_ms())))
    }

    fn sign_in(&self, who: StaffMember, entered: String) -> Pending<SignIn> {
        let max = self.max_attempts;
        pending(
            self.store
                .submit(move |s| s.staff_sign_in(&who, &entered, max, now_ms())),
        )
    }

    fn signed_out(&self, staff_id: String, why: &'static str) {
        drop(self.store.submit(move |s| {
            if let Err(e) = s.staff_signed_out(&staff_id, why) {
                tracing::warn!("staff sign-out not recorded: {e}");
            }
        }));
    }
}

impl StaffLedger for StoreStaff {
    fn identify(&self, by: Identify) -> Pending<StaffIdentified> {
        let programme = self.programme.clone();
        let day = day_start(self.utc_offset);
        pending(self.store.submit(move |store| {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let (member, presence) = match &by {
                Identify::Code(code) => {
                    match store.member_by_code(code, u32::try_from(now).unwrap_or(u32::MAX))? {
                        CodeLookup::Member {
                            member,
                            lifetime_secs,
                        } => (member, Presence::of_code(lifetime_secs)),
                        CodeLookup::Refused(e) => return Ok(StaffIdentified::Refused(e)),
                        CodeLookup::NoSuchMember => return Ok(StaffIdentified::Unknown),
                    }
                }
                Identify::Card(uid) => match store.member_by_card(uid)? {
                    Some(m) => (m, Presence::Card),
                    None => return Ok(StaffIdentified::Unknown),
                },
                // Staff mode never takes a member on someone else's word.
                Identify::Verified(_) => return Ok(StaffIdentified::Unknown),
            };
            let info = store.staff_member_info(&member, presence, &programme, &day, now)?;
            Ok(StaffIdentified::Member(Box::new(info)))
        }))
    }

    fn award(&self, request: AwardRequest) -> Pending<AwardOutcome> {
        let programme = self.programme.clone();
        pending(self.store.submit(move |s| s.award(&request, &programme)))
    }

    fn last4_matches(&self, member_id: String, typed: String) -> Pending<bool> {
        pending(
            self.store
                .submit(move |s| s.last4_matches(&member_id, &typed)),
        )
    }

    fn redeem(&self, request: RedeemRequest) -> Pending<RedeemOutcome> {
        let programme = self.programme.clone();
        pending(self.store.submit(move |s| s.redeem(&request, &programme)))
    }

    fn last_action(&self) -> Pending<Option<LastAction>> {
        pending(self.store.submit(|s| s.last_action()))
    }

    fn undo(&self, target: String, client_id: String, staff_id: String) -> Pending<UndoOutcome> {
        pending(
            self.store
                .submit(move |s| s.undo(&target, &client_id, &staff_id)),
        )
    }

    fn day_figures(&self, day_start: String) -> Pending<DayFigures> {
        pending(self.store.submit(move |s| s.day_figures(&day_start)))
    }
}

impl CardLinks for StoreHandle {
    fn link_new_card(&self, uid: String, member_id: String) -> Pending<CardLink> {
        pending(self.submit(move |store| store.link_card(&uid, &member_id)))
    }
}

/// A summary with only a balance (no tiers or rewards), for fakes that hold an [`E164`].
pub fn summary(member_id: &str, phone: &E164, balance: i64) -> MemberSummary {
    MemberSummary {
        member_id: member_id.to_owned(),
        masked_phone: phone.masked(),
        view: crate::domain::loyalty::standing::view(
            &LoyaltyRules::default(),
            &crate::domain::loyalty::standing::MemberLedger {
                entries: vec![crate::domain::loyalty::Entry::new(0, balance, 0)],
                ..Default::default()
            },
            1,
        ),
    }
}

#[cfg(test)]
pub mod fakes {
    //! In-memory stand-ins for storage. Results are ready at once unless `hold` is set, in
    //! which case they wait until [`Fakes::release`], to test late results.
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    use tokio::sync::oneshot;

    use super::*;
    use crate::store::members::CardLink;

    #[derive(Default)]
    pub struct Fakes {
        /// E.164 → (member id, balance).
        pub members: RefCell<HashMap<String, (String, i64)>>,
        /// Card UID → member id.
        pub cards: RefCell<HashMap<String, String>>,
        pub joins: RefCell<Vec<JoinRequest>>,
        pub timings: Cell<u32>,
        pub fail: Cell<bool>,
        pub hold: Cell<bool>,
        held: RefCell<Vec<Box<dyn FnOnce()>>>,
    }

    impl Fakes {
        fn answer<T: 'static>(&self, result: Result<T, StoreError>) -> Pending<T> {
            if !self.hold.get() {
                return Box::pin(std::future::ready(result));
            }
            let (tx, rx) = oneshot::channel();
            self.held.borrow_mut().push(Box::new(move || {
                let _ = tx.send(result);
            }));
            Box::pin(async move { rx.await.unwrap_or(Err(StoreError::WorkerGone)) })
        }

        /// Lets every held result through.
        pub fn release(&self) {
            for release in self.held.borrow_mut().drain(..) {
                release();
            }
        }

        pub fn add_member(&self, phone: &str, id: &str, balance: i64) {
            self.members
                .borrow_mut()
                .insert(phone.into(), (id.into(), balance));
        }
    }

    impl Signups for Fakes {
        fn join(&self, request: JoinRequest) -> Pending<JoinOutcome> {
            if self.fail.get() {
                return self.answer(Err(StoreError::WorkerGone));
            }
            let phone = request.phone.as_str().to_owned();
            let existing = self.members.borrow().get(&phone).cloned();
            let outcome = match existing {
                Some((member_id, balance)) => JoinOutcome {
                    member_id,
                    phone: request.phone.clone(),
                    returning: true,
                    bonus_awarded: 0,
                    balance,
                    card_linked: false,
                },
                None => {
                    let id = format!("m{}", self.members.borrow().len() + 1);
                    let bonus = request.signup_bonus_points;
                    self.add_member(&phone, &id, bonus);
                    let card_linked = match &request.card_uid {
                        Some(uid) if !self.cards.borrow().contains_key(uid) => {
                            self.cards.borrow_mut().insert(uid.clone(), id.clone());
                            true
                        }
                        _ => false,
                    };
                    JoinOutcome {
                        member_id: id,
                        phone: request.phone.clone(),
                        returning: false,
                        bonus_awarded: bonus,
                        balance: bonus,
                        card_linked,
                    }
                }
            };
            self.joins.borrow_mut().push(request);
            self.answer(Ok(outcome))
        }

        fn record_timing(&self, _timing: SignupTiming, _returning: bool) {
            self.timings.set(self.timings.get() + 1);
        }
    }

    /// In the fakes a code is `code:<member id>` (the real check is the store's); anything
    /// else is refused as malformed.
    impl MemberLookup for Fakes {
        fn identify(&self, by: Identify) -> Pending<Identified> {
            let members = self.members.borrow();
            let found = match &by {
                Identify::Code(code) => match code.strip_prefix("code:") {
                    Some(id) => members.iter().find(|(_, (m, _))| m == id),
                    None => return self.answer(Ok(Identified::Refused(CodeError::Malformed))),
                },
                Identify::Card(uid) => match self.cards.borrow().get(uid) {
                    Some(owner) => members.iter().find(|(_, (id, _))| id == owner),
                    None => return self.answer(Ok(Identified::UnknownCard)),
                },
                Identify::Verified(id) => members.iter().find(|(_, (m, _))| m == id),
            }
            .map(|(phone, (id, balance))| summary(id, &E164::from_stored(phone.clone()), *balance));
            drop(members);
            self.answer(Ok(found.map_or(Identified::UnknownMember, |m| {
                Identified::Member(Box::new(m))
            })))
        }
    }

    impl CardLinks for Fakes {
        fn link_new_card(&self, uid: String, member_id: String) -> Pending<CardLink> {
            let owner = self.cards.borrow().get(&uid).cloned();
            let link = match owner {
                Some(owner) if owner == member_id => CardLink::AlreadyYours,
                Some(_) => CardLink::BelongsToAnother,
                None => {
                    self.cards.borrow_mut().insert(uid, member_id);
                    CardLink::Linked
                }
            };
            self.answer(Ok(link))
        }
    }
}
