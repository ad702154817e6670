//! Zoom's Heavy report endpoints: `GET /v2/report/activities` (sign-in and sign-out log) and
//! `GET /v2/report/users` (active and inactive hosts).

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::activity::ActivityKind;
use crate::api::{ApiError, Authorized, json_response, param, parse_pairs, zoom_time};
use crate::faults::PagingFault;
use crate::history::LogRow;
use crate::mock_user::UserStatus;
use crate::paging::{PageRequest, page_size};
use crate::plans::{PAID_ACCOUNTS_ONLY, require_paid};
use crate::rate_limits::{self, RateLabel};
use crate::report_cache::cached;
use crate::report_range::{DateRange, start_of, utc_date};
use crate::scopes;
use crate::state::{AppState, lock};

/// An entry of `activity_logs`.
#[derive(Serialize)]
struct ActivityLog<'a> {
    email: &'a str,
    time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    ip_address: &'a str,
    client_type: &'a str,
    version: &'a str,
}

impl<'a> From<&'a LogRow> for ActivityLog<'a> {
    fn from(row: &'a LogRow) -> Self {
        ActivityLog {
            email: &row.email,
            time: zoom_time(row.time),
            kind: row.kind.as_str(),
            ip_address: &row.ip_address,
            client_type: row.client_type,
            version: &row.version,
        }
    }
}

/// Body of `GET /v2/report/activities`.
#[derive(Serialize)]
struct ActivitiesPage<'a> {
    /// `from` and `to` as date-times at midnight UTC, as Zoom echoes them.
    from: String,
    to: String,
    page_size: usize,
    next_page_token: String,
    activity_logs: Vec<ActivityLog<'a>>,
}

/// `GET /v2/report/activities`: sign-ins and sign-outs between `from` and `to` (UTC dates,
/// inclusive), newest first. Entries at the same second are ordered by email, sign-outs first.
pub(crate) async fn activities(
    State(state): State<AppState>,
    auth: Authorized,
    paging_fault: Option<Extension<PagingFault>>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::REPORT_ACTIVITIES)?;
    rate_limits::admit(&state, RateLabel::Heavy)?;
    require_paid(&state, PAID_ACCOUNTS_ONLY)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let range = DateRange::parse(&params, utc_date(state.now()), false)?;
    let page_size = page_size(&params)?;
    let cursor_key = format!(
        "GET /v2/report/activities?from={}&to={}&page_size={page_size}",
        range.from, range.to
    );
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let report_key = format!("activities {} {}", range.from, range.to);
    let entries = cached(&state, &report_key, || {
        let mut entries = lock(&state.activity).log_rows_between(range.start, range.end);
        entries.sort_by(|a, b| {
            let a_key = (a.time, &a.email, a.kind == ActivityKind::SignOut);
            let b_key = (b.time, &b.email, b.kind == ActivityKind::SignOut);
            b_key.cmp(&a_key)
        });
        entries
    });

    let paging_fault = paging_fault.map(|Extension(fault)| fault);
    let body = ActivitiesPage {
        from: zoom_time(start_of(range.from)),
        to: zoom_time(start_of(range.to)),
        page_size,
        next_page_token: page.next_page_token(&state, entries.len(), paging_fault),
        activity_logs: page.page(&entries).iter().map(ActivityLog::from).collect(),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// Which users `GET /v2/report/users` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostActivity {
    /// Users who hosted at least one meeting in the range.
    Active,
    /// Active users who hosted none.
    Inactive,
}

/// A row of `GET /v2/report/users`.
#[derive(Clone, Debug, Serialize)]
struct HostReport {
    id: String,
    email: String,
    user_name: String,
    #[serde(rename = "type")]
    user_type: i64,
    dept: String,
    meetings: u64,
    participants: u64,
    meeting_minutes: u64,
    custom_attributes: [(); 0],
}

