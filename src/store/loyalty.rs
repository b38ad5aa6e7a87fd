//! A member's ledger for the loyalty rules, and the rules themselves: the config's, with the
//! CRM's tiers, rewards and settings over them once it has published any.
use rusqlite::OptionalExtension;
use serde::Deserialize;

use super::{Store, StoreError};
use crate::domain::localized::LocalizedText;
use crate::domain::loyalty::Entry;
use crate::domain::loyalty::earning::{EarningRules, Rate};
use crate::domain::loyalty::expiry::Expiring;
use crate::domain::loyalty::rewards::Reward;
use crate::domain::loyalty::standing::{self, BalanceView, CrmFigures, LoyaltyRules, MemberLedger};
use crate::domain::loyalty::tiers::Tier;

/// A tier as the CRM's catalogue holds it (its id is the entry's).
#[derive(Deserialize)]
struct CrmTier {
    name: LocalizedText,
    threshold: i64,
}

/// The CRM's earning rules (`earning_rules` entry `default`); what it leaves out stays
/// the config's, and keys it adds are ignored.
#[derive(Deserialize)]
struct CrmEarning {
    points_per_unit: Option<Rate>,
    tier_multipliers: Option<std::collections::BTreeMap<String, Rate>>,
    max_points_per_award: Option<i64>,
    max_awards_per_member_per_day: Option<u32>,
}

#[derive(Deserialize)]
struct CrmReward {
    name: LocalizedText,
    cost: i64,
}

/// Whether ledger row `l` of member `m` is a change the CRM's figures do not include yet:
/// its event is still queued, or the CRM acknowledged it after its last figures for the
/// member arrived. The balance shown is the CRM's plus these.
pub(super) const PENDING: &str = "(EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = l.event_id)
     OR COALESCE(l.acked_ms, 0) > COALESCE(m.crm_at_ms, 0))";

/// What ledger row `l` adds to the points a member has earned (for tiers): a redemption
/// nothing; an undo takes an undone award's points back and gives nothing for an undone
/// redemption; anything else its points if positive.
const EARNED: &str = "CASE WHEN l.reason = 'redemption' THEN 0
     WHEN l.reason = 'undo' THEN MIN(l.delta, 0)
     ELSE MAX(l.delta, 0) END";

/// Unix milliseconds now: for acknowledgements and the CRM's figures, compared with each
/// other, never shown.
pub(super) fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

