//! `[earning]`: the shop's currency and how purchases earn points (points per currency unit,
//! tier multipliers, rounded down), with the fraud guards on awards. The CRM may publish its
//! own rules (`earning_rules`), which then replace these; the currency stays the config's.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Problems;
use crate::domain::loyalty::earning::{EarningRules, Rate};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EarningConfig {
    /// ISO 4217 code, shown beside amounts and sent with each award, e.g. `HKD`.
    pub currency: String,
    /// Decimal places of an amount: 2 for HKD, 0 for TWD.
    pub decimals: u8,
    /// Points for one whole currency unit; may be a fraction (0.1: a point per 10).
    pub points_per_unit: Rate,
    /// Tier id → multiplier, e.g. `{ gold = 1.5 }`; other tiers earn ×1.
    pub tier_multipliers: BTreeMap<String, Rate>,
    /// The most points one purchase may earn; 0: no limit.
    pub max_points_per_award: i64,
    /// The most awards one member may get in a day; 0: no limit.
    pub max_awards_per_member_per_day: u32,
}

impl Default for EarningConfig {
    fn default() -> Self {
        let rules = EarningRules::default();
        EarningConfig {
            currency: "HKD".into(),
            decimals: 2,
            points_per_unit: rules.points_per_unit,
            tier_multipliers: rules.tier_multipliers,
            max_points_per_award: rules.max_points_per_award,
            max_awards_per_member_per_day: rules.max_awards_per_member_per_day,
        }
    }
}

impl EarningConfig {
    pub fn rules(&self) -> EarningRules {
        EarningRules {
            points_per_unit: self.points_per_unit,
            tier_multipliers: self.tier_multipliers.clone(),
            max_points_per_award: self.max_points_per_award,
            max_awards_per_member_per_day: self.max_awards_per_member_per_day,
        }
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.add(
                "earning.currency",
                "must be a three-letter ISO 4217 code such as HKD",
            );
        }
        if self.decimals > 3 {
            problems.add("earning.decimals", "must be 0 to 3");
        }
        if let Err(e) = self.rules().check() {
            problems.add("earning", e);
        }
    }
}
