//! Dates on the wire and in records: the RFC 2822 `Date` Duo signs and answers with, and
//! RFC 3339 UTC with milliseconds for audit records. Proleptic Gregorian, UTC only.

/// RFC 2822 date in UTC as Duo wants it: `Tue, 21 Aug 2012 17:29:18 -0000`.
pub fn rfc2822(unix_seconds: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} -0000",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// RFC 3339 UTC with milliseconds (`2026-11-30T01:02:03.456Z`), for audit records.
pub fn rfc3339_ms(unix_ms: u64) -> String {
    let secs = (unix_ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        unix_ms % 1000
    )
}

/// Parses what [`rfc2822`] writes (also `+0000`/`GMT`), to unix seconds.
pub fn parse_rfc2822(text: &str) -> Option<i64> {
    let rest = text.trim().split_once(", ").map_or(text.trim(), |(_, r)| r);
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if parts.len() != 5 || !matches!(parts[4], "-0000" | "+0000" | "GMT" | "UTC") {
        return None;
    }
    let d: i64 = parts[0].parse().ok()?;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months.iter().position(|x| *x == parts[1])? as i64 + 1;
    let y: i64 = parts[2].parse().ok()?;
    let hms: Vec<i64> = parts[3]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 || !(1..=31).contains(&d) || hms[0] > 23 || hms[1] > 59 || hms[2] > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}

// Howard Hinnant's civil-date algorithms.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Tue, 21 Aug 2012 17:29:18 -0000";

    #[test]
    fn dates_round_trip() {
        assert_eq!(rfc2822(1_345_570_158), DATE);
        assert_eq!(parse_rfc2822(DATE), Some(1_345_570_158));
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 -0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 -0000");
        for t in [0, 951_782_400, 1_700_000_000, 4_102_444_800] {
            assert_eq!(parse_rfc2822(&rfc2822(t)), Some(t));
        }
        assert_eq!(parse_rfc2822("Tue, 21 Aug 2012 17:29:18 +0200"), None);
        assert_eq!(parse_rfc2822("yesterday"), None);
    }

    #[test]
    fn rfc3339_for_audit_records() {
        assert_eq!(rfc3339_ms(1_345_570_158_042), "2012-08-21T17:29:18.042Z");
    }
}
