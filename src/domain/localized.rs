//! Text the shop writes (its name, its privacy notice) in each UI language: one string for
//! all three, or one per language, so Traditional characters never appear on the
//! Simplified screen.
use serde::{Deserialize, Serialize};

use super::language::Language;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocalizedText {
    /// The same text whatever the language (e.g. a brand written in Latin letters).
    Same(String),
    PerLanguage(PerLanguage),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerLanguage {
    #[serde(rename = "zh-Hant")]
    pub zh_hant: String,
    #[serde(rename = "zh-Hans")]
    pub zh_hans: String,
    pub en: String,
}

impl LocalizedText {
    pub fn get(&self, language: Language) -> &str {
        match self {
            LocalizedText::Same(text) => text,
            LocalizedText::PerLanguage(p) => match language {
                Language::TraditionalChinese => &p.zh_hant,
                Language::SimplifiedChinese => &p.zh_hans,
                Language::English => &p.en,
            },
        }
    }

    /// The text in each language, in the order of [`Language::ALL`].
    pub fn all(&self) -> [String; 3] {
        Language::ALL.map(|l| self.get(l).to_owned())
    }

    /// Every language's text is 1 to `max_chars` characters, without control characters
    /// other than line breaks.
    pub fn check(&self, max_chars: usize) -> Result<(), String> {
        for language in Language::ALL {
            let text = self.get(language);
            let chars = text.chars().count();
            if text.trim().is_empty() || chars > max_chars {
                return Err(format!(
                    "must be 1 to {max_chars} characters in {}",
                    language.bundle_name()
                ));
            }
            if text.chars().any(|c| c.is_control() && c != '\n') {
                return Err(format!(
                    "must not contain control characters ({})",
                    language.bundle_name()
                ));
            }
        }
        Ok(())
    }
}

impl From<&str> for LocalizedText {
    fn from(text: &str) -> Self {
        LocalizedText::Same(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_text_or_one_per_language() {
        let same: LocalizedText = serde_json::from_str("\"Tea House\"").unwrap();
        assert_eq!(same.get(Language::SimplifiedChinese), "Tea House");
        let per: LocalizedText =
            serde_json::from_str(r#"{"zh-Hant":"茶館","zh-Hans":"茶馆","en":"Tea House"}"#)
                .unwrap();
        assert_eq!(per.all(), ["茶館", "茶馆", "Tea House"]);
        assert!(per.check(60).is_ok());
        let missing = serde_json::from_str::<LocalizedText>(r#"{"zh-Hant":"茶館","en":"T"}"#);
        assert!(missing.is_err(), "every language is needed");
        assert!(LocalizedText::from(" ").check(60).is_err());
        assert!(LocalizedText::from("a\u{7}b").check(60).is_err());
    }
}
