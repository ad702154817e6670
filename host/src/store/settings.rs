//! Contract terms and engagement settings per connection, and the latest account report.

use sqlx::Row;

use super::{unix_now, Database, Result};

/// The settings `roster app set` stores. `None` means "not set", so defaults or upstream values
/// apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AppSettings {
    pub seats: Option<u32>,
    pub renewal_date: Option<String>,
    /// Decimal text, the yearly price of one paid seat.
    pub price_per_seat: Option<String>,
    pub currency: Option<String>,
    pub unused_days: Option<u32>,
    pub low_max_days: Option<u32>,
    pub medium_max_days: Option<u32>,
    /// Requests per minute by rate-class name, replacing the connector's defaults.
    pub rate_limits: std::collections::BTreeMap<String, u32>,
}

impl Database {
    pub async fn app_settings(&self, connection_id: i64) -> Result<AppSettings> {
        let row = sqlx::query("SELECT * FROM app_settings WHERE connection_id = ?")
            .bind(connection_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(AppSettings::default()) };
        let number = |name: &str| -> Result<Option<u32>> { Ok(row.try_get::<Option<i64>, _>(name)?.map(|value| value as u32)) };
        Ok(AppSettings {
            seats: number("seats")?,
            renewal_date: row.try_get("renewal_date")?,
            price_per_seat: row.try_get("price_per_seat")?,
            currency: row.try_get("currency")?,
            unused_days: number("unused_days")?,
            low_max_days: number("low_max_days")?,
            medium_max_days: number("medium_max_days")?,
            rate_limits: {
                let json: String = row.try_get("rate_limits_json")?;
                serde_json::from_str(&json).map_err(|error| super::StoreError::Corrupt(format!("app_settings.rate_limits_json: {error}")))?
            },
        })
    }

    pub async fn save_app_settings(&self, connection_id: i64, settings: &AppSettings) -> Result<()> {
        sqlx::query(
            "INSERT INTO app_settings
                 (connection_id, seats, renewal_date, price_per_seat, currency, unused_days,
                  low_max_days, medium_max_days, rate_limits_json, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (connection_id) DO UPDATE SET
                 seats = excluded.seats, renewal_date = excluded.renewal_date,
                 price_per_seat = excluded.price_per_seat, currency = excluded.currency,
                 unused_days = excluded.unused_days, low_max_days = excluded.low_max_days,
                 medium_max_days = excluded.medium_max_days, rate_limits_json = excluded.rate_limits_json,
                 updated_at = excluded.updated_at",
        )
        .bind(connection_id)
        .bind(settings.seats.map(i64::from))
        .bind(&settings.renewal_date)
        .bind(&settings.price_per_seat)
        .bind(&settings.currency)
        .bind(settings.unused_days.map(i64::from))
        .bind(settings.low_max_days.map(i64::from))
        .bind(settings.medium_max_days.map(i64::from))
        .bind(serde_json::to_string(&settings.rate_limits).expect("a map of numbers always serialises"))
        .bind(unix_now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Returns the latest account report as stored JSON, with when it was fetched.
    pub async fn account_report(&self, connection_id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT fetched_at, report_json FROM account_reports WHERE connection_id = ?")
            .bind(connection_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| Ok((row.try_get("fetched_at")?, row.try_get("report_json")?))).transpose()
    }

    pub async fn save_account_report(&self, connection_id: i64, report_json: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO account_reports (connection_id, fetched_at, report_json) VALUES (?, ?, ?)
             ON CONFLICT (connection_id) DO UPDATE SET fetched_at = excluded.fetched_at, report_json = excluded.report_json",
        )
        .bind(connection_id)
        .bind(unix_now())
        .bind(report_json)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
