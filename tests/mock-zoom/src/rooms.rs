//! `GET /v2/rooms`: the account's generated Zoom Rooms.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::api::{ApiError, Authorized, json_response, parse_pairs};
use crate::paging::{PageRequest, page_size};
use crate::plans::{PAID_ACCOUNTS_ONLY, require_paid};
use crate::scopes;
use crate::state::AppState;

const ROOM_NAMES: [&str; 8] = [
    "Conference Room",
    "Huddle Room",
    "Board Room",
    "Training Room",
    "Focus Room",
    "Studio",
    "Town Hall",
    "Lab",
];

const ROOM_STATUSES: [&str; 4] = ["Available", "Offline", "InMeeting", "Available"];

/// Location every generated room belongs to.
const LOCATION_ID: &str = "fakeLocation0000000001A";

/// A room as `GET /v2/rooms` lists it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Room {
    id: String,
    room_id: String,
    name: String,
    activation_code: String,
    status: &'static str,
    location_id: &'static str,
    tag_ids: [&'static str; 0],
}

/// Builds room `number` (from 1): `fakeRoom00000000000001A` named "Conference Room A", and so
/// on through the names, with a letter that counts up.
fn room(number: usize) -> Room {
    let letter = char::from(b'A' + ((number - 1) % 26) as u8);
    let id = format!("fakeRoom{number:014}{letter}");
    Room {
        room_id: id.clone(),
        id,
        name: format!("{} {letter}", ROOM_NAMES[(number - 1) % ROOM_NAMES.len()]),
        activation_code: format!("0000-0000-{:04}-{:04}", number / 10_000, number % 10_000),
        status: ROOM_STATUSES[(number - 1) % ROOM_STATUSES.len()],
        location_id: LOCATION_ID,
        tag_ids: [],
    }
}

#[derive(Serialize)]
struct RoomsPage {
    page_size: usize,
    next_page_token: String,
    rooms: Vec<Room>,
}

/// Lists `MockConfig::rooms` rooms. Zoom serves rooms to Pro or higher plans with a Zoom
/// Rooms licence, so the free plan gets code 200.
pub(crate) async fn list_rooms(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_ROOMS)?;
    require_paid(&state, PAID_ACCOUNTS_ONLY)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let page_size = page_size(&params)?;
    let cursor_key = format!("GET /v2/rooms?page_size={page_size}");
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let total = state.config.rooms;
    let first = page.offset.min(total);
    let last = page.offset.saturating_add(page_size).min(total);
    let body = RoomsPage {
        page_size,
        next_page_token: page.next_page_token(&state, total, None),
        rooms: (first..last).map(|index| room(index + 1)).collect(),
    };
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_rooms_match_fixture_shape() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/rooms.json")).expect("valid fixture");

        for (index, expected) in fixture["rooms"]
            .as_array()
            .expect("array")
            .iter()
            .enumerate()
        {
            let actual = serde_json::to_value(room(index + 1)).expect("serializable");
            assert_eq!(&actual, expected);
        }
    }
}
