//! The seeded generator that builds deterministic mock accounts of any size.

use std::collections::HashMap;

use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::engagement::Engagement;
use crate::fixture_users::{FIXTURE_USERS, fixture_user};
use crate::history::{DAY, History, PatternWindow};
use crate::mock_user::{MockUser, UserStatus};

/// Account domain of every generated email. The `.test` TLD is reserved, so no real mailbox
/// matches.
pub const EMAIL_DOMAIN: &str = "example.test";

/// Group ids that generated users belong to.
pub const GROUP_IDS: [&str; 5] = [
    "fakeGroup000000000001A",
    "fakeGroup000000000002B",
    "fakeGroup000000000003C",
    "fakeGroup000000000004D",
    "fakeGroup000000000005E",
];

/// Id of the custom role that a few generated users hold (listed by `GET /v2/roles`).
pub const CUSTOM_ROLE_ID: &str = "fakeRole00000000000001A";

/// Share of active users who stopped signing in 91 to 330 days before `now`.
const LAPSED_RATE: f64 = 0.12;

const FIRST_NAMES: [&str; 48] = [
    "Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Lucas", "Mia", "Ethan", "Amara",
    "Yuki", "Hiro", "Priya", "Arjun", "Chen", "Wei", "Fatima", "Omar", "Leila", "Jonas", "Greta",
    "Lars", "Ingrid", "Pierre", "Camille", "Diego", "Lucia", "Kwame", "Ada", "Tariq", "Nadia",
    "Sven", "Freya", "Rafael", "Isabel", "Kenji", "Aiko", "Marta", "Tomas", "Elif", "Can", "Zara",
    "Felix", "Nora", "Hugo", "Iris", "Owen",
];

const LAST_NAMES: [&str; 48] = [
    "Nguyen", "Garcia", "Smith", "Johnson", "Kim", "Patel", "Okafor", "Schmidt", "Rossi", "Dubois",
    "Tanaka", "Suzuki", "Silva", "Santos", "Kowalski", "Novak", "Ivanova", "Larsen", "Jensen",
    "Muller", "Fischer", "Moreau", "Lopez", "Martin", "Brown", "Wilson", "Taylor", "Anderson",
    "Thomas", "Moore", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott",
    "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
    "Phillips",
];

const DEPARTMENTS: [&str; 10] = [
    "",
    "",
    "",
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Support",
    "IT",
    "Operations",
];

const TIMEZONES: [&str; 6] = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Tokyo",
];

const LANGUAGES: [&str; 5] = ["en-US", "en-US", "en-US", "de-DE", "ja-JP"];

const CLIENT_VERSIONS: [&str; 6] = [
    "6.3.11.60501(mac)",
    "6.3.6.56144(win)",
    "6.2.5.48000(win)",
    "6.1.0.40000(ios)",
    "6.0.12.38570(android)",
    "6.3.0.52884(linux)",
];

/// Generates a deterministic account of `count` users: the same seed, count and `now` always
/// give the same users in the same order.
///
/// The first seven users are the users of the recorded list fixtures (five active, then one
/// pending and one inactive), so `count <= 7` gives a prefix of the fixture account. The rest
/// follow these rates, drawn per user and so only approximately met:
///
/// - status: 84% active, 9% inactive, 7% pending;
/// - role: 1% Admins, 0.5% on the custom role, the rest Members;
/// - active users' type: 55% licensed, 42% basic, 3% type 4 or 99;
/// - engagement (how often a user signs in): see [`Engagement`](crate::Engagement). 12% of
///   active users stopped signing in 91 to 330 days ago, and inactive users stopped when they
///   were deactivated, 30 to 350 days ago.
///
/// `last_login_time` comes from the sign-in history of the 12 months before `now`, with
/// Zoom's three-day buffer, so users who signed in only before that have none.
pub fn generate_users(seed: u64, count: usize, now: Timestamp) -> Vec<MockUser> {
    generate_account(seed, count, now).users
}

