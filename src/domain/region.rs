//! The calling regions a kiosk can offer on its join screen, with their prefixes.
use serde::{Deserialize, Serialize};

/// A region whose mobile numbers the kiosk accepts. The list is deliberately closed: each one
/// has a translated name in the UI and is covered by the phone-number tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    HK,
    TW,
    CN,
    MO,
    SG,
    MY,
}

impl Region {
    pub const ALL: [Region; 6] = [
        Region::HK,
        Region::TW,
        Region::CN,
        Region::MO,
        Region::SG,
        Region::MY,
    ];

    /// ISO 3166-1 alpha-2 code, as used in configuration and the UI.
    pub fn code(self) -> &'static str {
        match self {
            Region::HK => "HK",
            Region::TW => "TW",
            Region::CN => "CN",
            Region::MO => "MO",
            Region::SG => "SG",
            Region::MY => "MY",
        }
    }

    /// International dialling prefix shown in front of the typed number.
    pub fn dial_prefix(self) -> &'static str {
        match self {
            Region::HK => "+852",
            Region::TW => "+886",
            Region::CN => "+86",
            Region::MO => "+853",
            Region::SG => "+65",
            Region::MY => "+60",
        }
    }

    pub(crate) fn country_id(self) -> phonenumber::country::Id {
        use phonenumber::country::Id;
        match self {
            Region::HK => Id::HK,
            Region::TW => Id::TW,
            Region::CN => Id::CN,
            Region::MO => Id::MO,
            Region::SG => Id::SG,
            Region::MY => Id::MY,
        }
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
