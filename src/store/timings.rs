//! Sign-up timing telemetry rows: durations only, no personal data.
use rusqlite::params;

use super::{Store, StoreError, now_rfc3339};
use crate::domain::timing::SignupTiming;

impl Store {
    /// Records one sign-up's timing. Telemetry, not a customer's data: it is committed
    /// without an fsync of its own (`synchronous=NORMAL` for this one transaction; the next
    /// sign-up's commit makes it durable), so it never holds the next customer up.
    pub fn record_signup_timing(
        &self,
        timing: &SignupTiming,
        returning: bool,
    ) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let recorded = self.record_signup_timing_at(timing, returning, &now_rfc3339());
        let restored = self.conn.pragma_update(None, "synchronous", "FULL");
        recorded?;
        Ok(restored?)
    }

    /// As [`Store::record_signup_timing`] with an explicit RFC 3339 UTC timestamp.
    pub fn record_signup_timing_at(
        &self,
        timing: &SignupTiming,
        returning: bool,
        recorded_at: &str,
    ) -> Result<(), StoreError> {
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.conn.execute(
            "INSERT INTO signup_timings
               (recorded_at, returning_member, touch_to_valid_ms, valid_to_join_ms, join_to_welcome_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                recorded_at,
                returning,
                clamp(timing.touch_to_valid_ms),
                clamp(timing.valid_to_join_ms),
                clamp(timing.join_to_welcome_ms)
            ],
        )?;
        Ok(())
    }

    /// Timings recorded in `[from, to)`, both RFC 3339 UTC (string order is time order).
    pub fn signup_timings(&self, from: &str, to: &str) -> Result<Vec<SignupTiming>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT touch_to_valid_ms, valid_to_join_ms, join_to_welcome_ms FROM signup_timings
             WHERE recorded_at >= ?1 AND recorded_at < ?2",
        )?;
        let unsigned = |v: i64| u64::try_from(v).unwrap_or(0);
        let rows = stmt.query_map([from, to], |r| {
            Ok(SignupTiming {
                touch_to_valid_ms: unsigned(r.get(0)?),
                valid_to_join_ms: unsigned(r.get(1)?),
                join_to_welcome_ms: unsigned(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
