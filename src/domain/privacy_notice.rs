//! The shop's privacy notice: its version and its text in each language. What a customer
//! agreed to is recorded as the version plus a SHA-256 of the exact text shown, so the shop
//! can prove which words were on screen. The built-in text names the shop and says where
//! the data goes, as a Hong Kong PDPO personal information collection statement must; a
//! shop replaces it with its own in the config or from the CRM.
use sha2::{Digest, Sha256};

use super::language::Language;
use super::localized::{LocalizedText, PerLanguage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyNotice {
    pub version: String,
    pub text: LocalizedText,
}

impl PrivacyNotice {
    /// The notice as the shop configured it, or the built-in one naming `store_name`.
    pub fn new(version: &str, text: Option<&LocalizedText>, store_name: &LocalizedText) -> Self {
        PrivacyNotice {
            version: version.to_owned(),
            text: text.cloned().unwrap_or_else(|| built_in(store_name)),
        }
    }

    pub fn text(&self, language: Language) -> &str {
        self.text.get(language)
    }

    /// Lower-case hex SHA-256 of the text shown in `language`, as stored with a consent.
    pub fn sha256(&self, language: Language) -> String {
        Sha256::digest(self.text(language).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn built_in(store_name: &LocalizedText) -> LocalizedText {
    let fill = |template: &str, language| template.replace("{shop}", store_name.get(language));
    LocalizedText::PerLanguage(PerLanguage {
        zh_hant: fill(
            "{shop}收集您的手機號碼，用於管理您的會員資格：記錄積分、在櫃檯識別您，並與{shop}的會員系統（CRM）同步；您的資料會傳送至該系統，只供{shop}使用。我們不會在此螢幕顯示您的號碼，亦不會出售您的資料。只有在您另行同意後，我們才會向您發送推廣訊息，您可隨時撤回同意。您可向我們的職員要求查閱、更正或刪除您的資料。",
            Language::TraditionalChinese,
        ),
        zh_hans: fill(
            "{shop}收集您的手机号码，用于管理您的会员资格：记录积分、在柜台识别您，并与{shop}的会员系统（CRM）同步；您的资料会传送至该系统，只供{shop}使用。我们不会在此屏幕显示您的号码，也不会出售您的资料。只有在您另行同意后，我们才会向您发送推广信息，您可随时撤回同意。您可向我们的职员要求查阅、更正或删除您的资料。",
            Language::SimplifiedChinese,
        ),
        en: fill(
            "{shop} collects your mobile number to run your membership: to record your points, to recognise you at the counter, and to keep your membership in step with {shop}'s membership system (CRM), which is where your data is sent and where only {shop} uses it. We do not show your number on this screen and never sell it. Marketing messages are sent only if you opt in separately, and you can withdraw that at any time. You may ask our staff to see, correct or delete your data.",
            Language::English,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_notice_names_the_shop_in_each_language() {
        let name = LocalizedText::PerLanguage(PerLanguage {
            zh_hant: "茶館".into(),
            zh_hans: "茶馆".into(),
            en: "Tea House".into(),
        });
        let notice = PrivacyNotice::new("2026-01", None, &name);
        assert!(
            notice
                .text(Language::TraditionalChinese)
                .starts_with("茶館收集")
        );
        assert!(
            notice
                .text(Language::SimplifiedChinese)
                .contains("茶馆的会员系统")
        );
        assert!(
            notice
                .text(Language::English)
                .contains("Tea House's membership system")
        );
    }

    #[test]
    fn the_hash_is_of_the_exact_text_shown() {
        let notice = PrivacyNotice::new("v1", Some(&LocalizedText::from("abc")), &"x".into());
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            notice.sha256(Language::English),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let built_in = PrivacyNotice::new("v1", None, &"Shop".into());
        assert_ne!(
            built_in.sha256(Language::English),
            built_in.sha256(Language::TraditionalChinese)
        );
    }
}
