//! Helpers for the headless UI tests: a kiosk on Slint's testing backend with mock time,
//! taps by element id or label, and waiting for the storage thread without sleeping.
#![allow(dead_code)] // each test binary uses a different subset

pub mod crm;
pub mod pn532_sim;
pub mod pty;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use member_kiosk::app::Kiosk;
use member_kiosk::config::Config;
use member_kiosk::domain::language::Language;
use member_kiosk::store::Store;
use member_kiosk::ui::AppWindow;
use slint::ComponentHandle;
use slint::platform::PointerEventButton;

pub struct Harness {
    pub kiosk: Kiosk,
    pub data_dir: tempfile::TempDir,
}

impl Harness {
    /// A kiosk in English (unless `config` says otherwise) with its own data directory.
    pub fn start(config: Config) -> Harness {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let path = data_dir.path().to_owned();
        Harness::start_at(config, data_dir, &path)
    }

    /// Like [`Harness::start`], with the database in `path` (inside `data_dir` or a file
    /// system mounted there).
    pub fn start_at(
        mut config: Config,
        data_dir: tempfile::TempDir,
        path: &std::path::Path,
    ) -> Harness {
        init_backend();
        if config.kiosk.language == Language::TraditionalChinese {
            config.kiosk.language = Language::English;
        }
        let kiosk = Kiosk::build(&config, path).expect("kiosk builds");
        kiosk.window.show().expect("window shows");
        kiosk
            .window
            .window()
            .set_size(slint::LogicalSize::new(800., 480.));
        Harness { kiosk, data_dir }
    }

    pub fn app(&self) -> &AppWindow {
        &self.kiosk.window
    }

    pub fn database(&self) -> PathBuf {
        self.kiosk.database.clone()
    }

    /// A second connection to the kiosk's database, as an inspector would open it.
    pub fn inspect(&self) -> Store {
        Store::open(&self.kiosk.database).expect("database opens")
    }

    /// A member code for `member_id` from this kiosk's own key, as the welcome screen shows.
    pub fn member_code(&self, member_id: &str) -> String {
        let id = member_id.to_owned();
        self.kiosk
            .store
            .call(move |s| Ok(s.issue_member_code(&id, 3600)))
            .unwrap()
            .expect("a code for this member")
    }

    pub fn element(&self, id: &str) -> ElementHandle {
        ElementHandle::find_by_element_id(self.app(), id)
            .next()
            .unwrap_or_else(|| panic!("no element {id} on screen"))
    }

    pub fn is_shown(&self, id: &str) -> bool {
        ElementHandle::find_by_element_id(self.app(), id)
            .next()
            .is_some()
    }

    pub fn tap(&self, id: &str) {
        self.element(id).mock_single_click(PointerEventButton::Left);
    }

    /// Taps the button (or tick box) labelled `label`, in the language on screen.
    pub fn tap_text_button(&self, label: &str) {
        use i_slint_backend_testing::AccessibleRole;
        ElementHandle::find_by_accessible_label(self.app(), label)
            .find(|e| {
                matches!(
                    e.accessible_role(),
                    Some(AccessibleRole::Button | AccessibleRole::Checkbox)
                )
            })
            .unwrap_or_else(|| panic!("no button {label:?} on screen"))
            .mock_single_click(PointerEventButton::Left);
    }

    /// The element whose accessible label is `label`.
    pub fn element_labelled(&self, label: &str) -> ElementHandle {
        ElementHandle::find_by_accessible_label(self.app(), label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled {label:?} on screen"))
    }

    /// Taps the on-screen keypad keys for `digits`.
    pub fn tap_digits(&self, digits: &str) {
        for d in digits.chars() {
            let key = ElementHandle::find_by_accessible_label(self.app(), &d.to_string())
                .find(|e| {
                    e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button)
                })
                .unwrap_or_else(|| panic!("no keypad key {d}"));
            key.mock_single_click(PointerEventButton::Left);
        }
    }

