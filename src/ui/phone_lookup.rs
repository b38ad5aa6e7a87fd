//! The "My points by mobile number" controller: owns `PhoneLookupAdapter`. The customer
//! types their number, the CRM texts a one-time code, and only a correct code opens the
//! balance, through the same lookup as a scan. Who must be stopped: a stranger who knows
//! someone's number (no code, no balance), a guesser (5 tries per code), and someone
//! flooding the owner's phone (60 s between codes). A sign-up never needs a code.
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, SharedString};

use super::navigator::{Navigator, Page};
use super::ports::{CodeChecked, CodeSent, Verifications};
use super::tasks::Tasks;
use super::{AppWindow, PhoneLookupAdapter, PhoneLookupMessage, PhoneLookupStep};
use crate::domain::language::Language;
use crate::domain::one_time_code::{CODE_DIGITS, CodeAttempt};
use crate::domain::phone::{E164, PhoneCheck, check_mobile};
use crate::domain::region::Region;

const MAX_NUMBER_DIGITS: usize = 15;

#[derive(Default)]
struct Form {
    number: String,
    code: String,
    /// Whose code is on its way: the number it went to, and the attempt.
    sent_to: Option<E164>,
    attempt: Option<CodeAttempt>,
    busy: bool,
    message: Option<PhoneLookupMessage>,
}

pub struct PhoneLookupController {
    me: Weak<PhoneLookupController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    codes: Option<Rc<dyn Verifications>>,
    region: Region,
    language: Rc<dyn Fn() -> Language>,
    form: RefCell<Form>,
    /// Counts down the wait for a new code while the code step shows.
    ticker: slint::Timer,
    on_verified: Box<dyn Fn(String)>,
}

