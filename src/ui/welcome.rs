//! The welcome controller: owns `WelcomeAdapter`, shows a new member's bonus and balance,
//! and links a card only after the member presses "Link my card", only within
//! [`LINK_WINDOW`], and never a card that belongs to someone else.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::ComponentHandle;

use super::codes::{CodeIssuer, qr_image};
use super::navigator::{Alarm, Navigator, Page};
use super::ports::CardLinks;
use super::tasks::Tasks;
use super::{AppWindow, CardLinkState, WelcomeAdapter};
use crate::domain::signup::JoinOutcome;
use crate::store::members::CardLink;

/// How long after "Link my card" a tapped card is taken.
pub const LINK_WINDOW: Duration = Duration::from_secs(15);

/// Where card linking stands for the member on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No reader, or nobody welcomed.
    Unavailable,
    /// "Link my card" is offered.
    Offered,
    /// Waiting for a tap, until the window closes.
    Waiting,
    Linked,
    /// The card tapped is another member's.
    Taken,
    Failed,
}

pub struct WelcomeController {
    me: Weak<WelcomeController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    cards: Rc<dyn CardLinks>,
    codes: Rc<CodeIssuer>,
    window: Box<dyn Alarm>,
    member: RefCell<Option<String>>,
    masked: RefCell<String>,
    /// What "Done" hands the new member to (a survey that follows sign-ups); `false`
    /// when nothing follows.
    next: RefCell<Option<super::FollowUp>>,
    state: Cell<LinkState>,
    reader_available: Cell<bool>,
}

