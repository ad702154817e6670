//! The account's plan and licensed seats, and `GET /v2/accounts/me/plans/usage`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::api::{ApiError, Authorized, json_response};
use crate::mock_user::{MockUser, UserStatus};
use crate::rate_limits::{self, RateLabel};
use crate::report_cache::cached;
use crate::scopes;
use crate::state::{AppState, Shared, lock};

/// The account's Zoom plan, which decides which endpoints are available.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Plan {
    /// Free (Basic) account: no reports, rooms, dashboard or plan usage.
    Free,
    /// Pro: reports, rooms and plan usage, but no Dashboard.
    Pro,
    /// Business or higher: everything, including the Dashboard.
    #[default]
    Business,
}

impl Plan {
    pub fn is_paid(self) -> bool {
        self != Plan::Free
    }
}

/// Message of the code 200 error for features of paid accounts.
pub(crate) const PAID_ACCOUNTS_ONLY: &str = "Only available for paid accounts.";

/// Rejects the request with code 200 `message` when the account is on the free plan.
pub(crate) fn require_paid(state: &Shared, message: &str) -> Result<(), ApiError> {
    if state.config.plan.is_paid() {
        Ok(())
    } else {
        Err(ApiError::bad_request(200, message))
    }
}

/// Licensed users: active users of type 2 (`usage`) and pending invitations of type 2
/// (`pending`). Both hold a seat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeatUse {
    pub usage: u32,
    pub pending: u32,
}

impl SeatUse {
    pub fn of(users: &[MockUser]) -> SeatUse {
        let mut seats = SeatUse::default();
        for user in users.iter().filter(|user| user.user_type == 2) {
            match user.status {
                UserStatus::Active => seats.usage += 1,
                UserStatus::Pending => seats.pending += 1,
                UserStatus::Inactive => {}
            }
        }
        seats
    }

    pub fn held(self) -> u32 {
        self.usage + self.pending
    }
}

/// Returns the seats of an account whose `paid_seats` is not configured: the seats its
/// licensed users hold, plus 10%, rounded up.
pub(crate) fn default_paid_seats(users: &[MockUser]) -> u32 {
    (SeatUse::of(users).held() * 11).div_ceil(10)
}

/// Code 2034 with the message Zoom gives when no licensed seat is free.
pub(crate) fn no_free_seat() -> ApiError {
    ApiError::bad_request(
        2034,
        "Your request to convert this user's plan type to \"Licensed\" wasn't approved because \
         your account has reached the permitted maximum number of \"Licensed\" users. Purchase \
         additional licenses or contact the Zoom support team to provision additional users in \
         your account.",
    )
}

/// Rejects licensing one more of `users` when all `paid_seats` are held.
pub(crate) fn require_free_seat(users: &[MockUser], paid_seats: u32) -> Result<(), ApiError> {
    if SeatUse::of(users).held() >= paid_seats {
        return Err(no_free_seat());
    }
    Ok(())
}

#[derive(Serialize)]
struct PlanBase {
    #[serde(rename = "type")]
    plan_type: &'static str,
    hosts: u32,
    usage: u32,
    pending: u32,
    active_hosts: usize,
}

#[derive(Serialize)]
struct PlanZoomRooms {
    #[serde(rename = "type")]
    plan_type: &'static str,
    hosts: usize,
    usage: usize,
}

#[derive(Serialize)]
struct PlanUsage {
    plan_base: PlanBase,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_zoom_rooms: Option<PlanZoomRooms>,
}

/// How far back `active_hosts` looks for hosted meetings.
// NOTE: Zoom does not document the period behind `active_hosts`. The last 30 days is a guess.
const ACTIVE_HOST_PERIOD: SignedDuration = SignedDuration::from_hours(30 * 24);

/// `GET /v2/accounts/me/plans/usage`: purchased and held licensed seats, and the Zoom Rooms
/// plan when the account has rooms. A Heavy endpoint.
pub(crate) async fn plan_usage(
    State(state): State<AppState>,
    auth: Authorized,
) -> Result<Response, ApiError> {
    auth.require(&scopes::PLAN_USAGE)?;
    rate_limits::admit(&state, RateLabel::Heavy)?;
    require_paid(&state, PAID_ACCOUNTS_ONLY)?;

    let users = state.users_snapshot();
    let seats = SeatUse::of(&users);
    let now = state.now();
    let active_hosts = *cached(&state, &format!("active_hosts {now}"), || {
        let since = now - ACTIVE_HOST_PERIOD;
        let activity = lock(&state.activity);
        users
            .iter()
            .filter(|user| user.status == UserStatus::Active && user.user_type == 2)
            .filter(|user| {
                activity.get(&user.email).is_some_and(|history| {
                    history
                        .meetings_between(since, now)
                        .iter()
                        .any(|meeting| meeting.end() <= now)
                })
            })
            .count()
    });

    let rooms = state.config.rooms;
    let body = PlanUsage {
        plan_base: PlanBase {
            plan_type: "monthly",
            hosts: *lock(&state.paid_seats),
            usage: seats.usage,
            pending: seats.pending,
            active_hosts,
        },
        plan_zoom_rooms: (rooms > 0).then_some(PlanZoomRooms {
            plan_type: "zroom_monthly",
            hosts: rooms,
            usage: rooms,
        }),
    };
    Ok(json_response(StatusCode::OK, &body))
}
