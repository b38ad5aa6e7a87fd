//! Staff actions on the points ledger: an award for a purchase, a reward redemption, and the
//! undo of the last of them. Each is one IMMEDIATE transaction that writes the ledger entry
//! (with the staff id and a client id) and its outbox event together; the same client id
//! twice changes nothing the second time, so a retry never doubles. Nothing is ever edited
//! or deleted: an undo is a compensating entry. Also what staff mode shows about a member,
//! and today's figures.
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::ledger::{LedgerRow, write_change};
use super::loyalty::{PENDING, now_ms, unix};
use super::members::{Member, balance};
use super::{Store, StoreError, now_rfc3339};
use crate::domain::events::{AdjustReason, DomainEvent, Purchase};
use crate::domain::localized::LocalizedText;
use crate::domain::loyalty::earning::{AwardRefusal, EarningRules, Rate};
use crate::domain::loyalty::redemption::{self, Funds, Link, Presence, RedeemRefusal};
use crate::domain::loyalty::rewards::Reward;
use crate::domain::loyalty::standing::{BalanceView, LoyaltyRules};
use crate::domain::staff::undoable;

pub const PURCHASE_REASON: &str = "purchase";
pub const REDEMPTION_REASON: &str = "redemption";
pub const UNDO_REASON: &str = "undo";

/// The programme staff actions follow: the config's, with the CRM's over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    pub loyalty: LoyaltyRules,
    pub earning: EarningRules,
    pub currency: String,
    pub decimals: u8,
}

/// A member as staff mode sees them: never the number, only its last four digits masked.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMemberInfo {
    pub member_id: String,
    pub masked: String,
    pub view: BalanceView,
    pub funds: Funds,
    pub presence: Presence,
    /// The earning rules in force and the member's awards so far today, for the preview.
    pub earning: EarningRules,
    pub awards_today: u32,
    /// The rewards catalogue in force, cheapest first.
    pub rewards: Vec<Reward>,
}

pub struct AwardRequest {
    pub client_id: String,
    pub member_id: String,
    pub amount_minor: i64,
    pub staff_id: String,
    /// The shop's midnight today (RFC 3339, UTC), for the daily limit.
    pub day_start: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AwardOutcome {
    Awarded {
        points: i64,
        multiplier: Rate,
        balance: i64,
    },
    Refused(AwardRefusal),
}

pub struct RedeemRequest {
    pub client_id: String,
    pub member_id: String,
    pub reward_id: String,
    pub staff_id: String,
    pub presence: Presence,
    /// The member typed the last four digits of their number (checked by
    /// [`Store::last4_matches`]).
    pub proven: bool,
    pub link: Link,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RedeemOutcome {
    Redeemed {
        name: LocalizedText,
        cost: i64,
        balance: i64,
        offline: bool,
    },
    Refused(RedeemRefusal),
    /// A saved code alone is not enough to spend points.
    NeedsProof,
    /// The reward is no longer in the catalogue.
    UnknownReward,
}

/// What an undo would reverse: the last award or redemption made on this kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastAction {
    pub client_id: String,
    pub member_id: String,
    pub masked: String,
    /// The entry's points: positive for an award, negative for a redemption.
    pub delta: i64,
    pub redemption: bool,
    pub made_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoOutcome {
    Undone {
        delta: i64,
        balance: i64,
    },
    /// It is no longer the last action, or was undone already.
    NotLast,
    TooLate,
}

/// Today's figures for staff mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayFigures {
    pub signups: u64,
    pub awards: u64,
    pub redemptions: u64,
    /// Points awarded for purchases, net of undone awards.
    pub points_issued: i64,
}

/// Staff entries not reversed by a later undo.
const NOT_UNDONE: &str =
    "NOT EXISTS (SELECT 1 FROM points_ledger u WHERE u.reverses = l.client_id)";

impl Store {
    /// The programme in force: the config's, with the CRM's tiers, rewards and earning rules
    /// over it once published.
    pub fn programme(&self, config: &Programme) -> Result<Programme, StoreError> {
        Ok(Programme {
            loyalty: self.loyalty_rules(&config.loyalty)?,
            earning: self.earning_rules(&config.earning)?,
            currency: config.currency.clone(),
            decimals: config.decimals,
        })
    }

