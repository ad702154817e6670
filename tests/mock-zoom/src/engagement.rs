//! Engagement patterns: how often a generated user signs in.

use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use crate::mock_user::UserStatus;

/// How often a user signs in, which drives the user's generated sign-in history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engagement {
    /// Signs in on most weekdays and seldom at weekends.
    Daily,
    /// Signs in on 1 or 2 weekdays of each week.
    Weekly,
    /// Signs in on 1 to 3 days of each 30-day block.
    Monthly,
    /// Signs in on one day every 60 to 120 days.
    Rare,
    /// Never signs in.
    Never,
}

impl Engagement {
    /// Draws the pattern of a generated user. Active users follow these rates: 29% daily, 20%
    /// weekly, 21% monthly, 25.5% rare and 4.5% never. Inactive users are mostly rare or never:
    /// 10% weekly, 20% monthly, 55% rare and 15% never. Pending users never signed in.
    pub(crate) fn draw(status: UserStatus, rng: &mut StdRng) -> Engagement {
        match status {
            UserStatus::Active => match rng.random_range(0..1000) {
                0..290 => Engagement::Daily,
                290..490 => Engagement::Weekly,
                490..700 => Engagement::Monthly,
                700..955 => Engagement::Rare,
                _ => Engagement::Never,
            },
            UserStatus::Inactive => match rng.random_range(0..1000) {
                0..100 => Engagement::Weekly,
                100..300 => Engagement::Monthly,
                300..850 => Engagement::Rare,
                _ => Engagement::Never,
            },
            UserStatus::Pending => Engagement::Never,
        }
    }

    /// Share of sign-in days on which the user hosts at least one meeting.
    pub(crate) fn meeting_rate(self) -> f64 {
        match self {
            Engagement::Daily => 0.45,
            Engagement::Weekly => 0.55,
            Engagement::Monthly => 0.5,
            Engagement::Rare => 0.4,
            Engagement::Never => 0.0,
        }
    }
}
