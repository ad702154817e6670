//! Seats and renewal: seats bought against seats assigned, paid seats held by idle users and
//! what they cost a year, and when the contract renews. Manual values from `roster app set`
//! win over what the upstream reports, and each figure names its source.

use std::fmt;

use serde::Serialize;

use crate::engagement::{engagement, Bucket, Thresholds};
use crate::runtime::wit::AccountReport;
use crate::store::{unix_now, AppSettings, Database, License, UnavailableNote, UserFilter, UserStatus};

/// Renewals within this many days are flagged as due.
pub const RENEWAL_NOTICE_DAYS: i64 = 90;

/// An amount in ten-thousandths of the currency's unit, so sums of prices stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(i128);

impl Money {
    const SCALE: i128 = 10_000;

    /// Parses a non-negative decimal amount such as `149.90`, with at most four decimals.
    pub fn parse(text: &str) -> Result<Money, String> {
        let invalid = || format!("invalid amount {text:?}; write a number such as 149.90");
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 4 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let whole: i128 = whole.parse().map_err(|_| invalid())?;
        let fraction: i128 = if fraction.is_empty() { 0 } else { format!("{fraction:0<4}").parse().map_err(|_| invalid())? };
        Ok(Money(whole * Money::SCALE + fraction))
    }

    pub fn times(self, count: u64) -> Money {
        Money(self.0 * i128::from(count))
    }
}

