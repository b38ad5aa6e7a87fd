//! The rewards catalogue and what a balance affords: the three dearest rewards within
//! reach, or else the cheapest one and how many points are missing.
use serde::{Deserialize, Serialize};

use crate::domain::localized::LocalizedText;

/// How many affordable rewards the balance screen lists.
pub const SHOWN: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    pub id: String,
    pub name: LocalizedText,
    /// Points it costs; at least 1.
    pub cost: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RewardOffer<'a> {
    /// Dearest first.
    Affordable(Vec<&'a Reward>),
    /// Nothing is affordable yet: the cheapest reward and the points still missing.
    NextUp { reward: &'a Reward, short_by: i64 },
    /// The shop has no rewards.
    None,
}

pub fn offer(rewards: &[Reward], balance: i64) -> RewardOffer<'_> {
    let mut affordable: Vec<&Reward> = rewards.iter().filter(|r| r.cost <= balance).collect();
    if !affordable.is_empty() {
        affordable.sort_by(|a, b| b.cost.cmp(&a.cost).then_with(|| a.id.cmp(&b.id)));
        affordable.truncate(SHOWN);
        return RewardOffer::Affordable(affordable);
    }
    match rewards.iter().min_by_key(|r| (r.cost, r.id.clone())) {
        Some(reward) => RewardOffer::NextUp {
            reward,
            short_by: reward.cost - balance,
        },
        None => RewardOffer::None,
    }
}

/// Ids unique, costs at least 1, names 1 to 40 characters.
pub fn check(rewards: &[Reward]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for r in rewards {
        if r.id.trim().is_empty() || !seen.insert(&r.id) {
            return Err(format!(
                "reward ids must be unique and not empty ({:?})",
                r.id
            ));
        }
        if r.cost < 1 {
            return Err(format!("reward {} must cost at least 1 point", r.id));
        }
        r.name
            .check(40)
            .map_err(|e| format!("reward {}: {e}", r.id))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, cost: i64) -> Reward {
        Reward {
            id: id.into(),
            name: LocalizedText::Same(id.into()),
            cost,
        }
    }

    #[test]
    fn table() {
        let catalogue = vec![
            r("coffee", 50),
            r("cake", 120),
            r("bag", 400),
            r("tea", 50),
            r("mug", 300),
        ];
        let ids = |o: RewardOffer| match o {
            RewardOffer::Affordable(list) => format!(
                "can: {}",
                list.iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            RewardOffer::NextUp { reward, short_by } => {
                format!("next: {} in {short_by}", reward.id)
            }
            RewardOffer::None => "none".into(),
        };
        assert_eq!(ids(offer(&catalogue, 0)), "next: coffee in 50");
        assert_eq!(ids(offer(&catalogue, 49)), "next: coffee in 1");
        assert_eq!(ids(offer(&catalogue, 50)), "can: coffee,tea");
        assert_eq!(ids(offer(&catalogue, 350)), "can: mug,cake,coffee");
        assert_eq!(ids(offer(&catalogue, 10_000)), "can: bag,mug,cake");
        assert_eq!(ids(offer(&[], 100)), "none");
        assert_eq!(ids(offer(&catalogue, -20)), "next: coffee in 70");
    }

    #[test]
    fn a_bad_catalogue_is_refused() {
        assert!(check(&[r("a", 1), r("a", 2)]).is_err());
        assert!(check(&[r("a", 0)]).is_err());
        assert_eq!(check(&[r("a", 1), r("b", 2)]), Ok(()));
    }
}
