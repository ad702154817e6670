//! `list-activity`, `list-usage` and `account-summary`: Zoom's report, plan, rooms and
//! dashboard endpoints. An endpoint the plan or grant does not allow is reported as
//! unavailable, and the rest goes on.

use serde::{Deserialize, Serialize};

use crate::api::{self, encode_query_value};
use crate::bindings::roster::connector::types::{
    AccountReport, ActivityPage, ConnectorError, Date, DateRange, MeetingStats, PlanSeats, SessionEvent,
    SessionEventKind, UnavailableFeature, UsageTotal, UsagePage, UserCounts,
};
use crate::describe::{HEAVY, RESOURCE_INTENSIVE};
use crate::time::{format_date, parse_rfc3339};

/// Zoom's largest page for report endpoints.
const REPORT_PAGE_SIZE: u64 = 300;
/// Dashboard pages read per summary; each costs one of the 10 resource-intensive requests a
/// minute Zoom allows.
const MAX_DASHBOARD_PAGES: u64 = 5;

/// Paging state of one report listing; the host stores it as an opaque string.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct ReportCursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub pages: u64,
}

impl ReportCursor {
    fn decode(cursor: Option<&str>) -> Result<ReportCursor, ConnectorError> {
        match cursor {
            None => Ok(ReportCursor::default()),
            Some(text) => serde_json::from_str(text)
                .map_err(|error| ConnectorError::InvalidCursor(format!("cannot parse report cursor {text:?}: {error}"))),
        }
    }

    fn query_suffix(&self) -> String {
        match &self.token {
            Some(token) => format!("&next_page_token={}", encode_query_value(token)),
            None => String::new(),
        }
    }

    /// Returns the cursor after a page, refusing a token that repeats.
    fn advance(&self, next_token: Option<String>, endpoint: &str) -> Result<Option<String>, ConnectorError> {
        let Some(token) = next_token.filter(|token| !token.is_empty()) else {
            return Ok(None);
        };
        if self.token.as_deref() == Some(token.as_str()) {
            return Err(ConnectorError::InvalidResponse(format!(
                "Zoom returned the same next_page_token twice for {endpoint}; stopping instead of looping"
            )));
        }
        let next = ReportCursor { token: Some(token), pages: self.pages + 1 };
        Ok(Some(serde_json::to_string(&next).expect("a cursor of plain fields always serialises")))
    }
}

/// Turns a permission or plan refusal into an unavailable feature, and passes other errors on.
fn unavailable(feature: &str, error: ConnectorError) -> Result<UnavailableFeature, ConnectorError> {
    match error {
        ConnectorError::MissingPermissions(permission) => Ok(UnavailableFeature {
            feature: feature.to_string(),
            reason: format!(
                "the grant lacks {} ({})",
                permission.missing_scopes.join(", "),
                permission.admin_permissions.join(", ")
            ),
            upstream_code: permission.upstream.code,
        }),
        ConnectorError::Unavailable(upstream) => Ok(UnavailableFeature {
            feature: feature.to_string(),
            reason: upstream.message,
            upstream_code: upstream.code,
        }),
        other => Err(other),
    }
}

fn range_query(range: &DateRange) -> String {
    format!("from={}&to={}", format_date(&range.start), format_date(&range.end))
}

#[derive(Deserialize)]
struct ActivitiesBody {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    activity_logs: Vec<ActivityLog>,
}

#[derive(Deserialize)]
struct ActivityLog {
    email: Option<String>,
    time: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    client_type: Option<String>,
    version: Option<String>,
}

