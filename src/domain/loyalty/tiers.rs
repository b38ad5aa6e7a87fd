//! Tiers: up to five, each reached at a threshold of points earned, or of spend, over a
//! rolling window. A member moves up the moment the rolling figure reaches a threshold, and
//! moves down only when a period ends: through the current period they keep the tier the
//! previous period (a full window) earned them.
use serde::{Deserialize, Serialize};

use super::Entry;
use super::calendar::{add_months, period_start};
use crate::domain::localized::LocalizedText;

pub const MAX_TIERS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub id: String,
    pub name: LocalizedText,
    /// Points earned (or spend, in the currency's minor unit) over the window.
    pub threshold: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    #[default]
    PointsEarned,
    Spend,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TierRules {
    pub basis: TierBasis,
    /// The rolling window, and the length of a period, in months.
    pub window_months: u32,
    /// Lowest threshold first.
    pub tiers: Vec<Tier>,
}

impl Default for TierRules {
    fn default() -> Self {
        TierRules {
            basis: TierBasis::PointsEarned,
            window_months: 12,
            tiers: Vec::new(),
        }
    }
}

impl TierRules {
    /// Sorted thresholds, at most five tiers, unique ids, a window of 1 to 60 months.
    pub fn check(&self) -> Result<(), String> {
        if self.tiers.len() > MAX_TIERS {
            return Err(format!(
                "at most {MAX_TIERS} tiers, not {}",
                self.tiers.len()
            ));
        }
        if !(1..=60).contains(&self.window_months) {
            return Err("window_months must be 1 to 60".into());
        }
        for pair in self.tiers.windows(2) {
            if pair[1].threshold <= pair[0].threshold {
                return Err(format!(
                    "tier {} must have a higher threshold than {}",
                    pair[1].id, pair[0].id
                ));
            }
        }
        for tier in &self.tiers {
            if tier.id.trim().is_empty() || tier.threshold < 0 {
                return Err("every tier needs an id and a threshold of 0 or more".into());
            }
            tier.name
                .check(24)
                .map_err(|e| format!("tier {}: {e}", tier.id))?;
        }
        Ok(())
    }

    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }

    fn reached(&self, value: i64) -> Option<usize> {
        self.tiers.iter().rposition(|t| value >= t.threshold)
    }

    fn qualifying(&self, entries: &[Entry], from: i64, to: i64) -> i64 {
        entries
            .iter()
            .filter(|e| e.at >= from && e.at < to)
            .map(|e| match self.basis {
                TierBasis::PointsEarned => e.earned,
                TierBasis::Spend => e.spend_minor.max(0),
            })
            .sum()
    }
}

/// Where a member stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierStanding {
    /// Index into the rules' tiers.
    pub tier: Option<usize>,
    /// The rolling window's figure.
    pub qualifying: i64,
    /// The next tier up and how much more it takes.
    pub next: Option<(usize, i64)>,
}

impl TierStanding {
    /// From a figure someone else computed (the CRM's tier and, when sent, its figure).
    pub fn reported(rules: &TierRules, tier: Option<usize>, qualifying: Option<i64>) -> Self {
        let above = tier.map_or(0, |t| t + 1);
        let next = qualifying.and_then(|q| {
            rules
                .tiers
                .get(above)
                .map(|t| (above, (t.threshold - q).max(1)))
        });
        TierStanding {
            tier,
            qualifying: qualifying.unwrap_or(0),
            next,
        }
    }

    /// 0.0 to 1.0 of the way to the next tier; 1.0 at the top.
    pub fn progress(&self, rules: &TierRules) -> f32 {
        match self.next {
            Some((next, needed)) => {
                let threshold = rules.tiers[next].threshold.max(1) as f32;
                ((threshold - needed as f32) / threshold).clamp(0.0, 1.0)
            }
            None => 1.0,
        }
    }
}

