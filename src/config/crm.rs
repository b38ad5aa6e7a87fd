//! `[crm]`: where the central CRM is, how the kiosk proves who it is, and the sync loop's
//! pace. Absent means events wait in the outbox.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Problems;

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
    /// Largest answer read from the CRM, in bytes (a page of changes, say); a larger one is
    /// refused as a protocol error and retried later (64 KiB..256 MiB).
    pub max_page_bytes: u64,
    /// The CRM texts one-time codes (`/v1/verifications`): "My points" then also works
    /// with a mobile number and the code sent to it.
    pub one_time_codes: bool,
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
            max_page_bytes: 4 * 1024 * 1024,
            one_time_codes: false,
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

impl CrmConfig {
    pub(super) fn check(&self, problems: &mut Problems) {
        match reqwest::Url::parse(&self.url) {
            Err(e) => problems.add("crm.url", format!("is not a URL ({e}): {:?}", self.url)),
            Ok(url) => {
                let loopback = match url.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(name)) => name == "localhost",
                    None => false,
                };
                match url.scheme() {
                    "https" => {}
                    "http" if loopback => {}
                    "http" => problems.add(
                        "crm.url",
                        "must use https (plain http only to a loopback address)",
                    ),
                    other => problems.add("crm.url", format!("must be https, not {other}")),
                }
            }
        }
        let id_ok = (1..=64).contains(&self.kiosk_id.len())
            && self
                .kiosk_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !id_ok {
            problems.add(
                "crm.kiosk_id",
                "must be 1 to 64 letters, digits, '.', '_' or '-'",
            );
        }
        if self.token.is_some() == self.token_file.is_some() {
            problems.add("crm.token", "give exactly one of token or token_file");
        }
        if self.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            problems.add("crm.token", "must not be empty");
        }
        if !(1..=1000).contains(&self.batch_size) {
            problems.add("crm.batch_size", "must be between 1 and 1000");
        }
        if !(1..=300).contains(&self.timeout_secs) {
            problems.add("crm.timeout_secs", "must be between 1 and 300");
        }
        if !(1..=86_400).contains(&self.pull_secs) {
            problems.add("crm.pull_secs", "must be between 1 and 86400");
        }
        if !(10..=86_400).contains(&self.heartbeat_secs) {
            problems.add("crm.heartbeat_secs", "must be between 10 and 86400");
        }
        if !(1..=3600).contains(&self.max_backoff_secs) {
            problems.add("crm.max_backoff_secs", "must be between 1 and 3600");
        }
        if !(64 * 1024..=256 * 1024 * 1024).contains(&self.max_page_bytes) {
            problems.add("crm.max_page_bytes", "must be between 65536 and 268435456");
        }
    }
}
