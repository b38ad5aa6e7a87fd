//! What the balance screen shows of a member, from their ledger and the rules. Before the
//! CRM has reported a member the kiosk computes everything from its own ledger; afterwards
//! it shows the CRM's figures plus the local changes the CRM has not acknowledged yet.
use super::Entry;
use super::calendar::iso_date;
use super::expiry::{self, Expiring};
use super::rewards::{self, Reward, RewardOffer};
use super::tiers::{self, TierBasis, TierRules, TierStanding};
use crate::domain::localized::LocalizedText;

/// The programme: expiry, tiers and rewards, from the config or the CRM.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoyaltyRules {
    /// Points lapse this many months after they are earned; 0: never.
    pub points_expire_after_months: u32,
    pub tier_rules: TierRules,
    pub rewards: Vec<Reward>,
}

impl LoyaltyRules {
    pub fn check(&self) -> Result<(), String> {
        if self.points_expire_after_months > 120 {
            return Err("points_expire_after_months must be at most 120".into());
        }
        self.tier_rules.check()?;
        rewards::check(&self.rewards)
    }
}

/// What the CRM last said of a member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrmFigures {
    pub balance: i64,
    pub tier: Option<String>,
    /// The CRM's qualifying figure for the tier (points earned or spend in the window).
    pub tier_points: Option<i64>,
    pub expiring: Option<Expiring>,
}

/// A member's ledger as storage hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberLedger {
    pub entries: Vec<Entry>,
    /// The entries whose events the CRM has not acknowledged yet.
    pub unacknowledged: Vec<Entry>,
    pub crm: Option<CrmFigures>,
}

/// Everything the balance screen shows, names in every language.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceView {
    pub balance: i64,
    /// The tier's id (for earning multipliers) and name.
    pub tier_id: Option<String>,
    pub tier: Option<LocalizedText>,
    /// The next tier, and how much more it takes (points, or spend in minor units).
    pub next_tier: Option<(LocalizedText, i64)>,
    pub tier_basis: TierBasis,
    pub progress: f32,
    /// Points lapsing within 30 days and the date (`YYYY-MM-DD`) the first of them lapse.
    pub expiring: Option<(i64, String)>,
    /// Up to three rewards the balance affords, dearest first: name and cost.
    pub rewards: Vec<(LocalizedText, i64)>,
    /// When none is affordable: the cheapest reward and the points still missing.
    pub next_reward: Option<(LocalizedText, i64)>,
}

pub fn view(rules: &LoyaltyRules, ledger: &MemberLedger, now: i64) -> BalanceView {
    let months = Some(rules.points_expire_after_months);
    let tr = &rules.tier_rules;
    let (balance, tier, expiring) = match &ledger.crm {
        None => {
            let points = expiry::replay(&ledger.entries, months, now);
            (
                points.balance,
                tiers::standing(tr, &ledger.entries, now),
                points.expiring,
            )
        }
        Some(crm) => {
            let pending: i64 = ledger.unacknowledged.iter().map(|e| e.delta).sum();
            let pending_qualifying: i64 = ledger
                .unacknowledged
                .iter()
                .map(|e| match tr.basis {
                    TierBasis::PointsEarned => e.earned,
                    TierBasis::Spend => e.spend_minor.max(0),
                })
                .sum();
            let index = crm.tier.as_deref().and_then(|id| tr.by_id(id));
            let qualifying = crm.tier_points.map(|q| q + pending_qualifying);
            (
                crm.balance + pending,
                TierStanding::reported(tr, index, qualifying),
                crm.expiring,
            )
        }
    };
    let (rewards, next_reward) = match rewards::offer(&rules.rewards, balance) {
        RewardOffer::Affordable(list) => (
            list.iter().map(|r| (r.name.clone(), r.cost)).collect(),
            None,
        ),
        RewardOffer::NextUp { reward, short_by } => {
            (Vec::new(), Some((reward.name.clone(), short_by)))
        }
        RewardOffer::None => (Vec::new(), None),
    };
    BalanceView {
        balance,
        tier_id: tier.tier.map(|t| tr.tiers[t].id.clone()),
        tier: tier.tier.map(|t| tr.tiers[t].name.clone()),
        next_tier: tier
            .next
            .map(|(t, needed)| (tr.tiers[t].name.clone(), needed.max(1))),
        tier_basis: tr.basis,
        progress: tier.progress(tr),
        expiring: expiring
            .filter(|x| x.points > 0)
            .map(|x| (x.points, iso_date(x.on))),
        rewards,
        next_reward,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tiers::Tier;
    use super::*;
    use time::macros::datetime;

    fn rules() -> LoyaltyRules {
        let name = |s: &str| LocalizedText::Same(s.into());
        LoyaltyRules {
            points_expire_after_months: 12,
            tier_rules: TierRules {
                basis: TierBasis::PointsEarned,
                window_months: 12,
                tiers: vec![
                    Tier {
                        id: "member".into(),
                        name: name("Member"),
                        threshold: 0,
                    },
                    Tier {
                        id: "gold".into(),
                        name: name("Gold"),
                        threshold: 500,
                    },
                ],
            },
            rewards: vec![Reward {
                id: "coffee".into(),
                name: name("Coffee"),
                cost: 100,
            }],
        }
    }

    #[test]
    fn a_local_member_is_computed_from_the_ledger() {
        let now = datetime!(2026-11-25 12:00 UTC).unix_timestamp();
        let ledger = MemberLedger {
            entries: vec![
                Entry::new(datetime!(2025-12-10 9:00 UTC).unix_timestamp(), 80, 0),
                Entry::new(datetime!(2026-11-01 9:00 UTC).unix_timestamp(), 300, 0),
            ],
            ..Default::default()
        };
        let v = view(&rules(), &ledger, now);
        assert_eq!(v.balance, 380);
        assert_eq!(v.tier, Some(LocalizedText::Same("Member".into())));
        assert_eq!(v.next_tier, Some((LocalizedText::Same("Gold".into()), 120)));
        assert_eq!(v.expiring, Some((80, "2026-12-10".into())));
        assert_eq!(v.rewards, vec![(LocalizedText::Same("Coffee".into()), 100)]);
    }

    #[test]
    fn a_member_the_crm_reported_shows_its_figures_plus_what_is_pending() {
        let now = datetime!(2026-11-25 12:00 UTC).unix_timestamp();
        let ledger = MemberLedger {
            entries: vec![Entry::new(now - 10, 5_000, 0)],
            unacknowledged: vec![Entry::new(now - 10, 30, 0)],
            crm: Some(CrmFigures {
                balance: 40,
                tier: Some("member".into()),
                tier_points: Some(450),
                expiring: None,
            }),
        };
        let v = view(&rules(), &ledger, now);
        assert_eq!(v.balance, 70, "the CRM's 40 and the 30 it has not seen");
        assert_eq!(v.next_tier, Some((LocalizedText::Same("Gold".into()), 20)));
        assert_eq!(v.rewards, vec![]);
        assert_eq!(
            v.next_reward,
            Some((LocalizedText::Same("Coffee".into()), 30))
        );
    }
}