/// A generated account: its users and the sign-in histories of those who are not pending.
pub(crate) struct GeneratedAccount {
    pub users: Vec<MockUser>,
    pub histories: Vec<History>,
}

/// Generates the users of [`generate_users`] together with their sign-in histories.
pub(crate) fn generate_account(seed: u64, count: usize, now: Timestamp) -> GeneratedAccount {
    let now_second = now.as_second();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut emails = EmailAllocator::default();
    let mut account = GeneratedAccount {
        users: Vec::with_capacity(count),
        histories: Vec::new(),
    };

    for fixture in FIXTURE_USERS.iter().take(count) {
        let (user, history) = fixture_user(fixture, now_second, &mut emails);
        account.users.push(user);
        account.histories.extend(history);
    }
    for index in account.users.len()..count {
        let (user, history) = random_user(index as u64 + 1, now_second, &mut rng, &mut emails);
        account.users.push(user);
        account.histories.extend(history);
    }
    account
}

/// Builds a 22-character Zoom-shaped user id from a sequence number, e.g. `fakeUser0000000000001A`.
pub(crate) fn user_id(number: u64) -> String {
    let check = char::from(b'A' + ((number.saturating_sub(1)) % 26) as u8);
    format!("fakeUser{number:013}{check}")
}

/// Returns the sequence number of an id built by [`user_id`], or `None` for other ids.
pub(crate) fn user_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("fakeUser")?.get(..13)?;
    digits.parse().ok()
}

pub(crate) fn timestamp(second: i64) -> Timestamp {
    // Only extreme `now` values reach the fallback, which keeps generation total.
    Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn random_user(
    number: u64,
    now_second: i64,
    rng: &mut StdRng,
    emails: &mut EmailAllocator,
) -> (MockUser, Option<History>) {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];

    let status = match rng.random_range(0..1000) {
        0..840 => UserStatus::Active,
        840..930 => UserStatus::Inactive,
        _ => UserStatus::Pending,
    };
    let role_id = match rng.random_range(0..1000) {
        0..10 => "1",
        10..15 => CUSTOM_ROLE_ID,
        _ => "2",
    };
    let user_type = match status {
        UserStatus::Active => match rng.random_range(0..1000) {
            0..550 => 2,
            550..970 => 1,
            970..985 => 4,
            _ => 99,
        },
        // Deactivation removes every licence, so Zoom lists deactivated users as basic.
        UserStatus::Inactive => 1,
        UserStatus::Pending => {
            if rng.random_bool(0.6) {
                2
            } else {
                1
            }
        }
    };

    let mixed_case_rate = if status == UserStatus::Pending {
        0.25
    } else {
        0.02
    };
    let local_part = format!("{first}.{last}").to_lowercase();
    let mut email = emails.allocate(&local_part);
    if rng.random_bool(mixed_case_rate) {
        email = capitalize_email(&email);
    }
    let timezone = TIMEZONES[rng.random_range(0..TIMEZONES.len())];

    let (created_second, active_until) = activity_window(status, now_second, rng);
    let engagement = Engagement::draw(status, rng);
    let history_seed: u64 = rng.random();
    // Some users only ever sign in on the web, where Zoom records no client version.
    let app_client = rng
        .random_bool(0.85)
        .then(|| CLIENT_VERSIONS[rng.random_range(0..CLIENT_VERSIONS.len())].to_owned());
    let history = active_until.map(|until| {
        let window = PatternWindow {
            after: created_second,
            until,
            end: now_second,
        };
        History::generated(
            &email,
            engagement,
            history_seed,
            timezone,
            window,
            app_client.clone(),
        )
    });
    let last_login_second = history.as_ref().and_then(History::zoom_last_login);
    let last_client_version = last_login_second.and(app_client);

    let group_ids = match rng.random_range(0..10) {
        0..4 => Vec::new(),
        4..8 => vec![GROUP_IDS[rng.random_range(0..GROUP_IDS.len())].to_owned()],
        _ => {
            let first_group = rng.random_range(0..GROUP_IDS.len());
            let second_group =
                (first_group + rng.random_range(1..GROUP_IDS.len())) % GROUP_IDS.len();
            vec![
                GROUP_IDS[first_group].to_owned(),
                GROUP_IDS[second_group].to_owned(),
            ]
        }
    };
    let login_type = if rng.random_bool(0.1) { 101 } else { 100 };

    let user = MockUser {
        id: (status != UserStatus::Pending).then(|| user_id(number)),
        email,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        display_name: format!("{first} {last}"),
        status,
        user_type,
        role_id: role_id.to_owned(),
        group_ids,
        dept: DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())].to_owned(),
        login_types: vec![login_type],
        created_at: timestamp(created_second),
        last_login_time: last_login_second.map(timestamp),
        last_client_version,
        timezone: timezone.to_owned(),
        language: LANGUAGES[rng.random_range(0..LANGUAGES.len())].to_owned(),
        pmi: rng.random_range(1_000_000_000..10_000_000_000),
    };
    (user, history)
}

