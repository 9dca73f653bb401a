//! Simulated time. The engine never reads a wall clock: time is a value in the
//! lab's state that only a command moves forward, so every run is
//! deterministic and replayable from its operation log.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Instant(pub u64);

/// A span of simulated time, in milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Span(pub u64);

impl Span {
    pub const fn millis(ms: u64) -> Span {
        Span(ms)
    }
    pub const fn seconds(s: u64) -> Span {
        Span(s * 1000)
    }
    pub const fn minutes(m: u64) -> Span {
        Span(m * 60_000)
    }
    pub const fn hours(h: u64) -> Span {
        Span(h * 3_600_000)
    }
    pub const fn days(d: u64) -> Span {
        Span(d * 86_400_000)
    }
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// Parses "90s", "5m", "1h", "31d", "250ms" or a bare number of seconds.
    pub fn parse(text: &str) -> Option<Span> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let n: u64 = number.parse().ok()?;
        let ms = match unit {
            "" | "s" => n.checked_mul(1000)?,
            "ms" => n,
            "m" | "min" => n.checked_mul(60_000)?,
            "h" => n.checked_mul(3_600_000)?,
            "d" => n.checked_mul(86_400_000)?,
            _ => return None,
        };
        Some(Span(ms))
    }
}

impl std::ops::Add<Span> for Instant {
    type Output = Instant;
    fn add(self, span: Span) -> Instant {
        Instant(self.0.saturating_add(span.0))
    }
}

impl std::ops::Sub<Instant> for Instant {
    type Output = Span;
    fn sub(self, earlier: Instant) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }
}

/// Where a new lab's clock starts: Monday 2026-01-05 10:00:00 UTC.
pub const LAB_EPOCH: Instant = Instant(1_767_607_200_000);

/// The latest time the simulated clock reaches: 100 years after the start
/// (36,525 days). Far beyond any lesson or demo, and far from the overflow
/// a careless `sim clock advance 99999999999d` would otherwise reach.
pub const CLOCK_END: Instant = Instant(LAB_EPOCH.0 + 36_525 * 86_400_000);

impl Instant {
    fn civil(self) -> (i64, u32, u32, u64) {
        // Howard Hinnant's days-to-civil algorithm: exact for the proleptic
        // Gregorian calendar, no date crate needed.
        let days = (self.0 / 86_400_000) as i64;
        let ms_of_day = self.0 % 86_400_000;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day, ms_of_day)
    }

    /// The time as Azure prints `timeCreated`: `2026-01-05T10:00:00.0000000+00:00`.
    pub fn to_azure_string(self) -> String {
        let (y, mo, d, ms) = self.civil();
        let (h, mi, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:03}0000+00:00")
    }

    /// Time of day, `10:03:12`, for messages.
    pub fn hms(self) -> String {
        let (_, _, _, ms) = self.civil();
        format!(
            "{:02}:{:02}:{:02}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60
        )
    }

    /// Year, month (1–12), day (1–31), weekday (0 = Monday) and the
    /// milliseconds of the day: for people-readable dates in any language.
    pub fn parts(self) -> (i64, u32, u32, u32, u64) {
        let (y, mo, d, ms) = self.civil();
        // 1970-01-01 was a Thursday (3, counting Monday as 0).
        let weekday = ((self.0 / 86_400_000 + 3) % 7) as u32;
        (y, mo, d, weekday, ms)
    }

    /// The calendar day, `2026-01-05`, for billing.
    pub fn date(self) -> String {
        let (y, mo, d, _) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}")
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_azure_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_epoch_is_monday_5_january_2026_at_ten() {
        assert_eq!(
            LAB_EPOCH.to_azure_string(),
            "2026-01-05T10:00:00.0000000+00:00"
        );
        assert_eq!(
            (LAB_EPOCH + Span::minutes(3) + Span::seconds(12)).hms(),
            "10:03:12"
        );
        assert_eq!((LAB_EPOCH + Span::days(31)).date(), "2026-02-05");
        assert_eq!(Instant(951_782_400_000).date(), "2000-02-29");
    }

    #[test]
    fn spans_parse_in_the_units_trainers_type() {
        assert_eq!(Span::parse("5m"), Some(Span::minutes(5)));
        assert_eq!(Span::parse("90"), Some(Span::seconds(90)));
        assert_eq!(Span::parse("31d"), Some(Span::days(31)));
        assert_eq!(Span::parse("1h"), Some(Span::hours(1)));
        assert_eq!(Span::parse("250ms"), Some(Span::millis(250)));
        assert_eq!(Span::parse("5 weeks"), None);
        assert_eq!(Span::parse(""), None);
    }
}
