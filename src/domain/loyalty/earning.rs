//! Earning rules: how many points a purchase earns. Points per currency unit, times the
//! member's tier multiplier, rounded down; all in integer arithmetic (amounts in the
//! currency's minor unit, rates in ten-thousandths), so no purchase earns a point more or
//! less than the rule says. The fraud guards (the largest award per purchase, the most
//! awards per member per day) are checked here too.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Rates and multipliers are fixed-point with four decimals.
pub const SCALE: i64 = 10_000;

/// A decimal with four places (`1.5` is 15000), read from and written as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(pub i64);

impl Rate {
    pub const ONE: Rate = Rate(SCALE);

    pub fn from_f64(value: f64) -> Option<Rate> {
        let scaled = (value * SCALE as f64).round();
        (scaled.is_finite() && (0.0..=1e12).contains(&scaled)).then_some(Rate(scaled as i64))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// As a person reads it: `1.5`, `2`, `0.25`.
    pub fn display(self) -> String {
        let whole = self.0 / SCALE;
        let frac = self.0 % SCALE;
        if frac == 0 {
            return whole.to_string();
        }
        let digits = format!("{frac:04}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        let value = f64::deserialize(d)?;
        Rate::from_f64(value).ok_or_else(|| {
            serde::de::Error::custom(format!("{value} is not a rate from 0 to 100000000"))
        })
    }
}

/// The earning rules and the fraud guards, from the config or the CRM's `earning_rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EarningRules {
    /// Points for one whole currency unit (e.g. 1 point per HK$1); may be a fraction.
    pub points_per_unit: Rate,
    /// Tier id → multiplier (e.g. `gold = 1.5`); tiers not listed earn ×1.
    pub tier_multipliers: BTreeMap<String, Rate>,
    /// The most points one purchase may earn; 0: no limit.
    pub max_points_per_award: i64,
    /// The most awards one member may get in a day; 0: no limit.
    pub max_awards_per_member_per_day: u32,
}

impl Default for EarningRules {
    fn default() -> Self {
        EarningRules {
            points_per_unit: Rate::ONE,
            tier_multipliers: BTreeMap::new(),
            max_points_per_award: 10_000,
            max_awards_per_member_per_day: 5,
        }
    }
}

/// What a purchase earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub points: i64,
    /// The tier multiplier applied (×1 without a tier or a listed multiplier).
    pub multiplier: Rate,
}

/// Why an award is refused; each names its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwardRefusal {
    #[error("enter an amount above zero")]
    NoAmount,
    #[error("this purchase earns no points")]
    NoPoints,
    #[error("{points} points is more than the {limit} one purchase may earn")]
    OverAwardLimit { points: i64, limit: i64 },
    #[error("this member has had {limit} awards today, the most a day allows")]
    OverDailyLimit { limit: u32 },
}

impl EarningRules {
    pub fn multiplier(&self, tier: Option<&str>) -> Rate {
        tier.and_then(|t| self.tier_multipliers.get(t))
            .copied()
            .unwrap_or(Rate::ONE)
    }

    /// Points for `amount_minor` (the currency's minor unit, `decimals` places) for a member
    /// in `tier`: `floor(amount × points_per_unit × multiplier)`.
    pub fn earn(&self, amount_minor: i64, decimals: u8, tier: Option<&str>) -> Award {
        let multiplier = self.multiplier(tier);
        let unit = 10i128.pow(u32::from(decimals));
        let numerator = i128::from(amount_minor.max(0))
            * i128::from(self.points_per_unit.0)
            * i128::from(multiplier.0);
        let points = numerator / (unit * i128::from(SCALE) * i128::from(SCALE));
        Award {
            points: i64::try_from(points).unwrap_or(i64::MAX),
            multiplier,
        }
    }

    /// The award for a purchase, or which limit refuses it. `awards_today` counts the
    /// member's awards so far today (undone ones not counted).
    pub fn award(
        &self,
        amount_minor: i64,
        decimals: u8,
        tier: Option<&str>,
        awards_today: u32,
    ) -> Result<Award, AwardRefusal> {
        if amount_minor <= 0 {
            return Err(AwardRefusal::NoAmount);
        }
        let award = self.earn(amount_minor, decimals, tier);
        if award.points <= 0 {
            return Err(AwardRefusal::NoPoints);
        }
        if self.max_points_per_award > 0 && award.points > self.max_points_per_award {
            return Err(AwardRefusal::OverAwardLimit {
                points: award.points,
                limit: self.max_points_per_award,
            });
        }
        if self.max_awards_per_member_per_day > 0
            && awards_today >= self.max_awards_per_member_per_day
        {
            return Err(AwardRefusal::OverDailyLimit {
                limit: self.max_awards_per_member_per_day,
            });
        }
        Ok(award)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.points_per_unit.0 <= 0 || self.points_per_unit.0 > 1_000 * SCALE {
            return Err("points_per_unit must be above 0 and at most 1000".into());
        }
        for (tier, m) in &self.tier_multipliers {
            if m.0 < SCALE / 10 || m.0 > 20 * SCALE {
                return Err(format!(
                    "the multiplier for tier {tier} must be from 0.1 to 20"
                ));
            }
        }
        if !(0..=100_000_000).contains(&self.max_points_per_award) {
            return Err("max_points_per_award must be 0 (no limit) to 100000000".into());
        }
        if self.max_awards_per_member_per_day > 1000 {
            return Err("max_awards_per_member_per_day must be 0 (no limit) to 1000".into());
        }
        Ok(())
    }
}

