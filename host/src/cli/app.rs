//! `roster app set`: contract terms and engagement settings of a connection.

use clap::{Args, Subcommand, ValueEnum};

use super::invalid_argument;
use crate::app::App;
use crate::engagement::Thresholds;
use crate::seats::Money;

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Record seats bought, renewal date, seat price and engagement limits. Manual values win
    /// over what the SaaS tool reports.
    Set(SetArgs),
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// Connection the settings belong to.
    name: String,
    /// Paid seats bought under the contract.
    #[arg(long)]
    seats: Option<u32>,
    /// Renewal date of the contract, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    renewal: Option<String>,
    /// Yearly price of one paid seat, such as 149.90; needs --currency.
    #[arg(long, value_name = "AMOUNT", requires = "currency")]
    price_per_seat: Option<String>,
    /// ISO 4217 currency code of the price, such as USD or EUR.
    #[arg(long, value_name = "CODE", requires = "price_per_seat")]
    currency: Option<String>,
    /// Days without any activity after which a user counts as unused (default 90).
    #[arg(long, value_name = "DAYS")]
    unused_days: Option<u32>,
    /// Most active days in the last 30 that still count as low engagement (default 4).
    #[arg(long, value_name = "DAYS")]
    low_max_days: Option<u32>,
    /// Most active days in the last 30 that still count as medium engagement (default 14).
    #[arg(long, value_name = "DAYS")]
    medium_max_days: Option<u32>,
    /// Requests per minute for one of the connector's rate classes, as CLASS=N; repeatable.
    /// Zoom's Business plans allow `heavy=2400`, where the connector assumes 120.
    #[arg(long = "rate-limit", value_name = "CLASS=N")]
    rate_limits: Vec<String>,
    /// Forget a manual value so that the SaaS tool's figure or the default applies again. Repeatable.
    #[arg(long, value_name = "SETTING")]
    clear: Vec<Setting>,
}

/// A setting `--clear` can forget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Setting {
    Seats,
    Renewal,
    /// The price per seat and its currency.
    Price,
    UnusedDays,
    LowMaxDays,
    MediumMaxDays,
    /// Every rate-limit override.
    RateLimits,
}

pub async fn run(app: &App, command: AppCommand) -> anyhow::Result<()> {
    let AppCommand::Set(args) = command;
    let connection = app.db.connection(&args.name).await?;
    let mut settings = app.db.app_settings(connection.id).await?;

    // Clearing runs first, so `--clear seats --seats 40` replaces the value.
    for setting in &args.clear {
        match setting {
            Setting::Seats => settings.seats = None,
            Setting::Renewal => settings.renewal_date = None,
            Setting::Price => {
                settings.price_per_seat = None;
                settings.currency = None;
            }
            Setting::UnusedDays => settings.unused_days = None,
            Setting::LowMaxDays => settings.low_max_days = None,
            Setting::MediumMaxDays => settings.medium_max_days = None,
            Setting::RateLimits => settings.rate_limits.clear(),
        }
    }
    if let Some(seats) = args.seats {
        settings.seats = Some(seats);
    }
    if let Some(date) = &args.renewal {
        if date.parse::<jiff::civil::Date>().is_err() {
            return Err(invalid_argument(format!("--renewal {date:?} is not a date; write it as YYYY-MM-DD")));
        }
        settings.renewal_date = Some(date.clone());
    }
    if let Some(price) = &args.price_per_seat {
        Money::parse(price).map_err(|error| invalid_argument(format!("--price-per-seat: {error}")))?;
        settings.price_per_seat = Some(price.trim().to_string());
    }
    if let Some(currency) = &args.currency {
        let code = currency.trim().to_ascii_uppercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid_argument(format!("--currency {currency:?} is not an ISO 4217 code; write three letters such as USD or EUR")));
        }
        settings.currency = Some(code);
    }
    if let Some(days) = args.unused_days {
        if days == 0 {
            return Err(invalid_argument("--unused-days must be at least 1".to_string()));
        }
        settings.unused_days = Some(days);
    }
    if let Some(days) = args.low_max_days {
        settings.low_max_days = Some(days);
    }
    if let Some(days) = args.medium_max_days {
        settings.medium_max_days = Some(days);
    }
    if !args.rate_limits.is_empty() {
        let prepared = app.prepare(connection.clone()).await?;
        for pair in &args.rate_limits {
            let parsed = pair.split_once('=').and_then(|(class, rate)| Some((class, rate.parse::<u32>().ok().filter(|rate| *rate > 0)?)));
            let Some((class, per_minute)) = parsed else {
                return Err(invalid_argument(format!("--rate-limit {pair:?} is invalid; write CLASS=N with N requests per minute, such as heavy=600")));
            };
            if !prepared.info.rate_classes.iter().any(|declared| declared.name == class) {
                let declared: Vec<&str> = prepared.info.rate_classes.iter().map(|declared| declared.name.as_str()).collect();
                return Err(invalid_argument(format!("--rate-limit: connector `{}` has no rate class `{class}`; it declares: {}", connection.connector_id, declared.join(", "))));
            }
            settings.rate_limits.insert(class.to_string(), per_minute);
        }
    }
    let thresholds = Thresholds::from_settings(&settings);
    if thresholds.low_max_days >= thresholds.medium_max_days {
        return Err(invalid_argument(format!(
            "--low-max-days ({}) must be less than --medium-max-days ({})",
            thresholds.low_max_days,
            thresholds.medium_max_days
        )));
    }

    app.db.save_app_settings(connection.id, &settings).await?;
    let show = |value: Option<String>| value.unwrap_or_else(|| "not set".to_string());
    println!("settings of {}:", args.name);
    println!(
        "  seats bought:    {}",
        settings.seats.map(|seats| seats.to_string()).unwrap_or_else(|| "not set; the SaaS tool's plan figure applies".to_string())
    );
    println!("  renewal:         {}", show(settings.renewal_date.clone()));
    println!(
        "  price per seat:  {}",
        show(settings.price_per_seat.as_ref().map(|price| format!("{price} {} a year", settings.currency.as_deref().unwrap_or(""))))
    );
    println!("  unused after:    {} days", thresholds.unused_days);
    println!("  low / medium:    up to {} / {} active days of {}", thresholds.low_max_days, thresholds.medium_max_days, thresholds.window_days);
    for (class, per_minute) in &settings.rate_limits {
        println!("  rate limit:      {class} {per_minute} requests a minute");
    }
    Ok(())
}