/// Shows two decimals, rounding half away from zero.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 + 50) / 100;
        write!(f, "{}.{:02}", cents / 100, cents % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// Source of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Set with `roster app set`.
    Manual,
    /// Read from the upstream's plan usage.
    Upstream,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenewalState {
    Unknown,
    Ok,
    /// Renews within [`RENEWAL_NOTICE_DAYS`].
    DueSoon,
    Overdue,
}

#[derive(Debug, Clone, Serialize)]
pub struct Renewal {
    pub date: Option<String>,
    pub days_left: Option<i64>,
    pub state: RenewalState,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdleSeats {
    /// Licensed users in the unused bucket.
    pub unused: u64,
    /// Licensed users in the never bucket.
    pub never: u64,
    pub total: u64,
    /// Yearly cost of the idle seats, when a price is set.
    pub yearly_cost: Option<Money>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rooms {
    /// Conference-room devices, counted apart from people.
    pub count: Option<u32>,
    pub purchased: Option<u32>,
    pub assigned: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeatsReport {
    pub seats_bought: Option<u32>,
    pub seats_bought_source: Source,
    /// Active and inactive users holding a paid seat, from the last users sync.
    pub seats_assigned: u64,
    /// Pending invitations with a paid seat, which the upstream counts apart.
    pub seats_pending: u64,
    /// Assigned seats as the upstream's plan usage reports them.
    pub upstream_assigned: Option<u32>,
    /// Assigned as a share of bought, in percent.
    pub utilisation_percent: Option<f64>,
    pub idle_licensed: IdleSeats,
    pub price_per_seat: Option<String>,
    pub renewal: Renewal,
    pub rooms: Rooms,
    /// Meetings of the last 30 days from the upstream's dashboard, when the plan has one.
    pub dashboard: Option<crate::runtime::wit::MeetingStats>,
    /// When the upstream's account report was fetched, RFC 3339.
    pub account_report_at: Option<String>,
    pub unavailable: Vec<UnavailableNote>,
}

fn renewal(settings: &AppSettings, today: jiff::civil::Date) -> Renewal {
    let Some(text) = &settings.renewal_date else {
        return Renewal { date: None, days_left: None, state: RenewalState::Unknown };
    };
    let Ok(date) = text.parse::<jiff::civil::Date>() else {
        return Renewal { date: Some(text.clone()), days_left: None, state: RenewalState::Unknown };
    };
    let days_left = (date - today).get_days() as i64;
    let state = if days_left < 0 {
        RenewalState::Overdue
    } else if days_left <= RENEWAL_NOTICE_DAYS {
        RenewalState::DueSoon
    } else {
        RenewalState::Ok
    };
    Renewal { date: Some(text.clone()), days_left: Some(days_left), state }
}

/// Builds the seats report of a connection from stored data. Idle seats include pending
/// invitations with a paid seat, which count as never active.
pub async fn seats_report(db: &Database, connection_id: i64) -> anyhow::Result<SeatsReport> {
    let settings = db.app_settings(connection_id).await?;
    let thresholds = Thresholds::from_settings(&settings);
    let now = unix_now();
    let today = crate::clock::today();

    let stored_report = db.account_report(connection_id).await?;
    let report: Option<AccountReport> = match &stored_report {
        Some((_, json)) => Some(serde_json::from_str(json)?),
        None => None,
    };
    let users_plan = report.as_ref().and_then(|report| report.plans.iter().find(|plan| plan.category == "users"));
    let rooms_plan = report.as_ref().and_then(|report| report.plans.iter().find(|plan| plan.category == "rooms"));

    let (seats_bought, seats_bought_source) = match (settings.seats, users_plan.and_then(|plan| plan.purchased)) {
        (Some(seats), _) => (Some(seats), Source::Manual),
        (None, Some(seats)) => (Some(seats), Source::Upstream),
        (None, None) => (None, Source::Unknown),
    };

    let licensed = db.users(connection_id, &UserFilter { license: Some(License::Licensed), ..UserFilter::default() }).await?;
    let seats_pending = licensed.iter().filter(|user| user.record.status == UserStatus::Pending).count() as u64;
    let seats_assigned = licensed.len() as u64 - seats_pending;
    let utilisation_percent = seats_bought.filter(|bought| *bought > 0).map(|bought| {
        let percent = seats_assigned as f64 * 100.0 / f64::from(bought);
        (percent * 10.0).round() / 10.0
    });

    let all = engagement(db, connection_id, &thresholds, now).await?;
    let mut unused = 0;
    let mut never = 0;
    for user in &licensed {
        match all.get(&user.record.key).map(|engagement| engagement.bucket) {
            Some(Bucket::Unused) => unused += 1,
            Some(Bucket::Never) => never += 1,
            _ => {}
        }
    }
    let price = settings.price_per_seat.as_deref().and_then(|price| Money::parse(price).ok());
    let idle_licensed = IdleSeats {
        unused,
        never,
        total: unused + never,
        yearly_cost: price.map(|price| price.times(unused + never)),
        currency: settings.currency.clone(),
    };

    let mut unavailable = db.activity_state(connection_id).await?.unavailable;
    if let Some(report) = &report {
        unavailable.extend(report.unavailable.iter().map(|feature| UnavailableNote {
            feature: feature.feature.clone(),
            reason: feature.reason.clone(),
            upstream_code: feature.upstream_code.clone(),
        }));
    }

    Ok(SeatsReport {
        seats_bought,
        seats_bought_source,
        seats_assigned,
        seats_pending,
        upstream_assigned: users_plan.and_then(|plan| plan.assigned),
        utilisation_percent,
        idle_licensed,
        // The price as entered, which may have more decimals than the rounded totals.
        price_per_seat: price.and(settings.price_per_seat.clone()),
        renewal: renewal(&settings, today),
        rooms: Rooms {
            count: report.as_ref().and_then(|report| report.rooms),
            purchased: rooms_plan.and_then(|plan| plan.purchased),
            assigned: rooms_plan.and_then(|plan| plan.assigned),
        },
        dashboard: report.as_ref().and_then(|report| report.dashboard),
        account_report_at: stored_report.and_then(|(at, _)| jiff::Timestamp::from_second(at).ok()).map(|at| at.to_string()),
        unavailable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_and_multiplies_exactly() {
        assert_eq!(Money::parse("149.90").unwrap().times(3).to_string(), "449.70");
        assert_eq!(Money::parse("0.3333").unwrap().times(3).to_string(), "1.00");
        assert_eq!(Money::parse("200").unwrap().to_string(), "200.00");
        assert_eq!(Money::parse("0.005").unwrap().to_string(), "0.01");
    }

    #[test]
    fn money_rejects_bad_input() {
        for bad in ["", "-1", "1.23456", "1,50", "abc", ".5"] {
            assert_eq!(Money::parse(bad), Err(format!("invalid amount {bad:?}; write a number such as 149.90")), "{bad}");
        }
    }

    #[test]
    fn renewal_states() {
        let today: jiff::civil::Date = "2026-12-04".parse().unwrap();
        let at = |date: &str| renewal(&AppSettings { renewal_date: Some(date.into()), ..AppSettings::default() }, today);
        assert_eq!(at("2026-12-03").state, RenewalState::Overdue);
        assert_eq!(at("2026-12-03").days_left, Some(-1));
        assert_eq!(at("2027-03-04").state, RenewalState::DueSoon);
        assert_eq!(at("2027-03-04").days_left, Some(90));
        assert_eq!(at("2027-03-05").state, RenewalState::Ok);
        assert_eq!(renewal(&AppSettings::default(), today).state, RenewalState::Unknown);
    }
}
