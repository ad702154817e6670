//! Rate limits of the Heavy and Resource-intensive endpoints: a per-second window and a daily
//! quota per UTC day of the mock clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use jiff::civil::Date;

use crate::api::ApiError;
use crate::report_range::{start_of, utc_date};
use crate::state::{Shared, lock};

/// Body message of a 429 for the per-second limit, as Zoom's rate-limit guide words it.
pub(crate) const PER_SECOND_MESSAGE: &str =
    "You have reached the maximum per-second rate limit for this API. Try again later.";

/// Body message of a 429 for the daily limit, as Zoom's rate-limit guide words it.
pub(crate) const DAILY_MESSAGE: &str = "You have reached the maximum daily rate limit for this \
     API. Refer to the response header for details on when you can make another request.";

/// Zoom's rate-limit label of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RateLabel {
    Light,
    Medium,
    Heavy,
    ResourceIntensive,
}

impl RateLabel {
    /// Returns the label as Zoom writes it in `X-RateLimit-Category`.
    pub fn as_str(self) -> &'static str {
        match self {
            RateLabel::Light => "Light",
            RateLabel::Medium => "Medium",
            RateLabel::Heavy => "Heavy",
            RateLabel::ResourceIntensive => "Resource-intensive",
        }
    }

    /// Returns the daily limit of this label on Zoom's free plan.
    pub fn free_daily_limit(self) -> u32 {
        match self {
            RateLabel::Light => 6_000,
            RateLabel::Medium => 2_000,
            RateLabel::Heavy => 1_000,
            RateLabel::ResourceIntensive => 30_000,
        }
    }

    /// Returns the label of the endpoint at `path`, for the endpoints the mock serves.
    pub fn of_path(path: &str) -> RateLabel {
        if path.starts_with("/v2/report/") || path == "/v2/accounts/me/plans/usage" {
            return RateLabel::Heavy;
        }
        if path.starts_with("/v2/metrics/") {
            return RateLabel::ResourceIntensive;
        }
        let single_user = path
            .strip_prefix("/v2/users/")
            .is_some_and(|rest| !rest.is_empty() && rest != "summary");
        if single_user {
            RateLabel::Light
        } else {
            RateLabel::Medium
        }
    }
}

/// Why the limiter rejected a request.
#[derive(Debug, PartialEq, Eq)]
enum Limited {
    PerSecond,
    Daily { limit: u32 },
}

/// Counters of the Heavy and Resource-intensive requests, which share both limits.
#[derive(Default)]
pub(crate) struct RateLimiter {
    /// Arrival times of the admitted requests of the last second.
    recent: VecDeque<Instant>,
    /// The UTC day `used_today` counts, by the mock clock.
    day: Option<Date>,
    used_today: u32,
    /// Admitted requests since the start.
    admitted: usize,
}

impl RateLimiter {
    /// Counts a request arriving at `arrived` on UTC day `today`, or rejects it. Rejected
    /// requests count against neither limit.
    fn admit(
        &mut self,
        per_second: u32,
        daily_limit: Option<u32>,
        today: Date,
        arrived: Instant,
    ) -> Result<(), Limited> {
        if self.day != Some(today) {
            self.day = Some(today);
            self.used_today = 0;
        }
        if let Some(limit) = daily_limit
            && self.used_today >= limit
        {
            return Err(Limited::Daily { limit });
        }
        while self
            .recent
            .front()
            .is_some_and(|&at| arrived.duration_since(at) >= Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= per_second as usize {
            return Err(Limited::PerSecond);
        }
        self.recent.push_back(arrived);
        self.used_today += 1;
        self.admitted += 1;
        Ok(())
    }

    /// Clears the daily quota, as if a new UTC day had started.
    pub fn reset_daily(&mut self) {
        self.used_today = 0;
    }

    pub fn admitted(&self) -> usize {
        self.admitted
    }
}

/// Counts a request to a Heavy or Resource-intensive endpoint, or rejects it with Zoom's 429.
/// A per-second 429 has no `Retry-After`. A daily 429 carries the `X-RateLimit-*` headers and
/// `Retry-After` set to the next UTC midnight as an ISO 8601 date-time.
pub(crate) fn admit(state: &Shared, label: RateLabel) -> Result<(), ApiError> {
    let today = utc_date(state.now());
    let result = lock(&state.limits).admit(
        state.config.heavy_per_second,
        state.config.heavy_daily_limit,
        today,
        Instant::now(),
    );
    match result {
        Ok(()) => Ok(()),
        Err(Limited::PerSecond) => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            429,
            PER_SECOND_MESSAGE,
        )),
        Err(Limited::Daily { limit }) => {
            let next_midnight = today
                .tomorrow()
                .map(start_of)
                .unwrap_or_else(|_| state.now());
            let retry_after = next_midnight.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            let error = ApiError::new(StatusCode::TOO_MANY_REQUESTS, 429, DAILY_MESSAGE)
                .with_header("x-ratelimit-category", label.as_str())
                .with_header("x-ratelimit-type", "Daily-limit")
                .with_header("x-ratelimit-limit", &limit.to_string())
                .with_header("x-ratelimit-remaining", "0")
                .with_header("retry-after", &retry_after);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().expect("valid date")
    }

    #[test]
    fn per_second_window_slides() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let today = day("2026-03-12");

        assert_eq!(limiter.admit(2, None, today, start), Ok(()));
        assert_eq!(limiter.admit(2, None, today, start), Ok(()));
        assert_eq!(
            limiter.admit(2, None, today, start),
            Err(Limited::PerSecond)
        );
        let later = start + Duration::from_millis(1_000);
        assert_eq!(limiter.admit(2, None, today, later), Ok(()));
        assert_eq!(limiter.admitted(), 3);
    }

    #[test]
    fn daily_quota_resets_on_new_day() {
        let mut limiter = RateLimiter::default();
        let now = Instant::now();

        assert_eq!(limiter.admit(40, Some(1), day("2026-03-12"), now), Ok(()));
        assert_eq!(
            limiter.admit(40, Some(1), day("2026-03-12"), now),
            Err(Limited::Daily { limit: 1 })
        );
        assert_eq!(limiter.admit(40, Some(1), day("2026-03-13"), now), Ok(()));
        limiter.reset_daily();
        assert_eq!(limiter.admit(40, Some(1), day("2026-03-13"), now), Ok(()));
    }

    #[test]
    fn labels_follow_paths() {
        assert_eq!(RateLabel::of_path("/v2/report/users"), RateLabel::Heavy);
        assert_eq!(
            RateLabel::of_path("/v2/metrics/meetings"),
            RateLabel::ResourceIntensive
        );
        assert_eq!(RateLabel::of_path("/v2/users/abc"), RateLabel::Light);
        assert_eq!(RateLabel::of_path("/v2/users/summary"), RateLabel::Medium);
        assert_eq!(RateLabel::of_path("/v2/users"), RateLabel::Medium);
    }
}
