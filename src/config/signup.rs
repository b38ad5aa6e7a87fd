//! `[signup]`: sign-up on the customer's own phone. With `url_base` set, the attract screen
//! shows a QR code of that page with a short-lived token signed by this kiosk.
use serde::{Deserialize, Serialize};

use super::Problems;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SignupConfig {
    /// The CRM's sign-up page (https), e.g. `https://crm.example.com/join?shop=central`.
    pub url_base: Option<String>,
}

impl SignupConfig {
    /// The page, when one is set and valid.
    pub fn url(&self) -> Option<url::Url> {
        url::Url::parse(self.url_base.as_deref()?).ok()
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        let Some(base) = &self.url_base else { return };
        match url::Url::parse(base) {
            Ok(url) if url.scheme() == "https" && url.host().is_some() && base.len() <= 120 => {}
            Ok(_) => problems.add(
                "signup.url_base",
                "must be an https address of at most 120 characters (it becomes a QR code)",
            ),
            Err(e) => problems.add("signup.url_base", format!("is not an address: {e}")),
        }
    }
}