    /// What staff mode needs about `member` at `now` (Unix seconds), identified by
    /// `presence`.
    pub fn staff_member_info(
        &self,
        member: &Member,
        presence: Presence,
        config: &Programme,
        day_start: &str,
        now: i64,
    ) -> Result<StaffMemberInfo, StoreError> {
        let programme = self.programme(config)?;
        let view = self.balance_view(&member.id, &programme.loyalty, now)?;
        let funds = self.funds(&member.id, view.balance)?;
        let mut rewards = programme.loyalty.rewards.clone();
        rewards.sort_by(|a, b| a.cost.cmp(&b.cost).then_with(|| a.id.cmp(&b.id)));
        Ok(StaffMemberInfo {
            member_id: member.id.clone(),
            masked: member.masked(),
            funds,
            presence,
            earning: programme.earning,
            awards_today: self.awards_today(&member.id, day_start)?,
            rewards,
            view,
        })
    }

    /// Whether `typed` is the last four digits of the member's number.
    pub fn last4_matches(&self, member_id: &str, typed: &str) -> Result<bool, StoreError> {
        let last4: Option<String> = self
            .conn
            .query_row(
                "SELECT COALESCE(phone_last4, substr(phone_e164, -4)) FROM members WHERE id = ?1",
                [member_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last4.is_some_and(|l| redemption::last4_matches(typed, &l)))
    }

    fn funds(&self, member_id: &str, shown: i64) -> Result<Funds, StoreError> {
        let confirmed: Option<i64> = self
            .conn
            .query_row(
                "SELECT crm_balance FROM members WHERE id = ?1",
                [member_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let pending_spend: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l
                 JOIN members m ON m.id = l.member_id
                 WHERE l.member_id = ?1 AND l.reason IN ('{REDEMPTION_REASON}', '{UNDO_REASON}')
                   AND {PENDING}"
            ))?
            .query_row([member_id], |r| r.get(0))?;
        Ok(Funds {
            balance: shown,
            confirmed,
            pending_spend,
        })
    }

    fn awards_today(&self, member_id: &str, day_start: &str) -> Result<u32, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM points_ledger l
                 WHERE l.member_id = ?1 AND l.reason = '{PURCHASE_REASON}'
                   AND l.created_at >= ?2 AND {NOT_UNDONE}"
            ))?
            .query_row(params![member_id, day_start], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The ledger entry already made under `client_id`, if any: `(delta, member id)`.
    fn by_client_id(&self, client_id: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT delta, member_id FROM points_ledger WHERE client_id = ?1",
                [client_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn begin(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// Awards points for a purchase under the programme in force.
    pub fn award(
        &mut self,
        request: &AwardRequest,
        config: &Programme,
    ) -> Result<AwardOutcome, StoreError> {
        let tx = self.begin()?;
        if let Some((points, member_id)) = self.by_client_id(&request.client_id)? {
            let balance = balance(&tx, &member_id)?;
            tx.commit()?;
            let programme = self.programme(config)?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let tier = self
                .balance_view(&member_id, &programme.loyalty, now)?
                .tier_id;
            return Ok(AwardOutcome::Awarded {
                points,
                multiplier: programme.earning.multiplier(tier.as_deref()),
                balance,
            });
        }
        let programme = self.programme(config)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let tier = self
            .balance_view(&request.member_id, &programme.loyalty, now)?
            .tier_id;
        let today = self.awards_today(&request.member_id, &request.day_start)?;
        let award = match programme.earning.award(
            request.amount_minor,
            programme.decimals,
            tier.as_deref(),
            today,
        ) {
            Ok(award) => award,
            Err(refusal) => return Ok(AwardOutcome::Refused(refusal)),
        };
        let at = now_rfc3339();
        let event = DomainEvent::PointsAdjusted {
            member_id: request.member_id.clone(),
            client_id: request.client_id.clone(),
            delta: award.points,
            reason: AdjustReason::Purchase,
            purchase: Some(Purchase {
                amount_minor: request.amount_minor,
                currency: programme.currency.clone(),
                decimals: programme.decimals,
            }),
            multiplier: Some(award.multiplier.as_f64()),
            reverses: None,
            staff_id: request.staff_id.clone(),
            adjusted_at: at.clone(),
        };
        write_change(
            &tx,
            &LedgerRow {
                member_id: &request.member_id,
                delta: award.points,
                reason: PURCHASE_REASON,
                client_id: &request.client_id,
                spend_minor: request.amount_minor,
                staff_id: Some(&request.staff_id),
                ..LedgerRow::default()
            },
            &event,
            &at,
        )?;
        let balance = balance(&tx, &request.member_id)?;
        tx.commit()?;
        tracing::info!(
            staff = request.staff_id,
            points = award.points,
            "points awarded for a purchase"
        );
        Ok(AwardOutcome::Awarded {
            points: award.points,
            multiplier: award.multiplier,
            balance,
        })
    }

    /// Redeems a reward, if the member may spend its cost now.
    pub fn redeem(
        &mut self,
        request: &RedeemRequest,
        config: &Programme,
    ) -> Result<RedeemOutcome, StoreError> {
        let programme = self.programme(config)?;
        let Some(reward) = programme
            .loyalty
            .rewards
            .iter()
            .find(|r| r.id == request.reward_id)
            .cloned()
        else {
            return Ok(RedeemOutcome::UnknownReward);
        };
        if request.presence.needs_proof() && !request.proven {
            return Ok(RedeemOutcome::NeedsProof);
        }
        let tx = self.begin()?;
        if let Some((delta, member_id)) = self.by_client_id(&request.client_id)? {
            let balance = balance(&tx, &member_id)?;
            tx.commit()?;
            return Ok(RedeemOutcome::Redeemed {
                name: reward.name,
                cost: -delta,
                balance,
                offline: request.link == Link::Offline,
            });
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let shown = self
            .balance_view(&request.member_id, &programme.loyalty, now)?
            .balance;
        let funds = self.funds(&request.member_id, shown)?;
        if let Err(refusal) = redemption::check(reward.cost, funds, request.link) {
            return Ok(RedeemOutcome::Refused(refusal));
        }
        let at = now_rfc3339();
        let offline = request.link == Link::Offline;
        let presence = match request.presence {
            Presence::SavedCode => "saved_code+last4",
            other => other.as_str(),
        };
        let event = DomainEvent::RewardRedeemed {
            member_id: request.member_id.clone(),
            client_id: request.client_id.clone(),
            reward_id: reward.id.clone(),
            cost: reward.cost,
            staff_id: request.staff_id.clone(),
            presence: presence.into(),
            offline,
            redeemed_at: at.clone(),
        };
        write_change(
            &tx,
            &LedgerRow {
                member_id: &request.member_id,
                delta: -reward.cost,
                reason: REDEMPTION_REASON,
                client_id: &request.client_id,
                staff_id: Some(&request.staff_id),
                reward_id: Some(&reward.id),
                ..LedgerRow::default()
            },
            &event,
            &at,
        )?;
        let balance = balance(&tx, &request.member_id)?;
        tx.commit()?;
        tracing::info!(
            staff = request.staff_id,
            reward = reward.id,
            offline,
            "reward redeemed"
        );
        Ok(RedeemOutcome::Redeemed {
            name: reward.name,
            cost: reward.cost,
            balance,
            offline,
        })
    }

    /// The last award or redemption made on this kiosk, unless it was undone.
    pub fn last_action(&self) -> Result<Option<LastAction>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT l.client_id, l.member_id, l.delta, l.reason, l.created_at,
                            COALESCE(m.phone_last4, substr(m.phone_e164, -4)),
                            {NOT_UNDONE}
                              AND NOT EXISTS (SELECT 1 FROM outbox_rejected r
                                              WHERE r.event_id = l.event_id)
                     FROM points_ledger l JOIN members m ON m.id = l.member_id
                     WHERE l.client_id IS NOT NULL
                       AND l.reason IN ('{PURCHASE_REASON}', '{REDEMPTION_REASON}', '{UNDO_REASON}')
                     ORDER BY l.id DESC LIMIT 1"
                ),
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((client_id, member_id, delta, reason, at, last4, standing)) = row else {
            return Ok(None);
        };
        // The last action was an undo, was itself undone, or the CRM refused it (so there
        // is nothing to give back): nothing to undo.
        if reason == UNDO_REASON || !standing {
            return Ok(None);
        }
        Ok(Some(LastAction {
            client_id,
            member_id,
            masked: format!("****{last4}"),
            delta,
            redemption: reason == REDEMPTION_REASON,
            made_at_ms: unix(&at).map_or(0, |s| s.saturating_mul(1000)),
        }))
    }

    /// Undoes `target` (a client id) with a compensating entry and event, if it is still
    /// the last action and within the undo window.
    pub fn undo(
        &mut self,
        target: &str,
        client_id: &str,
        staff_id: &str,
    ) -> Result<UndoOutcome, StoreError> {
        let tx = self.begin()?;
        if let Some((delta, member_id)) = self.by_client_id(client_id)? {
            let balance = balance(&tx, &member_id)?;
            tx.commit()?;
            return Ok(UndoOutcome::Undone { delta, balance });
        }
        let Some(last) = self.last_action()?.filter(|l| l.client_id == target) else {
            return Ok(UndoOutcome::NotLast);
        };
        if !undoable(last.made_at_ms, now_ms()) {
            return Ok(UndoOutcome::TooLate);
        }
        let spend: i64 = tx.query_row(
            "SELECT spend_minor FROM points_ledger WHERE client_id = ?1",
            [target],
            |r| r.get(0),
        )?;
        let at = now_rfc3339();
        let delta = -last.delta;
        let event = DomainEvent::PointsAdjusted {
            member_id: last.member_id.clone(),
            client_id: client_id.to_owned(),
            delta,
            reason: AdjustReason::Undo,
            purchase: None,
            multiplier: None,
            reverses: Some(target.to_owned()),
            staff_id: staff_id.to_owned(),
            adjusted_at: at.clone(),
        };
        write_change(
            &tx,
            &LedgerRow {
                member_id: &last.member_id,
                delta,
                reason: UNDO_REASON,
                client_id,
                spend_minor: -spend,
                staff_id: Some(staff_id),
                reverses: Some(target),
                ..LedgerRow::default()
            },
            &event,
            &at,
        )?;
        let balance = balance(&tx, &last.member_id)?;
        tx.commit()?;
        tracing::info!(staff = staff_id, delta, "staff action undone");
        Ok(UndoOutcome::Undone { delta, balance })
    }

    /// Sign-ups, awards, redemptions and points issued since `day_start` (RFC 3339, UTC).
    pub fn day_figures(&self, day_start: &str) -> Result<DayFigures, StoreError> {
        let signups: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM members WHERE source LIKE 'kiosk%' AND joined_at >= ?1",
            [day_start],
            |r| r.get(0),
        )?;
        let (awards, points, redemptions): (i64, i64, i64) = self.conn.query_row(
            &format!(
                "SELECT COALESCE(SUM(l.reason = '{PURCHASE_REASON}'), 0),
                        COALESCE(SUM(CASE WHEN l.reason = '{PURCHASE_REASON}' THEN l.delta END), 0),
                        COALESCE(SUM(l.reason = '{REDEMPTION_REASON}'), 0)
                 FROM points_ledger l
                 WHERE l.client_id IS NOT NULL AND l.created_at >= ?1 AND {NOT_UNDONE}"
            ),
            [day_start],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(DayFigures {
            signups: n(signups),
            awards: n(awards),
            redemptions: n(redemptions),
            points_issued: points,
        })
    }
}
