//! Cheap deterministic random numbers keyed by a seed, a stream and a position such as a day.

/// A SplitMix64 generator. It costs a few arithmetic operations to create, so sign-in
/// histories can be regenerated for any single day on demand instead of being stored.
pub(crate) struct DayRng {
    state: u64,
}

/// Independent streams of one user's seed, so that drawing more numbers in one of them never
/// shifts the others.
#[derive(Clone, Copy)]
pub(crate) enum Stream {
    DailyPattern = 1,
    WeeklyPattern = 2,
    MonthlyPattern = 3,
    RarePattern = 8,
    SignInTimes = 4,
    SessionDetails = 5,
    PinnedSession = 6,
    MeetingDetails = 7,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl DayRng {
    pub fn new(seed: u64, stream: Stream, position: i64) -> DayRng {
        let stream_key = (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let position_key = (position as u64).wrapping_mul(GOLDEN_GAMMA);
        let mut rng = DayRng {
            state: mix(seed ^ stream_key) ^ position_key,
        };
        // One step spreads nearby positions apart before the first real draw.
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// Returns a number in `low..high`, or `low` when the range is empty.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low);
        let offset = (u128::from(self.next_u64()) * u128::from(span)) >> 64;
        low.saturating_add_unsigned(offset as u64)
    }

    /// Returns true with the given probability.
    pub fn chance(&mut self, probability: f64) -> bool {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < probability
    }
}

/// The SplitMix64 output function.
fn mix(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_gives_same_numbers() {
        let first: Vec<u64> = {
            let mut rng = DayRng::new(7, Stream::SignInTimes, 20_000);
            (0..4).map(|_| rng.next_u64()).collect()
        };
        let mut again = DayRng::new(7, Stream::SignInTimes, 20_000);
        let mut other_day = DayRng::new(7, Stream::SignInTimes, 20_001);
        let mut other_stream = DayRng::new(7, Stream::SessionDetails, 20_000);

        assert_eq!(first, (0..4).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_ne!(first[0], other_day.next_u64());
        assert_ne!(first[0], other_stream.next_u64());
    }

    #[test]
    fn range_stays_within_bounds() {
        let mut rng = DayRng::new(1, Stream::SessionDetails, 0);
        for _ in 0..10_000 {
            let value = rng.range(-5, 5);
            assert!((-5..5).contains(&value), "{value}");
        }
        assert_eq!(rng.range(3, 3), 3);
    }
}
