//! Retry policy for brokered requests: which responses to retry and how long to wait.

use std::time::{Duration, SystemTime};

/// Attempts per request, the first included. Without `Retry-After` the waits add up to
/// about 8 s, enough for per-second limits to clear.
pub const MAX_ATTEMPTS: u32 = 6;
/// Waits longer than this are not spent inside a call: the response goes back to the
/// connector, which reports the rate limit and when to retry.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
const BASE_DELAY: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Parses a `Retry-After` value as delay seconds, an HTTP-date, or an ISO 8601 date-time
/// (Zoom's daily limit), returning how long to wait from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok().or_else(|| {
        let timestamp: jiff::Timestamp = value.parse().ok()?;
        SystemTime::try_from(timestamp).ok()
    })?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff with jitter for attempt `attempt` (1 for the first retry).
pub fn backoff(attempt: u32) -> Duration {
    let exponential = BASE_DELAY.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let capped = exponential.min(MAX_BACKOFF);
    // Up to 25% jitter spreads out callers that failed together.
    let jitter = rand::random::<f64>() * 0.25;
    capped.mul_f64(1.0 + jitter)
}

/// Returns whether a response with this status is worth retrying for this method. POST is
/// only retried on 429, because then the upstream did not process the request.
pub fn is_retryable(status: u16, method: &reqwest::Method) -> bool {
    match status {
        429 => true,
        500..=599 => method != reqwest::Method::POST,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        let timestamp: jiff::Timestamp = text.parse().unwrap();
        SystemTime::try_from(timestamp).unwrap()
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("7", SystemTime::now()), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", SystemTime::now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_http_date() {
        let now = at("1994-11-06T08:49:30Z");
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_iso_8601() {
        let now = at("2026-12-04T23:00:00Z");
        assert_eq!(parse_retry_after("2026-12-05T00:00:00Z", now), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn retry_after_in_the_past_is_zero() {
        let now = at("2026-12-05T00:00:10Z");
        assert_eq!(parse_retry_after("2026-12-05T00:00:00Z", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_garbage() {
        assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
        assert_eq!(parse_retry_after("-5", SystemTime::now()), None);
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert!(backoff(1) >= Duration::from_millis(250) && backoff(1) <= Duration::from_millis(313));
        assert!(backoff(3) >= Duration::from_secs(1));
        assert!(backoff(20) <= Duration::from_secs(10));
    }

    #[test]
    fn retryable_statuses() {
        assert!(is_retryable(429, &reqwest::Method::POST));
        assert!(is_retryable(503, &reqwest::Method::GET));
        assert!(!is_retryable(503, &reqwest::Method::POST));
        assert!(!is_retryable(404, &reqwest::Method::GET));
    }
}
