//! The loyalty rules, as pure functions over a member's ledger: points that expire (spent
//! oldest first), tiers with upgrade at once and downgrade at a period's end, and the
//! rewards a balance affords. Storage feeds them rows; the balance screen shows the result.
pub mod calendar;
pub mod expiry;
pub mod rewards;
pub mod standing;
pub mod tiers;

/// One ledger row as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    pub delta: i64,
    /// The purchase behind an award, in the currency's minor unit (0 for none).
    pub spend_minor: i64,
}