    pub fn text_shown(&self, text: &str) -> bool {
        ElementHandle::find_by_accessible_label(self.app(), text)
            .next()
            .is_some()
    }

    pub fn assert_text(&self, text: &str) {
        assert!(self.text_shown(text), "expected {text:?} on screen");
    }

    pub fn enabled(&self, id: &str) -> bool {
        self.element(id).accessible_enabled().unwrap_or(true)
    }

    pub fn checked(&self, id: &str) -> bool {
        self.element(id).accessible_checked().unwrap_or(false)
    }

    /// From the join screen: types `digits`, ticks the privacy notice, taps Join and waits
    /// for the welcome screen.
    pub async fn sign_up(&self, digits: &str) {
        self.tap_digits(digits);
        self.tap("JoinActions::privacy-consent");
        self.tap("JoinActions::join-button");
        wait_until("the welcome screen", || {
            self.is_shown("WelcomePage::done-button")
        })
        .await;
    }

    /// Types text on a (physical or keyboard-wedge) keyboard.
    pub fn type_on_keyboard(&self, text: &str) {
        for c in text.chars() {
            let text = slint::SharedString::from(c.encode_utf8(&mut [0; 4]) as &str);
            let window = self.app().window();
            window.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: text.clone() });
            window.dispatch_event(slint::platform::WindowEvent::KeyReleased { text });
        }
    }
}

/// A loyalty programme as a shop would configure it: points lapse after 12 months, three
/// tiers on points earned, four rewards, names in each language.
pub fn demo_programme() -> member_kiosk::config::LoyaltyConfig {
    let config = Config::parse(
        r#"
        [loyalty]
        points_expire_after_months = 12
        tiers = [
          { id = "member", name = { zh-Hant = "會員", zh-Hans = "会员", en = "Member" }, threshold = 0 },
          { id = "silver", name = { zh-Hant = "銀卡", zh-Hans = "银卡", en = "Silver" }, threshold = 300 },
          { id = "gold", name = { zh-Hant = "金卡", zh-Hans = "金卡", en = "Gold" }, threshold = 1000 },
        ]
        rewards = [
          { id = "coffee", name = { zh-Hant = "咖啡一杯", zh-Hans = "咖啡一杯", en = "A coffee" }, cost = 150 },
          { id = "cake", name = { zh-Hant = "蛋糕一件", zh-Hans = "蛋糕一件", en = "A slice of cake" }, cost = 300 },
          { id = "tote", name = { zh-Hant = "環保袋", zh-Hans = "环保袋", en = "Tote bag" }, cost = 450 },
          { id = "mug", name = { zh-Hant = "馬克杯", zh-Hans = "马克杯", en = "Mug" }, cost = 600 },
        ]
        "#,
    )
    .expect("the demo programme parses");
    config.loyalty
}

/// `[staff]` with these `(id, name, PIN)`, each PIN hashed as `member-kiosk hash-pin` would.
pub fn staff(members: &[(&str, &str, &str)]) -> member_kiosk::config::StaffConfig {
    use member_kiosk::domain::staff::{StaffMember, pin};
    member_kiosk::config::StaffConfig {
        members: members
            .iter()
            .enumerate()
            .map(|(i, (id, name, secret))| StaffMember {
                id: (*id).into(),
                name: (*name).into(),
                pin_hash: pin::hash(secret, &[u8::try_from(i).unwrap(); 16]).expect("a valid PIN"),
            })
            .collect(),
        max_attempts: 3,
        ..Default::default()
    }
}

/// Five quick taps on the hidden corner: the staff sign-in page.
pub fn open_staff_sign_in(h: &Harness) {
    for _ in 0..5 {
        h.tap("AttractPage::staff-corner");
    }
}

/// Earning as a shop would set it: HKD, a point per dollar, Silver ×1.2 and Gold ×1.5.
pub fn demo_earning() -> member_kiosk::config::EarningConfig {
    Config::parse(
        "[earning]\ncurrency = \"HKD\"\ndecimals = 2\npoints_per_unit = 1.0\ntier_multipliers = { silver = 1.2, gold = 1.5 }\n",
    )
    .expect("the demo earning rules parse")
    .earning
}