/// Body of `GET /v2/report/users`.
#[derive(Serialize)]
struct HostsPage<'a> {
    from: String,
    to: String,
    page_count: usize,
    page_number: usize,
    page_size: usize,
    total_records: usize,
    next_page_token: String,
    total_meetings: u64,
    total_meeting_minutes: u64,
    total_participants: u64,
    users: &'a [HostReport],
}

/// `GET /v2/report/users?type=active|inactive`: hosts with their meetings, participants and
/// minutes between `from` and `to`. A meeting counts when it started in the range and ended
/// by the mock clock. `type=active` (the default) lists current users who hosted at least one
/// meeting. `type=inactive` lists active users who hosted none, with zeros.
pub(crate) async fn users(
    State(state): State<AppState>,
    auth: Authorized,
    paging_fault: Option<Extension<PagingFault>>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::REPORT_USERS)?;
    rate_limits::admit(&state, RateLabel::Heavy)?;
    require_paid(&state, PAID_ACCOUNTS_ONLY)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let activity = match param(&params, "type") {
        None | Some("") | Some("active") => HostActivity::Active,
        Some("inactive") => HostActivity::Inactive,
        Some(_) => return Err(ApiError::invalid_field("type")),
    };
    let range = DateRange::parse(&params, utc_date(state.now()), false)?;
    let page_size = page_size(&params)?;
    let cursor_key = format!(
        "GET /v2/report/users?type={activity:?}&from={}&to={}&page_size={page_size}",
        range.from, range.to
    );
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let now = state.now();
    let report_key = format!(
        "report users {activity:?} {} {} {now}",
        range.from, range.to
    );
    let rows = cached(&state, &report_key, || {
        host_rows(&state, activity, range, now)
    });

    let total_meetings = rows.iter().map(|row| row.meetings).sum();
    let total_meeting_minutes = rows.iter().map(|row| row.meeting_minutes).sum();
    let total_participants = rows.iter().map(|row| row.participants).sum();
    let paging_fault = paging_fault.map(|Extension(fault)| fault);
    let body = HostsPage {
        from: range.from.to_string(),
        to: range.to.to_string(),
        page_count: rows.len().div_ceil(page_size),
        page_number: 1,
        page_size,
        total_records: rows.len(),
        next_page_token: page.next_page_token(&state, rows.len(), paging_fault),
        total_meetings,
        total_meeting_minutes,
        total_participants,
        users: page.page(&rows),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// Computes the rows of `GET /v2/report/users` in listing order. Pending users never appear,
/// because they cannot host.
fn host_rows(
    state: &AppState,
    activity: HostActivity,
    range: DateRange,
    now: jiff::Timestamp,
) -> Vec<HostReport> {
    let users = state.users_snapshot();
    let histories = lock(&state.activity);
    let mut rows = Vec::new();
    for user in users
        .iter()
        .filter(|user| user.status != UserStatus::Pending)
    {
        let meetings: Vec<_> = histories
            .get(&user.email)
            .map(|history| history.meetings_between(range.start, range.end))
            .unwrap_or_default()
            .into_iter()
            .filter(|meeting| meeting.end() <= now)
            .collect();
        let include = match activity {
            HostActivity::Active => !meetings.is_empty(),
            HostActivity::Inactive => meetings.is_empty() && user.status == UserStatus::Active,
        };
        if !include {
            continue;
        }
        rows.push(HostReport {
            id: user.id.clone().unwrap_or_default(),
            email: user.email.clone(),
            user_name: user.display_name.clone(),
            user_type: user.user_type,
            dept: user.dept.clone(),
            meetings: meetings.len() as u64,
            participants: meetings
                .iter()
                .map(|meeting| u64::from(meeting.participants))
                .sum(),
            meeting_minutes: meetings
                .iter()
                .map(|meeting| u64::from(meeting.minutes))
                .sum(),
            custom_attributes: [],
        });
    }
    rows
}