impl WelcomeController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        cards: Rc<dyn CardLinks>,
        window: Box<dyn Alarm>,
        codes: Rc<CodeIssuer>,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| WelcomeController {
            me: me.clone(),
            app,
            nav,
            tasks,
            cards,
            codes,
            window,
            member: RefCell::new(None),
            masked: RefCell::new(String::new()),
            next: RefCell::new(None),
            state: Cell::new(LinkState::Unavailable),
            reader_available: Cell::new(false),
        });
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                c.clear();
            }
        });
        controller
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let adapter = app.global::<WelcomeAdapter>();
        let me = self.me.clone();
        adapter.on_link_card(move || {
            if let Some(c) = me.upgrade() {
                c.open_link_window();
            }
        });
        adapter.set_link_seconds(i32::try_from(LINK_WINDOW.as_secs()).unwrap_or(15));
        let me = self.me.clone();
        adapter.on_done(move || {
            if let Some(c) = me.upgrade() {
                c.done();
            }
        });
    }

    /// `next(member id, masked number)` runs on "Done"; it returns whether it showed
    /// something (otherwise the attract screen follows).
    pub fn then(&self, next: impl Fn(String, String) -> bool + 'static) {
        *self.next.borrow_mut() = Some(Box::new(next));
    }

    fn done(&self) {
        let member = self.member.borrow().clone();
        let masked = self.masked.borrow().clone();
        let shown = match (member, self.next.borrow().as_ref()) {
            (Some(member), Some(next)) => next(member, masked),
            _ => false,
        };
        if !shown {
            self.nav.go(Page::Attract);
        }
    }

    pub fn state(&self) -> LinkState {
        self.state.get()
    }

    /// Whether a card reader (real or simulated) is there to link cards with.
    pub fn set_reader_available(&self, available: bool) {
        self.reader_available.set(available);
    }

    /// A new member's sign-up has been committed: greet them.
    pub fn show(&self, outcome: &JoinOutcome) {
        *self.member.borrow_mut() = Some(outcome.member_id.clone());
        *self.masked.borrow_mut() = outcome.phone.masked();
        self.window.cancel();
        self.set_state(if outcome.card_linked {
            LinkState::Linked
        } else if self.reader_available.get() {
            LinkState::Offered
        } else {
            LinkState::Unavailable
        });
        if let Some(app) = self.app.upgrade() {
            let welcome = app.global::<WelcomeAdapter>();
            welcome.set_bonus_points(i32::try_from(outcome.bonus_awarded).unwrap_or(i32::MAX));
            welcome.set_balance(i32::try_from(outcome.balance).unwrap_or(i32::MAX));
            welcome.set_masked_phone(outcome.phone.masked().into());
            let code = self
                .codes
                .member_code(&outcome.member_id)
                .and_then(|c| qr_image(&c));
            if code.is_none() {
                tracing::warn!("no member code to show for the new member");
            }
            welcome.set_has_member_code(code.is_some());
            welcome.set_member_code(code.unwrap_or_default());
        }
        self.nav.go(Page::Welcome);
    }

    /// "Link my card": the next card tapped within the window is linked.
    pub fn open_link_window(&self) {
        if self.member.borrow().is_none()
            || !matches!(
                self.state.get(),
                LinkState::Offered | LinkState::Taken | LinkState::Failed
            )
        {
            return;
        }
        self.nav.touch();
        self.set_state(LinkState::Waiting);
        let me = self.me.clone();
        self.window.set(
            LINK_WINDOW,
            Box::new(move || {
                if let Some(c) = me.upgrade()
                    && c.state.get() == LinkState::Waiting
                {
                    tracing::info!("card link window closed without a tap");
                    c.set_state(LinkState::Offered);
                }
            }),
        );
    }

    /// A card tapped on the welcome screen (the navigator's policy routes it here).
    pub fn card_tapped(&self, uid: String) {
        let Some(member_id) = self.member.borrow().clone() else {
            return;
        };
        if self.state.get() != LinkState::Waiting {
            tracing::info!("card tap on the welcome screen ignored: no link was asked for");
            return;
        }
        self.nav.touch();
        self.window.cancel();
        let me = self.me.clone();
        self.tasks.then(
            "a card link",
            self.cards.link_new_card(uid, member_id),
            move |result| {
                let Some(c) = me.upgrade() else { return };
                c.set_state(match result {
                    Ok(CardLink::Linked | CardLink::AlreadyYours) => {
                        tracing::info!("card linked to the new member");
                        LinkState::Linked
                    }
                    Ok(CardLink::BelongsToAnother) => {
                        tracing::warn!("card link refused: the card belongs to another member");
                        LinkState::Taken
                    }
                    Err(e) => {
                        tracing::error!("card not linked: {e}");
                        LinkState::Failed
                    }
                });
            },
        );
    }

    fn clear(&self) {
        self.member.borrow_mut().take();
        self.window.cancel();
        self.set_state(LinkState::Unavailable);
        if let Some(app) = self.app.upgrade() {
            let welcome = app.global::<WelcomeAdapter>();
            welcome.set_bonus_points(0);
            welcome.set_balance(0);
            welcome.set_masked_phone("".into());
            welcome.set_has_member_code(false);
            welcome.set_member_code(slint::Image::default());
        }
    }

    fn set_state(&self, state: LinkState) {
        self.state.set(state);
        if let Some(app) = self.app.upgrade() {
            app.global::<WelcomeAdapter>().set_card_link(match state {
                LinkState::Unavailable => CardLinkState::Unavailable,
                LinkState::Offered => CardLinkState::Offered,
                LinkState::Waiting => CardLinkState::Waiting,
                LinkState::Linked => CardLinkState::Linked,
                LinkState::Taken => CardLinkState::Taken,
                LinkState::Failed => CardLinkState::Failed,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::E164;
    use crate::ui::navigator::testing::{ManualAlarm, navigator};
    use crate::ui::ports::fakes::Fakes;
    use crate::ui::tasks::testing::InlineSpawn;

    fn fixture() -> (
        Rc<Navigator>,
        Rc<Fakes>,
        Rc<ManualAlarm>,
        Rc<WelcomeController>,
    ) {
        let (nav, _alarm, _view) = navigator(Duration::from_secs(30));
        let store = Rc::new(Fakes::default());
        let window = Rc::new(ManualAlarm::default());
        let welcome = WelcomeController::new(
            slint::Weak::default(),
            nav.clone(),
            Tasks::new(nav.clone(), Rc::new(InlineSpawn::default())),
            store.clone(),
            Box::new(window.clone()),
            Rc::new(CodeIssuer::new(None, 1, None)),
        );
        welcome.set_reader_available(true);
        welcome.show(&JoinOutcome {
            member_id: "bob".into(),
            phone: E164::from_stored("+85261234567".into()),
            returning: false,
            bonus_awarded: 100,
            balance: 100,
            card_linked: false,
        });
        (nav, store, window, welcome)
    }

    #[test]
    fn a_tap_without_link_my_card_links_nothing() {
        let (nav, store, _window, welcome) = fixture();
        assert_eq!(nav.page(), Page::Welcome);
        assert_eq!(welcome.state(), LinkState::Offered);
        welcome.card_tapped("04A1B2C3".into());
        assert!(store.cards.borrow().is_empty());
    }

    #[test]
    fn link_my_card_then_a_tap_links_it_within_the_window() {
        let (_nav, store, window, welcome) = fixture();
        welcome.open_link_window();
        assert_eq!(welcome.state(), LinkState::Waiting);
        assert_eq!(window.armed_for(), Some(LINK_WINDOW));
        welcome.card_tapped("04A1B2C3".into());
        assert_eq!(welcome.state(), LinkState::Linked);
        assert_eq!(
            store.cards.borrow().get("04A1B2C3").map(String::as_str),
            Some("bob")
        );
    }

    #[test]
    fn another_members_card_is_refused_and_kept_by_its_owner() {
        let (_nav, store, _window, welcome) = fixture();
        store
            .cards
            .borrow_mut()
            .insert("04A1B2C3".into(), "alice".into());
        welcome.open_link_window();
        welcome.card_tapped("04A1B2C3".into());
        assert_eq!(welcome.state(), LinkState::Taken);
        assert_eq!(
            store.cards.borrow().get("04A1B2C3").map(String::as_str),
            Some("alice")
        );
    }

    #[test]
    fn the_window_closes_and_leaving_forgets_the_member() {
        let (nav, store, window, welcome) = fixture();
        welcome.open_link_window();
        window.ring();
        assert_eq!(welcome.state(), LinkState::Offered);
        welcome.card_tapped("04A1B2C3".into());
        assert!(store.cards.borrow().is_empty(), "the window had closed");
        nav.go(Page::Attract);
        assert_eq!(welcome.state(), LinkState::Unavailable);
        welcome.open_link_window();
        assert_eq!(welcome.state(), LinkState::Unavailable, "nobody to link to");
    }
}
