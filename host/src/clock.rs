//! The current time. `ROSTER_NOW` (an RFC 3339 time) starts the clock at another instant,
//! from which it runs on, for tests and for reproducing a report; connectors see the same
//! clock through WASI.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jiff::Timestamp;

/// Environment variable that starts the clock at a given RFC 3339 time.
pub const NOW_ENV: &str = "ROSTER_NOW";

struct Offset {
    start: Timestamp,
    started: Instant,
}

fn offset() -> Option<&'static Offset> {
    static OFFSET: OnceLock<Option<Offset>> = OnceLock::new();
    OFFSET
        .get_or_init(|| {
            let text = std::env::var(NOW_ENV).ok()?;
            match text.parse::<Timestamp>() {
                Ok(start) => Some(Offset { start, started: Instant::now() }),
                Err(error) => {
                    tracing::warn!(value = text, error = %error, "ignoring {NOW_ENV}: not an RFC 3339 time");
                    None
                }
            }
        })
        .as_ref()
}

pub fn now() -> Timestamp {
    match offset() {
        Some(offset) => {
            let elapsed = jiff::SignedDuration::try_from(offset.started.elapsed()).unwrap_or_default();
            offset.start.checked_add(elapsed).unwrap_or(offset.start)
        }
        None => Timestamp::now(),
    }
}

/// The UTC calendar date of [`now`].
pub fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC.to_datetime(now()).date()
}

/// The wall clock lent to connectors through WASI.
pub struct SandboxWallClock;

impl wasmtime_wasi::HostWallClock for SandboxWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        let now = now();
        Duration::from_secs(now.as_second().max(0) as u64) + Duration::from_nanos(now.subsec_nanosecond().max(0) as u64)
    }
}
