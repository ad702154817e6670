//! The users of the recorded Zoom list fixtures, which every generated account starts with.

use jiff::Timestamp;

use crate::accounts::{EmailAllocator, timestamp, user_id};
use crate::engagement::Engagement;
use crate::history::{DAY, History, PatternWindow};
use crate::mock_user::{MockUser, UserStatus};

/// The instant the fixture users' dates were written for. Their dates move with
/// `MockConfig::now` by the same offset, so `now == FIXTURE_NOW` reproduces the fixture
/// bodies exactly and any other `now` keeps their relative ages.
pub const FIXTURE_NOW: &str = "2026-03-12T00:00:00Z";

/// Fields of one fixture user, with dates as RFC 3339 strings relative to `FIXTURE_NOW`.
pub(crate) struct FixtureUser {
    number: u64,
    first: &'static str,
    last: &'static str,
    status: UserStatus,
    user_type: i64,
    role_id: &'static str,
    dept: &'static str,
    groups: &'static [&'static str],
    created_at: &'static str,
    last_login: Option<&'static str>,
    /// A sign-in less than three days after `last_login`, which Zoom's buffer hides from
    /// `last_login_time`.
    buffered_sign_in: Option<&'static str>,
    /// The pattern of the sign-ins before `last_login`.
    engagement: Engagement,
    pmi: i64,
}

/// The users of the recorded list fixtures, in the order the generator emits them: the five
/// active users of the two-page listing, then the pending and the inactive fixture user.
pub(crate) const FIXTURE_USERS: [FixtureUser; 7] = [
    FixtureUser {
        number: 1,
        first: "Owner",
        last: "One",
        status: UserStatus::Active,
        user_type: 2,
        role_id: "0",
        dept: "IT",
        groups: &["fakeGroup000000000001A"],
        created_at: "2025-06-01T07:58:03Z",
        last_login: Some("2026-03-02T08:15:00Z"),
        buffered_sign_in: None,
        engagement: Engagement::Weekly,
        pmi: 1010659481,
    },
    FixtureUser {
        number: 2,
        first: "Admin",
        last: "Two",
        status: UserStatus::Active,
        user_type: 2,
        role_id: "1",
        dept: "IT",
        groups: &["fakeGroup000000000001A"],
        created_at: "2025-06-01T07:58:03Z",
        last_login: Some("2026-03-02T08:15:00Z"),
        buffered_sign_in: Some("2026-03-03T10:21:00Z"),
        engagement: Engagement::Daily,
        pmi: 1014942514,
    },
    FixtureUser {
        number: 3,
        first: "Member",
        last: "Three",
        status: UserStatus::Active,
        user_type: 1,
        role_id: "2",
        dept: "",
        groups: &[],
        created_at: "2025-06-01T07:58:03Z",
        last_login: None,
        buffered_sign_in: None,
        engagement: Engagement::Never,
        pmi: 1002077436,
    },
    FixtureUser {
        number: 4,
        first: "Member",
        last: "Four",
        status: UserStatus::Active,
        user_type: 2,
        role_id: "2",
        dept: "",
        groups: &[],
        created_at: "2025-06-01T07:58:03Z",
        last_login: Some("2025-11-20T16:40:55Z"),
        buffered_sign_in: None,
        engagement: Engagement::Monthly,
        pmi: 1003164244,
    },
    FixtureUser {
        number: 6,
        first: "Member",
        last: "Six",
        status: UserStatus::Active,
        user_type: 4,
        role_id: "2",
        dept: "",
        groups: &[],
        created_at: "2025-06-01T07:58:03Z",
        last_login: Some("2026-01-05T10:00:00Z"),
        buffered_sign_in: None,
        engagement: Engagement::Rare,
        pmi: 1005337127,
    },
    FixtureUser {
        number: 5,
        first: "Pending",
        last: "Five",
        status: UserStatus::Pending,
        user_type: 2,
        role_id: "2",
        dept: "",
        groups: &[],
        created_at: "2026-03-10T12:00:00Z",
        last_login: None,
        buffered_sign_in: None,
        engagement: Engagement::Never,
        pmi: 1008546510,
    },
    FixtureUser {
        number: 7,
        first: "Former",
        last: "Seven",
        status: UserStatus::Inactive,
        user_type: 1,
        role_id: "2",
        dept: "",
        groups: &[],
        created_at: "2025-06-01T07:58:03Z",
        last_login: Some("2025-09-30T09:00:00Z"),
        buffered_sign_in: None,
        engagement: Engagement::Weekly,
        pmi: 1010481784,
    },
];