/// Adds a ledger row dated `days_ago`, as an award made then would have.
pub fn award_earlier(store: &Store, member_id: &str, points: i64, days_ago: i64) {
    let at = (time::OffsetDateTime::now_utc() - time::Duration::days(days_ago))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    store
        .connection()
        .execute(
            "INSERT INTO points_ledger (member_id, delta, reason, created_at) VALUES (?1, ?2, 'test', ?3)",
            rusqlite::params![member_id, points, at],
        )
        .unwrap();
}

/// The QR codes on screen, decoded (from the window as rendered).
pub fn decode_qr_codes(app: &AppWindow) -> Vec<String> {
    let shot = app.window().take_snapshot().expect("the window renders");
    let (w, h) = (shot.width() as usize, shot.height() as usize);
    let pixels = shot.as_slice();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let p = pixels[y * w + x];
        ((u16::from(p.r) + u16::from(p.g) + u16::from(p.b)) / 3) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Slint's testing backend with mock time and its software rasterizer, so screens can be
/// captured (real font metrics either way).
pub fn init_backend() {
    use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: true,
        renderer_name: Some("software".into()),
    })))
    .expect("platform set once per test process");
}

/// Writes the window as a PNG to `dir/name.png`.
pub fn screenshot(app: &AppWindow, dir: &std::path::Path, name: &str) {
    let shot = app.window().take_snapshot().expect("the window renders");
    let path = dir.join(format!("{name}.png"));
    let file = std::fs::File::create(&path).expect("screenshot file");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), shot.width(), shot.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(shot.as_bytes()))
        .expect("PNG written");
}

/// Advances Slint's mock clock (timers such as the idle timeout fire).
pub fn advance(duration: Duration) {
    i_slint_backend_testing::mock_elapsed_time(duration);
}

/// Runs `test` on the Slint event loop, so results posted from other threads arrive.
pub fn run_on_event_loop(test: impl Future<Output = ()> + 'static) {
    slint::spawn_local(async move {
        test.await;
        let _ = slint::quit_event_loop();
    })
    .expect("event loop available");
    slint::run_event_loop_until_quit().expect("event loop runs");
}

/// Lets the event loop run one round (so posted callbacks and woken futures run).
pub async fn next_turn() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    slint::invoke_from_event_loop(move || {
        let _ = tx.send(());
    })
    .expect("event loop available");
    let _ = rx.await;
}

/// Waits, turning the event loop, until `condition` holds; fails after 10 s of real time.
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        next_turn().await;
    }
}

/// Makes the database "disk full" for real: caps its size at the current page count and
/// joins members (numbers counting up from 5100 0000, so every insert lands at the right
/// edge of each index) until SQLite answers SQLITE_FULL. Returns how many joined.
pub fn fill_to_the_brim(store: &mut Store) -> u64 {
    use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
    use member_kiosk::domain::region::Region;
    use member_kiosk::domain::signup::JoinRequest;

    let pages: i64 = store
        .connection()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .connection()
        .pragma_update(None, "max_page_count", pages)
        .unwrap();
    for i in 0..100_000u64 {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, &format!("{}", 5100_0000 + i))
        else {
            panic!("filler number must be valid");
        };
        let request = JoinRequest::new(phone, true, false, "2026-01", 100).unwrap();
        match store.join(&request) {
            Ok(_) => {}
            Err(e) if e.is_disk_full() => return i,
            Err(e) => panic!("unexpected error while filling: {e}"),
        }
    }
    panic!("the database never filled up");
}

/// Lifts the cap set by [`fill_to_the_brim`]: space has been freed.
pub fn free_space(store: &Store) {
    store
        .connection()
        .pragma_update(None, "max_page_count", 1_073_741_823)
        .unwrap();
}
