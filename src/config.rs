//! The kiosk's one configuration file (TOML): built-in dev defaults, overridden by
//! `/etc/member-kiosk/kiosk.toml` when present or by `--config PATH`. Unknown keys are an
//! error, and [`Config::check`] names the key of any value out of range.
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::devices::scanner::lines::Suffix;
use crate::devices::scanner::serial::PortSelector;
use crate::domain::language::Language;
use crate::domain::region::Region;

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrmConfig {
    /// Base URL of the CRM's kiosk API (the contract's `/v1/...` paths go under it). HTTPS,
    /// or plain HTTP to a loopback address only.
    pub url: String,
    /// This kiosk's id, sent with every request (letters, digits, `.`, `_`, `-`).
    pub kiosk_id: String,
    /// The kiosk's bearer token; or `token_file` to keep it out of this file.
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Trust only the CA certificate(s) in this PEM file instead of the built-in roots.
    pub ca_file: Option<PathBuf>,
    /// Events per push (1..1000).
    pub batch_size: u32,
    /// Seconds before any request is given up (5..300).
    pub timeout_secs: u64,
    /// Seconds between pulls of the CRM's changes when nothing else happens.
    pub pull_secs: u64,
    /// Seconds between heartbeats.
    pub heartbeat_secs: u64,
    /// Longest wait between retries, in seconds.
    pub max_backoff_secs: u64,
}

impl Default for CrmConfig {
    fn default() -> Self {
        CrmConfig {
            url: String::new(),
            kiosk_id: String::new(),
            token: None,
            token_file: None,
            ca_file: None,
            batch_size: 200,
            timeout_secs: 15,
            pull_secs: 60,
            heartbeat_secs: 300,
            max_backoff_secs: 300,
        }
    }
}

