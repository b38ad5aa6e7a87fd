//! `[loyalty]`: the programme when the CRM publishes none (points expiry, up to five tiers,
//! the rewards catalogue), and how hard the kiosk makes guessing member codes.
use serde::{Deserialize, Serialize};

use super::Problems;
use crate::domain::loyalty::rewards::Reward;
use crate::domain::loyalty::standing::LoyaltyRules;
use crate::domain::loyalty::tiers::{Tier, TierBasis, TierRules};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoyaltyConfig {
    /// Points lapse this many months after they are earned; 0: never.
    pub points_expire_after_months: u32,
    /// What tiers are reached on: `points_earned` or `spend`.
    pub tier_basis: TierBasis,
    /// The tiers' rolling window and period, in months.
    pub tier_window_months: u32,
    /// Lowest first: `{ id, name, threshold }`.
    pub tiers: Vec<Tier>,
    /// `{ id, name, cost }`.
    pub rewards: Vec<Reward>,
    /// Unknown or refused codes and cards within a minute before lookups pause.
    pub lookup_misses_before_pause: u32,
    /// How long lookups pause then, in seconds.
    pub lookup_pause_secs: u64,
    /// How long a member code shown at sign-up or printed works, in days.
    pub member_code_valid_days: u32,
}

impl Default for LoyaltyConfig {
    fn default() -> Self {
        LoyaltyConfig {
            points_expire_after_months: 0,
            tier_basis: TierBasis::PointsEarned,
            tier_window_months: 12,
            tiers: Vec::new(),
            rewards: Vec::new(),
            lookup_misses_before_pause: 5,
            lookup_pause_secs: 30,
            member_code_valid_days: 730,
        }
    }
}

impl LoyaltyConfig {
    pub fn rules(&self) -> LoyaltyRules {
        LoyaltyRules {
            points_expire_after_months: self.points_expire_after_months,
            tier_rules: TierRules {
                basis: self.tier_basis,
                window_months: self.tier_window_months,
                tiers: self.tiers.clone(),
            },
            rewards: self.rewards.clone(),
        }
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        if let Err(e) = self.rules().check() {
            problems.add("loyalty", e);
        }
        if !(1..=100).contains(&self.lookup_misses_before_pause) {
            problems.add("loyalty.lookup_misses_before_pause", "must be 1 to 100");
        }
        if !(1..=3600).contains(&self.lookup_pause_secs) {
            problems.add("loyalty.lookup_pause_secs", "must be 1 to 3600 seconds");
        }
        if !(1..=3650).contains(&self.member_code_valid_days) {
            problems.add("loyalty.member_code_valid_days", "must be 1 to 3650 days");
        }
    }
}
