//! Members, their consents and the points ledger, and members as the CRM publishes them
//! (upserts, erasures, merges). Joining is one IMMEDIATE transaction that
//! writes the member, both consents, the sign-up bonus and the outbox event, or nothing.
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::{Store, StoreError, now_rfc3339, outbox};
use crate::domain::crm::{is_card_uid, is_e164};
use crate::domain::events::DomainEvent;
use crate::domain::phone::E164;
use crate::domain::phone_hash::PhoneKey;
use crate::domain::signup::{Consent, ConsentKind, JoinOutcome, JoinRequest};

/// Ledger reason for the points a new member receives.
pub const SIGNUP_BONUS_REASON: &str = "signup_bonus";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    /// The E.164 number, or `hmac:<hex>` once the CRM holds it (see `domain::phone_hash`).
    pub identity: String,
    pub last4: String,
    pub joined_at: String,
}

impl Member {
    /// The number as screens show it: `****1234`.
    pub fn masked(&self) -> String {
        format!("****{}", self.last4)
    }
}

/// What linking a card did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardLink {
    Linked,
    /// It was this member's already: nothing changed.
    AlreadyYours,
    /// Another member's card: refused, nothing changed.
    BelongsToAnother,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub consent: Consent,
    pub recorded_at: String,
}

