//! The `from`/`to` date range of reports and dashboards, and Zoom's rules for it.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, tz::TimeZone};

use crate::api::{ApiError, param};

/// Maximum length of a report range in days, counting both ends, because Zoom limits reports
/// to one month.
pub(crate) const MAX_RANGE_DAYS: i64 = 31;

/// A validated report range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateRange {
    pub from: Date,
    pub to: Date,
    /// First and last instant of the range: `from` 00:00:00 and `to` 23:59:59 UTC for dates,
    /// or the given times.
    pub start: Timestamp,
    pub end: Timestamp,
}

impl DateRange {
    /// Reads and checks `from` and `to` against the rules Zoom applies to reports: both
    /// present, `to` not before `from`, at most `MAX_RANGE_DAYS` days, and `from` within the
    /// six months before `today`. With `allow_times`, a value may also be
    /// `yyyy-mm-dd HH:MM:SS`, as the Dashboard accepts.
    pub fn parse(
        params: &[(String, String)],
        today: Date,
        allow_times: bool,
    ) -> Result<DateRange, ApiError> {
        let (from, start) = parse_bound(params, "from", allow_times, Bound::Start)?;
        let (to, end) = parse_bound(params, "to", allow_times, Bound::End)?;

        if to < from || end < start {
            return Err(ApiError::bad_request(
                300,
                format!("The to date ({to}) must not be earlier than the from date ({from})."),
            ));
        }
        let days = days_between(from, to) + 1;
        if days > MAX_RANGE_DAYS {
            return Err(ApiError::bad_request(
                300,
                format!(
                    "The date range can be at most one month ({MAX_RANGE_DAYS} days), but \
                     {from} to {to} covers {days} days."
                ),
            ));
        }
        let oldest = oldest_from(today);
        if from < oldest {
            return Err(ApiError::bad_request(
                300,
                format!(
                    "The report can only be provided for dates that fall within the recent 6 \
                     months, from {oldest} on, but from is {from}."
                ),
            ));
        }
        Ok(DateRange {
            from,
            to,
            start,
            end,
        })
    }
}

/// Returns the earliest `from` date a report accepts: six months before `today`.
pub(crate) fn oldest_from(today: Date) -> Date {
    today.checked_sub(6.months()).unwrap_or(today)
}

/// Returns the UTC date of `at`.
pub(crate) fn utc_date(at: Timestamp) -> Date {
    at.to_zoned_datetime(TimeZone::UTC).date()
}

/// Returns the first instant of `date` in UTC.
pub(crate) fn start_of(date: Date) -> Timestamp {
    date.to_zoned_datetime(TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn days_between(from: Date, to: Date) -> i64 {
    (start_of(to).as_second() - start_of(from).as_second()) / 86_400
}

#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

/// Reads one bound as a date and the instant it stands for.
fn parse_bound(
    params: &[(String, String)],
    name: &str,
    allow_times: bool,
    bound: Bound,
) -> Result<(Date, Timestamp), ApiError> {
    let format = if allow_times {
        "yyyy-mm-dd or yyyy-mm-dd HH:MM:SS"
    } else {
        "yyyy-mm-dd"
    };
    let value = match param(params, name) {
        None | Some("") => {
            return Err(ApiError::bad_request(
                300,
                format!("Missing field: {name}. Send from and to as dates in {format} format."),
            ));
        }
        Some(value) => value,
    };
    let invalid = || {
        ApiError::bad_request(
            300,
            format!("Invalid field: {name} must be a date in {format} format, not \"{value}\"."),
        )
    };

    if value.len() == 10 {
        let date: Date = value.parse().map_err(|_| invalid())?;
        let instant = match bound {
            Bound::Start => start_of(date),
            Bound::End => start_of(date) + jiff::SignedDuration::from_secs(86_399),
        };
        return Ok((date, instant));
    }
    if !allow_times {
        return Err(invalid());
    }
    let date_time: jiff::civil::DateTime = value.parse().map_err(|_| invalid())?;
    let instant = date_time
        .to_zoned_datetime(TimeZone::UTC)
        .map_err(|_| invalid())?
        .timestamp();
    Ok((date_time.date(), instant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_pairs;

    fn today() -> Date {
        "2026-03-12".parse().expect("valid date")
    }

    fn parse(query: &str) -> Result<DateRange, ApiError> {
        DateRange::parse(&parse_pairs(query.as_bytes()), today(), false)
    }

    #[test]
    fn range_of_one_month_passes() {
        let range = parse("from=2026-02-01&to=2026-03-03").expect("31 days pass");

        assert_eq!(range.start.to_string(), "2026-02-01T00:00:00Z");
        assert_eq!(range.end.to_string(), "2026-03-03T23:59:59Z");
    }

    #[test]
    fn range_rules_reject_with_code_300() {
        for query in [
            "to=2026-02-01",
            "from=2026-02-01",
            "from=2026-02-30&to=2026-03-01",
            "from=02/01/2026&to=2026-03-01",
            "from=2026-02-10&to=2026-02-01",
            "from=2026-02-01&to=2026-03-04",
            "from=2025-09-11&to=2025-09-30",
        ] {
            let error = parse(query).expect_err(query);
            assert_eq!(error.code, 300, "{query}");
            assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST, "{query}");
        }
    }

    #[test]
    fn oldest_from_is_six_months_back() {
        assert_eq!(oldest_from(today()).to_string(), "2025-09-12");
        assert!(parse("from=2025-09-12&to=2025-09-30").is_ok());
    }

    #[test]
    fn times_are_accepted_only_when_allowed() {
        let params = parse_pairs(b"from=2026-02-01+08:00:00&to=2026-02-02+09:30:00");

        assert!(DateRange::parse(&params, today(), false).is_err());
        let range = DateRange::parse(&params, today(), true).expect("times allowed");
        assert_eq!(range.start.to_string(), "2026-02-01T08:00:00Z");
        assert_eq!(range.to.to_string(), "2026-02-02");
    }
}
