//! Paces requests per connection and rate class, such as Zoom's Heavy report endpoints.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Default)]
pub struct Pacer {
    /// The earliest start of the next request, per (connection id, class).
    next_slot: Mutex<HashMap<(i64, String), Instant>>,
}

impl Pacer {
    /// Waits until a request in `class` may start, spacing requests `60 / per_minute` seconds
    /// apart.
    pub async fn wait(&self, connection_id: i64, class: &str, per_minute: u32) {
        let interval = Duration::from_secs(60) / per_minute.max(1);
        let start = {
            let mut slots = self.next_slot.lock().expect("pacer lock is never poisoned");
            let now = Instant::now();
            let slot = slots.entry((connection_id, class.to_string())).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + interval;
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_in_a_class() {
        let pacer = Pacer::default();
        let began = Instant::now();
        for _ in 0..3 {
            pacer.wait(1, "heavy", 120).await;
        }
        assert_eq!(began.elapsed(), Duration::from_millis(1000));

        // Another connection has its own schedule.
        let other = Instant::now();
        pacer.wait(2, "heavy", 120).await;
        assert_eq!(other.elapsed(), Duration::ZERO);
    }
}
