//! Month arithmetic on Unix seconds (UTC), for expiry dates and tier periods.
use time::{Date, Month, OffsetDateTime};

pub const DAY: i64 = 24 * 3600;

/// `at` moved by `months` (negative: back), the day clamped to the month's length.
pub fn add_months(at: i64, months: i32) -> i64 {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(at) else {
        return at;
    };
    let index = t.year() * 12 + i32::from(u8::from(t.month())) - 1 + months;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
    let Ok(month) = Month::try_from(u8::try_from(month0 + 1).unwrap_or(1)) else {
        return at;
    };
    let day = t.day().min(month.length(year));
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => t.replace_date(date).unix_timestamp(),
        Err(_) => at,
    }
}

/// The start (UTC midnight on the 1st) of the `months`-long period holding `at`, periods
/// counted from January 1970 (so 12 gives calendar years, 6 halves, 3 quarters).
pub fn period_start(at: i64, months: u32) -> i64 {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(at) else {
        return at;
    };
    let months = i32::try_from(months.max(1)).unwrap_or(12);
    let index = (t.year() - 1970) * 12 + i32::from(u8::from(t.month())) - 1;
    let start = index.div_euclid(months) * months;
    add_months(0, start)
}

/// The date of `at` as `YYYY-MM-DD`, the form shown in every language.
pub fn iso_date(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .map(|t| {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at(t: OffsetDateTime) -> i64 {
        t.unix_timestamp()
    }

    #[test]
    fn months_clamp_to_the_shorter_month_and_cross_years() {
        let jan31 = at(datetime!(2026-01-31 10:00 UTC));
        assert_eq!(add_months(jan31, 1), at(datetime!(2026-02-28 10:00 UTC)));
        assert_eq!(add_months(jan31, 12), at(datetime!(2027-01-31 10:00 UTC)));
        assert_eq!(add_months(jan31, -2), at(datetime!(2025-11-30 10:00 UTC)));
        assert_eq!(iso_date(add_months(jan31, 25)), "2028-02-29");
    }

    #[test]
    fn periods_are_calendar_aligned() {
        let t = at(datetime!(2026-08-15 12:00 UTC));
        assert_eq!(period_start(t, 12), at(datetime!(2026-01-01 0:00 UTC)));
        assert_eq!(period_start(t, 6), at(datetime!(2026-07-01 0:00 UTC)));
        assert_eq!(period_start(t, 3), at(datetime!(2026-07-01 0:00 UTC)));
        assert_eq!(period_start(t, 1), at(datetime!(2026-08-01 0:00 UTC)));
    }
}