/// Draws when a user was created and until when the user signed in, or `None` for pending
/// users, who have not signed in yet.
fn activity_window(status: UserStatus, now_second: i64, rng: &mut StdRng) -> (i64, Option<i64>) {
    match status {
        // Invitations are recent, because Zoom keeps pending users only until the invitation
        // expires.
        UserStatus::Pending => (now_second - rng.random_range(0..30 * DAY), None),
        UserStatus::Active => {
            // Lapsed users stopped using Zoom but still hold their seat.
            if rng.random_bool(LAPSED_RATE) {
                let until = now_second - rng.random_range(91 * DAY..330 * DAY);
                (until - rng.random_range(30 * DAY..1200 * DAY), Some(until))
            } else {
                (
                    now_second - rng.random_range(DAY..1500 * DAY),
                    Some(now_second),
                )
            }
        }
        UserStatus::Inactive => {
            let deactivated_age = match rng.random_range(0..1000) {
                0..900 => rng.random_range(91 * DAY..350 * DAY),
                _ => rng.random_range(30 * DAY..91 * DAY),
            };
            let deactivated = now_second - deactivated_age;
            (
                deactivated - rng.random_range(30 * DAY..1200 * DAY),
                Some(deactivated),
            )
        }
    }
}

/// Upper-cases the first letter of each dot-separated word of the local part, e.g.
/// `ava.nguyen2@example.test` becomes `Ava.Nguyen2@example.test`.
fn capitalize_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, EMAIL_DOMAIN));
    let words: Vec<String> = local
        .split('.')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect();
    format!("{}@{domain}", words.join("."))
}

/// Hands out unique lowercase emails by numbering repeats of a local part:
/// `ava.nguyen`, then `ava.nguyen2`, `ava.nguyen3`, …
#[derive(Default)]
pub(crate) struct EmailAllocator {
    uses: HashMap<String, u32>,
}