/// The tier `entries` earn at `now`.
pub fn standing(rules: &TierRules, entries: &[Entry], now: i64) -> TierStanding {
    let months = i32::try_from(rules.window_months.max(1)).unwrap_or(12);
    let rolling = rules.qualifying(entries, add_months(now, -months), now + 1);
    let period = period_start(now, rules.window_months);
    let held = rules.reached(rules.qualifying(entries, add_months(period, -months), period));
    let tier = held.max(rules.reached(rolling));
    let above = tier.map_or(0, |t| t + 1);
    let next = rules
        .tiers
        .get(above)
        .map(|t| (above, t.threshold - rolling));
    TierStanding {
        tier,
        qualifying: rolling,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn rules(basis: TierBasis) -> TierRules {
        let tier = |id: &str, threshold| Tier {
            id: id.into(),
            name: LocalizedText::Same(id.into()),
            threshold,
        };
        TierRules {
            basis,
            window_months: 12,
            tiers: vec![tier("member", 0), tier("silver", 200), tier("gold", 500)],
        }
    }

    fn e(at: time::OffsetDateTime, delta: i64, spend: i64) -> Entry {
        Entry::new(at.unix_timestamp(), delta, spend)
    }

    #[test]
    fn table() {
        let id = |r: &TierRules, s: TierStanding| s.tier.map(|t| r.tiers[t].id.clone());
        struct Case {
            name: &'static str,
            basis: TierBasis,
            entries: Vec<Entry>,
            now: time::OffsetDateTime,
            tier: &'static str,
            next: Option<(&'static str, i64)>,
        }
        let cases = [
            Case {
                name: "a new member starts at the bottom",
                basis: TierBasis::PointsEarned,
                entries: vec![],
                now: datetime!(2026-05-01 0:00 UTC),
                tier: "member",
                next: Some(("silver", 200)),
            },
            Case {
                name: "upgrade at once",
                basis: TierBasis::PointsEarned,
                entries: vec![e(datetime!(2026-05-01 0:00 UTC), 380, 0)],
                now: datetime!(2026-05-01 0:00 UTC),
                tier: "silver",
                next: Some(("gold", 120)),
            },
            Case {
                name: "spending points does not lower the earned figure",
                basis: TierBasis::PointsEarned,
                entries: vec![
                    e(datetime!(2026-03-01 0:00 UTC), 250, 0),
                    e(datetime!(2026-04-01 0:00 UTC), -200, 0),
                ],
                now: datetime!(2026-05-01 0:00 UTC),
                tier: "silver",
                next: Some(("gold", 250)),
            },
            Case {
                name: "kept through the next period although the window slid past",
                basis: TierBasis::PointsEarned,
                entries: vec![e(datetime!(2025-03-01 0:00 UTC), 600, 0)],
                now: datetime!(2026-06-01 0:00 UTC),
                tier: "gold",
                next: None,
            },
            Case {
                name: "down at the end of the period after",
                basis: TierBasis::PointsEarned,
                entries: vec![e(datetime!(2025-03-01 0:00 UTC), 600, 0)],
                now: datetime!(2027-01-02 0:00 UTC),
                tier: "member",
                next: Some(("silver", 200)),
            },
            Case {
                name: "spend basis counts the purchase, not the points",
                basis: TierBasis::Spend,
                entries: vec![e(datetime!(2026-05-01 0:00 UTC), 10, 45_000)],
                now: datetime!(2026-05-02 0:00 UTC),
                tier: "member",
                next: Some(("silver", 5_000)),
            },
        ];
        for c in cases {
            let mut r = rules(c.basis);
            if c.basis == TierBasis::Spend {
                r.tiers[1].threshold = 50_000;
                r.tiers[2].threshold = 100_000;
            }
            let s = standing(&r, &c.entries, c.now.unix_timestamp());
            assert_eq!(id(&r, s).as_deref(), Some(c.tier), "{}", c.name);
            assert_eq!(
                s.next.map(|(t, n)| (r.tiers[t].id.clone(), n)),
                c.next.map(|(t, n)| (t.to_owned(), n)),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn rules_are_checked() {
        let mut r = rules(TierBasis::PointsEarned);
        assert_eq!(r.check(), Ok(()));
        r.tiers.swap(1, 2);
        assert!(r.check().unwrap_err().contains("higher threshold"));
        let mut r = rules(TierBasis::PointsEarned);
        for i in 0..3 {
            r.tiers.push(Tier {
                id: format!("t{i}"),
                name: LocalizedText::Same("x".into()),
                threshold: 1000 + i,
            });
        }
        assert!(r.check().unwrap_err().contains("at most 5"));
    }

    #[test]
    fn progress_is_the_share_of_the_next_threshold() {
        let r = rules(TierBasis::PointsEarned);
        let s = standing(
            &r,
            &[e(datetime!(2026-05-01 0:00 UTC), 380, 0)],
            datetime!(2026-05-01 0:00 UTC).unix_timestamp(),
        );
        assert!((s.progress(&r) - 0.76).abs() < 1e-6);
        let top = TierStanding::reported(&r, Some(2), Some(900));
        assert_eq!((top.next, top.progress(&r)), (None, 1.0));
        let crm = TierStanding::reported(&r, Some(0), Some(150));
        assert_eq!(crm.next, Some((1, 50)));
    }
}
