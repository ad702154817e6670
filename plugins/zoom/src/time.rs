//! Timestamp parsing for Zoom's ISO 8601 date-times and `Retry-After` values.
//!
//! Hand-written instead of a date crate to keep the component small: Zoom only sends UTC
//! date-times such as `2026-03-02T08:15:00Z`, sometimes with fractional seconds or an offset.

use crate::bindings::roster::connector::types::Date;

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Howard Hinnant's algorithm: shift the year so that it starts in March, which puts the
    // leap day at the end.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march as i64 + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Converts a date and time of day to seconds since the Unix epoch, validating each field.
fn to_unix(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        // Accept a leap second the way most parsers do, by folding it into the next second.
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + (hour * 3600 + minute * 60 + second) as i64)
}

/// Parses an RFC 3339 date-time (`2026-03-02T08:15:00Z`, `…00.123Z`, `…00+02:00`) to Unix
/// seconds, dropping fractions of a second.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() < 20 || !text.is_char_boundary(10) {
        return None;
    }
    let (date, rest) = text.split_at(10);
    let separator = rest.as_bytes()[0];
    if separator != b'T' && separator != b't' && separator != b' ' {
        return None;
    }
    let rest = &rest[1..];

    let mut date_parts = date.split('-');
    let year = number(date_parts.next()?)? as i64;
    let month = number(date_parts.next()?)?;
    let day = number(date_parts.next()?)?;
    if date_parts.next().is_some() {
        return None;
    }

    let offset_at = rest.find(['Z', 'z', '+', '-'])?;
    let (time, offset) = rest.split_at(offset_at);
    let time = time.split('.').next()?;
    let mut time_parts = time.split(':');
    let hour = number(time_parts.next()?)?;
    let minute = number(time_parts.next()?)?;
    let second = number(time_parts.next()?)?;
    if time_parts.next().is_some() {
        return None;
    }

    let offset_seconds = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = offset[1..].split_once(':')?;
            sign * (number(hours)? as i64 * 3600 + number(minutes)? as i64 * 60)
        }
    };
    Some(to_unix(year, month, day, hour, minute, second)? - offset_seconds)
}

/// Parses an IMF-fixdate HTTP-date such as `Sun, 06 Nov 1994 08:49:37 GMT` to Unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day = number(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = number(parts.next()?)? as i64;
    let mut clock = parts.next()?.split(':');
    let hour = number(clock.next()?)?;
    let minute = number(clock.next()?)?;
    let second = number(clock.next()?)?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    to_unix(year, month, day, hour, minute, second)
}

/// Reads a `Retry-After` value given as delay seconds, an HTTP-date or an ISO 8601
/// date-time (Zoom's daily limit), and returns the Unix time to retry at.
pub fn parse_retry_after(value: &str, now: i64) -> Option<i64> {
    let value = value.trim();
    if let Some(seconds) = number(value) {
        return Some(now + seconds as i64);
    }
    parse_http_date(value).or_else(|| parse_rfc3339(value))
}

/// Returns the date `days` days after 1970-01-01.
pub fn date_from_days(days: i64) -> Date {
    // Inverse of `days_from_civil`, from the same algorithm.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u8;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date { year: year as i32, month, day }
}

pub fn days_of(date: &Date) -> i64 {
    days_from_civil(date.year as i64, date.month as u32, date.day as u32)
}

/// Formats a date as `YYYY-MM-DD`, as Zoom's report endpoints take it.
pub fn format_date(date: &Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

/// Today's UTC date from the sandbox's wall clock, which the host provides.
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    date_from_days(seconds.div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_utc() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-03-02T08:15:00Z"), Some(1_772_439_300));
        assert_eq!(parse_rfc3339("2000-02-29T23:59:59Z"), Some(951_868_799));
    }

    #[test]
    fn rfc3339_fraction_and_offset() {
        assert_eq!(parse_rfc3339("2026-02-24T23:28:52.278Z"), parse_rfc3339("2026-02-24T23:28:52Z"));
        assert_eq!(parse_rfc3339("2026-03-02T10:15:00+02:00"), Some(1_772_439_300));
        assert_eq!(parse_rfc3339("2026-03-02T03:15:00-05:00"), Some(1_772_439_300));
    }

    #[test]
    fn rfc3339_rejects_invalid() {
        for text in [
            "",
            "2026-03-02",
            "2026-13-02T08:15:00Z",
            "2026-02-30T08:15:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T08:15:00",
            "2026-03-02X08:15:00Z",
            "2026-0a-02T08:15:00Z",
            "2026-03-02T08:15Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn dates_round_trip() {
        for days in [-1, 0, 59, 60, 11_016, 20_516, 20_700, 100_000] {
            assert_eq!(days_of(&date_from_days(days)), days, "{days}");
        }
        let date = date_from_days(20_516);
        assert_eq!(format_date(&date), "2026-03-04");
        assert_eq!(format_date(&date_from_days(11_016)), "2000-02-29");
    }

    #[test]
    fn http_date() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("06 Nov 1994"), None);
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120", 1_000), Some(1_120));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 0), Some(784_111_777));
        assert_eq!(parse_retry_after("2020-05-31T00:00:00Z", 0), Some(1_590_883_200));
        assert_eq!(parse_retry_after("soon", 0), None);
    }
}
