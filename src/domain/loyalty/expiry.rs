//! Points that expire: each award is a lot that lapses `months` after it was earned, and
//! spending takes from the oldest lot first (so the points closest to lapsing go first).
//! A deduction larger than what is left becomes a debt that later awards pay off first.
use std::collections::VecDeque;

use super::Entry;
use super::calendar::{DAY, add_months};

/// How far ahead the balance screen warns about expiring points.
pub const WARN_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expiring {
    pub points: i64,
    /// Unix seconds: when the first of these points lapse.
    pub on: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PointsState {
    pub balance: i64,
    /// Points lapsing within [`WARN_DAYS`], if any.
    pub expiring: Option<Expiring>,
    pub expired_total: i64,
}

/// Replays `entries` (any order) up to `now`. `months` of `None` or 0: points never expire.
pub fn replay(entries: &[Entry], months: Option<u32>, now: i64) -> PointsState {
    let months = months
        .filter(|m| *m > 0)
        .and_then(|m| i32::try_from(m).ok());
    let mut sorted: Vec<&Entry> = entries.iter().filter(|e| e.at <= now).collect();
    sorted.sort_by_key(|e| e.at);
    let mut lots: VecDeque<(i64, i64)> = VecDeque::new(); // (expires_at, remaining)
    let mut debt = 0i64;
    let mut expired_total = 0i64;
    let mut lapse = |lots: &mut VecDeque<(i64, i64)>, t: i64| {
        while lots.front().is_some_and(|(expires, _)| *expires <= t) {
            if let Some((_, left)) = lots.pop_front() {
                expired_total += left;
            }
        }
    };
    for e in sorted {
        lapse(&mut lots, e.at);
        if e.delta > 0 {
            let paid = e.delta.min(debt);
            debt -= paid;
            let left = e.delta - paid;
            if left > 0 {
                let expires = months.map_or(i64::MAX, |m| add_months(e.at, m));
                lots.push_back((expires, left));
            }
        } else {
            let mut owed = e.delta.saturating_neg();
            while owed > 0 {
                let Some(front) = lots.front_mut() else { break };
                let take = owed.min(front.1);
                front.1 -= take;
                owed -= take;
                if front.1 == 0 {
                    lots.pop_front();
                }
            }
            debt += owed;
        }
    }
    lapse(&mut lots, now);
    let horizon = now + WARN_DAYS * DAY;
    let soon: Vec<&(i64, i64)> = lots.iter().filter(|(t, _)| *t <= horizon).collect();
    let expiring = soon.first().map(|(on, _)| Expiring {
        points: soon.iter().map(|(_, p)| p).sum(),
        on: *on,
    });
    PointsState {
        balance: lots.iter().map(|(_, p)| p).sum::<i64>() - debt,
        expiring,
        expired_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn day(d: time::OffsetDateTime) -> i64 {
        d.unix_timestamp()
    }

    fn e(at: time::OffsetDateTime, delta: i64) -> Entry {
        Entry::new(day(at), delta, 0)
    }

    #[test]
    fn table() {
        let jan = datetime!(2026-01-10 12:00 UTC);
        let mar = datetime!(2026-03-05 12:00 UTC);
        let jun = datetime!(2026-06-01 12:00 UTC);
        struct Case {
            name: &'static str,
            entries: Vec<Entry>,
            months: Option<u32>,
            now: time::OffsetDateTime,
            balance: i64,
            expiring: Option<(i64, &'static str)>,
            expired: i64,
        }
        let cases = [
            Case {
                name: "no expiry: the plain sum",
                entries: vec![e(jan, 100), e(mar, -30)],
                months: None,
                now: datetime!(2030-01-01 0:00 UTC),
                balance: 70,
                expiring: None,
                expired: 0,
            },
            Case {
                name: "zero months means never",
                entries: vec![e(jan, 100)],
                months: Some(0),
                now: datetime!(2030-01-01 0:00 UTC),
                balance: 100,
                expiring: None,
                expired: 0,
            },
            Case {
                name: "an award lapses after N months",
                entries: vec![e(jan, 100), e(mar, 50)],
                months: Some(6),
                now: datetime!(2026-07-10 12:00 UTC),
                balance: 50,
                expiring: None,
                expired: 100,
            },
            Case {
                name: "lapsing within 30 days is announced with its date",
                entries: vec![e(jan, 100), e(mar, 50)],
                months: Some(6),
                now: datetime!(2026-06-20 0:00 UTC),
                balance: 150,
                expiring: Some((100, "2026-07-10")),
                expired: 0,
            },
            Case {
                name: "spending takes the oldest points first",
                entries: vec![e(jan, 100), e(mar, 50), e(jun, -80)],
                months: Some(6),
                now: datetime!(2026-07-10 12:00 UTC),
                balance: 50,
                expiring: None,
                expired: 20,
            },
            Case {
                name: "a spend larger than the lots leaves a debt the next award pays",
                entries: vec![e(jan, 10), e(mar, -30), e(jun, 50)],
                months: Some(12),
                now: datetime!(2026-07-01 0:00 UTC),
                balance: 30,
                expiring: None,
                expired: 0,
            },
            Case {
                name: "the exact expiry instant has lapsed",
                entries: vec![e(jan, 100)],
                months: Some(1),
                now: datetime!(2026-02-10 12:00 UTC),
                balance: 0,
                expiring: None,
                expired: 100,
            },
            Case {
                name: "entries after now are not counted yet",
                entries: vec![e(jan, 100), e(jun, 500)],
                months: None,
                now: mar,
                balance: 100,
                expiring: None,
                expired: 0,
            },
        ];
        for c in cases {
            let got = replay(&c.entries, c.months, day(c.now));
            assert_eq!(got.balance, c.balance, "{}", c.name);
            assert_eq!(got.expired_total, c.expired, "{}", c.name);
            let expiring = got
                .expiring
                .map(|x| (x.points, super::super::calendar::iso_date(x.on)));
            assert_eq!(
                expiring,
                c.expiring.map(|(p, d)| (p, d.to_owned())),
                "{}",
                c.name
            );
        }
    }
}