impl Store {
    /// Joins the member described by `request`. If the number is already a member, nothing
    /// is written at all: typing a number proves nothing, so its owner's consents change only
    /// after proof (a scan or tap). Returns only after the commit.
    pub fn join(&mut self, request: &JoinRequest) -> Result<JoinOutcome, StoreError> {
        let now = now_rfc3339();
        let (full, hashed) = self.identities(request.phone.as_str());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT id FROM members WHERE phone_e164 IN (?1, ?2)",
                [&full, &hashed],
                |r| r.get(0),
            )
            .optional()?;
        let outcome = match existing {
            Some(member_id) => already_member(&tx, member_id, request)?,
            None => join_new(&tx, request, &now)?,
        };
        tx.commit()?;
        Ok(outcome)
    }

    pub fn member_by_phone(&self, phone: &E164) -> Result<Option<Member>, StoreError> {
        let (full, hashed) = self.identities(phone.as_str());
        self.member_where("phone_e164 IN (?1, ?2)", &full, &hashed)
    }

    /// The member with this id: the kiosk's own or the CRM's. Only ever reached through a
    /// verified member code or staff: an id alone proves nothing.
    pub fn member_by_id(&self, id: &str) -> Result<Option<Member>, StoreError> {
        self.member_where("id = ?1 OR crm_id = ?2", id, id)
    }

    /// The member an NFC card (hex UID) is linked to.
    pub fn member_by_card(&self, uid: &str) -> Result<Option<Member>, StoreError> {
        self.member_where(
            "id = (SELECT member_id FROM nfc_cards WHERE uid IN (?1, ?2))",
            uid,
            uid,
        )
    }

    fn member_where(
        &self,
        condition: &str,
        first: &str,
        second: &str,
    ) -> Result<Option<Member>, StoreError> {
        let sql = format!(
            "SELECT id, phone_e164, COALESCE(phone_last4, substr(phone_e164, -4)), joined_at
             FROM members WHERE {condition} LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([first, second], |r| {
                Ok(Member {
                    id: r.get(0)?,
                    identity: r.get(1)?,
                    last4: r.get(2)?,
                    joined_at: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Links card `uid` to `member_id`, with its outbox event in the same transaction. A
    /// card that belongs to another member is never moved: that is for staff or the CRM.
    pub fn link_card(&mut self, uid: &str, member_id: &str) -> Result<CardLink, StoreError> {
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let linked = link_in(&tx, uid, member_id, &now)?;
        tx.commit()?;
        Ok(linked)
    }

    pub fn member_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The points balance: the sum of the member's ledger.
    pub fn balance(&self, member_id: &str) -> Result<i64, StoreError> {
        balance(&self.conn, member_id)
    }

    /// Every consent ever recorded for the member, oldest first.
    pub fn consents(&self, member_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, granted, notice_version, recorded_at, notice_sha256 FROM consents
             WHERE member_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([member_id], |r| {
            let kind: String = r.get(0)?;
            Ok(ConsentRecord {
                consent: Consent {
                    kind: if kind == ConsentKind::Marketing.as_str() {
                        ConsentKind::Marketing
                    } else {
                        ConsentKind::PrivacyNotice
                    },
                    granted: r.get(1)?,
                    notice_version: r.get(2)?,
                    notice_sha256: r.get(4)?,
                },
                recorded_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// The member's tier as the CRM last reported it.
    pub fn member_tier(&self, member_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT tier FROM members WHERE id = ?1", [member_id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// The CRM's id for a member, once adopted.
    pub fn member_crm_id(&self, member_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT crm_id FROM members WHERE id = ?1",
                [member_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

// Members as the CRM publishes them: upserts, erasures and merges.

/// The local row for a CRM member id: the member pulled under that id, or the kiosk's own
/// member who adopted it.
pub(super) fn local_member(
    conn: &Connection,
    member_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM members WHERE id = ?1 OR crm_id = ?1 ORDER BY id = ?1 DESC LIMIT 1",
            [member_id],
            |r| r.get(0),
        )
        .optional()?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn upsert_member(
    conn: &Connection,
    key: Option<&PhoneKey>,
    member_id: &str,
    phone: &str,
    tier: &Option<String>,
    balance: i64,
    card_uids: &[String],
    joined_at: &str,
) -> Result<Result<(), String>, StoreError> {
    if !is_e164(phone) {
        return Ok(Err(format!("member {member_id} has no valid E.164 number")));
    }
    // Stored as its hash once the fleet key is known: the CRM holds this number.
    let identity = key.map_or_else(|| phone.to_owned(), |k| k.identity(phone));
    let last4 = crate::domain::phone_hash::last4(phone);
    // By id first; then by number (either form), which is how a member who joined here
    // offline and online becomes one row.
    let local = match local_member(conn, member_id)? {
        Some(local) => Some(local),
        None => conn
            .query_row(
                "SELECT id FROM members WHERE phone_e164 IN (?1, ?2)",
                [phone, &identity],
                |r| r.get::<_, String>(0),
            )
            .optional()?,
    };
    let local = match local {
        Some(local) => {
            let taken: Option<String> = conn
                .query_row(
                    "SELECT id FROM members WHERE phone_e164 IN (?1, ?2) AND id <> ?3",
                    [phone, &identity, &local],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Ok(Err(format!(
                    "member {member_id}: number already belongs to another local member"
                )));
            }
            conn.execute(
                "UPDATE members SET phone_e164 = ?2, crm_id = ?3, tier = ?4, crm_balance = ?5,
                     phone_last4 = ?6, crm_at_ms = ?7
                 WHERE id = ?1",
                params![
                    local,
                    identity,
                    member_id,
                    tier,
                    balance,
                    last4,
                    super::loyalty::now_ms()
                ],
            )?;
            local
        }
        None => {
            conn.execute(
                "INSERT INTO members
                   (id, phone_e164, crm_id, joined_at, source, tier, crm_balance, phone_last4,
                    crm_at_ms)
                 VALUES (?1, ?2, ?1, ?3, 'crm', ?4, ?5, ?6, ?7)",
                params![
                    member_id,
                    identity,
                    joined_at,
                    tier,
                    balance,
                    last4,
                    super::loyalty::now_ms()
                ],
            )?;
            member_id.to_owned()
        }
    };
    for uid in card_uids {
        if !is_card_uid(uid) {
            tracing::warn!(member_id, "CRM sent a malformed card UID; ignored");
            continue;
        }
        conn.execute(
            "INSERT INTO nfc_cards (uid, member_id, linked_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(uid) DO UPDATE SET member_id = excluded.member_id",
            params![uid, local, now_rfc3339()],
        )?;
    }
    Ok(Ok(()))
}

/// Forgets a member: their row (with consents, points and cards, by cascade) and every
/// event about them still queued or rejected. The request to forget wins over delivery.
pub(super) fn erase_member(conn: &Connection, member_id: &str) -> Result<(), StoreError> {
    let Some(local) = local_member(conn, member_id)? else {
        return Ok(());
    };
    for table in ["outbox", "outbox_rejected"] {
        let dropped = conn.execute(
            &format!("DELETE FROM {table} WHERE json_extract(payload, '$.member_id') IN (?1, ?2)"),
            [&local, member_id],
        )?;
        if dropped > 0 {
            tracing::info!(
                dropped,
                table,
                "erasure: queued events about the member removed"
            );
        }
    }
    conn.execute("DELETE FROM members WHERE id = ?1", [&local])?;
    Ok(())
}

/// The CRM merged `member_id` into `into`: the kept member takes over the cards, points and
/// consents. If the kept member is not here yet, the row simply adopts its id.
pub(super) fn merge_member(
    conn: &Connection,
    member_id: &str,
    into: &str,
) -> Result<(), StoreError> {
    let Some(from) = local_member(conn, member_id)? else {
        return Ok(());
    };
    match local_member(conn, into)? {
        Some(to) if to != from => {
            for table in ["nfc_cards", "points_ledger", "consents"] {
                conn.execute(
                    &format!("UPDATE {table} SET member_id = ?2 WHERE member_id = ?1"),
                    [&from, &to],
                )?;
            }
            conn.execute("DELETE FROM members WHERE id = ?1", [&from])?;
        }
        Some(_) => {}
        None => {
            conn.execute(
                "UPDATE members SET crm_id = ?2, crm_balance = NULL WHERE id = ?1",
                [&from, into],
            )?;
        }
    }
    Ok(())
}

/// Links a card inside a transaction that is already open; never moves a card.
fn link_in(
    tx: &Transaction<'_>,
    uid: &str,
    member_id: &str,
    now: &str,
) -> Result<CardLink, StoreError> {
    let current: Option<String> = tx
        .query_row(
            "SELECT member_id FROM nfc_cards WHERE uid = ?1",
            [uid],
            |r| r.get(0),
        )
        .optional()?;
    match current {
        Some(owner) if owner == member_id => return Ok(CardLink::AlreadyYours),
        Some(_) => return Ok(CardLink::BelongsToAnother),
        None => {}
    }
    tx.execute(
        "INSERT INTO nfc_cards (uid, member_id, linked_at) VALUES (?1, ?2, ?3)",
        params![uid, member_id, now],
    )?;
    outbox::append(
        tx,
        &DomainEvent::CardLinked {
            member_id: member_id.to_owned(),
            card_uid: uid.to_owned(),
            linked_at: now.to_owned(),
        },
        now,
    )?;
    Ok(CardLink::Linked)
}

fn join_new(
    tx: &Transaction<'_>,
    request: &JoinRequest,
    now: &str,
) -> Result<JoinOutcome, StoreError> {
    let member_id = Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO members (id, phone_e164, phone_last4, joined_at, source)
         VALUES (?1, ?2, ?3, ?4, 'kiosk_phone')",
        params![
            member_id,
            request.phone.as_str(),
            crate::domain::phone_hash::last4(request.phone.as_str()),
            now
        ],
    )?;
    let consents = request.consents();
    for consent in &consents {
        insert_consent(tx, &member_id, consent, now)?;
    }
    let event_id = outbox::append(
        tx,
        &DomainEvent::MemberJoined {
            member_id: member_id.clone(),
            phone_e164: request.phone.as_str().to_owned(),
            joined_at: now.to_owned(),
            consents: consents.to_vec(),
            signup_bonus_points: request.signup_bonus_points,
        },
        now,
    )?;
    if request.signup_bonus_points > 0 {
        tx.execute(
            "INSERT INTO points_ledger (member_id, delta, reason, created_at, event_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                member_id,
                request.signup_bonus_points,
                SIGNUP_BONUS_REASON,
                now,
                event_id
            ],
        )?;
    }
    // After the member's event, so the CRM meets the member before their card.
    let card_linked = match &request.card_uid {
        Some(uid) if is_card_uid(uid) => link_in(tx, uid, &member_id, now)? == CardLink::Linked,
        _ => false,
    };
    Ok(JoinOutcome {
        balance: balance(tx, &member_id)?,
        member_id,
        phone: request.phone.clone(),
        returning: false,
        bonus_awarded: request.signup_bonus_points,
        card_linked,
    })
}

/// The number is already a member: no second record, no bonus, and no consent recorded,
/// whatever was ticked, since whoever typed the number may not be its owner.
fn already_member(
    tx: &Transaction<'_>,
    member_id: String,
    request: &JoinRequest,
) -> Result<JoinOutcome, StoreError> {
    Ok(JoinOutcome {
        balance: balance(tx, &member_id)?,
        member_id,
        phone: request.phone.clone(),
        returning: true,
        bonus_awarded: 0,
        card_linked: false,
    })
}

fn insert_consent(
    tx: &Transaction<'_>,
    member_id: &str,
    consent: &Consent,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO consents (member_id, kind, granted, notice_version, recorded_at, notice_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            member_id,
            consent.kind.as_str(),
            consent.granted,
            consent.notice_version,
            now,
            consent.notice_sha256
        ],
    )?;
    Ok(())
}

/// The balance shown to the member. Before the CRM has reported one it is the sum of the
/// local ledger; after, it is the CRM's figure plus the local changes it does not include
/// yet (see [`super::loyalty::PENDING`]).
pub(super) fn balance(conn: &rusqlite::Connection, member_id: &str) -> Result<i64, StoreError> {
    let pending = super::loyalty::PENDING;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT CASE WHEN m.crm_balance IS NULL
                 THEN (SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE member_id = m.id)
                 ELSE m.crm_balance + (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l
                                       WHERE l.member_id = m.id AND {pending})
             END
             FROM members m WHERE m.id = ?1"
        ))?
        .query_row([member_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{PhoneCheck, check_mobile};
    use crate::domain::region::Region;

    fn request(number: &str, marketing: bool, notice: &str) -> JoinRequest {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
            panic!("test number must be valid");
        };
        JoinRequest::new(phone, true, marketing, notice, 100).expect("consent given")
    }

    #[test]
    fn a_new_member_gets_consents_bonus_and_one_event() {
        let mut store = Store::open_in_memory().unwrap();
        let outcome = store.join(&request("91234567", false, "v1")).unwrap();
        assert!(!outcome.returning);
        assert_eq!(outcome.balance, 100);
        let consents = store.consents(&outcome.member_id).unwrap();
        assert_eq!(consents.len(), 2);
        assert!(consents[0].consent.granted, "privacy notice accepted");
        assert!(!consents[1].consent.granted, "marketing not opted in");
        let events = store.outbox_peek(10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "member_joined");
        assert!(events[0].payload.contains("+85291234567"));
    }

    #[test]
    fn cards_and_codes_find_the_member() {
        let mut store = Store::open_in_memory().unwrap();
        let m = store.join(&request("91234567", false, "v1")).unwrap();
        assert_eq!(
            store.member_by_id(&m.member_id).unwrap().map(|x| x.id),
            Some(m.member_id.clone())
        );
        assert_eq!(store.member_by_id("nobody").unwrap(), None);
        assert_eq!(store.member_by_card("04A1B2C3").unwrap(), None);
        assert_eq!(
            store.link_card("04A1B2C3", &m.member_id).unwrap(),
            CardLink::Linked
        );
        assert_eq!(
            store.link_card("04A1B2C3", &m.member_id).unwrap(),
            CardLink::AlreadyYours
        );
        let other = store.join(&request("61234567", false, "v1")).unwrap();
        assert_eq!(
            store.link_card("04A1B2C3", &other.member_id).unwrap(),
            CardLink::BelongsToAnother,
            "a card is never taken from its owner"
        );
        assert_eq!(
            store.member_by_card("04A1B2C3").unwrap().map(|x| x.id),
            Some(m.member_id)
        );
        let kinds: Vec<String> = store
            .outbox_peek(10)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["member_joined", "card_linked", "member_joined"]);
    }

    #[test]
    fn the_same_number_again_is_a_returning_member_with_no_second_bonus() {
        let mut store = Store::open_in_memory().unwrap();
        let first = store.join(&request("91234567", false, "v1")).unwrap();
        let again = store.join(&request("9123 4567", false, "v1")).unwrap();
        assert!(again.returning);
        assert_eq!(again.member_id, first.member_id);
        assert_eq!(again.balance, 100);
        assert_eq!(store.member_count().unwrap(), 1);
        assert_eq!(
            store.outbox_depth().unwrap(),
            1,
            "nothing changed, nothing to sync"
        );
    }

    #[test]
    fn typing_a_members_number_changes_none_of_their_consents() {
        let mut store = Store::open_in_memory().unwrap();
        let first = store.join(&request("91234567", false, "v1")).unwrap();
        let again = store.join(&request("91234567", true, "v2")).unwrap();
        assert!(again.returning);
        assert_eq!(store.consents(&first.member_id).unwrap().len(), 2);
        assert_eq!(
            store.outbox_depth().unwrap(),
            1,
            "no consent_recorded queued"
        );
    }
}
