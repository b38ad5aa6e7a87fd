//! The three UI languages and how each maps to a translation bundle and a font.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Language {
    #[default]
    #[serde(rename = "zh-Hant")]
    TraditionalChinese,
    #[serde(rename = "zh-Hans")]
    SimplifiedChinese,
    #[serde(rename = "en")]
    English,
}

impl Language {
    /// Order of the language buttons on screen; the UI refers to languages by this index.
    pub const ALL: [Language; 3] = [
        Language::TraditionalChinese,
        Language::SimplifiedChinese,
        Language::English,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    pub fn from_index(index: i32) -> Option<Language> {
        usize::try_from(index)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// Name of the bundled translation (the directory under `ui/lang/`).
    pub fn bundle_name(self) -> &'static str {
        match self {
            Language::TraditionalChinese => "zh-Hant",
            Language::SimplifiedChinese => "zh-Hans",
            Language::English => "en",
        }
    }

    /// Preferred font family, so Han characters take the shapes readers of each script expect
    /// (Debian's fonts-noto-cjk). Fontconfig falls back if the family is missing.
    pub fn font_family(self) -> &'static str {
        match self {
            Language::TraditionalChinese => "Noto Sans CJK TC",
            Language::SimplifiedChinese => "Noto Sans CJK SC",
            Language::English => "Noto Sans",
        }
    }
}