/// Parses `GET /v2/report/activities`. Entries without an email or time, or of other types
/// than sign-in and sign-out, are skipped and counted.
pub fn parse_activities(body: &[u8]) -> Result<(Vec<SessionEvent>, Option<String>, usize), ConnectorError> {
    let parsed: ActivitiesBody = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/report/activities body: {error}")))?;
    let mut skipped = 0;
    let mut sessions = Vec::with_capacity(parsed.activity_logs.len());
    for log in parsed.activity_logs {
        let kind = match log.kind.as_deref() {
            Some("Sign in") => SessionEventKind::SignIn,
            Some("Sign out") => SessionEventKind::SignOut,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let (Some(email), Some(at)) = (log.email.filter(|email| !email.is_empty()), log.time.as_deref().and_then(parse_rfc3339)) else {
            skipped += 1;
            continue;
        };
        sessions.push(SessionEvent { email, at, kind, client_type: log.client_type, client_version: log.version });
    }
    Ok((sessions, parsed.next_page_token, skipped))
}

/// The `list-activity` export.
pub fn list_activity(range: DateRange, cursor: Option<&str>) -> Result<ActivityPage, ConnectorError> {
    let cursor = ReportCursor::decode(cursor)?;
    let query = format!("/v2/report/activities?{}&page_size={REPORT_PAGE_SIZE}{}", range_query(&range), cursor.query_suffix());
    let body = match api::get(&query, Some(HEAVY)) {
        Ok(body) => body,
        Err(error) => {
            let feature = unavailable("sign-in-activity", error)?;
            return Ok(ActivityPage { sessions: Vec::new(), unavailable: vec![feature], next_cursor: None });
        }
    };
    let (sessions, next_token, skipped) = parse_activities(&body)?;
    if skipped > 0 {
        crate::bindings::roster::connector::log::log(
            crate::bindings::roster::connector::log::Level::Debug,
            "skipped activity entries that are not sign-ins or sign-outs",
            &[("count".to_string(), skipped.to_string())],
        );
    }
    let next_cursor = cursor.advance(next_token, "/v2/report/activities")?;
    Ok(ActivityPage { sessions, unavailable: Vec::new(), next_cursor })
}

#[derive(Deserialize)]
struct ReportUsersBody {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    users: Vec<ReportUser>,
}

#[derive(Deserialize)]
struct ReportUser {
    id: Option<String>,
    email: Option<String>,
    #[serde(default)]
    meetings: u32,
    #[serde(default)]
    participants: u32,
    #[serde(default)]
    meeting_minutes: u32,
}

pub fn parse_report_users(body: &[u8]) -> Result<(Vec<UsageTotal>, Option<String>), ConnectorError> {
    let parsed: ReportUsersBody = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/report/users body: {error}")))?;
    let usage = parsed
        .users
        .into_iter()
        .filter_map(|user| {
            Some(UsageTotal {
                email: user.email.filter(|email| !email.is_empty())?,
                remote_id: user.id,
                meetings: user.meetings,
                meeting_minutes: user.meeting_minutes,
                participants: user.participants,
            })
        })
        .collect();
    Ok((usage, parsed.next_page_token))
}

/// The `list-usage` export: meetings hosted per user from the active-hosts report.
pub fn list_usage(range: DateRange, cursor: Option<&str>) -> Result<UsagePage, ConnectorError> {
    let cursor = ReportCursor::decode(cursor)?;
    let query = format!("/v2/report/users?type=active&{}&page_size={REPORT_PAGE_SIZE}{}", range_query(&range), cursor.query_suffix());
    let body = match api::get(&query, Some(HEAVY)) {
        Ok(body) => body,
        Err(error) => {
            let feature = unavailable("meeting-usage", error)?;
            return Ok(UsagePage { usage: Vec::new(), unavailable: vec![feature], next_cursor: None });
        }
    };
    let (usage, next_token) = parse_report_users(&body)?;
    let next_cursor = cursor.advance(next_token, "/v2/report/users")?;
    Ok(UsagePage { usage, unavailable: Vec::new(), next_cursor })
}

#[derive(Deserialize, Default)]
struct SummaryBody {
    #[serde(default)]
    licensed_users_count: u32,
    #[serde(default)]
    basic_users_count: u32,
    #[serde(default)]
    on_prem_users_count: u32,
    #[serde(default)]
    room_users_count: u32,
    #[serde(default)]
    pending_users_count: u32,
    #[serde(default)]
    join_only_users_count: u32,
    #[serde(default)]
    total_users_count: u32,
}

pub fn parse_users_summary(body: &[u8]) -> Result<UserCounts, ConnectorError> {
    let parsed: SummaryBody = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/users/summary body: {error}")))?;
    Ok(UserCounts {
        licensed: parsed.licensed_users_count,
        basic: parsed.basic_users_count,
        pending: parsed.pending_users_count,
        rooms: parsed.room_users_count,
        other: parsed.on_prem_users_count + parsed.join_only_users_count,
        total: parsed.total_users_count,
    })
}

#[derive(Deserialize)]
struct PlanEntry {
    #[serde(rename = "type", default)]
    plan: String,
    hosts: Option<u32>,
    usage: Option<u32>,
    pending: Option<u32>,
}

impl PlanEntry {
    fn seats(self, category: &str) -> PlanSeats {
        PlanSeats { plan: self.plan, category: category.to_string(), purchased: self.hosts, assigned: self.usage, pending: self.pending }
    }
}

#[derive(Deserialize, Default)]
struct PlanUsageBody {
    plan_base: Option<PlanEntry>,
    #[serde(default)]
    plan_large_meeting: Vec<PlanEntry>,
    #[serde(default)]
    plan_webinar: Vec<PlanEntry>,
    #[serde(default)]
    plan_zoom_one: Vec<PlanEntry>,
    plan_zoom_rooms: Option<PlanEntry>,
}

/// Parses `GET /v2/accounts/me/plans/usage` into seats per plan; `plan_base` is the users plan.
pub fn parse_plan_usage(body: &[u8]) -> Result<Vec<PlanSeats>, ConnectorError> {
    let parsed: PlanUsageBody = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's plans/usage body: {error}")))?;
    let mut plans = Vec::new();
    if let Some(base) = parsed.plan_base {
        plans.push(base.seats("users"));
    }
    plans.extend(parsed.plan_zoom_one.into_iter().map(|plan| plan.seats("zoom-one")));
    plans.extend(parsed.plan_webinar.into_iter().map(|plan| plan.seats("webinar")));
    plans.extend(parsed.plan_large_meeting.into_iter().map(|plan| plan.seats("large-meeting")));
    if let Some(rooms) = parsed.plan_zoom_rooms {
        plans.push(rooms.seats("rooms"));
    }
    Ok(plans)
}

#[derive(Deserialize)]
struct RoomsBody {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    rooms: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct DashboardBody {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    total_records: u32,
    #[serde(default)]
    meetings: Vec<DashboardMeeting>,
}

#[derive(Deserialize)]
struct DashboardMeeting {
    #[serde(default)]
    participants: u32,
    duration: Option<String>,
}

/// Parses a dashboard duration, "mm:ss" or "hh:mm:ss", to whole minutes.
pub fn duration_minutes(text: &str) -> Option<u32> {
    let parts: Vec<u32> = text.split(':').map(|part| part.trim().parse().ok()).collect::<Option<_>>()?;
    let seconds = match parts.as_slice() {
        [minutes, seconds] => minutes * 60 + seconds,
        [hours, minutes, seconds] => hours * 3600 + minutes * 60 + seconds,
        _ => return None,
    };
    Some(seconds / 60)
}

fn days_before(date: &Date, days: i64) -> Date {
    crate::time::date_from_days(crate::time::days_of(date) - days)
}

fn collect<T>(unavailable: &mut Vec<UnavailableFeature>, feature: &str, result: Result<T, ConnectorError>) -> Result<Option<T>, ConnectorError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            unavailable.push(crate::reports::unavailable(feature, error)?);
            Ok(None)
        }
    }
}