impl CrmConfig {
    /// The bearer token, read from `token_file` if that is how it is given.
    pub fn bearer_token(&self) -> Result<String, String> {
        match (&self.token, &self.token_file) {
            (Some(token), None) => Ok(token.trim().to_owned()),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|t| t.trim().to_owned())
                .map_err(|e| format!("cannot read {}: {e}", path.display())),
            _ => Err("give exactly one of token or token_file".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// The PIN that opens staff mode: 4 to 8 digits.
    pub pin: String,
    /// Wrong PINs in a row before staff mode locks for `lockout_secs`.
    pub max_attempts: u32,
    pub lockout_secs: u64,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig {
            pin: String::new(),
            max_attempts: 5,
            lockout_secs: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackConfig {
    /// BCM number of the buzzer pin (e.g. 18).
    pub buzzer_pin: Option<u8>,
    /// BCM number of the LED pin (e.g. 23).
    pub led_pin: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// Serial device, e.g. `/dev/serial/by-id/usb-...` or `/dev/ttyACM0`.
    pub path: Option<PathBuf>,
    /// USB `vendor:product` in hex (e.g. `"05e0:1200"`): found again after a replug even if
    /// it comes back as another `/dev/ttyACM*`.
    pub usb_id: Option<String>,
    /// Or a keyboard-wedge (HID) scanner's input device, e.g.
    /// `/dev/input/by-id/usb-...-event-kbd`.
    pub keyboard: Option<PathBuf>,
    pub baud: u32,
    /// Line ending the scanner sends: "CR", "LF" or "CRLF".
    pub suffix: Suffix,
    /// Longest code accepted, in bytes.
    pub max_length: usize,
    /// The same code scanned again within this many milliseconds is ignored.
    pub debounce_ms: u64,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            path: None,
            usb_id: None,
            keyboard: None,
            baud: 9600,
            suffix: Suffix::CrLf,
            max_length: 512,
            debounce_ms: 1500,
        }
    }
}

impl ScannerConfig {
    /// Which port to open (`None`: a keyboard-wedge scanner); `Err` names the problem.
    pub fn port(&self) -> Result<Option<PortSelector>, String> {
        if self.keyboard.is_some() {
            return match (&self.path, &self.usb_id) {
                (None, None) => Ok(None),
                _ => Err("give one of path, usb_id or keyboard".into()),
            };
        }
        self.serial_port().map(Some)
    }

    fn serial_port(&self) -> Result<PortSelector, String> {
        match (&self.path, &self.usb_id) {
            (Some(path), None) => Ok(PortSelector::Path(path.clone())),
            (None, Some(id)) => {
                let parse = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
                match id.split_once(':') {
                    Some((v, p)) => match (parse(v), parse(p)) {
                        (Some(vid), Some(pid)) => Ok(PortSelector::Usb { vid, pid }),
                        _ => Err(format!("must be vendor:product in hex, not {id:?}")),
                    },
                    None => Err(format!("must be vendor:product in hex, not {id:?}")),
                }
            }
            (Some(_), Some(_)) => Err("give either path or usb_id, not both".into()),
            (None, None) => Err("needs path, usb_id or keyboard".into()),
        }
    }
}

/// How the PN532 is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NfcTransport {
    /// HSU over a serial port.
    #[default]
    Uart,
    /// I²C bus 1 on the Raspberry Pi (cargo feature `rpi`).
    I2c,
    /// SPI0 on the Raspberry Pi (cargo feature `rpi`).
    Spi,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NfcConfig {
    pub transport: NfcTransport,
    /// Serial device for `uart`, e.g. `/dev/ttyS0` or `/dev/ttyUSB0`.
    pub path: Option<PathBuf>,
    pub baud: u32,
    /// Pause between polls for a card, in milliseconds.
    pub poll_interval_ms: u64,
}

impl Default for NfcConfig {
    fn default() -> Self {
        NfcConfig {
            transport: NfcTransport::Uart,
            path: None,
            baud: 115_200,
            poll_interval_ms: 150,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SimulatorConfig {
    /// Simulated scanner and reader driven by `member-kiosk simulate`. Default: on when no
    /// scanner and no NFC reader is configured.
    pub enabled: Option<bool>,
}

impl Config {
    /// Whether the simulated devices run.
    pub fn simulate_devices(&self) -> bool {
        self.simulator
            .enabled
            .unwrap_or(self.scanner.is_none() && self.nfc.is_none())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Shown on the attract screen and as the window title.
    pub store_name: String,
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
    /// Fill the screen (the appliance); off for development in a window.
    pub fullscreen: bool,
    /// How to reach the screen: a desktop window, or straight to the display (KMS).
    pub display: Display,
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
            store_name: "Member Kiosk".into(),
            language: Language::TraditionalChinese,
            default_region: Region::HK,
            regions: Region::ALL.to_vec(),
            idle_timeout_secs: 30,
            signup_bonus_points: 100,
            privacy_notice_version: "2026-01".into(),
            fullscreen: false,
            display: Display::Auto,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Where the database lives. Default: `$STATE_DIRECTORY` under systemd
    /// (`/var/lib/member-kiosk`), else `$XDG_DATA_HOME/member-kiosk`.
    pub data_dir: Option<PathBuf>,
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
    #[error("invalid configuration ({source_name}): `{key}` {problem}")]
    Invalid {
        source_name: String,
        key: &'static str,
        problem: String,
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

    /// Semantic checks that the types alone cannot express.
    pub fn check(&self, source: &ConfigSource) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, problem: String| ConfigError::Invalid {
            source_name: source.to_string(),
            key,
            problem,
        };
        let k = &self.kiosk;
        if k.store_name.trim().is_empty() || k.store_name.chars().count() > 60 {
            return Err(invalid(
                "kiosk.store_name",
                "must be 1 to 60 characters".into(),
            ));
        }
        if !(5..=3600).contains(&k.idle_timeout_secs) {
            return Err(invalid(
                "kiosk.idle_timeout_secs",
                format!("must be between 5 and 3600, not {}", k.idle_timeout_secs),
            ));
        }
        if !(0..=1_000_000).contains(&k.signup_bonus_points) {
            return Err(invalid(
                "kiosk.signup_bonus_points",
                format!(
                    "must be between 0 and 1000000, not {}",
                    k.signup_bonus_points
                ),
            ));
        }
        if k.privacy_notice_version.trim().is_empty() {
            return Err(invalid(
                "kiosk.privacy_notice_version",
                "must not be empty".into(),
            ));
        }
        if k.regions.is_empty() {
            return Err(invalid(
                "kiosk.regions",
                "must list at least one region".into(),
            ));
        }
        for (i, region) in k.regions.iter().enumerate() {
            if k.regions[..i].contains(region) {
                return Err(invalid("kiosk.regions", format!("lists {region} twice")));
            }
        }
        if !k.regions.contains(&k.default_region) {
            return Err(invalid(
                "kiosk.default_region",
                format!("{} is not one of kiosk.regions", k.default_region),
            ));
        }
        if let Some(scanner) = &self.scanner {
            scanner.port().map_err(|p| invalid("scanner", p))?;
            if !(1..=4096).contains(&scanner.max_length) {
                return Err(invalid(
                    "scanner.max_length",
                    "must be between 1 and 4096".into(),
                ));
            }
            if scanner.baud == 0 {
                return Err(invalid(
                    "scanner.baud",
                    "must be a baud rate such as 9600".into(),
                ));
            }
        }
        if let Some(f) = &self.feedback {
            if !cfg!(feature = "rpi") {
                return Err(invalid(
                    "feedback",
                    "needs a build with Raspberry Pi support (cargo feature rpi)".into(),
                ));
            }
            if let Some(pin) = f.buzzer_pin.into_iter().chain(f.led_pin).find(|p| *p > 27) {
                return Err(invalid(
                    "feedback",
                    format!("pin {pin} is not a Raspberry Pi GPIO (0..27)"),
                ));
            }
        }
        if let Some(nfc) = &self.nfc {
            match nfc.transport {
                NfcTransport::Uart if nfc.path.is_none() => {
                    return Err(invalid(
                        "nfc.path",
                        "is needed for transport = \"uart\"".into(),
                    ));
                }
                NfcTransport::I2c | NfcTransport::Spi if !cfg!(feature = "rpi") => {
                    return Err(invalid(
                        "nfc.transport",
                        "i2c and spi need a build with Raspberry Pi support (cargo feature rpi)"
                            .into(),
                    ));
                }
                _ => {}
            }
            if !(10..=5000).contains(&nfc.poll_interval_ms) {
                return Err(invalid(
                    "nfc.poll_interval_ms",
                    "must be between 10 and 5000".into(),
                ));
            }
        }
        if let Some(crm) = &self.crm {
            crm.check()
                .map_err(|(key, problem)| invalid(key, problem))?;
        }
        if let Some(staff) = &self.staff {
            let digits = staff.pin.len();
            if !(4..=8).contains(&digits) || !staff.pin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("staff.pin", "must be 4 to 8 digits".into()));
            }
            if staff.max_attempts == 0 {
                return Err(invalid("staff.max_attempts", "must be at least 1".into()));
            }
        }
        Ok(())
    }

    /// This configuration with the settings the CRM manages laid over it. If the result does
    /// not pass [`Config::check`] the CRM's values are ignored (and logged).
    pub fn with_crm_settings(&self, settings: &crate::domain::crm::CrmSettings) -> Config {
        let mut merged = self.clone();
        let k = &mut merged.kiosk;
        if let Some(name) = &settings.store_name {
            k.store_name = name.clone();
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

impl CrmConfig {
    fn check(&self) -> Result<(), (&'static str, String)> {
        let url = reqwest::Url::parse(&self.url)
            .map_err(|e| ("crm.url", format!("is not a URL ({e}): {:?}", self.url)))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err((
                    "crm.url",
                    "must use https (plain http only to a loopback address)".into(),
                ));
            }
            other => return Err(("crm.url", format!("must be https, not {other}"))),
        }
        let id_ok = (1..=64).contains(&self.kiosk_id.len())
            && self
                .kiosk_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !id_ok {
            return Err((
                "crm.kiosk_id",
                "must be 1 to 64 letters, digits, '.', '_' or '-'".into(),
            ));
        }
        if self.token.is_some() == self.token_file.is_some() {
            return Err((
                "crm.token",
                "give exactly one of token or token_file".into(),
            ));
        }
        if self.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(("crm.token", "must not be empty".into()));
        }
        if !(1..=1000).contains(&self.batch_size) {
            return Err(("crm.batch_size", "must be between 1 and 1000".into()));
        }
        if !(1..=300).contains(&self.timeout_secs) {
            return Err(("crm.timeout_secs", "must be between 1 and 300".into()));
        }
        if !(1..=86_400).contains(&self.pull_secs) {
            return Err(("crm.pull_secs", "must be between 1 and 86400".into()));
        }
        if !(10..=86_400).contains(&self.heartbeat_secs) {
            return Err(("crm.heartbeat_secs", "must be between 10 and 86400".into()));
        }
        if !(1..=3600).contains(&self.max_backoff_secs) {
            return Err(("crm.max_backoff_secs", "must be between 1 and 3600".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            check(include_str!("../kiosk.example.toml")).unwrap(),
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
            signup_bonus_points: Some(50),
            ..Default::default()
        });
        assert_eq!(merged.kiosk.store_name, "Tea House");
        assert_eq!(merged.kiosk.signup_bonus_points, 50);
        assert_eq!(merged.kiosk.idle_timeout_secs, base.kiosk.idle_timeout_secs);
        let bad = base.with_crm_settings(&CrmSettings {
            idle_timeout_secs: Some(1),
            ..Default::default()
        });
        assert_eq!(bad, base);
    }

    #[test]
    fn the_staff_pin_is_four_to_eight_digits() {
        assert!(check("[staff]\npin = \"2468\"\n").is_ok());
        for bad in ["123", "123456789", "12a4", ""] {
            let e = check(&format!("[staff]\npin = \"{bad}\"\n")).unwrap_err();
            assert!(e.contains("staff.pin"), "{e}");
        }
    }
}
