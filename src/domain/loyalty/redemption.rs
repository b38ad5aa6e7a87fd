//! When staff may redeem a reward for a member: never below zero, and offline only within
//! the last balance the CRM confirmed minus what was spent here since (two kiosks offline
//! at once can still overspend; `docs/sync-api.md` says what the CRM does then). And what
//! proof of presence a redemption needs: a card tap, or a short-lived code from the CRM's
//! app, is enough; a saved code (a photograph of it would do) needs the last four digits of
//! the member's number typed on the kiosk too.

/// How the member at the counter was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Their card, tapped on the reader.
    Card,
    /// A member code that lasts at most [`LIVE_CODE_MAX_SECS`] (the CRM's app).
    LiveCode,
    /// A code saved or printed for months: a photograph of it would do as well.
    SavedCode,
}

/// A member code lasting this long or less counts as shown live from the member's phone.
pub const LIVE_CODE_MAX_SECS: u32 = 15 * 60;
/// Wrong last-four-digit entries before the redemption needs a card or a live code.
pub const PROOF_TRIES: u32 = 3;

impl Presence {
    /// From a code's lifetime (expires at − issued at).
    pub fn of_code(lifetime_secs: u32) -> Presence {
        if lifetime_secs <= LIVE_CODE_MAX_SECS {
            Presence::LiveCode
        } else {
            Presence::SavedCode
        }
    }

    /// Whether spending points needs more proof than this.
    pub fn needs_proof(self) -> bool {
        self == Presence::SavedCode
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Card => "card",
            Presence::LiveCode => "live_code",
            Presence::SavedCode => "saved_code",
        }
    }
}

/// The link to the CRM, as far as spending is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// No CRM: this kiosk's ledger is the only truth.
    Standalone,
    /// The last sync round reached the CRM.
    Online,
    /// A CRM is configured but not reachable now.
    Offline,
}

/// A member's points as the redemption rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Funds {
    /// What the kiosk shows: the CRM's last balance plus everything it has not seen.
    pub balance: i64,
    /// The last balance the CRM confirmed; `None` if it never reported this member.
    pub confirmed: Option<i64>,
    /// The sum of redemptions and undos made here that the CRM has not reflected yet
    /// (negative: points spent).
    pub pending_spend: i64,
}

impl Funds {
    /// What may be spent now.
    pub fn spendable(&self, link: Link) -> i64 {
        let spendable = match link {
            Link::Standalone | Link::Online => self.balance,
            Link::Offline => self
                .balance
                .min(self.confirmed.unwrap_or(0) + self.pending_spend),
        };
        spendable.max(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedeemRefusal {
    #[error("the member has {short_by} points too few")]
    NotEnoughPoints { short_by: i64 },
    #[error("offline, only the {spendable} points the CRM last confirmed may be spent")]
    OfflineCap { spendable: i64 },
}

/// Whether `cost` points may be redeemed now.
pub fn check(cost: i64, funds: Funds, link: Link) -> Result<(), RedeemRefusal> {
    if cost > funds.balance {
        return Err(RedeemRefusal::NotEnoughPoints {
            short_by: cost - funds.balance.max(0),
        });
    }
    let spendable = funds.spendable(link);
    if cost > spendable {
        return Err(RedeemRefusal::OfflineCap { spendable });
    }
    Ok(())
}

/// Compares the digits typed with the member's last four without an early exit.
pub fn last4_matches(typed: &str, last4: &str) -> bool {
    let (a, b) = (typed.as_bytes(), last4.as_bytes());
    let mut difference = u8::from(a.len() != b.len() || b.len() != 4);
    for (i, byte) in b.iter().enumerate() {
        difference |= a.get(i).copied().unwrap_or(0) ^ byte;
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funds(balance: i64, confirmed: Option<i64>, pending_spend: i64) -> Funds {
        Funds {
            balance,
            confirmed,
            pending_spend,
        }
    }

    #[test]
    fn offline_redemption_table() {
        use Link::*;
        // (cost, balance, confirmed, pending spend, link, allowed?, refusal)
        #[rustfmt::skip]
        let table = [
            // Online or standalone: the balance shown is what counts.
            (300, 500, Some(500), 0,    Online,     Ok(())),
            (500, 500, Some(200), 0,    Online,     Ok(())),
            (501, 500, Some(500), 0,    Online,     Err(RedeemRefusal::NotEnoughPoints { short_by: 1 })),
            (400, 400, None,      0,    Standalone, Ok(())),
            // Offline: the last confirmed balance, minus what was spent here since.
            (300, 500, Some(500), 0,    Offline,    Ok(())),
            (300, 500, Some(500), -300, Offline,    Err(RedeemRefusal::OfflineCap { spendable: 200 })),
            (200, 500, Some(500), -300, Offline,    Ok(())),
            // Points earned here since are not the CRM's word yet: not spendable offline.
            (300, 700, Some(200), 0,    Offline,    Err(RedeemRefusal::OfflineCap { spendable: 200 })),
            // A member the CRM never reported (joined here while offline): nothing offline.
            (100, 100, None,      0,    Offline,    Err(RedeemRefusal::OfflineCap { spendable: 0 })),
            // An undone redemption gives its points back.
            (300, 500, Some(200), 300,  Offline,    Ok(())),
            // The balance shown is a ceiling too (an undone award here since).
            (450, 400, Some(500), 0,    Offline,    Err(RedeemRefusal::NotEnoughPoints { short_by: 50 })),
            // Never below zero, even with a negative balance shown.
            (1,   -20, Some(0),   0,    Online,     Err(RedeemRefusal::NotEnoughPoints { short_by: 1 })),
        ];
        for (cost, balance, confirmed, pending, link, expected) in table {
            assert_eq!(
                check(cost, funds(balance, confirmed, pending), link),
                expected,
                "cost {cost}, balance {balance}, confirmed {confirmed:?}, pending {pending}, {link:?}"
            );
        }
    }

    #[test]
    fn only_a_saved_code_needs_more_proof() {
        assert!(!Presence::Card.needs_proof());
        assert_eq!(Presence::of_code(300), Presence::LiveCode);
        assert_eq!(Presence::of_code(LIVE_CODE_MAX_SECS), Presence::LiveCode);
        assert_eq!(Presence::of_code(2 * 365 * 86400), Presence::SavedCode);
        assert!(Presence::SavedCode.needs_proof());
        assert!(!Presence::LiveCode.needs_proof());
    }

    #[test]
    fn last_four_digits() {
        assert!(last4_matches("4567", "4567"));
        assert!(!last4_matches("4568", "4567"));
        assert!(!last4_matches("456", "4567"));
        assert!(!last4_matches("45670", "4567"));
        assert!(!last4_matches("", ""));
    }
}
