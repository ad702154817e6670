//! `GET /v2/metrics/meetings`: the Dashboard's list of past or live meetings, a
//! Resource-intensive endpoint of Business plans.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use jiff::Timestamp;
use serde::Serialize;

use crate::activity::MockMeeting;
use crate::api::{ApiError, Authorized, json_response, param, parse_pairs, zoom_time};
use crate::day_rng::{DayRng, Stream};
use crate::faults::PagingFault;
use crate::mock_user::MockUser;
use crate::paging::{PageRequest, page_size};
use crate::plans::Plan;
use crate::rate_limits::{self, RateLabel};
use crate::report_cache::cached;
use crate::report_range::{DateRange, utc_date};
use crate::scopes;
use crate::state::{AppState, lock};

/// Message of Zoom's 400 for accounts without the Dashboard, which Zoom sends with code 400.
const NO_DASHBOARD: &str = "This API is only available for ZMP and Business or higher accounts \
     that have enabled the Dashboard feature.";

const TOPICS: [&str; 8] = [
    "Weekly sync",
    "Standup",
    "1:1",
    "Project review",
    "Customer call",
    "Planning",
    "Interview",
    "All hands",
];

/// Which meetings the request lists (`type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MeetingKind {
    /// Ended meetings that started in the range.
    Past,
    /// Ended meetings with one participant.
    PastOne,
    /// Meetings in progress at the mock clock.
    Live,
}

/// A meeting as the Dashboard lists it.
#[derive(Clone, Debug, Serialize)]
struct DashboardMeeting {
    uuid: String,
    id: i64,
    topic: &'static str,
    host: String,
    email: String,
    user_type: &'static str,
    start_time: String,
    end_time: String,
    duration: String,
    participants: u32,
    has_pstn: bool,
    has_voip: bool,
    has_3rd_party_audio: bool,
    has_video: bool,
    has_screen_share: bool,
    has_recording: bool,
    has_sip: bool,
    has_archiving: bool,
    has_manual_captions: bool,
    has_automated_captions: bool,
    has_poll: bool,
    has_qa: bool,
    has_survey: bool,
    audio_quality: &'static str,
    video_quality: &'static str,
    screen_share_quality: &'static str,
    dept: String,
    custom_keys: [(); 0],
    tracking_fields: [(); 0],
}

impl DashboardMeeting {
    /// Describes `meeting` of `host`, drawing the details that the mock does not model
    /// (topic, features, quality) from the host's email and the start time.
    fn new(host: &MockUser, meeting: &MockMeeting) -> DashboardMeeting {
        let seed = host
            .email
            .to_lowercase()
            .bytes()
            .fold(0x811C_9DC5_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
            });
        let mut rng = DayRng::new(seed, Stream::MeetingDetails, meeting.start.as_second());
        let uuid_bytes: Vec<u8> = rng
            .next_u64()
            .to_be_bytes()
            .into_iter()
            .chain(rng.next_u64().to_be_bytes())
            .collect();
        let quality = |rng: &mut DayRng| if rng.chance(0.9) { "good" } else { "fair" };
        let has_video = rng.chance(0.7);
        let has_screen_share = rng.chance(0.5);
        DashboardMeeting {
            uuid: base64::engine::general_purpose::STANDARD.encode(uuid_bytes),
            id: rng.range(80_000_000_000, 99_999_999_999),
            topic: TOPICS[rng.range(0, TOPICS.len() as i64) as usize],
            host: host.display_name.clone(),
            email: host.email.clone(),
            user_type: if host.user_type == 2 {
                "Licensed"
            } else {
                "Basic"
            },
            start_time: zoom_time(meeting.start),
            end_time: zoom_time(meeting.end()),
            duration: duration_text(meeting.minutes),
            participants: meeting.participants,
            has_pstn: rng.chance(0.05),
            has_voip: true,
            has_3rd_party_audio: false,
            has_video,
            has_screen_share,
            has_recording: rng.chance(0.1),
            has_sip: false,
            has_archiving: false,
            has_manual_captions: false,
            has_automated_captions: rng.chance(0.2),
            has_poll: false,
            has_qa: false,
            has_survey: false,
            audio_quality: quality(&mut rng),
            video_quality: if has_video { quality(&mut rng) } else { "" },
            screen_share_quality: if has_screen_share {
                quality(&mut rng)
            } else {
                ""
            },
            dept: host.dept.clone(),
            custom_keys: [],
            tracking_fields: [],
        }
    }
}