/// Base of the fixture users' history seeds, which do not depend on `MockConfig::seed`.
const FIXTURE_HISTORY_SEED: u64 = 0xF17C_0000;

/// Version string of the fixture users, who all last used the same desktop client.
const FIXTURE_CLIENT_VERSION: &str = "6.0.0.00000(mac)";

/// Moves a fixture date by the distance between `now` and `FIXTURE_NOW`.
fn shifted_fixture_date(fixture_date: &str, now_second: i64) -> Timestamp {
    let parse = |value: &str| {
        value
            .parse::<Timestamp>()
            .map(Timestamp::as_second)
            .unwrap_or(0)
    };
    let offset = now_second - parse(FIXTURE_NOW);
    timestamp(parse(fixture_date) + offset)
}

/// Builds a fixture user and, unless the user is pending, a sign-in history that ends with
/// the fixture's last login: the pattern stops four days before it, so Zoom's three-day buffer
/// shows exactly that login as `last_login_time`.
pub(crate) fn fixture_user(
    fixture: &FixtureUser,
    now_second: i64,
    emails: &mut EmailAllocator,
) -> (MockUser, Option<History>) {
    let local_part = format!("{}.{}", fixture.first, fixture.last).to_lowercase();
    let email = emails.allocate(&local_part);
    let last_login_time = fixture
        .last_login
        .map(|date| shifted_fixture_date(date, now_second));
    let id = match fixture.status {
        UserStatus::Pending => None,
        UserStatus::Active | UserStatus::Inactive => Some(user_id(fixture.number)),
    };
    let created_at = shifted_fixture_date(fixture.created_at, now_second);
    let last_client_version = last_login_time.map(|_| FIXTURE_CLIENT_VERSION.to_owned());

    let history = (fixture.status != UserStatus::Pending).then(|| {
        let last_login = last_login_time.map(Timestamp::as_second);
        let window = PatternWindow {
            after: created_at.as_second(),
            until: last_login.map_or(i64::MIN, |login| login - 4 * DAY),
            end: now_second,
        };
        let seed = FIXTURE_HISTORY_SEED + fixture.number;
        let mut history = History::generated(
            &email,
            fixture.engagement,
            seed,
            "UTC",
            window,
            last_client_version.clone(),
        );
        if let Some(login) = last_login {
            history.pin_sign_in(login, true);
        }
        if let Some(date) = fixture.buffered_sign_in {
            history.pin_sign_in(shifted_fixture_date(date, now_second).as_second(), true);
        }
        history
    });

    let user = MockUser {
        id,
        email,
        first_name: fixture.first.to_owned(),
        last_name: fixture.last.to_owned(),
        display_name: format!("{} {}", fixture.first, fixture.last),
        status: fixture.status,
        user_type: fixture.user_type,
        role_id: fixture.role_id.to_owned(),
        group_ids: fixture
            .groups
            .iter()
            .map(|group| (*group).to_owned())
            .collect(),
        dept: fixture.dept.to_owned(),
        login_types: vec![100],
        created_at,
        last_client_version,
        last_login_time,
        timezone: "UTC".to_owned(),
        language: "en-US".to_owned(),
        pmi: fixture.pmi,
    };
    (user, history)
}