impl PhoneLookupController {
    /// `codes` is `None` without a CRM that sends one-time codes: the way in is hidden.
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        codes: Option<Rc<dyn Verifications>>,
        region: Region,
        language: Rc<dyn Fn() -> Language>,
        on_verified: Box<dyn Fn(String)>,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| PhoneLookupController {
            me: me.clone(),
            app,
            nav,
            tasks,
            codes,
            region,
            language,
            form: RefCell::new(Form::default()),
            ticker: slint::Timer::default(),
            on_verified,
        });
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                c.ticker.stop();
                *c.form.borrow_mut() = Form::default();
                c.render();
            }
        });
        controller
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let adapter = app.global::<PhoneLookupAdapter>();
        adapter.set_available(self.codes.is_some());
        let on = |f: fn(&PhoneLookupController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    f(&c);
                }
            }
        };
        adapter.on_start(on(Self::start));
        adapter.on_send(on(Self::send));
        adapter.on_check(on(Self::check));
        adapter.on_resend(on(Self::send));
        adapter.on_backspace(on(|c| {
            c.edit(|s| {
                s.pop();
            })
        }));
        adapter.on_clear(on(|c| c.edit(String::clear)));
        adapter.on_cancel(on(|c| c.nav.go(Page::Lookup)));
        let me = self.me.clone();
        adapter.on_digit(move |d| {
            if let Some(c) = me.upgrade() {
                c.digit(&d);
            }
        });
        self.render();
    }

    pub fn start(&self) {
        if self.codes.is_none() {
            return;
        }
        *self.form.borrow_mut() = Form::default();
        self.nav.go(Page::PhoneLookup);
        self.render();
    }

    fn on_code_step(&self) -> bool {
        self.form.borrow().attempt.is_some()
    }

    fn digit(&self, d: &str) {
        if d.len() != 1 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        let max = if self.on_code_step() {
            *CODE_DIGITS.end()
        } else {
            MAX_NUMBER_DIGITS
        };
        self.edit(|s| {
            if s.len() < max {
                s.push_str(d);
            }
        });
    }

    /// Edits whichever field the step shows.
    fn edit(&self, f: impl FnOnce(&mut String)) {
        self.nav.touch();
        {
            let mut form = self.form.borrow_mut();
            if form.busy {
                return;
            }
            let field = if form.attempt.is_some() {
                &mut form.code
            } else {
                &mut form.number
            };
            f(field);
            if !matches!(form.message, Some(PhoneLookupMessage::CodeDead)) {
                form.message = None;
            }
        }
        self.render();
    }

    fn valid_number(&self) -> Option<E164> {
        self.valid_number_in(&self.form.borrow())
    }

    /// Asks the CRM for a code: the first, or a new one once the wait is over.
    fn send(&self) {
        let Some(codes) = self.codes.clone() else {
            return;
        };
        let phone = {
            let form = self.form.borrow();
            if form.busy
                || form
                    .attempt
                    .as_ref()
                    .is_some_and(|a| a.resend_wait(Instant::now()).is_some())
            {
                return;
            }
            form.sent_to.clone()
        };
        let Some(phone) = phone.or_else(|| self.valid_number()) else {
            return;
        };
        self.nav.touch();
        {
            let mut form = self.form.borrow_mut();
            form.busy = true;
            form.message = Some(PhoneLookupMessage::Sending);
        }
        self.render();
        let language = (self.language)().bundle_name();
        let me = self.me.clone();
        let to = phone.clone();
        self.tasks.then(
            "a one-time code",
            codes.send_code(phone, language),
            move |sent| {
                let Some(c) = me.upgrade() else { return };
                {
                    let mut form = c.form.borrow_mut();
                    form.busy = false;
                    match sent.unwrap_or(CodeSent::Unavailable) {
                        CodeSent::Sent {
                            verification_id,
                            resend_after_secs,
                        } => {
                            form.attempt = Some(CodeAttempt::sent(
                                verification_id,
                                Instant::now(),
                                resend_after_secs,
                            ));
                            form.sent_to = Some(to);
                            form.code.clear();
                            form.message = None;
                        }
                        CodeSent::TooMany => form.message = Some(PhoneLookupMessage::TooManySends),
                        CodeSent::Unavailable => {
                            form.message = Some(PhoneLookupMessage::Unavailable)
                        }
                    }
                }
                c.start_ticker();
                c.render();
            },
        );
    }

    fn check(&self) {
        let Some(codes) = self.codes.clone() else {
            return;
        };
        let (id, code) = {
            let form = self.form.borrow();
            let Some(attempt) = form.attempt.as_ref() else {
                return;
            };
            if form.busy || !attempt.may_try(&form.code) {
                return;
            }
            (attempt.verification_id.clone(), form.code.clone())
        };
        self.nav.touch();
        {
            let mut form = self.form.borrow_mut();
            form.busy = true;
            form.message = Some(PhoneLookupMessage::Checking);
        }
        self.render();
        let me = self.me.clone();
        self.tasks.then(
            "a one-time code check",
            codes.check_code(id, code),
            move |checked| {
                let Some(c) = me.upgrade() else { return };
                let verified = {
                    let mut form = c.form.borrow_mut();
                    form.busy = false;
                    form.code.clear();
                    match checked.unwrap_or(CodeChecked::Unavailable) {
                        CodeChecked::Verified {
                            member_id: Some(id),
                        } => Some(id),
                        CodeChecked::Verified { member_id: None } => {
                            form.message = Some(PhoneLookupMessage::NotAMember);
                            None
                        }
                        CodeChecked::Wrong { attempts_left } => {
                            if let Some(a) = form.attempt.as_mut() {
                                a.wrong(attempts_left);
                                form.message = Some(if a.tries_left() == 0 {
                                    PhoneLookupMessage::CodeDead
                                } else {
                                    PhoneLookupMessage::WrongCode
                                });
                            }
                            None
                        }
                        CodeChecked::Unavailable => {
                            form.message = Some(PhoneLookupMessage::Unavailable);
                            None
                        }
                    }
                };
                match verified {
                    Some(id) => (c.on_verified)(id),
                    None => c.render(),
                }
            },
        );
    }

    fn start_ticker(&self) {
        let me = self.me.clone();
        self.ticker.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(1),
            move || {
                if let Some(c) = me.upgrade() {
                    c.render();
                    if c.form
                        .borrow()
                        .attempt
                        .as_ref()
                        .is_none_or(|a| a.resend_wait(Instant::now()).is_none())
                    {
                        c.ticker.stop();
                    }
                }
            },
        );
    }

    fn render(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let adapter = app.global::<PhoneLookupAdapter>();
        let form = self.form.borrow();
        let typed = format!("{} {}", self.region.dial_prefix(), form.number);
        let shown = form.sent_to.as_ref().map_or(typed, |p| p.masked());
        adapter.set_display_number(SharedString::from(shown));
        adapter.set_code(form.code.as_str().into());
        adapter.set_step(if form.attempt.is_some() {
            PhoneLookupStep::Code
        } else {
            PhoneLookupStep::Number
        });
        adapter.set_can_send(
            !form.busy && form.attempt.is_none() && self.valid_number_in(&form).is_some(),
        );
        let tries = form.attempt.as_ref().map_or(0, CodeAttempt::tries_left);
        adapter.set_tries_left(i32::try_from(tries).unwrap_or(0));
        adapter.set_can_check(
            !form.busy && form.attempt.as_ref().is_some_and(|a| a.may_try(&form.code)),
        );
        let wait = form
            .attempt
            .as_ref()
            .and_then(|a| a.resend_wait(Instant::now()));
        let secs = wait.map_or(0, |w| w.as_secs() + u64::from(w.subsec_nanos() > 0));
        adapter.set_resend_seconds(i32::try_from(secs).unwrap_or(i32::MAX));
        adapter.set_message(form.message.unwrap_or(PhoneLookupMessage::None));
    }

    fn valid_number_in(&self, form: &Form) -> Option<E164> {
        match check_mobile(self.region, &form.number) {
            PhoneCheck::Valid(phone) => Some(phone),
            _ => None,
        }
    }
}
