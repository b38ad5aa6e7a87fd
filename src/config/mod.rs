//! The kiosk's one configuration file (TOML): built-in dev defaults, overridden by
//! `/etc/member-kiosk/kiosk.toml` when present or by `--config PATH`. Unknown keys are an
//! error. Each section lives in its own module with its own check, and [`Config::check`]
//! reports every key with a bad value, not only the first.
mod crm;
mod devices;
mod earning;
mod kiosk;
mod loyalty;
mod signup;
mod staff;
mod storage;
mod survey;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crm::CrmConfig;
pub use devices::{FeedbackConfig, NfcConfig, NfcTransport, ScannerConfig, SimulatorConfig};
pub use earning::EarningConfig;
pub use kiosk::{Display, KioskConfig};
pub use loyalty::LoyaltyConfig;
pub use signup::SignupConfig;
pub use staff::StaffConfig;
pub use storage::StorageConfig;
pub use survey::SurveyConfig;

/// Where the packaged kiosk looks for its configuration.
pub const SYSTEM_CONFIG_PATH: &str = "/etc/member-kiosk/kiosk.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kiosk: KioskConfig,
    pub storage: StorageConfig,
    /// The QR/barcode scanner; absent means none is attached.
    pub scanner: Option<ScannerConfig>,
    /// The PN532 NFC reader; absent means none is attached.
    pub nfc: Option<NfcConfig>,
    /// Buzzer/LED on GPIO pins; absent means none.
    pub feedback: Option<FeedbackConfig>,
    pub simulator: SimulatorConfig,
    /// The central CRM; absent means events wait in the outbox.
    pub crm: Option<CrmConfig>,
    /// Staff mode; absent means it cannot be opened.
    pub staff: Option<StaffConfig>,
    /// The loyalty programme (until the CRM publishes one) and lookup limits.
    pub loyalty: LoyaltyConfig,
    /// Sign-up on the customer's phone, from a QR code on the attract screen.
    pub signup: SignupConfig,
    /// The currency, and how purchases earn points (until the CRM publishes its rules).
    pub earning: EarningConfig,
    /// The smiley terminal.
    pub survey: SurveyConfig,
}

impl Config {
    /// Whether the simulated devices run.
    pub fn simulate_devices(&self) -> bool {
        self.simulator
            .enabled
            .unwrap_or(self.scanner.is_none() && self.nfc.is_none())
    }
}

/// The bad values a check found, each with its key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(Vec<(&'static str, String)>);

impl Problems {
    pub fn add(&mut self, key: &'static str, problem: impl Into<String>) {
        self.0.push((key, problem.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (key, problem)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  `{key}` {problem}")?;
        }
        Ok(())
    }
}

/// Where the configuration came from, for logs and `check-config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    File(PathBuf),
    BuiltInDefaults,
}

impl std::fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigSource::File(p) => write!(f, "{}", p.display()),
            ConfigSource::BuiltInDefaults => f.write_str("built-in defaults"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}:\n{message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration ({source_name}):\n{problems}")]
    Invalid {
        source_name: String,
        problems: Problems,
    },
}