/// An amount in minor units as shown: `1234` with 2 decimals is `12.34`.
pub fn format_amount(amount_minor: i64, decimals: u8) -> String {
    if decimals == 0 {
        return amount_minor.to_string();
    }
    let unit = 10i64.pow(u32::from(decimals));
    let sign = if amount_minor < 0 { "-" } else { "" };
    let a = amount_minor.unsigned_abs();
    let unit = unit.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        a / unit,
        a % unit,
        width = usize::from(decimals)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(per_unit: f64, gold: f64) -> EarningRules {
        EarningRules {
            points_per_unit: Rate::from_f64(per_unit).unwrap(),
            tier_multipliers: [("gold".to_owned(), Rate::from_f64(gold).unwrap())].into(),
            max_points_per_award: 0,
            max_awards_per_member_per_day: 0,
        }
    }

    /// (points per unit, gold ×, amount in minor units, decimals, tier, points, multiplier)
    type Row = (f64, f64, i64, u8, Option<&'static str>, i64, &'static str);

    #[test]
    fn earning_table() {
        // (points per unit, gold ×, amount in minor units, decimals, tier, points, multiplier)
        #[rustfmt::skip]
        let table: [Row; 13] = [
            (1.0,  1.5, 2499,   2, None,           24,  "1"),   // HK$24.99 → 24: rounded down
            (1.0,  1.5, 2499,   2, Some("gold"),   37,  "1.5"), // 37.485 → 37
            (1.0,  1.5, 2499,   2, Some("silver"), 24,  "1"),   // an unlisted tier earns ×1
            (1.0,  1.5, 99,     2, Some("gold"),   1,   "1.5"), // 1.485 → 1
            (1.0,  1.5, 66,     2, Some("gold"),   0,   "1.5"), // 0.99 → 0
            (0.1,  2.0, 100000, 2, Some("gold"),   200, "2"),   // 1 point per $10, doubled
            (0.1,  2.0, 999,    2, None,           0,   "1"),   // $9.99 at 1 per $10 → 0
            (1.0,  1.5, 2500,   0, Some("gold"),   3750,"1.5"), // no decimals (TWD, JPY)
            (2.5,  1.25,399,    2, Some("gold"),   12,  "1.25"),// 3.99 × 2.5 × 1.25 = 12.46875
            (0.3,  1.0, 1000,   2, None,           3,   "1"),   // 0.3 has no exact binary form
            (0.7,  1.0, 1000,   2, None,           7,   "1"),
            (1.0,  1.1, 1000,   2, Some("gold"),   11,  "1.1"), // 10 × 1.1 = 11, not 10.999…
            (1.0,  1.5, 1,      3, Some("gold"),   0,   "1.5"), // three decimals (KWD)
        ];
        for (per_unit, gold, amount, decimals, tier, points, mult) in table {
            let award = rules(per_unit, gold).earn(amount, decimals, tier);
            assert_eq!(
                (award.points, award.multiplier.display().as_str()),
                (points, mult),
                "{per_unit}/unit, gold ×{gold}, {amount} ({decimals} decimals), {tier:?}"
            );
        }
    }

    #[test]
    fn the_guards_name_the_limit_they_hit() {
        let mut r = rules(1.0, 1.5);
        r.max_points_per_award = 500;
        r.max_awards_per_member_per_day = 3;
        assert_eq!(r.award(0, 2, None, 0), Err(AwardRefusal::NoAmount));
        assert_eq!(r.award(50, 2, None, 0), Err(AwardRefusal::NoPoints));
        assert_eq!(
            r.award(40_000, 2, Some("gold"), 0),
            Err(AwardRefusal::OverAwardLimit {
                points: 600,
                limit: 500
            })
        );
        assert_eq!(r.award(50_000, 2, None, 0).map(|a| a.points), Ok(500));
        assert_eq!(
            r.award(1_000, 2, None, 3),
            Err(AwardRefusal::OverDailyLimit { limit: 3 })
        );
        assert_eq!(r.award(1_000, 2, None, 2).map(|a| a.points), Ok(10));
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let r = rules(1000.0, 20.0);
        let award = r.earn(i64::MAX, 0, Some("gold"));
        assert_eq!(award.points, i64::MAX);
        assert_eq!(r.earn(-500, 2, None).points, 0);
    }

    #[test]
    fn rates_read_and_print_as_people_write_them() {
        assert_eq!(Rate::from_f64(1.5).unwrap().display(), "1.5");
        assert_eq!(Rate::from_f64(0.25).unwrap().display(), "0.25");
        assert_eq!(Rate::from_f64(2.0).unwrap().display(), "2");
        assert_eq!(Rate::from_f64(-1.0), None);
        assert_eq!(format_amount(1234, 2), "12.34");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(1234, 0), "1234");
        assert_eq!(format_amount(1234, 3), "1.234");
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut r = rules(1.0, 1.5);
        assert_eq!(r.check(), Ok(()));
        r.points_per_unit = Rate(0);
        assert!(r.check().is_err());
        let mut r = rules(1.0, 50.0);
        assert!(r.check().unwrap_err().contains("gold"));
        r = rules(1.0, 1.5);
        r.max_points_per_award = -1;
        assert!(r.check().is_err());
    }
}
