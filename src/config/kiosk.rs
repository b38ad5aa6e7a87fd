//! `[kiosk]`: what customers see: the shop's name, languages, regions, the idle timeout,
//! the sign-up bonus, the privacy notice, and how the screen is reached.
use serde::{Deserialize, Serialize};

use super::Problems;
use crate::domain::language::Language;
use crate::domain::localized::LocalizedText;
use crate::domain::region::Region;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Shown on the attract screen and as the window title: one name, or one per language
    /// (`{ zh-Hant = "…", zh-Hans = "…", en = "…" }`).
    pub store_name: LocalizedText,
    /// Language shown at start and after every idle timeout.
    pub language: Language,
    /// Region preselected on the join screen.
    pub default_region: Region,
    /// Regions offered on the join screen, in order.
    pub regions: Vec<Region>,
    /// Seconds without a touch before any screen returns to the attract screen.
    pub idle_timeout_secs: u64,
    /// Points credited to a new member.
    pub signup_bonus_points: i64,
    /// Version of the privacy notice customers agree to; recorded with each consent.
    pub privacy_notice_version: String,
    /// The privacy notice's text, one per language (or one for all). Absent: a built-in
    /// collection statement that names the shop and its CRM.
    pub privacy_notice: Option<LocalizedText>,
    /// Fill the screen (the appliance); off for development in a window.
    pub fullscreen: bool,
    /// How to reach the screen: a desktop window, or straight to the display (KMS).
    pub display: Display,
    /// The shop's offset from UTC (`+08:00`): where staff mode's "today" starts.
    pub utc_offset: String,
    /// Where the screen's backlight is (Linux sysfs); staff mode offers a brightness control
    /// when a backlight is found there, and none otherwise.
    pub backlight_dir: std::path::PathBuf,
}

/// Slint's platform backend, chosen at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Display {
    /// `$SLINT_BACKEND` if set; else a desktop window (X11 or Wayland) when a session is
    /// there, falling back to KMS when none is (a Pi with Raspberry Pi OS Lite).
    #[default]
    Auto,
    /// A window on X11 or Wayland (winit).
    Window,
    /// Straight to the screen through Linux KMS/DRM with the software renderer; touch and
    /// keys through libinput. No desktop needed.
    Kms,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            store_name: LocalizedText::from("Member Kiosk"),
            language: Language::TraditionalChinese,
            default_region: Region::HK,
            regions: Region::ALL.to_vec(),
            idle_timeout_secs: 30,
            signup_bonus_points: 100,
            privacy_notice_version: "2026-01".into(),
            privacy_notice: None,
            fullscreen: false,
            display: Display::Auto,
            utc_offset: "+08:00".into(),
            backlight_dir: "/sys/class/backlight".into(),
        }
    }
}

impl KioskConfig {
    /// The shop's offset from UTC (UTC itself if the text is not an offset; `check` says so).
    pub fn utc_offset(&self) -> time::UtcOffset {
        parse_offset(&self.utc_offset).unwrap_or(time::UtcOffset::UTC)
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        if parse_offset(&self.utc_offset).is_none() {
            problems.add(
                "kiosk.utc_offset",
                format!(
                    "must be an offset such as +08:00, not {:?}",
                    self.utc_offset
                ),
            );
        }
        if let Err(p) = self.store_name.check(60) {
            problems.add("kiosk.store_name", p);
        }
        if let Some(Err(p)) = self.privacy_notice.as_ref().map(|n| n.check(4000)) {
            problems.add("kiosk.privacy_notice", p);
        }
        if !(5..=3600).contains(&self.idle_timeout_secs) {
            problems.add(
                "kiosk.idle_timeout_secs",
                format!("must be between 5 and 3600, not {}", self.idle_timeout_secs),
            );
        }
        if !(0..=1_000_000).contains(&self.signup_bonus_points) {
            problems.add(
                "kiosk.signup_bonus_points",
                format!(
                    "must be between 0 and 1000000, not {}",
                    self.signup_bonus_points
                ),
            );
        }
        if self.privacy_notice_version.trim().is_empty() {
            problems.add("kiosk.privacy_notice_version", "must not be empty");
        }
        if self.regions.is_empty() {
            problems.add("kiosk.regions", "must list at least one region");
        }
        for (i, region) in self.regions.iter().enumerate() {
            if self.regions[..i].contains(region) {
                problems.add("kiosk.regions", format!("lists {region} twice"));
            }
        }
        if !self.regions.is_empty() && !self.regions.contains(&self.default_region) {
            problems.add(
                "kiosk.default_region",
                format!("{} is not one of kiosk.regions", self.default_region),
            );
        }
    }
}

fn parse_offset(text: &str) -> Option<time::UtcOffset> {
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    time::UtcOffset::parse(text, &format).ok()
}
