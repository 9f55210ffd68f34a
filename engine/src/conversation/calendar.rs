//! Calendar days and instants, just enough for conversations: the engine takes no clock and no
//! date crate, so instants are Unix seconds (UTC) and days are proleptic Gregorian dates. The
//! service converts its `chrono` values at the boundary (`timestamp()`, `year()/month()/day()`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// An instant: seconds since 1970-01-01T00:00:00Z.
pub type UnixSeconds = i64;

pub(crate) const SECONDS_PER_HOUR: i64 = 3600;
const SECONDS_PER_DAY: i64 = 86_400;

/// A valid calendar day; displays as ISO 8601 ("2026-05-03").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CalendarDate {
    year: i32,
    month: u32,
    day: u32,
}

impl CalendarDate {
    /// `None` unless the day exists (2026-02-29 does not).
    pub fn new(year: i32, month: u32, day: u32) -> Option<CalendarDate> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(CalendarDate { year, month, day })
    }

    /// The UTC day an instant falls on.
    pub fn from_unix_seconds(at: UnixSeconds) -> CalendarDate {
        CalendarDate::from_days(at.div_euclid(SECONDS_PER_DAY))
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// The day `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> CalendarDate {
        CalendarDate::from_days(self.days_since_epoch() + days)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// Hinnant's `civil_from_days`; years outside i32 saturate, which no message reaches.
    fn from_days(days: i64) -> CalendarDate {
        let z = days.saturating_add(719_468);
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        CalendarDate {
            year: year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
            month,
            day,
        }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days_convert_both_ways() {
        let cases = [
            (0, "1970-01-01"),
            (1_777_593_600, "2026-05-01"),
            (951_782_400, "2000-02-29"),
            (-86_400, "1969-12-31"),
        ];
        for (at, iso) in cases {
            let date = CalendarDate::from_unix_seconds(at);
            assert_eq!(date.to_string(), iso);
            assert_eq!(date.days_since_epoch() * SECONDS_PER_DAY, at);
        }
    }

    #[test]
    fn impossible_days_are_refused() {
        assert_eq!(CalendarDate::new(2026, 2, 29), None);
        assert_eq!(CalendarDate::new(2026, 13, 1), None);
        assert_eq!(CalendarDate::new(2026, 4, 31), None);
        assert!(CalendarDate::new(2028, 2, 29).is_some());
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -1_000_000i64..1_000_000) {
            let date = CalendarDate::from_days(days);
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert!(CalendarDate::new(date.year(), date.month(), date.day()).is_some());
        }
    }
}