/// The `account-summary` export.
pub fn account_summary() -> Result<AccountReport, ConnectorError> {
    let mut unavailable_features = Vec::new();

    let users = collect(&mut unavailable_features, "users-summary", api::get("/v2/users/summary", None).and_then(|body| parse_users_summary(&body)))?;
    let plans = collect(
        &mut unavailable_features,
        "plan-usage",
        api::get("/v2/accounts/me/plans/usage", Some(HEAVY)).and_then(|body| parse_plan_usage(&body)),
    )?
    .unwrap_or_default();

    let rooms = collect(&mut unavailable_features, "rooms", count_rooms())?;

    let today = crate::time::today();
    let range = DateRange { start: days_before(&today, 29), end: today };
    let dashboard = collect(&mut unavailable_features, "dashboard-meetings", dashboard_meetings(&range))?;

    Ok(AccountReport { users, plans, rooms, dashboard, unavailable: unavailable_features })
}

fn count_rooms() -> Result<u32, ConnectorError> {
    let mut cursor = ReportCursor::default();
    let mut count = 0u32;
    loop {
        let body = api::get(&format!("/v2/rooms?page_size={REPORT_PAGE_SIZE}{}", cursor.query_suffix()), None)?;
        let parsed: RoomsBody = serde_json::from_slice(&body)
            .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/rooms body: {error}")))?;
        count += parsed.rooms.len() as u32;
        match cursor.advance(parsed.next_page_token, "/v2/rooms")? {
            Some(next) => cursor = serde_json::from_str(&next).expect("a cursor this code wrote parses"),
            None => return Ok(count),
        }
    }
}

