//! The loyalty rules, as pure functions over a member's ledger: points that expire (spent
//! oldest first), tiers with upgrade at once and downgrade at a period's end, the rewards a
//! balance affords, what a purchase earns, and when a reward may be redeemed. Storage feeds
//! them rows; the balance screen and staff mode show the result.
pub mod calendar;
pub mod earning;
pub mod expiry;
pub mod redemption;
pub mod rewards;
pub mod standing;
pub mod tiers;

/// One ledger row as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    pub delta: i64,
    /// The purchase behind an award, in the currency's minor unit (0 for none; negative for
    /// the undo of an award).
    pub spend_minor: i64,
    /// The points this entry adds to what a member has earned, for tiers: an award's or a
    /// bonus's points, minus an undone award's; nothing for a redemption or its undo.
    pub earned: i64,
}

impl Entry {
    /// An entry whose points, if positive, were earned (an award or a bonus).
    pub fn new(at: i64, delta: i64, spend_minor: i64) -> Entry {
        Entry {
            at,
            delta,
            spend_minor,
            earned: delta.max(0),
        }
    }
}