impl EmailAllocator {
    pub(crate) fn allocate(&mut self, local_part: &str) -> String {
        let uses = self.uses.entry(local_part.to_owned()).or_insert(0);
        *uses += 1;
        // Generated local parts never end in a digit, so `name` + number cannot meet another base.
        if *uses == 1 {
            format!("{local_part}@{EMAIL_DOMAIN}")
        } else {
            format!("{local_part}{uses}@{EMAIL_DOMAIN}")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::activity::ActivityEntry;
    use crate::fixture_users::FIXTURE_NOW;

    fn fixture_now() -> Timestamp {
        FIXTURE_NOW
            .parse()
            .expect("FIXTURE_NOW is a valid timestamp")
    }

    fn share(users: &[&MockUser], predicate: impl Fn(&MockUser) -> bool) -> f64 {
        users.iter().filter(|user| predicate(user)).count() as f64 / users.len() as f64
    }

    #[test]
    fn generator_is_deterministic() {
        let now = fixture_now();
        let first = generate_users(7, 2_000, now);
        let second = generate_users(7, 2_000, now);
        let other_seed = generate_users(8, 2_000, now);

        assert_eq!(first, second);
        assert_ne!(first, other_seed);
    }

    #[test]
    fn generator_starts_with_fixture_users() {
        let users = generate_users(7, 7, fixture_now());
        let emails: Vec<&str> = users.iter().map(|user| user.email.as_str()).collect();

        assert_eq!(
            emails,
            [
                "owner.one@example.test",
                "admin.two@example.test",
                "member.three@example.test",
                "member.four@example.test",
                "member.six@example.test",
                "pending.five@example.test",
                "former.seven@example.test",
            ]
        );
        assert_eq!(users[0].id.as_deref(), Some("fakeUser0000000000001A"));
        assert_eq!(users[4].id.as_deref(), Some("fakeUser0000000000006F"));
        assert_eq!(users[5].id, None);
        assert_eq!(users[0].role_id, "0");
        assert_eq!(users[2].last_login_time, None);
        assert_eq!(users[4].user_type, 4);
        assert_eq!(users[0].created_at.to_string(), "2025-06-01T07:58:03Z");
        assert_eq!(
            users[3]
                .last_login_time
                .map(|time| time.to_string())
                .as_deref(),
            Some("2025-11-20T16:40:55Z")
        );
    }

    #[test]
    fn fixture_dates_move_with_now() {
        let later = fixture_now() + jiff::SignedDuration::from_hours(24 * 10);
        let users = generate_users(7, 1, later);

        assert_eq!(users[0].created_at.to_string(), "2025-06-11T07:58:03Z");
    }

    #[test]
    fn generator_emails_and_ids_are_unique() {
        let users = generate_users(7, 20_000, fixture_now());
        let emails: HashSet<String> = users.iter().map(|user| user.email.to_lowercase()).collect();
        let ids: HashSet<&str> = users.iter().filter_map(|user| user.id.as_deref()).collect();
        let with_id = users.iter().filter(|user| user.id.is_some()).count();

        assert_eq!(emails.len(), users.len());
        assert_eq!(ids.len(), with_id);
        assert!(
            users
                .iter()
                .all(|user| user.email.ends_with("@example.test"))
        );
        assert!(
            users
                .iter()
                .all(|user| user.id.as_ref().is_none_or(|id| id.len() == 22))
        );
    }

    #[test]
    fn generator_spreads_within_bounds() {
        let now = fixture_now();
        let users = generate_users(7, 20_000, now);
        let all: Vec<&MockUser> = users.iter().collect();
        let active: Vec<&MockUser> = all
            .iter()
            .copied()
            .filter(|u| u.status == UserStatus::Active)
            .collect();
        let inactive: Vec<&MockUser> = all
            .iter()
            .copied()
            .filter(|u| u.status == UserStatus::Inactive)
            .collect();
        let pending: Vec<&MockUser> = all
            .iter()
            .copied()
            .filter(|u| u.status == UserStatus::Pending)
            .collect();
        let days_since = |user: &MockUser| {
            user.last_login_time
                .map(|time| (now - time).as_secs() / DAY)
        };

        let active_share = active.len() as f64 / all.len() as f64;
        let inactive_share = inactive.len() as f64 / all.len() as f64;
        let pending_share = pending.len() as f64 / all.len() as f64;
        assert!(
            (0.82..0.86).contains(&active_share),
            "active share {active_share}"
        );
        assert!(
            (0.08..0.10).contains(&inactive_share),
            "inactive share {inactive_share}"
        );
        assert!(
            (0.06..0.08).contains(&pending_share),
            "pending share {pending_share}"
        );

        assert_eq!(all.iter().filter(|u| u.role_id == "0").count(), 1);
        let admins = share(&all, |u| u.role_id == "1");
        assert!((0.006..0.014).contains(&admins), "admin share {admins}");
        let custom = all.iter().filter(|u| u.role_id == CUSTOM_ROLE_ID).count();
        assert!((40..=160).contains(&custom), "custom role count {custom}");

        let licensed = share(&active, |u| u.user_type == 2);
        let basic = share(&active, |u| u.user_type == 1);
        assert!(
            (0.52..0.58).contains(&licensed),
            "licensed share {licensed}"
        );
        assert!((0.39..0.45).contains(&basic), "basic share {basic}");
        assert!(active.iter().any(|u| u.user_type == 4));
        assert!(active.iter().any(|u| u.user_type == 99));
        assert!(inactive.iter().all(|u| u.user_type == 1));
        assert!(pending.iter().all(|u| u.user_type == 1 || u.user_type == 2));

        let daily = share(&active, |u| days_since(u).is_some_and(|days| days < 3));
        let rare = share(&active, |u| days_since(u).is_some_and(|days| days > 90));
        let never = share(&active, |u| u.last_login_time.is_none());
        assert!((0.37..0.43).contains(&daily), "daily share {daily}");
        assert!((0.11..0.16).contains(&rare), "rare share {rare}");
        assert!((0.04..0.065).contains(&never), "never share {never}");

        let inactive_long_ago = share(&inactive, |u| days_since(u).is_some_and(|days| days > 90));
        assert!(
            inactive_long_ago > 0.65,
            "inactive long-ago share {inactive_long_ago}"
        );
        assert!(pending.iter().all(|u| u.last_login_time.is_none()));
        assert!(pending.iter().all(|u| u.id.is_none()));

        let mixed_case_pending = share(&pending, |u| u.email != u.email.to_lowercase());
        assert!(
            mixed_case_pending > 0.1,
            "mixed-case pending share {mixed_case_pending}"
        );
        let sso = share(&all, |u| u.login_types == [101]);
        assert!((0.07..0.13).contains(&sso), "SSO share {sso}");
    }

    #[test]
    fn generated_users_were_created_before_last_login() {
        let now = fixture_now();
        let users = generate_users(3, 20_000, now);

        for user in &users {
            assert!(user.created_at <= now, "{} created after now", user.email);
            if let Some(login) = user.last_login_time {
                assert!(
                    user.created_at < login,
                    "{} created after last login",
                    user.email
                );
                assert!(login <= now, "{} logged in after now", user.email);
            }
        }
    }

    #[test]
    fn key_uses_email_for_pending_users() {
        let mut user = generate_users(7, 1, fixture_now()).remove(0);
        assert_eq!(user.key(), "fakeUser0000000000001A");

        user.status = UserStatus::Pending;
        user.email = "Owner.One@Example.test".to_owned();
        assert_eq!(user.key(), "owner.one@example.test");
    }

    #[test]
    fn engagement_spreads_over_active_users() {
        let account = generate_account(7, 20_000, fixture_now());
        let statuses: HashMap<String, UserStatus> = account
            .users
            .iter()
            .map(|user| (user.email.to_lowercase(), user.status))
            .collect();
        let active: Vec<Engagement> = account
            .histories
            .iter()
            .filter(|history| statuses[&history.email().to_lowercase()] == UserStatus::Active)
            .map(History::engagement)
            .collect();
        let inactive: Vec<Engagement> = account
            .histories
            .iter()
            .filter(|history| statuses[&history.email().to_lowercase()] == UserStatus::Inactive)
            .map(History::engagement)
            .collect();
        let share = |patterns: &[Engagement], wanted: Engagement| {
            patterns
                .iter()
                .filter(|&&pattern| pattern == wanted)
                .count() as f64
                / patterns.len() as f64
        };

        let expected = [
            (Engagement::Daily, 0.29),
            (Engagement::Weekly, 0.20),
            (Engagement::Monthly, 0.21),
            (Engagement::Rare, 0.255),
            (Engagement::Never, 0.045),
        ];
        for (pattern, rate) in expected {
            let actual = share(&active, pattern);
            assert!(
                (actual - rate).abs() < 0.02,
                "active {pattern:?} share {actual}"
            );
        }
        let rare_or_never =
            share(&inactive, Engagement::Rare) + share(&inactive, Engagement::Never);
        assert!(
            rare_or_never > 0.6,
            "inactive rare or never share {rare_or_never}"
        );
        assert_eq!(share(&inactive, Engagement::Daily), 0.0);

        let pending_histories = account
            .histories
            .iter()
            .filter(|history| statuses[&history.email().to_lowercase()] == UserStatus::Pending)
            .count();
        assert_eq!(pending_histories, 0);
    }

    #[test]
    fn last_login_matches_history() {
        let now = fixture_now();
        let account = generate_account(11, 5_000, now);
        let histories: HashMap<String, &History> = account
            .histories
            .iter()
            .map(|history| (history.email().to_lowercase(), history))
            .collect();
        let mut buffered = 0;

        for user in &account.users {
            let sign_ins = histories
                .get(&user.email.to_lowercase())
                .map(|history| history.sign_ins())
                .unwrap_or_default();
            let Some(login) = user.last_login_time else {
                assert!(
                    sign_ins.is_empty(),
                    "{} signed in without a last login",
                    user.email
                );
                continue;
            };
            let latest = *sign_ins.last().expect("a last login needs a sign-in");
            assert!(
                sign_ins.contains(&login),
                "{}: last login is no sign-in",
                user.email
            );
            assert!(
                login <= latest,
                "{}: last login after latest sign-in",
                user.email
            );
            let lag = (latest - login).as_secs();
            assert!(
                lag < 3 * DAY,
                "{}: last login {lag} s before latest",
                user.email
            );
            assert!(latest <= now, "{}: sign-in after now", user.email);
            if login < latest {
                buffered += 1;
            }
        }
        assert!(
            buffered > 50,
            "only {buffered} users show a buffered last login"
        );
    }

    #[test]
    fn histories_cover_twelve_months() {
        let now = fixture_now();
        let account = generate_account(7, 2_000, now);
        let year_ago = now - jiff::SignedDuration::from_hours(24 * 366);

        for history in &account.histories {
            for sign_in in history.sign_ins() {
                assert!(
                    sign_in > year_ago,
                    "{} signed in at {sign_in}",
                    history.email()
                );
            }
        }
    }

    #[test]
    fn histories_are_deterministic() {
        let now = fixture_now();
        let entries = |seed: u64| -> Vec<ActivityEntry> {
            generate_account(seed, 300, now)
                .histories
                .iter()
                .flat_map(History::all_entries)
                .collect()
        };

        assert_eq!(entries(7), entries(7));
        assert_ne!(entries(7), entries(8));
    }

    #[test]
    fn fixture_histories_keep_fixture_logins() {
        let account = generate_account(7, 7, fixture_now());

        assert_eq!(
            account.histories.len(),
            6,
            "every fixture user but the pending one"
        );
        for history in &account.histories {
            let user = account
                .users
                .iter()
                .find(|user| user.email == history.email())
                .expect("a history belongs to a user");
            let derived = history.zoom_last_login().map(timestamp);
            assert_eq!(derived, user.last_login_time, "{}", user.email);
        }
        let admin = &account.histories[1];
        assert_eq!(admin.email(), "admin.two@example.test");
        assert_eq!(
            admin
                .sign_ins()
                .last()
                .map(|time| time.to_string())
                .as_deref(),
            Some("2026-03-03T10:21:00Z")
        );
    }

    #[test]
    fn capitalize_email_keeps_domain() {
        assert_eq!(
            capitalize_email("ava.nguyen2@example.test"),
            "Ava.Nguyen2@example.test"
        );
    }
}
