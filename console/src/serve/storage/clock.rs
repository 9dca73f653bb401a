//! Times as the Blob service writes them: SAS times (`2026-12-02T15:00:00Z`)
//! and snapshot ids (`2026-12-02T14:10:00.1234567Z`). The storage account
//! lives in real time (a SAS's expiry is a real time), not the lab's.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (or `YYYY-MM-DD`, midnight), UTC.
pub fn parse_iso(text: &str) -> Option<SystemTime> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let text = text.strip_suffix("+00:00").unwrap_or(text);
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let mut date = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (date.next()??, date.next()??, date.next()??);
    let (whole, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut hms = whole.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, s) = (hms.next()??, hms.next()??, hms.next().unwrap_or(Some(0))?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().take(9).collect();
        format!("{digits:0<9}").parse::<u32>().ok()?
    };
    let seconds = days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s;
    let seconds = u64::try_from(seconds).ok()?;
    Some(UNIX_EPOCH + Duration::new(seconds, nanos))
}

fn parts(t: SystemTime) -> (i64, i64, i64, u64, u64, u64, u32) {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rest = secs % 86_400;
    (
        y,
        m,
        d,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_nanos(),
    )
}

/// `2026-12-02T15:00:00Z`.
pub fn iso_seconds(t: SystemTime) -> String {
    let (y, m, d, h, mi, s, _) = parts(t);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A snapshot id: `2026-12-02T14:10:00.1234567Z` (100-ns ticks, as Storage).
pub fn snapshot_id(t: SystemTime) -> String {
    let (y, m, d, h, mi, s, nanos) = parts(t);
    format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:07}Z",
        nanos / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_written() {
        let t = parse_iso("2026-12-02T15:04:05Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_796_223_845
        );
        assert_eq!(iso_seconds(t), "2026-12-02T15:04:05Z");
        let s = parse_iso("2024-02-29T23:59:59.1234567Z").unwrap();
        assert_eq!(snapshot_id(s), "2024-02-29T23:59:59.1234567Z");
        assert_eq!(parse_iso("2026-13-01T00:00:00Z"), None);
        // The engine's times (as the REST model writes them) read too.
        assert_eq!(
            iso_seconds(parse_iso("2026-01-05T10:00:00.0000000+00:00").unwrap()),
            "2026-01-05T10:00:00Z"
        );
        assert_eq!(parse_iso("soon"), None);
        assert_eq!(
            iso_seconds(parse_iso("2026-12-02").unwrap()),
            "2026-12-02T00:00:00Z"
        );
    }
}