impl Config {
    /// Loads the configuration: `explicit` if given (it must exist), else the system file if
    /// present, else the built-in defaults. The result has passed [`Config::check`].
    pub fn load(explicit: Option<&Path>) -> Result<(Config, ConfigSource), ConfigError> {
        let system = Path::new(SYSTEM_CONFIG_PATH);
        let path = match explicit {
            Some(path) => path,
            None if system.exists() => system,
            None => return Ok((Config::default(), ConfigSource::BuiltInDefaults)),
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let source = ConfigSource::File(path.to_owned());
        let config = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })?;
        config.check(&source)?;
        Ok((config, source))
    }

    /// Parses TOML text; the error message names the offending key and line.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Semantic checks that the types alone cannot express, section by section; the error
    /// lists every bad key.
    pub fn check(&self, source: &ConfigSource) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        self.kiosk.check(&mut problems);
        if let Some(scanner) = &self.scanner {
            scanner.check(&mut problems);
        }
        if let Some(feedback) = &self.feedback {
            feedback.check(&mut problems);
        }
        if let Some(nfc) = &self.nfc {
            nfc.check(&mut problems);
        }
        if let Some(crm) = &self.crm {
            crm.check(&mut problems);
        }
        if let Some(staff) = &self.staff {
            staff.check(&mut problems);
        }
        self.loyalty.check(&mut problems);
        self.signup.check(&mut problems);
        self.earning.check(&mut problems);
        self.survey.check(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                source_name: source.to_string(),
                problems,
            })
        }
    }

    /// This configuration with the settings the CRM manages laid over it. If the result does
    /// not pass [`Config::check`] the CRM's values are ignored (and logged).
    pub fn with_crm_settings(&self, settings: &crate::domain::crm::CrmSettings) -> Config {
        let mut merged = self.clone();
        let k = &mut merged.kiosk;
        if let Some(name) = &settings.store_name {
            k.store_name = name.clone();
        }
        if let Some(notice) = &settings.privacy_notice {
            k.privacy_notice = Some(notice.clone());
        }
        if let Some(points) = settings.signup_bonus_points {
            k.signup_bonus_points = points;
        }
        if let Some(version) = &settings.privacy_notice_version {
            k.privacy_notice_version = version.clone();
        }
        if let Some(secs) = settings.idle_timeout_secs {
            k.idle_timeout_secs = secs;
        }
        match merged.check(&ConfigSource::BuiltInDefaults) {
            Ok(()) => merged,
            Err(e) => {
                tracing::warn!("settings from the CRM ignored: {e}");
                self.clone()
            }
        }
    }

    /// This configuration with every secret replaced, for printing (`check-config`).
    pub fn redacted(&self) -> Config {
        const HIDDEN: &str = "(hidden)";
        let mut shown = self.clone();
        if let Some(crm) = &mut shown.crm
            && crm.token.is_some()
        {
            crm.token = Some(HIDDEN.into());
        }
        if let Some(staff) = &mut shown.staff {
            if staff.pin.is_some() {
                staff.pin = Some(HIDDEN.into());
            }
            for member in &mut staff.members {
                member.pin_hash = HIDDEN.into();
            }
        }
        shown
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.kiosk.idle_timeout_secs)
    }

    /// The data directory: `--data-dir`, then `storage.data_dir`, then systemd's
    /// `$STATE_DIRECTORY`, then `$XDG_DATA_HOME/member-kiosk` (`~/.local/share/member-kiosk`).
    pub fn data_dir(&self, cli_override: Option<&Path>) -> PathBuf {
        if let Some(dir) = cli_override.or(self.storage.data_dir.as_deref()) {
            return dir.to_owned();
        }
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(state) = env_dir("STATE_DIRECTORY") {
            // systemd may pass several, separated by ':'; ours is the first.
            let first = state.to_string_lossy().split(':').next().map(PathBuf::from);
            if let Some(first) = first {
                return first;
            }
        }
        if let Some(xdg) = env_dir("XDG_DATA_HOME") {
            return xdg.join("member-kiosk");
        }
        match env_dir("HOME") {
            Some(home) => home.join(".local/share/member-kiosk"),
            None => PathBuf::from("member-kiosk-data"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::scanner::lines::Suffix;
    use crate::devices::scanner::serial::PortSelector;
    use crate::domain::language::Language;
    use crate::domain::region::Region;

    fn check(text: &str) -> Result<Config, String> {
        let config = Config::parse(text)?;
        config
            .check(&ConfigSource::BuiltInDefaults)
            .map_err(|e| e.to_string())?;
        Ok(config)
    }

    #[test]
    fn an_empty_file_means_the_defaults() {
        assert_eq!(check("").unwrap(), Config::default());
    }

    #[test]
    fn the_shipped_example_documents_the_defaults() {
        assert_eq!(
            check(include_str!("../../kiosk.example.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn a_full_file_is_read() {
        let c = check(
            r#"
            [kiosk]
            store_name = "茶記 Tea House"
            language = "zh-Hans"
            default_region = "TW"
            regions = ["TW", "HK"]
            idle_timeout_secs = 45
            signup_bonus_points = 50
            privacy_notice_version = "2026-03"
            fullscreen = true
            [storage]
            data_dir = "/srv/kiosk"
            "#,
        )
        .unwrap();
        assert_eq!(c.kiosk.language, Language::SimplifiedChinese);
        assert_eq!(c.kiosk.regions, [Region::TW, Region::HK]);
        assert_eq!(c.idle_timeout(), Duration::from_secs(45));
        assert_eq!(c.data_dir(None), PathBuf::from("/srv/kiosk"));
        assert_eq!(
            c.data_dir(Some(Path::new("/tmp/x"))),
            PathBuf::from("/tmp/x")
        );
    }

    #[test]
    fn devices_are_read_and_simulated_only_when_none_is_configured() {
        assert!(Config::default().simulate_devices());
        let c = check(
            "[scanner]\nusb_id = \"05e0:1200\"\nsuffix = \"CR\"\n[nfc]\npath = \"/dev/ttyS0\"\n",
        )
        .unwrap();
        assert_eq!(
            c.scanner.as_ref().unwrap().port(),
            Ok(Some(PortSelector::Usb {
                vid: 0x05e0,
                pid: 0x1200
            }))
        );
        assert_eq!(c.scanner.as_ref().unwrap().suffix, Suffix::Cr);
        assert!(!c.simulate_devices());
        let wedge =
            check("[scanner]\nkeyboard = \"/dev/input/by-id/usb-scanner-event-kbd\"\n").unwrap();
        assert_eq!(wedge.scanner.unwrap().port(), Ok(None));
        let both = check("[scanner]\nkeyboard = \"/dev/input/event3\"\npath = \"/dev/ttyACM0\"\n")
            .unwrap_err();
        assert!(both.contains("one of path, usb_id or keyboard"), "{both}");
    }

    #[test]
    fn errors_name_the_bad_key() {
        let unknown = check("[kiosk]\nidle_timeout = 30\n").unwrap_err();
        assert!(unknown.contains("idle_timeout"), "{unknown}");
        let region = check("[kiosk]\ndefault_region = \"XX\"\n").unwrap_err();
        assert!(
            region.contains("default_region") && region.contains("XX"),
            "{region}"
        );
        let range = check("[kiosk]\nidle_timeout_secs = 1\n").unwrap_err();
        assert!(range.contains("kiosk.idle_timeout_secs"), "{range}");
        let not_offered =
            check("[kiosk]\ndefault_region = \"SG\"\nregions = [\"HK\"]\n").unwrap_err();
        assert!(
            not_offered.contains("kiosk.default_region"),
            "{not_offered}"
        );
        let scanner = check("[scanner]\nusb_id = \"05e0\"\n").unwrap_err();
        assert!(
            scanner.contains("`scanner`") && scanner.contains("vendor:product"),
            "{scanner}"
        );
        let nfc = check("[nfc]\ntransport = \"uart\"\n").unwrap_err();
        assert!(nfc.contains("nfc.path"), "{nfc}");
        let wrong_type = check("[kiosk]\nsignup_bonus_points = \"lots\"\n").unwrap_err();
        assert!(wrong_type.contains("signup_bonus_points"), "{wrong_type}");
    }

    #[test]
    fn a_check_reports_every_bad_key_not_only_the_first() {
        let e = check(
            "[kiosk]\nidle_timeout_secs = 1\nsignup_bonus_points = -5\n[staff]\npin = \"123456\"\nmax_attempts = 0\n",
        )
        .unwrap_err();
        for key in [
            "kiosk.idle_timeout_secs",
            "kiosk.signup_bonus_points",
            "staff.pin",
            "staff.max_attempts",
        ] {
            assert!(e.contains(key), "{key} missing from: {e}");
        }
    }

    #[test]
    fn the_store_name_and_notice_can_differ_per_language() {
        let c = check(
            "[kiosk]\nstore_name = { zh-Hant = \"茶館\", zh-Hans = \"茶馆\", en = \"Tea House\" }\nprivacy_notice = \"We keep your number.\"\n",
        )
        .unwrap();
        assert_eq!(c.kiosk.store_name.get(Language::SimplifiedChinese), "茶馆");
        assert_eq!(
            c.kiosk.privacy_notice.unwrap().get(Language::English),
            "We keep your number."
        );
        let half = check("[kiosk]\nstore_name = { zh-Hant = \"茶館\", en = \"Tea\" }\n");
        assert!(half.is_err());
    }

    #[test]
    fn the_crm_needs_tls_an_id_and_exactly_one_token() {
        let good = "[crm]\nurl = \"https://crm.example.com/kiosk-api\"\nkiosk_id = \"shop-1\"\ntoken = \"t\"\n";
        let config = check(good).unwrap();
        assert_eq!(config.crm.as_ref().unwrap().batch_size, 200);
        assert_eq!(config.crm.unwrap().bearer_token().unwrap(), "t");
        let plain =
            check(&good.replace("https://crm.example.com", "http://crm.example.com")).unwrap_err();
        assert!(
            plain.contains("crm.url") && plain.contains("https"),
            "{plain}"
        );
        check(&good.replace("https://crm.example.com", "http://127.0.0.1:8080")).unwrap();
        let id = check(&good.replace("shop-1", "shop 1")).unwrap_err();
        assert!(id.contains("crm.kiosk_id"), "{id}");
        let both = check(&format!("{good}token_file = \"/etc/member-kiosk/token\"\n")).unwrap_err();
        assert!(both.contains("crm.token"), "{both}");
        let batch = check(&format!("{good}batch_size = 0\n")).unwrap_err();
        assert!(batch.contains("crm.batch_size"), "{batch}");
    }

    #[test]
    fn crm_settings_override_the_file_unless_they_are_out_of_range() {
        use crate::domain::crm::CrmSettings;
        let base = Config::default();
        let merged = base.with_crm_settings(&CrmSettings {
            store_name: Some("Tea House".into()),
            privacy_notice: None,
            signup_bonus_points: Some(50),
            ..Default::default()
        });
        assert_eq!(merged.kiosk.store_name, "Tea House".into());
        assert_eq!(merged.kiosk.signup_bonus_points, 50);
        assert_eq!(merged.kiosk.idle_timeout_secs, base.kiosk.idle_timeout_secs);
        let bad = base.with_crm_settings(&CrmSettings {
            idle_timeout_secs: Some(1),
            ..Default::default()
        });
        assert_eq!(bad, base);
    }

    #[test]
    fn staff_pins_are_hashed_and_plain_text_is_refused_with_what_to_do() {
        let phc = crate::domain::staff::pin::hash("246813", &[3; 16]).unwrap();
        let good = format!(
            "[staff]\n[[staff.members]]\nid = \"amy\"\nname = \"Amy\"\npin_hash = \"{phc}\"\n"
        );
        let c = check(&good).unwrap();
        assert_eq!(c.staff.as_ref().unwrap().members[0].id, "amy");
        let shown = toml::to_string(&c.redacted()).unwrap();
        assert!(
            !shown.contains(&phc),
            "check-config must not print the hash"
        );
        let plain = check("[staff]\npin = \"2468\"\n").unwrap_err();
        assert!(
            plain.contains("staff.pin") && plain.contains("member-kiosk hash-pin"),
            "{plain}"
        );
        let not_hash = check(&good.replace(&phc, "246813")).unwrap_err();
        assert!(
            not_hash.contains("staff.members.pin_hash") && not_hash.contains("hash-pin"),
            "{not_hash}"
        );
        let twice = check(&format!("{good}{}", good.replace("[staff]\n", ""))).unwrap_err();
        assert!(twice.contains("staff.members.id"), "{twice}");
        let old = check("[staff]\nlockout_secs = 60\n").unwrap_err();
        assert!(old.contains("staff.lockout_secs"), "{old}");
    }

    #[test]
    fn earning_rules_are_read_and_checked() {
        let c = check(
            "[earning]\ncurrency = \"TWD\"\ndecimals = 0\npoints_per_unit = 0.1\ntier_multipliers = { gold = 1.5 }\n",
        )
        .unwrap();
        let rules = c.earning.rules();
        assert_eq!(rules.earn(250, 0, Some("gold")).points, 37);
        let bad =
            check("[earning]\ncurrency = \"hk\"\ndecimals = 5\ntier_multipliers = { gold = 99 }\n")
                .unwrap_err();
        for key in ["earning.currency", "earning.decimals", "`earning`"] {
            assert!(bad.contains(key), "{key} missing from {bad}");
        }
    }
}