fn dashboard_meetings(range: &DateRange) -> Result<MeetingStats, ConnectorError> {
    let mut cursor = ReportCursor::default();
    let mut stats = MeetingStats { meetings: 0, participants: 0, minutes: 0 };
    loop {
        let query = format!("/v2/metrics/meetings?type=past&{}&page_size={REPORT_PAGE_SIZE}{}", range_query(range), cursor.query_suffix());
        let body = api::get(&query, Some(RESOURCE_INTENSIVE))?;
        let parsed: DashboardBody = serde_json::from_slice(&body)
            .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/metrics/meetings body: {error}")))?;
        stats.meetings = parsed.total_records;
        for meeting in &parsed.meetings {
            stats.participants += meeting.participants;
            stats.minutes += meeting.duration.as_deref().and_then(duration_minutes).unwrap_or(0);
        }
        // NOTE: participants and minutes cover at most the first pages; the meeting count is
        // Zoom's total either way.
        match cursor.advance(parsed.next_page_token, "/v2/metrics/meetings")? {
            Some(next) if cursor.pages + 1 < MAX_DASHBOARD_PAGES => cursor = serde_json::from_str(&next).expect("a cursor this code wrote parses"),
            _ => return Ok(stats),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_fixture_shape() {
        let body = br#"{"from":"2026-02-01T00:00:00Z","to":"2026-02-28T00:00:00Z","page_size":30,"next_page_token":"t2","activity_logs":[
            {"email":"admin.two@example.test","time":"2026-02-15T19:13:41Z","type":"Sign in","ip_address":"192.0.2.10","client_type":"Browser","version":"5.9.1.2581"},
            {"email":"admin.two@example.test","time":"2026-02-15T21:02:07Z","type":"Sign out","client_type":"Browser"},
            {"email":"x@example.test","time":"bad","type":"Sign in"},
            {"email":"y@example.test","time":"2026-02-15T21:02:07Z","type":"Other"}]}"#;
        let (sessions, token, skipped) = parse_activities(body).unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].kind, SessionEventKind::SignIn);
        assert_eq!(sessions[0].at, 1_771_182_821);
        assert_eq!(sessions[0].client_type.as_deref(), Some("Browser"));
        assert_eq!(sessions[1].kind, SessionEventKind::SignOut);
        assert_eq!(token.as_deref(), Some("t2"));
        assert_eq!(skipped, 2);
    }

    #[test]
    fn report_users_totals() {
        let body = br#"{"next_page_token":"","users":[{"id":"u1","email":"owner.one@example.test","meetings":3,"participants":9,"meeting_minutes":150},{"email":""}]}"#;
        let (usage, token) = parse_report_users(body).unwrap();
        assert_eq!(usage.len(), 1);
        assert_eq!((usage[0].meetings, usage[0].meeting_minutes, usage[0].participants), (3, 150, 9));
        assert_eq!(token.as_deref(), Some(""));
    }

    #[test]
    fn plan_usage_fixture_shape() {
        let body = br#"{"plan_base":{"type":"monthly","hosts":10,"usage":4,"pending":1,"active_hosts":3},
            "plan_large_meeting":[{"type":"large500_monthly","hosts":1,"usage":0,"pending":0}],
            "plan_webinar":[{"type":"webinar500_monthly","hosts":1,"usage":1,"pending":0}],
            "plan_zoom_rooms":{"type":"zroom_monthly","hosts":2,"usage":1}}"#;
        let plans = parse_plan_usage(body).unwrap();
        assert_eq!(plans.len(), 4);
        assert_eq!((plans[0].category.as_str(), plans[0].purchased, plans[0].assigned, plans[0].pending), ("users", Some(10), Some(4), Some(1)));
        assert_eq!(plans[3].category, "rooms");
        assert_eq!(plans[3].pending, None);
    }

    #[test]
    fn users_summary_counts() {
        let body = br#"{"licensed_users_count":4,"basic_users_count":2,"on_prem_users_count":0,"room_users_count":1,"pending_users_count":1,"join_only_users_count":0,"total_users_count":7}"#;
        let counts = parse_users_summary(body).unwrap();
        assert_eq!((counts.licensed, counts.basic, counts.rooms, counts.pending, counts.total), (4, 2, 1, 1, 7));
    }

    #[test]
    fn dashboard_durations() {
        assert_eq!(duration_minutes("46:20"), Some(46));
        assert_eq!(duration_minutes("1:02:03"), Some(62));
        assert_eq!(duration_minutes("x"), None);
    }

    #[test]
    fn report_cursor_refuses_repeats() {
        let cursor = ReportCursor { token: Some("a".into()), pages: 1 };
        assert!(cursor.advance(Some("a".into()), "/v2/report/activities").is_err());
        assert_eq!(cursor.advance(Some(String::new()), "x").unwrap(), None);
        let next: ReportCursor = serde_json::from_str(&cursor.advance(Some("b".into()), "x").unwrap().unwrap()).unwrap();
        assert_eq!(next, ReportCursor { token: Some("b".into()), pages: 2 });
    }
}