/// Formats a duration as the Dashboard does: "mm:ss" under an hour, else "hh:mm:ss".
fn duration_text(minutes: u32) -> String {
    if minutes < 60 {
        format!("{minutes:02}:00")
    } else {
        format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
    }
}

#[derive(Serialize)]
struct MeetingsPage<'a> {
    from: &'a str,
    to: &'a str,
    page_count: usize,
    page_size: usize,
    total_records: usize,
    next_page_token: String,
    meetings: &'a [DashboardMeeting],
}

/// `GET /v2/metrics/meetings?type=past|pastOne|live&from&to`: meetings of every current user,
/// oldest first. Past meetings started in the range and ended by the mock clock. `type`
/// defaults to `live`, as in Zoom, and lists the meetings in progress at the mock clock that
/// started in the range.
pub(crate) async fn meetings(
    State(state): State<AppState>,
    auth: Authorized,
    paging_fault: Option<Extension<PagingFault>>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::DASHBOARD_MEETINGS)?;
    rate_limits::admit(&state, RateLabel::ResourceIntensive)?;
    if state.config.plan != Plan::Business {
        return Err(ApiError::bad_request(400, NO_DASHBOARD));
    }
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let kind = match param(&params, "type") {
        None | Some("") | Some("live") => MeetingKind::Live,
        Some("past") => MeetingKind::Past,
        Some("pastOne") => MeetingKind::PastOne,
        Some(_) => return Err(ApiError::invalid_field("type")),
    };
    let range = DateRange::parse(&params, utc_date(state.now()), true)?;
    let page_size = page_size(&params)?;
    let cursor_key = format!(
        "GET /v2/metrics/meetings?type={kind:?}&from={}&to={}&page_size={page_size}",
        range.start, range.end
    );
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let now = state.now();
    let report_key = format!("dashboard {kind:?} {} {} {now}", range.start, range.end);
    let list = cached(&state, &report_key, || {
        listed_meetings(&state, kind, range, now)
    });
    let meetings: Vec<DashboardMeeting> = page
        .page(&list.rows)
        .iter()
        .map(|(host, meeting)| DashboardMeeting::new(&list.hosts[*host], meeting))
        .collect();

    let total = list.rows.len();
    let paging_fault = paging_fault.map(|Extension(fault)| fault);
    let body = MeetingsPage {
        from: param(&params, "from").unwrap_or_default(),
        to: param(&params, "to").unwrap_or_default(),
        page_count: total.div_ceil(page_size),
        page_size,
        total_records: total,
        next_page_token: page.next_page_token(&state, total, paging_fault),
        meetings: &meetings,
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// The meetings a Dashboard request lists, oldest first, each with the index of its host in
/// `hosts`. Rows are described only when a page is served, so a cached month stays small.
struct ListedMeetings {
    hosts: Vec<MockUser>,
    rows: Vec<(usize, MockMeeting)>,
}

fn listed_meetings(
    state: &AppState,
    kind: MeetingKind,
    range: DateRange,
    now: Timestamp,
) -> ListedMeetings {
    let users = state.users_snapshot();
    let histories = lock(&state.activity);
    let mut list = ListedMeetings {
        hosts: Vec::new(),
        rows: Vec::new(),
    };
    for user in users {
        let Some(history) = histories.get(&user.email) else {
            continue;
        };
        let host = list.hosts.len();
        for meeting in history.meetings_between(range.start, range.end) {
            let listed = match kind {
                MeetingKind::Past => meeting.end() <= now,
                MeetingKind::PastOne => meeting.end() <= now && meeting.participants == 1,
                MeetingKind::Live => meeting.start <= now && now < meeting.end(),
            };
            if listed {
                list.rows.push((host, meeting));
            }
        }
        if list
            .rows
            .last()
            .is_some_and(|(last_host, _)| *last_host == host)
        {
            list.hosts.push(user);
        }
    }
    list.rows.sort_by_key(|(_, meeting)| meeting.start);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_minutes_or_hours() {
        assert_eq!(duration_text(46), "46:00");
        assert_eq!(duration_text(5), "05:00");
        assert_eq!(duration_text(75), "01:15:00");
    }
}