pub(super) fn unix(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn date_unix(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

impl Store {
    /// The rules in force: the CRM's tiers and rewards replace the config's once it has
    /// published any; its settings override single values. A CRM document that does not
    /// parse is left out (and logged); rules that fail their check fall back to `config`.
    pub fn loyalty_rules(&self, config: &LoyaltyRules) -> Result<LoyaltyRules, StoreError> {
        let mut rules = config.clone();
        let tiers: Vec<Tier> = self
            .catalog_documents("tiers")?
            .into_iter()
            .filter_map(|(id, body)| match serde_json::from_str::<CrmTier>(&body) {
                Ok(t) => Some(Tier {
                    id,
                    name: t.name,
                    threshold: t.threshold,
                }),
                Err(e) => {
                    tracing::warn!(tier = id, "CRM tier not understood: {e}");
                    None
                }
            })
            .collect();
        if !tiers.is_empty() {
            rules.tier_rules.tiers = tiers;
            rules.tier_rules.tiers.sort_by_key(|t| t.threshold);
        }
        let rewards: Vec<Reward> = self
            .catalog_documents("rewards")?
            .into_iter()
            .filter_map(
                |(id, body)| match serde_json::from_str::<CrmReward>(&body) {
                    Ok(r) => Some(Reward {
                        id,
                        name: r.name,
                        cost: r.cost,
                    }),
                    Err(e) => {
                        tracing::warn!(reward = id, "CRM reward not understood: {e}");
                        None
                    }
                },
            )
            .collect();
        if !rewards.is_empty() {
            rules.rewards = rewards;
        }
        let settings = self.crm_settings()?;
        if let Some(m) = settings.points_expire_after_months {
            rules.points_expire_after_months = m;
        }
        if let Some(b) = settings.tier_basis {
            rules.tier_rules.basis = b;
        }
        if let Some(w) = settings.tier_window_months {
            rules.tier_rules.window_months = w;
        }
        match rules.check() {
            Ok(()) => Ok(rules),
            Err(e) => {
                tracing::warn!("the CRM's loyalty rules are not usable ({e}); the config's apply");
                Ok(config.clone())
            }
        }
    }

    /// The earning rules in force: the CRM's `earning_rules` entry `default` over the
    /// config's; rules that fail their check leave the config's in force (and are logged).
    pub fn earning_rules(&self, config: &EarningRules) -> Result<EarningRules, StoreError> {
        let Some((_, body)) = self
            .catalog_documents("earning_rules")?
            .into_iter()
            .find(|(id, _)| id == "default")
        else {
            return Ok(config.clone());
        };
        let crm = match serde_json::from_str::<CrmEarning>(&body) {
            Ok(crm) => crm,
            Err(e) => {
                tracing::warn!(
                    "the CRM's earning rules are not understood ({e}); the config's apply"
                );
                return Ok(config.clone());
            }
        };
        let mut rules = config.clone();
        if let Some(v) = crm.points_per_unit {
            rules.points_per_unit = v;
        }
        if let Some(v) = crm.tier_multipliers {
            rules.tier_multipliers = v;
        }
        if let Some(v) = crm.max_points_per_award {
            rules.max_points_per_award = v;
        }
        if let Some(v) = crm.max_awards_per_member_per_day {
            rules.max_awards_per_member_per_day = v;
        }
        match rules.check() {
            Ok(()) => Ok(rules),
            Err(e) => {
                tracing::warn!("the CRM's earning rules are not usable ({e}); the config's apply");
                Ok(config.clone())
            }
        }
    }

    /// Everything the rules need about one member.
    pub fn member_ledger(&self, member_id: &str) -> Result<MemberLedger, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT l.created_at, l.delta, l.spend_minor, {PENDING}, {EARNED}
             FROM points_ledger l JOIN members m ON m.id = l.member_id
             WHERE l.member_id = ?1"
        ))?;
        let mut ledger = MemberLedger::default();
        let rows = stmt.query_map([member_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            let (at, delta, spend_minor, pending, earned) = row?;
            let Some(at) = unix(&at) else { continue };
            let entry = Entry {
                at,
                delta,
                spend_minor,
                earned,
            };
            ledger.entries.push(entry);
            if pending {
                ledger.unacknowledged.push(entry);
            }
        }
        ledger.crm = self
            .conn
            .prepare_cached(
                "SELECT crm_balance, tier, tier_points, expiring_points, expiring_on
                 FROM members WHERE id = ?1 AND crm_balance IS NOT NULL",
            )?
            .query_row([member_id], |r| {
                let expiring_points: Option<i64> = r.get(3)?;
                let expiring_on: Option<String> = r.get(4)?;
                Ok(CrmFigures {
                    balance: r.get(0)?,
                    tier: r.get(1)?,
                    tier_points: r.get(2)?,
                    expiring: expiring_points
                        .zip(expiring_on.as_deref().and_then(date_unix))
                        .map(|(points, on)| Expiring { points, on }),
                })
            })
            .optional()?;
        Ok(ledger)
    }

    /// The balance screen's figures for a member at `now` (Unix seconds).
    pub fn balance_view(
        &self,
        member_id: &str,
        rules: &LoyaltyRules,
        now: i64,
    ) -> Result<BalanceView, StoreError> {
        Ok(standing::view(rules, &self.member_ledger(member_id)?, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crm::{CatalogCollection, CrmChange};
    use crate::domain::loyalty::tiers::TierRules;

    fn config_rules() -> LoyaltyRules {
        LoyaltyRules {
            points_expire_after_months: 0,
            tier_rules: TierRules {
                tiers: vec![Tier {
                    id: "basic".into(),
                    name: LocalizedText::Same("Basic".into()),
                    threshold: 0,
                }],
                ..TierRules::default()
            },
            rewards: vec![],
        }
    }

    #[test]
    fn the_crms_programme_and_figures_win_once_it_sends_them() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(
            store.loyalty_rules(&config_rules()).unwrap(),
            config_rules()
        );
        let changes = vec![
            CrmChange::CatalogUpsert {
                collection: CatalogCollection::Tiers,
                id: "gold".into(),
                body: serde_json::json!({"name": {"zh-Hant": "金卡", "zh-Hans": "金卡", "en": "Gold"}, "threshold": 1000}),
            },
            CrmChange::CatalogUpsert {
                collection: CatalogCollection::Tiers,
                id: "silver".into(),
                body: serde_json::json!({"name": "Silver", "threshold": 300}),
            },
            CrmChange::CatalogUpsert {
                collection: CatalogCollection::Rewards,
                id: "coffee".into(),
                body: serde_json::json!({"name": "Coffee", "cost": 100}),
            },
            CrmChange::MemberUpsert {
                member_id: "crm-1".into(),
                phone_e164: "+85291234567".into(),
                tier: Some("silver".into()),
                balance: 90,
                card_uids: vec![],
                joined_at: "2026-01-01T00:00:00Z".into(),
                tier_points: Some(950),
                expiring_points: Some(40),
                expiring_on: Some("2026-12-10".into()),
            },
        ];
        store.apply_changes(&changes, "c1").unwrap();
        let rules = store.loyalty_rules(&config_rules()).unwrap();
        let ids: Vec<&str> = rules
            .tier_rules
            .tiers
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["silver", "gold"], "the CRM's tiers, lowest first");
        assert_eq!(rules.rewards.len(), 1);

        let view = store.balance_view("crm-1", &rules, 1_790_000_000).unwrap();
        assert_eq!(view.balance, 90);
        assert_eq!(view.tier, Some(LocalizedText::Same("Silver".into())));
        assert_eq!(view.next_tier.map(|(_, needed)| needed), Some(50));
        assert_eq!(view.expiring, Some((40, "2026-12-10".into())));
        assert_eq!(view.next_reward.map(|(_, short)| short), Some(10));
    }
}
